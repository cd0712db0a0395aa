"""The gateway goes away in the middle of a run of results, as Discord's does.

Closed with 1001 (going away) or 4000 (unknown error), or the TCP connection
simply cut: discord.py RESUMEs, the stand-in replays what was dispatched while the
bot was away, and every result and pledge sent meanwhile is answered once,
recorded once and announced once. An INVALID_SESSION (not resumable) makes the bot
IDENTIFY again: a new session, nothing doubled (no second sender, no re-sync).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from standin import SentInteraction, StandIn
from tests.e2e.harness import Lounge
from tests.resilience.helpers import (
    CATEGORIES,
    DEADLINE,
    NOMINEES,
    answer_title,
    go_live,
    ledger_problems,
    queued_embeds,
    shown_embeds,
    undelivered,
    value,
)

RESULTS_BEFORE, RESULTS_DURING = 4, 4
PLEDGES_DURING = 6


def log_result(lounge: Lounge, category: str) -> SentInteraction:
    return lounge.host.send_slash("result log", category=category, winner=NOMINEES[0])


@contextlib.asynccontextmanager
async def outage(standin: StandIn, how: str) -> AsyncIterator[None]:
    """The bot's gateway connection goes away and stays away for the block."""
    gateway = standin.gateway
    gateway.hold_connections()
    try:
        if how == "dropped":
            await gateway.drop()
        else:
            await gateway.close(int(how))
        yield
    finally:
        gateway.release_connections()


async def answered_once(standin: StandIn, sent: list[SentInteraction]) -> None:
    for one in sent:
        await one.reply(timeout=10)
    for one in sent:
        record = one.record
        assert record.callback_attempts == 1, f"{record.label} was answered {record.callback_attempts} times"
        assert record.rejections == []
        assert record.response_latency is not None
        assert record.response_latency < DEADLINE


async def every_announcement_once(lounge: Lounge) -> list[tuple[str, str]]:
    """Wait until the outbox is empty; the channel then shows each queued embed once, in queue order."""
    database = lounge.database_path
    expected = await lounge.standin.wait_until(
        lambda: queued_embeds(database) if undelivered(database) == 0 else None,
        what="every queued announcement to be marked sent", timeout=10,
    )
    assert shown_embeds(lounge.announcements) == expected
    return expected


@pytest.mark.parametrize("how", ["1001", "4000", "dropped"], ids=["close-1001", "close-4000", "tcp-dropped"])
async def test_results_and_pledges_sent_while_the_gateway_is_away_are_answered_once(
    lounge: Lounge, how: str
) -> None:
    standin = lounge.standin
    await go_live(lounge)
    fans = [lounge.member(f"Fan {number}") for number in range(1, PLEDGES_DURING + 1)]
    identified, resumed = standin.gateway.identify_count, standin.gateway.resume_count

    # The first results reached the bot and are being logged when the connection goes; more come meanwhile.
    before = [log_result(lounge, category) for category in CATEGORIES[:RESULTS_BEFORE]]
    await before[0].delivered()
    async with outage(standin, how):
        during = [log_result(lounge, category) for category in CATEGORIES[RESULTS_BEFORE:][:RESULTS_DURING]]
        during += [fan.send_slash("pledge add", amount="12") for fan in fans]
        assert all(one.record.deliveries == 0 for one in during), "the bot must really be away"
    await standin.wait_for_resume(resumed + 1)
    await answered_once(standin, before + during)
    after = [log_result(lounge, category) for category in CATEGORIES[RESULTS_BEFORE + RESULTS_DURING:]]
    await answered_once(standin, after)

    assert standin.gateway.identify_count == identified, "a resume, not a new session"
    assert all(one.record.deliveries == 1 for one in during + after)
    results = before + during[:RESULTS_DURING] + after
    assert [answer_title(one.record) for one in results] == [f"Logged: {category}" for category in CATEGORIES]
    pledges = during[RESULTS_DURING:]
    assert all(str(answer_title(one.record)).startswith("Thank you! Pledge #") for one in pledges)
    database = lounge.database_path
    assert value(database, "SELECT COUNT(*) FROM results") == len(CATEGORIES)
    assert value(database, "SELECT COUNT(*) FROM pledges") == PLEDGES_DURING
    assert ledger_problems(database) == []
    shown = await every_announcement_once(lounge)
    results_shown = [title for title, _ in shown if title.startswith("🏆 ")]
    assert sorted(results_shown) == [f"🏆 {category}" for category in CATEGORIES]


async def test_an_invalid_session_makes_the_bot_identify_again_and_nothing_doubles(lounge: Lounge) -> None:
    standin = lounge.standin
    await go_live(lounge)
    before = [log_result(lounge, category) for category in CATEGORIES[:RESULTS_BEFORE]]
    await answered_once(standin, before)
    identified = standin.gateway.identify_count

    standin.gateway.invalidate_session()
    await standin.wait_for_identify(identified + 1, timeout=15)
    await standin.wait_until_ready()
    after = [log_result(lounge, category) for category in CATEGORIES[RESULTS_BEFORE:]]
    after.append(lounge.member("Fan").send_slash("pledge add", amount="12"))
    await answered_once(standin, after)

    assert standin.commands.guild_sync_counts.get(lounge.guild.id) == 1, "no second sync on a new session"
    database = lounge.database_path
    assert value(database, "SELECT COUNT(*) FROM results") == len(CATEGORIES)
    assert value(database, "SELECT COUNT(*) FROM pledges") == 1
    shown = await every_announcement_once(lounge)
    assert sorted(title for title, _ in shown if title.startswith("🏆 ")) == [f"🏆 {c}" for c in CATEGORIES]
