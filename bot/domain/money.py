"""Money is integer cents, end to end. This module is the one place that reads
and writes amounts as text.

Accepted: ``25``, ``25.5``, ``$25.50``, ``1,000``, ``1000.00``, ``$ 1,000.5``.
Refused: zero and negatives, more than two decimals, exponents, ``NaN``/``inf``,
misplaced thousands separators, words, and amounts above the allowed maximum.
"""

from __future__ import annotations

import re

from bot.domain.errors import InvalidInput
from bot.text import cut

# ASCII digits only ([0-9], not \d: in Python \d also matches Arabic-Indic and other
# digits, which int() would happily read), optional correctly-grouped thousands
# separators, optional 1-2 decimals, an optional leading "$" and spaces after it.
_AMOUNT = re.compile(
    r"""
    \$?[ ]*
    (?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)
    (?:\.(?P<fraction>[0-9]{1,2}))?
    """,
    re.VERBOSE,
)
MAX_INPUT_LENGTH = 32
# Far above any setting; keeps every amount well inside SQLite's 64-bit integers.
ABSOLUTE_MAX_CENTS = 10**13


def parse_cents(text: str, *, maximum_cents: int | None = None, what: str = "Amount") -> int:
    """Parse a positive amount of dollars into cents, or raise :class:`InvalidInput`.

    Its reasons: ``amount_empty``; ``amount_too_long`` (``length``, ``limit``);
    ``amount_not_positive`` and ``amount_not_dollars`` (``text``, as typed, trimmed);
    ``amount_too_large`` (see :func:`check_maximum`).
    """
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty: type a number of dollars, like `25` or `25.50`.", reason="amount_empty")
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise InvalidInput(
            f"{what} is too long to be an amount of dollars.",
            reason="amount_too_long", length=len(cleaned), limit=MAX_INPUT_LENGTH,
        )
    if cleaned.startswith("-"):
        raise InvalidInput(f"{what} must be more than $0.", reason="amount_not_positive", text=cleaned)
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise InvalidInput(
            f"{what} `{_quote(cleaned)}` isn't an amount of dollars: use digits with at most two "
            "decimals, like `25`, `25.50`, `$1,000`.",
            reason="amount_not_dollars", text=cleaned,
        )
    whole = int(match.group("whole").replace(",", ""))
    fraction = (match.group("fraction") or "").ljust(2, "0")
    cents = whole * 100 + int(fraction)
    if cents <= 0:
        raise InvalidInput(f"{what} must be more than $0.", reason="amount_not_positive", text=cleaned)
    check_maximum(cents, maximum_cents, what=what)
    return cents


def check_maximum(cents: int, maximum_cents: int | None, *, what: str = "Amount") -> None:
    """Refuse `cents` above `maximum_cents` (and always above the absolute maximum):
    ``amount_too_large`` with ``amount_cents`` and ``limit_cents``.

    Split out so a service can apply a server's maximum read inside its own
    transaction to an amount parsed before it.
    """
    limit = ABSOLUTE_MAX_CENTS if maximum_cents is None else min(maximum_cents, ABSOLUTE_MAX_CENTS)
    if cents > limit:
        raise InvalidInput(
            f"{what} {format_cents(cents)} is above the maximum of {format_cents(limit)}.",
            reason="amount_too_large", amount_cents=cents, limit_cents=limit,
        )


def format_cents(cents: int) -> str:
    """``123456`` → ``$1,234.56``; whole dollars keep their cents: ``$25.00``."""
    sign = "-" if cents < 0 else ""
    dollars, remainder = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{remainder:02d}"


def format_cents_plain(cents: int) -> str:
    """``123456`` → ``1234.56``: a decimal string for exports, no symbol or separators."""
    sign = "-" if cents < 0 else ""
    dollars, remainder = divmod(abs(cents), 100)
    return f"{sign}{dollars}.{remainder:02d}"


def _quote(text: str) -> str:
    return cut(text.replace("`", "'"), MAX_INPUT_LENGTH)
