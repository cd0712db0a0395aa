"""The writer commits a burst together, and one unit's failure never spoils another's."""

from __future__ import annotations

import asyncio

import pytest

from bot.db import Database, Transaction
from bot.domain.errors import InvalidInput


async def insert_entry(tx: Transaction, detail: str) -> int:
    return await tx.insert(
        "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) VALUES (1, 1, 'test', ?, 'now')",
        (detail,),
    )


async def test_a_burst_is_group_committed_and_every_caller_gets_its_own_result(db: Database) -> None:
    commits_before = db.commits
    ids = await asyncio.gather(*(db.write(lambda tx, n=n: insert_entry(tx, f"entry {n}")) for n in range(200)))
    assert len(set(ids)) == 200
    assert await db.fetch_value("SELECT COUNT(*) FROM audit_log") == 200
    assert db.commits - commits_before < 200


async def test_a_failing_unit_rolls_back_alone(db: Database) -> None:
    async def fails(tx: Transaction) -> None:
        await insert_entry(tx, "half-written")
        raise InvalidInput("no")

    results = await asyncio.gather(
        db.write(lambda tx: insert_entry(tx, "first")),
        db.write(fails),
        db.write(lambda tx: insert_entry(tx, "last")),
        return_exceptions=True,
    )
    assert isinstance(results[1], InvalidInput)
    details = [row[0] for row in await db.fetch_all("SELECT detail FROM audit_log ORDER BY id")]
    assert details == ["first", "last"]


async def test_in_one_batch_each_failing_unit_undoes_only_its_own_writes(db: Database) -> None:
    async def unit(tx: Transaction, n: int) -> int:
        await insert_entry(tx, f"{n} a")
        await insert_entry(tx, f"{n} b")
        if n % 3 == 1:
            raise InvalidInput(f"unit {n} refused")
        return n

    commits = db.commits
    results = await asyncio.gather(*(db.write(lambda tx, n=n: unit(tx, n)) for n in range(20)),
                                   return_exceptions=True)
    assert db.commits - commits == 1  # one batch: the savepoints of the units before a failure stay open
    assert [isinstance(result, InvalidInput) for result in results] == [n % 3 == 1 for n in range(20)]
    details = [row[0] for row in await db.fetch_all("SELECT detail FROM audit_log ORDER BY id")]
    assert details == [f"{n} {part}" for n in range(20) if n % 3 != 1 for part in "ab"]


async def test_writes_after_close_are_refused(db: Database) -> None:
    await db.close()
    with pytest.raises(Exception, match="database"):
        await db.write(lambda tx: insert_entry(tx, "late"))


async def test_a_short_read_is_answered_on_the_event_loop_and_sees_every_commit(db: Database) -> None:
    quick_before, slow_before = db.quick_reads, db.slow_reads
    await db.write(lambda tx: insert_entry(tx, "committed"))

    assert await db.fetch_value("SELECT detail FROM audit_log") == "committed"
    assert (db.quick_reads - quick_before, db.slow_reads - slow_before) == (1, 0)


async def test_a_long_read_moves_to_the_reader_thread_and_still_answers_in_full(db: Database) -> None:
    counting = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
                "SELECT COUNT(*), SUM(i) FROM n")
    slow_before = db.slow_reads

    row = await db.fetch_one(counting)

    assert row is not None
    assert tuple(row) == (200_000, 200_000 * 200_001 // 2)
    assert db.slow_reads - slow_before == 1



async def test_a_unit_of_work_may_await_only_its_transaction(db: Database) -> None:
    """Units run on the writer's thread inside the batch's transaction: a unit that sleeps, or
    reads through the Database (committed data, not its own), is refused, and nothing of it stays."""
    from bot.db.database import UnitSuspended

    async def sleeps(tx: Transaction) -> None:
        await insert_entry(tx, "before the sleep")
        await asyncio.sleep(0)

    async def reads_around_its_transaction(tx: Transaction) -> None:
        await insert_entry(tx, "before the read")
        await db.fetch_value("SELECT COUNT(*) FROM audit_log")

    for unit in (sleeps, reads_around_its_transaction):
        with pytest.raises(UnitSuspended):
            await db.write(unit)
    assert await db.write(lambda tx: insert_entry(tx, "still writing")) > 0
    assert [row[0] for row in await db.fetch_all("SELECT detail FROM audit_log")] == ["still writing"]


async def test_a_listener_with_a_topic_wakes_only_after_a_commit_that_notified_it(db: Database) -> None:
    every, announced = [], []
    db.add_commit_listener(lambda: every.append("commit"))
    db.add_commit_listener(lambda: announced.append("announce"), topic="outbox")

    await db.write(lambda tx: insert_entry(tx, "quiet"))
    assert (every, announced) == (["commit"], [])

    async def noisy(tx: Transaction) -> int:
        tx.notify("outbox")
        return await insert_entry(tx, "noisy")

    await asyncio.gather(db.write(noisy), db.write(lambda tx: insert_entry(tx, "beside it")))
    assert announced == ["announce"]  # once per commit, however many units notified
    assert len(every) in (2, 3)  # the two units of the gather may share one commit or not
