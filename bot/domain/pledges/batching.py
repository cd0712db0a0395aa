"""Group commit for `/pledge add`: every pledge waiting for the writer goes in one unit of work.

The database's writer already commits many units in one transaction, but each
unit still costs its own statements and a round trip to SQLite's thread for each
of them. A burst of pledges is cheaper as one unit: :class:`PledgeBatcher` queues
each validated pledge with a future, and one flush task at a time takes
everything waiting (in units of at most ``MAX_BATCH``) into
:func:`~bot.domain.pledges.recording.record_pledges`, a constant number of
statements per unit. Each caller is woken after the commit, with its own receipt
or its own refusal.

* One bad pledge never fails the others: refusals (above the maximum, a clash)
  come back per pledge; should a whole unit fail for any other reason than the
  database (a bug, a constraint nobody expected), its pledges are written again
  one unit each, so only the pledge at fault fails.
* The database being unwritable (locked, read-only) fails the unit's pledges
  with :class:`StorageUnavailable`: nothing of them was written.
* A caller that stops waiting (cancelled) does not take its pledge back: like a
  unit given to ``Database.write``, it is written all the same, and a redelivered
  interaction finds it.
* While commits are frequent (members pledging a few milliseconds apart), the flush
  waits out the database's commit window first (:mod:`bot.db.commit_window`), so the
  pledges of those milliseconds share one unit and one commit.
* The flush task exists only while pledges wait, so nothing runs when idle and
  nothing is left to cancel at shutdown; pledges arriving while it writes go in
  its next unit.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence

from bot.clock import Clock
from bot.db import Database, Transaction
from bot.domain.errors import LoungeError, StorageUnavailable
from bot.domain.pledges.model import PledgeReceipt
from bot.domain.pledges.recording import NewPledge, record_pledges

log = logging.getLogger(__name__)

MAX_BATCH = 500
"""Pledges per unit of work; more waiting are written as several units (in the same commit)."""

_Waiting = tuple[NewPledge, "asyncio.Future[PledgeReceipt]"]


class PledgeBatcher:
    """Writes queued pledges together; see the module doc."""

    def __init__(self, db: Database, clock: Clock, *, max_batch: int = MAX_BATCH) -> None:
        if max_batch < 1:
            raise ValueError("a batch holds at least one pledge")
        self._db = db
        self._clock = clock
        self._max_batch = max_batch
        self._waiting: deque[_Waiting] = deque()
        self._flusher: asyncio.Task[None] | None = None
        self.units_written = 0
        """Units of work that committed (for tests and benchmarks)."""

    async def record(self, new: NewPledge) -> PledgeReceipt:
        """Write `new` with whatever else is waiting; return its receipt once committed, or raise its refusal."""
        done: asyncio.Future[PledgeReceipt] = asyncio.get_running_loop().create_future()
        self._waiting.append((new, done))
        self._db.window.arrived()
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="pledge-batcher")
        return await done

    async def _flush(self) -> None:
        """Until nothing waits: take everything waiting, write it, wake its callers."""
        try:
            while self._waiting:
                # While commits are frequent, let the pledges of the next few milliseconds join
                # this unit (the writer's own window then finds its moment already come).
                await self._db.window.gather(lambda: len(self._waiting))
                taken = list(self._waiting)
                self._waiting.clear()
                units = [taken[first : first + self._max_batch] for first in range(0, len(taken), self._max_batch)]
                if len(units) == 1:
                    await self._write(units[0])
                else:  # queued together, so the writer commits them together
                    await asyncio.gather(*(self._write(unit) for unit in units))
        except BaseException:
            # Cancelled (the loop is closing): nobody is left to wake those still waiting.
            _cancel(self._waiting)
            self._waiting.clear()
            raise
        finally:
            self._flusher = None

    async def _write(self, batch: Sequence[_Waiting]) -> None:
        pledges = [new for new, _ in batch]

        async def unit(tx: Transaction) -> list[PledgeReceipt | LoungeError]:
            return await record_pledges(tx, pledges, self._clock())

        try:
            outcomes: Sequence[PledgeReceipt | BaseException] = await self._db.write(unit)
        except StorageUnavailable as error:
            outcomes = [error] * len(batch)
        except Exception as error:
            if len(batch) == 1:
                outcomes = [error]
            else:
                log.exception("a unit of %d pledges failed; writing them one by one", len(batch))
                await asyncio.gather(*(self._write([waiting]) for waiting in batch))
                return
        except BaseException:
            _cancel(batch)
            raise
        else:
            self.units_written += 1
        for (_, done), outcome in zip(batch, outcomes, strict=True):
            if done.done():
                continue  # its caller stopped waiting
            if isinstance(outcome, BaseException):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)


def _cancel(waiting: Sequence[_Waiting] | deque[_Waiting]) -> None:
    for _, done in waiting:
        if not done.done():
            done.cancel()
