"""The boards: ranks with shared ties, pages walked to either end, the viewer's
own rank off the page, each server on its own, and every page from indexes."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import to_storage
from bot.db import Database, Row
from bot.db.database import Params
from bot.domain.errors import InvalidInput
from bot.domain.leaderboards.ranking import Direction, Edge, PageRequest, competition_ranks
from bot.domain.leaderboards.service import (
    ALL_TIME,
    ANONYMOUS,
    MIN_RESOLVED_PICKS,
    BoardKind,
    BoardScope,
    Cursor,
    LeaderboardService,
    Standing,
    board_page,
    first_page_json,
    page_at,
    page_embed,
    viewer_standing,
)
from bot.domain.pledges import PledgeService
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.leaderboard_helpers import (
    GUILD,
    HOST,
    OTHER_GUILD,
    announcements,
    losses,
    member,
    open_ceremony,
    payload,
    pick_record,
    run,
)
from tests.refusals import refused

ALL = BoardScope(ALL_TIME, "All time")


def service(db: Database, clock: FakeClock) -> LeaderboardService:
    return LeaderboardService(db, clock, SettingsService(db, clock))


async def walk(db: Database, kind: BoardKind, scope: int = ALL_TIME, guild_id: int = GUILD) -> list[list[Standing]]:
    """Every page of a board, clicking Next until it is disabled."""
    cursor: Cursor | None = None
    pages: list[list[Standing]] = []
    while True:
        standings, cursor = await board_page(db, guild_id, kind, scope, cursor)
        pages.append(standings)
        if cursor is None:
            return pages


async def test_ties_share_a_rank_and_whoever_got_there_first_is_listed_first(
    db: Database, clock: FakeClock
) -> None:
    start = clock()
    for user_id, name in ((1, "Ann"), (2, "Bob"), (3, "Cat"), (4, "Dan")):
        await member(db, GUILD, user_id, name)
    await losses(db, GUILD, ALL_TIME, 1, 3, start + timedelta(minutes=9))
    await losses(db, GUILD, ALL_TIME, 2, 5, start + timedelta(minutes=5))
    await losses(db, GUILD, ALL_TIME, 3, 3, start + timedelta(minutes=2))
    await losses(db, GUILD, ALL_TIME, 4, 1, start + timedelta(minutes=1))

    standings, next_cursor = await board_page(db, GUILD, BoardKind.LOSERS, ALL_TIME, None)

    assert [(s.rank, s.name, s.value) for s in standings] == [
        (1, "Bob", 5), (2, "Cat", 3), (2, "Ann", 3), (4, "Dan", 1),
    ]
    assert next_cursor is None


async def test_pages_walk_the_whole_board_with_ties_across_page_breaks(db: Database, clock: FakeClock) -> None:
    rng = random.Random(6)
    start = clock()
    expected: list[tuple[int, str, int]] = []
    for user_id in range(1, 48):
        count = rng.choice([1, 1, 2, 2, 2, 3, 7])  # many ties, some straddling pages
        reached = start + timedelta(seconds=rng.randrange(3600))
        await member(db, GUILD, user_id, f"member {user_id}")
        await losses(db, GUILD, ALL_TIME, user_id, count, reached)
        expected.append((-count, reached.isoformat(), user_id))
    expected.sort()
    ranks = competition_ranks([score for score, _, _ in expected])

    pages = await walk(db, BoardKind.LOSERS)

    assert [len(page) for page in pages] == [10, 10, 10, 10, 7]
    walked = [standing for page in pages for standing in page]
    assert [s.user_id for s in walked] == [user_id for _, _, user_id in expected]
    assert [s.rank for s in walked] == ranks


async def test_a_board_of_exactly_one_page_has_no_next_page(db: Database, clock: FakeClock) -> None:
    for user_id in range(1, 11):
        await losses(db, GUILD, ALL_TIME, user_id, user_id, clock())
    pages = await walk(db, BoardKind.LOSERS)
    assert [len(page) for page in pages] == [10]
    assert pages[0][0].name == "Unknown member"  # never seen by the bot: no name kept


async def test_the_viewer_sees_their_own_rank_when_they_are_off_the_page(db: Database, clock: FakeClock) -> None:
    for user_id in range(1, 31):
        await member(db, GUILD, user_id, f"member {user_id}")
        await losses(db, GUILD, ALL_TIME, user_id, 100 - user_id, clock())
    await losses(db, GUILD, ALL_TIME, 31, 100 - 30, clock() + timedelta(minutes=1))  # tied with member 30

    page = await service(db, clock).page(GUILD, BoardKind.LOSERS, ALL, cursor=None, page_number=1, viewer_id=31)

    assert len(page.standings) == 10
    assert page.viewer is not None
    assert page.viewer.standing is not None
    assert page.viewer.standing.rank == 30  # shares 30th with member 30, who got there first
    embed = page_embed(page, viewer_name="member 31").to_dict()
    assert embed["fields"][0]["value"].startswith("30th")

    nobody = await viewer_standing(db, GUILD, BoardKind.LOSERS, ALL_TIME, 999)
    assert nobody.standing is None
    assert nobody.reason


async def test_each_server_sees_only_its_own_board(db: Database, clock: FakeClock) -> None:
    await member(db, GUILD, 1, "Ann")
    await member(db, OTHER_GUILD, 1, "Ann elsewhere")
    await member(db, OTHER_GUILD, 2, "Bob")
    await losses(db, GUILD, ALL_TIME, 1, 2, clock())
    await losses(db, OTHER_GUILD, ALL_TIME, 1, 9, clock())
    await losses(db, OTHER_GUILD, ALL_TIME, 2, 5, clock())

    here, _ = await board_page(db, GUILD, BoardKind.LOSERS, ALL_TIME, None)
    there, _ = await board_page(db, OTHER_GUILD, BoardKind.LOSERS, ALL_TIME, None)

    assert [(s.name, s.value, s.rank) for s in here] == [("Ann", 2, 1)]
    assert [(s.name, s.value) for s in there] == [("Ann elsewhere", 9), ("Bob", 5)]
    mine = await viewer_standing(db, GUILD, BoardKind.LOSERS, ALL_TIME, 1)
    assert mine.standing is not None
    assert (mine.standing.rank, mine.standing.value) == (1, 2)


async def test_members_known_to_have_left_are_not_listed_nor_counted_above_anyone(
    db: Database, clock: FakeClock
) -> None:
    for user_id in range(1, 26):
        gone = clock() if user_id in (1, 12, 13) else None
        await member(db, GUILD, user_id, f"member {user_id}", left_at=gone)
        await losses(db, GUILD, ALL_TIME, user_id, 100 - user_id, clock())

    pages = await walk(db, BoardKind.LOSERS)
    walked = [standing for page in pages for standing in page]

    assert {1, 12, 13}.isdisjoint(s.user_id for s in walked)
    assert [s.rank for s in walked] == list(range(1, 23))
    viewer = await viewer_standing(db, GUILD, BoardKind.LOSERS, ALL_TIME, 25)
    assert viewer.standing is not None
    assert viewer.standing.rank == 22


async def test_donors_rank_by_pledged_money_anonymous_ones_unnamed_and_cancelled_not_counted(
    db: Database, clock: FakeClock
) -> None:
    ceremony = await open_ceremony(db, GUILD, started_at=clock())
    pledges = PledgeService(db, clock, SettingsService(db, clock))
    interaction = iter(range(10_000, 20_000))

    async def pledge(user_id: int, name: str, amount: str, *, anonymous: bool = False) -> int:
        clock.advance(minutes=1)
        receipt = await pledges.add_pledge(
            guild_id=GUILD, user_id=user_id, display_name=name, amount=amount,
            interaction_id=next(interaction), anonymous=anonymous,
        )
        return receipt.pledge.id

    await pledge(1, "Ann", "50")
    await pledge(2, "Bob", "30", anonymous=True)
    await pledge(3, "Cat", "50")
    withdrawn = await pledge(4, "Dan", "500")
    await pledges.cancel(guild_id=GUILD, pledge_id=withdrawn, actor_id=4, actor_is_host=False)

    standings, _ = await board_page(db, GUILD, BoardKind.DONORS, ceremony, None)

    assert [(s.rank, s.name, s.value) for s in standings] == [(1, "Ann", 5000), (1, "Cat", 5000), (3, ANONYMOUS, 3000)]
    bob = await viewer_standing(db, GUILD, BoardKind.DONORS, ceremony, 2)
    assert bob.standing is None
    assert bob.reason is not None
    assert "anonymously" in bob.reason
    dan = await viewer_standing(db, GUILD, BoardKind.DONORS, ceremony, 4)
    assert dan.standing is None


async def test_pickers_need_three_decided_picks_and_rank_by_right_picks_then_accuracy(
    db: Database, clock: FakeClock
) -> None:
    start = clock()
    for user_id, name in ((1, "Ann"), (2, "Bob"), (3, "Cat"), (4, "Dan"), (5, "Eve")):
        await member(db, GUILD, user_id, name)
    await pick_record(db, GUILD, ALL_TIME, 1, 4, 6, start + timedelta(minutes=1))
    await pick_record(db, GUILD, ALL_TIME, 2, 4, 5, start + timedelta(minutes=3))  # same right, fewer misses
    await pick_record(db, GUILD, ALL_TIME, 3, 4, 6, start + timedelta(minutes=2))  # tied with Ann, later
    await pick_record(db, GUILD, ALL_TIME, 4, 2, 2, start)  # perfect, but too few decided
    await pick_record(db, GUILD, ALL_TIME, 5, 0, 3, start)

    standings, _ = await board_page(db, GUILD, BoardKind.PICKERS, ALL_TIME, None)

    assert [(s.rank, s.name, s.value, s.resolved) for s in standings] == [
        (1, "Bob", 4, 5), (2, "Ann", 4, 6), (2, "Cat", 4, 6), (4, "Eve", 0, 3),
    ]
    assert standings[0].accuracy_percent == 80
    dan = await viewer_standing(db, GUILD, BoardKind.PICKERS, ALL_TIME, 4)
    assert dan.standing is None
    assert dan.reason is not None
    assert str(MIN_RESOLVED_PICKS) in dan.reason
    page = await service(db, clock).page(GUILD, BoardKind.PICKERS, ALL, cursor=None, page_number=1, viewer_id=None)
    assert f"from {MIN_RESOLVED_PICKS} decided picks" in page_embed(page).to_dict()["footer"]["text"]


async def test_the_scope_defaults_to_the_current_ceremony_else_all_time(db: Database, clock: FakeClock) -> None:
    boards = service(db, clock)
    assert (await boards.scope(GUILD, None)).scope == ALL_TIME
    with refused(InvalidInput, "no_ceremony"):
        await boards.scope(GUILD, "ceremony")
    ceremony = await open_ceremony(db, GUILD, started_at=clock())
    chosen = await boards.scope(GUILD, None)
    assert (chosen.scope, chosen.label) == (ceremony, "66th Primetime Emmy Awards (2014)")
    assert (await boards.scope(GUILD, "all-time")).scope == ALL_TIME
    assert (await boards.scope(OTHER_GUILD, None)).scope == ALL_TIME


async def test_a_host_posts_the_boards_to_the_leaderboard_channel(db: Database, clock: FakeClock) -> None:
    boards = service(db, clock)
    with refused(InvalidInput, "boards_empty"):
        await boards.post_now(GUILD, actor_id=HOST)
    await member(db, GUILD, 1, "Ann")
    await losses(db, GUILD, ALL_TIME, 1, 2, clock())

    await boards.post_now(GUILD, actor_id=HOST)  # no leaderboard channel: the announcement channel
    await SettingsService(db, clock).update(GUILD, {"leaderboard_channel_id": 4242}, actor_id=HOST)
    await boards.post_now(GUILD, actor_id=HOST)

    posts = await announcements(db, GUILD, "leaderboard.post")
    assert [row["channel_id"] for row in posts] == [None, 4242]
    body = payload(posts[-1])
    assert [embed["title"].split(" — ")[0] for embed in body["embeds"]] == [
        "💔 Biggest losers", "💸 Top donors", "🔮 Best pickers",
    ]
    assert "Ann" in body["embeds"][0]["description"]
    assert body["allowed_mentions"] == {"parse": []}


class RecordingReader:
    """A Database that remembers every statement, to check each one's query plan."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements: list[tuple[str, Params]] = []

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self.statements.append((sql, params))
        return await self.db.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        self.statements.append((sql, params))
        return await self.db.fetch_one(sql, params)


