"""`/privacy forget-me`: after a full night, nothing in the database points at the
member any more, yet every total still adds up and nobody else lost anything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.custom_ids import encode_int
from bot.db import Database, Transaction
from bot.domain.leaderboards.service import ANONYMOUS, BoardKind, board_page
from bot.domain.pledges import PledgeService
from bot.domain.privacy.service import FORGOTTEN_NAME, PrivacyService
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import Lounge, tiny_ceremony
from tests.domain.leaderboard_helpers import GUILD, OTHER_GUILD

ANN = 184_467_440_737_095_516  # the member who asks to be forgotten (a snowflake-sized id)
BOB = 284_467_440_737_095_517
LOSER_ROLE = 9000
DRAMA, DANCE = "Outstanding Drama Series", "Outstanding Choreography"


async def every_mention(db: Database, user_id: int, guild_id: int) -> list[str]:
    """Every (table.column) in the database holding `user_id`, as a number or inside text.

    Reads every table and every column generically (sqlite_master + PRAGMA
    table_info), so a table added later is checked too. Rows of other servers
    are skipped where a table has a guild_id.
    """
    found: list[str] = []
    tables = await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    for table in (row["name"] for row in tables):
        columns = [row["name"] for row in await db.fetch_all(f"PRAGMA table_info({table})")]
        in_server = "guild_id = ? AND " if "guild_id" in columns else ""
        for column in columns:
            params: tuple[Any, ...] = (user_id, str(user_id))
            count = await db.fetch_value(
                f"SELECT COUNT(*) FROM {table} WHERE {in_server}"  # noqa: S608 - names from sqlite_master
                f"({column} = ? OR instr(CAST({column} AS TEXT), ?) > 0)",
                ((guild_id, *params) if in_server else params),
            )
            if count:
                found.append(f"{table}.{column} ({count})")
    return found


async def totals(db: Database, guild_id: int) -> list[tuple[int, ...]]:
    rows = await db.fetch_all(
        "SELECT scope, raised_cents, pending_cents, paid_cents, verified_cents, pledge_count FROM pledge_totals "
        "WHERE guild_id = ? ORDER BY scope",
        (guild_id,),
    )
    return [tuple(row) for row in rows]


async def a_whole_night(db: Database, clock: FakeClock) -> Lounge:
    """Ann claims, picks, declares, pledges (named, anonymous, cancelled), wins a winner's tax,
    gets the loser role, and hosts a little: logs a result and cancels Bob's pledge."""
    lounge = Lounge(db, clock, guild_id=GUILD)
    await lounge.settings.update(GUILD, {"loser_role_id": LOSER_ROLE}, actor_id=1)
    await lounge.prepare(tiny_ceremony())
    pledges = PledgeService(db, clock, SettingsService(db, clock))
    interactions = iter(range(700_000, 800_000))

    async def pledge(guild_id: int, user_id: int, amount: str, *, anonymous: bool = False) -> int:
        receipt = await pledges.add_pledge(
            guild_id=guild_id, user_id=user_id, display_name="Ann Forgettable" if user_id == ANN else "Bob",
            amount=amount, interaction_id=next(interactions), note=f"from {user_id}", anonymous=anonymous,
        )
        return receipt.pledge.id

    ann, bob = lounge.member(ANN, "Ann Forgettable"), lounge.member(BOB, "Bob")
    await ann.claim(DRAMA, "Breaking Bad")  # wins: a winner's tax
    await ann.claim(DANCE, "Travis Wall")  # loses: a loss
    await bob.claim(DANCE, "Derek Hough — Dancing With The Stars (Heart Cry)")
    await ann.pick(DRAMA, "Mad Men")
    await bob.pick(DRAMA, "Breaking Bad")
    await ann.declare(note="I lose at everything")
    await pledge(GUILD, ANN, "25")
    await pledge(GUILD, ANN, "40", anonymous=True)
    withdrawn = await pledge(GUILD, ANN, "10")
    await pledges.cancel(guild_id=GUILD, pledge_id=withdrawn, actor_id=ANN, actor_is_host=False)
    bobs = await pledge(GUILD, BOB, "30")
    await pledges.cancel(guild_id=GUILD, pledge_id=bobs, actor_id=ANN, actor_is_host=True, reason="a test pledge")
    await pledge(GUILD, BOB, "15")
    clock.advance(minutes=1)
    await lounge.results.log(GUILD, actor_id=ANN, category=DRAMA, winner="Breaking Bad")
    await lounge.log(DANCE, "Derek Hough — Dancing With The Stars (Hey Pachuco)")
    await pledge(OTHER_GUILD, ANN, "5")  # another server's lounge: not this one's to forget

    async def mention(tx: Transaction) -> None:
        await tx.execute(
            "INSERT INTO outbox (guild_id, kind, payload, created_at) VALUES (?, 'test', ?, ?)",
            (GUILD, f'{{"content": "thanks <@{ANN}> and <@!{ANN}>", "embeds": [], "id": {ANN}}}', "2014"),
        )
        await tx.execute(
            "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) VALUES (?, 1, 'x', ?, '2014')",
            (GUILD, f"looked at member {ANN}"),
        )

    await db.write(mention)
    return lounge


def posted_board(last_on_page: int) -> str:
    """A posted board's body as the outbox keeps it: its Next button carries the page's last member."""
    anchor = ".".join(encode_int(part) for part in (10, 3, 1_408_996_800_000_000, last_on_page))
    custom_id = f"lounge:board:{encode_int(GUILD)}:l0:n2:{anchor}"
    button = {"type": 2, "style": 2, "label": "More losers", "custom_id": custom_id}
    return json.dumps({"embeds": [{"title": "💔 Biggest losers"}], "components": [{"type": 1, "components": [button]}]})


