"""The board's buttons: disabled at either end, never paging past them, rebuilt from their
custom_id by any process, turning the pages of the member who opened the board and giving
anyone else their own copy, refusing ids of another server or ids the bot never wrote."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord

from bot.db import Database
from bot.domain.leaderboards.service import ALL_TIME, BoardKind, LeaderboardService
from bot.domain.settings.service import SettingsService
from bot.paging import Page, Turn, Way
from cogs.leaderboards.buttons import MOVED, BoardPager, BoardState
from tests.clock import FakeClock
from tests.domain.leaderboard_helpers import GUILD, OTHER_GUILD, losses, member, open_ceremony

OWNER = 1
STATE = BoardState(BoardKind.LOSERS, ALL_TIME)


async def board_of(db: Database, clock: FakeClock, members: int) -> BoardPager:
    for user_id in range(1, members + 1):
        await member(db, GUILD, user_id, f"member {user_id}")
        await losses(db, GUILD, ALL_TIME, user_id, 100 - user_id, clock())
    return BoardPager(LeaderboardService(db, clock, SettingsService(db, clock)))


def clicker(user_id: int = OWNER, *, guild_id: int = GUILD, owner_id: int | None = OWNER,
            ephemeral: bool = False) -> Any:
    """A click as discord.py hands it to the item: on a reply to `owner_id`'s command (None: a channel post)."""
    interaction = MagicMock()
    interaction.id = discord.utils.time_snowflake(discord.utils.utcnow())  # just clicked: the 3 s start now
    interaction.guild_id = guild_id
    interaction.user.id = user_id
    interaction.user.display_name = f"member {user_id}"
    interaction.message.flags = discord.MessageFlags(ephemeral=ephemeral)
    if owner_id is None:
        interaction.message.interaction_metadata = None
    else:
        interaction.message.interaction_metadata.user.id = owner_id
    interaction.response.is_done = lambda: False
    interaction.response.edit_message = AsyncMock()
    interaction.response.send_message = AsyncMock()
    return interaction


async def page_of(pager: BoardPager, turn: Turn, user_id: int = OWNER) -> Page[BoardState]:
    return await pager.page(clicker(user_id), GUILD, STATE, turn)


def buttons(pager: BoardPager, page: Page[BoardState]) -> tuple[bool, bool] | None:
    """(previous enabled, next enabled), None when the page has no buttons at all."""
    view = pager.view(GUILD, STATE, page)
    if view is None:
        return None
    previous, following = view.children
    assert isinstance(previous, discord.ui.DynamicItem)
    assert isinstance(following, discord.ui.DynamicItem)
    return not previous.item.disabled, not following.item.disabled


def ranks(page: Page[BoardState]) -> list[int]:
    return [int(line.split(".**")[0].removeprefix("**")) for line in page.embed.description.splitlines()]


async def test_the_buttons_follow_the_pages_and_never_go_past_the_ends(db: Database, clock: FakeClock) -> None:
    pager = await board_of(db, clock, 25)
    first = await page_of(pager, Turn.first())
    assert ranks(first) == list(range(1, 11))
    assert buttons(pager, first) == (False, True)
    assert first.previous is None

    assert first.next is not None
    second = await page_of(pager, first.next)
    assert ranks(second) == list(range(11, 21))
    assert buttons(pager, second) == (True, True)
    assert second.next is not None
    last = await page_of(pager, second.next)
    assert ranks(last) == list(range(21, 26))
    assert buttons(pager, last) == (True, False)
    assert last.next is None

    assert last.previous is not None
    back = await page_of(pager, last.previous)
    assert back.embed == second.embed
    assert "Page 2" in back.embed.footer
    assert back.note is None


async def test_a_one_page_board_has_no_buttons_to_press(db: Database, clock: FakeClock) -> None:
    pager = await board_of(db, clock, 4)
    assert buttons(pager, await page_of(pager, Turn.first())) is None


