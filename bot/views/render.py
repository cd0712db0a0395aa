"""Replies of the ceremony, results and losers commands, as plain embeds.

Shared by the cogs and by the persistent buttons (which answer after a restart,
when no cog method is on the stack). No discord import: embeds are
`bot.embeds.Embed`, turned into discord.py's by `bot.ui`.
"""

from __future__ import annotations

from math import ceil

from bot.clock import discord_relative
from bot.domain.audit import AuditEntry
from bot.domain.ceremonies import Ceremony, CeremonyStatus, ImportSummary
from bot.domain.ceremony_files import LIMITS_TEXT
from bot.domain.losers import PICKS_PAGE_SIZE, Declaration, LoserCard, MemberPicks, PickRecord, RosterPage
from bot.domain.money import format_cents
from bot.domain.result_announcements import name_list, plural
from bot.domain.results import LoggedResult, ResultReport
from bot.embeds import DESCRIPTION_LIMIT, Colour, Embed
from bot.text import safe

UNPAID_TAX = "unpaid winner's-tax pledge"
STATE_WORDS = {"draft": "📝 draft", "live": "🔴 live", "ended": "🌙 ended"}


def hide(text: str, spoiler: bool) -> str:
    return f"||{text}||" if spoiler and text else text


def lines_within(lines: list[str], limit: int = DESCRIPTION_LIMIT - 100, more: str = "more") -> str:
    """Join lines until `limit`, then say how many were left out."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > limit - 30:
            kept.append(f"… and {len(lines) - index:,} {more}")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


# ---- ceremonies ---------------------------------------------------------------------------


def ceremony_created(ceremony: Ceremony) -> Embed:
    return Embed(
        title=f"Ceremony created: {safe(ceremony.title, 200)}",
        description=(
            "It's a draft, and now this server's current ceremony. Next: attach the nominees with "
            f"`/ceremony import` (JSON like emmys-2014.json, or CSV `category,nominee,show`; {LIMITS_TEXT}), "
            "then `/ceremony start` when the show begins."
        ),
        colour=Colour.GOOD,
    )


def import_done(summary: ImportSummary) -> Embed:
    embed = Embed(
        title=f"Nominees imported into {safe(summary.ceremony.title, 200)}",
        description=(
            f"{summary.categories} categories, {summary.nominees} nominations. Winners in the file were "
            "ignored: results are logged live with `/result log`. Members can claim and pick now."
        ),
        colour=Colour.GOOD,
    )
    if summary.dropped_picks or summary.dropped_claims:
        embed.add_field(
            "Replaced the previous list",
            f"{summary.dropped_picks} picks and {summary.dropped_claims} claims made on it were removed.",
        )
    return embed


def ceremony_started(ceremony: Ceremony) -> Embed:
    return Embed(
        title=f"{safe(ceremony.title, 200)} is live",
        description="The opening announcement is on its way. Log each result with `/result log` as it's read out.",
        colour=Colour.GOLD,
    )


def confirm_end(ceremony: Ceremony, status: CeremonyStatus) -> Embed:
    left = len(status.remaining)
    warning = f" {left} categor{'y has' if left == 1 else 'ies have'} no result yet." if left else ""
    return Embed(
        title=f"End {safe(ceremony.title, 200)}?",
        description=(
            "Ending closes the night: no more results, picks or claims, and the recap is posted." + warning
            + " This can't be undone."
        ),
        colour=Colour.WARN,
    )


def ceremony_ended(status: CeremonyStatus) -> Embed:
    return Embed(
        title=f"{safe(status.ceremony.title, 200)} has ended",
        description=(
            f"{len(status.logged)} of {len(status.categories)} results logged. The closing announcement "
            "and the recap are on their way."
        ),
        colour=Colour.GOLD,
    )


def status_embed(status: CeremonyStatus, *, spoiler: bool) -> Embed:
    ceremony = status.ceremony
    logged, remaining = status.logged, status.remaining
    embed = Embed(
        title=f"{safe(ceremony.title, 200)} — {STATE_WORDS.get(ceremony.state, ceremony.state)}",
        description=(
            f"**{len(logged)} of {len(status.categories)}** results announced · "
            f"{plural(status.nominees, 'nomination')} · **{plural(status.picks, 'pick')}** by "
            f"{plural(status.pickers, 'member')} · {plural(status.claims, 'claimed nominee')} · "
            f"{plural(status.members_in_lounge, 'member')} and {plural(status.guests, 'guest')} in the lounge"
        ),
        colour=Colour.INFO,
    )
    if ceremony.started_at is not None:
        embed.description += f"\nStarted {discord_relative(ceremony.started_at)}"
    if ceremony.ended_at is not None:
        embed.description += f", ended {discord_relative(ceremony.ended_at)}"
    if logged:
        lines = [
            f"• {safe(entry.category.name, 90)}: {hide(name_list(entry.winners, 200, each=80), spoiler)}"
            for entry in reversed(logged)
        ]
        embed.add_field(f"Announced (latest first, {len(logged)})", lines_within(lines, 1000))
    if remaining:
        lines = [f"• {safe(entry.category.name, 100)}" for entry in remaining]
        embed.add_field(f"Still to come ({len(remaining)})", lines_within(lines, 1000))
    if not status.categories:
        embed.add_field("No nominees yet", "A host attaches them with `/ceremony import`.")
    return embed


# ---- results ------------------------------------------------------------------------------


def result_logged(report: ResultReport, *, tie: bool = False) -> Embed:
    winners = ", ".join(safe(n.short_label, 100) for n in report.winners)
    added = ", ".join(safe(n.short_label, 100) for n in report.changed)
    title = f"Tie logged: {safe(report.category.name, 200)}" if tie else f"Logged: {safe(report.category.name, 220)}"
    description = (f"{added} won too (winners: {winners})." if tie else f"Winner: {winners}.")
    embed = Embed(title=title, description=description, colour=Colour.GOOD)
    summary = [
        f"{plural(report.losses_added, 'loss', 'losses')} given" if report.losses_added else "",
        f"{plural(report.losses_removed, 'loss', 'losses')} taken back" if report.losses_removed else "",
        f"{report.newcomers:,} new in the lounge" if report.newcomers else "",
        plural(report.right_picks, "right pick"),
        plural(report.taxes_charged, "winner's-tax pledge") if report.taxes_charged else "",
        f"{plural(report.roles_granted, 'loser role')} queued" if report.roles_granted else "",
        f"{plural(report.roles_removed, 'loser role')} taken back" if report.roles_removed else "",
    ]
    embed.add_field("Effects", " · ".join(part for part in summary if part))
    embed.footer = "Announced in the announcement channel. Wrong? /result undo takes it back."
    return embed


def confirm_undo(logged: LoggedResult) -> Embed:
    winners = ", ".join(safe(n.short_label, 100) for n in logged.winners)
    return Embed(
        title=f"Undo the result of {safe(logged.category.name, 200)}?",
        description=(
            f"Winner(s): {winners}. Undoing takes back {plural(logged.losses, 'loss', 'losses')} of "
            f"{plural(logged.members, 'member')}, cancels {plural(logged.pending_taxes, UNPAID_TAX)}, "
            "reopens the picks and posts a correction. Declared losses stay."
        ),
        colour=Colour.WARN,
    )


def result_undone(report: ResultReport) -> Embed:
    return Embed(
        title=f"Undone: {safe(report.category.name, 230)}",
        description=(
            f"{plural(report.losses_removed, 'loss', 'losses')} taken back, "
            f"{plural(report.taxes_cancelled, UNPAID_TAX)} cancelled, "
            f"{plural(report.roles_removed, 'loser role')} removed. Picks are open again; a correction "
            "is on its way. Log the right result with `/result log`."
        ),
        colour=Colour.GOOD,
    )


def cancelled(what: str) -> Embed:
    return Embed(title="Nothing changed", description=f"{what} was cancelled.", colour=Colour.INFO)


# ---- losers -------------------------------------------------------------------------------


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


def audit_embed(entries: list[AuditEntry]) -> Embed:
    lines = [
        f"{discord_relative(entry.created_at)} <@{entry.actor_id}> `{entry.action}` {safe(entry.detail, 200)}"
        for entry in entries
    ]
    return Embed(
        title="Audit log",
        description=lines_within(lines, more="older entries") if lines else "No host actions recorded yet.",
        colour=Colour.INFO,
    )
