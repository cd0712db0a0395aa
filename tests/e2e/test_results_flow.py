"""The live night through the real bot and the real discord.py client, against the
loopback Discord stand-in: a nominee file attached to `/ceremony import`, picks chosen
from autocomplete, a result logged, and an `/result undo` confirmation clicked after
the bot restarted (the buttons are persistent) by a member who is no longer a host
(refused), then is again (undone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.against_standin import BotInProcess, standin_settings
from standin import Attachment, Guild, StandIn
from tests.paths import SHIPPED_2014

SAMPLE = SHIPPED_2014


async def start(standin: StandIn, database: Path, guild: Guild) -> BotInProcess:
    """One run of the real bot against the stand-in (the commands synced for `guild`)."""
    run = BotInProcess(standin_settings(standin, database, token=standin.token, guild_id=guild.id,
                                        log_level="WARNING"))
    await run.start(standin, synced=guild)
    return run


def titles(messages: list[Any]) -> list[str]:
    return [embed.get("title", "") for message in messages for embed in message.embeds]


async def test_a_night_through_discord_with_a_restart_before_the_undo(standin: StandIn, tmp_path: Path) -> None:
    guild = standin.create_guild("Emmy Night")
    host, ada = guild.owner, guild.add_member("Ada")
    first = await start(standin, tmp_path / "lounge.db", guild)

    await host.slash("ceremony create", name="66th Primetime Emmy Awards", year=2014)
    imported = await host.slash("ceremony import", file=Attachment("emmys-2014.json", SAMPLE.read_bytes()),
                                timeout=10)
    assert imported.ephemeral
    assert imported.embeds[0]["description"].startswith("103 categories, 561 nominations")
    refused = await ada.slash("ceremony import", file=Attachment("x.json", b"{}"))
    assert refused.ephemeral
    assert "Only hosts" in refused.embeds[0]["description"]

    categories = await ada.autocomplete("pick", "category", category="drama series")
    assert categories[0] == {"name": "Outstanding Drama Series", "value": categories[0]["value"]}
    nominees = await ada.autocomplete("pick", "nominee", category=categories[0]["value"], nominee="mad")
    assert [choice["name"] for choice in nominees] == ["Mad Men"]
    await ada.slash("pick", category=categories[0]["value"], nominee=nominees[0]["value"])
    await host.slash("ceremony start")
    logged = await host.slash("result log", category="outstanding drama series", winner="Breaking Bad")
    assert logged.embeds[0]["title"] == "Logged: Outstanding Drama Series"
    hosts = guild.create_role("Hosts")
    await host.slash("settings set", host_role=hosts)
    guild.set_member_roles(ada, [hosts.id])
    prompt = await ada.slash("result undo", category="Outstanding Drama Series")
    undo_id = prompt.components[0]["components"][0]["custom_id"]
    assert undo_id.startswith("lounge:undo:")
    await standin.wait_until(lambda: "🏆 Outstanding Drama Series" in titles(standin.messages) or None,
                             what="the result announcement")

    await first.stop()
    assert first.bot.is_closed()
    guild.set_member_roles(ada, [])  # no longer a host by the time she clicks
    second = await start(standin, tmp_path / "lounge.db", guild)
    try:
        refused_click = await ada.click(prompt, undo_id)
        assert refused_click.ephemeral
        assert "Only hosts" in refused_click.embeds[0]["description"]
        assert await second.bot.services.db.fetch_value("SELECT COUNT(*) FROM results") == 1  # nothing undone
        guild.set_member_roles(ada, [hosts.id])
        await ada.click(prompt, undo_id, timeout=10)
        await standin.wait_until(
            lambda: any(t.startswith("Undone: Outstanding Drama Series") for t in titles(standin.messages)) or None,
            what="the undo confirmation edited into the prompt",
        )
        await standin.wait_until(
            lambda: "↩️ Correction: Outstanding Drama Series" in titles(standin.messages) or None,
            what="the correction announcement",
        )
        card = await ada.slash("loser card")
        assert card.embeds[0]["fields"][0]["name"] == "Losses tonight: 0"
    finally:
        await second.stop()
