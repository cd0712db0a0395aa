"""The bot's CPU per interaction over discord.py's floor, measured side by side in one run.

    .venv/bin/python -m bench.floor [--quick] [--runs 3] [--interactions 600] [--rate 300]
                                    [--extras] [--extra NAME] [--same-message] [--kind K]

For each round, two bot processes run side by side, each against a stand-in of its own
(``python -m standin``, its own process) with the same server, the same members and a copy of the
same database (the 2014 Emmys live):

* **bot**: ``python -m bench.floor_bot``, which is ``python -m bot`` itself;
* **floor**: the same program, the same ``LoungeBot``, tree, checks and dynamic items, whose
  measured commands and components answer a constant ephemeral "ok" (no database, no embed):
  what discord.py, aiohttp and the event loop cost to take an interaction and answer it.

Each is sent the same interactions at a steady ``--rate`` per second, kind after kind, every one
from a member of its own (after a warm-up of each kind): ``/pledge add``, ``/pick``, the ballot's
select (a pick in the first category of the member's ``/ballot``), a button click (the ballot's
"Next page"), ``/leaderboard show``. The CPU (user + system, every thread: the SQLite writer's
too; to the nanosecond where Linux shows each thread's runtime, else to the 10 ms tick) the bot
process used from the first interaction of a kind fired to the last answered, divided by their
number, is its cost per interaction. The two run at the same time, kind by kind in step (a
barrier starts each kind in both), so whatever else the shared machine does at that moment slows
both alike; the ratio bot / floor is given per round and as the median.
Target: at most 1.3x for every kind. Each answer's latency (sent to acknowledged, at the
stand-in) is printed too, p50 and p99 per kind, for the bot and the floor: what the group
commit's window (:mod:`bot.db.commit_window`) costs a member in time for what it saves in CPU.

``--same-message`` runs a third bot beside the two, kind by kind in step with them:
``bench.floor_bot --same-message``, which answers every interaction with the message the bot
sent for the first of its kind (the same embed, components and discord.py call; no database, no
rendering). It splits the bot's cost over the floor in two: what discord.py costs to send the
lounge's message and parse its echo (same message / floor), and the lounge's own work (bot /
same message).

``--extras`` adds pairs to every round, the floor beside a floor without discord.py's speed extras
(orjson: ``LOUNGE_BENCH_ORJSON=0``), without uvloop (``LOUNGE_EVENT_LOOP=asyncio``), and without
both: each as a ratio to the floor with both, measured beside it; and the bot itself without orjson
beside the bot with it, since the lounge's messages (a ballot's four menus) are far bigger than the
floor's "ok" (``--extra NAME``: only that one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    TOKEN,
    Figure,
    StandInProcess,
    base_parser,
    command_line,
    copy_database,
    cpu_reading,
    cpu_seconds_between,
    median,
    percentile,
    print_machine,
    print_summary,
    scratch_dir,
    seed_live_ceremony,
    standin_process,
)
from bot.against_standin import bot_environment
from bot.clock import utc_now
from bot.db import Database, apply_migrations

KINDS = ("/pledge add", "/pick", "ballot select", "button click", "/leaderboard show")
TARGET = 1.3
WARM_UP = 20
CEREMONY = REPO / "bot" / "data" / "emmys-2014.json"


@dataclass(frozen=True)
class Variant:
    name: str
    flags: tuple[str, ...] = ("--floor",)
    """bench.floor_bot's: ``--floor``, ``--same-message``, or none (the bot itself)."""
    env: dict[str, str] = field(default_factory=dict)
    beside: str = "floor"
    """The variant it is run beside, and measured against: the floor, or the bot itself."""

    @property
    def is_bot(self) -> bool:
        return not self.flags and not self.env


BOT = Variant("bot", ())
SAME_MESSAGE = Variant("same message", ("--same-message",))


