"""One pager for every paged view: Previous/Next buttons that work in any process, at any age.

A feature subclasses :class:`Pager` (its service handed to ``__init__``), says how
its *state* (which board, whose picks…) is written into a custom_id, and answers
:meth:`Pager.page`: "the page this turn leads to". The pager does the rest:

* the Previous/Next row (:meth:`Pager.view`), disabled at either end, whose
  custom_ids carry the server, the state and a :class:`Turn`;
* the click, in any process running the bot (:attr:`Pager.button` is the
  ``DynamicItem`` class to register in ``cog_load``): a button of another server
  is refused ephemerally and changes nothing; so is anything the feature refuses
  (a ceremony that no longer exists) by raising a ``LoungeError``;
* where the answer goes (:func:`edits_in_place`): the clicked message is edited
  when it is the clicker's own (their ephemeral reply, or the public reply to
  their command), otherwise (a board posted in a channel, someone else's reply)
  the clicker gets the page as a fresh ephemeral message whose buttons are theirs.
  A click always carries its own interaction token, so this works the same after
  the original reply's token expired (15 minutes). If Discord refuses the edit,
  the page is sent fresh instead: never silence;
* Discord's 3 seconds: slow pages are deferred (a deferred update when editing).

One custom_id shape for every pager::

    lounge:<name>:<server>:<state>:<way><number>:<anchor>

``way`` is ``p`` (Previous) or ``n`` (Next); ``number`` the 1-based page number it
leads to (base 62, at most 4 digits); ``anchor`` the feature's position,
``[0-9a-zA-Z.-]``, at most :data:`ANCHOR_LIMIT` characters: a keyset cursor (the
boards: the first or last row shown; empty for the first page) or empty (numbered
pages, e.g. the roster: the number is the position). The server and the page
spend 27 characters with the separators: name, state and anchor share the other 73.
Example: ``lounge:board:1Kfd0bM7Ga2:l3:n2:a.3.1qqaxhUBq.Xm2LkT1kq2``.

A page may carry the feature's own components above the row (:attr:`Page.items`,
e.g. a ballot's selects): DynamicItems of the feature, bound and registered by it
(:func:`bot.components.bound`). After one of them changed something, its callback
shows the page again, in place, with :meth:`Pager.answer`.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

import discord

from bot import custom_ids
from bot.components import forged, numbers, server_of
from bot.custom_ids import ID, encode_int
from bot.embeds import Embed
from bot.interaction_errors import UNANSWERABLE_CODES, report_error
from bot.types import guild_id_of
from bot.ui import NO_PINGS, Button, PostedView, action_row, deferring_if_slow, respond, to_discord

log = logging.getLogger(__name__)

S = TypeVar("S")

ANCHOR_LIMIT = 60
ANCHOR = rf"[0-9a-zA-Z.\-]{{0,{ANCHOR_LIMIT}}}"
NUMBER_WIDTH = 4
"""Page numbers up to 62**4 - 1 (14 million pages)."""
FIXED_LENGTH = len(custom_ids.PREFIX) + 5 * len(custom_ids.SEPARATOR) + custom_ids.INT_WIDTH + 1 + NUMBER_WIDTH
"""What every pager id spends besides its name, state and anchor (27): those three share the other 73."""
MAX_NUMBER = custom_ids.BASE**NUMBER_WIDTH - 1
NEVER = r"(?!)"
"""A template nothing matches: the unbound base classes are never registered."""


class Way(StrEnum):
    PREVIOUS = "p"
    NEXT = "n"


@dataclass(frozen=True, slots=True)
class Turn:
    """Where a Previous/Next button leads: page `number` (1-based), reached `way` from `anchor`."""

    way: Way
    number: int
    anchor: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.number <= MAX_NUMBER:
            raise ValueError(f"page number {self.number} is out of range")
        if re.fullmatch(ANCHOR, self.anchor) is None:
            raise ValueError(f"anchor {self.anchor!r} is not [0-9a-zA-Z.-]{{0,{ANCHOR_LIMIT}}}")

    @classmethod
    def first(cls) -> Turn:
        return cls(Way.NEXT, 1)


@dataclass(frozen=True, slots=True)
class Page(Generic[S]):
    """One page as the pager shows it."""

    embed: Embed | discord.Embed
    """The page's embed (one discord.py sends as it is: e.g. a :class:`bot.ui.RenderedEmbed` drawn
    mostly once for many readers)."""
    previous: Turn | None
    """Where Previous leads; None at the first page (the button is disabled)."""
    next: Turn | None
    """Where Next leads; None at the last page."""
    note: str | None = None
    """Told above the page, e.g. that the data moved since the clicked page was shown."""
    items: Sequence[discord.ui.Item[Any]] = ()
    """The feature's own components, shown above the Previous/Next row."""
    state: S | None = None
    """The state the buttons carry from now on, when the page settled it (e.g. "the current
    ceremony" became ceremony 12); None keeps the state asked for."""


