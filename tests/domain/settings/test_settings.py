"""Hosts change settings; each server sees only its own."""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.domain.audit import log as audit
from bot.domain.errors import InvalidInput
from bot.domain.settings.service import DEFAULT_CHARITY, SettingsService
from tests.clock import FakeClock
from tests.refusals import refused

GUILD, OTHER_GUILD, HOST = 111, 222, 7


async def test_a_new_server_gets_the_real_lounge_defaults(db: Database, clock: FakeClock) -> None:
    settings = await SettingsService(db, clock).get(GUILD)
    assert settings.charity_name == DEFAULT_CHARITY == "World Wide Orphans"
    assert settings.goal_cents == 30_000_00
    assert settings.winner_tax_cents == 1_000_00
    assert settings.announcement_channel_id is None


async def test_settings_round_trip_and_stay_in_their_server(db: Database, clock: FakeClock) -> None:
    service = SettingsService(db, clock)
    await service.update(GUILD, {"announcement_channel_id": 42, "goal_cents": 500_00, "spoiler_safe": True},
                         actor_id=HOST)
    saved = await service.get(GUILD)
    assert (saved.announcement_channel_id, saved.goal_cents, saved.spoiler_safe) == (42, 500_00, True)
    assert (await service.get(OTHER_GUILD)).goal_cents == 30_000_00
    await service.update(GUILD, {"announcement_channel_id": None}, actor_id=HOST)
    assert (await service.get(GUILD)).announcement_channel_id is None
    assert (await service.get(GUILD)).goal_cents == 500_00
    entries = await audit.recent(db, GUILD, 10)
    assert [entry.action for entry in entries] == ["settings.set", "settings.set"]
    assert await audit.recent(db, OTHER_GUILD, 10) == []


@pytest.mark.parametrize(
    ("changes", "reason", "facts"),
    [
        ({}, "nothing_to_change", {}),
        ({"goal_cents": 0}, "not_positive", {"setting": "goal_cents", "value": 0}),
        ({"winner_tax_cents": -1}, "negative_amount", {"setting": "winner_tax_cents", "value": -1}),
        ({"leaderboard_interval_minutes": 2000}, "interval_out_of_range", {"value": 2000, "limit": 1440}),
        ({"charity_name": ""}, "charity_name_length", {"length": 0, "limit": 100}),
        ({"charity_name": "x" * 101}, "charity_name_length", {"length": 101, "limit": 100}),
        ({"goal_cents": None}, "not_clearable", {"setting": "goal_cents"}),
        ({"no_such_setting": 1}, "unknown_setting", {"names": ("no_such_setting",)}),
        ({"max_pledge_cents": 100, "big_pledge_cents": 200}, "big_pledge_above_maximum",
         {"big_pledge_cents": 200, "max_pledge_cents": 100}),
    ],
)
async def test_bad_changes_are_refused_and_change_nothing(
    db: Database, clock: FakeClock, changes: dict[str, object], reason: str, facts: dict[str, object]
) -> None:
    service = SettingsService(db, clock)
    await service.update(GUILD, {"goal_cents": 1234}, actor_id=HOST)
    with refused(InvalidInput, reason, **facts):
        await service.update(GUILD, changes, actor_id=HOST)
    assert (await service.get(GUILD)).goal_cents == 1234
    assert len(await audit.recent(db, GUILD, 10)) == 1
