"""Where backups go, which are kept, and the ones the bot takes by itself: before a migration, and every
BACKUP_EVERY_MINUTES while a ceremony is live."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import os
import signal
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import to_storage
from bot.config import Settings
from bot.db import Database, Transaction, latest_version
from bot.db.backup import BackupError, Copied, FileSystem, copy_database
from bot.db.lock import holder_of
from bot.db.migrations import load_migrations
from bot.domain.announcer.alerts import AlertStore
from bot.domain.ceremonies.service import CeremonyService
from bot.lounge import LoungeBot
from bot.ops import backup_worker
from bot.ops.backups import (
    FAILED_ALERT,
    AutomaticBackups,
    automatic_backups,
    backup_name,
    default_target,
    prune_automatic,
)
from tests.clock import FakeClock
from tests.domain.pledge_helpers import GUILD, OTHER_GUILD, open_ceremony
from tests.resilience.helpers import ledger_problems

MOMENT = datetime(2025, 9, 15, 0, 30, 5, tzinfo=UTC)


def version_of(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def test_backups_are_named_by_utc_time_beside_the_database(tmp_path: Path) -> None:
    database = tmp_path / "data" / "lounge.db"
    assert backup_name(database, MOMENT) == "lounge-20250915-003005.db"
    assert backup_name(database, MOMENT.astimezone(), "auto") == "lounge-auto-20250915-003005.db"
    first = default_target(database, MOMENT)
    assert first == tmp_path / "data" / "backups" / "lounge-20250915-003005.db"
    first.write_bytes(b"taken")
    assert default_target(database, MOMENT).name == "lounge-20250915-003005-2.db"


def test_only_the_newest_automatic_backups_are_kept_and_nothing_else_is_touched(tmp_path: Path) -> None:
    database = tmp_path / "lounge.db"
    folder = tmp_path / "backups"
    folder.mkdir()
    automatic = [folder / f"lounge-auto-20250915-0{minute}0000.db" for minute in range(5)]
    automatic.append(folder / "lounge-auto-20250915-040000-2.db")  # two in the same second
    others = [folder / "lounge-20250914-120000.db", folder / "lounge-before-v8-20250914-120000.db",
              folder / "party-auto-20250915-000000.db"]
    stale = folder / ".lounge-auto-20250915-050000.db.x1y2.partial"  # left by a crash mid-backup
    for path in [*automatic, *others, stale]:
        path.write_bytes(b"x")
    removed = prune_automatic(database, keep=2)
    assert automatic_backups(database) == automatic[-2:]
    assert sorted(removed) == sorted([*automatic[:-2], stale])
    assert all(path.exists() for path in others)


# ---- automatic backups while live ------------------------------------------------------------------


@pytest.fixture
async def backups(db: Database, clock: FakeClock) -> AsyncIterator[AutomaticBackups]:
    automatic = AutomaticBackups(db.path, keep=3, clock=clock, ceremonies=CeremonyService(db, clock),
                                 alerts=AlertStore(db))
    yield automatic
    await automatic.close()


async def end_ceremonies(db: Database) -> None:
    async def unit(tx: Transaction) -> None:
        await tx.execute("UPDATE ceremonies SET state = 'ended'")

    await db.write(unit)


async def test_backups_are_taken_while_a_ceremony_is_live_then_once_more_after_it_ends(
    db: Database, clock: FakeClock, backups: AutomaticBackups
) -> None:
    assert await backups.tick() is None  # no show on: nothing to back up
    await open_ceremony(db, clock)
    taken = []
    for _ in range(5):
        clock.advance(minutes=10)
        copied = await backups.tick()
        assert copied is not None
        taken.append(copied.path)
    await end_ceremonies(db)
    clock.advance(minutes=10)
    last = await backups.tick()  # the state the show ended in
    assert last is not None
    clock.advance(minutes=10)
    assert await backups.tick() is None
    kept = automatic_backups(db.path)
    assert kept == [*taken[-2:], last.path]
    assert last.path.name == "lounge-auto-20140825-210000.db"  # six ticks of ten minutes after 20:00
    assert all(ledger_problems(path) == [] for path in kept)
    assert all(version_of(path) == latest_version() for path in kept)


async def test_a_failed_automatic_backup_is_shown_to_the_hosts_until_one_succeeds(
    db: Database, clock: FakeClock
) -> None:
    await open_ceremony(db, clock, GUILD)
    await open_ceremony(db, clock, OTHER_GUILD)
    alerts = AlertStore(db)
    free = {"bytes": 1000}
    disk = FileSystem(free_bytes=lambda _folder: free["bytes"])

    async def copy_onto_that_disk(source: Path, target: Path) -> Copied:
        return await asyncio.to_thread(copy_database, source, target, fs=disk)

    backups = AutomaticBackups(db.path, keep=3, clock=clock, ceremonies=CeremonyService(db, clock),
                               alerts=alerts, run=copy_onto_that_disk)
    try:
        assert await backups.tick() is None
        for guild_id in (GUILD, OTHER_GUILD):
            (alert,) = await alerts.active(guild_id)
            assert alert.key == FAILED_ALERT
            assert "not enough free space" in alert.message
        assert automatic_backups(db.path) == []
        free["bytes"] = 10**12
        clock.advance(minutes=10)
        assert await backups.tick() is not None
        assert await alerts.active(GUILD) == []
        assert await alerts.active(OTHER_GUILD) == []
    finally:
        await backups.close()


# ---- before a migration ----------------------------------------------------------------------------


def migrated_to(path: Path, version: int) -> None:
    """A database written by an older bot: the first `version` migrations, and a row of data."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        for migration in load_migrations()[:version]:
            connection.executescript(f"BEGIN;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;")
        connection.execute("INSERT INTO guild_settings (guild_id, charity_name, updated_at) VALUES (?, ?, ?)",
                           (GUILD, "Old Charity", to_storage(MOMENT)))
    finally:
        connection.close()


