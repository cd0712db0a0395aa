"""`/result console` end to end (issue 13): the host logs the telecast results of 2014 by
clicking the winners and the test counts the interactions; a double click and two hosts at
once log once; a non-host's click is refused; a restart between two clicks loses nothing;
Tie… and Undo last… do what `/result tie` and `/result undo` do; forged buttons are refused."""

from __future__ import annotations

import asyncio

from standin import Attachment, Message, Permissions, Reply
from standin.validation import DEFERRED_UPDATE_MESSAGE
from tests.e2e.ballot_story import Desk, components, interactions_of, open_console, telecast_names
from tests.e2e.harness import Lounge
from tests.e2e.story import CEREMONY_2014, DATA_2014, feed, quiet, read_ceremony, refusal, titles

TYPED_COMMANDS, TYPED_AUTOCOMPLETES = 26, 52  # /result log × 26, each autocompleting its category and winner


async def prepare_2014(lounge: Lounge) -> None:
    await lounge.setup_lounge()
    await lounge.host.slash("ceremony create", name=CEREMONY_2014, year=2014)
    await lounge.host.slash("ceremony import", file=Attachment("emmys-2014.json", DATA_2014.read_bytes()),
                            timeout=15)
    await lounge.host.slash("ceremony start")


async def told(answer: Reply) -> str:
    """The refusal a click got: its own answer, or the ephemeral followup after the console was refreshed."""
    if answer.response_type == DEFERRED_UPDATE_MESSAGE:
        return refusal((await answer.wait_for_followups(1))[0])  # type: ignore[arg-type]
    return refusal(answer)


async def refusals_among(lounge: Lounge, answers: list[Reply]) -> list[str]:
    """The refusals among answers to clicks sent at once (each refused click gets one ephemeral followup)."""
    await lounge.standin.wait_until(lambda: True if any(a.followups for a in answers) else None,
                                    what="the refused click's ephemeral answer")
    await quiet(lounge)
    return [refusal(a.followups[0]) for a in answers if a.followups]  # type: ignore[arg-type]


def results(lounge: Lounge) -> list[tuple[str, str]]:
    return [(row["category"], row["winner"]) for row in lounge.query(
        "SELECT c.name AS category, n.name AS winner FROM results r JOIN result_winners w ON w.result_id = r.id "
        "JOIN categories c ON c.id = r.category_id JOIN nominees n ON n.id = w.nominee_id ORDER BY r.id, n.position"
    )]


