"""Every refusal names its rule: a domain error raised anywhere carries a `reason` (and its facts),
so tests and the rehearsal can match the data rather than the sentence."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.domain import errors
from tests.paths import REPOSITORY

REFUSALS = {"InvalidInput", "NotFound", "Conflict", "WrongState", "NotAllowed"}
# Ceremonies' refusals still carry only their sentence.
NOT_YET = ("bot/domain/ceremonies/", "cogs/ceremonies/")


def refusals_without_reason(source: Path, root: Path = REPOSITORY) -> list[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REFUSALS:
            reason = next((keyword.value for keyword in node.keywords if keyword.arg == "reason"), None)
            if not (isinstance(reason, ast.Constant) and isinstance(reason.value, str) and reason.value):
                found.append(f"{source.relative_to(root)}:{node.lineno} {node.func.id}(…) names no reason")
    return found


def test_every_refusal_in_the_domain_and_the_cogs_names_its_reason() -> None:
    sources = [
        path for folder in ("bot", "cogs") for path in sorted((REPOSITORY / folder).rglob("*.py"))
        if not str(path.relative_to(REPOSITORY)).startswith(NOT_YET)
    ]
    assert len(sources) > 50
    assert [problem for source in sources for problem in refusals_without_reason(source)] == []


def test_the_checker_finds_a_refusal_without_a_reason(tmp_path: Path) -> None:
    source = tmp_path / "service.py"
    source.write_text('raise NotFound("gone")\nraise NotFound("gone", reason="gone")\n', encoding="utf-8")
    assert refusals_without_reason(source, tmp_path) == ["service.py:1 NotFound(…) names no reason"]


def test_an_error_keeps_its_sentence_reason_and_facts() -> None:
    error = errors.InvalidInput("The largest pledge is $50.00.", reason="amount_too_large", limit_cents=50_00)
    assert (str(error), error.reason, error.facts) == ("The largest pledge is $50.00.", "amount_too_large",
                                                       {"limit_cents": 50_00})
