"""Ranks and pages of a leaderboard. Pure: no database, no discord.

A board is ordered by its score (best first), then by who got there first
(``reached_at``), then by user id so the order is total. Ranks are shared by
equal scores, competition style: 1, 2, 2, 4 — a rank is one more than the
number of members with a strictly better score. Among equal scores, who got
there first decides who is listed first, not who ranks higher.

Pages are walked with a cursor (the sort key of the last row shown), not with
an OFFSET: a page deep in a board of 100,000 members then costs what the first
page costs. :class:`Pager` keeps the cursor of every page opened so far, so
Previous goes back to exactly where that page started.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
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


@dataclass
class Pager(Generic[C]):
    """Where a viewer is in a board and where they may go.

    ``starts[i]`` is the cursor page ``i`` starts after (``None`` for the first
    page). After a page is fetched, :meth:`loaded` says whether there is more.
    Moving past either end is refused (the buttons are disabled there too).
    """

    starts: list[C | None] = field(default_factory=lambda: [None])
    index: int = 0
    has_next: bool = False

    @property
    def page_number(self) -> int:
        """1-based, for display."""
        return self.index + 1

    @property
    def cursor(self) -> C | None:
        """Where the current page starts (after this cursor)."""
        return self.starts[self.index]

    @property
    def can_previous(self) -> bool:
        return self.index > 0

    @property
    def can_next(self) -> bool:
        return self.has_next

    def loaded(self, next_cursor: C | None) -> None:
        """Record the current page's fetch: `next_cursor` is its last row's key when more rows follow."""
        del self.starts[self.index + 1 :]
        self.has_next = next_cursor is not None
        if next_cursor is not None:
            self.starts.append(next_cursor)

    def forward(self) -> bool:
        """Move to the next page; False (and no move) at the last page."""
        if not self.can_next:
            return False
        self.index += 1
        self.has_next = False  # unknown until the page is loaded
        return True

    def back(self) -> bool:
        """Move to the previous page; False (and no move) at the first page."""
        if not self.can_previous:
            return False
        self.index -= 1
        self.has_next = True  # the page after it is the one we just left
        return True

    def restart(self) -> None:
        """Back to the first page (e.g. when the page we moved to turned out empty)."""
        self.index = 0
        del self.starts[1:]
        self.has_next = False
