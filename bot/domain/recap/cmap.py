"""Which characters a font has glyphs for, read from its own character map.

Only what the picture needs from a font file: the ``cmap`` table's Unicode
subtable, format 12 (all of Unicode) or format 4 (the Basic Multilingual
Plane), in a TrueType/OpenType file or one face of a collection (``.ttc``),
as the OpenType specification lays them out. fontTools reads every table of
every format, but installs 30 MB to do it; the tests check this reader against
fontTools, font by font, code point by code point.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

# (platform, encoding) of the Unicode subtables, best first: full repertoire, then BMP only.
_FULL = ((3, 10), (0, 6), (0, 4))
_BMP = ((3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


class FontFileError(ValueError):
    """The file is not a font this reader understands."""


def code_points(path: Path, index: int = 0) -> frozenset[int]:
    """Every code point that face `index` of the font at `path` maps to a glyph other than .notdef."""
    with path.open("rb") as font:
        table = _cmap_table(font, index)
    (_, count) = struct.unpack_from(">HH", table, 0)
    subtables: dict[tuple[int, int], int] = {}
    for record in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * record)
        subtables.setdefault((platform, encoding), offset)
    for key in (*_FULL, *_BMP):
        if key in subtables:
            offset = subtables[key]
            (kind,) = struct.unpack_from(">H", table, offset)
            if kind == 12:
                return _format_12(table, offset)
            if kind == 4:
                return _format_4(table, offset)
    raise FontFileError(f"{path.name} has no Unicode character map of format 4 or 12")


def _cmap_table(font: BinaryIO, index: int) -> bytes:
    start = 0
    header = font.read(12)
    if header[:4] == b"ttcf":
        (faces,) = struct.unpack_from(">I", header, 8)
        if not 0 <= index < faces:
            raise FontFileError(f"the collection has {faces} faces, not {index + 1}")
        font.seek(12 + 4 * index)
        (start,) = struct.unpack(">I", font.read(4))
        font.seek(start)
        header = font.read(12)
    (tables,) = struct.unpack_from(">H", header, 4)
    directory = font.read(16 * tables)
    for record in range(tables):
        tag, _, offset, length = struct.unpack_from(">4sIII", directory, 16 * record)
        if tag == b"cmap":
            font.seek(offset)
            return font.read(length)
    raise FontFileError("the font has no cmap table")


def _format_12(table: bytes, offset: int) -> frozenset[int]:
    (groups,) = struct.unpack_from(">I", table, offset + 12)
    covered: set[int] = set()
    for group in range(groups):
        first, last, glyph = struct.unpack_from(">III", table, offset + 16 + 12 * group)
        covered.update(range(first + (glyph == 0), last + 1))
    return frozenset(covered)


def _format_4(table: bytes, offset: int) -> frozenset[int]:
    (doubled,) = struct.unpack_from(">H", table, offset + 6)
    segments = doubled // 2
    ends = struct.unpack_from(f">{segments}H", table, offset + 14)
    starts = struct.unpack_from(f">{segments}H", table, offset + 16 + doubled)
    deltas = struct.unpack_from(f">{segments}h", table, offset + 16 + 2 * doubled)
    range_offsets_at = offset + 16 + 3 * doubled
    range_offsets = struct.unpack_from(f">{segments}H", table, range_offsets_at)
    covered: set[int] = set()
    for segment in range(segments):
        first, last = starts[segment], ends[segment]
        if first == 0xFFFF:
            continue
        for point in range(first, last + 1):
            if range_offsets[segment] == 0:
                glyph = (point + deltas[segment]) & 0xFFFF
            else:
                # The offset counts from its own place in the idRangeOffset array (the spec's pointer arithmetic).
                at = range_offsets_at + 2 * segment + range_offsets[segment] + 2 * (point - first)
                (glyph,) = struct.unpack_from(">H", table, at)
                if glyph:
                    glyph = (glyph + deltas[segment]) & 0xFFFF
            if glyph:
                covered.add(point)
    return frozenset(covered)
