"""What every interaction asks for (the current ceremony, the settings) is kept between commits,
and any commit — ours, another connection's, one landing mid-read — makes it read again. Kept
with the tables it reads, an answer outlives our commits that write none of their rows (the
night's pledges and picks), and any write to them — a trigger's too — or another process's
commit makes it read again."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

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


async def test_kept_with_its_tables_it_outlives_our_commits_that_write_other_tables(db: Database) -> None:
    settings = SettingsService(db, utc_now)
    await db.write(lambda tx: tx.execute(CREATE_CEREMONY))
    assert (await settings.get(7)).spoiler_safe is False
    ceremony = await current_ceremony(db, 7)
    hits = db.remembered_hits

    for n in range(3):  # the night's other writes: an audit note, a member
        await db.write(lambda tx, n=n: note(tx, f"pledge {n}"))
        await db.write(lambda tx, n=n: tx.execute(
            "INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (7, ?, 'Ann', 'now')",
            (100 + n,)))
        assert (await settings.get(7)).spoiler_safe is False
        assert await current_ceremony(db, 7) is ceremony

    assert db.remembered_hits == hits + 6


async def test_a_write_to_its_table_even_by_a_trigger_makes_it_read_again(db: Database) -> None:
    settings = SettingsService(db, utc_now)
    await db.write(lambda tx: tx.execute(CREATE_CEREMONY))
    before = await current_ceremony(db, 7)
    assert before is not None
    assert (await settings.get(7)).spoiler_safe is False

    await settings.update(7, {"spoiler_safe": True}, actor_id=1)
    assert (await settings.get(7)).spoiler_safe is True
    assert await current_ceremony(db, 7) is before  # the settings' write left the ceremony be

    await db.write(lambda tx: tx.execute(  # a category added: migration 0012's trigger bumps the ceremony's revision
        "INSERT INTO categories (guild_id, ceremony_id, name, position) VALUES (7, ?, 'Drama', 1)", (before.id,)))
    after = await current_ceremony(db, 7)
    assert after is not None
    assert after.revision == before.revision + 1

    await db.write(lambda tx: tx.execute("UPDATE ceremonies SET state = 'live' WHERE guild_id = 7"))
    live = await current_ceremony(db, 7)
    assert live is not None
    assert live.state == "live"


async def test_kept_with_its_tables_another_processs_commit_is_seen_at_once(db: Database) -> None:
    await db.write(lambda tx: tx.execute(CREATE_CEREMONY))
    assert await current_ceremony(db, 7) is not None
    other = sqlite3.connect(str(db.path), isolation_level=None)  # a host's sqlite shell
    try:
        other.execute("UPDATE ceremonies SET is_current = 0 WHERE guild_id = 7")
    finally:
        other.close()
    assert await current_ceremony(db, 7) is None

    other = sqlite3.connect(str(db.path), isolation_level=None)
    try:  # and right before a commit of ours that writes elsewhere
        other.execute("UPDATE ceremonies SET is_current = 1 WHERE guild_id = 7")
    finally:
        other.close()
    await db.write(lambda tx: note(tx, "ours, after theirs"))
    assert await current_ceremony(db, 7) is not None


async def test_a_table_is_tracked_one_way_only(db: Database) -> None:
    await db.track("picks", ("guild_id", "user_id", "ceremony_id"))
    with pytest.raises(ValueError, match="tracked by"):
        await db.track("picks", ())
    read = CountingRead()
    assert [await db.remembered("picked", read, tables=("picks",)) for _ in range(2)] == [1, 1]
    await db.write(lambda tx: tx.execute("DELETE FROM picks"))  # no row: nothing written, still kept
    assert await db.remembered("picked", read, tables=("picks",)) == 1
