"""The ballot: a member's picks for a whole ceremony, four categories to a page.

A ballot lists the current ceremony's categories in running order (``categories.position``,
the order of the imported file): the ``telecast`` scope holds the awards presented on
air (``categories.telecast``), ``all`` every category. A ceremony that marks no category
as telecast (a CSV, a file without the flag) shows every category in both scopes.

Choosing a nominee records the pick through :meth:`LoserService.pick`, so the ballot
follows exactly the rules of ``/pick``: one pick per category, changeable until the
result is logged, refused after it and outside a draft or live ceremony.

A page is named by a :class:`BallotCursor` (the ceremony, the scope, the "only
unpicked" filter and the positions of the categories it shows), small enough to live in
a Discord ``custom_id``. Re-reading a cursor shows the same categories with their
current picks and results, so a ballot answered after a restart, or long after it was
opened, is current and never drops a category from under the member. With "only
unpicked", paging skips the categories already picked or logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Literal, NamedTuple

from bot.db import Database
from bot.domain.ceremonies.layout import CeremonyLayout, LayoutCache
from bot.domain.ceremonies.service import (
    Category,
    Ceremony,
    Nominee,
    require_current,
    require_same,
    resolve_category,
)
from bot.domain.errors import NotFound
from bot.domain.losers.service import LoserService, PickReceipt
from bot.domain.settings.service import SettingsService
from bot.text import safe

Scope = Literal["telecast", "all"]
Turn = Literal["previous", "next", "only_unpicked", "show_all"]
PAGE_SIZE = 4
"""Categories per page: four select menus, and the row of buttons, fill Discord's five rows."""


@dataclass(frozen=True, slots=True)
class BallotCursor:
    """Which page of whose ballot: everything a ballot's components need to carry."""

    ceremony_id: int
    scope: Scope
    only_unpicked: bool
    positions: tuple[int, ...]  # the categories shown, by running-order position

    def showing(self, positions: tuple[int, ...], *, only_unpicked: bool | None = None) -> BallotCursor:
        """This ballot at other categories (and filter): built directly, as every click does it
        (``dataclasses.replace`` costs several times more)."""
        return BallotCursor(self.ceremony_id, self.scope,
                            self.only_unpicked if only_unpicked is None else only_unpicked, positions)


@dataclass(frozen=True, slots=True)
class BallotLine:
    """One category on a page: its nominees, the member's pick and the winners once logged."""

    category: Category
    nominees: tuple[Nominee, ...]
    pick: Nominee | None
    winners: tuple[Nominee, ...]

    @property
    def logged(self) -> bool:
        return bool(self.winners)


@dataclass(frozen=True, slots=True)
class BallotPage:
    ceremony: Ceremony
    cursor: BallotCursor
    lines: tuple[BallotLine, ...]
    total: int  # categories in the scope
    picked: int  # of them, those the member has picked
    to_pick: int  # open categories (no result yet) the member has not picked
    first_index: int  # where the page starts in the scope's list (0-based)
    has_previous: bool
    has_next: bool
    telecast_marked: bool  # the ceremony marks its telecast categories
    spoiler_safe: bool
    receipt: PickReceipt | None = None  # the pick this answer just recorded

    @property
    def scope(self) -> Scope:
        return self.cursor.scope

    @property
    def only_unpicked(self) -> bool:
        return self.cursor.only_unpicked

    @property
    def page_number(self) -> int:
        """1-based page of the full list (the "only unpicked" pages are not numbered)."""
        return self.first_index // PAGE_SIZE + 1

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / PAGE_SIZE))

    @property
    def closed(self) -> bool:
        """The ceremony has ended: the ballot is a record, nothing can be picked."""
        return self.ceremony.state == "ended"


class _Entries(list["_Entry"]):
    """A scope's categories in running order, with the member's picks, and the layout they were read from."""

    def __init__(self, entries: Iterable[_Entry], *, layout: CeremonyLayout) -> None:
        super().__init__(entries)
        self.layout = layout


