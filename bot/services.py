"""The services the bot hands to its cogs: built once, injected, never reached for."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.db import Database
from bot.domain.announcer.alerts import AlertStore
from bot.domain.announcer.outbox import OutboxStore
from bot.domain.ballot.service import BallotService
from bot.domain.ceremonies.editing import CeremonyEditor
from bot.domain.ceremonies.service import CeremonyService
from bot.domain.leaderboards.schedule import LeaderboardSchedule
from bot.domain.leaderboards.service import LeaderboardService
from bot.domain.losers.service import LoserService
from bot.domain.pledges import PledgeService
from bot.domain.privacy.service import PrivacyService
from bot.domain.recap.service import RecapService
from bot.domain.results.console import ConsoleService
from bot.domain.results.service import ResultService
from bot.domain.settings.service import SettingsService


@dataclass(frozen=True, slots=True)
class Services:
    db: Database
    clock: Clock
    settings: SettingsService
    outbox: OutboxStore
    pledges: PledgeService
    alerts: AlertStore
    ceremonies: CeremonyService
    ceremony_edits: CeremonyEditor
    results: ResultService
    losers: LoserService
    leaderboards: LeaderboardService
    schedule: LeaderboardSchedule
    recaps: RecapService
    privacy: PrivacyService
    ballots: BallotService
    console: ConsoleService


def build_services(db: Database, clock: Clock) -> Services:
    """Every service once; those that read settings share the one `SettingsService`."""
    settings = SettingsService(db, clock)
    losers = LoserService(db, clock, settings)
    results = ResultService(db, clock, settings)
    return Services(
        db=db,
        clock=clock,
        settings=settings,
        outbox=OutboxStore(db),
        pledges=PledgeService(db, clock, settings),
        alerts=AlertStore(db),
        ceremonies=CeremonyService(db, clock),
        ceremony_edits=CeremonyEditor(db, clock),
        results=results,
        losers=losers,
        leaderboards=LeaderboardService(db, clock, settings),
        schedule=LeaderboardSchedule(db, clock),
        recaps=RecapService(db, clock, settings),
        privacy=PrivacyService(db, clock),
        ballots=BallotService(db, losers, settings),
        console=ConsoleService(db, results),
    )
