"""Discord's REST routes, as far as a discord.py bot of this project uses them.

Every handler returns JSON (``Content-Type: application/json`` exactly, see
:func:`json_response`) or 204, and raises :class:`~standin.errors.DiscordHTTPError`
for Discord's error answers; the server turns those into the error body and records
them as violations.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from standin import errors
from standin.commands import CommandStore
from standin.errors import DiscordHTTPError
from standin.interactions import ATTACHMENT_SIZE_LIMIT, InteractionEngine, UploadedFile
from standin.model import Channel, Guild, Member, Message, Role, World
from standin.permissions import Permissions
from standin.spec import ApiSpec
from standin.validation import (
    FLAG_IS_COMPONENTS_V2,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    FieldError,
    is_empty_message,
    validate_command_list,
    validate_message,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CHANNEL_MESSAGE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2


def json_response(data: object, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """A JSON answer whose Content-Type is exactly ``application/json`` (discord.py compares it)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json", headers=headers
    )


def no_content() -> web.Response:
    return web.Response(status=204)


@dataclass(frozen=True, slots=True)
class RouteSpec:
    method: str
    template: str
    handler: Handler
    needs_bot_token: bool = True


Body = tuple[Any, list[UploadedFile]]
# The body of the request this task is serving (aiohttp serves each request in its own task),
# so the spec check and the handler read it once between them.
_current_body: ContextVar[tuple[web.Request, Body] | None] = ContextVar("standin_current_body", default=None)


async def read_body(request: web.Request) -> Body:
    """JSON body, or multipart ``payload_json`` + ``files[n]``; invalid JSON → 400 50109."""
    cached = _current_body.get()
    if cached is not None and cached[0] is request:
        return cached[1]
    body = await _read_body(request)
    _current_body.set((request, body))
    return body


async def _read_body(request: web.Request) -> Body:
    if not request.can_read_body:
        return {}, []
    if request.content_type.startswith("multipart/"):
        payload: Any = {}
        files: list[UploadedFile] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = _decode_json(await part.text())
            elif part.filename is not None:
                data = await part.read()
                if len(data) > ATTACHMENT_SIZE_LIMIT:
                    raise errors.entity_too_large()
                files.append(
                    UploadedFile(
                        part.name or "", part.filename, bytes(data),
                        part.headers.get("Content-Type", "application/octet-stream"),
                    )
                )
        return payload, files
    return _decode_json(await request.text()), []


def _decode_json(text: str) -> Any:
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.") from None


