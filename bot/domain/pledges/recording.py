"""Writing a pledge: the few statements every new pledge costs, inside the caller's unit.

The hot path (`/pledge add`, a thousand at once) is:

1. one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` — the ceremony is looked up
   inside it, and the triggers of migration 0003 update every total;
2. one read of the new totals joined with the server's settings — what the
   reply shows, the maximum, the goal and the big-pledge threshold;
3. one upsert of the member's display name (a no-op when unchanged);

and, only when the pledge crossed a goal milestone or is big, one insert into
``pledge_milestones`` and one into the outbox per announcement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.clock import to_storage
from bot.db import Transaction
from bot.domain import members, outbox
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.money import check_maximum
from bot.domain.pledges import milestones
from bot.domain.pledges.announcements import (
    BIG_PLEDGE_KIND,
    MILESTONE_KIND,
    big_pledge_message,
    milestone_message,
)
from bot.domain.pledges.model import (
    ALL_TIME,
    MAX_NOTE,
    PENDING,
    PLEDGE,
    PLEDGE_COLUMNS,
    WINNER_TAX,
    Pledge,
    PledgeReceipt,
    Progress,
    ScopeTotals,
    pledge_from_row,
    totals_from_row,
)
from bot.domain.settings import GuildSettings

_CURRENT_CEREMONY = "(SELECT id FROM ceremonies WHERE guild_id = ? AND is_current = 1)"
_INSERT = (
    "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, kind, status, "  # noqa: S608
    "anonymous, note, interaction_id, category_id, result_id, created_at, updated_at) "
    "VALUES (?, ?, ?, {ceremony}, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?) "
    f"ON CONFLICT DO NOTHING RETURNING {PLEDGE_COLUMNS}"
)


@dataclass(frozen=True, slots=True)
class NewPledge:
    """A pledge to write. `ceremony_id` None with `current_ceremony` looks the ceremony up."""

    guild_id: int
    user_id: int
    display_name: str
    amount_cents: int
    kind: str = PLEDGE
    anonymous: bool = False
    note: str | None = None
    interaction_id: int | None = None
    current_ceremony: bool = True
    ceremony_id: int | None = None
    category_id: int | None = None
    result_id: int | None = None


def clean_note(note: str | None) -> str | None:
    """A note as stored: trimmed, None when blank, refused when longer than MAX_NOTE."""
    if note is None:
        return None
    note = note.strip()
    if not note:
        return None
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"A note can be at most {MAX_NOTE} characters; yours has {len(note)}.")
    return note


async def record_pledge(tx: Transaction, new: NewPledge, now: datetime) -> PledgeReceipt:
    """Write `new` (or find the pledge it repeats) and announce what it crossed; see the module doc."""
    stamp = to_storage(now)
    ceremony_sql = _CURRENT_CEREMONY if new.current_ceremony else "?"
    ceremony_param = new.guild_id if new.current_ceremony else new.ceremony_id
    rows = await tx.fetch_all(
        _INSERT.format(ceremony=ceremony_sql),
        (
            new.guild_id, new.user_id, new.display_name[: members.MAX_DISPLAY_NAME], ceremony_param,
            new.amount_cents, new.kind, int(new.anonymous), new.note, new.interaction_id,
            new.category_id, new.result_id, stamp, stamp,
        ),
    )
    duplicate = not rows
    pledge = pledge_from_row(rows[0]) if rows else await _original(tx, new)
    settings, totals, member_cents = await _standing(tx, pledge)
    ceremony = pledge.ceremony_id
    progress = Progress(
        goal_cents=settings.goal_cents,
        charity_name=settings.charity_name,
        all_time=totals.get(ALL_TIME, ScopeTotals(ALL_TIME)),
        ceremony_id=ceremony,
        ceremony=None if ceremony is None else totals.get(ceremony, ScopeTotals(ceremony)),
    )
    receipt = PledgeReceipt(
        pledge=pledge,
        duplicate=duplicate,
        member_total_cents=member_cents.get(ALL_TIME, 0),
        member_ceremony_cents=None if ceremony is None else member_cents.get(ceremony, 0),
        progress=progress,
    )
    if duplicate:
        return receipt
    if pledge.kind == PLEDGE:
        # Checked after the insert so the hot path reads settings and totals in one
        # statement; raising here rolls the whole unit back.
        check_maximum(pledge.amount_cents, settings.max_pledge_cents, what="A pledge")
    await members.remember_member(tx, pledge.guild_id, pledge.user_id, pledge.display_name, now)
    milestone = await _announce_milestone(tx, pledge, progress, now)
    big = await _announce_big_pledge(tx, pledge, settings, progress, now)
    return replace(receipt, milestone_percent=milestone, announced_big=big)


async def _original(tx: Transaction, new: NewPledge) -> Pledge:
    """The pledge a refused insert collided with: same interaction, or same winner's tax."""
    if new.kind == WINNER_TAX:
        row = await tx.fetch_one(
            f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE result_id = ? AND user_id = ? "  # noqa: S608
            "AND kind = 'winner_tax' AND status != 'cancelled'",
            (new.result_id, new.user_id),
        )
    else:
        row = await tx.fetch_one(
            f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE interaction_id = ?",  # noqa: S608
            (new.interaction_id,),
        )
    if row is None or row["guild_id"] != new.guild_id:
        raise Conflict("That pledge clashes with one already recorded; please run the command again.")
    return pledge_from_row(row)


