"""The same interaction (same id, same token) reaches the bot twice, as a gateway replay can
make happen: after it was answered, or while the first delivery is still being handled.
It counts once. Discord refuses a second answer (40060); the bot may try once, no more.
"""

from __future__ import annotations

import contextlib

import pytest

from standin import SentInteraction, StandIn
from standin.errors import WaitTimeout
from tests.e2e.harness import Lounge
from tests.resilience.helpers import (
    CATEGORIES,
    NOMINEES,
    callback_starts,
    go_live,
    ledger_problems,
    queued_embeds,
    receipt,
    shown_embeds,
    undelivered,
    value,
)

ALREADY_ACKNOWLEDGED = 40060


def refused_as_already_answered(standin: StandIn) -> int:
    """Take the stand-in's violations: all must be 'already acknowledged'; return how many."""
    taken = standin.take_violations()
    assert {violation.code for violation in taken} <= {ALREADY_ACKNOWLEDGED}, taken
    return len(taken)


async def handled_again(
    standin: StandIn, sent: SentInteraction, attempts_before: int, patience: float = 5.0
) -> None:
    """Wait until the redelivery was handled: the bot tried to answer it once more."""
    await standin.wait_until(
        lambda: True if len(callback_starts(standin, sent.record)) > attempts_before else None,
        what=f"the bot to handle the second delivery of {sent.record.label}", timeout=patience,
    )


async def test_a_pledge_delivered_again_after_its_answer_counts_once(lounge: Lounge) -> None:
    standin, ada = lounge.standin, lounge.member("Ada")
    first = await ada.slash("pledge add", amount="25")
    assert receipt(first.record) is not None

    again = await standin.redeliver(first.interaction_id)
    await handled_again(standin, again, attempts_before=1)
    await lounge.stop_bot()  # everything the second delivery would write is written now

    database = lounge.database_path
    assert value(database, "SELECT COUNT(*) FROM pledges") == 1
    assert value(database, "SELECT raised_cents FROM pledge_totals WHERE scope = 0") == 2500
    assert ledger_problems(database) == []
    assert first.record.deliveries == 2
    assert receipt(first.record) is not None  # the member still sees the first receipt
    assert refused_as_already_answered(standin) >= 1


async def test_a_pledge_delivered_twice_at_once_counts_once(lounge: Lounge) -> None:
    standin, ben = lounge.standin, lounge.member("Ben")
    sent = ben.send_slash("pledge add", amount="40")
    standin.engine.redeliver(sent.record.id)  # the replay lands before the first delivery is answered
    answer = await sent.reply()
    await handled_again(standin, sent, attempts_before=1)
    await lounge.stop_bot()

    database = lounge.database_path
    assert sent.record.deliveries == 2
    assert receipt(answer.record) is not None
    assert value(database, "SELECT COUNT(*) FROM pledges") == 1
    assert value(database, "SELECT raised_cents FROM pledge_totals WHERE scope = 0") == 4000
    assert ledger_problems(database) == []
    assert refused_as_already_answered(standin) >= 1


async def test_a_result_delivered_again_is_logged_and_announced_once(lounge: Lounge) -> None:
    standin, host = lounge.standin, lounge.host
    await go_live(lounge)
    logged = await host.slash("result log", category=CATEGORIES[0], winner=NOMINEES[0])

    again = await standin.redeliver(logged.interaction_id)
    await handled_again(standin, again, attempts_before=1)
    database = lounge.database_path
    shown = await standin.wait_until(
        lambda: queued_embeds(database) if undelivered(database) == 0 else None, what="the announcements",
    )
    await lounge.stop_bot()

    assert value(database, "SELECT COUNT(*) FROM results") == 1
    assert value(database, "SELECT COUNT(*) FROM outbox WHERE kind = 'result.log'") == 1
    assert shown_embeds(lounge.announcements) == shown
    assert [title for title, _ in shown].count(f"🏆 {CATEGORIES[0]}") == 1
    assert refused_as_already_answered(standin) >= 1


@pytest.mark.allow_violations
async def test_a_redelivered_interaction_gets_at_most_one_more_answer_attempt(lounge: Lounge) -> None:
    standin, ada = lounge.standin, lounge.member("Ada")
    first = await ada.slash("pledge add", amount="25")

    again = await standin.redeliver(first.interaction_id)
    await handled_again(standin, again, attempts_before=1)
    with contextlib.suppress(WaitTimeout):  # an error answer, if any, follows the refusal at once
        await handled_again(standin, again, attempts_before=2, patience=1.0)

    assert len(callback_starts(standin, first.record)) == 2
    assert refused_as_already_answered(standin) == 1
