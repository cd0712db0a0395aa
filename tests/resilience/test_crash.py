"""The host's laptop dies mid-burst: `kill -9` of the real bot process while members pledge.

What members were told stays true: every pledge whose receipt reached Discord is in
the database exactly once; nothing is half-written (the totals add up, every pledge
has its member row and its announcements); and after the restart every queued
announcement is shown exactly once, in order, including the one whose request was
in flight at the moment of the crash (re-sent with the same nonce, which Discord
shows once).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from standin import Guild, Permissions, StandIn
from tests.resilience.helpers import (
    CALLBACK_ROUTE,
    MESSAGE_ROUTE,
    BotProcess,
    acknowledged,
    ledger_problems,
    queued_embeds,
    reading,
    receipt,
    shown_embeds,
    undelivered,
    value,
)

ACKNOWLEDGED_WAVE = 50
"""Pledges all answered before the crash; their announcements queue up behind the held one."""
CRASH_WAVE = 100
"""Pledges in progress when the machine hangs, at the first receipt of this wave."""
HOLD_SECONDS = 2.0
"""How long the stand-in holds the first announcement: the bot hangs while it is in flight."""


def amount(number: int) -> str:
    return str(5 + number % 20)  # $5 … $24: about three in four are big pledges ($10 and up)


async def test_a_crash_mid_burst_keeps_every_promise(
    standin: StandIn, bot_process: Callable[[Guild], BotProcess]
) -> None:
    guild = standin.create_guild("Emmy Night")
    host = guild.add_member("Hana Host", permissions=Permissions.manage_guild)
    announcements = guild.create_text_channel("announcements")
    fans = [guild.add_member(f"Fan {number:03}") for number in range(1, ACKNOWLEDGED_WAVE + CRASH_WAVE + 1)]
    bot = bot_process(guild)
    await bot.start()
    await standin.wait_for_commands_synced(guild, timeout=10)
    await host.slash("settings set", announcement_channel=announcements, goal="200", big_pledge="10")
    await host.slash("ceremony create", name="66th Primetime Emmy Awards", year=2014)
    assert announcements.messages == []

    # A big pledge opens the night and "Discord" holds its announcement, so the next ones queue up.
    in_flight = standin.faults.delay_next(MESSAGE_ROUTE.replace("{channel_id}", str(announcements.id)),
                                          HOLD_SECONDS)
    opening = await host.slash("pledge add", amount="100")
    await standin.wait_until(lambda: True if in_flight.fired else None, what="the first announcement in flight")
    first_wave = [fan.send_slash("pledge add", amount=amount(number))
                  for number, fan in enumerate(fans[:ACKNOWLEDGED_WAVE])]
    await standin.wait_until(
        lambda: True if len(acknowledged(first_wave)) == ACKNOWLEDGED_WAVE else None,
        what=f"receipts for the first {ACKNOWLEDGED_WAVE} pledges", timeout=15,
    )

    # The second wave goes out, and "Discord" holds the answer to its first pledge. Once that answer
    # is on its way and another receipt arrived, the machine hangs (SIGSTOP); "Discord" then creates
    # the held message and answers into the void, and the process is killed with kill -9: the bot
    # never learns that its message went out.
    crash_wave = [fan.send_slash("pledge add", amount=amount(number))
                  for number, fan in enumerate(fans[ACKNOWLEDGED_WAVE:], start=ACKNOWLEDGED_WAVE)]
    unanswered = crash_wave[0].record
    lost_receipt = standin.faults.delay_next(
        CALLBACK_ROUTE.format(interaction_id=unanswered.id, interaction_token=unanswered.token), HOLD_SECONDS
    )
    await standin.wait_until(lambda: True if lost_receipt.fired and acknowledged(crash_wave) else None,
                             what="a receipt of the second wave, and the answer to its first pledge held",
                             timeout=15)
    bot.freeze()
    assert announcements.messages == [], "the held announcement must still be in flight when the bot hangs"
    (first,) = await announcements.wait_for_messages(1, timeout=HOLD_SECONDS + 5)
    await bot.kill()
    burst = first_wave + crash_wave
    receipts_before_restart = {record.id for record in acknowledged(burst)} | {opening.record.id}
    assert len(acknowledged(crash_wave)) < CRASH_WAVE, "the crash came after the burst: nothing was tested"

    # Straight after the crash, before anything repairs anything: whole, and every receipt honoured.
    assert ledger_problems(bot.database) == []
    with reading(bot.database) as db:
        recorded = Counter(row[0] for row in db.execute("SELECT interaction_id FROM pledges"))
    assert all(recorded[interaction_id] == 1 for interaction_id in receipts_before_restart)
    assert set(recorded) <= {one.record.id for one in burst} | {opening.record.id}
    assert undelivered(bot.database) > 0
    # Its receipt never reached Discord, but the pledge was committed before the bot answered: it counts, once.
    assert receipt(unanswered) is None
    assert recorded[unanswered.id] == 1
    assert first.nonce is not None

    # The host starts the bot again; members carry on.
    await bot.start()
    late_fan = guild.add_member("Late Fan")
    late = await late_fan.slash("pledge add", amount="7", timeout=10)
    assert receipt(late.record) is not None

    # After the restart the queue drains: each announcement shown once, in the order it was queued.
    expected = await standin.wait_until(
        lambda: (queued_embeds(bot.database) if undelivered(bot.database) == 0 else None),
        what="every queued announcement to be marked sent", timeout=20,
    )
    assert shown_embeds(announcements) == expected
    nonces = [message.nonce for message in announcements.messages]
    assert len(nonces) == len(set(nonces))
    assert first.nonce in nonces
    created = [request for request in standin.requests
               if request.path == f"/channels/{announcements.id}/messages" and request.status == 200]
    assert len(created) == len(announcements.messages) + 1  # the held batch was sent again, and shown once
    assert int(value(bot.database, "SELECT COUNT(*) FROM outbox WHERE failure IS NOT NULL")) == 0

    assert ledger_problems(bot.database) == []
    with reading(bot.database) as db:
        recorded = Counter(row[0] for row in db.execute("SELECT interaction_id FROM pledges"))
    every_receipt = {record.id for record in acknowledged(burst)} | {opening.record.id, late.record.id}
    assert all(recorded[interaction_id] == 1 for interaction_id in every_receipt)
    assert await bot.stop() == 0
    assert "Traceback" not in bot.log().split("----- run 2 -----")[1]
