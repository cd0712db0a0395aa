"""A category's select menu on the ballot: a persistent dynamic item whose custom_id
names the page and the category (cogs/ballot/ids.py), so it works in any process that
runs the bot, after a restart, and long after the ballot was opened."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from cogs.ballot import ids
from cogs.ballot.render import Menu

if TYPE_CHECKING:
    from cogs.ballot.view import BallotUI

Select = discord.ui.Select[discord.ui.View]


class BallotSelect(discord.ui.DynamicItem[Select], template=ids.PICK_TEMPLATE):
    """Answered by the :class:`BallotUI` it is bound to (see :meth:`BallotUI.__init__`)."""

    ui: ClassVar[BallotUI]

    def __init__(self, select: Select) -> None:
        super().__init__(select)

    @staticmethod
    def component(custom_id: str, menu: Menu) -> dict[str, Any]:
        """The menu as Discord's component payload: exactly what ``discord.ui.Select`` would send
        (tests/cogs/test_ballot_components.py holds the two side by side), written directly,
        because a ballot draws four of them, up to 25 options each, on every click."""
        options: list[dict[str, Any]] = []
        for option in menu.options:
            entry: dict[str, Any] = {"label": option.label, "value": option.value, "default": option.default}
            if option.description:
                entry["description"] = option.description
            options.append(entry)
        payload: dict[str, Any] = {
            "type": discord.ComponentType.string_select.value, "custom_id": custom_id, "min_values": 1,
            "max_values": 1, "disabled": menu.disabled, "required": True,
        }
        if menu.placeholder:
            payload["placeholder"] = menu.placeholder
        if options:
            payload["options"] = options
        return payload

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BallotSelect:
        if isinstance(item, discord.ui.Select):
            return cls(item)
        # Not a menu (a forged component): answered, and refused, as a damaged id.
        return cls(discord.ui.Select(custom_id=match.string, options=[discord.SelectOption(label="-")]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.ui.chose(interaction, self.item.custom_id, list(self.item.values))
