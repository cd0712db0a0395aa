"""Reading a nominee list as a host copies it from a news article (`/ceremony paste`).

Plain functions, no database. The text comes in up to five boxes of the modal
(:data:`MAX_PARTS`, each at most :data:`MAX_PART_CHARS` characters), read as one
list: a long category may go on in the next box. Every refusal names the line
("Line 12: …", "Box 2, line 3: …") and carries ``line`` and ``part`` facts.

What a line is:

* a blank line, or a decoration (``* * *``, ``---``, a lone bullet), separates;
* a line with a bullet (``•``, ``-``, ``*``, ``–`` …) or a number (``1.``, ``2)``) is a nominee;
* a line that starts with "Outstanding" or "Best", ends with ``:``, or is a
  Markdown heading (``## Drama``) or bold (``**Drama**``) is a category;
* any other line is a nominee when the list marks its categories that way; in
  a list with bullets it is a category (the nominees have the bullets); in a
  list with neither, it is a category when it starts a paragraph (after a blank
  line) and a nominee otherwise. With bullets at two depths, the outer ones are
  the categories.

A nominee reads ``Name — Show`` (em dash, or a spaced en dash or hyphen; a third
part is the episode), ``Name, Show`` (the first comma outside quotes and
brackets: the show may have commas of its own) or ``Name (Show)``, tried in that
order; a line with none of these is a name alone (a programme). Quotes around a
title are dropped.

The limits are the file import's (bot/domain/ceremonies/files.py): at most 200
categories, 20 nominees in each, names of at most 200 characters, no category
twice and no nominee twice in one category; a category needs a nominee.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.ceremonies.files import (
    MAX_CATEGORIES,
    MAX_NOMINEES_PER_CATEGORY,
    ParsedCeremony,
    category_of,
    clean_name,
    clean_optional,
)
from bot.domain.errors import InvalidInput

MAX_PARTS = 5  # Discord: a modal holds at most five inputs
MAX_PART_CHARS = 4000  # Discord: a text input holds at most 4,000 characters

_BULLET = re.compile(
    r"^(?:[•·▪◦‣●○■□►▸▹➤✓✔]\s*|[-–—*+](?=\s)\s*|\(?\d{1,3}[.)](?=\s)\s*|#\d{1,3}[.:)]?(?=\s)\s*)"
)
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*$")
_BOLD = re.compile(r"^(?:\*\*|__)(?P<text>.+?)(?:\*\*|__):?$")
_KEYWORD = re.compile(r"^(?:outstanding|best)\b", re.IGNORECASE)
_DASH = re.compile(r"\s*—\s*|\s+[–-]\s+")  # an em dash with or without spaces; en dash or hyphen between spaces
_COMMA = re.compile(r"\s*,\s*")
_TRAILING_PARENS = re.compile(r"^(?P<name>.*\S)\s*\((?P<show>[^()]+)\)$")
_DECORATION = frozenset(" \t-–—*_=~•·.#+")  # a line of only these separates, like a blank one
_OPENING_QUOTES = "“\"‘«„"
_QUOTE_PAIRS = {"“": "”", '"': '"', "‘": "’", "«": "»", "„": "“"}


@dataclass(frozen=True, slots=True)
class _Line:
    part: int  # 1-based box of the modal
    number: int  # 1-based line within its box
    text: str  # without the bullet or number
    indent: int
    bulleted: bool
    blank: bool
    after_blank: bool  # the first line of a paragraph

    @property
    def where(self) -> str:
        return f"Line {self.number}" if self.part == 1 else f"Box {self.part}, line {self.number}"

    @property
    def facts(self) -> dict[str, Any]:
        return {"line": self.number, "part": self.part}


@dataclass
class _Category:
    line: _Line
    name: str
    nominees: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    seen: dict[tuple[str, str, str], _Line] = field(default_factory=dict)


def parse_pasted_list(parts: Sequence[str]) -> ParsedCeremony:
    """The categories and nominees in the modal's boxes; raise :class:`InvalidInput` naming the first bad line."""
    if len(parts) > MAX_PARTS:
        raise InvalidInput(f"At most {MAX_PARTS} boxes of text can be pasted at once.", reason="too_many_parts",
                           count=len(parts), limit=MAX_PARTS)
    for part, text in enumerate(parts, start=1):
        if len(text) > MAX_PART_CHARS:
            raise InvalidInput(
                f"Box {part} holds {len(text):,} characters; the limit is {MAX_PART_CHARS:,} a box.",
                reason="part_too_long", part=part, length=len(text), limit=MAX_PART_CHARS,
            )
    lines = _lines(parts)
    content = [line for line in lines if not line.blank]
    if not content:
        raise InvalidInput("The pasted text is empty: paste a category on its own line, then its nominees.",
                           reason="empty_paste")
    categories = _group(content, _category_lines(content))
    return ParsedCeremony(tuple(
        category_of(category.name, category.nominees) for category in categories
    ))


