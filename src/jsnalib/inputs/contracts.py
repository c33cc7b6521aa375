"""The input contracts of data/: one declarative schema per file, plus its cross-column rules.

A schema is a tuple of :class:`Column` (name, kind, whether it may be blank, allowed values or
range, pattern, key membership, whether it may carry a suppression marker, which areas it may
name) and a tuple of rules. The reading engine in :mod:`jsnalib.inputs.readers` applies them; the data
dictionary in data/README.md describes the same contracts for people (a test keeps the two in
step).

Column kinds and the pandas dtype each is read as:

==================  =====================================================  =================
kind                text accepted                                          dtype
==================  =====================================================  =================
``str``             any text (optionally matching ``pattern``)             ``str``
``code``            an ONS GSS area code such as E06000021                 ``str``
``int``             a whole number, no thousands separators                ``int64`` (``Int64``
                                                                           if it may be missing)
``float``           a decimal number                                       ``float64``
``date``            an ISO date YYYY-MM-DD, not in the future              ``datetime64``
``category``        one of ``allowed`` (exact spelling)                    ``category``
``year``            a calendar year, not in the future                     ``int64``
``financial_year``  April-March year such as 2015-16                       ``str``
``academic_year``   September-August year such as 2018/19                  ``str``
==================  =====================================================  =================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Suppression markers seen in published statistics, with the reason recorded for each.
SUPPRESSION_MARKERS: dict[str, str] = {
    "*": "suppressed by the publisher (*)",
    "c": "confidential: suppressed by the publisher (c)",
    "x": "not available (x)",
    "..": "not available (..)",
    ":": "not available (:)",
}

KINDS = ("str", "code", "int", "float", "date", "category", "year", "financial_year",
         "academic_year")

#: Which areas an area-code column may name (checked against jsnalib.inputs.geography.Geography):
#: "any" code in areas.csv; "authority": a children's-services authority (an upper-tier area,
#: :data:`AUTHORITY_TYPES`) in areas.csv; "local": a lowest-tier area (:data:`LOCAL_TYPES`),
#: which need not be in areas.csv (``jsna init`` lists only the home authorities' districts).
#: Record-level files use the last two: rows of areas outside the JSNA are allowed and unused.
AREA_SCOPES = ("any", "authority", "local")
#: The area types (areas.csv) that run children's services: upper-tier authorities.
AUTHORITY_TYPES = ("county", "unitary", "metropolitan")
#: The area types (areas.csv) with no area below them: where a child lives.
LOCAL_TYPES = ("district", "unitary", "metropolitan")

GSS_PATTERN = r"[EWSNK]\d{8}"
#: What a plain text field (``Column.plain``) may not contain: control characters (tab, line
#: breaks, ...), angle brackets (HTML tags) or a script URL scheme.
MARKUP_PATTERN = r"[\x00-\x1f\x7f<>]|(?i:(?:java|vb)script\s*:|data\s*:\s*text/html)"
PLAIN_HINT = "plain text without control characters, < or > or a script link (javascript:)"
#: The manifest in data/ listing which files are synthetic demonstration data.
SYNTHETIC_MANIFEST = "synthetic.json"
#: gzip level of the synthetic record files (zlib's default: 4x faster to write than level 9,
#: for ncmp.csv.gz 1.5 s and 5.5 MB against 6.0 s and 5.2 MB). Their .gz bytes, hashed in the
#: manifest, depend on it.
SYNTHETIC_GZIP_LEVEL = 6
#: The area lookups every other file is checked against.
AREAS_FILE = "areas.csv"
NEIGHBOURS_FILE = "neighbours.csv"


@dataclass(frozen=True)
class Column:
    """One column of a contract.

    ``minimum``/``maximum`` are inclusive bounds on numbers; ``range_hint`` is how a bad value's
    expected range is described (e.g. "a height in cm from 50 to 230"). ``suppressible`` marks
    aggregate count/value columns where a suppression marker reads as missing with its reason
    written to ``note_column`` (default ``<name>_note``). ``area`` is the scope of an area-code
    column: any code in areas.csv, the home authorities, or the JSNA's lowest-tier areas.
    ``plain`` marks a name or text field shown to readers: it may not hold control characters
    or markup (``<``, ``>``, a ``javascript:`` link; see :data:`MARKUP_PATTERN`).
    """

    name: str
    kind: str
    description: str
    units: str = ""
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    range_hint: str = ""
    pattern: str | None = None
    pattern_hint: str = ""
    key: bool = False
    suppressible: bool = False
    note_column: str | None = None
    area: str | None = None
    plain: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.kind == "category" and not self.allowed:
            raise ValueError(f"column {self.name}: a category needs its allowed values")
        if self.area is not None and self.area not in AREA_SCOPES:
            raise ValueError(f"column {self.name}: area {self.area!r} is not one of {AREA_SCOPES}")

    @property
    def note(self) -> str:
        """Name of the column that records why a value is missing (suppressible columns)."""
        return self.note_column or f"{self.name}_note"

    def expected(self) -> str:
        """Plain description of an acceptable value, used in error messages."""
        if self.range_hint:
            return self.range_hint
        if self.kind == "category":
            return "one of " + ", ".join(self.allowed)
        if self.kind == "code":
            return "an ONS GSS area code: a capital letter (E, W, S, N or K) then 8 digits"
        if self.kind == "date":
            return "YYYY-MM-DD"
        if self.kind == "year":
            return "a calendar year such as 2019"
        if self.kind == "financial_year":
            return "a financial year written YYYY-YY, such as 2015-16"
        if self.kind == "academic_year":
            return "an academic year written YYYY/YY, such as 2018/19"
        if self.kind in ("int", "float"):
            noun = "a whole number" if self.kind == "int" else "a number"
            lo, hi = self.minimum, self.maximum
            if lo is not None and hi is not None:
                return f"{noun} from {_num(lo)} to {_num(hi)}"
            if lo is not None:
                return f"{noun} >= {_num(lo)}"
            if hi is not None:
                return f"{noun} <= {_num(hi)}"
            return noun
        if self.pattern_hint:
            return self.pattern_hint
        return "a value"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


#: A cross-column rule: (typed frame, checker) -> None; reports through ``checker.add``.
Rule = Callable[[pd.DataFrame, Any], None]


@dataclass(frozen=True)
class Contract:
    """A data/ file's contract: its default file name, columns, level and cross-column rules.

    ``level`` is "record" (one row per child/event: suppression markers are errors), "aggregate"
    (published counts: markers read as missing with a reason), "lookup" or "export" (a
    national tool's download read as-is: unknown extra columns are kept). ``optional`` marks
    a file the book can do without (the record-level extracts: without them, or without rows
    for a home authority, the record-based sections of its pages say what is missing).
    """

    name: str
    filename: str
    title: str
    level: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    also_matches: str | None = None
    provenance: str = ""
    optional: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def key(self) -> list[str]:
        return [c.name for c in self.columns if c.key]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


# --------------------------------------------------------------------------------------------
# cross-column rules (vectorised; each reports offending rows through checker.add)
# --------------------------------------------------------------------------------------------
def _fmt_counts(values: pd.Series) -> pd.Series:
    return values.astype("Int64").astype(str)


def numerator_at_most_denominator(numerator: str, denominator: str) -> Rule:
    """Rule: ``numerator <= denominator`` wherever both are present."""

    def rule(df: pd.DataFrame, checker: Any) -> None:
        bad = (df[numerator] > df[denominator]).fillna(False).to_numpy(bool)
        if bad.any():
            sub = df.loc[bad]
            checker.add(bad, numerator,
                        issue="is more than " + denominator + " (" + _fmt_counts(sub[denominator])
                        + ")",
                        expected=f"{numerator} <= {denominator}")

    rule.__doc__ = f"{numerator} must not exceed {denominator}"
    return rule


def _measurement_after_birth(df: pd.DataFrame, checker: Any) -> None:
    bad = (df["measurement_date"] <= df["birth_date"]).fillna(False).to_numpy(bool)
    if bad.any():
        sub = df.loc[bad]
        checker.add(bad, "measurement_date",
                    issue="is not after birth_date " + sub["birth_date"].dt.strftime("%Y-%m-%d"),
                    expected="a measurement_date after birth_date")


def _academic_year_bounds(academic_year: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First (1 September) and last (31 August) day of each row's academic year."""
    codes, years = pd.factorize(academic_year)  # a handful of distinct years
    start_year = pd.to_numeric(pd.Series(years, dtype="str").str[:4], errors="coerce")
    start = pd.to_datetime(start_year.astype("Int64").astype(str) + "-09-01", errors="coerce")
    end = pd.to_datetime((start_year + 1).astype("Int64").astype(str) + "-08-31",
                         errors="coerce")

    def spread(per_year: pd.Series) -> pd.Series:
        out = per_year.reindex(codes)  # code -1 (missing year) gives NaT
        return out.set_axis(academic_year.index)

    return spread(start), spread(end)


def _measurement_in_academic_year(df: pd.DataFrame, checker: Any) -> None:
    start, end = _academic_year_bounds(df["academic_year"])
    m = df["measurement_date"]
    bad = ((m < start) | (m > end)).fillna(False).to_numpy(bool)
    if bad.any():
        sub, s, e = df.loc[bad], start[bad], end[bad]
        checker.add(bad, "measurement_date",
                    issue="is outside academic year " + sub["academic_year"].astype(str),
                    expected=("a date from " + s.dt.strftime("%Y-%m-%d") + " to "
                              + e.dt.strftime("%Y-%m-%d")))


#: Age in years (inclusive bounds) a child can have when measured in each NCMP school year.
NCMP_AGE_YEARS = {"R": (4.0, 6.0), "6": (10.0, 12.0)}
_SCHOOL_YEAR_NAMES = {"R": "Reception", "6": "Year 6"}


def _age_fits_school_year(df: pd.DataFrame, checker: Any) -> None:
    age = (df["measurement_date"] - df["birth_date"]).dt.days / 365.25
    year = df["school_year"].astype(object)
    lo = year.map({k: v[0] for k, v in NCMP_AGE_YEARS.items()}).astype(float)
    hi = year.map({k: v[1] for k, v in NCMP_AGE_YEARS.items()}).astype(float)
    # a measurement on or before birth is reported by _measurement_after_birth instead
    bad = ((age > 0) & ((age < lo) | (age > hi))).fillna(False).to_numpy(bool)
    if bad.any():
        y = year[bad].astype(str)
        checker.add(bad, "birth_date",
                    issue=("gives age " + age[bad].round(1).astype(str)
                           + " years at measurement, which does not fit school year " + y),
                    expected=("age " + lo[bad].map(_num) + " to " + hi[bad].map(_num)
                              + " years in " + y.map(_SCHOOL_YEAR_NAMES)))


def _ci_brackets_value(df: pd.DataFrame, checker: Any) -> None:
    value = df["Value"]
    tol = 1e-9 * np.maximum(1.0, value.abs())
    reported = np.zeros(len(df), bool)
    for lower, upper in (("Lower CI 95.0 limit", "Upper CI 95.0 limit"),
                         ("Lower CI 99.8 limit", "Upper CI 99.8 limit")):
        outside = ((df[lower] > value + tol) | (df[upper] < value - tol)).fillna(False)
        bad = outside.to_numpy(bool) & ~reported
        if bad.any():
            sub = df.loc[bad]
            checker.add(bad, "Value",
                        issue=("lies outside its confidence interval " + sub[lower].astype(str)
                               + " to " + sub[upper].astype(str)),
                        expected=f"{lower} <= Value <= {upper}")
        reported |= bad


def _comparator_named(df: pd.DataFrame, checker: Any) -> None:
    bad = (df["comparator_value"].notna() & df["comparator_name"].isna()).to_numpy(bool)
    checker.add(bad, "comparator_name", issue="is blank but comparator_value is given",
                expected="the name of the comparator area", show_value=False)


def _parent_known(df: pd.DataFrame, checker: Any) -> None:
    codes = set(df["area_code"].dropna())
    parent = df["parent_code"]
    has_parent = parent.notna().to_numpy(bool)
    is_country = (df["area_type"] == "country").fillna(False).to_numpy(bool)
    has_type = df["area_type"].notna().to_numpy(bool)
    checker.add(has_parent & ~parent.isin(codes).to_numpy(bool), "parent_code",
                issue="is not an area_code in this file",
                expected="the area_code of another row (blank only for the country)")
    checker.add(~has_parent & ~is_country & has_type, "parent_code", issue="value is blank",
                expected="the code of the parent area (blank only for the country)",
                show_value=False)
    checker.add(is_country & has_parent, "parent_code", issue="is given for a country",
                expected="blank for the country")
    checker.add((parent == df["area_code"]).fillna(False).to_numpy(bool), "parent_code",
                issue="is the area's own code", expected="the code of the parent area")


def _not_own_neighbour(df: pd.DataFrame, checker: Any) -> None:
    bad = (df["neighbour_code"] == df["area_code"]).fillna(False).to_numpy(bool)
    checker.add(bad, "neighbour_code", issue="is the area itself",
                expected="a different area's code")


def _unique_rank(df: pd.DataFrame, checker: Any) -> None:
    checker.duplicates(["area_code", "rank"])


# --------------------------------------------------------------------------------------------
# the contracts
# --------------------------------------------------------------------------------------------
_COUNT = dict(kind="int", minimum=0, units="count", suppressible=True)

AREAS = Contract(
    name="areas", filename="areas.csv", title="Areas lookup", level="lookup",
    columns=(
        Column("area_code", "code", "ONS GSS code of the area", key=True),
        Column("area_name", "str", "Area name as ONS publishes it", plain=True),
        Column("area_type", "category", "Tier of the area",
               allowed=("country", "region", "county", "unitary", "metropolitan", "district")),
        Column("parent_code", "code", "GSS code of the area one tier up (blank for the country)",
               nullable=True),
        Column("end_year", "year", "Year the code was retired (April); "
               "blank while current (column optional)", nullable=True, required=False,
               minimum=1900),
    ),
    rules=(_parent_known,),
    provenance="ONS Register of Geographic Codes / Open Geography Portal names and codes",
)

NEIGHBOURS = Contract(
    name="neighbours", filename="neighbours.csv", title="Statistical neighbours", level="lookup",
    columns=(
        Column("area_code", "code", "The authority whose neighbour set this row belongs to",
               key=True, area="any"),
        Column("neighbour_code", "code", "One of its statistical neighbours", key=True,
               area="any"),
        Column("rank", "int", "Closeness rank (1 = most similar)", minimum=1),
    ),
    rules=(_not_own_neighbour, _unique_rank),
    provenance="DfE children's services statistical neighbour benchmarking tool",
)

_BIRTHS_COLUMNS = (
    Column("area_code", "code", "ONS GSS code of the area of usual residence", key=True,
           area="any"),
    Column("year", "year", "Calendar year of registration", key=True, minimum=1900),
    Column("live_births", description="Live births to mothers resident in the area", **_COUNT),
    Column("infant_deaths",
           description="Deaths under 1 year registered in the year (<= live_births)", **_COUNT),
)

BIRTHS_DEATHS = Contract(
    name="births_deaths", filename="births_deaths.csv", title="Live births and infant deaths",
    level="aggregate", columns=_BIRTHS_COLUMNS,
    rules=(numerator_at_most_denominator("infant_deaths", "live_births"),),
    provenance="ONS births and infant deaths by area (Fingertips indicator 92196)",
)

BIRTHS_DEATHS_IMD = Contract(
    name="births_deaths_imd", filename="births_deaths_imd.csv",
    title="Live births and infant deaths by deprivation quintile", level="aggregate",
    columns=(*_BIRTHS_COLUMNS[:2],
             Column("imd_quintile", "int",
                    "IMD quintile of the mother's area (1 = most deprived, 5 = least)",
                    minimum=1, maximum=5, key=True),
             *_BIRTHS_COLUMNS[2:]),
    rules=(numerator_at_most_denominator("infant_deaths", "live_births"),),
    provenance="ONS infant mortality by deprivation (child mortality statistics, IMD quintile)",
)

#: The basis of the ONS death-cohort tables (the one value of ``basis`` in the files below).
DEATH_COHORT = "death_cohort"

BIRTHS_DEATHS_COHORT = Contract(
    name="births_deaths_cohort", filename="births_deaths_cohort.csv",
    title="Live births and infant deaths, death cohort (every local authority)",
    level="aggregate",
    columns=(
        Column("area_code", "code", "ONS GSS code of the area of usual residence: England, "
               "regions and every local authority including districts, as published (not "
               "checked against areas.csv)", key=True),
        Column("year", "year", "Calendar year in which the deaths (and births) occurred",
               key=True, minimum=1900),
        Column("basis", "category", "Counting basis: deaths by the year they occurred (ONS "
               "death cohort), never mixed with registrations", allowed=(DEATH_COHORT,)),
        Column("live_births", description="Live births occurring in the year to mothers "
               "resident in the area (with late registrations of the year before)", **_COUNT),
        Column("infant_deaths", description="Deaths under 1 year occurring in the year "
               "(<= live_births)", **_COUNT),
    ),
    rules=(numerator_at_most_denominator("infant_deaths", "live_births"),),
    provenance="ONS Child mortality in England and Wales (death cohort), Table 3",
)

#: England's births and infant deaths by IMD decile (ONS death-cohort tables, Table 21).
BIRTHS_DEATHS_IMD_DECILE = Contract(
    name="births_deaths_imd_decile", filename="births_deaths_imd_decile.csv",
    title="Live births and infant deaths by deprivation decile (England, death cohort)",
    level="aggregate",
    columns=(
        Column("area_code", "code", "ONS GSS code of the country (England)", key=True,
               area="any"),
        Column("year", "year", "Calendar year in which the births and deaths occurred",
               key=True, minimum=1900),
        Column("imd_decile", "int",
               "IMD decile of the mother's area (1 = most deprived, 10 = least); the IMD "
               "edition ONS used differs by year (2010, 2015, 2019)",
               minimum=1, maximum=10, key=True),
        Column("live_births", description="Live births occurring in the year", **_COUNT),
        Column("infant_deaths", description="Deaths under 1 year occurring in the year "
               "(<= live_births)", **_COUNT),
    ),
    rules=(numerator_at_most_denominator("infant_deaths", "live_births"),),
    provenance="ONS Child mortality in England and Wales (death cohort), Table 21",
)

POPULATION = Contract(
    name="population", filename="population.csv", title="Mid-year population estimates",
    level="aggregate",
    columns=(
        Column("area_code", "code", "ONS GSS code", key=True, area="any"),
        Column("year", "year", "Mid-year (30 June) of the estimate", key=True, minimum=1900),
        Column("age_group", "str", "Age band in completed years, e.g. 0-17", key=True,
               pattern=r"\d+-\d+|\d+\+", pattern_hint="an age band such as 0-17 or 90+"),
        Column("population", "int", "Estimated resident population", units="people",
               minimum=1, suppressible=True),
    ),
    provenance="ONS mid-year population estimates",
)

REFERRAL_SOURCES = ("individual", "school", "health", "police", "local_authority", "housing",
                    "other", "unknown")
REFERRAL_OUTCOMES = ("no_further_action", "assessment_not_in_need", "child_in_need",
                     "child_protection_plan")

REFERRALS = Contract(
    name="referrals", filename="referrals.csv.gz", title="Referrals to children's social care",
    level="record",
    columns=(
        Column("referral_id", "str", "Unique identifier of the referral", key=True,
               pattern=r"\S+", pattern_hint="an identifier without spaces"),
        Column("child_id", "str",
               "Pseudonymous identifier of the child (blank = not recorded: allowed but "
               "reported, such referrals cannot be linked)", nullable=True,
               pattern=r"\S+", pattern_hint="an identifier without spaces"),
        Column("referral_date", "date", "Date the referral was received"),
        Column("area_code", "code", "The children's-services authority receiving the referral",
               area="authority"),
        Column("source", "category", "Who made the referral", allowed=REFERRAL_SOURCES),
        Column("outcome", "category", "Furthest outcome of the referral",
               allowed=REFERRAL_OUTCOMES),
    ),
    provenance="Local children's social care case-management extract, coded as the DfE "
               "children in need census (CIN) defines referrals",
    optional=True,
)

CIN_CENSUS = Contract(
    name="cin_census", filename="cin_census.csv",
    title="Referrals and re-referrals (children in need census)", level="aggregate",
    columns=(
        Column("area_code", "code", "ONS GSS code of the local authority or comparator",
               key=True, area="any"),
        Column("financial_year", "financial_year", "Year 1 April to 31 March", key=True),
        Column("referrals", description="Referrals received in the year", **_COUNT),
        Column("rereferrals",
               description="Referrals within 12 months of a previous referral (<= referrals)",
               **_COUNT),
    ),
    rules=(numerator_at_most_denominator("rereferrals", "referrals"),),
    provenance="DfE Characteristics of children in need (children in need census), table A",
)

NCMP = Contract(
    name="ncmp", filename="ncmp.csv.gz", title="National Child Measurement Programme records",
    level="record",
    columns=(
        Column("pupil_id", "str", "Unique pseudonymous identifier of the measurement",
               key=True, pattern=r"\S+", pattern_hint="an identifier without spaces"),
        Column("academic_year", "academic_year", "School year 1 September to 31 August"),
        Column("school_year", "category", "R = Reception (age 4-5), 6 = Year 6 (age 10-11)",
               allowed=("R", "6")),
        Column("sex", "category", "Sex of the child", allowed=("male", "female")),
        Column("birth_date", "date", "Date of birth"),
        Column("measurement_date", "date",
               "Date measured (after birth, within the academic year)"),
        Column("height_cm", "float", "Height", units="cm", minimum=50, maximum=230,
               range_hint="a height in cm from 50 to 230"),
        Column("weight_kg", "float", "Weight", units="kg", minimum=5, maximum=250,
               range_hint="a weight in kg from 5 to 250"),
        Column("area_code", "code",
               "Lowest-tier area of the child's home (a district, or a unitary authority)",
               area="local"),
        Column("imd_decile", "int",
               "IMD decile of the child's home area (1 = most deprived, 10 = least)",
               minimum=1, maximum=10),
    ),
    rules=(_measurement_after_birth, _measurement_in_academic_year, _age_fits_school_year),
    provenance="NCMP record-level extract held by the local authority (NHS England NCMP)",
    optional=True,
)

NCMP_MEASURES = ("obese_incl_severe", "overweight_incl_obese")

NCMP_PUBLISHED = Contract(
    name="ncmp_published", filename="ncmp_published.csv",
    title="NCMP prevalence as published (Fingertips values, every district and unitary)",
    level="aggregate",
    columns=(
        Column("area_code", "code", "ONS GSS code of the district, unitary authority or "
               "England (any area Fingertips publishes, not only those in areas.csv)", key=True),
        Column("school_year", "category", "R = Reception (age 4-5), 6 = Year 6 (age 10-11)",
               allowed=("R", "6"), key=True),
        Column("academic_year", "academic_year", "School year 1 September to 31 August",
               key=True),
        Column("measure", "category", "What the value measures: obese_incl_severe = obesity "
               "including severe obesity; overweight_incl_obese = overweight including obesity",
               allowed=NCMP_MEASURES, key=True),
        Column("value", "float", "Published prevalence", units="percent", minimum=0,
               maximum=100, range_hint="a percentage from 0 to 100"),
        Column("source", "str", "Publisher and indicator as published", plain=True),
    ),
    provenance="OHID Fingertips NCMP prevalence (values without counts), every district and "
               "unitary authority",
)

_FT_NUM = dict(kind="float", nullable=True, suppressible=True, note_column="Value note")

FINGERTIPS = Contract(
    name="fingertips", filename="fingertips_ncmp.csv",
    title="Fingertips export (national benchmarks)", level="export",
    also_matches="fingertips_*.csv",
    columns=(
        Column("Indicator ID", "int", "Fingertips indicator number", key=True, minimum=1),
        Column("Indicator Name", "str", "Indicator title", plain=True),
        Column("Parent Code", "str", "Code of the parent area (blank for England)",
               nullable=True),
        Column("Parent Name", "str", "Name of the parent area", nullable=True, plain=True),
        Column("Area Code", "str", "Area code (GSS for local authorities)", key=True),
        Column("Area Name", "str", "Area name", plain=True),
        Column("Area Type", "str", "Fingertips area type, e.g. England, Region", plain=True),
        Column("Sex", "str", "Persons, Male or Female", key=True, plain=True),
        Column("Age", "str", "Age band, e.g. 4-5 yrs", key=True, plain=True),
        Column("Category Type", "str", "Breakdown type (blank for the whole population)",
               nullable=True, key=True, plain=True),
        Column("Category", "str", "Breakdown category", nullable=True, key=True, plain=True),
        Column("Time period", "str", "Period, e.g. 2018/19", key=True, plain=True),
        Column("Value", description="Indicator value", units="indicator units", **_FT_NUM),
        Column("Lower CI 95.0 limit", description="Lower 95% confidence limit", **_FT_NUM),
        Column("Upper CI 95.0 limit", description="Upper 95% confidence limit", **_FT_NUM),
        Column("Lower CI 99.8 limit", description="Lower 99.8% confidence limit", **_FT_NUM),
        Column("Upper CI 99.8 limit", description="Upper 99.8% confidence limit", **_FT_NUM),
        Column("Count", description="Numerator", minimum=0, **_FT_NUM),
        Column("Denominator", description="Denominator", minimum=0, **_FT_NUM),
        Column("Value note", "str", "Fingertips' note on the value; this reader appends why a "
               "suppression marker was read as missing", nullable=True),
        Column("Recent Trend", "str", "Fingertips' recent-trend judgement", nullable=True),
        Column("Compared to England value or percentiles", "str",
               "Fingertips' comparison with England", nullable=True, required=False),
        Column("Compared to percentiles", "str",
               "Fingertips' comparison with the parent (its title names the parent type)",
               nullable=True, required=False),
        Column("Time period Sortable", "int", "Period start as YYYYMMDD-like sortable number"),
        Column("New data", "str", "Whether the value is new in this release", nullable=True),
        Column("Compared to goal", "str", "Comparison with a goal, if any", nullable=True),
    ),
    rules=(_ci_brackets_value,),
    provenance="OHID Fingertips CSV download (all_data/csv/by_indicator_id)",
)

PUBLISHED_TOPICS = ("infant_mortality", "obesity", "child_protection", "population")

PUBLISHED_FIGURES = Contract(
    name="published_figures", filename="published_figures.csv",
    title="Published headline figures (context)", level="aggregate",
    columns=(
        Column("figure_id", "str", "Identifier of the figure", key=True, pattern=r"\S+",
               pattern_hint="an identifier without spaces", plain=True),
        Column("topic", "category", "Book topic", allowed=PUBLISHED_TOPICS),
        Column("area_code", "code", "ONS GSS code of the area the figure describes",
               area="any"),
        Column("indicator", "str", "What the figure measures", plain=True),
        Column("value", "float", "The published value", units="see unit"),
        Column("unit", "str", "Unit of value, e.g. per 1000 live births, percent", plain=True),
        Column("period", "str", "Period as the document states it", plain=True),
        Column("comparator_name", "str", "Benchmark area named beside it", nullable=True,
               plain=True),
        Column("comparator_value", "float", "Benchmark value", nullable=True),
        Column("source", "str", "Document title followed by ' line N'",
               pattern=r".+ line \d+", pattern_hint="a document title followed by ' line N'",
               plain=True),
    ),
    rules=(_comparator_named,),
    provenance="Figures published in the local source documents (see book/references)",
)

#: The life-course stages of an outcomes framework, in page order.
FRAMEWORK_STAGES = ("overarching", "start_well", "grow_well", "live_well", "age_well",
                    "end_well")
#: The direction of travel a partnership report states for an indicator.
FRAMEWORK_TRENDS = ("improving", "stable", "worsening")

#: The partnership's outcomes framework (optional, in data/; edit by hand): one row per
#: framework indicator, with what measures it now (a Fingertips indicator, or one of the book's
#: own indicators) and the figures the partnership's report published. Checked by
#: ``jsna validate`` when present; not in :data:`CONTRACTS` (a folder without it is complete).
OUTCOMES_FRAMEWORK = Contract(
    name="outcomes_framework", filename="outcomes_framework.csv",
    title="Outcomes framework (optional)", level="lookup",
    columns=(
        Column("number", "str", "The framework's number of the indicator, e.g. 2.2 or 3.6a",
               key=True, pattern=r"\d+\.\d+[a-z]?",
               pattern_hint="a number such as 2.2 or 3.6a", plain=True),
        Column("stage", "category", "Life-course stage", allowed=FRAMEWORK_STAGES),
        Column("indicator", "str", "Short name of the indicator", plain=True),
        Column("unit", "str", "Unit of the published figures, e.g. %, years, per 1,000",
               nullable=True, plain=True),
        Column("fingertips_id", "int", "The Fingertips indicator that measures it (blank: none "
               "verified)", nullable=True, minimum=1),
        Column("sex", "category", "Sex of the Fingertips rows to use (blank: persons)",
               nullable=True, allowed=("Persons", "Male", "Female")),
        Column("age", "str", "Age band of the Fingertips rows to use, as published, e.g. "
               "18+ yrs (blank: the band with most rows)", nullable=True, plain=True),
        Column("book_indicator", "str", "Key of the book's own indicator that computes it "
               "(blank: none)", nullable=True, pattern=r"[a-z][a-z0-9_]*",
               pattern_hint="an indicator key such as infant_mortality", plain=True),
        Column("source", "str", "Publisher or source of the indicator", plain=True),
        Column("area_code", "code", "The home authority the published figures describe",
               area="authority"),
        Column("published_period", "str", "Period of the published figures, as published",
               plain=True),
        Column("published_value", "float", "The area's published value", units="see unit"),
        Column("published_england", "float", "England's published value", units="see unit"),
        Column("published_trend", "category", "Direction of travel as published (blank: "
               "none stated)", nullable=True, allowed=FRAMEWORK_TRENDS),
        Column("note", "str", "Anything a reader should know about the row", nullable=True,
               plain=True),
        Column("provenance", "str", "Document title followed by ' line N'",
               pattern=r".+ line \d+", pattern_hint="a document title followed by ' line N'",
               plain=True),
    ),
    provenance="A partnership's outcomes framework and the figures its report published",
)

#: Every contract, in the order ``validate_dir`` checks them.
CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    AREAS, NEIGHBOURS, BIRTHS_DEATHS, BIRTHS_DEATHS_IMD, POPULATION, REFERRALS, CIN_CENSUS,
    NCMP, FINGERTIPS, PUBLISHED_FIGURES)}



