"""What the lounge announces about pledges, and the progress bar every view shares.

Bodies are built with `bot.embeds.message` (never pings) and queued with
`bot.domain.announcer.outbox.announce` in the same unit as the pledge. Every name is
escaped; anonymous pledges are shown as "Anonymous".
"""

from __future__ import annotations

from typing import Any

from bot.domain.money import format_cents
from bot.embeds import Colour, Embed, message
from bot.text import safe

BAR_WIDTH = 12
FILLED, EMPTY = "▰", "▱"
NAME_LIMIT = 100
BIG_PLEDGE_KIND = "pledge.big"
MILESTONE_KIND = "pledge.milestone"


def percent_of(raised_cents: int, goal_cents: int) -> int:
    """Whole percent of the goal, rounded down (so 100% means the goal is truly met)."""
    return raised_cents * 100 // goal_cents if goal_cents > 0 else 0


def progress_bar(raised_cents: int, goal_cents: int, width: int = BAR_WIDTH) -> str:
    """``▰▰▰▱▱▱▱▱▱▱▱▱ 25%``: full past the goal, and the percent keeps counting."""
    percent = percent_of(raised_cents, goal_cents)
    filled = width if goal_cents <= 0 else min(width, raised_cents * width // goal_cents)
    return f"{FILLED * filled}{EMPTY * (width - filled)} {percent}%"


def goal_line(raised_cents: int, goal_cents: int) -> str:
    return f"**{format_cents(raised_cents)}** of {format_cents(goal_cents)}\n{progress_bar(raised_cents, goal_cents)}"


def big_pledge_message(
    *, name: str, anonymous: bool, amount_cents: int, charity_name: str, raised_cents: int, goal_cents: int
) -> dict[str, Any]:
    who = "Anonymous" if anonymous else safe(name, NAME_LIMIT)
    embed = Embed(
        title="💸 A big pledge!",
        description=f"{who} pledged **{format_cents(amount_cents)}** to {safe(charity_name, NAME_LIMIT)}.",
        colour=Colour.GOLD,
    )
    embed.add_field("Raised so far", goal_line(raised_cents, goal_cents))
    return message(embeds=[embed])


def milestone_message(*, percent: int, charity_name: str, raised_cents: int, goal_cents: int) -> dict[str, Any]:
    if percent < 100:
        title = f"🎯 {percent}% of the goal!"
    elif percent == 100:
        title = "🎉 Goal reached!"
    else:
        title = f"🚀 {percent // 100}× the goal!"
    embed = Embed(
        title=title,
        description=f"The lounge has pledged {format_cents(raised_cents)} to {safe(charity_name, NAME_LIMIT)}.",
        colour=Colour.GOLD if percent >= 100 else Colour.GOOD,
    )
    embed.add_field("Progress", goal_line(raised_cents, goal_cents))
    return message(embeds=[embed])
