"""Readings that a statistician would sign (issue 12, item 6): differences with their interval
instead of overlapping intervals, no county figure counted as a district's own result, honest
projections, and no better/worse judgement for re-referrals."""

from __future__ import annotations

import dataclasses
import json
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import DISTRICTS, STAFFORDSHIRE

from jsnalib import indicators
from jsnalib.chapters import infant_mortality, obesity, profiles
from jsnalib.chapters.rereferral import text as rr_text
from jsnalib.methods import stats
from jsnalib.methods.difference import difference_from_intervals, proportion_difference_ci

rr = import_module("jsnalib.chapters.rereferral.analyse")  # the module, not the function

REPO = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------------------------
# (a) the difference of two proportions


@pytest.mark.parametrize(("counts", "expected"), [
    # Newcombe RG (1998) Stat Med 17:873-890, Table II, method 10
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
])
def test_newcombe_hybrid_score_interval_matches_the_published_values(counts, expected):
    _, lower, upper = proportion_difference_ci(*counts)
    assert (float(lower), float(upper)) == pytest.approx(expected, abs=5e-5)


def test_overlapping_intervals_can_still_differ():
    (l1, u1), (l2, u2) = (stats.wilson_ci(x, 1000) for x in (270, 230))
    assert l1 < u2  # the two 95% intervals overlap ...
    d, lower, upper = proportion_difference_ci(270, 1000, 230, 1000)
    assert d == pytest.approx(0.04) and lower > 0  # ... but the difference excludes zero
    same = difference_from_intervals(0.27, l1, u1, 0.23, l2, u2)
    assert np.allclose([same[1], same[2]], [lower, upper])


def _annual(pairs):
    frame = pd.DataFrame({"financial_year": ["2022-23", "2023-24"],
                          "referrals": [n for n, _ in pairs],
                          "rereferrals": [k for _, k in pairs], "missing_child_id": 0})
    return rr._proportions(frame, "rereferrals", "referrals", 0.95)


def _series_reading(annual: pd.DataFrame) -> str:
    return rr_text.series(SimpleNamespace(area_name="Somewhere", confidence=0.95,
                                          synthetic_records=False, dfe=annual.iloc[:0],
                                          **rr.annual_summary(annual)))


def test_series_reading_tests_the_change_not_the_overlap():
    text = _series_reading(_annual([(1000, 270), (1000, 230)]))
    assert "overlap" not in text
    assert ("The change from 2022-23 to 2023-24 is -4.0 percentage points (95% CI -7.8 to "
            "-0.2): the whole interval is on one side of no difference, so it is unlikely to "
            "be chance.") in text
    text = _series_reading(_annual([(1000, 250), (1000, 240)]))
    assert "the interval includes no difference, so it may be chance" in text


def test_survival_reading_tests_the_difference():
    rows = []
    for outcome, (n, x) in {"no_further_action": (1000, 270),
                            "child_in_need": (1000, 230)}.items():
        lower, upper = stats.wilson_ci(x, n)
        rows.append({"outcome": outcome, "time": 12.0, "people": n, "events": x,
                     "cumulative_percent": 100 * x / n, "cumulative_lower": 100 * lower,
                     "cumulative_upper": 100 * upper})
    summary = rr.timing_summary(pd.DataFrame(rows), 12)
    assert summary["time_gap"].verdict == "higher"
    text = rr_text.timing(SimpleNamespace(confidence=0.95, **summary))
    assert "overlap" not in text
    assert "is +4.0 percentage points (95% CI +0.2 to +7.8)" in text
    assert "unlikely to be chance" in text


def test_no_chapter_reads_overlapping_intervals_as_a_test():
    for path in sorted((REPO / "src" / "jsnalib" / "chapters").rglob("*.py")):
        source = path.read_text()
        assert "intervals overlap" not in source and "do not overlap" not in source, path.name


# ----------------------------------------------------------------------------------------------
# (b) a district's tally counts only its own figures


