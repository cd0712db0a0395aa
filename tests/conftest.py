"""Fixtures shared by every test.

``clock``: a :class:`~tests.clock.FakeClock`; ``db``: a real SQLite file in ``tmp_path``, migrations applied.

``prepared_bot``: the real :class:`~bot.lounge.LoungeBot` prepared offline (database migrated,
services built, every extension loaded, no network), closed afterwards.

``standin``: a started :class:`~standin.StandIn`, stopped afterwards; the test fails
at teardown if the bot broke a Discord rule (the stand-in's own or Discord's OpenAPI
description), unless it is marked ``@pytest.mark.allow_violations`` (or took them
with ``standin.take_violations()``). The run ends with the tally of every stand-in:
request bodies checked against the spec, and violations nobody expected (0).
``discord_points_at_standin``: discord.py's REST base and gateway URL pointed at the
stand-in for the test, restored afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.db import Database, apply_migrations
from bot.lounge import LoungeBot
from standin import StandIn
from standin.tally import TALLY
from tests.clock import FakeClock
from tests.offline import offline_settings

TOKEN = "test-token"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_violations: the test lets the bot break Discord's rules without failing"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Every stand-in of the run, added up: bodies the spec judged, violations nobody expected (0)."""
    if TALLY.standins:
        terminalreporter.section("Discord stand-in")
        for line in TALLY.lines():
            terminalreporter.write_line(line)


@pytest.fixture
async def standin(request: pytest.FixtureRequest) -> AsyncIterator[StandIn]:
    stand_in = StandIn(token=TOKEN)
    await stand_in.start()
    try:
        yield stand_in
    finally:
        await stand_in.stop()
    if request.node.get_closest_marker("allow_violations") is not None:
        stand_in.take_violations()  # this test let the bot break rules on purpose: expected ones
    if stand_in.violations:
        pytest.fail(
            "the bot broke Discord's rules:\n" + "\n".join(f"  - {v}" for v in stand_in.violations),
            pytrace=False,
        )


@pytest.fixture
def discord_points_at_standin(standin: StandIn) -> Iterator[StandIn]:
    """Set ``Route.BASE`` and ``DEFAULT_GATEWAY`` to the stand-in (the bot core does it from settings)."""
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = standin.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(standin.gateway_url)
    try:
        yield standin
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "lounge.db")
    await apply_migrations(database.connection)
    yield database
    await database.close()


@pytest.fixture
async def prepared_bot(tmp_path: Path) -> AsyncIterator[LoungeBot]:
    bot = LoungeBot(offline_settings(tmp_path))
    try:
        await bot.prepare()
        yield bot
    finally:
        await bot.close()
