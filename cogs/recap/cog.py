"""The night's recap: posted when `/ceremony end` commits (the ``ceremony_ended``
event), and caught up at start-up and every few minutes for a ceremony whose
event was missed (a restart between the end and the recap)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot.domain.recap.service import RecapService

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

log = logging.getLogger(__name__)

CATCH_UP_MINUTES = 5.0


class RecapCog(commands.Cog):
    def __init__(self, bot: LoungeBot, recaps: RecapService) -> None:
        self.bot = bot
        self.recaps = recaps

    async def cog_load(self) -> None:
        self.catch_up.start()

    async def cog_unload(self) -> None:
        self.catch_up.cancel()

    @commands.Cog.listener()
    async def on_ceremony_ended(self, guild_id: int, ceremony_id: int) -> None:
        try:
            posted = await self.recaps.post(guild_id, ceremony_id)
        except Exception:
            log.exception("the recap of ceremony %s in guild %s failed; the catch-up will retry", ceremony_id, guild_id)
            return
        if posted is not None:
            log.info("queued the recap of ceremony %s for guild %s", ceremony_id, guild_id)

    @tasks.loop(minutes=CATCH_UP_MINUTES)
    async def catch_up(self) -> None:
        try:
            posted = await self.recaps.post_missing()
        except Exception:
            log.exception("catching up missed recaps failed; trying again later")
            return
        for recap in posted:
            log.info("queued a missed recap: ceremony %s, guild %s", recap.ceremony_id, recap.guild_id)

    @catch_up.before_loop
    async def _before_catch_up(self) -> None:
        await self.bot.wait_until_ready()
