"""Shared set-up for the pledge tests: servers, ceremonies and reading the outbox."""

from __future__ import annotations

import itertools
import json
from typing import Any

from bot.clock import to_storage
from bot.db import Database, Transaction
from bot.domain.pledges import PledgeReceipt, PledgeService
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock

GUILD, OTHER_GUILD = 111, 222
HOST, ALICE, BOB = 7, 1001, 1002


async def open_ceremony(db: Database, clock: FakeClock, guild_id: int = GUILD, name: str = "Emmys 2014") -> int:
    """A current ceremony, written the way the ceremonies module writes one."""

    async def unit(tx: Transaction) -> int:
        await tx.execute("UPDATE ceremonies SET is_current = 0 WHERE guild_id = ? AND is_current = 1", (guild_id,))
        return await tx.insert(
            "INSERT INTO ceremonies (guild_id, name, year, state, is_current, created_by, created_at) "
            "VALUES (?, ?, 2014, 'live', 1, ?, ?)",
            (guild_id, name, HOST, to_storage(clock())),
        )

    return await db.write(unit)


async def announcements(db: Database, guild_id: int = GUILD, kind: str | None = None) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT kind, payload FROM outbox WHERE guild_id = ? AND (? IS NULL OR kind = ?) ORDER BY id",
        (guild_id, kind, kind),
    )
    return [{"kind": row["kind"], **json.loads(row["payload"])} for row in rows]


def text_of(body: dict[str, Any]) -> str:
    """Everything a member would read in an announcement body."""
    parts = [body.get("content") or ""]
    for embed in body["embeds"]:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{field['name']} {field['value']}" for field in embed.get("fields", [])]
    return "\n".join(parts)


class Members:
    """Members pledging as they would through /pledge add, each click a new interaction id."""

    def __init__(self, service: PledgeService, guild_id: int = GUILD) -> None:
        self.service = service
        self.guild_id = guild_id
        self._interactions = itertools.count(900_000_000_000_000_000 + guild_id * 1_000_000)

    async def pledge(
        self, user_id: int, amount: str, *, name: str | None = None, note: str | None = None,
        anonymous: bool = False, interaction_id: int | None = None,
    ) -> PledgeReceipt:
        return await self.service.add_pledge(
            guild_id=self.guild_id,
            user_id=user_id,
            display_name=name or f"member {user_id}",
            amount=amount,
            note=note,
            anonymous=anonymous,
            interaction_id=next(self._interactions) if interaction_id is None else interaction_id,
        )


def pledge_service(db: Database, clock: FakeClock) -> PledgeService:
    """The pledge service as the bot builds it (with its own settings service)."""
    return PledgeService(db, clock, SettingsService(db, clock))
