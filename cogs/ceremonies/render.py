"""Replies of /ceremony, as plain embeds (turned into discord.py's by `bot.ui`)."""

from __future__ import annotations

from bot.clock import discord_relative
from bot.domain.ceremonies.files import LIMITS_TEXT
from bot.domain.ceremonies.service import Ceremony, CeremonyStatus, ImportSummary
from bot.domain.results.announcements import name_list, plural
from bot.embeds import Colour, Embed, lines_within
from bot.text import hide, safe

STATE_WORDS = {"draft": "📝 draft", "live": "🔴 live", "ended": "🌙 ended"}


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
