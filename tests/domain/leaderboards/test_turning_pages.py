"""Turning a board's pages with nothing kept between clicks (what a persistent button carries):
Next after the last row shown, Previous before the first one; never past either end; back to
exactly where a page started; and, when the board moved since the page was shown, the
standings as they are now, flagged so the member can be told."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.db import Database, Row
from bot.db.database import Params
from bot.domain.leaderboards.ranking import Direction, Edge, PageRequest
from bot.domain.leaderboards.service import ALL_TIME, BoardKind, Cursor, Window, page_at, viewer_standing
from tests.clock import FakeClock
from tests.domain.leaderboard_helpers import GUILD, losses, member, pick_record, run

LOSERS = BoardKind.LOSERS


async def board(db: Database, clock: FakeClock, members: int) -> None:
    """Member n has 100 - n losses: member 1 leads, ten to a page."""
    for user_id in range(1, members + 1):
        await member(db, GUILD, user_id, f"member {user_id}")
        await losses(db, GUILD, ALL_TIME, user_id, 100 - user_id, clock())


async def turn(db: Database, request: PageRequest[Cursor], kind: BoardKind = LOSERS) -> Window:
    return await page_at(db, GUILD, kind, ALL_TIME, request)


def following(window: Window) -> PageRequest[Cursor]:
    """What the Next button of `window` carries."""
    assert window.next_cursor is not None, "the last page has no Next"
    return PageRequest(window.number + 1, Edge(window.next_cursor, window.standings[-1].rank))


def preceding(window: Window) -> PageRequest[Cursor]:
    """What the Previous button of `window` carries."""
    assert window.previous_cursor is not None, "the first page has no Previous"
    return PageRequest(window.number - 1, Edge(window.previous_cursor, window.standings[0].rank), Direction.BEFORE)


def ids(window: Window) -> list[int]:
    return [standing.user_id for standing in window.standings]


async def test_pages_never_go_past_either_end(db: Database, clock: FakeClock) -> None:
    await board(db, clock, 25)
    first = await turn(db, PageRequest())
    assert (first.number, ids(first), first.previous_cursor) == (1, list(range(1, 11)), None)
    second = await turn(db, following(first))
    third = await turn(db, following(second))
    assert (third.number, ids(third), third.next_cursor) == (3, list(range(21, 26)), None)
    assert [s.rank for s in third.standings] == list(range(21, 26))
    assert [first.moved, second.moved, third.moved] == [False, False, False]


async def test_previous_goes_back_to_exactly_where_each_page_started(db: Database, clock: FakeClock) -> None:
    rng = random.Random(11)
    for user_id in range(1, 48):
        await member(db, GUILD, user_id, f"member {user_id}")
        count = rng.choice([1, 1, 2, 2, 2, 3, 7])  # many ties, some straddling pages
        await losses(db, GUILD, ALL_TIME, user_id, count, clock() + timedelta(seconds=rng.randrange(3600)))
    forward = [await turn(db, PageRequest())]
    while forward[-1].next_cursor is not None:
        forward.append(await turn(db, following(forward[-1])))
    assert [len(window.standings) for window in forward] == [10, 10, 10, 10, 7]

    backward = [forward[-1]]
    while backward[-1].previous_cursor is not None:
        backward.append(await turn(db, preceding(backward[-1])))

    assert [(w.number, w.standings) for w in reversed(backward)] == [(w.number, w.standings) for w in forward]
    assert not any(window.moved for window in backward)


async def test_previous_and_next_follow_every_boards_order(db: Database, clock: FakeClock) -> None:
    for user_id in range(1, 26):  # pickers: more right first, then fewer decided
        await pick_record(db, GUILD, ALL_TIME, user_id, user_id % 4, 3 + user_id % 3, clock())
    first = await turn(db, PageRequest(), BoardKind.PICKERS)
    second = await turn(db, following(first), BoardKind.PICKERS)
    back = await turn(db, preceding(second), BoardKind.PICKERS)
    assert back.standings == first.standings
    shown = [(s.value, s.resolved) for s in [*first.standings, *second.standings]]
    assert shown == sorted(shown, key=lambda pair: (-pair[0], pair[1]))


async def test_next_after_a_page_emptied_meanwhile_shows_the_page_ending_where_the_member_was(
    db: Database, clock: FakeClock
) -> None:
    await board(db, clock, 11)
    first = await turn(db, PageRequest())
    await member(db, GUILD, 11, "member 11", left_at=clock())  # the only member of page 2 leaves

    page = await turn(db, following(first))

    assert (page.number, ids(page), page.next_cursor, page.previous_cursor) == (1, list(range(1, 11)), None, None)
    assert page.moved


async def test_next_after_the_board_moved_shows_the_standings_now_and_says_so(db: Database, clock: FakeClock) -> None:
    await board(db, clock, 30)
    first = await turn(db, PageRequest())
    await run(db, "UPDATE loss_totals SET losses = 500 WHERE guild_id = ? AND user_id = 25", (GUILD,))

    second = await turn(db, following(first))

    # Member 25 passed everyone: member 10 (the edge) is 11th now, and page 2 starts after them.
    assert ids(second) == [*range(11, 21)]
    assert [s.rank for s in second.standings] == list(range(12, 22))
    assert second.moved


async def test_an_unmoved_board_is_not_flagged_even_when_rows_below_the_edge_changed(
    db: Database, clock: FakeClock
) -> None:
    await board(db, clock, 30)
    first = await turn(db, PageRequest())
    await run(db, "UPDATE loss_totals SET losses = 1 WHERE guild_id = ? AND user_id = 12", (GUILD,))
    second = await turn(db, following(first))
    assert not second.moved  # what the member saw (ranks 1-10) still stands
    assert 12 not in ids(second)


async def test_previous_that_reaches_the_top_early_shows_the_first_page_full(db: Database, clock: FakeClock) -> None:
    await board(db, clock, 30)
    second = await turn(db, following(await turn(db, PageRequest())))
    third = await turn(db, following(second))
    for user_id in range(1, 16):  # fifteen members above page 3 leave
        await member(db, GUILD, user_id, f"member {user_id}", left_at=clock())

    back = await turn(db, preceding(third))

    assert (back.number, ids(back), back.previous_cursor) == (1, list(range(16, 26)), None)
    assert [s.rank for s in back.standings] == list(range(1, 11))
    assert back.moved


async def test_previous_to_the_first_page_after_members_arrived_above_it_is_page_two(
    db: Database, clock: FakeClock
) -> None:
    await board(db, clock, 20)
    second = await turn(db, following(await turn(db, PageRequest())))
    for user_id in range(101, 106):
        await losses(db, GUILD, ALL_TIME, user_id, 1000, clock())

    back = await turn(db, preceding(second))

    assert (back.number, ids(back)) == (2, list(range(1, 11)))
    assert back.previous_cursor is not None
    assert back.moved
    top = await turn(db, preceding(back))
    assert (top.number, ids(top)[:5]) == (1, list(range(101, 106)))


async def test_previous_whose_edge_left_still_knows_whether_rows_follow(db: Database, clock: FakeClock) -> None:
    await board(db, clock, 30)
    third = await turn(db, following(await turn(db, following(await turn(db, PageRequest())))))
    await member(db, GUILD, 21, "member 21", left_at=clock())  # the row Previous starts from

    back = await turn(db, preceding(third))

    assert (back.number, ids(back)) == (2, list(range(11, 21)))
    assert back.next_cursor is not None  # members 22 to 30 still follow
    assert not back.moved


async def test_previous_whose_edge_moved_and_nothing_follows_offers_no_next(db: Database, clock: FakeClock) -> None:
    await board(db, clock, 21)
    third = await turn(db, following(await turn(db, following(await turn(db, PageRequest())))))
    assert ids(third) == [21]
    await run(db, "UPDATE loss_totals SET losses = 500 WHERE guild_id = ? AND user_id = 21", (GUILD,))

    back = await turn(db, preceding(third))

    # Member 21 leads now: the ten rows before where it was are members 11 to 20, and none follow.
    assert (back.number, ids(back), back.next_cursor) == (2, list(range(11, 21)), None)
    assert [s.rank for s in back.standings] == list(range(12, 22))
    assert back.moved


class CountingReader:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements: list[str] = []

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self.statements.append(sql)
        return await self.db.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        self.statements.append(sql)
        return await self.db.fetch_one(sql, params)


@pytest.mark.parametrize("seed", range(3))
async def test_a_turn_ranks_its_page_edge_and_viewer_in_one_statement_as_a_count_by_hand(
    db: Database, clock: FakeClock, seed: int
) -> None:
    rng = random.Random(seed)
    for user_id in range(1, 90):
        await member(db, GUILD, user_id, f"member {user_id}",
                     left_at=clock() if rng.random() < 0.1 else None)
        await losses(db, GUILD, ALL_TIME, user_id, rng.choice([1, 1, 2, 3, 3, 5, 8, 64, 65, 200]),
                     clock() + timedelta(seconds=rng.randrange(3600)))
    everyone = [await turn(db, PageRequest())]
    while everyone[-1].next_cursor is not None:
        everyone.append(await turn(db, following(everyone[-1])))
    listed = [standing for window in everyone for standing in window.standings]
    values = [standing.value for standing in listed]
    assert [standing.rank for standing in listed] == [1 + sum(v > value for v in values) for value in values]
    for window in everyone:
        for request in ([following(window)] if window.next_cursor else []) + (
                [preceding(window)] if window.previous_cursor else []) + [PageRequest()]:
            viewer_id = rng.choice([*range(1, 95)])
            reader = CountingReader(db)
            seen = await page_at(reader, GUILD, LOSERS, ALL_TIME, request, viewer_id=viewer_id)
            alone = await turn(db, request)
            assert (seen.number, seen.standings, seen.previous_cursor, seen.next_cursor, seen.moved) == (
                alone.number, alone.standings, alone.previous_cursor, alone.next_cursor, alone.moved)
            assert seen.viewer == await viewer_standing(db, GUILD, LOSERS, ALL_TIME, viewer_id)
            ranked = [sql for sql in reader.statements if "board_counts" in sql]
            assert len(ranked) <= 1, ranked
            assert len(reader.statements) <= 3, reader.statements  # the viewer's row, the page's rows, the ranks
