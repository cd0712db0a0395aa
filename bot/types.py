"""Types shared by the cogs.

Every lounge command is guild-only: the tree refuses an interaction without a
server before any command runs (``LoungeTree.interaction_check``). discord.py
types a command's interaction as ``Interaction[Any]`` with an optional
``guild_id`` (its decorators accept no narrower type, so a RoboDanny-style
``GuildContext`` subclass cannot be the parameter's annotation); the cogs and
components read the server through :func:`guild_id_of`, the one place that
turns "this came from a server" into an ``int`` (and refuses a DM, ephemerally,
where a component could arrive from one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

LoungeInteraction: TypeAlias = "discord.Interaction[LoungeBot]"
"""Every interaction the lounge answers: its client is the :class:`LoungeBot`."""


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    """The server the interaction came from; refused (ephemerally, by the one error path) from a DM."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id
