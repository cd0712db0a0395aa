"""The embeds a result, a tie and a correction announce. Pure: names in, embeds out.

Every list is summarised to fit Discord's limits however many members it
names ("Ann, Bob and 4,990 more"), every name is escaped, and with the
server's spoiler-safe setting everything that gives the outcome away sits
behind ``||spoiler||`` tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.money import format_cents
from bot.embeds import FIELD_VALUE_LIMIT, Colour, Embed
from bot.text import clip, hide, safe

NAME_LIMIT = 40
LIST_LIMIT = 900  # characters per list field, leaving room for spoiler tags and the other fields
SPOILER_NOTE = "Spoiler-safe: click the hidden text to reveal it."


@dataclass(frozen=True, slots=True)
class TaxLine:
    member: str
    nominee: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """A member whose claimed nominee lost: ``Member (as Nominee)``."""

    member: str
    nominee: str


@dataclass
class ResultNews:
    """What one log, tie or undo did, in names (already the members' display names)."""

    category: str
    winners: list[str]
    changed: list[str] = field(default_factory=list)  # the winner(s) this action added or took back
    guests: list[str] = field(default_factory=list)  # the losing nominees, new on the guest list
    lost_picks: list[str] = field(default_factory=list)
    lost_claims: list[ClaimLine] = field(default_factory=list)
    newcomers: list[str] = field(default_factory=list)
    leaving: list[str] = field(default_factory=list)  # members whose loss from this result was taken back
    right_picks: int = 0
    taxes: list[TaxLine] = field(default_factory=list)
    taxes_cancelled: int = 0


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 loss``, ``2 losses``, ``5,000 members``."""
    return f"{count:,} {singular if count == 1 else (many or singular + 's')}"


def name_list(names: Sequence[str], limit: int = LIST_LIMIT, *, each: int = NAME_LIMIT, escaped: bool = False) -> str:
    """``A, B, C and 4,990 more`` within `limit` characters; names escaped and clipped.

    With `escaped`, the items are lines already made of :func:`bot.text.safe` parts
    (a name and a nominee, each escaped and isolated on its own): only clipped.
    """
    shown: list[str] = []
    used = 0
    for index, raw in enumerate(names):
        name = (clip(raw, each) if escaped else safe(raw, each)) or "\u200b"
        rest = len(names) - index - 1
        reserve = len(f" and {rest:,} more") if rest else 0
        cost = len(name) + (2 if shown else 0)
        if used + cost + reserve > limit:
            hidden = len(names) - index
            if not shown:
                return f"{hidden:,} members"
            return ", ".join(shown) + f" and {hidden:,} more"
        shown.append(name)
        used += cost
    return ", ".join(shown)


def _field(embed: Embed, title: str, text: str, spoiler: bool) -> None:
    if text:
        embed.add_field(title, hide(clip(text, FIELD_VALUE_LIMIT - 4), spoiler))


def result_embeds(news: ResultNews, *, spoiler: bool, tie: bool = False) -> list[Embed]:
    winners = name_list(news.winners, 600, each=100)
    if tie:
        title = f"🤝 A tie in {safe(news.category, 200)}"
        added = name_list(news.changed, 400, each=100)
        description = f"{hide(added, spoiler)} won too. Winners: {hide(winners, spoiler)}"
    else:
        title = f"🏆 {safe(news.category, 240)}"
        label = "Winners" if len(news.winners) > 1 else "Winner"
        description = f"**{label}:** {hide(winners, spoiler)}"
    embed = Embed(title=title, description=description, colour=Colour.GOLD)
    if tie:
        _field(embed, f"Losses taken back ({len(news.leaving):,})", name_list(news.leaving), spoiler)
    else:
        _field(embed, f"New guests in the lounge ({len(news.guests)})", name_list(news.guests, each=100), spoiler)
        _field(embed, f"Lost their pick ({len(news.lost_picks):,})", name_list(news.lost_picks), spoiler)
        claims = [f"{safe(c.member, 40)} \\(as {safe(c.nominee, 40)}\\)" for c in news.lost_claims]
        _field(embed, f"Their nominee lost ({len(claims):,})", name_list(claims, each=90, escaped=True), spoiler)
        if news.right_picks:
            embed.add_field("Right picks", hide(f"{news.right_picks:,}", spoiler), inline=True)
    if news.taxes:
        lines = [f"{safe(t.member, 40)} owes {format_cents(t.amount_cents)} for {safe(t.nominee, 100)}"
                 for t in news.taxes]
        _field(embed, "Winner's tax", name_list(lines, each=160, escaped=True), spoiler)
    if news.newcomers:
        _field(embed, f"New in the lounge ({len(news.newcomers):,})", name_list(news.newcomers), spoiler)
    if spoiler:
        embed.footer = SPOILER_NOTE
    return [embed]


def correction_embeds(news: ResultNews, *, spoiler: bool) -> list[Embed]:
    winners = name_list(news.changed, 600, each=100)
    embed = Embed(
        title=f"↩️ Correction: {safe(news.category, 230)}",
        description=(
            f"The result logged for this category was taken back (it named {hide(winners, spoiler)}). "
            "Picks are open again until the right result is logged."
        ),
        colour=Colour.WARN,
    )
    _field(embed, f"Losses taken back ({plural(len(news.leaving), 'member')})", name_list(news.leaving), spoiler)
    if news.taxes_cancelled:
        embed.add_field("Winner's tax", f"{plural(news.taxes_cancelled, 'unpaid pledge')} cancelled", inline=True)
    if spoiler:
        embed.footer = SPOILER_NOTE
    return [embed]
