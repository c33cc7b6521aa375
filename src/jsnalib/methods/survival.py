"""Kaplan-Meier estimates of time to an event (e.g. re-referral), over statsmodels' SurvfuncRight.

The Kaplan-Meier (product-limit) estimate ``S(t)`` is the share of people who have *not* had the
event by time ``t``, allowing for people whose follow-up ends earlier (censored, e.g. at the end of
the data). Here it is mostly read the other way round, as the cumulative percentage who *have*
had the event, ``100 (1 - S(t))``: "x% of children were referred again within 12 months".

Standard errors are Greenwood's (as statsmodels computes them). Confidence limits use the
log-log transformation, ``S(t) ** exp(±z se / (S log S))``, which keeps them inside 0 to 1 and
behaves well in the tails; it is Stata's default and R's ``conf.type = "log-log"``
(Kalbfleisch and Prentice 2002, section 1.3; Collett 2015, section 2.2.3). Where no event has
happened yet ``S = 1`` and both limits are 1.

References
----------
Kaplan EL, Meier P (1958) Nonparametric estimation from incomplete observations. J Am Stat Assoc
53:457-481. Greenwood M (1926) The natural duration of cancer. Reports on Public Health and
Medical Subjects 33. Kalbfleisch JD, Prentice RL (2002) *The Statistical Analysis of Failure Time
Data*, 2nd edn. Wiley. Collett D (2015) *Modelling Survival Data in Medical Research*, 3rd edn.
CRC Press. statsmodels: ``statsmodels.duration.survfunc.SurvfuncRight``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special
from statsmodels.duration.survfunc import SurvfuncRight

from jsnalib.methods.confidence import level as _level

__all__ = [
    "kaplan_meier",
    "kaplan_meier_curves",
    "kaplan_meier_table",
    "survival_at",
]

_CUMULATIVE = ["cumulative_percent", "cumulative_lower", "cumulative_upper"]


# ----------------------------------------------------------------------------------------------
# argument handling


def _durations(time, event) -> tuple[np.ndarray, np.ndarray]:
    try:
        t = np.asarray(time, dtype=float)
        e = np.asarray(event)
    except (TypeError, ValueError) as error:
        raise ValueError("time must be numbers") from error
    if t.ndim != 1 or e.shape != t.shape:
        raise ValueError(f"time and event must be one-dimensional and the same length "
                         f"({t.shape} and {e.shape})")
    if len(t) == 0:
        raise ValueError("time is empty: there is nobody to follow")
    if not np.isfinite(t).all():
        raise ValueError("time must be a finite number for everyone (no missing values)")
    if (t < 0).any():
        raise ValueError("time must not be negative")
    if e.dtype != bool:
        if pd.isna(pd.Series(e)).any() or not np.isin(e, (0, 1)).all():
            raise ValueError("event must be True/False (or 1/0) for everyone")
        e = e.astype(bool)
    return t, e


def _limits(survival: np.ndarray, se: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Log-log confidence limits for S; 1 where S = 1, 0 where S = 0."""
    z = float(special.ndtri(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * se / (survival * np.log(survival))  # negative for 0 < S < 1
        lower = survival ** np.exp(-spread)
        upper = survival ** np.exp(spread)
    whole = survival >= 1
    lower, upper = np.where(whole, 1.0, lower), np.where(whole, 1.0, upper)
    none = survival <= 0
    return np.where(none, 0.0, lower), np.where(none, 0.0, upper)


# ----------------------------------------------------------------------------------------------
# one group


def kaplan_meier(time, event, confidence: float = 0.95) -> pd.DataFrame:
    """The Kaplan-Meier curve with Greenwood standard errors and log-log confidence limits.

    Args:
        time: follow-up time for each person (e.g. months, >= 0): to the event, or to the end
            of follow-up (censoring).
        event: True where the time ends in the event, False where it is censored.
        confidence: 0.95 or 95; between 0.9 and 1 (or 90 and 100).

    Returns:
        DataFrame, one row for time 0 then one per distinct event time: ``time``, ``at_risk``
        (people followed up to at least that time), ``events`` (at that time), ``survival``
        (0-1), ``se``, ``lower``, ``upper`` (0-1) and ``cumulative_percent``,
        ``cumulative_lower``, ``cumulative_upper`` (the percentage who have had the event,
        ``100 (1 - S)``, and its limits).

    Example:
        >>> kaplan_meier([6, 6, 6, 7, 10], [1, 1, 0, 1, 0])["survival"].round(3).tolist()
        [1.0, 0.6, 0.3]
    """
    level = _level(confidence)
    t, e = _durations(time, event)
    fit = SurvfuncRight(t, e.astype(int))
    survival = np.r_[1.0, fit.surv_prob]
    se = np.r_[0.0, fit.surv_prob_se]
    lower, upper = _limits(survival, se, level)
    curve = pd.DataFrame({
        "time": np.r_[0.0, fit.surv_times.astype(float)],
        "at_risk": np.r_[len(t), fit.n_risk].astype(np.int64),
        "events": np.r_[0, fit.n_events].astype(np.int64),
        "survival": survival,
        "se": se,
        "lower": lower,
        "upper": upper,
    })
    return _with_cumulative(curve)


def _with_cumulative(frame: pd.DataFrame) -> pd.DataFrame:
    frame["cumulative_percent"] = 100 * (1 - frame["survival"])
    frame["cumulative_lower"] = 100 * (1 - frame["upper"])
    frame["cumulative_upper"] = 100 * (1 - frame["lower"])
    return frame


def survival_at(time, event, times: Sequence[float], confidence: float = 0.95) -> pd.DataFrame:
    """The Kaplan-Meier estimate read at chosen times (e.g. 3, 6 and 12 months).

    ``S(t)`` is the curve's value at the last event time at or before ``t``. Beyond the longest
    follow-up the curve is unknown, so those rows are missing (NaN).

    Args:
        time, event: as for :func:`kaplan_meier`.
        times: the times to read (same units as ``time``, >= 0).
        confidence: 0.95 or 95; between 0.9 and 1 (or 90 and 100).

    Returns:
        DataFrame, one row per requested time: ``time``, ``people`` (everyone followed),
        ``events`` (events at or before ``time``), ``censored`` (follow-up ended at or before
        ``time`` without the event), ``remaining`` (still followed after ``time`` with no event;
        ``events + censored + remaining = people``), ``survival``, ``se``, ``lower``,
        ``upper`` (0-1) and the cumulative percentage columns as in :func:`kaplan_meier`.

    Example:
        >>> survival_at([6, 6, 6, 7, 10], [1, 1, 0, 1, 0], [5, 6.5])["survival"].tolist()
        [1.0, 0.6]
    """
    level = _level(confidence)
    t, e = _durations(time, event)
    try:
        at = np.asarray(times, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise ValueError("times must be numbers") from error
    if len(at) == 0 or not np.isfinite(at).all() or (at < 0).any():
        raise ValueError("times must be one or more numbers >= 0")
    curve = kaplan_meier(t, e, level)
    step = np.searchsorted(curve["time"].to_numpy(), at, side="right") - 1
    known = at <= t.max()
    pick = curve.iloc[step].reset_index(drop=True)
    sorted_t, sorted_events = np.sort(t), np.sort(t[e])
    table = pd.DataFrame({
        "time": at,
        "people": len(t),
        "events": np.searchsorted(sorted_events, at, side="right"),
        "censored": np.searchsorted(np.sort(t[~e]), at, side="right"),
        "remaining": len(t) - np.searchsorted(sorted_t, at, side="right"),
    })
    for column in ("survival", "se", "lower", "upper"):
        table[column] = pick[column].where(known)
    return _with_cumulative(table)


# ----------------------------------------------------------------------------------------------
# several groups


def _groups(data: pd.DataFrame, by: str, time: str, event: str):
    missing = [c for c in (by, time, event) if c not in data.columns]
    if missing:
        raise ValueError(f"data has no column(s) {', '.join(missing)}")
    if data[by].isna().any():
        raise ValueError(f"{by} is missing for {int(data[by].isna().sum())} row(s)")
    return data.groupby(by, sort=True, observed=True)


def kaplan_meier_curves(
    data: pd.DataFrame,
    by: str,
    grid: Sequence[float],
    time: str = "months",
    event: str = "event",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Kaplan-Meier curves per group read on a grid of times (e.g. each month 0-24).

    Reading the curves on a coarse grid gives the data behind a chart without counts of people:
    each point is the cumulative percentage with the event by that time, with its limits.

    Args:
        data: one row per person with the ``by``, ``time`` and ``event`` columns (e.g. from
            :func:`jsnalib.methods.derive.months_to_rereferral`).
        by: the grouping column (e.g. ``"outcome"``).
        grid: the times to read each curve at (>= 0).
        time, event: the column names of follow-up time and event flag.
        confidence: 0.95 or 95; between 0.9 and 1 (or 90 and 100).

    Returns:
        DataFrame with ``by``, ``time``, ``cumulative_percent``, ``cumulative_lower`` and
        ``cumulative_upper`` (percent), one row per group and grid time (NaN beyond a group's
        follow-up).
    """
    frames = [survival_at(group[time], group[event], grid, confidence)
              .assign(**{by: name})[[by, "time", *_CUMULATIVE]]
              for name, group in _groups(data, by, time, event)]
    return pd.concat(frames, ignore_index=True)


def kaplan_meier_table(
    data: pd.DataFrame,
    by: str,
    times: Sequence[float] = (3, 6, 12),
    time: str = "months",
    event: str = "event",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The cumulative percentage with the event at chosen times, per group, with counts.

    Args:
        data, by, time, event, confidence: as for :func:`kaplan_meier_curves`.
        times: the times to report (3, 6 and 12 months by default).

    Returns:
        DataFrame with ``by``, ``time``, ``people``, ``events``, ``censored``, ``remaining``
        (counts as in :func:`survival_at`: pass them through :mod:`jsnalib.methods.disclosure` before
        display), ``cumulative_percent``, ``cumulative_lower`` and ``cumulative_upper``.
    """
    columns = ["time", "people", "events", "censored", "remaining", *_CUMULATIVE]
    frames = [survival_at(group[time], group[event], times, confidence)
              .assign(**{by: name})[[by, *columns]]
              for name, group in _groups(data, by, time, event)]
    return pd.concat(frames, ignore_index=True)
