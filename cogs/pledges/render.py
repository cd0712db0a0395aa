"""The replies of /pledge, as plain embeds (no discord import: testable on their own)."""

from __future__ import annotations

from bot.clock import discord_relative
from bot.domain.money import format_cents
from bot.domain.pledges import MemberPledges, Pledge, PledgeReceipt, Progress, ScopeTotals, StatusChange
from bot.domain.pledges.announcements import goal_line
from bot.embeds import Colour, Embed
from bot.text import clip, safe

NAME_LIMIT = 100
NOTE_IN_LIST = 60
STATUS_LABELS = {
    "pending": "⏳ pending",
    "paid": "💵 paid, awaiting a host",
    "verified": "✅ verified",
    "cancelled": "✖️ cancelled",
}
NEXT_STEP = {
    "pending": "When you've paid, run `/pledge paid` with its id.",
    "paid": "A host will verify it once the money arrives.",
    "verified": "Thank you: the money has arrived.",
    "cancelled": "It no longer counts toward any total.",
}


def pledge_line(pledge: Pledge) -> str:
    """``#12 · $25.00 · ⏳ pending · 3 minutes ago`` plus its marks and note."""
    parts = [f"`#{pledge.id}`", f"**{format_cents(pledge.amount_cents)}**", STATUS_LABELS[pledge.status]]
    if pledge.kind == "winner_tax":
        parts.append("🏆 winner's tax")
    if pledge.anonymous:
        parts.append("🕶️ anonymous")
    parts.append(discord_relative(pledge.created_at))
    line = " · ".join(parts)
    if pledge.note:
        line += f"\n  ↳ {safe(pledge.note, NOTE_IN_LIST)}"
    return line


def totals_lines(totals: ScopeTotals, goal_cents: int) -> str:
    pledgers = "pledger" if totals.pledger_count == 1 else "pledgers"
    return (
        f"{goal_line(totals.raised_cents, goal_cents)}\n"
        f"{totals.pledger_count} {pledgers} · {totals.pledge_count} pledges\n"
        f"✅ verified {format_cents(totals.verified_cents)} · 💵 paid {format_cents(totals.paid_cents)} · "
        f"⏳ pending {format_cents(totals.pending_cents)}"
    )


def receipt_embed(receipt: PledgeReceipt) -> Embed:
    pledge, progress = receipt.pledge, receipt.progress
    charity = safe(progress.charity_name, NAME_LIMIT)
    if receipt.duplicate:
        title = f"Pledge #{pledge.id} was already recorded"
    else:
        title = f"Thank you! Pledge #{pledge.id} recorded"
    embed = Embed(
        title=title,
        description=f"**{format_cents(pledge.amount_cents)}** to {charity}. {NEXT_STEP[pledge.status]}",
        colour=Colour.GOOD,
    )
    if pledge.note:
        embed.add_field("Your note", safe(pledge.note, 300))
    yours = f"{format_cents(receipt.member_total_cents)} all-time"
    if receipt.member_ceremony_cents is not None:
        yours = f"{format_cents(receipt.member_ceremony_cents)} tonight · " + yours
    embed.add_field("Your pledges", yours)
    shown = progress.ceremony or progress.all_time
    embed.add_field("Tonight" if progress.ceremony else "All-time", goal_line(shown.raised_cents, progress.goal_cents))
    if pledge.anonymous:
        embed.footer = "Anonymous: your name stays out of announcements and leaderboards (hosts still see it)."
    return embed


def progress_embed(progress: Progress) -> Embed:
    embed = Embed(
        title=f"Pledges for {safe(progress.charity_name, NAME_LIMIT)}",
        description=f"Goal: **{format_cents(progress.goal_cents)}**",
        colour=Colour.GOLD,
    )
    if progress.ceremony is not None:
        name = safe(progress.ceremony_name or "This ceremony", NAME_LIMIT)
        embed.add_field(name, totals_lines(progress.ceremony, progress.goal_cents))
    embed.add_field("All-time", totals_lines(progress.all_time, progress.goal_cents))
    if progress.all_time.pledge_count == 0:
        embed.description += "\nNo pledges yet: be the first with `/pledge add`."
    return embed


def mine_embed(mine: MemberPledges) -> Embed:
    embed = Embed(title="Your pledges", colour=Colour.INFO)
    if not mine.pledges:
        embed.description = "You haven't pledged yet: `/pledge add 25` pledges $25."
        return embed
    embed.description = "\n".join(pledge_line(pledge) for pledge in mine.pledges)
    embed.add_field("Total (not counting cancelled)", format_cents(mine.total_cents))
    if mine.pledge_rows > len(mine.pledges):
        embed.footer = f"Showing your newest {len(mine.pledges)} of {mine.pledge_rows} pledges."
    return embed


def change_embed(change: StatusChange, done: str) -> Embed:
    """`done` is the past tense shown, e.g. "marked paid"."""
    pledge = change.pledge
    title = f"Pledge #{pledge.id} {done}" if change.changed else f"Pledge #{pledge.id} was already {pledge.status}"
    embed = Embed(title=title, description=pledge_line(pledge), colour=Colour.GOOD if change.changed else Colour.INFO)
    embed.add_field("Next", NEXT_STEP[pledge.status])
    if pledge.cancel_reason and pledge.status == "cancelled":
        embed.add_field("Reason", safe(pledge.cancel_reason, 300))
    return embed


def choice_label(pledge: Pledge, *, with_name: bool = False) -> str:
    """An autocomplete entry (plain text: Discord shows it literally, max 100 characters)."""
    label = f"#{pledge.id} · {format_cents(pledge.amount_cents)} · {pledge.status}"
    if with_name:
        label += f" · {' '.join(pledge.display_name.split())}"
    if pledge.kind == "winner_tax":
        label += " · winner's tax"
    if pledge.note:
        label += f" · {' '.join(pledge.note.split())}"
    return clip(label, 100)
