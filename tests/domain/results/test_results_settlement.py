"""A result is recorded and announced in one commit and settled in the next. A crash
between the two leaves a result that is announced but unsettled: the bot settles it
when it starts (exactly once), and an undo, a tie or another result of the server
settles it first, so nothing ever builds on a half-done result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.db import Database, apply_migrations
from bot.domain.results.service import ResultService
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import Lounge
from tests.domain.results.test_results import DRAMA, INFO, STATE, dump, open_lounge, role_changes, taxes


class Crash(Exception):
    """The process dying between the two commits."""


def crash_before_settling(monkeypatch: pytest.MonkeyPatch, lounge: Lounge) -> None:
    async def crash(*_args: Any) -> None:
        raise Crash

    monkeypatch.setattr(lounge.results, "_settle_if_pending", crash)


def restart(lounge: Lounge) -> ResultService:
    """A fresh service over the same database, as after a restart."""
    return ResultService(lounge.db, lounge.clock, lounge.settings)


async def unsettled(db: Database) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM results WHERE unsettled = 1") or 0)


async def drama_logged_then_crash(db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Lounge:
    """The host logs Drama and the bot dies between the announcement and the settlement."""
    lounge = await drama_night(db, clock)
    crash_before_settling(monkeypatch, lounge)
    with pytest.raises(Crash):
        await lounge.log(DRAMA, "Breaking Bad")
    return lounge


async def drama_night(db: Database, clock: FakeClock) -> Lounge:
    lounge = await open_lounge(db, clock)
    ann, bob, cat = lounge.member(10, "Ann"), lounge.member(11, "Bob"), lounge.member(12, "Cat")
    await ann.claim(DRAMA, "Mad Men")
    await ann.pick(DRAMA, "Mad Men")
    await bob.claim(DRAMA, "Breaking Bad")
    await bob.pick(DRAMA, "Breaking Bad")
    await cat.pick(DRAMA, "True Detective")
    await cat.pick(INFO, "Vice")
    await ann.pick(INFO, "Vice")
    return lounge


async def clean_state(tmp_path: Path, *logs: tuple[str, str]) -> dict[str, Any]:
    clean_db = await Database.open(tmp_path / "clean.db")
    try:
        await apply_migrations(clean_db.connection)
        lounge = await drama_night(clean_db, FakeClock())
        for category, winner in logs:
            await lounge.log(category, winner)
        return await dump(clean_db)
    finally:
        await clean_db.close()


async def test_a_crash_after_the_announcement_is_settled_once_at_start_up(
    db: Database, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lounge = await drama_logged_then_crash(db, clock, monkeypatch)
    # The first commit holds the result and its announcement, nothing else yet.
    assert await unsettled(db) == 1
    announcement = (await lounge.announcements("result.log"))[0]["embeds"][0]
    fields = {field["name"]: field["value"] for field in announcement["fields"]}
    assert fields["Lost their pick (2)"] == "Ann, Cat"
    assert fields["Winner's tax"] == "Bob owes $1,000.00 for Breaking Bad"
    assert fields["New in the lounge (2)"] == "Ann, Cat"
    assert await db.fetch_value("SELECT COUNT(*) FROM losses") == 0
    assert await db.fetch_value("SELECT COUNT(*) FROM picks WHERE outcome IS NOT NULL") == 0
    assert await taxes(db) == []

    started = restart(lounge)
    assert await started.settle_pending() == 1
    assert await unsettled(db) == 0
    settled = await dump(db)
    assert settled["losses"]  # the comparison compares something
    clean = await clean_state(tmp_path, (DRAMA, "Breaking Bad"))
    for table in STATE:
        assert settled[table] == clean[table], table
    assert await role_changes(db) == [(10, "add"), (12, "add")]
    assert await taxes(db) == [(11, "pending")]

    # Starting again settles nothing twice.
    assert await restart(lounge).settle_pending() == 0
    assert await dump(db) == settled
    assert await role_changes(db) == [(10, "add"), (12, "add")]
    assert len(await lounge.announcements("result.log")) == 1


async def test_an_undo_of_an_unsettled_result_settles_it_first_and_takes_it_all_back(
    db: Database, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lounge = await drama_logged_then_crash(db, clock, monkeypatch)
    monkeypatch.undo()
    report = await lounge.undo(DRAMA)
    assert (report.losses_removed, report.right_picks, report.taxes_cancelled, report.roles_removed) == (3, 1, 1, 2)
    assert await unsettled(db) == 0
    correction = (await lounge.announcements("result.undo"))[0]["embeds"][0]
    fields = {field["name"]: field["value"] for field in correction["fields"]}
    assert fields["Losses taken back (2 members)"] == "Ann, Cat"
    assert await role_changes(db) == [(10, "add"), (12, "add"), (10, "remove"), (12, "remove")]
    assert await taxes(db) == [(11, "cancelled")]
    undone = await dump(db)
    never = await clean_state(tmp_path)
    for table in STATE:
        if table != "pledge_totals":  # keeps its (zero) rows once a pledge was recorded
            assert undone[table] == never[table], table
    assert await db.fetch_value("SELECT SUM(raised_cents) FROM pledge_totals") == 0
    assert await restart(lounge).settle_pending() == 0


async def test_the_next_result_settles_an_unsettled_one_before_it_announces(
    db: Database, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lounge = await drama_logged_then_crash(db, clock, monkeypatch)
    monkeypatch.undo()
    report = await lounge.log(INFO, "Cosmos")
    # Ann and Cat joined the lounge with the drama result: not newcomers again.
    assert (report.losses_added, report.newcomers, report.roles_granted) == (2, 0, 0)
    announcement = (await lounge.announcements("result.log"))[1]["embeds"][0]
    names = [field["name"] for field in announcement["fields"]]
    assert not any(name.startswith("New in the lounge") for name in names)
    assert await unsettled(db) == 0
    state = await dump(db)
    clean = await clean_state(tmp_path, (DRAMA, "Breaking Bad"), (INFO, "Cosmos"))
    for table in STATE:
        assert state[table] == clean[table], table
