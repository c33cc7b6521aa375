"""The childhood obesity page's statistics: numbers, tables and verdicts, no sentences.

- :func:`prevalence_table`: children measured and in each weight category by year, school year
  and sex, with Wilson score intervals (NHS England NCMP methods; APHO Technical Briefing 3)
  and the better/similar/worse judgement against England (:func:`compare_with_england`);
- :func:`exclusions`: records left out, by reason;
- :func:`trend_model`: binomial GLM ``excess weight ~ year * school year`` fitted by
  :func:`jsnalib.methods.models.binomial_trend`, with odds ratios; :func:`project_prevalence`
  extends it with confidence and prediction intervals;
- :func:`deprivation_gradient` and :func:`inequality`: prevalence by IMD decile with the slope
  and relative indices of inequality (:func:`jsnalib.methods.stats.sii`);
- :func:`cohort_change`: the year group measured in Reception in year Y and in Year 6 in Y + 6,
  with Newcombe's interval for the change (:func:`difference_ci`);
- :func:`published_checks`: the published local figures against the same figure from the data.

Every table of counts leaves through :func:`protect`, which applies
:mod:`jsnalib.methods.disclosure` to all the ways the page's figures add up (boys + girls = all
children; districts = the county; deciles = the whole area), so no count of 1 to 4 can be read
or worked out.

Units: prevalence in percent (0-100) of children with a valid measurement; years are the
calendar year an academic year starts in (2018 = 2018/19).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from jsnalib.indicators.ncmp import (
    _FLAG_COLUMNS,
    COUNT_COLUMNS,
    INDICATORS,
    bmi_counts,
    fingertips_measure,
)
from jsnalib.inputs.periods import academic_year_in_text, academic_year_label, start_year
from jsnalib.methods import disclosure, growth, models, stats
from jsnalib.methods.confidence import level as _level

from .load import SCHOOL_YEARS, SEXES, Inputs

#: Years between Reception and Year 6: the same year group is measured again six years later.
COHORT_GAP = 6
#: Pearson dispersion (chi-square / residual df) above which a projection is flagged as resting
#: on a poorly fitting trend model (1 is what chance alone gives).
POOR_FIT_DISPERSION = 1.5
#: A yearly change in the odds smaller than this (percent) is read as no change.
NO_CHANGE_PERCENT = 0.05
#: Significance level of the test that the yearly change differs between school years.
ALPHA = 0.05


# --------------------------------------------------------------------------------------------
# the results
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendModel:
    """A binomial GLM of a measure over years, by school year (:func:`trend_model`).

    ``odds_ratios`` has one row per comparison: ``term`` (a key, see :func:`trend_model`),
    ``school_year``, ``odds_ratio``, ``lower``, ``upper``, ``p_value``, ``percent_change``
    (the odds ratio as a percentage change, e.g. 1.2 for 1.012) and the verdicts
    ``direction`` ("rising", "falling", "no clear change": the point estimate) and
    ``evidence`` ("clear", "could be chance": whether the interval excludes 1; for the
    interaction, whether its p-value is below :data:`ALPHA`).
    """

    fit: models.TrendFit
    indicator: str
    school_years: list[str]
    data: pd.DataFrame
    odds_ratios: pd.DataFrame
    confidence: float

    @property
    def formula(self) -> str:
        """The model formula as fitted, e.g. ``count + _failures ~ year + year6 + year:year6``."""
        return str(self.fit.result.model.formula)

    @property
    def kind(self) -> str:
        """"quasi-binomial" when standard errors were scaled by the dispersion, else "binomial"."""
        return "quasi-binomial" if float(self.fit.result.scale) != 1.0 else "binomial"

    @property
    def fit_verdict(self) -> str:
        """"poor fit" when the Pearson dispersion exceeds :data:`POOR_FIT_DISPERSION`, else "ok"."""
        return "poor fit" if float(self.fit.dispersion) > POOR_FIT_DISPERSION else "ok"


@dataclass(frozen=True)
class Results:
    """Everything the page shows, as numbers, tables and verdicts.

    Tables (percent unless named otherwise): ``table`` (:func:`prevalence_table`, every year),
    ``england`` (:func:`england_benchmarks` with 95% Wilson limits), ``exclusions`` and
    ``exclusion_reasons`` (:func:`exclusions`), ``checks`` (:func:`published_checks`),
    ``projection`` (:func:`project_prevalence`), ``gradient`` (:func:`deprivation_gradient`),
    ``gradient_lines`` (:func:`gradient_line` for each school year), ``inequality``
    (:func:`inequality`) and ``cohorts`` (:func:`cohort_change`). ``model`` is the trend model,
    kept whole. ``measured`` is the number of the area's records; ``confidence`` the level
    (0-1); ``indicator`` the measure modelled (``excess_weight``). ``records_available`` is
    False when the area has no NCMP records (``Inputs.records_missing``): every table is then
    empty and ``model`` None, and the page says what is missing. ``fingertips`` is
    :func:`fingertips_checks`: the latest obesity Fingertips publishes for the area beside the
    records' figure (``synthetic``: whether the records are the synthetic default).
    """

    area_code: str
    area_name: str
    confidence: float
    school_years: list[str]
    measured: int
    indicator: str
    table: pd.DataFrame
    england: pd.DataFrame
    exclusions: pd.DataFrame
    exclusion_reasons: pd.DataFrame
    checks: pd.DataFrame
    model: TrendModel | None
    projection: pd.DataFrame
    gradient: pd.DataFrame
    gradient_lines: pd.DataFrame
    inequality: pd.DataFrame
    cohorts: pd.DataFrame
    fingertips: pd.DataFrame
    records_available: bool = True


def has_records(results: object) -> bool:
    """Whether the page's figures come from records (``Results.records_available``); results
    made by hand without that field (as in tests) are taken to have them."""
    return bool(getattr(results, "records_available", True))


def analyse(inputs: Inputs, confidence: float = 0.95, projection_year: str = "2029/30",
            pooled_years: int = 3, indicator: str = "excess_weight") -> Results:
    """Every statistic of the page for ``inputs`` (see :class:`Results`).

    ``confidence`` is the level of every interval (0.95 or 95); ``projection_year`` the academic
    year the trend is projected to ("2029/30"); ``pooled_years`` the number of latest years
    pooled for the deprivation figures; ``indicator`` the measure modelled and compared by
    deprivation and cohort.
    """
    level = _level(confidence)
    if inputs.records_missing:
        empty = pd.DataFrame()
        return Results(
            area_code=inputs.area_code, area_name=inputs.area_name, confidence=level,
            school_years=[], measured=0, indicator=indicator, table=empty, england=empty,
            exclusions=empty, exclusion_reasons=empty, checks=empty, model=None,
            projection=empty, gradient=empty, gradient_lines=empty, inequality=empty,
            cohorts=empty, fingertips=empty, records_available=False)
    england = england_benchmarks(inputs.fingertips, inputs.geography.country())
    table = prevalence_table(inputs, england, level)
    excluded, reasons = exclusions(inputs)
    model = trend_model(bmi_counts(inputs.area_records, ["year", "school_year"]), indicator, level)
    gradient = deprivation_gradient(inputs, pooled_years, level)
    lines = [gradient_line(inputs, s, indicator, pooled_years).assign(school_year=s)
             for s in inputs.school_years]
    return Results(
        area_code=inputs.area_code, area_name=inputs.area_name, confidence=level,
        school_years=inputs.school_years, measured=len(inputs.area_records), indicator=indicator,
        table=table, england=_with_limits(england), exclusions=excluded,
        exclusion_reasons=reasons, checks=published_checks(inputs.published, table),
        model=model, projection=project_prevalence(model, int(start_year([projection_year])[0])),
        gradient=gradient, gradient_lines=pd.concat(lines, ignore_index=True),
        inequality=inequality(inputs, indicator, pooled_years, level),
        cohorts=cohort_change(table, indicator, level),
        fingertips=fingertips_checks(inputs.fingertips_obese, table).assign(
            synthetic=inputs.records_synthetic),
    )


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

    :func:`jsnalib.methods.disclosure.suppress_table` protects one way of adding up at a time;
    here it is applied for every entry of ``sums`` (the key columns held fixed while the
    remaining rows add up: ``["area_code", "year", "school_year"]`` for boys + girls = all
    children, ``["year", "school_year", "sex"]`` for districts = county) and for the row
    identity ``total = sum(counts)``, with every count hidden so far marked secret, until
    nothing changes. Counts of 1 to 4, and any count that would reveal one, come back as <NA>.

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
    """:func:`protect` for a table of :data:`jsnalib.indicators.ncmp.COUNT_COLUMNS`.

    Within a row, excess weight = overweight + obese, so those three are protected together;
    children measured, underweight and severely obese have no such identity (healthy weight is
    not shown, and obese-but-not-severely is not shown).
    """
    out = protect(table, ["overweight", "obese"], "excess_weight", sums)
    return protect(out, ["denominator", "underweight", "severely_obese"], None, sums)


def prevalence(counts: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Long table: one row per group and :data:`jsnalib.indicators.ncmp.INDICATORS` measure
    with ``count``, ``denominator``, ``value`` (percent) and Wilson score limits ``lower``,
    ``upper`` (percent).

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


def family_counts(inputs: Inputs, by: Sequence[str],
                  records: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`jsnalib.indicators.ncmp.bmi_counts` by ``area_code`` and ``by`` for every area of
    the family, the upper-tier authority's rows being the sum of its lowest-tier areas."""
    counts = bmi_counts(inputs.records if records is None else records, ["area_code", *by])
    if len(inputs.family) > 1:
        counts = add_total(counts, "area_code", inputs.family[0],
                           inputs.members[inputs.family[0]])
    return counts


