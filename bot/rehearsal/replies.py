"""Reading the bot's replies as a member reads them: refused or not, and what they say."""

from __future__ import annotations

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


class Refusals(logging.Handler):
    """Why the bot refused, by interaction: read off the records of the bot's one error path
    (:func:`bot.interaction_errors.report_error` logs each refusal with its error), so the
    rehearsal judges a refusal by its reason and facts, never by its wording."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.by_interaction: dict[int, dict[str, Any]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        refusal = getattr(record, "refusal", None)
        interaction_id = getattr(record, "interaction_id", None)
        if isinstance(refusal, LoungeError) and isinstance(interaction_id, int):
            self.by_interaction[interaction_id] = {
                "reason": refusal.reason,
                "facts": {name: _plain(value) for name, value in refusal.facts.items()},
            }

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
