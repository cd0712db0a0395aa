"""The bot against the stand-in of Discord (:mod:`standin`): the one way to start it in this
process and the one way to start it as a process of its own.

* :class:`BotInProcess`: the real :class:`~bot.lounge.LoungeBot`, configured through
  :class:`~bot.config.Settings` with the stand-in's addresses (:func:`standin_settings`),
  exactly as ``python -m bot`` configures itself from its environment; only the clock may
  be injected. The end-to-end tests and the rehearsal run it.
* :class:`BotProcess`: ``python -m bot`` as a host runs it, configured only through its
  environment (:func:`bot_environment`), stopped with SIGTERM (or frozen, or killed with
  kill -9). The process and resilience tests and the benchmarks run it.

Either talks to the stand-in over the wire, as it would talk to Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, Protocol

import discord.gateway
import discord.http
import yarl

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.lounge import LoungeBot

if TYPE_CHECKING:
    from standin import Guild, StandIn

STOP_TIMEOUT = 10.0
PROCESS_STOP_TIMEOUT = 30.0
_ENVIRONMENT_PREFIXES = ("DISCORD_", "DATABASE_", "DEV_", "LOG_")


class Addresses(Protocol):
    """Where a stand-in listens: a :class:`~standin.StandIn`, or a ``python -m standin`` process's."""

    @property
    def api_base(self) -> str: ...
    @property
    def gateway_url(self) -> str: ...


class BotDidNotStart(RuntimeError):
    """The bot's task ended before it was connected; the error it ended with is the cause."""


class BotDidNotStop(RuntimeError):
    """The bot process did not exit in time after SIGTERM (it was killed)."""


def standin_settings(
    standin: Addresses, database_path: Path, *, token: str, guild_id: int | None, log_level: str = "INFO"
) -> Settings:
    """The settings of a bot pointed at `standin`; `guild_id` None syncs the commands globally."""
    return Settings(
        discord_token=token,
        database_path=database_path,
        dev_guild_id=guild_id,
        log_level=log_level,
        discord_api_base=standin.api_base,
        discord_gateway_url=standin.gateway_url,
    )


