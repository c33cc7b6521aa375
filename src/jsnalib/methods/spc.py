"""Statistical process control (SPC): the p-chart and its special-cause rules, as an early warning.

A p-chart plots a proportion for each period (month) against a centre line, the pooled proportion
over a baseline period, and control limits three standard errors either side of it. The standard
error depends on each period's own denominator, ``sqrt(p̄(1 - p̄) / n_i)``, so the limits widen
in small months and narrow in large ones (Montgomery 2019, section 7.2; Mohammed, Worthington and
Woodall 2008). When the baseline varies more than that (Laney's sigma_z above 1), the standard
errors are widened by sigma_z: Laney's p' chart, as *Making Data Count* recommends.

Four special-cause rules mark a change that chance alone rarely produces. They follow NHS England's
*Making Data Count* guidance, which adapts the Western Electric rules; each is a function here,
tested on constructed series:

1. ``beyond_limits``: a point above the upper or below the lower 3-sigma limit.
2. ``shift``: a run of ``run_length`` points in a row on the same side of the centre line.
   *Making Data Count* uses **7** (the default here); the Western Electric handbook used 8.
   A point exactly on the centre line, or missing, breaks a run.
3. ``trend``: ``trend_length`` points in a row each higher (or each lower) than the one before
   (default **6**, Western Electric / Nelson rule 3). An equal or missing value breaks a trend.
4. ``two_of_three``: two or three of three points in a row more than two standard errors from the
   centre line on the same side (Western Electric rule 2); the points beyond 2 sigma are marked.

Each rule gives a *direction* for every point: ``1`` where the point is part of a signal that the
proportion is high (or rising), ``-1`` low (or falling), ``0`` no signal. Missing values (NaN)
never signal.

References
----------
Montgomery DC (2019) *Introduction to Statistical Quality Control*, 8th edn. Wiley (p-chart with
variable sample size, section 7.2.2). Laney DB (2002) Improved control charts for attributes. Qual
Eng 14:531-537 (the p' chart). Mohammed MA, Panesar JS, Laney DB, Wilson R (2013) Statistical
process control charts for attribute data involving very large sample sizes: a review of problems
and solutions. BMJ Qual Saf 22:362-368. Western Electric Company (1956) *Statistical Quality Control
Handbook*. Nelson LS (1984) The Shewhart control chart - tests for special causes. J Qual Technol
16:237-239. Mohammed MA, Worthington P, Woodall WH (2008) Plotting basic control charts: tutorial
notes for healthcare practitioners. Qual Saf Health Care 17:137-145. NHS England and NHS Improvement
(2019) *Making Data Count: strengthening your decisions*.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "RULES",
    "beyond_limits",
    "first_detection",
    "laney_sigma_z",
    "p_chart",
    "shift",
    "signal_episodes",
    "trend",
    "two_of_three",
]

#: The special-cause rules, in the order they are reported, with plain descriptions.
RULES = {
    "beyond_limits": "a point outside the control limits",
    "shift": "a run of points on one side of the centre line",
    "trend": "a run of points each higher or each lower than the last",
    "two_of_three": "two of three points near a control limit",
}

#: Making Data Count: 7 points in a row on one side of the centre line.
RUN_LENGTH = 7
#: Western Electric / Nelson: 6 points in a row steadily rising or falling.
TREND_LENGTH = 6
#: The bias-correction constant d2 for moving ranges of two (sigma = mean moving range / d2).
D2 = 1.128
#: ``attrs["method"]`` of a chart with Laney's over-dispersion-adjusted limits.
LANEY = "Laney p'"


# ----------------------------------------------------------------------------------------------
# argument handling


def _series(name: str, values) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per period)")
    return array


def _length(name: str, value: int, smallest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < smallest:
        raise ValueError(f"{name} must be a whole number of at least {smallest}, got {value!r}")
    return int(value)


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start position and length of each run of equal consecutive values in ``keys``."""
    if len(keys) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    lengths = np.diff(np.r_[starts, len(keys)])
    return starts, lengths


# ----------------------------------------------------------------------------------------------
# the rules


