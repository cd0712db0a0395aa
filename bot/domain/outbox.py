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


@dataclass(frozen=True, slots=True)
class PendingAnnouncement:
    id: int
    guild_id: int
    channel_id: int | None
    kind: str
    payload: dict[str, Any]
    batch_id: int | None
    attempts: int


@dataclass(frozen=True, slots=True)
class PendingRoleChange:
    id: int
    guild_id: int
    user_id: int
    role_id: int
    action: str
    reason: str
    attempts: int


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
    announcement channel, or for `channel_id` when given."""
    return await tx.insert(
        "INSERT INTO outbox (guild_id, channel_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        (guild_id, channel_id, kind, json.dumps(message, ensure_ascii=False), to_storage(now)),
    )


async def queue_role_change(
    tx: Transaction, guild_id: int, user_id: int, role_id: int, action: str, reason: str, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO role_queue (guild_id, user_id, role_id, action, reason, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, user_id, role_id, action, reason, to_storage(now)),
    )


class OutboxStore:
    """What the senders read and mark. Reads are cheap (a partial index of pending rows)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def pending_announcements(self, now: datetime, limit: int = 200) -> list[PendingAnnouncement]:
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, kind, payload, batch_id, attempts FROM outbox "
            "WHERE sent_at IS NULL AND failure IS NULL "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?",
            (to_storage(now), limit),
        )
        return [
            PendingAnnouncement(
                row["id"], row["guild_id"], row["channel_id"], row["kind"],
                json.loads(row["payload"]), row["batch_id"], row["attempts"],
            )
            for row in rows
        ]

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
                (reason[:500], batch_id),
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

    async def fail_role_changes_of_guild(self, guild_id: int, reason: str) -> int:
        async def mark(tx: Transaction) -> int:
            return await tx.execute(
                "UPDATE role_queue SET failure = ? WHERE guild_id = ? AND done_at IS NULL AND failure IS NULL",
                (reason, guild_id),
            )

        return await self._db.write(mark)