@pytest.mark.parametrize("kind", list(BoardKind))
async def test_no_board_query_scans_a_table(db: Database, clock: FakeClock, kind: BoardKind) -> None:
    for user_id in range(1, 30):
        await member(db, GUILD, user_id, f"m{user_id}", left_at=clock() if user_id == 3 else None)
        await losses(db, GUILD, ALL_TIME, user_id, 1 + user_id % 4, clock())
        await pick_record(db, GUILD, ALL_TIME, user_id, user_id % 4, 4, clock())
        await run(
            db,
            "INSERT INTO pledge_member_totals (guild_id, scope, user_id, total_cents, anonymous_cents, "
            "pledge_count, reached_at) VALUES (?, 0, ?, ?, 0, 1, ?)",
            (GUILD, user_id, 100 * (user_id % 5 + 1), to_storage(clock())),
        )
    reader = RecordingReader(db)
    first, next_cursor = await board_page(reader, GUILD, kind, ALL_TIME, None)
    assert next_cursor is not None
    await board_page(reader, GUILD, kind, ALL_TIME, next_cursor)
    await viewer_standing(reader, GUILD, kind, ALL_TIME, 20)
    # Previous and Next from a button: keyset in both directions, the edge ranked again.
    second = await page_at(reader, GUILD, kind, ALL_TIME, PageRequest(2, Edge(next_cursor, first[-1].rank)))
    assert second.previous_cursor is not None
    await page_at(reader, GUILD, kind, ALL_TIME,
                  PageRequest(1, Edge(second.previous_cursor, second.standings[0].rank), Direction.BEFORE))

    assert len(reader.statements) >= 4
    for sql, params in reader.statements:
        plan = [row[3] for row in await db.fetch_all(f"EXPLAIN QUERY PLAN {sql}", params)]
        scans = [
            step for step in plan
            if step.startswith("SCAN") and "subquery" not in step and "CONSTANT ROW" not in step
        ]
        assert scans == [], (sql, plan)
        # Each index already gives the board's order: only the few rows merged from the keyset
        # branches are sorted (and the few members who left grouped).
        assert not any("RIGHT PART OF ORDER BY" in step for step in plan), (sql, plan)
        merged = any(step.startswith("MERGE") for step in plan)
        assert merged or not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), (sql, plan)
        assert re.search(r"(FROM|JOIN)\s+(pledges|losses|picks)\b", sql) is None, sql  # maintained totals only


