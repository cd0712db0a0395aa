"""Discord's OpenAPI description judges every request body the stand-in receives."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator, Callable
from functools import cache
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from standin import StandIn
from standin.spec import ALLOWANCES, SPEC_FILE, ApiSpec, Operation, shipped_sha256
from standin.validation import FieldError, errors_tree
from tests.conftest import TOKEN

from .test_with_discord_py import LoungeTestBot, Scene, running

AUTH = {"Authorization": f"Bot {TOKEN}"}


@pytest.fixture(scope="module")
def spec() -> ApiSpec:
    return ApiSpec.shared()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def test_bot_scene(discord_points_at_standin: StandIn) -> AsyncIterator[Scene]:
    """discord.py's own test bot (every interaction shape), logged in to the stand-in."""
    standin = discord_points_at_standin
    guild = standin.create_guild("Emmy Night")
    announcements = guild.create_text_channel("announcements")
    ada = guild.add_member("Ada")
    async with running(LoungeTestBot(guild.id)) as bot:
        await standin.wait_until_ready()
        await standin.wait_for_commands_synced(guild)
        yield Scene(standin, guild, announcements, ada, guild.owner, bot)


def dotted(errors: list[FieldError]) -> list[str]:
    return [error.dotted for error in errors]


def callback(spec: ApiSpec, body: object) -> list[FieldError]:
    return spec.check("POST", "/interactions/1/token/callback", body)


# --------------------------------------------------------------------------- the shipped file


def test_the_shipped_spec_is_discords_file_as_the_readme_describes_it() -> None:
    readme = (SPEC_FILE.parent / "README.md").read_text()
    assert shipped_sha256() in readme
    assert "74fda0fad044407ea280043a03ffc9bc64c4e49e" in readme
    assert "MIT License" in readme
    assert (SPEC_FILE.parent / "LICENSE").read_text().startswith("MIT License\n\nCopyright 2023 Discord")
    document = json.loads(SPEC_FILE.read_bytes())
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "10"


# --------------------------------------------------------------------------- which operation a request is


@pytest.mark.parametrize(("method", "path", "operation_id"), [
    ("PATCH", "/webhooks/1/tok/messages/@original", "update_original_webhook_message"),
    ("PATCH", "/webhooks/1/tok/messages/42", "update_webhook_message"),
    ("POST", "/webhooks/1/tok", "execute_webhook"),
    ("POST", "/interactions/1/tok/callback", "create_interaction_response"),
    ("PUT", "/applications/1/commands", "bulk_set_application_commands"),
    ("PUT", "/applications/1/guilds/2/commands", "bulk_set_guild_application_commands"),
    ("POST", "/channels/1/messages", "create_message"),
    ("PATCH", "/channels/1/messages/2", "update_message"),
    ("PATCH", "/guilds/1/members/2", "update_guild_member"),
    ("GET", "/users/@me", "get_my_user"),
    ("GET", "/users/7", "get_user"),
])
def test_method_and_path_select_the_operation_literal_segments_first(
    spec: ApiSpec, method: str, path: str, operation_id: str
) -> None:
    operation = spec.operation(method, path)
    assert operation is not None
    assert operation.operation_id == operation_id


def test_every_route_the_stand_in_serves_is_an_operation_of_the_spec(spec: ApiSpec) -> None:
    """So no body escapes the check: a new route must exist in Discord's description."""
    missing = []
    for route in StandIn(control_api=False).rest.routes():
        concrete = re.sub(r"\{[^}]+\}", "1", route.template)
        operation = spec.operation(route.method, concrete)
        if operation is None or operation.template != route.template:
            missing.append(f"{route.method} {route.template}")
    assert missing == []


# --------------------------------------------------------------------------- errors shaped as Discord's


def test_a_rejected_body_is_discords_nested_invalid_form_body(spec: ApiSpec) -> None:
    body = {"type": 4, "data": {"content": "x" * 2001, "embeds": [{"title": "t" * 257, "color": -1}]}}

    errors = callback(spec, body)

    assert errors_tree(errors) == {"data": {
        "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]},
        "embeds": {"0": {
            "title": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]},
            "color": {"_errors": [{"code": "NUMBER_TYPE_MIN",
                                   "message": "int value should be greater than or equal to 0."}]},
        }},
    }}
    assert {error.rule for error in errors} == {"spec create_interaction_response"}


