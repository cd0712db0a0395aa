"""Discord hiccups while the lounge is busy: 429s, 500s and 502s, an outage long enough
for the bot's own retries, a channel's rate limit, and faults on interaction answers.

Announcements arrive late but exactly once and in order; an interaction answer is
retried only while Discord would still take it (3 seconds).
"""

from __future__ import annotations

import pytest

from standin import Member, SentInteraction, StandIn
from standin.errors import WaitTimeout
from tests.e2e.harness import Lounge
from tests.resilience.helpers import (
    CALLBACK_ROUTE,
    DEADLINE,
    MESSAGE_ROUTE,
    callback_starts,
    ledger_problems,
    queued_embeds,
    receipt,
    shown_embeds,
    undelivered,
    value,
)

WAVE = 4


class Night:
    """Members making big pledges in waves: each big pledge is an announcement."""

    def __init__(self, lounge: Lounge) -> None:
        self.lounge = lounge
        self.standin = lounge.standin
        self.members: list[Member] = []

    @property
    def announcement_route(self) -> str:
        return MESSAGE_ROUTE.replace("{channel_id}", str(self.lounge.announcements.id))

    async def wave(self, size: int = WAVE) -> list[SentInteraction]:
        """`size` new members each pledge $25 (a big pledge); returns once every receipt arrived."""
        newcomers = [self.lounge.member(f"Fan {len(self.members) + n:03}") for n in range(1, size + 1)]
        self.members += newcomers
        sent = [member.send_slash("pledge add", amount="25") for member in newcomers]
        for one in sent:
            answer = await one.reply(timeout=10)
            assert receipt(answer.record) is not None
        return sent

    async def delivered(self, patience: float = 10.0) -> list[tuple[str, str]]:
        """Wait until every queued announcement is marked sent; return them in queue order."""
        database = self.lounge.database_path
        return await self.standin.wait_until(
            lambda: queued_embeds(database) if undelivered(database) == 0 else None,
            what="every queued announcement to be marked sent", timeout=patience,
        )

    def message_creations(self) -> int:
        """Requests that created (or, by nonce, found) a message in #announcements."""
        path = f"/channels/{self.lounge.announcements.id}/messages"
        return sum(1 for request in self.standin.requests if request.path == path and request.status == 200)


@pytest.fixture
async def night(lounge: Lounge) -> Night:
    await lounge.host.slash("settings set", big_pledge="20")
    return Night(lounge)


async def test_announcements_get_through_429s_and_server_errors_late_but_once_and_in_order(night: Night) -> None:
    faults = night.standin.faults
    route = night.announcement_route
    faults_in_turn = [
        (429, 2, 0.3),  # discord.py waits retry_after (the 429 carries Discord's bucket headers)
        (500, 1, 0.0),  # discord.py retries a 500 or 502 after a second
        (502, 1, 0.0),
    ]
    for status, times, retry_after in faults_in_turn:
        rule = faults.fail_next(route, status=status, times=times, retry_after=retry_after)
        await night.wave()
        await night.delivered()
        assert rule.remaining == 0, f"{status} was never answered"

    # A 503 is not retried by discord.py: the bot's outbox backs off and tries again. Pledges
    # announced meanwhile wait their turn behind the failed batch; another channel does not wait.
    outage = faults.fail_next(route, status=503, times=2)
    await night.wave()
    await night.standin.wait_until(lambda: True if outage.fired else None, what="the first 503")
    await night.wave()
    await night.lounge.host.slash("leaderboard post")
    await night.lounge.leaderboards.wait_for_messages(1)
    assert undelivered(night.lounge.database_path) > 0, "#announcements is still waiting for Discord"
    shown_in_order = await night.delivered(patience=15)

    channel = night.lounge.announcements
    assert outage.remaining == 0
    assert shown_embeds(channel) == shown_in_order
    assert len(shown_in_order) == len(night.members)
    leaderboards = night.lounge.leaderboards
    assert shown_embeds(leaderboards) == queued_embeds(night.lounge.database_path, leaderboards.id)
    assert night.message_creations() == len(channel.messages), "a delivered batch was sent again"
    assert value(night.lounge.database_path, "SELECT COUNT(*) FROM outbox WHERE failure IS NOT NULL") == 0
    assert ledger_problems(night.lounge.database_path) == []


