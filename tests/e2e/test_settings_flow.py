"""A host sets the lounge up; members can look but not touch; sync happens only when needed."""

from __future__ import annotations

from standin import Permissions
from tests.e2e.harness import Lounge


async def test_commands_are_synced_to_the_server_once(lounge: Lounge) -> None:
    assert lounge.standin.commands.guild_sync_counts.get(lounge.guild.id) == 1
    await lounge.restart_bot()
    assert lounge.standin.commands.guild_sync_counts.get(lounge.guild.id) == 1
    assert lounge.running_bot.synced_commands is False


async def test_a_host_sets_the_announcement_channel_and_sees_it(lounge: Lounge) -> None:
    saved = await lounge.host.slash("settings set", announcement_channel=lounge.announcements, goal="50,000")
    assert saved.ephemeral
    assert saved.embeds[0]["title"] == "Settings saved"
    shown = await lounge.host.slash("settings show")
    fields = {field["name"]: field["value"] for field in shown.embeds[0]["fields"]}
    assert fields["Announcement channel"] == f"<#{lounge.announcements.id}>"
    assert fields["Goal"] == "$50,000.00"
    assert fields["Charity"] == "World Wide Orphans"


async def test_a_member_with_the_host_role_counts_as_a_host(lounge: Lounge) -> None:
    hosts = lounge.guild.create_role("Hosts")
    await lounge.host.slash("settings set", host_role=hosts)
    cohost = lounge.guild.add_member("Cora Cohost", roles=[hosts])
    saved = await cohost.slash("settings set", charity_name="World Wide Orphans Fund")
    assert saved.embeds[0]["title"] == "Settings saved"


async def test_a_member_cannot_change_settings_and_nothing_changes(lounge: Lounge) -> None:
    ada = lounge.member("Ada")
    refused = await ada.slash("settings set", goal="1")
    assert refused.ephemeral
    assert "Only hosts" in refused.embeds[0]["description"]
    shown = await ada.slash("settings show")
    fields = {field["name"]: field["value"] for field in shown.embeds[0]["fields"]}
    assert fields["Goal"] == "$30,000.00"


async def test_bad_input_gets_an_ephemeral_error_and_changes_nothing(lounge: Lounge) -> None:
    for goal in ("-5", "1e6", "lots", "10.555", "0"):
        refused = await lounge.host.slash("settings set", goal=goal)
        assert refused.ephemeral, goal
        assert refused.embeds[0]["title"] == "Check your input", goal
    shown = await lounge.host.slash("settings show")
    fields = {field["name"]: field["value"] for field in shown.embeds[0]["fields"]}
    assert fields["Goal"] == "$30,000.00"


async def test_settings_show_warns_when_the_bot_cannot_manage_the_loser_role(lounge: Lounge) -> None:
    high_role = lounge.guild.create_role("Above the bot", above_bot=True)
    await lounge.host.slash("settings set", loser_role=high_role)
    shown = await lounge.host.slash("settings show")
    warnings = {field["name"]: field["value"] for field in shown.embeds[0]["fields"]}["⚠️ Needs attention"]
    assert "above the bot's highest role" in warnings


async def test_managed_roles_and_everyone_are_refused(lounge: Lounge) -> None:
    refused = await lounge.host.slash("settings set", loser_role=lounge.guild.everyone)
    assert refused.ephemeral
    assert "can't be used" in refused.embeds[0]["description"]


async def test_the_member_permissions_flag_manage_guild_makes_a_host(lounge: Lounge) -> None:
    admin = lounge.member("Adi Admin", permissions=Permissions.administrator)
    saved = await admin.slash("settings set", spoiler_safe=True)
    assert saved.embeds[0]["title"] == "Settings saved"
