"""After the show: the final boards, the money against the goal, and the night's checks.

The boards come from `/leaderboard show`, the money from `/pledge total`, each
member's losses from their own `/loser card`, all as the bot answers them; the
checks compare those with what the event log adds up to, and look for any
Discord rule the bot broke.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.domain.money import format_cents
from bot.rehearsal.feed import Board
from bot.rehearsal.ledger import Ledger, ledger_from_log
from bot.rehearsal.outputs import Outputs
from bot.rehearsal.players import Players
from bot.rehearsal.replies import BOARD_LINE, LOSSES_TONIGHT, cents_in, plain
from bot.rehearsal.script import HOST
from bot.rehearsal.stage import Stage
from standin import Member

BOARDS = (("losers", "Losses"), ("donors", "Pledged"), ("pickers", "Right picks"))
CARD_CONCURRENCY = 12


@dataclass
class Outcome:
    """What the rehearsal found."""

    outputs: Outputs
    ledger: Ledger
    raised_cents: int | None
    goal_cents: int | None
    losses: dict[str, int]
    recap_saved: bool
    leaderboard_posts: int
    problems: list[str]
    warnings: list[str]
    real_seconds: float
    behind_minutes: float = 0.0
    """The most show minutes an event started after its time."""
    behind_what: str = ""
    """That event, as the feed would name it (``T+0:12 pick``)."""

    @property
    def ok(self) -> bool:
        return not self.problems


async def finale(
    stage: Stage, players: Players, *, recap_saved: bool, leaderboard_posts: int, behind_minutes: float = 0.0,
    behind_what: str = "",
) -> Outcome:
    boards = [await board(stage, players, kind, header) for kind, header in BOARDS]
    stage.feed.boards([found for found in boards if found is not None])
    raised, goal, charity = await money(stage, players)
    losses = await cards(stage, players)
    stage.log.flush()
    ledger = ledger_from_log(stage.outputs.events)
    if raised is not None and goal is not None:
        stage.feed.money(charity, raised, goal, f"({ledger.pledges} pledges + {ledger.taxes} winner's taxes)")
    compare(stage, ledger, raised, losses)
    violations = [str(violation) for violation in stage.standin.violations]
    if violations:
        stage.problems.append(f"The bot broke {len(violations)} Discord rule(s): " + "; ".join(violations[:5]))
    if stage.stats.unexpected:
        stage.warnings.append(f"{len(stage.stats.unexpected)} unplanned refusal(s), e.g. {stage.stats.unexpected[0]}")
    return Outcome(
        outputs=stage.outputs, ledger=ledger, raised_cents=raised, goal_cents=goal, losses=losses,
        recap_saved=recap_saved, leaderboard_posts=leaderboard_posts, problems=stage.problems,
        warnings=stage.warnings, real_seconds=stage.clock.real_elapsed(), behind_minutes=behind_minutes,
        behind_what=behind_what,
    )


async def board(stage: Stage, players: Players, kind: str, header: str) -> Board | None:
    """`/leaderboard show board:<kind>`, its first page as a table."""
    answer = await players.ask(stage.host, "leaderboard show", {"board": kind})
    stage.log.write({"type": "final", "command": "leaderboard show", "board": kind, "outcome": answer.outcome,
                     "reply": {"title": answer.title, "description": answer.description}})
    if not answer.ok:
        stage.problems.append(f"/leaderboard show board:{kind} → {answer.outcome}: {plain(answer.description)}")
        return None
    rows = [
        (found.group(1), found.group(2), found.group(3))
        for found in map(BOARD_LINE.match, answer.description.splitlines()) if found is not None
    ]
    return Board(answer.title.split(" — ")[0], header, tuple(rows), "" if rows else plain(answer.description))


async def money(stage: Stage, players: Players) -> tuple[int | None, int | None, str]:
    """`/pledge total`: raised tonight, the goal, the charity."""
    answer = await players.ask(stage.host, "pledge total", {})
    stage.log.write({"type": "final", "command": "pledge total", "outcome": answer.outcome,
                     "reply": {"title": answer.title, "description": answer.description, "fields": answer.fields}})
    if not answer.ok:
        stage.problems.append(f"/pledge total → {answer.outcome}: {plain(answer.description)}")
        return None, None, ""
    tonight = next((value for name, value in answer.fields.items() if name != "All-time"), None)
    raised = cents_in(tonight) if tonight is not None else None
    return raised, cents_in(answer.description), plain(answer.title).removeprefix("Pledges for ")


async def cards(stage: Stage, players: Players) -> dict[str, int]:
    """Every member asks for their own loser card: their losses tonight, as the bot counts them."""
    losses: dict[str, int] = {}
    limit = asyncio.Semaphore(CARD_CONCURRENCY)

    async def card(name: str, member: Member) -> None:
        async with limit:
            answer = await players.ask(member, "loser card", {})
        if not answer.ok:
            stage.problems.append(f"{name} · /loser card → {answer.outcome}: {plain(answer.description)}")
        for field_name in answer.fields:
            found = LOSSES_TONIGHT.match(plain(field_name))
            if found is not None and int(found.group(1)):
                losses[name] = int(found.group(1))

    await asyncio.gather(*(card(name, member) for name, member in stage.members.items() if name != HOST))
    stage.log.write({"type": "final", "command": "loser card", "losses": losses})
    return losses


def compare(stage: Stage, ledger: Ledger, raised: int | None, losses: dict[str, int]) -> None:
    """The bot's totals against the event log's."""
    if raised is not None and raised != ledger.raised_cents:
        stage.problems.append(
            f"The bot reports {format_cents(raised)} raised tonight; the event log adds up to "
            f"{format_cents(ledger.raised_cents)}."
        )
    differences = [
        f"{name}: bot {losses.get(name, 0)}, log {ledger.losses.get(name, 0)}"
        for name in sorted(set(losses) | set(ledger.losses))
        if losses.get(name, 0) != ledger.losses.get(name, 0)
    ]
    if differences:
        stage.problems.append(
            f"{len(differences)} member(s) have other losses than the event log says: " + "; ".join(differences[:5])
        )
