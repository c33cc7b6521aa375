"""The book's indicator set, computed for any area: one function per indicator, tidy rows out.

Every indicator function takes the loaded inputs (:class:`IndicatorData`), a list of area codes
and a confidence level, and returns tidy rows (:data:`ROW_COLUMNS`), one per area and period:
the count, the denominator, the value and its confidence interval. The latest period is the last
row of an area. The indicators and their methods:

====================================  ==========================================================
indicator                             method (source file)
====================================  ==========================================================
infant mortality rate                 infant deaths per 1,000 live births, 3 calendar years
                                      pooled; exact Poisson CI below 10 deaths, Byar's from 10
                                      (births_deaths.csv, deaths registered in the year: the
                                      upper-tier areas, England, region; an area it lacks, a
                                      district, takes the ONS death cohort, up to 3 years
                                      pooled, from births_deaths_cohort.csv, and is compared
                                      with England on that basis and those years)
Reception / Year 6 excess weight and  percentage of children measured with a valid record who
obesity                               are overweight or obese (excess weight) / obese including
                                      severely obese, by academic year; Wilson score CI
                                      (local areas: ncmp.csv.gz records, Staffordshire = its
                                      districts; England and region: fingertips_ncmp.csv)
re-referrals within 12 months         percentage of referrals in the financial year that came
                                      within 12 months of the child's previous referral (DfE
                                      children in need census); Wilson score CI (the two
                                      authorities: referrals.csv.gz records; England, region,
                                      neighbours: cin_census.csv)
referral rate                         referrals in the financial year per 10,000 children aged
                                      0-17 (mid-year estimate of the year the financial year
                                      starts in); Byar's CI (referrals as above; population.csv)
====================================  ==========================================================

Children's social care is run by upper-tier authorities, so a district's re-referral and
referral figures are its county's, marked in ``value_from`` and ``note``.

References: APHO (2008) Technical Briefing 3 (confidence intervals); Department for Education,
Children in need census guide (re-referrals); NHS England, National Child Measurement Programme
appendices (prevalence, exclusions); Office for National Statistics, Child and infant mortality
(3-year pooled local rates).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.indicators import ncmp
from jsnalib.inputs.contracts import NCMP, REFERRALS
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.periods import first_full_financial_year, start_year
from jsnalib.inputs.readers import (
    cached,
    content_key,
    find_file,
    load_geography,
    read_births_deaths,
    read_births_deaths_cohort,
    read_cin_census,
    read_fingertips,
    read_population,
    read_records,
)
from jsnalib.methods import derive, stats
from jsnalib.methods.confidence import level as confidence_level

#: Read when present (``jsna import`` of the ONS child mortality workbooks writes it): the
#: death-cohort infant mortality of every local authority, for the districts.
COHORT_FILE = "births_deaths_cohort.csv"
#: The data files the indicators read (as named in data/ and in data/synthetic.json); all are
#: required but :data:`COHORT_FILE`.
DATA_FILES = ("births_deaths.csv", COHORT_FILE, "ncmp.csv.gz", "fingertips_ncmp.csv",
              "referrals.csv.gz", "cin_census.csv", "population.csv")
#: Every input file read: the data files and the area lookups.
FILES = (*DATA_FILES, "areas.csv", "neighbours.csv")

#: Columns of every indicator function's result, in order.
ROW_COLUMNS = ["indicator", "area_code", "value_from", "period", "time", "count", "denominator",
               "value", "lower", "upper", "from_records", "note"]

#: Infant mortality rates from fewer than this many deaths are not published (PHE/OHID
#: convention, Fingertips indicator 92196); the chapter and the profiles both apply it.
IMR_SUPPRESS_BELOW = 3
#: The note on a rate left out under :data:`IMR_SUPPRESS_BELOW`.
IMR_NOTE_SUPPRESSED = "fewer than 3 deaths: rate not published"
#: Years pooled for an area's infant mortality on the death-cohort basis (fewer when the file
#: has fewer: the ONS workbooks shipped cover 2020 and 2021).
COHORT_POOL = 3
#: The suffix of a death-cohort period ("2020-21, death cohort"): the two bases never share a
#: period label, so a figure is only ever set beside a benchmark on its own basis.
COHORT_LABEL = "death cohort"
#: The note on an infant mortality figure on the death-cohort basis ({years}: "2020 and 2021").
IMR_NOTE_COHORT = (
    "ONS, Child mortality in England and Wales {years}, death cohort. Deaths are counted in the "
    "year they happened rather than the year they were registered, so this figure is compared "
    "with England's on the same basis and years; it is not comparable with the 3-year rates of "
    "registered deaths shown for the county and unitary authorities")

#: The age group of population.csv used as the denominator of the referral rate.
CHILD_AGE_GROUP = "0-17"

#: The NCMP measures the book's indicators use (keys of :data:`jsnalib.indicators.ncmp.INDICATORS`).
NCMP_MEASURES = ("excess_weight", "obese")
_NCMP_COLUMNS = ["area_code", "academic_year", "time", "school_year", "measure", "count",
                 "denominator", "value", "lower", "upper", "from_records"]
SCHOOL_YEARS = ("R", "6")


# ----------------------------------------------------------------------------------------------
# the inputs, loaded once


@dataclass(frozen=True)
class IndicatorData:
    """Every input the indicators need, already aggregated to counts per area and period.

    - ``births_deaths``: area_code, year, live_births, infant_deaths (births_deaths.csv).
    - ``births_deaths_cohort``: the same on the ONS death-cohort basis, every local authority
      (births_deaths_cohort.csv when present, else empty).
    - ``referrals``: area_code, financial_year, time, referrals, rereferrals, from_records
      (the two authorities from their records; others from cin_census.csv).
    - ``population``: area_code, year, population (children 0-17; population.csv).
    - ``ncmp``: area_code, academic_year, time, school_year, measure, count, denominator,
      value, lower, upper, from_records (local areas from their records, where value/lower/
      upper are NaN and computed from the counts; England and region from the Fingertips
      export, whose published value and 95% limits are kept for rows without counts).
    - ``fingertips`` and ``extra``: the rows and indicators of any other Fingertips export in
      data/ (:func:`jsnalib.indicators.fingertips.load_with_exports`; empty from :meth:`load`).
    """

    geography: Geography
    births_deaths: pd.DataFrame
    referrals: pd.DataFrame
    population: pd.DataFrame
    ncmp: pd.DataFrame
    births_deaths_cohort: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["area_code", "year", "live_births", "infant_deaths"]))
    fingertips: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra: tuple[Indicator, ...] = ()

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """The book's indicators (:data:`INDICATORS`) then those of the Fingertips exports."""
        return (*INDICATORS, *self.extra)

    @classmethod
    def load(cls, data_dir: str | Path) -> IndicatorData:
        """Read and aggregate every input in :data:`FILES` from ``data_dir``.

        Raises ``jsnalib.inputs.readers.DataError`` naming file, row and column if a file is malformed.
        Built once per process for the same file contents (and date): every area profile and
        the outcomes summary reads the same inputs; each caller gets its own copy.
        """
        folder = Path(data_dir)
        key = ("IndicatorData", *(content_key(folder / name if name == COHORT_FILE else
                                              _found(folder, name)) for name in FILES),
               date.today())
        return cached(key, lambda: cls._build(folder), lambda data: cls(
            geography=load_geography(folder),
            **{name: getattr(data, name).copy(deep=True)
               for name in ("births_deaths", "referrals", "population", "ncmp",
                            "births_deaths_cohort")}))

    @classmethod
    def _build(cls, folder: Path) -> IndicatorData:
        geography = load_geography(folder)

        def path(name: str) -> Path:
            return find_file(folder, name)

        births = read_births_deaths(path("births_deaths.csv"), geography)
        # the record-level extracts are optional; only the JSNA areas' rows are used
        records = read_records(folder, REFERRALS, geography)
        census = read_cin_census(path("cin_census.csv"), geography)
        population = read_population(path("population.csv"), geography)
        ncmp = read_records(folder, NCMP, geography)
        export = read_fingertips(path("fingertips_ncmp.csv"))
        children = population[population["age_group"] == CHILD_AGE_GROUP]
        counts = ["area_code", "year", "live_births", "infant_deaths"]
        cohort = (read_births_deaths_cohort(folder / COHORT_FILE)[counts]
                  if (folder / COHORT_FILE).is_file() else pd.DataFrame(columns=counts))
        return cls(
            geography=geography,
            births_deaths=births[counts],
            births_deaths_cohort=cohort,
            referrals=referral_counts(records, census),
            population=children[["area_code", "year", "population"]].reset_index(drop=True),
            ncmp=pd.concat([ncmp_counts(ncmp, geography), fingertips_ncmp(export)],
                           ignore_index=True),
        )


