"""The outbox: announcements and role changes written in the same transaction
as the change they announce, delivered later by the background senders.

A row is delivered at least once by the sender and shown at most once by
Discord (each batch is sent with its own nonce), so members see it exactly once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import to_storage
from bot.db import Database, Transaction
from bot.embeds import CONTENT_LIMIT, EMBED_TOTAL_LIMIT, EMBEDS_PER_MESSAGE, embed_size
from bot.text import cut


@dataclass(frozen=True, slots=True)
class PendingAnnouncement:
    id: int
    guild_id: int
    channel_id: int | None
    kind: str
    payload: dict[str, Any]
    batch_id: int | None
    attempts: int
    next_attempt_at: str | None

    @property
    def embed_count(self) -> int:
        return len(self.payload.get("embeds") or [])

    @property
    def embed_chars(self) -> int:
        return sum(embed_size(embed) for embed in self.payload.get("embeds") or [])

    @property
    def has_files(self) -> bool:
        return bool(self.payload.get("files"))

    @property
    def has_components(self) -> bool:
        """Buttons under the message (the posted boards'): they belong to this announcement's embeds."""
        return bool(self.payload.get("components"))


def plan_batch(queue: list[PendingAnnouncement]) -> list[PendingAnnouncement]:
    """The announcements, from the front of one channel's queue, that go out as one message.

    A batch already claimed is re-sent exactly as it was. Otherwise consecutive
    announcements are coalesced while the message stays within Discord's limits
    (10 embeds, 6000 embed characters, 2000 characters of content); one with files
    goes alone, and at most one with components (buttons) joins a batch, so their
    custom_ids stay distinct within the message.
    """
    if not queue:
        return []
    first = queue[0]
    if first.batch_id is not None:
        return [row for row in queue if row.batch_id == first.batch_id]
    batch = [first]
    if first.has_files:
        return batch
    embeds, chars = first.embed_count, first.embed_chars
    content = len(first.payload.get("content") or "")
    components = first.has_components
    for row in queue[1:]:
        row_content = len(row.payload.get("content") or "")
        if (
            row.batch_id is not None
            or row.has_files
            or (components and row.has_components)
            or embeds + row.embed_count > EMBEDS_PER_MESSAGE
            or chars + row.embed_chars > EMBED_TOTAL_LIMIT
            or content + row_content + 1 > CONTENT_LIMIT
        ):
            break
        batch.append(row)
        components = components or row.has_components
        embeds += row.embed_count
        chars += row.embed_chars
        content += row_content + 1
    return batch


@dataclass(frozen=True, slots=True)
class PendingRoleChange:
    id: int
    guild_id: int
    user_id: int
    role_id: int
    action: str
    reason: str
    attempts: int


ANNOUNCEMENTS = "outbox"
"""The topic a unit notifies when it queues an announcement (the announcer's sender listens)."""
ROLE_CHANGES = "role_queue"
"""The topic a unit notifies when it queues role changes (the role sender listens)."""


async def announce(
    tx: Transaction,
    guild_id: int,
    kind: str,
    message: dict[str, Any],
    now: datetime,
    *,
    channel_id: int | None = None,
) -> int:
    """Queue `message` (a body built by :func:`bot.embeds.message`) for the server's
    announcement channel, or for `channel_id` when given; its sender wakes after the commit."""
    tx.notify(ANNOUNCEMENTS)
    return await tx.insert(
        "INSERT INTO outbox (guild_id, channel_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        (guild_id, channel_id, kind, json.dumps(message, ensure_ascii=False), to_storage(now)),
    )


async def queue_role_changes(
    tx: Transaction, guild_id: int, changes: list[tuple[int, int]], action: str, reason: str, now: datetime
) -> None:
    """Queue `action` ("add" or "remove") of each (member, role) in `changes`, in one statement
    (a result can send thousands to the lounge); the role sender wakes after the commit."""
    if not changes:
        return
    tx.notify(ROLE_CHANGES)
    stamp = to_storage(now)
    await tx.execute_many(
        "INSERT INTO role_queue (guild_id, user_id, role_id, action, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [(guild_id, user_id, role, action, reason, stamp) for user_id, role in changes],
    )


class OutboxStore:
    """What the senders read and mark. Reads are cheap (a partial index of pending rows)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def pending_announcements(self, limit: int = 500) -> list[PendingAnnouncement]:
        """Undelivered announcements in order, including those waiting to be retried
        (the sender keeps a channel's order by not sending past a waiting one)."""
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, kind, payload, batch_id, attempts, next_attempt_at FROM outbox "
            "WHERE sent_at IS NULL AND failure IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            PendingAnnouncement(
                row["id"], row["guild_id"], row["channel_id"], row["kind"],
                json.loads(row["payload"]), row["batch_id"], row["attempts"], row["next_attempt_at"],
            )
            for row in rows
        ]

    async def fallback_channel(self, guild_id: int) -> int | None:
        """Where announcements go when no announcement channel is set: where the ceremony started."""
        value = await self._db.fetch_value(
            "SELECT start_channel_id FROM ceremonies WHERE guild_id = ? AND is_current = 1", (guild_id,)
        )
        return None if value is None else int(value)

    async def postpone(self, announcement_ids: list[int], until: datetime) -> None:
        async def mark(tx: Transaction) -> None:
            marks = ",".join("?" for _ in announcement_ids)
            await tx.execute(
                f"UPDATE outbox SET next_attempt_at = ? WHERE id IN ({marks}) AND sent_at IS NULL",  # noqa: S608
                (to_storage(until), *announcement_ids),
            )

        await self._db.write(mark)

    async def claim_batch(self, announcement_ids: list[int]) -> int:
        """Fix which rows go out together; the batch id (its first row id) is the nonce."""
        batch_id = min(announcement_ids)

        async def claim(tx: Transaction) -> int:
            marks = ",".join("?" for _ in announcement_ids)
            await tx.execute(
                f"UPDATE outbox SET batch_id = ? WHERE id IN ({marks}) AND batch_id IS NULL",  # noqa: S608
                (batch_id, *announcement_ids),
            )
            return batch_id

        return await self._db.write(claim)

    async def batch_members(self, batch_id: int) -> list[int]:
        rows = await self._db.fetch_all("SELECT id FROM outbox WHERE batch_id = ? ORDER BY id", (batch_id,))
        return [row["id"] for row in rows]

    async def mark_sent(self, batch_id: int, message_id: int, now: datetime) -> None:
        async def mark(tx: Transaction) -> None:
            await tx.execute(
                "UPDATE outbox SET sent_at = ?, message_id = ? WHERE batch_id = ? AND sent_at IS NULL",
                (to_storage(now), message_id, batch_id),
            )

        await self._db.write(mark)

    async def mark_retry(self, batch_id: int, delay: timedelta, now: datetime, reason: str) -> None:
        async def mark(tx: Transaction) -> None:
            await tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, failure = NULL "
                "WHERE batch_id = ? AND sent_at IS NULL",
                (to_storage(now + delay), batch_id),
            )

        await self._db.write(mark)

    async def mark_failed(self, batch_id: int, reason: str) -> None:
        async def mark(tx: Transaction) -> None:
            await tx.execute(
                "UPDATE outbox SET failure = ? WHERE batch_id = ? AND sent_at IS NULL",
                (cut(reason, 500), batch_id),
            )

        await self._db.write(mark)

    async def pending_role_changes(self, limit: int = 50) -> list[PendingRoleChange]:
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, user_id, role_id, action, reason, attempts FROM role_queue "
            "WHERE done_at IS NULL AND failure IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            PendingRoleChange(
                row["id"], row["guild_id"], row["user_id"], row["role_id"], row["action"],
                row["reason"], row["attempts"],
            )
            for row in rows
        ]

    async def finish_role_change(self, change_id: int, now: datetime, failure: str | None = None) -> None:
        async def mark(tx: Transaction) -> None:
            await tx.execute(
                "UPDATE role_queue SET done_at = CASE WHEN ? IS NULL THEN ? ELSE done_at END, "
                "failure = ?, attempts = attempts + 1 WHERE id = ?",
                (failure, to_storage(now), failure, change_id),
            )

        await self._db.write(mark)

    async def retry_failed_role_changes(self, guild_id: int) -> int:
        """Give role changes stopped by a permission problem another go (after hosts fixed it)."""

        async def mark(tx: Transaction) -> int:
            return await tx.execute(
                "UPDATE role_queue SET failure = NULL, attempts = 0 "
                "WHERE guild_id = ? AND done_at IS NULL AND failure LIKE 'permission:%'",
                (guild_id,),
            )

        return await self._db.write(mark)

    async def fail_role_changes_of_guild(self, guild_id: int, reason: str) -> int:
        async def mark(tx: Transaction) -> int:
            return await tx.execute(
                "UPDATE role_queue SET failure = ? WHERE guild_id = ? AND done_at IS NULL AND failure IS NULL",
                (reason, guild_id),
            )

        return await self._db.write(mark)
