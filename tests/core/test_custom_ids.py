"""custom_ids: base-62 integers that round-trip, ids that never pass Discord's 100 characters,
and templates that never answer each other's ids (discord.py runs every item that matches)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import custom_ids
from bot.custom_ids import decode_int, encode_int
from bot.domain.leaderboards.ranking import Edge
from bot.domain.leaderboards.service import BoardKind, Cursor
from bot.lounge import LoungeBot
from bot.paging import MAX_NUMBER, Turn, Way
from cogs.leaderboards.buttons import MAX_RANK, BoardPager, BoardState, decode_edge, encode_edge
from tests.cogs.results.test_results_commands import rebuildable
from tests.offline import offline_settings

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
BIGGEST = 2**63 - 1


@given(INT64)
def test_integers_round_trip_in_base_62(number: int) -> None:
    text = encode_int(number)
    assert re.fullmatch(custom_ids.INT, text)
    assert decode_int(text) == number


def test_base_62_is_short_and_refuses_what_it_never_writes() -> None:
    assert [encode_int(n) for n in (0, 61, 62, -5)] == ["0", "Z", "10", "-5"]
    assert len(encode_int(BIGGEST)) == custom_ids.INT_WIDTH
    for bad in ("", "-", "a_b", "zzzzzzzzzzz", "1" * 12):  # zzzzzzzzzzz is past 64 bits
        with pytest.raises(ValueError, match=r"base-62|64 bits"):
            decode_int(bad)
    with pytest.raises(ValueError, match="64 bits"):
        encode_int(2**63)


def test_an_id_past_discords_limit_or_with_a_separator_is_refused() -> None:
    with pytest.raises(ValueError, match="100"):
        custom_ids.custom_id("x", "y" * 95)
    with pytest.raises(ValueError, match="':'"):
        custom_ids.custom_id("x", "a:b")


def biggest_board_ids() -> list[str]:
    """Board buttons with every field as long as it can be: within 100 characters."""
    pager = BoardPager(MagicMock())
    latest = datetime(9999, 12, 30, tzinfo=UTC).isoformat(timespec="microseconds")
    ids = []
    for kind in BoardKind:
        score = (BIGGEST, BIGGEST) if kind is BoardKind.PICKERS else (BIGGEST,)
        edge = Edge(Cursor(score, latest, -(2**63)), MAX_RANK)
        anchor = encode_edge(kind, edge)
        assert decode_edge(kind, anchor) == edge
        ids.append(pager.custom_id(BIGGEST, BoardState(kind, BIGGEST), Turn(Way.PREVIOUS, MAX_NUMBER, anchor)))
    return ids


def test_the_longest_board_id_fits() -> None:
    assert max(len(custom_id) for custom_id in biggest_board_ids()) == 97


async def test_no_two_registered_items_answer_the_same_id(tmp_path: Path) -> None:
    registered: list[type[Any]] = []
    bot = LoungeBot(offline_settings(tmp_path))
    try:
        with patch.object(LoungeBot, "add_dynamic_items", lambda _, *items: registered.extend(items)):
            await bot.prepare()
    finally:
        await bot.close()
    templates = {item.__name__: item.__discord_ui_compiled_template__ for item in registered}
    # board, roster, picks, undo, end, forget, nominee removal, paste, ballot select + button, console;
    # and 4 earlier shapes
    assert len(templates) == len(registered) == 15
    samples = [*biggest_board_ids(), *(item.custom_id for item in rebuildable())]
    samples += ["lounge:board:1:l0:n1:", "lounge:roster:1:1:n2:", "lounge:picks:1:1.1:p1:"]
    for sample in samples:
        answering = [name for name, template in templates.items() if template.fullmatch(sample)]
        assert len(answering) == 1, (sample, answering)
