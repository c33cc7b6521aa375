"""Any council's book, real where public and honest where not (issue 14).

For each home-authority set, a copy of the project is set up with `jsna init CODE...`, the
record-level extracts (referrals.csv.gz, ncmp.csv.gz) are removed, and the home authorities'
profile pages are executed with `jsna run --only ...`. The pages must show each authority's real
DfE re-referral figure for 2024-25 (count, denominator and 95% CI; the expected values are read
from the national download as published) and its real statistical neighbours, and nothing about
the other councils. For Leeds the re-referral and obesity pages run too: they say what is missing
in place of every record-based section. Unit tests beside them cover validation and the
indicators when the extracts are absent or hold other councils' records.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, copy_project

from jsnalib.build import cli, init
from jsnalib.build.pipeline import slugify
from jsnalib.indicators import IndicatorData
from jsnalib.inputs.readers import (
    clear_cache,
    load_geography,
    read_cin_census,
    record_notes,
    validate_dir,
)
from jsnalib.methods import stats

NATIONAL = REPO / "data" / "national"
C1 = NATIONAL / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
RECORDS = ("referrals.csv.gz", "ncmp.csv.gz")
#: The home-authority sets of the issue: Leeds, Kent, Cumberland and the current pair.
CASES = {"leeds": ["E08000035"], "kent": ["E10000016"], "cumberland": ["E06000063"],
         "staffordshire-and-stoke": ["E10000028", "E06000021"]}


def published_2025(code: str) -> pd.Series:
    """The authority's 2024-25 row of the DfE C1 download, as published."""
    c1 = pd.read_csv(C1, dtype=str, keep_default_na=False)
    rows = c1[(c1["time_period"] == "2025") & (c1["geographic_level"] == "Local authority")
              & (c1["new_la_code"] == code)]
    assert len(rows) == 1
    return rows.iloc[0]


def home_names() -> dict[str, str]:
    """Every case's home authorities by code, named as DfE publishes them."""
    return {code: published_2025(code)["la_name"] for codes in CASES.values() for code in codes}


