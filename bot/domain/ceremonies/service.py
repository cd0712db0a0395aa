"""Ceremonies and their nominations: with `editing` (corrections), the one place
that writes `ceremonies`, `categories` and `nominees`, and the lookups every
other feature uses.

A ceremony is a state machine: ``draft`` → ``live`` → ``ended``. One ceremony per
server is *current* (creating a new one retires the old one, which stays
readable). Nominee lists (a file, a pasted list, a preset at creation) are
imported into a draft only; a new import replaces the draft's list (and the
picks and claims made on it). Results need ``live``. Edits of a list already in
place (renames, one more nominee, the running order) are in
:mod:`bot.domain.ceremonies.editing`.

Members refer to categories and nominees by the autocomplete value (the row id
as text) or by typing a name; :func:`resolve_category` and
:func:`resolve_nominee` accept both, only inside the server's current
ceremony, and refuse unknown or ambiguous names with one clear sentence.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from bot.clock import Clock, from_storage, to_storage
from bot.db import Database, Row, Transaction, remembered_by
from bot.db.database import Params
from bot.domain.announcer import outbox
from bot.domain.audit import log as audit
from bot.domain.ceremonies import previews
from bot.domain.ceremonies.files import ParsedCeremony, nominee_base
from bot.domain.errors import Conflict, InvalidInput, NotFound, WrongState
from bot.embeds import Colour, Embed, message
from bot.text import clip, cut, safe

MAX_CEREMONY_NAME = 100
MIN_YEAR, MAX_YEAR = 1949, 2100
CHOICE_LIMIT = 100  # Discord: an autocomplete choice's name and value are at most 100 characters
NO_CEREMONY = "There's no ceremony in this server yet: a host creates one with `/ceremony create`."


class Reader(Protocol):
    """A `Database` (reads between writes) or a `Transaction` (reads inside a unit)."""

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...


@dataclass(frozen=True, slots=True)
class Ceremony:
    id: int
    guild_id: int
    name: str
    year: int
    state: str
    is_current: bool
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    start_channel_id: int | None
    revision: int = 0  # bumped by every change to its categories, nominees or results (migration 0012)

    @property
    def title(self) -> str:
        return self.name if str(self.year) in self.name else f"{self.name} ({self.year})"


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    ceremony_id: int
    name: str
    position: int  # the running order: 0 first
    telecast: bool = False  # presented on the broadcast itself


@dataclass(frozen=True, slots=True)
class Nominee:
    id: int
    category_id: int
    name: str
    show: str | None
    episode: str | None
    label: str
    position: int

    @property
    def short_label(self) -> str:
        """The label within `CHOICE_LIMIT` characters, keeping the part that tells twins apart."""
        return short_label(self.name, self.show, self.label)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    ceremony: Ceremony
    categories: int
    nominees: int
    dropped_picks: int
    dropped_claims: int
    source: str = ""  # the file's name, "a pasted list" or the preset's name


@dataclass(frozen=True, slots=True)
class CategoryProgress:
    category: Category
    winners: tuple[str, ...]  # labels; empty while not logged


@dataclass(frozen=True, slots=True)
class CeremonyStatus:
    ceremony: Ceremony
    categories: tuple[CategoryProgress, ...]
    nominees: int
    picks: int
    pickers: int
    claims: int
    members_in_lounge: int
    guests: int

    @property
    def logged(self) -> list[CategoryProgress]:
        return [entry for entry in self.categories if entry.winners]

    @property
    def remaining(self) -> list[CategoryProgress]:
        return [entry for entry in self.categories if not entry.winners]


def short_label(name: str, show: str | None, label: str, limit: int = CHOICE_LIMIT) -> str:
    if len(label) <= limit:
        return label
    base = nominee_base(name, show)
    suffix = clip(label[len(base):], 40) if label.startswith(base) else ""
    return clip(base, limit - len(suffix)) + suffix


# ---- lookups (any Reader) -----------------------------------------------------------------

_CEREMONY_COLUMNS = (
    "id, guild_id, name, year, state, is_current, created_at, started_at, ended_at, start_channel_id, revision"
)
_CATEGORY_COLUMNS = "id, ceremony_id, name, position, telecast"
_NOMINEE_COLUMNS = "id, category_id, name, show, episode, label, position"


def _ceremony(row: Row) -> Ceremony:
    return Ceremony(
        id=row["id"], guild_id=row["guild_id"], name=row["name"], year=row["year"], state=row["state"],
        is_current=bool(row["is_current"]), created_at=from_storage(row["created_at"]),
        started_at=from_storage(row["started_at"]) if row["started_at"] else None,
        ended_at=from_storage(row["ended_at"]) if row["ended_at"] else None,
        start_channel_id=row["start_channel_id"], revision=row["revision"],
    )


def _category(row: Row, prefix: str = "") -> Category:
    """A category from a row of :data:`_CATEGORY_COLUMNS` (each named with `prefix` in a join)."""
    return Category(row[f"{prefix}id"], row[f"{prefix}ceremony_id"], row[f"{prefix}name"], row[f"{prefix}position"],
                    bool(row[f"{prefix}telecast"]))


def _nominee(row: Row, prefix: str = "") -> Nominee:
    """A nominee from a row of :data:`_NOMINEE_COLUMNS` (each named with `prefix` in a join)."""
    return Nominee(row[f"{prefix}id"], row[f"{prefix}category_id"], row[f"{prefix}name"], row[f"{prefix}show"],
                   row[f"{prefix}episode"], row[f"{prefix}label"], row[f"{prefix}position"])


async def current_ceremony(reader: Reader, guild_id: int) -> Ceremony | None:
    """The server's current ceremony. Through a :class:`Database` it is kept until a commit writes
    a ceremony's row or another process commits (:meth:`Database.remembered` with its table:
    every edit, result and undo bumps the row's ``revision``); inside a unit it is read."""
    return await remembered_by(reader, ("current_ceremony", guild_id), lambda: _read_current(reader, guild_id),
                               tables=("ceremonies",))


