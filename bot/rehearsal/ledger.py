"""The event log, and the night's totals computed from it alone.

Every action the rehearsal performs and the bot's answer to it is one JSON line
(``"type": "action"``); every message the bot posts in a watched channel is one
too (``"type": "announcement"``). :func:`ledger_from_log` reads the lines back
and works out what the bot should report, by the lounge's rules, from the
acknowledged actions only:

* money raised: every pledge the bot acknowledged, at the amount its receipt
  shows, plus the winner's tax (the amount the settings reply showed) once per
  member and category where a nominee they claimed won;
* a member's losses tonight: their acknowledged declarations, one per claimed
  nominee that lost, one per pick (their last acknowledged one in a category)
  that lost; a category counts once its result stands (a result undone no
  longer counts, a tie adds a winner).

The rehearsal compares this with what the bot itself answers at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.rehearsal.clock import ScaledClock
from bot.rehearsal.script import Kind

OK = "ok"


class EventLog:
    """Appends JSON lines; each gets a sequence number, real seconds and the bot's (virtual) time."""

    def __init__(self, path: Path, clock: ScaledClock) -> None:
        self.path = path
        self._clock = clock
        self._file: TextIO | None = path.open("w", encoding="utf-8")
        self._seq = 0

    def write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._seq += 1
        line = {"seq": self._seq, "real_s": round(self._clock.real_elapsed(), 3),
                "at": self._clock().isoformat(timespec="seconds")} | record
        self._file.write(json.dumps(line, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass
class Ledger:
    pledged_cents: int = 0
    pledges: int = 0
    winner_tax_cents: int = 0
    taxes: int = 0
    losses: dict[str, int] = field(default_factory=dict)
    """Member name → losses tonight (members with none are left out)."""
    winners: dict[int, set[int]] = field(default_factory=dict)
    """Category position → the winners standing at the end."""

    @property
    def raised_cents(self) -> int:
        return self.pledged_cents + self.taxes * self.winner_tax_cents

    @property
    def logged(self) -> int:
        return sum(1 for winners in self.winners.values() if winners)


def read_log(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def ledger_from_log(path: Path) -> Ledger:
    return ledger_from_entries(read_log(path))


def ledger_from_entries(entries: Iterable[dict[str, Any]]) -> Ledger:
    ledger = Ledger()
    declared: dict[str, int] = {}
    claims: list[tuple[str, int, int]] = []
    picks: dict[tuple[str, int], int] = {}
    for entry in entries:
        if entry.get("type") != "action" or entry.get("outcome") != OK:
            continue
        kind, actor, plan, ack = entry["action"], entry["actor"], entry.get("plan", {}), entry.get("ack", {})
        category, nominee = plan.get("category"), plan.get("nominee")
        if kind == Kind.SETTINGS and "winner_tax_cents" in ack:
            ledger.winner_tax_cents = int(ack["winner_tax_cents"])
        elif kind == Kind.PLEDGE and not ack.get("duplicate"):
            ledger.pledged_cents += int(ack["amount_cents"])
            ledger.pledges += 1
        elif kind == Kind.DECLARE:
            declared[actor] = declared.get(actor, 0) + 1
        elif kind == Kind.CLAIM:
            claims.append((actor, category, nominee))
        elif kind == Kind.PICK:
            picks[(actor, category)] = nominee
        elif kind == Kind.RESULT_LOG:
            ledger.winners[category] = {nominee}
        elif kind == Kind.RESULT_TIE:
            ledger.winners.setdefault(category, set()).add(nominee)
        elif kind == Kind.RESULT_UNDO:
            ledger.winners[category] = set()
    losses = dict(declared)
    taxed: set[tuple[str, int]] = set()
    for actor, category, nominee in claims:
        winners = ledger.winners.get(category)
        if not winners:
            continue
        if nominee in winners:
            taxed.add((actor, category))
        else:
            losses[actor] = losses.get(actor, 0) + 1
    for (actor, category), nominee in picks.items():
        winners = ledger.winners.get(category)
        if winners and nominee not in winners:
            losses[actor] = losses.get(actor, 0) + 1
    ledger.taxes = len(taxed)
    ledger.losses = {actor: count for actor, count in losses.items() if count}
    return ledger
