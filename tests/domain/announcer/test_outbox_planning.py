"""A backlog of announcements for one channel is coalesced within Discord's limits."""

from __future__ import annotations

from typing import Any

from bot.domain.announcer.outbox import PendingAnnouncement, plan_batch
from bot.embeds import Embed, message


def pending(row_id: int, *, embeds: int = 1, batch_id: int | None = None, files: bool = False,
            description: str = "", buttons: bool = False) -> PendingAnnouncement:
    embed_list = [Embed(title=f"#{row_id}.{n}", description=description) for n in range(embeds)]
    body: dict[str, Any] = message(embeds=embed_list)
    if files:
        body["files"] = [{"filename": "recap.png", "data": ""}]
    if buttons:
        button = {"type": 2, "style": 2, "label": "More losers", "custom_id": "lounge:board:1:l0:n2:"}
        body["components"] = [{"type": 1, "components": [button]}]
    return PendingAnnouncement(row_id, 1, 5, "result", body, batch_id, 0, None)


def test_a_backlog_becomes_one_message_of_at_most_ten_embeds() -> None:
    queue = [pending(n) for n in range(1, 16)]
    first = plan_batch(queue)
    assert [row.id for row in first] == list(range(1, 11))


def test_a_claimed_batch_is_resent_exactly_as_claimed() -> None:
    queue = [pending(1, batch_id=1), pending(2, batch_id=1), pending(3)]
    assert [row.id for row in plan_batch(queue)] == [1, 2]


def test_embed_characters_never_exceed_6000_in_one_message() -> None:
    queue = [pending(n, description="x" * 2500) for n in range(1, 5)]
    batch = plan_batch(queue)
    assert sum(row.embed_chars for row in batch) <= 6000
    assert len(batch) == 2


def test_an_announcement_with_a_picture_goes_alone() -> None:
    queue = [pending(1, files=True), pending(2)]
    assert [row.id for row in plan_batch(queue)] == [1]
    queue = [pending(1), pending(2, files=True)]
    assert [row.id for row in plan_batch(queue)] == [1]


def test_at_most_one_announcement_with_buttons_joins_a_message() -> None:
    """Two posted boards in one message would repeat their buttons' custom_ids, which Discord refuses."""
    queue = [pending(1), pending(2, buttons=True), pending(3), pending(4, buttons=True), pending(5)]
    first = plan_batch(queue)
    assert [row.id for row in first] == [1, 2, 3]
    assert [row.id for row in plan_batch(queue[3:])] == [4, 5]
