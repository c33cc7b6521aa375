"""Standardisation and deprivation quantiles (issue 12.8): jsnalib.methods.standardise.

Where PHEindicatormethods' published test values are beside the repository
(../shared/reference/phe/) they are the oracle: a one-category DSR and an ISR reduce to the
crude rate's Byar's/exact limits, which the national rate table gives. The package's own DSR,
ISR and quantile test tables are not there, so the multi-category cases are worked by hand
from the published formulas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import jsnalib.stats
from jsnalib.methods import standardise, stats

PHE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "phe"


def phe_table(name: str) -> pd.DataFrame:
    path = PHE / name
    if not path.exists():
        pytest.skip(f"national test table {name} not available beside the repository")
    return pd.read_csv(path, encoding="utf-8-sig")


def test_public_names_are_reachable_through_stats():
    for name in ("dsr", "isr", "phe_quantile"):
        assert getattr(stats, name) is getattr(standardise, name)
        assert getattr(jsnalib.stats, name) is getattr(standardise, name)
    with pytest.raises(AttributeError):
        _ = stats.no_such_function


# ----------------------------------------------------------------------------------------------
# against the national rate table


@pytest.fixture
def rate_rows() -> pd.DataFrame:
    table = phe_table("phe_rate.csv").dropna(subset=["Numerator", "Denominator", "value"])
    return table[table["Numerator"] <= table["Denominator"] * 10]


def test_isr_limits_are_the_national_exact_and_byars_limits(rate_rows):
    # ISR = O / E; with E = denominator / multiplier it is the rate per multiplier
    for row in rate_rows.itertuples():
        result = standardise.isr(row.Numerator, row.Denominator / row.multiplier)
        for level, low, high in ((0.95, row.lower95_0cl, row.upper95_0cl),
                                 (99.8, row.lower99_8cl, row.upper99_8cl)):
            result = standardise.isr(row.Numerator, row.Denominator / row.multiplier,
                                     confidence=level)
            assert result["value"].iloc[0] == pytest.approx(row.value, rel=1e-9)
            assert result["lower"].iloc[0] == pytest.approx(low, rel=1e-6)
            assert result["upper"].iloc[0] == pytest.approx(high, rel=1e-6)


def test_one_category_dsr_is_the_national_byars_rate(rate_rows):
    # with one category Dobson's limits reduce to Byar's limits of the count over the
    # population; PHE publishes DSRs only from 10 events
    for row in rate_rows[rate_rows["method"] == "Byars"].itertuples():
        for level, low, high in ((0.95, row.lower95_0cl, row.upper95_0cl),
                                 (0.998, row.lower99_8cl, row.upper99_8cl)):
            result = standardise.dsr([row.Numerator], [row.Denominator], [1000.0],
                                     multiplier=row.multiplier, confidence=level)
            assert result["value"] == pytest.approx(row.value, rel=1e-9)
            assert result["lower"] == pytest.approx(low, rel=1e-6)
            assert result["upper"] == pytest.approx(high, rel=1e-6)


# ----------------------------------------------------------------------------------------------
# by hand from the published formulas


def test_dsr_dobson_limits_by_hand():
    x = np.array([3.0, 12, 25, 40, 61])
    n = np.array([5200.0, 4800, 4100, 3000, 1900])
    w = np.array([5500.0, 6000, 6500, 5500, 4000])  # a standard population
    value = (w * x / n).sum() / w.sum()
    variance = (x * (w / n) ** 2).sum() / w.sum() ** 2
    total = x.sum()
    low, high = stats.byars_ci(total, 0.95)
    result = standardise.dsr(x, n, w, multiplier=100_000)
    assert result["total_count"] == total and result["total_pop"] == n.sum()
    assert result["value"] == pytest.approx(100_000 * value, rel=1e-12)
    root = np.sqrt(variance / total)
    assert result["lower"] == pytest.approx(100_000 * (value + root * (low - total)), rel=1e-12)
    assert result["upper"] == pytest.approx(100_000 * (value + root * (high - total)), rel=1e-12)


def test_dsr_is_not_published_below_ten_events_and_missing_counts_are_zero():
    small = standardise.dsr([2, 3, 4], [1000, 1000, 1000], [1, 1, 1])
    assert small["total_count"] == 9 and np.isnan(small["value"]) and np.isnan(small["lower"])
    with_missing = standardise.dsr([np.nan, 30, 40], [1000, 1000, 1000], [1, 1, 1])
    assert with_missing["value"] == pytest.approx(standardise.dsr([0, 30, 40], [1000] * 3,
                                                                  [1, 1, 1])["value"])


@pytest.mark.parametrize("confidence", [0.5, 89, 101])
def test_confidence_out_of_range_is_an_error(confidence):
    with pytest.raises(ValueError, match="confidence"):
        standardise.dsr([20, 30], [1000, 1000], [1, 1], confidence=confidence)
    with pytest.raises(ValueError, match="confidence"):
        standardise.isr(20, 15, confidence=confidence)


def test_isr_switches_from_exact_to_byars_at_ten():
    exact = standardise.isr([9], [5.0])
    byars = standardise.isr([10], [5.0])
    assert exact["lower"].iloc[0] == pytest.approx(stats.exact_poisson_ci(9)[0] / 5)
    assert byars["upper"].iloc[0] == pytest.approx(stats.byars_ci(10)[1] / 5)


def test_phe_quantile_by_the_published_algorithm():
    # 12 areas into 5 quantiles: N / q = 2.4; rank r (highest value first when inverted)
    # gets floor(6 - ceil((13 - r) / 2.4))
    scores = np.array([5.0, 41, 12, 33, 27, 8, 19, 50, 36, 22, 15, 30])
    expected_rank = pd.Series(scores.max() - scores).rank(method="min").to_numpy()
    expected = np.floor(6 - np.ceil((13 - expected_rank) / 2.4))
    expected[expected == 0] = 1
    result = standardise.phe_quantile(scores, n_quantiles=5)
    assert result.tolist() == expected.tolist()
    assert result[np.argmax(scores)] == 1 and result[np.argmin(scores)] == 5
    assert np.bincount(result.astype(int))[1:].tolist() == [3, 2, 3, 2, 2]


def test_phe_quantile_direction_ties_and_missing():
    values = pd.Series([1.0, 2, 2, 3, np.nan, 4, 5, 6, 7, 8, 9], index=list("abcdefghijk"))
    low_first = standardise.phe_quantile(values, n_quantiles=5, invert=False)
    assert isinstance(low_first, pd.Series) and np.isnan(low_first["e"])
    assert low_first["a"] == 1 and low_first["k"] == 5
    assert low_first["b"] == low_first["c"]  # tied areas share a quantile
    too_few = standardise.phe_quantile([1.0, 2, 3], n_quantiles=5)
    assert np.isnan(too_few).all()
    with pytest.raises(ValueError, match="n_quantiles"):
        standardise.phe_quantile([1.0, 2, 3], n_quantiles=1)
