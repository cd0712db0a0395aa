"""The host's console (`/result console`): the night's results in clicks.

The console shows the next category without a result, in running order, with its
nominees; a click logs the winner through :meth:`ResultService.log` (the same two
commits, announcement, losses, loser roles and winner's tax as `/result log`), and
the console moves on to the next category without a result. Skip and Back move
between the categories still open; Tie adds a winner to the newest result through
:meth:`ResultService.tie`, and Undo takes the newest result back through
:meth:`ResultService.undo`, exactly as `/result undo` does.

What the console shows is named by the ceremony and the category it stands at, so a
console clicked after a restart, or by another host, reads the night as it is now: a
second click on a winner already logged is refused by the service ("logged already"),
never logged twice. Under the nominees, the newest three results and whether their
announcement is still queued or already posted (the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from bot.clock import from_storage
from bot.db import Database
from bot.domain.ceremonies.service import (
    Category,
    Ceremony,
    Nominee,
    categories_of,
    category_by_id,
    nominees_of,
    require_current,
    require_same,
)
from bot.domain.errors import NotFound
from bot.domain.results.service import LoggedResult, ResultReport, ResultService, result_of
from bot.text import safe

Move = Literal["here", "skip", "back"]
Action = Literal["log", "tie", "undo"]
AnnouncementState = Literal["queued", "posted", "failed", "unknown"]
RECENT = 3


@dataclass(frozen=True, slots=True)
class RecentResult:
    result_id: int
    category: Category
    winners: tuple[Nominee, ...]
    logged_at: datetime
    announcement: AnnouncementState


@dataclass(frozen=True, slots=True)
class ConsolePanel:
    ceremony: Ceremony
    current: Category | None  # the category the console stands at (None: every result is in)
    nominees: tuple[Nominee, ...]  # the current category's
    logged: int
    total: int
    others_open: int  # categories without a result besides the current one
    recent: tuple[RecentResult, ...]  # newest first
    report: ResultReport | None = None  # what this click just did …
    action: Action | None = None  # … and which it was

    @property
    def newest(self) -> RecentResult | None:
        return self.recent[0] if self.recent else None


@dataclass(frozen=True, slots=True)
class TieChoice:
    """The newest result and the nominees that could win it too."""

    ceremony: Ceremony
    result: LoggedResult
    candidates: tuple[Nominee, ...]


class ConsoleService:
    def __init__(self, db: Database, results: ResultService) -> None:
        self._db = db
        self._results = results

    async def panel(
        self, guild_id: int, *, ceremony_id: int | None = None, at: int | None = None, move: Move = "here"
    ) -> ConsolePanel:
        """The console standing at category `at` (``here``: it, or the next open one after it;
        ``skip``/``back``: the next/previous open one), in the current ceremony."""
        ceremony = await require_current(self._db, guild_id)
        require_same(ceremony, ceremony_id)
        return await self._panel(ceremony, at, move)

    async def log(
        self, guild_id: int, *, actor_id: int, ceremony_id: int, category_id: int, nominee_id: int,
        winner_check: str | None = None,
    ) -> ConsolePanel:
        """Log `nominee_id` as the winner of `category_id` (as `/result log` does), then stand at
        the next category without a result. `winner_check`: the nominee's fingerprint as shown."""
        report = await self._results.log(
            guild_id, actor_id=actor_id, category=str(category_id), winner=str(nominee_id), ceremony_id=ceremony_id,
            winner_check=winner_check,
        )
        panel = await self.panel(guild_id, ceremony_id=ceremony_id, at=category_id)
        return replace(panel, report=report, action="log")

    async def tie_choice(self, guild_id: int, *, ceremony_id: int) -> TieChoice:
        """The newest result of the ceremony and who could win it too (refused when there is none)."""
        ceremony = await require_current(self._db, guild_id)
        require_same(ceremony, ceremony_id)
        result = await self._newest(ceremony)
        winners = {winner.id for winner in result.winners}
        nominees = await nominees_of(self._db, result.category.id)
        return TieChoice(ceremony, result, tuple(n for n in nominees if n.id not in winners))

    async def tie(
        self, guild_id: int, *, actor_id: int, ceremony_id: int, nominee_id: int, at: int | None,
        nominee_check: str | None = None,
    ) -> ConsolePanel:
        """Add `nominee_id` as one more winner of its category (as `/result tie` does)."""
        category_id = await self._db.fetch_value(
            "SELECT category_id FROM nominees WHERE id = ? AND guild_id = ?", (nominee_id, guild_id)
        )
        if category_id is None:
            raise NotFound("That nominee is no longer part of the ceremony: nothing was changed.",
                           reason="unknown_nominee", nominee_id=nominee_id)
        report = await self._results.tie(
            guild_id, actor_id=actor_id, category=str(category_id), nominee=str(nominee_id), ceremony_id=ceremony_id,
            nominee_check=nominee_check,
        )
        panel = await self.panel(guild_id, ceremony_id=ceremony_id, at=at)
        return replace(panel, report=report, action="tie")

    async def newest(self, guild_id: int, *, ceremony_id: int) -> LoggedResult:
        """The result "Undo last…" would take back (refused when there is none)."""
        ceremony = await require_current(self._db, guild_id)
        require_same(ceremony, ceremony_id)
        return await self._newest(ceremony)

    async def undo(self, guild_id: int, *, actor_id: int, ceremony_id: int, result_id: int) -> ConsolePanel:
        """Take result `result_id` back (as `/result undo` does, refused if it changed since the
        host confirmed), then stand at its category, open again."""
        category_id = await self._db.fetch_value(
            "SELECT category_id FROM results WHERE id = ? AND guild_id = ? AND ceremony_id = ?",
            (result_id, guild_id, ceremony_id),
        )
        if category_id is None:
            raise NotFound("That result is no longer logged: nothing was undone.", reason="unknown_result",
                           result_id=result_id)
        report = await self._results.undo(
            guild_id, actor_id=actor_id, category_id=int(category_id), result_id=result_id
        )
        panel = await self.panel(guild_id, ceremony_id=ceremony_id, at=int(category_id))
        return replace(panel, report=report, action="undo")

    # ---- reading ------------------------------------------------------------------------------

    async def _newest(self, ceremony: Ceremony) -> LoggedResult:
        category_id = await self._db.fetch_value(
            "SELECT category_id FROM results WHERE guild_id = ? AND ceremony_id = ? ORDER BY id DESC LIMIT 1",
            (ceremony.guild_id, ceremony.id),
        )
        found = None if category_id is None else await category_by_id(self._db, ceremony.guild_id, int(category_id))
        result = None if found is None else await result_of(self._db, found)
        if result is None:
            raise NotFound(f"{safe(ceremony.title, 100)} has no result yet.", reason="no_result")
        return result

    async def _panel(self, ceremony: Ceremony, at: int | None, move: Move) -> ConsolePanel:
        categories = await categories_of(self._db, ceremony.id)
        rows = await self._db.fetch_all(
            "SELECT category_id FROM results WHERE guild_id = ? AND ceremony_id = ?", (ceremony.guild_id, ceremony.id)
        )
        logged = {int(row["category_id"]) for row in rows}
        current = _stand(categories, logged, at, move)
        nominees = tuple(await nominees_of(self._db, current.id)) if current is not None else ()
        open_count = sum(1 for category in categories if category.id not in logged)
        return ConsolePanel(
            ceremony=ceremony, current=current, nominees=nominees, logged=len(logged), total=len(categories),
            others_open=open_count - (1 if current is not None else 0), recent=await self._recent(ceremony),
        )

    async def _recent(self, ceremony: Ceremony) -> tuple[RecentResult, ...]:
        rows = await self._db.fetch_all(
            "SELECT r.id, r.category_id, r.logged_at, o.sent_at, o.failure, o.id AS outbox_id FROM results r "
            "LEFT JOIN outbox o ON o.id = r.announcement_id AND o.guild_id = r.guild_id "
            "WHERE r.guild_id = ? AND r.ceremony_id = ? ORDER BY r.id DESC LIMIT ?",
            (ceremony.guild_id, ceremony.id, RECENT),
        )
        recent: list[RecentResult] = []
        for row in rows:
            found = await category_by_id(self._db, ceremony.guild_id, int(row["category_id"]))
            result = None if found is None else await result_of(self._db, found)
            if found is None or result is None:
                continue
            state: AnnouncementState = (
                "unknown" if row["outbox_id"] is None
                else "posted" if row["sent_at"] is not None
                else "failed" if row["failure"] is not None
                else "queued"
            )
            recent.append(RecentResult(int(row["id"]), found, result.winners, from_storage(row["logged_at"]), state))
        return tuple(recent)


def _stand(categories: list[Category], logged: set[int], at: int | None, move: Move) -> Category | None:
    """Where the console stands: an open category, searched from `at` in running order, wrapping
    around (``back`` searches backwards); None when every category has its result."""
    open_ones = [category for category in categories if category.id not in logged]
    if not open_ones:
        return None
    index = next((i for i, category in enumerate(categories) if category.id == at), None)
    if index is None:
        return open_ones[-1] if move == "back" else open_ones[0]
    if move == "here" and categories[index].id not in logged:
        return categories[index]
    if move == "back":
        around = [*reversed(categories[:index]), *reversed(categories[index:])]
    else:
        around = categories[index + 1:] + categories[:index + 1]
    return next(category for category in around if category.id not in logged)
