"""Runs the night: the Discord stand-in, the real bot, the script's pace, the live feed.

The bot is ``python -m bot``'s own run loop in a process of its own (the second core:
:mod:`bot.rehearsal.bot_process`), configured through the environment with the
stand-in's REST and gateway addresses; the only difference is its clock (the
night's :class:`~bot.rehearsal.clock.ScaledClock`, rebuilt in that process). Everything
the simulated host and members do goes through slash commands, autocomplete and
button clicks over the wire (:mod:`bot.rehearsal.players`).

Events run in the script's order, each at its minute of show time on the scaled
clock (the pre-show as fast as it goes). Host actions and claims are barriers:
they start once everything before them has finished, so the outcome never
depends on timing (same seed, same totals). Other members' actions run
concurrently, each member's in order. Every wait is bounded; a refusal is shown
and the night goes on; a bot that stops answering ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from bot.against_standin import BotDidNotStart
from bot.domain.money import format_cents
from bot.rehearsal.bot_process import LOG_FORMAT, RehearsalBot
from bot.rehearsal.clock import ScaledClock, show_time
from bot.rehearsal.feed import Feed
from bot.rehearsal.finale import Outcome, finale
from bot.rehearsal.ledger import EventLog
from bot.rehearsal.outputs import Outputs, RehearsalError
from bot.rehearsal.players import Players
from bot.rehearsal.script import Event, Script
from bot.rehearsal.stage import Stage
from standin import Message, StandIn, StandInError

TOKEN = "rehearsal-token"  # noqa: S105 - the stand-in's fake bot token
CONCURRENCY = 12
READY_TIMEOUT = 20.0
RECAP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
WATCH_INTERVAL = 0.05
TICK_INTERVAL = 0.1
WATCHED = ("announcements", "leaderboards")
BEHIND_WARNING_MINUTES = 2.0
"""The rehearsal's promise: every event starts within two minutes of show time of its schedule."""


