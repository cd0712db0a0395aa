"""The live Emmy night end to end (issue 4): the real bot, the real discord.py client and the
loopback Discord stand-in. Members pick and claim from the bot's autocomplete, the host logs
every result as it is read out, and what members see (cards, the announcement feed, their
roles) is checked against the test's own computation of the rules (`Scorebook`)."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from standin import Attachment, InvalidInvocation, Member, Permissions, Reply, StandIn
from tests.e2e.harness import Lounge
from tests.e2e.story import (
    ANNOUNCEMENT_ROUTE,
    CEREMONY_2014,
    DATA_2014,
    MAX_CLAIMS,
    Category,
    News,
    Night,
    Nomination,
    Scorebook,
    announcement_posts,
    another_lounge,
    answers,
    button,
    ceremony_file,
    expected_counts,
    feed,
    fields,
    fixed_clock,
    lose_the_answer_to_the_next_message,
    milestone_title,
    money,
    news_counts,
    pledge_id,
    quiet,
    read_card,
    read_ceremony,
    refusal,
    titles,
    unescape,
)

LIVE = f"🎬 {CEREMONY_2014} (2014) is live"
NEW_IN_LOUNGE = "😢 New in the lounge"
MILESTONE_MARKS = ("🎯 ", "🎉 ", "🚀 ")
GUEST_NAMES = [f"Guest {number:02d}" for number in range(56)] + ["Ada *Star*", "bo_b", "@everyone fan", "Cy | Pipe"]


def is_milestone(title: str) -> bool:
    return title.startswith(MILESTONE_MARKS)


def check_feed_against(embeds: list[dict[str, object]], news: list[News]) -> None:
    """Each announcement shows what the Scorebook says it must (its title, winners and counts)."""
    assert titles(embeds) == [item.title for item in news]
    for embed, item in zip(embeds, news, strict=True):
        assert news_counts(embed) == expected_counts(item), f"{item.kind} {item.category}: {embed}"
        description = unescape(str(embed["description"]))
        for nominee in item.changed:
            assert nominee.name in description, f"{nominee.name} missing from {description!r}"


async def test_the_whole_2014_night_adds_up_for_sixty_members(lounge: Lounge) -> None:
    await lounge.setup_lounge()
    ceremony = read_ceremony(DATA_2014)
    night, book = Night(lounge, ceremony), Scorebook.of(ceremony)
    imported = await night.prepare(DATA_2014.read_bytes())
    assert imported.embeds[0]["description"].startswith("103 categories, 561 nominations")
    rng = random.Random(2014)
    guests = [lounge.member(name) for name in GUEST_NAMES]
    # Two guests with one job each, in the two ties: Tom claims both winners of one (one tax, not two);
    # Tina claims only the second winner of the other (a loss at the log, taken back by the tie).
    documentary, informational = (c for c in ceremony if len(c.winners) == 2)
    tom, tina = lounge.member("Tie Tom"), lounge.member("Tie Tina")
    for member, nomination in [(tom, documentary.winners[0]), (tom, documentary.winners[1]),
                               (tina, informational.winners[1])]:
        assert book.claim(member.name, nomination)
        assert (await night.claim(member, nomination)).embeds[0]["title"] == "Claimed"

    # Before the show: about half the nominees are claimed, and members pick in most categories.
    for category in ceremony:
        claims = []
        for nomination in category.nominations:
            if nomination in book.claims:
                continue
            if rng.random() < 0.5:
                who = rng.choice([guest for guest in guests if book.claim_count(guest.name) < MAX_CLAIMS])
                assert book.claim(who.name, nomination)
                claims.append(night.send_claim(who, nomination))
        picks = []
        for guest in guests:
            if rng.random() < 0.6:
                nomination = rng.choice(category.nominations)
                assert book.pick(guest.name, nomination)
                picks.append(night.send_pick(guest, nomination))
        replies = await answers(claims + picks)
        assert [r.embeds[0]["title"] for r in replies] == ["Claimed"] * len(claims) + ["Pick saved"] * len(picks)

    # Some declare themselves losers before the show; a second declaration is refused.
    for guest, where in [(guests[0], None), (guests[1], ceremony[0]), (guests[2], None), (guests[-1], ceremony[5])]:
        options: dict[str, Any] = {} if where is None else {"category": night.category_value(where.name)}
        declared = await guest.slash("loser declare", note="I was robbed", **options)
        assert declared.embeds[0]["title"] == "Declared"
        assert book.declare(guest.name, None if where is None else where.name)
    again = await guests[0].slash("loser declare")
    assert "once is enough" in refusal(again)
    declarers = len({member for member, _ in book.declared})

    await night.start()
    news: list[News] = []
    for index, category in enumerate(ceremony):
        changes = []  # last-minute changes of mind, until the result is read out
        for guest in rng.sample(guests, 3):
            nomination = rng.choice(category.nominations)
            assert book.pick(guest.name, nomination)
            changes.append(night.send_pick(guest, nomination))
        assert {r.embeds[0]["title"] for r in await answers(changes)} == {"Pick saved"}
        first, *others = category.winners
        logged = await night.log_result(category, first)
        assert unescape(logged.embeds[0]["title"]) == f"Logged: {category.name}"
        news.append(book.log(category.name, first))
        for other in others:
            tied = await night.tie(category, other)
            assert unescape(tied.embeds[0]["title"]) == f"Tie logged: {category.name}"
            news.append(book.tie(category.name, other))
        if index % 20 == 0:  # too late to change a pick: it is locked, and nothing changes
            late = await night.pick(guests[index % len(guests)], category.losers[0])
            assert "locked" in refusal(late)

    # The feed: every announcement once, in order, counting what the Scorebook counts.
    expected = [NEW_IN_LOUNGE] * declarers + [LIVE] + [item.title for item in news]
    milestones = [milestone_title(percent) for item in news for percent in item.milestones]
    assert milestones[:4] == ["🎯 25% of the goal!", "🎯 50% of the goal!", "🎯 75% of the goal!", "🎉 Goal reached!"]
    await lounge.announcements.wait_for_messages(
        timeout=15, where=lambda _m: len(feed(lounge.announcements)) >= len(expected) + len(milestones)
    )
    await quiet(lounge)
    shown = feed(lounge.announcements, include_deleted=True)
    assert [t for t in titles(shown) if not is_milestone(t)] == expected
    assert [t for t in titles(shown) if is_milestone(t)] == milestones
    check_feed_against([e for e in shown if not is_milestone(titles([e])[0])][declarers + 1:], news)
    for message in lounge.announcements.history:
        assert len(message.embeds) <= 10
        assert not message.pings_everyone
        assert not message.pinged_role_ids
        assert not message.pinged_user_ids

    # What each member sees on their card: losses by source, picks record, winner's tax owed.
    guests += [tom, tina]
    assert (book.tax_owed("Tie Tom"), book.tax_owed("Tie Tina"), book.losses("Tie Tina").total) == (100_000,) * 2 + (0,)
    cards = await answers(guest.send_slash("loser card") for guest in guests)
    for guest, reply in zip(guests, cards, strict=True):
        card, losses = read_card(reply), book.losses(guest.name)
        assert (card.declared, card.claim, card.pick) == (losses.declared, losses.claim, losses.pick), guest.name
        assert card.picks == book.record(guest.name), guest.name
        owed = book.tax_owed(guest.name)
        assert card.pledged == f"{money(owed)} tonight · {money(owed)} all-time", guest.name

    # The winner's tax: one pending pledge per member per category they claimed a winner in.
    taxes = lounge.query(
        "SELECT m.display_name AS member, c.name AS category, p.amount_cents, p.status FROM pledges p "
        "JOIN members m ON m.guild_id = p.guild_id AND m.user_id = p.user_id "
        "JOIN categories c ON c.id = p.category_id WHERE p.kind = 'winner_tax'"
    )
    assert sorted((row["member"], row["category"]) for row in taxes) == sorted(book.taxes())
    assert {(row["amount_cents"], row["status"]) for row in taxes} == {(100_000, "pending")}
    total = await guests[0].slash("pledge total")
    assert fields(total.embeds[0])[CEREMONY_2014].startswith(f"**{money(book.raised_cents())}** of $30,000.00")

    # Everyone in the lounge wears the Loser role; nobody else does.
    in_lounge = book.in_lounge()
    await lounge.standin.wait_until(
        lambda: True if {g.name for g in guests if g.has_role(lounge.loser_role)} == in_lounge else None,
        what="the loser role on exactly the members in the lounge",
    )
    # Autocomplete: at most 25 suggestions, and no category is left open to pick in.
    assert len(await guests[5].autocomplete("result tie", "category", category="")) == 25
    assert await guests[5].autocomplete("pick", "category", category="") == []
    roster = await guests[3].slash("loser roster")
    pages = -(-(len(in_lounge) + 456) // 20)  # twenty to a page: members first, then the losing nominees
    assert roster.embeds[0]["footer"]["text"] == (
        f"{len(in_lounge)} members · 456 guests (losing nominees) · page 1 of {pages}"
    )
    await guests[3].click(roster, button(roster, "Next"))
    assert roster.embeds[0]["footer"]["text"].endswith(f"page 2 of {pages}")
    status = await guests[4].slash("ceremony status")
    assert status.embeds[0]["description"].startswith("**103 of 103** results announced")


# ---- undo and re-log ---------------------------------------------------------------------------

SIX = read_ceremony(DATA_2014, first=6)
MISTAKE = SIX[2]  # the category the host first gets wrong
PEOPLE = ["Ada", "Bea", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal"]


async def play_six_categories(lounge: Lounge, *, with_a_mistake: bool) -> tuple[Night, Scorebook, list[Member]]:
    """Six categories, eight members; with `with_a_mistake`, the host logs the wrong winner of
    MISTAKE, a member declares a loss in it meanwhile, and the host undoes it before the right one."""
    await lounge.setup_lounge()
    await lounge.host.slash("settings set", goal="1,000")  # every winner's tax reaches another full goal
    night, book = Night(lounge, SIX), Scorebook.of(SIX, goal_cents=100_000)
    await night.prepare()
    members = [lounge.member(name) for name in PEOPLE]
    ada, bea, cy, dee, eve, *_ = members
    rng = random.Random(6)
    picks = []
    for category in SIX:
        for member in members:
            nomination = rng.choice(category.nominations)
            book.pick(member.name, nomination)
            picks.append(night.send_pick(member, nomination))
    wrong, right = MISTAKE.losers[0], MISTAKE.winners[0]
    claims = [(ada, wrong), (bea, right), (cy, MISTAKE.losers[1]), (dee, SIX[0].winners[0]), (eve, SIX[4].losers[0])]
    for member, nomination in claims:
        book.claim(member.name, nomination)
        picks.append(night.send_claim(member, nomination))
    await answers(picks)
    await night.start()
    for category in SIX[:2]:
        await night.log_result(category, category.winners[0])
        book.log(category.name, category.winners[0])
    if with_a_mistake:
        await night.log_result(MISTAKE, wrong)
        book.log(MISTAKE.name, wrong)
    declared = await dee.slash("loser declare", category=night.category_value(MISTAKE.name), note="Robbed")
    assert declared.embeds[0]["title"] == "Declared"
    book.declare(dee.name, MISTAKE.name)
    if with_a_mistake:
        undone = await night.undo(MISTAKE)
        correction = book.undo(MISTAKE.name)
        assert unescape(undone.embeds[0]["title"]) == f"Undone: {MISTAKE.name}"
        assert f"{correction.taxes_cancelled} unpaid winner's-tax pledge" in undone.embeds[0]["description"]
    changed = await night.pick(eve, MISTAKE.nominations[-1])  # picks are open again after an undo
    assert changed.embeds[0]["title"] == "Pick saved"
    book.pick(eve.name, MISTAKE.nominations[-1])
    for category in SIX[2:]:
        await night.log_result(category, category.winners[0])
        book.log(category.name, category.winners[0])
        for other in category.winners[1:]:
            await night.tie(category, other)
            book.tie(category.name, other)
    await quiet(lounge)
    return night, book, members


async def what_the_lounge_holds(lounge: Lounge, members: list[Member]) -> dict[str, object]:
    """Everything members can see, and the database's account of the night, without ids or times."""
    seen: dict[str, object] = {}
    for command in ("loser card", "picks"):
        replies = await answers(member.send_slash(command) for member in members)
        seen[command] = [reply.embeds for reply in replies]
    for command in ("pledge total", "loser roster", "ceremony status"):
        seen[command] = (await lounge.host.slash(command)).embeds
    await quiet(lounge)
    seen["roles"] = sorted(member.name for member in members if member.has_role(lounge.loser_role))
    queries = {
        "losses": "SELECT m.display_name, l.source, c.name, n.label, l.note FROM losses l "
                  "JOIN members m ON m.guild_id = l.guild_id AND m.user_id = l.user_id "
                  "LEFT JOIN categories c ON c.id = l.category_id LEFT JOIN nominees n ON n.id = l.nominee_id",
        "loss totals": "SELECT m.display_name, t.scope, t.losses FROM loss_totals t "
                       "JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id",
        "pick stats": "SELECT m.display_name, s.scope, s.correct, s.resolved FROM pick_stats s "
                      "JOIN members m ON m.guild_id = s.guild_id AND m.user_id = s.user_id",
        "picks": "SELECT m.display_name, c.name, n.label, p.outcome FROM picks p "
                 "JOIN members m ON m.guild_id = p.guild_id AND m.user_id = p.user_id "
                 "JOIN categories c ON c.id = p.category_id JOIN nominees n ON n.id = p.nominee_id",
        "pledges owed": "SELECT p.display_name, p.kind, c.name, p.amount_cents, p.status FROM pledges p "
                        "LEFT JOIN categories c ON c.id = p.category_id WHERE p.status != 'cancelled'",
        "role grants": "SELECT m.display_name FROM loser_role_grants g "
                       "JOIN members m ON m.guild_id = g.guild_id AND m.user_id = g.user_id",
        "guests": "SELECT n.label FROM lounge_guests g JOIN nominees n ON n.id = g.nominee_id",
        "winners": "SELECT n.label FROM result_winners w JOIN nominees n ON n.id = w.nominee_id",
        "milestones": "SELECT scope, percent FROM pledge_milestones",
    }
    for name, sql in queries.items():
        seen[name] = sorted(tuple(row) for row in lounge.query(sql))
    seen["milestones announced"] = sorted(t for t in titles(feed(lounge.announcements)) if is_milestone(t))
    return seen


