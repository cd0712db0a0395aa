"""Story helpers for the ballot and the host's console (issue 13): a member's ballot and a
host's console as they read them, driven through the menus' and buttons' own labels.

* :class:`Sheet`: a member's `/ballot` message: the categories it shows (by the menus'
  placeholders), "18 of 26 picked", choosing a nomination in its category's menu (the
  options list a category's nominees in the file's order), the buttons of its last row;
* :class:`Desk`: a host's `/result console`: the category it stands at, a click on the
  winner's button (nominee buttons in the file's order), its own buttons by label;
* :func:`telecast_names`: which categories of a ceremony file are telecast, from the JSON;
* :func:`interactions_of`: how many interactions a member sent (what the issue measures).
"""

# Story waits take `timeout=` like the stand-in's own verbs do (see standin/story.py).
# ruff: noqa: ASYNC109

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from standin import Member, Message, Reply, StandIn
from tests.e2e.story import Category, Nomination, unescape

CHOOSE = " — choose who wins"
LOCK = "🔒 "

Component = dict[str, Any]


def telecast_names(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [raw["name"] for raw in data["categories"] if raw.get("telecast") is True]


def interactions_of(standin: StandIn, member: Member, *, since: int = 0) -> int:
    """Interactions `member` sent (commands, autocomplete, clicks, choices), from log index `since`."""
    return sum(1 for record in standin.interaction_log[since:] if record.member is member)


def components(message: Message) -> list[Component]:
    return [child for row in message.components for child in row.get("components", [])]


@dataclass
class Sheet:
    """A member's ballot: one ephemeral message, edited in place by every answer."""

    member: Member
    reply: Reply

    @property
    def message(self) -> Message:
        message = self.reply.message
        assert message is not None, f"{self.reply} has no message"
        return message

    @property
    def embed(self) -> dict[str, Any]:
        return self.message.embeds[0]

    @property
    def text(self) -> str:
        return unescape(self.embed.get("description", ""))

    def menus(self) -> list[Component]:
        return [c for c in components(self.message) if c.get("type") == 3]

    def shown(self) -> list[str]:
        """The categories on this page, by their menus' placeholders."""
        names = []
        for menu in self.menus():
            placeholder = str(menu.get("placeholder", ""))
            names.append(placeholder.removeprefix(LOCK).split(" — ")[0])
        return names

    def menu(self, category: str) -> Component:
        found = [m for m in self.menus() if str(m.get("placeholder", "")).removeprefix(LOCK).split(" — ")[0]
                 == category]
        assert len(found) == 1, f"{category!r} is not on this page: {self.shown()}"
        return found[0]

    def picked(self) -> tuple[int, int]:
        found = re.search(r"(\d+) of (\d+) picked", self.text)
        assert found is not None, self.text
        return int(found[1]), int(found[2])

    def footer(self) -> str:
        return str(self.embed.get("footer", {}).get("text", ""))

    def value_of(self, category: Category, nomination: Nomination) -> str:
        """The option of `nomination` in its category's menu (options follow the file's order)."""
        options = [o for o in self.menu(category.name)["options"] if not str(o["value"]).startswith("page:")]
        assert len(options) == len(category.nominations), (options, category.nominations)
        for option, nominee in zip(options, category.nominations, strict=True):
            assert option["label"].startswith(nominee.name), (option, nominee)
        return str(options[category.nominations.index(nomination)]["value"])

    def send_choice(self, category: Category, nomination: Nomination) -> Any:
        return self.member.send_choice(self.reply, self.menu(category.name)["custom_id"],
                                       self.value_of(category, nomination))

    async def choose(self, category: Category, nomination: Nomination, *, timeout: float = 10.0) -> Reply:
        return await self.send_choice(category, nomination).reply(timeout=timeout)

    def button(self, action: str) -> Component:
        found = [c for c in components(self.message) if c.get("type") == 2
                 and str(c.get("custom_id", "")).endswith(f":{action}")]
        assert len(found) == 1, [c.get("custom_id") for c in components(self.message)]
        return found[0]

    async def press(self, action: str, *, timeout: float = 10.0) -> Reply:
        return await self.member.click(self.reply, self.button(action)["custom_id"], timeout=timeout)


async def open_ballot(member: Member, *, timeout: float = 10.0, **options: object) -> Sheet:
    reply = await member.slash("ballot", timeout=timeout, **options)
    assert reply.ephemeral, reply
    return Sheet(member, reply)


@dataclass
class Desk:
    """A host's console: an ephemeral reply, or the message posted in the host channel."""

    host: Member
    target: Reply | Message

    @property
    def message(self) -> Message:
        if isinstance(self.target, Message):
            return self.target
        assert self.target.message is not None
        return self.target.message

    @property
    def text(self) -> str:
        return unescape(self.message.embeds[0].get("description", ""))

    def now(self) -> str | None:
        found = re.search(r"\*\*Now: (.+?)\*\*", self.message.embeds[0].get("description", ""))
        return unescape(found[1]) if found else None

    def recent(self) -> str:
        fields = {f["name"]: f["value"] for f in self.message.embeds[0].get("fields", [])}
        return unescape(fields.get("Last results", ""))

    def nominee_buttons(self, prefix: str = "lounge:console:log:") -> list[Component]:
        return [c for c in components(self.message) if str(c.get("custom_id", "")).startswith(prefix)]

    def winner_id(self, category: Category, nomination: Nomination, *, prefix: str = "lounge:console:log:",
                  among: tuple[Nomination, ...] | None = None) -> str:
        nominees = among if among is not None else category.nominations
        buttons = self.nominee_buttons(prefix)
        assert len(buttons) == len(nominees), (buttons, nominees)
        for button, nominee in zip(buttons, nominees, strict=True):
            assert button["label"].startswith(nominee.name[:40]), (button, nominee)
        return str(buttons[nominees.index(nomination)]["custom_id"])

    def send_log(self, category: Category, winner: Nomination, *, by: Member | None = None) -> Any:
        assert self.now() == category.name, f"the console stands at {self.now()!r}, not {category.name!r}"
        return (by or self.host).send_click(self.target, self.winner_id(category, winner))

    async def log(self, category: Category, winner: Nomination, *, timeout: float = 10.0) -> Reply:
        return await self.send_log(category, winner).reply(timeout=timeout)

    def labelled(self, label: str) -> str:
        found = [c for c in components(self.message) if c.get("label") == label]
        assert len(found) == 1, [c.get("label") for c in components(self.message)]
        return str(found[0]["custom_id"])

    async def press(self, label: str, *, by: Member | None = None, timeout: float = 10.0) -> Reply:
        return await (by or self.host).click(self.target, self.labelled(label), timeout=timeout)

    async def tie(self, category: Category, nominee: Nomination, winners: tuple[Nomination, ...]) -> Reply:
        await self.press("Tie…")
        candidates = tuple(n for n in category.nominations if n not in winners)
        custom_id = self.winner_id(category, nominee, prefix="lounge:console:tie:", among=candidates)
        return await self.host.click(self.target, custom_id, timeout=10)

    async def undo_last(self) -> Reply:
        await self.press("Undo last…")
        return await self.press("Undo the result")


async def open_console(host: Member, *, timeout: float = 10.0) -> Desk:
    reply = await host.slash("result console", timeout=timeout)
    assert reply.ephemeral, reply
    return Desk(host, reply)
