"""Vectorised UK90 growth calculations and NCMP BMI classification.

One function per statistic, numpy arrays (or anything array-like) in, arrays out, so a whole
National Child Measurement Programme (NCMP) year of about a million children classifies in a
fraction of a second. The numbers are those of the national calculator, ``rcpchgrowth``
(Royal College of Paediatrics and Child Health), which works one measurement at a time:

- the UK90 child reference (4 to 20 years; monthly L, M and S values for height, weight and BMI)
  is read at run time from the ``rcpchgrowth`` package installed beside this one, never copied;
- the L, M and S at a child's age are interpolated exactly as ``rcpchgrowth`` does: the table row
  itself when the age matches a row to 4 decimal places, otherwise Lagrange cubic interpolation
  through the two rows below and the two above, and linear interpolation in the first and last
  interval of the table, where there are not two rows on each side;
- SDS (z-score) from the LMS formula, ``z = ((x / M) ** L - 1) / (L * S)`` (``log(x / M) / S``
  when ``L = 0``), and the centile ``100 * Phi(z)``.

Records are classified into the NCMP's mutually exclusive BMI categories by centile
(:func:`classify_bmi`, :func:`ncmp_flags` for the published unions). Records are excluded only
as the NCMP's own validation would exclude them (:func:`flag_ncmp_exclusions`: a value
missing, or a height, weight or BMI SDS beyond +/-7); extreme values inside those ranges are
kept and flagged on the CDC's modified SDS (:func:`flag_implausible`, :func:`modified_sds`),
so genuine severe obesity is never dropped. Both are counted by reason, never silently
(:func:`exclusion_summary`, :func:`implausible_summary`).

Units: BMI in kg/m2, height in cm, weight in kg, ages in decimal years (days / 365.25, the
``rcpchgrowth`` chronological decimal age). Sex is ``"male"`` or ``"female"``.

References
----------
- Cole TJ, Freeman JV, Preece MA. Body mass index reference curves for the UK, 1990.
  Arch Dis Child 1995;73:25-29.
- Freeman JV, Cole TJ, Chinn S, Jones PRM, White EM, Preece MA. Cross sectional stature and
  weight reference curves for the UK, 1990. Arch Dis Child 1995;73:17-24.
- Cole TJ. The LMS method for constructing normalized growth standards.
  Eur J Clin Nutr 1990;44:45-60.
- NHS England. National Child Measurement Programme, England: appendices, "Calculation of
  prevalence" (BMI classification by UK90 centile for population monitoring).
- Royal College of Paediatrics and Child Health. rcpchgrowth (Python package), UK-WHO
  reference and ``global_functions.fetch_lms``.
- Centers for Disease Control and Prevention. SAS program for the CDC growth charts
  (modified z-scores and biologically implausible value cut-offs).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

__all__ = [
    "AGE_RANGE",
    "BMI_CATEGORIES",
    "IMPLAUSIBLE_LIMITS",
    "NCMP_CENTILE_THRESHOLDS",
    "NCMP_EXCLUSION_SDS",
    "NCMP_INDICATORS",
    "SEXES",
    "age_in_years",
    "bmi",
    "bmi_from_sds",
    "bmi_sds",
    "centile",
    "classify_bmi",
    "exclusion_summary",
    "flag_implausible",
    "flag_ncmp_exclusions",
    "height_sds",
    "implausible_summary",
    "modified_sds",
    "ncmp_flags",
    "reference_source",
    "weight_sds",
]

SEXES = ("male", "female")
"""Accepted values of ``sex``, as in the NCMP data contract and ``rcpchgrowth``."""

AGE_RANGE = (4.0, 20.0)
"""The UK90 child reference's ages, decimal years, both ends included. ``rcpchgrowth`` uses the
WHO 2006 standard below 4 years, so younger children are out of scope here."""

BMI_CATEGORIES = ("underweight", "healthy", "overweight", "obese", "severely obese")
"""The mutually exclusive NCMP BMI categories, in order, as returned by :func:`classify_bmi`."""

NCMP_CENTILE_THRESHOLDS = {"underweight": 2.0, "overweight": 85.0, "obese": 95.0,
                           "severely obese": 99.6}
"""UK90 BMI centiles for NCMP population monitoring: underweight at or below the 2nd centile;
overweight, obese and severely obese at or above the 85th, 95th and 99.6th."""

NCMP_INDICATORS = {
    "underweight": ("underweight",),
    "healthy_weight": ("healthy",),
    "overweight_incl_obese": ("overweight", "obese", "severely obese"),
    "obese_incl_severe": ("obese", "severely obese"),
    "severely_obese": ("severely obese",),
}
"""The five published NCMP prevalence measures (the national Fingertips tool's: underweight,
healthy weight, overweight including obesity ("excess weight"), obesity including severe
obesity, severe obesity) as unions of :data:`BMI_CATEGORIES`."""

IMPLAUSIBLE_LIMITS = {"height": (-5.0, 4.0), "weight": (-5.0, 8.0), "bmi": (-4.0, 8.0)}
"""Default limits of :func:`flag_implausible` on the modified SDS: the CDC's cut-offs for
biologically implausible values (revised upward in 2015-16 for height, weight and BMI)."""

_MEASUREMENTS = ("height", "weight", "bmi")
_UNITS = {"height": "cm", "weight": "kg", "bmi": "kg/m2"}
_REFERENCE_FILE = ("data_tables", "uk90_child.json")
# rcpchgrowth treats an age as a table row when both round to this many decimal places.
_MATCH_DECIMALS = 4


# --------------------------------------------------------------------------------------------
# The reference, read from the installed rcpchgrowth package
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Reference:
    """One measurement's UK90 LMS table, with what interpolation needs precomputed.

    ``lms`` has rows L, M, S and columns the table's ages for boys then the same for girls;
    ``rounded`` is each age rounded as rcpchgrowth rounds it (Python's ``round`` to 4 places);
    ``lagrange[i, j]`` is the denominator of the cubic weight of row ``j - 1 + i`` for an age
    between rows ``j`` and ``j + 1``.
    """

    ages: np.ndarray
    step: float
    rounded: np.ndarray
    lms: np.ndarray
    lagrange: np.ndarray


def _lagrange_denominators(ages: np.ndarray) -> np.ndarray:
    n = ages.size
    j = np.arange(1, n - 2)
    stencil = [ages[j - 1], ages[j], ages[j + 1], ages[j + 2]]
    denominators = np.full((4, n), np.nan)
    for i, node in enumerate(stencil):
        others = [other for m, other in enumerate(stencil) if m != i]
        denominators[i, j] = (node - others[0]) * (node - others[1]) * (node - others[2])
    return denominators


def _uk90_path() -> Path:
    # find_spec locates the installed package without executing its __init__, which would load
    # every reference the package ships (about a second) to read this one file.
    spec = importlib.util.find_spec("rcpchgrowth")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the rcpchgrowth package (which ships the UK90 reference) is not "
                          "installed")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*_REFERENCE_FILE)


@cache
def _uk90() -> dict[str, _Reference]:
    document = json.loads(_uk90_path().read_text(encoding="utf-8"))
    references = {}
    for measurement in _MEASUREMENTS:
        rows = {sex: document["measurement"][measurement][sex] for sex in SEXES}
        ages = np.array([row["decimal_age"] for row in rows["male"]], dtype=float)
        female_ages = np.array([row["decimal_age"] for row in rows["female"]], dtype=float)
        step = (ages[-1] - ages[0]) / (ages.size - 1)
        if (not np.array_equal(ages, female_ages)
                or not np.allclose(np.diff(ages), step, rtol=1e-9, atol=0)):
            raise RuntimeError(f"the installed UK90 {measurement} table's ages are not one "
                               "evenly spaced grid for boys and girls, as this module expects")
        if ages[0] != AGE_RANGE[0] or ages[-1] != AGE_RANGE[1]:
            raise RuntimeError(f"the installed UK90 {measurement} table covers ages "
                               f"{ages[0]} to {ages[-1]}, not {AGE_RANGE[0]} to {AGE_RANGE[1]}")
        references[measurement] = _Reference(
            ages=ages,
            step=step,
            rounded=np.array([round(float(age), _MATCH_DECIMALS) for age in ages]),
            lms=np.array([[row[key] for sex in SEXES for row in rows[sex]]
                          for key in ("L", "M", "S")], dtype=float),
            lagrange=_lagrange_denominators(ages),
        )
    return references


def reference_source() -> str:
    """Name the reference in use, for footnotes: the UK90 tables and the package shipping them.

    Returns
    -------
    str
        e.g. ``"UK90 child growth reference (Cole, Freeman & Preece 1995), from rcpchgrowth 4.6.5"``.
    """
    version = importlib.metadata.version("rcpchgrowth")
    return ("UK90 child growth reference (Cole, Freeman & Preece 1995), "
            f"from rcpchgrowth {version}")


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------

def _as_float(values: Any, name: str) -> np.ndarray:
    try:
        if hasattr(values, "to_numpy"):
            return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers (missing values as NaN)") from error


def _sex_codes(sex: Any) -> np.ndarray:
    """0 for male, 1 for female, -1 for missing; ValueError on anything else."""
    if isinstance(sex, str):
        if sex not in SEXES:
            raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
        return np.array(SEXES.index(sex), dtype=np.int8)
    if isinstance(sex, (pd.Series, pd.Index, pd.Categorical)):
        values, shape = sex, (len(sex),)
    elif isinstance(sex, np.ndarray) and sex.dtype.kind == "U":
        # fixed-width strings: two vectorised comparisons beat hashing each string
        male, female = sex == SEXES[0], sex == SEXES[1]
        if not (male | female).all():
            shown = ", ".join(repr(str(v)) for v in np.unique(sex[~(male | female)])[:5])
            raise ValueError(f"sex must be 'male' or 'female' (or missing); found {shown}")
        return female.astype(np.int8)
    else:
        array = np.asarray(sex, dtype=object)
        values, shape = array.ravel(), array.shape
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    unknown = [value for value in uniques if value not in SEXES]
    if unknown:
        shown = ", ".join(repr(value) for value in unknown[:5])
        raise ValueError(f"sex must be 'male' or 'female' (or missing); found {shown}")
    lookup = np.array([SEXES.index(value) for value in uniques] + [-1], dtype=np.int8)
    return lookup[codes].reshape(shape)


def _broadcast(names: tuple[str, ...], *arrays: np.ndarray) -> list[np.ndarray]:
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError as error:
        raise ValueError(f"{', '.join(names)} must have the same length (or be single "
                         "values)") from error


def _check_positive(values: np.ndarray, name: str, unit: str) -> None:
    bad = ~np.isnan(values) & ~(np.isfinite(values) & (values > 0))
    if bad.any():
        example = values[bad].flat[0]
        raise ValueError(f"{name} must be a positive number of {unit}; {int(bad.sum())} "
                         f"value(s) are not (e.g. {example})")


def _check_age(age: np.ndarray) -> None:
    bad = ~np.isnan(age) & ~((age >= AGE_RANGE[0]) & (age <= AGE_RANGE[1]))
    if bad.any():
        example = age[bad].flat[0]
        raise ValueError(f"age_years must be within the UK90 child reference, {AGE_RANGE[0]:g} "
                         f"to {AGE_RANGE[1]:g} years; {int(bad.sum())} value(s) are not "
                         f"(e.g. {example})")


# --------------------------------------------------------------------------------------------
# LMS at age: rcpchgrowth's fetch_lms, vectorised
# --------------------------------------------------------------------------------------------

def _lms_at(reference: _Reference, age: np.ndarray, sex: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L, M and S at each age (valid ages within AGE_RANGE; sex codes 0/1), as rcpchgrowth.

    rcpchgrowth's ``fetch_lms``: the table row when the age equals a row's age once both are
    rounded to 4 decimal places; else cubic (Lagrange) interpolation through the rows
    ``j - 1 .. j + 2``, where ``j`` is the last row younger than the age; linear between rows
    ``j`` and ``j + 1`` in the first and last interval, where the four rows do not exist.
    """
    ages, n = reference.ages, reference.ages.size
    offset = sex.astype(np.intp) * n
    # the last row strictly younger than the age; on the monthly grid the row index from the
    # age is right to within one row, and one comparison each side corrects it (several times
    # faster than a binary search)
    guess = np.clip(((age - ages[0]) / reference.step).astype(np.intp), 0, n - 1)
    below = guess + (ages[np.minimum(guess + 1, n - 1)] < age) - (ages[guess] >= age)

    # Exact matches, vectorised: round(age, 4) == r exactly when |age - r| < 0.00005, except
    # in a hair-thin band around 0.00005, settled with Python's round as rcpchgrowth does.
    exact = np.full(age.shape, -1, dtype=np.intp)
    half, band = 0.5 * 10.0 ** -_MATCH_DECIMALS, 1e-12
    for row in (np.maximum(below, 0), np.minimum(below + 1, n - 1)):
        distance = np.abs(age - reference.rounded[row])
        hit = (distance < half - band) & (exact < 0)
        exact[hit] = row[hit]
        for i in np.flatnonzero(np.abs(distance - half) <= band):
            if exact[i] < 0 and round(float(age[i]), _MATCH_DECIMALS) == reference.rounded[row[i]]:
                exact[i] = row[i]

    # Cubic everywhere first (j clipped so that every age has four rows); the first and last
    # intervals and the exact matches are overwritten below.
    j = np.clip(below, 1, n - 3)
    d = [age - ages[j - 1], age - ages[j], age - ages[j + 1], age - ages[j + 2]]
    weights = [d[1] * d[2] * d[3], d[0] * d[2] * d[3], d[0] * d[1] * d[3], d[0] * d[1] * d[2]]
    k = offset + j
    out = sum(np.take(reference.lms, k + (i - 1), axis=1) * (w / reference.lagrange[i, j])
              for i, w in enumerate(weights))

    # Linear in the first and last interval (rcpchgrowth: scipy interp1d, i.e. numpy.interp).
    linear = np.flatnonzero(((below == 0) | (below == n - 2)) & (exact < 0))
    if linear.size:
        jl = below[linear]
        kl = offset[linear] + jl
        x0, x1 = ages[jl], ages[jl + 1]
        y0, y1 = np.take(reference.lms, kl, axis=1), np.take(reference.lms, kl + 1, axis=1)
        out[:, linear] = (y1 - y0) / (x1 - x0) * (age[linear] - x0) + y0

    matched = np.flatnonzero(exact >= 0)
    if matched.size:
        out[:, matched] = np.take(reference.lms, offset[matched] + exact[matched], axis=1)
    return out[0], out[1], out[2]


def _z(L: np.ndarray, M: np.ndarray, S: np.ndarray, x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = ((x / M) ** L - 1) / (L * S)
        zero = L == 0
        if zero.any():
            z[zero] = np.log(x[zero] / M[zero]) / S[zero]
    return z


def _sds(measurement: str, value: Any, age_years: Any, sex: Any, name: str) -> np.ndarray:
    values = _as_float(value, name)
    age = _as_float(age_years, "age_years")
    codes = _sex_codes(sex)
    values, age, codes = _broadcast((name, "age_years", "sex"), values, age, codes)
    _check_positive(values, name, _UNITS[measurement])
    _check_age(age)
    shape = values.shape
    values, age, codes = values.ravel(), age.ravel(), codes.ravel()
    ok = ~np.isnan(values) & ~np.isnan(age) & (codes >= 0)
    reference = _uk90()[measurement]
    if ok.all():
        return _z(*_lms_at(reference, age, codes), values).reshape(shape)
    result = np.full(values.shape, np.nan)
    result[ok] = _z(*_lms_at(reference, age[ok], codes[ok]), values[ok])
    return result.reshape(shape)


# --------------------------------------------------------------------------------------------
# Public: SDS, centiles, inverse
# --------------------------------------------------------------------------------------------

def bmi_sds(bmi: Any, age_years: Any, sex: Any) -> np.ndarray:
    """BMI SDS (z-score) against the UK90 reference, as rcpchgrowth calculates it.

    Parameters
    ----------
    bmi : array-like of float
        Body mass index, kg/m2 (see :func:`bmi`). NaN for missing.
    age_years : array-like of float
        Chronological age in decimal years (days / 365.25, see :func:`age_in_years`),
        4 to 20 inclusive. NaN for missing.
    sex : str or array-like of str
        ``"male"`` or ``"female"``; None or NaN for missing.

    Returns
    -------
    numpy.ndarray of float
        The SDS, shaped like the broadcast inputs; NaN where any input is missing.

    Raises
    ------
    ValueError
        For a BMI that is not a positive number, an age outside 4-20 years, a sex other than
        ``"male"``/``"female"``, or inputs of different lengths.

    References
    ----------
    Cole, Freeman & Preece 1995 (UK90 BMI); Cole 1990 (LMS method); rcpchgrowth
    ``sds_for_measurement`` (chronological SDS; equal to within 1e-6, tested).
    """
    return _sds("bmi", bmi, age_years, sex, "bmi")


def height_sds(height_cm: Any, age_years: Any, sex: Any) -> np.ndarray:
    """Height SDS (z-score) against the UK90 reference (Freeman et al. 1995).

    ``height_cm`` in centimetres; ``age_years`` in decimal years, 4 to 20; ``sex`` as in
    :func:`bmi_sds`. Same interpolation and LMS formula as :func:`bmi_sds`; NaN in, NaN out;
    ValueError for non-positive heights, ages outside the reference or unknown sex values.
    """
    return _sds("height", height_cm, age_years, sex, "height_cm")


def weight_sds(weight_kg: Any, age_years: Any, sex: Any) -> np.ndarray:
    """Weight SDS (z-score) against the UK90 reference (Freeman et al. 1995).

    ``weight_kg`` in kilograms; ``age_years`` in decimal years, 4 to 20; ``sex`` as in
    :func:`bmi_sds`. Same interpolation and LMS formula as :func:`bmi_sds`; NaN in, NaN out;
    ValueError for non-positive weights, ages outside the reference or unknown sex values.
    """
    return _sds("weight", weight_kg, age_years, sex, "weight_kg")


def centile(sds: Any) -> np.ndarray:
    """Centile (0-100) of an SDS under the standard normal: ``100 * Phi(sds)``.

    As rcpchgrowth's ``centile`` (scipy ``norm.cdf``). NaN in, NaN out.

    References
    ----------
    Cole 1990 (LMS method: the SDS is standard normal by construction).
    """
    return ndtr(_as_float(sds, "sds")) * 100.0


def bmi_from_sds(sds: Any, age_years: Any, sex: Any) -> np.ndarray:
    """The BMI (kg/m2) at a given UK90 BMI SDS, age and sex: the inverse of :func:`bmi_sds`.

    ``BMI = M * (1 + L * S * sds) ** (1 / L)``, or ``M * exp(S * sds)`` when ``L = 0``, with the
    L, M and S interpolated at the age exactly as in :func:`bmi_sds`, so the two round-trip to
    within 1e-9.

    Parameters
    ----------
    sds : array-like of float
        BMI SDS; NaN for missing.
    age_years : array-like of float
        Decimal years, 4 to 20.
    sex : str or array-like of str
        ``"male"`` or ``"female"``.

    Returns
    -------
    numpy.ndarray of float
        BMI in kg/m2.

    Raises
    ------
    ValueError
        For an infinite SDS; an SDS so high that ``1 + L * S * sds <= 0``, which no BMI has
        (UK90's BMI SDS is bounded above by ``1 / (|L| S)``: 4.8 for boys and 5.9 for girls at
        their lowest, around age 11, and about 10 at age 4); an age outside 4-20 years; or an
        unknown sex value.

    References
    ----------
    Cole 1990 (LMS method); Cole, Freeman & Preece 1995 (UK90 BMI).
    """
    z = _as_float(sds, "sds")
    age = _as_float(age_years, "age_years")
    codes = _sex_codes(sex)
    z, age, codes = _broadcast(("sds", "age_years", "sex"), z, age, codes)
    if np.isinf(z).any():
        raise ValueError("sds must be finite (NaN for missing)")
    _check_age(age)
    shape = z.shape
    z, age, codes = z.ravel(), age.ravel(), codes.ravel()
    ok = ~np.isnan(z) & ~np.isnan(age) & (codes >= 0)
    L, M, S = _lms_at(_uk90()["bmi"], age[ok], codes[ok])
    base = 1 + L * S * z[ok]
    if (base <= 0).any():
        raise ValueError("sds is beyond the UK90 BMI curve at that age (1 + L*S*sds must be "
                         f"positive); largest requested sds {z[ok][base <= 0].max():g}")
    with np.errstate(divide="ignore"):
        values = M * base ** (1 / L)
    zero = L == 0
    if zero.any():
        values[zero] = M[zero] * np.exp(S[zero] * z[ok][zero])
    result = np.full(z.shape, np.nan)
    result[ok] = values
    return result.reshape(shape)


# --------------------------------------------------------------------------------------------
# Public: NCMP classification
# --------------------------------------------------------------------------------------------

def classify_bmi(sds: Any) -> pd.Categorical:
    """Classify UK90 BMI SDS into the NCMP population-monitoring BMI categories.

    The categories are mutually exclusive and ordered, by the BMI centile ``c`` (see
    :func:`centile`):

    - ``underweight``: c <= 2
    - ``healthy``: 2 < c < 85 (the NCMP's "healthy weight")
    - ``overweight``: 85 <= c < 95 (overweight but not obese)
    - ``obese``: 95 <= c < 99.6 (obese but not severely obese)
    - ``severely obese``: c >= 99.6

    The NCMP's published "obese" includes severe obesity, and "overweight (including obesity)"
    ("excess weight") includes both: :func:`ncmp_flags` gives those unions.

    Parameters
    ----------
    sds : array-like of float
        UK90 BMI SDS (see :func:`bmi_sds`); NaN for missing.

    Returns
    -------
    pandas.Categorical
        Ordered, categories :data:`BMI_CATEGORIES`; missing where the SDS is NaN.

    References
    ----------
    NHS England, National Child Measurement Programme, England: appendices, "Calculation of
    prevalence"; Cole, Freeman & Preece 1995 (UK90 BMI).
    """
    c = centile(sds).ravel()
    thresholds = NCMP_CENTILE_THRESHOLDS
    codes = ((c > thresholds["underweight"]).astype(np.int8)
             + (c >= thresholds["overweight"]) + (c >= thresholds["obese"])
             + (c >= thresholds["severely obese"]))
    codes[np.isnan(c)] = -1
    return pd.Categorical.from_codes(codes, categories=list(BMI_CATEGORIES), ordered=True)


def ncmp_flags(category: Any) -> pd.DataFrame:
    """The five NCMP prevalence measures as flags, one row per child.

    Parameters
    ----------
    category : pandas.Categorical, Series or array-like of str
        BMI categories from :func:`classify_bmi` (values in :data:`BMI_CATEGORIES`; missing
        allowed).

    Returns
    -------
    pandas.DataFrame
        Nullable boolean columns ``underweight``, ``healthy_weight``, ``overweight_incl_obese``
        (the NCMP's "excess weight": overweight, obese or severely obese),
        ``obese_incl_severe`` (obese or severely obese) and ``severely_obese``; missing where the
        category is missing, so ``.sum()`` counts children and ``.count()`` the denominator.
        The index is the Series' index when a Series is given, else 0..n-1.

    Raises
    ------
    ValueError
        For a value that is not one of :data:`BMI_CATEGORIES`.

    References
    ----------
    NHS England, National Child Measurement Programme, England: appendices (severe obesity is a
    subset of obesity; overweight including obesity = excess weight).
    """
    index = category.index if isinstance(category, pd.Series) else None
    values = pd.Series(np.asarray(category, dtype=object), index=index, dtype=object)
    unknown = sorted({str(v) for v in values.dropna().unique()} - set(BMI_CATEGORIES))
    if unknown:
        raise ValueError(f"category values must be among {', '.join(BMI_CATEGORIES)}; found "
                         f"{', '.join(unknown[:5])}")
    missing = values.isna().to_numpy()
    flags = {}
    for column, members in NCMP_INDICATORS.items():
        flag = pd.array(values.isin(members).to_numpy(), dtype="boolean")
        flag[missing] = pd.NA
        flags[column] = flag
    return pd.DataFrame(flags, index=values.index)


# --------------------------------------------------------------------------------------------
# Public: derived inputs and data quality
# --------------------------------------------------------------------------------------------

def bmi(height_cm: Any, weight_kg: Any) -> np.ndarray:
    """Body mass index, kg/m2: ``weight_kg / (height_cm / 100) ** 2``.

    As rcpchgrowth's ``bmi_from_height_weight``. NaN in, NaN out; ValueError for a height or
    weight that is not a positive number (give height in cm, not metres).
    """
    height = _as_float(height_cm, "height_cm")
    weight = _as_float(weight_kg, "weight_kg")
    height, weight = _broadcast(("height_cm", "weight_kg"), height, weight)
    _check_positive(height, "height_cm", "cm")
    _check_positive(weight, "weight_kg", "kg")
    return weight / (height / 100) ** 2


def _as_days(dates: Any, name: str) -> np.ndarray:
    try:
        converted = pd.to_datetime(dates, format="ISO8601")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be dates (ISO YYYY-MM-DD strings, dates or "
                         "datetimes)") from error
    return np.asarray(converted, dtype="datetime64[ns]").astype("datetime64[D]")


def age_in_years(birth_date: Any, measurement_date: Any) -> np.ndarray:
    """Chronological decimal age in years: whole days between the dates / 365.25.

    As rcpchgrowth's ``chronological_decimal_age``; times of day are ignored.

    Parameters
    ----------
    birth_date, measurement_date : date, str or array-like of these
        Dates (ISO ``YYYY-MM-DD`` strings, ``datetime.date``, numpy or pandas datetimes);
        missing values (NaT, None) give NaN.

    Returns
    -------
    numpy.ndarray of float
        Age in decimal years.

    Raises
    ------
    ValueError
        For values that are not dates, inputs of different lengths, or a measurement before
        birth.
    """
    born = _as_days(birth_date, "birth_date")
    measured = _as_days(measurement_date, "measurement_date")
    born, measured = _broadcast(("birth_date", "measurement_date"), born, measured)
    days = (measured - born).astype("timedelta64[D]")
    whole_days = np.where(np.isnat(days), np.nan, days.astype(np.int64))
    if (whole_days < 0).any():
        raise ValueError(f"measurement_date is before birth_date in {int((whole_days < 0).sum())} "
                         "record(s)")
    return whole_days / 365.25


def modified_sds(value: Any, age_years: Any, sex: Any, measurement: str = "bmi") -> np.ndarray:
    """Modified (extended) UK90 SDS, for spotting implausible values; not for classification.

    Above the median ``M`` it is ``(x - M) / ((x[+2] - M) / 2)`` and below it
    ``(x - M) / ((M - x[-2]) / 2)``, where ``x[+2]`` and ``x[-2]`` are the measurements at +2 and
    -2 SDS (LMS method). It equals the SDS at 0 and ±2 and for height (L = 1), and grows in
    proportion to the distance from the median beyond them. The plain LMS SDS does not: with
    UK90's strongly negative BMI L it can never exceed ``1 / (|L| S)``, which is only 4.8 for
    boys aged about 11 (5.9 for girls), so however wrong a recorded BMI, its SDS stays below
    that.

    Parameters
    ----------
    value : array-like of float
        The measurement: cm for height, kg for weight, kg/m2 for BMI.
    age_years : array-like of float
        Decimal years, 4 to 20.
    sex : str or array-like of str
        ``"male"`` or ``"female"``.
    measurement : str
        ``"height"``, ``"weight"`` or ``"bmi"``.

    Returns
    -------
    numpy.ndarray of float
        Modified SDS; NaN where an input is missing.

    References
    ----------
    Centers for Disease Control and Prevention, "Modified z-scores in the CDC growth charts"
    and the CDC growth-chart SAS program (cdc-source-code.sas), applied here to UK90's L, M, S.
    """
    if measurement not in _MEASUREMENTS:
        raise ValueError(f"measurement must be one of {', '.join(_MEASUREMENTS)}, "
                         f"got {measurement!r}")
    values = _as_float(value, "value")
    age = _as_float(age_years, "age_years")
    codes = _sex_codes(sex)
    values, age, codes = _broadcast(("value", "age_years", "sex"), values, age, codes)
    _check_positive(values, "value", _UNITS[measurement])
    _check_age(age)
    shape = values.shape
    values, age, codes = values.ravel(), age.ravel(), codes.ravel()
    ok = ~np.isnan(values) & ~np.isnan(age) & (codes >= 0)
    result = np.full(values.shape, np.nan)
    result[ok] = _modified_z(measurement, values[ok], age[ok], codes[ok])
    return result.reshape(shape)


def _modified_z(measurement: str, x: np.ndarray, age: np.ndarray, sex: np.ndarray
                ) -> np.ndarray:
    L, M, S = _lms_at(_uk90()[measurement], age, sex)
    half_sd_above = (M * (1 + 2 * L * S) ** (1 / L) - M) / 2
    half_sd_below = (M - M * (1 - 2 * L * S) ** (1 / L)) / 2
    return (x - M) / np.where(x < M, half_sd_below, half_sd_above)


_LABELS = {"height": "height", "weight": "weight", "bmi": "BMI"}
_REASONS = {
    "missing": "height, weight, age or sex missing: no SDS can be calculated",
    "age_outside_reference": "age outside the UK90 child reference (4 to 20 years)",
    **{f"{measurement}_{side}":
       f"{_LABELS[measurement]} modified SDS {word} {{{measurement}_{side}:+g}}"
       for measurement in _MEASUREMENTS for side, word in (("low", "below"), ("high", "above"))},
}


def _limits(limits: Mapping[str, tuple[float, float]] | None) -> dict[str, tuple[float, float]]:
    chosen = dict(IMPLAUSIBLE_LIMITS)
    for measurement, pair in (limits or {}).items():
        if measurement not in _MEASUREMENTS:
            raise ValueError(f"limits must be keyed by {', '.join(_MEASUREMENTS)}; got "
                             f"{measurement!r}")
        try:
            low, high = (float(value) for value in pair)
        except (TypeError, ValueError) as error:
            raise ValueError(f"limits[{measurement!r}] must be a pair (low, high) of "
                             "numbers") from error
        if not low < 0 < high:
            raise ValueError(f"limits[{measurement!r}] must have low < 0 < high; got "
                             f"({low:g}, {high:g})")
        chosen[measurement] = (low, high)
    return chosen


def _measurements(height_cm, weight_kg, age_years, sex):
    """Checked, flattened measurements for the flagging functions: (index, height, weight, age,
    sex codes, which records can be scored, and the "missing" and "age_outside_reference"
    flags)."""
    index = height_cm.index if isinstance(height_cm, pd.Series) else None
    height = _as_float(height_cm, "height_cm")
    weight = _as_float(weight_kg, "weight_kg")
    age = _as_float(age_years, "age_years")
    codes = _sex_codes(sex)
    height, weight, age, codes = _broadcast(("height_cm", "weight_kg", "age_years", "sex"),
                                            height, weight, age, codes)
    _check_positive(height, "height_cm", "cm")
    _check_positive(weight, "weight_kg", "kg")
    height, weight, age, codes = (np.ravel(a) for a in (height, weight, age, codes))
    missing = np.isnan(height) | np.isnan(weight) | np.isnan(age) | (codes < 0)
    outside = ~np.isnan(age) & ~((age >= AGE_RANGE[0]) & (age <= AGE_RANGE[1]))
    flags = {"missing": missing, "age_outside_reference": outside}
    return index, height, weight, age, codes, ~missing & ~outside, flags


def flag_implausible(height_cm: Any, weight_kg: Any, age_years: Any, sex: Any,
                     limits: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Flag biologically implausible NCMP measurements, one row per child, never dropping any.

    The rule: a record is implausible when its height, weight or BMI lies beyond the limits on
    the UK90 *modified* SDS (:func:`modified_sds`): by default, as the CDC's biologically
    implausible value cut-offs, height below -5 or above +4, weight below -5 or above +8, BMI
    below -4 or above +8 (:data:`IMPLAUSIBLE_LIMITS`); or when it cannot be assessed (a
    measurement, the age or the sex missing; an age outside the UK90 child reference). Each
    reason is a column, so every excluded child is counted by reason
    (:func:`implausible_summary`); ``implausible`` is True when any reason applies.

    Why this rule: the NCMP collection system (NHS England, "Validation of National Child
    Measurement Programme data: at-source validations") rejects impossible values but only
    warns on improbable, extreme ones, which the local authority confirms; so extreme records
    reach analysts and must be flagged and counted, not silently dropped. No published NCMP
    z-score limit was available to us. A limit on the plain LMS SDS (say ±7) cannot work for
    BMI or weight: UK90's L is so negative that a Year 6 boy's BMI SDS cannot exceed 4.8
    whatever the recorded BMI. The modified SDS has no such ceiling, and the CDC's cut-offs on
    it are the established convention for it; pass ``limits`` to apply a local one.

    Parameters
    ----------
    height_cm : array-like of float
        Height, cm.
    weight_kg : array-like of float
        Weight, kg.
    age_years : array-like of float
        Decimal years (:func:`age_in_years`); ages outside 4-20 are flagged, not errors.
    sex : str or array-like of str
        ``"male"`` or ``"female"``; missing allowed.
    limits : mapping, optional
        ``{"height" | "weight" | "bmi": (low, high)}`` modified-SDS limits replacing the
        defaults for the measurements given; each needs ``low < 0 < high``.

    Returns
    -------
    pandas.DataFrame
        Boolean columns ``missing``, ``age_outside_reference``, ``height_low``,
        ``height_high``, ``weight_low``, ``weight_high``, ``bmi_low``, ``bmi_high`` and
        ``implausible`` (any of them). The index is ``height_cm``'s when it is a Series. The
        limits used are in ``.attrs["limits"]``.

    Raises
    ------
    ValueError
        For a height or weight that is not positive (impossible values are the data reader's
        to reject), an unknown sex value, bad ``limits``, or inputs of different lengths.

    References
    ----------
    Freeman et al. 1995 and Cole, Freeman & Preece 1995 (UK90); CDC growth-chart SAS program
    (cdc-source-code.sas, biologically implausible value cut-offs revised December 2015);
    Freedman DS et al. Validity of the WHO cutoffs for biologically implausible values of
    weight, height, and BMI in children and adolescents in NHANES from 1999 through 2012.
    Am J Clin Nutr 2015;102:1000-1006.
    """
    chosen = _limits(limits)
    index, height, weight, age, codes, ok, flags = _measurements(height_cm, weight_kg,
                                                                 age_years, sex)
    for measurement, values in (("height", height), ("weight", weight),
                                ("bmi", weight / (height / 100) ** 2)):
        sds = np.full(height.shape, np.nan)
        sds[ok] = _modified_z(measurement, values[ok], age[ok], codes[ok])
        low, high = chosen[measurement]
        flags[f"{measurement}_low"] = sds < low
        flags[f"{measurement}_high"] = sds > high
    table = pd.DataFrame(flags, index=index)
    table["implausible"] = table.any(axis=1)
    table.attrs["limits"] = chosen
    return table


NCMP_EXCLUSION_SDS = 7.0
"""Records whose height, weight or BMI SDS (plain UK90 LMS SDS) lies beyond +/- this many SD are
excluded by :func:`flag_ncmp_exclusions`."""

_EXCLUSION_REASONS = {
    "missing": "height, weight, age or sex missing: no SDS can be calculated",
    "age_outside_reference": "age outside the UK90 child reference (4 to 20 years)",
    **{f"{measurement}_out_of_range":
       f"{_LABELS[measurement]} SDS beyond +/-{{limit:g}} (outside the NCMP validation range)"
       for measurement in _MEASUREMENTS},
}


def flag_ncmp_exclusions(height_cm: Any, weight_kg: Any, age_years: Any, sex: Any,
                         limit: float = NCMP_EXCLUSION_SDS) -> pd.DataFrame:
    """Flag the records the NCMP itself would exclude, one row per child, never dropping any.

    The rule: a record is excluded when it cannot be assessed (a measurement, the age or the
    sex missing; an age outside the UK90 child reference) or when its height, weight or BMI
    SDS (:func:`height_sds`, :func:`weight_sds`, :func:`bmi_sds`: the plain UK90 LMS SDS the
    NCMP uses) lies beyond +/- ``limit`` (default 7). Everything else is kept, however extreme:
    flag those with :func:`flag_implausible` to count them, not to drop them. Each reason is a
    column; ``implausible`` is True when any reason applies (the record is excluded).

    Source and caveat: the NCMP collection system (NHS England, "Validation of National Child
    Measurement Programme data": at-source and post-deadline validations) rejects impossible
    values and warns on improbable, extreme ones, which the local authority must confirm, so
    confirmed extreme measurements are genuine and stay in the national figures. An SDS beyond
    +/-7 is taken here as the edge of a biologically possible value (wider than the WHO's
    flags of +/-5 to +/-6, so nothing genuine is dropped); it catches recording errors such as
    a weight keyed ten times too high or a height in inches. This is this book's reading of
    the NCMP validation ranges, not a copy of the system's rules: **check the limit with the
    NCMP team (NHS England / DHSC) before relying on it**, and pass ``limit`` to apply theirs.
    UK90's plain BMI and weight SDS have a ceiling in Year 6 (BMI 4.8 for boys about 11), so
    there the limit mostly catches impossible lows and heights in the wrong unit; a Year 6
    weight keyed too high may stay in, flagged by :func:`flag_implausible` for checking.

    Parameters
    ----------
    height_cm, weight_kg : array-like of float
        cm and kg (positive; missing allowed).
    age_years : array-like of float
        Decimal years (:func:`age_in_years`); ages outside 4-20 are flagged, not errors.
    sex : str or array-like of str
        ``"male"`` or ``"female"``; missing allowed.
    limit : float
        The SDS beyond which a value is excluded (> 0).

    Returns
    -------
    pandas.DataFrame
        Boolean columns ``missing``, ``age_outside_reference``, ``height_out_of_range``,
        ``weight_out_of_range``, ``bmi_out_of_range`` and ``implausible`` (any of them). The
        index is ``height_cm``'s when it is a Series; the limit is in ``.attrs["limit"]``.

    References
    ----------
    NHS England, National Child Measurement Programme: validation of NCMP data (at-source and
    post-deadline validations); WHO Anthro / WHO AnthroPlus manuals (flags for implausible
    z-scores); Cole, Freeman & Preece 1995 and Freeman et al. 1995 (UK90).
    """
    if not float(limit) > 0:
        raise ValueError(f"limit must be a positive number of SD, got {limit!r}")
    index, height, weight, age, codes, ok, flags = _measurements(height_cm, weight_kg,
                                                                 age_years, sex)
    for measurement, values in (("height", height), ("weight", weight),
                                ("bmi", weight / (height / 100) ** 2)):
        sds = np.full(height.shape, np.nan)
        sds[ok] = _z(*_lms_at(_uk90()[measurement], age[ok], codes[ok]), values[ok])
        flags[f"{measurement}_out_of_range"] = np.abs(sds) > float(limit)
    table = pd.DataFrame(flags, index=index)
    table["implausible"] = table.any(axis=1)
    table.attrs["limit"] = float(limit)
    return table


def exclusion_summary(flags: pd.DataFrame) -> pd.DataFrame:
    """Count the records flagged by :func:`flag_ncmp_exclusions`, by reason: columns
    ``reason``, ``description``, ``count`` (records) and ``percent`` (of all records, 0-100),
    one row per reason plus ``implausible`` (any reason, each record once)."""
    columns = [*_EXCLUSION_REASONS, "implausible"]
    absent = [column for column in columns if column not in getattr(flags, "columns", ())]
    if absent:
        raise ValueError(f"flags must be the output of flag_ncmp_exclusions; missing column(s) "
                         f"{', '.join(absent)}")
    limit = flags.attrs.get("limit", NCMP_EXCLUSION_SDS)
    descriptions = {reason: text.format(limit=limit) for reason, text in
                    _EXCLUSION_REASONS.items()}
    descriptions["implausible"] = "any of the above"
    counts = flags[columns].sum().astype(int).to_numpy()
    total = len(flags)
    return pd.DataFrame({"reason": columns,
                         "description": [descriptions[column] for column in columns],
                         "count": counts,
                         "percent": counts / total * 100 if total else np.nan})


def implausible_summary(flags: pd.DataFrame) -> pd.DataFrame:
    """Count the records flagged by :func:`flag_implausible`, by reason.

    Parameters
    ----------
    flags : pandas.DataFrame
        The output of :func:`flag_implausible`.

    Returns
    -------
    pandas.DataFrame
        One row per reason plus ``implausible`` (any reason; a record with several reasons is
        counted once there), with columns ``reason``, ``description`` (naming the limit
        applied), ``count`` (records) and ``percent`` (of all records, 0-100; NaN when there
        are none).

    Raises
    ------
    ValueError
        When ``flags`` lacks the columns :func:`flag_implausible` returns.
    """
    columns = [*_REASONS, "implausible"]
    absent = [column for column in columns if column not in getattr(flags, "columns", ())]
    if absent:
        raise ValueError(f"flags must be the output of flag_implausible; missing column(s) "
                         f"{', '.join(absent)}")
    chosen = flags.attrs.get("limits", IMPLAUSIBLE_LIMITS)
    bounds = {f"{measurement}_{side}": chosen[measurement][i]
              for measurement in _MEASUREMENTS for i, side in enumerate(("low", "high"))}
    descriptions = {reason: text.format(**bounds) for reason, text in _REASONS.items()}
    descriptions["implausible"] = "any of the above"
    counts = flags[columns].sum().astype(int).to_numpy()
    total = len(flags)
    return pd.DataFrame({
        "reason": columns,
        "description": [descriptions[column] for column in columns],
        "count": counts,
        "percent": counts / total * 100 if total else np.nan,
    })
