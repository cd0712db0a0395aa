"""/privacy forget-me: a member takes their data out of this server's lounge,
after confirming with a button (only they see the prompt)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.privacy.service import ForgetReport, MemberData, PrivacyService
from bot.embeds import Colour, Embed
from bot.interaction_errors import report_error
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import NO_PINGS, reply, respond, to_discord

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 120.0


def confirm_embed(held: MemberData) -> Embed:
    return Embed(
        title="Forget you in this server's lounge?",
        description=(
            f"This deletes your {held.losses:,} loss(es) (declared ones too), {held.picks:,} pick(s) and "
            f"{held.claims:,} claim(s) here, and your name as the lounge knows it. Your {held.pledges:,} "
            "pledge(s) stay in the totals, because the charity counts on that money, but lose every link to "
            "you: they'll show as “Anonymous”. Boards and past announcements that named you are updated where "
            "the bot can; messages already in channels can't be unsent.\n\n"
            "Other servers are not affected. This can't be undone."
        ),
        colour=Colour.WARN,
    )


def done_embed(report: ForgetReport, *, roles_left: bool) -> Embed:
    text = (
        f"Done: {report.removed_rows:,} record(s) deleted and {report.pledges_anonymised:,} pledge(s) "
        "anonymised. The lounge no longer knows who you are."
    )
    if roles_left:
        text += " The bot couldn't take the loser role off you: ask a host to remove it."
    return Embed(title="You've been forgotten", description=text, colour=Colour.GOOD)


class ConfirmForget(discord.ui.View):
    def __init__(self, privacy: PrivacyService, *, guild_id: int, owner_id: int) -> None:
        super().__init__(timeout=CONFIRM_SECONDS)
        self.privacy = privacy
        self.guild_id = guild_id
        self.owner_id = owner_id
        self.prompt: LoungeInteraction | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.owner_id  # the prompt is ephemeral: only they can click anyway

    @discord.ui.button(label="Forget me", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[Any], _: discord.ui.Button[ConfirmForget]) -> None:
        self.stop()
        await respond(interaction, interaction.response.defer())
        report = await self.privacy.forget(self.guild_id, self.owner_id)
        roles_left = await _take_roles_off(interaction, report)
        await interaction.edit_original_response(
            embed=to_discord(done_embed(report, roles_left=roles_left)), view=None, allowed_mentions=NO_PINGS
        )

    @discord.ui.button(label="Keep my data", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], _: discord.ui.Button[ConfirmForget]) -> None:
        self.stop()
        embed = Embed(title="Nothing was changed", description="Your data stays as it was.", colour=Colour.INFO)
        await respond(interaction, interaction.response.edit_message(embed=to_discord(embed), view=None))

    async def on_timeout(self) -> None:
        if self.prompt is None:
            return
        embed = Embed(title="Nothing was changed", description="The question timed out: run `/privacy forget-me` "
                      "again if you still want to be forgotten.", colour=Colour.INFO)
        try:
            await self.prompt.edit_original_response(embed=to_discord(embed), view=None)
        except discord.HTTPException as error:
            log.debug("could not close the forget-me prompt: %s", error)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


async def _take_roles_off(interaction: discord.Interaction[Any], report: ForgetReport) -> bool:
    """Remove the loser role(s) the bot gave; True when some could not be removed."""
    if not report.role_ids or not isinstance(interaction.user, discord.Member):
        return bool(report.role_ids)
    try:
        await interaction.user.remove_roles(
            *(discord.Object(role_id) for role_id in report.role_ids), reason="Forgotten at their request"
        )
    except discord.HTTPException as error:
        log.warning("could not remove the loser role from a forgotten member in guild %s: %s",
                    guild_id_of(interaction), error)
        return True
    return False


@app_commands.guild_only()
class PrivacyCog(commands.GroupCog, group_name="privacy", group_description="Your data in the lounge"):
    def __init__(self, privacy: PrivacyService) -> None:
        self.privacy = privacy
        super().__init__()

    @app_commands.command(name="forget-me", description="Delete your losses, picks and claims here; anonymise pledges")
    async def forget_me(self, interaction: LoungeInteraction) -> None:
        held = await self.privacy.what_we_hold(guild_id_of(interaction), interaction.user.id)
        view = ConfirmForget(self.privacy, guild_id=guild_id_of(interaction), owner_id=interaction.user.id)
        await reply(interaction, confirm_embed(held), view=view)
        view.prompt = interaction
