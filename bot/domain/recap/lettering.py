"""Writing any name on the picture: per-character font fallback over the Noto
fonts shipped in ``fonts/`` (see its README), with Pillow.

No font has every script, and Pillow draws a string in one font, so a label is
split into runs (:func:`runs`): each grapheme goes to the first font whose
character map (:mod:`bot.domain.recap.cmap`) has all its characters, staying
in the current font for spaces, digits and punctuation the current font has
too (so an Arabic name with a space is shaped as one run). The bidirectional
levels (:mod:`bot.domain.recap.bidi`) split runs further and put them in order
from left to right; Pillow draws each run, in its direction.

Two layouts, by what the machine has:

* **raqm** (Pillow's wheels bundle raqm and HarfBuzz, and load FriBiDi from
  the system): HarfBuzz shapes each run — Arabic joined, Devanagari conjuncts
  and vowel signs in place, Thai marks stacked, emoji sequences (families,
  flags, skin tones, keycaps) drawn as the one picture each stands for.
* **basic**, where FriBiDi is missing: the picture still draws every
  character in a font that has it and puts right-to-left runs in order
  itself; Arabic letters take their joined presentation forms
  (:mod:`bot.domain.recap.arabic`). What only a shaper does is lost:
  Devanagari conjuncts come apart (the vowel sign ि is still put first),
  and an emoji sequence is drawn as its parts (👨 👩 👧 for the family,
  🇯 🇵 for the flag).

Emoji come from Noto Color Emoji, whose colour bitmaps exist at one size
(109 px): a run of emoji is drawn at that size and scaled to the text's.
A grapheme no shipped font has is written as its code points, ``‹U+1FAE9›``:
never a box, never a question mark.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import regex
from PIL import Image, ImageDraw, ImageFont, features

from bot.domain.recap import bidi, cmap
from bot.domain.recap.arabic import presentation_forms
from bot.text import ELLIPSIS, draws_nothing, graphemes

FONTS = Path(__file__).with_name("fonts")
EMOJI_STRIKE = 109  # the one size Noto Color Emoji's bitmaps come in
EMOJI_SCALE = 1.0  # an emoji as tall as the text's em

Colour = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Face:
    """One font: a file and, in a collection, the face's index."""

    file: str
    index: int = 0
    colour: bool = False  # colour bitmaps (CBDT): drawn at EMOJI_STRIKE, then scaled

    @property
    def path(self) -> Path:
        return FONTS / self.file


SANS = Face("NotoSans-Regular.ttf")  # Latin, Greek, Cyrillic, and the labels
HEBREW = Face("NotoSansHebrew-Regular.ttf")
ARABIC = Face("NotoSansArabic-Regular.ttf")
DEVANAGARI = Face("NotoSansDevanagari-Regular.ttf")
THAI = Face("NotoSansThai-Regular.ttf")
# One collection, five regional faces sharing the glyphs: Japanese, Korean, Simplified Chinese.
CJK_JAPANESE = Face("NotoSansCJK-Regular.ttc", 0)
CJK_KOREAN = Face("NotoSansCJK-Regular.ttc", 1)
CJK_CHINESE = Face("NotoSansCJK-Regular.ttc", 2)
SYMBOLS = Face("NotoSansSymbols-Regular.ttf")
SYMBOLS_2 = Face("NotoSansSymbols2-Regular.ttf")
MATH = Face("NotoSansMath-Regular.ttf")  # 𝓐𝓷𝓷 and the other "fancy font" letters names are written in
EMOJI = Face("NotoColorEmoji.ttf", colour=True)

# An emoji grapheme: emoji presentation by default or asked for (U+FE0F), with a skin tone, a flag, a keycap.
_EMOJI = regex.compile(
    r"(?:\p{Emoji_Presentation}(?!\uFE0E)|\p{Emoji}\uFE0F|\p{Emoji}\p{Emoji_Modifier}|\p{Regional_Indicator}"
    r"|[#*0-9]\uFE0F?\u20E3)"
)
_COMMON = regex.compile(r"[\p{Script=Common}\p{Script=Inherited}]+")
_KANA = regex.compile(r"[\p{Script=Hiragana}\p{Script=Katakana}]")
_HANGUL = regex.compile(r"\p{Script=Hangul}")
_PRE_BASE = "\u093f"
_MIRRORED = dict(zip("()[]{}<>«»‹›⟨⟩", ")(][}{><»«›‹⟩⟨", strict=True))