def _found(folder: Path, name: str) -> Path:
    """The file as it is in the folder (.csv or .csv.gz); the name itself when an optional
    record-level extract is absent (a required file's absence raises DataError)."""
    if name in (REFERRALS.filename, NCMP.filename) and not any(
            (folder / n).is_file() for n in (name, name.removesuffix(".gz"))):
        return folder / name
    return find_file(folder, name)


def referral_counts(records: pd.DataFrame, census: pd.DataFrame) -> pd.DataFrame:
    """Referrals and re-referrals per area and financial year, from records and the census.

    Re-referrals are flagged over each authority's whole record history
    (:func:`jsnalib.methods.derive.flag_rereferrals`). A financial year is kept only when the records
    reach back 12 months before it starts: in the first year of an extract earlier referrals
    are unseen, so its re-referral rate would be too low. Areas in the records replace any rows
    the census file has for them.

    Args:
        records: referrals.csv.gz as read by ``read_referrals`` (referral_date, child_id,
            area_code).
        census: cin_census.csv as read by ``read_cin_census``.

    Returns:
        DataFrame with area_code, financial_year, time (start year, int), referrals,
        rereferrals (counts; census counts may be missing where suppressed) and from_records.
    """
    columns = ["area_code", "financial_year", "referrals", "rereferrals", "missing_child_id"]
    local = pd.DataFrame(columns=columns)
    if len(records):
        # several referrals of one child on one day are one referral (DfE CIN census guide),
        # exactly as on the re-referral page
        records = pd.concat([derive.merge_same_day(group)[0]
                             for _, group in records.groupby("area_code", observed=True, sort=False)])
        with warnings.catch_warnings():  # missing IDs are counted in missing_child_id instead
            warnings.simplefilter("ignore", derive.MissingChildIdWarning)
            summary = derive.rereferral_summary(records, by=("area_code", "financial_year"))
        first_day = records.groupby("area_code", observed=True)["referral_date"].min()
        full_from = first_full_financial_year(first_day)
        start_year = summary["financial_year"].str[:4].astype(int)
        summary = summary[start_year >= summary["area_code"].map(full_from).astype(int)]
        local = summary[columns]
    published = census[~census["area_code"].isin(set(local["area_code"]))]
    frames = [local.assign(from_records=True),
              published[columns[:-1]].assign(missing_child_id=np.nan, from_records=False)]
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    out["time"] = out["financial_year"].str[:4].astype(int)
    out["referrals"] = out["referrals"].astype("Float64").astype(float)
    out["rereferrals"] = out["rereferrals"].astype("Float64").astype(float)
    out["missing_child_id"] = out["missing_child_id"].astype(float)
    order = ["area_code", "financial_year", "time", "referrals", "rereferrals",
             "missing_child_id", "from_records"]
    return out[order].sort_values(["area_code", "time"]).reset_index(drop=True)


