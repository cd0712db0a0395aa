"""Answers respect Discord's 3 seconds: slow work is deferred, late answers are never sent."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import discord
import pytest

from bot import ui


class _Response:
    def __init__(self) -> None:
        self.deferred = 0
        self.sent: list[str] = []

    def is_done(self) -> bool:
        return self.deferred > 0

    async def defer(self, **_: Any) -> None:
        self.deferred += 1

    async def send_message(self, content: str) -> None:
        self.sent.append(content)


class _Interaction:
    def __init__(self, age: float = 0.0) -> None:
        self.response = _Response()
        self.id = discord.utils.time_snowflake(discord.utils.utcnow() - timedelta(seconds=age))


async def test_a_slow_write_is_deferred_in_time_and_a_quick_one_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui, "DEFER_AFTER_SECONDS", 0.01)
    quick, slow = _Interaction(), _Interaction()
    assert await ui.defer_if_slow(quick, asyncio.sleep(0, "done")) == "done"  # type: ignore[arg-type]
    assert quick.response.deferred == 0
    assert await ui.defer_if_slow(slow, asyncio.sleep(0.05, "late")) == "late"  # type: ignore[arg-type]
    assert slow.response.deferred == 1


async def test_work_that_ends_while_its_deferral_is_in_flight_waits_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer after a deferral must be a follow-up: never sent while the deferral is still on its way."""
    monkeypatch.setattr(ui, "DEFER_AFTER_SECONDS", 0.01)
    slow_network = _Interaction()

    async def slow_defer(**_: Any) -> None:
        await asyncio.sleep(0.05)
        slow_network.response.deferred += 1

    slow_network.response.defer = slow_defer  # type: ignore[method-assign]

    assert await ui.defer_if_slow(slow_network, asyncio.sleep(0.02, "done")) == "done"  # type: ignore[arg-type]
    assert slow_network.response.is_done()


async def test_an_answer_after_the_deadline_is_not_sent() -> None:
    late = _Interaction(age=3.5)
    with pytest.raises(ui.InteractionExpired):
        await ui.respond(late, late.response.send_message("too late"))  # type: ignore[arg-type]
    assert late.response.sent == []


async def test_an_answer_that_hangs_is_cut_at_the_deadline() -> None:
    nearly_late = _Interaction(age=2.9)

    async def hanging_send() -> None:
        await asyncio.sleep(10)

    started = asyncio.get_running_loop().time()
    with pytest.raises(ui.InteractionExpired):
        await ui.respond(nearly_late, hanging_send())  # type: ignore[arg-type]
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_an_answer_in_time_is_sent() -> None:
    fresh = _Interaction()
    await ui.respond(fresh, fresh.response.send_message("hello"))  # type: ignore[arg-type]
    assert fresh.response.sent == ["hello"]
