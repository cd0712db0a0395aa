"""Set-up for the leaderboard, schedule, recap and privacy tests: members, a
ceremony, and board totals written straight into the maintained tables (the
way the results and pledges code leaves them), plus checks on message limits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.clock import to_storage
from bot.db import Database, Row, Transaction
from bot.db.database import Params
from bot.embeds import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    embed_size,
)

GUILD, OTHER_GUILD = 111, 222
HOST = 7


async def open_ceremony(
    db: Database, guild_id: int, *, started_at: datetime, name: str = "66th Primetime Emmy Awards",
    state: str = "live",
) -> int:
    """A current ceremony, as `/ceremony start` leaves it."""

    async def unit(tx: Transaction) -> int:
        await tx.execute("UPDATE ceremonies SET is_current = 0 WHERE guild_id = ? AND is_current = 1", (guild_id,))
        return await tx.insert(
            "INSERT INTO ceremonies (guild_id, name, year, state, is_current, created_by, created_at, started_at) "
            "VALUES (?, ?, 2014, ?, 1, ?, ?, ?)",
            (guild_id, name, state, HOST, to_storage(started_at), to_storage(started_at)),
        )

    return await db.write(unit)


async def run(db: Database, sql: str, params: Params = ()) -> None:
    async def unit(tx: Transaction) -> None:
        await tx.execute(sql, params)

    await db.write(unit)


async def member(db: Database, guild_id: int, user_id: int, name: str, *, left_at: datetime | None = None) -> None:
    await run(
        db,
        "INSERT INTO members (guild_id, user_id, display_name, first_seen, left_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, "
        "left_at = excluded.left_at",
        (guild_id, user_id, name, "2014-08-25T00:00:00.000000+00:00", None if left_at is None else to_storage(left_at)),
    )


async def losses(db: Database, guild_id: int, scope: int, user_id: int, count: int, reached_at: datetime) -> None:
    await run(
        db,
        "INSERT INTO loss_totals (guild_id, scope, user_id, losses, reached_at) VALUES (?, ?, ?, ?, ?)",
        (guild_id, scope, user_id, count, to_storage(reached_at)),
    )


async def pick_record(
    db: Database, guild_id: int, scope: int, user_id: int, correct: int, resolved: int, reached_at: datetime
) -> None:
    await run(
        db,
        "INSERT INTO pick_stats (guild_id, scope, user_id, correct, resolved, reached_at) VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, scope, user_id, correct, resolved, to_storage(reached_at)),
    )


async def announcements(db: Database, guild_id: int = GUILD, kind: str | None = None) -> list[Row]:
    return await db.fetch_all(
        "SELECT id, kind, channel_id, payload FROM outbox WHERE guild_id = ? AND (? IS NULL OR kind = ?) ORDER BY id",
        (guild_id, kind, kind),
    )


def payload(row: Row) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row["payload"])
    return body


def assert_message_fits(body: dict[str, Any]) -> None:
    """Discord's limits on a message body: every embed and the message as a whole."""
    embeds = body.get("embeds") or []
    assert len(embeds) <= EMBEDS_PER_MESSAGE
    assert sum(embed_size(embed) for embed in embeds) <= EMBED_TOTAL_LIMIT
    for embed in embeds:
        assert_embed_fits(embed)


def assert_embed_fits(embed: dict[str, Any]) -> None:
    assert embed_size(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed.get("title") or "") <= TITLE_LIMIT
    assert len(embed.get("description") or "") <= DESCRIPTION_LIMIT
    assert len((embed.get("footer") or {}).get("text", "")) <= FOOTER_LIMIT
    fields = embed.get("fields") or []
    assert len(fields) <= FIELD_COUNT_LIMIT
    for field in fields:
        assert 0 < len(field["name"]) <= FIELD_NAME_LIMIT
        assert 0 < len(field["value"]) <= FIELD_VALUE_LIMIT
