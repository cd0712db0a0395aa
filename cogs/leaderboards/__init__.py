"""/leaderboard show and /leaderboard post, and the boards posted while the show is live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.leaderboards.cog import LeaderboardCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(LeaderboardCog(
        bot, bot.services.leaderboards, bot.services.schedule, bot.services.settings, bot.hosts
    ))
