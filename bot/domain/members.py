"""Members as the bot has seen them: the one place that writes `members`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.clock import to_storage
from bot.db import Transaction
from bot.text import cut

MAX_DISPLAY_NAME = 100


_REMEMBER = (
    "INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, "
    "left_at = NULL WHERE members.display_name != excluded.display_name OR members.left_at IS NOT NULL"
)


def stored_name(display_name: str) -> str:
    """A display name as the members table keeps it."""
    return cut(display_name, MAX_DISPLAY_NAME)


async def remember_member(
    tx: Transaction, guild_id: int, user_id: int, display_name: str, now: datetime
) -> None:
    """Record (or refresh) a member's display name; a returning member is no longer 'left'."""
    await remember_members(tx, {(guild_id, user_id): display_name}, now)


async def remember_members(tx: Transaction, names: Mapping[tuple[int, int], str], now: datetime) -> None:
    """`remember_member` for many members in one statement: {(guild_id, user_id): display name}."""
    stamp = to_storage(now)
    await tx.execute_many(
        _REMEMBER,
        [(guild_id, user_id, stored_name(name), stamp) for (guild_id, user_id), name in names.items()],
    )


async def mark_left(tx: Transaction, guild_id: int, user_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE members SET left_at = ? WHERE guild_id = ? AND user_id = ? AND left_at IS NULL",
        (to_storage(now), guild_id, user_id),
    )
