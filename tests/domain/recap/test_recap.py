"""The night's recap: posted once when the ceremony ends (or after a restart),
with the results, the money, the boards, and a picture that opens as a PNG."""

from __future__ import annotations

import base64
import io
import random
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.db import Database
from bot.domain.pledges import PledgeService
from bot.domain.recap import data as recap_data
from bot.domain.recap import service as recap_service
from bot.domain.recap.message import FILENAME, RECAP_KIND
from bot.domain.recap.pictures import HEIGHT, WIDTH, LossBar, MoneyPoint, RecapPicture, draw_recap
from bot.domain.recap.service import RecapService
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import HOST, Lounge, tiny_ceremony
from tests.domain.leaderboard_helpers import GUILD, announcements, assert_message_fits, payload, run

DRAMA, DANCE = "Outstanding Drama Series", "Outstanding Choreography"
INFO = "Outstanding Informational Series Or Special"
MAX_PNG_BYTES = 500_000


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def test_the_picture_is_a_small_png_on_discords_dark_background() -> None:
    start = datetime(2014, 8, 25, 20, 0, tzinfo=UTC)
    rng = random.Random(66)
    running, money = 0, []
    for second in sorted(rng.randrange(3 * 3600) for _ in range(5000)):
        running += rng.randrange(100, 50_000)
        money.append(MoneyPoint(start + timedelta(seconds=second), running))
    losers = [LossBar("Ünïcödé 漢字 — " + "x" * 100, 40)] + [LossBar(f"member {n}", 30 - n) for n in range(20)]

    png = draw_recap(RecapPicture("66th Primetime Emmy Awards (2014)", 3_000_000, running, start,
                                  start + timedelta(hours=3), money, losers))

    image = open_png(png)
    assert image.size == (WIDTH, HEIGHT) == (1200, 700)
    assert len(png) < MAX_PNG_BYTES
    assert image.convert("RGB").getpixel((2, 2)) == (49, 51, 56)  # #313338


def test_an_empty_night_still_draws() -> None:
    start = datetime(2014, 8, 25, 20, 0, tzinfo=UTC)
    png = draw_recap(RecapPicture("Quiet night", 100, 0, start, start, [], []))
    assert open_png(png).size == (WIDTH, HEIGHT)


async def a_night(db: Database, clock: FakeClock, *, spoiler_safe: bool = False) -> Lounge:
    """Three categories, two logged; Ann and Bob claim, pick and pledge; then the host ends the show."""
    lounge = Lounge(db, clock, guild_id=GUILD)
    await lounge.settings.update(GUILD, {"spoiler_safe": spoiler_safe, "goal_cents": 100_00}, actor_id=HOST)
    await lounge.prepare(tiny_ceremony())
    pledges = PledgeService(db, clock, SettingsService(db, clock))
    ann, bob, cat = lounge.member(11, "Ann *the* Loser"), lounge.member(12, "Bob"), lounge.member(13, "Cat")
    dan, eve = lounge.member(14, "Dan"), lounge.member(15, "Eve")
    for member in (ann, bob, cat, dan, eve):
        await member.pick(DRAMA, "Mad Men")
        await member.pick(DANCE, "Travis Wall")
        await member.pick(INFO, "Vice")
    await ann.claim(DRAMA, "Mad Men")
    await ann.claim(DANCE, "Travis Wall")
    await bob.pick(DRAMA, "Breaking Bad")
    await bob.pick(INFO, "Anthony Bourdain Parts Unknown")
    await eve.pick(INFO, "Anthony Bourdain Parts Unknown")
    for minute, (who, amount, anonymous) in enumerate(
        [(ann, "20", False), (bob, "55", True), (cat, "5", False), (ann, "40", False)]
    ):
        clock.advance(minutes=10 * minute)
        await pledges.add_pledge(guild_id=GUILD, user_id=who.user_id, display_name=who.name, amount=amount,
                                 interaction_id=5000 + minute, anonymous=anonymous)
    await lounge.log(DRAMA, "Breaking Bad")
    await lounge.log(DANCE, "Derek Hough — Dancing With The Stars (Heart Cry)")
    await lounge.log(INFO, "Anthony Bourdain Parts Unknown")
    clock.advance(hours=1)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    await lounge.ceremonies.end(GUILD, actor_id=HOST, ceremony_id=ceremony.id)
    return lounge


async def test_the_recap_tells_the_whole_night_with_a_picture(db: Database, clock: FakeClock) -> None:
    lounge = await a_night(db, clock)
    recaps = RecapService(db, clock, lounge.settings)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None

    posted = await recaps.post(GUILD, ceremony.id)

    assert posted is not None
    assert posted.with_picture
    (row,) = await announcements(db, GUILD, RECAP_KIND)
    assert row["channel_id"] is None  # the announcement channel
    body = payload(row)
    assert_message_fits(body)
    (attached,) = body["files"]
    assert attached["filename"] == FILENAME
    assert open_png(base64.b64decode(attached["data"])).size == (1200, 700)
    summary, results = body["embeds"]
    assert summary["image"] == {"url": "attachment://recap.png"}
    assert "$120.00" in summary["description"]
    assert "120% of the $100.00 goal" in summary["description"]
    fields = {field["name"]: field["value"] for field in summary["fields"]}
    assert fields["💸 Top donors"].splitlines() == ["1. Ann \\*the\\* Loser — $60.00", "2. Anonymous — $55.00",
                                                     "3. Cat — $5.00"]
    assert fields["💔 Biggest losers"].splitlines()[0] == "1. Ann \\*the\\* Loser — 5 losses"
    assert fields["🔮 Best pickers"].splitlines() == [
        "1. Bob — 2 right of 3 (67%)", "2. Eve — 1 right of 3 (33%)", "3. Ann \\*the\\* Loser — 0 right of 3 (0%)",
    ]
    assert fields["🙈 Worst pickers"].splitlines() == ["1. Cat — 0 right of 3 (0%)", "2. Dan — 0 right of 3 (0%)"]
    assert "at the end" in fields["📈 Money over the night"]
    assert "goal reached" in fields["📈 Money over the night"]
    assert "**Outstanding Drama Series**: Breaking Bad" in results["description"]
    assert "3 of 3 results logged" in summary["description"]