def variants(extras: bool) -> list[Variant]:
    chosen = [Variant("floor"), BOT]
    if extras:
        chosen += [
            Variant("floor, stdlib json", env={"LOUNGE_BENCH_ORJSON": "0"}),
            Variant("floor, asyncio loop", env={"LOUNGE_EVENT_LOOP": "asyncio"}),
            Variant("floor, neither", env={"LOUNGE_BENCH_ORJSON": "0", "LOUNGE_EVENT_LOOP": "asyncio"}),
            # What orjson buys the lounge's own messages (a ballot's four menus are ~20x the floor's "ok").
            Variant("bot, stdlib json", (), env={"LOUNGE_BENCH_ORJSON": "0"}, beside="bot"),
        ]
    return chosen


def _picks() -> list[tuple[str, list[str]]]:
    """(category, its nominees' names) of the 2014 telecast categories with distinct names."""
    data = json.loads(CEREMONY.read_text())
    chosen = []
    for category in data["categories"]:
        names = [nominee["name"] for nominee in category["nominees"]]
        if category.get("telecast") and len(set(names)) == len(names) >= 2:
            chosen.append((category["name"], names))
    return chosen


class BotUnderTest:
    """One bench.floor_bot process against one stand-in, with the members it is sent from."""

    def __init__(self, standin: StandInProcess, guild_id: str, users: list[str], process: asyncio.subprocess.Process,
                 log_path: Path) -> None:
        self.standin = standin
        self.guild_id = guild_id
        self.users = users
        self.process = process
        self.log_path = log_path

    async def send(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = await self.standin.call(
            "POST", f"/interactions/{path}", {"guild_id": self.guild_id, "timeout": 20, **body})
        if record.get("response_latency") is None:
            raise RuntimeError(f"no answer to {body}: {record.get('rejections')}; bot log: {self.tail()}")
        return record

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds each thread of a process has used, by thread name (numbered when repeated)."""
    found: dict[str, float] = {}
    for task in sorted(Path(f"/proc/{pid}/task").iterdir()):
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        key, number = name, 1
        while key in found:
            number += 1
            key = f"{name}#{number}"
        found[key] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _component(message: dict[str, Any], wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    stack = list(message.get("components") or [])
    while stack:
        component = stack.pop(0)
        if wanted(component):
            return dict(component)
        stack[:0] = list(component.get("components") or [])
    raise RuntimeError(f"no such component in {message.get('components')}")


def _first_select(message: dict[str, Any]) -> dict[str, Any]:
    return _component(message, lambda c: c.get("type") == 3 and not c.get("disabled"))


def _next_button(message: dict[str, Any]) -> dict[str, Any]:
    return _component(message, lambda c: c.get("type") == 2 and "Next" in str(c.get("label"))
                      and not c.get("disabled"))


Job = Callable[[int], Awaitable[dict[str, Any]]]


async def _steady(count: int, rate: float, job: Job) -> list[dict[str, Any]]:
    """`job(index)` for every index, started `1/rate` s apart, all awaited; their records."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def one(index: int) -> dict[str, Any]:
        await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
        return await job(index)

    return list(await asyncio.gather(*(one(index) for index in range(count))))


@dataclass
class Measured:
    """One variant's round: CPU ms per interaction, and each answer's latency (s), by kind."""

    costs: dict[str, float] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)