def default_engine() -> ImageFont.Layout:
    """raqm when this Pillow can use it (FriBiDi found), else the basic layout."""
    return ImageFont.Layout.RAQM if features.check_feature("raqm") else ImageFont.Layout.BASIC


@functools.cache
def coverage(face: Face) -> frozenset[int]:
    """The code points `face` has glyphs for, from its own character map."""
    return cmap.code_points(face.path, face.index)


@dataclass(frozen=True, slots=True)
class Run:
    """Part of a label drawn in one font and one direction; `text` in reading order."""

    text: str
    face: Face | None  # None: no shipped font has it, so it is written as its code points
    level: int  # bidirectional level: odd reads right to left

    @property
    def right_to_left(self) -> bool:
        return self.level % 2 == 1


def runs(text: str) -> list[Run]:
    """`text` as runs of one font and one level, from left to right as drawn."""
    levels = bidi.levels(text)
    faces = _text_faces(text)
    logical: list[Run] = []
    offset = 0
    current: Face | None = None  # the text font the last grapheme went to
    for cluster in graphemes(text):
        level = levels[offset]
        offset += len(cluster)
        face = _face_for(cluster, faces, current)
        if face is not None and face is not EMOJI:
            current = face
        if logical and logical[-1].face == face and logical[-1].level == level:
            logical[-1] = Run(logical[-1].text + cluster, face, level)
        else:
            logical.append(Run(cluster, face, level))
    return [logical[index] for index in bidi.visual_order([run.level for run in logical])]


def drawn_characters(run: Run) -> set[int]:
    """The code points of `run` its font must have glyphs for (the invisible ones need none)."""
    return {ord(character) for character in run.text if not draws_nothing(character)}


def _text_faces(text: str) -> tuple[Face, ...]:
    cjk = CJK_JAPANESE if _KANA.search(text) else CJK_KOREAN if _HANGUL.search(text) else CJK_CHINESE
    return SANS, HEBREW, ARABIC, DEVANAGARI, THAI, SYMBOLS, SYMBOLS_2, MATH, cjk


def _face_for(cluster: str, faces: Iterable[Face], current: Face | None) -> Face | None:
    needed = {ord(character) for character in cluster if not draws_nothing(character)}
    if not needed:
        return current or SANS  # a lone joiner or selector: nothing to draw, it stays in the run
    if _EMOJI.match(cluster) and needed <= coverage(EMOJI):
        return EMOJI
    if current is not None and _COMMON.fullmatch(cluster) and needed <= coverage(current):
        return current
    for face in (*faces, EMOJI):
        if needed <= coverage(face):
            return face
    return None


def _pre_base_first(cluster: str) -> str:
    """Devanagari's vowel sign I (ि) is written after its consonants but drawn before them."""
    return _PRE_BASE + cluster.replace(_PRE_BASE, "") if _PRE_BASE in cluster[1:] else cluster


def _code_points(text: str) -> str:
    return "".join(f"‹U+{ord(character):04X}›" for character in text if not draws_nothing(character))


