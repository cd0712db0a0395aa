"""Persistent buttons: confirmations of irreversible host actions, and paging.

Their state lives in the custom_id (``lounge:undo:<category>:<result>:yes``),
so a button keeps working after a restart: discord.py rebuilds the item from
the id through the ``template`` of its :class:`discord.ui.DynamicItem` class,
which the owning cog registers in ``cog_load`` with ``bot.add_dynamic_items``.

Every click is re-checked: a confirmation re-checks that the clicker is a host
and the service re-checks the state (a stale "undo" for a result that has since
been re-logged, or "end" for an older ceremony, changes nothing).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.checks import NotHost, member_is_host
from bot.embeds import Embed
from bot.interaction_errors import report_error
from bot.ui import NO_PINGS, respond, to_discord
from bot.views import render

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

Button = discord.ui.Button[discord.ui.View]


def _bot(interaction: discord.Interaction[Any]) -> LoungeBot:
    return cast("LoungeBot", interaction.client)


async def _edit(interaction: discord.Interaction[Any], embed: Embed, view: discord.ui.View | None) -> None:
    """Replace the message the button sits on (after a defer, or as the response)."""
    if interaction.response.is_done():
        await interaction.edit_original_response(embed=to_discord(embed), view=view, allowed_mentions=NO_PINGS)
    else:
        editing = interaction.response.edit_message(embed=to_discord(embed), view=view, allowed_mentions=NO_PINGS)
        await respond(interaction, editing)


async def _require_host(interaction: discord.Interaction[Any]) -> None:
    if interaction.guild_id is None or not await member_is_host(interaction):
        raise NotHost()


# ---- /result undo -------------------------------------------------------------------------


class ConfirmUndo(
    discord.ui.DynamicItem[Button],
    template=r"lounge:undo:(?P<category>\d{1,19}):(?P<result>\d{1,19}):(?P<choice>yes|no)",
):
    def __init__(self, category_id: int, result_id: int, choice: str) -> None:
        yes = choice == "yes"
        super().__init__(discord.ui.Button(
            label="Undo the result" if yes else "Keep it",
            style=discord.ButtonStyle.danger if yes else discord.ButtonStyle.secondary,
            custom_id=f"lounge:undo:{category_id}:{result_id}:{choice}",
        ))
        self.category_id = category_id
        self.result_id = result_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmUndo:
        return cls(int(match["category"]), int(match["result"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _require_host(interaction)
            if self.choice != "yes":
                await _edit(interaction, render.cancelled("The undo"), None)
                return
            await respond(interaction, interaction.response.defer())
            assert interaction.guild_id is not None
            report = await _bot(interaction).services.results.undo(
                interaction.guild_id, actor_id=interaction.user.id, category_id=self.category_id,
                result_id=self.result_id,
            )
            await _edit(interaction, render.result_undone(report), None)
        except Exception as error:  # one error path: the member sees why, we log the unexpected
            await report_error(interaction, error)


def undo_view(category_id: int, result_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmUndo(category_id, result_id, "yes"))
    view.add_item(ConfirmUndo(category_id, result_id, "no"))
    return view


# ---- /ceremony end ------------------------------------------------------------------------


class ConfirmEnd(discord.ui.DynamicItem[Button], template=r"lounge:end:(?P<ceremony>\d{1,19}):(?P<choice>yes|no)"):
    def __init__(self, ceremony_id: int, choice: str) -> None:
        yes = choice == "yes"
        super().__init__(discord.ui.Button(
            label="End the ceremony" if yes else "Not yet",
            style=discord.ButtonStyle.danger if yes else discord.ButtonStyle.secondary,
            custom_id=f"lounge:end:{ceremony_id}:{choice}",
        ))
        self.ceremony_id = ceremony_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmEnd:
        return cls(int(match["ceremony"]), match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _require_host(interaction)
            if self.choice != "yes":
                await _edit(interaction, render.cancelled("Ending the ceremony"), None)
                return
            await respond(interaction, interaction.response.defer())
            assert interaction.guild_id is not None
            bot = _bot(interaction)
            status = await bot.services.ceremonies.end(
                interaction.guild_id, actor_id=interaction.user.id, ceremony_id=self.ceremony_id
            )
            # The recap (leaderboards) listens for this; it runs after the commit above.
            bot.dispatch("ceremony_ended", interaction.guild_id, self.ceremony_id)
            await _edit(interaction, render.ceremony_ended(status), None)
        except Exception as error:
            await report_error(interaction, error)


def end_view(ceremony_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmEnd(ceremony_id, "yes"))
    view.add_item(ConfirmEnd(ceremony_id, "no"))
    return view


# ---- paging: /loser roster and /picks -----------------------------------------------------


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
            assert interaction.guild_id is not None
            roster = await _bot(interaction).services.losers.roster(interaction.guild_id, self.page)
            await _edit(interaction, render.roster_embed(roster), roster_view(roster.page, roster.pages))
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
            assert interaction.guild_id is not None
            services = _bot(interaction).services
            picks = await services.losers.picks_of(interaction.guild_id, self.user_id, "a member")
            spoiler = (await services.settings.get(interaction.guild_id)).spoiler_safe
            pages = render.picks_pages(picks)
            page = min(self.page, pages - 1)
            await _edit(interaction, render.picks_embed(picks, page, spoiler=spoiler),
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
