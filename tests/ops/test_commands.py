"""`python -m bot backup` and `restore` as a host runs them, beside a real `python -m bot`; every fault is one
sentence, a non-zero exit, and nothing changed."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from standin import Guild, Member, Permissions, StandIn
from tests.ops.processes import (
    bot_command,
    bot_environment,
    environment,
    finish,
    shell,
    start_bot_process,
    tiny_disk_shell,
    without_privileges,
)


def pledges_in(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM pledges").fetchone()[0])
    finally:
        connection.close()


def replaced_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("lounge.db.replaced-*"))


def one_sentence(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@dataclass
class RunningBot:
    guild: Guild
    host: Member
    process: asyncio.subprocess.Process
    database: Path


@pytest.fixture
async def running_bot(standin: StandIn, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """`python -m bot` against the stand-in, a live ceremony and one pledge in its database."""
    guild = standin.create_guild("Emmy Night")
    host = guild.add_member("Hana Host", permissions=Permissions.manage_guild)
    process = await start_bot_process(bot_environment(standin, tmp_path, DEV_GUILD_ID=str(guild.id)), tmp_path)
    try:
        await standin.wait_until_ready(timeout=30)
        await standin.wait_for_commands_synced(guild, timeout=10)
        await host.slash("ceremony create", name="66th Primetime Emmy Awards", year=2014)
        await host.slash("ceremony start")
        receipt = await host.slash("pledge add", amount="25")
        assert receipt.embeds[0]["title"].startswith("Thank you! Pledge #")
        yield RunningBot(guild, host, process, tmp_path / "lounge.db")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await finish(process)


async def test_a_backup_while_the_bot_runs_and_a_restore_refused_until_it_stops(
    running_bot: RunningBot, tmp_path: Path
) -> None:
    env = environment(running_bot.database)
    backed_up = await asyncio.to_thread(bot_command, "backup", env=env, cwd=tmp_path)
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout.startswith(f"Backed up {running_bot.database} (schema version ")
    (backup,) = (tmp_path / "backups").glob("lounge-*.db")
    assert pledges_in(backup) == 1

    second = await running_bot.host.slash("pledge add", amount="10")
    assert second.embeds[0]["title"].startswith("Thank you! Pledge #")
    refused = await asyncio.to_thread(bot_command, "restore", str(backup), env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert one_sentence(refused.stderr).startswith(f"A bot (pid {running_bot.process.pid}) is running on ")
    still = await running_bot.host.slash("pledge total")  # the bot never noticed
    assert still.embeds
    assert pledges_in(running_bot.database) == 2

    running_bot.process.send_signal(signal.SIGTERM)
    await finish(running_bot.process)
    restored = await asyncio.to_thread(bot_command, "restore", str(backup), env=env, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "1 pledges" in restored.stdout
    assert pledges_in(running_bot.database) == 1
    (replaced,) = replaced_files(tmp_path)
    assert pledges_in(replaced) == 2


async def test_a_bad_backup_file_is_one_sentence_and_changes_nothing(running_bot: RunningBot, tmp_path: Path) -> None:
    running_bot.process.send_signal(signal.SIGTERM)
    await finish(running_bot.process)
    junk = tmp_path / "party-photos.zip"
    junk.write_bytes(b"PK\x03\x04" + b"\x00" * 4000)
    before = running_bot.database.read_bytes()
    refused = await asyncio.to_thread(bot_command, "restore", str(junk), env=environment(running_bot.database),
                                      cwd=tmp_path)
    assert refused.returncode == 1
    assert "is not an SQLite database" in one_sentence(refused.stderr)
    assert running_bot.database.read_bytes() == before
    assert replaced_files(tmp_path) == []


# ---- faults a test can make real ---------------------------------------------------------------------


@pytest.fixture
def stopped_database(tmp_path: Path) -> Path:
    """A lounge database a bot wrote and closed (about 300 KB: every migration, no rows)."""
    database = tmp_path / "lounge.db"
    script = ("import asyncio, pathlib, sys\nfrom bot.db import Database, apply_migrations\n"
              "async def main():\n    db = await Database.open(pathlib.Path(sys.argv[1]))\n"
              "    await apply_migrations(db.connection)\n    await db.close()\nasyncio.run(main())\n")
    subprocess.run([sys.executable, "-c", script, str(database)], check=True, timeout=60)  # noqa: S603
    return database


def test_a_backup_into_an_unwritable_folder_is_refused(stopped_database: Path, tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = bot_command("backup", str(folder / "backup.db"), env=environment(stopped_database), cwd=tmp_path,
                             wrapper=without_privileges())
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert one_sentence(result.stderr) == f"{str(folder)!r} is not writable: choose a folder you can write to; " \
        "nothing was written."
    assert list(folder.iterdir()) == []


def test_a_backup_onto_a_disk_too_small_for_it_is_refused_before_writing(
    stopped_database: Path, tmp_path: Path
) -> None:
    disk = tmp_path / "usb-stick"
    disk.mkdir()
    script = (f"'{sys.executable}' -m bot backup '{disk}/backup.db'; code=$?; "
              f"echo \"left: $(ls -A '{disk}')\"; exit $code")
    result = shell(tiny_disk_shell("64k", disk, script), env=environment(stopped_database), cwd=tmp_path)
    assert result.returncode == 1
    assert "There is not enough free space in" in one_sentence(result.stderr)
    assert result.stdout.strip() == "left:"


def test_a_disk_that_fills_up_during_the_copy_leaves_nothing(stopped_database: Path, tmp_path: Path) -> None:
    """The free-space check is told there is room (as on a disk another program is filling): the copy itself
    meets the real ENOSPC, SQLite says SQLITE_FULL, and the half-written file is removed."""
    disk = tmp_path / "usb-stick"
    disk.mkdir()
    copy = ("import pathlib, sys\nfrom bot.db.backup import BackupError, FileSystem, copy_database\n"
            "try:\n    copy_database(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]),"
            " fs=FileSystem(free_bytes=lambda _folder: 10**12))\n"
            "except BackupError as error:\n    print(error.reason, error, file=sys.stderr)\n    sys.exit(1)\n")
    (tmp_path / "fill_the_disk.py").write_text(copy)
    script = (f"'{sys.executable}' '{tmp_path}/fill_the_disk.py' '{stopped_database}' '{disk}/backup.db'; code=$?; "
              f"echo \"left: $(ls -A '{disk}')\"; exit $code")
    result = shell(tiny_disk_shell("128k", disk, script), env=environment(stopped_database), cwd=tmp_path)
    assert result.returncode == 1
    assert one_sentence(result.stderr).startswith("disk_full The disk holding ")
    assert result.stdout.strip() == "left:"



# ---- the doctor --------------------------------------------------------------------------------------


async def test_the_doctor_reports_one_line_per_finding_and_fails_when_the_night_would_break(
    running_bot: RunningBot, standin: StandIn, tmp_path: Path
) -> None:
    env = bot_environment(standin, tmp_path, DEV_GUILD_ID=str(running_bot.guild.id))
    healthy = await asyncio.to_thread(bot_command, "doctor", env=env, cwd=tmp_path)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    lines = healthy.stdout.strip().splitlines()
    assert lines[0].startswith("ok    token: valid: logged in as ")
    assert lines[-1] == "Nothing would break the night (2 warning(s))."  # no loser role, no announcement channel set
    assert all(line.split()[0] in {"ok", "warn"} for line in lines[:-1])

    hidden = running_bot.guild.create_text_channel("announcements")
    hidden.set_permissions(running_bot.guild.everyone, deny=Permissions.view_channel)
    await running_bot.host.slash("settings set", announcement_channel=hidden)
    broken = await asyncio.to_thread(bot_command, "doctor", env=env, cwd=tmp_path)
    assert broken.returncode == 1
    (problem,) = [line for line in broken.stdout.splitlines() if line.startswith("FAIL")]
    assert problem.startswith("FAIL  Emmy Night (")
    assert "the bot lacks View Channel, Send Messages, Embed Links and Attach Files" in problem
    assert broken.stdout.strip().splitlines()[-1].startswith("1 problem(s) would break the night")


async def test_the_doctor_with_a_wrong_token_is_one_sentence(standin: StandIn, tmp_path: Path) -> None:
    env = bot_environment(standin, tmp_path, DISCORD_TOKEN="not-the-token")
    refused = await asyncio.to_thread(bot_command, "doctor", env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert one_sentence(refused.stderr).startswith("Discord refused DISCORD_TOKEN")
    assert refused.stdout == ""
    assert not (tmp_path / "lounge.db").exists()
