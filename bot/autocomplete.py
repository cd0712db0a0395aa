"""Autocomplete callbacks for the `category`, `nominee` and `winner` options.

Each answers from the server's current ceremony through one indexed query
(`bot.domain.ceremonies.search`): at most 25 choices, names and values within 100
characters, the value being the row id. A nominee option narrows to the
category already typed in the same command. `preset` lists the shipped ceremonies.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.domain.ceremonies import presets
from bot.domain.ceremonies import search as autocomplete
from bot.domain.ceremonies.search import CategoryFilter, NomineeFilter

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

Choices = list[app_commands.Choice[str]]


def _choices(suggestions: list[autocomplete.Suggestion]) -> Choices:
    return [app_commands.Choice(name=s.name, value=s.value) for s in suggestions]


async def _categories(interaction: discord.Interaction[LoungeBot], current: str, only: CategoryFilter) -> Choices:
    if interaction.guild_id is None:
        return []
    db = interaction.client.services.db
    return _choices(await autocomplete.category_suggestions(db, interaction.guild_id, current, only=only))


async def _nominees(interaction: discord.Interaction[LoungeBot], current: str, only: NomineeFilter) -> Choices:
    if interaction.guild_id is None:
        return []
    category = getattr(interaction.namespace, "category", None)
    db = interaction.client.services.db
    return _choices(await autocomplete.nominee_suggestions(
        db, interaction.guild_id, current, None if category is None else str(category), only=only,
    ))


async def any_category(interaction: discord.Interaction[LoungeBot], current: str) -> Choices:
    return await _categories(interaction, current, "any")


async def open_category(interaction: discord.Interaction[LoungeBot], current: str) -> Choices:
    """Categories whose result is not logged yet (picks, claims, `/result log`)."""
    return await _categories(interaction, current, "open")


async def logged_category(interaction: discord.Interaction[LoungeBot], current: str) -> Choices:
    """Categories with a result (`/result tie`, `/result undo`)."""
    return await _categories(interaction, current, "logged")


async def any_nominee(interaction: discord.Interaction[LoungeBot], current: str) -> Choices:
    return await _nominees(interaction, current, "any")


async def not_winning_nominee(interaction: discord.Interaction[LoungeBot], current: str) -> Choices:
    """Nominees not (yet) among the winners: what `/result tie` can add."""
    return await _nominees(interaction, current, "not_winning")


async def preset(interaction: discord.Interaction[LoungeBot], current: str) -> Choices:
    """The ceremonies the bot ships, by year and name (`/ceremony create … preset`)."""
    found = await asyncio.to_thread(presets.suggestions, current)  # the first call reads the table (~0.1 s)
    return [app_commands.Choice(name=p.title, value=p.key) for p in found]
