"""Every name drawn as written on the recap picture: each character in a font
whose own character map has it (read here with fontTools, independently of the
bot's reader), right-to-left runs in order, emoji in colour, long names cut by
width at a grapheme, with raqm and without it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import arabic_reshaper
import pytest
from bidi import get_display
from fontTools.ttLib import TTFont
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageFont, features

from bot.domain.recap import bidi, cmap
from bot.domain.recap.arabic import presentation_forms
from bot.domain.recap.lettering import (
    ARABIC,
    EMOJI,
    FONTS,
    Lettering,
    coverage,
    drawn_characters,
    runs,
)
from bot.domain.recap.pictures import HEIGHT, WIDTH, LossBar, RecapPicture, draw_recap, label
from bot.text import ELLIPSIS, graphemes
from tests.domain.recap.example import example_picture
from tests.names import ALL_NAMES, MIXED, VISIBLE_NAMES
from tests.names import ARABIC as ARABIC_NAMES
from tests.names import HEBREW as HEBREW_NAMES
from tests.paths import REPOSITORY

BACKGROUND = (49, 51, 56)
WHITE = (255, 255, 255)
ENGINES = [
    pytest.param(ImageFont.Layout.RAQM, id="raqm",
                 marks=pytest.mark.skipif(not features.check("raqm"), reason="this Pillow has no raqm (FriBiDi)")),
    pytest.param(ImageFont.Layout.BASIC, id="basic"),
]


@cache
def fonttools_map(path: Path, index: int) -> frozenset[int]:
    """The code points a face maps to a real glyph, as fontTools reads them."""
    font = TTFont(path, fontNumber=index, lazy=True)
    notdef = font.getGlyphOrder()[0]
    return frozenset(point for point, glyph in font.getBestCmap().items() if glyph != notdef)


def shipped_faces() -> Iterator[tuple[Path, int]]:
    for path in sorted(FONTS.glob("*.tt[fc]")):
        for index in range(5 if path.suffix == ".ttc" else 1):
            yield path, index


@pytest.mark.parametrize(("path", "index"), list(shipped_faces()), ids=lambda value: getattr(value, "name", value))
def test_the_bots_character_maps_read_as_fonttools_reads_them(path: Path, index: int) -> None:
    assert cmap.code_points(path, index) == fonttools_map(path, index)


def test_every_shipped_font_is_licensed_and_described() -> None:
    readme = (FONTS / "README.md").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL.txt").read_text(encoding="utf-8")
    for path in FONTS.glob("*.tt[fc]"):
        assert f"`{path.name}`" in readme


# ---- which font, which way -------------------------------------------------------------------


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_every_character_of_every_name_is_drawn_in_a_font_that_has_it(what: str, name: str) -> None:
    shown = label(name)
    drawn = runs(shown)
    assert sorted("".join(run.text for run in drawn)) == sorted(shown)  # nothing lost, nothing added
    for run in drawn:
        assert run.face is not None, f"{what}: no font for {run.text!r}"
        missing = drawn_characters(run) - fonttools_map(run.face.path, run.face.index)
        assert not missing, f"{what}: {run.face.file} lacks {[f'U+{point:04X}' for point in missing]}"


@pytest.mark.parametrize(("what", "name"), [*VISIBLE_NAMES])
def test_emoji_go_to_the_colour_font_and_letters_to_the_text_fonts(what: str, name: str) -> None:
    for run in runs(label(name)):
        emoji_run = run.face == EMOJI
        assert emoji_run == any(cluster in EMOJI_GRAPHEMES for cluster in graphemes(run.text)), (what, run)


EMOJI_GRAPHEMES = {"🍿", "👑", "👨‍👩‍👧‍👦", "🇯🇵", "🇧🇷", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👍🏽", "👋🏿", "1️⃣", "❤️", "👩🏽‍💻"}


def test_a_character_no_shipped_font_has_is_written_as_its_code_point() -> None:
    (alone,) = runs("\U0001fae9")  # FACE WITH BAGS UNDER EYES, Emoji 16.0: newer than the emoji font
    assert alone.face is None
    pen = Lettering()
    assert pen.width("\U0001fae9", 32) == pytest.approx(pen.width("‹U+1FAE9›", 32))


mirror_free = st.lists(st.sampled_from([*"abZ", *"אבג", *"محر", *"0129", "٣", "۵", *" ,.:+-%$#!?/", "\u0301",
                                        "\u064e", "🍿", "—"]), min_size=1, max_size=14).map("".join)


@given(mirror_free)
def test_runs_are_ordered_as_python_bidi_orders_the_characters(text: str) -> None:
    levels = bidi.levels(text)
    assert "".join(text[index] for index in bidi.visual_order(levels)) == get_display(text)


@pytest.mark.parametrize(("what", "name"), [*HEBREW_NAMES, *ARABIC_NAMES, *MIXED])
def test_right_to_left_names_read_right_to_left(what: str, name: str) -> None:
    drawn = runs(name)
    by_python_bidi = get_display(name)
    # Each run in its direction, left to right, gives python-bidi's display order.
    assert "".join(run.text[::-1] if run.right_to_left else run.text for run in drawn) == by_python_bidi, what


@pytest.mark.parametrize("word", ["محمد الأحمد", "سلام", "لا إله", "فاطمة الزهراء", "علی‌رضا", "پژوهش"])
def test_without_a_shaper_arabic_takes_the_forms_arabic_reshaper_gives(word: str) -> None:
    assert presentation_forms(word, coverage(ARABIC)) == arabic_reshaper.reshape(word)


# ---- drawn -----------------------------------------------------------------------------------


def drawn(pen: Lettering, text: str, size: int = 40) -> Image.Image:
    canvas = Image.new("RGB", (int(pen.width(text, size)) + 40, 2 * size), BACKGROUND)
    pen.draw(canvas, (20, size), text, size, WHITE, anchor="lm")
    return canvas


def coloured_pixels(image: Image.Image) -> int:
    """Pixels far from grey: saturation × value (that is, max − min of the channels) above 80."""
    _, saturation, value = image.convert("HSV").split()
    return sum(ImageChops.multiply(saturation, value).histogram()[81:])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("what", "name"), VISIBLE_NAMES)
def test_every_name_draws_ink_as_wide_as_it_measures(engine: ImageFont.Layout, what: str, name: str) -> None:
    pen = Lettering(engine)
    image = drawn(pen, name)
    box = ImageChops.difference(image, Image.new("RGB", image.size, BACKGROUND)).getbbox()
    assert box is not None, what
    assert box[2] - box[0] >= 0.8 * pen.width(name, 40), what


@pytest.mark.parametrize("engine", ENGINES)
def test_emoji_are_drawn_in_colour(engine: ImageFont.Layout) -> None:
    pen = Lettering(engine)
    assert coloured_pixels(drawn(pen, "🍿 👑 🇯🇵")) > 200
    assert coloured_pixels(drawn(pen, "Popcorn Queen")) == 0  # the letters are white: the colour is the emoji's


@pytest.mark.skipif(not features.check("raqm"), reason="this Pillow has no raqm (FriBiDi) to compare with")
@pytest.mark.parametrize(("what", "name"), [*HEBREW_NAMES, *ARABIC_NAMES, *MIXED])
def test_without_raqm_right_to_left_names_look_as_they_do_with_it(what: str, name: str) -> None:
    with_raqm = drawn(Lettering(ImageFont.Layout.RAQM), name).convert("L")
    basic = drawn(Lettering(ImageFont.Layout.BASIC), name).convert("L")
    reversed_name = drawn(Lettering(ImageFont.Layout.RAQM), "".join(reversed(graphemes(name)))).convert("L")

    def difference(one: Image.Image, other: Image.Image) -> float:
        width, height = max(one.width, other.width), max(one.height, other.height)
        padded = [Image.new("L", (width, height), 0) for _ in range(2)]
        padded[0].paste(one)
        padded[1].paste(other)
        histogram = ImageChops.difference(*padded).histogram()
        return sum(value * count for value, count in enumerate(histogram)) / (width * height)

    assert difference(with_raqm, basic) < 3, what
    assert difference(with_raqm, reversed_name) > 3 * difference(with_raqm, basic), what  # the test can tell


@pytest.mark.parametrize(("what", "name"), VISIBLE_NAMES)
def test_long_names_are_cut_by_width_at_a_grapheme(what: str, name: str) -> None:
    pen = Lettering()
    for width in (40, 90, 160):
        fitted = pen.fit(name, 32, width)
        if fitted == name:
            assert pen.width(name, 32) <= width
            continue
        assert fitted.endswith(ELLIPSIS)
        assert pen.width(fitted, 32) <= width or fitted == ELLIPSIS, what
        kept = fitted.removesuffix(ELLIPSIS)
        assert name.startswith(kept)
        assert graphemes(kept) == graphemes(name)[: len(graphemes(kept))], what


# ---- the picture -------------------------------------------------------------------------------


def picture_of(names: list[str]) -> RecapPicture:
    base = example_picture()
    bars = [LossBar(name, 20 - index) for index, name in enumerate(names)]
    return RecapPicture(base.title, base.goal_cents, base.raised_cents, base.start, base.end, base.money, bars)


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT)
    return image


class RecordingLettering(Lettering):
    """The bot's lettering, noting every text it draws on the picture."""

    def __init__(self, engine: ImageFont.Layout) -> None:
        super().__init__(engine)
        self.drawn: list[str] = []

    def draw(self, canvas: Image.Image, xy: tuple[float, float], text: str, size: int, fill: tuple[int, int, int],
             anchor: str = "la") -> None:
        self.drawn.append(text)
        super().draw(canvas, xy, text, size, fill, anchor)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lounge_of_real_names_is_drawn_every_character_in_a_font_that_has_it(engine: ImageFont.Layout) -> None:
    names = [name for _, name in ALL_NAMES]
    for first in range(0, len(names), 10):
        pen = RecordingLettering(engine)
        open_png(draw_recap(picture_of(names[first:first + 10]), pen))
        for name in names[first:first + 10]:  # each name is on the picture, whole or cut at a grapheme
            shown = label(name)
            assert any(text == shown or (text.endswith(ELLIPSIS) and shown.startswith(text[:-1].rstrip()))
                       for text in pen.drawn), name
        for text in pen.drawn:
            for run in runs(text):
                assert run.face is not None, text
                assert drawn_characters(run) <= fonttools_map(run.face.path, run.face.index), (text, run)