def beyond_limits(value, lower, upper) -> np.ndarray:
    """Rule 1: points above the upper or below the lower control limit.

    Args:
        value: the plotted statistic for each period.
        lower, upper: the control limits for each period (same units; scalars allowed).

    Returns:
        int array: 1 above ``upper``, -1 below ``lower``, 0 otherwise (including missing values).
        A point exactly on a limit is not beyond it.

    Example:
        >>> beyond_limits([5, 12, -1], 0, 10).tolist()
        [0, 1, -1]
    """
    x = _series("value", value)
    lo = np.broadcast_to(np.asarray(lower, dtype=float), x.shape)
    hi = np.broadcast_to(np.asarray(upper, dtype=float), x.shape)
    if (lo > hi).any():
        raise ValueError("lower must not be greater than upper")
    with np.errstate(invalid="ignore"):
        return np.where(x > hi, 1, np.where(x < lo, -1, 0))


def shift(value, centre, run_length: int = RUN_LENGTH) -> np.ndarray:
    """Rule 2: ``run_length`` or more points in a row on the same side of the centre line.

    Every point of a qualifying run is marked. A point on the centre line or missing breaks
    the run (Making Data Count).

    Args:
        value: the plotted statistic for each period.
        centre: the centre line (scalar or one value per period).
        run_length: points in a row needed (7 in Making Data Count; 8 in Western Electric).

    Returns:
        int array: 1 for points in a run above the centre, -1 below, 0 otherwise.

    Example:
        >>> shift([1, 1, 1, -1], 0, run_length=3).tolist()
        [1, 1, 1, 0]
    """
    x = _series("value", value)
    run_length = _length("run_length", run_length, 2)
    with np.errstate(invalid="ignore"):
        side = np.sign(x - np.broadcast_to(np.asarray(centre, dtype=float), x.shape))
    side = np.nan_to_num(side, nan=0.0).astype(int)
    starts, lengths = _runs(side)
    qualifies = (lengths >= run_length) & (side[starts] != 0)
    return np.repeat(np.where(qualifies, side[starts], 0), lengths)


def trend(value, trend_length: int = TREND_LENGTH) -> np.ndarray:
    """Rule 3: ``trend_length`` or more points in a row, each higher (or each lower) than the last.

    Every point of a qualifying trend is marked. A value equal to the one before, or a missing
    value, breaks the trend. A point that ends a rising trend and starts a falling one is marked
    as rising.

    Args:
        value: the plotted statistic for each period.
        trend_length: points in a row needed (6 in Western Electric / Nelson rule 3).

    Returns:
        int array: 1 for points in a rising trend, -1 falling, 0 otherwise.

    Example:
        >>> trend([1, 2, 3, 2], trend_length=3).tolist()
        [1, 1, 1, 0]
    """
    x = _series("value", value)
    trend_length = _length("trend_length", trend_length, 3)
    result = np.zeros(len(x), dtype=int)
    if len(x) < 2:
        return result
    with np.errstate(invalid="ignore"):
        step = np.nan_to_num(np.sign(np.diff(x)), nan=0.0).astype(int)  # step i: point i -> i+1
    starts, lengths = _runs(step)
    keep = (lengths >= trend_length - 1) & (step[starts] != 0)
    for direction in (-1, 1):  # rising last, so a shared turning point is marked as rising
        chosen = keep & (step[starts] == direction)
        marks = np.zeros(len(x) + 1, dtype=int)
        np.add.at(marks, starts[chosen], 1)
        np.add.at(marks, starts[chosen] + lengths[chosen] + 1, -1)
        result[np.cumsum(marks)[:-1] > 0] = direction
    return result