def bot_environment(
    standin: Addresses, database_path: Path, *, token: str, guild_id: int | None, log_level: str = "WARNING",
    inherited: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of ``python -m bot`` pointed at `standin`: the `inherited` one (this
    process's by default) without any bot setting of its own, plus these."""
    base = os.environ if inherited is None else inherited
    env = {name: value for name, value in base.items() if not name.startswith(_ENVIRONMENT_PREFIXES)}
    env.update(
        DISCORD_TOKEN=token,
        DATABASE_PATH=str(database_path),
        DISCORD_API_BASE=standin.api_base,
        DISCORD_GATEWAY_URL=standin.gateway_url,
        LOG_LEVEL=log_level,
    )
    if guild_id is not None:
        env["DEV_GUILD_ID"] = str(guild_id)
    return env


async def until_connected(
    standin: StandIn, *, identified: int, synced: Guild | Literal["global"] | None = None,
    global_syncs: int = 0, within: float = STOP_TIMEOUT,
) -> None:
    """Wait until the bot identified once more than `identified` times, holds every guild, and
    (when asked) synced its commands for `synced` or globally (more than `global_syncs` times)."""
    await standin.wait_for_identify(identified + 1, timeout=within)
    await standin.wait_until_ready(timeout=within)
    if synced == "global":
        await standin.wait_until(
            lambda: True if standin.commands.global_sync_count > global_syncs else None,
            what="the bot to sync its commands globally", timeout=within,
        )
    elif synced is not None:
        await standin.wait_for_commands_synced(synced, timeout=within)


class BotInProcess:
    """One run of :class:`~bot.lounge.LoungeBot` in this process, against a stand-in.

    discord.py keeps Discord's addresses in class attributes, which the bot points at the
    stand-in when it is made; :meth:`stop` puts back what was there before.
    """

    def __init__(self, settings: Settings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        self._endpoints: tuple[str, yarl.URL] | None = (
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        )
        self.bot = LoungeBot(settings, clock=clock)  # points discord.py at the stand-in
        self.task: asyncio.Task[None] | None = None

    async def start(
        self, standin: StandIn, *, synced: Guild | Literal["global"] | None = None, within: float = STOP_TIMEOUT
    ) -> LoungeBot:
        """Start the bot as ``python -m bot`` would and wait until it can take commands (see
        :func:`until_connected`); raise :class:`BotDidNotStart` if it stops first, or the
        stand-in's ``WaitTimeout`` if it does not connect in time."""
        if self.task is not None:
            raise RuntimeError("this run of the bot has started already: make another one")
        connected = until_connected(
            standin, identified=standin.gateway.identify_count, synced=synced,
            global_syncs=standin.commands.global_sync_count, within=within,
        )
        self.task = asyncio.create_task(self.bot.start(self.settings.discord_token), name="lounge-bot")
        waiting = asyncio.create_task(connected, name="lounge-bot-connecting")
        await asyncio.wait({self.task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if self.task.done() and not waiting.done():
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
        failure = self.failure()
        if self.task.done():
            self._restore_endpoints()  # nothing of the bot runs any more
            raise BotDidNotStart(f"the bot stopped while starting: {failure!r}") from failure
        await waiting
        return self.bot

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def failure(self) -> BaseException | None:
        """What the bot's task ended with, once it ended (None while it runs, or when it ended cleanly)."""
        if self.task is None or not self.task.done() or self.task.cancelled():
            return None
        return self.task.exception()

    async def stop(self, within: float = STOP_TIMEOUT) -> None:
        """Close the bot (its cogs' tasks stop, queued writes commit, the database closes) and wait
        for its task; raise what the task ended with, if it failed."""
        try:
            await asyncio.wait_for(self.bot.close(), within)
            if self.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(self.task, within)
        finally:
            self._restore_endpoints()

    def _restore_endpoints(self) -> None:
        if self._endpoints is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._endpoints
            self._endpoints = None


@dataclass(frozen=True, slots=True)
class Exited:
    """How a bot process ended, and what it printed."""

    code: int
    stdout: str
    stderr: str


class BotProcess:
    """``python -m bot`` in a process of its own, configured only through `env`.

    With a `log_path`, its output is appended there (each start marked ``----- run N -----``);
    without one, stdout and stderr are piped and :meth:`finish` returns stderr. `python_options`
    go before ``-m bot`` (e.g. ``-m cProfile -o out.prof``).
    """

    def __init__(
        self, env: Mapping[str, str], cwd: Path, *, log_path: Path | None = None, python_options: Sequence[str] = ()
    ) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.log_path = log_path
        self.python_options = tuple(python_options)
        self.process: asyncio.subprocess.Process | None = None
        self.runs = 0
        self.started_at = 0.0
        """``time.perf_counter()`` just before the last start."""
        self._log: IO[bytes] | None = None

    async def start(self) -> None:
        """Spawn the process (again, after a stop or a kill); it connects on its own."""
        self.runs += 1
        output: int | IO[bytes] = asyncio.subprocess.PIPE
        if self.log_path is not None:
            self._log = output = self.log_path.open("ab")
            self._log.write(f"\n----- run {self.runs} -----\n".encode())
            self._log.flush()
        self.started_at = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            # cwd: a folder of its own, so no developer's `.env` is read
            sys.executable, *self.python_options, "-m", "bot", env=self.env, cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output,
        )

    @property
    def pid(self) -> int:
        return self._running().pid

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.returncode

    def freeze(self) -> None:
        """SIGSTOP: the process stops mid-step, its sockets stay open (a hung machine)."""
        self._running().send_signal(signal.SIGSTOP)

    async def kill(self) -> None:
        """kill -9: no shutdown code runs; queued writes and sends are simply gone."""
        process = self._running()
        process.kill()
        await process.wait()
        self._close_log()

    async def stop(self, grace: float = PROCESS_STOP_TIMEOUT) -> int:
        """SIGTERM, as a host's Ctrl+C or a service manager would, and wait up to `grace` seconds (the
        bot finishes its queued writes and closes the database); return the exit code. A process
        that does not exit is killed and :class:`BotDidNotStop` raised."""
        process = self.process
        if process is None:
            return 0
        if process.returncode is None:
            process.send_signal(signal.SIGCONT)  # in case it was left frozen
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise BotDidNotStop(
                f"the bot did not exit within {grace:g} s of SIGTERM; its log ends: {self.log()[-3000:]}"
            ) from None
        finally:
            self._close_log()
        return process.returncode or 0

    async def finish(self, within: float = PROCESS_STOP_TIMEOUT) -> Exited:
        """Wait for the process to exit on its own (or after a signal sent to it) and read what it
        printed (piped output only). One that does not exit in time is killed and
        :class:`BotDidNotStop` raised, so none is left behind."""
        process = self._running()
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), within)
        except TimeoutError:
            process.kill()
            await process.communicate()
            raise BotDidNotStop(f"the bot did not exit within {within:g} s") from None
        return Exited(process.returncode or 0, (stdout or b"").decode(errors="replace"),
                      (stderr or b"").decode(errors="replace"))

    def send_signal(self, signum: int) -> None:
        self._running().send_signal(signum)

    def log(self) -> str:
        """Everything the process wrote to its log file so far ("" without one)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def _running(self) -> asyncio.subprocess.Process:
        if self.process is None:
            raise RuntimeError("the bot process was never started")
        return self.process

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
