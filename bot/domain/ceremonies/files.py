"""Reading a host's nominee file: JSON in the shape of ``emmys-2014.json`` or a CSV.

Pure functions, no database: :func:`parse_ceremony_file` turns the bytes of an
attachment into categories and nominations, or raises :class:`InvalidInput`
naming the line (CSV, JSON syntax) or the field (JSON structure) that is wrong.
Winners in the file are ignored: results are logged live. A JSON category may say
``"telecast": true`` (presented on air): `/ballot` shows those by default.

The same name may stand twice in one category (Derek Hough's two 2013
choreography nominations; two *Project Runway* editing nominations), so every
nomination is its own entry and :func:`assign_labels` gives each a label that
tells it apart: the show, the episode when the file has one, else a number.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.domain.errors import InvalidInput

MAX_FILE_BYTES = 1_000_000
MAX_CATEGORIES = 200
MAX_NOMINEES_PER_CATEGORY = 20
MAX_NAME = 200
LIMITS_TEXT = (
    f"at most {MAX_CATEGORIES} categories, {MAX_NOMINEES_PER_CATEGORY} nominees in each, "
    f"names of at most {MAX_NAME} characters, a file of at most {MAX_FILE_BYTES // 1000:,} KB in UTF-8"
)
CSV_REQUIRED = ("category", "nominee", "show")
CSV_OPTIONAL = ("episode",)
# Bidirectional overrides and isolates: invisible, and they reorder what follows them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@dataclass(frozen=True, slots=True)
class ParsedNominee:
    name: str
    show: str | None
    episode: str | None
    label: str


@dataclass(frozen=True, slots=True)
class ParsedCategory:
    name: str
    nominees: tuple[ParsedNominee, ...]
    telecast: bool = False  # presented during the broadcast (a JSON file's `"telecast": true`)


@dataclass(frozen=True, slots=True)
class ParsedCeremony:
    categories: tuple[ParsedCategory, ...]

    @property
    def nominee_count(self) -> int:
        return sum(len(category.nominees) for category in self.categories)


def parse_ceremony_file(data: bytes, filename: str = "") -> ParsedCeremony:
    """Parse a JSON or CSV nominee file; raise :class:`InvalidInput` on the first problem."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            f"The file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes ({LIMITS_TEXT})."
        )
    text = _decode(data)
    if not text.strip():
        raise InvalidInput("The file is empty: attach a JSON or CSV list of categories and nominees.")
    lowered = filename.lower()
    if lowered.endswith(".json") or (not lowered.endswith(".csv") and text.lstrip()[:1] in "{["):
        return _parse_json(text)
    return _parse_csv(text)


def nominee_base(name: str, show: str | None) -> str:
    """What a nomination is called before any tie-breaker: the name, and the show when it differs."""
    if show and show.casefold() != name.casefold():
        return f"{name} — {show}"
    return name


def assign_labels(nominees: list[tuple[str, str | None, str | None]]) -> list[str]:
    """Labels for one category's (name, show, episode) entries, unique ignoring case.

    Entries that would read the same get the episode in brackets when they
    have one, and a number otherwise (or when even the episodes collide).
    """
    bases = [nominee_base(name, show) for name, show, _episode in nominees]
    counts: dict[str, int] = {}
    for base in bases:
        counts[base.casefold()] = counts.get(base.casefold(), 0) + 1
    labels = [
        f"{base} ({episode})" if counts[base.casefold()] > 1 and episode else base
        for base, (_name, _show, episode) in zip(bases, nominees, strict=True)
    ]
    label_counts: dict[str, int] = {}
    for label in labels:
        label_counts[label.casefold()] = label_counts.get(label.casefold(), 0) + 1
    used: set[str] = set()
    numbered: dict[str, int] = {}
    result: list[str] = []
    for label in labels:
        candidate = label
        if label_counts[label.casefold()] > 1:
            number = numbered.get(label.casefold(), 0)
            while True:
                number += 1
                candidate = f"{label} #{number}"
                if candidate.casefold() not in used and candidate.casefold() not in label_counts:
                    break
            numbered[label.casefold()] = number
        used.add(candidate.casefold())
        result.append(candidate)
    return result


