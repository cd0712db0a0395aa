"""Runs the night: the Discord stand-in, the real bot, the script, the live feed and the checks.

The bot is the same :class:`~bot.lounge.LoungeBot` that ``python -m bot`` runs,
configured through :class:`~bot.config.Settings` with the stand-in's REST and
gateway addresses, exactly as the end-to-end tests start it; the only injected
difference is its clock (:class:`~bot.rehearsal.clock.ScaledClock`). Everything
the simulated host and members do goes through slash commands, autocomplete and
button clicks over the wire.

Events run in the script's order. Host actions and claims are barriers: they
start once everything before them has finished, so the outcome never depends on
timing (same seed, same totals). Other members' actions run concurrently, each
member's in order. Every wait is bounded; a refusal is shown and the night goes
on.
"""

# Waits take `timeout=` like the stand-in's story API they pass it to.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http

from bot.config import Settings
from bot.domain.errors import InvalidInput
from bot.domain.money import format_cents, parse_cents
from bot.embeds import Colour
from bot.lounge import LoungeBot
from bot.rehearsal.clock import ScaledClock, show_time
from bot.rehearsal.feed import Board, Feed
from bot.rehearsal.ledger import OK, EventLog, Ledger, ledger_from_log
from bot.rehearsal.script import HOST, Event, Kind, PlannedCategory, Script
from bot.standin import Attachment, Channel, Guild, Member, Message, Reply, Role, StandIn, StandInError
from bot.text import clip

TOKEN = "rehearsal-token"  # noqa: S105 - the stand-in's fake bot token
CONCURRENCY = 12
REPLY_TIMEOUT = 10.0
IMPORT_TIMEOUT = 30.0
READY_TIMEOUT = 20.0
RECAP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
MAX_FAILURES_IN_A_ROW = 5
WATCH_INTERVAL = 0.05
CATEGORY_WORDS = 6
NOMINEE_WORDS = 2
EXPECTED_REFUSALS = ("late", "taken")
BOARDS = (("losers", "Losses"), ("donors", "Pledged"), ("pickers", "Right picks"))
_PLEDGE_ID = re.compile(r"Pledge #(\d+)")
_BOLD_AMOUNT = re.compile(r"\*\*(\$[\d,]+(?:\.\d\d)?)\*\*")
_BOARD_LINE = re.compile(r"^\*\*([\d,]+)\.\*\* (.*) — (.*)$")
_UNESCAPE = re.compile(r"\\(.)")
_LOSSES = re.compile(r"^Losses tonight: (\d+)$")


class RehearsalError(Exception):
    """The rehearsal can't go on (the bot didn't start, refused the ceremony…); one sentence."""


@dataclass(frozen=True, slots=True)
class Outputs:
    """The files a rehearsal leaves, side by side: database, event log, recap picture, bot log."""

    database: Path
    events: Path
    recap: Path
    bot_log: Path

    @classmethod
    def beside(cls, database: Path) -> Outputs:
        stem = database.name.removesuffix(".db") if database.name.endswith(".db") else database.name
        return cls(
            database=database,
            events=database.with_name(f"{stem}.events.jsonl"),
            recap=database.with_name(f"{stem}.recap.png"),
            bot_log=database.with_name(f"{stem}.bot.log"),
        )

    def prepare(self) -> None:
        """Make the folder; replace an earlier rehearsal's files, but never someone else's database."""
        if self.database.is_dir():
            raise RehearsalError(f"--database {str(self.database)!r} is a folder: name a file, e.g. lounge.db.")
        if self.database.exists() and not self.events.exists():
            raise RehearsalError(
                f"{str(self.database)!r} exists and isn't a rehearsal's database (no {self.events.name} beside "
                "it): choose another --database so it isn't overwritten."
            )
        try:
            self.database.parent.mkdir(parents=True, exist_ok=True)
            for path in (self.database, *(self.database.with_name(self.database.name + suffix)
                                          for suffix in ("-wal", "-shm", "-journal")),
                         self.events, self.recap, self.bot_log):
                path.unlink(missing_ok=True)
        except OSError as error:
            raise RehearsalError(f"Can't prepare {str(self.database.parent)!r}: {error.strerror}.") from None


@dataclass
class Answer:
    """The bot's answer to one action, as the member saw it."""

    outcome: str
    """ok, refused (the bot said no), no answer (timed out) or invalid (the stand-in refused to send it)."""
    title: str = ""
    description: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    reply: Reply | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == OK


