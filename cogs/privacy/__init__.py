"""/privacy forget-me: a member takes their data out of this server's lounge,
after confirming with a button (only they see the prompt)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.privacy.cog import PrivacyCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(PrivacyCog(bot, bot.services.privacy, bot.services.clock))
