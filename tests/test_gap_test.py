"""The gap test models the local series relative to the benchmark's observed rates (issue 12.1).

The old test (a pooled area-by-year interaction with one Pearson dispersion shared by both areas)
let England's non-linear national path inflate the local standard error: on the issue's noiseless
reproduction it said p = 0.174. Modelled relative to England's observed yearly rates, with the
local series' own dispersion and a t reference, the same data show the widening plainly; by
simulation the false-alarm rate is close to the nominal 5% and a 2%-a-year widening is found
most of the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from jsnalib.methods import models

YEARS = np.arange(2006, 2024)
#: England's live births and infant deaths 2006-2023 (the shape of the national series in
#: data/births_deaths.csv: falling about 4% a year to 2014, then flat).
ENGLAND_BIRTHS = np.array([635, 655, 672, 671, 687, 688, 694, 664, 661, 664, 663, 646, 626, 610,
                           592, 598, 586, 578]) * 1000.0
ENGLAND_DEATHS = np.array([3175, 3144, 3091, 3019, 2954, 2890, 2845, 2656, 2578, 2523, 2586,
                           2519, 2504, 2318, 2131, 2213, 2227, 2196], dtype=float)
LOCAL_BIRTHS = 3400.0


def frame(local_deaths, england_deaths, local_births=LOCAL_BIRTHS,
          england_births=ENGLAND_BIRTHS) -> pd.DataFrame:
    return pd.concat([
        pd.DataFrame({"area": "L", "year": YEARS.astype(float), "births": local_births,
                      "deaths": local_deaths}),
        pd.DataFrame({"area": "E", "year": YEARS.astype(float), "births": england_births,
                      "deaths": england_deaths}),
    ], ignore_index=True)


def test_noiseless_widening_against_a_bent_national_path_is_found():
    # the reproduction: England falls 4%/yr to 2014 then is flat; local = 2 x England
    # x 1.02^(year - 2006); births 600,000 and 3,400. The old code gave p = 0.174.
    england = 5.0 / 1000 * 0.96 ** np.minimum(YEARS - 2006, 8)
    local = 2 * england * 1.02 ** (YEARS - 2006)
    result = models.gap_test(frame(LOCAL_BIRTHS * local, 600_000 * england,
                                   england_births=600_000.0),
                             "deaths", "births", "area", "L", "E")
    assert result.p_value < 0.01
    assert result.ratio_of_ratios == pytest.approx(1.02, rel=1e-9)
    assert result.narrowing is False  # the higher local rate moves further above England's


def test_interval_and_p_use_the_local_dispersion_and_t_on_n_minus_2_df():
    rng = np.random.default_rng(5)
    england_rate = ENGLAND_DEATHS / ENGLAND_BIRTHS
    local = rng.poisson(LOCAL_BIRTHS * 2 * england_rate * 1.01 ** (YEARS - 2006))
    result = models.gap_test(frame(local, ENGLAND_DEATHS), "deaths", "births", "area", "L", "E")
    expected = LOCAL_BIRTHS * england_rate
    t = YEARS - YEARS.mean()
    # the same model by hand: Poisson score equations solved by Newton
    beta = np.array([np.log(local.sum() / expected.sum()), 0.0])
    x = np.column_stack([np.ones_like(t), t])
    for _ in range(50):
        mu = expected * np.exp(x @ beta)
        beta = beta + np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (local - mu))
    mu = expected * np.exp(x @ beta)
    phi = ((local - mu) ** 2 / mu).sum() / (YEARS.size - 2)
    se = np.sqrt(phi * np.linalg.inv(x.T @ (mu[:, None] * x))[1, 1])
    assert result.df == YEARS.size - 2
    assert result.dispersion == pytest.approx(phi, rel=1e-6)
    assert result.ratio_of_ratios == pytest.approx(np.exp(beta[1]), rel=1e-8)
    assert result.p_value == pytest.approx(2 * sps.t.sf(abs(beta[1]) / se, 16), rel=1e-5)
    q = sps.t.ppf(0.975, 16)
    assert result.upper == pytest.approx(np.exp(beta[1] + q * se), rel=1e-6)


def _replicates(rng, widening: float, reps: int) -> np.ndarray:
    """p-values of the gap test over simulated 2006-2023 series: England's deaths Poisson
    around its real-shaped path, the local area's at twice England's rate times
    ``widening ** (year - 2006)``, with 3,400 births a year."""
    england_rate = ENGLAND_DEATHS / ENGLAND_BIRTHS
    local_mean = LOCAL_BIRTHS * 2 * england_rate * widening ** (YEARS - 2006)
    base = frame(local_mean, ENGLAND_DEATHS)
    p = np.empty(reps)
    for i in range(reps):
        deaths = np.concatenate([rng.poisson(local_mean), rng.poisson(ENGLAND_DEATHS)])
        data = base.assign(deaths=deaths.astype(float))
        p[i] = models.gap_test(data, "deaths", "births", "area", "L", "E").p_value
    return p


def test_false_alarm_rate_is_near_five_percent_with_englands_real_path():
    # 2,000 replicates: the Monte Carlo standard error of a 5% rate is 0.5 percentage points
    p = _replicates(np.random.default_rng(1201), widening=1.0, reps=2000)
    assert 0.04 <= (p < 0.05).mean() <= 0.07, f"type-I error {(p < 0.05).mean():.3f}"


def test_power_against_a_two_percent_yearly_widening_over_18_years():
    p = _replicates(np.random.default_rng(1202), widening=1.02, reps=400)
    assert (p < 0.05).mean() >= 0.6, f"power {(p < 0.05).mean():.3f}"


@pytest.mark.parametrize("confidence", [0.95, 95, 0.998, 99.8])
def test_confidence_as_fraction_or_percent(confidence):
    rng = np.random.default_rng(3)
    data = frame(rng.poisson(50, YEARS.size), ENGLAND_DEATHS)
    result = models.gap_test(data, "deaths", "births", "area", "L", "E", confidence=confidence)
    level = confidence / 100 if confidence > 1 else confidence
    assert result.confidence == pytest.approx(level)


@pytest.mark.parametrize("confidence", [0.5, 1.5, 89, 101])
def test_confidence_out_of_range_is_an_error(confidence):
    data = frame(np.full(YEARS.size, 50.0), ENGLAND_DEATHS)
    with pytest.raises(ValueError, match="confidence"):
        models.gap_test(data, "deaths", "births", "area", "L", "E", confidence=confidence)


def test_needs_three_shared_years():
    data = frame(np.full(YEARS.size, 50.0), ENGLAND_DEATHS)
    data = data[(data["area"] == "E") | (data["year"] < 2008)]
    with pytest.raises(ValueError, match="three or more"):
        models.gap_test(data, "deaths", "births", "area", "L", "E")