def test_district_tally_leaves_out_the_county_figure(indicator_data):
    results = profiles.analyse(profiles.Inputs(indicator_data), [DISTRICTS[0]])
    compared = results.compared.copy()
    borrowed = compared["value_from"] == STAFFORDSHIRE
    assert borrowed.any()
    # rate the county's figure as if it had a polarity: it must still not count for the district
    compared.loc[borrowed, "polarity"] = "low_is_good"
    compared.loc[borrowed, "vs_england"] = "better"
    own = compared[~borrowed & (compared["polarity"] != "no_judgement")]
    results = dataclasses.replace(results, compared=compared)
    text = profiles.text.headline(results)
    assert f"**better on {int((own['vs_england'] == 'better').sum())}**" in text
    assert "Staffordshire's figure, not Cannock Chase's own, so not counted here" in text
    reading = profiles.text.summary_reading(results)
    assert reading.endswith(f"Better on {int((own['vs_england'] == 'better').sum())}.")


# ----------------------------------------------------------------------------------------------
# (c) projections


def _obesity_model(dispersion):
    data = pd.DataFrame({"year": [2010, 2023], "school_year": ["R", "R"]})
    return SimpleNamespace(data=data, confidence=0.95, indicator="excess_weight",
                           fit=SimpleNamespace(dispersion=dispersion),
                           fit_verdict="poor fit" if dispersion > 1.5 else "ok")


def _obesity_projection():
    return pd.DataFrame({"school_year": ["R"], "year": [2029], "academic_year": ["2029/30"],
                         "value": [25.0], "lower_ci": [23.0], "upper_ci": [27.0],
                         "lower_pi": [22.0], "upper_pi": [28.0], "cohort": [3000]})


def test_obesity_projection_says_if_the_trend_continues_and_flags_a_poor_fit():
    good = obesity.text.projection(SimpleNamespace(model=_obesity_model(1.2),
                                                   projection=_obesity_projection()))
    assert good.startswith("If the trend since 2010/11 continues unchanged:")
    assert "fits poorly" not in good
    poor = obesity.text.projection(SimpleNamespace(model=_obesity_model(3.4),
                                                   projection=_obesity_projection()))
    assert poor.endswith("The model fits poorly (the years vary 3.4 times as much as chance "
                         "alone would explain); treat the projection with caution.")


def test_infant_mortality_projection_says_if_the_trend_continues_and_flags_a_poor_fit():
    projected = pd.DataFrame({"year": [2030], "rate": [4.1], "lower_pi": [2.0],
                              "upper_pi": [6.5]})
    bench = pd.Series({"rate": 3.9, "period": "2021-23"})
    fields = {"projected": projected, "benchmark_latest": bench, "area_name": "Stoke-on-Trent",
              "comparator_name": "England", "years": "2006-2023", "confidence": 0.95,
              "projection": "central above"}
    good = infant_mortality.text.projection(SimpleNamespace(
        **fields, fit_quality="adequate", fit=SimpleNamespace(dispersion=1.1)))
    poor = infant_mortality.text.projection(SimpleNamespace(
        **fields, fit_quality="poor fit", fit=SimpleNamespace(dispersion=2.0)))
    assert good.startswith("If the 2006-2023 trend continues, Stoke-on-Trent's rate in 2030")
    assert "fits poorly" not in good
    assert poor.endswith("treat the projection with caution.")


# ----------------------------------------------------------------------------------------------
# (d) re-referrals carry no better/worse judgement


def test_rereferrals_are_rated_higher_or_lower_everywhere():
    assert indicators.indicator("rereferrals").polarity == "no_judgement"
    notebook = json.loads((REPO / "notebooks" / "rereferral.ipynb").read_text())
    source = ["".join(cell["source"]) for cell in notebook["cells"]]
    assert 'polarity = "no_judgement"' in source[1]
    assert "not whether it is better or worse" in source[0]
    assert "threshold for accepting a referral is set too high" in source[0]
    annual = _annual([(1000, 180), (1000, 180)])
    bench = pd.DataFrame({"series": ["E92000001"], "name": ["England"],
                          "financial_year": ["2023-24"], "referrals": [10000],
                          "rereferrals": [2200], "areas": [1]})
    bench = rr._proportions(bench, "rereferrals", "referrals", 0.95)
    table = rr.comparison_table(annual, bench, "Somewhere", "2023-24")
    assert table["verdict"].iloc[1] == "lower"
