"""Fingertips (OHID) CSV exports, any indicator and area type, old or new layout, made tidy.

The export (website "Export" or API ``all_data/csv/by_indicator_id``) has 26 or 27 columns:
Indicator ID ... Compared to goal[, Time period range]. The 23rd column's name says what the
parent comparison is ("Compared to percentiles", "Compared to Region value or percentiles",
"Compared to Regions (statistical) value or percentiles", "Column not used"). Quirks handled:

* older exports (c. 2018) with 26 header names but 25 fields per row: the missing field is
  the last one (its column reads as blank), and Indicator Names holding a newline (kept);
* England listed twice per indicator, sex, age, category and period (once with a blank
  Parent Code, once with E92000001): the duplicate is dropped when its values agree and is an
  error when they disagree;
* fractional counts (e.g. 4018.33, from pooled or modelled data) stay float;
* periods 2019, 2019/20, 2017 - 19, 2019/20 - 23/24 (combined years), with ISO start and end
  dates where the kind of year is known.

A file re-saved by R (``Indicator.ID`` style names, a leading row-number column) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import Column, Contract
from jsnalib.inputs.readers import Problem

from ._common import (
    MARKERS,
    NationalTable,
    Source,
    check,
    csv_records,
    fail,
    frame_from_records,
    problem,
    typed,
)

HEADER = ("Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code",
          "Area Name", "Area Type", "Sex", "Age", "Category Type", "Category", "Time period",
          "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
          "Upper CI 99.8 limit", "Count", "Denominator", "Value note", "Recent Trend",
          "Compared to England value or percentiles", "Compared to percentiles",
          "Time period Sortable", "New data", "Compared to goal", "Time period range")
#: Position of the parent-comparison column, whose name varies by export.
PARENT_COMPARISON = 22
_OLD_LAST = "Compared to goal"

PERIOD_KINDS = ("calendar", "financial", "academic", "year_span", "other")

_NUMERIC = {"Value": "value", "Lower CI 95.0 limit": "lower_95",
            "Upper CI 95.0 limit": "upper_95", "Lower CI 99.8 limit": "lower_998",
            "Upper CI 99.8 limit": "upper_998", "Count": "count", "Denominator": "denominator"}

_S = dict(nullable=True)
_F = dict(kind="float", nullable=True, suppressible=True, note_column="value_note")

#: The tidy contract of a Fingertips export (not the as-published contract in data/).
FINGERTIPS_TIDY = Contract(
    name="fingertips", filename="fingertips_tidy.csv",
    title="Fingertips export, tidy", level="aggregate",
    columns=(
        Column("indicator_id", "int", "Fingertips indicator number", key=True, minimum=1),
        Column("indicator_name", "str", "Indicator title as published (may hold a newline)"),
        Column("area_code", "str", "Area code (GSS for local authorities)", key=True),
        Column("area_name", "str", "Area name"),
        Column("area_type", "str", "country, region, county, unitary, metropolitan or "
               "district from the GSS code; else Fingertips' Area Type label"),
        Column("parent_code", "str", "Parent area code (blank for England)", **_S),
        Column("sex", "str", "Persons, Male or Female", key=True),
        Column("age", "str", "Age band as published, e.g. 4-5 yrs", key=True),
        Column("category_type", "str", "Breakdown type (blank: whole population)", key=True,
               **_S),
        Column("category", "str", "Breakdown category", key=True, **_S),
        Column("period", "str", "Time period as published, e.g. 2019/20 - 23/24", key=True),
        Column("period_start", "date", "First day of the period", nullable=True),
        Column("period_end", "date", "Last day of the period", nullable=True),
        Column("period_kind", "category", "Kind of year: calendar (Jan-Dec), financial "
               "(Apr-Mar), academic (Sep-Aug), year_span (a 2019/20-style span whose kind the "
               "file does not say: no dates) or other (unparsed: no dates)",
               allowed=PERIOD_KINDS),
        Column("value", description="Indicator value", units="indicator units", **_F),
        Column("lower_95", description="Lower 95% confidence limit", **_F),
        Column("upper_95", description="Upper 95% confidence limit", **_F),
        Column("lower_998", description="Lower 99.8% confidence limit", **_F),
        Column("upper_998", description="Upper 99.8% confidence limit", **_F),
        Column("count", description="Numerator (may be fractional)", units="count", **_F),
        Column("denominator", description="Denominator", units="count", **_F),
        Column("value_note", "str", "Fingertips' note on the value", **_S),
        Column("recent_trend", "str", "Fingertips' recent-trend judgement", **_S),
        Column("compared_to_england", "str", "Fingertips' comparison with England", **_S),
        Column("compared_to_region", "str", "Fingertips' comparison with the parent area "
               "(the export's 23rd column, whatever its title)", **_S),
    ),
    provenance="OHID Fingertips CSV download (all_data/csv/by_indicator_id or website export)",
)

_ACADEMIC = re.compile(r"academic year|school year|reception|year 6|pupils|\bschool",
                       re.IGNORECASE)
_FINANCIAL = re.compile(r"financial year", re.IGNORECASE)
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")


def is_fingertips_header(header: list[str]) -> bool:
    """True for a Fingertips export's header (first five names as published)."""
    return tuple(h.strip() for h in header[:5]) == HEADER[:5]


