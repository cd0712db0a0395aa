"""Arabic letters joined by hand, for Pillow without raqm.

With raqm (FriBiDi and HarfBuzz), Pillow joins Arabic letters itself. Pillow's
wheels carry raqm and HarfBuzz but load FriBiDi from the system, so a machine
without it (a slim container, say) gets Pillow's basic layout, which draws each
letter in its isolated form. There, the picture writes each letter as its
Unicode presentation form instead (initial, medial, final or isolated, and the
lam-alef ligatures), which fonts such as Noto Sans Arabic draw joined. The
forms and which letters join on which side are read from the standard
library's Unicode data (each presentation form's decomposition names its
letter and its form), not typed in here.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata

_FORMS = ("isolated", "final", "initial", "medial")
_ALEFS = frozenset("\u0622\u0623\u0625\u0627")
_LAM = "\u0644"
_JOIN_CAUSING = frozenset("\u200d\u0640")  # ZERO WIDTH JOINER, TATWEEL


@functools.cache
def _tables() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """({letter: {form: presentation character}}, {lam + alef: {form: ligature}})."""
    letters: dict[str, dict[str, str]] = {}
    ligatures: dict[str, dict[str, str]] = {}
    for point in itertools.chain(range(0xFB50, 0xFE00), range(0xFE70, 0xFF00)):
        tag, _, parts = unicodedata.decomposition(chr(point)).partition(" ")
        form = tag.strip("<>")
        if form not in _FORMS:
            continue
        base = "".join(chr(int(part, 16)) for part in parts.split())
        if len(base) == 1:
            letters.setdefault(base, {}).setdefault(form, chr(point))
        elif len(base) == 2 and base[0] == _LAM and base[1] in _ALEFS:
            ligatures.setdefault(base, {}).setdefault(form, chr(point))
    return letters, ligatures


def _joining(character: str) -> str:
    """ArabicShaping.txt's joining type, as far as presentation forms tell it: D, R, C, T or U."""
    if character in _JOIN_CAUSING:
        return "C"
    forms = _tables()[0].get(character, {})
    if "initial" in forms or "medial" in forms:
        return "D"
    if "final" in forms:
        return "R"
    category = unicodedata.category(character)
    if category in ("Mn", "Me") or (category == "Cf" and character != "\u200c"):
        return "T"
    return "U"


def presentation_forms(text: str, available: frozenset[int]) -> str:
    """`text` (logical order) with Arabic letters as the presentation forms their neighbours call for.

    A form the font lacks (not in `available`) leaves the letter as it was.
    """
    letters, ligatures = _tables()
    kinds = [_joining(character) for character in text]

    def neighbour(index: int, step: int) -> str:
        index += step
        while 0 <= index < len(text) and kinds[index] == "T":
            index += step
        return kinds[index] if 0 <= index < len(text) else "U"

    shaped: list[str] = []
    index = 0
    while index < len(text):
        character, kind = text[index], kinds[index]
        if kind not in ("D", "R"):
            alone = letters.get(character, {}).get("isolated")  # a letter that never joins (hamza)
            shaped.append(alone if alone is not None and ord(alone) in available else character)
            index += 1
            continue
        joins_before = neighbour(index, -1) in ("D", "C")
        pair = text[index:index + 2]
        ligature = ligatures.get(pair, {}).get("final" if joins_before else "isolated")
        if ligature is not None and ord(ligature) in available:
            shaped.append(ligature)
            index += 2
            continue
        joins_after = kind == "D" and neighbour(index, 1) in ("D", "R", "C")
        if joins_before and joins_after:
            wanted = "medial"
        elif joins_before:
            wanted = "final"
        else:
            wanted = "initial" if joins_after else "isolated"
        form = letters[character].get(wanted)
        shaped.append(form if form is not None and ord(form) in available else character)
        index += 1
    return "".join(shaped)
