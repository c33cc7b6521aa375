"""Live births and infant deaths (by area and IMD quintile).

Births in Stoke-on-Trent and the eight Staffordshire districts are drawn (Poisson around a
trend that follows England's curve, damped), split by IMD quintile of the mother's area
(multinomial, the area's deprivation profile). Infant deaths in each area-year-quintile cell are
Poisson with mean births x the area's expected rate x the quintile's relative risk, except in the
three published pooled periods (Stoke-on-Trent 2012-14 and 2017-19, Staffordshire 2013-15):
there the period's total is the published rate x births (rounded) and is shared among the cells
multinomially, i.e. the Poisson counts conditioned on their published sum. The rest of the West
Midlands and of England are filled in deterministically so that the region's and the country's
totals follow their expected rates exactly (England's single years pool to the published
comparators 4.0, 3.9 and 3.9 per 1,000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jsnalib.synth import world
from jsnalib.synth._io import allocate

_PARTS = (world.STOKE, *world.DISTRICTS)


def expected_local_births(area: str, years: np.ndarray) -> np.ndarray:
    """Expected births in Stoke-on-Trent or Staffordshire in calendar ``years`` (1995-2023)."""
    england = np.array([world.ENGLAND_BIRTHS[int(y)] for y in years], dtype=float)
    index = england / world.ENGLAND_BIRTHS[2019]
    return world.LOCAL_BIRTHS_2019[area] * index ** world.LOCAL_BIRTH_ELASTICITY[area]


def _county(part: str) -> str:
    return world.STOKE if part == world.STOKE else world.STAFFORDSHIRE


def _county_rr_norm(county: str) -> float:
    """Births-weighted mean relative risk of the county, so its expected rate is kept."""
    if county == world.STOKE:
        share = world.quintile_share(world.STOKE)
    else:
        share = sum(world.DISTRICT_BIRTH_SHARE[d] * world.quintile_share(d)
                    for d in world.DISTRICTS)
    return float(share @ world.IMR_QUINTILE_RR)


def births_deaths(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """births_deaths.csv and births_deaths_imd.csv as frames (integer columns)."""
    years = world.YEARS
    ny = len(years)
    # local cells: part x year x quintile
    births = np.zeros((len(_PARTS), ny, 5), dtype=np.int64)
    mu = np.zeros((len(_PARTS), ny, 5))
    for p, part in enumerate(_PARTS):
        county = _county(part)
        expected = expected_local_births(county, years)
        if part != world.STOKE:
            expected = expected * world.DISTRICT_BIRTH_SHARE[part]
        share = world.quintile_share(part)
        rate = world.interpolate(world.IMR[county]) / 1000 / _county_rr_norm(county)
        for t in range(ny):
            births[p, t] = rng.multinomial(rng.poisson(expected[t]), share)
            mu[p, t] = births[p, t] * rate[t] * world.IMR_QUINTILE_RR
    deaths = rng.poisson(mu)
    for (county, first), anchor in world.POOLED_IMR_ANCHORS.items():
        parts = [p for p, part in enumerate(_PARTS) if _county(part) == county]
        window = slice(first - years[0], first - years[0] + 3)
        cells = mu[parts, window]
        total = round(anchor * births[parts, window].sum() / 1000)
        drawn = rng.multinomial(total, (cells / cells.sum()).ravel()).reshape(cells.shape)
        deaths[parts, window] = drawn
    deaths = np.minimum(deaths, births)

    stoke = (births[0], deaths[0])
    staffs = (births[1:].sum(axis=0), deaths[1:].sum(axis=0))

    eng_births = np.array([world.ENGLAND_BIRTHS[int(y)] for y in years], dtype=np.int64)
    eng_rate = world.interpolate(world.IMR[world.ENGLAND]) / 1000
    eng_deaths = np.rint(eng_rate * eng_births).astype(np.int64)
    region_births = np.rint(eng_births * world.REGION_BIRTH_SHARE).astype(np.int64)
    region_deaths = np.rint(eng_rate * world.REGION_IMR_RATIO * region_births).astype(np.int64)

    def rest(total_births, total_deaths, local_births, local_deaths, profile):
        """Quintile cells of the part of an area outside the local records."""
        b_total = total_births - local_births.sum(axis=1)
        d_total = total_deaths - local_deaths.sum(axis=1)
        share = world.quintile_share(profile)
        b = np.array([allocate(int(v), share) for v in b_total])
        d = np.array([allocate(int(v), share * world.IMR_QUINTILE_RR) for v in d_total])
        return b, d

    local_b = stoke[0] + staffs[0]
    local_d = stoke[1] + staffs[1]
    region_b, region_d = rest(region_births, region_deaths, local_b, local_d, "rest_of_region")
    region_b, region_d = region_b + local_b, region_d + local_d
    england_b, england_d = rest(eng_births, eng_deaths, region_b, region_d, "rest_of_england")
    england_b, england_d = england_b + region_b, england_d + region_d

    cells = {world.ENGLAND: (england_b, england_d), world.WEST_MIDLANDS: (region_b, region_d),
             world.STAFFORDSHIRE: staffs, world.STOKE: stoke}
    cells.update({part: (births[p], deaths[p]) for p, part in enumerate(_PARTS)})
    rows, imd_rows = [], []
    for area in world.JSNA_AREAS:
        b, d = cells[area]
        for t, year in enumerate(years):
            rows.append((area, int(year), int(b[t].sum()), int(d[t].sum())))
            if area in (world.ENGLAND, world.STAFFORDSHIRE, world.STOKE):
                imd_rows += [(area, int(year), q + 1, int(b[t, q]), int(d[t, q]))
                             for q in range(5)]
    table = pd.DataFrame(rows, columns=["area_code", "year", "live_births", "infant_deaths"])
    imd = pd.DataFrame(imd_rows, columns=["area_code", "year", "imd_quintile", "live_births",
                                          "infant_deaths"])
    return (table.sort_values(["area_code", "year"], ignore_index=True),
            imd.sort_values(["area_code", "year", "imd_quintile"], ignore_index=True))
