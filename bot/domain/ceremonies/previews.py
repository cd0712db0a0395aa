"""Pasted lists waiting for the host's Confirm (table ``paste_previews``).

The reply to `/ceremony paste` shows what the parser understood; its Confirm
button carries only the preview's id. The parsed list itself stays here, so the
import is exactly the preview (nothing a client sends can change it) and still
works after a restart. A preview is taken once: confirming or cancelling deletes
it; one older than :data:`PREVIEW_LIFETIME` is refused and swept away by the
next paste.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import from_storage, to_storage
from bot.db import Transaction
from bot.domain.ceremonies.files import ParsedCategory, ParsedCeremony, ParsedNominee
from bot.domain.errors import NotFound, WrongState

PREVIEW_LIFETIME = timedelta(hours=1)
GONE = "That preview is gone (confirmed, cancelled or expired): nothing was changed. Paste the list again."


@dataclass(frozen=True, slots=True)
class Preview:
    id: int
    ceremony_id: int
    parsed: ParsedCeremony
    created_at: datetime


def to_json(parsed: ParsedCeremony) -> str:
    return json.dumps(
        [
            [category.name, category.telecast, [[n.name, n.show, n.episode, n.label] for n in category.nominees]]
            for category in parsed.categories
        ],
        ensure_ascii=False, separators=(",", ":"),
    )


def from_json(text: str) -> ParsedCeremony:
    raw: list[Any] = json.loads(text)
    return ParsedCeremony(tuple(
        ParsedCategory(name, tuple(ParsedNominee(*nominee) for nominee in nominees), telecast)
        for name, telecast, nominees in raw
    ))


async def save(tx: Transaction, guild_id: int, ceremony_id: int, parsed: ParsedCeremony, now: datetime) -> Preview:
    await tx.execute("DELETE FROM paste_previews WHERE created_at < ?", (to_storage(now - PREVIEW_LIFETIME),))
    preview_id = await tx.insert(
        "INSERT INTO paste_previews (guild_id, ceremony_id, parsed, created_at) VALUES (?, ?, ?, ?)",
        (guild_id, ceremony_id, to_json(parsed), to_storage(now)),
    )
    return Preview(preview_id, ceremony_id, parsed, now)


async def take(tx: Transaction, guild_id: int, preview_id: int, now: datetime) -> Preview:
    """The preview, deleted in the caller's unit (so a second Confirm finds nothing)."""
    row = await tx.fetch_one(
        "DELETE FROM paste_previews WHERE id = ? AND guild_id = ? RETURNING ceremony_id, parsed, created_at",
        (preview_id, guild_id),
    )
    if row is None:
        raise NotFound(GONE, reason="preview_gone", preview_id=preview_id)
    created_at = from_storage(row["created_at"])
    if now - created_at > PREVIEW_LIFETIME:
        minutes = int(PREVIEW_LIFETIME.total_seconds() // 60)
        raise WrongState(
            f"That preview is more than {minutes} minutes old: nothing was changed. Paste the list again.",
            reason="preview_expired", preview_id=preview_id, lifetime_minutes=minutes,
        )
    return Preview(preview_id, row["ceremony_id"], from_json(row["parsed"]), created_at)


async def discard(tx: Transaction, guild_id: int, preview_id: int) -> None:
    await tx.execute("DELETE FROM paste_previews WHERE id = ? AND guild_id = ?", (preview_id, guild_id))
