"""Members pledge; the totals, milestones and announcements follow, exactly once each."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.db import Database
from bot.domain.errors import InvalidInput
from bot.domain.pledges import PledgeService
from bot.domain.pledges.model import PLEDGE_COLUMNS, pledge_from_row
from bot.domain.pledges.rules import ScopeTally, recount
from bot.domain.scopes import ALL_TIME
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import (
    ALICE,
    BOB,
    GUILD,
    HOST,
    Members,
    announcements,
    open_ceremony,
    text_of,
)
from tests.refusals import refused


@pytest.fixture
def service(db: Database, clock: FakeClock) -> PledgeService:
    return PledgeService(db, clock, SettingsService(db, clock))


@pytest.fixture
def members(service: PledgeService) -> Members:
    return Members(service)


async def configure(db: Database, clock: FakeClock, **changes: object) -> None:
    await SettingsService(db, clock).update(GUILD, dict(changes), actor_id=HOST)


async def reference_sums(db: Database, guild_id: int, ceremony_id: int | None) -> tuple[int, int, int]:
    """Raised, pledge count and pledgers counted the slow way, from the pledges themselves (the rule's `recount`)."""
    rows = await db.fetch_all(f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE guild_id = ?", (guild_id,))  # noqa: S608
    scope = ALL_TIME if ceremony_id is None else ceremony_id
    tally = recount(pledge_from_row(row) for row in rows).servers.get((guild_id, scope), ScopeTally(scope))
    return tally.raised_cents, tally.pledge_count, tally.pledger_count


async def test_a_pledge_counts_tonight_and_all_time(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    ceremony = await open_ceremony(db, clock)
    receipt = await members.pledge(ALICE, "$25.50", name="Alice", note="  for the orphans  ")
    pledge = receipt.pledge
    assert (pledge.amount_cents, pledge.status, pledge.kind) == (25_50, "pending", "pledge")
    assert pledge.ceremony_id == ceremony
    assert (pledge.display_name, pledge.note, pledge.anonymous) == ("Alice", "for the orphans", False)
    assert not receipt.duplicate
    assert (receipt.member_total_cents, receipt.member_ceremony_cents) == (25_50, 25_50)
    assert receipt.progress.ceremony is not None
    assert receipt.progress.ceremony.raised_cents == receipt.progress.all_time.raised_cents == 25_50

    await members.pledge(ALICE, "10", name="Alice")
    await members.pledge(BOB, "1,000")
    progress = await service.progress(GUILD)
    assert progress.ceremony_name == "Emmys 2014"
    assert progress.ceremony is not None
    assert (progress.ceremony.raised_cents, progress.ceremony.pledge_count, progress.ceremony.pledger_count) == (
        1_035_50, 3, 2,
    )
    assert progress.goal_cents == 30_000_00
    remembered = "SELECT display_name FROM members WHERE guild_id = ? AND user_id = ?"
    assert await db.fetch_value(remembered, (GUILD, ALICE)) == "Alice"


async def test_without_a_ceremony_pledges_count_all_time_only(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    receipt = await members.pledge(ALICE, "25")
    assert receipt.pledge.ceremony_id is None
    assert receipt.member_ceremony_cents is None
    assert receipt.progress.ceremony is None
    assert receipt.progress.all_time.raised_cents == 25_00

    ceremony = await open_ceremony(db, clock)
    await members.pledge(ALICE, "5")
    progress = await service.progress(GUILD)
    assert progress.ceremony_id == ceremony
    assert progress.ceremony is not None
    assert (progress.ceremony.raised_cents, progress.all_time.raised_cents) == (5_00, 30_00)
    assert await db.fetch_value("SELECT COUNT(*) FROM outbox") == 0


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1e3", "25.555", "NaN", "inf", "٢٥", "100,000.01"])
async def test_bad_amounts_are_refused_and_count_nothing(
    db: Database, service: PledgeService, members: Members, amount: str
) -> None:
    with pytest.raises(InvalidInput):
        await members.pledge(ALICE, amount)
    assert await db.fetch_value("SELECT COUNT(*) FROM pledges") == 0
    assert (await service.progress(GUILD)).all_time.raised_cents == 0


async def test_the_servers_own_maximum_applies(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    await configure(db, clock, max_pledge_cents=50_00, big_pledge_cents=0)
    with refused(InvalidInput, "amount_too_large", amount_cents=50_01, limit_cents=50_00):
        await members.pledge(ALICE, "50.01")
    assert (await members.pledge(ALICE, "50")).pledge.amount_cents == 50_00
    assert (await service.progress(GUILD)).all_time.pledge_count == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM members") == 1


async def test_notes_are_limited_to_200_characters(db: Database, members: Members) -> None:
    with refused(InvalidInput, "note_too_long", length=201, limit=200):
        await members.pledge(ALICE, "5", note="x" * 201)
    assert (await members.pledge(ALICE, "5", note="x" * 200)).pledge.note == "x" * 200
    assert (await members.pledge(ALICE, "5", note="   ")).pledge.note is None


async def test_two_hundred_concurrent_pledges_add_up_exactly(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    ceremony = await open_ceremony(db, clock)
    await configure(db, clock, max_pledge_cents=500_00, big_pledge_cents=0, goal_cents=10_000_00)
    rng = random.Random(2014)
    attempts = [(1000 + rng.randrange(60), f"{rng.randrange(1, 600)}.{rng.randrange(100):02d}") for _ in range(200)]
    commits_before = db.commits
    outcomes = await asyncio.gather(
        *(members.pledge(user, amount) for user, amount in attempts), return_exceptions=True
    )
    acknowledged = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert refused, "some amounts were above the $500 maximum"
    assert all(isinstance(error, InvalidInput) for error in refused)
    assert db.commits - commits_before < 50, "the burst was group-committed"

    expected = sum(receipt.pledge.amount_cents for receipt in acknowledged)
    pledgers = len({receipt.pledge.user_id for receipt in acknowledged})
    for scope in (0, ceremony):
        totals = await service.scope_totals(GUILD, scope)
        assert totals.raised_cents == totals.pending_cents == expected
        assert (totals.pledge_count, totals.pledger_count) == (len(acknowledged), pledgers)
    assert await reference_sums(db, GUILD, ceremony) == (expected, len(acknowledged), pledgers)
    member_sum = await db.fetch_value(
        "SELECT SUM(total_cents) FROM pledge_member_totals WHERE guild_id = ? AND scope = ?", (GUILD, ceremony)
    )
    assert member_sum == expected
    # Each receipt saw the totals as they stood right after its own pledge.
    final = max(receipt.progress.all_time.raised_cents for receipt in acknowledged)
    assert final == expected


async def test_a_replayed_interaction_is_counted_once(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    await open_ceremony(db, clock)
    await configure(db, clock, big_pledge_cents=100_00)
    first = await members.pledge(ALICE, "100", interaction_id=555)
    again = await members.pledge(ALICE, "100", interaction_id=555)
    burst = await asyncio.gather(*(members.pledge(BOB, "100", interaction_id=777) for _ in range(20)))

    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.pledge == first.pledge
    assert len({receipt.pledge.id for receipt in burst}) == 1
    assert [receipt.duplicate for receipt in burst].count(False) == 1
    assert (await service.progress(GUILD)).all_time.raised_cents == 200_00
    assert len(await announcements(db, kind="pledge.big")) == 2


async def test_each_milestone_is_announced_once_even_when_a_crowd_crosses_it(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    ceremony = await open_ceremony(db, clock)
    await configure(db, clock, goal_cents=100_00, big_pledge_cents=0)
    receipts = await asyncio.gather(*(members.pledge(1000 + n, "1") for n in range(100)))
    announced = [receipt.milestone_percent for receipt in receipts if receipt.milestone_percent]
    assert sorted(announced) == [25, 50, 75, 100]
    bodies = await announcements(db, kind="pledge.milestone")
    assert len(bodies) == 4
    assert "Goal reached" in text_of(bodies[-1])

    await asyncio.gather(*(members.pledge(2000 + n, "1.50") for n in range(100)))
    titles = [body["embeds"][0]["title"] for body in await announcements(db, kind="pledge.milestone")]
    assert len(titles) == 5
    assert "2× the goal" in titles[-1]

    # Falling back under a milestone and crossing it again announces nothing new.
    big = await members.pledge(ALICE, "60")
    await service.cancel(guild_id=GUILD, pledge_id=big.pledge.id, actor_id=ALICE, actor_is_host=False)
    await members.pledge(ALICE, "60")
    assert len(await announcements(db, kind="pledge.milestone")) == 6  # 300% once
    percents = await db.fetch_all("SELECT percent FROM pledge_milestones WHERE scope = ? ORDER BY percent", (ceremony,))
    assert [row["percent"] for row in percents] == [25, 50, 75, 100, 200, 300]


async def test_a_leap_over_several_milestones_is_one_announcement(
    db: Database, clock: FakeClock, members: Members
) -> None:
    await open_ceremony(db, clock)
    await configure(db, clock, goal_cents=100_00, big_pledge_cents=0)
    receipt = await members.pledge(ALICE, "260")
    assert receipt.milestone_percent == 200
    bodies = await announcements(db, kind="pledge.milestone")
    assert len(bodies) == 1
    assert "2× the goal" in text_of(bodies[0])
    await members.pledge(ALICE, "30")
    assert len(await announcements(db, kind="pledge.milestone")) == 1


async def test_a_raised_goal_has_milestones_of_its_own_each_announced_once(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    ceremony = await open_ceremony(db, clock)
    await configure(db, clock, goal_cents=100_00, big_pledge_cents=0)
    assert (await members.pledge(ALICE, "100")).milestone_percent == 100
    await configure(db, clock, goal_cents=1_000_00)  # the goal is met: a stretch goal
    # A crowd meets the new goal together: 25, 50, 75 and 100 percent of $1,000, once each.
    receipts = await asyncio.gather(*(members.pledge(1000 + n, "10") for n in range(90)))
    assert sorted(r.milestone_percent for r in receipts if r.milestone_percent) == [25, 50, 75, 100]
    titles = [body["embeds"][0]["title"] for body in await announcements(db, kind="pledge.milestone")]
    assert titles == ["🎉 Goal reached!", "🎯 25% of the goal!", "🎯 50% of the goal!", "🎯 75% of the goal!",
                      "🎉 Goal reached!"]
    assert "$1,000.00" in text_of((await announcements(db, kind="pledge.milestone"))[-1])
    recorded = await db.fetch_all(
        "SELECT goal_cents, percent FROM pledge_milestones WHERE scope = ? ORDER BY goal_cents, percent", (ceremony,)
    )
    assert [tuple(row) for row in recorded] == [
        (100_00, 25), (100_00, 50), (100_00, 75), (100_00, 100),
        (1_000_00, 25), (1_000_00, 50), (1_000_00, 75), (1_000_00, 100),
    ]

    # Back to the first goal: what it has seen stays seen; a further multiple of it is new, once.
    await configure(db, clock, goal_cents=100_00)
    big = await members.pledge(BOB, "100")  # $1,100: 11× the $100 goal
    assert big.milestone_percent == 1100
    await service.cancel(guild_id=GUILD, pledge_id=big.pledge.id, actor_id=BOB, actor_is_host=False)
    assert (await members.pledge(BOB, "100")).milestone_percent is None
    assert len(await announcements(db, kind="pledge.milestone")) == 6


async def test_milestones_start_afresh_for_each_ceremony(db: Database, clock: FakeClock, members: Members) -> None:
    await configure(db, clock, goal_cents=100_00, big_pledge_cents=0)
    await open_ceremony(db, clock, name="Emmys 2013")
    await members.pledge(ALICE, "30")
    await open_ceremony(db, clock, name="Emmys 2014")
    await members.pledge(ALICE, "30")
    titles = [body["embeds"][0]["title"] for body in await announcements(db, kind="pledge.milestone")]
    assert titles == ["🎯 25% of the goal!", "🎯 25% of the goal!"]


async def test_big_pledges_are_announced_escaped_and_anonymous_when_asked(
    db: Database, clock: FakeClock, members: Members
) -> None:
    await open_ceremony(db, clock)
    await configure(db, clock, big_pledge_cents=500_00, charity_name="World *Wide* Orphans")
    await members.pledge(ALICE, "499.99", name="Alice")
    assert await announcements(db, kind="pledge.big") == []

    hostile = "@everyone **Bob** <@&42>"
    receipt = await members.pledge(BOB, "500", name=hostile)
    assert receipt.announced_big
    await members.pledge(ALICE, "1,000", name="Alice Secret", anonymous=True)
    named, anonymous = await announcements(db, kind="pledge.big")
    assert named["allowed_mentions"] == {"parse": []}
    named_text = text_of(named)
    assert "$500.00" in named_text
    assert "@everyone" not in named_text
    assert "@\u200beveryone" in named_text
    assert "**Bob**" not in named_text
    assert r"\*\*Bob\*\*" in named_text
    assert "<@&42>" not in named_text
    assert r"World \*Wide\* Orphans" in named_text
    anonymous_text = text_of(anonymous)
    assert "Anonymous pledged **$1,000.00**" in anonymous_text
    assert "Alice" not in anonymous_text


async def test_big_pledge_announcements_can_be_switched_off(db: Database, clock: FakeClock, members: Members) -> None:
    await configure(db, clock, big_pledge_cents=0)
    receipt = await members.pledge(ALICE, "100,000")
    assert not receipt.announced_big
    assert await announcements(db) == []


async def test_a_members_list_shows_ids_and_status_newest_first(service: PledgeService, members: Members) -> None:
    first = await members.pledge(ALICE, "5")
    second = await members.pledge(ALICE, "7")
    await members.pledge(BOB, "9")
    await service.mark_paid(guild_id=GUILD, pledge_id=first.pledge.id, actor_id=ALICE, actor_is_host=False)
    await service.cancel(guild_id=GUILD, pledge_id=second.pledge.id, actor_id=ALICE, actor_is_host=False)
    mine = await service.mine(GUILD, ALICE)
    assert [(pledge.id, pledge.status) for pledge in mine.pledges] == [
        (second.pledge.id, "cancelled"), (first.pledge.id, "paid"),
    ]
    assert (mine.pledge_rows, mine.total_cents) == (2, 5_00)
    assert (await service.mine(GUILD, 9999)).pledges == []
