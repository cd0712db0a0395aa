"""Hosts create a ceremony, import its nominees and run it from draft to live to ended;
members' options autocomplete from it, and every server sees only its own."""

from __future__ import annotations

import json
import time

import pytest

from bot.db import Database
from bot.domain.audit import log as audit
from bot.domain.ceremonies.files import parse_ceremony_file
from bot.domain.ceremonies.search import MAX_SUGGESTIONS, category_suggestions, nominee_suggestions
from bot.domain.ceremonies.service import CHOICE_LIMIT, current_ceremony, resolve_category, resolve_nominee
from bot.domain.errors import Conflict, InvalidInput, NotFound, WrongState
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import DATA, HOST, Lounge, tiny_ceremony

DRAMA = "Outstanding Drama Series"
CHOREOGRAPHY = "Outstanding Choreography"


async def test_a_new_ceremony_is_a_draft_and_becomes_current(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    first = await lounge.ceremonies.create(lounge.guild_id, actor_id=HOST, name="  65th   Emmys ", year=2013)
    assert (first.name, first.state, first.is_current) == ("65th Emmys", "draft", True)
    second = await lounge.ceremonies.create(lounge.guild_id, actor_id=HOST, name="66th Emmys", year=2014)
    current = await lounge.ceremonies.current(lounge.guild_id)
    assert current is not None
    assert current.id == second.id
    older = await db.fetch_one("SELECT is_current, name FROM ceremonies WHERE id = ?", (first.id,))
    assert older is not None
    assert tuple(older) == (0, "65th Emmys")  # retired, still readable
    assert [entry.action for entry in await audit.recent(db, lounge.guild_id, 10)] == ["ceremony.create"] * 2


@pytest.mark.parametrize(("name", "year"), [("", 2014), ("x" * 101, 2014), ("a\x00b", 2014), ("Emmys", 1800)])
async def test_bad_ceremony_names_and_years_are_refused(db: Database, clock: FakeClock, name: str,
                                                        year: int) -> None:
    lounge = Lounge(db, clock)
    with pytest.raises(InvalidInput):
        await lounge.ceremonies.create(lounge.guild_id, actor_id=HOST, name=name, year=year)
    assert await lounge.ceremonies.current(lounge.guild_id) is None


async def test_the_state_machine_says_what_each_step_needs(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    with pytest.raises(NotFound, match="/ceremony create"):
        await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=1)
    await lounge.ceremonies.create(lounge.guild_id, actor_id=HOST, name="Emmys", year=2014)
    with pytest.raises(WrongState, match="/ceremony import"):
        await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=1)
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    with pytest.raises(WrongState, match="only while it's live"):
        await lounge.ceremonies.end(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony.id)
    parsed = parse_ceremony_file(json.dumps(tiny_ceremony()).encode(), "t.json")
    await lounge.ceremonies.import_nominees(lounge.guild_id, actor_id=HOST, parsed=parsed, filename="t.json")
    live = await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=42)
    assert (live.state, live.start_channel_id) == ("live", 42)
    with pytest.raises(WrongState, match="only while it's still a draft"):
        await lounge.ceremonies.import_nominees(lounge.guild_id, actor_id=HOST, parsed=parsed, filename="t.json")
    with pytest.raises(WrongState, match="end it with `/ceremony end`"):
        await lounge.ceremonies.create(lounge.guild_id, actor_id=HOST, name="Another", year=2015)
    with pytest.raises(Conflict, match="older ceremony"):
        await lounge.ceremonies.end(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony.id + 1)
    status = await lounge.ceremonies.end(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony.id)
    assert status.ceremony.state == "ended"
    assert [entry.winners for entry in status.categories] == [(), (), ()]
    with pytest.raises(WrongState):
        await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=42)
    kinds = [row["kind"] for row in await db.fetch_all("SELECT kind FROM outbox ORDER BY id")]
    assert kinds == ["ceremony.start", "ceremony.end"]
    end = (await lounge.announcements("ceremony.end"))[0]["embeds"][0]
    assert "0 of 3 results were logged" in end["description"]
    assert "Outstanding Drama Series" in end["fields"][0]["value"]


