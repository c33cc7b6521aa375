"""Plausibility: the checks an epidemiologist makes before believing a file that is valid.

Validation (:mod:`jsnalib.inputs.readers`) proves a file is well formed: whole numbers, known
areas, deaths no more than births. It cannot see a typo that keeps a file well formed, such as
live births of 33 instead of 3,394, which turns a stable infant mortality rate into one falling
by 17% a year. These checks compare each value with what is plausible for the area:

- infant deaths consistent with a rate within :data:`INFANT_MORTALITY_RANGE` per 1,000 live
  births: a count is flagged only when chance could not plausibly give it (Poisson probability
  below :data:`IMPLAUSIBLE_P`) even at the edge of that range, so a small area's year with no
  infant deaths passes and 23 deaths among 33 births does not (England's rate has been 3.5-5.5
  since 2005; local authorities range from about 1 to 10);
- live births and referrals to children's social care as a share of the area's resident
  population aged 0-17 (population.csv) within :data:`BIRTHS_PER_CHILD` and
  :data:`REFERRALS_PER_CHILD` (England: about 5% and 5%);
- no change from one year to the next by more than :data:`BIRTHS_YEAR_FACTOR` (births) or
  :data:`REFERRALS_YEAR_FACTOR` (referrals), up or down.

Each check allows for chance: a value is flagged only when chance could not plausibly give it
(probability below :data:`IMPLAUSIBLE_P`) even at the edge of the range, so the Isles of
Scilly's 10 to 23 births a year or the City of London's few children pass, and a typo does not.

Each finding is a :class:`jsnalib.inputs.readers.Problem` naming file, row, column and value:
a warning by default, an error under ``jsna validate --strict`` / ``jsna build --strict``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binom, poisson

from jsnalib.inputs.contracts import BIRTHS_DEATHS, CIN_CENSUS, POPULATION
from jsnalib.inputs.readers import DataError, Problem, find_file, load_geography, read_with_rows

#: Plausible infant deaths per 1,000 live births (inclusive) in one area and calendar year.
INFANT_MORTALITY_RANGE = (0.5, 20.0)
#: One-sided Poisson probability below which a count of infant deaths is implausible even at
#: the edge of :data:`INFANT_MORTALITY_RANGE`.
IMPLAUSIBLE_P = 0.001
#: Plausible live births in a year per resident aged 0-17 (inclusive; England about 0.05).
BIRTHS_PER_CHILD = (0.02, 0.10)
#: Plausible referrals in a financial year per resident aged 0-17 (England about 0.05).
REFERRALS_PER_CHILD = (0.01, 0.20)
#: Largest plausible factor between consecutive years' live births of an area (30%).
BIRTHS_YEAR_FACTOR = 1.3
#: Largest plausible factor between consecutive years' referrals of an area: real series move a
#: lot when a council changes its front door (DfE 2013-2025: up to 3.6 times); a lost or extra
#: digit moves them tenfold.
REFERRALS_YEAR_FACTOR = 4.0
CHILD_AGE_GROUP = "0-17"
_CHECK = "a plausibility check: correct the value, or run without --strict if it is right"


def _pct(x: float) -> str:
    return f"{100 * x:.2g}%" if x < 0.1 else f"{100 * x:.0f}%"


def _change(ratio: float) -> str:
    if not np.isfinite(ratio):
        return "is not comparable with"
    if ratio >= 1:
        return f"is {ratio:,.1f} times"
    return f"is {100 * (1 - ratio):.1f}% below"


def _flag(problems: list[Problem], file: str, rows: np.ndarray, frame: pd.DataFrame,
          mask: pd.Series, column: str, issue: Callable[[pd.Series], str], expected: str) -> None:
    for position in np.flatnonzero(mask.fillna(False).to_numpy(bool)):
        row = frame.iloc[position]
        problems.append(Problem(file, int(rows[position]), column, f"{int(row[column])}",
                                f"{expected} ({_CHECK})", issue(row)))


def _children(population: pd.DataFrame | None) -> pd.DataFrame | None:
    if population is None:
        return None
    children = population[population["age_group"] == CHILD_AGE_GROUP]
    return children[["area_code", "year", "population"]].rename(columns={"population": "children"})


def _per_child(problems: list[Problem], file: str, rows: np.ndarray, frame: pd.DataFrame,
               children: pd.DataFrame | None, column: str, what: str,
               bounds: tuple[float, float]) -> None:
    if children is None:
        return
    merged = frame.merge(children, on=["area_code", "year"], how="left")
    count = merged[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    base = merged["children"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    lo, hi = bounds
    with np.errstate(invalid="ignore"):
        # outside the range by more than chance could give at its edge (a small area's count
        # moves a lot from year to year by chance alone)
        odd = ((poisson.cdf(count, base * lo) < IMPLAUSIBLE_P)
               | (poisson.sf(count - 1, base * hi) < IMPLAUSIBLE_P))
    _flag(problems, file, rows, merged, pd.Series(odd, index=merged.index), column,
          lambda r: (f"is {_pct(r[column] / r['children'])} of the {int(r['children']):,} "
                     f"residents aged {CHILD_AGE_GROUP} in {r['year']} (population.csv)"),
          f"{what} from {_pct(lo)} to {_pct(hi)} of the resident population aged "
          f"{CHILD_AGE_GROUP}")


def _year_on_year(problems: list[Problem], file: str, rows: np.ndarray, frame: pd.DataFrame,
                  column: str, what: str, factor: float) -> None:
    order = frame.assign(_row=rows).sort_values(["area_code", "year"], kind="stable")
    grouped = order.groupby("area_code", sort=False)
    previous = grouped[column].shift(1).astype("Float64")
    consecutive = (order["year"] - grouped["year"].shift(1)) == 1
    ratio = order[column].astype("Float64") / previous
    now = order[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    before = previous.to_numpy(dtype=float, na_value=np.nan)
    total = now + before
    share = factor / (1 + factor)  # this year's share of the two years at the largest change
    with np.errstate(invalid="ignore"):
        # beyond the factor by more than chance could give (binomial, given the two years' sum)
        unlikely = ((binom.sf(now - 1, total, share) < IMPLAUSIBLE_P)
                    | (binom.cdf(now, total, 1 - share) < IMPLAUSIBLE_P))
    jump = consecutive & ((ratio > factor) | (ratio < 1 / factor)) & pd.Series(
        unlikely, index=order.index)
    checked = order.assign(_previous=previous, _previous_row=grouped["_row"].shift(1))
    _flag(problems, file, order["_row"].to_numpy(), checked, jump, column,
          lambda r: (_change(r[column] / r["_previous"]) + f" the {int(r['_previous']):,} of the "
                     f"year before (row {int(r['_previous_row'])})"),
          f"{what} within a factor of {factor:g} of the year before, up or down")


def check_births(path: Path, population: pd.DataFrame | None, today: date | None = None,
                 geography: object | None = None) -> list[Problem]:
    """Plausibility of live births and infant deaths (births_deaths.csv)."""
    frame, rows = read_with_rows(BIRTHS_DEATHS, path, geography, today,
                                 check_areas=geography is not None)
    file, problems = path.name, []
    deaths = frame["infant_deaths"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    births = frame["live_births"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    lo, hi = INFANT_MORTALITY_RANGE
    with np.errstate(invalid="ignore"):
        too_few = poisson.cdf(deaths, births * lo / 1000) < IMPLAUSIBLE_P
        too_many = poisson.sf(deaths - 1, births * hi / 1000) < IMPLAUSIBLE_P
    _flag(problems, file, rows, frame, pd.Series(too_few | too_many, index=frame.index),
          "infant_deaths",
          lambda r: (f"is {1000 * r['infant_deaths'] / r['live_births']:.2g} per 1,000 of the "
                     f"{int(r['live_births']):,} live births"),
          f"infant deaths that chance could give at a rate from {lo:g} to {hi:g} per 1,000 live "
          f"births (Poisson probability at least {IMPLAUSIBLE_P:g})")
    _per_child(problems, file, rows, frame, _children(population), "live_births", "live births",
               BIRTHS_PER_CHILD)
    _year_on_year(problems, file, rows, frame, "live_births", "live births", BIRTHS_YEAR_FACTOR)
    return problems


def check_referrals(path: Path, population: pd.DataFrame | None, today: date | None = None,
                    geography: object | None = None) -> list[Problem]:
    """Plausibility of referral counts (cin_census.csv), by financial year."""
    frame, rows = read_with_rows(CIN_CENSUS, path, geography, today,
                                 check_areas=geography is not None)
    frame = frame.assign(year=frame["financial_year"].str[:4].astype("int64"))
    problems: list[Problem] = []
    _per_child(problems, path.name, rows, frame, _children(population), "referrals",
               "referrals", REFERRALS_PER_CHILD)
    _year_on_year(problems, path.name, rows, frame, "referrals", "referrals",
                  REFERRALS_YEAR_FACTOR)
    return problems


def check_dir(data_dir: str | Path, today: date | None = None) -> list[Problem]:
    """Every plausibility finding for a data folder that passed validation (empty: none).

    Files that are missing or invalid are skipped: validation reports them.
    """
    folder = Path(data_dir)
    try:
        geography = load_geography(folder)
    except DataError:
        geography = None

    def locate(name: str) -> Path | None:
        try:
            return find_file(folder, name)
        except DataError:
            return None

    population = None
    path = locate(POPULATION.filename)
    if path is not None:
        try:
            population = read_with_rows(POPULATION, path, geography, today,
                                        check_areas=geography is not None)[0]
        except DataError:
            population = None
    problems: list[Problem] = []
    for name, check in ((BIRTHS_DEATHS.filename, check_births),
                        (CIN_CENSUS.filename, check_referrals)):
        path = locate(name)
        if path is None:
            continue
        try:
            problems += check(path, population, today, geography)
        except DataError:
            continue
    return sorted(problems, key=lambda p: (p.file, p.row or 0))
