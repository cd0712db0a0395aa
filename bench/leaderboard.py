"""Benchmark 4: database time per leaderboard page at 100,000 members and 1,000,000 pledges.

    .venv/bin/python -m bench.leaderboard [--quick] [--runs 3] [--samples 400]

On a copy of the big database of :mod:`bench.dataset` (100,000 members, 1,000,000
pledges, 5,000 results' worth of losses and picks over 49 ceremonies, the last one
live; its maintained tables checked against the bot's own way of writing them by
``python -m bench.dataset --verify``), through the bot's own ``Database`` (aiosqlite,
so each time includes the hop to its thread), it times for every board (losers,
donors, pickers) in both scopes (the live ceremony, and all time):

* open — what `/leaderboard show` costs the database: the first page and the
  viewer's own rank;
* next — what a Next click costs: the page after a random row (anywhere in the
  board, deep pages included, found from the row the button carries, with that
  row ranked again to tell whether the board moved) and the viewer's rank again;
* previous — what a Previous click costs: the same, the page before the row.

The viewer is always a member ranked on that board (the costlier case: their rank
is counted). Each run samples fresh places and viewers; p99 is the median over the
runs. It also prints every statement's query plan: none may scan a table.

**SQLite work per page** (issue 17's target: at most 3x the rows shown), counted, not
timed, so the same number every run: every statement a page runs as the service runs
it (``page_at`` with the viewer, as ``LeaderboardService.turn``: the viewer's row, the
page's rows, and one statement ranking the page, the edge again for the moved check,
and the viewer) is run once more on a connection of its own to the same file (the
bot's pragmas, ``query_only``) with a progress handler called at every SQLite VM
instruction, so its **VM steps** are counted exactly. The reference is the VM steps of
fetching exactly the rows the page shows (its standings and the viewer's row, each
with its display name) by primary key in one statement, on the same connection and
data: the page's **work ratio** = its VM steps / that reference, i.e. the rows it
reads counted in primary-key lookups of a shown row. Target: <= 3x. Measured at fixed
places (top, middle, deepest page, and 20 seeded random ones; the viewer the board's
last member, the deepest rank, or a seeded random one), for every board, scope and
page kind; the max is the figure. ``sqlite_stmt`` adds each statement's full-scan
steps (nscan), sorts (nsort) and automatic indexes (naidx): all three must be 0.

The times are also given as a ratio to a primary-key lookup
(``SELECT display_name FROM members WHERE guild_id = ? AND user_id = ?`` through the
same ``Database``) timed in the same run, interleaved with the pages.
Target (absolute, context): p99 under 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections import defaultdict

from bench import dataset
from bench.common import (
    Figure,
    base_parser,
    command_line,
    copy_database,
    median,
    percentile,
    print_machine,
    print_summary,
    ratio_text,
    scratch_dir,
    spread,
)
from bot.db import Database
from bot.db.database import PRAGMAS, Params, Row
from bot.domain.leaderboards.ranking import Direction, Edge, PageRequest
from bot.domain.leaderboards.service import (
    ALL_TIME,
    SPECS,
    BoardKind,
    Cursor,
    _select,
    board_page,
    page_at,
    viewer_standing,
)

TARGET_MS = 10.0
TARGET_WORK = 3.0
ACTIONS = ("open", "next", "previous")
RANDOM_PLACES = 20
PK_LOOKUP = "SELECT display_name FROM members WHERE guild_id = ? AND user_id = ?"


class WorkMeter:
    """A reader that counts the SQLite VM steps of every statement it runs (see the module's docstring).

    Its own connection to the same file, with the bot's pragmas and ``query_only``; a progress
    handler at every VM instruction counts steps exactly (the same number every run on the same data).
    """

    def __init__(self, path: object) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        for pragma in (*PRAGMAS, "PRAGMA query_only=ON"):
            self.conn.execute(pragma)
        self.steps = 0
        self.counting = True
        self.statements: list[tuple[str, int]] = []
        self.conn.set_progress_handler(self._step, 1)

    def _step(self) -> int:
        if self.counting:
            self.steps += 1
        return 0

    def run(self, sql: str, params: Params = ()) -> tuple[list[Row], int]:
        before = self.steps
        rows = self.conn.execute(sql, params).fetchall()
        return rows, self.steps - before

    def stmt_status(self) -> dict[str, tuple[int, int, int]]:
        """Per statement text: (nscan, nsort, naidx) so far, from ``sqlite_stmt`` (not counted as work)."""
        self.counting = False
        try:
            return {row["sql"]: (row["nscan"], row["nsort"], row["naidx"])
                    for row in self.conn.execute("SELECT sql, nscan, nsort, naidx FROM sqlite_stmt")}
        finally:
            self.counting = True

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        rows, steps = self.run(sql, params)
        self.statements.append((sql, steps))
        return rows

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    def close(self) -> None:
        self.conn.close()


def request(what: str, edge: Edge[Cursor] | None, number: int) -> PageRequest[Cursor]:
    """What the service is asked for (:meth:`LeaderboardService.turn`): `/leaderboard show` opens the
    first page; Next and Previous carry the edge and the page number."""
    if what == "open" or edge is None:
        return PageRequest()
    return PageRequest(number, edge, Direction.AFTER if what == "next" else Direction.BEFORE)


async def page_work(meter: WorkMeter, kind: BoardKind, scope: int, what: str, edge: Edge[Cursor] | None,
                    number: int, viewer: int) -> tuple[int, int, int]:
    """(VM steps of everything the page runs, of its reference, rows shown) for one page."""
    meter.statements.clear()
    window = await page_at(meter, dataset.GUILD, kind, scope, request(what, edge, number), viewer_id=viewer)
    work = sum(steps for _sql, steps in meter.statements)
    shown = [standing.user_id for standing in window.standings] + [viewer]
    spec = SPECS[kind]
    reference_sql = (f"{_select(spec)} WHERE t.guild_id = ? AND t.scope = ? "
                     f"AND t.user_id IN ({', '.join('?' * len(shown))})")
    _rows, reference = meter.run(reference_sql, (dataset.GUILD, scope, *shown))
    return work, reference, len(shown)


Work = dict[tuple[str, str, str], list[tuple[str, int, int, int]]]


async def measure_work(path: object, scopes: dict[str, int],
                       places: dict[tuple[str, BoardKind], list[tuple[Cursor, int]]]) -> Work:
    """Per (board, scope, page kind): (place, VM steps, reference steps, rows shown) at each measured place."""
    meter = WorkMeter(path)
    found: Work = defaultdict(list)
    try:
        for name, scope in scopes.items():
            for kind in BoardKind:
                board = places[(name, kind)]
                rng = random.Random(f"{kind.value}-{name}")
                deepest = max(1, len(board) - 11)  # the last full page follows it
                chosen = [("top", 1, board[0][1]), ("middle", len(board) // 2, board[len(board) // 2][1]),
                          ("deepest", deepest, board[-1][1])]
                chosen += [(f"random {n}", (place := rng.randrange(1, len(board) - 1)), rng.choice(board)[1])
                           for n in range(RANDOM_PLACES)]
                for label, place, viewer in chosen:
                    edge = Edge(board[place][0], place + 1)
                    for what in ACTIONS:
                        work, reference, shown = await page_work(
                            meter, kind, scope, what, edge, 2 + place // 10, viewer)
                        found[(kind.value, name, what)].append((label, work, reference, shown))
        status = meter.stmt_status()
        bad = {sql: counts for sql, counts in status.items() if any(counts) and "sqlite_stmt" not in sql}
        if bad:
            print("\nstatements with full-scan steps, sorts or automatic indexes (nscan, nsort, naidx):")
            for sql, counts in bad.items():
                print(f"  {counts} {' '.join(sql.split())[:120]}")
        found[("", "", "sqlite_stmt")] = [("nscan+nsort+naidx", sum(map(sum, bad.values())), 1, 0)]
    finally:
        meter.close()
    return found


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


class StatementTimer:
    """A reader that times each statement, keyed by what it does (for --profile)."""

    KINDS = (("FROM board_counts", "ranks: page, edge and viewer"),
             ("AND t.user_id = ?", "viewer's row"),
             ("(t.board_order", "page rows from an edge"),
             ("ORDER BY", "first page rows"))

    def __init__(self, db: Database) -> None:
        self.db = db
        self.timings: dict[str, list[float]] = defaultdict(list)

    def _kind(self, sql: str) -> str:
        return next((name for marker, name in self.KINDS if marker in sql), sql[:40])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        started = time.perf_counter()
        rows = await self.db.fetch_all(sql, params)
        self.timings[self._kind(sql)].append((time.perf_counter() - started) * 1000)
        return rows

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None


async def board_rows(db: Database, kind: BoardKind, scope: int) -> list[tuple[Cursor, int]]:
    """Every listed row of a board in board order, as (cursor, user id): read once, outside the timing."""
    spec = SPECS[kind]
    order = ", ".join(
        [*(f"{c}{' DESC' if d else ''}" for c, d in zip(spec.score, spec.descending, strict=True)),
         "reached_at", "user_id"]
    )
    rows = await db.fetch_all(
        f"SELECT {', '.join(spec.score)}, reached_at, user_id FROM {spec.table} t "  # noqa: S608 - names are ours
        f"WHERE guild_id = ? AND scope = ? AND {spec.condition} ORDER BY {order}",
        (dataset.GUILD, scope),
    )
    return [(Cursor(tuple(row[c] for c in spec.score), row["reached_at"], row["user_id"]), row["user_id"])
            for row in rows]


async def sample(db: Database | StatementTimer, kind: BoardKind, scope: int, places: list[tuple[Cursor, int]],
                 samples: int, rng: random.Random) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {what: [] for what in (*ACTIONS, "pk lookup")}
    for _ in range(samples):
        place = rng.randrange(1, len(places) - 1)
        edge = Edge(places[place][0], place + 1)  # the row a button carries, with the rank it was shown with
        _c, viewer = rng.choice(places)
        started = time.perf_counter()
        await db.fetch_all(PK_LOOKUP, (dataset.GUILD, viewer))
        timings["pk lookup"].append((time.perf_counter() - started) * 1000)
        for what in ACTIONS:
            started = time.perf_counter()
            await page_at(db, dataset.GUILD, kind, scope, request(what, edge, 2 + place // 10), viewer_id=viewer)
            timings[what].append((time.perf_counter() - started) * 1000)
    return timings


async def check_plans(db: Database, scopes: dict[str, int], rng: random.Random) -> bool:
    checker = PlanChecker(db)
    for scope in scopes.values():
        for kind in BoardKind:
            places = await board_rows(db, kind, scope)
            cursor, viewer = rng.choice(places)
            await board_page(checker, dataset.GUILD, kind, scope, None)
            await board_page(checker, dataset.GUILD, kind, scope, cursor)
            for direction in Direction:
                await page_at(checker, dataset.GUILD, kind, scope, PageRequest(5, Edge(cursor, 1), direction),
                              viewer_id=viewer)
            await page_at(checker, dataset.GUILD, kind, scope, PageRequest(), viewer_id=viewer)
            await viewer_standing(checker, dataset.GUILD, kind, scope, viewer)
    ok = True
    print("\nquery plans (every statement a page runs):")
    for sql, params in checker.seen.items():
        plan = [row[3] for row in await db.fetch_all(f"EXPLAIN QUERY PLAN {sql}", params)]
        scans = [step for step in plan if step.startswith("SCAN") and "subquery" not in step
                 and "CONSTANT ROW" not in step and "json_each" not in step]
        print(f"  {'SCAN!' if scans else 'ok   '} {' '.join(sql.split())[:110]}…")
        for step in sorted(set(plan)):
            if step.startswith(("SEARCH", "SCAN")):
                print(f"        {step}")
        ok = ok and not scans
    return ok


async def run(args: argparse.Namespace) -> None:
    size = dataset.QUICK if args.quick else dataset.FULL
    source = await dataset.cached(size)
    samples = 100 if args.quick else args.samples
    with scratch_dir("lounge-leaderboard-") as folder:
        path = folder / "lounge.db"
        copy_database(source, path)
        print(dataset.describe(path))
        db = await Database.open(path)
        try:
            ceremony = await db.fetch_value(
                "SELECT id FROM ceremonies WHERE guild_id = ? AND is_current = 1", (dataset.GUILD,))
            scopes = {"ceremony": int(ceremony), "all-time": ALL_TIME}
            places = {(name, kind): await board_rows(db, kind, scope)
                      for name, scope in scopes.items() for kind in BoardKind}
            p99s: dict[tuple[str, str, str], list[float]] = defaultdict(list)
            everything: dict[tuple[str, str, str], list[float]] = defaultdict(list)
            for number in range(args.runs):
                rng = random.Random(number)
                for name, scope in scopes.items():
                    for kind in BoardKind:
                        timings = await sample(db, kind, scope, places[(name, kind)], samples, rng)
                        for what, values in timings.items():
                            p99s[(kind.value, name, what)].append(percentile(values, 0.99))
                            everything[(kind.value, name, what)] += values
            print(f"\n{'board':8} {'scope':9} {'what':9} {'listed':>8} {'p50 ms':>7} {'p95 ms':>7} "
                  f"{'p99 ms':>7} {'max ms':>7}   p99 of each run; p99 / p99 of the pk lookup of each run")
            for (kind_name, scope_name, what), values in everything.items():
                listed = len(places[(scope_name, BoardKind(kind_name))])
                runs = p99s[(kind_name, scope_name, what)]
                lookups = p99s[(kind_name, scope_name, "pk lookup")]
                ratios = [page / lookup for page, lookup in zip(runs, lookups, strict=True)]
                print(f"{kind_name:8} {scope_name:9} {what:9} {listed:>8,} {percentile(values, 0.5):7.2f} "
                      f"{percentile(values, 0.95):7.2f} {median(runs):7.2f} {max(values):7.2f}   {spread(runs, 2)}; "
                      f"{median(ratios):.1f}x {spread(ratios, 1)}")
            work = await measure_work(path, scopes, places)
            scan_steps = work.pop(("", "", "sqlite_stmt"))[0][1]
            print(f"\nSQLite work per page: VM steps of everything the page runs / VM steps of fetching the rows "
                  f"it shows by primary key (target <= {TARGET_WORK:.0f}x); {3 + RANDOM_PLACES} places each")
            print(f"{'board':8} {'scope':9} {'what':9} {'max':>6} {'median':>7}  {'worst place':<12} "
                  f"{'steps':>7} {'ref':>5} shown   top / middle / deepest")
            for (kind_name, scope_name, what), entries in work.items():
                ratios = [steps / reference for _label, steps, reference, _shown in entries]
                worst_place = max(range(len(entries)), key=lambda index: ratios[index])
                label, steps, reference, shown = entries[worst_place]
                print(f"{kind_name:8} {scope_name:9} {what:9} {max(ratios):5.2f}x {median(ratios):6.2f}x  "
                      f"{label:<12} {steps:>7,} {reference:>5} {shown:>5}   "
                      f"{' / '.join(f'{r:.2f}' for r in ratios[:3])}")
            plans_ok = await check_plans(db, scopes, random.Random(99))
            if args.profile:
                print("\n--profile: each statement of a page (p50 / p99 ms), per board and scope:")
                for name, scope in scopes.items():
                    for kind in BoardKind:
                        timer = StatementTimer(db)
                        await sample(timer, kind, scope, places[(name, kind)], samples, random.Random(7))
                        parts = "; ".join(f"{what} {percentile(v, 0.5):.2f} / {percentile(v, 0.99):.2f} (x{len(v)})"
                                          for what, v in timer.timings.items())
                        print(f"  {kind.value:8} {name:9} {parts}")
                left = await db.fetch_value(
                    "SELECT COUNT(*) FROM members WHERE guild_id = ? AND left_at IS NOT NULL", (dataset.GUILD,))
                print(f"  (members known to have left, read by every rank count: {left:,})")
        finally:
            await db.close()
    pages = {key: values for key, values in p99s.items() if key[2] in ACTIONS}
    worst_key = max(pages, key=lambda key: median(pages[key]))
    worst = median(pages[worst_key])
    lookup_runs = [max(p99s[(kind.value, scope, "pk lookup")][number] for kind in BoardKind for scope in scopes)
                   for number in range(args.runs)]
    page_runs = [max(values[number] for values in pages.values()) for number in range(args.runs)]
    time_ratios = [page / lookup for page, lookup in zip(page_runs, lookup_runs, strict=True)]
    worst_work_key = max(work, key=lambda key: max(s / r for _l, s, r, _n in work[key]))
    worst_work = max(s / r for _l, s, r, _n in work[worst_work_key])
    figures = [
        Figure(f"p99 {kind} ({scope})", f"{max(median(p99s[(kind, scope, w)]) for w in ACTIONS):.2f} ms",
               f"< {TARGET_MS:.0f} ms",
               max(median(p99s[(kind, scope, w)]) for w in ACTIONS) < TARGET_MS)
        for kind in (k.value for k in BoardKind) for scope in scopes
    ]
    figures.append(Figure("worst p99 of any board, scope, open, next or previous", f"{worst:.2f} ms",
                          f"< {TARGET_MS:.0f} ms", worst < TARGET_MS,
                          f"{ratio_text(worst, TARGET_MS)} ({' '.join(worst_key)})"))
    figures.append(Figure("query plans without a table scan", "yes" if plans_ok else "NO", "yes", plans_ok))
    figures += [
        Figure(f"work {kind} ({scope}), max of open/next/previous",
               f"{max(s / r for what in ACTIONS for _l, s, r, _n in work[(kind, scope, what)]):.2f}x",
               f"<= {TARGET_WORK:.0f}x",
               max(s / r for what in ACTIONS for _l, s, r, _n in work[(kind, scope, what)]) <= TARGET_WORK)
        for kind in (k.value for k in BoardKind) for scope in scopes
    ]
    figures.append(Figure("worst work per page (VM steps / pk fetch of the rows shown)", f"{worst_work:.2f}x",
                          f"<= {TARGET_WORK:.0f}x", worst_work <= TARGET_WORK, " ".join(worst_work_key)))
    figures.append(Figure("full-scan steps + sorts + auto indexes (sqlite_stmt)", f"{scan_steps}", "0",
                          scan_steps == 0))
    figures.append(Figure("worst page p99 / worst pk lookup p99, same run", f"{median(time_ratios):.1f}x",
                          distance=f"runs {spread(time_ratios, 1)}"))
    print_summary(
        f"leaderboard at scale: {size.members:,} members, {size.pledges:,} pledges, {size.results:,} results "
        f"({samples} samples x {args.runs} runs per board, scope and action)",
        figures,
        command_line(),
    )


def main() -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=400, help="pages timed per board, scope and action, per run")
    parser.add_argument("--profile", action="store_true", help="time each statement of a page")
    args = parser.parse_args()
    print_machine()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

