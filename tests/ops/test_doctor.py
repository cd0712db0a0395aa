"""`python -m bot doctor` against the stand-in: a server set up right passes, and each thing a host can get
wrong — a channel the bot cannot post in, the role order, stale commands, a diverted endpoint — is a finding."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import discord.gateway
import discord.http
import pytest

from bot.config import Settings
from bot.db import latest_version
from bot.db.lock import DatabaseLock
from bot.ops.doctor import DoctorError, Finding, Level, examine, failed
from standin import Permissions, StandIn
from tests.e2e.harness import TOKEN, Lounge, open_lounge


@pytest.fixture
def restore_endpoints() -> Iterator[None]:
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


@pytest.fixture
async def lounge(standin: StandIn, tmp_path: Path, restore_endpoints: None) -> AsyncIterator[Lounge]:
    """Emmy Night with #announcements, #leaderboards and a Loser role, set up by its host; the bot running."""
    the_lounge = await open_lounge(standin, tmp_path)
    try:
        await the_lounge.standin.wait_for_commands_synced(the_lounge.guild)
        await the_lounge.setup_lounge()
        yield the_lounge
    finally:
        await the_lounge.stop_bot()


def doctor_settings(standin: StandIn, database: Path, *, dev_guild_id: int | None) -> Settings:
    return Settings(discord_token=TOKEN, database_path=database, dev_guild_id=dev_guild_id, log_level="INFO",
                    discord_api_base=standin.api_base, discord_gateway_url=standin.gateway_url)


def about(findings: list[Finding], rule: str, guild_id: int | None = None) -> list[Finding]:
    return [f for f in findings if f.rule == rule and (guild_id is None or f.guild_id == guild_id)]


def only(findings: list[Finding], rule: str, guild_id: int | None = None) -> Finding:
    (finding,) = about(findings, rule, guild_id)
    return finding


async def test_a_server_set_up_right_passes_every_check(lounge: Lounge) -> None:
    findings = await examine(lounge.settings())
    assert not failed(findings), "\n".join(f.line() for f in findings)
    assert [f.rule for f in findings if f.level is Level.WARN] == []
    guild = lounge.guild.id
    assert only(findings, "token_valid").level is Level.OK
    assert only(findings, "intents").level is Level.OK
    assert only(findings, "database").facts == {"version": latest_version(), "running": True}
    assert only(findings, "commands_synced", guild).level is Level.OK
    channels = {f.facts["kind"]: f.facts["channel_id"] for f in about(findings, "channel_ok", guild)}
    assert channels == {"announcement": lounge.announcements.id, "leaderboard": lounge.leaderboards.id}
    assert only(findings, "loser_role_ok", guild).facts["role_id"] == lounge.loser_role.id
    assert all(f.line().startswith("ok    ") for f in findings)


async def test_an_announcement_channel_the_bot_cannot_send_in(lounge: Lounge) -> None:
    lounge.announcements.set_permissions(lounge.guild.bot_member, deny=Permissions.send_messages)
    findings = await examine(lounge.settings())
    problem = only(findings, "channel_permissions", lounge.guild.id)
    assert problem.level is Level.FAIL
    assert problem.facts["kind"] == "announcement"
    assert problem.facts["missing"][0] == "Send Messages"  # and so neither embeds nor files
    assert failed(findings)


async def test_a_leaderboard_channel_hidden_from_the_bot(lounge: Lounge) -> None:
    lounge.leaderboards.set_permissions(lounge.guild.everyone, deny=Permissions.view_channel)
    findings = await examine(lounge.settings())
    problem = only(findings, "channel_permissions", lounge.guild.id)
    assert problem.facts["kind"] == "leaderboard"
    assert problem.facts["missing"] == ["View Channel", "Send Messages", "Embed Links", "Attach Files"]


async def test_a_channel_where_the_bot_may_post_but_not_embed_or_attach(lounge: Lounge) -> None:
    bot_role = lounge.guild.bot_role
    lounge.announcements.set_permissions(bot_role, deny=Permissions.embed_links | Permissions.attach_files)
    findings = await examine(lounge.settings())
    assert only(findings, "channel_permissions", lounge.guild.id).facts["missing"] == ["Embed Links", "Attach Files"]


