"""Getting the night's nominees right, end to end (issue 14): a host corrects the list,
draft or live, pastes one from an article, or starts from any Emmy year the bot ships.

The real bot against the stand-in: members pick and claim from the bot's autocomplete,
the host renames and removes, and what members then see (cards, `/picks`, the boards)
is checked against the test's own account of the rules (`Scorebook`)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
from collections import Counter
from typing import Any

from standin import Attachment, Member, Permissions, Reply
from tests.e2e.harness import Lounge
from tests.e2e.story import (
    DATA_2014,
    Category,
    Night,
    Nomination,
    Scorebook,
    answers,
    ceremony_file,
    fields,
    quiet,
    read_card,
    read_ceremony,
    refusal,
    unescape,
)
from tests.paths import REPOSITORY, TEST_DATA

SIX = read_ceremony(DATA_2014, first=6)
PEOPLE = ["Ada", "Bea", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal"]
TABLES = ("ceremonies", "categories", "nominees", "results", "result_winners", "claims", "picks", "losses",
          "loss_totals", "pick_stats", "audit_log", "outbox", "paste_previews")
PACKAGE_DATA = REPOSITORY / "bot" / "data"


def state(lounge: Lounge) -> dict[str, object]:
    return {table: [tuple(row) for row in lounge.query(f"SELECT * FROM {table}")]  # noqa: S608 - our tables
            for table in TABLES}


async def refused_and_unchanged(lounge: Lounge, member: Member, command: str, **options: Any) -> str:
    """Run `command`; it must be refused ephemerally and change nothing. Returns the sentence shown."""
    await quiet(lounge)
    before = state(lounge)
    reply = await member.slash(command, timeout=10, **options)
    sentence = refusal(reply)
    await quiet(lounge)
    assert state(lounge) == before, f"/{command} {options} changed something"
    return sentence


async def confirm(lounge: Lounge, member: Member, prompt: Reply, ending: str = ":yes") -> None:
    """Click the prompt's button ending in `ending` and wait for the prompt to show the outcome."""
    title = prompt.embeds[0]["title"]
    await member.click(prompt, next(c for c in prompt.custom_ids if c.endswith(ending)), timeout=10)
    await lounge.standin.wait_until(lambda: True if prompt.embeds[0]["title"] != title else None,
                                    what=f"the prompt {title!r} to show the outcome")


def board(reply: Reply) -> dict[str, str]:
    """A leaderboard page as members read it: who, and their score."""
    found = re.findall(r"\*\*\d+\.\*\* (.+?) — (.+)", unescape(reply.embeds[0].get("description", "")))
    return dict(found)


def without(category: Category, removed: Nomination) -> Category:
    return Category(category.name, tuple(n for n in category.nominations if n != removed))


# ---- editing with picks ----------------------------------------------------------------------


