"""Persistent confirmations of /ceremony, each custom_id carrying what it confirms::

    lounge:end:<server>:<ceremony>:yes|no       end the night
    lounge:rmnom:<server>:<category>:<nominee>:yes|no   remove a nominee members picked or claimed
    lounge:paste:<server>:<preview>:yes|no      import a pasted list exactly as previewed

(integers base 62). A stale "end" for an older ceremony changes nothing: the service
re-checks the state. Prompts posted before the server was part of the id
(``lounge:end:<ceremony>:yes|no``, decimal) keep working: the service only ends the
clicking server's current ceremony.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, Self

import discord

from bot import custom_ids
from bot.checks import Hosts
from bot.components import bound, numbers, parsed, server_of, yes_no_button
from bot.custom_ids import ID
from bot.domain.ceremonies.editing import CeremonyEditor
from bot.domain.ceremonies.service import CeremonyService
from bot.embeds import cancelled
from bot.interaction_errors import report_error
from bot.types import guild_id_of
from bot.ui import Button, edit_in_place, respond
from cogs.ceremonies import render

END = custom_ids.template("end", rf"(?P<guild>{ID})", rf"(?P<ceremony>{ID})", "(?P<choice>yes|no)")
LEGACY_END = r"lounge:end:(?P<ceremony>\d{1,19}):(?P<choice>yes|no)"

Ended = Callable[[int, int], None]
"""Told (server, ceremony) once an end is committed: the bot dispatches ``ceremony_ended`` for the recap."""


class ConfirmEnd(discord.ui.DynamicItem[Button], template=END):
    ceremonies: ClassVar[CeremonyService]
    hosts: ClassVar[Hosts]
    ended: ClassVar[Ended]

    def __init__(self, custom_id: str) -> None:
        super().__init__(yes_no_button(custom_id, yes="End the ceremony", no="Not yet"))

    @classmethod
    def of(cls, guild_id: int, ceremony_id: int, choice: str) -> Self:
        return cls(custom_ids.custom_id("end", guild_id, ceremony_id, choice))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match.string)

    def target(self, interaction: discord.Interaction[Any]) -> tuple[int, int, bool]:
        """(server, ceremony, yes), the server checked against the click's."""
        match = parsed(self)
        guild_id = server_of(interaction, match)
        (ceremony_id,) = numbers(match, "ceremony")
        return guild_id, ceremony_id, match["choice"] == "yes"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            guild_id, ceremony_id, yes = self.target(interaction)
            await self.hosts.require(interaction)
            if not yes:
                await edit_in_place(interaction, cancelled("Ending the ceremony"), None)
                return
            await respond(interaction, interaction.response.defer())
            status = await self.ceremonies.end(guild_id, actor_id=interaction.user.id, ceremony_id=ceremony_id)
            type(self).ended(guild_id, ceremony_id)  # after the commit above
            await edit_in_place(interaction, render.ceremony_ended(status), None)
        except Exception as error:
            await report_error(interaction, error)


class LegacyConfirmEnd(ConfirmEnd, template=LEGACY_END):
    """A prompt posted before the server was in the id: the service ends only this server's ceremony."""

    def target(self, interaction: discord.Interaction[Any]) -> tuple[int, int, bool]:
        match = parsed(self)
        (ceremony_id,) = numbers(match, "ceremony", base=10)
        return guild_id_of(interaction), ceremony_id, match["choice"] == "yes"


class EndButtons:
    """The end confirmation bound to what its clicks need; the cog registers :attr:`items`."""

    def __init__(self, ceremonies: CeremonyService, hosts: Hosts, ended: Ended) -> None:
        handed: dict[str, object] = {"ceremonies": ceremonies, "hosts": hosts, "ended": staticmethod(ended)}
        self.confirm = bound(ConfirmEnd, **handed)
        self.items = (self.confirm, bound(LegacyConfirmEnd, **handed))

    def view(self, guild_id: int, ceremony_id: int) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        view.add_item(self.confirm.of(guild_id, ceremony_id, "yes"))
        view.add_item(self.confirm.of(guild_id, ceremony_id, "no"))
        return view


