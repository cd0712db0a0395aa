"""Discord's own OpenAPI description as the judge of every request body the bot sends.

The stand-in's hand-written rules (:mod:`standin.validation`) are our reading of
Discord's documentation; this module adds Discord's machine-readable description,
``standin/openapi/openapi.json`` (Discord's file, unchanged; see the README beside it).
For a request, :meth:`ApiSpec.check` picks the operation that the method and the
path select (a literal segment such as ``@original`` wins over a ``{parameter}``),
validates the JSON body (for multipart bodies, the ``payload_json`` part) against
that operation's ``application/json`` request schema with JSON Schema draft 2020-12,
and returns the rejected fields as :class:`~standin.validation.FieldError`, which
the stand-in answers as Discord does: 400, code 50035 "Invalid Form Body".

Three things are ours, not the spec's:

* :data:`ALLOWANCES`, the one list of places where the spec is stricter than Discord
  in practice, each with the reason (the values discord.py really sends there);
* formats are asserted, not only annotated (``int32``, ``int64``, ``date-time``, ``uri``);
* Discord's unions are tagged by a ``type`` field (components, command options,
  callbacks): such a union validates only the branch that its ``type`` names. That is
  exactly what ``oneOf``/``anyOf`` would decide (the branches' ``type`` values are
  disjoint and required), much faster, and it reports the errors of that branch.

One validator per operation is compiled on first use and kept; the document itself
is read once per process (:meth:`ApiSpec.shared`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import quote

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from standin.validation import FieldError, PathPart

SPEC_FILE = Path(__file__).with_name("openapi") / "openapi.json"
SPEC_URI = "urn:discord:openapi"
METHODS = ("get", "put", "post", "patch", "delete")
JSON = "application/json"
UNIONS = ("oneOf", "anyOf")
TAG = "type"


@dataclass(frozen=True, slots=True)
class Allowance:
    """A place where the spec is stricter than Discord: what Discord also accepts there, and why.

    ``pointer`` is a JSON pointer into ``openapi.json``; the schema found there is
    replaced, in memory only, by ``{"anyOf": [that schema, also]}``.
    """

    name: str
    pointer: str
    also: Mapping[str, Any]
    reason: str


#: Every place where the stand-in accepts more than the spec does. Each entry is needed:
#: tests/standin/test_spec.py removes it and shows a real discord.py payload failing.
ALLOWANCES: tuple[Allowance, ...] = (
    Allowance(
        name="attachment ids may be integers",
        pointer="/components/schemas/MessageAttachmentRequest/properties/id",
        also={"type": "integer", "minimum": 0},
        reason=(
            "discord.py 2.7.1 numbers the files of a message and sends "
            '`"attachments": [{"id": 0, "filename": ...}]` with integer ids (http.handle_message_parameters); '
            "the spec types the id as a snowflake string, but Discord accepts the integers: every "
            "discord.py bot that uploads a file sends them."
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec: its method, path template, id and request schema (if it takes a body)."""

    method: str
    template: str
    operation_id: str
    body_pointer: str | None

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


# --------------------------------------------------------------------------- formats