async def test_an_undone_result_leaves_the_night_as_if_it_never_happened(standin: StandIn, tmp_path: Path) -> None:
    clock = fixed_clock()  # both runs stamp the same times, so even "who got there first" compares
    async with another_lounge(standin, tmp_path / "with-a-mistake", clock=clock) as mistaken:
        _, book, members = await play_six_categories(mistaken, with_a_mistake=True)
        with_the_mistake = await what_the_lounge_holds(mistaken, members)
        shown = feed(mistaken.announcements, include_deleted=True)
        mistake_titles = [t for t in titles(shown) if MISTAKE.name in t]
        assert mistake_titles == [f"🏆 {MISTAKE.name}", f"↩️ Correction: {MISTAKE.name}", f"🏆 {MISTAKE.name}"]
        wrong_one, correction, right_one = (e for e in shown if MISTAKE.name in unescape(e["title"]))
        assert MISTAKE.losers[0].name in unescape(wrong_one["description"])
        assert MISTAKE.winners[0].name in unescape(right_one["description"])
        assert MISTAKE.losers[0].name in unescape(correction["description"])
        # The wrong winner's tax reached twice the goal; the right one reaches it again, announced once.
        assert with_the_mistake["milestones announced"] == ["🎉 Goal reached!", "🚀 2× the goal!"]
        assert book.milestones_announced == {25, 50, 75, 100, 200}
        check_feed_against([e for e in shown if not is_milestone(titles([e])[0])][1:], book.news)
        dee = read_card(await members[3].slash("loser card"))
        assert dee.declared == 1  # a declared loss is never touched by an undo
        assert (dee.declared, dee.claim, dee.pick) == tuple(vars(book.losses("Dee")).values())
    async with another_lounge(standin, tmp_path / "right-first-time", clock=clock) as right:
        _, _, members = await play_six_categories(right, with_a_mistake=False)
        right_first_time = await what_the_lounge_holds(right, members)
    assert with_the_mistake == right_first_time