async def test_renames_and_a_removal_with_picks_leave_cards_picks_and_boards_as_the_model_says(
    lounge: Lounge,
) -> None:
    await lounge.setup_lounge()
    night, book = Night(lounge, SIX), Scorebook.of(SIX)
    await night.prepare()
    host = lounge.host
    members = [lounge.member(name) for name in PEOPLE]
    ada, bea, cy, dee, *_ = members
    drama, lead_actress = SIX[0], SIX[3]
    doomed = lead_actress.losers[0]  # a nominee the host removes, picked by Ada and Bea, claimed by Cy
    rng = random.Random(14)
    sent = []
    for category in SIX:
        for member in members:
            nomination = doomed if category is lead_actress and member in (ada, bea) else rng.choice(
                [n for n in category.nominations if n != doomed])
            book.pick(member.name, nomination)
            sent.append(night.send_pick(member, nomination))
    for member, nomination in [(cy, doomed), (dee, drama.losers[1]), (ada, SIX[1].winners[0])]:
        book.claim(member.name, nomination)
        sent.append(night.send_claim(member, nomination))
    assert {reply.embeds[0]["title"] for reply in await answers(sent)} == {"Pick saved", "Claimed"}
    await night.start()

    # Live: the host fixes a nominee's name and show, and a category's name.
    renamed = drama.losers[1]
    fixed = await host.slash("ceremony rename-nominee", category=night.category_value(drama.name),
                             nominee=night.value_of(renamed), new_name="Downton Abbey (ITV)", show="Masterpiece")
    assert unescape(fixed.embeds[0]["title"]) == "Renamed: Downton Abbey (ITV) — Masterpiece"
    comedy = SIX[1]
    retitled = await host.slash("ceremony rename-category", category=night.category_value(comedy.name),
                                new_name="Outstanding Comedy Series (66th)")
    assert unescape(retitled.embeds[0]["title"]) == "Renamed: Outstanding Comedy Series (66th)"
    suggested = await ada.autocomplete("pick", "category", category="66th")
    assert [choice["name"] for choice in suggested] == ["Outstanding Comedy Series (66th)"]

    # The removal asks first, saying how many members it affects, then drops exactly their picks and claim.
    prompt = await host.slash("ceremony remove-nominee", category=night.category_value(lead_actress.name),
                              nominee=night.value_of(doomed))
    assert unescape(prompt.embeds[0]["title"]) == f"Remove {night.value_label(doomed)}?"
    assert "It affects **3 members**: their 2 picks and 1 claim on it will be dropped" in prompt.embeds[0][
        "description"]
    await confirm(lounge, host, prompt)
    assert unescape(prompt.embeds[0]["title"]) == f"Removed: {night.value_label(doomed)}"
    for member in (ada, bea):
        del book.picks[(member.name, lead_actress.name)]
    del book.claims[doomed]
    book.categories[lead_actress.name] = without(lead_actress, doomed)
    dropdown = await bea.autocomplete("pick", "nominee", category=night.category_value(lead_actress.name), nominee="")
    assert len(dropdown) == len(lead_actress.nominations) - 1
    for member in (ada, bea):  # their pick is gone: they pick again
        again = await night.pick(member, lead_actress.winners[0])
        assert again.embeds[0]["title"] == "Pick saved"
        book.pick(member.name, lead_actress.winners[0])

    # The results, logged by the ids the host's dropdown gives.
    for category in SIX:
        winners = category.winners
        logged = await host.slash("result log", category=night.category_value(category.name),
                                  winner=night.value_of(winners[0]), timeout=10)
        assert logged.embeds[0]["title"].startswith("Logged: "), logged.embeds
        book.log(category.name, winners[0])
        for other in winners[1:]:
            await host.slash("result tie", category=night.category_value(category.name),
                             nominee=night.value_of(other), timeout=10)
            book.tie(category.name, other)
    await quiet(lounge)

    # Cards: losses by source and picks record, member by member, as the model counts them.
    cards = await answers(member.send_slash("loser card") for member in members)
    for member, reply in zip(members, cards, strict=True):
        card, losses = read_card(reply), book.losses(member.name)
        assert (card.declared, card.claim, card.pick) == (losses.declared, losses.claim, losses.pick), member.name
        assert card.picks == book.record(member.name), member.name
    # `/picks` and a claim show the new names; the removed nominee is nowhere.
    dee_card = fields((await dee.slash("loser card")).embeds[0])
    assert unescape(dee_card["Claimed nominees (1)"]) == f"💔 Downton Abbey (ITV) — Masterpiece ({drama.name})"
    ada_picks = unescape((await ada.slash("picks")).embeds[0]["description"])
    assert "Outstanding Comedy Series (66th): " in ada_picks
    assert doomed.name not in ada_picks
    # The boards: who is listed, with what, equals the model.
    losers = board(await ada.slash("leaderboard show", board="losers"))
    assert losers == {
        m.name: f"{book.losses(m.name).total} loss" + ("" if book.losses(m.name).total == 1 else "es")
        for m in members if book.losses(m.name).total
    }
    pickers = board(await ada.slash("leaderboard show", board="pickers"))
    expected = {}
    for member in members:
        mine = [(c, n) for (who, c), n in book.picks.items() if who == member.name]
        right = sum(1 for c, n in mine if n in book.winners[c])
        expected[member.name] = f"{right} right of {len(mine)} ({round(100 * right / len(mine))}%)"  # the board rounds
    assert pickers == expected
    status = await bea.slash("ceremony status")
    assert status.embeds[0]["description"].startswith(f"**6 of 6** results announced · "
                                                      f"{sum(len(c.nominations) for c in SIX) - 1} nominations")


