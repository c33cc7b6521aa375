"""The real national downloads shipped in data/national/ and the real default aggregates."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
NATIONAL = DATA / "national"

_ROW = re.compile(r"^\| `national/(?P<file>[^`]+)` \|(?P<cells>.*)\| `(?P<sha>[0-9a-f]{64})` \|$")


def provenance_table() -> dict[str, tuple[list[str], str]]:
    """file -> (cells publisher..copy-from, sha256), from data/README.md's provenance table."""
    rows = {}
    for line in (DATA / "README.md").read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            rows[m["file"]] = ([c.strip() for c in m["cells"].split("|")], m["sha"])
    return rows


def test_every_national_copy_is_listed_with_its_provenance() -> None:
    table = provenance_table()
    shipped = sorted(p.name for p in NATIONAL.iterdir() if p.is_file())
    assert shipped and sorted(table) == shipped
    for file, (cells, _) in table.items():
        publisher, release, licence, source = cells
        assert publisher and release, file
        assert licence == "Open Government Licence v3.0", file
        assert re.search(r"[\w-]+/[\w-]+ @ [0-9a-f]{40}", source), file


@pytest.mark.parametrize("file", sorted(provenance_table()))
def test_national_copy_is_byte_identical_to_the_table(file: str) -> None:
    digest = hashlib.sha256((NATIONAL / file).read_bytes()).hexdigest()
    assert digest == provenance_table()[file][1]


def test_national_copy_matches_the_shared_original_when_present() -> None:
    shared = ROOT.parent.parent / "shared" / "public-data"
    if not shared.is_dir():
        shared = ROOT.parents[1] / "shared" / "public-data"
    if not shared.is_dir():
        pytest.skip("the shared public-data folder is not beside this checkout")
    originals = {p.name: p for p in shared.rglob("*") if p.is_file()}
    for file in provenance_table():
        assert (NATIONAL / file).read_bytes() == originals[file].read_bytes(), file


def test_attribution_is_stated() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert ("Contains public sector information licensed under the Open Government Licence "
            "v3.0") in text
