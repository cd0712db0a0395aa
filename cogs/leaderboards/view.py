"""The Previous/Next buttons under `/leaderboard show`.

The page state is a :class:`bot.domain.leaderboards.ranking.Pager`; the view only keeps its
buttons in step with it (disabled at either end), answers only the member who
opened the board (others are told so, ephemerally), and greys its buttons out
when it times out.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.domain.leaderboards.ranking import Pager
from bot.domain.leaderboards.service import BoardKind, BoardPage, BoardScope, Cursor, LeaderboardService, page_embed
from bot.interaction_errors import report_error
from bot.text import safe
from bot.ui import NO_PINGS, respond, to_discord

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 180.0


class BoardView(discord.ui.View):
    def __init__(
        self,
        boards: LeaderboardService,
        *,
        guild_id: int,
        kind: BoardKind,
        scope: BoardScope,
        owner_id: int,
        owner_name: str,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(timeout=timeout)
        self.boards = boards
        self.guild_id = guild_id
        self.kind = kind
        self.scope = scope
        self.owner_id = owner_id
        self.owner_name = owner_name
        self.pager: Pager[Cursor] = Pager()
        self.page: BoardPage | None = None
        self.message: discord.InteractionMessage | None = None
        self._sync_buttons()

    async def load(self) -> BoardPage:
        """Fetch the pager's current page; step back when it turned out empty (members left meanwhile)."""
        page = await self._fetch()
        if not page.standings and self.pager.can_previous:
            self.pager.back()
            page = await self._fetch()
        self.page = page
        self._sync_buttons()
        return page

    async def turn(self, *, forward: bool) -> BoardPage | None:
        """Move one page and load it; None (and no move) past either end."""
        moved = self.pager.forward() if forward else self.pager.back()
        if not moved:
            self._sync_buttons()
            return None
        return await self.load()

    def embed(self) -> discord.Embed:
        assert self.page is not None
        return to_discord(page_embed(self.page, viewer_name=self.owner_name))

    async def _fetch(self) -> BoardPage:
        page = await self.boards.page(
            self.guild_id, self.kind, self.scope, cursor=self.pager.cursor, page_number=self.pager.page_number,
            viewer_id=self.owner_id,
        )
        self.pager.loaded(page.next_cursor)
        return page

    def _sync_buttons(self) -> None:
        self.previous.disabled = not self.pager.can_previous
        self.next.disabled = not self.pager.can_next

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await respond(
            interaction,
            interaction.response.send_message(
                f"These buttons belong to {safe(self.owner_name, 64)}: open your own board with `/leaderboard show`.",
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            ),
        )
        return False

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], _: discord.ui.Button[BoardView]) -> None:
        await self._turn(interaction, forward=False)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], _: discord.ui.Button[BoardView]) -> None:
        await self._turn(interaction, forward=True)

    async def _turn(self, interaction: discord.Interaction[Any], *, forward: bool) -> None:
        page = await self.turn(forward=forward)
        if page is None:
            where = "last" if forward else "first"
            await respond(
                interaction, interaction.response.send_message(f"This is the {where} page.", ephemeral=True)
            )
            return
        await respond(
            interaction, interaction.response.edit_message(embed=self.embed(), view=self, allowed_mentions=NO_PINGS)
        )

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is None:
            return
        try:
            await self.message.edit(view=self)
        except discord.HTTPException as error:  # deleted meanwhile, or the token expired: nothing to grey out
            log.debug("could not disable the board's buttons: %s", error)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)