def _area_sums(inputs: Inputs, by: Sequence[str]) -> list[list[str]]:
    """The 'districts add up to the county' identity, when the page belongs to a family."""
    return [list(by)] if len(inputs.family) > 1 else []


def _own(inputs: Inputs, table: pd.DataFrame) -> pd.DataFrame:
    own = table[table["area_code"] == inputs.area_code]
    return own.drop(columns="area_code").reset_index(drop=True)


def prevalence_table(inputs: Inputs, england: pd.DataFrame,
                     confidence: float = 0.95) -> pd.DataFrame:
    """Prevalence of every measure by year, school year and sex (boys, girls, all children)
    for the page's area, disclosure-protected, compared with ``england``
    (:func:`england_benchmarks`) where England publishes the same figure (all children).

    Columns: year, academic_year, school_year, sex, indicator, count, denominator, value,
    lower, upper (percent), england (percent), comparison (verdict).
    """
    keys = ["year", "school_year", "sex"]
    counts = add_total(family_counts(inputs, keys), "sex", "persons")
    sums = [["area_code", "year", "school_year"], *_area_sums(inputs, keys)]
    table = prevalence(_own(inputs, protect_counts(counts, sums)), confidence)
    table.insert(1, "academic_year", [academic_year_label(y) for y in table["year"]])
    table = compare_with_england(table, england)
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

