"""Tests of jsnalib.methods.survival: Kaplan-Meier curves, limits and read-outs against published values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsnalib.methods.survival import (
    kaplan_meier,
    kaplan_meier_curves,
    kaplan_meier_table,
    survival_at,
)
from jsnalib.report.charts import cumulative_chart

# Remission times (weeks) of the 21 leukaemia patients on 6-mercaptopurine (Freireich et al. 1963;
# Gehan 1965), event = relapse, 0 = censored.
MP6_TIME = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP6_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
# The published product-limit table with Greenwood SE and log-log 95% limits (Kleinbaum and Klein
# 2012, Survival Analysis: A Self-Learning Text, 3rd edn, chapter 2; Stata `sts list`):
# (time, at risk, events, survival, SE, lower, upper)
MP6_TABLE = [
    (6, 21, 3, 0.8571, 0.0764, 0.6197, 0.9516),
    (7, 17, 1, 0.8067, 0.0869, 0.5631, 0.9228),
    (10, 15, 1, 0.7529, 0.0963, 0.5032, 0.8894),
    (13, 12, 1, 0.6902, 0.1068, 0.4316, 0.8491),
    (16, 11, 1, 0.6275, 0.1141, 0.3675, 0.8049),
    (22, 7, 1, 0.5378, 0.1282, 0.2678, 0.7468),
    (23, 6, 1, 0.4482, 0.1346, 0.1881, 0.6801),
]


def test_kaplan_meier_matches_the_published_6mp_table():
    curve = kaplan_meier(MP6_TIME, MP6_EVENT)
    assert curve.iloc[0][["time", "at_risk", "events", "survival", "lower", "upper"]].tolist() == [
        0, 21, 0, 1, 1, 1]
    got = curve.iloc[1:][["time", "at_risk", "events", "survival", "se", "lower", "upper"]]
    for row, expected in zip(got.itertuples(index=False), MP6_TABLE, strict=True):
        assert tuple(row)[:3] == expected[:3]
        assert tuple(row)[3:] == pytest.approx(expected[3:], abs=5e-5)


def test_cumulative_percent_is_one_minus_survival():
    curve = kaplan_meier(MP6_TIME, MP6_EVENT)
    last = curve.iloc[-1]
    assert last["cumulative_percent"] == pytest.approx(100 * (1 - 0.448179), abs=1e-4)
    assert last["cumulative_lower"] == pytest.approx(100 * (1 - 0.6801), abs=5e-3)
    assert last["cumulative_upper"] == pytest.approx(100 * (1 - 0.1881), abs=5e-3)


def test_wider_limits_at_higher_confidence_and_percent_accepted():
    at95 = kaplan_meier(MP6_TIME, MP6_EVENT, 95).iloc[1:]
    at998 = kaplan_meier(MP6_TIME, MP6_EVENT, 0.998).iloc[1:]
    assert (at998["lower"] < at95["lower"]).all() and (at998["upper"] > at95["upper"]).all()


def test_no_censoring_gives_the_empirical_distribution():
    time = np.arange(1, 11, dtype=float)
    curve = kaplan_meier(time, np.ones(10, dtype=bool))
    assert curve["survival"].tolist() == pytest.approx(np.linspace(1, 0, 11))
    assert curve.iloc[-1][["lower", "upper"]].tolist() == [0, 0]


# survival_at: (case, times, expected survival, events, censored, remaining)
READ_AT = [
    ("before any event", [0, 5.9], [1.0, 1.0], [0, 0], [0, 0], [21, 21]),
    ("at and between event times", [6, 8], [0.857143, 0.806723], [3, 4], [1, 1], [17, 16]),
    ("after the last event, inside follow-up", [30], [0.448179], [9], [8], [4]),
    ("at the longest follow-up", [35], [0.448179], [9], [12], [0]),
]


@pytest.mark.parametrize(("case", "times", "survival", "events", "censored", "remaining"),
                         READ_AT, ids=[c[0] for c in READ_AT])
def test_survival_at(case, times, survival, events, censored, remaining):
    table = survival_at(MP6_TIME, MP6_EVENT, times)
    assert table["survival"].tolist() == pytest.approx(survival, abs=1e-6)
    assert table["events"].tolist() == events
    assert table["censored"].tolist() == censored
    assert table["remaining"].tolist() == remaining
    assert (table["events"] + table["censored"] + table["remaining"] == table["people"]).all()


def test_survival_at_beyond_follow_up_is_unknown():
    table = survival_at(MP6_TIME, MP6_EVENT, [36])
    assert table[["survival", "lower", "upper", "cumulative_percent"]].isna().all(axis=None)


def test_survival_at_matches_the_curve_limits():
    table = survival_at(MP6_TIME, MP6_EVENT, [10])
    assert table[["lower", "upper"]].iloc[0].tolist() == pytest.approx([0.5032, 0.8894], abs=5e-5)


@pytest.mark.parametrize(("time", "event", "message"), [
    ([], [], "empty"),
    ([1, -1], [1, 1], "negative"),
    ([1, np.nan], [1, 1], "finite"),
    ([1, 2], [1, 2], "True/False"),
    ([1, 2], [1], "same length"),
    (["a"], [1], "numbers"),
])
def test_kaplan_meier_rejects_bad_input(time, event, message):
    with pytest.raises(ValueError, match=message):
        kaplan_meier(time, event)


@pytest.mark.parametrize("confidence", [0.5, 80, 101, True, "0.95"])
def test_bad_confidence(confidence):
    with pytest.raises(ValueError, match="confidence"):
        kaplan_meier(MP6_TIME, MP6_EVENT, confidence)


def test_survival_at_rejects_bad_times():
    with pytest.raises(ValueError, match="times"):
        survival_at(MP6_TIME, MP6_EVENT, [-1])


# ----------------------------------------------------------------------------------------------
# groups


def groups() -> pd.DataFrame:
    # group "a": the 6-MP arm; group "b": everyone has the event at 1, 2, 3, 4 or 5 months
    return pd.DataFrame({
        "outcome": ["a"] * 21 + ["b"] * 5,
        "months": MP6_TIME + [1, 2, 3, 4, 5],
        "event": [bool(e) for e in MP6_EVENT] + [True] * 5,
    })


def test_kaplan_meier_table_per_group():
    table = kaplan_meier_table(groups(), "outcome", times=[3, 10])
    assert table["outcome"].tolist() == ["a", "a", "b", "b"]
    assert table["people"].tolist() == [21, 21, 5, 5]
    assert table["events"].tolist() == [0, 5, 3, 5]
    assert table["cumulative_percent"].tolist() == pytest.approx(
        [0.0, 100 * (1 - 0.752941), 60.0, np.nan], abs=1e-4, nan_ok=True)


def test_kaplan_meier_curves_on_a_grid():
    curves = kaplan_meier_curves(groups(), "outcome", grid=range(0, 13, 6))
    assert list(curves.columns) == ["outcome", "time", "cumulative_percent", "cumulative_lower",
                                    "cumulative_upper"]
    a = curves[curves["outcome"] == "a"]
    assert a["cumulative_percent"].tolist() == pytest.approx(
        [0.0, 100 * (1 - 0.857143), 100 * (1 - 0.752941)], abs=1e-4)


def test_groups_need_their_columns():
    with pytest.raises(ValueError, match="no column"):
        kaplan_meier_table(groups(), "source")
    with pytest.raises(ValueError, match="missing"):
        kaplan_meier_table(groups().assign(outcome=None), "outcome")


def test_cumulative_chart_alt_text():
    curves = kaplan_meier_curves(groups(), "outcome", grid=[0, 6, 12])
    fig, alt = cumulative_chart(curves, "outcome", "Relapse", "Months since start",
                                "Percent relapsed", labels={"a": "6-MP"})
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["6-MP", "b"]
    assert "6-MP: 24.7% by 12 months" in alt and "by 12" in alt
