"""Leaderboards: pages of the losers, donors and pickers boards, read from the
maintained totals (``loss_totals``, ``pledge_member_totals``, ``pick_stats``)
through their ranking indexes. No query here reads ``pledges``, ``losses`` or
``picks``.

A page costs the same wherever it is in the board:

* the rows: ``ORDER BY board_order, reached_at, user_id LIMIT 11`` after a cursor
  (the last row of the page before), one range seek on the board's partial index,
  each row with its member's (name, and whether they left) by primary key — never an
  OFFSET, which walks every row above the page;
* their ranks: how many listed members have a strictly better score, summed from
  ``board_counts`` (members per score at several levels of coarseness, kept by the
  triggers of migration 0011) — counting index entries instead costs O(rank), 5 ms
  per 35,000 members — one signed sum a level (:func:`rank_terms`);
* the viewer's row looked up by key, ranked in the same statement as the page and
  the edge it was turned from (:func:`page_counts`).

Ranks are shared by equal scores (1, 2, 2, 4); among equal scores whoever got
there first (``reached_at``) is listed first. Members who left the server are
left out when the bot knows it (``members.left_at``; the bot has no members
intent, so only departures it was told about count). Anonymous donors are shown
as "Anonymous", forgotten members' pledges too (see :mod:`bot.domain.privacy.service`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from bot.clock import Clock, from_storage
from bot.db import Database, Row, Transaction, remembered_by
from bot.domain.announcer import outbox
from bot.domain.audit import log as audit
from bot.domain.ceremonies.service import Reader, current_ceremony
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.leaderboards.ranking import (
    PAGE_SIZE,
    Direction,
    Edge,
    PageRequest,
    competition_ranks,
    ordinal,
    rank_of,
)
from bot.domain.money import format_cents
from bot.domain.scopes import ALL_TIME as ALL_TIME
from bot.domain.settings.service import SettingsService
from bot.embeds import EMBED_TOTAL_LIMIT, FIELD_ROOM, Colour, Embed, message, with_field
from bot.kept import KeptWith
from bot.text import safe

BUCKET_SHIFT = 6
"""``board_counts`` level l counts rank keys >> (BUCKET_SHIFT * l): 64 buckets per parent (migration 0011)."""
BUCKET_LEVELS = 6
"""Levels 0 (exact scores) to 5 of ``board_counts``; keep both equal to migration 0011's."""
MIN_RESOLVED_PICKS = 3
"""Decided picks a picker needs to be ranked; migration 0005's board_scores triggers use it too."""
PICKER_KEY_SCALE = 1_000_000
"""Pickers' rank key: correct * scale - resolved (more right first, then fewer decided)."""
ANONYMOUS = "Anonymous"
UNKNOWN_MEMBER = "Unknown member"
NAME_LIMIT = 64
POST_KIND = "leaderboard.post"
LEFT_NOTE = "Members the bot knows have left the server aren't listed."


class BoardKind(StrEnum):
    LOSERS = "losers"
    DONORS = "donors"
    PICKERS = "pickers"


class ScopeChoice(StrEnum):
    CEREMONY = "ceremony"
    ALL_TIME = "all-time"


@dataclass(frozen=True, slots=True)
class BoardSpec:
    """Where a board's rows live and how they are ordered.

    The triggers of migration 0005 keep each board's score histogram (``board_scores``)
    by the same definition: who is on it (`condition`) and their score (`key_sql`).
    ``tests/domain/leaderboards/test_board_definitions.py`` checks that they agree.
    """

    kind: BoardKind
    table: str
    index: str
    """The ranking index, in the board's order (named so the planner can't pick a worse one)."""
    score: tuple[str, ...]
    """Score columns, most significant first."""
    descending: tuple[bool, ...]
    """Per score column: True when a higher value is better."""
    extra: tuple[str, ...]
    condition: str
    """Who is on the board at all: one comparison on one column of alias ``t``, with no parameters."""
    key_sql: str
    """The score as one integer, higher is better: the `score` of ``board_scores`` (migration 0005)."""
    title: str
    empty: str


SPECS: dict[BoardKind, BoardSpec] = {
    BoardKind.LOSERS: BoardSpec(
        kind=BoardKind.LOSERS, table="loss_totals", index="loss_totals_board",
        score=("losses",), descending=(True,), extra=(), condition="t.losses > 0", key_sql="t.losses",
        title="💔 Biggest losers", empty="Nobody has lost yet.",
    ),
    BoardKind.DONORS: BoardSpec(
        kind=BoardKind.DONORS, table="pledge_member_totals", index="pledge_member_totals_listing",
        score=("total_cents",), descending=(True,), extra=("anonymous_cents", "pledge_count"),
        condition="t.total_cents > 0", key_sql="t.total_cents", title="💸 Top donors", empty="No pledges yet.",
    ),
    BoardKind.PICKERS: BoardSpec(
        kind=BoardKind.PICKERS, table="pick_stats", index="pick_stats_listing",
        score=("correct", "resolved"), descending=(True, False), extra=(),
        condition=f"t.resolved >= {MIN_RESOLVED_PICKS}", key_sql=f"t.correct * {PICKER_KEY_SCALE} - t.resolved",
        title="🔮 Best pickers",
        empty=f"Nobody has {MIN_RESOLVED_PICKS} decided picks yet.",
    ),
}


