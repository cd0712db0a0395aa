"""Ranks and pages of a leaderboard. Pure: no database, no discord.

A board is ordered by its score (best first), then by who got there first
(``reached_at``), then by user id so the order is total. Ranks are shared by
equal scores, competition style: 1, 2, 2, 4 — a rank is one more than the
number of members with a strictly better score. Among equal scores, who got
there first decides who is listed first, not who ranks higher.

Pages are walked with a cursor (the sort key of the first or last row shown),
not with an OFFSET: a page deep in a board of 100,000 members then costs what
the first page costs. Nothing is kept between clicks: a :class:`PageRequest`
(what a Previous/Next button carries) says "the page after this row" (Next) or
"the page before this row" (Previous), so Previous goes back to exactly where
the page started.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

PAGE_SIZE = 10

C = TypeVar("C")


def competition_ranks(scores: Sequence[Hashable]) -> list[int]:
    """Ranks of a whole board given best first: ``[9, 7, 7, 5]`` → ``[1, 2, 2, 4]``.

    The definition the boards follow. The first page is ranked with it; later
    pages compute the same from counts (:func:`rank_of`) without reading the
    rows above them.
    """
    ranks: list[int] = []
    for index, score in enumerate(scores):
        ranks.append(ranks[-1] if index and score == scores[index - 1] else index + 1)
    return ranks


def rank_of(better: int) -> int:
    """A rank from the number of members with a strictly better score (ties share it)."""
    if better < 0:
        raise ValueError("a count of members can't be negative")
    return better + 1


def ordinal(rank: int) -> str:
    """``1`` → ``1st``, ``2`` → ``2nd``, ``11`` → ``11th``, ``22`` → ``22nd``."""
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank:,}{suffix}"


class Direction(StrEnum):
    AFTER = "after"
    """Next: the rows after the edge (the last row shown)."""
    BEFORE = "before"
    """Previous: the rows before the edge (the first row shown)."""


@dataclass(frozen=True, slots=True)
class Edge(Generic[C]):
    """The first or last row of a page as it was shown: its place in the board's order, and its rank."""

    cursor: C
    rank: int


@dataclass(frozen=True, slots=True)
class PageRequest(Generic[C]):
    """Which page to show, with nothing kept between clicks: the first page, or the page
    `number` found in `direction` from an `edge` of the page shown before.

    Walking from an edge (a keyset) rather than an offset keeps every page as cheap as
    the first, and shows what is there *now*: rows that moved meanwhile are where they
    are now, and the edge's rank tells whether anything moved above it.
    """

    number: int = 1
    edge: Edge[C] | None = None
    direction: Direction = Direction.AFTER

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError("pages are numbered from 1")
