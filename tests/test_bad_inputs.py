"""The bad-input corpus: every malformed file gives its exact, one-line message (manifest)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from jsnalib.inputs import readers as data
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.readers import load_geography

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))
TODAY = date(2024, 6, 30)


@pytest.fixture(scope="module")
def geography() -> Geography:
    return load_geography(REPO / "data")


def read(entry: dict, geography: Geography):
    reader = data.READERS[entry["contract"]]
    kwargs = {}
    if entry["contract"] not in ("areas", "fingertips"):
        kwargs["areas"] = geography
    if entry["contract"] not in ("areas", "neighbours"):
        kwargs["today"] = TODAY
    return reader(CORPUS / entry["file"], **kwargs)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_bad_file_gives_its_message(entry, geography):
    before = {p.name: p.stat().st_mtime_ns for p in CORPUS.iterdir()}
    with pytest.raises(data.DataError) as caught:
        read(entry, geography)
    found = [str(p) for p in caught.value.problems]
    for message in entry["messages"]:
        assert message in found, f"{message}\nnot among:\n" + "\n".join(found)
        assert message in str(caught.value)
    assert len(found) == len(entry["messages"]), "unexpected extra problems:\n" + "\n".join(found)
    for line in found:
        assert "\n" not in line and line.startswith(entry["file"])
    assert {p.name: p.stat().st_mtime_ns for p in CORPUS.iterdir()} == before  # writes nothing


def test_manifest_covers_the_whole_corpus():
    files = sorted(p.name for p in CORPUS.iterdir() if p.name != "expected.yml")
    assert sorted(e["file"] for e in MANIFEST) == files
    assert len(files) >= 25
    assert {e["contract"] for e in MANIFEST} == set(data.READERS)


def test_messages_name_row_and_column_where_they_exist():
    cell_level = [m for e in MANIFEST for m in e["messages"] if ", column " in m]
    assert len(cell_level) >= 30
    for message in cell_level:
        assert ", row " in message and "; expected " in message
