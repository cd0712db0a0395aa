"""The host's console (`/result console`): one button per nominee of the next open category,
Skip / Back / Tie… / Undo last…, as persistent dynamic buttons. Their custom_ids::

    lounge:console:log:<ceremony>:<category>:<nominee>:<check>   log the winner
    lounge:console:go:<ceremony>:<at>:<page>:<move>              here (a page of nominees), skip, back, tie, undo
    lounge:console:tie:<ceremony>:<at>:<nominee>:<check>         one more winner of the newest result
    lounge:console:undo:<ceremony>:<at>:<result>:<yes|no>        the confirmation of "Undo last…"

``at`` is the category the console stands at (0: none left); ``check`` is the nominee's
fingerprint (six hex digits of its label), so a button whose nominee id now names
someone else is refused. Every click re-checks that the
clicker is a host, then goes through :class:`ConsoleService` (the rules and transactions of
`/result log`, `tie` and `undo`) and edits the console in place. A refused click (a result
another host logged first) shows the console as it stands and says why, ephemerally.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, cast

import discord

from bot.checks import Hosts
from bot.domain.ceremonies.service import Nominee, fingerprint
from bot.domain.errors import InvalidInput, LoungeError
from bot.domain.results.console import ConsolePanel, ConsoleService, Move, TieChoice
from bot.domain.results.service import LoggedResult
from bot.embeds import Embed
from bot.interaction_errors import report_error
from bot.panels import refuse_and_show, show, update_if_slow
from bot.types import guild_id_of
from bot.ui import Button
from cogs.results import render

PREFIX = "lounge:console:"
TEMPLATE = r"lounge:console:(?P<state>.*)"
NOMINEE_ROWS = 4
PER_PAGE = NOMINEE_ROWS * 5
"""Up to twenty nominee buttons in four rows; the fifth row holds the console's own buttons."""
MAX_CUSTOM_ID = 100
Kind = Literal["log", "go", "tie", "undo"]
GoMove = Literal["here", "skip", "back", "tie", "undo"]

_ID = r"[1-9]\d{0,18}"
_AT = r"0|[1-9]\d{0,18}"
_CHECK = r"[0-9a-f]{6}"
_FORMATS: dict[Kind, re.Pattern[str]] = {
    "log": re.compile(rf"log:(?P<ceremony>{_ID}):(?P<at>{_ID}):(?P<nominee>{_ID}):(?P<check>{_CHECK})"),
    "go": re.compile(rf"go:(?P<ceremony>{_ID}):(?P<at>{_AT}):(?P<page>\d{{1,2}}):(?P<move>here|skip|back|tie|undo)"),
    "tie": re.compile(rf"tie:(?P<ceremony>{_ID}):(?P<at>{_AT}):(?P<nominee>{_ID}):(?P<check>{_CHECK})"),
    "undo": re.compile(rf"undo:(?P<ceremony>{_ID}):(?P<at>{_AT}):(?P<result>{_ID}):(?P<answer>yes|no)"),
}
DAMAGED = "That console button is damaged or out of date: nothing was changed. Open a fresh one with `/result console`."


@dataclass(frozen=True, slots=True)
class Target:
    """What a console button names."""

    kind: Kind
    ceremony_id: int
    at: int | None  # the category the console stands at
    nominee_id: int = 0
    page: int = 0
    move: GoMove = "here"
    result_id: int = 0
    yes: bool = False
    check: str | None = None


def parse(custom_id: str) -> Target:
    state = custom_id.removeprefix(PREFIX) if custom_id.startswith(PREFIX) else ""
    for kind, pattern in _FORMATS.items():
        match = pattern.fullmatch(state)
        if match is None:
            continue
        numbers = {key: int(value) for key, value in match.groupdict().items()
                   if key != "check" and value and value.isdecimal()}
        if any(value > 2**63 - 1 for value in numbers.values()):
            break
        return Target(
            kind=kind, ceremony_id=numbers["ceremony"], at=numbers.get("at") or None,
            nominee_id=numbers.get("nominee", 0), page=numbers.get("page", 0),
            move=cast("GoMove", match.groupdict().get("move") or "here"), result_id=numbers.get("result", 0),
            yes=match.groupdict().get("answer") == "yes", check=match.groupdict().get("check"),
        )
    raise InvalidInput(DAMAGED, reason="damaged_custom_id", custom_id=custom_id[:100])


