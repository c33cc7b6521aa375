"""Read and validate the input files in data/, one reader per contract (see jsnalib.inputs.contracts).

Every reader takes a path (``.csv`` or ``.csv.gz``), checks the whole file against its contract
and either returns a typed DataFrame or raises :class:`DataError`, whose ``problems`` list every
problem found (not just the first), each naming file, spreadsheet row (header = row 1), column,
the offending value and what was expected. Nothing is ever written.

Readers of files with area codes check them against the areas lookup: pass
``areas=load_geography(folder)`` or keep ``areas.csv`` and ``neighbours.csv`` beside the file.
Dates in the future are judged against ``today`` (default: the real date; tests inject one).

Suppression markers (``*``, ``c``, ``x``, ``..``, ``:``) in the count/value columns of aggregate
files read as missing, with the reason in a companion ``<column>_note`` column (for Fingertips
exports, appended to its own "Value note"); in record-level files they are errors.
"""

from __future__ import annotations

import copy
import csv
import difflib
import fnmatch
import functools
import gzip
import hashlib
import inspect
import io
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import (
    AREAS,
    AREAS_FILE,
    AUTHORITY_TYPES,
    BIRTHS_DEATHS,
    BIRTHS_DEATHS_COHORT,
    BIRTHS_DEATHS_IMD,
    BIRTHS_DEATHS_IMD_DECILE,
    CIN_CENSUS,
    CONTRACTS,
    FINGERTIPS,
    GSS_PATTERN,
    LOCAL_TYPES,
    MARKUP_PATTERN,
    NCMP,
    NCMP_PUBLISHED,
    NEIGHBOURS,
    NEIGHBOURS_FILE,
    OUTCOMES_FRAMEWORK,
    PLAIN_HINT,
    POPULATION,
    PUBLISHED_FIGURES,
    REFERRALS,
    SUPPRESSION_MARKERS,
    Column,
    Contract,
)
from jsnalib.inputs.geography import Geography
from jsnalib.methods.stats import POLARITIES

#: Problems shown per check before the rest are summarised in one line.
PER_CHECK_LIMIT = 200
_BOM = b"\xef\xbb\xbf"
_TABULAR_SUFFIXES = {".csv", ".gz", ".tsv", ".txt", ".xlsx", ".xls", ".ods", ".parquet"}


