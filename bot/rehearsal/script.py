"""The night's plan: a deterministic list of events from a ceremony file and a seed.

:func:`load_ceremony` reads the host's nominee file (JSON like ``emmys-2014.json``
or the CSV the bot accepts, optionally with a ``winner`` column), refusing it with
the very sentence the bot's `/ceremony import` would answer. :func:`plan_night`
turns it into a :class:`Script`: who joins, claims, picks, declares and pledges,
and when the host logs each result, all at minutes of show time (negative before
the show starts). The same file, member count and seed always give the same
script, so the same final totals.

The shape of the night (three hours of show):

* before the show: the host's setup, members joining, claiming the nominees they
  are, declaring themselves losers, first picks;
* Creative Arts results (categories the file doesn't mark ``telecast``) in the
  first 45 minutes, then the telecast awards spread over the rest; with no
  telecast flags every category is spread over the whole show;
* one wrong result, undone and re-logged; ties logged with `/result tie`;
* a few actions the bot should refuse (a pick after its category is locked, a
  nominee someone else claimed), so the rehearsal shows refusals too;
* pledges and declarations all through the show; the host ends it at 2:58.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.clock import utc_now
from bot.domain.ceremonies.files import ParsedCategory, parse_ceremony_file
from bot.domain.ceremonies.service import MAX_CEREMONY_NAME, MAX_YEAR, MIN_YEAR, short_label
from bot.domain.errors import InvalidInput
from bot.text import cut, one_line

HOST = "Hana Host"
SHOW_MINUTES = 180.0
END_MINUTE = 178.0
LEADERBOARD_INTERVAL = 20
WINNER_TAX = "100"
GOAL_PER_MEMBER_DOLLARS = 250
MAX_MEMBERS = 1000

FIRST_NAMES = (
    "Ada", "Bao", "Cleo", "Dev", "Esme", "Finn", "Gus", "Hedy", "Ines", "Jun", "Kit", "Lior", "Mae", "Nico",
    "Oona", "Pax", "Quin", "Rosa", "Sol", "Tam", "Uma", "Vik", "Wren", "Xavi", "Yara", "Zeb", "Alba", "Bram",
    "Cyd", "Dara", "Eli", "Fern", "Gil", "Hal", "Ivo", "Joss", "Kai", "Lux", "Milo", "Nell", "Otto", "Pia",
    "Rafe", "Saba", "Teo", "Ula", "Vera", "Wim", "Yves", "Zora",
)
LAST_NAMES = (
    "Ardent", "Bellweather", "Castellan", "Dunmore", "Everly", "Fairbanks", "Glass", "Holloway", "Ives",
    "Juniper", "Kestrel", "Lark", "Marlowe", "Nightingale", "Oakes", "Pennywhistle", "Quill", "Rook", "Sable",
    "Thistle", "Umber", "Vane", "Whitlock", "Yarrow", "Zephyr", "Applegate", "Brightwater", "Copperfield",
    "Dimmock", "Eastwood",
)
DECLARATION_NOTES = (
    "Lost the office pool again",
    "My favourite show got snubbed",
    "Ate all the popcorn before the opening monologue",
    "Bet my couch on the wrong drama",
    "Still not over last year",
    "Forgot to record the red carpet",
    "Was sure it was their year",
)
PLEDGE_AMOUNTS = ("5", "10", "20", "25", "$25", "25.50", "50", "50", "100", "100", "150", "250", "500", "1,000")
PLEDGE_NOTES = (
    "For the snubbed",
    "In honour of every losing nominee",
    "Matching my sister's pledge",
    "One dollar per commercial break, roughly",
    "Because the speech was too short",
    "For the orphans, with love from the couch",
)


class CeremonyFileError(Exception):
    """The ceremony file can't be rehearsed; the message is one sentence for the user."""