@dataclass
class Outcome:
    """What the rehearsal found."""

    outputs: Outputs
    ledger: Ledger
    raised_cents: int | None
    goal_cents: int | None
    losses: dict[str, int]
    recap_saved: bool
    problems: list[str]
    warnings: list[str]
    real_seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Stats:
    actions: int = 0
    picks: int = 0
    pledges: int = 0
    pledged_cents: int = 0
    refused: int = 0
    unexpected: list[str] = field(default_factory=list)


def _first_embed(reply: Reply) -> dict[str, Any] | None:
    for message in reply.all_messages():
        if message.embeds:
            return message.embeds[0]
    return None


def _answer_from(embed: dict[str, Any] | None, reply: Reply | None) -> Answer:
    if embed is None:
        return Answer("refused", "No reply", "The bot answered without an embed.", reply=reply)
    fields = {
        str(item.get("name", "")): str(item.get("value", ""))
        for item in embed.get("fields") or [] if isinstance(item, dict)
    }
    outcome = "refused" if embed.get("color") == Colour.BAD else OK
    return Answer(outcome, str(embed.get("title", "")), str(embed.get("description", "")), fields, reply)


def plain(text: str) -> str:
    """Discord markdown escapes removed (``\\(2014\\)`` → ``(2014)``), for parsing replies."""
    return _UNESCAPE.sub(r"\1", text)


def _cents(text: str) -> int | None:
    found = _BOLD_AMOUNT.search(text) or re.search(r"(\$[\d,]+(?:\.\d\d)?)", text)
    if found is None:
        return None
    try:
        return parse_cents(found.group(1))
    except InvalidInput:
        return None


def _offered(name: str, wanted: str) -> bool:
    return name == wanted or (name.endswith("…") and wanted.startswith(name[:-1]))


