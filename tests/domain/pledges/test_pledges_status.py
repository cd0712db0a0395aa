"""A pledge moves pending → paid → verified, or is cancelled; nothing else, and only by the right people."""

from __future__ import annotations

import sqlite3

import pytest

from bot.db import Database, Transaction
from bot.domain.audit import log as audit
from bot.domain.errors import InvalidInput, NotAllowed, NotFound, WrongState
from bot.domain.pledges import PledgeService, charge_winner_tax
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import ALICE, BOB, GUILD, HOST, OTHER_GUILD, Members, open_ceremony
from tests.refusals import refused


@pytest.fixture
def service(db: Database, clock: FakeClock) -> PledgeService:
    return PledgeService(db, clock, SettingsService(db, clock))


@pytest.fixture
def members(service: PledgeService) -> Members:
    return Members(service)


async def new_pledge(members: Members, user_id: int = ALICE, amount: str = "40") -> int:
    return (await members.pledge(user_id, amount)).pledge.id


async def test_the_happy_path_moves_money_between_the_status_sums(
    clock: FakeClock, service: PledgeService, members: Members
) -> None:
    pledge_id = await new_pledge(members)
    clock.advance(minutes=5)
    paid = await service.mark_paid(guild_id=GUILD, pledge_id=pledge_id, actor_id=ALICE, actor_is_host=False)
    assert (paid.changed, paid.pledge.status, paid.pledge.updated_at) == (True, "paid", clock())
    totals = await service.scope_totals(GUILD, 0)
    assert (totals.pending_cents, totals.paid_cents, totals.verified_cents, totals.raised_cents) == (0, 40_00, 0, 40_00)

    verified = await service.verify(guild_id=GUILD, pledge_id=pledge_id, actor_id=HOST, actor_is_host=True)
    assert verified.pledge.status == "verified"
    totals = await service.scope_totals(GUILD, 0)
    assert (totals.pending_cents, totals.paid_cents, totals.verified_cents, totals.raised_cents) == (0, 0, 40_00, 40_00)


async def test_a_repeated_click_changes_nothing(service: PledgeService, members: Members) -> None:
    pledge_id = await new_pledge(members)
    await service.mark_paid(guild_id=GUILD, pledge_id=pledge_id, actor_id=ALICE, actor_is_host=False)
    again = await service.mark_paid(guild_id=GUILD, pledge_id=pledge_id, actor_id=ALICE, actor_is_host=False)
    assert (again.changed, again.pledge.status) == (False, "paid")
    await service.verify(guild_id=GUILD, pledge_id=pledge_id, actor_id=HOST, actor_is_host=True)
    assert not (await service.verify(guild_id=GUILD, pledge_id=pledge_id, actor_id=HOST, actor_is_host=True)).changed
    assert (await service.scope_totals(GUILD, 0)).verified_cents == 40_00


