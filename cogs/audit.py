"""/audit (hosts): who logged, tied, undid, imported what, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_host
from bot.db import Database
from bot.domain import audit
from bot.ui import reply
from bot.views import render

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

Interaction = discord.Interaction["LoungeBot"]


class AuditCog(commands.Cog):
    def __init__(self, db: Database) -> None:
        self.db = db

    @app_commands.command(name="audit", description="The log of host actions, newest first (hosts only)")
    @app_commands.describe(limit=f"How many entries (1–{audit.MAX_LIMIT}, default 20)")
    @app_commands.guild_only()
    @is_host
    async def audit_log(
        self, interaction: Interaction, limit: app_commands.Range[int, 1, audit.MAX_LIMIT] = 20
    ) -> None:
        assert interaction.guild_id is not None
        entries = await audit.recent(self.db, interaction.guild_id, limit)
        await reply(interaction, render.audit_embed(entries))


async def setup(bot: LoungeBot) -> None:
    await bot.add_cog(AuditCog(bot.services.db))
