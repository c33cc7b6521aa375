"""The designed world behind the synthetic data: sizes, trends, deprivation and published anchors.

Everything the generators draw from is set here, in one place, as plain numbers with the reason
for each: birth volumes, the expected trends (infant mortality, referral outcomes and child
protection plans, NCMP overweight prevalence), each area's deprivation profile, and the
published figures (:data:`PUBLISHED`) that the data are conditioned on. Anchors are given for
some years and :func:`interpolate` fills the years between them linearly (constant beyond).

Sources of the shapes (not copied values): ONS births and mid-year estimates, DfE
Characteristics of children in need, NHS England NCMP reports and OHID Fingertips, as
general orders of magnitude; the local anchors are the published figures in
:data:`PUBLISHED` (shared/context/seed_figures.csv). Referrals and re-referrals are not designed
here: the records follow the real DfE series (:mod:`jsnalib.synth.referrals`).
"""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------------------------
# areas (the GSS codes the data contracts fix)
ENGLAND = "E92000001"
WEST_MIDLANDS = "E12000005"
STAFFORDSHIRE = "E10000028"
STOKE = "E06000021"
AUTHORITIES = (STAFFORDSHIRE, STOKE)
"""The two children's-services authorities whose records are generated."""

DISTRICTS = ("E07000192", "E07000193", "E07000194", "E07000195", "E07000196", "E07000197",
             "E07000198", "E07000199")
"""Staffordshire's districts: Cannock Chase, East Staffordshire, Lichfield,
Newcastle-under-Lyme, South Staffordshire, Stafford, Staffordshire Moorlands, Tamworth."""

LOWEST_TIER = (*DISTRICTS, STOKE)
"""The areas NCMP records and district births belong to."""

JSNA_AREAS = (ENGLAND, WEST_MIDLANDS, STAFFORDSHIRE, STOKE, *DISTRICTS)

DISTRICT_BIRTH_SHARE = dict(zip(DISTRICTS, (0.122, 0.160, 0.113, 0.150, 0.105, 0.143, 0.089,
                                            0.118), strict=True))
"""Each district's share of Staffordshire's births (by size; East Staffordshire's fertility is
higher, the Moorlands' lower)."""

# children by national IMD decile (1 = most deprived): the share in each decile
DECILES = np.arange(1, 11)
DECILE_SHARE = {
    STOKE: (0.33, 0.20, 0.15, 0.10, 0.08, 0.06, 0.04, 0.02, 0.015, 0.005),
    "E07000192": (0.05, 0.10, 0.14, 0.16, 0.16, 0.14, 0.11, 0.08, 0.04, 0.02),
    "E07000193": (0.08, 0.09, 0.10, 0.10, 0.11, 0.11, 0.11, 0.11, 0.10, 0.09),
    "E07000194": (0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14, 0.15, 0.15, 0.14),
    "E07000195": (0.07, 0.09, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.10, 0.08),
    "E07000196": (0.01, 0.03, 0.05, 0.08, 0.11, 0.14, 0.16, 0.16, 0.14, 0.12),
    "E07000197": (0.02, 0.04, 0.07, 0.09, 0.11, 0.13, 0.14, 0.14, 0.14, 0.12),
    "E07000198": (0.01, 0.03, 0.06, 0.10, 0.14, 0.16, 0.16, 0.15, 0.11, 0.08),
    "E07000199": (0.06, 0.10, 0.13, 0.14, 0.14, 0.13, 0.11, 0.09, 0.06, 0.04),
    # the rest of the West Midlands (without Staffordshire and Stoke) and of England
    "rest_of_region": (0.19, 0.13, 0.11, 0.10, 0.09, 0.08, 0.08, 0.08, 0.07, 0.07),
    "rest_of_england": (0.113, 0.108, 0.104, 0.101, 0.098, 0.097, 0.096, 0.095, 0.094, 0.094),
}
"""Children (and births) by national IMD decile: Stoke-on-Trent concentrated in the most
deprived tenth, South Staffordshire and Lichfield in the least."""


def decile_share(area: str) -> np.ndarray:
    """The normalised decile distribution of an area (or of a 'rest' component)."""
    share = np.asarray(DECILE_SHARE[area], dtype=float)
    return share / share.sum()


