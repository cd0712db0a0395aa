"""`/ballot` end to end (issue 13): the real bot, the real discord.py client, the stand-in.

A member fills the whole telecast ballot of 2014 with select menus and the test counts
the interactions it took; a choice after the category's result is refused and changes
nothing; the ballot keeps working after a restart and once the interaction token of the
command that opened it has expired; forged and stale menus are refused; a ballot that can
no longer be edited answers with a fresh copy."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import pytest

from standin import Attachment, ManualClock, Reply, StandIn
from standin.errors import unknown
from standin.validation import DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE
from tests.e2e.ballot_story import Sheet, interactions_of, open_ballot, open_console, telecast_names
from tests.e2e.harness import Lounge, open_lounge
from tests.e2e.story import CEREMONY_2014, DATA_2014, read_ceremony, refusal, unescape

TOKEN = "test-token"
TYPED_COMMANDS, TYPED_AUTOCOMPLETES = 26, 52  # /pick × 26, each autocompleting its category and its nominee


async def prepare_2014(lounge: Lounge, *, start: bool = True) -> None:
    await lounge.setup_lounge()
    await lounge.host.slash("ceremony create", name=CEREMONY_2014, year=2014)
    imported = await lounge.host.slash("ceremony import", file=Attachment("emmys-2014.json", DATA_2014.read_bytes()),
                                       timeout=15)
    assert imported.embeds[0]["title"].startswith("Nominees imported"), imported.embeds
    if start:
        await lounge.host.slash("ceremony start")


def picks_in_db(lounge: Lounge, member_name: str) -> dict[str, str]:
    rows = lounge.query(
        "SELECT c.name AS category, n.name AS nominee FROM picks p JOIN members m ON m.guild_id = p.guild_id "
        "AND m.user_id = p.user_id JOIN categories c ON c.id = p.category_id JOIN nominees n ON n.id = p.nominee_id "
        "WHERE m.display_name = ?", (member_name,),
    )
    return {row["category"]: row["nominee"] for row in rows}


async def told(answer: Reply) -> str:
    """The refusal a click got: its own answer, or (when the ballot was refreshed first, answer type 6)
    the ephemeral followup that says why."""
    if answer.response_type == DEFERRED_UPDATE_MESSAGE:
        return refusal((await answer.wait_for_followups(1))[0])  # type: ignore[arg-type]
    return refusal(answer)


async def test_a_member_fills_the_telecast_ballot_in_at_most_34_interactions(lounge: Lounge) -> None:
    await prepare_2014(lounge, start=False)  # picks open before the show, as for /pick
    ceremony = {category.name: category for category in read_ceremony(DATA_2014)}
    telecast = telecast_names(DATA_2014)
    assert len(telecast) == 26
    ada, rng = lounge.member("Ada"), random.Random(13)
    since = len(lounge.standin.interaction_log)

    sheet = await open_ballot(ada)
    chosen: dict[str, str] = {}
    pages: list[list[str]] = []
    while True:
        pages.append(sheet.shown())
        assert sheet.footer().startswith(f"Page {len(pages)} of 7")
        for name in sheet.shown():
            category = ceremony[name]
            nomination = rng.choice(category.nominations)
            answer = await sheet.choose(category, nomination)
            assert (answer.response_type, answer.ephemeral) == (UPDATE_MESSAGE, True)  # edited in place
            chosen[name] = nomination.name
            assert sheet.picked() == (len(chosen), 26)
            assert f"Saved: **{nomination.name}" in sheet.text
            assert f"✅ **{name}** — {nomination.name}" in sheet.text
        if sheet.button("next").get("disabled"):
            break
        await sheet.press("next")
    done = await sheet.press("done")
    assert unescape(done.embeds[0]["title"]) == "🗳️ Ballot saved — 26 of 26 picked"
    assert done.components == []

    used = interactions_of(lounge.standin, ada, since=since)
    print(f"\nissue 13 · a full telecast ballot of 2014 (26 categories): {used} interactions "
          f"(1 /ballot, 26 choices, {len(pages) - 1} page turns, 1 Done); with typed commands: "
          f"{TYPED_COMMANDS} /pick + {TYPED_AUTOCOMPLETES} autocomplete exchanges = "
          f"{TYPED_COMMANDS + TYPED_AUTOCOMPLETES}")
    assert used <= 34
    assert [name for page in pages for name in page] == telecast  # running order, four to a page
    assert picks_in_db(lounge, "Ada") == chosen
    listed = await ada.slash("picks", timeout=10)
    assert "26 pending" in unescape(str(listed.embeds[0]["fields"]))


async def test_a_choice_after_the_result_is_refused_and_changes_nothing(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama, comedy = read_ceremony(DATA_2014, first=2)
    ada = lounge.member("Ada")
    sheet = await open_ballot(ada)
    await sheet.choose(drama, drama.losers[0])
    await lounge.host.slash("result log", category="Outstanding Drama Series", winner=drama.winners[0].name,
                            timeout=10)
    before = lounge.query("SELECT * FROM picks")

    refused = await sheet.choose(drama, drama.losers[1])  # the menu still shows it open: the click is refused
    sentence = await told(refused)
    assert "locked" in sentence
    assert [tuple(row) for row in lounge.query("SELECT * FROM picks")] == [tuple(row) for row in before]
    locked = sheet.menu(drama.name)  # … and the ballot now shows the lock and the winner
    assert locked["disabled"] is True
    assert locked["placeholder"] == f"🔒 {drama.name} — won: {drama.winners[0].name}"
    assert f"🔒 **{drama.name}** — won: {drama.winners[0].name} · your pick: {drama.losers[0].name} ❌" in sheet.text

    still_open = await sheet.choose(comedy, comedy.winners[0])  # the rest of the ballot works as before
    assert still_open.followups == []
    assert picks_in_db(lounge, "Ada") == {drama.name: drama.losers[0].name, comedy.name: comedy.winners[0].name}


async def test_spoiler_safe_ballots_lock_without_showing_the_winner(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    await lounge.host.slash("settings set", spoiler_safe=True)
    drama, _ = read_ceremony(DATA_2014, first=2)
    await lounge.host.slash("result log", category=drama.name, winner=drama.winners[0].name, timeout=10)
    sheet = await open_ballot(lounge.member("Ada"))
    locked = sheet.menu(drama.name)
    assert (locked["disabled"], locked["placeholder"]) == (True, f"🔒 {drama.name} — result logged")
    assert f"||won: {drama.winners[0].name}" in sheet.text  # behind spoiler bars, as on cards


async def test_the_category_option_opens_its_page_and_only_unpicked_skips_what_is_done(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    ceremony = read_ceremony(DATA_2014)
    telecast = telecast_names(DATA_2014)
    ada = lounge.member("Ada")
    choices = await ada.autocomplete("ballot", "category", category=telecast[13])
    value = next(c["value"] for c in choices if c["name"] == telecast[13])
    sheet = await open_ballot(ada, category=value)
    assert sheet.shown() == telecast[12:16]
    assert sheet.footer().startswith("Page 4 of 7")
    for name in telecast[12:14]:
        category = next(c for c in ceremony if c.name == name)
        await sheet.choose(category, category.nominations[0])
    await sheet.press("prev")
    await sheet.press("only")
    assert sheet.shown() == telecast[:4]
    await sheet.press("next")
    await sheet.press("next")
    assert sheet.shown() == telecast[8:12]
    await sheet.press("next")
    assert sheet.shown() == telecast[14:18]  # the two picked ones are skipped
    assert "Only unpicked · 24 left to pick" in sheet.footer()
    await sheet.press("all")
    assert sheet.shown() == telecast[12:16]

    outside = ceremony[40].name  # a Creative Arts award: the whole ballot opens at its page
    choices = await ada.autocomplete("ballot", "category", category=outside)
    value = next(c["value"] for c in choices if c["name"] == outside)
    everything = await open_ballot(ada, category=value)
    assert outside in everything.shown()
    assert everything.picked() == (2, 103)
    assert everything.footer().startswith("Page 11 of 26")


@pytest.fixture
async def clocked() -> AsyncIterator[tuple[StandIn, ManualClock]]:
    """A stand-in whose clock the test moves (the 15 minutes an interaction token lives)."""
    clock = ManualClock()
    stand_in = StandIn(token=TOKEN, clock=clock)
    await stand_in.start()
    try:
        yield stand_in, clock
    finally:
        await stand_in.stop()
    assert stand_in.violations == []


@pytest.fixture
async def late_lounge(clocked: tuple[StandIn, ManualClock], tmp_path: Path) -> AsyncIterator[Lounge]:
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    lounge = await open_lounge(clocked[0], tmp_path)
    try:
        yield lounge
    finally:
        await lounge.stop_bot()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


async def test_the_ballot_and_the_console_keep_working_after_a_restart_and_once_their_tokens_expired(
    late_lounge: Lounge, clocked: tuple[StandIn, ManualClock]
) -> None:
    lounge, (_, clock) = late_lounge, clocked
    await prepare_2014(lounge)
    ceremony = read_ceremony(DATA_2014)
    ada = lounge.member("Ada")
    sheet = await open_ballot(ada)
    await sheet.press("next")
    first, second = (next(c for c in ceremony if c.name == name) for name in sheet.shown()[:2])
    await sheet.choose(first, first.nominations[1])
    desk = await open_console(lounge.host)
    await desk.log(ceremony[0], ceremony[0].winners[0])

    await lounge.restart_bot()
    clock.advance(16 * 60)  # the commands' tokens have expired: only the clicks' own tokens answer
    answer = await sheet.choose(second, second.nominations[2])
    assert answer.response_type == UPDATE_MESSAGE
    assert answer.message is sheet.message  # the same ballot, edited in place, at the same page
    assert sheet.footer().startswith("Page 2 of 7")
    assert sheet.picked() == (2, 26)
    assert picks_in_db(lounge, "Ada") == {first.name: first.nominations[1].name,
                                          second.name: second.nominations[2].name}
    logged = await desk.log(ceremony[1], ceremony[1].winners[0])
    assert logged.message is desk.message
    assert desk.now() == ceremony[2].name
    assert lounge.query_value("SELECT COUNT(*) FROM results") == 2


async def test_a_ballot_that_cannot_be_edited_answers_with_a_fresh_copy(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama, comedy = read_ceremony(DATA_2014, first=2)
    ada = lounge.member("Ada")
    sheet = await open_ballot(ada)
    engine = lounge.standin.engine
    answer_once = engine._callback

    def refuse_the_edit(record: Any, body: Any, files: Any) -> Any:
        if int(body.get("type", 0)) == UPDATE_MESSAGE:
            engine._callback = answer_once  # type: ignore[method-assign]
            raise unknown("Message", "the ballot can't be edited any more")
        return answer_once(record, body, files)

    engine._callback = refuse_the_edit  # type: ignore[method-assign]
    answer = await sheet.choose(drama, drama.winners[0])
    assert [v.code for v in lounge.standin.take_violations()] == [10008]  # the refused edit, provoked
    assert (answer.response_type, answer.ephemeral) == (4, True)  # a fresh ballot instead, for Ada only
    fresh = Sheet(ada, answer)
    assert fresh.picked() == (1, 26)
    assert fresh.shown() == sheet.shown()
    await fresh.choose(comedy, comedy.winners[0])
    assert fresh.picked() == (2, 26)


async def test_forged_and_stale_menus_are_refused_and_change_nothing(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama = read_ceremony(DATA_2014, first=1)[0]
    ada = lounge.member("Ada")
    sheet = await open_ballot(ada)
    value = sheet.value_of(drama, drama.winners[0])
    real = str(sheet.menu(drama.name)["custom_id"])
    _, _, _, ceremony_id, category_id, rest = real.split(":", 5)

    async def refused_with(custom_id: str, chosen: str = value) -> str:
        menu = sheet.menu(drama.name)
        option = next(o for o in menu["options"] if o["value"] == value)
        menu["custom_id"], option["value"] = custom_id, chosen  # what a client sends for a message carrying them
        try:
            return await told(await ada.select(sheet.reply, custom_id, [chosen], timeout=10))
        finally:
            menu["custom_id"], option["value"] = real, value

    assert "damaged" in await refused_with("lounge:ballot:pick:not-a-ballot")
    assert "damaged" in await refused_with(real, "7; DROP TABLE picks")
    assert "damaged" in await refused_with(f"lounge:ballot:pick:{ceremony_id}:{category_id}:xx:{rest.split(':')[-1]}")
    other = f"lounge:ballot:pick:{int(ceremony_id) + 50}:{category_id}:{rest}"  # another server's ceremony
    assert "another ceremony" in await refused_with(other)
    gone = f"lounge:ballot:pick:{ceremony_id}:999999:{rest}"
    assert "no longer part of" in await refused_with(gone)
    assert lounge.query("SELECT * FROM picks") == []

    prompt = await lounge.host.slash("ceremony end")
    await lounge.host.click(prompt, next(c for c in prompt.custom_ids if c.endswith(":yes")), timeout=10)
    created = await lounge.host.slash("ceremony create", name="Next year", year=2015)
    assert created.embeds[0]["title"].startswith("Ceremony created"), created.embeds
    stale = await ada.select(sheet.reply, real, [value], timeout=10)  # a ballot of last year's ceremony
    assert "another ceremony" in await told(stale)
    assert lounge.query("SELECT * FROM picks") == []