@dataclass(frozen=True, slots=True)
class Cursor:
    """A row's place in a board's order: the next page starts after it."""

    score: tuple[int, ...]
    reached_at: str
    user_id: int


@dataclass(frozen=True, slots=True)
class BoardScope:
    scope: int
    """0 for all-time, else a ceremony id."""
    label: str

    @property
    def is_all_time(self) -> bool:
        return self.scope == ALL_TIME


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    user_id: int
    name: str
    """As it should be shown (``Anonymous`` for anonymous donors), not yet escaped."""
    value: int
    """Losses, cents pledged, or correct picks."""
    reached_at: datetime
    resolved: int | None = None
    pledge_count: int | None = None
    anonymous: bool = False

    @property
    def accuracy_percent(self) -> int | None:
        if not self.resolved:
            return None
        return round(100 * self.value / self.resolved)


@dataclass(frozen=True, slots=True)
class ViewerStanding:
    """The viewer's own place: `standing`, or why they have none."""

    standing: Standing | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BoardPage:
    kind: BoardKind
    scope: BoardScope
    page_number: int
    standings: tuple[Standing, ...]
    next_cursor: Cursor | None
    """The last row's cursor when more rows follow, else None."""
    viewer: ViewerStanding | None = None
    previous_cursor: Cursor | None = None
    """The first row's cursor when rows come before it, else None (the first page)."""
    moved: bool = False
    """The board moved since the page this one was turned from was shown (see :func:`page_at`)."""


# ---- queries ---------------------------------------------------------------------------------


def _columns(spec: BoardSpec) -> str:
    return ", ".join(f"t.{column}" for column in ("user_id", *spec.score, *spec.extra, "reached_at"))


def _select(spec: BoardSpec) -> str:
    """A board's rows looked up by key (the viewer's), with their display names."""
    return (
        f"SELECT {_columns(spec)}, "  # noqa: S608 - names are ours
        f"(SELECT m.display_name FROM members m WHERE m.guild_id = t.guild_id AND m.user_id = t.user_id) "
        f"AS display_name FROM {spec.table} t"
    )


def _listing(spec: BoardSpec) -> str:
    """A board's rows in its order, each with its member's row (display name, and whether they left):
    the board's index outermost (a LEFT JOIN keeps it there), one primary-key seek into members a row."""
    return (
        f"SELECT {_columns(spec)}, m.display_name FROM {spec.table} t INDEXED BY {spec.index} "  # noqa: S608
        f"LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id"
    )


async def fetch_rows(
    reader: Reader, spec: BoardSpec, guild_id: int, scope: int, cursor: Cursor | None, limit: int, *,
    before: bool = False, inclusive: bool = False,
) -> list[Row]:
    """Up to `limit` rows of the board after `cursor` (from the top when None), members who left excluded.

    With `before`, the `limit` rows closest before `cursor` instead (still returned in the
    board's order); `inclusive` counts a row with the cursor's own key.

    One range seek on the board's partial index, in its one ascending order
    (``board_order`` = minus the rank key, then reached_at, then user_id: migration 0011):
    it reads the rows it returns, and the members known to have left among them, each
    with one primary-key seek into ``members``.
    """
    where = f"t.guild_id = ? AND t.scope = ? AND {spec.condition} AND m.left_at IS NULL"
    params: list[Any] = [guild_id, scope]
    if cursor is not None:
        beyond = ("<" if before else ">") + ("=" if inclusive else "")
        where += f" AND (t.board_order, t.reached_at, t.user_id) {beyond} (?, ?, ?)"
        params += [-cursor_key(spec.kind, cursor), cursor.reached_at, cursor.user_id]
    way = " DESC" if before else ""
    sql = f"{_listing(spec)} WHERE {where} ORDER BY t.board_order{way}, t.reached_at{way}, t.user_id{way} LIMIT ?"
    if cursor is None:
        # A board's top is what most requests ask for (every /leaderboard show, every post's
        # button): between two commits it is read once (remembered_by), a copy each time.
        key = ("board_top", guild_id, spec.kind, scope, limit)
        return list(await remembered_by(reader, key, lambda: reader.fetch_all(sql, (*params, limit))))
    rows = await reader.fetch_all(sql, (*params, limit))
    return rows[::-1] if before else rows


