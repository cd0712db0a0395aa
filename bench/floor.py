"""Benchmark: the bot's CPU per interaction against discord.py's floor, measured side by side in one run.

    .venv/bin/python -m bench.floor [--quick] [--runs 5] [--count 500] [--rate 250]
                                    [--scenarios NAME ...] [--variants LOOP/JSON ...]

Three processes, as in the burst: the stand-in (``python -m standin``), the bot and this driver.
The bot is ``python -m bench.floor_bot``: ``python -m bot`` (same environment, LoungeBot, extensions,
tree and error path) plus one benchmark-only command, ``/bench-floor``, that answers a constant
ephemeral "ok". That answer is **the floor**: what discord.py costs to take an interaction off the
gateway, route it through the tree and answer it over HTTP, on this machine, right now.

Every round fires, block after block, ``--count`` interactions of one scenario at ``--rate`` per
second, each waited for through the stand-in's control API; a floor block runs before the first
scenario and after every scenario. For each block the bot's CPU time (user + system of its process:
every thread, SQLite's included) is read from ``/proc`` before the first request and after the last
answer, and divided by the interactions. A scenario's ratio is its CPU per interaction over the
mean of the two floor blocks around it: figures taken seconds apart, under the same load, which is
why they stay meaningful on a busy machine where absolute times do not. The figure is the median
ratio over the rounds, printed with every round's value.

The database is seeded like the burst's (the 2014 Emmys live, an announcement channel), and one
untimed warm-up round fills the boards before the timed ones. Every answer is checked: a scenario
whose answers are errors is reported, not measured.

``--variants`` runs the whole thing once per event loop / JSON library of the bot process
(``asyncio/stdlib``, ``asyncio/orjson``, ``uvloop/stdlib``, ``uvloop/orjson``), each with its own
floor, so what uvloop and orjson buy is measured on the floor and on the lounge's commands alike.

To add a scenario (the ballot's select, once ``/ballot`` exists), append one line to
:data:`SCENARIOS`, e.g.::

    Scenario("ballot select", select_on("ballot", {}, prefix="lounge:ballot:")),
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    BotProcess,
    Figure,
    StandInProcess,
    base_parser,
    bot_environment,
    command_line,
    median,
    percentile,
    print_machine,
    print_summary,
    process_cpu_seconds,
    scratch_dir,
    seed_live_ceremony,
    spread,
    standin_process,
)
from bench.burst import print_profile
from bench.floor_bot import FLOOR_COMMAND
from bot.clock import utc_now
from bot.db import Database, apply_migrations

TARGET = 1.3
ERROR_COLOUR = 0xE74C3C  # bot.embeds.Colour.BAD: the colour of every refusal and failure
AMOUNTS = ("5", "10", "20", "25", "50", "100", "12.50")
BOARDS = ("losers", "donors", "pickers")


# ---- what a scenario is ----------------------------------------------------------------------


@dataclass
class Lounge:
    """The server the scenarios play in."""

    standin: StandInProcess
    guild_id: str
    users: list[str]
    categories: list[tuple[int, list[int]]]
    """Every category of the live ceremony with its nominees' ids."""
    rng: random.Random

    def who(self, index: int) -> dict[str, str]:
        return {"guild_id": self.guild_id, "user_id": self.users[index % len(self.users)]}


