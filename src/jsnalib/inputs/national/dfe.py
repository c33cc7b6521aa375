"""DfE explore-education-statistics (EES) CSVs: children in need referrals, ONS population.

EES tidy CSVs share a layout: ``time_period``, ``time_identifier``, ``geographic_level``,
``country_code``/``region_code``/``new_la_code`` (GSS) and ``old_la_code`` (DfE's 3-digit
number), then the figures. ``time_period`` 2016 with ``time_identifier`` "Reporting year" in
the children in need tables is the year ending 31 March 2016, i.e. financial year 2015-16.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import CIN_CENSUS, POPULATION
from jsnalib.inputs.readers import Problem

from ._common import (
    NationalTable,
    Source,
    check,
    counts,
    csv_records,
    duplicate_keys,
    fail,
    frame_from_records,
    is_gss,
    problem,
    typed,
)

EES_COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code",
               "region_code", "old_la_code", "new_la_code")
CIN_COLUMNS = (*EES_COLUMNS, "referral_count", "rereferral_count")
POPULATION_COLUMNS = (*EES_COLUMNS, "age_group", "population_estimate")

#: Which code column names the area at each geographic level.
LEVEL_CODE = {"National": "country_code", "Regional": "region_code",
              "Local authority": "new_la_code"}

#: Regions in DfE files that are not GSS regions: London's two halves (E13 codes).
LONDON = "E12000007"
NOT_REGIONS = {"E13000001": "Inner London", "E13000002": "Outer London"}

_DFE = "Department for Education"


def _ees(path: Path, required: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """The EES CSV as text columns and the spreadsheet row of each record."""
    records = csv_records(path)
    if not records:
        raise fail(path.name, "is empty", "an explore-education-statistics CSV with a header")
    header = [h.strip() for h in records[0]]
    absent = [c for c in required if c not in header]
    if absent:
        raise fail(path.name, "lacks the column(s) " + ", ".join(absent),
                   "an explore-education-statistics CSV with columns " + ", ".join(required),
                   row=1)
    problems: list[Problem] = []
    body = []
    rows = []
    for i, rec in enumerate(records[1:], start=2):
        if not any(f.strip() for f in rec):
            continue
        if len(rec) != len(header):
            problems.append(problem(path.name, i, None, None,
                                    f"{len(header)} fields as in the header",
                                    f"has {len(rec)} fields"))
            continue
        body.append(rec)
        rows.append(i)
    check(problems)
    return frame_from_records(header, body), np.asarray(rows, dtype=int)


def _area_codes(df: pd.DataFrame, rows: np.ndarray, file: str,
                problems: list[Problem]) -> tuple[pd.Series, np.ndarray, list[str]]:
    """Area code of each row by its geographic level; rows kept; notes on rows left out."""
    level = df["geographic_level"]
    code = pd.Series("", index=df.index, dtype="str")
    for lev, col in LEVEL_CODE.items():
        code = code.where(level != lev, df[col])
    known = level.isin(list(LEVEL_CODE)).to_numpy()
    notes = []
    others = sorted(set(level[~known]))
    if others:
        notes.append(f"rows at geographic level(s) {', '.join(others)} left out "
                     f"({int((~known).sum())} rows): only National, Regional and Local "
                     "authority rows are read")
    halves = (level == "Regional").to_numpy() & code.isin(list(NOT_REGIONS)).to_numpy()
    if halves.any():
        names = " and ".join(f"{NOT_REGIONS[c]} ({c})" for c in sorted(set(code[halves])))
        notes.append(f"{names} regional rows left out ({int(halves.sum())} rows): they are "
                     f"not regions in GSS terms; London ({LONDON}) is kept")
    keep = known & ~halves
    for i in np.flatnonzero(keep):
        c = code.iat[i]
        if not is_gss(c):
            col = LEVEL_CODE[level.iat[i]]
            problems.append(problem(file, int(rows[i]), col, c or None,
                                    "an ONS GSS area code (a capital letter then 8 digits)",
                                    "is blank" if not c else "is not an ONS area code"))
    return code, keep, notes


def financial_year(time_period: pd.Series, time_identifier: pd.Series, rows: np.ndarray,
                   file: str, problems: list[Problem]) -> pd.Series:
    """EES time_period to a financial year "YYYY-YY".

    "Reporting year" 2016 (the children in need census year ending 31 March 2016) and
    "Financial year" 201516 both give "2015-16".
    """
    out = pd.Series(pd.NA, index=time_period.index, dtype="str")
    four = time_period.str.fullmatch(r"\d{4}") & time_identifier.isin(
        ["Reporting year", "Financial year"])
    end = pd.to_numeric(time_period.where(four), errors="coerce")
    out = out.where(~four, (end - 1).astype("Int64").astype("str") + "-"
                    + (end % 100).astype("Int64").astype("str").str.zfill(2))
    start = pd.to_numeric(time_period.str[:4], errors="coerce")
    tail = pd.to_numeric(time_period.str[4:], errors="coerce")
    six = (time_period.str.fullmatch(r"\d{6}") & ((start + 1) % 100 == tail)).fillna(False)
    out = out.where(~six, time_period.str[:4] + "-" + time_period.str[4:])
    bad = ~(four | six).fillna(False).to_numpy(bool)
    for i in np.flatnonzero(bad)[:200]:
        problems.append(problem(
            file, int(rows[i]), "time_period", time_period.iat[i],
            "a reporting year such as 2016 (year ending 31 March 2016) or a financial year "
            "such as 201516", f"is not a year the children in need tables use "
                              f"(time_identifier {time_identifier.iat[i]!r})"))
    return out


def read_cin_referrals(path: str | Path) -> NationalTable:
    """Read DfE *Characteristics of children in need* referrals (table C1 EES CSV).

    Parameters
    ----------
    path : str or Path
        ``c1_children_in_need_referrals_and_rereferrals_<years>.csv`` as published.

    Returns
    -------
    NationalTable
        Contract ``cin_census``: area_code (England, regions, local authorities),
        financial_year ("2015-16" for time_period 2016), referrals and rereferrals (counts of
        referrals; Int64, <NA> where the publisher put a marker, listed in ``missing``).
    """
    path = Path(path)
    file = path.name
    df, rows = _ees(path, CIN_COLUMNS)
    problems: list[Problem] = []
    code, keep, notes = _area_codes(df, rows, file, problems)
    fy = financial_year(df["time_period"], df["time_identifier"], rows, file, problems)
    df, rows, code, fy = df[keep], rows[keep], code[keep], fy[keep]
    referrals, miss_r = counts(df["referral_count"], file=file, column="referral_count",
                               rows=rows, area=code, period=fy, out_column="referrals",
                               problems=problems)
    rerefs, miss_rr = counts(df["rereferral_count"], file=file, column="rereferral_count",
                             rows=rows, area=code, period=fy, out_column="rereferrals",
                             problems=problems)
    over = (rerefs > referrals).fillna(False).to_numpy(bool)
    for i in np.flatnonzero(over)[:200]:
        problems.append(problem(file, int(rows[i]), "rereferral_count",
                                df["rereferral_count"].iat[i], "re-referrals <= referrals",
                                f"is more than referral_count ({referrals.iat[i]})"))
    tidy = pd.DataFrame({"area_code": code.to_numpy(), "financial_year": fy.to_numpy(),
                         "referrals": referrals.to_numpy(), "rereferrals": rerefs.to_numpy()})
    duplicate_keys(tidy, ["area_code", "financial_year"], rows, file, "new_la_code", problems)
    check(problems)
    years = sorted(set(tidy["financial_year"]))
    source = Source(
        publisher=_DFE, title="Characteristics of children in need: referrals and re-referrals",
        release=f"{years[0]} to {years[-1]} (years ending 31 March)" if years else "",
        file=file, notes=tuple(notes))
    missing = pd.concat([miss_r, miss_rr], ignore_index=True)
    return NationalTable("cin_census", typed(tidy, CIN_CENSUS), missing, source,
                         "dfe_cin_referrals", tuple(CIN_CENSUS.names))


_AGE = re.compile(r"aged (\d+) to (\d+)", re.IGNORECASE)
_AGE_PLUS = re.compile(r"aged (\d+) (?:and|or) over", re.IGNORECASE)


def _age_band(text: str) -> str | None:
    m = _AGE.search(text)
    if m:
        return f"{int(m.group(1))}-{int(m.group(2))}"
    m = _AGE_PLUS.search(text)
    if m:
        return f"{int(m.group(1))}+"
    return None


def read_population(path: str | Path) -> NationalTable:
    """Read ONS mid-year population estimates as DfE republishes them (EES CSV).

    Parameters
    ----------
    path : str or Path
        ``ons_mid-year_population_estimates_<years>.csv`` (columns ``age_group`` such as
        "Children aged 0 to 17 years" and ``population_estimate``).

    Returns
    -------
    NationalTable
        Contract ``population``: area_code, year (mid-year, 30 June), age_group ("0-17"),
        population (people; <NA> where the publisher wrote ``x``, e.g. authorities that did
        not yet exist).
    """
    path = Path(path)
    file = path.name
    df, rows = _ees(path, POPULATION_COLUMNS)
    problems: list[Problem] = []
    code, keep, notes = _area_codes(df, rows, file, problems)
    year_ok = df["time_period"].str.fullmatch(r"\d{4}").to_numpy()
    for i in np.flatnonzero(~year_ok & keep)[:200]:
        problems.append(problem(file, int(rows[i]), "time_period", df["time_period"].iat[i],
                                "a calendar year such as 2019 (mid-year estimate)"))
    bands = df["age_group"].map(_age_band)
    for i in np.flatnonzero(bands.isna().to_numpy() & keep)[:200]:
        problems.append(problem(file, int(rows[i]), "age_group", df["age_group"].iat[i],
                                "an age band such as 'Children aged 0 to 17 years'",
                                "is not an age band this reader knows"))
    keep = keep & year_ok & bands.notna().to_numpy()
    df, rows, code, bands = df[keep], rows[keep], code[keep], bands[keep]
    year = df["time_period"]
    pop, missing = counts(df["population_estimate"], file=file, column="population_estimate",
                          rows=rows, area=code, period=year, out_column="population",
                          problems=problems, minimum=1)
    tidy = pd.DataFrame({"area_code": code.to_numpy(), "year": year.astype(int).to_numpy(),
                         "age_group": bands.to_numpy(), "population": pop.to_numpy()})
    duplicate_keys(tidy, ["area_code", "year", "age_group"], rows, file, "new_la_code",
                   problems)
    check(problems)
    years = sorted(set(tidy["year"]))
    source = Source(publisher="Office for National Statistics (republished by the "
                              "Department for Education)",
                    title="Mid-year population estimates: children aged 0 to 17",
                    release=f"mid-{years[0]} to mid-{years[-1]}" if years else "",
                    file=file, notes=tuple(notes))
    return NationalTable("population", typed(tidy, POPULATION), missing, source,
                         "dfe_population", tuple(POPULATION.names))


# --------------------------------------------------------------------------------------------
# lookups from any EES CSV
# --------------------------------------------------------------------------------------------
def _la_rows(path: Path) -> pd.DataFrame:
    df, rows = _ees(path, EES_COLUMNS)
    la = df[df["geographic_level"] == "Local authority"].copy()
    la["row"] = rows[(df["geographic_level"] == "Local authority").to_numpy()]
    problems = []
    for r in la.itertuples():
        if not re.fullmatch(r"\d{3}", r.old_la_code):
            problems.append(problem(path.name, r.row, "old_la_code", r.old_la_code or None,
                                    "a 3-digit DfE local authority number such as 860"))
        if not is_gss(r.new_la_code):
            problems.append(problem(path.name, r.row, "new_la_code", r.new_la_code or None,
                                    "an ONS area code such as E10000028"))
    check(problems)
    la["period"] = pd.to_numeric(la["time_period"].str[:4], errors="coerce")
    return la


def old_la_code_map(path: str | Path, as_of: int | None = None) -> dict[str, str]:
    """DfE's 3-digit local authority numbers mapped to GSS codes, from any EES CSV.

    Parameters
    ----------
    path : str or Path
        An explore-education-statistics CSV with ``old_la_code`` and ``new_la_code`` (e.g.
        the children in need C1 file).
    as_of : int, optional
        The (reporting) year the numbers refer to. DfE keeps a number when an authority is
        reorganised (815 North Yorkshire is E10000023 to 2023, E06000065 from 2024), so each
        number maps to its GSS code in the latest ``time_period`` not after ``as_of`` (the
        earliest one the file has if none is). Default: the latest in the file.

    Returns
    -------
    dict of str to str
        e.g. ``{"860": "E10000028", "861": "E06000021", ...}``.
    """
    la = _la_rows(Path(path))
    if as_of is not None:
        before = la[la["period"] <= as_of]
        after = la[la["period"] > as_of].sort_values("period", ascending=False)
        la = pd.concat([after, before.sort_values("period")])
    else:
        la = la.sort_values("period", kind="stable")
    return dict(zip(la["old_la_code"], la["new_la_code"], strict=True))


def la_regions(path: str | Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each local authority's region (GSS), and region names, from any EES CSV.

    London boroughs are recorded by DfE under Inner London (E13000001) or Outer London
    (E13000002); both map to London (E12000007). Each authority takes the region of the
    latest ``time_period`` it appears in.

    Returns
    -------
    regions : dict
        Local authority GSS code -> region GSS code.
    names : dict
        Region GSS code -> region name (from the file's regional rows; "London" for London).
    """
    path = Path(path)
    df, _ = _ees(path, EES_COLUMNS)
    if "region_name" not in df:
        df["region_name"] = ""
    la = df[df["geographic_level"] == "Local authority"].copy()
    la["period"] = pd.to_numeric(la["time_period"].str[:4], errors="coerce")
    la = la.sort_values("period", kind="stable")
    region = la["region_code"].replace({c: LONDON for c in NOT_REGIONS})
    regions = dict(zip(la["new_la_code"], region, strict=True))
    reg = df[(df["geographic_level"] == "Regional") & df["region_code"].str.startswith("E12")]
    names = dict(zip(reg["region_code"], reg["region_name"], strict=True))
    for code, name in zip(la["region_code"], la["region_name"], strict=True):
        if code.startswith("E12"):
            names.setdefault(code, name)
    names.setdefault(LONDON, "London")
    return regions, names
