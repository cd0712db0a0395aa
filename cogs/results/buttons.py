"""The confirmation of /result undo: persistent buttons whose custom_id carries the server, category and result::

    lounge:undo:<server>:<category>:<result>:yes|no

(integers base 62). Every click is re-checked: the server must be the one the prompt
was made in, the clicker must be a host, and the service re-checks the state (a stale
"undo" for a result that has since been re-logged changes nothing). Prompts posted
before the server was part of the id (``lounge:undo:<category>:<result>:yes|no``,
decimal) keep working: the service checks the category belongs to the clicking server.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self

import discord

from bot import custom_ids
from bot.checks import Hosts
from bot.components import bound, numbers, parsed, server_of, yes_no_button
from bot.custom_ids import ID
from bot.domain.results.service import ResultService
from bot.embeds import cancelled
from bot.interaction_errors import report_error
from bot.types import guild_id_of
from bot.ui import Button, edit_in_place, respond
from cogs.results import render

UNDO = custom_ids.template(
    "undo", rf"(?P<guild>{ID})", rf"(?P<category>{ID})", rf"(?P<result>{ID})", "(?P<choice>yes|no)"
)
LEGACY_UNDO = r"lounge:undo:(?P<category>\d{1,19}):(?P<result>\d{1,19}):(?P<choice>yes|no)"


class ConfirmUndo(discord.ui.DynamicItem[Button], template=UNDO):
    results: ClassVar[ResultService]
    hosts: ClassVar[Hosts]

    def __init__(self, custom_id: str) -> None:
        super().__init__(yes_no_button(custom_id, yes="Undo the result", no="Keep it"))

    @classmethod
    def of(cls, guild_id: int, category_id: int, result_id: int, choice: str) -> Self:
        return cls(custom_ids.custom_id("undo", guild_id, category_id, result_id, choice))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match.string)

    def target(self, interaction: discord.Interaction[Any]) -> tuple[int, int, int, bool]:
        """(server, category, result, yes), the server checked against the click's."""
        match = parsed(self)
        guild_id = server_of(interaction, match)
        category_id, result_id = numbers(match, "category", "result")
        return guild_id, category_id, result_id, match["choice"] == "yes"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            guild_id, category_id, result_id, yes = self.target(interaction)
            await self.hosts.require(interaction)
            if not yes:
                await edit_in_place(interaction, cancelled("The undo"), None)
                return
            await respond(interaction, interaction.response.defer())
            report = await self.results.undo(
                guild_id, actor_id=interaction.user.id, category_id=category_id, result_id=result_id
            )
            await edit_in_place(interaction, render.result_undone(report), None)
        except Exception as error:  # one error path: the member sees why, we log the unexpected
            await report_error(interaction, error)


class LegacyConfirmUndo(ConfirmUndo, template=LEGACY_UNDO):
    """A prompt posted before the server was in the id: the service checks the category is this server's."""

    def target(self, interaction: discord.Interaction[Any]) -> tuple[int, int, int, bool]:
        match = parsed(self)
        category_id, result_id = numbers(match, "category", "result", base=10)
        return guild_id_of(interaction), category_id, result_id, match["choice"] == "yes"


class UndoButtons:
    """The undo confirmation bound to what its clicks need; the cog registers :attr:`items`."""

    def __init__(self, results: ResultService, hosts: Hosts) -> None:
        self.confirm = bound(ConfirmUndo, results=results, hosts=hosts)
        self.items = (self.confirm, bound(LegacyConfirmUndo, results=results, hosts=hosts))

    def view(self, guild_id: int, category_id: int, result_id: int) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        view.add_item(self.confirm.of(guild_id, category_id, result_id, "yes"))
        view.add_item(self.confirm.of(guild_id, category_id, result_id, "no"))
        return view
