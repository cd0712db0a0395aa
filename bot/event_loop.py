"""The event loop the bot (and the rehearsal) run on."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (Linux and macOS: it cuts the event loop's own share of every
    interaction, see docs/PERFORMANCE.md), asyncio's own loop elsewhere or with
    ``LOUNGE_EVENT_LOOP=asyncio``. None means asyncio's default."""
    if os.environ.get("LOUNGE_EVENT_LOOP", "").strip().lower() == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
