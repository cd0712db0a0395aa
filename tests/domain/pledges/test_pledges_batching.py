"""Pledges arriving together are written together: one unit, each answered as if it had been written alone."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database, Transaction, apply_migrations
from bot.domain.errors import Conflict, InvalidInput, LoungeError, StorageUnavailable
from bot.domain.pledges import PledgeReceipt, PledgeService, recording
from bot.domain.pledges.batching import PledgeBatcher
from bot.domain.pledges.recording import NewPledge, record_pledge, record_pledges
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import (
    ALICE,
    BOB,
    GUILD,
    HOST,
    OTHER_GUILD,
    Members,
    announcements,
    open_ceremony,
    text_of,
)

CAROL, DAVE, ERIN = 1003, 1004, 1005


@pytest.fixture
def service(db: Database, clock: FakeClock) -> PledgeService:
    return PledgeService(db, clock, SettingsService(db, clock))


@pytest.fixture
def members(service: PledgeService) -> Members:
    return Members(service)


async def configure(db: Database, clock: FakeClock, guild_id: int = GUILD, **changes: object) -> None:
    await SettingsService(db, clock).update(guild_id, dict(changes), actor_id=HOST)


def pledge(user_id: int, cents: int, interaction_id: int | None, guild_id: int = GUILD, **more: Any) -> NewPledge:
    return NewPledge(guild_id=guild_id, user_id=user_id, display_name=f"member {user_id}", amount_cents=cents,
                     interaction_id=interaction_id, **more)


async def in_one_unit(db: Database, clock: FakeClock, batch: list[NewPledge]) -> list[PledgeReceipt | LoungeError]:
    async def unit(tx: Transaction) -> list[PledgeReceipt | LoungeError]:
        return await record_pledges(tx, batch, clock())

    return await db.write(unit)


def receipts(outcomes: list[PledgeReceipt | LoungeError]) -> list[PledgeReceipt]:
    assert all(isinstance(outcome, PledgeReceipt) for outcome in outcomes), outcomes
    return [outcome for outcome in outcomes if isinstance(outcome, PledgeReceipt)]


async def test_a_pledge_repeated_inside_its_batch_counts_once(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    (older,) = receipts(await in_one_unit(db, clock, [pledge(CAROL, 5_00, interaction_id=10)]))

    first, bob, again, replayed = receipts(await in_one_unit(db, clock, [
        pledge(ALICE, 10_00, interaction_id=11),
        pledge(BOB, 20_00, interaction_id=12),
        pledge(ALICE, 10_00, interaction_id=11),  # Discord delivered Alice's click twice
        pledge(CAROL, 5_00, interaction_id=10),  # and Carol's, already recorded, once more
    ]))

    assert [r.duplicate for r in (first, bob, again, replayed)] == [False, False, True, True]
    assert again.pledge == first.pledge
    assert replayed.pledge == older.pledge
    assert again.member_total_cents == 10_00
    assert again.progress.ceremony is not None
    assert again.progress.ceremony.raised_cents == 35_00  # as it stood where the repeat came
    assert await db.fetch_value("SELECT COUNT(*) FROM pledges") == 3
    for scope in (0, ceremony):
        row = await db.fetch_one(
            "SELECT raised_cents, pledge_count, pledger_count FROM pledge_totals WHERE guild_id = ? AND scope = ?",
            (GUILD, scope),
        )
        assert row is not None
        assert tuple(row) == (35_00, 3, 3)


async def test_a_pledge_above_the_maximum_fails_alone_in_its_batch(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    await configure(db, clock, max_pledge_cents=50_00, big_pledge_cents=0)
    commits = db.commits
    alice, too_much, carol = await asyncio.gather(
        members.pledge(ALICE, "25", interaction_id=21),
        members.pledge(BOB, "50.01", interaction_id=22),
        members.pledge(CAROL, "50", interaction_id=23),
        return_exceptions=True,
    )
    assert db.commits - commits == 1, "the three were written in one unit and one commit"
    assert isinstance(too_much, InvalidInput)
    assert str(too_much) == "A pledge $50.01 is above the maximum of $50.00."
    assert isinstance(alice, PledgeReceipt)
    assert isinstance(carol, PledgeReceipt)
    assert (alice.pledge.amount_cents, carol.pledge.amount_cents) == (25_00, 50_00)
    assert carol.progress.all_time.raised_cents == 75_00
    assert await db.fetch_value("SELECT COUNT(*) FROM members WHERE user_id = ?", (BOB,)) == 0

    # Nothing of Bob's pledge was kept: the same interaction with an amount that fits counts.
    retried = await members.pledge(BOB, "50", interaction_id=22)
    assert not retried.duplicate
    assert (await service.progress(GUILD)).all_time.raised_cents == 125_00


async def test_a_repeat_of_another_servers_interaction_clashes_alone(db: Database, clock: FakeClock) -> None:
    outcomes = await in_one_unit(db, clock, [
        pledge(ALICE, 10_00, interaction_id=31),
        pledge(BOB, 20_00, interaction_id=31, guild_id=OTHER_GUILD),
        pledge(CAROL, 30_00, interaction_id=32),
    ])
    alice, clash, carol = outcomes
    assert isinstance(clash, Conflict)
    assert isinstance(alice, PledgeReceipt)
    assert isinstance(carol, PledgeReceipt)
    assert carol.progress.all_time.raised_cents == 40_00
    assert await db.fetch_value("SELECT COUNT(*) FROM pledges WHERE guild_id = ?", (OTHER_GUILD,)) == 0


async def test_a_milestone_crossed_mid_batch_is_announced_once_by_the_pledge_that_crossed_it(
    db: Database, clock: FakeClock, service: PledgeService, members: Members
) -> None:
    ceremony = await open_ceremony(db, clock)
    await configure(db, clock, goal_cents=100_00, big_pledge_cents=0)
    batch = [
        pledge(ALICE, 20_00, 41),
        pledge(BOB, 10_00, 42),  # $30: 25%
        pledge(CAROL, 30_00, 43),  # $60: 50%
        pledge(ALICE, 5_00, 44),
        pledge(DAVE, 40_00, 45),  # $105: 75% and 100% at once, announced as the goal reached
        pledge(ERIN, 1_00, 46),
    ]
    written = receipts(await in_one_unit(db, clock, batch))

    assert [r.milestone_percent for r in written] == [None, 25, 50, None, 100, None]
    raised = [r.progress.ceremony.raised_cents for r in written if r.progress.ceremony is not None]
    assert raised == [20_00, 30_00, 60_00, 65_00, 105_00, 106_00]
    assert [r.progress.all_time.pledger_count for r in written] == [1, 2, 3, 3, 4, 5]
    assert [r.member_total_cents for r in written] == [20_00, 10_00, 30_00, 25_00, 40_00, 1_00]
    recorded = await db.fetch_all(
        "SELECT percent, pledge_id, raised_cents FROM pledge_milestones WHERE scope = ? ORDER BY percent", (ceremony,)
    )
    ids = [r.pledge.id for r in written]
    assert [tuple(row) for row in recorded] == [
        (25, ids[1], 30_00), (50, ids[2], 60_00), (75, ids[4], 105_00), (100, ids[4], 105_00),
    ]
    bodies = await announcements(db, kind="pledge.milestone")
    assert [body["embeds"][0]["title"] for body in bodies] == [
        "🎯 25% of the goal!", "🎯 50% of the goal!", "🎉 Goal reached!",
    ]
    assert ["$30.00" in text_of(bodies[0]), "$60.00" in text_of(bodies[1]), "$105.00" in text_of(bodies[2])] == [
        True, True, True,
    ]

    # A crowd after it crosses nothing new; falling back under the goal and crossing it again neither.
    await asyncio.gather(*(members.pledge(2000 + n, "1") for n in range(20)))
    cancelled = written[4].pledge.id
    await service.cancel(guild_id=GUILD, pledge_id=cancelled, actor_id=DAVE, actor_is_host=False)
    crowd = await asyncio.gather(*(members.pledge(3000 + n, "10") for n in range(5)))
    assert [r.milestone_percent for r in crowd] == [None] * 5
    assert len(await announcements(db, kind="pledge.milestone")) == 3


async def test_big_pledges_in_a_batch_are_each_announced_with_the_total_as_it_stood(
    db: Database, clock: FakeClock
) -> None:
    await open_ceremony(db, clock)
    await configure(db, clock, goal_cents=1_000_00, big_pledge_cents=100_00)
    written = receipts(await in_one_unit(db, clock, [
        pledge(ALICE, 100_00, 51, anonymous=True),
        pledge(BOB, 99_99, 52),
        pledge(CAROL, 150_00, 53),
    ]))
    assert [r.announced_big for r in written] == [True, False, True]
    first, second = await announcements(db, kind="pledge.big")
    assert "Anonymous pledged **$100.00**" in text_of(first)
    assert "member 1001" not in text_of(first)
    assert "**$100.00** of $1,000.00" in text_of(first)
    assert f"member {CAROL} pledged **$150.00**" in text_of(second)
    assert "**$349.99** of $1,000.00" in text_of(second)


async def test_servers_in_one_batch_keep_their_own_settings_and_totals(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, clock)
    await configure(db, clock, goal_cents=100_00, max_pledge_cents=30_00, big_pledge_cents=0)
    await configure(db, clock, OTHER_GUILD, max_pledge_cents=100_00, big_pledge_cents=0, charity_name="Other")
    ours, theirs, too_much_here = await in_one_unit(db, clock, [
        pledge(ALICE, 30_00, 61),
        pledge(ALICE, 80_00, 62, guild_id=OTHER_GUILD),
        pledge(BOB, 80_00, 63),
    ])
    assert isinstance(too_much_here, InvalidInput)
    assert isinstance(ours, PledgeReceipt)
    assert isinstance(theirs, PledgeReceipt)
    assert (ours.pledge.ceremony_id, ours.milestone_percent, ours.progress.goal_cents) == (ceremony, 25, 100_00)
    assert (theirs.pledge.ceremony_id, theirs.progress.ceremony, theirs.progress.charity_name) == (None, None, "Other")
    assert (ours.member_total_cents, theirs.member_total_cents) == (30_00, 80_00)
    assert theirs.progress.all_time.raised_cents == 80_00


def scenario(seed: int) -> tuple[list[NewPledge], list[NewPledge]]:
    """Pledges written one by one first, then a batch: repeats, refusals, clashes, anonymity, two servers."""
    rng = random.Random(seed)
    earlier: list[NewPledge] = []
    batch: list[NewPledge] = []
    for pledges, count in ((earlier, rng.randrange(0, 6)), (batch, rng.randrange(1, 40))):
        for _ in range(count):
            pledges.append(NewPledge(
                guild_id=GUILD if rng.random() < 0.9 else OTHER_GUILD,
                user_id=rng.randrange(1, 6),
                display_name=rng.choice(["Ann", "Ann B.", "@everyone"]),
                amount_cents=rng.randrange(1, 60) * 100 + rng.choice([0, 50]),
                anonymous=rng.random() < 0.3,
                note=rng.choice([None, "for the orphans"]),
                interaction_id=rng.randrange(1, 30) if rng.random() < 0.9 else None,
            ))
    return earlier, batch


async def written_alone_and_together(
    tmp_path: Path, clock: FakeClock, seed: int
) -> tuple[list[Any], list[Any], dict[str, list[Any]], dict[str, list[Any]]]:
    earlier, batch = scenario(seed)
    rng = random.Random(seed)
    settings = {"goal_cents": rng.choice([37_00, 100_00]), "big_pledge_cents": rng.choice([0, 30_00]),
                "max_pledge_cents": 50_00}
    results = []
    for name in ("alone", "together"):
        db = await Database.open(tmp_path / f"{name}-{seed}.db")
        try:
            await apply_migrations(db.connection)
            await configure(db, clock, **settings)
            if seed % 3:
                await open_ceremony(db, clock)
            for new in earlier:
                await write_alone(db, clock, new)
            if earlier:  # someone's total falls back to zero: their next pledge makes them a pledger again
                await db.write(lambda tx: tx.execute("UPDATE pledges SET status = 'cancelled' WHERE id = 1"))
            if name == "alone":
                outcomes = [await write_alone(db, clock, new) for new in batch]
            else:
                outcomes = list(await in_one_unit(db, clock, batch))
            results.append(([shown(outcome) for outcome in outcomes], await tables(db)))
        finally:
            await db.close()
    (alone, alone_tables), (together, together_tables) = results
    return alone, together, alone_tables, together_tables


async def write_alone(db: Database, clock: FakeClock, new: NewPledge) -> PledgeReceipt | LoungeError:
    async def unit(tx: Transaction) -> PledgeReceipt:
        return await record_pledge(tx, new, clock())

    try:
        return await db.write(unit)
    except LoungeError as refused:
        return refused


def shown(outcome: PledgeReceipt | LoungeError) -> object:
    if isinstance(outcome, LoungeError):
        return type(outcome).__name__, outcome.reason, outcome.facts, str(outcome)
    return outcome


async def tables(db: Database) -> dict[str, list[Any]]:
    dumped = {
        table: [tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table} ORDER BY 1, 2, 3")]  # noqa: S608
        for table in ("pledges", "pledge_totals", "pledge_member_totals", "pledge_milestones", "members",
                      "board_scores")
    }
    dumped["outbox"] = [tuple(row) for row in await db.fetch_all("SELECT kind, payload FROM outbox ORDER BY id")]
    return dumped


@pytest.mark.parametrize("variable_limit", [recording.VARIABLE_LIMIT, 40])
async def test_a_batch_answers_and_writes_exactly_what_the_pledges_written_alone_would(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, variable_limit: int
) -> None:
    # 40 variables: three pledges per INSERT, thirteen keys per read, so repeats span statements.
    monkeypatch.setattr(recording, "VARIABLE_LIMIT", variable_limit)
    seen: set[str] = set()
    for seed in range(25):
        alone, together, alone_tables, together_tables = await written_alone_and_together(tmp_path, clock, seed)
        assert together == alone, f"seed {seed}"
        assert together_tables == alone_tables, f"seed {seed}"
        for outcome in together:
            if isinstance(outcome, PledgeReceipt):
                seen.add("repeat" if outcome.duplicate else "new")
                seen.update(["milestone"] if outcome.milestone_percent else [])
                seen.update(["big"] if outcome.announced_big else [])
            else:
                seen.add(str(outcome[0]))
    assert seen == {"new", "repeat", "milestone", "big", "InvalidInput", "Conflict"}, "the scenarios cover it all"


async def test_a_unit_that_fails_for_one_pledge_is_written_again_one_by_one(db: Database, clock: FakeClock) -> None:
    batcher = PledgeBatcher(db, clock)
    good, broken, also_good = await asyncio.gather(
        batcher.record(pledge(ALICE, 10_00, 71)),
        batcher.record(pledge(BOB, 0, 72)),  # past the service's checks: the database's CHECK refuses it
        batcher.record(pledge(CAROL, 20_00, 73)),
        return_exceptions=True,
    )
    assert isinstance(broken, sqlite3.IntegrityError)
    assert isinstance(good, PledgeReceipt)
    assert isinstance(also_good, PledgeReceipt)
    assert await db.fetch_value("SELECT SUM(amount_cents) FROM pledges") == 30_00
    assert batcher.units_written == 2


async def test_more_pledges_than_a_unit_holds_are_split_and_committed_together(
    db: Database, clock: FakeClock
) -> None:
    batcher = PledgeBatcher(db, clock, max_batch=3)
    commits = db.commits
    written = await asyncio.gather(*(batcher.record(pledge(1000 + n, 1_00, 100 + n)) for n in range(7)))
    assert (batcher.units_written, db.commits - commits) == (3, 1)
    assert sorted(r.progress.all_time.raised_cents for r in written) == [n * 1_00 for n in range(1, 8)]
    assert len({r.pledge.id for r in written}) == 7


async def test_a_member_who_stops_waiting_still_has_the_pledge_written(
    db: Database, members: Members
) -> None:
    gave_up = asyncio.create_task(members.pledge(ALICE, "10", interaction_id=81))
    await asyncio.sleep(0)  # queued
    gave_up.cancel()
    later = await members.pledge(BOB, "5", interaction_id=82)
    assert gave_up.cancelled()
    assert later.progress.all_time.raised_cents == 15_00
    assert (await members.pledge(ALICE, "10", interaction_id=81)).duplicate


async def test_an_unwritable_database_refuses_the_whole_batch(db: Database, members: Members) -> None:
    await db.close()
    outcomes = await asyncio.gather(
        members.pledge(ALICE, "10"), members.pledge(BOB, "20"), return_exceptions=True
    )
    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes)
