"""Periods: academic years (September to August) and their labels.

One module owns how the book names and parses its periods.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


def academic_year_label(year: int) -> str:
    """2018 -> "2018/19": the academic year starting in September of ``year``."""
    return f"{int(year)}/{(int(year) + 1) % 100:02d}"


def start_year(academic_year: object) -> np.ndarray:
    """"2018/19" -> 2018, vectorised (each distinct label is parsed once).

    Raises ValueError for a label that is not ``YYYY/YY`` with consecutive years.
    """
    codes, labels = pd.factorize(pd.Series(np.atleast_1d(np.asarray(academic_year, dtype=object))))
    years = []
    for label in labels:
        match = re.fullmatch(r"(\d{4})/(\d{2})", str(label))
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise ValueError(f"academic year must look like 2018/19, got {label!r}")
        years.append(int(match[1]))
    if (codes < 0).any():
        raise ValueError("academic year must not be missing")
    return np.asarray(years, dtype=np.int64)[codes]


def financial_year_label(year: int) -> str:
    """2015 -> "2015-16": the financial year (1 April to 31 March) starting in April of ``year``."""
    return f"{int(year)}-{(int(year) + 1) % 100:02d}"


def financial_start_year(label: object) -> int:
    """"2015-16" -> 2015; ValueError for anything that is not ``YYYY-YY`` with consecutive years."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(label))
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"a financial year looks like '2015-16', got {label!r}")
    return int(match[1])


def first_full_financial_year(first_referral: object) -> pd.Series | int:
    """Start year of the first financial year with 12 months of earlier records behind it.

    Extracts are taken in whole months, so records are taken to begin on the first day of the
    month of the earliest referral (an extract whose first referral is on Monday 3 April 2006
    covers 1 April 2006). The first full year is the first financial year that starts 12 months
    or more after that day: here 2007-08. This is the one rule used by the re-referral chapter
    and by the indicators behind the profiles.

    Parameters
    ----------
    first_referral : date-like or Series of dates
        The earliest referral date of each extract (e.g. per area).

    Returns
    -------
    int or pandas.Series of int
        The start year (2007 for 2007-08), with the same index as a Series input.

    Examples
    --------
    >>> first_full_financial_year(pd.Timestamp("2006-04-03"))
    2007
    >>> first_full_financial_year(pd.Timestamp("2006-05-20"))
    2008
    """
    dates = pd.to_datetime(pd.Series(first_referral) if not isinstance(first_referral, pd.Series)
                           else first_referral)
    month_start = dates.dt.to_period("M").dt.to_timestamp()
    covered_from = month_start + pd.DateOffset(months=12)
    start = covered_from.dt.year - (covered_from.dt.month < 4).astype(int)
    # the financial year starting on 1 April of `start` begins on or after covered_from only when
    # covered_from is exactly 1 April; otherwise the next one is the first full year.
    later = ~((covered_from.dt.month == 4) & (covered_from.dt.day == 1))
    result = (start + later.astype(int)).astype("int64")
    if isinstance(first_referral, pd.Series):
        return result
    return int(result.iloc[0])


def academic_year_in_text(period: object) -> int | None:
    """Start year of the academic year named somewhere in free text ("2014/15", "not stated
    (c. 2018/19)", "2013/2014"), or None when it names none: for periods quoted in documents."""
    match = re.search(r"(\d{4})\s*[/-]\s*(\d{2,4})", str(period))
    if not match:
        return None
    first, second = int(match[1]), int(match[2][-2:])
    return first if (first + 1) % 100 == second else None
