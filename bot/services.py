"""The services the bot hands to its cogs: built once, injected, never reached for."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.db import Database
from bot.domain.alerts import AlertStore
from bot.domain.outbox import OutboxStore
from bot.domain.settings import SettingsService


@dataclass(frozen=True, slots=True)
class Services:
    db: Database
    clock: Clock
    settings: SettingsService
    outbox: OutboxStore
    alerts: AlertStore


def build_services(db: Database, clock: Clock) -> Services:
    return Services(
        db=db,
        clock=clock,
        settings=SettingsService(db, clock),
        outbox=OutboxStore(db),
        alerts=AlertStore(db),
    )
