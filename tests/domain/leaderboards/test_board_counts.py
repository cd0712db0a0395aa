"""``board_counts`` (migration 0011): how many listed members hold each score, at every level of
coarseness, kept by triggers. It must equal a recount after any change to the totals or to who has
left, and the ranks summed from it must equal a count by hand, at any depth and any key."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from collections.abc import Iterator

import pytest

from bot.db import Database, Transaction
from bot.domain.leaderboards.service import (
    BUCKET_LEVELS,
    BUCKET_SHIFT,
    SPECS,
    BoardKind,
    better_counts,
    rank_terms,
)
from bot.domain.members import mark_left, remember_member
from bot.domain.pledges import PledgeService
from bot.domain.privacy.service import forget_member
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.leaderboard_helpers import GUILD, open_ceremony

GUILDS = (111, 222)
CEREMONIES = {111: 7, 222: 8}
"""A scope is all time (0) or one of the server's own ceremonies (never deleted)."""
USERS = range(1, 10)
WHEN = "2014-08-25T20:00:00.000000+00:00"
Counts = Counter[tuple[int, int, str, int, int]]


@pytest.fixture
def sql(db: Database) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db.path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA synchronous=OFF")
    try:
        yield connection
    finally:
        connection.close()


def kept(sql: sqlite3.Connection) -> Counts:
    return Counter({(row["guild_id"], row["scope"], row["board"], row["level"], row["bucket"]): row["members"]
                    for row in sql.execute("SELECT * FROM board_counts")})


def recounted(sql: sqlite3.Connection) -> Counts:
    """Each board's rows under its condition, members known to have left left out, at every level."""
    counts: Counts = Counter()
    for kind, spec in SPECS.items():
        rows = sql.execute(
            f"SELECT t.guild_id, t.scope, {spec.key_sql} AS key FROM {spec.table} t WHERE {spec.condition} "  # noqa: S608
            "AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = t.guild_id AND m.user_id = t.user_id "
            "AND m.left_at IS NOT NULL)"
        ).fetchall()
        for row in rows:
            for level in range(BUCKET_LEVELS):
                counts[(row["guild_id"], row["scope"], kind.value, level, row["key"] >> (BUCKET_SHIFT * level))] += 1
    return counts


