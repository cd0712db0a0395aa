"""Discord's request rules, as pure functions that return the broken field paths.

Every ``validate_*`` function takes a decoded JSON body and returns a list of
:class:`FieldError` (empty when Discord would accept the body). The stand-in
turns a non-empty list into Discord's answer, HTTP 400 with code 50035
"Invalid Form Body" and the nested ``errors`` object (see :func:`errors_tree`).

Before these rules run, every body is checked against Discord's OpenAPI description
(:mod:`standin.spec`). The rules here are Discord's documentation: where it is
stricter than the spec, it wins (message content is 2000 characters for bots, the
spec says 4000 for channel messages; a string choice's value is at most 100, the
spec says 6000), and it says what no schema can (6,000 characters across a
message's embeds, required options before optional ones, no subcommands beside
options, the name pattern, unique names, at most 100 chat-input commands). The
``code`` strings follow Discord's naming; a few of them (marked where used) are
approximations. See standin/README.md for the whole list and its sources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

PathPart = str | int
Path = tuple[PathPart, ...]

# Discord: ^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$. Python's \w covers \p{L}, \p{N}
# and "_"; the two script ranges add Devanagari and Thai combining marks.
COMMAND_NAME_RE = re.compile(r"^[-_\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER_TEXT = 2048
MAX_AUTHOR_NAME = 256
MAX_EMBED_URL = 2048
MAX_EMBED_TOTAL = 6000
MAX_ATTACHMENTS = 10
MAX_ACTION_ROWS = 5
MAX_ROW_COMPONENTS = 5
MAX_COMPONENTS_V2 = 40
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_SELECT_PLACEHOLDER = 150
MAX_SELECT_OPTIONS = 25
MAX_ALLOWED_MENTION_IDS = 100

MAX_COMMAND_DESCRIPTION = 100
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_CHOICE_NAME = 100
MAX_CHOICE_STRING_VALUE = 100
MAX_CHAT_INPUT_COMMANDS = 100
MAX_CONTEXT_MENU_COMMANDS = 15
MAX_COMMAND_SIZE = 4000
MAX_STRING_OPTION_LENGTH = 6000
# JavaScript's Number.MAX_SAFE_INTEGER: the spec's Int53Type, and Discord's docs since 2025
# (they said "between -2^53 and 2^53" before, which was wrong by one).
MAX_SAFE_NUMBER = 2**53 - 1

SAFE_RANGE_MESSAGE = "Value must be between -(2^53 - 1) and 2^53 - 1."

MAX_MODAL_TITLE = 45
MAX_MODAL_LABEL = 45
MAX_LABEL_DESCRIPTION = 100
MAX_TEXT_INPUT = 4000
MAX_TEXT_PLACEHOLDER = 100

FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15

# Option types.
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11
OPTION_TYPES = frozenset(range(1, 12))

CHAT_INPUT = 1
USER_COMMAND = 2
MESSAGE_COMMAND = 3

# Interaction callback types.
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

# Interaction types.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

CALLBACK_TYPES_FOR: Mapping[int, frozenset[int]] = {
    APPLICATION_COMMAND: frozenset({CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL}),
    MESSAGE_COMPONENT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL}
    ),
    APPLICATION_COMMAND_AUTOCOMPLETE: frozenset({AUTOCOMPLETE_RESULT}),
    MODAL_SUBMIT: frozenset(
        {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
    ),
}

SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
BUTTON = 2
ACTION_ROW = 1
TEXT_INPUT = 4
LABEL = 18
LINK_BUTTON_STYLE = 5
PREMIUM_BUTTON_STYLE = 6


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rejected field: where it is, Discord's error code and message."""

    path: Path
    code: str
    message: str
    #: Which rule refused it, in the stand-in's words (``spec <operationId>``); never sent to the bot.
    rule: str = ""

    @property
    def dotted(self) -> str:
        """The path as ``embeds.0.title``; empty for the body itself."""
        return ".".join(str(part) for part in self.path)

    def prefixed(self, *prefix: PathPart) -> FieldError:
        return FieldError((*prefix, *self.path), self.code, self.message, self.rule)


def errors_tree(errors: Sequence[FieldError]) -> dict[str, Any]:
    """Discord's nested ``errors`` object: ``{"embeds": {"0": {"title": {"_errors": [...]}}}}``."""
    tree: dict[str, Any] = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
    return tree


# --------------------------------------------------------------------------- helpers


def _required(path: Path) -> FieldError:
    return FieldError(path, "BASE_TYPE_REQUIRED", "This field is required")


