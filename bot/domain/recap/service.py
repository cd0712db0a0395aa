"""Posting the recap once per ceremony.

`/ceremony end` dispatches ``ceremony_ended`` after its commit and the recap cog
calls :meth:`RecapService.post`. Should the bot stop between the two (or the
event be missed), :meth:`RecapService.post_missing` finds ended ceremonies
without a recap and posts them: the recap cog runs it at start-up and every few
minutes. Either way a row in ``recaps`` (primary key guild + ceremony), inserted
with ``ON CONFLICT DO NOTHING`` in the unit that queues the announcement, makes
the recap go out once.

The picture is drawn in a worker thread (a third of a second of CPU); if
drawing fails, the recap goes out without it: the embed says everything the
picture shows.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock, to_storage
from bot.db import Database, Transaction
from bot.domain.announcer import outbox
from bot.domain.recap.data import assemble_recap
from bot.domain.recap.message import RECAP_KIND, picture_of, recap_message
from bot.domain.recap.pictures import draw_recap
from bot.domain.settings.service import SettingsService

log = logging.getLogger(__name__)

# Ceremonies that ended longer ago than this get no late recap (e.g. the first
# start after this feature shipped must not recap every old ceremony).
CATCH_UP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PostedRecap:
    guild_id: int
    ceremony_id: int
    outbox_id: int
    with_picture: bool


class RecapService:
    def __init__(self, db: Database, clock: Clock, settings: SettingsService) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings

    async def post(self, guild_id: int, ceremony_id: int) -> PostedRecap | None:
        """Queue the recap of an ended ceremony; None when it was already queued (or isn't ended)."""
        if await self._already_posted(guild_id, ceremony_id):
            return None
        state = await self._db.fetch_value(
            "SELECT state FROM ceremonies WHERE id = ? AND guild_id = ?", (ceremony_id, guild_id)
        )
        if state != "ended":
            return None
        settings = await self._settings.get(guild_id)
        data = await assemble_recap(self._db, settings, ceremony_id)
        if data is None:
            return None
        png: bytes | None
        try:
            png = await asyncio.to_thread(draw_recap, picture_of(data))
        except Exception:
            log.exception("drawing the recap of ceremony %s failed; posting it without the picture", ceremony_id)
            png = None
        body = recap_message(data, png)

        async def queue(tx: Transaction) -> PostedRecap | None:
            return await claim_recap(tx, guild_id, ceremony_id, body, self._clock(), with_picture=png is not None)

        return await self._db.write(queue)

    async def missing(self) -> list[tuple[int, int]]:
        """(guild, ceremony) of recently ended ceremonies that have no recap yet."""
        since = to_storage(self._clock() - CATCH_UP_WINDOW)
        rows = await self._db.fetch_all(
            "SELECT c.guild_id, c.id FROM ceremonies c WHERE c.state = 'ended' AND c.ended_at >= ? "
            "AND NOT EXISTS (SELECT 1 FROM recaps r WHERE r.guild_id = c.guild_id AND r.ceremony_id = c.id) "
            "ORDER BY c.ended_at",
            (since,),
        )
        return [(row["guild_id"], row["id"]) for row in rows]

    async def post_missing(self) -> list[PostedRecap]:
        posted: list[PostedRecap] = []
        for guild_id, ceremony_id in await self.missing():
            recap = await self.post(guild_id, ceremony_id)
            if recap is not None:
                posted.append(recap)
        return posted

    async def _already_posted(self, guild_id: int, ceremony_id: int) -> bool:
        value = await self._db.fetch_value(
            "SELECT 1 FROM recaps WHERE guild_id = ? AND ceremony_id = ?", (guild_id, ceremony_id)
        )
        return value is not None


async def claim_recap(
    tx: Transaction, guild_id: int, ceremony_id: int, body: dict[str, Any], now: datetime, *, with_picture: bool
) -> PostedRecap | None:
    """Claim the ceremony's recap and queue `body`; None (nothing queued) when it was claimed before."""
    claimed = await tx.execute(
        "INSERT INTO recaps (guild_id, ceremony_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (guild_id, ceremony_id, to_storage(now)),
    )
    if claimed != 1:
        return None
    outbox_id = await outbox.announce(tx, guild_id, RECAP_KIND, body, now)
    await tx.execute(
        "UPDATE recaps SET outbox_id = ? WHERE guild_id = ? AND ceremony_id = ?", (outbox_id, guild_id, ceremony_id)
    )
    return PostedRecap(guild_id, ceremony_id, outbox_id, with_picture)
