"""The ballot's paging, held to its first reading: one entry per category, every rule a scan.

Every click reads the page through parallel lists built once a layout (bot/domain/ballot/service.py,
for speed). Here the first version's rules, written plainly, are the reference: on random
ceremonies (tied running-order positions, logged categories, telecast marks, picks) every turn
from every kind of cursor must land on the same page, counted the same way.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import NamedTuple

import pytest

from bot.domain.ballot import service
from bot.domain.ballot.service import PAGE_SIZE, BallotCursor, Scope, Turn
from bot.domain.ceremonies.layout import CeremonyLayout
from bot.domain.ceremonies.service import Category

WAYS: tuple[Turn, ...] = ("previous", "next", "only_unpicked", "show_all")


class Entry(NamedTuple):
    category: Category
    pick_id: int | None
    logged: bool

    @property
    def open_and_unpicked(self) -> bool:
        return self.pick_id is None and not self.logged


def positions_of(entries: list[Entry]) -> tuple[int, ...]:
    return tuple(entry.category.position for entry in entries)


def aligned(entries: list[Entry], position: int) -> tuple[int, ...]:
    index = next((i for i, entry in enumerate(entries) if entry.category.position >= position), 0)
    start = index - index % PAGE_SIZE
    return positions_of(entries[start:start + PAGE_SIZE])


def reference_turn(entries: list[Entry], cursor: BallotCursor, way: Turn) -> BallotCursor:
    first, last = (min(cursor.positions), max(cursor.positions)) if cursor.positions else (-1, -1)
    if way == "only_unpicked":
        shown = [entry for entry in entries if entry.open_and_unpicked][:PAGE_SIZE]
        return cursor.showing(positions_of(shown), only_unpicked=True)
    if way == "show_all":
        return cursor.showing(aligned(entries, first), only_unpicked=False)
    if cursor.only_unpicked:
        wanted = [entry for entry in entries if entry.open_and_unpicked]
        if way == "next":
            shown = [entry for entry in wanted if entry.category.position > last][:PAGE_SIZE]
        else:
            shown = [entry for entry in wanted if entry.category.position < first][-PAGE_SIZE:]
        return cursor.showing(positions_of(shown) or cursor.positions)
    if way == "next":
        beyond = [entry for entry in entries if entry.category.position > last][:1]
    else:
        beyond = [entry for entry in entries if entry.category.position < first][-1:]
    return cursor.showing(aligned(entries, beyond[0].category.position) if beyond else cursor.positions)


def reference_page(entries: list[Entry], cursor: BallotCursor) -> tuple[object, ...]:
    wanted = set(cursor.positions)
    shown = [entry for entry in entries if entry.category.position in wanted][:PAGE_SIZE]
    if not shown and entries and cursor.positions:
        shown = entries[:PAGE_SIZE]
        cursor = cursor.showing(positions_of(shown), only_unpicked=False)
    cursor = cursor.showing(positions_of(shown))
    candidates = [e for e in entries if e.open_and_unpicked] if cursor.only_unpicked else entries
    first = shown[0].category.position if shown else -1
    last = shown[-1].category.position if shown else -1
    return (
        cursor, [(entry.category.id, entry.pick_id) for entry in shown],
        sum(1 for entry in entries if entry.pick_id is not None),
        sum(1 for entry in entries if entry.open_and_unpicked),
        next((i for i, e in enumerate(entries) if e.category.position == first), 0),
        any(entry.category.position < first for entry in candidates),
        any(entry.category.position > last for entry in candidates),
    )


def page_now(entries: service._Entries, cursor: BallotCursor) -> tuple[object, ...]:
    shape = service._shape(entries, cursor)
    return (
        shape.cursor, [(line.category.id, entries.pick_ids[index])
                       for line, index in zip(service._lines(entries, shape.shown), shape.shown, strict=True)],
        len(entries) - entries.pick_ids.count(None), entries.open.count(True),
        shape.first_index, shape.has_previous, shape.has_next,
    )


def random_layout(rng: random.Random) -> tuple[CeremonyLayout, dict[int, int]]:
    count = rng.randint(0, 14)
    positions = sorted(rng.randint(0, 9) if rng.random() < 0.5 else index for index in range(count))
    categories = tuple(sorted(
        (Category(100 + index, 1, f"Category {index}", position, rng.random() < 0.5)
         for index, position in enumerate(positions)),
        key=lambda category: (category.position, category.id),
    ))
    marked = any(category.telecast for category in categories)
    logged = frozenset(category.id for category in categories if rng.random() < 0.3)
    layout = CeremonyLayout(
        ceremony_id=1, created_at=datetime(2014, 8, 25, tzinfo=UTC), revision=rng.randint(0, 5),
        categories=categories,
        telecast=tuple(c for c in categories if c.telecast) if marked else categories,
        telecast_marked=marked, by_id={c.id: c for c in categories}, nominees={}, nominee_by_id={},
        logged=logged, winners={},
    )
    picks = {category.id: 1_000 + category.id for category in categories if rng.random() < 0.4}
    return layout, picks


@pytest.mark.parametrize("seed", range(300))
def test_every_turn_lands_where_the_first_version_of_the_ballot_landed(seed: int) -> None:
    rng = random.Random(seed)
    layout, picks = random_layout(rng)
    scope: Scope = rng.choice(("telecast", "all"))
    listed = layout.categories if scope == "all" else layout.telecast
    reference = [Entry(category, picks.get(category.id), category.id in layout.logged) for category in listed]
    entries = service._Entries(layout, service._scope_list(layout, scope), picks)
    known = sorted({category.position for category in listed})
    for _ in range(12):
        shown = tuple(sorted(rng.sample(known, min(len(known), rng.randint(0, PAGE_SIZE))))) if known else ()
        if rng.random() < 0.15:
            shown = (rng.randint(0, 12),)  # a page whose categories are gone
        cursor = BallotCursor(1, scope, rng.random() < 0.5, shown)
        assert page_now(entries, cursor) == reference_page(reference, cursor)
        for way in WAYS:
            turned = service._turned(entries, cursor, way)
            assert turned == reference_turn(reference, cursor, way), (cursor, way)
            assert page_now(entries, turned) == reference_page(reference, turned)
