"""The hosts' CSV export reads back exactly, and no cell runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.db import Database
from bot.domain.audit import log as audit
from bot.domain.pledges import PledgeService
from bot.domain.pledges.export import FORMULA_STARTS, HEADER, neutralise
from bot.domain.settings.service import SettingsService
from tests.clock import FakeClock
from tests.domain.pledge_helpers import GUILD, HOST, OTHER_GUILD, Members, open_ceremony

HOSTILE_NAMES = [
    "Smith, Jr.",
    'The "Real" Bob',
    "two\nlines",
    "carriage\r\nreturn",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1",
    "-1",
    "\tTabbed",
    "\rReturn",
    "Zoë 李 🎬 مرحبا",
    "',\"\n=",
]


@pytest.fixture
def service(db: Database, clock: FakeClock) -> PledgeService:
    return PledgeService(db, clock, SettingsService(db, clock))


def read_back(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_the_export_reads_back_as_the_database_holds_it(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    ceremony = await open_ceremony(db, clock)
    members = Members(service)
    for n, name in enumerate(HOSTILE_NAMES):
        clock.advance(minutes=1)
        await members.pledge(5000 + n, f"{n + 1}.0{n % 10}", name=name, note=name if n % 2 else None,
                             anonymous=n % 3 == 0)
    first = (await service.mine(GUILD, 5000)).pledges[0]
    clock.advance(minutes=1)
    await service.mark_paid(guild_id=GUILD, pledge_id=first.id, actor_id=5000, actor_is_host=False)
    await Members(service, OTHER_GUILD).pledge(1, "99", name="elsewhere")

    exported = await service.export(GUILD, actor_id=HOST)
    rows = read_back(exported.content)
    assert exported.rows == len(rows) == len(HOSTILE_NAMES)
    assert list(rows[0]) == list(HEADER)

    stored = await db.fetch_all("SELECT * FROM pledges WHERE guild_id = ? ORDER BY id", (GUILD,))
    for row, pledge in zip(rows, stored, strict=True):
        assert row["id"] == str(pledge["id"])
        assert row["member_id"] == str(pledge["user_id"])
        assert row["display_name"] == neutralise(pledge["display_name"])
        assert row["amount"] == f"{pledge['amount_cents'] // 100}.{pledge['amount_cents'] % 100:02d}"
        assert row["kind"] == pledge["kind"] == "pledge"
        assert row["status"] == pledge["status"]
        assert row["anonymous"] == ("yes" if pledge["anonymous"] else "no")
        assert row["ceremony_id"] == str(ceremony)
        assert row["created_at"].endswith("Z")
        assert row["created_at"][:19] == pledge["created_at"][:19]
        assert row["updated_at"][:19] == pledge["updated_at"][:19]
        assert row["note"] == neutralise(pledge["note"] or "")
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS), f"{cell!r} would run as a formula"
    assert rows[0]["status"] == "paid"
    assert rows[0]["updated_at"] > rows[0]["created_at"]
    # Anonymous pledges keep their names for the hosts.
    assert rows[0]["anonymous"] == "yes"
    assert rows[0]["display_name"] == "Smith, Jr."
    assert rows[4]["display_name"] == "'=cmd|' /C calc'!A0"
    assert [entry.action for entry in await audit.recent(db, GUILD, 5)] == ["pledge.export"]


async def test_an_empty_server_exports_just_the_header(service: PledgeService) -> None:
    exported = await service.export(GUILD, actor_id=HOST)
    assert exported.rows == 0
    assert read_back(exported.content) == []
    assert exported.content.decode("utf-8-sig").splitlines() == [",".join(HEADER)]


@given(st.text(max_size=30))
def test_neutralising_only_ever_prefixes_a_dangerous_cell(cell: str) -> None:
    safe = neutralise(cell)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (cell, "'" + cell)
    assert (safe != cell) == cell.startswith(FORMULA_STARTS)