def two_of_three(value, centre, sigma) -> np.ndarray:
    """Rule 4: two or three of three points in a row more than 2 sigma from the centre, same side.

    The points beyond 2 sigma in such a window are marked (points beyond 3 sigma count too).

    Args:
        value: the plotted statistic for each period.
        centre: the centre line (scalar or per period).
        sigma: one standard error of the statistic for each period (> 0; scalar allowed).

    Returns:
        int array: 1 for marked points above the centre, -1 below, 0 otherwise.

    Example:
        >>> two_of_three([2.5, 0, 2.1, 0, 0], 0, 1).tolist()
        [1, 0, 1, 0, 0]
    """
    x = _series("value", value)
    s = np.broadcast_to(np.asarray(sigma, dtype=float), x.shape)
    if (s <= 0).any():
        raise ValueError("sigma must be greater than zero")
    with np.errstate(invalid="ignore"):
        z = (x - np.broadcast_to(np.asarray(centre, dtype=float), x.shape)) / s
    result = np.zeros(len(x), dtype=int)
    if len(x) < 3:
        return result
    for direction in (1, -1):
        with np.errstate(invalid="ignore"):
            beyond = (z * direction > 2).astype(int)
        window = np.convolve(beyond, np.ones(3, dtype=int), mode="valid") >= 2  # starts i..i+2
        in_window = np.zeros(len(x), dtype=bool)
        for offset in range(3):
            in_window[offset:len(x) - 2 + offset] |= window
        result[in_window & (beyond == 1)] = direction
    return result


# ----------------------------------------------------------------------------------------------
# the chart


def laney_sigma_z(numerator, denominator, centre: float) -> float:
    """Laney's sigma_z: the spread of the z-scores ``(p_i - p̄) / sqrt(p̄(1 - p̄)/n_i)`` from
    their average moving range, ``mean(|z_i - z_(i-1)|) / 1.128`` (Laney 2002).

    1 when the periods vary as much as binomial sampling alone makes them; above 1 when there
    is extra (between-period) variation. Pairs with a missing value are skipped; NaN when no
    two consecutive periods have data.

    Example:
        >>> round(laney_sigma_z([10, 20, 10, 20], [100] * 4, 0.15), 3)
        2.483
    """
    x = _series("numerator", numerator)
    n = _series("denominator", denominator)
    if not 0 < centre < 1:
        raise ValueError(f"centre must be a proportion between 0 and 1, got {centre!r}")
    z = (x / n - centre) / np.sqrt(centre * (1 - centre) / n)
    moving = np.abs(np.diff(z))
    moving = moving[np.isfinite(moving)]
    return float(moving.mean() / D2) if moving.size else float("nan")


