"""Fingertips CSV exports, old and new layouts (constructed exports in the published shape)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jsnalib.inputs import national
from jsnalib.inputs.national.fingertips import FINGERTIPS_TIDY, HEADER, parse_period
from jsnalib.inputs.readers import DataError

MODERN = list(HEADER)
MODERN[22] = "Compared to Regions (statistical) value or percentiles"
OLD = list(HEADER[:26])
OLD[22] = "Compared to Region value or percentiles"


def row(**kw) -> dict:
    base = {h: "" for h in HEADER}
    base.update({
        "Indicator ID": "92196", "Indicator Name": "Infant mortality rate",
        "Parent Code": "E12000005", "Parent Name": "West Midlands region",
        "Area Code": "E10000028", "Area Name": "Staffordshire",
        "Area Type": "Counties & UAs (from Apr 2023)", "Sex": "Persons", "Age": "<1 yr",
        "Time period": "2017 - 19", "Value": "4.63", "Lower CI 95.0 limit": "3.90",
        "Upper CI 95.0 limit": "5.47", "Lower CI 99.8 limit": "3.52",
        "Upper CI 99.8 limit": "5.97", "Count": "117", "Denominator": "25091",
        "Recent Trend": "", "Compared to England value or percentiles": "Similar",
        "Compared to percentiles": "Not compared", "Time period Sortable": "20170000",
        "New data": "", "Compared to goal": "", "Time period range": "3y"})
    base.update(kw)
    return base


def write(path: Path, header: list[str], rows: list[dict], fields: int | None = None) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    n = fields or len(header)
    for r in rows:
        vals = [r[h] for h in HEADER]
        vals[22] = r["Compared to percentiles"]
        w.writerow(vals[:n])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


ENGLAND = dict(**{"Parent Code": "", "Parent Name": "", "Area Code": "E92000001",
                  "Area Name": "England", "Area Type": "England", "Value": "3.93",
                  "Lower CI 95.0 limit": "3.88", "Upper CI 95.0 limit": "3.98",
                  "Lower CI 99.8 limit": "3.85", "Upper CI 99.8 limit": "4.01",
                  "Count": "7541", "Denominator": "1918876",
                  "Compared to England value or percentiles": "Not compared"})


@pytest.fixture
def modern(tmp_path) -> Path:
    rows = [
        row(**ENGLAND),
        row(**{**ENGLAND, "Parent Code": "E92000001", "Parent Name": "England"}),
        row(**{"Parent Code": "E92000001", "Parent Name": "England", "Area Code": "E12000005",
               "Area Name": "West Midlands region", "Area Type": "Regions (statistical)",
               "Value": "5.61", "Count": "1040.33", "Denominator": "185302"}),
        row(),
        row(**{"Area Code": "E06000021", "Area Name": "Stoke-on-Trent", "Value": "7.50",
               "Lower CI 95.0 limit": "5.89", "Upper CI 95.0 limit": "9.42",
               "Lower CI 99.8 limit": "5.07", "Upper CI 99.8 limit": "10.62", "Count": "74",
               "Denominator": "9863", "Compared to England value or percentiles": "Worse"}),
        row(**{"Area Code": "E06000021", "Area Name": "Stoke-on-Trent", "Time period": "2019",
               "Value": "", "Lower CI 95.0 limit": "", "Upper CI 95.0 limit": "",
               "Lower CI 99.8 limit": "", "Upper CI 99.8 limit": "", "Count": "*",
               "Denominator": "3256", "Value note": "Value suppressed for disclosure control",
               "Time period range": "1y", "Time period Sortable": "20190000"}),
        row(**{"Indicator ID": "90319", "Indicator Name":
               "Reception prevalence of overweight (including obesity)", "Age": "4-5 yrs",
               "Time period": "2019/20 - 23/24", "Time period range": "5y",
               "Category Type": "County & UA deprivation deciles (IMD2019, 4/21 geog.)",
               "Category": "Most deprived decile (IMD2019)", "Value": "24.1",
               "Count": "4018.33", "Denominator": "16673"}),
        row(**{"Indicator ID": "90319", "Indicator Name":
               "Reception prevalence of overweight (including obesity)", "Age": "4-5 yrs",
               "Time period": "2019/20", "Time period range": "1y", "Value": "23.2",
               "Count": "2123", "Denominator": "9151"}),
        row(**{"Indicator ID": "93088", "Indicator Name":
               "Children in relative low income families (under 16s)", "Age": "<16 yrs",
               "Time period": "2019/20", "Value": "17.9", "Count": "27010",
               "Denominator": "150895", "Time period range": "1y"}),
    ]
    return write(tmp_path / "indicators-CountyUA.data.csv", MODERN, rows)


@pytest.fixture
def old(tmp_path) -> Path:
    name = "Infant mortality rate\n(per 1,000 live births)"
    rows = [row(**{"Indicator Name": name}),
            row(**{**ENGLAND, "Indicator Name": name}),
            row(**{"Indicator Name": name, "Area Code": "E06000021", "Area Type": "UA",
                   "Area Name": "Stoke-on-Trent", "Value": "7.50", "Count": "74",
                   "Denominator": "9863", "Lower CI 95.0 limit": "5.89",
                   "Upper CI 95.0 limit": "9.42", "Lower CI 99.8 limit": "5.07",
                   "Upper CI 99.8 limit": "10.62"}),
            row(**{"Indicator Name": name, "Area Code": "E12000005", "Area Type": "Region",
                   "Area Name": "West Midlands region", "Parent Code": "E92000001",
                   "Value": "5.61", "Count": "1040", "Denominator": "185302"})]
    for r in rows:
        if r["Area Code"] == "E10000028":
            r["Area Type"] = "County & UA"
    return write(tmp_path / "old_export_2018.csv", OLD, rows, fields=25)


def test_recognise(modern, old):
    assert national.recognise(modern) == "fingertips"
    assert national.recognise(old) == "fingertips"


def test_modern_export(modern):
    t = national.read(modern)
    assert t.contract == "fingertips"
    f = t.frame
    assert list(f.columns) == FINGERTIPS_TIDY.names
    # England once (duplicate with E92000001 parent dropped), parent blank
    eng = f[f["area_code"] == "E92000001"]
    assert len(eng) == 1 and eng["parent_code"].isna().all()
    assert any("repeated rows dropped" in n for n in t.source.notes)
    # area types from the code
    types = dict(zip(f["area_code"], f["area_type"], strict=False))
    assert types["E92000001"] == "country" and types["E12000005"] == "region"
    assert types["E10000028"] == "county" and types["E06000021"] == "unitary"
    # fractional counts stay float
    assert f.loc[f["area_code"] == "E12000005", "count"].iloc[0] == pytest.approx(1040.33)
    assert 4018.33 in f["count"].tolist()
    assert f["count"].dtype == "float64"
    # the parent comparison column, whatever its title
    assert set(f["compared_to_region"].dropna()) == {"Not compared"}


def test_periods(modern):
    f = national.read(modern).frame
    stoke = f[(f["area_code"] == "E06000021") & (f["period"] == "2017 - 19")].iloc[0]
    assert stoke["period_kind"] == "calendar"
    assert stoke["period_start"] == pd.Timestamp("2017-01-01")
    assert stoke["period_end"] == pd.Timestamp("2019-12-31")
    rec = f[(f["indicator_id"] == 90319) & (f["period"] == "2019/20 - 23/24")].iloc[0]
    assert rec["period_kind"] == "academic"
    assert (rec["period_start"], rec["period_end"]) == (pd.Timestamp("2019-09-01"),
                                                        pd.Timestamp("2024-08-31"))
    assert rec["category_type"].startswith("County & UA deprivation deciles")
    low = f[f["indicator_id"] == 93088].iloc[0]
    assert low["period_kind"] == "year_span" and pd.isna(low["period_start"])
    f2 = national.read(modern, period_kind={93088: "financial"}).frame
    low = f2[f2["indicator_id"] == 93088].iloc[0]
    assert (low["period_kind"], low["period_start"], low["period_end"]) == (
        "financial", pd.Timestamp("2019-04-01"), pd.Timestamp("2020-03-31"))


def test_parse_period():
    assert parse_period("2019", "year_span")[0] == "calendar"
    assert parse_period("2019/20", "financial")[1:] == (pd.Timestamp("2019-04-01"),
                                                       pd.Timestamp("2020-03-31"))
    assert parse_period("1999/00", "academic")[2] == pd.Timestamp("2000-08-31")
    assert parse_period("2019/20 Q1", "financial") == ("other", None, None)


def test_suppressed_and_blank_values_are_missing_with_reason(modern):
    t = national.read(modern)
    row = t.frame[(t.frame["area_code"] == "E06000021") & (t.frame["period"] == "2019")]
    assert row["value"].isna().all() and row["count"].isna().all()
    assert row["denominator"].iloc[0] == 3256
    m = t.missing[(t.missing["area_code"] == "E06000021") & (t.missing["period"] == "2019")]
    assert set(m["column"]) == {"value", "count"}
    assert "disclosure control" in m.loc[m["column"] == "value", "reason"].iloc[0]
    assert m.loc[m["column"] == "count", "marker"].iloc[0] == "*"


def test_old_export_25_fields_and_newline_in_name(old):
    t = national.read(old)
    f = t.frame
    assert len(f) == 4
    assert f["indicator_name"].iloc[0] == "Infant mortality rate\n(per 1,000 live births)"
    assert any("25 fields per row" in n for n in t.source.notes)
    assert f.loc[f["area_code"] == "E06000021", "value"].iloc[0] == 7.5
    assert f.loc[f["area_code"] == "E06000021", "area_type"].iloc[0] == "unitary"
    assert set(f["compared_to_region"].dropna()) == {"Not compared"}


def test_england_duplicates_that_disagree(tmp_path):
    rows = [row(**ENGLAND), row(**{**ENGLAND, "Parent Code": "E92000001", "Value": "3.95"})]
    path = write(tmp_path / "ft.csv", MODERN, rows)
    with pytest.raises(DataError) as exc:
        national.read(path)
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == (3, "value", "3.95")
    assert "row 2" in p.expected


def test_resaved_by_r_is_refused(tmp_path, modern):
    df = pd.read_csv(modern, dtype=str, keep_default_na=False)
    df.columns = [c.replace(" ", ".") for c in df.columns]
    path = tmp_path / "resaved.csv"
    df.to_csv(path, index=True)  # write.csv: row numbers and dotted names
    for call in (national.recognise, national.read):
        with pytest.raises(DataError) as exc:
            call(path)
        (p,) = exc.value.problems
        assert p.file == "resaved.csv" and p.row == 1
        assert "re-saved by R" in p.issue
        assert "Indicator ID, Indicator Name, Parent Code" in p.expected


def test_row_number_column_only(tmp_path, modern):
    text = modern.read_text(encoding="utf-8").splitlines()
    out = ['"",' + text[0]] + [f'"{i}",' + line for i, line in enumerate(text[1:], 1)]
    path = tmp_path / "rownum.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="re-saved by R"):
        national.read(path)


def test_bad_number(tmp_path):
    path = write(tmp_path / "ft.csv", MODERN, [row(), row(**{"Area Code": "E06000021",
                                                              "Value": "4.6.3"})])
    with pytest.raises(DataError) as exc:
        national.read(path)
    (p,) = exc.value.problems
    assert (p.file, p.row, p.column, p.value) == ("ft.csv", 3, "Value", "4.6.3")


def test_wrong_field_count(tmp_path):
    path = write(tmp_path / "ft.csv", MODERN, [row()])
    path.write_text(path.read_text() + "1,2,3\n")
    with pytest.raises(DataError, match="row 3: has 3 fields"):
        national.read(path)


def test_repo_fingertips_export_reads(tmp_path):
    path = Path(__file__).parents[1] / "data" / "fingertips_ncmp.csv"
    if not path.is_file():
        pytest.skip("data/fingertips_ncmp.csv absent")
    f = national.read(path).frame
    assert set(f["period_kind"]) == {"academic"}
    assert np.isfinite(f["value"]).all()
