"""Over-dispersion-adjusted funnel limits (issue 12.4): Spiegelhalter (2005) additive random
effects with Winsorised z-scores and the dispersion test phi = sum(z^2)/k against chi-square on
k - 1 degrees of freedom. Before, only the plain PHE limits existed, and with national-size
denominators half the authorities sat outside them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from jsnalib.methods import stats

FUNNEL = ["population", "lower_95", "upper_95", "lower_998", "upper_998", "baseline"]


def test_hand_worked_example():
    x = np.array([20.0, 60, 45, 90, 30, 55, 40, 70, 25, 65])
    n = np.array([200.0, 300, 250, 400, 220, 310, 260, 380, 210, 330])
    b = x.sum() / n.sum()
    s = np.sqrt(b * (1 - b) / n)
    z = (x / n - b) / s
    lo, hi = np.quantile(z, [0.1, 0.9])  # linear interpolation between order statistics
    zw = np.minimum(np.maximum(z, lo), hi)
    phi = np.mean(zw**2)
    w = 1 / s**2
    tau2 = max(0.0, (10 * phi - 9) / (w.sum() - (w**2).sum() / w.sum()))
    f = stats.proportion_funnel_overdispersed(x, n, multiplier=100, population=[100, 1000])
    assert list(f.columns) == [*FUNNEL, "tau2", "phi"]
    assert f["phi"].iloc[0] == pytest.approx(phi, rel=1e-12)
    assert f["tau2"].iloc[0] == pytest.approx(tau2, rel=1e-12)
    assert f.attrs["df"] == 9
    assert f.attrs["dispersion_p"] == pytest.approx(sps.chi2.sf(10 * phi, 9), rel=1e-10)
    upper = b + sps.norm.ppf(0.999) * np.sqrt(b * (1 - b) / 1000 + tau2)
    assert f["upper_998"].iloc[1] == pytest.approx(100 * upper, rel=1e-12)
    lower = b - sps.norm.ppf(0.975) * np.sqrt(b * (1 - b) / 100 + tau2)
    assert f["lower_95"].iloc[0] == pytest.approx(100 * lower, rel=1e-12)


def test_no_extra_variation_gives_the_plain_phe_limits():
    x = np.array([100.0, 101, 99, 100, 100, 102, 98])
    n = np.full(7, 500.0)
    adjusted = stats.proportion_funnel_overdispersed(x, n)
    plain = stats.proportion_funnel(x, n)
    assert adjusted["tau2"].eq(0).all() and not adjusted.attrs["overdispersed"]
    pd.testing.assert_frame_equal(adjusted[FUNNEL], plain)


def test_winsorising_keeps_one_extreme_area_from_inflating_phi():
    rng = np.random.default_rng(4)
    n = np.full(20, 2000.0)
    x = rng.binomial(2000, 0.2, 20).astype(float)
    x[0] = 800  # 40% against 20%
    winsorised = stats.proportion_funnel_overdispersed(x, n)
    raw = stats.proportion_funnel_overdispersed(x, n, winsorise=0)
    assert winsorised.attrs["phi"] < raw.attrs["phi"] / 5


@pytest.fixture(scope="module")
def overdispersed():
    """150 areas, denominators 500-20,000, true proportions 20% with between-area SD 2 points."""
    rng = np.random.default_rng(1185)
    n = rng.integers(500, 20_000, 150).astype(float)
    p = 0.2 + 0.02 * rng.standard_normal(150)
    return rng.binomial(n.astype(int), p).astype(float), n


def test_detects_and_estimates_the_between_area_variance(overdispersed):
    x, n = overdispersed
    f = stats.proportion_funnel_overdispersed(x, n)
    assert f.attrs["overdispersed"] and f.attrs["dispersion_p"] < 1e-6
    # Winsorising at 10%/90% keeps about two-thirds of a normal spread (E[z_w^2] = 0.68), so
    # with normal area effects tau2 is underestimated; without it the estimate is close
    assert 0.02**2 * 0.35 < f["tau2"].iloc[0] < 0.02**2
    raw = stats.proportion_funnel_overdispersed(x, n, winsorise=0)
    assert 0.02**2 * 0.7 < raw["tau2"].iloc[0] < 0.02**2 * 1.3


def test_adjusted_limits_flag_few_of_the_areas_that_differ_only_by_chance(overdispersed):
    x, n = overdispersed
    y = 100 * x / n
    adjusted = stats.proportion_funnel_overdispersed(x, n, population=n)
    plain = stats.proportion_funnel(x, n, population=n)
    out_adjusted = ((y > adjusted["upper_998"]) | (y < adjusted["lower_998"])).mean()
    out_plain = ((y > plain["upper_998"]) | (y < plain["lower_998"])).mean()
    assert out_adjusted <= 0.03, f"outside adjusted 99.8% limits {out_adjusted:.3f}"
    assert out_plain >= 0.3, f"outside plain 99.8% limits {out_plain:.3f}"


@pytest.mark.parametrize(("kwargs", "match"), [({"winsorise": 0.5}, "winsorise"),
                                               ({"significance": 0}, "significance")])
def test_arguments_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stats.proportion_funnel_overdispersed([1, 2, 3], [10, 10, 10], **kwargs)


def test_needs_three_areas():
    with pytest.raises(ValueError, match="at least 3"):
        stats.proportion_funnel_overdispersed([1, 2], [10, 10])