@dataclass(frozen=True)
class Problem:
    """One problem in an input file; ``str()`` gives one line an analyst can act on.

    ``row`` is the row as a spreadsheet shows it (header = row 1, first data row = row 2), or
    None for problems with the whole file. ``value`` is the text found (None when there is no
    single value to show), ``issue`` what is wrong with it and ``expected`` what would be right.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    issue: str = "is not valid"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        what = self.issue if self.value is None else f"{self.value!r} {self.issue}"
        return " ".join(f"{where}: {what}; expected {self.expected}".splitlines())


class DataError(ValueError):
    """An input file broke its contract; ``.problems`` lists every :class:`Problem` found."""

    max_lines = 50

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        lines = [f"  {p}" for p in self.problems[: self.max_lines]]
        if n > self.max_lines:
            lines.append(f"  ... and {n - self.max_lines} more")
        head = f"{n} problem{'s' if n != 1 else ''} in the input data:"
        super().__init__("\n".join([head, *lines]))


# --------------------------------------------------------------------------------------------
# problem collection
# --------------------------------------------------------------------------------------------
def _pick(x: Any, i: int) -> Any:
    """Element ``i`` of a row-labelled Series, or ``x`` itself for a plain value."""
    return x.at[i] if isinstance(x, pd.Series) else x


def _pick_pos(x: Any, i: int) -> Any:
    """Element at position ``i`` of a Series over unique values, or ``x`` itself."""
    return x.iat[i] if isinstance(x, pd.Series) else x


class _Columns:
    """Each column of a file as codes into its unique, whitespace-stripped values.

    Checking the few distinct values of a column instead of every row keeps validation of a
    large record-level file fast (dates, areas and categories repeat thousands of times).
    """

    def __init__(self, raw: pd.DataFrame) -> None:
        self.codes: dict[str, np.ndarray] = {}
        self.uniques: dict[str, pd.Series] = {}
        for name in raw.columns:
            codes, uniq = pd.factorize(raw[name])
            stripped = pd.Series(uniq, dtype="str").str.strip()
            merged, final = pd.factorize(stripped)
            self.codes[name] = merged[codes]
            self.uniques[name] = pd.Series(final, dtype="str")

    def values(self, name: str) -> pd.Series:
        """The stripped text of every row."""
        return self.uniques[name].take(self.codes[name]).reset_index(drop=True)

    def expand(self, name: str, per_unique: pd.Series) -> pd.Series:
        """A Series computed for each unique value, spread back to every row."""
        return per_unique.take(self.codes[name]).reset_index(drop=True)


class _Checker:
    """Collects problems for one file; row positions map to spreadsheet rows via ``rows``."""

    def __init__(self, file: str, rows: np.ndarray, columns: _Columns) -> None:
        self.file, self.rows, self.columns = file, rows, columns
        self.problems: list[Problem] = []

    def _emit(self, idx: np.ndarray, column: str, value: Callable[[int], Any],
              issue: Callable[[int], Any], expected: Callable[[int], Any]) -> None:
        if not idx.size:
            return
        for i in idx[:PER_CHECK_LIMIT]:
            i = int(i)
            shown = value(i)
            self.problems.append(Problem(self.file, int(self.rows[i]), column,
                                         None if shown is None else str(shown),
                                         str(expected(i)), str(issue(i))))
        if idx.size > PER_CHECK_LIMIT:
            last = self.problems[-1]
            self.problems.append(Problem(
                self.file, None, column, None, last.expected,
                f"{idx.size - PER_CHECK_LIMIT:,} more rows have the same problem as row "
                f"{last.row} ({last.issue})"))

    def add(self, mask: np.ndarray, column: str, issue: str | pd.Series,
            expected: str | pd.Series, value: pd.Series | None = None,
            show_value: bool = True) -> None:
        """Report every row where ``mask`` is True (Series arguments are indexed by row)."""
        idx = np.flatnonzero(mask)
        if not idx.size:
            return
        if not show_value:
            def shown(i: int) -> Any:
                return None
        elif value is not None:
            def shown(i: int) -> Any:
                return value.at[i]
        else:
            codes, uniq = self.columns.codes[column], self.columns.uniques[column]

            def shown(i: int) -> Any:
                return uniq.iat[codes[i]]
        self._emit(idx, column, shown, lambda i: _pick(issue, i), lambda i: _pick(expected, i))

    def add_unique(self, mask_u: np.ndarray, column: str, issue: str | pd.Series,
                   expected: str | pd.Series, show_value: bool = True) -> None:
        """Report every row whose value is one of the unique values flagged by ``mask_u``.

        ``issue``/``expected`` may be Series over the unique values (by position).
        """
        if not mask_u.any():
            return
        codes, uniq = self.columns.codes[column], self.columns.uniques[column]
        self._emit(np.flatnonzero(mask_u[codes]), column,
                   (lambda i: uniq.iat[codes[i]]) if show_value else (lambda i: None),
                   lambda i: _pick_pos(issue, codes[i]), lambda i: _pick_pos(expected, codes[i]))

    def duplicates(self, key: list[str]) -> None:
        """Report every repeat of a key, naming the row it repeats."""
        frame = pd.DataFrame({k: self.columns.codes[k] for k in key})
        dup = frame.duplicated(keep=False).to_numpy()
        if not dup.any():
            return
        sub = frame.loc[dup]
        first_pos = sub.index.to_series().groupby([sub[k] for k in key],
                                                  sort=False).transform("min")
        later = sub.index[first_pos.to_numpy() != sub.index.to_numpy()]
        mask = np.zeros(len(frame), bool)
        mask[later] = True
        label = ", ".join(key)
        text = pd.DataFrame({k: self.columns.uniques[k].to_numpy()[sub[k].to_numpy()]
                             for k in key}, index=sub.index)
        joined = text[key[0]] if len(key) == 1 else text.agg(", ".join, axis=1)
        first_rows = pd.Series(self.rows[first_pos.to_numpy()], index=sub.index)
        self.add(mask, label, value=joined,
                 issue="repeats row " + first_rows.astype(str),
                 expected=(f"each {label} only once" if len(key) == 1
                           else f"one row per {label}"))


# --------------------------------------------------------------------------------------------
# bytes -> text -> table of strings
# --------------------------------------------------------------------------------------------
def _file_problem(file: str, issue: str, expected: str) -> Problem:
    return Problem(file, None, None, None, expected, issue)


def _decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text: gunzip if compressed, drop a UTF-8 BOM, insist on UTF-8."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return None, [_file_problem(
                file, f"is not a complete gzip file ({exc})",
                "a gzip-compressed CSV file: compress it again, or save it uncompressed as .csv")]
    if data[:4] == b"PK\x03\x04":
        return None, [_file_problem(
            file, "is a spreadsheet workbook (xlsx/zip), not a CSV file",
            "a CSV file: in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'")]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, [_file_problem(
            file, "is UTF-16 text (Excel's 'Unicode Text'), not UTF-8",
            "UTF-8 text: save it again as 'CSV UTF-8 (Comma delimited)'")]
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if not data.strip():
        return None, [_file_problem(file, "is empty", "a header row and at least one data row")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    problems = []
    for row, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line[exc.start: exc.start + 1]
            shown = bad.decode("cp1252", errors="replace")
            problems.append(Problem(
                file, row, None, None,
                "UTF-8 text: re-save the file as 'CSV UTF-8 (Comma delimited)' (or convert it, "
                "e.g. iconv -f cp1252 -t utf-8)",
                f"contains byte 0x{bad.hex()} that is not UTF-8 (Windows-1252 reads it as "
                f"{shown!r}: the file looks like Excel's 'CSV (Comma delimited)' encoding)"))
            if len(problems) >= PER_CHECK_LIMIT:
                break
    return None, problems


def _records(text: str) -> tuple[list[list[str]] | None, np.ndarray, np.ndarray]:
    """Field count and blankness of every record (header included); records if quoted."""
    if '"' in text or "\r" in text.replace("\r\n", ""):
        records = list(csv.reader(io.StringIO(text)))
        counts = np.fromiter((len(r) for r in records), int, len(records))
        blank = np.fromiter((not "".join(r).strip() for r in records), bool, len(records))
        return records, counts, blank
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    counts = np.fromiter((line.count(",") + 1 for line in lines), int, len(lines))
    blank = np.fromiter((not line.strip(", \t\r") for line in lines), bool, len(lines))
    return None, counts, blank


def _check_header(header: list[str], contract: Contract, file: str) -> list[Problem]:
    expected = "columns " + ", ".join(contract.names)
    problems = []
    for pos, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem(file, 1, None, None, expected,
                                    f"column {pos} of the header has no name"))
        elif header.index(name) != pos - 1:
            problems.append(Problem(file, 1, name, None, expected,
                                    "appears more than once in the header"))
    missing = [c for c in contract.required_names if c not in header]
    for name in (h for h in header if h and h not in contract.names):
        lower = {m.lower().replace(" ", "_"): m for m in missing}
        guess = lower.get(name.lower().replace(" ", "_")) or next(
            iter(difflib.get_close_matches(name, missing, n=1, cutoff=0.75)), None)
        if guess:
            missing.remove(guess)
            problems.append(Problem(file, 1, name, None, expected,
                                    f"is not an expected column (is it '{guess}' renamed?)"))
        elif contract.level != "export":
            problems.append(Problem(file, 1, name, None, expected,
                                    f"is not a column of the {contract.name} contract"))
    problems += [Problem(file, 1, name, None, expected, "is missing from the header")
                 for name in missing]
    return problems


def _delimiter_problem(first_field: str, file: str) -> Problem | None:
    for delim, what in ((";", "semicolons (;)"), ("\t", "tabs"), ("|", "vertical bars (|)")):
        if delim in first_field:
            return Problem(file, 1, None, None,
                           "commas: re-save as 'CSV UTF-8 (Comma delimited)'",
                           f"the values are separated by {what}, not commas")
    return None


def _table(text: str, contract: Contract, file: str
           ) -> tuple[pd.DataFrame | None, np.ndarray, list[Problem]]:
    """Text to a frame of strings plus each row's spreadsheet row number (blank rows dropped)."""
    header = [h.strip() for h in next(csv.reader(io.StringIO(text)), [])]
    if len(header) == 1 and len(contract.required_names) > 1:
        problem = _delimiter_problem(header[0], file)
        if problem:
            return None, np.array([]), [problem]
    problems = _check_header(header, contract, file)
    if problems:
        return None, np.array([]), problems
    records, counts, blank = _records(text)
    width = len(header)
    ragged = np.flatnonzero((counts != width) & ~blank)
    for i in ragged[:PER_CHECK_LIMIT]:
        problems.append(Problem(
            file, int(i) + 1, None, None, f"{width} comma-separated values, as in the header",
            f"has {counts[i]} values but the header has {width} columns (a comma inside an "
            "unquoted value, such as a thousands separator in 3,300?)"))
    if problems:
        return None, np.array([]), problems
    if records is None:
        raw = pd.read_csv(io.StringIO(text), dtype=str, na_filter=False, skip_blank_lines=False,
                          index_col=False, header=0)
    else:
        raw = pd.DataFrame(records[1:], columns=range(width), dtype=str)
    raw.columns = header
    keep = ~blank[1:]
    rows = np.arange(2, len(raw) + 2)[keep]
    raw = raw.loc[keep].reset_index(drop=True)
    if raw.empty:
        return None, rows, [_file_problem(file, "has a header row but no data rows",
                                          "at least one data row under the header")]
    return raw, rows, []


