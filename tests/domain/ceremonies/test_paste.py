"""`/ceremony paste`: nominee lists as hosts copy them from news articles read into
categories and nominees, and every list the bot can't use refused at its line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.ceremonies.files import MAX_CATEGORIES, MAX_NAME, MAX_NOMINEES_PER_CATEGORY, ParsedCeremony
from bot.domain.ceremonies.paste import MAX_PART_CHARS, MAX_PARTS, parse_pasted_list, split_nominee
from bot.domain.errors import InvalidInput

Read = list[tuple[str, list[tuple[str, str | None, str | None]]]]


def read(*parts: str) -> Read:
    """What the parser understood, as plain data: categories with (name, show, episode) entries."""
    parsed = parse_pasted_list(list(parts))
    return as_data(parsed)


def as_data(parsed: ParsedCeremony) -> Read:
    return [(c.name, [(n.name, n.show, n.episode) for n in c.nominees]) for c in parsed.categories]


def refused(*parts: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_pasted_list(list(parts))
    return caught.value


VARIETY = """\
Outstanding Drama Series
“Andor” (Disney+)
“The Crown” (Netflix)
“The Last of Us” (HBO)

Outstanding Lead Actor in a Drama Series
Jason Bateman — “Ozark”
Brian Cox — “Succession”
Kieran Culkin — “Succession”

Outstanding Supporting Actress in a Limited or Anthology Series or Movie
Annaleigh Ashford — “Welcome to Chippendales”
Niecy Nash-Betts — “Dahmer – Monster: The Jeffrey Dahmer Story”
"""


def test_a_list_as_variety_prints_it_reads_with_em_dashes_quotes_and_networks() -> None:
    assert read(VARIETY) == [
        ("Outstanding Drama Series", [("Andor", "Disney+", None), ("The Crown", "Netflix", None),
                                      ("The Last of Us", "HBO", None)]),
        ("Outstanding Lead Actor in a Drama Series", [("Jason Bateman", "Ozark", None),
                                                      ("Brian Cox", "Succession", None),
                                                      ("Kieran Culkin", "Succession", None)]),
        ("Outstanding Supporting Actress in a Limited or Anthology Series or Movie", [
            ("Annaleigh Ashford", "Welcome to Chippendales", None),
            ("Niecy Nash-Betts", "Dahmer – Monster: The Jeffrey Dahmer Story", None)]),
    ]


BULLETS = """\
DRAMA SERIES
• Andor
• Better Call Saul

LEAD ACTRESS, COMEDY SERIES
- Christina Applegate – Dead to Me
- Rachel Brosnahan – The Marvelous Mrs. Maisel
* Quinta Brunson – Abbott Elementary

