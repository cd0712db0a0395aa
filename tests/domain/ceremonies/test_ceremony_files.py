"""A host's nominee file: the real Emmy data reads, and every bad file is refused
with the line or field that is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.ceremonies.files import (
    MAX_CATEGORIES,
    MAX_FILE_BYTES,
    MAX_NAME,
    MAX_NOMINEES_PER_CATEGORY,
    assign_labels,
    parse_ceremony_file,
)
from bot.domain.errors import InvalidInput
from tests.paths import SHIPPED_2014, TEST_DATA

DATA = TEST_DATA
SHIPPED = SHIPPED_2014


def as_json(document: Any) -> bytes:
    return json.dumps(document).encode()


def small(**overrides: Any) -> dict[str, Any]:
    nominee = {"name": "Bryan Cranston", "show": "Breaking Bad", "winner": True}
    category = {"name": "Outstanding Lead Actor In A Drama Series", "nominees": [nominee, {"name": "Jon Hamm",
                                                                                          "show": "Mad Men"}]}
    category.update(overrides)
    return {"categories": [category]}


def test_the_shipped_2014_ceremony_reads_completely() -> None:
    parsed = parse_ceremony_file(SHIPPED.read_bytes(), "emmys-2014.json")
    assert len(parsed.categories) == 103
    assert parsed.nominee_count == 561
    drama = parsed.categories[0]
    assert drama.name == "Outstanding Drama Series"
    assert [n.label for n in drama.nominees][:2] == ["Breaking Bad", "Downton Abbey"]
    assert SHIPPED.read_bytes() == (DATA / "emmys-2014.json").read_bytes()


def test_derek_hough_twice_in_one_category_gets_two_labels() -> None:
    parsed = parse_ceremony_file((DATA / "emmys-2013.json").read_bytes(), "emmys-2013.json")
    choreography = next(c for c in parsed.categories if c.name == "Outstanding Choreography")
    hough = [n for n in choreography.nominees if n.name == "Derek Hough"]
    assert len(hough) == 2
    assert hough[0].label == "Derek Hough — Dancing With The Stars (Routines: Heart Cry / Stars)"
    assert hough[1].label.startswith("Derek Hough — Dancing With The Stars (Routines: Hey Pachuco")
    runway = next(c for c in parsed.categories if c.name == "Outstanding Picture Editing For Reality Programming")
    assert [n.label for n in runway.nominees if n.name == "Project Runway"] == ["Project Runway #1",
                                                                                "Project Runway #2"]
    for category in parsed.categories:
        labels = [n.label.casefold() for n in category.nominees]
        assert len(labels) == len(set(labels)), category.name


def test_labels_fall_back_to_numbers_and_never_collide() -> None:
    entries: list[tuple[str, str | None, str | None]] = [
        ("A", None, None), ("A", None, None), ("A #1", None, None), ("a", None, "x"), ("A", None, "x"),
    ]
    labels = assign_labels(entries)
    assert len({label.casefold() for label in labels}) == len(labels)
    assert labels[2] == "A #1"


def test_a_csv_with_a_bom_and_quoted_commas_reads() -> None:
    text = (
        "\ufeffcategory,nominee,show\r\n"
        "Outstanding Drama Series,Breaking Bad,Breaking Bad\r\n"
        '"Outstanding Writing, Drama","Moira Walley-Beckett","Breaking Bad"\r\n'
        "\r\n"
        "Outstanding Drama Series,Mad Men,\r\n"
    )
    parsed = parse_ceremony_file(text.encode(), "nominees.csv")
    assert [c.name for c in parsed.categories] == ["Outstanding Drama Series", "Outstanding Writing, Drama"]
    assert [(n.name, n.show) for n in parsed.categories[0].nominees] == [
        ("Breaking Bad", "Breaking Bad"), ("Mad Men", None)]
    assert parsed.categories[1].nominees[0].label == "Moira Walley-Beckett — Breaking Bad"


def test_json_winners_are_ignored_and_a_bom_is_fine() -> None:
    parsed = parse_ceremony_file(b"\xef\xbb\xbf" + as_json(small()), "x.json")
    assert parsed.nominee_count == 2


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"{\n  \"categories\": [\n    {\"name\": \"A\",,}\n  ]\n}", "f.json", "line 3, column"),
        (b"\xff\xfe{}", "f.json", "UTF-8"),
        (b"category,nominee,show\nok,ok,ok\nbad \xe9,x,y\n", "f.csv", "line 3"),
        (as_json([1, 2]), "f.json", "object"),
        (as_json({"categories": "nope"}), "f.json", "`categories`"),
        (as_json({"categories": []}), "f.json", "empty"),
        (as_json(small(name="")), "f.json", "categories[0].name"),
        (as_json(small(name=12)), "f.json", "categories[0].name` must be a text, not a number"),
        (as_json(small(nominees=[])), "f.json", "at least one nominee"),
        (as_json(small(nominees=[{"name": "x"}] * 21)), "f.json", "21 nominees"),
        (as_json(small(nominees=[{"name": "  "}])), "f.json", "categories[0].nominees[0].name` is empty"),
        (as_json(small(nominees=[{"name": "\u200b\u00a0"}])), "f.json", "only invisible characters"),
        (as_json(small(nominees=[{"name": "a", "show": ["x"]}])), "f.json",
         "categories[0].nominees[0].show` must be a text, not a list"),
        (as_json(small(nominees=[{"name": "a\nb"}])), "f.json", "nominees[0].name` contains a control character"),
        (as_json(small(nominees=[{"name": "a\u202eb"}])), "f.json", "U+202E"),
        (as_json(small(nominees=[{"name": "x" * (MAX_NAME + 1)}])), "f.json", "the limit is 200"),
        (as_json(small(nominees=["Bryan Cranston"])), "f.json", "nominees[0]` must be an object"),
        (as_json({"categories": [{"name": "A", "nominees": [{"name": "x"}]},
                                 {"name": "a", "nominees": [{"name": "y"}]}]}), "f.json",
         "categories[1].name`: the category “a” appears twice (first at `categories[0].name`)"),
        (as_json({"categories": [{"name": f"C{i}", "nominees": [{"name": "x"}]}
                                 for i in range(MAX_CATEGORIES + 1)]}), "f.json", "201 entries"),
        (b'{"categories": [], "categories": []}', "f.json", "key `categories` twice"),
        (b"[" * 100_000 + b"]" * 100_000, "f.json", "nested too deeply"),
        (b"", "f.csv", "empty"),
        (b"category,name\nA,B\n", "f.csv", "Line 1: the CSV header must be `category,nominee,show`"),
        (b"category,nominee,show\nA,B\n", "f.csv", "Line 2 has 2 values"),
        (b"category,nominee,show\nA,B,C\n,D,E\n", "f.csv", "Line 3, column `category` is empty"),
        (b"category,nominee,show\nA,,C\n", "f.csv", "Line 2, column `nominee` is empty"),
        (b"category,nominee,show\nA,\"B\x07\",C\n", "f.csv", "Line 2, column `nominee` contains a control"),
        (b"category,nominee,show\nA,\"unterminated,C\n", "f.csv", "the CSV can't be read"),
        (b"category,nominee,show\n" + b"".join(b"A,N%d,S\n" % i for i in range(21)), "f.csv",
         "Line 22 is nominee 21"),
        (b"category,nominee,show\n" + b"".join(b"C%d,N,S\n" % i for i in range(201)), "f.csv",
         "Line 202 starts category 201"),
        (b"category,nominee,show\n", "f.csv", "no nominees"),
        (b"category,nominee,show,show\nA,B,C,D\n", "f.csv", "names `show` twice"),
    ],
)
def test_a_bad_file_names_what_is_wrong(data: bytes, filename: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_ceremony_file(data, filename)
    assert expected.lower() in str(refused.value).lower()
    assert refused.value.reason  # every refusal names its rule


@pytest.mark.parametrize(
    ("data", "filename", "reason", "facts"),
    [
        (b"{\n  \"categories\": [\n    {\"name\": \"A\",,}\n  ]\n}", "f.json", "json_syntax",
         {"line": 3, "column": 18}),
        (b"ok\n\xff", "f.csv", "not_utf8", {"line": 2}),
        (as_json(small(nominees=[{"name": "x"}] * 21)), "f.json", "too_many_nominees",
         {"count": 21, "limit": MAX_NOMINEES_PER_CATEGORY, "field": "categories[0].nominees"}),
        (as_json(small(nominees=[{"name": "x" * (MAX_NAME + 1)}])), "f.json", "name_too_long",
         {"length": 201, "limit": MAX_NAME, "field": "categories[0].nominees[0].name"}),
        (as_json({"categories": [{"name": "A", "nominees": [{"name": "x"}]},
                                 {"name": "a", "nominees": [{"name": "y"}]}]}), "f.json", "duplicate_category",
         {"category": "a", "field": "categories[1].name"}),
        (b"category,nominee,show\nA,B\n", "f.csv", "csv_wrong_columns", {"line": 2, "count": 2, "expected": 3}),
        (b"category,nominee,show\nA,,C\n", "f.csv", "empty_name", {"line": 2, "column": "nominee"}),
        (b"category,nominee,show\nA,\"B\x07\",C\n", "f.csv", "control_character",
         {"line": 2, "column": "nominee", "codepoint": 7}),
        (b"category,nominee,show\n" + b"".join(b"C%d,N,S\n" % i for i in range(201)), "f.csv",
         "too_many_categories", {"line": 202, "limit": MAX_CATEGORIES}),
        (b" " * (MAX_FILE_BYTES + 1), "big.json", "file_too_large",
         {"size_bytes": MAX_FILE_BYTES + 1, "limit_bytes": MAX_FILE_BYTES}),
    ],
)
def test_a_refusal_carries_its_rule_and_the_facts_behind_it(
    data: bytes, filename: str, reason: str, facts: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_ceremony_file(data, filename)
    assert refused.value.reason == reason
    assert {key: refused.value.facts.get(key) for key in facts} == facts


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    with pytest.raises(InvalidInput, match="limit is 1,000,000 bytes"):
        parse_ceremony_file(b" " * (MAX_FILE_BYTES + 1), "big.json")


def test_limits_are_exactly_the_stated_ones() -> None:
    document = {"categories": [
        {"name": f"Category {i}", "nominees": [{"name": "n" * MAX_NAME, "show": None}] * MAX_NOMINEES_PER_CATEGORY}
        for i in range(MAX_CATEGORIES)
    ]}
    parsed = parse_ceremony_file(as_json(document), "max.json")
    assert parsed.nominee_count == MAX_CATEGORIES * MAX_NOMINEES_PER_CATEGORY
    assert len({n.label for n in parsed.categories[0].nominees}) == MAX_NOMINEES_PER_CATEGORY


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["f.json", "f.csv", ""]))
def test_no_input_raises_anything_but_invalid_input(data: bytes, filename: str) -> None:
    try:
        parsed = parse_ceremony_file(data, filename)
    except InvalidInput:
        return
    assert parsed.categories


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "a", "B"]), st.sampled_from([None, "S", "A"]),
                          st.sampled_from([None, "E", "e"])), max_size=20))
def test_labels_are_unique_ignoring_case(entries: list[tuple[str, str | None, str | None]]) -> None:
    labels = assign_labels(entries)
    assert len({label.casefold() for label in labels}) == len(labels)
