"""What every benchmark shares: statistics, the summary it prints, the machine, the processes it runs.

* :func:`percentile` (nearest rank) and :func:`median`;
* :class:`Figure` and :func:`print_summary`: each script ends with the same table
  (figure, value, target, met, and by how much);
* :func:`machine_lines`: nproc, memory, CPU model, Python, date and load;
* :class:`StandInProcess` (``python -m standin`` and its control API) and
  :class:`BotProcess` (``python -m bot`` configured only through its environment,
  stopped with SIGTERM as a host would: :mod:`bot.against_standin`'s, with its memory);
* :func:`seed_live_ceremony`: a server with the 2014 Emmys imported and started,
  through the domain services;
* :func:`cache_dir`: where built databases are kept between the scripts of one
  ``make bench`` (``LOUNGE_BENCH_CACHE``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot import against_standin
from bot.clock import Clock
from bot.db import Database
from bot.db.migrations import load_migrations
from bot.domain.ceremonies.files import parse_ceremony_file
from bot.domain.ceremonies.service import CeremonyService
from bot.domain.settings.service import SettingsService

REPO = Path(__file__).resolve().parent.parent
CEREMONY_FILE = REPO / "bot" / "data" / "emmys-2014.json"
TOKEN = "bench-token"  # noqa: S105 - the stand-in's fake bot token
HOST_ID = 424_242_424_242_424_242


# ---- statistics -----------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def spread(values: Sequence[float], digits: int = 1) -> str:
    """The runs behind a median, for the reader to judge the noise: ``[1.2, 1.3, 1.9]``."""
    return "[" + ", ".join(f"{value:.{digits}f}" for value in values) + "]"


# ---- the summary every script prints ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the results table."""

    name: str
    value: str
    target: str = ""
    met: bool | None = None
    """None: a figure without a target (shown for context)."""
    distance: str = ""
    """For a target: how far from it, e.g. ``3.2x under`` or ``40 % over``."""


def ratio_text(value: float, limit: float, *, lower_is_better: bool = True) -> str:
    """How far `value` is from `limit`, as the reader wants it: ``6.5x under the limit`` / ``1.4x over``."""
    if value <= 0 or limit <= 0:
        return ""
    if lower_is_better:
        return f"{limit / value:.1f}x under" if value <= limit else f"{value / limit:.2f}x over"
    if value >= limit:
        return f"{value / limit:.2f}x the target"
    return f"{value / limit:.2f}x the target, short by {limit - value:.3g}"


def print_summary(title: str, figures: Sequence[Figure], command: str) -> None:
    print(f"\n== {title} ==")
    print(f"command: {command}")
    width = max(len(f.name) for f in figures)
    for f in figures:
        verdict = "" if f.met is None else ("MET" if f.met else "NOT MET")
        target = f"target {f.target}" if f.target else ""
        print(f"  {f.name:<{width}}  {f.value:>14}  {target:<22} {verdict:<8} {f.distance}".rstrip())


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--runs", type=int, default=3, help="independent runs; each figure is their median")
    return parser


def command_line() -> str:
    module = Path(sys.argv[0]).stem
    return " ".join([".venv/bin/python", "-m", f"bench.{module}", *sys.argv[1:]])


# ---- the machine -----------------------------------------------------------------------------


def machine_lines() -> list[str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"code:    {code_version()}",
        f"date:    {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {os.cpu_count()} CPUs ({cpu}), {memory} RAM, {platform.system()} {platform.release()}",
        f"python:  {platform.python_version()} ({sys.executable})",
        f"load:    {load} (1/5/15 min, before the run)",
    ]