async def test_importing_again_replaces_the_draft_and_its_picks(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony(), start=False)
    ann = lounge.member(10, "Ann")
    await ann.pick(DRAMA, "Mad Men")
    await ann.claim(DRAMA, "Breaking Bad")
    smaller = {"categories": [{"name": DRAMA, "nominees": [{"name": "Breaking Bad"}, {"name": "Fargo"}]}]}
    parsed = parse_ceremony_file(json.dumps(smaller).encode(), "fix.json")
    summary = await lounge.ceremonies.import_nominees(lounge.guild_id, actor_id=HOST, parsed=parsed,
                                                      filename="fix.json")
    assert (summary.categories, summary.nominees, summary.dropped_picks, summary.dropped_claims) == (1, 2, 1, 1)
    assert await db.fetch_value("SELECT COUNT(*) FROM nominees") == 2
    assert await db.fetch_value("SELECT COUNT(*) FROM picks") == 0
    assert await db.fetch_value("SELECT COUNT(*) FROM claims") == 0


async def test_a_failed_import_changes_nothing(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())  # live: a second import is refused inside the unit
    before = [tuple(row) for row in await db.fetch_all("SELECT * FROM nominees ORDER BY id")]
    parsed = parse_ceremony_file(json.dumps({"categories": [{"name": "X", "nominees": [{"name": "Y"}]}]}).encode())
    with pytest.raises(WrongState):
        await lounge.ceremonies.import_nominees(lounge.guild_id, actor_id=HOST, parsed=parsed, filename="x.json")
    assert [tuple(row) for row in await db.fetch_all("SELECT * FROM nominees ORDER BY id")] == before