def exclusions(inputs: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records left out, by reason and school year, disclosure-protected, for the page's area.

    Reasons are those of :func:`jsnalib.methods.growth.flag_ncmp_exclusions` (a record may have
    several; ``implausible`` counts each excluded record once), then ``extreme_kept``: records
    beyond the CDC's modified-SDS limits that are kept (not excluded).

    Returns the table (columns: reason, ``Reception`` / ``Year 6`` (records), ``All`` (when
    both are shown) and ``percent`` of all records measured, blank where the count is
    suppressed) and :func:`jsnalib.methods.growth.exclusion_summary` of the area's records (its
    reason descriptions).
    """
    records = inputs.records
    present = [SCHOOL_YEARS[s] for s in inputs.school_years]
    wide = (records.assign(school=records["school_year"].map(SCHOOL_YEARS))
            .groupby(["area_code", "school"])[_FLAG_COLUMNS].sum()
            .rename_axis(columns="reason").stack().unstack("school", fill_value=0)
            .reindex(columns=present, fill_value=0).reset_index())
    wide.columns.name = None
    total = None
    if len(present) > 1:
        wide["All"] = wide[present].sum(axis=1)
        total = "All"
    if len(inputs.family) > 1:
        wide = add_total(wide, "area_code", inputs.family[0], inputs.members[inputs.family[0]],
                         counted=[*present, *([total] if total else [])])
    # reasons overlap (most weight errors are BMI errors too), so they add up to nothing
    safe = _own(inputs, protect(wide, present, total, _area_sums(inputs, ["reason"])))
    last = total or present[0]
    safe["percent"] = safe[last].astype("Float64").astype(float) / len(inputs.area_records) * 100
    summary = growth.exclusion_summary(inputs.area_records[_FLAG_COLUMNS[:-1]])
    return _sorted(safe, ["reason"], {"reason": _FLAG_COLUMNS}), summary


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


def _with_limits(england: pd.DataFrame) -> pd.DataFrame:
    """England's rows with 95% Wilson limits ``lower``, ``upper`` (percent) from its counts."""
    if england.empty:
        return england.assign(lower=pd.Series(dtype=float), upper=pd.Series(dtype=float))
    lower, upper = stats.wilson_ci(england["count"], england["denominator"])
    return england.assign(lower=np.asarray(lower) * 100, upper=np.asarray(upper) * 100)


