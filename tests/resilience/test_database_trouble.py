"""The database cannot be written for a while: another process holds its write lock (a
backup, a host's `sqlite3` shell), or the files are made unwritable.

A member who pledges meanwhile is told, ephemerally and inside Discord's 3 seconds,
that nothing was changed; members can still read the totals, the settings and the
boards; once the trouble is gone the next pledge counts, once.

Tests run as root, where `chmod a-w` stops nothing. What does stop writes, and is
used here: a second process holding SQLite's write lock (`BEGIN IMMEDIATE`), and
the immutable attribute (`chattr +i`, which refuses writes even through descriptors
the bot already has open; it needs CAP_LINUX_IMMUTABLE and a filesystem that has
the attribute, else that story is skipped).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from standin import InteractionRecord, Member, Reply, SentInteraction
from tests.e2e.harness import Lounge
from tests.resilience.helpers import (
    DEADLINE,
    MESSAGE_ROUTE,
    answer_title,
    ledger_problems,
    queued_embeds,
    receipt,
    shown_embeds,
    undelivered,
    value,
)

HOLD_WRITE_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""


@contextlib.asynccontextmanager
async def write_lock_held_elsewhere(database: Path) -> AsyncIterator[None]:
    """Another process takes SQLite's write lock and keeps it until the block ends."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD_WRITE_LOCK, str(database),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        assert await asyncio.wait_for(holder.stdout.readline(), timeout=10) == b"locked\n"
        yield
    finally:
        holder.stdin.write(b"\n")
        await holder.stdin.drain()
        holder.stdin.close()
        assert await asyncio.wait_for(holder.wait(), timeout=10) == 0


