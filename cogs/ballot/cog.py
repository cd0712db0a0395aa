"""/ballot: a member's picks for the whole night in one ephemeral, paged message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from discord import app_commands
from discord.ext import commands

from bot import autocomplete
from bot.autocomplete import Suggestions
from bot.domain.ballot.service import BallotService
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import defer_if_slow, reply
from cogs.ballot.view import BallotUI

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

# Autocomplete sends short ids; a typed name can be longer.
Text = app_commands.Range[str, 1, 700]


class BallotCog(commands.Cog):
    def __init__(self, bot: LoungeBot, ballots: BallotService, suggestions: Suggestions) -> None:
        self.bot = bot
        self.ballots = ballots
        self.suggestions = suggestions  # what the `category` autocomplete reads
        self.ui = BallotUI(ballots)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self.ui.items)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self.ui.items)

    @app_commands.command(name="ballot", description="Pick every category in one place, four to a page")
    @app_commands.describe(
        category="Open the page with this category",
        scope="The telecast categories (default) or every category",
    )
    @app_commands.autocomplete(category=autocomplete.any_category)
    @app_commands.guild_only()
    async def ballot(
        self, interaction: LoungeInteraction, category: Text | None = None,
        scope: Literal["telecast", "all"] = "telecast",
    ) -> None:
        opening = self.ballots.open(guild_id_of(interaction), interaction.user.id, scope=scope, category=category)
        page = await defer_if_slow(interaction, opening)
        embeds, view = self.ui.message(page)
        await reply(interaction, embeds[0], view=view)
