"""The hosts' CSV export of a server's pledges.

Quoting is the csv module's (commas, quotes and newlines survive a round trip);
on top of that, a cell that a spreadsheet would run as a formula (leading ``=``,
``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'`` (OWASP's
advice for CSV injection). Encoded UTF-8 with a byte-order mark so spreadsheet
programs read names in any script correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.domain.money import format_cents_plain
from bot.domain.pledges.model import Pledge

HEADER = (
    "id", "member_id", "display_name", "amount", "kind", "status", "anonymous", "ceremony_id",
    "created_at", "updated_at", "note", "cancel_reason",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ENCODING = "utf-8-sig"


def neutralise(cell: str) -> str:
    """Make a cell inert in spreadsheets: ``=cmd()`` becomes ``'=cmd()``."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def utc_iso(moment: datetime) -> str:
    """``2014-08-25T20:00:00Z``: UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def row_for(pledge: Pledge) -> list[str]:
    """One pledge as the export's cells, before neutralising."""
    return [
        str(pledge.id),
        str(pledge.user_id),
        pledge.display_name,
        format_cents_plain(pledge.amount_cents),
        pledge.kind,
        pledge.status,
        "yes" if pledge.anonymous else "no",
        "" if pledge.ceremony_id is None else str(pledge.ceremony_id),
        utc_iso(pledge.created_at),
        utc_iso(pledge.updated_at),
        pledge.note or "",
        pledge.cancel_reason or "",
    ]


def pledges_csv(pledges: Iterable[Pledge]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for pledge in pledges:
        writer.writerow([neutralise(cell) for cell in row_for(pledge)])
    return buffer.getvalue().encode(ENCODING)
