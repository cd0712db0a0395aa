"""A bot holds its database for its whole life; the kernel lets go when the process dies, however it dies."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from bot.db.lock import DatabaseInUse, DatabaseLock, holder_of, lock_path
from standin import StandIn
from tests.ops.processes import bot_environment, finish, start_bot_process


def test_a_second_holder_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    database = tmp_path / "data" / "lounge.db"
    held = DatabaseLock.acquire(database)
    try:
        with pytest.raises(DatabaseInUse) as refused:
            DatabaseLock.acquire(database, purpose="restore")
        assert refused.value.purpose == "bot"
        assert refused.value.pid is not None
        assert holder_of(database) is not None
    finally:
        held.release()
    assert holder_of(database) is None
    again = DatabaseLock.acquire(database, purpose="restore")
    again.release()
    assert lock_path(database).exists()  # never deleted: deleting a lock file races with its next holder


def test_nobody_holds_a_database_no_bot_ever_ran_on(tmp_path: Path) -> None:
    assert holder_of(tmp_path / "lounge.db") is None
    assert not lock_path(tmp_path / "lounge.db").exists()  # the probe creates nothing


async def test_a_running_bot_holds_its_database_until_it_is_killed(standin: StandIn, tmp_path: Path) -> None:
    standin.create_guild("Emmy Night")
    database = tmp_path / "lounge.db"
    process = await start_bot_process(bot_environment(standin, tmp_path), tmp_path)
    try:
        await standin.wait_until_ready(timeout=30)
        holder = holder_of(database)
        assert holder is not None
        assert (holder.pid, holder.purpose) == (process.pid, "bot")

        second = await start_bot_process(bot_environment(standin, tmp_path), tmp_path)
        stderr = (await finish(second)).decode().strip()
        assert second.returncode == 2
        assert len(stderr.splitlines()) == 1
        assert f"is in use by a bot (pid {process.pid})" in stderr
    finally:
        process.send_signal(signal.SIGKILL)  # no shutdown code runs
        await finish(process)
    await asyncio.sleep(0)
    assert holder_of(database) is None