# --------------------------------------------------------------------------------------------
# column parsing
# --------------------------------------------------------------------------------------------
_INT = r"[+-]?\d+"
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_DECIMAL = r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?"


def _suggest(values: pd.Series, allowed: Sequence[str]) -> pd.Series:
    """' (did you mean 'x'?)' for each bad category value that resembles an allowed one."""
    folded = {a.lower().replace(" ", "_").replace("-", "_"): a for a in allowed}

    def one(v: str) -> str:
        guess = folded.get(v.lower().replace(" ", "_").replace("-", "_")) or next(
            iter(difflib.get_close_matches(v, allowed, n=1, cutoff=0.75)), None)
        return f" (did you mean '{guess}'?)" if guess else ""

    uniq = {v: one(v) for v in values.unique()}
    return values.map(uniq)


#: The tiers an area-code column of each scope may name
#: (:data:`jsnalib.inputs.contracts.AREA_SCOPES`): the area types, what such an area is, and
#: what is expected instead.
_TIERS = {
    "authority": (AUTHORITY_TYPES, "a children's-services authority",
                  "the code of a county, unitary authority, metropolitan district or London "
                  f"borough (area_type {', '.join(AUTHORITY_TYPES)} in {AREAS_FILE})"),
    "local": (LOCAL_TYPES, "a lowest-tier area",
              "the code of the district, unitary authority, metropolitan district or London "
              "borough the child lives in (not a county, region or country)"),
}


