"""Benchmark: what a backup of the 1M-pledge database costs the burst's p99 (issue 16).

    .venv/bin/python -m bench.backup_cost [--quick] [--runs 3] [--members 1000] [--within 1.0]

Each run starts one bot, ``python -m bot``, on a copy of the big database of
:mod:`bench.dataset` (100,000 members, 1,000,000 pledges, ~940 MB) with a live
ceremony seeded for the stand-in's server and ``BACKUP_EVERY_MINUTES=1``, and fires
three bursts of the burst benchmark (``--members`` distinct members' ``/pledge add``
spread over ``--within`` seconds, through ``python -m standin``) at that one bot:

1. **without a backup**, once start-up has settled;
2. **during ``python -m bot backup``** in another process, fired the moment its
   temporary file appears;
3. **during the bot's own automatic backup** (its child process, at a lower CPU
   priority), fired the moment that backup's temporary file appears, a minute after
   start-up;
4. **without a backup** again, right after: the control for drift over the run.

For each: the dispatch → callback p50/p99/max on the stand-in's clock, and the p99
ratio to the mean of bursts 1 and 4 — the p99s and the ratios come from the same
run, the same bot and the same database. Also: how long each backup took, how much of the burst it
overlapped, and, after SIGTERM, the burst's pledges in the database against the
acknowledged ones. Target: the burst's own (every answer < 3 s, p99 < 1 s) with a
backup running.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import dataset
from bench.burst import AMOUNTS, DEADLINE, P99_TARGET, _create_members, _fire, _receipt_shown, _seed, _wait_for_answers
from bench.common import (
    Figure,
    StandInProcess,
    base_parser,
    bot_environment,
    command_line,
    copy_database,
    median,
    percentile,
    print_machine,
    print_summary,
    ratio_text,
    scratch_dir,
    spread,
    standin_process,
    start_bot,
)

MANUAL, AUTOMATIC = "python -m bot backup", "automatic backup"
WAIT_FOR_AUTOMATIC = 150.0
POLL = 0.005


@dataclass
class Burst:
    label: str
    latencies: list[float]
    sent: int
    answered_in_time: int
    acknowledged: dict[int, int]
    """interaction id → cents, of every pledge the member saw a receipt for."""
    first_send: float = 0.0
    last_send: float = 0.0

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)


def baseline(run: Run) -> float:
    """The p99 without a backup: the mean of the bursts before and after the two with one."""
    return (run.bursts["none"].p99 + run.bursts["after"].p99) / 2


@dataclass
class Backup:
    started: float
    finished: float | None = None
    size_mb: float = 0.0

    @property
    def seconds(self) -> float:
        return (self.finished or self.started) - self.started


@dataclass
class Run:
    bursts: dict[str, Burst] = field(default_factory=dict)
    backups: dict[str, Backup] = field(default_factory=dict)
    overlap: dict[str, float] = field(default_factory=dict)
    """Fraction of the burst's sends made while the backup ran."""
    database_matches: bool = False
    exit_code: int = 0


def _first(folder: Path, pattern: str) -> Path | None:
    found = sorted(folder.glob(pattern)) if folder.is_dir() else []
    return found[0] if found else None


def _gone(path: Path) -> bool:
    return not path.exists()


def _newest_size_mb(folder: Path, pattern: str) -> float:
    finals = sorted(folder.glob(pattern), key=lambda path: path.stat().st_mtime)
    return finals[-1].stat().st_size / 1e6 if finals else 0.0


async def _appears(folder: Path, pattern: str, within: float) -> Path:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = _first(folder, pattern)
        if found is not None:
            return found
        await asyncio.sleep(POLL)
    raise RuntimeError(f"nothing matching {pattern} appeared in {folder} within {within:g} s")


async def _watch(backup: Backup, partial: Path, folder: Path, final_pattern: str) -> None:
    """Until the temporary file is gone: the backup's end, and the size of what it wrote."""
    while True:
        if _gone(partial):
            break
        await asyncio.sleep(POLL)
    backup.finished = time.perf_counter()
    backup.size_mb = _newest_size_mb(folder, final_pattern)