def _too_long(path: Path, limit: int) -> FieldError:
    return FieldError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _bad_length(path: Path, low: int, high: int) -> FieldError:
    return FieldError(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def _bad_type(path: Path, expected: str) -> FieldError:
    return FieldError(path, f"BASE_TYPE_{expected.upper()}", f"Value must be a valid {expected}.")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional_text(
    value: object, path: Path, *, limit: int, minimum: int = 0
) -> list[FieldError]:
    """A string-or-null field with a length range."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [_bad_type(path, "string")]
    if minimum and len(value) < minimum:
        return [_bad_length(path, minimum, limit)]
    if len(value) > limit:
        return [_too_long(path, limit) if not minimum else _bad_length(path, minimum, limit)]
    return []


def _required_text(
    body: Mapping[str, Any], key: str, path: Path, *, limit: int, minimum: int = 1
) -> list[FieldError]:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip() and minimum > 0):
        return [_required((*path, key))]
    return _optional_text(value, (*path, key), limit=limit, minimum=minimum)


def _list_field(body: Mapping[str, Any], key: str, path: Path) -> tuple[list[Any], list[FieldError]]:
    value = body.get(key)
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [_bad_type((*path, key), "array")]
    return value, []


# --------------------------------------------------------------------------- commands


def validate_command_name(name: object, path: Path, *, command_type: int = CHAT_INPUT) -> list[FieldError]:
    """Chat-input command and option names: 1..32 of ``[-_\\p{L}\\p{N}]``, lower case."""
    if not isinstance(name, str) or not name:
        return [_required(path)]
    if command_type != CHAT_INPUT:
        return [] if len(name) <= 32 else [_bad_length(path, 1, 32)]
    if not COMMAND_NAME_RE.match(name):
        return [
            FieldError(
                path,
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r}",
            )
        ]
    if name != name.lower():
        return [
            FieldError(
                path,
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name must be lower case: {name!r}",
            )
        ]
    return []


def _command_size(node: Mapping[str, Any]) -> int:
    """Characters that count toward Discord's 4000 limit: names, descriptions, choice values."""
    size = len(str(node.get("name") or "")) + len(str(node.get("description") or ""))
    for choice in node.get("choices") or []:
        if isinstance(choice, Mapping):
            size += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    for option in node.get("options") or []:
        if isinstance(option, Mapping):
            size += _command_size(option)
    return size


def _validate_choices(option: Mapping[str, Any], path: Path, option_type: int) -> list[FieldError]:
    choices, errors = _list_field(option, "choices", path)
    if not choices:
        return errors
    if option_type not in (STRING, INTEGER, NUMBER):
        return [FieldError((*path, "choices"), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                           "Only string, integer and number options can have choices")]
    return errors + _validate_choice_list(choices, path, option_type)


def _validate_choice_list(choices: list[Any], path: Path, option_type: int) -> list[FieldError]:
    """At most 25 choices, each an object with a name of 1..100 and a value of the option's type."""
    errors: list[FieldError] = []
    if len(choices) > MAX_CHOICES:
        errors.append(_too_long((*path, "choices"), MAX_CHOICES))
    for index, choice in enumerate(choices):
        choice_path = (*path, "choices", index)
        if not isinstance(choice, Mapping):
            errors.append(_bad_type(choice_path, "object"))
            continue
        errors += _required_text(choice, "name", choice_path, limit=MAX_CHOICE_NAME)
        errors += _choice_value(choice.get("value"), (*choice_path, "value"), option_type)
    return errors


def _choice_value(value: object, path: Path, option_type: int) -> list[FieldError]:
    if value is None:
        return [_required(path)]
    if option_type == STRING:
        if not isinstance(value, str):
            return [_bad_type(path, "string")]
        if len(value) > MAX_CHOICE_STRING_VALUE:
            return [_too_long(path, MAX_CHOICE_STRING_VALUE)]
        return []
    if option_type == INTEGER and not _is_int(value):
        return [_bad_type(path, "integer")]
    if option_type == NUMBER and not _is_number(value):
        return [_bad_type(path, "number")]
    if _is_number(value) and abs(value) > MAX_SAFE_NUMBER:
        return [FieldError(path, "NUMBER_TYPE_MAX", SAFE_RANGE_MESSAGE)]
    return []


def _validate_ranges(option: Mapping[str, Any], path: Path, option_type: int) -> list[FieldError]:
    errors: list[FieldError] = []
    low, high = option.get("min_value"), option.get("max_value")
    if low is not None or high is not None:
        if option_type not in (INTEGER, NUMBER):
            errors.append(FieldError((*path, "min_value"), "APPLICATION_COMMAND_OPTION_RANGE_INVALID",
                                     "Only integer and number options take min_value/max_value"))
        for key, value in (("min_value", low), ("max_value", high)):
            if value is None:
                continue
            if not _is_number(value) or (option_type == INTEGER and not _is_int(value)):
                errors.append(_bad_type((*path, key), "number"))
            elif abs(value) > MAX_SAFE_NUMBER:
                errors.append(FieldError((*path, key), "NUMBER_TYPE_MAX",
                                         SAFE_RANGE_MESSAGE))
        if _is_number(low) and _is_number(high) and low > high:
            errors.append(FieldError((*path, "min_value"), "APPLICATION_COMMAND_OPTION_RANGE_INVALID",
                                     "min_value must be less than or equal to max_value"))
    short, long_ = option.get("min_length"), option.get("max_length")
    if short is not None or long_ is not None:
        if option_type != STRING:
            errors.append(FieldError((*path, "min_length"), "APPLICATION_COMMAND_OPTION_RANGE_INVALID",
                                     "Only string options take min_length/max_length"))
        if short is not None and (not _is_int(short) or not 0 <= short <= MAX_STRING_OPTION_LENGTH):
            errors.append(FieldError((*path, "min_length"), "NUMBER_TYPE_MAX",
                                     f"Must be between 0 and {MAX_STRING_OPTION_LENGTH}."))
        if long_ is not None and (not _is_int(long_) or not 1 <= long_ <= MAX_STRING_OPTION_LENGTH):
            errors.append(FieldError((*path, "max_length"), "NUMBER_TYPE_MAX",
                                     f"Must be between 1 and {MAX_STRING_OPTION_LENGTH}."))
        if _is_int(short) and _is_int(long_) and short > long_:
            errors.append(FieldError((*path, "min_length"), "APPLICATION_COMMAND_OPTION_RANGE_INVALID",
                                     "min_length must be less than or equal to max_length"))
    return errors


def _validate_options(
    options: Sequence[Any], path: Path, *, depth: int, parent_type: int = 0
) -> list[FieldError]:
    """Options of a command (depth 0), of a group (depth 1) or of a subcommand (depth 2 max)."""
    errors: list[FieldError] = []
    if len(options) > MAX_OPTIONS:
        errors.append(_too_long(path, MAX_OPTIONS))
    seen: set[str] = set()
    kinds: set[str] = set()
    optional_seen = False
    for index, option in enumerate(options):
        option_path = (*path, index)
        if not isinstance(option, Mapping):
            errors.append(_bad_type(option_path, "object"))
            continue
        option_type = option.get("type")
        if option_type not in OPTION_TYPES:
            errors.append(FieldError((*option_path, "type"), "BASE_TYPE_CHOICES",
                                     f"Value must be one of {sorted(OPTION_TYPES)}."))
            continue
        name = option.get("name")
        errors += validate_command_name(name, (*option_path, "name"))
        if isinstance(name, str):
            if name in seen:
                errors.append(FieldError((*option_path, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                                         f"Option name {name!r} is already used at this level"))
            seen.add(name)
        errors += _required_text(option, "description", option_path, limit=MAX_COMMAND_DESCRIPTION)

        if option_type in (SUB_COMMAND, SUB_COMMAND_GROUP):
            kinds.add("subcommand")
            if option_type == SUB_COMMAND_GROUP and depth != 0:
                errors.append(FieldError((*option_path, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                                         "A subcommand group can only sit at the top level of a command"))
            if option_type == SUB_COMMAND and depth > 0 and parent_type != SUB_COMMAND_GROUP:
                errors.append(FieldError((*option_path, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                                         "Subcommands can be nested at most two levels deep"))
            if option.get("required"):
                errors.append(FieldError((*option_path, "required"), "APPLICATION_COMMAND_OPTION_REQUIRED_INVALID",
                                         "Subcommands and groups cannot be required"))
            children, child_errors = _list_field(option, "options", option_path)
            errors += child_errors
            if option_type == SUB_COMMAND_GROUP:
                for child_index, child in enumerate(children):
                    if isinstance(child, Mapping) and child.get("type") != SUB_COMMAND:
                        errors.append(FieldError((*option_path, "options", child_index, "type"),
                                                 "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                                                 "A subcommand group can only contain subcommands"))
                if not children:
                    errors.append(FieldError((*option_path, "options"), "BASE_TYPE_MIN_LENGTH",
                                             "A subcommand group needs at least one subcommand"))
            errors += _validate_options(
                children, (*option_path, "options"), depth=depth + 1, parent_type=option_type
            )
            continue

        kinds.add("value")
        if option.get("required"):
            if optional_seen:
                errors.append(FieldError((*option_path, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                         "Required options must be placed before non-required options"))
        else:
            optional_seen = True
        errors += _validate_choices(option, option_path, option_type)
        if option.get("autocomplete"):
            if option_type not in (STRING, INTEGER, NUMBER):
                errors.append(FieldError((*option_path, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                                         "Only string, integer and number options can autocomplete"))
            if option.get("choices"):
                errors.append(FieldError((*option_path, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                                         "Autocomplete cannot be set on an option with choices"))
        errors += _validate_ranges(option, option_path, option_type)
        if option.get("channel_types") and option_type != CHANNEL:
            errors.append(FieldError((*option_path, "channel_types"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                                     "Only channel options take channel_types"))
    if len(kinds) > 1:
        errors.append(FieldError(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                                 "Subcommands and groups cannot be mixed with other options"))
    return errors


def validate_command(command: Mapping[str, Any], path: Path = ()) -> list[FieldError]:
    """One application command as sent to ``PUT .../commands``."""
    errors: list[FieldError] = []
    command_type = command.get("type") or CHAT_INPUT
    if command_type not in (CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND, 4):
        return [FieldError((*path, "type"), "BASE_TYPE_CHOICES", "Value must be one of [1, 2, 3, 4].")]
    errors += validate_command_name(command.get("name"), (*path, "name"), command_type=command_type)
    if command_type == CHAT_INPUT:
        errors += _required_text(command, "description", path, limit=MAX_COMMAND_DESCRIPTION)
        options, option_errors = _list_field(command, "options", path)
        errors += option_errors
        errors += _validate_options(options, (*path, "options"), depth=0)
        if _command_size(command) > MAX_COMMAND_SIZE:
            errors.append(FieldError(path, "APPLICATION_COMMAND_TOO_LARGE",
                                     f"Command exceeds maximum size ({MAX_COMMAND_SIZE})"))
    else:
        if command.get("description"):
            errors.append(FieldError((*path, "description"), "APPLICATION_COMMAND_DESCRIPTION_INVALID",
                                     "Context menu commands cannot have a description"))
        if command.get("options"):
            errors.append(FieldError((*path, "options"), "APPLICATION_COMMAND_OPTIONS_INVALID",
                                     "Context menu commands cannot have options"))
    permissions = command.get("default_member_permissions")
    if permissions is not None:
        try:
            if int(permissions) < 0:
                raise ValueError(permissions)
        except (TypeError, ValueError):
            errors.append(_bad_type((*path, "default_member_permissions"), "integer"))
    return errors


def validate_command_list(commands: object) -> list[FieldError]:
    """A bulk overwrite body: each command, unique (name, type), at most 100 chat-input ones."""
    if not isinstance(commands, list):
        return [_bad_type((), "array")]
    errors: list[FieldError] = []
    seen: set[tuple[str, int]] = set()
    per_type: dict[int, int] = {}
    for index, command in enumerate(commands):
        if not isinstance(command, Mapping):
            errors.append(_bad_type((index,), "object"))
            continue
        errors += validate_command(command, (index,))
        key = (str(command.get("name")), int(command.get("type") or CHAT_INPUT))
        if key in seen:
            errors.append(FieldError((index, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                     f"Application command names must be unique: {key[0]!r}"))
        seen.add(key)
        per_type[key[1]] = per_type.get(key[1], 0) + 1
    if per_type.get(CHAT_INPUT, 0) > MAX_CHAT_INPUT_COMMANDS:
        errors.append(FieldError((), "BASE_TYPE_MAX_LENGTH",
                                 f"Must be {MAX_CHAT_INPUT_COMMANDS} or fewer chat input commands."))
    for context_type in (USER_COMMAND, MESSAGE_COMMAND):
        if per_type.get(context_type, 0) > MAX_CONTEXT_MENU_COMMANDS:
            errors.append(FieldError((), "BASE_TYPE_MAX_LENGTH",
                                     f"Must be {MAX_CONTEXT_MENU_COMMANDS} or fewer commands of type {context_type}."))
    return errors


# --------------------------------------------------------------------------- messages


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters of one embed that count toward the 6000 limit."""
    size = 0
    for key in ("title", "description"):
        value = embed.get(key)
        if isinstance(value, str):
            size += len(value)
    for field in embed.get("fields") or []:
        if isinstance(field, Mapping):
            size += len(str(field.get("name") or "")) + len(str(field.get("value") or ""))
    footer = embed.get("footer")
    if isinstance(footer, Mapping) and isinstance(footer.get("text"), str):
        size += len(footer["text"])
    author = embed.get("author")
    if isinstance(author, Mapping) and isinstance(author.get("name"), str):
        size += len(author["name"])
    return size


def validate_embed(embed: object, path: Path) -> list[FieldError]:
    if not isinstance(embed, Mapping):
        return [_bad_type(path, "object")]
    errors: list[FieldError] = []
    errors += _optional_text(embed.get("title"), (*path, "title"), limit=MAX_EMBED_TITLE)
    errors += _optional_text(embed.get("description"), (*path, "description"), limit=MAX_EMBED_DESCRIPTION)
    errors += _optional_text(embed.get("url"), (*path, "url"), limit=MAX_EMBED_URL)
    color = embed.get("color")
    if color is not None and (not _is_int(color) or not 0 <= color <= 0xFFFFFF):
        errors.append(FieldError((*path, "color"), "NUMBER_TYPE_MAX", "Must be between 0 and 16777215."))
    fields, field_errors = _list_field(embed, "fields", path)
    errors += field_errors
    if len(fields) > MAX_EMBED_FIELDS:
        errors.append(_too_long((*path, "fields"), MAX_EMBED_FIELDS))
    for index, field in enumerate(fields):
        field_path = (*path, "fields", index)
        if not isinstance(field, Mapping):
            errors.append(_bad_type(field_path, "object"))
            continue
        errors += _required_text(field, "name", field_path, limit=MAX_FIELD_NAME)
        errors += _required_text(field, "value", field_path, limit=MAX_FIELD_VALUE)
    footer = embed.get("footer")
    if footer is not None:
        if not isinstance(footer, Mapping):
            errors.append(_bad_type((*path, "footer"), "object"))
        else:
            errors += _required_text(footer, "text", (*path, "footer"), limit=MAX_FOOTER_TEXT)
    author = embed.get("author")
    if author is not None:
        if not isinstance(author, Mapping):
            errors.append(_bad_type((*path, "author"), "object"))
        else:
            errors += _required_text(author, "name", (*path, "author"), limit=MAX_AUTHOR_NAME)
    for media in ("image", "thumbnail"):
        value = embed.get(media)
        if isinstance(value, Mapping):
            errors += _optional_text(value.get("url"), (*path, media, "url"), limit=MAX_EMBED_URL)
    return errors


def validate_embeds(embeds: object, path: Path = ("embeds",)) -> list[FieldError]:
    """Up to 10 embeds, each within its limits, 6000 characters across all of them."""
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [_bad_type(path, "array")]
    errors: list[FieldError] = []
    if len(embeds) > MAX_EMBEDS:
        errors.append(_too_long(path, MAX_EMBEDS))
    for index, embed in enumerate(embeds):
        errors += validate_embed(embed, (*path, index))
    total = sum(embed_size(embed) for embed in embeds if isinstance(embed, Mapping))
    if total > MAX_EMBED_TOTAL:
        errors.append(FieldError(path, "MAX_EMBED_SIZE_EXCEEDED",
                                 f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"))
    return errors


def validate_allowed_mentions(value: object, path: Path = ("allowed_mentions",)) -> list[FieldError]:
    """``parse`` ⊆ {users, roles, everyone}; ``parse`` and an explicit list are exclusive; ≤ 100 ids."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [_bad_type(path, "object")]
    errors: list[FieldError] = []
    parse, parse_errors = _list_field(value, "parse", path)
    errors += parse_errors
    for index, kind in enumerate(parse):
        if kind not in ("users", "roles", "everyone"):
            errors.append(FieldError((*path, "parse", index), "BASE_TYPE_CHOICES",
                                     "Value must be one of ('roles', 'users', 'everyone')."))
    for kind in ("users", "roles"):
        ids, id_errors = _list_field(value, kind, path)
        errors += id_errors
        if len(ids) > MAX_ALLOWED_MENTION_IDS:
            errors.append(_too_long((*path, kind), MAX_ALLOWED_MENTION_IDS))
        if ids and kind in parse:
            errors.append(FieldError((*path, "parse"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                     f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.'))
    return errors


def _validate_button(button: Mapping[str, Any], path: Path) -> list[FieldError]:
    errors: list[FieldError] = []
    style = button.get("style")
    if style not in range(1, 7):
        errors.append(FieldError((*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of 1..6."))
    errors += _optional_text(button.get("label"), (*path, "label"), limit=MAX_BUTTON_LABEL)
    if style == LINK_BUTTON_STYLE:
        if not button.get("url"):
            errors.append(_required((*path, "url")))
        if button.get("custom_id"):
            errors.append(FieldError((*path, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_INVALID",
                                     "A link button cannot have a custom_id"))
    elif style == PREMIUM_BUTTON_STYLE:
        if not button.get("sku_id"):
            errors.append(_required((*path, "sku_id")))
    else:
        if not button.get("custom_id"):
            errors.append(_required((*path, "custom_id")))
        if button.get("url"):
            errors.append(FieldError((*path, "url"), "BUTTON_COMPONENT_URL_INVALID",
                                     "Only link buttons can have a url"))
    return errors


def _validate_select(select: Mapping[str, Any], path: Path) -> list[FieldError]:
    errors = _optional_text(select.get("placeholder"), (*path, "placeholder"), limit=MAX_SELECT_PLACEHOLDER)
    low, high = select.get("min_values"), select.get("max_values")
    if low is not None and (not _is_int(low) or not 0 <= low <= 25):
        errors.append(FieldError((*path, "min_values"), "NUMBER_TYPE_MAX", "Must be between 0 and 25."))
    if high is not None and (not _is_int(high) or not 1 <= high <= 25):
        errors.append(FieldError((*path, "max_values"), "NUMBER_TYPE_MAX", "Must be between 1 and 25."))
    if _is_int(low) and _is_int(high) and low > high:
        errors.append(FieldError((*path, "min_values"), "SELECT_COMPONENT_MIN_VALUES_ABOVE_MAX",
                                 "min_values must be at most max_values."))
    if select.get("type") == 3:
        options, option_errors = _list_field(select, "options", path)
        errors += option_errors
        if not 1 <= len(options) <= MAX_SELECT_OPTIONS:
            errors.append(_bad_length((*path, "options"), 1, MAX_SELECT_OPTIONS))
        if _is_int(high) and options and high > len(options):
            errors.append(FieldError((*path, "max_values"), "SELECT_COMPONENT_MAX_VALUES_ABOVE_OPTIONS",
                                     "max_values can't be more than the number of options."))
        values: set[object] = set()
        defaults = 0
        for index, option in enumerate(options):
            option_path = (*path, "options", index)
            if not isinstance(option, Mapping):
                errors.append(_bad_type(option_path, "object"))
                continue
            errors += _required_text(option, "label", option_path, limit=100)
            errors += _required_text(option, "value", option_path, limit=100)
            errors += _optional_text(option.get("description"), (*option_path, "description"), limit=100)
            if option.get("value") in values:
                errors.append(FieldError((*option_path, "value"), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                                         "Select option values must be unique."))
            values.add(option.get("value"))
            defaults += option.get("default") is True
        if defaults > (high if _is_int(high) else 1):
            errors.append(FieldError((*path, "options"), "SELECT_COMPONENT_TOO_MANY_DEFAULTS",
                                     "More options are marked default than max_values allows."))
    return errors


def _collect_custom_ids(component: Mapping[str, Any], path: Path, found: list[tuple[Path, str]]) -> None:
    custom_id = component.get("custom_id")
    if isinstance(custom_id, str):
        found.append(((*path, "custom_id"), custom_id))
    for index, child in enumerate(component.get("components") or []):
        if isinstance(child, Mapping):
            _collect_custom_ids(child, (*path, "components", index), found)
    for key in ("accessory", "component"):
        child = component.get(key)
        if isinstance(child, Mapping):
            _collect_custom_ids(child, (*path, key), found)


def _count_components(component: Mapping[str, Any]) -> int:
    count = 1
    for child in component.get("components") or []:
        if isinstance(child, Mapping):
            count += _count_components(child)
    for key in ("accessory", "component"):
        child = component.get(key)
        if isinstance(child, Mapping):
            count += _count_components(child)
    return count


def validate_components(
    components: object, path: Path = ("components",), *, components_v2: bool = False
) -> list[FieldError]:
    """Action rows (≤ 5, each 1..5 buttons or one select), custom ids (1..100, unique), labels (≤ 80)."""
    if components is None:
        return []
    if not isinstance(components, list):
        return [_bad_type(path, "array")]
    errors: list[FieldError] = []
    custom_ids: list[tuple[Path, str]] = []
    for index, component in enumerate(components):
        if isinstance(component, Mapping):
            _collect_custom_ids(component, (*path, index), custom_ids)
    seen: set[str] = set()
    for id_path, custom_id in custom_ids:
        if not 1 <= len(custom_id) <= MAX_CUSTOM_ID:
            errors.append(_bad_length(id_path, 1, MAX_CUSTOM_ID))
        if custom_id in seen:
            errors.append(FieldError(id_path, "COMPONENT_CUSTOM_ID_DUPLICATED",
                                     "Component custom id cannot be duplicated"))
        seen.add(custom_id)
    if components_v2:
        total = sum(_count_components(c) for c in components if isinstance(c, Mapping))
        if total > MAX_COMPONENTS_V2:
            errors.append(_too_long(path, MAX_COMPONENTS_V2))
        return errors
    if len(components) > MAX_ACTION_ROWS:
        errors.append(_too_long(path, MAX_ACTION_ROWS))
    for index, row in enumerate(components):
        row_path = (*path, index)
        if not isinstance(row, Mapping):
            errors.append(_bad_type(row_path, "object"))
            continue
        if row.get("type") != ACTION_ROW:
            errors.append(FieldError((*row_path, "type"), "UNION_TYPE_CHOICES",
                                     "Top-level components must be action rows (type 1) "
                                     "unless the message has the IS_COMPONENTS_V2 flag"))
            continue
        children, child_errors = _list_field(row, "components", row_path)
        errors += child_errors
        if not 1 <= len(children) <= MAX_ROW_COMPONENTS:
            errors.append(_bad_length((*row_path, "components"), 1, MAX_ROW_COMPONENTS))
        selects = [c for c in children if isinstance(c, Mapping) and c.get("type") in SELECT_TYPES]
        if selects and len(children) > 1:
            errors.append(FieldError((*row_path, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                     "A select menu takes a whole action row"))
        for child_index, child in enumerate(children):
            child_path = (*row_path, "components", child_index)
            if not isinstance(child, Mapping):
                errors.append(_bad_type(child_path, "object"))
            elif child.get("type") == BUTTON:
                errors += _validate_button(child, child_path)
            elif child.get("type") in SELECT_TYPES:
                if not child.get("custom_id"):
                    errors.append(_required((*child_path, "custom_id")))
                errors += _validate_select(child, child_path)
            else:
                errors.append(FieldError((*child_path, "type"), "UNION_TYPE_CHOICES",
                                         "An action row holds buttons or one select menu"))
    return errors


def validate_message(
    body: Mapping[str, Any], path: Path = (), *, allowed_flags: int = (
        FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2
    )
) -> list[FieldError]:
    """A message create/edit body (channel message, followup, callback ``data``)."""
    errors: list[FieldError] = []
    content = body.get("content")
    if content is not None:
        if not isinstance(content, str):
            errors.append(_bad_type((*path, "content"), "string"))
        elif len(content) > MAX_CONTENT:
            errors.append(_too_long((*path, "content"), MAX_CONTENT))
    flags = body.get("flags")
    components_v2 = False
    if flags is not None:
        if not _is_int(flags):
            errors.append(_bad_type((*path, "flags"), "integer"))
        else:
            if flags & ~allowed_flags:
                errors.append(FieldError((*path, "flags"), "MESSAGE_FLAGS_INVALID",
                                         f"Flags {flags & ~allowed_flags} cannot be set on this message"))
            components_v2 = bool(flags & FLAG_IS_COMPONENTS_V2)
    if components_v2 and (content or body.get("embeds")):
        errors.append(FieldError((*path, "content"), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                                 "The 'content' and 'embeds' fields cannot be used with IS_COMPONENTS_V2"))
    errors += validate_embeds(body.get("embeds"), (*path, "embeds"))
    errors += validate_components(body.get("components"), (*path, "components"), components_v2=components_v2)
    errors += validate_allowed_mentions(body.get("allowed_mentions"), (*path, "allowed_mentions"))
    attachments, attachment_errors = _list_field(body, "attachments", path)
    errors += attachment_errors
    if len(attachments) > MAX_ATTACHMENTS:
        errors.append(_too_long((*path, "attachments"), MAX_ATTACHMENTS))
    stickers, sticker_errors = _list_field(body, "sticker_ids", path)
    errors += sticker_errors
    if len(stickers) > 3:
        errors.append(_too_long((*path, "sticker_ids"), 3))
    return errors


def is_empty_message(body: Mapping[str, Any], *, file_count: int = 0) -> bool:
    """Discord's 50006 "Cannot send an empty message": nothing visible in it."""
    content = body.get("content")
    if isinstance(content, str) and content.strip():
        return False
    return not (
        body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or body.get("attachments")
        or file_count
    )


# --------------------------------------------------------------------------- interaction callbacks


def validate_autocomplete_result(
    data: object, path: Path = ("data",), *, option_type: int = STRING
) -> list[FieldError]:
    """Up to 25 choices, names 1..100, string values ≤ 100, values of the option's type."""
    if not isinstance(data, Mapping):
        return [_required(path)]
    choices, errors = _list_field(data, "choices", path)
    return errors + _validate_choice_list(choices, path, option_type)


def validate_modal(data: object, path: Path = ("data",)) -> list[FieldError]:
    """custom_id 1..100, title 1..45, 1..5 top-level components, and the text inputs in them."""
    if not isinstance(data, Mapping):
        return [_required(path)]
    errors = _required_text(data, "custom_id", path, limit=MAX_CUSTOM_ID)
    errors += _required_text(data, "title", path, limit=MAX_MODAL_TITLE)
    components, component_errors = _list_field(data, "components", path)
    errors += component_errors
    if not 1 <= len(components) <= 5:
        errors.append(_bad_length((*path, "components"), 1, 5))
    for index, component in enumerate(components):
        errors += _validate_modal_component(component, (*path, "components", str(index)))
    return errors


def _validate_modal_component(component: object, path: Path, *, in_label: bool = False) -> list[FieldError]:
    """An action row of one text input (labelled itself), or a label (text 1..45, description ≤ 100) around one."""
    if not isinstance(component, Mapping):
        return [_bad_type(path, "object")]
    kind = component.get("type")
    if kind == ACTION_ROW:
        children, errors = _list_field(component, "components", path)
        return errors + [
            error for index, child in enumerate(children)
            for error in _validate_modal_component(child, (*path, "components", str(index)))
        ]
    if kind == LABEL:
        errors = _required_text(component, "label", path, limit=MAX_MODAL_LABEL)
        errors += _optional_text(component.get("description"), (*path, "description"), limit=MAX_LABEL_DESCRIPTION)
        return errors + _validate_modal_component(component.get("component"), (*path, "component"), in_label=True)
    if kind != TEXT_INPUT:
        return []  # selects and the rest: checked where messages check them
    errors = _required_text(component, "custom_id", path, limit=MAX_CUSTOM_ID)
    if component.get("style") not in (1, 2):
        errors.append(FieldError((*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2)."))
    if in_label and component.get("label") is not None:
        errors.append(FieldError((*path, "label"), "COMPONENT_INVALID", "A text input in a label has no label"))
    elif not in_label:  # the older layout: the label sits on the input itself
        errors += _required_text(component, "label", path, limit=MAX_MODAL_LABEL)
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = component.get(key)
        if value is not None and (not _is_int(value) or not low <= value <= MAX_TEXT_INPUT):
            errors.append(FieldError((*path, key), "NUMBER_TYPE_MAX", f"Must be between {low} and {MAX_TEXT_INPUT}."))
    errors += _optional_text(component.get("value"), (*path, "value"), limit=MAX_TEXT_INPUT)
    errors += _optional_text(component.get("placeholder"), (*path, "placeholder"), limit=MAX_TEXT_PLACEHOLDER)
    return errors


def validate_callback(body: Mapping[str, Any], *, interaction_type: int, option_type: int = STRING) -> list[FieldError]:
    """An interaction callback body: a type allowed for this interaction and its ``data``."""
    callback_type = body.get("type")
    allowed = CALLBACK_TYPES_FOR.get(interaction_type, frozenset())
    if callback_type not in allowed:
        return [FieldError(("type",), "INTERACTION_CALLBACK_TYPE_INVALID",
                           f"Callback type {callback_type!r} is not valid for interaction type "
                           f"{interaction_type} (allowed: {sorted(allowed)})")]
    data = body.get("data")
    if callback_type in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
        if data is None:
            return []
        if not isinstance(data, Mapping):
            return [_bad_type(("data",), "object")]
        return validate_message(data, ("data",), allowed_flags=(
            FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2 | FLAG_EPHEMERAL
        ))
    if callback_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE):
        if isinstance(data, Mapping) and data.get("flags") is not None:
            flags = data["flags"]
            if not _is_int(flags) or flags & ~FLAG_EPHEMERAL:
                return [FieldError(("data", "flags"), "MESSAGE_FLAGS_INVALID", "Only EPHEMERAL can be set on a defer")]
        return []
    if callback_type == AUTOCOMPLETE_RESULT:
        return validate_autocomplete_result(data, option_type=option_type)
    return validate_modal(data)