def _lines(parts: Sequence[str]) -> list[_Line]:
    lines: list[_Line] = []
    after_blank = True
    for part, text in enumerate(parts, start=1):
        for number, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.strip()
            blank = all(character in _DECORATION for character in stripped)
            bullet = _BULLET.match(stripped)
            body = stripped[bullet.end():] if bullet else stripped
            indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
            lines.append(_Line(part, number, body, indent, bullet is not None, blank, after_blank))
            after_blank = blank
    return lines


def _marked(line: _Line) -> str | None:
    """The category name when the line marks itself as one (heading, bold, keyword, trailing colon)."""
    if line.bulleted:
        return None
    for pattern in (_HEADING, _BOLD):
        found = pattern.match(line.text)
        if found:
            return found["text"].rstrip(":").strip()
    if line.text.endswith(":"):
        return line.text[:-1].strip()
    if _KEYWORD.match(line.text):
        return line.text
    return None


def _category_lines(content: list[_Line]) -> dict[int, str]:
    """Which lines (by index in `content`) are categories, and their names."""
    bullet_depths = sorted({line.indent for line in content if line.bulleted})
    outer = bullet_depths[0] if len(bullet_depths) > 1 else None
    marked = {index: name for index, line in enumerate(content) if (name := _marked(line)) is not None}
    uses_bullets = bool(bullet_depths)
    chosen: dict[int, str] = {}
    for index, line in enumerate(content):
        if index in marked:
            chosen[index] = marked[index]
        elif line.bulleted:
            if outer is not None and line.indent == outer:
                chosen[index] = line.text
        elif uses_bullets or (not marked and line.after_blank):
            chosen[index] = line.text
    return chosen


def _group(content: list[_Line], category_lines: dict[int, str]) -> list[_Category]:
    categories: list[_Category] = []
    names: dict[str, _Line] = {}
    for index, line in enumerate(content):
        if index in category_lines:
            if categories and not categories[-1].nominees:
                _refuse_empty(categories[-1])
            name = clean_name(category_lines[index], f"{line.where}: the category name", **line.facts)
            first = names.get(name.casefold())
            if first is not None:
                raise InvalidInput(
                    f"{line.where}: the category “{_short(name)}” is already on {first.where.lower()}; "
                    "each category once.",
                    reason="duplicate_category", category=name, first_line=first.number, first_part=first.part,
                    **line.facts,
                )
            if len(categories) == MAX_CATEGORIES:
                raise InvalidInput(
                    f"{line.where} starts category {MAX_CATEGORIES + 1}; the limit is {MAX_CATEGORIES} categories.",
                    reason="too_many_categories", limit=MAX_CATEGORIES, **line.facts,
                )
            names[name.casefold()] = line
            categories.append(_Category(line, name))
            continue
        if not categories:
            raise InvalidInput(
                f"{line.where}: “{_short(line.text)}” comes before any category. Start with a category on its "
                "own line (one that starts with “Outstanding”, or ends with “:”), then its nominees.",
                reason="nominee_before_category", **line.facts,
            )
        _add_nominee(categories[-1], line)
    if not categories[-1].nominees:
        _refuse_empty(categories[-1])
    return categories