def rank_terms(key: int) -> list[tuple[int, int, int, int | None]]:
    """How many listed members are better than `key`, as signed sums of ``board_counts``:
    (level, sign, first bucket, last bucket or None), the count being the sum over the terms
    of sign x the members in buckets first..last at that level.

    At each level below the top, those better than the key inside its parent bucket are
    counted on whichever side of the key's own bucket has fewer buckets: the buckets after
    it (+), or the parent's members less the buckets up to and including it (-), the
    parent's count then joining the next level's term (which starts one bucket lower). At
    the top level, every bucket after the key's. One term a level at most, each over at
    most 32 buckets below the top; a member is counted once in all (see the tests).
    """
    terms: list[tuple[int, int, int, int | None]] = []
    carried = False  # the level below counted its complement: this level adds its own bucket
    for level in range(BUCKET_LEVELS):
        bucket = key >> (BUCKET_SHIFT * level)
        if level == BUCKET_LEVELS - 1:
            terms.append((level, 1, bucket if carried else bucket + 1, None))
            break
        first = (bucket >> BUCKET_SHIFT) << BUCKET_SHIFT
        last = first + (1 << BUCKET_SHIFT) - 1
        if bucket - first < last - bucket:  # fewer buckets up to the key's own than after it
            if first <= bucket - carried:
                terms.append((level, -1, first, bucket - carried))
            carried = True
        else:
            if bucket + 1 - carried <= last:
                terms.append((level, 1, bucket + 1 - carried, last))
            carried = False
    return terms


def _clusters(groups: Iterable[Collection[int]]) -> list[list[int]]:
    """The groups' keys as clusters, best first, merged where their spans overlap."""
    spans = sorted((sorted(set(group), reverse=True) for group in groups if group), key=lambda keys: -keys[0])
    merged: list[list[int]] = []
    for keys in spans:
        if merged and keys[0] >= merged[-1][-1]:
            merged[-1] = sorted({*merged[-1], *keys}, reverse=True)
        else:
            merged.append(keys)
    return merged


async def better_counts(
    reader: Reader, spec: BoardSpec, guild_id: int, scope: int, *groups: Collection[int]
) -> dict[int, int]:
    """For each rank key of the groups: how many listed members have a strictly better score.

    One statement over ``board_counts`` (migration 0011: listed members only, per score at
    several levels of coarseness), whatever the board's size or the rank's depth. A group is
    keys close together on the board (a page and its edge; the viewer alone): its best key
    is counted by :func:`rank_terms` (terms two groups share are read once), the others from
    the exact scores between its worst key and its best, read once for the group — a page's
    keys span the handful of scores it shows. Groups whose spans overlap are counted as one.
    """
    clusters = _clusters(groups)
    if not clusters:
        return {}
    board = "FROM board_counts WHERE guild_id = ?1 AND scope = ?2 AND board = ?3 AND level = "
    parts: list[str] = []
    params: list[Any] = [guild_id, scope, spec.kind.value]
    numbered: dict[tuple[int, int, int, int | None], int] = {}

    def slot(value: int) -> str:
        params.append(value)
        return f"?{len(params)}"

    for keys in clusters:
        for level, sign, first, last in rank_terms(keys[0]):
            if (level, sign, first, last) in numbered:
                continue
            numbered[(level, sign, first, last)] = part = len(parts)
            if last is None:
                buckets = f"bucket >= {slot(first)}"
            elif first == last:
                buckets = f"bucket = {slot(first)}"
            else:
                buckets = f"bucket BETWEEN {slot(first)} AND {slot(last)}"
            parts.append(f"SELECT {part} AS part, NULL AS bucket, SUM(members) AS members {board}{level} AND {buckets}")
    windows: list[int | None] = []
    for keys in clusters:
        window = None
        if len(keys) > 1:  # a lone key has no window to read
            window = len(parts)
            parts.append(f"SELECT {window}, bucket, members {board}0 AND bucket > {slot(keys[-1])} "
                         f"AND bucket <= {slot(keys[0])}")
        windows.append(window)
    rows = await reader.fetch_all(" UNION ALL ".join(parts), params)
    sums = {row["part"]: row["members"] or 0 for row in rows if row["bucket"] is None}
    scores: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        if row["bucket"] is not None:
            scores.setdefault(row["part"], []).append((row["bucket"], row["members"]))
    better: dict[int, int] = {}
    for keys, window in zip(clusters, windows, strict=True):
        above = sum(sign * sums.get(numbered[(level, sign, first, last)], 0)
                    for level, sign, first, last in rank_terms(keys[0]))
        for key in keys:
            shown = scores.get(window, []) if window is not None else []
            better[key] = above + sum(members for score, members in shown if score > key)
    return better


