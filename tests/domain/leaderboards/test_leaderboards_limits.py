"""Boards, scheduled posts and the recap stay within Discord's embed limits with
1,000 members whose 100-character names are full of markdown and mentions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import to_storage
from bot.db import Database, Transaction
from bot.domain.leaderboards.ranking import Edge, PageRequest
from bot.domain.leaderboards.service import (
    ALL_TIME,
    BoardKind,
    BoardScope,
    Cursor,
    LeaderboardService,
    boards_message,
    page_embed,
)
from bot.domain.recap.data import assemble_recap
from bot.domain.recap.message import recap_message
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.leaderboard_helpers import GUILD, assert_embed_fits, assert_message_fits, open_ceremony

MEMBERS = 1000


def awkward_name(index: int) -> str:
    name = f"@everyone **{index}** <@{index}> `x` _y_ ||z|| [link](https://e.x) # > ~~{'Ω' * 3}~~ "
    return (name * 3)[:100]


async def crowded_server(db: Database, clock: FakeClock, *, categories: int = 0) -> int:
    """1,000 members on every board of an ended ceremony (and all-time), plus `categories` results."""
    ceremony = await open_ceremony(db, GUILD, started_at=clock(), state="ended")
    stamp = to_storage(clock())

    async def fill(tx: Transaction) -> None:
        await tx.execute("UPDATE ceremonies SET ended_at = ? WHERE id = ?", (to_storage(clock() + timedelta(hours=3)),
                                                                             ceremony))
        await tx.execute_many(
            "INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, ?, ?)",
            [(GUILD, user, awkward_name(user), stamp) for user in range(1, MEMBERS + 1)],
        )
        for scope in (ALL_TIME, ceremony):
            await tx.execute_many(
                "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) VALUES (?, ?, ?, ?, ?)",
                [(GUILD, scope, user, 1 + user % 7, stamp) for user in range(1, MEMBERS + 1)],
            )
            await tx.execute_many(
                "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) "
                "VALUES (?, ?, ?, ?, 9, ?)",
                [(GUILD, scope, user, user % 10, stamp) for user in range(1, MEMBERS + 1)],
            )
        await tx.execute_many(
            "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, status, anonymous, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            [
                (GUILD, user, awkward_name(user), ceremony, 100 * (user % 13 + 1), int(user % 5 == 0),
                 to_storage(clock() + timedelta(seconds=user * 9)), stamp)
                for user in range(1, MEMBERS + 1)
            ],
        )
        for position in range(categories):
            category = await tx.insert(
                "INSERT INTO categories (guild_id, ceremony_id, name, position) VALUES (?, ?, ?, ?)",
                (GUILD, ceremony, f"{position}: Outstanding {'*Very* ' * 30}Long Category"[:200], position),
            )
            nominee = await tx.insert(
                "INSERT INTO nominees (guild_id, category_id, name, label, position) VALUES (?, ?, ?, ?, 0)",
                (GUILD, category, "n", f"{awkward_name(position)} {'— a long label ' * 10}"[:200]),
            )
            result = await tx.insert(
                "INSERT INTO results (guild_id, ceremony_id, category_id, logged_by, logged_at) VALUES (?, ?, ?, 1, ?)",
                (GUILD, ceremony, category, stamp),
            )
            await tx.execute(
                "INSERT INTO result_winners (result_id, nominee_id, guild_id, added_by, added_at) "
                "VALUES (?, ?, ?, 1, ?)",
                (result, nominee, GUILD, stamp),
            )

    await db.write(fill)
    return ceremony


@pytest.mark.parametrize("kind", list(BoardKind))
async def test_every_page_of_every_board_fits(db: Database, clock: FakeClock, kind: BoardKind) -> None:
    await crowded_server(db, clock)
    boards = LeaderboardService(db, clock, SettingsService(db, clock))
    scope = BoardScope(ALL_TIME, "All time " + "⭐" * 300)
    request: PageRequest[Cursor] = PageRequest()
    pages = 0
    while True:
        page = await boards.turn(GUILD, kind, scope, request, viewer_id=MEMBERS)
        embed = page_embed(page, viewer_name=awkward_name(MEMBERS)).to_dict()
        assert_embed_fits(embed)
        assert "@everyone" not in str(embed)
        assert "<@1>" not in str(embed)
        pages += 1
        if page.next_cursor is None:
            break
        request = PageRequest(page.page_number + 1, Edge(page.next_cursor, page.standings[-1].rank))
    assert pages == MEMBERS // 10


async def test_the_posted_boards_fit(db: Database, clock: FakeClock) -> None:
    ceremony = await crowded_server(db, clock)
    body = await boards_message(db, GUILD, BoardScope(ceremony, "x" * 300), heading="📊 The leaderboards")
    assert body is not None
    assert_message_fits(body)
    assert len(body["embeds"]) == 3
    assert all(embed["description"].count("\n") == 9 for embed in body["embeds"])


async def test_the_recap_fits_even_with_two_hundred_long_results(db: Database, clock: FakeClock) -> None:
    ceremony = await crowded_server(db, clock, categories=200)
    settings = await SettingsService(db, clock).get(GUILD)
    data = await assemble_recap(db, settings, ceremony)
    assert data is not None
    assert len(data.results) == 200

    body = recap_message(data, b"\x89PNG fake")

    assert_message_fits(body)
    summary, results = body["embeds"]
    assert len(summary["fields"]) == 5
    assert results["description"].endswith("more: see `/ceremony status`.")
    assert "@everyone" not in str(body["embeds"])