def compare_with_england(table: pd.DataFrame, england: pd.DataFrame) -> pd.DataFrame:
    """Add ``england`` (England's value, percent) and ``comparison`` to a prevalence table.

    The comparison is :func:`jsnalib.methods.stats.compare` of the local confidence interval
    with England's value, with each measure's polarity (lower is better for excess weight,
    obesity and overweight; no judgement for underweight). Rows for boys or girls alone are
    "not compared": the England export holds all children only.
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


# --------------------------------------------------------------------------------------------
# trend model and projection
# --------------------------------------------------------------------------------------------

def _model_frame(counts: pd.DataFrame, indicator: str) -> pd.DataFrame:
    frame = counts[["year", "school_year", "denominator", indicator]].rename(
        columns={indicator: "count"})
    frame = frame.astype({"year": float, "denominator": float, "count": float})
    return frame.assign(failures=frame["denominator"] - frame["count"],
                        year6=(frame["school_year"] == "6").astype(float)).reset_index(drop=True)


def _combination(result, weights: dict[str, float], level: float) -> tuple[float, float, float,
                                                                            float]:
    """exp of a linear combination of coefficients, its CI and two-sided p-value (Wald)."""
    names = list(result.params.index)
    w = np.array([weights.get(n, 0.0) for n in names])
    estimate = float(w @ result.params.to_numpy())
    se = float(np.sqrt(w @ result.cov_params().to_numpy() @ w))
    z = special.ndtri(0.5 + level / 2)
    p = float(2 * special.ndtr(-abs(estimate / se)))
    return np.exp(estimate), np.exp(estimate - z * se), np.exp(estimate + z * se), p


def trend_model(counts: pd.DataFrame, indicator: str = "excess_weight",
                confidence: float = 0.95) -> TrendModel:
    """Binomial GLM of a measure's prevalence by year and school year.

    ``counts`` are the area's (unsuppressed) :func:`jsnalib.indicators.ncmp.bmi_counts` by year
    and school_year. The model is :func:`jsnalib.methods.models.binomial_trend` of the yearly
    counts with covariates ``year6 + year:year6`` (= ``year * year6``): ``year6`` is 1 for
    Year 6 and 0 for Reception, so ``year:year6`` is the year-by-school-year interaction (does
    the yearly change differ between Reception and Year 6?). With one school year the model is
    ``count ~ year``. Fitting the yearly counts gives the same likelihood as the records, far
    faster. When the years vary more than a binomial model allows, standard errors are scaled
    by the Pearson dispersion (quasi-binomial), as ``binomial_trend`` does.

    ``odds_ratios`` rows (``term``): ``per_year`` for each school year (the yearly change in
    the odds), then with two school years ``interaction`` (the ratio of the two yearly
    changes) and ``latest`` (Year 6 against Reception in the latest year), with confidence
    limits and p-values from the model's covariance (Wald), and the verdicts described in
    :class:`TrendModel`.
    Reference: McCullagh and Nelder (1989) *Generalized Linear Models*, ch. 4 and 9.
    """
    if indicator not in INDICATORS:
        raise ValueError(f"indicator must be one of {', '.join(INDICATORS)}, got {indicator!r}")
    frame = _model_frame(counts, indicator)
    present = set(frame["school_year"].unique())
    school_years = [s for s in SCHOOL_YEARS if s in present]
    if frame["year"].nunique() < 3:
        raise ValueError("a trend needs at least three years of data")
    both = len(school_years) == 2
    level = _level(confidence)
    fit = models.binomial_trend(frame, "year", successes="count", trials="denominator",
                                covariates="year6 + year:year6" if both else "",
                                confidence=level)
    if both:
        specs = [("per_year", "R", {"year": 1}), ("per_year", "6", {"year": 1, "year:year6": 1}),
                 ("interaction", "6", {"year:year6": 1}),
                 ("latest", "6", {"year6": 1, "year:year6": frame["year"].max()})]
    else:
        specs = [("per_year", school_years[0], {"year": 1})]
    rows = []
    for term, school_year, weights in specs:
        ratio, lower, upper, p = _combination(fit.result, weights, level)
        change = (ratio - 1) * 100
        rows.append({"term": term, "school_year": school_year, "odds_ratio": ratio,
                     "lower": lower, "upper": upper, "p_value": p, "percent_change": change,
                     "direction": ("no clear change" if abs(change) < NO_CHANGE_PERCENT else
                                   "rising" if change > 0 else "falling"),
                     "evidence": ("clear" if (p < ALPHA if term == "interaction" else
                                              not lower <= 1 <= upper) else "could be chance")})
    return TrendModel(fit, indicator, school_years, frame, pd.DataFrame(rows), level)


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
    future = pd.concat([pd.DataFrame({"year": years.astype(float),
                                      "year6": float(school_year == "6"),
                                      "school_year": school_year})
                        for school_year in model.school_years], ignore_index=True)
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


# --------------------------------------------------------------------------------------------
# deprivation
# --------------------------------------------------------------------------------------------

def deprivation_gradient(inputs: Inputs, pooled_years: int = 3,
                         confidence: float = 0.95) -> pd.DataFrame:
    """Prevalence by IMD decile (1 = most deprived) and school year, for the latest
    ``pooled_years`` academic years pooled, disclosure-protected, for the page's area.

    Columns: period, school_year, imd_decile, indicator, count, denominator, value, lower,
    upper.
    """
    records = _latest_years(inputs.records, pooled_years)
    keys = ["school_year", "imd_decile"]
    counts = family_counts(inputs, keys, records)
    sums = [["area_code", "school_year"], *_area_sums(inputs, keys)]
    table = prevalence(_own(inputs, protect_counts(counts, sums)), confidence)
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


def inequality(inputs: Inputs, indicator: str = "excess_weight", pooled_years: int = 3,
               confidence: float = 0.95) -> pd.DataFrame:
    """Slope and relative index of inequality across IMD deciles, per school year.

    From the area's own (unsuppressed) decile counts over the latest ``pooled_years`` years:
    :func:`jsnalib.methods.stats.sii` with Wilson limits, ``value_type="proportion"`` and
    multiplier -100, so the SII is in percentage points and positive when the measure is higher
    in the most deprived areas (the modelled gap between the most and least deprived ends) and
    the RII is most deprived / least deprived. Needs at least 5 deciles with children and with
    0 < count < children in each; otherwise ``note`` says why not ("too few deciles" or
    "decile empty or full"). ``gradient`` is the verdict: "higher" (in more deprived areas,
    the interval above 0), "lower" or "similar"; blank when not calculated.
    Reference: Low and Low (2004); PHE SII guidance; PHEindicatormethods phe_sii.
    """
    records = _latest_years(inputs.area_records, pooled_years)
    counts = bmi_counts(records, ["school_year", "imd_decile"])
    level = _level(confidence)
    rows = []
    for school_year in [s for s in SCHOOL_YEARS if s in set(counts["school_year"])]:
        part = counts[counts["school_year"] == school_year]
        usable = part[(part[indicator] > 0) & (part[indicator] < part["denominator"])]
        row = {"school_year": school_year, "deciles": len(usable),
               "sii": np.nan, "sii_lower": np.nan, "sii_upper": np.nan,
               "rii": np.nan, "rii_lower": np.nan, "rii_upper": np.nan, "note": "",
               "gradient": ""}
        if len(usable) < 5 or len(usable) < len(part):
            row["note"] = "too few deciles" if len(part) < 5 else "decile empty or full"
        else:
            lower, upper = stats.wilson_ci(usable[indicator], usable["denominator"], 0.95)
            result = stats.sii(usable["imd_decile"], usable["denominator"],
                               usable[indicator] / usable["denominator"], lower, upper,
                               value_type="proportion", multiplier=-100, confidence=level)
            row.update(result.to_dict())
            row["gradient"] = ("higher" if row["sii_lower"] > 0 else
                               "lower" if row["sii_upper"] < 0 else "similar")
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(0, "period", _period(records))
    return out


def gradient_line(inputs: Inputs, school_year: str, indicator: str = "excess_weight",
                  pooled_years: int = 3) -> pd.DataFrame:
    """The population-weighted straight line behind the SII at each decile (for the chart):
    weighted least squares of the area's prevalence (percent) on the relative rank, weights =
    the deciles' shares of the children measured, as in :func:`jsnalib.methods.stats.sii`."""
    records = _latest_years(inputs.area_records, pooled_years)
    part = bmi_counts(records[records["school_year"] == school_year], ["imd_decile"])
    if len(part) < 2:
        return pd.DataFrame({"imd_decile": part["imd_decile"], "value": np.nan})
    share = part["denominator"].to_numpy(float) / part["denominator"].sum()
    rank = np.cumsum(share) - share / 2
    value = part[indicator].to_numpy(float) / part["denominator"].to_numpy(float) * 100
    slope, intercept = np.polyfit(rank, value, 1, w=np.sqrt(share))
    return pd.DataFrame({"imd_decile": part["imd_decile"].to_numpy(),
                         "value": intercept + slope * rank})


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


