"""The command contract of the live night (names and options are promised to hosts),
and the persistent confirmation buttons: they rebuild from their custom_id after a
restart, re-check the host, and change nothing when cancelled or refused."""

from __future__ import annotations

import re
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands

from bot.checks import require_host
from bot.db import Database
from bot.lounge import LoungeBot
from bot.services import build_services
from cogs.ceremonies.buttons import ConfirmEnd, ConfirmPaste, ConfirmRemoval
from cogs.losers.buttons import PicksPageButton, RosterPageButton
from cogs.results.buttons import ConfirmUndo, undo_view
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import HOST, Lounge, tiny_ceremony

CONTRACT = {
    "ceremony create": ["name", "year", "preset"],
    "ceremony import": ["file"],
    "ceremony start": [],
    "ceremony end": [],
    "ceremony status": [],
    "nominee claim": ["category", "nominee"],
    "nominee unclaim": ["category", "nominee"],
    "pick": ["category", "nominee"],
    "picks": ["member"],
    "loser declare": ["category", "note"],
    "loser card": ["member"],
    "loser roster": [],
    "result log": ["category", "winner"],
    "result tie": ["category", "nominee"],
    "result undo": ["category"],
    "audit": ["limit"],
}
HOST_ONLY = {"ceremony create", "ceremony import", "ceremony start", "ceremony end", "result log", "result tie",
             "result undo", "audit"}
AUTOCOMPLETED = {"category", "nominee", "winner", "preset"}
OPTIONAL = {"preset"}  # options that autocomplete but may be left out


async def test_the_commands_keep_their_promised_names_and_options(prepared_bot: LoungeBot) -> None:
    bot = prepared_bot
    commands = {c.qualified_name: c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)}
    for name, options in CONTRACT.items():
        command = commands[name]
        assert [p.name for p in command.parameters] == options, name
        for parameter in command.parameters:
            assert parameter.autocomplete == (parameter.name in AUTOCOMPLETED), (name, parameter.name)
            required = ((parameter.name in AUTOCOMPLETED and name != "loser declare")
                        or name in {"ceremony create", "ceremony import"}) and parameter.name not in OPTIONAL
            assert parameter.required == required, (name, parameter.name)
        assert (require_host in command.checks) == (name in HOST_ONLY), name
        root = command.root_parent or command
        assert root.guild_only, name
    declare = commands["loser declare"]
    assert [p.required for p in declare.parameters] == [False, False]
    assert declare.to_dict(bot.tree)["options"][1]["max_length"] == 200


@pytest.mark.parametrize(
    "item",
    [ConfirmUndo(12, 34, "yes"), ConfirmUndo(12, 34, "no"), ConfirmEnd(5, "yes"), RosterPageButton(3, "next"),
     PicksPageButton(2**63 - 1, 7, "prev"), ConfirmRemoval(2**63 - 1, 2**63 - 1, "yes"),
     ConfirmPaste(2**63 - 1, "no")],
)
async def test_a_button_rebuilds_from_its_custom_id(item: Any) -> None:
    assert len(item.custom_id) <= 100
    match = item.template.fullmatch(item.custom_id)
    assert match is not None
    rebuilt = await type(item).from_custom_id(MagicMock(), item.item, match)
    assert rebuilt.custom_id == item.custom_id


async def test_a_confirmation_carries_distinct_ids() -> None:
    view = undo_view(12, 34)
    ids = [button["custom_id"] for row in view.to_components() for button in row["components"]]
    assert ids == ["lounge:undo:12:34:yes", "lounge:undo:12:34:no"]
    assert view.timeout is None
    assert view.is_persistent()


def clicker(db: Database, clock: FakeClock, guild_id: int, *, host: bool) -> Any:
    """A button click as discord.py hands it to the item: just what the callback reads."""
    member = MagicMock(spec=discord.Member)
    member.id = HOST if host else 99
    member.roles = []
    member.guild_permissions = discord.Permissions(manage_guild=host)
    interaction = MagicMock()
    interaction.created_at = discord.utils.utcnow()  # just clicked: Discord's 3 s to answer start now
    interaction.permissions = discord.Permissions(manage_guild=host)  # as Discord resolves them for the click
    member._roles = []
    interaction.guild_id = guild_id
    interaction.user = member
    interaction.client.services = build_services(db, clock)
    interaction.client.dispatch = MagicMock()
    done = {"value": False}

    async def defer(*_args: Any, **_kwargs: Any) -> None:
        done["value"] = True

    interaction.response.is_done = lambda: done["value"]
    interaction.response.defer = AsyncMock(side_effect=defer)
    interaction.response.edit_message = AsyncMock()
    interaction.response.send_message = AsyncMock()
    interaction.edit_original_response = AsyncMock()
    interaction.followup.send = AsyncMock()
    return interaction


def shown(mock: AsyncMock) -> str:
    assert mock.await_args is not None
    embed = mock.await_args.kwargs["embed"]
    return f"{embed.title} {embed.description}"


async def test_undo_buttons_recheck_the_host_and_undo_once(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    await lounge.member(10).pick("Outstanding Drama Series", "Mad Men")
    await lounge.log("Outstanding Drama Series", "Breaking Bad")
    logged = await lounge.results.logged(lounge.guild_id, "Outstanding Drama Series")

    stranger = clicker(db, clock, lounge.guild_id, host=False)
    await ConfirmUndo(logged.category.id, logged.result_id, "yes").callback(stranger)
    assert "Only hosts" in shown(stranger.response.send_message)
    assert stranger.response.send_message.await_args.kwargs["ephemeral"] is True
    assert await lounge.losses_of(10) == 1

    keep = clicker(db, clock, lounge.guild_id, host=True)
    await ConfirmUndo(logged.category.id, logged.result_id, "no").callback(keep)
    assert "Nothing changed" in shown(keep.response.edit_message)
    assert await lounge.losses_of(10) == 1

    host = clicker(db, clock, lounge.guild_id, host=True)
    await ConfirmUndo(logged.category.id, logged.result_id, "yes").callback(host)
    assert "Undone: Outstanding Drama Series" in shown(host.edit_original_response)
    assert host.edit_original_response.await_args.kwargs["view"] is None
    assert await lounge.losses_of(10) == 0

    again = clicker(db, clock, lounge.guild_id, host=True)  # a second click on the same old message
    await ConfirmUndo(logged.category.id, logged.result_id, "yes").callback(again)
    assert "no logged result to undo" in shown(again.followup.send)


async def test_the_end_button_ends_once_and_dispatches_the_recap_hook(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    host = clicker(db, clock, lounge.guild_id, host=True)
    await ConfirmEnd(ceremony.id, "yes").callback(host)
    host.client.dispatch.assert_called_once_with("ceremony_ended", lounge.guild_id, ceremony.id)
    assert re.search(r"has ended", shown(host.edit_original_response))
    again = clicker(db, clock, lounge.guild_id, host=True)
    await ConfirmEnd(ceremony.id, "yes").callback(again)
    again.client.dispatch.assert_not_called()
    assert "is ended" in shown(again.followup.send)
