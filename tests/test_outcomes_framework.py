"""The partnership's outcomes framework (data/outcomes_framework.csv) on the outcomes summary.

A framework row whose Fingertips export is in data/ shows the current value with its 95% CI,
rated against England with the indicator's polarity; a row without shows the figures the 2017
report published and what to download; the file matches the seed's table row for row.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ENGLAND, STAFFORDSHIRE, WEST_MIDLANDS
from test_fingertips_any import _row  # one builder of Fingertips export rows

from jsnalib.chapters import profiles
from jsnalib.chapters.profiles import figures
from jsnalib.chapters.profiles.analyse import FRAMEWORK_STATUSES, framework_comparison
from jsnalib.indicators import framework
from jsnalib.inputs.national.fingertips import HEADER
from jsnalib.inputs.readers import DataError, validate_dir

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
#: The local document the framework was transcribed from (kept beside the repository).
SEED_NAME = "003_2abd92fdb36e04f8.txt"
SEED_FIRST_LINE = 3075
POVERTY, LIFE = "10101", "90366"  # Fingertips indicator IDs
YEARS = [2016, 2017, 2018, 2019, 2020]


def _wilson(count: int, n: int) -> tuple[float, float, float]:
    p, z = count / n, 1.959964
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * p, 100 * (centre - half), 100 * (centre + half)


def _write(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def poverty_export() -> list[list[str]]:
    """Children in low-income families with counts: England 20%, region 22%, Staffordshire 15%
    (so better than England, the export calling it "Better" gives low is good)."""
    shares = {ENGLAND: (0.20, 9_000_000), WEST_MIDLANDS: (0.22, 1_000_000),
              STAFFORDSHIRE: (0.15, 140_000)}
    rows = []
    for area, (share, n) in shares.items():
        for year in YEARS:
            count = round(share * n)
            value, lower, upper = _wilson(count, n)
            words = "Not compared" if area == ENGLAND else (
                "Better" if upper < 20 else "Worse" if lower > 20 else "Similar")
            rows.append(_row(POVERTY, "Children in low income families (under 16s)", area,
                             str(year), value, lower, upper, count=str(count),
                             denominator=str(n), compared=words))
    return rows


def life_export() -> list[list[str]]:
    """Life expectancy by sex, no persons rows: Staffordshire's men 79.6 (similar to England's
    79.5), women 82.0 (below England's 83.1: worse)."""
    values = {ENGLAND: {"Male": 79.5, "Female": 83.1}, WEST_MIDLANDS: {"Male": 78.9,
                                                                       "Female": 82.8},
              STAFFORDSHIRE: {"Male": 79.6, "Female": 82.0}}
    rows = []
    for area, by_sex in values.items():
        for sex, value in by_sex.items():
            half = 0.05 if area == ENGLAND else 0.3
            words = "Not compared" if area == ENGLAND else (
                "Similar" if sex == "Male" else "Worse")
            rows.append(_row(LIFE, "Life expectancy at birth", area, "2018 - 20", value,
                             value - half, value + half, sex=sex, compared=words,
                             trend="Could not be calculated"))
    return rows


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The default data/ (linked) plus two Fingertips exports the framework names."""
    out = tmp_path_factory.mktemp("data")
    for item in DATA.iterdir():
        (out / item.name).symlink_to(item)
    _write(out / f"fingertips_{POVERTY}.csv", poverty_export())
    _write(out / f"fingertips_{LIFE}.csv", life_export())
    return out


@pytest.fixture(scope="module")
def inputs(folder) -> profiles.Inputs:
    return profiles.load(folder)


@pytest.fixture(scope="module")
def table(inputs, folder) -> pd.DataFrame:
    found = framework_comparison(inputs, folder)
    assert found is not None
    return found.set_index("number", drop=False)


def _seed() -> Path:
    for shared in (REPO.parent / "shared", REPO.parents[1] / "shared"):
        if (shared / "seeds" / SEED_NAME).is_file():
            return shared / "seeds" / SEED_NAME
    pytest.skip("the local seed documents are not beside this checkout")


# --- the file ---------------------------------------------------------------------------------


def test_the_framework_file_validates():
    found = framework.read_framework(DATA)
    assert found is not None and len(found) == found["number"].nunique()
    assert not [p for p in validate_dir(DATA) if p.file == framework.FRAMEWORK_FILE]
    assert set(found["stage"]) == set(profiles.text.FRAMEWORK_STAGE_TITLES)


def test_the_framework_has_every_row_of_the_seed_table():
    lines = _seed().read_text(encoding="utf-8").split("\n")
    pattern = re.compile(r"(\d\.\d+[a-z]?)\t(?:Yes|No)\t[^\t]*\t([^\t]*)\t([^\t]*)\t([^\t]*)\t")
    rows = [(i, m) for i, line in enumerate(lines[SEED_FIRST_LINE - 1:], start=SEED_FIRST_LINE)
            if (m := pattern.match(line))]
    found = framework.read_framework(DATA)
    assert len(found) == len(rows)
    for (line, match), (_, row) in zip(rows, found.iterrows(), strict=True):
        assert row["provenance"].endswith(f" line {line}")
        assert row["number"][:-1] == match[1][:-1]  # the repeated 3.10b is 3.10c here
        assert row["published_period"] == match[2].strip()
        for column, published in (("published_value", match[3]), ("published_england",
                                                                  match[4])):
            assert row[column] == pytest.approx(float(re.sub(r"[,%]", "", published)))


def test_a_bad_framework_row_is_named(tmp_path):
    for item in DATA.iterdir():
        if item.name != framework.FRAMEWORK_FILE:
            (tmp_path / item.name).symlink_to(item)
    text = (DATA / framework.FRAMEWORK_FILE).read_text(encoding="utf-8").split("\n")
    text[1] = text[1].replace(",overarching,", ",childhood,")
    text[2] = text[2].replace("Life expectancy at birth, females", "<b>Life expectancy</b>")
    (tmp_path / framework.FRAMEWORK_FILE).write_text("\n".join(text), encoding="utf-8")
    problems = [str(p) for p in validate_dir(tmp_path)]
    assert any(p.startswith("outcomes_framework.csv, row 2, column stage: 'childhood'")
               for p in problems), problems
    assert any(p.startswith("outcomes_framework.csv, row 3, column indicator") for p in problems)
    text = (DATA / framework.FRAMEWORK_FILE).read_text(encoding="utf-8").split("\n")
    text[8] = text[8].replace("infant_mortality", "infant_deaths")
    (tmp_path / framework.FRAMEWORK_FILE).write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(DataError, match=r"row 9, column book_indicator: 'infant_deaths'"):
        framework.read_framework(tmp_path)


# --- the comparison ---------------------------------------------------------------------------


def test_a_row_with_its_export_is_rated_with_its_ci(table):
    row = table.loc["2.1"]
    assert row["status"] == "current" and row["key"] == f"fingertips_{POVERTY}"
    assert row["period"] == "2020" and (row["count"], row["denominator"]) == (21_000, 140_000)
    value, lower, upper = _wilson(21_000, 140_000)
    assert (row["value"], row["lower"], row["upper"]) == pytest.approx((value, lower, upper),
                                                                      abs=1e-3)
    assert row["england"] == pytest.approx(20.0, abs=1e-3)
    assert row["region"] == pytest.approx(22.0, abs=1e-3)
    assert (row["polarity"], row["vs_england"], row["vs_region"]) == ("low_is_good", "better",
                                                                      "better")
    assert row["trend_direction"] == "no significant change"
    assert row["current_source"] == (f"OHID Fingertips, indicator {POVERTY} "
                                     f"(fingertips_{POVERTY}.csv), 2020")


def test_a_sex_specific_row_uses_that_sex(table):
    men, women = table.loc["1.1a"], table.loc["1.1b"]
    assert (men["status"], women["status"]) == ("current", "current")
    assert (men["value"], women["value"]) == pytest.approx((79.6, 82.0))
    assert (men["england"], women["england"]) == pytest.approx((79.5, 83.1))
    assert (men["vs_england"], women["vs_england"]) == ("similar", "worse")
    assert women["polarity"] == "high_is_good"
    assert women["trend_direction"] == "cannot be calculated"
    # persons-only rules of the Fingertips table leave the indicator out there
    assert f"fingertips_{LIFE}" not in set(table["key"])


def test_a_row_without_its_export_keeps_the_published_figures(table):
    row = table.loc["2.4a"]
    assert row["status"] == "not loaded" and np.isnan(row["value"])
    assert (row["published_period"], row["published_value"], row["published_england"],
            row["published_trend"]) == ("2015/16 Q1", 69.1, 73.8, "stable")
    assert table.loc["4.1", "status"] == "no fingertips"
    assert set(table["status"]) <= set(FRAMEWORK_STATUSES)


def test_the_book_computes_its_own_rows_without_any_export(inputs):
    found = framework_comparison(profiles.Inputs(inputs.data.__class__.load(DATA)), DATA)
    own = found[found["book_indicator"].notna()]
    assert list(own["key"]) == list(own["book_indicator"])
    assert (own["status"] == "current").all() and own["lower"].notna().all()
    assert (found.loc[found["book_indicator"].isna() & found["fingertips_id"].notna(),
                      "status"] == "not loaded").all()


# --- the page ---------------------------------------------------------------------------------


def test_the_tables_show_ratings_instructions_and_history(table):
    page = figures.framework_tables(table.reset_index(drop=True)).data
    assert page.count('<p class="jsna-caption">') == len(profiles.text.FRAMEWORK_STAGE_TITLES)
    assert page.count("<tr>") == len(table)  # body rows (a header row carries a style)
    start = int((table["stage"] == "start_well").sum())
    assert f"Start well: the outcomes framework&#x27;s {start} indicators for Staffordshire" \
        in page
    assert ("Not loaded: download indicator 20201 from Fingertips as CSV and drop it into "
            "data/ as fingertips_20201.csv") in page
    assert "No Fingertips indicator; source: Staffordshire County Council residents survey" \
        in page
    assert "4.9 (England 3.9), 2013-2015, stable" in page
    assert "83.0 (England 83.1), 2013-2015, stable" in page  # decimals as published
    value, lower, upper = _wilson(21_000, 140_000)
    assert f"{value:.1f}<br>({lower:.1f} to {upper:.1f})" in page
    assert 'class="jsna-rating jsna-rating-better"' in page
    assert 'class="jsna-rating jsna-rating-worse"' in page


def test_nothing_from_the_data_is_read_as_markup(table):
    hostile = table.reset_index(drop=True).copy()
    hostile.loc[0, "indicator"] = '<img src=x onerror="alert(1)">'
    hostile.loc[1, "current_source"] = "<script>alert(1)</script>"
    hostile.loc[5, "source"] = "a & b <i>"
    page = figures.framework_tables(hostile).data
    assert "<img" not in page and "<script" not in page and "<i>" not in page
    assert "&lt;img src=x onerror=" in page
    assert "&lt;script&gt;" in page


def test_without_a_framework_file_the_page_says_how_to_add_one(tmp_path):
    assert framework.read_framework(tmp_path) is None
    assert "add outcomes_framework.csv" in figures.framework_tables(None).data


def test_the_summary_notebook_shows_the_framework():
    import json

    cells = json.loads((REPO / "notebooks" / "outcomes_summary.ipynb").read_text("utf-8"))
    sources = ["".join(c["source"]) for c in cells["cells"] if c["cell_type"] == "code"]
    assert "chapter.figures.outcomes_framework(inputs, data_dir, confidence)" in sources
    runs = (REPO / "notebooks" / "runs.yml").read_text(encoding="utf-8")
    summary = runs[runs.index("outcomes_summary.ipynb"):].split("- template:")[0]
    assert "outcomes_framework.csv" in summary