async def _read_current(reader: Reader, guild_id: int) -> Ceremony | None:
    row = await reader.fetch_one(
        f"SELECT {_CEREMONY_COLUMNS} FROM ceremonies WHERE guild_id = ? AND is_current = 1",  # noqa: S608
        (guild_id,),
    )
    return None if row is None else _ceremony(row)


async def ceremony_by_id(reader: Reader, guild_id: int, ceremony_id: int) -> Ceremony | None:
    """One of this server's ceremonies (None for an id of another server's, or of none)."""
    row = await reader.fetch_one(
        f"SELECT {_CEREMONY_COLUMNS} FROM ceremonies WHERE guild_id = ? AND id = ?",  # noqa: S608
        (guild_id, ceremony_id),
    )
    return None if row is None else _ceremony(row)


async def require_current(reader: Reader, guild_id: int) -> Ceremony:
    ceremony = await current_ceremony(reader, guild_id)
    if ceremony is None:
        raise NotFound(NO_CEREMONY, reason="no_ceremony")
    return ceremony


def require_state(ceremony: Ceremony, *states: str, doing: str) -> None:
    """Refuse `doing` unless the ceremony is in one of `states`, saying what it needs."""
    if ceremony.state in states:
        return
    needs = {
        "draft": "while it's still a draft (before `/ceremony start`)",
        "live": "while it's live (after `/ceremony start`, before `/ceremony end`)",
        "ended": "after it has ended",
    }
    wanted = " or ".join(needs[state] for state in states)
    raise WrongState(
        f"{safe(ceremony.title, 100)} is {ceremony.state}: you can {doing} only {wanted}.",
        reason="wrong_state", state=ceremony.state, needed=states, doing=doing,
    )


@functools.lru_cache(maxsize=16384)
def fingerprint(label: str) -> str:
    """Six hex digits naming a nomination's label. Row ids are reused once rows are deleted (a
    draft re-imported, a nominee removed and another added), so a menu or button that carries
    a nominee's id also carries this, and a stale one is refused instead of choosing whoever
    holds the id now."""
    return hashlib.blake2s(label.encode(), digest_size=3).hexdigest()


def require_fingerprint(nominee: Nominee, expected: str | None) -> None:
    """Refuse a choice made on a stale menu or button (`expected` None: nothing to check)."""
    if expected is not None and fingerprint(nominee.label) != expected:
        raise Conflict(
            "The nominees have changed since that was shown: nothing was changed. Choose again from a fresh one.",
            reason="stale_nominee", nominee=nominee.label,
        )


