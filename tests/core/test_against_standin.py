"""Starting the bot against the stand-in, in this process: it connects as `python -m bot` would,
a bot that cannot start says so at once, and stopping it puts discord.py's addresses back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import discord.gateway
import discord.http
import pytest

from bot.against_standin import BotDidNotStart, BotInProcess, bot_environment, standin_settings
from bot.db import DatabaseTooNew
from standin import StandIn


def addresses() -> tuple[str, object]:
    return discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


async def test_the_bot_connects_and_stopping_puts_discords_addresses_back(standin: StandIn, tmp_path: Path) -> None:
    guild = standin.create_guild("Emmy Night")
    before = addresses()
    run = BotInProcess(standin_settings(standin, tmp_path / "lounge.db", token=standin.token, guild_id=guild.id))
    bot = await run.start(standin, synced=guild)
    assert run.running
    assert standin.api_base == discord.http.Route.BASE
    assert bot.get_guild(guild.id) is not None
    await run.stop()
    assert not run.running
    assert run.failure() is None
    assert addresses() == before


async def test_a_bot_that_cannot_start_says_so_at_once(standin: StandIn, tmp_path: Path) -> None:
    database = tmp_path / "lounge.db"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA user_version = 999")  # written by a newer bot
    before = addresses()
    run = BotInProcess(standin_settings(standin, database, token=standin.token, guild_id=None))
    with pytest.raises(BotDidNotStart) as failed:
        await run.start(standin, within=30)
    assert isinstance(failed.value.__cause__, DatabaseTooNew)
    assert standin.gateway.identify_count == 0
    assert addresses() == before


def test_a_bot_process_gets_only_the_settings_given(standin: StandIn, tmp_path: Path) -> None:
    inherited = {"PATH": "/usr/bin", "DISCORD_TOKEN": "a developer's", "DEV_GUILD_ID": "1", "LOG_LEVEL": "DEBUG"}
    env = bot_environment(standin, tmp_path / "lounge.db", token="t", guild_id=None, inherited=inherited)
    assert env == {"PATH": "/usr/bin", "DISCORD_TOKEN": "t", "DATABASE_PATH": str(tmp_path / "lounge.db"),
                   "DISCORD_API_BASE": standin.api_base, "DISCORD_GATEWAY_URL": standin.gateway_url,
                   "LOG_LEVEL": "WARNING"}
