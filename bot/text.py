"""Making member-supplied text safe and short for Discord. One place for it."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()\-])")
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
ELLIPSIS = "…"


def escape(text: str) -> str:
    """Escape markdown and neutralise mentions so text shows literally and pings nobody."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return _MENTION.sub(lambda match: match.group(0).replace("@", "@\u200b").replace("<", "<\u200b"), escaped)


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Never leave a dangling escape backslash that would swallow the ellipsis.
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]
    return cut + ELLIPSIS


def safe(text: str, limit: int) -> str:
    """Escape, then clip: the form every name takes in an embed."""
    return clip(escape(" ".join(text.split())), limit)


def one_line(text: str) -> str:
    return " ".join(text.split())


def hide(text: str, spoiler: bool) -> str:
    """Behind Discord's spoiler bars when `spoiler` (servers that watch the show on a delay)."""
    return f"||{text}||" if spoiler and text else text