def resaved_by_r(header: list[str]) -> bool:
    """True for a Fingertips export re-saved by R (dotted names or a row-number column)."""
    h = [c.strip() for c in header]
    dotted = any(c in ("Indicator.ID", "Indicator.Name", "Area.Code") for c in h)
    rownum = len(h) > 1 and h[0] in ("", "X", "...1") and h[1] in ("Indicator ID",
                                                                    "Indicator.ID")
    return dotted or rownum


def expected_header() -> str:
    """The header this reader expects, for messages."""
    return (", ".join(HEADER[:PARENT_COMPARISON]) + ", Compared to <parent> value or "
            "percentiles, " + ", ".join(HEADER[PARENT_COMPARISON + 1:-1])
            + "[, Time period range]")


def refuse_resaved(file: str) -> Exception:
    """The DataError for a file re-saved by R."""
    return fail(file, "looks re-saved by R (dotted column names such as Indicator.ID or a "
                      "leading row-number column), not the export as Fingertips wrote it",
                "the export as downloaded, header: " + expected_header(), row=1)


# --------------------------------------------------------------------------------------------
# periods
# --------------------------------------------------------------------------------------------
def _full_year(first: int, two: int) -> int:
    """The four-digit year ending in ``two`` that follows (or equals) ``first``."""
    y = first - first % 100 + two
    return y + 100 if y < first else y


_START_MONTH = {"calendar": (1, 1), "financial": (4, 1), "academic": (9, 1)}
_END_MONTH = {"calendar": (12, 31), "financial": (3, 31), "academic": (8, 31)}


def parse_period(period: str, kind: str) -> tuple[str, pd.Timestamp | None, pd.Timestamp | None]:
    """Kind of year, first and last day of a Fingertips time period.

    Parameters
    ----------
    period : str
        As published: "2019", "2019/20", "2017 - 19", "2019/20 - 23/24".
    kind : str
        The kind of year a "2019/20" style period is in this indicator ("financial",
        "academic" or "year_span" when unknown).

    Returns
    -------
    (kind, start, end)
        ``kind`` is "calendar" for "2019" and "2017 - 19"; start and end are None for
        "year_span" and "other".
    """
    p = re.sub(r"\s+", " ", period.strip())
    m = re.fullmatch(r"(\d{4})(?: ?- ?(\d{2}|\d{4}))?", p)
    if m:
        y0 = int(m[1])
        y1 = y0 if m[2] is None else (int(m[2]) if len(m[2]) == 4 else _full_year(y0, int(m[2])))
        return "calendar", pd.Timestamp(y0, 1, 1), pd.Timestamp(y1, 12, 31)
    m = re.fullmatch(r"(\d{4})/(\d{2})(?: ?- ?(\d{2}|\d{4})/(\d{2}))?", p)
    if m:
        y0 = int(m[1])
        if _full_year(y0, int(m[2])) != y0 + 1:
            return "other", None, None
        if m[3] is None:
            y1 = y0
        else:
            y1 = int(m[3]) if len(m[3]) == 4 else _full_year(y0, int(m[3]))
        if kind not in ("financial", "academic"):
            return "year_span", None, None
        sm, sd = _START_MONTH[kind]
        em, ed = _END_MONTH[kind]
        return kind, pd.Timestamp(y0, sm, sd), pd.Timestamp(y1 + 1, em, ed)
    return "other", None, None


