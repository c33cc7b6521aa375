"""NOMIS downloads of ONS live births and deaths registered (xlsx or CSV).

Births (6 columns): ``DATE, GEOGRAPHY_NAME, GEOGRAPHY_CODE, MEASURE_NAME, MEASURES_NAME,
OBS_VALUE``. Deaths (24 columns) add cause, gender and age dimensions; the infant deaths are
the rows with ``AGE_NAME`` "Aged under 1". Either file alone gives half of ``births_deaths``;
:func:`jsnalib.inputs.national.import_files` joins the two on area_code and year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import BIRTHS_DEATHS
from jsnalib.inputs.readers import Problem

from ._common import (
    NationalTable,
    Source,
    cell_text,
    check,
    counts,
    csv_records,
    duplicate_keys,
    fail,
    frame_from_records,
    is_gss,
    problem,
    sheet_names,
    sheet_rows,
    typed,
)

BIRTHS_HEADER = ("DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "MEASURE_NAME", "MEASURES_NAME",
                 "OBS_VALUE")
DEATHS_REQUIRED = ("DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "AGE_NAME", "MEASURE_NAME",
                   "MEASURES_NAME", "OBS_VALUE")
UNDER_ONE = "Aged under 1"
BASIS = "deaths registered in the calendar year; live births registered in the year"
_ONS = "Office for National Statistics (via NOMIS)"


def header_row(rows: list[tuple]) -> int | None:
    """Index of the NOMIS header row (the one naming GEOGRAPHY_CODE and OBS_VALUE)."""
    for i, row in enumerate(rows[:30]):
        cells = [cell_text(v) for v in row]
        if "GEOGRAPHY_CODE" in cells and "OBS_VALUE" in cells:
            return i
    return None


def _table(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The NOMIS table as text, and the spreadsheet row of each record."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        names = sheet_names(path)
        raw = [tuple(cell_text(v) for v in r) for r in sheet_rows(path, names[0])]
    else:
        raw = [tuple(f.strip() for f in r) for r in csv_records(path)]
    h = header_row(raw)
    if h is None:
        raise fail(path.name, "has no NOMIS header row",
                   "a row naming " + ", ".join(BIRTHS_HEADER))
    header = [c for c in raw[h]]
    while header and header[-1] == "":
        header.pop()
    body, rows, problems = [], [], []
    for i, rec in enumerate(raw[h + 1:], start=h + 2):
        if not any(rec):
            continue
        rec = tuple(rec[:len(header)]) if not any(rec[len(header):]) else rec
        if len(rec) != len(header):
            problems.append(problem(path.name, i, None, None,
                                    f"{len(header)} fields as in the header",
                                    f"has {len(rec)} fields"))
            continue
        body.append(rec)
        rows.append(i)
    check(problems)
    return frame_from_records(header, body), np.asarray(rows, dtype=int)


def _read(path: str | Path, kind: str) -> NationalTable:
    path = Path(path)
    file = path.name
    df, rows = _table(path)
    need = BIRTHS_HEADER if kind == "births" else DEATHS_REQUIRED
    absent = [c for c in need if c not in df.columns]
    if absent:
        raise fail(file, "lacks the NOMIS column(s) " + ", ".join(absent),
                   "columns " + ", ".join(need), row=int(rows[0]) - 1 if len(rows) else 1)
    problems: list[Problem] = []
    notes = []
    if kind == "deaths":
        keep = (df["AGE_NAME"] == UNDER_ONE).to_numpy()
        if not keep.any():
            raise fail(file, f"has no rows with AGE_NAME {UNDER_ONE!r}",
                       f"NOMIS deaths with the age band {UNDER_ONE!r}", column="AGE_NAME")
        ages = sorted(set(df.loc[~keep, "AGE_NAME"]))
        if ages:
            notes.append(f"rows for other ages left out ({', '.join(ages)})")
        df, rows = df[keep], rows[keep]
        measure, column = "Deaths", "infant_deaths"
    else:
        measure, column = "Live births", "live_births"
    wrong = (df["MEASURE_NAME"] != measure).to_numpy()
    for i in np.flatnonzero(wrong)[:200]:
        problems.append(problem(file, int(rows[i]), "MEASURE_NAME", df["MEASURE_NAME"].iat[i],
                                repr(measure), "is not the measure this layout holds"))
    wrong = (df["MEASURES_NAME"] != "Value").to_numpy()
    for i in np.flatnonzero(wrong)[:200]:
        problems.append(problem(file, int(rows[i]), "MEASURES_NAME",
                                df["MEASURES_NAME"].iat[i], "'Value' (counts, not percentages)",
                                "is not a count"))
    code = df["GEOGRAPHY_CODE"]
    for i in np.flatnonzero(~code.map(is_gss).to_numpy(bool))[:200]:
        problems.append(problem(file, int(rows[i]), "GEOGRAPHY_CODE", code.iat[i] or None,
                                "an ONS GSS area code (a capital letter then 8 digits)"))
    year = df["DATE"]
    year_ok = year.str.fullmatch(r"\d{4}").to_numpy(bool)
    for i in np.flatnonzero(~year_ok)[:200]:
        problems.append(problem(file, int(rows[i]), "DATE", year.iat[i] or None,
                                "a calendar year such as 2019"))
    values, missing = counts(df["OBS_VALUE"], file=file, column="OBS_VALUE", rows=rows,
                             area=code, period=year, out_column=column, problems=problems)
    check(problems)
    tidy = pd.DataFrame({"area_code": code.to_numpy(), "year": year.astype(int).to_numpy(),
                         "live_births": pd.NA, "infant_deaths": pd.NA})
    tidy[column] = values.to_numpy()
    duplicate_keys(tidy, ["area_code", "year"], rows, file, "GEOGRAPHY_CODE", problems)
    if problems:
        problems.append(problem(file, None, None, None,
                                "one row per area and year (download a single sex, cause and "
                                "age band: all persons, all causes)",
                                "has more than one row for an area and year"))
    check(problems)
    years = sorted(set(tidy["year"]))
    title = ("Live births by area of usual residence" if kind == "births"
             else "Deaths registered by area of usual residence: aged under 1")
    source = Source(publisher=_ONS, title=title,
                    release=f"{years[0]} to {years[-1]} (calendar years)" if years else "",
                    file=file, basis=BASIS, notes=tuple(notes))
    return NationalTable("births_deaths", typed(tidy, BIRTHS_DEATHS), missing, source,
                         f"nomis_{kind}", ("area_code", "year", column))


def read_births(path: str | Path) -> NationalTable:
    """Read a NOMIS live-births download (6 columns; xlsx or CSV).

    Returns
    -------
    NationalTable
        Contract ``births_deaths`` with live_births (count of live births registered in the
        calendar year) filled and infant_deaths <NA> (``columns_present`` says so).
    """
    return _read(path, "births")


def read_deaths(path: str | Path) -> NationalTable:
    """Read a NOMIS deaths download (24 columns) and keep AGE_NAME "Aged under 1".

    Returns
    -------
    NationalTable
        Contract ``births_deaths`` with infant_deaths (deaths under 1 year registered in the
        calendar year) filled and live_births <NA>.
    """
    return _read(path, "deaths")
