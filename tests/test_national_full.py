"""End to end against the full national downloads in shared/public-data (skipped if absent).

The folder sits beside the repository checkout (``<parent>/shared/public-data``); a checkout
in a worktree folder one level deeper finds it too (the nearest ancestor that has one).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jsnalib.inputs import national
from jsnalib.inputs import readers as data


def _shared() -> Path | None:
    for parent in Path(__file__).resolve().parents[1:]:
        candidate = parent / "shared" / "public-data"
        if candidate.is_dir():
            return candidate
    return None


SHARED = _shared()
pytestmark = pytest.mark.skipif(SHARED is None, reason="shared/public-data is not present")


def p(rel: str) -> Path:
    assert SHARED is not None
    path = SHARED / rel
    if not path.is_file():
        pytest.skip(f"{rel} absent")
    return path


CIN = "dfe_cin/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
POP = "ons/ons_mid-year_population_estimates_2012_to_2024.csv"
BIRTHS = "ons/nomis_live_births_utla_2013-2022.xlsx"
DEATHS = "ons/nomis_deaths_all_and_under1_utla_2013-2022.xlsx"
CIM20 = "ons/cim2020deathcohortworkbook.xlsx"
CIM21 = "ons/cim2021deathcohortworkbook.xlsx"
SN21 = "lookups/New_Statistical_Neighbour_Groupings_April_2021.csv"
SN25 = "lookups/sn_model_2025_wide.csv"
LTLA = "lookups/LTLA-UTLA_Apr23_Lookup_England-Wales.csv"

LAYOUT = {CIN: "dfe_cin_referrals", POP: "dfe_population", BIRTHS: "nomis_births",
          DEATHS: "nomis_deaths", CIM20: "ons_child_mortality", CIM21: "ons_child_mortality",
          SN21: "dfe_statistical_neighbours", SN25: "dfe_statistical_neighbours",
          LTLA: "ons_ltla_utla_lookup"}


@pytest.mark.parametrize("rel", list(LAYOUT))
def test_recognise_full(rel):
    assert national.recognise(p(rel)) == LAYOUT[rel]


def _one(frame, **kw):
    sub = frame
    for k, v in kw.items():
        sub = sub[sub[k] == v]
    assert len(sub) == 1, kw
    return sub.iloc[0]


def test_cin_full():
    t = national.read(p(CIN))
    f = t.frame
    r = _one(f, area_code="E10000028", financial_year="2015-16")
    assert (r["referrals"], r["rereferrals"]) == (8468, 1594)
    assert round(100 * r["rereferrals"] / r["referrals"], 1) == 18.8
    r = _one(f, area_code="E10000028", financial_year="2023-24")
    assert (r["referrals"], r["rereferrals"]) == (5045, 710)
    r = _one(f, area_code="E06000021", financial_year="2019-20")
    assert round(100 * r["rereferrals"] / r["referrals"], 1) == 33.2
    r = _one(f, area_code="E10000028", financial_year="2024-25")
    assert round(100 * r["rereferrals"] / r["referrals"], 1) == 14.2
    assert not f["area_code"].str.startswith("E13").any()
    # every marker cell of the two columns is listed; none became zero
    raw = pd.read_csv(p(CIN), dtype=str)
    n_markers = int(raw["referral_count"].isin(list(national.MARKERS)).sum()
                    + raw["rereferral_count"].isin(list(national.MARKERS)).sum())
    assert len(t.missing) == n_markers == 35
    assert f["referrals"].isna().sum() + f["rereferrals"].isna().sum() == n_markers


def test_population_full():
    t = national.read(p(POP))
    assert _one(t.frame, area_code="E10000028", year=2024)["population"] == 174804
    assert len(t.missing) == 21 and set(t.missing["marker"]) == {"x"}


def test_nomis_full_check_figures():
    t = national.combine([national.read(p(BIRTHS)), national.read(p(DEATHS))])
    f = t.frame
    assert len(f) == 1620 and f[["live_births", "infant_deaths"]].notna().all().all()

    def rate(code, years):
        sub = f[(f["area_code"] == code) & f["year"].isin(years)]
        return int(sub["infant_deaths"].sum()), int(sub["live_births"].sum())

    assert rate("E06000021", [2017, 2018, 2019]) == (74, 9863)
    d, b = rate("E10000028", [2013, 2014, 2015])
    assert round(1000 * d / b, 2) == 4.89
    assert rate("E06000021", [2020, 2021, 2022]) == (67, 9135)
    assert rate("E10000028", [2020, 2021, 2022]) == (124, 24246)
    # registrations against the death cohort (README: Stoke 2020 14 vs 16)
    cohort = national.read(p(CIM20)).frame
    assert _one(f, area_code="E06000021", year=2020)["infant_deaths"] == 14
    assert _one(cohort, area_code="E06000021", year=2020)["infant_deaths"] == 16


def test_child_mortality_full():
    for rel, year in ((CIM20, 2020), (CIM21, 2021)):
        main, imd = national.read_tables(p(rel))
        f = main.frame
        assert set(f["year"]) == {year}
        districts = f[f["area_code"].str.startswith("E07")]
        assert len(districts) == 181
        staffs = f[f["area_code"].isin([f"E0700019{i}" for i in range(2, 10)])]
        county = _one(f, area_code="E10000028")
        assert staffs["live_births"].sum() == county["live_births"]
        assert staffs["infant_deaths"].sum() == county["infant_deaths"]
        assert imd.contract == "births_deaths_imd_decile"
        assert set(imd.frame["imd_decile"]) == set(range(1, 11))
        assert imd.frame["year"].min() == 2010 and imd.frame["year"].max() == year
        eng = imd.frame[imd.frame["year"] == year][["live_births", "infant_deaths"]].sum()
        assert eng["live_births"] == _one(f, area_code="E92000001")["live_births"]
    notes = national.read(p(CIM21)).source.notes
    assert any("Wales should be 28781" in n for n in notes)  # the published Wales row: 103


def test_neighbours_full_staffordshire():
    a = national.read(p(SN21), la_codes=p(CIN))
    b = national.read(p(SN25), la_codes=p(CIN))
    assert len(a.frame) == 152 * 10 and len(b.frame) == 153 * 10
    assert national.shared_neighbours(a, b, "E10000028") == [
        "E06000011", "E10000007", "E10000017", "E10000024"]


def test_areas_full():
    t = national.read(p(LTLA), regions=p(CIN))
    f = t.frame
    counts = f["area_type"].value_counts().to_dict()
    assert counts["country"] == 1 and counts["region"] == 9
    assert counts["district"] == 164 and counts["county"] == 21
    assert counts["unitary"] + counts["metropolitan"] + counts["county"] == 153
    assert set(f["parent_code"].dropna()) <= set(f["area_code"])


def test_import_full_and_read_back(tmp_path):
    out = tmp_path / "data"
    written = national.import_files([p(r) for r in (BIRTHS, DEATHS, CIN, POP, SN25, LTLA)],
                                    out)
    assert {w.name for w in written} == {"births_deaths.csv", "cin_census.csv",
                                         "population.csv", "neighbours.csv", "areas.csv"}
    # the written folder passes jsnalib.data's readers, areas checked against areas.csv
    areas = data.read_areas(out / "areas.csv")
    assert len(areas) == 327
    nb = data.read_neighbours(out / "neighbours.csv")
    assert len(nb) == 1530
    # NOMIS's 2013-2022 series names Cumbria, North Yorkshire and Somerset by their county
    # codes, which the April 2023 lookup replaced: those (only) fail the area check
    with pytest.raises(data.DataError) as exc:
        data.read_births_deaths(out / "births_deaths.csv")
    assert {pr.value for pr in exc.value.problems} == {"E10000006", "E10000023", "E10000027"}
    # the same for the children in need series: every problem is an area code that the
    # April 2023 lookup no longer has (authorities reorganised between 2013 and 2023)
    with pytest.raises(data.DataError) as exc:
        data.read_cin_census(out / "cin_census.csv")
    codes = set(pd.read_csv(out / "areas.csv")["area_code"])
    for pr in exc.value.problems:
        assert pr.column == "area_code" and "not an area code in areas.csv" in pr.issue
        assert pr.value not in codes