async def test_a_double_clicked_undo_undoes_once_and_a_stale_prompt_changes_nothing(lounge: Lounge) -> None:
    drama, _ = two = read_ceremony(DATA_2014, first=2)
    await lounge.setup_lounge()
    night = Night(lounge, two)
    await night.prepare()
    ada = lounge.member("Ada")
    await night.pick(ada, drama.losers[0])
    await night.start()
    await night.log_result(drama, drama.losers[1])  # the wrong winner
    category = night.category_value(drama.name)
    prompt, forgotten = [await lounge.host.slash("result undo", category=category) for _ in range(2)]
    confirm = next(custom_id for custom_id in prompt.custom_ids if custom_id.endswith(":yes"))

    await answers([lounge.host.send_click(prompt, confirm) for _ in range(2)])  # a nervous double click
    await lounge.standin.wait_until(
        lambda: True if prompt.embeds[0]["title"].startswith("Undone") else None, what="the undo to be confirmed"
    )
    await night.log_result(drama, drama.winners[0])
    await quiet(lounge)
    assert titles(feed(lounge.announcements)).count(f"↩️ Correction: {drama.name}") == 1
    assert lounge.query_value("SELECT COUNT(*) FROM audit_log WHERE action = 'result.undo'") == 1

    # The second prompt, confirmed after the right result was logged: it must not undo that one.
    before = state(lounge)
    late = await lounge.host.click(forgotten, confirm, timeout=10)
    await lounge.standin.wait_until(
        lambda: True if late.followups else None, what="the bot to explain why the stale undo did nothing"
    )
    assert late.followups[0].ephemeral
    assert "has changed since you asked" in unescape(late.followups[0].embeds[0]["description"])
    await quiet(lounge)
    assert state(lounge) == before
    assert read_card(await ada.slash("loser card")).pick == 1


async def test_two_hosts_logging_the_same_result_at_once_log_it_once(lounge: Lounge) -> None:
    drama, *_ = two = read_ceremony(DATA_2014, first=2)
    await lounge.setup_lounge()
    night = Night(lounge, two)
    await night.prepare()
    cohost = lounge.member("Cora Cohost", permissions=Permissions.manage_guild)
    members = [lounge.member(f"Fan {number}") for number in range(10)]
    await answers(night.send_pick(member, drama.losers[0]) for member in members)
    await night.start()
    category, winner = night.category_value(drama.name), night.value_of(drama.winners[0])

    both = await answers(
        host.send_slash("result log", category=category, winner=winner) for host in (lounge.host, cohost)
    )
    outcomes = sorted(reply.embeds[0]["title"] for reply in both)
    assert outcomes == ["Already done", f"Logged: {drama.name}"]
    await quiet(lounge)
    assert titles(feed(lounge.announcements)).count(f"🏆 {drama.name}") == 1
    assert lounge.query_value("SELECT COUNT(*) FROM losses") == len(members)



