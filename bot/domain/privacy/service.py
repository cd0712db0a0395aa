"""`/privacy forget-me`: a member takes their data out of this server's lounge.

In one unit of work:

* their claims, picks, losses (declared ones too), loss totals, pick records and
  loser-role grants are deleted (:func:`bot.domain.losers.service.erase_member`);
* their pledges stay, because the charity counts on the money, but are handed
  to a tombstone id (``-forgotten_members.id``, never a Discord id): names and
  notes erased, the member's totals moved by the pledges triggers to the
  tombstone's (shown as "Anonymous"), so every total still adds up
  (:func:`bot.domain.pledges.privacy.forget_member`);
* what they did as a host (a ceremony created, a result logged, a pledge
  cancelled, audit entries) stays, with their id replaced by 0 ("someone");
* mentions of them in queued or sent announcements and in the audit log's text
  are replaced; their member row (display name) is deleted;
* role changes queued for them are dropped: the loser role is taken off
  directly by the command (a queued removal would keep their id in the
  database), which reports the roles to remove.

Other servers' data about the same person is not touched: each server's lounge
is its own, and the member asks in each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot import custom_ids
from bot.clock import Clock, to_storage
from bot.db import Database, Transaction
from bot.domain.audit import log as audit
from bot.domain.losers import service as losers
from bot.domain.pledges import privacy as pledge_privacy

FORGOTTEN_NAME = pledge_privacy.FORGOTTEN_NAME
SOMEONE = 0
"""Stands for a forgotten member where a host's id was recorded (never a Discord id)."""

# Columns that record which host did something; kept, with the id replaced.
HOST_COLUMNS = (
    ("ceremonies", "created_by"),
    ("results", "logged_by"),
    ("result_winners", "added_by"),
    ("pledges", "cancelled_by"),
    ("audit_log", "actor_id"),
)


@dataclass(frozen=True, slots=True)
class MemberData:
    """What the lounge holds about a member in one server (shown before they confirm)."""

    losses: int
    picks: int
    claims: int
    pledges: int

    @property
    def empty(self) -> bool:
        return not (self.losses or self.picks or self.claims or self.pledges)


@dataclass(frozen=True, slots=True)
class ForgetReport:
    removed_rows: int
    """Claims, picks, losses, tallies and role grants deleted."""
    pledges_anonymised: int
    role_ids: tuple[int, ...]
    """Roles the bot gave or meant to give them: the command takes these off."""


async def member_data(reader: Database | Transaction, guild_id: int, user_id: int) -> MemberData:
    row = await reader.fetch_one(
        "SELECT (SELECT COUNT(*) FROM losses WHERE guild_id = :g AND user_id = :u) AS losses, "
        "(SELECT COUNT(*) FROM picks WHERE guild_id = :g AND user_id = :u) AS picks, "
        "(SELECT COUNT(*) FROM claims WHERE guild_id = :g AND user_id = :u) AS claims, "
        "(SELECT COUNT(*) FROM pledges WHERE guild_id = :g AND user_id = :u) AS pledges",
        {"g": guild_id, "u": user_id},
    )
    assert row is not None
    return MemberData(row["losses"], row["picks"], row["claims"], row["pledges"])


