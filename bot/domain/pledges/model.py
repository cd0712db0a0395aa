"""What a pledge is, and the totals kept for it. Plain data; no SQL beyond column lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_storage
from bot.domain.scopes import ALL_TIME as ALL_TIME

PENDING, PAID, VERIFIED, CANCELLED = "pending", "paid", "verified", "cancelled"
STATUSES = (PENDING, PAID, VERIFIED, CANCELLED)
PLEDGE, WINNER_TAX = "pledge", "winner_tax"
ANONYMOUS = "Anonymous"
MAX_NOTE = 200
MAX_REASON = 200

PLEDGE_COLUMNS = (
    "id, guild_id, user_id, display_name, ceremony_id, amount_cents, kind, status, anonymous, note, "
    "category_id, result_id, created_at, updated_at, cancelled_by, cancel_reason"
)


@dataclass(frozen=True, slots=True)
class Pledge:
    id: int
    guild_id: int
    user_id: int
    display_name: str
    """The member's display name when they pledged (hosts' export shows it even when anonymous)."""
    ceremony_id: int | None
    amount_cents: int
    kind: str
    status: str
    anonymous: bool
    note: str | None
    category_id: int | None
    result_id: int | None
    created_at: datetime
    updated_at: datetime
    cancelled_by: int | None
    cancel_reason: str | None

    @property
    def public_name(self) -> str:
        """The name announcements may show."""
        return ANONYMOUS if self.anonymous else self.display_name


def pledge_from_row(row: Any) -> Pledge:
    return Pledge(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        ceremony_id=row["ceremony_id"],
        amount_cents=row["amount_cents"],
        kind=row["kind"],
        status=row["status"],
        anonymous=bool(row["anonymous"]),
        note=row["note"],
        category_id=row["category_id"],
        result_id=row["result_id"],
        created_at=from_storage(row["created_at"]),
        updated_at=from_storage(row["updated_at"]),
        cancelled_by=row["cancelled_by"],
        cancel_reason=row["cancel_reason"],
    )


@dataclass(frozen=True, slots=True)
class ScopeTotals:
    """A server's totals in one scope (all-time, or one ceremony). Status sums are exclusive."""

    scope: int
    raised_cents: int = 0
    pending_cents: int = 0
    paid_cents: int = 0
    """Marked paid by the member, not yet verified by a host."""
    verified_cents: int = 0
    pledge_count: int = 0
    pledger_count: int = 0


TOTALS_COLUMNS = "scope, raised_cents, pending_cents, paid_cents, verified_cents, pledge_count, pledger_count"


def totals_from_row(row: Any) -> ScopeTotals:
    return ScopeTotals(
        scope=row["scope"],
        raised_cents=row["raised_cents"],
        pending_cents=row["pending_cents"],
        paid_cents=row["paid_cents"],
        verified_cents=row["verified_cents"],
        pledge_count=row["pledge_count"],
        pledger_count=row["pledger_count"],
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """Where the server stands: the current ceremony (if any) and all-time, against the goal."""

    goal_cents: int
    charity_name: str
    all_time: ScopeTotals
    ceremony_id: int | None = None
    ceremony_name: str | None = None
    ceremony: ScopeTotals | None = None


@dataclass(frozen=True, slots=True)
class PledgeReceipt:
    """What `/pledge add` answers with, worked out inside the unit that wrote the pledge: the totals
    as they stood right after it (before any pledge written after it in the same batch)."""

    pledge: Pledge
    duplicate: bool
    """True when this interaction had already been recorded: nothing new was counted."""
    member_total_cents: int
    """The member's all-time total (cancelled pledges excluded)."""
    member_ceremony_cents: int | None
    """The member's total for the pledge's ceremony, None when it has none."""
    progress: Progress
    milestone_percent: int | None = None
    """The goal milestone this pledge announced, if any."""
    announced_big: bool = False


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The outcome of paid / verify / cancel; `changed` is False for a repeated click."""

    pledge: Pledge
    changed: bool


@dataclass(frozen=True, slots=True)
class DonorStanding:
    """One line of a donor leaderboard.

    A member who has any non-cancelled anonymous pledge in the scope is shown as
    "Anonymous" for the whole scope (their rank and total still count): showing
    the named part under their name beside an anonymous remainder would let
    anyone work out who gave the anonymous money. A forgotten member's tombstone
    (a negative user id) is always anonymous.
    """

    rank: int
    user_id: int
    display_name: str
    anonymous: bool
    total_cents: int
    pledge_count: int
    reached_at: datetime

    @property
    def shown_name(self) -> str:
        return ANONYMOUS if self.anonymous else self.display_name
