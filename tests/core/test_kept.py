"""A value derived from an object is made once for that object, and never handed to another."""

from __future__ import annotations

import weakref

from bot.kept import KeptWith


class Layout:
    """Any object values are derived from (compared by identity, like a ceremony layout)."""


def test_a_value_is_made_once_per_object_and_detail() -> None:
    kept: KeptWith[Layout, str] = KeptWith(8)
    made: list[str] = []
    first, second = Layout(), Layout()

    def make(name: str) -> str:
        made.append(name)
        return name

    assert kept.get(first, "telecast", lambda: make("first telecast")) == "first telecast"
    assert kept.get(first, "telecast", lambda: make("again")) == "first telecast"
    assert kept.get(first, "all", lambda: make("first all")) == "first all"
    assert kept.get(second, "telecast", lambda: make("second telecast")) == "second telecast"
    assert made == ["first telecast", "first all", "second telecast"]


def test_an_object_is_held_with_its_value_so_its_id_is_never_another_objects() -> None:
    kept: KeptWith[Layout, str] = KeptWith(8)
    old = Layout()
    kept.get(old, None, lambda: "old")
    alive = weakref.ref(old)
    del old
    assert alive() is not None  # held: no new object can take its id while its value is kept
    assert kept.get(Layout(), None, lambda: "fresh") == "fresh"


def test_when_full_everything_is_dropped_and_made_again() -> None:
    kept: KeptWith[Layout, int] = KeptWith(2)
    owners = [Layout() for _ in range(3)]
    for number, owner in enumerate(owners):
        kept.get(owner, None, lambda number=number: number)
    assert len(kept) == 1
    assert kept.get(owners[0], None, lambda: 99) == 99
