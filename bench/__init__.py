"""Benchmarks of issue 7: scripts that print their figures (never timed assertions in the tests).

Run one with ``.venv/bin/python -m bench.<name> [--quick]``, or all with ``make bench``;
see bench/README.md and docs/PERFORMANCE.md.
"""