def quintile_share(area: str) -> np.ndarray:
    """Births by IMD quintile (1 = most deprived): deciles 2q-1 and 2q added."""
    return decile_share(area).reshape(5, 2).sum(axis=1)


# ----------------------------------------------------------------------------------------------
# time
YEARS = np.arange(2006, 2024)
"""Calendar years of births and deaths; also the first calendar year of each academic year
(2006 = 2006/07). The referral records have their own years (``referrals.YEARS``)."""


def interpolate(anchors: dict[int, float], years: np.ndarray = YEARS) -> np.ndarray:
    """Linear interpolation between anchor years, constant before the first and after the last."""
    xs = np.array(sorted(anchors), dtype=float)
    return np.interp(np.asarray(years, dtype=float), xs, [anchors[int(x)] for x in xs])


# ----------------------------------------------------------------------------------------------
# births and infant mortality
ENGLAND_BIRTHS = {
    1995: 613_000, 1996: 614_000, 1997: 608_000, 1998: 603_000, 1999: 590_000,
    2000: 572_000, 2001: 563_000, 2002: 566_000, 2003: 590_000, 2004: 607_000, 2005: 613_000,
    2006: 635_000, 2007: 655_000, 2008: 672_000, 2009: 671_000, 2010: 687_000, 2011: 688_000,
    2012: 694_000, 2013: 664_000, 2014: 661_000, 2015: 664_000, 2016: 663_000, 2017: 646_000,
    2018: 626_000, 2019: 610_000, 2020: 592_000, 2021: 598_000, 2022: 586_000, 2023: 578_000,
}
"""Live births in England by calendar year (the shape of ONS's series; 1995-2005 give the
birth cohorts of the early NCMP years)."""

REGION_BIRTH_SHARE = 0.105
"""The West Midlands' share of England's births."""

LOCAL_BIRTHS_2019 = {STOKE: 3_300, STAFFORDSHIRE: 8_250}
"""Births in 2019 (Stoke-on-Trent: "around 3,300 a year"); other years follow England's
curve damped by :data:`LOCAL_BIRTH_ELASTICITY`."""

LOCAL_BIRTH_ELASTICITY = {STOKE: 0.7, STAFFORDSHIRE: 0.4}

IMR = {
    ENGLAND: {2006: 5.0, 2007: 4.8, 2008: 4.6, 2009: 4.5, 2010: 4.3, 2011: 4.2, 2012: 4.1,
              2013: 4.0, 2014: 3.9, 2015: 3.8, 2016: 3.9, 2017: 3.9, 2018: 4.0, 2019: 3.8,
              2020: 3.6, 2021: 3.7, 2022: 3.8, 2023: 3.8},
    STOKE: {2006: 7.6, 2007: 7.4, 2008: 7.8, 2009: 7.2, 2010: 7.0, 2011: 6.9, 2012: 6.8,
            2013: 6.7, 2014: 6.6, 2015: 7.0, 2016: 7.2, 2017: 7.5, 2018: 7.6, 2019: 7.4,
            2020: 6.8, 2021: 6.5, 2022: 6.6, 2023: 6.3},
    STAFFORDSHIRE: {2006: 5.2, 2007: 5.1, 2008: 5.0, 2009: 4.9, 2010: 4.8, 2011: 4.8,
                    2012: 4.8, 2013: 4.9, 2014: 4.9, 2015: 4.9, 2016: 4.6, 2017: 4.4,
                    2018: 4.3, 2019: 4.2, 2020: 4.0, 2021: 4.1, 2022: 4.2, 2023: 4.1},
}
"""Expected infant deaths per 1,000 live births. England's single years pool to the published
comparators (2012-14: 4.0, 2013-15: 3.9, 2017-19: 3.9); Stoke-on-Trent's and
Staffordshire's pass through their published pooled rates."""

REGION_IMR_RATIO = 1.3
"""The West Midlands' infant mortality relative to England's."""

IMR_QUINTILE_RR = np.array([1.45, 1.15, 0.95, 0.80, 0.70])
"""Relative infant mortality by IMD quintile (most deprived first), rescaled within each area
so that the area's rate is kept."""