def ncmp_counts(records: pd.DataFrame, geography: Geography) -> pd.DataFrame:
    """NCMP prevalence counts per area, academic year and school year, from records.

    Records are classified exactly as the obesity chapter does
    (:func:`jsnalib.indicators.ncmp.classify_records`: UK90 BMI SDS and NCMP category; records flagged
    implausible or incomplete are left out of numerator and denominator, as the NCMP leaves out
    invalid measurements) and counted with :func:`jsnalib.indicators.ncmp.bmi_counts`. Upper-tier areas
    made of districts (Staffordshire) get the sum of their districts.

    Returns:
        Long DataFrame: area_code, academic_year, time (start year), school_year ("R"/"6"),
        measure (:data:`NCMP_MEASURES`), count, denominator, value, lower, upper (NaN:
        computed later from the counts), from_records (True).
    """
    if records.empty:
        return pd.DataFrame(columns=_NCMP_COLUMNS).astype(
            {"time": "int64", "count": float, "denominator": float, "value": float,
             "lower": float, "upper": float, "from_records": bool})
    keys = ["area_code", "academic_year", "school_year"]
    counts = ncmp.bmi_counts(ncmp.classify_records(records), by=keys)
    counts["area_code"] = counts["area_code"].astype(str)
    counts["academic_year"] = counts["academic_year"].astype(str)
    columns = ["denominator", *NCMP_MEASURES]
    parents = counts["area_code"].map(
        lambda code: geography.parent(code) if geography.area_type(code) == "district" else None)
    upper = counts[parents.notna()].assign(area_code=parents[parents.notna()])
    if len(upper):
        counts = pd.concat([counts, upper.groupby(keys, sort=True)[columns].sum().reset_index()],
                           ignore_index=True)
    long = counts.melt(id_vars=[*keys, "denominator"], value_vars=list(NCMP_MEASURES),
                       var_name="measure", value_name="count")
    long["time"] = start_year(long["academic_year"])
    long[["value", "lower", "upper"]] = np.nan
    long["count"] = long["count"].astype(float)
    long["denominator"] = long["denominator"].astype(float)
    long["from_records"] = True
    return long[_NCMP_COLUMNS].sort_values(["area_code", "school_year", "measure", "time"]
                                           ).reset_index(drop=True)


