"""Previous/Next under /loser roster and /picks: two :class:`bot.paging.Pager`s of numbered pages::

    lounge:roster:<server>:<ceremony>:<way><number>:
    lounge:picks:<server>:<member>.<ceremony>:<way><number>:

(integers base 62; the anchor is empty: the page number is the position). Both list
the server's *current* ceremony; the ceremony in the id tells whether it changed
since the page was shown (then the page says so), and one that is not this server's
is refused. A page past the end (the list got shorter) shows the last page, and says
so. Ids posted by earlier versions (``lounge:roster:<page>:prev|next``,
``lounge:picks:<member>:<page>:prev|next``, decimal, 0-based pages) keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import discord

from bot.components import bound, numbers, parsed
from bot.custom_ids import ID, decode_int, encode_int
from bot.domain.ceremonies.service import Ceremony
from bot.domain.errors import NotFound
from bot.domain.losers.service import LoserService
from bot.domain.settings.service import SettingsService
from bot.interaction_errors import report_error
from bot.paging import Page, Pager, Turn, Way
from bot.text import safe
from bot.types import guild_id_of
from bot.ui import Button
from cogs.losers import render

CURRENT = 0
"""The ceremony of an id that didn't carry one: whichever is current (rowids start at 1)."""
LEGACY_ROSTER = r"lounge:roster:(?P<page>\d{1,6}):(?P<way>prev|next)"
LEGACY_PICKS = r"lounge:picks:(?P<user>\d{1,19}):(?P<page>\d{1,6}):(?P<way>prev|next)"


def numbered(index: int, pages: int) -> tuple[Turn | None, Turn | None]:
    """Previous and Next of page `index` (0-based) of `pages`: None at either end."""
    previous = Turn(Way.PREVIOUS, index) if index > 0 else None
    following = Turn(Way.NEXT, index + 2) if index < pages - 1 else None
    return previous, following


async def moved_on(losers: LoserService, guild_id: int, shown: int, current: Ceremony) -> str | None:
    """The note when the page was made for another ceremony than the current one; refused when
    that ceremony isn't this server's."""
    if shown in (CURRENT, current.id):
        return None
    if await losers.ceremony(guild_id, shown) is None:
        raise NotFound("That list's ceremony no longer exists in this server: nothing was changed.",
                       reason="unknown_ceremony", ceremony_id=shown)
    return f"ℹ️ The lounge has moved on to {safe(current.title, 150)} since that page was shown: this is its list."


def clamped(asked: int, shown: int) -> str | None:
    if asked == shown:
        return None
    return "ℹ️ The list is shorter than when that page was shown: this is its last page."


class RosterPager(Pager[int]):
    name = "roster"
    state_pattern = ID

    def __init__(self, losers: LoserService) -> None:
        self.losers = losers
        super().__init__()

    def encode_state(self, state: int) -> str:
        return encode_int(state)

    def decode_state(self, text: str) -> int:
        return decode_int(text)

    async def page(self, interaction: discord.Interaction[Any], guild_id: int, state: int, turn: Turn) -> Page[int]:
        roster = await self.losers.roster(guild_id, turn.number - 1)
        note = await moved_on(self.losers, guild_id, state, roster.ceremony) or clamped(turn.number - 1, roster.page)
        previous, following = numbered(roster.page, roster.pages)
        return Page(render.roster_embed(roster), previous, following, note=note, state=roster.ceremony.id)


@dataclass(frozen=True, slots=True)
class PicksOf:
    user_id: int
    ceremony_id: int


class PicksPager(Pager[PicksOf]):
    name = "picks"
    state_pattern = rf"{ID}\.{ID}"

    def __init__(self, losers: LoserService, settings: SettingsService) -> None:
        self.losers = losers
        self.settings = settings
        super().__init__()

    def encode_state(self, state: PicksOf) -> str:
        return f"{encode_int(state.user_id)}.{encode_int(state.ceremony_id)}"

    def decode_state(self, text: str) -> PicksOf:
        user, ceremony = text.split(".")
        return PicksOf(decode_int(user), decode_int(ceremony))

    async def page(
        self, interaction: discord.Interaction[Any], guild_id: int, state: PicksOf, turn: Turn, *,
        name: str | None = None,
    ) -> Page[PicksOf]:
        """`name`: the member's name as the command saw it (the lounge may not know it yet)."""
        if name is None:
            name = interaction.user.display_name if state.user_id == interaction.user.id else "a member"
        picks = await self.losers.picks_of(guild_id, state.user_id, name)
        spoiler = (await self.settings.get(guild_id)).spoiler_safe
        pages = render.picks_pages(picks)
        index = min(turn.number - 1, pages - 1)
        note = await moved_on(self.losers, guild_id, state.ceremony_id, picks.ceremony) or clamped(
            turn.number - 1, index
        )
        previous, following = numbered(index, pages)
        return Page(
            render.picks_embed(picks, index, spoiler=spoiler), previous, following, note=note,
            state=PicksOf(state.user_id, picks.ceremony.id),
        )


class LegacyPageButton(discord.ui.DynamicItem[Button], template=r"(?!)"):
    """Previous/Next posted by an earlier version (decimal fields, a 0-based target page)."""

    def __init__(self, custom_id: str) -> None:
        previous = custom_id.endswith(":prev")
        super().__init__(discord.ui.Button(
            label="Previous" if previous else "Next", style=discord.ButtonStyle.secondary, custom_id=custom_id
        ))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match.string)

    def turn(self, match: re.Match[str]) -> Turn:
        (page,) = numbers(match, "page", base=10)
        return Turn(Way.PREVIOUS if match["way"] == "prev" else Way.NEXT, page + 1)


class LegacyRosterButton(LegacyPageButton, template=LEGACY_ROSTER):
    pager: ClassVar[RosterPager]

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            turn = self.turn(parsed(self))
            guild_id = guild_id_of(interaction)
        except Exception as error:
            await report_error(interaction, error)
            return
        await self.pager.answer(interaction, guild_id, CURRENT, turn)


class LegacyPicksButton(LegacyPageButton, template=LEGACY_PICKS):
    pager: ClassVar[PicksPager]

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            match = parsed(self)
            turn = self.turn(match)
            (user_id,) = numbers(match, "user", base=10)
            guild_id = guild_id_of(interaction)
        except Exception as error:
            await report_error(interaction, error)
            return
        await self.pager.answer(interaction, guild_id, PicksOf(user_id, CURRENT), turn)


class LoserPagers:
    """The roster's and the picks' pagers, bound to their services; the cog registers :attr:`items`."""

    def __init__(self, losers: LoserService, settings: SettingsService) -> None:
        self.roster = RosterPager(losers)
        self.picks = PicksPager(losers, settings)
        self.items = (
            self.roster.button, self.picks.button,
            bound(LegacyRosterButton, pager=self.roster), bound(LegacyPicksButton, pager=self.picks),
        )
