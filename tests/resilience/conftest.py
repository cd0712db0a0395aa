"""Fixtures for the resilience stories: the lounge with the bot in this process, or the
bot as a real `python -m bot` process that a test may kill."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from standin import Guild, StandIn
from tests.e2e.harness import Lounge, open_lounge
from tests.resilience.helpers import BotProcess


@pytest.fixture
async def lounge(standin: StandIn, tmp_path: Path) -> AsyncIterator[Lounge]:
    """A server with #announcements, #leaderboards, a Loser role, a host, and the bot running here."""
    the_lounge = await open_lounge(standin, tmp_path)
    try:
        await standin.wait_for_commands_synced(the_lounge.guild)
        await the_lounge.setup_lounge()
        yield the_lounge
    finally:
        await the_lounge.stop_bot()


@pytest.fixture
async def bot_process(standin: StandIn, tmp_path: Path) -> AsyncIterator[Callable[[Guild], BotProcess]]:
    """Make the bot process for a guild (one per test); it is stopped at the end whatever happened."""
    made: list[BotProcess] = []

    def make(guild: Guild) -> BotProcess:
        process = BotProcess(standin, guild, tmp_path / "lounge.db", tmp_path / "bot.log")
        made.append(process)
        return process

    try:
        yield make
    finally:
        for process in made:
            await process.stop()
