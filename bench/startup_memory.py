"""Benchmark 5: the bot's peak memory with the big database, and its start-up time without the network.

    .venv/bin/python -m bench.startup_memory [--quick] [--runs 3]

**Start-up** — from process start to ready (commands loaded, database migrated),
network excluded: a fresh ``python -c`` imports the bot, builds ``LoungeBot`` and
awaits ``LoungeBot.prepare()`` (database opened with its pragmas, migrations
applied, services built, every extension loaded), then prints the time since the
kernel started the process (``/proc/self/stat`` start time against
``CLOCK_BOOTTIME``, 10 ms resolution), with the time its imports took. Timed
against a new database (every migration applied) and against a copy of the big
database of :mod:`bench.dataset` (already migrated: 100,000 members, 1,000,000
pledges, 5,000 results). One unmeasured run first warms the OS file cache, as a
restart on the night would find it.

**Memory** — ``python -m bot`` against the stand-in of Discord (in this process;
its server gets the id the big database was built for), on a copy of the big
database: ``VmHWM`` (peak resident set) from ``/proc/<pid>/status`` once the bot
is ready with its commands synced, and again after a member opened every board
in both scopes and paged through each (``/leaderboard show`` and three Next clicks,
24 interactions). Targets: under 150 MB, under 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench import dataset
from bench.common import (
    REPO,
    TOKEN,
    Figure,
    base_parser,
    command_line,
    copy_database,
    median,
    print_machine,
    print_summary,
    ratio_text,
    scratch_dir,
    spread,
    start_bot,
)
from bot.against_standin import bot_environment
from bot.domain.leaderboards.service import BoardKind
from standin import Member, Reply, StandIn

MEMORY_TARGET_MIB = 150.0
START_TARGET_S = 1.5
NEXT_CLICKS = 3

# Run in a fresh interpreter: `python -c PREPARE <database>` prints one JSON line.
PREPARE = """
import os, sys, time
def since_start():
    fields = open('/proc/self/stat').read().rsplit(')', 1)[1].split()
    return time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / os.sysconf('SC_CLK_TCK')
import asyncio, json, logging
from pathlib import Path
from bot.config import Settings
from bot.lounge import LoungeBot
imported = since_start()
async def main():
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(discord_token='unused', database_path=Path(sys.argv[1]), dev_guild_id=None,
                        log_level='WARNING', discord_api_base=None, discord_gateway_url=None)
    bot = LoungeBot(settings)
    await bot.prepare()
    ready = since_start()
    commands, extensions = len(bot.tree.get_commands()), len(bot.extensions)
    await bot.close()
    print(json.dumps({'imported': imported, 'ready': ready, 'commands': commands, 'extensions': extensions}))
