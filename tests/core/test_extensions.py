"""Every extension loads, and no two commands share a name."""

from __future__ import annotations

from collections import Counter

from bot.lounge import LoungeBot, extension_names


async def test_every_extension_loads_and_command_names_are_unique(prepared_bot: LoungeBot) -> None:
    bot = prepared_bot
    assert set(bot.extensions) == set(extension_names())
    assert "cogs.settings" in bot.extensions
    names = [command.qualified_name for command in bot.tree.walk_commands()]
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    assert duplicates == []
    top_level = [command.name for command in bot.tree.get_commands()]
    assert len(top_level) == len(set(top_level))


async def test_the_command_tree_obeys_discords_schema_rules(prepared_bot: LoungeBot) -> None:
    """Discord refuses a whole sync for one bad command: check every rule before shipping."""
    from standin.validation import validate_command_list

    bot = prepared_bot
    schema = [command.to_dict(bot.tree) for command in bot.tree.get_commands()]
    assert schema, "no commands registered"
    assert validate_command_list(schema) == []
    for command in bot.tree.walk_commands():
        assert command.name == command.name.lower()
        assert 1 <= len(command.description) <= 100


def test_the_schema_checker_really_rejects_a_bad_command() -> None:
    from standin.validation import validate_command_list

    bad = [{"name": "Bad Name", "description": "", "type": 1,
            "options": [{"type": 3, "name": "a", "description": "x", "required": False},
                        {"type": 3, "name": "b", "description": "x", "required": True}]}]
    paths = {".".join(map(str, error.path)) for error in validate_command_list(bad)}
    assert any("name" in path for path in paths)
    assert any("description" in path for path in paths)
    assert any("options" in path for path in paths)