def _add_nominee(category: _Category, line: _Line) -> None:
    name_text, show_text, episode_text = split_nominee(line.text)
    name = clean_name(name_text, f"{line.where}: the nominee's name", **line.facts)
    show = clean_optional(show_text, f"{line.where}: the show", **line.facts)
    episode = clean_optional(episode_text, f"{line.where}: the episode", **line.facts)
    if len(category.nominees) == MAX_NOMINEES_PER_CATEGORY:
        raise InvalidInput(
            f"{line.where} is nominee {MAX_NOMINEES_PER_CATEGORY + 1} of “{_short(category.name)}”; the limit is "
            f"{MAX_NOMINEES_PER_CATEGORY} nominees in a category.",
            reason="too_many_nominees", category=category.name, limit=MAX_NOMINEES_PER_CATEGORY, **line.facts,
        )
    key = (name.casefold(), (show or "").casefold(), (episode or "").casefold())
    first = category.seen.get(key)
    if first is not None:
        raise InvalidInput(
            f"{line.where}: “{_short(line.text)}” is already in “{_short(category.name)}” "
            f"({first.where.lower()}); each nominee once.",
            reason="duplicate_nominee", category=category.name, first_line=first.number, first_part=first.part,
            **line.facts,
        )
    category.seen[key] = line
    category.nominees.append((name, show, episode))


def _refuse_empty(category: _Category) -> None:
    line = category.line
    raise InvalidInput(
        f"{line.where}: “{_short(category.name)}” is read as a category, but no nominee follows it. Put each "
        "category's nominees on the lines right under it (a bullet in front of each helps).",
        reason="no_nominees", category=category.name, **line.facts,
    )


def split_nominee(text: str) -> tuple[str, str | None, str | None]:
    """(name, show, episode) of one nominee line, bullet already removed."""
    pieces = _split_outside_quotes(text, _DASH)
    if len(pieces) > 1:
        name, show, *rest = pieces
        episode = " — ".join(rest) if rest else None
        return _unquote(name), _unquote(show), None if episode is None else _unquote(episode)
    pieces = _split_outside_quotes(text, _COMMA, limit=1)
    if len(pieces) > 1:
        return _unquote(pieces[0]), _unquote(pieces[1]), None
    found = _TRAILING_PARENS.match(text)
    if found and not _inside_quotes(text, found.start("show") - 1):
        return _unquote(found["name"]), _unquote(found["show"]), None
    return _unquote(text), None, None


def _split_outside_quotes(text: str, separator: re.Pattern[str], *, limit: int = 0) -> list[str]:
    pieces: list[str] = []
    start = 0
    for found in separator.finditer(text):
        if found.start() == 0 or _inside_quotes(text, found.start()) or _inside_parens(text, found.start()):
            continue
        pieces.append(text[start:found.start()])
        start = found.end()
        if limit and len(pieces) == limit:
            break
    pieces.append(text[start:])
    return pieces if all(piece.strip() for piece in pieces) else [text]


def _inside_quotes(text: str, index: int) -> bool:
    """Whether position `index` is inside a quoted title (“…” or "…")."""
    before = text[:index]
    if before.count('"') % 2:
        return True
    return before.count("“") > before.count("”")


def _inside_parens(text: str, index: int) -> bool:
    before = text[:index]
    return before.count("(") > before.count(")")


def _unquote(text: str) -> str:
    """Drop quotes around a title: “Ozark” → Ozark, “Ozark” (Netflix) → Ozark (Netflix)."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _OPENING_QUOTES:
        closing = _QUOTE_PAIRS[text[0]]
        end = text.find(closing, 1)
        if end == len(text) - 1:
            return text[1:-1].strip()
        if end > 1 and text[0] in "“\"" and text[end + 1:end + 2] in (" ", ""):
            return (text[1:end] + text[end + 1:]).strip()
    return text


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split()).replace("`", "'")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
