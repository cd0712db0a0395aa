"""The rehearsal's bot in a process of its own: ``python -m bot`` as a host runs it, on the second core.

The night runs the stand-in, the simulated host and members and the live feed in one process
and the bot in another (:class:`RehearsalBot` starts it), so on a 2-core machine the bot's
work and Discord's stand-in no longer share one core. The bot is :func:`bot.__main__.run`
with the settings of :func:`bot.against_standin.bot_environment`; the only difference is its
clock, the rehearsal's :class:`~bot.rehearsal.clock.ScaledClock` rebuilt here from its start,
speed and origin (``time.monotonic`` is the system's clock, the same in both processes).

What the rehearsal reads off the bot's log comes back on the child's stdout, one JSON object a
line (:func:`relay_line`): the reason and facts of each refusal (the records of the bot's one
error path, at DEBUG) and each ERROR record. The rest of the log goes to the bot log file.

    python -m bot.rehearsal.bot_process --speed 180 --start 2026-…T…+00:00 --origin 1234.5 --log bot.log
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal

from bot.against_standin import Addresses, BotDidNotStart, bot_environment, until_connected
from bot.config import ConfigError, load_settings
from bot.event_loop import event_loop_factory
from bot.rehearsal.clock import ScaledClock
from bot.rehearsal.replies import refusal_of
from standin import Guild, StandIn

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
ERRORS_LOGGER = "bot.errors"
STOP_GRACE = 10.0


# ---- the child ---------------------------------------------------------------------------------


def relay_line(record: logging.LogRecord) -> dict[str, Any] | None:
    """What the rehearsal needs from `record`, as one JSON-able object (None: nothing)."""
    if record.levelno >= logging.ERROR:
        return {"error": f"{record.name}: {record.getMessage()}"}
    if record.name == ERRORS_LOGGER:
        found = refusal_of(record)
        if found is not None:
            return {"interaction_id": found[0], "refusal": found[1]}
    return None


class Relay(logging.Handler):
    """Writes :func:`relay_line` of each record to `stream`, flushed at once."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = relay_line(record)
            if line is not None:
                self.stream.write(json.dumps(line, default=str) + "\n")
                self.stream.flush()
        except Exception:  # a closed pipe must not take the bot down
            self.handleError(record)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.rehearsal.bot_process")
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--start", type=datetime.fromisoformat, required=True)
    parser.add_argument("--origin", type=float, required=True)
    parser.add_argument("--log", type=Path, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.__main__ import run  # the very run loop of `python -m bot`

    args = _parser().parse_args(argv)
    try:
        config = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    handler = logging.FileHandler(args.log, encoding="utf-8")
    handler.setLevel(logging.INFO)  # the refusals' DEBUG records are for the relay, not the log
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.addHandler(Relay(sys.stdout))
    root.setLevel(logging.INFO)
    logging.getLogger(ERRORS_LOGGER).setLevel(logging.DEBUG)
    clock = ScaledClock(args.speed, start=args.start, origin=args.origin)
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(run(config, clock=clock))


# ---- the rehearsal's side ----------------------------------------------------------------------


class RehearsalBot:
    """The bot's process for one night: started, watched, its relayed records handed on, stopped."""

    def __init__(
        self, standin: Addresses, database: Path, *, token: str, guild_id: int, clock: ScaledClock, log_path: Path,
        on_refusal: Callable[[int, dict[str, Any] | None], None], on_error: Callable[[str], None],
    ) -> None:
        # Absolute: the child runs in the log's folder, where a relative path (`--out rehearsal-out`,
        # as `make rehearse` gives it) would name a folder inside itself.
        self.env = bot_environment(standin, database.resolve(), token=token, guild_id=guild_id, log_level="INFO")
        self.clock = clock
        self.log_path = log_path.resolve()
        self.on_refusal = on_refusal
        self.on_error = on_error
        self.process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []
        self.said: str | None = None
        """The last line the bot printed outside its log (``python -m bot`` says why it stopped in one)."""

    async def start(self, standin: StandIn, *, synced: Guild | Literal["global"], within: float) -> None:
        """Spawn the bot and wait until it can take commands; raise :class:`BotDidNotStart` if it exits
        first, or the stand-in's ``WaitTimeout`` if it does not connect in time."""
        connected = until_connected(
            standin, identified=standin.gateway.identify_count, synced=synced,
            global_syncs=standin.commands.global_sync_count, within=within,
        )
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.rehearsal.bot_process", "--speed", repr(self.clock.speed),
            "--start", self.clock.start.isoformat(), "--origin", repr(self.clock.origin),
            "--log", str(self.log_path),
            env=self.env, cwd=self.log_path.parent,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        self._readers = [asyncio.create_task(self._read(), name="rehearsal-bot-relay"),
                         asyncio.create_task(self._keep_stderr(), name="rehearsal-bot-stderr")]
        waiting = asyncio.create_task(connected, name="rehearsal-bot-connecting")
        exited = asyncio.create_task(self.process.wait(), name="rehearsal-bot-exit")
        try:
            await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not waiting.done():
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            await self._drain()
            raise BotDidNotStart(self.failure() or "it stopped at once")
        await waiting

    async def _read(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            try:
                line = json.loads(raw)
            except ValueError:
                continue  # not the relay's: something printed to stdout
            if "error" in line:
                self.on_error(str(line["error"]))
            elif isinstance(line.get("interaction_id"), int):
                self.on_refusal(line["interaction_id"], line.get("refusal"))

    async def _keep_stderr(self) -> None:
        """The bot's stderr into its log file (a crash's traceback, `python -m bot`'s one sentence)."""
        assert self.process is not None
        assert self.process.stderr is not None
        with self.log_path.open("ab") as log:
            async for raw in self.process.stderr:
                log.write(raw)
                log.flush()
                if raw.strip():
                    self.said = raw.decode(errors="replace").strip()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def failure(self) -> str | None:
        """Why the process ended, once it ended with an error (None while it runs, or after a clean exit)."""
        code = None if self.process is None else self.process.returncode
        if not code:
            return None
        if code < 0:
            return f"its process was killed (signal {-code})"
        return self.said or f"its process exited with code {code}"

    async def stop(self, within: float = STOP_GRACE) -> None:
        """SIGTERM (the bot commits its queued writes and closes the database) and wait; kill after `within` s."""
        process = self.process
        if process is not None:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), within)
            except TimeoutError:
                process.kill()
                await process.wait()
        await self._drain()

    async def _drain(self) -> None:
        """Let the readers take the process's last lines (they end with its pipes), then stop them."""
        if self._readers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*self._readers, return_exceptions=True), 1.0)
            for reader in self._readers:
                reader.cancel()


if __name__ == "__main__":
    sys.exit(main())