async def histogram_truth(db: Database) -> list[tuple[Any, ...]]:
    rows = await db.fetch_all(
        "SELECT guild_id, scope, 'losers', losses, COUNT(*) FROM loss_totals WHERE losses > 0 GROUP BY 1, 2, 4 "
        "UNION ALL SELECT guild_id, scope, 'donors', total_cents, COUNT(*) FROM pledge_member_totals "
        "WHERE total_cents > 0 GROUP BY 1, 2, 4 "
        "UNION ALL SELECT guild_id, scope, 'pickers', correct * 1000000 - resolved, COUNT(*) FROM pick_stats "
        "WHERE resolved >= 3 GROUP BY 1, 2, 4 ORDER BY 1, 2, 3, 4"
    )
    return [tuple(row) for row in rows]


async def histogram(db: Database) -> list[tuple[Any, ...]]:
    rows = await db.fetch_all("SELECT * FROM board_scores ORDER BY guild_id, scope, board, score")
    return [tuple(row) for row in rows]


async def test_the_score_histogram_follows_every_change_to_the_totals(db: Database, clock: FakeClock) -> None:
    rng = random.Random(5)
    stamp = to_storage(clock())
    for _ in range(400):
        guild, scope, user = rng.choice((GUILD, OTHER_GUILD)), rng.choice((0, 1)), rng.randrange(12)
        table = rng.choice(("loss_totals", "pledge_member_totals", "pick_stats"))
        action = rng.random()
        if action < 0.4:
            if table == "loss_totals":
                sql = ("INSERT INTO loss_totals VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET losses = "
                       "excluded.losses")
                params: tuple[Any, ...] = (guild, scope, user, rng.randint(1, 4), stamp)
            elif table == "pledge_member_totals":
                sql = ("INSERT INTO pledge_member_totals VALUES (?, ?, ?, ?, 0, 1, ?) ON CONFLICT DO UPDATE SET "
                       "total_cents = total_cents + excluded.total_cents")
                params = (guild, scope, user, rng.choice((0, 500, 1000)), stamp)
            else:
                resolved = rng.randint(1, 5)
                sql = ("INSERT INTO pick_stats VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                       "correct = excluded.correct, resolved = excluded.resolved")
                params = (guild, scope, user, rng.randint(0, resolved), resolved, stamp)
        elif action < 0.7:
            column = {"loss_totals": "losses = losses + 1", "pledge_member_totals": "total_cents = total_cents - 500",
                      "pick_stats": "resolved = resolved + 1"}[table]
            sql = f"UPDATE {table} SET {column} WHERE guild_id = ? AND scope = ? AND user_id = ?"  # noqa: S608
            params = (guild, scope, user)
            if table == "pledge_member_totals":
                sql += " AND total_cents >= 500"
        else:
            sql = f"DELETE FROM {table} WHERE guild_id = ? AND scope = ? AND user_id = ?"  # noqa: S608
            params = (guild, scope, user)
        await run(db, sql, params)
    assert await histogram(db) == await histogram_truth(db)
    assert await db.fetch_value("SELECT COUNT(*) FROM board_scores WHERE members <= 0") == 0


@pytest.mark.parametrize("kind", list(BoardKind))
async def test_ranks_match_a_board_counted_by_hand_with_ties_and_departures(
    db: Database, clock: FakeClock, kind: BoardKind
) -> None:
    rng = random.Random(kind.value)
    start = clock()
    truth: list[tuple[tuple[int, int], str, int]] = []
    for user_id in range(1, 64):
        gone = start if rng.random() < 0.15 else None
        await member(db, GUILD, user_id, f"member {user_id}", left_at=gone)
        reached = start + timedelta(seconds=rng.randrange(600))
        if kind is BoardKind.LOSERS:
            count = rng.randint(1, 4)
            await losses(db, GUILD, ALL_TIME, user_id, count, reached)
            score = (count, 0)
        elif kind is BoardKind.DONORS:
            cents = rng.choice((500, 1000, 2500))
            await run(db, "INSERT INTO pledge_member_totals VALUES (?, 0, ?, ?, 0, 1, ?)",
                      (GUILD, user_id, cents, to_storage(reached)))
            score = (cents, 0)
        else:
            resolved = rng.randint(1, 6)
            correct = rng.randint(0, resolved)
            await pick_record(db, GUILD, ALL_TIME, user_id, correct, resolved, reached)
            if resolved < MIN_RESOLVED_PICKS:
                continue
            score = (correct, -resolved)
        if gone is None:
            truth.append((score, to_storage(reached), user_id))
    truth.sort(key=lambda entry: (-entry[0][0], -entry[0][1], entry[1], entry[2]))
    expected_ranks = competition_ranks([score for score, _, _ in truth])

    walked = [standing for page in await walk(db, kind) for standing in page]

    assert [s.user_id for s in walked] == [user_id for _, _, user_id in truth]
    assert [s.rank for s in walked] == expected_ranks
    for standing in walked[::7]:
        mine = await viewer_standing(db, GUILD, kind, ALL_TIME, standing.user_id)
        assert mine.standing is not None
        assert mine.standing.rank == standing.rank


async def test_a_boards_top_is_read_once_between_commits_and_the_next_pledge_shows_at_once(
    db: Database, clock: FakeClock
) -> None:
    ceremony = await open_ceremony(db, GUILD, started_at=clock())
    pledges = PledgeService(db, clock, SettingsService(db, clock))
    await pledges.add_pledge(guild_id=GUILD, user_id=1, display_name="Ann", amount="50", interaction_id=31)

    first, _ = await board_page(db, GUILD, BoardKind.DONORS, ceremony, None)
    reads = db.quick_reads + db.slow_reads
    again, _ = await board_page(db, GUILD, BoardKind.DONORS, ceremony, None)
    assert again == first
    assert db.quick_reads + db.slow_reads == reads  # the same top, from memory

    clock.advance(minutes=1)
    await pledges.add_pledge(guild_id=GUILD, user_id=2, display_name="Bob", amount="80", interaction_id=32)

    after, _ = await board_page(db, GUILD, BoardKind.DONORS, ceremony, None)
    assert [(s.rank, s.name, s.value) for s in after] == [(1, "Bob", 8000), (2, "Ann", 5000)]


async def test_every_viewer_of_a_boards_first_page_gets_the_page_rendered_once_until_the_next_pledge(
    db: Database, clock: FakeClock
) -> None:
    ceremony = await open_ceremony(db, GUILD, started_at=clock())
    scope = BoardScope(ceremony, "Emmys")
    boards = LeaderboardService(db, clock, SettingsService(db, clock))
    pledges = PledgeService(db, clock, SettingsService(db, clock))
    await pledges.add_pledge(guild_id=GUILD, user_id=1, display_name="Zoë 🏆", amount="50", interaction_id=41)

    ann = await boards.turn(GUILD, BoardKind.DONORS, scope, PageRequest(), viewer_id=1)
    stranger = await boards.turn(GUILD, BoardKind.DONORS, scope, PageRequest(), viewer_id=99)
    assert stranger.standings is ann.standings  # one first page between two commits
    assert ann.viewer is not None
    assert ann.viewer.standing is not None
    assert stranger.viewer is not None
    assert stranger.viewer.standing is None  # each viewer's own place
    assert page_embed(stranger).description == page_embed(ann).description == "**1.** Zoë 🏆 — $50.00"

    clock.advance(minutes=1)
    await pledges.add_pledge(guild_id=GUILD, user_id=2, display_name="Bob", amount="80", interaction_id=42)

    after = await boards.turn(GUILD, BoardKind.DONORS, scope, PageRequest(), viewer_id=99)
    assert after.standings is not ann.standings
    assert page_embed(after).description == "**1.** Bob — $80.00\n**2.** Zoë 🏆 — $50.00"
    assert page_embed(ann).description == "**1.** Zoë 🏆 — $50.00"  # a page shown before keeps its rows


@pytest.mark.parametrize("kind", list(BoardKind))
async def test_the_first_page_drawn_once_for_all_viewers_is_the_page_each_would_be_drawn(
    db: Database, clock: FakeClock, kind: BoardKind
) -> None:
    """`/leaderboard show` draws a board's first page once between commits and adds each viewer's
    place: for every viewer (on the page, below it, tied, never on the board, gone, anonymous) it
    is exactly the page :func:`page_at` gives them, rendered as :func:`page_embed` renders it."""
    rng = random.Random(f"first page {kind.value}")
    start = clock()
    for user_id in range(1, 40):
        await member(db, GUILD, user_id, f"member {user_id} ✨", left_at=start if rng.random() < 0.1 else None)
        reached = start + timedelta(seconds=rng.randrange(600))
        if kind is BoardKind.LOSERS:
            await losses(db, GUILD, ALL_TIME, user_id, rng.randint(1, 4), reached)
        elif kind is BoardKind.DONORS:
            cents = rng.choice((500, 1000, 2500))
            anonymous = cents if rng.random() < 0.2 else 0
            await run(db, "INSERT INTO pledge_member_totals VALUES (?, 0, ?, ?, ?, 1, ?)",
                      (GUILD, user_id, cents, anonymous, to_storage(reached)))
        else:
            resolved = rng.randint(1, 6)
            await pick_record(db, GUILD, ALL_TIME, user_id, rng.randint(0, resolved), resolved, reached)
    boards = service(db, clock)

    first = await boards.first(GUILD, kind, "all-time")
    assert await boards.first(GUILD, kind, "all-time") is first  # between two commits, one page for all
    for viewer_id in range(1, 45):
        viewer = await boards.viewer_on(first, viewer_id)
        drawn = await page_at(db, GUILD, kind, ALL_TIME, PageRequest(), viewer_id=viewer_id)
        assert viewer == drawn.viewer
        page = first.page(viewer)
        assert (page.standings, page.next_cursor, page.page_number) == (drawn.standings, drawn.next_cursor, 1)
        name = f"member {viewer_id} ✨"
        assert first_page_json(first, viewer, name) == page_embed(page, viewer_name=name).to_dict()
    reads = db.quick_reads + db.slow_reads
    for viewer_id in range(1, 45):  # scores are shared: each is counted once between commits
        await boards.viewer_on(first, viewer_id)
    assert db.quick_reads + db.slow_reads - reads == 44  # each viewer's own row, and nothing else

    await losses(db, GUILD, ALL_TIME, 99, 9, clock())
    await run(db, "INSERT INTO pledge_member_totals VALUES (?, 0, 99, 99900, 0, 1, ?)", (GUILD, to_storage(clock())))
    assert await boards.first(GUILD, kind, "all-time") is not first  # a commit: drawn again
    with pytest.raises(InvalidInput):
        await boards.first(GUILD, kind, "everything")
