"""The same night twice (issue 13): once typed (`/pick`, `/result log`, `/result tie`,
`/result undo`), once clicked (`/ballot` menus, `/result console` buttons). Members' cards,
picks, the boards, the pledge totals, the roles and the announcement feed must be the same."""

from __future__ import annotations

import random
from pathlib import Path

from standin import Member, StandIn
from tests.e2e.ballot_story import Desk, open_ballot, open_console
from tests.e2e.harness import Lounge
from tests.e2e.story import (
    DATA_2014,
    Night,
    Nomination,
    another_lounge,
    answers,
    feed,
    fixed_clock,
    quiet,
    read_ceremony,
    titles,
)

PEOPLE = ["Ada", "Bea", "Cy", "Dee", "Eve", "Fay"]
EVERY = read_ceremony(DATA_2014)
NIGHT = [*EVERY[:6], *(category for category in EVERY if len(category.winners) == 2)]  # six on air and both ties
MISTAKE = NIGHT[2]  # logged wrong first, then undone, then logged right


def planned_picks() -> dict[tuple[str, str], Nomination]:
    rng = random.Random(1313)
    return {(person, category.name): rng.choice(category.nominations) for category in NIGHT for person in PEOPLE}


CLAIMS = [("Ada", NIGHT[0].winners[0]), ("Bea", NIGHT[0].losers[0]), ("Cy", NIGHT[-1].winners[1]),
          ("Dee", NIGHT[-2].winners[0]), ("Eve", MISTAKE.losers[0])]


async def before_the_show(lounge: Lounge) -> tuple[Night, list[Member]]:
    await lounge.setup_lounge()
    await lounge.host.slash("settings set", goal="2,000")
    night = Night(lounge, NIGHT)
    await night.prepare()
    members = [lounge.member(name) for name in PEOPLE]
    by_name = {member.name: member for member in members}
    claimed = await answers(night.send_claim(by_name[who], nomination) for who, nomination in CLAIMS)
    assert {reply.embeds[0]["title"] for reply in claimed} == {"Claimed"}
    return night, members


async def typed_night(lounge: Lounge) -> list[Member]:
    night, members = await before_the_show(lounge)
    picks = planned_picks()
    replies = await answers(night.send_pick(member, picks[(member.name, category.name)])
                            for member in members for category in NIGHT)
    assert {reply.embeds[0]["title"] for reply in replies} == {"Pick saved"}
    await night.start()
    for category in NIGHT:
        if category is MISTAKE:
            await night.log_result(category, category.losers[0])
            await night.undo(category)
        await night.log_result(category, category.winners[0])
        for other in category.winners[1:]:
            await night.tie(category, other)
    return members


async def clicked_night(lounge: Lounge) -> list[Member]:
    _, members = await before_the_show(lounge)
    picks = planned_picks()
    categories = {category.name: category for category in NIGHT}
    for member in members:
        sheet = await open_ballot(member)
        while True:
            for name in sheet.shown():
                await sheet.choose(categories[name], picks[(member.name, name)])
            if sheet.button("next").get("disabled"):
                break
            await sheet.press("next")
        assert sheet.picked() == (len(NIGHT), len(NIGHT))
        await sheet.press("done")
    await lounge.host.slash("ceremony start")
    desk: Desk = await open_console(lounge.host)
    for category in NIGHT:
        if category is MISTAKE:
            await desk.log(category, category.losers[0])
            await desk.undo_last()
        await desk.log(category, category.winners[0])
        for index, other in enumerate(category.winners[1:], start=1):
            await desk.tie(category, other, category.winners[:index])
    assert desk.now() is None  # every result is in
    return members


async def what_members_see(lounge: Lounge, members: list[Member]) -> dict[str, object]:
    await quiet(lounge)
    seen: dict[str, object] = {}
    for command in ("loser card", "picks", "pledge mine"):
        replies = await answers(member.send_slash(command) for member in members)
        seen[command] = [reply.embeds for reply in replies]
    for board in ("losers", "donors", "pickers"):
        seen[f"board {board}"] = (await lounge.host.slash("leaderboard show", board=board)).embeds
    for command in ("pledge total", "loser roster", "ceremony status"):
        seen[command] = (await lounge.host.slash(command)).embeds
    await quiet(lounge)
    seen["roles"] = sorted(member.name for member in members if member.has_role(lounge.loser_role))
    seen["feed"] = titles(feed(lounge.announcements, include_deleted=True))
    seen["feed now"] = [
        {key: value for key, value in embed.items() if key != "timestamp"} for embed in feed(lounge.announcements)
    ]
    queries = {
        "losses": "SELECT m.display_name, l.source, c.name, n.label FROM losses l "
                  "JOIN members m ON m.guild_id = l.guild_id AND m.user_id = l.user_id "
                  "LEFT JOIN categories c ON c.id = l.category_id LEFT JOIN nominees n ON n.id = l.nominee_id",
        "picks": "SELECT m.display_name, c.name, n.label, p.outcome FROM picks p "
                 "JOIN members m ON m.guild_id = p.guild_id AND m.user_id = p.user_id "
                 "JOIN categories c ON c.id = p.category_id JOIN nominees n ON n.id = p.nominee_id",
        "pledges": "SELECT p.display_name, p.kind, c.name, p.amount_cents, p.status FROM pledges p "
                   "LEFT JOIN categories c ON c.id = p.category_id",
        "totals": "SELECT scope > 0, raised_cents FROM pledge_totals",
        "winners": "SELECT c.name, n.label FROM result_winners w JOIN nominees n ON n.id = w.nominee_id "
                   "JOIN categories c ON c.id = n.category_id",
        "audit": "SELECT action, detail FROM audit_log WHERE action LIKE 'result.%'",
    }
    for name, sql in queries.items():
        seen[f"database: {name}"] = sorted(tuple(row) for row in lounge.query(sql))
    return seen


async def test_a_night_of_clicks_ends_as_the_same_night_typed(standin: StandIn, tmp_path: Path) -> None:
    clock = fixed_clock()
    async with another_lounge(standin, tmp_path / "typed", clock=clock) as typed:
        members = await typed_night(typed)
        by_commands = await what_members_see(typed, members)
    async with another_lounge(standin, tmp_path / "clicked", clock=clock) as clicked:
        members = await clicked_night(clicked)
        by_clicks = await what_members_see(clicked, members)
    assert by_commands["roles"], "the night sent nobody to the lounge: it proves nothing"
    assert any(row[1] == "winner_tax" for row in by_commands["database: pledges"])  # type: ignore[attr-defined]
    for key in by_commands:
        assert by_clicks[key] == by_commands[key], key

