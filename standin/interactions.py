"""Interactions: building INTERACTION_CREATE, and Discord's rules for answering one.

The engine creates interactions for the story (slash commands, autocomplete, button
clicks, select menus, modal submits), hands them to the gateway, and implements the
webhook side the bot answers through: the initial callback (once, within the
deadline: 3 s), followups and ``@original`` edits (within the token's lifetime:
15 min). Every interaction is kept as an :class:`InteractionRecord` with its timings,
so benchmarks can read dispatch → callback latency.
"""

# Story waits take `timeout=` on purpose: it reads better in tests than `async with asyncio.timeout()`,
# and every one of them is a hard deadline enforced by World.wait_for.
# ruff: noqa: ASYNC109

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from standin import errors
from standin.commands import CommandStore, build_invocation, leaf_option_names
from standin.errors import DiscordHTTPError, InvalidInvocation, StandInError
from standin.model import (
    ANNOUNCEMENT_CHANNEL,
    CHAT_INPUT_COMMAND_MESSAGE,
    DEFAULT_MESSAGE,
    TEXT_CHANNEL,
    Channel,
    JsonDict,
    Member,
    Message,
    StoredAttachment,
    World,
)
from standin.permissions import Permissions
from standin.validation import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    BUTTON,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    FLAG_EPHEMERAL,
    FLAG_IS_COMPONENTS_V2,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    LINK_BUTTON_STYLE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    SELECT_TYPES,
    UPDATE_MESSAGE,
    is_empty_message,
    validate_callback,
    validate_message,
)

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
RESPONSE_FLAGS = FLAG_EPHEMERAL | FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2
WEBHOOK_FLAGS = RESPONSE_FLAGS


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    field_name: str
    filename: str
    data: bytes
    content_type: str


class InteractionSink(Protocol):
    """Where interactions go (the gateway)."""

    def dispatch_interaction(self, data: JsonDict, *, guild_id: int, on_sent: Callable[[], None]) -> None: ...


@dataclass(eq=False)
class InteractionRecord:
    """One interaction, what the bot answered and when (``time.perf_counter()`` seconds)."""

    id: int
    token: str
    type: int
    label: str
    member: Member
    channel: Channel
    payload: JsonDict
    created_at: float
    queued_at: float
    focused_type: int = 3
    component_message: Message | None = None
    dispatched_at: list[float] = field(default_factory=list)
    callback_at: float | None = None
    completed_at: float | None = None
    response_type: int | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    choices: list[JsonDict] | None = None
    modal: JsonDict | None = None
    callback_attempts: int = 0
    rejections: list[str] = field(default_factory=list)

    @property
    def deliveries(self) -> int:
        return len(self.dispatched_at)

    @property
    def response_latency(self) -> float | None:
        """Seconds from the first INTERACTION_CREATE frame written to the accepted callback."""
        if self.callback_at is None or not self.dispatched_at:
            return None
        return self.callback_at - self.dispatched_at[0]

    @property
    def completion_latency(self) -> float | None:
        """Like :attr:`response_latency`, up to the answer that filled a deferred response."""
        if self.completed_at is None or not self.dispatched_at:
            return None
        return self.completed_at - self.dispatched_at[0]

    def as_dict(self) -> JsonDict:
        return {
            "id": str(self.id),
            "type": self.type,
            "label": self.label,
            "user_id": str(self.member.id),
            "channel_id": str(self.channel.id),
            "queued_at": self.queued_at,
            "dispatched_at": list(self.dispatched_at),
            "callback_at": self.callback_at,
            "completed_at": self.completed_at,
            "response_type": self.response_type,
            "response_latency": self.response_latency,
            "completion_latency": self.completion_latency,
            "callback_attempts": self.callback_attempts,
            "rejections": list(self.rejections),
            "original": None if self.original is None else self.original.payload(),
            "followups": [message.payload() for message in self.followups],
            "choices": self.choices,
            "modal": self.modal,
        }