class Kind(StrEnum):
    SETTINGS = "settings"
    CREATE = "create"
    IMPORT = "import"
    JOIN = "join"
    DECLARE = "declare"
    CLAIM = "claim"
    PICK = "pick"
    START = "start"
    PLEDGE = "pledge"
    PLEDGE_PAID = "pledge paid"
    RESULT_LOG = "result log"
    RESULT_TIE = "result tie"
    RESULT_UNDO = "result undo"
    END = "end"


@dataclass(frozen=True, slots=True)
class PlannedNominee:
    position: int
    name: str
    label: str
    choice: str
    """What autocomplete shows for this nominee (the label within 100 characters)."""
    won: bool


@dataclass(frozen=True, slots=True)
class PlannedCategory:
    position: int
    name: str
    telecast: bool
    nominees: tuple[PlannedNominee, ...]

    @property
    def file_winners(self) -> tuple[int, ...]:
        return tuple(nominee.position for nominee in self.nominees if nominee.won)


@dataclass(frozen=True, slots=True)
class CeremonyFile:
    path: Path
    data: bytes
    name: str
    year: int
    categories: tuple[PlannedCategory, ...]


@dataclass(frozen=True, slots=True)
class Event:
    minute: float
    """Show time in minutes: 0 is `/ceremony start`, negative is before the show."""
    actor: str
    kind: Kind
    category: int | None = None
    nominee: int | None = None
    amount: str | None = None
    note: str | None = None
    anonymous: bool = False
    why: str = ""
    """Why the bot should refuse it ("late", "taken"), or "wrong" for the wrong result; else empty."""

    @property
    def by_host(self) -> bool:
        return self.actor == HOST

    @property
    def barrier(self) -> bool:
        """Runs alone, after everything before it finished: host actions and claims (one per nominee)."""
        return self.by_host or self.kind is Kind.CLAIM


@dataclass(frozen=True, slots=True)
class Script:
    ceremony: CeremonyFile
    seed: int
    members: tuple[str, ...]
    events: tuple[Event, ...]
    winners: dict[int, tuple[int, ...]]
    """Category position → the winners the host logs in the end (the file's, or drawn by the seed)."""
    drawn: tuple[int, ...]
    """Categories whose file names no winner: the rehearsal drew one."""
    wrong: tuple[int, int] | None
    """(category, nominee) of the wrong result the host logs, then undoes."""
    goal: str
    winner_tax: str = WINNER_TAX
    leaderboard_interval: int = LEADERBOARD_INTERVAL
    notes: tuple[str, ...] = field(default=())

    def category(self, position: int) -> PlannedCategory:
        return self.ceremony.categories[position]


# ---- reading the file ----------------------------------------------------------------------


