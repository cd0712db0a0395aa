"""The confirmation of /privacy forget-me: persistent buttons whose custom_id carries who asked, and when::

    lounge:forget:<server>:<member>:<asked at, seconds since 1970>:yes|no

(integers base 62). Only the member who asked may answer (the prompt is ephemeral, so
only they can click anyway), and only for :data:`CONFIRM_SECONDS`: after that the
prompt is answered by closing it ("nothing was changed"), in any process, however
long after. Deleting a member's data is not undone, so a forgotten prompt never
counts as a yes.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

import discord

from bot import custom_ids
from bot.clock import Clock
from bot.components import bound, numbers, parsed, server_of, yes_no_button
from bot.custom_ids import ID
from bot.domain.errors import NotAllowed
from bot.domain.privacy.service import ForgetReport, PrivacyService
from bot.embeds import Colour, Embed
from bot.interaction_errors import report_error
from bot.types import guild_id_of
from bot.ui import Button, edit_in_place, respond

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 120
FORGET = custom_ids.template(
    "forget", rf"(?P<guild>{ID})", rf"(?P<user>{ID})", rf"(?P<asked>{ID})", "(?P<choice>yes|no)"
)


def done_embed(report: ForgetReport, *, roles_left: bool) -> Embed:
    text = (
        f"Done: {report.removed_rows:,} record(s) deleted and {report.pledges_anonymised:,} pledge(s) "
        "anonymised. The lounge no longer knows who you are."
    )
    if roles_left:
        text += " The bot couldn't take the loser role off you: ask a host to remove it."
    return Embed(title="You've been forgotten", description=text, colour=Colour.GOOD)


def kept_embed() -> Embed:
    return Embed(title="Nothing was changed", description="Your data stays as it was.", colour=Colour.INFO)


def expired_embed() -> Embed:
    return Embed(title="Nothing was changed", description="The question timed out: run `/privacy forget-me` "
                 "again if you still want to be forgotten.", colour=Colour.INFO)


class ConfirmForget(discord.ui.DynamicItem[Button], template=FORGET):
    privacy: ClassVar[PrivacyService]
    clock: ClassVar[Clock]

    def __init__(self, custom_id: str) -> None:
        super().__init__(yes_no_button(custom_id, yes="Forget me", no="Keep my data"))

    @classmethod
    def of(cls, guild_id: int, user_id: int, asked_at: datetime, choice: str) -> Self:
        return cls(custom_ids.custom_id("forget", guild_id, user_id, int(asked_at.timestamp()), choice))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            match = parsed(self)
            guild_id = server_of(interaction, match)
            user_id, asked = numbers(match, "user", "asked")
            if user_id != interaction.user.id:
                raise NotAllowed("Only the member who asked to be forgotten can answer this.",
                                 reason="not_your_prompt")
            now = type(self).clock()
            if match["choice"] != "yes":
                await edit_in_place(interaction, kept_embed(), None)
            elif now - datetime.fromtimestamp(asked, UTC) > timedelta(seconds=CONFIRM_SECONDS):
                await edit_in_place(interaction, expired_embed(), None)
            else:
                await respond(interaction, interaction.response.defer())
                report = await self.privacy.forget(guild_id, user_id)
                roles_left = await _take_roles_off(interaction, report)
                await edit_in_place(interaction, done_embed(report, roles_left=roles_left), None)
        except Exception as error:  # one error path: the member sees why, we log the unexpected
            await report_error(interaction, error)


async def _take_roles_off(interaction: discord.Interaction[Any], report: ForgetReport) -> bool:
    """Remove the loser role(s) the bot gave; True when some could not be removed."""
    if not report.role_ids or not isinstance(interaction.user, discord.Member):
        return bool(report.role_ids)
    try:
        await interaction.user.remove_roles(
            *(discord.Object(role_id) for role_id in report.role_ids), reason="Forgotten at their request"
        )
    except discord.HTTPException as error:
        log.warning("could not remove the loser role from a forgotten member in guild %s: %s",
                    guild_id_of(interaction), error)
        return True
    return False


class ForgetButtons:
    """The forget-me confirmation bound to what its clicks need; the cog registers :attr:`item`."""

    def __init__(self, privacy: PrivacyService, clock: Clock) -> None:
        self.item = bound(ConfirmForget, privacy=privacy, clock=staticmethod(clock))
        self._clock = clock

    def view(self, guild_id: int, user_id: int) -> discord.ui.View:
        asked_at = self._clock()
        view = discord.ui.View(timeout=None)
        view.add_item(self.item.of(guild_id, user_id, asked_at, "yes"))
        view.add_item(self.item.of(guild_id, user_id, asked_at, "no"))
        return view
