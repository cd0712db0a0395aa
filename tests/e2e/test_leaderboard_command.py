"""`/leaderboard show` from the member's side, before a ceremony exists and once one runs:
the default scope follows the current ceremony, a scope that can't be met is refused
ephemerally with the way out, and the board is posted for the channel to see."""

from __future__ import annotations

from tests.e2e.harness import Lounge
from tests.e2e.story import Night, read_ceremony, refusal, unescape


async def test_the_board_s_scope_follows_the_ceremony_and_a_missing_one_is_refused(lounge: Lounge) -> None:
    await lounge.setup_lounge()
    fan = lounge.member("Fan 🎭")

    missing = await fan.slash("leaderboard show", board="losers", scope="ceremony")
    assert "choose the `all-time` scope" in refusal(missing)

    before = await fan.slash("leaderboard show", board="donors")
    assert not before.ephemeral
    assert "All time" in unescape(before.embeds[0].get("title", ""))

    (drama,) = read_ceremony(first=1)
    night = Night(lounge, [drama])
    await night.prepare()
    await night.start()
    await fan.slash("loser declare")
    during = await fan.slash("leaderboard show", board="losers")
    assert not during.ephemeral
    shown = unescape(during.embeds[0].get("title", "") + " " + during.embeds[0].get("description", ""))
    assert "All time" not in shown
    assert "Fan 🎭" in shown
