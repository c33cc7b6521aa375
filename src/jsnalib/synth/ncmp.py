"""National Child Measurement Programme records, calibrated to Fingertips, and an England and
region Fingertips export.

Each child in Reception and Year 6 of every lowest-tier JSNA area (the districts of a county,
or the unitary or metropolitan authority itself) gets a sex, a birth date in the school year's
birth window, an IMD decile (the area's designed profile, England's where none is designed), a
measurement date on a school day of the academic year, and a UK90 BMI SDS drawn from a skewed
(sinh-arcsinh) distribution whose location rises with deprivation, differs by sex and area, and
follows England's trend (a jump in 2020/21). Height comes from a UK90 height SDS (mildly
correlated with the BMI SDS) through the UK90 height LMS table; weight = BMI x height^2; both
are rounded to 0.1 as the NCMP records them. BMI from SDS uses
:func:`jsnalib.methods.growth.bmi_from_sds` and classification
:func:`jsnalib.methods.growth.classify_bmi`, so the generator and the analysis agree.

Sizes: the children of an age are the authority's real 0-17 population (``population.csv``)
/ 18, times :data:`~jsnalib.synth.world.MEASURED_PER_CHILD`; a county's are shared among its
districts (Staffordshire's by the designed birth shares, others equally: no district
population is in data/). In 2019/20 nothing is measured after 20 March 2020; in 2020/21
measuring happens in the summer term only.

Calibration to the real published prevalence (``ncmp_published.csv``, OHID Fingertips, every
district and unitary authority, 2014/15 onwards): England's location follows its designed
overweight prevalence; each area's offset is solved, year by year, from its published obesity
(linear across years not published, e.g. 2020/21, and constant before the first); then in
every cohort with a published value the SDS of the whole cohort is shifted by the one constant
that makes its obesity (including severe obesity) the published percentage to the nearest
child, counted as the analysis counts it. A county's published figure is not used: its
districts together give it. A few records (0.05%) carry a recording error that is implausible
(weight keyed ten times too high, or height in inches), left out of the calibrated counts as
the analysis leaves them out.

The Fingertips export holds England and the region of each home authority: each is the sum of
the local records (classified as above, those with a recording error left out) and the expected
counts of the rest of the region and of England under the same model, with Wilson 95% and
99.8% intervals from :func:`jsnalib.methods.stats.wilson_ci`.

Indicator IDs: 20601/20602 (overweight including obesity), 90319/90323 (obesity including
severe obesity) are the Fingertips numbers; the underweight, healthy weight and severe obesity
IDs used here (90316/90320, 90317/90321, 92467/92468) are this generator's assumption: match
indicators by name, not number.
"""

from __future__ import annotations

import functools
import json
import zlib
from importlib import resources

import numpy as np
import pandas as pd
from scipy import special

from jsnalib.methods import growth, stats
from jsnalib.synth import world
from jsnalib.synth._io import allocate

THRESHOLDS = {name: float(special.ndtri(centile / 100))
              for name, centile in growth.NCMP_CENTILE_THRESHOLDS.items()}
"""BMI SDS cut-offs of the NCMP categories (2nd, 85th, 95th, 99.6th centiles)."""

BMI_SDS_BOUNDS = {"R": (-3.0, -4.0, 3.3, 4.3), "6": (-3.0, -4.0, 2.9, 3.5)}
"""Soft bounds on the drawn BMI SDS (start and limit of the squeeze, low then high): the UK90
BMI curves flatten out near +4 to +5 SDS, so the skewed distribution's far tail is squeezed
to keep every natural BMI plausible (Year 6: at most about 42 kg/m2); only the deliberate
recording errors are implausible."""

HEIGHT_SDS_BOUNDS = (-3.0, -3.8, 3.0, 3.8)

MEASURES = {
    "overweight_incl_obese": ("overweight", "obese", "severely obese"),
    "obese_incl_severe": ("obese", "severely obese"),
    "severely_obese": ("severely obese",),
    "underweight": ("underweight",),
    "healthy_weight": ("healthy",),
}

