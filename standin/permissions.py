"""Discord permission bits and the way Discord resolves them for a member in a channel."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Permissions(enum.IntFlag):
    """Discord's permission bits, named as discord.py names them."""

    create_instant_invite = 1 << 0
    kick_members = 1 << 1
    ban_members = 1 << 2
    administrator = 1 << 3
    manage_channels = 1 << 4
    manage_guild = 1 << 5
    add_reactions = 1 << 6
    view_audit_log = 1 << 7
    priority_speaker = 1 << 8
    stream = 1 << 9
    view_channel = 1 << 10
    send_messages = 1 << 11
    send_tts_messages = 1 << 12
    manage_messages = 1 << 13
    embed_links = 1 << 14
    attach_files = 1 << 15
    read_message_history = 1 << 16
    mention_everyone = 1 << 17
    use_external_emojis = 1 << 18
    view_guild_insights = 1 << 19
    connect = 1 << 20
    speak = 1 << 21
    mute_members = 1 << 22
    deafen_members = 1 << 23
    move_members = 1 << 24
    use_voice_activation = 1 << 25
    change_nickname = 1 << 26
    manage_nicknames = 1 << 27
    manage_roles = 1 << 28
    manage_webhooks = 1 << 29
    manage_expressions = 1 << 30
    use_application_commands = 1 << 31
    request_to_speak = 1 << 32
    manage_events = 1 << 33
    manage_threads = 1 << 34
    create_public_threads = 1 << 35
    create_private_threads = 1 << 36
    use_external_stickers = 1 << 37
    send_messages_in_threads = 1 << 38
    use_embedded_activities = 1 << 39
    moderate_members = 1 << 40
    view_creator_monetization_analytics = 1 << 41
    use_soundboard = 1 << 42
    create_expressions = 1 << 43
    create_events = 1 << 44
    use_external_sounds = 1 << 45
    send_voice_messages = 1 << 46
    send_polls = 1 << 49
    use_external_apps = 1 << 50
    pin_messages = 1 << 51
    bypass_slowmode = 1 << 52


ALL_PERMISSIONS = Permissions(0)
for _bit in Permissions:
    ALL_PERMISSIONS |= _bit

NO_PERMISSIONS = Permissions(0)

#: What @everyone holds in a new Discord server (text side).
DEFAULT_EVERYONE_PERMISSIONS = (
    Permissions.create_instant_invite
    | Permissions.add_reactions
    | Permissions.stream
    | Permissions.view_channel
    | Permissions.send_messages
    | Permissions.embed_links
    | Permissions.attach_files
    | Permissions.read_message_history
    | Permissions.mention_everyone
    | Permissions.use_external_emojis
    | Permissions.connect
    | Permissions.speak
    | Permissions.use_voice_activation
    | Permissions.change_nickname
    | Permissions.use_application_commands
    | Permissions.send_messages_in_threads
    | Permissions.create_public_threads
    | Permissions.create_private_threads
    | Permissions.use_external_stickers
    | Permissions.send_voice_messages
    | Permissions.send_polls
    | Permissions.use_external_apps
)

#: What the bot's managed role holds unless a test says otherwise.
DEFAULT_BOT_PERMISSIONS = (
    Permissions.view_channel
    | Permissions.send_messages
    | Permissions.embed_links
    | Permissions.attach_files
    | Permissions.read_message_history
    | Permissions.add_reactions
    | Permissions.use_external_emojis
    | Permissions.manage_roles
    | Permissions.manage_messages
    | Permissions.use_application_commands
)

# Text permissions that Discord drops implicitly when Send Messages is denied.
_NEEDS_SEND_MESSAGES = (
    Permissions.send_tts_messages
    | Permissions.mention_everyone
    | Permissions.embed_links
    | Permissions.attach_files
)


@dataclass(frozen=True, slots=True)
class Overwrite:
    """A channel permission overwrite for one role (type 0) or member (type 1)."""

    target_id: int
    target_type: int
    allow: Permissions = NO_PERMISSIONS
    deny: Permissions = NO_PERMISSIONS


def base_permissions(
    *, everyone: Permissions, role_permissions: Iterable[Permissions], is_owner: bool
) -> Permissions:
    """Guild-wide permissions: @everyone plus every role, all of them for owners and admins."""
    if is_owner:
        return ALL_PERMISSIONS
    total = everyone
    for permissions in role_permissions:
        total |= permissions
    if total & Permissions.administrator:
        return ALL_PERMISSIONS
    return total


def channel_permissions(
    base: Permissions,
    *,
    guild_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
    overwrites: Iterable[Overwrite],
) -> Permissions:
    """Apply a channel's overwrites the way Discord does: @everyone, then roles, then member."""
    if base & Permissions.administrator:
        return ALL_PERMISSIONS
    by_target = {(o.target_type, o.target_id): o for o in overwrites}
    total = base
    everyone = by_target.get((0, guild_id))
    if everyone is not None:
        total = (total & ~everyone.deny) | everyone.allow
    role_allow = NO_PERMISSIONS
    role_deny = NO_PERMISSIONS
    for role_id in member_role_ids:
        role_overwrite = by_target.get((0, role_id))
        if role_overwrite is not None:
            role_allow |= role_overwrite.allow
            role_deny |= role_overwrite.deny
    total = (total & ~role_deny) | role_allow
    member = by_target.get((1, member_id))
    if member is not None:
        total = (total & ~member.deny) | member.allow
    if not total & Permissions.view_channel:
        return NO_PERMISSIONS
    if not total & Permissions.send_messages:
        total &= ~_NEEDS_SEND_MESSAGES
    return Permissions(total)
