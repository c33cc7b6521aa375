"""Recognise a national download by its content, read it, and import several into data/."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from jsnalib.inputs.contracts import (
    AREAS,
    BIRTHS_DEATHS,
    BIRTHS_DEATHS_COHORT,
    BIRTHS_DEATHS_IMD_DECILE,
    CIN_CENSUS,
    NCMP_PUBLISHED,
    NEIGHBOURS,
    POPULATION,
    Contract,
)
from jsnalib.inputs.readers import DataError, Problem

from . import dfe, fingertips, lookups, ncmp_published, nomis, ons
from ._common import (
    CSV_MARKER,
    MISSING_COLUMNS,
    NationalTable,
    cell_text,
    fail,
    find_sheet,
    first_record,
    problem,
    sheet_names,
    sheet_rows,
    typed,
)

#: Every layout :func:`recognise` knows: (contract, how it is recognised).
LAYOUTS: dict[str, tuple[str, str]] = {
    "dfe_cin_referrals": ("cin_census", "CSV with columns " + ", ".join(dfe.CIN_COLUMNS)),
    "dfe_population": ("population", "CSV with columns " + ", ".join(dfe.POPULATION_COLUMNS)),
    "nomis_births": ("births_deaths", "xlsx/CSV with columns " + ", ".join(nomis.BIRTHS_HEADER)),
    "nomis_deaths": ("births_deaths", "xlsx/CSV with columns " + ", ".join(
        nomis.DEATHS_REQUIRED) + " (and the other NOMIS dimensions)"),
    "ons_child_mortality": ("births_deaths_cohort", "xlsx with a sheet '3' or 'Table_3' whose title "
                            "starts 'Table 3: Live births, stillbirths and infant deaths' "
                            "(and sheet 21, England by IMD decile)"),
    "dfe_statistical_neighbours": ("neighbours", "CSV with columns "
                                   + ", ".join(lookups.SN_2021) + "... (2021) or "
                                   + ", ".join(lookups.SN_2025) + "... (2025)"),
    "ons_ltla_utla_lookup": ("areas", "CSV with columns LTLAyyCD, LTLAyyNM, UTLAyyCD, "
                             "UTLAyyNM"),
    "fingertips": ("fingertips", "CSV with columns " + fingertips.expected_header()),
    "fingertips_ncmp_values": ("ncmp_published", "CSV with columns "
                               + ", ".join(ncmp_published.HEADER)),
}

#: Tidy contracts by name (those of data/, the optional death-cohort files, and the tidy
#: Fingertips layout).
CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    AREAS, NEIGHBOURS, BIRTHS_DEATHS, POPULATION, CIN_CENSUS, BIRTHS_DEATHS_COHORT,
    BIRTHS_DEATHS_IMD_DECILE, fingertips.FINGERTIPS_TIDY, NCMP_PUBLISHED)}


def _known() -> str:
    return "; ".join(f"{name} ({how})" for name, (_, how) in LAYOUTS.items())


def recognise(path: str | Path) -> str:
    """The layout of a national download, from its content (header or sheet names).

    Parameters
    ----------
    path : str or Path
        A CSV or xlsx file as published.

    Returns
    -------
    str
        One of :data:`LAYOUTS`: ``dfe_cin_referrals``, ``dfe_population``,
        ``nomis_births``, ``nomis_deaths``, ``ons_child_mortality``,
        ``dfe_statistical_neighbours``, ``ons_ltla_utla_lookup``, ``fingertips``,
        ``fingertips_ncmp_values``.

    Raises
    ------
    DataError
        The file is missing, unreadable, a Fingertips export re-saved by R, or of a layout
        not known (the message lists the layouts known and the columns each needs).
    """
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise fail(file, "does not exist", f"a file at {path}")
    head = path.read_bytes()[:4]
    if head.startswith(b"PK\x03\x04"):
        names = sheet_names(path)
        sheet3 = find_sheet(names, 3)
        if sheet3 is not None:
            title = cell_text((sheet_rows(path, sheet3, limit=1) or [("",)])[0][0])
            if title.startswith("Table 3: Live births, stillbirths and infant deaths"):
                return "ons_child_mortality"
        for sheet in names[:1]:
            rows = [tuple(cell_text(v) for v in r) for r in sheet_rows(path, sheet, limit=30)]
            layout = _nomis(rows)
            if layout:
                return layout
        raise fail(file, "is a workbook of a layout not known (sheets "
                   + ", ".join(repr(n) for n in names[:8]) + ")", "one of: " + _known())
    header = first_record(path)
    if not header:
        raise fail(file, "is empty or not a CSV", "one of: " + _known())
    cols = set(header)
    if fingertips.resaved_by_r(header):
        raise fingertips.refuse_resaved(file)
    if fingertips.is_fingertips_header(header):
        return "fingertips"
    if set(dfe.CIN_COLUMNS) <= cols:
        return "dfe_cin_referrals"
    if set(dfe.POPULATION_COLUMNS) <= cols:
        return "dfe_population"
    if lookups.neighbour_layout(header):
        return "dfe_statistical_neighbours"
    if lookups.ltla_columns(header):
        return "ons_ltla_utla_lookup"
    if ncmp_published.is_layout(header):
        return "fingertips_ncmp_values"
    layout = _nomis([tuple(header)])
    if layout:
        return layout
    raise fail(file, "is of a layout not known (header: " + ", ".join(header[:12])
               + (", ..." if len(header) > 12 else "") + ")", "one of: " + _known(), row=1)


def _nomis(rows: list[tuple]) -> str | None:
    h = nomis.header_row(rows)
    if h is None:
        return None
    cols = [c for c in rows[h] if c]
    if set(nomis.DEATHS_REQUIRED) <= set(cols):
        return "nomis_deaths"
    if tuple(cols) == nomis.BIRTHS_HEADER:
        return "nomis_births"
    return None


def read(path: str | Path, *, la_codes: str | Path | dict[str, str] | None = None,
         regions: str | Path | dict[str, str] | None = None, table: str = "main",
         **options: Any) -> NationalTable:
    """Read a national download, as published, into its tidy contract.

    Parameters
    ----------
    path : str or Path
        The file; its layout is recognised from its content (:func:`recognise`).
    la_codes : str, Path or dict, optional
        For statistical-neighbour tables (required): a DfE EES CSV (e.g. the children in
        need C1 file) whose old_la_code/new_la_code pairs map DfE numbers to GSS codes, or
        the mapping itself.
    regions : str, Path or dict, optional
        For the LTLA-UTLA lookup (required): a DfE EES CSV whose region_code gives each
        upper-tier authority's region, or a mapping.
    table : str
        For child mortality workbooks: "main" (Table 3, default) or "imd" (Table 21).
    **options
        Passed to the layout's reader (e.g. ``england_only``, ``model``, ``include_old``,
        ``period_kind``).

    Returns
    -------
    NationalTable
        contract, frame, missing, source (see :class:`NationalTable`).
    """
    layout = recognise(path)
    file = Path(path).name
    unknown = set(options) - _READER_OPTIONS.get(layout, set())
    if unknown:
        raise TypeError(f"read: option(s) {', '.join(sorted(unknown))} do not apply to a "
                        f"{layout} file (it takes: "
                        + (", ".join(sorted(_READER_OPTIONS.get(layout, set()))) or "none")
                        + ")")
    if layout == "dfe_cin_referrals":
        return dfe.read_cin_referrals(path)
    if layout == "dfe_population":
        return dfe.read_population(path)
    if layout == "nomis_births":
        return nomis.read_births(path)
    if layout == "nomis_deaths":
        return nomis.read_deaths(path)
    if layout == "ons_child_mortality":
        if table == "imd":
            return ons.read_child_mortality_imd(path)
        return ons.read_child_mortality(path, **options)
    if layout == "dfe_statistical_neighbours":
        if la_codes is None:
            raise fail(file, "is a statistical-neighbour table keyed by DfE 3-digit numbers",
                       "la_codes= a DfE EES CSV with old_la_code and new_la_code (e.g. the "
                       "children in need C1 file) to map them to GSS codes")
        return lookups.read_neighbours(path, la_codes, **options)
    if layout == "ons_ltla_utla_lookup":
        if regions is None:
            raise fail(file, "is an LTLA-UTLA lookup, which has no regions",
                       "regions= a DfE EES CSV with region_code (e.g. the children in need "
                       "C1 file) giving each upper-tier authority's region")
        return lookups.read_ltla_utla(path, regions, **options)
    if layout == "fingertips_ncmp_values":
        return ncmp_published.read_ncmp_published(path)
    return fingertips.read_fingertips(path, **options)


def read_tables(path: str | Path, **options: Any) -> list[NationalTable]:
    """Every tidy table in a download: Tables 3 and 21 of a child mortality workbook, else
    the one table :func:`read` gives."""
    if recognise(path) == "ons_child_mortality":
        return [read(path, **options), read(path, table="imd")]
    return [read(path, **options)]


# --------------------------------------------------------------------------------------------
# combining tables of one contract
# --------------------------------------------------------------------------------------------
def combine(tables: Sequence[NationalTable]) -> NationalTable:
    """Tables of one contract as one: rows concatenated, half-tables joined on the key.

    NOMIS births and deaths files each fill half of ``births_deaths``; they are joined on
    area_code and year. Rows repeated across files must agree (e.g. Table 21 of the 2020 and
    2021 child mortality workbooks overlap for 2010-2020) and are kept once. Counts on
    different bases (deaths registered against the death cohort) are not mixed.

    Raises
    ------
    DataError
        Different contracts or bases, disagreeing repeats, or key rows a half-table lacks.
    """
    names = {t.contract for t in tables}
    if len(names) != 1:
        raise ValueError(f"combine: tables of different contracts {sorted(names)}")
    name = names.pop()
    contract = CONTRACTS[name]
    files = ", ".join(t.source.file for t in tables)
    bases = {t.source.basis for t in tables}
    if len(bases) > 1:
        raise fail(files, "count " + name + " on different bases (" + "; ".join(sorted(bases))
                   + ")", "files on one basis: import NOMIS registrations and ONS death-cohort "
                   "tables separately")
    if name == "neighbours" and len({t.source.model for t in tables}) > 1:
        raise fail(files, "are different statistical-neighbour models ("
                   + ", ".join(t.source.model for t in tables) + ")",
                   "one model per neighbours.csv: import each into its own folder")
    if len(tables) == 1:
        return tables[0]
    key = contract.key
    groups: dict[tuple[str, ...], list[NationalTable]] = {}
    for t in tables:
        groups.setdefault(t.columns_present, []).append(t)
    problems: list[Problem] = []
    parts = []
    for present, ts in groups.items():
        frame = pd.concat([t.frame.assign(_file=t.source.file) for t in ts], ignore_index=True)
        parts.append((present, _drop_repeats(frame, key, list(present), problems)))
    if problems:
        raise DataError(problems)
    values = [[c for c in present if c not in key] for present, _ in parts]
    flat = [c for v in values for c in v]
    if len(flat) != len(set(flat)):
        raise fail(files, "give the same columns in different shapes",
                   "files that each give all of " + ", ".join(contract.names)
                   + " or that split them without overlap")
    merged = None
    for i, ((_, frame), cols) in enumerate(zip(parts, values, strict=True)):
        frame = frame[[*key, *cols, "_file"]].rename(columns={"_file": f"_file{i}"})
        merged = frame if merged is None else merged.merge(frame, on=key, how="outer")
    assert merged is not None
    if len(parts) > 1:
        for i, cols in enumerate(values):
            lacking = merged[f"_file{i}"].isna()
            if lacking.any():
                r = merged[lacking].iloc[0]
                given = sorted({merged.at[j, f"_file{k}"] for j in merged.index[lacking]
                                for k in range(len(parts)) if k != i
                                and pd.notna(merged.at[j, f"_file{k}"])})
                problems.append(problem(
                    ", ".join(given), None, ", ".join(cols), None,
                    "the same areas and years in every file that is joined",
                    f"has {int(lacking.sum())} row(s) with no {', '.join(cols)} in "
                    f"{', '.join(sorted(set(merged[f'_file{i}'].dropna())))}, e.g. "
                    + " ".join(str(r[k]) for k in key)))
    if problems:
        raise DataError(problems)
    present_all = tuple(c for c in contract.names if c in key or c in flat)
    for c in contract.names:
        if c not in merged:
            merged[c] = pd.NA
    frame = typed(merged[contract.names].sort_values(key, kind="stable"), contract)
    missing = pd.concat([t.missing for t in tables], ignore_index=True).drop_duplicates(
        ignore_index=True)
    first = tables[0].source
    notes = tuple(n for t in tables for n in (f"{t.source.file}: {x}" for x in t.source.notes))
    source = replace(first, file=files, release="; ".join(dict.fromkeys(
        t.source.release for t in tables)), title="; ".join(dict.fromkeys(
            t.source.title for t in tables)), notes=notes)
    return NationalTable(name, frame, missing, source, "+".join(dict.fromkeys(
        t.layout for t in tables)), present_all)


def _drop_repeats(frame: pd.DataFrame, key: list[str], cols: list[str],
                  problems: list[Problem]) -> pd.DataFrame:
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame
    values = [c for c in cols if c not in key]
    for _, g in frame[dup].groupby(key, sort=False, dropna=False):
        first = g.iloc[0]
        for _, other in g.iloc[1:].iterrows():
            for c in values:
                a, b = first[c], other[c]
                if not ((pd.isna(a) and pd.isna(b)) or (pd.notna(a) and pd.notna(b)
                                                         and a == b)):
                    problems.append(problem(
                        other["_file"], None, c, None,
                        f"the same {c} as {first['_file']} ({a})",
                        f"gives {b} for {' '.join(str(first[k]) for k in key)}, which "
                        f"{first['_file']} also has"))
                    break
    return frame.drop_duplicates(key, keep="first")


# --------------------------------------------------------------------------------------------
# import into data/
# --------------------------------------------------------------------------------------------
PROVENANCE_FILE = ".provenance.csv"
MISSING_FILE = ".missing.csv"
PROVENANCE_COLUMNS = ["file", "contract", "source_file", "publisher", "title", "release",
                      "licence", "basis", "model", "sha256"]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _csv_text(table: NationalTable) -> str:
    """The tidy CSV text; a cell read as missing is written as its data/ marker."""
    frame = table.frame.copy()
    contract = CONTRACTS[table.contract]
    for col in contract.columns:
        if col.kind == "date":
            frame[col.name] = frame[col.name].dt.strftime("%Y-%m-%d")
    if len(table.missing) and contract.name != "fingertips":
        key = contract.key
        period_col = next(c for c in ("financial_year", "year") if c in key)
        frame = frame.astype({c: "object" for c in frame.columns if c not in key})
        where: dict[tuple[str, str], list[int]] = {}
        for i, (a, p) in enumerate(zip(frame["area_code"], frame[period_col], strict=True)):
            where.setdefault((a, str(p)), []).append(i)
        for r in table.missing.itertuples(index=False):
            if r.column in frame:
                j = frame.columns.get_loc(r.column)
                for i in where.get((r.area_code, r.period), []):
                    frame.iat[i, j] = CSV_MARKER.get(r.marker, "x")
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")


def _outputs(tables: list[NationalTable]) -> dict[str, NationalTable]:
    by_contract: dict[str, list[NationalTable]] = {}
    for t in tables:
        by_contract.setdefault(t.contract, []).append(t)
    out = {}
    for name, ts in by_contract.items():
        table = combine(ts)
        contract = CONTRACTS[name]
        if name == "fingertips":
            ids = "_".join(str(i) for i in sorted(set(table.frame["indicator_id"])))
            filename = f"fingertips_tidy_{ids}.csv"
        else:
            filename = contract.filename
        incomplete = [c for c in contract.names if c not in table.columns_present]
        if incomplete:
            raise fail(table.source.file, f"give(s) no {', '.join(incomplete)}",
                       f"the files that complete {contract.filename} (e.g. NOMIS births "
                       "and NOMIS deaths together)")
        out[filename] = table
    return out


def import_files(paths: Iterable[str | Path], data_dir: str | Path,
                 **options: Any) -> list[Path]:
    """Read national downloads and write their tidy CSVs into ``data_dir``.

    Tables of one contract are combined (:func:`combine`), e.g. NOMIS births + deaths ->
    ``births_deaths.csv``. A DfE EES CSV among ``paths`` also serves as ``la_codes`` for
    neighbour tables and ``regions`` for the LTLA-UTLA lookup unless those are given.
    Cells read as missing are written as the marker data/ readers accept (``c``, ``x``, ...)
    and listed with the publisher's own marker and reason in ``data_dir/.missing.csv``;
    ``data_dir/.provenance.csv`` records, for every file written, the source file, publisher,
    title, release, licence and SHA-256 of the source.

    Everything is read and checked before anything is written; each file is written to a
    temporary file and renamed into place. On any error nothing is written.

    Parameters
    ----------
    paths : iterable of str or Path
        The downloads, as published.
    data_dir : str or Path
        The folder to write into (created if absent).
    **options
        Passed to :func:`read` (e.g. ``la_codes``, ``regions``, ``period_kind``).

    Returns
    -------
    list of Path
        The tidy CSVs written (not the two hidden records).
    """
    paths = [Path(p) for p in paths]
    layouts = {p: recognise(p) for p in paths}
    ees = [p for p, lay in layouts.items() if lay in ("dfe_cin_referrals", "dfe_population")]
    if ees:
        cin = [p for p in ees if layouts[p] == "dfe_cin_referrals"] or ees
        options.setdefault("la_codes", cin[0])
        options.setdefault("regions", cin[0])
    tables: list[NationalTable] = []
    for p in paths:
        lay = layouts[p]
        opts = {k: v for k, v in options.items() if _accepts(lay, k)}
        tables.extend(read_tables(p, **opts))
    outputs = _outputs(tables)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    sha = {p.name: _sha256(p) for p in paths}
    texts = {name: _csv_text(t) for name, t in outputs.items()}
    prov_rows = []
    miss = []
    for name, t in outputs.items():
        for src in t.source.file.split(", "):
            prov_rows.append({"file": name, "contract": t.contract, "source_file": src,
                              "publisher": t.source.publisher, "title": t.source.title,
                              "release": t.source.release, "licence": t.source.licence,
                              "basis": t.source.basis, "model": t.source.model,
                              "sha256": sha.get(src, "")})
        if len(t.missing):
            miss.append(t.missing.assign(file=name))
    texts[PROVENANCE_FILE] = _merge_record(data_dir / PROVENANCE_FILE,
                                           pd.DataFrame(prov_rows, columns=PROVENANCE_COLUMNS))
    new_missing = (pd.concat(miss, ignore_index=True) if miss
                   else pd.DataFrame(columns=[*MISSING_COLUMNS, "file"]))
    texts[MISSING_FILE] = _merge_record(data_dir / MISSING_FILE,
                                        new_missing[["file", *MISSING_COLUMNS]],
                                        replace_files=list(outputs))
    _write_all(data_dir, texts)
    return [data_dir / name for name in outputs]


_READER_OPTIONS: dict[str, set[str]] = {
    "dfe_statistical_neighbours": {"model", "include_old"},
    "ons_ltla_utla_lookup": {"region_names", "england_only"},
    "ons_child_mortality": {"england_only"},
    "fingertips": {"period_kind"},
}


def _accepts(layout: str, option: str) -> bool:
    return option in _READER_OPTIONS.get(layout, set()) or option in ("la_codes", "regions")


def _merge_record(path: Path, new: pd.DataFrame,
                  replace_files: list[str] | None = None) -> str:
    """A hidden record's text: earlier rows for files not rewritten now, then ``new``."""
    if path.is_file():
        old = pd.read_csv(path, dtype="str", keep_default_na=False)
        gone = set(replace_files if replace_files is not None else new["file"])
        old = old[~old["file"].isin(gone)]
        new = pd.concat([old, new.astype("str")], ignore_index=True)
    return new.to_csv(index=False, lineterminator="\n")


def _write_all(data_dir: Path, texts: dict[str, str],
               _rename: Callable[[str, Path], None] | None = None) -> None:
    """Write every text to a temporary file, then rename each into place."""
    temps: list[tuple[str, Path]] = []
    try:
        for name, text in texts.items():
            fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".tmp", dir=data_dir)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            temps.append((tmp, data_dir / name))
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise
    rename = _rename or (lambda tmp, dest: os.replace(tmp, dest))
    for tmp, dest in temps:
        rename(tmp, dest)


__all__ = ["LAYOUTS", "CONTRACTS", "recognise", "read", "read_tables", "combine",
           "import_files"]
