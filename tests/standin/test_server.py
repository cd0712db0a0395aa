"""The stand-in's HTTP surface without discord.py: headers, bodies, faults, control API, CLI."""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from standin import StandIn
from tests.conftest import TOKEN

from .test_with_discord_py import LoungeTestBot, running

AUTH = {"Authorization": f"Bot {TOKEN}"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, method: str, url: str, *, expect: int = 200, **kwargs: Any
) -> tuple[Any, dict[str, str]]:
    async with http.request(method, url, **kwargs) as response:
        body = await response.read()
        assert response.status == expect, body
        data = json.loads(body) if body else None
        return data, dict(response.headers)


async def test_answers_carry_exactly_application_json(standin: StandIn, http: aiohttp.ClientSession) -> None:
    me, headers = await call(http, "GET", f"{standin.api_base}/users/@me", headers=AUTH)
    assert headers["Content-Type"] == "application/json"
    assert me["id"] == str(standin.bot_user.id)
    assert me["bot"] is True
    assert me["avatar"] is None

    app, _ = await call(http, "GET", f"{standin.api_base}/oauth2/applications/@me", headers=AUTH)
    assert app["id"] == str(standin.application_id)
    assert app["interactions_endpoint_url"] is None

    gateway, _ = await call(http, "GET", f"{standin.api_base}/gateway/bot", headers=AUTH)
    assert gateway["url"] == standin.gateway_url
    assert gateway["shards"] == 1

    refused, headers = await call(http, "GET", f"{standin.api_base}/users/@me", expect=401)
    assert headers["Content-Type"] == "application/json"
    assert refused["message"] == "401: Unauthorized"
    assert standin.violations == []


async def test_a_multipart_message_keeps_its_files(standin: StandIn, http: aiohttp.ClientSession) -> None:
    guild = standin.create_guild("Emmy Night")
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("payload_json", json.dumps({"content": "results", "attachments": [{"id": 0, "filename": "r.txt"}]}))
    form.add_field("files[0]", b"Ada: 25", filename="r.txt", content_type="application/octet-stream")

    sent, _ = await call(
        http, "POST", f"{standin.api_base}/channels/{guild.system_channel.id}/messages", data=form, headers=AUTH
    )

    (message,) = guild.system_channel.messages
    (attachment,) = message.attachments
    assert (attachment.filename, attachment.data, attachment.content_type) == ("r.txt", b"Ada: 25", "text/plain")
    assert sent["attachments"][0]["url"] == attachment.url
    async with http.get(attachment.url) as response:
        assert await response.read() == b"Ada: 25"


@pytest.mark.allow_violations
async def test_a_deleted_channel_is_unknown(standin: StandIn, http: aiohttp.ClientSession) -> None:
    guild = standin.create_guild("Emmy Night")
    gone = guild.create_text_channel("gone")
    guild.delete_channel(gone)

    error, _ = await call(
        http, "POST", f"{standin.api_base}/channels/{gone.id}/messages", json={"content": "hi"},
        headers=AUTH, expect=404,
    )

    assert error == {"code": 10003, "message": "Unknown Channel"}
    assert standin.violations[0].code == 10003


async def test_an_invalid_command_schema_is_an_invalid_form_body(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    body = [{"name": "Pledge", "description": "Pledges", "options": [
        {"type": 3, "name": "a", "description": "A"}, {"type": 3, "name": "b", "description": "B", "required": True},
    ]}]

    error, _ = await call(
        http, "PUT", f"{standin.api_base}/applications/{standin.application_id}/commands", json=body,
        headers=AUTH, expect=400,
    )

    assert error["code"] == 50035
    assert error["message"] == "Invalid Form Body"
    assert set(error["errors"]["0"]) == {"name", "options"}
    assert "_errors" in error["errors"]["0"]["options"]["1"]["required"]
    assert {v.path for v in standin.take_violations()} == {"0.name", "0.options.1.required"}
    assert standin.commands.global_sync_count == 0


async def test_a_planned_429_looks_like_discords(standin: StandIn, http: aiohttp.ClientSession) -> None:
    guild = standin.create_guild("Emmy Night")
    standin.faults.fail_next("POST /channels/{channel_id}/messages", status=429, retry_after=0.25)
    url = f"{standin.api_base}/channels/{guild.system_channel.id}/messages"

    body, headers = await call(http, "POST", url, json={"content": "hi"}, headers=AUTH, expect=429)
    await call(http, "POST", url, json={"content": "hi"}, headers=AUTH)

    assert body == {"message": "You are being rate limited.", "retry_after": 0.25, "global": False}
    assert headers["Via"] == "1.1 google"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Reset-After"] == "0.250"
    assert {"X-RateLimit-Limit", "X-RateLimit-Reset", "X-RateLimit-Bucket", "X-RateLimit-Scope"} <= set(headers)
    assert [m.content for m in guild.system_channel.messages] == ["hi"]


async def test_delays_and_dropped_connections(standin: StandIn, http: aiohttp.ClientSession) -> None:
    guild = standin.create_guild("Emmy Night")
    standin.faults.delay_next("GET /users/@me", 0.2)
    standin.faults.drop_next("POST /channels/{channel_id}/typing")
    started = time.perf_counter()

    await call(http, "GET", f"{standin.api_base}/users/@me", headers=AUTH)
    assert time.perf_counter() - started >= 0.2
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, "POST", f"{standin.api_base}/channels/{guild.system_channel.id}/typing", headers=AUTH)
    assert [e.kind for e in standin.faults.fired] == ["delay", "drop"]


