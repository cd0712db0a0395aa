"""Logging results live: `/result log`, `/result tie` and `/result undo`.

What a result does:

* the winner(s) are recorded; every other nominee of the category joins the
  lounge's guest list (the ``lounge_guests`` view);
* picks of the category get their outcome (and are locked from then on);
* every member who claimed a losing nominee gets one loss per such claim, and
  every member whose pick lost gets one loss (table ``losses``, tagged with the
  result id); their totals and pick records are recounted (``tallies``);
* members with a loss get the loser role when the server has one (queued,
  only when this bot has not already given it to them);
* every member who claimed a winner owes the winner's tax, once per category
  (a pending pledge through the pledges domain, tagged with the result id; a
  tax they paid for the category before an undo still stands for it);
* one announcement (spoiler-safe when the server wants it) and an audit entry.

A log is two durable commits. The first records the result, its winner, the
announcement and the audit entry, and marks the result ``unsettled``
(migration 0007); the announcement is built from :func:`_plan`, which reads,
without changing anything, exactly what settling will do. The second commit,
queued as soon as the first is in and awaited before the host gets the report,
plans again and applies it with :func:`_apply` (picks, losses, tallies, roles, winner's tax)
and clears the mark. Picks and claims on a logged category are refused, so both
plans are the same. The announcement so reaches the sender without waiting for
thousands of members' tallies. A result left unsettled by a crash between the two
is settled by :meth:`ResultService.settle_pending` at start-up, and before any
other log, tie or undo of its server (inside that unit), so nothing ever builds on
a half-done result.

A tie (one unit) adds one more winner to a logged category with every effect of
that nominee winning instead of losing. Both plan and apply the same way,
bringing the category's losses and picks in line with its current winners, so
a tie gives exactly the state of logging both winners at once. An undo removes
everything tagged with the result id (declared losses have none), cancels the
unpaid winner's tax, takes the role back where no loss is left, and posts a
correction; logging the right result afterwards gives the state of a night
where the wrong one never happened.

Results need a live ceremony: a draft has not started (members are still
picking) and an ended ceremony's recap has been posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock, from_storage, to_storage
from bot.db import Database, Transaction
from bot.domain.announcer import outbox
from bot.domain.audit import log as audit
from bot.domain.ceremonies.service import (
    Category,
    Nominee,
    Reader,
    category_by_id,
    nominees_of,
    require_current,
    require_fingerprint,
    require_same,
    require_state,
    resolve_category,
    resolve_nominee,
)
from bot.domain.errors import Conflict, NotFound
from bot.domain.pledges import charge_winner_tax, reverse_winner_tax
from bot.domain.results import tallies
from bot.domain.results.announcements import ClaimLine, ResultNews, TaxLine, correction_embeds, result_embeds
from bot.domain.settings.service import GuildSettings, SettingsService
from bot.embeds import message
from bot.text import cut, safe

UNKNOWN_MEMBER = "a member"


@dataclass(frozen=True, slots=True)
class LoggedResult:
    """A category's result as it stands: what an undo would take back."""

    result_id: int
    category: Category
    winners: tuple[Nominee, ...]
    losses: int
    members: int
    pending_taxes: int


@dataclass(frozen=True, slots=True)
class ResultReport:
    """What one log, tie or undo changed (for the host's reply)."""

    result_id: int
    category: Category
    winners: tuple[Nominee, ...]  # after the action (empty after an undo)
    changed: tuple[Nominee, ...]  # the winner(s) this action added or took back
    losses_added: int = 0
    losses_removed: int = 0
    right_picks: int = 0
    newcomers: int = 0
    taxes_charged: int = 0
    taxes_cancelled: int = 0
    roles_granted: int = 0
    roles_removed: int = 0


