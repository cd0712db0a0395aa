"""A small HTTP control API, so another process (benchmarks, a rehearsal) can drive the stand-in.

All under ``http://127.0.0.1:PORT/_standin``; bodies and answers are JSON; ids are strings.

=======  ==========================================  ==================================================
method   path                                        body → answer
=======  ==========================================  ==================================================
GET      /_standin                                   → addresses, application id, guilds
POST     /_standin/guilds                            {name, bot_permissions?} → guild summary
POST     /_standin/guilds/{guild_id}/channels        {name, topic?} → channel
POST     /_standin/guilds/{guild_id}/roles           {name, permissions?, mentionable?, above_bot?} → role
POST     /_standin/guilds/{guild_id}/members         {name, permissions?, roles?: [id]} → member
GET      /_standin/guilds/{guild_id}/members/{uid}   → member (``roles`` are the role ids)
GET      /_standin/channels/{channel_id}/messages    → visible messages, each with ``pings``
POST     /_standin/interactions/slash                {guild_id, user_id, command, options?, channel_id?,
                                                      wait?: true, timeout?: 5} → interaction record
POST     /_standin/interactions/autocomplete         {guild_id, user_id, command, focused, options?} → record
POST     /_standin/interactions/click                {guild_id, user_id, message_id, custom_id} → record
POST     /_standin/interactions/select               {guild_id, user_id, message_id, custom_id, values: [str]} → record
GET      /_standin/interactions                      → every interaction with timings
GET      /_standin/requests                          → every REST request the bot made
GET      /_standin/violations                        → violations; POST …/violations/take also clears
POST     /_standin/faults                            {route, kind: status|delay|drop, status?, times?,
                                                      retry_after?, seconds?} → ok
POST     /_standin/rate-limits                       {enabled, limit?, window?} → ok
POST     /_standin/gateway/{action}                  close {code} | drop | reconnect |
                                                      invalidate {resumable} → ok
POST     /_standin/wait/ready                        {timeout?} → ok (504 on timeout)
POST     /_standin/wait/synced                       {guild_id?, timeout?} → ok
=======  ==========================================  ==================================================

Option values of user/channel/role options are ids; an attachment option takes
``{"filename": ..., "data_base64": ..., "content_type"?: ...}``. Errors answer
``{"error": "..."}`` with 400 (refused invocation), 404 (unknown id) or 504 (timeout).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from standin.commands import Attachment
from standin.errors import InvalidInvocation, StandInError, WaitTimeout
from standin.interactions import SentInteraction
from standin.model import Guild, Member, Message
from standin.permissions import DEFAULT_BOT_PERMISSIONS, Permissions

if TYPE_CHECKING:
    from standin.story import StandIn

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX = "/_standin"


def _json(data: object, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


def _error(message: str, status: int) -> web.Response:
    return _json({"error": message}, status)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise InvalidInvocation("the body must be a JSON object")
    return data


def _guarded(handler: Handler) -> Handler:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except WaitTimeout as error:
            return _error(str(error), 504)
        except (InvalidInvocation, ValueError, TypeError, json.JSONDecodeError) as error:
            return _error(str(error), 400)
        except (StandInError, KeyError) as error:
            return _error(str(error), 404)

    return wrapper


def _message_view(message: Message) -> dict[str, Any]:
    return message.payload() | {
        "pings": {
            "everyone": message.pings.everyone,
            "here": message.pings.here,
            "users": [str(u) for u in sorted(message.pings.users)],
            "roles": [str(r) for r in sorted(message.pings.roles)],
        }
    }


class ControlApi:
    """Routes of the control API over one :class:`~standin.story.StandIn`."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin

    def routes(self) -> list[tuple[str, str, Handler]]:
        table: list[tuple[str, str, Handler]] = [
            ("GET", "", self.describe),
            ("POST", "/guilds", self.create_guild),
            ("POST", "/guilds/{guild_id}/channels", self.create_channel),
            ("POST", "/guilds/{guild_id}/roles", self.create_role),
            ("POST", "/guilds/{guild_id}/members", self.add_member),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("GET", "/channels/{channel_id}/messages", self.channel_messages),
            ("POST", "/interactions/slash", self.slash),
            ("POST", "/interactions/autocomplete", self.autocomplete),
            ("POST", "/interactions/click", self.click),
            ("POST", "/interactions/select", self.select),
            ("GET", "/interactions", self.interactions),
            ("GET", "/requests", self.requests),
            ("GET", "/violations", self.violations),
            ("POST", "/violations/take", self.take_violations),
            ("POST", "/faults", self.add_fault),
            ("POST", "/rate-limits", self.rate_limits),
            ("POST", "/gateway/{action}", self.gateway_action),
            ("POST", "/wait/ready", self.wait_ready),
            ("POST", "/wait/synced", self.wait_synced),
        ]
        return [(method, PREFIX + path, _guarded(handler)) for method, path, handler in table]

    # ---------------------------------------------------------------- lookups

    def _guild(self, raw_id: object) -> Guild:
        return self.standin.guild(int(str(raw_id)))

    def _member(self, guild: Guild, raw_id: object) -> Member:
        return guild.member(int(str(raw_id)))

    # ---------------------------------------------------------------- state

    async def describe(self, request: web.Request) -> web.Response:
        return _json(self.standin.describe())

    async def create_guild(self, request: web.Request) -> web.Response:
        body = await _body(request)
        permissions = Permissions(int(body.get("bot_permissions", int(DEFAULT_BOT_PERMISSIONS))))
        guild = self.standin.create_guild(str(body["name"]), bot_permissions=permissions)
        return _json({
            "id": str(guild.id),
            "name": guild.name,
            "system_channel_id": str(guild.system_channel.id),
            "bot_role_id": str(guild.bot_role.id),
            "owner_id": str(guild.owner_id),
        })

    async def create_channel(self, request: web.Request) -> web.Response:
        guild = self._guild(request.match_info["guild_id"])
        body = await _body(request)
        channel = guild.create_text_channel(str(body["name"]), topic=body.get("topic"))
        return _json(channel.payload())

    async def create_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request.match_info["guild_id"])
        body = await _body(request)
        role = guild.create_role(
            str(body["name"]),
            permissions=Permissions(int(body.get("permissions", 0))),
            mentionable=bool(body.get("mentionable", False)),
            above_bot=bool(body.get("above_bot", False)),
        )
        return _json(role.payload())

    async def add_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request.match_info["guild_id"])
        body = await _body(request)
        permissions = Permissions(int(body["permissions"])) if "permissions" in body else None
        roles = [guild.roles[int(role_id)] for role_id in body.get("roles") or []]
        member = guild.add_member(str(body["name"]), permissions=permissions, roles=roles)
        return _json(member.payload())

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request.match_info["guild_id"])
        return _json(self._member(guild, request.match_info["user_id"]).payload())

    async def channel_messages(self, request: web.Request) -> web.Response:
        channel = self.standin.world.channels[int(request.match_info["channel_id"])]
        return _json([_message_view(m) for m in channel.messages])

    # ---------------------------------------------------------------- interactions

    def _options(self, raw: Mapping[str, Any]) -> dict[str, object]:
        options: dict[str, object] = {}
        for name, value in raw.items():
            if isinstance(value, Mapping) and "data_base64" in value:
                options[name] = Attachment(
                    str(value["filename"]), base64.b64decode(str(value["data_base64"])), value.get("content_type")
                )
            else:
                options[name] = value
        return options

    async def _answer(self, sent: SentInteraction, body: Mapping[str, Any]) -> web.Response:
        if body.get("wait", True):
            await sent.reply(timeout=float(body.get("timeout", 5.0)))
        return _json(sent.record.as_dict())

    async def slash(self, request: web.Request) -> web.Response:
        body = await _body(request)
        guild = self._guild(body["guild_id"])
        member = self._member(guild, body["user_id"])
        channel = guild.channel(int(body["channel_id"])) if body.get("channel_id") else None
        options = self._options(body.get("options") or {})
        sent = self.standin.engine.send_slash(member, str(body["command"]), channel, options)
        return await self._answer(sent, body)

    async def autocomplete(self, request: web.Request) -> web.Response:
        body = await _body(request)
        guild = self._guild(body["guild_id"])
        member = self._member(guild, body["user_id"])
        channel = guild.channel(int(body["channel_id"])) if body.get("channel_id") else None
        sent = self.standin.engine.send_autocomplete(
            member, str(body["command"]), str(body["focused"]), channel, self._options(body.get("options") or {})
        )
        return await self._answer(sent, body)

    async def click(self, request: web.Request) -> web.Response:
        body = await _body(request)
        guild = self._guild(body["guild_id"])
        member = self._member(guild, body["user_id"])
        message = self.standin.world.messages[int(body["message_id"])]
        sent = self.standin.engine.send_click(member, message, str(body["custom_id"]))
        return await self._answer(sent, body)

    async def select(self, request: web.Request) -> web.Response:
        body = await _body(request)
        guild = self._guild(body["guild_id"])
        member = self._member(guild, body["user_id"])
        message = self.standin.world.messages[int(body["message_id"])]
        values = body.get("values")
        if not isinstance(values, list):
            return _error("values must be a list of the chosen options' values", 400)
        sent = self.standin.engine.send_select(member, message, str(body["custom_id"]), [str(v) for v in values])
        return await self._answer(sent, body)

    async def interactions(self, request: web.Request) -> web.Response:
        return _json([record.as_dict() for record in self.standin.interaction_log])

    async def requests(self, request: web.Request) -> web.Response:
        return _json([
            {"method": r.method, "route": r.route, "path": r.path, "status": r.status,
             "started_at": r.started_at, "finished_at": r.finished_at, "fault": r.fault}
            for r in self.standin.requests
        ])

    async def violations(self, request: web.Request) -> web.Response:
        return _json([v.as_dict() for v in self.standin.violations])

    async def take_violations(self, request: web.Request) -> web.Response:
        return _json([v.as_dict() for v in self.standin.take_violations()])

    # ---------------------------------------------------------------- faults and waits

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await _body(request)
        route, kind, times = str(body["route"]), str(body.get("kind", "status")), int(body.get("times", 1))
        faults = self.standin.faults
        if kind == "status":
            faults.fail_next(
                route, status=int(body.get("status", 500)), times=times,
                retry_after=float(body.get("retry_after", 1.0)), is_global=bool(body.get("global", False)),
            )
        elif kind == "delay":
            faults.delay_next(route, float(body["seconds"]), times=times)
        elif kind == "drop":
            faults.drop_next(route, times=times)
        else:
            raise InvalidInvocation(f"unknown fault kind {kind!r}")
        return _json({"ok": True})

    async def rate_limits(self, request: web.Request) -> web.Response:
        body = await _body(request)
        if body.get("enabled", True):
            self.standin.faults.enable_rate_limits(int(body.get("limit", 5)), float(body.get("window", 5.0)))
        else:
            self.standin.faults.disable_rate_limits()
        return _json({"ok": True})

    async def gateway_action(self, request: web.Request) -> web.Response:
        body = await _body(request)
        gateway = self.standin.gateway
        action = request.match_info["action"]
        if action == "close":
            await gateway.close(int(body.get("code", 4000)))
        elif action == "drop":
            await gateway.drop()
        elif action == "reconnect":
            gateway.reconnect()
        elif action == "invalidate":
            gateway.invalidate_session(resumable=bool(body.get("resumable", False)))
        else:
            raise InvalidInvocation(f"unknown gateway action {action!r}")
        return _json({"ok": True})

    async def wait_ready(self, request: web.Request) -> web.Response:
        body = await _body(request)
        await self.standin.wait_until_ready(timeout=float(body.get("timeout", 10.0)))
        return _json({"ok": True})

    async def wait_synced(self, request: web.Request) -> web.Response:
        body = await _body(request)
        guild = self._guild(body["guild_id"]) if body.get("guild_id") else None
        await self.standin.wait_for_commands_synced(guild, timeout=float(body.get("timeout", 5.0)))
        return _json({"ok": True})
