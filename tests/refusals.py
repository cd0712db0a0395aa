"""Matching a refusal by its data, not its wording: the rule that refused (``reason``)
and what it was about (``facts``), as :mod:`bot.domain.errors` carries them.

    with refused(WrongState, "status_order", status="pending", target="verified"):
        await service.verify(...)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest

from bot.domain.errors import LoungeError

E = TypeVar("E", bound=LoungeError)
_MISSING = object()


@contextlib.contextmanager
def refused(kind: type[E], reason: str, **facts: Any) -> Iterator[pytest.ExceptionInfo[E]]:
    """The block raises `kind` for `reason`, with (at least) these `facts`."""
    with pytest.raises(kind) as caught:
        yield caught
    error = caught.value
    assert error.reason == reason, f"refused for {error.reason!r}, not {reason!r}: {error}"
    found = {name: error.facts.get(name, _MISSING) for name in facts}
    assert found == facts, f"{reason}: facts {error.facts}, expected {facts}"