def p_chart(
    numerator,
    denominator,
    baseline=None,
    multiplier: float = 100,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
    laney: bool | None = None,
) -> pd.DataFrame:
    """A p-chart with per-period 3-sigma limits (Laney p' when over-dispersed) and the four
    special-cause rules of *Making Data Count*.

    Centre line ``p̄ = sum(numerator) / sum(denominator)`` over the baseline periods; for period
    ``i`` the binomial standard error is ``sigma_i = sqrt(p̄(1 - p̄) / n_i)`` (Montgomery 2019,
    p-chart with variable sample size). With large denominators the periods often vary more
    than binomial sampling allows, and plain limits then flag common-cause months: Laney's p'
    chart multiplies ``sigma_i`` by ``sigma_z`` (:func:`laney_sigma_z` over the baseline
    periods; Laney 2002; NHS England Making Data Count). By default (``laney=None``) the p'
    limits are used when the baseline's ``sigma_z`` exceeds 1 and the plain p limits otherwise;
    ``laney=True`` or ``False`` forces one. The limits are ``p̄ ± 3 sigma`` (``sigma`` the
    adjusted one for p'), kept within 0 and 1. Points in and after the baseline are all tested
    against the same centre line and limits.

    Args:
        numerator: cases in each period, e.g. re-referrals in each month (count, >= 0).
        denominator: the total in each period, e.g. referrals (count, > 0, >= numerator);
            a period with a missing numerator or denominator is kept, unplotted and unjudged.
        baseline: which periods set the centre line: a boolean sequence (one per period), or
            None for all periods.
        multiplier: 100 to express proportions as percentages, 1 for proportions.
        run_length: points on one side of the centre for a shift (7 Making Data Count; 8 WE).
        trend_length: points steadily rising or falling for a trend (6).
        laney: None to choose by the baseline's sigma_z (p' above 1), True for Laney p'
            limits, False for plain p limits.

    Returns:
        DataFrame, one row per period (index 0..n-1): ``numerator, denominator, value,
        centre, sigma, lower_2sigma, upper_2sigma, lower, upper`` (``value`` and the lines in
        units of ``multiplier``; ``sigma`` includes the Laney factor when used), ``baseline``
        (bool), one int column per rule in :data:`RULES` (1 high, -1 low, 0 none) and
        ``signal`` (1 where any rule marks the point high, -1 low; where rules disagree, the
        beyond-limits direction, then the others in order). ``attrs`` keeps ``run_length`` and
        ``trend_length`` for :func:`first_detection`, ``method`` ("p" or "Laney p'") and
        ``sigma_z`` (the baseline's, whichever limits are drawn).

    Raises:
        ValueError: lengths differ, counts are negative, a numerator exceeds its denominator,
            a denominator is not positive, the baseline has no periods with data, or its pooled
            proportion is 0 or 1 (then there is no variation to chart).

    Example:
        >>> chart = p_chart([10, 12, 30], [100, 100, 100], baseline=[True, True, False])
        >>> chart[["centre", "upper", "beyond_limits"]].round(2).values.tolist()[2]
        [11.0, 20.39, 1.0]
    """
    x = _series("numerator", numerator)
    n = _series("denominator", denominator)
    if len(x) != len(n):
        raise ValueError(f"numerator and denominator differ in length ({len(x)} and {len(n)})")
    if (x < 0).any():
        raise ValueError("numerator must not be negative")
    if (n <= 0).any():
        raise ValueError("denominator must be greater than zero")
    if (x > n).any():
        raise ValueError("numerator must not be greater than denominator")
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a positive number, got {multiplier!r}")
    if baseline is None:
        in_baseline = np.ones(len(x), dtype=bool)
    else:
        in_baseline = np.asarray(baseline)
        if in_baseline.shape != x.shape or in_baseline.dtype != bool:
            raise ValueError("baseline must be a sequence of True/False, one per period")
    known = np.isfinite(x) & np.isfinite(n)
    used = in_baseline & known
    if not used.any():
        raise ValueError("the baseline has no periods with data")
    centre = x[used].sum() / n[used].sum()
    if centre <= 0 or centre >= 1:
        raise ValueError("the baseline proportion is 0 or 1, so there is no variation to chart")
    if laney not in (None, True, False):
        raise ValueError(f"laney must be None, True or False, got {laney!r}")
    sigma_z = laney_sigma_z(np.where(used, x, np.nan), n, centre)
    use_laney = bool(sigma_z > 1) if laney is None else laney
    if use_laney and not np.isfinite(sigma_z):
        raise ValueError("Laney p' limits need two consecutive baseline periods with data")
    sigma = np.sqrt(centre * (1 - centre) / n) * (sigma_z if use_laney else 1.0)
    lower, upper = np.clip(centre - 3 * sigma, 0, 1), np.clip(centre + 3 * sigma, 0, 1)
    p = x / n
    chart = pd.DataFrame({
        "numerator": x,
        "denominator": n,
        "value": p * multiplier,
        "centre": np.full(len(x), centre * multiplier),
        "sigma": sigma * multiplier,
        "lower_2sigma": np.clip(centre - 2 * sigma, 0, 1) * multiplier,
        "upper_2sigma": np.clip(centre + 2 * sigma, 0, 1) * multiplier,
        "lower": lower * multiplier,
        "upper": upper * multiplier,
        "baseline": in_baseline,
    })
    chart["beyond_limits"] = beyond_limits(p, lower, upper)
    chart["shift"] = shift(p, centre, run_length)
    chart["trend"] = trend(p, trend_length)
    chart["two_of_three"] = two_of_three(p, centre, np.where(np.isfinite(sigma), sigma, 1.0))
    chart["signal"] = _combine(chart)
    chart.attrs.update(run_length=run_length, trend_length=trend_length,
                       method=LANEY if use_laney else "p", sigma_z=sigma_z)
    return chart


def _combine(rules: pd.DataFrame) -> np.ndarray:
    """One direction per period: the first rule (in RULES order) that marks it."""
    signal = np.zeros(len(rules), dtype=int)
    for rule in reversed(list(RULES)):
        signal = np.where(rules[rule] != 0, rules[rule], signal)
    return signal