def require_same(ceremony: Ceremony, ceremony_id: int | None) -> None:
    """Refuse a button or menu made for another ceremony than the server's current one
    (`ceremony_id` None: nothing to check)."""
    if ceremony_id is not None and ceremony.id != ceremony_id:
        raise Conflict(
            f"That was made for another ceremony than {safe(ceremony.title, 100)}: nothing was changed.",
            reason="stale_ceremony", ceremony_id=ceremony_id, current_ceremony_id=ceremony.id,
        )


async def categories_of(reader: Reader, ceremony_id: int) -> list[Category]:
    rows = await reader.fetch_all(
        f"SELECT {_CATEGORY_COLUMNS} FROM categories WHERE ceremony_id = ? ORDER BY position, id",  # noqa: S608
        (ceremony_id,),
    )
    return [_category(row) for row in rows]


async def nominees_of(reader: Reader, category_id: int) -> list[Nominee]:
    rows = await reader.fetch_all(
        f"SELECT {_NOMINEE_COLUMNS} FROM nominees WHERE category_id = ? ORDER BY position",  # noqa: S608
        (category_id,),
    )
    return [_nominee(row) for row in rows]


async def category_by_id(reader: Reader, guild_id: int, category_id: int) -> Category | None:
    row = await reader.fetch_one(
        f"SELECT {_CATEGORY_COLUMNS} FROM categories WHERE id = ? AND guild_id = ?",  # noqa: S608
        (category_id, guild_id),
    )
    return None if row is None else _category(row)


MAX_ROW_ID = 2**63 - 1


def row_id(text: str) -> int | None:
    """`text` as a row id an option may carry (an autocomplete value; spaces around it aside):
    decimal digits within SQLite's 64-bit integers; None for anything else (a name, even "1984")."""
    text = text.strip()
    if text.isdecimal() and len(text) <= 19 and text.isascii():
        value = int(text)
        if 0 < value <= MAX_ROW_ID:
            return value
    return None


class Choice(NamedTuple):
    """What a pick or a claim made by ids names, read in one statement (:func:`choice_by_ids`)."""

    ceremony: Ceremony | None
    """The server's current ceremony (None: there is none)."""
    category: Category | None
    """The category of that id in the current ceremony, if any."""
    nominee: Nominee | None
    """The nominee of that id in that category, if any."""
    logged: bool
    """The category's result is logged."""
    previous: tuple[int, str] | None = None
    """The member's pick in that category (its nominee's id and label), when a member was given."""
    member_current: bool = False
    """The member was given, is known under that display name and has not left (nothing to remember)."""


_CHOICE = (
    "SELECT " + ", ".join(f"ce.{column}" for column in _CEREMONY_COLUMNS.split(", ")) + ", "  # noqa: S608
    + ", ".join(f"c.{column} AS c_{column}" for column in _CATEGORY_COLUMNS.split(", ")) + ", "
    + ", ".join(f"n.{column} AS n_{column}" for column in _NOMINEE_COLUMNS.split(", ")) + ", "
    "EXISTS (SELECT 1 FROM results r WHERE r.category_id = c.id) AS logged, "
    "p.nominee_id AS previous_id, pn.label AS previous_label, "
    "EXISTS (SELECT 1 FROM members m WHERE m.guild_id = ce.guild_id AND m.user_id = ?4 "
    "AND m.display_name = ?5 AND m.left_at IS NULL) AS member_current "
    "FROM ceremonies ce "
    "LEFT JOIN categories c ON c.id = ?2 AND c.guild_id = ce.guild_id AND c.ceremony_id = ce.id "
    "LEFT JOIN nominees n ON n.id = ?3 AND n.guild_id = ce.guild_id AND n.category_id = c.id "
    "LEFT JOIN picks p ON p.category_id = c.id AND p.user_id = ?4 "  # one at most: (category_id, user_id) is unique
    "LEFT JOIN nominees pn ON pn.id = p.nominee_id "
    "WHERE ce.guild_id = ?1 AND ce.is_current = 1"
)


async def choice_by_ids(
    reader: Reader, guild_id: int, category_id: int, nominee_id: int, member: tuple[int, str] | None = None
) -> Choice:
    """The current ceremony, its category `category_id`, that category's nominee `nominee_id` and
    whether its result is logged, in one statement: what :func:`require_current`,
    :func:`resolve_category` and :func:`resolve_nominee` find for ids, and the results' row,
    for a pick inside the writer's transaction (where every statement is the writer's time).
    With `member` (their id and display name as stored), also their pick in the category and
    whether the members table already holds them so."""
    user_id, stored_name = member if member is not None else (None, None)
    row = await reader.fetch_one(_CHOICE, (guild_id, category_id, nominee_id, user_id, stored_name))
    if row is None:
        return Choice(None, None, None, False)
    category = None if row["c_id"] is None else _category(row, "c_")
    nominee = None if row["n_id"] is None else _nominee(row, "n_")
    previous = None if row["previous_id"] is None else (row["previous_id"], row["previous_label"])
    return Choice(_ceremony(row), category, nominee, bool(row["logged"]) if category is not None else False,
                  previous, bool(row["member_current"]))