@dataclass(frozen=True)
class Publisher:
    """Who publishes the figures a data/ file holds, and where a reader finds them.

    ``what`` names the figures in a reader's words ("live births and infant deaths"); ``url``
    is the publisher's public page (plain https), or "" for local data that has no public page.
    The release a page states comes from ``data/.provenance.csv`` (written by ``jsna import``),
    never from the build date.
    """

    what: str
    publisher: str
    title: str
    url: str = ""


_ONS_CHILD_MORTALITY = Publisher(
    "infant deaths by deprivation", "Office for National Statistics",
    "Child mortality (death cohort) tables in England and Wales",
    "https://www.ons.gov.uk/peoplepopulationandcommunity/birthsdeathsandmarriages/deaths/datasets/"
    "childmortalitystatisticschildhoodinfantandperinatalchildhoodinfantandperinatalmortality"
    "inenglandandwales")
_FINGERTIPS_NCMP = Publisher(
    "England and regional child weight", "Office for Health Improvement and Disparities",
    "Fingertips: National Child Measurement Programme",
    "https://fingertips.phe.org.uk/profile/national-child-measurement-programme")

#: The publisher and public page of every data/ file, by contract name (or, where one contract
#: holds several publications, by file name): the one table the pages' sources sections are
#: written from (``jsnalib.report.display.sources``).
PUBLISHERS: dict[str, Publisher] = {
    "areas": Publisher("area names and codes", "Office for National Statistics",
                       "Open Geography Portal: names and codes",
                       "https://geoportal.statistics.gov.uk/"),
    "neighbours": Publisher("statistical neighbours", "Department for Education",
                            "Children's services statistical neighbour benchmarking tool",
                            "https://www.gov.uk/government/publications/"
                            "local-authority-interactive-tool-lait"),
    "births_deaths": Publisher("live births and infant deaths",
                               "Office for National Statistics (via NOMIS)",
                               "Births and deaths by area of usual residence",
                               "https://www.nomisweb.co.uk/"),
    "births_deaths_imd": _ONS_CHILD_MORTALITY,
    "births_deaths_imd_decile": _ONS_CHILD_MORTALITY,
    "population": Publisher("children's population", "Office for National Statistics",
                            "Mid-year population estimates",
                            "https://www.ons.gov.uk/peoplepopulationandcommunity/"
                            "populationandmigration/populationestimates"),
    "referrals": Publisher("referrals to children's social care", "the council",
                           "children's social care case records (not published)"),
    "cin_census": Publisher("re-referrals by council", "Department for Education",
                            "Characteristics of children in need",
                            "https://explore-education-statistics.service.gov.uk/"
                            "find-statistics/characteristics-of-children-in-need"),
    "ncmp": Publisher("children's heights and weights", "NHS England",
                      "National Child Measurement Programme (records held by the council)",
                      "https://digital.nhs.uk/data-and-information/publications/statistical/"
                      "national-child-measurement-programme"),
    "fingertips": Publisher("indicators from Fingertips", "Office for Health Improvement and "
                            "Disparities", "Fingertips public health profiles",
                            "https://fingertips.phe.org.uk/"),
    "fingertips_ncmp.csv": _FINGERTIPS_NCMP,
    "published_figures": Publisher("figures from local strategy documents",
                                   "the councils and their partners",
                                   "local strategy documents (listed under References)"),
}
