"""The big database of benchmarks 4 and 5: 100,000 members, 1,000,000 pledges, 5,000 results.

    .venv/bin/python -m bench.dataset [--quick] [--verify]

Built fast with bulk SQL, yet holding exactly what the bot would have written:

* the base rows — members (1% known to have left), 49 ceremonies of the 2014 Emmys'
  103 categories (48 ended, the last live with its first 56 categories logged: 5,000
  results), winners, claims, picks with their outcomes, losses (wrong picks, losing
  claims, a few declarations), and pledges (member pledges over the nights and
  between them, pending / paid / verified / cancelled, 10% anonymous; and the
  winner's tax of every claimer of a winner) — are generated in Python and inserted
  with ``executemany`` in one transaction, with every trigger dropped meanwhile;
* the maintained tables — ``pledge_totals``, ``pledge_member_totals``,
  ``loss_totals``, ``pick_stats`` and ``board_scores`` — are then computed from them
  in SQL, the way the triggers and ``bot.domain.results.tallies`` keep them, and the
  triggers are put back (their own SQL, read before they were dropped).

``--verify`` checks that claim on a small size: it builds the same rows a second
time the bot's way (pledges inserted pending and moved through their statuses by
UPDATE with the triggers on; loss totals and pick records recounted by
``bot.domain.results.tallies`` through the bot's own writer) and compares every maintained
table row for row. A second server with its own smaller data shares the file, so
every query must pick its own server's rows.

What is left out: the outbox and audit history (delivered announcements and host
actions of past nights), goal milestones, and loser-role grants (no loser role is set).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import CEREMONY_FILE, Figure, build_digest, cache_dir, print_machine, print_summary, scratch_dir
from bot.clock import to_storage
from bot.db import Database, Transaction, apply_migrations
from bot.domain.ceremonies.files import ParsedCeremony, parse_ceremony_file
from bot.domain.leaderboards.service import BUCKET_LEVELS, BUCKET_SHIFT, SPECS
from bot.domain.results import tallies

GUILD = 1_100_000_000_000_000_002
"""A snowflake-shaped id (DEV_GUILD_ID wants 17-20 digits): benchmark 5 gives the stand-in's server this id."""
OTHER_GUILD = 1_100_000_000_000_000_009
FIRST_USER = 10**17
WINNER_TAX_CENTS = 100_000  # the default setting
RESULTS_PER_NIGHT_SECONDS = 100
AMOUNTS = (500, 1000, 1250, 2000, 2500, 5000, 10000, 25000)

MAINTAINED = ("pledge_totals", "pledge_member_totals", "loss_totals", "pick_stats", "board_scores", "board_counts")


