"""The confirmation of /ceremony end: persistent buttons whose custom_id carries the ceremony.

A stale "end" for an older ceremony changes nothing: the service re-checks the state.
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
from cogs.ceremonies import render


class ConfirmEnd(discord.ui.DynamicItem[Button], template=r"lounge:end:(?P<ceremony>\d{1,19}):(?P<choice>yes|no)"):
    def __init__(self, ceremony_id: int, choice: str) -> None:
        yes = choice == "yes"
        super().__init__(discord.ui.Button(
            label="End the ceremony" if yes else "Not yet",
            style=discord.ButtonStyle.danger if yes else discord.ButtonStyle.secondary,
            custom_id=f"lounge:end:{ceremony_id}:{choice}",
        ))
        self.ceremony_id = ceremony_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmEnd:
        return cls(int(match["ceremony"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await require_host(interaction)
            if self.choice != "yes":
                await edit_in_place(interaction, cancelled("Ending the ceremony"), None)
                return
            await respond(interaction, interaction.response.defer())
            bot = lounge_bot(interaction)
            status = await bot.services.ceremonies.end(
                guild_id_of(interaction), actor_id=interaction.user.id, ceremony_id=self.ceremony_id
            )
            # The recap (leaderboards) listens for this; it runs after the commit above.
            bot.dispatch("ceremony_ended", guild_id_of(interaction), self.ceremony_id)
            await edit_in_place(interaction, render.ceremony_ended(status), None)
        except Exception as error:
            await report_error(interaction, error)


def end_view(ceremony_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmEnd(ceremony_id, "yes"))
    view.add_item(ConfirmEnd(ceremony_id, "no"))
    return view