async def test_out_of_order_changes_are_refused(service: PledgeService, members: Members) -> None:
    pending = await new_pledge(members)
    with refused(WrongState, "status_order", pledge_id=pending, status="pending", target="verified"):
        await service.verify(guild_id=GUILD, pledge_id=pending, actor_id=HOST, actor_is_host=True)

    verified = await new_pledge(members)
    await service.mark_paid(guild_id=GUILD, pledge_id=verified, actor_id=ALICE, actor_is_host=False)
    await service.verify(guild_id=GUILD, pledge_id=verified, actor_id=HOST, actor_is_host=True)
    with refused(WrongState, "status_order", pledge_id=verified, status="verified", target="paid"):
        await service.mark_paid(guild_id=GUILD, pledge_id=verified, actor_id=ALICE, actor_is_host=False)
    with refused(WrongState, "status_order", status="verified", target="cancelled"):  # even by a host
        await service.cancel(guild_id=GUILD, pledge_id=verified, actor_id=HOST, actor_is_host=True, reason="oops")

    cancelled = await new_pledge(members)
    await service.cancel(guild_id=GUILD, pledge_id=cancelled, actor_id=ALICE, actor_is_host=False)
    with refused(WrongState, "status_order", pledge_id=cancelled, status="cancelled", target="paid"):
        await service.mark_paid(guild_id=GUILD, pledge_id=cancelled, actor_id=ALICE, actor_is_host=False)
    with refused(WrongState, "status_order", status="cancelled", target="verified"):
        await service.verify(guild_id=GUILD, pledge_id=cancelled, actor_id=HOST, actor_is_host=True)

    statuses = {pledge.id: pledge.status for pledge in (await service.mine(GUILD, ALICE)).pledges}
    assert statuses == {pending: "pending", verified: "verified", cancelled: "cancelled"}
    totals = await service.scope_totals(GUILD, 0)
    assert (totals.raised_cents, totals.pending_cents, totals.verified_cents, totals.pledge_count) == (
        80_00, 40_00, 40_00, 2,
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [("paid", "pending"), ("verified", "paid"), ("verified", "pending"), ("cancelled", "paid"),
     ("cancelled", "pending"), ("pending", "verified"), ("verified", "cancelled")],
)
async def test_the_database_itself_refuses_other_transitions(
    db: Database, service: PledgeService, members: Members, start: str, target: str
) -> None:
    pledge_id = await new_pledge(members)
    path = {"pending": [], "paid": ["paid"], "verified": ["paid", "verified"], "cancelled": ["cancelled"]}[start]
    for step in path:

        async def move(tx: Transaction, step: str = step) -> None:
            await tx.execute("UPDATE pledges SET status = ? WHERE id = ?", (step, pledge_id))

        await db.write(move)

    async def jump(tx: Transaction) -> None:
        await tx.execute("UPDATE pledges SET status = ? WHERE id = ?", (target, pledge_id))

    with pytest.raises(sqlite3.IntegrityError, match="pending -> paid -> verified"):
        await db.write(jump)
    assert (await service.get(GUILD, pledge_id)).status == start


async def test_amounts_and_owners_never_change(db: Database, members: Members) -> None:
    pledge_id = await new_pledge(members)

    async def tamper(tx: Transaction) -> None:
        await tx.execute("UPDATE pledges SET amount_cents = 1 WHERE id = ?", (pledge_id,))

    with pytest.raises(sqlite3.IntegrityError, match="never change"):
        await db.write(tamper)


async def test_a_member_cancels_only_their_own_pending_pledge(
    db: Database, service: PledgeService, members: Members
) -> None:
    alices = await new_pledge(members)
    with refused(NotAllowed, "not_your_pledge", pledge_id=alices):
        await service.cancel(guild_id=GUILD, pledge_id=alices, actor_id=BOB, actor_is_host=False)
    with refused(NotAllowed, "not_your_pledge", pledge_id=alices):
        await service.mark_paid(guild_id=GUILD, pledge_id=alices, actor_id=BOB, actor_is_host=False)
    with refused(NotAllowed, "hosts_only"):
        await service.verify(guild_id=GUILD, pledge_id=alices, actor_id=ALICE, actor_is_host=False)

    await service.mark_paid(guild_id=GUILD, pledge_id=alices, actor_id=ALICE, actor_is_host=False)
    with refused(WrongState, "paid_pledge_host_cancels", pledge_id=alices):
        await service.cancel(guild_id=GUILD, pledge_id=alices, actor_id=ALICE, actor_is_host=False)
    assert (await service.get(GUILD, alices)).status == "paid"

    own_pending = await new_pledge(members)
    change = await service.cancel(guild_id=GUILD, pledge_id=own_pending, actor_id=ALICE, actor_is_host=False)
    assert (change.changed, change.pledge.status, change.pledge.cancelled_by) == (True, "cancelled", ALICE)
    again = await service.cancel(guild_id=GUILD, pledge_id=own_pending, actor_id=ALICE, actor_is_host=False)
    assert not again.changed
    assert await audit.recent(db, GUILD, 10) == []


