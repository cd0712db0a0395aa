"""/ceremony create, import, start, end and status: a thin layer over CeremonyService.

The state machine is draft → live → ended. `/ceremony end` asks for confirmation
with persistent buttons; after the end is committed the bot dispatches
``ceremony_ended(guild_id, ceremony_id)`` for the recap (leaderboards).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import Hosts, is_host
from bot.domain.ceremonies.files import LIMITS_TEXT, MAX_FILE_BYTES, parse_ceremony_file
from bot.domain.ceremonies.service import MAX_CEREMONY_NAME, MAX_YEAR, MIN_YEAR, CeremonyService, require_state
from bot.domain.errors import InvalidInput
from bot.domain.settings.service import SettingsService
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import reply, respond
from cogs.ceremonies import render
from cogs.ceremonies.buttons import EndButtons

if TYPE_CHECKING:
    from bot.lounge import LoungeBot



@app_commands.guild_only()
class CeremonyCog(commands.GroupCog, group_name="ceremony", group_description="The Emmy night: create, import, run"):
    def __init__(
        self, bot: LoungeBot, ceremonies: CeremonyService, settings: SettingsService, hosts: Hosts
    ) -> None:
        self.bot = bot
        self.ceremonies = ceremonies
        self.settings = settings
        self.hosts = hosts
        self.end_buttons = EndButtons(ceremonies, hosts, self.ended)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self.end_buttons.items)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self.end_buttons.items)

    def ended(self, guild_id: int, ceremony_id: int) -> None:
        """An end was committed: the recap (leaderboards) listens for this."""
        self.bot.dispatch("ceremony_ended", guild_id, ceremony_id)

    @app_commands.command(name="create", description="Create a ceremony (a draft), now this server's current one")
    @app_commands.describe(name="e.g. 66th Primetime Emmy Awards", year="The year of the ceremony")
    @is_host
    async def create(
        self,
        interaction: LoungeInteraction,
        name: app_commands.Range[str, 1, MAX_CEREMONY_NAME],
        year: app_commands.Range[int, MIN_YEAR, MAX_YEAR],
    ) -> None:
        ceremony = await self.ceremonies.create(guild_id_of(interaction), actor_id=interaction.user.id, name=name,
                                                year=year)
        await reply(interaction, render.ceremony_created(ceremony))

    @app_commands.command(name="import", description="Attach the nominees (JSON or CSV) to the draft ceremony")
    @app_commands.describe(file=f"JSON like emmys-2014.json, or CSV category,nominee,show ({LIMITS_TEXT})"[:100])
    @is_host
    async def import_(self, interaction: LoungeInteraction, file: discord.Attachment) -> None:
        if file.size > MAX_FILE_BYTES:
            raise InvalidInput(f"That file is {file.size:,} bytes; the limit is {MAX_FILE_BYTES:,} ({LIMITS_TEXT}).")
        await respond(interaction, interaction.response.defer(ephemeral=True, thinking=True))
        data = await file.read()
        parsed = parse_ceremony_file(data, file.filename)
        summary = await self.ceremonies.import_nominees(
            guild_id_of(interaction), actor_id=interaction.user.id, parsed=parsed, filename=file.filename,
        )
        await reply(interaction, render.import_done(summary))

    @app_commands.command(name="start", description="Go live: post the opening announcement")
    @is_host
    async def start(self, interaction: LoungeInteraction) -> None:
        ceremony = await self.ceremonies.start(
            guild_id_of(interaction), actor_id=interaction.user.id, channel_id=interaction.channel_id
        )
        await reply(interaction, render.ceremony_started(ceremony))

    @app_commands.command(name="end", description="Close the night and post the recap (asks to confirm)")
    @is_host
    async def end(self, interaction: LoungeInteraction) -> None:
        status = await self.ceremonies.status(guild_id_of(interaction))
        ceremony = status.ceremony
        require_state(ceremony, "live", doing="end the ceremony")
        await reply(interaction, render.confirm_end(ceremony, status),
                    view=self.end_buttons.view(guild_id_of(interaction), ceremony.id))

    @app_commands.command(name="status", description="What has been announced, what's left, how many picks are in")
    async def status(self, interaction: LoungeInteraction) -> None:
        current = await self.ceremonies.status(guild_id_of(interaction))
        spoiler = (await self.settings.get(guild_id_of(interaction))).spoiler_safe
        await reply(interaction, render.status_embed(current, spoiler=spoiler))
