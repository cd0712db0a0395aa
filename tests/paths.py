"""Where the tests find the repository's files, from any test folder."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
TEST_DATA = REPOSITORY / "tests" / "data"
SHIPPED_2014 = REPOSITORY / "bot" / "data" / "emmys-2014.json"
