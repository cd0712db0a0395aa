"""The services are built once: every service that reads settings shares the one `SettingsService`."""

from __future__ import annotations

from bot.db import Database
from bot.services import build_services
from tests.clock import FakeClock


async def test_every_service_reads_settings_through_the_one_settings_service(db: Database, clock: FakeClock) -> None:
    services = build_services(db, clock)
    readers = (services.pledges, services.results, services.losers, services.leaderboards, services.recaps)
    assert all(reader._settings is services.settings for reader in readers)
