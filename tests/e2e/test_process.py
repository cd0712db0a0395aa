"""`python -m bot` as a host runs it: a real process, configured only through its environment."""

from __future__ import annotations

import signal
from pathlib import Path

from bot.against_standin import BotProcess, bot_environment
from standin import Permissions, StandIn


def bot_process(
    standin: StandIn, tmp_path: Path, *, guild_id: int | None = None, token: str | None = None
) -> BotProcess:
    env = bot_environment(standin, tmp_path / "lounge.db", token=token or standin.token, guild_id=guild_id)
    return BotProcess(env, tmp_path)


async def test_a_token_discord_refuses_gets_one_clear_sentence(standin: StandIn, tmp_path: Path) -> None:
    process = bot_process(standin, tmp_path, token="wrong-token")
    await process.start()
    exited = await process.finish()
    assert exited.code == 2
    lines = exited.stderr.strip().splitlines()
    assert lines == [lines[0]]
    assert lines[0].startswith("Discord refused DISCORD_TOKEN")


async def test_the_process_serves_members_and_stops_cleanly_on_sigterm(standin: StandIn, tmp_path: Path) -> None:
    guild = standin.create_guild("Emmy Night")
    host = guild.add_member("Hana Host", permissions=Permissions.manage_guild)
    process = bot_process(standin, tmp_path, guild_id=guild.id)
    await process.start()
    try:
        await standin.wait_until_ready(timeout=30)
        await standin.wait_for_commands_synced(guild, timeout=10)
        saved = await host.slash("settings set", charity_name="World Wide Orphans")
        assert saved.embeds[0]["title"] == "Settings saved"
    finally:
        process.send_signal(signal.SIGTERM)
        exited = await process.finish()
    assert exited.code == 0, exited.stderr
    assert "Traceback" not in exited.stderr
    assert (tmp_path / "lounge.db").exists()


async def test_global_sync_when_no_dev_guild_is_set(standin: StandIn, tmp_path: Path) -> None:
    guild = standin.create_guild("Emmy Night")
    member = guild.add_member("Ada")
    process = bot_process(standin, tmp_path)
    await process.start()
    try:
        await standin.wait_until_ready(timeout=30)
        await standin.wait_for_commands_synced(timeout=10)
        assert standin.commands.global_sync_count == 1
        shown = await member.slash("settings show")
        assert shown.ephemeral
    finally:
        process.send_signal(signal.SIGINT)
        exited = await process.finish()
    assert exited.code == 0
