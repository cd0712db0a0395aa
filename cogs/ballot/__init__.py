"""/ballot (members): every pick of the night from select menus, a page of categories at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.autocomplete import Suggestions
from cogs.ballot.cog import BallotCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(BallotCog(bot, bot.services.ballots, Suggestions(bot.services.db)))