def fingertips_ncmp(export: pd.DataFrame) -> pd.DataFrame:
    """The NCMP measures of a Fingertips export (England, region) shaped as :func:`ncmp_counts`.

    Indicators are recognised by name (:func:`jsnalib.indicators.ncmp.fingertips_measure`), persons
    only, without a category breakdown. Count and Denominator are kept (so intervals can be
    recomputed at any confidence) with the published value and 95% limits.
    """
    whole = export[(export["Sex"].astype(str).str.lower() == "persons")
                   & export["Category Type"].isna()]
    measures = whole["Indicator Name"].map(ncmp.fingertips_measure)
    wanted = measures.map(lambda m: m is not None and m[1] in NCMP_MEASURES)
    rows, measures = whole[wanted], measures[wanted]
    out = pd.DataFrame({
        "area_code": rows["Area Code"].astype(str).to_numpy(),
        "academic_year": rows["Time period"].astype(str).to_numpy(),
        "school_year": [m[0] for m in measures],
        "measure": [m[1] for m in measures],
        "count": rows["Count"].astype(float).to_numpy(),
        "denominator": rows["Denominator"].astype(float).to_numpy(),
        "value": rows["Value"].astype(float).to_numpy(),
        "lower": rows["Lower CI 95.0 limit"].astype(float).to_numpy(),
        "upper": rows["Upper CI 95.0 limit"].astype(float).to_numpy(),
    })
    out["time"] = (start_year(out["academic_year"]) if len(out)
                   else np.array([], dtype=np.int64))
    out["from_records"] = False
    return out[_NCMP_COLUMNS].sort_values(["area_code", "school_year", "measure", "time"]
                                          ).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# shared helpers


def _codes(data: IndicatorData, area_codes: Sequence[str]) -> list[str]:
    if isinstance(area_codes, str):
        raise ValueError("area_codes must be a list of area codes, not a single string")
    codes = list(area_codes)
    for code in codes:
        if not data.geography.is_known(code):
            raise ValueError(f"unknown area code {code!r}; expected a code in areas.csv")
    return codes


def _is_95(confidence: float) -> bool:
    """True for the 95% level (0.95 or 95), the level of Fingertips' published limits."""
    return bool(np.isclose(confidence_level(confidence), 0.95))