asyncio.run(main())
"""


async def time_prepare(database: Path) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PREPARE, str(database), cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    if process.returncode != 0:
        raise RuntimeError(f"prepare failed: {err.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def startup(big: Path, runs: int) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {"new database": [], "big database": []}
    with scratch_dir("lounge-startup-") as folder:
        copy_database(big, folder / "big.db")
        await time_prepare(folder / "warm-up.db")  # unmeasured: the OS file cache, as a restart finds it
        for number in range(runs):
            fresh = folder / f"new-{number}.db"
            found["new database"].append(await time_prepare(fresh))
            found["big database"].append(await time_prepare(folder / "big.db"))
    return found


class _FirstIdIs:
    """The stand-in's id generator, except that the next id is `first` (the big database's server id)."""

    def __init__(self, inner: Any, first: int) -> None:
        self.inner = inner
        self.first: int | None = first

    def next(self) -> int:
        if self.first is not None:
            first, self.first = self.first, None
            return first
        following: int = self.inner.next()
        return following


def _next_button(reply: Reply) -> str:
    for row in reply.components:
        for component in row.get("components", []):
            if component.get("label") == "Next" and not component.get("disabled"):
                return str(component["custom_id"])
    raise RuntimeError("no enabled Next button on the board")


async def browse_boards(member: Member) -> int:
    """Every board in both scopes, three pages deep; returns how many interactions were answered."""
    answered = 0
    for kind in BoardKind:
        for scope in ("ceremony", "all-time"):
            reply = await member.slash("leaderboard show", board=kind.value, scope=scope, timeout=15)
            assert reply.embeds, reply
            answered += 1
            for _ in range(NEXT_CLICKS):
                await member.click(reply, _next_button(reply), timeout=15)
                answered += 1
    return answered


async def memory_run(big: Path) -> dict[str, float]:
    with scratch_dir("lounge-memory-") as folder:
        database = folder / "lounge.db"
        copy_database(big, database)
        async with StandIn(token=TOKEN) as standin:
            generator = standin.world.ids
            standin.world.ids = _FirstIdIs(generator, dataset.GUILD)  # type: ignore[assignment]
            try:
                guild = standin.create_guild("Emmy Night")
            finally:
                standin.world.ids = generator
            assert guild.id == dataset.GUILD
            viewer = guild.add_member("Ada")
            env = bot_environment(standin, database, token=TOKEN, guild_id=guild.id)
            bot = await start_bot(env, folder)
            try:
                await standin.wait_until_ready(timeout=60)
                await standin.wait_for_commands_synced(guild, timeout=30)
                connected = time.perf_counter() - bot.started_at
                await asyncio.sleep(1.0)  # the background loops' first round (outbox, roles, scheduled boards)
                ready_peak, ready_rss = bot.peak_rss_mib(), bot.rss_mib()
                answered = await browse_boards(viewer)
                await asyncio.sleep(0.5)
                browsed_peak, browsed_rss = bot.peak_rss_mib(), bot.rss_mib()
                violations = len(standin.violations)
            finally:
                code = await bot.stop()
            if code != 0:
                raise RuntimeError(f"the bot exited with {code}: {bot.tail()}")
    return {"ready_peak": ready_peak, "ready_rss": ready_rss, "browsed_peak": browsed_peak,
            "browsed_rss": browsed_rss, "connected": connected, "answered": answered, "violations": violations}


async def run(args: argparse.Namespace) -> None:
    size = dataset.QUICK if args.quick else dataset.FULL
    big = await dataset.cached(size)
    print(dataset.describe(big))
    timings = await startup(big, args.runs)
    for name, found in timings.items():
        print(f"prepare() with a {name}: ready {spread([r['ready'] for r in found], 3)} s after process start "
              f"(imports done {spread([r['imported'] for r in found], 3)} s); {found[0]['commands']} top-level "
              f"commands, {found[0]['extensions']} extensions")
    memories = []
    for number in range(args.runs):
        memory = await memory_run(big)
        memories.append(memory)
        print(f"run {number + 1}: peak RSS {memory['ready_peak']:.1f} MiB when ready (RSS {memory['ready_rss']:.1f}), "
              f"{memory['browsed_peak']:.1f} MiB after {memory['answered']:.0f} leaderboard interactions "
              f"(RSS {memory['browsed_rss']:.1f}); connected and synced {memory['connected']:.2f} s after spawn; "
              f"violations {memory['violations']:.0f}")
    ready_new = median([r["ready"] for r in timings["new database"]])
    ready_big = median([r["ready"] for r in timings["big database"]])
    imported = median([r["imported"] for r in timings["big database"]])
    peak_ready = median([m["ready_peak"] for m in memories])
    peak = median([m["browsed_peak"] for m in memories])
    print_summary(
        f"memory and start-up ({size.members:,} members, {size.pledges:,} pledges, {size.results:,} results; "
        f"median of {args.runs})",
        [
            Figure("peak RSS, ready", f"{peak_ready:.1f} MiB", f"< {MEMORY_TARGET_MIB:.0f} MB",
                   peak_ready < MEMORY_TARGET_MIB, ratio_text(peak_ready, MEMORY_TARGET_MIB)),
            Figure("peak RSS, after the boards", f"{peak:.1f} MiB", f"< {MEMORY_TARGET_MIB:.0f} MB",
                   peak < MEMORY_TARGET_MIB,
                   f"{ratio_text(peak, MEMORY_TARGET_MIB)}; runs {spread([m['browsed_peak'] for m in memories])}"),
            Figure("start to ready, big database", f"{ready_big:.2f} s", f"< {START_TARGET_S} s",
                   ready_big < START_TARGET_S,
                   f"{ratio_text(ready_big, START_TARGET_S)}; imports {imported:.2f} s of it"),
            Figure("start to ready, new database", f"{ready_new:.2f} s", f"< {START_TARGET_S} s",
                   ready_new < START_TARGET_S, ratio_text(ready_new, START_TARGET_S)),
            Figure("spawn to connected and synced", f"{median([m['connected'] for m in memories]):.2f} s",
                   distance="network included (loopback stand-in), for context"),
        ],
        command_line(),
    )


def main() -> int:
    args = base_parser(__doc__.splitlines()[0]).parse_args()
    print_machine()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
