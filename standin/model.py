"""The stand-in's Discord state: users, guilds, roles, channels, members, messages, files.

Each object renders itself as the JSON Discord sends (``payload()``), and each change a
test makes (a new channel, a role given) is sent to the bot as the gateway event Discord
would send, through :class:`World.dispatch`. Members also carry the story verbs
(``slash``, ``click``…), which the interaction engine implements.
"""

# Story waits take `timeout=` on purpose: it reads better in tests than `async with asyncio.timeout()`,
# and every one of them is a hard deadline enforced by World.wait_for.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import itertools
import mimetypes
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

from standin.errors import StandInError, WaitTimeout
from standin.ids import SnowflakeGenerator, iso_now
from standin.mentions import NO_PINGS, Pings, compute_pings
from standin.permissions import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    NO_PERMISSIONS,
    Overwrite,
    Permissions,
    base_permissions,
    channel_permissions,
)
from standin.validation import FLAG_EPHEMERAL, FLAG_LOADING

if TYPE_CHECKING:
    from standin.commands import Attachment
    from standin.interactions import Reply, SentInteraction

JsonDict = dict[str, Any]
T = TypeVar("T")

# Gateway intents that gate the events the stand-in sends.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15

TEXT_CHANNEL = 0
VOICE_CHANNEL = 2
CATEGORY_CHANNEL = 4
ANNOUNCEMENT_CHANNEL = 5

DEFAULT_MESSAGE = 0
POLL_INTERVAL = 0.02
CHAT_INPUT_COMMAND_MESSAGE = 20


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


class WorldListener(Protocol):
    """Receives the gateway events a change produces (the gateway implements it)."""

    def dispatch(self, event: str, data: JsonDict, *, guild_id: int | None, intent: int) -> None: ...


class StoryDriver(Protocol):
    """What members' story verbs call (the interaction engine implements it)."""

    def send_slash(
        self, member: Member, command: str, channel: Channel | None, options: Mapping[str, object]
    ) -> SentInteraction: ...

    def send_autocomplete(
        self, member: Member, command: str, focused: str, channel: Channel | None, options: Mapping[str, object]
    ) -> SentInteraction: ...

    def send_click(self, member: Member, target: Reply | Message, custom_id: str) -> SentInteraction: ...

    def send_select(
        self, member: Member, target: Reply | Message, custom_id: str, values: Sequence[str]
    ) -> SentInteraction: ...

    def send_choice(self, member: Member, target: Reply | Message, menu: str, option: str) -> SentInteraction: ...

    def send_modal_submit(self, member: Member, target: Reply, values: Mapping[str, str]) -> SentInteraction: ...


@dataclass(eq=False)
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> JsonDict:
        data: JsonDict = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class Role:
    guild: Guild
    id: int
    name: str
    permissions: Permissions
    position: int
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    @property
    def is_everyone(self) -> bool:
        return self.id == self.guild.id

    @property
    def mention(self) -> str:
        return "@everyone" if self.is_everyone else f"<@&{self.id}>"

    def payload(self) -> JsonDict:
        data: JsonDict = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(int(self.permissions)),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class StoredAttachment:
    """A file on the stand-in's loopback CDN (sent by the bot or to it)."""

    id: int
    channel_id: int
    filename: str
    data: bytes
    content_type: str
    url: str
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    def payload(self) -> JsonDict:
        data: JsonDict = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            data["description"] = self.description
        if self.ephemeral:
            data["ephemeral"] = True
        return data


