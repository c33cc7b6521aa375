"""Lookups: DfE statistical neighbours (wide, old LA numbers) and the ONS LTLA-UTLA lookup.

Both need a second file for what they lack: the neighbour tables name authorities by DfE's
3-digit numbers (mapped to GSS codes with :func:`jsnalib.inputs.national.dfe.old_la_code_map`
over a DfE EES CSV), and the LTLA-UTLA lookup has no regions (taken from a DfE EES CSV's
``region_code`` by :func:`jsnalib.inputs.national.dfe.la_regions`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import AREAS, NEIGHBOURS
from jsnalib.inputs.readers import Problem

from . import dfe
from ._common import (
    NationalTable,
    Source,
    check,
    csv_records,
    empty_missing,
    fail,
    is_gss,
    problem,
    typed,
)

_DFE = "Department for Education"

#: The two published layouts of the neighbour tables: first columns and the rank columns.
SN_2021 = ("LA num", "LA Name", "LA number", "GOInd", "GOReg", "SN1")
SN_2025 = ("old_la_code", "la_name", "region_ind", "region_name", "SN_1")

LTLA_PATTERN = re.compile(r"LTLA(\d\d)CD")


def neighbour_layout(header: list[str]) -> str | None:
    """"2021" or "2025" for the two neighbour-table layouts, else None."""
    h = [c.strip() for c in header]
    if tuple(h[:6]) == SN_2021:
        return "2021"
    if tuple(h[:5]) == SN_2025:
        return "2025"
    return None


def _model_year(path: Path, layout: str) -> int:
    years = re.findall(r"(?<!\d)(20\d\d)(?!\d)", path.name)
    return int(years[-1]) if years else int(layout)


def read_neighbours(path: str | Path, la_codes: str | Path | Mapping[str, str],
                    model: str | None = None, include_old: bool = False) -> NationalTable:
    """Read a DfE children's services statistical-neighbour table (wide) into GSS codes.

    Parameters
    ----------
    path : str or Path
        ``New_Statistical_Neighbour_Groupings_April_2021.csv`` or ``sn_model_2025_wide.csv``
        (or another release in either layout).
    la_codes : str, Path or mapping
        A DfE EES CSV with ``old_la_code``/``new_la_code`` (e.g. the children in need C1
        file), or a ready mapping of 3-digit numbers to GSS codes. A CSV is read with
        :func:`~jsnalib.inputs.national.dfe.old_la_code_map` ``as_of`` the model's year (so
        815 North Yorkshire is the county E10000023 in the 2021 model and the unitary
        E06000065 in the 2025 one).
    model : str, optional
        Name of the model for ``source.model``; default "DfE statistical neighbours <year>"
        with the year from the file name (else its layout).
    include_old : bool
        The 2021 file ends with an "Old SNs:" block of authorities abolished before 2021
        (Bournemouth, Dorset and Poole before 2019, Northamptonshire). Left out by default.

    Returns
    -------
    NationalTable
        Contract ``neighbours``: area_code, neighbour_code, rank (1 = closest; the closeness
        words are not kept).
    """
    path = Path(path)
    file = path.name
    records = csv_records(path)
    layout = neighbour_layout(records[0] if records else [])
    if layout is None:
        raise fail(file, "is not a statistical-neighbour table",
                   "a header starting " + ", ".join(SN_2021) + " (2021) or "
                   + ", ".join(SN_2025) + " (2025)", row=1)
    year = _model_year(path, layout)
    if isinstance(la_codes, Mapping):
        mapping = dict(la_codes)
    else:
        mapping = dfe.old_la_code_map(la_codes, as_of=year)
    header = [h.strip() for h in records[0]]
    first = 5 if layout == "2021" else 4
    rank_cols = [i for i in range(first, len(header), 2)
                 if re.fullmatch(r"SN_?\d+", header[i])]
    problems: list[Problem] = []
    notes = []
    out_rows = []
    old_block = False
    for r, rec in enumerate(records[1:], start=2):
        cells = [c.strip() for c in rec]
        if not any(cells):
            continue
        if not cells[0] and any("old" in c.lower() for c in cells):
            old_block = True
            notes.append(f"row {r} starts the {cells[1] or 'old'!r} block of authorities "
                         "abolished before the model" + (" (kept)" if include_old
                                                        else " (left out)"))
            continue
        if old_block and not include_old:
            continue
        if len(cells) < max(rank_cols) + 1:
            problems.append(problem(file, r, None, None,
                                    f"at least {max(rank_cols) + 1} fields",
                                    f"has {len(cells)} fields"))
            continue
        own = cells[0]
        if not re.fullmatch(r"\d{3}", own):
            problems.append(problem(file, r, header[0], own or None,
                                    "a 3-digit DfE local authority number such as 860"))
            continue
        for rank, i in enumerate(rank_cols, start=1):
            other = cells[i]
            if not other:
                continue
            if not re.fullmatch(r"\d{3}", other):
                problems.append(problem(file, r, header[i], other,
                                        "a 3-digit DfE local authority number such as 860"))
                continue
            out_rows.append((own, other, rank, r, header[i]))
    check(problems)
    unknown = ({o for o, *_ in out_rows} | {n for _, n, *_ in out_rows}) - set(mapping)
    for own, other, _rank, r, col in out_rows:
        if own in unknown:
            problems.append(problem(file, r, header[0], own,
                                    "a DfE local authority number found in the old_la_code "
                                    "column of the DfE CSV given as la_codes",
                                    "has no GSS code in la_codes"))
        if other in unknown:
            problems.append(problem(file, r, col, other,
                                    "a DfE local authority number found in the old_la_code "
                                    "column of the DfE CSV given as la_codes",
                                    "has no GSS code in la_codes"))
    check(problems)
    tidy = pd.DataFrame([(mapping[o], mapping[n], k) for o, n, k, *_ in out_rows],
                        columns=["area_code", "neighbour_code", "rank"])
    rows_a = np.asarray([r for *_, r, _c in out_rows], dtype=int)
    self_ref = (tidy["area_code"] == tidy["neighbour_code"]).to_numpy()
    for i in np.flatnonzero(self_ref):
        problems.append(problem(file, int(rows_a[i]), None, tidy["area_code"].iat[i],
                                "a different authority", "names the authority itself"))
    dup = tidy.duplicated(["area_code", "neighbour_code"]).to_numpy()
    for i in np.flatnonzero(dup):
        problems.append(problem(file, int(rows_a[i]), None, tidy["neighbour_code"].iat[i],
                                "each neighbour once", "is listed twice for the same authority"))
    dup_area = tidy.drop_duplicates(["area_code", "rank"]).shape[0] != len(tidy)
    if dup_area:
        problems.append(problem(file, None, header[0], None, "one row per authority",
                                "names an authority twice (two numbers map to one GSS code?)"))
    check(problems)
    source = Source(publisher=_DFE,
                    title="Children's services statistical neighbour benchmarking tool",
                    release=f"{year} model", file=file,
                    model=model or f"DfE statistical neighbours {year}",
                    notes=tuple(notes))
    return NationalTable("neighbours", typed(tidy, NEIGHBOURS), empty_missing(), source,
                         "dfe_statistical_neighbours", tuple(NEIGHBOURS.names))


def shared_neighbours(a: NationalTable | pd.DataFrame, b: NationalTable | pd.DataFrame,
                      area_code: str) -> list[str]:
    """The neighbours of ``area_code`` that two neighbour tables share (sorted GSS codes)."""
    fa = a.frame if isinstance(a, NationalTable) else a
    fb = b.frame if isinstance(b, NationalTable) else b
    sa = set(fa.loc[fa["area_code"] == area_code, "neighbour_code"])
    sb = set(fb.loc[fb["area_code"] == area_code, "neighbour_code"])
    return sorted(sa & sb)


# --------------------------------------------------------------------------------------------
# LTLA -> UTLA
# --------------------------------------------------------------------------------------------
def ltla_columns(header: list[str]) -> str | None:
    """The two-digit year of an ONS LTLA-UTLA lookup header (``LTLA23CD`` -> "23")."""
    h = [c.strip() for c in header]
    for c in h:
        m = LTLA_PATTERN.fullmatch(c)
        if m and {f"LTLA{m[1]}NM", f"UTLA{m[1]}CD", f"UTLA{m[1]}NM"} <= set(h):
            return m[1]
    return None


def _tier(code: str, is_county: bool) -> str:
    """Area type of an upper- or single-tier authority, in the values AREAS allows."""
    if code.startswith("E08") or code.startswith("E09"):
        return "metropolitan"
    if code.startswith("E10") or is_county:
        return "county"
    return "unitary"


def read_ltla_utla(path: str | Path,
                   regions: str | Path | Mapping[str, str],
                   region_names: Mapping[str, str] | None = None,
                   england_only: bool = True) -> NationalTable:
    """Read the ONS lower-tier to upper-tier local authority lookup into ``areas`` rows.

    Parameters
    ----------
    path : str or Path
        ``LTLA-UTLA_Apr23_Lookup_England-Wales.csv`` (UTF-8 with BOM) or another year's.
    regions : str, Path or mapping
        A DfE EES CSV (its ``region_code`` gives each upper-tier authority's region, Inner
        and Outer London mapped to London), or a mapping of upper-tier GSS code -> region
        GSS code.
    region_names : mapping, optional
        Region code -> name; taken from the EES CSV when ``regions`` is one.
    england_only : bool
        Keep English authorities only (default). The areas contract has no tier for Welsh
        principal areas' country, so False is refused.

    Returns
    -------
    NationalTable
        Contract ``areas``: England (country), its regions, counties, unitary authorities,
        metropolitan districts and London boroughs (both typed ``metropolitan``: AREAS has no
        London-borough type and both are single-tier boroughs of the former metropolitan
        counties and Greater London) and non-metropolitan districts (``district``, parent =
        their county). Upper-tier authorities' parent is their region; regions' parent is
        England.
    """
    path = Path(path)
    file = path.name
    if not england_only:
        raise ValueError("read_ltla_utla: only England is supported (england_only=True): the "
                         "areas contract has no region tier for Wales")
    records = csv_records(path)
    yy = ltla_columns(records[0] if records else [])
    if yy is None:
        raise fail(file, "is not an ONS LTLA-UTLA lookup",
                   "a header with LTLAyyCD, LTLAyyNM, UTLAyyCD, UTLAyyNM", row=1)
    header = [h.strip() for h in records[0]]
    ix = {n: header.index(n) for n in (f"LTLA{yy}CD", f"LTLA{yy}NM", f"UTLA{yy}CD",
                                        f"UTLA{yy}NM")}
    if isinstance(regions, Mapping):
        region_of = dict(regions)
        names = dict(region_names or {})
    else:
        region_of, names = dfe.la_regions(regions)
        names.update(region_names or {})
    problems: list[Problem] = []
    lower, upper = {}, {}
    upper_row: dict[str, int] = {}
    pairs = []
    for r, rec in enumerate(records[1:], start=2):
        if not any(c.strip() for c in rec):
            continue
        if len(rec) != len(header):
            problems.append(problem(file, r, None, None, f"{len(header)} fields",
                                    f"has {len(rec)} fields"))
            continue
        lc, ln, uc, un = (rec[ix[k]].strip() for k in ix)
        for col, c in ((f"LTLA{yy}CD", lc), (f"UTLA{yy}CD", uc)):
            if not is_gss(c):
                problems.append(problem(file, r, col, c or None,
                                        "an ONS area code such as E07000192"))
        if england_only and not (lc.startswith("E") and uc.startswith("E")):
            continue
        if lc in lower and lower[lc][1] != uc:
            problems.append(problem(file, r, f"LTLA{yy}CD", lc, "one upper tier per district",
                                    f"is also under {lower[lc][1]}"))
        lower[lc] = (ln, uc)
        upper.setdefault(uc, un)
        upper_row.setdefault(uc, r)
        pairs.append((lc, ln, uc, un, r))
    check(problems)
    rows = [("E92000001", "England", "country", None)]
    regs = sorted({region_of.get(u) for u in upper if region_of.get(u)})
    for reg in regs:
        rows.append((reg, names.get(reg, reg), "region", "E92000001"))
    for uc, un in upper.items():
        reg = region_of.get(uc)
        if reg is None:
            problems.append(problem(file, upper_row[uc], f"UTLA{yy}CD", uc,
                                    "an authority found in the DfE CSV given as regions",
                                    "has no region in regions"))
            continue
        is_county = any(lc != uc for lc, (_, u) in lower.items() if u == uc)
        rows.append((uc, un, _tier(uc, is_county), reg))
    for lc, ln, uc, _un, _r in pairs:
        if lc != uc:
            rows.append((lc, ln, "district", uc))
    check(problems)
    tidy = pd.DataFrame(rows, columns=["area_code", "area_name", "area_type", "parent_code"])
    notes = ["London boroughs are typed 'metropolitan' (the areas contract has no "
             "London-borough type)", "Welsh authorities left out (England only)"]
    source = Source(publisher="Office for National Statistics (Open Geography Portal)",
                    title="Lower Tier Local Authority to Upper Tier Local Authority lookup",
                    release=f"April 20{yy}", file=file, notes=tuple(notes))
    return NationalTable("areas", typed(tidy, AREAS), empty_missing(), source,
                         "ons_ltla_utla_lookup", tuple(AREAS.names))


#: Upper-tier authorities abolished since 2013 (the first year of the national series), with
#: the April they were abolished and their successors (the structural change orders).
RETIRED: dict[str, tuple[int, tuple[str, ...]]] = {
    "E06000028": (2019, ("E06000058",)),               # Bournemouth
    "E06000029": (2019, ("E06000058",)),               # Poole
    "E10000009": (2019, ("E06000059",)),               # Dorset (county)
    "E10000002": (2020, ("E06000060",)),               # Buckinghamshire (county)
    "E10000021": (2021, ("E06000061", "E06000062")),   # Northamptonshire
    "E10000006": (2023, ("E06000063", "E06000064")),   # Cumbria
    "E10000023": (2023, ("E06000065",)),               # North Yorkshire (county)
    "E10000027": (2023, ("E06000066",)),               # Somerset (county)
}