INDICATORS = (
    # measure, school year, Fingertips ID, name, polarity
    ("overweight_incl_obese", "R", 20601,
     "Reception: Prevalence of overweight (including obesity)", "low_is_good"),
    ("overweight_incl_obese", "6", 20602,
     "Year 6: Prevalence of overweight (including obesity)", "low_is_good"),
    ("obese_incl_severe", "R", 90319,
     "Reception: Prevalence of obesity (including severe obesity)", "low_is_good"),
    ("obese_incl_severe", "6", 90323,
     "Year 6: Prevalence of obesity (including severe obesity)", "low_is_good"),
    ("underweight", "R", 90316, "Reception: Prevalence of underweight", "no_judgement"),
    ("underweight", "6", 90320, "Year 6: Prevalence of underweight", "no_judgement"),
    ("healthy_weight", "R", 90317, "Reception: Prevalence of healthy weight", "high_is_good"),
    ("healthy_weight", "6", 90321, "Year 6: Prevalence of healthy weight", "high_is_good"),
    ("severely_obese", "R", 92467, "Reception: Prevalence of severe obesity", "low_is_good"),
    ("severely_obese", "6", 92468, "Year 6: Prevalence of severe obesity", "low_is_good"),
)

FINGERTIPS_COLUMNS = (
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles",
    "Time period Sortable", "New data", "Compared to goal")

_AGE_BAND = {"R": "4-5 yrs", "6": "10-11 yrs"}
_COMPARED = {"better": "Better", "similar": "Similar", "worse": "Worse", "higher": "Higher",
             "lower": "Lower", "not compared": "Not compared"}
_REGION_MEASURED_SHARE = 0.107
_SEX_SIGN = np.array([0.5, -0.5])  # male, female


# ----------------------------------------------------------------------------------------------
# the BMI SDS distribution


def _cdf(x: np.ndarray, location: np.ndarray, school_year: str) -> np.ndarray:
    """P(SDS <= x) under the sinh-arcsinh distribution with the given location."""
    _, eta, epsilon, delta = world.BMI_SHAPE[school_year]
    return special.ndtr(np.sinh(delta * np.arcsinh((x - location) / eta) - epsilon))


def _draw(z: np.ndarray, location: np.ndarray, school_year: str) -> np.ndarray:
    """SDS from standard normal ``z`` (the sinh-arcsinh transform), softly bounded."""
    _, eta, epsilon, delta = world.BMI_SHAPE[school_year]
    sds = location + eta * np.sinh((np.arcsinh(z) + epsilon) / delta)
    return _soft_bounds(sds, BMI_SDS_BOUNDS[school_year])


def _soft_bounds(x: np.ndarray, bounds: tuple[float, float, float, float]) -> np.ndarray:
    """Leave values between the starts alone; squeeze those beyond smoothly (exponentially)
    inside the limits, keeping the order."""
    low_start, low_limit, high_start, high_limit = bounds
    out = np.array(x, dtype=float)
    high = out > high_start
    span = high_limit - high_start
    out[high] = high_limit - span * np.exp(-(out[high] - high_start) / span)
    low = out < low_start
    span = low_start - low_limit
    out[low] = low_limit + span * np.exp((out[low] - low_start) / span)
    return out


def _category_probabilities(location: np.ndarray, school_year: str) -> np.ndarray:
    """(..., 5) probabilities of underweight, healthy, overweight, obese, severely obese."""
    location = np.asarray(location, dtype=float)[..., None]
    cuts = np.array([THRESHOLDS["underweight"], THRESHOLDS["overweight"], THRESHOLDS["obese"],
                     THRESHOLDS["severely obese"]])
    below = _cdf(cuts, location, school_year)
    return np.diff(np.concatenate([np.zeros(location.shape), below, np.ones(location.shape)],
                                  axis=-1), axis=-1)


def _deprivation(decile: np.ndarray, school_year: str) -> np.ndarray:
    return world.DEPRIVATION_EFFECT[school_year] * (5.5 - np.asarray(decile)) / 4.5


def _mixture(base: np.ndarray, profile: np.ndarray, school_year: str) -> np.ndarray:
    """Category probabilities of a population with decile ``profile`` (both sexes), for each
    location ``base`` (any shape): shape base.shape + (5,)."""
    base = np.asarray(base, dtype=float)
    sex = np.array([world.MALE_SHARE, 1 - world.MALE_SHARE])
    shift = (_deprivation(world.DECILES, school_year)[:, None]
             + world.SEX_EFFECT[school_year] * _SEX_SIGN[None, :])  # (10, 2)
    probabilities = _category_probabilities(base[..., None, None] + shift, school_year)
    weights = profile[:, None] * sex[None, :]
    return np.einsum("...dsk,ds->...k", probabilities, weights)


