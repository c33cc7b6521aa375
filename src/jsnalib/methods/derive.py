"""Record-level derivations: re-referral flags, time to re-referral, reporting years, pooled periods.

Definitions follow the Department for Education (DfE) children in need census guide: a
re-referral is a referral "within 12 months of a previous referral" of the same child, and
re-referral rates are reported by financial year (1 April to 31 March, labelled ``"2015-16"``).
Local infant mortality is published as 3-year pooled rates (``"2017-19"``), and the National
Child Measurement Programme reports by academic year (1 September to 31 August, ``"2018/19"``).

The choices this module makes where the definition is silent, each tested:

- *12 calendar months*: a previous referral counts when it is on or after the same day of the
  month one year earlier (a referral on 15 May 2016 counts one on 15 May 2015, not one on
  14 May 2015). A referral on 29 February looks back to 28 February of the year before; a
  referral on 28 February or 1 March after a leap day looks back to 28 February or 1 March,
  as pandas ``DateOffset(months=12)`` does.
- *Same-day referrals*: the census guide counts several referrals of one child on one day as
  one referral; :func:`merge_same_day` merges them before counting (keeping the first row) and
  says how many were merged. :func:`flag_rereferrals` itself, given unmerged records, treats only
  referrals on an earlier day as previous, so the second of two referrals of one child on the
  same day is not a re-referral of the first; both are re-referrals if an earlier-day referral
  lies within the 12 months.
- *Missing child IDs* (blank, whitespace, None or NaN): such a referral cannot be linked, so it
  is never flagged and never counts as a previous referral of anyone. It stays in the
  referral count (the denominator). It is reported, never silently absorbed: the functions
  that link referrals warn with :class:`MissingChildIdWarning`, :func:`missing_child_ids`
  gives the mask, and :func:`rereferral_summary` has a ``missing_child_id`` column.

References
----------
Department for Education, Children in need census 2024 to 2025: guide (re-referrals, item
"referral within 12 months of a previous referral"); Department for Education, Characteristics
of children in need (statistical release: methodology). Office for National Statistics, Child
and infant mortality in England and Wales (3-year pooled local rates).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MissingChildIdWarning",
    "academic_year",
    "financial_year",
    "flag_rereferrals",
    "merge_same_day",
    "missing_child_ids",
    "months_to_rereferral",
    "pool_years",
    "rereferral_summary",
]

DAYS_PER_MONTH = 365.25 / 12
"""Average length of a month in days, used to express time to re-referral in months."""

_REFERRAL_COLUMNS = ("child_id", "referral_date")


class MissingChildIdWarning(UserWarning):
    """Referrals without a child ID were found: they cannot be linked to earlier referrals."""


# ----------------------------------------------------------------------------------------------
# argument handling


def _check_frame(referrals: Any, columns: Sequence[str], name: str = "referrals") -> None:
    if not isinstance(referrals, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(referrals).__name__}")
    absent = [column for column in columns if column not in referrals.columns]
    if absent:
        raise ValueError(f"{name} is missing column(s) {', '.join(absent)}")


def _as_days(values: pd.Series, name: str) -> np.ndarray:
    """Dates as int64 days since 1970-01-01; ValueError naming the first bad row."""
    if pd.api.types.is_datetime64_any_dtype(values):
        converted = values
    else:
        converted = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        if converted.isna().to_numpy().any() and not values.isna().to_numpy().all():
            # not all ISO strings: accept any date-like values, but nothing unparseable
            converted = pd.to_datetime(values, format="mixed", errors="coerce")
    bad = converted.isna().to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be a date in every row: {int(bad.sum())} missing or not "
                         f"a date, the first at index {values.index[position]!r} "
                         f"(value {values.iloc[position]!r})")
    return converted.to_numpy().astype("datetime64[D]").astype(np.int64)


def _child_codes(child_id: pd.Series) -> np.ndarray:
    """An integer code per child, -1 where the ID is missing (None, NaN, blank or spaces)."""
    codes, uniques = pd.factorize(child_id.to_numpy())
    if len(uniques) and not pd.api.types.is_numeric_dtype(np.asarray(uniques).dtype):
        blank = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip() == ""
        if blank.any():
            codes = np.where(blank.to_numpy(dtype=bool)[codes] & (codes >= 0), -1, codes)
    return codes


def _missing_mask(child_id: pd.Series) -> np.ndarray:
    return _child_codes(child_id) < 0


def _warn_missing(count: int, what: str) -> None:
    if count:
        warnings.warn(f"{count} referral(s) have no child_id: {what}", MissingChildIdWarning,
                      stacklevel=3)


def _twelve_months_before(days: np.ndarray) -> np.ndarray:
    """The same day of the month one year earlier (29 February -> 28 February), as days."""
    dates = days.astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    day_of_month = (dates - month.astype("datetime64[D]")).astype(np.int64)
    earlier = month - np.timedelta64(12, "M")
    first = earlier.astype("datetime64[D]")
    length = ((earlier + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return first.astype(np.int64) + np.minimum(day_of_month, length - 1)


class _Linked:
    """Referrals with a child ID, sorted by child then date, with same-day runs marked."""

    def __init__(self, referrals: pd.DataFrame):
        all_codes = _child_codes(referrals["child_id"])
        self.missing = all_codes < 0
        self.days_all = _as_days(referrals["referral_date"], "referral_date")
        self.rows = np.flatnonzero(~self.missing)  # input positions of linkable referrals
        codes = all_codes[self.rows]
        days = self.days_all[self.rows]
        # one stable sort on a combined child-then-day key: ties keep the input order
        if len(days):
            span = int(days.max()) - int(days.min()) + 1
            order = np.argsort(codes * span + (days - days.min()), kind="stable")
        else:
            order = np.arange(0)
        self.order = order
        self.codes = codes[order]
        self.days = days[order]
        n = len(order)
        same_child = np.zeros(n, dtype=bool)
        same_child[1:] = self.codes[1:] == self.codes[:-1]
        self.same_child = same_child  # same child as the previous sorted referral
        same_day = same_child.copy()
        same_day[1:] &= self.days[1:] == self.days[:-1]
        self.same_day = same_day  # same child and same day as the previous sorted referral
        # position of the first referral of each same-child, same-day run
        starts = np.where(same_day, 0, np.arange(n))
        self.run_start = np.maximum.accumulate(starts) if n else starts

    def previous_day(self) -> np.ndarray:
        """Days of the child's latest referral on an earlier day (-1 where there is none)."""
        previous = self.run_start - 1
        has = (previous >= 0) & self.same_child[self.run_start]
        result = np.full(len(self.days), -1, dtype=np.int64)
        result[has] = self.days[previous[has]]
        return result

    def next_day(self) -> np.ndarray:
        """Days of the child's earliest referral on a later day (-1 where there is none)."""
        n = len(self.days)
        ends = np.where(np.append(self.same_day[1:], False), n, np.arange(n))
        run_end = np.minimum.accumulate(ends[::-1])[::-1] if n else ends
        following = run_end + 1
        has = following < n
        has[has] &= self.same_child[following[has]]
        result = np.full(n, -1, dtype=np.int64)
        result[has] = self.days[following[has]]
        return result


