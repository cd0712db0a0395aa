"""The process's SQLite connections and its single, group-committing writer.

Connections: one that only the writer task uses, and two for reads (``query_only``).
In WAL mode readers never wait for writers, so while the writer waits for a lock
held by another process (a backup, a host's sqlite shell) the bot keeps answering
reads inside Discord's 3-second deadline, and a read never sees a write that is not
yet committed. A read first runs on the event loop's own thread, on a connection
that never waits (``busy_timeout=0``) and may run :data:`QUICK_READ_STEPS` virtual-
machine steps (a millisecond or two): nearly every read of an interaction is a few
indexed rows, which cost far less than a hand-off to a thread and back. A read that
goes over, or meets a lock, is interrupted and run again on aiosqlite's reader thread,
which waits as long as ``busy_timeout`` allows. Every write is a *unit of work*: an async
function that receives a :class:`Transaction`. Units are queued to one writer
task, which runs as many as are waiting inside a single ``BEGIN IMMEDIATE`` …
``COMMIT``, each under its own SAVEPOINT so that one unit's error rolls back only
that unit; the whole batch runs on the writer connection's thread in one
hand-off. A caller is woken only after the commit that holds its unit, so an
acknowledgement always follows a durable write, and one fsync serves a whole
burst ("group commit"); while writes keep coming a few milliseconds apart, the writer
waits out a short window so that several share a commit (:mod:`bot.db.commit_window`).

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

A few small answers nearly every interaction asks for (the current ceremony, the server's
settings, a board's top) are kept between commits: :meth:`Database.remembered` (and
:func:`remembered_by`, for code given any reader) keeps an answer under the
database's version as SQLite's WAL-index header holds it, so any commit, by any connection
of any process, makes the next request read again, and a request costs no SQLite call at
all while nothing was committed (see :class:`_WalVersion`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mmap
import os
import sqlite3
import sys
import threading
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.db.commit_window import CommitWindow
from bot.domain.errors import StorageUnavailable

log = logging.getLogger(__name__)

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")

# Short enough that a locked database still gets the member an answer inside
# Discord's 3-second interaction deadline.
BUSY_TIMEOUT_MS = 1500
MAX_UNITS_PER_COMMIT = 256
QUICK_READ_STEPS = 200_000
"""Virtual-machine steps a read may take on the event loop before it moves to the reader thread."""
_PROGRESS_EVERY = 1_000
REMEMBERED_MAX = 4096
"""Answers :meth:`Database.remembered` keeps at most (all are dropped when full)."""
_WAL_INDEX_HEADER = 48

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA temp_store=MEMORY",
)


def _changed(raw: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = raw.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _inserted(raw: sqlite3.Connection, sql: str, params: Params) -> int | None:
    cursor = raw.execute(sql, params)
    try:
        return cursor.lastrowid
    finally:
        cursor.close()


async def in_thread(conn: aiosqlite.Connection, function: Callable[..., T], *args: Any) -> T:
    """Run `function(raw connection, *args)` on `conn`'s thread: one hand-off there and back.

    aiosqlite's own ``execute`` then ``cursor.close()`` are two; this is its ``_execute``
    (private, but what each of its public methods is made of; aiosqlite is pinned below 0.23).
    """
    result: T = await conn._execute(function, conn._conn, *args)  # type: ignore[no-untyped-call]
    return result


class Transaction:
    """The handle a unit of work uses; valid only while its unit runs.

    A unit runs on the writer's thread, inside its batch's transaction (see
    :meth:`Database.write`): these methods are ``async`` so that a unit reads as the rest of
    the code does, but each runs its statement at once and never suspends."""

    __slots__ = ("_raw", "kept", "notified")

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw
        self.notified: set[str] = set()
        """The topics units of this batch wrote to (:meth:`notify`)."""
        self.kept: list[tuple[tuple[Any, ...], Any]] = []
        """This unit's answers for :meth:`Database.tracked` (:meth:`keep`)."""

    def keep(self, table: str, key: tuple[Any, ...], value: Any) -> None:
        """Say that `value` is the answer :meth:`Database.tracked` gives about `table`'s rows of
        `key` once this unit is committed (read inside it, after its writes): it is kept, unless a
        later unit of the batch touches those rows or another process commits meanwhile, so the
        caller need not read it again after the commit."""
        self.kept.append(((table, *key), value))

    def notify(self, topic: str) -> None:
        """Say that this unit wrote what `topic`'s listeners wait for (e.g. an announcement to
        send): they are called after the commit (:meth:`Database.add_commit_listener`)."""
        self.notified.add(topic)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        return _changed(self._raw, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; return the new row's id."""
        row_id = _inserted(self._raw, sql, params)
        if row_id is None:
            raise RuntimeError("INSERT produced no row id")
        return row_id

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        self._raw.executemany(sql, rows).close()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        rows: list[Row] = self._raw.execute(sql, params).fetchall()
        return rows

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None


Work = Callable[[Transaction], Awaitable[Any]]


class UnitSuspended(RuntimeError):
    """A unit of work awaited something other than its :class:`Transaction` (a sleep, a lock, a
    network call): it cannot run inside the writer's transaction. A programming error."""


def _drive(unit: Awaitable[Any]) -> Any:
    """Run a unit's coroutine to its end on this thread: its only awaits are its Transaction's,
    which never suspend, so it finishes in one step."""
    coroutine = unit.__await__()
    try:
        yielded = coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
    raise UnitSuspended(f"a unit of work awaited something other than its Transaction ({yielded!r})")


Header = Callable[[], bytes | None]
Kept = list[tuple[tuple[Any, ...], Any, int]]
"""What the units of a batch kept (:meth:`Transaction.keep`): the key, the value, and how many
changes the TEMP triggers had noted when the unit ended."""


def _run_batch(
    raw: sqlite3.Connection, works: Sequence[Work], header: Header = lambda: None, noted: Callable[[], int] = lambda: 0
) -> tuple[list[tuple[bool, Any]], set[str], tuple[bytes | None, bytes | None], Kept]:
    """On the writer's thread: one transaction for the whole batch, each unit under its own
    savepoint, so that one unit's error rolls back only that unit (``ROLLBACK TO`` the newest
    savepoint of the name, then ``RELEASE`` it; a unit that succeeded leaves its savepoint open
    until the ``COMMIT``, which commits the whole stack); returns each unit's outcome,
    the topics the units notified, and the WAL-index header (`header()`) as the batch began,
    holding the write lock, and right after its commit (see :meth:`Database.tracked`), and what
    the units that succeeded kept (:meth:`Transaction.keep`, with `noted()` as they ended). Raises
    (the transaction rolled back) when the database itself fails: a lock not granted, a full disk."""
    raw.execute("BEGIN IMMEDIATE").close()
    began = header()  # the write lock is ours: nobody else can commit until our COMMIT ends
    try:
        tx = Transaction(raw)
        outcomes: list[tuple[bool, Any]] = []
        kept: Kept = []
        for work in works:
            tx.kept = []
            raw.execute("SAVEPOINT unit").close()
            try:
                value = _drive(work(tx))
            except Exception as error:  # the unit's own failure: undo it, keep the batch
                raw.execute("ROLLBACK TO unit").close()
                raw.execute("RELEASE unit").close()
                if isinstance(error, sqlite3.OperationalError):
                    error = StorageUnavailable(str(error))
                outcomes.append((False, error))
            else:  # kept, not released: a statement less a unit; the next unit's savepoint nests
                outcomes.append((True, value))  # inside it, so ROLLBACK TO unit undoes that unit alone
                mark = noted()
                kept.extend((key, answer, mark) for key, answer in tx.kept)
        raw.execute("COMMIT").close()
        committed = header()
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            raw.execute("ROLLBACK").close()
        raise
    return outcomes, tx.notified, (began, committed), kept


def _write_count(header: bytes) -> int:
    """The WAL-index header's ``iChange``: one more for every committed write transaction."""
    return int.from_bytes(header[8:12], sys.byteorder)


class _WalVersion:
    """The database's version, read from SQLite's WAL-index (the ``-shm`` file) without calling SQLite.

    The WAL-index starts with a 48-byte header that every commit rewrites before it returns
    (https://www.sqlite.org/walformat.html, "The WAL-Index Header": ``iChange`` counts write
    transactions, ``mxFrame`` the frames in the log, and a log restarted after a checkpoint has
    new salts). It is what SQLite itself compares to know whether its page cache is still good,
    and so what makes ``PRAGMA data_version`` move — but reading it here is a memory read,
    where a PRAGMA is a statement (which, in the running bot, costs about as much as the read
    it would save). The header as bytes is the version: any commit by any connection of any
    process changes it; a checkpoint changes it too (a needless re-read, never a stale one).
    The map stays valid while the database has a connection open (ours), so the file is not
    replaced under it.
    None when there is no WAL-index to map (an in-memory database): nothing is then kept.

    The file stays open until :meth:`close`, which must come after the database's SQLite
    connections are closed: SQLite's locks on the ``-shm`` are POSIX (``fcntl``) locks, and
    closing *any* descriptor of a file drops every such lock the process holds on it. Closed
    early, it let another process (a reader that found no lock held) truncate the ``-shm``
    under the bot's SQLite, which then died of SIGBUS (tests/resilience/test_crash.py).
    """

    def __init__(self, database: Path) -> None:
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        try:
            self._fd = os.open(f"{database}-shm", os.O_RDONLY | os.O_CLOEXEC)
            self._map = mmap.mmap(self._fd, _WAL_INDEX_HEADER, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            self._map = None  # nothing is kept; the descriptor, if open, waits for close() all the same

    def current(self) -> bytes | None:
        return None if self._map is None else self._map[:_WAL_INDEX_HEADER]

    def close(self) -> None:
        """Only once SQLite's connections to the database are closed (see above)."""
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass
class _Unit:
    work: Work
    done: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Database:
    """The writer's connection and task, and the connection for reads."""

    def __init__(self, conn: aiosqlite.Connection, reader: aiosqlite.Connection, path: Path,
                 quick: sqlite3.Connection | None = None, window: CommitWindow | None = None) -> None:
        self._conn = conn
        self._reader = reader
        self._quick = quick
        self._quick_budget = 0
        self._loop_thread = threading.get_ident()
        self.quick_reads = 0
        self.slow_reads = 0
        """Reads answered on the event loop, and those run on the reader thread (too long, or locked)."""
        self.path = path
        if quick is not None:
            quick.set_progress_handler(self._over_budget, _PROGRESS_EVERY)
        self._queue: asyncio.Queue[_Unit | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._closed = False
        self.commits = 0
        self.units_committed = 0
        self._commit_listeners: list[tuple[Callable[[], None], str | None]] = []
        self.window = window if window is not None else CommitWindow()
        """When a write waits for others to share its commit (see :mod:`bot.db.commit_window`)."""
        self._version = _WalVersion(path) if quick is not None else None
        self._remembered: dict[Hashable, tuple[tuple[int, bytes], Any]] = {}
        self.remembered_hits = 0
        self._tracked: dict[Hashable, Any] = {}
        self._tracked_by_table: dict[str, set[Hashable]] = {}
        """The keys of answers kept until a commit of ours writes one of a table's rows (:meth:`remembered`)."""
        self._tracked_tables: dict[str, tuple[str, ...]] = {}
        """The tables :meth:`track` watches, with the columns each batch's changes are noted by."""
        self._tracked_as_of: bytes | None = None
        """The WAL-index header the tracked answers are consistent with."""
        self._tracked_generation = 0
        self._batch_in_flight = False
        self._rows_changed: list[tuple[Any, ...]] = []
        """Written by the TEMP triggers on the writer's thread, during a batch, in order."""
        self.tracked_hits = 0

    @classmethod
    async def open(cls, path: Path, *, window: CommitWindow | None = None) -> Database:
        """Open (creating the folder and file if needed) and set the pragmas. `window`: the
        group-commit window (:class:`CommitWindow`'s default when None; ``CommitWindow(0)``
        commits every batch at once)."""
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
        quick = None
        if str(path) != ":memory:":  # another connection to ":memory:" would be another database
            quick = sqlite3.connect(str(path), isolation_level=None, cached_statements=256)
            quick.row_factory = sqlite3.Row
            for pragma in (*PRAGMAS, "PRAGMA query_only=ON", "PRAGMA busy_timeout=0"):
                quick.execute(pragma).close()
        database = cls(conn, reader, path, quick, window)
        database._writer = asyncio.create_task(database._write_loop(), name="database-writer")
        return database

    def add_commit_listener(self, listener: Callable[[], None], *, topic: str | None = None) -> None:
        """Call `listener` after every commit, or with a `topic` only after a commit in which a
        unit notified it (:meth:`Transaction.notify`: e.g. an announcement queued, to wake its
        sender). It is called before the units' callers are woken."""
        self._commit_listeners.append((listener, topic))

    def remove_commit_listener(self, listener: Callable[[], None]) -> None:
        self._commit_listeners = [entry for entry in self._commit_listeners if entry[0] != listener]

    @property
    def connection(self) -> aiosqlite.Connection:
        """The raw connection, for migrations and benchmarks only."""
        return self._conn

    def _over_budget(self) -> int:
        self._quick_budget -= 1
        return 1 if self._quick_budget < 0 else 0  # non-zero interrupts the statement

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Read committed data; never waits for the writer."""
        if threading.get_ident() != self._loop_thread:
            raise UnitSuspended("a unit of work read through the Database: read through its Transaction instead")
        if self._quick is not None:
            self._quick_budget = QUICK_READ_STEPS // _PROGRESS_EVERY
            try:
                rows: list[Row] = self._quick.execute(sql, params).fetchall()
            except sqlite3.OperationalError:
                pass  # interrupted (too long for the event loop) or locked: the reader thread answers
            else:
                self.quick_reads += 1
                return rows
        self.slow_reads += 1
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

    async def remembered(
        self, key: Hashable, read: Callable[[], Awaitable[T]], *, tables: tuple[str, ...] = ()
    ) -> T:
        """`read()`'s answer, kept under `key` until the database changes (any commit, by anyone).

        For small, immutable answers that many interactions ask for between two commits. The
        version is taken before reading, so an answer read while a commit lands is kept under
        the version before it and read again next time: nothing kept is older than the
        database was when its request began.

        With `tables` (every table the answer reads), it is kept across our commits too, until
        one of them writes a row of one of `tables` or anyone else commits anything (the rules
        of :meth:`tracked`): the server's settings and current ceremony outlive the pledges and
        picks committed all night, which never touch them.
        """
        if tables:
            return await self._kept_until_written(key, tables, read)
        header = None if self._version is None else self._version.current()
        # Our own commits are counted too: they are nearly every write, and are then seen even
        # were the mapped header ever not the file SQLite writes.
        version = None if header is None else (self.commits, header)
        if version is not None:
            kept = self._remembered.get(key)
            if kept is not None and kept[0] == version:
                self.remembered_hits += 1
                value: T = kept[1]
                return value
        value = await read()
        if version is not None:
            if len(self._remembered) >= REMEMBERED_MAX:
                self._remembered.clear()
            self._remembered[key] = (version, value)
        return value

    async def track(self, table: str, key_columns: tuple[str, ...]) -> None:
        """Let :meth:`tracked` keep answers about `table`'s rows, keyed on `key_columns` (once the
        table exists: after the migrations). TEMP triggers on the writer's connection (only
        there: other processes' connections, a host's sqlite shell, never see them) tell which
        keys each of our batches touched, a foreign key's cascade included. With no
        `key_columns`, only that the table was written (:meth:`remembered` with `tables`)."""
        if self._version is None:
            return
        if table in self._tracked_tables:
            if self._tracked_tables[table] != key_columns:
                raise ValueError(f"{table} is tracked by {self._tracked_tables[table]}, not {key_columns}")
            return
        if not (table.isidentifier() and all(column.isidentifier() for column in key_columns)):
            raise ValueError(f"not a table and columns: {table} {key_columns}")
        changed = self._rows_changed

        def note(*key: Any) -> None:
            changed.append(key)

        def install(raw: sqlite3.Connection) -> None:
            raw.create_function("lounge_row_changed", -1, note)
            for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
                if not key_columns:  # the table alone: one note a row is enough
                    rows = rows[:1]
                calls = " ".join(
                    f"SELECT lounge_row_changed({', '.join([repr(table), *(f'{row}.{c}' for c in key_columns)])});"
                    for row in rows)
                raw.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS lounge_tracked_{table}_{event.lower()} "
                            f"AFTER {event} ON main.{table} BEGIN {calls} END").close()

        await in_thread(self._conn, install)
        self._tracked_tables[table] = key_columns
        self._tracked_generation += 1  # what was being read meanwhile is not kept

    async def tracked(self, table: str, key: tuple[Any, ...], read: Callable[[], Awaitable[T]]) -> T:
        """`read()`'s answer about the rows of `table` whose key columns (:meth:`track`) are `key`,
        kept until a commit of ours touches such a row, or anyone else commits anything.

        Unlike :meth:`remembered`, another member's write does not drop it: between two of our
        batches the WAL-index header must be exactly the one our last commit left (no other
        process committed), and each batch must have added exactly one write transaction to it
        (checked holding the write lock, and right after the commit); otherwise everything kept
        is dropped. While a batch is in flight nothing is kept or answered from memory.
        """
        if self._version is None or table not in self._tracked_tables:
            return await read()
        return await self._kept((table, *key), (), read)

    async def _kept_until_written(self, key: Hashable, tables: tuple[str, ...], read: Callable[[], Awaitable[T]]) -> T:
        """:meth:`remembered` with `tables`: kept until a commit of ours writes one of their rows."""
        if self._version is None:
            return await read()
        for table in tables:
            if table not in self._tracked_tables:
                await self.track(table, ())
        return await self._kept(("remembered", key), tables, read, remembered=True)

    async def _kept(self, full_key: Hashable, tables: tuple[str, ...], read: Callable[[], Awaitable[T]], *,
                    remembered: bool = False) -> T:
        """The answer kept under `full_key` (dropped when a batch touches that key, or any row of
        `tables`), else `read()`'s, kept when no commit but ours came while it was read."""
        assert self._version is not None
        header = self._version.current()
        if not self._batch_in_flight and header != self._tracked_as_of:
            self._forget_tracked(header)  # someone else committed: start again from here
        if not self._batch_in_flight and full_key in self._tracked:
            if remembered:
                self.remembered_hits += 1
            else:
                self.tracked_hits += 1
            value: T = self._tracked[full_key]
            return value
        generation = self._tracked_generation
        value = await read()
        if (not self._batch_in_flight and generation == self._tracked_generation
                and self._version.current() == self._tracked_as_of):
            self._keep_tracked(full_key, value)
            for table in tables:
                self._tracked_by_table.setdefault(table, set()).add(full_key)
        return value

    def _keep_tracked(self, full_key: Hashable, value: Any) -> None:
        if len(self._tracked) >= REMEMBERED_MAX:  # full: everything is dropped, as remembered does
            self._tracked.clear()
            self._tracked_by_table.clear()
        self._tracked[full_key] = value

    def _forget_tracked(self, as_of: bytes | None) -> None:
        self._tracked.clear()
        self._tracked_by_table.clear()
        self._tracked_as_of = as_of
        self._tracked_generation += 1

    def _tracked_after(self, headers: tuple[bytes | None, bytes | None] | None, kept: Kept | None = None) -> None:
        """After a batch (None: it failed): drop what it touched, or everything when another
        process may have committed around it; then keep what its units kept
        (:meth:`Transaction.keep`) about rows no later unit of the batch touched."""
        notes = list(self._rows_changed)
        changed = set(notes)
        self._rows_changed.clear()
        self._batch_in_flight = False
        began, committed = (None, None) if headers is None else headers
        if began is None or committed is None:
            self._forget_tracked(None)
            return
        alone = began == self._tracked_as_of and (
            committed == began or _write_count(committed) == _write_count(began) + 1)
        if not alone:
            self._forget_tracked(committed)
            return
        for key in changed:
            self._tracked.pop(key, None)
        for table in {key[0] for key in changed}:
            for full_key in self._tracked_by_table.pop(table, ()):
                self._tracked.pop(full_key, None)
        for key, value, mark in kept or ():
            if key[0] in self._tracked_tables and key not in notes[mark:]:
                self._keep_tracked(key, value)
        self._tracked_as_of = committed
        self._tracked_generation += 1

    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` in a committed transaction and return its result.

        Returns only after the commit; raises what `work` raised (its changes
        rolled back, the other units of the batch unaffected), or
        :class:`StorageUnavailable` if the database cannot be written.

        `work` runs on the writer's thread with the rest of its batch, in one hand-off there
        and back: it may await only its :class:`Transaction` (anything else raises
        :class:`UnitSuspended`), and it should touch no state but what it returns.
        """
        if self._closed:
            raise StorageUnavailable("the database is closed")
        unit = _Unit(work)
        await self._queue.put(unit)
        self.window.arrived()
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
            if self._quick is not None:
                self._quick.close()
            closed_cleanly = True
        finally:
            self._remembered.clear()
            if not closed_cleanly:
                # Cancelled midway: never leave aiosqlite's thread running, it would
                # keep the process alive after the event loop has gone.
                self._conn.stop()
                self._reader.stop()
                if self._quick is not None:
                    self._quick.close()
            if self._version is not None:
                self._version.close()  # after the connections: see _WalVersion

    async def _write_loop(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            try:
                await self.window.gather(lambda: 1 + self._queue.qsize())
            except BaseException:
                self._fail(batch, StorageUnavailable("the write was interrupted"))
                raise
            while len(batch) < MAX_UNITS_PER_COMMIT and not self._queue.empty():
                unit = self._queue.get_nowait()
                if unit is None:
                    stopping = True
                    break
                batch.append(unit)
            await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[_Unit]) -> None:
        """The whole batch in one hand-off to the writer's thread (see :func:`_run_batch`)."""
        self.window.began()
        self._batch_in_flight = True
        header = self._version.current if self._version is not None else (lambda: None)
        try:
            outcomes, notified, headers, kept = await in_thread(
                self._conn, _run_batch, [unit.work for unit in batch], header, self._rows_changed.__len__)
        except sqlite3.Error as error:
            self._tracked_after(None)
            self._fail(batch, error)
            return
        except BaseException:
            self._tracked_after(None)
            self._fail(batch, StorageUnavailable("the write was interrupted"))
            raise
        self._tracked_after(headers, kept)
        self.commits += 1
        self.units_committed += len(batch)
        for listener, topic in self._commit_listeners:
            if topic is None or topic in notified:
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


async def remembered_by(
    reader: object, key: Hashable, read: Callable[[], Awaitable[T]], *, tables: tuple[str, ...] = ()
) -> T:
    """`read()`'s answer, kept between commits when `reader` is a :class:`Database`
    (:meth:`Database.remembered`, `tables` as there); read every time through any other reader
    (a unit's :class:`Transaction`, which must see its own writes; a benchmark's counting reader)."""
    if isinstance(reader, Database):
        return await reader.remembered(key, read, tables=tables)
    return await read()