async def forget_member(tx: Transaction, guild_id: int, user_id: int, now: datetime) -> ForgetReport:
    """Erase and anonymise everything about `user_id` in `guild_id`; see the module doc."""
    if user_id <= 0:
        raise ValueError("only a real member can be forgotten")
    role_rows = await tx.fetch_all(
        "SELECT role_id FROM loser_role_grants WHERE guild_id = ? AND user_id = ? "
        "UNION SELECT role_id FROM role_queue WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id, guild_id, user_id),
    )
    role_ids = tuple(sorted(int(row["role_id"]) for row in role_rows))

    anonymised = 0
    if await tx.fetch_one("SELECT 1 FROM pledges WHERE guild_id = ? AND user_id = ? LIMIT 1", (guild_id, user_id)):
        tombstone = -await tx.insert(
            "INSERT INTO forgotten_members (guild_id, forgotten_at) VALUES (?, ?)", (guild_id, to_storage(now))
        )
        anonymised = await pledge_privacy.forget_member(
            tx, guild_id=guild_id, user_id=user_id, tombstone_user_id=tombstone, now=now
        )
    removed = await losers.erase_member(tx, guild_id, user_id, now)
    # erase_member queued the role removals; they would keep the id here, so the command removes them itself.
    await tx.execute("DELETE FROM role_queue WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    removed += await tx.execute("DELETE FROM loser_role_grants WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    for table, column in HOST_COLUMNS:
        await tx.execute(
            f"UPDATE {table} SET {column} = ? WHERE guild_id = ? AND {column} = ?",  # noqa: S608 - names are ours
            (SOMEONE, guild_id, user_id),
        )
    await _scrub_text(tx, guild_id, user_id)
    await tx.execute("DELETE FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
    await audit.record(
        tx, guild_id, SOMEONE, "privacy.forget",
        f"A member was forgotten at their request: {removed} rows removed, {anonymised} pledges anonymised.", now,
    )
    return ForgetReport(removed, anonymised, role_ids)


async def _drop_buttons_naming(tx: Transaction, guild_id: int, user_id: int) -> None:
    """Buttons stored with announcements carry ids in base 62 (a board's Next carries the member
    its page ended on): those naming the member go. Their message still reads the same."""
    rows = await tx.fetch_all(
        "SELECT id, payload FROM outbox WHERE guild_id = ? AND instr(payload, '\"components\"') > 0 "
        "AND instr(payload, ?) > 0",
        (guild_id, custom_ids.encode_int(user_id)),
    )
    for row in rows:
        body = json.loads(row["payload"])
        found = [
            str(component.get("custom_id", ""))
            for action_row in body.get("components") or []
            for component in action_row.get("components") or []
        ]
        if any(custom_ids.carries(custom_id, user_id) for custom_id in found):
            body.pop("components")
            await tx.execute("UPDATE outbox SET payload = ? WHERE id = ?",
                             (json.dumps(body, ensure_ascii=False), row["id"]))


async def _scrub_text(tx: Transaction, guild_id: int, user_id: int) -> None:
    """Mentions and bare ids of the member in announcements and audit details.

    Announcement bodies are JSON: a mention becomes the words "Forgotten member"
    (inside a string) and any other occurrence of the id becomes 0, which keeps
    the JSON valid whether the id stood in a string or as a number.
    """
    digits = str(user_id)
    mentions = (f"<@{digits}>", f"<@!{digits}>")
    await _drop_buttons_naming(tx, guild_id, user_id)
    await tx.execute(
        "UPDATE outbox SET payload = REPLACE(REPLACE(REPLACE(payload, ?, ?), ?, ?), ?, '0') "
        "WHERE guild_id = ? AND instr(payload, ?) > 0",
        (mentions[0], FORGOTTEN_NAME, mentions[1], FORGOTTEN_NAME, digits, guild_id, digits),
    )
    await tx.execute(
        "UPDATE audit_log SET detail = REPLACE(REPLACE(REPLACE(detail, ?, ?), ?, ?), ?, ?) "
        "WHERE guild_id = ? AND instr(detail, ?) > 0",
        (mentions[0], FORGOTTEN_NAME, mentions[1], FORGOTTEN_NAME, digits, FORGOTTEN_NAME.lower(), guild_id, digits),
    )
    await tx.execute(
        "DELETE FROM guild_alerts WHERE guild_id = ? AND (instr(key, ?) > 0 OR instr(message, ?) > 0)",
        (guild_id, digits, digits),
    )


class PrivacyService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def what_we_hold(self, guild_id: int, user_id: int) -> MemberData:
        return await member_data(self._db, guild_id, user_id)

    async def forget(self, guild_id: int, user_id: int) -> ForgetReport:
        """Forget `user_id` in `guild_id`, all in one unit (nothing half-done on failure)."""

        async def unit(tx: Transaction) -> ForgetReport:
            return await forget_member(tx, guild_id, user_id, self._clock())

        return await self._db.write(unit)
