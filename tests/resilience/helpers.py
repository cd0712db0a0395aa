"""What the resilience stories share: the bot as a real process, a small ceremony, and the
checks that say the ledger and the announcement channel are whole.

Every check reads the database file with its own sqlite3 connection, as a host's
backup tool would, so it works the same whether the bot runs in this process,
in a subprocess, or was just killed.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bot import against_standin
from bot.domain.pledges.model import PLEDGE_COLUMNS, pledge_from_row
from bot.domain.pledges.rules import recount
from standin import Attachment, Channel, Guild, InteractionRecord, Message, SentInteraction, StandIn
from standin.errors import WaitTimeout
from tests.e2e.harness import Lounge

TOKEN = "test-token"
DEADLINE = 3.0
"""Discord's limit for the first answer to an interaction."""
MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"
CALLBACK_ROUTE = "POST /interactions/{interaction_id}/{interaction_token}/callback"

# ---------------------------------------------------------------------------------- a small ceremony

CATEGORIES = [f"Outstanding Category {number:02}" for number in range(1, 13)]
NOMINEES = ("Ava Winner", "Ben Runnerup", "Cy Also")


def ceremony_csv() -> bytes:
    """Twelve categories of three nominees: enough for a run of results, quick to import."""
    lines = ["category,nominee,show"]
    for category in CATEGORIES:
        lines += [f"{category},{nominee},Show of {category[-2:]}" for nominee in NOMINEES]
    return ("\n".join(lines) + "\n").encode()


async def go_live(lounge: Lounge) -> None:
    """The host creates the ceremony, imports its nominees and starts the night."""
    host = lounge.host
    await host.slash("ceremony create", name="66th Primetime Emmy Awards", year=2014)
    await host.slash("ceremony import", file=Attachment("night.csv", ceremony_csv()))
    await host.slash("ceremony start")


# ---------------------------------------------------------------------------------- answers


def receipt(record: InteractionRecord) -> Message | None:
    """The pledge receipt the member saw (a direct answer or a filled defer), if any."""
    shown = record.original
    if shown is None or shown.loading or not shown.embeds:
        return None
    return shown if str(shown.embeds[0].get("title", "")).startswith("Thank you! Pledge #") else None


def answer_title(record: InteractionRecord) -> str | None:
    """The title of what the member finally saw (original response or its first followup)."""
    shown = record.original
    if shown is not None and not shown.loading and shown.embeds:
        return str(shown.embeds[0].get("title", ""))
    for message in record.followups:
        if message.embeds:
            return str(message.embeds[0].get("title", ""))
    return None


def acknowledged(sent: Iterable[SentInteraction]) -> list[InteractionRecord]:
    return [one.record for one in sent if receipt(one.record) is not None]


def callback_starts(standin: StandIn, record: InteractionRecord) -> list[float]:
    """When each callback request for `record` reached the stand-in (perf_counter seconds)."""
    prefix = f"/interactions/{record.id}/"
    return [request.started_at for request in standin.requests if request.path.startswith(prefix)]


# ---------------------------------------------------------------------------------- the channel


def embed_key(embed: dict[str, Any]) -> tuple[str, str]:
    return str(embed.get("title", "")), str(embed.get("description", ""))


def shown_embeds(channel: Channel) -> list[tuple[str, str]]:
    """Every embed members see in `channel`, oldest message first."""
    return [embed_key(embed) for message in channel.messages for embed in message.embeds]


# ---------------------------------------------------------------------------------- the database


