"""A host sets up .env; every mistake gets one clear sentence naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_PATH, ConfigError, load_settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.token-for-tests"


def test_defaults_with_only_a_token() -> None:
    settings = load_settings({"DISCORD_TOKEN": TOKEN})
    assert settings.discord_token == TOKEN
    assert settings.database_path == DEFAULT_DATABASE_PATH
    assert settings.dev_guild_id is None
    assert settings.log_level == "INFO"
    assert settings.discord_api_base is None
    assert settings.discord_gateway_url is None


def test_automatic_backups_are_off_unless_asked_for() -> None:
    default = load_settings({"DISCORD_TOKEN": TOKEN})
    assert (default.backup_every_minutes, default.backup_keep) == (None, 6)
    assert load_settings({"DISCORD_TOKEN": TOKEN, "BACKUP_EVERY_MINUTES": "0"}).backup_every_minutes is None
    chosen = load_settings({"DISCORD_TOKEN": TOKEN, "BACKUP_EVERY_MINUTES": "10", "BACKUP_KEEP": "24"})
    assert (chosen.backup_every_minutes, chosen.backup_keep) == (10, 24)


def test_every_variable_is_read(tmp_path: Path) -> None:
    settings = load_settings({
        "DISCORD_TOKEN": TOKEN,
        "DATABASE_PATH": str(tmp_path / "nested" / "lounge.db"),
        "DEV_GUILD_ID": "123456789012345678",
        "LOG_LEVEL": "debug",
        "DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10/",
        "DISCORD_GATEWAY_URL": "ws://127.0.0.1:8080/gateway",
    })
    assert settings.database_path == tmp_path / "nested" / "lounge.db"
    assert settings.dev_guild_id == 123456789012345678
    assert settings.log_level == "DEBUG"
    assert settings.discord_api_base == "http://127.0.0.1:8080/api/v10"
    assert settings.discord_gateway_url == "ws://127.0.0.1:8080/gateway"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "   "}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "two words"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "Bot abc"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": '"quoted"'}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "my server"}, "DEV_GUILD_ID"),
        ({"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "-123456789012345678"}, "DEV_GUILD_ID"),
        ({"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "99999999999999999999"}, "DEV_GUILD_ID"),
        ({"DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": "discord.com/api"}, "DISCORD_API_BASE"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_GATEWAY_URL": "http://127.0.0.1/gw"}, "DISCORD_GATEWAY_URL"),
        ({"DISCORD_TOKEN": TOKEN, "BACKUP_EVERY_MINUTES": "often"}, "BACKUP_EVERY_MINUTES"),
        ({"DISCORD_TOKEN": TOKEN, "BACKUP_EVERY_MINUTES": "1441"}, "BACKUP_EVERY_MINUTES"),
        ({"DISCORD_TOKEN": TOKEN, "BACKUP_EVERY_MINUTES": "-5"}, "BACKUP_EVERY_MINUTES"),
        ({"DISCORD_TOKEN": TOKEN, "BACKUP_KEEP": "0"}, "BACKUP_KEEP"),
        ({"DISCORD_TOKEN": TOKEN, "BACKUP_KEEP": "2.5"}, "BACKUP_KEEP"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    message = str(caught.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_database_path_under_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match=r"^DATABASE_PATH .* is a file"):
        load_settings({"DISCORD_TOKEN": TOKEN, "DATABASE_PATH": str(blocker / "lounge.db")})


def test_database_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^DATABASE_PATH must name a file"):
        load_settings({"DISCORD_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path)})


def run_bot_process(tmp_path: Path, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "DATABASE_", "DEV_"))}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_python_m_bot_without_a_token_prints_one_sentence_and_fails(tmp_path: Path) -> None:
    finished = run_bot_process(tmp_path, {})
    assert finished.returncode != 0
    assert finished.stdout == ""
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    assert lines[0].startswith("DISCORD_TOKEN is not set")
    assert "make rehearse" in lines[0]
    assert "Traceback" not in finished.stderr


def test_python_m_bot_with_a_bad_guild_id_names_it(tmp_path: Path) -> None:
    finished = run_bot_process(tmp_path, {"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "abc"})
    assert finished.returncode != 0
    assert finished.stderr.strip().startswith("DEV_GUILD_ID must be a server id")
    assert "Traceback" not in finished.stderr
