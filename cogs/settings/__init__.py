"""/settings show and /settings set: a thin layer over SettingsService."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.settings.cog import SettingsCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(SettingsCog(bot.services.settings, bot.services.alerts, bot.services.outbox, bot.hosts))
