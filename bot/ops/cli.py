"""``python -m bot backup [PATH]``, ``python -m bot restore PATH`` and ``python -m bot doctor``.

Each reads ``.env`` like the bot (``DATABASE_PATH``; the doctor also ``DISCORD_TOKEN``),
prints what it did or one sentence saying why it did nothing, and exits non-zero
on any problem: 1 for a refusal or a finding that would break the night, 2 for a
setting that must be fixed first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from pathlib import Path

from bot.clock import utc_now
from bot.config import ConfigError, Settings, load_settings
from bot.db.backup import BackupError, copy_database
from bot.ops.backups import backup_name, default_target, unused_path

CLI_NICENESS = 10


def main(args: list[str]) -> int:
    command, rest = args[0], args[1:]
    if command == "backup":
        return backup(rest)
    if command == "restore":
        return restore(rest)
    return doctor(rest)


def _settings(*, require_token: bool) -> Settings | None:
    try:
        return load_settings(require_token=require_token)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return None


def backup(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot backup",
        description="A consistent, checked copy of the database (DATABASE_PATH), safe while the bot runs.",
    )
    parser.add_argument("path", nargs="?", type=Path,
                        help="file or folder to write it to (default: backups/ beside the database, named by the "
                             "UTC time: lounge-YYYYMMDD-HHMMSS.db)")
    options = parser.parse_args(args)
    config = _settings(require_token=False)
    if config is None:
        return 2
    source = config.database_path
    if not source.is_file():
        print(f"There is no database at {str(source)!r} yet (the bot creates it when it first starts): nothing to "
              "back up.", file=sys.stderr)
        return 1
    now = utc_now()
    if options.path is None:
        target = default_target(source, now)
    elif options.path.is_dir():
        target = unused_path(options.path, backup_name(source, now))
    else:
        target = options.path
    with contextlib.suppress(OSError):
        os.nice(CLI_NICENESS)  # a bot on this machine comes first
    try:
        copied = copy_database(source, target)
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Backed up {source} (schema version {copied.schema_version}, {copied.size_bytes / 1e6:,.1f} MB) to "
          f"{copied.path} in {copied.seconds:.1f} s; SQLite's integrity check: ok.")
    return 0


def restore(args: list[str]) -> int:
    from bot.ops.restore import RestoreError, restore_database

    parser = argparse.ArgumentParser(
        prog="python -m bot restore",
        description="Put a backup in place of the database (DATABASE_PATH), keeping the file it replaces. "
                    "Refused while the bot runs.",
    )
    parser.add_argument("path", type=Path, help="the backup file to restore")
    options = parser.parse_args(args)
    config = _settings(require_token=False)
    if config is None:
        return 2
    try:
        restored = restore_database(options.path, config.database_path, utc_now())
    except RestoreError as error:
        print(error, file=sys.stderr)
        return 1
    kept = (f"the database it replaced is kept as {restored.replaced}" if restored.replaced is not None
            else "there was no database there before")
    print(f"Restored {restored.source} (schema version {restored.schema_version}, {restored.pledges:,} pledges, "
          f"{restored.servers} server(s) with settings) as {restored.database}; {kept}.")
    return 0


def doctor(args: list[str]) -> int:
    from bot.ops.doctor import DoctorError, examine, failed, summary

    parser = argparse.ArgumentParser(
        prog="python -m bot doctor",
        description="Check over Discord's REST API, before the show, everything that would break the night: the "
                    "token, the application, the commands, and in every server the channels, permissions and "
                    "role order. Changes nothing.",
    )
    parser.parse_args(args)
    config = _settings(require_token=True)
    if config is None:
        return 2
    try:
        findings = asyncio.run(examine(config))
    except DoctorError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    for finding in findings:
        print(finding.line())
    print(summary(findings))
    return 1 if failed(findings) else 0
