"""What the recap says, read from the database once the ceremony has ended.

Boards come from the maintained totals like every leaderboard. The money
timeline is the one read of ``pledges``: the ceremony's pledges summed per
minute (a few hundred rows however many pledges there were), once per night,
in slices so the connection stays free for everyone else in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.clock import from_storage
from bot.domain.ceremonies.service import Reader
from bot.domain.leaderboards.service import (
    MIN_RESOLVED_PICKS,
    UNKNOWN_MEMBER,
    BoardKind,
    Standing,
    board_page,
    ceremony_title,
)
from bot.domain.recap.pictures import MoneyPoint
from bot.domain.settings.service import GuildSettings

TOP_DONORS = 5
LOSER_BARS = 10
TOP_PICKERS = 3
MONEY_SLICE = 50_000


@dataclass(frozen=True, slots=True)
class ResultLine:
    category: str
    winners: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecapData:
    guild_id: int
    ceremony_id: int
    title: str
    charity_name: str
    goal_cents: int
    raised_cents: int
    pledge_count: int
    pledger_count: int
    started_at: datetime
    ended_at: datetime
    categories: int
    results: tuple[ResultLine, ...]
    top_donors: tuple[Standing, ...]
    biggest_losers: tuple[Standing, ...]
    best_pickers: tuple[Standing, ...]
    worst_pickers: tuple[Standing, ...]
    money: tuple[MoneyPoint, ...]
    spoiler_safe: bool


async def assemble_recap(reader: Reader, settings: GuildSettings, ceremony_id: int) -> RecapData | None:
    """The recap of `ceremony_id` in `settings.guild_id`; None when there is no such ceremony."""
    guild_id = settings.guild_id
    ceremony = await reader.fetch_one(
        "SELECT name, year, created_at, started_at, ended_at FROM ceremonies WHERE id = ? AND guild_id = ?",
        (ceremony_id, guild_id),
    )
    if ceremony is None:
        return None
    title = ceremony_title(ceremony["name"], ceremony["year"])
    money = await _money(reader, guild_id, ceremony_id)
    started = from_storage(ceremony["started_at"] or ceremony["created_at"])
    if money and money[0].at < started:
        started = money[0].at  # pledges made before the show started count too
    ended = from_storage(ceremony["ended_at"]) if ceremony["ended_at"] else max([started, *(p.at for p in money)])
    totals = await reader.fetch_one(
        "SELECT raised_cents, pledge_count, pledger_count FROM pledge_totals WHERE guild_id = ? AND scope = ?",
        (guild_id, ceremony_id),
    )
    categories = await reader.fetch_one(
        "SELECT COUNT(*) FROM categories WHERE guild_id = ? AND ceremony_id = ?", (guild_id, ceremony_id)
    )
    donors, _ = await board_page(reader, guild_id, BoardKind.DONORS, ceremony_id, None, page_size=TOP_DONORS)
    losers, _ = await board_page(reader, guild_id, BoardKind.LOSERS, ceremony_id, None, page_size=LOSER_BARS)
    best, _ = await board_page(reader, guild_id, BoardKind.PICKERS, ceremony_id, None, page_size=TOP_PICKERS)
    return RecapData(
        guild_id=guild_id,
        ceremony_id=ceremony_id,
        title=title,
        charity_name=settings.charity_name,
        goal_cents=settings.goal_cents,
        raised_cents=totals["raised_cents"] if totals else 0,
        pledge_count=totals["pledge_count"] if totals else 0,
        pledger_count=totals["pledger_count"] if totals else 0,
        started_at=started,
        ended_at=ended,
        categories=int(categories[0]) if categories else 0,
        results=tuple(await _results(reader, guild_id, ceremony_id)),
        top_donors=tuple(donors),
        biggest_losers=tuple(losers),
        best_pickers=tuple(best),
        worst_pickers=tuple(await _worst_pickers(reader, guild_id, ceremony_id, exclude={s.user_id for s in best})),
        money=tuple(money),
        spoiler_safe=settings.spoiler_safe,
    )


async def _results(reader: Reader, guild_id: int, ceremony_id: int) -> list[ResultLine]:
    rows = await reader.fetch_all(
        "SELECT c.id AS category_id, c.name AS category, n.label AS winner FROM results r "
        "JOIN categories c ON c.id = r.category_id "
        "JOIN result_winners w ON w.result_id = r.id JOIN nominees n ON n.id = w.nominee_id "
        "WHERE r.guild_id = ? AND r.ceremony_id = ? ORDER BY c.position, n.position",
        (guild_id, ceremony_id),
    )
    lines: dict[int, ResultLine] = {}
    for row in rows:
        found = lines.get(row["category_id"])
        winners = (*found.winners, row["winner"]) if found else (row["winner"],)
        lines[row["category_id"]] = ResultLine(row["category"], winners)
    return list(lines.values())


async def _worst_pickers(reader: Reader, guild_id: int, ceremony_id: int, *, exclude: set[int]) -> list[Standing]:
    """The lowest accuracy among ranked pickers (fewest right first among equals), not the best ones again."""
    rows = await reader.fetch_all(
        "SELECT t.user_id, t.correct, t.resolved, t.reached_at, m.display_name FROM pick_stats t "
        "LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id "
        "WHERE t.guild_id = ? AND t.scope = ? AND t.resolved >= ? AND m.left_at IS NULL "
        "ORDER BY CAST(t.correct AS REAL) / t.resolved, t.resolved DESC, t.reached_at, t.user_id LIMIT ?",
        (guild_id, ceremony_id, MIN_RESOLVED_PICKS, TOP_PICKERS + len(exclude)),
    )
    worst = [
        Standing(
            rank=0, user_id=row["user_id"], name=row["display_name"] or UNKNOWN_MEMBER, value=row["correct"],
            reached_at=from_storage(row["reached_at"]), resolved=row["resolved"],
        )
        for row in rows
        if row["user_id"] not in exclude
    ]
    return [
        Standing(index, s.user_id, s.name, s.value, s.reached_at, s.resolved)
        for index, s in enumerate(worst[:TOP_PICKERS], start=1)
    ]


async def _money(reader: Reader, guild_id: int, ceremony_id: int) -> list[MoneyPoint]:
    """The running total after each minute that had pledges (cancelled ones left out).

    Read in slices of the server's pledges by id (its index), so a night of a
    million pledges never holds the one connection for more than a few dozen
    milliseconds at a time: other commands' queries run in between.
    """
    per_minute: dict[str, int] = {}
    after = 0
    while True:
        rows = await reader.fetch_all(
            "SELECT substr(created_at, 1, 16) AS minute, "
            "SUM(CASE WHEN ceremony_id = ? AND status != 'cancelled' THEN amount_cents ELSE 0 END) AS cents, "
            "MAX(id) AS last_id, COUNT(*) AS seen FROM ("
            "SELECT id, created_at, amount_cents, ceremony_id, status FROM pledges "
            "WHERE guild_id = ? AND id > ? ORDER BY id LIMIT ?) GROUP BY minute",
            (ceremony_id, guild_id, after, MONEY_SLICE),
        )
        for row in rows:
            if row["cents"]:
                per_minute[row["minute"]] = per_minute.get(row["minute"], 0) + int(row["cents"])
        if sum(row["seen"] for row in rows) < MONEY_SLICE:
            break
        after = max(row["last_id"] for row in rows)
    points: list[MoneyPoint] = []
    running = 0
    for minute in sorted(per_minute):
        running += per_minute[minute]
        points.append(MoneyPoint(datetime.fromisoformat(minute).replace(tzinfo=UTC), running))
    return points
