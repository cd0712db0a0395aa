"""The test-facing API: a :class:`StandIn` you start, fill with guilds and members, and drive.

    standin = StandIn(token="test-token")
    await standin.start()                       # .api_base, .gateway_url, .port
    guild = standin.create_guild("Emmy Night")  # @everyone, the bot's role, #general, owner, bot
    ada = guild.add_member("Ada")
    ... start the bot against standin.api_base / standin.gateway_url ...
    await standin.wait_until_ready()
    reply = await ada.slash("pledge add", amount="25")
    assert not standin.violations

Every wait is bounded and raises :class:`~standin.errors.WaitTimeout` (an
AssertionError) that says what it waited for.
"""

# Story waits take `timeout=` on purpose: it reads better in tests than `async with asyncio.timeout()`,
# and every one of them is a hard deadline enforced by World.wait_for.
# ruff: noqa: ASYNC109

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TypeVar

from standin.commands import CommandStore
from standin.control import ControlApi
from standin.errors import StandInError, Violation
from standin.faults import Faults
from standin.gateway import Gateway
from standin.interactions import InteractionEngine, InteractionRecord, SentInteraction
from standin.model import Guild, Message, User, World
from standin.permissions import DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, Permissions
from standin.rest import RestApi
from standin.server import RequestRecord, StandInServer
from standin.spec import ApiSpec
from standin.tally import TALLY

T = TypeVar("T")


