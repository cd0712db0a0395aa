"""The form of /ceremony paste: five paragraph boxes of up to 4,000 characters each
(Discord's limits for a modal), read by `bot.domain.ceremonies.paste` as one list.

The form is stateless, like the persistent buttons: discord.py keeps an open modal
only in memory (a submission after a restart would be dropped, and every open form
shares one custom_id), so the form is sent without being kept and the cog answers
its submissions (``lounge:paste-form``) from the interaction alone. Submitting only
previews: the parsed list is kept in SQLite and the reply shows what was understood,
with Confirm / Cancel buttons carrying the preview's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord

from bot.domain.ceremonies.paste import MAX_PART_CHARS, MAX_PARTS

FORM_ID = "lounge:paste-form"
EXAMPLE = "Outstanding Drama Series\n• The Crown — Netflix\n• Andor\n\nOutstanding Lead Actor…"


def paste_form() -> discord.ui.Modal:
    """The form as Discord shows it; never kept by discord.py (see the module's docstring)."""
    form = discord.ui.Modal(title="Paste the nominees", custom_id=FORM_ID, timeout=None)
    for index in range(MAX_PARTS):
        form.add_item(discord.ui.Label(
            text="The list" if index == 0 else f"More of the list (box {index + 1}, optional)",
            description=(
                "A category on its own line, then its nominees: Name — Show, Name, Show or Name (Show)"
                if index == 0 else None
            ),
            component=discord.ui.TextInput(
                style=discord.TextStyle.paragraph, max_length=MAX_PART_CHARS, required=index == 0,
                custom_id=f"part-{index + 1}", placeholder=EXAMPLE if index == 0 else None,
            ),
        ))
    form.stop()  # finished before it is sent: discord.py won't keep it, the cog answers it
    assert form.is_finished(), "built outside the event loop: discord.py would keep it"
    return form


def is_paste_form(interaction: discord.Interaction[Any]) -> bool:
    data: Mapping[str, Any] = interaction.data or {}
    return interaction.type is discord.InteractionType.modal_submit and data.get("custom_id") == FORM_ID


def submitted_parts(data: Mapping[str, Any]) -> list[str]:
    """The text of the five boxes, in order (an empty string for a box left empty)."""
    values: dict[str, str] = {}

    def walk(components: list[Any]) -> None:
        for component in components:
            if component.get("type") == 1:
                walk(component.get("components") or [])
            elif component.get("type") == 18 and isinstance(component.get("component"), Mapping):
                walk([component["component"]])
            elif component.get("type") == 4:
                values[str(component.get("custom_id"))] = str(component.get("value") or "")

    walk(list(data.get("components") or []))
    return [values.get(f"part-{index + 1}", "") for index in range(MAX_PARTS)]