def _measure(probabilities: np.ndarray, measure: str) -> np.ndarray:
    index = [growth.BMI_CATEGORIES.index(c) for c in MEASURES[measure]]
    return probabilities[..., index].sum(axis=-1)


def _solve(function, target: np.ndarray, low: float = -3.0, high: float = 3.0) -> np.ndarray:
    """Vectorised bisection for increasing ``function(x) = target``."""
    low = np.full(np.shape(target), low)
    high = np.full(np.shape(target), high)
    for _ in range(60):
        middle = (low + high) / 2
        above = function(middle) > target
        high = np.where(above, middle, high)
        low = np.where(above, low, middle)
    return (low + high) / 2


def england_profile() -> np.ndarray:
    """England's children by decile: the rest of England, the rest of the region and the two
    authorities, weighted by their shares of the children measured."""
    local = {world.STOKE: world.COHORT_FACTOR[world.STOKE] * world.LOCAL_BIRTHS_2019[world.STOKE],
             world.STAFFORDSHIRE: world.COHORT_FACTOR[world.STAFFORDSHIRE]
             * world.LOCAL_BIRTHS_2019[world.STAFFORDSHIRE]}
    local_profile = (local[world.STOKE] * world.decile_share(world.STOKE)
                     + local[world.STAFFORDSHIRE] * _group_profile(world.DISTRICTS))
    local_share = sum(local.values()) / (world.ENGLAND_BIRTHS[2019] * _REGION_MEASURED_SHARE)
    region = ((1 - local_share) * world.decile_share("rest_of_region")
              + local_profile / sum(local.values()) * local_share)
    return ((1 - _REGION_MEASURED_SHARE) * world.decile_share("rest_of_england")
            + _REGION_MEASURED_SHARE * region)


def base_locations(school_year: str) -> np.ndarray:
    """England's location per academic year of :data:`~jsnalib.synth.world.NCMP_YEARS`,
    giving its designed overweight prevalence."""
    target = world.interpolate(world.ENGLAND_OVERWEIGHT[school_year], world.NCMP_YEARS) / 100
    profile = england_profile()
    return _solve(lambda x: _measure(_mixture(x, profile, school_year),
                                     "overweight_incl_obese"), target)


def _group_profile(areas: tuple[str, ...]) -> np.ndarray:
    if areas == (world.STOKE,):
        return world.decile_share(world.STOKE)
    return sum(world.DISTRICT_BIRTH_SHARE[a] * world.decile_share(a) for a in areas)


def area_profile(area: str) -> np.ndarray:
    """Children by IMD decile in ``area``: its designed profile, England's where none is."""
    return world.decile_share(area if area in world.DECILE_SHARE else "rest_of_england")


def area_offsets(base: dict[str, np.ndarray], published: pd.DataFrame, area: str
                 ) -> dict[str, np.ndarray]:
    """Per school year: the area's location offset per academic year, solved from its
    published obesity prevalence (linear between published years, constant outside; 0, i.e.
    England's, where nothing is published)."""
    profile = area_profile(area)
    out = {}
    for school_year in world.SCHOOL_YEARS:
        anchors: dict[int, float] = {}
        for year, percent in _published(published, area, school_year).items():
            t = int(year - world.NCMP_YEARS[0])
            if not 0 <= t < len(world.NCMP_YEARS):
                continue
            offset = _solve(lambda u, b=base[school_year][t], s=school_year:
                            _measure(_mixture(b + u, profile, s), "obese_incl_severe"),
                            np.array(percent / 100))
            anchors[year] = float(offset)
        out[school_year] = (world.interpolate(anchors, world.NCMP_YEARS) if anchors
                            else np.zeros(len(world.NCMP_YEARS)))
    return out


def _published(published: pd.DataFrame, area: str, school_year: str) -> pd.Series:
    """Published obesity (%) of one area and school year, by first calendar year."""
    rows = published[(published["area_code"] == area)
                     & (published["school_year"] == school_year)
                     & (published["measure"] == "obese_incl_severe")]
    return pd.Series(rows["value"].to_numpy(dtype=float),
                     index=rows["academic_year"].str[:4].astype(int).to_numpy()).sort_index()


# ----------------------------------------------------------------------------------------------
# height


