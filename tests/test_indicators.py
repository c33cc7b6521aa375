"""jsnalib.indicators: each indicator's value, count, denominator and interval for any area.

Expected intervals are the published APHO Technical Briefing 3 / PHEindicatormethods examples
(Byar's, exact Poisson and Wilson score) re-expressed in each indicator's units; the inputs are
the hand-made frames of tests/conftest.py or built here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import (
    DISTRICTS,
    ENGLAND,
    NEIGHBOUR,
    STAFFORDSHIRE,
    STOKE,
    WEST_MIDLANDS,
)

from jsnalib.indicators import catalogue as indicators
from jsnalib.inputs.readers import load_geography
from jsnalib.methods import growth, stats

REPO = Path(__file__).resolve().parents[1]
TOL = 1e-6


def one(rows: pd.DataFrame, area: str, period: str) -> pd.Series:
    match = rows[(rows["area_code"] == area) & (rows["period"] == period)]
    assert len(match) == 1, f"expected one row for {area} {period}, got {len(match)}"
    return match.iloc[0]


# ----------------------------------------------------------------------------------------------
# infant mortality: published interval examples, re-expressed as deaths per 1,000 live births


@pytest.mark.parametrize(
    ("deaths", "births", "value", "lower", "upper"),
    [
        # exact Poisson below 10 events: 5 events, APHO example (1.623486, 11.668332) per 100
        ((1, 2, 2), (30, 40, 30), 50.0, 16.23486, 116.68332),
        # Byar's from 10 events: 20 events per 100 -> (12.211429, 30.889880) per 100
        ((6, 7, 7), (30, 40, 30), 200.0, 122.11429, 308.8988),
        # Byar's: 65 events, (50.163188, 82.849139) as counts
        ((20, 20, 25), (3000, 3000, 4000), 6.5, 5.0163188, 8.2849139),
    ],
    ids=["exact_5_events", "byars_20_events", "byars_65_events"],
)
def test_infant_mortality_pools_three_years_with_published_intervals(
        indicator_data_factory, deaths, births, value, lower, upper):
    frame = pd.DataFrame({"area_code": STOKE, "year": [2021, 2022, 2023],
                          "live_births": births, "infant_deaths": deaths})
    data = indicator_data_factory(births_deaths=frame)
    row = one(indicators.infant_mortality(data, [STOKE]), STOKE, "2021-23")
    assert (row["count"], row["denominator"]) == (sum(deaths), sum(births))
    assert row["value"] == pytest.approx(value, abs=TOL)
    assert row["lower"] == pytest.approx(lower, abs=1e-4)
    assert row["upper"] == pytest.approx(upper, abs=1e-4)


def test_infant_mortality_every_area_and_every_complete_period(indicator_data):
    codes = [ENGLAND, STOKE, *DISTRICTS]
    rows = indicators.infant_mortality(indicator_data, codes)
    assert list(rows.columns) == indicators.ROW_COLUMNS
    assert set(rows["area_code"]) == set(codes)
    periods = ["2017-19", "2018-20", "2019-21", "2020-22", "2021-23"]
    assert rows[rows["area_code"] == STOKE]["period"].tolist() == periods
    row = one(rows, STOKE, "2021-23")  # deaths 30 + 28 + 26 over 3 x 3,300 births
    assert row["value"] == pytest.approx(84 / 9900 * 1000)
    assert row["time"] == 2021 and not row["from_records"] and row["value_from"] == STOKE


def test_infant_mortality_single_years_for_trends(indicator_data):
    rows = indicators.infant_mortality(indicator_data, [STOKE], years=1)
    assert rows["period"].tolist() == [str(y) for y in range(2017, 2024)]
    assert rows["count"].tolist() == [38, 36, 34, 32, 30, 28, 26]


def test_infant_mortality_missing_count_propagates(indicator_data_factory):
    frame = pd.DataFrame({"area_code": STOKE, "year": [2021, 2022, 2023],
                          "live_births": [3300, 3300, 3300],
                          "infant_deaths": pd.array([10, None, 12], dtype="Int64")})
    row = indicators.infant_mortality(indicator_data_factory(births_deaths=frame), [STOKE])
    assert row["count"].isna().all() and row["value"].isna().all()


# ----------------------------------------------------------------------------------------------
# NCMP measures


@pytest.mark.parametrize(
    ("count", "measured", "lower", "upper"),
    [(65, 100, 55.2544, 73.6358), (1045, 5000, 19.7955, 22.0491)],
    ids=["wilson_65_100", "wilson_1045_5000"],
)
def test_ncmp_local_values_use_wilson_intervals(indicator_data_factory, count, measured, lower,
                                                upper):
    frame = pd.DataFrame([(STOKE, "2023/24", 2023, "R", "excess_weight", float(count),
                           float(measured), np.nan, np.nan, np.nan, True)],
                         columns=indicators._NCMP_COLUMNS)
    data = indicator_data_factory(ncmp=frame)
    row = one(indicators.excess_weight(data, [STOKE], school_year="R"), STOKE, "2023/24")
    assert row["value"] == pytest.approx(100 * count / measured)
    assert row["lower"] == pytest.approx(lower, abs=1e-4)
    assert row["upper"] == pytest.approx(upper, abs=1e-4)
    assert row["indicator"] == "reception_excess_weight" and row["from_records"]


def test_ncmp_functions_pick_school_year_and_measure(indicator_data):
    cases = [(indicators.excess_weight, "R", "reception_excess_weight", 0.22),
             (indicators.excess_weight, "6", "year6_excess_weight", 0.36),
             (indicators.obesity, "R", "reception_obesity", 0.22 * 0.45),
             (indicators.obesity, "6", "year6_obesity", 0.36 * 0.45)]
    for function, school_year, key, share in cases:
        row = one(function(indicator_data, [ENGLAND], school_year=school_year), ENGLAND,
                  "2023/24")
        assert row["indicator"] == key
        assert row["value"] == pytest.approx(100 * round(600_000 * share) / 600_000)


def test_published_value_kept_when_the_export_has_no_counts(indicator_data_factory):
    frame = pd.DataFrame([(ENGLAND, "2023/24", 2023, "6", "obese", np.nan, np.nan, 22.1, 22.0,
                           22.2, False)], columns=indicators._NCMP_COLUMNS)
    data = indicator_data_factory(ncmp=frame)
    at_95 = one(indicators.obesity(data, [ENGLAND], school_year="6"), ENGLAND, "2023/24")
    assert (at_95["value"], at_95["lower"], at_95["upper"]) == (22.1, 22.0, 22.2)
    at_998 = one(indicators.obesity(data, [ENGLAND], 0.998, school_year="6"), ENGLAND,
                 "2023/24")
    assert at_998["value"] == 22.1 and np.isnan(at_998["lower"]) and np.isnan(at_998["upper"])


def _child(sds: float, height: float = 110.0, area: str = DISTRICTS[0], sex: str = "male",
           weight: float | None = None) -> dict:
    age = 1826 / 365.25  # born 2018-03-01, measured 2023-03-01
    bmi = float(growth.bmi_from_sds(sds, age, sex))
    return {"academic_year": "2022/23", "school_year": "R", "sex": sex,
            "birth_date": pd.Timestamp("2018-03-01"),
            "measurement_date": pd.Timestamp("2023-03-01"), "height_cm": height,
            "weight_kg": weight if weight is not None else bmi * (height / 100) ** 2,
            "area_code": area, "imd_decile": 3}


def test_ncmp_counts_classify_exclude_and_add_districts_to_their_county():
    geography = load_geography(REPO / "data")
    children = [_child(0.0), _child(1.2), _child(1.8), _child(3.0),  # healthy .. severely obese
                _child(0.0, weight=80.0),  # implausible BMI: left out of everything
                _child(1.8, area=DISTRICTS[1], sex="female"), _child(-0.5, area=STOKE)]
    records = pd.DataFrame(children)
    records.insert(0, "pupil_id", [f"p{i}" for i in range(len(records))])
    counts = indicators.ncmp_counts(records, geography)
    table = counts.set_index(["area_code", "measure"])[["count", "denominator"]]
    expected = {
        (DISTRICTS[0], "excess_weight"): (3, 4), (DISTRICTS[0], "obese"): (2, 4),
        (DISTRICTS[1], "excess_weight"): (1, 1), (DISTRICTS[1], "obese"): (1, 1),
        (STAFFORDSHIRE, "excess_weight"): (4, 5), (STAFFORDSHIRE, "obese"): (3, 5),
        (STOKE, "excess_weight"): (0, 1), (STOKE, "obese"): (0, 1),
    }
    assert {k: tuple(v) for k, v in table.iterrows()} == expected
    assert set(counts["academic_year"]) == {"2022/23"} and set(counts["time"]) == {2022}
    assert counts["from_records"].all() and counts["value"].isna().all()


def test_fingertips_rows_are_persons_without_breakdown_and_the_two_measures():
    def row(name, sex="Persons", category=None, value=20.0):
        return {"Indicator Name": name, "Sex": sex, "Category Type": category,
                "Area Code": ENGLAND, "Time period": "2023/24", "Count": 200.0,
                "Denominator": 1000.0, "Value": value, "Lower CI 95.0 limit": value - 1,
                "Upper CI 95.0 limit": value + 1}
    export = pd.DataFrame([
        row("Reception prevalence of overweight (including obesity)"),
        row("Year 6 prevalence of obesity (including severe obesity)", value=22.0),
        row("Reception prevalence of overweight (including obesity)", sex="Male"),
        row("Reception prevalence of overweight (including obesity)",
            category="County & UA deprivation deciles"),
        row("Reception prevalence of healthy weight"),
        row("Year 6 prevalence of severe obesity"),
    ])
    out = indicators.fingertips_ncmp(export)
    assert out[["school_year", "measure", "value"]].values.tolist() == [
        ["6", "obese", 22.0], ["R", "excess_weight", 20.0]]
    assert (out["time"] == 2023).all() and not out["from_records"].any()


# ----------------------------------------------------------------------------------------------
# children's social care


def test_rereferrals_wilson_interval_and_districts_take_the_county_figure(indicator_data):
    rows = indicators.rereferrals(indicator_data, [STAFFORDSHIRE, DISTRICTS[3], ENGLAND])
    county = one(rows, STAFFORDSHIRE, "2023-24")  # 1,500 of 9,000
    lower, upper = stats.wilson_ci(1500, 9000)
    assert county["value"] == pytest.approx(100 * 1500 / 9000)
    assert (county["lower"], county["upper"]) == pytest.approx((100 * lower, 100 * upper))
    district = one(rows, DISTRICTS[3], "2023-24")
    assert district["value_from"] == STAFFORDSHIRE
    assert district[["count", "denominator", "value"]].tolist() == \
        county[["count", "denominator", "value"]].tolist()
    assert "Newcastle-under-Lyme is a district" in district["note"]
    assert "Staffordshire's figure" in district["note"]
    assert "fewer than 5 referrals had no child ID" in county["note"]
    assert one(rows, ENGLAND, "2023-24")["note"] == ""


def test_referral_rate_uses_the_mid_year_estimate_of_the_starting_year(indicator_data_factory,
                                                                        indicator_data):
    population = indicator_data.population.copy()
    population.loc[(population["area_code"] == STOKE) & (population["year"] == 2023),
                   "population"] = 80_000
    rows = indicators.referral_rate(indicator_data_factory(population=population), [STOKE])
    latest = one(rows, STOKE, "2023-24")
    assert (latest["count"], latest["denominator"]) == (4000, 80_000)
    assert latest["value"] == pytest.approx(500.0)
    lower, upper = stats.rate_ci(4000, 80_000, multiplier=10_000)
    assert (latest["lower"], latest["upper"]) == pytest.approx((lower, upper))
    assert one(rows, STOKE, "2022-23")["denominator"] == 60_000


def test_areas_without_population_have_no_referral_rate(indicator_data):
    rows = indicators.referral_rate(indicator_data, [ENGLAND, "E06000015"])  # Derby: none
    assert set(rows["area_code"]) == {ENGLAND}


def test_referral_counts_combine_records_and_census():
    census = pd.DataFrame({"area_code": [ENGLAND, ENGLAND, STOKE],
                           "financial_year": ["2016-17", "2017-18", "2017-18"],
                           "referrals": pd.array([600_000, None, 999], dtype="Int64"),
                           "rereferrals": pd.array([130_000, None, 99], dtype="Int64")})
    dates = ["2016-04-01", "2017-03-01", "2017-05-01", "2017-06-01", "2018-04-01", "2018-05-01"]
    records = pd.DataFrame({"referral_id": [f"r{i}" for i in range(6)],
                            "child_id": ["a", "a", "a", None, "b", "b"],
                            "referral_date": pd.to_datetime(dates),
                            "area_code": STOKE})
    out = indicators.referral_counts(records, census)
    stoke = out[out["area_code"] == STOKE]
    # records start 2016-04-01: 2016-17 lacks 12 months of history and is left out; the
    # records replace the census rows for Stoke-on-Trent
    assert stoke[["financial_year", "referrals", "rereferrals", "missing_child_id"]].values.tolist(
    ) == [["2017-18", 2.0, 1.0, 1.0], ["2018-19", 2.0, 1.0, 0.0]]
    assert stoke["from_records"].all()
    england = out[out["area_code"] == ENGLAND]
    assert england["referrals"].tolist()[0] == 600_000 and np.isnan(england["referrals"].iloc[1])
    assert not england["from_records"].any() and england["time"].tolist() == [2016, 2017]


def test_suppressed_census_count_gives_no_value(indicator_data_factory, indicator_data):
    referrals = indicator_data.referrals.copy()
    latest = (referrals["area_code"] == ENGLAND) & (referrals["financial_year"] == "2023-24")
    referrals.loc[latest, "rereferrals"] = np.nan
    rows = indicators.rereferrals(indicator_data_factory(referrals=referrals), [ENGLAND])
    row = one(rows, ENGLAND, "2023-24")
    assert np.isnan(row["value"]) and np.isnan(row["lower"])


# ----------------------------------------------------------------------------------------------
# the registry and argument checks


def test_registry_order_and_keys(indicator_data):
    assert indicators.INDICATOR_KEYS == (
        "infant_mortality", "reception_excess_weight", "reception_obesity",
        "year6_excess_weight", "year6_obesity", "rereferrals", "referral_rate")
    rows = indicators.all_indicators(indicator_data, [STOKE, NEIGHBOUR, WEST_MIDLANDS])
    assert list(dict.fromkeys(rows["indicator"])) == list(indicators.INDICATOR_KEYS)
    neighbour = rows[rows["area_code"] == NEIGHBOUR]
    assert set(neighbour["indicator"]) == {"rereferrals", "referral_rate"}
    assert indicators.indicator("referral_rate").polarity == "no_judgement"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: indicators.infant_mortality(d, ["E99999999"]), "unknown area code"),
        (lambda d: indicators.infant_mortality(d, STOKE), "must be a list"),
        (lambda d: indicators.excess_weight(d, [STOKE], school_year="Y6"), "school_year"),
        (lambda d: indicators.rereferrals(d, [STOKE], confidence=0.5), "confidence"),
        (lambda d: indicators.indicator("smoking"), "unknown indicator"),
    ],
    ids=["unknown_area", "string_not_list", "school_year", "confidence", "indicator"],
)
def test_bad_arguments_raise_plain_errors(indicator_data, call, message):
    with pytest.raises(ValueError, match=message):
        call(indicator_data)


# ----------------------------------------------------------------------------------------------
# the default data in data/


def test_default_data_gives_every_indicator_for_every_jsna_area():
    folder = REPO / "data"
    if not all((folder / name).is_file() for name in indicators.FILES):
        pytest.skip("the default data files are not all in data/ yet")
    data = indicators.IndicatorData.load(folder)
    areas = data.geography.jsna_areas()
    rows = indicators.all_indicators(data, areas)
    latest = rows.sort_values("time").groupby(["indicator", "area_code"]).tail(1)
    # the registrations (NOMIS) are by upper-tier authority only: the districts' infant
    # mortality is the ONS death cohort, 2020-21 pooled (births_deaths_cohort.csv)
    districts = [a for a in areas if data.geography.area_type(a) == "district"]
    assert len(districts) == 8
    assert len(latest) == len(areas) * len(indicators.INDICATORS)
    imr = latest[latest["indicator"] == "infant_mortality"].set_index("area_code")
    assert (imr.loc[districts, "period"] == "2020-21, death cohort").all()
    assert not imr.drop(index=districts)["period"].str.contains("cohort").any()
    assert latest["value"].notna().all()


@pytest.mark.parametrize(
    ("first_referral", "first_year_kept"),
    [("2016-04-01", "2017-18"), ("2016-04-02", "2017-18"), ("2016-03-31", "2017-18"),
     ("2016-09-15", "2018-19")],
)
def test_first_financial_year_kept_has_twelve_months_of_history(first_referral, first_year_kept):
    """Extracts are whole months: one starting on 2 April covers 1 April (the chapter's rule)."""
    dates = pd.to_datetime([first_referral, "2017-06-01", "2018-06-01", "2019-06-01"])
    records = pd.DataFrame({"referral_id": ["r0", "r1", "r2", "r3"],
                            "child_id": ["a", "b", "c", "d"], "referral_date": dates,
                            "area_code": STOKE})
    census = pd.DataFrame({"area_code": [ENGLAND], "financial_year": ["2018-19"],
                           "referrals": pd.array([10], dtype="Int64"),
                           "rereferrals": pd.array([1], dtype="Int64")})
    out = indicators.referral_counts(records, census)
    assert out.loc[out["area_code"] == STOKE, "financial_year"].iloc[0] == first_year_kept



@pytest.mark.parametrize(("deaths", "published"), [([0, 1, 1], False), ([1, 1, 1], True),
                                                   ([2, 0, 0], False), ([1, 2, 0], True)])
def test_infant_mortality_rates_from_fewer_than_3_deaths_are_not_published(
        indicator_data_factory, deaths, published):
    """The profiles and summary apply the chapter's rule (one definition, in indicators)."""
    import importlib

    chapter = importlib.import_module("jsnalib.chapters.infant_mortality.analyse")

    frame = pd.DataFrame({"area_code": STOKE, "year": [2021, 2022, 2023],
                          "live_births": [900, 950, 1000], "infant_deaths": deaths})
    row = indicators.infant_mortality(indicator_data_factory(births_deaths=frame), [STOKE]).iloc[0]
    assert row["count"] == sum(deaths) and row["denominator"] == 2850
    assert pd.notna(row["value"]) is published
    assert (row["note"] == indicators.IMR_NOTE_SUPPRESSED) is not published
    pooled = pd.DataFrame({"live_births": [2850], "infant_deaths": [sum(deaths)]})
    from_chapter = chapter.add_rates(pooled).iloc[0]
    np.testing.assert_allclose([from_chapter["rate"], from_chapter["lower"], from_chapter["upper"]],
                               [row["value"], row["lower"], row["upper"]], rtol=1e-12)
    assert from_chapter["note"].startswith("fewer than 3") is not published