class Reply:
    """The bot's answer to one interaction, read live from the record."""

    def __init__(self, record: InteractionRecord, engine: InteractionEngine) -> None:
        self.record = record
        self._engine = engine

    def __repr__(self) -> str:
        return (
            f"<Reply {self.record.label} type={self.response_type} ephemeral={self.ephemeral} "
            f"content={self.content!r} embeds={len(self.embeds)} followups={len(self.followups)}>"
        )

    @property
    def interaction_id(self) -> int:
        return self.record.id

    @property
    def response_type(self) -> int | None:
        """4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete, 9 modal."""
        return self.record.response_type

    @property
    def deferred(self) -> bool:
        return self.response_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE)

    @property
    def message(self) -> Message | None:
        """The original response (for a click answered by 6/7, the clicked message)."""
        return self.record.original

    @property
    def content(self) -> str:
        return self.message.content if self.message is not None else ""

    @property
    def embeds(self) -> list[JsonDict]:
        return self.message.embeds if self.message is not None else []

    @property
    def components(self) -> list[JsonDict]:
        return self.message.components if self.message is not None else []

    @property
    def attachments(self) -> list[StoredAttachment]:
        return self.message.attachments if self.message is not None else []

    @property
    def ephemeral(self) -> bool:
        return self.message.ephemeral if self.message is not None else False

    @property
    def followups(self) -> list[Message]:
        """Followup messages, not counting the one that filled a deferred response."""
        return list(self.record.followups)

    @property
    def choices(self) -> list[JsonDict]:
        """Autocomplete suggestions (callback type 8)."""
        if self.record.choices is None:
            raise StandInError(f"{self.record.label} was answered with type {self.response_type}, not choices")
        return list(self.record.choices)

    @property
    def modal(self) -> JsonDict | None:
        return self.record.modal

    @property
    def custom_ids(self) -> list[str]:
        found: list[str] = []
        for message in self.all_messages():
            found += message.custom_ids
        return found

    def all_messages(self) -> list[Message]:
        """The original response (if any) and the followups, oldest first."""
        messages = [self.message] if self.message is not None else []
        return messages + self.record.followups

    async def wait_for_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        def enough() -> list[Message] | None:
            return list(self.record.followups) if len(self.record.followups) >= count else None

        return await self._engine.world.wait_for(
            enough, timeout=timeout,
            what=lambda: f"{count} followup(s) to {self.record.label} (have {len(self.record.followups)})",
        )


class SentInteraction:
    """An interaction handed to the bot; await :meth:`reply` for its answer."""

    def __init__(self, engine: InteractionEngine, record: InteractionRecord, *, redelivery: bool = False) -> None:
        self._engine = engine
        self.record = record
        self._attempts_before = record.callback_attempts if redelivery else 0
        self._deliveries_wanted = record.deliveries + 1 if redelivery else 1
        self._redelivery = redelivery

    @property
    def interaction_id(self) -> int:
        return self.record.id

    async def delivered(self, timeout: float = 5.0) -> None:
        """Wait until the INTERACTION_CREATE frame was written to the bot's socket."""
        await self._engine.world.wait_for(
            lambda: True if self.record.deliveries >= self._deliveries_wanted else None,
            timeout=timeout, what=f"{self.record.label} to reach the bot over the gateway",
        )

    async def reply(self, timeout: float = 5.0, *, wait_for_followup: bool = True) -> Reply:
        """Wait for the accepted initial response; after a type-5 defer, also for its first answer."""
        record = self.record

        def answered() -> Reply | None:
            if self._redelivery:
                return Reply(record, self._engine) if record.callback_attempts > self._attempts_before else None
            if record.response_type is None:
                return None
            if record.response_type == DEFERRED_CHANNEL_MESSAGE and wait_for_followup and record.completed_at is None:
                return None
            return Reply(record, self._engine)

        def describe() -> str:
            state = "no response" if record.response_type is None else f"response type {record.response_type}"
            if record.response_type == DEFERRED_CHANNEL_MESSAGE:
                state = "a defer (type 5) but no followup or @original edit"
            delivered = "delivered" if record.deliveries else "NOT yet delivered to the bot"
            rejected = f"; rejected attempts: {record.rejections}" if record.rejections else ""
            return f"the bot's answer to {record.label} ({delivered}; got {state}{rejected})"

        return await self._engine.world.wait_for(answered, timeout=timeout, what=describe)


