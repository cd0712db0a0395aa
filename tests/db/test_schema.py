"""`bot/db/schema.sql` is exactly what the migrations add up to: a migration committed without
`python -m bot.db.schema` fails here."""

from __future__ import annotations

import difflib
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database
from bot.db.schema import SCHEMA_FILE, describe, main, migrated_schema


def test_schema_sql_is_the_schema_of_a_freshly_migrated_database(db: Database) -> None:
    connection = sqlite3.connect(db.path)
    try:
        migrated = describe(connection)  # migrated by the bot's own `apply_migrations` (the `db` fixture)
    finally:
        connection.close()
    written = SCHEMA_FILE.read_text(encoding="utf-8")
    difference = "".join(difflib.unified_diff(
        written.splitlines(keepends=True), migrated.splitlines(keepends=True), "bot/db/schema.sql", "migrated",
    ))
    assert written == migrated, f"run `python -m bot.db.schema` to regenerate it:\n{difference}"
    assert migrated_schema() == migrated


def test_check_says_when_the_file_is_out_of_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "schema.sql"
    stale.write_text("-- an old schema\n", encoding="utf-8")
    monkeypatch.setattr("bot.db.schema.SCHEMA_FILE", stale)
    assert main(["--check"]) == 1
    assert "out of date: run `python -m bot.db.schema`" in capsys.readouterr().err
    assert main([]) == 0
    assert main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == migrated_schema()