def code_version() -> str:
    """The commit measured, and whether bot/ or cogs/ had uncommitted changes (the tree is shared)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,  # noqa: S607
                                text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "bot", "cogs"], cwd=REPO,  # noqa: S607
                                 capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    files = [line[3:] for line in changed if line.strip()]
    return f"{commit}" + (f" + uncommitted changes in {len(files)} file(s) of bot/ and cogs/" if files else "")


def print_machine() -> None:
    for line in machine_lines():
        print(line)


# ---- files -----------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where built databases live between scripts: ``$LOUNGE_BENCH_CACHE`` (``make bench`` sets a
    fresh one and removes it at the end), else a folder under the system's temp dir."""
    folder = Path(os.environ.get("LOUNGE_BENCH_CACHE") or Path(tempfile.gettempdir()) / "losers-lounge-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_digest(*sources: Path) -> str:
    """A short hash of the migrations and the given builder files: a cached database built by older
    ones is never reused."""
    text = "".join(migration.sql for migration in load_migrations())
    text += "".join(source.read_text() for source in sources)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def copy_database(source: Path, target: Path) -> None:
    """Copy a closed SQLite database (no -wal/-shm left behind by a clean close)."""
    for suffix in ("-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            raise RuntimeError(f"{source} was not closed cleanly ({suffix} present)")
    shutil.copyfile(source, target)


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


# ---- the domain: a server with a live ceremony -------------------------------------------------


async def seed_live_ceremony(
    db: Database, clock: Clock, guild_id: int, *, channel_id: int | None = None, settings: dict[str, Any] | None = None
) -> int:
    """The 2014 Emmys (103 categories) imported and started in `guild_id`; return the ceremony id."""
    if settings:
        await SettingsService(db, clock).update(guild_id, settings, actor_id=HOST_ID)
    ceremonies = CeremonyService(db, clock)
    await ceremonies.create(guild_id, actor_id=HOST_ID, name="66th Primetime Emmy Awards", year=2014)
    parsed = parse_ceremony_file(CEREMONY_FILE.read_bytes(), CEREMONY_FILE.name)
    await ceremonies.import_nominees(guild_id, actor_id=HOST_ID, parsed=parsed, filename=CEREMONY_FILE.name)
    started = await ceremonies.start(guild_id, actor_id=HOST_ID, channel_id=channel_id)
    return started.id


# ---- processes -------------------------------------------------------------------------------


def proc_status_kib(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` figure in KiB (VmHWM: peak resident set; VmRSS: now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise KeyError(key)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (``/proc/<pid>/stat``, 10 ms resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuReading:
    """A process's CPU time at one moment, read two ways (:func:`cpu_reading`)."""

    ticks: float
    """Seconds, every thread that ever ran (``/proc/<pid>/stat``): in steps of a clock tick (10 ms)."""
    threads: dict[int, float] | None
    """Seconds by thread id, to the nanosecond (``se.sum_exec_runtime``, ``/proc/<pid>/task/*/sched``),
    of the threads alive now; None where the kernel does not show it."""


def cpu_reading(pid: int) -> CpuReading:
    """The CPU `pid` has used so far (user + system), see :func:`cpu_seconds_between`."""
    threads: dict[int, float] | None = {}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                text = (task / "sched").read_text()
            except FileNotFoundError:
                continue  # the thread ended meanwhile: the two readings will differ, see below
            line = next((line for line in text.splitlines() if line.startswith("se.sum_exec_runtime")), None)
            if line is None:
                threads = None
                break
            threads[int(task.name)] = float(line.split(":", 1)[1]) / 1000  # shown in ms
    except OSError:
        threads = None
    return CpuReading(process_cpu_seconds(pid), threads)


def cpu_seconds_between(before: CpuReading, after: CpuReading) -> float:
    """CPU seconds used between two readings: to the nanosecond when every thread alive at the first
    is still alive at the second (a thread that ended took its time with it), to the clock tick
    (up to 10 ms a thread off: 1.7% of a 0.6 s measurement) otherwise."""
    ticks = after.ticks - before.ticks
    if before.threads is None or after.threads is None or not before.threads.keys() <= after.threads.keys():
        return ticks
    precise = sum(after.threads.values()) - sum(before.threads.values())
    slack = (len(after.threads) + 1) * 2 / os.sysconf("SC_CLK_TCK")
    return precise if abs(precise - ticks) <= slack else ticks


class ControlError(RuntimeError):
    pass


class StandInProcess:
    """``python -m standin`` in its own process, driven over its HTTP control API."""

    def __init__(self, process: asyncio.subprocess.Process, info: dict[str, Any], session: aiohttp.ClientSession,
                 log_path: Path) -> None:
        self.process = process
        self.info = info
        self.session = session
        self.log_path = log_path

    @property
    def control_url(self) -> str:
        return str(self.info["control_url"])

    @property
    def api_base(self) -> str:
        return str(self.info["api_base"])

    @property
    def gateway_url(self) -> str:
        return str(self.info["gateway_url"])

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.session.request(method, self.control_url + path, json=body) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                raise ControlError(f"{method} {path} → {response.status}: {data}")
            return data

    async def stop(self) -> None:
        await self.session.close()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@contextlib.asynccontextmanager
async def standin_process(folder: Path, *, connections: int = 200) -> AsyncIterator[StandInProcess]:
    log_path = folder / "standin.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "standin", "--port", "0", "--token", TOKEN,
            stdout=asyncio.subprocess.PIPE, stderr=log, cwd=REPO,
        )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    if not line:
        await process.wait()
        raise RuntimeError(f"the stand-in did not start: {log_path.read_text()[-2000:]}")
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections))
    standin = StandInProcess(process, json.loads(line), session, log_path)
    try:
        yield standin
    finally:
        await standin.stop()


class BotProcess(against_standin.BotProcess):
    """``python -m bot`` as a host runs it (:class:`bot.against_standin.BotProcess`), with what the
    benchmarks read of it: its memory and the end of its log."""

    def peak_rss_mib(self) -> float:
        return proc_status_kib(self.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        return proc_status_kib(self.pid, "VmRSS") / 1024

    async def stop(self, grace: float = 60) -> int:
        """SIGTERM, then up to `grace` seconds: the bot finishes its queued writes and closes the database."""
        return await super().stop(grace)

    def tail(self, chars: int = 3000) -> str:
        return self.log()[-chars:]


async def start_bot(env: dict[str, str], folder: Path, *, profile_to: Path | None = None) -> BotProcess:
    """Spawn ``python -m bot`` (under ``python -m cProfile -o profile_to`` when asked), its log in `folder`."""
    profiling = ["-m", "cProfile", "-o", str(profile_to)] if profile_to is not None else []
    bot = BotProcess(env, folder, log_path=folder / "bot.log", python_options=profiling)
    await bot.start()
    return bot


async def run_async(main: Callable[[argparse.Namespace], Any], args: argparse.Namespace) -> int:
    """Print the machine, run the benchmark, return its exit status (0: ran; targets are reported, not asserted)."""
    print_machine()
    await main(args)
    return 0
