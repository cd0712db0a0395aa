"""Scopes of the maintained totals: ``0`` is all-time, any other scope is a ceremony id.

Every total the bot keeps (pledges, losses, picks, the boards' histogram) is kept
twice for what happened during a ceremony, once all-time and once for that
ceremony, and once (all-time) for what happened outside any ceremony. The
migrations' triggers spell the same thing as ``scope = 0 OR scope = ceremony_id``.
"""

from __future__ import annotations

ALL_TIME = 0
"""The scope of all-time totals."""


def scopes_of(ceremony_id: int | None) -> tuple[int, ...]:
    """The scopes something of `ceremony_id` (None: no ceremony) counts in."""
    return (ALL_TIME,) if ceremony_id is None else (ALL_TIME, ceremony_id)