@dataclass
class _Plan:
    """What settling a result will do, read before anything changes: the announcement and
    the writes both come from this one plan (see :func:`_plan`)."""

    removed_loss_users: list[int] = field(default_factory=list)  # losses for a nominee that now wins
    repicked: list[int] = field(default_factory=list)  # pickers whose outcome changes
    new_losses: list[tuple[int, str, int]] = field(default_factory=list)  # (user, source, nominee)
    newcomers: list[int] = field(default_factory=list)
    right_picks: int = 0
    taxes: list[tuple[int, Nominee, str]] = field(default_factory=list)  # (user, nominee, display name)


@dataclass(frozen=True, slots=True)
class _Settled:
    plan: _Plan
    roles_granted: int = 0
    roles_removed: int = 0


@dataclass(frozen=True, slots=True)
class _Recorded:
    result_id: int
    category: Category
    winner: Nominee
    plan: _Plan


class ResultService:
    def __init__(self, db: Database, clock: Clock, settings: SettingsService) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings

    async def log(
        self, guild_id: int, *, actor_id: int, category: str, winner: str, ceremony_id: int | None = None,
        winner_check: str | None = None,
    ) -> ResultReport:
        """Record `winner` as the result of `category` with all its effects.

        Two commits: the first records the result, its announcement (from the plan of
        what settling it will do) and the audit entry, marked unsettled; the second
        settles it (picks, losses, tallies, roles, winner's tax). Returns after both.
        The console's buttons also name their ceremony (`ceremony_id`) and the winner's
        `fingerprint` (`winner_check`): a stale button is refused."""

        async def record_unit(tx: Transaction) -> _Recorded:
            now = self._clock()
            ceremony = await require_current(tx, guild_id)
            require_same(ceremony, ceremony_id)
            require_state(ceremony, "live", doing="log results")
            found = await resolve_category(tx, ceremony, category)
            nominee = await resolve_nominee(tx, ceremony, found, winner)
            require_fingerprint(nominee, winner_check)
            existing = await _result_of(tx, found)
            if existing is not None:
                names = ", ".join(safe(n.short_label, 80) for n in existing.winners)
                raise Conflict(
                    f"{safe(found.name, 100)} is logged already (winner: {names}). Use `/result tie` to add "
                    "another winner, or `/result undo` to take the result back.",
                    reason="already_logged", category=found.name, winners=[n.label for n in existing.winners],
                )
            await self._settle_pending_in(tx, guild_id)
            result_id = await tx.insert(
                "INSERT INTO results (guild_id, ceremony_id, category_id, logged_by, logged_at, unsettled) "
                "VALUES (?, ?, ?, ?, ?, 1)",
                (guild_id, ceremony.id, found.id, actor_id, to_storage(now)),
            )
            await _add_winner(tx, guild_id, result_id, nominee, actor_id, now)
            settings = await self._settings.get_in(tx, guild_id)
            plan = await _plan(tx, guild_id, ceremony.id, found, result_id, [nominee], settings.winner_tax_cents)
            nominees = await nominees_of(tx, found.id)
            news = await _news(tx, guild_id, found, [nominee], [nominee], nominees, plan, settings)
            announcement_id = await outbox.announce(
                tx, guild_id, "result.log", message(embeds=result_embeds(news, spoiler=settings.spoiler_safe)), now
            )
            await tx.execute("UPDATE results SET announcement_id = ? WHERE id = ?", (announcement_id, result_id))
            await audit.record(tx, guild_id, actor_id, "result.log", f"{found.name}: {nominee.label}", now)
            return _Recorded(result_id, found, nominee, plan)

        recorded = await self._db.write(record_unit)

        async def settle_unit(tx: Transaction) -> _Settled | None:
            return await self._settle_if_pending(tx, recorded.result_id)

        settled = await self._db.write(settle_unit)
        if settled is None:
            # Another unit of this server settled it first (they settle pending results
            # before their own): the plan it applied is the one announced.
            granted = await self._db.fetch_value(
                "SELECT COUNT(*) FROM loser_role_grants WHERE guild_id = ? AND result_id = ?",
                (guild_id, recorded.result_id),
            )
            settled = _Settled(recorded.plan, roles_granted=int(granted or 0))
        return _report(recorded.result_id, recorded.category, (recorded.winner,), (recorded.winner,), settled)

    async def settle_pending(self) -> int:
        """Settle every result a crash left recorded but unsettled (at start-up); how many."""

        async def settle_unit(tx: Transaction) -> int:
            return await self._settle_pending_in(tx, None)

        return await self._db.write(settle_unit)

    async def tie(
        self, guild_id: int, *, actor_id: int, category: str, nominee: str, ceremony_id: int | None = None,
        nominee_check: str | None = None,
    ) -> ResultReport:
        """Add `nominee` as one more winner of an already logged `category` (`ceremony_id` and
        `nominee_check` as for :meth:`log`)."""

        async def tie_unit(tx: Transaction) -> ResultReport:
            now = self._clock()
            ceremony = await require_current(tx, guild_id)
            require_same(ceremony, ceremony_id)
            require_state(ceremony, "live", doing="log a tie")
            found = await resolve_category(tx, ceremony, category)
            added = await resolve_nominee(tx, ceremony, found, nominee)
            require_fingerprint(added, nominee_check)
            await self._settle_pending_in(tx, guild_id)
            existing = await _result_of(tx, found)
            if existing is None:
                raise Conflict(
                    f"{safe(found.name, 100)} has no result yet: log the first winner with `/result log`, "
                    "then add the others with `/result tie`.",
                    reason="no_result_yet", category=found.name,
                )
            if any(winner.id == added.id for winner in existing.winners):
                raise Conflict(
                    f"{safe(added.short_label, 100)} is already a winner of {safe(found.name, 100)}.",
                    reason="already_winning", category=found.name, nominee=added.label,
                )
            await _add_winner(tx, guild_id, existing.result_id, added, actor_id, now)
            settings = await self._settings.get_in(tx, guild_id)
            plan = await _plan(
                tx, guild_id, ceremony.id, found, existing.result_id, [added], settings.winner_tax_cents
            )
            winners = (*existing.winners, added)
            nominees = await nominees_of(tx, found.id)
            news = await _news(tx, guild_id, found, list(winners), [added], nominees, plan, settings)
            settled = await _apply(tx, guild_id, ceremony.id, found, existing.result_id, plan, settings, now)
            await outbox.announce(
                tx, guild_id, "result.tie",
                message(embeds=result_embeds(news, spoiler=settings.spoiler_safe, tie=True)), now,
            )
            await audit.record(tx, guild_id, actor_id, "result.tie", f"{found.name}: + {added.label}", now)
            ordered = tuple(sorted(winners, key=lambda n: n.position))
            return _report(existing.result_id, found, ordered, (added,), settled)

        return await self._db.write(tie_unit)

    async def _settle_pending_in(self, tx: Transaction, guild_id: int | None) -> int:
        """Settle the unsettled results of `guild_id` (None: every server), oldest first."""
        if guild_id is None:
            rows = await tx.fetch_all("SELECT id FROM results WHERE unsettled = 1 ORDER BY id")
        else:
            rows = await tx.fetch_all(
                "SELECT id FROM results WHERE guild_id = ? AND unsettled = 1 ORDER BY id", (guild_id,)
            )
        for row in rows:
            await self._settle_if_pending(tx, int(row["id"]))
        return len(rows)

    async def _settle_if_pending(self, tx: Transaction, result_id: int) -> _Settled | None:
        """Plan and apply result `result_id` if it is still unsettled; None when it is not
        (already settled, or undone). Its effects carry the time it was logged."""
        row = await tx.fetch_one(
            "SELECT guild_id, ceremony_id, category_id, logged_at FROM results WHERE id = ? AND unsettled = 1",
            (result_id,),
        )
        if row is None:
            return None
        guild_id, ceremony_id = int(row["guild_id"]), int(row["ceremony_id"])
        found = await category_by_id(tx, guild_id, int(row["category_id"]))
        if found is None:
            raise NotFound("That result's category no longer exists.", reason="category_gone", result_id=result_id)
        result = await _result_of(tx, found)
        assert result is not None
        settings = await self._settings.get_in(tx, guild_id)
        now = from_storage(row["logged_at"])
        plan = await _plan(
            tx, guild_id, ceremony_id, found, result_id, list(result.winners), settings.winner_tax_cents
        )
        settled = await _apply(tx, guild_id, ceremony_id, found, result_id, plan, settings, now)
        await tx.execute("UPDATE results SET unsettled = 0 WHERE id = ?", (result_id,))
        return settled

    async def logged(self, guild_id: int, category: str) -> LoggedResult:
        """The logged result of `category` (what the undo confirmation shows); refuses when there is none."""
        ceremony = await require_current(self._db, guild_id)
        require_state(ceremony, "live", doing="undo a result")
        found = await resolve_category(self._db, ceremony, category)
        result = await _result_of(self._db, found)
        if result is None:
            raise _nothing_to_undo(found)
        return result

    async def undo(
        self, guild_id: int, *, actor_id: int, category_id: int, result_id: int | None = None
    ) -> ResultReport:
        """Take the whole result of a category back. With `result_id` (from a confirmation
        button), refuse if the category's result has changed since the host confirmed."""

        async def undo_unit(tx: Transaction) -> ResultReport:
            now = self._clock()
            ceremony = await require_current(tx, guild_id)
            require_state(ceremony, "live", doing="undo a result")
            found = await category_by_id(tx, guild_id, category_id)
            if found is None or found.ceremony_id != ceremony.id:
                raise NotFound(
                    "That category isn't part of this server's current ceremony.",
                    reason="category_not_in_ceremony", category_id=category_id,
                )
            await self._settle_pending_in(tx, guild_id)
            result = await _result_of(tx, found)
            if result is None:
                raise _nothing_to_undo(found)
            if result_id is not None and result.result_id != result_id:
                raise Conflict(
                    f"The result of {safe(found.name, 100)} has changed since you asked: "
                    "nothing was undone. Run `/result undo` again.",
                    reason="result_changed", category=found.name, result_id=result_id,
                    current_result_id=result.result_id,
                )
            rows = await tx.fetch_all("SELECT user_id FROM losses WHERE result_id = ?", (result.result_id,))
            loss_users = [int(row["user_id"]) for row in rows]
            rows = await tx.fetch_all(
                "SELECT user_id FROM picks WHERE category_id = ? AND outcome IS NOT NULL", (found.id,)
            )
            pickers = [int(row["user_id"]) for row in rows]
            right_picks = await tx.fetch_one(
                "SELECT COUNT(*) FROM picks WHERE category_id = ? AND outcome = 'right'", (found.id,)
            )
            await tx.execute("DELETE FROM losses WHERE result_id = ?", (result.result_id,))
            await tx.execute(
                "UPDATE picks SET outcome = NULL, resolved_at = NULL WHERE category_id = ?", (found.id,)
            )
            cancelled = await reverse_winner_tax(tx, guild_id=guild_id, result_id=result.result_id, now=now)
            await tx.execute("DELETE FROM results WHERE id = ?", (result.result_id,))
            await tallies.refresh_loss_totals(tx, guild_id, ceremony.id, loss_users)
            await tallies.refresh_pick_stats(tx, guild_id, ceremony.id, pickers)
            settings = await self._settings.get_in(tx, guild_id)
            _granted, removed = await tallies.sync_loser_roles(
                tx, guild_id, loss_users, role_id=None, result_id=None,
                reason=cut(f"Result undone: {found.name}", 200), now=now,
            )
            names = await _display_names(tx, guild_id, set(loss_users))
            news = ResultNews(
                category=found.name, winners=[], changed=[n.label for n in result.winners],
                leaving=_sorted_names(names, set(loss_users)), taxes_cancelled=cancelled,
            )
            await outbox.announce(
                tx, guild_id, "result.undo",
                message(embeds=correction_embeds(news, spoiler=settings.spoiler_safe)), now,
            )
            await audit.record(
                tx, guild_id, actor_id, "result.undo",
                f"{found.name}: {', '.join(n.label for n in result.winners)} "
                f"(losses taken back: {len(loss_users)}, winner's taxes cancelled: {cancelled})",
                now,
            )
            return ResultReport(
                result_id=result.result_id, category=found, winners=(), changed=result.winners,
                losses_removed=len(loss_users), right_picks=int(right_picks[0]) if right_picks else 0,
                taxes_cancelled=cancelled, roles_removed=len(removed),
            )

        return await self._db.write(undo_unit)


