"""What a ballot page shows, as plain data: the embed, and each category's menu.

Menu texts are shown literally by Discord (no markdown), so they are clipped, not
escaped; embed texts go through :func:`bot.text.safe`. Limits: an option's label,
value and description 100 characters, a placeholder 150, 25 options a menu.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.ballot.service import BallotLine, BallotPage
from bot.domain.ceremonies.files import nominee_base
from bot.domain.ceremonies.service import Nominee, fingerprint
from bot.domain.results.announcements import name_list
from bot.embeds import Colour, Embed, lines_within
from bot.kept import KeptWith
from bot.text import clip, hide, one_line, safe

OPTION_TEXT = 100
PLACEHOLDER = 150
MAX_OPTIONS = 25
OPTIONS_PER_PAGE = 23
"""With more than 25 nominees, a menu shows 23 of them and up to two options that page it."""
PAGE_VALUE = "page:"
_VALUE = re.compile(r"(?P<id>[1-9]\d{0,17}):(?P<check>[0-9a-f]{6})")
PICKED, UNPICKED, LOCKED = "✅", "⬜", "🔒"


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    value: str
    description: str | None = None
    default: bool = False


@dataclass(frozen=True, slots=True)
class Menu:
    """One category's select menu."""

    category_id: int
    placeholder: str
    options: tuple[Option, ...]
    disabled: bool


def option_texts(nominees: tuple[Nominee, ...]) -> list[tuple[str, str | None]]:
    """(label, description) for each nominee: the name, with whatever tells twins apart (the
    episode, a number: the label's own tail, as autocomplete shows it), and the show below it.
    Options that would still read the same (names clipped to 100 characters) are numbered."""
    return list(_option_texts(nominees))


@functools.lru_cache(maxsize=4096)
def _option_texts(nominees: tuple[Nominee, ...]) -> tuple[tuple[str, str | None], ...]:
    """:func:`option_texts`, remembered: a category's menu is drawn on every ballot click, and its
    nominees (frozen, compared by value, the label included) rarely change."""
    texts: list[tuple[str, str | None]] = []
    for nominee in nominees:
        base = nominee_base(nominee.name, nominee.show)
        show = nominee.show if nominee.show and nominee.show.casefold() != nominee.name.casefold() else None
        description = clip(one_line(show), OPTION_TEXT) if show else None
        if nominee.label.startswith(base):
            suffix = clip(nominee.label[len(base):], 40)
            texts.append((clip(one_line(nominee.name), OPTION_TEXT - len(suffix)) + suffix, description))
        else:
            texts.append((clip(one_line(nominee.short_label), OPTION_TEXT), description))
    seen: dict[tuple[str, str], int] = {}
    for label, description in texts:
        key = (label.casefold(), (description or "").casefold())
        seen[key] = seen.get(key, 0) + 1
    numbered: list[tuple[str, str | None]] = []
    for index, (label, description) in enumerate(texts):
        if seen[(label.casefold(), (description or "").casefold())] > 1:
            tag = f" #{index + 1}"
            label = clip(one_line(nominees[index].label), OPTION_TEXT - len(tag)) + tag
        numbered.append((label, description))
    return tuple(numbered)


def nominee_value(nominee: Nominee) -> str:
    """An option's value: the nominee's id and the fingerprint of its label (a stale menu is refused)."""
    return f"{nominee.id}:{fingerprint(nominee.label)}"


def parse_value(value: str) -> tuple[int, str] | None:
    """(nominee id, fingerprint) of an option's value; None for anything else."""
    found = _VALUE.fullmatch(value)
    return (int(found["id"]), found["check"]) if found else None


def option_page_of(line: BallotLine) -> int:
    """The page of a long menu that holds the member's pick (the first page without one)."""
    if line.pick is None or len(line.nominees) <= MAX_OPTIONS:
        return 0
    index = next((i for i, n in enumerate(line.nominees) if n.id == line.pick.id), 0)
    return index // OPTIONS_PER_PAGE