def page_text(notebook: Path) -> str:
    """Everything an executed page shows: its Markdown cells and every output (HTML, Markdown,
    plain text); fails on an error output."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", (notebook.name, out.get("evalue"))
            for kind in ("text/html", "text/markdown", "text/plain"):
                if kind in out.get("data", {}):
                    parts.append("".join(out["data"][kind]))
    return "\n".join(parts)


def jsna(root: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "jsnalib.build.cli", *args], cwd=root,
                          capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def council(request, tmp_path_factory) -> tuple[str, Path, dict[str, str]]:
    """(case, project copy, {run name: page text}) after `jsna init` with no record extracts:
    the home authorities' profiles (and Leeds's re-referral and obesity pages) executed."""
    case = request.param
    root = copy_project(tmp_path_factory.mktemp(case) / "book")
    for name in RECORDS:
        (root / "data" / name).unlink()
    assert cli.main(["init", "--no-synthetic", "--root", str(root), *CASES[case]]) == 0
    geography = load_geography(root / "data")
    slugs = [slugify(geography.name(code)) for code in CASES[case]]
    runs = [f"profile_{slug}" for slug in slugs]
    if case == "leeds":
        runs += [f"rereferral_{slugs[0]}", f"obesity_{slugs[0]}"]
    jsna(root, "run", "--quiet", "--only", *runs)
    pages = {run: page_text(root / "book" / "generated" / f"{run}.ipynb") for run in runs}
    return case, root, pages


def test_profiles_show_the_real_dfe_figure_and_neighbours_and_no_other_council(council):
    case, root, pages = council
    geography = load_geography(root / "data")
    others = {code: name for code, name in home_names().items() if code not in CASES[case]}
    for code in CASES[case]:
        page = pages[f"profile_{slugify(geography.name(code))}"]
        row = published_2025(code)
        count, total = int(row["rereferral_count"]), int(row["referral_count"])
        ci = stats.proportion(count, total, multiplier=100).iloc[0]
        # the headline line of the indicator: value as DfE publishes it, its CI, count, total
        line = next(li for li in page.splitlines()
                    if li.startswith("- **Re-referrals to children's social care"))
        assert "2024-25" in line
        assert f"{float(row['rereferral_percent']):.1f}% of referrals" in line
        assert f"95% CI {ci['lower']:.1f} to {ci['upper']:.1f}" in line
        assert f"{count:,} re-referrals out of {total:,} referrals" in line
        neighbours = geography.neighbours(code)
        assert len(neighbours) == 10
        for rank, neighbour in enumerate(neighbours, start=1):
            name = geography.name(neighbour).replace("&", "&amp;")
            assert f"<td>{rank}. {name}</td>" in page
        named = {geography.name(c) for c in neighbours}
        for other in others.values():
            if other not in named:
                assert not re.search(rf"\b{re.escape(other)}\b", page), (code, other)


def test_pages_say_what_is_missing_in_place_of_each_record_based_section(council):
    case, _, pages = council
    if case != "leeds":
        pytest.skip("the re-referral and obesity pages run for Leeds only")
    profile, rereferral, obesity = (pages[f"{kind}_leeds"]
                                    for kind in ("profile", "rereferral", "obesity"))
    assert "`data/ncmp.csv.gz` has no records for Leeds" in profile
    assert "**Not shown: National Child Measurement Programme records for Leeds.**" in profile
    assert "pupil_id, academic_year, school_year" in profile and "data/README.md" in profile
    # the re-referral page: the DfE series and benchmarks, then a notice per record section
    row = published_2025("E08000035")
    assert f"and {float(row['rereferral_percent']):.1f}% (95% CI" in rereferral
    assert "as the Department for Education publishes them" in rereferral
    for section in ("re-referrals counted from the council's own referral records",
                    "the trend adjusted for who made the referral", "the monthly control chart",
                    "how soon children are referred again"):
        assert f"**Not shown for Leeds: {section}.**" in rereferral
    assert "referral_id, child_id, referral_date, area_code, source, outcome" in rereferral
    assert 'id="fig-rereferral-trend"' in rereferral and 'id="fig-rereferral-funnel"' in rereferral
    for record_based in ("rereferral-spc", "rereferral-time", "rereferral-odds-ratios",
                         "rereferral-sources"):
        assert f'-{record_based}"' not in rereferral
    assert obesity.count("**Not shown for Leeds:") == 8  # every section, and What this means
    assert 'class="jsna-figure"' not in obesity and "jsna-table-wrap" not in obesity


# ----------------------------------------------------------------------------------------------
# validation and the indicators without the home authority's records


@pytest.fixture
def leeds_data(tmp_path) -> Path:
    """A data folder set up for Leeds that still holds the default (other councils') record
    extracts."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("national", "boundaries"))
    (data / "national").symlink_to(NATIONAL, target_is_directory=True)
    # the record files are left as they are (not made again for Leeds): other councils' rows
    init.init_project(tmp_path, ["E08000035"], synthetic=None)
    clear_cache()
    return data


def test_validation_accepts_absent_extracts_and_other_councils_records(leeds_data):
    assert [str(p) for p in validate_dir(leeds_data)] == []
    notes = record_notes(leeds_data)
    assert notes[0].startswith("referrals.csv.gz has no rows for E08000035 (Leeds)")
    assert "rows are for areas outside this JSNA (E06000021, E10000028)" in notes[1]
    for name in RECORDS:
        (leeds_data / name).unlink()
    assert [str(p) for p in validate_dir(leeds_data)] == []
    notes = record_notes(leeds_data)
    assert [n.split(" ")[0] for n in notes] == list(RECORDS)
    assert all("is absent" in n and "data/README.md" in n for n in notes)


def test_validation_is_still_strict_about_malformed_records(leeds_data):
    header = "referral_id,child_id,referral_date,area_code,source,outcome"
    (leeds_data / "referrals.csv.gz").unlink()
    (leeds_data / "referrals.csv").write_text(
        f"{header}\nR1,C1,2020-05-01,E08000035,school,child_in_need\n"
        "R2,C2,2020-05-02,e08000035,school,child_in_need\n"
        "R3,C3,2020-05-03,E06000099,school,child_in_need\n"
        "R4,C4,2020-05-04,E12000003,school,child_in_need\n", encoding="utf-8")
    found = [str(p) for p in validate_dir(leeds_data)]
    assert any("row 3, column area_code: 'e08000035' is not an ONS area code" in p for p in found)
    assert any("row 4, column area_code: 'E06000099' is not an area code in areas.csv" in p
               for p in found)
    assert any("row 5, column area_code: 'E12000003' (Yorkshire and The Humber) is a region, "
               "not a children's-services authority" in p for p in found)
    assert len(found) == 3


def test_indicators_never_use_another_councils_records(leeds_data):
    data = IndicatorData.load(leeds_data)
    assert not data.referrals["from_records"].any() and not data.ncmp["from_records"].any()
    census = read_cin_census(leeds_data / "cin_census.csv")
    staffs = data.referrals[data.referrals["area_code"] == "E10000028"].set_index(
        "financial_year")["referrals"]
    published = census[census["area_code"] == "E10000028"].set_index("financial_year")[
        "referrals"]
    assert (staffs == published.reindex(staffs.index).astype(float)).all()