async def resolve_category(reader: Reader, ceremony: Ceremony, text: str) -> Category:
    """The category an option names: its id (an autocomplete value) or its exact name, any case."""
    wanted = " ".join(text.split())
    if not wanted:
        raise InvalidInput("Choose a category from the suggestions.", reason="no_category_given")
    wanted_id = row_id(wanted)
    if wanted_id is not None:
        row = await reader.fetch_one(
            f"SELECT {_CATEGORY_COLUMNS} FROM categories "  # noqa: S608
            "WHERE id = ? AND guild_id = ? AND ceremony_id = ?",
            (wanted_id, ceremony.guild_id, ceremony.id),
        )
        if row is not None:
            return _category(row)
    # The name as typed, ASCII case aside: one lookup in the (ceremony_id, name COLLATE NOCASE) index.
    # Only a name that differs from the category's in the case of another script reads them all.
    row = await reader.fetch_one(
        f"SELECT {_CATEGORY_COLUMNS} FROM categories "  # noqa: S608
        "WHERE ceremony_id = ? AND name = ? COLLATE NOCASE",
        (ceremony.id, wanted),
    )
    if row is not None:
        return _category(row)
    folded = wanted.casefold()
    for category in await categories_of(reader, ceremony.id):
        if category.name.casefold() == folded:
            return category
    raise NotFound(
        f"{safe(ceremony.title, 100)} has no category called “{safe(wanted, 100)}”: "
        "choose one from the suggestions.",
        reason="unknown_category", category=wanted,
    )


async def resolve_nominee(reader: Reader, ceremony: Ceremony, category: Category, text: str) -> Nominee:
    """The nomination an option names inside `category`: its id, its label, or an unambiguous name."""
    wanted = " ".join(text.split())
    if not wanted:
        raise InvalidInput("Choose a nominee from the suggestions.", reason="no_nominee_given")
    wanted_id = row_id(wanted)
    if wanted_id is not None:
        row = await reader.fetch_one(
            "SELECT n.id, n.category_id, n.name, n.show, n.episode, n.label, n.position FROM nominees n "
            "JOIN categories c ON c.id = n.category_id "
            "WHERE n.id = ? AND n.guild_id = ? AND c.ceremony_id = ?",
            (wanted_id, ceremony.guild_id, ceremony.id),
        )
        if row is not None:
            nominee = _nominee(row)
            if nominee.category_id != category.id:
                raise InvalidInput(
                    f"{safe(nominee.short_label, 100)} isn't nominated in {safe(category.name, 100)}: "
                    "choose the category first, then one of its nominees.",
                    reason="nominee_in_another_category", nominee=nominee.label, category=category.name,
                )
            return nominee
    folded = wanted.casefold()
    nominees = await nominees_of(reader, category.id)
    for nominee in nominees:
        if nominee.label.casefold() == folded or nominee.short_label.casefold() == folded:
            return nominee
    named = [nominee for nominee in nominees if nominee.name.casefold() == folded]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        options = "; ".join(safe(nominee.short_label, 80) for nominee in named)
        raise InvalidInput(
            f"“{safe(wanted, 80)}” stands {len(named)} times in {safe(category.name, 100)} ({options}): "
            "choose one from the suggestions.",
            reason="ambiguous_nominee", nominee=wanted, category=category.name, count=len(named),
        )
    raise NotFound(
        f"“{safe(wanted, 100)}” isn't nominated in {safe(category.name, 100)}: choose one from the suggestions.",
        reason="unknown_nominee", nominee=wanted, category=category.name,
    )


# ---- the service --------------------------------------------------------------------------


