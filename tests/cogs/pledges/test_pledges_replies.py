"""What /pledge shows a member: escaped, within Discord's limits, and answered in time."""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.domain.pledges import PledgeService
from bot.domain.settings.service import SettingsService
from bot.embeds import EMBED_TOTAL_LIMIT, embed_size, message
from cogs.pledges.render import change_embed, choice_label, mine_embed, progress_embed, receipt_embed
from tests.clock import FakeClock
from tests.domain.pledge_helpers import ALICE, GUILD, Members, open_ceremony, text_of

HOSTILE = "@everyone **bold** <@123> `code`"


@pytest.fixture
def service(db: Database, clock: FakeClock) -> PledgeService:
    return PledgeService(db, clock, SettingsService(db, clock))


async def test_the_receipt_shows_the_members_total_and_tonights_progress(
    db: Database, clock: FakeClock, service: PledgeService
) -> None:
    await open_ceremony(db, clock)
    members = Members(service)
    await members.pledge(ALICE, "10")
    receipt = await members.pledge(ALICE, "15.50", note=HOSTILE, anonymous=True, interaction_id=4242)
    body = message(embeds=[receipt_embed(receipt)])
    text = text_of(body)
    assert f"Pledge #{receipt.pledge.id} recorded" in text
    assert "$25.50 tonight · $25.50 all-time" in text
    assert "$25.50** of $30,000.00" in text
    assert "@everyone" not in text
    assert "<@123>" not in text
    assert r"\*\*bold\*\*" in text
    assert "Anonymous" in body["embeds"][0]["footer"]["text"]

    replay = await members.pledge(ALICE, "15.50", interaction_id=4242)
    assert f"Pledge #{receipt.pledge.id} was already recorded" in text_of(message(embeds=[receipt_embed(replay)]))
    assert "$25.50 tonight" in text_of(message(embeds=[receipt_embed(replay)]))


async def test_progress_and_lists_fit_discords_limits(db: Database, clock: FakeClock, service: PledgeService) -> None:
    await open_ceremony(db, clock, name="Emmys *2014*")
    members = Members(service)
    for _ in range(30):
        await members.pledge(ALICE, "99,999.99", note="n" * 200)
    progress_text = text_of(message(embeds=[progress_embed(await service.progress(GUILD))]))
    assert r"Emmys \*2014\*" in progress_text
    assert "1 pledger · 30 pledges" in progress_text
    mine = message(embeds=[mine_embed(await service.mine(GUILD, ALICE))])
    assert embed_size(mine["embeds"][0]) <= EMBED_TOTAL_LIMIT
    assert "Showing your newest 20 of 30 pledges." in text_of(mine) + mine["embeds"][0]["footer"]["text"]


async def test_an_empty_server_invites_the_first_pledge(service: PledgeService) -> None:
    assert "be the first" in text_of(message(embeds=[progress_embed(await service.progress(GUILD))]))
    assert "haven't pledged" in text_of(message(embeds=[mine_embed(await service.mine(GUILD, ALICE))]))


async def test_status_replies_and_autocomplete_labels(service: PledgeService) -> None:
    receipt = await Members(service).pledge(ALICE, "5", name="Al " + "x" * 150, note=HOSTILE + "\n" + "y" * 150)
    change = await service.mark_paid(guild_id=GUILD, pledge_id=receipt.pledge.id, actor_id=ALICE, actor_is_host=False)
    assert f"Pledge #{receipt.pledge.id} marked paid" in text_of(message(embeds=[change_embed(change, "marked paid")]))
    label = choice_label(change.pledge, with_name=True)
    assert len(label) <= 100
    assert label.startswith(f"#{receipt.pledge.id} · $5.00 · paid · Al x")
    assert "\n" not in choice_label(change.pledge)
