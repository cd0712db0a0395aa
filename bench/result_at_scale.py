"""Benchmark 3: logging one result in a category where 10,000 members have picks.

    .venv/bin/python -m bench.result_at_scale [--quick] [--runs 3] [--members 10000] [--other-picks 20]

The ceremony (the 2014 Emmys, 103 categories, live) is built once through the
domain services and bulk inserts into the real tables: ``members`` members, every
one with a pick in the measured category (an underdog wins it, so most of them
lose) and in ``--other-picks`` other categories; every nominee of the measured
category claimed (so the winner's claimer owes the winner's tax), half of the
others too; a loser role and an announcement channel set; ten earlier results
logged with ``ResultService.log`` so the lounge already has losses and role grants.

Each run copies that database and times, through the bot's own ``Database`` (its
pragmas, its writer): ``ResultService.log(...)`` from the call until

* **handed to the sender**: the commit that holds the result, its announcement in
  the outbox and its role grants in the role queue — the moment the writer calls
  the commit listeners, which is what wakes the bot's announcement sender;
* **returned**: the host's caller woken with the report.

Role grants are only queued in that commit (thousands of rows in ``role_queue``);
the paced role sender works through them afterwards without holding up anything.
Target: under 200 ms to the announcement being handed to the sender.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import bot.db.database as database_module
from bench.common import (
    HOST_ID,
    Figure,
    base_parser,
    build_digest,
    cache_dir,
    command_line,
    copy_database,
    median,
    print_machine,
    print_summary,
    ratio_text,
    scratch_dir,
    seed_live_ceremony,
    spread,
)
from bot.clock import to_storage, utc_now
from bot.db import Database, Transaction, apply_migrations
from bot.domain.results import tallies
from bot.domain.results.service import ResultService
from bot.domain.settings.service import SettingsService

GUILD = 1_100_000_000_000_000_003
CHANNEL = 1_100_000_000_000_000_004
LOSER_ROLE = 1_100_000_000_000_000_005
FIRST_USER = 1_200_000_000_000_000_000
MEASURED = 20
"""The measured category's position (Outstanding Lead Actress in a Drama Series in the 2014 file)."""
EARLIER = 10
TARGET_MS = 200.0


async def build(path: Path, members: int, other_picks: int, seed: int) -> None:
    rng = random.Random(seed)
    db = await Database.open(path)
    try:
        await apply_migrations(db.connection)
        await seed_live_ceremony(db, utc_now, GUILD, channel_id=CHANNEL,
                                 settings={"announcement_channel_id": CHANNEL, "loser_role_id": LOSER_ROLE})
        ceremony = await db.fetch_value("SELECT id FROM ceremonies WHERE guild_id = ? AND is_current = 1", (GUILD,))
        categories = await db.fetch_all(
            "SELECT id, name FROM categories WHERE ceremony_id = ? ORDER BY position", (ceremony,))
        nominees: dict[int, list[int]] = {}
        for row in await db.fetch_all(
            "SELECT n.category_id, n.id FROM nominees n JOIN categories c ON c.id = n.category_id "
            "WHERE c.ceremony_id = ? ORDER BY n.category_id, n.position", (ceremony,)):
            nominees.setdefault(row["category_id"], []).append(row["id"])
        users = [FIRST_USER + index for index in range(members)]
        stamp = to_storage(utc_now())
        measured = categories[MEASURED]["id"]
        others = [row["id"] for row in categories if row["id"] != measured]
        picks: list[tuple[int, int, int, int, int, str]] = []
        for user in users:
            for category in [measured, *rng.sample(others, other_picks)]:
                choices = nominees[category]
                # A favourite and an underdog: the last nominee (the measured winner) gets few picks.
                weights = [8, *([4] * (len(choices) - 2)), 1]
                picks.append((GUILD, ceremony, category, user, rng.choices(choices, weights)[0], stamp))
        claimers = iter(rng.sample(users, len(nominees) * 8))
        claims = [
            (GUILD, ceremony, category, nominee, next(claimers), stamp)
            for category, ids in nominees.items()
            for nominee in ids
            if category == measured or rng.random() < 0.5
        ]

        async def fill(tx: Transaction) -> None:
            await tx.execute_many(
                "INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, ?, ?)",
                [(GUILD, user, f"Member {user - FIRST_USER:05}", stamp) for user in users],
            )
            await tx.execute_many(
                "INSERT INTO picks (guild_id, ceremony_id, category_id, user_id, nominee_id, picked_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", picks)
            await tx.execute_many(
                "INSERT INTO claims (guild_id, ceremony_id, category_id, nominee_id, user_id, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", claims)

        await db.write(fill)
        results = ResultService(db, utc_now, SettingsService(db, utc_now))
        for row in categories[:EARLIER]:
            await results.log(GUILD, actor_id=HOST_ID, category=str(row["id"]), winner=str(nominees[row["id"]][0]))
    finally:
        await db.close()


