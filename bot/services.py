"""The services the bot hands to its cogs: built once, injected, never reached for."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.db import Database
from bot.domain.alerts import AlertStore
from bot.domain.ceremonies import CeremonyService
from bot.domain.leaderboards import LeaderboardService
from bot.domain.losers import LoserService
from bot.domain.outbox import OutboxStore
from bot.domain.pledges import PledgeService
from bot.domain.privacy import PrivacyService
from bot.domain.results import ResultService
from bot.domain.schedule import LeaderboardSchedule
from bot.domain.settings import SettingsService
from bot.recap.service import RecapService


@dataclass(frozen=True, slots=True)
class Services:
    db: Database
    clock: Clock
    settings: SettingsService
    outbox: OutboxStore
    pledges: PledgeService
    alerts: AlertStore
    ceremonies: CeremonyService
    results: ResultService
    losers: LoserService
    leaderboards: LeaderboardService
    schedule: LeaderboardSchedule
    recaps: RecapService
    privacy: PrivacyService


def build_services(db: Database, clock: Clock) -> Services:
    return Services(
        db=db,
        clock=clock,
        settings=SettingsService(db, clock),
        outbox=OutboxStore(db),
        pledges=PledgeService(db, clock),
        alerts=AlertStore(db),
        ceremonies=CeremonyService(db, clock),
        results=ResultService(db, clock, SettingsService(db, clock)),
        losers=LoserService(db, clock, SettingsService(db, clock)),
        leaderboards=LeaderboardService(db, clock, SettingsService(db, clock)),
        schedule=LeaderboardSchedule(db, clock),
        recaps=RecapService(db, clock, SettingsService(db, clock)),
        privacy=PrivacyService(db, clock),
    )
