"""Childhood obesity: National Child Measurement Programme (NCMP) records to prevalence, trends,
inequality, cohorts and projections.

The chapter's statistics, one function each, used by ``notebooks/obesity.ipynb``:

- :func:`classify_records`: age, BMI, UK90 BMI SDS and NCMP category of every measurement,
  with every implausible record flagged (never silently dropped; :func:`exclusions` counts them
  by reason);
- :func:`bmi_counts` and :func:`prevalence`: children measured and in each weight category, by
  any breakdown, with Wilson score intervals (NHS England NCMP methods; APHO Technical Briefing 3);
- :func:`england_benchmarks` and :func:`compare_with_england`: the national figures from a
  Fingertips export and the better/similar/worse judgement (:func:`jsnalib.methods.stats.compare`);
- :func:`trend_model`: binomial GLM ``excess weight ~ year * school year`` with odds ratios;
  :func:`project_prevalence` extends it with confidence and prediction intervals;
- :func:`deprivation_gradient` and :func:`inequality`: prevalence by IMD decile with the slope
  and relative indices of inequality (:func:`jsnalib.methods.stats.sii`);
- :func:`cohort_change`: the year group measured in Reception in year Y and in Year 6 in Y + 6,
  with Newcombe's interval for the change (:func:`difference_ci`);
- :func:`published_checks`: the published local figures against the same figure from the data.

Every table of counts leaves through :func:`protect`, which applies :mod:`jsnalib.methods.disclosure`
to all the ways the book's figures add up (boys + girls = all children; districts =
Staffordshire; deciles = the whole area), so no count of 1 to 4 can be read or worked out.

Units: prevalence in percent (0-100) of children with a valid measurement; years are the
calendar year an academic year starts in (2018 = 2018/19).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from matplotlib.figure import Figure
from scipy import special
from scipy.stats import chi2

from jsnalib.indicators.ncmp import (
    _FLAG_COLUMNS,
    _NCMP_COLUMNS,
    COUNT_COLUMNS,
    INDICATORS,
    bmi_counts,
    classify_records,
    fingertips_measure,
)
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.periods import academic_year_label, start_year
from jsnalib.inputs.readers import (
    find_file,
    load_geography,
    read_fingertips,
    read_ncmp,
    read_published_figures,
)
from jsnalib.methods import disclosure, growth, models, stats
from jsnalib.methods.confidence import level as _level
from jsnalib.report import plots as house

#: Input files this chapter reads.
NCMP_FILE = "ncmp.csv.gz"
FINGERTIPS_FILE = "fingertips_ncmp.csv"
PUBLISHED_FILE = "published_figures.csv"
#: The data files (the synthetic default data's manifest lists these) ...
DATA_FILES = (NCMP_FILE, FINGERTIPS_FILE, PUBLISHED_FILE)
#: ... and every file read, with the area lookups.
FILES = (*DATA_FILES, "areas.csv", "neighbours.csv")

SCHOOL_YEARS = {"R": "Reception", "6": "Year 6"}
SEXES = {"persons": "All children", "male": "Boys", "female": "Girls"}
#: Years between Reception and Year 6: the same year group is measured again six years later.
COHORT_GAP = 6
#: Pearson dispersion (chi-square / residual df) above which a projection is flagged as resting
#: on a poorly fitting trend model (1 is what chance alone gives).
POOR_FIT_DISPERSION = 1.5




# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------

def _ci_label(confidence: float) -> str:
    return f"{_level(confidence) * 100:g}% CI"


def _pct(value: float, decimals: int = 1) -> str:
    return "not available" if pd.isna(value) else f"{value:.{decimals}f}%"


def _num(value: float, decimals: int = 1) -> str:
    return "not available" if pd.isna(value) else f"{value:.{decimals}f}"


def count_text(count: float) -> str:
    """A count for a sentence: "1,234"; "fewer than 5" for 1 to 4; "a small number (not
    shown)" for a suppressed (missing) count."""
    lo, hi = disclosure.SMALL_COUNTS
    if pd.isna(count):
        return "a small number (not shown)"
    if lo <= count <= hi:
        return f"fewer than {hi + 1}"
    return f"{int(count):,}"


# --------------------------------------------------------------------------------------------
# areas and records
# --------------------------------------------------------------------------------------------

def area_family(geography: Geography, area_code: str) -> list[str]:
    """The areas whose figures add up with ``area_code``'s: its upper-tier authority first, then
    that authority's lowest-tier areas (for a district or Staffordshire: the county and its
    eight districts; for Stoke-on-Trent: itself). NCMP records are held for the lowest tier.
    """
    upper = geography.upper_tier(area_code)
    below = geography.lowest_tier(_descendants(geography, upper))
    return [upper, *below] if below else [upper]


def _descendants(geography: Geography, code: str) -> list[str]:
    out, queue = [], geography.children(code)
    while queue:
        child = queue.pop(0)
        out.append(child)
        queue.extend(geography.children(child))
    return out


def select_records(records: pd.DataFrame, area_codes: Sequence[str],
                   school_years: Sequence[str] = ("R", "6"),
                   years: Sequence[str] = ()) -> pd.DataFrame:
    """The NCMP records of the given lowest-tier areas, school years and academic years.

    ``years`` is the first and last academic year, inclusive, such as ``["2010/11",
    "2023/24"]``; empty means every year in the data. Raises ValueError for an unknown school
    year, a bad range, or when no record is left.
    """
    unknown = sorted(set(school_years) - set(SCHOOL_YEARS))
    if unknown or not school_years:
        raise ValueError(f"school_years must be a non-empty list of 'R' and/or '6', got "
                         f"{list(school_years)}")
    if len(years) not in (0, 2):
        raise ValueError(f"years must be [] (every year) or [first, last] academic years such as "
                         f"['2010/11', '2023/24'], got {list(years)}")
    first, last = start_year(list(years)) if years else (-np.inf, np.inf)
    if first > last:
        raise ValueError(f"years must run forwards: {years[0]} is after {years[1]}")
    missing = [c for c in _NCMP_COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"records have no column(s) {missing}: expected the NCMP contract")
    keep = (records["area_code"].isin(list(area_codes))
            & records["school_year"].astype(str).isin(list(school_years)))
    if years:
        labels = records["academic_year"].astype(str)
        keep &= labels.isin([academic_year_label(y) for y in range(first, last + 1)])
    chosen = records.loc[keep].reset_index(drop=True)
    if chosen.empty:
        raise ValueError(f"no NCMP records for areas {list(area_codes)}, school years "
                         f"{list(school_years)} and years {list(years) or 'all'}")
    return chosen


# --------------------------------------------------------------------------------------------
# counts, disclosure control and prevalence
# --------------------------------------------------------------------------------------------

def add_total(table: pd.DataFrame, column: str, label: str,
              members: Sequence[str] | None = None,
              counted: Sequence[str] = tuple(COUNT_COLUMNS)) -> pd.DataFrame:
    """Append rows that sum the ``counted`` columns over ``column`` (all its values, or only
    ``members``), with ``column`` set to ``label``: e.g. boys + girls as "persons", districts
    as their county. Every other column is a key held fixed."""
    counted = [c for c in table.columns if c in counted]
    keys = [c for c in table.columns if c not in counted and c != column]
    if not keys:
        raise ValueError("add_total needs at least one key column besides " + column)
    rows = table if members is None else table[table[column].isin(list(members))]
    total = rows.groupby(keys, sort=False)[counted].sum().reset_index()
    total[column] = label
    return pd.concat([table, total[table.columns]], ignore_index=True)


#: Stand-in for an already hidden count, so disclosure.suppress_table treats it as secret.
_SECRET = float(disclosure.SMALL_COUNTS[0])


