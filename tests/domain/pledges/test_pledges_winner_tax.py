"""A winner owes the charity: the results unit charges the tax, a correction takes it back."""

from __future__ import annotations

import sqlite3

import pytest

from bot.db import Database, Transaction
from bot.domain.errors import InvalidInput
from bot.domain.pledges import charge_winner_tax, reverse_winner_tax
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import (
    ALICE,
    BOB,
    GUILD,
    HOST,
    OTHER_GUILD,
    announcements,
    open_ceremony,
    pledge_service,
)

CATEGORY, OTHER_CATEGORY = 55, 56


async def charge(db: Database, clock: FakeClock, *, user_id: int, result_id: int, ceremony_id: int,
                 amount_cents: int = 1_000_00, guild_id: int = GUILD, category_id: int = CATEGORY) -> int | None:
    async def unit(tx: Transaction) -> int | None:
        return await charge_winner_tax(
            tx, guild_id=guild_id, user_id=user_id, display_name=f"member {user_id}", ceremony_id=ceremony_id,
            category_id=category_id, result_id=result_id, amount_cents=amount_cents, now=clock(),
        )

    return await db.write(unit)


async def reverse(db: Database, clock: FakeClock, result_id: int, guild_id: int = GUILD) -> int:
    async def unit(tx: Transaction) -> int:
        return await reverse_winner_tax(tx, guild_id=guild_id, result_id=result_id, now=clock())

    return await db.write(unit)


