"""Every button the bot has posted keeps working after a restart, and after the interaction
token of the message it sits on has expired (15 minutes).

The story: a host posts the boards, members open a board, the roster and their picks, the
host asks to undo a result and to end the show, a member asks to be forgotten. The bot
restarts on the same database. Every button is clicked: each answers inside Discord's
3 seconds (the stand-in's rule; its clock runs at real pace) with the right page, in place
on the clicker's own message, as a fresh ephemeral page on a channel post or on someone
else's reply. Buttons whose id was tampered with (another server's, a ceremony that
doesn't exist, garbage in the template's shape) are refused ephemerally and change nothing.
Then the clock jumps past the tokens' 15 minutes and it all happens again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import discord.gateway
import discord.http
import pytest

from bot.clock import utc_now
from bot.custom_ids import encode_int
from standin import JumpClock, Member, Message, Reply, StandIn
from tests.e2e.harness import Lounge, open_lounge
from tests.e2e.story import Night, answers, button, read_ceremony, refusal, unescape

TOKEN_LIFETIME = 15 * 60
UPDATE_MESSAGE, DEFERRED_UPDATE, CHANNEL_MESSAGE = 7, 6, 4


@dataclass
class Scene:
    lounge: Lounge
    clock: JumpClock


@pytest.fixture
async def scene(standin: StandIn, tmp_path: Path) -> AsyncIterator[Scene]:
    """The lounge, with one clock for the stand-in and the bot that a test can jump forward."""
    clock = JumpClock()
    standin.engine.clock = clock

    def bot_clock() -> datetime:
        return utc_now() + timedelta(seconds=clock.offset)

    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    lounge = await open_lounge(standin, tmp_path, clock=bot_clock)
    try:
        yield Scene(lounge, clock)
    finally:
        await lounge.stop_bot()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


def footer(target: Reply | Message) -> str:
    embeds = target.embeds
    return str(embeds[0].get("footer", {}).get("text", "")) if embeds else ""


def described(target: Reply | Message) -> str:
    return " ".join(f"{embed.get('title', '')} {unescape(embed.get('description', ''))}" for embed in target.embeds)


def standing_field(target: Reply | Message) -> str:
    return " ".join(field["name"] for field in target.embeds[0].get("fields", []))


def tampered(custom_id: str, field: int, value: str) -> str:
    """The id with one `:`-separated field replaced, as a tampering client would send it."""
    parts = custom_id.split(":")
    parts[field] = value
    return ":".join(parts)


async def shown(lounge: Lounge, prompt: Reply, outcome: str) -> None:
    await lounge.standin.wait_until(lambda: outcome in described(prompt) or None, what=f"{outcome!r} in the prompt")


async def refused(member: Member, target: Reply, custom_id: str, forged: str, said: str) -> None:
    """Click the button `custom_id` of a reply after its id was replaced by `forged`: refused, unchanged."""
    message = target.message
    assert message is not None
    (component,) = [c for row in message.components for c in row["components"] if c.get("custom_id") == custom_id]
    before = (message.content, [dict(embed) for embed in message.embeds], len(message.revisions))
    component["custom_id"] = forged
    try:
        answer = await member.click(message, forged)
    finally:
        component["custom_id"] = custom_id
    assert answer.response_type == CHANNEL_MESSAGE
    assert said in refusal(answer), forged
    assert (message.content, message.embeds, len(message.revisions)) == before


async def test_every_button_keeps_working_after_a_restart_and_after_its_token_expired(scene: Scene) -> None:
    lounge, clock = scene.lounge, scene.clock
    other_server = lounge.standin.create_guild("Another Lounge")
    await lounge.setup_lounge()
    categories = read_ceremony(first=21)
    night = Night(lounge, categories)
    await night.prepare()
    fans = [lounge.member(f"Fan {number:02}") for number in range(22)]
    picker, owner, stranger, reader, forgetful = fans[0], fans[1], fans[2], fans[3], fans[21]
    for category in categories:  # 21 picks: two pages of /picks
        await night.pick(picker, category.losers[0])
    await night.start()
    await answers(fan.send_slash("loser declare") for fan in fans)  # 22 members: a 3-page board, a 2-page roster
    drama = categories[0]
    await night.log_result(drama, drama.winners[0])

    board = await owner.slash("leaderboard show", board="losers")
    assert not board.ephemeral
    assert footer(board).startswith("Page 1 ·")
    await lounge.host.slash("leaderboard post")
    post = (await lounge.leaderboards.wait_for_messages(where=lambda m: bool(m.components)))[0]
    roster = await reader.slash("loser roster")
    picks = await picker.slash("picks")
    assert footer(roster).endswith("page 1 of 2")
    assert footer(picks) == "Page 1 of 2"
    logged = night.category_value(drama.name)
    undo_prompts = [await lounge.host.slash("result undo", category=logged) for _ in range(2)]
    end_prompts = [await lounge.host.slash("ceremony end") for _ in range(2)]
    forget_prompts = [await forgetful.slash("privacy forget-me") for _ in range(2)]
    originals = [board, roster, picks, *undo_prompts, *end_prompts, *forget_prompts]
    results_before = lounge.query_value("SELECT COUNT(*) FROM results")

    await lounge.restart_bot()

    # ---- after the restart ------------------------------------------------------------------
    turned = await owner.click(board, button(board, "Next"))  # the owner's own reply: turned in place
    assert turned.response_type == UPDATE_MESSAGE
    assert footer(board).startswith("Page 2 ·")
    assert "Where Fan 01 stands" in standing_field(board)

    copy = await stranger.click(board, button(board, "Next"))  # someone else's reply: their own copy
    assert copy.ephemeral
    assert footer(copy).startswith("Page 3 ·")
    assert "Where Fan 02 stands" in standing_field(copy)
    assert footer(board).startswith("Page 2 ·")  # the owner's reply is as it was

    opened = await reader.click(post, button(post, "More losers"))  # a channel post: a page for the clicker
    assert opened.ephemeral
    assert footer(opened).startswith("Page 2 ·")
    assert "Where Fan 03 stands" in standing_field(opened)
    assert post.revisions == []  # everyone else still sees the post as it was posted
    assert (await reader.click(opened, button(opened, "Next"))).response_type == UPDATE_MESSAGE
    assert footer(opened).startswith("Page 3 ·")

    assert (await reader.click(roster, button(roster, "Next"))).response_type == UPDATE_MESSAGE
    assert footer(roster).endswith("page 2 of 2")
    await picker.click(picks, button(picks, "Next"))
    assert footer(picks) == "Page 2 of 2"

    await lounge.host.click(undo_prompts[0], button(undo_prompts[0], "Keep it"))
    await lounge.host.click(end_prompts[0], button(end_prompts[0], "Not yet"))
    await forgetful.click(forget_prompts[0], button(forget_prompts[0], "Keep my data"))
    assert [described(prompt) for prompt in (undo_prompts[0], end_prompts[0], forget_prompts[0])] == [
        "Nothing changed The undo was cancelled.", "Nothing changed Ending the ceremony was cancelled.",
        "Nothing was changed Your data stays as it was.",
    ]

    board_next = button(board, "Next")
    elsewhere = encode_int(other_server.id)
    await refused(owner, board, board_next, tampered(board_next, 2, elsewhere), "another server")
    await refused(owner, board, board_next, tampered(board_next, 3, "l" + encode_int(999_999)),
                  "no longer exists")
    await refused(owner, board, board_next, tampered(board_next, 5, "zz.zz.zz.zz"), "isn't one the bot made")
    await refused(owner, board, board_next, "lounge:board:zzzzzzzzzzz:l0:n2:", "isn't one the bot made")
    undo = button(undo_prompts[1], "Undo the result")
    await refused(lounge.host, undo_prompts[1], undo, tampered(undo, 2, elsewhere), "another server")
    end = button(end_prompts[1], "End the ceremony")
    await refused(lounge.host, end_prompts[1], end, tampered(end, 2, elsewhere), "another server")
    roster_previous = button(roster, "Previous")
    await refused(reader, roster, roster_previous, tampered(roster_previous, 3, encode_int(999_999)),
                  "no longer exists")
    assert lounge.query_value("SELECT COUNT(*) FROM results") == results_before

    # ---- after the tokens of every original message expired --------------------------------
    clock.jump(TOKEN_LIFETIME + 1)
    assert all(clock() - reply.record.created_at > TOKEN_LIFETIME for reply in originals)
    scheduled = (await lounge.leaderboards.wait_for_messages(
        2, where=lambda m: bool(m.components), timeout=10,
    ))[1]  # fifteen minutes into the show: the first scheduled boards, with their own buttons

    assert (await owner.click(board, button(board, "Previous"))).response_type == UPDATE_MESSAGE
    assert footer(board).startswith("Page 1 ·")
    assert (await stranger.click(copy, button(copy, "Previous"))).response_type == UPDATE_MESSAGE
    assert footer(copy).startswith("Page 2 ·")
    assert (await reader.click(opened, button(opened, "Previous"))).response_type == UPDATE_MESSAGE
    assert footer(opened).startswith("Page 2 ·")
    later = await stranger.click(scheduled, button(scheduled, "More losers"))
    assert later.ephemeral
    assert footer(later).startswith("Page 2 ·")
    assert (await reader.click(roster, button(roster, "Previous"))).response_type == UPDATE_MESSAGE
    assert footer(roster).endswith("page 1 of 2")
    await picker.click(picks, button(picks, "Previous"))
    assert footer(picks) == "Page 1 of 2"
    await refused(owner, board, button(board, "Next"), tampered(button(board, "Next"), 2, elsewhere),
                  "another server")
    forget = button(forget_prompts[1], "Forget me")
    await refused(forgetful, forget_prompts[1], forget, tampered(forget, 3, encode_int(owner.id)),
                  "Only the member who asked")

    await forgetful.click(forget_prompts[1], forget)  # asked more than two minutes ago: not a yes any more
    assert described(forget_prompts[1]).startswith("Nothing was changed The question timed out")
    assert lounge.query_value("SELECT COUNT(*) FROM members WHERE user_id = ?", (forgetful.id,)) == 1
    for prompt, custom_id, outcome in ((undo_prompts[1], undo, f"Undone: {drama.name}"),
                                       (end_prompts[1], end, "has ended")):
        deferred = await lounge.host.click(prompt, custom_id, timeout=10)
        assert deferred.response_type == DEFERRED_UPDATE  # then the prompt is edited through the click's token
        await shown(lounge, prompt, outcome)
    assert lounge.query_value("SELECT state FROM ceremonies WHERE is_current = 1") == "ended"