class CeremonyService:
    """Creating, importing, starting and ending ceremonies; each change is one unit with an audit entry."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def current(self, guild_id: int) -> Ceremony | None:
        return await current_ceremony(self._db, guild_id)

    async def draft(self, guild_id: int, *, doing: str) -> Ceremony:
        """The current ceremony, refused unless it's a draft (checked again when the change is made)."""
        ceremony = await require_current(self._db, guild_id)
        require_state(ceremony, "draft", doing=doing)
        return ceremony

    async def live_guild_ids(self) -> list[int]:
        """Every server whose current ceremony is live (for work done only while a show is on)."""
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM ceremonies WHERE state = 'live' AND is_current = 1 ORDER BY guild_id"
        )
        return [int(row["guild_id"]) for row in rows]

    async def create(self, guild_id: int, *, actor_id: int, name: str, year: int) -> Ceremony:
        """A new draft with no nominees yet, now the server's current ceremony."""
        return (await self.create_from(guild_id, actor_id=actor_id, name=name, year=year)).ceremony

    async def create_from(
        self, guild_id: int, *, actor_id: int, name: str, year: int,
        nominees: ParsedCeremony | None = None, source: str = "",
    ) -> ImportSummary:
        """A new draft, now the server's current ceremony, filled with `nominees` (a preset) in the same unit."""
        cleaned = _ceremony_name(name)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidInput(f"The year must be between {MIN_YEAR} and {MAX_YEAR}.", reason="year_out_of_range",
                               year=year, minimum=MIN_YEAR, maximum=MAX_YEAR)

        async def create_unit(tx: Transaction) -> ImportSummary:
            now = self._clock()
            previous = await current_ceremony(tx, guild_id)
            if previous is not None and previous.state == "live":
                raise WrongState(
                    f"{safe(previous.title, 100)} is live: end it with `/ceremony end` before creating another.",
                    reason="ceremony_live", ceremony=previous.name,
                )
            if previous is not None:
                await tx.execute("UPDATE ceremonies SET is_current = 0 WHERE id = ?", (previous.id,))
            ceremony_id = await tx.insert(
                "INSERT INTO ceremonies (guild_id, name, year, state, is_current, created_by, created_at) "
                "VALUES (?, ?, ?, 'draft', 1, ?, ?)",
                (guild_id, cleaned, year, actor_id, to_storage(now)),
            )
            detail = f"#{ceremony_id} {cleaned} ({year})"
            if nominees is not None:
                detail += (f" from {cut(source, 100)}: {len(nominees.categories)} categories, "
                           f"{nominees.nominee_count} nominations")
            await audit.record(tx, guild_id, actor_id, "ceremony.create", detail, now)
            created = await current_ceremony(tx, guild_id)
            assert created is not None
            if nominees is None:
                return ImportSummary(created, 0, 0, 0, 0, source)
            await _fill(tx, guild_id, created.id, nominees)
            return ImportSummary(created, len(nominees.categories), nominees.nominee_count, 0, 0, source)

        return await self._db.write(create_unit)

    async def import_nominees(
        self, guild_id: int, *, actor_id: int, parsed: ParsedCeremony, filename: str
    ) -> ImportSummary:
        """Replace the current draft's categories and nominees with `parsed`, all or nothing."""

        async def import_unit(tx: Transaction) -> ImportSummary:
            return await _replace_nominees(tx, guild_id, actor_id, parsed, cut(filename, 100), self._clock())

        return await self._db.write(import_unit)

    async def preview_paste(self, guild_id: int, parsed: ParsedCeremony) -> previews.Preview:
        """Keep a parsed paste until the host confirms it (the Confirm button carries its id)."""

        async def preview_unit(tx: Transaction) -> previews.Preview:
            ceremony = await require_current(tx, guild_id)
            require_state(ceremony, "draft", doing="paste the nominees")
            return await previews.save(tx, guild_id, ceremony.id, parsed, self._clock())

        return await self._db.write(preview_unit)

    async def import_preview(self, guild_id: int, *, actor_id: int, preview_id: int) -> ImportSummary:
        """Import exactly the preview the host confirmed, once, into the ceremony it was made for."""

        async def confirm_unit(tx: Transaction) -> ImportSummary:
            now = self._clock()
            preview = await previews.take(tx, guild_id, preview_id, now)
            ceremony = await require_current(tx, guild_id)
            if ceremony.id != preview.ceremony_id:
                raise Conflict(
                    "That preview was made for another ceremony: nothing was changed. Paste the list again.",
                    reason="stale_preview", preview_id=preview_id,
                )
            return await _replace_nominees(tx, guild_id, actor_id, preview.parsed, "a pasted list", now)

        return await self._db.write(confirm_unit)

    async def discard_preview(self, guild_id: int, preview_id: int) -> None:
        async def discard_unit(tx: Transaction) -> None:
            await previews.discard(tx, guild_id, preview_id)

        await self._db.write(discard_unit)

    async def start(self, guild_id: int, *, actor_id: int, channel_id: int | None) -> Ceremony:
        """draft → live, with the opening announcement."""

        async def start_unit(tx: Transaction) -> Ceremony:
            now = self._clock()
            ceremony = await require_current(tx, guild_id)
            require_state(ceremony, "draft", doing="start the ceremony")
            categories = await _count(tx, "SELECT COUNT(*) FROM categories WHERE ceremony_id = ?", ceremony.id)
            if categories == 0:
                raise WrongState("Import the nominees with `/ceremony import` before starting the ceremony.",
                                 reason="no_nominees")
            nominees = await _count(
                tx, "SELECT COUNT(*) FROM nominees n JOIN categories c ON c.id = n.category_id "
                "WHERE c.ceremony_id = ?", ceremony.id,
            )
            changed = await tx.execute(
                "UPDATE ceremonies SET state = 'live', started_at = ?, start_channel_id = ? "
                "WHERE id = ? AND state = 'draft'",
                (to_storage(now), channel_id, ceremony.id),
            )
            if changed != 1:
                raise Conflict("The ceremony was started a moment ago.", reason="already_started")
            embed = Embed(
                title=f"🎬 {safe(ceremony.title, 200)} is live",
                description=(
                    f"{categories} categories, {nominees} nominations. Make your picks with `/pick` "
                    "(each locks when its result is read out), claim the nominee you are with "
                    "`/nominee claim`, and see who's in the lounge with `/loser roster`."
                ),
                colour=Colour.GOLD,
            )
            await outbox.announce(tx, guild_id, "ceremony.start", message(embeds=[embed]), now)
            await audit.record(tx, guild_id, actor_id, "ceremony.start", f"#{ceremony.id} {ceremony.name}", now)
            started = await current_ceremony(tx, guild_id)
            assert started is not None
            return started

        return await self._db.write(start_unit)

    async def end(self, guild_id: int, *, actor_id: int, ceremony_id: int) -> CeremonyStatus:
        """live → ended, with the closing announcement (kind ``ceremony.end``) and its summary.

        `ceremony_id` is the ceremony the host confirmed: a stale button for an
        older ceremony changes nothing.
        """

        async def end_unit(tx: Transaction) -> CeremonyStatus:
            now = self._clock()
            ceremony = await require_current(tx, guild_id)
            if ceremony.id != ceremony_id:
                raise Conflict("That button belongs to an older ceremony: nothing was changed.",
                               reason="stale_button", ceremony_id=ceremony_id)
            require_state(ceremony, "live", doing="end the ceremony")
            await tx.execute(
                "UPDATE ceremonies SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'live'",
                (to_storage(now), ceremony.id),
            )
            status = await ceremony_status(tx, guild_id)
            await outbox.announce(tx, guild_id, "ceremony.end", message(embeds=[end_embed(status)]), now)
            await audit.record(tx, guild_id, actor_id, "ceremony.end", f"#{ceremony.id} {ceremony.name}", now)
            return status

        return await self._db.write(end_unit)

    async def status(self, guild_id: int) -> CeremonyStatus:
        return await ceremony_status(self._db, guild_id)