def _chattr(flag: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed: cannot make the database files immutable")
    command = [chattr, flag, *map(str, files)]  # our own temporary files, no outside input
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


@contextlib.contextmanager
def files_unwritable(database: Path) -> Iterator[None]:
    """`chattr +i` on the database and its write-ahead log: no process, root included, may write them."""
    files = [database, database.with_name(database.name + "-wal")]
    assert all(file.exists() for file in files)
    made = _chattr("+i", files)
    if made.returncode != 0:
        pytest.skip(f"cannot make the database immutable here: {made.stderr.strip()}")
    try:
        yield
    finally:
        undone = _chattr("-i", files)
        assert undone.returncode == 0, undone.stderr


def answered_in_time(answer: Reply) -> None:
    latency = answer.record.response_latency
    assert latency is not None, f"{answer.record.label} was not answered"
    assert latency < DEADLINE, f"{answer.record.label} answered after {latency:.2f}s"
    assert answer.record.rejections == []


async def pledge_refused(sent: SentInteraction) -> None:
    answer = await sent.reply(timeout=10)
    answered_in_time(answer)
    shown = answer.message
    assert shown is not None
    assert shown.ephemeral
    assert answer_title(answer.record) == "Please try again"
    text = shown.embeds[0]["description"] if shown.embeds else answer.followups[0].embeds[0]["description"]
    assert "nothing was changed" in text


async def reads_still_served(lounge: Lounge, reader: Member, raised: str) -> None:
    """What members read keeps coming, inside the deadline, while writes are refused."""
    total, settings, board = await asyncio.gather(
        reader.slash("pledge total"),
        lounge.host.slash("settings show"),
        reader.slash("leaderboard show", board="donors"),
    )
    for answer in (total, settings, board):
        answered_in_time(answer)
    assert raised in total.embeds[0]["fields"][-1]["value"]
    shown_settings = {field["name"]: field["value"] for field in settings.embeds[0]["fields"]}
    assert shown_settings["Announcement channel"] == lounge.announcements.mention
    assert reader.name in board.embeds[0]["description"]


async def trouble_story(lounge: Lounge, trouble: contextlib.AbstractAsyncContextManager[None]) -> None:
    ada, ben, cy = lounge.member("Ada"), lounge.member("Ben"), lounge.member("Cy")
    first = await ada.slash("pledge add", amount="10")
    assert receipt(first.record) is not None
    database = lounge.database_path
    assert undelivered(database) == 0

    async with trouble:
        refused = [ben.send_slash("pledge add", amount="25"), cy.send_slash("pledge add", amount="30")]
        await reads_still_served(lounge, ada, "$10.00")
        for sent in refused:
            await pledge_refused(sent)
        await pledge_refused(ben.send_slash("pledge add", amount="25"))

    again = await ben.slash("pledge add", amount="25", timeout=10)
    assert receipt(again.record) is not None
    assert value(database, "SELECT COUNT(*) FROM pledges") == 2
    assert value(database, "SELECT SUM(amount_cents) FROM pledges") == 3500
    assert ledger_problems(database) == []
    total = await cy.slash("pledge total")
    assert "$35.00" in total.embeds[0]["fields"][-1]["value"]


async def test_a_write_lock_held_by_another_process(lounge: Lounge) -> None:
    await trouble_story(lounge, write_lock_held_elsewhere(lounge.database_path))


async def test_database_files_made_unwritable(lounge: Lounge) -> None:
    @contextlib.asynccontextmanager
    async def unwritable() -> AsyncIterator[None]:
        with files_unwritable(lounge.database_path):
            yield

    await trouble_story(lounge, unwritable())


async def test_an_announcement_discord_took_while_the_database_was_locked_is_shown_once(lounge: Lounge) -> None:
    standin, database = lounge.standin, lounge.database_path
    await lounge.host.slash("settings set", big_pledge="20")
    channel = lounge.announcements
    held = standin.faults.delay_next(MESSAGE_ROUTE.replace("{channel_id}", str(channel.id)), 1.0)
    await lounge.member("Ada").slash("pledge add", amount="25")
    await standin.wait_until(lambda: True if held.fired else None, what="the big-pledge announcement in flight")

    def creations() -> int:
        return sum(1 for r in standin.requests if r.path == f"/channels/{channel.id}/messages" and r.status == 200)

    async with write_lock_held_elsewhere(database):
        # "Discord" creates the message; the bot cannot mark it sent, and tries again (same nonce).
        await channel.wait_for_messages(1, timeout=5)
        await standin.wait_until(lambda: True if creations() >= 2 else None,
                                 what="the bot to send the announcement again", timeout=10)
        assert undelivered(database) == 1

    shown = await standin.wait_until(lambda: queued_embeds(database) if undelivered(database) == 0 else None,
                                     what="the announcement to be marked sent", timeout=10)
    assert len(channel.messages) == 1
    assert shown_embeds(channel) == shown


def settled(record: InteractionRecord) -> Callable[[], bool | None]:
    """A wait condition: the bot's answer was taken, or refused by Discord."""
    return lambda: True if record.response_type is not None or record.rejections else None


async def keep_pledging(lounge: Lounge, sent: list[SentInteraction], every: float) -> None:
    """Members keep pledging, one every `every` seconds ("everyone pledge now!"), until cancelled."""
    while True:
        sent.append(lounge.member(f"Eager {len(sent) + 1}").send_slash("pledge add", amount="15"))
        await asyncio.sleep(every)


@pytest.mark.allow_violations
async def test_reads_keep_the_deadline_while_members_keep_pledging_into_a_locked_database(lounge: Lounge) -> None:
    standin, ada = lounge.standin, lounge.member("Ada")
    await ada.slash("pledge add", amount="10")
    pressure: list[SentInteraction] = []

    async with write_lock_held_elsewhere(lounge.database_path):
        pledging = asyncio.create_task(keep_pledging(lounge, pressure, every=0.3))
        try:
            await standin.wait_until(lambda: True if len(pressure) >= 2 else None, what="members pledging")
            reads = [ada.send_slash("pledge total"), lounge.host.send_slash("settings show"),
                     ada.send_slash("leaderboard show", board="donors")]
            for read in reads:
                await standin.wait_until(settled(read.record), what=f"an answer to {read.record.label}", timeout=10)
        finally:
            pledging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pledging

    late = {read.record.label: read.record.rejections for read in reads if read.record.response_type is None}
    assert late == {}, f"reads refused by Discord: {late}"
    for read in reads:
        answered_in_time(await read.reply())
    for sent in pressure:
        await sent.reply(timeout=10)
    counted = 1 + sum(1 for sent in pressure if receipt(sent.record) is not None)
    assert value(lounge.database_path, "SELECT COUNT(*) FROM pledges") == counted
    assert standin.take_violations() == []