# ---- decoding -----------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(
            f"The file isn't UTF-8 text: line {line} has a byte that UTF-8 doesn't allow. "
            "Save it as UTF-8 and attach it again."
        ) from None


# ---- JSON ---------------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _parse_json(text: str) -> ParsedCeremony:
    try:
        document = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"The file isn't valid JSON: line {error.lineno}, column {error.colno}: {error.msg}."
        ) from None
    except _DuplicateKey as error:
        raise InvalidInput(f"The JSON has the key `{_quote(str(error))}` twice in one object.") from None
    except RecursionError:
        raise InvalidInput("The JSON is nested too deeply to be a list of categories.") from None
    except ValueError as error:  # e.g. an integer with thousands of digits
        raise InvalidInput(f"The file isn't usable JSON: {_quote(str(error), 120)}.") from None
    if not isinstance(document, dict):
        raise InvalidInput('The JSON must be an object with a "categories" list, like emmys-2014.json.')
    raw_categories = document.get("categories")
    if not isinstance(raw_categories, list):
        raise InvalidInput('Field `categories` must be a list of categories, like in emmys-2014.json.')
    if not raw_categories:
        raise InvalidInput("Field `categories` is empty: the file has no categories.")
    if len(raw_categories) > MAX_CATEGORIES:
        raise InvalidInput(
            f"Field `categories` has {len(raw_categories)} entries; the limit is {MAX_CATEGORIES}."
        )
    categories: list[ParsedCategory] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(raw_categories):
        where = f"categories[{index}]"
        if not isinstance(raw, dict):
            raise InvalidInput(f"Field `{where}` must be an object with `name` and `nominees`.")
        name = _text(raw.get("name"), f"{where}.name", required=True)
        assert name is not None
        _refuse_duplicate_category(name, f"`{where}.name`", seen)
        raw_nominees = raw.get("nominees")
        context = f"`{where}.nominees` ({_quote(name, 60)})"
        if not isinstance(raw_nominees, list):
            raise InvalidInput(f"Field {context} must be a list of nominees.")
        if not raw_nominees:
            raise InvalidInput(f"Field {context} is empty: every category needs at least one nominee.")
        if len(raw_nominees) > MAX_NOMINEES_PER_CATEGORY:
            raise InvalidInput(
                f"Field {context} has {len(raw_nominees)} nominees; the limit is {MAX_NOMINEES_PER_CATEGORY}."
            )
        entries: list[tuple[str, str | None, str | None]] = []
        for position, nominee in enumerate(raw_nominees):
            field = f"{where}.nominees[{position}]"
            if not isinstance(nominee, dict):
                raise InvalidInput(f"Field `{field}` must be an object with `name` and `show`.")
            nominee_name = _text(nominee.get("name"), f"{field}.name", required=True)
            assert nominee_name is not None
            show = _text(nominee.get("show"), f"{field}.show", required=False)
            episode = _text(nominee.get("episode"), f"{field}.episode", required=False)
            entries.append((nominee_name, show, episode))
        telecast = raw.get("telecast", False)
        if not isinstance(telecast, bool):
            raise InvalidInput(f"Field `{where}.telecast` must be true or false, not {_json_type(telecast)}.")
        categories.append(_category(name, entries, telecast=telecast))
    return ParsedCeremony(tuple(categories))


def _text(value: Any, field: str, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise InvalidInput(f"Field `{field}` is missing: it must be a text.")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"Field `{field}` must be a text, not {_json_type(value)}.")
    return _clean(value, f"Field `{field}`", required=required)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "something else"


# ---- CSV ----------------------------------------------------------------------------------


