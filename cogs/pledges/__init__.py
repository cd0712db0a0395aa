"""/pledge: pledging to the server's charity. A thin layer over PledgeService."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.pledges.cog import PledgeCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(PledgeCog(bot.services.pledges, bot.hosts))