Request = tuple[str, dict[str, Any]]
"""A control-API path and its body: one interaction."""
Prepare = Callable[[Lounge, int], Awaitable[list[Request]]]
"""Builds a block's `count` requests; may run untimed interactions first (open the message to click)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Prepare


def slash(command: str, options: Callable[[Lounge, int], dict[str, Any]] | None = None) -> Prepare:
    """`count` members each running `/command` (options drawn per interaction)."""

    async def prepare(lounge: Lounge, count: int) -> list[Request]:
        return [
            ("/interactions/slash",
             lounge.who(index) | {"command": command, "options": options(lounge, index) if options else {}})
            for index in range(count)
        ]

    return prepare


def _components(message: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = list(message.get("components") or [])
    while stack:
        component = stack.pop(0)
        found.append(component)
        stack.extend(component.get("components") or [])
    return found


async def _open(lounge: Lounge, index: int, command: str, options: dict[str, Any]) -> dict[str, Any]:
    record = await lounge.standin.call("POST", "/interactions/slash", lounge.who(index) | {
        "command": command, "options": options, "timeout": 10,
    })
    message = record.get("original")
    if not message:
        raise RuntimeError(f"/{command} answered no message to click on: {record}")
    return dict(message)


def button_on(command: str, options: dict[str, Any], *, label: str) -> Prepare:
    """`count` members each open `/command` (untimed), then each clicks the button labelled `label` on theirs."""

    async def prepare(lounge: Lounge, count: int) -> list[Request]:
        opened = await _gather_limited([_open(lounge, index, command, options) for index in range(count)])
        requests: list[Request] = []
        for index, message in enumerate(opened):
            button = next((c for c in _components(message) if c.get("type") == 2 and c.get("label") == label), None)
            if button is None or button.get("disabled"):
                raise RuntimeError(f"/{command} showed no enabled {label!r} button: {_components(message)}")
            requests.append(("/interactions/click", lounge.who(index) | {
                "message_id": message["id"], "custom_id": button["custom_id"],
            }))
        return requests

    return prepare


def select_on(command: str, options: dict[str, Any], *, prefix: str,
              values: Callable[[dict[str, Any]], list[str]] | None = None) -> Prepare:
    """`count` members each open `/command` (untimed), then each chooses in the select whose custom_id starts
    with `prefix` (by default its first option)."""

    def first_option(select: dict[str, Any]) -> list[str]:
        return [str(select["options"][0]["value"])]

    async def prepare(lounge: Lounge, count: int) -> list[Request]:
        opened = await _gather_limited([_open(lounge, index, command, options) for index in range(count)])
        requests: list[Request] = []
        for index, message in enumerate(opened):
            select = next((c for c in _components(message) if str(c.get("custom_id", "")).startswith(prefix)), None)
            if select is None:
                raise RuntimeError(f"/{command} showed no select starting {prefix!r}: {_components(message)}")
            requests.append(("/interactions/select", lounge.who(index) | {
                "message_id": message["id"], "custom_id": select["custom_id"],
                "values": (values or first_option)(select),
            }))
        return requests

    return prepare


async def _gather_limited(jobs: Sequence[Awaitable[Any]], limit: int = 16) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(job: Awaitable[Any]) -> Any:
        async with semaphore:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))


def _amount(lounge: Lounge, index: int) -> dict[str, Any]:
    return {"amount": lounge.rng.choice(AMOUNTS)}


def _pick(lounge: Lounge, index: int) -> dict[str, Any]:
    category, nominees = lounge.rng.choice(lounge.categories)
    return {"category": str(category), "nominee": str(lounge.rng.choice(nominees))}


def _board(lounge: Lounge, index: int) -> dict[str, Any]:
    return {"board": BOARDS[index % len(BOARDS)]}


FLOOR = Scenario("floor", slash(FLOOR_COMMAND))
SCENARIOS: list[Scenario] = [
    Scenario("/pledge add", slash("pledge add", _amount)),
    Scenario("/pick", slash("pick", _pick)),
    Scenario("/leaderboard show", slash("leaderboard show", _board)),
    Scenario("leaderboard Next", button_on("leaderboard show", {"board": "donors"}, label="Next")),
]


# ---- one block, one round --------------------------------------------------------------------


@dataclass
class Block:
    scenario: str
    count: int
    cpu_ms: float
    """The bot's CPU milliseconds per interaction."""
    latencies: list[float]
    errors: int
    unanswered: int
    first_error: str = ""


def _error_of(record: dict[str, Any]) -> str | None:
    if record.get("response_latency") is None:
        return "no answer"
    messages = [record.get("original"), *(record.get("followups") or [])]
    for message in messages:
        for embed in (message or {}).get("embeds") or []:
            if embed.get("color") == ERROR_COLOUR:
                return f"{embed.get('title')}: {embed.get('description')}"
    return None


async def fire(lounge: Lounge, bot_pid: int, scenario: Scenario, count: int, rate: float) -> Block:
    requests = await scenario.prepare(lounge, count)
    loop = asyncio.get_running_loop()

    async def one(index: int, path: str, body: dict[str, Any], start: float) -> dict[str, Any]:
        await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
        return dict(await lounge.standin.call("POST", path, body | {"timeout": 10}))

    await asyncio.sleep(0.2)  # the untimed opening interactions' follow-up work settles
    before = process_cpu_seconds(bot_pid)
    start = loop.time()
    records = await asyncio.gather(*(one(i, path, body, start) for i, (path, body) in enumerate(requests)))
    cpu = process_cpu_seconds(bot_pid) - before
    errors = [error for error in map(_error_of, records) if error is not None]
    return Block(
        scenario=scenario.name, count=len(records), cpu_ms=cpu * 1000 / len(records),
        latencies=[r["response_latency"] for r in records if r.get("response_latency") is not None],
        errors=len(errors), unanswered=sum(1 for r in records if r.get("response_latency") is None),
        first_error=errors[0] if errors else "",
    )


