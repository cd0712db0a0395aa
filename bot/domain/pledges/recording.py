"""Writing pledges: a constant number of statements for a whole batch, inside the caller's unit.

`record_pledges` is the hot path: `/pledge add`, a thousand at once, reaches it
through :class:`~bot.domain.pledges.batching.PledgeBatcher`, which hands it every
pledge waiting for the writer. For the whole batch it runs

1. one read of each server's settings and current ceremony;
2. nothing, for pledges above the server's maximum: each gets its own refusal;
3. one ``INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING`` (split only
   past SQLite's limit on bound variables) — the triggers of migration 0003 update
   every total; a repeated interaction (already recorded, or twice in the batch)
   inserts nothing and resolves to the original pledge, which costs one more read
   only when the original is older than the batch;
4. one read of the new totals of every scope and member involved;
5. one upsert of the members' display names;

and, only for a pledge that crossed a goal milestone or is big, one insert into
``pledge_milestones`` and one into the outbox per announcement. Each pledge's
receipt, milestones and announcement are worked out in Python, in batch order, from
the totals after the batch minus the pledges that come after it (counted as
:mod:`~bot.domain.pledges.rules` says, the triggers' rule written in Python): exactly what each
would have seen written alone, so exactly the pledge that crossed a milestone
announces it. `record_pledge` is the same path for one pledge (the winner's tax).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bot.clock import from_storage, to_storage
from bot.db import Transaction
from bot.domain import members
from bot.domain.announcer import outbox
from bot.domain.errors import Conflict, InvalidInput, LoungeError
from bot.domain.money import check_maximum
from bot.domain.pledges import milestones
from bot.domain.pledges.announcements import (
    BIG_PLEDGE_KIND,
    MILESTONE_KIND,
    big_pledge_message,
    milestone_message,
)
from bot.domain.pledges.model import (
    MAX_NOTE,
    PENDING,
    PLEDGE,
    PLEDGE_COLUMNS,
    WINNER_TAX,
    Pledge,
    PledgeReceipt,
    Progress,
    pledge_from_row,
)
from bot.domain.pledges.rules import LIVE_TAX_SQL, ScopeTally, pledger_change
from bot.domain.scopes import ALL_TIME, scopes_of
from bot.domain.settings.service import GuildSettings
from bot.text import cut, refuse_invisible

T = TypeVar("T")
_Key = tuple[str, int | None, int | None]
"""What makes a pledge unique: its interaction, or (a winner's tax) its result and member."""

# SQLite refuses a statement with more bound variables than this (999 before 3.32.0).
VARIABLE_LIMIT = 32_766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_INSERT = (
    "INSERT INTO pledges (guild_id, user_id, display_name, ceremony_id, amount_cents, kind, status, "
    "anonymous, note, interaction_id, category_id, result_id, created_at, updated_at) VALUES {rows} "
    "ON CONFLICT DO NOTHING RETURNING id, interaction_id, kind, result_id, user_id"
)
_INSERT_ROW = f"(?, ?, ?, ?, ?, ?, '{PENDING}', ?, ?, ?, ?, ?, ?, ?)"
_INSERT_WIDTH = _INSERT_ROW.count("?")
_GUILDS = (
    "WITH batch (guild_id) AS (VALUES {rows}) "
    "SELECT batch.guild_id, "
    "(SELECT id FROM ceremonies WHERE guild_id = batch.guild_id AND is_current = 1) AS ceremony_id, "
    "g.goal_cents, g.charity_name, g.max_pledge_cents, g.big_pledge_cents "
    "FROM batch LEFT JOIN guild_settings AS g ON g.guild_id = batch.guild_id"
)
# Indexed by position in the loops below: guild, scope, user, member total, then the scope's totals.
_STANDING = (
    "WITH wanted (guild_id, scope, user_id) AS (VALUES {rows}) "
    "SELECT w.guild_id, w.scope, w.user_id, m.total_cents, "
    "t.raised_cents, t.pending_cents, t.paid_cents, t.verified_cents, t.pledge_count, t.pledger_count "
    "FROM wanted AS w "
    "LEFT JOIN pledge_totals AS t ON t.guild_id = w.guild_id AND t.scope = w.scope "
    "LEFT JOIN pledge_member_totals AS m ON m.guild_id = w.guild_id AND m.scope = w.scope AND m.user_id = w.user_id"
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
        raise InvalidInput(
            f"A note can be at most {MAX_NOTE} characters; yours has {len(note)}.",
            reason="note_too_long", length=len(note), limit=MAX_NOTE,
        )
    refuse_invisible(note, what="note")
    return note


async def record_pledge(tx: Transaction, new: NewPledge, now: datetime) -> PledgeReceipt:
    """Write `new` (or find the pledge it repeats) and announce what it crossed: a batch of one.

    Raises the pledge's refusal (above the maximum, a clash); rolling back is the caller's unit's.
    """
    (outcome,) = await record_pledges(tx, [new], now)
    if isinstance(outcome, LoungeError):
        raise outcome
    return outcome


async def record_pledges(
    tx: Transaction, batch: Sequence[NewPledge], now: datetime
) -> list[PledgeReceipt | LoungeError]:
    """Write every pledge of `batch` (or find the one it repeats); see the module doc.

    Returns, in batch order, each pledge's receipt, or the :class:`LoungeError` that
    refused it (nothing of it written); a refusal never affects the others. Later
    pledges repeating an earlier one of the batch resolve to it as duplicates.
    Raises only for what no refusal covers (the database; a winner's tax that the
    one-per-category trigger of migration 0006 refuses, which `charge_winner_tax`
    checks first), in which case the caller's unit must be rolled back as a whole.
    """
    if not batch:
        return []
    stamp = to_storage(now)
    written_at = from_storage(stamp)
    guilds = await _guilds(tx, {new.guild_id for new in batch})

    # 2. Each pledge's ceremony; the server's maximum, checked before anything is written.
    entries: list[_Entry] = []
    for position, new in enumerate(batch):
        settings, current = guilds[new.guild_id]
        key = _key(new.interaction_id, new.kind, new.result_id, new.user_id)
        entry = _Entry(position, new, key, settings, current if new.current_ceremony else new.ceremony_id)
        if new.kind == PLEDGE:
            try:
                check_maximum(new.amount_cents, settings.max_pledge_cents, what="A pledge")
            except InvalidInput as refused:
                entry.refusal = refused
        entries.append(entry)

    # 3. One insert; a pledge it skipped repeats an earlier one (or clashes).
    to_insert = [entry for entry in entries if entry.refusal is None]
    inserted_by: dict[_Key, _Entry] = {}
    for chunk in _chunks(to_insert, VARIABLE_LIMIT // _INSERT_WIDTH):
        await _insert(tx, chunk, stamp, written_at, inserted_by)
    await _find_originals(tx, entries, inserted_by)

    # 4. The totals after the batch, of every scope and member involved.
    scopes, member_cents = await _standing(tx, entries)

    # 5. The members' display names, the last one given winning.
    names = {
        (entry.pledge.guild_id, entry.pledge.user_id): entry.pledge.display_name
        for entry in entries
        if entry.fresh and entry.pledge is not None
    }
    if names:
        await members.remember_members(tx, names, now)

    # 6. Receipts, milestones and big pledges, pledge by pledge in batch order, each from the
    #    totals as they stood right after it: the totals after the batch, rewound, then replayed.
    _rewind(entries, scopes, member_cents)
    outcomes: list[PledgeReceipt | LoungeError] = []
    for entry in entries:
        pledge = entry.pledge
        if pledge is None:
            outcomes.append(entry.refusal or _clash(entry.new))
            continue
        guild, user, ceremony = pledge.guild_id, pledge.user_id, pledge.ceremony_id
        if entry.fresh:
            for scope in scopes_of(ceremony):
                tally = scopes[(guild, scope)]
                tally.count(pledge.amount_cents, PENDING)
                tally.pledger_count += scope in entry.pledger_in
                member_cents[(guild, scope, user)] += pledge.amount_cents
        settings = entry.settings
        progress = Progress(
            goal_cents=settings.goal_cents,
            charity_name=settings.charity_name,
            all_time=scopes[(guild, ALL_TIME)].totals(),
            ceremony_id=ceremony,
            ceremony=None if ceremony is None else scopes[(guild, ceremony)].totals(),
        )
        milestone, big = None, False
        if entry.fresh:
            tonight = progress.ceremony
            if tonight is not None and milestones.crossed_milestones(
                tonight.raised_cents - pledge.amount_cents, tonight.raised_cents, settings.goal_cents
            ):
                milestone = await _announce_milestone(tx, pledge, progress, now)
            if pledge.kind == PLEDGE and 0 < settings.big_pledge_cents <= pledge.amount_cents:
                big = await _announce_big_pledge(tx, pledge, settings, progress, now)
        outcomes.append(
            PledgeReceipt(
                pledge=pledge,
                duplicate=not entry.fresh,
                member_total_cents=member_cents[(guild, ALL_TIME, user)],
                member_ceremony_cents=None if ceremony is None else member_cents[(guild, ceremony, user)],
                progress=progress,
                milestone_percent=milestone,
                announced_big=big,
            )
        )
    return outcomes


@dataclass(slots=True)
class _Entry:
    """One pledge of the batch, as the steps of :func:`record_pledges` work it out."""

    position: int
    """Its place in the batch: repeats resolve to the first pledge with their key."""
    new: NewPledge
    key: _Key | None
    """What makes it unique (:func:`_key`); None: nothing ever repeats it."""
    settings: GuildSettings
    """Its server's settings (the few the path reads)."""
    ceremony_id: int | None
    """The ceremony it counts in: the server's current one, or the one given."""
    refusal: LoungeError | None = None
    """Why it was not written: above the maximum, or its key clashes with another server's pledge."""
    pledge: Pledge | None = None
    """The pledge written for it, or the earlier one it repeats; None when refused."""
    fresh: bool = False
    """Written by this batch; False for a repeat (answered as a duplicate, counted nothing)."""
    pledger_in: tuple[int, ...] = ()
    """The scopes in which it brought its member's total above zero: one more pledger there."""


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _marks(width: int, count: int) -> str:
    """``(?, ?), (?, ?)`` for `count` rows of `width` values."""
    row = "(" + ", ".join("?" * width) + ")"
    return ", ".join([row] * count)


def _key(interaction_id: int | None, kind: str, result_id: int | None, user_id: int) -> _Key | None:
    """The unique key the insert skips a repeat by (and `_find_originals` finds its original by);
    None: nothing ever repeats it."""
    if kind == WINNER_TAX:
        return ("tax", result_id, user_id)
    if interaction_id is not None:
        return ("interaction", interaction_id, None)
    return None


def _clash(new: NewPledge) -> Conflict:
    """A pledge whose unique key (its interaction) another server's pledge holds."""
    return Conflict(
        "That pledge clashes with one already recorded; please run the command again.",
        reason="pledge_clash", interaction_id=new.interaction_id,
    )


async def _guilds(tx: Transaction, guild_ids: set[int]) -> dict[int, tuple[GuildSettings, int | None]]:
    """Each server's settings (the few the path needs) and current ceremony."""
    found: dict[int, tuple[GuildSettings, int | None]] = {}
    for chunk in _chunks(sorted(guild_ids), VARIABLE_LIMIT):
        rows = await tx.fetch_all(_GUILDS.format(rows=_marks(1, len(chunk))), chunk)
        for row in rows:
            found[row["guild_id"]] = (_settings_from(row["guild_id"], row), row["ceremony_id"])
    return found


async def _insert(
    tx: Transaction, chunk: Sequence[_Entry], stamp: str, written_at: datetime, inserted_by: dict[_Key, _Entry]
) -> None:
    """Insert the pledges of `chunk`; set `pledge` (and `fresh`) on those the database took."""
    params: list[Any] = []
    for entry in chunk:
        new = entry.new
        params += (
            new.guild_id, new.user_id, cut(new.display_name, members.MAX_DISPLAY_NAME), entry.ceremony_id,
            new.amount_cents, new.kind, int(new.anonymous), new.note, new.interaction_id,
            new.category_id, new.result_id, stamp, stamp,
        )
    rows = await tx.fetch_all(_INSERT.format(rows=", ".join([_INSERT_ROW] * len(chunk))), params)
    # RETURNING gives no order: match rows to pledges by unique key; pledges without one
    # (never refused) took ids in the order of the VALUES.
    taken: dict[_Key, int] = {}
    keyless: list[int] = []
    for row in rows:
        key = _key(row[1], row[2], row[3], row[4])
        if key is None:
            keyless.append(row[0])
        else:
            taken[key] = row[0]
    keyless.sort(reverse=True)
    for entry in chunk:
        new = entry.new
        key = entry.key
        if key is None:
            pledge_id = keyless.pop()
        else:
            found = taken.pop(key, None)  # the first pledge with the key took it; later ones repeat it
            if found is None:
                continue
            pledge_id = found
            inserted_by[key] = entry
        entry.fresh = True
        entry.pledge = Pledge(
            id=pledge_id,
            guild_id=new.guild_id,
            user_id=new.user_id,
            display_name=cut(new.display_name, members.MAX_DISPLAY_NAME),
            ceremony_id=entry.ceremony_id,
            amount_cents=new.amount_cents,
            kind=new.kind,
            status=PENDING,
            anonymous=new.anonymous,
            note=new.note,
            category_id=new.category_id,
            result_id=new.result_id,
            created_at=written_at,
            updated_at=written_at,
            cancelled_by=None,
            cancel_reason=None,
        )


async def _find_originals(tx: Transaction, entries: Sequence[_Entry], inserted_by: dict[_Key, _Entry]) -> None:
    """Resolve each pledge that was not written to the pledge it repeats, or find that it clashes.

    The original is an earlier pledge of this batch or one recorded before it. A
    repeat is answered with its original even when its amount is now above the
    maximum, as it always was; a pledge that repeats nothing keeps its refusal. A
    pledge whose key another server's pledge holds clashes.
    """

    def resolve(entry: _Entry, original: Pledge | None) -> None:
        if original is not None and original.guild_id != entry.new.guild_id:
            entry.refusal = _clash(entry.new)
        elif original is not None:
            entry.pledge = original

    older: dict[int, list[_Entry]] = {}
    for entry in entries:
        if entry.pledge is not None:
            continue
        new = entry.new
        key = entry.key
        if key is None:
            continue  # refused above the maximum; nothing can be its original
        first = inserted_by.get(key)
        if first is not None:
            if first.position < entry.position:
                resolve(entry, first.pledge)
            continue  # else: refused, and the pledge with its key came after it
        if new.kind == WINNER_TAX:
            row = await tx.fetch_one(
                f"SELECT {PLEDGE_COLUMNS} FROM pledges WHERE result_id = ? AND user_id = ? "  # noqa: S608
                "AND kind = 'winner_tax' AND status != 'cancelled'",
                (new.result_id, new.user_id),
            )
            resolve(entry, None if row is None else pledge_from_row(row))
        else:
            assert new.interaction_id is not None
            older.setdefault(new.interaction_id, []).append(entry)
    if not older:
        return
    found: dict[int, Pledge] = {}
    for chunk in _chunks(list(older), VARIABLE_LIMIT):
        rows = await tx.fetch_all(
            f"SELECT interaction_id, {PLEDGE_COLUMNS} FROM pledges "  # noqa: S608
            f"WHERE interaction_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        for row in rows:
            found[row["interaction_id"]] = pledge_from_row(row)
    for interaction_id, repeats in older.items():
        for entry in repeats:
            resolve(entry, found.get(interaction_id))


async def _standing(
    tx: Transaction, entries: Sequence[_Entry]
) -> tuple[dict[tuple[int, int], ScopeTally], dict[tuple[int, int, int], int]]:
    """The server's totals and the member's total in every scope of every pledge: one read."""
    wanted = list(
        dict.fromkeys(
            (entry.pledge.guild_id, scope, entry.pledge.user_id)
            for entry in entries
            if entry.pledge is not None
            for scope in scopes_of(entry.pledge.ceremony_id)
        )
    )
    scopes: dict[tuple[int, int], ScopeTally] = {}
    member_cents: dict[tuple[int, int, int], int] = {}
    for chunk in _chunks(wanted, VARIABLE_LIMIT // 3):
        params = [value for key in chunk for value in key]
        for row in await tx.fetch_all(_STANDING.format(rows=_marks(3, len(chunk))), params):
            guild, scope = row[0], row[1]
            member_cents[(guild, scope, row[2])] = row[3] or 0
            if (guild, scope) not in scopes:
                scopes[(guild, scope)] = ScopeTally(scope, *(value or 0 for value in row[4:10]))
    return scopes, member_cents


def _rewind(
    entries: Sequence[_Entry],
    scopes: dict[tuple[int, int], ScopeTally],
    member_cents: dict[tuple[int, int, int], int],
) -> None:
    """Take the batch's new pledges out of the totals (in place), and set on each the scopes where
    it brought its member's total above zero: one more pledger (:mod:`~bot.domain.pledges.rules`)."""
    new = [(entry, entry.pledge) for entry in entries if entry.fresh and entry.pledge is not None]
    for _, pledge in new:
        for scope in scopes_of(pledge.ceremony_id):
            member_cents[(pledge.guild_id, scope, pledge.user_id)] -= pledge.amount_cents
            scopes[(pledge.guild_id, scope)].count(pledge.amount_cents, PENDING, -1)
    replay = dict(member_cents)
    for entry, pledge in new:
        for scope in scopes_of(pledge.ceremony_id):
            key = (pledge.guild_id, scope, pledge.user_id)
            before = replay[key]
            replay[key] = before + pledge.amount_cents
            if pledger_change(before, before + pledge.amount_cents) > 0:
                entry.pledger_in += (scope,)
                scopes[(pledge.guild_id, scope)].pledger_count -= 1


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
    """Milestones count the ceremony's pledges (the goal is the night's); none without a ceremony.

    `progress` is the totals right after `pledge`, so the pledge that crossed a
    milestone is the one that records it; the unique key of `pledge_milestones`
    keeps it once per goal even when it was crossed before and fallen back under.
    """
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
    for the category from the undone result owes nothing more. The lookup is
    :data:`~bot.domain.pledges.rules.LIVE_TAX_SQL`; migrations 0006 and 0008
    refuse a second live tax in the database too.

    Runs inside the caller's unit (the check and the insert are one atomic step).
    """
    if amount_cents == 0:
        return None
    if amount_cents < 0:
        raise ValueError("a winner's tax is never negative")
    owed = await tx.fetch_one(LIVE_TAX_SQL, (guild_id, category_id, user_id))
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
