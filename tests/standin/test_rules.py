"""Pure rules of the stand-in: who gets pinged, permission resolution, fault routes."""

from __future__ import annotations

import pytest

from standin.faults import Faults, normalize_route
from standin.mentions import compute_pings
from standin.permissions import (
    ALL_PERMISSIONS,
    Overwrite,
    Permissions,
    base_permissions,
    channel_permissions,
)

ADA, BO = 111111111111111111, 222222222222222222
LOSERS, HOSTS = 333333333333333333, 444444444444444444
CONTENT = f"@everyone @here <@{ADA}> <@!{BO}> <@&{LOSERS}> <@&{HOSTS}>"


def test_without_allowed_mentions_everything_written_pings() -> None:
    pings = compute_pings(CONTENT, None, can_mention_everyone=True, mentionable_role_ids=set())
    assert pings.everyone
    assert pings.here
    assert pings.users == {ADA, BO}
    assert pings.roles == {LOSERS, HOSTS}


def test_an_empty_allowed_mentions_pings_nobody() -> None:
    pings = compute_pings(CONTENT, {"parse": []}, can_mention_everyone=True, mentionable_role_ids=set())
    assert not pings.anyone


def test_allowed_mentions_lists_pick_who_pings() -> None:
    allowed = {"parse": ["roles"], "users": [str(ADA)]}
    pings = compute_pings(CONTENT, allowed, can_mention_everyone=True, mentionable_role_ids=set())
    assert not pings.everyone
    assert pings.users == {ADA}
    assert pings.roles == {LOSERS, HOSTS}


def test_everyone_and_unmentionable_roles_need_the_permission() -> None:
    pings = compute_pings(CONTENT, None, can_mention_everyone=False, mentionable_role_ids={LOSERS})
    assert not pings.everyone
    assert not pings.here
    assert pings.roles == {LOSERS}


def test_base_permissions() -> None:
    everyone = Permissions.view_channel | Permissions.send_messages
    assert base_permissions(everyone=everyone, role_permissions=[Permissions.manage_roles], is_owner=False) == (
        everyone | Permissions.manage_roles
    )
    assert base_permissions(everyone=everyone, role_permissions=[Permissions.administrator], is_owner=False) == (
        ALL_PERMISSIONS
    )
    assert base_permissions(everyone=Permissions(0), role_permissions=[], is_owner=True) == ALL_PERMISSIONS


def test_channel_overwrites_apply_everyone_then_roles_then_member() -> None:
    guild_id, member_id = 1, 2
    base = Permissions.view_channel | Permissions.send_messages | Permissions.embed_links
    overwrites = [
        Overwrite(guild_id, 0, deny=Permissions.send_messages),
        Overwrite(LOSERS, 0, allow=Permissions.send_messages),
        Overwrite(member_id, 1, deny=Permissions.embed_links),
    ]
    resolved = channel_permissions(
        base, guild_id=guild_id, member_id=member_id, member_role_ids=[LOSERS], overwrites=overwrites
    )
    assert resolved == Permissions.view_channel | Permissions.send_messages


def test_denying_send_messages_also_drops_embeds_and_files() -> None:
    base = Permissions.view_channel | Permissions.send_messages | Permissions.embed_links | Permissions.attach_files
    resolved = channel_permissions(
        base, guild_id=1, member_id=2, member_role_ids=[], overwrites=[Overwrite(2, 1, deny=Permissions.send_messages)]
    )
    assert resolved == Permissions.view_channel


def test_a_hidden_channel_grants_nothing() -> None:
    resolved = channel_permissions(
        Permissions.view_channel | Permissions.send_messages, guild_id=1, member_id=2, member_role_ids=[],
        overwrites=[Overwrite(1, 0, deny=Permissions.view_channel)],
    )
    assert resolved == Permissions(0)


def test_fault_routes_are_named_like_the_docs_or_by_path() -> None:
    assert normalize_route("post /api/v10/channels/{id}/messages") == "POST /channels/{}/messages"
    faults = Faults()
    faults.known_routes(["POST /channels/{channel_id}/messages"])
    by_template = faults.fail_next("POST /channels/{whatever}/messages", status=502)
    by_path = faults.fail_next("POST /channels/123/messages", status=429)
    assert by_path.matches("POST /channels/{}/messages", "POST", "/channels/123/messages")
    assert not by_path.matches("POST /channels/{}/messages", "POST", "/channels/456/messages")
    assert by_template.matches("POST /channels/{}/messages", "POST", "/channels/456/messages")
    with pytest.raises(ValueError, match="serves no route"):
        faults.fail_next("POST /voice/regions")
