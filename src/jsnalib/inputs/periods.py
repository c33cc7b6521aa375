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
