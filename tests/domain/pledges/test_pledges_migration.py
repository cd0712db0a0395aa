"""Migration 0006 over a server that ran under the old rules: double-charged winner's taxes
are repaired (paid money is left alone) and the milestones already announced keep their goal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import from_storage, to_storage
from bot.db import Database, Transaction, apply_migrations, latest_version
from bot.db.migrations import load_migrations
from bot.domain.pledges import charge_winner_tax
from bot.domain.pledges.milestones import record_crossed
from tests.clock import FakeClock
from tests.domain.pledge_helpers import ALICE, BOB, GUILD, OTHER_GUILD, open_ceremony, pledge_service

BEFORE_0006 = 5
DRAMA, COMEDY = 55, 56
CAT, DAN = 1003, 1004


@pytest.fixture
async def old_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database as the bot left it before migration 0006."""
    database = await Database.open(tmp_path / "lounge.db")
    for migration in load_migrations()[:BEFORE_0006]:
        await database.connection.executescript(
            f"BEGIN IMMEDIATE;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
        )
    yield database
    await database.close()


async def old_tax(db: Database, clock: FakeClock, *, user_id: int, category_id: int, result_id: int,
                  status: str, ceremony_id: int) -> int:
    """A winner's tax written as the old code wrote it: one per member per result."""

    async def unit(tx: Transaction) -> int:
        return await tx.insert(
            "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, kind, status, "
            "category_id, result_id, created_at, updated_at) VALUES (?, ?, ?, ?, 100000, 'winner_tax', ?, ?, ?, ?, ?)",
            (GUILD, user_id, f"member {user_id}", ceremony_id, status, category_id, result_id,
             to_storage(clock()), to_storage(clock())),
        )

    clock.advance(minutes=1)
    return await db.write(unit)


async def statuses(db: Database) -> dict[int, str]:
    return {row["id"]: row["status"] for row in await db.fetch_all("SELECT id, status FROM pledges")}


async def test_a_second_charge_for_one_win_is_cancelled_and_paid_money_stays(
    old_db: Database, clock: FakeClock
) -> None:
    db = old_db
    ceremony = await open_ceremony(db, clock)
    tax = {
        # Alice paid, then the result was undone and logged again: charged twice (the bug).
        "alice paid": await old_tax(db, clock, user_id=ALICE, category_id=DRAMA, result_id=9, status="paid",
                                    ceremony_id=ceremony),
        "alice again": await old_tax(db, clock, user_id=ALICE, category_id=DRAMA, result_id=12, status="pending",
                                     ceremony_id=ceremony),
        # Bob's money arrived (verified) before the re-log charged him again.
        "bob verified": await old_tax(db, clock, user_id=BOB, category_id=DRAMA, result_id=9, status="verified",
                                      ceremony_id=ceremony),
        "bob again": await old_tax(db, clock, user_id=BOB, category_id=DRAMA, result_id=12, status="pending",
                                   ceremony_id=ceremony),
        # Cat paid both: that money really arrived twice, a host decides what it was for.
        "cat paid": await old_tax(db, clock, user_id=CAT, category_id=COMEDY, result_id=10, status="paid",
                                  ceremony_id=ceremony),
        "cat paid again": await old_tax(db, clock, user_id=CAT, category_id=COMEDY, result_id=13, status="paid",
                                        ceremony_id=ceremony),
        # Dan's first tax was cancelled with its result: the one he owes now is his only live one.
        "dan cancelled": await old_tax(db, clock, user_id=DAN, category_id=DRAMA, result_id=9, status="cancelled",
                                       ceremony_id=ceremony),
        "dan owes": await old_tax(db, clock, user_id=DAN, category_id=DRAMA, result_id=12, status="pending",
                                  ceremony_id=ceremony),
        # Alice's tax for another category is a tax of its own.
        "alice comedy": await old_tax(db, clock, user_id=ALICE, category_id=COMEDY, result_id=13, status="pending",
                                      ceremony_id=ceremony),
    }
    assert (await pledge_service(db, clock).scope_totals(GUILD, ceremony)).raised_cents == 8_000_00

    assert (await apply_migrations(db.connection))[:1] == ["0006_pledge_rules.sql"]  # and any later ones
    assert await db.fetch_value("PRAGMA user_version") == latest_version()

    now = await statuses(db)
    assert {name for name, pledge in tax.items() if now[pledge] == "cancelled"} == {
        "alice again", "bob again", "dan cancelled",
    }
    assert {now[tax[name]] for name in ("alice paid", "cat paid", "cat paid again")} == {"paid"}
    assert now[tax["bob verified"]] == "verified"
    assert now[tax["dan owes"]] == now[tax["alice comedy"]] == "pending"
    repaired = await db.fetch_one("SELECT cancel_reason, updated_at FROM pledges WHERE id = ?", (tax["alice again"],))
    assert repaired is not None
    assert repaired["cancel_reason"] == "charged twice for one win"
    assert from_storage(repaired["updated_at"]).tzinfo is not None

    # The maintained totals followed the repair: they equal a count straight from the pledges.
    service = pledge_service(db, clock)
    for scope in (0, ceremony):
        totals = await service.scope_totals(GUILD, scope)
        assert (totals.raised_cents, totals.pending_cents, totals.paid_cents, totals.verified_cents) == (
            6_000_00, 2_000_00, 3_000_00, 1_000_00,
        )
        assert (totals.pledge_count, totals.pledger_count) == (6, 4)
    alice = await service.donor_rank(GUILD, ceremony, ALICE)
    assert alice is not None
    assert alice.total_cents == 2_000_00
    board = await db.fetch_all(
        "SELECT score, members FROM board_scores WHERE guild_id = ? AND scope = 0 AND board = 'donors' "
        "ORDER BY score", (GUILD,)
    )
    assert [tuple(row) for row in board] == [(1_000_00, 2), (2_000_00, 2)]

    # From now on the live tax is reused: Alice's paid one covers the drama category.
    async def relog(tx: Transaction) -> int | None:
        return await charge_winner_tax(
            tx, guild_id=GUILD, user_id=ALICE, display_name="Alice", ceremony_id=ceremony, category_id=DRAMA,
            result_id=14, amount_cents=1_000_00, now=clock(),
        )

    assert await db.write(relog) == tax["alice paid"]