def _int_range(low: int, high: int) -> Any:
    def check(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True
        return float(value).is_integer() and low <= value <= high

    return check


def _date_time(value: object) -> bool:
    """RFC 3339 date-time: a date, ``T`` or space, a time, and an offset."""
    if not isinstance(value, str):
        return True
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None and len(value) >= 20


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def _uri(value: object) -> bool:
    """An absolute URI (RFC 3986: a scheme, a colon, no whitespace)."""
    return not isinstance(value, str) or bool(_URI.match(value))


def _double(value: object) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


FORMATS = FormatChecker(formats=())
FORMATS.checks("int32")(_int_range(-(2**31), 2**31 - 1))
FORMATS.checks("int64")(_int_range(-(2**63), 2**63 - 1))
FORMATS.checks("double")(_double)
FORMATS.checks("date-time")(_date_time)
FORMATS.checks("uri")(_uri)


# --------------------------------------------------------------------------- the document


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _resolve(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for raw in pointer.lstrip("/").split("/"):
        segment = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(segment)] if isinstance(node, list) else node[segment]
    return node


def _follow(document: Mapping[str, Any], schema: Any) -> Any:
    """A schema with its local ``$ref`` chain followed."""
    seen = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        schema = _resolve(document, schema["$ref"][1:])
        seen += 1
        if seen > 32:
            raise ValueError("a $ref cycle in the spec")
    return schema


def _tag_values(document: Mapping[str, Any], branch: Any) -> list[object] | None:
    """The ``type`` values a union branch accepts, when it requires ``type`` and lists them."""
    schema = _follow(document, branch)
    if not isinstance(schema, Mapping) or TAG not in (schema.get("required") or ()):
        return None
    tag = (schema.get("properties") or {}).get(TAG)
    if not isinstance(tag, Mapping):
        return None
    if "const" in tag:
        return [tag["const"]]
    values = tag.get("enum")
    return list(values) if isinstance(values, list) and values else None


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@dataclass(frozen=True, slots=True)
class Shortcuts:
    """What the validator may take short cuts on, found in one pass over the document.

    ``tagged``: ``id(union list)`` → {tag value: branch index}, for unions whose branches all
    require ``type`` and list disjoint values for it (components, command options, callbacks).
    ``constants``: ``id(union list)`` → its values, for unions of plain distinct constants
    (Discord's enums, ``{"oneOf": [{"title": "CHAT", "const": 1}, …]}``).
    ``references``: every local ``$ref`` → the schema it names (empty if anything has an ``$id``).
    """

    tagged: Mapping[int, Mapping[object, int]]
    constants: Mapping[int, frozenset[int | str]]
    references: Mapping[str, Any]


def _tag_table(document: Mapping[str, Any], branches: list[Any]) -> dict[object, int] | None:
    table: dict[object, int] = {}
    for index, branch in enumerate(branches):
        values = _tag_values(document, branch)
        if values is None or any(value in table or isinstance(value, bool) for value in values):
            return None
        table.update(dict.fromkeys(values, index))
    return table


def _constants(branches: list[Any]) -> frozenset[int | str] | None:
    values: list[int | str] = []
    for branch in branches:
        if not isinstance(branch, Mapping) or "const" not in branch or set(branch) - {"const", "title", "description"}:
            return None
        value = branch["const"]
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None
        values.append(value)
    return frozenset(values) if len(set(values)) == len(values) else None


def shortcuts(document: Mapping[str, Any]) -> Shortcuts:
    tagged: dict[int, Mapping[object, int]] = {}
    constants: dict[int, frozenset[int | str]] = {}
    references: set[str] = set()
    has_ids = False
    for schema in _walk(document):
        has_ids = has_ids or "$id" in schema
        reference = schema.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/"):
            references.add(reference)
        for keyword in UNIONS:
            branches = schema.get(keyword)
            if not isinstance(branches, list) or len(branches) < 2:
                continue
            values = _constants(branches)
            if values is not None:
                constants[id(branches)] = values
                continue
            table = _tag_table(document, branches)
            if table is not None:
                tagged[id(branches)] = table
    targets = {} if has_ids else {reference: _resolve(document, reference[1:]) for reference in references}
    return Shortcuts(tagged, constants, targets)


def _apply(document: dict[str, Any], allowance: Allowance) -> None:
    parent_pointer, _, key = allowance.pointer.rpartition("/")
    parent = _resolve(document, parent_pointer) if parent_pointer else document
    name = key.replace("~1", "/").replace("~0", "~")
    if name not in parent:
        raise ValueError(f"allowance {allowance.name!r}: nothing at {allowance.pointer}")
    parent[name] = {"anyOf": [parent[name], dict(allowance.also)], "x-standin-allowance": allowance.name}


def _operations(document: Mapping[str, Any]) -> list[tuple[re.Pattern[str], int, Operation]]:
    found: list[tuple[re.Pattern[str], int, Operation]] = []
    for template, item in document["paths"].items():
        parts = template.strip("/").split("/")
        literal = sum(1 for part in parts if not part.startswith("{"))
        pattern = re.compile(
            "^/" + "/".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + "$"
        )
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            content = (operation.get("requestBody") or {}).get("content") or {}
            body_pointer = None
            if JSON in content:
                body_pointer = "/" + "/".join(
                    _escape(part) for part in ("paths", template, method, "requestBody", "content", JSON, "schema")
                )
            operation_id = str(operation["operationId"])
            found.append((pattern, literal, Operation(method.upper(), template, operation_id, body_pointer)))
    return found


# --------------------------------------------------------------------------- errors in Discord's shape


def _is_null_schema(schema: object) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null"


def _path_of(error: ValidationError) -> tuple[PathPart, ...]:
    return tuple(error.absolute_path)


TYPE_ERRORS = {
    "object": ("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"),
    "array": ("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"),
    "boolean": ("BOOLEAN_TYPE_CONVERT", "Must be either true or false."),
    "string": ("BASE_TYPE_STRING", "Value must be a valid string."),
    "null": ("BASE_TYPE_NULL", "Value must be null."),
}


def _leaf(error: ValidationError) -> FieldError:
    """One jsonschema error as Discord's ``{"code", "message"}`` at the field it concerns."""
    path = _path_of(error)
    keyword = error.validator
    value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance
    if keyword == "required":
        missing = next((key for key in value if isinstance(instance, Mapping) and key not in instance), value[0])
        return FieldError((*path, missing), "BASE_TYPE_REQUIRED", "This field is required")
    if keyword == "type":
        wanted = [kind for kind in ([value] if isinstance(value, str) else value) if kind != "null"] or ["null"]
        if wanted[0] in ("integer", "number"):
            noun = "int" if wanted[0] == "integer" else "a number"
            return FieldError(path, "NUMBER_TYPE_COERCE", f"Value {json.dumps(instance)[:40]} is not {noun}.")
        code, message = TYPE_ERRORS.get(wanted[0], ("BASE_TYPE_INVALID", error.message))
        return FieldError(path, code, message)
    if keyword in ("maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"):
        low_key, high_key = {"L": ("minLength", "maxLength"), "I": ("minItems", "maxItems"),
                             "P": ("minProperties", "maxProperties")}[keyword[3]]
        low, high = schema.get(low_key) or 0, schema.get(high_key)
        if low and high is not None:
            return FieldError(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
        if keyword.startswith("max"):
            return FieldError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {value} or fewer in length.")
        return FieldError(path, "BASE_TYPE_MIN_LENGTH", f"Must be {value} or more in length.")
    if keyword in ("maximum", "exclusiveMaximum"):
        relation = "less than or equal to" if keyword == "maximum" else "less than"
        return FieldError(path, "NUMBER_TYPE_MAX", f"int value should be {relation} {value}.")
    if keyword in ("minimum", "exclusiveMinimum"):
        relation = "greater than or equal to" if keyword == "minimum" else "greater than"
        return FieldError(path, "NUMBER_TYPE_MIN", f"int value should be {relation} {value}.")
    if keyword in ("enum", "const", "x-tag"):
        choices = value if keyword != "const" else [value]
        return FieldError(path, "BASE_TYPE_CHOICES", f"Value must be one of {tuple(choices)!r}.")
    if keyword == "pattern":
        return FieldError(path, "STRING_TYPE_REGEX", "String value did not match validation regex.")
    if keyword == "uniqueItems":
        return FieldError(path, "SET_TYPE_ALREADY_CONTAINS_VALUE", "The set already contains this value.")
    if keyword == "format":
        if value == "uri":
            return FieldError(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        if value == "date-time":
            return FieldError(path, "DATE_TIME_TYPE_PARSE", f"Could not parse {instance!r}. Should be ISO8601.")
        return FieldError(path, "NUMBER_TYPE_MAX", f"Value {instance!r} is out of range for {value}.")
    if keyword in UNIONS:
        return FieldError(path, "UNION_TYPE_CHOICES", "Value matches none of the allowed shapes.")
    return FieldError(path, "BASE_TYPE_INVALID", error.message[:200])


TYPE_CODES = frozenset({"NUMBER_TYPE_COERCE", *(code for code, _ in TYPE_ERRORS.values())})


def _branch_rank(
    branch: Sequence[Any], leaves: Sequence[FieldError], depth: int
) -> tuple[bool, bool, int, int, bool]:
    """How well a failing union branch fits the value: its tag and its JSON type match, its errors lie
    deep and are few, and it is not the ``null`` branch."""
    refused_by_tag = any(leaf.path[depth:] == (TAG,) and leaf.code == "BASE_TYPE_CHOICES" for leaf in leaves)
    wrong_type = any(len(leaf.path) == depth and leaf.code in TYPE_CODES for leaf in leaves)
    shallowest = min((len(leaf.path) for leaf in leaves), default=depth)
    return (not refused_by_tag, not wrong_type, shallowest, -len(leaves), not _is_null_schema(branch))


def field_errors(errors: Iterable[ValidationError]) -> list[FieldError]:
    """Flatten jsonschema's errors into Discord's leaves; a failed union reports its best-fitting branch."""
    leaves: list[FieldError] = []
    for error in errors:
        leaves += _leaves(error)
    return leaves


def _leaves(error: ValidationError) -> list[FieldError]:
    if error.validator in UNIONS and error.context:
        branches: list[Any] = cast("list[Any]", error.validator_value)
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            by_branch.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        depth = len(error.absolute_path)
        ranked = []
        for index, subs in by_branch.items():
            branch_leaves = field_errors(subs)
            ranked.append((_branch_rank(branches[index], branch_leaves, depth), index, branch_leaves))
        best = max(ranked, key=lambda item: (item[0], -item[1]))
        if best[2]:
            return best[2]
    return [_leaf(error)]


# --------------------------------------------------------------------------- the spec


class ApiSpec:
    """Discord's OpenAPI description, ready to check request bodies (one compiled validator per operation)."""

    _shared: ClassVar[ApiSpec | None] = None

    def __init__(self, document: Mapping[str, Any], allowances: Sequence[Allowance] = ALLOWANCES) -> None:
        patched: dict[str, Any] = json.loads(json.dumps(document))
        for allowance in allowances:
            _apply(patched, allowance)
        self.document = patched
        self.allowances = tuple(allowances)
        self.version = str(patched["info"]["version"])
        self._operations = sorted(_operations(patched), key=lambda item: -item[1])
        # Every request asks for its operation: look among those of the same method, number of
        # segments and first segment only (a parameter as the first segment matches any).
        self._by_shape: dict[tuple[str, int, str | None], list[tuple[int, re.Pattern[str], Operation]]] = {}
        for order, (pattern, _, operation) in enumerate(self._operations):
            parts = operation.template.strip("/").split("/")
            first = None if parts[0].startswith("{") else parts[0]
            self._by_shape.setdefault((operation.method, len(parts), first), []).append((order, pattern, operation))
        #: The patched document as a ``referencing`` registry (``urn:discord:openapi``).
        self.registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, DRAFT202012.create_resource(patched)
        )
        self._validator_class = _validator_class(shortcuts(patched))
        self._validators: dict[str, Validator] = {}
        self._results: dict[tuple[str, str], tuple[FieldError, ...]] = {}

    @classmethod
    def from_file(cls, path: Path = SPEC_FILE, allowances: Sequence[Allowance] = ALLOWANCES) -> ApiSpec:
        return cls(json.loads(path.read_bytes()), allowances)

    @classmethod
    def shared(cls) -> ApiSpec:
        """The shipped spec with :data:`ALLOWANCES`, read once per process and shared by every stand-in."""
        if cls._shared is None:
            cls._shared = cls.from_file()
        return cls._shared

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation ``method`` and the concrete ``path`` select (literal segments beat parameters)."""
        method = method.upper()
        parts = path.strip("/").split("/")
        candidates = self._by_shape.get((method, len(parts), parts[0]), []) + self._by_shape.get(
            (method, len(parts), None), [])
        for _, pattern, operation in sorted(candidates, key=lambda candidate: candidate[0]):
            if pattern.match(path):
                return operation
        return None

    def operation_named(self, operation_id: str) -> Operation:
        for _, _, operation in self._operations:
            if operation.operation_id == operation_id:
                return operation
        raise KeyError(operation_id)

    def validator(self, operation: Operation) -> Validator | None:
        """The compiled validator of the operation's request body (None when it takes no JSON body)."""
        if operation.body_pointer is None:
            return None
        validator = self._validators.get(operation.key)
        if validator is None:
            reference = f"{SPEC_URI}#{quote(operation.body_pointer, safe='/~')}"
            validator = self._validator_class({"$ref": reference}, registry=self.registry, format_checker=FORMATS)
            self._validators[operation.key] = validator
        return validator

    def check(self, method: str, path: str, body: object) -> list[FieldError]:
        """The fields of ``body`` that the operation's request schema rejects (empty: the spec accepts it).

        A route the spec does not describe, or one that takes no JSON body, has nothing to check.
        """
        operation = self.operation(method, path)
        if operation is None:
            return []
        return self.check_operation(operation, body)

    def check_operation(self, operation: Operation, body: object) -> list[FieldError]:
        validator = self.validator(operation)
        if validator is None:
            return []
        # The same body comes again and again (every test's command sync): validate it once.
        memo_key = (operation.key, json.dumps(body, sort_keys=True, separators=(",", ":")))
        found = self._results.get(memo_key)
        if found is None:
            found = tuple(
                FieldError(leaf.path, leaf.code, leaf.message, rule=f"spec {operation.operation_id}")
                for leaf in _dedupe(field_errors(validator.iter_errors(cast(Any, body))))
            )
            if len(self._results) >= 2048:
                self._results.pop(next(iter(self._results)))
            self._results[memo_key] = found
        return list(found)


def _dedupe(leaves: Iterable[FieldError]) -> list[FieldError]:
    seen: set[tuple[tuple[PathPart, ...], str]] = set()
    unique = []
    for leaf in leaves:
        if (leaf.path, leaf.code) not in seen:
            seen.add((leaf.path, leaf.code))
            unique.append(leaf)
    return unique


def _validator_class(shortcut: Shortcuts) -> type[Validator]:
    """Draft 2020-12, with short cuts that keep every verdict: a tagged union validates only the branch
    its ``type`` names, a nullable value that is not null only its schema, a union of distinct
    constants is a membership test, and a local ``$ref`` is looked up once."""
    tables, constants, targets = shortcut.tagged, shortcut.constants, shortcut.references

    def tagged(keyword: str) -> Any:
        standard = Draft202012Validator.VALIDATORS[keyword]

        def union(
            validator: Any, branches: list[Any], instance: object, schema: Mapping[str, Any]
        ) -> Iterator[ValidationError]:
            values = constants.get(id(branches))
            if values is not None:
                if isinstance(instance, int | float | str) and not isinstance(instance, bool) and instance in values:
                    return  # exactly one constant equals it (4.0 equals 4, as in JSON Schema)
                yield from standard(validator, branches, instance, schema)
                return
            if instance is not None and len(branches) == 2 and _is_null_schema(branches[0]):
                # {"oneOf": [{"type": "null"}, X]}, Discord's "nullable X": a value that is not null is X's.
                yield from validator.descend(instance, branches[1], schema_path=1)
                return
            table = tables.get(id(branches))
            if table is None or not isinstance(instance, Mapping):
                yield from standard(validator, branches, instance, schema)
                return
            if TAG not in instance:
                yield ValidationError("'type' is a required property", validator="required", validator_value=[TAG])
                return
            tag = instance[TAG]
            if isinstance(tag, float) and tag.is_integer():
                tag = int(tag)  # draft 2020-12: 4.0 is the integer 4
            index = table.get(tag) if isinstance(tag, int | str) and not isinstance(tag, bool) else None
            if index is None:
                yield ValidationError(
                    f"{tag!r} is not a known type", validator="x-tag", validator_value=sorted(table, key=str),
                    path=[TAG], instance=tag,
                )
                return
            yield from validator.descend(instance, branches[index], schema_path=index)

        return union

    standard_ref = Draft202012Validator.VALIDATORS["$ref"]

    def ref(validator: Any, reference: str, instance: object, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        # Every $ref of the document is local ("#/components/schemas/…") and nothing in it has an $id,
        # so a reference always means the same schema: look each up once.
        target = targets.get(reference)
        if target is None:
            yield from standard_ref(validator, reference, instance, schema)
            return
        yield from validator.descend(instance, target)

    keywords = {keyword: tagged(keyword) for keyword in UNIONS} | {"$ref": ref}
    extend = cast("Callable[..., type[Validator]]", validators.extend)
    return extend(Draft202012Validator, keywords)


@cache
def shipped_sha256() -> str:
    """The sha256 of the shipped ``openapi.json`` (the README beside it gives the same)."""
    return hashlib.sha256(SPEC_FILE.read_bytes()).hexdigest()