def _snowflake(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise errors.invalid_form_body(
            [FieldError((name,), "NUMBER_TYPE_COERCE", f"Value {raw!r} is not snowflake.")]
        )
    return int(raw)


def _as_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise errors.invalid_form_body(
            [FieldError((), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")]
        )
    return body


class RestApi:
    """Handlers for Discord's REST routes, over the stand-in's state."""

    def __init__(
        self,
        world: World,
        commands: CommandStore,
        engine: InteractionEngine,
        *,
        gateway_url: Callable[[], str],
        spec: ApiSpec | None = None,
    ) -> None:
        self.world = world
        self.commands = commands
        self.engine = engine
        self._gateway_url = gateway_url
        self._nonces: dict[tuple[int, str], Message] = {}
        #: Discord's OpenAPI description, judge of every request body (None: not checked).
        self.spec = spec
        #: Request bodies checked against the spec, and how many it refused.
        self.spec_checked = 0
        self.spec_refused = 0

    def routes(self) -> list[RouteSpec]:
        bot = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/@me/guilds", self.list_my_guilds),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/applications/{application_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/commands", self.put_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.list_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/roles", self.get_roles),
            ("GET", "/guilds/{guild_id}/channels", self.get_channels),
            ("GET", "/guilds/{guild_id}/members", self.list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}", self.edit_member),
            ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.add_role),
            ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.remove_role),
        ]
        webhook = [
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self.execute_webhook),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.get_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.edit_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.delete_webhook_message),
        ]
        return [RouteSpec(m, t, h) for m, t, h in bot] + [RouteSpec(m, t, h, False) for m, t, h in webhook]

    async def check_body(self, request: web.Request, path: str) -> None:
        """Refuse (400 50035) a request whose body Discord's OpenAPI description rejects."""
        if self.spec is None:
            return
        operation = self.spec.operation(request.method, path)
        if operation is None or operation.body_pointer is None:
            return
        body, _ = await read_body(request)
        self.spec_checked += 1
        field_errors = self.spec.check_operation(operation, body)
        if field_errors:
            self.spec_refused += 1
            raise errors.invalid_form_body(field_errors)

    # ---------------------------------------------------------------- lookups

    def _guild(self, request: web.Request) -> Guild:
        guild = self.world.guilds.get(_snowflake(request, "guild_id"))
        if guild is None:
            raise errors.unknown("Guild")
        return guild

    def _channel(self, request: web.Request) -> Channel:
        channel = self.world.channels.get(_snowflake(request, "channel_id"))
        if channel is None or channel.deleted:
            raise errors.unknown("Channel")
        if not channel.permissions_for(channel.guild.bot_member) & Permissions.view_channel:
            raise errors.missing_access(f"the bot cannot see #{channel.name}")
        return channel

    def _member(self, guild: Guild, request: web.Request) -> Member:
        member = guild.members.get(_snowflake(request, "user_id"))
        if member is None:
            raise errors.unknown("Member")
        return member

    def _role(self, guild: Guild, request: web.Request) -> Role:
        role = guild.roles.get(_snowflake(request, "role_id"))
        if role is None:
            raise errors.unknown("Role")
        return role

    def _channel_message(self, channel: Channel, request: web.Request) -> Message:
        message = self.world.messages.get(_snowflake(request, "message_id"))
        if message is None or message.deleted or message.ephemeral or message.channel is not channel:
            raise errors.unknown("Message")
        return message

    # ---------------------------------------------------------------- users, application, gateway

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(self.world.bot_user.payload() | {"verified": True, "mfa_enabled": False})

    async def list_my_guilds(self, request: web.Request) -> web.Response:
        """The bot's servers (``MyGuildResponse``), by ascending id: ``after``/``before`` a guild id, ``limit``
        1-200 (default 200); ``with_counts`` adds the approximate member and presence counts."""
        try:
            limit = int(request.query.get("limit", "200"))
            before = int(request.query["before"]) if "before" in request.query else None
            after = int(request.query["after"]) if "after" in request.query else None
        except ValueError:
            raise errors.invalid_form_body([FieldError(("limit",), "NUMBER_TYPE_COERCE", "Bad query")]) from None
        if not 1 <= limit <= 200:
            raise errors.invalid_form_body([FieldError(("limit",), "NUMBER_TYPE_MAX", "Must be 1 to 200.")])
        bot_id = self.world.bot_user.id
        mine = sorted((g for g in self.world.guilds.values() if bot_id in g.members), key=lambda g: g.id)
        if after is not None:
            mine = [g for g in mine if g.id > after][:limit]
        elif before is not None:
            mine = [g for g in mine if g.id < before][-limit:]
        else:
            mine = mine[:limit]
        with_counts = request.query.get("with_counts") in ("1", "true", "True")
        listed = []
        for guild in mine:
            item: dict[str, object] = {
                "id": str(guild.id), "name": guild.name, "icon": None, "banner": None,
                "owner": guild.owner_id == bot_id, "permissions": str(int(guild.bot_member.guild_permissions)),
                "features": [],
            }
            if with_counts:
                item |= {"approximate_member_count": len(guild.members), "approximate_presence_count": 0}
            listed.append(item)
        return json_response(listed)

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.world.users.get(_snowflake(request, "user_id"))
        if user is None:
            raise errors.unknown("User")
        return json_response(user.payload())

    async def get_application(self, request: web.Request) -> web.Response:
        bot = self.world.bot_user
        return json_response({
            "id": str(self.world.application_id),
            "name": bot.global_name or bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": bot.payload(),
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.world.application_flags,
            "owner": self.world.app_owner.payload(),
            "team": None,
            "hook": True,
            "interactions_endpoint_url": self.world.interactions_endpoint_url,
            "redirect_uris": [],
            "rpc_origins": [],
            "tags": [],
            "approximate_guild_count": len(self.world.guilds),
            "integration_types_config": {"0": {}},
        })

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self._gateway_url()})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response({
            "url": self._gateway_url(),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1},
        })

    # ---------------------------------------------------------------- application commands

    def _command_scope(self, request: web.Request) -> int | None:
        if _snowflake(request, "application_id") != self.world.application_id:
            raise errors.unknown("Application")
        if "guild_id" not in request.match_info:
            return None
        guild = self._guild(request)
        if guild.world.bot_user.id not in guild.members:
            raise errors.missing_access("the bot is not in that guild")
        return guild.id

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.commands.listing(self._command_scope(request)))

    async def put_commands(self, request: web.Request) -> web.Response:
        guild_id = self._command_scope(request)
        body, _ = await read_body(request)
        field_errors = validate_command_list(body)
        if field_errors:
            raise errors.invalid_form_body(field_errors)
        return json_response(self.commands.overwrite(guild_id, body))

    # ---------------------------------------------------------------- channels and messages

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload())

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if not channel.permissions_for(channel.guild.bot_member) & Permissions.read_message_history:
            return json_response([])
        try:
            limit = max(1, min(100, int(request.query.get("limit", "50"))))
            before = int(request.query["before"]) if "before" in request.query else None
            after = int(request.query["after"]) if "after" in request.query else None
        except ValueError:
            raise errors.invalid_form_body([FieldError(("limit",), "NUMBER_TYPE_COERCE", "Bad query")]) from None
        messages = channel.messages
        if before is not None:
            messages = [m for m in messages if m.id < before]
        if after is not None:
            messages = [m for m in messages if m.id > after][:limit]
        newest_first = list(reversed(messages))[:limit]
        return json_response([m.payload() for m in newest_first])

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        raw, files = await read_body(request)
        body = _as_object(raw)
        field_errors = validate_message(body, allowed_flags=CHANNEL_MESSAGE_FLAGS)
        if len(files) > 10:
            field_errors.append(FieldError(("files",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
        if field_errors:
            raise errors.invalid_form_body(field_errors)
        if is_empty_message(body, file_count=len(files)):
            raise errors.empty_message()
        bot_permissions = channel.permissions_for(channel.guild.bot_member)
        if not bot_permissions & Permissions.send_messages:
            raise errors.missing_permissions(f"the bot lacks Send Messages in #{channel.name}")
        if body.get("embeds") and not bot_permissions & Permissions.embed_links:
            raise errors.missing_permissions(f"the bot lacks Embed Links in #{channel.name}")
        if files and not bot_permissions & Permissions.attach_files:
            raise errors.missing_permissions(f"the bot lacks Attach Files in #{channel.name}")
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce is not None:
            earlier = self._nonces.get((channel.id, str(nonce)))
            if earlier is not None:
                return json_response(earlier.payload())
        stored = self.engine.store_files(channel, body, files, ephemeral=False)
        flags = int(body.get("flags") or 0) & CHANNEL_MESSAGE_FLAGS
        message = self.world.create_message(channel, body, stored, flags=flags)
        if nonce is not None:
            self._nonces[(channel.id, str(nonce))] = message
        return json_response(message.payload())

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        return json_response(self._channel_message(channel, request).payload())

    async def edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._channel_message(channel, request)
        if message.author is not self.world.bot_user or message.webhook_id is not None:
            raise errors.cannot_edit_others_message()
        raw, files = await read_body(request)
        body = _as_object(raw)
        field_errors = validate_message(body, allowed_flags=CHANNEL_MESSAGE_FLAGS)
        if field_errors:
            raise errors.invalid_form_body(field_errors)
        merged = {key: body.get(key, value) for key, value in message.payload().items()}
        kept_files = len(message.attachments) if "attachments" not in body else 0
        if is_empty_message(merged, file_count=len(files) + kept_files):
            raise errors.empty_message()
        stored = self.engine.store_files(channel, body, files, ephemeral=False)
        self.world.edit_message(message, body, stored)
        return json_response(message.payload())

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._channel_message(channel, request)
        own = message.author is self.world.bot_user
        if not own and not channel.permissions_for(channel.guild.bot_member) & Permissions.manage_messages:
            raise errors.missing_permissions(f"the bot lacks Manage Messages in #{channel.name}")
        self.world.delete_message(message)
        return no_content()

    async def typing(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if not channel.permissions_for(channel.guild.bot_member) & Permissions.send_messages:
            raise errors.missing_permissions(f"the bot lacks Send Messages in #{channel.name}")
        return no_content()

    # ---------------------------------------------------------------- guilds, members, roles

    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        payload = guild.payload()
        if request.query.get("with_counts") in ("1", "true", "True"):
            payload |= {"approximate_member_count": len(guild.members), "approximate_presence_count": 0}
        return json_response(payload)

    async def get_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([role.payload() for role in sorted(guild.roles.values(), key=lambda r: r.position)])

    async def get_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([c.payload() for c in guild.channels.values() if not c.deleted])

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        try:
            limit = max(1, min(1000, int(request.query.get("limit", "1"))))
            after = int(request.query.get("after", "0"))
        except ValueError:
            raise errors.invalid_form_body([FieldError(("limit",), "NUMBER_TYPE_COERCE", "Bad query")]) from None
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[:limit]
        return json_response([m.payload() for m in members])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response(self._member(guild, request).payload())

    def _check_can_manage_role(self, guild: Guild, role: Role) -> None:
        bot = guild.bot_member
        if not bot.guild_permissions & Permissions.manage_roles:
            raise errors.missing_permissions("the bot lacks Manage Roles")
        if role.is_everyone or role.managed:
            raise errors.missing_permissions(f"role {role.name!r} is managed and cannot be assigned")
        top = bot.top_role
        if not bot.is_owner and role.position >= top.position:
            raise errors.missing_permissions(
                f"role {role.name!r} (position {role.position}) is not below the bot's top role "
                f"{top.name!r} (position {top.position})"
            )

    async def add_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request)
        role = self._role(guild, request)
        self._check_can_manage_role(guild, role)
        if role.id not in member.role_ids:
            guild.set_member_roles(member, [*member.role_ids, role.id])
        return no_content()

    async def remove_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request)
        role = self._role(guild, request)
        self._check_can_manage_role(guild, role)
        if role.id in member.role_ids:
            guild.set_member_roles(member, [r for r in member.role_ids if r != role.id])
        return no_content()

    async def edit_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = self._member(guild, request)
        body = _as_object((await read_body(request))[0])
        bot = guild.bot_member
        if "roles" in body:
            wanted = [int(role_id) for role_id in body.get("roles") or []]
            unknown = [role_id for role_id in wanted if role_id not in guild.roles]
            if unknown:
                raise errors.invalid_form_body(
                    [FieldError(("roles", wanted.index(unknown[0])), "UNKNOWN_ROLE", "Unknown role")]
                )
            for role_id in set(wanted) ^ set(member.role_ids):
                self._check_can_manage_role(guild, guild.roles[role_id])
        if "nick" in body:
            needed = Permissions.change_nickname if member is bot else Permissions.manage_nicknames
            if not bot.guild_permissions & needed:
                raise errors.missing_permissions("the bot cannot change that nickname")
            if member is not bot and (member.is_owner or member.top_role.position >= bot.top_role.position):
                raise errors.missing_permissions(f"{member.name} is above the bot in the role hierarchy")
            nick = body.get("nick")
            if nick is not None and not 1 <= len(str(nick)) <= 32:
                raise errors.invalid_form_body([FieldError(("nick",), "BASE_TYPE_BAD_LENGTH",
                                                           "Must be between 1 and 32 in length.")])
            member.nick = nick or None
        if "roles" in body:
            guild.set_member_roles(member, [int(role_id) for role_id in body.get("roles") or []])
        else:
            guild.member_updated(member)
        return json_response(member.payload())

    # ---------------------------------------------------------------- interactions and webhooks

    async def interaction_callback(self, request: web.Request) -> web.Response:
        interaction_id = _snowflake(request, "interaction_id")
        raw, files = await read_body(request)
        response = self.engine.callback(
            interaction_id, request.match_info["interaction_token"], _as_object(raw), files
        )
        if request.query.get("with_response") in ("1", "true", "True"):
            return json_response(response)
        return no_content()

    async def execute_webhook(self, request: web.Request) -> web.Response:
        webhook_id = _snowflake(request, "webhook_id")
        raw, files = await read_body(request)
        message = self.engine.followup(webhook_id, request.match_info["webhook_token"], _as_object(raw), files)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message.payload())
        return no_content()

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        message = self.engine.get_message(
            _snowflake(request, "webhook_id"), request.match_info["webhook_token"],
            request.match_info["message_id"],
        )
        return json_response(message.payload())

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        raw, files = await read_body(request)
        message = self.engine.edit_message(
            _snowflake(request, "webhook_id"), request.match_info["webhook_token"],
            request.match_info["message_id"], _as_object(raw), files,
        )
        return json_response(message.payload())

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        self.engine.delete_message(
            _snowflake(request, "webhook_id"), request.match_info["webhook_token"],
            request.match_info["message_id"],
        )
        return no_content()

