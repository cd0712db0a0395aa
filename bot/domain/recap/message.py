"""The recap as an announcement body: two embeds and the picture.

The first embed carries the picture (``attachment://recap.png``) and, in words,
everything the picture shows (money over the night, the biggest losers), so a
member who can't see images, or a client that doesn't load them, misses
nothing. The second lists the results of the night, behind spoiler tags when the
server watches on a delay. Both always fit Discord's limits, whatever the names.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from bot.domain.leaderboards.service import NAME_LIMIT, BoardKind, Standing, standing_value
from bot.domain.money import format_cents
from bot.domain.recap.data import RecapData
from bot.domain.recap.pictures import LossBar, RecapPicture
from bot.embeds import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, Colour, Embed, embed_size, message
from bot.text import safe

RECAP_KIND = "recap"
FILENAME = "recap.png"
FIELD_LINES = 5
CATEGORY_LIMIT = 80
WINNER_LIMIT = 120


def picture_of(data: RecapData) -> RecapPicture:
    return RecapPicture(
        title=f"{data.title} — the night in review",
        goal_cents=data.goal_cents,
        raised_cents=data.raised_cents,
        start=data.started_at,
        end=data.ended_at,
        money=data.money,
        losers=[LossBar(standing.name, standing.value) for standing in data.biggest_losers],
    )


def recap_message(data: RecapData, png: bytes | None) -> dict[str, Any]:
    """The announcement body; with `png`, the picture is attached and shown in the first embed."""
    summary = summary_embed(data)
    if png is not None:
        summary.image_url = f"attachment://{FILENAME}"
    used = embed_size(summary.to_dict())
    results = results_embed(data, budget=EMBED_TOTAL_LIMIT - used)
    body = message(embeds=[summary, results])
    if png is not None:
        body["files"] = [{"filename": FILENAME, "data": base64.b64encode(png).decode("ascii")}]
    return body


def summary_embed(data: RecapData) -> Embed:
    percent = 100 * data.raised_cents // data.goal_cents if data.goal_cents else 0
    description = (
        f"**{format_cents(data.raised_cents)}** raised for {safe(data.charity_name, 100)}: "
        f"{percent}% of the {format_cents(data.goal_cents)} goal, "
        f"{data.pledge_count:,} pledge{'' if data.pledge_count == 1 else 's'} from "
        f"{data.pledger_count:,} member{'' if data.pledger_count == 1 else 's'}.\n"
        f"{len(data.results)} of {data.categories} results logged."
    )
    embed = Embed(title=f"🌙 {safe(data.title, 200)}: the night in review", description=description,
                  colour=Colour.GOLD)
    embed.add_field("💸 Top donors", _lines(BoardKind.DONORS, data.top_donors) or "No pledges tonight.")
    embed.add_field(
        "💔 Biggest losers", _lines(BoardKind.LOSERS, data.biggest_losers[:FIELD_LINES]) or "Nobody lost tonight."
    )
    embed.add_field(
        "🔮 Best pickers", _lines(BoardKind.PICKERS, data.best_pickers) or "Not enough decided picks to rank anyone."
    )
    if data.worst_pickers:
        embed.add_field("🙈 Worst pickers", _lines(BoardKind.PICKERS, data.worst_pickers))
    embed.add_field("📈 Money over the night", money_timeline(data))
    embed.footer = (
        "The picture: money raised over the night against the goal, and the losses of the biggest losers. "
        "Anonymous donors stay anonymous."
    )
    return embed


def results_embed(data: RecapData, *, budget: int) -> Embed:
    """The night's results, whole lines only, within `budget` characters for the whole embed."""
    title = "🏆 Results of the night" + (" (spoilers hidden)" if data.spoiler_safe else "")
    room = min(DESCRIPTION_LIMIT, budget - len(title) - 10)
    lines: list[str] = []
    used = 0
    total = len(data.results)
    for index, result in enumerate(data.results):
        winners = " & ".join(safe(winner, WINNER_LIMIT) for winner in result.winners)
        if data.spoiler_safe:
            winners = f"||{winners}||"
        line = f"**{safe(result.category, CATEGORY_LIMIT)}**: {winners}"
        after = total - index - 1
        reserve = len(_more(after)) + 1 if after else 0  # room to say what didn't fit
        if used + len(line) + 1 + reserve > room:
            lines.append(_more(total - index))
            break
        lines.append(line)
        used += len(line) + 1
    return Embed(title=title, description="\n".join(lines) or "No results were logged.", colour=Colour.GOLD)


def _more(count: int) -> str:
    return f"… and {count} more: see `/ceremony status`."


def money_timeline(data: RecapData) -> str:
    """The money chart in words: the running total at each hour of the night, and when the goal fell."""
    if not data.money:
        return "No pledges during the night."
    parts: list[str] = []
    hour = 1
    while data.started_at + timedelta(hours=hour) < data.ended_at and hour <= 12:
        moment = data.started_at + timedelta(hours=hour)
        raised = max((point.raised_cents for point in data.money if point.at <= moment), default=0)
        parts.append(f"{format_cents(raised)} after {hour} h")
        hour += 1
    parts.append(f"{format_cents(data.money[-1].raised_cents)} at the end")
    reached = next((point for point in data.money if point.raised_cents >= data.goal_cents), None)
    if reached is not None:
        minutes = int((reached.at - data.started_at).total_seconds() // 60)
        parts.append(f"goal reached {minutes // 60} h {minutes % 60:02d} min in")
    return "; ".join(parts) + "."


def _lines(kind: BoardKind, standings: tuple[Standing, ...]) -> str:
    return "\n".join(
        f"{standing.rank}. {safe(standing.name, NAME_LIMIT)} — {standing_value(kind, standing)}"
        for standing in standings
    )