@dataclass(eq=False)
class Message:
    """A message the bot sent (channel message, interaction response or followup)."""

    id: int
    channel: Channel
    author: User
    content: str = ""
    embeds: list[JsonDict] = field(default_factory=list)
    components: list[JsonDict] = field(default_factory=list)
    attachments: list[StoredAttachment] = field(default_factory=list)
    flags: int = 0
    tts: bool = False
    type: int = DEFAULT_MESSAGE
    created_at: str = field(default_factory=iso_now)
    edited_at: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JsonDict | None = None
    nonce: str | int | None = None
    message_reference: JsonDict | None = None
    allowed_mentions: JsonDict | None = None
    pings: Pings = NO_PINGS
    deleted: bool = False
    #: Earlier versions of this message (payloads), oldest first.
    revisions: list[JsonDict] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred response still showing "thinking…"."""
        return bool(self.flags & FLAG_LOADING)

    @property
    def pings_everyone(self) -> bool:
        """True when the message notified @everyone or @here."""
        return self.pings.everyone or self.pings.here

    @property
    def pinged_user_ids(self) -> frozenset[int]:
        return self.pings.users

    @property
    def pinged_role_ids(self) -> frozenset[int]:
        return self.pings.roles

    @property
    def custom_ids(self) -> list[str]:
        """Every component custom id on the message, in order."""
        found: list[str] = []
        for component in _walk_components(self.components):
            if isinstance(component.get("custom_id"), str):
                found.append(component["custom_id"])
        return found

    def component(self, custom_id: str) -> JsonDict | None:
        for component in _walk_components(self.components):
            if component.get("custom_id") == custom_id:
                return component
        return None

    def payload(self) -> JsonDict:
        guild = self.channel.guild
        data: JsonDict = {
            "id": str(self.id),
            "type": self.type,
            "channel_id": str(self.channel.id),
            "guild_id": str(guild.id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": self.created_at,
            "edited_timestamp": self.edited_at,
            "tts": self.tts,
            "mention_everyone": self.pings.everyone or self.pings.here,
            "mentions": [
                guild.world.users[user_id].payload() for user_id in sorted(self.pings.users)
                if user_id in guild.world.users
            ],
            "mention_roles": [str(role_id) for role_id in sorted(self.pings.roles)],
            "mention_channels": [],
            "attachments": [attachment.payload() for attachment in self.attachments],
            "embeds": list(self.embeds),
            "reactions": [],
            "pinned": False,
            "flags": self.flags,
            "components": list(self.components),
            "sticker_items": [],
        }
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        return data


def _walk_components(components: Iterable[Any]) -> Iterable[JsonDict]:
    for component in components:
        if not isinstance(component, dict):
            continue
        yield component
        yield from _walk_components(component.get("components") or [])
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from _walk_components([child])


@dataclass(eq=False)
class Channel:
    guild: Guild
    id: int
    name: str
    type: int = TEXT_CHANNEL
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    parent_id: int | None = None
    overwrites: dict[tuple[int, int], Overwrite] = field(default_factory=dict)
    deleted: bool = False
    #: Every message ever created here, ephemeral and deleted ones included.
    history: list[Message] = field(default_factory=list)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def messages(self) -> list[Message]:
        """What a member sees in the channel: not deleted, not ephemeral."""
        return [m for m in self.history if not m.deleted and not m.ephemeral]

    async def wait_for_messages(
        self,
        count: int = 1,
        timeout: float = 5.0,
        *,
        where: Callable[[Message], bool] | None = None,
    ) -> list[Message]:
        """Wait until the channel shows at least ``count`` messages (matching ``where``)."""

        def enough() -> list[Message] | None:
            found = [m for m in self.messages if where is None or where(m)]
            return found if len(found) >= count else None

        return await self.guild.world.wait_for(
            enough,
            timeout=timeout,
            what=lambda: f"{count} message(s) in #{self.name} (have {len(self.messages)})",
        )

    def set_permissions(
        self,
        target: Role | Member,
        *,
        allow: Permissions = NO_PERMISSIONS,
        deny: Permissions = NO_PERMISSIONS,
    ) -> None:
        """Set a channel overwrite for a role or a member (e.g. deny the bot Send Messages)."""
        target_type = 0 if isinstance(target, Role) else 1
        self.overwrites[(target_type, target.id)] = Overwrite(target.id, target_type, allow, deny)
        self.guild.world.dispatch("CHANNEL_UPDATE", self.payload(), guild_id=self.guild.id, intent=INTENT_GUILDS)

    def permissions_for(self, member: Member) -> Permissions:
        return channel_permissions(
            member.guild_permissions,
            guild_id=self.guild.id,
            member_id=member.id,
            member_role_ids=member.role_ids,
            overwrites=self.overwrites.values(),
        )

    def payload(self) -> JsonDict:
        data: JsonDict = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild.id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [
                {
                    "id": str(o.target_id),
                    "type": o.target_type,
                    "allow": str(int(o.allow)),
                    "deny": str(int(o.deny)),
                }
                for o in self.overwrites.values()
            ],
            "parent_id": _sid(self.parent_id),
            "flags": 0,
        }
        if self.type in (TEXT_CHANNEL, ANNOUNCEMENT_CHANNEL):
            last = self.history[-1].id if self.history else None
            data |= {
                "topic": self.topic,
                "nsfw": self.nsfw,
                "rate_limit_per_user": 0,
                "last_message_id": _sid(last),
                "last_pin_timestamp": None,
                "default_auto_archive_duration": 1440,
                "default_thread_rate_limit_per_user": 0,
            }
        elif self.type == VOICE_CHANNEL:
            data |= {
                "bitrate": 64000,
                "user_limit": 0,
                "rtc_region": None,
                "nsfw": self.nsfw,
                "rate_limit_per_user": 0,
                "last_message_id": None,
            }
        return data


@dataclass(eq=False)
class Member:
    guild: Guild
    user: User
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)
    deaf: bool = False
    mute: bool = False

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.nick or self.user.global_name or self.user.username

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def roles(self) -> list[Role]:
        return [self.guild.roles[role_id] for role_id in self.role_ids if role_id in self.guild.roles]

    @property
    def top_role(self) -> Role:
        return max([self.guild.everyone, *self.roles], key=lambda role: role.position)

    @property
    def is_owner(self) -> bool:
        return self.guild.owner_id == self.id

    @property
    def guild_permissions(self) -> Permissions:
        return base_permissions(
            everyone=self.guild.everyone.permissions,
            role_permissions=(role.permissions for role in self.roles),
            is_owner=self.is_owner,
        )

    def has_role(self, role: Role | int) -> bool:
        role_id = role if isinstance(role, int) else role.id
        return role_id in self.role_ids

    def payload(self, *, permissions: Permissions | None = None, with_user: bool = True) -> JsonDict:
        data: JsonDict = {
            "roles": [str(role_id) for role_id in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": self.deaf,
            "mute": self.mute,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(int(permissions))
        return data

    # ---------------------------------------------------------------- story verbs

    def _driver(self) -> StoryDriver:
        driver = self.guild.world.driver
        if driver is None:
            raise StandInError("this member's stand-in has no interaction engine attached")
        return driver

    def send_slash(self, command: str, *, in_channel: Channel | None = None, **options: object) -> SentInteraction:
        """Dispatch ``/command`` (e.g. ``"pledge add"``) without waiting for the answer.

        ``in_channel`` is where the member types it (default: #general). Every other
        keyword is an option; a ``channel=`` keyword the command has no option for is
        taken as ``in_channel``.
        """
        return self._driver().send_slash(self, command, in_channel, options)

    async def slash(
        self, command: str, *, in_channel: Channel | None = None, timeout: float = 5.0, **options: object
    ) -> Reply:
        """Run ``/command`` like a member would and wait for the bot's answer (see :meth:`send_slash`).

        An option named ``timeout`` collides with the keyword; use :meth:`send_slash` for it.
        """
        return await self.send_slash(command, in_channel=in_channel, **options).reply(timeout=timeout)

    async def autocomplete(
        self,
        command: str,
        focused: str,
        *,
        in_channel: Channel | None = None,
        timeout: float = 5.0,
        **options: object,
    ) -> list[JsonDict]:
        """Type into option ``focused`` (its text is ``options[focused]``) and return the bot's choices."""
        sent = self._driver().send_autocomplete(self, command, focused, in_channel, options)
        reply = await sent.reply(timeout=timeout)
        return reply.choices

    def send_click(self, target: Reply | Message, custom_id: str) -> SentInteraction:
        """Press a button without waiting for the answer."""
        return self._driver().send_click(self, target, custom_id)

    async def click(self, target: Reply | Message, custom_id: str, *, timeout: float = 5.0) -> Reply:
        """Press the button ``custom_id`` on a reply (or one of its followups) or a message."""
        return await self.send_click(target, custom_id).reply(timeout=timeout)

    def send_select(self, target: Reply | Message, custom_id: str, values: Sequence[str]) -> SentInteraction:
        """Pick options in a select menu without waiting for the answer."""
        return self._driver().send_select(self, target, custom_id, values)

    async def select(
        self, target: Reply | Message, custom_id: str, values: Sequence[str], *, timeout: float = 5.0
    ) -> Reply:
        """Pick ``values`` in the select menu ``custom_id``."""
        return await self.send_select(target, custom_id, values).reply(timeout=timeout)

    def send_modal_submit(self, target: Reply, values: Mapping[str, str]) -> SentInteraction:
        """Submit the modal the bot opened without waiting for the answer."""
        return self._driver().send_modal_submit(self, target, values)

    def send_choice(self, target: Reply | Message, menu: str, option: str) -> SentInteraction:
        """Choose ``option`` (a value or a label) in the select menu ``menu`` (its custom id or
        placeholder) without waiting for the answer."""
        return self._driver().send_choice(self, target, menu, option)

    async def choose(self, target: Reply | Message, menu: str, option: str, *, timeout: float = 5.0) -> Reply:
        """Open the select menu ``menu`` (custom id or placeholder) and choose ``option`` (value or label)."""
        return await self.send_choice(target, menu, option).reply(timeout=timeout)

    async def submit_modal(self, target: Reply, values: Mapping[str, str], *, timeout: float = 5.0) -> Reply:
        """Fill in the modal the bot opened (text inputs by custom id) and submit it."""
        return await self.send_modal_submit(target, values).reply(timeout=timeout)


class Guild:
    """A server: @everyone (id == guild id), the bot's managed role, #general, owner and bot members."""

    def __init__(
        self,
        world: World,
        name: str,
        *,
        bot_permissions: Permissions = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: Permissions = DEFAULT_EVERYONE_PERMISSIONS,
        owner_name: str = "Owner",
    ) -> None:
        self.world = world
        self.id = world.ids.next()
        self.name = name
        self.joined_at = iso_now()
        self.roles: dict[int, Role] = {}
        self.channels: dict[int, Channel] = {}
        self.members: dict[int, Member] = {}
        self.roles[self.id] = Role(self, self.id, "@everyone", everyone_permissions, 0)
        bot_role = Role(
            self, world.ids.next(), world.bot_user.global_name or world.bot_user.username, bot_permissions, 1,
            managed=True, bot_id=world.bot_user.id,
        )
        self.roles[bot_role.id] = bot_role
        self.bot_role = bot_role
        owner = world.new_user(owner_name)
        self.owner_id = owner.id
        self.members[owner.id] = Member(self, owner)
        self.members[world.bot_user.id] = Member(self, world.bot_user, [bot_role.id])
        self.system_channel = self._new_channel("general", TEXT_CHANNEL, None)

    # ---------------------------------------------------------------- lookups

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    @property
    def bot_member(self) -> Member:
        return self.members[self.world.bot_user.id]

    @property
    def owner(self) -> Member:
        return self.members[self.owner_id]

    def member(self, user_id: int) -> Member:
        try:
            return self.members[int(user_id)]
        except KeyError:
            raise StandInError(f"no member {user_id} in {self.name!r}") from None

    def channel(self, name_or_id: str | int) -> Channel:
        for channel in self.channels.values():
            if not channel.deleted and (channel.id == name_or_id or channel.name == name_or_id):
                return channel
        raise StandInError(f"no channel {name_or_id!r} in {self.name!r}")

    def role(self, name_or_id: str | int) -> Role:
        for role in self.roles.values():
            if role.id == name_or_id or role.name == name_or_id:
                return role
        raise StandInError(f"no role {name_or_id!r} in {self.name!r}")

    # ---------------------------------------------------------------- changes

    def _new_channel(self, name: str, channel_type: int, parent: Channel | None) -> Channel:
        position = sum(1 for c in self.channels.values() if not c.deleted and c.type == channel_type)
        channel = Channel(
            self, self.world.ids.next(), name, channel_type, position,
            parent_id=None if parent is None else parent.id,
        )
        self.channels[channel.id] = channel
        self.world.channels[channel.id] = channel
        return channel

    def create_text_channel(self, name: str, *, topic: str | None = None, category: Channel | None = None) -> Channel:
        channel = self._new_channel(name, TEXT_CHANNEL, category)
        channel.topic = topic
        self.world.dispatch("CHANNEL_CREATE", channel.payload(), guild_id=self.id, intent=INTENT_GUILDS)
        return channel

    def create_category(self, name: str) -> Channel:
        channel = self._new_channel(name, CATEGORY_CHANNEL, None)
        self.world.dispatch("CHANNEL_CREATE", channel.payload(), guild_id=self.id, intent=INTENT_GUILDS)
        return channel

    def delete_channel(self, channel: Channel) -> None:
        channel.deleted = True
        self.world.dispatch("CHANNEL_DELETE", channel.payload(), guild_id=self.id, intent=INTENT_GUILDS)

    def create_role(
        self,
        name: str,
        *,
        permissions: Permissions = NO_PERMISSIONS,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
        above_bot: bool = False,
    ) -> Role:
        """A new role, just below the bot's role (or above it, to test the role hierarchy)."""
        if above_bot:
            position = max(role.position for role in self.roles.values()) + 1
        else:
            position = self.bot_role.position
            moved = [role for role in self.roles.values() if role.position >= position and not role.is_everyone]
            for role in moved:
                role.position += 1
        role = Role(self, self.world.ids.next(), name, permissions, position, color, hoist, False, mentionable)
        self.roles[role.id] = role
        self.world.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.payload()},
            guild_id=self.id, intent=INTENT_GUILDS,
        )
        if not above_bot:
            for other in moved:
                self.world.dispatch(
                    "GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": other.payload()},
                    guild_id=self.id, intent=INTENT_GUILDS,
                )
        return role

    def add_member(
        self,
        name: str,
        *,
        permissions: Permissions | None = None,
        roles: Sequence[Role] = (),
        nick: str | None = None,
        bot: bool = False,
    ) -> Member:
        """A new member; ``permissions`` gives them a role of their own holding those permissions."""
        user = self.world.new_user(name, bot=bot)
        role_ids = [role.id for role in roles]
        if permissions is not None:
            role_ids.append(self.create_role(f"{name} permissions", permissions=permissions).id)
        member = Member(self, user, role_ids, nick)
        self.members[user.id] = member
        self.world.dispatch(
            "GUILD_MEMBER_ADD", member.payload() | {"guild_id": str(self.id)},
            guild_id=self.id, intent=INTENT_GUILD_MEMBERS,
        )
        self.world.notify()
        return member

    def remove_member(self, member: Member) -> None:
        self.members.pop(member.id, None)
        self.world.dispatch(
            "GUILD_MEMBER_REMOVE", {"guild_id": str(self.id), "user": member.user.payload()},
            guild_id=self.id, intent=INTENT_GUILD_MEMBERS,
        )

    def set_member_roles(self, member: Member, role_ids: Iterable[int]) -> None:
        """Replace a member's roles and tell the bot (GUILD_MEMBER_UPDATE)."""
        member.role_ids = [role_id for role_id in dict.fromkeys(role_ids) if role_id != self.id]
        self.member_updated(member)

    def member_updated(self, member: Member) -> None:
        intent = 0 if member.user is self.world.bot_user else INTENT_GUILD_MEMBERS
        self.world.dispatch(
            "GUILD_MEMBER_UPDATE", member.payload() | {"guild_id": str(self.id)},
            guild_id=self.id, intent=intent,
        )
        self.world.notify()

    # ---------------------------------------------------------------- payloads

    def payload(self) -> JsonDict:
        """The guild object of ``GET /guilds/{id}``."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "home_header": None,
            "owner_id": str(self.owner_id),
            "application_id": None,
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": str(self.system_channel.id),
            "system_channel_flags": 0,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_presences": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "features": [],
            "roles": [role.payload() for role in sorted(self.roles.values(), key=lambda r: r.position)],
            "emojis": [],
            "stickers": [],
            "incidents_data": None,
        }

    def gateway_payload(self, *, all_members: bool) -> JsonDict:
        """GUILD_CREATE: the guild plus channels, members (the bot only, unless ``all_members``)…"""
        members = list(self.members.values()) if all_members else [self.bot_member]
        return self.payload() | {
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [member.payload() for member in members],
            "channels": [channel.payload() for channel in self.channels.values() if not channel.deleted],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
            "activity_instances": [],
            "application_command_counts": {},
        }


class World:
    """All state of one stand-in, plus the hooks that turn changes into gateway events."""

    def __init__(self, *, bot_name: str = "Losers Lounge", cdn_base: str = "") -> None:
        self.ids = SnowflakeGenerator()
        self.application_id = self.ids.next()
        #: The application's flags (e.g. 1 << 15, GATEWAY_GUILD_MEMBERS_LIMITED: the Server Members intent on).
        self.application_flags = 0
        #: Set on the developer portal, Discord sends interactions there instead of over the gateway.
        self.interactions_endpoint_url: str | None = None
        self.users: dict[int, User] = {}
        self.bot_user = self.new_user(bot_name, bot=True)
        self.app_owner = self.new_user(f"{bot_name} developer")
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, StoredAttachment] = {}
        self.cdn_base = cdn_base
        self.listener: WorldListener | None = None
        self.driver: StoryDriver | None = None
        self._waiters: list[asyncio.Event] = []
        self._user_names = itertools.count(1)

    # ---------------------------------------------------------------- events and waits

    def dispatch(self, event: str, data: JsonDict, *, guild_id: int | None, intent: int) -> None:
        if self.listener is not None:
            self.listener.dispatch(event, data, guild_id=guild_id, intent=intent)
        self.notify()

    def notify(self) -> None:
        """Something changed: wake every waiter so it re-checks its condition."""
        for event in self._waiters:
            event.set()

    async def wait_for(
        self, condition: Callable[[], T | None], *, timeout: float, what: Callable[[], str] | str
    ) -> T:
        """Return ``condition()`` once it is not None; raise :class:`WaitTimeout` after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = condition()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                description = what() if callable(what) else what
                raise WaitTimeout(f"timed out after {timeout:g}s waiting for {description}")
            event = asyncio.Event()
            self._waiters.append(event)
            try:
                # Also poll: a condition may depend on state outside the stand-in (the bot's cache).
                await asyncio.wait_for(event.wait(), min(remaining, POLL_INTERVAL))
            except TimeoutError:
                pass
            finally:
                self._waiters.remove(event)

    # ---------------------------------------------------------------- creation

    def new_user(self, name: str, *, bot: bool = False) -> User:
        user = User(self.ids.next(), name.lower().replace(" ", "_"), bot, global_name=name)
        self.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str,
        *,
        bot_permissions: Permissions = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: Permissions = DEFAULT_EVERYONE_PERMISSIONS,
        owner_name: str = "Owner",
    ) -> Guild:
        guild = Guild(
            self, name, bot_permissions=bot_permissions,
            everyone_permissions=everyone_permissions, owner_name=owner_name,
        )
        self.guilds[guild.id] = guild
        # GUILD_CREATE's member list depends on each session's intents: the gateway builds it.
        self.dispatch("GUILD_CREATE", {"id": str(guild.id)}, guild_id=guild.id, intent=0)
        return guild

    def store_attachment(
        self,
        channel_id: int,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        *,
        description: str | None = None,
        ephemeral: bool = False,
    ) -> StoredAttachment:
        attachment_id = self.ids.next()
        if not content_type or content_type == "application/octet-stream":
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = StoredAttachment(
            attachment_id, channel_id, filename, data, content_type,
            f"{self.cdn_base}/attachments/{channel_id}/{attachment_id}/{quote(filename)}",
            description, ephemeral,
        )
        self.attachments[attachment_id] = stored
        return stored

    def upload(self, channel: Channel, attachment: Attachment) -> StoredAttachment:
        """A file a member attaches to a slash command."""
        return self.store_attachment(
            channel.id, attachment.filename, attachment.data, attachment.content_type,
            description=attachment.description,
        )

    # ---------------------------------------------------------------- messages

    def _pings(self, channel: Channel, content: str, allowed_mentions: JsonDict | None) -> Pings:
        bot_permissions = channel.permissions_for(channel.guild.bot_member)
        return compute_pings(
            content,
            allowed_mentions,
            can_mention_everyone=bool(bot_permissions & Permissions.mention_everyone),
            mentionable_role_ids={r.id for r in channel.guild.roles.values() if r.mentionable},
        )

    def create_message(
        self,
        channel: Channel,
        body: Mapping[str, Any],
        attachments: Sequence[StoredAttachment] = (),
        *,
        flags: int = 0,
        message_type: int = DEFAULT_MESSAGE,
        webhook_id: int | None = None,
        interaction_metadata: JsonDict | None = None,
    ) -> Message:
        """Store a message the bot sent and tell the bot about it (MESSAGE_CREATE)."""
        content = body.get("content") or ""
        allowed_mentions = body.get("allowed_mentions")
        message = Message(
            self.ids.next(),
            channel,
            self.bot_user,
            content=content,
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            attachments=list(attachments),
            flags=flags,
            tts=bool(body.get("tts")),
            type=message_type,
            webhook_id=webhook_id,
            application_id=self.application_id if webhook_id is not None else None,
            interaction_metadata=interaction_metadata,
            nonce=body.get("nonce"),
            message_reference=body.get("message_reference"),
            allowed_mentions=allowed_mentions,
            pings=NO_PINGS if flags & FLAG_LOADING else self._pings(channel, content, allowed_mentions),
        )
        self.messages[message.id] = message
        channel.history.append(message)
        self._dispatch_message("MESSAGE_CREATE", message)
        self.notify()
        return message

    def edit_message(
        self,
        message: Message,
        body: Mapping[str, Any],
        new_attachments: Sequence[StoredAttachment] = (),
        *,
        fill: bool = False,
    ) -> Message:
        """Apply an edit (or, with ``fill``, the first answer to a deferred response)."""
        message.revisions.append(message.payload())
        if "content" in body:
            message.content = body.get("content") or ""
        if "embeds" in body:
            message.embeds = list(body.get("embeds") or [])
        if "components" in body:
            message.components = list(body.get("components") or [])
        if "allowed_mentions" in body:
            message.allowed_mentions = body.get("allowed_mentions")
        if "attachments" in body:
            kept_ids = {
                int(item["id"]) for item in body.get("attachments") or []
                if isinstance(item, Mapping) and str(item.get("id", "")).isdigit()
                and int(item["id"]) >= 1 << 22
            }
            message.attachments = [a for a in message.attachments if a.id in kept_ids]
        message.attachments.extend(new_attachments)
        if fill:
            message.flags &= ~FLAG_LOADING
            message.pings = self._pings(message.channel, message.content, message.allowed_mentions)
        else:
            message.edited_at = iso_now()
        if isinstance(body.get("flags"), int):
            # Only SUPPRESS_EMBEDS can be toggled by an edit.
            suppress = 1 << 2
            message.flags = (message.flags & ~suppress) | (body["flags"] & suppress)
        self._dispatch_message("MESSAGE_UPDATE", message)
        self.notify()
        return message

    def delete_message(self, message: Message) -> None:
        message.deleted = True
        if not message.ephemeral:
            guild = message.channel.guild
            self.dispatch(
                "MESSAGE_DELETE",
                {"id": str(message.id), "channel_id": str(message.channel.id), "guild_id": str(guild.id)},
                guild_id=guild.id, intent=INTENT_GUILD_MESSAGES,
            )
        self.notify()

    def _dispatch_message(self, event: str, message: Message) -> None:
        if message.ephemeral:
            return
        guild = message.channel.guild
        data = message.payload() | {"member": guild.bot_member.payload(with_user=False)}
        self.dispatch(event, data, guild_id=guild.id, intent=INTENT_GUILD_MESSAGES)