async def _standing(
    tx: Transaction, pledge: Pledge
) -> tuple[GuildSettings, dict[int, ScopeTotals], dict[int, int]]:
    """Settings, the server's totals and the member's totals in the pledge's scopes: one read."""
    ceremony = ALL_TIME if pledge.ceremony_id is None else pledge.ceremony_id
    rows = await tx.fetch_all(
        "SELECT t.scope, t.raised_cents, t.pending_cents, t.paid_cents, t.verified_cents, t.pledge_count, "
        "t.pledger_count, m.total_cents AS member_cents, "
        "g.goal_cents, g.charity_name, g.max_pledge_cents, g.big_pledge_cents "
        "FROM pledge_totals AS t "
        "LEFT JOIN pledge_member_totals AS m ON m.guild_id = t.guild_id AND m.scope = t.scope AND m.user_id = ? "
        "LEFT JOIN guild_settings AS g ON g.guild_id = t.guild_id "
        "WHERE t.guild_id = ? AND t.scope IN (0, ?)",
        (pledge.user_id, pledge.guild_id, ceremony),
    )
    settings = _settings_from(pledge.guild_id, rows[0] if rows else None)
    totals = {row["scope"]: totals_from_row(row) for row in rows}
    member_cents = {row["scope"]: row["member_cents"] or 0 for row in rows}
    return settings, totals, member_cents


def _settings_from(guild_id: int, row: Any) -> GuildSettings:
    """The few settings the hot path needs; the defaults when the server never saved any."""
    if row is None or row["goal_cents"] is None:
        return GuildSettings(guild_id=guild_id)
    return GuildSettings(
        guild_id=guild_id,
        goal_cents=row["goal_cents"],
        charity_name=row["charity_name"],
        max_pledge_cents=row["max_pledge_cents"],
        big_pledge_cents=row["big_pledge_cents"],
    )


async def _announce_milestone(tx: Transaction, pledge: Pledge, progress: Progress, now: datetime) -> int | None:
    """Milestones count the ceremony's pledges (the goal is the night's); none without a ceremony."""
    if progress.ceremony is None or pledge.status != PENDING:
        return None
    after = progress.ceremony.raised_cents
    percent = await milestones.record_crossed(
        tx,
        guild_id=pledge.guild_id,
        scope=progress.ceremony.scope,
        before_cents=after - pledge.amount_cents,
        after_cents=after,
        goal_cents=progress.goal_cents,
        pledge_id=pledge.id,
        now=now,
    )
    if percent is not None:
        body = milestone_message(
            percent=percent, charity_name=progress.charity_name, raised_cents=after, goal_cents=progress.goal_cents
        )
        await outbox.announce(tx, pledge.guild_id, MILESTONE_KIND, body, now)
    return percent