def indicator_kind(name: str) -> str:
    """The kind of a "2019/20" year an indicator's name implies, else "year_span"."""
    if _FINANCIAL.search(name):
        return "financial"
    if _ACADEMIC.search(name):
        return "academic"
    return "year_span"


# --------------------------------------------------------------------------------------------
# area types
# --------------------------------------------------------------------------------------------
_PREFIX_TYPE = {"E92": "country", "E12": "region", "E10": "county", "E06": "unitary",
                "E08": "metropolitan", "E09": "metropolitan", "E07": "district"}


def area_type(code: str, label: str) -> str:
    """The areas-lookup tier of a GSS code, else Fingertips' own Area Type label."""
    return _PREFIX_TYPE.get(code[:3], label) if re.fullmatch(r"E\d{8}", code) else label


# --------------------------------------------------------------------------------------------
# the reader
# --------------------------------------------------------------------------------------------
def _records(path: Path) -> tuple[list[str], list[list[str]], np.ndarray, list[str]]:
    file = path.name
    records = csv_records(path)
    if not records:
        raise fail(file, "is empty", "a Fingertips export, header: " + expected_header())
    header = [h.strip() for h in records[0]]
    if resaved_by_r(header):
        raise refuse_resaved(file)
    if not is_fingertips_header(header):
        raise fail(file, "is not a Fingertips export",
                   "the header " + expected_header(), row=1,
                   value=", ".join(header[:6]))
    n = len(header)
    wanted = list(HEADER[:n]) if n in (26, 27) else []
    if n not in (26, 27) or any(h != w for i, (h, w) in enumerate(zip(header, wanted,
                                                                     strict=True))
                                if i != PARENT_COMPARISON):
        raise fail(file, f"has an unexpected header ({n} columns)",
                   "the header " + expected_header(), row=1, value=", ".join(header))
    notes = []
    body, rows = [], []
    short = 0
    problems: list[Problem] = []
    for i, rec in enumerate(records[1:], start=2):
        if not any(f.strip() for f in rec):
            continue
        if len(rec) == n - 1:
            rec = [*rec, ""]
            short += 1
        if len(rec) != n:
            problems.append(problem(file, i, None, None, f"{n} fields as in the header "
                                    f"(or {n - 1} in older exports)", f"has {len(rec)} fields"))
            continue
        body.append(rec)
        rows.append(i)
    check(problems)
    if short:
        if short != len(body):
            raise fail(file, f"mixes rows of {n} and {n - 1} fields",
                       f"every row with {n} fields, or every row with {n - 1} (older exports)")
        notes.append(f"older export: {n} header names but {n - 1} fields per row; the last "
                     f"column ({header[-1]}) read as blank")
    return header, body, np.asarray(rows, dtype=int), notes


