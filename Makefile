# Two commands for a new user: `make run` and `make test`. Everything lives in .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint rehearse bench backup doctor clean

run: $(VENV)/.installed-run
	$(PY) -m bot

rehearse: $(VENV)/.installed-run
	$(PY) -m bot rehearse --ceremony bot/data/emmys-2014.json --members 100

# A checked copy of the database while the bot runs: data/backups/lounge-YYYYMMDD-HHMMSS.db, or `make backup ARGS=PATH`.
backup: $(VENV)/.installed-run
	$(PY) -m bot backup $(ARGS)

# Before the show: the token, the commands, and every server's channels, permissions and role order.
doctor: $(VENV)/.installed-run
	$(PY) -m bot doctor

test: $(VENV)/.installed-test
	$(PY) -m pytest

# The five benchmarks of issue 7 (a few minutes; run on an idle machine). `make bench ARGS=--quick` for a smoke run.
bench: $(VENV)/.installed-run
	$(PY) -m bench.all $(ARGS)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m mypy

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable ".[test]"
	touch $@ $(VENV)/.installed-run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