class _Entry(NamedTuple):
    """A category of the scope with the member's pick: one per category on every click, so a
    tuple (half a frozen dataclass's cost to build)."""

    category: Category
    pick_id: int | None
    logged: bool

    @property
    def open_and_unpicked(self) -> bool:
        return self.pick_id is None and not self.logged


class BallotService:
    """Reads ballot pages; records picks through the losers service (the rules of `/pick`)."""

    def __init__(
        self, db: Database, losers: LoserService, settings: SettingsService, layouts: LayoutCache | None = None
    ) -> None:
        self._db = db
        self._losers = losers
        self._settings = settings
        self._layouts = layouts if layouts is not None else LayoutCache()

    async def open(self, guild_id: int, user_id: int, *, scope: Scope, category: str | None = None) -> BallotPage:
        """The first page, or the page holding `category` (an autocomplete value or a name).
        A category outside the telecast scope opens the whole ballot (scope ``all``)."""
        ceremony = await require_current(self._db, guild_id)
        if category is not None and category.strip():
            found = await resolve_category(self._db, ceremony, category)
            entries = await self._entries(ceremony, user_id, scope)
            if all(entry.category.id != found.id for entry in entries):
                scope = "all"
                entries = await self._entries(ceremony, user_id, scope)
            index = next(i for i, entry in enumerate(entries) if entry.category.id == found.id)
            start = index - index % PAGE_SIZE
            cursor = BallotCursor(ceremony.id, scope, False, _positions(entries[start:start + PAGE_SIZE]))
            return await self._page(guild_id, ceremony, user_id, cursor, entries)
        entries = await self._entries(ceremony, user_id, scope)
        cursor = BallotCursor(ceremony.id, scope, False, _positions(entries[:PAGE_SIZE]))
        return await self._page(guild_id, ceremony, user_id, cursor, entries)

    async def page(self, guild_id: int, user_id: int, cursor: BallotCursor) -> BallotPage:
        """The page `cursor` names, as it stands now (the first page if none of it is left)."""
        ceremony = await self._ceremony_of(guild_id, cursor)
        entries = await self._entries(ceremony, user_id, cursor.scope)
        return await self._page(guild_id, ceremony, user_id, cursor, entries)

    async def turn(self, guild_id: int, user_id: int, cursor: BallotCursor, way: Turn) -> BallotPage:
        """The page before or after `cursor`'s, or the ballot with the filter switched."""
        ceremony = await self._ceremony_of(guild_id, cursor)
        entries = await self._entries(ceremony, user_id, cursor.scope)
        first, last = (min(cursor.positions), max(cursor.positions)) if cursor.positions else (-1, -1)
        if way == "only_unpicked":
            shown = [entry for entry in entries if entry.open_and_unpicked][:PAGE_SIZE]
            turned = cursor.showing(_positions(shown), only_unpicked=True)
        elif way == "show_all":
            turned = cursor.showing(_aligned(entries, first), only_unpicked=False)
        elif cursor.only_unpicked:
            wanted = [entry for entry in entries if entry.open_and_unpicked]
            if way == "next":
                shown = [entry for entry in wanted if entry.category.position > last][:PAGE_SIZE]
            else:
                shown = [entry for entry in wanted if entry.category.position < first][-PAGE_SIZE:]
            turned = cursor.showing(_positions(shown) or cursor.positions)
        else:
            if way == "next":
                beyond = [entry for entry in entries if entry.category.position > last][:1]
            else:
                beyond = [entry for entry in entries if entry.category.position < first][-1:]
            positions = _aligned(entries, beyond[0].category.position) if beyond else cursor.positions
            turned = cursor.showing(positions)
        return await self._page(guild_id, ceremony, user_id, turned, entries)

    async def choose(
        self, guild_id: int, *, user_id: int, display_name: str, cursor: BallotCursor, category_id: int,
        nominee_id: int, nominee_check: str | None = None,
    ) -> BallotPage:
        """Record the member's pick of `nominee_id` in `category_id` (the rules of `/pick`), then
        read the page again. `nominee_check` is the nominee's fingerprint as the menu showed it."""
        ceremony = await self._ceremony_of(guild_id, cursor)
        found = (await self._layouts.layout(self._db, ceremony)).by_id.get(category_id)
        if found is None:
            raise NotFound(
                f"That category is no longer part of {safe(ceremony.title, 100)}: nothing was changed.",
                reason="unknown_category", category_id=category_id,
            )
        receipt = await self._losers.pick(
            guild_id, user_id=user_id, display_name=display_name, category=str(category_id),
            nominee=str(nominee_id), ceremony_id=cursor.ceremony_id, nominee_check=nominee_check,
        )
        entries = await self._entries(ceremony, user_id, cursor.scope)
        return await self._page(guild_id, ceremony, user_id, cursor, entries, receipt)

    # ---- reading ------------------------------------------------------------------------------

    async def _ceremony_of(self, guild_id: int, cursor: BallotCursor) -> Ceremony:
        ceremony = await require_current(self._db, guild_id)
        require_same(ceremony, cursor.ceremony_id)
        return ceremony

    async def _entries(self, ceremony: Ceremony, user_id: int, scope: Scope) -> _Entries:
        layout = await self._layouts.layout(self._db, ceremony)
        rows = await self._db.fetch_all(
            "SELECT category_id, nominee_id FROM picks WHERE guild_id = ? AND user_id = ? AND ceremony_id = ?",
            (ceremony.guild_id, user_id, ceremony.id),
        )
        picks = {row[0]: row[1] for row in rows}
        logged = layout.logged
        return _Entries(
            (_Entry(category, picks.get(category.id), category.id in logged)
             for category in (layout.categories if scope == "all" else layout.telecast)),
            layout=layout,
        )

    async def _page(
        self, guild_id: int, ceremony: Ceremony, user_id: int, cursor: BallotCursor, entries: _Entries,
        receipt: PickReceipt | None = None,
    ) -> BallotPage:
        wanted = set(cursor.positions)
        shown = [entry for entry in entries if entry.category.position in wanted][:PAGE_SIZE]
        if not shown and entries and cursor.positions:  # the page's categories are gone: start again at the top
            shown = entries[:PAGE_SIZE]
            cursor = cursor.showing(_positions(shown), only_unpicked=False)
        cursor = cursor.showing(_positions(shown))
        lines = _lines(entries.layout, shown)
        candidates = [e for e in entries if e.open_and_unpicked] if cursor.only_unpicked else entries
        first = shown[0].category.position if shown else -1
        last = shown[-1].category.position if shown else -1
        settings = await self._settings.get(guild_id)
        return BallotPage(
            ceremony=ceremony,
            cursor=cursor,
            lines=tuple(lines),
            total=len(entries),
            picked=sum(1 for entry in entries if entry.pick_id is not None),
            to_pick=sum(1 for entry in entries if entry.open_and_unpicked),
            first_index=next((i for i, e in enumerate(entries) if e.category.position == first), 0),
            has_previous=any(entry.category.position < first for entry in candidates),
            has_next=any(entry.category.position > last for entry in candidates),
            telecast_marked=entries.layout.telecast_marked,
            spoiler_safe=settings.spoiler_safe,
            receipt=receipt,
        )


def _positions(entries: Sequence[_Entry]) -> tuple[int, ...]:
    return tuple(entry.category.position for entry in entries)


def _aligned(entries: list[_Entry], position: int) -> tuple[int, ...]:
    """The positions of the full list's page holding `position` (the first page if it is gone)."""
    index = next((i for i, entry in enumerate(entries) if entry.category.position >= position), 0)
    start = index - index % PAGE_SIZE
    return _positions(entries[start:start + PAGE_SIZE])


def _lines(layout: CeremonyLayout, shown: Sequence[_Entry]) -> list[BallotLine]:
    """Each shown category's nominees, the member's pick and its winners once logged."""
    return [
        BallotLine(
            entry.category,
            layout.nominees_of(entry.category.id),
            None if entry.pick_id is None else layout.nominee_by_id.get(entry.pick_id),
            layout.winners_of(entry.category.id),
        )
        for entry in shown
    ]
