"""The gateway protocol spoken by hand (no discord.py): opcodes, close codes, compression, replay."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from standin import StandIn
from tests.conftest import TOKEN

IDENTIFY = {"op": 2, "d": {"token": TOKEN, "intents": 513, "properties": {"os": "linux"}}}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def receive(ws: aiohttp.ClientWebSocketResponse, inflator: Any = None) -> dict[str, Any]:
    message = await ws.receive(timeout=5)
    if message.type is aiohttp.WSMsgType.BINARY:
        assert inflator is not None
        return dict(json.loads(inflator.decompress(message.data)))
    assert message.type is aiohttp.WSMsgType.TEXT, message
    return dict(json.loads(message.data))


async def test_hello_identify_ready_and_guild_create_in_plain_text(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    guild = standin.create_guild("Emmy Night")
    async with http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws:
        hello = await receive(ws)
        assert hello["op"] == 10
        assert hello["d"]["heartbeat_interval"] == 41250
        await ws.send_json({"op": 1, "d": None})
        assert (await receive(ws))["op"] == 11
        await ws.send_json(IDENTIFY)
        ready = await receive(ws)
        created = await receive(ws)

    assert (ready["t"], ready["s"]) == ("READY", 1)
    assert ready["d"]["resume_gateway_url"] == standin.resume_url
    assert ready["d"]["application"] == {"id": str(standin.application_id), "flags": 0}
    assert (created["t"], created["s"]) == ("GUILD_CREATE", 2)
    assert created["d"]["id"] == str(guild.id)
    assert [m["user"]["id"] for m in created["d"]["members"]] == [str(standin.bot_user.id)]
    assert created["d"]["member_count"] == 2
    roles = {r["name"]: r for r in created["d"]["roles"]}
    assert roles["@everyone"]["id"] == str(guild.id)
    assert roles["Losers Lounge"]["managed"] is True
    assert created["d"]["channels"][0]["permission_overwrites"] == []


async def test_zlib_stream_frames_share_one_inflater(standin: StandIn, http: aiohttp.ClientSession) -> None:
    standin.create_guild("Emmy Night")
    inflator = zlib.decompressobj()
    async with http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json&compress=zlib-stream") as ws:
        assert (await receive(ws, inflator))["op"] == 10
        await ws.send_json(IDENTIFY)
        assert (await receive(ws, inflator))["t"] == "READY"
        assert (await receive(ws, inflator))["t"] == "GUILD_CREATE"


async def test_zstd_stream_frames_share_one_decompressor(standin: StandIn, http: aiohttp.ClientSession) -> None:
    """What discord.py asks for once zstandard is installed (discord.py[speed])."""
    zstandard = pytest.importorskip("zstandard")
    standin.create_guild("Emmy Night")
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    async with http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json&compress=zstd-stream") as ws:
        assert (await receive(ws, decompressor))["op"] == 10
        await ws.send_json(IDENTIFY)
        assert (await receive(ws, decompressor))["t"] == "READY"
        assert (await receive(ws, decompressor))["t"] == "GUILD_CREATE"


async def test_a_wrong_token_closes_with_4004(standin: StandIn, http: aiohttp.ClientSession) -> None:
    async with http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws:
        await receive(ws)
        await ws.send_json({"op": 2, "d": {"token": "nope", "intents": 0, "properties": {}}})
        closed = await ws.receive(timeout=5)
    assert closed.type is aiohttp.WSMsgType.CLOSE
    assert closed.data == 4004


async def test_resume_replays_only_what_came_after_seq(standin: StandIn, http: aiohttp.ClientSession) -> None:
    guild = standin.create_guild("Emmy Night")
    async with http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws:
        await receive(ws)
        await ws.send_json(IDENTIFY)
        session_id = (await receive(ws))["d"]["session_id"]
        await receive(ws)
    session = standin.gateway.active_session
    assert session is not None
    await standin.wait_until(lambda: True if not session.connected else None, what="the disconnect")
    guild.create_text_channel("missed")

    async with http.ws_connect(f"{standin.resume_url}?v=10&encoding=json") as ws:
        await receive(ws)
        await ws.send_json({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": 2}})
        replayed = await receive(ws)
        resumed = await receive(ws)

    assert (replayed["t"], replayed["s"], replayed["d"]["name"]) == ("CHANNEL_CREATE", 3, "missed")
    assert (resumed["t"], resumed["d"]) == ("RESUMED", {})


async def test_an_unknown_session_is_invalid(standin: StandIn, http: aiohttp.ClientSession) -> None:
    async with http.ws_connect(f"{standin.resume_url}?v=10&encoding=json") as ws:
        await receive(ws)
        await ws.send_json({"op": 6, "d": {"token": TOKEN, "session_id": "nope", "seq": 3}})
        assert await receive(ws) == {"op": 9, "d": False, "s": None, "t": None}


async def test_member_chunks_answer_op_8_with_an_int_guild_id(standin: StandIn, http: aiohttp.ClientSession) -> None:
    guild = standin.create_guild("Emmy Night")
    guild.add_member("Ada")
    async with http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws:
        await receive(ws)
        await ws.send_json(IDENTIFY)
        await receive(ws)
        await receive(ws)
        await ws.send_json({"op": 8, "d": {"guild_id": guild.id, "query": "", "limit": 0, "nonce": "n1"}})
        chunk = await receive(ws)

    assert chunk["t"] == "GUILD_MEMBERS_CHUNK"
    assert (chunk["d"]["nonce"], chunk["d"]["chunk_count"]) == ("n1", 1)
    assert sorted(m["user"]["username"] for m in chunk["d"]["members"]) == ["ada", "losers_lounge", "owner"]