def _rows(frame: pd.DataFrame, indicator: str, note: str = "") -> pd.DataFrame:
    """Order the columns of an indicator's result and fill the bookkeeping ones."""
    out = frame.copy()
    out["indicator"] = indicator
    if "value_from" not in out:
        out["value_from"] = out["area_code"]
    if "note" not in out:
        out["note"] = note
    out["note"] = out["note"].fillna("").astype(str)
    out["from_records"] = out["from_records"].astype(bool)
    out["time"] = out["time"].astype(np.int64)
    for column in ("count", "denominator", "value", "lower", "upper"):
        out[column] = out[column].astype(float)
    return out[ROW_COLUMNS].sort_values(["area_code", "time"], kind="stable").reset_index(drop=True)


def _empty(indicator: str) -> pd.DataFrame:
    return _rows(pd.DataFrame(columns=[c for c in ROW_COLUMNS if c != "indicator"]), indicator)


def _upper_tier_codes(data: IndicatorData, codes: list[str]) -> pd.DataFrame:
    """Each requested area with the authority whose children's social care figure it takes."""
    geo = data.geography
    owner = [geo.upper_tier(code) for code in codes]
    notes = ["" if own == code else
             f"{geo.name(code)} is a district: children's social care is run by "
             f"{geo.name(own)}, so this is {geo.name(own)}'s figure"
             for code, own in zip(codes, owner, strict=True)]
    return pd.DataFrame({"area_code": codes, "value_from": owner, "note": notes})


def _with_ci(frame: pd.DataFrame, kind: str, multiplier: float, confidence: float
             ) -> pd.DataFrame:
    """Add value, lower and upper from count and denominator (rows lacking either stay NaN)."""
    out = frame.copy()
    ok = out["count"].notna() & out["denominator"].notna() & (out["denominator"] > 0)
    for column in ("value", "lower", "upper"):
        if column not in out:
            out[column] = np.nan
    if ok.any():
        function = stats.proportion if kind == "proportion" else stats.rate
        result = function(out.loc[ok, "count"], out.loc[ok, "denominator"],
                          multiplier=multiplier, confidence=confidence)
        out.loc[ok, ["value", "lower", "upper"]] = result[["value", "lower", "upper"]].to_numpy()
    return out


# ----------------------------------------------------------------------------------------------
# the indicators


def _imr_rows(counts: pd.DataFrame, years: int, confidence: float, label: str = "",
              note: str = "") -> pd.DataFrame:
    """Infant mortality rows from yearly counts pooled over ``years`` (periods suffixed with
    ``label``), with rates from fewer than 3 deaths left out."""
    if counts.empty:
        return _empty("infant_mortality")
    pooled = derive.pool_years(counts, ("live_births", "infant_deaths"), years=years)
    frame = pd.DataFrame({
        "area_code": pooled["area_code"],
        "period": pooled["period"] + (f", {label}" if label else ""),
        "time": pooled["start_year"], "count": pooled["infant_deaths"].astype("Float64"),
        "denominator": pooled["live_births"].astype("Float64"), "from_records": False,
        "note": note,
    }).astype({"count": float, "denominator": float})
    rows = _rows(_with_ci(frame, "rate", 1000, confidence), "infant_mortality")
    few = rows["count"] < IMR_SUPPRESS_BELOW
    rows.loc[few, ["value", "lower", "upper"]] = np.nan
    rows.loc[few, "note"] = IMR_NOTE_SUPPRESSED
    return rows


def infant_mortality_cohort(data: IndicatorData, area_codes: Sequence[str],
                            confidence: float = 0.95, years: int = COHORT_POOL) -> pd.DataFrame:
    """Infant mortality on the ONS death-cohort basis (births_deaths_cohort.csv), any area.

    Deaths under 1 year that occurred in the calendar years, per 1,000 live births occurring in
    them, pooled over ``years`` consecutive years or as many as the file has (2020 and 2021 in
    the workbooks shipped: "2020-21, death cohort"); ``years=1`` gives single years. CI and
    small numbers as :func:`infant_mortality`; each row's note names the source and the basis.

    Returns:
        Tidy rows (:data:`ROW_COLUMNS`), periods labelled "<years>, death cohort".
    """
    cohort = data.births_deaths_cohort
    counts = cohort[cohort["area_code"].isin(_codes(data, area_codes))]
    if counts.empty:
        return _empty("infant_mortality")
    span = sorted(set(cohort["year"].astype(int)))
    named = " and ".join([", ".join(map(str, span[:-1])), str(span[-1])] if len(span) > 1
                         else [str(span[0])])
    return _imr_rows(counts, min(years, len(span)), confidence, COHORT_LABEL,
                     IMR_NOTE_COHORT.format(years=named))


