"""Sync the command tree only when its schema changed: Discord rate-limits syncs."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.db import Database, Transaction

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

log = logging.getLogger(__name__)


def command_schema(bot: LoungeBot, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
    commands = bot.tree.get_commands(guild=guild)
    return sorted((command.to_dict(bot.tree) for command in commands), key=lambda item: str(item["name"]))


def schema_digest(schema: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


async def sync_if_changed(bot: LoungeBot, db: Database, dev_guild_id: int | None) -> bool:
    """Sync to `dev_guild_id` (instant) or globally; return whether a sync was sent."""
    guild = discord.Object(id=dev_guild_id) if dev_guild_id is not None else None
    if guild is not None:
        bot.tree.copy_global_to(guild=guild)
    digest = schema_digest(command_schema(bot, guild))
    scope = f"guild:{dev_guild_id}" if dev_guild_id is not None else "global"
    key = f"command_schema:{bot.application_id}:{scope}"
    if await db.fetch_value("SELECT value FROM bot_state WHERE key = ?", (key,)) == digest:
        log.info("command schema unchanged (%s); not syncing", scope)
        return False
    synced = await bot.tree.sync(guild=guild)
    log.info("synced %d commands (%s)", len(synced), scope)

    async def remember(tx: Transaction) -> None:
        await tx.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, digest),
        )

    await db.write(remember)
    return True
