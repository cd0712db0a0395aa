"""The automatic backup's own process: ``python -m bot.ops.backup_worker SOURCE TARGET``.

The bot takes its automatic backups here rather than in a thread of its own. The copy
is SQLite's C code with the GIL released, but after every step the copying thread
takes the GIL back from the event loop, and under load that costs the loop; run
beside a burst of pledges, a thread's backup cost the burst's p99 more than
``python -m bot backup`` in another process did (docs/PERFORMANCE.md). A child
process shares no GIL with the bot. It runs at a lower CPU priority, stops at the
next step on SIGTERM (removing its temporary file), and reports one JSON line on
stdout: the :class:`~bot.db.backup.Copied` fields, or ``reason`` and ``error``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from pathlib import Path

from bot.db.backup import BackupError, copy_database

NICENESS = 10


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())  # checked between steps
    try:
        copied = copy_database(source, target, cancel=stop)
    except BackupError as error:
        print(json.dumps({"reason": error.reason, "error": str(error)}), flush=True)
        return 1
    print(json.dumps({"path": str(copied.path), "schema_version": copied.schema_version,
                      "size_bytes": copied.size_bytes, "seconds": copied.seconds, "pages": copied.pages}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