@dataclass(frozen=True, slots=True)
class Size:
    members: int
    pledges: int
    results: int

    @property
    def key(self) -> str:
        return f"m{self.members}-p{self.pledges}-r{self.results}"

    @property
    def current_pickers(self) -> int:
        """Pickers per category of the live ceremony (5,000 at 100,000 members)."""
        return max(50, self.members // 20)

    @property
    def regulars(self) -> int:
        """Members who played past ceremonies too."""
        return max(100, self.members // 5)

    @property
    def past_pickers(self) -> int:
        return min(150, self.regulars)


FULL = Size(100_000, 1_000_000, 5_000)
QUICK = Size(10_000, 100_000, 500)
VERIFY = Size(2_000, 20_000, 150)


@dataclass
class Rows:
    """The base rows of one server, in insertion order."""

    members: list[tuple[Any, ...]] = field(default_factory=list)
    ceremonies: list[tuple[Any, ...]] = field(default_factory=list)
    categories: list[tuple[Any, ...]] = field(default_factory=list)
    nominees: list[tuple[Any, ...]] = field(default_factory=list)
    results: list[tuple[Any, ...]] = field(default_factory=list)
    winners: list[tuple[Any, ...]] = field(default_factory=list)
    claims: list[tuple[Any, ...]] = field(default_factory=list)
    picks: list[tuple[Any, ...]] = field(default_factory=list)
    losses: list[tuple[Any, ...]] = field(default_factory=list)
    pledges: list[tuple[Any, ...]] = field(default_factory=list)
    """(…columns…, status): inserted in created_at order, so ids follow time as in the bot."""
    current_ceremony: int = 0


class Ids:
    """Row ids shared by both servers (categories, nominees and results are global tables)."""

    def __init__(self) -> None:
        self.ceremony = 0
        self.category = 0
        self.nominee = 0
        self.result = 0
        self.interaction = 1_300_000_000_000_000_000


def _parsed() -> ParsedCeremony:
    return parse_ceremony_file(CEREMONY_FILE.read_bytes(), CEREMONY_FILE.name)


def generate(guild: int, size: Size, ids: Ids, seed: int) -> Rows:
    """Every base row of one server, as the bot's services would have written them."""
    rng = random.Random(seed)
    parsed = _parsed()
    rows = Rows()
    users = [FIRST_USER + index for index in range(size.members)]
    names = {user: f"Member {user - FIRST_USER:06}" for user in users}
    joined = to_storage(datetime(1966, 1, 1, tzinfo=UTC))
    left = to_storage(datetime(2015, 1, 1, tzinfo=UTC))
    rows.members = [(guild, user, names[user], joined, left if rng.random() < 0.01 else None) for user in users]
    nights = math.ceil(size.results / len(parsed.categories))
    logged_total = 0
    # A skewed crowd of pledgers: a few give often.
    pledger_weights = [1 / (1 + index) ** 0.6 for index in range(size.members)]
    cumulative: list[float] = []
    running = 0.0
    for weight in pledger_weights:
        running += weight
        cumulative.append(running)
    member_pledges_left = size.pledges  # winner's taxes are counted in too, below
    regulars = users[: size.regulars]
    for night in range(1, nights + 1):
        ids.ceremony += 1
        ceremony = ids.ceremony
        current = night == nights
        start = datetime(1966 + night, 9, 15, 0, 0, tzinfo=UTC)
        started = to_storage(start)
        ended = None if current else to_storage(start + timedelta(hours=4))
        rows.ceremonies.append((ceremony, guild, f"Emmy Night {night}", 1966 + night, "live" if current else "ended",
                                int(current), FIRST_USER, to_storage(start - timedelta(days=7)), started, ended))
        if current:
            rows.current_ceremony = ceremony
        pickers_per_category = size.current_pickers if current else size.past_pickers
        crowd = users if current else regulars
        night_pledges: list[tuple[Any, ...]] = []
        for position, category in enumerate(parsed.categories):
            ids.category += 1
            category_id = ids.category
            rows.categories.append((category_id, guild, ceremony, category.name, position))
            nominee_ids = []
            for index, nominee in enumerate(category.nominees):
                ids.nominee += 1
                nominee_ids.append(ids.nominee)
                rows.nominees.append((ids.nominee, guild, category_id, nominee.name, nominee.show, nominee.episode,
                                      nominee.label, index))
            logged = logged_total < size.results
            logged_total += int(logged)
            logged_at = start + timedelta(seconds=RESULTS_PER_NIGHT_SECONDS * (position + 1))
            stamp = to_storage(logged_at)
            winner = rng.choice(nominee_ids)
            result_id = None
            if logged:
                ids.result += 1
                result_id = ids.result
                rows.results.append((result_id, guild, ceremony, category_id, FIRST_USER, stamp))
                rows.winners.append((result_id, winner, guild, FIRST_USER, stamp))
            # Claims: about a third of the nominations have their member here.
            for nominee_id in nominee_ids:
                if rng.random() < 0.3:
                    claimer = rng.choice(crowd)
                    rows.claims.append((guild, ceremony, category_id, nominee_id, claimer,
                                        to_storage(start - timedelta(hours=2))))
                    if result_id is None:
                        continue
                    if nominee_id == winner:
                        night_pledges.append((guild, claimer, names[claimer], ceremony, WINNER_TAX_CENTS,
                                              "winner_tax", 0, None, None, category_id, result_id, stamp,
                                              "pending" if current else "verified"))
                    else:
                        rows.losses.append((guild, ceremony, claimer, "claim", result_id, category_id, nominee_id,
                                            None, stamp))
            # Picks: the favourite (first) is picked most.
            weights = [3, *([2] * (len(nominee_ids) - 1))]
            picked_at = to_storage(start - timedelta(hours=1))
            for user in rng.sample(crowd, min(pickers_per_category, len(crowd))):
                nominee_id = rng.choices(nominee_ids, weights)[0]
                if result_id is None:
                    rows.picks.append((guild, ceremony, category_id, user, nominee_id, None, picked_at, None))
                    continue
                right = nominee_id == winner
                rows.picks.append((guild, ceremony, category_id, user, nominee_id, "right" if right else "wrong",
                                   picked_at, stamp))
                if not right:
                    rows.losses.append((guild, ceremony, user, "pick", result_id, category_id, nominee_id, None,
                                        stamp))
        if current:
            for user in rng.sample(users, max(1, size.members // 100)):
                rows.losses.append((guild, ceremony, user, "declared", None, None, None, "I lost the office pool",
                                    to_storage(start + timedelta(minutes=rng.randrange(180)))))
        # Pledges: about half on the live night, the rest over past nights and, a few, between nights.
        taxes = len(night_pledges)
        share = 0.5 if current else 0.45 / max(1, nights - 1)
        count = member_pledges_left if current else int(size.pledges * share)
        count = max(0, count - taxes)
        between = 0 if current else count // 10
        statuses = (("pending", 0.85), ("paid", 0.08), ("verified", 0.02), ("cancelled", 0.05)) if current else \
            (("pending", 0.10), ("paid", 0.15), ("verified", 0.70), ("cancelled", 0.05))
        status_names = [name for name, _ in statuses]
        status_weights = [weight for _, weight in statuses]
        owners = rng.choices(users, cum_weights=cumulative, k=count)
        for index, owner in enumerate(owners):
            in_night = index >= between
            at = start + (timedelta(seconds=rng.randrange(3 * 3600)) if in_night
                          else timedelta(days=30 + rng.randrange(300), seconds=rng.randrange(86400)))
            ids.interaction += 1
            night_pledges.append((guild, owner, names[owner], ceremony if in_night else None, rng.choice(AMOUNTS),
                                  "pledge", int(rng.random() < 0.1), None, ids.interaction, None, None, to_storage(at),
                                  rng.choices(status_names, status_weights)[0]))
        member_pledges_left -= count + taxes
        night_pledges.sort(key=lambda pledge: pledge[11])
        rows.pledges.extend(night_pledges)
    return rows


# ---- writing ---------------------------------------------------------------------------------

PLEDGE_INSERT = (
    "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, kind, anonymous, note, "
    "interaction_id, category_id, result_id, created_at, updated_at, status, cancelled_by, cancel_reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _updated_at(created: str) -> str:
    return to_storage(datetime.fromisoformat(created) + timedelta(days=2))


def _pledge_row(pledge: tuple[Any, ...], status: str) -> tuple[Any, ...]:
    *columns, created, final = pledge
    cancelled = final == "cancelled"
    updated = created if status == "pending" else _updated_at(created)
    return (*columns, created, updated, status, pledge[1] if cancelled and status == final else None,
            "changed my mind" if cancelled and status == final else None)


def insert_base(conn: sqlite3.Connection, rows: Rows, *, pledges_as_final: bool) -> None:
    """Insert every base row; pledges with their final status (bulk) or as pending (the bot's way)."""
    conn.executemany("INSERT INTO members (guild_id, user_id, display_name, first_seen, left_at) "
                     "VALUES (?, ?, ?, ?, ?)", rows.members)
    conn.executemany("INSERT INTO ceremonies (id, guild_id, name, year, state, is_current, created_by, created_at, "
                     "started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.ceremonies)
    conn.executemany("INSERT INTO categories (id, guild_id, ceremony_id, name, position) VALUES (?, ?, ?, ?, ?)",
                     rows.categories)
    conn.executemany("INSERT INTO nominees (id, guild_id, category_id, name, show, episode, label, position) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.nominees)
    conn.executemany("INSERT INTO results (id, guild_id, ceremony_id, category_id, logged_by, logged_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", rows.results)
    conn.executemany("INSERT INTO result_winners (result_id, nominee_id, guild_id, added_by, added_at) "
                     "VALUES (?, ?, ?, ?, ?)", rows.winners)
    conn.executemany("INSERT INTO claims (guild_id, ceremony_id, category_id, nominee_id, user_id, claimed_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", rows.claims)
    conn.executemany("INSERT INTO picks (guild_id, ceremony_id, category_id, user_id, nominee_id, outcome, "
                     "picked_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.picks)
    conn.executemany("INSERT INTO losses (guild_id, ceremony_id, user_id, source, result_id, category_id, "
                     "nominee_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.losses)
    conn.executemany(PLEDGE_INSERT, (
        _pledge_row(pledge, pledge[-1] if pledges_as_final else "pending") for pledge in rows.pledges
    ))


# The maintained tables, computed from the base rows as the triggers of 0003 and 0005 and
# bot.domain.results.tallies keep them. A pledge's scopes: all-time (0) and its ceremony.
_PLEDGE_SCOPES = (
    "SELECT guild_id, 0 AS scope, user_id, amount_cents, anonymous, status, created_at FROM pledges "
    "UNION ALL SELECT guild_id, ceremony_id, user_id, amount_cents, anonymous, status, created_at FROM pledges "
    "WHERE ceremony_id IS NOT NULL"
)
COMPUTE_TOTALS = (
    # Every member who ever pledged in a scope has a row (inserted pending by the bot); reached_at is
    # the created_at of their latest pledge: an insert sets it, a status change never raises a total.
    "INSERT INTO pledge_member_totals (guild_id, scope, user_id, total_cents, anonymous_cents, pledge_count, "  # noqa: S608
    "reached_at) SELECT guild_id, scope, user_id, SUM(amount_cents * (status != 'cancelled')), "
    "SUM(amount_cents * anonymous * (status != 'cancelled')), SUM(status != 'cancelled'), MAX(created_at) "
    f"FROM ({_PLEDGE_SCOPES}) GROUP BY guild_id, scope, user_id",
    "INSERT INTO pledge_totals (guild_id, scope, raised_cents, pending_cents, paid_cents, verified_cents, "  # noqa: S608
    "pledge_count, pledger_count) SELECT guild_id, scope, SUM(amount_cents * (status != 'cancelled')), "
    "SUM(amount_cents * (status = 'pending')), SUM(amount_cents * (status = 'paid')), "
    "SUM(amount_cents * (status = 'verified')), SUM(status != 'cancelled'), 0 "
    f"FROM ({_PLEDGE_SCOPES}) GROUP BY guild_id, scope",
    "UPDATE pledge_totals SET pledger_count = (SELECT COUNT(*) FROM pledge_member_totals m "
    "WHERE m.guild_id = pledge_totals.guild_id AND m.scope = pledge_totals.scope AND m.total_cents > 0)",
    # As tallies.refresh_loss_totals / refresh_pick_stats recount them.
    "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) "
    "SELECT guild_id, 0, user_id, COUNT(*), MAX(created_at) FROM losses GROUP BY guild_id, user_id",
    "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) "
    "SELECT guild_id, ceremony_id, user_id, COUNT(*), MAX(created_at) FROM losses WHERE ceremony_id IS NOT NULL "
    "GROUP BY guild_id, ceremony_id, user_id",
    "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) "
    "SELECT guild_id, 0, user_id, SUM(outcome = 'right'), COUNT(*), "
    "COALESCE(MAX(CASE WHEN outcome = 'right' THEN resolved_at END), MIN(resolved_at)) FROM picks "
    "WHERE outcome IS NOT NULL GROUP BY guild_id, user_id",
    "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) "
    "SELECT guild_id, ceremony_id, user_id, SUM(outcome = 'right'), COUNT(*), "
    "COALESCE(MAX(CASE WHEN outcome = 'right' THEN resolved_at END), MIN(resolved_at)) FROM picks "
    "WHERE outcome IS NOT NULL GROUP BY guild_id, ceremony_id, user_id",
    # As migration 0005 fills the histogram.
    "INSERT INTO board_scores (guild_id, scope, board, score, members) "
    "SELECT guild_id, scope, 'losers', losses, COUNT(*) FROM loss_totals WHERE losses > 0 "
    "GROUP BY guild_id, scope, losses",
    "INSERT INTO board_scores (guild_id, scope, board, score, members) "
    "SELECT guild_id, scope, 'donors', total_cents, COUNT(*) FROM pledge_member_totals WHERE total_cents > 0 "
    "GROUP BY guild_id, scope, total_cents",
    "INSERT INTO board_scores (guild_id, scope, board, score, members) "
    "SELECT guild_id, scope, 'pickers', correct * 1000000 - resolved, COUNT(*) FROM pick_stats WHERE resolved >= 3 "
    "GROUP BY guild_id, scope, correct * 1000000 - resolved",
    # As migration 0011 fills the listed counts: members not known to have left, at every level.
    *(
        "INSERT INTO board_counts (guild_id, scope, board, level, bucket, members) "  # noqa: S608 - our names
        f"SELECT t.guild_id, t.scope, '{kind.value}', l.column1, ({spec.key_sql}) >> ({BUCKET_SHIFT} * l.column1), "
        f"COUNT(*) FROM {spec.table} t, (VALUES {', '.join(f'({level})' for level in range(BUCKET_LEVELS))}) l "
        f"WHERE {spec.condition} AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = t.guild_id "
        "AND m.user_id = t.user_id AND m.left_at IS NOT NULL) GROUP BY 1, 2, 4, 5"
        for kind, spec in SPECS.items()
    ),
)


async def _fresh_schema(path: Path) -> None:
    db = await Database.open(path)
    try:
        await apply_migrations(db.connection)
    finally:
        await db.close()


def _bulk_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-500000")  # 500 MB while building
    return conn


def all_guilds(size: Size, seed: int) -> Iterator[tuple[int, Rows]]:
    ids = Ids()
    yield GUILD, generate(GUILD, size, ids, seed)
    other = Size(max(100, size.members // 10), max(1000, size.pledges // 20), max(20, size.results // 50))
    yield OTHER_GUILD, generate(OTHER_GUILD, other, ids, seed + 1)


async def build_bulk(path: Path, size: Size, seed: int = 66) -> None:
    """The fast way: base rows with the triggers off, then every maintained table in SQL."""
    await _fresh_schema(path)
    conn = _bulk_connection(path)
    try:
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
        conn.execute("BEGIN")
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        for _guild, rows in all_guilds(size, seed):
            insert_base(conn, rows, pledges_as_final=True)
        for statement in COMPUTE_TOTALS:
            conn.execute(statement)
        for _name, sql in triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()
    db = await Database.open(path)  # closing runs the bot's own PRAGMA optimize, as a real night would have
    await db.close()


async def build_the_bots_way(path: Path, size: Size, seed: int = 66) -> None:
    """The slow way, for --verify: pledges through their statuses with the triggers on, tallies by the bot's code."""
    await _fresh_schema(path)
    conn = _bulk_connection(path)
    generated = list(all_guilds(size, seed))
    try:
        conn.execute("BEGIN")
        for _guild, rows in generated:
            insert_base(conn, rows, pledges_as_final=False)
        # Then each pledge moves as members and hosts move it: pending -> paid -> verified, or -> cancelled.
        final = conn.execute("SELECT id, interaction_id, result_id, user_id FROM pledges ORDER BY id").fetchall()
        statuses = {}
        for _guild, rows in generated:
            for pledge in rows.pledges:
                statuses[(pledge[8], pledge[10], pledge[1])] = (pledge[-1], _updated_at(pledge[11]), pledge[1])
        for pledge_id, interaction, result, user in final:
            status, updated, owner = statuses[(interaction, result, user)]
            steps = {"pending": [], "paid": ["paid"], "verified": ["paid", "verified"], "cancelled": ["cancelled"]}
            for step in steps[status]:
                conn.execute(
                    "UPDATE pledges SET status = ?, updated_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?",
                    (step, updated, owner if step == "cancelled" else None,
                     "changed my mind" if step == "cancelled" else None, pledge_id),
                )
        conn.execute("COMMIT")
    finally:
        conn.close()
    db = await Database.open(path)
    try:
        for guild, rows in generated:
            losers: dict[int, set[int]] = {}
            for loss in rows.losses:
                losers.setdefault(loss[1], set()).add(loss[2])
            pickers: dict[int, set[int]] = {}
            for pick in rows.picks:
                if pick[5] is not None:
                    pickers.setdefault(pick[1], set()).add(pick[3])

            async def recount(
                tx: Transaction, guild: int = guild, losers: Any = losers, pickers: Any = pickers
            ) -> None:
                for ceremony, users in losers.items():
                    await tallies.refresh_loss_totals(tx, guild, ceremony, users)
                for ceremony, users in pickers.items():
                    await tallies.refresh_pick_stats(tx, guild, ceremony, users)

            await db.write(recount)
    finally:
        await db.close()


def compare(first: Path, second: Path, tables: Sequence[str] = MAINTAINED) -> dict[str, tuple[int, int, int]]:
    """Per table: (rows in first, rows only in first, rows only in second)."""
    conn = sqlite3.connect(first)
    try:
        conn.execute("ATTACH DATABASE ? AS other", (str(second),))
        found = {}
        for table in tables:
            rows = conn.execute(f"SELECT COUNT(*) FROM main.{table}").fetchone()[0]  # noqa: S608 - our names
            only_first = conn.execute(
                f"SELECT COUNT(*) FROM (SELECT * FROM main.{table} EXCEPT SELECT * FROM other.{table})"  # noqa: S608
            ).fetchone()[0]
            only_second = conn.execute(
                f"SELECT COUNT(*) FROM (SELECT * FROM other.{table} EXCEPT SELECT * FROM main.{table})"  # noqa: S608
            ).fetchone()[0]
            found[table] = (rows, only_first, only_second)
        return found
    finally:
        conn.close()


async def cached(size: Size, *, quiet: bool = False) -> Path:
    """The built database for `size`, from the cache when the migrations and this builder are unchanged.

    Treat it as read-only: copy it before running anything that writes.
    """
    path = cache_dir() / f"lounge-{size.key}-{build_digest(Path(__file__))}.db"
    if path.exists():
        return path
    building = path.with_suffix(".building")
    for leftover in building.parent.glob(building.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    await build_bulk(building, size)
    building.rename(path)
    if not quiet:
        print(f"built {size.members:,} members, {size.pledges:,} pledges, {size.results:,} results in "
              f"{time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:,.0f} MB): {path}")
    return path


def describe(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?",  # noqa: S608
                                      (GUILD,)).fetchone()[0]
                  for table in ("members", "pledges", "results", "picks", "losses", "loss_totals", "pick_stats",
                                "pledge_member_totals", "board_scores")}
    finally:
        conn.close()
    return ", ".join(f"{table} {count:,}" for table, count in counts.items())


async def verify() -> bool:
    with scratch_dir("lounge-dataset-verify-") as folder:
        started = time.perf_counter()
        await build_bulk(folder / "bulk.db", VERIFY)
        await build_the_bots_way(folder / "bot.db", VERIFY)
        found = compare(folder / "bulk.db", folder / "bot.db")
        ok = all(only_first == only_second == 0 and rows > 0 for rows, only_first, only_second in found.values())
        print(f"verify ({VERIFY.key}, {time.perf_counter() - started:.1f} s): bulk build vs the bot's way")
        for table, (rows, only_first, only_second) in found.items():
            print(f"  {table:<22} {rows:>7,} rows; only in bulk {only_first}, only in the bot's way {only_second}")
        print_summary(
            "dataset: the bulk build against the bot's own way of writing the same rows",
            [Figure("maintained tables, row for row", "identical" if ok else "DIFFERENT", "identical", ok,
                    ", ".join(f"{table} {rows:,}" for table, (rows, _a, _b) in found.items()))],
            ".venv/bin/python -m bench.dataset --verify",
        )
        return ok


async def main_async(args: argparse.Namespace) -> int:
    print_machine()
    if args.verify:
        return 0 if await verify() else 1
    path = await cached(QUICK if args.quick else FULL)
    print(f"{path}: {describe(path)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--verify", action="store_true", help="compare the bulk build with the bot's way, small")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())

