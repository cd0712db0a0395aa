"""A member's ballot: the ceremony's categories four to a page in running order, the
telecast ones by default; every choice is a `/pick` under the same rules; a page
named by its cursor reads the same categories again, with their current state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.db import Database
from bot.domain.ballot.service import PAGE_SIZE, BallotCursor, BallotPage, BallotService, Scope
from bot.domain.ceremonies.files import ParsedCeremony, parse_ceremony_file
from bot.domain.ceremonies.service import categories_of, fingerprint, nominees_of
from bot.domain.errors import Conflict, InvalidInput, NotFound, WrongState
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import HOST, Lounge

ANN = 10

TELECAST = {1, 2, 4, 7, 9}  # of ten categories, in a file order the running order follows


def ten_categories(*, flags: bool = True) -> dict[str, Any]:
    categories: list[dict[str, Any]] = []
    for index in range(10):
        category: dict[str, Any] = {
            "name": f"Category {index}",
            "nominees": [{"name": f"Nominee {index}.{n}", "show": f"Show {n}"} for n in range(3)],
        }
        if flags:
            category["telecast"] = index in TELECAST
        categories.append(category)
    return {"categories": categories}


class Ballots:
    """Ann's ballot, driven through the real services."""

    def __init__(self, lounge: Lounge) -> None:
        self.lounge = lounge
        self.service = BallotService(lounge.db, lounge.losers, lounge.settings)

    async def open(self, scope: Scope = "telecast", category: str | None = None) -> BallotPage:
        return await self.service.open(self.lounge.guild_id, ANN, scope=scope, category=category)

    async def turn(self, page: BallotPage, way: Any) -> BallotPage:
        return await self.service.turn(self.lounge.guild_id, ANN, page.cursor, way)

    async def choose(self, page: BallotPage, category: str, nominee_index: int = 0) -> BallotPage:
        line = next(line for line in page.lines if line.category.name == category)
        return await self.service.choose(
            self.lounge.guild_id, user_id=ANN, display_name="Ann", cursor=page.cursor,
            category_id=line.category.id, nominee_id=line.nominees[nominee_index].id,
        )


def names(page: BallotPage) -> list[str]:
    return [line.category.name for line in page.lines]


async def test_the_telecast_scope_follows_the_files_flags_in_running_order(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories())
    ballots = Ballots(lounge)

    telecast = await ballots.open()
    assert names(telecast) == ["Category 1", "Category 2", "Category 4", "Category 7"]
    assert (telecast.total, telecast.picked, telecast.pages, telecast.has_previous, telecast.has_next) == (
        5, 0, 2, False, True)
    assert telecast.telecast_marked
    last = await ballots.turn(telecast, "next")
    assert names(last) == ["Category 9"]
    assert (last.page_number, last.has_previous, last.has_next) == (2, True, False)
    assert names(await ballots.turn(last, "next")) == ["Category 9"]  # nothing after the last page
    assert names(await ballots.turn(last, "previous")) == names(telecast)

    everything = await ballots.open("all")
    assert names(everything) == [f"Category {n}" for n in range(PAGE_SIZE)]
    assert (everything.total, everything.pages) == (10, 3)


async def test_a_ceremony_without_telecast_flags_shows_every_category(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories(flags=False))
    page = await Ballots(lounge).open()
    assert (page.total, page.telecast_marked) == (10, False)


async def test_a_category_opens_its_page_and_one_outside_the_telecast_opens_the_whole_ballot(
    db: Database, clock: FakeClock
) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories())
    ballots = Ballots(lounge)
    assert names(await ballots.open(category="category 9")) == ["Category 9"]
    outside = await ballots.open(category="Category 6")
    assert (outside.scope, names(outside), outside.page_number) == ("all", [f"Category {n}" for n in range(4, 8)], 2)
    with pytest.raises(NotFound):
        await ballots.open(category="Category 99")


