"""Reading the infant mortality chapter's inputs: births and deaths, by local deprivation
quintile, England's by deprivation decile (ONS death cohort), the published local figures, and
the area lookups (reading only, through :mod:`jsnalib.inputs.readers`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jsnalib.inputs.contracts import (
    BIRTHS_DEATHS,
    BIRTHS_DEATHS_IMD,
    BIRTHS_DEATHS_IMD_DECILE,
    PUBLISHED_FIGURES,
)
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.readers import (
    find_file,
    load_geography,
    read_births_deaths,
    read_births_deaths_imd_decile,
    read_published_figures,
)
from jsnalib.report.display import is_synthetic

#: The data files the page reads (listed in its data notice); the area lookups come on top.
#: births_deaths_imd_decile.csv is optional (without it the page says the England gradient is
#: missing).
DATA_CONTRACTS = (BIRTHS_DEATHS, BIRTHS_DEATHS_IMD_DECILE, BIRTHS_DEATHS_IMD, PUBLISHED_FIGURES)
_COUNTS = ["area_code", "year", "live_births", "infant_deaths"]
DECILE_COUNTS = ["area_code", "year", "imd_decile", "live_births", "infant_deaths"]


def _no_deciles() -> pd.DataFrame:
    return pd.DataFrame(columns=DECILE_COUNTS)


@dataclass(frozen=True)
class Inputs:
    """The chapter's inputs for one area, read and validated.

    Attributes
    ----------
    geography : Geography
        The areas and their hierarchy (areas.csv, neighbours.csv).
    area_code : str
        The page's area (GSS code).
    births_deaths : pandas.DataFrame
        area_code, year, live_births, infant_deaths (counts) for every area in births_deaths.csv.
    by_deprivation : pandas.DataFrame
        The same plus imd_quintile (1 most deprived to 5), from births_deaths_imd.csv.
    published : pandas.DataFrame
        The published_figures.csv rows about infant mortality.
    england_deciles : pandas.DataFrame
        England's area_code, year, imd_decile (1 most deprived to 10), live_births,
        infant_deaths on the ONS death-cohort basis (births_deaths_imd_decile.csv; empty
        without it).
    deprivation_synthetic : bool
        True when births_deaths_imd.csv is the synthetic demonstration file (data/synthetic.json):
        its local quintiles describe no real area and are not shown.
    """

    geography: Geography
    area_code: str
    births_deaths: pd.DataFrame
    by_deprivation: pd.DataFrame
    published: pd.DataFrame
    england_deciles: pd.DataFrame = field(default_factory=_no_deciles)
    deprivation_synthetic: bool = False


def load(data_dir: str | Path, area_code: str) -> Inputs:
    """Read the chapter's files from ``data_dir`` for the page of ``area_code``.

    Parameters
    ----------
    data_dir : str or Path
        The folder holding births_deaths.csv, births_deaths_imd.csv, published_figures.csv and
        the area lookups.
    area_code : str
        The page's area; it must be in areas.csv.

    Returns
    -------
    Inputs

    Raises
    ------
    jsnalib.inputs.readers.DataError
        Naming file, row and column when a file is malformed.
    ValueError
        When ``area_code`` is not in areas.csv.
    """
    folder = Path(data_dir)
    geography = load_geography(folder)
    if not geography.is_known(area_code):
        raise ValueError(f"area_code {area_code!r} is not an area code in areas.csv")
    births = read_births_deaths(find_file(folder, BIRTHS_DEATHS.filename), geography)
    local = find_file(folder, BIRTHS_DEATHS_IMD.filename)
    deprivation = read_births_deaths(local, geography)
    published = read_published_figures(find_file(folder, PUBLISHED_FIGURES.filename), geography)
    published = published[published["topic"] == "infant_mortality"].reset_index(drop=True)
    deciles = folder / BIRTHS_DEATHS_IMD_DECILE.filename
    england = (read_births_deaths_imd_decile(deciles, geography)[DECILE_COUNTS]
               if deciles.is_file() else _no_deciles())
    return Inputs(geography, area_code, births[_COUNTS].reset_index(drop=True),
                  deprivation[[*_COUNTS[:2], "imd_quintile", *_COUNTS[2:]]].reset_index(drop=True),
                  published, england.reset_index(drop=True),
                  is_synthetic(folder, [local.name]))
