"""Replies of /result, as plain embeds (turned into discord.py's by `bot.ui`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.clock import discord_relative
from bot.domain.ceremonies.service import Nominee, short_label
from bot.domain.results.announcements import plural
from bot.domain.results.console import ConsolePanel, RecentResult, TieChoice
from bot.domain.results.service import LoggedResult, ResultReport
from bot.embeds import Colour, Embed
from bot.text import clip, one_line, safe

UNPAID_TAX = "unpaid winner's-tax pledge"
BUTTON_LABEL = 80


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


# ---- the host's console (/result console) ---------------------------------------------------

ANNOUNCEMENT_STATES = {"queued": "⏳ queued", "posted": "📣 posted", "failed": "⚠️ not posted", "unknown": "—"}


def nominee_button_labels(nominees: Sequence[Nominee]) -> list[str]:
    """Nominees on console buttons: the labels that tell twins apart, within Discord's 80;
    labels that clipping would make read the same are numbered by their place in the category."""
    labels = [clip(one_line(short_label(n.name, n.show, n.label, BUTTON_LABEL)), BUTTON_LABEL) for n in nominees]
    counts = Counter(label.casefold() for label in labels)
    return [
        clip(label, BUTTON_LABEL - len(f" #{n.position + 1}")) + f" #{n.position + 1}"
        if counts[label.casefold()] > 1 else label
        for label, n in zip(labels, nominees, strict=True)
    ]


def console_embed(panel: ConsolePanel, *, note: str | None = None) -> Embed:
    title = f"🎛️ Result console — {safe(panel.ceremony.title, 200)}"
    lines: list[str] = [note] if note else []
    if panel.report is not None:
        lines.append(_console_report(panel))
    if panel.current is None:
        lines.append(f"**Every result is in: {panel.logged} of {panel.total} logged.** 🎉")
    else:
        lines.append(f"**Now: {safe(panel.current.name, 200)}**")
        lines.append(f"{panel.logged} of {panel.total} logged · {plural(panel.others_open, 'other')} still open. "
                     "Click the winner as it's read out.")
    if panel.ceremony.state != "live":
        lines.append(f"⚠️ {safe(panel.ceremony.title, 100)} is {panel.ceremony.state}: results can be logged "
                     "only while it's live (`/ceremony start`).")
    embed = Embed(title=title, description="\n".join(lines), colour=Colour.GOLD)
    if panel.recent:
        embed.add_field("Last results", "\n".join(_recent_line(result) for result in panel.recent))
    embed.footer = "Skip and Back move between open categories · Tie… adds a winner to the newest result"
    return embed


def _console_report(panel: ConsolePanel) -> str:
    report = panel.report
    assert report is not None
    name = safe(report.category.name, 150)
    changed = ", ".join(safe(n.short_label, 80) for n in report.changed)
    if panel.action == "undo":
        return (f"↩️ Undone: {name} ({changed}): {plural(report.losses_removed, 'loss', 'losses')} taken back, "
                "a correction is on its way.")
    if panel.action == "tie":
        return f"🤝 Tie logged: {name}: {changed} won too."
    return (f"✅ Logged: {name}: **{changed}** · {plural(report.losses_added, 'loss', 'losses')} given, "
            f"{plural(report.right_picks, 'right pick')}.")


def _recent_line(result: RecentResult) -> str:
    winners = ", ".join(safe(n.short_label, 60) for n in result.winners)
    return (f"🏆 {safe(result.category.name, 80)} — {winners} · {ANNOUNCEMENT_STATES[result.announcement]} "
            f"· {discord_relative(result.logged_at)}")


def console_tie_embed(choice: TieChoice) -> Embed:
    winners = ", ".join(safe(n.short_label, 100) for n in choice.result.winners)
    return Embed(
        title=f"🤝 A tie in {safe(choice.result.category.name, 200)}?",
        description=(f"Winner so far: {winners}. Click the nominee who won too: it is logged with every effect "
                     "of `/result tie`. Cancel goes back to the console."),
        colour=Colour.WARN,
    )