def protect(table: pd.DataFrame, counts: Sequence[str], total: str | None = None,
            sums: Sequence[Sequence[str]] = ()) -> pd.DataFrame:
    """Small-number suppression of a table whose rows add up in more than one way.

    :func:`jsnalib.methods.disclosure.suppress_table` protects one way of adding up at a time; here it
    is applied for every entry of ``sums`` (the key columns held fixed while the remaining
    rows add up: ``["area_code", "year", "school_year"]`` for boys + girls = all children,
    ``["year", "school_year", "sex"]`` for districts = county) and for the row identity
    ``total = sum(counts)``, with every count hidden so far marked secret, until nothing
    changes. Counts of 1 to 4, and any count that would reveal one, come back as <NA>.

    Returns a copy with the count (and total) columns as nullable Int64; the result has passed
    :func:`jsnalib.methods.disclosure.assert_disclosure_safe`.
    """
    cells = [*counts, *([total] if total else [])]
    values = table[cells].astype(float).to_numpy()
    hidden = np.zeros(values.shape, dtype=bool)
    groupings = [list(group) for group in sums] or [None]
    frame = table.reset_index(drop=True)
    while True:
        before = int(hidden.sum())
        for group in groupings:
            work = frame.copy()
            work[cells] = np.where(hidden, _SECRET, values)
            result = disclosure.suppress_table(work, list(counts), total, group)
            hidden |= result[cells].isna().to_numpy() & ~np.isnan(values)
        if int(hidden.sum()) == before:
            break
    out = frame.copy()
    for i, column in enumerate(cells):
        out[column] = pd.array(np.where(hidden[:, i], np.nan, values[:, i]),
                               dtype="Float64").astype("Int64")
    return disclosure.assert_disclosure_safe(out, cells)


def protect_counts(table: pd.DataFrame, sums: Sequence[Sequence[str]] = ()) -> pd.DataFrame:
    """:func:`protect` for a table of :data:`COUNT_COLUMNS`.

    Within a row, excess weight = overweight + obese, so those three are protected together;
    children measured, underweight and severely obese have no such identity (healthy weight is
    not shown, and obese-but-not-severely is not shown).
    """
    out = protect(table, ["overweight", "obese"], "excess_weight", sums)
    return protect(out, ["denominator", "underweight", "severely_obese"], None, sums)


