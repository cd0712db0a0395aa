"""PledgeService: the rules of pledging, each command one transaction (or one read).

`/pledge add` is the exception that keeps the rule: pledges arriving together are
written together, one unit of work for the lot (`batching`), each still answered
with its own receipt or its own refusal.

Who may do what:

* a member pledges, lists their pledges, marks their own pending pledge paid and
  cancels their own pending pledge (not a winner's tax: that is owed);
* a host may also mark any pending pledge paid (money handed to them in person),
  verify a paid pledge, and cancel any pending **or paid** pledge with a reason
  (a payment that never arrived). A verified pledge is final: nobody cancels it.

Status moves only pending → paid → verified, or pending/paid → cancelled
(:mod:`~bot.domain.pledges.rules`); the database refuses anything else too. Repeating a change that is already done
(a double click) answers with the pledge as it is, `changed=False`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.clock import Clock, from_storage, to_storage
from bot.db import Database, Transaction
from bot.domain.audit import log as audit
from bot.domain.errors import InvalidInput, NotAllowed, NotFound, WrongState
from bot.domain.money import parse_cents
from bot.domain.pledges.batching import PledgeBatcher
from bot.domain.pledges.export import pledges_csv
from bot.domain.pledges.model import (
    ALL_TIME,
    CANCELLED,
    MAX_REASON,
    PAID,
    PENDING,
    PLEDGE,
    PLEDGE_COLUMNS,
    TOTALS_COLUMNS,
    VERIFIED,
    WINNER_TAX,
    DonorStanding,
    Pledge,
    PledgeReceipt,
    Progress,
    ScopeTotals,
    StatusChange,
    pledge_from_row,
    totals_from_row,
)
from bot.domain.pledges.recording import NewPledge, clean_note
from bot.domain.pledges.rules import may_move
from bot.domain.settings.service import SettingsService

MAX_LISTED = 20
MAX_BOARD_PAGE = 100
UNKNOWN_MEMBER = "a former member"

# The donor board reads only `pledge_member_totals` through its board index.
TOP_DONORS_SQL = (
    "SELECT t.user_id, t.total_cents, t.anonymous_cents, t.pledge_count, t.reached_at, m.display_name "
    "FROM pledge_member_totals AS t "
    "LEFT JOIN members AS m ON m.guild_id = t.guild_id AND m.user_id = t.user_id "
    "WHERE t.guild_id = ? AND t.scope = ? AND t.total_cents > 0 "
    "ORDER BY t.total_cents DESC, t.reached_at, t.user_id LIMIT ? OFFSET ?"
)
# A rank is 1 + the members ahead: an index range over the totals above, not the whole board.
DONOR_RANK_SQL = (
    "SELECT t.user_id, t.total_cents, t.anonymous_cents, t.pledge_count, t.reached_at, m.display_name, "
    "1 + (SELECT COUNT(*) FROM pledge_member_totals AS o "
    "     WHERE o.guild_id = t.guild_id AND o.scope = t.scope AND o.total_cents >= t.total_cents "
    "     AND (o.total_cents > t.total_cents OR o.reached_at < t.reached_at "
    "          OR (o.reached_at = t.reached_at AND o.user_id < t.user_id))) AS rank "
    "FROM pledge_member_totals AS t "
    "LEFT JOIN members AS m ON m.guild_id = t.guild_id AND m.user_id = t.user_id "
    "WHERE t.guild_id = ? AND t.scope = ? AND t.user_id = ? AND t.total_cents > 0"
)


@dataclass(frozen=True, slots=True)
class MemberPledges:
    """A member's newest pledges and their standing."""

    pledges: list[Pledge]
    pledge_rows: int
    """How many pledges the member has ever made here, cancelled ones included."""
    total_cents: int
    """All-time, cancelled excluded."""


@dataclass(frozen=True, slots=True)
class PledgeExport:
    content: bytes
    rows: int


