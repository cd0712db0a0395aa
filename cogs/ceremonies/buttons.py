"""Persistent confirmations of /ceremony, each custom_id carrying what it confirms:

* ``lounge:end:<ceremony>:yes|no`` — end the night (a stale one for an older ceremony changes nothing);
* ``lounge:rmnom:<category>:<nominee>:yes|no`` — remove a nominee that members picked or claimed;
* ``lounge:paste:<preview>:yes|no`` — import a pasted list exactly as previewed.

Every click is re-checked: the clicker must be a host, and the service re-checks the
ceremony, the ids (only inside the clicker's server) and the state at click time.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.checks import require_host
from bot.embeds import cancelled
from bot.interaction_errors import report_error
from bot.types import guild_id_of
from bot.ui import Button, edit_in_place, lounge_bot, respond
from cogs.ceremonies import render


def _button(
    custom_id: str, yes: bool, label_yes: str, label_no: str, style: discord.ButtonStyle = discord.ButtonStyle.danger
) -> Button:
    return discord.ui.Button(
        label=label_yes if yes else label_no, style=style if yes else discord.ButtonStyle.secondary, custom_id=custom_id
    )


class ConfirmEnd(discord.ui.DynamicItem[Button], template=r"lounge:end:(?P<ceremony>\d{1,19}):(?P<choice>yes|no)"):
    def __init__(self, ceremony_id: int, choice: str) -> None:
        super().__init__(_button(f"lounge:end:{ceremony_id}:{choice}", choice == "yes", "End the ceremony", "Not yet"))
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


class ConfirmRemoval(
    discord.ui.DynamicItem[Button],
    template=r"lounge:rmnom:(?P<category>\d{1,19}):(?P<nominee>\d{1,19}):(?P<choice>yes|no)",
):
    def __init__(self, category_id: int, nominee_id: int, choice: str) -> None:
        super().__init__(_button(
            f"lounge:rmnom:{category_id}:{nominee_id}:{choice}", choice == "yes", "Remove, drop their picks", "Keep it"
        ))
        self.category_id = category_id
        self.nominee_id = nominee_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmRemoval:
        return cls(int(match["category"]), int(match["nominee"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await require_host(interaction)
            if self.choice != "yes":
                await edit_in_place(interaction, cancelled("Removing the nominee"), None)
                return
            await respond(interaction, interaction.response.defer())
            removal = await lounge_bot(interaction).services.ceremony_edits.remove_nominee(
                guild_id_of(interaction), actor_id=interaction.user.id, category_id=self.category_id,
                nominee_id=self.nominee_id, confirmed=True,
            )
            await edit_in_place(interaction, render.nominee_removed(removal), None)
        except Exception as error:
            await report_error(interaction, error)


class ConfirmPaste(discord.ui.DynamicItem[Button], template=r"lounge:paste:(?P<preview>\d{1,19}):(?P<choice>yes|no)"):
    def __init__(self, preview_id: int, choice: str) -> None:
        super().__init__(_button(f"lounge:paste:{preview_id}:{choice}", choice == "yes", "Import this list", "Cancel",
                                 discord.ButtonStyle.success))
        self.preview_id = preview_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmPaste:
        return cls(int(match["preview"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await require_host(interaction)
            ceremonies = lounge_bot(interaction).services.ceremonies
            await respond(interaction, interaction.response.defer())
            if self.choice != "yes":
                await ceremonies.discard_preview(guild_id_of(interaction), self.preview_id)
                await edit_in_place(interaction, cancelled("The paste"), None)
                return
            summary = await ceremonies.import_preview(
                guild_id_of(interaction), actor_id=interaction.user.id, preview_id=self.preview_id
            )
            await edit_in_place(interaction, render.import_done(summary), None)
        except Exception as error:
            await report_error(interaction, error)


def _view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


def end_view(ceremony_id: int) -> discord.ui.View:
    return _view(ConfirmEnd(ceremony_id, "yes"), ConfirmEnd(ceremony_id, "no"))


def removal_view(category_id: int, nominee_id: int) -> discord.ui.View:
    return _view(ConfirmRemoval(category_id, nominee_id, "yes"), ConfirmRemoval(category_id, nominee_id, "no"))


def paste_view(preview_id: int) -> discord.ui.View:
    return _view(ConfirmPaste(preview_id, "yes"), ConfirmPaste(preview_id, "no"))
