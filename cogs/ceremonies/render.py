"""Replies of /ceremony, as plain embeds (turned into discord.py's by `bot.ui`)."""

from __future__ import annotations

from bot.clock import discord_relative
from bot.domain.ceremonies.editing import CategoryEdit, NomineeEdit, Removal
from bot.domain.ceremonies.files import LIMITS_TEXT, ParsedCeremony
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
            f"`/ceremony import` (JSON like emmys-2014.json, or CSV `category,nominee,show`; {LIMITS_TEXT}) "
            "or paste them with `/ceremony paste`, then `/ceremony start` when the show begins."
        ),
        colour=Colour.GOOD,
    )


def ceremony_created_from(summary: ImportSummary) -> Embed:
    return Embed(
        title=f"Ceremony created: {safe(summary.ceremony.title, 200)}",
        description=(
            f"From the preset {safe(summary.source, 120)}: {plural(summary.categories, 'category', 'categories')}, "
            f"{plural(summary.nominees, 'nomination')}. Only the nominees: the winners are logged live with "
            "`/result log`. Correct anything with `/ceremony rename-nominee`, `add-nominee` and the other "
            "`/ceremony` edits, then `/ceremony start` when the show begins."
        ),
        colour=Colour.GOOD,
    )


def import_done(summary: ImportSummary) -> Embed:
    embed = Embed(
        title=f"Nominees imported into {safe(summary.ceremony.title, 200)}",
        description=(
            f"{summary.categories} categories, {summary.nominees} nominations. Winners in the file were "
            "ignored: results are logged live with `/result log`. Members can claim and pick now."
            + (" (From a pasted list.)" if summary.source == "a pasted list" else "")
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
        lines = [f"• {'📺 ' if entry.category.telecast else ''}{safe(entry.category.name, 100)}" for entry in remaining]
        embed.add_field(f"Still to come ({len(remaining)})", lines_within(lines, 1000))
    if not status.categories:
        embed.add_field("No nominees yet", "A host attaches them with `/ceremony import`.")
    return embed


# ---- corrections ---------------------------------------------------------------------------


def category_renamed(edit: CategoryEdit) -> Embed:
    return Embed(
        title=f"Renamed: {safe(edit.category.name, 200)}",
        description=(
            f"Was “{safe(edit.before or '', 200)}”. Cards, boards, `/ceremony status` and the recap use the new "
            "name from now on; announcements already posted keep the old one."
        ),
        colour=Colour.GOOD,
    )


def nominee_renamed(edit: NomineeEdit) -> Embed:
    return Embed(
        title=f"Renamed: {safe(edit.nominee.short_label, 200)}",
        description=(
            f"In {safe(edit.category.name, 200)}; was “{safe(edit.before or '', 200)}”. Picks and claims stay "
            "with the nominee; announcements already posted keep the old name."
        ),
        colour=Colour.GOOD,
    )


def nominee_added(edit: NomineeEdit) -> Embed:
    return Embed(
        title=f"Added: {safe(edit.nominee.short_label, 200)}",
        description=f"Nominee {edit.nominee.position + 1} of {safe(edit.category.name, 200)}. Members can pick it now.",
        colour=Colour.GOOD,
    )


def confirm_removal(removal: Removal) -> Embed:
    what = " and ".join(part for part in (
        plural(removal.picks, "pick") if removal.picks else "",
        plural(removal.claims, "claim") if removal.claims else "",
    ) if part)
    return Embed(
        title=f"Remove {safe(removal.nominee.short_label, 200)}?",
        description=(
            f"From {safe(removal.category.name, 200)}. It affects **{plural(removal.members, 'member')}**: their "
            f"{what} on it will be dropped, and they can pick again. Nothing else changes."
        ),
        colour=Colour.WARN,
    )


def nominee_removed(removal: Removal) -> Embed:
    dropped = (
        f" Dropped {plural(removal.picks, 'pick')} and {plural(removal.claims, 'claim')} "
        f"of {plural(removal.members, 'member')}; they can pick again."
        if removal.affects_anyone else " Nobody had picked or claimed it."
    )
    return Embed(
        title=f"Removed: {safe(removal.nominee.short_label, 200)}",
        description=f"From {safe(removal.category.name, 200)}.{dropped}",
        colour=Colour.GOOD,
    )


def category_added(edit: CategoryEdit) -> Embed:
    where = "on the broadcast" if edit.category.telecast else "not on the broadcast (Creative Arts)"
    return Embed(
        title=f"Added: {safe(edit.category.name, 200)}",
        description=(
            f"Category {edit.category.position + 1} of {edit.categories}, {where}. Add its nominees with "
            "`/ceremony add-nominee`; move it with `/ceremony move-category`."
        ),
        colour=Colour.GOOD,
    )


def category_moved(edit: CategoryEdit) -> Embed:
    return Embed(
        title=f"Moved: {safe(edit.category.name, 200)}",
        description=f"Now {edit.category.position + 1} of {edit.categories} in the running order (`/ceremony status`).",
        colour=Colour.GOOD,
    )


# ---- paste -----------------------------------------------------------------------------------

PREVIEW_EXAMPLES = 3  # nominees shown per category, so the host sees how the lines were read


def paste_preview(parsed: ParsedCeremony, status: CeremonyStatus) -> Embed:
    lines = []
    for index, category in enumerate(parsed.categories, start=1):
        shown = "; ".join(safe(nominee.label, 60) for nominee in category.nominees[:PREVIEW_EXAMPLES])
        more = len(category.nominees) - PREVIEW_EXAMPLES
        lines.append(
            f"{index}. **{safe(category.name, 100)}** ({len(category.nominees)}): {shown}"
            + (f"; +{more}" if more > 0 else "")
        )
    embed = Embed(
        title=(
            f"Preview: {plural(len(parsed.categories), 'category', 'categories')}, "
            f"{plural(parsed.nominee_count, 'nomination')}"
        ),
        description=lines_within(lines, 3500, more="more categories"),
        colour=Colour.INFO,
        footer="Nothing is imported until you confirm. Wrong? Cancel, fix the text and paste again.",
    )
    if status.categories:
        embed.add_field(
            f"Replaces the list of {safe(status.ceremony.title, 150)}",
            f"{plural(len(status.categories), 'category', 'categories')} with {plural(status.picks, 'pick')} and "
            f"{plural(status.claims, 'claim')} on them, which would be dropped.",
        )
    return embed
