"""Discord-side helpers shared by the cogs: turning plain embeds into discord.py's,
and answering interactions."""

from __future__ import annotations

from typing import Any

import discord

from bot.embeds import Embed


def to_discord(embed: Embed) -> discord.Embed:
    return discord.Embed.from_dict(embed.to_dict())


def from_payload(payload: dict[str, Any]) -> list[discord.Embed]:
    return [discord.Embed.from_dict(data) for data in payload.get("embeds", [])]


NO_PINGS = discord.AllowedMentions.none()


async def reply(
    interaction: discord.Interaction[Any],
    embed: Embed | None = None,
    *,
    content: str | None = None,
    ephemeral: bool = True,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """Answer the interaction (or follow up if it was deferred); never pings anyone."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if embed is not None:
        kwargs["embed"] = to_discord(embed)
    if content is not None:
        kwargs["content"] = content
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