async def test_a_deleted_announcement_channel(lounge: Lounge) -> None:
    lounge.guild.delete_channel(lounge.announcements)
    findings = await examine(lounge.settings())
    problem = only(findings, "channel_missing", lounge.guild.id)
    assert (problem.level, problem.facts["kind"]) == (Level.FAIL, "announcement")


async def test_the_loser_role_above_the_bots_role(lounge: Lounge) -> None:
    lounge.loser_role.position = max(role.position for role in lounge.guild.roles.values()) + 1
    findings = await examine(lounge.settings())
    assert only(findings, "loser_role_above_bot", lounge.guild.id).level is Level.FAIL
    assert about(findings, "loser_role_ok") == []


async def test_a_bot_without_manage_roles(lounge: Lounge) -> None:
    lounge.guild.bot_role.permissions &= ~Permissions.manage_roles
    findings = await examine(lounge.settings())
    assert only(findings, "manage_roles_missing", lounge.guild.id).level is Level.FAIL


async def test_a_deleted_loser_role(lounge: Lounge) -> None:
    del lounge.guild.roles[lounge.loser_role.id]
    findings = await examine(lounge.settings())
    assert only(findings, "loser_role_missing", lounge.guild.id).facts["role_id"] == lounge.loser_role.id


async def test_a_second_server_gets_no_commands_while_they_are_synced_to_dev_guild_id(lounge: Lounge) -> None:
    other = lounge.standin.create_guild("Watch Party")
    findings = await examine(lounge.settings())
    assert only(findings, "commands_elsewhere", other.id).level is Level.FAIL
    assert only(findings, "announcement_channel_unset", other.id).level is Level.WARN
    assert only(findings, "loser_role_unset", other.id).level is Level.WARN
    assert only(findings, "commands_synced", lounge.guild.id).level is Level.OK


async def test_commands_changed_on_discord_after_the_bot_recorded_its_sync(lounge: Lounge) -> None:
    await lounge.stop_bot()
    standin = lounge.standin
    kept = [command for (name, _type), command in standin.commands.guild_commands[lounge.guild.id].items()
            if name != "pledge"]
    standin.commands.overwrite(lounge.guild.id, kept)  # e.g. removed by hand, or by another copy of the bot
    findings = await examine(lounge.settings())
    problem = only(findings, "commands_stale_record", lounge.guild.id)
    assert problem.level is Level.FAIL
    assert problem.facts["missing"] == ["pledge"]
    assert "DELETE FROM bot_state" in problem.text


async def test_commands_never_synced_are_a_warning_until_a_bot_runs_without_syncing_them(
    standin: StandIn, tmp_path: Path, restore_endpoints: None
) -> None:
    guild = standin.create_guild("Emmy Night")
    settings = doctor_settings(standin, tmp_path / "lounge.db", dev_guild_id=guild.id)
    findings = await examine(settings)
    assert only(findings, "no_database").level is Level.WARN
    assert only(findings, "commands_not_synced", guild.id).level is Level.WARN
    held = DatabaseLock.acquire(settings.database_path)  # as a bot that has not synced them would
    try:
        findings = await examine(settings)
    finally:
        held.release()
    assert only(findings, "commands_not_synced", guild.id).level is Level.FAIL


async def test_global_commands_and_copies_left_in_a_server(lounge: Lounge) -> None:
    await lounge.stop_bot()
    other = lounge.standin.create_guild("Watch Party")
    await lounge.start_bot_for_every_server()
    settings = dataclasses.replace(lounge.settings(), dev_guild_id=None)
    findings = await examine(settings)
    assert only(findings, "commands_synced").guild_id is None
    assert only(findings, "commands_global", other.id).level is Level.OK
    # the guild copies of the earlier DEV_GUILD_ID sync are still in Emmy Night
    twice = only(findings, "commands_twice", lounge.guild.id)
    assert twice.level is Level.WARN
    assert "pledge" in twice.facts["names"]


async def test_an_interactions_endpoint_url_diverts_every_command(lounge: Lounge) -> None:
    lounge.standin.world.interactions_endpoint_url = "https://example.com/interactions"
    findings = await examine(lounge.settings())
    assert only(findings, "interactions_endpoint_url").level is Level.FAIL