def _anonymous(spec: BoardSpec, row: Row) -> bool:
    """Shown as "Anonymous": a donor who gave anonymously, or a forgotten member's pledges."""
    return spec.kind is BoardKind.DONORS and (row["anonymous_cents"] > 0 or row["user_id"] < 0)


def _standing(spec: BoardSpec, row: Row, rank: int) -> Standing:
    anonymous = _anonymous(spec, row)
    name = ANONYMOUS if anonymous else (row["display_name"] or UNKNOWN_MEMBER)
    return Standing(
        rank=rank,
        user_id=row["user_id"],
        name=name,
        value=row[spec.score[0]],
        reached_at=from_storage(row["reached_at"]),
        resolved=row["resolved"] if spec.kind is BoardKind.PICKERS else None,
        pledge_count=row["pledge_count"] if spec.kind is BoardKind.DONORS else None,
        anonymous=anonymous,
    )


def _cursor(spec: BoardSpec, row: Row) -> Cursor:
    return Cursor(_score(spec, row), row["reached_at"], row["user_id"])


def cursor_key(kind: BoardKind, cursor: Cursor) -> int:
    """The cursor's score as one integer, higher is better (as :func:`_key` for a row)."""
    if kind is BoardKind.PICKERS:
        correct, resolved = cursor.score
        return correct * PICKER_KEY_SCALE - resolved
    return cursor.score[0]


def _score(spec: BoardSpec, row: Row) -> tuple[int, ...]:
    return tuple(int(row[column]) for column in spec.score)


def rank_key(spec: BoardSpec, row: Row) -> int:
    """The row's score as one integer, higher is better (the histogram's `score`)."""
    if spec.kind is BoardKind.PICKERS:
        return int(row["correct"]) * PICKER_KEY_SCALE - int(row["resolved"])
    return int(row[spec.score[0]])


async def board_page(
    reader: Reader, guild_id: int, kind: BoardKind, scope: int, cursor: Cursor | None, *,
    page_size: int = PAGE_SIZE,
) -> tuple[list[Standing], Cursor | None]:
    """One page of standings after `cursor`, and the cursor of the next page (None at the end)."""
    spec = SPECS[kind]
    rows = await fetch_rows(reader, spec, guild_id, scope, cursor, page_size + 1)
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not rows:
        return [], None
    keys = [rank_key(spec, row) for row in rows]
    if cursor is None:
        ranks = competition_ranks(keys)  # the top of the board: nobody above to count
    else:
        better = await better_counts(reader, spec, guild_id, scope, keys)
        ranks = [rank_of(better[key]) for key in keys]
    standings = [_standing(spec, row, rank) for row, rank in zip(rows, ranks, strict=True)]
    next_cursor = _cursor(spec, rows[-1]) if more else None
    return standings, next_cursor


class TopStandings(tuple[Standing, ...]):
    """A board's first page as :func:`_top` keeps it between two commits: one object for every
    viewer, so :func:`listing` renders it once."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class _Top:
    """A board's first page, as :func:`page_at` shows it to everyone (the viewer's place apart)."""

    keys: list[int]
    standings: TopStandings
    next_cursor: Cursor | None


async def _top(reader: Reader, spec: BoardSpec, guild_id: int, scope: int, page_size: int) -> _Top:
    """The board's first page: between two commits built once (:func:`remembered_by`), like its
    rows, and the same object each time, so that its rendering can be kept too (:func:`page_embed`)."""

    async def read() -> _Top:
        rows = await fetch_rows(reader, spec, guild_id, scope, None, page_size + 1)
        more_after = len(rows) > page_size
        rows = rows[:page_size]
        keys = [rank_key(spec, row) for row in rows]
        standings = TopStandings(
            _standing(spec, row, rank) for row, rank in zip(rows, competition_ranks(keys), strict=True))
        return _Top(keys, standings, _cursor(spec, rows[-1]) if rows and more_after else None)

    return await remembered_by(reader, ("board_top_page", guild_id, spec.kind, scope, page_size), read)


@dataclass(frozen=True, slots=True, eq=False)
class FirstPage:
    """A board's first page as `/leaderboard show` opens it, the viewer's place apart: between two
    commits one object for every viewer (:meth:`LeaderboardService.first`), so what is drawn from
    it is drawn once (:func:`first_page_json`)."""

    guild_id: int
    kind: BoardKind
    scope: BoardScope
    top: _Top

    def page(self, viewer: ViewerStanding | None) -> BoardPage:
        """The page as :func:`page_at` gives it, for a viewer at `viewer`."""
        return BoardPage(self.kind, self.scope, 1, self.top.standings, self.top.next_cursor, viewer)


@dataclass(frozen=True, slots=True)
class Window:
    """One page found by :func:`page_at`."""

    number: int
    standings: tuple[Standing, ...]
    """A board's first page is the :class:`TopStandings` kept between commits."""
    previous_cursor: Cursor | None
    next_cursor: Cursor | None
    moved: bool
    viewer: ViewerStanding | None = None
    """The viewer's own place, when :func:`page_at` was given one."""