def offline(database: Path) -> Settings:
    return Settings(discord_token="unused", database_path=database, dev_guild_id=None, log_level="INFO",
                    discord_api_base="http://127.0.0.1:9/api/v10", discord_gateway_url="ws://127.0.0.1:9/gateway")


async def test_a_database_is_backed_up_before_it_is_migrated(tmp_path: Path, clock: FakeClock) -> None:
    database = tmp_path / "lounge.db"
    older = latest_version() - 2
    migrated_to(database, older)
    bot = LoungeBot(offline(database), clock=clock)
    try:
        await bot.prepare()
    finally:
        await bot.close()
    (backup,) = (tmp_path / "backups").iterdir()
    assert backup.name == f"lounge-before-v{latest_version()}-20140825-200000.db"
    assert version_of(backup) == older
    assert version_of(database) == latest_version()
    connection = sqlite3.connect(backup)
    try:
        assert connection.execute("SELECT charity_name FROM guild_settings").fetchall() == [("Old Charity",)]
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()


@pytest.mark.parametrize("state", ["new", "current"])
async def test_no_backup_when_there_is_nothing_to_migrate(tmp_path: Path, state: str) -> None:
    database = tmp_path / "lounge.db"
    if state == "current":
        migrated_to(database, latest_version())
    bot = LoungeBot(offline(database))
    try:
        await bot.prepare()
    finally:
        await bot.close()
    assert not (tmp_path / "backups").exists()


async def test_when_the_backup_before_a_migration_fails_nothing_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "lounge.db"
    migrated_to(database, latest_version() - 1)
    before = database.read_bytes()

    def full_disk(*_args: object) -> None:
        raise BackupError("The disk is full.", reason="disk_full")

    monkeypatch.setattr("bot.lounge.backup_before_migrating", full_disk)
    bot = LoungeBot(offline(database))
    with pytest.raises(BackupError):
        await bot.prepare()
    await bot.close()
    assert version_of(database) == latest_version() - 1
    assert database.read_bytes() == before
    assert holder_of(database) is None  # the lock was let go


async def test_the_backup_loop_runs_only_when_backup_every_minutes_is_set(tmp_path: Path) -> None:
    for every in (None, 15):
        settings = dataclasses.replace(offline(tmp_path / f"lounge-{every}.db"), backup_every_minutes=every)
        bot = LoungeBot(settings)
        async with bot:
            await bot.prepare()
            cog = bot.get_cog("BackupCog")
            if every is None:
                assert cog is None
            else:
                assert cog is not None
                assert cog.tick.minutes == every  # type: ignore[attr-defined]
                assert cog.tick.is_running()  # type: ignore[attr-defined]


async def test_closing_stops_a_backup_in_progress_and_waits_for_it(db: Database, clock: FakeClock) -> None:
    await open_ceremony(db, clock)
    started, stopped = asyncio.Event(), asyncio.Event()

    async def never_finishes(_source: Path, _target: Path) -> Copied:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        raise AssertionError("unreachable")

    backups = AutomaticBackups(db.path, keep=3, clock=clock, ceremonies=CeremonyService(db, clock),
                               alerts=AlertStore(db), run=never_finishes)
    ticking = asyncio.create_task(backups.tick())
    await started.wait()
    await backups.close()
    assert stopped.is_set()  # close() returned only after the backup had stopped
    with pytest.raises(asyncio.CancelledError):
        await ticking
    assert await backups.tick() is None  # and no new one starts


def test_the_worker_stops_at_the_next_step_on_sigterm_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the bot's SIGTERM does to its backup process: the handler the worker installs flags the copy,
    which stops after the step in progress and removes its temporary file."""
    database = tmp_path / "lounge.db"
    migrated_to(database, latest_version())
    folder = tmp_path / "backups"
    folder.mkdir()
    terminate = functools.partial(os.kill, os.getpid(), signal.SIGTERM)
    monkeypatch.setattr(backup_worker, "copy_database",
                        functools.partial(backup_worker.copy_database, step_pages=1, between_steps=terminate))
    monkeypatch.setattr(os, "nice", lambda _increment: 0)  # not the test process's priority
    previous = signal.getsignal(signal.SIGTERM)
    try:
        code = backup_worker.main([str(database), str(folder / "backup.db")])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert code == 1
    assert json.loads(capsys.readouterr().out)["reason"] == "cancelled"
    assert list(folder.iterdir()) == []