async def test_a_nominee_nobody_picked_is_removed_at_once_and_a_new_category_takes_its_place(lounge: Lounge) -> None:
    two = read_ceremony(DATA_2014, first=2)
    night = Night(lounge, two)
    await night.prepare()
    host = lounge.host
    drama = two[0]
    gone = await host.slash("ceremony remove-nominee", category=night.category_value(drama.name),
                            nominee=night.value_of(drama.losers[-1]))
    assert unescape(gone.embeds[0]["title"]) == f"Removed: {night.value_label(drama.losers[-1])}"
    assert "Nobody had picked or claimed it." in gone.embeds[0]["description"]
    added = await host.slash("ceremony add-category", name="Outstanding Host For A Reality Program", telecast=True)
    assert "Category 3 of 3, on the broadcast" in added.embeds[0]["description"]
    value = await Night.choose_category(host, "ceremony add-nominee", Category(
        "Outstanding Host For A Reality Program", ()))
    for name, show in [("Heidi Klum & Tim Gunn", "Project Runway"), ("Jane Lynch", "Hollywood Game Night")]:
        nominee = await host.slash("ceremony add-nominee", category=value, name=name, show=show)
        assert unescape(nominee.embeds[0]["title"]) == f"Added: {name} — {show}"
    moved = await host.slash("ceremony move-category", category=value, position=1)
    assert unescape(moved.embeds[0]["description"]).startswith("Now 1 of 3 in the running order")
    status = fields((await host.slash("ceremony status")).embeds[0])
    assert unescape(status["Still to come (3)"]).splitlines() == [
        "• 📺 Outstanding Host For A Reality Program", f"• {drama.name}", f"• {two[1].name}"]
    ada = lounge.member("Ada")
    dropdown = await ada.autocomplete("pick", "nominee", category=value, nominee="")
    assert [choice["name"] for choice in dropdown] == ["Heidi Klum & Tim Gunn — Project Runway",
                                                       "Jane Lynch — Hollywood Game Night"]
    assert (await ada.slash("pick", category=value, nominee=dropdown[1]["value"])).embeds[0]["title"] == "Pick saved"
    actions = [row[0] for row in lounge.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-5:] == ["ceremony.remove_nominee", "ceremony.add_category", "ceremony.add_nominee",
                            "ceremony.add_nominee", "ceremony.move_category"]


