"""The schema is created from empty, re-applying is a no-op, a newer file is refused."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.db import Database, DatabaseTooNew, apply_migrations, latest_version


async def user_version(db: Database) -> int:
    return int(await db.fetch_value("PRAGMA user_version"))


async def test_migrations_from_empty_then_again_is_a_no_op(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "lounge.db")
    try:
        applied = await apply_migrations(db.connection)
        assert len(applied) == latest_version() >= 2
        assert await user_version(db) == latest_version()
        assert await apply_migrations(db.connection) == []
        tables = {row[0] for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"guild_settings", "outbox", "ceremonies", "nominees"} <= tables
    finally:
        await db.close()


async def test_pragmas_are_set(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "lounge.db")
    try:
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA synchronous") == 2  # FULL
        # The writer (and the reader thread) wait for another process's lock; the event loop's reads never do.
        (writer_timeout,) = next(iter(await db.connection.execute_fetchall("PRAGMA busy_timeout")))
        assert writer_timeout > 0
        assert await db.fetch_value("PRAGMA busy_timeout") == 0
    finally:
        await db.close()


async def test_every_server_table_carries_guild_id(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "lounge.db")
    try:
        await apply_migrations(db.connection)
        tables = [row[0] for row in await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        process_tables = {"bot_state"}
        for table in tables:
            columns = {row[1] for row in await db.fetch_all(f"PRAGMA table_info({table})")}
            if table not in process_tables:
                assert "guild_id" in columns, f"{table} has no guild_id"
    finally:
        await db.close()


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lounge.db"
    async with aiosqlite.connect(path) as conn:
        await conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
        await conn.commit()
    db = await Database.open(path)
    try:
        with pytest.raises(DatabaseTooNew, match="update the bot"):
            await apply_migrations(db.connection)
    finally:
        await db.close()


async def test_a_failing_migration_leaves_the_database_untouched(tmp_path: Path) -> None:
    path = tmp_path / "lounge.db"
    async with aiosqlite.connect(path) as conn:
        # A table the first migration will try to create: the migration fails midway.
        await conn.execute("CREATE TABLE audit_log (x INTEGER)")
        await conn.commit()
    db = await Database.open(path)
    try:
        with pytest.raises(Exception, match="already exists"):
            await apply_migrations(db.connection)
        assert await user_version(db) == 0
        tables = {row[0] for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "guild_settings" not in tables
    finally:
        await db.close()
