"""The one pager, with a feature of its own (a paged list of words, as a ballot would page
its categories): ids that carry the page, answers edited in place on the clicker's own
message and sent fresh anywhere else, a fresh page when Discord refuses the edit, a
deferred answer when the page is slow, and refusals that change nothing."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.custom_ids import decode_int, encode_int
from bot.domain.errors import NotFound
from bot.embeds import Embed
from bot.paging import Page, Pager, Turn, Way, edits_in_place

GUILD, ADA, BOB = 5, 10, 11
WORDS = [f"word {number}" for number in range(25)]


class WordPager(Pager[int]):
    """Ten words to a page from list `state` (only list 1 exists); `delay` makes a page slow."""

    name = "words"
    state_pattern = r"[0-9a-zA-Z]{1,11}"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        super().__init__()

    def encode_state(self, state: int) -> str:
        return encode_int(state)

    def decode_state(self, text: str) -> int:
        return decode_int(text)

    async def page(self, interaction: discord.Interaction[Any], guild_id: int, state: int, turn: Turn) -> Page[int]:
        if state != 1:
            raise NotFound("No such list.", reason="unknown_list")
        await asyncio.sleep(self.delay)
        pages = (len(WORDS) + 9) // 10
        index = min(turn.number, pages) - 1
        previous = Turn(Way.PREVIOUS, index) if index > 0 else None
        following = Turn(Way.NEXT, index + 2) if index + 1 < pages else None
        return Page(Embed(title=f"Page {index + 1}", description=", ".join(WORDS[index * 10:][:10])),
                    previous, following)


def click(user_id: int = ADA, *, on_reply_of: int | None = ADA, ephemeral: bool = False) -> Any:
    interaction = MagicMock()
    interaction.id = discord.utils.time_snowflake(discord.utils.utcnow())
    interaction.guild_id = GUILD
    interaction.user.id = user_id
    interaction.message.flags = discord.MessageFlags(ephemeral=ephemeral)
    if on_reply_of is None:
        interaction.message.interaction_metadata = None
    else:
        interaction.message.interaction_metadata.user.id = on_reply_of
    done = {"value": False}

    async def answered(*_args: Any, **_kwargs: Any) -> None:
        done["value"] = True

    interaction.response.is_done = lambda: done["value"]
    for name in ("defer", "edit_message", "send_message"):
        setattr(interaction.response, name, AsyncMock(side_effect=answered))
    interaction.edit_original_response = AsyncMock()
    interaction.followup.send = AsyncMock()
    return interaction


def next_id(pager: WordPager, number: int = 2) -> str:
    return pager.custom_id(GUILD, 1, Turn(Way.NEXT, number))


def test_an_id_carries_the_server_the_state_and_the_turn() -> None:
    assert next_id(WordPager()) == "lounge:words:5:1:n2:"
    assert WordPager().custom_id(GUILD, 1, Turn(Way.PREVIOUS, 63, "a.b")) == "lounge:words:5:1:p11:a.b"


@pytest.mark.parametrize(
    ("interaction", "in_place"),
    [
        (click(ephemeral=True, on_reply_of=None), True),  # only its reader can click an ephemeral message
        (click(ADA, on_reply_of=ADA), True),  # Ada's public reply to her own command
        (click(BOB, on_reply_of=ADA), False),  # someone else's reply
        (click(ADA, on_reply_of=None), False),  # a channel post
    ],
)
def test_a_click_edits_only_the_clickers_own_message(interaction: Any, in_place: bool) -> None:
    assert edits_in_place(interaction) is in_place


async def test_a_click_turns_the_page_in_place_or_sends_it_fresh() -> None:
    pager = WordPager()
    own, elsewhere = click(ADA), click(BOB)
    await pager.clicked(own, next_id(pager))
    await pager.clicked(elsewhere, next_id(pager))

    edited = own.response.edit_message.await_args.kwargs
    assert edited["embed"].title == "Page 2"
    previous, following = edited["view"].children
    assert [previous.custom_id, following.custom_id] == ["lounge:words:5:1:p1:", "lounge:words:5:1:n3:"]
    assert not previous.item.disabled
    assert not following.item.disabled
    fresh = elsewhere.response.send_message.await_args.kwargs
    assert (fresh["embed"].title, fresh["ephemeral"]) == ("Page 2", True)
    elsewhere.response.edit_message.assert_not_awaited()


async def test_the_last_page_disables_next_and_a_page_past_the_end_shows_the_last() -> None:
    pager = WordPager()
    interaction = click()
    await pager.clicked(interaction, next_id(pager, 9))
    shown = interaction.response.edit_message.await_args.kwargs
    assert shown["embed"].title == "Page 3"
    assert [button.item.disabled for button in shown["view"].children] == [False, True]


async def test_an_edit_discord_refuses_is_answered_with_a_fresh_page() -> None:
    pager = WordPager()
    interaction = click()
    response = MagicMock(status=404)
    interaction.response.edit_message = AsyncMock(side_effect=discord.NotFound(response, {"code": 10008}))
    await pager.clicked(interaction, next_id(pager))
    fresh = interaction.response.send_message.await_args.kwargs
    assert (fresh["embed"].title, fresh["ephemeral"]) == ("Page 2", True)


async def test_a_slow_page_is_deferred_then_edited_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.ui.DEFER_AFTER_SECONDS", 0.01)
    pager = WordPager(delay=0.05)
    own, elsewhere = click(ADA), click(BOB)
    await pager.clicked(own, next_id(pager))
    await pager.clicked(elsewhere, next_id(pager))

    assert own.response.defer.await_args.kwargs == {}  # a deferred update: the message is edited after
    assert own.edit_original_response.await_args.kwargs["embed"].title == "Page 2"
    assert elsewhere.response.defer.await_args.kwargs == {"ephemeral": True, "thinking": True}
    assert elsewhere.followup.send.await_args.kwargs["ephemeral"] is True


@pytest.mark.parametrize(
    ("custom_id", "said"),
    [
        ("lounge:words:6:1:n2:", "another server"),
        ("lounge:words:5:2:n2:", "No such list"),
        ("lounge:words:5:1:n0:", "isn't one the bot made"),  # there is no page 0
        ("lounge:words:5:1:n2:a:b", "isn't one the bot made"),
    ],
)
async def test_a_foreign_or_forged_id_is_refused_and_changes_nothing(custom_id: str, said: str) -> None:
    interaction = click()
    await WordPager().clicked(interaction, custom_id)
    interaction.response.edit_message.assert_not_awaited()
    refusal = interaction.response.send_message.await_args.kwargs
    assert refusal["ephemeral"] is True
    assert said in refusal["embed"].description


async def test_the_row_is_left_out_when_there_is_only_one_page() -> None:
    page: Page[int] = Page(Embed(title="All"), None, None)
    assert WordPager().view(GUILD, 1, page) is None


async def test_previous_and_next_go_out_as_the_row_discord_ui_would_send() -> None:
    pager = WordPager()
    interaction = click()
    await pager.clicked(interaction, next_id(pager))
    view = interaction.response.edit_message.await_args.kwargs["view"]
    (row,) = view.to_components()
    assert row["type"] == discord.ComponentType.action_row.value
    assert row["components"] == [button.item.to_component_dict() for button in view.children]
    assert not view.is_dispatchable()  # discord.py keeps no view: the pager's registered item answers
    at_the_end = click()
    await pager.clicked(at_the_end, next_id(pager, 9))
    last = at_the_end.response.edit_message.await_args.kwargs["view"]
    assert last.to_components()[0]["components"] == [b.item.to_component_dict() for b in last.children]
    assert [c["disabled"] for c in last.to_components()[0]["components"]] == [False, True]
