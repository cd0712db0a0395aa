"""The ballot reads a ceremony's layout (categories, nominees, results) once and keeps it
while nothing changes: members' clicks and picks read only their own picks. Every host
edit and every result logged, tied or undone shows on the next page of every ballot,
exactly as a ballot reading everything afresh shows it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from bot.db import Database
from bot.domain.ballot.service import BallotPage, BallotService
from bot.domain.ceremonies.editing import CeremonyEditor
from bot.domain.ceremonies.layout import LayoutCache, read_layout
from bot.domain.ceremonies.service import current_ceremony
from tests.clock import FakeClock
from tests.domain.ballot.test_ballot import ten_categories
from tests.domain.ceremony_helpers import HOST, Lounge

ANN, BEN = 10, 11


class Night(Lounge):
    def __init__(self, db: Database, clock: FakeClock) -> None:
        super().__init__(db, clock)
        self.edits = CeremonyEditor(db, clock)
        self.layouts = LayoutCache()
        self.ballots = BallotService(db, self.losers, self.settings, self.layouts)

    async def page(self, user_id: int = ANN) -> BallotPage:
        """The whole ballot's first page, through the kept layout."""
        return await self.ballots.open(self.guild_id, user_id, scope="all")

    async def fresh_page(self, user_id: int = ANN) -> BallotPage:
        """The same page read by a ballot that keeps nothing."""
        fresh = BallotService(self.db, self.losers, self.settings, LayoutCache())
        return await fresh.open(self.guild_id, user_id, scope="all")


async def test_clicks_and_picks_read_the_layout_once(db: Database, clock: FakeClock) -> None:
    night = Night(db, clock)
    await night.prepare(ten_categories())
    first = await night.page(ANN)
    second = await night.ballots.turn(night.guild_id, ANN, first.cursor, "next")
    picked = await night.ballots.choose(
        night.guild_id, user_id=BEN, display_name="Ben", cursor=first.cursor,
        category_id=first.lines[0].category.id, nominee_id=first.lines[0].nominees[1].id,
    )
    await night.ballots.turn(night.guild_id, BEN, picked.cursor, "only_unpicked")

    assert night.layouts.reads == 1
    assert picked.lines[0].pick == first.lines[0].nominees[1]  # a pick shows at once: it is not part of the layout
    assert second.lines[0].category.name == "Category 4"
    assert replace(picked, receipt=None) == await night.fresh_page(BEN)


Change = Callable[[Night], Awaitable[object]]


async def _first_nominee_id(night: Night, category: str) -> tuple[int, int]:
    page = await night.fresh_page()
    line = next(line for line in page.lines if line.category.name == category)
    return line.category.id, line.nominees[0].id


async def _remove_first_nominee(night: Night) -> object:
    category_id, nominee_id = await _first_nominee_id(night, "Category 1")
    return await night.edits.remove_nominee(night.guild_id, actor_id=HOST, category_id=category_id,
                                            nominee_id=nominee_id, confirmed=True)


async def _log_then_undo(night: Night) -> object:
    await night.log("Category 0", "Nominee 0.1")
    return await night.undo("Category 0")


CHANGES: dict[str, Change] = {
    "a category renamed": lambda night: night.edits.rename_category(
        night.guild_id, actor_id=HOST, category="Category 2", new_name="Category Two 🎭"),
    "a category added": lambda night: night.edits.add_category(
        night.guild_id, actor_id=HOST, name="Category New", telecast=True),
    "a category moved": lambda night: night.edits.move_category(
        night.guild_id, actor_id=HOST, category="Category 3", position=1),
    "a nominee renamed": lambda night: night.edits.rename_nominee(
        night.guild_id, actor_id=HOST, category="Category 0", nominee="Nominee 0.2", new_name="Zoë 李",
        show=None),
    "a nominee added": lambda night: night.edits.add_nominee(
        night.guild_id, actor_id=HOST, category="Category 3", name="Nominee 3.new", show="Show new"),
    "a nominee removed": _remove_first_nominee,
    "a result logged": lambda night: night.log("Category 0", "Nominee 0.1"),
    "a tie added": lambda night: _tie_after_log(night),
    "a result undone": _log_then_undo,
}


async def _tie_after_log(night: Night) -> object:
    await night.log("Category 1", "Nominee 1.0")
    return await night.tie("Category 1", "Nominee 1.2")


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
async def test_every_change_shows_on_the_next_page(db: Database, clock: FakeClock, change: str) -> None:
    night = Night(db, clock)
    await night.prepare(ten_categories())
    ceremony = await current_ceremony(db, night.guild_id)
    assert ceremony is not None
    before = await night.page()
    assert night.layouts.reads == 1

    await CHANGES[change](night)

    after = await night.page()
    assert night.layouts.reads == 2
    assert after == await night.fresh_page()
    changed = await current_ceremony(db, night.guild_id)
    assert changed is not None
    assert changed.revision > ceremony.revision
    assert (after.lines, after.total) != (before.lines, before.total) or change == "a result undone"


async def test_a_change_landing_between_the_ceremony_and_its_layout_is_never_hidden(
    db: Database, clock: FakeClock
) -> None:
    """The layout is read after the ceremony's row: a change in between is kept under the older
    revision, which no later read asks for (the ceremony's revision has moved on)."""
    night = Night(db, clock)
    await night.prepare(ten_categories())
    stale = await current_ceremony(db, night.guild_id)
    assert stale is not None
    await night.edits.rename_category(night.guild_id, actor_id=HOST, category="Category 0", new_name="Renamed")
    kept = await night.layouts.layout(db, stale)
    assert kept.categories[0].name == "Renamed"
    assert kept.revision == stale.revision

    page = await night.page()
    assert night.layouts.reads == 2
    assert page.lines[0].category.name == "Renamed"
    current = await current_ceremony(db, night.guild_id)
    assert current is not None
    assert await read_layout(db, current) == await night.layouts.layout(db, current)
