"""The bot's real command tree, synced over the wire, is what Discord's own API description accepts."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import pytest

from standin import StandIn
from standin.spec import ApiSpec, Operation
from standin.validation import FieldError
from tests.e2e.harness import open_lounge

SYNC = "bulk_set_guild_application_commands"


def option_path(commands: list[dict[str, Any]], *names: str) -> tuple[list[str | int], dict[str, Any]]:
    """The index path to a nested option (``"pledge", "paid", "id"``) and the option itself."""
    path: list[str | int] = []
    nodes, node = commands, None
    for depth, name in enumerate(names):
        index = next(i for i, candidate in enumerate(nodes) if candidate["name"] == name)
        path += [index] if depth == 0 else ["options", index]
        node = nodes[index]
        nodes = node.get("options") or []
    assert node is not None
    return path, node


async def test_the_real_command_tree_is_synced_and_discords_spec_accepts_it(
    standin: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = standin.spec
    assert spec is not None
    judged: list[tuple[str, Any]] = []

    def recording(operation: Operation, body: object) -> list[FieldError]:
        judged.append((operation.operation_id, body))
        return ApiSpec.check_operation(spec, operation, body)

    monkeypatch.setattr(spec, "check_operation", recording)
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    lounge = await open_lounge(standin, tmp_path)
    try:
        await standin.wait_for_commands_synced(lounge.guild)
    finally:
        await lounge.stop_bot()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved

    (synced,) = [body for operation_id, body in judged if operation_id == SYNC]
    assert {"pledge", "ceremony", "result", "settings"} <= {command["name"] for command in synced}
    assert standin.violations == []  # the stand-in's own rules and the spec both accepted the sync
    operation = spec.operation_named(SYNC)
    assert ApiSpec.check_operation(spec, operation, synced) == []

    # Every pledge id option stops at JavaScript's largest safe integer, which the spec allows…
    for subcommand in ("paid", "cancel", "verify"):
        path, option = option_path(synced, "pledge", subcommand, "id")
        assert option["max_value"] == 2**53 - 1
        # …and one more, the bound the bot used to declare, would have cost the whole sync.
        too_far = copy.deepcopy(synced)
        option_path(too_far, "pledge", subcommand, "id")[1]["max_value"] = 2**53
        refused = ApiSpec.check_operation(spec, operation, too_far)
        assert [error.dotted for error in refused] == [".".join(map(str, [*path, "max_value"]))]