async def test_a_member_is_refused_every_edit_and_every_refused_edit_changes_nothing(lounge: Lounge) -> None:
    three = read_ceremony(DATA_2014, first=3)
    night = Night(lounge, three)
    await night.prepare()
    drama_id = night.category_value(three[0].name)
    nominee_id = night.value_of(three[0].losers[0])
    ada = lounge.member("Ada")
    edits: list[tuple[str, dict[str, Any]]] = [
        ("ceremony rename-category", {"category": drama_id, "new_name": "Ada's Drama"}),
        ("ceremony rename-nominee", {"category": drama_id, "nominee": nominee_id, "new_name": "Ada"}),
        ("ceremony add-nominee", {"category": drama_id, "name": "Ada's Show"}),
        ("ceremony remove-nominee", {"category": drama_id, "nominee": nominee_id}),
        ("ceremony add-category", {"name": "Outstanding Ada"}),
        ("ceremony move-category", {"category": drama_id, "position": 3}),
        ("ceremony paste", {}),
        ("ceremony create", {"name": "Ada's Emmys", "year": 1975, "preset": "emmys-all:1975"}),
    ]
    for command, options in edits:
        assert "Only hosts" in await refused_and_unchanged(lounge, ada, command, **options), command

    # A host's edits that break a rule say which one, and change nothing either.
    host = lounge.host
    broken: list[tuple[str, dict[str, Any], str]] = [
        ("ceremony rename-category", {"category": drama_id, "new_name": three[1].name.upper()}, "already a category"),
        ("ceremony rename-nominee", {"category": drama_id, "nominee": nominee_id,
                                     "new_name": three[0].winners[0].name}, "already nominated"),
        ("ceremony add-nominee", {"category": drama_id, "name": "Bad\u202eName"}, "control character"),
        ("ceremony move-category", {"category": drama_id, "position": 4}, "position must be 1 to 3"),
        ("ceremony add-category", {"name": three[2].name}, "already a category"),
        ("ceremony create", {"name": "Old times", "year": 1949, "preset": "1930"}, "no preset"),
    ]
    for command, options, said in broken:
        assert said in await refused_and_unchanged(lounge, host, command, **options), command

    # A host who stops being one before clicking is refused at the click, and nothing changes.
    hugo = lounge.member("Hugo Host", permissions=Permissions.manage_guild)
    assert (await night.pick(ada, three[0].losers[0])).embeds[0]["title"] == "Pick saved"
    prompts = [await hugo.slash("ceremony remove-nominee", category=drama_id, nominee=nominee_id)]
    form = await hugo.slash("ceremony paste")
    prompts.append(await hugo.submit_modal(form, {"part-1": MORE}))
    open_form = await hugo.slash("ceremony paste")
    lounge.guild.set_member_roles(hugo, [])
    for prompt in prompts:
        await quiet(lounge)
        before = state(lounge)
        click = await hugo.click(prompt, next(c for c in prompt.custom_ids if c.endswith(":yes")), timeout=10)
        assert "Only hosts" in refusal(click)
        assert state(lounge) == before
    assert "Only hosts" in refusal(await hugo.submit_modal(open_form, {"part-1": MORE}))
    assert state(lounge) == before

    await night.start()
    await host.slash("result log", category=drama_id, winner=night.value_of(three[0].winners[0]), timeout=10)
    assert "is logged" in await refused_and_unchanged(lounge, host, "ceremony add-nominee", category=drama_id,
                                                      name="Too Late")
    assert "is live" in await refused_and_unchanged(lounge, host, "ceremony paste")


async def test_edits_naming_another_servers_ceremony_ids_are_refused(lounge: Lounge) -> None:
    two = read_ceremony(DATA_2014, first=2)
    await lounge.stop_bot()
    other = lounge.standin.create_guild("The Other Lounge")
    olga = other.add_member("Olga Host", permissions=Permissions.manage_guild)
    await lounge.start_bot_for_every_server()
    await olga.slash("ceremony create", name="The Other Emmys", year=2014)
    await olga.slash("ceremony import", file=Attachment("nominees.json", ceremony_file(two)), timeout=10)
    theirs = await olga.autocomplete("pick", "category", category="")
    their_category = theirs[0]["value"]
    their_nominee = (await olga.autocomplete("pick", "nominee", category=their_category, nominee=""))[0]["value"]
    night = Night(lounge, two)
    await night.prepare()
    host = lounge.host
    before = {table: [tuple(row) for row in lounge.query(f"SELECT * FROM {table} WHERE guild_id = ?",  # noqa: S608
                                                         (other.id,))] for table in ("categories", "nominees")}
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("ceremony rename-category", {"category": their_category, "new_name": "Hijacked"}),
        ("ceremony rename-nominee", {"category": their_category, "nominee": their_nominee, "new_name": "Hijacked"}),
        ("ceremony rename-nominee", {"category": night.category_value(two[0].name), "nominee": their_nominee,
                                     "new_name": "Hijacked"}),
        ("ceremony add-nominee", {"category": their_category, "name": "Hijacked"}),
        ("ceremony remove-nominee", {"category": their_category, "nominee": their_nominee}),
        ("ceremony remove-nominee", {"category": night.category_value(two[0].name), "nominee": their_nominee}),
        ("ceremony move-category", {"category": their_category, "position": 1}),
    ]
    for command, options in attempts:
        said = await refused_and_unchanged(lounge, host, command, **options)
        assert "no category called" in said or "isn't nominated in" in said, (command, said)
    after = {table: [tuple(row) for row in lounge.query(f"SELECT * FROM {table} WHERE guild_id = ?",  # noqa: S608
                                                        (other.id,))] for table in ("categories", "nominees")}
    assert after == before


# ---- paste -----------------------------------------------------------------------------------

