"""The loop behind automatic backups: no commands, one tick every ``BACKUP_EVERY_MINUTES``."""

from __future__ import annotations

import logging

from discord.ext import commands, tasks

from bot.ops.backups import AutomaticBackups

log = logging.getLogger(__name__)


class BackupCog(commands.Cog):
    def __init__(self, backups: AutomaticBackups, *, every_minutes: int) -> None:
        self.backups = backups
        self.every_minutes = every_minutes

    async def cog_load(self) -> None:
        self.tick.change_interval(minutes=self.every_minutes)
        self.tick.start()

    async def cog_unload(self) -> None:
        self.tick.cancel()
        await self.backups.close()  # a backup in progress stops and leaves nothing behind

    @tasks.loop(minutes=1)
    async def tick(self) -> None:
        if self.tick.current_loop == 0:
            return  # the first backup comes one interval after start-up, not during it
        try:
            await self.backups.tick()
        except Exception:  # never let one bad tick stop the backups of the rest of the night
            log.exception("automatic backup tick failed")