def a_key_change(sql: sqlite3.Connection, rng: random.Random) -> None:
    """Insert, update (score, or the row moved to another member) or delete a totals row, with scores
    far apart (so every level's buckets change) and on both sides of each board's condition."""
    guild = rng.choice(GUILDS)
    key = (guild, rng.choice((0, CEREMONIES[guild])), rng.choice(USERS))
    table = rng.choice(("loss_totals", "pledge_member_totals", "pick_stats"))
    action = rng.random()
    if action < 0.15:
        sql.execute(f"DELETE FROM {table} WHERE guild_id = ? AND scope = ? AND user_id = ?", key)  # noqa: S608
        return
    if action < 0.25:  # as forget-me moves a member's rows to a tombstone id
        sql.execute(f"UPDATE OR IGNORE {table} SET user_id = ? WHERE guild_id = ? AND scope = ? "  # noqa: S608
                    "AND user_id = ?", (-rng.choice(USERS), *key))
        return
    if table == "loss_totals":
        sql.execute("INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET losses = excluded.losses", (*key, rng.choice((1, 2, 63, 64, 5000)),
                                                                           WHEN))
    elif table == "pledge_member_totals":
        cents = rng.choice((0, 500, 4095, 4096, 250_000, 1 << 31, 10**11))
        sql.execute("INSERT INTO pledge_member_totals (guild_id, scope, user_id, total_cents, anonymous_cents, "
                    "pledge_count, reached_at) VALUES (?, ?, ?, ?, 0, 1, ?) "
                    "ON CONFLICT DO UPDATE SET total_cents = excluded.total_cents", (*key, cents, WHEN))
    else:
        resolved = rng.randrange(1, 200)
        correct = rng.choice((0, 0, 1, resolved // 2, resolved))
        sql.execute("INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET correct = excluded.correct, "
                    "resolved = excluded.resolved", (*key, correct, resolved, WHEN))


def a_member_change(sql: sqlite3.Connection, rng: random.Random) -> None:
    """A member leaves, comes back, is first seen already gone, or is deleted (forget-me)."""
    guild, user = rng.choice(GUILDS), rng.choice(USERS)
    action = rng.random()
    if action < 0.4:
        sql.execute("INSERT INTO members (guild_id, user_id, display_name, first_seen, left_at) "
                    "VALUES (?, ?, 'm', ?, ?) ON CONFLICT DO UPDATE SET left_at = excluded.left_at",
                    (guild, user, WHEN, WHEN))
    elif action < 0.8:
        sql.execute("INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, 'm', ?) "
                    "ON CONFLICT DO UPDATE SET left_at = NULL", (guild, user, WHEN))
    else:
        sql.execute("DELETE FROM members WHERE guild_id = ? AND user_id = ?", (guild, user))


@pytest.mark.parametrize("seed", range(6))
def test_the_counts_equal_a_recount_after_every_change(sql: sqlite3.Connection, seed: int) -> None:
    rng = random.Random(seed)
    for guild, ceremony in CEREMONIES.items():
        sql.execute("INSERT INTO ceremonies (id, guild_id, name, year, state, is_current, created_by, created_at) "
                    "VALUES (?, ?, 'Emmys', 2014, 'live', 1, 1, ?)", (ceremony, guild, WHEN))
    for step in range(150):
        (a_member_change if rng.random() < 0.3 else a_key_change)(sql, rng)
        assert kept(sql) == recounted(sql), f"seed {seed}, step {step}"
    assert sql.execute("SELECT COUNT(*) FROM board_counts WHERE members <= 0").fetchone()[0] == 0
    assert {board for _, _, board, _, _ in kept(sql)} == {kind.value for kind in BoardKind}


@pytest.mark.parametrize("key", [-(10**9), -70, -1, 0, 1, 31, 32, 63, 64, 4095, 4096, 262_143, 10**9 + 7, 2**40])
def test_the_rank_terms_count_every_better_key_once(key: int) -> None:
    rng = random.Random(key)
    others = [key + delta for delta in (-64, -63, -1, 0, 1, 2, 31, 32, 33, 63, 64, 65, 4096, 10**6, 2**33)]
    others += [rng.randrange(key - 2**35, key + 2**35) for _ in range(300)]
    terms = rank_terms(key)
    assert len(terms) <= BUCKET_LEVELS
    for level, _sign, first, last in terms:
        assert last is None or last - first < 2 ** (BUCKET_SHIFT - 1), (level, first, last)  # the shorter side
    for other in others:
        counted = sum(
            sign for level, sign, first, last in terms
            if first <= other >> (BUCKET_SHIFT * level) and (last is None or other >> (BUCKET_SHIFT * level) <= last)
        )
        assert counted == (1 if other > key else 0), (key, other, terms)


async def test_ranks_from_the_counts_equal_a_count_by_hand_at_any_key(db: Database, sql: sqlite3.Connection) -> None:
    rng = random.Random(3)
    totals = {user: rng.choice((500, 750, 4096, 250_000, 9_999_999, 10**10)) for user in range(1, 300)}
    sql.executemany("INSERT INTO pledge_member_totals (guild_id, scope, user_id, total_cents, anonymous_cents, "
                    "pledge_count, reached_at) VALUES (?, 0, ?, ?, 0, 1, ?)",
                    [(GUILD, user, cents, WHEN) for user, cents in totals.items()])
    gone = set(rng.sample(sorted(totals), 40))
    sql.executemany("INSERT INTO members (guild_id, user_id, display_name, first_seen, left_at) "
                    "VALUES (?, ?, 'm', ?, ?)", [(GUILD, user, WHEN, WHEN) for user in gone])
    listed = [cents for user, cents in totals.items() if user not in gone]
    keys = sorted({*listed, 0, 501, 5000, 10**10 + 1, *(rng.randrange(0, 10**10) for _ in range(50))})
    better = await better_counts(db, SPECS[BoardKind.DONORS], GUILD, 0, keys)
    assert better == {key: sum(cents > key for cents in listed) for key in keys}


async def test_the_counts_follow_pledges_their_undo_leaving_and_forget_me(
    db: Database, sql: sqlite3.Connection, clock: FakeClock
) -> None:
    await open_ceremony(db, GUILD, started_at=clock())
    pledges = PledgeService(db, clock, SettingsService(db, clock))
    interaction = iter(range(10_000, 20_000))
    made = []
    for user_id, amount in ((1, "25"), (2, "40.50"), (3, "1000"), (1, "5"), (4, "25")):
        clock.advance(minutes=1)
        receipt = await pledges.add_pledge(
            guild_id=GUILD, user_id=user_id, display_name=f"member {user_id}", amount=amount,
            interaction_id=next(interaction),
        )
        made.append(receipt.pledge.id)
        assert kept(sql) == recounted(sql)
    await pledges.cancel(guild_id=GUILD, pledge_id=made[1], actor_id=2, actor_is_host=False)
    assert kept(sql) == recounted(sql)

    async def leave(tx: Transaction) -> None:
        await mark_left(tx, GUILD, 3, clock())

    await db.write(leave)
    assert kept(sql) == recounted(sql)
    assert not any(board == "donors" and bucket == 1000_00 for _, _, board, level, bucket in kept(sql) if level == 0)

    async def back(tx: Transaction) -> None:
        await remember_member(tx, GUILD, 3, "member 3", clock())

    await db.write(back)
    assert kept(sql) == recounted(sql)

    async def forget(tx: Transaction) -> None:
        await forget_member(tx, GUILD, 1, clock())

    await db.write(forget)
    assert kept(sql) == recounted(sql)


@pytest.mark.parametrize("seed", range(4))
async def test_ranks_of_groups_in_one_statement_equal_a_count_by_hand(
    db: Database, sql: sqlite3.Connection, seed: int
) -> None:
    """A page's keys, its edge and a viewer far from it, counted together, as a page counts them."""
    rng = random.Random(seed)
    scores = [rng.choice((1, 2, 3, 64, 65, 100, 4095, 4096)) * rng.choice((1, 7, 250, 10**4)) for _ in range(400)]
    sql.executemany("INSERT INTO pledge_member_totals (guild_id, scope, user_id, total_cents, anonymous_cents, "
                    "pledge_count, reached_at) VALUES (?, 0, ?, ?, 0, 1, ?)",
                    [(GUILD, user, cents, WHEN) for user, cents in enumerate(scores, start=1)])
    board = sorted(scores, reverse=True)
    for _ in range(30):
        start = rng.randrange(len(board) - 11)
        page, edge = board[start + 1:start + 11], board[start]
        viewer = rng.choice([*board, 0, board[0] + 1])
        groups = [[*page, edge], [viewer]] if rng.random() < 0.8 else [page, [edge], [viewer]]
        better = await better_counts(db, SPECS[BoardKind.DONORS], GUILD, 0, *groups)
        asked = {*page, edge, viewer}
        assert better == {key: sum(score > key for score in board) for key in asked}, (seed, start, viewer)