async def page_at(
    reader: Reader, guild_id: int, kind: BoardKind, scope: int, request: PageRequest[Cursor], *,
    page_size: int = PAGE_SIZE, viewer_id: int | None = None,
) -> Window:
    """The page a Previous/Next click asks for, from the board as it is now (the first page
    without an edge), and the place of `viewer_id` when given (as :func:`viewer_standing`).

    Next shows the rows after the edge (the last row the member saw), Previous the rows
    before the edge (the first one). Nothing was kept since, so the board may have moved:

    * the edge's key is ranked again; a different rank than the one shown means members
      passed it, fell behind it or left above it: ``moved``;
    * Next with nothing after the edge any more shows the page that ends at it;
    * Previous that reaches the top shows the first page, full, as page 1.

    Any of these is ``moved``, so the member can be told their view changed. Costs a
    few index seeks wherever the page is: the viewer's row, the page's rows (Previous
    reads the edge's row with them, to know that rows follow the page), and one
    statement for every rank (:func:`page_counts`).
    """
    spec = SPECS[kind]
    viewer_row, reason = (None, None) if viewer_id is None else await _viewer_row(
        reader, spec, guild_id, scope, viewer_id)
    edge = request.edge
    moved = False
    rows: list[Row] = []
    more_before = more_after = False
    number = request.number
    if edge is not None and request.direction is Direction.AFTER:
        rows = await fetch_rows(reader, spec, guild_id, scope, edge.cursor, page_size + 1)
        more_after = len(rows) > page_size
        rows = rows[:page_size]
        if rows:
            more_before = True
        else:  # everything after the edge is gone: the page that ends at it
            moved = True
            rows = await fetch_rows(reader, spec, guild_id, scope, edge.cursor, page_size + 1,
                                    before=True, inclusive=True)
            more_before = len(rows) > page_size
            rows = rows[-page_size:] if more_before else []
            number = max(request.number - 1, 2)
    elif edge is not None:
        # The edge's own row too, when it is still where it was shown: then rows follow the page.
        rows = await fetch_rows(reader, spec, guild_id, scope, edge.cursor, page_size + 2,
                                before=True, inclusive=True)
        edge_stayed = bool(rows) and _cursor(spec, rows[-1]) == edge.cursor
        rows = rows[:-1] if edge_stayed else rows[-(page_size + 1):]
        more_before = len(rows) > page_size
        rows = rows[-page_size:]
        if more_before:
            moved = request.number < 2  # members arrived above what was the first page
            number = max(request.number, 2)
        else:  # the first page: these rows when they fill it, else read again from the top
            moved = request.number != 1  # members above it left: the top came early
            number = 1
            rows = rows if len(rows) == page_size else []
        if rows:
            more_after = edge_stayed or bool(
                await fetch_rows(reader, spec, guild_id, scope, _cursor(spec, rows[-1]), 1))
    top = None
    if not rows:  # the first page, from the top
        number = 1
        more_before = False
        top = await _top(reader, spec, guild_id, scope, page_size)
    keys = top.keys if top is not None else [rank_key(spec, row) for row in rows]
    edge_key = None if edge is None else cursor_key(kind, edge.cursor)
    viewer_key = None if viewer_row is None else rank_key(spec, viewer_row)
    better = await page_counts(reader, spec, guild_id, scope, keys, from_top=not more_before,
                               edge=edge_key, viewer=viewer_key)
    if edge is not None and edge_key is not None and rank_of(better[edge_key]) != edge.rank:
        moved = True
    if top is not None:
        standings: tuple[Standing, ...] = top.standings
        previous_cursor, next_cursor = None, top.next_cursor
    else:
        ranks = [rank_of(better[key]) for key in keys]
        standings = tuple(_standing(spec, row, rank) for row, rank in zip(rows, ranks, strict=True))
        previous_cursor = _cursor(spec, rows[0]) if rows and more_before else None
        next_cursor = _cursor(spec, rows[-1]) if rows and more_after else None
    return Window(
        number=number,
        standings=standings,
        previous_cursor=previous_cursor,
        next_cursor=next_cursor,
        moved=moved,
        viewer=None if viewer_id is None else _viewer_standing(spec, viewer_row, reason, better),
    )