@dataclass
class Round:
    blocks: list[Block]

    def ratios(self) -> dict[str, float]:
        """Each scenario's CPU per interaction over the mean of the floor blocks before and after it."""
        out: dict[str, float] = {}
        for index, block in enumerate(self.blocks):
            if block.scenario == FLOOR.name:
                continue
            floors = [self.blocks[i].cpu_ms for i in (index - 1, index + 1)
                      if 0 <= i < len(self.blocks) and self.blocks[i].scenario == FLOOR.name]
            out[block.scenario] = block.cpu_ms / (sum(floors) / len(floors))
        return out


async def play_round(lounge: Lounge, bot_pid: int, scenarios: Sequence[Scenario], count: int, rate: float) -> Round:
    blocks = [await fire(lounge, bot_pid, FLOOR, count, rate)]
    for scenario in scenarios:
        blocks.append(await fire(lounge, bot_pid, scenario, count, rate))
        blocks.append(await fire(lounge, bot_pid, FLOOR, count, rate))
    return Round(blocks)


# ---- the processes ---------------------------------------------------------------------------


async def _seed(database: Path, guild_id: int, channel_id: int) -> list[tuple[int, list[int]]]:
    db = await Database.open(database)
    try:
        await apply_migrations(db.connection)
        await seed_live_ceremony(db, utc_now, guild_id, channel_id=channel_id,
                                 settings={"announcement_channel_id": channel_id})
    finally:
        await db.close()
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute("SELECT category_id, id FROM nominees WHERE guild_id = ? ORDER BY category_id, position",
                            (guild_id,)).fetchall()
    finally:
        conn.close()
    categories: dict[int, list[int]] = {}
    for category, nominee in rows:
        categories.setdefault(int(category), []).append(int(nominee))
    return sorted(categories.items())


async def start_floor_bot(env: dict[str, str], folder: Path, variant: str, *,
                          profile_to: Path | None = None) -> BotProcess:
    loop, json_library = variant.split("/")
    profiling = ["-m", "cProfile", "-o", str(profile_to)] if profile_to is not None else []
    log_path = folder / "bot.log"
    env = env | {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))}
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, *profiling, "-m", "bench.floor_bot", "--loop", loop, "--json", json_library,
            env=env, cwd=folder, stdout=log, stderr=log,
        )
    return BotProcess(process, log_path, started)


@dataclass
class VariantResult:
    variant: str
    rounds: list[Round] = field(default_factory=list)
    exit_code: int = 0
    violations: int = 0