def load_ceremony(path: Path) -> CeremonyFile:
    """Read and check the file as the bot's `/ceremony import` would; raise CeremonyFileError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CeremonyFileError(f"The ceremony file {str(path)!r} doesn't exist.") from None
    except IsADirectoryError:
        raise CeremonyFileError(f"The ceremony file {str(path)!r} is a folder, not a file.") from None
    except OSError as error:
        raise CeremonyFileError(f"The ceremony file {str(path)!r} can't be read: {error.strerror}.") from None
    try:
        parsed = parse_ceremony_file(data, path.name)
    except InvalidInput as error:
        raise CeremonyFileError(f"{path.name}: {error}") from None
    raw = _raw_json(data) if _is_json(path, data) else None
    flags = _json_flags(raw, len(parsed.categories)) if raw is not None else _csv_flags(data, parsed.categories)
    telecast_marked = any(telecast for telecast, _ in flags)
    categories = []
    for position, (category, (telecast, won)) in enumerate(zip(parsed.categories, flags, strict=True)):
        nominees = tuple(
            PlannedNominee(
                position=index,
                name=nominee.name,
                label=nominee.label,
                choice=short_label(nominee.name, nominee.show, nominee.label),
                won=index < len(won) and won[index],
            )
            for index, nominee in enumerate(category.nominees)
        )
        categories.append(PlannedCategory(position, category.name, telecast or not telecast_marked, nominees))
    return CeremonyFile(
        path=path,
        data=data,
        name=_ceremony_name(raw, path),
        year=_ceremony_year(raw, path),
        categories=tuple(categories),
    )


def _is_json(path: Path, data: bytes) -> bool:
    lowered = path.name.lower()
    if lowered.endswith(".json"):
        return True
    return not lowered.endswith(".csv") and data.decode("utf-8-sig").lstrip()[:1] in ("{", "[")


def _raw_json(data: bytes) -> dict[str, Any]:
    document = json.loads(data.decode("utf-8-sig"))
    assert isinstance(document, dict), "parse_ceremony_file accepted it, so it is an object"
    return document


def _json_flags(raw: dict[str, Any], count: int) -> list[tuple[bool, list[bool]]]:
    """(telecast, winner flags) per category, in the file's order (the bot's parser keeps it)."""
    flags: list[tuple[bool, list[bool]]] = []
    for category in raw["categories"][:count]:
        nominees = category.get("nominees") or []
        won = [isinstance(nominee, dict) and nominee.get("winner") is True for nominee in nominees]
        flags.append((category.get("telecast") is True, won))
    return flags


def _csv_flags(data: bytes, categories: Sequence[ParsedCategory]) -> list[tuple[bool, list[bool]]]:
    """Winner flags from an optional `winner` column (true, yes, 1, x); no telecast flags in a CSV."""
    winners: dict[str, list[bool]] = {}
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    columns = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "winner" in columns and "category" in columns:
        category_at, winner_at = columns.index("category"), columns.index("winner")
        for row in rows[1:]:
            key = " ".join(row[category_at].split()).casefold()
            winners.setdefault(key, []).append(row[winner_at].strip().lower() in ("true", "yes", "1", "x", "won"))
    return [(False, winners.get(category.name.casefold(), [])) for category in categories]


def _ceremony_name(raw: dict[str, Any] | None, path: Path) -> str:
    name = raw.get("ceremony") if raw is not None else None
    if not isinstance(name, str) or not name.strip():
        name = re.sub(r"[-_]+", " ", path.stem).strip().title() or "Rehearsal ceremony"
    return cut(one_line(name), MAX_CEREMONY_NAME)


def _ceremony_year(raw: dict[str, Any] | None, path: Path) -> int:
    year = raw.get("year") if raw is not None else None
    if isinstance(year, int) and not isinstance(year, bool) and MIN_YEAR <= year <= MAX_YEAR:
        return year
    for found in re.findall(r"(?<!\d)(\d{4})(?!\d)", path.stem):
        if MIN_YEAR <= int(found) <= MAX_YEAR:
            return int(found)
    return utc_now().year


# ---- planning the night --------------------------------------------------------------------


def member_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct names: first and last name pairs, numbered beyond the pairs there are."""
    pairs = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    if count <= len(pairs):
        return rng.sample(pairs, count)
    return pairs + [f"Guest {number}" for number in range(1, count - len(pairs) + 1)]


def result_minutes(categories: tuple[PlannedCategory, ...]) -> dict[int, float]:
    """When each category's result is read out: Creative Arts first, then the telecast."""
    creative = [category.position for category in categories if not category.telecast]
    telecast = [category.position for category in categories if category.telecast]
    blocks = [(creative, 3.0, 45.0), (telecast, 50.0, 172.0)] if creative and telecast else [
        (creative or telecast, 5.0, 172.0)
    ]
    minutes: dict[int, float] = {}
    for positions, first, last in blocks:
        for index, position in enumerate(positions):
            minutes[position] = first + (last - first) * (index + 0.5) / len(positions)
    return minutes