class PageButton(discord.ui.DynamicItem[Button], template=NEVER):
    """Previous or Next of one :class:`Pager`: each pager registers its own subclass, bound to it."""

    pager: ClassVar[Pager[Any]]

    def __init__(self, custom_id: str, *, way: Way, disabled: bool = False, label: str | None = None) -> None:
        previous = way is Way.PREVIOUS
        super().__init__(discord.ui.Button(
            label=label or ("Previous" if previous else "Next"), emoji="◀️" if previous else "▶️",
            style=discord.ButtonStyle.secondary, custom_id=custom_id, disabled=disabled,
        ))

    @staticmethod
    def component(custom_id: str, *, way: Way, disabled: bool = False) -> dict[str, Any]:
        """The button as Discord's component payload: exactly what the item above sends
        (tests/core/test_paging.py holds the two side by side), written directly."""
        previous = way is Way.PREVIOUS
        return {"type": discord.ComponentType.button.value, "style": discord.ButtonStyle.secondary.value,
                "disabled": disabled, "label": "Previous" if previous else "Next", "custom_id": custom_id,
                "emoji": {"id": None, "name": "◀️" if previous else "▶️"}}

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match.string, way=Way(match["way"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.pager.clicked(interaction, self.custom_id)


class PageRow(PostedView):
    """Previous and Next as Discord's raw row (:class:`bot.ui.PostedView`: discord.py neither
    builds nor keeps a view for them; their clicks reach the pager's registered item). The
    buttons as items are built only for whoever asks for :attr:`children`."""

    def __init__(self, button: type[PageButton], specs: list[tuple[str, Way, bool]]) -> None:
        super().__init__([action_row(*(button.component(custom_id, way=way, disabled=disabled)
                                       for custom_id, way, disabled in specs))])
        self._button = button
        self._specs = specs

    @property
    def children(self) -> list[discord.ui.Item[Any]]:
        return [self._button(custom_id, way=way, disabled=disabled) for custom_id, way, disabled in self._specs]

    def __repr__(self) -> str:
        return f"<PageRow {[custom_id for custom_id, _, _ in self._specs]}>"


class Pager(ABC, Generic[S]):
    """A paged view: subclass it per feature, build it once with its services, register :attr:`button`."""

    name: ClassVar[str]
    """The custom_id's name: lowercase letters, unique among the bot's components."""
    state_pattern: ClassVar[str]
    """A regular expression for the encoded state (no ``:``)."""

    def __init__(self) -> None:
        self.template = custom_ids.template(
            self.name, rf"(?P<guild>{ID})", rf"(?P<state>{self.state_pattern})",
            rf"(?P<way>[pn])(?P<number>[0-9a-zA-Z]{{1,{NUMBER_WIDTH}}})", rf"(?P<anchor>{ANCHOR})",
        )
        self._pattern = re.compile(self.template)
        bound: type[PageButton] = type(
            f"{type(self).__name__}Button", (PageButton,), {"pager": self}, template=self.template
        )
        self.button = bound
        """This pager's ``DynamicItem`` class: register it with ``bot.add_dynamic_items`` in ``cog_load``,
        and build every row through :meth:`view` (discord.py registers the class of the items it sends)."""

    # ---- what a feature writes -------------------------------------------------------------

    @abstractmethod
    def encode_state(self, state: S) -> str:
        """The state as it goes into the custom_id (matching :attr:`state_pattern`)."""

    @abstractmethod
    def decode_state(self, text: str) -> S:
        """The inverse of :meth:`encode_state`; a ``LoungeError`` for a value the bot never wrote."""

    @abstractmethod
    async def page(self, interaction: discord.Interaction[Any], guild_id: int, state: S, turn: Turn) -> Page[S]:
        """The page `turn` leads to, for ``interaction.user``; raise a ``LoungeError`` to refuse.

        The data may have moved since the clicked page was drawn: show what is there now
        (and say so in :attr:`Page.note`), clamped into range.
        """

    # ---- what the pager gives ---------------------------------------------------------------

    def custom_id(self, guild_id: int, state: S, turn: Turn) -> str:
        return custom_ids.custom_id(
            self.name, guild_id, self.encode_state(state), f"{turn.way}{encode_int(turn.number)}", turn.anchor
        )

    def _ends(self, guild_id: int, state: S, page: Page[S]) -> list[tuple[str, Way, bool]]:
        """Previous and Next as (custom_id, way, disabled); an end's button is disabled (its id
        only has to be distinct)."""
        previous = page.previous or Turn(Way.PREVIOUS, 1)
        following = page.next or Turn(Way.NEXT, 1)
        return [
            (self.custom_id(guild_id, state, previous), Way.PREVIOUS, page.previous is None),
            (self.custom_id(guild_id, state, following), Way.NEXT, page.next is None),
        ]

    def buttons(self, guild_id: int, state: S, page: Page[S]) -> list[PageButton]:
        """The Previous/Next pair as items, for a view that holds a feature's own items too."""
        return [self.button(custom_id, way=way, disabled=disabled)
                for custom_id, way, disabled in self._ends(guild_id, state, page)]

    def view(self, guild_id: int, state: S, page: Page[S]) -> discord.ui.View | None:
        """The page's components: its own items, then Previous/Next (left out when both ends are closed)."""
        if page.state is not None:
            state = page.state
        if not page.items and page.previous is None and page.next is None:
            return None  # a one-page board: no components (and no View built to find that out)
        if not page.items:
            return PageRow(self.button, self._ends(guild_id, state, page))
        view = discord.ui.View(timeout=None)
        for item in page.items:
            view.add_item(item)
        if page.previous is not None or page.next is not None:
            for button in self.buttons(guild_id, state, page):
                view.add_item(button)
        return view if view.children else None

    async def open(self, interaction: discord.Interaction[Any], state: S, *, ephemeral: bool = True) -> None:
        """Answer a command with the first page (a LoungeError becomes the one error path's reply)."""
        guild_id = guild_id_of(interaction)
        first = self.page(interaction, guild_id, state, Turn.first())
        await self.reply(interaction, state, await _in_time(interaction, first, in_place=False, ephemeral=ephemeral),
                         ephemeral=ephemeral)

    async def reply(self, interaction: discord.Interaction[Any], state: S, page: Page[S], *, ephemeral: bool) -> None:
        """Answer a command with `page` (built by the feature itself, e.g. with what the command knows)."""
        await _send(interaction, page, self.view(guild_id_of(interaction), state, page), ephemeral=ephemeral)

    async def clicked(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        """A Previous/Next click: check the id, then :meth:`answer` it."""
        try:
            guild_id, state, turn = self._parse(interaction, custom_id)
        except Exception as error:  # the one error path: refused ephemerally, nothing changed
            await report_error(interaction, error)
            return
        await self.answer(interaction, guild_id, state, turn)

    async def answer(self, interaction: discord.Interaction[Any], guild_id: int, state: S, turn: Turn) -> None:
        """Show the page `turn` leads to where it belongs (for items of other shapes too, e.g. old ids)."""
        try:
            in_place = edits_in_place(interaction)
            page = await _in_time(interaction, self.page(interaction, guild_id, state, turn), in_place=in_place)
            view = self.view(guild_id, state, page)
            if in_place and await _edit(interaction, page, view):
                return
            await _send(interaction, page, view, ephemeral=True)
        except Exception as error:  # the one error path: refusals are told ephemerally, the rest logged
            await report_error(interaction, error)

    def _parse(self, interaction: discord.Interaction[Any], custom_id: str) -> tuple[int, S, Turn]:
        match = self._pattern.fullmatch(custom_id)
        if match is None:
            raise forged()
        guild_id = server_of(interaction, match)
        (number,) = numbers(match, "number")
        try:
            turn = Turn(Way(match["way"]), number, match["anchor"])
            state = self.decode_state(match["state"])
        except (ValueError, KeyError) as error:
            raise forged() from error
        return guild_id, state, turn


def edits_in_place(interaction: discord.Interaction[Any]) -> bool:
    """Whether a click may change the message it was made on: only when the message is the clicker's.

    An ephemeral message only its reader can click; a public reply belongs to whoever ran the
    command. A channel post (no interaction behind it) or someone else's reply is left as it is.
    """
    message = interaction.message
    if message is None:
        return False
    if message.flags.ephemeral:
        return True
    metadata = message.interaction_metadata
    return metadata is not None and metadata.user.id == interaction.user.id


T = TypeVar("T")


async def _in_time(
    interaction: discord.Interaction[Any], work: Awaitable[T], *, in_place: bool, ephemeral: bool = True
) -> T:
    """Await `work`; past DEFER_AFTER_SECONDS, defer so the answer can follow within 15 minutes
    (:func:`bot.ui.deferring_if_slow`: a timer watches the clock, the work runs in this task).

    Editing in place defers as an update (nothing new shown); a fresh page defers as a
    "thinking…" message (ephemeral unless told otherwise).
    """
    if in_place:
        return await deferring_if_slow(interaction, work, interaction.response.defer)
    return await deferring_if_slow(
        interaction, work, lambda: interaction.response.defer(ephemeral=ephemeral, thinking=True))


async def _edit(interaction: discord.Interaction[Any], page: Page[Any], view: discord.ui.View | None) -> bool:
    """Edit the clicked message into `page`; False when Discord refused (then the page is sent fresh)."""
    embed = to_discord(page.embed)
    try:
        if interaction.response.is_done():
            await interaction.edit_original_response(
                content=page.note, embed=embed, view=view, allowed_mentions=NO_PINGS
            )
        else:
            await respond(interaction, interaction.response.edit_message(
                content=page.note, embed=embed, view=view, allowed_mentions=NO_PINGS
            ))
    except discord.HTTPException as error:
        if error.code in UNANSWERABLE_CODES:
            raise
        log.info("could not edit the clicked message in place (%s): sending the page fresh", error)
        return False
    return True


async def _send(
    interaction: discord.Interaction[Any], page: Page[Any], view: discord.ui.View | None, *, ephemeral: bool
) -> None:
    kwargs: dict[str, Any] = {"embed": to_discord(page.embed), "ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if page.note:
        kwargs["content"] = page.note
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await respond(interaction, interaction.response.send_message(**kwargs))