class InteractionEngine:
    """Creates interactions and enforces Discord's rules for answering them."""

    def __init__(
        self,
        world: World,
        commands: CommandStore,
        *,
        clock: Callable[[], float] = time.monotonic,
        deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
    ) -> None:
        self.world = world
        self.commands = commands
        self.clock = clock
        self.deadline = deadline
        self.token_lifetime = token_lifetime
        self.sink: InteractionSink | None = None
        self.records: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self.log: list[InteractionRecord] = []

    # ---------------------------------------------------------------- creating interactions

    def _check_member_in_channel(self, member: Member, channel: Channel) -> None:
        if member.guild.members.get(member.id) is not member:
            raise InvalidInvocation(f"{member.name} is not a member of {member.guild.name!r} any more")
        if channel.guild is not member.guild:
            raise InvalidInvocation(f"#{channel.name} is not in {member.guild.name!r}")
        if channel.deleted:
            raise InvalidInvocation(f"#{channel.name} was deleted")
        if channel.type not in (TEXT_CHANNEL, ANNOUNCEMENT_CHANNEL):
            raise InvalidInvocation(f"#{channel.name} is not a text channel")
        permissions = channel.permissions_for(member)
        if not permissions & Permissions.view_channel:
            raise InvalidInvocation(f"{member.name} cannot see #{channel.name}")

    def _create(
        self,
        kind: int,
        member: Member,
        channel: Channel,
        data: JsonDict,
        label: str,
        *,
        message: Message | None = None,
        focused_type: int = 3,
    ) -> SentInteraction:
        if self.sink is None:
            raise StandInError("the stand-in is not started")
        guild = member.guild
        interaction_id = self.world.ids.next()
        token = f"standin.{secrets.token_urlsafe(48)}"
        member_permissions = channel.permissions_for(member)
        payload: JsonDict = {
            "id": str(interaction_id),
            "application_id": str(self.world.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_id": str(guild.id),
            "guild_locale": "en-US",
            "channel": channel.payload() | {"permissions": str(int(member_permissions))},
            "channel_id": str(channel.id),
            "member": member.payload(permissions=member_permissions),
            "locale": "en-US",
            "app_permissions": str(int(channel.permissions_for(guild.bot_member))),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = message.payload()
        record = InteractionRecord(
            interaction_id, token, kind, label, member, channel, payload,
            created_at=self.clock(), queued_at=time.perf_counter(),
            focused_type=focused_type, component_message=message,
        )
        self._send(record)  # raises when no bot session could take it: then nothing is recorded
        self.records[interaction_id] = record
        self._by_token[token] = record
        self.log.append(record)
        return SentInteraction(self, record)

    def _send(self, record: InteractionRecord) -> None:
        assert self.sink is not None

        def sent() -> None:
            record.dispatched_at.append(time.perf_counter())
            self.world.notify()

        self.sink.dispatch_interaction(record.payload, guild_id=record.member.guild.id, on_sent=sent)

    def redeliver(self, interaction_id: int) -> SentInteraction:
        """Send the same INTERACTION_CREATE again (same id and token)."""
        record = self.records.get(interaction_id)
        if record is None:
            raise StandInError(f"no interaction {interaction_id} to redeliver")
        sent = SentInteraction(self, record, redelivery=True)
        self._send(record)
        return sent

    def _where(
        self, member: Member, command: str, channel: Channel | None, options: Mapping[str, object]
    ) -> tuple[Channel, Mapping[str, object]]:
        """The channel the member types in, and the options (``channel=`` may mean either)."""
        maybe_channel = options.get("channel")
        if channel is None and isinstance(maybe_channel, Channel):
            names = leaf_option_names(self.commands, member.guild, command)
            if names is not None and "channel" not in names:
                channel = maybe_channel
                options = {name: value for name, value in options.items() if name != "channel"}
        target = channel or member.guild.system_channel
        self._check_member_in_channel(member, target)
        return target, options

    def send_slash(
        self, member: Member, command: str, channel: Channel | None, options: Mapping[str, object]
    ) -> SentInteraction:
        target, options = self._where(member, command, channel, options)
        if not target.permissions_for(member) & Permissions.use_application_commands:
            raise InvalidInvocation(f"{member.name} cannot use application commands in #{target.name}")
        invocation = build_invocation(self.commands, member, target, command, options)
        return self._create(APPLICATION_COMMAND, member, target, invocation.data, invocation.label)

    def send_autocomplete(
        self, member: Member, command: str, focused: str, channel: Channel | None, options: Mapping[str, object]
    ) -> SentInteraction:
        target, options = self._where(member, command, channel, options)
        invocation = build_invocation(self.commands, member, target, command, options, focused=focused)
        return self._create(
            APPLICATION_COMMAND_AUTOCOMPLETE, member, target, invocation.data,
            f"autocomplete of {focused!r} in {invocation.label}", focused_type=invocation.focused_type,
        )

    def _find_component(self, member: Member, target: Reply | Message, custom_id: str) -> tuple[Message, JsonDict]:
        if isinstance(target, Reply):
            candidates = [m for m in reversed(target.all_messages()) if not m.deleted]
        else:
            candidates = [] if target.deleted else [target]
        for message in candidates:
            component = message.component(custom_id)
            if component is None:
                continue
            if message.ephemeral:
                owner = (message.interaction_metadata or {}).get("user", {}).get("id")
                if owner is not None and owner != str(member.id):
                    raise InvalidInvocation(f"{member.name} cannot see someone else's ephemeral message")
            if component.get("disabled"):
                raise InvalidInvocation(f"component {custom_id!r} is disabled")
            return message, component
        available = [cid for m in candidates for cid in m.custom_ids]
        raise InvalidInvocation(f"no component {custom_id!r} on that message (custom ids: {available})")

    def send_click(self, member: Member, target: Reply | Message, custom_id: str) -> SentInteraction:
        message, component = self._find_component(member, target, custom_id)
        if component.get("type") != BUTTON or component.get("style") == LINK_BUTTON_STYLE:
            raise InvalidInvocation(f"{custom_id!r} is not a clickable button")
        self._check_member_in_channel(member, message.channel)
        data = {"custom_id": custom_id, "component_type": BUTTON}
        return self._create(
            MESSAGE_COMPONENT, member, message.channel, data, f"click on {custom_id!r}", message=message
        )

    def send_select(
        self, member: Member, target: Reply | Message, custom_id: str, values: Sequence[str]
    ) -> SentInteraction:
        message, component = self._find_component(member, target, custom_id)
        component_type = int(component.get("type", 0))
        if component_type not in SELECT_TYPES:
            raise InvalidInvocation(f"{custom_id!r} is not a select menu")
        low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
        if not low <= len(values) <= high:
            raise InvalidInvocation(f"{custom_id!r} takes {low}..{high} values, got {len(values)}")
        if len(set(values)) != len(values):
            raise InvalidInvocation(f"a member can't choose the same option twice in {custom_id!r}: {list(values)}")
        if component_type == 3:
            allowed = [option.get("value") for option in component.get("options") or []]
            unknown = [value for value in values if value not in allowed]
            if unknown:
                raise InvalidInvocation(f"{unknown} are not options of {custom_id!r} (options: {allowed})")
        self._check_member_in_channel(member, message.channel)
        data = {"custom_id": custom_id, "component_type": component_type, "values": list(values)}
        return self._create(
            MESSAGE_COMPONENT, member, message.channel, data, f"selection in {custom_id!r}", message=message
        )

    def send_choice(self, member: Member, target: Reply | Message, menu: str, option: str) -> SentInteraction:
        """Choose one option in a string select: the menu by custom id or placeholder, the option
        by value or label, as a member reads them (refused when either is missing or ambiguous)."""
        messages = [m for m in reversed(target.all_messages()) if not m.deleted] if isinstance(target, Reply) else [
            target]
        menus = [
            component for message in messages for component in _walk(message.components)
            if component.get("type") == 3 and menu in (component.get("custom_id"), component.get("placeholder"))
        ]
        if len(menus) != 1:
            shown = [(c.get("custom_id"), c.get("placeholder")) for m in messages for c in _walk(m.components)
                     if c.get("type") == 3]
            raise InvalidInvocation(f"{len(menus)} select menus match {menu!r} (menus: {shown})")
        options = menus[0].get("options") or []
        chosen = [o for o in options if o.get("value") == option] or [o for o in options if o.get("label") == option]
        if len(chosen) != 1:
            labels = [o.get("label") for o in options]
            raise InvalidInvocation(f"{len(chosen)} options of {menu!r} match {option!r} (options: {labels})")
        return self.send_select(member, target, str(menus[0]["custom_id"]), [str(chosen[0]["value"])])

    def send_modal_submit(self, member: Member, target: Reply, values: Mapping[str, str]) -> SentInteraction:
        modal = target.record.modal
        if modal is None:
            raise InvalidInvocation(f"{target.record.label} did not open a modal")
        remaining = dict(values)
        components = [_submitted(c, remaining) for c in modal.get("components") or []]
        if remaining:
            raise InvalidInvocation(f"the modal has no inputs {sorted(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        return self._create(
            MODAL_SUBMIT, member, target.record.channel, data, f"modal {modal['custom_id']!r}",
            message=target.record.component_message,
        )

    # ---------------------------------------------------------------- the bot's answers

    def _record_for_callback(self, interaction_id: int, token: str) -> InteractionRecord:
        record = self.records.get(interaction_id)
        if record is None or record.token != token:
            raise errors.unknown("interaction", "no such interaction id/token")
        return record

    def callback(
        self, interaction_id: int, token: str, body: Mapping[str, Any], files: Sequence[UploadedFile]
    ) -> JsonDict:
        """``POST /interactions/{id}/{token}/callback``: the initial response."""
        record = self._record_for_callback(interaction_id, token)
        record.callback_attempts += 1
        try:
            return self._callback(record, body, files)
        except DiscordHTTPError as error:
            record.rejections.append(str(error))
            raise
        finally:
            self.world.notify()

    def _callback(
        self, record: InteractionRecord, body: Mapping[str, Any], files: Sequence[UploadedFile]
    ) -> JsonDict:
        age = self.clock() - record.created_at
        if age > self.deadline:
            raise errors.unknown(
                "interaction", f"initial response {age:.2f}s after the interaction; Discord allows {self.deadline:g}s"
            )
        if record.response_type is not None:
            raise errors.already_acknowledged(f"already answered with type {record.response_type}")
        field_errors = validate_callback(body, interaction_type=record.type, option_type=record.focused_type)
        if field_errors:
            raise errors.invalid_form_body(field_errors)
        callback_type = int(body["type"])
        data: Mapping[str, Any] = body.get("data") or {}
        message: Message | None = None
        if callback_type == CHANNEL_MESSAGE:
            if is_empty_message(data, file_count=len(files)):
                raise errors.empty_message()
            flags = int(data.get("flags") or 0) & RESPONSE_FLAGS
            stored = self.store_files(record.channel, data, files, ephemeral=bool(flags & FLAG_EPHEMERAL))
            message = self.world.create_message(
                record.channel, data, stored, flags=flags,
                message_type=CHAT_INPUT_COMMAND_MESSAGE if record.type == APPLICATION_COMMAND else DEFAULT_MESSAGE,
                webhook_id=self.world.application_id, interaction_metadata=self._metadata(record),
            )
        elif callback_type == DEFERRED_CHANNEL_MESSAGE:
            flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            message = self.world.create_message(
                record.channel, {"content": ""}, flags=flags,
                message_type=CHAT_INPUT_COMMAND_MESSAGE if record.type == APPLICATION_COMMAND else DEFAULT_MESSAGE,
                webhook_id=self.world.application_id, interaction_metadata=self._metadata(record),
            )
        elif callback_type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            message = record.component_message
            if message is None or message.deleted:
                raise errors.unknown("Message", "no component message to update")
            if callback_type == UPDATE_MESSAGE:
                stored = self.store_files(record.channel, data, files, ephemeral=message.ephemeral)
                self.world.edit_message(message, data, stored)
        elif callback_type == AUTOCOMPLETE_RESULT:
            record.choices = list(data.get("choices") or [])
        elif callback_type == MODAL:
            record.modal = dict(data)
        record.response_type = callback_type
        record.original = message
        record.callback_at = time.perf_counter()
        if callback_type != DEFERRED_CHANNEL_MESSAGE:
            record.completed_at = record.callback_at
        response: JsonDict = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_id": None if message is None else str(message.id),
                "response_message_loading": callback_type == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message is not None and message.ephemeral),
            }
        }
        if message is not None and callback_type != DEFERRED_UPDATE_MESSAGE:
            response["resource"] = {"type": callback_type, "message": message.payload()}
        return response

    def _metadata(self, record: InteractionRecord) -> JsonDict:
        metadata: JsonDict = {
            "id": str(record.id),
            "type": record.type,
            "user": record.member.user.payload(),
            "authorizing_integration_owners": {"0": str(record.member.guild.id)},
        }
        if record.type == APPLICATION_COMMAND:
            metadata["name"] = record.label.lstrip("/")
            metadata["command_type"] = 1
        if record.component_message is not None:
            metadata["interacted_message_id"] = str(record.component_message.id)
        return metadata

    def store_files(
        self, channel: Channel, body: Mapping[str, Any], files: Sequence[UploadedFile], *, ephemeral: bool
    ) -> list[StoredAttachment]:
        """Match ``files[n]`` parts with the ``attachments`` entries of ``payload_json``."""
        described: dict[int, Mapping[str, Any]] = {}
        for item in body.get("attachments") or []:
            if isinstance(item, Mapping) and str(item.get("id", "")).isdigit() and int(item["id"]) < 1 << 22:
                described[int(item["id"])] = item
        stored: list[StoredAttachment] = []
        for upload in files:
            if len(upload.data) > ATTACHMENT_SIZE_LIMIT:
                raise errors.entity_too_large()
            index = _file_index(upload.field_name)
            meta = described.get(index, {}) if index is not None else {}
            stored.append(
                self.world.store_attachment(
                    channel.id, str(meta.get("filename") or upload.filename), upload.data, upload.content_type,
                    description=meta.get("description"), ephemeral=ephemeral,
                )
            )
        return stored

    def _webhook_record(self, application_id: int, token: str) -> InteractionRecord:
        if application_id != self.world.application_id:
            raise errors.unknown("Webhook", f"webhook id {application_id} is not the application id")
        record = self._by_token.get(token)
        if record is None:
            raise errors.invalid_webhook_token("unknown interaction token")
        age = self.clock() - record.created_at
        if age > self.token_lifetime:
            raise errors.invalid_webhook_token(
                f"interaction token used {age:.0f}s after the interaction; it lives {self.token_lifetime:g}s"
            )
        return record

    def _webhook_message(self, record: InteractionRecord, message_id: str) -> Message:
        if message_id == "@original":
            if record.original is None or record.original.deleted:
                raise errors.unknown("Message", f"{record.label} has no original response")
            return record.original
        own = [record.original, *record.followups]
        for message in own:
            if message is not None and str(message.id) == message_id and not message.deleted:
                return message
        raise errors.unknown("Message", f"message {message_id} was not sent with this interaction token")

    def followup(
        self,
        application_id: int,
        token: str,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile],
    ) -> Message:
        """``POST /webhooks/{app}/{token}``: the first one after a defer fills the "thinking…" message."""
        record = self._webhook_record(application_id, token)
        if record.response_type is None:
            raise errors.unknown("Webhook", "followup before the interaction was acknowledged")
        field_errors = validate_message(body, allowed_flags=WEBHOOK_FLAGS)
        if field_errors:
            raise errors.invalid_form_body(field_errors)
        if is_empty_message(body, file_count=len(files)):
            raise errors.empty_message()
        original = record.original
        if record.response_type == DEFERRED_CHANNEL_MESSAGE and original is not None and original.loading:
            stored = self.store_files(record.channel, body, files, ephemeral=original.ephemeral)
            self.world.edit_message(original, body, stored, fill=True)
            record.completed_at = time.perf_counter()
            return original
        flags = int(body.get("flags") or 0) & WEBHOOK_FLAGS
        stored = self.store_files(record.channel, body, files, ephemeral=bool(flags & FLAG_EPHEMERAL))
        message = self.world.create_message(
            record.channel, body, stored, flags=flags, webhook_id=self.world.application_id,
            interaction_metadata=self._metadata(record),
        )
        record.followups.append(message)
        self.world.notify()
        return message

    def get_message(self, application_id: int, token: str, message_id: str) -> Message:
        record = self._webhook_record(application_id, token)
        return self._webhook_message(record, message_id)

    def edit_message(
        self,
        application_id: int,
        token: str,
        message_id: str,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile],
    ) -> Message:
        """``PATCH …/messages/@original`` or a followup; editing a loading response fills it."""
        record = self._webhook_record(application_id, token)
        message = self._webhook_message(record, message_id)
        field_errors = validate_message(body, allowed_flags=WEBHOOK_FLAGS)
        if field_errors:
            raise errors.invalid_form_body(field_errors)
        fill = message.loading
        stored = self.store_files(record.channel, body, files, ephemeral=message.ephemeral)
        self.world.edit_message(message, body, stored, fill=fill)
        if fill:
            record.completed_at = time.perf_counter()
        return message

    def delete_message(self, application_id: int, token: str, message_id: str) -> None:
        record = self._webhook_record(application_id, token)
        message = self._webhook_message(record, message_id)
        self.world.delete_message(message)
        if message is record.original and record.completed_at is None:
            record.completed_at = time.perf_counter()
        self.world.notify()


