"""Which way each part of a one-line label runs: the Unicode Bidirectional
Algorithm (UAX #9), for the picture's labels.

The picture draws a name run by run, each run in the font that has its
characters (:mod:`bot.domain.recap.lettering`), so it needs the *levels* the
algorithm resolves, not just a reordered string: Pillow (with raqm) shapes and
orders the inside of each run, and the levels say where each run goes and which
way it reads. python-bidi, the maintained package, returns only the reordered
string, hence these few rules here (checked against it in the tests).

A label is one paragraph and one line. Its direction comes from its first
strong letter (rules P2–P3), as Discord shows names. Explicit embeddings,
overrides and isolates never reach here: labels are revealed first
(:func:`bot.text.reveal` shows those characters as ``‹U+202E›``), so rules
X1–X8 have nothing to do. Bracket pairs (rule N0) are left to N1–N2, which
places brackets differently only when both directions meet inside them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

_STRONG = {"L": 0, "R": 1, "AL": 1}
_NEUTRAL = frozenset({"B", "S", "WS", "ON", "BN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def classes(text: str) -> list[str]:
    """Each character's bidirectional class (unassigned ones count as left-to-right letters)."""
    return [unicodedata.bidirectional(character) or "L" for character in text]


def paragraph_level(text: str) -> int:
    """0 (left to right) or 1 (right to left), from the first strong letter; 0 when there is none."""
    for kind in classes(text):
        if kind in _STRONG:
            return _STRONG[kind]
    return 0


def levels(text: str, base: int | None = None) -> list[int]:
    """The resolved embedding level of each character of the one-line paragraph `text`."""
    level = paragraph_level(text) if base is None else base
    direction = "R" if level % 2 else "L"
    types = classes(text)
    count = len(types)

    # W1: a non-spacing mark takes the type of what it marks.
    for index in range(count):
        if types[index] == "NSM":
            types[index] = types[index - 1] if index else direction
    # W2: European digits after Arabic letters are Arabic digits. W3: Arabic letters are right-to-left.
    strong = direction
    for index in range(count):
        if types[index] in ("L", "R", "AL"):
            strong = types[index]
        elif types[index] == "EN" and strong == "AL":
            types[index] = "AN"
    types = ["R" if kind == "AL" else kind for kind in types]
    # W4: one separator between two numbers of a kind joins them.
    for index in range(1, count - 1):
        before, kind, after = types[index - 1], types[index], types[index + 1]
        if kind == "ES" and before == after == "EN":
            types[index] = "EN"
        elif kind == "CS" and before == after and before in ("EN", "AN"):
            types[index] = before
    # W5: terminators (%, $, °…) next to European digits are digits.
    for start, end in _spans(types, {"ET"}):
        if (start > 0 and types[start - 1] == "EN") or (end < count and types[end] == "EN"):
            types[start:end] = ["EN"] * (end - start)
    # W6: the separators and terminators left are neutral.
    types = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in types]
    # W7: European digits after left-to-right letters read left to right.
    strong = direction
    for index in range(count):
        if types[index] in ("L", "R"):
            strong = types[index]
        elif types[index] == "EN" and strong == "L":
            types[index] = "L"
    # N1–N2: neutrals between two of a direction take it (digits count as right-to-left); else the paragraph's.
    for start, end in _spans(types, _NEUTRAL):
        before = _strength(types[start - 1]) if start > 0 else direction
        after = _strength(types[end]) if end < count else direction
        resolved = before if before == after else direction
        types[start:end] = [resolved] * (end - start)
    # I1–I2: levels.
    resolved_levels: list[int] = []
    for kind in types:
        if level % 2 == 0:
            resolved_levels.append(level + (1 if kind == "R" else 2 if kind in ("AN", "EN") else 0))
        else:
            resolved_levels.append(level + (1 if kind in ("L", "EN", "AN") else 0))
    # L1: whitespace at the end of the line goes back to the paragraph's level.
    original = classes(text)
    index = count - 1
    while index >= 0 and original[index] in ("WS", "BN", "S", "B"):
        resolved_levels[index] = level
        index -= 1
    return resolved_levels


def visual_order(run_levels: Sequence[int]) -> list[int]:
    """Rule L2: the positions of `run_levels`' items from left to right on the line."""
    order = list(range(len(run_levels)))
    if not order:
        return order
    highest = max(run_levels)
    lowest_odd = min((level for level in run_levels if level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if run_levels[order[index]] >= level:
                end = index
                while end < len(order) and run_levels[order[end]] >= level:
                    end += 1
                order[index:end] = reversed(order[index:end])
                index = end
            else:
                index += 1
    return order


def _strength(kind: str) -> str:
    return "R" if kind in ("R", "AN", "EN") else "L"


def _spans(types: Sequence[str], wanted: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """[start, end) of each maximal stretch of `types` in `wanted`."""
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(types):
        if types[index] in wanted:
            end = index
            while end < len(types) and types[end] in wanted:
                end += 1
            spans.append((index, end))
            index = end
        else:
            index += 1
    return spans
