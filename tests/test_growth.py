"""Tests for jsnalib.methods.growth against the national calculator (rcpchgrowth) and NCMP thresholds."""

from __future__ import annotations

import datetime as dt
import json
import os
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rcpchgrowth import Measurement
from rcpchgrowth.bmi_functions import bmi_from_height_weight
from rcpchgrowth.date_calculations import chronological_decimal_age
from rcpchgrowth.global_functions import centile as rcpch_centile
from rcpchgrowth.global_functions import measurement_from_sds, sds_for_measurement
from scipy.special import ndtri

from jsnalib.methods import growth

REPO = Path(__file__).resolve().parents[1]
SDS_FUNCTIONS = {"bmi": growth.bmi_sds, "height": growth.height_sds, "weight": growth.weight_sds}


def rcpch_sds(measurement, values, ages, sexes):
    return np.array([
        sds_for_measurement(reference="uk-who", age=float(age), measurement_method=measurement,
                            observation_value=float(value), sex=str(sex))
        for value, age, sex in zip(values, ages, sexes, strict=True)
    ])


def uk90_rows(measurement, sex):
    """The UK90 table as rcpchgrowth ships it, read from the installed package."""
    text = resources.files("rcpchgrowth.data_tables").joinpath("uk90_child.json").read_text()
    return json.loads(text)["measurement"][measurement][sex]


# ------------------------------------------------------------------ agreement with rcpchgrowth

def test_bmi_sds_equals_rcpchgrowth_for_10000_children_aged_4_to_12():
    rng = np.random.default_rng(20240401)
    n = 10_000
    age = rng.uniform(4, 12, n)
    value = rng.uniform(11, 36, n)
    sex = rng.choice(np.array(growth.SEXES), n)
    expected = rcpch_sds("bmi", value, age, sex)
    np.testing.assert_allclose(growth.bmi_sds(value, age, sex), expected, rtol=0, atol=1e-6)


# ages at the edges of the table and of rcpchgrowth's branches: exact rows, rows matched after
# rounding to 4 d.p., the linear first and last intervals, the cubic interval next to the last,
# and ages from whole days that land exactly on a row (1461 days = 4 y, 1948 days = 5.3333 y)
# ages exactly half a unit of the 4th decimal from a row (4.08325, 4.08335, 4.99995, ...) test
# the rounding itself
EDGE_AGES = [4.0, 4.00001, 4.00004, 4.00005, 4.00006, 4.04, 4.08325, 4.0833, 4.083333333,
             4.08335, 4.08338, 4.1, 4.99995, 4.99996, 5.0, 5.00004, 5.00005, 5.00006,
             1948 / 365.25, 2435 / 365.25, 11.99995, 11.99999, 12.0, 12.00005, 12.5, 19.8,
             19.85, 19.9, 19.95, 19.99, 19.99994, 19.99995, 19.99996, 20.0]


@pytest.mark.parametrize("sex", growth.SEXES)
@pytest.mark.parametrize("measurement, typical",
                         [("bmi", 18.0), ("height", 140.0), ("weight", 35.0)])
def test_sds_equals_rcpchgrowth_at_table_edges_and_across_4_to_20(measurement, typical, sex):
    rng = np.random.default_rng(7)
    age = np.concatenate([EDGE_AGES, rng.uniform(4, 20, 300)])
    value = typical * rng.uniform(0.6, 1.6, age.size)
    expected = rcpch_sds(measurement, value, age, [sex] * age.size)
    actual = SDS_FUNCTIONS[measurement](value, age, sex)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-6)