async def cached_build(members: int, other_picks: int) -> Path:
    path = cache_dir() / f"result-{members}-{other_picks}-{build_digest(Path(__file__))}.db"
    if not path.exists():
        started = time.perf_counter()
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        await build(building, members, other_picks, seed=7)
        building.rename(path)
        print(f"built the ceremony ({members:,} members, {members * (other_picks + 1):,} picks) "
              f"in {time.perf_counter() - started:.1f} s")
    return path


async def measure(path: Path) -> tuple[float, float, dict[str, int]]:
    """Milliseconds to the commit (sender woken) and to the caller woken, and what the result did."""
    db = await Database.open(path)
    try:
        await apply_migrations(db.connection)
        ceremony = await db.fetch_value("SELECT id FROM ceremonies WHERE guild_id = ? AND is_current = 1", (GUILD,))
        category = await db.fetch_one(
            "SELECT id, name FROM categories WHERE ceremony_id = ? AND position = ?", (ceremony, MEASURED))
        assert category is not None
        winner = await db.fetch_value(
            "SELECT id FROM nominees WHERE category_id = ? ORDER BY position DESC LIMIT 1", (category["id"],))
        pickers = await db.fetch_value("SELECT COUNT(*) FROM picks WHERE category_id = ?", (category["id"],))
        roles_before = await db.fetch_value("SELECT COUNT(*) FROM role_queue WHERE done_at IS NULL")
        handed: list[float] = []
        db.add_commit_listener(lambda: handed.append(time.perf_counter()))
        results = ResultService(db, utc_now, SettingsService(db, utc_now))
        started = time.perf_counter()
        report = await results.log(GUILD, actor_id=HOST_ID, category=str(category["id"]), winner=str(winner))
        returned = time.perf_counter()
        announced = await db.fetch_value(
            "SELECT COUNT(*) FROM outbox WHERE guild_id = ? AND kind = 'result.log' AND sent_at IS NULL", (GUILD,))
        roles_after = await db.fetch_value("SELECT COUNT(*) FROM role_queue WHERE done_at IS NULL")
        assert announced >= 1, "the announcement must be in the outbox at the commit"
        assert handed, "the commit listener (what wakes the sender) must have been called"
        effects = {
            "pickers": pickers, "losses": report.losses_added, "right picks": report.right_picks,
            "newcomers": report.newcomers, "role grants queued": roles_after - roles_before,
            "winner's taxes": report.taxes_charged,
        }
        return (handed[0] - started) * 1000, (returned - started) * 1000, effects
    finally:
        await db.close()


# ---- --profile: where the time goes, and what would change it ----------------------------------