SUPPORTING ACTOR, COMEDY
1. Anthony Carrigan, Barry
2. Phil Dunster, Ted Lasso
3) Michael Cimino, Love, Victor
(4) Henry Winkler (Barry)
"""


def test_bullets_and_numbers_mark_nominees_so_every_other_line_is_a_category() -> None:
    assert read(BULLETS) == [
        ("DRAMA SERIES", [("Andor", None, None), ("Better Call Saul", None, None)]),
        ("LEAD ACTRESS, COMEDY SERIES", [("Christina Applegate", "Dead to Me", None),
                                         ("Rachel Brosnahan", "The Marvelous Mrs. Maisel", None),
                                         ("Quinta Brunson", "Abbott Elementary", None)]),
        ("SUPPORTING ACTOR, COMEDY", [("Anthony Carrigan", "Barry", None), ("Phil Dunster", "Ted Lasso", None),
                                      ("Michael Cimino", "Love, Victor", None), ("Henry Winkler", "Barry", None)]),
    ]


def test_a_list_copied_from_a_web_page_with_a_blank_line_after_every_line_still_reads() -> None:
    double_spaced = "\n\n".join(line for line in BULLETS.splitlines() if line)
    assert read(double_spaced) == read(BULLETS)
    marked = "\n\n".join(line for line in VARIETY.splitlines() if line)
    assert read(marked) == read(VARIETY)


def test_a_list_with_neither_bullets_nor_keywords_reads_a_category_at_each_paragraph() -> None:
    plain = (
        "Drama series\nAndor\nThe Crown\n\n"
        "Lead actor in a drama series\nJason Bateman, Ozark\nBrian Cox, Succession"
    )
    assert read(plain) == [
        ("Drama series", [("Andor", None, None), ("The Crown", None, None)]),
        ("Lead actor in a drama series", [("Jason Bateman", "Ozark", None), ("Brian Cox", "Succession", None)]),
    ]


def test_headings_bold_and_trailing_colons_mark_categories() -> None:
    text = "## Drama Series\nAndor\n**Comedy Series**\nBarry\nReality Competition:\nThe Voice\n"
    assert [name for name, _ in read(text)] == ["Drama Series", "Comedy Series", "Reality Competition"]


def test_nested_bullets_make_the_outer_ones_categories() -> None:
    text = "- Drama Series\n  - Andor\n  - The Crown\n- Comedy Series\n  - Barry\n"
    assert read(text) == [("Drama Series", [("Andor", None, None), ("The Crown", None, None)]),
                          ("Comedy Series", [("Barry", None, None)])]


@pytest.mark.parametrize(("line", "expected"), [
    ("Jason Bateman — Ozark", ("Jason Bateman", "Ozark", None)),
    ("Jason Bateman—Ozark", ("Jason Bateman", "Ozark", None)),
    ("Jason Bateman – Ozark", ("Jason Bateman", "Ozark", None)),
    ("Jason Bateman - Ozark", ("Jason Bateman", "Ozark", None)),
    ("Jason Bateman, Ozark", ("Jason Bateman", "Ozark", None)),
    ("Jason Bateman (Ozark)", ("Jason Bateman", "Ozark", None)),
    ("Jason Bateman, “Ozark” (Netflix)", ("Jason Bateman", "Ozark (Netflix)", None)),
    ("Michael Cimino — Love, Victor", ("Michael Cimino", "Love, Victor", None)),
    ("Michael Cimino (Love, Victor)", ("Michael Cimino", "Love, Victor", None)),
    ("“Love, Victor”", ("Love, Victor", None, None)),
    ("Sarah Snook, “Succession, Season 4”", ("Sarah Snook", "Succession, Season 4", None)),
    ("Derek Hough — Dancing with the Stars — “Heart Cry”", ("Derek Hough", "Dancing with the Stars", "Heart Cry")),
    ("Jean-Luc Bilodeau — Baby Daddy", ("Jean-Luc Bilodeau", "Baby Daddy", None)),
    ("The Amazing Race", ("The Amazing Race", None, None)),
    ("Conan O’Brien", ("Conan O’Brien", None, None)),
])
def test_every_nominee_form_of_the_issue_splits_into_name_and_show(
    line: str, expected: tuple[str, str | None, str | None]
) -> None:
    assert split_nominee(line) == expected


def test_a_category_with_no_nominees_is_refused_at_its_line() -> None:
    error = refused(
        "Outstanding Drama Series\n• Andor\n\nOutstanding Comedy Series\n\nOutstanding Variety Talk\n• Hacks"
    )
    assert (error.reason, error.facts["line"], error.facts["category"]) == ("no_nominees", 4,
                                                                          "Outstanding Comedy Series")
    assert str(error).startswith("Line 4: “Outstanding Comedy Series” is read as a category")
    last = refused("Outstanding Drama Series\n• Andor\nOutstanding Comedy Series\n")
    assert (last.reason, last.facts["line"]) == ("no_nominees", 3)


def test_a_headline_over_the_list_is_named_as_the_line_to_remove() -> None:
    error = refused("The 2024 Emmy nominations: the full list\nOutstanding Drama Series\n• Andor\n")
    assert (error.reason, error.facts["line"]) == ("no_nominees", 1)
    bulleted_first = refused("• Andor\nOutstanding Drama Series\n• The Crown")
    assert (bulleted_first.reason, bulleted_first.facts["line"]) == ("nominee_before_category", 1)


def test_the_limits_of_a_nominee_file_hold_with_line_numbers() -> None:
    twenty_one = "Outstanding Drama Series\n" + "\n".join(f"• Show {n}" for n in range(21))
    error = refused(twenty_one)
    assert (error.reason, error.facts["line"], error.facts["limit"]) == ("too_many_nominees", 22,
                                                                       MAX_NOMINEES_PER_CATEGORY)
    long_name = refused(f"Outstanding Drama Series\n• {'x' * (MAX_NAME + 1)}")
    assert (long_name.reason, long_name.facts["line"], long_name.facts["length"]) == ("name_too_long", 2, 201)
    twice = refused("Outstanding Drama Series\n• Andor\n• The Crown\n• andor")
    assert (twice.reason, twice.facts["line"], twice.facts["first_line"]) == ("duplicate_nominee", 4, 2)
    category_twice = refused("Outstanding Drama Series\n• Andor\nOUTSTANDING DRAMA SERIES\n• The Crown")
    assert (category_twice.reason, category_twice.facts["line"]) == ("duplicate_category", 3)
    control = refused("Outstanding Drama Series\n• An\x07dor")
    assert (control.reason, control.facts["line"]) == ("control_character", 2)
    assert refused("", "  \n\n").reason == "empty_paste"


def test_twice_the_same_person_with_different_episodes_is_two_nominations() -> None:
    text = "Outstanding Choreography\n• Derek Hough — DWTS — Heart Cry\n• Derek Hough — DWTS — Hey Pachuco"
    parsed = parse_pasted_list([text])
    assert [n.label for n in parsed.categories[0].nominees] == ["Derek Hough — DWTS (Heart Cry)",
                                                                "Derek Hough — DWTS (Hey Pachuco)"]


def many_categories(count: int) -> list[str]:
    """`count` categories of two nominees, split into boxes of at most 4,000 characters."""
    lines = [f"Outstanding Category {n}\n• Nominee A{n} — Show\n• Nominee B{n}\n" for n in range(count)]
    boxes, box = [], ""
    for line in lines:
        if len(box) + len(line) > MAX_PART_CHARS:
            boxes.append(box)
            box = ""
        box += line
    return [*boxes, box]


def test_two_hundred_categories_fit_in_the_five_boxes_and_one_more_is_refused_where_it_starts() -> None:
    boxes = many_categories(MAX_CATEGORIES)
    assert len(boxes) <= MAX_PARTS
    assert len(parse_pasted_list(boxes).categories) == MAX_CATEGORIES
    over = many_categories(MAX_CATEGORIES + 1)
    error = refused(*over)
    assert error.reason == "too_many_categories"
    assert error.facts["part"] == len(over)
    assert str(error).startswith(f"Box {len(over)}, line ")


def four_thousand_characters() -> str:
    """A realistic box filled to exactly 4,000 characters: categories of two nominees, then one long name."""
    text, number = "", 0
    while True:
        block = f"Outstanding Category {number}\n• Nominee {number} — Show {number}\n• Another {number}\n"
        if len(text) + len(block) > MAX_PART_CHARS - 100:
            break
        text, number = text + block, number + 1
    text += f"Outstanding Category {number}\n• "
    return text + "y" * (MAX_PART_CHARS - len(text))


def test_a_box_of_exactly_four_thousand_characters_is_read_and_one_more_is_refused() -> None:
    full = four_thousand_characters()
    assert len(full) == MAX_PART_CHARS
    parsed = parse_pasted_list([full, full.replace("Outstanding Category", "Outstanding Award")])
    per_box = len(parsed.categories) // 2  # two nominees in each category, one in the last
    assert parsed.nominee_count == 2 * (2 * per_box - 1)
    assert len(parsed.categories[-1].nominees[0].name) <= MAX_NAME
    error = refused(full + "y")
    assert (error.reason, error.facts["part"], error.facts["limit"]) == ("part_too_long", 1, MAX_PART_CHARS)
    assert refused(*["x"] * (MAX_PARTS + 1)).reason == "too_many_parts"


def test_a_category_goes_on_in_the_next_box_and_errors_there_name_the_box() -> None:
    first = "Outstanding Drama Series\n• Andor\n• The Crown\n"
    second = "• The Last of Us\n• Succession\n\nOutstanding Comedy Series\n• Barry"
    assert read(first, second)[0] == ("Outstanding Drama Series", [(n, None, None) for n in (
        "Andor", "The Crown", "The Last of Us", "Succession")])
    error = refused(first, "", "• Barry\n• The Bear\n• the bear")
    assert (error.reason, error.facts["part"], error.facts["line"]) == ("duplicate_nominee", 3, 3)
    assert str(error).startswith("Box 3, line 3:")


def test_separator_lines_and_stray_bullets_are_blank_lines() -> None:
    assert read("Outstanding Drama Series\n• Andor\n* * *\n---\n•\nOutstanding Comedy Series\n• Barry") == [
        ("Outstanding Drama Series", [("Andor", None, None)]), ("Outstanding Comedy Series", [("Barry", None, None)])]


# ---- any list the bot could print, in any of the styles, reads back as it was -----------------

words = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéøß'&!?"),
                min_size=1, max_size=12)
names = st.lists(words, min_size=1, max_size=4).map(" ".join).filter(
    lambda name: not re.match(r"(?i)(best|outstanding)\b", name)  # those words start a category line
)
shows = st.lists(words, min_size=1, max_size=4).map(" ".join) | st.tuples(names, names).map(", ".join)


@st.composite
def ceremonies(draw: Any) -> Read:
    count = draw(st.integers(1, 6))
    categories: Read = []
    for index in range(count):
        nominees = draw(st.lists(st.tuples(names, st.none() | shows), min_size=1, max_size=8,
                                 unique_by=lambda n: (n[0].casefold(), (n[1] or "").casefold())))
        categories.append((f"Outstanding {draw(names)} {index}", [(name, show, None) for name, show in nominees]))
    return categories


SEPARATORS = [" — ", "—", " – ", " - ", " (", ", "]
BULLET_MARKS = ["• ", "- ", "* ", "· ", ""]


@settings(max_examples=150, deadline=None)
@given(ceremony=ceremonies(), separator=st.sampled_from(SEPARATORS), bullet=st.sampled_from(BULLET_MARKS),
       spacing=st.sampled_from(["\n", "\n\n"]), numbered=st.booleans())
def test_any_list_in_any_style_reads_back_exactly(
    ceremony: Read, separator: str, bullet: str, spacing: str, numbered: bool
) -> None:
    lines = []
    for name, nominees in ceremony:
        lines.append(name)
        for number, (nominee, show, _episode) in enumerate(nominees, start=1):
            mark = f"{number}. " if numbered else bullet
            if show is None:
                lines.append(f"{mark}“{nominee}”")
            elif separator == " (":
                lines.append(f"{mark}{nominee} (“{show}”)")
            else:
                lines.append(f"{mark}{nominee}{separator}“{show}”")
        lines.append("")
    assert read(spacing.join(lines)) == ceremony
