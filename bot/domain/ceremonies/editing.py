"""Correcting the current ceremony's list, draft or live (hosts): rename a category or a
nominee, add a nominee or a category, remove a nominee, change the running order.

Rules:

* Renames work at any point of the night, also after a result: picks, claims,
  losses and winners point at the nominee's id, so cards, boards, `/ceremony
  status` and the recap show the new name at once. Announcements already posted
  keep the name they were posted with.
* Adding or removing a nominee needs a category without a result. Removing one
  that members picked or claimed drops those picks and claims (their members can
  pick again) and recounts the members' tallies; the host confirms first
  (:meth:`CeremonyEditor.removal` counts who it affects). Nothing else changes.
* A new category goes last in the running order (``categories.position``, which
  `/ceremony status` follows); `move-category` puts one at a 1-based position.
* The limits of a nominee file hold after every edit (bot/domain/ceremonies/files.py):
  names of at most 200 characters, at most 200 categories and 20 nominees in
  each, no category twice, no nominee twice in a category (same name, show and
  episode, ignoring case). Labels are recomputed per category after each change,
  the way the importer labels twins.

Each edit is one unit that re-reads what it checks, with an audit entry; a
refused edit changes nothing and says why (``reason`` and facts).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.db import Database, Transaction
from bot.domain.audit import log as audit
from bot.domain.ceremonies.files import (
    MAX_CATEGORIES,
    MAX_NOMINEES_PER_CATEGORY,
    assign_labels,
    clean_name,
    clean_optional,
)
from bot.domain.ceremonies.service import (
    Category,
    Ceremony,
    Nominee,
    Reader,
    categories_of,
    nominees_of,
    require_current,
    require_state,
    resolve_category,
    resolve_nominee,
)
from bot.domain.errors import Conflict, InvalidInput, NotFound, WrongState
from bot.domain.results import tallies
from bot.text import safe

NO_SHOW = "-"
"""The `show` a host gives to say "this nominee has no show"."""
EDITABLE = ("draft", "live")
_NEW_LABEL = "\x01"  # a just-added nominee's label until it is relabelled (never a real label)


@dataclass(frozen=True, slots=True)
class CategoryEdit:
    category: Category
    before: str | None  # the old name (rename)
    categories: int  # how many the ceremony has now


@dataclass(frozen=True, slots=True)
class NomineeEdit:
    category: Category
    nominee: Nominee
    before: str | None  # the old label (rename)


@dataclass(frozen=True, slots=True)
class Removal:
    category: Category
    nominee: Nominee
    picks: int
    claims: int
    members: int  # distinct members with a pick or claim on it

    @property
    def affects_anyone(self) -> bool:
        return self.members > 0


class CeremonyEditor:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ---- categories -----------------------------------------------------------------------

    async def rename_category(self, guild_id: int, *, actor_id: int, category: str, new_name: str) -> CategoryEdit:
        name = clean_name(new_name, "The new name", field="new_name")

        async def rename_unit(tx: Transaction) -> CategoryEdit:
            ceremony = await _editable(tx, guild_id, "rename a category")
            found = await resolve_category(tx, ceremony, category)
            categories = await categories_of(tx, ceremony.id)
            _refuse_taken_category(name, categories, but=found.id)
            await tx.execute("UPDATE categories SET name = ? WHERE id = ?", (name, found.id))
            await self._audit(tx, guild_id, actor_id, "ceremony.rename_category",
                              f"#{found.id} {found.name} → {name}")
            renamed = Category(found.id, found.ceremony_id, name, found.position, found.telecast)
            return CategoryEdit(renamed, found.name, len(categories))

        return await self._db.write(rename_unit)

    async def add_category(self, guild_id: int, *, actor_id: int, name: str, telecast: bool) -> CategoryEdit:
        cleaned = clean_name(name, "The category name", field="name")

        async def add_unit(tx: Transaction) -> CategoryEdit:
            ceremony = await _editable(tx, guild_id, "add a category")
            categories = await categories_of(tx, ceremony.id)
            if len(categories) >= MAX_CATEGORIES:
                raise InvalidInput(
                    f"{safe(ceremony.title, 100)} has {len(categories)} categories, the most a ceremony may.",
                    reason="too_many_categories", count=len(categories), limit=MAX_CATEGORIES,
                )
            _refuse_taken_category(cleaned, categories, but=None)
            position = max((c.position for c in categories), default=-1) + 1
            category_id = await tx.insert(
                "INSERT INTO categories (guild_id, ceremony_id, name, position, telecast) VALUES (?, ?, ?, ?, ?)",
                (guild_id, ceremony.id, cleaned, position, int(telecast)),
            )
            await self._audit(tx, guild_id, actor_id, "ceremony.add_category",
                              f"#{category_id} {cleaned}" + (" (telecast)" if telecast else ""))
            added = Category(category_id, ceremony.id, cleaned, position, telecast)
            return CategoryEdit(added, None, len(categories) + 1)

        return await self._db.write(add_unit)

    async def move_category(self, guild_id: int, *, actor_id: int, category: str, position: int) -> CategoryEdit:
        """Put the category at `position` (1 = first) of the running order; the others keep their order."""

        async def move_unit(tx: Transaction) -> CategoryEdit:
            ceremony = await _editable(tx, guild_id, "change the running order")
            found = await resolve_category(tx, ceremony, category)
            categories = await categories_of(tx, ceremony.id)
            if not 1 <= position <= len(categories):
                raise InvalidInput(
                    f"The position must be 1 to {len(categories)}: {safe(ceremony.title, 100)} has "
                    f"{len(categories)} categories.",
                    reason="position_out_of_range", position=position, count=len(categories),
                )
            order = [c for c in categories if c.id != found.id]
            order.insert(position - 1, found)
            await tx.execute_many(
                "UPDATE categories SET position = ? WHERE id = ?",
                [(index, c.id) for index, c in enumerate(order) if c.position != index],
            )
            await self._audit(tx, guild_id, actor_id, "ceremony.move_category",
                              f"#{found.id} {found.name}: to position {position} of {len(order)}")
            moved = Category(found.id, found.ceremony_id, found.name, position - 1, found.telecast)
            return CategoryEdit(moved, None, len(order))

        return await self._db.write(move_unit)

    # ---- nominees -------------------------------------------------------------------------

    async def rename_nominee(
        self, guild_id: int, *, actor_id: int, category: str, nominee: str, new_name: str, show: str | None
    ) -> NomineeEdit:
        """A new name (and, given, a new show; :data:`NO_SHOW` for none). A programme named after its
        show keeps the two together when the show isn't given."""
        name = clean_name(new_name, "The new name", field="new_name")
        new_show = None if show is None or show.strip() == NO_SHOW else clean_optional(show, "The show", field="show")

        async def rename_unit(tx: Transaction) -> NomineeEdit:
            ceremony = await _editable(tx, guild_id, "rename a nominee")
            found = await resolve_category(tx, ceremony, category)
            chosen = await resolve_nominee(tx, ceremony, found, nominee)
            if show is not None:
                final_show = new_show
            elif chosen.show is not None and chosen.show.casefold() == chosen.name.casefold():
                final_show = name
            else:
                final_show = chosen.show
            others = [n for n in await nominees_of(tx, found.id) if n.id != chosen.id]
            _refuse_taken_nominee(name, final_show, chosen.episode, others, found)
            await tx.execute("UPDATE nominees SET name = ?, show = ? WHERE id = ?", (name, final_show, chosen.id))
            renamed = _one(await _relabel(tx, found.id), chosen.id)
            await self._audit(tx, guild_id, actor_id, "ceremony.rename_nominee",
                              f"#{chosen.id} in {found.name}: {chosen.label} → {renamed.label}")
            return NomineeEdit(found, renamed, chosen.label)

        return await self._db.write(rename_unit)

    async def add_nominee(
        self, guild_id: int, *, actor_id: int, category: str, name: str, show: str | None
    ) -> NomineeEdit:
        cleaned = clean_name(name, "The nominee's name", field="name")
        cleaned_show = None if show is None or show.strip() == NO_SHOW else clean_optional(show, "The show",
                                                                                           field="show")

        async def add_unit(tx: Transaction) -> NomineeEdit:
            ceremony = await _editable(tx, guild_id, "add a nominee")
            found = await resolve_category(tx, ceremony, category)
            await _refuse_logged(tx, found, "add a nominee")
            nominees = await nominees_of(tx, found.id)
            if len(nominees) >= MAX_NOMINEES_PER_CATEGORY:
                raise InvalidInput(
                    f"{safe(found.name, 100)} has {len(nominees)} nominees, the most a category may.",
                    reason="too_many_nominees", category=found.name, count=len(nominees),
                    limit=MAX_NOMINEES_PER_CATEGORY,
                )
            _refuse_taken_nominee(cleaned, cleaned_show, None, nominees, found)
            position = max((n.position for n in nominees), default=-1) + 1
            nominee_id = await tx.insert(
                "INSERT INTO nominees (guild_id, category_id, name, show, episode, label, position) "
                "VALUES (?, ?, ?, ?, NULL, ?, ?)",
                (guild_id, found.id, cleaned, cleaned_show, _NEW_LABEL, position),
            )
            added = _one(await _relabel(tx, found.id), nominee_id)
            await self._audit(tx, guild_id, actor_id, "ceremony.add_nominee",
                              f"#{nominee_id} in {found.name}: {added.label}")
            return NomineeEdit(found, added, None)

        return await self._db.write(add_unit)

    async def removal(self, guild_id: int, category: str, nominee: str) -> Removal:
        """What removing the nominee would drop (read only: the host confirms before anything changes)."""
        ceremony = await _editable(self._db, guild_id, "remove a nominee")
        found = await resolve_category(self._db, ceremony, category)
        await _refuse_logged(self._db, found, "remove a nominee")
        chosen = await resolve_nominee(self._db, ceremony, found, nominee)
        return await _removal(self._db, found, chosen)

    async def remove_nominee(
        self, guild_id: int, *, actor_id: int, category_id: int, nominee_id: int, confirmed: bool
    ) -> Removal:
        """Remove the nominee and every pick and claim on it. Unless `confirmed`, only while nobody
        has picked or claimed it (someone may have, since the host was asked)."""

        async def remove_unit(tx: Transaction) -> Removal:
            ceremony = await _editable(tx, guild_id, "remove a nominee")
            found, chosen = await _nominee_by_ids(tx, ceremony, category_id, nominee_id)
            await _refuse_logged(tx, found, "remove a nominee")
            removal = await _removal(tx, found, chosen)
            if removal.affects_anyone and not confirmed:
                raise Conflict(
                    f"{safe(chosen.short_label, 100)} was picked or claimed a moment ago: run "
                    "`/ceremony remove-nominee` again to see who it affects and confirm.",
                    reason="picked_meanwhile", nominee=chosen.label, members=removal.members,
                )
            pickers = await tx.fetch_all("DELETE FROM picks WHERE nominee_id = ? RETURNING user_id", (chosen.id,))
            claimers = await tx.fetch_all("DELETE FROM claims WHERE nominee_id = ? RETURNING user_id", (chosen.id,))
            await tx.execute("DELETE FROM nominees WHERE id = ?", (chosen.id,))
            await tx.execute_many(
                "UPDATE nominees SET position = ? WHERE id = ?",
                [(index, n.id) for index, n in enumerate(await nominees_of(tx, found.id)) if n.position != index],
            )
            await _relabel(tx, found.id)
            members = {int(row["user_id"]) for row in pickers} | {int(row["user_id"]) for row in claimers}
            await tallies.refresh_pick_stats(tx, guild_id, ceremony.id, members)
            await tallies.refresh_loss_totals(tx, guild_id, ceremony.id, members)
            await self._audit(
                tx, guild_id, actor_id, "ceremony.remove_nominee",
                f"#{chosen.id} {chosen.label} from {found.name} (dropped {len(pickers)} picks, "
                f"{len(claimers)} claims of {len(members)} members)",
            )
            return Removal(found, chosen, len(pickers), len(claimers), len(members))

        return await self._db.write(remove_unit)

    async def _audit(self, tx: Transaction, guild_id: int, actor_id: int, action: str, detail: str) -> None:
        await audit.record(tx, guild_id, actor_id, action, detail, self._clock())