async def test_after_forget_me_no_table_mentions_the_member(db: Database, clock: FakeClock) -> None:
    await a_whole_night(db, clock)
    before = await every_mention(db, ANN, GUILD)
    for expected in ("pledges.user_id", "losses.user_id", "picks.user_id", "claims.user_id", "members.user_id",
                     "loser_role_grants.user_id", "role_queue.user_id", "results.logged_by", "audit_log.actor_id",
                     "pledges.cancelled_by", "outbox.payload", "audit_log.detail", "loss_totals.user_id",
                     "pick_stats.user_id", "pledge_member_totals.user_id"):
        assert any(place.startswith(expected) for place in before), (expected, before)

    report = await PrivacyService(db, clock).forget(GUILD, ANN)

    assert await every_mention(db, ANN, GUILD) == []
    assert report.role_ids == (LOSER_ROLE,)
    assert report.pledges_anonymised == 4  # three pledges and the winner's tax
    outbox_text = await db.fetch_value("SELECT payload FROM outbox WHERE kind = 'test'")
    assert f"thanks {FORGOTTEN_NAME} and {FORGOTTEN_NAME}" in outbox_text
    assert await db.fetch_value("SELECT COUNT(*) FROM pledges WHERE guild_id = ? AND user_id = ?",
                                (OTHER_GUILD, ANN)) == 1


async def test_buttons_stored_with_announcements_lose_the_members_id(db: Database, clock: FakeClock) -> None:
    async def post(tx: Transaction) -> None:
        for kind, last in (("board.ann", ANN), ("board.bob", BOB)):
            await tx.execute("INSERT INTO outbox (guild_id, kind, payload, created_at) VALUES (?, ?, ?, '2014')",
                             (GUILD, kind, posted_board(last)))

    await db.write(post)
    await PrivacyService(db, clock).forget(GUILD, ANN)

    rows = {row["kind"]: json.loads(row["payload"]) for row in await db.fetch_all(
        "SELECT kind, payload FROM outbox WHERE kind LIKE 'board.%'")}
    assert "components" not in rows["board.ann"]
    assert rows["board.ann"]["embeds"] == [{"title": "💔 Biggest losers"}]  # the post itself reads the same
    assert rows["board.bob"] == json.loads(posted_board(BOB))


async def test_the_money_stays_in_every_total_as_an_anonymous_donor(db: Database, clock: FakeClock) -> None:
    lounge = await a_whole_night(db, clock)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    money_before = await totals(db, GUILD)
    pledger_counts = await db.fetch_all(
        "SELECT scope, pledger_count FROM pledge_totals WHERE guild_id = ? ORDER BY scope", (GUILD,))

    await PrivacyService(db, clock).forget(GUILD, ANN)

    assert await totals(db, GUILD) == money_before
    assert [tuple(row) for row in await db.fetch_all(
        "SELECT scope, pledger_count FROM pledge_totals WHERE guild_id = ? ORDER BY scope", (GUILD,)
    )] == [tuple(row) for row in pledger_counts]
    sums = await db.fetch_all(
        "SELECT t.scope, t.raised_cents, (SELECT SUM(total_cents) FROM pledge_member_totals m "
        "WHERE m.guild_id = t.guild_id AND m.scope = t.scope) AS members FROM pledge_totals t WHERE t.guild_id = ?",
        (GUILD,),
    )
    assert all(row["raised_cents"] == row["members"] for row in sums)
    standings, _ = await board_page(db, GUILD, BoardKind.DONORS, ceremony.id, None)
    named = [(s.name, s.value) for s in standings]
    assert named == [(ANONYMOUS, 25_00 + 40_00 + 1_000_00), ("Bob", 15_00)]
    assert standings[0].user_id < 0


async def test_everyone_else_keeps_their_night(db: Database, clock: FakeClock) -> None:
    lounge = await a_whole_night(db, clock)
    bob_before = [await lounge.losses_of(BOB), await db.fetch_value(
        "SELECT COUNT(*) FROM picks WHERE user_id = ?", (BOB,)), await db.fetch_value(
        "SELECT COUNT(*) FROM claims WHERE user_id = ?", (BOB,))]
    results_before = await db.fetch_value("SELECT COUNT(*) FROM results")

    await PrivacyService(db, clock).forget(GUILD, ANN)

    assert [await lounge.losses_of(BOB), await db.fetch_value(
        "SELECT COUNT(*) FROM picks WHERE user_id = ?", (BOB,)), await db.fetch_value(
        "SELECT COUNT(*) FROM claims WHERE user_id = ?", (BOB,))] == bob_before
    assert await db.fetch_value("SELECT COUNT(*) FROM results") == results_before
    assert await lounge.losses_of(ANN) == 0
    held = await PrivacyService(db, clock).what_we_hold(GUILD, ANN)
    assert held.empty


async def test_forgetting_someone_twice_or_with_no_data_is_harmless(db: Database, clock: FakeClock) -> None:
    privacy = PrivacyService(db, clock)
    report = await privacy.forget(GUILD, 12345)
    assert (report.removed_rows, report.pledges_anonymised, report.role_ids) == (0, 0, ())
    await a_whole_night(db, clock)
    await privacy.forget(GUILD, ANN)
    again = await privacy.forget(GUILD, ANN)
    assert (again.removed_rows, again.pledges_anonymised) == (0, 0)
    assert await db.fetch_value("SELECT COUNT(*) FROM forgotten_members") == 1
    with pytest.raises(ValueError, match="real member"):
        await privacy.forget(GUILD, 0)
