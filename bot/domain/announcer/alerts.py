"""Problems hosts must hear about once: a missing permission, a deleted channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_storage, to_storage
from bot.db import Database, Transaction


@dataclass(frozen=True, slots=True)
class Alert:
    key: str
    message: str
    created_at: datetime


class AlertStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def raise_alert(self, guild_id: int, key: str, message: str, now: datetime) -> bool:
        """Record the alert; True only the first time (so hosts are told once)."""

        async def insert(tx: Transaction) -> bool:
            changed = await tx.execute(
                "INSERT INTO guild_alerts (guild_id, key, message, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, key) DO NOTHING",
                (guild_id, key, message, to_storage(now)),
            )
            return changed > 0

        return await self._db.write(insert)

    async def clear(self, guild_id: int, key: str) -> None:
        async def delete(tx: Transaction) -> None:
            await tx.execute("DELETE FROM guild_alerts WHERE guild_id = ? AND key = ?", (guild_id, key))

        await self._db.write(delete)

    async def clear_all(self, guild_id: int) -> None:
        async def delete(tx: Transaction) -> None:
            await tx.execute("DELETE FROM guild_alerts WHERE guild_id = ?", (guild_id,))

        await self._db.write(delete)

    async def active(self, guild_id: int) -> list[Alert]:
        rows = await self._db.fetch_all(
            "SELECT key, message, created_at FROM guild_alerts WHERE guild_id = ? ORDER BY created_at", (guild_id,)
        )
        return [Alert(row["key"], row["message"], from_storage(row["created_at"])) for row in rows]

    async def keys(self, guild_id: int) -> set[str]:
        rows = await self._db.fetch_all("SELECT key FROM guild_alerts WHERE guild_id = ?", (guild_id,))
        return {row["key"] for row in rows}