@pytest.mark.parametrize(("body", "where"), [
    ({"type": 4, "data": {"content": "hi", "tts": False, "embeds": [{"type": "rich", "title": "t"}]}}, []),
    ({"type": 4, "data": None}, []),
    ({"type": 4, "data": {"components": [
        {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "c" * 101}]}]}},
     ["data.components.0.components.0.custom_id"]),
    ({"type": 5}, []),
    ({"type": 5, "data": {"flags": 64}}, []),
    ({"type": 5, "data": {"flags": "ephemeral"}}, ["data.flags"]),
    ({"type": 6}, []),
    ({"type": 7, "data": {"content": "done", "components": []}}, []),
    ({"type": 7, "data": {"embeds": [{}] * 11}}, ["data.embeds"]),
    ({"type": 8, "data": {"choices": [{"name": "Bryan Cranston", "value": "Bryan Cranston"}]}}, []),
    ({"type": 8, "data": {"choices": [{"name": "n" * 101, "value": "v"}]}}, ["data.choices.0.name"]),
    ({"type": 8, "data": {"choices": [{"name": "big", "value": 2**53}]}}, []),  # a number choice may be a double
    ({"type": 8, "data": {"choices": [{"name": "list", "value": [1]}]}}, ["data.choices.0.value"]),
    ({"type": 9, "data": {"custom_id": "speech", "title": "Your speech", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "speech:text", "style": 1, "label": "Speech"}]}]}}, []),
    ({"type": 9, "data": {"custom_id": "speech", "title": "t" * 46, "components": []}},
     ["data.title", "data.components"]),
    ({"type": 3}, ["type"]),
    ({"data": {"content": "hi"}}, ["type"]),
])
def test_every_callback_type_is_judged_by_its_own_schema(
    spec: ApiSpec, body: dict[str, Any], where: list[str]
) -> None:
    assert sorted(dotted(callback(spec, body))) == sorted(where)


def test_a_union_reports_the_branch_the_value_was_meant_for(spec: ApiSpec) -> None:
    # nonce is an integer, a string of at most 25 characters, or null: a 30-character string is a long string.
    (error,) = spec.check("POST", "/channels/1/messages", {"content": "hi", "nonce": "1" * 30})
    assert (error.dotted, error.code) == ("nonce", "BASE_TYPE_MAX_LENGTH")
    # An embed's author is null or an object: a too-long name is the object's fault.
    (error,) = spec.check("POST", "/channels/1/messages", {"embeds": [{"author": {"name": "a" * 257}}]})
    assert (error.dotted, error.code) == ("embeds.0.author.name", "BASE_TYPE_MAX_LENGTH")


def test_formats_are_asserted(spec: ApiSpec) -> None:
    errors = spec.check("POST", "/channels/1/messages", {"embeds": [
        {"url": "not a url", "timestamp": "2014-08-25T20:00:00"},
        {"url": "https://example.com/x", "timestamp": "2014-08-25T20:00:00+00:00"},
    ]})
    assert {(e.dotted, e.code) for e in errors} == {
        ("embeds.0.url", "URL_TYPE_INVALID_URL"), ("embeds.0.timestamp", "DATE_TIME_TYPE_PARSE"),
    }


