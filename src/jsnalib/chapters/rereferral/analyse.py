"""The re-referral page's statistics: numbers, tables of numbers and verdicts, no sentences.

:func:`analyse` runs every part of the page on the :class:`~.load.Inputs` of one authority and
returns :class:`Results`. Each part is also a function of its own, so it can be tested and
reused: the annual series and benchmarks, the comparison, the funnel plot, the logistic trend
adjusted for referral source, the monthly p-chart and the time to re-referral. Every table a
reader sees has passed small-number suppression (:mod:`jsnalib.methods.disclosure`); ``annual``
keeps the unsuppressed counts that the other parts are computed from.

Percentages are 0-100; confidence levels 0-1 (:func:`jsnalib.methods.confidence.level`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jsnalib.inputs.contracts import REFERRAL_OUTCOMES
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.periods import (
    financial_start_year,
    financial_year_label,
    first_full_financial_year,
)
from jsnalib.methods import derive, difference, disclosure, models, spc, stats, survival
from jsnalib.methods.confidence import level as confidence_level

from .load import Inputs

__all__ = [
    "NEIGHBOURS",
    "NEIGHBOURS_LABEL",
    "Detection",
    "Difference",
    "Results",
    "analyse",
    "annual_series",
    "annual_shown",
    "annual_summary",
    "benchmark_series",
    "change_verdict",
    "comparison_table",
    "dfe_series",
    "first_full_year",
    "first_signal",
    "funnel_points",
    "funnel_summary",
    "has_records",
    "monthly_chart",
    "monthly_summary",
    "odds_ratios",
    "published_check",
    "published_only",
    "published_summary",
    "published_times",
    "same_day_merged",
    "source_table",
    "survival_table",
    "time_curves",
    "time_to_rereferral",
    "timing_summary",
    "trend_data",
    "trend_model",
    "trend_summary",
    "trend_verdict",
    "year_range",
]

#: The series code of the statistical neighbours' pooled percentage in benchmark tables.
NEIGHBOURS = "neighbours"
#: Its name in tables and charts (a series name, like "England").
NEIGHBOURS_LABEL = "Statistical neighbours' average"
#: How published_figures.csv names the neighbours' figure.
_PUBLISHED_NEIGHBOURS = "Statistical neighbours"
_PERCENT = ["percent", "lower", "upper"]


@dataclass(frozen=True)
class Difference:
    """A difference of two percentages with its confidence interval.

    ``value``, ``lower`` and ``upper`` are in percentage points; ``verdict`` is "higher" or
    "lower" when the whole interval is on one side of no difference, "similar" when it
    includes no difference and "not compared" when the interval cannot be worked out.
    """

    value: float
    lower: float
    upper: float
    verdict: str


@dataclass(frozen=True)
class Detection:
    """When the monthly chart, drawn month by month, first signalled a change after the
    baseline: the month's label ("Oct 2012"), ``direction`` ("rise" or "fall"), the financial
    year the month is in and the months left in that year after it (0 in March)."""

    month: str
    direction: str
    financial_year: str
    months_left: int


@dataclass(frozen=True)
class Results:
    """Everything the re-referral page shows, as numbers, tables and verdicts.

    Attributes
    ----------
    area_code, area_name : str
        The authority.
    years : tuple of str
        Every financial year of the annual series ("2007-08", ...); ``latest`` is the last.
    confidence : float
        The confidence level of every interval (0-1).
    polarity : str
        "no_judgement", "low_is_good" or "high_is_good" (:func:`jsnalib.methods.stats.compare`).
    annual : DataFrame
        :func:`annual_series` (unsuppressed: for the statistics only).
    annual_shown : DataFrame
        :func:`annual_shown`: the same with small counts suppressed.
    dfe : DataFrame
        :func:`dfe_series`: the authority's own figures as DfE publishes them, each year of
        ``years`` the census covers (beside the record-derived ones).
    synthetic_records : bool
        Whether the records are the synthetic demonstration data (``Inputs``).
    change : Difference
        The last year's percentage minus the first's (Newcombe interval).
    falls, rises : int
        Year-on-year falls and rises of the percentage.
    highest, lowest : str
        The financial years with the highest and lowest percentage.
    same_day_merged : int or None
        Extra same-day referrals merged into the first (None when 1-4: not shown).
    benchmarks, series : DataFrame
        :func:`benchmark_series` and the chart's :func:`trend_data`.
    comparison : DataFrame
        :func:`comparison_table` for the latest year.
    published, published_check : DataFrame
        The area's published figures and :func:`published_check`.
    published_trend : TrendFit or None
        :func:`trend_model` over the ``published_span`` years to the latest published figure
        (``published_trend_years``); None when nothing is published or the records do not
        reach back that far. ``published_trend_verdict``: :func:`trend_verdict`.
    funnel_points, funnel_limits : DataFrame
        :func:`funnel_points` for the latest year; ``funnel_overdispersed`` and
        ``funnel_dispersion`` (phi, NaN when not tested) from its dispersion test.
    trend : TrendFit
        :func:`trend_model` over ``years``; ``trend_verdict`` is :func:`trend_verdict`.
    odds : DataFrame
        :func:`odds_ratios`; ``reference_source`` is the source the others are compared with.
    sources : DataFrame
        :func:`source_table`.
    monthly : DataFrame
        :func:`monthly_chart`; ``month_labels`` its labels, ``baseline`` the first and last
        baseline months' labels.
    signals : DataFrame
        :func:`jsnalib.methods.spc.signal_episodes` of the chart.
    signal_rises, signal_falls : int
        Months marked as special-cause signals above and below the centre line.
    first_signal : Detection or None
        :func:`first_signal`.
    cohort_year : str
        The financial year whose referred children are followed.
    time_curves, time_table : DataFrame
        :func:`time_curves` and :func:`survival_table` (outcomes as codes).
    time_horizon : float
        The months at which the outcome groups are compared.
    time_highest, time_lowest : str or None
        The outcomes most and least often followed by a re-referral within ``time_horizon``
        months (None when no group can be shown); ``time_gap`` their :class:`Difference`.
    records_available : bool
        False when the authority has no referral records (:func:`published_only`): ``annual``
        and ``annual_shown`` are then its series as the DfE publishes it, and the
        record-based fields (``trend``, ``odds``, ``sources``, ``monthly``, ``signals``,
        ``time_*``, ...) are empty or None.
    """

    area_code: str
    area_name: str
    years: tuple[str, ...]
    latest: str
    confidence: float
    polarity: str
    annual: pd.DataFrame
    annual_shown: pd.DataFrame
    dfe: pd.DataFrame
    synthetic_records: bool
    change: Difference
    falls: int
    rises: int
    highest: str
    lowest: str
    same_day_merged: int | None
    benchmarks: pd.DataFrame
    series: pd.DataFrame
    comparison: pd.DataFrame
    published: pd.DataFrame
    published_check: pd.DataFrame
    published_span: int
    published_trend: models.TrendFit | None
    published_trend_years: tuple[str, str] | None
    published_trend_verdict: str | None
    funnel_points: pd.DataFrame
    funnel_limits: pd.DataFrame
    funnel_overdispersed: bool
    funnel_dispersion: float
    trend: models.TrendFit | None
    trend_verdict: str | None
    odds: pd.DataFrame
    reference_source: str | None
    sources: pd.DataFrame
    monthly: pd.DataFrame
    month_labels: tuple[str, ...]
    baseline: tuple[str, str] | None
    signals: pd.DataFrame
    signal_rises: int
    signal_falls: int
    first_signal: Detection | None
    cohort_year: str
    time_curves: pd.DataFrame
    time_table: pd.DataFrame
    time_horizon: float
    time_highest: str | None
    time_lowest: str | None
    time_gap: Difference | None
    records_available: bool = True



def has_records(results: object) -> bool:
    """Whether the page's figures come from records (``Results.records_available``); results
    made by hand without that field (as in tests) are taken to have them."""
    return bool(getattr(results, "records_available", True))


def analyse(inputs: Inputs, years: Sequence[str], spc_start: str, spc_baseline_end: str,
            cohort_year: str, confidence: float = 0.95, polarity: str = "no_judgement",
            run_length: int = spc.RUN_LENGTH, trend_length: int = spc.TREND_LENGTH,
            survival_months: Sequence[float] = (3, 6, 12), follow_up_months: int = 24,
            published_span: int = 5) -> Results:
    """Every statistic of the re-referral page for one authority.

    Parameters
    ----------
    inputs : Inputs
        From :func:`~.load.load`.
    years : [first, last]
        Financial years of the annual series, e.g. ``["2007-08", "2023-24"]``; the last is
        compared with the benchmarks and on the funnel plot.
    spc_start, spc_baseline_end : str
        First month of the p-chart and last month of its baseline (``"2016-04"``).
    cohort_year : str
        The financial year whose referred children are followed (``"2021-22"``).
    confidence : float
        Confidence level of every interval (0.95 or 95).
    polarity : str
        Whether a high percentage is judged ("no_judgement": higher/similar/lower).
    run_length, trend_length : int
        The p-chart's run and trend rules (months).
    survival_months : sequence of float
        Months at which the time-to-re-referral table is read; the groups are compared at the
        last.
    follow_up_months : int
        How far the time-to-re-referral chart follows the children (months).
    published_span : int
        Years of the trend to the latest published figure.

    Returns
    -------
    Results
    """
    level = confidence_level(confidence)
    records, area_name = inputs.records, inputs.area_name
    if inputs.records_missing:
        return published_only(inputs, years, cohort_year, level, polarity, published_span)
    annual = annual_series(records, years, level)
    benchmarks = benchmark_series(inputs.cin, inputs.geography, inputs.area_code, years, level)
    latest = str(annual["financial_year"].iloc[-1])
    points, limits = funnel_points(annual, inputs.cin, inputs.geography, inputs.area_code, latest)
    monthly, labels = monthly_chart(records, spc_start, spc_baseline_end,
                                    run_length=run_length, trend_length=trend_length)
    cohort = time_to_rereferral(records, cohort_year)
    timing = survival_table(cohort, survival_months, level, follow_up_months)
    return Results(
        area_code=inputs.area_code, area_name=area_name, latest=latest, confidence=level,
        polarity=polarity, **annual_summary(annual, level),
        dfe=dfe_series(inputs.cin, inputs.area_code, years, level),
        synthetic_records=inputs.synthetic_records,
        same_day_merged=same_day_merged(records),
        benchmarks=benchmarks, series=trend_data(annual, benchmarks, area_name),
        comparison=comparison_table(annual, benchmarks, area_name, latest, polarity),
        **published_summary(records, inputs.published, annual, benchmarks, area_name,
                            published_span, level),
        **funnel_summary(points, limits),
        **trend_summary(records, years, level),
        sources=source_table(records, years, level),
        **monthly_summary(monthly, labels),
        cohort_year=cohort_year,
        time_curves=time_curves(cohort, follow_up_months, survival_months, level),
        **timing_summary(timing, max(survival_months)))


def published_only(inputs: Inputs, years: Sequence[str], cohort_year: str,
                   confidence: float = 0.95, polarity: str = "no_judgement",
                   published_span: int = 5) -> Results:
    """The page for an authority without referral records (``Inputs.records_missing``): its
    own series as the Department for Education publishes it (:func:`dfe_series`, real counts,
    not suppressed again) in place of the record-derived one, with the same benchmarks,
    comparison and funnel plot; every record-based part (trend model, sources, monthly chart,
    time to re-referral, same-day merges) is empty or None, and ``records_available`` False.

    Raises
    ------
    ValueError
        When the census has no figure for the authority in ``years`` either.
    """
    level = confidence_level(confidence)
    code, name = inputs.area_code, inputs.area_name
    dfe = dfe_series(inputs.cin, code, years, level)
    if dfe.empty:
        raise ValueError(f"{code} has neither referral records nor figures in cin_census.csv "
                         f"for {years[0]} to {years[-1]}")
    latest = str(dfe["financial_year"].iloc[-1])
    benchmarks = benchmark_series(inputs.cin, inputs.geography, code, years, level)
    points, limits = funnel_points(dfe, inputs.cin, inputs.geography, code, latest)
    series = pd.concat([dfe.assign(name=name), benchmarks], ignore_index=True)
    order = [name, *benchmarks["name"].drop_duplicates()]
    series["name"] = pd.Categorical(series["name"], categories=order, ordered=True)
    series = series.sort_values(["name", "financial_year"], kind="stable").reset_index(drop=True)
    series = series[["name", "financial_year", "referrals", "rereferrals", "percent", "lower",
                     "upper"]]
    summary = annual_summary(dfe.assign(missing_child_id=0), level)
    summary["annual_shown"] = dfe
    empty = pd.DataFrame()
    return Results(
        area_code=code, area_name=name, latest=latest, confidence=level, polarity=polarity,
        **summary, dfe=dfe, synthetic_records=False, same_day_merged=None,
        benchmarks=benchmarks, series=series,
        comparison=comparison_table(dfe, benchmarks, name, latest, polarity),
        published=inputs.published,
        published_check=published_check(inputs.published, dfe, benchmarks, name),
        published_span=published_span, published_trend=None, published_trend_years=None,
        published_trend_verdict=None, **funnel_summary(points, limits),
        trend=None, trend_verdict=None, odds=empty, reference_source=None, sources=empty,
        monthly=empty, month_labels=(), baseline=None, signals=empty, signal_rises=0,
        signal_falls=0, first_signal=None, cohort_year=cohort_year, time_curves=empty,
        time_table=empty, time_horizon=float("nan"), time_highest=None, time_lowest=None,
        time_gap=None, records_available=False)


def annual_summary(annual: pd.DataFrame, confidence: float = 0.95) -> dict[str, object]:
    """The :class:`Results` fields of the annual series: ``years``, ``annual``,
    ``annual_shown``, ``change`` (last year minus first, Newcombe interval at
    ``confidence``), ``falls``, ``rises``, ``highest`` and ``lowest``."""
    first, last = annual.iloc[0], annual.iloc[-1]
    steps = np.sign(np.diff(annual["percent"].to_numpy()))
    return {
        "years": tuple(annual["financial_year"]), "annual": annual,
        "annual_shown": annual_shown(annual),
        "change": _difference(difference.proportion_difference_ci(
            last["rereferrals"], last["referrals"], first["rereferrals"], first["referrals"],
            confidence_level(confidence))),
        "falls": int((steps < 0).sum()), "rises": int((steps > 0).sum()),
        "highest": str(annual.loc[annual["percent"].idxmax(), "financial_year"]),
        "lowest": str(annual.loc[annual["percent"].idxmin(), "financial_year"]),
    }


def same_day_merged(records: pd.DataFrame) -> int | None:
    """How many extra same-day referrals :func:`~.load.area_records` merged (None when 1 to
    4: such a count is not published)."""
    merged = int(records.attrs.get("same_day_merged", 0))
    low, high = disclosure.SMALL_COUNTS
    return None if low <= merged <= high else merged


# ----------------------------------------------------------------------------------------------
# helpers


def year_range(years: Sequence[str]) -> list[str]:
    """Every financial year from the first to the last of ``years`` (e.g. ["2009-10", "2023-24"]).

    Examples
    --------
    >>> year_range(["2014-15", "2016-17"])
    ['2014-15', '2015-16', '2016-17']
    """
    if isinstance(years, str) or len(years) != 2:
        raise ValueError(f"years must be [first, last] financial years like ['2009-10', "
                         f"'2023-24'], got {years!r}")
    first, last = (financial_start_year(y) for y in years)
    if last < first:
        raise ValueError(f"the last year {years[1]} is before the first {years[0]}")
    return [financial_year_label(y) for y in range(first, last + 1)]


def first_full_year(records: pd.DataFrame) -> str:
    """The first financial year whose every referral has 12 months of earlier records to be
    compared with (:func:`jsnalib.inputs.periods.first_full_financial_year`, the rule the
    indicators use too).

    Examples
    --------
    >>> first_full_year(pd.DataFrame({"referral_date": pd.to_datetime(["2006-04-03"])}))
    '2007-08'
    """
    return financial_year_label(first_full_financial_year(
        pd.Timestamp(records["referral_date"].min())))


def _select_years(records: pd.DataFrame, years: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    wanted = year_range(years)
    full = first_full_year(records)
    if financial_start_year(wanted[0]) < financial_start_year(full):
        raise ValueError(f"re-referrals need 12 months of earlier referrals: the first full year "
                         f"in these records is {full}, so years must start there or later "
                         f"(got {wanted[0]})")
    present = set(records["financial_year"].unique())
    absent = [y for y in wanted if y not in present]
    if absent:
        raise ValueError(f"there are no referrals in {', '.join(absent)}")
    return records[records["financial_year"].isin(wanted)], wanted


def _proportions(table: pd.DataFrame, numerator: str, denominator: str,
                 confidence: float) -> pd.DataFrame:
    ci = stats.proportion(table[numerator], table[denominator], multiplier=100,
                          confidence=confidence)
    return table.assign(percent=ci["value"].to_numpy(), lower=ci["lower"].to_numpy(),
                        upper=ci["upper"].to_numpy())


def _suppress(table: pd.DataFrame, group_cols: Sequence[str] = ()) -> pd.DataFrame:
    """Suppress small counts in a table of re-referrals: re-referrals, the other referrals
    (worked out by subtraction) and all referrals are one line whose total is shown; the
    percentage and its limits are blanked with them. ``group_cols``: rows whose column sums
    are published elsewhere (e.g. the months of a year)."""
    frame = table.assign(_other=table["referrals"] - table["rereferrals"])
    safe = disclosure.suppress_table(frame, ["rereferrals", "_other"], total_col="referrals",
                                     group_cols=list(group_cols) or None,
                                     derived_cols=[c for c in _PERCENT if c in table.columns])
    safe = safe.drop(columns="_other")
    disclosure.assert_disclosure_safe(safe, ["rereferrals", "referrals"])
    return safe


def _drop_empty_note(table: pd.DataFrame) -> pd.DataFrame:
    """Drop the suppression note column when nothing was suppressed."""
    if disclosure.NOTE_COLUMN in table.columns and table[disclosure.NOTE_COLUMN].isna().all():
        return table.drop(columns=disclosure.NOTE_COLUMN)
    return table


def _difference(estimate: tuple) -> Difference:
    """A :class:`Difference` from (difference, lower, upper) as proportions (-1 to 1)."""
    value, lower, upper = (100 * float(v) for v in estimate)
    return Difference(value, lower, upper, change_verdict(lower, upper))


def change_verdict(lower: float, upper: float) -> str:
    """"higher" or "lower" when the interval of a difference is wholly above or below 0,
    "similar" when it includes 0, "not compared" when it is missing."""
    if np.isnan(lower) or np.isnan(upper):
        return "not compared"
    return "higher" if lower > 0 else "lower" if upper < 0 else "similar"


# ----------------------------------------------------------------------------------------------
# the annual series and benchmarks


def annual_series(records: pd.DataFrame, years: Sequence[str],
                  confidence: float = 0.95) -> pd.DataFrame:
    """Referrals, re-referrals and the re-referral percentage for each financial year.

    Parameters
    ----------
    records : DataFrame
        From :func:`~.load.area_records`.
    years : [first, last]
        Financial years, e.g. ``["2009-10", "2023-24"]``.
    confidence : float
        For the Wilson score interval (0.95 or 95).

    Returns
    -------
    DataFrame
        ``financial_year, referrals, rereferrals, missing_child_id, percent, lower, upper``
        (counts; percent 0-100), unsuppressed (:func:`annual_shown` is what readers see).
    """
    chosen, _ = _select_years(records, years)
    summary = derive.rereferral_summary(chosen, by="financial_year", flags=chosen["rereferral"])
    return _proportions(summary, "rereferrals", "referrals", confidence)


def annual_shown(annual: pd.DataFrame) -> pd.DataFrame:
    """:func:`annual_series` with small counts suppressed (re-referrals, referrals and the
    referrals without a child ID) and a ``suppression_note`` column when anything was."""
    safe = _suppress(annual)
    safe["missing_child_id"] = disclosure.suppress_small(safe["missing_child_id"])
    return _drop_empty_note(safe)


def dfe_series(cin: pd.DataFrame, area_code: str, years: Sequence[str],
               confidence: float = 0.95) -> pd.DataFrame:
    """The authority's own referrals and re-referrals as DfE publishes them (the children in
    need census), with the Wilson interval, for each year of ``years`` the census covers.

    Parameters
    ----------
    cin : DataFrame
        The children in need census counts (``jsnalib.inputs.readers.read_cin_census``).
    area_code : str
        The authority.
    years : [first, last]
        Financial years.
    confidence : float
        For the Wilson interval (0.95 or 95).

    Returns
    -------
    DataFrame
        ``financial_year``, ``referrals``, ``rereferrals`` (counts; published, so not
        suppressed again), ``percent``, ``lower``, ``upper`` (0-100); years the census lacks or
        marks as suppressed are absent.
    """
    wanted = year_range(years)
    rows = cin[(cin["area_code"] == area_code) & cin["financial_year"].isin(wanted)]
    rows = rows.dropna(subset=["referrals", "rereferrals"])
    rows = rows[rows["referrals"] > 0].astype({"referrals": "int64", "rereferrals": "int64"})
    rows = rows.sort_values("financial_year")[["financial_year", "referrals", "rereferrals"]]
    return _proportions(rows.reset_index(drop=True), "rereferrals", "referrals",
                        confidence_level(confidence))


def benchmark_series(cin: pd.DataFrame, geography: Geography, area_code: str,
                     years: Sequence[str], confidence: float = 0.95) -> pd.DataFrame:
    """England, the region and the statistical neighbours (pooled) for each financial year.

    The neighbours' figure is their combined percentage, all their re-referrals over all their
    referrals, so larger authorities count for more (as a national average does); authorities
    with a suppressed or missing count that year are left out, and ``areas`` says how many
    contributed. Years of ``years`` that the census does not cover are simply absent.

    Parameters
    ----------
    cin : DataFrame
        The children in need census counts (``jsnalib.inputs.readers.read_cin_census``).
    geography : Geography
        The area lookup.
    area_code : str
        The authority whose region and neighbours are wanted.
    years : [first, last]
        Financial years.
    confidence : float
        For the Wilson interval.

    Returns
    -------
    DataFrame
        ``series`` (area code or :data:`NEIGHBOURS`), ``name``, ``financial_year``,
        ``referrals``, ``rereferrals``, ``areas`` (counts), ``percent``, ``lower``, ``upper``.
    """
    wanted = year_range(years)
    region, country = geography.region(area_code), geography.country()
    neighbours = geography.neighbours(area_code)
    if not neighbours:
        raise ValueError(f"{area_code} has no statistical neighbours in neighbours.csv")
    rows = cin[cin["financial_year"].isin(wanted)].dropna(subset=["referrals", "rereferrals"])
    rows = rows.astype({"referrals": "int64", "rereferrals": "int64"})
    frames = []
    for code, name in ((country, geography.name(country)),
                       (region, geography.name(region) if region else None)):
        if code is None:
            continue
        own = rows[rows["area_code"] == code]
        frames.append(own.assign(series=code, name=name, areas=1))
    pooled = (rows[rows["area_code"].isin(neighbours)]
              .groupby("financial_year", as_index=False)
              .agg(referrals=("referrals", "sum"), rereferrals=("rereferrals", "sum"),
                   areas=("area_code", "nunique")))
    frames.append(pooled.assign(series=NEIGHBOURS, name=NEIGHBOURS_LABEL))
    columns = ["series", "name", "financial_year", "referrals", "rereferrals", "areas"]
    table = pd.concat([f[columns] for f in frames], ignore_index=True)
    if table.empty:
        raise ValueError(f"cin_census has no comparator figures for {wanted[0]} to {wanted[-1]}")
    return _proportions(table.sort_values(["series", "financial_year"], kind="stable")
                        .reset_index(drop=True), "rereferrals", "referrals", confidence)


def trend_data(annual: pd.DataFrame, benchmarks: pd.DataFrame, area_name: str) -> pd.DataFrame:
    """The area and its benchmarks in one long frame for the trend chart (columns ``name,
    financial_year, referrals, rereferrals, percent, lower, upper``); the area's counts pass
    through small-number suppression."""
    local = _suppress(annual).assign(name=area_name)
    order = [area_name, *benchmarks["name"].drop_duplicates()]
    columns = ["name", "financial_year", "referrals", "rereferrals", "percent", "lower", "upper"]
    frame = pd.concat([local[columns], benchmarks[columns]], ignore_index=True)
    frame["name"] = pd.Categorical(frame["name"], categories=order, ordered=True)
    return frame.sort_values(["name", "financial_year"], kind="stable").reset_index(drop=True)


def comparison_table(annual: pd.DataFrame, benchmarks: pd.DataFrame, area_name: str, year: str,
                     polarity: str = "no_judgement") -> pd.DataFrame:
    """The area against England, the region and the neighbours in one year.

    Each benchmark row says whether the area's percentage is significantly different from that
    benchmark's value (the area's interval against the benchmark value, as Fingertips does:
    :func:`jsnalib.methods.stats.compare`).

    Returns
    -------
    DataFrame
        ``name, referrals, rereferrals, percent, lower, upper, verdict``: the area's row first
        (verdict None; counts suppressed if small), then each benchmark with the area's
        verdict against it ("higher", "similar", "lower"; "better"/"worse" with a polarity).
    """
    local = annual[annual["financial_year"] == year]
    if local.empty:
        raise ValueError(f"the annual series has no {year}")
    others = benchmarks[benchmarks["financial_year"] == year]
    if others.empty:
        raise ValueError(f"there are no benchmark figures for {year}")
    safe = _suppress(local)
    area = safe.iloc[0]
    verdict = stats.compare(np.full(len(others), float(area["lower"])),
                            np.full(len(others), float(area["upper"])),
                            others["percent"].to_numpy(), polarity=polarity)
    table = pd.concat([
        safe.drop(columns=disclosure.NOTE_COLUMN).assign(name=area_name, verdict=None),
        others.assign(verdict=verdict),
    ], ignore_index=True)
    return table[["name", "referrals", "rereferrals", "percent", "lower", "upper", "verdict"]]


# ----------------------------------------------------------------------------------------------
# the published figures


def published_check(rows: pd.DataFrame, annual: pd.DataFrame, benchmarks: pd.DataFrame,
                    area_name: str) -> pd.DataFrame:
    """Each published figure beside the modelled value and interval for the same year.

    The area's own figures are compared with :func:`annual_series`; published comparators
    ("England", the region's name, "Statistical neighbours") with :func:`benchmark_series`.

    Returns
    -------
    DataFrame
        ``area, financial_year, published`` (%), ``referrals, rereferrals`` (modelled counts,
        small ones suppressed), ``percent, lower, upper`` (modelled, %), ``verdict``
        ("within" when the published value lies inside the modelled interval, "outside", or
        "not compared" without a modelled interval) and ``source``.
    """
    wanted = [(area_name, period, value, source) for period, value, source in
              rows.drop_duplicates("period")[["period", "value", "source"]].itertuples(
                  index=False)]
    wanted += [(name, period, value, source) for name, period, value, source in
               rows.dropna(subset=["comparator_name"])[
                   ["comparator_name", "period", "comparator_value", "source"]].itertuples(
                   index=False)]
    names = {area_name: area_name, _PUBLISHED_NEIGHBOURS: NEIGHBOURS_LABEL}
    modelled = pd.concat([_suppress(annual).assign(name=area_name), benchmarks],
                         ignore_index=True)
    out = []
    for name, period, value, source in wanted:
        match = modelled[(modelled["name"] == names.get(name, name))
                         & (modelled["financial_year"] == period)]
        model = match.iloc[0] if len(match) else pd.Series(dtype=float)
        lower, upper = model.get("lower", np.nan), model.get("upper", np.nan)
        verdict = ("not compared" if pd.isna(lower) else
                   "within" if lower <= value <= upper else "outside")
        out.append({"area": name, "financial_year": period, "published": value,
                    "referrals": model.get("referrals", np.nan),
                    "rereferrals": model.get("rereferrals", np.nan),
                    "percent": model.get("percent", np.nan), "lower": lower, "upper": upper,
                    "verdict": verdict, "source": source})
    check = pd.DataFrame(out, columns=["area", "financial_year", "published", "referrals",
                                       "rereferrals", "percent", "lower", "upper", "verdict",
                                       "source"])
    check[["referrals", "rereferrals"]] = check[["referrals", "rereferrals"]].astype("Int64")
    return check


def published_summary(records: pd.DataFrame, rows: pd.DataFrame, annual: pd.DataFrame,
                      benchmarks: pd.DataFrame, area_name: str, span: int = 5,
                      confidence: float = 0.95) -> dict[str, object]:
    """The :class:`Results` fields of the published figures: ``published`` (``rows``),
    ``published_check`` (:func:`published_check`), ``published_span`` (``span``) and the trend
    over the ``span`` financial years ending with the latest published period
    (``published_trend``, :func:`trend_model`; ``published_trend_years`` [first, last];
    ``published_trend_verdict``), all None when nothing is published or the records do not
    reach back that far."""
    fields: dict[str, object] = {
        "published": rows, "published_check": published_check(rows, annual, benchmarks, area_name),
        "published_span": span, "published_trend": None, "published_trend_years": None,
        "published_trend_verdict": None}
    if rows.empty:
        return fields
    last = max(rows["period"], key=financial_start_year)
    first = financial_year_label(financial_start_year(last) - span + 1)
    if financial_start_year(first) < financial_start_year(first_full_year(records)):
        return fields
    fit = trend_model(records, [first, last], confidence)
    return {**fields, "published_trend": fit, "published_trend_years": (first, last),
            "published_trend_verdict": trend_verdict(fit)}


# ----------------------------------------------------------------------------------------------
# funnel plot


def funnel_points(annual: pd.DataFrame, cin: pd.DataFrame, geography: Geography,
                  area_code: str, year: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area and its statistical neighbours in one year, with funnel-plot limits.

    The limits are those of :func:`jsnalib.methods.stats.proportion_funnel` (PHE method, Wilson
    score limits around the pooled percentage of the plotted authorities). When the authorities
    vary more than chance allows (:func:`jsnalib.methods.stats.proportion_funnel_overdispersed`,
    Spiegelhalter 2005: Winsorised dispersion test at 5%), the over-dispersion-adjusted limits
    are added beside them (columns ``lower_95_adjusted`` ... ``upper_998_adjusted``) and each
    position is judged against the adjusted limits.

    Returns
    -------
    (points, limits)
        points with columns ``label, area_code, numerator, denominator, value`` (percent) and
        ``position`` ("within the 95% limits", "between the 95% and 99.8% limits (high|low)",
        "outside the 99.8% limits (high|low)"), and ``attrs`` with the dispersion test
        (``phi``, ``tau2``, ``dispersion_p``, ``overdispersed``); limits as from
        ``proportion_funnel``, plus the adjusted ones when over-dispersed. The area's counts
        are suppressed if small (then it is left out).
    """
    local = _suppress(annual[annual["financial_year"] == year])
    if local.empty:
        raise ValueError(f"the annual series has no {year}")
    others = cin[(cin["financial_year"] == year)
                 & cin["area_code"].isin(geography.neighbours(area_code))]
    others = others.dropna(subset=["referrals", "rereferrals"])
    points = pd.concat([
        pd.DataFrame({"area_code": area_code, "numerator": local["rereferrals"].astype(float),
                      "denominator": local["referrals"].astype(float)}),
        pd.DataFrame({"area_code": others["area_code"],
                      "numerator": others["rereferrals"].astype(float),
                      "denominator": others["referrals"].astype(float)}),
    ], ignore_index=True).dropna()
    points.insert(0, "label", [geography.name(c) for c in points["area_code"]])
    points["value"] = points["numerator"] / points["denominator"] * 100
    smallest, largest = points["denominator"].min(), points["denominator"].max()
    grid = np.linspace(np.floor(0.8 * smallest), np.ceil(1.05 * largest), 200)
    limits = stats.proportion_funnel(points["numerator"], points["denominator"], multiplier=100,
                                     population=grid)
    at_own = stats.proportion_funnel(points["numerator"], points["denominator"], multiplier=100,
                                     population=points["denominator"])
    test = (stats.proportion_funnel_overdispersed(points["numerator"], points["denominator"],
                                                  multiplier=100, population=grid)
            if len(points) >= 3 else None)
    if test is not None and test.attrs["overdispersed"]:
        for column in ("lower_95", "upper_95", "lower_998", "upper_998"):
            limits[f"{column}_adjusted"] = test[column].to_numpy()
        at_own = stats.proportion_funnel_overdispersed(
            points["numerator"], points["denominator"], multiplier=100,
            population=points["denominator"])
    value = points["value"].to_numpy()
    side = np.where(value > at_own["baseline"].to_numpy(), "high", "low")
    outside_998 = ((value > at_own["upper_998"].to_numpy())
                   | (value < at_own["lower_998"].to_numpy()))
    outside_95 = (value > at_own["upper_95"].to_numpy()) | (value < at_own["lower_95"].to_numpy())
    points["position"] = np.select(
        [outside_998, outside_95],
        [np.char.add("outside the 99.8% limits (", np.char.add(side, ")")),
         np.char.add("between the 95% and 99.8% limits (", np.char.add(side, ")"))],
        default="within the 95% limits")
    points.attrs.update({key: test.attrs[key] for key in ("phi", "tau2", "dispersion_p",
                                                          "overdispersed")}
                        if test is not None else {"overdispersed": False})
    return points, limits


def funnel_summary(points: pd.DataFrame, limits: pd.DataFrame) -> dict[str, object]:
    """The :class:`Results` fields of the funnel plot: ``funnel_points``, ``funnel_limits``
    (both from :func:`funnel_points`), ``funnel_overdispersed`` and ``funnel_dispersion`` (phi
    of the dispersion test; NaN when fewer than 3 authorities are plotted)."""
    return {"funnel_points": points, "funnel_limits": limits,
            "funnel_overdispersed": bool(points.attrs.get("overdispersed", False)),
            "funnel_dispersion": float(points.attrs.get("phi", np.nan))}


# ----------------------------------------------------------------------------------------------
# what drives it: the logistic trend adjusted for referral source


def _reference_source(records: pd.DataFrame) -> str:
    counts = records["source"].value_counts()
    return str(counts.index[0])


def trend_model(records: pd.DataFrame, years: Sequence[str],
                confidence: float = 0.95) -> models.TrendFit:
    """Logistic regression of re-referral on financial year, adjusted for referral source.

    ``rereferral ~ year + C(source)`` on the individual referrals of ``years``
    (:func:`jsnalib.methods.models.binomial_trend`), with the most common source as the
    reference category so that each source's odds ratio compares it with the usual referrer.
    The year odds ratio is the change in the odds of a referral being a re-referral per year,
    among referrals from the same source.
    """
    chosen, _ = _select_years(records, years)
    frame = chosen[["rereferral", "year", "source"]]
    reference = _reference_source(frame)
    covariates = f"C(source, Treatment(reference='{reference}'))"
    return models.binomial_trend(frame, time="year", outcome="rereferral",
                                 covariates=covariates, confidence=confidence)


def trend_verdict(fit: models.TrendFit) -> str:
    """"no clear change" when the interval of the yearly odds ratio includes 1, otherwise
    "falling" or "rising"."""
    if fit.ratio_lower <= 1 <= fit.ratio_upper:
        return "no clear change"
    return "falling" if fit.percent_change < 0 else "rising"


def odds_ratios(fit: models.TrendFit) -> pd.DataFrame:
    """Odds ratios with confidence intervals (at the fit's level) from :func:`trend_model`.

    Returns
    -------
    DataFrame
        ``term`` ("year", or the referral source's code), ``odds_ratio``, ``lower``,
        ``upper``, ``p_value`` and ``verdict`` ("higher"/"lower" when the interval is wholly
        above/below 1, else "similar"); the year first, then each referral source against the
        reference source, in descending order of odds ratio.
    """
    result = fit.result
    ci = result.conf_int(alpha=1 - fit.confidence)
    rows = []
    for term in result.params.index:
        if term == "Intercept":
            continue
        name = "year" if term == fit.time else term.rsplit("[T.", 1)[1].rstrip("]")
        lower, upper = float(np.exp(ci.loc[term].iloc[0])), float(np.exp(ci.loc[term].iloc[1]))
        rows.append({"term": name, "odds_ratio": float(np.exp(result.params[term])),
                     "lower": lower, "upper": upper, "p_value": float(result.pvalues[term]),
                     "verdict": "higher" if lower > 1 else "lower" if upper < 1 else "similar",
                     "_year": term == fit.time})
    table = pd.DataFrame(rows).sort_values(["_year", "odds_ratio"], ascending=[False, False],
                                           kind="stable")
    return table.drop(columns="_year").reset_index(drop=True)


def trend_summary(records: pd.DataFrame, years: Sequence[str],
                  confidence: float = 0.95) -> dict[str, object]:
    """The :class:`Results` fields of the trend model: ``trend`` (:func:`trend_model`),
    ``trend_verdict``, ``odds`` (:func:`odds_ratios`) and ``reference_source`` (the most
    common source, which the others are compared with)."""
    fit = trend_model(records, years, confidence)
    chosen, _ = _select_years(records, years)
    return {"trend": fit, "trend_verdict": trend_verdict(fit), "odds": odds_ratios(fit),
            "reference_source": _reference_source(chosen)}


def source_table(records: pd.DataFrame, years: Sequence[str],
                 confidence: float = 0.95) -> pd.DataFrame:
    """Referrals, re-referrals and the percentage by referral source over ``years``, small
    counts suppressed (including any that the column totals would reveal).

    Returns
    -------
    DataFrame
        ``source`` (code), ``referrals``, ``rereferrals``, ``percent``, ``lower``, ``upper``
        (and ``suppression_note`` when anything was suppressed), largest source first.
    """
    chosen, wanted = _select_years(records, years)
    summary = derive.rereferral_summary(chosen, by="source", flags=chosen["rereferral"])
    summary = _proportions(summary, "rereferrals", "referrals", confidence)
    summary = summary.sort_values("referrals", ascending=False, kind="stable")
    summary.insert(0, "period", f"{wanted[0]} to {wanted[-1]}")
    safe = _suppress(summary.drop(columns="missing_child_id"), group_cols=["period"])
    return _drop_empty_note(safe.drop(columns="period")).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# early warning: the monthly p-chart


def _month(label: str, name: str) -> pd.Timestamp:
    text = str(label)
    if not (len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()
            and 1 <= int(text[5:]) <= 12):
        raise ValueError(f"{name} must be a month like '2021-04', got {label!r}")
    return pd.Timestamp(int(text[:4]), int(text[5:]), 1)


def monthly_chart(records: pd.DataFrame, start: str, baseline_end: str, end: str | None = None,
                  run_length: int = spc.RUN_LENGTH,
                  trend_length: int = spc.TREND_LENGTH) -> tuple[pd.DataFrame, list[str]]:
    """A monthly p-chart of the re-referral percentage from ``start`` to ``end``.

    The centre line is the pooled percentage from ``start`` to ``baseline_end`` (the baseline);
    every month is judged against it with the rules of :mod:`jsnalib.methods.spc`. Counts pass
    through small-number suppression first, so a month with a suppressed count is shown as a
    gap and is not judged.

    Parameters
    ----------
    records : DataFrame
        From :func:`~.load.area_records` (re-referrals flagged over the whole history).
    start, baseline_end, end : str
        Months like ``"2020-04"``; ``end`` defaults to the last month in the records.
    run_length, trend_length : int
        As in :func:`jsnalib.methods.spc.p_chart` (months).

    Returns
    -------
    (chart, labels)
        The :func:`jsnalib.methods.spc.p_chart` frame with a ``month`` column (first day of
        the month; values in %) and the month labels ("Apr 2020").
    """
    first = _month(start, "start")
    last = _month(end, "end") if end else records["month"].max()
    baseline_last = _month(baseline_end, "baseline_end")
    if not first <= baseline_last <= last:
        raise ValueError(f"months must satisfy start <= baseline_end <= end, got {start}, "
                         f"{baseline_end}, {end or last.strftime('%Y-%m')}")
    full = first_full_year(records)
    if first < pd.Timestamp(financial_start_year(full), 4, 1):
        raise ValueError(f"start must be in or after {full}, the first year with 12 months of "
                         "earlier referrals")
    months = pd.date_range(first, last, freq="MS")
    chosen = records[(records["month"] >= first) & (records["month"] <= last)]
    counts = (chosen.groupby("month")["rereferral"].agg(referrals="size", rereferrals="sum")
              .reindex(months, fill_value=0).rename_axis("month").reset_index())
    counts["financial_year"] = derive.financial_year(counts["month"])
    safe = _suppress(counts, group_cols=["financial_year"])
    chart = spc.p_chart(safe["rereferrals"].astype("Float64").to_numpy(float, na_value=np.nan),
                        safe["referrals"].astype("Float64").to_numpy(float, na_value=np.nan),
                        baseline=(months <= baseline_last), run_length=run_length,
                        trend_length=trend_length)
    chart.insert(0, "month", months)
    return chart, [m.strftime("%b %Y") for m in months]


def monthly_summary(chart: pd.DataFrame, labels: Sequence[str]) -> dict[str, object]:
    """The :class:`Results` fields of the monthly chart: ``monthly`` (``chart``),
    ``month_labels``, ``baseline`` (its first and last months' labels), ``signals``
    (:func:`jsnalib.methods.spc.signal_episodes`), ``signal_rises`` and ``signal_falls``
    (months marked above and below the centre line) and ``first_signal``
    (:func:`first_signal`)."""
    labels = list(labels)
    baseline = np.flatnonzero(chart["baseline"].to_numpy())
    signal = chart["signal"].to_numpy()
    return {"monthly": chart, "month_labels": tuple(labels),
            "baseline": (labels[baseline[0]], labels[baseline[-1]]),
            "signals": spc.signal_episodes(chart, labels),
            "signal_rises": int((signal == 1).sum()), "signal_falls": int((signal == -1).sum()),
            "first_signal": first_signal(chart, labels)}


def first_signal(chart: pd.DataFrame, labels: Sequence[str]) -> Detection | None:
    """When the chart, drawn month by month, first signalled a change after the baseline
    (:func:`jsnalib.methods.spc.first_detection`), and how long before the end of that
    financial year, whose annual figure would show it; None if no month after it is marked."""
    baseline = np.flatnonzero(chart["baseline"].to_numpy())
    found = spc.first_detection(chart, after=int(baseline[-1]))
    if found is None:
        return None
    position, direction = found
    month = pd.Timestamp(chart["month"].iloc[position])
    return Detection(month=list(labels)[position], direction="rise" if direction > 0 else "fall",
                     financial_year=str(derive.financial_year(month)),
                     months_left=(3 - month.month) % 12)


# ----------------------------------------------------------------------------------------------
# time to re-referral


def time_to_rereferral(records: pd.DataFrame, cohort_year: str) -> pd.DataFrame:
    """Each child referred in ``cohort_year``: months from their first referral that year to
    their next referral, censored at the end of the data (the end of the month of the latest
    referral: extracts are taken in whole months) (:func:`derive.months_to_rereferral`).

    Returns
    -------
    DataFrame
        One row per child with ``outcome`` (of that first referral: an ordered categorical of
        the codes in :data:`jsnalib.inputs.contracts.REFERRAL_OUTCOMES`), ``source``,
        ``months`` and ``event``.
    """
    first = financial_start_year(cohort_year)
    if cohort_year not in set(records["financial_year"]):
        raise ValueError(f"there are no referrals in {cohort_year}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", derive.MissingChildIdWarning)
        cohort = derive.months_to_rereferral(
            records[["child_id", "referral_date", "source", "outcome"]],
            start=f"{first}-04-01", end=f"{first + 1}-03-31",
            data_end=records["referral_date"].max() + pd.offsets.MonthEnd(0))
    cohort["outcome"] = pd.Categorical(cohort["outcome"], categories=list(REFERRAL_OUTCOMES),
                                       ordered=True)
    return cohort


def published_times(cohort: pd.DataFrame, follow_up: int = 24,
                    times: Sequence[float] = (3, 6, 12)) -> list[float]:
    """The months at which the time-to-re-referral chart and table may be read.

    The chart reads each outcome's curve every month from 0 to ``follow_up`` and the table at
    ``times``; with the table's group sizes, the difference between two adjacent points is a
    number of children. Points are kept only where every such step, in every outcome group, is
    0 or 5 or more (:func:`jsnalib.methods.disclosure.publishable_points`, with ``times``
    chosen first), so the chart's grid is coarser where few children came back.
    """
    grid = sorted(set(np.arange(follow_up + 1, dtype=float)) | {float(t) for t in times})
    counts = survival.kaplan_meier_table(cohort, "outcome", times=grid)
    cumulative = counts.pivot(index="outcome", columns="time", values="events")[grid]
    keep = disclosure.publishable_points(cumulative.to_numpy(float),
                                         required=np.isin(grid, list(times)))
    return [t for t, k in zip(grid, keep, strict=True) if k]


def time_curves(cohort: pd.DataFrame, follow_up: int = 24, times: Sequence[float] = (3, 6, 12),
                confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier curves by outcome for the chart and its download, read at the months of
    :func:`published_times` (every month where that is safe): ``outcome, time,
    cumulative_percent, cumulative_lower, cumulative_upper`` (%)."""
    grid = [t for t in published_times(cohort, follow_up, times) if t <= follow_up]
    return survival.kaplan_meier_curves(cohort, "outcome", grid=grid, confidence=confidence)


def survival_table(cohort: pd.DataFrame, times: Sequence[float] = (3, 6, 12),
                   confidence: float = 0.95, follow_up: int = 24) -> pd.DataFrame:
    """Percentage re-referred within each of ``times`` months, by outcome of the first
    referral, with confidence intervals; counts suppressed if small, and a time left out
    (blank, ``left_out`` True) where its difference from another published point of the chart
    or table would be 1 to 4 children (:func:`published_times`; ``follow_up`` as for the chart).

    Returns
    -------
    DataFrame
        ``outcome`` (code), ``time`` (months), ``people``, ``events`` (children re-referred by
        then), ``cumulative_percent``, ``cumulative_lower``, ``cumulative_upper`` (%),
        ``suppression_note`` and ``left_out``.
    """
    table = survival.kaplan_meier_table(cohort, "outcome", times=times, confidence=confidence)
    table["outcome"] = table["outcome"].astype(str)
    derived = ["cumulative_percent", "cumulative_lower", "cumulative_upper"]
    safe = disclosure.suppress_table(table, ["events", "censored", "remaining"],
                                     total_col="people", derived_cols=derived)
    step = ~table["time"].isin(published_times(cohort, follow_up, times))
    safe.loc[step, ["events", *derived]] = np.nan
    safe["left_out"] = step.to_numpy()
    disclosure.assert_disclosure_safe(safe, ["people", "events", "censored", "remaining"])
    return safe[["outcome", "time", "people", "events", *derived, disclosure.NOTE_COLUMN,
                 "left_out"]]


def timing_summary(table: pd.DataFrame, months: float) -> dict[str, object]:
    """The :class:`Results` fields of the time to re-referral at ``months``: ``time_table``
    (``table``, a :func:`survival_table`), ``time_horizon``, ``time_highest`` and
    ``time_lowest`` (the outcomes most and least often re-referred by then; None when no
    group can be shown) and ``time_gap`` (their :class:`Difference`, from the two
    intervals)."""
    fields: dict[str, object] = {"time_table": table, "time_horizon": float(months),
                                 "time_highest": None, "time_lowest": None, "time_gap": None}
    rows = table[table["time"] == months].dropna(subset=["cumulative_percent"])
    if rows.empty:
        return fields
    high = rows.loc[rows["cumulative_percent"].idxmax()]
    low = rows.loc[rows["cumulative_percent"].idxmin()]
    gap = difference.difference_from_intervals(
        high["cumulative_percent"] / 100, high["cumulative_lower"] / 100,
        high["cumulative_upper"] / 100, low["cumulative_percent"] / 100,
        low["cumulative_lower"] / 100, low["cumulative_upper"] / 100)
    return {**fields, "time_highest": str(high["outcome"]), "time_lowest": str(low["outcome"]),
            "time_gap": _difference(gap)}