def _checked(custom_id: str) -> str:
    assert len(custom_id) <= MAX_CUSTOM_ID, custom_id
    return custom_id


def log_id(ceremony_id: int, category_id: int, nominee: Nominee) -> str:
    return _checked(f"{PREFIX}log:{ceremony_id}:{category_id}:{nominee.id}:{fingerprint(nominee.label)}")


def go_id(ceremony_id: int, at: int | None, move: GoMove, page: int = 0) -> str:
    return _checked(f"{PREFIX}go:{ceremony_id}:{at or 0}:{page}:{move}")


def tie_id(ceremony_id: int, at: int | None, nominee: Nominee) -> str:
    return _checked(f"{PREFIX}tie:{ceremony_id}:{at or 0}:{nominee.id}:{fingerprint(nominee.label)}")


def undo_id(ceremony_id: int, at: int | None, result_id: int, answer: Literal["yes", "no"]) -> str:
    return _checked(f"{PREFIX}undo:{ceremony_id}:{at or 0}:{result_id}:{answer}")


class ConsoleButton(discord.ui.DynamicItem[Button], template=TEMPLATE):
    """Answered by the :class:`ConsoleUI` it is bound to (see :meth:`ConsoleUI.__init__`)."""

    ui: ClassVar[ConsoleUI]

    def __init__(self, button: Button) -> None:
        super().__init__(button)

    @classmethod
    def build(
        cls, custom_id: str, label: str, *, style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int, disabled: bool = False,
    ) -> ConsoleButton:
        return cls(discord.ui.Button(label=label, custom_id=custom_id, style=style, row=row, disabled=disabled))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConsoleButton:
        if isinstance(item, discord.ui.Button):
            return cls(item)
        return cls(discord.ui.Button(label="-", custom_id=match.string))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.ui.pressed(interaction, self.item.custom_id or "")