async def test_announced_milestones_keep_the_goal_they_were_announced_for(
    old_db: Database, clock: FakeClock
) -> None:
    db = old_db

    async def old_goal(tx: Transaction) -> None:  # the settings row as the bot of that schema wrote it
        await tx.execute("INSERT INTO guild_settings (guild_id, goal_cents, updated_at) VALUES (?, ?, ?)",
                         (GUILD, 500_00, to_storage(clock())))

    await db.write(old_goal)
    ceremony = await open_ceremony(db, clock)
    other = await open_ceremony(db, clock, guild_id=OTHER_GUILD)

    async def old_milestones(tx: Transaction) -> None:
        await tx.execute_many(
            "INSERT INTO pledge_milestones (guild_id, scope, percent, goal_cents, raised_cents, pledge_id, "
            "reached_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
            [
                *((GUILD, ceremony, percent, 100_00, percent * 100, to_storage(clock()))
                  for percent in (25, 50, 75, 100)),
                # A row without a usable goal (never written by the bot): the server's goal stands in…
                (GUILD, ceremony, 200, 0, 200_00, to_storage(clock())),
                # …or, for a server that never saved settings, the default goal.
                (OTHER_GUILD, other, 25, 0, 7_500_00, to_storage(clock())),
            ],
        )

    await db.write(old_milestones)
    await apply_migrations(db.connection)

    rows = await db.fetch_all(
        "SELECT guild_id, scope, goal_cents, percent, raised_cents FROM pledge_milestones "
        "ORDER BY guild_id, goal_cents, percent"
    )
    assert [tuple(row) for row in rows] == [
        (GUILD, ceremony, 100_00, 25, 25_00), (GUILD, ceremony, 100_00, 50, 50_00),
        (GUILD, ceremony, 100_00, 75, 75_00), (GUILD, ceremony, 100_00, 100, 100_00),
        (GUILD, ceremony, 500_00, 200, 200_00),
        (OTHER_GUILD, other, 30_000_00, 25, 7_500_00),
    ]

    # The $100 goal's milestones stay announced; the $500 goal's are its own.
    async def cross(goal_cents: int) -> int | None:
        async def unit(tx: Transaction) -> int | None:
            return await record_crossed(
                tx, guild_id=GUILD, scope=ceremony, before_cents=0, after_cents=150_00, goal_cents=goal_cents,
                pledge_id=2, now=clock(),
            )

        return await db.write(unit)

    assert await cross(100_00) is None
    assert await cross(500_00) == 25
    assert await cross(500_00) is None
