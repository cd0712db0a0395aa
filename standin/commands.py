"""Synced application commands, and turning a story's ``"pledge add", amount="25"`` into ``data``.

The stand-in keeps what the bot last bulk-overwrote (globally and per guild) and
builds an interaction's ``data`` from that schema the way Discord's client does:
subcommand groups and subcommands nested, option types filled in, values
converted and checked (choices, ranges, lengths, channel types), and
``resolved`` filled for users, members, roles, channels and attachments. A
story that asks for something the client could not send raises
:class:`~standin.errors.InvalidInvocation`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from standin.errors import InvalidInvocation
from standin.model import Channel, Guild, JsonDict, Member, Role, User, World
from standin.permissions import Permissions
from standin.validation import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    CHAT_INPUT,
    INTEGER,
    MAX_SAFE_NUMBER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    USER,
)

Refuse = Callable[[str], InvalidInvocation]

OPTION_TYPE_NAMES = {
    SUB_COMMAND: "subcommand",
    SUB_COMMAND_GROUP: "subcommand group",
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a member attaches to a slash command option of type ATTACHMENT."""

    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None


@dataclass
class SyncRecord:
    """One bulk overwrite the bot made."""

    guild_id: int | None
    names: list[str]


@dataclass
class CommandStore:
    """The commands the bot synced, with ids kept stable across overwrites (as Discord does)."""

    world: World
    global_commands: dict[tuple[str, int], JsonDict] = field(default_factory=dict)
    guild_commands: dict[int, dict[tuple[str, int], JsonDict]] = field(default_factory=dict)
    global_sync_count: int = 0
    guild_sync_counts: dict[int, int] = field(default_factory=dict)
    sync_log: list[SyncRecord] = field(default_factory=list)

    def overwrite(self, guild_id: int | None, commands: Sequence[Mapping[str, Any]]) -> list[JsonDict]:
        """Replace a scope's commands (the body was validated already) and echo them."""
        previous = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        stored: dict[tuple[str, int], JsonDict] = {}
        for command in commands:
            key = (str(command["name"]), int(command.get("type") or CHAT_INPUT))
            old = previous.get(key)
            command_id = int(old["id"]) if old is not None else self.world.ids.next()
            echoed: JsonDict = {
                "type": key[1],
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                "name_localizations": None,
                "description_localizations": None,
            }
            echoed |= {k: v for k, v in command.items() if v is not None or k not in echoed}
            echoed |= {
                "id": str(command_id),
                "application_id": str(self.world.application_id),
                "version": str(self.world.ids.next()),
            }
            if echoed.get("default_member_permissions") is not None:
                echoed["default_member_permissions"] = str(echoed["default_member_permissions"])
            if guild_id is not None:
                echoed["guild_id"] = str(guild_id)
            stored[key] = echoed
        if guild_id is None:
            self.global_commands = stored
            self.global_sync_count += 1
        else:
            self.guild_commands[guild_id] = stored
            self.guild_sync_counts[guild_id] = self.guild_sync_counts.get(guild_id, 0) + 1
        self.sync_log.append(SyncRecord(guild_id, [name for name, _ in stored]))
        self.world.notify()
        return list(stored.values())

    def listing(self, guild_id: int | None) -> list[JsonDict]:
        scope = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return list(scope.values())

    def find(self, guild: Guild, name: str, command_type: int = CHAT_INPUT) -> JsonDict | None:
        """A guild command wins over a global one of the same name."""
        key = (name, command_type)
        return self.guild_commands.get(guild.id, {}).get(key) or self.global_commands.get(key)

    def names_for(self, guild: Guild) -> list[str]:
        names = {name for name, _ in self.guild_commands.get(guild.id, {})}
        names |= {name for name, _ in self.global_commands}
        return sorted(names)


# --------------------------------------------------------------------------- building data


@dataclass
class Invocation:
    """What a member's command turns into: the interaction ``data`` plus a label for messages."""

    command: JsonDict
    data: JsonDict
    label: str
    focused_type: int = STRING