async def result_of(reader: Reader, category: Category) -> LoggedResult | None:
    """The logged result of `category` as it stands (None while it has none)."""
    return await _result_of(reader, category)


# ---- inside the unit ----------------------------------------------------------------------


async def _result_of(reader: Reader, category: Category) -> LoggedResult | None:
    row = await reader.fetch_one(
        "SELECT r.id, "
        "(SELECT COUNT(*) FROM losses l WHERE l.result_id = r.id) AS losses, "
        "(SELECT COUNT(DISTINCT l.user_id) FROM losses l WHERE l.result_id = r.id) AS members, "
        "(SELECT COUNT(*) FROM pledges p WHERE p.guild_id = r.guild_id AND p.result_id = r.id "
        " AND p.kind = 'winner_tax' AND p.status = 'pending') AS pending_taxes "
        "FROM results r WHERE r.category_id = ?",
        (category.id,),
    )
    if row is None:
        return None
    winners = await reader.fetch_all(
        "SELECT n.id, n.category_id, n.name, n.show, n.episode, n.label, n.position FROM result_winners w "
        "JOIN nominees n ON n.id = w.nominee_id WHERE w.result_id = ? ORDER BY n.position",
        (row["id"],),
    )
    return LoggedResult(
        result_id=row["id"], category=category,
        winners=tuple(
            Nominee(w["id"], w["category_id"], w["name"], w["show"], w["episode"], w["label"], w["position"])
            for w in winners
        ),
        losses=row["losses"], members=row["members"], pending_taxes=row["pending_taxes"],
    )