def test_zoe_renee_with_and_without_accents_are_two_pictures() -> None:
    accented = open_png(draw_recap(picture_of(["Zoë Renée"])))
    folded = open_png(draw_recap(picture_of(["Zoe Renee"])))
    assert ImageChops.difference(accented.convert("RGB"), folded.convert("RGB")).getbbox() is not None


def test_a_name_padded_with_an_invisible_character_is_a_different_picture() -> None:
    real = open_png(draw_recap(picture_of(["Zoë Renée"])))
    impostor = open_png(draw_recap(picture_of(["Zoë Renée\u200b"])))
    assert ImageChops.difference(real.convert("RGB"), impostor.convert("RGB")).getbbox() is not None



@pytest.mark.skipif(not features.check("raqm"), reason="the docs picture is drawn with raqm")
def test_the_docs_picture_is_the_example_lounge_as_drawn_today() -> None:
    """docs/recap-example.png shows readers what the bot draws (regenerate it: see tests/domain/recap/example.py)."""
    shipped = open_png((REPOSITORY / "docs" / "recap-example.png").read_bytes()).convert("L")
    today = open_png(draw_recap(example_picture(), Lettering(ImageFont.Layout.RAQM))).convert("L")
    histogram = ImageChops.difference(shipped, today).histogram()
    assert sum(value * count for value, count in enumerate(histogram)) / (WIDTH * HEIGHT) < 1.0