class PledgeService:
    def __init__(self, db: Database, clock: Clock, settings: SettingsService) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._batcher = PledgeBatcher(db, clock)

    # --- pledging -----------------------------------------------------------------

    async def add_pledge(
        self,
        *,
        guild_id: int,
        user_id: int,
        display_name: str,
        amount: str,
        interaction_id: int | None,
        note: str | None = None,
        anonymous: bool = False,
    ) -> PledgeReceipt:
        """Record a pledge of `amount` (dollars as typed) and return what the reply shows.

        Written together with every other pledge waiting for the writer (one unit
        for all: see `batching`); returns only after the commit. The same
        `interaction_id` twice returns the original pledge (`duplicate=True`) and
        counts nothing. Raises :class:`InvalidInput` for a bad amount or note (before
        anything is queued) or an amount above the server's maximum.
        """
        cents = parse_cents(amount, what="A pledge")
        new = NewPledge(
            guild_id=guild_id,
            user_id=user_id,
            display_name=display_name,
            amount_cents=cents,
            anonymous=anonymous,
            note=clean_note(note),
            interaction_id=interaction_id,
        )
        return await self._batcher.record(new)

    # --- status changes -----------------------------------------------------------

    async def mark_paid(self, *, guild_id: int, pledge_id: int, actor_id: int, actor_is_host: bool) -> StatusChange:
        """pending → paid, by the pledge's member or a host."""

        def check(pledge: Pledge) -> None:
            if pledge.user_id != actor_id and not actor_is_host:
                raise NotAllowed(
                    f"Pledge #{pledge.id} isn't yours: only its member or a host can mark it paid.",
                    reason="not_your_pledge", pledge_id=pledge.id,
                )
            _check_move(pledge, PAID)

        return await self._change(guild_id, pledge_id, actor_id, PAID, check, audited=actor_is_host)

    async def verify(self, *, guild_id: int, pledge_id: int, actor_id: int, actor_is_host: bool) -> StatusChange:
        """paid → verified, hosts only: the money has arrived."""

        def check(pledge: Pledge) -> None:
            if not actor_is_host:
                raise NotAllowed("Only hosts can verify pledges.", reason="hosts_only", pledge_id=pledge.id)
            _check_move(pledge, VERIFIED)

        return await self._change(guild_id, pledge_id, actor_id, VERIFIED, check, audited=True)

    async def cancel(
        self, *, guild_id: int, pledge_id: int, actor_id: int, actor_is_host: bool, reason: str | None = None
    ) -> StatusChange:
        """A member cancels their own pending pledge; a host any pending or paid one, with a reason."""
        reason = " ".join((reason or "").split()) or None
        if reason is not None and len(reason) > MAX_REASON:
            raise InvalidInput(
                f"A reason can be at most {MAX_REASON} characters.",
                reason="reason_too_long", length=len(reason), limit=MAX_REASON,
            )

        def check(pledge: Pledge) -> None:
            own = pledge.user_id == actor_id
            if not own and not actor_is_host:
                raise NotAllowed(
                    f"Pledge #{pledge.id} isn't yours: you can cancel only your own pledges.",
                    reason="not_your_pledge", pledge_id=pledge.id,
                )
            _check_move(pledge, CANCELLED)
            if pledge.status == CANCELLED:
                return  # a repeated click: answered with the pledge as it is
            if own and pledge.status == PENDING and pledge.kind == PLEDGE:
                return  # every member may take back their own pending pledge
            if not actor_is_host:
                if pledge.kind == WINNER_TAX:
                    raise NotAllowed(
                        "A winner's tax is owed: only a host can cancel it.",
                        reason="winner_tax_is_owed", pledge_id=pledge.id,
                    )
                raise WrongState(
                    f"You marked pledge #{pledge.id} as paid, so only a host can cancel it now.",
                    reason="paid_pledge_host_cancels", pledge_id=pledge.id,
                )
            if reason is None:
                raise InvalidInput(
                    "Give a reason when cancelling as a host: it goes into the audit log.",
                    reason="cancel_reason_required", pledge_id=pledge.id,
                )

        return await self._change(
            guild_id, pledge_id, actor_id, CANCELLED, check, audited=actor_is_host, reason=reason
        )

    async def _change(
        self,
        guild_id: int,
        pledge_id: int,
        actor_id: int,
        target: str,
        check: Callable[[Pledge], None],
        *,
        audited: bool,
        reason: str | None = None,
    ) -> StatusChange:
        async def unit(tx: Transaction) -> StatusChange:
            now = self._clock()
            row = await tx.fetch_one(
                f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE id = ? AND guild_id = ?",  # noqa: S608
                (pledge_id, guild_id),
            )
            if row is None:
                raise _no_such_pledge(pledge_id)
            pledge = pledge_from_row(row)
            check(pledge)
            if pledge.status == target:
                return StatusChange(pledge, changed=False)
            cancelling = target == CANCELLED
            updated = await tx.fetch_one(
                "UPDATE pledges SET status = ?, updated_at = ?, "  # noqa: S608
                "cancelled_by = CASE WHEN ? THEN ? ELSE cancelled_by END, "
                "cancel_reason = CASE WHEN ? THEN ? ELSE cancel_reason END "
                f"WHERE id = ? AND guild_id = ? AND status = ? RETURNING {PLEDGE_COLUMNS}",
                (target, to_storage(now), cancelling, actor_id, cancelling, reason, pledge.id, guild_id, pledge.status),
            )
            assert updated is not None, "the unit holds the write lock; the row cannot have moved"
            if audited and (pledge.user_id != actor_id or target == VERIFIED or pledge.kind == WINNER_TAX):
                detail = f"pledge #{pledge.id} {pledge.status} -> {target}"
                if reason:
                    detail += f": {reason}"
                await audit.record(tx, guild_id, actor_id, f"pledge.{target}", detail, now)
            return StatusChange(pledge_from_row(updated), changed=True)

        return await self._db.write(unit)

    # --- reading ------------------------------------------------------------------

    async def mine(self, guild_id: int, user_id: int, limit: int = MAX_LISTED) -> MemberPledges:
        rows = await self._db.fetch_all(
            f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE guild_id = ? AND user_id = ? "  # noqa: S608
            "ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, max(1, min(limit, MAX_LISTED))),
        )
        counts = await self._db.fetch_one(
            "SELECT (SELECT COUNT(*) FROM pledges WHERE guild_id = ? AND user_id = ?) AS all_rows, "
            "(SELECT total_cents FROM pledge_member_totals WHERE guild_id = ? AND scope = 0 AND user_id = ?) AS total",
            (guild_id, user_id, guild_id, user_id),
        )
        assert counts is not None
        return MemberPledges(
            pledges=[pledge_from_row(row) for row in rows],
            pledge_rows=counts["all_rows"],
            total_cents=counts["total"] or 0,
        )

    async def get(self, guild_id: int, pledge_id: int) -> Pledge:
        row = await self._db.fetch_one(
            f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE id = ? AND guild_id = ?",  # noqa: S608
            (pledge_id, guild_id),
        )
        if row is None:
            raise _no_such_pledge(pledge_id)
        return pledge_from_row(row)

    async def choices(
        self, guild_id: int, *, statuses: Sequence[str], user_id: int | None = None, limit: int = 25
    ) -> list[Pledge]:
        """Newest pledges in `statuses` (of `user_id` when given), for autocomplete."""
        marks = ", ".join("?" for _ in statuses)
        owner = "AND user_id = ? " if user_id is not None else ""
        params: list[object] = [guild_id] if user_id is None else [guild_id, user_id]
        rows = await self._db.fetch_all(
            f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE guild_id = ? {owner}"  # noqa: S608
            f"AND status IN ({marks}) ORDER BY id DESC LIMIT ?",
            (*params, *statuses, max(1, min(limit, 25))),
        )
        return [pledge_from_row(row) for row in rows]

    async def progress(self, guild_id: int) -> Progress:
        """Raised against the goal: the current ceremony (when there is one) and all-time."""
        settings = await self._settings.get(guild_id)
        ceremony = await self._db.fetch_one(
            "SELECT id, name FROM ceremonies WHERE guild_id = ? AND is_current = 1", (guild_id,)
        )
        ceremony_id = None if ceremony is None else int(ceremony["id"])
        rows = await self._db.fetch_all(
            f"SELECT {TOTALS_COLUMNS} FROM pledge_totals WHERE guild_id = ? AND scope IN (0, ?)",  # noqa: S608
            (guild_id, ALL_TIME if ceremony_id is None else ceremony_id),
        )
        totals = {row["scope"]: totals_from_row(row) for row in rows}
        return Progress(
            goal_cents=settings.goal_cents,
            charity_name=settings.charity_name,
            all_time=totals.get(ALL_TIME, ScopeTotals(ALL_TIME)),
            ceremony_id=ceremony_id,
            ceremony_name=None if ceremony is None else ceremony["name"],
            ceremony=None if ceremony_id is None else totals.get(ceremony_id, ScopeTotals(ceremony_id)),
        )

    async def scope_totals(self, guild_id: int, scope: int) -> ScopeTotals:
        row = await self._db.fetch_one(
            f"SELECT {TOTALS_COLUMNS} FROM pledge_totals WHERE guild_id = ? AND scope = ?",  # noqa: S608
            (guild_id, scope),
        )
        return ScopeTotals(scope) if row is None else totals_from_row(row)

    async def export(self, guild_id: int, *, actor_id: int) -> PledgeExport:
        """Every pledge of the server as CSV (hosts only: the cog checks), recorded in the audit log."""
        rows = await self._db.fetch_all(
            f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE guild_id = ? ORDER BY id",  # noqa: S608
            (guild_id,),
        )
        content = pledges_csv(pledge_from_row(row) for row in rows)

        async def record(tx: Transaction) -> None:
            await audit.record(tx, guild_id, actor_id, "pledge.export", f"{len(rows)} pledges", self._clock())

        await self._db.write(record)
        return PledgeExport(content=content, rows=len(rows))

    # --- leaderboards -------------------------------------------------------------

    async def top_donors(self, guild_id: int, scope: int, offset: int, limit: int) -> list[DonorStanding]:
        """A page of the donor board for `scope` (0 = all-time, else a ceremony id).

        Ordered by total (cancelled excluded) descending, then by who reached it
        first, then by user id; members whose total fell to zero are left out.
        Reads only the board index, never the pledges.
        """
        offset = max(0, offset)
        limit = max(1, min(limit, MAX_BOARD_PAGE))
        rows = await self._db.fetch_all(TOP_DONORS_SQL, (guild_id, scope, limit, offset))
        return [
            DonorStanding(
                rank=offset + position,
                user_id=row["user_id"],
                display_name=row["display_name"] or UNKNOWN_MEMBER,
                anonymous=row["anonymous_cents"] > 0 or row["user_id"] < 0,
                total_cents=row["total_cents"],
                pledge_count=row["pledge_count"],
                reached_at=from_storage(row["reached_at"]),
            )
            for position, row in enumerate(rows, start=1)
        ]

    async def donor_rank(self, guild_id: int, scope: int, user_id: int) -> DonorStanding | None:
        """Where `user_id` stands on the board of `scope`; None when they have nothing pledged there.

        Counts only the members ahead (an index range), not the whole board.
        """
        row = await self._db.fetch_one(DONOR_RANK_SQL, (guild_id, scope, user_id))
        if row is None:
            return None
        return DonorStanding(
            rank=row["rank"],
            user_id=row["user_id"],
            display_name=row["display_name"] or UNKNOWN_MEMBER,
            anonymous=row["anonymous_cents"] > 0 or row["user_id"] < 0,
            total_cents=row["total_cents"],
            pledge_count=row["pledge_count"],
            reached_at=from_storage(row["reached_at"]),
        )


