"""The recap picture of a lounge of real names (the one in docs/recap-example.png).

Regenerate it with ``.venv/bin/python -m tests.domain.recap.example docs/recap-example.png``.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.recap.pictures import LossBar, MoneyPoint, RecapPicture, draw_recap

EXAMPLE_NAMES = [
    "🍿 Popcorn Queen 👑", "Zoë Renée", "山田太郎", "محمد الأحمد", "דני כהן", "Анастасия Иванова",
    "प्रियंका चोपड़ा", "สมชาย ใจดี", "👨‍👩‍👧‍👦 김민준 🇰🇷", "Maximilian Alexander Worthington",
]


def example_picture() -> RecapPicture:
    start = datetime(2014, 8, 25, 20, 0, tzinfo=UTC)
    rng = random.Random(66)
    running, money = 0, []
    for second in sorted(rng.randrange(3 * 3600) for _ in range(400)):
        running += rng.randrange(100, 4_000)
        money.append(MoneyPoint(start + timedelta(seconds=second), running))
    losers = [LossBar(name, 31 - 3 * index) for index, name in enumerate(EXAMPLE_NAMES)]
    return RecapPicture("66th Primetime Emmy Awards (2014) — the night in review", 500_000, running, start,
                        start + timedelta(hours=3), money, losers)


if __name__ == "__main__":
    Path(sys.argv[1]).write_bytes(draw_recap(example_picture()))
