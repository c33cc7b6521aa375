"""Unit tests of jsnalib.methods.models against closed-form results.

Oracles that do not come from the code under test:
- a log-linear rate with exact (non-random) counts: the fitted rate ratio is the true one;
- two time points: the Poisson rate ratio is (d1/n1)/(d0/n0) with Wald standard error
  sqrt(1/d0 + 1/d1), and the binomial odds ratio is (s1/f1)/(s0/f0) with standard error
  sqrt(1/s0 + 1/f0 + 1/s1 + 1/f1) (Woolf); two areas x two times: the interaction is the ratio
  of the two rate ratios with standard error sqrt(sum 1/d) (Breslow and Day 1987, ch. 4);
- the negative binomial alpha of statsmodels' discrete NegativeBinomial (a different fitting
  route: joint maximum likelihood) on a centred time variable, which leaves alpha unchanged;
- with negligible parameter uncertainty, a prediction interval is the Poisson quantiles of the
  expected count (scipy.stats.poisson).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats as sps

from jsnalib.methods import models

Z95 = sps.norm.ppf(0.975)

# The oracles use exact counts (a perfect fit) and saturated two-point designs (no residual
# degrees of freedom), which statsmodels warns about; real series have neither.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Perfect separation or prediction detected"),
    pytest.mark.filterwarnings("ignore:divide by zero encountered in scalar divide"),
    pytest.mark.filterwarnings("ignore:invalid value encountered in scalar divide"),
]


def exact_series(ratio: float = 0.97, births: float = 3300.0, rate: float = 0.007,
                 years=range(2006, 2024)) -> pd.DataFrame:
    years = np.asarray(list(years), dtype=float)
    return pd.DataFrame({"year": years, "live_births": births,
                         "infant_deaths": births * rate * ratio ** (years - years[0])})


def overdispersed_series(seed: int = 4, alpha: float = 0.08) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.arange(2006, 2024, dtype=float)
    mean = 3300 * 0.007 * 0.98 ** (years - 2006) * rng.gamma(1 / alpha, alpha, years.size)
    return pd.DataFrame({"year": years, "live_births": 3300.0,
                         "infant_deaths": rng.poisson(mean).astype(float)})


# ----------------------------------------------------------------------------------------------
# poisson_trend


@pytest.mark.parametrize("ratio", [0.95, 0.97, 1.0, 1.02])
def test_poisson_trend_recovers_an_exact_log_linear_trend(ratio):
    fit = models.poisson_trend(exact_series(ratio), "infant_deaths", "live_births")
    assert fit.ratio == pytest.approx(ratio, rel=1e-9)
    assert fit.percent_change == pytest.approx(100 * (ratio - 1), abs=1e-7)
    assert fit.family == "poisson"
    assert fit.dispersion == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize(
    ("d0", "n0", "d1", "n1"),
    [(40, 5000, 30, 5000), (12, 3300, 25, 3400), (230, 61000, 198, 60500)],
)
def test_poisson_trend_two_points_matches_the_closed_form(d0, n0, d1, n1):
    data = pd.DataFrame({"year": [0.0, 1.0], "births": [n0, n1], "deaths": [d0, d1]})
    fit = models.poisson_trend(data, "deaths", "births")
    ratio = (d1 / n1) / (d0 / n0)
    se = np.sqrt(1 / d0 + 1 / d1)
    assert fit.ratio == pytest.approx(ratio, rel=1e-8)
    assert fit.ratio_lower == pytest.approx(ratio * np.exp(-Z95 * se), rel=1e-6)
    assert fit.ratio_upper == pytest.approx(ratio * np.exp(Z95 * se), rel=1e-6)
    assert fit.p_value == pytest.approx(2 * sps.norm.sf(abs(np.log(ratio)) / se), rel=1e-5)


@pytest.mark.parametrize("confidence", [0.9, 0.998, 99.8])
def test_poisson_trend_confidence_level(confidence):
    data = pd.DataFrame({"year": [0.0, 1.0], "births": [5000, 5000], "deaths": [40, 30]})
    fit = models.poisson_trend(data, "deaths", "births", confidence=confidence)
    level = confidence / 100 if confidence > 1 else confidence
    z = sps.norm.ppf(0.5 + level / 2)
    se = np.sqrt(1 / 40 + 1 / 30)
    assert fit.ratio_lower == pytest.approx(0.75 * np.exp(-z * se), rel=1e-5)
    assert fit.ratio_upper == pytest.approx(0.75 * np.exp(z * se), rel=1e-5)
    assert fit.confidence == pytest.approx(level)


def test_poisson_trend_keeps_poisson_for_poisson_counts():
    rng = np.random.default_rng(2)
    data = exact_series(0.98)
    data["infant_deaths"] = rng.poisson(data["infant_deaths"]).astype(float)
    fit = models.poisson_trend(data, "infant_deaths", "live_births")
    assert fit.family == "poisson"
    assert fit.dispersion < models.DISPERSION_THRESHOLD
    assert "no evidence of overdispersion" in fit.reason


def test_poisson_trend_switches_to_negative_binomial_when_overdispersed():
    data = overdispersed_series()
    fit = models.poisson_trend(data, "infant_deaths", "live_births")
    assert fit.dispersion > models.DISPERSION_THRESHOLD and fit.dispersion_p < 0.05
    assert fit.family == "negative binomial"
    assert "negative binomial" in fit.reason
    # the same data fitted as Poisson: the negative binomial interval is wider
    poisson = smf.glm("infant_deaths ~ year", data, offset=np.log(data["live_births"]),
                      family=sm.families.Poisson()).fit()
    poisson_width = np.diff(poisson.conf_int().loc["year"].to_numpy())[0]
    nb_width = np.log(fit.ratio_upper) - np.log(fit.ratio_lower)
    assert nb_width > 1.2 * poisson_width


def test_negative_binomial_alpha_is_the_maximum_likelihood_one():
    data = overdispersed_series()
    fit = models.poisson_trend(data, "infant_deaths", "live_births")
    centred = data.assign(t=data["year"] - data["year"].mean())
    joint = smf.negativebinomial("infant_deaths ~ t", centred,
                                 offset=np.log(centred["live_births"]),
                                 loglike_method="nb2").fit(disp=False, maxiter=500)
    assert float(fit.result.model.family.alpha) == pytest.approx(joint.params["alpha"], rel=1e-3)
    assert np.log(fit.ratio) == pytest.approx(joint.params["t"], abs=1e-4)


def test_poisson_trend_drops_rows_with_missing_counts():
    data = exact_series(0.97)
    data.loc[3, "infant_deaths"] = np.nan
    fit = models.poisson_trend(data, "infant_deaths", "live_births")
    assert fit.result.nobs == len(data) - 1
    assert fit.ratio == pytest.approx(0.97, rel=1e-9)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="live_births"), "no column"),
        (lambda d: d.assign(live_births=0.0), "greater than zero"),
        (lambda d: d.assign(infant_deaths=-1.0), "must not be negative"),
        (lambda d: d.assign(year=2010.0), "two or more values"),
    ],
    ids=["missing-column", "zero-exposure", "negative-count", "one-year"],
)
def test_poisson_trend_rejects_bad_input(change, message):
    with pytest.raises(ValueError, match=message):
        models.poisson_trend(change(exact_series()), "infant_deaths", "live_births")


@pytest.mark.parametrize("confidence", [0.5, 1.5, 80, 101, "95", True])
def test_confidence_outside_range_is_rejected(confidence):
    with pytest.raises(ValueError, match="confidence"):
        models.poisson_trend(exact_series(), "infant_deaths", "live_births", confidence=confidence)


# ----------------------------------------------------------------------------------------------
# binomial_trend


@pytest.mark.parametrize(("s0", "n0", "s1", "n1"), [(188, 1000, 150, 1000), (45, 200, 60, 210)])
def test_binomial_trend_two_points_matches_woolf(s0, n0, s1, n1):
    data = pd.DataFrame({"year": [0, 1], "re": [s0, s1], "n": [n0, n1]})
    fit = models.binomial_trend(data, successes="re", trials="n")
    f0, f1 = n0 - s0, n1 - s1
    odds_ratio = (s1 / f1) / (s0 / f0)
    se = np.sqrt(1 / s0 + 1 / f0 + 1 / s1 + 1 / f1)
    assert fit.ratio == pytest.approx(odds_ratio, rel=1e-8)
    assert fit.ratio_lower == pytest.approx(odds_ratio * np.exp(-Z95 * se), rel=1e-6)
    assert fit.ratio_upper == pytest.approx(odds_ratio * np.exp(Z95 * se), rel=1e-6)


def test_binomial_trend_records_equal_aggregated_counts():
    counts = pd.DataFrame({"year": [2019, 2020, 2021], "re": [30, 24, 20], "n": [150, 140, 150]})
    records = pd.DataFrame({
        "year": np.repeat(counts["year"], counts["n"]),
        "flag": np.concatenate([np.r_[np.ones(s), np.zeros(n - s)]
                                for s, n in zip(counts["re"], counts["n"], strict=True)]),
    })
    aggregated = models.binomial_trend(counts, successes="re", trials="n")
    individual = models.binomial_trend(records, outcome="flag")
    assert individual.ratio == pytest.approx(aggregated.ratio, rel=1e-7)
    assert individual.ratio_upper == pytest.approx(aggregated.ratio_upper, rel=1e-6)


def test_binomial_trend_needs_counts_or_outcome():
    with pytest.raises(ValueError, match="give either"):
        models.binomial_trend(pd.DataFrame({"year": [1, 2]}), successes="x")
    with pytest.raises(ValueError, match="must not exceed"):
        models.binomial_trend(pd.DataFrame({"year": [1, 2], "s": [5, 9], "n": [10, 8]}),
                              successes="s", trials="n")


# ----------------------------------------------------------------------------------------------
# gap_test


@pytest.mark.parametrize(
    ("local_ratio", "local_rate", "expected"),
    [
        (0.95, 0.007, True),    # higher local rate falling faster than England's: narrowing
        (1.01, 0.007, False),   # higher local rate rising while England's falls: widening
        (0.95, 0.002, False),   # lower local rate falling faster: the gap widens
        (0.99, 0.007, None),    # the same trend as England's: no significant difference
    ],
)
def test_gap_test_says_whether_the_gap_narrows(local_ratio, local_rate, expected):
    local = exact_series(local_ratio, births=20000, rate=local_rate).assign(area="L")
    england = exact_series(0.99, births=600000, rate=0.004).assign(area="E")
    result = models.gap_test(pd.concat([local, england]), "infant_deaths", "live_births",
                             "area", "L", "E")
    assert result.narrowing is expected


def test_gap_test_scales_errors_for_overdispersion():
    local = overdispersed_series(seed=9, alpha=0.2).assign(area="L")
    england = exact_series(0.98, births=600000, rate=0.004).assign(area="E")
    result = models.gap_test(pd.concat([local, england]), "infant_deaths", "live_births",
                             "area", "L", "E")
    assert result.dispersion > 1
    assert result.result.scale == pytest.approx(result.dispersion)


def test_gap_test_needs_both_areas():
    with pytest.raises(ValueError, match="no rows"):
        models.gap_test(exact_series().assign(area="L"), "infant_deaths", "live_births",
                        "area", "L", "E")


# ----------------------------------------------------------------------------------------------
# project_rate


def test_project_rate_extends_the_fitted_line():
    fit = models.poisson_trend(exact_series(0.97), "infant_deaths", "live_births")
    future = pd.DataFrame({"year": [2024.0, 2030.0], "live_births": 3300.0})
    projected = models.project_rate(fit, future, "live_births")
    expected = 7.0 * 0.97 ** (future["year"].to_numpy() - 2006)
    np.testing.assert_allclose(projected["rate"], expected, rtol=1e-8)
    assert (projected["lower_ci"] < projected["rate"]).all()
    assert (projected["upper_ci"] > projected["rate"]).all()
    assert (projected["lower_pi"] <= projected["lower_ci"]).all()
    assert (projected["upper_pi"] >= projected["upper_ci"]).all()
    # further from the data, the interval for the rate is wider
    widths = projected["upper_ci"] - projected["lower_ci"]
    assert widths.iloc[1] > widths.iloc[0]


def test_prediction_interval_is_poisson_when_the_rate_is_known():
    # a trend estimated from enormous exposure has negligible parameter uncertainty
    fit = models.poisson_trend(exact_series(0.98, births=5e8), "infant_deaths", "live_births")
    future = pd.DataFrame({"year": [2030.0], "live_births": 3300.0})
    projected = models.project_rate(fit, future, "live_births", n_sim=200_000, seed=3)
    mean = 3300 * 0.007 * 0.98 ** 24
    assert projected["lower_pi"].iloc[0] == pytest.approx(sps.poisson.ppf(0.025, mean) / 3.3)
    assert projected["upper_pi"].iloc[0] == pytest.approx(sps.poisson.ppf(0.975, mean) / 3.3)


def test_negative_binomial_prediction_interval_is_wider():
    data = overdispersed_series()
    nb = models.poisson_trend(data, "infant_deaths", "live_births")
    poisson = models.poisson_trend(exact_series(0.98), "infant_deaths", "live_births")
    future = pd.DataFrame({"year": [2024.0], "live_births": 3300.0})
    nb_pi = models.project_rate(nb, future, "live_births").iloc[0]
    poisson_pi = models.project_rate(poisson, future, "live_births").iloc[0]
    assert nb.family == "negative binomial"
    nb_width = nb_pi["upper_pi"] - nb_pi["lower_pi"]
    assert nb_width > poisson_pi["upper_pi"] - poisson_pi["lower_pi"]


def test_project_rate_is_reproducible_with_a_seed():
    fit = models.poisson_trend(exact_series(0.97), "infant_deaths", "live_births")
    future = pd.DataFrame({"year": [2027.0], "live_births": 3300.0})
    first = models.project_rate(fit, future, "live_births", seed=5)
    pd.testing.assert_frame_equal(first, models.project_rate(fit, future, "live_births", seed=5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 0.5}, "confidence"),
        ({"future": pd.DataFrame({"year": [2030.0]})}, "no column"),
        ({"future": pd.DataFrame({"year": [2030.0], "live_births": [0.0]})}, "greater than zero"),
    ],
    ids=["confidence", "no-exposure", "zero-exposure"],
)
def test_project_rate_rejects_bad_input(kwargs, message):
    fit = models.poisson_trend(exact_series(), "infant_deaths", "live_births")
    arguments = {"future": pd.DataFrame({"year": [2030.0], "live_births": [3300.0]})} | kwargs
    with pytest.raises(ValueError, match=message):
        models.project_rate(fit, exposure="live_births", **arguments)


def test_project_rate_needs_a_count_model():
    data = pd.DataFrame({"year": [0, 1, 2], "s": [30, 24, 20], "n": [150, 140, 150]})
    fit = models.binomial_trend(data, successes="s", trials="n")
    with pytest.raises(ValueError, match="count model"):
        models.project_rate(fit, pd.DataFrame({"year": [3], "n": [100]}), "n")
