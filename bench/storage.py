"""Benchmark 2: the pledge path through the domain layer against the storage ceiling.

    .venv/bin/python -m bench.storage [--quick] [--runs 3] [--members 500] [--rounds 10] [--profile]

In each run, on a fresh database file (migrations applied, the bot's own pragmas
through ``Database.open``, the 2014 Emmys live so every pledge counts in two scopes):

* **domain**: ``rounds`` times, ``members`` distinct members call
  ``PledgeService.add_pledge`` at once (``asyncio.gather``): each returns only after
  the commit that holds its pledge, through the single group-committing writer;
* **ceiling**: on a second fresh file set up the same way, the same number of
  pledges as raw aiosqlite ``executemany`` inserts into the same ``pledges`` table
  (so the same triggers maintain the same totals) with the same pragmas, in
  transactions of up to 100 rows (``--ceiling-batch N``: N, e.g. the domain's own pledges per commit).

It prints pledges per second of both, the ratio (target: at least 0.5), and where
the time goes: statements and aiosqlite round trips per pledge, units per commit,
and the CPU time of the event-loop thread and of aiosqlite's SQLite thread.
``--profile`` adds a cProfile of the event-loop thread during one domain round.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bench.common import (
    Figure,
    base_parser,
    command_line,
    median,
    print_machine,
    print_summary,
    scratch_dir,
    seed_live_ceremony,
    spread,
)
from bot.clock import to_storage, utc_now
from bot.db import Database, apply_migrations
from bot.db.database import PRAGMAS
from bot.domain.pledges import PledgeService
from bot.domain.settings.service import SettingsService

GUILD = 1_100_000_000_000_000_001
FIRST_USER = 1_200_000_000_000_000_000
BATCH = 100
AMOUNTS = ("5", "10", "20", "25", "50", "100", "12.50")
TICKS = os.sysconf("SC_CLK_TCK")
T = TypeVar("T")


def thread_cpu_seconds(native_id: int | None) -> float:
    """User + system CPU time of one thread of this process (/proc, 10 ms resolution)."""
    if native_id is None:
        return 0.0
    fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def sqlite_thread(conn: aiosqlite.Connection) -> int | None:
    worker: threading.Thread = conn._thread
    return worker.native_id


@dataclass
class Counts:
    """What one side cost, measured around its timed part only."""

    pledges: int = 0
    seconds: float = 0.0
    loop_cpu: float = 0.0
    sqlite_cpu: float = 0.0
    statements: Counter[str] = field(default_factory=Counter)
    triggered: int = 0
    round_trips: int = 0
    commits: int = 0

    @property
    def rate(self) -> float:
        return self.pledges / self.seconds


class Meter:
    """Counts what one side asks of SQLite: top-level statements (by first keyword), the statements
    the triggers run for them (SQLite's trace reports every statement, trigger steps included), and
    aiosqlite round trips (each a hop to its thread and back)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.statements: Counter[str] = Counter()
        self.traced = 0
        self.round_trips = 0
        self._original: Any = None

    @property
    def triggered(self) -> int:
        return self.traced - sum(self.statements.values())

    async def __aenter__(self) -> Meter:
        # SQLite's trace reports a trigger's statements as "-- TRIGGER …" comments; the others are
        # what the side ran itself (on the writer's thread, where a whole batch now runs).
        def trace(sql: str) -> None:
            self.traced += 1
            text = sql.lstrip()
            if not text.startswith("--"):
                self.statements[text.split(None, 1)[0].upper() if text else "?"] += 1

        await self.conn.set_trace_callback(trace)
        original = self.conn._execute
        meter = self

        async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
            meter.round_trips += 1
            return await original(fn, *args, **kwargs)  # type: ignore[no-untyped-call]

        self._original = original
        self.conn._execute = counted  # type: ignore[method-assign]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.conn._execute = self._original  # type: ignore[method-assign]
        await self.conn.set_trace_callback(None)  # type: ignore[arg-type]  # None turns tracing off


async def prepared(path: Path) -> Database:
    db = await Database.open(path)
    await apply_migrations(db.connection)
    await seed_live_ceremony(db, utc_now, GUILD)
    return db


async def domain_side(path: Path, members: int, rounds: int, seed: int, *, meter: bool,
                      profile: bool = False) -> Counts:
    rng = random.Random(seed)
    db = await prepared(path)
    service = PledgeService(db, utc_now, SettingsService(db, utc_now))
    counts = Counts()
    next_user = FIRST_USER
    interaction = 1_300_000_000_000_000_000
    try:
        tid = sqlite_thread(db.connection)
        for round_number in range(rounds):
            calls = []
            for _ in range(members):
                next_user += 1
                interaction += 1
                calls.append(service.add_pledge(
                    guild_id=GUILD, user_id=next_user, display_name=f"member {next_user % 100_000}",
                    amount=rng.choice(AMOUNTS), interaction_id=interaction,
                ))
            metered = meter and round_number == rounds - 1
            profiler = cProfile.Profile() if profile and round_number == rounds - 1 else None
            commits_before = db.commits
            async with _maybe_meter(db.connection, metered) as measured:
                loop_before, sqlite_before = time.thread_time(), thread_cpu_seconds(tid)
                started = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                await asyncio.gather(*calls)
                if profiler is not None:
                    profiler.disable()
                elapsed = time.perf_counter() - started
                counts.loop_cpu += time.thread_time() - loop_before
                counts.sqlite_cpu += thread_cpu_seconds(tid) - sqlite_before
            counts.seconds += elapsed
            counts.pledges += members
            counts.commits += db.commits - commits_before
            if measured is not None:
                counts.statements, counts.round_trips = measured.statements, measured.round_trips
                counts.triggered = measured.triggered
            if profiler is not None:
                _print_profile(profiler)
        stored = await db.fetch_value("SELECT COUNT(*) FROM pledges WHERE guild_id = ?", (GUILD,))
        assert stored == counts.pledges, (stored, counts.pledges)
    finally:
        await db.close()
    return counts


class _NoMeter:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


def _maybe_meter(conn: aiosqlite.Connection, on: bool) -> Meter | _NoMeter:
    return Meter(conn) if on else _NoMeter()


async def ceiling_side(path: Path, pledges: int, seed: int, *, meter: bool, batch: int = BATCH) -> Counts:
    rng = random.Random(seed)
    db = await prepared(path)  # the same schema, pragmas and live ceremony, through the bot's own code
    ceremony = await db.fetch_value("SELECT id FROM ceremonies WHERE guild_id = ? AND is_current = 1", (GUILD,))
    await db.close()
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    counts = Counts()
    try:
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        stamp = to_storage(utc_now())
        rows = [
            (GUILD, FIRST_USER + index, f"member {index}", ceremony,
             int(float(rng.choice(AMOUNTS)) * 100), 1_300_000_000_000_000_000 + index, stamp, stamp)
            for index in range(pledges)
        ]
        tid = sqlite_thread(conn)
        async with _maybe_meter(conn, meter) as measured:
            loop_before, sqlite_before = time.thread_time(), thread_cpu_seconds(tid)
            started = time.perf_counter()
            for first in range(0, pledges, batch):
                await conn.execute("BEGIN IMMEDIATE")
                await conn.executemany(
                    "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, kind, status, "
                    "anonymous, interaction_id, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 'pledge', 'pending', 0, ?, ?, ?)",
                    rows[first:first + batch],
                )
                await conn.execute("COMMIT")
                counts.commits += 1
            counts.seconds = time.perf_counter() - started
            counts.loop_cpu = time.thread_time() - loop_before
            counts.sqlite_cpu = thread_cpu_seconds(tid) - sqlite_before
        counts.pledges = pledges
        if measured is not None:
            counts.statements, counts.round_trips = measured.statements, measured.round_trips
            counts.triggered = measured.triggered
        totals = list(await conn.execute_fetchall(
            "SELECT pledge_count FROM pledge_totals WHERE guild_id = ? AND scope = 0", (GUILD,)))
        assert totals[0][0] == pledges, "the triggers must have counted every row"
    finally:
        await conn.close()
    return counts


class DirectTransaction:
    """The :class:`Transaction` API straight on the sqlite3 connection, for use inside aiosqlite's own
    thread: its coroutines never suspend, so a unit written for the writer runs to its end in one
    ``send`` — the bot's own pledge code, without a hop to the SQLite thread per statement."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Any = ()) -> int:
        cursor = self._conn.execute(sql, params)
        changed = cursor.rowcount
        cursor.close()
        return changed

    async def insert(self, sql: str, params: Any = ()) -> int:
        cursor = self._conn.execute(sql, params)
        row_id = cursor.lastrowid
        cursor.close()
        assert row_id is not None
        return row_id

    async def execute_many(self, sql: str, rows: Any) -> None:
        self._conn.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    async def fetch_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return row


def _finish(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (it awaits only DirectTransaction) to its result."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return cast(T, stop.value)
    coroutine.close()
    raise RuntimeError("the unit suspended: it awaited something other than its transaction")


async def hop_cost(path: Path, hops: int = 3000) -> float:
    """Seconds per aiosqlite round trip of a trivial statement, back to back (as the writer's are)."""
    db = await Database.open(path)
    try:
        started = time.perf_counter()
        for _ in range(hops):
            await db.connection.execute_fetchall("SELECT 1")
        return (time.perf_counter() - started) / hops
    finally:
        await db.close()


def _print_profile(profiler: cProfile.Profile) -> None:
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(18)
    print("\ncProfile of the event-loop thread, one domain round (sorted by own time):")
    print("\n".join(line for line in text.getvalue().splitlines()[4:] if line.strip()))


def per_pledge(counts: Counts, pledges: int) -> str:
    statements = ", ".join(f"{name} {number / pledges:.2f}" for name, number in counts.statements.most_common())
    return (f"{sum(counts.statements.values()) / pledges:.2f} statements ({statements}), "
            f"+ {counts.triggered / pledges:.1f} run by triggers; "
            f"{counts.round_trips / pledges:.2f} aiosqlite round trips")


async def run(args: argparse.Namespace) -> None:
    members = 100 if args.quick else args.members
    rounds = 3 if args.quick else args.rounds
    domain_rates: list[float] = []
    ceiling_rates: list[float] = []
    last_domain = last_ceiling = Counts()
    hop = 0.0
    # The timed runs, then one more run that is metered (SQLite's trace callback slows
    # batched statements a lot) and only explains where the time goes.
    for run_number in range(args.runs + 1):
        metered = run_number == args.runs
        with scratch_dir("lounge-storage-") as folder:
            domain = await domain_side(folder / "domain.db", members, rounds, seed=run_number, meter=metered,
                                       profile=args.profile and metered)
            ceiling = await ceiling_side(folder / "ceiling.db", domain.pledges, seed=run_number, meter=metered,
                                         batch=args.ceiling_batch)
            if metered:
                hop = await hop_cost(folder / "hops.db")
                last_domain, last_ceiling = domain, ceiling
                continue
        domain_rates.append(domain.rate)
        ceiling_rates.append(ceiling.rate)
        print(f"run {run_number + 1}: domain {domain.rate:,.0f} pledges/s "
              f"({domain.pledges:,} in {domain.seconds:.2f} s, "
              f"{domain.pledges / max(domain.commits, 1):.0f} per commit); ceiling {ceiling.rate:,.0f}/s "
              f"({ceiling.commits} commits); ratio {domain.rate / ceiling.rate:.2f}")
    domain_rate, ceiling_rate = median(domain_rates), median(ceiling_rates)
    ratio = domain_rate / ceiling_rate
    ratios = [d / c for d, c in zip(domain_rates, ceiling_rates, strict=True)]
    print(f"\nwhere the time goes (last run; the domain side metered over one round of {members} pledges):")
    print(f"  domain : {per_pledge(last_domain, members)}")
    print(f"  ceiling: {per_pledge(last_ceiling, last_ceiling.pledges)}")
    for name, side, pledges in (("domain", last_domain, last_domain.pledges),
                                ("ceiling", last_ceiling, last_ceiling.pledges)):
        print(f"  {name:7}: wall {side.seconds * 1e6 / pledges:.0f} µs/pledge; CPU: event-loop thread "
              f"{side.loop_cpu * 1e6 / pledges:.0f} µs, SQLite thread {side.sqlite_cpu * 1e6 / pledges:.0f} µs")
    trips = last_domain.round_trips / members
    domain_wall = last_domain.seconds / last_domain.pledges
    print(f"  one aiosqlite round trip of `SELECT 1`, back to back: {hop * 1e6:.0f} µs "
          f"(x {trips:.0f} per pledge = {hop * trips * 1e6:.0f} µs of the domain's {domain_wall * 1e6:.0f} µs)")
    print_summary(
        "storage path against its ceiling",
        [
            Figure(f"domain pledges/s ({members} concurrent)", f"{domain_rate:,.0f}", distance=spread(domain_rates, 0)),
            Figure("ceiling pledges/s (batches of 100)", f"{ceiling_rate:,.0f}", distance=spread(ceiling_rates, 0)),
            Figure("ratio domain / ceiling", f"{ratio:.2f}", "≥ 0.5", ratio >= 0.5,
                   (f"{0.5 / ratio:.1f}x short; " if ratio < 0.5 else "") + f"runs {spread(ratios, 2)}"),
        ],
        command_line(),
    )


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="cProfile the event-loop thread in one round")
    parser.add_argument("--ceiling-batch", type=int, default=BATCH,
                        help="pledges per transaction on the ceiling side (the domain's own per commit: the raw "
                        "cost of SQLite's commits as the bot makes them)")
    args = parser.parse_args()
    print_machine()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