ARTICLE = """\
Outstanding Drama Series
• “Andor” (Disney+)
• “The Crown” (Netflix)
• “The Last of Us” (HBO)

Outstanding Lead Actor in a Drama Series
• Jason Bateman — “Ozark”
• Brian Cox – “Succession”
• Kieran Culkin, “Succession”
"""
MORE = """\
Outstanding Comedy Series
• “Abbott Elementary”
• “The Bear”
"""


async def test_a_pasted_list_is_previewed_and_imported_exactly_across_restarts(lounge: Lounge) -> None:
    host = lounge.host
    await host.slash("ceremony create", name="77th Primetime Emmy Awards", year=2025)
    form = await host.slash("ceremony paste")
    assert form.modal is not None
    assert form.modal["title"] == "Paste the nominees"
    await lounge.restart_bot()  # the form was open in the host's client meanwhile: its submission still counts
    preview = await host.submit_modal(form, {"part-1": ARTICLE, "part-2": MORE})
    assert preview.ephemeral
    assert unescape(preview.embeds[0]["title"]) == "Preview: 3 categories, 8 nominations"
    description = unescape(preview.embeds[0]["description"])
    drama = "1. **Outstanding Drama Series** (3): Andor — Disney+; The Crown — Netflix; The Last of Us — HBO"
    assert drama in description
    assert "3. **Outstanding Comedy Series** (2): Abbott Elementary; The Bear" in description
    assert lounge.query_value("SELECT COUNT(*) FROM categories") == 0  # nothing until confirmed

    await lounge.restart_bot()  # the preview waits in the database, so its button still works
    await confirm(lounge, host, preview, ":yes")
    assert unescape(preview.embeds[0]["title"]).startswith("Nominees imported into 77th Primetime Emmy Awards")
    assert preview.embeds[0]["description"].startswith("3 categories, 8 nominations")
    rows = lounge.query("SELECT c.name AS category, n.label FROM nominees n JOIN categories c ON c.id = n.category_id "
                        "ORDER BY c.position, n.position")
    assert [(row["category"], row["label"]) for row in rows][3:6] == [
        ("Outstanding Lead Actor in a Drama Series", "Jason Bateman — Ozark"),
        ("Outstanding Lead Actor in a Drama Series", "Brian Cox — Succession"),
        ("Outstanding Lead Actor in a Drama Series", "Kieran Culkin — Succession"),
    ]
    assert lounge.query_value("SELECT COUNT(*) FROM paste_previews") == 0

    # A second paste, cancelled: nothing changes. A broken one names its line.
    form = await host.slash("ceremony paste")
    cancelled = await host.submit_modal(form, {"part-1": MORE})
    before = state(lounge)
    await confirm(lounge, host, cancelled, ":no")
    assert cancelled.embeds[0]["title"] == "Nothing changed"
    assert {k: v for k, v in state(lounge).items() if k != "paste_previews"} == {
        k: v for k, v in before.items() if k != "paste_previews"}
    form = await host.slash("ceremony paste")
    broken = await host.submit_modal(form, {"part-1": ARTICLE + "\nOutstanding Variety Series\n", "part-3": MORE})
    assert refusal(broken).startswith("Line 11: “Outstanding Variety Series” is read as a category, but no nominee")
    assert lounge.query_value("SELECT COUNT(*) FROM categories") == 3


async def test_two_hosts_pasting_at_once_each_get_their_own_preview(lounge: Lounge) -> None:
    hosts = [lounge.host, lounge.member("Hugo Host", permissions=Permissions.manage_guild)]
    await lounge.host.slash("ceremony create", name="77th Primetime Emmy Awards", year=2025)
    forms = [await host.slash("ceremony paste") for host in hosts]  # both open before either is sent
    previews = await answers([
        hosts[0].send_modal_submit(forms[0], {"part-1": ARTICLE}),
        hosts[1].send_modal_submit(forms[1], {"part-1": MORE}),
    ])
    assert [unescape(p.embeds[0]["title"]) for p in previews] == [
        "Preview: 2 categories, 6 nominations", "Preview: 1 category, 2 nominations"]
    await confirm(lounge, hosts[1], previews[1])
    assert [row[0] for row in lounge.query("SELECT name FROM categories")] == ["Outstanding Comedy Series"]


# ---- presets ---------------------------------------------------------------------------------


