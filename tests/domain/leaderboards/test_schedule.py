"""While the show is live the boards are posted every N minutes: once per slot,
across restarts and processes, never after the show, never when switched off."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.db import Database, Transaction
from bot.domain.leaderboards.schedule import SCHEDULED_KIND, LeaderboardSchedule, ScheduledPost, claim_slot, slot_at
from bot.domain.leaderboards.service import ALL_TIME
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.leaderboard_helpers import (
    GUILD,
    HOST,
    OTHER_GUILD,
    announcements,
    assert_message_fits,
    losses,
    member,
    open_ceremony,
    payload,
    run,
)


async def live_show(db: Database, clock: FakeClock, guild_id: int = GUILD) -> int:
    """A ceremony that started now, with one loser on its board."""
    ceremony = await open_ceremony(db, guild_id, started_at=clock())
    await member(db, guild_id, 1, "Ann")
    await losses(db, guild_id, ceremony, 1, 1, clock())
    await losses(db, guild_id, ALL_TIME, 1, 1, clock())
    return ceremony


async def scheduled(db: Database, guild_id: int = GUILD) -> list[int]:
    return [row["id"] for row in await announcements(db, guild_id, SCHEDULED_KIND)]


def test_slots_count_whole_intervals_since_the_start(clock: FakeClock) -> None:
    start = clock()
    assert slot_at(start, start, 15) == 0
    assert slot_at(start, start + timedelta(minutes=14, seconds=59), 15) == 0
    assert slot_at(start, start + timedelta(minutes=15), 15) == 1
    assert slot_at(start, start + timedelta(hours=3, minutes=1), 15) == 12
    assert slot_at(start, start - timedelta(seconds=1), 15) is None
    assert slot_at(start, start + timedelta(hours=1), 0) is None


async def test_the_boards_go_out_once_per_slot_from_one_interval_after_the_start(
    db: Database, clock: FakeClock
) -> None:
    await live_show(db, clock)
    schedule = LeaderboardSchedule(db, clock)

    clock.advance(minutes=5)
    assert await schedule.post_due() == []  # slot 0: the show just started
    clock.advance(minutes=10)
    first = await schedule.post_due()
    assert [post.slot for post in first] == [1]
    clock.advance(seconds=30)
    assert await schedule.post_due() == []  # still slot 1
    clock.advance(minutes=14)
    assert await schedule.post_due() == []
    clock.advance(seconds=30)
    assert [post.slot for post in await schedule.post_due()] == [2]

    rows = await announcements(db, GUILD, SCHEDULED_KIND)
    assert len(rows) == 2
    body = payload(rows[0])
    assert body["content"] == "📊 The leaderboards, 15 min in"
    assert "Ann" in body["embeds"][0]["description"]
    assert_message_fits(body)


async def test_a_restart_or_a_second_process_never_posts_a_slot_twice(db: Database, clock: FakeClock) -> None:
    await live_show(db, clock)
    clock.advance(minutes=16)
    before_restart = LeaderboardSchedule(db, clock)
    assert len(await before_restart.post_due()) == 1

    restarted = await Database.open(db.path)  # another connection to the same file, as after a restart
    try:
        after_restart = LeaderboardSchedule(restarted, clock)
        assert await after_restart.post_due() == []
        clock.advance(minutes=15)
        # Both processes wake for slot 2 at the same moment: exactly one post.
        results = await asyncio.gather(before_restart.post_due(), after_restart.post_due())
        assert sorted(len(posts) for posts in results) == [0, 1]
    finally:
        await restarted.close()
    assert len(await scheduled(db)) == 2
    slots = await db.fetch_all("SELECT slot, outbox_id FROM leaderboard_posts ORDER BY slot")
    assert [row["slot"] for row in slots] == [1, 2]
    assert [row["outbox_id"] for row in slots] == await scheduled(db)


async def test_missed_slots_are_not_caught_up(db: Database, clock: FakeClock) -> None:
    await live_show(db, clock)
    clock.advance(hours=2, minutes=1)  # the bot was down for two hours
    posts = await LeaderboardSchedule(db, clock).post_due()
    assert [post.slot for post in posts] == [8]
    assert len(await scheduled(db)) == 1


async def test_posts_go_to_the_leaderboard_channel_and_follow_the_interval_setting(
    db: Database, clock: FakeClock
) -> None:
    await live_show(db, clock)
    settings = SettingsService(db, clock)
    await settings.update(GUILD, {"leaderboard_channel_id": 4242, "leaderboard_interval_minutes": 10}, actor_id=HOST)
    schedule = LeaderboardSchedule(db, clock)

    clock.advance(minutes=10)
    assert [post.slot for post in await schedule.post_due()] == [1]
    clock.advance(minutes=21)
    assert [post.slot for post in await schedule.post_due()] == [3]
    # A host widens the interval mid-show: the new slots don't collide with the old ones.
    await settings.update(GUILD, {"leaderboard_interval_minutes": 15}, actor_id=HOST)
    assert [post.slot for post in await schedule.post_due()] == [2]
    clock.advance(minutes=5)
    assert await schedule.post_due() == []

    await settings.update(GUILD, {"leaderboard_interval_minutes": 0}, actor_id=HOST)
    clock.advance(hours=1)
    assert await schedule.post_due() == []
    rows = await announcements(db, GUILD, SCHEDULED_KIND)
    assert [row["channel_id"] for row in rows] == [4242, 4242, 4242]


async def test_nothing_is_posted_after_the_show_or_while_the_boards_are_empty(db: Database, clock: FakeClock) -> None:
    ceremony = await open_ceremony(db, OTHER_GUILD, started_at=clock())  # live, but nobody on any board
    await live_show(db, clock)
    schedule = LeaderboardSchedule(db, clock)
    clock.advance(minutes=15)
    assert [post.guild_id for post in await schedule.post_due()] == [GUILD]
    assert await db.fetch_value("SELECT COUNT(*) FROM leaderboard_posts WHERE guild_id = ?", (OTHER_GUILD,)) == 0

    await member(db, OTHER_GUILD, 5, "Eve")
    await losses(db, OTHER_GUILD, ceremony, 5, 2, clock())
    assert [post.guild_id for post in await schedule.post_due()] == [OTHER_GUILD]  # same slot, now with news

    await run(db, "UPDATE ceremonies SET state = 'ended' WHERE guild_id = ?", (GUILD,))
    clock.advance(minutes=15)
    assert [post.guild_id for post in await schedule.post_due()] == [OTHER_GUILD]
    assert len(await scheduled(db, GUILD)) == 1


async def test_the_claim_itself_refuses_a_slot_already_posted_even_past_the_early_check(
    db: Database, clock: FakeClock
) -> None:
    await live_show(db, clock)
    clock.advance(minutes=15)
    (live,) = await LeaderboardSchedule(db, clock).live_ceremonies()
    body = {"content": "boards", "embeds": [], "allowed_mentions": {"parse": []}}

    async def claim(tx: Transaction) -> ScheduledPost | None:
        return await claim_slot(tx, live, 1, body, clock())

    other_process = await Database.open(db.path)
    try:
        first = await db.write(claim)
        second = await other_process.write(claim)
    finally:
        await other_process.close()
    assert first is not None
    assert second is None
    assert await scheduled(db) == [first.outbox_id]