def read_fingertips(path: str | Path,
                    period_kind: str | Mapping[int, str] | None = None) -> NationalTable:
    """Read a Fingertips CSV export (any indicator and area type) into a tidy table.

    Parameters
    ----------
    path : str or Path
        The export as downloaded.
    period_kind : str or mapping, optional
        "financial" or "academic": what "2019/20" periods are, for every indicator or per
        indicator ID. Default: from each indicator's name (Reception, Year 6, pupils, school
        or academic year -> academic; financial year -> financial), else "year_span" with
        no dates.

    Returns
    -------
    NationalTable
        Contract ``fingertips`` (:data:`FINGERTIPS_TIDY`): one row per indicator, area, sex,
        age, category and period; values in the indicator's units, counts and denominators
        as published (float: fractional counts stay fractional).
    """
    path = Path(path)
    file = path.name
    header, body, rows, notes = _records(path)
    df = frame_from_records(header, body)
    df.columns = [*HEADER[:PARENT_COMPARISON], "parent_comparison",
                  *HEADER[PARENT_COMPARISON + 1:len(header)]]
    problems: list[Problem] = []
    ids = df["Indicator ID"]
    id_ok = ids.str.fullmatch(r"\d+").to_numpy(bool)
    for i in np.flatnonzero(~id_ok)[:200]:
        problems.append(problem(file, int(rows[i]), "Indicator ID", ids.iat[i] or None,
                                "a Fingertips indicator number such as 90319"))
    for col in ("Area Code", "Time period", "Sex", "Age", "Indicator Name"):
        blank = (df[col] == "").to_numpy()
        for i in np.flatnonzero(blank)[:200]:
            problems.append(problem(file, int(rows[i]), col, None, f"a {col}", "is blank"))
    numbers: dict[str, pd.Series] = {}
    miss = []
    for col, out in _NUMERIC.items():
        text = df[col]
        marker = text.isin(list(MARKERS)).to_numpy()
        num = text.str.fullmatch(_NUMBER).fillna(False).to_numpy(bool)
        blank = (text == "").to_numpy()
        bad = ~marker & ~num & ~blank
        for i in np.flatnonzero(bad)[:200]:
            problems.append(problem(file, int(rows[i]), col, text.iat[i],
                                    "a number, blank, or a marker (" + ", ".join(MARKERS) + ")"))
        numbers[out] = pd.to_numeric(text.where(num), errors="coerce").astype("float64")
        if marker.any():
            miss.append(pd.DataFrame({"area_code": df["Area Code"][marker].to_numpy(),
                                      "period": df["Time period"][marker].to_numpy(),
                                      "column": out, "marker": text[marker].to_numpy(),
                                      "reason": text[marker].map(MARKERS).to_numpy()}))
        if out == "value" and blank.any():
            note = df["Value note"][blank]
            miss.append(pd.DataFrame({
                "area_code": df["Area Code"][blank].to_numpy(),
                "period": df["Time period"][blank].to_numpy(), "column": out, "marker": "",
                "reason": np.where(note != "", "blank; value note: " + note,
                                   "blank: no value published")}))
    for out in ("count", "denominator"):
        neg = (numbers[out] < 0).fillna(False).to_numpy(bool)
        src = [k for k, v in _NUMERIC.items() if v == out][0]
        for i in np.flatnonzero(neg)[:200]:
            problems.append(problem(file, int(rows[i]), src, df[src].iat[i], "a number >= 0"))
    check(problems)

    # periods
    kinds = pd.Series("year_span", index=df.index, dtype="str")
    names = df.groupby("Indicator ID")["Indicator Name"].first()
    per_id = {k: indicator_kind(v) for k, v in names.items()}
    if isinstance(period_kind, str):
        per_id = dict.fromkeys(per_id, period_kind)
    elif period_kind is not None:
        per_id.update({str(k): v for k, v in period_kind.items()})
    for k in set(per_id.values()) - {"financial", "academic", "year_span"}:
        raise ValueError(f"period_kind {k!r}: expected 'financial' or 'academic'")
    kinds = df["Indicator ID"].map(per_id)
    parsed = {}
    for key in set(zip(df["Time period"], kinds, strict=True)):
        parsed[key] = parse_period(*key)
    triples = [parsed[k] for k in zip(df["Time period"], kinds, strict=True)]
    pkind = [t[0] for t in triples]
    other = sorted({p for p, t in zip(df["Time period"], triples, strict=True)
                    if t[0] == "other"})
    if other:
        notes.append("periods not parsed (no dates): " + ", ".join(other[:10]))
    spans = sorted({p for p, t in zip(df["Time period"], triples, strict=True)
                    if t[0] == "year_span"})
    if spans:
        notes.append("periods such as " + spans[0] + " are year spans whose kind (financial "
                     "or academic) the file does not say: no dates given; pass period_kind")

    def blank_none(s: pd.Series) -> pd.Series:
        return s.where(s != "")

    tidy = pd.DataFrame({
        "indicator_id": ids.astype(int).to_numpy(),
        "indicator_name": df["Indicator Name"].to_numpy(),
        "area_code": df["Area Code"].to_numpy(),
        "area_name": df["Area Name"].to_numpy(),
        "area_type": [area_type(c, t) for c, t in zip(df["Area Code"], df["Area Type"],
                                                      strict=True)],
        "parent_code": blank_none(df["Parent Code"]).to_numpy(),
        "sex": df["Sex"].to_numpy(), "age": df["Age"].to_numpy(),
        "category_type": blank_none(df["Category Type"]).to_numpy(),
        "category": blank_none(df["Category"]).to_numpy(),
        "period": df["Time period"].to_numpy(),
        "period_start": pd.to_datetime([t[1] for t in triples]),
        "period_end": pd.to_datetime([t[2] for t in triples]),
        "period_kind": pkind,
        **{k: v.to_numpy() for k, v in numbers.items()},
        "value_note": blank_none(df["Value note"]).to_numpy(),
        "recent_trend": blank_none(df["Recent Trend"]).to_numpy(),
        "compared_to_england": blank_none(
            df["Compared to England value or percentiles"]).to_numpy(),
        "compared_to_region": blank_none(df["parent_comparison"]).to_numpy(),
    })
    tidy, dropped = _dedupe(tidy, rows, file)
    if dropped:
        notes.append(f"{dropped} repeated rows dropped (England listed once with a blank "
                     "Parent Code and once with E92000001; values agree)")
    ind = sorted(set(tidy["indicator_id"]))
    periods = sorted(set(tidy["period"]))
    source = Source(publisher="Office for Health Improvement and Disparities (Fingertips)",
                    title="Public health profiles: indicator(s) " + ", ".join(map(str, ind)),
                    release=(f"periods {periods[0]} to {periods[-1]}" if periods else ""),
                    file=file, notes=tuple(notes))
    missing = (pd.concat(miss, ignore_index=True).astype("str") if miss
               else pd.DataFrame(columns=["area_code", "period", "column", "marker",
                                          "reason"], dtype="str"))
    if len(missing):
        missing = missing.drop_duplicates(ignore_index=True)
    return NationalTable("fingertips", typed(tidy, FINGERTIPS_TIDY), missing, source,
                         "fingertips", tuple(FINGERTIPS_TIDY.names))