def test_bmi_sds_equals_rcpchgrowth_at_every_whole_day_of_age_from_4_to_12():
    # ages from dates are whole days / 365.25; some land exactly on a table row
    age = np.arange(1461, 4384) / 365.25
    sex = np.where(np.arange(age.size) % 2 == 0, "male", "female")
    value = 16.0 + 4.0 * np.sin(np.arange(age.size))
    expected = rcpch_sds("bmi", value, age, sex)
    np.testing.assert_allclose(growth.bmi_sds(value, age, sex), expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("measurement", ["bmi", "height", "weight"])
@pytest.mark.parametrize("sex", growth.SEXES)
def test_sds_is_zero_at_the_tabulated_median(measurement, sex):
    rows = uk90_rows(measurement, sex)
    ages = np.array([row["decimal_age"] for row in rows])
    medians = np.array([row["M"] for row in rows])
    np.testing.assert_allclose(SDS_FUNCTIONS[measurement](medians, ages, sex), 0, atol=1e-12)


def test_pipeline_from_dates_equals_rcpchgrowth_measurement():
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(40):
        born = dt.date(2008, 9, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
        measured = born + dt.timedelta(days=int(rng.integers(1461, 4383)))
        rows.append((born, measured, rng.choice(growth.SEXES), rng.uniform(95, 160),
                     rng.uniform(14, 70)))
    born, measured, sex, height, weight = (list(column) for column in zip(*rows, strict=True))

    age = growth.age_in_years(pd.Series(born).astype(str), pd.Series(measured).astype(str))
    value = growth.bmi(height, weight)
    sds = growth.bmi_sds(value, age, pd.Series(sex))

    expected_bmi = [bmi_from_height_weight(h, w) for h, w in zip(height, weight, strict=True)]
    np.testing.assert_allclose(value, expected_bmi, rtol=1e-15)
    results = [Measurement(birth_date=b, observation_date=m, measurement_method="bmi",
                           observation_value=v, reference="uk-who", sex=s).measurement
               for b, m, v, s in zip(born, measured, value, sex, strict=True)]
    np.testing.assert_allclose(
        age, [r["measurement_dates"]["chronological_decimal_age"] for r in results], atol=0)
    calculated = [r["measurement_calculated_values"] for r in results]
    np.testing.assert_allclose(sds, [c["chronological_sds"] for c in calculated], atol=1e-6)
    np.testing.assert_allclose(growth.centile(sds),
                               [c["chronological_centile"] for c in calculated], atol=1e-6)


def test_age_in_years_equals_rcpchgrowth_decimal_age():
    rng = np.random.default_rng(11)
    born = [dt.date(2000, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 8000, 500)]
    measured = [b + dt.timedelta(days=int(d))
                for b, d in zip(born, rng.integers(0, 7000, 500), strict=True)]
    expected = [chronological_decimal_age(b, m) for b, m in zip(born, measured, strict=True)]
    np.testing.assert_array_equal(growth.age_in_years(born, measured), expected)


def test_age_in_years_ignores_time_of_day_and_propagates_missing_dates():
    age = growth.age_in_years(["2012-03-04", None, "2012-03-04"],
                              ["2017-06-01 23:59", "2017-06-01", pd.NaT])
    assert age[0] == 1915 / 365.25
    assert np.isnan(age[1:]).all()


def test_centile_equals_rcpchgrowth():
    sds = np.linspace(-4, 4, 81)
    np.testing.assert_allclose(growth.centile(sds), [rcpch_centile(z) for z in sds], rtol=1e-15)


# ------------------------------------------------------------------ inverse for the generator

def test_bmi_from_sds_round_trips_with_bmi_sds():
    rng = np.random.default_rng(5)
    n = 20_000
    sds = rng.uniform(-5, 4.8, n)  # UK90 BMI SDS cannot exceed 4.83 (boys, about 11 years)
    age = np.concatenate([EDGE_AGES, rng.uniform(4, 20, n - len(EDGE_AGES))])
    sex = rng.choice(np.array(growth.SEXES), n)
    value = growth.bmi_from_sds(sds, age, sex)
    np.testing.assert_allclose(growth.bmi_sds(value, age, sex), sds, rtol=0, atol=1e-9)


def test_bmi_from_sds_equals_rcpchgrowth_measurement_from_sds():
    rng = np.random.default_rng(9)
    sds = rng.uniform(-4, 4, 200)
    age = rng.uniform(4, 20, 200)
    for sex in growth.SEXES:
        expected = [measurement_from_sds(reference="uk-who", requested_sds=float(z),
                                         measurement_method="bmi", sex=sex, age=float(a))
                    for z, a in zip(sds, age, strict=True)]
        # rcpchgrowth rounds its answer to 4 decimal places
        np.testing.assert_allclose(growth.bmi_from_sds(sds, age, sex), expected, atol=5.1e-5)


def test_bmi_from_sds_refuses_an_sds_beyond_the_curve():
    with pytest.raises(ValueError, match="beyond the UK90 BMI curve"):
        growth.bmi_from_sds(12.0, 10.0, "male")


# ------------------------------------------------------------------ NCMP classification

@pytest.mark.parametrize("sds, category", [
    (-3.0, "underweight"),
    (-2.06, "underweight"),      # 2nd centile is SDS -2.054
    (-2.05, "healthy"),
    (0.0, "healthy"),
    (1.03, "healthy"),           # 85th centile is SDS 1.036
    (1.04, "overweight"),
    (1.64, "overweight"),        # 95th centile is SDS 1.645
    (1.65, "obese"),
    (2.65, "obese"),             # 99.6th centile is SDS 2.652
    (2.66, "severely obese"),
    (5.0, "severely obese"),
])
def test_classify_bmi_uses_ncmp_centile_thresholds(sds, category):
    assert growth.classify_bmi([sds])[0] == category


@pytest.mark.parametrize("threshold, category",
                         [(85.0, "overweight"), (95.0, "obese"), (99.6, "severely obese")])
def test_classify_bmi_puts_a_centile_exactly_on_a_threshold_in_the_higher_group(threshold,
                                                                                category):
    start = ndtri(threshold / 100)
    candidates = start + np.arange(-200, 201) * np.spacing(start)
    on_threshold = candidates[growth.centile(candidates) == threshold]
    assert on_threshold.size > 0
    assert (np.asarray(growth.classify_bmi(on_threshold)) == category).all()


def test_classify_bmi_returns_ordered_categorical_with_missing():
    result = growth.classify_bmi(pd.Series([np.nan, -1.0, 3.0]))
    assert isinstance(result, pd.Categorical)
    assert result.ordered
    assert list(result.categories) == list(growth.BMI_CATEGORIES)
    assert pd.isna(result[0]) and result[1] == "healthy" and result[2] == "severely obese"
    assert result[1] < result[2]


def test_ncmp_flags_give_the_published_unions():
    category = pd.Series(["underweight", "healthy", "overweight", "obese", "severely obese",
                          None], index=list("abcdef"))
    flags = growth.ncmp_flags(category)
    assert list(flags.index) == list("abcdef")
    expected = pd.DataFrame({
        "underweight": [True, False, False, False, False],
        "healthy_weight": [False, True, False, False, False],
        "overweight_incl_obese": [False, False, True, True, True],
        "obese_incl_severe": [False, False, False, True, True],
        "severely_obese": [False, False, False, False, True],
    }, index=list("abcde"), dtype="boolean")
    pd.testing.assert_frame_equal(flags.iloc[:5], expected)
    assert flags.loc["f"].isna().all()
    assert flags.sum().tolist() == [1, 1, 3, 2, 1]
    assert flags.count().tolist() == [5] * 5


def test_ncmp_flags_from_classify_bmi():
    flags = growth.ncmp_flags(growth.classify_bmi([-3.0, 1.2, 2.0, 3.0, np.nan]))
    assert flags["overweight_incl_obese"].sum() == 3
    assert flags["obese_incl_severe"].sum() == 2
    assert flags["severely_obese"].sum() == 1
    assert flags["underweight"].count() == 4


def test_ncmp_flags_rejects_unknown_categories():
    with pytest.raises(ValueError, match="category values must be among"):
        growth.ncmp_flags(["healthy", "very obese"])


# ------------------------------------------------------------------ inputs

@pytest.mark.parametrize("sex", [
    "female",
    ["female", "female"],
    np.array(["female", "female"]),
    pd.Series(["female", "female"]),
    pd.Series(["female", "female"], dtype="category"),
    pd.Categorical(["female", "female"]),
])
def test_sex_is_accepted_as_string_or_arrays(sex):
    expected = rcpch_sds("bmi", [17.0, 21.0], [5.5, 10.5], ["female", "female"])
    np.testing.assert_allclose(growth.bmi_sds([17.0, 21.0], [5.5, 10.5], sex), expected,
                               atol=1e-6)


def test_missing_values_give_nan_and_do_not_disturb_the_others():
    value = pd.Series([18.0, np.nan, 18.0, 18.0, 18.0], dtype="Float64")
    value[3] = pd.NA
    age = [7.0, 7.0, np.nan, 7.0, 7.0]
    sex = ["male", "male", "male", "male", None]
    result = growth.bmi_sds(value, age, sex)
    assert np.isfinite(result[0])
    assert np.isnan(result[1:]).all()
    assert result[0] == growth.bmi_sds(18.0, 7.0, "male")
    assert np.isnan(growth.bmi_from_sds([np.nan], [7.0], ["male"])).all()
    assert np.isnan(growth.centile([np.nan])).all()


@pytest.mark.parametrize("call, message", [
    (lambda: growth.bmi_sds(18, 7, "M"), "sex must be 'male' or 'female'"),
    (lambda: growth.bmi_sds([18, 18], [7, 7], ["male", "boy"]), "found 'boy'"),
    (lambda: growth.bmi_sds([18, 18], [7, 7], np.array(["male", "Male"])), "found 'Male'"),
    (lambda: growth.bmi_sds(18, 3.9, "male"), "age_years must be within the UK90"),
    (lambda: growth.bmi_sds(18, 20.01, "male"), "age_years must be within the UK90"),
    (lambda: growth.bmi_sds(18, np.inf, "male"), "age_years must be within the UK90"),
    (lambda: growth.bmi_sds(0, 7, "male"), "bmi must be a positive number of kg/m2"),
    (lambda: growth.bmi_sds([-1, 18], [7, 7], "male"), "bmi must be a positive number"),
    (lambda: growth.bmi_sds(np.inf, 7, "male"), "bmi must be a positive number"),
    (lambda: growth.bmi_sds("heavy", 7, "male"), "bmi must be numbers"),
    (lambda: growth.bmi_sds([18, 19, 20], [7, 8], "male"), "must have the same length"),
    (lambda: growth.height_sds(-120, 7, "male"), "height_cm must be a positive number of cm"),
    (lambda: growth.weight_sds(0, 7, "female"), "weight_kg must be a positive number of kg"),
    (lambda: growth.bmi_from_sds(np.inf, 7, "male"), "sds must be finite"),
    (lambda: growth.bmi_from_sds(1, 2, "male"), "age_years must be within the UK90"),
    (lambda: growth.bmi(0, 20), "height_cm must be a positive number of cm"),
    (lambda: growth.bmi(120, -20), "weight_kg must be a positive number of kg"),
    (lambda: growth.age_in_years("2020-01-02", "2020-01-01"), "before birth_date"),
    (lambda: growth.age_in_years("yesterday", "2020-01-01"), "birth_date must be dates"),
    (lambda: growth.flag_implausible(120, 20, 7, "male", limits={"bmi": (1, 8)}),
     "low < 0 < high"),
    (lambda: growth.flag_implausible(120, 20, 7, "male", limits={"ofc": (-5, 5)}),
     "limits must be keyed by"),
    (lambda: growth.flag_implausible(120, 20, 7, "male", limits={"bmi": 8}), "must be a pair"),
    (lambda: growth.modified_sds(18, 7, "male", measurement="ofc"), "measurement must be one"),
    (lambda: growth.implausible_summary(pd.DataFrame({"missing": [True]})),
     "must be the output of flag_implausible"),
])
def test_bad_inputs_raise_plain_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bmi_from_height_in_cm_and_weight_in_kg():
    np.testing.assert_allclose(growth.bmi([100, 150, np.nan], [20, 45, 30]), [20, 20, np.nan])


# ------------------------------------------------------------------ implausible values

def test_bmi_sds_has_a_ceiling_that_the_modified_sds_does_not():
    # an 11.4-year-old boy: no BMI, however large, has a UK90 BMI SDS above 4.83
    sds = growth.bmi_sds([40.0, 80.0, 500.0], 11.4, "male")
    assert (np.diff(sds) > 0).all() and (sds < 4.84).all()
    modified = growth.modified_sds([40.0, 80.0, 500.0], 11.4, "male")
    assert modified[0] > 5 and modified[2] > 100


@pytest.mark.parametrize("measurement", ["height", "weight", "bmi"])
@pytest.mark.parametrize("sex", growth.SEXES)
def test_modified_sds_definition(measurement, sex):
    rows = uk90_rows(measurement, sex)
    row = rows[len(rows) // 3]
    age, L, M, S = row["decimal_age"], row["L"], row["M"], row["S"]
    at_plus2 = M * (1 + 2 * L * S) ** (1 / L)
    at_minus2 = M * (1 - 2 * L * S) ** (1 / L)
    values = [at_minus2, M, at_plus2, M + 3 * (at_plus2 - M), M - 1.5 * (M - at_minus2)]
    expected = [-2, 0, 2, 6, -3]
    np.testing.assert_allclose(growth.modified_sds(values, age, sex, measurement), expected,
                               atol=1e-9)
    if measurement == "height":  # L = 1: the modified SDS is the SDS
        np.testing.assert_allclose(growth.height_sds(values, age, sex), expected, atol=1e-9)


def test_flag_implausible_names_each_reason_and_keeps_every_record():
    records = pd.DataFrame({
        #        typical heavy  short metres missing young  light  tall  light-bmi
        "height": [110.0, 110.0, 60.0, 1.2, np.nan, 110.0, 140.0, 185.0, 150.0],
        "weight": [19.0, 90.0, 19.0, 19.0, 19.0, 19.0, 12.0, 60.0, 20.0],
        "age": [5.0, 5.0, 5.0, 5.0, 5.0, 3.5, 11.0, 10.0, 11.0],
        "sex": ["male", "female", "male", "female", "male", "female", "male", "female", "male"],
    }, index=[f"p{i}" for i in range(9)])
    flags = growth.flag_implausible(records["height"], records["weight"], records["age"],
                                    records["sex"])
    assert list(flags.index) == list(records.index)
    reasons = {pupil: sorted(flags.columns[row.to_numpy()].drop("implausible", errors="ignore"))
               for pupil, row in flags.iterrows()}
    assert reasons == {
        "p0": [],
        "p1": ["bmi_high", "weight_high"],
        "p2": ["bmi_high", "height_low"],
        "p3": ["bmi_high", "height_low"],
        "p4": ["missing"],
        "p5": ["age_outside_reference"],
        "p6": ["bmi_low", "weight_low"],
        "p7": ["height_high"],
        "p8": ["bmi_low"],
    }
    assert flags["implausible"].tolist() == [False] + [True] * 8

    summary = growth.implausible_summary(flags).set_index("reason")
    assert summary.loc["bmi_high", "count"] == 3
    assert summary.loc["implausible", "count"] == 8
    assert summary.loc["missing", "percent"] == pytest.approx(100 / 9)
    assert summary.loc["bmi_low", "description"] == "BMI modified SDS below -4"
    assert summary.loc["height_high", "description"] == "height modified SDS above +4"


def test_flag_implausible_applies_the_modified_sds_and_given_limits():
    rng = np.random.default_rng(2)
    height = rng.uniform(90, 170, 500)
    weight = rng.uniform(10, 90, 500)
    age = rng.uniform(4, 12, 500)
    flags = growth.flag_implausible(height, weight, age, "female",
                                    limits={"bmi": (-3, 3), "height": (-2.5, 2.5)})
    bmi_modified = growth.modified_sds(growth.bmi(height, weight), age, "female")
    np.testing.assert_array_equal(flags["bmi_high"], bmi_modified > 3)
    np.testing.assert_array_equal(flags["bmi_low"], bmi_modified < -3)
    np.testing.assert_array_equal(flags["height_low"],
                                  growth.height_sds(height, age, "female") < -2.5)
    weight_modified = growth.modified_sds(weight, age, "female", measurement="weight")
    np.testing.assert_array_equal(flags["weight_high"], weight_modified > 8)
    assert flags["bmi_high"].any() and flags["height_low"].any()
    descriptions = growth.implausible_summary(flags).set_index("reason")["description"]
    assert descriptions["bmi_high"] == "BMI modified SDS above +3"
    assert descriptions["weight_low"] == "weight modified SDS below -5"


# ------------------------------------------------------------------ provenance

def test_reference_is_read_from_the_installed_package_not_copied():
    assert f"rcpchgrowth {version('rcpchgrowth')}" in growth.reference_source()
    copies = []
    for _folder, subfolders, files in os.walk(REPO):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        copies += [name for name in files if "uk90" in name.lower()]
    assert copies == []
