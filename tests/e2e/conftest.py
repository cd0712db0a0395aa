from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from standin import StandIn
from tests.e2e.harness import Lounge, open_lounge


@pytest.fixture
async def lounge(standin: StandIn, tmp_path: Path) -> AsyncIterator[Lounge]:
    """A server with #announcements, #leaderboards, a Loser role, a host, and the bot running."""
    the_lounge = await open_lounge(standin, tmp_path)
    try:
        yield the_lounge
    finally:
        await the_lounge.stop_bot()
