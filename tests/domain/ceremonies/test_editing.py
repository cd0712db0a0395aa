"""Hosts correct the night's list, draft or live: renames (also after a result), one
nominee more or less, a new category, the running order; a pasted list waits for its
Confirm; a preset fills a new ceremony. A refused edit says why and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.db import Database
from bot.domain.audit import log as audit
from bot.domain.ceremonies import presets
from bot.domain.ceremonies.editing import NO_SHOW, CeremonyEditor
from bot.domain.ceremonies.files import MAX_CATEGORIES, MAX_NOMINEES_PER_CATEGORY, ParsedCeremony, category_of
from bot.domain.ceremonies.paste import parse_pasted_list
from bot.domain.ceremonies.previews import PREVIEW_LIFETIME
from bot.domain.ceremonies.search import category_suggestions, nominee_suggestions
from bot.domain.ceremonies.service import categories_of, ceremony_status, nominees_of
from bot.domain.errors import LoungeError, NotFound, WrongState
from bot.domain.recap.data import assemble_recap
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import HOST, Lounge, tiny_ceremony

DRAMA = "Outstanding Drama Series"
CHOREOGRAPHY = "Outstanding Choreography"
INFORMATIONAL = "Outstanding Informational Series Or Special"
TABLES = ("ceremonies", "categories", "nominees", "results", "result_winners", "claims", "picks", "losses",
          "loss_totals", "pick_stats", "board_scores", "audit_log", "outbox", "paste_previews")


class Editing(Lounge):
    def __init__(self, db: Database, clock: FakeClock, guild_id: int = 100) -> None:
        super().__init__(db, clock, guild_id)
        self.edits = CeremonyEditor(db, clock)

    async def names(self) -> list[str]:
        ceremony = await self.ceremonies.current(self.guild_id)
        assert ceremony is not None
        return [c.name for c in await categories_of(self.db, ceremony.id)]

    async def labels(self, category: str) -> list[str]:
        ceremony = await self.ceremonies.current(self.guild_id)
        assert ceremony is not None
        found = next(c for c in await categories_of(self.db, ceremony.id) if c.name == category)
        return [n.label for n in await nominees_of(self.db, found.id)]

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {table: [tuple(row) for row in await self.db.fetch_all(f"SELECT * FROM {table}")]  # noqa: S608
                for table in TABLES}

    async def refused(self, edit: Any) -> LoungeError:
        """Run the edit: it must be refused, saying why, and change nothing."""
        before = await self.snapshot()
        with pytest.raises(LoungeError) as caught:
            await edit
        assert await self.snapshot() == before
        assert caught.value.reason, caught.value
        return caught.value


@pytest.fixture
async def lounge(db: Database, clock: FakeClock) -> Editing:
    lounge = Editing(db, clock)
    await lounge.prepare(tiny_ceremony())
    return lounge


async def test_a_renamed_category_shows_everywhere_at_once_even_after_its_result(lounge: Editing) -> None:
    await lounge.log(DRAMA, "Breaking Bad")
    edit = await lounge.edits.rename_category(lounge.guild_id, actor_id=HOST, category=DRAMA,
                                              new_name="  Outstanding   Drama Series (2014) ")
    assert (edit.before, edit.category.name) == (DRAMA, "Outstanding Drama Series (2014)")
    status = await ceremony_status(lounge.db, lounge.guild_id)
    assert status.logged[0].category.name == "Outstanding Drama Series (2014)"
    assert [s.name for s in await category_suggestions(lounge.db, lounge.guild_id, "2014")] == [
        "Outstanding Drama Series (2014)"]
    # The announcement already queued keeps the name it was written with.
    assert DRAMA in str(await lounge.announcements("result.log"))
    assert (await audit.recent(lounge.db, lounge.guild_id, 1))[0].action == "ceremony.rename_category"
    # Changing only the case of its own name is a rename, not a clash.
    await lounge.edits.rename_category(lounge.guild_id, actor_id=HOST, category=str(edit.category.id),
                                       new_name="OUTSTANDING DRAMA SERIES (2014)")


async def test_a_category_name_already_taken_or_unusable_is_refused(lounge: Editing) -> None:
    taken = await lounge.refused(lounge.edits.rename_category(
        lounge.guild_id, actor_id=HOST, category=DRAMA, new_name=CHOREOGRAPHY.upper()))
    assert (taken.reason, taken.facts["category"]) == ("duplicate_category", CHOREOGRAPHY.upper())
    assert (await lounge.refused(lounge.edits.rename_category(
        lounge.guild_id, actor_id=HOST, category=DRAMA, new_name="x" * 201))).reason == "name_too_long"
    assert (await lounge.refused(lounge.edits.rename_category(
        lounge.guild_id, actor_id=HOST, category=DRAMA, new_name="a\u202eb"))).reason == "control_character"
    assert (await lounge.refused(lounge.edits.rename_category(
        lounge.guild_id, actor_id=HOST, category="Outstanding Pizza", new_name="x"))).reason == "unknown_category"


async def test_picks_and_claims_follow_a_renamed_nominee(lounge: Editing) -> None:
    ann, bob = lounge.member(7, "Ann"), lounge.member(8, "Bob")
    await ann.pick(DRAMA, "Mad Men")
    await bob.claim(DRAMA, "Mad Men")
    mad_men = await lounge.nominee(DRAMA, "Mad Men")
    edit = await lounge.edits.rename_nominee(lounge.guild_id, actor_id=HOST, category=DRAMA, nominee="Mad Men",
                                             new_name="Mad Men (AMC)", show=None)
    # A programme named after its show keeps the two together.
    assert (edit.before, edit.nominee.id, edit.nominee.name, edit.nominee.show) == (
        "Mad Men", mad_men.id, "Mad Men (AMC)", "Mad Men (AMC)")
    assert edit.nominee.label == "Mad Men (AMC)"
    picks = await lounge.losers.picks_of(lounge.guild_id, 7, "Ann")
    assert [(line.category, line.nominee) for line in picks.lines] == [(DRAMA, "Mad Men (AMC)")]
    card = await lounge.losers.card(lounge.guild_id, 8, "Bob")
    assert [(line.nominee, line.outcome) for line in card.claims] == [("Mad Men (AMC)", None)]
    await lounge.log(DRAMA, "Breaking Bad")
    card = await lounge.losers.card(lounge.guild_id, 8, "Bob")
    assert [(line.nominee, line.outcome) for line in card.claims] == [("Mad Men (AMC)", "lost")]
    # After the result too, and the recap shows the names as they are at the end.
    await lounge.edits.rename_nominee(lounge.guild_id, actor_id=HOST, category=DRAMA, nominee=str(mad_men.id),
                                      new_name="Mad Men", show="AMC")
    await lounge.edits.rename_nominee(lounge.guild_id, actor_id=HOST, category=DRAMA, nominee="Breaking Bad",
                                      new_name="Breaking Bad (AMC)", show=None)
    assert await lounge.labels(DRAMA) == ["Breaking Bad (AMC)", "Mad Men — AMC", "True Detective"]
    assert (await lounge.losers.card(lounge.guild_id, 8, "Bob")).claims[0].nominee == "Mad Men — AMC"
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    recap = await assemble_recap(lounge.db, await lounge.settings.get(lounge.guild_id), ceremony.id)
    assert recap is not None
    assert [(line.category, line.winners) for line in recap.results] == [(DRAMA, ("Breaking Bad (AMC)",))]


async def test_renaming_one_twin_relabels_the_category_the_way_the_importer_would(lounge: Editing) -> None:
    assert await lounge.labels(CHOREOGRAPHY) == [
        "Derek Hough — Dancing With The Stars (Heart Cry)", "Derek Hough — Dancing With The Stars (Hey Pachuco)",
        "Travis Wall — So You Think You Can Dance"]
    await lounge.edits.rename_nominee(lounge.guild_id, actor_id=HOST, category=CHOREOGRAPHY,
                                      nominee="Derek Hough — Dancing With The Stars (Hey Pachuco)",
                                      new_name="Julianne Hough", show=None)
    assert await lounge.labels(CHOREOGRAPHY) == [
        "Derek Hough — Dancing With The Stars", "Julianne Hough — Dancing With The Stars",
        "Travis Wall — So You Think You Can Dance"]
    await lounge.edits.rename_nominee(lounge.guild_id, actor_id=HOST, category=CHOREOGRAPHY,
                                      nominee="Travis Wall", new_name="Travis Wall", show=NO_SHOW)
    assert (await lounge.labels(CHOREOGRAPHY))[2] == "Travis Wall"
    twin = await lounge.refused(lounge.edits.rename_nominee(
        lounge.guild_id, actor_id=HOST, category=DRAMA, nominee="Mad Men", new_name="breaking bad", show=None))
    assert (twin.reason, twin.facts["nominee"]) == ("duplicate_nominee", "Breaking Bad")


async def test_a_nominee_added_goes_last_and_members_can_pick_it(lounge: Editing) -> None:
    edit = await lounge.edits.add_nominee(lounge.guild_id, actor_id=HOST, category=INFORMATIONAL,
                                          name="Years Of Living Dangerously", show=None)
    assert (edit.nominee.position, edit.nominee.label) == (4, "Years Of Living Dangerously")
    await lounge.member(7).pick(INFORMATIONAL, "Years Of Living Dangerously")
    choices = await nominee_suggestions(lounge.db, lounge.guild_id, "years", str(edit.category.id))
    assert [c.name for c in choices] == ["Years Of Living Dangerously"]
    twice = await lounge.refused(lounge.edits.add_nominee(
        lounge.guild_id, actor_id=HOST, category=INFORMATIONAL, name="VICE", show="vice"))
    assert twice.reason == "duplicate_nominee"


async def test_a_category_holds_at_most_twenty_nominees(lounge: Editing) -> None:
    for number in range(MAX_NOMINEES_PER_CATEGORY - 4):
        await lounge.edits.add_nominee(lounge.guild_id, actor_id=HOST, category=INFORMATIONAL,
                                       name=f"Nominee {number}", show=None)
    full = await lounge.refused(lounge.edits.add_nominee(
        lounge.guild_id, actor_id=HOST, category=INFORMATIONAL, name="One Too Many", show=None))
    assert (full.reason, full.facts["limit"], full.facts["count"]) == ("too_many_nominees", 20, 20)


async def test_a_category_with_a_result_takes_no_nominee_in_or_out(lounge: Editing) -> None:
    await lounge.log(DRAMA, "Breaking Bad")
    added = await lounge.refused(lounge.edits.add_nominee(
        lounge.guild_id, actor_id=HOST, category=DRAMA, name="Homeland", show=None))
    assert (added.reason, added.facts["category"]) == ("category_logged", DRAMA)
    with pytest.raises(WrongState) as caught:
        await lounge.edits.removal(lounge.guild_id, DRAMA, "Mad Men")
    assert caught.value.reason == "category_logged"
    mad_men = await lounge.nominee(DRAMA, "Mad Men")
    removed = await lounge.refused(lounge.edits.remove_nominee(
        lounge.guild_id, actor_id=HOST, category_id=mad_men.category_id, nominee_id=mad_men.id, confirmed=True))
    assert removed.reason == "category_logged"


async def test_removing_a_picked_nominee_drops_exactly_its_picks_and_claims(lounge: Editing) -> None:
    ann, bob, cy = lounge.member(7, "Ann"), lounge.member(8, "Bob"), lounge.member(9, "Cy")
    await ann.pick(CHOREOGRAPHY, "Travis Wall")
    await bob.pick(CHOREOGRAPHY, "Travis Wall")
    await bob.claim(CHOREOGRAPHY, "Travis Wall")
    await cy.pick(CHOREOGRAPHY, "Derek Hough — Dancing With The Stars (Heart Cry)")
    for member in (ann, bob, cy):  # a record elsewhere, which the removal must leave alone
        await member.pick(DRAMA, "Breaking Bad")
    await lounge.log(DRAMA, "Breaking Bad")
    before = await lounge.db.fetch_all("SELECT user_id, correct, resolved FROM pick_stats ORDER BY user_id, scope")
    removal = await lounge.edits.removal(lounge.guild_id, CHOREOGRAPHY, "Travis Wall")
    assert (removal.picks, removal.claims, removal.members) == (2, 1, 2)
    # Asked without the host's confirmation, a removal that affects members is refused.
    unconfirmed = await lounge.refused(lounge.edits.remove_nominee(
        lounge.guild_id, actor_id=HOST, category_id=removal.category.id, nominee_id=removal.nominee.id,
        confirmed=False))
    assert (unconfirmed.reason, unconfirmed.facts["members"]) == ("picked_meanwhile", 2)
    done = await lounge.edits.remove_nominee(lounge.guild_id, actor_id=HOST, category_id=removal.category.id,
                                             nominee_id=removal.nominee.id, confirmed=True)
    assert (done.picks, done.claims, done.members) == (2, 1, 2)
    assert await lounge.labels(CHOREOGRAPHY) == ["Derek Hough — Dancing With The Stars (Heart Cry)",
                                                 "Derek Hough — Dancing With The Stars (Hey Pachuco)"]
    picks = await lounge.db.fetch_all("SELECT user_id, category_id FROM picks ORDER BY user_id, category_id")
    assert [(row["user_id"], row["category_id"] == removal.category.id) for row in picks] == [
        (7, False), (8, False), (9, False), (9, True)]
    assert await lounge.db.fetch_value("SELECT COUNT(*) FROM claims") == 0
    assert await lounge.db.fetch_all(
        "SELECT user_id, correct, resolved FROM pick_stats ORDER BY user_id, scope") == before
    assert [tuple(r) for r in await lounge.db.fetch_all("SELECT position FROM nominees WHERE category_id = ? "
                                                         "ORDER BY position", (removal.category.id,))] == [(0,), (1,)]
    await ann.pick(CHOREOGRAPHY, "Derek Hough — Dancing With The Stars (Hey Pachuco)")  # they can pick again
    assert (await audit.recent(lounge.db, lounge.guild_id, 1))[0].detail.endswith("(dropped 2 picks, 1 claims of 2 "
                                                                                 "members)")


async def test_nobody_can_remove_another_servers_nominee_by_its_ids(db: Database, clock: FakeClock) -> None:
    ours, theirs = Editing(db, clock, guild_id=100), Editing(db, clock, guild_id=200)
    await ours.prepare(tiny_ceremony())
    await theirs.prepare(tiny_ceremony())
    their_nominee = await theirs.nominee(DRAMA, "Mad Men")
    our_nominee = await ours.nominee(DRAMA, "Mad Men")
    for category_id, nominee_id in [(their_nominee.category_id, their_nominee.id),
                                    (our_nominee.category_id, their_nominee.id),
                                    (their_nominee.category_id, our_nominee.id)]:
        gone = await ours.refused(ours.edits.remove_nominee(
            ours.guild_id, actor_id=HOST, category_id=category_id, nominee_id=nominee_id, confirmed=True))
        assert gone.reason == "nominee_gone"
    assert "Mad Men" in await theirs.labels(DRAMA)
    for edit in (ours.edits.rename_category(ours.guild_id, actor_id=HOST, category=str(their_nominee.category_id),
                                            new_name="Hijacked"),
                 ours.edits.move_category(ours.guild_id, actor_id=HOST, category=str(their_nominee.category_id),
                                          position=1)):
        assert (await ours.refused(edit)).reason == "unknown_category"
    renamed = await ours.refused(ours.edits.rename_nominee(
        ours.guild_id, actor_id=HOST, category=DRAMA, nominee=str(their_nominee.id), new_name="Hijacked", show=None))
    assert renamed.reason == "unknown_nominee"


async def test_a_new_category_goes_last_and_the_running_order_can_change(lounge: Editing) -> None:
    edit = await lounge.edits.add_category(lounge.guild_id, actor_id=HOST, name="Outstanding Host", telecast=True)
    assert (edit.category.position, edit.category.telecast, edit.categories) == (3, True, 4)
    assert (await lounge.names())[-1] == "Outstanding Host"
    moved = await lounge.edits.move_category(lounge.guild_id, actor_id=HOST, category="Outstanding Host", position=1)
    assert (moved.category.position, moved.categories) == (0, 4)
    assert await lounge.names() == ["Outstanding Host", DRAMA, CHOREOGRAPHY, INFORMATIONAL]
    await lounge.edits.move_category(lounge.guild_id, actor_id=HOST, category=DRAMA, position=4)
    assert await lounge.names() == ["Outstanding Host", CHOREOGRAPHY, INFORMATIONAL, DRAMA]
    status = await ceremony_status(lounge.db, lounge.guild_id)
    assert [(entry.category.name, entry.category.telecast) for entry in status.remaining][:1] == [
        ("Outstanding Host", True)]
    for position in (0, 5):
        wrong = await lounge.refused(lounge.edits.move_category(
            lounge.guild_id, actor_id=HOST, category=DRAMA, position=position))
        assert (wrong.reason, wrong.facts["count"]) == ("position_out_of_range", 4)
    assert (await lounge.refused(lounge.edits.add_category(
        lounge.guild_id, actor_id=HOST, name="outstanding host", telecast=False))).reason == "duplicate_category"


async def test_a_ceremony_holds_at_most_two_hundred_categories(db: Database, clock: FakeClock) -> None:
    lounge = Editing(db, clock)
    full = ParsedCeremony(tuple(category_of(f"Category {n}", [("x", None, None)]) for n in range(MAX_CATEGORIES)))
    await lounge.ceremonies.create_from(lounge.guild_id, actor_id=HOST, name="Big", year=2014, nominees=full)
    over = await lounge.refused(lounge.edits.add_category(lounge.guild_id, actor_id=HOST, name="One More",
                                                          telecast=False))
    assert (over.reason, over.facts["limit"]) == ("too_many_categories", MAX_CATEGORIES)


async def test_editing_needs_a_draft_or_live_ceremony(db: Database, clock: FakeClock) -> None:
    lounge = Editing(db, clock)
    assert (await lounge.refused(lounge.edits.add_category(
        lounge.guild_id, actor_id=HOST, name="x", telecast=False))).reason == "no_ceremony"
    await lounge.prepare(tiny_ceremony())
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    await lounge.ceremonies.end(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony.id)
    ended = await lounge.refused(lounge.edits.rename_category(
        lounge.guild_id, actor_id=HOST, category=DRAMA, new_name="Too late"))
    assert (ended.reason, ended.facts["state"]) == ("wrong_state", "ended")


# ---- a pasted list waits for its Confirm -----------------------------------------------------

PASTED = "Outstanding Drama Series\n• Andor — Disney+\n• The Crown\n\nOutstanding Comedy Series\n• Barry\n"


async def test_a_confirmed_paste_imports_exactly_its_preview_once(db: Database, clock: FakeClock) -> None:
    lounge = Editing(db, clock)
    await lounge.prepare(tiny_ceremony(), start=False)
    await lounge.member(7).pick(DRAMA, "Mad Men")
    parsed = parse_pasted_list([PASTED])
    preview = await lounge.ceremonies.preview_paste(lounge.guild_id, parsed)
    assert await lounge.names() == [DRAMA, CHOREOGRAPHY, INFORMATIONAL]  # nothing changes before the Confirm
    summary = await lounge.ceremonies.import_preview(lounge.guild_id, actor_id=HOST, preview_id=preview.id)
    assert (summary.categories, summary.nominees, summary.dropped_picks, summary.source) == (
        2, 3, 1, "a pasted list")
    assert await lounge.names() == ["Outstanding Drama Series", "Outstanding Comedy Series"]
    assert await lounge.labels(DRAMA) == ["Andor — Disney+", "The Crown"]
    again = await lounge.refused(lounge.ceremonies.import_preview(lounge.guild_id, actor_id=HOST,
                                                                  preview_id=preview.id))
    assert again.reason == "preview_gone"


async def test_a_preview_is_for_its_own_server_ceremony_and_hour(db: Database, clock: FakeClock) -> None:
    ours, theirs = Editing(db, clock, guild_id=100), Editing(db, clock, guild_id=200)
    await ours.prepare(tiny_ceremony(), start=False)
    await theirs.prepare(tiny_ceremony(), start=False)
    parsed = parse_pasted_list([PASTED])
    preview = await ours.ceremonies.preview_paste(ours.guild_id, parsed)
    assert (await theirs.refused(theirs.ceremonies.import_preview(
        theirs.guild_id, actor_id=HOST, preview_id=preview.id))).reason == "preview_gone"
    await theirs.ceremonies.discard_preview(theirs.guild_id, preview.id)  # their Cancel can't touch ours either
    clock.advance(seconds=PREVIEW_LIFETIME.total_seconds() + 1)
    expired = await ours.refused(ours.ceremonies.import_preview(ours.guild_id, actor_id=HOST, preview_id=preview.id))
    assert (expired.reason, expired.facts["lifetime_minutes"]) == ("preview_expired", 60)
    fresh = await ours.ceremonies.preview_paste(ours.guild_id, parsed)  # sweeps the expired one away
    assert await db.fetch_value("SELECT COUNT(*) FROM paste_previews") == 1
    await ours.ceremonies.create(ours.guild_id, actor_id=HOST, name="Another night", year=2015)
    stale = await ours.refused(ours.ceremonies.import_preview(ours.guild_id, actor_id=HOST, preview_id=fresh.id))
    assert stale.reason == "stale_preview"
    cancelled = await ours.ceremonies.preview_paste(ours.guild_id, parsed)
    await ours.ceremonies.discard_preview(ours.guild_id, cancelled.id)
    assert (await ours.refused(ours.ceremonies.import_preview(
        ours.guild_id, actor_id=HOST, preview_id=cancelled.id))).reason == "preview_gone"


async def test_a_live_ceremony_takes_no_paste(lounge: Editing) -> None:
    with pytest.raises(WrongState) as caught:
        await lounge.ceremonies.preview_paste(lounge.guild_id, parse_pasted_list([PASTED]))
    assert (caught.value.reason, caught.value.facts["state"]) == ("wrong_state", "live")


# ---- presets ---------------------------------------------------------------------------------


async def test_a_preset_fills_the_new_ceremony_without_its_winners(db: Database, clock: FakeClock) -> None:
    lounge = Editing(db, clock)
    chosen = presets.find("2014")
    summary = await lounge.ceremonies.create_from(lounge.guild_id, actor_id=HOST, name="Replay night", year=2024,
                                                  nominees=presets.load(chosen), source=chosen.title)
    assert (summary.ceremony.name, summary.ceremony.year, summary.ceremony.state) == ("Replay night", 2024, "draft")
    assert (summary.categories, summary.nominees) == (103, 561)
    assert await db.fetch_value("SELECT COUNT(*) FROM categories WHERE telecast = 1") == 26
    assert await db.fetch_value("SELECT COUNT(*) FROM results") == 0
    assert "from 2014 · 66th Primetime Emmy Awards" in (await audit.recent(db, lounge.guild_id, 1))[0].detail
    with pytest.raises(NotFound) as caught:
        presets.find("1930")
    assert caught.value.reason == "unknown_preset"


async def test_a_live_ceremony_must_end_before_a_preset_replaces_it(lounge: Editing) -> None:
    chosen = presets.find("emmys-all:1975")
    refusal = await lounge.refused(lounge.ceremonies.create_from(
        lounge.guild_id, actor_id=HOST, name="Replay", year=1975, nominees=presets.load(chosen)))
    assert isinstance(refusal, WrongState)
    assert refusal.reason == "ceremony_live"
