"""/nominee claim|unclaim, /pick, /picks and /loser declare|card|roster: a thin layer over LoserService."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.autocomplete import Suggestions
from cogs.losers.cog import LosersCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(LosersCog(bot, bot.services.losers, bot.services.settings, Suggestions(bot.services.db)))
