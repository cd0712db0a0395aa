"""Embeds as plain dicts that always fit Discord's limits.

Replies and announcements are built here without importing discord, so the
outbox can store them and tests can check them. Cogs turn them into
``discord.Embed`` with ``discord.Embed.from_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.text import clip

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = 2000


class Colour:
    GOLD = 0xD4AF37
    LOUNGE = 0x8E44AD
    GOOD = 0x2ECC71
    WARN = 0xE67E22
    BAD = 0xE74C3C
    INFO = 0x3498DB


@dataclass
class Embed:
    title: str
    description: str = ""
    colour: int = Colour.LOUNGE
    fields: list[tuple[str, str, bool]] = field(default_factory=list)
    footer: str = ""
    author: str = ""
    timestamp: str | None = None
    image_url: str | None = None

    def add_field(self, name: str, value: str, *, inline: bool = False) -> Embed:
        if len(self.fields) < FIELD_COUNT_LIMIT:
            self.fields.append(_field(name, value, inline))
        return self

    def to_dict(self, budget: int = EMBED_TOTAL_LIMIT) -> dict[str, Any]:
        """The embed as Discord's JSON, trimmed to fit `budget` characters in all."""
        title = clip(self.title, min(TITLE_LIMIT, budget))
        remaining = budget - len(title)
        author = clip(self.author, min(AUTHOR_LIMIT, max(remaining, 0)))
        remaining -= len(author)
        footer = clip(self.footer, min(FOOTER_LIMIT, max(remaining, 0)))
        remaining -= len(footer)
        kept_fields: list[dict[str, Any]] = []
        for name, value, inline in self.fields:
            cost = len(name) + len(value)
            if cost > remaining - 1:
                break
            kept_fields.append({"name": name, "value": value, "inline": inline})
            remaining -= cost
        description = clip(self.description, min(DESCRIPTION_LIMIT, max(remaining, 0)))
        data: dict[str, Any] = {"type": "rich", "title": title, "color": self.colour}
        if description:
            data["description"] = description
        if kept_fields:
            data["fields"] = kept_fields
        if footer:
            data["footer"] = {"text": footer}
        if author:
            data["author"] = {"name": author}
        if self.timestamp:
            data["timestamp"] = self.timestamp
        if self.image_url:
            data["image"] = {"url": self.image_url}
        return data


def _field(name: str, value: str, inline: bool) -> tuple[str, str, bool]:
    """A field as it fits Discord's limits (an empty name or value is refused: a zero-width space)."""
    return clip(name, FIELD_NAME_LIMIT) or "\u200b", clip(value, FIELD_VALUE_LIMIT) or "\u200b", inline


FIELD_ROOM = FIELD_NAME_LIMIT + FIELD_VALUE_LIMIT
"""What one field can take of an embed's 6000 characters."""


def with_field(frame: dict[str, Any], name: str, value: str, *, inline: bool = False) -> dict[str, Any]:
    """`frame` (an embed without fields, rendered with room for one: ``to_dict(EMBED_TOTAL_LIMIT -
    FIELD_ROOM)``) with one field added: what ``to_dict()`` gives once the field is added, for an
    embed drawn once and shown with a different field to each reader."""
    if "fields" in frame:
        raise ValueError("the frame already has fields")
    name, value, inline = _field(name, value, inline)
    return {**frame, "fields": [{"name": name, "value": value, "inline": inline}]}


def embed_size(data: dict[str, Any]) -> int:
    """Characters Discord counts toward the 6000 limit."""
    size = len(data.get("title") or "") + len(data.get("description") or "")
    size += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in data.get("fields") or [])
    size += len((data.get("footer") or {}).get("text", "")) + len((data.get("author") or {}).get("name", ""))
    return size


def message(content: str | None = None, embeds: list[Embed] | None = None) -> dict[str, Any]:
    """A message body with at most 10 embeds, 6000 embed characters and 2000 of content.

    Announcements never ping: allowed_mentions is empty.
    """
    rendered: list[dict[str, Any]] = []
    budget = EMBED_TOTAL_LIMIT
    for embed in (embeds or [])[:EMBEDS_PER_MESSAGE]:
        if budget < 50:
            break
        data = embed.to_dict(budget)
        budget -= embed_size(data)
        rendered.append(data)
    body: dict[str, Any] = {"embeds": rendered, "allowed_mentions": {"parse": []}}
    if content:
        body["content"] = clip(content, CONTENT_LIMIT)
    return body


def lines_within(lines: list[str], limit: int = DESCRIPTION_LIMIT - 100, more: str = "more") -> str:
    """Join lines until `limit`, then say how many were left out."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > limit - 30:
            kept.append(f"… and {len(lines) - index:,} {more}")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def cancelled(what: str) -> Embed:
    """The reply to a confirmation answered "no"."""
    return Embed(title="Nothing changed", description=f"{what} was cancelled.", colour=Colour.INFO)
