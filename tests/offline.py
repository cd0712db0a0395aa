"""Settings for a bot that is prepared but never goes online: nothing listens where it points."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings


def offline_settings(tmp_path: Path) -> Settings:
    return Settings(
        discord_token="unused-offline-token-000000",
        database_path=tmp_path / "lounge.db",
        dev_guild_id=None,
        log_level="INFO",
        discord_api_base="http://127.0.0.1:9/api/v10",  # nothing listens there: nothing may go out
        discord_gateway_url="ws://127.0.0.1:9/gateway",
    )
