"""/nominee claim|unclaim, /pick, /picks and /loser declare|card|roster: a thin layer over LoserService."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import autocomplete
from bot.autocomplete import Suggestions
from bot.domain.losers.service import MAX_NOTE, LoserService
from bot.domain.settings.service import SettingsService
from bot.embeds import Colour, Embed
from bot.paging import Turn
from bot.text import safe
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import reply
from cogs.losers import render
from cogs.losers.buttons import CURRENT, LoserPagers, PicksOf

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

# Autocomplete sends short ids; a typed label can reach ~610 characters (name, show, episode).
Text = app_commands.Range[str, 1, 700]


class LosersCog(commands.Cog):
    nominee = app_commands.Group(name="nominee", description="Say which nominee you are", guild_only=True)
    loser = app_commands.Group(name="loser", description="The lounge of those who didn't win", guild_only=True)

    def __init__(
        self, bot: LoungeBot, losers: LoserService, settings: SettingsService, suggestions: Suggestions
    ) -> None:
        self.bot = bot
        self.losers = losers
        self.settings = settings
        self.suggestions = suggestions
        self.pagers = LoserPagers(losers, settings)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self.pagers.items)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self.pagers.items)

    # ---- /nominee ---------------------------------------------------------------------------

    @nominee.command(name="claim", description="“This nominee is me”: you share their win or loss")
    @app_commands.describe(category="The nominee's category", nominee="The nominee you are")
    @app_commands.autocomplete(category=autocomplete.open_category, nominee=autocomplete.any_nominee)
    async def claim(self, interaction: LoungeInteraction, category: Text, nominee: Text) -> None:
        receipt = await self.losers.claim(
            guild_id_of(interaction), user_id=interaction.user.id, display_name=interaction.user.display_name,
            category=category, nominee=nominee,
        )
        await reply(interaction, Embed(
            title="Claimed",
            description=(
                f"You are {safe(receipt.nominee.short_label, 100)} in {safe(receipt.category.name, 150)}. "
                "If they lose, so do you; if they win, you owe the winner's tax."
            ),
            colour=Colour.GOOD,
        ))

    @nominee.command(name="unclaim", description="Give back a nominee you claimed (before its result)")
    @app_commands.describe(category="The nominee's category", nominee="The nominee you claimed")
    @app_commands.autocomplete(category=autocomplete.open_category, nominee=autocomplete.any_nominee)
    async def unclaim(self, interaction: LoungeInteraction, category: Text, nominee: Text) -> None:
        receipt = await self.losers.unclaim(
            guild_id_of(interaction), user_id=interaction.user.id, category=category, nominee=nominee
        )
        await reply(interaction, Embed(
            title="Unclaimed",
            description=f"{safe(receipt.nominee.short_label, 100)} is free to claim again.",
            colour=Colour.GOOD,
        ))

    # ---- /pick and /picks -------------------------------------------------------------------

    @app_commands.command(name="pick", description="Predict a category's winner (until its result is logged)")
    @app_commands.describe(category="The category", nominee="Who you think will win")
    @app_commands.autocomplete(category=autocomplete.open_category, nominee=autocomplete.any_nominee)
    @app_commands.guild_only()
    async def pick(self, interaction: LoungeInteraction, category: Text, nominee: Text) -> None:
        receipt = await self.losers.pick(
            guild_id_of(interaction), user_id=interaction.user.id, display_name=interaction.user.display_name,
            category=category, nominee=nominee,
        )
        changed = f" (instead of {safe(receipt.previous, 100)})" if receipt.previous else ""
        await reply(interaction, Embed(
            title="Pick saved",
            description=(
                f"{safe(receipt.category.name, 150)}: **{safe(receipt.nominee.short_label, 100)}**{changed}. "
                "You can change it until the result is logged."
            ),
            colour=Colour.GOOD,
        ))

    @app_commands.command(name="picks", description="A member's picks, right or wrong once known")
    @app_commands.describe(member="Whose picks (you, if left empty)")
    @app_commands.guild_only()
    async def picks(self, interaction: LoungeInteraction, member: discord.Member | None = None) -> None:
        who = member or interaction.user
        state = PicksOf(who.id, CURRENT)
        page = await self.pagers.picks.page(
            interaction, guild_id_of(interaction), state, Turn.first(), name=who.display_name
        )
        await self.pagers.picks.reply(interaction, state, page, ephemeral=True)

    # ---- /loser -----------------------------------------------------------------------------

    @loser.command(name="declare", description="Declare yourself a loser, with or without a category")
    @app_commands.describe(category="What you lost at (optional)", note=f"A few words (up to {MAX_NOTE} characters)")
    @app_commands.autocomplete(category=autocomplete.any_category)
    async def declare(
        self,
        interaction: LoungeInteraction,
        category: Text | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE] | None = None,
    ) -> None:
        declaration = await self.losers.declare(
            guild_id_of(interaction), user_id=interaction.user.id, display_name=interaction.user.display_name,
            category=category, note=note,
        )
        await reply(interaction, render.declared(declaration))

    @loser.command(name="card", description="Losses, picks record and pledges of a member")
    @app_commands.describe(member="Whose card (yours, if left empty)")
    async def card(self, interaction: LoungeInteraction, member: discord.Member | None = None) -> None:
        who = member or interaction.user
        card = await self.losers.card(guild_id_of(interaction), who.id, who.display_name)
        spoiler = (await self.settings.get(guild_id_of(interaction))).spoiler_safe
        await reply(interaction, render.card_embed(card, spoiler=spoiler))

    @loser.command(name="roster", description="Everyone in the lounge: members who lost and the losing nominees")
    async def roster(self, interaction: LoungeInteraction) -> None:
        await self.pagers.roster.open(interaction, CURRENT)