async def test_a_host_cancels_anyones_pending_or_paid_pledge_with_a_reason(
    db: Database, service: PledgeService, members: Members
) -> None:
    pending = await new_pledge(members, BOB, "10")
    paid = await new_pledge(members, BOB, "20")
    await service.mark_paid(guild_id=GUILD, pledge_id=paid, actor_id=BOB, actor_is_host=False)
    with refused(InvalidInput, "cancel_reason_required", pledge_id=pending):
        await service.cancel(guild_id=GUILD, pledge_id=pending, actor_id=HOST, actor_is_host=True)

    await service.cancel(guild_id=GUILD, pledge_id=pending, actor_id=HOST, actor_is_host=True, reason="typo")
    change = await service.cancel(
        guild_id=GUILD, pledge_id=paid, actor_id=HOST, actor_is_host=True, reason="the transfer bounced"
    )
    assert (change.pledge.status, change.pledge.cancel_reason, change.pledge.cancelled_by) == (
        "cancelled", "the transfer bounced", HOST,
    )
    entries = await audit.recent(db, GUILD, 10)
    assert [(entry.actor_id, entry.action) for entry in entries] == [(HOST, "pledge.cancelled")] * 2
    assert "the transfer bounced" in entries[0].detail
    totals = await service.scope_totals(GUILD, 0)
    assert (totals.raised_cents, totals.pledge_count, totals.pledger_count) == (0, 0, 0)


async def test_a_host_may_record_a_payment_handed_over_in_person(
    db: Database, service: PledgeService, members: Members
) -> None:
    pledge_id = await new_pledge(members, BOB)
    change = await service.mark_paid(guild_id=GUILD, pledge_id=pledge_id, actor_id=HOST, actor_is_host=True)
    assert change.pledge.status == "paid"
    assert [entry.action for entry in await audit.recent(db, GUILD, 10)] == ["pledge.paid"]


async def test_a_winners_tax_is_owed_so_only_a_host_cancels_it(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    ceremony = await open_ceremony(db, clock)

    async def charge(tx: Transaction) -> int | None:
        return await charge_winner_tax(
            tx, guild_id=GUILD, user_id=ALICE, display_name="Alice", ceremony_id=ceremony, category_id=1,
            result_id=1, amount_cents=1_000_00, now=clock(),
        )

    tax = await db.write(charge)
    assert tax is not None
    with refused(NotAllowed, "winner_tax_is_owed", pledge_id=tax):
        await service.cancel(guild_id=GUILD, pledge_id=tax, actor_id=ALICE, actor_is_host=False)
    await service.mark_paid(guild_id=GUILD, pledge_id=tax, actor_id=ALICE, actor_is_host=False)
    await service.cancel(guild_id=GUILD, pledge_id=tax, actor_id=HOST, actor_is_host=True, reason="waived")
    assert (await service.get(GUILD, tax)).status == "cancelled"


async def test_another_server_never_sees_or_touches_these_pledges(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    pledge_id = await new_pledge(members)
    elsewhere = Members(service, OTHER_GUILD)
    await elsewhere.pledge(BOB, "3")

    for attempt in (
        service.cancel(guild_id=OTHER_GUILD, pledge_id=pledge_id, actor_id=HOST, actor_is_host=True, reason="x"),
        service.mark_paid(guild_id=OTHER_GUILD, pledge_id=pledge_id, actor_id=ALICE, actor_is_host=True),
        service.verify(guild_id=OTHER_GUILD, pledge_id=pledge_id, actor_id=HOST, actor_is_host=True),
        service.get(OTHER_GUILD, pledge_id),
    ):
        with refused(NotFound, "no_such_pledge", pledge_id=pledge_id):
            await attempt
    assert (await service.get(GUILD, pledge_id)).status == "pending"
    assert (await service.progress(OTHER_GUILD)).all_time.raised_cents == 3_00
    assert (await service.progress(GUILD)).all_time.raised_cents == 40_00
    assert (await service.mine(OTHER_GUILD, ALICE)).pledges == []
    assert [standing.user_id for standing in await service.top_donors(OTHER_GUILD, 0, 0, 10)] == [BOB]
    assert await service.donor_rank(OTHER_GUILD, 0, ALICE) is None
    exported = await service.export(OTHER_GUILD, actor_id=HOST)
    assert exported.rows == 1
    assert await service.choices(OTHER_GUILD, statuses=("pending",), user_id=ALICE) == []
