"""The night's recap: posted when `/ceremony end` commits (the ``ceremony_ended``
event), and caught up at start-up and every few minutes for a ceremony whose
event was missed (a restart between the end and the recap)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.recap.cog import RecapCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(RecapCog(bot, bot.services.recaps))
