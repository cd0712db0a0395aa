"""Replies of /loser, /picks and the roster, as plain embeds (turned into discord.py's by `bot.ui`)."""

from __future__ import annotations

from math import ceil

from bot.domain.losers.service import PICKS_PAGE_SIZE, Declaration, LoserCard, MemberPicks, PickRecord, RosterPage
from bot.domain.money import format_cents
from bot.domain.results.announcements import name_list, plural
from bot.embeds import Colour, Embed, lines_within
from bot.text import hide, safe


def record_text(record: PickRecord) -> str:
    if record.resolved == 0:
        return "no results yet" + (f" ({record.pending} pending)" if record.pending else "")
    text = f"{record.correct} right, {record.wrong} wrong ({100 * record.correct // record.resolved}%)"
    return text + (f", {record.pending} pending" if record.pending else "")


def card_embed(card: LoserCard, *, spoiler: bool, show_pledges: bool = True) -> Embed:
    tonight, ever = card.tonight, card.all_time
    embed = Embed(title=f"🎟️ {safe(card.display_name, 100)}'s loser card", colour=Colour.LOUNGE)
    if card.ceremony is not None:
        embed.add_field(
            f"Losses tonight: {tonight.total}",
            hide(f"declared {tonight.declared} · claimed nominee lost {tonight.claim} · pick lost {tonight.pick}",
                 spoiler),
        )
    embed.add_field(
        f"Losses all-time: {ever.total}",
        f"declared {ever.declared} · claimed nominee lost {ever.claim} · pick lost {ever.pick}",
    )
    if card.ceremony is not None:
        embed.add_field("Picks tonight", hide(record_text(card.picks_tonight), spoiler), inline=True)
    embed.add_field("Picks all-time", record_text(card.picks_all_time), inline=True)
    if show_pledges:
        pledged = format_cents(card.pledged_all_time_cents)
        if card.ceremony is not None:
            pledged = f"{format_cents(card.pledged_tonight_cents)} tonight · {pledged} all-time"
        embed.add_field("Pledged", pledged, inline=True)
    if card.claims:
        marks = {"won": "🏆", "lost": "💔", None: "⏳"}
        lines = [
            f"{hide(marks[claim.outcome], spoiler and claim.outcome is not None)} {safe(claim.nominee, 80)} "
            f"({safe(claim.category, 80)})"
            for claim in card.claims
        ]
        embed.add_field(f"Claimed nominees ({len(card.claims)})", lines_within(lines, 1000))
    if tonight.total == 0 and ever.total == 0:
        embed.description = "Not in the lounge (yet)."
    return embed


def picks_pages(picks: MemberPicks) -> int:
    return max(1, ceil(len(picks.lines) / PICKS_PAGE_SIZE))


def picks_embed(picks: MemberPicks, page: int, *, spoiler: bool) -> Embed:
    pages = picks_pages(picks)
    page = min(max(page, 0), pages - 1)
    shown = picks.lines[page * PICKS_PAGE_SIZE:(page + 1) * PICKS_PAGE_SIZE]
    marks = {"right": "✅", "wrong": "❌", None: "⏳"}
    lines = []
    for line in shown:
        text = f"{safe(line.category, 90)}: **{safe(line.nominee, 90)}**"
        if line.outcome is None:
            lines.append(f"⏳ {text}")
            continue
        outcome = marks[line.outcome]
        if line.outcome == "wrong":
            outcome += f" (won: {name_list(line.winners, 150, each=70)})"
        lines.append(f"{text} {hide(outcome, spoiler)}")
    embed = Embed(
        title=f"{safe(picks.display_name, 100)}'s picks — {safe(picks.ceremony.title, 100)}",
        description=lines_within(lines) if lines else "No picks yet: make one with `/pick`.",
        colour=Colour.INFO,
    )
    embed.add_field("Record", hide(record_text(picks.record), spoiler and picks.record.resolved > 0))
    if pages > 1:
        embed.footer = f"Page {page + 1} of {pages}"
    return embed


def roster_embed(roster: RosterPage) -> Embed:
    lines: list[str] = []
    for entry in roster.entries:
        if entry.kind == "member":
            lines.append(f"😢 **{safe(entry.name, 80)}** — {entry.detail}")
        else:
            lines.append(f"🎭 {safe(entry.name, 100)} · {safe(entry.detail, 80)}")
    embed = Embed(
        title=f"The lounge — {safe(roster.ceremony.title, 200)}",
        description=lines_within(lines) if lines else "Nobody is in the lounge yet.",
        colour=Colour.LOUNGE,
    )
    embed.footer = (
        f"{plural(roster.members, 'member')} · {plural(roster.guests, 'guest')} (losing nominees) · "
        f"page {roster.page + 1} of {roster.pages}"
    )
    return embed


def declared(declaration: Declaration) -> Embed:
    where = f" in {safe(declaration.category.name, 150)}" if declaration.category else ""
    text = f"You declared yourself a loser{where}."
    if declaration.first_in_lounge:
        text += " Welcome to the lounge."
    return Embed(title="Declared", description=text, colour=Colour.LOUNGE)
