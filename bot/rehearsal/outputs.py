"""Where a rehearsal leaves its files, and the error that stops one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RehearsalError(Exception):
    """The rehearsal can't go on (the bot didn't start, refused the ceremony…); one sentence."""


@dataclass(frozen=True, slots=True)
class Outputs:
    """The files a rehearsal leaves, side by side: database, event log, recap picture, bot log."""

    database: Path
    events: Path
    recap: Path
    bot_log: Path

    @classmethod
    def beside(cls, database: Path) -> Outputs:
        stem = database.name.removesuffix(".db") or database.name
        return cls(
            database=database,
            events=database.with_name(f"{stem}.events.jsonl"),
            recap=database.with_name(f"{stem}.recap.png"),
            bot_log=database.with_name(f"{stem}.bot.log"),
        )

    def prepare(self) -> None:
        """Make the folder; replace an earlier rehearsal's files, but never someone else's database."""
        if self.database.is_dir():
            raise RehearsalError(f"--database {str(self.database)!r} is a folder: name a file, e.g. lounge.db.")
        if self.database.exists() and not self.events.exists():
            raise RehearsalError(
                f"{str(self.database)!r} exists and isn't a rehearsal's database (no {self.events.name} beside "
                "it): choose another --database so it isn't overwritten."
            )
        journals = [self.database.with_name(self.database.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
        try:
            self.database.parent.mkdir(parents=True, exist_ok=True)
            for path in (self.database, *journals, self.events, self.recap, self.bot_log):
                path.unlink(missing_ok=True)
        except OSError as error:
            raise RehearsalError(f"Can't prepare {str(self.database.parent)!r}: {error.strerror}.") from None