def build_invocation(
    store: CommandStore,
    member: Member,
    channel: Channel,
    path: str,
    values: Mapping[str, object],
    *,
    focused: str | None = None,
) -> Invocation:
    """Resolve ``path`` ("pledge add") against the synced schema and convert ``values``."""
    guild = member.guild
    tokens = path.strip().lstrip("/").split()
    if not tokens:
        raise InvalidInvocation("empty command path")
    command = store.find(guild, tokens[0])
    if command is None:
        raise InvalidInvocation(
            f"/{tokens[0]} is not a synced command in {guild.name!r} "
            f"(synced: {', '.join(store.names_for(guild)) or 'nothing'})"
        )
    _check_can_use(command, member, channel)

    level: list[JsonDict] = list(command.get("options") or [])
    chain: list[JsonDict] = []
    for token in tokens[1:]:
        sub = next(
            (o for o in level if o.get("name") == token and o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)),
            None,
        )
        if sub is None:
            known = [o["name"] for o in level if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
            raise InvalidInvocation(f"/{' '.join(tokens)}: no subcommand {token!r} (known: {known})")
        chain.append(sub)
        level = list(sub.get("options") or [])
    nested = [o["name"] for o in level if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if nested:
        raise InvalidInvocation(f"/{' '.join(tokens)} needs a subcommand: one of {nested}")

    resolved: dict[str, JsonDict] = {}
    by_name = {option["name"]: option for option in level}
    for name in values:
        if name not in by_name:
            raise InvalidInvocation(f"/{' '.join(tokens)} has no option {name!r} (options: {list(by_name)})")
    if focused is not None and focused not in by_name:
        raise InvalidInvocation(f"/{' '.join(tokens)} has no option {focused!r} to autocomplete")
    if focused is not None and not by_name[focused].get("autocomplete"):
        raise InvalidInvocation(f"option {focused!r} of /{' '.join(tokens)} does not autocomplete")

    options: list[JsonDict] = []
    for option in level:
        name = option["name"]
        if name not in values and name != focused:
            if option.get("required") and focused is None:
                raise InvalidInvocation(f"/{' '.join(tokens)} is missing required option {name!r}")
            continue
        if name == focused:
            raw = values.get(name, "")
            options.append({"type": option["type"], "name": name, "value": str(raw), "focused": True})
            continue
        value = _convert(option, values[name], member, channel, resolved, check_limits=focused is None)
        options.append({"type": option["type"], "name": name, "value": value})

    for sub in reversed(chain):
        options = [{"type": sub["type"], "name": sub["name"], "options": options}]

    data: JsonDict = {
        "id": command["id"],
        "name": command["name"],
        "type": command.get("type", CHAT_INPUT),
        "options": options,
    }
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    focused_type = int(by_name[focused]["type"]) if focused is not None else STRING
    return Invocation(command, data, "/" + " ".join(tokens), focused_type)


def leaf_option_names(store: CommandStore, guild: Guild, path: str) -> set[str] | None:
    """Option names of the subcommand ``path`` names (None when it names nothing synced)."""
    tokens = path.strip().lstrip("/").split()
    command = store.find(guild, tokens[0]) if tokens else None
    if command is None:
        return None
    level: list[JsonDict] = list(command.get("options") or [])
    for token in tokens[1:]:
        sub = next((o for o in level if o.get("name") == token), None)
        if sub is None:
            return None
        level = list(sub.get("options") or [])
    return {str(option.get("name")) for option in level}


def _check_can_use(command: JsonDict, member: Member, channel: Channel) -> None:
    contexts = command.get("contexts")
    if contexts is not None and 0 not in contexts:
        raise InvalidInvocation(f"/{command['name']} is not available in servers (contexts={contexts})")
    required = command.get("default_member_permissions")
    if required is None:
        return
    needed = Permissions(int(required))
    have = channel.permissions_for(member)
    if needed and (have & needed) != needed:
        raise InvalidInvocation(
            f"{member.name} cannot use /{command['name']}: needs {needed!r} "
            "(default_member_permissions); Discord hides it from them"
        )


def _convert(
    option: JsonDict,
    value: object,
    member: Member,
    channel: Channel,
    resolved: dict[str, JsonDict],
    *,
    check_limits: bool,
) -> object:
    option_type = int(option["type"])
    name = option["name"]
    type_name = OPTION_TYPE_NAMES.get(option_type, str(option_type))
    world = member.guild.world

    def refuse(reason: str) -> InvalidInvocation:
        return InvalidInvocation(f"option {name!r} ({type_name}): {reason}; got {value!r}")

    if option_type in (STRING, INTEGER, NUMBER):
        converted = _convert_scalar(option_type, value, refuse)
        if check_limits:
            converted = _check_choices_and_ranges(option, converted, refuse)
        return converted
    if option_type == BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise refuse("expected a bool")
    if option_type == USER or (option_type == MENTIONABLE and isinstance(value, Member | User)):
        return _resolve_user(value, member.guild, channel, resolved, refuse)
    if option_type in (ROLE, MENTIONABLE):
        role = _lookup_role(value, member.guild, refuse)
        resolved.setdefault("roles", {})[str(role.id)] = role.payload()
        return str(role.id)
    if option_type == CHANNEL:
        target = _lookup_channel(value, world, refuse)
        channel_types = option.get("channel_types")
        if channel_types and target.type not in channel_types:
            raise refuse(f"channel type {target.type} not in {channel_types}")
        resolved.setdefault("channels", {})[str(target.id)] = _resolved_channel(target, member)
        return str(target.id)
    if option_type == ATTACHMENT:
        if not isinstance(value, Attachment):
            raise refuse("expected standin.Attachment(filename, data)")
        stored = world.upload(channel, value)
        resolved.setdefault("attachments", {})[str(stored.id)] = stored.payload()
        return str(stored.id)
    raise refuse("unsupported option type")


def _convert_scalar(option_type: int, value: object, refuse: Refuse) -> object:
    """Text as typed in the client: strings stay strings, numbers parse."""
    if isinstance(value, bool):
        raise refuse("booleans are not accepted here")
    if option_type == STRING:
        if isinstance(value, str | int | float):
            return str(value)
        raise refuse("expected text")
    if option_type == INTEGER:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise refuse("expected a whole number") from None
        if not isinstance(value, int):
            raise refuse("expected a whole number")
        if abs(value) > MAX_SAFE_NUMBER:
            raise refuse("outside -(2^53 - 1)..2^53 - 1")
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise refuse("expected a number") from None
    raise refuse("expected a number")


def _check_choices_and_ranges(option: JsonDict, value: object, refuse: Refuse) -> object:
    choices = option.get("choices") or []
    if choices:
        for choice in choices:
            if choice["value"] == value:
                return value
        for choice in choices:
            if choice["name"] == value:
                return choice["value"]
        raise refuse(f"not one of the declared choices {[c['value'] for c in choices]}")
    low, high = option.get("min_value"), option.get("max_value")
    if isinstance(value, int | float):
        if low is not None and value < low:
            raise refuse(f"below min_value {low}")
        if high is not None and value > high:
            raise refuse(f"above max_value {high}")
    if isinstance(value, str):
        short, long_ = option.get("min_length"), option.get("max_length")
        if short is not None and len(value) < short:
            raise refuse(f"shorter than min_length {short}")
        if long_ is not None and len(value) > long_:
            raise refuse(f"longer than max_length {long_}")
        if len(value) > 6000:
            raise refuse("longer than 6000 characters")
    return value


def _resolve_user(
    value: object, guild: Guild, channel: Channel, resolved: dict[str, JsonDict], refuse: Refuse
) -> str:
    if isinstance(value, Member):
        user = value.user
    elif isinstance(value, User):
        user = value
    elif isinstance(value, int | str) and str(value).isdigit() and int(value) in guild.world.users:
        user = guild.world.users[int(value)]
    else:
        raise refuse("expected a Member, a User or a user id")
    resolved.setdefault("users", {})[str(user.id)] = user.payload()
    member = guild.members.get(user.id)
    if member is not None:
        resolved.setdefault("members", {})[str(user.id)] = member.payload(
            permissions=channel.permissions_for(member), with_user=False
        )
    return str(user.id)


def _lookup_role(value: object, guild: Guild, refuse: Refuse) -> Role:
    if isinstance(value, Role):
        return value
    if isinstance(value, int | str) and str(value).isdigit() and int(value) in guild.roles:
        return guild.roles[int(value)]
    raise refuse("expected a Role or a role id of this guild")


def _lookup_channel(value: object, world: World, refuse: Refuse) -> Channel:
    if isinstance(value, Channel):
        target = value
    elif isinstance(value, int | str) and str(value).isdigit() and int(value) in world.channels:
        target = world.channels[int(value)]
    else:
        raise refuse("expected a Channel or a channel id")
    if target.deleted:
        raise refuse("the channel was deleted")
    return target


def _resolved_channel(channel: Channel, member: Member) -> JsonDict:
    payload = channel.payload()
    payload["permissions"] = str(int(channel.permissions_for(member)))
    return payload
