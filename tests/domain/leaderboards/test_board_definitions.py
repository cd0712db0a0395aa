"""A board is defined once in Python (`SPECS`: who is on it, their score) and kept by migration
0005's triggers as a histogram of scores (`board_scores`): the two must agree after any change."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator

import pytest

from bot.db import Database
from bot.domain.leaderboards.service import MIN_RESOLVED_PICKS, SPECS, BoardKind, rank_key

GUILDS = (111, 222)
SCOPES = (0, 7)
USERS = range(1, 9)
WHEN = "2014-08-25T20:00:00.000000+00:00"


@pytest.fixture
def sql(db: Database) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db.path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA synchronous=OFF")
    try:
        yield connection
    finally:
        connection.close()


def kept(sql: sqlite3.Connection) -> dict[tuple[int, int, str, int], int]:
    """The histogram as the triggers keep it."""
    return {(row["guild_id"], row["scope"], row["board"], row["score"]): row["members"]
            for row in sql.execute("SELECT * FROM board_scores")}


def defined(sql: sqlite3.Connection) -> dict[tuple[int, int, str, int], int]:
    """The histogram by the boards' definition: each board's rows under its condition, by rank key,
    the key worked out both by the SQL the boards rank with and in Python."""
    histogram: dict[tuple[int, int, str, int], int] = {}
    for kind, spec in SPECS.items():
        rows = sql.execute(
            f"SELECT t.*, {spec.key_sql} AS key FROM {spec.table} t WHERE {spec.condition}"  # noqa: S608
        ).fetchall()
        for row in rows:
            assert row["key"] == rank_key(spec, row), f"{kind}: {dict(row)}"
            key = (row["guild_id"], row["scope"], kind.value, row["key"])
            histogram[key] = histogram.get(key, 0) + 1
    return histogram


def change_losers(sql: sqlite3.Connection, rng: random.Random) -> None:
    key = (rng.choice(GUILDS), rng.choice(SCOPES), rng.choice(USERS))
    losses = rng.randrange(1, 5)
    sql.execute(
        "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (guild_id, scope, user_id) DO UPDATE SET losses = excluded.losses", (*key, losses, WHEN),
    ) if rng.random() < 0.7 else sql.execute(
        "DELETE FROM loss_totals WHERE guild_id = ? AND scope = ? AND user_id = ?", key
    )


def change_donors(sql: sqlite3.Connection, rng: random.Random) -> None:
    key = (rng.choice(GUILDS), rng.choice(SCOPES), rng.choice(USERS))
    total = rng.choice([0, 10_00, 25_00, 40_00])
    sql.execute(
        "INSERT INTO pledge_member_totals (guild_id, scope, user_id, total_cents, anonymous_cents, pledge_count, "
        "reached_at) VALUES (?, ?, ?, ?, 0, 1, ?) "
        "ON CONFLICT (guild_id, scope, user_id) DO UPDATE SET total_cents = excluded.total_cents",
        (*key, total, WHEN),
    ) if rng.random() < 0.7 else sql.execute(
        "DELETE FROM pledge_member_totals WHERE guild_id = ? AND scope = ? AND user_id = ?", key
    )


def change_pickers(sql: sqlite3.Connection, rng: random.Random) -> None:
    key = (rng.choice(GUILDS), rng.choice(SCOPES), rng.choice(USERS))
    resolved = rng.randrange(1, MIN_RESOLVED_PICKS + 3)  # on both sides of the minimum
    correct = rng.randrange(0, resolved + 1)
    sql.execute(
        "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (guild_id, scope, user_id) DO UPDATE SET correct = excluded.correct, "
        "resolved = excluded.resolved", (*key, correct, resolved, WHEN),
    ) if rng.random() < 0.7 else sql.execute(
        "DELETE FROM pick_stats WHERE guild_id = ? AND scope = ? AND user_id = ?", key
    )


@pytest.mark.parametrize("seed", range(8))
def test_the_kept_histogram_is_the_boards_definition_after_every_change(sql: sqlite3.Connection, seed: int) -> None:
    rng = random.Random(seed)
    changes = (change_losers, change_donors, change_pickers)
    for _ in range(80):
        rng.choice(changes)(sql, rng)
        assert kept(sql) == defined(sql), f"seed {seed}"
    assert {board for _, _, board, _ in kept(sql)} == {kind.value for kind in BoardKind}


def test_the_histogram_holds_exactly_the_boards_there_are(sql: sqlite3.Connection) -> None:
    for kind in BoardKind:
        sql.execute("INSERT INTO board_scores (guild_id, scope, board, score, members) VALUES (1, 0, ?, 1, 1)",
                    (kind.value,))
    with pytest.raises(sqlite3.IntegrityError):
        sql.execute("INSERT INTO board_scores (guild_id, scope, board, score, members) VALUES (1, 0, 'other', 1, 1)")
