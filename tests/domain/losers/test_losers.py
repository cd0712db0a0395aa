"""Members claim nominees, pick winners, declare themselves losers, and read their
cards and the roster; each refusal is clear and changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.db import Database, Transaction
from bot.domain.ceremonies.service import require_current, require_state, resolve_category, resolve_nominee
from bot.domain.errors import Conflict, InvalidInput, LoungeError, NotAllowed, NotFound, WrongState
from bot.domain.losers.service import (
    MAX_CLAIMS_PER_MEMBER,
    ROSTER_PAGE_SIZE,
    PickReceipt,
    _open_choice,
    erase_member,
)
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import HOST, Lounge, tiny_ceremony
from tests.refusals import refused

DRAMA = "Outstanding Drama Series"
CHOREOGRAPHY = "Outstanding Choreography"
INFO = "Outstanding Informational Series Or Special"


async def snapshot(db: Database) -> list[list[tuple[object, ...]]]:
    tables = ["claims", "picks", "losses", "loss_totals", "pick_stats", "loser_role_grants", "outbox", "members"]
    return [[tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table} ORDER BY 1, 2, 3")]  # noqa: S608
            for table in tables]


async def test_one_member_per_nominee(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony(), start=False)  # claims open in the draft already
    ann, bob = lounge.member(10, "Ann"), lounge.member(11, "Bob")
    await ann.claim(DRAMA, "Mad Men")
    with refused(Conflict, "nominee_taken", category=DRAMA, nominee="Mad Men"):
        await bob.claim(DRAMA, "mad men")
    with refused(Conflict, "already_claimed", category=DRAMA, nominee="Mad Men"):
        await ann.claim(DRAMA, "Mad Men")
    with refused(NotFound, "not_claimed", category=DRAMA, nominee="Mad Men"):
        await lounge.losers.unclaim(lounge.guild_id, user_id=11, category=DRAMA, nominee="Mad Men")
    await lounge.losers.unclaim(lounge.guild_id, user_id=10, category=DRAMA, nominee="Mad Men")
    await bob.claim(DRAMA, "Mad Men")
    assert await db.fetch_value("SELECT user_id FROM claims") == 11


async def test_claims_and_picks_lock_when_the_result_is_logged(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    ann = lounge.member(10, "Ann")
    await ann.pick(DRAMA, "Mad Men")
    await ann.pick(DRAMA, "True Detective")  # changing is fine until the result
    await ann.pick(DRAMA, "True Detective")  # the same pick again changes nothing
    await ann.claim(DRAMA, "True Detective")
    await lounge.log(DRAMA, "Breaking Bad")
    before = await snapshot(db)
    with refused(WrongState, "category_logged", category=DRAMA):
        await ann.pick(DRAMA, "Breaking Bad")
    with refused(WrongState, "category_logged", category=DRAMA):
        await lounge.losers.unclaim(lounge.guild_id, user_id=10, category=DRAMA, nominee="True Detective")
    with refused(WrongState, "category_logged", category=DRAMA):
        await lounge.member(11).claim(DRAMA, "Mad Men")
    assert await snapshot(db) == before
    picks = await lounge.losers.picks_of(lounge.guild_id, 10, "Ann")
    assert [(p.category, p.nominee, p.outcome, p.winners) for p in picks.lines] == [
        (DRAMA, "True Detective", "wrong", ("Breaking Bad",))]


async def test_bad_input_changes_nothing(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    ann = lounge.member(10, "Ann")
    with pytest.raises(NotFound, match="/ceremony create"):
        await ann.pick(DRAMA, "Mad Men")
    await lounge.prepare(tiny_ceremony())
    before = await snapshot(db)
    with pytest.raises(NotFound):
        await ann.pick("Best Picture", "Mad Men")
    with pytest.raises(NotFound):
        await ann.pick(DRAMA, "Travis Wall")
    with pytest.raises(InvalidInput, match="stands 2 times"):
        await ann.claim(CHOREOGRAPHY, "Derek Hough")
    with refused(InvalidInput, "note_too_long", length=201, limit=200):
        await ann.declare(note="x" * 201)
    with refused(InvalidInput, "note_control_characters"):
        await ann.declare(note="sad\x1b[31m")
    with pytest.raises(NotFound):
        await ann.declare(category="Best Picture")
    assert await snapshot(db) == before
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    await lounge.ceremonies.end(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony.id)
    with pytest.raises(WrongState, match="is ended"):
        await ann.pick(DRAMA, "Mad Men")


async def test_a_member_may_claim_only_so_many(db: Database, clock: FakeClock) -> None:
    document = {"categories": [{"name": f"C{i}", "nominees": [{"name": "N"}]}
                               for i in range(MAX_CLAIMS_PER_MEMBER + 1)]}
    lounge = Lounge(db, clock)
    await lounge.prepare(document)
    ann = lounge.member(10)
    for i in range(MAX_CLAIMS_PER_MEMBER):
        await ann.claim(f"C{i}", "N")
    with refused(NotAllowed, "too_many_claims", limit=MAX_CLAIMS_PER_MEMBER):
        await ann.claim(f"C{MAX_CLAIMS_PER_MEMBER}", "N")


async def test_declaring_is_a_loss_once_per_category(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.settings.update(lounge.guild_id, {"loser_role_id": 77}, actor_id=HOST)
    await lounge.prepare(tiny_ceremony())
    ann = lounge.member(10, "Ann <@&5> **bold**")
    await ann.declare(note="  I never win   anything ")
    with refused(Conflict, "already_declared", category=None):
        await ann.declare()
    await ann.declare(category=DRAMA)
    with refused(Conflict, "already_declared", category=DRAMA):
        await ann.declare(category=DRAMA.upper())
    assert await lounge.losses_of(10) == 2
    notes = [row[0] for row in await db.fetch_all("SELECT note FROM losses ORDER BY id")]
    assert notes == ["I never win anything", None]
    # The role is granted once, on the first loss; the announcement pings nobody.
    assert await db.fetch_value("SELECT COUNT(*) FROM role_queue WHERE action = 'add'") == 1
    declared = await lounge.announcements("loser.declared")
    assert len(declared) == 1  # only the newcomer is news
    first = declared[0]["embeds"][0]["description"]
    assert "<@&5>" not in first
    assert "\\*\\*bold\\*\\*" in first
    assert "I never win anything" in first
    assert "Welcome to the lounge" in first


async def test_a_declaration_without_a_ceremony_counts_all_time(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.member(10).declare(note="pre-show nerves")
    assert await lounge.losses_of(10) == 1
    card = await lounge.losers.card(lounge.guild_id, 10, "Ann")
    assert (card.all_time.declared, card.tonight.total, card.ceremony) == (1, 0, None)


async def test_the_card_counts_losses_by_source_picks_and_pledges(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    ann = lounge.member(10, "Ann")
    await ann.claim(DRAMA, "Mad Men")
    await ann.claim(CHOREOGRAPHY, "Travis Wall")
    await ann.pick(DRAMA, "True Detective")
    await ann.pick(CHOREOGRAPHY, "Travis Wall")
    await ann.pick(INFO, "Vice")
    await ann.declare(note="for luck")
    await lounge.log(DRAMA, "Breaking Bad")
    await lounge.log(CHOREOGRAPHY, "Travis Wall")
    card = await lounge.losers.card(lounge.guild_id, 10, "someone")
    assert card.display_name == "Ann"
    assert (card.tonight.declared, card.tonight.claim, card.tonight.pick, card.tonight.total) == (1, 1, 1, 3)
    assert card.all_time == card.tonight
    assert (card.picks_tonight.correct, card.picks_tonight.resolved, card.picks_tonight.pending) == (1, 2, 1)
    assert (card.picks_all_time.correct, card.picks_all_time.resolved) == (1, 2)
    assert [(c.nominee, c.outcome) for c in card.claims] == [
        ("Mad Men", "lost"), ("Travis Wall — So You Think You Can Dance", "won")]
    # Winning Travis Wall's category charged the winner's tax, which counts as pledged.
    assert card.pledged_tonight_cents == card.pledged_all_time_cents == 100_000
    nobody = await lounge.losers.card(lounge.guild_id, 99, "Nobody")
    assert (nobody.display_name, nobody.all_time.total, nobody.claims) == ("Nobody", 0, ())


async def test_the_roster_pages_through_members_then_guests(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    for user in range(1, 31):
        await lounge.member(user, f"Picker {user:02d}").pick(DRAMA, "Mad Men")
    await lounge.member(7, "Picker 07").pick(INFO, "Cosmos")
    await lounge.log(DRAMA, "Breaking Bad")
    await lounge.log(INFO, "Vice")
    first = await lounge.losers.roster(lounge.guild_id, 0)
    assert (first.members, first.guests, first.pages) == (30, 5, 2)
    assert first.entries[0].name == "Picker 07"  # two losses: the biggest loser leads
    assert first.entries[0].detail == "2 losses"
    assert len(first.entries) == ROSTER_PAGE_SIZE
    second = await lounge.losers.roster(lounge.guild_id, 5)  # past the end: the last page
    assert second.page == 1
    assert [e.kind for e in second.entries] == ["member"] * 10 + ["guest"] * 5
    assert [e.name for e in second.entries if e.kind == "guest"] == [
        "Mad Men", "True Detective", "Anthony Bourdain Parts Unknown", "Inside The Actors Studio", "Cosmos"]
    everyone = [e.name for e in first.entries + second.entries if e.kind == "member"]
    assert sorted(everyone) == sorted(f"Picker {u:02d}" for u in range(1, 31))


async def test_a_forgotten_member_leaves_no_trace_and_others_keep_theirs(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.settings.update(lounge.guild_id, {"loser_role_id": 77}, actor_id=HOST)
    await lounge.prepare(tiny_ceremony())
    ann, bob = lounge.member(10, "Ann"), lounge.member(11, "Bob")
    for member in (ann, bob):
        await member.pick(DRAMA, "Mad Men")
        await member.declare(note="me too")
    await ann.claim(DRAMA, "True Detective")
    await lounge.log(DRAMA, "Breaking Bad")

    async def forget(tx: Transaction) -> int:
        return await erase_member(tx, lounge.guild_id, 10, clock())

    # A claim, a pick, three losses, two loss totals and two pick records, and the role grant.
    assert await db.write(forget) == 10
    for table in ("claims", "picks", "losses", "loss_totals", "pick_stats", "loser_role_grants"):
        assert await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE user_id = 10") == 0, table  # noqa: S608
    assert await db.fetch_value("SELECT action FROM role_queue WHERE user_id = 10 ORDER BY id DESC") == "remove"
    assert await lounge.losses_of(11) == 2
    assert (await lounge.losers.roster(lounge.guild_id, 0)).members == 1


async def _step_by_step(tx: Transaction, guild_id: int, category: str, nominee: str) -> tuple[object, ...]:
    """What a pick's checks found before they were one statement: each part read on its own."""
    ceremony = await require_current(tx, guild_id)
    require_state(ceremony, "draft", "live", doing="make picks")
    found = await resolve_category(tx, ceremony, category)
    chosen = await resolve_nominee(tx, ceremony, found, nominee)
    if await tx.fetch_one("SELECT 1 FROM results WHERE category_id = ?", (found.id,)) is not None:
        raise WrongState("logged", reason="category_logged")
    return ceremony, found, chosen


