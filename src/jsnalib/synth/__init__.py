"""The deterministic synthetic default data in data/, calibrated to the published figures.

No real record-level data can ship with a public project, so data/ holds a synthetic world made
here: record-level referrals to children's social care and NCMP measurements, the aggregates
an analyst really receives (births and infant deaths, population, the DfE children in need
census, a Fingertips export) and the published headline figures as data. The same seed always
gives byte-identical files (``python -m jsnalib.synth data`` regenerates them; a test checks).

The world is designed in :mod:`jsnalib.synth.world` (sizes, trends, deprivation profiles,
published anchors) and drawn by :mod:`~jsnalib.synth.births`, :mod:`~jsnalib.synth.referrals`
and :mod:`~jsnalib.synth.ncmp`. Where a document publishes a figure the data can express, the
data are drawn *conditional* on it (e.g. the deaths of Stoke-on-Trent's 2017-19 are the
published 7.5 per 1,000 times its births, shared among the years at random), so each published
figure is reproduced on the data to within rounding; everything else is random around the
designed trend. tests/test_calibration.py lists every published figure with its value on the
data and its confidence interval.

Lookups are data too: ``areas.csv`` and ``neighbours.csv`` are read (from ``lookups``, by
default the output folder if it has them, else the repository's data/), so a different
neighbour set gives census rows for those neighbours.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import SYNTHETIC_MANIFEST
from jsnalib.synth import births, ncmp, referrals, world
from jsnalib.synth._io import fixed, stream, write_csv

__all__ = ["DEFAULT_SEED", "FILES", "generate", "published_figures"]

DEFAULT_SEED = 20261122
FILES = ("births_deaths.csv", "births_deaths_imd.csv", "population.csv", "referrals.csv.gz",
         "cin_census.csv", "ncmp.csv.gz", "fingertips_ncmp.csv", "published_figures.csv")
"""The files :func:`generate` writes, in order."""

_LOOKUPS = ("areas.csv", "neighbours.csv")


def _lookup_dir(out_dir: Path, lookups: str | Path | None) -> Path:
    candidates = [Path(lookups)] if lookups is not None else [
        out_dir, Path(__file__).resolve().parents[3] / "data"]
    for folder in candidates:
        if all((folder / name).is_file() for name in _LOOKUPS):
            return folder
    raise ValueError(f"areas.csv and neighbours.csv not found in {', '.join(map(str, candidates))}"
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
             lookups: str | Path | None = None) -> list[Path]:
    """Write the synthetic default data files into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        The folder to write to (created if absent). Existing files of the same names are
        replaced; areas.csv, neighbours.csv and anything else are left alone.
    seed : int
        The random seed; the same seed gives byte-identical files.
    lookups : str or Path, optional
        The folder with areas.csv and neighbours.csv (default: ``out_dir`` if it has them,
        else the repository's data/).

    Returns
    -------
    list of Path
        The files written, in the order of :data:`FILES`.

    Raises
    ------
    ValueError
        If the lookups cannot be found or the seed is not a non-negative whole number.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    out_dir = Path(out_dir)
    source = _lookup_dir(out_dir, lookups)
    areas = pd.read_csv(source / "areas.csv", dtype=str, keep_default_na=False)
    neighbours = pd.read_csv(source / "neighbours.csv", dtype={"area_code": str,
                                                               "neighbour_code": str})
    neighbours = neighbours.merge(areas[["area_code", "area_type"]].rename(
        columns={"area_code": "neighbour_code"}), on="neighbour_code", how="left")
    unknown = neighbours.loc[neighbours["area_type"].isna(), "neighbour_code"].tolist()
    if unknown:
        raise ValueError(f"neighbours.csv names areas missing from areas.csv: {unknown}")
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))

    population = births.population(stream(seed, "population"),
                                   neighbours.drop_duplicates("neighbour_code"))
    births_deaths, births_deaths_imd = births.births_deaths(stream(seed, "births"))
    records = referrals.referrals(stream(seed, "referrals"), population)
    census = referrals.cin_census(stream(seed, "cin_census"), population, neighbours, records)
    measurements, errors = ncmp.ncmp(stream(seed, "ncmp"))
    benchmarks = ncmp.fingertips(measurements, errors, names)
    measurements = measurements.assign(height_cm=fixed(measurements["height_cm"], 1),
                                       weight_kg=fixed(measurements["weight_kg"], 1))
    frames = dict(zip(FILES, (births_deaths, births_deaths_imd, population, records, census,
                              measurements, benchmarks, published_figures()), strict=True))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_csv(frame, out_dir / name) for name, frame in frames.items()]
    return [*written, write_manifest(written, out_dir / SYNTHETIC_MANIFEST)]


def write_manifest(paths: list[Path], manifest: Path) -> Path:
    """Record the SHA-256 of each generated file, so pages can say whether the data they show is
    this synthetic default (unchanged bytes) or an analyst's replacement."""
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
    manifest.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
