"""A chapter and the profiles/summary give the same count, denominator, value and limits for
every figure they both show, for every area (issue 11: one definition of each rule)."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jsnalib import indicators
from jsnalib.chapters import infant_mortality as im
from jsnalib.chapters import rereferral as rr

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def indicator_data() -> indicators.IndicatorData:
    return indicators.IndicatorData.load(DATA)


def test_infant_mortality_is_the_same_figure_on_the_chapter_and_the_profiles(indicator_data):
    areas = indicator_data.geography.jsna_areas()
    rates = importlib.import_module("jsnalib.chapters.infant_mortality.analyse").rates
    inputs = im.load(DATA, areas[0])
    with_births = set(inputs.births_deaths["area_code"])
    areas = [a for a in areas if a in with_births]
    assert areas, "no JSNA area has births and deaths"
    chapter = rates(inputs.births_deaths, inputs.geography, areas, pool=3)
    profile = indicators.infant_mortality(indicator_data, areas)
    merged = chapter.merge(profile, on=["area_code", "period"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both",
                                                          ["area_code", "period"]]
    np.testing.assert_array_equal(merged["infant_deaths"].astype(float), merged["count"])
    np.testing.assert_array_equal(merged["live_births"].astype(float), merged["denominator"])
    for chapter_column, profile_column in (("rate", "value"), ("lower_x", "lower_y"),
                                           ("upper_x", "upper_y")):
        np.testing.assert_allclose(merged[chapter_column].astype(float),
                                   merged[profile_column].astype(float), rtol=1e-12, equal_nan=True)

@pytest.mark.parametrize("area_code", ["E10000028", "E06000021"])
def test_rereferrals_are_the_same_figure_on_the_chapter_and_the_profiles(indicator_data, area_code):
    from jsnalib.chapters.rereferral.analyse import annual_series, first_full_year

    records = rr.load(DATA, area_code).records
    years = [first_full_year(records), records["financial_year"].max()]
    annual = annual_series(records, years)
    profile = indicators.rereferrals(indicator_data, [area_code])
    merged = annual.merge(profile, left_on="financial_year", right_on="period", how="outer",
                          indicator=True)
    complete = merged[merged["_merge"] == "both"]
    assert len(complete) == len(annual), "a year on the chapter is missing from the profiles"
    assert (merged["_merge"] != "left_only").all()
    np.testing.assert_array_equal(complete["referrals"].astype(float), complete["denominator"])
    np.testing.assert_array_equal(complete["rereferrals"].astype(float), complete["count"])
    np.testing.assert_allclose(complete["percent"], complete["value"], rtol=1e-12)
    np.testing.assert_allclose(complete["lower_x"], complete["lower_y"], rtol=1e-12)
    np.testing.assert_allclose(complete["upper_x"], complete["upper_y"], rtol=1e-12)
    assert pd.api.types.is_numeric_dtype(complete["value"])


@pytest.mark.parametrize("area_code", ["E06000021", "E10000028", "E07000199"])
def test_child_weight_is_the_same_figure_on_the_chapter_and_the_profiles(indicator_data, area_code):
    from jsnalib.chapters import obesity

    results = obesity.analyse(obesity.load(DATA, area_code))
    chapter = results.table[(results.table["sex"] == "persons")
                            & results.table["indicator"].isin(["excess_weight", "obese"])]
    for measure, school_year in (("excess_weight", "R"), ("excess_weight", "6"),
                                 ("obese", "R"), ("obese", "6")):
        function = indicators.excess_weight if measure == "excess_weight" else indicators.obesity
        profile = function(indicator_data, [area_code], school_year=school_year)
        ours = chapter[(chapter["indicator"] == measure) & (chapter["school_year"] == school_year)]
        merged = ours.merge(profile, left_on="academic_year", right_on="period", how="inner")
        assert len(merged) == len(profile) > 0, (measure, school_year)
        np.testing.assert_array_equal(merged["count_x"], merged["count_y"])
        np.testing.assert_array_equal(merged["denominator_x"], merged["denominator_y"])
        for column in ("value", "lower", "upper"):
            np.testing.assert_allclose(merged[f"{column}_x"], merged[f"{column}_y"], rtol=1e-12)
