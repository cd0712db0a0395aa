"""Who holds the database: an exclusive ``flock`` on a lock file beside it.

The bot takes the lock when it starts and keeps it for its whole life; ``python -m
bot restore`` takes the same lock, without waiting, before it swaps a file in. The
kernel releases a ``flock`` when its holder's file is closed, so a bot that crashed,
was killed with ``kill -9`` or lost its machine's power never leaves a stale lock
behind — unlike a pid file, which would need guessing whether its pid is still the
bot. The file holds the holder's pid and purpose (``4242 bot``), for the message of
whoever is refused; it is never deleted (deleting a lock file races with its next
holder).

Local file systems only: over NFS ``flock`` may not exclude another machine.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path


def lock_path(database: Path) -> Path:
    """``data/lounge.db`` → ``data/lounge.db.lock``."""
    return database.with_name(database.name + ".lock")


class DatabaseInUse(Exception):
    """Another process holds the database's lock."""

    def __init__(self, database: Path, pid: int | None, purpose: str | None) -> None:
        self.database = database
        self.pid = pid
        self.purpose = purpose
        super().__init__(f"{self.holder} is using the database {str(database)!r}")

    @property
    def holder(self) -> str:
        """Who holds it, for a sentence: ``a bot (pid 4242)``."""
        what = "bot" if self.purpose in (None, "bot") else self.purpose
        return f"a {what}" + (f" (pid {self.pid})" if self.pid is not None else "")


class DatabaseLock:
    """The held lock; :meth:`release` (or process exit) lets the next holder in."""

    def __init__(self, database: Path, fd: int) -> None:
        self.database = database
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: Path, purpose: str = "bot") -> DatabaseLock:
        """Take the lock without waiting; raise :class:`DatabaseInUse` when someone holds it."""
        database.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            pid, held_for = _holder(fd)
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise DatabaseInUse(database, pid, held_for) from None
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {purpose}\n".encode(), 0)
        return cls(database, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the last descriptor of the open file releases the flock


def holder_of(database: Path) -> DatabaseInUse | None:
    """Who holds the database's lock right now, or None (takes and drops it at once, writes nothing)."""
    try:
        fd = os.open(lock_path(database), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None  # no bot has ever run on it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid, purpose = _holder(fd)
        return DatabaseInUse(database, pid, purpose)
    finally:
        os.close(fd)
    return None


def _holder(fd: int) -> tuple[int | None, str | None]:
    with contextlib.suppress(OSError, ValueError):
        words = os.pread(fd, 64, 0).decode().split()
        if words:
            return int(words[0]), (words[1] if len(words) > 1 else None)
    return None, None
