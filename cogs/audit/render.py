"""The /audit reply, as a plain embed."""

from __future__ import annotations

from bot.clock import discord_relative
from bot.domain.audit.log import AuditEntry
from bot.embeds import Colour, Embed, lines_within
from bot.text import safe


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