class ManualClock:
    """A clock a test moves by hand (for the 3-second and 15-minute interaction deadlines)."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


class JumpClock:
    """Real time that a test can jump forward: the 3-second rule still runs on the clock's
    own pace while the 15-minute token lifetime passes in an instant (``jump(15 * 60)``)."""

    def __init__(self, base: Callable[[], float] = time.monotonic) -> None:
        self._base = base
        self.offset = 0.0
        """Seconds jumped so far."""

    def __call__(self) -> float:
        return self._base() + self.offset

    def jump(self, seconds: float) -> None:
        self.offset += seconds


class StandIn:
    """A loopback Discord (REST + gateway) for one bot token."""

    def __init__(
        self,
        token: str = "test-token",  # noqa: S107 - the stand-in's fake bot token
        *,
        bot_name: str = "Losers Lounge",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        heartbeat_interval: float = 41.25,
        control_api: bool = True,
        check_spec: bool = True,
    ) -> None:
        self.token = token
        self.host = host
        self.world = World(bot_name=bot_name)
        self.commands = CommandStore(self.world)
        self.engine = InteractionEngine(
            self.world, self.commands, clock=clock, deadline=interaction_deadline, token_lifetime=token_lifetime
        )
        self.gateway = Gateway(
            self.world, token=token, heartbeat_interval=heartbeat_interval, resume_url=lambda: self.resume_url
        )
        self.faults = Faults()
        #: Every Discord rule the bot broke (the ``standin`` fixture fails a test on them).
        self.violations: list[Violation] = []
        self.world.listener = self.gateway
        self.world.driver = self.engine
        self.engine.sink = self.gateway
        #: Discord's OpenAPI description, which judges every request body (unless ``check_spec=False``).
        self.spec = ApiSpec.shared() if check_spec else None
        self.rest = rest = RestApi(
            self.world, self.commands, self.engine, gateway_url=lambda: self.gateway_url, spec=self.spec
        )
        control = ControlApi(self) if control_api else None
        self.server = StandInServer(
            world=self.world,
            rest=rest,
            gateway=self.gateway,
            faults=self.faults,
            token=token,
            record_violations=self._record_violations,
            control_routes=control.routes() if control is not None else (),
            host=host,
            port=port,
        )
        self._started = False

    def _record_violations(self, violations: Sequence[Violation]) -> None:
        self.violations.extend(violations)
        TALLY.violations += len(violations)
        self.world.notify()

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> StandIn:
        if self._started:
            raise StandInError("the stand-in is already started")
        await self.server.start()
        self._started = True
        self.world.cdn_base = self.base_url
        return self

    async def stop(self) -> None:
        if self._started:
            await self.server.stop()
            self._started = False
            TALLY.standins += 1
            TALLY.bodies_checked += self.rest.spec_checked
            TALLY.refused_by_spec += self.rest.spec_refused

    async def __aenter__(self) -> StandIn:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ---------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        if not self._started:
            raise StandInError("the stand-in is not started")
        return self.server.port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What discord.py's ``Route.BASE`` must be."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What discord.py's ``DiscordWebSocket.DEFAULT_GATEWAY`` must be (as a ``yarl.URL``)."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway-resume"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/_standin"

    def describe(self) -> dict[str, object]:
        """Addresses and ids, as printed by ``python -m standin``."""
        return {
            "api_base": self.api_base,
            "gateway_url": self.gateway_url,
            "control_url": self.control_url,
            "port": self.port,
            "token": self.token,
            "application_id": str(self.world.application_id),
            "bot_user_id": str(self.world.bot_user.id),
            "guilds": [{"id": str(g.id), "name": g.name} for g in self.world.guilds.values()],
        }

    # ---------------------------------------------------------------- the world

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user(self) -> User:
        return self.world.bot_user

    @property
    def guilds(self) -> list[Guild]:
        return list(self.world.guilds.values())

    def create_guild(
        self,
        name: str,
        *,
        bot_permissions: Permissions = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: Permissions = DEFAULT_EVERYONE_PERMISSIONS,
        owner_name: str = "Owner",
    ) -> Guild:
        """A guild with @everyone (id == guild id), the bot's role, #general, its owner and the bot."""
        return self.world.create_guild(
            name, bot_permissions=bot_permissions, everyone_permissions=everyone_permissions, owner_name=owner_name
        )

    def guild(self, name_or_id: str | int) -> Guild:
        for guild in self.world.guilds.values():
            if guild.id == name_or_id or guild.name == name_or_id:
                return guild
        raise StandInError(f"no guild {name_or_id!r}")

    @property
    def messages(self) -> list[Message]:
        """Every message the bot created, everywhere (ephemeral and deleted ones included)."""
        return list(self.world.messages.values())

    @property
    def interaction_log(self) -> list[InteractionRecord]:
        """Every interaction with its timings (dispatched, callback, completed)."""
        return list(self.engine.log)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST request the bot made, with status and timings."""
        return list(self.server.requests)

    # ---------------------------------------------------------------- waiting

    async def wait_until(self, condition: Callable[[], T | None], *, what: str, timeout: float = 5.0) -> T:
        """Wait until ``condition()`` returns something other than None (re-checked on every change)."""
        return await self.world.wait_for(condition, timeout=timeout, what=what)

    async def wait_until_ready(self, timeout: float = 10.0) -> None:
        """A bot identified and received GUILD_CREATE for every guild."""
        await self.world.wait_for(
            lambda: True if self.gateway.is_ready() else None,
            timeout=timeout,
            what=lambda: (
                f"a bot to identify and receive GUILD_CREATE for {len(self.world.guilds)} guild(s) "
                f"(identifies so far: {self.gateway.identify_count})"
            ),
        )

    async def wait_for_commands_synced(self, guild: Guild | None = None, *, timeout: float = 5.0) -> None:
        """The bot bulk-overwrote its commands (for ``guild``, or anywhere when None)."""

        def synced() -> bool | None:
            if guild is None:
                return True if self.commands.sync_log else None
            return True if self.commands.guild_sync_counts.get(guild.id) else None

        where = f"guild {guild.name!r}" if guild is not None else "any scope"
        await self.world.wait_for(synced, timeout=timeout, what=f"the bot to sync its commands ({where})")

    async def wait_for_identify(self, count: int, *, timeout: float = 5.0) -> None:
        await self.world.wait_for(
            lambda: True if self.gateway.identify_count >= count else None, timeout=timeout,
            what=lambda: f"IDENTIFY #{count} (have {self.gateway.identify_count})",
        )

    async def wait_for_resume(self, count: int, *, timeout: float = 5.0) -> None:
        await self.world.wait_for(
            lambda: True if self.gateway.resume_count >= count else None, timeout=timeout,
            what=lambda: f"RESUME #{count} (have {self.gateway.resume_count})",
        )

    async def wait_for_violations(
        self, count: int = 1, *, code: int | None = None, timeout: float = 5.0
    ) -> list[Violation]:
        """Wait for ``count`` violations (with Discord error ``code``, if given) and return them."""

        def found() -> list[Violation] | None:
            matching = [v for v in self.violations if code is None or v.code == code]
            return matching if len(matching) >= count else None

        return await self.world.wait_for(
            found, timeout=timeout,
            what=lambda: f"{count} violation(s){f' with code {code}' if code else ''} (have {self.violations})",
        )

    def take_violations(self) -> list[Violation]:
        """Return the recorded violations and forget them (for tests that provoke some on purpose)."""
        taken = list(self.violations)
        self.violations.clear()
        TALLY.taken += len(taken)
        return taken

    # ---------------------------------------------------------------- replays

    async def redeliver(self, interaction_id: int, *, timeout: float = 5.0) -> SentInteraction:
        """Dispatch the same INTERACTION_CREATE again (same id and token), e.g. to test idempotency."""
        sent = self.engine.redeliver(interaction_id)
        await sent.delivered(timeout=timeout)
        return sent
