"""/leaderboard show and /leaderboard post: a thin layer over LeaderboardService;
and the loop that posts the boards every N minutes while a ceremony is live."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import Hosts, is_host
from bot.domain.leaderboards.schedule import LeaderboardSchedule
from bot.domain.leaderboards.service import BoardKind, LeaderboardService, ScopeChoice
from bot.domain.settings.service import SettingsService
from bot.embeds import Colour, Embed
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import defer_if_slow, reply
from cogs.leaderboards.buttons import BoardPager

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

log = logging.getLogger(__name__)


# One indexed query per live ceremony: cheap enough to check often, so a post is
# never late by more than a couple of seconds (and a sped-up rehearsal sees every slot).
SCHEDULE_TICK_SECONDS = 2.0
BOARD_CHOICES = [app_commands.Choice(name=kind.value, value=kind.value) for kind in BoardKind]
SCOPE_CHOICES = [app_commands.Choice(name=choice.value, value=choice.value) for choice in ScopeChoice]


@app_commands.guild_only()
class LeaderboardCog(
    commands.GroupCog, group_name="leaderboard", group_description="The losers, donors and pickers boards"
):
    def __init__(
        self, bot: LoungeBot, boards: LeaderboardService, schedule: LeaderboardSchedule, settings: SettingsService,
        hosts: Hosts,
    ) -> None:
        self.bot = bot
        self.boards = boards
        self.schedule = schedule
        self.settings = settings
        self.hosts = hosts
        self.pager = BoardPager(boards)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(self.pager.button)
        self.scheduled_posts.start()

    async def cog_unload(self) -> None:
        self.scheduled_posts.cancel()
        self.bot.remove_dynamic_items(self.pager.button)

    @app_commands.command(name="show", description="A leaderboard, ten to a page, with your own rank")
    @app_commands.describe(
        board="losers (most losses), donors (most pledged) or pickers (most right picks)",
        scope="The current ceremony or all time (default: the current ceremony, if there is one)",
    )
    @app_commands.choices(board=BOARD_CHOICES, scope=SCOPE_CHOICES)
    async def show(
        self,
        interaction: LoungeInteraction,
        board: app_commands.Choice[str],
        scope: app_commands.Choice[str] | None = None,
    ) -> None:
        guild_id, kind = guild_id_of(interaction), BoardKind(board.value)
        first = self.pager.first_page(interaction, guild_id, kind, None if scope is None else scope.value)
        state, page = await defer_if_slow(interaction, first, ephemeral=False)
        await self.pager.reply(interaction, state, page, ephemeral=False)

    @app_commands.command(name="post", description="Post the boards to the leaderboard channel now (hosts only)")
    @is_host
    async def post(self, interaction: LoungeInteraction) -> None:
        await self.boards.post_now(guild_id_of(interaction), actor_id=interaction.user.id,
                                   buttons=self.pager.post_buttons)
        channel_id = (await self.settings.get(guild_id_of(interaction))).leaderboard_channel_id
        where = f"<#{channel_id}>" if channel_id else "the announcement channel (no leaderboard channel is set)"
        await reply(interaction, Embed(title="Boards posted", description=f"They're on their way to {where}.",
                                       colour=Colour.GOOD))

    @tasks.loop(seconds=SCHEDULE_TICK_SECONDS)
    async def scheduled_posts(self) -> None:
        try:
            posted = await self.schedule.post_due(self.pager.post_buttons)
        except Exception:
            log.exception("the scheduled leaderboard check failed; trying again next tick")
            return
        for post in posted:
            log.info("queued leaderboard slot %s for guild %s", post.slot, post.guild_id)

    @scheduled_posts.before_loop
    async def _before_scheduled_posts(self) -> None:
        await self.bot.wait_until_ready()
