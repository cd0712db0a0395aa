"""The ready-made ceremonies: every Emmy year the bot ships, found by year or name,
read within the import's limits, and never with their winners."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from bot.domain.ceremonies import presets
from bot.domain.ceremonies.files import MAX_CATEGORIES, MAX_NAME, MAX_NOMINEES_PER_CATEGORY, parse_ceremony_file
from bot.domain.errors import InvalidInput
from tests.paths import REPOSITORY, TEST_DATA

DATA = REPOSITORY / "bot" / "data"
SHIPPED_SHA256 = {
    "emmys-all.csv.gz": "ed7552786c22da57a38b4a0c367b7540a1b033b86f389b64a0464dd5450546c0",
    "emmys-2013.json.gz": "2d0eb57829468cc38061e2f7f0577d1a7732236cd419e00d20d0c041571c210c",
    "emmys-2014.json": "7a26baab5e4af9255757a48bd33295182b599495f5439c6c7df5a9229e2dc24d",
}


def test_the_shipped_files_are_the_data_sets_files_unchanged() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name, digest in SHIPPED_SHA256.items():
        raw = (DATA / name).read_bytes()
        unpacked = gzip.decompress(raw) if name.endswith(".gz") else raw
        assert hashlib.sha256(unpacked).hexdigest() == digest, name
        assert digest in readme
        assert f"{len(raw):,} bytes" in readme, name
    assert gzip.decompress((DATA / "emmys-2013.json.gz").read_bytes()) == (TEST_DATA / "emmys-2013.json").read_bytes()


def test_every_year_from_1949_to_2019_is_a_preset_and_2013_and_2014_also_come_as_full_files() -> None:
    catalogue = presets.catalogue()
    table_years = [p.year for p in catalogue if p.key.startswith(presets.TABLE_PREFIX)]
    assert table_years == list(range(2019, 1948, -1))
    assert [(p.year, p.key) for p in catalogue if not p.key.startswith(presets.TABLE_PREFIX)] == [
        (2014, "emmys-2014.json"), (2013, "emmys-2013.json.gz")]
    assert len({p.key for p in catalogue}) == len(catalogue) == 73
    assert all(len(p.title) <= 100 and len(p.key) <= 100 for p in catalogue)  # Discord's limits for a choice
    assert presets.ceremony_name(1949) == "1st Primetime Emmy Awards"
    assert presets.ceremony_name(2013) == "65th Primetime Emmy Awards"
    assert presets.ceremony_name(1960) == "12th Primetime Emmy Awards"
    assert [presets.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 71)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "71st"]


def test_presets_are_suggested_by_year_and_by_name() -> None:
    assert [p.key for p in presets.suggestions("1975")] == ["emmys-all:1975"]
    assert [p.key for p in presets.suggestions("66th")] == ["emmys-2014.json", "emmys-all:2014"]
    assert [p.key for p in presets.suggestions("2013 FULL")] == ["emmys-2013.json.gz"]
    assert len(presets.suggestions("")) == presets.MAX_SUGGESTIONS
    assert presets.suggestions("Golden Globes") == []
    assert presets.find("2014").key == "emmys-2014.json"  # a bare year: the richest preset of that year
    assert presets.find(" emmys-all:1975 ").year == 1975
    assert presets.find(presets.find("1999").title).key == "emmys-all:1999"


def test_every_preset_reads_within_the_import_limits_with_labels_that_tell_twins_apart() -> None:
    for preset in presets.catalogue():
        parsed = presets.load(preset)
        assert 1 <= len(parsed.categories) <= MAX_CATEGORIES, preset.key
        assert len({c.name.casefold() for c in parsed.categories}) == len(parsed.categories), preset.key
        for category in parsed.categories:
            assert 1 <= len(category.nominees) <= MAX_NOMINEES_PER_CATEGORY, (preset.key, category.name)
            labels = [n.label.casefold() for n in category.nominees]
            assert len(set(labels)) == len(labels), (preset.key, category.name)
            assert all(len(n.name) <= MAX_NAME and len(n.show or "") <= MAX_NAME for n in category.nominees)
    seventy_five = presets.load(presets.find("emmys-all:1975"))
    supporting = [c for c in seventy_five.categories if "supporting actress in a comedy or drama special" in
                  c.name.casefold()]
    assert [len(c.nominees) for c in supporting] == [4]  # one category spelled two ways in the table
    playhouse = next(c for c in presets.load(presets.find("emmys-all:1959")).categories
                     if c.name == "BEST LIVE CAMERA WORK")
    assert [n.label for n in playhouse.nominees if n.name == "Playhouse 90"] == [
        "Playhouse 90 #1", "Playhouse 90 #2", "Playhouse 90 #3"]
    debris = presets.load(presets.find("emmys-all:1974"))
    assert any(n.show == "It's Good to be Alive GE Theater" for c in debris.categories for n in c.nominees)


def test_the_full_files_keep_their_telecast_flags_and_episodes() -> None:
    for year in (2013, 2014):
        parsed = presets.load(presets.find(str(year)))
        assert sum(c.telecast for c in parsed.categories) == 26
        assert parsed.categories[0].telecast
    assert presets.load(presets.find("2014")) == parse_ceremony_file((TEST_DATA / "emmys-2014.json").read_bytes(),
                                                                      "emmys-2014.json")


def test_a_telecast_flag_that_is_not_true_or_false_is_refused() -> None:
    document = {"categories": [{"name": "A", "telecast": "yes", "nominees": [{"name": "x"}]}]}
    with pytest.raises(InvalidInput) as caught:
        parse_ceremony_file(json.dumps(document).encode(), "x.json")
    assert (caught.value.reason, caught.value.facts["field"]) == ("wrong_type", "categories[0].telecast")
