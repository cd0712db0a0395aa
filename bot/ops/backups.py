"""Where backups go and when they are taken: by hand, before a migration, every N minutes of a live show.

Every backup is a :func:`bot.db.backup.copy_database` copy into ``backups/`` beside
the database, named by the UTC time it was taken:

* ``lounge-20250915-000000.db``: ``python -m bot backup`` (kept until you delete it);
* ``lounge-before-v8-20250915-000000.db``: taken by the bot before it migrates a
  database to schema 8 (kept);
* ``lounge-auto-20250915-000000.db``: taken while a ceremony is live, every
  ``BACKUP_EVERY_MINUTES``; only the last ``BACKUP_KEEP`` of these are kept.

The automatic ones run in a child process (:mod:`bot.ops.backup_worker`), at a lower
CPU priority, copying a megabyte at a time: the event loop keeps answering
interactions meanwhile (the cost is measured by ``bench/backup_cost.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.clock import Clock
from bot.db.backup import BackupError, Copied, copy_database
from bot.domain.announcer.alerts import AlertStore
from bot.domain.ceremonies.service import CeremonyService

log = logging.getLogger(__name__)

AUTOMATIC = "auto"
FAILED_ALERT = "backup:failed"

BackupRunner = Callable[[Path, Path], Coroutine[Any, Any, Copied]]
"""Copies a database (source, target) off the event loop; raises :class:`BackupError`."""


def backups_folder(database: Path) -> Path:
    """``data/lounge.db`` → ``data/backups``."""
    return database.parent / "backups"


def backup_name(database: Path, moment: datetime, kind: str | None = None) -> str:
    """``lounge-20250915-000000.db``, or ``lounge-auto-20250915-000000.db`` for a `kind`."""
    stamp = moment.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{database.stem}-{kind}-{stamp}.db" if kind else f"{database.stem}-{stamp}.db"


def unused_path(folder: Path, name: str) -> Path:
    """`folder/name`, or ``…-2.db``, ``…-3.db`` when a backup of the same second exists."""
    candidate = folder / name
    stem, suffix = os.path.splitext(name)
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def default_target(database: Path, moment: datetime, kind: str | None = None) -> Path:
    """The next free name in ``backups/`` beside the database (the folder is created)."""
    folder = backups_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    return unused_path(folder, backup_name(database, moment, kind))


def automatic_backups(database: Path) -> list[Path]:
    """The automatic backups of `database`, oldest first."""
    pattern = re.compile(rf"^{re.escape(database.stem)}-{AUTOMATIC}-(\d{{8}}-\d{{6}})(?:-(\d+))?\.db$")
    found: list[tuple[str, int, Path]] = []
    folder = backups_folder(database)
    if folder.is_dir():
        for path in folder.iterdir():
            match = pattern.match(path.name)
            if match:
                found.append((match.group(1), int(match.group(2) or 1), path))
    return [path for _stamp, _number, path in sorted(found)]


def prune_automatic(database: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` automatic backups, and any automatic backup left half-written by a
    crash (only the bot that holds the database takes automatic backups, one at a time). Returns what went."""
    backups = automatic_backups(database)
    doomed = backups[:-keep] if keep > 0 else backups
    folder = backups_folder(database)
    if folder.is_dir():
        doomed += sorted(folder.glob(f".{database.stem}-{AUTOMATIC}-*.partial"))
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def schema_version(database: Path) -> int | None:
    """``user_version`` of a database file, read-only; None when there is no readable database."""
    if not database.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{quote(str(database.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def backup_before_migrating(database: Path, latest: int, now: datetime) -> Copied | None:
    """Back up a database that holds data and is about to be migrated to `latest`; None when there is none.

    Raises :class:`BackupError`: the caller must not migrate then.
    """
    version = schema_version(database)
    if version is None or version == 0 or version >= latest:
        return None
    return copy_database(database, default_target(database, now, f"before-v{latest}"))


async def backup_in_child_process(source: Path, target: Path) -> Copied:
    """:func:`copy_database` in ``python -m bot.ops.backup_worker``; cancelling stops it cleanly (SIGTERM)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.ops.backup_worker", str(source), str(target),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await process.communicate()
    except BaseException:
        if process.returncode is None:
            process.terminate()  # the worker stops at its next step and removes its temporary file
            await process.wait()
        raise
    lines = out.decode(errors="replace").strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else {}
    except ValueError:
        report = {}
    if "error" in report:
        raise BackupError(str(report["error"]), reason=str(report["reason"]))
    if process.returncode != 0 or "path" not in report:
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
        raise BackupError(f"The backup process failed ({detail[0]}); nothing was written.", reason="worker_failed")
    return Copied(Path(report["path"]), int(report["schema_version"]), int(report["size_bytes"]),
                  float(report["seconds"]), int(report["pages"]))


class AutomaticBackups:
    """Backs up every tick while a ceremony is live (and once more at the tick after it ends), keeping `keep`.

    A failure is logged and shown to the hosts of every live server (``/settings show``)
    until a backup succeeds again; the night goes on either way.
    """

    def __init__(
        self,
        database: Path,
        *,
        keep: int,
        clock: Clock,
        ceremonies: CeremonyService,
        alerts: AlertStore,
        run: BackupRunner = backup_in_child_process,
    ) -> None:
        self.database = database
        self.keep = keep
        self._clock = clock
        self._ceremonies = ceremonies
        self._alerts = alerts
        self._run = run
        self._running: asyncio.Task[Copied] | None = None
        self._closed = False
        self._was_live = False
        self._alerted: set[int] = set()

    async def tick(self) -> Copied | None:
        """Take a backup if one is due now; return it (None when none was due or it failed)."""
        live = await self._ceremonies.live_guild_ids()
        due = bool(live) or self._was_live  # one last backup after the show ends
        self._was_live = bool(live)
        if not due or self._closed:
            return None
        try:
            target = default_target(self.database, self._clock(), AUTOMATIC)
            self._running = asyncio.create_task(self._run(self.database, target), name="automatic-backup")
            copied = await self._running
        except (BackupError, OSError) as error:
            reason = str(error) if isinstance(error, BackupError) else (
                f"the folder {str(backups_folder(self.database))!r} cannot be created ({error.strerror}).")
            log.warning("automatic backup failed: %s", reason)
            await self._alert(live, f"The automatic backup failed: {reason}")
            return None
        pruned = prune_automatic(self.database, self.keep)
        log.info("automatic backup %s (%.1f MB, %.1f s); removed %d older", copied.path,
                 copied.size_bytes / 1e6, copied.seconds, len(pruned))
        await self._clear_alerts()
        return copied

    async def close(self) -> None:
        """Stop a backup in progress (its temporary file is removed) and wait until it has stopped."""
        self._closed = True
        running = self._running
        if running is not None and not running.done():
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError, BackupError):
                await running

    async def _alert(self, guild_ids: list[int], message: str) -> None:
        now = self._clock()
        for guild_id in guild_ids:
            await self._alerts.raise_alert(guild_id, FAILED_ALERT, message, now)
            self._alerted.add(guild_id)

    async def _clear_alerts(self) -> None:
        for guild_id in sorted(self._alerted):
            await self._alerts.clear(guild_id, FAILED_ALERT)
        self._alerted.clear()
