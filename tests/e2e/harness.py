"""The whole lounge for end-to-end tests: a Discord server in the stand-in, and the
real bot (the same `LoungeBot` that `python -m bot` runs) connected to it over the wire."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

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
    _runner: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def running_bot(self) -> LoungeBot:
        assert self.bot is not None, "the bot is not running"
        return self.bot

    def member(self, name: str, *, permissions: Permissions | None = None) -> Member:
        return self.guild.add_member(name, permissions=permissions)

    def settings(self) -> Settings:
        return Settings(
            discord_token=TOKEN,
            database_path=self.database_path,
            dev_guild_id=self.guild.id,
            log_level="INFO",
            discord_api_base=self.standin.api_base,
            discord_gateway_url=self.standin.gateway_url,
        )

    async def start_bot(self) -> LoungeBot:
        """Start the bot as `python -m bot` would, and wait until it can take commands."""
        identified = self.standin.gateway.identify_count
        bot = LoungeBot(self.settings(), clock=self.clock)
        self.bot = bot
        self._runner = asyncio.create_task(bot.start(TOKEN), name="lounge-bot")
        async with self._stopped_if_it_fails():
            await self.standin.wait_for_identify(identified + 1)
            await self.standin.wait_until_ready()
            if self._runner.done():
                self._runner.result()  # surface a start-up failure
        return bot

    @contextlib.asynccontextmanager
    async def _stopped_if_it_fails(self) -> AsyncIterator[None]:
        """A bot that fails to start (say Discord refused its command sync) is closed, database and all:
        otherwise its open database keeps the test process alive after the test has failed."""
        try:
            yield
        except BaseException as error:
            runner = self._runner
            failure = runner.exception() if runner is not None and runner.done() and not runner.cancelled() else None
            with contextlib.suppress(Exception):
                await self.stop_bot()
            if failure is not None and failure is not error:
                raise failure from error  # why it never came up, rather than the wait that timed out
            raise

    async def stop_bot(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._runner, timeout=10)
        self.bot = None
        self._runner = None

    async def restart_bot(self) -> LoungeBot:
        await self.stop_bot()
        return await self.start_bot()

    async def start_bot_for_every_server(self) -> LoungeBot:
        """Like :meth:`start_bot`, with the commands synced globally (no dev guild), so every
        server in the stand-in can use them: for tests of several servers sharing one bot."""
        identified = self.standin.gateway.identify_count
        synced = self.standin.commands.global_sync_count
        bot = LoungeBot(dataclasses.replace(self.settings(), dev_guild_id=None), clock=self.clock)
        self.bot = bot
        self._runner = asyncio.create_task(bot.start(TOKEN), name="lounge-bot")
        async with self._stopped_if_it_fails():
            await self.standin.wait_for_identify(identified + 1)
            await self.standin.wait_until_ready()
            await self.standin.wait_until(
                lambda: True if self.standin.commands.global_sync_count > synced else None,
                what="the bot to sync its commands globally",
            )
            if self._runner.done():
                self._runner.result()
        return bot

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


