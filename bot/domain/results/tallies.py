"""The maintained tallies: per-member loss totals, pick records and loser-role grants.

Leaderboards, cards and the roster read these tables instead of counting
every loss or pick. They are refreshed, inside the unit that changed the
underlying rows, for exactly the members that unit touched: each refresh
recounts those members from `losses` / `picks` (indexed by member), so a
total can never drift, and an undo leaves the same rows a never-wrong night
would have.

Scopes (:mod:`bot.domain.scopes`): ``0`` is all-time; any other scope is a ceremony id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from bot.clock import to_storage
from bot.db import Transaction
from bot.domain.announcer import outbox
from bot.domain.scopes import ALL_TIME as ALL_TIME
from bot.domain.scopes import scopes_of as scopes_of


def id_list(user_ids: Iterable[int]) -> str:
    """A JSON array for ``IN (SELECT value FROM json_each(?))``: one parameter for any number of members."""
    return json.dumps(sorted(set(user_ids)))


async def refresh_loss_totals(
    tx: Transaction, guild_id: int, ceremony_id: int | None, user_ids: Iterable[int]
) -> None:
    """Recount the losses of `user_ids`, all-time and in `ceremony_id`."""
    await _recount(
        tx, guild_id, ceremony_id, user_ids, "loss_totals",
        "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) "
        "SELECT guild_id, ?1, user_id, COUNT(*), MAX(created_at) FROM losses "
        "WHERE guild_id = ?2 AND user_id IN (SELECT value FROM json_each(?3)) "
        "AND (?1 = 0 OR ceremony_id = ?1) GROUP BY guild_id, user_id",
    )


async def refresh_pick_stats(
    tx: Transaction, guild_id: int, ceremony_id: int, user_ids: Iterable[int]
) -> None:
    """Recount the resolved picks of `user_ids`, all-time and in `ceremony_id`."""
    await _recount(
        tx, guild_id, ceremony_id, user_ids, "pick_stats",
        "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) "
        "SELECT guild_id, ?1, user_id, SUM(outcome = 'right'), COUNT(*), "
        "COALESCE(MAX(CASE WHEN outcome = 'right' THEN resolved_at END), MIN(resolved_at)) FROM picks "
        "WHERE guild_id = ?2 AND user_id IN (SELECT value FROM json_each(?3)) "
        "AND (?1 = 0 OR ceremony_id = ?1) AND outcome IS NOT NULL GROUP BY guild_id, user_id",
    )


async def _recount(
    tx: Transaction, guild_id: int, ceremony_id: int | None, user_ids: Iterable[int], table: str, recount_sql: str
) -> None:
    """Delete the rows of `user_ids` in `table` for both scopes and insert them recounted.

    `recount_sql` takes ?1 scope, ?2 guild, ?3 the JSON list of members.
    """
    members = id_list(user_ids)
    if members == "[]":
        return
    for scope in scopes_of(ceremony_id):
        await tx.execute(
            f"DELETE FROM {table} WHERE guild_id = ? AND scope = ? "  # noqa: S608 - our own table names
            "AND user_id IN (SELECT value FROM json_each(?))",
            (guild_id, scope, members),
        )
        await tx.execute(recount_sql, (scope, guild_id, members))


async def members_without_losses(
    tx: Transaction, guild_id: int, scope: int, user_ids: Iterable[int]
) -> set[int]:
    """Which of `user_ids` have no loss in `scope` (read before a change to find newcomers)."""
    members = id_list(user_ids)
    rows = await tx.fetch_all(
        "SELECT value AS user_id FROM json_each(?) WHERE NOT EXISTS ("
        "SELECT 1 FROM loss_totals t WHERE t.guild_id = ? AND t.scope = ? AND t.user_id = json_each.value)",
        (members, guild_id, scope),
    )
    return {int(row["user_id"]) for row in rows}


async def sync_loser_roles(
    tx: Transaction,
    guild_id: int,
    user_ids: Iterable[int],
    *,
    role_id: int | None,
    result_id: int | None,
    reason: str,
    now: datetime,
) -> tuple[list[int], list[int]]:
    """Bring the loser role of `user_ids` in line with their all-time losses.

    A member with a loss and no grant of the current role gets it (queued);
    a member left with no loss at all loses every grant this bot made. Members
    who already hold the role from this bot are not queued again. Returns
    (granted, removed) user ids.
    """
    members = id_list(user_ids)
    stamp = to_storage(now)
    granted: list[int] = []
    if role_id is not None:
        rows = await tx.fetch_all(
            "INSERT INTO loser_role_grants (guild_id, user_id, role_id, result_id, granted_at) "
            "SELECT t.guild_id, t.user_id, ?, ?, ? FROM loss_totals t WHERE t.guild_id = ? AND t.scope = 0 "
            "AND t.user_id IN (SELECT value FROM json_each(?)) AND NOT EXISTS ("
            "SELECT 1 FROM loser_role_grants g WHERE g.guild_id = t.guild_id AND g.user_id = t.user_id "
            "AND g.role_id = ?) RETURNING user_id",
            (role_id, result_id, stamp, guild_id, members, role_id),
        )
        granted = sorted(int(row["user_id"]) for row in rows)
        await outbox.queue_role_changes(tx, guild_id, [(user_id, role_id) for user_id in granted], "add", reason, now)
    rows = await tx.fetch_all(
        "DELETE FROM loser_role_grants WHERE guild_id = ? AND user_id IN (SELECT value FROM json_each(?)) "
        "AND NOT EXISTS (SELECT 1 FROM loss_totals t WHERE t.guild_id = loser_role_grants.guild_id "
        "AND t.scope = 0 AND t.user_id = loser_role_grants.user_id) RETURNING user_id, role_id",
        (guild_id, members),
    )
    removed = sorted((int(row["user_id"]), int(row["role_id"])) for row in rows)
    await outbox.queue_role_changes(tx, guild_id, removed, "remove", reason, now)
    return granted, sorted({user_id for user_id, _role in removed})
