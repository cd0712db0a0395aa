"""A lounge of names as people write them, end to end: members named in every
script, with emoji, combining marks and invisible tricks, pick a nominee that
loses; the result's announcement and the losers' leaderboard, page by page,
show every name whole, right-to-left names isolated so the rank and the count
stay in place, invisible characters shown; notes typed with invisible
characters are refused. The real bot, the real discord.py client, the stand-in."""

from __future__ import annotations

import pytest
from bidi import get_display

from standin import Reply
from tests.e2e.harness import Lounge
from tests.e2e.story import DATA_2014, Night, feed, fields, quiet, read_ceremony, refusal, unescape
from tests.names import ALL_NAMES, RIGHT_TO_LEFT

FSI, PDI = "\u2068", "\u2069"
# How each invisible trick is shown, written out here rather than computed by the bot's own code.
SHOWN_INVISIBLE = {
    "\u200b": "‹U+200B›",
    "Zoë Renée\u200b": "Zoë Renée‹U+200B›",
    "\u3164": "‹U+3164›",
    "\u202eevil": "‹U+202E›evil",
}


def as_shown(name: str) -> str:
    """A name as members must read it (markdown escapes removed): as written, RTL isolated, invisibles shown."""
    shown = SHOWN_INVISIBLE.get(name, name)
    return f"{FSI}{shown}{PDI}" if name in RIGHT_TO_LEFT else shown


def next_button(reply: Reply) -> dict[str, object] | None:
    for row in reply.components:
        for component in row.get("components", []):
            if component.get("label") == "Next":
                return dict(component)
    return None


async def test_every_name_shows_whole_in_the_announcement_and_on_the_leaderboard(lounge: Lounge) -> None:
    (drama,) = read_ceremony(DATA_2014, first=1)
    await lounge.setup_lounge()
    night = Night(lounge, [drama])
    await night.prepare()
    crowd = {name: lounge.member(name) for _, name in ALL_NAMES}
    for member in crowd.values():
        await night.pick(member, drama.losers[0])
    await night.start()
    await night.log_result(drama, drama.winners[0])
    await lounge.standin.wait_until(
        lambda: True if any(embed.get("title", "").startswith("🏆") for embed in feed(lounge.announcements)) else None,
        what="the result's announcement",
    )
    await quiet(lounge)

    announced = next(embed for embed in feed(lounge.announcements) if embed.get("title", "").startswith("🏆"))
    lost = unescape(fields(announced)[f"Lost their pick ({len(crowd)})"])
    for name in crowd:
        assert as_shown(name) in lost, f"{name!r} is not shown whole in {lost!r}"

    # The losers' board, ten to a page, every page.
    viewer = crowd["Zoë Renée"]
    page = await viewer.slash("leaderboard show", board="losers")
    lines: list[str] = []
    while True:
        lines += unescape(page.embeds[0]["description"]).splitlines()
        button = next_button(page)
        if button is None or button.get("disabled"):
            break
        page = await viewer.click(page, str(button["custom_id"]))
    assert sorted(lines) == sorted(f"**1.** {as_shown(name)} — 1 loss" for name in crowd)  # one loss each: a tie
    for line in lines:
        on_screen = get_display(line)  # as a reader's screen orders it
        assert on_screen.startswith("**1.** "), line
        assert on_screen.endswith(" — 1 loss"), line


@pytest.mark.parametrize(("command", "options"), [
    ("loser declare", {"note": "Robbed again\u200b"}),
    ("pledge add", {"amount": "25", "note": "\u3164"}),
])
async def test_a_note_with_an_invisible_character_is_refused_and_changes_nothing(
    lounge: Lounge, command: str, options: dict[str, str],
) -> None:
    await lounge.setup_lounge()
    (drama,) = read_ceremony(DATA_2014, first=1)
    await Night(lounge, [drama]).prepare()
    member = lounge.member("Zoë Renée")
    refused = await member.slash(command, **options)
    assert "invisible character" in refusal(refused)
    assert lounge.query_value("SELECT COUNT(*) FROM losses") == 0
    assert lounge.query_value("SELECT COUNT(*) FROM pledges") == 0
