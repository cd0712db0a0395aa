"""Making member-supplied text safe and short for Discord. One place for it.

Names arrive as people write them: accents, emoji, any script, either direction.
Each rule below lives here once, and :func:`safe` applies them all to every
user or data string that goes into an embed:

* **Cut at grapheme boundaries** (:func:`clip`, :func:`cut`): never inside what a
  reader sees as one character (``é`` written as ``e`` + a combining accent, a
  flag, a family emoji, a Devanagari conjunct), using the `regex` module's
  ``\\X`` (extended grapheme clusters, UAX #29, kept current with Unicode; the
  standard library has no segmentation, and the `grapheme` package stopped at
  Unicode 13 in 2020). Lengths stay in code points, which is
  how Discord counts its limits (its API is Python; ``len`` here).
* **Show what would hide** (:func:`reveal`): characters that draw nothing (a
  zero-width space, a Hangul filler, a bidi override, a trailing joiner) are
  shown as ``‹U+200B›``, so a name that is only a zero-width space, or one
  padded to pass for another member's, can't. Invisible characters doing their
  job inside a visible sequence stay: the joiners of 👨‍👩‍👧 or of a Persian
  word, the selector of ❤️, the tags of 🏴󠁧󠁢󠁳󠁣󠁴󠁿. Where a member types the text
  (notes), the same test refuses it instead (:func:`refuse_invisible`).
* **Isolate right-to-left text** (:func:`isolate`): text with Hebrew or Arabic
  letters (or Arabic digits) goes between FSI and PDI (U+2068 … U+2069), so in
  ``**2.** محمد — 26 losses`` the rank and the count stay where they are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right

import regex

from bot.domain.errors import InvalidInput

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()\-])")
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
_GRAPHEME = regex.compile(r"\X")
ELLIPSIS = "…"
FSI, PDI = "\u2068", "\u2069"
_ISOLATE_OPENERS = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI
_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt): what fonts draw as nothing.
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_IGNORABLE_STARTS = [start for start, _ in _IGNORABLE]
_BLANK = frozenset("\u2800")  # BRAILLE PATTERN BLANK: a visible character by its properties, drawn empty
_JOINERS = frozenset("\u200c\u200d\u034f")  # ZWNJ, ZWJ, combining grapheme joiner: only between two characters
_TAG_BASE = "\U0001f3f4"  # 🏴, the only base of emoji tag sequences (subdivision flags)
_CANCEL_TAG = "\U000e007f"


def escape(text: str) -> str:
    """Escape markdown and neutralise mentions so text shows literally and pings nobody."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return _MENTION.sub(lambda match: match.group(0).replace("@", "@\u200b").replace("<", "<\u200b"), escaped)


def graphemes(text: str) -> list[str]:
    """`text` as a reader sees it: one string per user-perceived character."""
    return list(_GRAPHEME.findall(text))


