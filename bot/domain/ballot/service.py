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
from dataclasses import dataclass, field
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
from bot.domain.losers.service import MEMBER_PICKS_KEY, LoserService, PickReceipt, member_picks
from bot.domain.settings.service import SettingsService
from bot.kept import KeptWith
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


@dataclass(frozen=True, slots=True)
class _ScopeList:
    """A scope's categories in running order, as every click reads them: built once a layout
    (:func:`_scope_list`), where a click only adds the member's picks (:class:`_Entries`)."""

    categories: tuple[Category, ...]
    positions: tuple[int, ...]  # ascending: the layout's running order (position, id)
    logged: tuple[bool, ...]
    ids: frozenset[int]
    lines: dict[tuple[int, int | None], BallotLine] = field(default_factory=dict, compare=False)
    """Each category's line for each pick, drawn once for the layout (see :func:`_lines`)."""


SCOPE_LISTS_KEPT = 64
_scope_lists: KeptWith[CeremonyLayout, _ScopeList] = KeptWith(SCOPE_LISTS_KEPT)


def _scope_list(layout: CeremonyLayout, scope: Scope) -> _ScopeList:
    """The scope's list of `layout`, kept with the layout (a new revision is a new layout)."""

    def build() -> _ScopeList:
        categories = layout.categories if scope == "all" else layout.telecast
        return _ScopeList(
            categories, tuple(category.position for category in categories),
            tuple(category.id in layout.logged for category in categories),
            frozenset(category.id for category in categories),
        )

    return _scope_lists.get(layout, scope, build)


class _Entries:
    """A scope's categories in running order with the member's picks: index ``i`` is
    ``categories[i]``, at ``positions[i]``, picked as ``pick_ids[i]`` (None: not picked) and
    ``open[i]`` when it is open and unpicked. Parallel lists, not an object per category: this is
    built on every click."""

    __slots__ = ("categories", "layout", "listed", "open", "pick_ids", "positions")

    def __init__(self, layout: CeremonyLayout, listed: _ScopeList, picks: dict[int, int]) -> None:
        self.layout = layout
        self.listed = listed
        self.categories = listed.categories
        self.positions = listed.positions
        self.pick_ids = [picks.get(category.id) for category in listed.categories]
        self.open = [pick is None and not logged for pick, logged in zip(self.pick_ids, listed.logged, strict=True)]

    def __len__(self) -> int:
        return len(self.categories)

    def unpicked(self) -> list[int]:
        """The indexes of the open categories the member has not picked."""
        return [index for index, is_open in enumerate(self.open) if is_open]

    def at(self, indexes: Iterable[int]) -> tuple[int, ...]:
        positions = self.positions
        return tuple(positions[index] for index in indexes)


