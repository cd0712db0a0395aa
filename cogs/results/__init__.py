"""/result log, tie, undo and console (hosts): a thin layer over ResultService."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.autocomplete import Suggestions
from cogs.results.cog import ResultsCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    services = bot.services
    await bot.add_cog(ResultsCog(
        bot, services.results, services.console, services.settings, bot.hosts, Suggestions(services.db)
    ))