async def _replace_nominees(
    tx: Transaction, guild_id: int, actor_id: int, parsed: ParsedCeremony, source: str, now: datetime
) -> ImportSummary:
    """The current draft's list becomes `parsed` (the picks and claims on the old one go with it)."""
    ceremony = await require_current(tx, guild_id)
    require_state(ceremony, "draft", doing="import nominees")
    dropped_picks = await _count(tx, "SELECT COUNT(*) FROM picks WHERE ceremony_id = ?", ceremony.id)
    dropped_claims = await _count(tx, "SELECT COUNT(*) FROM claims WHERE ceremony_id = ?", ceremony.id)
    # Cascades to nominees, picks and claims; a declared loss only loses its link to the category.
    await tx.execute("DELETE FROM categories WHERE ceremony_id = ?", (ceremony.id,))
    await _fill(tx, guild_id, ceremony.id, parsed)
    await audit.record(
        tx, guild_id, actor_id, "ceremony.import",
        f"#{ceremony.id}: {len(parsed.categories)} categories, {parsed.nominee_count} nominations "
        f"from {source} (dropped {dropped_picks} picks, {dropped_claims} claims)",
        now,
    )
    return ImportSummary(
        ceremony, len(parsed.categories), parsed.nominee_count, dropped_picks, dropped_claims, source
    )


