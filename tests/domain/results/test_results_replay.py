"""The whole 66th Emmys (2014), replayed at the domain level: 60 members claim
nominees and pick winners (by autocomplete value or by typed name, concurrently),
some declare themselves losers, the host logs all 103 results from the data file
(the two ties through `/result tie`), and every member's losses, pick record and
winner's tax equal what this test computes on its own. A night with a wrong
result, undone and re-logged, ends in exactly the same state."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.db import Database, apply_migrations
from bot.domain.ceremonies.service import categories_of, nominees_of
from bot.embeds import EMBED_TOTAL_LIMIT, embed_size
from tests.clock import FakeClock
from tests.domain.ceremony_helpers import DATA, HOST, Lounge, Member
from tests.domain.results.test_results import STATE, dump

MEMBERS = 60
TAX_CENTS = 50_000
ROLE = 4242


@dataclass
class Plan:
    """What every member does, decided up front from a seed (not from the database)."""

    picks: dict[int, dict[int, int]] = field(default_factory=dict)  # user → category index → nominee index
    late_changes: dict[int, dict[int, int]] = field(default_factory=dict)  # changed during the show
    claims: dict[tuple[int, int], int] = field(default_factory=dict)  # (category, nominee) → user
    declarations: dict[int, list[int | None]] = field(default_factory=dict)  # user → categories (None: none)


def make_plan(document: dict[str, Any], seed: int = 2014) -> Plan:
    rng = random.Random(seed)
    plan = Plan()
    categories = document["categories"]
    for user in range(1, MEMBERS + 1):
        chosen = rng.sample(range(len(categories)), k=rng.randint(10, 60))
        plan.picks[user] = {c: rng.randrange(len(categories[c]["nominees"])) for c in chosen}
        plan.late_changes[user] = {c: rng.randrange(len(categories[c]["nominees"]))
                                   for c in rng.sample(chosen, k=min(3, len(chosen)))}
        if user % 7 == 0:
            plan.declarations[user] = [None, rng.randrange(len(categories))]
    every_nomination = [(c, n) for c, category in enumerate(categories) for n in range(len(category["nominees"]))]
    for nomination in rng.sample(every_nomination, k=240):
        plan.claims[nomination] = rng.randint(1, MEMBERS)
    # Make sure the two ties matter: someone claims each tied winner, someone else picked it.
    for c, category in enumerate(categories):
        winners = [n for n, nominee in enumerate(category["nominees"]) if nominee.get("winner")]
        if len(winners) > 1:
            plan.claims[(c, winners[1])] = 1
            plan.picks[2][c] = winners[1]
            plan.late_changes[2].pop(c, None)
    for user, claims in Counter(plan.claims.values()).items():  # stay within the per-member limit
        assert claims <= 25, user
    return plan


@dataclass
class Expected:
    losses: dict[int, int]
    tonight_by_source: dict[int, Counter[str]]
    correct: dict[int, int]
    resolved: dict[int, int]
    taxes: dict[int, int]


def expected_outcome(document: dict[str, Any], plan: Plan) -> Expected:
    """The night computed from the data file and the plan alone."""
    losses: Counter[int] = Counter()
    by_source: dict[int, Counter[str]] = {user: Counter() for user in range(1, MEMBERS + 1)}
    correct: Counter[int] = Counter()
    resolved: Counter[int] = Counter()
    taxes: Counter[int] = Counter()
    for c, category in enumerate(document["categories"]):
        winners = {n for n, nominee in enumerate(category["nominees"]) if nominee.get("winner")}
        taxed: set[int] = set()
        for (claimed_category, n), user in plan.claims.items():
            if claimed_category != c:
                continue
            if n in winners:
                taxed.add(user)  # one tax per member per category, however many winners they claimed
            else:
                losses[user] += 1
                by_source[user]["claim"] += 1
        for user in taxed:
            taxes[user] += TAX_CENTS
        for user, picks in plan.picks.items():
            if c not in picks:
                continue
            final = plan.late_changes[user].get(c, picks[c])
            resolved[user] += 1
            if final in winners:
                correct[user] += 1
            else:
                losses[user] += 1
                by_source[user]["pick"] += 1
    for user, declared in plan.declarations.items():
        losses[user] += len(declared)
        by_source[user]["declared"] += len(declared)
    return Expected(dict(losses), by_source, dict(correct), dict(resolved), dict(taxes))


async def replay(db: Database, clock: FakeClock, document: dict[str, Any], plan: Plan, *,
                 mistake: bool) -> Lounge:
    lounge = Lounge(db, clock)
    await lounge.settings.update(lounge.guild_id, {"winner_tax_cents": TAX_CENTS, "loser_role_id": ROLE},
                                 actor_id=HOST)
    await lounge.prepare(json.dumps(document).encode(), start=False)
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None
    categories = await categories_of(db, ceremony.id)
    nominees = [await nominees_of(db, category.id) for category in categories]
    members = {user: lounge.member(user, f"Member {user}") for user in range(1, MEMBERS + 1)}

    def option(user: int, c: int, n: int) -> tuple[str, str]:
        """Half the members choose from autocomplete (ids); the others type the names."""
        if user % 2:
            return str(categories[c].id), str(nominees[c][n].id)
        return categories[c].name.upper(), nominees[c][n].label.lower()

    async def picks_of(member: Member, picks: dict[int, int]) -> None:
        for c, n in picks.items():
            await member.pick(*option(member.user_id, c, n))

    async def claims_of(member: Member, claims: list[tuple[int, int]]) -> None:
        for c, n in claims:
            await member.claim(*option(member.user_id, c, n))

    # In the draft: claims and the first picks, all members at once.
    claims: dict[int, list[tuple[int, int]]] = {}
    for nomination, user in plan.claims.items():
        claims.setdefault(user, []).append(nomination)
    await asyncio.gather(*(claims_of(members[user], nominations) for user, nominations in claims.items()))
    await asyncio.gather(*(picks_of(members[user], picks) for user, picks in plan.picks.items()))
    await lounge.ceremonies.start(lounge.guild_id, actor_id=HOST, channel_id=9)
    for user, declared in plan.declarations.items():
        for which in declared:
            await members[user].declare(category=None if which is None else categories[which].name, note="so close")
    await asyncio.gather(*(picks_of(members[user], changes) for user, changes in plan.late_changes.items()))

    for c, category in enumerate(document["categories"]):
        winners = [n for n, nominee in enumerate(category["nominees"]) if nominee.get("winner")]
        if mistake and c in (3, 50):  # read out wrongly, logged, then taken back
            wrong = next(n for n in range(len(category["nominees"])) if n not in winners)
            await lounge.log(str(categories[c].id), str(nominees[c][wrong].id))
            await lounge.undo(categories[c].name)
        await lounge.log(str(categories[c].id), str(nominees[c][winners[0]].id))
        for other in winners[1:]:
            await lounge.tie(categories[c].name, nominees[c][other].label)
    return lounge


async def test_the_2014_ceremony_replayed_matches_an_independent_count(db: Database, clock: FakeClock,
                                                                        tmp_path: Path) -> None:
    document = json.loads((DATA / "emmys-2014.json").read_text("utf-8"))
    plan = make_plan(document)
    expected = expected_outcome(document, plan)
    lounge = await replay(db, clock, document, plan, mistake=True)
    ceremony = await lounge.ceremonies.current(lounge.guild_id)
    assert ceremony is not None

    totals = {row["user_id"]: row["losses"] for row in await db.fetch_all(
        "SELECT user_id, losses FROM loss_totals WHERE guild_id = ? AND scope = 0", (lounge.guild_id,))}
    tonight = {row["user_id"]: row["losses"] for row in await db.fetch_all(
        "SELECT user_id, losses FROM loss_totals WHERE guild_id = ? AND scope = ?", (lounge.guild_id, ceremony.id))}
    assert totals == expected.losses
    assert tonight == expected.losses
    assert sum(expected.losses.values()) > 1000  # a real night, not a toy one
    for user in range(1, MEMBERS + 1):
        card = await lounge.losers.card(lounge.guild_id, user, "")
        breakdown = expected.tonight_by_source[user]
        assert (card.tonight.declared, card.tonight.claim, card.tonight.pick) == (
            breakdown["declared"], breakdown["claim"], breakdown["pick"]), user
        assert (card.picks_tonight.correct, card.picks_tonight.resolved) == (
            expected.correct.get(user, 0), expected.resolved.get(user, 0)), user
    stats = {row["user_id"]: (row["correct"], row["resolved"]) for row in await db.fetch_all(
        "SELECT user_id, correct, resolved FROM pick_stats WHERE scope = 0")}
    assert stats == {user: (expected.correct.get(user, 0), count) for user, count in expected.resolved.items()}

    owed = Counter[int]()
    for row in await db.fetch_all(
            "SELECT user_id, amount_cents FROM pledges WHERE kind = 'winner_tax' AND status = 'pending'"):
        owed[row["user_id"]] += row["amount_cents"]
    assert dict(owed) == expected.taxes
    assert expected.taxes[1] >= 2 * TAX_CENTS  # member 1 claimed both tie winners

    status = await lounge.ceremonies.status(lounge.guild_id)
    assert (len(status.logged), len(status.remaining)) == (103, 0)
    assert status.guests == 561 - 105  # every nomination but the 105 winners (103 + two ties)
    assert status.members_in_lounge == len(expected.losses)
    roles = Counter((row["action"]) for row in await db.fetch_all("SELECT action FROM role_queue"))
    # Each member in the lounge got the role once; the two undone mistakes only moved it for
    # members whose one loss was the mistake (added, removed, added again).
    grants = await db.fetch_value("SELECT COUNT(*) FROM loser_role_grants WHERE role_id = ?", (ROLE,))
    assert grants == len(expected.losses)
    assert roles["add"] - roles["remove"] == len(expected.losses)

    kinds = Counter(row["kind"] for row in await db.fetch_all("SELECT kind FROM outbox"))
    assert (kinds["result.log"], kinds["result.tie"], kinds["result.undo"]) == (105, 2, 2)
    for row in await db.fetch_all("SELECT payload FROM outbox"):
        body = json.loads(row["payload"])
        assert len(body["embeds"]) <= 10
        assert sum(embed_size(embed) for embed in body["embeds"]) <= EMBED_TOTAL_LIMIT

    clean_db = await Database.open(tmp_path / "never-wrong.db")
    try:
        await apply_migrations(clean_db.connection)
        await replay(clean_db, FakeClock(), document, plan, mistake=False)
        never_wrong = await dump(clean_db)
    finally:
        await clean_db.close()
    after_undo = await dump(db)
    for table in STATE:
        assert after_undo[table] == never_wrong[table], table
