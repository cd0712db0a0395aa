"""Names as people write them, in messages: cut at grapheme boundaries, what
would hide shown, right-to-left text isolated (bot/text.py)."""

from __future__ import annotations

import pytest
from bidi import get_display
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.text import (
    ELLIPSIS,
    FSI,
    PDI,
    clip,
    cut,
    escape,
    graphemes,
    invisible_characters,
    isolate,
    one_line,
    refuse_invisible,
    reveal,
    safe,
)
from tests.names import ALL_NAMES, RIGHT_TO_LEFT, VISIBLE_NAMES

# Graphemes a naive cut breaks: a ZWJ family, flags, a skin tone, a keycap, combining marks,
# a Devanagari conjunct, a Hangul syllable in jamo, a Thai syllable with its marks.
HARD = ["👨‍👩‍👧‍👦", "🇯🇵", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👍🏽", "1️⃣", "❤️", "e\u0301", "a\u0308\u0323", "क्षि", "\u1100\u1161\u11a8", "กิ้",
        "ا", "א", "\\"]
texts = st.lists(st.sampled_from([*HARD, "a", " ", "*", "Z"]), max_size=30).map("".join)


def boundaries(text: str) -> set[int]:
    """The offsets (in code points) where a grapheme ends."""
    ends, at = {0}, 0
    for cluster in graphemes(text):
        at += len(cluster)
        ends.add(at)
    return ends


def assert_whole_start(part: str, whole: str) -> None:
    assert whole.startswith(part), (part, whole)
    assert len(part) in boundaries(whole), f"{part!r} ends inside a grapheme of {whole!r}"


@given(texts, st.integers(min_value=0, max_value=40))
def test_clip_keeps_the_limit_and_cuts_only_between_graphemes(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= max(limit, 0)
    if clipped == text:
        return
    if limit > 0:
        assert clipped.endswith(ELLIPSIS)
        kept = clipped.removesuffix(ELLIPSIS)
        assert text.startswith(kept)
        assert len(kept) in boundaries(text) or len(kept.rstrip(" ")) in boundaries(text)


@given(texts, st.integers(min_value=0, max_value=40))
def test_cut_is_the_longest_whole_start_within_the_limit(text: str, limit: int) -> None:
    kept = cut(text, limit)
    assert len(kept) <= limit
    assert_whole_start(kept, text)
    longer = [end for end in boundaries(text) if len(kept) < end <= limit]
    assert not longer


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_every_name_clipped_at_every_length_stays_whole(what: str, name: str) -> None:
    for limit in range(1, len(name) + 1):
        clipped = clip(name, limit)
        assert len(clipped) <= limit, what
        assert_whole_start(clipped.removesuffix(ELLIPSIS).rstrip(" "), name)


def test_a_family_a_flag_and_an_accent_are_never_split() -> None:
    assert clip("👨‍👩‍👧‍👦👨‍👩‍👧‍👦", 10) == "👨‍👩‍👧‍👦…"  # 7 code points each: one fits with the ellipsis
    assert clip("🇯🇵🇧🇷", 3) == "🇯🇵…"
    assert clip("Zoe\u0308 Rene\u0301e", 4) == "Zo…"  # not "Zoe…", which would drop the diaeresis
    assert cut("Zoe\u0308", 3) == "Zo"


def test_a_clipped_escape_never_swallows_the_ellipsis() -> None:
    assert clip(escape("a*b*c*d"), 4) == "a\\*…"
    assert clip(escape("a*b*c*d"), 3) == "a…"


def test_an_isolate_opened_in_the_kept_part_is_closed() -> None:
    line = f"{FSI}محمد الأحمد{PDI} and more"
    clipped = clip(line, 8)
    assert clipped == f"{FSI}محمد{ELLIPSIS}{PDI}"
    assert len(clipped) <= 8


# ---- invisible characters ----------------------------------------------------------------------


@pytest.mark.parametrize(("what", "name"), VISIBLE_NAMES)
def test_names_as_written_show_as_written(what: str, name: str) -> None:
    """Joiners in 👨‍👩‍👧‍👦 and علی‌رضا, selectors in ❤️, tags in 🏴󠁧󠁢󠁳󠁣󠁴󠁿 all do a job: nothing to reveal."""
    assert invisible_characters(name) == [], what
    assert reveal(name) == name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("\u200b", "‹U+200B›"),
        ("Zoë Renée\u200b", "Zoë Renée‹U+200B›"),
        ("\u3164", "‹U+3164›"),
        ("\u202eevil", "‹U+202E›evil"),
        ("\u2800", "‹U+2800›"),
        ("Ann\u200d", "Ann‹U+200D›"),  # a joiner that joins nothing
        ("\u200dAnn", "‹U+200D›Ann"),
        ("❤\ufe0f\ufe0f", "❤\ufe0f‹U+FE0F›"),  # one selector selects; the second pads
        ("Ann\U000e0067", "Ann‹U+E0067›"),  # a tag outside a flag
        ("A\u00adnn", "A‹U+00AD›nn"),
    ],
)
def test_what_would_hide_is_shown(name: str, shown: str) -> None:
    assert reveal(name) == shown


def test_an_impostor_padded_with_invisibles_no_longer_looks_like_the_member() -> None:
    real, impostor = "Zoë Renée", "Zoë Renée\u200b"
    assert safe(real, 64) != safe(impostor, 64)
    assert safe("\u200b", 64) == "‹U+200B›"


def test_a_typed_note_with_an_invisible_character_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        refuse_invisible("Go team\u200b!", what="note")
    assert refused.value.reason == "invisible_characters"
    assert refused.value.facts == {"characters": ["U+200B"]}
    assert "ZERO WIDTH SPACE" in str(refused.value)
    refuse_invisible("Go team 👨‍👩‍👧‍👦 علی‌رضا ❤️\nsee you", what="note")  # joiners at work, a line break: fine


# ---- direction ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RIGHT_TO_LEFT)
def test_a_right_to_left_name_in_a_list_leaves_the_rank_and_the_count_in_place(name: str) -> None:
    line = f"**2.** {safe(name, 64)} — 26 losses"
    shown = get_display(line)  # how a reader's screen orders it (UAX #9, isolates included)
    assert shown.startswith("**2.** ")
    assert shown.endswith(" — 26 losses")
    bare = get_display(f"**2.** {name} — 26 losses")  # without the isolates, the line is scrambled
    assert not (bare.startswith("**2.** ") and bare.endswith(" — 26 losses"))


def test_only_text_that_could_reorder_its_neighbours_is_isolated() -> None:
    assert isolate("Zoë Renée") == "Zoë Renée"
    assert isolate("🍿 Popcorn Queen 👑") == "🍿 Popcorn Queen 👑"
    assert isolate("דני כהן") == f"{FSI}דני כהן{PDI}"
    assert isolate("٢٦") == f"{FSI}٢٦{PDI}"  # Arabic digits too


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_safe_names_keep_every_limit_whole_and_balanced(what: str, name: str) -> None:
    full = escape(reveal(one_line(name)))
    for limit in range(1, 70):
        shown = safe(name, limit)
        assert len(shown) <= limit, (what, limit)
        assert shown.count(FSI) == shown.count(PDI)
        core = shown.removeprefix(FSI).removesuffix(PDI).removesuffix(ELLIPSIS).rstrip(" ")
        assert_whole_start(core, full)

