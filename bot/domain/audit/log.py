"""The audit log of host actions: who did what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_storage, to_storage
from bot.db import Database, Transaction
from bot.text import cut

MAX_DETAIL = 500
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_id: int
    action: str
    detail: str
    created_at: datetime


async def record(
    tx: Transaction, guild_id: int, actor_id: int, action: str, detail: str, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        (guild_id, actor_id, action, cut(detail, MAX_DETAIL), to_storage(now)),
    )


async def recent(db: Database, guild_id: int, limit: int) -> list[AuditEntry]:
    rows = await db.fetch_all(
        "SELECT id, actor_id, action, detail, created_at FROM audit_log "
        "WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
        (guild_id, max(1, min(limit, MAX_LIMIT))),
    )
    return [
        AuditEntry(row["id"], row["actor_id"], row["action"], row["detail"], from_storage(row["created_at"]))
        for row in rows
    ]
