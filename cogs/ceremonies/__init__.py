"""/ceremony: create, import, paste, correct, start, end and status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.autocomplete import Suggestions
from cogs.ceremonies.cog import CeremonyCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    services = bot.services
    await bot.add_cog(CeremonyCog(
        bot, services.ceremonies, services.ceremony_edits, services.settings, bot.hosts, Suggestions(services.db)
    ))
