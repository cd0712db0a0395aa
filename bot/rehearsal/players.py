"""The host and the members: each event of the script done as a person would, through the client.

Slash commands with their options, autocomplete to find a category or a nominee
(the member types a few words and takes the suggestion that reads right, or
sends the text when it isn't offered), and the confirmation buttons the host
clicks. Every action and the bot's answer is recorded on the stage.
"""

# Waits take `timeout=` like the stand-in's story API they pass it to.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.rehearsal.ledger import OK
from bot.rehearsal.outputs import RehearsalError
from bot.rehearsal.replies import (
    INVALID,
    NO_ANSWER,
    PLEDGE_ID,
    REFUSED,
    Answer,
    answer_from,
    cents_in,
    first_embed,
    offered,
    plain,
    typed,
)
from bot.rehearsal.script import HOST, Event, Kind
from bot.rehearsal.stage import Stage
from bot.text import clip
from standin import Attachment, Member, StandInError

REPLY_TIMEOUT = 10.0
IMPORT_TIMEOUT = 30.0
CHOICE_LIMIT = 100
CATEGORY_WORDS = 6
NOMINEE_WORDS = 2


def _failed(error: StandInError) -> str:
    return NO_ANSWER if isinstance(error, AssertionError) else INVALID


class Players:
    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self._handlers: dict[Kind, Callable[[Event], Awaitable[None]]] = {
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

    async def perform(self, event: Event) -> None:
        stage = self.stage
        if stage.show_start is None:
            stage.pre_show_minute = max(stage.pre_show_minute, event.minute)
        try:
            await self._handlers[event.kind](event)
        except RehearsalError:
            raise
        except Exception as error:  # one action failing must not end the night: record it and go on
            stage.problem(f"{event.actor} · {event.kind} failed: {type(error).__name__}: {error}")
            stage.log.write({"type": "action", "actor": event.actor, "action": event.kind.value,
                             "plan": stage.plan_of(event), "outcome": "failed", "error": repr(error)})

    # ---- the client ---------------------------------------------------------------------------

    async def ask(
        self, member: Member, command: str, options: dict[str, object], *, timeout: float = REPLY_TIMEOUT
    ) -> Answer:
        """Run `/command` with `options` (None ones left out) and read the answer."""
        sent = {name: value for name, value in options.items() if value is not None}
        try:
            # The engine behind `member.slash`, given the options as a mapping (they are any command's).
            reply = await self.stage.standin.engine.send_slash(member, command, None, sent).reply(timeout=timeout)
        except StandInError as error:
            return Answer(_failed(error), "", str(error))
        answer = answer_from(first_embed(reply), reply)
        await self.stage.refusals.settled(answer)
        return answer

    async def suggest(
        self, member: Member, command: str, option: str, text: str, wanted: str, trail: list[dict[str, object]],
        **others: object,
    ) -> str:
        """Type `text` into `option` and take the suggestion that reads `wanted`, as a member would.

        When it isn't offered, the member sends `wanted` itself (the bot resolves exact names too).
        """
        step: dict[str, object] = {"option": option, "typed": text}
        trail.append(step)
        engine = self.stage.standin.engine
        try:
            sent = engine.send_autocomplete(member, command, option, None, {option: text} | others)
            choices = (await sent.reply(timeout=REPLY_TIMEOUT)).choices
        except StandInError as error:
            step["error"] = str(error)
            return wanted
        step["offered"] = len(choices)
        for choice in choices:
            if offered(str(choice.get("name", "")), wanted):
                step["chosen"] = choice.get("name")
                return str(choice.get("value"))
        step["chosen"] = None
        return wanted

    async def category_value(self, member: Member, command: str, position: int,
                             trail: list[dict[str, object]]) -> str:
        name = self.stage.script.category(position).name
        return await self.suggest(member, command, "category", typed(name, CATEGORY_WORDS),
                                  clip(name, CHOICE_LIMIT), trail)

    async def confirm(self, asked: Answer) -> Answer:
        """Click the reply's "yes" button and wait until the bot has replaced the question with its answer."""
        reply = asked.reply
        assert reply is not None
        yes = next((custom_id for custom_id in reply.custom_ids if custom_id.endswith(":yes")), None)
        if yes is None:
            return Answer(REFUSED, asked.title, f"No confirmation button on the reply (custom ids: "
                                                f"{reply.custom_ids}).")
        try:
            clicked = await self.stage.host.click(reply, yes, timeout=REPLY_TIMEOUT)

            def answered() -> Answer | None:
                if clicked.followups:  # an error after the button's defer comes as a followup
                    return answer_from(first_embed(clicked), clicked)
                message = clicked.message
                if message is not None and message.embeds and message.embeds[0].get("title") != asked.title:
                    return answer_from(message.embeds[0], clicked)
                return None

            answer: Answer = await self.stage.standin.wait_until(
                answered, what="the confirmation's answer", timeout=REPLY_TIMEOUT)
        except StandInError as error:
            return Answer(_failed(error), asked.title, str(error))
        await self.stage.refusals.settled(answer)
        return answer

    def host_note(self, event: Event, text: str, answer: Answer) -> None:
        if answer.ok:
            self.stage.feed.note(self.stage.when(event), f"🎙️ {HOST} · {text} ✓ {answer.title}", style="white")

    # ---- the host ---------------------------------------------------------------------------

    async def settings(self, event: Event) -> None:
        stage, script = self.stage, self.stage.script
        options: dict[str, object] = {
            "announcement_channel": stage.channels["announcements"],
            "leaderboard_channel": stage.channels["leaderboards"],
            "loser_role": stage.loser_role,
            "leaderboard_interval": script.leaderboard_interval,
            "goal": script.goal,
            "winner_tax": script.winner_tax,
        }
        answer = await self.ask(stage.host, "settings set", options)
        ack: dict[str, object] = {}
        for name, key in (("Goal", "goal_cents"), ("Winner's tax", "winner_tax_cents")):
            cents = cents_in(answer.fields.get(name, ""))
            if cents is not None:
                ack[key] = cents
        stage.record(event, "settings set", options, answer, ack=ack)
        if not answer.ok:
            raise RehearsalError(f"The bot refused the host's settings: {plain(answer.description)}")
        stage.feed.note(stage.when(event), f"⚙️ {HOST} set #announcements, #leaderboards, the Loser role, "
                        f"boards every {script.leaderboard_interval} min, a goal of ${script.goal} "
                        f"and a winner's tax of ${script.winner_tax}", style="white", always=True)

    async def create(self, event: Event) -> None:
        ceremony = self.stage.script.ceremony
        options: dict[str, object] = {"name": ceremony.name, "year": ceremony.year}
        answer = await self.ask(self.stage.host, "ceremony create", options)
        self.stage.record(event, "ceremony create", options, answer)
        if not answer.ok:
            raise RehearsalError(f"The bot refused to create the ceremony: {plain(answer.description)}")
        self.host_note(event, "/ceremony create", answer)

    async def import_file(self, event: Event) -> None:
        stage, ceremony = self.stage, self.stage.script.ceremony
        content_type = "application/json" if ceremony.path.suffix.lower() == ".json" else "text/csv"
        options: dict[str, object] = {"file": Attachment(ceremony.path.name, ceremony.data, content_type)}
        answer = await self.ask(stage.host, "ceremony import", options, timeout=IMPORT_TIMEOUT)
        stage.record(event, "ceremony import", options, answer)
        if not answer.ok:
            raise RehearsalError(f"The bot refused {ceremony.path.name}: {plain(answer.description)}")
        summary = plain(answer.description).split(". ")[0]
        stage.feed.note(stage.when(event), f"📥 {HOST} · /ceremony import {ceremony.path.name}: {summary}",
                        style="white", always=True)

    async def start(self, event: Event) -> None:
        stage = self.stage
        stage.show_start = stage.clock()
        answer = await self.ask(stage.host, "ceremony start", {})
        stage.record(event, "ceremony start", {}, answer)
        if not answer.ok:
            raise RehearsalError(f"The bot refused to start the ceremony: {plain(answer.description)}")
        self.host_note(event, "/ceremony start", answer)

    async def result(self, event: Event) -> None:
        """`/result log` (the wrong winner too, when the script says so) or `/result tie`."""
        assert event.category is not None
        assert event.nominee is not None
        stage = self.stage
        category = stage.script.category(event.category)
        nominee = category.nominees[event.nominee]
        tie = event.kind is Kind.RESULT_TIE
        command, option = ("result tie", "nominee") if tie else ("result log", "winner")
        trail: list[dict[str, object]] = []
        category_value = await self.category_value(stage.host, command, event.category, trail)
        nominee_value = await self.suggest(stage.host, command, option, typed(nominee.choice, NOMINEE_WORDS),
                                           nominee.choice, trail, category=category_value)
        options: dict[str, object] = {"category": category_value, option: nominee_value}
        answer = await self.ask(stage.host, command, options)
        stage.record(event, command, options, answer, trail=trail,
                     ack={"effects": answer.fields.get("Effects", "")} if answer.ok else None)
        if answer.ok:
            stage.logged.add(event.category)
            wrong = " (the wrong winner, as planned: the host will undo it)" if event.why == "wrong" else ""
            self.host_note(event, f"/{command} {category.name} → {nominee.label}{wrong}", answer)

    async def undo(self, event: Event) -> None:
        assert event.category is not None
        stage = self.stage
        trail: list[dict[str, object]] = []
        options: dict[str, object] = {
            "category": await self.category_value(stage.host, "result undo", event.category, trail)
        }
        asked = await self.ask(stage.host, "result undo", options)
        answer = await self.confirm(asked) if asked.ok else asked
        stage.record(event, "result undo", options, answer, trail=trail)
        if answer.ok:
            stage.logged.discard(event.category)
            name = stage.script.category(event.category).name
            self.host_note(event, f"/result undo {name} → clicked “Undo the result”", answer)

    async def end(self, event: Event) -> None:
        asked = await self.ask(self.stage.host, "ceremony end", {})
        answer = await self.confirm(asked) if asked.ok else asked
        self.stage.record(event, "ceremony end", {}, answer)
        if answer.ok:
            self.host_note(event, "/ceremony end → clicked “End the ceremony”", answer)

    # ---- the members ------------------------------------------------------------------------

    async def join(self, event: Event) -> None:
        stage = self.stage
        member = stage.guild.add_member(event.actor)
        stage.members[event.actor] = member
        stage.log.write({"type": "action", "actor": event.actor, "user_id": str(member.id), "action": "join",
                         "plan": stage.plan_of(event), "outcome": OK})
        if event.minute >= 0:
            stage.feed.note(stage.when(event), f"👋 {event.actor} joined the server mid-show")

    async def declare(self, event: Event) -> None:
        member = self.stage.members[event.actor]
        trail: list[dict[str, object]] = []
        category = None
        if event.category is not None:
            category = await self.category_value(member, "loser declare", event.category, trail)
        options: dict[str, object] = {"category": category, "note": event.note}
        answer = await self.ask(member, "loser declare", options)
        self.stage.record(event, "loser declare", options, answer, trail=trail)

    async def choose_nominee(self, event: Event) -> None:
        """`/pick` or `/nominee claim`: category and nominee through autocomplete."""
        assert event.category is not None
        assert event.nominee is not None
        stage = self.stage
        member = stage.members[event.actor]
        command = "pick" if event.kind is Kind.PICK else "nominee claim"
        nominee = stage.script.category(event.category).nominees[event.nominee]
        trail: list[dict[str, object]] = []
        category_value = await self.category_value(member, command, event.category, trail)
        nominee_value = await self.suggest(member, command, "nominee", typed(nominee.choice, NOMINEE_WORDS),
                                           nominee.choice, trail, category=category_value)
        options: dict[str, object] = {"category": category_value, "nominee": nominee_value}
        answer = await self.ask(member, command, options)
        stage.record(event, command, options, answer, trail=trail)
        if answer.ok and event.kind is Kind.PICK:
            stage.stats.picks += 1

    async def pledge(self, event: Event) -> None:
        stage = self.stage
        options: dict[str, object] = {"amount": event.amount, "note": event.note,
                                      "anonymous": True if event.anonymous else None}
        answer = await self.ask(stage.members[event.actor], "pledge add", options)
        ack: dict[str, object] | None = None
        if answer.ok:
            pledge_id = PLEDGE_ID.search(answer.title)
            amount = cents_in(answer.description)
            if pledge_id is None or amount is None:
                answer.outcome = REFUSED
                answer.description = f"Unreadable receipt: {answer.title} / {answer.description}"
            else:
                ack = {"pledge_id": int(pledge_id.group(1)), "amount_cents": amount,
                       "duplicate": "already recorded" in answer.title}
                stage.stats.pledges += 1
                stage.stats.pledged_cents += amount
        stage.record(event, "pledge add", options, answer, ack=ack)

    async def pledge_paid(self, event: Event) -> None:
        """Mark their earliest pending pledge paid (never a winner's tax), picked from the autocomplete."""
        stage = self.stage
        member = stage.members[event.actor]
        step: dict[str, object] = {"option": "id", "typed": ""}
        try:
            sent = stage.standin.engine.send_autocomplete(member, "pledge paid", "id", None, {"id": ""})
            choices = (await sent.reply(timeout=REPLY_TIMEOUT)).choices
        except StandInError as error:
            choices = []
            step["error"] = str(error)
        own = [choice for choice in choices if "winner's tax" not in str(choice.get("name", ""))]
        earliest = min(own, key=lambda choice: int(str(choice.get("value")))) if own else None
        step |= {"offered": len(choices), "chosen": None if earliest is None else earliest.get("name")}
        if earliest is None:
            stage.log.write({"type": "action", "actor": event.actor, "action": event.kind.value,
                             "plan": stage.plan_of(event), "outcome": "skipped",
                             "reply": {"description": "no pending pledge of their own to mark paid"}})
            return
        options: dict[str, object] = {"id": int(str(earliest.get("value")))}
        answer = await self.ask(member, "pledge paid", options)
        stage.record(event, "pledge paid", options, answer, trail=[step])
