"""The ballot's Discord side: its message (an embed, four menus, a row of buttons) and the
answers to its menus and buttons.

Built once per bot with the service it needs (:meth:`BallotUI.__init__` binds its own
menu and button classes to it, so the components reach the service they were handed,
never a global). Every answer edits the ballot in place within Discord's 3 s, deferring
the update when the database is slow; a refused choice shows the page as it stands and
says why, ephemerally.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Mapping
from typing import Any

import discord

from bot.domain.ballot.service import BallotCursor, BallotLine, BallotPage, BallotService, Turn
from bot.domain.errors import InvalidInput, LoungeError
from bot.embeds import Embed
from bot.interaction_errors import report_error
from bot.panels import refuse_and_show, show, update_if_slow
from bot.types import guild_id_of
from bot.ui import action_row, posted_view
from cogs.ballot import ids, render
from cogs.ballot.buttons import BallotButton
from cogs.ballot.selects import BallotSelect

MENUS_KEPT = 8192
"""Menu payloads kept (least recently used dropped): a category's menu for each pick a member
made in it, for each state of the ceremony. Full, about 18 MB (2.2 KB a menu, measured with
tracemalloc on the 2014 Emmys: every category's menu for every pick, over many revisions)."""

TURNS: dict[ids.Action, Turn] = {"prev": "previous", "next": "next", "only": "only_unpicked", "all": "show_all"}


class BallotUI:
    def __init__(self, ballots: BallotService) -> None:
        self.ballots = ballots
        owner = self

        class Select(BallotSelect, template=ids.PICK_TEMPLATE):
            ui = owner

        class Button(BallotButton, template=ids.GO_TEMPLATE):
            ui = owner

        self.select_item: type[BallotSelect] = Select
        self.button_item: type[BallotButton] = Button
        self._menus: OrderedDict[tuple[Any, ...], dict[str, Any] | None] = OrderedDict()

    @property
    def items(self) -> tuple[type[BallotSelect], type[BallotButton]]:
        """The dynamic item classes to register with ``bot.add_dynamic_items``."""
        return self.select_item, self.button_item

    # ---- the message --------------------------------------------------------------------------

    def view(self, page: BallotPage, option_pages: Mapping[int, int] | None = None) -> discord.ui.View | None:
        """The page's menus and its row of buttons, as Discord's raw rows (:func:`bot.ui.posted_view`):
        their clicks reach the dynamic items, so discord.py need neither build nor keep a view."""
        if not page.lines and not page.only_unpicked:
            return None
        chosen = option_pages or {}
        named = ids.PageIds(page.cursor)
        ceremony = page.ceremony
        state = (ceremony.id, ceremony.created_at, ceremony.revision, page.closed, page.spoiler_safe)
        rows: list[dict[str, Any]] = []
        for line in page.lines:
            menu = self._menu(line, page, chosen.get(line.category.id), state)
            if menu is not None:  # a category left without nominees has no menu (Discord refuses an empty one)
                rows.append(action_row({**menu, "custom_id": named.pick(line.category.id)}))
        toggle: ids.Action = "all" if page.only_unpicked else "only"
        button = self.button_item.component
        rows.append(action_row(
            button(named.go("prev"), "prev", disabled=not page.has_previous),
            button(named.go("next"), "next", disabled=not page.has_next),
            button(named.go(toggle), toggle),
            button(named.go("done"), "done"),
        ))
        return posted_view(rows)

    def _menu(
        self, line: BallotLine, page: BallotPage, option_page: int | None, state: tuple[Any, ...]
    ) -> dict[str, Any] | None:
        """A category's menu payload, without its custom_id (the page's cursor names it), drawn once
        for each state it can show: `state` (the layout's revision, its nominees and results; the
        ceremony ended or not; spoilers hidden or not), the member's pick, the page of a long menu."""
        key = (state, line.category.id, None if line.pick is None else line.pick.id, option_page)
        if key in self._menus:
            self._menus.move_to_end(key)
            return self._menus[key]
        menu = render.menu(line, page, option_page)
        payload = self.select_item.component("", menu) if menu.options else None
        self._menus[key] = payload
        if len(self._menus) > MENUS_KEPT:
            self._menus.popitem(last=False)
        return payload

    def message(
        self, page: BallotPage, option_pages: Mapping[int, int] | None = None
    ) -> tuple[list[Embed], discord.ui.View | None]:
        return [render.ballot_embed(page)], self.view(page, option_pages)

    # ---- answering ----------------------------------------------------------------------------

    async def chose(self, interaction: discord.Interaction[Any], custom_id: str, values: list[str]) -> None:
        """A member chose an option in a category's menu: a nominee (the pick), or a page of a long menu."""
        try:
            target = ids.parse_pick(custom_id)
            guild_id = guild_id_of(interaction)
            if len(values) != 1:
                raise InvalidInput(ids.DAMAGED, reason="damaged_custom_id")
            value = values[0]
        except Exception as error:
            await report_error(interaction, error)
            return
        user = interaction.user
        if value.startswith(render.PAGE_VALUE) and value[len(render.PAGE_VALUE):].isdecimal():
            option_pages = {target.category_id: int(value[len(render.PAGE_VALUE):])}
            reading = self.ballots.page(guild_id, user.id, target.cursor)
            await self._answer(interaction, guild_id, target.cursor, reading, option_pages)
            return
        chosen = render.parse_value(value)
        if chosen is None:
            await report_error(interaction, InvalidInput(ids.DAMAGED, reason="damaged_custom_id"))
            return
        choosing = self.ballots.choose(
            guild_id, user_id=user.id, display_name=user.display_name, cursor=target.cursor,
            category_id=target.category_id, nominee_id=chosen[0], nominee_check=chosen[1],
        )
        await self._answer(interaction, guild_id, target.cursor, choosing)

    async def pressed(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        """Previous, Next, Only unpicked / Show all, or Done."""
        try:
            target = ids.parse_go(custom_id)
            guild_id = guild_id_of(interaction)
        except Exception as error:
            await report_error(interaction, error)
            return
        user_id = interaction.user.id
        if target.action == "done":
            try:
                page = await update_if_slow(interaction, self.ballots.page(guild_id, user_id, target.cursor))
                await show(interaction, [render.closed_embed(page)], None)
            except Exception as error:
                await report_error(interaction, error)
            return
        turning = self.ballots.turn(guild_id, user_id, target.cursor, TURNS[target.action])
        await self._answer(interaction, guild_id, target.cursor, turning)

    async def _answer(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        cursor: BallotCursor,
        work: Awaitable[BallotPage],
        option_pages: Mapping[int, int] | None = None,
    ) -> None:
        try:
            try:
                page = await update_if_slow(interaction, work)
            except LoungeError as refused:
                await self._refuse(interaction, guild_id, cursor, refused)
                return
            await show(interaction, *self.message(page, option_pages))
        except Exception as error:  # one error path: the member sees why, we log the unexpected
            await report_error(interaction, error)

    async def _refuse(
        self, interaction: discord.Interaction[Any], guild_id: int, cursor: BallotCursor, refused: LoungeError
    ) -> None:
        """Show the page as it stands (a category just locked shows its lock) and say why; when
        the page itself is gone (another ceremony, a damaged id), only say why."""
        try:
            current = await self.ballots.page(guild_id, interaction.user.id, cursor)
        except LoungeError:
            await report_error(interaction, refused)
            return
        await refuse_and_show(interaction, refused, *self.message(current))