async def test_the_recap_goes_out_once(db: Database, clock: FakeClock) -> None:
    lounge = await a_night(db, clock)
    recaps = RecapService(db, clock, lounge.settings)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None

    assert await recaps.post(GUILD, ceremony.id) is not None
    assert await recaps.post(GUILD, ceremony.id) is None
    assert await recaps.post_missing() == []
    assert len(await announcements(db, GUILD, RECAP_KIND)) == 1


async def test_a_recap_missed_by_a_restart_is_posted_by_the_catch_up(db: Database, clock: FakeClock) -> None:
    lounge = await a_night(db, clock)  # ended, but the bot stopped before the recap
    clock.advance(hours=2)
    restarted = RecapService(db, clock, lounge.settings)
    assert await restarted.missing() != []
    posted = await restarted.post_missing()
    assert len(posted) == 1
    assert await restarted.missing() == []
    assert len(await announcements(db, GUILD, RECAP_KIND)) == 1


async def test_no_late_recap_for_a_ceremony_that_ended_long_ago(db: Database, clock: FakeClock) -> None:
    lounge = await a_night(db, clock)
    clock.advance(days=2)
    assert await RecapService(db, clock, lounge.settings).post_missing() == []


async def test_no_recap_while_the_show_is_still_on(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock, guild_id=GUILD)
    await lounge.prepare(tiny_ceremony())
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    assert await RecapService(db, clock, lounge.settings).post(GUILD, ceremony.id) is None


async def test_spoiler_safe_servers_get_the_winners_behind_spoiler_tags(db: Database, clock: FakeClock) -> None:
    lounge = await a_night(db, clock, spoiler_safe=True)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    await RecapService(db, clock, lounge.settings).post(GUILD, ceremony.id)
    (row,) = await announcements(db, GUILD, RECAP_KIND)
    results = payload(row)["embeds"][1]
    assert "(spoilers hidden)" in results["title"]
    assert "**Outstanding Drama Series**: ||Breaking Bad||" in results["description"]


async def test_if_the_picture_fails_the_recap_still_goes_out_in_words(
    db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_: RecapPicture) -> bytes:
        raise OSError("no more memory for pictures")

    monkeypatch.setattr(recap_service, "draw_recap", broken)
    lounge = await a_night(db, clock)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    posted = await RecapService(db, clock, lounge.settings).post(GUILD, ceremony.id)
    assert posted is not None
    assert not posted.with_picture
    body = payload((await announcements(db, GUILD, RECAP_KIND))[0])
    assert "files" not in body
    assert "image" not in body["embeds"][0]


async def test_a_deleted_ceremony_or_another_servers_ceremony_gets_no_recap(db: Database, clock: FakeClock) -> None:
    lounge = await a_night(db, clock)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    recaps = RecapService(db, clock, lounge.settings)
    assert await recaps.post(GUILD + 1, ceremony.id) is None
    await run(db, "DELETE FROM ceremonies WHERE id = ?", (ceremony.id,))
    assert await recaps.post(GUILD, ceremony.id) is None


async def test_a_night_with_nothing_logged_still_gets_its_recap(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock, guild_id=GUILD)
    await lounge.prepare(tiny_ceremony())
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    clock.advance(minutes=5)
    await lounge.ceremonies.end(GUILD, actor_id=HOST, ceremony_id=ceremony.id)

    posted = await RecapService(db, clock, lounge.settings).post(GUILD, ceremony.id)

    assert posted is not None
    body = payload((await announcements(db, GUILD, RECAP_KIND))[0])
    assert_message_fits(body)
    summary, results = body["embeds"]
    assert results["description"] == "No results were logged."
    fields = {field["name"]: field["value"] for field in summary["fields"]}
    assert fields["💔 Biggest losers"] == "Nobody lost tonight."
    assert fields["📈 Money over the night"] == "No pledges during the night."
    assert open_png(base64.b64decode(body["files"][0]["data"])).size == (WIDTH, HEIGHT)


async def test_the_money_timeline_is_the_same_read_in_small_slices(
    db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    lounge = await a_night(db, clock)
    ceremony = await lounge.ceremonies.current(GUILD)
    assert ceremony is not None
    settings = await lounge.settings.get(GUILD)
    whole = await recap_data.assemble_recap(db, settings, ceremony.id)
    monkeypatch.setattr(recap_data, "MONEY_SLICE", 1)
    sliced = await recap_data.assemble_recap(db, settings, ceremony.id)
    assert whole is not None
    assert sliced is not None
    assert sliced.money == whole.money
    assert [point.raised_cents for point in whole.money] == [20_00, 75_00, 80_00, 120_00]
    assert whole.money[-1].raised_cents == whole.raised_cents