async def _fill(tx: Transaction, guild_id: int, ceremony_id: int, parsed: ParsedCeremony) -> None:
    for position, category in enumerate(parsed.categories):
        category_id = await tx.insert(
            "INSERT INTO categories (guild_id, ceremony_id, name, position, telecast) VALUES (?, ?, ?, ?, ?)",
            (guild_id, ceremony_id, category.name, position, int(category.telecast)),
        )
        await tx.execute_many(
            "INSERT INTO nominees (guild_id, category_id, name, show, episode, label, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (guild_id, category_id, nominee.name, nominee.show, nominee.episode, nominee.label, index)
                for index, nominee in enumerate(category.nominees)
            ],
        )


async def ceremony_status(reader: Reader, guild_id: int) -> CeremonyStatus:
    ceremony = await require_current(reader, guild_id)
    categories = await categories_of(reader, ceremony.id)
    winner_rows = await reader.fetch_all(
        "SELECT n.category_id, n.label FROM results r JOIN result_winners w ON w.result_id = r.id "
        "JOIN nominees n ON n.id = w.nominee_id WHERE r.guild_id = ? AND r.ceremony_id = ? "
        "ORDER BY n.category_id, n.position",
        (guild_id, ceremony.id),
    )
    winners: dict[int, list[str]] = {}
    for row in winner_rows:
        winners.setdefault(row["category_id"], []).append(row["label"])
    counts = await reader.fetch_one(
        "SELECT (SELECT COUNT(*) FROM nominees n JOIN categories c ON c.id = n.category_id "
        "        WHERE c.ceremony_id = :c) AS nominees, "
        "(SELECT COUNT(*) FROM picks WHERE guild_id = :g AND ceremony_id = :c) AS picks, "
        "(SELECT COUNT(DISTINCT user_id) FROM picks WHERE guild_id = :g AND ceremony_id = :c) AS pickers, "
        "(SELECT COUNT(*) FROM claims WHERE guild_id = :g AND ceremony_id = :c) AS claims, "
        "(SELECT COUNT(*) FROM loss_totals WHERE guild_id = :g AND scope = :c) AS members, "
        "(SELECT COUNT(*) FROM lounge_guests WHERE guild_id = :g AND ceremony_id = :c) AS guests",
        {"g": guild_id, "c": ceremony.id},
    )
    assert counts is not None
    return CeremonyStatus(
        ceremony=ceremony,
        categories=tuple(CategoryProgress(category, tuple(winners.get(category.id, ()))) for category in categories),
        nominees=counts["nominees"], picks=counts["picks"], pickers=counts["pickers"], claims=counts["claims"],
        members_in_lounge=counts["members"], guests=counts["guests"],
    )


def end_embed(status: CeremonyStatus) -> Embed:
    logged, total = len(status.logged), len(status.categories)
    embed = Embed(
        title=f"🌙 {safe(status.ceremony.title, 200)} has ended",
        description=(
            f"{logged} of {total} results were logged. {status.members_in_lounge:,} members and "
            f"{status.guests:,} nominees ended the night in the lounge; {status.pickers:,} members made "
            f"{status.picks:,} picks. The recap follows."
        ),
        colour=Colour.GOLD,
    )
    if status.remaining:
        names = ", ".join(safe(entry.category.name, 80) for entry in status.remaining[:10])
        more = len(status.remaining) - 10
        embed.add_field("Not logged", names + (f" and {more} more" if more > 0 else ""))
    return embed


def _ceremony_name(name: str) -> str:
    if any(unicodedata.category(character) == "Cc" for character in name):
        raise InvalidInput("The ceremony name can't contain control characters.", reason="control_character")
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_CEREMONY_NAME:
        raise InvalidInput(f"The ceremony name must be 1 to {MAX_CEREMONY_NAME} characters.",
                           reason="name_length", length=len(cleaned), limit=MAX_CEREMONY_NAME)
    return cleaned


async def _count(tx: Reader, sql: str, *params: object) -> int:
    row = await tx.fetch_one(sql, params)
    return 0 if row is None else int(row[0])
