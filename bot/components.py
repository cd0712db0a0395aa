"""Persistent components: what every ``DynamicItem`` of the bot shares.

discord.py rebuilds a clicked item from its class (``from_custom_id``), in
whichever process receives the click, so two things live on the class:

* the services the click needs: a cog binds them with :func:`bound` and
  registers the bound class in ``cog_load``. It also builds the items it sends
  from that class, because sending an item registers the item's class in its
  place (an unbound class registered there would fail every later click);
* nothing else: the state is in the custom_id (:mod:`bot.custom_ids`), checked
  on every click by :func:`server_of` and :func:`numbers` — a button of another
  server, or an id the bot never wrote, is refused (ephemerally, through the one
  error path) and changes nothing.

``from_custom_id`` must not fail (discord.py logs the error and the member sees
"This interaction failed"): items keep the raw id and read it in ``callback``,
inside the one error path.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar, cast

import discord

from bot.custom_ids import decode_int
from bot.domain.errors import InvalidInput, NotAllowed
from bot.types import guild_id_of
from bot.ui import Button

ItemT = TypeVar("ItemT", bound="discord.ui.DynamicItem[Any]")


def bound(item: type[ItemT], **handed: object) -> type[ItemT]:
    """A subclass of `item`, with the same template, whose class attributes are `handed`."""
    template = item.__discord_ui_compiled_template__
    return cast("type[ItemT]", type(item.__name__, (item,), dict(handed), template=template))


def forged() -> InvalidInput:
    return InvalidInput("That button isn't one the bot made: nothing was changed.", reason="forged_component")


def numbers(match: re.Match[str], *groups: str, base: int = 62) -> list[int]:
    """The integer fields of a custom_id (base 62, or 10 for ids posted by earlier versions)."""
    try:
        return [decode_int(match[group]) if base == 62 else int(match[group]) for group in groups]
    except (ValueError, IndexError) as error:
        raise forged() from error


def server_of(interaction: discord.Interaction[Any], match: re.Match[str], group: str = "guild") -> int:
    """The server the click came from, refused unless it is the one the custom_id was made for."""
    guild_id = guild_id_of(interaction)
    (owner,) = numbers(match, group)
    if owner != guild_id:
        raise NotAllowed(
            "That button belongs to another server's message: nothing was changed.",
            reason="foreign_component", owner_guild_id=owner,
        )
    return guild_id


def parsed(item: discord.ui.DynamicItem[Any]) -> re.Match[str]:
    """The item's own custom_id against its template (a rebuilt item's id always matches)."""
    match = item.template.fullmatch(item.custom_id)
    if match is None:
        raise forged()
    return match


def yes_no_button(
    custom_id: str, *, yes: str, no: str, yes_style: discord.ButtonStyle = discord.ButtonStyle.danger
) -> Button:
    """One button of a confirmation: the ``…:yes`` id gets the `yes` label and style, ``…:no`` a grey `no`."""
    answer_yes = custom_id.endswith(":yes")
    return discord.ui.Button(
        label=yes if answer_yes else no,
        style=yes_style if answer_yes else discord.ButtonStyle.secondary,
        custom_id=custom_id,
    )