def counts_in_the_table() -> dict[int, tuple[int, int]]:
    """(categories, nominations) per year, straight from the shipped CSV: every row a nomination,
    category names compared ignoring case (as a nominee file's are)."""
    text = gzip.decompress((PACKAGE_DATA / "emmys-all.csv.gz").read_bytes()).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    nominations = Counter(int(row["year"]) for row in rows)
    categories = Counter(year for year, _ in {(int(row["year"]), row["category"].casefold()) for row in rows})
    return {year: (categories[year], nominations[year]) for year in nominations}


def counts_in_the_file(path: Any) -> tuple[int, int]:
    raw = path.read_bytes()
    document = json.loads(gzip.decompress(raw) if path.name.endswith(".gz") else raw)
    return len(document["categories"]), sum(len(c["nominees"]) for c in document["categories"])


async def test_every_preset_year_imports_with_the_category_and_nominee_counts_of_its_data(lounge: Lounge) -> None:
    host = lounge.host
    table = counts_in_the_table()
    assert sorted(table) == list(range(1949, 2020))
    expected = {f"emmys-all:{year}": counts for year, counts in table.items()}
    expected["emmys-2013.json.gz"] = counts_in_the_file(PACKAGE_DATA / "emmys-2013.json.gz")
    expected["emmys-2014.json"] = counts_in_the_file(TEST_DATA / "emmys-2014.json")
    assert expected["emmys-2013.json.gz"] == (106, 551)
    offered: dict[str, str] = {}
    for year in range(1949, 2020):  # the host types the year; the suggestions are the presets to choose from
        choices = await host.autocomplete("ceremony create", "preset", name="Replay", year=year, preset=str(year))
        offered.update({choice["value"]: choice["name"] for choice in choices})
    assert set(offered) == set(expected)
    for key, (categories, nominations) in sorted(expected.items()):
        year = int(re.findall(r"\d{4}", key)[0])
        created = await host.slash("ceremony create", name=f"Replay of {year}", year=year, preset=key, timeout=15)
        said = unescape(created.embeds[0]["description"])
        assert said.startswith(f"From the preset {offered[key]}: {categories} categories, {nominations:,} "
                               "nominations"), (key, said)
        ceremony = lounge.query_value("SELECT id FROM ceremonies WHERE is_current = 1")
        assert lounge.query("SELECT COUNT(DISTINCT c.id), COUNT(n.id) FROM categories c "
                            "JOIN nominees n ON n.category_id = c.id WHERE c.ceremony_id = ?",
                            (ceremony,))[0][:] == (categories, nominations), key
    assert lounge.query_value("SELECT COUNT(*) FROM results") == 0  # a preset never brings its winners
    assert lounge.query_value("SELECT COUNT(*) FROM ceremonies") == len(expected)


# ---- the contract ----------------------------------------------------------------------------

EDITING_CONTRACT: dict[str, list[tuple[str, bool, bool]]] = {  # option: (name, required, autocompleted)
    "ceremony rename-category": [("category", True, True), ("new_name", True, False)],
    "ceremony rename-nominee": [("category", True, True), ("nominee", True, True), ("new_name", True, False),
                                ("show", False, False)],
    "ceremony add-nominee": [("category", True, True), ("name", True, False), ("show", False, False)],
    "ceremony remove-nominee": [("category", True, True), ("nominee", True, True)],
    "ceremony add-category": [("name", True, False), ("telecast", False, False)],
    "ceremony move-category": [("category", True, True), ("position", True, False)],
    "ceremony paste": [],
    "ceremony create": [("name", True, False), ("year", True, False), ("preset", False, True)],
}


def test_the_editing_commands_keep_the_names_and_options_of_the_issue(lounge: Lounge) -> None:
    ceremony = lounge.standin.commands.find(lounge.guild, "ceremony")
    assert ceremony is not None
    subcommands = {f"ceremony {option['name']}": option for option in ceremony["options"]}
    for name, options in EDITING_CONTRACT.items():
        shown = [(o["name"], bool(o.get("required")), bool(o.get("autocomplete"))) for o in
                 subcommands[name].get("options", [])]
        assert shown == options, name
    assert subcommands["ceremony rename-nominee"]["options"][2]["max_length"] == 200
