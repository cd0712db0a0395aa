"""Hosts: Manage Server, or the host role read from the ids Discord sent (asked of Discord when
the server isn't cached yet); and every check and autocomplete finds what it reads on the cog
it was handed to, never on the client."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands

from bot.autocomplete import Suggestions
from bot.checks import Hosts, NotHost, require_host
from bot.db import Database
from bot.domain.settings.service import SettingsService
from bot.lounge import LoungeBot
from tests.clock import FakeClock

GUILD, HOST_ROLE = 40, 41


def role(role_id: int) -> Any:
    found = MagicMock(spec=discord.Role)
    found.id = role_id
    found.is_default.return_value = role_id == GUILD
    return found


def member_click(*, manage_guild: bool = False, roles: tuple[int, ...] = (), cached: bool = True) -> Any:
    member = MagicMock(spec=discord.Member)
    member.id = 7
    member.roles = [role(GUILD), *(role(role_id) for role_id in roles)] if cached else []
    interaction = MagicMock()
    interaction.guild_id = GUILD
    interaction.guild = MagicMock() if cached else None
    interaction.user = member
    interaction.permissions = discord.Permissions(manage_guild=manage_guild)
    return interaction


async def hosts_with_role(db: Database, clock: FakeClock, role_id: int | None, roles: frozenset[int]) -> Hosts:
    settings = SettingsService(db, clock)
    if role_id is not None:
        await settings.update(GUILD, {"host_role_id": role_id}, actor_id=1)
    return Hosts(settings, AsyncMock(return_value=roles))


async def test_manage_server_or_the_host_role_make_a_host(db: Database, clock: FakeClock) -> None:
    hosts = await hosts_with_role(db, clock, HOST_ROLE, frozenset())
    assert await hosts.allows(member_click(manage_guild=True))
    assert await hosts.allows(member_click(roles=(HOST_ROLE,)))
    assert not await hosts.allows(member_click(roles=(HOST_ROLE + 1,)))
    with pytest.raises(NotHost):
        await hosts.require(member_click())


async def test_everyone_is_not_a_host_role(db: Database, clock: FakeClock) -> None:
    hosts = await hosts_with_role(db, clock, GUILD, frozenset())  # @everyone's id is the server's
    assert not await hosts.allows(member_click())


async def test_before_the_server_is_cached_discord_is_asked_for_the_roles(db: Database, clock: FakeClock) -> None:
    hosts = await hosts_with_role(db, clock, HOST_ROLE, frozenset({HOST_ROLE}))
    assert await hosts.allows(member_click(cached=False))
    hosts._member_roles.assert_awaited_once_with(GUILD, 7)  # type: ignore[attr-defined]


async def test_a_check_or_autocomplete_without_what_it_reads_says_so() -> None:
    interaction = MagicMock()
    interaction.command.binding = object()
    with pytest.raises(RuntimeError, match="Hosts"):
        await require_host(interaction)


async def test_every_check_and_autocomplete_finds_what_it_reads_on_its_cog(prepared_bot: LoungeBot) -> None:
    bot = prepared_bot
    commands = [c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)]
    host_only = [c for c in commands if require_host in c.checks]
    completed = [c for c in commands if any(p.autocomplete for p in c.parameters)]
    assert len(host_only) >= 10
    assert len(completed) >= 7
    for command in host_only:
        assert isinstance(getattr(command.binding, "hosts", None), Hosts), command.qualified_name
    for command in completed:
        if command.qualified_name.startswith("pledge"):
            continue  # the pledges cog answers its own autocomplete with methods
        assert isinstance(getattr(command.binding, "suggestions", None), Suggestions), command.qualified_name