POOLED_IMR_ANCHORS = {
    (STOKE, 2012): 6.7,  # "6.7" at the 2016-2020 plan's baseline, taken as 2012-14
    (STOKE, 2017): 7.5,
    (STAFFORDSHIRE, 2013): 4.9,
}
"""Published 3-year pooled rates, (area, first year) -> per 1,000: the deaths of each such
period are drawn conditional on the published rate (rounded to whole deaths)."""


# ----------------------------------------------------------------------------------------------
# children's social care, keyed by the financial year's first calendar year. Referrals and
# re-referrals are the real DfE counts (cin_census.csv), not designed here.

CALIBRATED_REFERRAL_YEARS = {STAFFORDSHIRE: (2014, 2015)}
"""Financial years whose shares of no further action, plans and repeat plans equal the
published figures exactly (rounded), instead of being drawn around the trend."""

NFA_PERCENT = {
    STAFFORDSHIRE: {2006: 11.5, 2009: 10.6, 2012: 9.4, 2014: 8.8, 2015: 9.6, 2017: 9.9,
                    2020: 10.4, 2023: 10.1},
    STOKE: {2006: 12.5, 2010: 12.0, 2015: 11.2, 2019: 10.6, 2023: 10.9},
}
"""Referrals ending in no further action, % (Staffordshire 8.8% in 2014-15, 9.6% in 2015-16)."""

CPP_RATE = {
    STAFFORDSHIRE: {2006: 28, 2007: 30, 2008: 33, 2009: 35, 2010: 38, 2011: 37, 2012: 35,
                    2013: 34, 2014: 36.8, 2015: 41.6, 2016: 44, 2017: 42, 2018: 40, 2019: 39,
                    2020: 37, 2021: 38, 2022: 39, 2023: 38},
    STOKE: {2006: 55, 2008: 62, 2010: 70, 2013: 72, 2016: 78, 2019: 84, 2021: 80, 2023: 76},
}
"""Children becoming the subject of a child protection plan, per 10,000 aged 0-17 (distinct
children with a referral ending in a plan in the year; Staffordshire 624 = 36.8 in 2014-15 and
711 = 41.6 in 2015-16)."""

CPP_REPEAT_PERCENT = {
    STAFFORDSHIRE: {2009: 12.0, 2012: 13.0, 2014: 13.5, 2015: 17.3, 2016: 18.0, 2018: 17.0,
                    2023: 18.5},
    STOKE: {2009: 15.0, 2013: 17.0, 2016: 19.5, 2020: 21.0, 2023: 20.0},
}
"""Of those children, % with an earlier plan (from 2009-10, when the records hold three years
of history; Staffordshire 13.5% in 2014-15 and 17.3% in 2015-16)."""

DEFAULT = "default"
"""The key of the designed shape used for an authority not designed here (any council after
``jsna init``)."""

NFA_PERCENT[DEFAULT] = {2006: 11.0, 2012: 9.5, 2017: 9.0, 2023: 8.5}
CPP_RATE[DEFAULT] = {2006: 30, 2009: 38, 2013: 43, 2017: 44, 2020: 41, 2023: 40}
CPP_REPEAT_PERCENT[DEFAULT] = {2009: 14.0, 2013: 16.0, 2017: 19.0, 2020: 22.0, 2023: 23.0}
"""Undesigned authorities follow England's general shape: about 9% of referrals closed with no
further action, about 40 children per 10,000 becoming the subject of a plan a year, and a
rising share of second or later plans."""


def design(table: dict[str, dict[int, float]], area: str) -> dict[int, float]:
    """The designed anchors of ``area`` in ``table`` (the default shape if not designed)."""
    return table.get(area, table[DEFAULT])


# ----------------------------------------------------------------------------------------------
# NCMP
SCHOOL_YEARS = ("R", "6")

