"""/result log, tie and undo (hosts): a thin layer over ResultService.

`/result log` commits the result and its announcement first, then settles losses,
picks, roles and the winner's tax in the next commit (see bot/domain/results/service.py);
results a crash left unsettled are settled when the cog loads. `/result undo` asks for confirmation with
persistent buttons that carry the category and result ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands

from bot import autocomplete
from bot.autocomplete import Suggestions
from bot.checks import Hosts, is_host
from bot.domain.results.service import ResultService
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import reply, respond
from cogs.results import render
from cogs.results.buttons import UndoButtons

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

# Autocomplete sends short ids; a typed label can reach ~610 characters (name, show, episode).
Text = app_commands.Range[str, 1, 700]


@app_commands.guild_only()
class ResultsCog(commands.GroupCog, group_name="result", group_description="Log the Emmy results as they're read out"):
    def __init__(self, bot: LoungeBot, results: ResultService, hosts: Hosts, suggestions: Suggestions) -> None:
        self.bot = bot
        self.results = results
        self.hosts = hosts
        self.suggestions = suggestions
        self.undo_buttons = UndoButtons(results, hosts)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self.undo_buttons.items)
        await self.results.settle_pending()  # results a crash left recorded but unsettled

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self.undo_buttons.items)

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
