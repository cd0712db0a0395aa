"""Previous/Next under `/leaderboard show`, and the buttons under the posted boards.

Both are one :class:`bot.paging.Pager`: the state is the board and its scope, the
anchor the first or last row shown (its keyset cursor and the rank it was shown
with), so a click pages from exactly where the member was, in any process, as
the board stands now::

    lounge:board:<server>:<board><scope>:<way><number>:<rank>.<score>[.<score>].<reached>.<user>

``board`` is ``l``/``d``/``p`` (losers, donors, pickers), ``scope`` 0 for all-time or
a ceremony id (checked against the server on every click), ``reached`` the row's
``reached_at`` in microseconds since 1970. All integers base 62 (see
:mod:`bot.custom_ids`); the longest possible id is 97 characters.

The buttons on a board posted in a channel open the page for the clicker alone
(ephemerally: the post stays as it is for everyone else); on a `/leaderboard show`
reply they turn its pages for whoever ran the command, and give anyone else their
own copy. When the board moved since the clicked page was drawn, the page says so.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.clock import from_storage, to_storage
from bot.custom_ids import decode_int, encode_int
from bot.domain.errors import InvalidInput
from bot.domain.leaderboards.ranking import Direction, Edge, PageRequest
from bot.domain.leaderboards.service import (
    BoardKind,
    BoardPage,
    BoardScope,
    Cursor,
    FirstPage,
    LeaderboardService,
    first_page_json,
    page_embed,
)
from bot.kept import KeptWith
from bot.paging import MAX_NUMBER, Page, Pager, Turn, Way
from bot.ui import RenderedEmbed

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_MICROS = (datetime(2000, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
"""No board row is older (tests replay 2014's ceremony on its own dates)."""
LAST_MICROS = (datetime(9999, 12, 31, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
KIND_CODES = {BoardKind.LOSERS: "l", BoardKind.DONORS: "d", BoardKind.PICKERS: "p"}
KINDS = {code: kind for kind, code in KIND_CODES.items()}
MAX_RANK = 62**5 - 1
"""Five base-62 digits: more members than any server holds, and the longest id stays at 97 characters."""
SCORE_PARTS = {BoardKind.LOSERS: 1, BoardKind.DONORS: 1, BoardKind.PICKERS: 2}
MOVED = "ℹ️ The board has moved since that page was shown: these are the standings now."
POST_LABELS = {BoardKind.LOSERS: "losers", BoardKind.DONORS: "donors", BoardKind.PICKERS: "pickers"}


@dataclass(frozen=True, slots=True)
class BoardState:
    kind: BoardKind
    scope: int
    """0 for all-time, else a ceremony id."""


@functools.lru_cache(maxsize=4096)
def encode_edge(kind: BoardKind, edge: Edge[Cursor]) -> str:
    """``<rank>.<score>[.<score>].<reached µs>.<user>``, each part base 62. Kept: a board's first
    page ends at the same edge for every viewer between two commits."""
    cursor = edge.cursor
    if not 1 <= edge.rank <= MAX_RANK:
        raise ValueError(f"rank {edge.rank} is out of range")
    if len(cursor.score) != SCORE_PARTS[kind]:
        raise ValueError(f"a {kind} cursor has {SCORE_PARTS[kind]} score part(s): {cursor.score}")
    micros = (from_storage(cursor.reached_at) - EPOCH) // timedelta(microseconds=1)
    parts = [edge.rank, *cursor.score, micros, cursor.user_id]
    return ".".join(encode_int(part) for part in parts)


def decode_edge(kind: BoardKind, text: str) -> Edge[Cursor]:
    """The inverse of :func:`encode_edge`; ValueError for anything the bot can't have written:
    a rank, score, time or member no board row can have."""
    parts = [decode_int(part) for part in text.split(".")]
    if len(parts) != 3 + SCORE_PARTS[kind]:
        raise ValueError(f"{text!r} is not a {kind} board position")
    rank, *score, micros, user_id = parts
    if not 1 <= rank <= MAX_RANK:
        raise ValueError(f"rank {rank} is out of range")
    if any(part < 0 for part in score) or (kind is BoardKind.PICKERS and score[0] > score[1]):
        raise ValueError(f"no {kind} row scores {score}")
    if not FIRST_MICROS <= micros <= LAST_MICROS or user_id == 0:
        raise ValueError(f"no row was reached at {micros} µs by member {user_id}")
    reached_at = to_storage(EPOCH + timedelta(microseconds=micros))  # reached_at is always to_storage text
    return Edge(Cursor(tuple(score), reached_at, user_id), rank)


def _turns(board: BoardPage) -> tuple[Turn | None, Turn | None]:
    """Where Previous and Next lead from `board` (None: that end is closed)."""
    previous = following = None
    if board.previous_cursor is not None and board.standings:
        edge = Edge(board.previous_cursor, board.standings[0].rank)
        previous = Turn(Way.PREVIOUS, max(board.page_number - 1, 1), encode_edge(board.kind, edge))
    if board.next_cursor is not None and board.standings:
        edge = Edge(board.next_cursor, board.standings[-1].rank)
        following = Turn(Way.NEXT, min(board.page_number + 1, MAX_NUMBER), encode_edge(board.kind, edge))
    return previous, following


FIRST_PAGES_KEPT = 64
_first_pages: KeptWith[FirstPage, tuple[BoardState, Turn | None]] = KeptWith(FIRST_PAGES_KEPT)


class BoardPager(Pager[BoardState]):
    name = "board"
    state_pattern = r"[ldp][0-9a-zA-Z]{1,11}"

    def __init__(self, boards: LeaderboardService) -> None:
        self.boards = boards
        super().__init__()

    def encode_state(self, state: BoardState) -> str:
        return KIND_CODES[state.kind] + encode_int(state.scope)

    def decode_state(self, text: str) -> BoardState:
        return BoardState(KINDS[text[0]], decode_int(text[1:]))

    async def page(
        self, interaction: discord.Interaction[Any], guild_id: int, state: BoardState, turn: Turn
    ) -> Page[BoardState]:
        scope = await self.boards.known_scope(guild_id, state.scope)
        return await self.page_of(interaction, guild_id, state.kind, scope, turn)

    async def page_of(
        self, interaction: discord.Interaction[Any], guild_id: int, kind: BoardKind, scope: BoardScope, turn: Turn
    ) -> Page[BoardState]:
        """The page `turn` leads to in a scope already checked (`/leaderboard show` has just resolved it)."""
        board = await self.boards.turn(
            guild_id, kind, scope, self.request(kind, turn), viewer_id=interaction.user.id
        )
        return self.shown(board, viewer_name=interaction.user.display_name)

    @staticmethod
    def request(kind: BoardKind, turn: Turn) -> PageRequest[Cursor]:
        if not turn.anchor:
            return PageRequest()
        try:
            edge = decode_edge(kind, turn.anchor)
        except ValueError as error:
            raise InvalidInput(
                "That button isn't one the bot made: nothing was changed.", reason="forged_component"
            ) from error
        direction = Direction.AFTER if turn.way is Way.NEXT else Direction.BEFORE
        return PageRequest(turn.number, edge, direction)

    async def first_page(
        self, interaction: discord.Interaction[Any], guild_id: int, kind: BoardKind, requested: str | None
    ) -> tuple[BoardState, Page[BoardState]]:
        """`/leaderboard show`'s page: the board's first page in the scope asked for, with the
        viewer's place. Between two commits everything but that place is drawn once for every
        viewer (:meth:`LeaderboardService.first`): the embed's frame, the state, where Next leads."""
        first = await self.boards.first(guild_id, kind, requested)
        viewer = await self.boards.viewer_on(first, interaction.user.id)
        state, following = _first_pages.get(first, None, lambda: (
            BoardState(kind, first.scope.scope), _turns(first.page(None))[1]))
        embed = RenderedEmbed(first_page_json(first, viewer, interaction.user.display_name))
        return state, Page(embed, None, following)

    @staticmethod
    def shown(board: BoardPage, *, viewer_name: str) -> Page[BoardState]:
        """The page as the pager shows it: the embed, and where Previous and Next lead."""
        previous, following = _turns(board)
        return Page(
            page_embed(board, viewer_name=viewer_name), previous, following, note=MOVED if board.moved else None
        )

    def post_buttons(
        self, guild_id: int, scope: int, ends: Mapping[BoardKind, Edge[Cursor] | None]
    ) -> list[dict[str, Any]]:
        """One button per posted board: its next page (or, for a one-page board, the page with
        the clicker's rank), for the clicker alone. Raw action rows, for the outbox."""
        buttons: list[dict[str, Any]] = []
        for kind, edge in ends.items():
            state = BoardState(kind, scope)
            if edge is None:
                turn, label = Turn.first(), f"My rank: {POST_LABELS[kind]}"
            else:
                turn, label = Turn(Way.NEXT, 2, encode_edge(kind, edge)), f"More {POST_LABELS[kind]}"
            button = self.button(self.custom_id(guild_id, state, turn), way=Way.NEXT, label=label)
            buttons.append(button.to_component_dict())
        return [{"type": 1, "components": buttons}] if buttons else []
