"""The rehearsal end to end: a small Emmy night with the real bot against the stand-in, the bot in a
process of its own (as `make rehearse` runs it).

Each night runs at ×5000 (three hours of show in about two seconds) with ten
members, its feed going to pytest's captured (non-terminal) stdout.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main as bot_main
from bot.db.lock import DatabaseLock
from bot.rehearsal.bot_process import RehearsalBot
from bot.rehearsal.cli import main
from bot.rehearsal.ledger import ledger_from_log, read_log
from bot.rehearsal.outputs import Outputs
from bot.rehearsal.players import Players
from bot.rehearsal.script import Event
from bot.rehearsal.stage import EXPECTED_REFUSALS

SMALL = Path(__file__).with_name("small-ceremony.json")
FAST = ["--members", "10", "--speed", "5000"]


def rehearse(tmp_path: Path, *extra: str) -> tuple[int, Outputs]:
    database = tmp_path / "night" / "lounge.db"
    code = main(["--ceremony", str(SMALL), *FAST, "--database", str(database), *extra])
    return code, Outputs.beside(database)


def bot_totals(database: Path) -> tuple[int, dict[str, int]]:
    """Money raised tonight and each member's losses tonight, straight from the bot's database."""
    with sqlite3.connect(database) as connection:
        (ceremony_id,) = connection.execute("SELECT id FROM ceremonies WHERE is_current = 1").fetchone()
        (raised,) = connection.execute(
            "SELECT raised_cents FROM pledge_totals WHERE scope = ?", (ceremony_id,)
        ).fetchone()
        losses = dict(connection.execute(
            "SELECT m.display_name, t.losses FROM loss_totals t "
            "JOIN members m ON m.guild_id = t.guild_id AND m.user_id = t.user_id WHERE t.scope = ?",
            (ceremony_id,),
        ).fetchall())
    return raised, losses


def test_a_small_night_plays_through_and_adds_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, outputs = rehearse(tmp_path)
    printed = capsys.readouterr()
    assert code == 0, printed.out + printed.err

    ledger = ledger_from_log(outputs.events)
    raised, losses = bot_totals(outputs.database)
    assert raised == ledger.raised_cents > 0
    assert losses == ledger.losses
    assert ledger.logged == 4
    assert ledger.winners[2] == {0, 1}, "the tie in the file was logged with /result tie"

    entries = read_log(outputs.events)
    actions = [entry for entry in entries if entry["type"] == "action"]
    done = {entry["action"] for entry in actions if entry["outcome"] == "ok"}
    assert {"settings", "create", "import", "start", "join", "claim", "pick", "declare", "pledge", "result log",
            "result tie", "result undo", "end"} <= done
    refused = [entry for entry in actions if entry["outcome"] == "refused"]
    assert refused, "the night includes refusals (a nominee claimed twice)"
    assert all(entry["refusal"]["reason"] == EXPECTED_REFUSALS[entry["plan"]["why"]] for entry in refused), refused
    taken = [entry for entry in refused if entry["plan"]["why"] == "taken"]
    assert all(entry["refusal"]["facts"]["nominee"] for entry in taken)
    pledges = [entry for entry in actions if entry["action"] == "pledge" and entry["outcome"] == "ok"]
    assert all(entry["ack"]["amount_cents"] > 0 for entry in pledges)
    assert any(entry["options"].get("anonymous") for entry in pledges)
    assert any("note" in entry["options"] for entry in pledges)
    picks = [entry for entry in actions if entry["action"] == "pick"]
    assert all(entry["autocomplete"][0]["chosen"] for entry in picks), "picks go through autocomplete"

    announced = [entry for entry in entries if entry["type"] == "announcement"]
    titles = [embed["title"] for entry in announced for embed in entry["embeds"]]
    assert any(title.startswith("↩️ Correction") for title in titles)
    assert outputs.recap.read_bytes().startswith(b"\x89PNG")

    assert str(outputs.database) in printed.out
    assert str(outputs.recap) in printed.out
    assert "Biggest losers" in printed.out
    assert "Raised $" in printed.out
    assert "Traceback" not in printed.out + printed.err


def test_a_night_given_a_relative_folder_as_make_rehearse_does_plays_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # the bot's own process runs in that folder: its paths must not double
    code = main(["--ceremony", str(SMALL), *FAST, "--database", "rehearsal-out/lounge.db", "--quiet"])
    printed = capsys.readouterr()
    assert code == 0, printed.out + printed.err
    assert (tmp_path / "rehearsal-out" / "lounge.db").exists()
    assert not (tmp_path / "rehearsal-out" / "rehearsal-out").exists()


def test_the_same_seed_plays_the_same_night(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first_code, first = rehearse(tmp_path / "first", "--seed", "7", "--quiet")
    second_code, second = rehearse(tmp_path / "second", "--seed", "7", "--quiet")
    assert (first_code, second_code) == (0, 0), capsys.readouterr().out

    def night(outputs: Outputs) -> list[tuple[str, str, str]]:
        return [
            (entry["actor"], entry["action"], json.dumps(entry.get("plan"), sort_keys=True))
            for entry in read_log(outputs.events) if entry["type"] == "action"
        ]

    assert sorted(night(first)) == sorted(night(second))
    assert bot_totals(first.database) == bot_totals(second.database)


def test_a_missing_ceremony_file_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--ceremony", str(tmp_path / "nope.json"), "--database", str(tmp_path / "lounge.db")])
    printed = capsys.readouterr()
    assert code == 2
    assert printed.err.strip().splitlines() == [f"Can't rehearse: The ceremony file {str(tmp_path / 'nope.json')!r} "
                                                "doesn't exist."]
    assert not (tmp_path / "lounge.db").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"categories": [', "isn't valid JSON: line 1"),
        ('{"categories": {}}', "Field `categories` must be a list"),
        ('{"categories": [{"name": "Drama", "nominees": []}]}', "every category needs at least one nominee"),
        ("[1, 2]", 'must be an object with a "categories" list'),
    ],
)
def test_a_bad_ceremony_file_gives_the_bots_own_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, reason: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    code = main(["--ceremony", str(bad), "--database", str(tmp_path / "lounge.db")])
    printed = capsys.readouterr()
    assert code == 2
    lines = printed.err.strip().splitlines()
    assert len(lines) == 1, printed.err
    assert lines[0].startswith("Can't rehearse: bad.json: ")
    assert reason in lines[0]
    assert not (tmp_path / "lounge.db").exists()


def test_bad_arguments_are_refused_by_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--members", "0"]) == 2
    assert "--members: must be between 1 and 1000, not 0" in capsys.readouterr().err
    assert main(["--speed", "fast"]) == 2
    assert "--speed: 'fast' is not a number" in capsys.readouterr().err


def test_python_m_bot_rehearse_needs_no_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert bot_main(["rehearse", "--ceremony", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "doesn't exist" in err
    assert "DISCORD_TOKEN" not in err


def test_a_database_that_is_not_a_rehearsals_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "lounge.db"
    precious.write_bytes(b"the real lounge")
    code = main(["--ceremony", str(SMALL), *FAST, "--database", str(precious)])
    assert code == 2
    assert "isn't a rehearsal's database" in capsys.readouterr().err
    assert precious.read_bytes() == b"the real lounge"


def test_a_bot_that_cannot_start_stops_the_rehearsal_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "night" / "lounge.db"
    database.parent.mkdir()
    held = DatabaseLock.acquire(database, purpose="restore")  # another process holds the night's database
    try:
        code, outputs = rehearse(tmp_path)
    finally:
        held.release()
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(lines) == 1, lines
    # The bot's own sentence, as `python -m bot` prints it, and where its log is.
    assert lines[0].startswith(f"Rehearsal stopped: The bot could not start: DATABASE_PATH {str(database)!r} is in "
                               "use by")
    assert str(outputs.bot_log) in lines[0]


def test_a_bot_that_stops_mid_show_ends_the_rehearsal_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bots: list[RehearsalBot] = []
    start_bot, start_show = RehearsalBot.start, Players.start

    async def remember(self: RehearsalBot, *args: Any, **kwargs: Any) -> None:
        bots.append(self)
        await start_bot(self, *args, **kwargs)

    async def start_then_crash(self: Players, event: Event) -> None:
        await start_show(self, event)
        process = bots[0].process
        assert process is not None
        process.kill()  # the bot's machine gave up: kill -9
        await process.wait()

    monkeypatch.setattr(RehearsalBot, "start", remember)
    monkeypatch.setattr(Players, "start", start_then_crash)
    code, outputs = rehearse(tmp_path)
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert lines == [f"Rehearsal stopped: The bot stopped during the night: its process was killed (signal 9) "
                     f"(see {outputs.bot_log})."]