async def test_choosing_is_a_pick_under_the_rules_of_pick(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories(), start=False)
    ballots = Ballots(lounge)
    page = await ballots.open()

    page = await ballots.choose(page, "Category 1", 0)  # before the show: as /pick allows
    assert page.receipt is not None
    assert (page.receipt.nominee.name, page.receipt.previous) == ("Nominee 1.0", None)
    page = await ballots.choose(page, "Category 1", 2)
    assert page.receipt is not None
    assert page.receipt.previous == "Nominee 1.0 — Show 0"
    assert (page.picked, page.to_pick) == (1, 4)
    assert [line.pick.name if line.pick else None for line in page.lines] == ["Nominee 1.2", None, None, None]
    picks = await db.fetch_all("SELECT user_id, nominee_id FROM picks")
    assert len(picks) == 1

    await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=5)
    await lounge.log("Category 2", "Nominee 2.1 — Show 1")
    page = await ballots.turn(page, "next")
    page = await ballots.turn(page, "previous")
    locked = page.lines[1]
    assert (locked.logged, [w.name for w in locked.winners]) == (True, ["Nominee 2.1"])
    before = await db.fetch_all("SELECT * FROM picks")
    with pytest.raises(WrongState) as refused:
        await ballots.choose(page, "Category 2", 0)
    assert refused.value.reason == "category_logged"
    assert await db.fetch_all("SELECT * FROM picks") == before


async def test_only_unpicked_keeps_a_page_while_it_is_filled_and_skips_what_is_done(
    db: Database, clock: FakeClock
) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories())
    ballots = Ballots(lounge)
    page = await ballots.open("all")
    for category in ("Category 0", "Category 1"):
        page = await ballots.choose(page, category)
    await lounge.member(ANN, "Ann").pick("Category 5", "Nominee 5.0 — Show 0")  # the same pick, by /pick
    await lounge.log("Category 3", "Nominee 3.0 — Show 0")

    unpicked = await ballots.turn(page, "only_unpicked")
    assert names(unpicked) == ["Category 2", "Category 4", "Category 6", "Category 7"]
    assert (unpicked.only_unpicked, unpicked.to_pick) == (True, 6)
    assert (unpicked.has_previous, unpicked.has_next) == (False, True)
    filled = await ballots.choose(unpicked, "Category 4")
    assert names(filled) == names(unpicked)  # the page stays put while the member fills it
    assert filled.to_pick == 5
    after = await ballots.turn(filled, "next")
    assert names(after) == ["Category 8", "Category 9"]
    assert not after.has_next
    back = await ballots.turn(after, "previous")
    assert names(back) == ["Category 2", "Category 6", "Category 7"]
    everything = await ballots.turn(back, "show_all")
    assert (everything.only_unpicked, names(everything)) == (False, [f"Category {n}" for n in range(4)])

    for category in (2, 6, 7, 8, 9):
        await lounge.member(ANN, "Ann").pick(f"Category {category}", f"Nominee {category}.0 — Show 0")
    nothing_left = await ballots.turn(everything, "only_unpicked")
    assert (nothing_left.only_unpicked, nothing_left.lines, nothing_left.to_pick) == (True, (), 0)
    assert not nothing_left.has_previous
    assert not nothing_left.has_next


