"""/privacy forget-me: a member takes their data out of this server's lounge,
after confirming with a persistent button (only they see the prompt; see buttons.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.domain.privacy.service import MemberData, PrivacyService
from bot.embeds import Colour, Embed
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import reply
from cogs.privacy.buttons import ForgetButtons

if TYPE_CHECKING:
    from bot.lounge import LoungeBot


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


@app_commands.guild_only()
class PrivacyCog(commands.GroupCog, group_name="privacy", group_description="Your data in the lounge"):
    def __init__(self, bot: LoungeBot, privacy: PrivacyService, clock: Clock) -> None:
        self.bot = bot
        self.privacy = privacy
        self.buttons = ForgetButtons(privacy, clock)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(self.buttons.item)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(self.buttons.item)

    @app_commands.command(name="forget-me", description="Delete your losses, picks and claims here; anonymise pledges")
    async def forget_me(self, interaction: LoungeInteraction) -> None:
        held = await self.privacy.what_we_hold(guild_id_of(interaction), interaction.user.id)
        view = self.buttons.view(guild_id_of(interaction), interaction.user.id)
        await reply(interaction, confirm_embed(held), view=view)
