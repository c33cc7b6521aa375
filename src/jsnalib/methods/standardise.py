"""Standardisation and deprivation quantiles, following PHEindicatormethods.

- :func:`phe_quantile`: assign areas to quantiles (e.g. IMD deciles) by rank, as phe_quantile
  and the OHID technical guide "Assigning deprivation categories".
- :func:`dsr`: a directly standardised rate with Dobson confidence limits (Byar's limits of the
  total count, scaled by the DSR's variance; phe_dsr / calculate_dsr).
- :func:`isr`: an indirectly standardised ratio (observed / expected) with exact Poisson limits
  below 10 events and Byar's from 10 (phe_isr / calculate_ISRatio).

The slope and relative index of inequality with PHE's log (rates) and logit (proportions)
transforms is :func:`jsnalib.methods.stats.sii` (``value_type``). Public names here are also
reachable as ``jsnalib.methods.stats.dsr`` etc.

References
----------
Breslow NE, Day NE (1987) Statistical methods in cancer research, volume II. IARC, Lyon (Byar's
approximation). Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991) Confidence intervals for
weighted sums of Poisson parameters. Stat Med 10:457-462. APHO (2008) Technical Briefing 3:
Commonly used public health statistics and their confidence intervals. OHID Fingertips technical
guidance: assigning deprivation categories. UKHSA PHEindicatormethods (R package).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jsnalib.methods import stats

__all__ = ["DSR_MINIMUM_COUNT", "dsr", "isr", "phe_quantile"]

#: PHE does not publish a directly standardised rate from fewer than this many events.
DSR_MINIMUM_COUNT = 10


def phe_quantile(values: stats.ArrayLike, n_quantiles: int = 10, invert: bool = True
                 ) -> stats.Values:
    """Assign each area to one of ``n_quantiles`` quantiles by the rank of its value.

    With ``N`` areas that have a value, ranks taken lowest first with ties at the lowest rank
    (on ``max(value) - value`` when ``invert``, so the highest value ranks first), the
    quantile is ``floor(n_quantiles + 1 - ceil((N + 1 - rank) / (N / n_quantiles)))``, with 0
    counted as 1 (PHEindicatormethods phe_quantile; OHID "Assigning deprivation categories").
    Tied areas share a quantile even across a natural boundary; review such cases by hand.

    Args:
        values: the value of each area, e.g. an IMD score (missing allowed: no quantile).
        n_quantiles: how many quantiles (2 or more), e.g. 10 for deciles, 5 for quintiles.
        invert: True (PHE's default) puts the highest values in quantile 1 (e.g. the most
            deprived decile by IMD score); False puts the lowest values in quantile 1.

    Returns:
        Quantile numbers (1 to ``n_quantiles``, as floats, NaN for a missing value) in the
        shape of ``values``; all NaN when fewer areas than quantiles have a value.

    Example:
        >>> phe_quantile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], n_quantiles=5).tolist()
        [5.0, 5.0, 4.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0]
    """
    if isinstance(n_quantiles, bool) or not isinstance(n_quantiles, int | np.integer) \
            or n_quantiles < 2:
        raise ValueError(f"n_quantiles must be a whole number of at least 2, got {n_quantiles!r}")
    if not isinstance(invert, bool | np.bool_):
        raise ValueError(f"invert must be True or False, got {invert!r}")
    (v,), shape = stats._inputs(values=values)
    stats._check_finite("values", v)
    known = ~np.isnan(v)
    result = np.full(v.size, np.nan)
    count = int(known.sum())
    if count >= n_quantiles:
        adjusted = v[known].max() - v[known] if invert else v[known]
        rank = pd.Series(adjusted).rank(method="min").to_numpy()
        quantile = np.floor(n_quantiles + 1 - np.ceil((count + 1 - rank) / (count / n_quantiles)))
        result[known] = np.where(quantile == 0, 1, quantile)
    return shape.values(result, "quantile")


def dsr(
    count: stats.ArrayLike,
    population: stats.ArrayLike,
    standard: stats.ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> pd.Series:
    """Directly standardised rate over categories (e.g. age bands), with Dobson limits.

    With events ``x_i``, population ``n_i`` and standard population ``w_i`` in category ``i``:
    ``DSR = Σ(w_i x_i / n_i) / Σw_i``, its variance ``V = Σ x_i (w_i / n_i)² / (Σw_i)²``, and
    with ``X = Σx_i`` the limits are ``DSR + sqrt(V / X) (X_L - X)`` and ``DSR + sqrt(V / X)
    (X_U - X)``, ``X_L, X_U`` Byar's limits of ``X`` (Dobson et al. 1991; PHEindicatormethods
    phe_dsr). A missing count is taken as 0, as phe_dsr does. Fewer than
    :data:`DSR_MINIMUM_COUNT` events in total: value and limits are NaN (not published).

    Args:
        count: events in each category (>= 0).
        population: population of each category (> 0).
        standard: the standard population of each category (> 0), e.g. the European
            Standard Population 2013, in the same category order.
        multiplier: rate per this many, e.g. 100,000.
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        Series with ``total_count``, ``total_pop``, ``value``, ``lower``, ``upper``.

    Example:
        >>> r = dsr([10, 20, 30], [1000, 2000, 1500], [3000, 2000, 1000], multiplier=1000)
        >>> [round(float(r[k]), 3) for k in ("value", "lower", "upper")]
        [11.667, 8.27, 15.785]
    """
    level = stats._confidence_level(confidence)
    multiplier = stats._positive_number("multiplier", multiplier)
    (x, n, w), _ = stats._inputs(count=count, population=population, standard=standard)
    if x.ndim != 1 or x.size < 1:
        raise ValueError("count, population and standard must be one value per category")
    stats._check_count("count", x)
    if np.isnan(n).any() or np.isnan(w).any():
        raise ValueError("population and standard must not be missing")
    stats._check_positive("population", n)
    stats._check_positive("standard", w)
    x = np.nan_to_num(x, nan=0.0)
    total = float(x.sum())
    names = ["total_count", "total_pop", "value", "lower", "upper"]
    if total < DSR_MINIMUM_COUNT:
        return pd.Series([total, float(n.sum()), np.nan, np.nan, np.nan], index=names,
                         name="dsr")
    value = (w * x / n).sum() / w.sum()
    variance = (x * (w / n) ** 2).sum() / w.sum() ** 2
    low, high = stats._byars(np.array([total]), level)
    scale = np.sqrt(variance / total)
    return pd.Series([total, float(n.sum()), value * multiplier,
                      (value + scale * (low[0] - total)) * multiplier,
                      (value + scale * (high[0] - total)) * multiplier], index=names,
                     name="dsr")


def isr(
    observed: stats.ArrayLike,
    expected: stats.ArrayLike,
    multiplier: float = 1,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Indirectly standardised ratio ``observed / expected`` with exact or Byar's limits.

    The expected count is what the area would have at the reference rates (e.g. England's
    age-specific rates applied to the area's population, summed). The limits are those of the
    observed count (exact Poisson below 10 events, Byar's from 10:
    :func:`jsnalib.methods.stats.rate_ci`) divided by the expected count (APHO Technical
    Briefing 3; PHEindicatormethods phe_isr / calculate_ISRatio with ``refvalue``).

    Args:
        observed: observed events (>= 0).
        expected: expected events (> 0).
        multiplier: 1 for a ratio, 100 for a standardised mortality ratio on the 100 scale.
        confidence: 0.95 or 95, 0.998 or 99.8; between 0.9 and 1 (or 90 and 100).

    Returns:
        DataFrame (one row per input) with ``observed``, ``expected``, ``value``, ``lower``,
        ``upper``.

    Example:
        >>> isr([45], [30], multiplier=100).round(2).values.tolist()
        [[45.0, 30.0, 150.0, 109.4, 200.72]]
    """
    shape, value, lower, upper = stats._crude_rate(observed, expected, multiplier, confidence)
    (x, e), _ = stats._inputs(observed=observed, expected=expected)
    return shape.frame({"observed": x, "expected": e, "value": value, "lower": lower,
                        "upper": upper})