def prevalence(counts: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Long table: one row per group and :data:`INDICATORS` measure with ``count``,
    ``denominator``, ``value`` (percent) and Wilson score limits ``lower``, ``upper``.

    Suppressed (missing) counts give missing values. Reference: Wilson (1927); APHO Technical
    Briefing 3; :func:`jsnalib.methods.stats.proportion`.
    """
    keys = [c for c in counts.columns if c not in COUNT_COLUMNS]
    long = counts.melt(id_vars=[*keys, "denominator"], value_vars=list(INDICATORS),
                       var_name="indicator", value_name="count")
    count = long["count"].astype("Float64").astype(float)
    denominator = long["denominator"].astype("Float64").astype(float)
    ci = stats.proportion(count.to_numpy(), denominator.to_numpy(), multiplier=100,
                          confidence=confidence)
    long["count"], long["denominator"] = count, denominator
    long[["value", "lower", "upper"]] = ci[["value", "lower", "upper"]].to_numpy()
    return long[[*keys, "indicator", "count", "denominator", "value", "lower", "upper"]]


# --------------------------------------------------------------------------------------------
# the loaded extract
# --------------------------------------------------------------------------------------------

@dataclass
class NCMPExtract:
    """The classified records behind one page and what it is compared with.

    ``records`` covers every lowest-tier area of ``family`` (so sums across areas can be
    protected); ``area_code`` is the page's area; ``members`` maps each family area to its
    lowest-tier areas.
    """

    records: pd.DataFrame
    area_code: str
    area_name: str
    family: list[str]
    members: dict[str, list[str]]
    england: pd.DataFrame
    published: pd.DataFrame
    geography: Geography

    @property
    def years(self) -> list[int]:
        return sorted(self.records["year"].unique().tolist())

    @property
    def school_years(self) -> list[str]:
        present = set(self.records["school_year"])
        return [s for s in SCHOOL_YEARS if s in present]

    @property
    def area_records(self) -> pd.DataFrame:
        """The records of the page's own area."""
        return self.records[self.records["area_code"].isin(self.members[self.area_code])]


def load(data_dir: str | Path, area_code: str, school_years: Sequence[str] = ("R", "6"),
         years: Sequence[str] = ()) -> NCMPExtract:
    """Read the NCMP records (once), the Fingertips export and the published figures.

    ``area_code`` is a JSNA area: a district, Staffordshire (= its districts' children) or
    Stoke-on-Trent. Raises ``jsnalib.inputs.readers.DataError`` for a malformed file and ValueError for
    an unknown area or no records.
    """
    folder = Path(data_dir)
    geography = load_geography(folder)
    if not geography.is_known(area_code):
        raise ValueError(f"unknown area code {area_code!r}; expected a code in areas.csv")
    family = area_family(geography, area_code)
    members = {code: geography.lowest_tier(_descendants(geography, code)) or [code]
               for code in family}
    raw = read_ncmp(find_file(folder, NCMP_FILE), geography)
    records = classify_records(select_records(raw, members[family[0]], school_years, years))
    export = read_fingertips(find_file(folder, FINGERTIPS_FILE))
    published = read_published_figures(find_file(folder, PUBLISHED_FILE), geography)
    return NCMPExtract(
        records=records, area_code=area_code, area_name=geography.name(area_code),
        family=family, members=members,
        england=england_benchmarks(export, geography.country()),
        published=published[(published["topic"] == "obesity")
                            & (published["area_code"] == area_code)].reset_index(drop=True),
        geography=geography,
    )


def family_counts(ncmp: NCMPExtract, by: Sequence[str],
                  records: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`bmi_counts` by ``area_code`` and ``by`` for every area of the family, the
    upper-tier authority's rows being the sum of its lowest-tier areas."""
    counts = bmi_counts(ncmp.records if records is None else records, ["area_code", *by])
    if len(ncmp.family) > 1:
        counts = add_total(counts, "area_code", ncmp.family[0], ncmp.members[ncmp.family[0]])
    return counts


def _area_sums(ncmp: NCMPExtract, by: Sequence[str]) -> list[list[str]]:
    """The 'districts add up to the county' identity, when the page belongs to a family."""
    return [list(by)] if len(ncmp.family) > 1 else []


def _own(ncmp: NCMPExtract, table: pd.DataFrame) -> pd.DataFrame:
    own = table[table["area_code"] == ncmp.area_code]
    return own.drop(columns="area_code").reset_index(drop=True)


def prevalence_table(ncmp: NCMPExtract, confidence: float = 0.95) -> pd.DataFrame:
    """Prevalence of every measure by year, school year and sex (boys, girls, all children)
    for the page's area, disclosure-protected, compared with England where England publishes
    the same figure (all children).

    Columns: year, academic_year, school_year, sex, indicator, count, denominator, value,
    lower, upper, england, comparison.
    """
    keys = ["year", "school_year", "sex"]
    counts = add_total(family_counts(ncmp, keys), "sex", "persons")
    sums = [["area_code", "year", "school_year"], *_area_sums(ncmp, keys)]
    table = prevalence(_own(ncmp, protect_counts(counts, sums)), confidence)
    table.insert(1, "academic_year", [academic_year_label(y) for y in table["year"]])
    table = compare_with_england(table, ncmp.england)
    order = {"sex": list(SEXES), "school_year": list(SCHOOL_YEARS), "indicator": list(INDICATORS)}
    return _sorted(table, ["year", "school_year", "sex", "indicator"], order)


def _sorted(table: pd.DataFrame, columns: list[str], order: dict[str, list[str]]) -> pd.DataFrame:
    def key(series: pd.Series) -> pd.Series:
        if series.name in order:
            return series.map({v: i for i, v in enumerate(order[series.name])})
        return series
    return table.sort_values(columns, key=key, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# exclusions
# --------------------------------------------------------------------------------------------

def exclusions(ncmp: NCMPExtract) -> pd.DataFrame:
    """Records left out, by reason and school year, disclosure-protected, for the page's area.

    Reasons are those of :func:`jsnalib.methods.growth.flag_ncmp_exclusions` (a record may have
    several; ``implausible`` counts each excluded record once), then ``extreme_kept``: records
    beyond the CDC's modified-SDS limits that are kept (not excluded). Columns: reason, description,
    ``Reception`` / ``Year 6`` (records), ``All`` (when both are shown) and ``percent`` of all
    records measured (blank where the count is suppressed).
    """
    records = ncmp.records
    present = [SCHOOL_YEARS[s] for s in ncmp.school_years]
    wide = (records.assign(school=records["school_year"].map(SCHOOL_YEARS))
            .groupby(["area_code", "school"])[_FLAG_COLUMNS].sum()
            .rename_axis(columns="reason").stack().unstack("school", fill_value=0)
            .reindex(columns=present, fill_value=0).reset_index())
    wide.columns.name = None
    total = None
    if len(present) > 1:
        wide["All"] = wide[present].sum(axis=1)
        total = "All"
    if len(ncmp.family) > 1:
        wide = add_total(wide, "area_code", ncmp.family[0], ncmp.members[ncmp.family[0]],
                         counted=[*present, *([total] if total else [])])
    # reasons overlap (most weight errors are BMI errors too), so they add up to nothing
    safe = _own(ncmp, protect(wide, present, total, _area_sums(ncmp, ["reason"])))
    measured = len(ncmp.area_records)
    last = total or present[0]
    safe["percent"] = safe[last].astype("Float64").astype(float) / measured * 100
    summary = growth.exclusion_summary(ncmp.area_records[_FLAG_COLUMNS[:-1]])
    described = dict(zip(summary["reason"], summary["description"], strict=True))
    limits = growth.IMPLAUSIBLE_LIMITS
    described["extreme_kept"] = (
        "kept, but flagged: beyond the CDC's extreme-value limits on the modified SDS (BMI "
        f"{limits['bmi'][0]:+g} to {limits['bmi'][1]:+g}, height {limits['height'][0]:+g} to "
        f"{limits['height'][1]:+g}, weight {limits['weight'][0]:+g} to "
        f"{limits['weight'][1]:+g}) yet inside the NCMP ranges")
    safe.insert(1, "description", safe["reason"].map(described))
    order = {"reason": _FLAG_COLUMNS}
    return _sorted(safe, ["reason"], order)


def exclusion_reading(table: pd.DataFrame, measured: int) -> str:
    """A sentence on how many records were left out and the commonest reason."""
    column = "All" if "All" in table.columns else table.columns[2]
    rows = table.set_index("reason")
    excluded = rows.at["implausible", column]
    if pd.isna(excluded) or excluded == 0:
        head = ("No record was left out." if excluded == 0 else
                "A small number of records (not shown, to protect privacy) were left out as "
                "implausible or incomplete.")
        return head + " Every other measurement is used. " + _kept_sentence(rows, column)
    reasons = rows.drop(index=["implausible", "extreme_kept"])[column].astype("Float64")
    top = reasons.astype(float).idxmax()
    return (f"Of {measured:,} measurements, {count_text(excluded)} "
            f"({rows.at['implausible', 'percent']:.2f}%) were left out of every figure on this "
            f"page, as the NCMP's own validation ranges would leave them out; the commonest "
            f"reason was: {rows.at[top, 'description']} ({count_text(reasons[top])} records). "
            f"They are counted here, not dropped silently. " + _kept_sentence(rows, column))


def _kept_sentence(rows: pd.DataFrame, column: str) -> str:
    kept = rows.at["extreme_kept", column]
    if not pd.isna(kept) and kept == 0:
        return "No kept measurement is extreme enough to be flagged."
    return (f"{count_text(kept)[0].upper()}{count_text(kept)[1:]} extreme but possible "
            "measurements (such as very severe obesity) are kept in every figure and flagged "
            "here for checking.")


# --------------------------------------------------------------------------------------------
# England from Fingertips
# --------------------------------------------------------------------------------------------

def england_benchmarks(export: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The country's NCMP prevalence from a Fingertips export (as read by ``read_fingertips``);
    ``area_code`` is the country's code (``Geography.country()``).

    Persons, no category breakdown. Overweight (not obese) is not published: it is excess
    weight minus obesity, from the counts, where both are given for the same children.
    Returns year, school_year, indicator, count, denominator, value (percent).
    """
    needed = ["Indicator Name", "Area Code", "Sex", "Category Type", "Time period", "Value",
              "Count", "Denominator"]
    absent = [c for c in needed if c not in export.columns]
    if absent:
        raise ValueError(f"the Fingertips export has no column(s) {absent}")
    rows = export[(export["Area Code"] == area_code)
                  & (export["Sex"].astype(str).str.lower() == "persons")
                  & export["Category Type"].isna()]
    measures = rows["Indicator Name"].map(fingertips_measure)
    rows, measures = rows[measures.notna()], measures[measures.notna()]
    out = pd.DataFrame({
        "year": start_year(rows["Time period"]) if len(rows) else np.array([], int),
        "school_year": [m[0] for m in measures],
        "indicator": [m[1] for m in measures],
        "count": rows["Count"].astype(float).to_numpy(),
        "denominator": rows["Denominator"].astype(float).to_numpy(),
        "value": rows["Value"].astype(float).to_numpy(),
    })
    keys = ["year", "school_year"]
    both = out[out["indicator"] == "excess_weight"].merge(
        out[out["indicator"] == "obese"], on=keys, suffixes=("", "_obese"))
    same = both["denominator"] == both["denominator_obese"]
    overweight = both.loc[same, [*keys, "denominator"]].assign(
        indicator="overweight", count=(both["count"] - both["count_obese"])[same])
    overweight["value"] = overweight["count"] / overweight["denominator"] * 100
    out = pd.concat([out, overweight[out.columns]], ignore_index=True)
    return out.sort_values([*keys, "indicator"]).reset_index(drop=True)


def compare_with_england(table: pd.DataFrame, england: pd.DataFrame) -> pd.DataFrame:
    """Add ``england`` (England's value, percent) and ``comparison`` to a prevalence table.

    The comparison is :func:`jsnalib.methods.stats.compare` of the local confidence interval with
    England's value, with each measure's polarity (lower is better for excess weight, obesity
    and overweight; no judgement for underweight). Rows for boys or girls alone are "not
    compared": the England export holds all children only.
    """
    bench = england[["year", "school_year", "indicator", "value"]].rename(
        columns={"value": "england"}).assign(sex="persons")
    keys = ["year", "school_year", "indicator"] + (["sex"] if "sex" in table.columns else [])
    out = table.merge(bench[[*keys, "england"]], on=keys, how="left")
    out["comparison"] = "not compared"
    for polarity in {i.polarity for i in INDICATORS.values()}:
        rows = out["indicator"].map(lambda k: INDICATORS[k].polarity) == polarity
        if rows.any():
            out.loc[rows, "comparison"] = stats.compare(
                out.loc[rows, "lower"].to_numpy(float), out.loc[rows, "upper"].to_numpy(float),
                out.loc[rows, "england"].to_numpy(float), polarity)
    return out


def latest_reading(table: pd.DataFrame, area_name: str, confidence: float = 0.95) -> str:
    """Sentences on excess weight and obesity in the latest year, against England."""
    year = table["year"].max()
    rows = table[(table["year"] == year) & (table["sex"] == "persons")]
    parts = []
    for school_year in [s for s in SCHOOL_YEARS if s in set(rows["school_year"])]:
        r = rows[rows["school_year"] == school_year].set_index("indicator")
        ew, ob = r.loc["excess_weight"], r.loc["obese"]
        parts.append(
            f"In {academic_year_label(year)}, {_pct(ew['value'])} of {SCHOOL_YEARS[school_year]} "
            f"children in {area_name} were overweight or obese ({count_text(ew['count'])} of "
            f"{count_text(ew['denominator'])}; {_ci_label(confidence)} {_pct(ew['lower'])} to "
            f"{_pct(ew['upper'])}), {_versus(ew)}. {_pct(ob['value'])} were obese, "
            f"{_versus(ob)}.")
    return " ".join(parts)


def _versus(row: pd.Series) -> str:
    """'worse than England (22.1%)', 'similar to England (22.1%)' or 'not compared ...'."""
    if row["comparison"] == "not compared":
        return "not compared with England"
    word = "similar to" if row["comparison"] == "similar" else f"{row['comparison']} than"
    return f"{word} England ({_pct(row['england'])})"


# --------------------------------------------------------------------------------------------
# trend model and projection
# --------------------------------------------------------------------------------------------

@dataclass
class TrendModel:
    """A binomial GLM of a measure over years, by school year (:func:`trend_model`)."""

    fit: models.TrendFit
    indicator: str
    school_years: list[str]
    data: pd.DataFrame
    odds_ratios: pd.DataFrame
    confidence: float

    @property
    def formula(self) -> str:
        """The model formula as fitted, e.g. ``count + failures ~ year * year6``."""
        return str(self.fit.result.model.formula)


def _model_frame(counts: pd.DataFrame, indicator: str) -> pd.DataFrame:
    frame = counts[["year", "school_year", "denominator", indicator]].rename(
        columns={indicator: "count"})
    frame = frame.astype({"year": float, "denominator": float, "count": float})
    return frame.assign(failures=frame["denominator"] - frame["count"],
                        year6=(frame["school_year"] == "6").astype(float)).reset_index(drop=True)


def _combination(result, weights: dict[str, float], level: float) -> tuple[float, float, float,
                                                                            float]:
    """exp of a linear combination of coefficients, its CI and two-sided p-value."""
    names = list(result.params.index)
    w = np.array([weights.get(n, 0.0) for n in names])
    estimate = float(w @ result.params.to_numpy())
    se = float(np.sqrt(w @ result.cov_params().to_numpy() @ w))
    z = special.ndtri(0.5 + level / 2)
    p = float(2 * special.ndtr(-abs(estimate / se)))
    return np.exp(estimate), np.exp(estimate - z * se), np.exp(estimate + z * se), p


def trend_model(counts: pd.DataFrame, indicator: str = "excess_weight",
                confidence: float = 0.95) -> TrendModel:
    """Binomial GLM of a measure's prevalence: ``count + failures ~ year * year6``.

    ``counts`` are the area's (unsuppressed) :func:`bmi_counts` by year and school_year.
    ``year6`` is 1 for Year 6 and 0 for Reception, so ``year:year6`` is the year-by-school-year
    interaction: does the yearly change differ between Reception and Year 6? With one school
    year the model is ``count + failures ~ year``. It is fitted to the yearly counts (the same
    likelihood as the records, far faster). When the years vary more than a binomial model
    allows (Pearson dispersion above :data:`jsnalib.methods.models.DISPERSION_THRESHOLD` and
    significant at 5%), standard errors are scaled by the dispersion (quasi-binomial), as
    :func:`jsnalib.methods.models.binomial_trend` intends.

    Odds ratios (``odds_ratios``): the yearly change in each school year, the ratio of the two
    (the interaction) and Year 6 against Reception in the latest year, with confidence limits
    and p-values from the model's covariance (Wald).
    Reference: McCullagh and Nelder (1989) *Generalized Linear Models*, ch. 4 and 9.
    """
    if indicator not in INDICATORS:
        raise ValueError(f"indicator must be one of {', '.join(INDICATORS)}, got {indicator!r}")
    frame = _model_frame(counts, indicator)
    school_years = [s for s in SCHOOL_YEARS if s in set(frame["school_year"])]
    if frame["year"].nunique() < 3:
        raise ValueError("a trend needs at least three years of data")
    both = len(school_years) == 2
    formula = "count + failures ~ year * year6" if both else "count + failures ~ year"
    binomial = smf.glm(formula, data=frame, family=sm.families.Binomial()).fit()
    dispersion = float(binomial.pearson_chi2 / binomial.df_resid)
    dispersion_p = float(chi2.sf(binomial.pearson_chi2, binomial.df_resid))
    if dispersion > models.DISPERSION_THRESHOLD and dispersion_p < 0.05:
        # a numeric scale: statsmodels' scale="X2" mis-scales two-column binomial counts
        result = smf.glm(formula, data=frame, family=sm.families.Binomial()).fit(
            scale=dispersion)
        reason = (f"the yearly percentages vary more than a binomial model allows (Pearson "
                  f"dispersion {dispersion:.2f}, {_p_text(dispersion_p)}), so standard "
                  "errors were scaled by the dispersion (quasi-binomial)")
    else:
        result = binomial
        reason = f"binomial model; Pearson dispersion {dispersion:.2f} ({_p_text(dispersion_p)})"
    level = _level(confidence)
    latest = frame["year"].max()
    if both:
        specs = [
            ("Reception: change in the odds per year", {"year": 1}),
            ("Year 6: change in the odds per year", {"year": 1, "year:year6": 1}),
            ("Year 6 against Reception: ratio of the yearly changes (interaction)",
             {"year:year6": 1}),
            (f"Year 6 against Reception: odds in {academic_year_label(latest)}",
             {"year6": 1, "year:year6": latest}),
        ]
    else:
        specs = [(f"{SCHOOL_YEARS[school_years[0]]}: change in the odds per year", {"year": 1})]
    rows = []
    for term, weights in specs:
        ratio, lower, upper, p = _combination(result, weights, level)
        rows.append({"term": term, "odds_ratio": ratio, "lower": lower, "upper": upper,
                     "p_value": p})
    table = pd.DataFrame(rows)
    first = table.iloc[0]
    fit = models.TrendFit(result, "binomial", "year", first["odds_ratio"], first["lower"],
                          first["upper"], first["p_value"], dispersion, dispersion_p, reason,
                          confidence=level)
    return TrendModel(fit, indicator, school_years, frame, table, level)


def trend_reading(model: TrendModel) -> str:
    """Plain-English reading of the odds ratios of :func:`trend_model`."""
    label = _ci_label(model.confidence)
    what = INDICATORS[model.indicator].label.split(" (")[0].lower()
    parts = []
    for _, row in model.odds_ratios.iterrows():
        if "per year" not in row["term"]:
            continue
        school = row["term"].split(":")[0]
        change = (row["odds_ratio"] - 1) * 100
        if abs(change) < 0.05:
            moved = "changed by less than 0.1% a year"
        else:
            moved = f"{'rose' if change > 0 else 'fell'} by {abs(change):.1f}% a year"
        evidence = ("" if row["lower"] > 1 or row["upper"] < 1 else
                    ", which could be chance: the interval includes no change")
        parts.append(f"In {school}, the odds of {what} {moved} (odds ratio "
                     f"{row['odds_ratio']:.3f}, {label} {row['lower']:.3f} to "
                     f"{row['upper']:.3f}){evidence}.")
    interaction = model.odds_ratios[model.odds_ratios["term"].str.contains("interaction")]
    if len(interaction):
        p = float(interaction["p_value"].iloc[0])
        parts.append(f"The yearly change differs between Reception and Year 6 ({_p_text(p)})."
                     if p < 0.05 else
                     "There is no clear evidence that the yearly change differs between "
                     f"Reception and Year 6 ({_p_text(p)}).")
    parts.append(f"Model: {model.fit.reason}.")
    return " ".join(parts)


def project_prevalence(model: TrendModel, to_year: int, cohort: dict[str, float] | None = None,
                       n_sim: int = 20000, seed: int = 1) -> pd.DataFrame:
    """The fitted trend from the first observed year to ``to_year``, per school year.

    ``value`` is the modelled prevalence (percent); ``lower_ci``/``upper_ci`` its confidence
    interval (uncertainty in the trend); ``lower_pi``/``upper_pi`` a prediction interval for
    the percentage that would be *observed* in a year group of ``cohort[school_year]``
    children (default: the latest year's), adding year-to-year chance variation by seeded
    simulation: binomial, or beta-binomial with the model's dispersion when it is
    quasi-binomial. Assumes the trend on the log-odds scale continues unchanged.
    """
    data = model.data
    first, last = int(data["year"].min()), int(data["year"].max())
    if to_year <= last:
        raise ValueError(f"to_year must be after the last year of data ({last}), got {to_year}")
    years = np.arange(first, int(to_year) + 1)
    latest = data[data["year"] == last].set_index("school_year")["denominator"]
    frames = []
    for school_year in model.school_years:
        future = pd.DataFrame({"year": years.astype(float),
                               "year6": float(school_year == "6"),
                               "school_year": school_year})
        frames.append(future)
    future = pd.concat(frames, ignore_index=True)
    prediction = model.fit.result.get_prediction(future, which="linear")
    eta, se = np.asarray(prediction.predicted), np.asarray(prediction.se)
    z = special.ndtri(0.5 + model.confidence / 2)
    sizes = np.array([(cohort or {}).get(s, latest.get(s, np.nan)) for s in
                      future["school_year"]], dtype=float)
    rng = np.random.default_rng(seed)
    p = special.expit(eta[None, :] + se[None, :] * rng.standard_normal((n_sim, len(eta))))
    phi = max(1.0, float(model.fit.result.scale))
    n = np.round(sizes).astype(np.int64)
    if phi > 1:
        rho = np.clip((phi - 1) / np.maximum(n - 1, 1), 1e-9, 1 - 1e-9)
        p = rng.beta(p * (1 / rho - 1), (1 - p) * (1 / rho - 1))
    observed = rng.binomial(n[None, :], p) / n[None, :] * 100
    tail = (1 - model.confidence) / 2
    return pd.DataFrame({
        "school_year": future["school_year"],
        "year": future["year"].astype(int),
        "academic_year": [academic_year_label(y) for y in future["year"]],
        "projected": future["year"] > last,
        "value": special.expit(eta) * 100,
        "lower_ci": special.expit(eta - z * se) * 100,
        "upper_ci": special.expit(eta + z * se) * 100,
        "lower_pi": np.quantile(observed, tail, axis=0),
        "upper_pi": np.quantile(observed, 1 - tail, axis=0),
        "cohort": n,
    })


def projection_reading(projection: pd.DataFrame, model: TrendModel) -> str:
    """Sentences on the projected prevalence in the final year, per school year, flagging a
    poor fit (Pearson dispersion above :data:`POOR_FIT_DISPERSION`)."""
    end = projection[projection["year"] == projection["year"].max()]
    first = academic_year_label(model.data["year"].min())
    label = _ci_label(model.confidence)
    what = INDICATORS[model.indicator].label.split(" (")[0].lower()
    parts = [f"If the trend since {first} continues unchanged:"]
    for _, row in end.iterrows():
        parts.append(
            f"{_pct(row['value'])} of {SCHOOL_YEARS[row['school_year']]} children would have "
            f"{what} in {row['academic_year']} ({label} for the trend {_pct(row['lower_ci'])} "
            f"to {_pct(row['upper_ci'])}; allowing for chance variation in a year group of "
            f"{int(row['cohort']):,} children, {_pct(row['lower_pi'])} to "
            f"{_pct(row['upper_pi'])}).")
    dispersion = float(model.fit.dispersion)
    if dispersion > POOR_FIT_DISPERSION:
        parts.append(f"The model fits poorly (the years vary {dispersion:.1f} times as much as "
                     "chance alone would explain); treat the projection with caution.")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# deprivation
# --------------------------------------------------------------------------------------------

def deprivation_gradient(ncmp: NCMPExtract, pooled_years: int = 3,
                         confidence: float = 0.95) -> pd.DataFrame:
    """Prevalence by IMD decile (1 = most deprived) and school year, for the latest
    ``pooled_years`` academic years pooled, disclosure-protected, for the page's area.

    Columns: period, school_year, imd_decile, indicator, count, denominator, value, lower,
    upper.
    """
    records = _latest_years(ncmp.records, pooled_years)
    keys = ["school_year", "imd_decile"]
    counts = family_counts(ncmp, keys, records)
    sums = [["area_code", "school_year"], *_area_sums(ncmp, keys)]
    table = prevalence(_own(ncmp, protect_counts(counts, sums)), confidence)
    table.insert(0, "period", _period(records))
    order = {"school_year": list(SCHOOL_YEARS), "indicator": list(INDICATORS)}
    return _sorted(table, ["school_year", "indicator", "imd_decile"], order)


def _latest_years(records: pd.DataFrame, pooled_years: int) -> pd.DataFrame:
    if int(pooled_years) < 1:
        raise ValueError(f"pooled_years must be 1 or more, got {pooled_years}")
    chosen = sorted(records["year"].unique())[-int(pooled_years):]
    return records[records["year"].isin(chosen)]


def _period(records: pd.DataFrame) -> str:
    first, last = records["year"].min(), records["year"].max()
    return academic_year_label(first) + ("" if first == last else
                                         f" to {academic_year_label(last)}")


def inequality(ncmp: NCMPExtract, indicator: str = "excess_weight", pooled_years: int = 3,
               confidence: float = 0.95) -> pd.DataFrame:
    """Slope and relative index of inequality across IMD deciles, per school year.

    From the area's own (unsuppressed) decile counts over the latest ``pooled_years`` years:
    :func:`jsnalib.methods.stats.sii` with Wilson limits, ``value_type="proportion"`` and multiplier
    -100, so the SII is in percentage points and positive when the measure is higher in the
    most deprived areas (the modelled gap between the most and least deprived ends) and the
    RII is most deprived / least deprived. Needs at least 5 deciles with children and with
    0 < count < children in each; otherwise the row says why not.
    Reference: Low and Low (2004); PHE SII guidance; PHEindicatormethods phe_sii.
    """
    records = _latest_years(ncmp.area_records, pooled_years)
    counts = bmi_counts(records, ["school_year", "imd_decile"])
    level = _level(confidence)
    rows = []
    for school_year in [s for s in SCHOOL_YEARS if s in set(counts["school_year"])]:
        part = counts[counts["school_year"] == school_year]
        usable = part[(part[indicator] > 0) & (part[indicator] < part["denominator"])]
        row = {"school_year": school_year, "deciles": len(usable),
               "sii": np.nan, "sii_lower": np.nan, "sii_upper": np.nan,
               "rii": np.nan, "rii_lower": np.nan, "rii_upper": np.nan, "note": ""}
        if len(usable) < 5 or len(usable) < len(part):
            row["note"] = ("not calculated: fewer than 5 deciles have children measured"
                           if len(part) < 5 else
                           "not calculated: a decile has no children, or all children, with "
                           "this measure")
        else:
            lower, upper = stats.wilson_ci(usable[indicator], usable["denominator"], 0.95)
            result = stats.sii(usable["imd_decile"], usable["denominator"],
                               usable[indicator] / usable["denominator"], lower, upper,
                               value_type="proportion", multiplier=-100, confidence=level)
            row.update(result.to_dict())
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(0, "period", _period(records))
    return out


def gradient_line(ncmp: NCMPExtract, school_year: str, indicator: str = "excess_weight",
                  pooled_years: int = 3) -> pd.DataFrame:
    """The population-weighted straight line behind the SII at each decile (for the chart):
    weighted least squares of the area's prevalence (percent) on the relative rank, weights =
    the deciles' shares of the children measured, as in :func:`jsnalib.methods.stats.sii`."""
    records = _latest_years(ncmp.area_records, pooled_years)
    part = bmi_counts(records[records["school_year"] == school_year], ["imd_decile"])
    if len(part) < 2:
        return pd.DataFrame({"imd_decile": part["imd_decile"], "value": np.nan})
    share = part["denominator"].to_numpy(float) / part["denominator"].sum()
    rank = np.cumsum(share) - share / 2
    value = part[indicator].to_numpy(float) / part["denominator"].to_numpy(float) * 100
    slope, intercept = np.polyfit(rank, value, 1, w=np.sqrt(share))
    return pd.DataFrame({"imd_decile": part["imd_decile"].to_numpy(),
                         "value": intercept + slope * rank})


def inequality_reading(table: pd.DataFrame, indicator: str = "excess_weight",
                       confidence: float = 0.95) -> str:
    """Sentences on the SII/RII per school year."""
    what = INDICATORS[indicator].label.split(" (")[0].lower()
    label = _ci_label(confidence)
    parts = []
    for _, row in table.iterrows():
        school = SCHOOL_YEARS[row["school_year"]]
        if pd.isna(row["sii"]):
            parts.append(f"{school}: the inequality index was {row['note']}.")
            continue
        if row["sii_lower"] > 0:
            gist = "higher in more deprived areas"
        elif row["sii_upper"] < 0:
            gist = "lower in more deprived areas"
        else:
            gist = "not clearly different between more and less deprived areas"
        parts.append(
            f"{school}: {what} is {gist}. The modelled gap between the most and least deprived "
            f"ends is {row['sii']:.1f} percentage points ({label} {row['sii_lower']:.1f} to "
            f"{row['sii_upper']:.1f}); the most deprived end has {row['rii']:.2f} times the "
            f"prevalence of the least deprived ({label} {row['rii_lower']:.2f} to "
            f"{row['rii_upper']:.2f}).")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# the same year group from Reception to Year 6
# --------------------------------------------------------------------------------------------

def difference_ci(numerator1: object, denominator1: object, numerator2: object,
                  denominator2: object, confidence: float = 0.95) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Confidence interval for the difference of two independent proportions, p2 - p1.

    Newcombe's hybrid score interval (method 10) from the Wilson intervals (l1, u1), (l2, u2):
    ``d - sqrt((p2 - l2)^2 + (u1 - p1)^2)`` to ``d + sqrt((u2 - p2)^2 + (p1 - l1)^2)``.
    Returns (lower, upper) as proportions (-1 to 1). Reference: Newcombe RG. Interval
    estimation for the difference between independent proportions: comparison of eleven
    methods. Stat Med 1998;17:873-890.
    """
    l1, u1 = stats.wilson_ci(numerator1, denominator1, confidence)
    l2, u2 = stats.wilson_ci(numerator2, denominator2, confidence)
    p1 = np.asarray(numerator1, dtype=float) / np.asarray(denominator1, dtype=float)
    p2 = np.asarray(numerator2, dtype=float) / np.asarray(denominator2, dtype=float)
    l1, u1, l2, u2 = (np.asarray(v, dtype=float) for v in (l1, u1, l2, u2))
    d = p2 - p1
    return (d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
            d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))


def cohort_change(table: pd.DataFrame, indicator: str = "excess_weight",
                  confidence: float = 0.95) -> pd.DataFrame:
    """The year group in Reception in year Y against the same year group in Year 6 in Y + 6.

    ``table`` is :func:`prevalence_table` (all children rows are used). The two measurements
    are of the same cohort of children but are not linked child by child, so they are treated
    as independent samples (Newcombe's interval, :func:`difference_ci`; slightly conservative
    for a cohort that is largely the same children). Columns: reception_year, year6_year,
    reception_* and year6_* (count, denominator, value, lower, upper), change (percentage
    points), change_lower, change_upper.
    """
    rows = table[(table["sex"] == "persons") & (table["indicator"] == indicator)]
    fields = ["year", "count", "denominator", "value", "lower", "upper"]
    start = rows[rows["school_year"] == "R"][fields].add_prefix("reception_")
    end = rows[rows["school_year"] == "6"][fields].add_prefix("year6_")
    start["year6_year"] = start["reception_year"] + COHORT_GAP
    out = start.merge(end, on="year6_year").reset_index(drop=True)
    ok = out[["reception_count", "reception_denominator", "year6_count",
              "year6_denominator"]].notna().all(axis=1).to_numpy()
    lower = np.full(len(out), np.nan)
    upper = np.full(len(out), np.nan)
    if ok.any():
        lo, hi = difference_ci(out.loc[ok, "reception_count"].to_numpy(float),
                               out.loc[ok, "reception_denominator"].to_numpy(float),
                               out.loc[ok, "year6_count"].to_numpy(float),
                               out.loc[ok, "year6_denominator"].to_numpy(float), confidence)
        lower[ok], upper[ok] = lo * 100, hi * 100
    out["change"] = out["year6_value"] - out["reception_value"]
    out["change_lower"], out["change_upper"] = lower, upper
    out.insert(1, "reception_academic_year",
               [academic_year_label(y) for y in out["reception_year"]])
    out.insert(2, "year6_academic_year", [academic_year_label(y) for y in out["year6_year"]])
    return out


def cohort_reading(cohorts: pd.DataFrame, indicator: str = "excess_weight",
                   confidence: float = 0.95) -> str:
    """Sentences on the latest cohort and the range of changes across cohorts."""
    if cohorts.empty:
        return ("No year group was measured both in Reception and, six years later, in Year 6 "
                "within the years shown.")
    what = INDICATORS[indicator].label.split(" (")[0].lower()
    last = cohorts.iloc[-1]
    label = _ci_label(confidence)
    text = (f"Of the year group in Reception in {last['reception_academic_year']}, "
            f"{_pct(last['reception_value'])} had {what}; six years later, in Year 6 in "
            f"{last['year6_academic_year']}, {_pct(last['year6_value'])} did: a change of "
            f"{_num(last['change'])} percentage points ({label} {_num(last['change_lower'])} to "
            f"{_num(last['change_upper'])}).")
    changes = cohorts["change"].dropna()
    if len(changes) > 1:
        rising = int((cohorts["change_lower"] > 0).sum())
        text += (f" Across the {len(changes)} year groups followed, the change ranged from "
                 f"{changes.min():.1f} to {changes.max():.1f} percentage points; in {rising} of "
                 "them the rise was larger than chance alone would explain.")
    return text


# --------------------------------------------------------------------------------------------
# published figures
# --------------------------------------------------------------------------------------------

def published_measure(indicator_text: str, unit: str) -> tuple[str, str, str] | None:
    """(school_year, indicator, "percent" | "count") of a published figure's wording, or None.

    "Reception: overweight or obese", "Year 6: overweight including obese" and "excess
    weight" -> excess weight; "Reception: very overweight (obese)" or "obese (very
    overweight)" -> obese; "Year 6: obese children" with unit "children" -> a count of obese
    children.
    """
    text = str(indicator_text).lower()
    school_year = "R" if "reception" in text else "6" if re.search(r"year\s*6", text) else None
    if school_year is None:
        return None
    if "excess weight" in text or re.search(r"overweight,?\s*\(?(or|including|incl\.?)\s+obes",
                                            text):
        indicator = "excess_weight"
    elif "severe" in text:
        indicator = "severely_obese"
    elif "obes" in text or "very overweight" in text:
        indicator = "obese"
    elif "underweight" in text:
        indicator = "underweight"
    else:
        return None
    kind = "percent" if "percent" in str(unit).lower() or str(unit).strip() == "%" else "count"
    return school_year, indicator, kind


def published_year(period: str) -> int | None:
    """Start year of the academic year a period names ("2014/15", "not stated (c. 2018/19)",
    "2013/2014"), or None when it names none."""
    match = re.search(r"(\d{4})\s*[/-]\s*(\d{2,4})", str(period))
    if not match:
        return None
    first, second = int(match[1]), int(match[2][-2:])
    return first if (first + 1) % 100 == second else None


def published_checks(published: pd.DataFrame, table: pd.DataFrame,
                     confidence: float = 0.95) -> pd.DataFrame:
    """Each published figure beside the same figure from this data, with its interval.

    ``published`` rows (read_published_figures, already for this area); ``table`` is
    :func:`prevalence_table`. For a percentage the interval is the Wilson interval; for a count
    of children it is that interval times the children measured, and the reading also gives the
    percentage the published count would be of them (a count depends on how many children were
    measured, which documents rarely say). ``within`` says whether the published value lies
    inside the interval. Figures the data cannot reproduce (another measure, or a
    year not in the data) are listed with ``reading`` explaining why.
    """
    rows = []
    persons = table[table["sex"] == "persons"].set_index(["year", "school_year", "indicator"])
    label = _ci_label(confidence)
    for _, fig in published.iterrows():
        measure = published_measure(fig["indicator"], fig["unit"])
        year = published_year(fig["period"])
        row = {"figure_id": fig["figure_id"], "indicator": fig["indicator"],
               "period": fig["period"], "published": float(fig["value"]),
               "unit": fig["unit"], "school_year": None, "year": year,
               "value": np.nan, "lower": np.nan, "upper": np.nan, "within": pd.NA,
               "source": fig["source"]}
        key = None if measure is None or year is None else (year, measure[0], measure[1])
        if key is None or key not in persons.index:
            why = ("the period names no academic year" if year is None else
                   "it is not a measure this page computes" if measure is None else
                   f"{academic_year_label(year)} is not in the data shown")
            row["reading"] = f"published {fig['value']:g} {fig['unit']}; not reproduced: {why}"
            rows.append(row)
            continue
        school_year, _, kind = measure
        found = persons.loc[key]
        scale = 1.0 if kind == "percent" else float(found["denominator"]) / 100
        value = found["value"] * scale if kind == "percent" else found["count"]
        lower, upper = found["lower"] * scale, found["upper"] * scale
        within = bool(lower <= fig["value"] <= upper) if pd.notna(lower) else pd.NA
        row.update(school_year=school_year, value=value, lower=lower, upper=upper,
                   within=within)
        if kind == "percent":
            row["reading"] = (f"published {fig['value']:.1f}%, this data {value:.1f}% "
                              f"({label} {lower:.1f}-{upper:.1f})")
        else:
            row["reading"] = (f"published {fig['value']:,.0f} {fig['unit']}, this data "
                              f"{count_text(value)} ({label} {lower:,.0f}-{upper:,.0f})")
        row["reading"] += ("" if within is pd.NA else
                           ": within the interval" if within else ": outside the interval")
        if kind == "count" and pd.notna(found["denominator"]):
            share = fig["value"] / found["denominator"] * 100
            row["reading"] += (f" ({fig['value']:,.0f} would be {share:.1f}% of the "
                               f"{found['denominator']:,.0f} children measured here)")
        rows.append(row)
    columns = ["figure_id", "indicator", "period", "published", "unit", "school_year", "year",
               "value", "lower", "upper", "within", "reading", "source"]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------------------------
# charts (house style: jsnalib.report.plots)
# --------------------------------------------------------------------------------------------

@dataclass
class Chart:
    """A figure, its alt text and the data behind it (for the CSV download)."""

    fig: Figure
    alt: str
    data: pd.DataFrame


def trend_chart(table: pd.DataFrame, ncmp: NCMPExtract, checks: pd.DataFrame,
                school_year: str) -> Chart:
    """Excess weight and obesity by year for one school year: the area and England, with the
    published figures as diamonds."""
    area = ncmp.area_name
    rows = table[(table["sex"] == "persons") & (table["school_year"] == school_year)
                 & table["indicator"].isin(["excess_weight", "obese"])]
    local = rows.assign(series=rows["indicator"].map(
        {"excess_weight": f"{area}: excess weight", "obese": f"{area}: obese"}))
    england = ncmp.england[(ncmp.england["school_year"] == school_year)
                           & ncmp.england["indicator"].isin(["excess_weight", "obese"])
                           & ncmp.england["year"].isin(rows["year"])]
    if not england.empty:
        lower, upper = stats.wilson_ci(england["count"], england["denominator"])
        england = england.assign(
            lower=np.asarray(lower) * 100, upper=np.asarray(upper) * 100,
            series=england["indicator"].map({"excess_weight": "England: excess weight",
                                             "obese": "England: obese"}))
    columns = ["academic_year", "series", "count", "denominator", "value", "lower", "upper"]
    england = england.assign(academic_year=[academic_year_label(y) for y in england["year"]])
    # the area's series first, so that it takes the house palette's first colours
    data = pd.concat([local.sort_values(["indicator", "year"], ascending=[True, True])[columns],
                      england.sort_values(["indicator", "year"]).reindex(columns=columns)],
                     ignore_index=True)
    shown = checks[(checks["school_year"] == school_year)
                   & (checks["unit"].str.lower().str.contains("percent"))
                   & checks["year"].isin(rows["year"])]
    published = pd.DataFrame({"x": [academic_year_label(y) for y in shown["year"]],
                              "value": shown["published"].to_numpy(float),
                              "label": [f"published {v:.1f}%" for v in shown["published"]]})
    fig, alt = house.trend_chart(
        data, x="academic_year", value="value", lower="lower", upper="upper", series="series",
        title=f"{SCHOOL_YEARS[school_year]}: excess weight and obesity\n{area} and England",
        ylabel="Children (%)", xlabel="Academic year", published=published)
    fig.axes[0].legend(loc="lower center", ncol=3, fontsize=7)  # below the lines, not over them
    return Chart(fig, alt.replace("\n", ", "), data)


def projection_chart(projection: pd.DataFrame, table: pd.DataFrame, model: TrendModel,
                     area_name: str) -> Chart:
    """Observed prevalence (points with intervals), the fitted trend and its projection with
    confidence (darker) and prediction (lighter) bands, one colour per school year."""
    fig, ax = house.plt.subplots()
    observed = table[(table["sex"] == "persons") & (table["indicator"] == model.indicator)]
    what = INDICATORS[model.indicator].label.split(" (")[0].lower()
    for i, school_year in enumerate(model.school_years):
        colour = house.PALETTE[i]
        fitted = projection[projection["school_year"] == school_year]
        future = fitted[fitted["projected"]]
        obs = observed[observed["school_year"] == school_year]
        name = SCHOOL_YEARS[school_year]
        ax.errorbar(obs["year"], obs["value"],
                    yerr=np.vstack([obs["value"] - obs["lower"], obs["upper"] - obs["value"]]),
                    fmt="o", ms=3, color=colour, capsize=2, label=f"{name}: observed")
        ax.plot(fitted["year"], fitted["value"], color=colour, lw=1.5,
                label=f"{name}: modelled trend")
        ax.fill_between(future["year"], future["lower_pi"], future["upper_pi"], color=colour,
                        alpha=0.12, linewidth=0, label=f"{name}: prediction interval")
        ax.fill_between(future["year"], future["lower_ci"], future["upper_ci"], color=colour,
                        alpha=0.3, linewidth=0, label=f"{name}: {_ci_label(model.confidence)} "
                                                      "for the trend")
    last = int(model.data["year"].max())
    ax.axvline(last + 0.5, color="grey", lw=1, ls="--")
    ticks = projection["year"].unique()[::-2][::-1]  # every other year, ending on the last
    ax.set_xticks(ticks, [academic_year_label(y) for y in ticks], rotation=45)
    end = academic_year_label(projection["year"].max())
    ax.set_title(f"{INDICATORS[model.indicator].label.split(' (')[0]}: trend and projection "
                 f"to {end}\n{area_name}")
    ax.set_xlabel("Academic year (dashed line: end of data)")
    ax.set_ylabel("Children (%)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", fontsize=7, ncol=2)
    fig.tight_layout()
    ends = projection[projection["year"] == projection["year"].max()]
    alt = (f"Chart: {what} by academic year with a modelled trend projected to {end}. " +
           "; ".join(f"{SCHOOL_YEARS[r['school_year']]}: {r['value']:.1f}% in {end} "
                     f"(prediction interval {r['lower_pi']:.1f}% to {r['upper_pi']:.1f}%)"
                     for _, r in ends.iterrows()) + ".")
    data = projection.merge(
        observed[["year", "school_year", "count", "denominator", "value", "lower", "upper"]]
        .rename(columns={"value": "observed", "lower": "observed_lower",
                         "upper": "observed_upper"}),
        on=["year", "school_year"], how="left")
    return Chart(fig, alt, data)


def gradient_chart(gradient: pd.DataFrame, ncmp: NCMPExtract, school_year: str,
                   indicator: str = "excess_weight", pooled_years: int = 3) -> Chart:
    """Prevalence by IMD decile with intervals and the SII line, for one school year."""
    part = gradient[(gradient["school_year"] == school_year)
                    & (gradient["indicator"] == indicator)].sort_values("imd_decile")
    shown = part.dropna(subset=["value"])
    what = INDICATORS[indicator].label.split(" (")[0].lower()
    fitted = gradient_line(ncmp, school_year, indicator, pooled_years)
    fitted = fitted[fitted["imd_decile"].isin(shown["imd_decile"])]
    fig, alt = house.gradient_chart(
        shown, group="imd_decile", value="value", lower="lower", upper="upper",
        title=f"{SCHOOL_YEARS[school_year]}: {what} by deprivation decile\n"
              f"{ncmp.area_name}, {part['period'].iloc[0]}",
        xlabel="IMD decile of home area (1 = most deprived)", ylabel="Children (%)",
        fitted=fitted)
    return Chart(fig, alt.replace("\n", ", "), part.drop(columns=["school_year"]))


def cohort_chart(cohorts: pd.DataFrame, area_name: str,
                 indicator: str = "excess_weight") -> Chart:
    """Each year group's prevalence in Reception and six years later in Year 6."""
    what = INDICATORS[indicator].label.split(" (")[0].lower()
    frames = []
    for stage, label in (("reception", "In Reception"), ("year6", "In Year 6, six years later")):
        frames.append(pd.DataFrame({
            "cohort": cohorts["reception_academic_year"],
            "series": label,
            "measured_in": cohorts[f"{stage}_academic_year"] if stage == "year6"
            else cohorts["reception_academic_year"],
            **{k: cohorts[f"{stage}_{k}"] for k in ("count", "denominator", "value", "lower",
                                                     "upper")},
        }))
    data = pd.concat(frames, ignore_index=True)
    fig, alt = house.trend_chart(
        data, x="cohort", value="value", lower="lower", upper="upper", series="series",
        title=f"The same year groups in Reception and in Year 6: {what}\n{area_name}",
        ylabel="Children (%)", xlabel="Year group, by the academic year it was in Reception")
    return Chart(fig, alt.replace("\n", ", "), data)


# --------------------------------------------------------------------------------------------
# tables for the page
# --------------------------------------------------------------------------------------------

def _safe(frame: pd.DataFrame, counts: Sequence[str]) -> pd.DataFrame:
    """The last check before a table of record-derived counts reaches the page."""
    return disclosure.assert_disclosure_safe(frame, [c for c in counts if c in frame.columns])


def _p_value(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def display_prevalence(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Reader-facing columns for :func:`prevalence_table` rows (labels, not codes)."""
    label = _ci_label(confidence)
    out = pd.DataFrame({
        "Year": table["academic_year"],
        "School year": table["school_year"].map(SCHOOL_YEARS),
        "Children": table["sex"].map(SEXES),
        "Measure": table["indicator"].map(lambda k: INDICATORS[k].label),
        "Number": table["count"],
        "Measured": table["denominator"],
        "%": table["value"],
        f"{label} lower": table["lower"],
        f"{label} upper": table["upper"],
        "England %": table["england"],
        "Compared with England": table["comparison"],
    })
    return _safe(out, ["Number", "Measured"])


def display_exclusions(table: pd.DataFrame) -> pd.DataFrame:
    """Reader-facing :func:`exclusions`: reason, rule applied and records by school year."""
    out = table.drop(columns="reason").rename(columns={
        "description": "Reason (rule applied)", "All": "All records",
        "percent": "% of records measured"})
    out["Reason (rule applied)"] = out["Reason (rule applied)"].where(
        table["reason"] != "implausible", "Excluded for any of the reasons above")
    return _safe(out, ["Reception", "Year 6", "All records"])


def display_odds_ratios(model: TrendModel) -> pd.DataFrame:
    """Reader-facing odds ratios of :func:`trend_model`."""
    label = _ci_label(model.confidence)
    table = model.odds_ratios
    return pd.DataFrame({"Comparison": table["term"], "Odds ratio": table["odds_ratio"],
                         f"{label} lower": table["lower"], f"{label} upper": table["upper"],
                         "p-value": [_p_value(p) for p in table["p_value"]]})


def display_projection(projection: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Reader-facing projected years of :func:`project_prevalence`."""
    label = _ci_label(confidence)
    future = projection[projection["projected"]]
    return pd.DataFrame({
        "School year": future["school_year"].map(SCHOOL_YEARS),
        "Year": future["academic_year"], "Projected %": future["value"],
        f"{label} lower (trend)": future["lower_ci"], f"{label} upper (trend)": future["upper_ci"],
        "Prediction interval lower": future["lower_pi"],
        "Prediction interval upper": future["upper_pi"],
        "Year group size assumed": future["cohort"]}).reset_index(drop=True)


def display_gradient(gradient: pd.DataFrame, indicator: str = "excess_weight",
                     confidence: float = 0.95) -> pd.DataFrame:
    """Reader-facing :func:`deprivation_gradient` rows of one measure."""
    label = _ci_label(confidence)
    part = gradient[gradient["indicator"] == indicator]
    out = pd.DataFrame({
        "Years": part["period"], "School year": part["school_year"].map(SCHOOL_YEARS),
        "IMD decile (1 = most deprived)": part["imd_decile"], "Number": part["count"],
        "Measured": part["denominator"], "%": part["value"], f"{label} lower": part["lower"],
        f"{label} upper": part["upper"]}).reset_index(drop=True)
    return _safe(out, ["Number", "Measured"])


def display_inequality(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Reader-facing :func:`inequality`."""
    label = _ci_label(confidence)
    return pd.DataFrame({
        "Years": table["period"], "School year": table["school_year"].map(SCHOOL_YEARS),
        "Deciles": table["deciles"],
        "SII (percentage points)": table["sii"], f"SII {label} lower": table["sii_lower"],
        f"SII {label} upper": table["sii_upper"], "RII": table["rii"],
        f"RII {label} lower": table["rii_lower"], f"RII {label} upper": table["rii_upper"],
        "Note": table["note"]})


def display_cohorts(cohorts: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Reader-facing :func:`cohort_change`."""
    label = _ci_label(confidence)
    out = pd.DataFrame({
        "In Reception": cohorts["reception_academic_year"],
        "Reception: number": cohorts["reception_count"],
        "Reception: measured": cohorts["reception_denominator"],
        "Reception %": cohorts["reception_value"],
        "In Year 6": cohorts["year6_academic_year"],
        "Year 6: number": cohorts["year6_count"],
        "Year 6: measured": cohorts["year6_denominator"],
        "Year 6 %": cohorts["year6_value"],
        "Change (percentage points)": cohorts["change"],
        f"Change {label} lower": cohorts["change_lower"],
        f"Change {label} upper": cohorts["change_upper"]})
    return _safe(out, ["Reception: number", "Reception: measured", "Year 6: number",
                       "Year 6: measured"])


def display_checks(checks: pd.DataFrame) -> pd.DataFrame:
    """Reader-facing :func:`published_checks`."""
    return pd.DataFrame({"Published figure": checks["indicator"], "Period": checks["period"],
                         "Comparison": checks["reading"], "Source": checks["source"]})


#: Number formats for the page's tables, by column name (see :func:`formats`).
_FORMATS = {"Number": "{:,.0f}", "Measured": "{:,.0f}", "%": "{:.1f}", "England %": "{:.1f}",
            "Reception": "{:,.0f}", "Year 6": "{:,.0f}", "All records": "{:,.0f}",
            "% of records measured": "{:.2f}", "Odds ratio": "{:.3f}", "Projected %": "{:.1f}",
            "Prediction interval lower": "{:.1f}", "Prediction interval upper": "{:.1f}",
            "Year group size assumed": "{:,.0f}", "SII (percentage points)": "{:.1f}",
            "RII": "{:.2f}", "Reception: number": "{:,.0f}", "Reception: measured": "{:,.0f}",
            "Year 6: number": "{:,.0f}", "Year 6: measured": "{:,.0f}", "Reception %": "{:.1f}",
            "Year 6 %": "{:.1f}", "Change (percentage points)": "{:.1f}"}


def formats(table: pd.DataFrame) -> dict[str, str]:
    """Format strings for the columns of a ``display_*`` table (for jsnalib.report.display.table)."""
    out = {}
    for column in table.columns:
        if column in _FORMATS:
            out[column] = _FORMATS[column]
        elif " CI " in column or column.endswith("CI lower") or column.endswith("CI upper"):
            decimals = 3 if "Odds ratio" in table.columns else 2 if column.startswith("RII") \
                else 1
            out[column] = f"{{:.{decimals}f}}"
    return out


NOT_SHOWN = ("A dash (–) marks a figure not shown: a count of 1 to 4, or one from which such a "
             "count could be worked out.")