async def test_a_privileged_intent_the_application_does_not_have(lounge: Lounge) -> None:
    wanting_members = discord.Intents(guilds=True, members=True)
    findings = await examine(lounge.settings(), intents=wanting_members)
    assert only(findings, "intent_not_enabled").facts["intent"] == "members"
    lounge.standin.world.application_flags = 1 << 15  # GATEWAY_GUILD_MEMBERS_LIMITED: enabled on the Bot page
    findings = await examine(lounge.settings(), intents=wanting_members)
    assert about(findings, "intent_not_enabled") == []
    assert only(findings, "intents").facts["intent"] == "members"


async def test_a_bot_in_no_server_and_a_dev_guild_it_is_not_in(
    standin: StandIn, tmp_path: Path, restore_endpoints: None
) -> None:
    settings = doctor_settings(standin, tmp_path / "lounge.db", dev_guild_id=None)
    findings = await examine(settings)
    assert only(findings, "no_servers").level is Level.FAIL
    findings = await examine(dataclasses.replace(settings, dev_guild_id=123_456_789_012_345_678))
    assert only(findings, "dev_guild_unknown").level is Level.FAIL


async def test_a_database_from_a_newer_bot(lounge: Lounge) -> None:
    await lounge.stop_bot()
    connection = sqlite3.connect(lounge.database_path)
    connection.execute(f"PRAGMA user_version = {latest_version() + 1}")
    connection.close()
    findings = await examine(lounge.settings())
    assert only(findings, "database_too_new").level is Level.FAIL


async def test_a_token_discord_refuses(lounge: Lounge) -> None:
    with pytest.raises(DoctorError) as refused:
        await examine(dataclasses.replace(lounge.settings(), discord_token="not-the-token"))
    assert (refused.value.reason, refused.value.exit_code) == ("token_refused", 2)


def change_settings(lounge: Lounge, **columns: int) -> None:
    """What /settings set cannot do, written straight into the database (an old bot, a hand edit)."""
    connection = sqlite3.connect(lounge.database_path)
    try:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        connection.execute(f"UPDATE guild_settings SET {assignments} WHERE guild_id = ?",  # noqa: S608
                           (*columns.values(), lounge.guild.id))
        connection.commit()
    finally:
        connection.close()


async def test_an_announcement_channel_that_is_a_category(lounge: Lounge) -> None:
    category = lounge.guild.create_category("Information")
    change_settings(lounge, announcement_channel_id=category.id)
    findings = await examine(lounge.settings())
    assert only(findings, "channel_not_text", lounge.guild.id).facts["channel_id"] == category.id


async def test_a_loser_role_that_belongs_to_an_integration(lounge: Lounge) -> None:
    change_settings(lounge, loser_role_id=lounge.guild.bot_role.id)
    findings = await examine(lounge.settings())
    assert only(findings, "loser_role_managed", lounge.guild.id).level is Level.FAIL


async def test_a_deleted_host_role(lounge: Lounge) -> None:
    hosts = lounge.guild.create_role("Hosts")
    await lounge.host.slash("settings set", host_role=hosts)
    del lounge.guild.roles[hosts.id]
    findings = await examine(lounge.settings())
    assert only(findings, "host_role_missing", lounge.guild.id).level is Level.WARN
    assert not failed(findings)


@pytest.mark.allow_violations
async def test_a_bot_invited_without_the_commands_scope(lounge: Lounge) -> None:
    standin = lounge.standin
    route = f"GET /applications/{standin.application_id}/guilds/{lounge.guild.id}/commands"
    standin.faults.fail_next(route, status=403)  # Missing Access: what Discord answers without that scope
    findings = await examine(lounge.settings())
    assert only(findings, "no_commands_scope", lounge.guild.id).level is Level.FAIL


@pytest.mark.allow_violations
async def test_a_server_discord_will_not_describe_is_reported_and_the_others_still_checked(lounge: Lounge) -> None:
    other = lounge.standin.create_guild("Watch Party")
    lounge.standin.faults.fail_next(f"GET /guilds/{lounge.guild.id}", status=404)
    findings = await examine(lounge.settings())
    assert only(findings, "server_unreadable", lounge.guild.id).facts["status"] == 404
    assert only(findings, "commands_elsewhere", other.id).level is Level.FAIL