async def test_a_repeated_nonce_with_enforce_nonce_is_one_message(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    guild = standin.create_guild("Emmy Night")
    url = f"{standin.api_base}/channels/{guild.system_channel.id}/messages"
    body = {"content": "once", "nonce": "12345", "enforce_nonce": True}

    first, _ = await call(http, "POST", url, json=body, headers=AUTH)
    second, _ = await call(http, "POST", url, json=body, headers=AUTH)

    assert first["id"] == second["id"]
    assert len(guild.system_channel.messages) == 1


async def test_other_processes_drive_it_through_the_control_api(
    discord_points_at_standin: StandIn, http: aiohttp.ClientSession
) -> None:
    control = discord_points_at_standin.control_url
    guild, _ = await call(http, "POST", f"{control}/guilds", json={"name": "Emmy Night"})
    ada, _ = await call(http, "POST", f"{control}/guilds/{guild['id']}/members", json={"name": "Ada"})

    async with running(LoungeTestBot(int(guild["id"]))):
        await call(http, "POST", f"{control}/wait/ready", json={"timeout": 5})
        await call(http, "POST", f"{control}/wait/synced", json={"guild_id": guild["id"]})
        answer, _ = await call(http, "POST", f"{control}/interactions/slash", json={
            "guild_id": guild["id"], "user_id": ada["user"]["id"], "command": "pledge add", "options": {"amount": 7},
        })
        uploaded, _ = await call(http, "POST", f"{control}/interactions/slash", json={
            "guild_id": guild["id"], "user_id": ada["user"]["id"], "command": "import",
            "options": {"file": {"filename": "e.json", "data_base64": base64.b64encode(b"{}").decode()}},
        })
        refused, _ = await call(http, "POST", f"{control}/interactions/slash", expect=400, json={
            "guild_id": guild["id"], "user_id": ada["user"]["id"], "command": "nominate",
        })

    assert answer["original"]["content"] == "pledged 7"
    assert answer["response_latency"] > 0
    assert uploaded["original"]["content"] == "read 2 bytes from e.json"
    assert "not a synced command" in refused["error"]
    messages, _ = await call(http, "GET", f"{control}/channels/{guild['system_channel_id']}/messages")
    assert messages[0]["content"] == "pledged 7"
    assert messages[0]["pings"]["everyone"] is False
    log, _ = await call(http, "GET", f"{control}/interactions")
    assert len(log) == 2
    violations, _ = await call(http, "GET", f"{control}/violations")
    assert violations == []


async def test_other_processes_click_and_choose_through_the_control_api(
    discord_points_at_standin: StandIn, http: aiohttp.ClientSession
) -> None:
    control = discord_points_at_standin.control_url
    guild, _ = await call(http, "POST", f"{control}/guilds", json={"name": "Emmy Night"})
    ada, _ = await call(http, "POST", f"{control}/guilds/{guild['id']}/members", json={"name": "Ada"})
    who = {"guild_id": guild["id"], "user_id": ada["user"]["id"]}

    async with running(LoungeTestBot(int(guild["id"]))):
        await call(http, "POST", f"{control}/wait/ready", json={"timeout": 5})
        await call(http, "POST", f"{control}/wait/synced", json={"guild_id": guild["id"]})
        asked, _ = await call(http, "POST", f"{control}/interactions/slash", json={**who, "command": "confirm"})
        message_id = asked["original"]["id"]
        chose, _ = await call(http, "POST", f"{control}/interactions/select", json={
            **who, "message_id": message_id, "custom_id": "confirm:mood", "values": ["gracious"],
        })
        unknown, _ = await call(http, "POST", f"{control}/interactions/select", expect=400, json={
            **who, "message_id": message_id, "custom_id": "confirm:mood", "values": ["smug"],
        })
        not_a_list, _ = await call(http, "POST", f"{control}/interactions/select", expect=400, json={
            **who, "message_id": message_id, "custom_id": "confirm:mood", "values": "gracious",
        })
        clicked, _ = await call(http, "POST", f"{control}/interactions/click", json={
            **who, "message_id": message_id, "custom_id": "confirm:yes",
        })

    assert chose["original"]["content"] == "feeling gracious"
    assert "not options of 'confirm:mood'" in unknown["error"]
    assert "values must be a list" in not_a_list["error"]
    assert clicked["response_type"] == 7
    violations, _ = await call(http, "GET", f"{control}/violations")
    assert violations == []


async def test_stopping_leaves_no_task_behind(http: aiohttp.ClientSession) -> None:
    before = asyncio.all_tasks()
    standin = StandIn(token=TOKEN)
    await standin.start()
    standin.create_guild("Emmy Night")
    async with http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json&compress=zlib-stream") as ws:
        await ws.receive(timeout=5)
        await ws.send_json({"op": 2, "d": {"token": TOKEN, "intents": 1, "properties": {}}})
        stopping = asyncio.create_task(standin.stop())
        async for _ in ws:
            pass
        await stopping

    assert ws.close_code == 1001
    assert asyncio.all_tasks() - before == set()


async def test_python_m_bot_standin_prints_its_addresses() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "standin", "--port", "0", "--guild", "Emmy Night",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=10)
        described = json.loads(line)
        assert described["api_base"].startswith("http://127.0.0.1:")
        assert described["gateway_url"] == described["api_base"].replace("http", "ws").replace("/api/v10", "/gateway")
        async with aiohttp.ClientSession() as http:
            state, _ = await call(http, "GET", described["control_url"])
        assert state["guilds"][0]["name"] == "Emmy Night"
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
