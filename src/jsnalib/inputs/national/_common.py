"""Shared pieces of the national readers: the result type, markers, problems, raw cell access.

Nothing here knows a publisher's layout; the layout modules (:mod:`.dfe`, :mod:`.nomis`,
:mod:`.ons`, :mod:`.lookups`, :mod:`.fingertips`) build on it.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import GSS_PATTERN, Contract
from jsnalib.inputs.readers import DataError, Problem

LICENCE = "Open Government Licence v3.0"

#: Markers publishers put in place of a number, with the reason recorded when one is read as
#: missing. DfE's glossary (explore-education-statistics) for c, x, u, z and low; ONS's
#: symbols guidance for the bracketed forms; ``:``, ``..`` and ``*`` as older tables use them.
MARKERS: dict[str, str] = {
    "c": "confidential: suppressed by the publisher (c)",
    "x": "not available (x)",
    "u": "low reliability: not published (u)",
    "z": "not applicable (z)",
    "low": "rounds to 0 but is not 0 (low)",
    ":": "not available (:)",
    "..": "not available (..)",
    "*": "suppressed by the publisher (*)",
    "[c]": "confidential: suppressed by the publisher ([c])",
    "[x]": "not available ([x])",
    "[u]": "low reliability: not published ([u])",
    "[z]": "not applicable ([z])",
    "[low]": "rounds to 0 but is not 0 ([low])",
}

#: The marker written into a tidy CSV cell for each publisher marker: data/ readers accept
#: only the markers in ``jsnalib.inputs.contracts.SUPPRESSION_MARKERS``. The publisher's own marker
#: and reason stay in the ``missing`` table (written beside the CSVs as ``.missing.csv``).
CSV_MARKER: dict[str, str] = {
    "c": "c", "[c]": "c", "*": "*", ":": ":", "..": "..",
    "x": "x", "[x]": "x", "u": "x", "[u]": "x", "z": "x", "[z]": "x", "low": "x", "[low]": "x",
}

MISSING_COLUMNS = ["area_code", "period", "column", "marker", "reason"]

_GSS = re.compile(GSS_PATTERN + r"\Z")


@dataclass(frozen=True)
class Source:
    """Where a table came from.

    Attributes
    ----------
    publisher, title : str
        Publisher (e.g. "Department for Education") and the publication's title.
    release : str
        The release and the period it covers, e.g. "2013 to 2025 (years ending 31 March)".
    licence : str
        Always "Open Government Licence v3.0" for these publishers' statistics.
    file : str
        Name of the file read (no folder).
    basis : str
        How counts are defined where the publisher offers more than one basis (e.g. deaths
        registered in the year against the death-cohort tables); blank otherwise.
    model : str
        For statistical neighbours, the model, e.g. "DfE statistical neighbours 2021".
    notes : tuple of str
        What the reader left out or changed, in words (e.g. rows that are not GSS areas).
    """

    publisher: str
    title: str
    release: str
    file: str
    licence: str = LICENCE
    basis: str = ""
    model: str = ""
    notes: tuple[str, ...] = ()


@dataclass
class NationalTable:
    """One national download read into a tidy contract.

    Attributes
    ----------
    contract : str
        Name of the tidy contract: ``cin_census``, ``births_deaths``, ``population``,
        ``neighbours``, ``areas``, ``births_deaths_cohort``, ``births_deaths_imd_decile`` or
        ``fingertips``.
    frame : pandas.DataFrame
        Exactly the contract's columns, with the dtypes ``jsnalib.data`` gives them.
    missing : pandas.DataFrame
        One row per cell read as missing: area_code, period, column, marker, reason.
    source : Source
        Publisher, title, release, licence, file and notes.
    layout : str
        The layout :func:`jsnalib.inputs.national.recognise` named.
    columns_present : tuple of str
        Contract columns the file provides (a NOMIS births file has no infant_deaths: those
        are <NA> here until :func:`import_files` joins the deaths file).
    """

    contract: str
    frame: pd.DataFrame
    missing: pd.DataFrame
    source: Source
    layout: str = ""
    columns_present: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------
# problems
# --------------------------------------------------------------------------------------------
def problem(file: str, row: int | None, column: str | None, value: Any, expected: str,
            issue: str = "is not valid") -> Problem:
    """A :class:`jsnalib.inputs.readers.Problem`; ``value`` None means no single value to show."""
    return Problem(file, row, column, None if value is None else str(value), expected, issue)


def fail(file: str, issue: str, expected: str, row: int | None = None,
         column: str | None = None, value: Any = None) -> DataError:
    """A DataError holding one problem (raise it)."""
    return DataError([problem(file, row, column, value, expected, issue)])


def check(problems: list[Problem]) -> None:
    """Raise DataError if any problems were collected."""
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.row is None, p.row or 0)))


def is_gss(code: str) -> bool:
    """True for an ONS GSS code such as E06000021."""
    return bool(_GSS.match(code))


def empty_missing() -> pd.DataFrame:
    """An empty ``missing`` table with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype="str") for c in MISSING_COLUMNS})