async def measure_kinds(bot: BotUnderTest, count: int, rate: float, seed: int,
                        barrier: asyncio.Barrier | None = None, kinds: Sequence[str] = KINDS) -> Measured:
    """Bot CPU ms per interaction for each of `kinds`, each after a warm-up; with a `barrier`, every
    kind starts at the same moment as in the variants run beside this one."""
    rng = random.Random(seed)
    picks = _picks()
    amounts = ("5", "10", "20", "25", "12.50")
    users = bot.users
    total = WARM_UP + count
    measured = Measured()
    costs = measured.costs

    async def timed(kind: str, job: Job) -> None:
        if kind not in kinds:
            return
        await _steady(WARM_UP, rate, job)  # the first of a kind imports and fills caches: not counted
        if barrier is not None:
            await barrier.wait()
        before = cpu_reading(bot.process.pid)
        threads_before = thread_cpu_seconds(bot.process.pid)
        records = await _steady(count, rate, lambda index: job(WARM_UP + index))
        measured.latencies[kind] = [record["response_latency"] for record in records]
        costs[kind] = cpu_seconds_between(before, cpu_reading(bot.process.pid)) * 1000 / count
        if os.environ.get("LOUNGE_BENCH_THREADS"):
            after = thread_cpu_seconds(bot.process.pid)
            print(f"  {kind} threads: " + ", ".join(
                f"{name} {(after[name] - threads_before.get(name, 0.0)) * 1000 / count:.3f}"
                for name in sorted(after) if after[name] - threads_before.get(name, 0.0) > 0), flush=True)

    await timed("/pledge add", lambda i: bot.send("slash", {
        "user_id": users[i], "command": "pledge add", "options": {"amount": rng.choice(amounts)}}))

    def pick(i: int) -> dict[str, Any]:
        category, nominees = picks[i % len(picks)]
        return {"user_id": users[i], "command": "pick",
                "options": {"category": category, "nominee": nominees[(i // len(picks)) % len(nominees)]}}

    await timed("/pick", lambda i: bot.send("slash", pick(i)))

    # The ballots members choose in and click through: opened beforehand, not counted.
    ballots: list[dict[str, Any]] = [{}] * total

    async def open_ballot(i: int) -> dict[str, Any]:
        if not {"ballot select", "button click"} & set(kinds):
            return {}
        ballots[i] = (await bot.send("slash", {"user_id": users[i], "command": "ballot"}))["original"]
        return ballots[i]

    await _steady(total, rate, open_ballot)

    def choose(i: int) -> Awaitable[dict[str, Any]]:
        select = _first_select(ballots[i])
        option = select["options"][-1]["value"]
        return bot.send("select", {"user_id": users[i], "message_id": ballots[i]["id"],
                                   "custom_id": select["custom_id"], "values": [option]})

    await timed("ballot select", choose)
    await _steady(total, rate, open_ballot)  # fresh ballots: the select above changed them
    await timed("button click", lambda i: bot.send("click", {
        "user_id": users[i], "message_id": ballots[i]["id"], "custom_id": _next_button(ballots[i])["custom_id"]}))
    boards = ("losers", "donors", "pickers")
    await timed("/leaderboard show", lambda i: bot.send("slash", {
        "user_id": users[i], "command": "leaderboard show", "options": {"board": boards[i % 3]}}))
    return measured


async def _seeded_database(folder: Path, guild_id: int, channel_id: int) -> Path:
    path = folder / "seed.db"
    db = await Database.open(path)
    try:
        await apply_migrations(db.connection)
        await seed_live_ceremony(db, utc_now, guild_id, channel_id=channel_id,
                                 settings={"announcement_channel_id": channel_id})
    finally:
        await db.close()
    return path


async def one_variant(folder: Path, variant: Variant, count: int, rate: float, seed: int,
                      profile_to: Path | None = None, barrier: asyncio.Barrier | None = None,
                      kinds: Sequence[str] = KINDS) -> Measured:
    async with standin_process(folder) as standin:
        guild = await standin.call("POST", "/guilds", {"name": "Emmy Night"})
        guild_id, channel_id = str(guild["id"]), int(guild["system_channel_id"])
        created = await asyncio.gather(*(
            standin.call("POST", f"/guilds/{guild_id}/members", {"name": f"Member {index:04}"})
            for index in range(WARM_UP + count)
        ))
        users = [str(member["user"]["id"]) for member in created]
        database = folder / "lounge.db"
        copy_database(await _seeded_database(folder, int(guild_id), channel_id), database)
        env = {**bot_environment(standin, database, token=TOKEN, guild_id=int(guild_id)), **variant.env}
        if profile_to is not None and variant.is_bot:
            env["LOUNGE_BENCH_PROFILE"] = str(profile_to)
        log_path = folder / "bot.log"
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.floor_bot", *variant.flags,
                env={**env, "PYTHONPATH": str(REPO)}, cwd=folder,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
            )
        bot = BotUnderTest(standin, guild_id, users, process, log_path)
        try:
            try:
                await standin.call("POST", "/wait/ready", {"timeout": 60})
                await standin.call("POST", "/wait/synced", {"guild_id": guild_id, "timeout": 30})
            except Exception as error:
                raise RuntimeError(f"{variant.name}: the bot did not get ready ({error}); its log: {bot.tail()}")\
                    from error
            if barrier is not None:
                await barrier.wait()  # both ready: start together
            await asyncio.sleep(0.5)
            return await measure_kinds(bot, count, rate, seed, barrier, kinds)
        finally:
            await bot.stop()


def _ratio_runs(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


async def paired(variants: list[Variant], count: int, rate: float, seed: int,
                 profile: str | None, kinds: Sequence[str] = KINDS) -> dict[str, Measured]:
    """Run `variants` at the same time (each its own stand-in and bot), kind by kind in step."""
    barrier = asyncio.Barrier(len(variants))
    with contextlib.ExitStack() as folders:
        paths = [folders.enter_context(scratch_dir("lounge-floor-")) for _ in variants]
        measured = await asyncio.gather(*(
            one_variant(folder, variant, count, rate, seed=seed, barrier=barrier, kinds=kinds,
                        profile_to=Path(profile) if profile and variant.is_bot else None)
            for folder, variant in zip(paths, variants, strict=True)
        ))
    return {variant.name: one for variant, one in zip(variants, measured, strict=True)}


async def run(args: argparse.Namespace) -> None:
    count = 100 if args.quick else args.interactions
    kinds = [kind for kind in KINDS if not args.kind or kind in args.kind]
    chosen = variants(args.extras or bool(args.extra))
    if args.extra:
        chosen = chosen[:2] + [variant for variant in chosen[2:] if variant.name in args.extra]
    floor, bot = chosen[0], chosen[1]
    first = [floor, bot, SAME_MESSAGE] if args.same_message else [floor, bot]
    by_name = {variant.name: variant for variant in chosen}
    pairs = [first, *([by_name[other.beside], other] for other in chosen[2:])]
    if args.same_message:
        chosen.append(SAME_MESSAGE)
    costs: dict[str, list[dict[str, float]]] = {variant.name: [] for variant in chosen}
    references: dict[str, list[dict[str, float]]] = {variant.name: [] for variant in chosen}
    latencies: dict[str, dict[str, list[float]]] = {variant.name: {kind: [] for kind in kinds} for variant in chosen}
    started = time.monotonic()
    for number in range(args.runs):
        for pair in pairs:
            profile = args.profile if number == args.runs - 1 else None
            rounds = await paired(pair, count, args.rate, number, profile, kinds)
            measured = {name: one.costs for name, one in rounds.items()}
            reference = pair[0]
            for other in pair[1:]:
                costs[other.name].append(measured[other.name])
                references[other.name].append(measured[reference.name])
            for name, per_kind in measured.items():
                print(f"round {number + 1}, {name}: " + ", ".join(
                    f"{kind} {ms:.3f} ms" for kind, ms in per_kind.items()), flush=True)
            for name, one in rounds.items():
                if pair is pairs[0]:
                    for kind, answered in one.latencies.items():
                        latencies[name][kind].extend(answered)
                print(f"round {number + 1}, {name}, answered in (p50 / p99): " + ", ".join(
                    f"{kind} {percentile(answered, 0.5) * 1000:.0f} / {percentile(answered, 0.99) * 1000:.0f} ms"
                    for kind, answered in one.latencies.items()), flush=True)
            for other in pair[1:]:
                print("round {}: {} / {}: {}".format(number + 1, other.name, reference.name, ", ".join(
                    f"{kind} {measured[other.name][kind] / measured[reference.name][kind]:.2f}x" for kind in kinds)),
                    flush=True)
    costs["floor"] = references["bot"]

    figures: list[Figure] = []
    for kind in kinds:
        floor_ms = [run[kind] for run in costs["floor"]]
        bot_ms = [run[kind] for run in costs["bot"]]
        ratios = [b / f for b, f in zip(bot_ms, floor_ms, strict=True)]
        ratio = median(ratios)
        figures.append(Figure(
            f"{kind}: bot / floor", f"{ratio:.2f}x", f"≤ {TARGET}x", ratio <= TARGET,
            f"runs {_ratio_runs(ratios)}; bot {median(bot_ms):.3f} ms, floor {median(floor_ms):.3f} ms CPU per "
            "interaction",
        ))
    for kind in kinds:
        bot_answered, floor_answered = latencies["bot"][kind], latencies["floor"][kind]
        figures.append(Figure(
            f"{kind}: answered in, bot", f"p50 {percentile(bot_answered, 0.5) * 1000:.0f} ms",
            distance=f"p99 {percentile(bot_answered, 0.99) * 1000:.0f} ms; the floor p50 "
            f"{percentile(floor_answered, 0.5) * 1000:.0f} ms, p99 {percentile(floor_answered, 0.99) * 1000:.0f} ms "
            f"(every answer of {args.runs} rounds, sent to acknowledged at the stand-in)",
        ))
    if args.same_message:
        for kind in kinds:
            shaped = [run[kind] for run in costs[SAME_MESSAGE.name]]
            floor_ms = [run[kind] for run in costs["floor"]]
            bot_ms = [run[kind] for run in costs["bot"]]
            message = [m / f for m, f in zip(shaped, floor_ms, strict=True)]
            own = [b / m for b, m in zip(bot_ms, shaped, strict=True)]
            figures.append(Figure(
                f"{kind}: same message / floor", f"{median(message):.2f}x",
                distance=f"runs {_ratio_runs(message)}; {median(shaped):.3f} ms: discord.py sending the lounge's "
                "message, no work of ours",
            ))
            figures.append(Figure(
                f"{kind}: bot / same message", f"{median(own):.2f}x",
                distance=f"runs {_ratio_runs(own)}; the lounge's own work (database, rendering) on top",
            ))
    if len(chosen) > 2:
        for variant in chosen[2:]:
            if variant is SAME_MESSAGE:
                continue
            for kind in kinds:
                ratios = [run[kind] / floor_run[kind] for run, floor_run in
                          zip(costs[variant.name], references[variant.name], strict=True)]
                figures.append(Figure(
                    f"{kind}: {variant.name} / {variant.beside}", f"{median(ratios):.2f}x",
                    distance=f"runs {_ratio_runs(ratios)}; against the {variant.beside} with both extras, "
                    "run beside it",
                ))
    print(f"\n{len(pairs)} pair(s) side by side x {args.runs} rounds x {len(kinds)} kinds of {count} interactions "
          f"at {args.rate:g}/s to each bot in {time.monotonic() - started:.0f} s; event loop of the bot: "
          f"{os.environ.get('LOUNGE_EVENT_LOOP') or 'uvloop where installed'}")
    print_summary(f"floor: the bot's CPU per interaction over discord.py's floor (median of {args.runs} rounds)",
                  figures, command_line())


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=600, help="measured interactions of each kind")
    parser.add_argument("--rate", type=float, default=150.0,
                        help="interactions per second to each of the two bots, fired steadily")
    parser.add_argument("--extras", action="store_true",
                        help="also the floor without orjson, without uvloop, and without both")
    parser.add_argument("--extra", action="append", choices=[v.name for v in variants(True)[2:]],
                        help="only this one of the --extras (repeatable)")
    parser.add_argument("--same-message", action="store_true",
                        help="also, beside the two, a floor that answers with the bot's own message for each kind")
    parser.add_argument("--kind", action="append", choices=KINDS,
                        help="measure only this kind (repeatable); every kind by default")
    parser.add_argument("--profile", metavar="OUT.prof",
                        help="run the last round's bot under cProfile (its figures then include the profiler)")
    args = parser.parse_args()
    print_machine()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
