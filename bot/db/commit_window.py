"""Group commit under load: while writes keep coming, commit at most once per window.

Every commit costs the same fixed work whatever it holds: ``BEGIN IMMEDIATE``, the
``COMMIT`` that appends the batch's pages to the log and fsyncs it, the hand-off to the
writer's thread and back. Measured on the 2014 Emmys (bench/floor.py, docs/PERFORMANCE.md)
that is most of what a pledge or a pick costs the writer, so when members write at a steady
pace, a few milliseconds apart, one commit for several of them is much cheaper than one
each. Group commit alone only gathers what arrives *during* a commit (well under a
millisecond), which at a hundred or so writes a second is nearly never anything.

:class:`CommitWindow` is the rule, in one place, for the database's writer and for the
pledge batcher (which gathers pledges before they reach the writer):

* a write that comes after a quiet moment (no commit began in the last ``seconds``) is
  committed at once: a lone write waits for nothing;
* a write that comes while commits are frequent waits until ``seconds`` after the last
  commit began, and goes in one commit with everything that arrived meanwhile;
* a wait that gathered nothing (one writer awaiting its writes one after another, where
  waiting can only delay it) turns waiting off for the next :data:`BACKOFF` commits.

So a write waits at most ``seconds`` (well inside Discord's 3-second deadline), the
acknowledgement still follows its commit, and nothing changes in what is written: only
how many writes share a commit.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

COMMIT_WINDOW_SECONDS = 0.05
"""At most one commit per 50 ms while writes keep coming: at 150 writes a second, about seven
to a commit; a write waits 50 ms at most. Measured against 20 ms (``bench.floor``, 150/s, see
docs/PERFORMANCE.md): the writer's thread per pledge 0.50 → 0.23 ms, a pledge's answer p50
14 → 36 ms (p99 28 → 59 ms), still far inside Discord's 3 s and under what a member can see."""
BACKOFF = 8
"""Commits made at once, without waiting, after a wait that gathered nothing."""


class CommitWindow:
    """When a write should wait for others to share its commit; see the module doc."""

    def __init__(self, seconds: float = COMMIT_WINDOW_SECONDS) -> None:
        if seconds < 0:
            raise ValueError("a commit window cannot be negative")
        self.seconds = seconds
        self._last_began = -math.inf
        self._commits_without_waiting = 0
        self.waits = 0
        """Waits made (for tests and benchmarks)."""
        self.fruitless_waits = 0
        """Waits after which nothing more was waiting to be written."""

    def began(self) -> None:
        """A commit begins now."""
        self._last_began = asyncio.get_running_loop().time()

    async def gather(self, more_waiting: Callable[[], bool]) -> None:
        """Wait, when commits are frequent, until the window since the last commit has passed;
        `more_waiting()` then says whether anything besides the caller's write is waiting."""
        if self._commits_without_waiting > 0:
            self._commits_without_waiting -= 1
            return
        delay = self._last_began + self.seconds - asyncio.get_running_loop().time()
        if delay <= 0:
            return
        self.waits += 1
        await asyncio.sleep(delay)
        if not more_waiting():
            self.fruitless_waits += 1
            self._commits_without_waiting = BACKOFF