async def _burst(standin: StandInProcess, guild_id: str, users: list[str], label: str, within: float,
                 seed: int) -> Burst:
    rng = random.Random(seed)
    amounts = [rng.choice(AMOUNTS) for _ in users]
    first = time.perf_counter()
    ids, _span, _late = await _fire(standin, guild_id, users, amounts, within)
    last = time.perf_counter()
    records = await _wait_for_answers(standin, set(ids), within=60)
    cents = {ident: round(float(amount) * 100) for ident, amount in zip(ids, amounts, strict=True)}
    answered = [r for r in records if r["response_latency"] is not None]
    acknowledged = {int(r["id"]): cents[r["id"]] for r in answered if _receipt_shown(r)}
    return Burst(label, [r["response_latency"] for r in answered], len(ids),
                 sum(1 for r in answered if r["response_latency"] <= DEADLINE), acknowledged, first, last)


def _overlap(burst: Burst, backup: Backup) -> float:
    """The share of the burst's firing span during which the backup ran."""
    end = backup.finished if backup.finished is not None else burst.last_send
    span = burst.last_send - burst.first_send
    if span <= 0:
        return 1.0
    inside = max(0.0, min(end, burst.last_send) - max(backup.started, burst.first_send))
    return inside / span


def _flush(path: Path) -> None:
    """Write the fresh 940 MB copy to disk now: left dirty in the page cache, it is flushed by the bot's first
    checkpoint (synchronous=FULL fsyncs the database file), a stall of seconds in the middle of some burst."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stored(database: Path, guild_id: int) -> dict[int, int]:
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT interaction_id, amount_cents FROM pledges WHERE guild_id = ? "
                                  "AND kind = 'pledge'", (guild_id,)).fetchall()
    finally:
        connection.close()
    return {int(interaction): int(cents) for interaction, cents in rows}


async def one_run(folder: Path, big: Path, members: int, within: float, seed: int) -> Run:
    run = Run()
    database = folder / "lounge.db"
    copy_database(big, database)
    _flush(database)
    backups = folder / "backups"
    async with standin_process(folder, connections=400) as standin:
        guild = await standin.call("POST", "/guilds", {"name": "Emmy Night"})
        guild_id, channel_id = str(guild["id"]), int(guild["system_channel_id"])
        users = await _create_members(standin, guild_id, members)
        await _seed(database, int(guild_id), channel_id)
        _flush(database)
        env = bot_environment(database=database, api_base=standin.api_base, gateway_url=standin.gateway_url,
                              guild_id=int(guild_id))
        env.update(BACKUP_EVERY_MINUTES="1", BACKUP_KEEP="1")
        bot = await start_bot(env, folder)
        try:
            await standin.call("POST", "/wait/ready", {"timeout": 60})
            await standin.call("POST", "/wait/synced", {"guild_id": guild_id, "timeout": 30})
            await asyncio.sleep(1.0)  # let start-up work settle
            run.bursts["none"] = await _burst(standin, guild_id, users, "no backup", within, seed)

            manual = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "backup", env=env, cwd=folder,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )
            partial = await _appears(backups, ".lounge-[0-9]*.partial", 60)
            run.backups[MANUAL] = Backup(time.perf_counter())
            watching = asyncio.create_task(_watch(run.backups[MANUAL], partial, backups, "lounge-[0-9]*.db"))
            run.bursts[MANUAL] = await _burst(standin, guild_id, users, MANUAL, within, seed + 1)
            _, errors = await manual.communicate()
            await watching
            if manual.returncode != 0:
                raise RuntimeError(f"python -m bot backup failed: {errors.decode()[-2000:]}")
            run.overlap[MANUAL] = _overlap(run.bursts[MANUAL], run.backups[MANUAL])

            partial = await _appears(backups, ".lounge-auto-*.partial", WAIT_FOR_AUTOMATIC)
            run.backups[AUTOMATIC] = Backup(time.perf_counter())
            watching = asyncio.create_task(_watch(run.backups[AUTOMATIC], partial, backups, "lounge-auto-*.db"))
            run.bursts[AUTOMATIC] = await _burst(standin, guild_id, users, AUTOMATIC, within, seed + 2)
            await watching
            run.overlap[AUTOMATIC] = _overlap(run.bursts[AUTOMATIC], run.backups[AUTOMATIC])
            # The control for drift over the run (a bigger WAL, a warmer process, the machine's other work): the
            # same burst again with no backup, before the next automatic one (BACKUP_EVERY_MINUTES=1).
            run.bursts["after"] = await _burst(standin, guild_id, users, "no backup, after", within, seed + 3)
        finally:
            run.exit_code = await bot.stop()
        if run.exit_code != 0:
            print(f"the bot exited with {run.exit_code}: {bot.tail()}")
    acknowledged: dict[int, int] = {}
    for burst in run.bursts.values():
        acknowledged |= burst.acknowledged
    run.database_matches = _stored(database, int(guild_id)) == acknowledged
    return run


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _describe(number: int, run: Run) -> str:
    parts = []
    for key, burst in run.bursts.items():
        text = (f"{burst.label}: p50 {_ms(percentile(burst.latencies, 0.5))} p99 {_ms(burst.p99)} "
                f"max {_ms(max(burst.latencies))}, {len(burst.acknowledged)}/{burst.sent} acknowledged")
        if key in run.backups:
            backup = run.backups[key]
            text += (f" (backup {backup.size_mb:,.0f} MB in {backup.seconds:.1f} s, overlapping "
                     f"{run.overlap[key]:.0%} of the burst; p99 ratio {burst.p99 / baseline(run):.2f})")
        parts.append(text)
    return f"run {number}: " + "; ".join(parts) + f"; database {'exact' if run.database_matches else 'MISMATCH'}"


async def run(args: argparse.Namespace) -> None:
    size = dataset.QUICK if args.quick else dataset.FULL
    members = 200 if args.quick else args.members
    big = await dataset.cached(size)
    runs: list[Run] = []
    for number in range(args.runs):
        with scratch_dir("lounge-backup-cost-") as folder:
            result = await one_run(folder, big, members, args.within, seed=10 * number)
        runs.append(result)
        print(_describe(number + 1, result), flush=True)

    def p99s(key: str) -> list[float]:
        return [r.bursts[key].p99 for r in runs]

    def ratios(key: str) -> list[float]:
        return [r.bursts[key].p99 / baseline(r) for r in runs]

    base = median([baseline(r) for r in runs])
    figures = [
        Figure("p99 without a backup", _ms(base), "< 1 s", base < P99_TARGET,
               f"{ratio_text(base, P99_TARGET)}; mean of the bursts before and after, runs "
               f"{spread([baseline(r) * 1000 for r in runs], 0)} ms"),
        Figure("  before / after", f"{_ms(median(p99s('none')))} / {_ms(median(p99s('after')))}",
               distance=f"before {spread([v * 1000 for v in p99s('none')], 0)}, after "
               f"{spread([v * 1000 for v in p99s('after')], 0)} ms: the drift over a run"),
    ]
    for key in (MANUAL, AUTOMATIC):
        p99 = median(p99s(key))
        worst = max(max(r.bursts[key].latencies) for r in runs)
        figures += [
            Figure(f"p99 during {key}", _ms(p99), "< 1 s", p99 < P99_TARGET,
                   f"{ratio_text(p99, P99_TARGET)}; runs {spread([v * 1000 for v in p99s(key)], 0)} ms; "
                   f"slowest answer {_ms(worst)}"),
            Figure(f"p99 ratio, {key} / without", f"{median(ratios(key)):.2f}",
                   distance=f"runs {spread(ratios(key), 2)}; backup "
                   f"{median([r.backups[key].seconds for r in runs]):.1f} s for "
                   f"{runs[-1].backups[key].size_mb:,.0f} MB, overlapping "
                   f"{min(r.overlap[key] for r in runs):.0%}+ of the burst"),
        ]
    all_in_time = all(b.answered_in_time == b.sent for r in runs for b in r.bursts.values())
    all_exact = all(r.database_matches for r in runs)
    figures += [
        Figure("answered within 3 s, every burst", "all" if all_in_time else "NOT ALL", "all", all_in_time),
        Figure("database = acknowledged", "exact" if all_exact else "MISMATCH", "equal", all_exact),
    ]
    print_summary(f"backup cost: {members} members' /pledge add within {args.within:g} s, with and without a "
                  f"backup of the {size.pledges:,}-pledge database (median of {len(runs)} runs)",
                  figures, command_line())


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--within", type=float, default=1.0, help="seconds over which each burst is spread")
    args = parser.parse_args()
    print_machine()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
