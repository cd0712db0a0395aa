"""A ceremony's layout, kept in memory: its categories in running order, their nominees, and
which are logged with their winners.

The ballot draws a page on every click of every member (issue 17): reading 103 categories
and their nominees from SQLite for each one cost more than discord.py's whole answer. The
layout changes only when a host edits the ceremony or logs, changes or undoes a result, and
every such change bumps the ceremony's ``revision`` (triggers of migration 0012, in the
writer's transaction). :class:`LayoutCache` keeps a layout under the revision of the
ceremony row it was read for: a ceremony read at another revision reads its layout again.
A layout is read after its ceremony's row, so it is never older than its revision.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.ceremonies.service import (
    _CATEGORY_COLUMNS,
    _NOMINEE_COLUMNS,
    Category,
    Ceremony,
    Nominee,
    Reader,
    _category,
    _nominee,
)

CEREMONIES_KEPT = 32
"""Layouts kept (least recently used dropped): a server reads only its current ceremony."""


@dataclass(frozen=True, slots=True)
class CeremonyLayout:
    ceremony_id: int
    created_at: datetime  # with the id, names the ceremony even if a restored file reused its id
    revision: int
    categories: tuple[Category, ...]  # running order (position, id)
    telecast: tuple[Category, ...]  # the telecast ones in running order; every category if none is marked
    by_id: Mapping[int, Category]
    nominees: Mapping[int, tuple[Nominee, ...]]  # category id -> its nominees in order
    nominee_by_id: Mapping[int, Nominee]
    logged: frozenset[int]  # category ids with a result
    winners: Mapping[int, tuple[Nominee, ...]]  # category id -> its winners, in nominee order

    telecast_marked: bool  # the ceremony marks its telecast categories (a CSV, or a file without the flag, marks none)

    def nominees_of(self, category_id: int) -> tuple[Nominee, ...]:
        return self.nominees.get(category_id, ())

    def winners_of(self, category_id: int) -> tuple[Nominee, ...]:
        return self.winners.get(category_id, ())


async def read_layout(reader: Reader, ceremony: Ceremony) -> CeremonyLayout:
    """The layout as it stands (three queries), labelled with the revision `ceremony` was read at."""
    category_rows = await reader.fetch_all(
        f"SELECT {_CATEGORY_COLUMNS} FROM categories WHERE ceremony_id = ? ORDER BY position, id",  # noqa: S608
        (ceremony.id,),
    )
    categories = tuple(_category(row) for row in category_rows)
    marked = any(category.telecast for category in categories)
    nominee_rows = await reader.fetch_all(
        f"SELECT n.{_NOMINEE_COLUMNS.replace(', ', ', n.')}, "  # noqa: S608
        "EXISTS (SELECT 1 FROM result_winners w WHERE w.nominee_id = n.id) AS won "
        "FROM nominees n JOIN categories c ON c.id = n.category_id "
        "WHERE c.ceremony_id = ? ORDER BY n.category_id, n.position, n.id",
        (ceremony.id,),
    )
    logged_rows = await reader.fetch_all("SELECT category_id FROM results WHERE ceremony_id = ?", (ceremony.id,))
    nominees: dict[int, list[Nominee]] = {}
    winners: dict[int, list[Nominee]] = {}
    for row in nominee_rows:
        nominee = _nominee(row)
        nominees.setdefault(nominee.category_id, []).append(nominee)
        if row["won"]:
            winners.setdefault(nominee.category_id, []).append(nominee)
    return CeremonyLayout(
        ceremony_id=ceremony.id,
        created_at=ceremony.created_at,
        revision=ceremony.revision,
        categories=categories,
        telecast=tuple(category for category in categories if category.telecast) if marked else categories,
        telecast_marked=marked,
        by_id={category.id: category for category in categories},
        nominees={category_id: tuple(listed) for category_id, listed in nominees.items()},
        nominee_by_id={nominee.id: nominee for listed in nominees.values() for nominee in listed},
        logged=frozenset(int(row["category_id"]) for row in logged_rows),
        winners={category_id: tuple(listed) for category_id, listed in winners.items()},
    )


class LayoutCache:
    """The layouts last read, by ceremony; one is used only for the revision it was read at."""

    def __init__(self, kept: int = CEREMONIES_KEPT) -> None:
        self._kept = kept
        self._layouts: OrderedDict[int, CeremonyLayout] = OrderedDict()
        self.reads = 0  # layouts read from SQLite (a test's and a benchmark's figure)

    async def layout(self, reader: Reader, ceremony: Ceremony) -> CeremonyLayout:
        kept = self._layouts.get(ceremony.id)
        if kept is not None and kept.revision == ceremony.revision and kept.created_at == ceremony.created_at:
            self._layouts.move_to_end(ceremony.id)
            return kept
        fresh = await read_layout(reader, ceremony)
        self.reads += 1
        self._layouts[ceremony.id] = fresh
        self._layouts.move_to_end(ceremony.id)
        while len(self._layouts) > self._kept:
            self._layouts.popitem(last=False)
        return fresh
