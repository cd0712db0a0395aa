"""The rehearsal's parts on their own: the scaled clock, the plan, the ledger and the feed's text."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.text import Text

from bot.domain.errors import InvalidInput
from bot.rehearsal.bot_process import relay_line
from bot.rehearsal.clock import ScaledClock, show_time
from bot.rehearsal.feed import discord_text
from bot.rehearsal.ledger import OK, ledger_from_entries
from bot.rehearsal.replies import REFUSED, Answer, Refusals
from bot.rehearsal.script import HOST, CeremonyFileError, Kind, load_ceremony, plan_night
from tests.paths import SHIPPED_2014

SMALL = Path(__file__).with_name("small-ceremony.json")
SHIPPED = SHIPPED_2014
START = datetime(2014, 8, 25, 20, 0, tzinfo=UTC)


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# ---- the clock -----------------------------------------------------------------------------


def test_the_bot_clock_runs_speed_times_faster_than_real_time() -> None:
    ticks = Ticks()
    clock = ScaledClock(180, start=START, monotonic=ticks)
    assert clock() == START
    ticks.now += 1.0
    assert clock() == START + timedelta(minutes=3)
    assert clock.real_seconds_until(START + timedelta(hours=3)) == pytest.approx(59.0)
    assert clock.real_seconds_until(START) == 0.0


def test_the_bots_process_rebuilds_the_same_clock_from_start_speed_and_origin() -> None:
    ticks = Ticks()
    ticks.now = 500.0
    night = ScaledClock(180, start=START, monotonic=ticks)
    ticks.now += 2.0
    rebuilt = ScaledClock(night.speed, start=night.start, monotonic=ticks, origin=night.origin)
    assert rebuilt() == night() == START + timedelta(minutes=6)


def test_a_clock_needs_a_positive_speed_and_an_aware_start() -> None:
    with pytest.raises(ValueError, match="positive"):
        ScaledClock(0)
    with pytest.raises(ValueError, match="aware"):
        ScaledClock(2, start=datetime(2014, 8, 25))  # noqa: DTZ001 - the naive datetime is the point


def test_show_time_reads_like_a_broadcast_clock() -> None:
    assert show_time(0) == "T+0:00"
    assert show_time(65.9) == "T+1:05"
    assert show_time(-20.5) == "T-0:20"


# ---- the plan ------------------------------------------------------------------------------


def test_the_shipped_file_plans_every_category_with_its_real_winners() -> None:
    ceremony = load_ceremony(SHIPPED)
    assert (ceremony.name, ceremony.year) == ("66th Primetime Emmy Awards", 2014)
    assert len(ceremony.categories) == 103
    drama = ceremony.categories[0]
    assert drama.name == "Outstanding Drama Series"
    assert [drama.nominees[i].label for i in drama.file_winners] == ["Breaking Bad"]
    ties = [category.name for category in ceremony.categories if len(category.file_winners) > 1]
    assert sorted(ties) == [
        "Outstanding Documentary Or Nonfiction Series", "Outstanding Informational Series Or Special"
    ]
    assert sum(category.telecast for category in ceremony.categories) == 26


def test_the_same_seed_gives_the_same_night_and_another_seed_another() -> None:
    ceremony = load_ceremony(SHIPPED)
    first = plan_night(ceremony, members=30, seed=1)
    assert plan_night(ceremony, members=30, seed=1).events == first.events
    other = plan_night(ceremony, members=30, seed=2)
    assert other.events != first.events
    assert other.members != first.members


def test_the_plan_keeps_the_rules_of_the_night() -> None:
    ceremony = load_ceremony(SHIPPED)
    script = plan_night(ceremony, members=100, seed=2014)
    events = script.events
    assert [event.minute for event in events] == sorted(event.minute for event in events)
    assert len(set(script.members)) == 100

    results = {}
    for event in events:
        if event.kind is Kind.RESULT_LOG and event.why != "wrong":
            results[event.category] = event.minute
    assert set(results) == set(range(103)), "every category gets its result"
    joined = {event.actor: event.minute for event in events if event.kind is Kind.JOIN}
    for event in events:
        if event.actor != HOST and event.kind is not Kind.JOIN:
            assert event.minute > joined[event.actor], event
        if event.kind in (Kind.PICK, Kind.CLAIM) and event.why == "":
            assert event.category is not None
            assert event.minute < results[event.category], event

    claims = [(event.category, event.nominee) for event in events if event.kind is Kind.CLAIM and not event.why]
    assert len(claims) == len(set(claims)), "each nominee is planned to be claimed once"
    assert any(event.why == "taken" for event in events)
    assert any(event.why == "late" for event in events)

    assert script.wrong is not None
    category, nominee = script.wrong
    assert ceremony.categories[category].telecast
    assert nominee not in script.winners[category]
    story = [(event.kind, event.nominee) for event in events if event.by_host and event.category == category]
    assert story == [(Kind.RESULT_LOG, nominee), (Kind.RESULT_UNDO, None),
                     (Kind.RESULT_LOG, script.winners[category][0])]
    ties = [event for event in events if event.kind is Kind.RESULT_TIE]
    assert len(ties) == 2
    assert [event.kind for event in events if event.by_host][:4] == [Kind.SETTINGS, Kind.CREATE, Kind.IMPORT,
                                                                     Kind.START]
    assert events[-1].kind is Kind.END


def test_a_csv_with_a_winner_column_names_the_winners_and_one_without_gets_one_drawn(tmp_path: Path) -> None:
    with_winners = tmp_path / "golden-globes-2015.csv"
    with_winners.write_text(
        "category,nominee,show,winner\nBest Drama,The Affair,The Affair,yes\nBest Drama,Downton Abbey,"
        "Downton Abbey,no\nBest Comedy,Transparent,Transparent,true\nBest Comedy,Girls,Girls,\n",
        encoding="utf-8",
    )
    ceremony = load_ceremony(with_winners)
    assert (ceremony.name, ceremony.year) == ("Golden Globes 2015", 2015)
    assert [category.file_winners for category in ceremony.categories] == [(0,), (0,)]
    assert all(category.telecast for category in ceremony.categories)

    without = tmp_path / "awards.csv"
    without.write_text("category,nominee,show\nBest Drama,The Affair,The Affair\nBest Drama,Girls,Girls\n",
                       encoding="utf-8")
    script = plan_night(load_ceremony(without), members=3, seed=5)
    assert script.drawn == (0,)
    assert script.winners[0][0] in (0, 1)
    assert "names no winner" in script.notes[0]


def test_a_file_the_bot_would_refuse_is_refused_with_its_words(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("category,nominee\nBest Drama,The Affair\n", encoding="utf-8")
    with pytest.raises(CeremonyFileError, match=r"bad\.csv: Line 1: the CSV header must be"):
        load_ceremony(bad)
    with pytest.raises(CeremonyFileError, match="is a folder"):
        load_ceremony(tmp_path)


# ---- the ledger ----------------------------------------------------------------------------


def action(actor: str, kind: Kind, outcome: str = "ok", **plan: Any) -> dict[str, Any]:
    ack = plan.pop("ack", None)
    entry: dict[str, Any] = {"type": "action", "actor": actor, "action": kind.value, "outcome": outcome,
                             "plan": plan}
    if ack is not None:
        entry["ack"] = ack
    return entry


def test_the_ledger_follows_the_rules_of_losses_and_money() -> None:
    entries = [
        action(HOST, Kind.SETTINGS, ack={"winner_tax_cents": 10_000, "goal_cents": 100_000}),
        action("Ada", Kind.PLEDGE, ack={"amount_cents": 2_500, "duplicate": False}),
        action("Ada", Kind.PLEDGE, ack={"amount_cents": 2_500, "duplicate": True}),
        action("Bo", Kind.PLEDGE, "refused"),
        action("Ada", Kind.DECLARE),
        action("Ada", Kind.DECLARE, "refused"),
        action("Ada", Kind.CLAIM, category=0, nominee=1),       # the wrong winner, then a loser
        action("Bo", Kind.CLAIM, category=1, nominee=0),        # both winners of a tie: taxed once
        action("Bo", Kind.CLAIM, category=1, nominee=1),
        action("Cy", Kind.CLAIM, category=2, nominee=0),        # a category never logged: nothing
        action("Cy", Kind.PICK, category=0, nominee=1),
        action("Cy", Kind.PICK, category=0, nominee=0),         # changed their pick: the last one counts
        action("Bo", Kind.PICK, category=0, nominee=2),
        action("Bo", Kind.PICK, category=0, nominee=0, outcome="refused"),
        action(HOST, Kind.RESULT_LOG, category=0, nominee=1),
        {"type": "announcement", "channel": "announcements", "embeds": []},
        action(HOST, Kind.RESULT_UNDO, category=0),
        action(HOST, Kind.RESULT_LOG, category=0, nominee=0),
        action(HOST, Kind.RESULT_LOG, category=1, nominee=0),
        action(HOST, Kind.RESULT_TIE, category=1, nominee=1),
    ]
    ledger = ledger_from_entries(entries)
    assert ledger.pledges == 1
    assert ledger.taxes == 1
    assert ledger.raised_cents == 2_500 + 10_000
    assert ledger.losses == {"Ada": 2, "Bo": 1}
    assert ledger.logged == 2


# ---- the feed's text -----------------------------------------------------------------------


def test_discord_markdown_and_tags_become_terminal_text() -> None:
    names = {("user", 42): "Ada Park", ("channel", 7): "announcements", ("role", 9): "Loser"}
    now = datetime(2014, 8, 25, 21, 0, tzinfo=UTC)
    text = discord_text(
        "**Winner:** Breaking Bad \\(2014\\) · ||Vice|| · snake_case · *wow* · `code` · <@42> in <#7> got "
        f"<@&9> <t:{int((now - timedelta(minutes=5)).timestamp())}:R> · <@1>",
        mention=lambda kind, number: names.get((kind, number)), now=now,
    )
    assert text.plain == (
        "Winner: Breaking Bad (2014) · Vice · snake_case · wow · code · @Ada Park in #announcements got "
        "@Loser 5 min ago · @user-1"
    )
    assert _styled(text, "Winner:", "bold")
    assert _styled(text, "wow", "italic")
    assert not _styled(text, "snake_case", "italic")


def _styled(text: Text, fragment: str, attribute: str) -> bool:
    start = text.plain.index(fragment)
    return all(
        getattr(text.get_style_at_offset(_console(), offset), attribute)
        for offset in range(start, start + len(fragment))
    )


def _console() -> Any:
    from rich.console import Console

    return Console()


# ---- what the bot's process tells the rehearsal ----------------------------------------------


def refusal_record(error: object, interaction_id: object = 42) -> logging.LogRecord:
    record = logging.LogRecord("bot.errors", logging.DEBUG, __file__, 1, "refused: %s", ("x",), None)
    record.interaction_id = interaction_id
    record.refusal = error
    return record


def test_the_bots_process_relays_refusals_with_their_facts_and_errors_only() -> None:
    refused = InvalidInput("That's not an amount.", reason="bad_amount", amount="12.345", limits=(1, 2))
    assert relay_line(refusal_record(refused)) == {
        "interaction_id": 42, "refusal": {"reason": "bad_amount", "facts": {"amount": "12.345", "limits": [1, 2]}}
    }
    # An unexpected error on the same path: the interaction is known, its refusal has no data.
    assert relay_line(refusal_record(RuntimeError("boom"))) == {"interaction_id": 42, "refusal": None}
    failed = logging.LogRecord("bot.pledges", logging.ERROR, __file__, 1, "write failed: %s", ("disk",), None)
    assert relay_line(failed) == {"error": "bot.pledges: write failed: disk"}
    chatter = logging.LogRecord("discord.gateway", logging.INFO, __file__, 1, "connected", (), None)
    assert relay_line(chatter) is None
    assert relay_line(refusal_record(refused, interaction_id=None)) is None


async def test_a_refused_answer_waits_for_its_reason_but_not_for_ever() -> None:
    refusals = Refusals()
    refused = Answer(REFUSED, reply=SimpleNamespace(interaction_id=7))  # type: ignore[arg-type]
    asyncio.get_running_loop().call_later(0.05, refusals.add, 7, {"reason": "nominee_taken", "facts": {}})
    await asyncio.wait_for(refusals.settled(refused), 1.0)
    assert refusals.of(refused) == {"reason": "nominee_taken", "facts": {}}

    never = Answer(REFUSED, reply=SimpleNamespace(interaction_id=8))  # type: ignore[arg-type]
    started = time.monotonic()
    await refusals.settled(never, within=0.1)
    assert refusals.of(never) is None
    assert time.monotonic() - started < 1.0
    # An answer that was no refusal never waits.
    await asyncio.wait_for(refusals.settled(Answer(OK, reply=SimpleNamespace(interaction_id=9))), 0.05)  # type: ignore[arg-type]
