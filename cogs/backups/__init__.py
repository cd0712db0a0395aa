"""Automatic backups while a ceremony is live, when ``BACKUP_EVERY_MINUTES`` is set (off by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ops.backups import AutomaticBackups
from cogs.backups.cog import BackupCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    every = bot.config.backup_every_minutes
    if every is None:
        return
    backups = AutomaticBackups(
        bot.config.database_path, keep=bot.config.backup_keep, clock=bot.clock,
        ceremonies=bot.services.ceremonies, alerts=bot.services.alerts,
    )
    await bot.add_cog(BackupCog(backups, every_minutes=every))
