"""What every interaction asks for (the current ceremony, the settings) is kept between commits,
and any commit — ours, another connection's, one landing mid-read — makes it read again."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from bot.clock import utc_now
from bot.db import Database, Transaction, apply_migrations
from bot.domain.ceremonies.service import current_ceremony
from bot.domain.settings.service import SettingsService

CREATE_CEREMONY = (
    "INSERT INTO ceremonies (guild_id, name, year, state, is_current, created_by, created_at) "
    "VALUES (7, 'Emmys', 2014, 'draft', 1, 1, '2014-08-25T00:00:00.000000Z')"
)


class CountingRead:
    """A read whose answer is how many times it ran."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def note(tx: Transaction, detail: str) -> None:
    await tx.execute(
        "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) VALUES (1, 1, 'test', ?, 'now')",
        (detail,),
    )


async def test_a_repeated_request_is_answered_from_memory_until_our_next_commit(db: Database) -> None:
    read = CountingRead()
    assert [await db.remembered("answer", read) for _ in range(3)] == [1, 1, 1]

    await db.write(lambda tx: note(tx, "a commit"))

    assert await db.remembered("answer", read) == 2
    assert read.calls == 2


async def test_another_processs_commit_is_seen_at_once(db: Database) -> None:
    read = CountingRead()
    await db.remembered("answer", read)
    other = sqlite3.connect(str(db.path), isolation_level=None)  # a host's sqlite shell, a backup restore
    try:
        other.execute(
            "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) VALUES (1, 1, 'shell', '', 'now')")
    finally:
        other.close()

    assert await db.remembered("answer", read) == 2


async def test_a_commit_landing_while_reading_makes_the_next_request_read_again(db: Database) -> None:
    other = sqlite3.connect(str(db.path), isolation_level=None)

    async def read_while_someone_commits() -> str:
        other.execute(
            "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) VALUES (1, 1, 'mid', '', 'now')")
        return "read before the commit, as far as anyone knows"

    try:
        await db.remembered("answer", read_while_someone_commits)
        read = CountingRead()
        assert await db.remembered("answer", read) == 1  # read again, not the answer from before
    finally:
        other.close()


async def test_an_in_memory_database_keeps_nothing() -> None:
    memory = await Database.open(Path(":memory:"))
    try:
        read = CountingRead()
        assert [await memory.remembered("answer", read) for _ in range(2)] == [1, 2]
    finally:
        await memory.close()


async def test_the_settings_and_the_ceremony_change_with_the_commit_that_changes_them(db: Database) -> None:
    settings = SettingsService(db, utc_now)
    assert (await settings.get(7)).spoiler_safe is False
    assert await current_ceremony(db, 7) is None
    hits = db.remembered_hits
    assert (await settings.get(7)).spoiler_safe is False
    assert await current_ceremony(db, 7) is None
    assert db.remembered_hits == hits + 2

    await settings.update(7, {"spoiler_safe": True}, actor_id=1)
    await db.write(lambda tx: tx.execute(
        CREATE_CEREMONY))

    assert (await settings.get(7)).spoiler_safe is True
    ceremony = await current_ceremony(db, 7)
    assert ceremony is not None
    assert ceremony.name == "Emmys"


async def test_inside_a_unit_the_ceremony_is_read_from_the_transaction(db: Database) -> None:
    assert await current_ceremony(db, 7) is None  # kept: no ceremony

    async def create_then_look(tx: Transaction) -> str | None:
        await tx.execute(
            CREATE_CEREMONY)
        seen = await current_ceremony(tx, 7)  # the unit's own write, not the kept "none"
        return None if seen is None else seen.name

    assert await db.write(create_then_look) == "Emmys"


async def test_migrations_do_not_need_it(tmp_path: Path) -> None:
    fresh = await Database.open(tmp_path / "fresh.db")
    try:
        await apply_migrations(fresh.connection)
        read = CountingRead()
        assert await fresh.remembered("answer", read) == 1
        assert await fresh.remembered("answer", read) == 1
    finally:
        await fresh.close()


async def test_mapping_the_wal_index_leaves_sqlites_own_locks_held(db: Database) -> None:
    """Closing any descriptor of the -shm would drop the process's fcntl locks on it, SQLite's
    among them: another process could then truncate the file under the bot (SIGBUS)."""
    await db.remembered("answer", CountingRead())
    probe = (  # SQLite's "DMS" byte: every process using the WAL-index holds it shared
        "import fcntl, sys\n"
        "with open(sys.argv[1], 'r+b') as shm:\n"
        "    try:\n"
        "        fcntl.lockf(shm, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)\n"
        "    except OSError:\n"
        "        sys.exit(1)\n"
    )
    other = await asyncio.create_subprocess_exec(sys.executable, "-c", probe, f"{db.path}-shm")
    assert await other.wait() == 1, "another process could take the WAL-index for itself"