class BallotService:
    """Reads ballot pages; records picks through the losers service (the rules of `/pick`)."""

    def __init__(
        self, db: Database, losers: LoserService, settings: SettingsService, layouts: LayoutCache | None = None
    ) -> None:
        self._db = db
        self._losers = losers
        self._settings = settings
        self._layouts = layouts if layouts is not None else LayoutCache()
        self._picks_tracked = False

    async def open(self, guild_id: int, user_id: int, *, scope: Scope, category: str | None = None) -> BallotPage:
        """The first page, or the page holding `category` (an autocomplete value or a name).
        A category outside the telecast scope opens the whole ballot (scope ``all``)."""
        ceremony = await require_current(self._db, guild_id)
        if category is not None and category.strip():
            found = await resolve_category(self._db, ceremony, category)
            entries = await self._entries(ceremony, user_id, scope)
            if found.id not in entries.listed.ids:
                scope = "all"
                entries = await self._entries(ceremony, user_id, scope)
            index = next(i for i, category in enumerate(entries.categories) if category.id == found.id)
            start = index - index % PAGE_SIZE
            cursor = BallotCursor(ceremony.id, scope, False, entries.positions[start:start + PAGE_SIZE])
            return await self._page(guild_id, ceremony, user_id, cursor, entries)
        entries = await self._entries(ceremony, user_id, scope)
        cursor = BallotCursor(ceremony.id, scope, False, entries.positions[:PAGE_SIZE])
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
        return await self._page(guild_id, ceremony, user_id, _turned(entries, cursor, way), entries)

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
        await self._track_picks()
        receipt = await self._losers.pick(  # the picks it leaves are kept: the page reads none
            guild_id, user_id=user_id, display_name=display_name, category=str(category_id),
            nominee=str(nominee_id), ceremony_id=cursor.ceremony_id, nominee_check=nominee_check, keep_picks=True,
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
        return _Entries(layout, _scope_list(layout, scope), await self._picks(ceremony, user_id))

    async def _picks(self, ceremony: Ceremony, user_id: int) -> dict[int, int]:
        """The member's picks in the ceremony, category id -> nominee id: kept between their own
        picks (:meth:`Database.tracked`: a member paging through their ballot reads them once,
        however many others pick meanwhile). Never to be changed by the caller."""
        await self._track_picks()
        return await self._db.tracked("picks", (ceremony.guild_id, user_id, ceremony.id),
                                      lambda: member_picks(self._db, ceremony.guild_id, user_id, ceremony.id))

    async def _track_picks(self) -> None:
        if not self._picks_tracked:
            await self._db.track("picks", MEMBER_PICKS_KEY)
            self._picks_tracked = True

    async def _page(
        self, guild_id: int, ceremony: Ceremony, user_id: int, cursor: BallotCursor, entries: _Entries,
        receipt: PickReceipt | None = None,
    ) -> BallotPage:
        shape = _shape(entries, cursor)
        settings = await self._settings.get(guild_id)
        return BallotPage(
            ceremony=ceremony,
            cursor=shape.cursor,
            lines=_lines(entries, shape.shown),
            total=len(entries),
            picked=len(entries) - entries.pick_ids.count(None),
            to_pick=entries.open.count(True),
            first_index=shape.first_index,
            has_previous=shape.has_previous,
            has_next=shape.has_next,
            telecast_marked=entries.layout.telecast_marked,
            spoiler_safe=settings.spoiler_safe,
            receipt=receipt,
        )


def _turned(entries: _Entries, cursor: BallotCursor, way: Turn) -> BallotCursor:
    """The cursor of the page before or after `cursor`'s, or of the ballot with the filter switched."""
    positions = entries.positions
    first, last = (min(cursor.positions), max(cursor.positions)) if cursor.positions else (-1, -1)
    if way == "only_unpicked":
        return cursor.showing(entries.at(entries.unpicked()[:PAGE_SIZE]), only_unpicked=True)
    if way == "show_all":
        return cursor.showing(_aligned(positions, first), only_unpicked=False)
    if cursor.only_unpicked:
        wanted = entries.unpicked()
        if way == "next":
            shown = [index for index in wanted if positions[index] > last][:PAGE_SIZE]
        else:
            shown = [index for index in wanted if positions[index] < first][-PAGE_SIZE:]
        return cursor.showing(entries.at(shown) or cursor.positions)
    if way == "next":
        beyond = next((position for position in positions if position > last), None)
    else:
        beyond = next((position for position in reversed(positions) if position < first), None)
    return cursor.showing(cursor.positions if beyond is None else _aligned(positions, beyond))


class _Shape(NamedTuple):
    """Where a page sits in its scope (:func:`_shape`)."""

    cursor: BallotCursor
    shown: list[int]  # the indexes of its categories
    first_index: int
    has_previous: bool
    has_next: bool


def _shape(entries: _Entries, cursor: BallotCursor) -> _Shape:
    """The categories `cursor` names, as they stand (the top of the list when none of them is
    left), and what lies before and after them (the unpicked only, with that filter)."""
    positions = entries.positions
    wanted = set(cursor.positions)
    shown = [index for index, position in enumerate(positions) if position in wanted][:PAGE_SIZE]
    if not shown and positions and cursor.positions:  # the page's categories are gone: start again at the top
        shown = list(range(min(len(positions), PAGE_SIZE)))
        cursor = cursor.showing(entries.at(shown), only_unpicked=False)
    cursor = cursor.showing(entries.at(shown))
    candidates = entries.at(entries.unpicked()) if cursor.only_unpicked else positions
    first = positions[shown[0]] if shown else -1
    last = positions[shown[-1]] if shown else -1
    # Positions ascend, so what comes before or after is told by the ends of the candidates.
    return _Shape(
        cursor, shown, shown[0] if shown else 0,
        has_previous=bool(candidates) and candidates[0] < first,
        has_next=bool(candidates) and candidates[-1] > last,
    )


def _aligned(positions: tuple[int, ...], position: int) -> tuple[int, ...]:
    """The positions of the full list's page holding `position` (the first page if it is gone)."""
    index = next((i for i, at in enumerate(positions) if at >= position), 0)
    start = index - index % PAGE_SIZE
    return positions[start:start + PAGE_SIZE]


def _lines(entries: _Entries, shown: Sequence[int]) -> tuple[BallotLine, ...]:
    """Each shown category's nominees, the member's pick and its winners once logged: a line
    depends only on the layout and the pick, so each is built once a layout and is the same
    object for every member who picked the same (the ballot's rendering keeps its text with it)."""
    layout, kept = entries.layout, entries.listed.lines
    lines: list[BallotLine] = []
    for index in shown:
        category, pick_id = entries.categories[index], entries.pick_ids[index]
        line = kept.get((category.id, pick_id))
        if line is None:
            line = kept[(category.id, pick_id)] = BallotLine(
                category, layout.nominees_of(category.id),
                None if pick_id is None else layout.nominee_by_id.get(pick_id), layout.winners_of(category.id),
            )
        lines.append(line)
    return tuple(lines)