def menu(line: BallotLine, page: BallotPage, option_page: int | None = None) -> Menu:
    texts = option_texts(line.nominees)
    entries = list(zip(line.nominees, texts, strict=True))
    paging: list[Option] = []
    if len(entries) > MAX_OPTIONS:
        pages = -(-len(entries) // OPTIONS_PER_PAGE)
        shown = min(max(option_page if option_page is not None else option_page_of(line), 0), pages - 1)
        start = shown * OPTIONS_PER_PAGE
        entries = entries[start:start + OPTIONS_PER_PAGE]
        if shown > 0:
            paging.append(Option(f"◀ Nominees {start - OPTIONS_PER_PAGE + 1}–{start}", f"{PAGE_VALUE}{shown - 1}"))
        if shown < pages - 1:
            last = min(start + 2 * OPTIONS_PER_PAGE, len(line.nominees))
            paging.append(Option(f"More nominees: {start + OPTIONS_PER_PAGE + 1}–{last} ▶",
                                 f"{PAGE_VALUE}{shown + 1}"))
    locked = line.logged or page.closed
    picked = line.pick.id if line.pick is not None and not locked else None
    options = [
        Option(label, nominee_value(nominee), description, default=nominee.id == picked)
        for nominee, (label, description) in entries
    ]
    return Menu(line.category.id, placeholder(line, page), tuple(options + paging), disabled=locked)


def placeholder(line: BallotLine, page: BallotPage) -> str:
    name = one_line(line.category.name)
    if line.logged:
        if page.spoiler_safe:
            return clip(f"{LOCKED} {name} — result logged", PLACEHOLDER)
        winners = ", ".join(one_line(w.short_label) for w in line.winners)
        return clip(f"{LOCKED} {clip(name, 90)} — won: {winners}", PLACEHOLDER)
    if page.closed:
        return clip(f"{LOCKED} {name} — the ceremony has ended", PLACEHOLDER)
    return clip(f"{name} — choose who wins", PLACEHOLDER)


def menus(page: BallotPage, option_pages: Mapping[int, int] | None = None) -> list[Menu]:
    chosen = option_pages or {}
    return [menu(line, page, chosen.get(line.category.id)) for line in page.lines]


def ballot_embed(page: BallotPage) -> Embed:
    scope = "the telecast categories" if page.scope == "telecast" and page.telecast_marked else "every category"
    head = [f"**{page.picked} of {page.total} picked** · {scope}"]
    if page.scope == "telecast" and not page.telecast_marked:
        head[0] += " (this ceremony marks none as telecast)"
    if page.receipt is not None:
        instead = f" (instead of {safe(page.receipt.previous, 80)})" if page.receipt.previous else ""
        head.append(f"{PICKED} Saved: **{safe(page.receipt.nominee.short_label, 100)}** in "
                    f"{safe(page.receipt.category.name, 120)}{instead}")
    if page.closed:
        head.append("The ceremony has ended: this ballot is the record of your picks.")
    elif page.ceremony.state == "draft":
        head.append("The show hasn't started: every choice is saved at once and can change until its result.")
    lines = [_line(line, page) for line in page.lines]
    if not lines:
        lines = ["Nothing to pick here: every category is picked or has its result."
                 if page.only_unpicked else "This ceremony has no categories yet."]
    embed = Embed(
        title=f"🗳️ Your ballot — {safe(page.ceremony.title, 200)}",
        description=lines_within([*head, "", *lines]),
        colour=Colour.INFO,
    )
    if page.only_unpicked:
        embed.footer = f"Only unpicked · {page.to_pick} left to pick · a choice is saved the moment you make it"
    else:
        embed.footer = f"Page {page.page_number} of {page.pages} · a choice is saved the moment you make it"
    return embed


LINES_KEPT = 4096
"""Drawn lines kept (all dropped when full): a category's line for each pick, spoilers hidden or not."""
_drawn: KeptWith[BallotLine, str] = KeptWith(LINES_KEPT)


def _line(line: BallotLine, page: BallotPage) -> str:
    """The line's text, drawn once for each line object (the service builds one per category and
    pick for a layout, see ``bot.domain.ballot.service._lines``) and spoiler setting."""
    spoiler_safe = page.spoiler_safe
    return _drawn.get(line, spoiler_safe, lambda: _draw(line, spoiler_safe))


def _draw(line: BallotLine, spoiler_safe: bool) -> str:
    name = f"**{safe(line.category.name, 150)}**"
    pick = safe(line.pick.short_label, 100) if line.pick is not None else None
    if line.logged:
        winners = name_list([w.short_label for w in line.winners], 200, each=100)
        outcome = "✅" if line.pick is not None and line.pick in line.winners else "❌"
        verdict = f"won: {winners}" + (f" · your pick: {pick} {outcome}" if pick else " · you didn't pick")
        return f"{LOCKED} {name} — {hide(verdict, spoiler_safe)}"
    if pick is not None:
        return f"{PICKED} {name} — {pick}"
    if not line.nominees:
        return f"{UNPICKED} {name} — no nominees yet"
    return f"{UNPICKED} {name} — not picked yet"


def closed_embed(page: BallotPage) -> Embed:
    """What a ballot turns into when its member clicks Done."""
    return Embed(
        title=f"🗳️ Ballot saved — {page.picked} of {page.total} picked",
        description=(
            "Every choice was saved the moment you made it. Change any of them until its result "
            "is read out: `/ballot` opens your ballot again, `/picks` lists them."
        ),
        colour=Colour.GOOD,
    )
