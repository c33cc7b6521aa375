"""`jsna init CODE [CODE ...]`: set the book's home authorities from the national lookups.

Writes three files, nothing else:

* ``jsna.yml`` at the project root: the home authorities (upper-tier GSS codes) and the DfE
  statistical-neighbour model, with comments, so an analyst can read and edit it;
* ``data/areas.csv``: England, every region, every upper-tier authority (current ones from the
  ONS April 2023 LTLA-UTLA lookup; retired ones, which the 2013-2022 series still use, from the
  DfE children in need CSV, with their ``end_year``) and the home authorities' districts;
* ``data/neighbours.csv``: each home authority's DfE statistical neighbours in the published
  rank order.

Everything is read from ``data/national/`` (the national downloads as published, see
data/README.md). Codes that are unknown, retired, lower-tier, a region or the country are
refused with a message naming the code and what was expected. Nothing is written on failure.

Then the synthetic demonstration records (``referrals.csv.gz``, ``ncmp.csv.gz``) and
aggregates are made again for the new home authorities and their districts by
:func:`jsnalib.synth.generate` (calibrated to their real DfE and Fingertips series; the manifest
``data/synthetic.json`` is rewritten), unless ``synthetic=False`` (``--no-synthetic``): then the
synthetic record files are removed, so the record-based sections say what is missing until the
council's own extracts are added.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from jsnalib.inputs import national
from jsnalib.inputs.contracts import (
    AREAS_FILE,
    GSS_PATTERN,
    NCMP,
    NEIGHBOURS_FILE,
    REFERRALS,
    SYNTHETIC_MANIFEST,
)
from jsnalib.inputs.national.lookups import RETIRED
from jsnalib.inputs.readers import DataError

CONFIG_FILE = "jsna.yml"
NATIONAL_DIR = Path("data") / "national"
LOOKUP = "LTLA-UTLA_Apr23_Lookup_England-Wales.csv"
CIN = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
MODELS = {"2025": "sn_model_2025_wide.csv", "2021": "New_Statistical_Neighbour_Groupings_April_2021.csv"}

_CONFIG_TEXT = """\
# The JSNA book's configuration, written by `jsna init` (you may edit it, then run
# `jsna init` again with the same codes, or edit data/areas.csv and data/neighbours.csv).
#
# home_authorities: the upper-tier local authorities (ONS GSS codes) the book is about: a
#   county, unitary authority, metropolitan district or London borough. Their districts, region
#   and England are added to data/areas.csv; each gets its pages (see notebooks/runs.yml:
#   `foreach_area: jsna_areas` = these and their districts, `home_authorities` = these).
# neighbour_model: the DfE children's services statistical-neighbour model whose 10
#   neighbours per authority are written to data/neighbours.csv ("2025" or "2021").
home_authorities: [{codes}]
neighbour_model: "{model}"
"""


class InitError(ValueError):
    """A code or a national lookup that `jsna init` cannot use; the message says why."""


def _tier(code: str) -> str:
    if code.startswith(("E08", "E09")):
        return "metropolitan"
    return "county" if code.startswith("E10") else "unitary"


def _national(root: Path, name: str) -> Path:
    path = root / NATIONAL_DIR / name
    if not path.is_file():
        raise InitError(f"{NATIONAL_DIR / name} is missing: expected the national download as "
                        "published (see data/README.md, 'The national downloads')")
    return path


def national_areas(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every area the national series use, and every district's upper tier.

    Returns
    -------
    areas : DataFrame
        area_code, area_name, area_type, parent_code, end_year (blank for current codes):
        England, the regions, current upper-tier authorities (ONS April 2023 lookup) and
        retired ones (named and placed in their region by the DfE children in need CSV).
    districts : DataFrame
        The same columns (no end_year) for the districts of the two-tier counties.
    """
    cin = _national(root, CIN)
    try:
        lookup = national.read(_national(root, LOOKUP), regions=cin).frame
    except DataError as exc:
        raise InitError(str(exc)) from exc
    lookup = lookup.astype({"parent_code": "object"})
    districts = lookup[lookup["area_type"] == "district"]
    upper = lookup[lookup["area_type"] != "district"].assign(end_year=pd.NA)
    c1 = pd.read_csv(cin, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    la = c1[c1["geographic_level"] == "Local authority"]
    regions, _ = national.la_regions(cin)
    last = la.groupby("new_la_code")["time_period"].max()
    names = dict(zip(la["new_la_code"], la["la_name"], strict=True))
    retired = [{"area_code": code, "area_name": names[code], "area_type": _tier(code),
                "parent_code": regions[code], "end_year": int(last[code][:4])}
               for code in sorted(set(la["new_la_code"]) - set(lookup["area_code"]))]
    unlisted = sorted({r["area_code"] for r in retired} - set(RETIRED))
    if unlisted:
        raise InitError(f"{CIN} has authorities that are not in {LOOKUP} and not known to have "
                        f"been abolished: {', '.join(unlisted)}")
    areas = pd.concat([upper, pd.DataFrame(retired)], ignore_index=True)
    return areas, districts


def _refuse(code: str, areas: pd.DataFrame, districts: dict[str, str]) -> str | None:
    """Why ``code`` cannot be a home authority (None if it can)."""
    expected = ("expected the GSS code of a current upper-tier local authority (county, "
                "unitary, metropolitan district or London borough), as listed in data/national/"
                f"{LOOKUP}")
    name = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    kind = dict(zip(areas["area_code"], areas["area_type"], strict=True))
    if not re.fullmatch(GSS_PATTERN, code):
        return f"{code!r} is not an ONS GSS code (a letter and 8 digits); {expected}"
    if code in RETIRED:
        year, successors = RETIRED[code]
        return (f"{code} {name.get(code, '')} is retired: replaced by "
                + " and ".join(f"{s} {name.get(s, '')}" for s in successors)
                + f" in April {year}; {expected}")
    if code in districts:
        parent = districts[code]
        return (f"{code} is a district (lower tier) of {parent} {name[parent]}; {expected} "
                f"(use {parent}: its districts are added to areas.csv)")
    if kind.get(code) in ("country", "region"):
        return f"{code} {name[code]} is a {kind[code]}; {expected}"
    if code not in name:
        return f"{code} is not an upper-tier authority in England in {LOOKUP}; {expected}"
    return None


def all_authorities(root: Path) -> list[str]:
    """Every current upper-tier authority in England (the ONS April 2023 lookup; codes retired
    before then excluded), ordered by region code then authority code: the national book's
    home authorities (``jsna init --all``)."""
    areas, _ = national_areas(root)
    current = areas[areas["end_year"].isna() & ~areas["area_type"].isin(("country", "region"))]
    return current.sort_values(["parent_code", "area_code"])["area_code"].tolist()


def districts_in_records(root: Path) -> set[str]:
    """Area codes named by the record-level files in ``root/data`` (referrals, NCMP
    measurements): ``jsna init --all`` keeps these districts, so existing extracts stay valid."""
    from jsnalib.inputs.contracts import CONTRACTS

    named: set[str] = set()
    for contract in CONTRACTS.values():
        columns = [c.name for c in contract.columns if c.area in ("home", "lowest")]
        plain = contract.filename.removesuffix(".gz")
        path = next((root / "data" / n for n in (plain, plain + ".gz")
                     if (root / "data" / n).is_file()), None)
        if columns and path is not None:
            frame = pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False)
            named.update(frame.stack().unique())
    return named


