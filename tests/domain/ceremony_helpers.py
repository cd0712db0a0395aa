"""A small story vocabulary for the ceremony, losers and results tests:
`lounge.host.log("Outstanding Drama Series", "Breaking Bad")`, `ann.pick(...)`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.db import Database
from bot.domain.ceremonies.files import parse_ceremony_file
from bot.domain.ceremonies.service import CeremonyService, Nominee, categories_of, nominees_of
from bot.domain.losers.service import LoserService
from bot.domain.results.service import ResultService
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.paths import TEST_DATA

DATA = TEST_DATA
HOST = 1


@dataclass
class Member:
    lounge: Lounge
    user_id: int
    name: str

    async def pick(self, category: str, nominee: str) -> None:
        await self.lounge.losers.pick(self.lounge.guild_id, user_id=self.user_id, display_name=self.name,
                                      category=category, nominee=nominee)

    async def claim(self, category: str, nominee: str) -> None:
        await self.lounge.losers.claim(self.lounge.guild_id, user_id=self.user_id, display_name=self.name,
                                       category=category, nominee=nominee)

    async def declare(self, category: str | None = None, note: str | None = None) -> None:
        await self.lounge.losers.declare(self.lounge.guild_id, user_id=self.user_id, display_name=self.name,
                                         category=category, note=note)


class Lounge:
    """One server's night, driven through the real services."""

    def __init__(self, db: Database, clock: FakeClock, guild_id: int = 100) -> None:
        self.db = db
        self.clock = clock
        self.guild_id = guild_id
        self.settings = SettingsService(db, clock)
        self.ceremonies = CeremonyService(db, clock)
        self.results = ResultService(db, clock, self.settings)
        self.losers = LoserService(db, clock, self.settings)

    def member(self, user_id: int, name: str | None = None) -> Member:
        return Member(self, user_id, name or f"Member {user_id}")

    async def prepare(self, document: dict[str, Any] | bytes, *, start: bool = True, name: str = "Emmys") -> None:
        data = document if isinstance(document, bytes) else json.dumps(document).encode()
        await self.ceremonies.create(self.guild_id, actor_id=HOST, name=name, year=2014)
        await self.ceremonies.import_nominees(self.guild_id, actor_id=HOST, parsed=parse_ceremony_file(data, "x.json"),
                                              filename="x.json")
        if start:
            await self.ceremonies.start(self.guild_id, actor_id=HOST, channel_id=555)

    async def log(self, category: str, winner: str) -> Any:
        self.clock.advance(minutes=1)
        return await self.results.log(self.guild_id, actor_id=HOST, category=category, winner=winner)

    async def tie(self, category: str, nominee: str) -> Any:
        self.clock.advance(minutes=1)
        return await self.results.tie(self.guild_id, actor_id=HOST, category=category, nominee=nominee)

    async def undo(self, category: str) -> Any:
        self.clock.advance(minutes=1)
        logged = await self.results.logged(self.guild_id, category)
        return await self.results.undo(self.guild_id, actor_id=HOST, category_id=logged.category.id,
                                       result_id=logged.result_id)

    async def nominee(self, category: str, label: str) -> Nominee:
        ceremony = await self.ceremonies.current(self.guild_id)
        assert ceremony is not None
        for found in await categories_of(self.db, ceremony.id):
            if found.name == category:
                for nominee in await nominees_of(self.db, found.id):
                    if nominee.label == label:
                        return nominee
        raise AssertionError(f"no {label} in {category}")

    async def losses_of(self, user_id: int, scope: int = 0) -> int:
        value = await self.db.fetch_value(
            "SELECT losses FROM loss_totals WHERE guild_id = ? AND scope = ? AND user_id = ?",
            (self.guild_id, scope, user_id))
        return 0 if value is None else int(value)

    async def announcements(self, kind: str | None = None) -> list[dict[str, Any]]:
        rows = await self.db.fetch_all(
            "SELECT kind, payload FROM outbox WHERE guild_id = ? ORDER BY id", (self.guild_id,))
        return [json.loads(row["payload"]) for row in rows if kind is None or row["kind"] == kind]


def tiny_ceremony() -> dict[str, Any]:
    """Three categories, with a show twice in one and a name twice in another."""
    return {"categories": [
        {"name": "Outstanding Drama Series", "nominees": [
            {"name": "Breaking Bad", "show": "Breaking Bad"}, {"name": "Mad Men", "show": "Mad Men"},
            {"name": "True Detective", "show": "True Detective"}]},
        {"name": "Outstanding Choreography", "nominees": [
            {"name": "Derek Hough", "show": "Dancing With The Stars", "episode": "Heart Cry"},
            {"name": "Derek Hough", "show": "Dancing With The Stars", "episode": "Hey Pachuco"},
            {"name": "Travis Wall", "show": "So You Think You Can Dance"}]},
        {"name": "Outstanding Informational Series Or Special", "nominees": [
            {"name": "Vice", "show": "Vice"}, {"name": "Anthony Bourdain Parts Unknown", "show": None},
            {"name": "Inside The Actors Studio", "show": None}, {"name": "Cosmos", "show": None}]},
    ]}