async def _add_winner(
    tx: Transaction, guild_id: int, result_id: int, nominee: Nominee, actor_id: int, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO result_winners (result_id, nominee_id, guild_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
        (result_id, nominee.id, guild_id, actor_id, to_storage(now)),
    )


_WINNERS = "SELECT nominee_id FROM result_winners WHERE result_id = :result"
_OUTCOME = f"CASE WHEN nominee_id IN ({_WINNERS}) THEN 'right' ELSE 'wrong' END"


async def _plan(
    reader: Transaction,
    guild_id: int,
    ceremony_id: int,
    category: Category,
    result_id: int,
    newly_winning: list[Nominee],
    tax_cents: int,
) -> _Plan:
    """What bringing the category's picks and losses in line with its current winners
    (already recorded in ``result_winners``) will do. Reads only: :func:`_apply` makes
    exactly these changes, and the announcement is built from the same plan."""
    plan = _Plan()
    params = {"result": result_id, "category": category.id}

    # Losses this result gave for a nominee that now wins (a tie) are taken back.
    rows = await reader.fetch_all(
        f"SELECT user_id FROM losses WHERE result_id = :result AND nominee_id IN ({_WINNERS})",  # noqa: S608
        params,
    )
    plan.removed_loss_users = [int(row["user_id"]) for row in rows]

    # Picks whose outcome (right or wrong by the current winners) changes.
    rows = await reader.fetch_all(
        f"SELECT user_id FROM picks WHERE category_id = :category AND outcome IS NOT {_OUTCOME}",  # noqa: S608
        params,
    )
    plan.repicked = [int(row["user_id"]) for row in rows]

    # New losses: claims of losing nominees and wrong picks that have none from this result yet.
    claim_rows = await reader.fetch_all(
        f"SELECT c.user_id, c.nominee_id FROM claims c WHERE c.category_id = :category "  # noqa: S608
        f"AND c.nominee_id NOT IN ({_WINNERS}) AND NOT EXISTS (SELECT 1 FROM losses l "
        "WHERE l.result_id = :result AND l.source = 'claim' AND l.nominee_id = c.nominee_id "
        "AND l.user_id = c.user_id) ORDER BY c.nominee_id",
        params,
    )
    pick_rows = await reader.fetch_all(
        f"SELECT p.user_id, p.nominee_id FROM picks p WHERE p.category_id = :category "  # noqa: S608
        f"AND p.nominee_id NOT IN ({_WINNERS}) AND NOT EXISTS (SELECT 1 FROM losses l "
        "WHERE l.result_id = :result AND l.source = 'pick' AND l.user_id = p.user_id) ORDER BY p.user_id",
        params,
    )
    plan.new_losses = [(int(r["user_id"]), "claim", int(r["nominee_id"])) for r in claim_rows] + [
        (int(r["user_id"]), "pick", int(r["nominee_id"])) for r in pick_rows
    ]
    losing_users = {user for user, _source, _nominee in plan.new_losses}
    plan.newcomers = sorted(await tallies.members_without_losses(reader, guild_id, ceremony_id, losing_users))
    right = await reader.fetch_one(
        f"SELECT COUNT(*) FROM picks WHERE category_id = :category AND nominee_id IN ({_WINNERS})",  # noqa: S608
        params,
    )
    plan.right_picks = int(right[0]) if right else 0

    # The winner's tax for every member who claimed a nominee that now wins: one per member
    # per category while a live (not cancelled) tax of theirs for it exists — a second winner
    # claimed, or a paid tax kept through an undo (the rule of `charge_winner_tax`).
    if tax_cents > 0:
        rows = await reader.fetch_all(
            "SELECT user_id FROM pledges WHERE guild_id = ? AND category_id = ? AND kind = 'winner_tax' "
            "AND status != 'cancelled'",
            (guild_id, category.id),
        )
        owing = {int(row["user_id"]) for row in rows}
        for nominee in newly_winning:
            claimants = await reader.fetch_all(
                "SELECT c.user_id, COALESCE(m.display_name, '') AS display_name FROM claims c "
                "LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.user_id "
                "WHERE c.nominee_id = ?",
                (nominee.id,),
            )
            for claimant in claimants:
                user = int(claimant["user_id"])
                if user not in owing:
                    owing.add(user)
                    plan.taxes.append((user, nominee, claimant["display_name"] or UNKNOWN_MEMBER))
    return plan


async def _apply(
    tx: Transaction,
    guild_id: int,
    ceremony_id: int,
    category: Category,
    result_id: int,
    plan: _Plan,
    settings: GuildSettings,
    now: datetime,
) -> _Settled:
    """Make the changes `plan` (just made in this unit) describes: picks, losses, tallies,
    loser roles and the winner's tax."""
    params = {"result": result_id, "category": category.id, "now": to_storage(now)}
    if plan.removed_loss_users:
        await tx.execute(
            f"DELETE FROM losses WHERE result_id = :result AND nominee_id IN ({_WINNERS})", params  # noqa: S608
        )
    if plan.repicked:
        await tx.execute(
            f"UPDATE picks SET outcome = {_OUTCOME}, resolved_at = :now "  # noqa: S608
            f"WHERE category_id = :category AND outcome IS NOT {_OUTCOME}",
            params,
        )
    await tx.execute_many(
        "INSERT INTO losses (guild_id, ceremony_id, user_id, source, result_id, category_id, nominee_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (guild_id, ceremony_id, user, source, result_id, category.id, nominee, to_storage(now))
            for user, source, nominee in plan.new_losses
        ],
    )
    touched = {user for user, _source, _nominee in plan.new_losses} | set(plan.removed_loss_users)
    await tallies.refresh_loss_totals(tx, guild_id, ceremony_id, touched)
    await tallies.refresh_pick_stats(tx, guild_id, ceremony_id, plan.repicked)
    granted, removed = await tallies.sync_loser_roles(
        tx, guild_id, touched, role_id=settings.loser_role_id, result_id=result_id,
        reason=cut(f"Lost: {category.name}", 200), now=now,
    )
    for user, _nominee, display_name in plan.taxes:
        await charge_winner_tax(
            tx, guild_id=guild_id, user_id=user, display_name=display_name, ceremony_id=ceremony_id,
            category_id=category.id, result_id=result_id, amount_cents=settings.winner_tax_cents, now=now,
        )
    return _Settled(plan, roles_granted=len(granted), roles_removed=len(removed))


