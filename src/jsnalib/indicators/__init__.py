"""The one definition of every indicator the book shows (count, denominator, value, CI, period).

Chapters, area profiles and the outcomes summary all take their figures from here, so a figure
shown on two pages is the same figure. :mod:`.catalogue` holds the indicator set;
:mod:`.ncmp` the NCMP prevalence measures; :mod:`.fingertips` the indicators of any Fingertips
export dropped into data/ (:func:`load_with_exports`).
"""

from jsnalib.indicators.catalogue import (
    CHILD_AGE_GROUP,
    COHORT_FILE,
    DATA_FILES,
    FILES,
    IMR_NOTE_COHORT,
    IMR_NOTE_SUPPRESSED,
    IMR_SUPPRESS_BELOW,
    INDICATOR_KEYS,
    INDICATORS,
    NCMP_MEASURES,
    ROW_COLUMNS,
    SCHOOL_YEARS,
    Indicator,
    IndicatorData,
    all_indicators,
    excess_weight,
    fingertips_ncmp,
    indicator,
    infant_mortality,
    infant_mortality_cohort,
    ncmp_counts,
    obesity,
    referral_counts,
    referral_rate,
    rereferrals,
)
from jsnalib.indicators.fingertips import load_with_exports

__all__ = [
    "CHILD_AGE_GROUP",
    "DATA_FILES",
    "FILES",
    "COHORT_FILE",
    "IMR_NOTE_COHORT",
    "IMR_NOTE_SUPPRESSED",
    "IMR_SUPPRESS_BELOW",
    "INDICATOR_KEYS",
    "INDICATORS",
    "NCMP_MEASURES",
    "ROW_COLUMNS",
    "SCHOOL_YEARS",
    "Indicator",
    "IndicatorData",
    "all_indicators",
    "excess_weight",
    "fingertips_ncmp",
    "indicator",
    "infant_mortality",
    "infant_mortality_cohort",
    "load_with_exports",
    "ncmp_counts",
    "obesity",
    "referral_counts",
    "referral_rate",
    "rereferrals",
]
