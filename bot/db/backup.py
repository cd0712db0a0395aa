"""A consistent copy of an SQLite database, taken while the bot keeps writing to it.

Copying the file of a WAL database mid-write can give a torn copy (half the pages
from before a commit, half from after, and the commits still in the ``-wal``
missed). :func:`copy_database` uses SQLite's online backup API instead, which
copies pages through SQLite itself:

* **One snapshot, copied in small steps.** The source connection opens a read
  transaction first and keeps it until the last page is copied. In WAL mode a
  reader never blocks the bot's writer, so the bot commits as usual meanwhile, and
  every step copies pages of that one snapshot. Without the open transaction,
  each step would begin a new read, see the bot's latest commit, and restart the
  whole copy from page 1: against a bot that commits every few milliseconds, a
  backup that never ends (tried). Between steps the copying thread pauses, and
  every few dozen MB it flushes what it wrote, so it never saturates the disk the
  bot fsyncs its commits to.
* **Checked before it counts.** The copy must pass ``PRAGMA integrity_check`` and
  carry the snapshot's migration version (``user_version``). It is turned into a
  self-contained file (``journal_mode=DELETE``: no ``-wal`` beside it).
* **Written atomically.** Everything goes to a temporary file in the target's
  folder; it is fsynced, then linked to its final name (which fails rather than
  replace an existing file) and the folder is fsynced. A backup that fails at
  any point, a full disk included, removes its temporary file: nothing is left.

:class:`FileSystem` holds the two calls a test cannot make fail for real on
every machine (free space, fsync); everything else is the real file system.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

STEP_PAGES = 256
"""Pages per backup step (1 MiB at SQLite's default 4 KiB page)."""
PAUSE_SECONDS = 0.002
"""Pause between steps: lets the bot's threads have the CPU and the disk."""
FLUSH_EVERY_BYTES = 8 * 1024 * 1024
"""fsync the copy this often: the bot's own commit fsyncs never queue behind more than a few MB of it."""
SPACE_MARGIN_BYTES = 8 * 1024 * 1024
INTEGRITY_LINES = 3
"""How many of integrity_check's complaints a message quotes."""
MEGABYTE = 1_000_000


class BackupError(Exception):
    """A copy could not be made; ``str(error)`` is one sentence for the host, nothing was left behind.

    ``reason`` names the rule (``disk_full``, ``not_writable``, ``not_sqlite``, ``damaged``,
    ``target_exists``, ``no_database``, ``empty_database``, ``cancelled`` …) and ``facts`` holds
    what it was about, as for the domain errors.
    """

    def __init__(self, message: str, *, reason: str, **facts: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.facts: dict[str, Any] = facts


def _free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


@dataclass(frozen=True, slots=True)
class FileSystem:
    """The calls whose failures tests inject (a real full disk needs a mount)."""

    free_bytes: Callable[[Path], int] = _free_bytes
    fsync: Callable[[int], None] = os.fsync


REAL_FILE_SYSTEM = FileSystem()


@dataclass(frozen=True, slots=True)
class Copied:
    """A finished, checked copy."""

    path: Path
    schema_version: int
    size_bytes: int
    seconds: float
    pages: int


@dataclass(slots=True)
class _Progress:
    """Called by sqlite3 between steps, in the copying thread."""

    pause: float
    cancel: threading.Event | None
    flush: Callable[[], None]
    page_size: int
    between_steps: Callable[[], None] | None
    last_remaining: int | None = None
    unflushed_pages: int = 0

    def __call__(self, status: int, remaining: int, total: int) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise _Cancelled
        if self.last_remaining is not None and remaining > self.last_remaining:
            raise _Restarted  # impossible while our read transaction holds the snapshot
        copied = (self.last_remaining if self.last_remaining is not None else total) - remaining
        self.last_remaining = remaining
        self.unflushed_pages += copied
        if self.unflushed_pages * self.page_size >= FLUSH_EVERY_BYTES:
            self.flush()
            self.unflushed_pages = 0
        if remaining > 0:
            if self.between_steps is not None:
                self.between_steps()
            if self.pause > 0:
                time.sleep(self.pause)


class _Cancelled(Exception):
    pass


class _Restarted(Exception):
    pass


def copy_database(
    source: Path,
    target: Path,
    *,
    source_is_idle: bool = False,
    step_pages: int = STEP_PAGES,
    pause: float = PAUSE_SECONDS,
    cancel: threading.Event | None = None,
    fs: FileSystem = REAL_FILE_SYSTEM,
    mode: int | None = None,
    between_steps: Callable[[], None] | None = None,
) -> Copied:
    """Copy `source` to the new file `target`, checked and atomic (see the module docstring).

    `source_is_idle`: nobody writes the source (a backup handed to restore). A WAL
    file without its ``-wal`` is then opened ``immutable``, so that reading it leaves
    no ``-wal``/``-shm`` behind; a live database is always opened normally. `mode`: the
    copy's permission bits (default: the source's, so a backup is as private as the database).
    `between_steps` runs in the copying thread after every step (tests commit a write there).
    Raises :class:`BackupError`; on any failure `target` does not exist afterwards.
    """
    started = time.perf_counter()
    folder = _check_target(target)
    with _open_source(source, idle=source_is_idle) as src:
        version, pages, page_size = _snapshot(src, source)
        needed = pages * page_size
        free = fs.free_bytes(folder)
        if free < needed + needed // 20 + SPACE_MARGIN_BYTES:
            raise BackupError(
                f"There is not enough free space in {str(folder)!r} for a copy of {str(source)!r}: it needs "
                f"about {_mb(needed)} and {_mb(free)} are free. Free some space or choose another place; "
                "nothing was written.",
                reason="disk_full", needed_bytes=needed, free_bytes=free,
            )
        temporary = _temporary_file(folder, target)
        try:
            _copy_pages(src, source, temporary, step_pages=step_pages, pause=pause, cancel=cancel, fs=fs,
                        page_size=page_size, between_steps=between_steps)
            src.execute("COMMIT")  # end the snapshot now: the bot may checkpoint while we check the copy
            _check_copy(temporary, version, source)
            os.chmod(temporary, mode if mode is not None else stat.S_IMODE(source.stat().st_mode))
            _durable_rename(temporary, target, fs)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    return Copied(target, version, target.stat().st_size, time.perf_counter() - started, pages)


# ---- the steps ----------------------------------------------------------------------------------


def _check_target(target: Path) -> Path:
    folder = target.parent
    if target.exists() or target.is_symlink():
        raise BackupError(f"{str(target)!r} already exists: choose another name; nothing was written.",
                          reason="target_exists", target=str(target))
    if not folder.exists():
        raise BackupError(f"The folder {str(folder)!r} does not exist: create it or choose another place; "
                          "nothing was written.", reason="no_folder", folder=str(folder))
    if not folder.is_dir():
        raise BackupError(f"{str(folder)!r} is a file, not a folder: choose another place; nothing was written.",
                          reason="not_a_folder", folder=str(folder))
    return folder


@contextlib.contextmanager
def _open_source(source: Path, *, idle: bool) -> Iterator[sqlite3.Connection]:
    if not source.is_file():
        what = "a folder" if source.is_dir() else "no file"
        raise BackupError(f"There is {what} at {str(source)!r}, not a database: nothing to copy.",
                          reason="no_database", source=str(source))
    # A live database is opened read-write (and query_only): when no bot runs, this connection is the last
    # to close and removes the -wal and -shm that opening a WAL database creates; read-only, it would leave
    # them behind. A file handed to restore is opened read-only, immutable when it has no -wal to read.
    query = "mode=ro" if idle or not os.access(source, os.W_OK) else "mode=rw"
    if idle and _is_wal_file(source) and not Path(f"{source}-wal").exists():
        query += "&immutable=1"
    try:
        connection = sqlite3.connect(f"file:{quote(str(source.resolve()))}?{query}", uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise BackupError(f"{str(source)!r} cannot be opened: {error}.", reason="unreadable",
                          source=str(source)) from None
    try:
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA busy_timeout = 5000")
        yield connection
    finally:
        connection.close()


def _is_wal_file(path: Path) -> bool:
    with contextlib.suppress(OSError), path.open("rb") as file:
        header = file.read(20)
        return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02"
    return False


def _snapshot(src: sqlite3.Connection, source: Path) -> tuple[int, int, int]:
    """Open the read transaction that pins the snapshot; return (user_version, pages, page size)."""
    try:
        src.execute("BEGIN")
        src.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
        version = int(src.execute("PRAGMA user_version").fetchone()[0])
        pages = int(src.execute("PRAGMA page_count").fetchone()[0])
        page_size = int(src.execute("PRAGMA page_size").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise _source_error(error, source) from None
    if version == 0:
        raise BackupError(f"{str(source)!r} holds no Losers Lounge data (its schema version is 0): nothing to copy.",
                          reason="empty_database", source=str(source))
    return version, pages, page_size


def _temporary_file(folder: Path, target: Path) -> Path:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise _write_error(error, folder) from None
    os.close(fd)
    return Path(name)


def _copy_pages(
    src: sqlite3.Connection,
    source: Path,
    temporary: Path,
    *,
    step_pages: int,
    pause: float,
    cancel: threading.Event | None,
    fs: FileSystem,
    page_size: int,
    between_steps: Callable[[], None] | None,
) -> None:
    dest = sqlite3.connect(temporary, isolation_level=None)
    flush_fd = os.open(temporary, os.O_RDONLY | os.O_CLOEXEC)
    try:
        # Nothing to roll back in a file nobody else sees yet: no journal, and we fsync ourselves.
        dest.execute("PRAGMA journal_mode = OFF")
        dest.execute("PRAGMA synchronous = OFF")
        progress = _Progress(pause, cancel, lambda: fs.fsync(flush_fd), page_size, between_steps)
        try:
            src.backup(dest, pages=step_pages, progress=progress)
        except _Cancelled:
            raise BackupError("The backup was stopped before it finished; nothing was written.",
                              reason="cancelled") from None
        except _Restarted:
            raise BackupError(f"{str(source)!r} changed under the backup's snapshot; nothing was written.",
                              reason="restarted") from None
        except sqlite3.DatabaseError as error:
            code = getattr(error, "sqlite_errorname", "")
            reading = code.startswith(("SQLITE_IOERR_READ", "SQLITE_IOERR_SHORT_READ"))
            if not reading and code.startswith(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY")):
                raise _write_error(error, temporary.parent, sqlite_code=code) from None
            raise _source_error(error, source) from None
        except OSError as error:  # our own fsync between steps
            raise _write_error(error, temporary.parent) from None
        dest.execute("PRAGMA journal_mode = DELETE")  # a self-contained file: the header no longer says WAL
    finally:
        os.close(flush_fd)
        dest.close()


def _check_copy(temporary: Path, version: int, source: Path) -> None:
    connection = sqlite3.connect(f"file:{quote(str(temporary.resolve()))}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchmany(INTEGRITY_LINES)]
        copied_version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()
    if problems != ["ok"]:
        raise BackupError(
            f"The copy of {str(source)!r} fails SQLite's integrity check ({'; '.join(problems)}), so the "
            "database itself is probably damaged; nothing was written.",
            reason="damaged", problems=problems,
        )
    if copied_version != version:
        raise BackupError(f"The copy of {str(source)!r} has schema version {copied_version}, not {version}; "
                          "nothing was written.", reason="version_mismatch")


def _durable_rename(temporary: Path, target: Path, fs: FileSystem) -> None:
    """fsync the file, give it its name without replacing anything, fsync the folder."""
    try:
        fd = os.open(temporary, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fs.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise _write_error(error, temporary.parent) from None
    try:
        os.link(temporary, target)  # fails if `target` appeared meanwhile: never replace a file
    except FileExistsError:
        raise BackupError(f"{str(target)!r} already exists: choose another name; nothing was written.",
                          reason="target_exists", target=str(target)) from None
    except OSError:  # a file system without hard links (FAT on a USB stick)
        if target.exists():
            raise BackupError(f"{str(target)!r} already exists: choose another name; nothing was written.",
                              reason="target_exists", target=str(target)) from None
        os.rename(temporary, target)
    else:
        temporary.unlink()
    try:
        sync_folder(target.parent, fs)
    except OSError as error:
        target.unlink(missing_ok=True)
        raise _write_error(error, target.parent) from None


def sync_folder(folder: Path, fs: FileSystem = REAL_FILE_SYSTEM) -> None:
    """fsync a folder, so that a rename in it survives a power cut."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fs.fsync(fd)
    finally:
        os.close(fd)


# ---- errors in one sentence ---------------------------------------------------------------------


def _source_error(error: sqlite3.DatabaseError, source: Path) -> BackupError:
    code = getattr(error, "sqlite_errorname", "")
    if code == "SQLITE_NOTADB":
        return BackupError(f"{str(source)!r} is not an SQLite database: nothing was copied.",
                           reason="not_sqlite", source=str(source))
    if code.startswith("SQLITE_CORRUPT"):
        return BackupError(f"{str(source)!r} is damaged (SQLite: {error}), perhaps truncated: nothing was copied.",
                           reason="damaged", source=str(source))
    return BackupError(f"{str(source)!r} cannot be read: {error}.", reason="unreadable", source=str(source))


def _write_error(error: BaseException, folder: Path, *, sqlite_code: str = "") -> BackupError:
    number = getattr(error, "errno", None)
    if sqlite_code == "SQLITE_FULL" or number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return BackupError(f"The disk holding {str(folder)!r} is full: free some space or choose another place; "
                           "nothing was written.", reason="disk_full", folder=str(folder))
    if isinstance(error, PermissionError) or number in (errno.EACCES, errno.EPERM, errno.EROFS) \
            or sqlite_code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return BackupError(f"{str(folder)!r} is not writable: choose a folder you can write to; nothing was written.",
                           reason="not_writable", folder=str(folder))
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return BackupError(f"Writing to {str(folder)!r} failed ({detail}): nothing was written.",
                       reason="write_failed", folder=str(folder))


def _mb(size: int) -> str:
    return f"{max(1, round(size / MEGABYTE)):,} MB"