async def test_status_counts_what_is_announced_left_and_picked(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    await lounge.member(10).pick(DRAMA, "Mad Men")
    await lounge.member(11).pick(DRAMA, "Breaking Bad")
    await lounge.member(11).pick(CHOREOGRAPHY, "Travis Wall")
    await lounge.log(DRAMA, "Breaking Bad")
    status = await lounge.ceremonies.status(lounge.guild_id)
    assert [entry.category.name for entry in status.logged] == [DRAMA]
    assert status.logged[0].winners == ("Breaking Bad",)
    assert len(status.remaining) == 2
    assert (status.picks, status.pickers, status.members_in_lounge, status.guests) == (3, 2, 1, 2)


async def test_typed_names_resolve_case_insensitively_and_twins_need_a_choice(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    ceremony = await current_ceremony(db, lounge.guild_id)
    assert ceremony is not None
    category = await resolve_category(db, ceremony, "  outstanding   CHOREOGRAPHY ")
    assert category.name == CHOREOGRAPHY
    assert (await resolve_category(db, ceremony, str(category.id))).id == category.id
    with pytest.raises(InvalidInput, match="stands 2 times"):
        await resolve_nominee(db, ceremony, category, "derek hough")
    twin = await resolve_nominee(db, ceremony, category, "Derek Hough — Dancing With The Stars (Hey Pachuco)")
    assert twin.episode == "Hey Pachuco"
    assert (await resolve_nominee(db, ceremony, category, str(twin.id))).id == twin.id
    assert (await resolve_nominee(db, ceremony, category, "travis wall")).name == "Travis Wall"
    drama = await resolve_category(db, ceremony, DRAMA)
    with pytest.raises(InvalidInput, match="isn't nominated in Outstanding Drama Series"):
        await resolve_nominee(db, ceremony, drama, str(twin.id))
    with pytest.raises(NotFound, match="no category called"):
        await resolve_category(db, ceremony, "Best Picture")
    with pytest.raises(NotFound, match="isn't nominated"):
        await resolve_nominee(db, ceremony, drama, "Fargo")


async def test_autocomplete_is_short_unambiguous_and_narrows_by_category(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare((DATA / "emmys-2013.json").read_bytes())
    everything = await category_suggestions(db, lounge.guild_id, "")
    assert len(everything) == MAX_SUGGESTIONS
    for typed in ["", "o", "lighting |", "lead actor drama", "%", "_", "\\", "ü" * 200]:
        for suggestion in await category_suggestions(db, lounge.guild_id, typed):
            assert 1 <= len(suggestion.name) <= CHOICE_LIMIT
            assert suggestion.value.isdecimal()
        nominees = await nominee_suggestions(db, lounge.guild_id, typed, None)
        assert len(nominees) <= MAX_SUGGESTIONS
        assert all(1 <= len(s.name) <= CHOICE_LIMIT and len(s.value) <= CHOICE_LIMIT for s in nominees)
    lead = await category_suggestions(db, lounge.guild_id, "lead actor drama")
    assert [s.name for s in lead] == ["Outstanding Lead Actor In A Drama Series"]
    assert [s.name for s in await category_suggestions(db, lounge.guild_id, "outstanding choreo")] == [
        "Outstanding Choreography"]
    choreography = (await category_suggestions(db, lounge.guild_id, "Outstanding Choreography"))[0]
    for category in (choreography.value, "outstanding choreography"):
        hough = await nominee_suggestions(db, lounge.guild_id, "derek", category)
        assert len(hough) == 2
        assert len({s.name for s in hough}) == 2
        assert len({s.value for s in hough}) == 2
    anywhere = await nominee_suggestions(db, lounge.guild_id, "derek hough", None)
    assert all(s.name.endswith("· Outstanding Choreography") for s in anywhere)


async def test_autocomplete_filters_open_and_logged_categories(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    await lounge.log(DRAMA, "Mad Men")
    assert DRAMA not in [s.name for s in await category_suggestions(db, lounge.guild_id, "", only="open")]
    assert [s.name for s in await category_suggestions(db, lounge.guild_id, "", only="logged")] == [DRAMA]
    not_winning = await nominee_suggestions(db, lounge.guild_id, "", DRAMA, only="not_winning")
    assert [s.name for s in not_winning] == ["Breaking Bad", "True Detective"]


async def test_autocomplete_answers_fast_on_a_big_ceremony(db: Database, clock: FakeClock) -> None:
    document = {"categories": [
        {"name": f"Category {c:03d}", "nominees": [{"name": f"Nominee {c}-{n}", "show": f"Show {n}"}
                                                   for n in range(20)]}
        for c in range(200)
    ]}
    for guild in range(1, 6):  # other servers' rows must not slow this one down
        await Lounge(db, clock, guild_id=guild).prepare(document)
    lounge = Lounge(db, clock)
    await lounge.prepare(document)
    plan = " ".join(row[3] for row in await db.fetch_all(
        "EXPLAIN QUERY PLAN SELECT n.id FROM ceremonies e JOIN categories c ON c.guild_id = e.guild_id "
        "AND c.ceremony_id = e.id JOIN nominees n ON n.category_id = c.id WHERE e.guild_id = 1 AND e.is_current = 1"))
    assert "SCAN n" not in plan
    assert "SCAN c" not in plan
    started = time.perf_counter()
    for typed in ["", "Nominee 1", "show 19", "category 199"]:
        await nominee_suggestions(db, lounge.guild_id, typed, None)
        await nominee_suggestions(db, lounge.guild_id, typed, "Category 150")
        await category_suggestions(db, lounge.guild_id, typed)
    assert time.perf_counter() - started < 1.0  # 12 keystrokes; each well under Discord's 3 s


async def test_servers_never_see_each_others_ceremonies(db: Database, clock: FakeClock) -> None:
    ours, theirs = Lounge(db, clock, guild_id=100), Lounge(db, clock, guild_id=200)
    await ours.prepare(tiny_ceremony())
    assert await theirs.ceremonies.current(theirs.guild_id) is None
    assert await category_suggestions(db, theirs.guild_id, "") == []
    await theirs.prepare(tiny_ceremony())
    our_ceremony = await ours.ceremonies.current(ours.guild_id)
    their_ceremony = await theirs.ceremonies.current(theirs.guild_id)
    assert our_ceremony is not None
    assert their_ceremony is not None
    our_drama = await resolve_category(db, our_ceremony, DRAMA)
    our_nominee = await resolve_nominee(db, our_ceremony, our_drama, "Mad Men")
    with pytest.raises(NotFound):
        await resolve_category(db, their_ceremony, str(our_drama.id))
    their_drama = await resolve_category(db, their_ceremony, DRAMA)
    with pytest.raises(NotFound):
        await resolve_nominee(db, their_ceremony, their_drama, str(our_nominee.id))
    with pytest.raises(NotFound):
        await theirs.member(5).pick(str(our_drama.id), str(our_nominee.id))
    assert await nominee_suggestions(db, theirs.guild_id, "", str(our_drama.id)) != []  # unknown id: no filter
    assert all(s.value != str(our_nominee.id) for s in await nominee_suggestions(db, theirs.guild_id, "mad", None))
    with pytest.raises(NotFound):
        await theirs.results.undo(theirs.guild_id, actor_id=HOST, category_id=our_drama.id)
