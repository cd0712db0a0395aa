"""A member's own rows (their picks) are kept between their own changes: other members' commits
leave them be, a commit of ours that touches one of their rows (a cascade too) drops it, and a
commit by anyone else — another connection, another process — drops everything kept."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database, Transaction

TABLES = (
    "CREATE TABLE shelves (id INTEGER PRIMARY KEY)",
    "CREATE TABLE books (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, "
    "shelf INTEGER NOT NULL REFERENCES shelves (id) ON DELETE CASCADE, title TEXT NOT NULL)",
)


class Shelf:
    """Members' books, read through Database.tracked and counted."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.reads = 0

    async def setup(self) -> None:
        async def create(tx: Transaction) -> None:
            for sql in TABLES:
                await tx.execute(sql)
            await tx.execute("INSERT INTO shelves (id) VALUES (1), (2)")

        await self.db.write(create)
        await self.db.track("books", ("owner",))

    async def titles(self, owner: int) -> list[str]:
        async def read() -> list[str]:
            self.reads += 1
            rows = await self.db.fetch_all("SELECT title FROM books WHERE owner = ? ORDER BY id", (owner,))
            return [row[0] for row in rows]

        return await self.db.tracked("books", (owner,), read)

    async def add(self, owner: int, title: str, shelf: int = 1) -> None:
        await self.db.write(lambda tx: tx.execute(
            "INSERT INTO books (owner, shelf, title) VALUES (?, ?, ?)", (owner, shelf, title)))


async def test_a_members_rows_are_read_once_while_only_others_change_theirs(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    await shelf.add(1, "Ann's first")
    assert await shelf.titles(1) == ["Ann's first"]
    for n in range(5):
        await shelf.add(2, f"Bob's {n}")  # another member's commits
        assert await shelf.titles(1) == ["Ann's first"]
    assert shelf.reads == 1
    assert db.tracked_hits == 5


async def test_our_commit_that_touches_a_members_row_makes_it_read_again(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    await shelf.add(1, "Ann's first")
    assert await shelf.titles(1) == ["Ann's first"]

    await shelf.add(1, "Ann's second")
    assert await shelf.titles(1) == ["Ann's first", "Ann's second"]
    await db.write(lambda tx: tx.execute("UPDATE books SET title = 'renamed' WHERE title = ?", ("Ann's first",)))
    assert await shelf.titles(1) == ["renamed", "Ann's second"]
    await db.write(lambda tx: tx.execute("UPDATE books SET owner = 3 WHERE title = 'renamed'"))
    assert await shelf.titles(1) == ["Ann's second"]
    assert await shelf.titles(3) == ["renamed"]


async def test_a_cascade_from_another_table_counts_as_touching_the_rows(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    await shelf.add(1, "on shelf 2", shelf=2)
    assert await shelf.titles(1) == ["on shelf 2"]
    await db.write(lambda tx: tx.execute("DELETE FROM shelves WHERE id = 2"))
    assert await shelf.titles(1) == []


async def test_a_unit_rolled_back_changes_nothing_kept_wrongly(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    assert await shelf.titles(1) == []

    async def add_then_fail(tx: Transaction) -> None:
        await tx.execute("INSERT INTO books (owner, shelf, title) VALUES (1, 1, 'never')")
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await db.write(add_then_fail)
    assert await shelf.titles(1) == []


async def test_another_connections_commit_drops_everything_kept(db: Database, tmp_path: Path) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    await shelf.add(1, "Ann's first")
    assert await shelf.titles(1) == ["Ann's first"]

    other = sqlite3.connect(db.path, isolation_level=None)  # a host's sqlite shell
    try:
        other.execute("INSERT INTO books (owner, shelf, title) VALUES (1, 1, 'typed by hand')")
    finally:
        other.close()
    assert await shelf.titles(1) == ["Ann's first", "typed by hand"]

    other = sqlite3.connect(db.path, isolation_level=None)
    try:  # and another's commit right before one of ours
        other.execute("UPDATE books SET title = 'fixed by hand' WHERE title = 'typed by hand'")
    finally:
        other.close()
    await shelf.add(2, "Bob's")
    assert await shelf.titles(1) == ["Ann's first", "fixed by hand"]


async def test_nothing_is_kept_for_a_table_not_tracked_or_an_in_memory_database(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    reads = 0

    async def read() -> int:
        nonlocal reads
        reads += 1
        return reads

    assert [await db.tracked("shelves", (1,), read) for _ in range(2)] == [1, 2]
    memory = await Database.open(Path(":memory:"))
    try:
        await memory.track("books", ("owner",))
        assert [await memory.tracked("books", (1,), read) for _ in range(2)] == [3, 4]
    finally:
        await memory.close()


async def _add_and_keep(tx: Transaction, owner: int, title: str) -> None:
    """A unit that adds a book and says what the owner's titles are now (read after its write)."""
    await tx.execute("INSERT INTO books (owner, shelf, title) VALUES (?, 1, ?)", (owner, title))
    rows = await tx.fetch_all("SELECT title FROM books WHERE owner = ? ORDER BY id", (owner,))
    tx.keep("books", (owner,), [row[0] for row in rows])


async def test_what_a_unit_keeps_is_answered_after_its_commit_without_a_read(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    await db.write(lambda tx: _add_and_keep(tx, 1, "Ann's first"))
    assert await shelf.titles(1) == ["Ann's first"]
    assert shelf.reads == 0


async def test_a_later_unit_of_the_batch_touching_the_rows_makes_a_kept_answer_read_again(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()
    commits = db.commits
    await asyncio.gather(
        db.write(lambda tx: shelf_add(tx, 1, "before")),  # earlier in the batch: seen by the keeping unit
        db.write(lambda tx: _add_and_keep(tx, 1, "kept")),
        db.write(lambda tx: _add_and_keep(tx, 2, "Bob's")),
        db.write(lambda tx: shelf_add(tx, 1, "after")),  # later: what unit 2 kept is stale
    )
    assert db.commits - commits == 1
    assert await shelf.titles(2) == ["Bob's"]
    assert shelf.reads == 0  # Bob's answer was kept: nobody touched his rows after
    assert await shelf.titles(1) == ["before", "kept", "after"]
    assert shelf.reads == 1


async def test_a_failing_unit_keeps_nothing(db: Database) -> None:
    shelf = Shelf(db)
    await shelf.setup()

    async def keep_then_fail(tx: Transaction) -> None:
        tx.keep("books", (1,), ["never written"])
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await db.write(keep_then_fail)
    assert await shelf.titles(1) == []
    assert shelf.reads == 1


async def shelf_add(tx: Transaction, owner: int, title: str) -> None:
    await tx.execute("INSERT INTO books (owner, shelf, title) VALUES (?, 1, ?)", (owner, title))