async def test_picks_racing_the_result_are_either_counted_or_refused(lounge: Lounge) -> None:
    drama, _ = two = read_ceremony(DATA_2014, first=2)
    await lounge.setup_lounge()
    night = Night(lounge, two)
    await night.prepare()
    await night.start()
    fans = [lounge.member(f"Fan {number:02d}") for number in range(30)]
    early, racing, late = fans[:10], fans[10:20], fans[20:]
    nominations = drama.nominations
    acknowledged: dict[str, Nomination] = {}  # each fan's pick as the bot last confirmed it

    async def pick_all(group: list[Member], offset: int) -> list[Reply]:
        choices = {fan.name: nominations[(number + offset) % len(nominations)] for number, fan in enumerate(group)}
        replies = await answers(night.send_pick(fan, choices[fan.name]) for fan in group)
        for fan, reply in zip(group, replies, strict=True):
            if reply.embeds[0]["title"] == "Pick saved":
                acknowledged[fan.name] = choices[fan.name]
            else:
                assert "locked" in refusal(reply)
        return replies

    await pick_all(early, 0)  # before the result: all saved
    category, winner = night.category_value(drama.name), night.value_of(drama.winners[0])
    result = lounge.host.send_slash("result log", category=category, winner=winner)
    await asyncio.gather(pick_all(racing, 0), pick_all(early, 1))  # new picks and changes of mind, racing it
    assert (await result.reply(timeout=10)).embeds[0]["title"] == f"Logged: {drama.name}"
    late_replies = await pick_all(late, 0)  # after the result: all refused
    assert all("locked" in refusal(reply) for reply in late_replies)

    stored = {row["display_name"]: (row["label"], row["outcome"]) for row in lounge.query(
        "SELECT m.display_name, n.label, p.outcome FROM picks p JOIN nominees n ON n.id = p.nominee_id "
        "JOIN members m ON m.guild_id = p.guild_id AND m.user_id = p.user_id"
    )}
    # Acknowledged means counted, as acknowledged; refused means not there at all.
    assert {name: label for name, (label, _) in stored.items()} == {
        name: night.value_label(pick) for name, pick in acknowledged.items()
    }
    assert all(stored[name][1] == ("right" if pick.won else "wrong") for name, pick in acknowledged.items())
    losers = sorted(row[0] for row in lounge.query(
        "SELECT m.display_name FROM losses l JOIN members m ON m.guild_id = l.guild_id AND m.user_id = l.user_id"
    ))
    assert losers == sorted(name for name, pick in acknowledged.items() if not pick.won)
    await quiet(lounge)
    announced = next(e for e in feed(lounge.announcements) if unescape(e["title"]) == f"🏆 {drama.name}")
    assert news_counts(announced).get("lost_picks", 0) == len(losers)


async def test_a_winners_tax_already_paid_is_not_charged_again_when_the_result_is_relogged(lounge: Lounge) -> None:
    (drama,) = one = read_ceremony(DATA_2014, first=1)
    await lounge.setup_lounge()
    night = Night(lounge, one)
    await night.prepare()
    bea = lounge.member("Bea")
    await night.claim(bea, drama.winners[0])
    await night.start()
    await night.log_result(drama, drama.winners[0])
    tax = lounge.query_value("SELECT id FROM pledges WHERE kind = 'winner_tax'")
    paid = await bea.slash("pledge paid", id=tax)
    assert paid.embeds[0]["title"] == f"Pledge #{tax} marked paid"
    await night.undo(drama)  # the host takes the right result back by mistake…
    await night.log_result(drama, drama.winners[0])  # …and logs it again: the night is as it was
    card = read_card(await bea.slash("loser card"))
    assert card.pledged == "$1,000.00 tonight · $1,000.00 all-time"  # one win, one winner's tax


# ---- announcements through restarts and Discord's bad moments ---------------------------------


async def live_with(lounge: Lounge, categories: list[Category]) -> Night:
    """A live ceremony of `categories`, its opening announcement already out."""
    await lounge.setup_lounge()
    night = Night(lounge, categories)
    await night.prepare()
    await night.start()
    await lounge.announcements.wait_for_messages(1)
    return night


async def wait_for_feed(lounge: Lounge, count: int) -> list[str]:
    """Wait until #announcements shows `count` embeds and nothing is left to send; every title ever posted."""
    await lounge.standin.wait_until(
        lambda: True if len(feed(lounge.announcements)) >= count else None,
        what=f"{count} announcements in #announcements", timeout=15,
    )
    await quiet(lounge)
    return titles(feed(lounge.announcements, include_deleted=True))


