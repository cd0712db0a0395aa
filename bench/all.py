"""Run every benchmark of issues 7 and 17 in turn (``make bench``), then print their summaries together.

    .venv/bin/python -m bench.all [--quick] [--only NAME ...]

Each benchmark runs in its own interpreter, one after the other (never two at once:
they would measure each other). The big database is built once into a fresh
temporary folder (``LOUNGE_BENCH_CACHE``, removed at the end) and shared by the
leaderboard and the memory benchmarks; set ``LOUNGE_BENCH_CACHE`` yourself to keep
it between invocations. First, ``bench.dataset --verify`` checks that the bulk
build holds exactly what the bot would have written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from bench.common import REPO, print_machine

STEPS: tuple[tuple[str, list[str]], ...] = (
    ("dataset", ["--verify"]),
    ("storage", []),
    ("burst", []),
    ("floor", []),
    ("result_at_scale", []),
    ("leaderboard", []),
    ("startup_memory", []),
)


def run_step(name: str, arguments: list[str], env: dict[str, str]) -> tuple[int, str, float]:
    command = [sys.executable, "-m", f"bench.{name}", *arguments]
    print(f"\n######## {' '.join(['.venv/bin/python', *command[1:]])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module names
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return process.wait(), "".join(lines), time.perf_counter() - started


def summaries(output: str) -> str:
    """The closing ``== title ==`` block each benchmark prints."""
    start = output.rfind("\n== ")
    return output[start + 1:].rstrip() if start >= 0 else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every benchmark at its smaller sizes")
    parser.add_argument("--only", nargs="*", choices=[name for name, _ in STEPS], help="run just these")
    args = parser.parse_args()
    chosen = [(name, extra) for name, extra in STEPS if not args.only or name in args.only]
    print_machine()
    own_cache = "LOUNGE_BENCH_CACHE" not in os.environ
    with tempfile.TemporaryDirectory(prefix="lounge-bench-cache-") as folder:
        env = dict(os.environ)
        if own_cache:
            env["LOUNGE_BENCH_CACHE"] = folder
        results = []
        for name, extra in chosen:
            arguments = [*extra, *(["--quick"] if args.quick and name != "dataset" else [])]
            results.append((name, *run_step(name, arguments, env)))
    print("\n\n######## all summaries")
    failed = [name for name, code, _output, _seconds in results if code != 0]
    for name, code, output, seconds in results:
        print(f"\n[{name}: exit {code}, {seconds:.0f} s]")
        print(summaries(output) or output[-1500:])
    if failed:
        print(f"\nFAILED to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