async def page_counts(
    reader: Reader, spec: BoardSpec, guild_id: int, scope: int, keys: list[int], *, from_top: bool,
    edge: int | None = None, viewer: int | None = None,
) -> dict[int, int]:
    """How many listed members are better than each of a page's `keys` (in the board's order),
    its `edge` (the row next to it the member saw) and the `viewer`'s key: one statement of
    :func:`better_counts` at most, the page and its edge one group, the viewer another.

    A page `from_top` (the board's first rows) needs none for its own keys, nor for any key at
    least as good as its worst: everyone better than that is on the page.
    """
    known: dict[int, int] = {}
    if from_top and keys:
        known = {key: rank - 1 for key, rank in zip(keys, competition_ranks(keys), strict=True)}
        for key in (edge, viewer):
            if key is not None and key >= keys[-1]:
                known[key] = sum(other > key for other in keys)
    page = [] if from_top else keys
    groups = [[*page, *([] if edge is None or edge in known else [edge])],
              [] if viewer is None or viewer in known else [viewer]]
    counted = await better_counts(reader, spec, guild_id, scope, *groups) if any(groups) else {}
    return {**counted, **known}


async def _viewer_row(
    reader: Reader, spec: BoardSpec, guild_id: int, scope: int, user_id: int
) -> tuple[Row | None, str | None]:
    """The viewer's row when they are to be ranked on the board, else None and why not."""
    row = await reader.fetch_one(
        f"{_select(spec)} WHERE t.guild_id = ? AND t.scope = ? AND t.user_id = ?",
        (guild_id, scope, user_id),
    )
    kind = spec.kind
    if row is None or (kind is not BoardKind.PICKERS and row[spec.score[0]] <= 0):
        reason = {
            BoardKind.LOSERS: "You haven't lost anything here yet.",
            BoardKind.DONORS: "You haven't pledged here yet.",
            BoardKind.PICKERS: "None of your picks has been decided yet.",
        }[kind]
        return None, reason
    if kind is BoardKind.PICKERS and row["resolved"] < MIN_RESOLVED_PICKS:
        return None, (
            f"{row['correct']} right of {row['resolved']} decided: pickers are ranked from "
            f"{MIN_RESOLVED_PICKS} decided picks."
        )
    if _anonymous(spec, row):
        # The reply is public: showing an anonymous donor's rank beside their name would unmask them.
        return None, "You gave anonymously, so your rank isn't shown here."
    return row, None


async def viewer_on_first_page(reader: Reader, first: FirstPage, user_id: int) -> ViewerStanding:
    """The viewer's place beside `first`'s rows, exactly as :func:`page_at` tells it on the first
    page: the viewer's row, and (when they stand below it) one count of those better."""
    spec = SPECS[first.kind]
    row, reason = await _viewer_row(reader, spec, first.guild_id, first.scope.scope, user_id)
    if row is None:
        return ViewerStanding(None, reason)
    key = rank_key(spec, row)
    # Members who share a score share its count: between two commits it is read once a score.
    better = await remembered_by(reader, ("board_better", first.guild_id, first.kind, first.scope.scope, key),
                                 lambda: page_counts(reader, spec, first.guild_id, first.scope.scope, first.top.keys,
                                                     from_top=True, viewer=key))
    return _viewer_standing(spec, row, reason, better)


def _viewer_standing(spec: BoardSpec, row: Row | None, reason: str | None, better: Mapping[int, int]) -> ViewerStanding:
    if row is None:
        return ViewerStanding(None, reason)
    return ViewerStanding(_standing(spec, row, rank_of(better[rank_key(spec, row)])))


async def viewer_standing(reader: Reader, guild_id: int, kind: BoardKind, scope: int, user_id: int) -> ViewerStanding:
    """The viewer's own rank on the board, or why they are not on it."""
    spec = SPECS[kind]
    row, reason = await _viewer_row(reader, spec, guild_id, scope, user_id)
    better = {} if row is None else await better_counts(reader, spec, guild_id, scope, [rank_key(spec, row)])
    return _viewer_standing(spec, row, reason, better)


# ---- rendering -------------------------------------------------------------------------------


def standing_value(kind: BoardKind, standing: Standing) -> str:
    if kind is BoardKind.LOSERS:
        return f"{standing.value:,} loss" + ("" if standing.value == 1 else "es")
    if kind is BoardKind.DONORS:
        return format_cents(standing.value)
    return f"{standing.value:,} right of {standing.resolved or 0:,} ({standing.accuracy_percent or 0}%)"


def standing_line(kind: BoardKind, standing: Standing) -> str:
    return f"**{standing.rank:,}.** {safe(standing.name, NAME_LIMIT)} — {standing_value(kind, standing)}"


def board_rules(kind: BoardKind) -> str:
    """How the board is ranked, in one line (shown under every board)."""
    if kind is BoardKind.LOSERS:
        rule = "Most losses first"
    elif kind is BoardKind.DONORS:
        rule = "Most pledged first (cancelled pledges don't count)"
    else:
        rule = f"Most right picks first, then accuracy; ranked from {MIN_RESOLVED_PICKS} decided picks"
    return f"{rule}. Ties share a rank; whoever got there first is listed first."


