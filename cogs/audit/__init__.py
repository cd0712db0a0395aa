"""/audit (hosts): who logged, tied, undid, imported what, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.audit.cog import AuditCog

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(AuditCog(bot.services.db, bot.hosts))