_REFUSED_MOVES = {
    (VERIFIED, PAID): "Pledge #{id} is verified, so it can't be marked paid.",
    (CANCELLED, PAID): "Pledge #{id} is cancelled, so it can't be marked paid.",
    (PENDING, VERIFIED): (
        "Pledge #{id} is still pending: it must be marked paid (`/pledge paid`) before it can be verified."
    ),
    (CANCELLED, VERIFIED): "Pledge #{id} was cancelled, so it can't be verified.",
    (VERIFIED, CANCELLED): "Pledge #{id} is verified (the money arrived), so it can't be cancelled.",
}


def _check_move(pledge: Pledge, target: str) -> None:
    """Refuse a move the status order forbids (:func:`~bot.domain.pledges.rules.may_move`); a repeat
    (already `target`) passes, to be answered with the pledge as it is."""
    if pledge.status == target or may_move(pledge.status, target):
        return
    sentence = _REFUSED_MOVES.get((pledge.status, target), "Pledge #{id} is {status}, so it can't become {target}.")
    raise WrongState(
        sentence.format(id=pledge.id, status=pledge.status, target=target),
        reason="status_order", pledge_id=pledge.id, status=pledge.status, target=target,
    )


def _no_such_pledge(pledge_id: int) -> NotFound:
    return NotFound(f"There's no pledge #{pledge_id} in this server.", reason="no_such_pledge", pledge_id=pledge_id)
