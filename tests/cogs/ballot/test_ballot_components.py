"""The ballot's Discord side without Discord: its command contract, custom_ids that fit in
100 characters and read back exactly (anything else refused), menus within Discord's
limits, twins told apart, and a category of more than 25 nominees paged inside its menu."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import discord
import pytest
from discord import app_commands
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.ballot.service import PAGE_SIZE, BallotCursor, BallotLine, BallotPage
from bot.domain.ceremonies.files import assign_labels
from bot.domain.ceremonies.service import Category, Ceremony, Nominee, fingerprint
from bot.domain.errors import InvalidInput
from bot.lounge import LoungeBot
from cogs.ballot import ids, render
from cogs.ballot.buttons import LABELS, BallotButton
from cogs.ballot.selects import BallotSelect
from cogs.ballot.view import BallotUI
from standin.validation import validate_components
from tests.clock import FakeClock

MAX_ID = 2**63 - 1
CEREMONY = Ceremony(7, 100, "66th Primetime Emmy Awards", 2014, "live", True, FakeClock()(), None, None, None)


async def test_the_two_commands_keep_their_promised_names_and_options(prepared_bot: LoungeBot) -> None:
    bot = prepared_bot
    commands = {c.qualified_name: c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)}
    ballot = commands["ballot"]
    assert [(p.name, p.required, p.autocomplete) for p in ballot.parameters] == [
        ("category", False, True), ("scope", False, False)]
    schema = ballot.to_dict(bot.tree)["options"]
    assert [choice["value"] for choice in schema[1]["choices"]] == ["telecast", "all"]
    console = commands["result console"]
    assert console.parameters == []
    assert any(check.__name__ == "require_host" for check in console.checks)
    assert not ballot.checks


@given(
    ceremony=st.integers(1, MAX_ID), category=st.integers(1, MAX_ID),
    scope=st.sampled_from(["telecast", "all"]), only=st.booleans(),
    positions=st.lists(st.integers(0, ids.MAX_POSITION), min_size=0, max_size=PAGE_SIZE),
    action=st.sampled_from(ids.ACTIONS),
)
def test_custom_ids_fit_and_read_back_exactly(
    ceremony: int, category: int, scope: Any, only: bool, positions: list[int], action: ids.Action
) -> None:
    cursor = BallotCursor(ceremony, scope, only, tuple(positions))
    if positions:
        pick = ids.pick_id(cursor, category)
        assert len(pick) <= 100
        assert ids.parse_pick(pick) == ids.PickTarget(cursor, category)
    go = ids.go_id(cursor, action)
    assert len(go) <= 100
    assert ids.parse_go(go) == ids.GoTarget(cursor, action)


@pytest.mark.parametrize("custom_id", [
    "", "lounge:ballot:pick:", "lounge:ballot:pick:1:2:te", "lounge:ballot:pick:0:2:te:1",
    "lounge:ballot:pick:1:2:xe:1",
    "lounge:ballot:pick:1:2:te:1.2.3.4.5", "lounge:ballot:pick:1:2:te:123456", "lounge:ballot:pick:1:2:te:1..2",
    f"lounge:ballot:pick:{MAX_ID + 1}:2:te:1", "lounge:ballot:pick:1:2:te:1:extra", "lounge:ballot:go:1:te:1:jump",
    "lounge:ballot:go:1:te::next", "lounge:roster:1:next",
])
def test_anything_else_is_refused_as_damaged(custom_id: str) -> None:
    for parse in (ids.parse_pick, ids.parse_go):
        with pytest.raises(InvalidInput) as refused:
            parse(custom_id)
        assert refused.value.reason == "damaged_custom_id"


def nominees(category_id: int, entries: list[tuple[str, str | None, str | None]]) -> tuple[Nominee, ...]:
    labels = assign_labels(entries)
    return tuple(
        Nominee(category_id * 100 + index, category_id, name, show, episode, label, index)
        for index, ((name, show, episode), label) in enumerate(zip(entries, labels, strict=True))
    )


def page_of(*lines: BallotLine, spoiler: bool = False, state: str = "live", revision: int = 0) -> BallotPage:
    ceremony = Ceremony(CEREMONY.id, CEREMONY.guild_id, CEREMONY.name, CEREMONY.year, state, True,
                        CEREMONY.created_at, None, None, None, revision)
    cursor = BallotCursor(ceremony.id, "telecast", False, tuple(line.category.position for line in lines))
    return BallotPage(ceremony, cursor, lines, total=26, picked=1, to_pick=25, first_index=0, has_previous=False,
                      has_next=True, telecast_marked=True, spoiler_safe=spoiler)


def test_twins_are_told_apart_by_their_episode_with_the_show_below() -> None:
    twins = nominees(1, [("Derek Hough", "Dancing With The Stars", "Heart Cry"),
                         ("Derek Hough", "Dancing With The Stars", "Hey Pachuco"),
                         ("Travis Wall", "So You Think You Can Dance", None),
                         ("Breaking Bad", "Breaking Bad", None)])
    assert render.option_texts(twins) == [
        ("Derek Hough (Heart Cry)", "Dancing With The Stars"),
        ("Derek Hough (Hey Pachuco)", "Dancing With The Stars"),
        ("Travis Wall", "So You Think You Can Dance"),
        ("Breaking Bad", None),  # a programme: its name is its show
    ]
    numbered = nominees(2, [("Project Runway", "Project Runway", None)] * 2)
    assert [label for label, _ in render.option_texts(numbered)] == ["Project Runway #1", "Project Runway #2"]


def test_every_menu_text_fits_discords_limits() -> None:
    long = "Ж" * 200
    crowd = nominees(3, [(f"{long} {n}", f"{long} show", f"{long} episode") for n in range(20)])
    line = BallotLine(Category(3, 7, long, 0), crowd, crowd[4], ())
    menu = render.menu(line, page_of(line))
    assert len(menu.placeholder) <= 150
    assert all(len(o.label) <= 100 and len(o.value) <= 100 and len(o.description or "") <= 100 for o in menu.options)
    assert len({o.label for o in menu.options}) == 20  # clipped, still apart (the number survives the clip)
    assert [o.default for o in menu.options].count(True) == 1


def test_a_category_of_more_than_25_nominees_is_paged_inside_its_menu() -> None:
    many = nominees(4, [(f"Nominee {n}", f"Show {n}", None) for n in range(50)])
    line = BallotLine(Category(4, 7, "Outstanding Crowd", 0), many, None, ())
    first = render.menu(line, page_of(line))
    assert len(first.options) == 24
    assert [o.label for o in first.options[:2]] == ["Nominee 0", "Nominee 1"]
    assert (first.options[-1].label, first.options[-1].value) == ("More nominees: 24–46 ▶", "page:1")
    middle = render.menu(line, page_of(line), option_page=1)
    assert len(middle.options) == 25
    assert middle.options[0].label == "Nominee 23"
    assert [(o.label, o.value) for o in middle.options[-2:]] == [("◀ Nominees 1–23", "page:0"),
                                                                 ("More nominees: 47–50 ▶", "page:2")]
    picked = BallotLine(line.category, many, many[49], ())
    last = render.menu(picked, page_of(picked))  # the page that holds the member's pick opens first
    assert [o.label for o in last.options if o.default] == ["Nominee 49"]
    assert len(last.options) == 5


def test_a_logged_category_locks_its_menu_and_spoiler_safe_servers_hide_the_winner() -> None:
    drama = nominees(5, [("Breaking Bad", "Breaking Bad", None), ("Mad Men", "Mad Men", None)])
    line = BallotLine(Category(5, 7, "Outstanding Drama Series", 0), drama, drama[1], (drama[0],))
    shown = render.menu(line, page_of(line))
    assert (shown.disabled, shown.placeholder) == (True, "🔒 Outstanding Drama Series — won: Breaking Bad")
    assert not any(o.default for o in shown.options)
    hidden = render.menu(line, page_of(line, spoiler=True))
    assert hidden.placeholder == "🔒 Outstanding Drama Series — result logged"
    text = render.ballot_embed(page_of(line, spoiler=True)).description
    assert "||won: Breaking Bad · your pick: Mad Men ❌||" in text
    ended = render.menu(BallotLine(line.category, drama, None, ()), page_of(line, state="ended"))
    assert ended.disabled


def test_an_options_value_carries_the_nominees_fingerprint() -> None:
    nominee = nominees(6, [("Mad Men", "Mad Men", None)])[0]
    value = render.nominee_value(nominee)
    assert render.parse_value(value) == (nominee.id, fingerprint("Mad Men"))
    for bad in ("601", "601:zzzzzz", "x:abcdef", "page:1", "601:abcdef:1", ""):
        assert render.parse_value(bad) is None


async def test_a_ballot_message_obeys_discords_component_rules() -> None:
    lines = tuple(
        BallotLine(Category(10 + n, 7, f"Category {n}", n), nominees(10 + n, [(f"N{n}.{k}", None, None)
                                                                          for k in range(20)]), None, ())
        for n in range(4)
    )
    ui = BallotUI(MagicMock())
    view = ui.view(page_of(*lines))
    assert view is not None
    payload = view.to_components()
    assert validate_components(payload) == []
    assert len(payload) == 5
    assert [row["components"][0]["type"] for row in payload[:4]] == [3, 3, 3, 3]
    assert [button["label"] for button in payload[4]["components"]] == ["Previous", "Next", "Only unpicked", "Done"]
    assert payload[4]["components"][0]["disabled"] is True
    assert view.timeout is None
    assert view.is_persistent()


async def test_the_items_rebuild_from_their_custom_id_bound_to_their_ui() -> None:
    ui = BallotUI(MagicMock())
    other = BallotUI(MagicMock())
    line = BallotLine(Category(11, 7, "Category", 0), nominees(11, [("A", None, None)]), None, ())
    view = ui.view(page_of(line))
    assert view is not None
    payload = view.to_components()
    # What discord.py makes of the message's components when a member clicks one of them.
    select = discord.ui.Select.from_component(discord.components.SelectMenu(payload[0]["components"][0]))
    button = discord.ui.Button.from_component(discord.components.Button(payload[1]["components"][0]))
    for dynamic, item in ((ui.select_item, select), (ui.button_item, button)):
        assert item.custom_id is not None
        match = dynamic.__discord_ui_compiled_template__.fullmatch(item.custom_id)
        assert match is not None
        rebuilt = await dynamic.from_custom_id(MagicMock(), item, match)
        assert isinstance(rebuilt, (BallotSelect, BallotButton))
        assert rebuilt.custom_id == item.custom_id
        assert type(rebuilt).ui is ui
    assert other.select_item.ui is other  # each bot's ballot answers through its own service


def drawn_by_discord_ui(page: BallotPage) -> list[dict[str, Any]]:
    """The page's components as discord.py's own Select and Button objects would send them."""
    view = discord.ui.View(timeout=None)
    for row, menu in enumerate(menu for menu in render.menus(page) if menu.options):
        view.add_item(discord.ui.Select(
            custom_id=ids.pick_id(page.cursor, menu.category_id), placeholder=menu.placeholder, min_values=1,
            max_values=1, disabled=menu.disabled, row=row,
            options=[discord.SelectOption(label=o.label, value=o.value, description=o.description, default=o.default)
                     for o in menu.options],
        ))
    toggle: ids.Action = "all" if page.only_unpicked else "only"
    for action, disabled in (("prev", not page.has_previous), ("next", not page.has_next), (toggle, False),
                             ("done", False)):
        style = discord.ButtonStyle.success if action == "done" else discord.ButtonStyle.secondary
        view.add_item(discord.ui.Button(label=LABELS[action], style=style, disabled=disabled, row=4,
                                        custom_id=ids.go_id(page.cursor, action)))
    return view.to_components()


def test_the_ballots_components_are_exactly_what_discord_ui_would_send() -> None:
    drama = nominees(5, [("Breaking Bad", "Breaking Bad", None), ("Mad Men", "Mad Men", None)])
    many = nominees(4, [(f"Nominee {n}", f"Show {n}", None) for n in range(50)])
    twins = nominees(1, [("Derek Hough", "Dancing With The Stars", "Heart Cry"),
                         ("Derek Hough", "Dancing With The Stars", "Hey Pachuco")])
    pages = [
        page_of(BallotLine(Category(5, 7, "Outstanding Drama Series", 0), drama, drama[1], (drama[0],)),
                BallotLine(Category(4, 7, "Outstanding Crowd", 1), many, many[30], ()),
                BallotLine(Category(1, 7, "Choreography 💃", 2), twins, None, ()),
                BallotLine(Category(12, 7, "Outstanding Nobody", 3), (), None, ())),
        page_of(BallotLine(Category(6, 7, "Ended", 0), drama, drama[0], ()), state="ended"),
    ]
    for page in pages:
        view = BallotUI(MagicMock()).view(page)
        assert view is not None
        assert view.to_components() == drawn_by_discord_ui(page)


def test_menus_drawn_once_and_kept_show_every_state_as_a_fresh_drawing_does() -> None:
    """A ballot keeps each menu it drew, for the layout's revision and the member's pick (and the
    ceremony's state, the spoiler setting, a long menu's page): every click draws what a ballot
    that keeps nothing would."""
    many = nominees(4, [(f"Nominee {n}", f"Show {n}", None) for n in range(30)])
    crowd = Category(4, 7, "Outstanding Crowd", 0)
    renamed = nominees(4, [(f"Renamed {n}", f"Show {n}", None) for n in range(30)])
    clicks: list[tuple[BallotPage, dict[int, int] | None]] = [
        (page_of(BallotLine(crowd, many, None, ())), None),
        (page_of(BallotLine(crowd, many, many[3], ())), None),
        (page_of(BallotLine(crowd, many, many[28], ())), None),  # the pick's page of the long menu
        (page_of(BallotLine(crowd, many, many[28], ())), {4: 0}),
        (page_of(BallotLine(crowd, many, many[3], ())), None),
        (page_of(BallotLine(crowd, many, many[3], (many[3],)), revision=1), None),  # its result logged
        (page_of(BallotLine(crowd, many, many[3], (many[3],)), revision=1, spoiler=True), None),
        (page_of(BallotLine(crowd, many, many[3], ()), revision=1, state="ended"), None),
        (page_of(BallotLine(crowd, renamed, renamed[3], ()), revision=2), None),  # a host renamed them all
    ]
    kept = BallotUI(MagicMock())
    drawn = []
    for page, option_pages in clicks * 2:
        view = kept.view(page, option_pages)
        fresh = BallotUI(MagicMock()).view(page, option_pages)
        assert view is not None
        assert fresh is not None
        assert view.to_components() == fresh.to_components()
        drawn.append(view.to_components()[0]["components"][0])
    assert drawn[:len(clicks)] == drawn[len(clicks):]
    assert len({str(menu) for menu in drawn}) == 7  # the second and fifth click, the first and fourth, look alike


async def test_a_category_left_without_nominees_shows_no_menu() -> None:
    empty = BallotLine(Category(12, 7, "Outstanding Nobody", 0), (), None, ())
    full = BallotLine(Category(13, 7, "Outstanding Somebody", 1), nominees(13, [("A", None, None)]), None, ())
    page = page_of(empty, full)
    view = BallotUI(MagicMock()).view(page)
    assert view is not None
    payload = view.to_components()
    assert validate_components(payload) == []
    assert [row["components"][0]["type"] for row in payload] == [3, 2]
    assert "⬜ **Outstanding Nobody** — no nominees yet" in render.ballot_embed(page).description