# --------------------------------------------------------------------------------------------
# raw text
# --------------------------------------------------------------------------------------------
def decode(path: Path) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_records(path: Path) -> list[list[str]]:
    """Every record of a CSV file (header first), fields as text; quoted newlines kept."""
    text = decode(path)
    try:
        return [r for r in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as exc:
        raise fail(path.name, f"cannot be read as CSV ({exc})",
                   "a comma-separated file as the publisher released it") from None


def first_record(path: Path) -> list[str]:
    """The header record of a CSV file (first line only is parsed)."""
    text = decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [h.strip() for h in next(reader, [])]
    except csv.Error:
        return []


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: integral floats without '.0', None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def frame_from_records(header: Sequence[str], records: Iterable[Sequence[str]]) -> pd.DataFrame:
    """A DataFrame of text from records that each have exactly ``len(header)`` fields."""
    cols = list(zip(*records, strict=True)) if records else []
    if not cols:
        return pd.DataFrame({h: pd.Series(dtype="str") for h in header})
    return pd.DataFrame({h: pd.Series(c, dtype="str").str.strip()
                         for h, c in zip(header, cols, strict=True)})


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------
_WHOLE = re.compile(r"\d+\Z")
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")


def counts(text: pd.Series, *, file: str, column: str, rows: np.ndarray,
           area: pd.Series, period: pd.Series, out_column: str,
           problems: list[Problem], minimum: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    """Parse a column of published whole-number counts.

    Parameters
    ----------
    text : Series of str
        The cells as text (stripped).
    file, column : str
        File name and the publisher's column name, for problems.
    rows : ndarray of int
        Spreadsheet row of each cell (header = row 1 for CSVs).
    area, period : Series of str
        Area code and period of each row, for the ``missing`` table.
    out_column : str
        The tidy column name recorded in ``missing``.
    problems : list
        Problems are appended here.
    minimum : int
        Smallest acceptable count.

    Returns
    -------
    values : Series of Int64
        The counts (people or events); markers read as <NA>.
    missing : DataFrame
        One row per marker read as missing.
    """
    text = text.fillna("").astype(str).str.strip()
    # an integral float (1594.0) as some exports write them
    text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    marker = text.isin(list(MARKERS)).to_numpy()
    whole = text.str.match(_WHOLE).fillna(False).to_numpy(bool)
    bad = ~marker & ~whole
    for i in np.flatnonzero(bad)[:200]:
        v = text.iat[i]
        problems.append(problem(
            file, int(rows[i]), column, v if v else None,
            f"a whole number of {out_column.replace('_', ' ')} or a marker "
            f"({', '.join(MARKERS)})",
            "is blank" if not v else "is not a whole number or a known marker"))
    values = pd.to_numeric(text.where(whole), errors="coerce").astype("Int64")
    low = (values < minimum).fillna(False).to_numpy(bool)
    for i in np.flatnonzero(low)[:200]:
        problems.append(problem(file, int(rows[i]), column, text.iat[i],
                                f"a count of at least {minimum}", "is too small"))
    missing = pd.DataFrame({
        "area_code": area[marker].astype("str").to_numpy(),
        "period": period[marker].astype("str").to_numpy(),
        "column": out_column,
        "marker": text[marker].to_numpy(),
        "reason": text[marker].map(MARKERS).to_numpy(),
    })
    return values.reset_index(drop=True), missing.astype("str")


def typed(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """``frame``'s columns in contract order with the dtypes ``jsnalib.data`` reads them as."""
    out = {}
    for col in contract.columns:
        if not col.required and col.name not in frame:
            continue
        s = frame[col.name]
        if col.kind in ("str", "code", "financial_year", "academic_year"):
            out[col.name] = s.astype("str")
        elif col.kind in ("int", "year"):
            nullable = col.nullable or col.suppressible
            out[col.name] = s.astype("Int64") if nullable else s.astype("int64")
        elif col.kind == "float":
            out[col.name] = s.astype("float64")
        elif col.kind == "category":
            out[col.name] = pd.Categorical(s, categories=list(col.allowed))
        elif col.kind == "date":
            out[col.name] = pd.to_datetime(s)
        else:  # pragma: no cover - every kind is listed above
            out[col.name] = s
    return pd.DataFrame(out).reset_index(drop=True)


def duplicate_keys(frame: pd.DataFrame, key: list[str], rows: np.ndarray, file: str,
                   column: str, problems: list[Problem]) -> None:
    """Report rows whose ``key`` repeats an earlier row's."""
    dup = frame.duplicated(key, keep="first").to_numpy()
    if not dup.any():
        return
    first = frame.reset_index(drop=True).groupby(key, sort=False).cumcount()
    seen: dict[tuple, int] = {}
    for i, k in enumerate(frame[key].itertuples(index=False, name=None)):
        if first.iat[i] == 0:
            seen[k] = int(rows[i])
        elif len(problems) < 400:
            problems.append(problem(
                file, int(rows[i]), column, " / ".join(map(str, k)),
                f"one row per {' and '.join(key)}",
                f"repeats row {seen[k]} ({', '.join(key)})"))


# --------------------------------------------------------------------------------------------
# workbooks
# --------------------------------------------------------------------------------------------
def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def sheet_names(path: Path) -> list[str]:
    """Sheet names of an xlsx workbook (DataError if it is not one)."""
    return list(_sheet_names(_stamp(path), path.name))


@functools.lru_cache(maxsize=8)
def _sheet_names(stamp: tuple[str, int, int], name: str) -> tuple[str, ...]:
    import openpyxl  # imported here: only workbook layouts need it

    try:
        wb = openpyxl.load_workbook(stamp[0], read_only=True)
    except Exception as exc:  # openpyxl raises several types for a non-workbook
        raise fail(name, f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                   "an .xlsx workbook as the publisher released it") from None
    try:
        return tuple(wb.sheetnames)
    finally:
        wb.close()


def sheet_rows(path: Path, sheet: str, limit: int | None = None) -> list[tuple[Any, ...]]:
    """The values of a worksheet's rows (row 1 first), trailing empty cells kept.

    Workbooks are read once per file version (a small cache keyed by path, modification
    time and size), as recognising and reading a layout both look at the same sheets.
    """
    rows = _sheet_rows(_stamp(path), sheet)
    return list(rows if limit is None else rows[:limit])


@functools.lru_cache(maxsize=8)
def _sheet_rows(stamp: tuple[str, int, int], sheet: str) -> tuple[tuple[Any, ...], ...]:
    import openpyxl

    wb = openpyxl.load_workbook(stamp[0], read_only=True, data_only=True)
    try:
        return tuple(tuple(r) for r in wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()


def find_sheet(names: Sequence[str], number: int) -> str | None:
    """The sheet called ``"3"``, ``"Table_3"`` or ``"Table 3"`` (spaces ignored)."""
    for name in names:
        if re.fullmatch(rf"(?:Table[ _]?)?{number}", name.strip(), re.IGNORECASE):
            return name
    return None
