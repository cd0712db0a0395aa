"""Domain errors. Each carries one sentence fit to show the member, ephemerally.

The tree-wide error handler turns any :class:`LoungeError` into that sentence;
everything else is logged with an error id.
"""

from __future__ import annotations


class LoungeError(Exception):
    """Base of every error a member may see; ``str(error)`` is the message shown."""

    title = "That didn't work"


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
            "Please try again in a moment."
        )
        self.detail = detail
