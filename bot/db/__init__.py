"""SQLite storage: one connection per process, numbered migrations, a group-committing writer."""

from bot.db.database import Database, Row, Transaction, remembered_by
from bot.db.migrations import DatabaseTooNew, apply_migrations, latest_version

__all__ = ["Database", "DatabaseTooNew", "Row", "Transaction", "apply_migrations", "latest_version", "remembered_by"]