async def test_a_winner_owes_a_pending_tax_that_counts_in_both_scopes(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    service = pledge_service(db, clock)
    pledge_id = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    assert pledge_id is not None
    pledge = await service.get(GUILD, pledge_id)
    assert (pledge.kind, pledge.status, pledge.amount_cents) == ("winner_tax", "pending", 1_000_00)
    assert (pledge.ceremony_id, pledge.category_id, pledge.result_id) == (ceremony, CATEGORY, 9)
    progress = await service.progress(GUILD)
    assert progress.ceremony is not None
    assert progress.ceremony.raised_cents == progress.all_time.raised_cents == 1_000_00
    assert progress.ceremony.pending_cents == 1_000_00
    assert progress.ceremony.pledger_count == 1
    standing = await service.donor_rank(GUILD, ceremony, ALICE)
    assert standing is not None
    assert (standing.rank, standing.total_cents, standing.display_name) == (1, 1_000_00, f"member {ALICE}")


async def test_no_tax_when_the_server_charges_none(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    assert await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony, amount_cents=0) is None
    assert await db.fetch_value("SELECT COUNT(*) FROM pledges") == 0
    assert (await pledge_service(db, clock).progress(GUILD)).all_time.raised_cents == 0


async def test_charging_the_same_result_again_returns_the_first_pledge(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    first = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    again = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    assert first == again
    assert (await pledge_service(db, clock).progress(GUILD)).all_time.raised_cents == 1_000_00


async def test_the_tax_lives_and_dies_with_the_callers_unit(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)

    async def result_that_fails(tx: Transaction) -> None:
        await charge_winner_tax(
            tx, guild_id=GUILD, user_id=ALICE, display_name="Alice", ceremony_id=ceremony,
            category_id=CATEGORY, result_id=9, amount_cents=1_000_00, now=clock(),
        )
        raise InvalidInput("that category already has a result")

    with pytest.raises(InvalidInput):
        await db.write(result_that_fails)
    assert await db.fetch_value("SELECT COUNT(*) FROM pledges") == 0
    assert (await pledge_service(db, clock).progress(GUILD)).all_time.raised_cents == 0


async def test_a_corrected_result_cancels_only_its_pending_taxes(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    service = pledge_service(db, clock)
    alice_tax = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    bob_tax = await charge(db, clock, user_id=BOB, result_id=9, ceremony_id=ceremony)
    other_result = await charge(db, clock, user_id=ALICE, result_id=10, ceremony_id=ceremony, amount_cents=5_00,
                                category_id=OTHER_CATEGORY)
    assert alice_tax is not None
    assert bob_tax is not None
    assert other_result is not None
    await service.mark_paid(guild_id=GUILD, pledge_id=bob_tax, actor_id=BOB, actor_is_host=False)

    assert await reverse(db, clock, 9, guild_id=OTHER_GUILD) == 0
    assert await reverse(db, clock, 9) == 1
    assert await reverse(db, clock, 9) == 0

    assert (await service.get(GUILD, alice_tax)).status == "cancelled"
    assert (await service.get(GUILD, bob_tax)).status == "paid"
    assert (await service.get(GUILD, other_result)).status == "pending"
    totals = await service.scope_totals(GUILD, ceremony)
    assert (totals.raised_cents, totals.pending_cents, totals.paid_cents) == (1_005_00, 5_00, 1_000_00)
    assert totals.pledger_count == 2
    alice = await service.donor_rank(GUILD, ceremony, ALICE)
    assert alice is not None
    assert alice.total_cents == 5_00


async def test_an_unpaid_tax_cancelled_by_a_correction_is_charged_again_by_the_relog(
    db: Database, clock: FakeClock
) -> None:
    ceremony = await open_ceremony(db, clock)
    first = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    await reverse(db, clock, 9)
    second = await charge(db, clock, user_id=ALICE, result_id=12, ceremony_id=ceremony)
    assert second is not None
    assert second != first
    assert (await pledge_service(db, clock).progress(GUILD)).all_time.raised_cents == 1_000_00


async def test_a_paid_tax_kept_through_a_correction_covers_the_category_when_it_is_logged_again(
    db: Database, clock: FakeClock
) -> None:
    ceremony = await open_ceremony(db, clock)
    service = pledge_service(db, clock)
    paid = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    assert paid is not None
    await service.mark_paid(guild_id=GUILD, pledge_id=paid, actor_id=ALICE, actor_is_host=False)
    assert await reverse(db, clock, 9) == 0  # the money changed hands: the paid tax stays

    # The same category logged again (a new result id): Alice owes nothing more.
    assert await charge(db, clock, user_id=ALICE, result_id=12, ceremony_id=ceremony) == paid
    assert await db.fetch_value("SELECT COUNT(*) FROM pledges WHERE user_id = ?", (ALICE,)) == 1
    alice = await service.donor_rank(GUILD, ceremony, ALICE)
    assert alice is not None
    assert alice.total_cents == 1_000_00
    # Verified is no different; and an undo of the re-log leaves it as it is.
    await service.verify(guild_id=GUILD, pledge_id=paid, actor_id=HOST, actor_is_host=True)
    assert await reverse(db, clock, 12) == 0
    assert await charge(db, clock, user_id=ALICE, result_id=13, ceremony_id=ceremony) == paid
    totals = await service.scope_totals(GUILD, ceremony)
    assert (totals.raised_cents, totals.verified_cents, totals.pledge_count) == (1_000_00, 1_000_00, 1)


async def test_the_tax_is_owed_once_per_member_and_category(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    other = await open_ceremony(db, clock, guild_id=OTHER_GUILD)
    alice_drama = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    # Another category, another member, another server: each a tax of its own.
    alice_comedy = await charge(db, clock, user_id=ALICE, result_id=10, ceremony_id=ceremony,
                                category_id=OTHER_CATEGORY)
    bob_drama = await charge(db, clock, user_id=BOB, result_id=9, ceremony_id=ceremony)
    elsewhere = await charge(db, clock, user_id=ALICE, result_id=11, ceremony_id=other, guild_id=OTHER_GUILD)
    charged = [alice_drama, alice_comedy, bob_drama, elsewhere]
    assert None not in charged
    assert len(set(charged)) == 4
    # A second winner of the drama category claimed by Alice (a tie): the tax she owes already.
    assert await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony) == alice_drama
    assert (await pledge_service(db, clock).scope_totals(GUILD, ceremony)).raised_cents == 3_000_00

    # A host cancels the tax (the win was a mistake): a later win of the category charges afresh.
    assert alice_drama is not None
    await pledge_service(db, clock).cancel(guild_id=GUILD, pledge_id=alice_drama, actor_id=HOST,
                                          actor_is_host=True, reason="logged by mistake")
    again = await charge(db, clock, user_id=ALICE, result_id=14, ceremony_id=ceremony)
    assert again not in (None, alice_drama)


async def test_the_database_refuses_a_second_live_tax_for_a_category(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    first = await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    assert first is not None

    async def second_tax(tx: Transaction) -> None:
        await tx.execute(
            "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, kind, category_id, "
            "result_id, created_at, updated_at) VALUES (?, ?, 'Alice', ?, 100000, 'winner_tax', ?, 12, '', '')",
            (GUILD, ALICE, ceremony, CATEGORY),
        )

    with pytest.raises(sqlite3.IntegrityError, match="one winner's tax per category"):
        await db.write(second_tax)
    assert (await pledge_service(db, clock).progress(GUILD)).all_time.raised_cents == 1_000_00


async def test_the_tax_crosses_milestones_but_is_not_a_big_pledge(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    await SettingsService(db, clock).update(GUILD, {"goal_cents": 2_000_00, "big_pledge_cents": 500_00},
                                            actor_id=HOST)
    await charge(db, clock, user_id=ALICE, result_id=9, ceremony_id=ceremony)
    assert [body["kind"] for body in await announcements(db)] == ["pledge.milestone"]
    percents = await db.fetch_all("SELECT percent FROM pledge_milestones WHERE guild_id = ?", (GUILD,))
    assert [row["percent"] for row in percents] == [25, 50]
