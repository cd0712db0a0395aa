"""The ballot's custom_ids: everything a click needs, in at most 100 characters.

    lounge:ballot:pick:<ceremony>:<category>:<scope><filter>:<positions>      a category's menu
    lounge:ballot:go:<ceremony>:<scope><filter>:<positions>:<action>          a button of the last row

``scope`` is ``t`` (telecast) or ``a`` (all); ``filter`` is ``e`` (every category) or ``u``
(only unpicked); ``positions`` are the running-order positions of the page's categories,
joined by dots (``0.1.2.3``); ``action`` is ``prev``, ``next``, ``only``, ``all`` or ``done``.
The member is whoever clicks (a ballot is ephemeral, only its member sees it) and the
server is the one the click comes from: ids of another server's ceremony name no
ceremony of this one, and are refused.

Parsing is strict; anything else is refused with one sentence (reason
``damaged_custom_id``), never guessed at.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from bot.domain.ballot.service import PAGE_SIZE, BallotCursor, Scope
from bot.domain.errors import InvalidInput

PICK_PREFIX = "lounge:ballot:pick:"
GO_PREFIX = "lounge:ballot:go:"
PICK_TEMPLATE = r"lounge:ballot:pick:(?P<state>.*)"
GO_TEMPLATE = r"lounge:ballot:go:(?P<state>.*)"
Action = Literal["prev", "next", "only", "all", "done"]
ACTIONS: tuple[Action, ...] = ("prev", "next", "only", "all", "done")
MAX_CUSTOM_ID = 100
MAX_ID = 2**63 - 1  # SQLite row ids
MAX_POSITION = 99_999

_ID = r"[1-9]\d{0,18}"
_POSITIONS = rf"\d{{1,5}}(?:\.\d{{1,5}}){{0,{PAGE_SIZE - 1}}}"
_FLAGS = r"(?P<scope>[ta])(?P<filter>[eu])"
_PICK = re.compile(rf"(?P<ceremony>{_ID}):(?P<category>{_ID}):{_FLAGS}:(?P<positions>{_POSITIONS})")
_GO = re.compile(rf"(?P<ceremony>{_ID}):{_FLAGS}:(?P<positions>{_POSITIONS}|-):(?P<action>[a-z]+)")

DAMAGED = (
    "That ballot control is damaged or comes from an unknown version of the ballot: nothing was changed. "
    "Open a fresh ballot with `/ballot`."
)


@dataclass(frozen=True, slots=True)
class PickTarget:
    """A category's menu on a page of the ballot."""

    cursor: BallotCursor
    category_id: int


@dataclass(frozen=True, slots=True)
class GoTarget:
    """A button of the ballot's last row."""

    cursor: BallotCursor
    action: Action


def _flags(cursor: BallotCursor) -> str:
    return ("t" if cursor.scope == "telecast" else "a") + ("u" if cursor.only_unpicked else "e")


def _positions(cursor: BallotCursor) -> str:
    if not cursor.positions:
        return "-"
    if len(cursor.positions) > PAGE_SIZE or not all(0 <= p <= MAX_POSITION for p in cursor.positions):
        raise ValueError(f"a ballot page holds at most {PAGE_SIZE} positions in 0..{MAX_POSITION}: {cursor}")
    return ".".join(str(position) for position in cursor.positions)


@functools.lru_cache(maxsize=1024)
def _page(cursor: BallotCursor) -> str:
    """The cursor's flags and positions as its page's eight custom_ids carry them (written once a page)."""
    return f"{_flags(cursor)}:{_positions(cursor)}"


class PageIds:
    """The custom_ids of one page's menus and buttons, its cursor written once for all eight."""

    __slots__ = ("_go", "_pick", "_tail")

    def __init__(self, cursor: BallotCursor) -> None:
        page = _page(cursor)
        self._pick = f"{PICK_PREFIX}{cursor.ceremony_id}:"
        self._tail = f":{page}"
        self._go = f"{GO_PREFIX}{cursor.ceremony_id}:{page}:"

    def pick(self, category_id: int) -> str:
        custom_id = f"{self._pick}{category_id}{self._tail}"
        assert len(custom_id) <= MAX_CUSTOM_ID, custom_id
        return custom_id

    def go(self, action: Action) -> str:
        custom_id = f"{self._go}{action}"
        assert len(custom_id) <= MAX_CUSTOM_ID, custom_id
        return custom_id


def pick_id(cursor: BallotCursor, category_id: int) -> str:
    return PageIds(cursor).pick(category_id)


def go_id(cursor: BallotCursor, action: Action) -> str:
    return PageIds(cursor).go(action)


def _cursor(match: re.Match[str]) -> BallotCursor:
    ceremony = int(match["ceremony"])
    if ceremony > MAX_ID:
        raise InvalidInput(DAMAGED, reason="damaged_custom_id")
    scope: Scope = "telecast" if match["scope"] == "t" else "all"
    text = match["positions"]
    positions = () if text == "-" else tuple(int(part) for part in text.split("."))
    return BallotCursor(ceremony, scope, match["filter"] == "u", positions)


PARSED_KEPT = 4096
"""Parsed custom_ids kept (least recently used dropped): every member on the same page of the
ballot clicks the same ids, so each is parsed once; a refused one is parsed every time."""


@functools.lru_cache(maxsize=PARSED_KEPT)
def parse_pick(custom_id: str) -> PickTarget:
    match = _PICK.fullmatch(custom_id.removeprefix(PICK_PREFIX)) if custom_id.startswith(PICK_PREFIX) else None
    if match is None or int(match["category"]) > MAX_ID:
        raise InvalidInput(DAMAGED, reason="damaged_custom_id", custom_id=custom_id[:100])
    return PickTarget(_cursor(match), int(match["category"]))


@functools.lru_cache(maxsize=PARSED_KEPT)
def parse_go(custom_id: str) -> GoTarget:
    match = _GO.fullmatch(custom_id.removeprefix(GO_PREFIX)) if custom_id.startswith(GO_PREFIX) else None
    action = next((action for action in ACTIONS if match is not None and action == match["action"]), None)
    if match is None or action is None:
        raise InvalidInput(DAMAGED, reason="damaged_custom_id", custom_id=custom_id[:100])
    return GoTarget(_cursor(match), action)
