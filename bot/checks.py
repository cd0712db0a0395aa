"""Who may do what. `is_host` is the one check every host-only command uses.

A host is a member with Manage Server (or Administrator), or with the server's
host role (``/settings set host_role``). :class:`Hosts` decides it, handed the
settings it reads and a way to ask Discord for a member's roles; the bot builds
one and every cog with host-only commands or buttons is handed it. A check
declared with a decorator exists before any service does, so `is_host` finds the
`Hosts` on the cog of the command it guards (``self.hosts``, handed in by the
cog's ``setup``), never on the client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.domain.settings.service import SettingsService

MemberRoles = Callable[[int, int], Awaitable[frozenset[int]]]
"""(guild id, user id) → the member's role ids, asked of Discord."""


class NotHost(app_commands.CheckFailure):
    """A member without Manage Server or the host role tried a host command."""

    def __init__(self) -> None:
        super().__init__(
            "Only hosts can do that: members with the Manage Server permission or the server's host role."
        )


class Hosts:
    """Decides, at command or click time, whether the member is a host of the server."""

    def __init__(self, settings: SettingsService, member_roles: MemberRoles) -> None:
        self._settings = settings
        self._member_roles = member_roles

    async def allows(self, interaction: discord.Interaction[Any]) -> bool:
        member = interaction.user
        if interaction.guild_id is None or not isinstance(member, discord.Member):
            return False
        # The permissions Discord resolved for this member and sent with the interaction:
        # right even when the server is not (yet) in the bot's cache.
        if interaction.permissions.manage_guild or interaction.permissions.administrator:
            return True
        host_role_id = (await self._settings.get(interaction.guild_id)).host_role_id
        if host_role_id is None:
            return False
        return host_role_id in await self.role_ids(interaction, interaction.guild_id, member)

    async def role_ids(
        self, interaction: discord.Interaction[Any], guild_id: int, member: discord.Member
    ) -> frozenset[int]:
        """The member's roles (not @everyone). Once the server is in the cache, the ids Discord sent
        with the interaction resolve through it (``Member.roles``); in the moment after a (re)connect
        before it arrives, they can't, so Discord is asked for the member instead."""
        if interaction.guild is not None:
            return frozenset(role.id for role in member.roles if not role.is_default())
        return await self._member_roles(guild_id, member.id)

    async def require(self, interaction: discord.Interaction[Any]) -> None:
        """Raise NotHost unless the member may run host commands (commands and buttons alike)."""
        if interaction.guild_id is None or not await self.allows(interaction):
            raise NotHost()


def hosts_of(interaction: discord.Interaction[Any]) -> Hosts:
    """The `Hosts` handed to the cog of the command being run."""
    binding = getattr(interaction.command, "binding", None)
    hosts = getattr(binding, "hosts", None)
    if not isinstance(hosts, Hosts):
        name = getattr(interaction.command, "qualified_name", interaction.command)
        raise RuntimeError(f"/{name} is host-only, but its cog was not handed a Hosts (self.hosts)")
    return hosts


async def require_host(interaction: discord.Interaction[Any]) -> bool:
    """The host check of a command: raise NotHost unless the member may run it."""
    await hosts_of(interaction).require(interaction)
    return True


is_host = app_commands.check(require_host)
"""Decorator for host-only commands (their cog must hold ``self.hosts``)."""
