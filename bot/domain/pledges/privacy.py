"""Forgetting a member's pledges without losing the money from the totals."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_storage
from bot.db import Transaction

FORGOTTEN_NAME = "Forgotten member"


async def forget_member(
    tx: Transaction, *, guild_id: int, user_id: int, tombstone_user_id: int, now: datetime
) -> int:
    """Hand every pledge of `user_id` in this server to `tombstone_user_id`; return how many.

    Runs inside the caller's unit. Names and notes are erased; amounts, statuses
    and times stay, so the server's totals and milestones are unchanged and the
    money shows on boards as one anonymous entry (a negative tombstone id is
    always shown as "Anonymous"). The member's own totals rows are deleted (the
    triggers have moved their sums to the tombstone's).
    """
    if tombstone_user_id == user_id:
        raise ValueError("the tombstone id must differ from the member's id")
    moved = await tx.execute(
        "UPDATE pledges SET user_id = ?, display_name = ?, note = NULL, updated_at = ?, "
        "cancelled_by = CASE WHEN cancelled_by = ? THEN ? ELSE cancelled_by END "
        "WHERE guild_id = ? AND user_id = ?",
        (tombstone_user_id, FORGOTTEN_NAME, to_storage(now), user_id, tombstone_user_id, guild_id, user_id),
    )
    await tx.execute(
        "DELETE FROM pledge_member_totals WHERE guild_id = ? AND user_id = ? AND total_cents = 0",
        (guild_id, user_id),
    )
    return moved
