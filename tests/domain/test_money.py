"""Amounts typed by members become exact integer cents, or a clear refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.money import ABSOLUTE_MAX_CENTS, check_maximum, format_cents, format_cents_plain, parse_cents
from tests.refusals import refused

DEFAULT_MAX = 100_000_00


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("25", 25_00),
        ("25.5", 25_50),
        ("$25.50", 25_50),
        ("1,000", 1_000_00),
        ("1000.00", 1_000_00),
        ("$ 1,000.5", 1_000_50),
        ("  25  ", 25_00),
        ("0.01", 1),
        ("$1,234,567.89", 1_234_567_89),
        ("100,000", DEFAULT_MAX),
    ],
)
def test_amounts_members_type_are_read_exactly(typed: str, cents: int) -> None:
    assert parse_cents(typed) == cents


@pytest.mark.parametrize(
    "typed",
    [
        "", "   ", "0", "0.00", "$0", "-5", "-$5", "$-5", "+25", "25.555", "1.005", "1e3", "2.5e1", "1E2",
        "NaN", "nan", "inf", "-inf", "Infinity", "twenty", "25 dollars", "USD 25", "25$", "$$25", "25.", ".5",
        "25..5", "1,00", "10,00", "1,0000", ",100", "1_000", "0x19", "٢٥", "２５", "²", "৫০", "1 000", "2\n5",
        "2\u200b5", "9" * 33,
    ],
)
def test_anything_else_is_refused_with_a_sentence(typed: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        parse_cents(typed, maximum_cents=DEFAULT_MAX)
    assert str(refusal.value).endswith(".")
    assert refusal.value.reason in {"amount_empty", "amount_too_long", "amount_not_positive", "amount_not_dollars"}


def test_zero_and_negatives_say_so() -> None:
    for typed in ("0", "-5", "-$5"):
        with refused(InvalidInput, "amount_not_positive", text=typed):
            parse_cents(typed)


def test_the_servers_maximum_is_named_in_the_refusal() -> None:
    with refused(InvalidInput, "amount_too_large", amount_cents=DEFAULT_MAX + 1, limit_cents=DEFAULT_MAX):
        parse_cents("100,000.01", maximum_cents=DEFAULT_MAX)
    with refused(InvalidInput, "amount_too_large", amount_cents=DEFAULT_MAX + 1, limit_cents=DEFAULT_MAX):
        check_maximum(DEFAULT_MAX + 1, DEFAULT_MAX)
    check_maximum(DEFAULT_MAX, DEFAULT_MAX)


def test_money_is_shown_with_cents() -> None:
    assert format_cents(1_000_00) == "$1,000.00"
    assert format_cents(5) == "$0.05"
    assert format_cents(-1_234_56) == "-$1,234.56"
    assert format_cents_plain(1_234_567_89) == "1234567.89"


valid_cents = st.integers(min_value=1, max_value=ABSOLUTE_MAX_CENTS)


@given(valid_cents)
def test_formatted_amounts_read_back_exactly(cents: int) -> None:
    assert parse_cents(format_cents(cents)) == cents
    assert parse_cents(format_cents_plain(cents)) == cents


@given(st.text(max_size=40))
def test_arbitrary_text_is_an_amount_or_a_refusal_never_a_crash(text: str) -> None:
    try:
        cents = parse_cents(text, maximum_cents=DEFAULT_MAX)
    except InvalidInput:
        return
    assert 1 <= cents <= DEFAULT_MAX
    assert all(character in "0123456789$,. " for character in text.strip())


@given(st.from_regex(r"\$?[0-9]{1,9}(\.[0-9]{1,2})?", fullmatch=True))
def test_plain_decimal_strings_mean_what_they_say(text: str) -> None:
    digits = text.lstrip("$")
    whole, _, fraction = digits.partition(".")
    expected = int(whole) * 100 + int(fraction.ljust(2, "0") or "0")
    if expected == 0:
        with pytest.raises(InvalidInput):
            parse_cents(text)
    else:
        assert parse_cents(text) == expected