class _Parser:
    """Parses each column of one file to its dtype, reporting every bad value.

    Each check runs once per distinct value of a column (``u``, a Series of the unique
    stripped texts) and is spread back to the rows through ``_Columns``.
    """

    def __init__(self, contract: Contract, columns: _Columns, checker: _Checker, today: date,
                 geography: Geography | None) -> None:
        self.contract, self.columns, self.check = contract, columns, checker
        self.today, self.geography = today, geography
        self.notes: dict[str, list[tuple[str, pd.Series]]] = {}

    def column(self, col: Column) -> pd.Series:
        u = self.columns.uniques[col.name]
        blank = (u == "").to_numpy()
        marker = u.isin(list(SUPPRESSION_MARKERS)).to_numpy()
        level = self.contract.level
        if col.suppressible and level in ("aggregate", "export"):
            reason = u.map(SUPPRESSION_MARKERS).where(marker)
            self.notes.setdefault(col.note, []).append(
                (col.name, self.columns.expand(col.name, reason)))
            present = ~blank & ~marker
        elif level == "record" and col.kind not in ("str", "code"):
            self.check.add_unique(marker, col.name, expected=col.expected(),
                                  issue="is a suppression marker, which record-level data must "
                                        "not contain (suppress counts only when publishing)")
            present = ~blank & ~marker
        else:
            present = ~blank
        if not col.nullable:
            hint = " (or a suppression marker such as c)" if col.suppressible else ""
            self.check.add_unique(blank, col.name, issue="value is blank",
                                  expected=col.expected() + hint, show_value=False)
        typed = getattr(self, "_" + col.kind)(col, u, present)
        return self.columns.expand(col.name, typed)

    # each returns the typed unique values, NA where the text was blank, a marker or invalid
    def _bad(self, col: Column, mask: np.ndarray, issue: str | pd.Series) -> None:
        self.check.add_unique(mask, col.name, issue=issue, expected=col.expected())

    def _str(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        if col.pattern:
            ok = u.str.fullmatch(col.pattern).to_numpy(bool)
            self._bad(col, present & ~ok, "does not have the expected form")
        if col.plain:
            # a name is shown on every page: it must never be read as markup or script
            markup = u.str.contains(MARKUP_PATTERN, regex=True).to_numpy(bool) & present
            self.check.add_unique(markup, col.name, expected=PLAIN_HINT,
                                  issue="contains markup or a control character, which a "
                                        "published page must never show as such")
            present = present & ~markup
        return u.where(present)

    def _code(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        ok = u.str.fullmatch(GSS_PATTERN).to_numpy(bool)
        self._bad(col, present & ~ok, "is not an ONS area code (a letter and 8 digits)")
        if col.area is not None and self.geography is not None:
            geo = self.geography
            known = u.isin(geo.codes).to_numpy()
            if col.area != "local":  # another authority's districts are not in areas.csv
                self.check.add_unique(present & ok & ~known, col.name,
                                      issue=f"is not an area code in {AREAS_FILE}",
                                      expected=f"a code listed in {AREAS_FILE} (add new areas "
                                               "there first)")
            if col.area in _TIERS:
                types, what, expected = _TIERS[col.area]
                kind = u.map(lambda c: geo.area_type(c) if geo.is_known(c) else "")
                wrong = present & known & ~kind.isin(types).to_numpy()
                if wrong.any():
                    self.check.add_unique(
                        wrong, col.name, expected=expected,
                        issue="(" + u.map(geo.names) + ") is a " + kind + ", not " + what)
        return u.where(present)

    def _numbers(self, col: Column, u: pd.Series, present: np.ndarray, whole: bool
                 ) -> pd.Series:
        thousands = u.str.fullmatch(_THOUSANDS).to_numpy(bool) & present
        if whole:
            ok = u.str.fullmatch(_INT).to_numpy(bool)
            decimal = u.str.fullmatch(_DECIMAL).to_numpy(bool) & present & ~ok
            self._bad(col, decimal, "is not a whole number")
            values = pd.to_numeric(u.where(present & ok), errors="coerce")
        else:
            values = pd.to_numeric(u.where(present), errors="coerce")
            ok = np.isfinite(values.to_numpy(float))
            values = values.where(ok)
            decimal = np.zeros(len(u), bool)
        if thousands.any():
            self.check.add_unique(thousands, col.name, issue="has a thousands separator",
                                  expected=(col.expected() + " written without commas, e.g. "
                                            + u.str.replace(",", "", regex=False)))
        self._bad(col, present & ~ok & ~thousands & ~decimal, "is not a number")
        v = values.to_numpy(float)
        with np.errstate(invalid="ignore"):
            low = v < col.minimum if col.minimum is not None else np.zeros(len(v), bool)
            high = v > col.maximum if col.maximum is not None else np.zeros(len(v), bool)
        if col.minimum == 0:
            self._bad(col, low, "is negative")
        elif col.maximum is not None:
            self._bad(col, low, "is outside the possible range")
        elif col.minimum is not None:
            self._bad(col, low, f"is less than {col.minimum:g}")
        self._bad(col, high, "is outside the possible range")
        # a reported value takes no part in the cross-column rules
        return values.where(~(low | high))

    def _int(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        return self._numbers(col, u, present, whole=True).astype("Int64")

    def _float(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        return self._numbers(col, u, present, whole=False).astype("float64")

    def _year(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        years = self._numbers(col, u, present, whole=True).astype("Int64")
        future = (years > self.today.year).fillna(False).to_numpy(bool)
        self._future(col, future, f"a year no later than {self.today.year}", "is in the future")
        return years.where(~future)

    def _future(self, col: Column, mask: np.ndarray, expected: str, issue: str) -> None:
        self.check.add_unique(mask, col.name, issue=issue, expected=expected)

    def _date(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        iso = u.str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy(bool)
        dates = pd.to_datetime(u.where(present & iso), format="%Y-%m-%d", errors="coerce")
        bad = present & dates.isna().to_numpy()
        if bad.any():
            uk = u.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}").to_numpy(bool)
            timed = u.str.fullmatch(r"\d{4}-\d{2}-\d{2}[ T].+").to_numpy(bool)
            issue = pd.Series(np.select([uk, timed],
                                        ["is not a valid date (it looks like DD/MM/YYYY)",
                                         "is not a valid date (it has a time of day)"],
                                        "is not a valid date"))
            self._bad(col, bad, issue)
        future = (dates > pd.Timestamp(self.today)).to_numpy(bool)
        self._future(col, future, f"a date on or before {self.today:%Y-%m-%d}",
                     f"is in the future (after {self.today:%Y-%m-%d})")
        return dates.where(~future)

    def _category(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        bad = present & ~u.isin(list(col.allowed)).to_numpy()
        if bad.any():
            self._bad(col, bad, "is not an allowed value" + _suggest(u, col.allowed))
        return pd.Series(pd.Categorical(u.where(present & ~bad), categories=list(col.allowed)))

    def _span(self, col: Column, u: pd.Series, present: np.ndarray, sep: str) -> pd.Series:
        parts = u.str.extract(r"^(\d{4})([-/])(\d{2})$")
        start = pd.to_numeric(parts[0], errors="coerce")
        end = pd.to_numeric(parts[2], errors="coerce")
        shaped = parts[0].notna().to_numpy()
        wrong_sep = shaped & (parts[1] != sep).to_numpy() & present
        other = "/" if sep == "-" else "-"
        self._bad(col, wrong_sep, f"uses '{other}' instead of '{sep}'")
        self._bad(col, present & ~shaped,
                  "is not written like " + col.expected().split("such as ")[-1])
        gap = shaped & present & ~wrong_sep & ((start + 1) % 100 != end).to_numpy()
        self._bad(col, gap, "does not span two consecutive years")
        future = shaped & present & (start > self.today.year).to_numpy()
        self._future(col, future, f"a year starting no later than {self.today.year}",
                     "is in the future")
        return u.where(present & shaped & ~wrong_sep & ~gap & ~future)

    def _financial_year(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        return self._span(col, u, present, "-")

    def _academic_year(self, col: Column, u: pd.Series, present: np.ndarray) -> pd.Series:
        return self._span(col, u, present, "/")


# --------------------------------------------------------------------------------------------
# the reading engine
# --------------------------------------------------------------------------------------------
def find_file(data_dir: str | Path, filename: str) -> Path:
    """``data_dir/filename``, accepting the ``.csv``/``.csv.gz`` twin if that is what exists.

    Raises DataError (one Problem naming the file) if neither exists.
    """
    data_dir = Path(data_dir)
    stem = filename[:-3] if filename.endswith(".gz") else filename
    for candidate in (filename, stem, stem + ".gz"):
        if (data_dir / candidate).is_file():
            return data_dir / candidate
    raise DataError([_file_problem(filename, f"is missing from {data_dir.name or data_dir}",
                                   f"{stem} or {stem}.gz (see data/README.md)")])


def _finish(contract: Contract, typed: dict[str, pd.Series], columns: _Columns,
            header: list[str], notes: dict[str, list[tuple[str, pd.Series]]]) -> pd.DataFrame:
    """Final dtypes, note columns and column order of a file that passed every check."""
    out = pd.DataFrame(typed)
    for col in contract.columns:
        if col.name not in out:
            continue
        if col.kind in ("int", "year") and not (col.nullable or col.suppressible):
            out[col.name] = out[col.name].astype("int64")
        elif col.kind in ("str", "code", "financial_year", "academic_year"):
            out[col.name] = out[col.name].astype("str")
    for note_col, sources in notes.items():
        shared = len(sources) > 1 or note_col in out
        text = pd.Series(pd.NA, index=out.index, dtype="str")
        for name, reason in sources:
            add = (name + ": " + reason) if shared else reason
            text = text.where(add.isna(), np.where(text.isna(), add, text + "; " + add))
        if note_col in out:
            existing = out[note_col]
            out[note_col] = existing.where(text.isna(), np.where(
                existing.isna(), text, existing + "; " + text))
            out[note_col] = out[note_col].astype("str")
        else:
            out[note_col] = text.astype("str")
    if contract.level == "export":
        for c in (c for c in header if c not in out):
            text = columns.values(c)
            out[c] = text.where(text != "").astype("str")
        out = out[[*header, *(c for c in out.columns if c not in header)]]
    return out


def _read(contract: Contract | Callable[[list[str]], Contract], path: str | Path,
          geography: Geography | None = None, today: date | None = None,
          check_areas: bool = True, label: str | None = None) -> pd.DataFrame:
    return read_with_rows(contract, path, geography, today, check_areas, label)[0]


def read_with_rows(contract: Contract | Callable[[list[str]], Contract], path: str | Path,
                   geography: Geography | None = None, today: date | None = None,
                   check_areas: bool = True, label: str | None = None
                   ) -> tuple[pd.DataFrame, np.ndarray]:
    """Read and validate a file like the ``read_*`` functions, also returning the spreadsheet
    row (header = row 1) of each row of the frame, for messages about a row's values."""
    path = Path(path)
    file = label or path.name
    if not path.is_file():
        raise DataError([_file_problem(file, "does not exist", f"a file at {path}")])
    text, problems = _decode(path.read_bytes(), file)
    if text is None:
        raise DataError(problems)
    if callable(contract) and not isinstance(contract, Contract):
        contract = contract([h.strip() for h in next(csv.reader(io.StringIO(text)), [])])
    raw, rows, problems = _table(text, contract, file)
    if raw is None:
        raise DataError(problems)
    needs_areas = check_areas and any(c.area for c in contract.columns)
    if needs_areas and geography is None:
        lookups = [path.parent / f for f in (AREAS_FILE, NEIGHBOURS_FILE)]
        if not all(p.is_file() or p.with_name(p.name + ".gz").is_file() for p in lookups):
            raise DataError([_file_problem(
                file, f"cannot have its area codes checked: there is no {AREAS_FILE} and "
                      f"{NEIGHBOURS_FILE} beside it",
                f"{AREAS_FILE} and {NEIGHBOURS_FILE} in the same folder, or pass "
                "areas=load_geography(folder)")])
        geography = load_geography(path.parent)
    if geography is not None and not isinstance(geography, Geography):
        raise TypeError("areas must be a jsnalib.inputs.geography.Geography, e.g. "
                        "load_geography('data')")
    columns = _Columns(raw)
    checker = _Checker(file, rows, columns)
    parser = _Parser(contract, columns, checker, today or date.today(),
                     geography if needs_areas else None)
    typed = {c.name: parser.column(c) for c in contract.columns if c.name in raw}
    key = contract.key
    if key:
        checker.duplicates(key)
    frame = pd.DataFrame(typed)
    for rule in contract.rules:
        rule(frame, checker)
    if checker.problems:
        # in row order; the "N more rows" summaries (no row, but a column) go last
        raise DataError(sorted(checker.problems,
                               key=lambda p: (p.row is None and p.column is not None, p.row or 0)))
    out = _finish(contract, typed, columns, list(raw.columns), parser.notes)
    if contract.level == "record":
        blanks = {c.name: int(out[c.name].isna().sum()) for c in contract.columns
                  if c.nullable}
        out.attrs["notes"] = [
            f"{file}: {n:,} {'row has' if n == 1 else 'rows have'} a blank {name}"
            for name, n in blanks.items() if n]
    return out, rows


# --------------------------------------------------------------------------------------------
# parsed once per process: a file read again with the same content is not parsed again
# --------------------------------------------------------------------------------------------
#: Parsed files kept per process (a worker executing many pages reads each input once).
CACHE_SIZE = 16
_parsed: OrderedDict[tuple, Any] = OrderedDict()


def content_key(path: str | Path) -> str:
    """SHA-256 of a file's bytes ("" when it does not exist): what a cached result depends on."""
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _geography_key(geography: Geography | None, path: Path) -> tuple:
    """What area checks depend on: the lookups passed, or those beside the file."""
    if geography is None:
        return tuple(content_key(path.parent / f) for f in (AREAS_FILE, NEIGHBOURS_FILE))
    return tuple((c, geography.name(c), geography.area_type(c), geography.parent(c),
                  tuple(geography.neighbours(c))) for c in geography.codes)


def cached(key: tuple, compute: Callable[[], Any], copy: Callable[[Any], Any]) -> Any:
    """``compute()`` once per ``key`` in this process (least recently used dropped beyond
    :data:`CACHE_SIZE`); every caller gets ``copy(result)``, so no caller can change what
    another reads. Errors are not cached."""
    if key in _parsed:
        _parsed.move_to_end(key)
    else:
        _parsed[key] = compute()
        while len(_parsed) > CACHE_SIZE:
            _parsed.popitem(last=False)
    return copy(_parsed[key])


def clear_cache() -> None:
    """Forget every parsed file and derived table."""
    _parsed.clear()


def _copy_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy(deep=True)
    out.attrs = copy.deepcopy(frame.attrs)
    return out


def _read_once(reader: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Cache a reader by (reader, file name, file content, area lookups, today's date)."""

    @functools.wraps(reader)
    def read(path: str | Path, *args: Any, **kwargs: Any) -> pd.DataFrame:
        bound = inspect.signature(reader).bind(path, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        file = Path(arguments.pop("path"))
        areas = arguments.pop("areas", None)
        today = arguments.pop("today", None) or date.today()
        if areas is not None and not isinstance(areas, Geography):
            return reader(path, *args, **kwargs)  # the reader says what it expects
        key = (reader.__name__, file.name, content_key(file), _geography_key(areas, file), today)
        return cached(key, lambda: reader(path, *args, **kwargs), _copy_frame)

    return read


# --------------------------------------------------------------------------------------------
# one reader per contract
# --------------------------------------------------------------------------------------------
@_read_once
def read_areas(path: str | Path) -> pd.DataFrame:
    """Read ``areas.csv``: area_code, area_name, area_type (category), parent_code."""
    return _read(AREAS, path)


@_read_once
def read_neighbours(path: str | Path, areas: Geography | None = None) -> pd.DataFrame:
    """Read ``neighbours.csv``: area_code, neighbour_code, rank (int64, 1 = closest)."""
    return _read(NEIGHBOURS, path, areas)


def _births_contract(header: list[str]) -> Contract:
    return BIRTHS_DEATHS_IMD if "imd_quintile" in header else BIRTHS_DEATHS


@_read_once
def read_births_deaths(path: str | Path, areas: Geography | None = None,
                       today: date | None = None) -> pd.DataFrame:
    """Read live births and infant deaths by area and calendar year.

    If the file has an ``imd_quintile`` column (births_deaths_imd.csv) it is read with that
    contract (one row per area, year and quintile). ``live_births`` and ``infant_deaths`` are
    nullable Int64 counts; suppressed ones are <NA> with the reason in ``<column>_note``.
    """
    return _read(_births_contract, path, areas, today)


@_read_once
def read_births_deaths_cohort(path: str | Path, areas: Geography | None = None,
                              today: date | None = None) -> pd.DataFrame:
    """Read ``births_deaths_cohort.csv``: area_code, year, basis (``death_cohort``),
    live_births, infant_deaths (nullable Int64; a suppression marker is <NA> with its reason in
    ``<column>_note``). Area codes are checked as GSS codes, not against areas.csv: the file
    covers every local authority as ONS publishes it."""
    return _read(BIRTHS_DEATHS_COHORT, path, areas, today)


@_read_once
def read_births_deaths_imd_decile(path: str | Path, areas: Geography | None = None,
                                  today: date | None = None) -> pd.DataFrame:
    """Read ``births_deaths_imd_decile.csv``: England's area_code, year, imd_decile (1 most
    deprived to 10), live_births, infant_deaths (nullable Int64), death-cohort basis."""
    return _read(BIRTHS_DEATHS_IMD_DECILE, path, areas, today)


@_read_once
def read_population(path: str | Path, areas: Geography | None = None,
                    today: date | None = None) -> pd.DataFrame:
    """Read mid-year population estimates: area_code, year, age_group, population (Int64)."""
    return _read(POPULATION, path, areas, today)


@_read_once
def read_referrals(path: str | Path, areas: Geography | None = None,
                   today: date | None = None) -> pd.DataFrame:
    """Read the record-level referrals extract (one row per referral).

    ``referral_date`` is datetime64; ``source`` and ``outcome`` are categoricals. Blank
    ``child_id`` values are allowed and counted in ``df.attrs["notes"]``.
    """
    return _read(REFERRALS, path, areas, today)


@_read_once
def read_cin_census(path: str | Path, areas: Geography | None = None,
                    today: date | None = None) -> pd.DataFrame:
    """Read DfE children in need census referrals/re-referrals by area and financial year."""
    return _read(CIN_CENSUS, path, areas, today)


@_read_once
def read_ncmp(path: str | Path, areas: Geography | None = None,
              today: date | None = None) -> pd.DataFrame:
    """Read the record-level NCMP extract (one row per measured child).

    Dates are datetime64, height_cm/weight_kg float64 (impossible values are errors;
    implausible ones pass and are flagged later by jsnalib.methods.growth), school_year and sex
    categoricals, imd_decile int64.
    """
    return _read(NCMP, path, areas, today)


@_read_once
def read_fingertips(path: str | Path, today: date | None = None) -> pd.DataFrame:
    """Read a Fingertips CSV download as-is: its own column names, numbers parsed.

    Value, CIs, Count and Denominator are float64 (blank = not published); a suppression marker
    in them reads as missing and its reason is appended to "Value note". Extra columns of newer
    exports are kept. Area codes are not checked against areas.csv: an export covers all of
    England's areas of its type.
    """
    return _read(FINGERTIPS, path, None, today, check_areas=False)


@_read_once
def read_published_figures(path: str | Path, areas: Geography | None = None,
                           today: date | None = None) -> pd.DataFrame:
    """Read the published headline figures (context figures quoted beside modelled ones)."""
    return _read(PUBLISHED_FIGURES, path, areas, today)


@_read_once
def read_ncmp_published(path: str | Path, today: date | None = None) -> pd.DataFrame:
    """Read ``ncmp_published.csv``: NCMP prevalence (percent) as Fingertips publishes it, by
    area, school year, academic year and measure. Area codes are not checked against
    areas.csv: the file covers every district and unitary authority in England."""
    return _read(NCMP_PUBLISHED, path, None, today, check_areas=False)


#: The reader for each contract name.
READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "areas": read_areas, "neighbours": read_neighbours, "births_deaths": read_births_deaths,
    "births_deaths_imd": read_births_deaths, "population": read_population,
    "referrals": read_referrals, "cin_census": read_cin_census, "ncmp": read_ncmp,
    "fingertips": read_fingertips, "published_figures": read_published_figures,
}


# --------------------------------------------------------------------------------------------
# a whole folder
# --------------------------------------------------------------------------------------------
def _twins(filename: str) -> tuple[str, str]:
    stem = filename[:-3] if filename.endswith(".gz") else filename
    return stem, stem + ".gz"


def _other_twin(filename: str) -> str:
    return filename[:-3] if filename.endswith(".gz") else filename + ".gz"


#: The editable table of Fingertips indicators' polarity (optional, in data/).
POLARITY_FILE = "indicator_polarity.csv"
#: Its contract: which direction is better for a Fingertips indicator, keyed by Indicator ID.
INDICATOR_POLARITY = Contract(
    name="indicator_polarity", filename=POLARITY_FILE,
    title="Polarity of Fingertips indicators (optional)", level="lookup",
    columns=(
        Column("indicator_id", "int", "Fingertips Indicator ID", key=True, minimum=1),
        Column("polarity", "category", "Which direction is better", allowed=POLARITIES),
        Column("note", "str", "Why (free text)", required=False, nullable=True, plain=True),
    ),
)
#: Fingertips exports read as published (any indicator, old or new layout) by
#: :func:`jsnalib.inputs.national.fingertips.read_fingertips`: every ``fingertips_*.csv`` but
#: the default benchmarks file (its strict contract) and the tidy files of ``jsna import``.
FINGERTIPS_EXPORTS = "fingertips_*.csv"


def read_indicator_polarity(path: str | Path) -> pd.DataFrame:
    """Read ``indicator_polarity.csv``: indicator_id (int), polarity (a
    :data:`jsnalib.methods.stats.POLARITIES` word) and an optional note."""
    return _read(INDICATOR_POLARITY, path, None, None, check_areas=False)


def read_outcomes_framework(path: str | Path, areas: Geography | None = None,
                            today: date | None = None) -> pd.DataFrame:
    """Read ``outcomes_framework.csv`` (:data:`jsnalib.inputs.contracts.OUTCOMES_FRAMEWORK`):
    one row per framework indicator, with the Fingertips indicator or book indicator that
    measures it and the figures the partnership's report published."""
    return _read(OUTCOMES_FRAMEWORK, path, areas, today)


def is_fingertips_export(filename: str) -> bool:
    """True for a Fingertips export read as published (see :data:`FINGERTIPS_EXPORTS`)."""
    return (fnmatch.fnmatch(filename, FINGERTIPS_EXPORTS)
            and filename not in _twins(FINGERTIPS.filename)
            and not filename.startswith("fingertips_tidy"))


def _check_export(path: Path) -> list[Problem]:
    """The problems of a Fingertips export, from the tolerant reader of national downloads."""
    from jsnalib.inputs.national.fingertips import read_fingertips as read_export

    try:
        read_export(path)
    except DataError as exc:
        return exc.problems
    return []


def imported_contracts() -> dict[str, Contract]:
    """The optional tidy files ``jsna import`` may also write, by file-name pattern.

    Not required in data/ (a page without them says what is missing) but validated when
    present: ``births_deaths_cohort.csv`` and ``births_deaths_imd_decile.csv`` (ONS child
    mortality death-cohort workbooks, Tables 3 and 21), ``fingertips_tidy_<ids>.csv`` (any
    Fingertips export, tidied) and ``ncmp_published.csv`` (Fingertips NCMP prevalence values by
    district and unitary authority; its area codes are any GSS codes, as it covers all of
    England).
    """
    from jsnalib.inputs.national import FINGERTIPS_TIDY

    return {BIRTHS_DEATHS_COHORT.filename: BIRTHS_DEATHS_COHORT,
            BIRTHS_DEATHS_IMD_DECILE.filename: BIRTHS_DEATHS_IMD_DECILE,
            "fingertips_tidy*.csv": FINGERTIPS_TIDY, NCMP_PUBLISHED.filename: NCMP_PUBLISHED}


def _imported_contract(filename: str) -> Contract | None:
    for pattern, contract in imported_contracts().items():
        if any(fnmatch.fnmatch(filename, p) for p in _twins(pattern)):
            return contract
    return None


def contract_for(filename: str) -> Contract | None:
    """The contract a file name in data/ belongs to (None if it is not an input file)."""
    imported = _imported_contract(filename)
    if imported is not None:
        return imported
    for contract in CONTRACTS.values():
        if filename in _twins(contract.filename):
            return contract
    for contract in CONTRACTS.values():
        if contract.also_matches and any(fnmatch.fnmatch(filename, p) for p in
                                         _twins(contract.also_matches)):
            return contract
    return None


def validate_dir(data_dir: str | Path, today: date | None = None) -> list[Problem]:
    """Check every input file in ``data_dir`` against its contract; return all problems.

    Reports missing required files (every contract's default file but the optional
    record-level extracts, ``Contract.optional``: :func:`record_notes` says what their absence
    means), unknown data-looking files (with a did-you-mean), a file present both as .csv and
    .csv.gz, and every problem inside each file. An empty list means the folder is ready for
    ``make book``. Writes nothing.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return [_file_problem(str(data_dir), "is not a folder", "a folder of input files")]
    names = sorted(p.name for p in data_dir.iterdir() if p.is_file())
    problems: list[Problem] = []
    claimed: dict[str, list[str]] = {name: [] for name in CONTRACTS}
    unknown = []
    optional: list[tuple[Contract, str]] = []
    exports = [name for name in names if is_fingertips_export(name)]
    polarity = [name for name in names if name == POLARITY_FILE]
    framework = [name for name in names if name == OUTCOMES_FRAMEWORK.filename]
    for name in names:
        contract = contract_for(name)
        if name in exports or name in polarity or name in framework:
            continue
        if contract is not None and _imported_contract(name) is not None:
            optional.append((contract, name))
        elif contract is not None:
            claimed[contract.name].append(name)
        elif not name.startswith(".") and Path(name).suffix.lower() in _TABULAR_SUFFIXES:
            unknown.append(name)
    expected_names = [c.filename for c in CONTRACTS.values()]
    for name in unknown:
        guess = difflib.get_close_matches(name, [t for c in expected_names for t in _twins(c)],
                                          n=1, cutoff=0.6)
        hint = f" (is it {guess[0]} misspelt?)" if guess else ""
        problems.append(_file_problem(name, "is not one of the input files the book reads" + hint,
                                      "one of " + ", ".join(expected_names)))
    for contract in CONTRACTS.values():
        present = claimed[contract.name]
        twins = [n for n in present if n in _twins(contract.filename)]
        if not twins and not contract.optional:
            problems.append(_file_problem(
                contract.filename, f"is missing ({contract.title})",
                f"{contract.filename} (or {_other_twin(contract.filename)}); see data/README.md"))
        elif len(twins) > 1:
            problems.append(_file_problem(
                twins[0], f"is present twice, as {' and '.join(twins)}",
                "only one of the two: delete the out-of-date one"))
    geography = None
    try:
        areas = read_areas(data_dir / claimed["areas"][0]) if claimed["areas"] else None
        if areas is not None and claimed["neighbours"]:
            neighbours = read_neighbours(data_dir / claimed["neighbours"][0],
                                         areas=Geography(areas))
            geography = Geography(areas, neighbours)
    except DataError as exc:
        problems += exc.problems
    checks = [(c, n) for c in CONTRACTS.values() if c.name not in ("areas", "neighbours")
              for n in claimed[c.name]]
    for contract, name in [*checks, *optional]:
        try:
            _read(contract, data_dir / name, geography, today,
                  check_areas=geography is not None)
        except DataError as exc:
            problems += exc.problems
    for name in exports:
        problems += _check_export(data_dir / name)
    for name in polarity:
        try:
            read_indicator_polarity(data_dir / name)
        except DataError as exc:
            problems += exc.problems
    for name in framework:
        try:
            _read(OUTCOMES_FRAMEWORK, data_dir / name, geography, today,
                  check_areas=geography is not None)
        except DataError as exc:
            problems += exc.problems
    return problems


def load_geography(data_dir: str | Path) -> Geography:
    """Read and validate ``areas.csv`` and ``neighbours.csv`` from ``data_dir``.

    Raises :class:`DataError` naming file, row and column if either is malformed.
    """
    data_dir = Path(data_dir)
    areas = read_areas(find_file(data_dir, AREAS_FILE))
    neighbours = read_neighbours(find_file(data_dir, NEIGHBOURS_FILE), areas=Geography(areas))
    return Geography(areas, neighbours)


# --------------------------------------------------------------------------------------------
# the optional record-level extracts
# --------------------------------------------------------------------------------------------
#: The record-level extracts, which data/ may lack: the contracts with ``optional`` set.
RECORD_CONTRACTS: tuple[Contract, ...] = tuple(c for c in CONTRACTS.values() if c.optional)
_DTYPES = {"date": "datetime64[ns]", "int": "int64", "float": "float64", "year": "int64"}


def empty_records(contract: Contract) -> pd.DataFrame:
    """A frame with the columns and dtypes the contract's reader returns, and no rows (what a
    page reads when the extract is absent)."""
    columns = {}
    for col in contract.columns:
        if col.kind == "category":
            columns[col.name] = pd.Categorical([], categories=list(col.allowed))
        else:
            columns[col.name] = pd.Series([], dtype=_DTYPES.get(col.kind, "str"))
    return pd.DataFrame(columns)


def jsna_scope(contract: Contract, geography: Geography) -> list[str]:
    """The area codes whose rows of a record-level file the book uses: the home authorities
    (area scope "authority") or the JSNA's lowest-tier areas ("local"). Rows of other areas
    pass validation (an extract may cover more) but no page reads them."""
    scopes = {c.area for c in contract.columns if c.area in _TIERS}
    if scopes == {"authority"}:
        return geography.home_authorities()
    if scopes == {"local"}:
        return geography.lowest_tier()
    raise ValueError(f"{contract.name} is not a record-level contract with one area column")


def read_records(data_dir: str | Path, contract: Contract, geography: Geography,
                 today: date | None = None) -> pd.DataFrame:
    """The rows of an optional record-level extract that belong to the JSNA's areas.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    contract : Contract
        One of :data:`RECORD_CONTRACTS` (referrals, NCMP).
    geography : Geography
        The area lookups.
    today : date, optional
        For the checks of dates in the future.

    Returns
    -------
    pandas.DataFrame
        As the contract's reader returns it, keeping only the rows of :func:`jsna_scope`; no
        rows (with the same columns, :func:`empty_records`) when the file is absent. A present
        but malformed file raises :class:`DataError` as ever.
    """
    if not contract.optional:
        raise ValueError(f"{contract.filename} is not an optional record-level extract")
    try:
        path = find_file(data_dir, contract.filename)
    except DataError:
        return empty_records(contract)
    frame = READERS[contract.name](path, geography, today=today)
    area = next(c.name for c in contract.columns if c.area in _TIERS)
    keep = frame[area].isin(jsna_scope(contract, geography)).to_numpy()
    out = frame.loc[keep].reset_index(drop=True)
    out.attrs = frame.attrs
    return out


def record_notes(data_dir: str | Path) -> list[str]:
    """What the record-level extracts in ``data_dir`` cover, for ``jsna validate`` to print:
    one line per extract that is absent, lacks a home authority, or has rows of areas outside
    the JSNA (read without error, never shown). Assumes the folder passed :func:`validate_dir`.
    """
    folder = Path(data_dir)
    geography = load_geography(folder)
    homes = geography.home_authorities()
    notes = []
    for contract in RECORD_CONTRACTS:
        readme = (f"columns {', '.join(contract.names)}; see data/README.md")
        try:
            path = find_file(folder, contract.filename)
        except DataError:
            notes.append(f"{contract.filename} ({contract.title}) is absent: in place of the "
                         f"figures from it, the pages say what is missing (to add it: {readme})")
            continue
        # the folder passed validation: the area column alone, as the parser reads it
        area = next(c.name for c in contract.columns if c.area in _TIERS)
        text, _ = _decode(path.read_bytes(), path.name)
        column = pd.read_csv(io.StringIO(text), usecols=lambda name, area=area: name.strip() == area,
                             dtype=str, keep_default_na=False).iloc[:, 0].str.strip()
        codes = set(column.unique())
        scope = set(jsna_scope(contract, geography))
        used = codes & scope
        covered = {geography.upper_tier(c) for c in used}
        lacking = [c for c in homes if c not in covered]
        if lacking:
            notes.append(f"{path.name} has no rows for "
                         + ", ".join(f"{c} ({geography.name(c)})" for c in lacking)
                         + ": in place of the figures from it, the pages say what is missing")
        others = sorted(codes - scope)
        if others:
            shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5
                                             else "")
            rows = int((~column.isin(list(scope))).sum())
            notes.append(f"{path.name}: {rows:,} rows are for areas outside this JSNA ({shown}); "
                         "they passed the checks and no page uses them")
    return notes
