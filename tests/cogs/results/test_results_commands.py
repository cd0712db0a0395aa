"""The command contract of the live night (names and options are promised to hosts),
and the persistent confirmation buttons: they rebuild from their custom_id after a
restart (ids posted by earlier versions too), re-check the server and the host, and
change nothing when cancelled or refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands

from bot import custom_ids
from bot.autocomplete import Suggestions
from bot.checks import Hosts, require_host
from bot.db import Database
from bot.lounge import LoungeBot
from bot.paging import Turn, Way
from bot.services import build_services
from cogs.ceremonies.buttons import ConfirmEnd, ConfirmPaste, ConfirmRemoval, EndButtons, LegacyConfirmEnd
from cogs.ceremonies.cog import CeremonyCog
from cogs.losers.buttons import LegacyPicksButton, LegacyRosterButton, LoserPagers, PicksOf
from cogs.privacy.buttons import ConfirmForget
from cogs.results.buttons import ConfirmUndo, LegacyConfirmUndo, UndoButtons
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


BIGGEST = 2**63 - 1


def rebuildable() -> list[Any]:
    """One of every persistent item, its fields as large as they can be."""
    pagers = LoserPagers(MagicMock(), MagicMock())
    turn = Turn(Way.NEXT, 62**4 - 1)
    return [
        ConfirmUndo.of(BIGGEST, BIGGEST, BIGGEST, "yes"), ConfirmUndo.of(12, 12, 34, "no"),
        LegacyConfirmUndo("lounge:undo:12:34:yes"),
        ConfirmEnd.of(BIGGEST, BIGGEST, "yes"), LegacyConfirmEnd("lounge:end:5:no"),
        ConfirmForget.of(BIGGEST, BIGGEST, datetime(9999, 1, 1, tzinfo=UTC), "yes"),
        pagers.roster.button(pagers.roster.custom_id(BIGGEST, BIGGEST, turn), way=Way.NEXT),
        pagers.picks.button(pagers.picks.custom_id(BIGGEST, PicksOf(BIGGEST, BIGGEST), turn), way=Way.NEXT),
        LegacyRosterButton("lounge:roster:3:next"), LegacyPicksButton(f"lounge:picks:{BIGGEST}:7:prev"),
        ConfirmRemoval(custom_ids.custom_id("rmnom", BIGGEST, BIGGEST, BIGGEST, "yes")),
        ConfirmPaste(custom_ids.custom_id("paste", BIGGEST, BIGGEST, "no")),
    ]


@pytest.mark.parametrize("item", rebuildable(), ids=lambda item: item.custom_id)
async def test_a_button_rebuilds_from_its_custom_id(item: Any) -> None:
    assert len(item.custom_id) <= 100
    match = item.template.fullmatch(item.custom_id)
    assert match is not None
    rebuilt = await type(item).from_custom_id(MagicMock(), item.item, match)
    assert rebuilt.custom_id == item.custom_id


def hosts(db: Database, clock: FakeClock) -> Hosts:
    async def no_roles(guild_id: int, user_id: int) -> frozenset[int]:
        return frozenset()

    return Hosts(build_services(db, clock).settings, no_roles)


async def test_a_confirmation_carries_distinct_ids(db: Database, clock: FakeClock) -> None:
    view = UndoButtons(build_services(db, clock).results, hosts(db, clock)).view(1, 12, 34)
    ids = [button["custom_id"] for row in view.to_components() for button in row["components"]]
    assert ids == ["lounge:undo:1:c:y:yes", "lounge:undo:1:c:y:no"]  # server 1, category 12, result 34 (base 62)
    assert view.timeout is None
    assert view.is_persistent()


def clicker(guild_id: int, *, host: bool) -> Any:
    """A button click as discord.py hands it to the item: just what the callback reads."""
    member = MagicMock(spec=discord.Member)
    member.id = HOST if host else 99
    member.roles = []
    member.guild_permissions = discord.Permissions(manage_guild=host)
    interaction = MagicMock()
    interaction.id = discord.utils.time_snowflake(discord.utils.utcnow())  # just clicked: the 3 s start now
    interaction.permissions = discord.Permissions(manage_guild=host)  # as Discord resolves them for the click
    interaction.guild_id = guild_id
    interaction.user = member
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
    buttons = UndoButtons(lounge.results, hosts(db, clock))  # as the cog binds them, in a fresh process

    def button(choice: str) -> ConfirmUndo:
        return buttons.confirm.of(lounge.guild_id, logged.category.id, logged.result_id, choice)

    stranger = clicker(lounge.guild_id, host=False)
    await button("yes").callback(stranger)
    assert "Only hosts" in shown(stranger.response.send_message)
    assert stranger.response.send_message.await_args.kwargs["ephemeral"] is True
    assert await lounge.losses_of(10) == 1

    keep = clicker(lounge.guild_id, host=True)
    await button("no").callback(keep)
    assert "Nothing changed" in shown(keep.response.edit_message)
    assert await lounge.losses_of(10) == 1

    elsewhere = clicker(lounge.guild_id + 1, host=True)  # the same id clicked in another server
    await button("yes").callback(elsewhere)
    assert "another server" in shown(elsewhere.response.send_message)
    assert await lounge.losses_of(10) == 1

    host = clicker(lounge.guild_id, host=True)
    await button("yes").callback(host)
    assert "Undone: Outstanding Drama Series" in shown(host.edit_original_response)
    assert host.edit_original_response.await_args.kwargs["view"] is None
    assert await lounge.losses_of(10) == 0

    again = clicker(lounge.guild_id, host=True)  # a second click on the same old message
    await button("yes").callback(again)
    assert "no logged result to undo" in shown(again.followup.send)


async def test_an_undo_prompt_posted_by_an_earlier_version_still_works(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    await lounge.member(10).pick("Outstanding Drama Series", "Mad Men")
    await lounge.log("Outstanding Drama Series", "Breaking Bad")
    logged = await lounge.results.logged(lounge.guild_id, "Outstanding Drama Series")
    _, legacy = UndoButtons(lounge.results, hosts(db, clock)).items
    old_id = f"lounge:undo:{logged.category.id}:{logged.result_id}:yes"  # no server, decimal
    match = legacy.__discord_ui_compiled_template__.fullmatch(old_id)
    assert match is not None
    assert ConfirmUndo.__discord_ui_compiled_template__.fullmatch(old_id) is None  # exactly one item answers

    host = clicker(lounge.guild_id, host=True)
    await (await legacy.from_custom_id(host, MagicMock(), match)).callback(host)
    assert "Undone: Outstanding Drama Series" in shown(host.edit_original_response)
    assert await lounge.losses_of(10) == 0


async def test_the_end_button_ends_once_and_dispatches_the_recap_hook(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    ended = MagicMock()
    buttons = EndButtons(lounge.ceremonies, hosts(db, clock), ended)
    host = clicker(lounge.guild_id, host=True)
    await buttons.confirm.of(lounge.guild_id, ceremony.id, "yes").callback(host)
    ended.assert_called_once_with(lounge.guild_id, ceremony.id)
    assert re.search(r"has ended", shown(host.edit_original_response))
    again = clicker(lounge.guild_id, host=True)
    await buttons.confirm.of(lounge.guild_id, ceremony.id, "yes").callback(again)
    ended.assert_called_once()
    assert "is ended" in shown(again.followup.send)


async def test_the_ceremony_cog_dispatches_the_recap_hook(db: Database, clock: FakeClock) -> None:
    bot = MagicMock()
    services = build_services(db, clock)
    cog = CeremonyCog(
        bot, services.ceremonies, services.ceremony_edits, services.settings, hosts(db, clock), Suggestions(db)
    )
    cog.ended(5, 6)
    bot.dispatch.assert_called_once_with("ceremony_ended", 5, 6)