SAMPLES: list[tuple[str, Any]] = [
    ("create_interaction_response", {"type": 4, "data": {"content": "hi", "tts": False, "embeds": [
        {"title": "Pledge", "type": "rich", "color": 5, "author": {"name": "Ada"}, "footer": None,
         "fields": [{"name": "Amount", "value": "$25", "inline": True}]}], "allowed_mentions": {"parse": []},
        "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Yes", "custom_id": "y"},
                                                  {"type": 2, "style": 5, "label": "Docs", "url": "https://a.b/"}]}]}}),
    ("create_interaction_response", {"type": 8, "data": {"choices": [{"name": "a", "value": 1}]}}),
    ("create_interaction_response", {"type": 9, "data": {"custom_id": "m", "title": "t", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "t", "style": 1, "label": "Speech"}]}]}}),
    ("create_message", {"content": "hi", "nonce": "1577962293520629768", "enforce_nonce": True, "components": [
        {"type": 1, "components": [{"type": 3, "custom_id": "s", "options": [{"label": "A", "value": "a"}]}]}]}),
    ("create_message", {"components": [{"type": 10, "content": "v2 text"}], "flags": 1 << 15}),
    ("bulk_set_guild_application_commands", [{"name": "pledge", "description": "b", "type": 1, "options": [
        {"type": 1, "name": "paid", "description": "d", "options": [
            {"type": 4, "name": "id", "description": "d", "required": True, "min_value": 1, "max_value": 2**53 - 1},
            {"type": 3, "name": "note", "description": "d", "choices": [{"name": "x", "value": "x"}]}]}]}]),
]

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.floats(allow_nan=False) | st.text(max_size=5)
    | st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 4.0, "4", "", "a" * 101, 2**53, -1]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["type", "x"]), children,
                                                                    max_size=2),
    max_leaves=4,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _places(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _places(child, (*path, index))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@cache
def plain_validator(operation_id: str) -> Any:
    """The operation's schema under jsonschema's own draft 2020-12 validator, with no short cut."""
    spec = ApiSpec.shared()
    fast = spec.validator(spec.operation_named(operation_id))
    assert fast is not None
    return Draft202012Validator(fast.schema, registry=spec.registry, format_checker=fast.format_checker)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_short_cuts_decide_exactly_as_plain_json_schema_does(spec: ApiSpec, data: st.DataObject) -> None:
    """Tagged unions, nullable values, enum unions and cached references change speed and error
    reports, never the verdict: any body, valid or broken anywhere, is judged as plain draft 2020-12 judges it."""
    operation_id, base = data.draw(st.sampled_from(SAMPLES))
    body = _replaced(base, data.draw(st.sampled_from(_places(base))), data.draw(JSON_VALUES))
    operation = spec.operation_named(operation_id)
    fast = spec.validator(operation)
    assert fast is not None
    verdict = plain_validator(operation_id).is_valid(body)
    assert fast.is_valid(body) is verdict
    assert (spec.check_operation(operation, body) == []) is verdict


def test_the_samples_are_valid_so_each_mutation_tests_one_change(spec: ApiSpec) -> None:
    for operation_id, body in SAMPLES:
        assert spec.check_operation(spec.operation_named(operation_id), body) == [], operation_id


# --------------------------------------------------------------------------- the stricter of spec and docs


def message_errors(standin: StandIn, body: dict[str, Any]) -> list[str]:
    return dotted(standin.spec.check("POST", "/channels/1/messages", body)) if standin.spec else []


@pytest.mark.allow_violations
async def test_message_content_is_2000_for_bots_although_the_spec_says_4000(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    channel = standin.create_guild("Emmy Night").system_channel
    url = f"{standin.api_base}/channels/{channel.id}/messages"

    for length, status in [(2000, 200), (2001, 400), (4001, 400)]:
        async with http.post(url, json={"content": "x" * length}, headers=AUTH) as response:
            assert response.status == status, length
    docs, spec = standin.take_violations()
    assert (docs.path, docs.detail) == ("content", "BASE_TYPE_MAX_LENGTH: Must be 2000 or fewer in length.")
    assert (spec.path, spec.detail) == (
        "content", "BASE_TYPE_MAX_LENGTH: Must be 4000 or fewer in length. (spec create_message)"
    )
    assert message_errors(standin, {"content": "x" * 2001}) == []  # the spec alone would let it through


# --------------------------------------------------------------------------- over the wire


@pytest.mark.parametrize("content_type", ["json", "multipart"])
async def test_the_stand_in_answers_a_body_the_spec_rejects_as_discord_does(
    standin: StandIn, http: aiohttp.ClientSession, content_type: str
) -> None:
    channel = standin.create_guild("Emmy Night").system_channel
    body = {"content": "results", "embeds": [{"title": "t", "color": 2**24}]}
    if content_type == "json":
        sent: dict[str, Any] = {"json": body}
    else:
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("payload_json", json.dumps(body | {"attachments": [{"id": 0, "filename": "r.txt"}]}))
        form.add_field("files[0]", b"Ada: 25", filename="r.txt", content_type="text/plain")
        sent = {"data": form}

    async with http.post(f"{standin.api_base}/channels/{channel.id}/messages", headers=AUTH, **sent) as response:
        assert response.status == 400
        assert response.headers["Content-Type"] == "application/json"
        answer = await response.json()

    assert answer == {"code": 50035, "message": "Invalid Form Body", "errors": {"embeds": {"0": {"color": {
        "_errors": [{"code": "NUMBER_TYPE_MAX", "message": "int value should be less than or equal to 16777215."}],
    }}}}}
    (violation,) = standin.take_violations()
    assert (violation.route, violation.path) == ("POST /channels/{channel_id}/messages", "embeds.0.color")
    assert violation.detail.endswith("(spec create_message)")
    assert channel.messages == []


def a_bad_body_for(operation: Operation, spec: ApiSpec) -> object:
    """A JSON value of the wrong kind for the operation's body: a string where an object or array is due."""
    assert spec.check_operation(operation, "not a body")
    return "not a body"


async def test_every_route_that_takes_a_body_is_checked_before_its_handler(
    standin: StandIn, http: aiohttp.ClientSession, spec: ApiSpec
) -> None:
    guild = standin.create_guild("Emmy Night")
    ids = {"application_id": standin.application_id, "guild_id": guild.id, "channel_id": guild.system_channel.id,
           "user_id": guild.owner.id, "role_id": guild.id, "message_id": 1, "interaction_id": 1,
           "interaction_token": "token", "webhook_id": standin.application_id, "webhook_token": "token"}
    checked = []
    for route in standin.rest.routes():
        path = route.template.format(**ids)
        operation = spec.operation(route.method, path)
        assert operation is not None
        if operation.body_pointer is None:
            continue
        async with http.request(
            route.method, f"{standin.api_base}{path}", json=a_bad_body_for(operation, spec), headers=AUTH
        ) as response:
            assert response.status == 400, route
            assert (await response.json())["code"] == 50035
        violations = standin.take_violations()
        assert [v.detail.endswith(f"(spec {operation.operation_id})") for v in violations] == [True], violations
        checked.append(operation.operation_id)
    assert {"bulk_set_application_commands", "bulk_set_guild_application_commands", "create_message",
            "update_message", "update_guild_member", "create_interaction_response", "execute_webhook",
            "update_webhook_message"} <= set(checked)


async def test_what_discord_py_sends_for_every_interaction_shape_passes_the_spec(
    test_bot_scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = test_bot_scene
    judged: list[tuple[str, object]] = []
    shared = scene.standin.rest.spec
    assert shared is not None

    def recording(operation: Operation, body: object) -> list[FieldError]:
        judged.append((operation.operation_id, body))
        return ApiSpec.check_operation(shared, operation, body)

    monkeypatch.setattr(shared, "check_operation", recording)
    confirm = await scene.ada.slash("confirm")                        # 4, with components
    await scene.ada.select(confirm, "confirm:mood", ["gracious"])     # 4, ephemeral
    await scene.ada.click(confirm, "confirm:yes")                     # 7
    later = await scene.ada.slash("confirm")
    await scene.ada.click(later, "confirm:later")                     # 6, then @original edit
    await scene.standin.wait_until(lambda: True if later.content == "maybe later" else None, what="the edit")
    await scene.ada.autocomplete("pick", "nominee", category="Drama", nominee="Bry")  # 8
    opened = await scene.ada.slash("speech")                          # 9
    await scene.ada.submit_modal(opened, {"speech:text": "I was robbed"})
    await scene.ada.slash("slow")                                     # 5, then followups
    await scene.ada.slash("export")                                   # a file: multipart payload_json
    draft = await scene.ada.slash("draft")
    await scene.standin.wait_until(
        lambda: True if draft.followups and draft.followups[0].deleted else None, what="the followup's deletion"
    )
    await scene.bot.get_partial_messageable(scene.announcements.id).send("hello")  # a channel message

    callback_types = {body["type"] for op, body in judged if op == "create_interaction_response"
                      and isinstance(body, dict)}
    assert callback_types == {4, 5, 6, 7, 8, 9}
    assert {op for op, _ in judged} >= {
        "create_interaction_response", "execute_webhook", "update_original_webhook_message", "create_message",
    }
    assert scene.standin.violations == []


# --------------------------------------------------------------------------- allowances


def discord_py_file_upload() -> tuple[str, object]:
    """What discord.py puts in ``payload_json`` for ``channel.send("…", file=…)``."""
    params = discord.http.handle_message_parameters(
        content="the export", file=discord.File(io.BytesIO(b"name,amount\n"), filename="pledges.csv")
    )
    assert params.multipart is not None
    (payload_json,) = [part["value"] for part in params.multipart if part["name"] == "payload_json"]
    return "create_message", json.loads(payload_json)


#: For each allowance: a real discord.py payload that needs it, and where the bare spec refuses that payload.
NEEDED_BY: dict[str, tuple[Callable[[], tuple[str, object]], str]] = {
    "attachment ids may be integers": (discord_py_file_upload, "attachments.0.id"),
}


def test_every_allowance_has_a_reason_and_a_real_payload_that_needs_it() -> None:
    assert [allowance.name for allowance in ALLOWANCES] == list(NEEDED_BY)
    for allowance in ALLOWANCES:
        assert len(allowance.reason) > 40
        assert "discord.py" in allowance.reason or "docs" in allowance.reason


@pytest.mark.parametrize("allowance", ALLOWANCES, ids=lambda allowance: allowance.name)
def test_each_allowance_is_needed(allowance: Any) -> None:
    payload_of, refused_at = NEEDED_BY[allowance.name]
    operation_id, payload = payload_of()
    without = ApiSpec.from_file(allowances=[other for other in ALLOWANCES if other is not allowance])

    assert ApiSpec.shared().check_operation(ApiSpec.shared().operation_named(operation_id), payload) == []
    refused = without.check_operation(without.operation_named(operation_id), payload)
    assert refused_at in dotted(refused)


def test_an_allowance_that_points_at_nothing_is_an_error() -> None:
    from standin.spec import Allowance

    stale = Allowance("stale", "/components/schemas/MessageAttachmentRequest/properties/gone", {}, "no reason")
    with pytest.raises(ValueError, match="nothing at"):
        ApiSpec.from_file(allowances=[stale])


# --------------------------------------------------------------------------- integer bounds


def test_integer_options_are_bounded_by_javascripts_safe_range(spec: ApiSpec) -> None:
    def command(**bounds: int) -> list[dict[str, Any]]:
        return [{"name": "pledge", "description": "d", "options": [
            {"type": 4, "name": "id", "description": "d", **bounds}]}]

    path = "/applications/1/guilds/2/commands"
    assert spec.check("PUT", path, command(min_value=-(2**53 - 1), max_value=2**53 - 1)) == []
    assert dotted(spec.check("PUT", path, command(max_value=2**53))) == ["0.options.0.max_value"]
    assert dotted(spec.check("PUT", path, command(min_value=-(2**53)))) == ["0.options.0.min_value"]


def test_a_discord_py_range_at_the_bound_is_what_discord_accepts(spec: ApiSpec) -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)

    @app_commands.command(name="paid", description="Mark a pledge paid")
    async def paid(interaction: discord.Interaction, id: app_commands.Range[int, 1, 2**53 - 1]) -> None: ...

    @app_commands.command(name="overflow", description="One too many")
    async def overflow(interaction: discord.Interaction, id: app_commands.Range[int, 1, 2**53]) -> None: ...

    path = "/applications/1/commands"
    assert spec.check("PUT", path, [paid.to_dict(tree)]) == []
    assert dotted(spec.check("PUT", path, [overflow.to_dict(tree)])) == ["0.options.0.max_value"]
