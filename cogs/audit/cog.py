"""/audit (hosts): who logged, tied, undid, imported what, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands

from bot.checks import Hosts, is_host
from bot.db import Database
from bot.domain.audit import log as audit
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import reply
from cogs.audit import render

if TYPE_CHECKING:
    pass



class AuditCog(commands.Cog):
    def __init__(self, db: Database, hosts: Hosts) -> None:
        self.db = db
        self.hosts = hosts

    @app_commands.command(name="audit", description="The log of host actions, newest first (hosts only)")
    @app_commands.describe(limit=f"How many entries (1–{audit.MAX_LIMIT}, default 20)")
    @app_commands.guild_only()
    @is_host
    async def audit_log(
        self, interaction: LoungeInteraction, limit: app_commands.Range[int, 1, audit.MAX_LIMIT] = 20
    ) -> None:
        entries = await audit.recent(self.db, guild_id_of(interaction), limit)
        await reply(interaction, render.audit_embed(entries))
