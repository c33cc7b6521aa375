"""Tests of jsnalib.methods.spc: the p-chart limits and each special-cause rule on constructed series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsnalib.methods.spc import (
    RULES,
    beyond_limits,
    first_detection,
    p_chart,
    shift,
    signal_episodes,
    trend,
    two_of_three,
)
from jsnalib.report.charts import p_chart_plot

NAN = float("nan")

# ----------------------------------------------------------------------------------------------
# rule 1: beyond the limits (case, values, lower, upper, expected)
BEYOND = [
    ("inside", [5.0, 6.0], 0, 10, [0, 0]),
    ("above and below", [11.0, -1.0], 0, 10, [1, -1]),
    ("on a limit is not beyond", [10.0, 0.0], 0, 10, [0, 0]),
    ("missing never signals", [NAN, 12.0], 0, 10, [0, 1]),
    ("limits per period", [5.0, 5.0], [0, 0], [4, 6], [1, 0]),
]


@pytest.mark.parametrize(("case", "values", "lower", "upper", "expected"), BEYOND,
                         ids=[c[0] for c in BEYOND])
def test_beyond_limits(case, values, lower, upper, expected):
    assert beyond_limits(values, lower, upper).tolist() == expected


def test_beyond_limits_rejects_crossed_limits():
    with pytest.raises(ValueError, match="lower must not be greater"):
        beyond_limits([1.0], 5, 4)


# ----------------------------------------------------------------------------------------------
# rule 2: a shift of 7 (the default) on one side of the centre line (centre 0 throughout)
SHIFTS = [
    ("six above is not enough", [1] * 6 + [-1], 7, [0] * 7),
    ("seven above", [1] * 7 + [-1], 7, [1] * 7 + [0]),
    ("eight below, then above", [-1] * 8 + [1], 7, [-1] * 8 + [0]),
    ("a point on the centre breaks the run", [1] * 4 + [0] + [1] * 4, 7, [0] * 9),
    ("a missing point breaks the run", [1] * 4 + [NAN] + [1] * 4, 7, [0] * 9),
    ("run of 8 (Western Electric) needs 8", [1] * 7, 8, [0] * 7),
    ("two runs", [1] * 3 + [-1] * 3, 3, [1, 1, 1, -1, -1, -1]),
]


@pytest.mark.parametrize(("case", "values", "run_length", "expected"), SHIFTS,
                         ids=[c[0] for c in SHIFTS])
def test_shift(case, values, run_length, expected):
    assert shift(values, 0.0, run_length).tolist() == expected


def test_shift_against_a_centre_per_period():
    assert shift([5, 5, 5], [4, 4, 6], run_length=2).tolist() == [1, 1, 0]


# ----------------------------------------------------------------------------------------------
# rule 3: a trend of 6 (the default) points each higher or each lower than the last
TRENDS = [
    ("five rising is not enough", [1, 2, 3, 4, 5, 4], 6, [0] * 6),
    ("six rising", [1, 2, 3, 4, 5, 6, 2], 6, [1] * 6 + [0]),
    ("six falling", [9, 6, 5, 4, 3, 2, 1], 6, [-1] * 7),
    ("an equal value breaks the trend", [1, 2, 3, 3, 4, 5, 6], 6, [0] * 7),
    ("a missing value breaks the trend", [1, 2, 3, NAN, 4, 5, 6], 6, [0] * 7),
    ("the turning point stays rising", [1, 2, 3, 2, 1], 3, [1, 1, 1, -1, -1]),
    ("too short a series", [1.0], 3, [0]),
]


@pytest.mark.parametrize(("case", "values", "trend_length", "expected"), TRENDS,
                         ids=[c[0] for c in TRENDS])
def test_trend(case, values, trend_length, expected):
    assert trend(values, trend_length).tolist() == expected


# ----------------------------------------------------------------------------------------------
# rule 4: two of three beyond 2 sigma on the same side (centre 0, sigma 1)
TWO_OF_THREE = [
    ("two adjacent above", [0, 2.5, 2.5, 0], [0, 1, 1, 0]),
    ("two of three with a gap", [2.5, 0, 2.1, 0, 0], [1, 0, 1, 0, 0]),
    ("two apart by two points do not count", [2.5, 0, 0, 2.5], [0, 0, 0, 0]),
    ("opposite sides do not count", [2.5, -2.5, 0], [0, 0, 0]),
    ("exactly 2 sigma is not beyond", [2.0, 2.0, 0], [0, 0, 0]),
    ("below", [-2.2, -3.5, 1], [-1, -1, 0]),
    ("three of three", [2.1, 2.2, 2.3], [1, 1, 1]),
    ("a missing point never counts", [2.5, NAN, 0], [0, 0, 0]),
]


@pytest.mark.parametrize(("case", "values", "expected"), TWO_OF_THREE,
                         ids=[c[0] for c in TWO_OF_THREE])
def test_two_of_three(case, values, expected):
    assert two_of_three(values, 0.0, 1.0).tolist() == expected


def test_two_of_three_uses_each_period_sigma():
    # 3 is beyond 2 sigma when sigma is 1, not when it is 2
    assert two_of_three([3, 3, 0], 0, [1, 2, 1]).tolist() == [0, 0, 0]
    assert two_of_three([3, 3, 0], 0, [1, 1, 1]).tolist() == [1, 1, 0]


@pytest.mark.parametrize("rule", [
    lambda: shift([1, 2], 0, run_length=1),
    lambda: trend([1, 2], trend_length=2),
    lambda: shift([1, 2], 0, run_length=7.5),
    lambda: two_of_three([1, 2, 3], 0, 0),
    lambda: trend([[1, 2], [3, 4]]),
    lambda: shift(["a", "b"], 0),
])
def test_rules_reject_bad_arguments(rule):
    with pytest.raises(ValueError):
        rule()


# ----------------------------------------------------------------------------------------------
# the p-chart


def test_p_chart_limits_vary_with_each_denominator():
    # baseline: 40 of 200 = 20%; limits 20 ± 3 sqrt(0.2 * 0.8 / n) * 100
    chart = p_chart([20, 20, 10, 40], [100, 100, 25, 400], baseline=[True, True, False, False])
    assert chart["centre"].tolist() == pytest.approx([20.0] * 4)
    expected_sigma = [100 * np.sqrt(0.16 / n) for n in (100, 100, 25, 400)]
    assert chart["sigma"].tolist() == pytest.approx(expected_sigma)
    assert chart["upper"].tolist() == pytest.approx([32.0, 32.0, 44.0, 26.0])
    assert chart["lower"].tolist() == pytest.approx([8.0, 8.0, 0.0, 14.0])  # clipped at 0
    assert chart["upper_2sigma"].tolist() == pytest.approx([28.0, 28.0, 36.0, 24.0])
    assert chart["value"].tolist() == pytest.approx([20.0, 20.0, 40.0, 10.0])
    assert chart["beyond_limits"].tolist() == [0, 0, 0, -1]
    assert chart["signal"].tolist() == [0, 0, 0, -1]
    assert chart["baseline"].tolist() == [True, True, False, False]


def test_p_chart_as_proportions_and_all_periods_as_baseline():
    chart = p_chart([1, 3], [10, 10], multiplier=1)
    assert chart["centre"].iloc[0] == pytest.approx(0.2)
    assert chart["value"].tolist() == pytest.approx([0.1, 0.3])


def test_p_chart_flags_a_step_rise_within_months():
    """Re-referrals hover around 20% (21%, 19%, ...) of 700 referrals a month for 30 months, then
    rise to 22% (1.3 sigma: no single month is unusual). Charting each month as it arrives, the
    shift rule signals the rise in the 7th month after it, where a year-end figure waits 12."""
    n = np.full(48, 700)
    numerator = np.r_[np.tile([147, 133], 15), np.full(18, 154)]
    baseline = np.arange(48) < 24
    detected = next(
        month for month in range(1, 49)
        if (p_chart(numerator[:month], n[:month], baseline[:month])["signal"] != 0).any())
    assert detected == 37  # months 31..37 are the 7 months of the run
    chart = p_chart(numerator, n, baseline)
    assert chart["centre"].iloc[0] == pytest.approx(20.0)
    assert (chart["shift"].iloc[30:] == 1).all() and (chart["signal"].iloc[:30] == 0).all()
    assert (chart["beyond_limits"] == 0).all() and (chart["two_of_three"] == 0).all()


def test_first_detection_replays_the_chart_month_by_month():
    # the same series: the finished chart marks the run from month 31, but the signal could only
    # be seen when month 37 (position 36) arrived
    n = np.full(48, 700)
    numerator = np.r_[np.tile([147, 133], 15), np.full(18, 154)]
    chart = p_chart(numerator, n, np.arange(48) < 24)
    assert chart["signal"].iloc[30] == 1
    assert first_detection(chart, after=23) == (36, 1)
    assert first_detection(chart.iloc[:36], after=23) is None
    with pytest.raises(ValueError, match="after must be a position"):
        first_detection(chart, after=48)


def test_first_detection_uses_the_chart_rule_lengths():
    n = np.full(12, 700)
    numerator = np.r_[np.tile([147, 133], 3), np.full(6, 154)]
    chart = p_chart(numerator, n, np.arange(12) < 6, run_length=3)
    assert first_detection(chart, after=5) == (8, 1)


def test_p_chart_flags_a_large_rise_at_once():
    n = np.full(30, 700)
    numerator = np.r_[np.tile([133, 147], 12), np.full(6, 175)]  # 25%: 3.3 sigma
    # plain p limits: the zigzag baseline's sigma_z (1.17) would otherwise choose Laney p'
    chart = p_chart(numerator, n, baseline=np.arange(30) < 24, laney=False)
    assert chart["beyond_limits"].tolist() == [0] * 24 + [1] * 6


def test_p_chart_missing_period_is_kept_and_not_judged():
    chart = p_chart([10, NAN, 10, 50], [100, 100, 100, 100], baseline=[True, True, True, False])
    assert chart["centre"].iloc[0] == pytest.approx(10.0)
    assert np.isnan(chart["value"].iloc[1])
    assert chart["signal"].tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"numerator": [1, 2], "denominator": [10]}, "differ in length"),
    ({"numerator": [-1], "denominator": [10]}, "must not be negative"),
    ({"numerator": [1], "denominator": [0]}, "greater than zero"),
    ({"numerator": [11], "denominator": [10]}, "not be greater than denominator"),
    ({"numerator": [0, 0], "denominator": [10, 10]}, "no variation"),
    ({"numerator": [1, 2], "denominator": [10, 10], "baseline": [1, 0]}, "True/False"),
    ({"numerator": [1, 2], "denominator": [10, 10], "baseline": [False, False]}, "no periods"),
    ({"numerator": [1, 2], "denominator": [10, 10], "multiplier": 0}, "multiplier"),
])
def test_p_chart_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        p_chart(**kwargs)


def test_signal_episodes_one_row_per_stretch_and_rule():
    chart = pd.DataFrame({"beyond_limits": [0, 1, 0, 0, 0, 0, 0],
                          "shift": [0, 0, -1, -1, -1, 0, 0],
                          "trend": [0, 0, 0, 0, 0, 0, 0],
                          "two_of_three": [0, 1, 0, 0, 0, 0, 1]})
    episodes = signal_episodes(chart, [f"m{i}" for i in range(7)])
    assert episodes[["rule", "direction", "start", "end", "periods"]].values.tolist() == [
        ["beyond_limits", "high", "m1", "m1", 1],
        ["two_of_three", "high", "m1", "m1", 1],
        ["shift", "low", "m2", "m4", 3],
        ["two_of_three", "high", "m6", "m6", 1],
    ]
    assert episodes["description"].iloc[0] == RULES["beyond_limits"]


def test_signal_episodes_empty_and_bad_labels():
    chart = p_chart([10, 10, 10], [100, 100, 100])
    assert signal_episodes(chart, ["a", "b", "c"]).empty
    with pytest.raises(ValueError, match="labels has 2"):
        signal_episodes(chart, ["a", "b"])


def test_p_chart_plot_describes_the_signals():
    chart = p_chart([10, 12, 30], [100, 100, 100], baseline=[True, True, False])
    fig, alt = p_chart_plot(chart, ["Jan", "Feb", "Mar"], "Re-referrals", "Percent")
    assert fig.axes[0].get_title() == "Re-referrals"
    assert "centre line of 11.0" in alt
    assert "1 special-cause signal, the first in Mar" in alt
    with pytest.raises(ValueError, match="polarity"):
        p_chart_plot(chart, ["Jan", "Feb", "Mar"], "t", "y", polarity="up")
