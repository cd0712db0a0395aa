"""The terminal feed: what the lounge's channels show, live, rendered with rich.

Each message the bot posts becomes a panel per embed (title, description,
fields, footer, in the embed's colour), Discord markdown and mentions turned into
terminal styles and names. Host actions and refusals are one-line notes; a
progress bar counts the categories logged. At the end: the boards as tables
and the money raised against the goal.

With ``quiet`` only the notes that matter (setup, refusals, problems) and the
final summary are printed; a console that isn't a terminal gets plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text

from bot.clock import utc_now
from bot.domain.money import format_cents

MentionLookup = Callable[[str, int], "str | None"]
"""("user" | "role" | "channel", id) → a name, or None when unknown."""

_ESCAPABLE = set("\\*_~`|>#[]()-<:@")
_TAG = re.compile(r"<(@!?|@&|#|t:)(-?\d+)(?::([tTdDfFR]))?>")
_MARKERS = (("**", "bold"), ("__", "underline"), ("~~", "strike"), ("||", "spoiler"))
_SPOILER = Style(color="grey50", bgcolor="grey19")
SHORT_FIELD = 40


def _relative(moment: datetime, now: datetime) -> str:
    seconds = int((moment - now).total_seconds())
    span = abs(seconds)
    if span < 60:
        amount = "a few seconds"
    elif span < 3600:
        amount = f"{span // 60} min"
    elif span < 86400:
        amount = f"{span // 3600} h {span % 3600 // 60} min"
    else:
        amount = f"{span // 86400} days"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def discord_text(
    text: str,
    *,
    mention: MentionLookup | None = None,
    now: datetime | None = None,
    base: Style | str = "",
) -> Text:
    """Discord markdown (bold, italics, underline, strike, spoilers, code, escapes) and tags as rich Text."""
    out = Text(style=base)
    active: dict[str, bool] = {}
    index = 0
    length = len(text)

    def style() -> Style:
        combined = Style()
        if active.get("bold"):
            combined += Style(bold=True)
        if active.get("italic"):
            combined += Style(italic=True)
        if active.get("underline"):
            combined += Style(underline=True)
        if active.get("strike"):
            combined += Style(strike=True)
        if active.get("spoiler"):
            combined += _SPOILER
        return combined

    while index < length:
        char = text[index]
        if char == "\\" and index + 1 < length and text[index + 1] in _ESCAPABLE:
            out.append(text[index + 1], style())
            index += 2
            continue
        if char == "`":
            end = text.find("`", index + 1)
            if end > index:
                out.append(text[index + 1:end], style() + Style(color="cyan"))
                index = end + 1
                continue
        if char == "<":
            tag = _TAG.match(text, index)
            if tag is not None:
                out.append(_tag_text(tag, mention, now), style() + Style(color="bright_blue"))
                index = tag.end()
                continue
        marker = next((pair for pair in _MARKERS if text.startswith(pair[0], index)), None)
        if marker is not None:
            active[marker[1]] = not active.get(marker[1], False)
            index += 2
            continue
        if char in "*_" and _italic_marker(text, index):
            active["italic"] = not active.get("italic", False)
            index += 1
            continue
        if char != "\u200b":
            out.append(char, style())
        index += 1
    return out


def _italic_marker(text: str, index: int) -> bool:
    """A single `*` always toggles italics; a `_` only at a word's edge (snake_case stays)."""
    if text[index] == "*":
        return True
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return not (before.isalnum() and after.isalnum())


def _tag_text(tag: re.Match[str], mention: MentionLookup | None, now: datetime | None) -> str:
    kind, number, style = tag.group(1), int(tag.group(2)), tag.group(3)
    if kind == "t:":
        moment = datetime.fromtimestamp(number, UTC)
        if style == "R":
            return _relative(moment, now or utc_now())
        return moment.strftime("%b %d, %H:%M UTC")
    lookup = {"@": "user", "@!": "user", "@&": "role", "#": "channel"}[kind]
    name = mention(lookup, number) if mention is not None else None
    prefix = "#" if lookup == "channel" else "@"
    return f"{prefix}{name}" if name else f"{prefix}{lookup}-{number}"


def _colour(value: object) -> str:
    return f"#{value:06x}" if isinstance(value, int) and 0 < value <= 0xFFFFFF else "white"


@dataclass(frozen=True, slots=True)
class Board:
    """One final leaderboard as a table: its title, the value's column name, and (rank, name, value) rows."""

    title: str
    value_header: str
    rows: tuple[tuple[str, str, str], ...]
    footer: str = ""