ENGLAND_OVERWEIGHT = {
    "R": {2006: 22.9, 2007: 22.6, 2008: 22.8, 2009: 23.1, 2010: 22.6, 2011: 22.6, 2012: 22.2,
          2013: 22.5, 2014: 21.9, 2015: 22.1, 2016: 22.6, 2017: 22.4, 2018: 22.6, 2019: 23.0,
          2020: 27.7, 2021: 22.3, 2022: 21.3, 2023: 21.5, 2024: 22.4},
    "6": {2006: 31.7, 2007: 32.6, 2008: 32.6, 2009: 33.4, 2010: 33.4, 2011: 33.9, 2012: 33.3,
          2013: 33.5, 2014: 33.2, 2015: 34.2, 2016: 34.2, 2017: 34.3, 2018: 34.3, 2019: 35.2,
          2020: 40.9, 2021: 37.8, 2022: 36.6, 2023: 35.8, 2024: 36.0},
}
"""England's overweight-including-obesity prevalence (%), by academic year: flat in Reception,
rising in Year 6, a jump in 2020/21 (COVID-19). 2015/16 and 2018/19 are the published
comparators (22.1/34.2 and 22.6/34.3)."""

BMI_SHAPE = {"R": (0.4352, 0.3855, 0.0468, 0.6042), "6": (0.0070, 3.1870, 0.2654, 2.0761)}
"""Sinh-arcsinh (Jones and Pewsey 2009) BMI SDS distribution per school year: location xi,
scale eta, skew epsilon, tail weight delta; X = xi + eta * sinh((asinh(Z) + epsilon) / delta),
Z standard normal. Fitted so that England 2018/19 has about 0.9/22.6/9.7/2.4% (Reception) and
1.4/34.3/20.2/4.4% (Year 6) underweight/overweight/obese/severely obese. The location moves
with the year, deprivation, sex and area."""

DEPRIVATION_EFFECT = {"R": 0.28, "6": 0.38}
"""BMI SDS shift between the middle and either end of the deprivation scale: decile d shifts
the location by effect * (5.5 - d) / 4.5 (obesity about 2.3 times as common in the most as in
the least deprived decile)."""

SEX_EFFECT = {"R": 0.03, "6": 0.12}
"""Boys' BMI SDS location above girls' (the shift is +half for boys, -half for girls)."""

HEIGHT_SDS_MEAN = 0.2
HEIGHT_BMI_CORRELATION = 0.25
MALE_SHARE = 0.512

NCMP_YEARS = np.arange(2006, 2025)
"""First calendar years of the academic years of the NCMP records: 2006/07 to 2024/25 (the last
year Fingertips publishes in ncmp_published.csv)."""

MEASURED_PER_CHILD = 0.95
"""Children measured per child of the age (the 0-17 population / 18): NCMP participation."""

COHORT_FACTOR = {STOKE: 1.0, STAFFORDSHIRE: 1.08}
"""Measured children per birth of the cohort (migration in, minus those not measured): weights
of England's designed deprivation profile (:func:`jsnalib.synth.ncmp.england_profile`)."""

YEAR6_COHORT_FACTOR = 1.02
"""Year 6 cohorts relative to Reception ones of the same births (more years of migration)."""

ENGLAND_MEASURED = {
    "R": {2006: 548_000, 2008: 567_000, 2010: 595_000, 2012: 617_000, 2014: 631_000,
          2016: 636_000, 2018: 620_000, 2021: 610_000, 2023: 596_000},
    "6": {2006: 510_000, 2009: 510_000, 2012: 534_000, 2015: 556_000, 2018: 605_000,
          2021: 622_000, 2023: 632_000},
}
"""Children measured in England (before the 2019/20 shortfall)."""

COVID_STOP = np.datetime64("2020-03-20")
"""Schools closed: no measurements after this day in 2019/20 (about three-quarters of the
usual count were measured)."""

ENGLAND_2019_20_COVERAGE = 0.75

REOPENED = np.datetime64("2021-04-12")
"""In 2020/21 measuring happened in the summer term only."""

IMPLAUSIBLE_SHARE = 0.0005
"""Records given a recording error that makes them implausible but possible (Reception:
weight keyed ten times too high; Year 6: height entered in inches)."""


