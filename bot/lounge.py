"""The bot itself: intents, mentions policy, extension loading and sync. No feature logic."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil

import discord
from discord.ext import commands

from bot.checks import Hosts
from bot.clock import Clock, utc_now
from bot.command_sync import sync_if_changed
from bot.config import Settings
from bot.db import Database, apply_migrations, latest_version
from bot.db.lock import DatabaseLock
from bot.endpoints import point_discord_at
from bot.interaction_errors import LoungeTree
from bot.ops.backups import backup_before_migrating
from bot.services import Services, build_services

log = logging.getLogger(__name__)


def extension_names() -> list[str]:
    """Every module in the `cogs` package is an extension (each ends in `async def setup`)."""
    package = importlib.import_module("cogs")
    return sorted(f"cogs.{module.name}" for module in pkgutil.iter_modules(package.__path__))


def lounge_intents() -> discord.Intents:
    """Guilds only: channels and roles for announcements and the loser role.

    No privileged intent: members reach us through their own interactions, roles
    are granted by id over REST, and we never read message content.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class LoungeBot(commands.Bot):
    def __init__(self, config: Settings, *, clock: Clock = utc_now) -> None:
        # The lounge never joins voice: don't warn about voice libraries on every start.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=lounge_intents(),
            tree_cls=LoungeTree,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True, replied_user=False),
            help_command=None,
        )
        self.config = config
        self.clock = clock
        self._services: Services | None = None
        self._hosts: Hosts | None = None
        self._lock: DatabaseLock | None = None
        self.synced_commands = False
        point_discord_at(config.discord_api_base, config.discord_gateway_url)

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are built in setup_hook; the bot has not started yet")
        return self._services

    @property
    def hosts(self) -> Hosts:
        """Who may run host commands: handed to every cog with host-only commands or buttons."""
        if self._hosts is None:
            raise RuntimeError("the host check is built in setup_hook; the bot has not started yet")
        return self._hosts

    async def member_roles(self, guild_id: int, user_id: int) -> frozenset[int]:
        """A member's role ids as Discord has them now (for a server not in the cache yet)."""
        data = await self.http.get_member(guild_id, user_id)
        return frozenset(int(role_id) for role_id in data["roles"])

    async def wait_until_ready(self) -> None:
        """As discord.py's, except for a bot only prepared, never logged in (the offline checks
        of the command tree): there is nothing to be ready for, so the background loops that
        wait for it wait until they are cancelled (`close` unloads the cogs) instead of failing."""
        if self.user is None and self.ws is None:
            await asyncio.get_running_loop().create_future()
        await super().wait_until_ready()

    async def setup_hook(self) -> None:
        await self.prepare()
        self.synced_commands = await sync_if_changed(self, self.services.db, self.config.dev_guild_id)

    async def prepare(self) -> None:
        """Everything before the network: the database's lock, a backup before any migration, the
        database and its migrations, services, extensions.

        Raises :class:`~bot.db.lock.DatabaseInUse` when another bot (or a restore) holds the
        database, and :class:`~bot.db.backup.BackupError` when a database about to be migrated
        cannot be backed up first (it is then left exactly as it was).
        """
        path = self.config.database_path
        if str(path) != ":memory:":
            self._lock = DatabaseLock.acquire(path)
        try:
            backup = await asyncio.to_thread(backup_before_migrating, path, latest_version(), self.clock())
            if backup is not None:
                log.info("backed up the database before migrating it: %s", backup.path)
            db = await Database.open(path)
            try:
                applied = await apply_migrations(db.connection)
            except Exception:
                await db.close()
                raise
        except BaseException:
            self._release_lock()
            raise
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        self._services = build_services(db, self.clock)
        self._hosts = Hosts(self._services.settings, self.member_roles)
        for name in extension_names():
            await self.load_extension(name)

    async def close(self) -> None:
        """Stop cogs (their tasks), then let queued writes commit, close the database and let go of it."""
        try:
            await super().close()
            if self._services is not None:
                await self._services.db.close()
        finally:
            self._release_lock()

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
