"""Answering a click on a panel the bot keeps current: the ballot, the host's console.

A click is answered by editing its panel in place: in one round trip (callback type 7)
when the work is quick, or after deferring the update (type 6) when it is slow, never
past Discord's 3 s. The click's own interaction token does the editing, so a panel
keeps working long after the command that opened it (whose token lives 15 minutes).
When a panel cannot be edited any more, the member gets a fresh copy, ephemerally:
a click is never left without an answer.

A refused click (a category logged meanwhile, a result another host already logged)
shows the panel as it stands now and tells the member why, ephemerally; nothing else
changes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

from bot.domain.errors import LoungeError
from bot.embeds import Embed
from bot.interaction_errors import UNANSWERABLE_CODES, report_error
from bot.ui import NO_PINGS, deferring_if_slow, respond, to_discord

log = logging.getLogger(__name__)
T = TypeVar("T")


async def update_if_slow(interaction: discord.Interaction[Any], work: Awaitable[T]) -> T:
    """Await `work`; if it takes longer than DEFER_AFTER_SECONDS, defer the update of the clicked
    message (type 6) so the panel can be edited when the work is done. The work is never cancelled."""
    return await deferring_if_slow(interaction, work, interaction.response.defer)


async def show(interaction: discord.Interaction[Any], embeds: list[Embed], view: discord.ui.View | None) -> None:
    """Show `embeds` and `view` on the clicked panel; a fresh ephemeral copy if it can't be edited."""
    rendered = [to_discord(embed) for embed in embeds]
    try:
        if interaction.response.is_done():
            await interaction.edit_original_response(embeds=rendered, view=view, allowed_mentions=NO_PINGS)
        else:
            editing = interaction.response.edit_message(embeds=rendered, view=view, allowed_mentions=NO_PINGS)
            await respond(interaction, editing)
    except discord.HTTPException as error:
        if error.code in UNANSWERABLE_CODES:
            raise
        log.info("panel of interaction %s can't be edited (%s): sending a fresh copy", interaction.id, error)
        fresh: dict[str, Any] = {"embeds": rendered, "ephemeral": True, "allowed_mentions": NO_PINGS}
        if view is not None:
            fresh["view"] = view
        if interaction.response.is_done():
            await interaction.followup.send(**fresh)
        else:
            await respond(interaction, interaction.response.send_message(**fresh))


async def refuse_and_show(
    interaction: discord.Interaction[Any], error: LoungeError, embeds: list[Embed], view: discord.ui.View | None
) -> None:
    """Show the panel as it stands now, then tell the member (only them) why the click changed nothing."""
    if not interaction.response.is_done():
        await respond(interaction, interaction.response.defer())
    await show(interaction, embeds, view)
    await report_error(interaction, error)
