"""Ready-made ceremonies for `/ceremony create … preset`: every Emmy year the bot ships.

Two kinds, both package data in ``bot/data`` (see its README for sources and sizes):

* the 2013 and 2014 files, with telecast flags and episode titles
  (``emmys-2013.json.gz``, ``emmys-2014.json``);
* every year 1949–2019 of the all-years table ``emmys-all.csv.gz``
  (``year,category,nominee,show,network,winner``), one preset per year.

A preset goes through the same parser as a host's file
(:func:`~bot.domain.ceremonies.files.parse_ceremony_file`), so it meets the same
limits and gets the same labels; winners in the data are never applied. In the
all-years table a year's categories are its distinct names ignoring case (1975
spells one category two ways) and every row is a nomination (an anthology twice
in a category is two nominations, ``#1`` and ``#2``); the stray control characters
of five scraped cells are dropped.

Reading a year unpacks the 2.4 MB table as it goes (about 0.1 s, under 1 MB at a
time): call :func:`load` and the first :func:`catalogue` (then kept) off the event loop.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from bot.domain.ceremonies.files import ParsedCeremony, parse_ceremony_file
from bot.domain.errors import InvalidInput, NotFound

ALL_YEARS = "emmys-all.csv.gz"
FILES = {2013: "emmys-2013.json.gz", 2014: "emmys-2014.json"}
TABLE_PREFIX = "emmys-all:"
MAX_SUGGESTIONS = 25
# Scraping debris in five cells of the table ("GE Theat\x05\x05er", "The Twelfth \x01Annual …"):
# the importer refuses control characters, so a preset drops them.
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIRST_EMMYS = 1949


@dataclass(frozen=True, slots=True)
class Preset:
    key: str  # the autocomplete value: "emmys-2014.json", "emmys-all:1975"
    year: int
    name: str  # "66th Primetime Emmy Awards"
    detail: str  # what the preset holds, in a few words

    @property
    def title(self) -> str:
        """How the preset is suggested and named (at most 100 characters, Discord's limit for a choice)."""
        return f"{self.year} · {self.name} ({self.detail})"


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def ceremony_name(year: int) -> str:
    return f"{ordinal(year - FIRST_EMMYS + 1)} Primetime Emmy Awards"


@functools.cache
def catalogue() -> tuple[Preset, ...]:
    """Every preset, newest year first; a year's full file before its line of the all-years table."""
    years = sorted({int(row[0]) for row in _table_rows()}, reverse=True)
    presets: list[Preset] = []
    for year in years:
        if year in FILES:
            presets.append(Preset(FILES[year], year, ceremony_name(year), "full file: telecast, episodes"))
        presets.append(Preset(f"{TABLE_PREFIX}{year}", year, ceremony_name(year), "all-years table"))
    return tuple(presets)


def suggestions(typed: str) -> list[Preset]:
    """Presets whose title holds every typed word (any case), at most 25, newest first."""
    words = " ".join(typed[:100].split()).casefold().split(" ")
    return [preset for preset in catalogue() if all(word in preset.title.casefold() for word in words)][
        :MAX_SUGGESTIONS
    ]


def find(text: str) -> Preset:
    """The preset an option names: its key (the autocomplete value), its title, or a bare year."""
    wanted = " ".join(text.split())
    for preset in catalogue():
        if wanted in (preset.key, preset.title) or wanted == str(preset.year):
            return preset  # for a bare year, the full file comes first
    raise NotFound(
        f"There's no preset “{wanted[:100]}”: choose one from the suggestions (every Emmy year from "
        f"{catalogue()[-1].year} to {catalogue()[0].year}).",
        reason="unknown_preset", preset=wanted,
    )


def load(preset: Preset) -> ParsedCeremony:
    """The preset's categories and nominees, read by the file importer (winners ignored)."""
    if preset.key.startswith(TABLE_PREFIX):
        data = _year_as_csv(preset.year)
        filename = f"emmys-{preset.year}.csv"
    else:
        data = _read(preset.key)
        filename = preset.key.removesuffix(".gz")
    try:
        return parse_ceremony_file(data, filename)
    except InvalidInput as error:  # a shipped preset beyond the limits is a bug; say which one
        raise InvalidInput(f"The preset {preset.title} can't be imported: {error}", reason="preset_unusable",
                           preset=preset.key, cause=error.reason) from error


def _data() -> Traversable:
    return resources.files("bot").joinpath("data")


def _read(name: str) -> bytes:
    raw = _data().joinpath(name).read_bytes()
    return gzip.decompress(raw) if name.endswith(".gz") else raw


def _table_rows() -> Iterator[list[str]]:
    """The table's rows after its header, unpacked as they are read (all at once would take ~25 MB)."""
    packed = io.BytesIO(_data().joinpath(ALL_YEARS).read_bytes())
    with gzip.GzipFile(fileobj=packed) as unpacked, io.TextIOWrapper(unpacked, "utf-8", newline="") as text:
        rows = csv.reader(text)
        header = next(rows)
        if header[:4] != ["year", "category", "nominee", "show"]:
            raise RuntimeError(f"{ALL_YEARS} starts with {header}, not year,category,nominee,show")
        yield from rows


def _year_as_csv(year: int) -> bytes:
    """One year of the table as a CSV the importer reads (category, nominee, show; winners left out)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("category", "nominee", "show"))
    wanted = str(year)
    for row in _table_rows():
        if row[0] == wanted:
            writer.writerow([_STRAY_CONTROLS.sub("", cell) for cell in row[1:4]])
    return out.getvalue().encode("utf-8")
