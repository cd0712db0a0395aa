"""The last row of a ballot page (Previous, Next, Only unpicked / Show all, Done): persistent
dynamic buttons whose custom_id names the page (cogs/ballot/ids.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from bot.ui import Button
from cogs.ballot import ids

if TYPE_CHECKING:
    from cogs.ballot.view import BallotUI

LABELS: dict[ids.Action, str] = {
    "prev": "Previous", "next": "Next", "only": "Only unpicked", "all": "Show all", "done": "Done",
}


class BallotButton(discord.ui.DynamicItem[Button], template=ids.GO_TEMPLATE):
    """Answered by the :class:`BallotUI` it is bound to (see :meth:`BallotUI.__init__`)."""

    ui: ClassVar[BallotUI]

    def __init__(self, button: Button) -> None:
        super().__init__(button)

    @staticmethod
    def component(custom_id: str, action: ids.Action, *, disabled: bool = False) -> dict[str, Any]:
        """The button as Discord's component payload: exactly what ``discord.ui.Button`` would send."""
        style = discord.ButtonStyle.success if action == "done" else discord.ButtonStyle.secondary
        return {"type": discord.ComponentType.button.value, "style": style.value, "disabled": disabled,
                "label": LABELS[action], "custom_id": custom_id}

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BallotButton:
        if isinstance(item, discord.ui.Button):
            return cls(item)
        return cls(discord.ui.Button(label="-", custom_id=match.string))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.ui.pressed(interaction, self.item.custom_id or "")