# ----------------------------------------------------------------------------------------------
# re-referrals


def missing_child_ids(referrals: pd.DataFrame) -> pd.Series:
    """Which referrals have no child ID (blank, whitespace only, None or NaN).

    Such referrals cannot be linked, so :func:`flag_rereferrals` never flags them; count them
    with ``missing_child_ids(referrals).sum()`` and report the number beside any re-referral
    rate.

    Parameters
    ----------
    referrals : pandas.DataFrame
        With a ``child_id`` column.

    Returns
    -------
    pandas.Series of bool
        True where the child ID is missing, aligned to ``referrals.index``, named
        ``missing_child_id``.

    Raises
    ------
    ValueError
        If ``referrals`` is not a DataFrame with a ``child_id`` column.
    """
    _check_frame(referrals, ("child_id",))
    return pd.Series(_missing_mask(referrals["child_id"]), index=referrals.index,
                     name="missing_child_id")


def merge_same_day(referrals: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Merge several referrals of one child on one day into one referral.

    The DfE children in need census guide records a child referred more than once on the same
    day as one referral, so only the first row (in input order) of each child-and-day group is
    kept; its other columns (source, outcome) are those of that first row. Referrals without
    a child ID cannot be matched and are all kept.

    Parameters
    ----------
    referrals : pandas.DataFrame
        As for :func:`flag_rereferrals` (``child_id`` and ``referral_date``, any row order).

    Returns
    -------
    (pandas.DataFrame, int)
        The referrals with the duplicates removed (original index and order kept), and the
        number of referrals merged away (rows removed).

    References
    ----------
    Department for Education, Children in need census guide (referrals: a child referred more
    than once on the same day counts as one referral).

    Examples
    --------
    >>> referrals = pd.DataFrame({"child_id": ["a", "a", "a", None, None],
    ...     "referral_date": ["2016-05-15", "2016-05-15", "2016-05-16", "2016-05-15",
    ...                       "2016-05-15"]})
    >>> merged, count = merge_same_day(referrals)
    >>> merged.index.tolist(), count
    ([0, 2, 3, 4], 1)
    """
    _check_frame(referrals, _REFERRAL_COLUMNS)
    linked = _Linked(referrals)
    keep = np.ones(len(referrals), dtype=bool)
    keep[linked.rows[linked.order[linked.same_day]]] = False
    return referrals[keep], int((~keep).sum())


def flag_rereferrals(referrals: pd.DataFrame) -> pd.Series:
    """Flag re-referrals: referrals within 12 months of a previous referral of the same child.

    A referral is a re-referral when the same ``child_id`` has a referral on an earlier day that
    is on or after the date 12 calendar months before it (DfE children in need census
    definition). Rules for same-day referrals, 29 February and missing child IDs are in the
    module docstring; a :class:`MissingChildIdWarning` reports how many referrals had no ID.

    The method is vectorised: referrals are sorted by child and date and each is compared with
    the child's latest referral on an earlier day (1,000,000 referrals in well under 3 seconds;
    see bench/derive.py).

    Parameters
    ----------
    referrals : pandas.DataFrame
        One row per referral, columns ``child_id`` (any hashable; missing allowed) and
        ``referral_date`` (datetimes or ISO ``YYYY-MM-DD`` strings; none missing). Any row
        order; other columns are ignored.

    Returns
    -------
    pandas.Series of bool
        True for a re-referral, aligned to ``referrals.index``, named ``rereferral``.

    Raises
    ------
    ValueError
        If ``referrals`` is not a DataFrame with both columns, or a referral date is missing or
        not a date.

    References
    ----------
    Department for Education, Children in need census guide (re-referral within 12 months of a
    previous referral); Characteristics of children in need, methodology.

    Examples
    --------
    >>> referrals = pd.DataFrame({"child_id": ["a", "a", "a", "b"],
    ...     "referral_date": ["2015-05-15", "2016-05-15", "2017-05-16", "2016-01-01"]})
    >>> flag_rereferrals(referrals).tolist()
    [False, True, False, False]
    """
    _check_frame(referrals, _REFERRAL_COLUMNS)
    linked = _Linked(referrals)
    previous = linked.previous_day()
    sorted_flags = (previous >= 0) & (previous >= _twelve_months_before(linked.days))
    flags = np.zeros(len(referrals), dtype=bool)
    flags[linked.rows[linked.order]] = sorted_flags
    _warn_missing(int(linked.missing.sum()), "they cannot be linked and are never flagged as "
                  "re-referrals (they still count as referrals)")
    return pd.Series(flags, index=referrals.index, name="rereferral")


def rereferral_summary(
    referrals: pd.DataFrame,
    by: str | Sequence[str] | None = ("area_code", "financial_year"),
    flags: pd.Series | None = None,
) -> pd.DataFrame:
    """Referrals and re-referrals per group, as the DfE children in need census reports them.

    Re-referrals are flagged over the whole of ``referrals`` before grouping, so a referral
    early in a year is compared with referrals in the year before. Referrals whose child ID
    is missing count as referrals, never as re-referrals, and are counted in their own column.

    Parameters
    ----------
    referrals : pandas.DataFrame
        As for :func:`flag_rereferrals`, plus the ``by`` columns. ``"financial_year"`` is
        derived from ``referral_date`` when it is in ``by`` but not a column.
    by : str, sequence of str or None
        Grouping columns; None for a single total row.
    flags : pandas.Series of bool, optional
        Re-referral flags aligned to ``referrals`` (e.g. computed on a longer history before
        filtering); computed with :func:`flag_rereferrals` when omitted.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``referrals``, ``rereferrals``, ``missing_child_id`` (counts)
        and ``percent`` (re-referrals as a percentage of referrals, 0-100), one row per group,
        sorted by the groups.

    Raises
    ------
    ValueError
        For a missing column, flags not aligned to ``referrals``, or bad dates.
    """
    by_columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    derived = [c for c in by_columns if c == "financial_year" and c not in referrals.columns]
    _check_frame(referrals, [*_REFERRAL_COLUMNS, *[c for c in by_columns if c not in derived]])
    if flags is None:
        flags = flag_rereferrals(referrals)
    elif not isinstance(flags, pd.Series) or not flags.index.equals(referrals.index):
        raise ValueError("flags must be a Series with the same index as referrals")
    elif flags.isna().any():
        raise ValueError("flags must be True or False for every referral")
    table = pd.DataFrame(index=referrals.index)
    for column in by_columns:
        table[column] = (financial_year(referrals["referral_date"]) if column in derived
                         else referrals[column])
    table["referrals"] = 1
    table["rereferrals"] = flags.astype(bool).astype(np.int64)
    table["missing_child_id"] = _missing_mask(referrals["child_id"]).astype(np.int64)
    counts = ["referrals", "rereferrals", "missing_child_id"]
    if by_columns:
        summary = table.groupby(by_columns, sort=True, dropna=False)[counts].sum().reset_index()
    else:
        summary = table[counts].sum().to_frame().T.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        summary["percent"] = summary["rereferrals"] / summary["referrals"] * 100
    return summary


def months_to_rereferral(
    referrals: pd.DataFrame,
    start: Any,
    end: Any,
    data_end: Any = None,
) -> pd.DataFrame:
    """Time from each child's first referral in a period to their next referral, for survival.

    For every child with a referral between ``start`` and ``end`` (both included), the first
    such referral starts the clock; the event is the child's next referral on a later day (same
    day duplicates are not events), wherever it falls up to ``data_end``. A child with no later
    referral by ``data_end`` is censored there. The result feeds a Kaplan-Meier estimate
    (e.g. ``statsmodels.api.SurvfuncRight(result.months, result.event)``); the share re-referred
    within 12 months is one minus the survival at 12 months. Referrals without a child ID cannot
    be followed: they are left out and reported with :class:`MissingChildIdWarning`.

    Parameters
    ----------
    referrals : pandas.DataFrame
        As for :func:`flag_rereferrals`; other columns (``area_code``, ``source``, ``outcome``)
        are carried from the first referral, for stratified estimates.
    start, end : date-like
        The period whose first referrals start the clock, inclusive.
    data_end : date-like, optional
        The last day the data cover (the censoring date); default the latest referral date.
        Referrals after it are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per child, sorted by first referral date then child ID: the first referral's
        columns (``child_id``, ``referral_date`` and any others), then ``next_referral_date``
        (NaT when censored), ``months`` (days / 30.4375 to the next referral or to
        ``data_end``) and ``event`` (True when re-referred).

    Raises
    ------
    ValueError
        For missing columns or bad dates, ``end`` before ``start``, or ``data_end`` before
        ``start``.
    """
    _check_frame(referrals, _REFERRAL_COLUMNS)
    start_day, end_day = (_scalar_day(value, name) for value, name in
                          ((start, "start"), (end, "end")))
    if end_day < start_day:
        raise ValueError(f"end ({end}) is before start ({start})")
    linked = _Linked(referrals)
    if data_end is not None:
        last_day = _scalar_day(data_end, "data_end")
    else:
        last_day = int(linked.days_all.max()) if len(referrals) else end_day
    if last_day < start_day:
        raise ValueError(f"data_end ({data_end}) is before start ({start})")
    _warn_missing(int(linked.missing.sum()), "they cannot be followed and are left out")
    following = linked.next_day()
    in_period = (linked.days >= start_day) & (linked.days <= min(end_day, last_day))
    # the first in-period referral of each child: in-period and no in-period one before it
    earlier_in_period = np.zeros(len(in_period), dtype=bool)
    if len(in_period):
        # per child, whether any earlier sorted row was in the period
        group_start = np.where(linked.same_child, 0, np.arange(len(in_period)))
        group_start = np.maximum.accumulate(group_start)
        cumulative = np.cumsum(in_period) - in_period
        earlier_in_period = (cumulative - cumulative[group_start]) > 0
    first = in_period & ~earlier_in_period
    event = first & (following >= 0) & (following <= last_day)
    positions = linked.rows[linked.order[first]]
    result = referrals.iloc[positions].reset_index(drop=True)
    result["referral_date"] = _to_datetimes(linked.days[first])
    next_day = np.where(event[first], following[first], -1)
    result["next_referral_date"] = _to_datetimes(next_day).where(next_day >= 0)
    stop = np.where(next_day >= 0, next_day, last_day)
    result["months"] = (stop - linked.days[first]) / DAYS_PER_MONTH
    result["event"] = next_day >= 0
    return result.sort_values(["referral_date", "child_id"], kind="stable").reset_index(drop=True)


def _to_datetimes(days: np.ndarray) -> pd.Series:
    return pd.Series(days.astype("datetime64[D]").astype("datetime64[s]"))


def _scalar_day(value: Any, name: str) -> int:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a date, got {value!r}") from error
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date, got {value!r}")
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


# ----------------------------------------------------------------------------------------------
# reporting years and pooled periods


def _year_label(dates: Any, first_month: int, separator: str, name: str) -> Any:
    scalar = np.ndim(dates) == 0 and not isinstance(dates, pd.Series | pd.Index)
    values = pd.Series([dates]) if scalar else pd.Series(dates)
    try:
        converted = (values if pd.api.types.is_datetime64_any_dtype(values)
                     else pd.to_datetime(values, format="mixed"))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: dates must be datetimes or ISO YYYY-MM-DD strings") from error
    start = converted.dt.year - (converted.dt.month < first_month)
    labels = {year: f"{int(year)}{separator}{(int(year) + 1) % 100:02d}"
              for year in start.dropna().unique()}
    result = start.map(labels).astype(object).where(start.notna(), None)
    if scalar:
        return result.iloc[0]
    if isinstance(dates, pd.Series):
        return pd.Series(result.to_numpy(), index=dates.index, name=name, dtype="str")
    return result.to_numpy(dtype=object)


def financial_year(dates: Any) -> Any:
    """The UK financial year (1 April to 31 March) of each date, labelled like ``"2015-16"``.

    Parameters
    ----------
    dates : date-like or array-like of dates
        Datetimes or ISO ``YYYY-MM-DD`` strings; missing values give missing labels.

    Returns
    -------
    str, pandas.Series or numpy.ndarray
        A string for a single date, a Series (same index, named ``financial_year``) for a
        Series, else an object array of strings (None where missing).

    Raises
    ------
    ValueError
        For values that are not dates.

    Examples
    --------
    >>> financial_year("2016-03-31"), financial_year("2016-04-01")
    ('2015-16', '2016-17')
    """
    return _year_label(dates, 4, "-", "financial_year")


def academic_year(dates: Any) -> Any:
    """The school academic year (1 September to 31 August) of each date, like ``"2018/19"``.

    Parameters and return as for :func:`financial_year` (the Series is named
    ``academic_year``).

    Examples
    --------
    >>> academic_year("2019-08-31"), academic_year("2019-09-01")
    ('2018/19', '2019/20')
    """
    return _year_label(dates, 9, "/", "academic_year")


def pool_years(
    data: pd.DataFrame,
    value_cols: str | Sequence[str] = ("live_births", "infant_deaths"),
    years: int = 3,
    by: str | Sequence[str] | None = "area_code",
    year_col: str = "year",
) -> pd.DataFrame:
    """Sum counts over rolling periods of consecutive calendar years (e.g. 3-year "2017-19").

    Small local counts (infant deaths) are published for pooled periods; this makes every
    complete period: each run of ``years`` consecutive years present in the data for a group.
    Periods with a year absent are left out; a missing value (NaN) in any year makes that
    period's sum NaN (NaN propagates).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per group and year (e.g. births_deaths.csv).
    value_cols : str or sequence of str
        The count columns to add up.
    years : int
        Years per period, 1 or more (3 for the national infant mortality convention).
    by : str, sequence of str or None
        Grouping columns (e.g. ``"area_code"``, or ``["area_code", "imd_quintile"]``).
    year_col : str
        The integer calendar-year column.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``period`` (``"2017-19"``; ``"2017"`` when ``years`` is 1;
        ``"1999-01"`` across a century), ``start_year``, ``end_year`` and the summed
        ``value_cols``, sorted by group and start year.

    Raises
    ------
    ValueError
        For missing columns, ``years`` below 1, non-integer years, or a group with the same year
        twice.

    Examples
    --------
    >>> counts = pd.DataFrame({"area_code": "E1", "year": [2017, 2018, 2019, 2020],
    ...                        "infant_deaths": [1, 2, 3, 4]})
    >>> pool_years(counts, "infant_deaths")[["period", "infant_deaths"]].values.tolist()
    [['2017-19', 6], ['2018-20', 9]]
    """
    values = [value_cols] if isinstance(value_cols, str) else list(value_cols)
    by_columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    _check_frame(data, [*by_columns, year_col, *values], "data")
    if isinstance(years, bool) or not isinstance(years, int | np.integer) or years < 1:
        raise ValueError(f"years must be a whole number of at least 1, got {years!r}")
    year = pd.to_numeric(data[year_col], errors="coerce")
    if year.isna().any() or (year != np.floor(year)).any():
        raise ValueError(f"{year_col} must be a whole-number year in every row")
    base = data[[*by_columns, *values]].copy()
    base["start_year"] = year.astype(np.int64).to_numpy()
    duplicated = base.duplicated([*by_columns, "start_year"])
    if duplicated.any():
        row = base.index[int(np.flatnonzero(duplicated.to_numpy())[0])]
        raise ValueError(f"data has the same group and {year_col} twice (index {row!r})")
    keys = [*by_columns, "start_year"]
    pooled = base
    for offset in range(1, years):
        later = base.assign(start_year=base["start_year"] - offset)
        pooled = pooled.merge(later, on=keys, how="inner", suffixes=("", "_later"))
        for column in values:
            pooled[column] = pooled[column] + pooled.pop(f"{column}_later")
    pooled["end_year"] = pooled["start_year"] + (years - 1)
    pooled["period"] = [f"{s}-{e % 100:02d}" if years > 1 else str(s)
                        for s, e in zip(pooled["start_year"], pooled["end_year"], strict=True)]
    columns = [*by_columns, "period", "start_year", "end_year", *values]
    return pooled[columns].sort_values([*by_columns, "start_year"]).reset_index(drop=True)
