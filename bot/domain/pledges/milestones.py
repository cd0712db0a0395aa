"""Goal milestones: 25, 50, 75 and 100 percent of the goal, then every further full goal.

Each is announced once per scope and goal amount: when a host raises the goal
(a stretch goal once the first is met), the new goal's milestones are celebrated
in their turn, while going back to a goal already celebrated announces nothing
again. The check runs inside the unit that changed the total, with exactly the
total before and after each pledge (a batch of pledges is replayed one by one in
its order: `recording.record_pledges`), so the pledge that crossed a milestone is
the one that records it; the unique key of `pledge_milestones` (server, scope, goal, percent; migration
0006) is what makes "once" hold even when a crowd crosses a milestone together or
the same milestone is crossed again after a cancel.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_storage
from bot.db import Transaction

QUARTERS = (25, 50, 75, 100)
MAX_MULTIPLES_AT_ONCE = 50
"""One pledge may leap many goals at once when the goal is tiny; record only the highest few."""


def crossed_milestones(before_cents: int, after_cents: int, goal_cents: int) -> list[int]:
    """Percents of the goal reached by going from `before_cents` to `after_cents`, ascending."""
    if goal_cents <= 0 or after_cents <= before_cents:
        return []
    if after_cents * 4 // goal_cents == before_cents * 4 // goal_cents:
        return []  # every milestone is a whole quarter of the goal: none lies between (the common case)
    crossed = [p for p in QUARTERS if before_cents * 100 < p * goal_cents <= after_cents * 100]
    first_multiple = max(2, before_cents // goal_cents + 1)
    last_multiple = after_cents // goal_cents
    first_multiple = max(first_multiple, last_multiple - MAX_MULTIPLES_AT_ONCE + 1)
    crossed.extend(100 * multiple for multiple in range(first_multiple, last_multiple + 1))
    return crossed


async def record_crossed(
    tx: Transaction,
    *,
    guild_id: int,
    scope: int,
    before_cents: int,
    after_cents: int,
    goal_cents: int,
    pledge_id: int,
    now: datetime,
) -> int | None:
    """Record the milestones of `goal_cents` this change crossed; return the highest not recorded before
    for that goal, if any."""
    crossed = crossed_milestones(before_cents, after_cents, goal_cents)
    if not crossed:
        return None
    rows = ", ".join("(?, ?, ?, ?, ?, ?, ?)" for _ in crossed)
    params: list[object] = []
    for percent in crossed:
        params.extend((guild_id, scope, goal_cents, percent, after_cents, pledge_id, to_storage(now)))
    fresh = await tx.fetch_all(
        "INSERT INTO pledge_milestones (guild_id, scope, goal_cents, percent, raised_cents, pledge_id, "  # noqa: S608
        f"reached_at) VALUES {rows} ON CONFLICT DO NOTHING RETURNING percent",
        params,
    )
    return max((row["percent"] for row in fresh), default=None)
