"""Every extension loads, and no two commands share a name."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.config import Settings
from bot.lounge import LoungeBot, extension_names


def offline_settings(tmp_path: Path) -> Settings:
    return Settings(
        discord_token="unused-offline-token-000000",
        database_path=tmp_path / "lounge.db",
        dev_guild_id=None,
        log_level="INFO",
        discord_api_base="http://127.0.0.1:9/api/v10",
        discord_gateway_url="ws://127.0.0.1:9/gateway",
    )


async def test_every_extension_loads_and_command_names_are_unique(tmp_path: Path) -> None:
    bot = LoungeBot(offline_settings(tmp_path))
    try:
        await bot.prepare()
        assert set(bot.extensions) == set(extension_names())
        assert "cogs.settings" in bot.extensions
        names = [command.qualified_name for command in bot.tree.walk_commands()]
        duplicates = [name for name, count in Counter(names).items() if count > 1]
        assert duplicates == []
        top_level = [command.name for command in bot.tree.get_commands()]
        assert len(top_level) == len(set(top_level))
    finally:
        await bot.close()
