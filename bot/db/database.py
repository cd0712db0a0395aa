"""The process's SQLite connections and its single, group-committing writer.

Two connections: one that only the writer task uses, and one for reads
(``query_only``). In WAL mode readers never wait for writers, so while the writer
waits for a lock held by another process (a backup, a host's sqlite shell) the
bot keeps answering reads inside Discord's 3-second deadline, and a read never
sees a write that is not yet committed. Every write is a *unit of work*: an async
function that receives a :class:`Transaction`. Units are queued to one writer
task, which runs as many as are waiting inside a single ``BEGIN IMMEDIATE`` …
``COMMIT``, each under its own SAVEPOINT so that one unit's error rolls back only
that unit. A caller is woken only after the commit that holds its unit, so an
acknowledgement always follows a durable write, and one fsync serves a whole
burst ("group commit").

Pragmas, chosen on purpose:

* ``journal_mode=WAL``: readers never block the writer, and a commit is one
  append to the log.
* ``synchronous=FULL``: every commit is fsynced before the caller is woken. In
  WAL mode ``NORMAL`` survives a crash of the process but can lose the last
  commits on a power cut or OS crash; a pledge we have acknowledged must not
  vanish, and group commit makes the extra fsync cheap (one per batch).
* ``foreign_keys=ON``: SQLite leaves them off by default.
* ``busy_timeout=1500``: another process holding the write lock (a backup, a
  host's sqlite shell) makes us wait up to 1.5 s before we report the database
  busy, which still leaves time to answer inside Discord's 3-second deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.domain.errors import StorageUnavailable

log = logging.getLogger(__name__)

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")

# Short enough that a locked database still gets the member an answer inside
# Discord's 3-second interaction deadline.
BUSY_TIMEOUT_MS = 1500
MAX_UNITS_PER_COMMIT = 256

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA temp_store=MEMORY",
)


class Transaction:
    """The handle a unit of work uses; valid only while its unit runs."""

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cursor = await self._conn.execute(sql, params)
        changed = cursor.rowcount
        await cursor.close()
        return changed

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; return the new row's id."""
        cursor = await self._conn.execute(sql, params)
        row_id = cursor.lastrowid
        await cursor.close()
        if row_id is None:
            raise RuntimeError("INSERT produced no row id")
        return row_id

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)


@dataclass
class _Unit:
    work: Callable[[Transaction], Awaitable[Any]]
    done: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Database:
    """The writer's connection and task, and the connection for reads."""

    def __init__(self, conn: aiosqlite.Connection, reader: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._reader = reader
        self.path = path
        self._queue: asyncio.Queue[_Unit | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._closed = False
        self.commits = 0
        self.units_committed = 0
        self._commit_listeners: list[Callable[[], None]] = []

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating the folder and file if needed) and set the pragmas."""
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as error:
            raise StorageUnavailable(f"cannot open the database at {path}: {error}") from error
        conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        reader = await aiosqlite.connect(str(path), isolation_level=None)
        reader.row_factory = sqlite3.Row
        for pragma in (*PRAGMAS, "PRAGMA query_only=ON"):
            await reader.execute(pragma)
        database = cls(conn, reader, path)
        database._writer = asyncio.create_task(database._write_loop(), name="database-writer")
        return database

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit (e.g. to wake the outbox sender)."""
        self._commit_listeners.append(listener)

    def remove_commit_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._commit_listeners:
            self._commit_listeners.remove(listener)

    @property
    def connection(self) -> aiosqlite.Connection:
        """The raw connection, for migrations and benchmarks only."""
        return self._conn

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Read committed data; never waits for the writer."""
        try:
            return list(await self._reader.execute_fetchall(sql, params))
        except sqlite3.OperationalError as error:
            raise StorageUnavailable(str(error)) from error

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` in a committed transaction and return its result.

        Returns only after the commit; raises what `work` raised (its changes
        rolled back, the other units of the batch unaffected), or
        :class:`StorageUnavailable` if the database cannot be written.
        """
        if self._closed:
            raise StorageUnavailable("the database is closed")
        unit = _Unit(work)
        await self._queue.put(unit)
        result: T = await asyncio.shield(unit.done)
        return result

    async def close(self) -> None:
        """Finish every queued write, then close the connection."""
        if self._closed:
            return
        self._closed = True
        closed_cleanly = False
        try:
            await self._queue.put(None)
            if self._writer is not None:
                await self._writer
            with contextlib.suppress(sqlite3.Error):
                await self._conn.execute("PRAGMA optimize")
            await self._conn.close()
            await self._reader.close()
            closed_cleanly = True
        finally:
            if not closed_cleanly:
                # Cancelled midway: never leave aiosqlite's thread running, it would
                # keep the process alive after the event loop has gone.
                self._conn.stop()
                self._reader.stop()

    async def _write_loop(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < MAX_UNITS_PER_COMMIT and not self._queue.empty():
                unit = self._queue.get_nowait()
                if unit is None:
                    stopping = True
                    break
                batch.append(unit)
            await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[_Unit]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        tx = Transaction(self._conn)
        try:
            await self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self._fail(batch, error)
            return
        try:
            for unit in batch:
                await self._conn.execute("SAVEPOINT unit")
                try:
                    value = await unit.work(tx)
                except Exception as error:  # the unit's own failure: undo it, keep the batch
                    await self._conn.execute("ROLLBACK TO unit")
                    await self._conn.execute("RELEASE unit")
                    if isinstance(error, sqlite3.OperationalError):
                        error = StorageUnavailable(str(error))
                    outcomes.append((False, error))
                else:
                    await self._conn.execute("RELEASE unit")
                    outcomes.append((True, value))
            await self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                await self._conn.execute("ROLLBACK")
            self._fail(batch, error)
            return
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await self._conn.execute("ROLLBACK")
            self._fail(batch, StorageUnavailable("the write was interrupted"))
            raise
        self.commits += 1
        self.units_committed += len(batch)
        for listener in self._commit_listeners:
            listener()
        for unit, (ok, value) in zip(batch, outcomes, strict=True):
            if unit.done.done():
                continue
            if ok:
                unit.done.set_result(value)
            else:
                unit.done.set_exception(value)

    @staticmethod
    def _fail(batch: list[_Unit], error: BaseException) -> None:
        log.warning("a write batch of %d unit(s) failed: %s", len(batch), error)
        reason = error if isinstance(error, StorageUnavailable) else StorageUnavailable(str(error))
        for unit in batch:
            if not unit.done.done():
                unit.done.set_exception(reason)
