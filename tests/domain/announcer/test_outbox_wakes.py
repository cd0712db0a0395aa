"""Queueing an announcement or a role change wakes its sender after the commit, and a write
that queues neither wakes nobody: the senders need no query after every pledge and pick."""

from __future__ import annotations

from bot.db import Database, Transaction
from bot.domain.announcer import outbox
from bot.embeds import Embed, message
from tests.clock import FakeClock

GUILD = 1


async def test_each_queue_wakes_its_own_sender_and_nothing_else_wakes_them(db: Database, clock: FakeClock) -> None:
    woken: list[str] = []
    db.add_commit_listener(lambda: woken.append("announcements"), topic=outbox.ANNOUNCEMENTS)
    db.add_commit_listener(lambda: woken.append("roles"), topic=outbox.ROLE_CHANGES)

    async def announce(tx: Transaction) -> int:
        return await outbox.announce(tx, GUILD, "test", message(embeds=[Embed(title="Hello")]), clock())

    async def roles(tx: Transaction) -> None:
        await outbox.queue_role_changes(tx, GUILD, [(10, 77), (11, 77)], "add", "lost", clock())

    async def no_roles(tx: Transaction) -> None:
        await outbox.queue_role_changes(tx, GUILD, [], "add", "nobody lost", clock())

    async def other(tx: Transaction) -> None:
        await tx.execute("INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at) "
                         "VALUES (1, 1, 'test', 'x', 'now')")

    await db.write(other)
    await db.write(no_roles)
    assert woken == []
    await db.write(announce)
    assert woken == ["announcements"]
    await db.write(roles)
    assert woken == ["announcements", "roles"]
    assert await db.fetch_value("SELECT COUNT(*) FROM role_queue") == 2
    assert await db.fetch_value("SELECT COUNT(*) FROM outbox") == 1
