"""Trend models, as readable statsmodels formulas with the results objects kept whole.

- :func:`poisson_trend`: counts of events (deaths) over time with log(exposure) offset; checks
  overdispersion and switches to a negative binomial model when the data call for it.
- :func:`binomial_trend`: logistic regression for proportions (re-referrals, excess weight),
  from aggregated successes/trials or from records (a 0/1 outcome).
- :func:`gap_test`: does an area's trend differ from the benchmark's (the local series modelled
  relative to the benchmark's observed yearly rates, quasi-Poisson, t reference)?
- :func:`project_rate`: a fitted rate trend extended to future years with a prediction interval.

References: McCullagh and Nelder (1989) *Generalized Linear Models*; Cameron and Trivedi (2013)
*Regression Analysis of Count Data* (overdispersion test); statsmodels GLM documentation.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import optimize
from scipy import stats as sps
from statsmodels.genmod.generalized_linear_model import GLMResultsWrapper
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from jsnalib.methods.confidence import level as _level

#: Pearson dispersion above which (with a significant test) a Poisson model is replaced.
DISPERSION_THRESHOLD = 1.5
#: Search range of the negative binomial alpha (variance = mu + alpha * mu^2).
_ALPHA_RANGE = (1e-6, 10.0)


@dataclass
class TrendFit:
    """A fitted trend: the whole statsmodels results object plus the headline numbers.

    `ratio` is the multiplicative change per unit of time (rate ratio for count models, odds
    ratio for binomial models), with its confidence interval (at `confidence`, 0.95 unless
    asked otherwise) and p-value.
    """

    result: GLMResultsWrapper
    family: str
    time: str
    ratio: float
    ratio_lower: float
    ratio_upper: float
    p_value: float
    dispersion: float
    dispersion_p: float
    reason: str
    confidence: float = 0.95

    @property
    def percent_change(self) -> float:
        """Change per unit of time as a percentage (e.g. -2.1 means 2.1% lower each year)."""
        return 100.0 * (self.ratio - 1.0)


def _check_columns(data: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"data has no column(s) {missing}; it has {list(data.columns)}")


def _ratio(result, term: str, level: float = 0.95) -> tuple[float, float, float, float]:
    ci = result.conf_int(alpha=1 - level).loc[term]
    return (float(np.exp(result.params[term])), float(np.exp(ci.iloc[0])),
            float(np.exp(ci.iloc[1])), float(result.pvalues[term]))


def poisson_trend(
    data: pd.DataFrame,
    count: str,
    exposure: str,
    time: str = "year",
    covariates: str = "",
    confidence: float = 0.95,
) -> TrendFit:
    """Poisson GLM ``count ~ time (+ covariates)`` with ``offset = log(exposure)``.

    Overdispersion is checked with the Pearson statistic (chi-square on the residual degrees of
    freedom). When dispersion exceeds 1.5 and the test is significant at 5%, the model is refitted
    as a negative binomial (NB2) GLM with its alpha estimated by maximum (profile) likelihood;
    `reason` says which model was used and why. Rows with a missing count or exposure are
    dropped. The rate ratio's interval is a Wald interval at `confidence` (0.95 or 95).

    Example: ``poisson_trend(df, count="infant_deaths", exposure="live_births")``; ``fit.ratio``
    is the annual rate ratio (0.97 = 3% fewer deaths per birth each year).
    """
    level = _level(confidence)
    _check_columns(data, [count, exposure, time])
    frame = data.dropna(subset=[count, exposure]).copy()
    if frame[time].nunique() < 2:
        raise ValueError(f"a trend needs rows at two or more values of {time} with {count} and "
                         f"{exposure}; got {frame[time].nunique()}")
    if (frame[exposure] <= 0).any():
        raise ValueError(f"{exposure} must be greater than zero in every row")
    if (frame[count] < 0).any():
        raise ValueError(f"{count} must not be negative")
    formula = f"{count} ~ {time}" + (f" + {covariates}" if covariates else "")
    offset = np.log(frame[exposure].astype(float))
    poisson = smf.glm(formula, data=frame, offset=offset, family=sm.families.Poisson()).fit()
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid) if poisson.df_resid > 0 else np.nan
    dispersion_p = float(sps.chi2.sf(poisson.pearson_chi2, poisson.df_resid)) \
        if poisson.df_resid > 0 else np.nan
    if dispersion > DISPERSION_THRESHOLD and dispersion_p < 0.05:
        alpha = _negative_binomial_alpha(frame, formula, offset)
        result = _fit_negative_binomial(frame, formula, offset, alpha)
        family = "negative binomial"
        reason = (f"the counts vary more than a Poisson model allows (Pearson dispersion "
                  f"{dispersion:.2f}, p = {dispersion_p:.3f}), so a negative binomial model "
                  f"(alpha = {alpha:.4f}) was used")
    else:
        result, family = poisson, "poisson"
        reason = (f"a Poisson model fits: Pearson dispersion {dispersion:.2f} "
                  f"(p = {dispersion_p:.3f}) gives no evidence of overdispersion")
    ratio, lower, upper, p = _ratio(result, time, level)
    return TrendFit(result, family, time, ratio, lower, upper, p, dispersion, dispersion_p, reason,
                    level)


def _fit_negative_binomial(frame: pd.DataFrame, formula: str, offset: pd.Series,
                           alpha: float) -> GLMResultsWrapper:
    with warnings.catch_warnings():
        # at extreme trial values of alpha IRLS may stop early; the optimum is checked below
        warnings.simplefilter("ignore", ConvergenceWarning)
        return smf.glm(formula, data=frame, offset=offset,
                       family=sm.families.NegativeBinomial(alpha=alpha)).fit()


def _negative_binomial_alpha(frame: pd.DataFrame, formula: str, offset: pd.Series) -> float:
    """Maximum-likelihood alpha of an NB2 model with the same mean structure.

    The log-likelihood is profiled over log(alpha) (a bounded one-dimensional search, each
    step an IRLS fit), which is stable with an uncentred time variable such as calendar year,
    where the joint Newton/BFGS fit of statsmodels' discrete NegativeBinomial overflows.
    """
    def negative_loglike(log_alpha: float) -> float:
        return -float(_fit_negative_binomial(frame, formula, offset, np.exp(log_alpha)).llf)

    search = optimize.minimize_scalar(negative_loglike, bounds=np.log(_ALPHA_RANGE),
                                      method="bounded", options={"xatol": 1e-4})
    return float(np.exp(search.x))


def binomial_trend(
    data: pd.DataFrame,
    time: str = "year",
    successes: str | None = None,
    trials: str | None = None,
    outcome: str | None = None,
    covariates: str = "",
    confidence: float = 0.95,
) -> TrendFit:
    """Logistic (binomial) GLM for a proportion over time.

    Give either `successes` and `trials` (aggregated counts) or `outcome` (a 0/1 or boolean
    column of records). `covariates` is extra formula text such as ``"C(source)"``; the
    reported odds ratio is then adjusted for them. Overdispersion (aggregated data only) is
    handled by scaling standard errors by the Pearson dispersion when it exceeds 1.5.

    Example: ``binomial_trend(records, outcome="rereferral", covariates="C(source)")``.
    """
    level = _level(confidence)
    extra = f" + {covariates}" if covariates else ""
    if outcome is not None:
        _check_columns(data, [outcome, time])
        frame = data.dropna(subset=[outcome]).copy()
        frame[outcome] = frame[outcome].astype(int)
        result = smf.glm(f"{outcome} ~ {time}{extra}", data=frame,
                         family=sm.families.Binomial()).fit()
        ratio, lower, upper, p = _ratio(result, time, level)
        return TrendFit(result, "binomial", time, ratio, lower, upper, p, np.nan, np.nan,
                        "logistic regression on individual records", level)
    if successes is None or trials is None:
        raise ValueError("give either outcome= (records) or successes= and trials= (counts)")
    _check_columns(data, [successes, trials, time])
    frame = data.dropna(subset=[successes, trials]).copy()
    if (frame[successes] > frame[trials]).any():
        raise ValueError(f"{successes} must not exceed {trials}")
    frame["_failures"] = frame[trials] - frame[successes]
    formula = f"{successes} + _failures ~ {time}{extra}"
    result = smf.glm(formula, data=frame, family=sm.families.Binomial()).fit()
    dispersion = float(result.pearson_chi2 / result.df_resid) if result.df_resid > 0 else np.nan
    dispersion_p = float(sps.chi2.sf(result.pearson_chi2, result.df_resid)) \
        if result.df_resid > 0 else np.nan
    reason = f"binomial model; Pearson dispersion {dispersion:.2f} (p = {dispersion_p:.3f})"
    if dispersion > DISPERSION_THRESHOLD and dispersion_p < 0.05:
        result = smf.glm(formula, data=frame, family=sm.families.Binomial()).fit(scale=dispersion)
        reason = (f"the proportions vary more than a binomial model allows (Pearson dispersion "
                  f"{dispersion:.2f}, p = {dispersion_p:.3f}), so standard errors were scaled "
                  "by the dispersion (quasi-binomial)")
    ratio, lower, upper, p = _ratio(result, time, level)
    return TrendFit(result, "binomial", time, ratio, lower, upper, p, dispersion, dispersion_p,
                    reason, level)


@dataclass
class GapTest:
    """Whether an area's trend differs from the benchmark's, relative to the benchmark's
    observed yearly rates.

    `ratio_of_ratios` is the factor by which the local rate changes each year relative to the
    benchmark's (the local annual rate ratio divided by the benchmark's), with its confidence
    interval and the p-value of its test (t on ``df`` degrees of freedom, standard errors scaled
    by the local series' Pearson `dispersion`: quasi-Poisson). `result` is the local model.
    """

    ratio_of_ratios: float
    lower: float
    upper: float
    p_value: float
    narrowing: bool | None
    result: GLMResultsWrapper
    dispersion: float = np.nan
    confidence: float = 0.95
    df: int = 0


def _yearly_totals(frame: pd.DataFrame, count: str, exposure: str, time: str
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Periods (sorted) with the count and exposure summed within each."""
    periods, position = np.unique(frame[time].to_numpy(float), return_inverse=True)
    return (periods, np.bincount(position, frame[count].to_numpy(float)),
            np.bincount(position, frame[exposure].to_numpy(float)))


def gap_test(
    data: pd.DataFrame,
    count: str,
    exposure: str,
    area: str,
    local: str,
    benchmark: str,
    time: str = "year",
    confidence: float = 0.95,
) -> GapTest:
    """Is the gap between `local` and `benchmark` narrowing? The local series modelled relative
    to the benchmark's observed rates.

    For each period ``t`` the benchmark's observed rate ``R_t = count_t / exposure_t`` gives the
    local count expected at the benchmark's rate, ``E_t = exposure_local_t * R_t``. The local
    counts are fitted by a log-linear model ``log mu_t = b0 + b1 t + log E_t`` (Poisson
    likelihood, so the fit is an indirectly standardised ratio with a log-linear trend):
    ``exp(b1)`` is the yearly change of the local rate relative to the benchmark's, whatever
    shape the benchmark's own path takes (a falling-then-flat national rate cannot leak into
    the local test). Standard errors are scaled by the local series' own Pearson dispersion
    ``phi = X^2 / (n - 2)`` (quasi-Poisson; McCullagh and Nelder 1989, section 9.2) and the
    interval and p-value use the t distribution on ``n - 2`` degrees of freedom, ``n`` the
    number of periods. The benchmark's rates are taken as known: with national numbers of
    events their chance variation is negligible beside the local series'.

    `ratio_of_ratios` below 1 means the local rate is falling faster (or rising more slowly)
    than the benchmark's; when the local rate is the higher one over the periods, that is a
    narrowing gap. `narrowing` is None when the test is not significant at ``1 - confidence``.
    Periods without a benchmark rate, or with a missing local count or exposure, are left out;
    at least three periods are needed.
    """
    level = _level(confidence)
    _check_columns(data, [count, exposure, area, time])
    frame = data[data[area].isin([local, benchmark])].dropna(subset=[count, exposure, time])
    for code in (local, benchmark):
        if not (frame[area] == code).any():
            raise ValueError(f"data has no rows with {count} and {exposure} for {area} {code!r}")
    if (frame[exposure] <= 0).any():
        raise ValueError(f"{exposure} must be greater than zero in every row")
    if (frame[count] < 0).any():
        raise ValueError(f"{count} must not be negative")
    is_local = (frame[area] == local).to_numpy()
    years, deaths, births = _yearly_totals(frame[is_local], count, exposure, time)
    b_years, b_deaths, b_births = _yearly_totals(frame[~is_local], count, exposure, time)
    usable = b_deaths > 0
    b_years, b_deaths, b_births = b_years[usable], b_deaths[usable], b_births[usable]
    keep = np.isin(years, b_years)
    years, deaths, births = years[keep], deaths[keep], births[keep]
    if len(years) < 3:
        raise ValueError(f"the gap test needs three or more values of {time} with counts for "
                         f"both {local!r} and {benchmark!r} (and benchmark events); got "
                         f"{len(years)}")
    shared = np.isin(b_years, years)
    benchmark_rate = b_deaths[shared] / b_births[shared]
    exog = pd.DataFrame({"Intercept": 1.0, time: years - years.mean()})
    model = sm.GLM(deaths, exog, offset=np.log(births * benchmark_rate),
                   family=sm.families.Poisson())
    with warnings.catch_warnings():
        # a series that the model fits exactly (dispersion 0) is reported, not warned about
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        first = model.fit()
        df = int(first.df_resid)
        dispersion = float(first.pearson_chi2 / df)
        result = model.fit(start_params=first.params, scale=dispersion)
    slope, se = float(result.params.iloc[1]), float(result.bse.iloc[1])
    quantile = sps.t.ppf(0.5 + level / 2, df)
    p_value = float(2 * sps.t.sf(abs(slope) / se, df)) if se > 0 else float(slope == 0)
    ratio = float(np.exp(slope))
    lower, upper = float(np.exp(slope - quantile * se)), float(np.exp(slope + quantile * se))
    local_higher = deaths.sum() / births.sum() > b_deaths[shared].sum() / b_births[shared].sum()
    narrowing = None if p_value >= 1 - level else bool((ratio < 1) == local_higher)
    return GapTest(ratio, lower, upper, p_value, narrowing, result, dispersion, level, df)


def project_rate(
    fit: TrendFit,
    future: pd.DataFrame,
    exposure: str,
    multiplier: float = 1000.0,
    confidence: float = 0.95,
    n_sim: int = 20000,
    seed: int = 1,
) -> pd.DataFrame:
    """Extend a count-model trend to future periods with confidence and prediction intervals.

    `future` holds the time column and the expected exposure (e.g. births) for each future
    period. The confidence interval is for the underlying rate (parameter uncertainty only); the
    prediction interval also includes the chance variation of the counts that will be observed
    (Poisson, or negative binomial with the fitted alpha), by seeded simulation. Rates are per
    `multiplier` (1,000 live births for infant mortality). `confidence` is 0.95 or 95.
    """
    confidence = _level(confidence)
    if fit.family not in ("poisson", "negative binomial"):
        raise ValueError(
            f"project_rate needs a count model (poisson_trend); got a {fit.family} model")
    _check_columns(future, [fit.time, exposure])
    if not (future[exposure].astype(float) > 0).all():
        raise ValueError(f"{exposure} must be greater than zero in every future row")
    result = fit.result
    exog = result.model.data.orig_exog.columns
    design = pd.DataFrame({c: 1.0 for c in exog}, index=future.index)
    design[fit.time] = future[fit.time].astype(float)
    missing = [c for c in exog if c not in ("Intercept", fit.time)]
    if missing:
        raise ValueError(f"projection needs a model of time only; it also has {missing}")
    params, cov = result.params[exog].to_numpy(), result.cov_params().loc[exog, exog].to_numpy()
    x = design[exog].to_numpy()
    eta = x @ params
    se = np.sqrt(np.einsum("ij,jk,ik->i", x, cov, x))
    z = sps.norm.ppf(0.5 + confidence / 2)
    rng = np.random.default_rng(seed)
    eta_draws = eta[None, :] + se[None, :] * rng.standard_normal((n_sim, len(eta)))
    expected = np.exp(eta_draws) * future[exposure].to_numpy(float)[None, :]
    if fit.family == "negative binomial":
        alpha = float(result.model.family.alpha)
        expected = rng.gamma(1.0 / alpha, alpha * expected)
    counts = rng.poisson(expected)
    rates = counts / future[exposure].to_numpy(float)[None, :] * multiplier
    tail = (1 - confidence) / 2
    return pd.DataFrame({
        fit.time: future[fit.time].to_numpy(),
        "rate": np.exp(eta) * multiplier,
        "lower_ci": np.exp(eta - z * se) * multiplier,
        "upper_ci": np.exp(eta + z * se) * multiplier,
        "lower_pi": np.quantile(rates, tail, axis=0),
        "upper_pi": np.quantile(rates, 1 - tail, axis=0),
    })