async def _display_names(tx: Transaction, guild_id: int, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await tx.fetch_all(
        "SELECT user_id, display_name FROM members WHERE guild_id = ? "
        "AND user_id IN (SELECT value FROM json_each(?))",
        (guild_id, tallies.id_list(user_ids)),
    )
    return {int(row["user_id"]): row["display_name"] for row in rows}


def _sorted_names(names: dict[int, str], user_ids: set[int]) -> list[str]:
    return sorted((names.get(user, UNKNOWN_MEMBER) for user in user_ids), key=str.casefold)


async def _news(
    tx: Transaction,
    guild_id: int,
    category: Category,
    winners: list[Nominee],
    changed: list[Nominee],
    nominees: list[Nominee],
    plan: _Plan,
    settings: GuildSettings,
) -> ResultNews:
    winner_ids = {winner.id for winner in winners}
    label_of = {nominee.id: nominee.label for nominee in nominees}
    users = {user for user, _s, _n in plan.new_losses} | set(plan.removed_loss_users)
    users |= {user for user, _n, _p in plan.taxes}
    names = await _display_names(tx, guild_id, users)
    pick_losers = {user for user, source, _n in plan.new_losses if source == "pick"}
    claim_lines = sorted(
        (
            ClaimLine(names.get(user, UNKNOWN_MEMBER), label_of.get(nominee, "?"))
            for user, source, nominee in plan.new_losses if source == "claim"
        ),
        key=lambda line: f"{line.member} (as {line.nominee})".casefold(),
    )
    return ResultNews(
        category=category.name,
        winners=[n.label for n in sorted(winners, key=lambda n: n.position)],
        changed=[n.label for n in changed],
        guests=[n.label for n in nominees if n.id not in winner_ids],
        lost_picks=_sorted_names(names, pick_losers),
        lost_claims=claim_lines,
        newcomers=_sorted_names(names, set(plan.newcomers)),
        leaving=_sorted_names(names, set(plan.removed_loss_users)),
        right_picks=plan.right_picks,
        taxes=[
            TaxLine(names.get(user, UNKNOWN_MEMBER), nominee.label, settings.winner_tax_cents)
            for user, nominee, _name in plan.taxes
        ],
    )


def _report(
    result_id: int, category: Category, winners: tuple[Nominee, ...], changed: tuple[Nominee, ...],
    settled: _Settled,
) -> ResultReport:
    plan = settled.plan
    return ResultReport(
        result_id=result_id, category=category, winners=winners, changed=changed,
        losses_added=len(plan.new_losses), losses_removed=len(plan.removed_loss_users),
        right_picks=plan.right_picks, newcomers=len(plan.newcomers), taxes_charged=len(plan.taxes),
        roles_granted=settled.roles_granted, roles_removed=settled.roles_removed,
    )


def _nothing_to_undo(category: Category) -> NotFound:
    return NotFound(
        f"{safe(category.name, 100)} has no logged result to undo.", reason="no_result_to_undo", category=category.name
    )