def _rules(chart: pd.DataFrame, stop: int) -> pd.DataFrame:
    """The four rules applied to the chart's first ``stop`` periods only."""
    part = chart.iloc[:stop]
    p = part["value"].to_numpy(float)
    sigma = part["sigma"].to_numpy(float)
    return pd.DataFrame({
        "beyond_limits": beyond_limits(p, part["lower"], part["upper"]),
        "shift": shift(p, part["centre"], chart.attrs.get("run_length", RUN_LENGTH)),
        "trend": trend(p, chart.attrs.get("trend_length", TREND_LENGTH)),
        "two_of_three": two_of_three(p, part["centre"], np.where(np.isfinite(sigma), sigma, 1.0)),
    })


def first_detection(chart: pd.DataFrame, after: int) -> tuple[int, int] | None:
    """When the chart, drawn month by month as the data arrived, first showed a signal.

    Rules that mark a run (a shift, a trend, two of three) mark its earlier points only once the
    run is complete, so the chart as it stands can show a signal starting before it could have
    been seen. This replays the chart one period at a time, with the same centre line and limits
    (the baseline is fixed), and finds the first period at which a point after position
    ``after`` (e.g. the last baseline period) is marked.

    Args:
        chart: the frame returned by :func:`p_chart` (its run and trend lengths are reused).
        after: a position in the chart; signals on points up to it are ignored.

    Returns:
        ``(position, direction)`` of the period whose arrival completed the first signal
        (direction 1 high, -1 low), or None if no point after ``after`` is ever marked.

    Example:
        >>> chart = p_chart([10, 12, 30], [100, 100, 100], baseline=[True, True, False])
        >>> first_detection(chart, after=1)
        (2, 1)
    """
    if not -1 <= after < len(chart):
        raise ValueError(f"after must be a position in the chart (-1 to {len(chart) - 1})")
    for stop in range(after + 2, len(chart) + 1):
        signal = _combine(_rules(chart, stop))[after + 1:]
        marked = np.flatnonzero(signal)
        if len(marked):
            return stop - 1, int(signal[marked[0]])
    return None


def signal_episodes(chart: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """The special-cause signals of a :func:`p_chart`, one row per unbroken stretch per rule.

    Args:
        chart: the frame returned by :func:`p_chart`.
        labels: a label per period (e.g. ``"2023-05"``), in the chart's order.

    Returns:
        DataFrame with columns ``rule`` (a key of :data:`RULES`), ``description``,
        ``direction`` ("high" or "low"), ``start``, ``end`` (labels), ``periods`` (count),
        ``first`` and ``last`` (positions), sorted by start position then rule order.

    Example:
        >>> chart = p_chart([10, 12, 30], [100, 100, 100], baseline=[True, True, False])
        >>> episodes = signal_episodes(chart, ["Jan", "Feb", "Mar"])
        >>> episodes[["rule", "direction", "start"]].values.tolist()
        [['beyond_limits', 'high', 'Mar']]
    """
    labels = list(labels)
    if len(labels) != len(chart):
        raise ValueError(f"labels has {len(labels)} entries; the chart has {len(chart)} periods")
    missing = [rule for rule in RULES if rule not in chart.columns]
    if missing:
        raise ValueError(f"chart lacks the rule column(s) {', '.join(missing)}: use p_chart()")
    rows = []
    for order, rule in enumerate(RULES):
        marks = chart[rule].to_numpy(dtype=int)
        starts, lengths = _runs(marks)
        for start, length in zip(starts, lengths, strict=True):
            if marks[start] == 0:
                continue
            rows.append({"rule": rule, "description": RULES[rule],
                         "direction": "high" if marks[start] > 0 else "low",
                         "start": labels[start], "end": labels[start + length - 1],
                         "periods": int(length), "first": int(start),
                         "last": int(start + length - 1), "_order": order})
    columns = ["rule", "description", "direction", "start", "end", "periods", "first", "last"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("periods", "first", "last")
                                          else "str") for c in columns})
    episodes = pd.DataFrame(rows).sort_values(["first", "_order"], kind="stable")
    return episodes[columns].reset_index(drop=True)
