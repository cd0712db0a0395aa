"""A restore swaps a checked backup in and keeps what it replaced; a bad file or a running bot changes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.clock import utc_now
from bot.db import Database, apply_migrations, latest_version
from bot.db.backup import copy_database
from bot.db.lock import DatabaseLock, holder_of
from bot.domain.pledges import PledgeService
from bot.domain.settings.service import SettingsService
from bot.ops.restore import RestoreError, restore_database
from tests.clock import FakeClock
from tests.domain.pledge_helpers import ALICE, Members, open_ceremony

MOMENT = FakeClock().now


async def lounge_with_pledges(database: Path, pledges: int, clock: FakeClock) -> None:
    """A database the bot wrote: a live ceremony and `pledges` more pledges (closed afterwards)."""
    db = await Database.open(database)
    try:
        await apply_migrations(db.connection)
        if await db.fetch_value("SELECT COUNT(*) FROM ceremonies") == 0:
            await open_ceremony(db, clock)
        members = Members(PledgeService(db, clock, SettingsService(db, clock)))
        first = int(await db.fetch_value("SELECT COUNT(*) FROM pledges"))
        for number in range(first, first + pledges):
            await members.pledge(ALICE, "5", interaction_id=10**18 + number)
    finally:
        await db.close()


def pledges_in(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM pledges").fetchone()[0])
    finally:
        connection.close()


def wal_size(database: Path) -> int | None:
    wal = Path(f"{database}-wal")
    return wal.stat().st_size if wal.exists() else None


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in the folder with a hash of its bytes (the lock file's content is the holder's pid)."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())
            if path.is_file() and not path.name.endswith(".lock")}


@pytest.fixture
async def lounge(tmp_path: Path, clock: FakeClock) -> Path:
    """data/lounge.db with 3 pledges, and backups/monday.db: a backup of it taken at that point."""
    database = tmp_path / "data" / "lounge.db"
    database.parent.mkdir()
    await lounge_with_pledges(database, 3, clock)
    (tmp_path / "backups").mkdir()
    copy_database(database, tmp_path / "backups" / "monday.db")
    await lounge_with_pledges(database, 2, clock)
    return database


async def test_the_backup_is_swapped_in_and_the_database_it_replaced_is_kept(lounge: Path, tmp_path: Path) -> None:
    lounge.with_name(".lounge.db.restoring-99999").write_bytes(b"left by a restore killed midway")
    restored = restore_database(tmp_path / "backups" / "monday.db", lounge, MOMENT)
    assert restored.schema_version == latest_version()
    assert restored.pledges == 3
    assert restored.replaced == lounge.with_name("lounge.db.replaced-20140825-200000")
    assert pledges_in(lounge) == 3
    assert pledges_in(restored.replaced) == 5
    assert sorted(path.name for path in lounge.parent.iterdir()) == [
        "lounge.db", "lounge.db.lock", "lounge.db.replaced-20140825-200000"]
    assert holder_of(lounge) is None
    db = await Database.open(lounge)  # the bot opens it as its own
    try:
        assert await apply_migrations(db.connection) == []
    finally:
        await db.close()


async def test_commits_a_crashed_bot_left_in_the_wal_are_kept_with_the_replaced_database(
    lounge: Path, tmp_path: Path
) -> None:
    crash = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute(\"INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) "
        "VALUES (1, 1, 'late', 'committed, never checkpointed', 'now')\")\n"
        "os._exit(0)\n"  # like kill -9: the last commit lives only in the -wal
    )
    await asyncio.to_thread(subprocess.run, [sys.executable, "-c", crash, str(lounge)], check=True)
    assert wal_size(lounge) > 0
    restored = restore_database(tmp_path / "backups" / "monday.db", lounge, MOMENT)
    assert restored.replaced is not None
    connection = sqlite3.connect(restored.replaced)
    try:
        late = connection.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'late'").fetchone()[0]
    finally:
        connection.close()
    assert late == 1
    assert wal_size(lounge) is None  # never replayed into the restored file
    assert pledges_in(lounge) == 3


async def test_a_restore_onto_a_new_folder_needs_no_previous_database(tmp_path: Path, lounge: Path) -> None:
    fresh = tmp_path / "elsewhere" / "lounge.db"
    restored = restore_database(tmp_path / "backups" / "monday.db", fresh, MOMENT)
    assert restored.replaced is None
    assert pledges_in(fresh) == 3


def newer_backup(path: Path, source: Path) -> None:
    shutil.copyfile(source, path)
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {latest_version() + 1}")
    connection.close()


def sqlite_file(path: Path, statements: list[str]) -> None:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("truncated", "damaged"),
        ("not sqlite", "not_sqlite"),
        ("zero bytes", "empty_database"),
        ("another app's database", "not_lounge"),
        ("newer", "too_new"),
        ("missing", "no_file"),
        ("the live database", "same_file"),
    ],
)
async def test_a_file_that_is_not_a_good_backup_changes_nothing(
    lounge: Path, tmp_path: Path, case: str, reason: str
) -> None:
    backup = tmp_path / "backups" / "monday.db"
    given = tmp_path / "given.db"
    if case == "truncated":
        given.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    elif case == "not sqlite":
        given.write_bytes(b"Pledges,Amount\nAda,25\n" * 200)
    elif case == "zero bytes":
        given.write_bytes(b"")
    elif case == "another app's database":
        sqlite_file(given, ["CREATE TABLE notes (body TEXT)", "PRAGMA user_version = 3"])
    elif case == "newer":
        newer_backup(given, backup)
    elif case == "the live database":
        given = lounge
    before = fingerprint(lounge.parent), fingerprint(tmp_path)
    with pytest.raises(RestoreError) as refused:
        restore_database(given, lounge, MOMENT)
    assert refused.value.reason == reason
    message = str(refused.value)
    assert message.endswith("nothing was changed.")
    assert "\n" not in message
    assert (fingerprint(lounge.parent), fingerprint(tmp_path)) == before
    assert pledges_in(lounge) == 5


async def test_a_restore_is_refused_while_the_database_is_held(lounge: Path, tmp_path: Path) -> None:
    held = DatabaseLock.acquire(lounge)
    try:
        before = fingerprint(lounge.parent)
        with pytest.raises(RestoreError) as refused:
            await asyncio.to_thread(restore_database, tmp_path / "backups" / "monday.db", lounge, utc_now())
        assert refused.value.reason == "in_use"
        assert str(refused.value).startswith("A bot (pid ")
        assert fingerprint(lounge.parent) == before
    finally:
        held.release()
