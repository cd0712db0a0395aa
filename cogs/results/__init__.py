"""/result log, tie and undo (hosts): a thin layer over ResultService."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.autocomplete import Suggestions
from cogs.results.cog import ResultsCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(ResultsCog(bot, bot.services.results, bot.hosts, Suggestions(bot.services.db)))