class Rehearsal:
    """One night, from an empty server to the recap."""

    def __init__(self, script: Script, outputs: Outputs, feed: Feed, clock: ScaledClock,
                 errors: list[str] | None = None) -> None:
        self.script = script
        self.errors: list[str] = [] if errors is None else errors
        """The ERROR records the bot logged (relayed from its process)."""
        self.outputs = outputs
        self.feed = feed
        self.clock = clock
        self.recap_saved = asyncio.Event()
        self.leaderboard_posts = 0
        self.behind = 0.0
        """The most show minutes an event started after its time (once its member's previous action and a
        free slot let it start: what a member would see)."""
        self.behind_event: Event | None = None
        self._stage: Stage | None = None
        self._bot: RehearsalBot | None = None
        self._seen: set[int] = set()
        self._semaphore = asyncio.Semaphore(CONCURRENCY)

    @property
    def stage(self) -> Stage:
        assert self._stage is not None, "the stage is set once the stand-in runs"
        return self._stage

    async def run(self) -> Outcome:
        log = EventLog(self.outputs.events, self.clock)
        background: list[asyncio.Task[None]] = []
        try:
            async with StandIn(token=TOKEN, bot_name="Losers Lounge") as standin:
                self._stage = Stage.open(standin, self.script, self.outputs, self.feed, self.clock, log)
                players = Players(self.stage)
                await self.start_bot()
                self.feed.begin(self.script.ceremony.name, len(self.script.ceremony.categories))
                background += [asyncio.create_task(self.watch(), name="rehearsal-feed"),
                               asyncio.create_task(self.tick(), name="rehearsal-progress")]
                await self.play(players)
                await self.wait_for_recap()
                self.catch_up()
                self.feed.end_live()
                worst = self.behind_event
                behind_what = "" if worst is None else f"{show_time(worst.minute)} {worst.kind.value}"
                self.stage.log.write({"type": "schedule", "behind_minutes": round(self.behind, 2),
                                      "worst": behind_what, "speed": self.clock.speed})
                try:
                    return await finale(self.stage, players, recap_saved=self.recap_saved.is_set(),
                                        leaderboard_posts=self.leaderboard_posts, behind_minutes=self.behind,
                                        behind_what=behind_what)
                finally:
                    # The bot goes first, while its Discord is still there: a stand-in stopped under a
                    # connected client waits for it (aiohttp's shutdown timeout) before it can close.
                    await self.stop_bot()
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            self.feed.end_live()
            await self.stop_bot()
            log.close()

    # ---- the bot ---------------------------------------------------------------------------

    async def start_bot(self) -> None:
        stage = self.stage
        run = self._bot = RehearsalBot(
            stage.standin, self.outputs.database, token=TOKEN, guild_id=stage.guild.id, clock=self.clock,
            log_path=self.outputs.bot_log, on_refusal=stage.refusals.add, on_error=self.errors.append,
        )
        try:
            await run.start(stage.standin, synced=stage.guild, within=READY_TIMEOUT)
        except BotDidNotStart as failed:
            raise RehearsalError(f"The bot could not start: {failed} (see {self.outputs.bot_log}).") from None
        except StandInError:
            raise RehearsalError(
                f"The bot did not connect to the stand-in within {READY_TIMEOUT:g} s (see {self.outputs.bot_log})."
            ) from None
        stage.log.write({"type": "bot", "event": "ready", "guild_id": str(stage.guild.id)})

    def check_bot(self) -> None:
        """Stop the night when the bot has stopped, or stopped answering (rather than time out thousands of times)."""
        stage = self.stage
        run = self._bot
        if stage.abort is None and run is not None and not run.running:
            error = run.failure()
            reason = f": {error}" if error else ""
            stage.abort = f"The bot stopped during the night{reason} (see {self.outputs.bot_log})."
        if stage.abort is not None:
            raise RehearsalError(stage.abort)

    async def stop_bot(self) -> None:
        run, self._bot = self._bot, None
        if run is not None:
            with contextlib.suppress(Exception):  # the night is over; what went wrong is in the bot's log
                await run.stop(within=STOP_TIMEOUT)

    # ---- the pace --------------------------------------------------------------------------

    async def play(self, players: Players) -> None:
        stage = self.stage
        chains: dict[str, asyncio.Task[None]] = {}
        inflight: set[asyncio.Task[None]] = set()

        async def drain() -> None:
            while inflight:
                await asyncio.wait(set(inflight))

        try:
            for event in self.script.events:
                due: datetime | None = None
                if stage.show_start is not None and event.minute >= 0:
                    due = stage.show_start + timedelta(minutes=event.minute)
                    await self.clock.sleep_until(due)
                self.check_bot()
                if event.barrier:
                    await drain()
                    self.check_bot()
                    self.started(event, due)
                    await players.perform(event)
                    continue
                task = asyncio.create_task(self.after(players, chains.get(event.actor), event, due))
                chains[event.actor] = task
                inflight.add(task)
                task.add_done_callback(inflight.discard)
            await drain()
            self.check_bot()
            if self.behind > BEHIND_WARNING_MINUTES:
                stage.warnings.append(
                    f"The night ran up to {self.behind:.1f} min of show time behind its schedule: this machine "
                    f"couldn't keep up at ×{self.clock.speed:g} (try a lower --speed or fewer --members)."
                )
        finally:
            for task in list(inflight):
                task.cancel()
            await asyncio.gather(*inflight, return_exceptions=True)

    async def after(
        self, players: Players, previous: asyncio.Task[None] | None, event: Event, due: datetime | None
    ) -> None:
        """A member's event, after their previous one (members act in order, concurrently with others)."""
        if previous is not None:
            await asyncio.wait({previous})
        async with self._semaphore:
            if self.stage.abort is None:
                self.started(event, due)
                await players.perform(event)

    def started(self, event: Event, due: datetime | None) -> None:
        """Note how far behind its schedule an event starts (pre-show events have no schedule)."""
        if due is None:
            return
        late = (self.clock() - due).total_seconds() / 60
        if late > self.behind:
            self.behind, self.behind_event = late, event

    async def tick(self) -> None:
        while True:
            stats = self.stage.stats
            self.feed.update(
                len(self.stage.logged), self.stage.when(),
                f"{stats.picks:,} picks · {stats.pledges:,} pledges ({format_cents(stats.pledged_cents)}) · "
                f"{stats.refused:,} refused",
            )
            await asyncio.sleep(TICK_INTERVAL)

    # ---- the channels ----------------------------------------------------------------------

    async def watch(self) -> None:
        while True:
            self.catch_up()
            await asyncio.sleep(WATCH_INTERVAL)

    def catch_up(self) -> None:
        """Show (and log) every message posted in the watched channels since the last look."""
        for name in WATCHED:
            for message in self.stage.channels[name].messages:
                if message.id not in self._seen:
                    self._seen.add(message.id)
                    self.show(name, message)

    def show(self, channel: str, message: Message) -> None:
        stage = self.stage
        files = [attachment.filename for attachment in message.attachments]
        stage.log.write({
            "type": "announcement",
            "channel": channel,
            "message_id": str(message.id),
            "content": message.content,
            "embeds": [{"title": embed.get("title"), "description": embed.get("description")}
                       for embed in message.embeds],
            "files": files,
        })
        if channel == "leaderboards":
            self.leaderboard_posts += 1
        self.feed.post(channel, stage.when(), message.content, message.embeds, files)
        for attachment in message.attachments:
            if channel == "announcements" and attachment.filename.lower().endswith(".png"):
                self.outputs.recap.write_bytes(attachment.data)
                self.recap_saved.set()

    async def wait_for_recap(self) -> None:
        try:
            await asyncio.wait_for(self.recap_saved.wait(), RECAP_TIMEOUT)
        except TimeoutError:
            self.stage.problems.append(
                f"No recap picture reached #announcements within {RECAP_TIMEOUT:g} s of the ceremony's end."
            )


async def rehearse(script: Script, outputs: Outputs, feed: Feed, clock: ScaledClock) -> Outcome:
    """Play the night; raise :class:`RehearsalError` when it can't go on.

    The bot's log goes to a file beside the database (not the terminal, which
    shows the feed), this process's (the stand-in's) too; an ERROR either logs counts
    as a problem of the night.
    """
    handler = logging.FileHandler(outputs.bot_log, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    errors: list[str] = []
    counter = ErrorCounter(errors)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.addHandler(counter)
    root.setLevel(logging.INFO)
    try:
        outcome = await Rehearsal(script, outputs, feed, clock, errors).run()
    finally:
        root.removeHandler(handler)
        root.removeHandler(counter)
        root.setLevel(level)
        handler.close()
    if errors:
        outcome.problems.append(
            f"The bot logged {len(errors)} error(s), first: {errors[0]} (see {outputs.bot_log})."
        )
    return outcome


class ErrorCounter(logging.Handler):
    """Adds this process's ERROR records to `messages` (the bot's come relayed from its own)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(level=logging.ERROR)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")
