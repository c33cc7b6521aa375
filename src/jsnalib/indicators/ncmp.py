"""The NCMP prevalence measures: one definition of each, used by the obesity chapter and the profiles.

A measure is a union of UK90 BMI categories (:data:`jsnalib.methods.growth.BMI_CATEGORIES`)
among children with a valid measurement. :func:`classify_records` adds each record's age, BMI,
UK90 BMI SDS, category and implausibility flags; :func:`bmi_counts` counts children in each
measure; :func:`fingertips_measure` recognises the same measures in a Fingertips export.

References: NHS England, National Child Measurement Programme (population monitoring
thresholds: overweight at or above the 85th centile, obese at or above the 95th, severely obese
at or above the 99.6th of the UK90 reference).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jsnalib.inputs.periods import start_year
from jsnalib.methods import growth


@dataclass(frozen=True)
class Indicator:
    """A published NCMP prevalence measure: its wording, UK90 categories and polarity."""

    label: str
    categories: tuple[str, ...]
    polarity: str


#: The prevalence measures on the page, as unions of :data:`jsnalib.methods.growth.BMI_CATEGORIES`.
#: Polarity is for :func:`jsnalib.methods.stats.compare`: lower is better for excess weight and obesity.
INDICATORS = {
    "underweight": Indicator("Underweight", ("underweight",), "no_judgement"),
    "overweight": Indicator("Overweight (not obese)", ("overweight",), "low_is_good"),
    "obese": Indicator("Obese (including severely obese)", ("obese", "severely obese"),
                       "low_is_good"),
    "severely_obese": Indicator("Severely obese", ("severely obese",), "low_is_good"),
    "excess_weight": Indicator("Excess weight (overweight or obese)",
                               ("overweight", "obese", "severely obese"), "low_is_good"),
}
COUNT_COLUMNS = ["denominator", *INDICATORS]
#: Exclusion reasons (:func:`jsnalib.methods.growth.flag_ncmp_exclusions`; ``implausible`` = any)
#: and ``extreme_kept``: beyond the CDC's modified-SDS limits
#: (:func:`jsnalib.methods.growth.flag_implausible`) but inside the NCMP ranges, so kept.
_FLAG_COLUMNS = ["missing", "age_outside_reference", "height_out_of_range", "weight_out_of_range",
                 "bmi_out_of_range", "implausible", "extreme_kept"]
_NCMP_COLUMNS = ["academic_year", "school_year", "sex", "birth_date", "measurement_date",
                 "height_cm", "weight_kg", "area_code", "imd_decile"]


def classify_records(records: pd.DataFrame) -> pd.DataFrame:
    """Every NCMP record with its age, BMI, UK90 BMI SDS, category and implausibility flags.

    No record is dropped. Age is whole days / 365.25 (:func:`jsnalib.methods.growth.age_in_years`);
    records the NCMP itself would exclude (:func:`jsnalib.methods.growth.flag_ncmp_exclusions`:
    a value missing, or a height, weight or BMI SDS beyond +/-7) get no SDS and no category, so
    they are left out of every numerator and denominator. Records beyond the CDC's
    modified-SDS limits (:func:`jsnalib.methods.growth.flag_implausible`) but inside those
    ranges, such as genuine severe obesity, are kept and flagged ``extreme_kept``. Both are
    counted by the obesity chapter's ``exclusions``.

    Returns the records with columns added: ``year`` (start year of the academic year),
    ``age_years``, ``bmi`` (kg/m2), ``bmi_sds``, ``category`` (ordered categorical of
    :data:`jsnalib.methods.growth.BMI_CATEGORIES`, missing when excluded) and the flag columns
    :data:`_FLAG_COLUMNS`. ``school_year`` and ``sex`` become plain strings.
    """
    missing = [c for c in _NCMP_COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"records have no column(s) {missing}: expected the NCMP contract")
    height = records["height_cm"].to_numpy(float)
    weight = records["weight_kg"].to_numpy(float)
    sex = records["sex"].astype(str).to_numpy()
    age = growth.age_in_years(records["birth_date"], records["measurement_date"])
    flags = growth.flag_ncmp_exclusions(height, weight, age, sex)
    valid = ~flags["implausible"].to_numpy()
    flags["extreme_kept"] = (growth.flag_implausible(height, weight, age, sex)["implausible"]
                             .to_numpy() & valid)
    bmi = growth.bmi(height, weight)
    sds = np.full(len(records), np.nan)
    sds[valid] = growth.bmi_sds(bmi[valid], age[valid], sex[valid])
    out = records.assign(
        school_year=records["school_year"].astype(str),
        sex=sex,
        year=start_year(records["academic_year"]) if len(records) else np.array([], int),
        age_years=age, bmi=bmi, bmi_sds=sds, category=growth.classify_bmi(sds),
    )
    flags.index = out.index
    return pd.concat([out, flags], axis=1)


def bmi_counts(classified: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Children with a valid measurement (``denominator``) and in each :data:`INDICATORS`
    measure, for each combination of the ``by`` columns that has any.

    ``classified`` is the output of :func:`classify_records`; excluded records (no category)
    count nowhere. Returns ``by`` columns then :data:`COUNT_COLUMNS` (int64).
    """
    by = list(by)
    absent = [c for c in [*by, "category"] if c not in classified.columns]
    if absent:
        raise ValueError(f"classified records have no column(s) {absent}")
    valid = classified.loc[classified["category"].notna(), [*by, "category"]]
    categories = list(growth.BMI_CATEGORIES)
    table = (valid.groupby([*by, "category"], observed=True, sort=True).size()
             .unstack("category", fill_value=0))
    table.columns = table.columns.astype(str)
    table = table.reindex(columns=categories, fill_value=0)
    out = pd.DataFrame({"denominator": table.sum(axis=1)}, index=table.index)
    for key, indicator in INDICATORS.items():
        out[key] = table[list(indicator.categories)].sum(axis=1)
    return out.astype(np.int64).reset_index()


def fingertips_measure(indicator_name: str) -> tuple[str, str] | None:
    """(school_year, indicator) of a Fingertips NCMP indicator name, or None if it is not one
    of :data:`INDICATORS` (e.g. healthy weight, or another indicator in the export).

    "Reception prevalence of overweight (including obesity)" -> ("R", "excess_weight");
    "Year 6 prevalence of obesity (including severe obesity)" -> ("6", "obese");
    "Reception prevalence of severe obesity" -> ("R", "severely_obese").
    """
    name = str(indicator_name).lower()
    if "reception" in name:
        school_year = "R"
    elif re.search(r"year\s*6", name):
        school_year = "6"
    else:
        return None
    if "underweight" in name:
        return school_year, "underweight"
    if "healthy" in name:
        return None
    if "overweight" in name:
        return school_year, "excess_weight"
    if "severe obesity" in name and "including severe obesity" not in name:
        return school_year, "severely_obese"
    if "obes" in name:
        return school_year, "obese"
    return None
