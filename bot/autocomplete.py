"""Autocomplete callbacks for the `category`, `nominee` and `winner` options.

Each answers from the server's current ceremony through one indexed query
(`bot.domain.ceremonies.search`): at most 25 choices, names and values within 100
characters, the value being the row id. A nominee option narrows to the
category already typed in the same command. `preset` lists the shipped ceremonies.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands

from bot.db import Database
from bot.domain.ceremonies import presets, search
from bot.domain.ceremonies.search import CategoryFilter, NomineeFilter

Choices = list[app_commands.Choice[str]]


def _choices(suggestions: list[search.Suggestion]) -> Choices:
    return [app_commands.Choice(name=s.name, value=s.value) for s in suggestions]


class Suggestions:
    """What the callbacks read, handed to every cog with autocompleted options (``self.suggestions``).

    The callbacks below are attached with ``@app_commands.autocomplete`` when the cog class is
    defined, before any database exists, so each finds its `Suggestions` on the cog of the
    command being typed, never on the client.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def categories(self, guild_id: int, current: str, only: CategoryFilter) -> Choices:
        return _choices(await search.category_suggestions(self._db, guild_id, current, only=only))

    async def nominees(self, guild_id: int, current: str, category: str | None, only: NomineeFilter) -> Choices:
        return _choices(await search.nominee_suggestions(self._db, guild_id, current, category, only=only))


def suggestions_of(interaction: discord.Interaction[Any]) -> Suggestions:
    """The `Suggestions` handed to the cog of the command being typed."""
    binding = getattr(interaction.command, "binding", None)
    suggestions = getattr(binding, "suggestions", None)
    if not isinstance(suggestions, Suggestions):
        name = getattr(interaction.command, "qualified_name", interaction.command)
        raise RuntimeError(f"/{name} has autocomplete, but its cog was not handed Suggestions (self.suggestions)")
    return suggestions


async def _categories(interaction: discord.Interaction[Any], current: str, only: CategoryFilter) -> Choices:
    if interaction.guild_id is None:
        return []
    return await suggestions_of(interaction).categories(interaction.guild_id, current, only)


async def _nominees(interaction: discord.Interaction[Any], current: str, only: NomineeFilter) -> Choices:
    if interaction.guild_id is None:
        return []
    category = getattr(interaction.namespace, "category", None)
    return await suggestions_of(interaction).nominees(
        interaction.guild_id, current, None if category is None else str(category), only
    )


async def any_category(interaction: discord.Interaction[Any], current: str) -> Choices:
    return await _categories(interaction, current, "any")


async def open_category(interaction: discord.Interaction[Any], current: str) -> Choices:
    """Categories whose result is not logged yet (picks, claims, `/result log`)."""
    return await _categories(interaction, current, "open")


async def logged_category(interaction: discord.Interaction[Any], current: str) -> Choices:
    """Categories with a result (`/result tie`, `/result undo`)."""
    return await _categories(interaction, current, "logged")


async def any_nominee(interaction: discord.Interaction[Any], current: str) -> Choices:
    return await _nominees(interaction, current, "any")


async def not_winning_nominee(interaction: discord.Interaction[Any], current: str) -> Choices:
    """Nominees not (yet) among the winners: what `/result tie` can add."""
    return await _nominees(interaction, current, "not_winning")


async def preset(interaction: discord.Interaction[Any], current: str) -> Choices:
    """The ceremonies the bot ships, by year and name (`/ceremony create … preset`)."""
    found = await asyncio.to_thread(presets.suggestions, current)  # the first call reads the table (~0.1 s)
    return [app_commands.Choice(name=p.title, value=p.key) for p in found]
