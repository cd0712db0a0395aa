"""The whole lounge for end-to-end tests: a Discord server in the stand-in, and the
real bot (the same `LoungeBot` that `python -m bot` runs) connected to it over the wire,
started the one way the bot is started in-process (:class:`bot.against_standin.BotInProcess`)."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.against_standin import BotInProcess, standin_settings
from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.lounge import LoungeBot
from standin import Channel, Guild, Member, Permissions, Role, StandIn

TOKEN = "test-token"


@dataclass
class Lounge:
    standin: StandIn
    guild: Guild
    host: Member
    general: Channel
    announcements: Channel
    leaderboards: Channel
    loser_role: Role
    database_path: Path
    clock: Clock = utc_now
    bot: LoungeBot | None = None
    _run: BotInProcess | None = field(default=None, repr=False)

    @property
    def running_bot(self) -> LoungeBot:
        assert self.bot is not None, "the bot is not running"
        return self.bot

    def member(self, name: str, *, permissions: Permissions | None = None) -> Member:
        return self.guild.add_member(name, permissions=permissions)

    def settings(self) -> Settings:
        return standin_settings(self.standin, self.database_path, token=TOKEN, guild_id=self.guild.id)

    async def start_bot(self) -> LoungeBot:
        """Start the bot as `python -m bot` would, and wait until it can take commands."""
        return await self._start(self.settings(), synced=None)

    async def stop_bot(self) -> None:
        run, self._run, self.bot = self._run, None, None
        if run is not None:
            await run.stop()

    async def restart_bot(self) -> LoungeBot:
        await self.stop_bot()
        return await self.start_bot()

    async def start_bot_for_every_server(self) -> LoungeBot:
        """Like :meth:`start_bot`, with the commands synced globally (no dev guild), so every
        server in the stand-in can use them: for tests of several servers sharing one bot."""
        return await self._start(dataclasses.replace(self.settings(), dev_guild_id=None), synced="global")

    async def _start(self, settings: Settings, *, synced: Literal["global"] | None) -> LoungeBot:
        self._run = BotInProcess(settings, clock=self.clock)
        self.bot = self._run.bot
        return await self._run.start(self.standin, synced=synced)

    def query(self, sql: str, params: tuple[object, ...] | dict[str, object] = ()) -> list[sqlite3.Row]:
        """Read the bot's database as it stands (read-only; WAL lets it run beside the bot's writer)."""
        connection = sqlite3.connect(f"file:{self.database_path}?mode=ro", uri=True, timeout=5)
        try:
            connection.row_factory = sqlite3.Row
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def query_value(self, sql: str, params: tuple[object, ...] | dict[str, object] = ()) -> object:
        """The first column of the first row of :meth:`query` (None when there is no row)."""
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    async def setup_lounge(self) -> None:
        """What a host does first: point the bot at the channels and the loser role."""
        await self.host.slash(
            "settings set",
            announcement_channel=self.announcements,
            leaderboard_channel=self.leaderboards,
            loser_role=self.loser_role,
        )


async def open_lounge(standin: StandIn, tmp_path: Path, *, clock: Clock = utc_now) -> Lounge:
    guild = standin.create_guild("Emmy Night")
    lounge = Lounge(
        standin=standin,
        guild=guild,
        host=guild.add_member("Hana Host", permissions=Permissions.manage_guild),
        general=guild.channel("general"),
        announcements=guild.create_text_channel("announcements"),
        leaderboards=guild.create_text_channel("leaderboards"),
        loser_role=guild.create_role("Loser"),
        database_path=tmp_path / "lounge.db",
        clock=clock,
    )
    await lounge.start_bot()
    return lounge