@contextlib.contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A separate connection to the bot's database (WAL: it never blocks the bot's writer)."""
    connection = sqlite3.connect(path, timeout=5)
    connection.row_factory = sqlite3.Row
    try:
        yield connection
    finally:
        connection.close()


def value(path: Path, sql: str, params: tuple[object, ...] = ()) -> Any:
    with reading(path) as db:
        row = db.execute(sql, params).fetchone()
    return None if row is None else row[0]


def queued_embeds(path: Path, channel_id: int | None = None) -> list[tuple[str, str]]:
    """Every embed queued for `channel_id` (None: the announcement channel), in the order queued."""
    with reading(path) as db:
        rows = db.execute("SELECT payload FROM outbox WHERE channel_id IS ? ORDER BY id", (channel_id,)).fetchall()
    return [embed_key(embed) for row in rows for embed in json.loads(row["payload"]).get("embeds") or []]


def undelivered(path: Path) -> int:
    return int(value(path, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"))


def ledger_problems(path: Path) -> list[str]:
    """What is not whole in the pledge ledger: an empty list when everything adds up.

    SQLite's own integrity check; then the maintained totals (`pledge_totals`,
    `pledge_member_totals`) against what the pledges add up to by the rule
    (:func:`bot.domain.pledges.rules.recount`); then the parts of a pledge's unit of
    work that must exist exactly when the pledge does (the member row, the
    milestone and big-pledge announcements).
    """
    problems: list[str] = []
    with reading(path) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        counted = recount(pledge_from_row(row) for row in db.execute(f"SELECT {PLEDGE_COLUMNS} FROM pledges"))  # noqa: S608
        server_columns = ("raised_cents", "pending_cents", "paid_cents", "verified_cents", "pledge_count",
                          "pledger_count")
        server = {key: {column: getattr(tally, column) for column in server_columns}
                  for key, tally in counted.servers.items()}
        problems += _differences("pledge_totals", db, ("guild_id", "scope"), server_columns, server)
        member_columns = ("total_cents", "anonymous_cents", "pledge_count")
        members = {key: {column: getattr(tally, column) for column in member_columns}
                   for key, tally in counted.members.items()}
        problems += _differences("pledge_member_totals", db, ("guild_id", "scope", "user_id"), member_columns, members)
        nameless = db.execute(
            "SELECT COUNT(*) FROM pledges AS p WHERE NOT EXISTS "
            "(SELECT 1 FROM members AS m WHERE m.guild_id = p.guild_id AND m.user_id = p.user_id)"
        ).fetchone()[0]
        if nameless:
            problems.append(f"{nameless} pledge(s) without their member row")
        problems += _announcement_problems(db)
    return problems


def _differences(
    table: str,
    db: sqlite3.Connection,
    key_columns: tuple[str, ...],
    columns: tuple[str, ...],
    recomputed: Mapping[tuple[int, ...], Mapping[str, int]],
) -> list[str]:
    """Rows of a maintained totals table that differ from the recomputed sums (a missing row is all zeros)."""
    stored = {
        tuple(row[column] for column in key_columns): {column: row[column] for column in columns}
        for row in db.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
    }
    problems = []
    zeros = dict.fromkeys(columns, 0)
    for key in sorted(set(stored) | set(recomputed)):
        want = dict(recomputed.get(key, zeros))
        have = stored.get(key, zeros)
        if want != have:
            problems.append(f"{table} {key}: stored {have}, recomputed {want}")
    return problems


def _announcement_problems(db: sqlite3.Connection) -> list[str]:
    """Big pledges and milestones are announced in the pledge's own unit: exactly when it exists."""
    problems: list[str] = []
    threshold = db.execute("SELECT big_pledge_cents FROM guild_settings").fetchone()
    big = threshold[0] if threshold is not None else 0
    if big > 0:
        expected = Counter(
            row["display_name"]
            for row in db.execute(
                "SELECT display_name FROM pledges WHERE kind = 'pledge' AND amount_cents >= ?", (big,)
            )
        )
        announced = Counter(
            embed["description"].split(" pledged **", 1)[0]
            for row in db.execute("SELECT payload FROM outbox WHERE kind = 'pledge.big'")
            for embed in json.loads(row["payload"])["embeds"]
        )
        if announced != expected:
            problems.append(f"big-pledge announcements {dict(announced - expected)} extra, "
                            f"{dict(expected - announced)} missing")
    crossed = {
        row["pledge_id"]: row["top"]
        for row in db.execute("SELECT pledge_id, MAX(percent) AS top FROM pledge_milestones GROUP BY pledge_id")
    }
    milestone_rows = db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'pledge.milestone'").fetchone()[0]
    if milestone_rows != len(crossed):
        problems.append(f"{len(crossed)} pledge(s) crossed a milestone but {milestone_rows} milestone announcement(s)")
    return problems


# ---------------------------------------------------------------------------------- the bot as a process


class BotProcess(against_standin.BotProcess):
    """`python -m bot`, configured only through its environment, as a host runs it
    (:class:`bot.against_standin.BotProcess`), for one guild of the stand-in and one database."""

    def __init__(self, standin: StandIn, guild: Guild, database: Path, logs: Path) -> None:
        env = against_standin.bot_environment(standin, database, token=TOKEN, guild_id=guild.id)
        super().__init__(env, database.parent, log_path=logs)
        self.standin = standin
        self.database = database
        self.logs = logs

    async def start(self) -> None:
        """Start the process and wait until it identified and holds every guild."""
        identified = self.standin.gateway.identify_count
        await super().start()
        try:
            await against_standin.until_connected(self.standin, identified=identified, within=30)
        except WaitTimeout as error:
            raise AssertionError(f"{error}\nthe bot's log:\n{self.log()}") from None
