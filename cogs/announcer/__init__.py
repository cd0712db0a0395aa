"""Delivers the outbox: announcements to their channels and role changes to members."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.announcer.cog import Announcer

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    services = bot.services
    await bot.add_cog(
        Announcer(bot, services.db, services.outbox, services.settings, services.alerts, services.clock)
    )