class ConsoleUI:
    """The console's messages and the answers to its buttons, bound to the console service."""

    def __init__(self, console: ConsoleService, hosts: Hosts) -> None:
        self.console = console
        self.hosts = hosts
        owner = self

        class Bound(ConsoleButton, template=TEMPLATE):
            ui = owner

        self.button_item: type[ConsoleButton] = Bound

    # ---- messages -----------------------------------------------------------------------------

    def _nominee_rows(
        self, view: discord.ui.View, nominees: tuple[Nominee, ...], page: int, custom_id: Callable[[Nominee], str]
    ) -> int | None:
        """Add a page of nominee buttons (rows 0–3); the next page's number when there are more."""
        pages = max(1, -(-len(nominees) // PER_PAGE))
        page = min(max(page, 0), pages - 1)
        labels = render.nominee_button_labels(nominees)[page * PER_PAGE:(page + 1) * PER_PAGE]
        shown = nominees[page * PER_PAGE:(page + 1) * PER_PAGE]
        for index, (nominee, label) in enumerate(zip(shown, labels, strict=True)):
            view.add_item(self.button_item.build(
                custom_id(nominee), label, style=discord.ButtonStyle.primary, row=index // 5,
            ))
        return (page + 1) % pages if pages > 1 else None

    def panel_message(
        self, panel: ConsolePanel, page: int = 0, *, note: str | None = None
    ) -> tuple[list[Embed], discord.ui.View]:
        view = discord.ui.View(timeout=None)
        ceremony, current = panel.ceremony.id, panel.current
        at = current.id if current is not None else None
        more = None
        if current is not None:
            more = self._nominee_rows(view, panel.nominees, page, lambda n: log_id(ceremony, current.id, n))
        no_other = current is None or panel.others_open == 0
        button = self.button_item.build
        view.add_item(button(go_id(ceremony, at, "skip"), "Skip", row=4, disabled=no_other))
        view.add_item(button(go_id(ceremony, at, "back"), "Back", row=4, disabled=no_other))
        view.add_item(button(go_id(ceremony, at, "tie"), "Tie…", row=4, disabled=panel.newest is None))
        view.add_item(button(go_id(ceremony, at, "undo"), "Undo last…", row=4, disabled=panel.newest is None))
        if more is not None:
            view.add_item(button(go_id(ceremony, at, "here", more), f"Nominees {more * PER_PAGE + 1}… ▸", row=4))
        return [render.console_embed(panel, note=note)], view

    def tie_message(self, choice: TieChoice, at: int | None, page: int = 0) -> tuple[list[Embed], discord.ui.View]:
        view = discord.ui.View(timeout=None)
        ceremony = choice.ceremony.id
        more = self._nominee_rows(view, choice.candidates, page, lambda n: tie_id(ceremony, at, n))
        view.add_item(self.button_item.build(go_id(ceremony, at, "here"), "Cancel", row=4))
        if more is not None:
            view.add_item(self.button_item.build(go_id(ceremony, at, "tie", more), f"Nominees {more * PER_PAGE + 1}… ▸",
                                                 row=4))
        return [render.console_tie_embed(choice)], view

    def undo_message(
        self, logged: LoggedResult, ceremony_id: int, at: int | None
    ) -> tuple[list[Embed], discord.ui.View]:
        view = discord.ui.View(timeout=None)
        view.add_item(self.button_item.build(undo_id(ceremony_id, at, logged.result_id, "yes"), "Undo the result",
                                             style=discord.ButtonStyle.danger, row=0))
        view.add_item(self.button_item.build(undo_id(ceremony_id, at, logged.result_id, "no"), "Keep it", row=0))
        return [render.confirm_undo(logged)], view

    # ---- answering ----------------------------------------------------------------------------

    async def pressed(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        try:
            target = parse(custom_id)
            guild_id = guild_id_of(interaction)
            await self.hosts.require(interaction)  # at click time, not only when the panel was posted
        except Exception as error:  # a damaged id, a DM, a member who isn't a host: nothing changes
            await report_error(interaction, error)
            return
        try:
            try:
                embeds, view = await update_if_slow(interaction, self._act(interaction, guild_id, target))
            except LoungeError as refused:
                await self._refuse(interaction, guild_id, target, refused)
                return
            await show(interaction, embeds, view)
        except Exception as error:  # one error path: the host sees why, we log the unexpected
            await report_error(interaction, error)

    async def _act(
        self, interaction: discord.Interaction[Any], guild_id: int, target: Target
    ) -> tuple[list[Embed], discord.ui.View | None]:
        console, actor, ceremony = self.console, interaction.user.id, target.ceremony_id
        if target.kind == "log":
            assert target.at is not None
            panel = await console.log(guild_id, actor_id=actor, ceremony_id=ceremony, category_id=target.at,
                                      nominee_id=target.nominee_id, winner_check=target.check)
            return self.panel_message(panel)
        if target.kind == "tie":
            panel = await console.tie(guild_id, actor_id=actor, ceremony_id=ceremony, nominee_id=target.nominee_id,
                                      at=target.at, nominee_check=target.check)
            return self.panel_message(panel)
        if target.kind == "undo":
            if not target.yes:
                panel = await console.panel(guild_id, ceremony_id=ceremony, at=target.at)
                return self.panel_message(panel, note="Nothing changed: the undo was cancelled.")
            panel = await console.undo(guild_id, actor_id=actor, ceremony_id=ceremony, result_id=target.result_id)
            return self.panel_message(panel)
        if target.move == "tie":
            choice = await console.tie_choice(guild_id, ceremony_id=ceremony)
            return self.tie_message(choice, target.at, target.page)
        if target.move == "undo":
            logged = await console.newest(guild_id, ceremony_id=ceremony)
            return self.undo_message(logged, ceremony, target.at)
        move: Move = target.move
        panel = await console.panel(guild_id, ceremony_id=ceremony, at=target.at, move=move)
        return self.panel_message(panel, target.page)

    async def _refuse(
        self, interaction: discord.Interaction[Any], guild_id: int, target: Target, refused: LoungeError
    ) -> None:
        """Show the console as it stands now and say why the click changed nothing; when the
        console itself is gone (another ceremony), only say why."""
        try:
            panel = await self.console.panel(guild_id, ceremony_id=target.ceremony_id, at=target.at)
        except LoungeError:
            await report_error(interaction, refused)
            return
        await refuse_and_show(interaction, refused, *self.panel_message(panel))