def published_checks(published: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Each published figure beside the same figure from this data, with its interval.

    ``published`` rows (read_published_figures, already for this area); ``table`` is
    :func:`prevalence_table`. For a percentage the interval is the Wilson interval; for a count
    of children it is that interval times the children measured (a count depends on how many
    children were measured, which documents rarely say; ``denominator`` gives it). ``within``
    says whether the published value lies inside the interval. ``kind`` is "percent" or
    "count"; figures the data cannot reproduce have ``kind`` missing and ``not_reproduced``
    saying why: "no year" (the period names no academic year), "other measure" (not a measure
    this page computes) or "year not in data".
    """
    rows = []
    persons = table[table["sex"] == "persons"].set_index(["year", "school_year", "indicator"])
    for _, fig in published.iterrows():
        measure = published_measure(fig["indicator"], fig["unit"])
        year = academic_year_in_text(fig["period"])
        row = {"figure_id": fig["figure_id"], "indicator": fig["indicator"],
               "period": fig["period"], "published": float(fig["value"]),
               "unit": fig["unit"], "school_year": None, "year": year, "kind": None,
               "value": np.nan, "lower": np.nan, "upper": np.nan, "denominator": np.nan,
               "within": pd.NA, "not_reproduced": "", "source": fig["source"]}
        key = None if measure is None or year is None else (year, measure[0], measure[1])
        if key is None or key not in persons.index:
            row["not_reproduced"] = ("no year" if year is None else
                                     "other measure" if measure is None else "year not in data")
            rows.append(row)
            continue
        school_year, _, kind = measure
        found = persons.loc[key]
        scale = 1.0 if kind == "percent" else float(found["denominator"]) / 100
        value = found["value"] * scale if kind == "percent" else found["count"]
        lower, upper = found["lower"] * scale, found["upper"] * scale
        within = bool(lower <= fig["value"] <= upper) if pd.notna(lower) else pd.NA
        row.update(school_year=school_year, kind=kind, value=value, lower=lower, upper=upper,
                   denominator=found["denominator"], within=within)
        rows.append(row)
    columns = ["figure_id", "indicator", "period", "published", "unit", "school_year", "year",
               "kind", "value", "lower", "upper", "denominator", "within", "not_reproduced",
               "source"]
    return pd.DataFrame(rows, columns=columns)


def fingertips_checks(published: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Per school year, the latest year in which Fingertips publishes the area's obesity
    (including severe obesity) and the records hold it: the published percentage beside the
    records' count, denominator, value and interval (percent, from :func:`prevalence_table`)
    and whether the published value lies inside the interval (``within``)."""
    columns = ["school_year", "year", "published", "source", "count", "denominator", "value",
               "lower", "upper", "within"]
    persons = table[(table["sex"] == "persons") & (table["indicator"] == "obese")]
    persons = persons.set_index(["year", "school_year"])
    rows = []
    for school_year in SCHOOL_YEARS:
        mine = published[published["school_year"] == school_year]
        mine = mine[[(int(y), school_year) in persons.index for y in mine["year"]]]
        if mine.empty:
            continue
        latest = mine.loc[mine["year"].astype(int).idxmax()]
        found = persons.loc[(int(latest["year"]), school_year)]
        within = (bool(found["lower"] <= latest["value"] <= found["upper"])
                  if pd.notna(found["lower"]) else pd.NA)
        rows.append({"school_year": school_year, "year": int(latest["year"]),
                     "published": float(latest["value"]), "source": latest["source"],
                     "count": found["count"], "denominator": found["denominator"],
                     "value": found["value"], "lower": found["lower"], "upper": found["upper"],
                     "within": within})
    return pd.DataFrame(rows, columns=columns)
