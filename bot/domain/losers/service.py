"""Members in the lounge: claims ("this nominee is me"), picks, declared losses,
the loser card and the roster. The one place that writes `claims`, `picks` and
declared `losses`; result-driven losses are written by `results`.

Rules:

* Claims and picks are open while the current ceremony is a draft or live,
  and each category locks when its result is logged (a claim or a pick then
  has consequences that only `/result undo` can take back).
* One member per nominee (UNIQUE); a member may claim up to
  ``MAX_CLAIMS_PER_MEMBER`` nominations per ceremony (people are nominated
  several times a night: Louis C.K. had 7 in 2013).
* A declaration is a loss no undo touches: at most one per member per category
  (and one without a category) per ceremony, so nobody can spam the board.
  Without a current ceremony a declaration counts all-time only. Only a
  member's first loss of the night is announced ("new in the lounge").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from bot.clock import Clock, to_storage
from bot.db import Database, Transaction
from bot.domain import members
from bot.domain.announcer import outbox
from bot.domain.ceremonies.service import (
    NO_CEREMONY,
    Category,
    Ceremony,
    Choice,
    Nominee,
    Reader,
    ceremony_by_id,
    choice_by_ids,
    current_ceremony,
    require_current,
    require_fingerprint,
    require_same,
    require_state,
    resolve_category,
    resolve_nominee,
    row_id,
    short_label,
)
from bot.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound, WrongState
from bot.domain.results import tallies
from bot.domain.settings.service import SettingsService
from bot.embeds import Colour, Embed, message
from bot.text import refuse_invisible, safe

MAX_NOTE = 200
MAX_CLAIMS_PER_MEMBER = 25
ROSTER_PAGE_SIZE = 20
PICKS_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class ClaimReceipt:
    category: Category
    nominee: Nominee


@dataclass(frozen=True, slots=True)
class PickReceipt:
    category: Category
    nominee: Nominee
    previous: str | None  # the label picked before, when the member changed their pick


@dataclass(frozen=True, slots=True)
class Declaration:
    category: Category | None
    note: str | None
    first_in_lounge: bool


@dataclass(frozen=True, slots=True)
class LossBreakdown:
    declared: int = 0
    claim: int = 0
    pick: int = 0

    @property
    def total(self) -> int:
        return self.declared + self.claim + self.pick


@dataclass(frozen=True, slots=True)
class PickRecord:
    correct: int
    resolved: int
    pending: int = 0

    @property
    def wrong(self) -> int:
        return self.resolved - self.correct


@dataclass(frozen=True, slots=True)
class ClaimLine:
    category: str
    nominee: str
    outcome: str | None  # 'won', 'lost' or None while not logged


@dataclass(frozen=True, slots=True)
class LoserCard:
    user_id: int
    display_name: str
    ceremony: Ceremony | None
    tonight: LossBreakdown
    all_time: LossBreakdown
    picks_tonight: PickRecord
    picks_all_time: PickRecord
    claims: tuple[ClaimLine, ...]
    pledged_tonight_cents: int
    pledged_all_time_cents: int


@dataclass(frozen=True, slots=True)
class PickLine:
    category: str
    nominee: str
    outcome: str | None  # 'right', 'wrong', or None while the category is open
    winners: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberPicks:
    ceremony: Ceremony
    user_id: int
    display_name: str
    lines: tuple[PickLine, ...]
    record: PickRecord


@dataclass(frozen=True, slots=True)
class RosterEntry:
    kind: str  # 'member' or 'guest'
    name: str
    detail: str  # "3 losses" / the category


@dataclass(frozen=True, slots=True)
class RosterPage:
    ceremony: Ceremony
    page: int  # 0-based, clamped into range
    pages: int
    members: int
    guests: int
    entries: tuple[RosterEntry, ...]


def clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    if any(unicodedata.category(character) == "Cc" and character not in "\n\t" for character in note):
        raise InvalidInput("The note can't contain control characters.", reason="note_control_characters")
    cleaned = " ".join(note.split())
    refuse_invisible(cleaned, what="note")
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput(
            f"The note is {len(cleaned)} characters long; the limit is {MAX_NOTE}.",
            reason="note_too_long", length=len(cleaned), limit=MAX_NOTE,
        )
    return cleaned or None


class LoserService:
    def __init__(self, db: Database, clock: Clock, settings: SettingsService) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings

    # ---- claims ---------------------------------------------------------------------------

    async def claim(
        self, guild_id: int, *, user_id: int, display_name: str, category: str, nominee: str
    ) -> ClaimReceipt:
        async def claim_unit(tx: Transaction) -> ClaimReceipt:
            now = self._clock()
            ceremony, found, chosen, _ = await _open_choice(tx, guild_id, category, nominee, doing="claim a nominee")
            row = await tx.fetch_one("SELECT user_id FROM claims WHERE nominee_id = ?", (chosen.id,))
            if row is not None:
                if row["user_id"] == user_id:
                    raise Conflict(
                        f"You've already claimed {safe(chosen.short_label, 100)}.",
                        reason="already_claimed", category=found.name, nominee=chosen.short_label,
                    )
                raise Conflict(
                    f"{safe(chosen.short_label, 100)} is already claimed by another member: "
                    "each nominee can be claimed once.",
                    reason="nominee_taken", category=found.name, nominee=chosen.short_label,
                )
            count = await tx.fetch_one(
                "SELECT COUNT(*) FROM claims WHERE guild_id = ? AND user_id = ? AND ceremony_id = ?",
                (guild_id, user_id, ceremony.id),
            )
            if count is not None and count[0] >= MAX_CLAIMS_PER_MEMBER:
                raise NotAllowed(
                    f"You've claimed {MAX_CLAIMS_PER_MEMBER} nominees already, the most one member may.",
                    reason="too_many_claims", limit=MAX_CLAIMS_PER_MEMBER,
                )
            await members.remember_member(tx, guild_id, user_id, display_name, now)
            await tx.execute(
                "INSERT INTO claims (guild_id, ceremony_id, category_id, nominee_id, user_id, claimed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, ceremony.id, found.id, chosen.id, user_id, to_storage(now)),
            )
            return ClaimReceipt(found, chosen)

        return await self._db.write(claim_unit)

    async def unclaim(self, guild_id: int, *, user_id: int, category: str, nominee: str) -> ClaimReceipt:
        async def unclaim_unit(tx: Transaction) -> ClaimReceipt:
            _ceremony, found, chosen, _ = await _open_choice(
                tx, guild_id, category, nominee, doing="unclaim a nominee"
            )
            changed = await tx.execute(
                "DELETE FROM claims WHERE nominee_id = ? AND user_id = ? AND guild_id = ?",
                (chosen.id, user_id, guild_id),
            )
            if changed == 0:
                raise NotFound(
                    f"You haven't claimed {safe(chosen.short_label, 100)}.",
                    reason="not_claimed", category=found.name, nominee=chosen.short_label,
                )
            return ClaimReceipt(found, chosen)

        return await self._db.write(unclaim_unit)

    # ---- picks ----------------------------------------------------------------------------

    async def pick(
        self, guild_id: int, *, user_id: int, display_name: str, category: str, nominee: str,
        ceremony_id: int | None = None, nominee_check: str | None = None, keep_picks: bool = False,
    ) -> PickReceipt:
        """Record (or change) the member's pick in `category`. A ballot's menu also says which
        ceremony it was made for (`ceremony_id`) and the nominee's `fingerprint` (`nominee_check`):
        a stale menu is refused. With `keep_picks`, the member's picks as this pick leaves them
        are read in its transaction and kept (:func:`member_picks`, :meth:`Transaction.keep`):
        the ballot shows them next without reading them again."""

        async def pick_unit(tx: Transaction) -> PickReceipt:
            now = self._clock()
            ceremony, found, chosen, choice = await _open_choice(
                tx, guild_id, category, nominee, doing="make picks", ceremony_id=ceremony_id,
                member=(user_id, members.stored_name(display_name)),
            )
            require_fingerprint(chosen, nominee_check)
            if choice is not None:  # read with the choice, in the same statement
                previous = choice.previous
            else:
                row = await tx.fetch_one(
                    "SELECT n.id, n.label FROM picks p JOIN nominees n ON n.id = p.nominee_id "
                    "WHERE p.category_id = ? AND p.user_id = ?",
                    (found.id, user_id),
                )
                previous = None if row is None else (row["id"], row["label"])
            if previous is not None and previous[0] == chosen.id:
                return PickReceipt(found, chosen, None)  # picking the same again is fine, and changes nothing
            if choice is None or not choice.member_current:  # else remembering them would change nothing
                await members.remember_member(tx, guild_id, user_id, display_name, now)
            await tx.execute(
                "INSERT INTO picks (guild_id, ceremony_id, category_id, user_id, nominee_id, picked_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (category_id, user_id) DO UPDATE SET "
                "nominee_id = excluded.nominee_id, picked_at = excluded.picked_at WHERE picks.outcome IS NULL",
                (guild_id, ceremony.id, found.id, user_id, chosen.id, to_storage(now)),
            )
            if keep_picks:
                picks = await member_picks(tx, guild_id, user_id, ceremony.id)
                tx.keep("picks", (guild_id, user_id, ceremony.id), picks)
            return PickReceipt(found, chosen, None if previous is None else previous[1])

        return await self._db.write(pick_unit)

    async def picks_of(self, guild_id: int, user_id: int, display_name: str) -> MemberPicks:
        ceremony = await require_current(self._db, guild_id)
        rows = await self._db.fetch_all(
            "SELECT c.name AS category, n.label AS nominee, p.outcome, "
            "(SELECT group_concat(wn.label, char(31)) FROM results r JOIN result_winners w ON w.result_id = r.id "
            " JOIN nominees wn ON wn.id = w.nominee_id WHERE r.category_id = p.category_id) AS winners "
            "FROM picks p JOIN categories c ON c.id = p.category_id JOIN nominees n ON n.id = p.nominee_id "
            "WHERE p.guild_id = ? AND p.user_id = ? AND p.ceremony_id = ? ORDER BY c.position",
            (guild_id, user_id, ceremony.id),
        )
        lines = tuple(
            PickLine(row["category"], row["nominee"], row["outcome"],
                     tuple(row["winners"].split("\x1f")) if row["winners"] else ())
            for row in rows
        )
        correct = sum(1 for line in lines if line.outcome == "right")
        resolved = sum(1 for line in lines if line.outcome is not None)
        name = await _display_name(self._db, guild_id, user_id) or display_name
        return MemberPicks(ceremony, user_id, name, lines, PickRecord(correct, resolved, len(lines) - resolved))

    # ---- declarations ---------------------------------------------------------------------

    async def declare(
        self, guild_id: int, *, user_id: int, display_name: str, category: str | None, note: str | None
    ) -> Declaration:
        cleaned_note = clean_note(note)

        async def declare_unit(tx: Transaction) -> Declaration:
            now = self._clock()
            ceremony = await current_ceremony(tx, guild_id)
            found: Category | None = None
            if category is not None and category.strip():
                if ceremony is None:
                    raise NotFound(NO_CEREMONY, reason="no_ceremony")
                found = await resolve_category(tx, ceremony, category)
            ceremony_id = None if ceremony is None else ceremony.id
            again = await tx.fetch_one(
                "SELECT 1 FROM losses WHERE guild_id = ? AND user_id = ? AND source = 'declared' "
                "AND ceremony_id IS ? AND category_id IS ?",
                (guild_id, user_id, ceremony_id, None if found is None else found.id),
            )
            if again is not None:
                where = f"in {safe(found.name, 100)}" if found is not None else "without a category"
                raise Conflict(
                    f"You've already declared yourself a loser {where}; once is enough.",
                    reason="already_declared", category=None if found is None else found.name,
                )
            await members.remember_member(tx, guild_id, user_id, display_name, now)
            scope = tallies.ALL_TIME if ceremony_id is None else ceremony_id
            first = bool(await tallies.members_without_losses(tx, guild_id, scope, [user_id]))
            await tx.execute(
                "INSERT INTO losses (guild_id, ceremony_id, user_id, source, category_id, note, created_at) "
                "VALUES (?, ?, ?, 'declared', ?, ?, ?)",
                (guild_id, ceremony_id, user_id, None if found is None else found.id, cleaned_note, to_storage(now)),
            )
            await tallies.refresh_loss_totals(tx, guild_id, ceremony_id, [user_id])
            settings = await self._settings.get_in(tx, guild_id)
            await tallies.sync_loser_roles(
                tx, guild_id, [user_id], role_id=settings.loser_role_id, result_id=None,
                reason="Declared themselves a loser", now=now,
            )
            if first:  # a newcomer is news; later declarations are recorded quietly (no channel spam)
                line = f"**{safe(display_name, 80)}** declared themselves a loser"
                if found is not None:
                    line += f" in {safe(found.name, 120)}"
                if cleaned_note:
                    line += f": “{safe(cleaned_note, MAX_NOTE + 40)}”"
                embed = Embed(title="😢 New in the lounge", description=line + "\nWelcome to the lounge.",
                              colour=Colour.LOUNGE)
                await outbox.announce(tx, guild_id, "loser.declared", message(embeds=[embed]), now)
            return Declaration(found, cleaned_note, first)

        return await self._db.write(declare_unit)

    # ---- reading --------------------------------------------------------------------------

    async def card(self, guild_id: int, user_id: int, display_name: str) -> LoserCard:
        ceremony = await current_ceremony(self._db, guild_id)
        all_time = await _breakdown(self._db, guild_id, user_id, None)
        tonight = await _breakdown(self._db, guild_id, user_id, ceremony.id) if ceremony else LossBreakdown()
        stats = await self._db.fetch_one(
            "SELECT correct, resolved FROM pick_stats WHERE guild_id = ? AND scope = 0 AND user_id = ?",
            (guild_id, user_id),
        )
        picks_all_time = PickRecord(stats["correct"], stats["resolved"]) if stats else PickRecord(0, 0)
        picks_tonight = PickRecord(0, 0)
        claims: tuple[ClaimLine, ...] = ()
        pledged_tonight = 0
        if ceremony is not None:
            row = await self._db.fetch_one(
                "SELECT COUNT(*) AS total, COALESCE(SUM(outcome = 'right'), 0) AS correct, "
                "COALESCE(SUM(outcome IS NOT NULL), 0) AS resolved FROM picks "
                "WHERE guild_id = ? AND user_id = ? AND ceremony_id = ?",
                (guild_id, user_id, ceremony.id),
            )
            assert row is not None
            picks_tonight = PickRecord(row["correct"], row["resolved"], row["total"] - row["resolved"])
            claim_rows = await self._db.fetch_all(
                "SELECT c.name AS category, n.label AS nominee, r.id IS NOT NULL AS logged, "
                "w.nominee_id IS NOT NULL AS won FROM claims cl "
                "JOIN categories c ON c.id = cl.category_id JOIN nominees n ON n.id = cl.nominee_id "
                "LEFT JOIN results r ON r.category_id = cl.category_id "
                "LEFT JOIN result_winners w ON w.nominee_id = cl.nominee_id "
                "WHERE cl.guild_id = ? AND cl.user_id = ? AND cl.ceremony_id = ? ORDER BY c.position, n.position",
                (guild_id, user_id, ceremony.id),
            )
            claims = tuple(
                ClaimLine(r["category"], r["nominee"], ("won" if r["won"] else "lost") if r["logged"] else None)
                for r in claim_rows
            )
            pledged_tonight = await _pledged(self._db, guild_id, user_id, ceremony.id)
        name = await _display_name(self._db, guild_id, user_id) or display_name
        return LoserCard(
            user_id=user_id, display_name=name, ceremony=ceremony, tonight=tonight, all_time=all_time,
            picks_tonight=picks_tonight, picks_all_time=picks_all_time, claims=claims,
            pledged_tonight_cents=pledged_tonight,
            pledged_all_time_cents=await _pledged(self._db, guild_id, user_id, tallies.ALL_TIME),
        )

    async def ceremony(self, guild_id: int, ceremony_id: int) -> Ceremony | None:
        """One of this server's ceremonies, e.g. the one a roster button was made for."""
        return await ceremony_by_id(self._db, guild_id, ceremony_id)

    async def roster(self, guild_id: int, page: int) -> RosterPage:
        """Everyone in tonight's lounge: members with losses (most first), then the losing nominees."""
        ceremony = await require_current(self._db, guild_id)
        counts = await self._db.fetch_one(
            "SELECT (SELECT COUNT(*) FROM loss_totals WHERE guild_id = :g AND scope = :c) AS members, "
            "(SELECT COUNT(*) FROM lounge_guests WHERE guild_id = :g AND ceremony_id = :c) AS guests",
            {"g": guild_id, "c": ceremony.id},
        )
        assert counts is not None
        member_count, guest_count = int(counts["members"]), int(counts["guests"])
        pages = max(1, ceil((member_count + guest_count) / ROSTER_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        start, end = page * ROSTER_PAGE_SIZE, (page + 1) * ROSTER_PAGE_SIZE
        entries: list[RosterEntry] = []
        if start < member_count:
            rows = await self._db.fetch_all(
                "SELECT t.user_id, t.losses, m.display_name FROM loss_totals t "
                "LEFT JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id "
                "WHERE t.guild_id = ? AND t.scope = ? ORDER BY t.losses DESC, t.reached_at, t.user_id "
                "LIMIT ? OFFSET ?",
                (guild_id, ceremony.id, min(end, member_count) - start, start),
            )
            entries += [
                RosterEntry("member", row["display_name"] or "a member",
                            f"{row['losses']} loss" + ("" if row["losses"] == 1 else "es"))
                for row in rows
            ]
        if end > member_count:
            offset = max(start - member_count, 0)
            rows = await self._db.fetch_all(
                "SELECT n.name, n.show, n.label, c.name AS category FROM lounge_guests g "
                "JOIN nominees n ON n.id = g.nominee_id JOIN categories c ON c.id = g.category_id "
                "WHERE g.guild_id = ? AND g.ceremony_id = ? ORDER BY c.position, n.position LIMIT ? OFFSET ?",
                (guild_id, ceremony.id, end - max(start, member_count), offset),
            )
            entries += [
                RosterEntry("guest", short_label(row["name"], row["show"], row["label"]), row["category"])
                for row in rows
            ]
        return RosterPage(ceremony, page, pages, member_count, guest_count, tuple(entries))


async def erase_member(tx: Transaction, guild_id: int, user_id: int, now: datetime) -> int:
    """Remove everything the lounge holds about a member: claims, picks, losses (declared
    ones too), their tallies and role grants (each role queued for removal). For
    `/privacy forget-me`; runs inside the caller's unit. Returns the rows removed.

    Results, guests and other members' tallies are untouched: a member's losses and
    picks never count toward anyone else's.
    """
    removed = 0
    for table in ("claims", "picks", "losses", "loss_totals", "pick_stats"):
        removed += await tx.execute(
            f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)  # noqa: S608
        )
    _granted, dropped = await tallies.sync_loser_roles(
        tx, guild_id, [user_id], role_id=None, result_id=None, reason="Forgotten at their request", now=now
    )
    return removed + len(dropped)


MEMBER_PICKS_KEY = ("guild_id", "user_id", "ceremony_id")
"""The columns a member's picks in a ceremony are named by (:func:`member_picks`, :meth:`Database.track`)."""


async def member_picks(reader: Reader, guild_id: int, user_id: int, ceremony_id: int) -> dict[int, int]:
    """The member's picks in the ceremony: category id -> nominee id."""
    rows = await reader.fetch_all(
        "SELECT category_id, nominee_id FROM picks WHERE guild_id = ? AND user_id = ? AND ceremony_id = ?",
        (guild_id, user_id, ceremony_id),
    )
    return {row[0]: row[1] for row in rows}


async def _open_choice(
    tx: Transaction, guild_id: int, category: str, nominee: str, *, doing: str, ceremony_id: int | None = None,
    member: tuple[int, str] | None = None,
) -> tuple[Ceremony, Category, Nominee, Choice | None]:
    """The ceremony, category and nominee a claim or pick names, while that category is still open.

    Named by ids (a menu's, an autocomplete's), all of it is one statement (:func:`choice_by_ids`);
    anything else, or ids that find nothing, is resolved one part at a time, as a name is."""
    category_id, nominee_id = row_id(category), row_id(nominee)
    if category_id is not None and nominee_id is not None:
        choice = await choice_by_ids(tx, guild_id, category_id, nominee_id, member)
        if choice.ceremony is None:
            raise NotFound(NO_CEREMONY, reason="no_ceremony")
        ceremony = choice.ceremony
    else:
        choice, ceremony = None, await require_current(tx, guild_id)
    require_same(ceremony, ceremony_id)
    require_state(ceremony, "draft", "live", doing=doing)
    if choice is not None and choice.category is not None and choice.nominee is not None:
        found, chosen, is_logged = choice.category, choice.nominee, choice.logged
    else:  # a name, or ids that found no category or nominee: part by part (the caller reads the rest)
        choice = None
        found = await resolve_category(tx, ceremony, category)
        chosen = await resolve_nominee(tx, ceremony, found, nominee)
        is_logged = await tx.fetch_one("SELECT 1 FROM results WHERE category_id = ?", (found.id,)) is not None
    if is_logged:
        raise WrongState(
            f"The result of {safe(found.name, 100)} is logged: it's locked, so you can't {doing} there.",
            reason="category_logged", category=found.name,
        )
    return ceremony, found, chosen, choice


async def _breakdown(db: Database, guild_id: int, user_id: int, ceremony_id: int | None) -> LossBreakdown:
    in_scope = "" if ceremony_id is None else "AND ceremony_id = ?"
    rows = await db.fetch_all(
        f"SELECT source, COUNT(*) AS n FROM losses WHERE guild_id = ? AND user_id = ? {in_scope} "  # noqa: S608
        "GROUP BY source",
        (guild_id, user_id) + (() if ceremony_id is None else (ceremony_id,)),
    )
    counts = {row["source"]: int(row["n"]) for row in rows}
    return LossBreakdown(counts.get("declared", 0), counts.get("claim", 0), counts.get("pick", 0))


async def _pledged(db: Database, guild_id: int, user_id: int, scope: int) -> int:
    value = await db.fetch_value(
        "SELECT total_cents FROM pledge_member_totals WHERE guild_id = ? AND scope = ? AND user_id = ?",
        (guild_id, scope, user_id),
    )
    return 0 if value is None else int(value)


async def _display_name(db: Database, guild_id: int, user_id: int) -> str | None:
    value = await db.fetch_value(
        "SELECT display_name FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    return None if value is None else str(value)
