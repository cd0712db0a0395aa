"""Replies of /result, as plain embeds (turned into discord.py's by `bot.ui`)."""

from __future__ import annotations

from bot.domain.results.announcements import plural
from bot.domain.results.service import LoggedResult, ResultReport
from bot.embeds import Colour, Embed
from bot.text import safe

UNPAID_TAX = "unpaid winner's-tax pledge"


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