async def test_a_page_emptied_by_members_leaving_steps_back_and_says_so(db: Database, clock: FakeClock) -> None:
    pager = await board_of(db, clock, 11)
    first = await page_of(pager, Turn.first())
    await member(db, GUILD, 11, "member 11", left_at=clock())  # the only member of page 2 leaves
    assert first.next is not None
    page = await page_of(pager, first.next)
    assert "Page 1" in page.embed.footer
    assert ranks(page) == list(range(1, 11))
    assert buttons(pager, page) is None
    assert page.note == MOVED


async def test_a_button_is_rebuilt_by_any_process_from_its_custom_id(db: Database, clock: FakeClock) -> None:
    pager = await board_of(db, clock, 25)
    first = await page_of(pager, Turn.first())
    view = pager.view(GUILD, STATE, first)
    assert view is not None
    next_id = view.children[1].to_component_dict()["custom_id"]
    assert len(next_id) <= 100
    assert view.timeout is None
    assert view.is_persistent()

    restarted = BoardPager(LeaderboardService(db, clock, SettingsService(db, clock)))  # another process
    click = clicker()
    await restarted.clicked(click, next_id)

    click.response.send_message.assert_not_awaited()
    shown = click.response.edit_message.await_args.kwargs
    assert "**11.**" in shown["embed"].description
    assert shown["content"] is None
    assert all(c.custom_id.startswith("lounge:board:") for c in shown["view"].children)


async def test_the_owner_turns_the_page_and_anyone_else_gets_their_own_copy(db: Database, clock: FakeClock) -> None:
    pager = await board_of(db, clock, 25)
    first = await page_of(pager, Turn.first())
    assert first.next is not None
    next_id = pager.custom_id(GUILD, STATE, first.next)

    owner, stranger, post = clicker(OWNER), clicker(20), clicker(20, owner_id=None)
    for click in (owner, stranger, post):
        await pager.clicked(click, next_id)

    owner.response.send_message.assert_not_awaited()
    assert "Where member 1 stands" in str(owner.response.edit_message.await_args.kwargs["embed"].fields)
    for click in (stranger, post):  # the owner's reply, or a channel post, stays as it is for everyone
        click.response.edit_message.assert_not_awaited()
        answer = click.response.send_message.await_args.kwargs
        assert answer["ephemeral"] is True
        assert "Where member 20 stands" in str(answer["embed"].fields)
        assert "**11.**" in answer["embed"].description


async def test_a_foreign_or_forged_id_is_refused_and_changes_nothing(db: Database, clock: FakeClock) -> None:
    pager = await board_of(db, clock, 25)
    ceremony = await open_ceremony(db, OTHER_GUILD, started_at=clock())
    foreign = pager.custom_id(OTHER_GUILD, STATE, Turn.first())
    gone = pager.custom_id(GUILD, BoardState(BoardKind.LOSERS, ceremony), Turn.first())  # another server's
    garbage = pager.custom_id(GUILD, STATE, Turn(Way.NEXT, 2, "not.a.real.place"))
    too_big = "lounge:board:zzzzzzzzzzz:l0:n2:"  # a server id past 64 bits

    for custom_id, said in ((foreign, "another server"), (gone, "no longer exists"), (garbage, "isn't one the bot"),
                            (too_big, "isn't one the bot")):
        click = clicker()
        await pager.clicked(click, custom_id)
        click.response.edit_message.assert_not_awaited()
        refusal = click.response.send_message.await_args.kwargs
        assert refusal["ephemeral"] is True
        assert said in refusal["embed"].description, custom_id


async def test_the_command_s_first_page_is_the_page_a_click_on_the_same_board_shows(
    db: Database, clock: FakeClock
) -> None:
    """`/leaderboard show` resolves the scope once and draws its page in it (no second read of the
    ceremony); that page is exactly what the pager draws from the state its buttons carry."""
    pager = await board_of(db, clock, 25)
    scope = await pager.boards.scope(GUILD, "all-time")
    from_the_command = await pager.page_of(clicker(7), GUILD, STATE.kind, scope, Turn.first())
    from_a_click = await pager.page(clicker(7), GUILD, STATE, Turn.first())
    assert from_the_command == from_a_click
    assert ranks(from_the_command) == list(range(1, 11))
