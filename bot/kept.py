"""Values derived from an object, kept with that object.

For what every member's request would otherwise derive again from the same object: a
ceremony layout's scope lists, a board's first page's listing, a ballot line's text. The
object is held with its value and compared by identity, so a value is never handed out for
another object that happens to reuse a freed one's ``id``; a new layout or a new page is a new
object, and gets values of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Owner = TypeVar("Owner")
V = TypeVar("V")


class KeptWith(Generic[Owner, V]):
    """At most `limit` values, each kept with the object (and detail) it was made from; all are
    dropped when full."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("keep at least one value")
        self._limit = limit
        self._kept: dict[tuple[int, Hashable], tuple[Owner, V]] = {}

    def get(self, owner: Owner, detail: Hashable, make: Callable[[], V]) -> V:
        """`owner`'s value for `detail`: the one kept, or `make()`'s, then kept."""
        key = (id(owner), detail)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is owner:
            return kept[1]
        value = make()
        if len(self._kept) >= self._limit:
            self._kept.clear()
        self._kept[key] = (owner, value)
        return value

    def __len__(self) -> int:
        return len(self._kept)
