"""The /pledge commands: validate with app_commands types, call one service method, render one reply."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import Hosts, is_host
from bot.domain.pledges import PledgeService
from bot.domain.pledges.model import MAX_NOTE, MAX_REASON
from bot.embeds import Colour, Embed
from bot.types import guild_id_of
from bot.ui import defer_if_slow, reply, respond
from cogs.pledges.render import change_embed, choice_label, mine_embed, progress_embed, receipt_embed

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

Interaction: TypeAlias = discord.Interaction["LoungeBot"]
T = TypeVar("T")

ATTACHMENT_LIMIT = 9 * 1024 * 1024
"""Below Discord's 10 MiB upload limit for bots; a larger export is sent zipped."""
PledgeId = app_commands.Range[int, 1, 2**53 - 1]
"""A pledge id a member types: Discord bounds integer options by JavaScript's safe range, ±(2^53 − 1)."""


def export_file(content: bytes, guild_id: int) -> discord.File:
    name = f"pledges-{guild_id}.csv"
    if len(content) <= ATTACHMENT_LIMIT:
        return discord.File(io.BytesIO(content), filename=name)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    packed.seek(0)
    return discord.File(packed, filename=name + ".zip")


@app_commands.guild_only()
class PledgeCog(commands.GroupCog, group_name="pledge", group_description="Pledge money to the lounge's charity"):
    def __init__(self, pledges: PledgeService, hosts: Hosts) -> None:
        self.pledges = pledges
        self.hosts = hosts
        super().__init__()

    @app_commands.command(name="add", description="Pledge money to the charity")
    @app_commands.describe(
        amount="Dollars, like 25, 25.50 or $1,000",
        note=f"A note for the hosts (up to {MAX_NOTE} characters)",
        anonymous="Keep your name out of announcements and leaderboards (hosts still see it)",
    )
    async def add(
        self,
        interaction: Interaction,
        amount: app_commands.Range[str, 1, 32],
        note: app_commands.Range[str, 1, MAX_NOTE] | None = None,
        anonymous: bool = False,
    ) -> None:
        receipt = await defer_if_slow(
            interaction,
            self.pledges.add_pledge(
                guild_id=guild_id_of(interaction),
                user_id=interaction.user.id,
                display_name=interaction.user.display_name,
                amount=amount,
                note=note,
                anonymous=anonymous,
                interaction_id=interaction.id,
            ),
        )
        await reply(interaction, receipt_embed(receipt))

    @app_commands.command(name="mine", description="Your pledges, with their ids and status")
    async def mine(self, interaction: Interaction) -> None:
        mine = await self.pledges.mine(guild_id_of(interaction), interaction.user.id)
        await reply(interaction, mine_embed(mine))

    @app_commands.command(name="total", description="Raised so far against the goal, tonight and all-time")
    async def total(self, interaction: Interaction) -> None:
        progress = await self.pledges.progress(guild_id_of(interaction))
        await reply(interaction, progress_embed(progress))

    @app_commands.command(name="paid", description="Mark your pledge as paid")
    @app_commands.rename(pledge_id="id")
    @app_commands.describe(pledge_id="The pledge's id (see /pledge mine)")
    async def paid(self, interaction: Interaction, pledge_id: PledgeId) -> None:
        change = await self.pledges.mark_paid(
            guild_id=guild_id_of(interaction),
            pledge_id=pledge_id,
            actor_id=interaction.user.id,
            actor_is_host=await self.hosts.allows(interaction),
        )
        await reply(interaction, change_embed(change, "marked paid"))

    @app_commands.command(name="cancel", description="Cancel your pending pledge (hosts: any pledge, with a reason)")
    @app_commands.rename(pledge_id="id")
    @app_commands.describe(
        pledge_id="The pledge's id (see /pledge mine)",
        reason="Why (required when a host cancels someone's pledge)",
    )
    async def cancel(
        self,
        interaction: Interaction,
        pledge_id: PledgeId,
        reason: app_commands.Range[str, 1, MAX_REASON] | None = None,
    ) -> None:
        change = await self.pledges.cancel(
            guild_id=guild_id_of(interaction),
            pledge_id=pledge_id,
            actor_id=interaction.user.id,
            actor_is_host=await self.hosts.allows(interaction),
            reason=reason,
        )
        await reply(interaction, change_embed(change, "cancelled"))

    @app_commands.command(name="verify", description="Confirm a paid pledge's money arrived (hosts only)")
    @app_commands.rename(pledge_id="id")
    @app_commands.describe(pledge_id="The pledge's id")
    @is_host
    async def verify(self, interaction: Interaction, pledge_id: PledgeId) -> None:
        change = await self.pledges.verify(
            guild_id=guild_id_of(interaction), pledge_id=pledge_id, actor_id=interaction.user.id, actor_is_host=True
        )
        await reply(interaction, change_embed(change, "verified"))

    @app_commands.command(name="export", description="Download every pledge of this server as CSV (hosts only)")
    @is_host
    async def export(self, interaction: Interaction) -> None:
        await respond(interaction, interaction.response.defer(ephemeral=True, thinking=True))
        exported = await self.pledges.export(guild_id_of(interaction), actor_id=interaction.user.id)
        embed = Embed(
            title="Pledge export",
            description=f"{exported.rows} pledges. Names are as members had them when they pledged; anonymous "
            "pledges keep their names here, so keep this file private.",
            colour=Colour.INFO,
        )
        await reply(interaction, embed, file=export_file(exported.content, guild_id_of(interaction)))

    # --- autocomplete: the member's own pledges (verify: the server's paid ones) -----

    @paid.autocomplete("pledge_id")
    async def _own_pending(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        return await self._choices(interaction, current, ("pending",), own=True)

    @cancel.autocomplete("pledge_id")
    async def _own_cancellable(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        return await self._choices(interaction, current, ("pending", "paid"), own=True)

    @verify.autocomplete("pledge_id")
    async def _server_paid(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        return await self._choices(interaction, current, ("paid",), own=False)

    async def _choices(
        self, interaction: Interaction, current: str, statuses: Sequence[str], *, own: bool
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        found = await self.pledges.choices(
            guild_id_of(interaction), statuses=statuses, user_id=interaction.user.id if own else None
        )
        typed = current.strip().lstrip("#")
        return [
            app_commands.Choice(name=choice_label(pledge, with_name=not own), value=pledge.id)
            for pledge in found
            if not typed or str(pledge.id).startswith(typed)
        ]