async def run_variant(variant: str, scenarios: Sequence[Scenario], args: argparse.Namespace,
                      seed: int) -> VariantResult:
    result = VariantResult(variant)
    with scratch_dir("lounge-floor-") as folder:
        database = folder / "lounge.db"
        async with standin_process(folder) as standin:
            guild = await standin.call("POST", "/guilds", {"name": "Emmy Night"})
            guild_id, channel_id = str(guild["id"]), int(guild["system_channel_id"])
            created = await _gather_limited([
                standin.call("POST", f"/guilds/{guild_id}/members", {"name": f"Member {index:04}"})
                for index in range(args.members)
            ], limit=64)
            users = [str(member["user"]["id"]) for member in created]
            categories = await _seed(database, int(guild_id), channel_id)
            env = bot_environment(database=database, api_base=standin.api_base, gateway_url=standin.gateway_url,
                                  guild_id=int(guild_id))
            profile_to = folder / "bot.prof" if args.profile else None
            bot = await start_floor_bot(env, folder, variant, profile_to=profile_to)
            try:
                await standin.call("POST", "/wait/ready", {"timeout": 60})
                await standin.call("POST", "/wait/synced", {"guild_id": guild_id, "timeout": 30})
                lounge = Lounge(standin, guild_id, users, categories, random.Random(seed))
                warm = await play_round(lounge, bot.pid, scenarios, max(50, args.count // 4), args.rate)
                _check(warm, variant, "warm-up")
                for number in range(args.runs):
                    played = await play_round(lounge, bot.pid, scenarios, args.count, args.rate)
                    _check(played, variant, f"round {number + 1}")
                    result.rounds.append(played)
                    print(f"{variant} round {number + 1}: " + "; ".join(
                        f"{b.scenario} {b.cpu_ms:.3f} ms (p50 {percentile(b.latencies, 0.5) * 1000:.0f} ms)"
                        for b in played.blocks
                    ) + " | ratios " + ", ".join(f"{name} {ratio:.2f}" for name, ratio in played.ratios().items()),
                        flush=True)
                result.violations = len(await standin.call("GET", "/violations"))
            finally:
                result.exit_code = await bot.stop()
            if result.exit_code != 0:
                print(f"the bot exited with {result.exit_code}: {bot.tail()}")
            if profile_to is not None:
                print_profile(profile_to, lines=45)
    return result


def _check(played: Round, variant: str, when: str) -> None:
    for block in played.blocks:
        if block.errors or block.unanswered:
            print(f"WARNING {variant} {when}: {block.scenario}: {block.errors} error answers, "
                  f"{block.unanswered} unanswered; first: {block.first_error}")


# ---- the report ------------------------------------------------------------------------------


def summarise(results: list[VariantResult], scenarios: Sequence[Scenario], args: argparse.Namespace) -> None:
    figures: list[Figure] = []
    for result in results:
        floors = [b.cpu_ms for r in result.rounds for b in r.blocks if b.scenario == FLOOR.name]
        figures.append(Figure(f"{result.variant}: floor (/{FLOOR_COMMAND} 'ok')", f"{median(floors):.3f} ms",
                              distance=f"CPU per interaction; blocks {spread(floors, 3)}"))
        for scenario in scenarios:
            ratios = [r.ratios()[scenario.name] for r in result.rounds]
            cpu = [b.cpu_ms for r in result.rounds for b in r.blocks if b.scenario == scenario.name]
            latency = [x for r in result.rounds for b in r.blocks if b.scenario == scenario.name for x in b.latencies]
            value = median(ratios)
            figures.append(Figure(
                f"{result.variant}: {scenario.name}", f"{value:.2f}x floor", f"<= {TARGET}x", value <= TARGET,
                f"{median(cpu):.3f} ms CPU per interaction; ratio per round {spread(ratios, 2)}; "
                f"p99 answer {percentile(latency, 0.99) * 1000:.0f} ms",
            ))
        if result.violations or result.exit_code:
            figures.append(Figure(f"{result.variant}: Discord rules broken / bot exit",
                                  f"{result.violations} / {result.exit_code}", "0 / 0",
                                  result.violations == 0 and result.exit_code == 0))
    if len(results) > 1:
        base = results[0]
        base_floor = median([b.cpu_ms for r in base.rounds for b in r.blocks if b.scenario == FLOOR.name])
        for result in results[1:]:
            floor = median([b.cpu_ms for r in result.rounds for b in r.blocks if b.scenario == FLOOR.name])
            figures.append(Figure(f"floor {result.variant} vs {base.variant}", f"{floor / base_floor:.2f}x",
                                  distance=f"{floor:.3f} vs {base_floor:.3f} ms (separate bot processes, "
                                  "one after the other: compare with care)"))
    print_summary(
        f"floor: the bot's CPU per interaction over discord.py's floor ({args.count} interactions per block at "
        f"{args.rate:g}/s, median of {args.runs} rounds)", figures, command_line(),
    )


def default_variant() -> str:
    """What `python -m bot` runs: uvloop and orjson where they are installed."""
    loop = "uvloop" if _importable("uvloop") else "asyncio"
    json_library = "orjson" if _importable("orjson") else "stdlib"
    return f"{loop}/{json_library}"


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


async def run(args: argparse.Namespace) -> None:
    by_name = {scenario.name: scenario for scenario in SCENARIOS}
    scenarios = [by_name[name] for name in args.scenarios] if args.scenarios else SCENARIOS
    variants: list[str] = args.variants or [default_variant()]
    results = []
    for number, variant in enumerate(itertools.islice(itertools.cycle(variants), len(variants) * args.passes)):
        results.append(await run_variant(variant, scenarios, args, seed=number))
    merged: dict[str, VariantResult] = {}
    for result in results:
        into = merged.setdefault(result.variant, VariantResult(result.variant))
        into.rounds += result.rounds
        into.violations += result.violations
        into.exit_code = into.exit_code or result.exit_code
    summarise(list(merged.values()), scenarios, args)


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.set_defaults(runs=5)
    parser.add_argument("--count", type=int, default=500, help="interactions per block")
    parser.add_argument("--rate", type=float, default=250.0, help="interactions per second within a block")
    parser.add_argument("--members", type=int, default=500, help="members of the server (who take turns)")
    parser.add_argument("--scenarios", nargs="*", choices=[scenario.name for scenario in SCENARIOS],
                        help="only these scenarios (the floor is always measured)")
    parser.add_argument("--variants", nargs="*", choices=["asyncio/stdlib", "asyncio/orjson", "uvloop/stdlib",
                                                          "uvloop/orjson"],
                        help="event loop / JSON library of the bot process (default: what `python -m bot` uses)")
    parser.add_argument("--profile", action="store_true",
                        help="run the bot under cProfile (every figure is then inflated) and print where it spends")
    parser.add_argument("--passes", type=int, default=1,
                        help="with several variants: play them in turn this many times (A B A B ...)")
    args = parser.parse_args()
    if args.quick:
        args.count, args.runs, args.members = 150, 2, 150
    print_machine()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
