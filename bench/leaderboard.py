"""How long a leaderboard page takes at 100,000 members and 1,000,000 pledges.

    .venv/bin/python bench/leaderboard.py [--members 100000] [--pledges 1000000] [--samples 400] [--keep PATH]

Builds a throwaway database (all migrations applied) with bulk inserts straight
into the tables, the maintained totals included: the pledge triggers are
dropped in this copy first and the totals computed here, which is what makes a
million pledges load in seconds rather than minutes. 1% of members are marked
as having left. Then, through the bot's own `Database` (aiosqlite, so the time
includes the hop to its thread), it times per board:

* open  — what `/leaderboard show` costs: the first page and the viewer's own
  rank, for a random viewer;
* page  — what a Next click costs: the page after a random row (anywhere in the
  board, deep pages included) and the viewer's rank again.

It prints p50 / p95 / p99 in milliseconds and the query plans (no statement may
scan a table). Not a test: run it by hand, on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import to_storage
from bot.db import Database, apply_migrations
from bot.db.database import Params, Row
from bot.domain.leaderboards import ALL_TIME, MIN_RESOLVED_PICKS, SPECS, BoardKind, Cursor, board_page, viewer_standing

GUILD, OTHER_GUILD = 111, 222
CEREMONY = 1
START = datetime(2014, 8, 25, 20, 0, tzinfo=UTC)
CHUNK = 100_000


def build(path: Path, members: int, pledges: int, seed: int) -> None:
    """Fill a fresh database at `path` (migrations already applied)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'pledges'"):
        conn.execute(f"DROP TRIGGER {name}")  # this copy only: the totals are written below
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO ceremonies (id, guild_id, name, year, state, is_current, created_by, created_at, started_at) "
        "VALUES (?, ?, '66th Primetime Emmy Awards', 2014, 'live', 1, 1, ?, ?)",
        (CEREMONY, GUILD, to_storage(START), to_storage(START)),
    )
    user_ids = [10**17 + user for user in range(members)]
    stamp = to_storage(START)
    conn.executemany(
        "INSERT INTO members (guild_id, user_id, display_name, first_seen, left_at) VALUES (?, ?, ?, ?, ?)",
        (
            (GUILD, user_id, f"member {index}", stamp, stamp if rng.random() < 0.01 else None)
            for index, user_id in enumerate(user_ids)
        ),
    )
    # Pledges: a skewed crowd (a few give often), over three hours, 3% cancelled, 10% anonymous.
    weights = [1 / (1 + index) ** 0.6 for index in range(members)]
    owners = rng.choices(user_ids, weights=weights, k=pledges)
    totals: dict[tuple[int, int], list[Any]] = {}
    raised = {ALL_TIME: 0, CEREMONY: 0}
    rows: list[tuple[Any, ...]] = []
    for index, owner in enumerate(owners):
        amount = rng.choice((500, 1000, 2000, 2500, 5000, 10000, 25000))
        created = to_storage(START + timedelta(seconds=index * 10800 / pledges))
        cancelled = rng.random() < 0.03
        anonymous = int(rng.random() < 0.1)
        rows.append((GUILD, owner, "member", CEREMONY, amount, "cancelled" if cancelled else "pending", anonymous,
                     created, created))
        if not cancelled:
            for scope in (ALL_TIME, CEREMONY):
                total = totals.setdefault((scope, owner), [0, 0, 0, created])
                total[0] += amount
                total[1] += amount * anonymous
                total[2] += 1
                total[3] = created
                raised[scope] += amount
        if len(rows) == CHUNK:
            _insert_pledges(conn, rows)
            rows = []
    _insert_pledges(conn, rows)
    conn.executemany(
        "INSERT INTO pledge_member_totals (guild_id, scope, user_id, total_cents, anonymous_cents, pledge_count, "
        "reached_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((GUILD, scope, user, *values) for (scope, user), values in totals.items()),
    )
    conn.executemany(
        "INSERT INTO pledge_totals (guild_id, scope, raised_cents, pending_cents, pledge_count, pledger_count) "
        "VALUES (?, ?, ?, ?, 0, 0)",
        ((GUILD, scope, cents, cents) for scope, cents in raised.items()),
    )
    # Losses and picks: most members lost a few times and picked a few categories.
    for scope in (ALL_TIME, CEREMONY):
        conn.executemany(
            "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) VALUES (?, ?, ?, ?, ?)",
            (
                (GUILD, scope, user, rng.randint(1, 26), to_storage(START + timedelta(seconds=rng.randrange(10800))))
                for user in user_ids if rng.random() < 0.7
            ),
        )
        pick_rows = []
        for user in user_ids:
            if rng.random() < 0.8:
                resolved = rng.randint(1, 26)
                pick_rows.append((GUILD, scope, user, rng.randint(0, resolved), resolved,
                                  to_storage(START + timedelta(seconds=rng.randrange(10800)))))
        conn.executemany(
            "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            pick_rows,
        )
    # A second server, so every query has to pick its own server's rows out.
    conn.executemany(
        "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) VALUES (?, 0, ?, ?, ?)",
        ((OTHER_GUILD, user, rng.randint(1, 26), stamp) for user in user_ids[: members // 10]),
    )
    conn.execute("COMMIT")
    conn.close()


def _insert_pledges(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(
        "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, status, anonymous, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


class PlanChecker:
    """Records each statement once, to print its query plan and refuse table scans."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen: dict[str, Params] = {}

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self.seen.setdefault(sql, params)
        return await self.db.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        self.seen.setdefault(sql, params)
        return await self.db.fetch_one(sql, params)


async def cursors(db: Database, kind: BoardKind, count: int, rng: random.Random) -> list[Cursor]:
    """Cursors at random places in the board (found outside the timing, with a plain OFFSET)."""
    spec = SPECS[kind]
    size = await db.fetch_value(
        f"SELECT COUNT(*) FROM {spec.table} t WHERE guild_id = ? AND scope = ? AND {spec.condition}",  # noqa: S608
        (GUILD, CEREMONY),
    )
    order = ", ".join(
        [*(f"{c}{' DESC' if d else ''}" for c, d in zip(spec.score, spec.descending, strict=True)),
         "reached_at", "user_id"]
    )
    found = []
    for _ in range(count):
        row = await db.fetch_one(
            f"SELECT {', '.join(spec.score)}, reached_at, user_id FROM {spec.table} t "  # noqa: S608
            f"WHERE guild_id = ? AND scope = ? AND {spec.condition} ORDER BY {order} LIMIT 1 OFFSET ?",
            (GUILD, CEREMONY, rng.randrange(max(size - 1, 1))),
        )
        assert row is not None
        found.append(Cursor(tuple(row[c] for c in spec.score), row["reached_at"], row["user_id"]))
    return found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(path: Path, members: int, samples: int, seed: int) -> bool:
    rng = random.Random(seed + 1)
    db = await Database.open(path)
    ok = True
    try:
        viewers = [
            row["user_id"] for row in await db.fetch_all("SELECT user_id FROM members WHERE guild_id = ?", (GUILD,))
        ]
        print(f"\n{'board':8} {'what':6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for kind in BoardKind:
            places = await cursors(db, kind, samples, rng)
            results: dict[str, list[float]] = {"open": [], "page": []}
            for cursor in places:
                viewer = rng.choice(viewers)
                for what, after in (("open", None), ("page", cursor)):
                    started = time.perf_counter()
                    await board_page(db, GUILD, kind, CEREMONY, after)
                    await viewer_standing(db, GUILD, kind, CEREMONY, viewer)
                    results[what].append((time.perf_counter() - started) * 1000)
            for what, values in results.items():
                print(f"{kind.value:8} {what:6} {percentile(values, 0.5):8.2f} {percentile(values, 0.95):8.2f} "
                      f"{percentile(values, 0.99):8.2f} {max(values):8.2f}")
                ok = ok and percentile(values, 0.99) < 10.0
        checker = PlanChecker(db)
        for kind in BoardKind:
            (cursor,) = await cursors(db, kind, 1, rng)
            await board_page(checker, GUILD, kind, CEREMONY, None)
            await board_page(checker, GUILD, kind, CEREMONY, cursor)
            await viewer_standing(checker, GUILD, kind, CEREMONY, rng.choice(viewers))
        print("\nquery plans:")
        for sql, params in checker.seen.items():
            plan = [row[3] for row in await db.fetch_all(f"EXPLAIN QUERY PLAN {sql}", params)]
            scans = [step for step in plan if step.startswith("SCAN") and "subquery" not in step
                     and "CONSTANT ROW" not in step]
            print(f"  {'SCAN!' if scans else 'ok   '} {sql[:110]}…")
            for step in sorted(set(plan)):
                if step.startswith(("SEARCH", "SCAN")):
                    print(f"        {step}")
            ok = ok and not scans
    finally:
        await db.close()
    print(f"\nminimum decided picks to rank: {MIN_RESOLVED_PICKS}")
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--pledges", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--seed", type=int, default=66)
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.db"
        db = await Database.open(path)
        await apply_migrations(db.connection)
        await db.close()
        started = time.perf_counter()
        build(path, args.members, args.pledges, args.seed)
        print(f"built {args.members:,} members and {args.pledges:,} pledges in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")
        ok = await measure(path, args.members, args.samples, args.seed)
    print("\nverdict:", "every p99 under 10 ms, no table scans" if ok else "TOO SLOW or a table scan (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