class Lettering:
    """Measures, fits and draws labels with one layout engine; one drawing at a time (``lock``)."""

    def __init__(self, engine: ImageFont.Layout | None = None) -> None:
        self.engine = default_engine() if engine is None else engine
        self.lock = threading.RLock()  # FreeType faces are not safe to share between threads
        self._fonts: dict[tuple[Face, int], ImageFont.FreeTypeFont] = {}

    def font(self, face: Face, size: int) -> ImageFont.FreeTypeFont:
        key = (face, EMOJI_STRIKE if face.colour else size)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.truetype(str(face.path), key[1], index=face.index, layout_engine=self.engine)
        return self._fonts[key]

    def width(self, text: str, size: int) -> float:
        return sum(self._advance(run, size) for run in runs(text))

    def fit(self, text: str, size: int, width: float) -> str:
        """`text`, or its longest start (whole graphemes) with an ellipsis, that is at most `width` wide."""
        if self.width(text, size) <= width:
            return text
        clusters = graphemes(text)
        low, high = 0, len(clusters) - 1  # the most graphemes known to fit, and the fewest known not to + 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.width(self._cut(clusters, middle), size) <= width:
                low = middle
            else:
                high = middle - 1
        return self._cut(clusters, low)

    @staticmethod
    def _cut(clusters: list[str], count: int) -> str:
        return "".join(clusters[:count]).rstrip() + ELLIPSIS

    def metrics(self, size: int) -> tuple[int, int]:
        """(ascent, descent) of a line: the Latin font's, so every label sits on the same baseline."""
        return self.font(SANS, size).getmetrics()

    def draw(
        self, canvas: Image.Image, xy: tuple[float, float], text: str, size: int, fill: Colour, anchor: str = "la",
    ) -> None:
        """Draw `text` at `xy`, placed like Pillow's anchors: ``l``/``m``/``r``, then ``a``/``m``/``s``/``d``."""
        line = runs(text)
        width = sum(self._advance(run, size) for run in line)
        ascent, descent = self.metrics(size)
        x = xy[0] - {"l": 0.0, "m": width / 2, "r": width}[anchor[0]]
        baseline = xy[1] + {"a": ascent, "m": (ascent - descent) / 2, "s": 0.0, "d": -descent}[anchor[1]]
        draw = ImageDraw.Draw(canvas)
        for run in line:
            x += self._draw_run(canvas, draw, (x, baseline), run, size, fill)

    # ---- one run -------------------------------------------------------------------------------

    def _prepared(self, run: Run) -> tuple[Face, str, str | None]:
        """(font, text to hand Pillow, direction) for `run` with this engine."""
        if run.face is None:
            return SANS, _code_points(run.text), "ltr" if self.engine == ImageFont.Layout.RAQM else None
        if self.engine == ImageFont.Layout.RAQM:
            return run.face, run.text, "rtl" if run.right_to_left else "ltr"
        # The basic layout draws glyphs left to right as given: join, drop what draws nothing, reorder.
        text = presentation_forms(run.text, coverage(ARABIC)) if run.face == ARABIC else run.text
        clusters = [_pre_base_first("".join(c for c in cluster if not draws_nothing(c))) for cluster in graphemes(text)]
        if run.right_to_left:
            clusters = [_MIRRORED.get(cluster, cluster) for cluster in reversed(clusters)]
        return run.face, "".join(clusters), None

    def _advance(self, run: Run, size: int) -> float:
        face, text, direction = self._prepared(run)
        if not text:
            return 0.0
        length = self.font(face, size).getlength(text, direction=direction)
        return length * size * EMOJI_SCALE / EMOJI_STRIKE if face.colour else length

    def _draw_run(
        self, canvas: Image.Image, draw: ImageDraw.ImageDraw, origin: tuple[float, float], run: Run, size: int,
        fill: Colour,
    ) -> float:
        face, text, direction = self._prepared(run)
        if not text:
            return 0.0
        font = self.font(face, size)
        if not face.colour:
            draw.text(origin, text, font=font, fill=fill, anchor="ls", direction=direction)
            return font.getlength(text, direction=direction)
        # Colour emoji: drawn at their one size on a tile of their own, scaled, then laid on the canvas.
        box = font.getbbox(text, anchor="ls", direction=direction)
        left, top, right, bottom = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
        if right <= left or bottom <= top:
            return 0.0
        tile = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((-left, -top), text, font=font, anchor="ls", direction=direction,
                                  embedded_color=True)
        scale = size * EMOJI_SCALE / EMOJI_STRIKE
        scaled = tile.resize(
            (max(1, math.ceil(tile.width * scale)), max(1, math.ceil(tile.height * scale))),
            Image.Resampling.LANCZOS,
        )
        canvas.paste(scaled, (round(origin[0] + left * scale), round(origin[1] + top * scale)), scaled)
        return font.getlength(text, direction=direction) * scale


@functools.cache
def default_lettering() -> Lettering:
    return Lettering()