def _parse_csv(text: str) -> ParsedCeremony:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise InvalidInput("The CSV is empty: its first line must be `category,nominee,show`.")
        columns = [cell.strip().lower() for cell in header]
        missing = [name for name in CSV_REQUIRED if name not in columns]
        if missing:
            raise InvalidInput(
                f"Line {reader.line_num}: the CSV header must be `category,nominee,show` "
                f"(optionally `episode`); `{', '.join(missing)}` is missing."
            )
        repeated = sorted({name for name in columns if name and columns.count(name) > 1})
        if repeated:
            raise InvalidInput(f"Line {reader.line_num}: the header names `{', '.join(repeated)}` twice.")
        index = {name: columns.index(name) for name in (*CSV_REQUIRED, *CSV_OPTIONAL) if name in columns}
        order: list[str] = []
        grouped: dict[str, tuple[str, list[tuple[str, str | None, str | None]]]] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise InvalidInput(
                    f"Line {line} has {len(row)} values; the header has {len(columns)} "
                    f"({', '.join(columns)}). Put quotes around names that contain commas."
                )
            category = _clean(row[index["category"]], f"Line {line}, column `category`", required=True)
            nominee = _clean(row[index["nominee"]], f"Line {line}, column `nominee`", required=True)
            show = _clean(row[index["show"]], f"Line {line}, column `show`", required=False)
            episode = (
                _clean(row[index["episode"]], f"Line {line}, column `episode`", required=False)
                if "episode" in index else None
            )
            assert category is not None
            assert nominee is not None
            key = category.casefold()
            if key not in grouped:
                if len(order) == MAX_CATEGORIES:
                    raise InvalidInput(f"Line {line} starts category {MAX_CATEGORIES + 1}; the limit is "
                                       f"{MAX_CATEGORIES} categories.")
                order.append(key)
                grouped[key] = (category, [])
            entries = grouped[key][1]
            if len(entries) == MAX_NOMINEES_PER_CATEGORY:
                raise InvalidInput(
                    f"Line {line} is nominee {MAX_NOMINEES_PER_CATEGORY + 1} of “{_quote(category, 60)}”; "
                    f"the limit is {MAX_NOMINEES_PER_CATEGORY} nominees in a category."
                )
            entries.append((nominee, show, episode))
    except csv.Error as error:
        raise InvalidInput(f"Line {reader.line_num}: the CSV can't be read ({_quote(str(error), 120)}).") from None
    if not order:
        raise InvalidInput("The CSV has a header but no nominees.")
    return ParsedCeremony(tuple(_category(grouped[key][0], grouped[key][1]) for key in order))


# ---- shared -------------------------------------------------------------------------------


def _category(
    name: str, entries: list[tuple[str, str | None, str | None]], *, telecast: bool = False
) -> ParsedCategory:
    labels = assign_labels(entries)
    return ParsedCategory(
        name,
        tuple(ParsedNominee(n, s, e, label) for (n, s, e), label in zip(entries, labels, strict=True)),
        telecast,
    )


def _refuse_duplicate_category(name: str, where: str, seen: dict[str, str]) -> None:
    key = name.casefold()
    if key in seen:
        raise InvalidInput(
            f"{where}: the category “{_quote(name, 80)}” appears twice (first at {seen[key]}); "
            "category names must be unique."
        )
    seen[key] = where


def _clean(value: str, where: str, *, required: bool) -> str | None:
    """Trim and collapse spaces; refuse control characters, over-long and (when required) empty text."""
    for character in value:
        if character in _BIDI_CONTROLS or unicodedata.category(character) == "Cc":
            raise InvalidInput(
                f"{where} contains a control character (U+{ord(character):04X}); names must be plain text."
            )
    cleaned = " ".join(value.split())  # also turns no-break spaces into plain ones
    if not any(unicodedata.category(character)[0] in "LNPS" for character in cleaned):
        if required:
            raise InvalidInput(f"{where} is empty" + (" (only invisible characters)." if cleaned else "."))
        return None
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(f"{where} is {len(cleaned)} characters long; the limit is {MAX_NAME}.")
    return cleaned


def _quote(text: str, limit: int = 100) -> str:
    flat = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text).replace("`", "'")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
