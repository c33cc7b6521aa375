"""The deterministic synthetic files of data/: only where nothing public exists.

No real record-level data can ship with a public project, so data/ holds synthetic records made
here: referrals to children's social care and NCMP measurements, with two demonstration
aggregates drawn beside them (infant deaths by deprivation quintile and a Fingertips export of
the NCMP prevalences). Everything else in data/ is real (data/README.md) and is never written
here. The same seed always gives byte-identical files (``jsna synth data`` regenerates them; a
test checks), listed with their SHA-256 in ``synthetic.json``.

The record files are made for the book's home authorities (those with a neighbour set in
``neighbours.csv``, as ``jsna init`` writes them) and their districts, and calibrated year by
year to the real published series they stand in for: each authority's referrals and
re-referrals in DfE's children in need census (``cin_census.csv``), see
:mod:`~jsnalib.synth.referrals`, and each district's or unitary authority's obesity prevalence
as OHID Fingertips publishes it (``ncmp_published.csv``), see :mod:`~jsnalib.synth.ncmp`.
Every authority and area draws from its own random stream, seeded by the seed and its code.
The rest of the world is designed in :mod:`jsnalib.synth.world` (trends, deprivation profiles,
published anchors) and drawn by :mod:`~jsnalib.synth.births` and :mod:`~jsnalib.synth.ncmp`;
tests/test_calibration.py lists every published figure with its value on the data and its
confidence interval, tests/test_calibration_real.py checks the records against DfE and
Fingertips year by year.

Lookups are data too: ``areas.csv``, ``neighbours.csv``, ``cin_census.csv``,
``population.csv`` and ``ncmp_published.csv`` are read (from ``lookups``, by default the
output folder if it has them, else the repository's data/).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs import readers
from jsnalib.inputs.contracts import SYNTHETIC_MANIFEST
from jsnalib.synth import births, ncmp, referrals, world
from jsnalib.synth._io import fixed, stream, write_csv

__all__ = ["DEFAULT_SEED", "FILES", "SYNTH_LOOKUPS", "generate", "published_figures"]

DEFAULT_SEED = 20261122
FILES = ("births_deaths_imd.csv", "referrals.csv.gz", "ncmp.csv.gz", "fingertips_ncmp.csv")
"""The files :func:`generate` writes, in order: the synthetic ones only (those listed in
``synthetic.json``). The real files (``areas.csv``, ``neighbours.csv``, ``births_deaths.csv``,
``population.csv``, ``cin_census.csv``, ``published_figures.csv``) are never written."""

_LOOKUPS = ("areas.csv", "neighbours.csv")
_REAL = ("cin_census.csv", "population.csv", "ncmp_published.csv")
"""The real files the records are calibrated to and sized by, read from the lookups' folder."""
SYNTH_LOOKUPS = (*_LOOKUPS, *_REAL)
"""Every file :func:`generate` reads."""


def _lookup_dir(out_dir: Path, lookups: str | Path | None) -> Path:
    candidates = [Path(lookups)] if lookups is not None else [
        out_dir, Path(__file__).resolve().parents[3] / "data"]
    needed = SYNTH_LOOKUPS
    for folder in candidates:
        if all((folder / name).is_file() for name in needed):
            return folder
    raise ValueError(f"{', '.join(needed)} not found in {', '.join(map(str, candidates))}"
                     "; pass lookups= the folder that has them")


def published_figures() -> pd.DataFrame:
    """published_figures.csv: the figures of world.PUBLISHED with their sources."""
    columns = ["figure_id", "topic", "area_code", "indicator", "value", "unit", "period",
               "comparator_name", "comparator_value", "source"]
    rows = [(fid, topic, area, indicator, format(value, "g"), unit, period, comparator or "",
             "" if comparator_value is None else format(comparator_value, "g"),
             f"{world.DOCUMENTS[document]} line {line}")
            for (fid, topic, area, indicator, value, unit, period, comparator, comparator_value,
                 document, line) in world.PUBLISHED]
    return pd.DataFrame(rows, columns=columns)


def generate(out_dir: str | Path, seed: int = DEFAULT_SEED,
             lookups: str | Path | None = None, first_year: int | None = None) -> list[Path]:
    """Write the synthetic default data files into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        The folder to write to (created if absent). The files of :data:`FILES` and the
        manifest are replaced; the real files and anything else are left alone.
    seed : int
        The random seed; the same seed gives byte-identical files.
    lookups : str or Path, optional
        The folder with areas.csv, neighbours.csv and the real cin_census.csv, population.csv
        and ncmp_published.csv (default: ``out_dir`` if it has them, else the repository's
        data/).
    first_year : int, optional
        Make records only from this year on (the financial year and the academic year that
        start in it) to the last published one: a quicker, shorter demonstration. Default:
        every year (referrals from the year before DfE's first, NCMP from 2006/07).

    Returns
    -------
    list of Path
        The files written, in the order of :data:`FILES`.

    Raises
    ------
    ValueError
        If the lookups cannot be found, cin_census.csv or population.csv lack an authority
        the records are calibrated to or sized by, or the seed is not a non-negative whole
        number.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    out_dir = Path(out_dir)
    source = _lookup_dir(out_dir, lookups)
    geography = readers.load_geography(source)
    names = geography.names
    census = readers.read_cin_census(source / "cin_census.csv", geography)
    population = readers.read_population(source / "population.csv", geography)
    published = readers.read_ncmp_published(source / "ncmp_published.csv")
    homes = geography.home_authorities()
    lowest = geography.lowest_tier()
    areas = {a: (geography.upper_tier(a),
                 [b for b in lowest if geography.upper_tier(b) == geography.upper_tier(a)])
             for a in lowest}
    regions: dict[str, list[str]] = {}
    for area in lowest:
        region = geography.region(area)
        if region is not None:
            regions.setdefault(region, []).append(area)
    ncmp_years = world.NCMP_YEARS
    if first_year is not None:
        ncmp_years = ncmp_years[ncmp_years >= first_year]

    _, births_deaths_imd = births.births_deaths(stream(seed, "births"))
    records = referrals.referrals(seed, homes, census, population, first_year=first_year)
    measurements, errors = ncmp.ncmp(seed, areas, population, published, ncmp_years)
    benchmarks = ncmp.fingertips(measurements, errors, names, geography.country(), regions,
                                 population)
    measurements = measurements.assign(height_cm=fixed(measurements["height_cm"], 1),
                                       weight_kg=fixed(measurements["weight_kg"], 1))
    frames = dict(zip(FILES, (births_deaths_imd, records, measurements, benchmarks),
                      strict=True))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_csv(frame, out_dir / name) for name, frame in frames.items()]
    return [*written, write_manifest(written, out_dir / SYNTHETIC_MANIFEST)]


def write_manifest(paths: list[Path], manifest: Path) -> Path:
    """Record the SHA-256 of each generated file, so pages can say whether the data they show is
    this synthetic default (unchanged bytes) or an analyst's replacement."""
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
    manifest.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
