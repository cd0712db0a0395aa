"""The board's buttons: disabled at either end, refusing to page past them,
answering only the member who opened the board, greyed out on timeout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import discord

from bot.db import Database
from bot.domain.leaderboards.service import ALL_TIME, BoardKind, BoardScope, LeaderboardService
from bot.domain.settings.service import SettingsService
from cogs.leaderboards.view import BoardView
from tests.clock import FakeClock
from tests.domain.leaderboard_helpers import GUILD, losses, member

OWNER = 1


async def board_of(db: Database, clock: FakeClock, members: int) -> BoardView:
    for user_id in range(1, members + 1):
        await member(db, GUILD, user_id, f"member {user_id}")
        await losses(db, GUILD, ALL_TIME, user_id, 100 - user_id, clock())
    return BoardView(
        LeaderboardService(db, clock, SettingsService(db, clock)), guild_id=GUILD, kind=BoardKind.LOSERS,
        scope=BoardScope(ALL_TIME, "All time"), owner_id=OWNER, owner_name="member 1",
    )


def buttons(view: BoardView) -> tuple[bool, bool]:
    """(previous enabled, next enabled)"""
    return not view.previous.disabled, not view.next.disabled


async def test_the_buttons_follow_the_pages_and_refuse_to_go_past_the_ends(db: Database, clock: FakeClock) -> None:
    view = await board_of(db, clock, 25)
    first = await view.load()
    assert [s.rank for s in first.standings] == list(range(1, 11))
    assert buttons(view) == (False, True)
    assert await view.turn(forward=False) is None
    assert view.pager.page_number == 1

    second = await view.turn(forward=True)
    assert second is not None
    assert [s.rank for s in second.standings] == list(range(11, 21))
    assert buttons(view) == (True, True)
    last = await view.turn(forward=True)
    assert last is not None
    assert [s.rank for s in last.standings] == list(range(21, 26))
    assert buttons(view) == (True, False)
    assert await view.turn(forward=True) is None
    assert view.pager.page_number == 3

    back = await view.turn(forward=False)
    assert back is not None
    assert back.standings == second.standings
    assert "Page 2" in str(view.embed().footer.text)


async def test_a_one_page_board_has_both_buttons_disabled(db: Database, clock: FakeClock) -> None:
    view = await board_of(db, clock, 4)
    await view.load()
    assert buttons(view) == (False, False)


async def test_a_page_emptied_by_members_leaving_steps_back(db: Database, clock: FakeClock) -> None:
    view = await board_of(db, clock, 11)
    await view.load()
    await member(db, GUILD, 11, "member 11", left_at=clock())  # the only member of page 2 leaves
    page = await view.turn(forward=True)
    assert page is not None
    assert view.pager.page_number == 1
    assert len(page.standings) == 10
    assert buttons(view) == (False, False)


@dataclass
class FakeResponse:
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def send_message(self, content: str, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


@dataclass
class FakeUser:
    id: int


@dataclass
class FakeInteraction:
    user: FakeUser
    response: FakeResponse = field(default_factory=FakeResponse)
    created_at: datetime = field(default_factory=discord.utils.utcnow)


async def test_only_the_member_who_opened_the_board_turns_its_pages(db: Database, clock: FakeClock) -> None:
    view = await board_of(db, clock, 25)
    await view.load()
    owner, stranger = FakeInteraction(FakeUser(OWNER)), FakeInteraction(FakeUser(99))

    assert await view.interaction_check(owner) is True
    assert await view.interaction_check(stranger) is False

    assert owner.response.sent == []
    (note,) = stranger.response.sent
    assert note["ephemeral"] is True
    assert "/leaderboard show" in note["content"]


async def test_the_buttons_are_disabled_when_the_view_times_out(db: Database, clock: FakeClock) -> None:
    view = await board_of(db, clock, 25)
    await view.load()
    await view.on_timeout()  # no message to edit (never sent): the buttons still grey out
    assert buttons(view) == (False, False)
