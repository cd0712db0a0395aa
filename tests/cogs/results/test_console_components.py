"""The console's buttons without Discord: custom_ids within 100 characters that read back
exactly (anything else refused), five rows at most, labels within 80, and a category of
more than twenty nominees split across pages of buttons."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.ceremonies.files import assign_labels
from bot.domain.ceremonies.service import Category, Ceremony, Nominee, fingerprint
from bot.domain.errors import InvalidInput
from bot.domain.results.console import ConsolePanel, RecentResult
from cogs.results import console
from cogs.results.console import ConsoleUI, Target
from standin.validation import validate_components
from tests.clock import FakeClock

MAX_ID = 2**63 - 1
CEREMONY = Ceremony(7, 100, "66th Primetime Emmy Awards", 2014, "live", True, FakeClock()(), None, None, None)
ids = st.integers(1, MAX_ID)


def crowd(count: int, name: str = "Nominee") -> tuple[Nominee, ...]:
    entries: list[tuple[str, str | None, str | None]] = [(f"{name} {n}", f"Show {n}", None) for n in range(count)]
    labels = assign_labels(entries)
    return tuple(Nominee(1000 + n, 5, entry[0], entry[1], None, label, n)
                 for n, (entry, label) in enumerate(zip(entries, labels, strict=True)))


@given(ceremony=ids, category=ids, nominee=ids, result=ids, page=st.integers(0, 99),
       move=st.sampled_from(["here", "skip", "back", "tie", "undo"]), answer=st.sampled_from(["yes", "no"]))
def test_custom_ids_fit_and_read_back_exactly(
    ceremony: int, category: int, nominee: int, result: int, page: int, move: console.GoMove, answer: str
) -> None:
    who = Nominee(nominee, category, "N", None, None, "N", 0)
    check = fingerprint("N")
    made = {
        console.log_id(ceremony, category, who): Target("log", ceremony, category, nominee_id=nominee, check=check),
        console.go_id(ceremony, category, move, page): Target("go", ceremony, category, page=page, move=move),
        console.tie_id(ceremony, category, who): Target("tie", ceremony, category, nominee_id=nominee, check=check),
        console.undo_id(ceremony, category, result, "yes" if answer == "yes" else "no"): Target(
            "undo", ceremony, category, result_id=result, yes=answer == "yes"),
        console.go_id(ceremony, None, move, page): Target("go", ceremony, None, page=page, move=move),
    }
    for custom_id, target in made.items():
        assert len(custom_id) <= 100
        assert console.parse(custom_id) == target


@pytest.mark.parametrize("custom_id", [
    "", "lounge:console:", "lounge:console:log:1:2:3", "lounge:console:log:1:0:3:abcdef",
    "lounge:console:log:1:2:3:ABCDEF", "lounge:console:go:1:2:0:jump", "lounge:console:go:1:2:100:here",
    "lounge:console:undo:1:2:3:maybe", f"lounge:console:tie:{MAX_ID + 1}:0:3:abcdef", "lounge:undo:1:2:yes",
    "lounge:console:log:1:2:3:abcdef:extra",
])
def test_anything_else_is_refused_as_damaged(custom_id: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        console.parse(custom_id)
    assert refused.value.reason == "damaged_custom_id"


def panel_with(nominees: tuple[Nominee, ...], *, recent: bool = True) -> ConsolePanel:
    category = Category(5, CEREMONY.id, "Outstanding Crowd", 0)
    newest = RecentResult(9, Category(4, CEREMONY.id, "Outstanding Drama Series", 1), nominees[:1],
                          CEREMONY.created_at, "posted")
    return ConsolePanel(CEREMONY, category, nominees, logged=1, total=3, others_open=1,
                        recent=(newest,) if recent else ())


def rows(view: object) -> list[dict[str, object]]:
    return view.to_components()  # type: ignore[attr-defined, no-any-return]


def test_twenty_nominees_fill_four_rows_and_the_fifth_holds_the_consoles_buttons() -> None:
    ui = ConsoleUI(MagicMock(), MagicMock())
    _, view = ui.panel_message(panel_with(crowd(20, "Ж" * 120)))
    payload = rows(view)
    assert validate_components(payload) == []
    assert [len(row["components"]) for row in payload] == [5, 5, 5, 5, 4]  # type: ignore[arg-type]
    labels = [button["label"] for row in payload for button in row["components"]]  # type: ignore[attr-defined]
    assert all(len(label) <= 80 for label in labels)
    assert labels[-4:] == ["Skip", "Back", "Tie…", "Undo last…"]
    assert len(set(labels[:20])) == 20  # clipped names keep what tells them apart


def test_a_larger_category_splits_across_pages_of_buttons() -> None:
    ui = ConsoleUI(MagicMock(), MagicMock())
    _, first = ui.panel_message(panel_with(crowd(27)))
    payload = rows(first)
    assert validate_components(payload) == []
    assert sum(len(row["components"]) for row in payload[:4]) == 20  # type: ignore[arg-type]
    more = payload[4]["components"][-1]  # type: ignore[index]
    assert more["label"] == "Nominees 21… ▸"
    assert console.parse(more["custom_id"]) == Target("go", CEREMONY.id, 5, page=1, move="here")
    _, second = ui.panel_message(panel_with(crowd(27)), page=1)
    shown = [b["label"] for row in rows(second)[:-1] for b in row["components"]]  # type: ignore[attr-defined]
    assert shown == [f"Nominee {n} — Show {n}" for n in range(20, 27)]
    assert rows(second)[-1]["components"][-1]["label"] == "Nominees 1… ▸"  # type: ignore[index]


def test_tie_and_undo_wait_for_a_result_to_act_on() -> None:
    ui = ConsoleUI(MagicMock(), MagicMock())
    _, view = ui.panel_message(panel_with(crowd(3), recent=False))
    control = {b["label"]: b for b in rows(view)[-1]["components"]}  # type: ignore[attr-defined]
    assert control["Tie…"]["disabled"] is True
    assert control["Undo last…"]["disabled"] is True
    assert control["Skip"].get("disabled") is False
