"""NCMP prevalence values as Fingertips publishes them for every district and unitary authority.

The layout is a long CSV of Fingertips values without counts (as kept by Trafford Data Lab,
``trafford_fingertips_derived_obese_reception.csv`` and ``..._year6.csv``)::

    area_code,area_name,area_type,period,indicator,measure,unit,value,compared_to_England,inequality

one file per school year, every district, unitary authority (metropolitan districts and London
boroughs are "UA" there), a few counties and England, 2014/15 onwards. Read into the tidy
contract :data:`jsnalib.inputs.contracts.NCMP_PUBLISHED` (``ncmp_published.csv``): area_code,
school_year, academic_year, measure, value (percent), source.

Left out, and said so in the table's notes: combined periods (``2020/21 - 24/25``), rows by
deprivation quintile, electoral wards, sexes other than Persons, and rows whose value is ``NA``
(not published: e.g. 2020/21, when too few children were measured). Anything else that does not
fit is an error naming file, row, column and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import NCMP_PUBLISHED
from jsnalib.inputs.readers import Problem

from ._common import (
    NationalTable,
    Source,
    check,
    csv_records,
    duplicate_keys,
    fail,
    frame_from_records,
    is_gss,
    problem,
    typed,
)

HEADER = ("area_code", "area_name", "area_type", "period", "indicator", "measure", "unit",
          "value", "compared_to_England", "inequality")

#: Indicator names (before any ", 3 years data combined") -> (school year, measure).
_INDICATOR = re.compile(r"(?P<year>Reception|Year 6) prevalence of (?P<what>obesity \(including "
                        r"severe obesity\)|overweight \(including obesity\))(?P<rest>.*)\Z")
_MEASURE = {"obesity (including severe obesity)": "obese_incl_severe",
            "overweight (including obesity)": "overweight_incl_obese"}
_SINGLE = re.compile(r"(\d{4})/(\d{2})\Z")
_COMBINED = re.compile(r"\d{4}/\d{2} - \d{2}/\d{2}\Z")
_NUMBER = re.compile(r"\d+(\.\d+)?\Z")
_AREA_TYPES = ("Country", "Region", "County", "UA", "District")
_WARDS = re.compile(r"Electoral Wards", re.IGNORECASE)
_PUBLISHER = "Office for Health Improvement and Disparities (OHID), Fingertips"


def is_layout(header: list[str]) -> bool:
    """True for the header of this layout (exactly :data:`HEADER`)."""
    return tuple(h.strip() for h in header) == HEADER


def read_ncmp_published(path: str | Path) -> NationalTable:
    """Read a file of Fingertips NCMP prevalence values into ``ncmp_published``.

    Parameters
    ----------
    path : str or Path
        The CSV as kept (header :data:`HEADER`).

    Returns
    -------
    NationalTable
        Contract ``ncmp_published``: one row per area, school year, academic year and measure
        with the published prevalence (percent); the rows left out are counted in
        ``source.notes``.

    Raises
    ------
    DataError
        The header is not this layout, a row has the wrong number of fields, an indicator is
        not a Reception or Year 6 obesity/overweight prevalence, a period is neither
        ``YYYY/YY`` nor a combined period, a value is neither a number from 0 to 100 nor NA,
        an area code is not a GSS code, or an area, school year, year and measure repeat.
    """
    path = Path(path)
    file = path.name
    records = csv_records(path)
    if not records or not is_layout(records[0]):
        raise fail(file, "is not a file of Fingertips NCMP values",
                   "a CSV with the columns " + ", ".join(HEADER), row=1)
    problems: list[Problem] = []
    body, rows = [], []
    for i, rec in enumerate(records[1:], start=2):
        if not any(f.strip() for f in rec):
            continue
        if len(rec) != len(HEADER):
            problems.append(problem(file, i, None, None, f"{len(HEADER)} fields as in the header",
                                    f"has {len(rec)} fields"))
            continue
        body.append(rec)
        rows.append(i)
    check(problems)
    df = frame_from_records(HEADER, body)
    rows_arr = np.asarray(rows, dtype=int)
    left_out: dict[str, int] = {}

    def leave_out(mask: np.ndarray, why: str) -> None:
        if mask.any():
            left_out[why] = left_out.get(why, 0) + int(mask.sum())

    wards = df["area_type"].str.contains(_WARDS).to_numpy()
    leave_out(wards, "electoral wards")
    unknown_type = ~wards & ~df["area_type"].isin(_AREA_TYPES).to_numpy()
    for i in np.flatnonzero(unknown_type)[:50]:
        problems.append(problem(file, int(rows_arr[i]), "area_type", df["area_type"].iat[i],
                                "one of " + ", ".join(_AREA_TYPES) + " (or electoral wards)",
                                "is not an area type known"))
    match = df["indicator"].str.extract(_INDICATOR)
    bad_indicator = match["year"].isna().to_numpy()
    for i in np.flatnonzero(bad_indicator)[:50]:
        problems.append(problem(file, int(rows_arr[i]), "indicator", df["indicator"].iat[i],
                                "'Reception' or 'Year 6' 'prevalence of obesity (including "
                                "severe obesity)' or '... of overweight (including obesity)'",
                                "is not an NCMP prevalence indicator known"))
    single = df["period"].str.fullmatch(_SINGLE).to_numpy()
    combined = df["period"].str.fullmatch(_COMBINED).to_numpy()
    leave_out(~wards & combined, "combined periods")
    for i in np.flatnonzero(~single & ~combined)[:50]:
        problems.append(problem(file, int(rows_arr[i]), "period", df["period"].iat[i] or None,
                                "an academic year such as 2018/19, or a combined period such "
                                "as 2020/21 - 24/25", "is not a period known"))
    start = pd.to_numeric(df["period"].str[:4].where(single), errors="coerce")
    end = pd.to_numeric(df["period"].str[5:7].where(single), errors="coerce")
    not_next = single & ((start + 1) % 100 != end).fillna(True).to_numpy()
    for i in np.flatnonzero(not_next)[:50]:
        problems.append(problem(file, int(rows_arr[i]), "period", df["period"].iat[i],
                                "an academic year of two consecutive years, e.g. 2018/19",
                                "does not span consecutive years"))
    for i in np.flatnonzero((df["measure"] != "Percentage").to_numpy())[:50]:
        problems.append(problem(file, int(rows_arr[i]), "measure", df["measure"].iat[i] or None,
                                "Percentage", "is not a percentage"))
    by_quintile = (df["inequality"] != "NA").to_numpy()
    leave_out(~wards & single & by_quintile, "rows by deprivation quintile")
    other_sex = (df["unit"] != "Persons").to_numpy()
    leave_out(~wards & single & ~by_quintile & other_sex, "rows for one sex")
    value_text = df["value"]
    na = (value_text == "NA").to_numpy()
    number = value_text.str.fullmatch(_NUMBER).to_numpy()
    value = pd.to_numeric(value_text.where(number), errors="coerce")
    out_of_range = number & ~value.between(0, 100).to_numpy()
    for i in np.flatnonzero((~na & ~number) | out_of_range)[:50]:
        problems.append(problem(file, int(rows_arr[i]), "value", value_text.iat[i] or None,
                                "a percentage from 0 to 100, or NA (not published)",
                                "is not a percentage"))
    keep = ~wards & single & ~by_quintile & ~other_sex
    leave_out(keep & na, "values not published (NA)")
    keep &= ~na
    codes = df["area_code"]
    for i in np.flatnonzero(keep & ~codes.map(is_gss).to_numpy(bool))[:50]:
        problems.append(problem(file, int(rows_arr[i]), "area_code", codes.iat[i] or None,
                                "an ONS GSS area code (a capital letter then 8 digits)",
                                "is not an ONS area code"))
    check(problems)
    sub = df[keep]
    found = match[keep]
    tidy = pd.DataFrame({
        "area_code": sub["area_code"].to_numpy(),
        "school_year": np.where(found["year"] == "Reception", "R", "6"),
        "academic_year": sub["period"].to_numpy(),
        "measure": found["what"].map(_MEASURE).to_numpy(),
        "value": value[keep].to_numpy(dtype=float),
        "source": ("OHID Fingertips: " + found["year"] + " prevalence of " + found["what"]
                   ).to_numpy(),
    })
    duplicate_keys(tidy, NCMP_PUBLISHED.key, rows_arr[keep], file, "area_code", problems)
    check(problems)
    tidy = tidy.sort_values(NCMP_PUBLISHED.key, kind="stable")
    years = sorted(set(tidy["academic_year"]))
    notes = tuple(f"{n:,} {why} left out" for why, n in left_out.items())
    source = Source(
        publisher=_PUBLISHER,
        title="National Child Measurement Programme: prevalence of obesity (including severe "
              "obesity), values by district and unitary authority",
        release=f"{years[0]} to {years[-1]}" if years else "", file=file, notes=notes)
    return NationalTable("ncmp_published", typed(tidy, NCMP_PUBLISHED),
                         pd.DataFrame(columns=["area_code", "period", "column", "marker",
                                               "reason"], dtype="str"),
                         source, "fingertips_ncmp_values", tuple(NCMP_PUBLISHED.names))