_KEY = ["indicator_id", "area_code", "sex", "age", "category_type", "category", "period"]
_VALUES = ["value", "lower_95", "upper_95", "lower_998", "upper_998", "count", "denominator"]


def _dedupe(tidy: pd.DataFrame, rows: np.ndarray, file: str) -> tuple[pd.DataFrame, int]:
    """Drop repeated rows whose values agree; report those that disagree."""
    key = tidy[_KEY].fillna("")
    dup = key.duplicated(keep=False).to_numpy()
    if not dup.any():
        return tidy, 0
    problems: list[Problem] = []
    sub = tidy[dup].copy()
    sub["_row"] = rows[dup]
    sub["_k"] = list(key[dup].itertuples(index=False, name=None))
    drop = []
    for _, g in sub.groupby("_k", sort=False):
        first = g.iloc[0]
        for j in range(1, len(g)):
            other = g.iloc[j]
            differ = [c for c in _VALUES
                      if not (pd.isna(first[c]) and pd.isna(other[c]))
                      and not (np.isclose(first[c], other[c], rtol=1e-9, atol=0)
                               if pd.notna(first[c]) and pd.notna(other[c]) else False)]
            if differ:
                c = differ[0]
                problems.append(problem(
                    file, int(other["_row"]), c, other[c],
                    f"the same {c} as row {int(first['_row'])} ({first[c]}), which repeats "
                    "this area, sex, age, category and period",
                    f"disagrees with row {int(first['_row'])}"))
            else:
                drop.append(other.name)
    check(problems)
    # England: keep the row with a blank Parent Code, as Fingertips lists the country
    out = tidy.drop(index=drop)
    out.loc[out["area_code"] == "E92000001", "parent_code"] = np.nan
    return out.reset_index(drop=True), len(drop)
