"""Autocomplete suggestions for the `category`, `nominee` and `winner` options.

Answered on every keystroke, so each is one indexed query over the server's
current ceremony (the ``ceremonies_one_current`` index, then the ceremony's
categories by ``categories_by_guild`` and a category's nominees by
``nominees_by_category``), never a scan of the tables. At most 25
suggestions; every name and value at most 100 characters. The value is the
row id as text, so twin nominations (Derek Hough twice in one category) are
never ambiguous; the name is the label that tells them apart.

Each typed word must appear in the suggestion (any order, ASCII letters in
any case); names that start with the text come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.ceremonies.service import CHOICE_LIMIT, Reader, short_label
from bot.text import clip, cut

MAX_SUGGESTIONS = 25
MAX_WORDS = 6
MAX_TYPED = 100
CategoryFilter = Literal["any", "open", "logged"]
NomineeFilter = Literal["any", "not_winning"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    name: str
    value: str


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _words(typed: str) -> list[str]:
    return [word for word in " ".join(cut(typed, MAX_TYPED).split()).split(" ") if word][:MAX_WORDS]


def _word_filter(column: str, words: list[str]) -> tuple[str, list[str]]:
    clause = "".join(f" AND {column} LIKE ? ESCAPE '\\'" for _ in words)
    return clause, [_like(word) for word in words]


async def category_suggestions(
    reader: Reader, guild_id: int, typed: str, *, only: CategoryFilter = "any"
) -> list[Suggestion]:
    """Categories of the current ceremony: `open` ones have no result yet, `logged` ones have."""
    words = _words(typed)
    clause, params = _word_filter("c.name", words)
    state = {
        "any": "",
        "open": " AND NOT EXISTS (SELECT 1 FROM results r WHERE r.category_id = c.id)",
        "logged": " AND EXISTS (SELECT 1 FROM results r WHERE r.category_id = c.id)",
    }[only]
    prefix = " ".join(words)
    rows = await reader.fetch_all(
        "SELECT c.id, c.name FROM ceremonies e "  # noqa: S608 - clauses are ours, values bound
        "JOIN categories c ON c.guild_id = e.guild_id AND c.ceremony_id = e.id "
        f"WHERE e.guild_id = ? AND e.is_current = 1{clause}{state} "
        "ORDER BY (c.name LIKE ? ESCAPE '\\') DESC, c.position LIMIT ?",
        (guild_id, *params, _like(prefix)[1:], MAX_SUGGESTIONS),
    )
    return [Suggestion(clip(row["name"], CHOICE_LIMIT), str(row["id"])) for row in rows]


async def nominee_suggestions(
    reader: Reader, guild_id: int, typed: str, category: str | None, *, only: NomineeFilter = "any"
) -> list[Suggestion]:
    """Nominees of the category already chosen (its id or exact name), else of the whole current ceremony."""
    category_id = await _category_id(reader, guild_id, category)
    words = _words(typed)
    clause, params = _word_filter("n.label", words)
    state = (
        " AND NOT EXISTS (SELECT 1 FROM result_winners w WHERE w.nominee_id = n.id)" if only == "not_winning" else ""
    )
    prefix = _like(" ".join(words))[1:]
    if category_id is not None:
        rows = await reader.fetch_all(
            "SELECT n.id, n.name, n.show, n.label FROM nominees n "  # noqa: S608 - clauses are ours
            f"WHERE n.category_id = ? AND n.guild_id = ?{clause}{state} "
            "ORDER BY (n.label LIKE ? ESCAPE '\\') DESC, n.position LIMIT ?",
            (category_id, guild_id, *params, prefix, MAX_SUGGESTIONS),
        )
        return [Suggestion(short_label(row["name"], row["show"], row["label"]), str(row["id"])) for row in rows]
    rows = await reader.fetch_all(
        "SELECT n.id, n.name, n.show, n.label, c.name AS category FROM ceremonies e "  # noqa: S608
        "JOIN categories c ON c.guild_id = e.guild_id AND c.ceremony_id = e.id "
        "JOIN nominees n ON n.category_id = c.id "
        f"WHERE e.guild_id = ? AND e.is_current = 1{clause}{state} "
        "ORDER BY (n.label LIKE ? ESCAPE '\\') DESC, c.position, n.position LIMIT ?",
        (guild_id, *params, prefix, MAX_SUGGESTIONS),
    )
    suggestions = []
    for row in rows:
        where = clip(row["category"], 35)
        label = short_label(row["name"], row["show"], row["label"], CHOICE_LIMIT - len(where) - 3)
        suggestions.append(Suggestion(f"{label} · {where}", str(row["id"])))
    return suggestions


async def _category_id(reader: Reader, guild_id: int, category: str | None) -> int | None:
    """The id of the category option's current value, if it names one in the current ceremony."""
    text = " ".join((category or "").split())
    if not text:
        return None
    current = "(SELECT id FROM ceremonies WHERE guild_id = ? AND is_current = 1)"
    if text.isdecimal() and len(text) <= 19:
        row = await reader.fetch_one(
            f"SELECT id FROM categories WHERE id = ? AND guild_id = ? AND ceremony_id = {current}",  # noqa: S608
            (int(text), guild_id, guild_id),
        )
        if row is not None:
            return int(row["id"])
    row = await reader.fetch_one(
        f"SELECT id FROM categories WHERE ceremony_id = {current} AND name = ? COLLATE NOCASE",  # noqa: S608
        (guild_id, text),
    )
    return None if row is None else int(row["id"])
