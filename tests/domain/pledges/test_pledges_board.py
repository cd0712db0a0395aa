"""The donor board: biggest totals first, whoever got there first breaks a tie, anonymous givers stay anonymous."""

from __future__ import annotations

import random

import pytest

from bot.db import Database, Transaction
from bot.domain.pledges import ANONYMOUS, PledgeService, forget_member
from bot.domain.pledges.service import DONOR_RANK_SQL, TOP_DONORS_SQL
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import GUILD, Members, open_ceremony

ALICE, BOB, CAROL, DAN = 1, 2, 3, 4


@pytest.fixture
def service(db: Database, clock: FakeClock) -> PledgeService:
    return PledgeService(db, clock, SettingsService(db, clock))


async def board(service: PledgeService, scope: int = 0) -> list[tuple[int, str, int]]:
    return [(s.rank, s.shown_name, s.total_cents) for s in await service.top_donors(GUILD, scope, 0, 100)]


async def test_the_board_orders_by_total_then_by_who_got_there_first(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    members = Members(service)
    await members.pledge(ALICE, "100", name="Alice")
    clock.advance(minutes=1)
    await members.pledge(BOB, "60", name="Bob")
    clock.advance(minutes=1)
    await members.pledge(CAROL, "50", name="Carol")
    clock.advance(minutes=1)
    await members.pledge(BOB, "40", name="Bob")
    assert await board(service) == [(1, "Alice", 100_00), (2, "Bob", 100_00), (3, "Carol", 50_00)]

    page = await service.top_donors(GUILD, 0, offset=1, limit=1)
    assert [(standing.rank, standing.user_id) for standing in page] == [(2, BOB)]
    for rank, user_id in ((1, ALICE), (2, BOB), (3, CAROL)):
        standing = await service.donor_rank(GUILD, 0, user_id)
        assert standing is not None
        assert standing.rank == rank
    assert await service.donor_rank(GUILD, 0, DAN) is None


async def test_cancelling_leaves_the_board_and_coming_back_counts_from_then(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    members = Members(service)
    alices = await members.pledge(ALICE, "100", name="Alice")
    clock.advance(minutes=1)
    await members.pledge(BOB, "100", name="Bob")
    clock.advance(minutes=1)
    await service.cancel(guild_id=GUILD, pledge_id=alices.pledge.id, actor_id=ALICE, actor_is_host=False)
    assert await board(service) == [(1, "Bob", 100_00)]
    assert await service.donor_rank(GUILD, 0, ALICE) is None
    assert (await service.scope_totals(GUILD, 0)).pledger_count == 1

    clock.advance(minutes=1)
    await members.pledge(ALICE, "100", name="Alice")
    assert await board(service) == [(1, "Bob", 100_00), (2, "Alice", 100_00)]
    assert (await service.scope_totals(GUILD, 0)).pledger_count == 2


async def test_a_member_who_gives_anonymously_is_anonymous_on_the_board(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    members = Members(service)
    await members.pledge(DAN, "150", name="Dan")
    secret = await members.pledge(DAN, "50", name="Dan", anonymous=True)
    await members.pledge(ALICE, "100", name="Alice")
    assert await board(service) == [(1, ANONYMOUS, 200_00), (2, "Alice", 100_00)]
    dan = await service.donor_rank(GUILD, 0, DAN)
    assert dan is not None
    assert (dan.anonymous, dan.display_name, dan.shown_name) == (True, "Dan", ANONYMOUS)

    await service.cancel(guild_id=GUILD, pledge_id=secret.pledge.id, actor_id=DAN, actor_is_host=False)
    assert await board(service) == [(1, "Dan", 150_00), (2, "Alice", 100_00)]


async def test_each_ceremony_has_its_own_board_beside_the_all_time_one(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    members = Members(service)
    last_year = await open_ceremony(db, clock, name="Emmys 2013")
    await members.pledge(ALICE, "300", name="Alice")
    this_year = await open_ceremony(db, clock, name="Emmys 2014")
    await members.pledge(BOB, "20", name="Bob")
    assert await board(service, last_year) == [(1, "Alice", 300_00)]
    assert await board(service, this_year) == [(1, "Bob", 20_00)]
    assert await board(service) == [(1, "Alice", 300_00), (2, "Bob", 20_00)]


async def test_a_members_rank_agrees_with_the_board_on_a_crowded_night(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    members = Members(service)
    rng = random.Random(25)
    for _ in range(400):
        clock.advance(seconds=rng.choice([0, 1]))  # many pledges land in the same instant
        await members.pledge(rng.randrange(1000, 1150), rng.choice(["5", "10", "10", "20", "25.50"]))
    everyone = []
    for offset in range(0, 200, 40):
        everyone += await service.top_donors(GUILD, 0, offset, 40)
    assert [standing.rank for standing in everyone] == list(range(1, len(everyone) + 1))
    keys = [(-standing.total_cents, standing.reached_at, standing.user_id) for standing in everyone]
    assert keys == sorted(keys)
    for standing in everyone:
        assert await service.donor_rank(GUILD, 0, standing.user_id) == standing


async def test_the_board_and_a_rank_read_the_totals_index_not_the_pledges(db: Database) -> None:
    board_plan = await db.fetch_all(f"EXPLAIN QUERY PLAN {TOP_DONORS_SQL}", (GUILD, 0, 10, 0))
    details = " | ".join(row["detail"] for row in board_plan)
    assert "pledge_member_totals_board" in details
    assert "TEMP B-TREE" not in details
    assert "pledges " not in details
    rank_plan = await db.fetch_all(f"EXPLAIN QUERY PLAN {DONOR_RANK_SQL}", (GUILD, 0, ALICE))
    details = " | ".join(row["detail"] for row in rank_plan)
    assert "SCAN" not in details
    assert "pledge_member_totals_board (guild_id=? AND scope=? AND total_cents>?)" in details


async def test_a_forgotten_members_money_stays_in_the_totals_as_an_anonymous_entry(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    ceremony = await open_ceremony(db, clock)
    members = Members(service)
    await members.pledge(ALICE, "100", name="Alice", note="my secret")
    cancelled = await members.pledge(ALICE, "5", name="Alice")
    await service.cancel(guild_id=GUILD, pledge_id=cancelled.pledge.id, actor_id=ALICE, actor_is_host=False)
    await members.pledge(BOB, "50", name="Bob")
    before = await service.progress(GUILD)

    async def forget(tx: Transaction) -> int:
        return await forget_member(tx, guild_id=GUILD, user_id=ALICE, tombstone_user_id=-1, now=clock())

    assert await db.write(forget) == 2
    assert await service.progress(GUILD) == before
    for scope in (0, ceremony):
        assert await board(service, scope) == [(1, ANONYMOUS, 100_00), (2, "Bob", 50_00)]
        assert await service.donor_rank(GUILD, scope, ALICE) is None
    assert await db.fetch_value("SELECT COUNT(*) FROM pledge_member_totals WHERE user_id = ?", (ALICE,)) == 0
    leftovers = await db.fetch_value(
        "SELECT COUNT(*) FROM pledges WHERE user_id = ? OR cancelled_by = ? OR display_name = 'Alice' "
        "OR note IS NOT NULL", (ALICE, ALICE),
    )
    assert leftovers == 0
