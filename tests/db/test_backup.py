"""A backup is one consistent snapshot, even while the bot commits between its steps; it is checked, written
atomically, and any failure (no room, an unwritable place, a fault at fsync) leaves nothing behind."""

from __future__ import annotations

import asyncio
import errno
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.db import Database, latest_version
from bot.db.backup import BackupError, FileSystem, copy_database
from bot.domain.pledges import PledgeService
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import ALICE, BOB, Members, open_ceremony
from tests.resilience.helpers import ledger_problems


def count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
async def members(db: Database, clock: FakeClock) -> Members:
    await open_ceremony(db, clock)
    members = Members(PledgeService(db, clock, SettingsService(db, clock)))
    for number in range(20):
        await members.pledge(ALICE if number % 2 else BOB, "25")
    return members


async def test_pledges_committed_between_every_step_are_not_in_the_copy_and_the_copy_is_whole(
    db: Database, members: Members, tmp_path: Path
) -> None:
    loop = asyncio.get_running_loop()
    committed_during: list[int] = []

    def bot_commits_a_pledge() -> None:  # in the copying thread, through the bot's own writer
        receipt = asyncio.run_coroutine_threadsafe(members.pledge(ALICE, "10"), loop).result(timeout=10)
        committed_during.append(receipt.pledge.id)

    target = tmp_path / "backup.db"
    copied = await asyncio.to_thread(copy_database, db.path, target, step_pages=4, pause=0,
                                     between_steps=bot_commits_a_pledge)

    assert len(committed_during) >= 10, "the copy took too few steps to show anything"
    assert count(db.path, "SELECT COUNT(*) FROM pledges") == 20 + len(committed_during)
    assert count(target, "SELECT COUNT(*) FROM pledges") == 20  # the snapshot it started from, no more
    assert ledger_problems(target) == []  # totals maintained by triggers agree with the rows: not torn
    assert copied.schema_version == latest_version() == count(target, "PRAGMA user_version")
    assert copied.pages > 40
    with target.open("rb") as file:
        assert file.read(20)[18:20] == b"\x01\x01"  # a rollback-journal file: whole without a -wal beside it
    assert files_in(tmp_path) == sorted(["backup.db", "lounge.db", "lounge.db-shm", "lounge.db-wal"])


async def test_an_existing_file_is_never_replaced(db: Database, members: Members, tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.db"
    earlier.write_bytes(b"an earlier backup")
    with pytest.raises(BackupError) as refused:
        await asyncio.to_thread(copy_database, db.path, earlier)
    assert refused.value.reason == "target_exists"
    assert earlier.read_bytes() == b"an earlier backup"


@pytest.mark.parametrize("where", ["missing folder", "under a file"])
async def test_a_place_that_cannot_hold_a_file_is_refused(
    db: Database, members: Members, tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    target = tmp_path / "nowhere" / "backup.db" if where == "missing folder" else blocker / "backup.db"
    before = files_in(tmp_path)
    with pytest.raises(BackupError) as refused:
        await asyncio.to_thread(copy_database, db.path, target)
    assert refused.value.reason == ("no_folder" if where == "missing folder" else "not_a_folder")
    assert files_in(tmp_path) == before


async def test_too_little_free_space_is_refused_before_anything_is_written(
    db: Database, members: Members, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    almost_full = FileSystem(free_bytes=lambda _folder: 100_000)
    with pytest.raises(BackupError) as refused:
        await asyncio.to_thread(copy_database, db.path, folder / "backup.db", fs=almost_full)
    assert refused.value.reason == "disk_full"
    assert refused.value.facts["free_bytes"] == 100_000
    assert refused.value.facts["needed_bytes"] > 100_000
    assert "not enough free space" in str(refused.value)
    assert files_in(folder) == []


@pytest.mark.parametrize("failing_call", [1, 2])
async def test_a_disk_that_fills_up_at_fsync_leaves_nothing(
    db: Database, members: Members, tmp_path: Path, failing_call: int
) -> None:
    """Delayed allocation: write() succeeds and the disk turns out full only at fsync (file, then folder)."""
    folder = tmp_path / "backups"
    folder.mkdir()
    calls = 0

    def fsync(_fd: int) -> None:
        nonlocal calls
        calls += 1
        if calls == failing_call:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(BackupError) as refused:
        await asyncio.to_thread(copy_database, db.path, folder / "backup.db", fs=FileSystem(fsync=fsync))
    assert refused.value.reason == "disk_full"
    assert files_in(folder) == []


async def test_a_backup_stopped_midway_leaves_nothing(db: Database, members: Members, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    stop = threading.Event()
    with pytest.raises(BackupError) as refused:
        await asyncio.to_thread(copy_database, db.path, folder / "backup.db", step_pages=2, cancel=stop,
                                between_steps=stop.set)
    assert refused.value.reason == "cancelled"
    assert files_in(folder) == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty_database"), (b"PK\x03\x04 a zip file, not a database" * 50, "not_sqlite")],
)
async def test_what_is_not_a_lounge_database_is_not_copied(tmp_path: Path, content: bytes, reason: str) -> None:
    source = tmp_path / "lounge.db"
    source.write_bytes(content)
    with pytest.raises(BackupError) as refused:
        await asyncio.to_thread(copy_database, source, tmp_path / "backup.db")
    assert refused.value.reason == reason
    assert files_in(tmp_path) == ["lounge.db"]
    assert source.read_bytes() == content


async def test_a_backup_of_a_database_no_bot_has_open_leaves_its_folder_as_it_was(
    db: Database, members: Members, tmp_path: Path
) -> None:
    await db.close()
    (tmp_path / "backups").mkdir()
    assert files_in(tmp_path) == ["backups", "lounge.db"]  # a clean close removed -wal and -shm
    await asyncio.to_thread(copy_database, db.path, tmp_path / "backups" / "backup.db")
    assert files_in(tmp_path) == ["backups", "lounge.db"]