class Feed:
    """Renders the rehearsal for a person watching the terminal."""

    def __init__(
        self,
        console: Console,
        *,
        quiet: bool = False,
        mention: MentionLookup | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.console = console
        self.quiet = quiet
        self.mention = mention
        self.now = now
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    # ---- the live part ----------------------------------------------------------------------

    def begin(self, title: str, categories: int) -> None:
        self.console.print(Rule(Text(f"🎬 Rehearsal: {title}", style="bold gold1")))
        if self.quiet or not self.console.is_terminal:
            return
        self._progress = Progress(
            TextColumn("[bold gold1]{task.description}"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TextColumn("categories · [cyan]{task.fields[clock]}[/] · {task.fields[stats]}"),
            console=self.console,
            transient=True,
        )
        self._task = self._progress.add_task("Results", total=categories, clock="T-1:00", stats="")
        self._progress.start()

    def update(self, logged: int, clock: str, stats: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=logged, clock=clock, stats=stats)

    def end_live(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    # ---- lines ------------------------------------------------------------------------------

    def note(self, when: str, text: str, *, style: str = "dim", always: bool = False) -> None:
        """A line about what the rehearsal did (host actions, members joining)."""
        if self.quiet and not always:
            return
        line = Text()
        line.append(f"{when} ", style="cyan")
        line.append_text(discord_text(text, mention=self.mention, now=self.now(), base=style))
        self.console.print(line)

    def refusal(self, when: str, who: str, command: str, reason: str, *, expected: bool) -> None:
        """The bot said no: show who tried what and the bot's own words."""
        mark = "↩︎ refused (as planned)" if expected else "⛔ refused"
        line = Text()
        line.append(f"{when} ", style="cyan")
        line.append(f"{mark} ", style="yellow" if expected else "bold red")
        line.append(f"{who} · /{command}: ", style="bold")
        line.append_text(discord_text(reason, mention=self.mention, now=self.now()))
        self.console.print(line)

    def problem(self, text: str) -> None:
        self.console.print(Text(f"⚠️  {text}", style="bold red"))

    # ---- channel messages -------------------------------------------------------------------

    def post(self, channel: str, when: str, content: str, embeds: Sequence[dict[str, object]],
             files: Sequence[str] = ()) -> None:
        """A message the bot posted in a channel, as the channel shows it."""
        if self.quiet:
            return
        now = self.now()
        parts: list[RenderableType] = []
        heading = Text()
        heading.append(f"#{channel} · {when}", style="bold magenta")
        if content:
            heading.append("  ")
            heading.append_text(discord_text(content, mention=self.mention, now=now, base="bold"))
        parts.append(heading)
        panels = [self.embed_panel(embed, now) for embed in embeds]
        if len(panels) > 1 and self.console.width >= 120:
            parts.append(Columns(panels, equal=True, expand=True))
        else:
            parts.extend(panels)
        for name in files:
            parts.append(Text(f"📎 {name}", style="italic"))
        self.console.print(Group(*parts))

    def embed_panel(self, embed: dict[str, object], now: datetime) -> Panel:
        body = Text()
        description = embed.get("description")
        if isinstance(description, str) and description:
            body.append_text(discord_text(description, mention=self.mention, now=now))
        fields = embed.get("fields")
        for field in fields if isinstance(fields, list) else []:
            if not isinstance(field, dict):
                continue
            if body:
                body.append("\n")
            name, value = str(field.get("name", "")), str(field.get("value", ""))
            body.append_text(discord_text(name, mention=self.mention, now=now, base="bold"))
            # A short value reads best beside its name ("Right picks: 12"), a list below it.
            body.append(": " if len(value) <= SHORT_FIELD and "\n" not in value else "\n")
            body.append_text(discord_text(value, mention=self.mention, now=now))
        image = embed.get("image")
        if isinstance(image, dict) and image.get("url"):
            body.append("\n🖼  " + str(image["url"]).removeprefix("attachment://"), style="italic")
        footer = embed.get("footer")
        if isinstance(footer, dict) and footer.get("text"):
            body.append("\n")
            body.append_text(discord_text(str(footer["text"]), mention=self.mention, now=now, base="dim"))
        title = embed.get("title")
        return Panel(
            body,
            title=discord_text(str(title), mention=self.mention, now=now, base="bold") if title else None,
            title_align="left",
            border_style=_colour(embed.get("color")),
            expand=True,
        )

    # ---- the end ----------------------------------------------------------------------------

    def boards(self, boards: Sequence[Board]) -> None:
        tables: list[RenderableType] = []
        for board in boards:
            table = Table(
                title=discord_text(board.title, base="bold"), title_justify="left",
                expand=False,
            )
            table.add_column("#", justify="right", style="cyan")
            table.add_column("Member")
            table.add_column(board.value_header, justify="right", style="bold")
            for rank, name, value in board.rows:
                table.add_row(rank, discord_text(name), discord_text(value))
            if not board.rows:
                table.add_row("", Text(board.footer or "nobody yet", style="dim"), "")
            tables.append(table)
        self.console.print(Rule(Text("Final boards", style="bold gold1")))
        self.console.print(Columns(tables, padding=(1, 4)) if self.console.width >= 120 else Group(*tables))

    def money(self, charity: str, raised_cents: int, goal_cents: int, detail: str = "") -> None:
        percent = 100 * raised_cents // goal_cents if goal_cents else 0
        line = Text()
        line.append("💸 Raised ", style="bold")
        line.append(format_cents(raised_cents), style="bold green")
        line.append(f" of {format_cents(goal_cents)} for {charity} ({percent}% of the goal)")
        if detail:
            line.append(f"  {detail}", style="dim")
        self.console.print(line)
        if not self.quiet:
            width = max(10, min(60, self.console.width - 2))
            filled = width * min(raised_cents, goal_cents) // goal_cents if goal_cents else width
            bar = Text("█" * filled, style="green")
            bar.append("░" * (width - filled), style="grey35")
            self.console.print(bar)

    def summary(self, rows: Sequence[tuple[str, str]]) -> None:
        """Name/value lines, never wrapped (paths stay whole for copying)."""
        width = max((len(name) for name, _ in rows), default=0)
        for name, value in rows:
            line = Text()
            line.append(name.ljust(width + 2), style="bold")
            line.append(value)
            self.console.print(line, soft_wrap=True)
