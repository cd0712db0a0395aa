"""What a persistent component carries: its ``custom_id``, within Discord's 100 characters.

Every component the bot posts is a ``discord.ui.DynamicItem`` rebuilt from its
custom_id by whichever process receives the click, so the id holds everything
the click needs. One shape for all of them::

    lounge:<name>:<field>:<field>:…

``<name>`` says which item it is (``board``, ``roster``, ``undo``, …) and the
fields are ``:``-separated. Whole numbers (server, ceremony, member ids, page
numbers, scores) are written in base 62 (``0-9a-zA-Z``, a leading ``-`` when
negative): a snowflake takes 11 characters instead of 19. Inside one field,
parts are separated by ``.``.

A template is a regular expression that must match the whole id
(``re.fullmatch``, as discord.py does). discord.py runs *every* registered item
whose template matches a click, so templates must not overlap: each name is
used once, and the ids posted by earlier versions of the bot (decimal fields)
have their own templates, told apart by their number of fields.

Plain Python, no discord import: the domain may build ids through a callable the
cog hands it (the posted boards do).
"""

from __future__ import annotations

import re
import string

PREFIX = "lounge"
LIMIT = 100
"""Discord's limit on a custom_id's length."""
SEPARATOR = ":"
PART = "."
DIGITS = string.digits + string.ascii_lowercase + string.ascii_uppercase
BASE = len(DIGITS)
INT_WIDTH = 11
"""Base-62 digits of the largest 64-bit integer (a snowflake, a SQLite rowid)."""
INT = rf"-?[0-9a-zA-Z]{{1,{INT_WIDTH}}}"
"""A regular expression for one base-62 integer."""
ID = rf"[0-9a-zA-Z]{{1,{INT_WIDTH}}}"
"""A regular expression for one base-62 id (a snowflake or a row id: never negative)."""
_VALUE = {character: index for index, character in enumerate(DIGITS)}
_INT64 = 2**63


def encode_int(number: int) -> str:
    """``0`` → ``"0"``, ``61`` → ``"Z"``, ``62`` → ``"10"``, ``-5`` → ``"-5"`` (64-bit integers only)."""
    if not -_INT64 <= number < _INT64:
        raise ValueError(f"{number} does not fit in 64 bits")
    sign, number = ("-", -number) if number < 0 else ("", number)
    digits: list[str] = []
    while True:
        number, digit = divmod(number, BASE)
        digits.append(DIGITS[digit])
        if number == 0:
            return sign + "".join(reversed(digits))


def decode_int(text: str) -> int:
    """The inverse of :func:`encode_int`; ValueError for anything else."""
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if not 1 <= len(body) <= INT_WIDTH or any(character not in _VALUE for character in body):
        raise ValueError(f"{text!r} is not a base-62 integer")
    number = 0
    for character in body:
        number = number * BASE + _VALUE[character]
    if number >= _INT64 + negative:
        raise ValueError(f"{text!r} does not fit in 64 bits")
    return -number if negative else number


def custom_id(name: str, *fields: str | int) -> str:
    """``lounge:<name>:<fields…>``, integers in base 62; ValueError past Discord's 100 characters."""
    parts = [PREFIX, name, *(encode_int(field) if isinstance(field, int) else field for field in fields)]
    if any(SEPARATOR in part for part in parts):
        raise ValueError(f"a custom_id field can't contain {SEPARATOR!r}: {parts}")
    built = SEPARATOR.join(parts)
    if not 1 <= len(built) <= LIMIT:
        raise ValueError(f"custom_id {built!r} is {len(built)} characters; Discord allows {LIMIT}")
    return built


def carries(built: str, number: int) -> bool:
    """Whether one of the integer parts of the custom_id `built` is `number` (e.g. a member's id)."""
    token = encode_int(number)
    return token in re.split(rf"[{SEPARATOR}{PART}]", built)


def template(name: str, *fields: str) -> str:
    """The regular expression (for ``DynamicItem``'s ``template=``) of ``lounge:<name>:<fields…>``.

    Each field is a regular expression, usually a named group: ``(?P<guild>{INT})``.
    """
    return SEPARATOR.join([re.escape(PREFIX), re.escape(name), *fields])
