"""/result log, tie and undo (hosts): a thin layer over ResultService.

`/result log` commits the result and its announcement first, then settles losses,
picks, roles and the winner's tax in the next commit (see bot/domain/results/service.py);
results a crash left unsettled are settled when the cog loads. `/result undo` asks for confirmation with
persistent buttons that carry the category and result ids. `/result console` is the same
night in clicks (cogs/results/console.py): the next open category's nominees as buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import autocomplete
from bot.autocomplete import Suggestions
from bot.checks import Hosts, is_host
from bot.domain.results.console import ConsoleService
from bot.domain.results.service import ResultService
from bot.domain.settings.service import SettingsService
from bot.embeds import Colour, Embed
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import NO_PINGS, reply, respond, to_discord
from cogs.results import render
from cogs.results.buttons import UndoButtons
from cogs.results.console import ConsoleUI

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

# Autocomplete sends short ids; a typed label can reach ~610 characters (name, show, episode).
Text = app_commands.Range[str, 1, 700]


@app_commands.guild_only()
class ResultsCog(commands.GroupCog, group_name="result", group_description="Log the Emmy results as they're read out"):
    def __init__(
        self, bot: LoungeBot, results: ResultService, console: ConsoleService, settings: SettingsService,
        hosts: Hosts, suggestions: Suggestions,
    ) -> None:
        self.bot = bot
        self.results = results
        self.hosts = hosts
        self.suggestions = suggestions
        self.undo_buttons = UndoButtons(results, hosts)
        self.console = console
        self.settings = settings
        self.console_ui = ConsoleUI(console, hosts)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self.undo_buttons.items, self.console_ui.button_item)
        await self.results.settle_pending()  # results a crash left recorded but unsettled

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self.undo_buttons.items, self.console_ui.button_item)

    @app_commands.command(name="log", description="Log the winner of a category (losses, picks, tax, announcement)")
    @app_commands.describe(category="The category just announced", winner="Who won")
    @app_commands.autocomplete(category=autocomplete.open_category, winner=autocomplete.any_nominee)
    @is_host
    async def log(self, interaction: LoungeInteraction, category: Text, winner: Text) -> None:
        await respond(interaction, interaction.response.defer(ephemeral=True))
        report = await self.results.log(
            guild_id_of(interaction), actor_id=interaction.user.id, category=category, winner=winner
        )
        await reply(interaction, render.result_logged(report))

    @app_commands.command(name="tie", description="Add one more winner to a category already logged")
    @app_commands.describe(category="A category with a logged result", nominee="The other winner")
    @app_commands.autocomplete(category=autocomplete.logged_category, nominee=autocomplete.not_winning_nominee)
    @is_host
    async def tie(self, interaction: LoungeInteraction, category: Text, nominee: Text) -> None:
        await respond(interaction, interaction.response.defer(ephemeral=True))
        report = await self.results.tie(
            guild_id_of(interaction), actor_id=interaction.user.id, category=category, nominee=nominee
        )
        await reply(interaction, render.result_logged(report, tie=True))

    @app_commands.command(name="undo", description="Take a category's whole result back (asks to confirm)")
    @app_commands.describe(category="A category with a logged result")
    @app_commands.autocomplete(category=autocomplete.logged_category)
    @is_host
    async def undo(self, interaction: LoungeInteraction, category: Text) -> None:
        logged = await self.results.logged(guild_id_of(interaction), category)
        view = self.undo_buttons.view(guild_id_of(interaction), logged.category.id, logged.result_id)
        await reply(interaction, render.confirm_undo(logged), view=view)

    @app_commands.command(name="console", description="Log the night's results by clicking the winners")
    @is_host
    async def console_(self, interaction: LoungeInteraction) -> None:
        guild_id = guild_id_of(interaction)
        panel = await self.console.panel(guild_id)
        embeds, view = self.console_ui.panel_message(panel)
        channel_id = (await self.settings.get(guild_id)).host_channel_id
        if channel_id is None:
            await reply(interaction, embeds[0], view=view)
            return
        await respond(interaction, interaction.response.defer(ephemeral=True, thinking=True))
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            posted = await channel.send(embed=to_discord(embeds[0]), view=view, allowed_mentions=NO_PINGS)
        except discord.HTTPException as error:
            note = Embed(
                title="Console shown here only",
                description=f"It couldn't be posted in <#{channel_id}> ({error.status}: {error.text[:200]}). "
                            "Check the bot's permissions there (`/settings show`).",
                colour=Colour.WARN,
            )
            await interaction.followup.send(embeds=[to_discord(note), to_discord(embeds[0])], view=view,
                                            ephemeral=True, allowed_mentions=NO_PINGS)
            return
        await reply(interaction, Embed(
            title="Console posted",
            description=f"The console is in {posted.jump_url}: every host can click the winners there.",
            colour=Colour.GOOD,
        ))
