"""The pledge rules that the database enforces too, each written once in Python.

The migrations keep the same rules in SQL triggers: they make a write that
breaks a rule fail, and they maintain the totals in the writer's transaction.
``tests/domain/pledges/test_rules.py`` checks that the two say the same.

* **Status order** (``pledges_status_order``, migration 0003): a pledge moves only
  pending → paid → verified, or from pending or paid to cancelled; verified and
  cancelled are final. :func:`may_move`.
* **How a pledge counts** (the ``pledges_count_*`` and ``pledge_member_totals_*``
  triggers of 0003): in the all-time scope and, when it has one, its ceremony's;
  while it is not cancelled its amount adds to its server's raised total and to
  exactly one status sum (pending, paid or verified), to its member's total (and
  to their anonymous part when it is anonymous), and it adds one to both pledge
  counts. A pledger is a member whose total in the scope is above zero.
  :class:`ScopeTally`, :class:`MemberTally`, :func:`pledger_change`, :func:`recount`.
* **One live winner's tax** (``pledges_one_tax_per_category``, 0006, and
  ``pledges_one_tax_per_category_on_update``, 0008): a member holds at most one
  not-cancelled winner's tax per server and category. :data:`LIVE_TAX_SQL`, the
  lookup :func:`~bot.domain.pledges.recording.charge_winner_tax` takes before
  charging.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.pledges.model import CANCELLED, PAID, PENDING, VERIFIED, ScopeTotals
from bot.domain.scopes import scopes_of

# ---- status order ------------------------------------------------------------------------------

MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({PAID, CANCELLED}),
    PAID: frozenset({VERIFIED, CANCELLED}),
    VERIFIED: frozenset(),
    CANCELLED: frozenset(),
}
"""Where each status may move to (staying where it is is never a move)."""


def may_move(status: str, target: str) -> bool:
    """True when a pledge in `status` may move to `target`."""
    return target in MOVES[status]


# ---- how a pledge counts -----------------------------------------------------------------------


def counts(status: str) -> bool:
    """Whether a pledge in `status` counts toward the totals: every status but cancelled."""
    return status != CANCELLED


@dataclass(slots=True)
class ScopeTally:
    """A server's totals in one scope, as ``pledge_totals`` keeps them, to count pledges into."""

    scope: int
    raised_cents: int = 0
    pending_cents: int = 0
    paid_cents: int = 0
    verified_cents: int = 0
    pledge_count: int = 0
    pledger_count: int = 0

    def count(self, amount_cents: int, status: str, times: int = 1) -> None:
        """Count `times` pledges of `amount_cents` in `status` (``times=-1`` takes one out)."""
        cents = amount_cents * times
        if status == PENDING:
            self.pending_cents += cents
        elif status == PAID:
            self.paid_cents += cents
        elif status == VERIFIED:
            self.verified_cents += cents
        else:
            return  # cancelled: counted nowhere
        self.raised_cents += cents
        self.pledge_count += times

    def totals(self) -> ScopeTotals:
        return ScopeTotals(  # positional: twice per pledge on the hot path, in field order
            self.scope,
            self.raised_cents,
            self.pending_cents,
            self.paid_cents,
            self.verified_cents,
            self.pledge_count,
            self.pledger_count,
        )


@dataclass(slots=True)
class MemberTally:
    """A member's totals in one scope, as ``pledge_member_totals`` keeps them (``reached_at`` aside)."""

    total_cents: int = 0
    anonymous_cents: int = 0
    pledge_count: int = 0

    def count(self, amount_cents: int, status: str, anonymous: bool, times: int = 1) -> None:
        if status == CANCELLED:
            return
        self.total_cents += amount_cents * times
        if anonymous:
            self.anonymous_cents += amount_cents * times
        self.pledge_count += times


def pledger_change(before_cents: int, after_cents: int) -> int:
    """How a member's total moving from `before_cents` to `after_cents` changes the pledger count."""
    return (after_cents > 0) - (before_cents > 0)


class Counted(Protocol):
    """What counting a pledge needs (a :class:`~bot.domain.pledges.model.Pledge` has it)."""

    @property
    def guild_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def ceremony_id(self) -> int | None: ...
    @property
    def amount_cents(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def anonymous(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Recount:
    """The totals `pledges` add up to: per (guild, scope), and per (guild, scope, member)."""

    servers: dict[tuple[int, int], ScopeTally] = field(default_factory=dict)
    members: dict[tuple[int, int, int], MemberTally] = field(default_factory=dict)


def recount(pledges: Iterable[Counted]) -> Recount:
    """Count `pledges` from nothing: what the maintained totals must hold for exactly these pledges.

    A server or member appears once one of its pledges counts; the database may
    also keep all-zero rows (a member whose every pledge was cancelled), which
    mean the same.
    """
    counted = Recount()
    for pledge in pledges:
        if not counts(pledge.status):
            continue
        for scope in scopes_of(pledge.ceremony_id):
            server = counted.servers.get((pledge.guild_id, scope))
            if server is None:
                server = counted.servers[(pledge.guild_id, scope)] = ScopeTally(scope)
            server.count(pledge.amount_cents, pledge.status)
            member = counted.members.setdefault((pledge.guild_id, scope, pledge.user_id), MemberTally())
            member.count(pledge.amount_cents, pledge.status, pledge.anonymous)
    for (guild_id, scope, _), member in counted.members.items():
        counted.servers[(guild_id, scope)].pledger_count += pledger_change(0, member.total_cents)
    return counted


# ---- one live winner's tax ---------------------------------------------------------------------

LIVE_TAX_SQL = (
    "SELECT id FROM pledges WHERE guild_id = ? AND category_id = ? AND user_id = ? "
    "AND kind = 'winner_tax' AND status != 'cancelled' ORDER BY id LIMIT 1"
)
"""The member's live winner's tax for a category (parameters: guild, category, member), if any."""