LISTINGS_KEPT = 64
"""Rendered listings :func:`page_embed` keeps (all dropped when full): a board's top page in
each scope between two commits."""
_listings: KeptWith[TopStandings, str] = KeptWith(LISTINGS_KEPT)


def listing(kind: BoardKind, standings: Sequence[Standing]) -> str:
    """A page's rows as the embed lists them. A board's first page is the same object for every
    viewer between two commits (:class:`TopStandings`), so its listing is rendered once and kept
    with that object (:class:`bot.kept.KeptWith`; a new top is a new object)."""

    def render() -> str:
        lines = [standing_line(kind, standing) for standing in standings]
        return "\n".join(lines) if lines else SPECS[kind].empty

    return _listings.get(standings, kind, render) if isinstance(standings, TopStandings) else render()


def page_embed(page: BoardPage, *, viewer_name: str = "You") -> Embed:
    embed = page_frame(page)
    if page.viewer is not None:
        embed.add_field(*viewer_field(page.kind, page.viewer, viewer_name))
    return embed


def page_frame(page: BoardPage) -> Embed:
    """A page's embed but the viewer's place: its title, rows and footer."""
    spec = SPECS[page.kind]
    return Embed(
        title=f"{spec.title} — {safe(page.scope.label, 150)}",
        description=listing(page.kind, page.standings),
        colour=Colour.GOLD,
        footer=f"Page {page.page_number:,} · {board_rules(page.kind)} {LEFT_NOTE}",
    )


def viewer_field(kind: BoardKind, viewer: ViewerStanding, viewer_name: str) -> tuple[str, str]:
    """The field that tells the viewer their place: its name and value."""
    if viewer.standing is not None:
        text = f"{ordinal(viewer.standing.rank)} — {standing_value(kind, viewer.standing)}"
    else:
        text = viewer.reason or "Not ranked."
    return f"Where {safe(viewer_name, NAME_LIMIT)} stands", text


FRAMES_KEPT = 64
_frames: KeptWith[FirstPage, dict[str, Any]] = KeptWith(FRAMES_KEPT)


def first_page_json(first: FirstPage, viewer: ViewerStanding, viewer_name: str) -> dict[str, Any]:
    """``page_embed(first.page(viewer), viewer_name).to_dict()``, the frame drawn once for every
    viewer of `first` (kept with it, with room for the viewer's field): only the field is theirs."""
    frame = _frames.get(first, None, lambda: page_frame(first.page(None)).to_dict(EMBED_TOTAL_LIMIT - FIELD_ROOM))
    return with_field(frame, *viewer_field(first.kind, viewer, viewer_name))


def board_embed(kind: BoardKind, scope: BoardScope, standings: list[Standing]) -> Embed:
    """A board's top rows for a channel post."""
    spec = SPECS[kind]
    lines = [standing_line(kind, standing) for standing in standings]
    return Embed(
        title=f"{spec.title} — {safe(scope.label, 150)}",
        description="\n".join(lines) if lines else spec.empty,
        colour=Colour.GOLD,
        footer=board_rules(kind),
    )


# ---- scopes and posts ------------------------------------------------------------------------


def ceremony_title(name: str, year: int) -> str:
    """As :attr:`bot.domain.ceremonies.service.Ceremony.title`, for rows read without the whole ceremony."""
    return name if str(year) in name else f"{name} ({year})"


async def resolve_scope(reader: Reader, guild_id: int, requested: str | None) -> BoardScope:
    """`ceremony`, `all-time`, or None for the default: the current ceremony when there is one."""
    if requested is not None and requested not in set(ScopeChoice):
        raise InvalidInput("Choose `ceremony` or `all-time` as the scope.", reason="unknown_scope", scope=requested)
    if requested == ScopeChoice.ALL_TIME:
        return BoardScope(ALL_TIME, "All time")
    ceremony = await current_ceremony(reader, guild_id)
    if ceremony is None:
        if requested == ScopeChoice.CEREMONY:
            raise InvalidInput("There's no current ceremony: choose the `all-time` scope.", reason="no_ceremony")
        return BoardScope(ALL_TIME, "All time")
    return BoardScope(ceremony.id, ceremony.title)


class BoardButtons(Protocol):
    """Builds the components under posted boards (the leaderboards cog hands one in).

    `ends` has an entry for each board with rows: the :class:`Edge` of its last row when
    more rows follow, else None. Returns Discord's raw action rows (plain dicts).
    """

    def __call__(
        self, guild_id: int, scope: int, ends: Mapping[BoardKind, Edge[Cursor] | None]
    ) -> list[dict[str, Any]]: ...