def _typed(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


class Rehearsal:
    """One night, from an empty server to the recap."""

    def __init__(self, script: Script, outputs: Outputs, feed: Feed, clock: ScaledClock) -> None:
        self.script = script
        self.outputs = outputs
        self.feed = feed
        self.clock = clock
        self.stats = Stats()
        self.logged: set[int] = set()
        self.show_start: datetime | None = None
        self.members: dict[str, Member] = {}
        self.recap_saved = asyncio.Event()
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self._bot: LoungeBot | None = None
        self._bot_task: asyncio.Task[None] | None = None
        self._standin: StandIn | None = None
        self._guild: Guild | None = None
        self._channels: dict[str, Channel] = {}
        self._log: EventLog | None = None
        self._seen: set[int] = set()
        self._semaphore = asyncio.Semaphore(CONCURRENCY)
        self._loser_role: Role | None = None
        self._pre_show_minute = -60.0
        self._abort: str | None = None
        self._failures_in_a_row = 0
        feed.mention = self.mention
        feed.now = clock

    # ---- properties that exist once the night has begun ----------------------------------

    @property
    def standin(self) -> StandIn:
        assert self._standin is not None, "the stand-in is not started"
        return self._standin

    @property
    def guild(self) -> Guild:
        assert self._guild is not None, "the server is not created"
        return self._guild

    @property
    def host(self) -> Member:
        return self.members[HOST]

    @property
    def log(self) -> EventLog:
        assert self._log is not None, "the event log is not open"
        return self._log

    # ---- the whole run ---------------------------------------------------------------------

    async def run(self) -> Outcome:
        saved_endpoints = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        self._log = EventLog(self.outputs.events, self.clock)
        watcher: asyncio.Task[None] | None = None
        ticker: asyncio.Task[None] | None = None
        try:
            async with StandIn(token=TOKEN, bot_name="Losers Lounge") as standin:
                self._standin = standin
                self.open_server()
                await self.start_bot()
                self.feed.begin(self.script.ceremony.name, len(self.script.ceremony.categories))
                watcher = asyncio.create_task(self.watch(), name="rehearsal-feed")
                ticker = asyncio.create_task(self.tick(), name="rehearsal-progress")
                await self.play()
                await self.wait_for_recap()
                self.catch_up()
                self.feed.end_live()
                ticker.cancel()
                return await self.finale()
        finally:
            for task in (watcher, ticker):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            self.feed.end_live()
            await self.stop_bot()
            self.log.close()
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_endpoints

    def open_server(self) -> None:
        """The server a host would have: #announcements, #leaderboards and a Loser role."""
        guild = self.standin.create_guild("Emmy Night Rehearsal", owner_name=HOST)
        self._guild = guild
        self.members[HOST] = guild.owner
        self._channels = {
            "general": guild.channel("general"),
            "announcements": guild.create_text_channel("announcements", topic="Results and news"),
            "leaderboards": guild.create_text_channel("leaderboards", topic="Who's losing best"),
        }
        self._loser_role = guild.create_role("Loser", color=0x8E44AD)

    async def start_bot(self) -> None:
        settings = Settings(
            discord_token=TOKEN,
            database_path=self.outputs.database,
            dev_guild_id=self.guild.id,
            log_level="INFO",
            discord_api_base=self.standin.api_base,
            discord_gateway_url=self.standin.gateway_url,
        )
        bot = LoungeBot(settings, clock=self.clock)
        self._bot = bot
        self._bot_task = asyncio.create_task(bot.start(TOKEN), name="lounge-bot")

        async def ready() -> None:
            await self.standin.wait_until_ready(timeout=READY_TIMEOUT)
            await self.standin.wait_for_commands_synced(self.guild, timeout=READY_TIMEOUT)

        waiting = asyncio.create_task(ready())
        await asyncio.wait({self._bot_task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if self._bot_task.done():
            waiting.cancel()
            error = None if self._bot_task.cancelled() else self._bot_task.exception()
            reason = f"{type(error).__name__}: {error}" if error is not None else "it stopped at once"
            raise RehearsalError(f"The bot could not start: {reason} (see {self.outputs.bot_log}).")
        try:
            waiting.result()
        except StandInError:
            raise RehearsalError(
                f"The bot did not connect to the stand-in within {READY_TIMEOUT:g} s (see {self.outputs.bot_log})."
            ) from None
        self.log.write({"type": "bot", "event": "ready", "guild_id": str(self.guild.id)})

    async def stop_bot(self) -> None:
        if self._bot is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._bot.close(), STOP_TIMEOUT)
        if self._bot_task is not None:
            if not self._bot_task.done():
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(self._bot_task, STOP_TIMEOUT)
            elif not self._bot_task.cancelled() and self._bot_task.exception() is not None:
                self.warnings.append(f"The bot stopped with an error: {self._bot_task.exception()}")
        self._bot = None
        self._bot_task = None

    # ---- pacing ----------------------------------------------------------------------------

    def minutes_now(self) -> float | None:
        if self.show_start is None:
            return None
        return (self.clock() - self.show_start).total_seconds() / 60

    def when(self, event: Event | None = None) -> str:
        """The show clock now; before the show, the minute of the event being played."""
        minutes = self.minutes_now()
        if minutes is None:
            minutes = event.minute if event is not None else self._pre_show_minute
        return show_time(minutes)

    async def play(self) -> None:
        chains: dict[str, asyncio.Task[None]] = {}
        inflight: set[asyncio.Task[None]] = set()

        async def drain() -> None:
            while inflight:
                await asyncio.wait(set(inflight))

        try:
            for event in self.script.events:
                if self.show_start is not None and event.minute >= 0:
                    await self.clock.sleep_until(self.show_start + timedelta(minutes=event.minute))
                self.check_bot()
                if event.barrier:
                    await drain()
                    self.check_bot()
                    await self.perform(event)
                    continue
                task = asyncio.create_task(self.after(chains.get(event.actor), event))
                chains[event.actor] = task
                inflight.add(task)
                task.add_done_callback(inflight.discard)
            await drain()
            self.check_bot()
        finally:
            for task in list(inflight):
                task.cancel()
            await asyncio.gather(*inflight, return_exceptions=True)

    async def after(self, previous: asyncio.Task[None] | None, event: Event) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        async with self._semaphore:
            if self._abort is None:
                await self.perform(event)

    def check_bot(self) -> None:
        """Stop the night when the bot has stopped, or stopped answering (rather than time out thousands of times)."""
        if self._abort is None and self._bot_task is not None and self._bot_task.done():
            error = None if self._bot_task.cancelled() else self._bot_task.exception()
            reason = f": {error}" if error else ""
            self._abort = f"The bot stopped during the night{reason} (see {self.outputs.bot_log})."
        if self._abort is not None:
            raise RehearsalError(self._abort)

    def count(self, answer: Answer) -> None:
        if answer.outcome in ("no answer", "invalid"):
            self._failures_in_a_row += 1
            if self._failures_in_a_row >= MAX_FAILURES_IN_A_ROW and self._abort is None:
                self._abort = (
                    f"The bot stopped answering: {self._failures_in_a_row} commands in a row got no answer "
                    f"(last: {answer.description}); see {self.outputs.bot_log}."
                )
        else:
            self._failures_in_a_row = 0

    async def tick(self) -> None:
        while True:
            stats = self.stats
            self.feed.update(
                len(self.logged), self.when(),
                f"{stats.picks:,} picks · {stats.pledges:,} pledges ({format_cents(stats.pledged_cents)}) · "
                f"{stats.refused:,} refused",
            )
            await asyncio.sleep(0.1)

    # ---- performing one event ---------------------------------------------------------------

    async def perform(self, event: Event) -> None:
        handlers: dict[Kind, Callable[[Event], Awaitable[None]]] = {
            Kind.SETTINGS: self.settings,
            Kind.CREATE: self.create,
            Kind.IMPORT: self.import_file,
            Kind.START: self.start,
            Kind.JOIN: self.join,
            Kind.DECLARE: self.declare,
            Kind.CLAIM: self.choose_nominee,
            Kind.PICK: self.choose_nominee,
            Kind.PLEDGE: self.pledge,
            Kind.PLEDGE_PAID: self.pledge_paid,
            Kind.RESULT_LOG: self.result,
            Kind.RESULT_TIE: self.result,
            Kind.RESULT_UNDO: self.undo,
            Kind.END: self.end,
        }
        if self.show_start is None:
            self._pre_show_minute = max(self._pre_show_minute, event.minute)
        try:
            await handlers[event.kind](event)
        except RehearsalError:
            raise
        except Exception as error:  # one action failing must not end the night: record it and go on
            self.problems.append(f"{event.actor} · {event.kind}: {type(error).__name__}: {error}")
            self.feed.problem(f"{event.actor} · {event.kind} failed: {type(error).__name__}: {error}")
            self.log.write({"type": "action", "actor": event.actor, "action": event.kind.value,
                            "plan": self.plan_of(event), "outcome": "failed", "error": repr(error)})

    async def ask(
        self, member: Member, command: str, options: dict[str, object], *, timeout: float = REPLY_TIMEOUT
    ) -> Answer:
        sent = {name: value for name, value in options.items() if value is not None}
        try:
            # The engine behind `member.slash`, called with the options as a mapping (they are any command's).
            reply = await self.standin.engine.send_slash(member, command, None, sent).reply(timeout=timeout)
        except StandInError as error:
            return Answer("no answer" if isinstance(error, AssertionError) else "invalid", "", str(error))
        return _answer_from(_first_embed(reply), reply)

    async def suggest(
        self, member: Member, command: str, option: str, typed: str, wanted: str, trail: list[dict[str, object]],
        **others: object,
    ) -> str:
        """Type `typed` into `option` and take the suggestion that reads `wanted`, as a member would.

        When it isn't offered, the member sends the text itself (the bot resolves exact names too).
        """
        step: dict[str, object] = {"option": option, "typed": typed}
        trail.append(step)
        try:
            sent = self.standin.engine.send_autocomplete(member, command, option, None, {option: typed} | others)
            choices = (await sent.reply(timeout=REPLY_TIMEOUT)).choices
        except StandInError as error:
            step["error"] = str(error)
            return wanted
        step["offered"] = len(choices)
        for choice in choices:
            if _offered(str(choice.get("name", "")), wanted):
                step["chosen"] = choice.get("name")
                return str(choice.get("value"))
        step["chosen"] = None
        return wanted

    def plan_of(self, event: Event) -> dict[str, object]:
        plan: dict[str, object] = {"minute": event.minute}
        for name in ("category", "nominee", "amount", "note", "why"):
            value = getattr(event, name)
            if value is not None and value != "":
                plan[name] = value
        if event.anonymous:
            plan["anonymous"] = True
        return plan

    def record(
        self,
        event: Event,
        command: str,
        options: dict[str, object],
        answer: Answer,
        *,
        ack: dict[str, object] | None = None,
        trail: list[dict[str, object]] | None = None,
    ) -> None:
        member = self.members.get(event.actor)
        entry: dict[str, object] = {
            "type": "action",
            "actor": event.actor,
            "user_id": str(member.id) if member is not None else None,
            "action": event.kind.value,
            "command": command,
            "options": {name: value if isinstance(value, (str, int, bool)) else str(value)
                        for name, value in options.items() if value is not None},
            "plan": self.plan_of(event),
            "outcome": answer.outcome,
            "reply": {"title": answer.title, "description": answer.description},
        }
        if trail:
            entry["autocomplete"] = trail
        if ack:
            entry["ack"] = ack
        self.log.write(entry)
        self.stats.actions += 1
        self.count(answer)
        if answer.ok:
            return
        expected = event.why in EXPECTED_REFUSALS
        self.stats.refused += 1
        if not expected:
            self.stats.unexpected.append(f"{event.actor} · /{command}: {plain(answer.description)}")
        if answer.outcome == "refused":
            self.feed.refusal(self.when(event), event.actor, command, answer.description or answer.title,
                              expected=expected)
        else:
            self.problems.append(f"{event.actor} · /{command}: {answer.outcome}: {answer.description}")
            self.feed.problem(f"{event.actor} · /{command}: {answer.outcome}: {answer.description}")

    def host_note(self, event: Event, text: str, answer: Answer) -> None:
        if answer.ok:
            self.feed.note(self.when(event), f"🎙️ {HOST} · {text} ✓ {answer.title}", style="white")

    # ---- the host ---------------------------------------------------------------------------

    async def settings(self, event: Event) -> None:
        options: dict[str, object] = {
            "announcement_channel": self._channels["announcements"],
            "leaderboard_channel": self._channels["leaderboards"],
            "loser_role": self._loser_role,
            "leaderboard_interval": self.script.leaderboard_interval,
            "goal": self.script.goal,
            "winner_tax": self.script.winner_tax,
        }
        answer = await self.ask(self.host, "settings set", options)
        ack: dict[str, object] = {}
        for name, key in (("Goal", "goal_cents"), ("Winner's tax", "winner_tax_cents")):
            cents = _cents(answer.fields.get(name, ""))
            if cents is not None:
                ack[key] = cents
        self.record(event, "settings set", options, answer, ack=ack)
        if not answer.ok:
            raise RehearsalError(f"The bot refused the host's settings: {plain(answer.description)}")
        self.feed.note(self.when(event), f"⚙️ {HOST} set #announcements, #leaderboards, the Loser role, "
                       f"boards every {self.script.leaderboard_interval} min, a goal of ${self.script.goal} "
                       f"and a winner's tax of ${self.script.winner_tax}", style="white", always=True)

    async def create(self, event: Event) -> None:
        ceremony = self.script.ceremony
        options: dict[str, object] = {"name": ceremony.name, "year": ceremony.year}
        answer = await self.ask(self.host, "ceremony create", options)
        self.record(event, "ceremony create", options, answer)
        if not answer.ok:
            raise RehearsalError(f"The bot refused to create the ceremony: {plain(answer.description)}")
        self.host_note(event, "/ceremony create", answer)

    async def import_file(self, event: Event) -> None:
        ceremony = self.script.ceremony
        content_type = "application/json" if ceremony.path.suffix.lower() == ".json" else "text/csv"
        options: dict[str, object] = {"file": Attachment(ceremony.path.name, ceremony.data, content_type)}
        answer = await self.ask(self.host, "ceremony import", options, timeout=IMPORT_TIMEOUT)
        self.record(event, "ceremony import", options, answer)
        if not answer.ok:
            raise RehearsalError(f"The bot refused {ceremony.path.name}: {plain(answer.description)}")
        self.feed.note(self.when(event), f"📥 {HOST} · /ceremony import {ceremony.path.name}: "
                       f"{plain(answer.description).split('.')[0]}", style="white", always=True)

    async def start(self, event: Event) -> None:
        self.show_start = self.clock()
        answer = await self.ask(self.host, "ceremony start", {})
        self.record(event, "ceremony start", {}, answer)
        if not answer.ok:
            raise RehearsalError(f"The bot refused to start the ceremony: {plain(answer.description)}")
        self.host_note(event, "/ceremony start", answer)

    async def result(self, event: Event) -> None:
        assert event.category is not None
        assert event.nominee is not None
        category = self.script.category(event.category)
        nominee = category.nominees[event.nominee]
        tie = event.kind is Kind.RESULT_TIE
        command, option = ("result tie", "nominee") if tie else ("result log", "winner")
        trail: list[dict[str, object]] = []
        category_value = await self.suggest(self.host, command, "category", _typed(category.name, CATEGORY_WORDS),
                                            clip(category.name, 100), trail)
        nominee_value = await self.suggest(self.host, command, option, _typed(nominee.choice, NOMINEE_WORDS),
                                           nominee.choice, trail, category=category_value)
        options: dict[str, object] = {"category": category_value, option: nominee_value}
        answer = await self.ask(self.host, command, options)
        self.record(event, command, options, answer, trail=trail,
                    ack={"effects": answer.fields.get("Effects", "")} if answer.ok else None)
        if answer.ok:
            self.logged.add(event.category)
            wrong = " (the wrong winner, as planned: the host will undo it)" if event.why == "wrong" else ""
            self.host_note(event, f"/{command} {category.name} → {nominee.label}{wrong}", answer)

    async def undo(self, event: Event) -> None:
        assert event.category is not None
        category = self.script.category(event.category)
        trail: list[dict[str, object]] = []
        value = await self.suggest(self.host, "result undo", "category", _typed(category.name, CATEGORY_WORDS),
                                   clip(category.name, 100), trail)
        options: dict[str, object] = {"category": value}
        asked = await self.ask(self.host, "result undo", options)
        answer = await self.confirm(asked) if asked.ok else asked
        self.record(event, "result undo", options, answer, trail=trail)
        if answer.ok:
            self.logged.discard(event.category)
            self.host_note(event, f"/result undo {category.name} → clicked “Undo the result”", answer)

    async def end(self, event: Event) -> None:
        asked = await self.ask(self.host, "ceremony end", {})
        answer = await self.confirm(asked) if asked.ok else asked
        self.record(event, "ceremony end", {}, answer)
        if answer.ok:
            self.host_note(event, "/ceremony end → clicked “End the ceremony”", answer)

    async def confirm(self, asked: Answer) -> Answer:
        """Click the reply's "yes" button and wait until the bot has replaced the question with its answer."""
        reply = asked.reply
        assert reply is not None
        yes = next((custom_id for custom_id in reply.custom_ids if custom_id.endswith(":yes")), None)
        if yes is None:
            return Answer("refused", asked.title, f"No confirmation button on the reply (custom ids: "
                                                  f"{reply.custom_ids}).")
        try:
            clicked = await self.host.click(reply, yes, timeout=REPLY_TIMEOUT)

            def answered() -> Answer | None:
                if clicked.followups:
                    return _answer_from(clicked.followups[-1].embeds[0] if clicked.followups[-1].embeds else None,
                                        clicked)
                message = clicked.message
                if message is not None and message.embeds and message.embeds[0].get("title") != asked.title:
                    return _answer_from(message.embeds[0], clicked)
                return None

            return await self.standin.wait_until(answered, what="the confirmation's answer", timeout=REPLY_TIMEOUT)
        except StandInError as error:
            return Answer("no answer" if isinstance(error, AssertionError) else "invalid", asked.title, str(error))

    # ---- the members ------------------------------------------------------------------------

    async def join(self, event: Event) -> None:
        member = self.guild.add_member(event.actor)
        self.members[event.actor] = member
        self.log.write({"type": "action", "actor": event.actor, "user_id": str(member.id), "action": "join",
                        "plan": self.plan_of(event), "outcome": OK})
        if event.minute >= 0:
            self.feed.note(self.when(event), f"👋 {event.actor} joined the server mid-show")

    async def declare(self, event: Event) -> None:
        member = self.members[event.actor]
        trail: list[dict[str, object]] = []
        category_value: str | None = None
        if event.category is not None:
            category = self.script.category(event.category)
            category_value = await self.suggest(member, "loser declare", "category",
                                                _typed(category.name, CATEGORY_WORDS), clip(category.name, 100), trail)
        options: dict[str, object] = {"category": category_value, "note": event.note}
        answer = await self.ask(member, "loser declare", options)
        self.record(event, "loser declare", options, answer, trail=trail)

    async def choose_nominee(self, event: Event) -> None:
        """`/pick` or `/nominee claim`: category and nominee through autocomplete."""
        assert event.category is not None
        assert event.nominee is not None
        member = self.members[event.actor]
        command = "pick" if event.kind is Kind.PICK else "nominee claim"
        category: PlannedCategory = self.script.category(event.category)
        nominee = category.nominees[event.nominee]
        trail: list[dict[str, object]] = []
        category_value = await self.suggest(member, command, "category", _typed(category.name, CATEGORY_WORDS),
                                            clip(category.name, 100), trail)
        nominee_value = await self.suggest(member, command, "nominee", _typed(nominee.choice, NOMINEE_WORDS),
                                           nominee.choice, trail, category=category_value)
        options: dict[str, object] = {"category": category_value, "nominee": nominee_value}
        answer = await self.ask(member, command, options)
        self.record(event, command, options, answer, trail=trail)
        if answer.ok and event.kind is Kind.PICK:
            self.stats.picks += 1

    async def pledge(self, event: Event) -> None:
        member = self.members[event.actor]
        options: dict[str, object] = {"amount": event.amount, "note": event.note,
                                      "anonymous": True if event.anonymous else None}
        answer = await self.ask(member, "pledge add", options)
        ack: dict[str, object] | None = None
        if answer.ok:
            pledge_id = _PLEDGE_ID.search(answer.title)
            amount = _cents(answer.description)
            if pledge_id is None or amount is None:
                answer.outcome = "refused"
                answer.description = f"Unreadable receipt: {answer.title} / {answer.description}"
            else:
                ack = {"pledge_id": int(pledge_id.group(1)), "amount_cents": amount,
                       "duplicate": "already recorded" in answer.title}
                self.stats.pledges += 1
                self.stats.pledged_cents += amount
        self.record(event, "pledge add", options, answer, ack=ack)

    async def pledge_paid(self, event: Event) -> None:
        member = self.members[event.actor]
        trail: list[dict[str, object]] = [{"option": "id", "typed": ""}]
        try:
            choices = await member.autocomplete("pledge paid", "id", timeout=REPLY_TIMEOUT, id="")
        except StandInError as error:
            choices = []
            trail[0]["error"] = str(error)
        own = [choice for choice in choices if "winner's tax" not in str(choice.get("name", ""))]
        trail[0] |= {"offered": len(choices), "chosen": own[0].get("name") if own else None}
        if not own:
            self.log.write({"type": "action", "actor": event.actor, "action": event.kind.value,
                            "plan": self.plan_of(event), "outcome": "skipped",
                            "reply": {"description": "no pending pledge of their own to mark paid"}})
            return
        pledge_id = min(int(str(choice["value"])) for choice in own)
        options: dict[str, object] = {"id": pledge_id}
        answer = await self.ask(member, "pledge paid", options)
        self.record(event, "pledge paid", options, answer, trail=trail)

    # ---- the channels -----------------------------------------------------------------------

    def mention(self, kind: str, number: int) -> str | None:
        if self._standin is None:
            return None
        world = self.standin.world
        if kind == "user":
            user = world.users.get(number)
            return None if user is None else (user.global_name or user.username)
        if kind == "channel":
            channel = world.channels.get(number)
            return None if channel is None else channel.name
        guild = self._guild
        role = guild.roles.get(number) if guild is not None else None
        return None if role is None else role.name

    async def watch(self) -> None:
        while True:
            self.catch_up()
            await asyncio.sleep(WATCH_INTERVAL)

    def catch_up(self) -> None:
        """Show (and log) every message posted in #announcements and #leaderboards since the last look."""
        for name in ("announcements", "leaderboards"):
            for message in self._channels[name].messages:
                if message.id in self._seen:
                    continue
                self._seen.add(message.id)
                self.show(name, message)

    def show(self, channel: str, message: Message) -> None:
        files = [attachment.filename for attachment in message.attachments]
        self.log.write({
            "type": "announcement",
            "channel": channel,
            "message_id": str(message.id),
            "content": message.content,
            "embeds": [{"title": embed.get("title"), "description": embed.get("description")}
                       for embed in message.embeds],
            "files": files,
        })
        self.feed.post(channel, self.when(), message.content, message.embeds, files)
        for attachment in message.attachments:
            if channel == "announcements" and attachment.filename.lower().endswith(".png"):
                self.outputs.recap.write_bytes(attachment.data)
                self.recap_saved.set()

    async def wait_for_recap(self) -> None:
        try:
            await asyncio.wait_for(self.recap_saved.wait(), RECAP_TIMEOUT)
        except TimeoutError:
            self.problems.append(
                f"No recap picture reached #announcements within {RECAP_TIMEOUT:g} s of the ceremony's end."
            )

    # ---- the end ------------------------------------------------------------------------------

    async def finale(self) -> Outcome:
        boards = [await self.board(kind, header) for kind, header in BOARDS]
        self.feed.boards([board for board in boards if board is not None])
        raised, goal, charity = await self.money()
        losses = await self.cards()
        self.log.flush()
        ledger = ledger_from_log(self.outputs.events)
        if raised is not None and goal is not None:
            self.feed.money(charity, raised, goal, f"({ledger.pledges} pledges + {ledger.taxes} winner's taxes)")
        self.compare(ledger, raised, losses)
        violations = [str(violation) for violation in self.standin.violations]
        if violations:
            self.problems.append(f"The bot broke {len(violations)} Discord rule(s): " + "; ".join(violations[:5]))
        if self.stats.unexpected:
            self.warnings.append(
                f"{len(self.stats.unexpected)} unplanned refusal(s), e.g. {self.stats.unexpected[0]}"
            )
        return Outcome(
            outputs=self.outputs, ledger=ledger, raised_cents=raised, goal_cents=goal, losses=losses,
            recap_saved=self.recap_saved.is_set(), problems=self.problems, warnings=self.warnings,
            real_seconds=self.clock.real_elapsed(),
        )

    async def board(self, kind: str, header: str) -> Board | None:
        answer = await self.ask(self.host, "leaderboard show", {"board": kind})
        self.log.write({"type": "final", "command": "leaderboard show", "board": kind, "outcome": answer.outcome,
                        "reply": {"title": answer.title, "description": answer.description}})
        if not answer.ok:
            self.problems.append(f"/leaderboard show board:{kind} → {answer.outcome}: {plain(answer.description)}")
            return None
        rows: list[tuple[str, str, str]] = []
        for line in answer.description.splitlines():
            found = _BOARD_LINE.match(line)
            if found is not None:
                rows.append((found.group(1), found.group(2), found.group(3)))
        footer = "" if rows else plain(answer.description)
        return Board(answer.title.split(" — ")[0], header, tuple(rows), footer)

    async def money(self) -> tuple[int | None, int | None, str]:
        answer = await self.ask(self.host, "pledge total", {})
        self.log.write({"type": "final", "command": "pledge total", "outcome": answer.outcome,
                        "reply": {"title": answer.title, "description": answer.description,
                                  "fields": answer.fields}})
        if not answer.ok:
            self.problems.append(f"/pledge total → {answer.outcome}: {plain(answer.description)}")
            return None, None, ""
        tonight = next((value for name, value in answer.fields.items() if name != "All-time"), None)
        raised = _cents(tonight) if tonight is not None else None
        goal = _cents(answer.description)
        charity = plain(answer.title).removeprefix("Pledges for ")
        return raised, goal, charity

    async def cards(self) -> dict[str, int]:
        """Every member asks for their own loser card; their losses tonight as the bot counts them."""
        losses: dict[str, int] = {}

        async def card(name: str, member: Member) -> None:
            async with self._semaphore:
                answer = await self.ask(member, "loser card", {})
            for field_name in answer.fields:
                found = _LOSSES.match(plain(field_name))
                if found is not None and int(found.group(1)):
                    losses[name] = int(found.group(1))
            if not answer.ok:
                self.problems.append(f"{name} · /loser card → {answer.outcome}: {plain(answer.description)}")

        await asyncio.gather(*(card(name, member) for name, member in self.members.items() if name != HOST))
        self.log.write({"type": "final", "command": "loser card", "losses": losses})
        return losses

    def compare(self, ledger: Ledger, raised: int | None, losses: dict[str, int]) -> None:
        if raised is not None and raised != ledger.raised_cents:
            self.problems.append(
                f"The bot reports {format_cents(raised)} raised tonight; the event log adds up to "
                f"{format_cents(ledger.raised_cents)}."
            )
        differences = [
            f"{name}: bot {losses.get(name, 0)}, log {ledger.losses.get(name, 0)}"
            for name in sorted(set(losses) | set(ledger.losses))
            if losses.get(name, 0) != ledger.losses.get(name, 0)
        ]
        if differences:
            self.problems.append(
                f"{len(differences)} member(s) have other losses than the event log says: "
                + "; ".join(differences[:5])
            )


async def rehearse(script: Script, outputs: Outputs, feed: Feed, clock: ScaledClock) -> Outcome:
    """Play the night; raise :class:`RehearsalError` when it can't go on.

    The bot's log goes to a file beside the database (not the terminal, which
    shows the feed); an ERROR it logs counts as a problem of the night.
    """
    handler = logging.FileHandler(outputs.bot_log, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    counter = ErrorCounter()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.addHandler(counter)
    root.setLevel(logging.INFO)
    try:
        outcome = await Rehearsal(script, outputs, feed, clock).run()
    finally:
        root.removeHandler(handler)
        root.removeHandler(counter)
        root.setLevel(level)
        handler.close()
    if counter.messages:
        outcome.problems.append(
            f"The bot logged {len(counter.messages)} error(s), first: {counter.messages[0]} (see {outputs.bot_log})."
        )
    return outcome


class ErrorCounter(logging.Handler):
    """Remembers the bot's ERROR records, so the rehearsal can say the bot hit a bug."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")
