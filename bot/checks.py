"""Who may do what. `is_host` is the one check every host-only command uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


class NotHost(app_commands.CheckFailure):
    """A member without Manage Server or the host role tried a host command."""

    def __init__(self) -> None:
        super().__init__(
            "Only hosts can do that: members with the Manage Server permission or the server's host role."
        )


async def member_is_host(interaction: discord.Interaction[LoungeBot]) -> bool:
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    # The permissions Discord resolved for this member and sent with the interaction:
    # right even when the server is not (yet) in the bot's cache.
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    settings = await interaction.client.services.settings.get(interaction.guild_id)
    # Role ids as sent with the interaction (member.roles would drop roles the cache lacks).
    return settings.host_role_id is not None and settings.host_role_id in member._roles


async def require_host(interaction: discord.Interaction[LoungeBot]) -> bool:
    """Raise NotHost unless the member may run host commands (also used by buttons, at click time)."""
    if interaction.guild_id is None or not await member_is_host(interaction):
        raise NotHost()
    return True


is_host = app_commands.check(require_host)
"""Decorator for host-only commands."""
