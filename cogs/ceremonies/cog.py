"""/ceremony: create (optionally from a preset), import or paste the nominees, correct
them, start, end and status: a thin layer over CeremonyService and CeremonyEditor.

The state machine is draft → live → ended. `/ceremony end` and removing a nominee
that members picked or claimed ask for confirmation with persistent buttons; a
pasted list is previewed with Confirm / Cancel (the preview waits in SQLite); the
paste form's submissions are answered here, from the interaction alone.
After the end is committed the bot dispatches ``ceremony_ended(guild_id,
ceremony_id)`` for the recap (leaderboards).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import autocomplete
from bot.autocomplete import Suggestions
from bot.checks import Hosts, is_host
from bot.domain.ceremonies import presets
from bot.domain.ceremonies.editing import NO_SHOW, CeremonyEditor
from bot.domain.ceremonies.files import (
    LIMITS_TEXT,
    MAX_CATEGORIES,
    MAX_FILE_BYTES,
    MAX_NAME,
    parse_ceremony_file,
)
from bot.domain.ceremonies.paste import parse_pasted_list
from bot.domain.ceremonies.previews import Preview
from bot.domain.ceremonies.service import (
    MAX_CEREMONY_NAME,
    MAX_YEAR,
    MIN_YEAR,
    CeremonyService,
    CeremonyStatus,
    require_state,
)
from bot.domain.errors import InvalidInput
from bot.domain.settings.service import SettingsService
from bot.interaction_errors import report_error
from bot.text import clip
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import defer_if_slow, reply, respond
from cogs.ceremonies import render
from cogs.ceremonies.buttons import EditButtons, EndButtons
from cogs.ceremonies.paste import is_paste_form, paste_form, submitted_parts

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

# Autocomplete sends short ids; a typed label can reach ~610 characters (name, show, episode).
Text = app_commands.Range[str, 1, 700]
Name = app_commands.Range[str, 1, MAX_NAME]


@app_commands.guild_only()
class CeremonyCog(commands.GroupCog, group_name="ceremony", group_description="The Emmy night: create, import, run"):
    def __init__(
        self, bot: LoungeBot, ceremonies: CeremonyService, edits: CeremonyEditor, settings: SettingsService,
        hosts: Hosts, suggestions: Suggestions,
    ) -> None:
        self.bot = bot
        self.ceremonies = ceremonies
        self.edits = edits
        self.settings = settings
        self.hosts = hosts
        self.suggestions = suggestions
        self.end_buttons = EndButtons(ceremonies, hosts, self.ended)
        self.edit_buttons = EditButtons(ceremonies, edits, hosts)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self.end_buttons.items, *self.edit_buttons.items)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self.end_buttons.items, *self.edit_buttons.items)

    def ended(self, guild_id: int, ceremony_id: int) -> None:
        """An end was committed: the recap (leaderboards) listens for this."""
        self.bot.dispatch("ceremony_ended", guild_id, ceremony_id)

    # ---- the night's list -----------------------------------------------------------------

    @app_commands.command(name="create", description="Create a ceremony (a draft), now this server's current one")
    @app_commands.describe(
        name="e.g. 66th Primetime Emmy Awards", year="The year of the ceremony",
        preset="Start from a ready-made Emmy ceremony (1949–2019): its nominees, never its winners",
    )
    @app_commands.autocomplete(preset=autocomplete.preset)
    @is_host
    async def create(
        self,
        interaction: LoungeInteraction,
        name: app_commands.Range[str, 1, MAX_CEREMONY_NAME],
        year: app_commands.Range[int, MIN_YEAR, MAX_YEAR],
        preset: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if preset is None:
            ceremony = await self.ceremonies.create(guild_id, actor_id=interaction.user.id, name=name, year=year)
            await reply(interaction, render.ceremony_created(ceremony))
            return
        chosen = presets.find(preset)
        await respond(interaction, interaction.response.defer(ephemeral=True, thinking=True))
        parsed = await asyncio.to_thread(presets.load, chosen)
        summary = await self.ceremonies.create_from(
            guild_id, actor_id=interaction.user.id, name=name, year=year, nominees=parsed, source=chosen.title,
        )
        await reply(interaction, render.ceremony_created_from(summary))

    @app_commands.command(name="import", description="Attach the nominees (JSON or CSV) to the draft ceremony")
    @app_commands.describe(file=clip(f"JSON like emmys-2014.json, or CSV category,nominee,show ({LIMITS_TEXT})", 100))
    @is_host
    async def import_(self, interaction: LoungeInteraction, file: discord.Attachment) -> None:
        if file.size > MAX_FILE_BYTES:
            raise InvalidInput(f"That file is {file.size:,} bytes; the limit is {MAX_FILE_BYTES:,} ({LIMITS_TEXT}).",
                               reason="file_too_large", size_bytes=file.size, limit_bytes=MAX_FILE_BYTES)
        await respond(interaction, interaction.response.defer(ephemeral=True, thinking=True))
        data = await file.read()
        parsed = parse_ceremony_file(data, file.filename)
        summary = await self.ceremonies.import_nominees(
            guild_id_of(interaction), actor_id=interaction.user.id, parsed=parsed, filename=file.filename,
        )
        await reply(interaction, render.import_done(summary))

    @app_commands.command(name="paste", description="Paste the nominee list from an article; preview, then confirm")
    @is_host
    async def paste(self, interaction: LoungeInteraction) -> None:
        await self.ceremonies.draft(guild_id_of(interaction), doing="paste the nominees")
        await respond(interaction, interaction.response.send_modal(paste_form()))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[LoungeBot]) -> None:
        """A submitted paste form (see cogs/ceremonies/paste.py): parse, keep the preview, show it."""
        if not is_paste_form(interaction):
            return
        try:
            await self.hosts.require(interaction)
            guild_id = guild_id_of(interaction)
            parsed = parse_pasted_list(submitted_parts(interaction.data or {}))

            async def keep() -> tuple[Preview, CeremonyStatus]:
                preview = await self.ceremonies.preview_paste(guild_id, parsed)
                return preview, await self.ceremonies.status(guild_id)

            preview, status = await defer_if_slow(interaction, keep())
            view = self.edit_buttons.paste_view(guild_id, preview.id)
            await reply(interaction, render.paste_preview(preview.parsed, status), view=view)
        except Exception as error:  # one error path: the member sees why, we log the unexpected
            await report_error(interaction, error)

    # ---- corrections ----------------------------------------------------------------------

    @app_commands.command(name="rename-category", description="Correct a category's name (any time)")
    @app_commands.describe(category="The category", new_name="Its name from now on")
    @app_commands.autocomplete(category=autocomplete.any_category)
    @is_host
    async def rename_category(self, interaction: LoungeInteraction, category: Text, new_name: Name) -> None:
        edit = await self.edits.rename_category(
            guild_id_of(interaction), actor_id=interaction.user.id, category=category, new_name=new_name
        )
        await reply(interaction, render.category_renamed(edit))

    @app_commands.command(name="rename-nominee", description="Correct a nominee's name or show (any time)")
    @app_commands.describe(
        category="The nominee's category", nominee="The nominee", new_name="Their name from now on",
        show=f"The show (leave out to keep it; {NO_SHOW} for none)",
    )
    @app_commands.autocomplete(category=autocomplete.any_category, nominee=autocomplete.any_nominee)
    @is_host
    async def rename_nominee(
        self, interaction: LoungeInteraction, category: Text, nominee: Text, new_name: Name, show: Name | None = None
    ) -> None:
        edit = await self.edits.rename_nominee(
            guild_id_of(interaction), actor_id=interaction.user.id, category=category, nominee=nominee,
            new_name=new_name, show=show,
        )
        await reply(interaction, render.nominee_renamed(edit))

    @app_commands.command(name="add-nominee", description="Add a nominee to a category with no result yet")
    @app_commands.describe(category="A category with no result yet", name="The nominee", show="Their show, if any")
    @app_commands.autocomplete(category=autocomplete.open_category)
    @is_host
    async def add_nominee(
        self, interaction: LoungeInteraction, category: Text, name: Name, show: Name | None = None
    ) -> None:
        edit = await self.edits.add_nominee(
            guild_id_of(interaction), actor_id=interaction.user.id, category=category, name=name, show=show
        )
        await reply(interaction, render.nominee_added(edit))

    @app_commands.command(name="remove-nominee", description="Remove a nominee (no result yet); asks first if picked")
    @app_commands.describe(category="A category with no result yet", nominee="The nominee to remove")
    @app_commands.autocomplete(category=autocomplete.open_category, nominee=autocomplete.any_nominee)
    @is_host
    async def remove_nominee(self, interaction: LoungeInteraction, category: Text, nominee: Text) -> None:
        guild_id = guild_id_of(interaction)
        removal = await self.edits.removal(guild_id, category, nominee)
        if removal.affects_anyone:
            view = self.edit_buttons.removal_view(guild_id_of(interaction), removal.category.id, removal.nominee.id)
            await reply(interaction, render.confirm_removal(removal), view=view)
            return
        done = await self.edits.remove_nominee(
            guild_id, actor_id=interaction.user.id, category_id=removal.category.id,
            nominee_id=removal.nominee.id, confirmed=False,
        )
        await reply(interaction, render.nominee_removed(done))

    @app_commands.command(name="add-category", description="Add a category at the end of the running order")
    @app_commands.describe(name="The category", telecast="Presented on the broadcast itself (not Creative Arts)")
    @is_host
    async def add_category(self, interaction: LoungeInteraction, name: Name, telecast: bool = False) -> None:
        edit = await self.edits.add_category(
            guild_id_of(interaction), actor_id=interaction.user.id, name=name, telecast=telecast
        )
        await reply(interaction, render.category_added(edit))

    @app_commands.command(name="move-category", description="Move a category in the running order")
    @app_commands.describe(category="The category", position="Its place from now on: 1 is first")
    @app_commands.autocomplete(category=autocomplete.any_category)
    @is_host
    async def move_category(
        self, interaction: LoungeInteraction, category: Text,
        position: app_commands.Range[int, 1, MAX_CATEGORIES],
    ) -> None:
        edit = await self.edits.move_category(
            guild_id_of(interaction), actor_id=interaction.user.id, category=category, position=position
        )
        await reply(interaction, render.category_moved(edit))

    # ---- the night ------------------------------------------------------------------------

    @app_commands.command(name="start", description="Go live: post the opening announcement")
    @is_host
    async def start(self, interaction: LoungeInteraction) -> None:
        ceremony = await self.ceremonies.start(
            guild_id_of(interaction), actor_id=interaction.user.id, channel_id=interaction.channel_id
        )
        await reply(interaction, render.ceremony_started(ceremony))

    @app_commands.command(name="end", description="Close the night and post the recap (asks to confirm)")
    @is_host
    async def end(self, interaction: LoungeInteraction) -> None:
        status = await self.ceremonies.status(guild_id_of(interaction))
        ceremony = status.ceremony
        require_state(ceremony, "live", doing="end the ceremony")
        view = self.end_buttons.view(guild_id_of(interaction), ceremony.id)
        await reply(interaction, render.confirm_end(ceremony, status), view=view)

    @app_commands.command(name="status", description="What has been announced, what's left, how many picks are in")
    async def status(self, interaction: LoungeInteraction) -> None:
        current = await self.ceremonies.status(guild_id_of(interaction))
        spoiler = (await self.settings.get(guild_id_of(interaction))).spoiler_safe
        await reply(interaction, render.status_embed(current, spoiler=spoiler))