async def _announce_big_pledge(
    tx: Transaction, pledge: Pledge, settings: GuildSettings, progress: Progress, now: datetime
) -> bool:
    """Voluntary pledges at or above the threshold (0 = off); a winner's tax is announced with its result."""
    threshold = settings.big_pledge_cents
    if pledge.kind != PLEDGE or threshold <= 0 or pledge.amount_cents < threshold:
        return False
    shown = progress.ceremony or progress.all_time
    body = big_pledge_message(
        name=pledge.display_name,
        anonymous=pledge.anonymous,
        amount_cents=pledge.amount_cents,
        charity_name=progress.charity_name,
        raised_cents=shown.raised_cents,
        goal_cents=progress.goal_cents,
    )
    await outbox.announce(tx, pledge.guild_id, BIG_PLEDGE_KIND, body, now)
    return True


async def charge_winner_tax(
    tx: Transaction,
    *,
    guild_id: int,
    user_id: int,
    display_name: str,
    ceremony_id: int,
    category_id: int,
    result_id: int,
    amount_cents: int,
    now: datetime,
) -> int | None:
    """Charge user_id the winner's tax for winning category_id (result result_id): the id of the pledge
    they owe for it; None when amount_cents == 0. A new tax is a pending pledge of kind 'winner_tax'
    that counts toward totals and milestones like any other pledge.

    The rule: a member owes the winner's tax at most once per server and category
    while a live (not cancelled) tax of theirs for that category exists. When one
    does, its id is returned and nothing new is charged; so a retried result, a tie
    whose winners the member claimed both, and a result undone and logged again
    all charge once. That live tax can belong to an undone result: an undo cancels
    only unpaid taxes (:func:`reverse_winner_tax`), and a paid or verified one
    stays (the money changed hands) and covers the category's re-log. The caller
    charges only members who claimed a winner, so a re-log of a different winner
    charges nobody who did not claim it; whoever did and still holds a live tax
    for the category from the undone result owes nothing more. Migration 0006
    refuses a second live tax in the database too.

    Runs inside the caller's unit (the check and the insert are one atomic step).
    """
    if amount_cents == 0:
        return None
    if amount_cents < 0:
        raise ValueError("a winner's tax is never negative")
    owed = await tx.fetch_one(
        "SELECT id FROM pledges WHERE guild_id = ? AND category_id = ? AND user_id = ? "
        "AND kind = 'winner_tax' AND status != 'cancelled' ORDER BY id LIMIT 1",
        (guild_id, category_id, user_id),
    )
    if owed is not None:
        return int(owed["id"])
    receipt = await record_pledge(
        tx,
        NewPledge(
            guild_id=guild_id,
            user_id=user_id,
            display_name=display_name,
            amount_cents=amount_cents,
            kind=WINNER_TAX,
            current_ceremony=False,
            ceremony_id=ceremony_id,
            category_id=category_id,
            result_id=result_id,
        ),
        now,
    )
    return receipt.pledge.id


async def reverse_winner_tax(tx: Transaction, *, guild_id: int, result_id: int, now: datetime) -> int:
    """Cancel every still-pending winner-tax pledge created by result_id (paid/verified ones stay); return how many.

    Runs inside the caller's unit; the totals follow through the triggers. A paid
    tax that stays keeps the member's tax for the category paid: logging the
    category again does not charge them again (see :func:`charge_winner_tax`).
    """
    return await tx.execute(
        "UPDATE pledges SET status = 'cancelled', updated_at = ?, cancel_reason = 'the result was corrected' "
        "WHERE guild_id = ? AND result_id = ? AND kind = 'winner_tax' AND status = 'pending'",
        (to_storage(now), guild_id, result_id),
    )
