"""The one clock. Services take a `Clock` so tests drive time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_storage(moment: datetime) -> str:
    """UTC ISO-8601 text as stored in SQLite (sorts as time sorts)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_storage(text: str) -> datetime:
    """Inverse of :func:`to_storage`."""
    return datetime.fromisoformat(text).astimezone(UTC)


def discord_relative(moment: datetime) -> str:
    """A Discord timestamp tag that each reader sees in their own zone, e.g. "3 minutes ago"."""
    return f"<t:{int(moment.timestamp())}:R>"


def discord_full(moment: datetime) -> str:
    """A Discord timestamp tag with date and time."""
    return f"<t:{int(moment.timestamp())}:f>"
