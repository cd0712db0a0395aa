"""/ceremony create, import, start, end and status: a thin layer over CeremonyService."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.ceremonies.cog import CeremonyCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(CeremonyCog(bot, bot.services.ceremonies, bot.services.settings, bot.hosts))
