"""Discord's rules in standin.validation, at their boundaries."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from standin.validation import (
    FieldError,
    embed_size,
    errors_tree,
    is_empty_message,
    validate_allowed_mentions,
    validate_autocomplete_result,
    validate_callback,
    validate_command,
    validate_command_list,
    validate_components,
    validate_embeds,
    validate_message,
)


def option(name: str = "amount", *, type_: int = 3, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "name": name, "description": "An option", "required": required, **extra}


def command(name: str = "pledge", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "Pledges", "type": 1, **extra}


def paths(errors: list[FieldError]) -> list[str]:
    return [error.dotted for error in errors]


def button(custom_id: str = "ok", **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "OK", "custom_id": custom_id, **extra}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


# --------------------------------------------------------------------------- command names and descriptions


@pytest.mark.parametrize("name", ["pledge", "pledge-add", "pledge_add", "a" * 32, "prémio", "नमस्ते", "ใส่", "top10"])
def test_command_names_discord_accepts(name: str) -> None:
    assert validate_command(command(name)) == []


@pytest.mark.parametrize("name", ["Pledge", "pledgeAdd", "pledge add", "a" * 33, "", "pledge!", "emoji🏆"])
def test_command_names_discord_rejects(name: str) -> None:
    assert paths(validate_command(command(name))) == ["name"]


def test_context_menu_names_may_have_capitals_and_spaces_but_no_description() -> None:
    assert validate_command({"name": "Crown Loser", "type": 2}) == []
    assert paths(validate_command({"name": "Crown Loser", "type": 2, "description": "no"})) == ["description"]


@pytest.mark.parametrize(("length", "ok"), [(1, True), (100, True), (101, False), (0, False)])
def test_description_is_1_to_100(length: int, ok: bool) -> None:
    assert (validate_command(command(description="d" * length)) == []) is ok


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(("count", "ok"), [(25, True), (26, False)])
def test_at_most_25_options(count: int, ok: bool) -> None:
    options = [option(f"o{i}") for i in range(count)]
    assert (validate_command(command(options=options)) == []) is ok


def test_required_options_come_before_optional_ones() -> None:
    assert validate_command(command(options=[option("a", required=True), option("b")])) == []
    errors = validate_command(command(options=[option("a"), option("b", required=True)]))
    assert paths(errors) == ["options.1.required"]


def test_option_names_are_unique_per_level() -> None:
    errors = validate_command(command(options=[option("a"), option("a")]))
    assert paths(errors) == ["options.1.name"]


def test_option_names_follow_the_command_name_rule() -> None:
    assert paths(validate_command(command(options=[option("Amount")]))) == ["options.0.name"]


@pytest.mark.parametrize(("count", "ok"), [(25, True), (26, False)])
def test_at_most_25_choices(count: int, ok: bool) -> None:
    choices = [{"name": f"c{i}", "value": f"v{i}"} for i in range(count)]
    assert (validate_command(command(options=[option(choices=choices)])) == []) is ok


@pytest.mark.parametrize(("name_length", "value_length", "bad"), [
    (100, 100, []), (101, 1, ["options.0.choices.0.name"]), (1, 101, ["options.0.choices.0.value"]),
    (0, 1, ["options.0.choices.0.name"]),
])
def test_choice_name_and_string_value_lengths(name_length: int, value_length: int, bad: list[str]) -> None:
    choices = [{"name": "n" * name_length, "value": "v" * value_length}]
    assert paths(validate_command(command(options=[option(choices=choices)]))) == bad


def test_choice_values_match_the_option_type() -> None:
    assert validate_command(command(options=[option(type_=4, choices=[{"name": "one", "value": 1}])])) == []
    errors = validate_command(command(options=[option(type_=4, choices=[{"name": "one", "value": "1"}])]))
    assert paths(errors) == ["options.0.choices.0.value"]


def test_only_string_integer_and_number_options_have_choices() -> None:
    errors = validate_command(command(options=[option(type_=5, choices=[{"name": "yes", "value": True}])]))
    assert paths(errors) == ["options.0.choices"]


def test_autocomplete_and_choices_exclude_each_other() -> None:
    choices = [{"name": "a", "value": "a"}]
    assert validate_command(command(options=[option(autocomplete=True)])) == []
    errors = validate_command(command(options=[option(autocomplete=True, choices=choices)]))
    assert paths(errors) == ["options.0.autocomplete"]


@pytest.mark.parametrize(("extra", "bad"), [
    ({"type_": 4, "min_value": 1, "max_value": 10}, []),
    ({"type_": 4, "min_value": 10, "max_value": 1}, ["options.0.min_value"]),
    ({"type_": 10, "min_value": 0.5, "max_value": 0.5}, []),
    ({"type_": 4, "min_value": 1.5}, ["options.0.min_value"]),
    ({"type_": 3, "min_value": 1}, ["options.0.min_value"]),
    ({"type_": 4, "max_value": 2**53 + 1}, ["options.0.max_value"]),
    ({"type_": 4, "min_value": -(2**53 - 1), "max_value": 2**53 - 1}, []),
    ({"type_": 4, "max_value": 2**53}, ["options.0.max_value"]),
    ({"type_": 4, "min_value": -(2**53)}, ["options.0.min_value"]),
    ({"type_": 3, "min_length": 0, "max_length": 6000}, []),
    ({"type_": 3, "max_length": 6001}, ["options.0.max_length"]),
    ({"type_": 3, "max_length": 0}, ["options.0.max_length"]),
    ({"type_": 3, "min_length": 5, "max_length": 4}, ["options.0.min_length"]),
    ({"type_": 4, "min_length": 1}, ["options.0.min_length"]),
])
def test_ranges_are_sane(extra: dict[str, Any], bad: list[str]) -> None:
    type_ = extra.pop("type_")
    assert paths(validate_command(command(options=[option(type_=type_, **extra)]))) == bad


def subcommand(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "name": name, "description": "Sub", "options": list(options)}


def group(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"type": 2, "name": name, "description": "Group", "options": list(options)}


def test_group_then_subcommand_is_the_deepest_nesting() -> None:
    assert validate_command(command(options=[group("money", subcommand("add", option("amount")))])) == []
    assert validate_command(command(options=[subcommand("add", option("amount")), subcommand("list")])) == []


@pytest.mark.parametrize(("options", "bad"), [
    ([group("money", group("deeper", subcommand("add")))], "options.0.options.0.type"),
    ([group("money", option("amount"))], "options.0.options.0.type"),
    ([subcommand("add", subcommand("more"))], "options.0.options.0.type"),
    ([subcommand("add"), option("amount")], "options"),
    ([group("money")], "options.0.options"),
])
def test_nesting_rules(options: list[dict[str, Any]], bad: str) -> None:
    assert bad in paths(validate_command(command(options=options)))


def test_a_command_is_at_most_4000_characters() -> None:
    long_choices = [{"name": f"c{i}", "value": "v" * 100} for i in range(25)]
    options = [option(f"o{i}", description="d" * 100, choices=long_choices) for i in range(2)]
    assert "" in paths(validate_command(command(options=options)))


@pytest.mark.parametrize(("count", "ok"), [(100, True), (101, False)])
def test_at_most_100_chat_input_commands(count: int, ok: bool) -> None:
    commands = [command(f"c{i}") for i in range(count)]
    assert (validate_command_list(commands) == []) is ok


def test_command_names_are_unique_per_type() -> None:
    assert paths(validate_command_list([command("a"), command("a")])) == ["1.name"]
    assert validate_command_list([command("a"), {"name": "a", "type": 2}]) == []


# --------------------------------------------------------------------------- messages and embeds


@pytest.mark.parametrize(("length", "ok"), [(2000, True), (2001, False)])
def test_content_is_at_most_2000(length: int, ok: bool) -> None:
    assert (validate_message({"content": "x" * length}) == []) is ok


@pytest.mark.parametrize(("embed", "bad"), [
    ({"title": "t" * 256}, []),
    ({"title": "t" * 257}, ["embeds.0.title"]),
    ({"description": "d" * 4096}, []),
    ({"description": "d" * 4097}, ["embeds.0.description"]),
    ({"fields": [{"name": "n", "value": "v"}] * 25}, []),
    ({"fields": [{"name": "n", "value": "v"}] * 26}, ["embeds.0.fields"]),
    ({"fields": [{"name": "n" * 256, "value": "v" * 1024}]}, []),
    ({"fields": [{"name": "n" * 257, "value": "v"}]}, ["embeds.0.fields.0.name"]),
    ({"fields": [{"name": "n", "value": "v" * 1025}]}, ["embeds.0.fields.0.value"]),
    ({"fields": [{"name": "", "value": "v"}]}, ["embeds.0.fields.0.name"]),
    ({"fields": [{"name": "n", "value": "  "}]}, ["embeds.0.fields.0.value"]),
    ({"fields": [{"name": "n"}]}, ["embeds.0.fields.0.value"]),
    ({"footer": {"text": "f" * 2048}}, []),
    ({"footer": {"text": "f" * 2049}}, ["embeds.0.footer.text"]),
    ({"author": {"name": "a" * 256}}, []),
    ({"author": {"name": "a" * 257}}, ["embeds.0.author.name"]),
    ({"color": 0xFFFFFF}, []),
    ({"color": 0x1000000}, ["embeds.0.color"]),
])
def test_embed_limits(embed: dict[str, Any], bad: list[str]) -> None:
    assert paths(validate_embeds([embed])) == bad


@pytest.mark.parametrize(("extra", "ok"), [(0, True), (1, False)])
def test_6000_characters_across_all_embeds(extra: int, ok: bool) -> None:
    first = {"title": "t" * 256, "description": "d" * 2744, "footer": {"text": "f" * 1000}}
    fields = [{"name": "n" * 100, "value": "v" * 800}, {"name": "n" * 100, "value": "v" * (800 + extra)}]
    second = {"author": {"name": "a" * 200}, "fields": fields}
    assert embed_size(first) + embed_size(second) == 6000 + extra
    errors = validate_embeds([first, second])
    assert (errors == []) is ok
    if not ok:
        assert [(e.dotted, e.code) for e in errors] == [("embeds", "MAX_EMBED_SIZE_EXCEEDED")]


@given(st.lists(st.integers(min_value=0, max_value=4096), min_size=1, max_size=10))
def test_the_total_limit_is_exactly_the_sum_of_descriptions(lengths: list[int]) -> None:
    embeds = [{"description": "d" * length} for length in lengths]
    assert (validate_embeds(embeds) == []) is (sum(lengths) <= 6000)


@pytest.mark.parametrize(("count", "ok"), [(10, True), (11, False)])
def test_at_most_10_embeds_and_10_attachments(count: int, ok: bool) -> None:
    assert (validate_embeds([{"title": "t"}] * count) == []) is ok
    attachments = [{"id": i, "filename": f"{i}.txt"} for i in range(count)]
    assert (validate_message({"content": "x", "attachments": attachments}) == []) is ok


def test_an_empty_message_has_nothing_visible() -> None:
    assert is_empty_message({})
    assert is_empty_message({"content": "   ", "embeds": []})
    assert not is_empty_message({"content": "hi"})
    assert not is_empty_message({"embeds": [{"title": "t"}]})
    assert not is_empty_message({"content": ""}, file_count=1)


def test_channel_messages_cannot_be_ephemeral_but_responses_can() -> None:
    assert paths(validate_message({"content": "x", "flags": 64})) == ["flags"]
    assert validate_message({"content": "x", "flags": 4}) == []
    assert validate_callback({"type": 4, "data": {"content": "x", "flags": 64}}, interaction_type=2) == []


# --------------------------------------------------------------------------- components


def test_five_rows_of_five_buttons() -> None:
    rows = [row(*(button(f"b{r}{c}") for c in range(5))) for r in range(5)]
    assert validate_components(rows) == []
    assert paths(validate_components([*rows, row(button("extra"))])) == ["components"]
    assert paths(validate_components([row(*(button(f"b{c}") for c in range(6)))])) == ["components.0.components"]


@pytest.mark.parametrize(("component", "bad"), [
    (button("c" * 100), []),
    (button("c" * 101), ["components.0.components.0.custom_id"]),
    (button(label="l" * 80), []),
    (button(label="l" * 81), ["components.0.components.0.label"]),
    ({"type": 2, "style": 1, "label": "x"}, ["components.0.components.0.custom_id"]),
    ({"type": 2, "style": 5, "label": "x", "url": "https://example.org"}, []),
    ({"type": 2, "style": 5, "label": "x", "url": "https://example.org", "custom_id": "c"},
     ["components.0.components.0.custom_id"]),
])
def test_button_rules(component: dict[str, Any], bad: list[str]) -> None:
    assert paths(validate_components([row(component)])) == bad


def test_custom_ids_are_unique_and_selects_take_a_whole_row() -> None:
    assert paths(validate_components([row(button("a"), button("a"))])) == ["components.0.components.1.custom_id"]
    select = {"type": 3, "custom_id": "s", "options": [{"label": "A", "value": "a"}]}
    assert validate_components([row(select)]) == []
    assert paths(validate_components([row(select, button("b"))])) == ["components.0.components"]


def menu(*values: str, **extra: Any) -> dict[str, Any]:
    return {"type": 3, "custom_id": "menu", "options": [{"label": v.upper(), "value": v} for v in values], **extra}


@pytest.mark.parametrize(("select", "bad"), [
    (menu("a", "b"), []),
    (menu(*(f"o{n}" for n in range(25))), []),
    (menu(*(f"o{n}" for n in range(26))), ["components.0.components.0.options"]),
    (menu(), ["components.0.components.0.options"]),
    (menu("a", "a"), ["components.0.components.0.options.1.value"]),  # values tell options apart
    (menu("a", "b", min_values=2, max_values=1), ["components.0.components.0.min_values"]),
    (menu("a", "b", max_values=3), ["components.0.components.0.max_values"]),  # more than there are options
    (menu("a", "b", max_values=2), []),
    ({**menu("a", "b"), "options": [{"label": "A", "value": "a", "default": True},
                                    {"label": "B", "value": "b", "default": True}]},
     ["components.0.components.0.options"]),  # one value at most: one default at most
    (menu("a", placeholder="p" * 150), []),
    (menu("a", placeholder="p" * 151), ["components.0.components.0.placeholder"]),
    ({**menu(), "options": [{"label": "l" * 101, "value": "v" * 101, "description": "d" * 101}]},
     ["components.0.components.0.options.0.label", "components.0.components.0.options.0.value",
      "components.0.components.0.options.0.description"]),
])
def test_select_menu_rules(select: dict[str, Any], bad: list[str]) -> None:
    assert paths(validate_components([row(select)])) == bad


def test_top_level_components_are_rows_unless_components_v2() -> None:
    text = {"type": 10, "content": "hello"}
    assert paths(validate_components([text])) == ["components.0.type"]
    assert validate_components([text], components_v2=True) == []


# --------------------------------------------------------------------------- allowed mentions


@pytest.mark.parametrize(("mentions", "bad"), [
    ({"parse": ["users", "roles", "everyone"]}, []),
    ({"parse": []}, []),
    ({"parse": ["channels"]}, ["allowed_mentions.parse.0"]),
    ({"parse": ["users"], "users": ["1"]}, ["allowed_mentions.parse"]),
    ({"parse": ["roles"], "roles": ["1"]}, ["allowed_mentions.parse"]),
    ({"parse": ["everyone"], "users": ["1"]}, []),
    ({"users": [str(i) for i in range(100)]}, []),
    ({"users": [str(i) for i in range(101)]}, ["allowed_mentions.users"]),
])
def test_allowed_mentions_shape(mentions: dict[str, Any], bad: list[str]) -> None:
    assert paths(validate_allowed_mentions(mentions)) == bad


# --------------------------------------------------------------------------- interaction callbacks


@pytest.mark.parametrize(("count", "ok"), [(25, True), (26, False)])
def test_at_most_25_autocomplete_choices(count: int, ok: bool) -> None:
    data = {"choices": [{"name": f"c{i}", "value": f"v{i}"} for i in range(count)]}
    assert (validate_autocomplete_result(data) == []) is ok


@pytest.mark.parametrize(("choice", "option_type", "bad"), [
    ({"name": "n" * 100, "value": "v" * 100}, 3, []),
    ({"name": "n" * 101, "value": "v"}, 3, ["data.choices.0.name"]),
    ({"name": "n", "value": "v" * 101}, 3, ["data.choices.0.value"]),
    ({"name": "n", "value": 3}, 4, []),
    ({"name": "n", "value": "3"}, 4, ["data.choices.0.value"]),
])
def test_autocomplete_choice_limits(choice: dict[str, Any], option_type: int, bad: list[str]) -> None:
    assert paths(validate_autocomplete_result({"choices": [choice]}, option_type=option_type)) == bad


def test_callback_types_depend_on_the_interaction() -> None:
    assert validate_callback({"type": 5}, interaction_type=2) == []
    assert paths(validate_callback({"type": 8, "data": {"choices": []}}, interaction_type=2)) == ["type"]
    assert paths(validate_callback({"type": 7, "data": {}}, interaction_type=2)) == ["type"]
    assert validate_callback({"type": 6}, interaction_type=3) == []
    assert paths(validate_callback({"type": 4, "data": {"content": "x"}}, interaction_type=4)) == ["type"]


@pytest.mark.parametrize(("title", "ok"), [("t" * 45, True), ("t" * 46, False), ("", False)])
def test_modal_title_is_1_to_45(title: str, ok: bool) -> None:
    body = {"type": 9, "data": {"custom_id": "m", "title": title, "components": [row()]}}
    assert (validate_callback(body, interaction_type=2) == []) is ok


def test_errors_nest_like_discords_invalid_form_body() -> None:
    errors = validate_message({"content": "x", "embeds": [{"title": "t" * 257}]})
    assert errors_tree(errors) == {
        "embeds": {"0": {"title": {"_errors": [
            {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}
        ]}}}
    }
