"""Who a message would have pinged, by Discord's rules for content and ``allowed_mentions``."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

USER_MENTION_RE = re.compile(r"<@!?(\d{15,21})>")
ROLE_MENTION_RE = re.compile(r"<@&(\d{15,21})>")


@dataclass(frozen=True, slots=True)
class Pings:
    """The notifications a message caused."""

    everyone: bool = False
    here: bool = False
    users: frozenset[int] = frozenset()
    roles: frozenset[int] = frozenset()

    @property
    def anyone(self) -> bool:
        return self.everyone or self.here or bool(self.users) or bool(self.roles)


NO_PINGS = Pings()


def compute_pings(
    content: str,
    allowed_mentions: Mapping[str, Any] | None,
    *,
    can_mention_everyone: bool,
    mentionable_role_ids: Collection[int],
) -> Pings:
    """Apply Discord's rules.

    Without ``allowed_mentions`` everything written in the content pings. With it, only
    the kinds in ``parse`` and the ids listed in ``users``/``roles`` do. ``@everyone``,
    ``@here`` and non-mentionable roles also need the Mention Everyone permission.
    """
    if not content:
        return NO_PINGS
    written_users = {int(match) for match in USER_MENTION_RE.findall(content)}
    written_roles = {int(match) for match in ROLE_MENTION_RE.findall(content)}
    written_everyone = "@everyone" in content
    written_here = "@here" in content

    if allowed_mentions is None:
        parse = {"users", "roles", "everyone"}
        listed_users: set[int] = set()
        listed_roles: set[int] = set()
    else:
        parse = {str(kind) for kind in allowed_mentions.get("parse") or []}
        listed_users = {int(user_id) for user_id in allowed_mentions.get("users") or []}
        listed_roles = {int(role_id) for role_id in allowed_mentions.get("roles") or []}

    users = written_users if "users" in parse else written_users & listed_users
    roles = written_roles if "roles" in parse else written_roles & listed_roles
    if not can_mention_everyone:
        roles = {role_id for role_id in roles if role_id in mentionable_role_ids}
    everyone_allowed = "everyone" in parse and can_mention_everyone
    return Pings(
        everyone=written_everyone and everyone_allowed,
        here=written_here and everyone_allowed,
        users=frozenset(users),
        roles=frozenset(roles),
    )