async def test_a_burst_against_the_channel_rate_limit_is_coalesced_not_lost(night: Night) -> None:
    night.standin.faults.enable_rate_limits(limit=2, window=1.0)
    await night.wave(30)
    shown_in_order = await night.delivered(patience=15)

    channel = night.lounge.announcements
    assert shown_embeds(channel) == shown_in_order
    assert len(shown_in_order) == 30
    assert len(channel.messages) < 30, "a backlog goes out coalesced, up to ten embeds a message"
    assert night.message_creations() == len(channel.messages)


async def test_a_fault_on_the_answer_is_retried_within_the_deadline(night: Night) -> None:
    fault = night.standin.faults.fail_next(CALLBACK_ROUTE, status=500)
    (sent,) = await night.wave(1)

    record = sent.record
    assert fault.remaining == 0
    tries = callback_starts(night.standin, record)
    assert len(tries) == 2
    assert all(at - record.dispatched_at[0] < DEADLINE for at in tries)
    assert value(night.lounge.database_path, "SELECT COUNT(*) FROM pledges WHERE interaction_id = ?",
                 (record.id,)) == 1


async def attempts_after_the_deadline(standin: StandIn, sent: SentInteraction, window: float) -> list[float]:
    """Seconds after dispatch of every answer attempt past the deadline, watching until `window`."""
    record = sent.record
    await sent.delivered()
    start = record.dispatched_at[0]

    def late() -> list[float] | None:
        found = [at - start for at in callback_starts(standin, record) if at - start > DEADLINE]
        return found or None

    try:
        return await standin.wait_until(late, what="an answer attempt after the deadline", timeout=window)
    except WaitTimeout:
        return []


@pytest.mark.allow_violations
@pytest.mark.parametrize(("status", "times", "retry_after"), [(502, 2, 0.0), (429, 1, 4.0)],
                         ids=["502-twice", "429-retry-after-4s"])
async def test_an_answer_is_never_retried_past_the_deadline(
    night: Night, status: int, times: int, retry_after: float
) -> None:
    night.standin.faults.fail_next(CALLBACK_ROUTE, status=status, times=times, retry_after=retry_after)
    member = night.lounge.member("Late Larry")
    sent = member.send_slash("pledge add", amount="25")

    late = await attempts_after_the_deadline(night.standin, sent, window=DEADLINE + 2.5)

    assert late == [], f"the bot re-sent its answer {[round(s, 2) for s in late]} s after the interaction"
    assert night.standin.take_violations() == []
    assert ledger_problems(night.lounge.database_path) == []


async def test_a_connection_cut_while_announcing_is_retried_with_backoff(night: Night) -> None:
    night.standin.faults.drop_next(night.announcement_route, times=2)
    await night.wave(1)
    shown_in_order = await night.delivered(patience=15)

    cuts = [event.at for event in night.standin.faults.fired if event.kind == "drop"]
    assert len(cuts) == 2
    assert shown_embeds(night.lounge.announcements) == shown_in_order
    assert cuts[1] - cuts[0] >= 0.9, f"re-sent {cuts[1] - cuts[0]:.3f}s after the cut, without backing off"


async def test_a_lost_receipt_never_tells_the_member_that_nothing_changed(night: Night) -> None:
    night.standin.faults.drop_next(CALLBACK_ROUTE)
    member = night.lounge.member("Rita Retry")

    answer = await member.send_slash("pledge add", amount="25").reply()

    recorded = value(night.lounge.database_path, "SELECT COUNT(*) FROM pledges WHERE interaction_id = ?",
                     (answer.interaction_id,))
    assert recorded == 1
    told = " ".join(str(embed.get("description", "")) for message in answer.all_messages() for embed in message.embeds)
    assert "nothing was changed" not in told, f"the member was told {told!r} although the pledge is recorded"
