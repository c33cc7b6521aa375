"""Tests of jsnalib.methods.derive: re-referral flags, time to re-referral, reporting years, pooling."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jsnalib.methods.derive import (
    MissingChildIdWarning,
    academic_year,
    financial_year,
    flag_rereferrals,
    missing_child_ids,
    months_to_rereferral,
    pool_years,
    rereferral_summary,
)


def referrals(rows: list[tuple[object, str]], index=None) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["child_id", "referral_date"], index=index)


def flags(rows: list[tuple[object, str]]) -> list[bool]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingChildIdWarning)
        return flag_rereferrals(referrals(rows)).tolist()


# ----------------------------------------------------------------------------------------------
# flag_rereferrals: the definition, case by case
# (case, referrals as (child_id, date) in input order, expected flags in input order)
CASES = [
    ("first referral is not a re-referral", [("a", "2015-06-01")], [False]),
    ("one day inside 12 months", [("a", "2015-06-02"), ("a", "2016-06-01")], [False, True]),
    ("exactly 12 calendar months counts", [("a", "2015-06-01"), ("a", "2016-06-01")],
     [False, True]),
    ("12 months and a day does not", [("a", "2015-05-31"), ("a", "2016-06-01")],
     [False, False]),
    ("month end: 31 March looks back to 31 March", [("a", "2015-03-31"), ("a", "2016-03-31")],
     [False, True]),
    ("29 Feb looks back to 28 Feb", [("a", "2015-02-28"), ("a", "2016-02-29")], [False, True]),
    ("29 Feb does not reach 27 Feb", [("a", "2015-02-27"), ("a", "2016-02-29")],
     [False, False]),
    ("28 Feb after a leap day counts 29 Feb", [("a", "2016-02-29"), ("a", "2017-02-28")],
     [False, True]),
    ("1 March after a leap day does not count 29 Feb",
     [("a", "2016-02-29"), ("a", "2017-03-01")], [False, False]),
    ("leap year span: 366 days back to the same date",
     [("a", "2015-03-01"), ("a", "2016-03-01")], [False, True]),
    ("same-day pair: the second is not a re-referral of the first",
     [("a", "2016-01-10"), ("a", "2016-01-10")], [False, False]),
    ("same-day pair after an earlier referral: both are re-referrals",
     [("a", "2015-09-01"), ("a", "2016-01-10"), ("a", "2016-01-10")], [False, True, True]),
    ("the latest earlier referral is the one compared",
     [("a", "2013-01-01"), ("a", "2015-06-01"), ("a", "2016-05-31")], [False, False, True]),
    ("chain: each within 12 months of the one before",
     [("a", "2015-01-01"), ("a", "2015-11-01"), ("a", "2016-09-01")], [False, True, True]),
    ("different children are not linked", [("a", "2016-01-01"), ("b", "2016-02-01")],
     [False, False]),
    ("unsorted input: flags follow the input rows",
     [("a", "2016-05-01"), ("b", "2016-01-01"), ("a", "2016-01-01"), ("b", "2014-12-31")],
     [True, False, False, False]),
    ("missing child IDs are never flagged nor linked",
     [("", "2016-01-01"), (None, "2016-02-01"), (np.nan, "2016-03-01"), ("  ", "2016-04-01")],
     [False, False, False, False]),
    ("a missing ID does not count as the previous referral",
     [("a", "2014-01-01"), ("", "2015-12-01"), ("a", "2016-01-01")], [False, False, False]),
    ("numeric child IDs", [(7, "2016-01-01"), (7, "2016-03-01"), (8, "2016-03-01")],
     [False, True, False]),
]


@pytest.mark.parametrize(("case", "rows", "expected"), CASES, ids=[c[0] for c in CASES])
def test_flag_rereferrals_cases(case, rows, expected):
    assert flags(rows) == expected


def test_flags_align_to_a_non_default_index_and_accept_datetimes():
    table = referrals([("a", "2016-05-01"), ("a", "2016-01-01")], index=["x", "y"])
    table["referral_date"] = pd.to_datetime(table["referral_date"])
    result = flag_rereferrals(table)
    assert result.index.tolist() == ["x", "y"]
    assert result.to_dict() == {"x": True, "y": False}
    assert result.name == "rereferral" and result.dtype == bool


def test_flags_do_not_depend_on_row_order():
    rng = np.random.default_rng(5)
    n = 2_000
    table = pd.DataFrame({
        "child_id": rng.integers(0, 300, n).astype(str),
        "referral_date": np.datetime64("2014-01-01") + rng.integers(0, 1_500, n),
    })
    forward = flag_rereferrals(table)
    shuffled = table.sample(frac=1, random_state=3)
    assert flag_rereferrals(shuffled).sort_index().equals(forward)
    assert 0.2 < forward.mean() < 0.9


def test_flags_match_a_per_child_loop():
    rng = np.random.default_rng(11)
    n = 3_000
    days = rng.integers(0, 2_000, n)
    table = pd.DataFrame({
        "child_id": rng.integers(0, 500, n).astype(str),
        "referral_date": (np.datetime64("2012-02-01") + days).astype("datetime64[D]"),
    })
    expected = []
    for child, date in zip(table["child_id"], table["referral_date"], strict=True):
        before = table["referral_date"][(table["child_id"] == child)
                                        & (table["referral_date"] < date)]
        cutoff = date - pd.DateOffset(months=12)
        expected.append(bool((before >= cutoff).any()))
    assert flag_rereferrals(table).tolist() == expected


def test_missing_child_ids_are_reported():
    table = referrals([("a", "2016-01-01"), ("", "2016-01-02"), (None, "2016-01-03")])
    with pytest.warns(MissingChildIdWarning, match="2 referral"):
        flag_rereferrals(table)
    assert missing_child_ids(table).tolist() == [False, True, True]


def test_no_warning_without_missing_ids():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flag_rereferrals(referrals([("a", "2016-01-01")]))


def test_empty_input():
    assert flag_rereferrals(referrals([])).tolist() == []


@pytest.mark.parametrize(("table", "message"), [
    (pd.DataFrame({"child_id": ["a"]}), "missing column.*referral_date"),
    (pd.DataFrame({"referral_date": ["2016-01-01"]}), "missing column.*child_id"),
    (referrals([("a", "2016-02-30")]), "referral_date must be a date"),
    (referrals([("a", None)]), "referral_date must be a date"),
    (referrals([("a", "soon")]), "value 'soon'"),
    ([("a", "2016-01-01")], "must be a pandas DataFrame"),
])
def test_flag_rereferrals_rejects_bad_input(table, message):
    with pytest.raises(ValueError, match=message):
        flag_rereferrals(table)


# ----------------------------------------------------------------------------------------------
# rereferral_summary

def test_rereferral_summary_counts_across_the_year_boundary():
    table = pd.DataFrame({
        "child_id": ["a", "a", "b", "", "c"],
        "referral_date": ["2015-03-20", "2015-04-10", "2015-05-01", "2015-06-01", "2016-04-01"],
        "area_code": "E10000028",
    })
    with pytest.warns(MissingChildIdWarning):
        summary = rereferral_summary(table)
    assert summary[["financial_year", "referrals", "rereferrals", "missing_child_id"]
                   ].values.tolist() == [["2014-15", 1, 0, 0], ["2015-16", 3, 1, 1],
                                         ["2016-17", 1, 0, 0]]
    assert summary["percent"].round(4).tolist() == [0.0, 33.3333, 0.0]


def test_rereferral_summary_total_and_given_flags():
    table = referrals([("a", "2016-01-01"), ("a", "2016-02-01")])
    total = rereferral_summary(table, by=None)
    assert total[["referrals", "rereferrals", "missing_child_id"]].values.tolist() == [[2, 1, 0]]
    given = rereferral_summary(table, by=None, flags=pd.Series([True, True]))
    assert given["rereferrals"].tolist() == [2]
    with pytest.raises(ValueError, match="same index"):
        rereferral_summary(table, by=None, flags=pd.Series([True], index=[5]))


# ----------------------------------------------------------------------------------------------
# months_to_rereferral

def test_months_to_rereferral_events_and_censoring():
    table = pd.DataFrame({
        "child_id": ["a", "a", "a", "b", "c", "c", "d", "d"],
        "referral_date": ["2014-12-01", "2015-05-01", "2015-08-01",   # a: first in period May
                          "2015-06-15",                               # b: never again
                          "2015-07-01", "2015-07-01",                 # c: same day only
                          "2016-02-01", "2017-02-01"],                # d: back a year later
        "outcome": ["x", "nfa", "y", "cin", "cpp", "z", "nfa", "w"],
    })
    result = months_to_rereferral(table, "2015-04-01", "2016-03-31", data_end="2017-03-31")
    assert result["child_id"].tolist() == ["a", "b", "c", "d"]
    assert result["outcome"].tolist() == ["nfa", "cin", "cpp", "nfa"]
    assert result["event"].tolist() == [True, False, False, True]
    days = [92, 655, 639, 366]  # to 1 Aug 2015; censored 31 Mar 2017 (twice); to 1 Feb 2017
    assert np.allclose(result["months"], np.array(days) / (365.25 / 12))
    assert result["next_referral_date"].isna().tolist() == [False, True, True, False]


def test_months_to_rereferral_default_data_end_and_late_events_ignored():
    table = referrals([("a", "2015-05-01"), ("a", "2017-05-01"), ("b", "2015-06-01")])
    default = months_to_rereferral(table, "2015-04-01", "2016-03-31")
    assert default["event"].tolist() == [True, False]
    early = months_to_rereferral(table, "2015-04-01", "2016-03-31", data_end="2016-12-31")
    assert early["event"].tolist() == [False, False]
    assert early["months"].round(3).tolist() == [round(610 / (365.25 / 12), 3),
                                                 round(579 / (365.25 / 12), 3)]


def test_months_to_rereferral_rejects_bad_periods():
    table = referrals([("a", "2015-05-01")])
    with pytest.raises(ValueError, match="before start"):
        months_to_rereferral(table, "2016-04-01", "2015-03-31")
    with pytest.raises(ValueError, match="data_end"):
        months_to_rereferral(table, "2016-04-01", "2017-03-31", data_end="2015-01-01")
    with pytest.raises(ValueError, match="start must be a date"):
        months_to_rereferral(table, "whenever", "2017-03-31")


# ----------------------------------------------------------------------------------------------
# financial_year and academic_year

YEARS = [
    ("2016-03-31", "2015-16", "2015/16"),
    ("2016-04-01", "2016-17", "2015/16"),
    ("2016-08-31", "2016-17", "2015/16"),
    ("2016-09-01", "2016-17", "2016/17"),
    ("1999-12-31", "1999-00", "1999/00"),
    ("2000-01-01", "1999-00", "1999/00"),
]


@pytest.mark.parametrize(("date", "financial", "academic"), YEARS)
def test_year_labels(date, financial, academic):
    assert financial_year(date) == financial
    assert academic_year(date) == academic


def test_year_labels_keep_shape_and_missing():
    dates = pd.Series(pd.to_datetime(["2016-03-31", None, "2016-09-01"]), index=[4, 5, 6])
    result = financial_year(dates)
    assert result.index.tolist() == [4, 5, 6] and result.name == "financial_year"
    assert result.iloc[0] == "2015-16" and pd.isna(result.iloc[1])
    array = academic_year(np.array(["2016-03-31", "2016-09-01"], dtype="datetime64[D]"))
    assert isinstance(array, np.ndarray) and array.tolist() == ["2015/16", "2016/17"]
    with pytest.raises(ValueError, match="dates"):
        financial_year(["not a date"])


# ----------------------------------------------------------------------------------------------
# pool_years

def test_pool_years_three_year_periods():
    data = pd.DataFrame({
        "area_code": ["A"] * 5 + ["B"] * 3,
        "year": [2015, 2016, 2017, 2018, 2019, 2017, 2019, 2020],
        "live_births": [100, 110, 120, 130, 140, 10, 20, 30],
        "infant_deaths": [1, 2, 3, 4, 5, 0, 1, 0],
    })
    pooled = pool_years(data)
    assert pooled[["area_code", "period", "live_births", "infant_deaths"]].values.tolist() == [
        ["A", "2015-17", 330, 6], ["A", "2016-18", 360, 9], ["A", "2017-19", 390, 12],
    ]  # B has no three consecutive years (2018 absent)
    assert pooled[["start_year", "end_year"]].values.tolist() == [[2015, 2017], [2016, 2018],
                                                                  [2017, 2019]]


def test_pool_years_groups_nan_and_single_years():
    data = pd.DataFrame({
        "area_code": "A", "imd_quintile": [1, 1, 2, 2], "year": [1999, 2000, 1999, 2000],
        "live_births": [5.0, np.nan, 7.0, 8.0],
    })
    pooled = pool_years(data, "live_births", years=2, by=["area_code", "imd_quintile"])
    assert pooled["period"].tolist() == ["1999-00", "1999-00"]
    assert np.isnan(pooled["live_births"].iloc[0]) and pooled["live_births"].iloc[1] == 15
    single = pool_years(data, "live_births", years=1, by="imd_quintile")
    assert single["period"].tolist() == ["1999", "2000", "1999", "2000"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"years": 0}, "at least 1"),
    ({"years": 2.5}, "whole number"),
    ({"value_cols": "deaths"}, "missing column"),
])
def test_pool_years_rejects_bad_arguments(kwargs, message):
    data = pd.DataFrame({"area_code": "A", "year": [2015], "live_births": [1],
                         "infant_deaths": [0]})
    with pytest.raises(ValueError, match=message):
        pool_years(data, **kwargs)


def test_pool_years_rejects_duplicate_years_and_fractional_years():
    twice = pd.DataFrame({"area_code": "A", "year": [2015, 2015], "live_births": [1, 2],
                          "infant_deaths": [0, 0]})
    with pytest.raises(ValueError, match="twice"):
        pool_years(twice)
    with pytest.raises(ValueError, match="whole-number year"):
        pool_years(twice.assign(year=[2015.5, 2016]))