# ---- shared checks ---------------------------------------------------------------------------


async def _editable(reader: Reader, guild_id: int, doing: str) -> Ceremony:
    ceremony = await require_current(reader, guild_id)
    require_state(ceremony, *EDITABLE, doing=doing)
    return ceremony


async def _refuse_logged(reader: Reader, category: Category, doing: str) -> None:
    if await reader.fetch_one("SELECT 1 FROM results WHERE category_id = ?", (category.id,)) is not None:
        raise WrongState(
            f"The result of {safe(category.name, 100)} is logged: you can {doing} only while a category has "
            "no result (`/result undo` takes it back).",
            reason="category_logged", category=category.name,
        )


async def _nominee_by_ids(
    reader: Reader, ceremony: Ceremony, category_id: int, nominee_id: int
) -> tuple[Category, Nominee]:
    """The category and nominee a button names, only inside this server's current ceremony."""
    category = next((c for c in await categories_of(reader, ceremony.id) if c.id == category_id), None)
    nominee = None if category is None else next(
        (n for n in await nominees_of(reader, category.id) if n.id == nominee_id), None
    )
    if category is None or nominee is None:
        raise NotFound(
            f"That nominee is no longer in {safe(ceremony.title, 100)}: nothing was changed.",
            reason="nominee_gone", category_id=category_id, nominee_id=nominee_id,
        )
    return category, nominee


