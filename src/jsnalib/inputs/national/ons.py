"""ONS *Child mortality in England and Wales* death-cohort workbooks (``cim<year>...xlsx``).

Table 3 (sheet ``3`` from 2021, ``Table_3`` in 2020): live births, stillbirths and infant
deaths for every area of usual residence, including districts, for one year, below a block
of title and note rows. Table 21 (``21``/``Table_21``): England's live births and infant deaths
by IMD decile, 2010 to the workbook's year. Rates carry markers (``u``, ``[u]``, ``[x]``,
``:``, ``z``, ``[z]``); counts normally do not, but a marker there reads as missing.

The death cohort counts infant deaths that *occurred* in the year (live births that occurred
in the year as the denominator), not deaths registered in it: they differ a little from the
NOMIS registrations (Stoke-on-Trent 2020: 16 against 14).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import BIRTHS_DEATHS_COHORT, BIRTHS_DEATHS_IMD_DECILE, DEATH_COHORT
from jsnalib.inputs.readers import Problem

from ._common import (
    NationalTable,
    Source,
    cell_text,
    check,
    counts,
    duplicate_keys,
    fail,
    find_sheet,
    is_gss,
    problem,
    sheet_names,
    sheet_rows,
    typed,
)

BASIS = ("death cohort: infant deaths occurring in the calendar year (by year of occurrence, "
         "not registration), live births occurring in the year")
TITLE = "Child mortality in England and Wales (death cohort tables)"
_ONS = "Office for National Statistics"
AREA_HEADER = "Area of usual residence (code)"

#: England's tiers kept by default: country, regions, counties, unitary authorities,
#: metropolitan districts, London boroughs and non-metropolitan districts.
ENGLAND_PREFIXES = ("E92", "E12", "E10", "E06", "E08", "E09", "E07")
WALES_PREFIXES = ("W92", "W06")

def _sheet(path: Path, number: int) -> tuple[str, list[tuple]]:
    names = sheet_names(path)
    sheet = find_sheet(names, number)
    if sheet is None:
        raise fail(path.name, f"has no sheet {number}",
                   f"a sheet named '{number}' or 'Table_{number}' (sheets found: "
                   + ", ".join(repr(n) for n in names) + ")")
    return sheet, [tuple(cell_text(v) for v in r) for r in sheet_rows(path, sheet)]


def _header(rows: list[tuple], first: str, file: str, sheet: str) -> tuple[int, list[str]]:
    for i, row in enumerate(rows[:40]):
        if row and row[0] == first:
            header = [h.strip() for h in row]
            return i, header
    raise fail(file, f"sheet {sheet!r} has no header row starting {first!r}",
               f"a header row with {first!r} in column A (within the first 40 rows)")


def _col(header: list[str], name: str, file: str, sheet: str, row: int) -> int:
    if name not in header:
        raise fail(file, f"sheet {sheet!r} has no column {name!r}",
                   "the columns " + ", ".join(h for h in header if h), row=row)
    return header.index(name)


def _year(title: str, file: str, sheet: str) -> int:
    years = re.findall(r"\b(19\d\d|20\d\d)\b", re.sub(r"\[note \d+\]", "", title))
    if not years:
        raise fail(file, f"sheet {sheet!r} has no year in its title", "a title such as "
                   "'Table 3: ... numbers and rates, 2021'", row=1, column="A", value=title)
    return int(years[-1])


def read_child_mortality(path: str | Path, england_only: bool = True) -> NationalTable:
    """Read Table 3 of an ONS child mortality death-cohort workbook.

    Parameters
    ----------
    path : str or Path
        ``cim2020deathcohortworkbook.xlsx``, ``cim2021deathcohortworkbook.xlsx`` or a later
        one in the same layout.
    england_only : bool
        Keep England, its regions and local authorities (default); False keeps Wales too.
        Rows that are not one GSS area (England and Wales, "Elsewhere") and the metropolitan
        counties and Inner/Outer London (not tiers of the areas lookup) are always left out
        and listed in ``source.notes``.

    Returns
    -------
    NationalTable
        Contract ``births_deaths_cohort``: area_code, year (the workbook's year), basis
        (``death_cohort``), live_births and infant_deaths (counts occurring in the year; see
        ``source.basis``). Kept apart from ``births_deaths`` (deaths registered in the year):
        the two bases are never mixed in one series.
    """
    path = Path(path)
    file = path.name
    sheet, raw = _sheet(path, 3)
    year = _year(raw[0][0] if raw and raw[0] else "", file, sheet)
    h, header = _header(raw, AREA_HEADER, file, sheet)
    ib = _col(header, "Live births", file, sheet, h + 1)
    idd = _col(header, "Infant deaths", file, sheet, h + 1)
    iname = 1
    codes, names, births, deaths, rows = [], [], [], [], []
    for i, r in enumerate(raw[h + 1:], start=h + 2):
        if not any(r):
            continue
        codes.append(r[0])
        names.append(r[iname] if len(r) > iname else "")
        births.append(r[ib])
        deaths.append(r[idd])
        rows.append(i)
    df = pd.DataFrame({"code": codes, "name": names, "lb": births, "inf": deaths},
                      dtype="str")
    rows_a = np.asarray(rows, dtype=int)
    prefixes = ENGLAND_PREFIXES + (() if england_only else WALES_PREFIXES)
    gss = df["code"].map(is_gss).to_numpy(bool)
    keep = gss & df["code"].str.startswith(prefixes).to_numpy(bool)
    dropped = df[~keep]
    notes = []
    if len(dropped):
        shown = "; ".join(f"{c} {n.strip()}" for c, n in
                          zip(dropped["code"], dropped["name"], strict=True)
                          if not c.startswith("W06"))
        wales = int(dropped["code"].str.startswith("W06").sum())
        notes.append(f"{len(dropped)} rows left out: {shown}"
                     + (f"; {wales} Welsh authorities" if wales else ""))
    notes += _country_check(df, rows_a, file, england_only)
    odd = ~df["code"].str.fullmatch(r"[A-Z]\d{8}(, ?[A-Z]\d{8})*").to_numpy(bool)
    problems: list[Problem] = []
    for i in np.flatnonzero(odd)[:200]:
        problems.append(problem(file, int(rows_a[i]), "A", df["code"].iat[i] or None,
                                "an ONS GSS area code, a capital letter then 8 digits "
                                "(sheet " + sheet + ")"))
    df, rows_a = df[keep], rows_a[keep]
    period = pd.Series(str(year), index=df.index)
    lb, m1 = counts(df["lb"], file=file, column="Live births", rows=rows_a, area=df["code"],
                    period=period, out_column="live_births", problems=problems)
    inf, m2 = counts(df["inf"], file=file, column="Infant deaths", rows=rows_a,
                     area=df["code"], period=period, out_column="infant_deaths",
                     problems=problems)
    tidy = pd.DataFrame({"area_code": df["code"].to_numpy(), "year": year,
                         "basis": DEATH_COHORT, "live_births": lb.to_numpy(),
                         "infant_deaths": inf.to_numpy()})
    over = (tidy["infant_deaths"] > tidy["live_births"]).fillna(False).to_numpy(bool)
    for i in np.flatnonzero(over):
        problems.append(problem(file, int(rows_a[i]), "Infant deaths", inf.iat[i],
                                "infant deaths <= live births", "is more than live births"))
    duplicate_keys(tidy, ["area_code", "year"], rows_a, file, "A", problems)
    check(problems)
    source = Source(publisher=_ONS, title=TITLE + ", Table 3",
                    release=f"{year} (calendar year)", file=file, basis=BASIS,
                    notes=tuple(notes))
    return NationalTable("births_deaths_cohort", typed(tidy, BIRTHS_DEATHS_COHORT),
                         pd.concat([m1, m2], ignore_index=True), source,
                         "ons_child_mortality", tuple(BIRTHS_DEATHS_COHORT.names))


def _country_check(df: pd.DataFrame, rows: np.ndarray, file: str,
                   england_only: bool) -> list[str]:
    """England + Wales should equal the England and Wales row (K04000001)."""
    by = {c: i for i, c in enumerate(df["code"])}
    if not {"K04000001", "E92000001", "W92000004"} <= set(by):
        return []
    notes = []
    for col, label in (("lb", "Live births"), ("inf", "Infant deaths")):
        vals = {c: df[col].iat[by[c]] for c in ("K04000001", "E92000001", "W92000004")}
        if not all(v.isdigit() for v in vals.values()):
            continue
        k, e, w = (int(vals[c]) for c in ("K04000001", "E92000001", "W92000004"))
        if k != e + w:
            text = (f"{label}: England ({e}) + Wales ({w}) != England and Wales ({k}); "
                    f"Wales should be {k - e}")
            if not england_only:
                raise fail(file, "has a Wales row that does not add up: " + text,
                           "England + Wales = England and Wales", row=int(rows[by["W92000004"]]),
                           column=label, value=w)
            notes.append("publisher's error in the Wales row (left out): " + text)
    return notes


def read_child_mortality_imd(path: str | Path) -> NationalTable:
    """Read Table 21 of a child mortality workbook: England by IMD decile, 2010 onwards.

    Returns
    -------
    NationalTable
        Contract ``births_deaths_imd_decile`` (:data:`BIRTHS_DEATHS_IMD_DECILE`): area_code
        E92000001, year, imd_decile (1 most deprived to 10), live_births, infant_deaths
        (counts). The "Total" rows are checked against the sum of the deciles and left out.
    """
    path = Path(path)
    file = path.name
    sheet, raw = _sheet(path, 21)
    h, header = _header(raw, "Year", file, sheet)
    title = " ".join(" ".join(r[:1]) for r in raw[:h])
    if "Wales" in title and "England" not in title:
        raise fail(file, f"sheet {sheet!r} is the Wales table",
                   "Table 21 for England (IMD deciles are not comparable across countries)")
    ii = _col(header, "IMD", file, sheet, h + 1)
    ib = _col(header, "Live births", file, sheet, h + 1)
    idd = _col(header, "Infant deaths", file, sheet, h + 1)
    problems: list[Problem] = []
    recs, rows = [], []
    for i, r in enumerate(raw[h + 1:], start=h + 2):
        if not any(r):
            continue
        recs.append((r[0], r[ii], r[ib], r[idd]))
        rows.append(i)
    df = pd.DataFrame(recs, columns=["year", "imd", "lb", "inf"], dtype="str")
    rows_a = np.asarray(rows, dtype=int)
    for i in np.flatnonzero(~df["year"].str.fullmatch(r"\d{4}").to_numpy(bool)):
        problems.append(problem(file, int(rows_a[i]), "Year", df["year"].iat[i] or None,
                                "a calendar year such as 2019"))
    decile = pd.to_numeric(df["imd"].where(df["imd"].str.fullmatch(r"\d+")), errors="coerce")
    total = (df["imd"] == "Total").to_numpy(bool)
    bad = ~total & ~decile.between(1, 10).to_numpy(bool)
    for i in np.flatnonzero(bad):
        problems.append(problem(file, int(rows_a[i]), "IMD", df["imd"].iat[i] or None,
                                "an IMD decile 1 to 10 or 'Total'"))
    check(problems)
    area = pd.Series("E92000001", index=df.index)
    lb, m1 = counts(df["lb"], file=file, column="Live births", rows=rows_a, area=area,
                    period=df["year"], out_column="live_births", problems=problems)
    inf, m2 = counts(df["inf"], file=file, column="Infant deaths", rows=rows_a, area=area,
                     period=df["year"], out_column="infant_deaths", problems=problems)
    check(problems)
    full = pd.DataFrame({"area_code": "E92000001", "year": df["year"].astype(int).to_numpy(),
                         "imd": df["imd"].to_numpy(), "imd_decile": decile.to_numpy(),
                         "live_births": lb.to_numpy(), "infant_deaths": inf.to_numpy(),
                         "row": rows_a})
    notes = []
    tot = full[total].set_index("year")
    parts = full[~total].groupby("year")[["live_births", "infant_deaths"]].sum(min_count=1)
    for y, t in tot.iterrows():
        for col in ("live_births", "infant_deaths"):
            if y in parts.index and pd.notna(t[col]) and parts.at[y, col] != t[col]:
                notes.append(f"{y}: deciles sum to {parts.at[y, col]} {col.replace('_', ' ')}"
                             f", the Total row (row {t['row']}) says {t[col]}")
    tidy = full[~total].drop(columns=["imd", "row"])
    duplicate_keys(tidy, ["area_code", "year", "imd_decile"], rows_a[~total], file, "IMD",
                   problems)
    check(problems)
    years = sorted(set(tidy["year"]))
    source = Source(publisher=_ONS, title=TITLE + ", Table 21 (England by IMD decile)",
                    release=f"{years[0]} to {years[-1]} (calendar years)" if years else "",
                    file=file, basis=BASIS,
                    notes=(*notes, "Total rows left out (the sum of the ten deciles)"))
    missing = pd.concat([m1, m2], ignore_index=True)
    return NationalTable("births_deaths_imd_decile", typed(tidy, BIRTHS_DEATHS_IMD_DECILE),
                         missing, source, "ons_child_mortality_imd",
                         tuple(BIRTHS_DEATHS_IMD_DECILE.names))