async def test_announcements_left_undelivered_by_a_stop_go_out_once_after_the_restart(lounge: Lounge) -> None:
    four = read_ceremony(DATA_2014, first=4)
    night = await live_with(lounge, four)
    faults = lounge.standin.faults
    faults.fail_next(ANNOUNCEMENT_ROUTE, status=500, times=2)  # discord.py would retry after 1 s, then 3 s more
    for category in four[:3]:
        await night.log_result(category, category.winners[0])
    await lounge.standin.wait_until(
        lambda: True if any(event.status == 500 for event in faults.fired) else None,
        what="Discord to answer the first result's announcement with a 500",
    )
    await lounge.stop_bot()
    assert titles(feed(lounge.announcements)) == [LIVE]
    assert lounge.query_value("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 3

    faults.clear()
    await lounge.start_bot()
    await night.log_result(four[3], four[3].winners[0])
    delivered = await wait_for_feed(lounge, 5)
    assert delivered == [LIVE] + [f"🏆 {category.name}" for category in four]
    statuses = announcement_posts(lounge)
    assert set(statuses) == {500, 200}
    assert statuses.count(200) == len(lounge.announcements.history)  # every accepted post shows once


async def test_a_message_discord_stored_but_never_confirmed_shows_once_after_a_restart(lounge: Lounge) -> None:
    two = read_ceremony(DATA_2014, first=2)
    night = await live_with(lounge, two)
    stored = lose_the_answer_to_the_next_message(lounge.announcements)
    await night.log_result(two[0], two[0].winners[0])
    await lounge.standin.wait_until(lambda: True if stored else None, what="Discord to store the announcement")
    lounge.standin.faults.fail_next(ANNOUNCEMENT_ROUTE, status=500)  # were discord.py to retry (after 1 s)…
    await lounge.stop_bot()  # …but the bot stops first, never having learnt that the message was stored
    assert lounge.query_value("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 1

    lounge.standin.faults.clear()
    await lounge.start_bot()  # sends the same batch again, with the same nonce
    await night.log_result(two[1], two[1].winners[0])
    delivered = await wait_for_feed(lounge, 3)
    assert delivered == [LIVE, f"🏆 {two[0].name}", f"🏆 {two[1].name}"]
    # Discord recognised the nonce and answered with the message it had stored.
    assert announcement_posts(lounge).count(200) == 3
    recorded = lounge.query_value("SELECT message_id FROM outbox WHERE kind = 'result.log' ORDER BY id LIMIT 1")
    assert recorded == stored[0].id
    assert stored[0].nonce is not None


async def test_rate_limits_and_server_errors_delay_announcements_but_never_double_or_reorder_them(
    lounge: Lounge,
) -> None:
    six = read_ceremony(DATA_2014, first=6)
    night = await live_with(lounge, six)
    faults = lounge.standin.faults
    # discord.py rides these out itself: a 500 (retried after 1 s), then two 429s honouring retry_after.
    faults.fail_next(ANNOUNCEMENT_ROUTE, status=500, times=1)
    faults.fail_next(ANNOUNCEMENT_ROUTE, status=429, retry_after=0.2, times=2)
    for category in six[:3]:
        await night.log_result(category, category.winners[0])
    await wait_for_feed(lounge, 4)
    # Five 429s in a row: discord.py gives up, and the bot's own sender retries the same batch later.
    faults.fail_next(ANNOUNCEMENT_ROUTE, status=429, retry_after=0.05, times=5)
    for category in six[3:]:
        await night.log_result(category, category.winners[0])
    delivered = await wait_for_feed(lounge, 7)
    assert delivered == [LIVE] + [f"🏆 {category.name}" for category in six]
    statuses = announcement_posts(lounge)
    assert Counter(statuses) == {500: 1, 429: 7, 200: len(lounge.announcements.history)}
    assert statuses[:2] == [200, 500]  # the opening went out; the first result's first try failed
    assert lounge.query_value("SELECT MAX(attempts) FROM outbox") == 1  # the bot's own retry, once



async def test_results_faster_than_the_channel_rate_limit_are_coalesced_in_order(lounge: Lounge) -> None:
    thirty = read_ceremony(DATA_2014, first=30)
    night = await live_with(lounge, thirty)
    lounge.standin.faults.enable_rate_limits(limit=5, window=1.0)  # Discord's 5 per 5 s, time-lapsed
    for category in thirty:  # one result after the other, read out far faster than five a second
        winner = night.value_of(category.winners[0])
        await lounge.host.slash("result log", category=night.category_value(category.name), winner=winner)
    order = [category.name for category in thirty]
    delivered = await wait_for_feed(lounge, 1 + len(thirty))
    assert delivered == [LIVE] + [f"🏆 {name}" for name in order]  # in the order they were logged
    messages = lounge.announcements.history
    assert 5 < len(messages) < 1 + len(thirty)  # the limit was reached, and queued results went out together…
    assert max(len(message.embeds) for message in messages) <= 10  # …at most ten to a message
    assert 429 not in announcement_posts(lounge)  # and the bot waited for the window instead of hammering


async def test_an_announcement_channel_the_bot_cannot_post_in_warns_hosts_once_and_loses_nothing(
    standin: StandIn, tmp_path: Path
) -> None:
    shift = [timedelta(0)]  # the bot's clock runs with real time, and the test can jump it forward

    def clock() -> datetime:
        return datetime.now(UTC) + shift[0]

    async with another_lounge(standin, tmp_path, clock=clock) as lounge:
        two = read_ceremony(DATA_2014, first=2)
        await lounge.setup_lounge()
        bot = lounge.guild.bot_member
        lounge.announcements.set_permissions(bot, deny=Permissions.send_messages)
        night = Night(lounge, two)
        await night.prepare()
        await night.start()
        for category in two:
            await night.log_result(category, category.winners[0])
        await lounge.standin.wait_until(
            lambda: True if 403 in announcement_posts(lounge) else None, what="Discord to refuse the bot's post",
        )
        shown = fields((await lounge.host.slash("settings show")).embeds[0])["⚠️ Needs attention"]
        assert "the bot lacks: Send Messages" in shown
        assert shown.count("can't post in") == 1  # one clear warning, however many are waiting
        assert lounge.query_value("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 3

        lounge.announcements.set_permissions(bot)  # a host fixes the channel…
        shift[0] = timedelta(minutes=2)  # …and the bot's next look at the channel comes round
        delivered = await wait_for_feed(lounge, 3)
        assert delivered == [LIVE] + [f"🏆 {category.name}" for category in two]
        assert Counter(announcement_posts(lounge)) == {403: 1, 200: len(lounge.announcements.history)}
        refused = lounge.standin.take_violations()  # Discord's 403 for the post: expected here
        assert [(v.route, v.code) for v in refused] == [(ANNOUNCEMENT_ROUTE, 50013)]

# ---- the loser role -----------------------------------------------------------------------------

ROLE_ROUTE = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
UNROLE_ROUTE = "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}"


def role_requests(lounge: Lounge, route: str) -> list[str]:
    """Members' names, one per role request the bot made on `route`, in order."""
    names = {str(member.id): member.name for member in lounge.guild.members.values()}
    return [names[r.path.split("/")[4]] for r in lounge.standin.requests if r.route == route]


async def test_the_loser_role_follows_losses_and_an_undo_takes_back_only_what_it_alone_gave(lounge: Lounge) -> None:
    drama, comedy = two = read_ceremony(DATA_2014, first=2)
    await lounge.setup_lounge()
    night = Night(lounge, two)
    await night.prepare()
    ada, bea, cy, dee = (lounge.member(name) for name in ("Ada", "Bea", "Cy", "Dee"))
    await night.pick(ada, drama.losers[0])  # her only loss will come from Drama
    await night.pick(ada, comedy.winners[0])
    await night.pick(bea, drama.losers[1])  # loses twice
    await night.pick(bea, comedy.losers[0])
    await night.pick(cy, drama.winners[0])  # never loses
    await dee.slash("loser declare", note="On principle")  # a declared loss gives the role too
    await night.start()
    await night.log_result(drama, drama.winners[0])
    await night.log_result(comedy, comedy.winners[0])
    await quiet(lounge)
    wearing = {m.name for m in (ada, bea, cy, dee) if m.has_role(lounge.loser_role)}
    assert wearing == {"Ada", "Bea", "Dee"}
    assert sorted(role_requests(lounge, ROLE_ROUTE)) == ["Ada", "Bea", "Dee"]  # Bea's second loss asks nothing

    await night.undo(drama)
    await quiet(lounge)
    assert {m.name for m in (ada, bea, cy, dee) if m.has_role(lounge.loser_role)} == {"Bea", "Dee"}
    assert role_requests(lounge, UNROLE_ROUTE) == ["Ada"]

    await night.log_result(drama, drama.winners[0])
    await quiet(lounge)
    assert {m.name for m in (ada, bea, cy, dee) if m.has_role(lounge.loser_role)} == {"Ada", "Bea", "Dee"}
    assert sorted(role_requests(lounge, ROLE_ROUTE)) == ["Ada", "Ada", "Bea", "Dee"]



async def test_slow_role_changes_never_hold_up_announcements(lounge: Lounge) -> None:
    drama, comedy = two = read_ceremony(DATA_2014, first=2)
    await lounge.setup_lounge()
    night = Night(lounge, two)
    await night.prepare()
    fans = [lounge.member(f"Fan {number}") for number in range(5)]
    await answers(night.send_pick(fan, drama.losers[0]) for fan in fans)
    await night.start()
    await lounge.announcements.wait_for_messages(1)
    lounge.standin.faults.delay_next(ROLE_ROUTE, seconds=3.0)  # Discord is slow to hand out the first role
    await night.log_result(drama, drama.winners[0])
    await night.log_result(comedy, comedy.winners[0])
    await lounge.standin.wait_until(
        lambda: True if len(feed(lounge.announcements)) == 3 else None, what="both results announced",
    )
    assert not [r for r in lounge.standin.requests if r.route == ROLE_ROUTE]  # the first grant is still held
    await quiet(lounge)
    assert all(fan.has_role(lounge.loser_role) for fan in fans)

async def test_a_loser_role_above_the_bot_gets_hosts_one_warning_and_no_retry_storm(lounge: Lounge) -> None:
    four = read_ceremony(DATA_2014, first=4)
    too_high = lounge.guild.create_role("Loser (above the bot)", above_bot=True)
    await lounge.host.slash("settings set", announcement_channel=lounge.announcements, loser_role=too_high)
    night = Night(lounge, four)
    await night.prepare()
    losers = [lounge.member(f"Loser {index}") for index in range(len(four))]
    for member, category in zip(losers, four, strict=True):  # each result sends one more member to the lounge
        await night.pick(member, category.losers[0])
    await night.start()
    for category in four:
        await night.log_result(category, category.winners[0])
    shown = await wait_for_feed(lounge, 2 + len(four))
    await quiet(lounge)  # nothing pending: the role changes are on hold, not retried

    attempts = [r for r in lounge.standin.requests if r.route == ROLE_ROUTE]
    assert 1 <= len(attempts) <= len(four)  # at most one refused request per result, never a storm
    assert {r.status for r in attempts} == {403}
    assert [t for t in shown if t.startswith("⚠️")] == ["⚠️ Hosts: the bot needs a hand"]
    assert not any(member.has_role(too_high) for member in losers)
    settings = await lounge.host.slash("settings show")
    assert "Couldn't hand out the loser role" in fields(settings.embeds[0])["⚠️ Needs attention"]
    refused = lounge.standin.take_violations()  # Discord's 403s, one per attempt: expected here
    assert [(v.route, v.code) for v in refused] == [(ROLE_ROUTE, 50013)] * len(attempts)


# ---- hostile input through the wire ------------------------------------------------------------

STATE_TABLES = (
    "ceremonies", "categories", "nominees", "results", "result_winners", "claims", "picks", "losses",
    "loss_totals", "pledges", "loser_role_grants", "role_queue", "outbox", "audit_log", "members",
)


def state(lounge: Lounge) -> dict[str, object]:
    """Every row of the tables a refused command could touch, and the channel as members see it."""
    held: dict[str, object] = {
        table: [tuple(row) for row in lounge.query(f"SELECT * FROM {table}")]  # noqa: S608 - our table names
        for table in STATE_TABLES
    }
    held["feed"] = titles(feed(lounge.announcements, include_deleted=True))
    return held


async def refused_and_unchanged(lounge: Lounge, member: Member, command: str, **options: Any) -> str:
    """Run `command`; it must be refused ephemerally and change nothing. Returns the sentence shown."""
    await quiet(lounge)
    before = state(lounge)
    reply = await member.slash(command, timeout=10, **options)
    sentence = refusal(reply)
    await quiet(lounge)
    assert state(lounge) == before, f"/{command} {options} changed something"
    return sentence


async def test_hostile_input_is_refused_ephemerally_and_changes_nothing(lounge: Lounge) -> None:
    await lounge.setup_lounge()
    ada, bea = lounge.member("Ada"), lounge.member("Bea")
    three = read_ceremony(DATA_2014, first=3)
    drama, comedy, miniseries = three
    nominee_file = Attachment("nominees.json", DATA_2014.read_bytes())

    # No ceremony yet: every command says what it needs.
    without_a_ceremony: list[tuple[Member, str, dict[str, Any]]] = [
        (ada, "pick", {"category": drama.name, "nominee": "Breaking Bad"}),
        (ada, "nominee claim", {"category": drama.name, "nominee": "Mad Men"}),
        (ada, "ceremony status", {}),
        (ada, "loser roster", {}),
        (ada, "picks", {}),
        (lounge.host, "ceremony start", {}),
        (lounge.host, "result log", {"category": drama.name, "winner": "Breaking Bad"}),
        (lounge.host, "ceremony import", {"file": nominee_file}),
    ]
    for member, command, options in without_a_ceremony:
        assert "no ceremony" in await refused_and_unchanged(lounge, member, command, **options), command

    night = Night(lounge, three)
    await night.prepare()
    await night.start()
    drama_id, comedy_id = night.category_value(drama.name), night.category_value(comedy.name)
    winner, loser = night.value_of(drama.winners[0]), night.value_of(drama.losers[0])

    # A member is not a host: every host command is refused.
    host_commands: list[tuple[str, dict[str, Any]]] = [
        ("ceremony create", {"name": "Ada's Emmys", "year": 2014}),
        ("ceremony import", {"file": nominee_file}),
        ("ceremony start", {}),
        ("ceremony end", {}),
        ("result log", {"category": drama_id, "winner": winner}),
        ("result tie", {"category": drama_id, "nominee": loser}),
        ("result undo", {"category": drama_id}),
        ("audit", {}),
        ("pledge export", {}),
        ("settings set", {"goal": "1"}),
    ]
    for command, options in host_commands:
        assert "Only hosts" in await refused_and_unchanged(lounge, ada, command, **options), command

    await night.log_result(drama, drama.winners[0])
    claimed = await night.claim(ada, comedy.losers[0])
    assert claimed.embeds[0]["title"] == "Claimed"
    taken = night.value_of(comedy.losers[0])
    host = lounge.host

    # Members: too late, already taken, not in that category, unknown names, bad notes.
    assert "locked" in await refused_and_unchanged(lounge, bea, "pick", category=drama_id, nominee=loser)
    assert "locked" in await refused_and_unchanged(lounge, bea, "nominee claim", category=drama_id, nominee=loser)
    assert "already claimed by another member" in await refused_and_unchanged(
        lounge, bea, "nominee claim", category=comedy_id, nominee=taken
    )
    assert "already claimed" in await refused_and_unchanged(
        lounge, ada, "nominee claim", category=comedy_id, nominee=taken
    )
    rivals = [lounge.member(f"Rival {number}") for number in range(8)]  # all at once for the same nominee
    free = comedy.losers[1]
    rush = await answers(night.send_claim(rival, free) for rival in rivals)
    assert sorted(reply.embeds[0]["title"] for reply in rush) == ["Already done"] * 7 + ["Claimed"]
    assert lounge.query_value("SELECT COUNT(*) FROM claims WHERE nominee_id = ?", (int(night.value_of(free)),)) == 1
    assert "isn't nominated in" in await refused_and_unchanged(lounge, bea, "pick", category=comedy_id, nominee=winner)
    assert "no category called" in await refused_and_unchanged(
        lounge, bea, "pick", category="Outstanding Pizza", nominee="Margherita"
    )
    assert "isn't nominated in" in await refused_and_unchanged(
        lounge, bea, "pick", category=comedy_id, nominee="Nobody At All"
    )
    assert "haven't claimed" in await refused_and_unchanged(
        lounge, bea, "nominee unclaim", category=comedy_id, nominee=taken
    )
    assert "control characters" in await refused_and_unchanged(lounge, bea, "loser declare", note="ding\x07dong")
    with pytest.raises(InvalidInvocation):  # Discord's client won't send a note over the stated 200 characters
        bea.send_slash("loser declare", note="x" * 201)

    # Hosts: a category logged twice, a tie or an undo with nothing logged, names that aren't there.
    logged_twice = await refused_and_unchanged(lounge, host, "result log", category=drama_id, winner=loser)
    assert "logged already" in logged_twice
    assert "/result tie" in logged_twice
    assert "/result undo" in logged_twice
    assert "no result yet" in await refused_and_unchanged(
        lounge, host, "result tie", category=comedy_id, nominee=night.value_of(comedy.winners[0])
    )
    assert "already a winner" in await refused_and_unchanged(
        lounge, host, "result tie", category=drama_id, nominee=winner
    )
    assert "no logged result" in await refused_and_unchanged(lounge, host, "result undo", category=comedy_id)
    assert "isn't nominated in" in await refused_and_unchanged(
        lounge, host, "result log", category=night.category_value(miniseries.name), winner=winner
    )
    assert "is live" in await refused_and_unchanged(lounge, host, "ceremony import", file=nominee_file)
    assert "is live" in await refused_and_unchanged(lounge, host, "ceremony start")
    assert "is live" in await refused_and_unchanged(lounge, host, "ceremony create", name="Another", year=2015)


async def test_another_servers_ceremony_pledges_and_announcements_are_out_of_reach(lounge: Lounge) -> None:
    two = read_ceremony(DATA_2014, first=2)
    drama = two[0]
    await lounge.setup_lounge()
    await lounge.stop_bot()
    other = lounge.standin.create_guild("The Other Lounge")
    olga, oscar = other.add_member("Olga Host", permissions=Permissions.manage_guild), other.add_member("Oscar")
    await lounge.start_bot_for_every_server()

    # The other server runs its own night: a ceremony, a pick, a result, a pledge.
    await olga.slash("ceremony create", name="The Other Emmys", year=2014)
    await olga.slash("ceremony import", file=Attachment("nominees.json", ceremony_file(two)), timeout=10)
    theirs = {c["name"]: c["value"] for c in await olga.autocomplete("pick", "category", category="")}
    their_drama = theirs[drama.name]
    their_nominees = await olga.autocomplete("pick", "nominee", category=their_drama, nominee="")
    assert (await oscar.slash("pick", category=their_drama, nominee=their_nominees[1]["value"])).embeds[0][
        "title"] == "Pick saved"
    await olga.slash("ceremony start")
    await olga.slash("result log", category=their_drama, winner=their_nominees[0]["value"], timeout=10)
    their_pledge = pledge_id(await oscar.slash("pledge add", amount="$5,000"))

    # Here, none of it exists: no ceremony, nothing to pick from, no such pledge.
    ada = lounge.member("Ada")
    assert "no ceremony" in await refused_and_unchanged(
        lounge, ada, "pick", category=their_drama, nominee=their_nominees[1]["value"]
    )
    assert "no pledge #" in await refused_and_unchanged(lounge, lounge.host, "pledge verify", id=their_pledge)
    night = Night(lounge, two)
    await night.prepare()
    assert not set(theirs.values()) & {night.category_value(c.name) for c in two}
    assert "no category called" in await refused_and_unchanged(
        lounge, ada, "pick", category=their_drama, nominee=their_nominees[1]["value"]
    )
    assert "isn't nominated in" in await refused_and_unchanged(
        lounge, ada, "pick", category=night.category_value(drama.name), nominee=their_nominees[1]["value"]
    )
    await night.start()
    assert "no category called" in await refused_and_unchanged(lounge, lounge.host, "result undo", category=their_drama)
    total = fields((await ada.slash("pledge total")).embeds[0])
    assert total["All-time"].startswith("**$0.00** of $30,000.00")
    exported = await lounge.host.slash("pledge export", timeout=10)
    assert exported.embeds[0]["description"].startswith("0 pledges.")
    card = read_card(await ada.slash("loser card"))
    assert card.losses == 0
    await quiet(lounge)
    assert titles(feed(lounge.announcements)) == [LIVE]  # their result and big pledge went to their server
    assert any(t.startswith("🏆 ") for t in titles(feed(other.system_channel)))


async def test_results_that_send_hundreds_to_the_lounge_stay_within_discords_limits(lounge: Lounge) -> None:
    three = read_ceremony(DATA_2014, first=3)
    await lounge.setup_lounge()
    night = Night(lounge, three)
    await night.prepare()
    # Display names as long as Discord allows (32), every character one that escaping doubles.
    crowd = [lounge.member(("*_~|" * 8)[: 28] + f"{number:04d}") for number in range(300)]
    for category in three:
        await answers(night.send_pick(member, category.losers[0]) for member in crowd)
    await night.start()
    for category in three:  # back to back: the sender wants to put them in one message
        winner = night.value_of(category.winners[0])
        await lounge.host.slash("result log", category=night.category_value(category.name), winner=winner)
    delivered = await wait_for_feed(lounge, 4)
    assert delivered == [LIVE] + [f"🏆 {category.name}" for category in three]
    for embed in feed(lounge.announcements)[1:]:
        assert news_counts(embed)["lost_picks"] == len(crowd)
        assert news_counts(embed).get("newcomers", 0) in (0, len(crowd))
    # (Every message within 6,000 characters and every field within 1,024: the stand-in checks each one.)
    assert all(member.has_role(lounge.loser_role) for member in crowd)
    cards = await answers(member.send_slash("loser card") for member in crowd[:20])
    assert {read_card(reply).pick for reply in cards} == {3}


async def test_spoiler_safe_servers_hide_who_won_from_members_watching_on_a_delay(lounge: Lounge) -> None:
    two = read_ceremony(DATA_2014, first=2)
    drama = two[0]
    await lounge.setup_lounge()
    await lounge.host.slash("settings set", spoiler_safe=True)
    night = Night(lounge, two)
    await night.prepare()
    ada = lounge.member("Ada")
    await night.pick(ada, drama.losers[0])
    await night.start()
    await night.log_result(drama, drama.winners[0])
    delivered = await wait_for_feed(lounge, 2)
    assert delivered == [LIVE, f"🏆 {drama.name}"]
    announced = feed(lounge.announcements)[1]
    winner = drama.winners[0].name
    assert f"||{winner}||" in unescape(announced["description"])
    for shown in fields(announced).values():  # every list that gives the outcome away is hidden too
        assert shown.startswith("||")
        assert shown.endswith("||")
    status = await ada.slash("ceremony status")
    assert f"||{winner}||" in unescape(fields(status.embeds[0])["Announced (latest first, 1)"])
    card = fields((await ada.slash("loser card")).embeds[0])
    assert card["Losses tonight: 1"].startswith("||")


async def test_twin_nominations_stay_apart_and_a_member_claims_at_most_twenty_five(lounge: Lounge) -> None:
    ceremony = read_ceremony(DATA_2014)
    twins = next(c for c in ceremony if c.name == "Outstanding Cinematography For A Multi-camera Series")
    lost_twin, won_twin = (n for n in twins.nominations if n.name == "Christian La Fountaine")
    assert (lost_twin.won, won_twin.won) == (False, True)
    six = ceremony[:6]
    await lounge.setup_lounge()
    night = Night(lounge, [*six, twins])
    await night.prepare()
    ada, bea, cole = lounge.member("Ada"), lounge.member("Bea"), lounge.member("Cole Collector")

    # The same person twice in one category: two entries, told apart, never guessed from a typed name.
    assert night.value_of(lost_twin) != night.value_of(won_twin)
    assert night.value_label(lost_twin) != night.value_label(won_twin)
    typed = await refused_and_unchanged(
        lounge, ada, "pick", category=night.category_value(twins.name), nominee="Christian La Fountaine"
    )
    assert "stands 2 times" in typed
    assert (await night.pick(ada, lost_twin)).embeds[0]["title"] == "Pick saved"
    assert (await night.pick(bea, won_twin)).embeds[0]["title"] == "Pick saved"

    # Claims: up to twenty-five nominations per member.
    nominations = [n for category in six for n in category.nominations]
    claims = await answers(night.send_claim(cole, n) for n in nominations[:MAX_CLAIMS])
    assert {reply.embeds[0]["title"] for reply in claims} == {"Claimed"}
    one_more = nominations[MAX_CLAIMS]
    assert "25 nominees already" in await refused_and_unchanged(
        lounge, cole, "nominee claim", category=night.category_value(one_more.category),
        nominee=night.value_of(one_more),
    )
    first = nominations[0]
    await cole.slash("nominee unclaim", category=night.category_value(first.category), nominee=night.value_of(first))
    assert (await night.claim(cole, one_more)).embeds[0]["title"] == "Claimed"

    await night.start()
    await night.log_result(twins, won_twin)
    ada_card, bea_card = [read_card(reply) for reply in await answers(m.send_slash("loser card") for m in (ada, bea))]
    assert (ada_card.pick, ada_card.picks) == (1, "0 right, 1 wrong (0%)")
    assert (bea_card.pick, bea_card.picks) == (0, "1 right, 0 wrong (100%)")


async def test_a_bad_nominee_file_is_refused_saying_where_and_changes_nothing(lounge: Lounge) -> None:
    two = read_ceremony(DATA_2014, first=2)
    night = Night(lounge, two)
    await night.prepare()  # a draft with its nominees: a bad file must not replace them
    many = {"categories": [{"name": f"Category {n}", "nominees": [{"name": "x"}]} for n in range(201)]}
    bad_files = {
        "missing.json": (b'{"categories": [{"name": "A", "nominees": [{"name": "x"}, {"show": "y"}]}]}',
                         "`categories[0].nominees[1].name` is missing"),
        "broken.json": (b'{"categories": [}', "isn't valid JSON: line 1, column 17"),
        "empty-cell.csv": (b"category,nominee,show\nA,x,y\nA,,z\n", "Line 3, column `nominee` is empty"),
        "too-many.json": (json.dumps(many).encode(), "has 201 entries; the limit is 200"),
        "long-name.json": (json.dumps({"categories": [{"name": "A", "nominees": [{"name": "x" * 201}]}]}).encode(),
                           "is 201 characters long; the limit is 200"),
    }
    for filename, (data, where) in bad_files.items():
        said = await refused_and_unchanged(lounge, lounge.host, "ceremony import", file=Attachment(filename, data))
        assert where in said, filename
    status = await lounge.host.slash("ceremony status")
    assert "**0 of 2** results announced" in status.embeds[0]["description"]
