"""`python -m bot rehearse`: the whole Emmy night offline, before the broadcast.

Starts the Discord stand-in and the real bot against it, plays a host and
simulated members through a three-hour show compressed to about a minute, shows
the announcement channel live, and ends with the boards, the money raised and
where the database, the event log and the recap picture are. No DISCORD_TOKEN
needed.

Exit codes: 0 the night went as it should; 1 it ran but something was wrong
(a Discord rule broken, totals that don't add up, a bot error, no recap) or the
bot didn't start; 2 bad arguments or a ceremony file the bot would refuse;
130 stopped with Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.text import Text

from bot.domain.money import format_cents
from bot.domain.results.announcements import plural
from bot.event_loop import event_loop_factory
from bot.rehearsal.clock import ScaledClock
from bot.rehearsal.feed import Feed
from bot.rehearsal.finale import Outcome
from bot.rehearsal.outputs import Outputs, RehearsalError
from bot.rehearsal.runner import rehearse
from bot.rehearsal.script import MAX_MEMBERS, SHOW_MINUTES, CeremonyFileError, load_ceremony, plan_night

DEFAULT_CEREMONY = Path(__file__).resolve().parent.parent / "data" / "emmys-2014.json"
DEFAULT_DATABASE = Path("rehearsal-out/lounge.db")
DEFAULT_SPEED = 180.0
MAX_SPEED = 100_000.0
DEFAULT_SEED = 2014


def _members(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= count <= MAX_MEMBERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_MEMBERS}, not {count}")
    return count


def _speed(text: str) -> float:
    try:
        speed = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= speed <= MAX_SPEED:
        raise argparse.ArgumentTypeError(f"must be between 1 (real time) and {MAX_SPEED:,.0f}, not {text}")
    return speed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot rehearse",
        description="Play a whole Emmy night offline: the real bot against a stand-in Discord, with a "
        "simulated host and members, shown live in the terminal. No DISCORD_TOKEN needed.",
    )
    parser.add_argument("--ceremony", type=Path, default=DEFAULT_CEREMONY, metavar="FILE",
                        help="nominee file, JSON like emmys-2014.json or CSV (default: the shipped 2014 Emmys)")
    parser.add_argument("--members", type=_members, default=100, metavar="N",
                        help=f"simulated members, 1 to {MAX_MEMBERS} (default: 100)")
    parser.add_argument("--speed", type=_speed, default=DEFAULT_SPEED, metavar="X",
                        help="how many times faster than real time the show runs (default: 180, "
                        "three hours in a minute)")
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE, metavar="PATH",
                        help=f"where the night's database goes (default: {DEFAULT_DATABASE}); the event log, "
                        "recap picture and bot log are written beside it")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N",
                        help="the same seed plays the same night: members, picks, pledges, totals "
                        f"(default: {DEFAULT_SEED})")
    parser.add_argument("--quiet", action="store_true", help="no live feed: setup, refusals and the summary only")
    parser.add_argument("--no-color", action="store_true", help="plain text, no colours")
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = build_parser().parse_args(list(argv))
    except SystemExit as stop:  # argparse printed its usage line and the reason
        return stop.code if isinstance(stop.code, int) else 2
    console = Console(no_color=args.no_color, highlight=False)
    try:
        ceremony = load_ceremony(args.ceremony)
    except CeremonyFileError as error:
        print(f"Can't rehearse: {error}", file=sys.stderr)
        return 2
    script = plan_night(ceremony, members=args.members, seed=args.seed)
    outputs = Outputs.beside(args.database)
    try:
        outputs.prepare()
    except RehearsalError as error:
        print(f"Can't rehearse: {error}", file=sys.stderr)
        return 2
    clock = ScaledClock(args.speed)
    feed = Feed(console, quiet=args.quiet, now=clock)
    for note in script.notes:
        feed.note("T-1:00", note, style="yellow", always=True)
    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            outcome = runner.run(rehearse(script, outputs, feed, clock))
    except RehearsalError as error:
        print(f"Rehearsal stopped: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"Rehearsal stopped (Ctrl-C). What happened so far is in {outputs.events}.", file=sys.stderr)
        return 130
    report(console, outcome, speed=args.speed)
    return 0 if outcome.ok else 1


def report(console: Console, outcome: Outcome, *, speed: float) -> None:
    outputs, ledger = outcome.outputs, outcome.ledger
    rows = [
        ("Database", str(outputs.database)),
        ("Recap picture", str(outputs.recap) if outcome.recap_saved else "none (no recap picture was posted)"),
        ("Event log", f"{outputs.events} (every action and every answer, JSON lines)"),
        ("Bot log", str(outputs.bot_log)),
        ("Took", f"{outcome.real_seconds:.1f} s for {SHOW_MINUTES / 60:g} h of show (×{speed:g}), "
                 f"{plural(outcome.leaderboard_posts, 'leaderboard post')} in #leaderboards"),
        ("Schedule", f"every action within {outcome.behind_minutes:.1f} min of show time of its schedule"
                     + (f" (the latest: {outcome.behind_what})" if outcome.behind_what else "")),
        ("Totals", f"{ledger.logged} categories logged · {plural(len(ledger.losses), 'member')} in the lounge · "
                   f"{format_cents(ledger.raised_cents)} raised"),
    ]
    if outcome.ok:
        rows.append(("Checks", "✓ money and every member's losses match the event log; no Discord rule broken"))
    Feed(console).summary(rows)
    for warning in outcome.warnings:
        console.print(Text(f"• {warning}", style="yellow"))
    for problem in outcome.problems:
        console.print(Text(f"✗ {problem}", style="bold red"))