async def _in_one(tx: Transaction, guild_id: int, category: str, nominee: str) -> tuple[object, ...]:
    ceremony, found, chosen, _ = await _open_choice(tx, guild_id, category, nominee, doing="make picks")
    return ceremony, found, chosen


async def _outcome(db: Database, check: Callable[[Transaction], Awaitable[tuple[object, ...]]]) -> object:
    async def unit(tx: Transaction) -> object:
        try:
            return await check(tx)
        except LoungeError as error:
            return type(error), error.reason

    return await db.write(unit)


async def test_a_choice_made_by_ids_is_checked_in_one_statement_as_it_was_part_by_part(
    db: Database, clock: FakeClock
) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony(), name="Old Emmys", start=False)
    old_ids = [tuple(row) for row in await db.fetch_all("SELECT c.id, n.id FROM nominees n JOIN categories c "
                                                         "ON c.id = n.category_id")]
    await lounge.prepare(tiny_ceremony())  # another ceremony is current now: the old one's ids name nothing
    await lounge.log(DRAMA, "Breaking Bad")
    categories = [row[0] for row in await db.fetch_all("SELECT id FROM categories")]
    nominees = [row[0] for row in await db.fetch_all("SELECT id FROM nominees")]
    hostile = ["0", "9223372036854775807", "9223372036854775808", "9999999999999999999", "١", " 12 "]
    pairs = [(str(c), str(n)) for c in categories for n in nominees]
    pairs += [(str(c), h) for c in categories[:3] for h in hostile] + [(h, str(nominees[0])) for h in hostile]
    pairs += [(str(c), str(n)) for c, n in old_ids[:3]]
    for category, nominee in pairs:
        one = await _outcome(db, lambda tx, c=category, n=nominee: _in_one(tx, lounge.guild_id, c, n))
        parts = await _outcome(db, lambda tx, c=category, n=nominee: _step_by_step(tx, lounge.guild_id, c, n))
        assert one == parts, (category, nominee)
    assert {outcome for outcome in [await _outcome(db, lambda tx, c=c, n=n: _in_one(
        tx, lounge.guild_id, c, n)) for c, n in pairs] if isinstance(outcome, tuple)
        and len(outcome) == 2} >= {(WrongState, "category_logged"), (NotFound, "unknown_category"),
                                   (NotFound, "unknown_nominee"), (InvalidInput, "nominee_in_another_category")}