def infant_mortality(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95,
                     years: int = 3) -> pd.DataFrame:
    """Infant mortality rate: deaths under 1 year per 1,000 live births, `years` pooled.

    Periods are every run of `years` consecutive calendar years in births_deaths.csv
    (:func:`jsnalib.methods.derive.pool_years`; "2021-23"); ``years=1`` gives single years (used for
    the trend test, since pooled periods overlap). CI: :func:`jsnalib.methods.stats.rate` (exact
    Poisson below 10 deaths, Byar's from 10; APHO Technical Briefing 3). An area with no rows
    in births_deaths.csv (a district: NOMIS publishes registrations by upper-tier authority)
    takes its death-cohort figure (:func:`infant_mortality_cohort`), never a mix of the two.

    Returns:
        Tidy rows (:data:`ROW_COLUMNS`): count = infant deaths, denominator = live births,
        value/lower/upper per 1,000 live births; time = the period's first year.
    """
    codes = _codes(data, area_codes)
    births = data.births_deaths[data.births_deaths["area_code"].isin(codes)]
    others = [code for code in codes if code not in set(births["area_code"])]
    frames = [_imr_rows(births, years, confidence),
              infant_mortality_cohort(data, others, confidence,
                                      years=1 if years == 1 else COHORT_POOL)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty("infant_mortality")
    return pd.concat(frames, ignore_index=True)


def _ncmp_measure(data: IndicatorData, area_codes: Sequence[str], confidence: float,
                  school_year: str, measure: str, indicator: str) -> pd.DataFrame:
    if school_year not in SCHOOL_YEARS:
        raise ValueError(f"school_year must be 'R' (Reception) or '6' (Year 6), "
                         f"got {school_year!r}")
    codes = _codes(data, area_codes)
    rows = data.ncmp[data.ncmp["area_code"].isin(codes) & (data.ncmp["school_year"] == school_year)
                     & (data.ncmp["measure"] == measure)]
    if rows.empty:
        return _empty(indicator)
    published = rows[["value", "lower", "upper"]].to_numpy()
    frame = _with_ci(rows.drop(columns=["value", "lower", "upper"]), "proportion", 100,
                     confidence)
    without_counts = frame["value"].isna().to_numpy()
    frame.loc[without_counts, "value"] = published[without_counts, 0]
    if _is_95(confidence):
        frame.loc[without_counts, ["lower", "upper"]] = published[without_counts, 1:]
    frame = frame.rename(columns={"academic_year": "period"})
    return _rows(frame, indicator)


def excess_weight(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95,
                  school_year: str = "R") -> pd.DataFrame:
    """Prevalence of overweight including obesity ("excess weight"), %, by academic year.

    Children at or above the 85th UK90 BMI centile, as a percentage of children measured with a
    valid record, in Reception (``school_year="R"``) or Year 6 (``"6"``). CI: Wilson score
    (:func:`jsnalib.methods.stats.proportion`). Local areas from NCMP records (:func:`ncmp_counts`),
    England and region from the Fingertips export (its published values where it has no counts).

    Returns:
        Tidy rows (:data:`ROW_COLUMNS`): count = children overweight or obese, denominator =
        children measured, value/lower/upper in %; period "2023/24", time its first year.
    """
    key = "reception_excess_weight" if school_year == "R" else "year6_excess_weight"
    return _ncmp_measure(data, area_codes, confidence, school_year, "excess_weight", key)


def obesity(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95,
            school_year: str = "R") -> pd.DataFrame:
    """Prevalence of obesity including severe obesity, %, by academic year.

    Children at or above the 95th UK90 BMI centile, as a percentage of children measured with a
    valid record; otherwise as :func:`excess_weight`.
    """
    key = "reception_obesity" if school_year == "R" else "year6_obesity"
    return _ncmp_measure(data, area_codes, confidence, school_year, "obese", key)


def rereferrals(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95
                ) -> pd.DataFrame:
    """Re-referrals: % of referrals in the financial year within 12 months of a previous one.

    DfE children in need census definition (:func:`jsnalib.methods.derive.flag_rereferrals` for the
    two authorities' records; cin_census.csv for England, region and neighbours). CI: Wilson
    score. A district gets its county's figure (``value_from``, ``note``).

    Returns:
        Tidy rows (:data:`ROW_COLUMNS`): count = re-referrals, denominator = referrals,
        value/lower/upper in %; period "2023-24", time its first year.
    """
    owners = _upper_tier_codes(data, _codes(data, area_codes))
    counts = data.referrals.rename(columns={"area_code": "value_from",
                                            "financial_year": "period", "rereferrals": "count",
                                            "referrals": "denominator"})
    frame = owners.merge(counts, on="value_from", how="inner")
    if frame.empty:
        return _empty("rereferrals")
    missing = frame["missing_child_id"]
    unlinked = np.where(missing.between(1, 4), "fewer than 5",
                        missing.map(lambda n: f"{n:,.0f}" if pd.notna(n) else ""))
    unlinked_note = pd.Series(unlinked, index=frame.index) + (
        " referrals had no child ID: they count as referrals but cannot be linked to earlier "
        "ones")
    has_missing = (missing > 0).to_numpy()
    frame["note"] = np.where(has_missing & (frame["note"] != ""),
                             frame["note"] + "; " + unlinked_note,
                             np.where(has_missing, unlinked_note, frame["note"]))
    return _rows(_with_ci(frame, "proportion", 100, confidence), "rereferrals")


def referral_rate(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95
                  ) -> pd.DataFrame:
    """Referrals to children's social care per 10,000 children aged 0-17, by financial year.

    The denominator is the mid-year population estimate of the calendar year in which the
    financial year starts (mid-2023 for 2023-24: 30 June lies inside the financial year), as
    the DfE children in need statistics use. CI: :func:`jsnalib.methods.stats.rate` (Byar's). A
    district gets its county's figure. Years without a population estimate are left out.

    Returns:
        Tidy rows (:data:`ROW_COLUMNS`): count = referrals, denominator = children 0-17,
        value/lower/upper per 10,000 children.
    """
    owners = _upper_tier_codes(data, _codes(data, area_codes))
    counts = data.referrals.rename(columns={"area_code": "value_from",
                                            "financial_year": "period", "referrals": "count"})
    population = data.population.rename(columns={"area_code": "value_from", "year": "time",
                                                  "population": "denominator"})
    population = population.astype({"denominator": "Float64"}).astype({"denominator": float})
    frame = owners.merge(counts.drop(columns="rereferrals"), on="value_from", how="inner"
                         ).merge(population, on=["value_from", "time"], how="inner")
    if frame.empty:
        return _empty("referral_rate")
    return _rows(_with_ci(frame, "rate", 10_000, confidence), "referral_rate")


# ----------------------------------------------------------------------------------------------
# the registry


@dataclass(frozen=True)
class Indicator:
    """What an indicator is, how to read it, and the functions that compute it.

    ``name`` is the full title, ``short`` the label for charts and table headers.
    ``compute(data, area_codes, confidence)`` gives the rows shown; ``trend_rows`` the yearly
    rows its recent trend is tested on (the same unless periods overlap, as pooled ones do).
    ``kind`` is "rate" (Poisson trend) or "proportion" (chi-square trend test).
    ``publisher`` is set for an indicator taken as published (e.g. "OHID Fingertips"), whose
    ``published_trend(data, area_codes)`` gives the publisher's own recent trend per area
    (a Series of directions indexed by area code) where the counts cannot be tested.
    ``benchmarks(data, area_codes, confidence)``, when set, gives rows on another basis in
    which England, the region and the range are looked up for figures on that basis (their
    periods never coincide with ``compute``'s): the districts' death-cohort infant mortality.
    """

    key: str
    name: str
    short: str
    unit: str
    kind: str
    polarity: str
    multiplier: float
    count_label: str
    denominator_label: str
    upper_tier_only: bool
    source: str
    compute: Callable[..., pd.DataFrame]
    trend_rows: Callable[..., pd.DataFrame]
    publisher: str = ""
    published_trend: Callable[..., pd.Series] | None = None
    benchmarks: Callable[..., pd.DataFrame] | None = None


_NCMP_SOURCE = "ncmp.csv.gz; England and region fingertips_ncmp.csv"


def _indicator(key: str, name: str, short: str, unit: str, kind: str, polarity: str,
               multiplier: float, count_label: str, denominator_label: str, source: str,
               compute: Callable[..., pd.DataFrame], upper_tier_only: bool = False,
               trend_rows: Callable[..., pd.DataFrame] | None = None,
               benchmarks: Callable[..., pd.DataFrame] | None = None) -> Indicator:
    return Indicator(key, name, short, unit, kind, polarity, multiplier, count_label,
                     denominator_label, upper_tier_only, source, compute, trend_rows or compute,
                     benchmarks=benchmarks)


#: The book's indicators, in the order pages show them.
INDICATORS: tuple[Indicator, ...] = (
    _indicator("infant_mortality", "Infant mortality rate", "Infant mortality",
               "per 1,000 live births", "rate", "low_is_good", 1000, "infant deaths",
               "live births", "births_deaths.csv (3 years pooled); districts "
               "births_deaths_cohort.csv (death cohort)", infant_mortality,
               trend_rows=functools.partial(infant_mortality, years=1),
               benchmarks=infant_mortality_cohort),
    _indicator("reception_excess_weight", "Reception: overweight or obese (excess weight)",
               "Reception: excess weight", "%", "proportion", "low_is_good", 100,
               "children overweight or obese", "children measured", _NCMP_SOURCE,
               functools.partial(excess_weight, school_year="R")),
    _indicator("reception_obesity", "Reception: obese (including severe obesity)",
               "Reception: obese", "%", "proportion", "low_is_good", 100, "children obese",
               "children measured", _NCMP_SOURCE, functools.partial(obesity, school_year="R")),
    _indicator("year6_excess_weight", "Year 6: overweight or obese (excess weight)",
               "Year 6: excess weight", "%", "proportion", "low_is_good", 100,
               "children overweight or obese", "children measured", _NCMP_SOURCE,
               functools.partial(excess_weight, school_year="6")),
    _indicator("year6_obesity", "Year 6: obese (including severe obesity)", "Year 6: obese",
               "%", "proportion", "low_is_good", 100, "children obese", "children measured",
               _NCMP_SOURCE, functools.partial(obesity, school_year="6")),
    _indicator("rereferrals", "Re-referrals to children's social care within 12 months",
               "Re-referrals within 12 months", "% of referrals", "proportion", "no_judgement",
               100, "re-referrals", "referrals",
               "referrals.csv.gz; England, region and neighbours cin_census.csv", rereferrals,
               upper_tier_only=True),
    _indicator("referral_rate", "Referrals to children's social care", "Referral rate",
               "per 10,000 children aged 0-17", "rate", "no_judgement", 10_000, "referrals",
               "children aged 0-17", "referrals.csv.gz and cin_census.csv; population.csv",
               referral_rate, upper_tier_only=True),
)

INDICATOR_KEYS = tuple(i.key for i in INDICATORS)


def indicator(key: str) -> Indicator:
    """The :class:`Indicator` with this key (see :data:`INDICATOR_KEYS`)."""
    for item in INDICATORS:
        if item.key == key:
            return item
    raise ValueError(f"unknown indicator {key!r}; expected one of {', '.join(INDICATOR_KEYS)}")


def all_indicators(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95
                   ) -> pd.DataFrame:
    """Every indicator's rows for the areas, stacked in :data:`INDICATORS` order, then those of
    the Fingertips exports (``data.extra``)."""
    frames = [item.compute(data, area_codes, confidence) for item in data.indicators]
    return pd.concat(frames, ignore_index=True)
