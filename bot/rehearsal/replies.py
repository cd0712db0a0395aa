"""Reading the bot's replies as a member reads them: refused or not, and what they say."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from bot.domain.errors import InvalidInput, LoungeError
from bot.domain.money import parse_cents
from bot.embeds import Colour
from bot.rehearsal.ledger import OK
from standin import Reply

REFUSED = "refused"
NO_ANSWER = "no answer"
INVALID = "invalid"
PLEDGE_ID = re.compile(r"Pledge #(\d+)")
BOARD_LINE = re.compile(r"^\*\*([\d,]+)\.\*\* (.*) — (.*)$")
LOSSES_TONIGHT = re.compile(r"^Losses tonight: (\d+)$")
_BOLD_AMOUNT = re.compile(r"\*\*(\$[\d,]+(?:\.\d\d)?)\*\*")
_AMOUNT = re.compile(r"(\$[\d,]+(?:\.\d\d)?)")
_UNESCAPE = re.compile(r"\\(.)")
SETTLE_SECONDS = 2.0
"""How long a refused answer waits for the bot's record of why (it comes from the bot's process)."""


@dataclass
class Answer:
    """The bot's answer to one action, as the member saw it."""

    outcome: str
    """ok; refused (the bot said no: its error embed); no answer (timed out); invalid (the stand-in
    wouldn't send it, e.g. no bot connected)."""
    title: str = ""
    description: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    reply: Reply | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == OK


def first_embed(reply: Reply) -> dict[str, Any] | None:
    """The reply's embed (after a defer, the one that filled it; for an error, the followup's)."""
    for message in reply.all_messages():
        if message.embeds:
            return message.embeds[0]
    return None


def answer_from(embed: dict[str, Any] | None, reply: Reply | None) -> Answer:
    if embed is None:
        return Answer(REFUSED, "No reply", "The bot answered without an embed.", reply=reply)
    fields = {
        str(item.get("name", "")): str(item.get("value", ""))
        for item in embed.get("fields") or [] if isinstance(item, dict)
    }
    # Every refusal goes through the bot's one error path, which answers in the "bad" colour.
    outcome = REFUSED if embed.get("color") == Colour.BAD else OK
    return Answer(outcome, str(embed.get("title", "")), str(embed.get("description", "")), fields, reply)


def plain(text: str) -> str:
    """Discord markdown escapes removed (``\\(2014\\)`` → ``(2014)``), for reading replies."""
    return _UNESCAPE.sub(r"\1", text)


def cents_in(text: str) -> int | None:
    """The first dollar amount in `text` (a bold one first), in cents."""
    found = _BOLD_AMOUNT.search(text) or _AMOUNT.search(text)
    if found is None:
        return None
    try:
        return parse_cents(found.group(1))
    except InvalidInput:
        return None


def offered(name: str, wanted: str) -> bool:
    """An autocomplete choice reads `wanted` (clipped with an ellipsis when long)."""
    return name == wanted or (name.endswith("…") and wanted.startswith(name[:-1]))


def typed(text: str, words: int) -> str:
    """What a member types to find `text`: its first few words."""
    return " ".join(text.split()[:words])


def refusal_of(record: logging.LogRecord) -> tuple[int, dict[str, Any] | None] | None:
    """From a record of the bot's one error path: (interaction id, its refusal's reason and facts, or
    None when the error was no refusal with data); None for any other record."""
    interaction_id = getattr(record, "interaction_id", None)
    if not isinstance(interaction_id, int):
        return None
    refusal = getattr(record, "refusal", None)
    if not isinstance(refusal, LoungeError):
        return interaction_id, None
    return interaction_id, {
        "reason": refusal.reason,
        "facts": {name: _plain(value) for name, value in refusal.facts.items()},
    }


class Refusals:
    """Why the bot refused, by interaction: read off the records of the bot's one error path
    (:func:`bot.interaction_errors.report_error` logs each refusal with its error), so the
    rehearsal judges a refusal by its reason and facts, never by its wording.

    The records come from the bot's process (:mod:`bot.rehearsal.bot_process` relays them to
    :meth:`add`). The bot logs a refusal before it answers, but the relayed record and the
    answer travel apart: :meth:`settled` waits for the record.
    """

    def __init__(self) -> None:
        self.by_interaction: dict[int, dict[str, Any] | None] = {}
        self._arrived = asyncio.Event()

    def add(self, interaction_id: int, refusal: dict[str, Any] | None) -> None:
        self.by_interaction[interaction_id] = refusal
        self._arrived.set()

    async def settled(self, answer: Answer, *, within: float = SETTLE_SECONDS) -> None:
        """Wait (up to `within` s) until the record of `answer`'s refusal is in, if it is a refusal."""
        if answer.reply is None or answer.outcome != REFUSED:
            return
        interaction_id = answer.reply.interaction_id
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while interaction_id not in self.by_interaction and (left := deadline - loop.time()) > 0:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), left)

    def of(self, answer: Answer) -> dict[str, Any] | None:
        """The reason and facts of `answer`'s refusal; None when it was no refusal with data."""
        if answer.reply is None or answer.ok:
            return None
        return self.by_interaction.get(answer.reply.interaction_id)


def _plain(value: object) -> object:
    """A fact as the event log's JSON can hold it."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return str(value)
