"""Numbered SQL migrations recorded in ``PRAGMA user_version``.

Files are ``migrations/NNNN_name.sql``; each is applied in its own transaction
together with the new ``user_version``, so a failed migration leaves the
database exactly as it was and applying them twice is a no-op.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import aiosqlite

_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseTooNew(Exception):
    """The database was written by a newer version of the bot."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def script(self) -> str:
        """The migration as it is applied: one transaction that also records its version."""
        return f"BEGIN IMMEDIATE;\n{self.sql}\n;PRAGMA user_version = {self.version};\nCOMMIT;"


def load_migrations() -> list[Migration]:
    folder = resources.files("bot.db").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda migration: migration.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration numbering has a gap or duplicate at {migration.name}")
    return found


def latest_version() -> int:
    return len(load_migrations())


async def apply_migrations(conn: aiosqlite.Connection) -> list[str]:
    """Bring the schema up to date; return the names of the migrations applied."""
    migrations = load_migrations()
    current = await _user_version(conn)
    if current > len(migrations):
        raise DatabaseTooNew(
            f"The database is at schema version {current}, but this version of the bot knows only "
            f"up to {len(migrations)}: update the bot, or point DATABASE_PATH at another file."
        )
    applied: list[str] = []
    for migration in migrations[current:]:
        try:
            await conn.executescript(migration.script)
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        applied.append(migration.name)
    return applied


async def _user_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])
