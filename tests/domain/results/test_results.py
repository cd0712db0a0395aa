"""Hosts log results live: losses, picks, roles and the winner's tax follow in one
unit; ties add a winner, undo takes a result back exactly, announcements fit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database, apply_migrations
from bot.domain.errors import Conflict, NotFound, WrongState
from bot.domain.pledges import PledgeService
from bot.domain.settings.service import SettingsService
from bot.embeds import EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT, embed_size
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import HOST, Lounge, tiny_ceremony
from tests.refusals import refused

DRAMA = "Outstanding Drama Series"
CHOREOGRAPHY = "Outstanding Choreography"
INFO = "Outstanding Informational Series Or Special"
ROLE = 77


async def open_lounge(db: Database, clock: FakeClock, *, role: bool = True, **settings: Any) -> Lounge:
    lounge = Lounge(db, clock)
    if role:
        settings["loser_role_id"] = ROLE
    if settings:
        await lounge.settings.update(lounge.guild_id, settings, actor_id=HOST)
    await lounge.prepare(tiny_ceremony())
    return lounge


async def role_changes(db: Database) -> list[tuple[int, str]]:
    return [(row["user_id"], row["action"]) for row in await db.fetch_all(
        "SELECT user_id, action FROM role_queue ORDER BY id")]


async def taxes(db: Database) -> list[tuple[int, str]]:
    return [(row["user_id"], row["status"]) for row in await db.fetch_all(
        "SELECT user_id, status FROM pledges WHERE kind = 'winner_tax' ORDER BY id")]


async def test_logging_a_result_gives_losses_roles_tax_and_one_announcement(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    ann, bob, cat, dan = (lounge.member(10, "Ann"), lounge.member(11, "Bob"), lounge.member(12, "Cat"),
                          lounge.member(13, "Dan"))
    await ann.claim(DRAMA, "Mad Men")
    await ann.pick(DRAMA, "Mad Men")
    await bob.claim(DRAMA, "Breaking Bad")
    await bob.pick(DRAMA, "Breaking Bad")
    await cat.pick(DRAMA, "True Detective")
    await dan.pick(CHOREOGRAPHY, "Travis Wall")  # another category: untouched
    report = await lounge.log(DRAMA, "Breaking Bad")
    assert (report.losses_added, report.newcomers, report.right_picks, report.taxes_charged,
            report.roles_granted) == (3, 2, 1, 1, 2)
    assert [await lounge.losses_of(user) for user in (10, 11, 12, 13)] == [2, 0, 1, 0]
    sources = [(row[0], row[1]) for row in await db.fetch_all("SELECT user_id, source FROM losses ORDER BY id")]
    assert sources == [(10, "claim"), (10, "pick"), (12, "pick")]
    outcomes = {row[0]: row[1] for row in await db.fetch_all("SELECT user_id, outcome FROM picks")}
    assert outcomes == {10: "wrong", 11: "right", 12: "wrong", 13: None}
    assert await role_changes(db) == [(10, "add"), (12, "add")]
    assert await taxes(db) == [(11, "pending")]
    announcement = (await lounge.announcements("result.log"))[0]["embeds"][0]
    assert announcement["title"] == "🏆 Outstanding Drama Series"
    assert announcement["description"] == "**Winner:** Breaking Bad"
    fields = {field["name"]: field["value"] for field in announcement["fields"]}
    assert fields["New guests in the lounge (2)"] == "Mad Men, True Detective"
    assert fields["Lost their pick (2)"] == "Ann, Cat"
    assert fields["Their nominee lost (1)"] == "Ann \\(as Mad Men\\)"
    assert fields["Winner's tax"] == "Bob owes $1,000.00 for Breaking Bad"
    assert fields["New in the lounge (2)"] == "Ann, Cat"
    stats = {row[0]: (row[1], row[2]) for row in await db.fetch_all(
        "SELECT user_id, correct, resolved FROM pick_stats WHERE scope = 0")}
    assert stats == {10: (0, 1), 11: (1, 1), 12: (0, 1)}


async def test_a_member_who_already_has_the_role_is_not_queued_again(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    ann = lounge.member(10, "Ann")
    await ann.pick(DRAMA, "Mad Men")
    await ann.pick(INFO, "Cosmos")
    await lounge.log(DRAMA, "Breaking Bad")
    await lounge.log(INFO, "Vice")
    assert await role_changes(db) == [(10, "add")]
    await lounge.undo(DRAMA)  # Ann still lost the Informational pick: she keeps the role
    assert await role_changes(db) == [(10, "add")]
    await lounge.undo(INFO)  # now nothing gave it but the undone results
    assert await role_changes(db) == [(10, "add"), (10, "remove")]
    assert await db.fetch_value("SELECT COUNT(*) FROM loser_role_grants") == 0


async def test_a_declared_loss_keeps_the_role_through_an_undo(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    ann = lounge.member(10, "Ann")
    await ann.pick(DRAMA, "Mad Men")
    await lounge.log(DRAMA, "Breaking Bad")
    await ann.declare(note="still sad")
    await lounge.undo(DRAMA)
    assert await lounge.losses_of(10) == 1
    assert await db.fetch_value("SELECT source FROM losses") == "declared"
    assert await role_changes(db) == [(10, "add")]


async def test_without_a_loser_role_nothing_is_queued(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock, role=False)
    await lounge.member(10).pick(DRAMA, "Mad Men")
    await lounge.log(DRAMA, "Breaking Bad")
    assert await role_changes(db) == []
    assert await lounge.losses_of(10) == 1


async def test_logging_twice_points_to_tie_and_undo_and_changes_nothing(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    await lounge.member(10).pick(DRAMA, "Mad Men")
    await lounge.log(DRAMA, "Breaking Bad")
    before = await db.fetch_all("SELECT COUNT(*) FROM outbox")
    with refused(Conflict, "already_logged", category=DRAMA) as logged:
        await lounge.log(DRAMA, "Mad Men")
    assert "`/result tie`" in str(logged.value)
    assert "`/result undo`" in str(logged.value)
    with refused(Conflict, "already_winning", category=DRAMA):
        await lounge.tie(DRAMA, "Breaking Bad")
    with refused(Conflict, "no_result_yet", category=CHOREOGRAPHY):
        await lounge.tie(CHOREOGRAPHY, "Travis Wall")
    with pytest.raises(NotFound, match="isn't nominated"):
        await lounge.log(CHOREOGRAPHY, "Mad Men")
    with refused(NotFound, "no_result_to_undo", category=CHOREOGRAPHY):
        await lounge.undo(CHOREOGRAPHY)
    assert [tuple(r) for r in await db.fetch_all("SELECT COUNT(*) FROM outbox")] == [tuple(r) for r in before]
    assert await lounge.losses_of(10) == 1


async def test_results_need_a_live_ceremony(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    with pytest.raises(NotFound, match="/ceremony create"):
        await lounge.log(DRAMA, "Mad Men")
    await lounge.prepare(tiny_ceremony(), start=False)
    with pytest.raises(WrongState, match="is draft: you can log results only while it's live"):
        await lounge.log(DRAMA, "Mad Men")
    await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=1)
    await lounge.log(DRAMA, "Mad Men")
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    await lounge.ceremonies.end(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony.id)
    with pytest.raises(WrongState, match="is ended"):
        await lounge.log(CHOREOGRAPHY, "Travis Wall")
    with pytest.raises(WrongState, match="is ended"):
        await lounge.undo(DRAMA)


async def test_a_tie_makes_a_loser_a_winner_with_every_effect(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    vice_fan, bourdain_fan, both = lounge.member(10, "Vee"), lounge.member(11, "Tony"), lounge.member(12, "Both")
    await vice_fan.pick(INFO, "Vice")
    await bourdain_fan.pick(INFO, "Anthony Bourdain Parts Unknown")
    await bourdain_fan.claim(INFO, "Anthony Bourdain Parts Unknown")
    await both.claim(INFO, "Vice")
    await both.claim(INFO, "Cosmos")
    await lounge.log(INFO, "Vice")
    assert [await lounge.losses_of(user) for user in (10, 11, 12)] == [0, 2, 1]
    report = await lounge.tie(INFO, "anthony bourdain parts unknown")
    assert [n.label for n in report.winners] == ["Vice", "Anthony Bourdain Parts Unknown"]
    assert (report.losses_removed, report.taxes_charged, report.roles_removed) == (2, 1, 1)
    assert [await lounge.losses_of(user) for user in (10, 11, 12)] == [0, 0, 1]
    assert await taxes(db) == [(12, "pending"), (11, "pending")]
    assert await role_changes(db) == [(11, "add"), (12, "add"), (11, "remove")]
    outcomes = {row[0]: row[1] for row in await db.fetch_all("SELECT user_id, outcome FROM picks")}
    assert outcomes == {10: "right", 11: "right"}
    guests = [row[0] for row in await db.fetch_all(
        "SELECT n.label FROM lounge_guests g JOIN nominees n ON n.id = g.nominee_id ORDER BY n.position")]
    assert guests == ["Inside The Actors Studio", "Cosmos"]
    tie = (await lounge.announcements("result.tie"))[0]["embeds"][0]
    assert tie["title"] == "🤝 A tie in Outstanding Informational Series Or Special"
    assert "Anthony Bourdain Parts Unknown won too" in tie["description"]
    # A third winner claimed by someone who already owes tax for this category: one tax per member per result.
    await lounge.tie(INFO, "Cosmos")
    assert await taxes(db) == [(12, "pending"), (11, "pending")]
    assert await lounge.losses_of(12) == 0


async def test_spoiler_safe_servers_hide_the_outcome(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock, spoiler_safe=True)
    await lounge.member(10, "Ann").pick(DRAMA, "Mad Men")
    await lounge.log(DRAMA, "Breaking Bad")
    embed = (await lounge.announcements("result.log"))[0]["embeds"][0]
    assert embed["title"] == "🏆 Outstanding Drama Series"
    assert embed["description"] == "**Winner:** ||Breaking Bad||"
    assert all(field["value"].startswith("||") and field["value"].endswith("||") for field in embed["fields"])
    assert "Breaking Bad" not in json.dumps(embed).replace("||Breaking Bad||", "")
    await lounge.undo(DRAMA)
    correction = (await lounge.announcements("result.undo"))[0]["embeds"][0]
    assert "||Breaking Bad||" in correction["description"]


async def test_five_thousand_losers_fit_in_one_announcement(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    users = range(1000, 6000)
    mad_men = await lounge.nominee(DRAMA, "Mad Men")
    await db.write(lambda tx: _bulk_picks(tx, lounge, mad_men, users))
    report = await lounge.log(DRAMA, "Breaking Bad")
    assert (report.losses_added, report.newcomers, report.roles_granted) == (5000, 5000, 5000)
    body = (await lounge.announcements("result.log"))[0]
    assert len(body["embeds"]) <= 10
    assert sum(embed_size(embed) for embed in body["embeds"]) <= EMBED_TOTAL_LIMIT
    fields = {field["name"]: field["value"] for field in body["embeds"][0]["fields"]}
    lost = fields["Lost their pick (5,000)"]
    assert len(lost) <= FIELD_VALUE_LIMIT
    assert lost.endswith(" more")
    assert "and 4," in lost
    assert await db.fetch_value("SELECT COUNT(*) FROM loss_totals WHERE scope = 0") == 5000
    undone = await lounge.undo(DRAMA)
    assert (undone.losses_removed, undone.roles_removed) == (5000, 5000)
    assert await db.fetch_value("SELECT COUNT(*) FROM loss_totals") == 0


async def _bulk_picks(tx: Any, lounge: Lounge, mad_men: Any, users: range) -> None:
    ceremony_id = await tx.fetch_one("SELECT id FROM ceremonies WHERE guild_id = ?", (lounge.guild_id,))
    name = "A member with a rather long display name, to fill the field ~~~~~~~~~~~~~~~~~~~~~~~~~"
    await tx.execute_many(
        "INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, ?, '2014-08-25')",
        [(lounge.guild_id, user, f"{name} {user}") for user in users],
    )
    await tx.execute_many(
        "INSERT INTO picks (guild_id, ceremony_id, category_id, user_id, nominee_id, picked_at) "
        "VALUES (?, ?, ?, ?, ?, '2014-08-25')",
        [(lounge.guild_id, ceremony_id[0], mad_men.category_id, user, mad_men.id) for user in users],
    )


async def test_a_stale_undo_button_changes_nothing(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    await lounge.log(DRAMA, "Mad Men")
    stale = await lounge.results.logged(lounge.guild_id, DRAMA)
    await lounge.undo(DRAMA)
    await lounge.log(DRAMA, "Breaking Bad")
    with refused(Conflict, "result_changed", category=DRAMA, result_id=stale.result_id):
        await lounge.results.undo(lounge.guild_id, actor_id=HOST, category_id=stale.category.id,
                                  result_id=stale.result_id)
    status = await lounge.ceremonies.status(lounge.guild_id)
    assert status.logged[0].winners == ("Breaking Bad",)


async def test_an_undo_reopens_the_picks_and_clears_their_record(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    ann = lounge.member(10, "Ann")
    await ann.pick(DRAMA, "Mad Men")
    await lounge.log(DRAMA, "Mad Men")
    assert await db.fetch_value("SELECT correct FROM pick_stats WHERE scope = 0") == 1
    await lounge.undo(DRAMA)
    assert [tuple(row) for row in await db.fetch_all("SELECT outcome, resolved_at FROM picks")] == [(None, None)]
    assert await db.fetch_value("SELECT COUNT(*) FROM pick_stats") == 0
    await ann.pick(DRAMA, "True Detective")  # open again until the right result is logged
    await lounge.log(DRAMA, "Breaking Bad")
    assert await lounge.losses_of(10) == 1
    correction = (await lounge.announcements("result.undo"))[0]["embeds"][0]
    assert correction["title"] == "↩️ Correction: Outstanding Drama Series"
    assert "Mad Men" in correction["description"]


async def test_every_host_action_is_audited(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock, role=False)
    await lounge.log(INFO, "Vice")
    await lounge.tie(INFO, "Cosmos")
    await lounge.undo(INFO)
    actions = [row[0] for row in await db.fetch_all("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["ceremony.create", "ceremony.import", "ceremony.start", "result.log", "result.tie",
                       "result.undo"]


# ---- undo and re-log: as if the wrong result never happened -------------------------------


async def test_a_winners_tax_paid_before_an_undo_is_not_charged_again(db: Database, clock: FakeClock) -> None:
    lounge = await open_lounge(db, clock)
    pledges = PledgeService(db, clock, SettingsService(db, clock))
    bob, cat = lounge.member(11, "Bob"), lounge.member(12, "Cat")
    await bob.claim(DRAMA, "Breaking Bad")
    await cat.claim(DRAMA, "Mad Men")
    await lounge.log(DRAMA, "Breaking Bad")
    bobs_tax = int(await db.fetch_value("SELECT id FROM pledges WHERE user_id = 11"))
    await pledges.mark_paid(guild_id=lounge.guild_id, pledge_id=bobs_tax, actor_id=11, actor_is_host=False)
    undone = await lounge.undo(DRAMA)  # by mistake: Bob's money has changed hands, his tax stays paid
    assert undone.taxes_cancelled == 0
    assert await taxes(db) == [(11, "paid")]

    relogged = await lounge.log(DRAMA, "Breaking Bad")  # the same winner again: nothing more to pay
    assert relogged.taxes_charged == 0
    assert await taxes(db) == [(11, "paid")]
    news = (await lounge.announcements("result.log"))[-1]["embeds"][0]
    assert "Winner's tax" not in {field["name"] for field in news["fields"]}
    bob_total = await db.fetch_value("SELECT total_cents FROM pledge_member_totals WHERE scope = 0 AND user_id = 11")
    assert bob_total == 1_000_00

    # Another winner after all: only who claimed it owes; Bob's paid tax is left as it is.
    await lounge.undo(DRAMA)
    other = await lounge.log(DRAMA, "Mad Men")
    assert other.taxes_charged == 1
    assert await taxes(db) == [(11, "paid"), (12, "pending")]
    # …and Bob's nominee ties: the tax he paid for this category stands for it.
    tie = await lounge.tie(DRAMA, "Breaking Bad")
    assert tie.taxes_charged == 0
    assert await taxes(db) == [(11, "paid"), (12, "pending")]
    total = await db.fetch_value("SELECT raised_cents FROM pledge_totals WHERE scope = 0")
    assert total == 2_000_00


# Columns that hold ids of rows re-created by the re-log, or times: not part of "the state".
VOLATILE = {"id", "result_id", "created_at", "updated_at", "reached_at", "granted_at", "logged_at", "added_at",
            "resolved_at", "picked_at", "claimed_at", "first_seen", "announcement_id"}
STATE = {
    "results": "SELECT * FROM results",
    "result_winners": "SELECT * FROM result_winners",
    "lounge_guests": "SELECT * FROM lounge_guests",
    "claims": "SELECT * FROM claims",
    "picks": "SELECT * FROM picks",
    "losses": "SELECT * FROM losses",
    "loss_totals": "SELECT * FROM loss_totals",
    "pick_stats": "SELECT * FROM pick_stats",
    "loser_role_grants": "SELECT * FROM loser_role_grants",
    "members": "SELECT * FROM members",
    # A cancelled tax is history, not state; the member totals keep a zero row for whoever had one.
    "pledges": "SELECT * FROM pledges WHERE status != 'cancelled'",
    "pledge_totals": "SELECT * FROM pledge_totals",
    "pledge_member_totals": "SELECT * FROM pledge_member_totals WHERE total_cents != 0",
}


async def dump(db: Database) -> dict[str, list[tuple[tuple[str, Any], ...]]]:
    state = {}
    for table, sql in STATE.items():
        rows = await db.fetch_all(sql)
        state[table] = sorted(
            (tuple((key, row[key]) for key in row.keys() if key not in VOLATILE) for row in rows),  # noqa: SIM118
            key=repr,
        )
    return state


async def night(db: Database, clock: FakeClock, *, mistake: bool) -> dict[str, list[tuple[tuple[str, Any], ...]]]:
    lounge = await open_lounge(db, clock)
    ann, bob, cat = lounge.member(10, "Ann"), lounge.member(11, "Bob"), lounge.member(12, "Cat")
    await ann.claim(DRAMA, "Mad Men")
    await bob.claim(DRAMA, "Breaking Bad")
    await ann.pick(DRAMA, "Breaking Bad")
    await bob.pick(DRAMA, "Mad Men")
    await cat.pick(DRAMA, "True Detective")
    await cat.pick(INFO, "Vice")
    await bob.claim(INFO, "Vice")
    await cat.declare(note="always")
    if mistake:
        await lounge.log(INFO, "Cosmos")
        await lounge.log(DRAMA, "Mad Men")
        await lounge.tie(DRAMA, "True Detective")
        await lounge.undo(DRAMA)
        await lounge.undo(INFO)
    await lounge.log(DRAMA, "Breaking Bad")
    await lounge.log(INFO, "Vice")
    return await dump(db)


async def test_undo_and_relog_equals_the_night_without_the_mistake(db: Database, clock: FakeClock,
                                                                   tmp_path: Path) -> None:
    with_mistake = await night(db, clock, mistake=True)
    clean_db = await Database.open(tmp_path / "clean.db")
    try:
        await apply_migrations(clean_db.connection)
        without = await night(clean_db, FakeClock(), mistake=False)
    finally:
        await clean_db.close()
    assert with_mistake["losses"]  # the comparison compares something
    assert with_mistake["pledges"]
    for table in STATE:
        assert with_mistake[table] == without[table], table
