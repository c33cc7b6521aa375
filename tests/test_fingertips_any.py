"""Any Fingertips export dropped into data/ becomes indicators of the profiles and the summary.

Two constructed exports in the published shapes sit beside the default data: a modern one (27
columns, England listed twice, a category breakdown and a male row to ignore) of a percentage
with counts, whose polarity comes from its "Compared to England" words; and an old one (26
header names, 25 fields a row) of a rate without counts, not covering Staffordshire, whose
polarity comes from data/indicator_polarity.csv and whose trend is the export's own.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ENGLAND, STAFFORDSHIRE, STOKE, WEST_MIDLANDS

from jsnalib.chapters import profiles
from jsnalib.chapters.profiles import figures, text
from jsnalib.indicators import fingertips, load_with_exports
from jsnalib.inputs.national.fingertips import HEADER
from jsnalib.inputs.readers import DataError, validate_dir

REPO = Path(__file__).resolve().parents[1]
MODERN = list(HEADER)
MODERN[22] = "Compared to Region value or percentiles"
OLD = list(HEADER[:26])
OLD[22] = "Compared to Region value or percentiles"
NAMES = {ENGLAND: ("England", ""), WEST_MIDLANDS: ("West Midlands region", ENGLAND),
         STAFFORDSHIRE: ("Staffordshire", WEST_MIDLANDS), STOKE: ("Stoke-on-Trent", WEST_MIDLANDS)}


def _row(number: str, name: str, area: str, period: str, value: float, lower: float,
         upper: float, count: str = "", denominator: str = "", compared: str = "",
         trend: str = "", sex: str = "Persons", category: tuple[str, str] = ("", "")) -> list[str]:
    area_name, parent = NAMES[area]
    fields = {h: "" for h in HEADER}
    fields.update({
        "Indicator ID": number, "Indicator Name": name, "Parent Code": parent,
        "Parent Name": NAMES.get(parent, ("", ""))[0], "Area Code": area, "Area Name": area_name,
        "Area Type": "Counties & UAs (from Apr 2023)", "Sex": sex, "Age": "All ages",
        "Category Type": category[0], "Category": category[1], "Time period": period,
        "Value": f"{value:.4f}", "Lower CI 95.0 limit": f"{lower:.4f}",
        "Upper CI 95.0 limit": f"{upper:.4f}", "Lower CI 99.8 limit": f"{lower - 1:.4f}",
        "Upper CI 99.8 limit": f"{upper + 1:.4f}", "Count": count, "Denominator": denominator,
        "Recent Trend": trend, "Compared to England value or percentiles": compared,
        "Compared to percentiles": "Not compared", "Time period Sortable": period[:4] + "0000",
        "Time period range": "1y"})
    return [fields[h] for h in HEADER]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row[:len(header) - (1 if len(header) == 26 else 0)])
    path.write_text(buf.getvalue(), encoding="utf-8")


def _wilson(count: int, n: int) -> tuple[float, float, float]:
    p, z = count / n, 1.959964
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * p, 100 * (centre - half), 100 * (centre + half)


GOOD_START = "90001"
GOOD_NAME = "Children achieving a good level of development"
RATE = "90002"
RATE_NAME = "Hospital admissions for asthma, rate per 100,000"
#: Percentages with counts: England 70%, region 68%, Staffordshire 72% and Stoke rising to 60%.
SHARES = {ENGLAND: ([0.70] * 5, 600_000), WEST_MIDLANDS: ([0.68] * 5, 65_000),
          STAFFORDSHIRE: ([0.72] * 5, 9_000), STOKE: ([0.50, 0.53, 0.56, 0.58, 0.60], 3_000)}
YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2018, 2023)]


def modern_export() -> list[list[str]]:
    rows = []
    for area, (shares, n) in SHARES.items():
        for share, period in zip(shares, YEARS, strict=True):
            count = round(share * n)
            value, lower, upper = _wilson(count, n)
            words = ("Not compared" if area == ENGLAND else
                     "Better" if lower > 70 else "Worse" if upper < 70 else "Similar")
            rows.append(_row(GOOD_START, GOOD_NAME, area, period, value, lower, upper,
                             str(count), str(n), words))
            if area == ENGLAND:  # listed twice, as real exports do
                twin = _row(GOOD_START, GOOD_NAME, area, period, value, lower, upper,
                            str(count), str(n), words)
                twin[2], twin[3] = ENGLAND, "England"
                rows.append(twin)
    # left out: a category breakdown and a sex
    rows.append(_row(GOOD_START, GOOD_NAME, STOKE, YEARS[-1], 20.0, 15.0, 25.0, "10", "50",
                     "Worse", category=("Deprivation deciles", "Most deprived decile")))
    rows.append(_row(GOOD_START, GOOD_NAME, STOKE, YEARS[-1], 99.0, 98.0, 99.5, "99", "100",
                     "Better", sex="Male"))
    return rows


def old_export() -> list[list[str]]:
    """A rate without counts; no Staffordshire rows; the comparison column says nothing."""
    values = {ENGLAND: 300.0, WEST_MIDLANDS: 310.0, STOKE: 250.0}
    return [_row(RATE, RATE_NAME, area, str(year), value, value - 20 + (15 if area == ENGLAND
                                                                        else 0),
                 value + 20 - (15 if area == ENGLAND else 0), compared="Not compared",
                 trend="Decreasing and getting better" if area == STOKE else "")
            for area, value in values.items() for year in (2021, 2022, 2023)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The default data/ (linked) plus the two exports and a polarity table."""
    out = tmp_path_factory.mktemp("data")
    for item in (REPO / "data").iterdir():
        (out / item.name).symlink_to(item)
    _write(out / "fingertips_development.csv", MODERN, modern_export())
    _write(out / "fingertips_asthma_old.csv", OLD, old_export())
    (out / "indicator_polarity.csv").write_text(
        f"indicator_id,polarity,note\n{RATE},low_is_good,fewer admissions are better\n",
        encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def inputs(folder) -> profiles.Inputs:
    return profiles.load(folder)


def one(compared: pd.DataFrame, area: str, key: str) -> pd.Series:
    match = compared[(compared["area_code"] == area) & (compared["indicator"] == key)]
    assert len(match) == 1, (area, key, len(match))
    return match.iloc[0]


def test_default_data_adds_no_indicator():
    data = load_with_exports(REPO / "data")
    assert data.extra == ()
    assert fingertips.export_files(REPO / "data") == []


def test_each_export_becomes_one_indicator(inputs):
    extra = {item.key: item for item in inputs.data.extra}
    assert sorted(extra) == [f"fingertips_{GOOD_START}", f"fingertips_{RATE}"]
    good, rate = extra[f"fingertips_{GOOD_START}"], extra[f"fingertips_{RATE}"]
    assert (good.unit, good.kind, good.multiplier, good.polarity) == ("%", "proportion", 100,
                                                                      "high_is_good")
    assert (rate.unit, rate.kind, rate.polarity) == ("per 100,000", "rate", "low_is_good")
    assert good.source == f"OHID Fingertips, indicator {GOOD_START} (fingertips_development.csv)"


def test_profile_rates_the_percentage_with_counts(inputs):
    compared = profiles.analyse(inputs, [STOKE]).compared
    row = one(compared, STOKE, f"fingertips_{GOOD_START}")
    assert row["period"] == YEARS[-1]
    assert (row["count"], row["denominator"]) == (1_800, 3_000)
    assert row["value"] == pytest.approx(60.0, abs=1e-3)
    assert row["england"] == pytest.approx(70.0, abs=1e-3)
    assert row["region"] == pytest.approx(68.0, abs=1e-3)
    assert (row["vs_england"], row["vs_region"]) == ("worse", "worse")
    assert (row["trend_test"], row["trend_direction"]) == ("tested", "increasing")
    assert row["source"] == (f"OHID Fingertips, indicator {GOOD_START} "
                             f"(fingertips_development.csv), {YEARS[-1]}")


def test_profile_rates_the_rate_without_counts_with_the_table_polarity(inputs):
    compared = profiles.analyse(inputs, [STOKE]).compared
    row = one(compared, STOKE, f"fingertips_{RATE}")
    assert row["period"] == "2023" and np.isnan(row["count"])
    assert (row["vs_england"], row["vs_region"]) == ("better", "better")
    assert (row["trend_test"], row["trend_direction"]) == ("published", "decreasing")


def test_areas_the_export_does_not_cover_get_no_row(inputs):
    compared = profiles.analyse(inputs, [STAFFORDSHIRE]).compared
    assert f"fingertips_{RATE}" not in set(compared["indicator"])
    row = one(compared, STAFFORDSHIRE, f"fingertips_{GOOD_START}")
    assert row["vs_england"] == "better"
    assert row["trend_direction"] == "no significant change"


def test_the_book_indicators_are_unchanged_by_the_exports(inputs):
    plain = profiles.analyse(profiles.Inputs(inputs.data.__class__.load(REPO / "data")),
                             [STOKE]).compared
    with_exports = profiles.analyse(inputs, [STOKE]).compared
    same = with_exports[with_exports["publisher"] == ""].reset_index(drop=True)
    pd.testing.assert_frame_equal(same[plain.columns], plain)


def test_summary_has_a_third_table_with_sources(inputs):
    results = profiles.analyse(inputs)
    table = figures.fingertips_table(results).data
    assert "Other indicators from Fingertips" in table
    assert GOOD_NAME in table and RATE_NAME in table
    assert f"OHID Fingertips, indicator {RATE} (fingertips_asthma_old.csv), 2023" in table
    rows = results.compared[results.compared["publisher"] != ""]
    covered = set(rows.loc[rows["indicator"] == f"fingertips_{RATE}", "area_code"])
    assert covered == {ENGLAND, WEST_MIDLANDS, STOKE}
    assert figures.fingertips_indicators(results) == (f"fingertips_{GOOD_START}",
                                                      f"fingertips_{RATE}")


def test_profile_words_and_table_name_the_source(inputs):
    results = profiles.analyse(inputs, [STOKE])
    words = text.headline(results)
    assert f"Source: OHID Fingertips, indicator {RATE} (fingertips_asthma_old.csv), 2023." in words
    assert "The publisher reports a significant recent falling trend (getting better)." in words
    assert "1,800 (count) out of 3,000 (denominator)" in words
    assert "Source: OHID Fingertips" in figures.profile_table(results).data
    assert "Of the 7 indicators rated" in words  # 5 of the book's, both exports'


@pytest.mark.parametrize(("words", "stoke", "polarity"), [
    (("Worse", "Better"), 60.0, "high_is_good"),
    (("Better", "Worse"), 60.0, "low_is_good"),
    (("Lower", "Higher"), 60.0, "no_judgement"),
    (("Similar", "Similar"), 60.0, None),
])
def test_polarity_from_the_comparison_column(words, stoke, polarity):
    rows = pd.DataFrame({"area_code": [ENGLAND, STOKE, STAFFORDSHIRE], "period": "2023",
                         "value": [70.0, stoke, 75.0],
                         "compared_to_england": ["Not compared", *words]})
    assert fingertips.polarity_from_comparison(rows, "E92000001") == polarity


def test_validate_accepts_real_exports_and_names_problems(folder, tmp_path):
    assert not [p for p in validate_dir(folder) if p.file.startswith(("fingertips_",
                                                                      "indicator_polarity"))]
    for item in folder.iterdir():
        (tmp_path / item.name).symlink_to(item.resolve())
    (tmp_path / "fingertips_asthma_old.csv").unlink()
    rows = old_export()
    rows[1][12] = "12,5"
    _write(tmp_path / "fingertips_asthma_old.csv", OLD, rows)
    (tmp_path / "indicator_polarity.csv").unlink()
    (tmp_path / "indicator_polarity.csv").write_text("indicator_id,polarity\n90002,lower\n",
                                                     encoding="utf-8")
    problems = {p.file: p for p in validate_dir(tmp_path)
                if p.file.startswith(("fingertips_", "indicator_polarity"))}
    assert set(problems) == {"fingertips_asthma_old.csv", "indicator_polarity.csv"}
    bad = problems["fingertips_asthma_old.csv"]
    assert (bad.row, bad.column, bad.value) == (3, "Value", "12,5")
    assert problems["indicator_polarity.csv"].column == "polarity"
    with pytest.raises(DataError, match="fingertips_asthma_old.csv"):
        load_with_exports(tmp_path)
