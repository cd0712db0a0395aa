"""The host's console: it stands at the next category without a result, logs through the
same service as `/result log` (so a second click on a logged category is refused), moves
between the open categories, ties and undoes the newest result, and shows the newest
results with their announcement's state."""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.domain.announcer.outbox import OutboxStore
from bot.domain.ceremonies.service import Category, fingerprint, nominees_of
from bot.domain.errors import Conflict, NotFound, WrongState
from bot.domain.results.console import ConsolePanel, ConsoleService, Move
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import HOST, Lounge, tiny_ceremony

DRAMA = "Outstanding Drama Series"
CHOREOGRAPHY = "Outstanding Choreography"
INFO = "Outstanding Informational Series Or Special"


def now_at(panel: ConsolePanel) -> str | None:
    return None if panel.current is None else panel.current.name


async def winner(console: ConsoleService, lounge: Lounge, panel: ConsolePanel, label: str) -> ConsolePanel:
    assert panel.current is not None
    nominee = next(n for n in panel.nominees if n.label == label)
    lounge.clock.advance(minutes=1)
    return await console.log(lounge.guild_id, actor_id=HOST, ceremony_id=panel.ceremony.id,
                             category_id=panel.current.id, nominee_id=nominee.id,
                             winner_check=fingerprint(nominee.label))


async def test_the_console_logs_in_running_order_and_a_second_click_is_refused(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    ann = lounge.member(10, "Ann")
    await ann.pick(DRAMA, "Mad Men")
    await ann.claim(DRAMA, "Breaking Bad")
    console = ConsoleService(db, lounge.results)

    panel = await console.panel(lounge.guild_id)
    assert (now_at(panel), panel.logged, panel.total, panel.others_open, panel.recent) == (DRAMA, 0, 3, 2, ())
    assert [n.label for n in panel.nominees] == ["Breaking Bad", "Mad Men", "True Detective"]
    stale = panel
    panel = await winner(console, lounge, panel, "Breaking Bad")
    assert panel.report is not None
    assert (panel.action, panel.report.losses_added, panel.report.taxes_charged) == ("log", 1, 1)
    assert (now_at(panel), panel.logged) == (CHOREOGRAPHY, 1)
    assert [(r.category.name, [w.label for w in r.winners], r.announcement) for r in panel.recent] == [
        (DRAMA, ["Breaking Bad"], "queued")]

    before = await db.fetch_all("SELECT * FROM results")
    with pytest.raises(Conflict) as twice:  # the same click again, or another host's console
        await winner(console, lounge, stale, "Mad Men")
    assert twice.value.reason == "already_logged"
    assert await db.fetch_all("SELECT * FROM results") == before
    assert await lounge.losses_of(10) == 1


async def test_skip_and_back_move_between_the_open_categories(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    console = ConsoleService(db, lounge.results)
    first = await console.panel(lounge.guild_id)
    assert first.current is not None

    async def move(panel: ConsolePanel, how: Move) -> ConsolePanel:
        assert panel.current is not None
        return await console.panel(lounge.guild_id, ceremony_id=panel.ceremony.id, at=panel.current.id, move=how)

    skipped = await move(first, "skip")
    assert now_at(skipped) == CHOREOGRAPHY
    assert now_at(await move(skipped, "back")) == DRAMA
    assert now_at(await move(first, "back")) == INFO  # back from the first wraps to the last
    logged = await winner(console, lounge, skipped, "Travis Wall — So You Think You Can Dance")
    assert now_at(logged) == INFO
    assert now_at(await move(logged, "skip")) == DRAMA  # past the end, back to the one skipped
    assert now_at(await move(logged, "back")) == DRAMA
    logged = await winner(console, lounge, logged, "Vice")
    assert (now_at(logged), logged.others_open) == (DRAMA, 0)
    done = await winner(console, lounge, logged, "Mad Men")
    assert (done.current, done.nominees, done.logged) == (None, (), 3)
    assert [r.category.name for r in done.recent] == [DRAMA, INFO, CHOREOGRAPHY]  # the newest three, newest first


async def test_tie_and_undo_act_on_the_newest_result(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    console = ConsoleService(db, lounge.results)
    panel = await console.panel(lounge.guild_id)
    ceremony = panel.ceremony.id
    with pytest.raises(NotFound, match="no result yet"):
        await console.tie_choice(lounge.guild_id, ceremony_id=ceremony)
    panel = await winner(console, lounge, panel, "Breaking Bad")

    choice = await console.tie_choice(lounge.guild_id, ceremony_id=ceremony)
    assert (choice.result.category.name, [n.label for n in choice.candidates]) == (DRAMA, ["Mad Men",
                                                                                          "True Detective"])
    tied = await console.tie(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony, nominee_id=choice.candidates[0].id,
                             at=panel.current.id if panel.current else None,
                             nominee_check=fingerprint(choice.candidates[0].label))
    assert (tied.action, now_at(tied)) == ("tie", CHOREOGRAPHY)
    assert [w.label for w in tied.recent[0].winners] == ["Breaking Bad", "Mad Men"]

    newest = await console.newest(lounge.guild_id, ceremony_id=ceremony)
    undone = await console.undo(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony, result_id=newest.result_id)
    assert (undone.action, now_at(undone), undone.logged, undone.recent) == ("undo", DRAMA, 0, ())
    with pytest.raises(NotFound, match="no longer logged"):  # a second confirmation of the same undo
        await console.undo(lounge.guild_id, actor_id=HOST, ceremony_id=ceremony, result_id=newest.result_id)


async def test_the_newest_results_say_whether_their_announcement_is_posted(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony())
    console = ConsoleService(db, lounge.results)
    panel = await winner(console, lounge, await console.panel(lounge.guild_id), "Breaking Bad")
    assert panel.recent[0].announcement == "queued"
    outbox = OutboxStore(db)
    pending = await outbox.pending_announcements()
    batch = await outbox.claim_batch([row.id for row in pending])
    await outbox.mark_sent(batch, 4242, clock())
    refreshed = await console.panel(lounge.guild_id)
    assert refreshed.recent[0].announcement == "posted"


async def test_a_stale_console_changes_nothing(db: Database, clock: FakeClock) -> None:
    lounge = Lounge(db, clock)
    await lounge.prepare(tiny_ceremony(), start=False)
    console = ConsoleService(db, lounge.results)
    panel = await console.panel(lounge.guild_id)
    with pytest.raises(WrongState):  # a draft: results wait for /ceremony start
        await winner(console, lounge, panel, "Breaking Bad")
    await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=5)
    drama: Category | None = panel.current
    assert drama is not None
    nominee = (await nominees_of(db, drama.id))[0]
    with pytest.raises(Conflict) as other:
        await console.log(lounge.guild_id, actor_id=HOST, ceremony_id=panel.ceremony.id + 1, category_id=drama.id,
                          nominee_id=nominee.id)
    assert other.value.reason == "stale_ceremony"
    with pytest.raises(Conflict) as renamed:
        await console.log(lounge.guild_id, actor_id=HOST, ceremony_id=panel.ceremony.id, category_id=drama.id,
                          nominee_id=nominee.id, winner_check=fingerprint("someone else"))
    assert renamed.value.reason == "stale_nominee"
    assert await db.fetch_value("SELECT COUNT(*) FROM results") == 0
