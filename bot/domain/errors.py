"""Domain errors. Each carries one sentence fit to show the member, ephemerally,
and the data behind it.

The tree-wide error handler turns any :class:`LoungeError` into that sentence;
everything else is logged with an error id. Tests and the rehearsal match the
data, not the wording: ``error.reason`` names the rule that refused (a short
snake_case word, stable across rewordings) and ``error.facts`` holds what it
was about (``amount_cents``, ``limit_cents``, ``category``, ``line`` …)::

    raise InvalidInput(
        f"The largest pledge is {format_cents(limit)}.",
        reason="amount_too_large", amount_cents=cents, limit_cents=limit,
    )
"""

from __future__ import annotations

from typing import Any


class LoungeError(Exception):
    """Base of every error a member may see; ``str(error)`` is the message shown."""

    title = "That didn't work"

    def __init__(self, message: str = "", *, reason: str = "", **facts: Any) -> None:
        super().__init__(message)
        self.reason = reason
        """The rule that refused, as a stable snake_case word ("" where none was named)."""
        self.facts: dict[str, Any] = facts
        """What the refusal was about: amounts, limits, names, line numbers."""


class InvalidInput(LoungeError):
    """The member typed something we cannot accept (an amount, a name, a file)."""

    title = "Check your input"


class NotFound(LoungeError):
    """The thing named does not exist in this server."""

    title = "Not found"


class Conflict(LoungeError):
    """The action clashes with what is already recorded (taken, logged, duplicate)."""

    title = "Already done"


class WrongState(LoungeError):
    """The action needs another state (e.g. a live ceremony)."""

    title = "Not right now"


class NotAllowed(LoungeError):
    """The member may not do this (a host-only action, someone else's pledge)."""

    title = "Not allowed"


class StorageUnavailable(LoungeError):
    """The database cannot be written right now (locked, read-only, full)."""

    title = "Please try again"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "The lounge's database can't be written right now, so nothing was changed. "
            "Please try again in a moment.",
            reason="storage_unavailable",
        )
        self.detail = detail
