"""The modal of /ceremony paste: five paragraph boxes of up to 4,000 characters each
(Discord's limits for a modal), read by `bot.domain.ceremonies.paste` as one list.

Submitting only previews: the parsed list is kept in SQLite and the reply shows what
was understood, with Confirm / Cancel buttons carrying the preview's id.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.checks import require_host
from bot.domain.ceremonies.paste import MAX_PART_CHARS, MAX_PARTS, parse_pasted_list
from bot.domain.ceremonies.service import CeremonyService
from bot.interaction_errors import report_error
from bot.types import guild_id_of
from bot.ui import defer_if_slow, reply
from cogs.ceremonies import render
from cogs.ceremonies.buttons import paste_view

FORM_SECONDS = 15 * 60  # Discord keeps an interaction's token this long
EXAMPLE = "Outstanding Drama Series\n• The Crown — Netflix\n• Andor\n\nOutstanding Lead Actor…"


class PasteModal(discord.ui.Modal, title="Paste the nominees"):
    def __init__(self, ceremonies: CeremonyService) -> None:
        super().__init__(timeout=FORM_SECONDS, custom_id="lounge:paste-form")
        self.ceremonies = ceremonies
        self.boxes: list[discord.ui.TextInput[Any]] = []
        for index in range(MAX_PARTS):
            box: discord.ui.TextInput[Any] = discord.ui.TextInput(
                style=discord.TextStyle.paragraph, max_length=MAX_PART_CHARS, required=index == 0,
                custom_id=f"part-{index + 1}", placeholder=EXAMPLE if index == 0 else None,
            )
            self.boxes.append(box)
            self.add_item(discord.ui.Label(
                text="The list" if index == 0 else f"More of the list (box {index + 1}, optional)",
                description=(
                    "A category on its own line, then its nominees: Name — Show, Name, Show or Name (Show)"
                    if index == 0 else None
                ),
                component=box,
            ))

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return await require_host(interaction)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        guild_id = guild_id_of(interaction)
        parsed = parse_pasted_list([box.value for box in self.boxes])

        async def keep() -> tuple[Any, Any]:
            preview = await self.ceremonies.preview_paste(guild_id, parsed)
            return preview, await self.ceremonies.status(guild_id)

        preview, status = await defer_if_slow(interaction, keep())
        await reply(interaction, render.paste_preview(preview.parsed, status), view=paste_view(preview.id))

    # discord.py's Modal narrows BaseView.on_error to these two arguments (its own signature).
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)