def cut(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` code points that ends between two graphemes."""
    if len(text) <= limit:
        return text
    used = 0
    for cluster in _GRAPHEME.finditer(text):
        if cluster.end() > limit:
            break
        used = cluster.end()
    return text[:used]


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` code points at a grapheme boundary, ending with an ellipsis when cut.

    An isolate opened in the part kept is closed after the ellipsis (which stays inside it,
    with the text it ends), so a clipped name can't take the rest of the line with it.
    """
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    used = depth = 0
    for cluster in graphemes(text):
        opened = max(0, depth + sum(c in _ISOLATE_OPENERS for c in cluster) - cluster.count(PDI))
        if used + len(cluster) + len(ELLIPSIS) + opened > limit:
            break
        kept.append(cluster)
        used += len(cluster)
        depth = opened
    shown = "".join(kept).rstrip(" ")
    # Never leave a dangling escape backslash that would swallow the ellipsis.
    if (len(shown) - len(shown.rstrip("\\"))) % 2:
        shown = shown[:-1]
    return shown + ELLIPSIS + PDI * depth


def one_line(text: str) -> str:
    return " ".join(text.split())


def draws_nothing(character: str) -> bool:
    """True for a character no font shows: default-ignorable, a control, or the blank braille cell."""
    point = ord(character)
    index = bisect_right(_IGNORABLE_STARTS, point) - 1
    if index >= 0 and point <= _IGNORABLE[index][1]:
        return True
    return character in _BLANK or unicodedata.category(character) == "Cc"


def _shows(text: str, index: int) -> bool:
    return 0 <= index < len(text) and not draws_nothing(text[index]) and not text[index].isspace()


def _hidden(text: str, index: int) -> bool:
    """Whether ``text[index]`` draws nothing *and* does no job where it stands."""
    character = text[index]
    if not draws_nothing(character) or character.isspace():  # line breaks and tabs are spacing, not hiding
        return False
    point = ord(character)
    if 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF or 0x180B <= point <= 0x180D or point == 0x180F:
        return not _shows(text, index - 1)  # a variation selector right after what it selects
    if character in _JOINERS:
        before = index - 1
        while before >= 0 and 0xFE00 <= ord(text[before]) <= 0xFE0F:  # 🏳️‍🌈: the joiner follows a selector
            before -= 1
        return not (_shows(text, before) and _shows(text, index + 1))
    if 0xE0020 <= point <= 0xE007F:  # tags: only a well-formed 🏴 + tag letters + cancel tag
        start = index
        while start > 0 and 0xE0020 <= ord(text[start - 1]) <= 0xE007E:
            start -= 1
        end = index
        while end < len(text) and 0xE0020 <= ord(text[end]) <= 0xE007E:
            end += 1
        well_formed = start > 0 and text[start - 1] == _TAG_BASE and end > start and text[end:end + 1] == _CANCEL_TAG
        return not well_formed
    return True


def invisible_characters(text: str) -> list[str]:
    """The characters of `text` that would show as nothing where they stand (see :func:`reveal`)."""
    return [character for index, character in enumerate(text) if _hidden(text, index)]


def reveal(text: str) -> str:
    """`text` with every character that would hide shown as ``‹U+200B›``."""
    if text.isascii() and text.isprintable():  # most names: nothing in ASCII but controls draws nothing
        return text
    if not any(draws_nothing(character) for character in text):
        return text
    return "".join(
        f"‹U+{ord(character):04X}›" if _hidden(text, index) else character for index, character in enumerate(text)
    )


def refuse_invisible(text: str, *, what: str) -> None:
    """Refuse typed text (a note) with a character that would show as nothing: the rule of :func:`reveal`."""
    hidden = invisible_characters(text)
    if hidden:
        first = hidden[0]
        label = f"U+{ord(first):04X} {unicodedata.name(first, '')}".strip()
        raise InvalidInput(
            f"The {what} has an invisible character ({label}); please type it without.",
            reason="invisible_characters", characters=[f"U+{ord(character):04X}" for character in hidden],
        )


def needs_isolation(text: str) -> bool:
    """True when `text` has right-to-left letters or Arabic digits that would reorder the text around it."""
    if text.isascii():  # every right-to-left letter and Arabic digit is beyond ASCII
        return False
    return any(unicodedata.bidirectional(character) in _RIGHT_TO_LEFT for character in text)


def isolate(text: str) -> str:
    """`text` between FSI and PDI when it could reorder what surrounds it (otherwise as it is)."""
    return f"{FSI}{text}{PDI}" if needs_isolation(text) else text


@functools.lru_cache(maxsize=16384)
def safe(text: str, limit: int) -> str:
    """Reveal, escape, clip and isolate: the form every name takes in an embed, at most `limit` long.

    Pure, and asked again and again for the same names (every ballot page, every board):
    remembered."""
    shown = escape(reveal(one_line(text)))
    if limit > len(FSI + ELLIPSIS + PDI) and needs_isolation(shown):
        return isolate(clip(shown, limit - 2))
    return clip(shown, limit)


def hide(text: str, spoiler: bool) -> str:
    """Behind Discord's spoiler bars when `spoiler` (servers that watch the show on a delay)."""
    return f"||{text}||" if spoiler and text else text