async def test_the_host_logs_the_26_telecast_results_in_at_most_27_interactions(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    ceremony = {category.name: category for category in read_ceremony(DATA_2014)}
    telecast = telecast_names(DATA_2014)
    since = len(lounge.standin.interaction_log)

    desk = await open_console(lounge.host)
    for name in telecast:  # the file lists the telecast awards first: the console's running order
        category = ceremony[name]
        answer = await desk.log(category, category.winners[0])
        assert answer.message is desk.message  # the console, edited in place
        assert f"Logged: {name}: **{category.winners[0].name}" in desk.text
    used = interactions_of(lounge.standin, lounge.host, since=since)
    print(f"\nissue 13 · the 26 telecast results of 2014 from the console: {used} interactions "
          f"(1 /result console, 26 clicks); with typed commands: {TYPED_COMMANDS} /result log + "
          f"{TYPED_AUTOCOMPLETES} autocomplete exchanges = {TYPED_COMMANDS + TYPED_AUTOCOMPLETES}")
    assert used <= 27
    assert results(lounge) == [(name, ceremony[name].winners[0].name) for name in telecast]

    # Every result announced once, in order, as /result log announces it.
    await lounge.announcements.wait_for_messages(
        timeout=15, where=lambda _m: sum(t.startswith("🏆 ") for t in titles(feed(lounge.announcements))) >= 26
    )
    await quiet(lounge)
    assert [t for t in titles(feed(lounge.announcements, include_deleted=True)) if t.startswith("🏆 ")] == [
        f"🏆 {name}" for name in telecast]
    # Under the buttons, the newest three results and whether their announcement is out.
    await desk.press("Skip")
    lines = desk.recent().splitlines()
    assert len(lines) == 3
    for line, name in zip(lines, reversed(telecast), strict=False):
        assert line.startswith(f"🏆 {name} — {ceremony[name].winners[0].name}"), line
        assert " · 📣 posted · <t:" in line


async def test_a_double_click_and_two_hosts_at_once_log_once(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama, comedy = read_ceremony(DATA_2014, first=2)
    desk = await open_console(lounge.host)
    winner = desk.winner_id(drama, drama.winners[0])
    first, second = await asyncio.gather(*(lounge.host.send_click(desk.target, winner).reply(timeout=10)
                                           for _ in range(2)))  # a nervous double click
    await lounge.standin.wait_until(lambda: True if desk.now() == comedy.name else None, what="the console to advance")
    refusals = await refusals_among(lounge, [first, second])
    assert len(refusals) == 1
    assert "logged already" in refusals[0]
    assert results(lounge) == [(drama.name, drama.winners[0].name)]

    cohost = lounge.member("Cole Cohost", permissions=Permissions.manage_guild)
    mine, theirs = desk, await open_console(cohost)
    assert (mine.now(), theirs.now()) == (comedy.name, comedy.name)
    answers = await asyncio.gather(mine.send_log(comedy, comedy.winners[0]).reply(timeout=10),
                                   theirs.send_log(comedy, comedy.losers[0]).reply(timeout=10))
    await quiet(lounge)
    logged = results(lounge)[-1]
    assert logged[0] == comedy.name
    refused = await refusals_among(lounge, list(answers))
    assert len(refused) == 1
    assert f"{comedy.name} is logged already" in refused[0]
    assert len(results(lounge)) == 2
    assert sum(t == f"🏆 {comedy.name}" for t in titles(feed(lounge.announcements, include_deleted=True))) == 1


async def test_a_non_hosts_click_is_refused_and_changes_nothing(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama = read_ceremony(DATA_2014, first=1)[0]
    desk_channel = lounge.guild.create_text_channel("host-desk")
    await lounge.host.slash("settings set", host_channel=desk_channel)
    hosts = lounge.guild.create_role("Hosts")
    await lounge.host.slash("settings set", host_role=hosts)
    helper = lounge.member("Hal Helper")
    lounge.guild.set_member_roles(helper, [hosts.id])

    posted = await helper.slash("result console")
    assert posted.embeds[0]["title"] == "Console posted"
    (panel,) = desk_channel.messages
    desk = Desk(helper, panel)
    assert desk.now() == drama.name

    ada = lounge.member("Ada")  # sees the channel, is no host
    refused = await ada.click(panel, desk.winner_id(drama, drama.winners[0]))
    assert "Only hosts" in refusal(refused)
    lounge.guild.set_member_roles(helper, [])  # the panel was posted by a host who no longer is one
    refused = await helper.click(panel, desk.winner_id(drama, drama.winners[0]))
    assert "Only hosts" in refusal(refused)
    assert results(lounge) == []
    assert desk.now() == drama.name  # the shared console is untouched

    lounge.guild.set_member_roles(helper, [hosts.id])
    await desk.log(drama, drama.winners[0])
    assert results(lounge) == [(drama.name, drama.winners[0].name)]


async def test_a_restart_between_two_clicks_loses_nothing(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama, comedy, miniseries = read_ceremony(DATA_2014, first=3)
    desk = await open_console(lounge.host)
    await desk.log(drama, drama.winners[0])
    await lounge.restart_bot()
    await desk.log(comedy, comedy.winners[0])  # the buttons carry what they act on: no state was lost
    assert desk.now() == miniseries.name
    assert results(lounge) == [(drama.name, drama.winners[0].name), (comedy.name, comedy.winners[0].name)]
    await quiet(lounge)
    assert [t for t in titles(feed(lounge.announcements, include_deleted=True)) if t.startswith("🏆 ")] == [
        f"🏆 {drama.name}", f"🏆 {comedy.name}"]


async def test_skip_back_tie_and_undo_from_the_console(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama, comedy = read_ceremony(DATA_2014, first=2)
    desk = await open_console(lounge.host)
    await desk.press("Skip")
    assert desk.now() == comedy.name
    await desk.press("Back")
    assert desk.now() == drama.name
    await desk.log(drama, drama.losers[0])  # the wrong winner…

    await desk.press("Undo last…")
    assert desk.message.embeds[0]["title"].startswith("Undo the result of")
    await desk.press("Keep it")
    assert (desk.now(), results(lounge)) == (comedy.name, [(drama.name, drama.losers[0].name)])
    await desk.undo_last()  # …taken back as /result undo does: the console stands at it again
    assert desk.now() == drama.name
    assert results(lounge) == []
    await desk.log(drama, drama.winners[0])
    await desk.tie(drama, drama.losers[2], (drama.winners[0],))  # and one more winner for it
    assert "Tie logged" in desk.text
    assert results(lounge) == [(drama.name, drama.winners[0].name), (drama.name, drama.losers[2].name)]
    assert desk.now() == comedy.name
    await quiet(lounge)
    assert [t for t in titles(feed(lounge.announcements, include_deleted=True)) if drama.name in t] == [
        f"🏆 {drama.name}", f"↩️ Correction: {drama.name}", f"🏆 {drama.name}", f"🤝 A tie in {drama.name}"]


async def test_forged_and_stale_console_buttons_are_refused_and_change_nothing(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama = read_ceremony(DATA_2014, first=1)[0]
    desk = await open_console(lounge.host)
    real = desk.winner_id(drama, drama.winners[0])
    button = next(c for c in components(desk.message) if c.get("custom_id") == real)
    _, _, _, ceremony_id, category_id, nominee_id, check = real.split(":")

    async def refused_with(custom_id: str) -> str:
        button["custom_id"] = custom_id  # what a client sends for a message that carries this id
        try:
            return await told(await lounge.host.click(desk.target, custom_id, timeout=10))
        finally:
            button["custom_id"] = real

    assert "damaged" in await refused_with("lounge:console:nonsense")
    assert "damaged" in await refused_with(f"lounge:console:log:{ceremony_id}:{category_id}:{nominee_id}")
    other = f"lounge:console:log:{int(ceremony_id) + 50}:{category_id}:{nominee_id}:{check}"
    assert "another ceremony" in await refused_with(other)
    renamed = f"lounge:console:log:{ceremony_id}:{category_id}:{nominee_id}:000000"
    assert "nominees have changed" in await refused_with(renamed)
    assert results(lounge) == []


async def test_the_console_fits_discords_limits_for_a_long_category(lounge: Lounge) -> None:
    """The 2014 file's longest names and most nominees: every label within 80, five rows at most."""
    await prepare_2014(lounge)
    desk = await open_console(lounge.host)
    for _ in range(len(read_ceremony(DATA_2014)) - 1):
        message: Message = desk.message
        assert len(message.components) <= 5
        assert all(len(str(c.get("label", ""))) <= 80 for c in components(message))
        assert all(len(str(c.get("custom_id", ""))) <= 100 for c in components(message))
        await desk.press("Skip")
    assert lounge.standin.violations == []



async def test_a_host_channel_the_bot_cant_post_in_shows_the_console_to_the_host(lounge: Lounge) -> None:
    await prepare_2014(lounge)
    drama = read_ceremony(DATA_2014, first=1)[0]
    desk_channel = lounge.guild.create_text_channel("host-desk")
    await lounge.host.slash("settings set", host_channel=desk_channel)
    desk_channel.set_permissions(lounge.guild.bot_member, deny=Permissions.send_messages)

    shown = await lounge.host.slash("result console", timeout=10)
    assert lounge.standin.take_violations()  # the refused post, provoked
    assert shown.ephemeral
    assert shown.embeds[0]["title"] == "Console shown here only"
    desk = Desk(lounge.host, shown)
    assert desk.message.embeds[1]["title"].startswith("🎛️ Result console")
    assert desk_channel.messages == []
    await lounge.host.click(shown, desk.winner_id(drama, drama.winners[0]), timeout=10)
    assert results(lounge) == [(drama.name, drama.winners[0].name)]
