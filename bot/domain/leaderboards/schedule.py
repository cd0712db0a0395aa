"""Leaderboards posted on a schedule while a ceremony is live.

Time is cut into slots from the ceremony's start: ``slot = floor((now -
started_at) / interval)``. Slot 0 is the opening minutes (nothing to show yet),
so the first post is one interval after the start. Each post is claimed by a row
``(guild_id, ceremony_id, interval_minutes, slot)`` inserted with ``ON CONFLICT
DO NOTHING`` in the same unit that queues the announcement, and the
announcement is queued only when that row was inserted. So a slot is posted
once: after a restart, by a second process, or when two ticks race.

Slots missed while the bot was down are not caught up: only the current slot is
posted (a burst of stale boards helps nobody). `now` comes from the injected
clock, so tests drive time by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock, from_storage, to_storage
from bot.db import Database, Transaction
from bot.domain.announcer import outbox
from bot.domain.leaderboards.service import BoardButtons, BoardScope, boards_message, ceremony_title
from bot.domain.settings.service import GuildSettings

FIRST_SLOT = 1
SCHEDULED_KIND = "leaderboard.scheduled"
_DEFAULT_INTERVAL = GuildSettings(guild_id=0).leaderboard_interval_minutes


def slot_at(started_at: datetime, now: datetime, interval_minutes: int) -> int | None:
    """The slot `now` falls in, or None when posting is off or the show hasn't started."""
    if interval_minutes <= 0 or now < started_at:
        return None
    return (now - started_at) // timedelta(minutes=interval_minutes)


@dataclass(frozen=True, slots=True)
class LiveCeremony:
    guild_id: int
    ceremony_id: int
    title: str
    started_at: datetime
    interval_minutes: int
    channel_id: int | None
    """The leaderboard channel; None means the announcement channel."""


@dataclass(frozen=True, slots=True)
class ScheduledPost:
    guild_id: int
    ceremony_id: int
    slot: int
    outbox_id: int


class LeaderboardSchedule:
    """Decides, each tick, which live ceremonies are due a leaderboard post, and queues it once."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def live_ceremonies(self) -> list[LiveCeremony]:
        rows = await self._db.fetch_all(
            "SELECT c.guild_id, c.id, c.name, c.year, c.started_at, "
            "COALESCE(s.leaderboard_interval_minutes, ?) AS interval_minutes, s.leaderboard_channel_id "
            "FROM ceremonies c LEFT JOIN guild_settings s ON s.guild_id = c.guild_id "
            "WHERE c.state = 'live' AND c.is_current = 1 AND c.started_at IS NOT NULL ORDER BY c.guild_id",
            (_DEFAULT_INTERVAL,),
        )
        return [
            LiveCeremony(
                guild_id=row["guild_id"],
                ceremony_id=row["id"],
                title=ceremony_title(row["name"], row["year"]),
                started_at=from_storage(row["started_at"]),
                interval_minutes=row["interval_minutes"],
                channel_id=row["leaderboard_channel_id"],
            )
            for row in rows
        ]

    async def post_due(self, buttons: BoardButtons | None = None) -> list[ScheduledPost]:
        """Queue the boards of every live ceremony whose current slot hasn't been posted
        (with the components `buttons` builds)."""
        posted: list[ScheduledPost] = []
        for live in await self.live_ceremonies():
            post = await self.post_if_due(live, buttons)
            if post is not None:
                posted.append(post)
        return posted

    async def post_if_due(self, live: LiveCeremony, buttons: BoardButtons | None = None) -> ScheduledPost | None:
        now = self._clock()
        slot = slot_at(live.started_at, now, live.interval_minutes)
        if slot is None or slot < FIRST_SLOT:
            return None
        if await self._posted(live, slot):
            return None  # the cheap check; the unit below is what guarantees "once"
        scope = BoardScope(live.ceremony_id, live.title)
        elapsed = _elapsed(now - live.started_at)
        body = await boards_message(
            self._db, live.guild_id, scope, heading=f"📊 The leaderboards, {elapsed} in", buttons=buttons
        )
        if body is None:
            return None  # nothing to show yet; the slot stays open in case something happens

        async def claim_and_queue(tx: Transaction) -> ScheduledPost | None:
            return await claim_slot(tx, live, slot, body, now)

        return await self._db.write(claim_and_queue)

    async def _posted(self, live: LiveCeremony, slot: int) -> bool:
        value = await self._db.fetch_value(
            "SELECT 1 FROM leaderboard_posts WHERE guild_id = ? AND ceremony_id = ? AND interval_minutes = ? "
            "AND slot = ?",
            (live.guild_id, live.ceremony_id, live.interval_minutes, slot),
        )
        return value is not None


async def claim_slot(
    tx: Transaction, live: LiveCeremony, slot: int, body: dict[str, Any], now: datetime
) -> ScheduledPost | None:
    """Claim `slot` and queue `body` for it; None (nothing queued) when the slot was already claimed
    or the ceremony is no longer live."""
    still_live = await tx.fetch_one(
        "SELECT 1 FROM ceremonies WHERE id = ? AND guild_id = ? AND state = 'live'", (live.ceremony_id, live.guild_id)
    )
    if still_live is None:
        return None  # ended between the read and this unit: no post after the show
    claimed = await tx.execute(
        "INSERT INTO leaderboard_posts (guild_id, ceremony_id, interval_minutes, slot, posted_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (live.guild_id, live.ceremony_id, live.interval_minutes, slot, to_storage(now)),
    )
    if claimed != 1:
        return None
    outbox_id = await outbox.announce(tx, live.guild_id, SCHEDULED_KIND, body, now, channel_id=live.channel_id)
    await tx.execute(
        "UPDATE leaderboard_posts SET outbox_id = ? WHERE guild_id = ? AND ceremony_id = ? AND interval_minutes = ? "
        "AND slot = ?",
        (outbox_id, live.guild_id, live.ceremony_id, live.interval_minutes, slot),
    )
    return ScheduledPost(live.guild_id, live.ceremony_id, slot, outbox_id)


def _elapsed(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"