@functools.cache
def _height_table() -> dict[str, tuple[np.ndarray, ...]]:
    path = resources.files("rcpchgrowth") / "data_tables" / "uk90_child.json"
    rows = json.loads(path.read_text())["measurement"]["height"]
    return {sex: tuple(np.array([r[k] for r in rows[sex]], dtype=float)
                       for k in ("decimal_age", "L", "M", "S")) for sex in growth.SEXES}


def height_from_sds(sds: np.ndarray, age_years: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Height (cm) at a UK90 height SDS (LMS linearly interpolated between monthly ages)."""
    out = np.empty(len(sds))
    for sex, table in _height_table().items():
        rows = male if sex == "male" else ~male
        ages, lam, mu, sigma = table
        l_, m_, s_ = (np.interp(age_years[rows], ages, v) for v in (lam, mu, sigma))
        out[rows] = m_ * (1 + l_ * s_ * sds[rows]) ** (1 / l_)
    return out


# ----------------------------------------------------------------------------------------------
# records


def _school_days(year: int) -> np.ndarray:
    """Days (int since 1970) children can be measured in academic year ``year``/``year+1``."""
    start = np.datetime64(f"{year}-09-15")
    end = np.datetime64(f"{year + 1}-07-15")
    days = np.arange(start, end + 1).astype("datetime64[D]")
    month_day = (days.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100 + (
        days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    holiday = (month_day >= 1024) & (month_day <= 1031)
    holiday |= (month_day >= 1220) | (month_day <= 104)
    holiday |= (month_day >= 214) & (month_day <= 220)
    holiday |= (month_day >= 401) & (month_day <= 414)
    holiday |= (month_day >= 525) & (month_day <= 531)
    weekday = (days.astype(np.int64) + 3) % 7
    keep = (weekday < 5) & ~holiday
    if year == 2020:
        keep &= days >= world.REOPENED
    return days[keep].astype(np.int64)


def _birth_year(year: int, school_year: str) -> int:
    """The calendar year in which the cohort's oldest children were born (from 1 September):
    Reception children are 4 and Year 6 children 10 on 1 September of the academic year."""
    return year - (5 if school_year == "R" else 11)


def _birth_window(year: int, school_year: str) -> tuple[int, int]:
    """First and last birth day (int) of a school year's cohort in academic year ``year``."""
    born = _birth_year(year, school_year)
    first = np.datetime64(f"{born}-09-01").astype(np.int64)
    last = np.datetime64(f"{born + 1}-08-31").astype(np.int64)
    return int(first), int(last)


def _cohorts(rng: np.random.Generator, area: str, size: np.ndarray, years: np.ndarray,
             base: dict[str, np.ndarray], offsets: dict[str, np.ndarray]) -> pd.DataFrame:
    """Every child of ``area`` measured in ``years``, before the BMI SDS is turned into height
    and weight; ``size`` is the expected children per school year in each year."""
    parts = []
    profile = area_profile(area)
    for year, expected in zip(years, size, strict=True):
        year = int(year)
        t = int(year - world.NCMP_YEARS[0])
        days = _school_days(year)
        for school_year in world.SCHOOL_YEARS:
            first, last = _birth_window(year, school_year)
            factor = world.YEAR6_COHORT_FACTOR if school_year == "6" else 1.0
            n = int(rng.poisson(expected * factor))
            male = rng.random(n) < world.MALE_SHARE
            decile = rng.choice(world.DECILES, n, p=profile)
            location = (base[school_year][t] + _deprivation(decile, school_year)
                        + world.SEX_EFFECT[school_year] * np.where(male, 0.5, -0.5)
                        + offsets[school_year][t])
            parts.append(pd.DataFrame({
                "year": year, "school_year": school_year, "area_code": area,
                "male": male, "imd_decile": decile,
                "birth_day": rng.integers(first, last + 1, n),
                "measurement_day": rng.choice(days, n),
                "location": location, "z": rng.standard_normal(n),
                "z_height": rng.standard_normal(n), "tiebreak": rng.random(n),
            }))
    table = pd.concat(parts, ignore_index=True)
    stopped = (table["year"] == 2019) & (table["measurement_day"]
                                         > world.COVID_STOP.astype(np.int64))
    return table[~stopped].reset_index(drop=True)


def _measurements(table: pd.DataFrame, shift: np.ndarray | float = 0.0
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rounded height (cm), weight (kg) and the recorded BMI SDS of each child."""
    age = (table["measurement_day"] - table["birth_day"]).to_numpy() / 365.25
    sex = np.where(table["male"], "male", "female")
    z = table["z"].to_numpy()
    location = table["location"].to_numpy() + shift
    sds = np.empty(len(table))
    for year_group in world.SCHOOL_YEARS:
        rows = (table["school_year"] == year_group).to_numpy()
        sds[rows] = _draw(z[rows], location[rows], year_group)
    rho = world.HEIGHT_BMI_CORRELATION
    height_sds = _soft_bounds(world.HEIGHT_SDS_MEAN + rho * z
                              + np.sqrt(1 - rho**2) * table["z_height"].to_numpy(),
                              HEIGHT_SDS_BOUNDS)
    height = np.round(height_from_sds(height_sds, age, table["male"].to_numpy()), 1)
    bmi = growth.bmi_from_sds(sds, age, sex)
    weight = np.round(bmi * (height / 100) ** 2, 1)
    recorded = growth.bmi_sds(weight / (height / 100) ** 2, age, sex)
    return height, weight, recorded


_OBESE = [growth.BMI_CATEGORIES.index(c) for c in MEASURES["obese_incl_severe"]]


def _as_analysed(table: pd.DataFrame, errors: np.ndarray, shift: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Which records the analysis keeps and which of them are obese, with the given shift and
    the recording errors applied: the NCMP's exclusions
    (:func:`jsnalib.methods.growth.flag_ncmp_exclusions`) then the UK90 classification, as
    :func:`jsnalib.indicators.ncmp.classify_records` does."""
    height, weight, _ = _measurements(table, shift)
    _apply_errors(table, errors, height, weight)
    age = (table["measurement_day"] - table["birth_day"]).to_numpy() / 365.25
    sex = np.where(table["male"], "male", "female")
    kept = ~growth.flag_ncmp_exclusions(height, weight, age, sex)["implausible"].to_numpy()
    sds = growth.bmi_sds(growth.bmi(height, weight), age, sex)
    return kept, kept & np.isin(growth.classify_bmi(sds).codes, _OBESE)


def _calibrate(table: pd.DataFrame, targets: dict[tuple[int, str], float],
               errors: np.ndarray) -> np.ndarray:
    """Per child, the shift that makes each published cohort's obesity the published one.

    ``targets`` maps (year, school year) to the published percentage; ``errors`` marks the
    records with a recording error. A child is obese once the shift passes its own threshold
    (the shift at which its drawn SDS reaches the 95th centile), so the shift that gives ``k``
    obese children lies near the k-th smallest threshold: the search starts there and bisects
    on the count the analysis makes (:func:`_as_analysed`, which the rounding of height and
    weight moves a little), one child at a time being the smallest step.
    """
    shift = np.zeros(len(table))
    cohorts = table.groupby(["year", "school_year"], sort=True).indices
    location = table["location"].to_numpy()
    z = table["z"].to_numpy()
    plan = []
    for key, rows in cohorts.items():
        target = targets.get((int(key[0]), str(key[1])))
        if target is None:
            continue
        _, eta, epsilon, delta = world.BMI_SHAPE[str(key[1])]
        clean = rows[~errors[rows]]
        raw = location[clean] + eta * np.sinh((np.arcsinh(z[clean]) + epsilon) / delta)
        thresholds = np.sort(THRESHOLDS["obese"] - raw)
        rank = min(max(int(round(target / 100 * len(thresholds))), 1), len(thresholds) - 1)
        low, high = thresholds[rank - 1], thresholds[rank]
        shift[rows] = (low + high) / 2
        plan.append({"rows": rows, "target": target, "low": low - 0.2, "high": high + 0.2})
    for _round in range(40):
        if not plan:
            break
        rows = np.sort(np.concatenate([item["rows"] for item in plan]))
        kept, obese = _as_analysed(table.iloc[rows], errors[rows], shift[rows])
        unsettled = []
        for item in plan:
            at = np.searchsorted(rows, item["rows"])
            want = int(round(item["target"] / 100 * int(kept[at].sum())))
            found = int(obese[at].sum())
            if found == want:
                continue
            current = shift[item["rows"][0]]
            item["low" if found < want else "high"] = current
            shift[item["rows"]] = (item["low"] + item["high"]) / 2
            unsettled.append(item)
        plan = unsettled
    return shift


def _recording_errors(rng: np.random.Generator, table: pd.DataFrame) -> np.ndarray:
    """Which records get a recording error: Reception children light enough that ten times
    their weight stays under the 250 kg the contract allows (20 kg at the first draw, so the
    calibration's small shift cannot push them over), Year 6 children tall enough that their
    height in inches is still over 50."""
    height, weight, _ = _measurements(table)
    reception = (table["school_year"] == "R").to_numpy()
    eligible = np.where(reception, weight <= 20, height / 2.54 >= 50)
    chosen = rng.choice(np.flatnonzero(eligible), int(world.IMPLAUSIBLE_SHARE * len(table)),
                        replace=False)
    errors = np.zeros(len(table), dtype=bool)
    errors[chosen] = True
    return errors


def _apply_errors(table: pd.DataFrame, errors: np.ndarray, height: np.ndarray,
                  weight: np.ndarray) -> None:
    """Reception weight keyed ten times too high; Year 6 height entered in inches (in place)."""
    reception = (table["school_year"] == "R").to_numpy()
    r = errors & reception
    y6 = errors & ~reception
    weight[r] = np.round(weight[r] * 10, 1)
    height[y6] = np.round(height[y6] / 2.54, 1)


def cohort_sizes(area: str, upper: str, siblings: list[str], population: pd.Series,
                 years: np.ndarray) -> np.ndarray:
    """Expected children measured per school year of ``area`` in ``years``: the real 0-17
    population of its authority ``upper`` (nearest mid-year) / 18 x the share measured,
    shared among the authority's lowest-tier areas ``siblings``."""
    people = population.dropna()
    if people.empty:
        raise ValueError(f"population.csv has no 0-17 population of {upper}: the NCMP "
                         "cohorts are sized from it")
    known = people.index.to_numpy(dtype=np.int64)
    nearest = known[np.abs(known[None, :] - years[:, None]).argmin(axis=1)]
    per_age = people.loc[nearest].to_numpy(dtype=float) / 18 * world.MEASURED_PER_CHILD
    if siblings == [area]:
        return per_age
    designed = [world.DISTRICT_BIRTH_SHARE.get(s) for s in siblings]
    if all(d is not None for d in designed):
        share = world.DISTRICT_BIRTH_SHARE[area] / sum(designed)
    else:
        share = 1 / len(siblings)
    return per_age * share


def area_records(seed: int, area: str, size: np.ndarray, years: np.ndarray,
                 published: pd.DataFrame) -> pd.DataFrame:
    """The NCMP records of one lowest-tier area (numbers numeric, not yet sorted or numbered),
    with a column ``error`` marking the recording errors; its own random stream."""
    rng = np.random.default_rng([int(seed), zlib.crc32(f"ncmp {area}".encode())])
    base = _base()
    table = _cohorts(rng, area, size, years, base, area_offsets(base, published, area))
    errors = _recording_errors(rng, table)
    targets = {(int(y), school_year): float(v)
               for school_year in world.SCHOOL_YEARS
               for y, v in _published(published, area, school_year).items()}
    height, weight, _ = _measurements(table, _calibrate(table, targets, errors))
    _apply_errors(table, errors, height, weight)
    return table.assign(height_cm=height, weight_kg=weight, error=errors)


@functools.cache
def _base() -> dict[str, np.ndarray]:
    return {sy: base_locations(sy) for sy in world.SCHOOL_YEARS}


def ncmp(seed: int, areas: dict[str, tuple[str, list[str]]], population: pd.DataFrame,
         published: pd.DataFrame, years: np.ndarray | None = None
         ) -> tuple[pd.DataFrame, np.ndarray]:
    """ncmp.csv.gz as a frame (numbers still numeric), sorted, with pupil ids; and which rows
    carry a deliberate recording error.

    Parameters
    ----------
    seed : int
        The random seed; each area draws from its own stream of ``(seed, its code)``.
    areas : dict
        Lowest-tier area -> (its children's-services authority, that authority's lowest-tier
        areas), e.g. ``{"E07000192": ("E10000028", [...eight districts])}``.
    population : pandas.DataFrame
        The real population.csv (0-17 rows are used).
    published : pandas.DataFrame
        The real ncmp_published.csv (Fingertips obesity by area, school year and year).
    years : array of int, optional
        First calendar years of the academic years (default
        :data:`~jsnalib.synth.world.NCMP_YEARS`, 2006/07 to 2024/25).
    """
    years = world.NCMP_YEARS if years is None else np.asarray(years, dtype=np.int64)
    outside = sorted(set(years.tolist()) - set(world.NCMP_YEARS.tolist()))
    if outside:
        raise ValueError(f"NCMP years {outside} are outside the designed years "
                         f"{world.NCMP_YEARS[0]}-{world.NCMP_YEARS[-1]}")
    children = population[population["age_group"] == "0-17"].set_index(
        ["area_code", "year"])["population"].astype(float)
    parts = []
    for area, (upper, siblings) in areas.items():
        people = (children.loc[upper] if upper in children.index.get_level_values(0)
                  else pd.Series(dtype=float))
        size = cohort_sizes(area, upper, siblings, people, years)
        parts.append(area_records(seed, area, size, years, published))
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(["year", "school_year", "area_code", "measurement_day",
                               "tiebreak"], ignore_index=True)
    years_col = table["year"].to_numpy()
    academic = np.char.add(np.char.add(years_col.astype(str), "/"),
                           np.char.zfill(((years_col + 1) % 100).astype(str), 2))
    records = pd.DataFrame({
        "pupil_id": np.char.add("P", np.char.zfill(np.arange(1, len(table) + 1).astype(str), 7)),
        "academic_year": academic,
        "school_year": table["school_year"].to_numpy(),
        "sex": np.where(table["male"], "male", "female"),
        "birth_date": table["birth_day"].to_numpy().astype("datetime64[D]").astype(str),
        "measurement_date": table["measurement_day"].to_numpy().astype("datetime64[D]")
        .astype(str),
        "height_cm": table["height_cm"].to_numpy(),
        "weight_kg": table["weight_kg"].to_numpy(),
        "area_code": table["area_code"].to_numpy(),
        "imd_decile": table["imd_decile"].to_numpy(),
    })
    return records, table["error"].to_numpy()


# ----------------------------------------------------------------------------------------------
# Fingertips


def classify_records(records: pd.DataFrame, errors: np.ndarray) -> pd.DataFrame:
    """Local counts by (area, academic year, school year, category), leaving out the records
    with a recording error (which national cleaning would have removed)."""
    keep = ~errors
    age = growth.age_in_years(records["birth_date"], records["measurement_date"])
    sds = growth.bmi_sds(growth.bmi(records["height_cm"], records["weight_kg"])[keep],
                         age[keep], records["sex"].to_numpy()[keep])
    table = pd.DataFrame({"area_code": records["area_code"].to_numpy()[keep],
                          "academic_year": records["academic_year"].to_numpy()[keep],
                          "school_year": records["school_year"].to_numpy()[keep],
                          "category": growth.classify_bmi(sds)})
    counts = table.groupby(["area_code", "academic_year", "school_year", "category"],
                           observed=False).size()
    return counts.unstack("category").reindex(columns=list(growth.BMI_CATEGORIES),
                                              fill_value=0)


def fingertips(records: pd.DataFrame, errors: np.ndarray, names: dict[str, str],
               england: str, regions: dict[str, list[str]], population: pd.DataFrame
               ) -> pd.DataFrame:
    """fingertips_ncmp.csv as a frame of text: England and the regions of the home authorities.

    ``regions`` maps each region's code to the lowest-tier areas of the records in it; a
    region's measured children are England's times its share of England's real 0-17
    population (``population``, the nearest mid-year).
    """
    local = classify_records(records, errors)
    base = _base()
    children = population[population["age_group"] == "0-17"].set_index(
        ["area_code", "year"])["population"].astype(float)
    years = sorted({int(y[:4]) for y in records["academic_year"].unique()})
    rows = []
    for school_year in world.SCHOOL_YEARS:
        measured = world.interpolate(world.ENGLAND_MEASURED[school_year], world.NCMP_YEARS)
        for year in years:
            t = int(year - world.NCMP_YEARS[0])
            label = f"{year}/{(year + 1) % 100:02d}"
            england_n = measured[t] * (world.ENGLAND_2019_20_COVERAGE if year == 2019 else 1)
            total = np.zeros(len(growth.BMI_CATEGORIES), dtype=np.int64)
            regions_n = 0
            for region, areas in regions.items():
                share = _population_share(children, region, england, year)
                region_n = int(round(england_n * share))
                cells = [(a, label, school_year) for a in areas]
                present = [c for c in cells if c in local.index]
                local_counts = (local.loc[present].to_numpy().sum(axis=0).astype(np.int64)
                                if present else np.zeros_like(total))
                rest_profile = ("rest_of_region" if region == world.WEST_MIDLANDS
                                else "rest_of_england")
                rest = allocate(max(region_n - int(local_counts.sum()), 0),
                                _mixture(base[school_year][t], world.decile_share(rest_profile),
                                         school_year))
                counts = local_counts + rest
                rows.append((region, school_year, year, label, counts))
                total += counts
                regions_n += int(counts.sum())
            rest_england = allocate(max(int(round(england_n)) - regions_n, 0),
                                    _mixture(base[school_year][t],
                                             world.decile_share("rest_of_england"), school_year))
            rows.append((england, school_year, year, label, total + rest_england))
    counts = pd.DataFrame(rows, columns=["area", "school_year", "year", "label", "counts"])
    out = []
    for measure, school_year, indicator_id, name, polarity in INDICATORS:
        index = [growth.BMI_CATEGORIES.index(c) for c in MEASURES[measure]]
        part = counts[counts["school_year"] == school_year].copy()
        part["count"] = [int(c[index].sum()) for c in part["counts"]]
        part["denominator"] = [int(c.sum()) for c in part["counts"]]
        out.append(_fingertips_rows(part, indicator_id, name, polarity, school_year, names,
                                    england))
    table = pd.concat(out, ignore_index=True)
    return table.sort_values(["Indicator ID", "Area Code", "Time period Sortable"],
                             ignore_index=True)


def _population_share(children: pd.Series, area: str, england: str, year: int) -> float:
    """``area``'s share of England's 0-17 population at the mid-year nearest ``year``."""
    if area not in children.index.get_level_values(0):
        raise ValueError(f"population.csv has no 0-17 population of {area}: its share of "
                         "England's NCMP children is taken from it")
    own, country = children.loc[area].dropna(), children.loc[england].dropna()
    known = own.index.intersection(country.index).to_numpy(dtype=np.int64)
    nearest = known[np.abs(known - year).argmin()]
    return float(own.loc[nearest] / country.loc[nearest])


def _fingertips_rows(part: pd.DataFrame, indicator_id: int, name: str, polarity: str,
                     school_year: str, names: dict[str, str], england_code: str
                     ) -> pd.DataFrame:
    count = part["count"].to_numpy()
    denominator = part["denominator"].to_numpy()
    value = count / denominator * 100
    low95, high95 = (v * 100 for v in stats.wilson_ci(count, denominator, 0.95))
    low998, high998 = (v * 100 for v in stats.wilson_ci(count, denominator, 0.998))
    england = part["area"].to_numpy() == england_code
    benchmark = pd.Series(value[england], index=part["year"].to_numpy()[england])
    benchmark = benchmark.reindex(part["year"]).to_numpy()
    compared = stats.compare(low95, high95, benchmark, polarity=polarity)
    compared = np.where(england, "Not compared", [_COMPARED[c] for c in compared])
    text = {k: np.char.mod("%.6f", v) for k, v in
            {"value": value, "l95": low95, "u95": high95, "l998": low998,
             "u998": high998}.items()}
    return pd.DataFrame({
        "Indicator ID": indicator_id,
        "Indicator Name": name,
        "Parent Code": np.where(england, "", england_code),
        "Parent Name": np.where(england, "", names[england_code]),
        "Area Code": part["area"].to_numpy(),
        "Area Name": [names[a] for a in part["area"]],
        "Area Type": np.where(england, "England", "Region"),
        "Sex": "Persons",
        "Age": _AGE_BAND[school_year],
        "Category Type": "",
        "Category": "",
        "Time period": part["label"].to_numpy(),
        "Value": text["value"],
        "Lower CI 95.0 limit": text["l95"],
        "Upper CI 95.0 limit": text["u95"],
        "Lower CI 99.8 limit": text["l998"],
        "Upper CI 99.8 limit": text["u998"],
        "Count": count,
        "Denominator": denominator,
        "Value note": "",
        "Recent Trend": "",
        "Compared to England value or percentiles": compared,
        "Compared to percentiles": "Not compared",
        "Time period Sortable": part["year"].to_numpy() * 10_000,
        "New data": "",
        "Compared to goal": "",
    }, columns=list(FINGERTIPS_COLUMNS))