async def test_an_id_too_big_for_sqlite_is_refused_clearly(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    before = await snapshot(db)
    with refused(NotFound, "unknown_category"):
        await lounge.member(10, "Ann").pick("99999999999999999999"[:19], "1")
    with refused(NotFound, "unknown_nominee", category=DRAMA):
        await lounge.member(10, "Ann").pick(DRAMA, "9999999999999999999")
    assert await snapshot(db) == before


async def test_a_pick_by_ids_remembers_the_member_only_when_something_changed(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    ids = {row[0]: (row[1], row[2]) for row in await db.fetch_all(
        "SELECT n.name, c.id, n.id FROM nominees n JOIN categories c ON c.id = n.category_id WHERE c.name = ?",
        (DRAMA,))}
    guild = lounge.guild_id

    async def pick(name: str, label: str) -> PickReceipt:
        category_id, nominee_id = ids[label]
        return await lounge.losers.pick(guild, user_id=10, display_name=name, category=str(category_id),
                                        nominee=str(nominee_id))

    async def member_row() -> tuple[object, ...]:
        row = await db.fetch_one("SELECT display_name, left_at FROM members WHERE guild_id = ? AND user_id = 10",
                                 (guild,))
        assert row is not None
        return tuple(row)

    first = await pick("Ann 🌙", "Mad Men")
    assert await member_row() == ("Ann 🌙", None)  # a newcomer is remembered
    changed = await pick("Ann 🌙", "True Detective")
    assert changed.previous == "Mad Men"
    assert await pick("Ann 🌙", "True Detective") == PickReceipt(changed.category, changed.nominee, None)
    await pick("Anne", "Breaking Bad")
    assert await member_row() == ("Anne", None)  # renamed
    await db.write(lambda tx: tx.execute("UPDATE members SET left_at = 'then' WHERE user_id = 10"))
    await pick("Anne", "Mad Men")
    assert await member_row() == ("Anne", None)  # back
    long_name = "A" * 150
    await pick(long_name, "True Detective")
    await pick(long_name, "Mad Men")
    assert await member_row() == ("A" * 100, None)  # kept as stored, cut
    picks = [tuple(row) for row in await db.fetch_all("SELECT category_id, nominee_id FROM picks WHERE user_id = 10")]
    assert picks == [ids["Mad Men"]]
    assert first.previous is None