async def test_a_cursor_of_another_ceremony_or_a_vanished_category_changes_nothing(
    db: Database, clock: FakeClock
) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories(), start=False)
    ballots = Ballots(lounge)
    page = await ballots.open()
    line = page.lines[0]
    other = await lounge.nominee("Category 2", "Nominee 2.0 — Show 0")

    with pytest.raises(InvalidInput):  # a nominee of another category
        await ballots.service.choose(lounge.guild_id, user_id=ANN, display_name="Ann", cursor=page.cursor,
                                     category_id=line.category.id, nominee_id=other.id)
    stale = BallotCursor(page.cursor.ceremony_id + 1, "telecast", False, page.cursor.positions)
    with pytest.raises(Conflict) as refused:
        await ballots.service.page(lounge.guild_id, ANN, stale)
    assert refused.value.reason == "stale_ceremony"
    with pytest.raises(Conflict):
        await ballots.service.choose(lounge.guild_id, user_id=ANN, display_name="Ann", cursor=stale,
                                     category_id=line.category.id, nominee_id=line.nominees[0].id)
    elsewhere = Lounge(db, clock, guild_id=lounge.guild_id + 1)
    await elsewhere.prepare(ten_categories(), start=False)
    with pytest.raises(Conflict):  # another server's ballot: its ceremony is not this server's
        await Ballots(elsewhere).service.page(elsewhere.guild_id, ANN, page.cursor)

    await lounge.prepare(ten_categories(), start=False)  # a new ceremony: the old ballot is stale
    with pytest.raises(Conflict):
        await ballots.service.page(lounge.guild_id, ANN, page.cursor)
    fresh = await ballots.open("all", category="Category 9")
    line = fresh.lines[-1]
    shorter = {"categories": ten_categories()["categories"][:5]}
    await lounge.ceremonies.import_nominees(  # re-imported: Category 9 is gone
        lounge.guild_id, actor_id=HOST, parsed=_parsed(shorter), filename="again.json"
    )
    with pytest.raises(NotFound) as gone:
        await ballots.service.choose(lounge.guild_id, user_id=ANN, display_name="Ann", cursor=fresh.cursor,
                                     category_id=line.category.id, nominee_id=line.nominees[0].id)
    assert gone.value.reason == "unknown_category"

    first = (await ballots.open()).lines[0]
    renamed = ten_categories()
    for nominee in renamed["categories"][first.category.position]["nominees"]:
        nominee["name"] += " (renamed)"
    await lounge.ceremonies.import_nominees(  # SQLite hands the freed row ids out again
        lounge.guild_id, actor_id=HOST, parsed=_parsed(renamed), filename="renamed.json"
    )
    same_ids = await lounge.nominee(first.category.name, "Nominee 1.0 (renamed) — Show 0")
    assert same_ids.id == first.nominees[0].id
    with pytest.raises(Conflict) as stale:
        await ballots.service.choose(lounge.guild_id, user_id=ANN, display_name="Ann", cursor=fresh.cursor,
                                     category_id=first.category.id, nominee_id=first.nominees[0].id,
                                     nominee_check=fingerprint(first.nominees[0].label))
    assert stale.value.reason == "stale_nominee"
    assert await db.fetch_value("SELECT COUNT(*) FROM picks") == 0


async def test_a_page_lists_each_categorys_nominees_in_the_files_order(
    db: Database, clock: FakeClock
) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories())
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    categories = await categories_of(db, ceremony.id)
    page = await Ballots(lounge).open("all")
    for line, category in zip(page.lines, categories, strict=False):
        assert line.nominees == tuple(await nominees_of(db, category.id))


def _parsed(document: dict[str, Any]) -> ParsedCeremony:
    return parse_ceremony_file(json.dumps(document).encode(), "x.json")


async def test_a_choice_is_shown_from_what_its_commit_left_reading_nothing_again(
    db: Database, clock: FakeClock
) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(ten_categories())
    ballots = Ballots(lounge)
    page = await ballots.open()
    await ballots.choose(page, "Category 1", 0)  # the first: the settings and the picks' triggers set up

    reads = db.quick_reads + db.slow_reads
    page = await ballots.choose(page, "Category 2", 1)
    page = await ballots.choose(page, "Category 1", 2)  # changed: the page shows the new pick at once
    assert db.quick_reads + db.slow_reads == reads  # the ceremony, settings, layout and picks all kept
    assert [line.pick.name if line.pick else None for line in page.lines] == ["Nominee 1.2", "Nominee 2.1", None, None]
    assert {tuple(row) for row in await db.fetch_all("SELECT category_id, nominee_id FROM picks")} == {
        (line.category.id, line.pick.id) for line in page.lines if line.pick is not None}
