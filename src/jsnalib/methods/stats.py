"""Public-health indicator statistics, following the national (PHE/OHID Fingertips) methods.

Confidence intervals for proportions (Wilson score), counts (Byar's approximation and the exact
Poisson interval) and crude rates; comparison of an interval with a benchmark; funnel-plot
control limits; the slope and relative index of inequality; the chi-square test for a linear
trend in proportions and Fingertips' recent-trend rule (:func:`recent_trend`).

Every function takes numpy arrays, pandas Series or scalars and gives back the same shape: a
scalar for scalars, an array for arrays, a Series with the input's index for Series. Missing
values (NaN, ``pd.NA``) give NaN in the matching position. Invalid arguments raise
``ValueError`` with a plain message. ``confidence`` is accepted as a fraction (0.95, 0.998) or
as a percentage (95, 99.8); anything outside 0.9-1 or 90-100 is an error.

The methods and the expected values in the tests come from:

- APHO (2008) Technical Briefing 3: Commonly used public health statistics and their confidence
  intervals. Association of Public Health Observatories, York.
- Wilson EB (1927) Probable inference, the law of succession, and statistical inference.
  J Am Stat Assoc 22:209-212; Newcombe RG, Altman DG (2000) Proportions and their differences,
  in Altman DG et al. (eds) Statistics with confidence, 2nd edn. BMJ Books.
- Breslow NE, Day NE (1987) Statistical methods in cancer research, volume II: the design and
  analysis of cohort studies. IARC, Lyon (Byar's approximation); Garwood F (1936) Fiducial
  limits for the Poisson distribution. Biometrika 28:437-442 (the exact interval).
- Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance.
  Stat Med 24:1185-1202 (also the over-dispersed funnel: Winsorised z-scores, additive random
  effects).
- Low A, Low A (2004) Measuring the gap: quantifying and comparing local health inequalities.
  J Public Health 26:388-395; Public Health England, Fingertips technical guidance on the slope
  index of inequality (population-weighted regression on relative rank, Monte Carlo limits).
- Armitage P (1955) Tests for linear trends in proportions and frequencies. Biometrics
  11:375-386; Altman DG (1991) Practical statistics for medical research. Chapman & Hall.
- Office for Health Improvement and Disparities, Fingertips technical guidance: recent trends
  (the latest five points, chi-square test for trend at 99.8%, robust to dropping any point).
- UKHSA PHEindicatormethods (R package): phe_proportion, phe_rate, byars_lower/upper,
  phe_funnels / calculate_funnel_limits, phe_sii.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd
from scipy import special

from jsnalib.methods.confidence import level as _confidence_level

ArrayLike: TypeAlias = float | int | np.ndarray | pd.Series | Sequence[float]
Values: TypeAlias = float | np.ndarray | pd.Series  # the shape of the input: scalar, array, Series
Interval: TypeAlias = tuple[Values, Values]

POLARITIES = ("high_is_good", "low_is_good", "no_judgement")
VALUE_TYPES = ("normal", "rate", "proportion")
FUNNEL_COLUMNS = ["population", "lower_95", "upper_95", "lower_998", "upper_998", "baseline"]
_EXACT_BELOW = 10  # rate_ci: exact Poisson limits below this many events, Byar's from it
_Z_95 = float(special.ndtri(0.975))  # SII: input limits are 95% limits


# ----------------------------------------------------------------------------------------------
# argument handling shared by every function


def _z(level: float) -> float:
    """Two-sided standard normal critical value for a confidence level (a fraction)."""
    return float(special.ndtri(0.5 + level / 2))


def _positive_number(name: str, value: float) -> float:
    if isinstance(value, bool) or not np.isscalar(value):
        raise ValueError(f"{name} must be a single number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value!r}")
    return number


class _Shape:
    """Remembers how the inputs came in, to give results back in the same form."""

    def __init__(self, shape: tuple[int, ...], index: pd.Index | None):
        self.shape = shape
        self.index = index

    def values(self, flat: np.ndarray, name: str | None = None) -> Values:
        """A scalar, an array of the input shape, or a Series on the input index."""
        if self.index is not None:
            return pd.Series(flat, index=self.index, name=name)
        if self.shape == ():
            return flat[0].item()
        return flat.reshape(self.shape)

    def frame(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        """A DataFrame, one row per input element (index from a Series input)."""
        if len(self.shape) > 1:
            raise ValueError("inputs must be one-dimensional to return a DataFrame")
        index = self.index
        if index is None:
            index = pd.RangeIndex(int(np.prod(self.shape)))
        return pd.DataFrame(columns, index=index)


def _as_float(name: str, value) -> np.ndarray:
    if isinstance(value, pd.DataFrame):
        raise ValueError(f"{name} must be a scalar, array or Series, not a DataFrame")
    try:
        if isinstance(value, pd.Series | pd.Index):
            return value.to_numpy(dtype=float, na_value=np.nan)
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric") from None


def _inputs(**named) -> tuple[list[np.ndarray], _Shape]:
    """Convert named inputs to flat float arrays of one common length."""
    index = None
    arrays = []
    for name, value in named.items():
        if isinstance(value, pd.Series):
            if index is None:
                index = value.index
            elif not value.index.equals(index):
                raise ValueError(f"{name} must have the same index as the other Series given")
        arrays.append(_as_float(name, value))
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        lengths = ", ".join(f"{n} {np.shape(a)}" for n, a in zip(named, arrays, strict=True))
        message = f"inputs must have the same length or be single values: {lengths}"
        raise ValueError(message) from None
    shape = arrays[0].shape
    return [np.ravel(a).astype(float, copy=True) for a in arrays], _Shape(shape, index)


def _check_finite(name: str, x: np.ndarray) -> None:
    if np.isinf(x).any():
        raise ValueError(f"{name} must be finite (found an infinite value)")


def _check_count(name: str, x: np.ndarray) -> None:
    _check_finite(name, x)
    if (x < 0).any():
        raise ValueError(f"{name} must be zero or more (found a negative value)")


def _check_positive(name: str, x: np.ndarray) -> None:
    _check_finite(name, x)
    if (x <= 0).any():
        raise ValueError(f"{name} must be greater than zero (found zero or a negative value)")


def _check_proportion_inputs(numerator: np.ndarray, denominator: np.ndarray) -> None:
    _check_count("numerator", numerator)
    _check_positive("denominator", denominator)
    if (numerator > denominator).any():
        raise ValueError("numerator must not be greater than denominator for a proportion")


# ----------------------------------------------------------------------------------------------
# confidence intervals


def _wilson(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits as proportions, in a form free of cancellation at 0 and 1."""
    if level == 1:
        nan = np.isnan(x) | np.isnan(n)
        return np.where(nan, np.nan, 0.0), np.where(nan, np.nan, 1.0)
    z = _z(level)
    z2 = z * z

    def near_limit(k):  # limit on the side of k, written so that k = 0 gives exactly 0
        return k * k / (n * (k + z2 / 2 + z * root))

    def far_limit(k):  # limit on the far side of k
        return (k + z2 / 2 + z * root) / (n + z2)

    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(x * (n - x) / n + z2 / 4)
        low_half = x <= n / 2
        lower = np.where(low_half, near_limit(x), 1 - far_limit(n - x))
        upper = np.where(low_half, far_limit(x), 1 - near_limit(n - x))
    return np.clip(lower, 0, 1), np.clip(upper, 0, 1)