async def boards_message(
    reader: Reader, guild_id: int, scope: BoardScope, *, heading: str, buttons: BoardButtons | None = None
) -> dict[str, Any] | None:
    """The three boards' top 10 as one message body; None when all three are empty.

    With `buttons`, the body carries the components it builds for these pages (Next
    under each board), so a member can read on from where the post ends.
    """
    embeds: list[Embed] = []
    ends: dict[BoardKind, Edge[Cursor] | None] = {}
    for kind in BoardKind:
        standings, next_cursor = await board_page(reader, guild_id, kind, scope.scope, None)
        if standings:
            ends[kind] = None if next_cursor is None else Edge(next_cursor, standings[-1].rank)
        embeds.append(board_embed(kind, scope, standings))
    if not ends:
        return None
    body = message(content=heading, embeds=embeds)
    if buttons is not None:
        body["components"] = buttons(guild_id, scope.scope, ends)
    return body


class LeaderboardService:
    """Pages for `/leaderboard show`, and `/leaderboard post`."""

    def __init__(self, db: Database, clock: Clock, settings: SettingsService) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings

    async def scope(self, guild_id: int, requested: str | None) -> BoardScope:
        return await resolve_scope(self._db, guild_id, requested)

    async def page(
        self, guild_id: int, kind: BoardKind, scope: BoardScope, *, cursor: Cursor | None, page_number: int,
        viewer_id: int | None,
    ) -> BoardPage:
        standings, next_cursor = await board_page(self._db, guild_id, kind, scope.scope, cursor)
        viewer = (
            None if viewer_id is None
            else await viewer_standing(self._db, guild_id, kind, scope.scope, viewer_id)
        )
        return BoardPage(kind, scope, page_number, tuple(standings), next_cursor, viewer)

    async def first(self, guild_id: int, kind: BoardKind, requested: str | None) -> FirstPage:
        """The board's first page in the scope asked for (None: the current ceremony, if there is
        one), as `/leaderboard show` opens it: between two commits one object for every viewer,
        whose place is :meth:`viewer_on`."""

        async def read() -> FirstPage:
            scope = await resolve_scope(self._db, guild_id, requested)
            return FirstPage(guild_id, kind, scope, await _top(self._db, SPECS[kind], guild_id, scope.scope, PAGE_SIZE))

        return await self._db.remembered(("board_first_page", guild_id, kind, requested), read)

    async def viewer_on(self, first: FirstPage, viewer_id: int) -> ViewerStanding:
        """The viewer's place on `first`'s board (:func:`viewer_on_first_page`)."""
        return await viewer_on_first_page(self._db, first, viewer_id)

    async def turn(
        self, guild_id: int, kind: BoardKind, scope: BoardScope, request: PageRequest[Cursor], *,
        viewer_id: int | None,
    ) -> BoardPage:
        """The page a Previous/Next button asks for, as the board stands now (see :func:`page_at`)."""
        window = await page_at(self._db, guild_id, kind, scope.scope, request, viewer_id=viewer_id)
        return BoardPage(
            kind, scope, window.number, window.standings, window.next_cursor, window.viewer,
            previous_cursor=window.previous_cursor, moved=window.moved,
        )

    async def known_scope(self, guild_id: int, scope: int) -> BoardScope:
        """The scope a button carries, checked against this server: all-time, or one of its ceremonies."""
        if scope == ALL_TIME:
            return BoardScope(ALL_TIME, "All time")
        row = await self._db.fetch_one(
            "SELECT name, year FROM ceremonies WHERE id = ? AND guild_id = ?", (scope, guild_id)
        )
        if row is None:
            raise NotFound(
                "That board's ceremony no longer exists in this server: open a fresh one with `/leaderboard show`.",
                reason="unknown_scope", scope=scope,
            )
        return BoardScope(scope, ceremony_title(row["name"], row["year"]))

    async def post_now(self, guild_id: int, *, actor_id: int, buttons: BoardButtons | None = None) -> int:
        """Queue the current boards for the leaderboard channel (else the announcement channel),
        with the components `buttons` builds.

        Returns the outbox id. Refuses when every board is empty.
        """
        scope = await resolve_scope(self._db, guild_id, None)
        body = await boards_message(
            self._db, guild_id, scope, heading="📊 The leaderboards right now", buttons=buttons
        )
        if body is None:
            raise InvalidInput("The boards are empty: there's nothing to post yet.", reason="boards_empty")

        async def queue(tx: Transaction) -> int:
            now = self._clock()
            settings = await self._settings.get_in(tx, guild_id)
            outbox_id = await outbox.announce(
                tx, guild_id, POST_KIND, body, now, channel_id=settings.leaderboard_channel_id
            )
            await audit.record(tx, guild_id, actor_id, "leaderboard.post", f"{scope.label} (scope {scope.scope})", now)
            return outbox_id

        return await self._db.write(queue)
