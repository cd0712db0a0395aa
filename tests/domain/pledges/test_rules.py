"""The pledge rules are written once in Python (`bot.domain.pledges.rules`) and kept by the
database's triggers too: here the two are made to meet, statement by statement, and must agree."""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.db import Database, Transaction
from bot.domain.pledges import forget_member
from bot.domain.pledges.model import CANCELLED, PAID, PENDING, PLEDGE_COLUMNS, STATUSES, VERIFIED, pledge_from_row
from bot.domain.pledges.rules import LIVE_TAX_SQL, MOVES, MemberTally, Recount, ScopeTally, may_move, recount
from bot.domain.scopes import ALL_TIME
from tests.clock import FakeClock

GUILDS = (111, 222)
USERS = (1, 2, 3, 4, 5)
CEREMONIES = (None, 7, 8)
TAX_REFUSED = "one winner's tax per category"
STATUS_REFUSED = "pending -> paid -> verified"
WHEN = "2014-08-25T20:00:00.000000+00:00"


@pytest.fixture
def sql(db: Database) -> Iterator[sqlite3.Connection]:
    """A plain connection to the migrated database: every statement its own transaction, as the triggers see it."""
    connection = sqlite3.connect(db.path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA synchronous=OFF")
    try:
        yield connection
    finally:
        connection.close()


_interactions = itertools.count(1)


def insert(sql: sqlite3.Connection, *, guild_id: int = GUILDS[0], user_id: int = USERS[0], status: str = PENDING,
           amount_cents: int = 10_00, ceremony_id: int | None = 7, anonymous: bool = False, kind: str = "pledge",
           category_id: int | None = None, result_id: int | None = None) -> int:
    cursor = sql.execute(
        "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, kind, status, anonymous, "
        "interaction_id, category_id, result_id, created_at, updated_at) "
        "VALUES (?, ?, 'x', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (guild_id, user_id, ceremony_id, amount_cents, kind, status, int(anonymous),
         None if kind == "winner_tax" else next(_interactions), category_id, result_id, WHEN, WHEN),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def tax(sql: sqlite3.Connection, *, user_id: int = USERS[0], category_id: int = 55, result_id: int = 9,
        status: str = PENDING) -> int:
    return insert(sql, user_id=user_id, kind="winner_tax", category_id=category_id, result_id=result_id,
                  status=status, amount_cents=1_000_00)


def set_status(sql: sqlite3.Connection, pledge_id: int, status: str) -> None:
    sql.execute("UPDATE pledges SET status = ?, updated_at = ? WHERE id = ?", (status, WHEN, pledge_id))


def status_of(sql: sqlite3.Connection, pledge_id: int) -> str:
    return str(sql.execute("SELECT status FROM pledges WHERE id = ?", (pledge_id,)).fetchone()[0])


# ---- status order ------------------------------------------------------------------------------


def test_every_status_has_its_moves() -> None:
    assert set(MOVES) == set(STATUSES)
    assert all(target in STATUSES and target != status for status, targets in MOVES.items() for target in targets)


@pytest.mark.parametrize(("start", "target"), [(a, b) for a in STATUSES for b in STATUSES if a != b])
def test_the_database_allows_exactly_the_moves_may_move_allows(
    sql: sqlite3.Connection, start: str, target: str
) -> None:
    pledge_id = insert(sql, status=start)
    if may_move(start, target):
        set_status(sql, pledge_id, target)
        assert status_of(sql, pledge_id) == target
    else:
        with pytest.raises(sqlite3.IntegrityError, match=STATUS_REFUSED):
            set_status(sql, pledge_id, target)
        assert status_of(sql, pledge_id) == start


# ---- how a pledge counts -----------------------------------------------------------------------


def stored(sql: sqlite3.Connection) -> Recount:
    """The maintained totals as the triggers left them, all-zero rows left out (they mean nothing counted)."""
    found = Recount()
    for row in sql.execute("SELECT * FROM pledge_totals"):
        tally = ScopeTally(row["scope"], row["raised_cents"], row["pending_cents"], row["paid_cents"],
                           row["verified_cents"], row["pledge_count"], row["pledger_count"])
        if tally != ScopeTally(row["scope"]):
            found.servers[(row["guild_id"], row["scope"])] = tally
    for row in sql.execute("SELECT * FROM pledge_member_totals"):
        member = MemberTally(row["total_cents"], row["anonymous_cents"], row["pledge_count"])
        if member != MemberTally():
            found.members[(row["guild_id"], row["scope"], row["user_id"])] = member
    return found


def recounted(sql: sqlite3.Connection) -> Recount:
    rows = sql.execute(f"SELECT {PLEDGE_COLUMNS} FROM pledges").fetchall()  # noqa: S608
    return recount(pledge_from_row(row) for row in rows)


@dataclass
class Counted:
    guild_id: int
    user_id: int
    ceremony_id: int | None
    amount_cents: int
    status: str
    anonymous: bool


def test_recount_counts_each_status_in_its_own_sum_and_every_scope() -> None:
    counted = recount([
        Counted(1, 10, 7, 10_00, PENDING, False), Counted(1, 10, 7, 20_00, PAID, True),
        Counted(1, 11, None, 40_00, VERIFIED, False), Counted(1, 12, 7, 80_00, CANCELLED, False),
    ])
    assert counted.servers == {
        (1, ALL_TIME): ScopeTally(ALL_TIME, 70_00, 10_00, 20_00, 40_00, pledge_count=3, pledger_count=2),
        (1, 7): ScopeTally(7, 30_00, 10_00, 20_00, 0, pledge_count=2, pledger_count=1),
    }
    assert counted.members == {
        (1, ALL_TIME, 10): MemberTally(30_00, 20_00, 2), (1, 7, 10): MemberTally(30_00, 20_00, 2),
        (1, ALL_TIME, 11): MemberTally(40_00, 0, 1),
    }


@pytest.mark.parametrize("seed", range(12))
def test_the_triggers_keep_exactly_the_totals_recount_adds_up_to(sql: sqlite3.Connection, seed: int) -> None:
    """Inserts in any status, every allowed status move, owners handed over (a forgotten member's
    tombstone too), deletions: after each statement the maintained totals are the recount."""
    rng = random.Random(seed)
    pledges: list[int] = []
    for _ in range(60):
        action = rng.random()
        if action < 0.4 or not pledges:
            pledges.append(insert(
                sql, guild_id=rng.choice(GUILDS), user_id=rng.choice(USERS), ceremony_id=rng.choice(CEREMONIES),
                status=rng.choice(STATUSES), amount_cents=rng.randrange(1, 500) * 100 + rng.choice([0, 50]),
                anonymous=rng.random() < 0.3,
            ))
        elif action < 0.75:
            pledge_id = rng.choice(pledges)
            targets = sorted(MOVES[status_of(sql, pledge_id)])
            if targets:
                set_status(sql, pledge_id, rng.choice(targets))
        elif action < 0.9:
            owner = rng.choice([*USERS, -rng.randrange(1, 4)])
            sql.execute("UPDATE pledges SET user_id = ?, updated_at = ? WHERE id = ?", (owner, WHEN,
                                                                                      rng.choice(pledges)))
        else:
            sql.execute("DELETE FROM pledges WHERE id = ?", (pledges.pop(rng.randrange(len(pledges))),))
        assert stored(sql) == recounted(sql), f"seed {seed}"


# ---- one live winner's tax ---------------------------------------------------------------------


def live_tax(sql: sqlite3.Connection, user_id: int, category_id: int, guild_id: int = GUILDS[0]) -> int | None:
    row = sql.execute(LIVE_TAX_SQL, (guild_id, category_id, user_id)).fetchone()
    return None if row is None else int(row["id"])


@pytest.mark.parametrize("seed", range(6))
def test_the_database_refuses_a_second_live_tax_exactly_when_the_lookup_finds_one(
    sql: sqlite3.Connection, seed: int
) -> None:
    rng = random.Random(seed)
    taxes: list[int] = []
    for result_id in range(1, 40):
        user_id, category_id = rng.choice(USERS[:2]), rng.choice((55, 56))
        owed = live_tax(sql, user_id, category_id)
        if owed is None:
            taxes.append(tax(sql, user_id=user_id, category_id=category_id, result_id=result_id))
            assert live_tax(sql, user_id, category_id) == taxes[-1]
        else:
            with pytest.raises(sqlite3.IntegrityError, match=TAX_REFUSED):
                tax(sql, user_id=user_id, category_id=category_id, result_id=result_id)
        if taxes and rng.random() < 0.4:  # an undo cancels an unpaid tax; a payment moves one on
            chosen = rng.choice(taxes)
            targets = sorted(MOVES[status_of(sql, chosen)])
            if targets:
                set_status(sql, chosen, rng.choice(targets))


def test_no_update_makes_a_second_live_tax(sql: sqlite3.Connection) -> None:
    """The guard covers every statement that could break the rule: moving a live tax to another
    category or member, and making a cancelled one live again."""
    owed = tax(sql, user_id=1, category_id=55, result_id=9)
    other_category = tax(sql, user_id=1, category_id=56, result_id=10)
    other_member = tax(sql, user_id=2, category_id=55, result_id=9)
    with pytest.raises(sqlite3.IntegrityError, match=TAX_REFUSED):
        sql.execute("UPDATE pledges SET category_id = 55 WHERE id = ?", (other_category,))
    with pytest.raises(sqlite3.IntegrityError, match=TAX_REFUSED):
        sql.execute("UPDATE pledges SET user_id = 1 WHERE id = ?", (other_member,))

    set_status(sql, owed, CANCELLED)
    again = tax(sql, user_id=1, category_id=55, result_id=12)  # the re-log charges afresh
    # The status order refuses an un-cancel today; the tax rule holds without it all the same.
    sql.execute("DROP TRIGGER pledges_status_order")
    with pytest.raises(sqlite3.IntegrityError, match=TAX_REFUSED):
        set_status(sql, owed, PENDING)
    assert [live_tax(sql, 1, 55), live_tax(sql, 1, 56), live_tax(sql, 2, 55)] == [again, other_category, other_member]


async def test_a_paid_duplicate_from_before_the_rule_may_still_be_verified_and_forgotten(
    db: Database, sql: sqlite3.Connection, clock: FakeClock
) -> None:
    """0006 left a member who had paid twice for one win as they were: the guard on updates must not
    lock that money in place."""
    sql.execute("DROP TRIGGER pledges_one_tax_per_category")  # as the old rules let it happen
    first, second = (tax(sql, user_id=1, category_id=55, result_id=result, status=PAID) for result in (9, 12))
    set_status(sql, second, VERIFIED)

    async def forget(tx: Transaction) -> int:
        return await forget_member(tx, guild_id=GUILDS[0], user_id=1, tombstone_user_id=-1, now=clock())

    assert await db.write(forget) == 2
    assert [status_of(sql, first), status_of(sql, second)] == [PAID, VERIFIED]
    assert stored(sql) == recounted(sql)