def wilson_ci(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> Interval:
    """Wilson score confidence interval for a proportion.

    ``(2x + z² ± z·sqrt(z² + 4x(1 - x/n))) / (2(n + z²))`` with ``x`` the numerator, ``n`` the
    denominator and ``z`` the two-sided normal critical value (Wilson 1927; Newcombe & Altman
    2000; APHO Technical Briefing 3, the method Fingertips uses for proportions). It is computed
    in an algebraically equal form that keeps full precision near 0 and 1.

    Args:
        numerator: cases with the attribute (count, >= 0; non-integers allowed).
        denominator: people in the group (count, > 0, >= numerator).
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        ``(lower, upper)`` as proportions between 0 and 1, each the shape of the inputs.

    Example:
        >>> [round(v, 6) for v in wilson_ci(65, 100)]
        [0.552544, 0.736358]
    """
    level = _confidence_level(confidence)
    (x, n), shape = _inputs(numerator=numerator, denominator=denominator)
    _check_proportion_inputs(x, n)
    lower, upper = _wilson(x, n, level)
    return shape.values(lower, "lower"), shape.values(upper, "upper")


def _byars(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = _z(level)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        x1 = x + 1
        upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    lower[~(lower >= 0)] = np.nan  # approximation breaks down: zero or a negative limit
    return lower, upper


def byars_ci(count: ArrayLike, confidence: float = 0.95) -> Interval:
    """Byar's approximation to the exact Poisson confidence interval for a count.

    lower ``= O(1 - 1/(9O) - z/(3·sqrt(O)))³``, upper ``= (O+1)(1 - 1/(9(O+1)) +
    z/(3·sqrt(O+1)))³`` with ``O`` the observed count (Breslow & Day 1987; APHO
    Technical Briefing 3). Accurate from about 10 events; for fewer use
    :func:`exact_poisson_ci` (:func:`rate_ci` switches automatically).

    As in PHEindicatormethods, the lower limit is NaN where the approximation breaks down: a
    count of 0, or a negative result for very small counts at high confidence (1 at 99.8%).

    Args:
        count: observed number of events (>= 0).
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        ``(lower, upper)`` as counts, each the shape of ``count``.

    Example:
        >>> [round(v, 6) for v in byars_ci(65)]
        [50.163188, 82.849139]
    """
    level = _confidence_level(confidence)
    (x,), shape = _inputs(count=count)
    _check_count("count", x)
    lower, upper = _byars(x, level)
    return shape.values(lower, "lower"), shape.values(upper, "upper")


def _exact_poisson_direct(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, special.gammaincinv(np.where(x > 0, x, 1), alpha / 2), 0.0)
        upper = special.gammaincinv(x + 1, 1 - alpha / 2)
    lower[np.isnan(x)] = np.nan
    return lower, upper


def _exact_poisson(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits; whole-number counts are looked up in a table of 0..max(count)."""
    ok = ~np.isnan(x)
    counts = x[ok]
    top = counts.max() if counts.size else 0.0
    if counts.size <= 64 or top >= counts.size or np.any(counts != np.floor(counts)):
        return _exact_poisson_direct(x, level)
    table_lower, table_upper = _exact_poisson_direct(np.arange(int(top) + 1, dtype=float), level)
    idx = counts.astype(np.intp)
    lower = np.full_like(x, np.nan)
    upper = np.full_like(x, np.nan)
    lower[ok] = table_lower[idx]
    upper[ok] = table_upper[idx]
    return lower, upper


def exact_poisson_ci(count: ArrayLike, confidence: float = 0.95) -> Interval:
    """Exact (Garwood) confidence interval for a Poisson count.

    lower ``= χ²(α/2; 2O)/2``, upper ``= χ²(1-α/2; 2O+2)/2``, the chi-square quantiles with
    ``α = 1 - confidence`` (Garwood 1936; Breslow & Day 1987; APHO Technical Briefing 3, used
    for fewer than 10 events). The lower limit of a count of 0 is 0.

    Args:
        count: observed number of events (>= 0; non-integers are allowed).
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        ``(lower, upper)`` as counts, each the shape of ``count``.

    Example:
        >>> [round(v, 6) for v in exact_poisson_ci(5)]
        [1.623486, 11.668332]
    """
    level = _confidence_level(confidence)
    (x,), shape = _inputs(count=count)
    _check_count("count", x)
    lower, upper = _exact_poisson(x, level)
    return shape.values(lower, "lower"), shape.values(upper, "upper")


def _crude_rate(count, denominator, multiplier, confidence):
    """Validated rate and limits per ``multiplier``: exact below 10 events, Byar's from 10."""
    level = _confidence_level(confidence)
    multiplier = _positive_number("multiplier", multiplier)
    (x, n), shape = _inputs(count=count, denominator=denominator)
    _check_count("count", x)
    _check_positive("denominator", n)
    lower, upper = _byars(x, level)
    small = x < _EXACT_BELOW
    if small.any():
        lower[small], upper[small] = _exact_poisson(x[small], level)
    scale = multiplier / n
    return shape, x * scale, lower * scale, upper * scale


def rate_ci(
    count: ArrayLike, denominator: ArrayLike, multiplier: float = 1000, confidence: float = 0.95
) -> Interval:
    """Confidence interval for a crude rate: exact Poisson below 10 events, Byar's from 10.

    The count limits (:func:`exact_poisson_ci` for fewer than 10 events, :func:`byars_ci` for
    10 or more, as in APHO Technical Briefing 3 and PHEindicatormethods phe_rate) are divided
    by the denominator and scaled by ``multiplier``. The count may exceed the denominator.

    Args:
        count: observed number of events (>= 0).
        denominator: population or person-time at risk (> 0).
        multiplier: rate per this many of the denominator, e.g. 1000 for per 1,000.
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        ``(lower, upper)`` as rates per ``multiplier``, each the shape of the inputs.

    Example:
        >>> [round(v, 6) for v in rate_ci(20, 100, multiplier=100)]
        [12.211429, 30.88988]
    """
    shape, _, lower, upper = _crude_rate(count, denominator, multiplier, confidence)
    return shape.values(lower, "lower"), shape.values(upper, "upper")


def proportion(
    numerator: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A proportion with its Wilson score confidence interval, as Fingertips presents it.

    ``value = numerator / denominator * multiplier`` with limits from :func:`wilson_ci`
    (PHEindicatormethods phe_proportion; APHO Technical Briefing 3).

    Args:
        numerator: cases with the attribute (>= 0, <= denominator).
        denominator: people in the group (> 0).
        multiplier: 100 for a percentage, 1 for a proportion 0-1.
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        DataFrame with columns ``value, lower, upper`` (units of ``multiplier``), one row per
        input element, indexed like a Series input.

    Example:
        >>> proportion(65, 100).round(4).to_dict("records")
        [{'value': 65.0, 'lower': 55.2544, 'upper': 73.6358}]
    """
    level = _confidence_level(confidence)
    multiplier = _positive_number("multiplier", multiplier)
    (x, n), shape = _inputs(numerator=numerator, denominator=denominator)
    _check_proportion_inputs(x, n)
    lower, upper = _wilson(x, n, level)
    return shape.frame(
        {"value": x / n * multiplier, "lower": lower * multiplier, "upper": upper * multiplier}
    )


def rate(
    count: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 1000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A crude rate with its confidence interval (exact below 10 events, Byar's from 10).

    ``value = count / denominator * multiplier`` with limits from :func:`rate_ci`
    (PHEindicatormethods phe_rate; APHO Technical Briefing 3).

    Args:
        count: observed number of events (>= 0).
        denominator: population or person-time at risk (> 0).
        multiplier: rate per this many, e.g. 1000 for infant deaths per 1,000 live births.
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        DataFrame with columns ``value, lower, upper`` (per ``multiplier``), one row per input
        element, indexed like a Series input.

    Example:
        >>> rate(5, 100, multiplier=100).round(4).to_dict("records")
        [{'value': 5.0, 'lower': 1.6235, 'upper': 11.6683}]
    """
    shape, value, lower, upper = _crude_rate(count, denominator, multiplier, confidence)
    return shape.frame({"value": value, "lower": lower, "upper": upper})


# ----------------------------------------------------------------------------------------------
# benchmark comparison


_LABELS = {
    "high_is_good": ("better", "worse"),
    "low_is_good": ("worse", "better"),
    "no_judgement": ("higher", "lower"),
}


def compare(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike, polarity: str = "high_is_good"
) -> str | np.ndarray | pd.Series:
    """Compare a confidence interval with a benchmark value, as Fingertips colours its tables.

    The value is significantly higher than the benchmark when its lower limit is above it,
    lower when its upper limit is below it, and similar when the interval contains it
    (boundaries included). With ``polarity="high_is_good"`` higher is "better"; with
    ``"low_is_good"`` higher is "worse"; ``"no_judgement"`` gives "higher"/"lower". Where any
    of the three inputs is missing the result is "not compared". Use 95% limits for the usual
    comparison and 99.8% limits for the stricter one (APHO Technical Briefing 3).

    Args:
        lower, upper: confidence limits of the indicator (any units, the same as benchmark).
        benchmark: the comparator value, e.g. England's.
        polarity: "high_is_good", "low_is_good" or "no_judgement".

    Returns:
        Strings "better"/"similar"/"worse" (or "higher"/"similar"/"lower") or
        "not compared": a str for scalars, an array for arrays, a Series for Series.

    Example:
        >>> compare(5.2, 6.8, 4.0, polarity="low_is_good")
        'worse'
    """
    if polarity not in _LABELS:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}")
    (lo, hi, bench), shape = _inputs(lower=lower, upper=upper, benchmark=benchmark)
    if (lo > hi).any():
        raise ValueError("lower must not be greater than upper")
    above_label, below_label = _LABELS[polarity]
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(bench)
    result = np.select(
        [missing, lo > bench, hi < bench],
        [np.array("not compared"), np.array(above_label), np.array(below_label)],
        default=np.array("similar"),
    )
    if shape.index is not None:
        return pd.Series(result, index=shape.index, name="comparison", dtype="str")
    if shape.shape == ():
        return str(result[0])
    return result.reshape(shape.shape)


# ----------------------------------------------------------------------------------------------
# funnel plots


def _significant_digits_floor(x: float) -> float:
    """PHE axis rounding: 95% of x, rounded down to its leading digit."""
    scaled = x * 0.95
    digits = len(str(int(np.floor(scaled)))) - 1
    return np.floor(scaled / 10**digits) * 10**digits if x != 0 else 0.0


def _significant_digits_ceiling(x: float) -> float:
    """PHE axis rounding: 105% of x, rounded up to its two leading digits."""
    scaled = x * 1.05
    digits = len(str(int(np.ceil(scaled)))) - 2
    return np.ceil(scaled / 10.0**digits) * 10.0**digits if x != 0 else 0.0


def _funnel_grid(denominator: np.ndarray) -> np.ndarray:
    """The 100 populations PHEindicatormethods phe_funnels evaluates its limits at.

    From 0 (when the largest denominator is more than twice the smallest, else 95% of the
    smallest rounded down to one significant figure; never below 1) to 105% of the largest
    rounded up to two significant figures, spaced geometrically, rounded to whole numbers
    and strictly increasing.
    """
    smallest, largest = float(denominator.min()), float(denominator.max())
    axis_min = 0.0 if largest > 2 * smallest else _significant_digits_floor(smallest)
    axis_max = _significant_digits_ceiling(largest)
    grid = np.empty(100)
    grid[0] = max(1.0, axis_min)
    for j in range(1, 100):  # each step depends on the rounded previous one
        step = (axis_max / grid[j - 1]) ** (1 / (100 - j)) * grid[j - 1]
        grid[j] = max(np.round(step), grid[j - 1] + 1)
    return grid


def _pooled(name_a: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop rows with a missing value; at least one complete row is needed."""
    keep = ~(np.isnan(a) | np.isnan(b))
    if not keep.any():
        raise ValueError(f"no rows with both {name_a} and denominator to pool")
    return a[keep], b[keep]


def _funnel_frame(population, compute) -> pd.DataFrame:
    """Evaluate ``compute(populations, probability, side)`` into the funnel columns."""
    (pop,), shape = _inputs(population=population)
    _check_positive("population", pop)
    index = shape.index if shape.index is not None else pd.RangeIndex(pop.size)
    columns = {"population": pop}
    for label, probability in (("95", 0.975), ("998", 0.999)):
        columns[f"lower_{label}"] = compute(pop, probability, "low")
        columns[f"upper_{label}"] = compute(pop, probability, "high")
    return pd.DataFrame(columns, index=index)


def _wilson_funnel(p: np.ndarray, baseline: float, probability: float, side: str) -> np.ndarray:
    """Control limit ``baseline ± z·sqrt(baseline(1 - baseline)/p)`` at population ``p``.

    The observed proportion whose Wilson score interval at ``p`` just reaches the baseline;
    algebraically identical to PHEindicatormethods' sigma_adjustment, written in the form of
    Spiegelhalter (2005) that keeps full precision for baselines near 0 or 1.
    """
    half_width = special.ndtri(probability) * np.sqrt(baseline * (1 - baseline) / p)
    return baseline - half_width if side == "low" else baseline + half_width


def proportion_funnel(
    numerator: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100,
    population: ArrayLike | None = None,
) -> pd.DataFrame:
    """Funnel-plot control limits for proportions (95% and 99.8%), PHE method.

    The baseline ``b`` is the pooled proportion ``sum(numerator) / sum(denominator)`` over rows
    with both values (missing rows are left out). At each population ``n`` the limits are
    ``b ± z·sqrt(b(1 - b)/n)`` with ``z`` for two-sided 95% (p = 0.975) and 99.8% (p = 0.999):
    the observed proportions whose Wilson score interval (:func:`wilson_ci`) at ``n`` just
    reaches the baseline (Spiegelhalter 2005 funnel plots; algebraically the same as
    PHEindicatormethods phe_funnels / calculate_funnel_limits and the Fingertips technical
    guidance). Limits are kept within 0 and ``multiplier`` (PHE clips at 0 and 100, the same
    for percentages).

    Args:
        numerator: cases in each area (>= 0, <= denominator).
        denominator: population of each area (> 0).
        multiplier: 100 for percentages, 1 for proportions.
        population: populations to evaluate the limits at. By default the 100 points PHE
            uses for plotting: geometric from 1 (or 95% of the smallest denominator rounded
            down to one significant figure, when the largest is at most twice the smallest)
            to 105% of the largest denominator rounded up to two significant figures.
            Pass the areas' own denominators to test each area against the limits.

    Returns:
        DataFrame with columns ``population, lower_95, upper_95, lower_998, upper_998,
        baseline``; limits and baseline in units of ``multiplier``.

    Example:
        >>> f = proportion_funnel([30, 45, 80], [100, 150, 200], population=[100, 1000])
        >>> f.round(2).to_dict("list")["lower_95"]
        [25.13, 31.5]
    """
    multiplier = _positive_number("multiplier", multiplier)
    (x, n), _ = _inputs(numerator=numerator, denominator=denominator)
    _check_proportion_inputs(x, n)
    x, n = _pooled("numerator", x, n)
    baseline = x.sum() / n.sum()
    if population is None:
        population = _funnel_grid(n)

    def compute(pop, probability, side):
        limit = _wilson_funnel(pop, baseline, probability, side)
        return np.clip(limit, 0, 1) * multiplier

    frame = _funnel_frame(population, compute)
    frame["baseline"] = baseline * multiplier
    return frame


def _winsorised(z: np.ndarray, fraction: float) -> np.ndarray:
    """z clipped to its ``fraction`` and ``1 - fraction`` percentiles (linear interpolation)."""
    low, high = np.percentile(z, [100 * fraction, 100 * (1 - fraction)])
    return np.clip(z, low, high)


def proportion_funnel_overdispersed(
    numerator: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100,
    population: ArrayLike | None = None,
    winsorise: float = 0.1,
    significance: float = 0.05,
) -> pd.DataFrame:
    """Funnel limits for proportions allowing for over-dispersion: Spiegelhalter's additive
    random-effects funnel, with the dispersion test that says whether it is needed.

    With baseline ``b`` (pooled proportion, as :func:`proportion_funnel`), each area's
    standard error under the baseline is ``s_i = sqrt(b(1 - b)/n_i)`` and its z-score
    ``z_i = (y_i - b)/s_i``. The z-scores are Winsorised at their ``winsorise`` and
    ``1 - winsorise`` percentiles (10% and 90%: the most extreme areas are pulled in so they
    cannot inflate the estimate), and ``phi = Σ z_i² / k`` over the ``k`` areas. Under no
    over-dispersion ``k·phi`` is about chi-square on ``k - 1`` degrees of freedom; its upper
    tail probability is ``attrs["dispersion_p"]``. The between-area variance (DerSimonian-Laird
    form) is ``tau2 = max(0, (k·phi - (k - 1)) / (Σ w_i - Σ w_i² / Σ w_i))`` with
    ``w_i = 1/s_i²``, and the limits at population ``n`` are ``b ± z_p sqrt(b(1 - b)/n +
    tau2)`` (Spiegelhalter 2005, sections 6-7). With ``tau2 = 0`` they equal the plain limits.
    Winsorising is robust to a few outlying areas but, when every area's effect is normal, keeps
    only about two-thirds of the spread (``E[z_w²] = 0.68`` at 10%), so ``tau2`` is then on the
    low side and the limits err towards flagging.

    Args:
        numerator, denominator: as :func:`proportion_funnel` (at least 3 complete areas).
        multiplier: 100 for percentages, 1 for proportions.
        population: populations to evaluate the limits at (default: the PHE 100-point grid).
        winsorise: fraction Winsorised at each end (0 to < 0.5; 0.1 as Spiegelhalter).
        significance: the dispersion test's level below which ``attrs["overdispersed"]`` is
            True (0 < significance < 1; 0.05 by default).

    Returns:
        DataFrame with the columns of :func:`proportion_funnel` (the adjusted limits) plus
        ``tau2`` (between-area variance of the proportion, on the 0-1 scale) and ``phi``
        (the Winsorised dispersion), the same in every row. ``attrs`` holds ``phi``,
        ``tau2``, ``dispersion_statistic`` (``k·phi``), ``df`` (``k - 1``), ``dispersion_p``
        and ``overdispersed``.

    Example:
        >>> f = proportion_funnel_overdispersed([20, 60, 45, 90, 30], [200, 300, 250, 400, 220],
        ...                                     population=[300])
        >>> round(float(f["phi"].iloc[0]), 2), f.attrs["overdispersed"]
        (2.55, True)
    """
    multiplier = _positive_number("multiplier", multiplier)
    if not 0 <= winsorise < 0.5:
        raise ValueError(f"winsorise must be at least 0 and below 0.5, got {winsorise!r}")
    if not 0 < significance < 1:
        raise ValueError(f"significance must be between 0 and 1, got {significance!r}")
    (x, n), _ = _inputs(numerator=numerator, denominator=denominator)
    _check_proportion_inputs(x, n)
    x, n = _pooled("numerator", x, n)
    if x.size < 3:
        raise ValueError(f"an over-dispersion test needs at least 3 areas, got {x.size}")
    baseline = x.sum() / n.sum()
    if not 0 < baseline < 1:
        raise ValueError("the pooled proportion is 0 or 1, so there is no variation to test")
    variance = baseline * (1 - baseline) / n
    z = _winsorised((x / n - baseline) / np.sqrt(variance), winsorise)
    k = z.size
    phi = float((z**2).sum() / k)
    weights = 1 / variance
    tau2 = max(0.0, (k * phi - (k - 1)) / (weights.sum() - (weights**2).sum() / weights.sum()))
    dispersion_p = float(special.chdtrc(k - 1, k * phi))
    overdispersed = bool(dispersion_p < significance)
    if population is None:
        population = _funnel_grid(n)

    def compute(pop, probability, side):
        half_width = special.ndtri(probability) * np.sqrt(baseline * (1 - baseline) / pop + tau2)
        limit = baseline - half_width if side == "low" else baseline + half_width
        return np.clip(limit, 0, 1) * multiplier

    frame = _funnel_frame(population, compute)
    frame["baseline"] = baseline * multiplier
    frame["tau2"], frame["phi"] = tau2, phi
    frame.attrs.update(phi=phi, tau2=tau2, dispersion_statistic=k * phi, df=k - 1,
                       dispersion_p=dispersion_p, overdispersed=overdispersed)
    return frame


def rate_funnel(
    count: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 1000,
    population: ArrayLike | None = None,
) -> pd.DataFrame:
    """Funnel-plot control limits for crude rates (95% and 99.8%), exact Poisson.

    The baseline is the pooled rate ``sum(count) / sum(denominator)`` over rows with both
    values. At each population ``n`` with expected count ``E = baseline * n`` the limits are
    the observed rates ``O / n`` whose exact Poisson interval (:func:`exact_poisson_ci`, with
    ``O`` treated as continuous) just reaches ``E``: the lower limit solves upper(O) = E, the
    upper limit solves lower(O) = E. This is Spiegelhalter's (2005) Poisson funnel as
    PHEindicatormethods calculate_funnel_limits computes it for crude rates (it evaluates the
    same curve at whole numbers of events); the lower limit is 0 where no count is low enough.

    Args:
        count: events in each area (>= 0).
        denominator: population or person-time of each area (> 0).
        multiplier: rate per this many, e.g. 1000.
        population: populations to evaluate the limits at; by default the same 100 points
            as :func:`proportion_funnel`.

    Returns:
        DataFrame with columns ``population, lower_95, upper_95, lower_998, upper_998,
        baseline``; limits and baseline per ``multiplier``.

    Example:
        >>> f = rate_funnel([40, 55, 90], [8000, 9000, 12000], population=[10000])
        >>> f.round(3).to_dict("records")[0]["upper_95"]
        8.04
    """
    multiplier = _positive_number("multiplier", multiplier)
    (x, n), _ = _inputs(count=count, denominator=denominator)
    _check_count("count", x)
    _check_positive("denominator", n)
    x, n = _pooled("count", x, n)
    baseline = x.sum() / n.sum()
    if population is None:
        population = _funnel_grid(n)

    def compute(pop, probability, side):
        expected = baseline * pop
        with np.errstate(invalid="ignore"):
            if side == "low":  # P(X <= O | E) = 1 - p, i.e. gammainc(O + 1, E) = p
                observed = special.gdtrib(1.0, probability, expected) - 1
            else:  # P(X >= O | E) = 1 - p, i.e. gammainc(O, E) = 1 - p
                observed = special.gdtrib(1.0, 1 - probability, expected)
        observed = np.where(expected > 0, np.maximum(observed, 0), 0.0)
        return observed / pop * multiplier

    frame = _funnel_frame(population, compute)
    frame["baseline"] = baseline * multiplier
    return frame


# ----------------------------------------------------------------------------------------------
# inequality: slope and relative index of inequality


def _transform(values: np.ndarray, value_type: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if value_type == "rate":
            return np.log(values)
        if value_type == "proportion":
            return np.log(values / (1 - values))
    return values


def _untransform(values: np.ndarray, value_type: str) -> np.ndarray:
    if value_type == "rate":
        return np.exp(values)
    if value_type == "proportion":
        return special.expit(values)
    return values


def _sii_inputs(quantile, population, value, lower, upper, se, value_type):
    """Validated inputs ordered by quantile: population, value and standard error (on the
    transformed scale), or None when anything is missing."""
    if se is None and (lower is None or upper is None):
        raise ValueError("sii needs either se or both lower and upper confidence limits")
    named = {"quantile": quantile, "population": population, "value": value}
    named |= {"se": se} if se is not None else {"lower": lower, "upper": upper}
    arrays, _ = _inputs(**named)
    q, pop, y, *limits = arrays
    if np.isnan(q).any():
        raise ValueError("quantile must not be missing")
    if np.unique(q).size != q.size:
        raise ValueError("quantile must have one row per quantile (found a repeated quantile)")
    if not 5 <= q.size <= 100:
        raise ValueError(f"sii needs between 5 and 100 quantiles, got {q.size}")
    if (pop <= 0).any():
        raise ValueError("population must be greater than zero in every quantile")
    _check_finite("value", y)
    if se is not None and (limits[0] < 0).any():
        raise ValueError("se must be zero or more")
    if se is None and (limits[0] > limits[1]).any():
        raise ValueError("lower must not be greater than upper")
    on_scale = [y] if se is not None else [y, *limits]
    if value_type == "rate" and any((v <= 0).any() for v in on_scale):
        raise ValueError("value and lower must be greater than zero for value_type='rate'")
    if value_type == "proportion" and any(((v <= 0) | (v >= 1)).any() for v in on_scale):
        raise ValueError(
            "value and limits must be proportions strictly between 0 and 1 for "
            "value_type='proportion' (divide percentages by 100)"
        )
    if any(np.isnan(a).any() for a in arrays):
        return None
    order = np.argsort(q, kind="stable")
    if se is not None:
        spread = limits[0][order]
    else:
        transformed = [_transform(v[order], value_type) for v in limits]
        spread = (transformed[1] - transformed[0]) / (2 * _Z_95)
    return pop[order], y[order], spread


def sii(
    quantile: ArrayLike,
    population: ArrayLike,
    value: ArrayLike,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    se: ArrayLike | None = None,
    value_type: str = "normal",
    multiplier: float = 1,
    confidence: float = 0.95,
    reps: int = 100_000,
    seed: int | None = 1,
) -> pd.Series:
    """Slope index of inequality (SII) and relative index of inequality (RII).

    Quantiles (deprivation deciles or quintiles, 1 = most deprived) are ordered and given a
    relative rank: the midpoint of each quantile's share of the total population in the
    cumulative distribution (0 = most deprived end, 1 = least deprived end). The value is
    regressed on rank, weighted by population share ``a``: ``Y·sqrt(a) = b0·sqrt(a) +
    b1·rank·sqrt(a)``. SII = ``multiplier * b1``, the modelled difference between the least
    and most deprived ends (negative when the value falls with affluence, e.g. mortality);
    RII = ``(b0 + b1) / b0``, their ratio (inverted when ``multiplier`` is negative).
    (Low & Low 2004; PHE SII guidance; PHEindicatormethods phe_sii.)

    Confidence limits come from simulation as in phe_sii: each quantile's value is drawn
    ``reps`` times from a normal distribution with its standard error (on the log scale for
    rates, the logit scale for proportions, then transformed back), the regression is refitted
    to every draw, and the limits are the simulated SIIs/RIIs at the ``round(reps·α/2)``-th and
    ``round(reps·(1-α/2))``-th ordered positions. The draws come from numpy's generator seeded
    with ``seed``, so results are reproducible; they differ from R's by Monte Carlo error only.

    Args:
        quantile: quantile labels (e.g. 1-10), one row each, at least 5 and at most 100.
        population: population of each quantile (> 0).
        value: the indicator in each quantile (a proportion 0-1 for ``"proportion"``,
            > 0 for ``"rate"``).
        lower, upper: the value's 95% confidence limits, used to derive the standard error
            (on the transformed scale for rates and proportions); needed unless ``se`` given.
        se: standard error of each value (on the log/logit scale for rates/proportions).
        value_type: "normal" (no transformation), "rate" (log) or "proportion" (logit).
        multiplier: scales SII and its limits, e.g. 100 for percentage points; a negative
            multiplier reverses the polarity (and inverts RII).
        confidence: level of the SII/RII limits; 0.9-1 or 90-100.
        reps: number of simulations (at least 1,000).
        seed: seed for the simulation (None for fresh entropy each call).

    Returns:
        Series with ``sii, sii_lower, sii_upper, rii, rii_lower, rii_upper``; all NaN when
        any value, limit, standard error or population is missing.

    Example:
        >>> r = sii([1, 2, 3, 4, 5], [100] * 5, [10, 12, 14, 16, 18], se=[0.1] * 5)
        >>> round(float(r["sii"]), 6), round(float(r["rii"]), 6)
        (10.0, 2.111111)
    """
    level = _confidence_level(confidence)
    if value_type not in VALUE_TYPES:
        raise ValueError(f"value_type must be one of {', '.join(VALUE_TYPES)}, got {value_type!r}")
    if isinstance(multiplier, bool) or not np.isscalar(multiplier) or not np.isfinite(multiplier):
        raise ValueError(f"multiplier must be a finite number, got {multiplier!r}")
    if multiplier == 0:
        raise ValueError("multiplier must not be zero")
    if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 1000:
        raise ValueError(f"reps must be a whole number of at least 1000, got {reps!r}")
    names = ["sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"]
    checked = _sii_inputs(quantile, population, value, lower, upper, se, value_type)
    if checked is None:
        return pd.Series(np.nan, index=names, name="sii")
    pop, y, spread = checked

    share = pop / pop.sum()
    rank = np.cumsum(share) - share / 2
    sqrt_a = np.sqrt(share)
    design = np.column_stack([sqrt_a, rank * sqrt_a])
    projection = np.linalg.solve(design.T @ design, design.T)  # (X'X)^-1 X', 2 x k

    def indices(coefficients):
        intercept, slope = coefficients
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = (intercept + slope) / intercept
        if multiplier < 0:
            relative = 1 / relative
        return multiplier * slope, relative

    point_sii, point_rii = indices(projection @ (sqrt_a * y))

    rng = np.random.default_rng(seed)
    centre = _transform(y, value_type)
    draws = rng.standard_normal((y.size, reps)) * spread[:, None] + centre[:, None]
    weighted = _untransform(draws, value_type) * sqrt_a[:, None]
    sim_sii, sim_rii = indices(projection @ weighted)

    tail = (1 - level) / 2
    positions = [max(int(np.round(reps * tail)), 1) - 1, int(np.round(reps * (1 - tail))) - 1]
    sii_limits = np.partition(sim_sii, positions)[positions]
    rii_limits = np.partition(sim_rii, positions)[positions]
    values = [point_sii, *sii_limits, point_rii, *rii_limits]
    return pd.Series([float(v) for v in values], index=names, name="sii")


# ----------------------------------------------------------------------------------------------
# trend


def trend_test(
    numerator: ArrayLike,
    denominator: ArrayLike,
    time: ArrayLike,
    confidence: float = 0.999,
) -> pd.Series:
    """Chi-square test for a linear trend in proportions (Cochran-Armitage).

    With ``r_i`` events out of ``n_i`` at time ``t_i``, ``p = Σr/Σn``, ``t̄ = Σn·t/Σn``:
    ``T = Σ t_i (r_i - n_i p)``, ``χ² = T² / (p(1-p) Σ n_i (t_i - t̄)²)`` on 1 degree of
    freedom (Armitage 1955; Altman 1991). The slope ``T / Σ n_i (t_i - t̄)²`` is the
    fitted change in the proportion per unit of time. The direction is "increasing" or
    "decreasing" when the p-value is below ``1 - confidence`` and "no significant change"
    otherwise (Fingertips' recent-trend marker, with its 99.8% threshold and outlier check, is
    :func:`recent_trend`). When any input is missing, or no variation is
    possible (no events, or all events), the result is NaN with "not calculated".

    Args:
        numerator: events at each time point (>= 0, <= denominator).
        denominator: population at each time point (> 0).
        time: numeric time of each point (e.g. year; use the start year of a financial or
            academic year); at least two distinct values.
        confidence: significance level for the direction; 0.9-1 or 90-100.

    Returns:
        Series with ``statistic`` (chi-square), ``p_value``, ``slope`` (proportion 0-1 per
        unit of time) and ``direction``.

    Example:
        >>> t = trend_test([50, 60, 75, 90, 110], [1000] * 5, [2019, 2020, 2021, 2022, 2023])
        >>> t["direction"], round(t["statistic"], 2)
        ('increasing', 31.66)
    """
    level = _confidence_level(confidence)
    (r, n, t), _ = _inputs(numerator=numerator, denominator=denominator, time=time)
    _check_proportion_inputs(r, n)
    _check_finite("time", t)
    names = ["statistic", "p_value", "slope", "direction"]
    not_calculated = pd.Series([np.nan, np.nan, np.nan, "not calculated"], index=names,
                               name="trend_test", dtype=object)
    if np.isnan(r).any() or np.isnan(n).any() or np.isnan(t).any():
        return not_calculated
    if np.unique(t).size < 2:
        raise ValueError("time must have at least two distinct values for a trend test")
    total = n.sum()
    pooled = r.sum() / total
    centred = t - (n * t).sum() / total
    spread = (n * centred**2).sum()
    score = (centred * (r - n * pooled)).sum()
    variance = pooled * (1 - pooled) * spread
    if not variance > 0:
        return not_calculated
    statistic = score**2 / variance
    p_value = float(special.chdtrc(1, statistic))
    if p_value < 1 - level:
        direction = "increasing" if score > 0 else "decreasing"
    else:
        direction = "no significant change"
    return pd.Series([float(statistic), p_value, float(score / spread), direction], index=names,
                     name="trend_test", dtype=object)


#: Recent trend (Fingertips): the latest five points, unbroken.
RECENT_TREND_POINTS = 5
#: Recent trend: chi-square (1 df) at 99.8%, ``chi2.ppf(0.998, 1)`` = 9.5495.
RECENT_TREND_CRITICAL = float(special.chdtri(1, 0.002))
#: The four answers of :func:`recent_trend`.
RECENT_TREND_DIRECTIONS = ("increasing", "decreasing", "no significant change",
                           "cannot be calculated")
_TREND_KINDS = ("proportion", "rate")


def _trend_score(x: np.ndarray, n: np.ndarray, t: np.ndarray, kind: str
                 ) -> tuple[float, float, float]:
    """Score ``T``, its null variance and the weighted least-squares slope of ``x/n`` on ``t``.

    Proportions: Cochran-Armitage, ``T = Σ t(x - n p)``, ``var = p(1-p) Σ n (t - t̄)²``.
    Rates: the Poisson score test of a log-linear trend at slope 0, ``T = Σ t(x - n r)``,
    ``var = r Σ n (t - t̄)²`` (Breslow and Day 1987, section 3.6), ``r = Σx/Σn``,
    ``t̄ = Σ n t / Σ n``. The slope ``T / Σ n (t - t̄)²`` is per unit of ``t``.
    """
    total = n.sum()
    pooled = x.sum() / total
    centred = t - (n * t).sum() / total
    spread = (n * centred**2).sum()
    score = float((centred * (x - n * pooled)).sum())
    variance = pooled * (1 - pooled) * spread if kind == "proportion" else pooled * spread
    return score, float(variance), score / spread


def recent_trend_test(
    numerator: ArrayLike,
    denominator: ArrayLike,
    kind: str = "proportion",
) -> pd.Series:
    """The Fingertips recent-trend test on a series' latest five points, with its numbers.

    The series is taken in order, one value per period, equally spaced (e.g. years). The rule
    (OHID Fingertips technical guidance, "Recent trends"):

    1. The latest :data:`RECENT_TREND_POINTS` (5) points are needed, unbroken: fewer points, or
       a missing numerator or denominator among them, gives "cannot be calculated"; so does a
       series with no variation possible (no events, or for proportions all events).
    2. The chi-square test for trend on those points (periods scored 0-4): Cochran-Armitage for
       proportions (Armitage 1955), the Poisson score test of a log-linear trend for rates
       (Breslow and Day 1987), on 1 degree of freedom. A trend needs the statistic above
       :data:`RECENT_TREND_CRITICAL` (9.5495, the 99.8% point).
    3. The slope's sign must survive dropping each of the five points in turn (the same
       statistic on the remaining four, keeping their periods): a trend that one point makes
       or reverses is "no significant change".

    Args:
        numerator: events in each period, oldest first (>= 0; <= denominator for proportions).
        denominator: the population (or person-time) of each period, oldest first (> 0).
        kind: "proportion" or "rate".

    Returns:
        Series with ``statistic`` (chi-square on the latest five points), ``p_value``,
        ``slope`` (change in the proportion, or the rate per unit of denominator, per period:
        weighted least squares), ``points`` used (5, or how many there were) and
        ``direction`` (one of :data:`RECENT_TREND_DIRECTIONS`).

    Example:
        >>> t = recent_trend_test([250, 241, 232, 224, 214], [1500] * 5)
        >>> t["direction"], round(t["statistic"], 2)
        ('no significant change', 4.04)
    """
    if kind not in _TREND_KINDS:
        raise ValueError(f"kind must be 'proportion' or 'rate', got {kind!r}")
    (x, n), _ = _inputs(numerator=numerator, denominator=denominator)
    if kind == "proportion":
        _check_proportion_inputs(x, n)
    else:
        _check_count("numerator", x)
        _check_positive("denominator", n)
    names = ["statistic", "p_value", "slope", "points", "direction"]
    x, n = x[-RECENT_TREND_POINTS:], n[-RECENT_TREND_POINTS:]
    cannot = pd.Series([np.nan, np.nan, np.nan, x.size, "cannot be calculated"], index=names,
                       name="recent_trend", dtype=object)
    if x.size < RECENT_TREND_POINTS or np.isnan(x).any() or np.isnan(n).any():
        return cannot
    t = np.arange(RECENT_TREND_POINTS, dtype=float)
    score, variance, slope = _trend_score(x, n, t, kind)
    if not variance > 0:
        return cannot
    statistic = score**2 / variance
    direction = "no significant change"
    if statistic > RECENT_TREND_CRITICAL:
        keep = ~np.eye(RECENT_TREND_POINTS, dtype=bool)
        signs = [np.sign(_trend_score(x[k], n[k], t[k], kind)[0]) for k in keep]
        if all(sign == np.sign(score) for sign in signs):
            direction = "increasing" if score > 0 else "decreasing"
    return pd.Series([float(statistic), float(special.chdtrc(1, statistic)), float(slope),
                      RECENT_TREND_POINTS, direction], index=names, name="recent_trend",
                     dtype=object)


def recent_trend(numerator: ArrayLike, denominator: ArrayLike, kind: str = "proportion") -> str:
    """Fingertips' recent trend of a series: "increasing", "decreasing", "no significant
    change" or "cannot be calculated" (:func:`recent_trend_test` gives the numbers and the
    rule; OHID Fingertips technical guidance on recent trends).

    Example:
        >>> recent_trend([250, 241, 232, 224, 214], [1500] * 5)
        'no significant change'
        >>> recent_trend([30, 36, 41, 47, 60], [100_000] * 5, kind="rate")
        'increasing'
        >>> recent_trend([36, 41, 47, 60], [100_000] * 4, kind="rate")
        'cannot be calculated'
    """
    return str(recent_trend_test(numerator, denominator, kind)["direction"])


# ----------------------------------------------------------------------------------------------
# standardisation and deprivation quantiles live in jsnalib.methods.standardise (which uses the
# intervals above); they are reachable here too, imported on first use to avoid an import cycle

_STANDARDISE = ("DSR_MINIMUM_COUNT", "dsr", "isr", "phe_quantile")


def __getattr__(name: str):
    if name in _STANDARDISE:
        from jsnalib.methods import standardise

        return getattr(standardise, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