# ----------------------------------------------------------------------------------------------
# the published figures (shared/context/seed_figures.csv), re-expressed as data
DOCUMENTS = {
    "001": "Stoke-on-Trent Children's Commissioning Strategy 2020-2023",
    "002": "Stoke-on-Trent Room to Grow progress report 2020-21",
    "003": "Staffordshire Health and Wellbeing Board papers, 9 March 2017",
    "004": "Stoke-on-Trent Children, Young People and Families Plan 2016-2020",
}

_PER_1000 = "per 1,000 live births"
_PER_10000 = "per 10,000 aged under 18"
_REREF = "Re-referrals within 12 months of a previous referral"

PUBLISHED = (
    # figure_id, topic, area_code, indicator, value, unit, period, comparator, value, doc, line
    ("imr_stoke_a", "infant_mortality", STOKE, "Infant mortality rate", 6.7, _PER_1000,
     "not stated (2016-2020 plan baseline)", "England", 4.0, "004", 71),
    ("imr_stoke_2017_19", "infant_mortality", STOKE, "Infant mortality rate", 7.5, _PER_1000,
     "2017-19", "England", 3.9, "002", 128),
    ("imr_staffs_2013_15", "infant_mortality", STAFFORDSHIRE, "Infant mortality rate", 4.9,
     _PER_1000, "2013-15", "England", 3.9, "003", 3106),
    ("births_stoke", "infant_mortality", STOKE, "Live births in a year", 3300, "births",
     "around 2019", None, None, "001", 326),
    ("lbw_stoke", "infant_mortality", STOKE, "Low birthweight (under 2,500 g)", 9.1, "percent",
     "not stated", "England", 7.4, "001", 382),
    ("lbw_term_stoke_2019", "infant_mortality", STOKE, "Low birthweight of term babies", 4.3,
     "percent", "2019", "England", 2.9, "002", 118),
    ("lbw_term_stoke_2018", "infant_mortality", STOKE, "Low birthweight of term babies", 3.9,
     "percent", "2018", None, None, "002", 120),
    ("smoking_preg_stoke", "infant_mortality", STOKE, "Smoking in pregnancy", 17.6, "percent",
     "not stated", "England", 10.6, "001", 390),
    ("smoking_preg_stoke_2019_20", "infant_mortality", STOKE, "Smoking in pregnancy", 16.3,
     "percent", "2019-20", None, None, "002", 102),
    ("smoking_preg_staffs", "infant_mortality", STAFFORDSHIRE, "Smoking in pregnancy", 12.0,
     "percent", "2016/17 Q2", "England", 10.3, "003", 3107),
    ("lbw_staffs_2015", "infant_mortality", STAFFORDSHIRE, "Low birthweight (under 2,500 g)",
     7.6, "percent", "2015", "England", 7.4, "003", 3110),
    ("ncmp_r_ow_stoke", "obesity", STOKE, "Reception: overweight including obese", 25.8,
     "percent", "not stated (about 2018/19)", "England", 22.6, "001", 423),
    ("ncmp_y6_ow_stoke", "obesity", STOKE, "Year 6: overweight including obese", 39.9,
     "percent", "not stated (about 2018/19)", "England", 34.3, "001", 425),
    ("ncmp_r_ob_stoke_2014_15", "obesity", STOKE, "Reception: obese (very overweight)", 10.9,
     "percent", "2014/15", None, None, "004", 260),
    ("ncmp_y6_ob_stoke_2014_15", "obesity", STOKE, "Year 6: obese (very overweight)", 24.1,
     "percent", "2014/15", None, None, "004", 261),
    ("ncmp_r_ob_count_stoke_2013_14", "obesity", STOKE, "Reception: obese children", 744,
     "children", "2013/14", None, None, "004", 217),
    ("ncmp_y6_ob_count_stoke_2013_14", "obesity", STOKE, "Year 6: obese children", 889,
     "children", "2013/14", None, None, "004", 217),
    ("ncmp_r_ow_staffs_2015_16", "obesity", STAFFORDSHIRE,
     "Reception: excess weight (overweight including obese)", 22.5, "percent", "2015/16",
     "England", 22.1, "003", 3123),
    ("ncmp_y6_ow_staffs_2015_16", "obesity", STAFFORDSHIRE,
     "Year 6: excess weight (overweight including obese)", 33.7, "percent", "2015/16",
     "England", 34.2, "003", 3124),
    ("rereferral_staffs_2014_15", "child_protection", STAFFORDSHIRE, _REREF, 18.5,
     "percent of referrals", "2014-15", None, None, "003", 1063),
    ("rereferral_staffs_2015_16", "child_protection", STAFFORDSHIRE, _REREF, 18.8,
     "percent of referrals", "2015-16", "England", 22.3, "003", 1063),
    ("rereferral_staffs_2015_16_neighbours", "child_protection", STAFFORDSHIRE, _REREF, 18.8,
     "percent of referrals", "2015-16", "Statistical neighbours", 22.1, "003", 1063),
    ("rereferral_staffs_2015_16_region", "child_protection", STAFFORDSHIRE, _REREF, 18.8,
     "percent of referrals", "2015-16", "West Midlands", 20.2, "003", 1063),
    ("referral_rate_staffs_2014_15", "child_protection", STAFFORDSHIRE,
     "Referrals to children's social care", 505.8, _PER_10000, "2014-15", "England", 548.3,
     "003", 1061),
    ("referral_rate_staffs_2015_16", "child_protection", STAFFORDSHIRE,
     "Referrals to children's social care", 501.5, _PER_10000, "2015-16", "England", 532.2,
     "003", 1061),
    ("referral_nfa_staffs_2014_15", "child_protection", STAFFORDSHIRE,
     "Referrals ending in no further action", 8.8, "percent of referrals", "2014-15", None,
     None, "003", 1061),
    ("referral_nfa_staffs_2015_16", "child_protection", STAFFORDSHIRE,
     "Referrals ending in no further action", 9.6, "percent of referrals", "2015-16", None,
     None, "003", 1061),
    ("cpp_staffs_2014_15", "child_protection", STAFFORDSHIRE,
     "Children becoming the subject of a child protection plan", 36.8, _PER_10000, "2014-15",
     None, None, "003", 1092),
    ("cpp_staffs_2015_16", "child_protection", STAFFORDSHIRE,
     "Children becoming the subject of a child protection plan", 41.6, _PER_10000, "2015-16",
     "England", 42.9, "003", 1092),
    ("cpp_staffs_2015_16_region", "child_protection", STAFFORDSHIRE,
     "Children becoming the subject of a child protection plan", 41.6, _PER_10000, "2015-16",
     "West Midlands", 44.0, "003", 1092),
    ("cpp_count_staffs_2014_15", "child_protection", STAFFORDSHIRE,
     "Children becoming the subject of a child protection plan", 624, "children", "2014-15",
     None, None, "003", 1092),
    ("cpp_count_staffs_2015_16", "child_protection", STAFFORDSHIRE,
     "Children becoming the subject of a child protection plan", 711, "children", "2015-16",
     None, None, "003", 1092),
    ("cpp_repeat_staffs_2014_15", "child_protection", STAFFORDSHIRE,
     "Child protection plans that are a second or later plan", 13.5, "percent", "2014-15",
     None, None, "003", 1099),
    ("cpp_repeat_staffs_2015_16", "child_protection", STAFFORDSHIRE,
     "Child protection plans that are a second or later plan", 17.3, "percent", "2015-16",
     None, None, "003", 1099),
    ("pop_u18_staffs", "population", STAFFORDSHIRE, "Children and young people under 18",
     171_500, "people", "about 2016", None, None, "003", 1033),
    ("cpp_stoke_2021", "child_protection", STOKE,
     "Children subject of a child protection plan", 504, "children", "31 March 2021", None,
     None, "002", 134),
    ("cpp_stoke_2020", "child_protection", STOKE,
     "Children subject of a child protection plan", 499, "children", "31 March 2020", None,
     None, "002", 138),
    ("cpp_stoke_c2020", "child_protection", STOKE,
     "Children subject of a child protection plan", 505, "children", "about 2020", None, None,
     "001", 1255),
    ("cla_rate_stoke", "child_protection", STOKE, "Children in care", 129, _PER_10000,
     "about 2020", None, None, "001", 61),
)