class _Planner:
    def __init__(self, ceremony: CeremonyFile, members: int, seed: int) -> None:
        self.ceremony = ceremony
        self.rng = random.Random(seed)  # noqa: S311 - a seeded generator, for a night that replays exactly
        self.members = member_names(members, self.rng)
        self.events: list[Event] = []
        self.times = result_minutes(ceremony.categories)
        order = sorted(self.times, key=lambda position: self.times[position])
        self.gaps = {
            position: (self.times[order[index + 1]] if index + 1 < len(order) else END_MINUTE) - self.times[position]
            for index, position in enumerate(order)
        }
        self.order = order
        self.winners: dict[int, tuple[int, ...]] = {}
        self.drawn: list[int] = []
        self.joined: dict[str, float] = {}

    def add(self, minute: float, actor: str, kind: Kind, **details: Any) -> None:
        self.events.append(Event(round(minute, 3), actor, kind, **details))

    def plan(self) -> tuple[list[Event], tuple[int, int] | None]:
        self.choose_winners()
        self.host_setup()
        self.join()
        self.claims()
        self.picks()
        self.declarations()
        self.pledges()
        wrong = self.results()
        self.add(END_MINUTE, HOST, Kind.END)
        events = sorted(enumerate(self.events), key=lambda pair: (pair[1].minute, pair[0]))
        return [event for _, event in events], wrong

    def choose_winners(self) -> None:
        for category in self.ceremony.categories:
            winners = category.file_winners
            if not winners:
                winners = (self.rng.randrange(len(category.nominees)),)
                self.drawn.append(category.position)
            self.winners[category.position] = winners

    def host_setup(self) -> None:
        for minute, kind in ((-60.0, Kind.SETTINGS), (-59.0, Kind.CREATE), (-58.0, Kind.IMPORT), (0.0, Kind.START)):
            self.add(minute, HOST, kind)

    def join(self) -> None:
        for member in self.members:
            late = self.rng.random() < 0.1
            minute = self.rng.uniform(5.0, 90.0) if late else self.rng.uniform(-50.0, -40.0)
            self.joined[member] = minute
            self.add(minute, member, Kind.JOIN)

    def before_result(self, member: str, position: int, *, pre_show: float) -> float | None:
        """A moment after the member joined and before the category's result, or None if there is none."""
        start = self.joined[member] + 0.5
        end = self.times[position] - 0.5
        if start >= end:
            return None
        if start < 0 and self.rng.random() < pre_show:
            return self.rng.uniform(start, min(-1.0, end))
        return self.rng.uniform(max(start, 0.0), end) if end > max(start, 0.0) else self.rng.uniform(start, end)

    def claims(self) -> None:
        free = [
            (category.position, nominee.position)
            for category in self.ceremony.categories for nominee in category.nominees
        ]
        claimed: list[tuple[float, str, int, int]] = []
        for member in self.members:
            if self.rng.random() >= 0.4:
                continue
            for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3))):
                if not free:
                    break
                category, nominee = free.pop(self.rng.randrange(len(free)))
                minute = self.before_result(member, category, pre_show=0.8)
                if minute is None:
                    continue
                claimed.append((minute, member, category, nominee))
                self.add(minute, member, Kind.CLAIM, category=category, nominee=nominee)
        others = [member for member in self.members if self.joined[member] < 0]
        if claimed and len(others) > 1:
            minute, owner, category, nominee = self.rng.choice(claimed)
            rival = self.rng.choice([member for member in others if member != owner])
            later = minute + 0.01
            if self.joined[rival] < later < self.times[category]:
                self.add(later, rival, Kind.CLAIM, category=category, nominee=nominee, why="taken")

    def picks(self) -> None:
        for member in self.members:
            for category in self.ceremony.categories:
                chance = 0.75 if category.telecast else 0.3
                if self.rng.random() >= chance:
                    continue
                minute = self.before_result(member, category.position, pre_show=0.4)
                if minute is None:
                    continue
                self.add(minute, member, Kind.PICK, category=category.position, nominee=self.guess(category))
                if self.rng.random() < 0.06 and len(category.nominees) > 1:
                    later = self.rng.uniform(minute, self.times[category.position] - 0.5)
                    self.add(later, member, Kind.PICK, category=category.position, nominee=self.guess(category))
                if self.rng.random() < 0.01:
                    late = self.times[category.position] + 0.1 * self.gaps[category.position]
                    self.add(late, member, Kind.PICK, category=category.position, nominee=self.guess(category),
                             why="late")

    def guess(self, category: PlannedCategory) -> int:
        """A pick: often the favourite (who did win), else anyone."""
        if self.rng.random() < 0.45:
            return self.rng.choice(self.winners[category.position])
        return self.rng.randrange(len(category.nominees))

    def declarations(self) -> None:
        for member in self.members:
            if self.rng.random() >= 0.5:
                continue
            category = (
                self.rng.randrange(len(self.ceremony.categories)) if self.rng.random() < 0.6 else None
            )
            note = self.rng.choice(DECLARATION_NOTES) if self.rng.random() < 0.4 else None
            minute = self.rng.uniform(max(self.joined[member], -35.0) + 0.5, END_MINUTE - 2)
            self.add(minute, member, Kind.DECLARE, category=category, note=note)

    def pledges(self) -> None:
        for member in self.members:
            if self.rng.random() >= 0.55:
                continue
            times = sorted(
                self.rng.uniform(max(self.joined[member], -20.0) + 0.5, END_MINUTE - 2)
                for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3)))
            )
            for minute in times:
                self.add(
                    minute, member, Kind.PLEDGE,
                    amount=self.rng.choice(PLEDGE_AMOUNTS),
                    note=self.rng.choice(PLEDGE_NOTES) if self.rng.random() < 0.3 else None,
                    anonymous=self.rng.random() < 0.2,
                )
            if self.rng.random() < 0.35:
                self.add(min(times[0] + self.rng.uniform(3.0, 30.0), END_MINUTE - 1), member, Kind.PLEDGE_PAID)

    def results(self) -> tuple[int, int] | None:
        # The wrong result happens mid-broadcast: in the middle third of the telecast awards.
        telecast = [position for position in self.order if self.ceremony.categories[position].telecast]
        pool = telecast or self.order
        middle = pool[len(pool) // 3: max(len(pool) * 2 // 3, len(pool) // 3 + 1)]
        candidates = [
            position for position in middle
            if len(self.winners[position]) == 1 and len(self.ceremony.categories[position].nominees) > 1
        ]
        wrong_category = self.rng.choice(candidates) if candidates else None
        wrong: tuple[int, int] | None = None
        for position in self.order:
            minute, gap = self.times[position], self.gaps[position]
            winners = self.winners[position]
            if position == wrong_category:
                losers = [
                    nominee.position for nominee in self.ceremony.categories[position].nominees
                    if nominee.position not in winners
                ]
                wrong = (position, self.rng.choice(losers))
                self.add(minute, HOST, Kind.RESULT_LOG, category=position, nominee=wrong[1], why="wrong")
                self.add(minute + 0.35 * gap, HOST, Kind.RESULT_UNDO, category=position)
                minute += 0.6 * gap
            self.add(minute, HOST, Kind.RESULT_LOG, category=position, nominee=winners[0])
            for index, other in enumerate(winners[1:], start=1):
                self.add(minute + 0.3 * gap * index / len(winners), HOST, Kind.RESULT_TIE, category=position,
                         nominee=other)
        return wrong


def plan_night(ceremony: CeremonyFile, *, members: int, seed: int) -> Script:
    """The whole night for `members` simulated members; the same arguments give the same script."""
    if not 1 <= members <= MAX_MEMBERS:
        raise ValueError(f"members must be between 1 and {MAX_MEMBERS}")
    planner = _Planner(ceremony, members, seed)
    events, wrong = planner.plan()
    notes = [
        f"The file names no winner for {ceremony.categories[position].name!r}: the rehearsal drew "
        f"{ceremony.categories[position].nominees[planner.winners[position][0]].label!r}."
        for position in planner.drawn
    ]
    if wrong is None:
        notes.append("No category fits a wrong result (one winner, several nominees): no undo this time.")
    return Script(
        ceremony=ceremony,
        seed=seed,
        members=tuple(planner.members),
        events=tuple(events),
        winners=dict(planner.winners),
        drawn=tuple(planner.drawn),
        wrong=wrong,
        goal=f"{members * GOAL_PER_MEMBER_DOLLARS:,}",
        notes=tuple(notes),
    )
