"""Fingertips' recent-trend rule (issue 12.2): jsnalib.stats.recent_trend and the profile arrows.

The rule (OHID Fingertips technical guidance, recent trends): the latest five points, unbroken;
the chi-square test for trend above 9.5495 (99.8%, 1 df); and a slope whose sign survives
dropping each point in turn. The old profile test called any p < 0.05 on 3-5 points a trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps

import jsnalib.stats
from jsnalib import indicators
from jsnalib.chapters.profiles import text
from jsnalib.chapters.profiles.analyse import recent_trend
from jsnalib.methods import stats


def test_stable_name_is_the_same_function():
    assert jsnalib.stats.recent_trend is stats.recent_trend


def test_critical_value_is_the_998_point_of_chi_square_on_one_df():
    assert stats.RECENT_TREND_CRITICAL == pytest.approx(sps.chi2.ppf(0.998, 1))
    assert round(stats.RECENT_TREND_CRITICAL, 4) == 9.5495


def test_issue_example_is_no_significant_change():
    test = stats.recent_trend_test([250, 241, 232, 224, 214], [1500] * 5)
    assert round(test["statistic"], 2) == 4.04
    assert stats.recent_trend([250, 241, 232, 224, 214], [1500] * 5) == "no significant change"


def test_issue_example_was_getting_better_on_the_profile_and_now_is_not():
    rows = pd.DataFrame({"area_code": "X", "period": [str(y) for y in range(2019, 2024)],
                         "time": range(2019, 2024), "count": [250, 241, 232, 224, 214],
                         "denominator": 1500})
    item = indicators.indicator("reception_excess_weight")
    result = recent_trend(rows, item)
    assert text.trend_label(result["direction"], item.polarity) == "no significant change"


def test_proportion_statistic_is_cochran_armitage():
    x, n = [100, 120, 150, 170, 200], [1000] * 5
    expected = stats.trend_test(x, n, range(5))
    test = stats.recent_trend_test(x, n)
    assert test["statistic"] == pytest.approx(expected["statistic"], rel=1e-12)
    assert test["slope"] == pytest.approx(expected["slope"], rel=1e-12)
    assert test["direction"] == "increasing"


def test_rate_statistic_is_the_poisson_score_test():
    # the score test of slope 0 in a Poisson log-linear model with log(denominator) offset
    x = np.array([160.0, 130, 105, 85, 60])
    n = np.array([10_000.0, 10_400, 10_900, 11_200, 11_000])
    t = np.arange(5.0)
    null = sm.GLM(x, np.ones((5, 1)), offset=np.log(n), family=sm.families.Poisson()).fit()
    mu = null.fittedvalues
    u = (t * (x - mu)).sum()
    information = (mu * t**2).sum() - (mu * t).sum() ** 2 / mu.sum()
    test = stats.recent_trend_test(x, n, kind="rate")
    assert test["statistic"] == pytest.approx(u**2 / information, rel=1e-10)
    assert test["direction"] == "decreasing"


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        ([100, 120, 150, 170], [1000] * 4, "cannot be calculated"),  # four points
        ([100, 120, np.nan, 170, 200], [1000] * 5, "cannot be calculated"),  # broken
        ([100, 120, 150, 170, 200], [1000, 1000, np.nan, 1000, 1000], "cannot be calculated"),
        ([0, 0, 0, 0, 0], [1000] * 5, "cannot be calculated"),  # no events
        ([np.nan, 100, 120, 150, 170, 200], [1000] * 6, "increasing"),  # only the latest five
        ([300, 280, 250, 230, 200], [1500] * 5, "decreasing"),
    ],
)
def test_needs_five_unbroken_points(numerator, denominator, expected):
    assert stats.recent_trend(numerator, denominator) == expected


def test_a_trend_made_by_one_point_is_no_significant_change():
    # flat then one high year: chi-square far above 9.5495, but without the last point the
    # slope is zero, so the direction does not survive
    x, n = [100, 100, 100, 100, 200], [1000] * 5
    assert stats.recent_trend_test(x, n)["statistic"] > 30
    assert stats.recent_trend(x, n) == "no significant change"


def test_a_trend_reversed_by_dropping_one_point_is_no_significant_change():
    # falling but for a very high first year: dropping it turns the slope upwards
    x, n = [400, 150, 160, 170, 180], [1000] * 5
    assert stats.recent_trend_test(x, n)["statistic"] > stats.RECENT_TREND_CRITICAL
    assert stats.recent_trend(x, n) == "no significant change"


def test_threshold_is_strictly_above_the_critical_value():
    # an increasing proportion scaled until the statistic straddles 9.5495
    base = np.array([0.10, 0.11, 0.12, 0.13, 0.14])
    sizes = np.arange(100, 3000, 10)
    results = [(stats.recent_trend_test(base * s, [s] * 5)["statistic"],
                stats.recent_trend(base * s, [s] * 5)) for s in sizes]
    for statistic, direction in results:
        assert (direction == "increasing") == (statistic > stats.RECENT_TREND_CRITICAL)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="kind"):
        stats.recent_trend([1, 2, 3, 4, 5], [10] * 5, kind="count")
    with pytest.raises(ValueError, match="greater than denominator"):
        stats.recent_trend([11, 2, 3, 4, 5], [10] * 5)
    assert stats.recent_trend([11, 12, 13, 14, 15], [10] * 5, kind="rate") in \
        stats.RECENT_TREND_DIRECTIONS
