"""While members keep writing a few milliseconds apart, their writes share commits; a lone
write, or one writer awaiting its writes one after another, is not held up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bot.db import Database, Transaction, apply_migrations
from bot.db.commit_window import BACKOFF, CommitWindow
from bot.domain.pledges import PledgeService
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import Members, open_ceremony

WINDOW = 0.05
T = TypeVar("T")


@pytest.fixture
async def windowed(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "lounge.db", window=CommitWindow(WINDOW))
    await apply_migrations(database.connection)
    yield database
    await database.close()


async def insert_entry(tx: Transaction, detail: str) -> int:
    return await tx.insert(
        "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) VALUES (1, 1, 'test', ?, 'now')",
        (detail,),
    )


async def one_every(seconds: float, count: int, write: Callable[[int], Awaitable[T]]) -> list[T]:
    """`write(n)` for n in range(count), each started `seconds` after the one before, all awaited."""
    started: list[asyncio.Future[T]] = []
    for n in range(count):
        started.append(asyncio.ensure_future(write(n)))
        await asyncio.sleep(seconds)
    return list(await asyncio.gather(*started))


async def test_writes_a_few_milliseconds_apart_share_commits_and_each_gets_its_own_answer(
    windowed: Database,
) -> None:
    commits = windowed.commits
    ids = await one_every(0.002, 40, lambda n: windowed.write(lambda tx: insert_entry(tx, f"entry {n}")))
    assert len(set(ids)) == 40
    assert await windowed.fetch_value("SELECT COUNT(*) FROM audit_log") == 40
    assert windowed.commits - commits < 20, "a write a few milliseconds after a commit waited for the next"
    assert windowed.window.waits > 0


async def test_a_lone_write_after_a_quiet_moment_is_committed_at_once(windowed: Database) -> None:
    await windowed.write(lambda tx: insert_entry(tx, "first"))
    await asyncio.sleep(WINDOW * 1.5)
    await windowed.write(lambda tx: insert_entry(tx, "after a quiet moment"))
    assert windowed.window.waits == 0


async def test_one_writer_awaiting_each_write_waits_only_now_and_then(windowed: Database) -> None:
    writes = 3 * (BACKOFF + 1)
    for n in range(writes):
        await windowed.write(lambda tx, n=n: insert_entry(tx, f"entry {n}"))
    assert windowed.commits >= writes
    # Each wait gathers nothing (the next write comes only after this one's answer) and turns
    # waiting off for the next BACKOFF commits.
    assert windowed.window.waits == windowed.window.fruitless_waits <= writes // (BACKOFF + 1) + 1


async def test_pledges_a_few_milliseconds_apart_share_a_unit_and_are_counted_exactly(
    windowed: Database,
) -> None:
    clock = FakeClock()
    await open_ceremony(windowed, clock)
    service = PledgeService(windowed, clock, SettingsService(windowed, clock))
    members = Members(service)
    receipts = await one_every(0.002, 30, lambda n: members.pledge(2000 + n, "1.25"))
    assert await windowed.fetch_value("SELECT SUM(amount_cents) FROM pledges") == 30 * 125
    assert sorted(r.progress.all_time.raised_cents for r in receipts) == [n * 125 for n in range(1, 31)]
    assert service._batcher.units_written < 20


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CommitWindow(-0.01)


async def test_a_burst_that_fills_a_commit_is_not_held_for_the_rest_of_the_window(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "lounge.db", window=CommitWindow(5.0, enough=4))
    try:
        await apply_migrations(database.connection)
        await database.write(lambda tx: insert_entry(tx, "opens the window"))
        database.window.began()  # a commit just began: the next writes would wait up to 5 s
        loop = asyncio.get_running_loop()
        started = loop.time()
        commits = database.commits
        first = asyncio.ensure_future(database.write(lambda tx: insert_entry(tx, "waits")))
        await asyncio.sleep(0.2)
        assert not first.done()  # waiting for others to share its commit
        await asyncio.gather(first, *(database.write(lambda tx, n=n: insert_entry(tx, f"joins {n}")) for n in range(3)))
        assert loop.time() - started < 2.5, "four writes together waited out the window"
        assert database.commits == commits + 1
        assert database.window.waits == 1
    finally:
        await database.close()