def build_lookups(root: Path, codes: Sequence[str], model: str = "2025",
                  districts: bool | Sequence[str] = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The areas.csv and neighbours.csv frames for these home authorities and their districts
    (``districts``: True for every district of a home county, False for none, or a list of
    district codes to keep).

    Raises
    ------
    InitError
        A code cannot be a home authority, has no neighbour set in the model, or a national
        lookup is missing; every refused code is named.
    """
    if model not in MODELS:
        raise InitError(f"neighbour model {model!r}: expected one of {', '.join(MODELS)}")
    if not codes:
        raise InitError("no home authority given: expected one or more upper-tier GSS codes")
    codes = list(dict.fromkeys(c.strip() for c in codes))
    areas, district_rows = national_areas(root)
    lower = dict(zip(district_rows["area_code"], district_rows["parent_code"], strict=True))
    reasons = [r for r in (_refuse(c, areas, lower) for c in codes) if r]
    if reasons:
        raise InitError("; ".join(reasons))
    try:
        sn = national.read(_national(root, MODELS[model]), la_codes=_national(root, CIN)).frame
    except DataError as exc:
        raise InitError(str(exc)) from exc
    neighbours = pd.concat([sn[sn["area_code"] == c].sort_values("rank") for c in codes],
                           ignore_index=True)
    lacking = [c for c in codes if c not in set(neighbours["area_code"])]
    if lacking:
        raise InitError(f"{', '.join(lacking)} has no statistical neighbours in the DfE {model} "
                        f"model ({MODELS[model]}); expected an authority the model covers")
    unknown = sorted(set(neighbours["neighbour_code"]) - set(areas["area_code"]))
    if unknown:
        raise InitError(f"the DfE {model} neighbours {', '.join(unknown)} are not in {LOOKUP} "
                        f"or {CIN}")
    by_code = areas.set_index("area_code", drop=False)
    home_regions = list(dict.fromkeys(by_code.at[c, "parent_code"] for c in codes))
    country = areas.loc[areas["area_type"] == "country", "area_code"].iloc[0]
    first = [country, *home_regions, *codes]
    rest = by_code.drop(index=first).reset_index(drop=True)
    rest = rest.assign(_tier=(rest["area_type"] != "region").astype(int)).sort_values(
        ["_tier", "area_code"]).drop(columns="_tier")
    own = district_rows[district_rows["parent_code"].isin(codes)]
    if districts is not True:
        own = own[own["area_code"].isin(list(districts or []))]
    own = own.assign(end_year=pd.NA)
    own = own.assign(_home=own["parent_code"].map({c: i for i, c in enumerate(codes)}))
    own = own.sort_values(["_home", "area_code"]).drop(columns="_home")
    out = pd.concat([by_code.loc[first].reset_index(drop=True), own, rest], ignore_index=True)
    out = out[["area_code", "area_name", "area_type", "parent_code", "end_year"]]
    return out, neighbours[["area_code", "neighbour_code", "rank"]]


def _write_atomically(texts: dict[Path, str]) -> None:
    temps = []
    try:
        for dest, text in texts.items():
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="." + dest.name + ".", suffix=".tmp",
                                       dir=dest.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            temps.append((tmp, dest))
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, dest in temps:
        os.replace(tmp, dest)


def lookup_provenance(root: Path, model: str = "2025") -> str:
    """``data/.provenance.csv`` with the rows of ``areas.csv`` and ``neighbours.csv`` (the ONS
    lookup and the DfE neighbour model they come from, with its sha256), other rows kept: the
    pages' sources then state the neighbour model and the lookup's release."""
    import hashlib

    def digest(name: str) -> str:
        return hashlib.sha256(_national(root, name).read_bytes()).hexdigest()

    licence = "Open Government Licence v3.0"
    rows = pd.DataFrame([
        {"file": AREAS_FILE, "contract": "areas", "source_file": LOOKUP,
         "publisher": "Office for National Statistics",
         "title": "Lower tier to upper tier local authority lookup", "release": "April 2023",
         "licence": licence, "basis": "", "model": "", "sha256": digest(LOOKUP)},
        {"file": NEIGHBOURS_FILE, "contract": "neighbours", "source_file": MODELS[model],
         "publisher": "Department for Education",
         "title": "Children's services statistical neighbours",
         "release": f"the {model} statistical-neighbour model", "licence": licence,
         "basis": "", "model": model, "sha256": digest(MODELS[model])}],
        columns=national.PROVENANCE_COLUMNS)
    path = root / "data" / national.PROVENANCE_FILE
    if path.is_file():
        old = pd.read_csv(path, dtype="str", keep_default_na=False)
        rows = pd.concat([old[~old["file"].isin([AREAS_FILE, NEIGHBOURS_FILE])], rows],
                         ignore_index=True)
    return rows.to_csv(index=False, lineterminator="\n")


def init_project(root: Path, codes: Sequence[str], model: str = "2025",
                 districts: bool | Sequence[str] = True, synthetic: bool | None = True
                 ) -> list[Path]:
    """Write ``jsna.yml``, ``data/areas.csv`` and ``data/neighbours.csv`` for ``codes``, and
    make the synthetic records for them (or remove them, or leave them).

    Parameters
    ----------
    root : Path
        The project folder (holding ``data/national/``).
    codes : sequence of str
        Home authorities: upper-tier GSS codes, e.g. ``["E10000028", "E06000021"]``.
    model : str
        DfE statistical-neighbour model, "2025" (default) or "2021".
    districts : bool or sequence of str
        The districts of home counties to add (each gets its own pages): True for all (the
        default), False for none, or the codes to keep.
    synthetic : bool or None
        True (default): regenerate the synthetic files for the new home authorities when
        ``data/`` has synthetic files (a ``synthetic.json`` manifest; a folder without one
        gets none). False: remove the synthetic record files (referrals, NCMP) and drop them
        from the manifest. None: leave them as they are (the national book: records for about
        150 authorities would be far too large to ship, so pages say what is missing).

    Returns
    -------
    list of Path
        The files written (the three above, then the synthetic files and the manifest).

    Raises
    ------
    InitError
        A code cannot be a home authority, or the synthetic records cannot be made for it
        (e.g. DfE publishes no referrals for it); nothing is written then.
    """
    root = Path(root)
    areas, neighbours = build_lookups(root, codes, model, districts)
    homes = list(dict.fromkeys(neighbours["area_code"]))
    data = root / "data"
    texts = {
        root / CONFIG_FILE: _CONFIG_TEXT.format(model=model, codes=",\n  ".join(
            ", ".join(homes[i:i + 8]) for i in range(0, len(homes), 8))),
        data / AREAS_FILE: areas.to_csv(index=False, lineterminator="\n"),
        data / NEIGHBOURS_FILE: neighbours.to_csv(index=False, lineterminator="\n"),
        data / national.PROVENANCE_FILE: lookup_provenance(root, model),
    }
    if synthetic is None:
        _write_atomically(texts)
        return list(texts)
    if not synthetic:
        _write_atomically(texts)
        return [*texts, *_remove_synthetic_records(data)]
    if not (data / SYNTHETIC_MANIFEST).is_file():  # no synthetic data to follow the change
        _write_atomically(texts)
        return list(texts)
    data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".jsna-init-", dir=data) as scratch:
        folder = Path(scratch)
        for name, text in ((AREAS_FILE, texts[data / AREAS_FILE]),
                           (NEIGHBOURS_FILE, texts[data / NEIGHBOURS_FILE])):
            (folder / name).write_text(text, encoding="utf-8")
        from jsnalib.synth import SYNTH_LOOKUPS, generate

        for name in SYNTH_LOOKUPS:
            if not (folder / name).is_file() and (data / name).is_file():
                shutil.copy(data / name, folder / name)
        out = folder / "out"
        try:
            made = generate(out, lookups=folder)
        except ValueError as exc:
            raise InitError(f"the synthetic records cannot be made for {', '.join(homes)}: "
                            f"{exc} (run `jsna init --no-synthetic` to go without them)"
                            ) from exc
        _write_atomically(texts)
        for path in made:
            os.replace(path, data / path.name)
    return [*texts, *(data / path.name for path in made)]


def _remove_synthetic_records(data: Path) -> list[Path]:
    """Delete the synthetic record files listed in ``data/synthetic.json`` and drop them from
    it; the manifest is returned if rewritten."""
    manifest = data / SYNTHETIC_MANIFEST
    if not manifest.is_file():
        return []
    listed = json.loads(manifest.read_text(encoding="utf-8"))
    records = {REFERRALS.filename, NCMP.filename}
    for name in sorted(records & set(listed)):
        (data / name).unlink(missing_ok=True)
    kept = {name: digest for name, digest in listed.items() if name not in records}
    _write_atomically({manifest: json.dumps(kept, indent=2, sort_keys=True) + "\n"})
    return [manifest]


def read_config(root: Path) -> dict[str, object]:
    """The home authorities and neighbour model in ``root/jsna.yml`` (empty if absent)."""
    import yaml

    path = Path(root) / CONFIG_FILE
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
