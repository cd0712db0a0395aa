"""The confirmation of /result undo: persistent buttons whose custom_id carries the category and result.

Every click is re-checked: the clicker must be a host, and the service re-checks the state
(a stale "undo" for a result that has since been re-logged changes nothing).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.interaction_errors import report_error
from bot.types import guild_id_of
from bot.ui import Button, respond

if TYPE_CHECKING:
    pass
from bot.checks import require_host
from bot.embeds import cancelled
from bot.ui import edit_in_place, lounge_bot
from cogs.results import render


class ConfirmUndo(
    discord.ui.DynamicItem[Button],
    template=r"lounge:undo:(?P<category>\d{1,19}):(?P<result>\d{1,19}):(?P<choice>yes|no)",
):
    def __init__(self, category_id: int, result_id: int, choice: str) -> None:
        yes = choice == "yes"
        super().__init__(discord.ui.Button(
            label="Undo the result" if yes else "Keep it",
            style=discord.ButtonStyle.danger if yes else discord.ButtonStyle.secondary,
            custom_id=f"lounge:undo:{category_id}:{result_id}:{choice}",
        ))
        self.category_id = category_id
        self.result_id = result_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmUndo:
        return cls(int(match["category"]), int(match["result"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await require_host(interaction)
            if self.choice != "yes":
                await edit_in_place(interaction, cancelled("The undo"), None)
                return
            await respond(interaction, interaction.response.defer())
            report = await lounge_bot(interaction).services.results.undo(
                guild_id_of(interaction), actor_id=interaction.user.id, category_id=self.category_id,
                result_id=self.result_id,
            )
            await edit_in_place(interaction, render.result_undone(report), None)
        except Exception as error:  # one error path: the member sees why, we log the unexpected
            await report_error(interaction, error)


def undo_view(category_id: int, result_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmUndo(category_id, result_id, "yes"))
    view.add_item(ConfirmUndo(category_id, result_id, "no"))
    return view
