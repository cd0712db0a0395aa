"""Previous/Next under /loser roster and /picks: persistent buttons whose custom_id carries the page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.interaction_errors import report_error
from bot.types import guild_id_of
from bot.ui import Button

if TYPE_CHECKING:
    pass
from bot.ui import edit_in_place, lounge_bot
from cogs.losers import render


class RosterPageButton(
    discord.ui.DynamicItem[Button], template=r"lounge:roster:(?P<page>\d{1,6}):(?P<way>prev|next)"
):
    def __init__(self, page: int, way: str, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label="Previous" if way == "prev" else "Next", style=discord.ButtonStyle.secondary,
            custom_id=f"lounge:roster:{page}:{way}", disabled=disabled,
        ))
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RosterPageButton:
        return cls(int(match["page"]), match["way"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            roster = await lounge_bot(interaction).services.losers.roster(guild_id_of(interaction), self.page)
            await edit_in_place(interaction, render.roster_embed(roster), roster_view(roster.page, roster.pages))
        except Exception as error:
            await report_error(interaction, error)


def roster_view(page: int, pages: int) -> discord.ui.View | None:
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(RosterPageButton(max(page - 1, 0), "prev", disabled=page == 0))
    view.add_item(RosterPageButton(min(page + 1, pages - 1), "next", disabled=page >= pages - 1))
    return view


class PicksPageButton(
    discord.ui.DynamicItem[Button],
    template=r"lounge:picks:(?P<user>\d{1,19}):(?P<page>\d{1,6}):(?P<way>prev|next)",
):
    def __init__(self, user_id: int, page: int, way: str, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label="Previous" if way == "prev" else "Next", style=discord.ButtonStyle.secondary,
            custom_id=f"lounge:picks:{user_id}:{page}:{way}", disabled=disabled,
        ))
        self.user_id = user_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PicksPageButton:
        return cls(int(match["user"]), int(match["page"]), match["way"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            services = lounge_bot(interaction).services
            picks = await services.losers.picks_of(guild_id_of(interaction), self.user_id, "a member")
            spoiler = (await services.settings.get(guild_id_of(interaction))).spoiler_safe
            pages = render.picks_pages(picks)
            page = min(self.page, pages - 1)
            await edit_in_place(interaction, render.picks_embed(picks, page, spoiler=spoiler),
                        picks_view(self.user_id, page, pages))
        except Exception as error:
            await report_error(interaction, error)


def picks_view(user_id: int, page: int, pages: int) -> discord.ui.View | None:
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PicksPageButton(user_id, max(page - 1, 0), "prev", disabled=page == 0))
    view.add_item(PicksPageButton(user_id, min(page + 1, pages - 1), "next", disabled=page >= pages - 1))
    return view
