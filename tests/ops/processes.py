"""Running ``python -m bot backup|restore|doctor`` as a host would, and the unprivileged tricks that give a
real full disk (a tiny tmpfs in a user namespace) and a real unwritable folder (no capabilities) to it."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.against_standin import bot_environment as standin_environment
from standin import StandIn

SECONDS = 60


def environment(database: Path, **settings: str) -> dict[str, str]:
    """The process environment with only our settings (no developer's DISCORD_*/DATABASE_* leaks in)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DISCORD_", "DATABASE_", "DEV_", "BACKUP_"))}
    env.update(DATABASE_PATH=str(database), LOG_LEVEL="WARNING", **settings)
    return env


def bot_command(*args: str, env: dict[str, str], cwd: Path, wrapper: tuple[str, ...] = ()) -> (
        subprocess.CompletedProcess[str]):
    """``python -m bot ARGS`` in `cwd` (a folder without a .env), run to completion."""
    return shell([*wrapper, sys.executable, "-m", "bot", *args], env=env, cwd=cwd)


def shell(command: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=SECONDS,  # noqa: S603
                          check=False)


@functools.cache
def _works(*probe: str) -> bool:
    if shutil.which(probe[0]) is None:
        return False
    try:
        return subprocess.run(probe, capture_output=True, timeout=10, check=False).returncode == 0  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return False


def tiny_disk_shell(size: str, mount_point: Path, script: str) -> list[str]:
    """A shell running `script` with a tmpfs of `size` mounted at `mount_point`, in a private mount namespace
    (unprivileged: a user namespace). The mount vanishes with the shell, so `script` looks at it itself."""
    if not _works("unshare", "-rm", "true"):
        pytest.skip("user namespaces are not available here: no unprivileged tmpfs to fill up")
    return ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size={size} none '{mount_point}' && {script}"]


def without_privileges() -> tuple[str, ...]:
    """A prefix that runs a command without root's power to write anywhere (none needed when not root)."""
    if os.geteuid() != 0:
        return ()
    if not _works("unshare", "-U", "true"):
        pytest.skip("running as root without user namespaces: no folder is unwritable to this process")
    return ("unshare", "-U")  # still uid 0 on disk, but without CAP_DAC_OVERRIDE


# `python -m bot` as a raw asyncio process beside these commands (its stderr read as bytes); its
# environment from the one place that points a bot at the stand-in.


def bot_environment(standin: StandIn, tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = standin_environment(standin, tmp_path / "lounge.db", token=standin.token, guild_id=None)
    env.update(overrides)
    return env


async def finish(process: asyncio.subprocess.Process, seconds: float = 30) -> bytes:
    """Wait for the process to exit; kill it (and fail) if it hangs, so no test leaves a bot behind."""
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=seconds)
    except TimeoutError:
        process.kill()
        await process.communicate()
        raise AssertionError(f"the bot did not exit within {seconds} s") from None
    return stderr


async def start_bot_process(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