REMOVAL = custom_ids.template(
    "rmnom", rf"(?P<guild>{ID})", rf"(?P<category>{ID})", rf"(?P<nominee>{ID})", "(?P<choice>yes|no)"
)
PASTE = custom_ids.template("paste", rf"(?P<guild>{ID})", rf"(?P<preview>{ID})", "(?P<choice>yes|no)")


class ConfirmRemoval(discord.ui.DynamicItem[Button], template=REMOVAL):
    """Remove a nominee that members picked or claimed; the editor re-checks ids (in this server) and state."""

    edits: ClassVar[CeremonyEditor]
    hosts: ClassVar[Hosts]

    def __init__(self, custom_id: str) -> None:
        super().__init__(yes_no_button(custom_id, yes="Remove, drop their picks", no="Keep it"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            match = parsed(self)
            guild_id = server_of(interaction, match)
            category_id, nominee_id = numbers(match, "category", "nominee")
            await self.hosts.require(interaction)
            if match["choice"] != "yes":
                await edit_in_place(interaction, cancelled("Removing the nominee"), None)
                return
            await respond(interaction, interaction.response.defer())
            removal = await self.edits.remove_nominee(
                guild_id, actor_id=interaction.user.id, category_id=category_id, nominee_id=nominee_id,
                confirmed=True,
            )
            await edit_in_place(interaction, render.nominee_removed(removal), None)
        except Exception as error:
            await report_error(interaction, error)


class ConfirmPaste(discord.ui.DynamicItem[Button], template=PASTE):
    """Import a stored paste preview (used once; a cancel discards it)."""

    ceremonies: ClassVar[CeremonyService]
    hosts: ClassVar[Hosts]

    def __init__(self, custom_id: str) -> None:
        super().__init__(yes_no_button(
            custom_id, yes="Import this list", no="Cancel", yes_style=discord.ButtonStyle.success
        ))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            match = parsed(self)
            guild_id = server_of(interaction, match)
            (preview_id,) = numbers(match, "preview")
            await self.hosts.require(interaction)
            await respond(interaction, interaction.response.defer())
            if match["choice"] != "yes":
                await self.ceremonies.discard_preview(guild_id, preview_id)
                await edit_in_place(interaction, cancelled("The paste"), None)
                return
            summary = await self.ceremonies.import_preview(
                guild_id, actor_id=interaction.user.id, preview_id=preview_id
            )
            await edit_in_place(interaction, render.import_done(summary), None)
        except Exception as error:
            await report_error(interaction, error)


class EditButtons:
    """The removal and paste confirmations bound to what their clicks need; the cog registers :attr:`items`."""

    def __init__(self, ceremonies: CeremonyService, edits: CeremonyEditor, hosts: Hosts) -> None:
        self.removal = bound(ConfirmRemoval, edits=edits, hosts=hosts)
        self.paste = bound(ConfirmPaste, ceremonies=ceremonies, hosts=hosts)
        self.items = (self.removal, self.paste)

    @staticmethod
    def _two(yes: discord.ui.Item[Any], no: discord.ui.Item[Any]) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        view.add_item(yes)
        view.add_item(no)
        return view

    def removal_view(self, guild_id: int, category_id: int, nominee_id: int) -> discord.ui.View:
        return self._two(*(
            self.removal(custom_ids.custom_id("rmnom", guild_id, category_id, nominee_id, choice))
            for choice in ("yes", "no")
        ))

    def paste_view(self, guild_id: int, preview_id: int) -> discord.ui.View:
        return self._two(*(
            self.paste(custom_ids.custom_id("paste", guild_id, preview_id, choice)) for choice in ("yes", "no")
        ))