def _file_index(field_name: str) -> int | None:
    """``files[3]`` → 3 (also accepts ``file`` and ``files[n]`` variants Discord takes)."""
    if field_name.startswith("files[") and field_name.endswith("]"):
        inner = field_name[6:-1]
        return int(inner) if inner.isdigit() else None
    return None


def _submitted(component: Mapping[str, Any], values: dict[str, str]) -> JsonDict:
    """Mirror a modal's layout with the values a member typed (consumed from ``values``)."""
    component_type = component.get("type")
    submitted: JsonDict = {"type": component_type}
    if "id" in component:
        submitted["id"] = component["id"]
    if component_type == 1:
        submitted["components"] = [_submitted(child, values) for child in component.get("components") or []]
    elif component_type == 18 and isinstance(component.get("component"), Mapping):
        submitted["component"] = _submitted(component["component"], values)
    elif component_type == 4:
        custom_id = str(component.get("custom_id"))
        if custom_id in values:
            text = values.pop(custom_id)
        elif component.get("required", True) and not component.get("value"):
            raise InvalidInvocation(f"the modal's text input {custom_id!r} is required")
        else:
            text = str(component.get("value") or "")
        max_length = component.get("max_length")
        if max_length is not None and len(text) > int(max_length):
            raise InvalidInvocation(f"text input {custom_id!r} takes at most {max_length} characters")
        submitted |= {"custom_id": custom_id, "value": text}
    elif component_type in SELECT_TYPES:
        custom_id = str(component.get("custom_id"))
        chosen = values.pop(custom_id, "")
        submitted |= {"custom_id": custom_id, "values": [chosen] if chosen else []}
    return submitted


def _walk(components: Sequence[Any]) -> list[JsonDict]:
    """Every component of a message, rows and their children, in order."""
    found: list[JsonDict] = []
    for component in components:
        if isinstance(component, Mapping):
            found.append(dict(component))
            found += _walk(component.get("components") or [])
    return found
