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
  commit began, and goes in one commit with everything that arrived meanwhile — or less, as
  soon as :data:`ENOUGH` writes wait together (a burst fills a commit at once: waiting longer
  would only delay it, and members doing one thing after another would each wait out the
  window);
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

COMMIT_WINDOW_SECONDS = 0.04
"""At most one commit per 40 ms while writes keep coming (and sooner once :data:`ENOUGH` wait):
at 150 writes a second, about six to a commit; a write waits 40 ms at most. Measured
(``bench.floor``, 150/s; docs/PERFORMANCE.md, fifth round): the writer's thread per pledge
0.50 ms at 20 ms, 0.23 ms at 50 ms; a pledge's answer p50 14 ms at 20 ms, 27–28 ms at 40 ms,
36 ms at 50 ms. 50 ms put ``make rehearse`` (members picking one category after another, each
waiting its answer) 7.5 min behind its schedule, 2.6 min with ENOUGH; 40 ms with it, 1.0 min."""
BACKOFF = 8
"""Commits made at once, without waiting, after a wait that gathered nothing."""
ENOUGH = 8
"""Writes waiting together that end a wait at once (:meth:`CommitWindow.arrived`)."""


class CommitWindow:
    """When a write should wait for others to share its commit; see the module doc."""

    def __init__(self, seconds: float = COMMIT_WINDOW_SECONDS, *, enough: int = ENOUGH) -> None:
        if seconds < 0:
            raise ValueError("a commit window cannot be negative")
        if enough < 2:
            raise ValueError("a wait ends with at least two writes waiting")
        self.seconds = seconds
        self.enough = enough
        self._watching: list[tuple[Callable[[], int], asyncio.Future[None]]] = []
        self._last_began = -math.inf
        self._commits_without_waiting = 0
        self.waits = 0
        """Waits made (for tests and benchmarks)."""
        self.fruitless_waits = 0
        """Waits after which nothing more was waiting to be written."""

    def began(self) -> None:
        """A commit begins now."""
        self._last_began = asyncio.get_running_loop().time()

    def arrived(self) -> None:
        """A write was queued: end the waits that now have :attr:`enough` writes together."""
        for waiting, woken in self._watching:
            if not woken.done() and waiting() >= self.enough:
                woken.set_result(None)

    async def gather(self, waiting: Callable[[], int]) -> None:
        """Wait, when commits are frequent, until the window since the last commit has passed or
        :attr:`enough` writes wait; `waiting()` counts the writes waiting, the caller's own among
        them (whoever queues one calls :meth:`arrived`)."""
        if self._commits_without_waiting > 0:
            self._commits_without_waiting -= 1
            return
        loop = asyncio.get_running_loop()
        delay = self._last_began + self.seconds - loop.time()
        if delay <= 0 or waiting() >= self.enough:
            return
        self.waits += 1
        woken: asyncio.Future[None] = loop.create_future()
        timer = loop.call_later(delay, lambda: None if woken.done() else woken.set_result(None))
        watch = (waiting, woken)
        self._watching.append(watch)
        try:
            await woken
        finally:
            timer.cancel()
            self._watching.remove(watch)
        if waiting() <= 1:
            self.fruitless_waits += 1
            self._commits_without_waiting = BACKOFF
