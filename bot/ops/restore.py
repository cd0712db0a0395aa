"""``python -m bot restore PATH``: put a backup in place of the live database, keeping the one it replaces.

In order, stopping at the first refusal (each one sentence, nothing changed):

1. take the database's lock without waiting (:mod:`bot.db.lock`): refused while a
   bot runs on it, and no bot can start until the swap is done;
2. copy PATH with SQLite's backup API into a temporary file beside the database
   (which also reads a ``-wal`` left beside PATH, and proves PATH is SQLite);
3. check that copy: ``PRAGMA integrity_check`` must say ``ok``, its schema version
   must be one this code knows (not 0, not newer than the newest migration);
4. swap: fold the old database's ``-wal`` into it when it can, keep it under
   ``lounge.db.replaced-YYYYMMDD-HHMMSS`` (a hard link, so ``lounge.db`` never
   stops existing), remove the old ``-wal``/``-shm`` (they would be replayed into
   the new file), rename the checked copy over ``lounge.db``, fsync the folder.

A database older than the code is accepted: the bot backs it up and migrates it at
its next start.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bot.db.backup import BackupError, copy_database, sync_folder
from bot.db.lock import DatabaseInUse, DatabaseLock
from bot.db.migrations import latest_version


class RestoreError(Exception):
    """The restore was refused; ``str(error)`` is one sentence, and nothing was changed."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Restored:
    database: Path
    source: Path
    schema_version: int
    replaced: Path | None
    """Where the database that was replaced is kept (None when there was none)."""
    pledges: int
    servers: int


def replaced_name(database: Path, moment: datetime) -> Path:
    stamp = moment.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    candidate = database.with_name(f"{database.name}.replaced-{stamp}")
    number = 2
    while candidate.exists():
        candidate = database.with_name(f"{database.name}.replaced-{stamp}-{number}")
        number += 1
    return candidate


def restore_database(source: Path, database: Path, now: datetime) -> Restored:
    """Swap `source` in as `database` (see the module docstring); raise :class:`RestoreError`."""
    if not source.is_file():
        what = "a folder" if source.is_dir() else "no file"
        raise RestoreError(f"There is {what} at {str(source)!r}: give the path of a backup file; nothing was changed.",
                           reason="no_file")
    if database.exists() and os.path.samefile(source, database):
        raise RestoreError(f"{str(source)!r} is the live database itself: give a backup; nothing was changed.",
                           reason="same_file")
    try:
        lock = DatabaseLock.acquire(database, purpose="restore")
    except DatabaseInUse as in_use:
        raise RestoreError(
            f"{in_use.holder.capitalize()} is running on {str(database)!r}: stop it first (Ctrl+C, or stop "
            "its service), then restore again; nothing was changed.", reason="in_use",
        ) from None
    try:
        for pattern in (f".{database.name}.restoring-*", f"..{database.name}.restoring-*.partial"):
            for leftover in database.parent.glob(pattern):
                leftover.unlink()  # left by a restore that was killed: we hold the lock, so none is running
        staged = database.with_name(f".{database.name}.restoring-{os.getpid()}")
        previous = database.stat() if database.exists() else None
        try:
            copied = copy_database(source, staged, source_is_idle=True,
                                   mode=stat.S_IMODE(previous.st_mode) if previous is not None else 0o644)
        except BackupError as error:
            raise RestoreError(_refusal(error, source), reason=error.reason) from None
        try:
            latest = latest_version()
            if copied.schema_version > latest:
                raise RestoreError(
                    f"{str(source)!r} was written by a newer version of the bot (schema version "
                    f"{copied.schema_version}; this one knows up to {latest}): update the bot first; nothing was "
                    "changed.", reason="too_new",
                )
            pledges, servers = _contents(staged, source)
            if previous is not None:  # the bot's user must still own its database
                with contextlib.suppress(OSError):
                    os.chown(staged, previous.st_uid, previous.st_gid)
            replaced = _swap(staged, database, now)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
    finally:
        lock.release()
    return Restored(database, source, copied.schema_version, replaced, pledges, servers)


def _refusal(error: BackupError, source: Path) -> str:
    """The copy's refusal, said of the file being restored."""
    if error.reason == "not_sqlite":
        return f"{str(source)!r} is not an SQLite database, so it is not a backup of the lounge; nothing was changed."
    if error.reason == "damaged":
        return (f"{str(source)!r} is damaged (it fails SQLite's integrity check; a truncated or half-copied file "
                "looks like this): choose another backup; nothing was changed.")
    if error.reason == "empty_database":
        return f"{str(source)!r} is an SQLite database but holds no Losers Lounge data; nothing was changed."
    return str(error).replace("nothing was written", "nothing was changed")


def _contents(staged: Path, source: Path) -> tuple[int, int]:
    """(pledges, servers with settings) in the checked copy of `source`, for the host to recognise it."""
    connection = sqlite3.connect(f"file:{quote(str(staged.resolve()))}?mode=ro", uri=True)
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        if "bot_state" not in names:
            raise RestoreError(f"{str(source)!r} is an SQLite database but not a Losers Lounge one; nothing was "
                               "changed.", reason="not_lounge")
        pledges = connection.execute("SELECT COUNT(*) FROM pledges").fetchone()[0] if "pledges" in names else 0
        servers = connection.execute("SELECT COUNT(*) FROM guild_settings").fetchone()[0] \
            if "guild_settings" in names else 0
    finally:
        connection.close()
    return int(pledges), int(servers)


def _swap(staged: Path, database: Path, now: datetime) -> Path | None:
    replaced: Path | None = None
    wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
    if database.exists():
        if wal.exists():
            _fold_wal(database)
        replaced = replaced_name(database, now)
        os.link(database, replaced)
        if wal.exists():  # the fold failed: keep the log beside the kept file, where SQLite looks for it
            os.link(wal, Path(f"{replaced}-wal"))
    wal.unlink(missing_ok=True)
    shm.unlink(missing_ok=True)
    os.replace(staged, database)
    sync_folder(database.parent)
    return replaced


def _fold_wal(database: Path) -> None:
    """Checkpoint the old database's log into it, so the kept file is whole on its own (best effort:
    a damaged database is kept with its ``-wal`` beside it instead)."""
    with contextlib.suppress(sqlite3.Error):
        connection = sqlite3.connect(database, isolation_level=None)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            connection.close()  # the last connection to close removes -wal and -shm
