"""The rehearsal's clock: the bot's time runs `speed` times faster than the wall clock.

The bot takes it as its `Clock` (a callable returning an aware UTC datetime), so
everything it times by that clock (the ceremony's start and end, scheduled
leaderboard slots, the recap's money-over-the-night) sees a three-hour show
in about a minute at the default speed. The rehearsal paces its own events
with :meth:`ScaledClock.sleep_until` on the same clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import utc_now


class ScaledClock:
    """Virtual time: `start` plus the real time elapsed since creation (or since `origin`), times `speed`."""

    def __init__(
        self,
        speed: float,
        *,
        start: datetime | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        origin: float | None = None,
    ) -> None:
        if not speed > 0:
            raise ValueError("the speed must be a positive number")
        self.speed = speed
        self.start = utc_now() if start is None else start
        if self.start.tzinfo is None:
            raise ValueError("the start must be an aware datetime")
        self._monotonic = monotonic
        self._origin = monotonic() if origin is None else origin

    @property
    def origin(self) -> float:
        """The `monotonic` reading at the clock's start: with `start` and `speed`, all another process
        needs to run the same clock (``time.monotonic`` is the system's, the same in every process)."""
        return self._origin

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=self.real_elapsed() * self.speed)

    def real_elapsed(self) -> float:
        """Real seconds since the clock was created."""
        return self._monotonic() - self._origin

    def real_seconds_until(self, moment: datetime) -> float:
        """Real seconds until the virtual `moment` (0 when it has passed)."""
        return max(0.0, (moment - self()).total_seconds() / self.speed)

    async def sleep_until(self, moment: datetime) -> None:
        delay = self.real_seconds_until(moment)
        if delay > 0:
            await asyncio.sleep(delay)


def show_time(minutes: float) -> str:
    """Minutes from the show's start as a broadcast clock: ``T+1:05``, ``T-0:20``."""
    sign = "-" if minutes < 0 else "+"
    whole = int(abs(minutes))
    return f"T{sign}{whole // 60}:{whole % 60:02d}"