async def _removal(reader: Reader, category: Category, nominee: Nominee) -> Removal:
    row = await reader.fetch_one(
        "SELECT (SELECT COUNT(*) FROM picks WHERE nominee_id = :n) AS picks, "
        "(SELECT COUNT(*) FROM claims WHERE nominee_id = :n) AS claims, "
        "(SELECT COUNT(*) FROM (SELECT user_id FROM picks WHERE nominee_id = :n "
        " UNION SELECT user_id FROM claims WHERE nominee_id = :n)) AS members",
        {"n": nominee.id},
    )
    assert row is not None
    return Removal(category, nominee, int(row["picks"]), int(row["claims"]), int(row["members"]))


def _refuse_taken_category(name: str, categories: list[Category], *, but: int | None) -> None:
    for other in categories:
        if other.id != but and other.name.casefold() == name.casefold():
            raise InvalidInput(
                f"There's already a category called {safe(other.name, 100)}: category names must be unique.",
                reason="duplicate_category", category=name,
            )


def _refuse_taken_nominee(
    name: str, show: str | None, episode: str | None, others: list[Nominee], category: Category
) -> None:
    key = (name.casefold(), (show or "").casefold(), (episode or "").casefold())
    for other in others:
        if (other.name.casefold(), (other.show or "").casefold(), (other.episode or "").casefold()) == key:
            raise InvalidInput(
                f"{safe(other.short_label, 100)} is already nominated in {safe(category.name, 100)}: "
                "a nominee stands once in a category.",
                reason="duplicate_nominee", category=category.name, nominee=other.label,
            )


async def _relabel(tx: Transaction, category_id: int) -> list[Nominee]:
    """Give the category's nominees the labels the importer would, and return them in order."""
    nominees = await nominees_of(tx, category_id)
    labels = assign_labels([(n.name, n.show, n.episode) for n in nominees])
    changed = [(n.id, label) for n, label in zip(nominees, labels, strict=True) if n.label != label]
    if changed:  # two steps, so no label collides with one about to move away (UNIQUE … NOCASE; no NUL,
        # which NOCASE stops comparing at)
        await tx.execute_many("UPDATE nominees SET label = ? WHERE id = ?", [(f"\x1f{i}", i) for i, _ in changed])
        await tx.execute_many("UPDATE nominees SET label = ? WHERE id = ?", [(label, i) for i, label in changed])
    return [
        Nominee(n.id, n.category_id, n.name, n.show, n.episode, label, n.position)
        for n, label in zip(nominees, labels, strict=True)
    ]


def _one(nominees: list[Nominee], nominee_id: int) -> Nominee:
    return next(n for n in nominees if n.id == nominee_id)
