"""Per-server settings: the one place that reads and writes `guild_settings`."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from bot.clock import Clock, to_storage
from bot.db import Database, Transaction
from bot.domain.audit import log as audit
from bot.domain.errors import InvalidInput

DEFAULT_CHARITY = "World Wide Orphans"
MAX_CHARITY_NAME = 100
MAX_INTERVAL_MINUTES = 1440


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    announcement_channel_id: int | None = None
    leaderboard_channel_id: int | None = None
    loser_role_id: int | None = None
    host_role_id: int | None = None
    charity_name: str = DEFAULT_CHARITY
    goal_cents: int = 3_000_000
    winner_tax_cents: int = 100_000
    leaderboard_interval_minutes: int = 15
    max_pledge_cents: int = 10_000_000
    big_pledge_cents: int = 100_000
    spoiler_safe: bool = False
    host_channel_id: int | None = None  # where `/result console` posts its panel (None: ephemeral)


SETTING_NAMES = tuple(field.name for field in fields(GuildSettings) if field.name != "guild_id")
CLEARABLE = ("announcement_channel_id", "leaderboard_channel_id", "loser_role_id", "host_role_id", "host_channel_id")


class SettingsService:
    """Reads settings (defaults when a server has none yet) and validates changes."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings, kept until a commit writes them or another process commits
        (:meth:`Database.remembered` with their table)."""
        return await self._db.remembered(("guild_settings", guild_id), lambda: self._read(guild_id),
                                         tables=("guild_settings",))

    async def _read(self, guild_id: int) -> GuildSettings:
        row = await self._db.fetch_one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return GuildSettings(guild_id=guild_id) if row is None else settings_from_row(row)

    async def get_in(self, tx: Transaction, guild_id: int) -> GuildSettings:
        """The settings as seen inside a write transaction."""
        row = await tx.fetch_one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return GuildSettings(guild_id=guild_id) if row is None else settings_from_row(row)

    async def update(self, guild_id: int, changes: dict[str, Any], *, actor_id: int) -> GuildSettings:
        """Apply `changes` (setting name → new value, None clears) atomically, with an audit entry."""
        unknown = set(changes) - set(SETTING_NAMES)
        if unknown:
            names = tuple(sorted(unknown))
            raise InvalidInput(f"Unknown setting(s): {', '.join(names)}.", reason="unknown_setting", names=names)
        if not changes:
            raise InvalidInput("Choose at least one setting to change.", reason="nothing_to_change")
        for name, value in changes.items():
            _validate(name, value)

        async def apply(tx: Transaction) -> GuildSettings:
            now = self._clock()
            current = await self.get_in(tx, guild_id)
            updated = replace(current, **changes)
            if updated.big_pledge_cents > updated.max_pledge_cents:
                raise InvalidInput(
                    "The big-pledge announcement threshold can't be above the per-pledge maximum.",
                    reason="big_pledge_above_maximum", big_pledge_cents=updated.big_pledge_cents,
                    max_pledge_cents=updated.max_pledge_cents,
                )
            values = {name: getattr(updated, name) for name in SETTING_NAMES}
            values["spoiler_safe"] = int(updated.spoiler_safe)
            columns = ", ".join(["guild_id", *values, "updated_at"])
            placeholders = ", ".join("?" for _ in range(len(values) + 2))
            assignments = ", ".join(f"{name} = excluded.{name}" for name in [*values, "updated_at"])
            await tx.execute(
                f"INSERT INTO guild_settings ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names are ours
                f"ON CONFLICT (guild_id) DO UPDATE SET {assignments}",
                (guild_id, *values.values(), to_storage(now)),
            )
            summary = ", ".join(f"{name}={changes[name]}" for name in sorted(changes))
            await audit.record(tx, guild_id, actor_id, "settings.set", summary, now)
            return updated

        return await self._db.write(apply)


def settings_from_row(row: Any) -> GuildSettings:
    values = {name: row[name] for name in SETTING_NAMES}
    values["spoiler_safe"] = bool(values["spoiler_safe"])
    return GuildSettings(guild_id=row["guild_id"], **values)


def _validate(name: str, value: Any) -> None:
    if value is None:
        if name not in CLEARABLE:
            raise InvalidInput(
                f"{name.replace('_', ' ')} can't be cleared, only changed.", reason="not_clearable", setting=name
            )
        return
    if name == "charity_name":
        text = str(value).strip()
        if not 1 <= len(text) <= MAX_CHARITY_NAME:
            raise InvalidInput(
                f"The charity name must be 1 to {MAX_CHARITY_NAME} characters.",
                reason="charity_name_length", setting=name, length=len(text), limit=MAX_CHARITY_NAME,
            )
    elif name == "goal_cents" and value <= 0:
        raise InvalidInput(
            "The fundraising goal must be more than $0.", reason="not_positive", setting=name, value=value
        )
    elif name in ("winner_tax_cents", "big_pledge_cents") and value < 0:
        raise InvalidInput("Amounts can't be negative.", reason="negative_amount", setting=name, value=value)
    elif name == "max_pledge_cents" and value <= 0:
        raise InvalidInput(
            "The per-pledge maximum must be more than $0.", reason="not_positive", setting=name, value=value
        )
    elif name == "leaderboard_interval_minutes" and not 0 <= value <= MAX_INTERVAL_MINUTES:
        raise InvalidInput(
            f"The leaderboard interval must be 0 (off) to {MAX_INTERVAL_MINUTES} minutes.",
            reason="interval_out_of_range", setting=name, value=value, limit=MAX_INTERVAL_MINUTES,
        )
