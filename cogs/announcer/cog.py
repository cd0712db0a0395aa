"""Delivers the outbox: announcements to their channels and role changes to members.

Both senders run in the background, woken after every commit. Announcements go
out in order per channel; a backlog is coalesced into one message of up to 10
embeds, so results arriving faster than Discord's per-channel rate limit never
fall behind by more than one message. Each batch carries a nonce derived from
its id with ``enforce_nonce``, so a re-send after a crash or a timeout is shown
by Discord only once. Role changes have their own sender and never hold up
announcements; a missing permission is reported to hosts once, not retried in a
storm.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.ext import commands, tasks

from bot.clock import Clock, from_storage
from bot.db import Transaction
from bot.domain.announcer import outbox
from bot.domain.announcer.alerts import AlertStore
from bot.domain.announcer.outbox import (
    ANNOUNCEMENTS,
    ROLE_CHANGES,
    OutboxStore,
    PendingAnnouncement,
    PendingRoleChange,
    plan_batch,
)
from bot.domain.settings.service import SettingsService
from bot.embeds import Colour, Embed, message
from bot.text import cut
from bot.ui import posted_view

if TYPE_CHECKING:
    from bot.db import Database
    from bot.lounge import LoungeBot

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 2.0
CHANNEL_PROBLEM_RETRY = timedelta(seconds=60)
MAX_BACKOFF = timedelta(seconds=60)
MAX_ROLE_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 6)), MAX_BACKOFF)


class Announcer(commands.Cog):
    def __init__(
        self,
        bot: LoungeBot,
        db: Database,
        outbox_store: OutboxStore,
        settings: SettingsService,
        alerts: AlertStore,
        clock: Clock,
    ) -> None:
        self.bot = bot
        self.db = db
        self.outbox = outbox_store
        self.settings = settings
        self.alerts = alerts
        self.clock = clock
        self._announcements_due = asyncio.Event()
        self._roles_due = asyncio.Event()
        self._channel_senders: dict[int, asyncio.Task[None]] = {}

    def _wake(self) -> None:
        self._announcements_due.set()
        self._roles_due.set()

    async def cog_load(self) -> None:
        self.db.add_commit_listener(self._announcements_due.set, topic=ANNOUNCEMENTS)
        self.db.add_commit_listener(self._roles_due.set, topic=ROLE_CHANGES)
        self._wake()
        self.dispatch_announcements.start()
        self.send_role_changes.start()

    async def cog_unload(self) -> None:
        self.db.remove_commit_listener(self._announcements_due.set)
        self.db.remove_commit_listener(self._roles_due.set)
        self.dispatch_announcements.cancel()
        self.send_role_changes.cancel()
        senders = list(self._channel_senders.values())
        for sender in senders:
            sender.cancel()
        await asyncio.gather(*senders, return_exceptions=True)

    # ---- announcements -------------------------------------------------------------------

    @tasks.loop(seconds=0)
    async def dispatch_announcements(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._announcements_due.wait(), timeout=IDLE_POLL_SECONDS)
        self._announcements_due.clear()
        try:
            await self._dispatch_once()
        except Exception:
            log.exception("announcement dispatch failed; retrying shortly")
            await asyncio.sleep(IDLE_POLL_SECONDS)

    async def _dispatch_once(self) -> None:
        pending = await self.outbox.pending_announcements()
        queues: dict[int, list[PendingAnnouncement]] = {}
        guilds_of_channel: dict[int, int] = {}
        resolved: dict[int, int | None] = {}
        unroutable: list[PendingAnnouncement] = []
        for row in pending:
            channel_id = row.channel_id
            if channel_id is None:
                if row.guild_id not in resolved:
                    resolved[row.guild_id] = await self._announcement_channel(row.guild_id)
                channel_id = resolved[row.guild_id]
            if channel_id is None:
                unroutable.append(row)
                continue
            queues.setdefault(channel_id, []).append(row)
            guilds_of_channel[channel_id] = row.guild_id
        now = self.clock()
        if unroutable:
            waiting = [row for row in unroutable if not _waiting(row, now)]
            if waiting:
                await self.outbox.postpone([row.id for row in waiting], now + CHANNEL_PROBLEM_RETRY)
                for guild_id in {row.guild_id for row in waiting}:
                    await self.alerts.raise_alert(
                        guild_id, "announcements:no-channel",
                        "Announcements are waiting: set an announcement channel with `/settings set`.", now,
                    )
        for channel_id, queue in queues.items():
            running = self._channel_senders.get(channel_id)
            if running is not None and not running.done():
                continue
            if _waiting(queue[0], now):
                continue  # the head of this channel's queue waits for a retry: keep the order
            self._channel_senders[channel_id] = asyncio.create_task(
                self._send_queue(guilds_of_channel[channel_id], channel_id, queue),
                name=f"announce-{channel_id}",
            )

    async def _announcement_channel(self, guild_id: int) -> int | None:
        configured = (await self.settings.get(guild_id)).announcement_channel_id
        return configured if configured is not None else await self.outbox.fallback_channel(guild_id)

    async def _send_queue(self, guild_id: int, channel_id: int, queue: list[PendingAnnouncement]) -> None:
        try:
            while queue:
                batch = plan_batch(queue)
                if not await self._send_batch(guild_id, channel_id, batch):
                    return
                sent = {row.id for row in batch}
                queue = [row for row in queue if row.id not in sent]
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sending announcements to channel %s failed; retrying shortly", channel_id)
            await asyncio.sleep(IDLE_POLL_SECONDS)  # no tight loop on a bug or an odd failure
        finally:
            self._announcements_due.set()

    async def _send_batch(self, guild_id: int, channel_id: int, batch: list[PendingAnnouncement]) -> bool:
        """Send one batch; True when delivered (or given up), False to stop this channel for now."""
        batch_id = batch[0].batch_id
        if batch_id is None:
            batch_id = await self.outbox.claim_batch([row.id for row in batch])
        contents = [row.payload["content"] for row in batch if row.payload.get("content")]
        embeds = [discord.Embed.from_dict(data) for row in batch for data in row.payload.get("embeds") or []]
        files = [
            discord.File(io.BytesIO(base64.b64decode(item["data"])), filename=item["filename"])
            for row in batch
            for item in row.payload.get("files") or []
        ]
        rows = [row for announcement in batch for row in announcement.payload.get("components") or []]
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        now = self.clock()
        try:
            sent = await channel.send(
                content="\n".join(contents) or None,
                embeds=embeds,
                files=files,
                view=posted_view(rows),
                nonce=f"ll{batch_id}",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.Forbidden:
            await self.outbox.mark_retry(batch_id, CHANNEL_PROBLEM_RETRY, now, "forbidden")
            await self._alert_hosts(
                guild_id, f"announce:{channel_id}:forbidden",
                f"The bot can't post in <#{channel_id}>: give it View Channel, Send Messages, Embed Links and "
                "Attach Files there. Announcements are kept and will go out once it can.",
            )
            return False
        except discord.NotFound:
            await self.outbox.mark_retry(batch_id, CHANNEL_PROBLEM_RETRY, now, "unknown channel")
            await self._alert_hosts(
                guild_id, f"announce:{channel_id}:missing",
                f"The announcement channel (id {channel_id}) no longer exists: choose another with "
                "`/settings set announcement_channel`. Announcements are kept until then.",
            )
            return False
        except discord.HTTPException as error:
            if 400 <= error.status < 500 and error.status != 429:
                log.error("Discord refused announcement batch %s: %s", batch_id, error)
                await self.outbox.mark_failed(batch_id, cut(f"{error.status} {error.text}", 500))
                return True
            attempts = max(row.attempts for row in batch)
            log.warning("announcement batch %s: Discord said %s; retrying", batch_id, error.status)
            await self.outbox.mark_retry(batch_id, backoff(attempts), now, str(error.status))
            return False
        except (OSError, TimeoutError, aiohttp.ClientError) as error:
            attempts = max(row.attempts for row in batch)
            log.warning("announcement batch %s: %s; retrying", batch_id, error)
            await self.outbox.mark_retry(batch_id, backoff(attempts), now, "network")
            return False
        await self.outbox.mark_sent(batch_id, sent.id, self.clock())
        return True

    async def _alert_hosts(self, guild_id: int, key: str, text: str) -> None:
        """Record the problem (shown by /settings show) and log it; told once per problem."""
        if await self.alerts.raise_alert(guild_id, key, text, self.clock()):
            log.warning("guild %s: %s", guild_id, text)

    # ---- role changes ---------------------------------------------------------------------

    @tasks.loop(seconds=0)
    async def send_role_changes(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._roles_due.wait(), timeout=IDLE_POLL_SECONDS * 5)
        self._roles_due.clear()
        try:
            changes = await self.outbox.pending_role_changes()
            for change in changes:
                await self._apply_role_change(change)
            if changes:
                self._roles_due.set()
        except Exception:
            log.exception("role changes failed; retrying shortly")
            await asyncio.sleep(IDLE_POLL_SECONDS)

    async def _apply_role_change(self, change: PendingRoleChange) -> None:
        try:
            if change.action == "add":
                await self.bot.http.add_role(change.guild_id, change.user_id, change.role_id, reason=change.reason)
            else:
                await self.bot.http.remove_role(change.guild_id, change.user_id, change.role_id, reason=change.reason)
        except discord.Forbidden:
            reason = "the bot lacks Manage Roles, or the loser role is above the bot's highest role"
            stopped = await self.outbox.fail_role_changes_of_guild(change.guild_id, f"permission: {reason}")
            text = (
                f"Couldn't hand out the loser role: {reason}. Fix it in Server Settings → Roles; "
                f"{stopped} role change(s) are on hold until a host runs `/settings set`."
            )
            if await self.alerts.raise_alert(change.guild_id, "roles:forbidden", text, self.clock()):
                await self._post_warning(change.guild_id, text)
            return
        except discord.NotFound:
            await self.outbox.finish_role_change(change.id, self.clock(), failure="member or role not found")
            return
        except (discord.HTTPException, OSError, TimeoutError, aiohttp.ClientError) as error:
            failure = f"gave up: {error}" if change.attempts + 1 >= MAX_ROLE_ATTEMPTS else None
            if failure is None:
                await self._count_role_attempt(change)
            else:
                await self.outbox.finish_role_change(change.id, self.clock(), failure=cut(failure, 200))
            return
        await self.outbox.finish_role_change(change.id, self.clock())

    async def _count_role_attempt(self, change: PendingRoleChange) -> None:
        async def bump(tx: Transaction) -> None:
            await tx.execute("UPDATE role_queue SET attempts = attempts + 1 WHERE id = ?", (change.id,))

        await self.db.write(bump)
        await asyncio.sleep(backoff(change.attempts).total_seconds())

    async def _post_warning(self, guild_id: int, text: str) -> None:
        body = message(embeds=[Embed(title="⚠️ Hosts: the bot needs a hand", description=text, colour=Colour.WARN)])

        async def queue(tx: Transaction) -> None:
            await outbox.announce(tx, guild_id, "alert", body, self.clock())

        await self.db.write(queue)


def _waiting(row: PendingAnnouncement, now: datetime) -> bool:
    return row.next_attempt_at is not None and from_storage(row.next_attempt_at) > now