@contextlib.contextmanager
def timed_statements() -> Iterator[list[tuple[float, str]]]:
    """Time every statement a unit runs through its Transaction (seconds, SQL)."""
    timings: list[tuple[float, str]] = []
    originals = {name: getattr(database_module.Transaction, name)
                 for name in ("execute", "insert", "execute_many", "fetch_all", "fetch_one")}

    def timed(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def wrapper(self: Transaction, sql: str, params: Any = ()) -> Any:
            started = time.perf_counter()
            try:
                return await original(self, sql, params)
            finally:
                timings.append((time.perf_counter() - started, " ".join(sql.split())))
        return wrapper

    for name, original in originals.items():
        setattr(database_module.Transaction, name, timed(original))
    try:
        yield timings
    finally:
        for name, original in originals.items():
            setattr(database_module.Transaction, name, original)


async def _add_new_losses(tx: Transaction, guild_id: int, ceremony_id: int | None, user_ids: Iterable[int]) -> None:
    """What-if: add the latest result's losses to the totals (an upsert) instead of recounting each member."""
    for scope in tallies.scopes_of(ceremony_id):
        await tx.execute(
            "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) "
            "SELECT guild_id, ?1, user_id, COUNT(*), MAX(created_at) FROM losses "
            "WHERE result_id = (SELECT MAX(id) FROM results WHERE guild_id = ?2) GROUP BY user_id "
            "ON CONFLICT DO UPDATE SET losses = losses + excluded.losses, reached_at = excluded.reached_at",
            (scope, guild_id))


async def _add_new_picks(tx: Transaction, guild_id: int, ceremony_id: int, user_ids: Iterable[int]) -> None:
    """What-if: add the latest result's decided picks to the pick records instead of recounting each member."""
    for scope in tallies.scopes_of(ceremony_id):
        await tx.execute(
            "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) "
            "SELECT guild_id, ?1, user_id, outcome = 'right', 1, resolved_at FROM picks "
            "WHERE category_id = (SELECT category_id FROM results WHERE guild_id = ?2 ORDER BY id DESC LIMIT 1) "
            "AND outcome IS NOT NULL "
            "ON CONFLICT DO UPDATE SET correct = correct + excluded.correct, resolved = resolved + 1, "
            "reached_at = CASE WHEN excluded.correct THEN excluded.reached_at ELSE reached_at END",
            (scope, guild_id))


@contextlib.contextmanager
def incremental_tallies() -> Iterator[None]:
    saved = tallies.refresh_loss_totals, tallies.refresh_pick_stats
    tallies.refresh_loss_totals, tallies.refresh_pick_stats = _add_new_losses, _add_new_picks
    try:
        yield
    finally:
        tallies.refresh_loss_totals, tallies.refresh_pick_stats = saved


async def _not_now(*_args: Any, **_kwargs: Any) -> tuple[list[int], list[int]]:
    return [], []


@contextlib.contextmanager
def tallies_left_for_later() -> Iterator[None]:
    """What-if: the result's own commit without the tallies and role grants (a follow-up unit's work)."""
    saved = tallies.refresh_loss_totals, tallies.refresh_pick_stats, tallies.sync_loser_roles
    tallies.refresh_loss_totals = tallies.refresh_pick_stats = tallies.sync_loser_roles = _not_now  # type: ignore[assignment]
    try:
        yield
    finally:
        tallies.refresh_loss_totals, tallies.refresh_pick_stats, tallies.sync_loser_roles = saved


def drop_histogram_triggers(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'board_scores_%'")]
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")
        conn.commit()
    finally:
        conn.close()


async def profile(source: Path) -> None:
    with scratch_dir("lounge-result-profile-") as folder:
        copy_database(source, folder / "lounge.db")
        with timed_statements() as timings:
            sender_ms, _caller, _effects = await measure(folder / "lounge.db")
    in_sql = sum(seconds for seconds, _ in timings) * 1000
    print(f"\n--profile: {len(timings)} statements took {in_sql:.0f} of the {sender_ms:.0f} ms; the costliest:")
    for seconds, sql in sorted(timings, reverse=True)[:14]:
        print(f"  {seconds * 1000:6.1f} ms  {sql[:130]}")
    print("\nwhat-ifs (NOT the bot's code: the same result with one thing changed, median of 3):")
    variants: list[tuple[str, str, bool]] = [
        ("as the bot is", "", False),
        ("board_scores histogram triggers removed", "", True),
        ("tallies added incrementally instead of recounted", "incremental", False),
        ("both", "incremental", True),
        ("its commit without the tallies and role grants", "later", False),
    ]
    changes: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
        "": contextlib.nullcontext, "incremental": incremental_tallies, "later": tallies_left_for_later,
    }
    for label, change, no_triggers in variants:
        times = []
        for _ in range(3):
            with scratch_dir("lounge-result-what-if-") as folder:
                copy_database(source, folder / "lounge.db")
                if no_triggers:
                    drop_histogram_triggers(folder / "lounge.db")
                with changes[change]():
                    times.append((await measure(folder / "lounge.db"))[0])
        print(f"  {label:<50} {median(times):6.0f} ms  runs {spread(times, 0)}")


async def run(args: argparse.Namespace) -> None:
    members = 1000 if args.quick else args.members
    source = await cached_build(members, args.other_picks)
    to_sender: list[float] = []
    to_caller: list[float] = []
    effects: dict[str, int] = {}
    for number in range(args.runs):
        with scratch_dir("lounge-result-") as folder:
            copy_database(source, folder / "lounge.db")
            sender_ms, caller_ms, effects = await measure(folder / "lounge.db")
        to_sender.append(sender_ms)
        to_caller.append(caller_ms)
        print(f"run {number + 1}: handed to the sender after {sender_ms:.1f} ms, caller woken after {caller_ms:.1f} ms")
    print("what the result did: " + ", ".join(f"{name} {value:,}" for name, value in effects.items()))
    if args.profile:
        await profile(source)
    sender = median(to_sender)
    print_summary(
        f"result at scale: {members:,} members with picks in the category (median of {len(to_sender)} runs)",
        [
            Figure("log → announcement handed to the sender", f"{sender:.0f} ms", f"< {TARGET_MS:.0f} ms",
                   sender < TARGET_MS, f"{ratio_text(sender, TARGET_MS)}; runs {spread(to_sender, 0)} ms"),
            Figure("log → host's caller woken", f"{median(to_caller):.0f} ms",
                   distance=f"runs {spread(to_caller, 0)} ms"),
            Figure("role grants queued, not sent", f"{effects['role grants queued']:,}"),
        ],
        command_line(),
    )


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--other-picks", type=int, default=20, help="picks each member made in other categories")
    parser.add_argument("--profile", action="store_true", help="time each statement, and run the what-ifs")
    args = parser.parse_args()
    print_machine()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
