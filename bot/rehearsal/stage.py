"""The stage: the server in the stand-in and everyone on it, shared by the rehearsal's parts.

It also keeps the night's book: every action goes through :meth:`Stage.record`,
which writes the event-log line, counts it, and shows a refusal in the feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.rehearsal.clock import ScaledClock, show_time
from bot.rehearsal.feed import Feed
from bot.rehearsal.ledger import EventLog
from bot.rehearsal.outputs import Outputs
from bot.rehearsal.replies import INVALID, NO_ANSWER, REFUSED, Answer, Refusals, plain
from bot.rehearsal.script import HOST, Event, Script
from standin import Channel, Guild, Member, Role, StandIn

EXPECTED_REFUSALS = {"late": "category_logged", "taken": "nominee_taken"}
"""The refusals the script plans (an event's `why`), and the reason the bot must give for each."""
MAX_FAILURES_IN_A_ROW = 5


@dataclass
class Stats:
    actions: int = 0
    picks: int = 0
    pledges: int = 0
    pledged_cents: int = 0
    refused: int = 0
    unexpected: list[str] = field(default_factory=list)


@dataclass
class Stage:
    script: Script
    outputs: Outputs
    feed: Feed
    clock: ScaledClock
    log: EventLog
    standin: StandIn
    guild: Guild
    channels: dict[str, Channel]
    loser_role: Role
    members: dict[str, Member]
    stats: Stats = field(default_factory=Stats)
    logged: set[int] = field(default_factory=set)
    """Categories whose result stands (as the host's replies confirmed)."""
    show_start: datetime | None = None
    pre_show_minute: float = -60.0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    abort: str | None = None
    """Set when the night can't go on (the bot stopped answering); the runner stops at the next event."""
    failures_in_a_row: int = 0
    refusals: Refusals = field(default_factory=Refusals)
    """Why the bot refused each interaction it refused (attached to the bot's error log while the night runs)."""

    @classmethod
    def open(
        cls, standin: StandIn, script: Script, outputs: Outputs, feed: Feed, clock: ScaledClock, log: EventLog
    ) -> Stage:
        """The server a host would have: #announcements, #leaderboards and a Loser role; the host owns it."""
        guild = standin.create_guild("Emmy Night Rehearsal", owner_name=HOST)
        stage = cls(
            script=script, outputs=outputs, feed=feed, clock=clock, log=log, standin=standin, guild=guild,
            channels={
                "general": guild.channel("general"),
                "announcements": guild.create_text_channel("announcements", topic="Results and news"),
                "leaderboards": guild.create_text_channel("leaderboards", topic="Who's losing best"),
            },
            loser_role=guild.create_role("Loser", color=0x8E44AD),
            members={HOST: guild.owner},
        )
        feed.mention = stage.mention
        feed.now = clock
        return stage

    @property
    def host(self) -> Member:
        return self.members[HOST]

    def minutes_now(self) -> float | None:
        if self.show_start is None:
            return None
        return (self.clock() - self.show_start).total_seconds() / 60

    def when(self, event: Event | None = None) -> str:
        """The show clock now; before the show, the minute of the event being played."""
        minutes = self.minutes_now()
        if minutes is None:
            minutes = event.minute if event is not None else self.pre_show_minute
        return show_time(minutes)

    def mention(self, kind: str, number: int) -> str | None:
        """A name for a mention tag in the feed."""
        world = self.standin.world
        if kind == "user":
            user = world.users.get(number)
            return None if user is None else (user.global_name or user.username)
        if kind == "channel":
            channel = world.channels.get(number)
            return None if channel is None else channel.name
        role = self.guild.roles.get(number)
        return None if role is None else role.name

    # ---- the book -------------------------------------------------------------------------

    @staticmethod
    def plan_of(event: Event) -> dict[str, object]:
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
        """Log the action and the bot's answer; show a refusal; notice a bot that stopped answering."""
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
        refusal = self.refusals.of(answer)
        if refusal is not None:
            entry["refusal"] = refusal
        if trail:
            entry["autocomplete"] = trail
        if ack:
            entry["ack"] = ack
        self.log.write(entry)
        self.stats.actions += 1
        self._count_failures(answer)
        if answer.ok:
            return
        expected = refusal is not None and refusal["reason"] == EXPECTED_REFUSALS.get(event.why)
        self.stats.refused += 1
        if not expected:
            self.stats.unexpected.append(f"{event.actor} · /{command}: {plain(answer.description)}")
        if answer.outcome == REFUSED:
            self.feed.refusal(self.when(event), event.actor, command, answer.description or answer.title,
                              expected=expected)
        else:
            self.problem(f"{event.actor} · /{command}: {answer.outcome}: {answer.description}")

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.feed.problem(text)

    def _count_failures(self, answer: Answer) -> None:
        if answer.outcome not in (NO_ANSWER, INVALID):
            self.failures_in_a_row = 0
            return
        self.failures_in_a_row += 1
        if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW and self.abort is None:
            self.abort = (
                f"The bot stopped answering: {self.failures_in_a_row} commands in a row got no answer "
                f"(last: {answer.description}); see {self.outputs.bot_log}."
            )
