"""DfE explore-education-statistics CSVs: children in need referrals and population."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jsnalib.inputs import national
from jsnalib.inputs.contracts import CIN_CENSUS, POPULATION
from jsnalib.inputs.readers import DataError

DATA = Path(__file__).parent / "data" / "national"
CIN = DATA / "dfe_cin_c1_excerpt.csv"
POP = DATA / "ons_population_excerpt.csv"


def _value(frame: pd.DataFrame, code: str, period_col: str, period, col: str):
    row = frame[(frame["area_code"] == code) & (frame[period_col] == period)]
    assert len(row) == 1, (code, period)
    return row[col].iloc[0]


def test_recognise_ees_layouts():
    assert national.recognise(CIN) == "dfe_cin_referrals"
    assert national.recognise(POP) == "dfe_population"


def test_cin_referrals_check_figures():
    t = national.read(CIN)
    assert t.contract == "cin_census"
    assert list(t.frame.columns) == CIN_CENSUS.names
    f = t.frame
    # Staffordshire 2015-16 (time_period 2016) and 2023-24
    assert _value(f, "E10000028", "financial_year", "2015-16", "referrals") == 8468
    assert _value(f, "E10000028", "financial_year", "2015-16", "rereferrals") == 1594
    assert _value(f, "E10000028", "financial_year", "2023-24", "referrals") == 5045
    assert _value(f, "E10000028", "financial_year", "2023-24", "rereferrals") == 710
    # Stoke-on-Trent 2019-20: 33.2% re-referrals as published
    pct = 100 * _value(f, "E06000021", "financial_year", "2019-20", "rereferrals") / _value(
        f, "E06000021", "financial_year", "2019-20", "referrals")
    assert round(pct, 1) == 33.2


def test_cin_dtypes_match_data_contract():
    f = national.read(CIN).frame
    assert str(f["referrals"].dtype) == "Int64"
    assert str(f["rereferrals"].dtype) == "Int64"
    assert f["area_code"].dtype == "str"
    assert f["financial_year"].str.fullmatch(r"\d{4}-\d{2}").all()


def test_cin_markers_read_as_missing_with_reason_never_zero():
    t = national.read(CIN)
    m = t.missing
    assert set(m.columns) == {"area_code", "period", "column", "marker", "reason"}
    scilly = m[(m["area_code"] == "E06000053") & (m["period"] == "2016-17")]
    assert scilly["marker"].tolist() == ["c"]
    assert "confidential" in scilly["reason"].iloc[0]
    hereford = m[(m["area_code"] == "E06000019") & (m["period"] == "2023-24")]
    assert set(hereford["marker"]) == {"u"} and set(hereford["column"]) == {
        "referrals", "rereferrals"}
    assert "low reliability" in hereford["reason"].iloc[0]
    hackney = m[(m["area_code"] == "E09000012") & (m["period"] == "2021-22")]
    assert set(hackney["marker"]) == {"x"}
    f = t.frame
    assert pd.isna(_value(f, "E06000053", "financial_year", "2016-17", "referrals"))
    assert _value(f, "E06000053", "financial_year", "2016-17", "rereferrals") == 0
    assert pd.isna(_value(f, "E09000012", "financial_year", "2021-22", "rereferrals"))


def test_inner_outer_london_left_out_and_said():
    t = national.read(CIN)
    assert not t.frame["area_code"].str.startswith("E13").any()
    assert "E12000007" in set(t.frame["area_code"])
    assert any("Inner London" in n and "Outer London" in n for n in t.source.notes)


def test_cin_source():
    s = national.read(CIN).source
    assert s.publisher == "Department for Education"
    assert s.licence == "Open Government Licence v3.0"
    assert s.release == "2012-13 to 2024-25 (years ending 31 March)"


def test_population():
    t = national.read(POP)
    assert t.contract == "population"
    assert list(t.frame.columns) == POPULATION.names
    f = t.frame
    assert set(f["age_group"]) == {"0-17"}
    assert _value(f, "E10000028", "year", 2024, "population") == 174804
    assert str(f["population"].dtype) == "Int64" and f["year"].dtype == "int64"
    # authorities that did not yet exist: x, missing with its reason
    bcp = t.missing[t.missing["area_code"] == "E06000028"]
    assert bcp["marker"].tolist() == ["x"] and bcp["period"].tolist() == ["2018"]
    assert pd.isna(_value(f, "E06000028", "year", 2018, "population"))


def test_old_la_code_map_follows_reorganisations():
    latest = national.old_la_code_map(CIN)
    assert latest["860"] == "E10000028" and latest["861"] == "E06000021"
    assert latest["815"] == "E06000065"  # North Yorkshire unitary from April 2023
    assert national.old_la_code_map(CIN, as_of=2021)["815"] == "E10000023"
    assert national.old_la_code_map(CIN, as_of=2021)["825"] == "E06000060"
    assert national.old_la_code_map(CIN, as_of=2016)["825"] == "E10000002"


def test_la_regions_maps_london_halves_to_london():
    regions, names = national.la_regions(CIN)
    assert regions["E10000028"] == "E12000005"
    assert regions["E09000007"] == "E12000007"  # Camden: Inner London in the DfE file
    assert names["E12000005"] == "West Midlands"


def _rewrite(tmp_path: Path, src: Path, old: str, new: str, name: str | None = None) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / (name or src.name)
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def test_bad_count_names_file_row_column_value(tmp_path):
    bad = _rewrite(tmp_path, CIN, "8468,1594", "8468,15 94")
    with pytest.raises(DataError) as exc:
        national.read(bad)
    (p,) = exc.value.problems
    lines = CIN.read_text().splitlines()
    row = next(i for i, line in enumerate(lines, start=1) if "8468,1594" in line)
    assert (p.file, p.row, p.column, p.value) == (bad.name, row, "rereferral_count", "15 94")
    assert "whole number" in p.expected


def test_unknown_marker_is_an_error_not_a_zero(tmp_path):
    bad = _rewrite(tmp_path, CIN, "8468,1594", "8468,-")
    with pytest.raises(DataError, match="rereferral_count: '-' is not a whole number"):
        national.read(bad)


def test_rereferrals_above_referrals(tmp_path):
    bad = _rewrite(tmp_path, CIN, "8468,1594", "1594,8468")
    with pytest.raises(DataError, match="re-referrals <= referrals"):
        national.read(bad)


def test_bad_gss_code(tmp_path):
    bad = _rewrite(tmp_path, CIN, ",860,E10000028,", ",860,E1000028,")
    with pytest.raises(DataError, match="new_la_code: 'E1000028'"):
        national.read(bad)


def test_ragged_row(tmp_path):
    bad = _rewrite(tmp_path, CIN, "8468,1594", "8468,1594,1")
    with pytest.raises(DataError, match="has 22 fields"):
        national.read(bad)
