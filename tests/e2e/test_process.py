"""`python -m bot` as a host runs it: a real process, configured only through its environment."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from standin import Permissions, StandIn


def bot_environment(standin: StandIn, tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "DATABASE_", "DEV_"))}
    env.update(
        DISCORD_TOKEN="test-token",
        DATABASE_PATH=str(tmp_path / "lounge.db"),
        DISCORD_API_BASE=standin.api_base,
        DISCORD_GATEWAY_URL=standin.gateway_url,
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


async def finish(process: asyncio.subprocess.Process, seconds: float = 30) -> bytes:
    """Wait for the process to exit; kill it (and fail) if it hangs, so no test leaves a bot behind."""
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=seconds)
    except TimeoutError:
        process.kill()
        await process.communicate()
        raise AssertionError(f"the bot did not exit within {seconds} s") from None
    return stderr


async def start_bot_process(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_a_token_discord_refuses_gets_one_clear_sentence(standin: StandIn, tmp_path: Path) -> None:
    process = await start_bot_process(bot_environment(standin, tmp_path, DISCORD_TOKEN="wrong-token"), tmp_path)
    stderr = await finish(process)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert lines == [lines[0]]
    assert lines[0].startswith("Discord refused DISCORD_TOKEN")


async def test_the_process_serves_members_and_stops_cleanly_on_sigterm(standin: StandIn, tmp_path: Path) -> None:
    guild = standin.create_guild("Emmy Night")
    host = guild.add_member("Hana Host", permissions=Permissions.manage_guild)
    env = bot_environment(standin, tmp_path, DEV_GUILD_ID=str(guild.id))
    process = await start_bot_process(env, tmp_path)
    try:
        await standin.wait_until_ready(timeout=30)
        await standin.wait_for_commands_synced(guild, timeout=10)
        saved = await host.slash("settings set", charity_name="World Wide Orphans")
        assert saved.embeds[0]["title"] == "Settings saved"
    finally:
        process.send_signal(signal.SIGTERM)
        stderr = await finish(process)
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert (tmp_path / "lounge.db").exists()


async def test_global_sync_when_no_dev_guild_is_set(standin: StandIn, tmp_path: Path) -> None:
    guild = standin.create_guild("Emmy Night")
    member = guild.add_member("Ada")
    process = await start_bot_process(bot_environment(standin, tmp_path), tmp_path)
    try:
        await standin.wait_until_ready(timeout=30)
        await standin.wait_for_commands_synced(timeout=10)
        assert standin.commands.global_sync_count == 1
        shown = await member.slash("settings show")
        assert shown.ephemeral
    finally:
        process.send_signal(signal.SIGINT)
        await finish(process)
    assert process.returncode == 0
