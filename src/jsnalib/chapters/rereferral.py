"""Child protection re-referrals: the annual series, benchmarks, drivers, early warning and timing.

A re-referral is a referral to children's social care within 12 months of a previous referral of
the same child (DfE children in need census; flagged by :func:`jsnalib.methods.derive.flag_rereferrals`).
The re-referral percentage is re-referrals as a percentage of all referrals in a financial year.

This module turns the record-level referrals of one children's-services authority into the tables
of the re-referral chapter, each ready for :func:`jsnalib.report.display.table` after small-number
suppression (:mod:`jsnalib.methods.disclosure`), and the plain-English readings shown beside them:

- :func:`annual_series`: referrals, re-referrals and the percentage with its Wilson interval;
- :func:`benchmark_series`, :func:`comparison_table`: England, the region and the statistical
  neighbours from the children in need census (the neighbours pooled: all their re-referrals over
  all their referrals);
- :func:`funnel_points`: the area and its neighbours against funnel-plot limits;
- :func:`trend_model`, :func:`odds_ratio_table`: a logistic trend adjusted for referral source;
- :func:`monthly_chart`: a monthly p-chart with special-cause signals (:mod:`jsnalib.methods.spc`);
- :func:`time_to_rereferral`, :func:`survival_table`: Kaplan-Meier time to the next referral by
  the outcome of the first (:mod:`jsnalib.methods.survival`);
- :func:`published_check`: the published figures against the modelled ones.

References
----------
Department for Education, Children in need census guide (re-referrals) and *Characteristics of
children in need* (methodology). APHO (2008) Technical Briefing 3 (Wilson intervals). Spiegelhalter
DJ (2005) Funnel plots for comparing institutional performance. Stat Med 24:1185-1202. NHS England
(2019) *Making Data Count*. Hosmer DW, Lemeshow S, Sturdivant RX (2013) *Applied Logistic
Regression*, 3rd edn. Wiley (odds ratios).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jsnalib.inputs import readers
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.periods import first_full_financial_year
from jsnalib.inputs.readers import load_geography
from jsnalib.methods import derive, difference, disclosure, models, spc, stats, survival
from jsnalib.methods.confidence import level as _level
from jsnalib.report import plots

__all__ = [
    "FILES",
    "NEIGHBOURS",
    "ChapterData",
    "OUTCOME_LABELS",
    "SOURCE_LABELS",
    "annual_series",
    "annual_table",
    "area_records",
    "benchmark_series",
    "comparison_reading",
    "comparison_table",
    "first_full_year",
    "funnel_points",
    "funnel_reading",
    "monthly_chart",
    "monthly_table",
    "odds_ratio_table",
    "published_check",
    "published_check_reading",
    "published_points",
    "published_rereferrals",
    "published_trend_reading",
    "records_note",
    "series_reading",
    "signal_table",
    "source_table",
    "spc_reading",
    "survival_reading",
    "survival_table",
    "time_curves",
    "time_to_rereferral",
    "trend_data",
    "trend_figure",
    "trend_model",
    "trend_reading",
    "year_range",
]

#: The series code of the statistical neighbours' pooled percentage in benchmark tables.
NEIGHBOURS = "neighbours"
NEIGHBOURS_LABEL = "Statistical neighbours' average"

SOURCE_LABELS = {
    "individual": "Individuals", "school": "Schools", "health": "Health services",
    "police": "Police", "local_authority": "Local authority services", "housing": "Housing",
    "other": "Other sources", "unknown": "Not known",
}
OUTCOME_LABELS = {
    "no_further_action": "No further action",
    "assessment_not_in_need": "Assessed: not in need",
    "child_in_need": "Child in need",
    "child_protection_plan": "Child protection plan",
}

#: The data files the chapter reads, named in the page's data notice (which says whether they
#: are the synthetic default); it also reads the lookups areas.csv and neighbours.csv.
FILES = ("referrals.csv.gz", "cin_census.csv", "published_figures.csv")

_PUBLISHED_INDICATOR = "re-referral"  # published_figures rows whose indicator starts with this
_PERCENT = ["percent", "lower", "upper"]


# ----------------------------------------------------------------------------------------------
# helpers


def _start_year(label: str) -> int:
    """``"2015-16"`` -> 2015; ValueError for anything else."""
    text = str(label)
    if (len(text) != 7 or text[4] != "-" or not text[:4].isdigit() or not text[5:].isdigit()
            or (int(text[:4]) + 1) % 100 != int(text[5:])):
        raise ValueError(f"a financial year looks like '2015-16', got {label!r}")
    return int(text[:4])


def _label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def year_range(years: Sequence[str]) -> list[str]:
    """Every financial year from the first to the last of ``years`` (e.g. ["2009-10", "2023-24"]).

    Example:
        >>> year_range(["2014-15", "2016-17"])
        ['2014-15', '2015-16', '2016-17']
    """
    if isinstance(years, str) or len(years) != 2:
        raise ValueError(f"years must be [first, last] financial years like ['2009-10', "
                         f"'2023-24'], got {years!r}")
    first, last = (_start_year(y) for y in years)
    if last < first:
        raise ValueError(f"the last year {years[1]} is before the first {years[0]}")
    return [_label(y) for y in range(first, last + 1)]


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


def _fmt(value: float, decimals: int = 1) -> str:
    return "not available" if pd.isna(value) else f"{value:,.{decimals}f}"


def _ci_text(row, decimals: int = 1, unit: str = "%", level: float = 0.95) -> str:
    return (f"{_fmt(row['percent'], decimals)}{unit} ({100 * level:g}% CI "
            f"{_fmt(row['lower'], decimals)}{unit} to {_fmt(row['upper'], decimals)}{unit})")


# ----------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class ChapterData:
    """Everything one authority's page reads: its records, the census and published figures."""

    geography: Geography
    area_code: str
    area_name: str
    records: pd.DataFrame
    cin: pd.DataFrame
    published: pd.DataFrame

    @classmethod
    def load(cls, data_dir: str | Path, area_code: str) -> ChapterData:
        """Read and validate the files in :data:`FILES` (and the lookups areas.csv and
        neighbours.csv) and prepare ``area_code``'s records
        (:func:`area_records`); the published figures are the area's re-referral rows
        (:func:`published_rereferrals`)."""
        folder = Path(data_dir)
        geography = load_geography(folder)
        referrals = readers.read_referrals(readers.find_file(folder, "referrals.csv.gz"), geography)
        cin = readers.read_cin_census(readers.find_file(folder, "cin_census.csv"), geography)
        published = readers.read_published_figures(
            readers.find_file(folder, "published_figures.csv"), geography)
        return cls(geography, area_code, geography.name(area_code),
                   area_records(referrals, area_code), cin,
                   published_rereferrals(published, area_code))


def area_records(referrals: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """One authority's referrals with re-referral flags and reporting periods.

    Several referrals of one child on one day are first merged into one, as the DfE children in
    need census guide counts them (:func:`jsnalib.methods.derive.merge_same_day`); how many
    were merged is in ``attrs["same_day_merged"]``. Re-referrals are flagged over the
    authority's whole history (a referral is compared with the child's earlier referrals to the
    same authority). Referrals without a child ID stay in as
    referrals that can never be re-referrals; their number is in ``attrs["missing_child_id"]``.

    Args:
        referrals: the record-level extract (``jsnalib.inputs.readers.read_referrals``).
        area_code: the children's-services authority (e.g. ``"E10000028"``).

    Returns:
        The authority's rows with added columns ``rereferral`` (bool), ``financial_year``
        ("2015-16"), ``year`` (its first calendar year, int) and ``month`` (first day of the
        month, datetime), sorted by referral date.
    """
    needed = ["child_id", "referral_date", "area_code", "source", "outcome"]
    missing = [c for c in needed if c not in referrals.columns]
    if missing:
        raise ValueError(f"referrals has no column(s) {', '.join(missing)}")
    records = referrals[referrals["area_code"] == area_code]
    if records.empty:
        found = ", ".join(sorted(referrals["area_code"].astype(str).unique()))
        raise ValueError(f"there are no referrals for {area_code}; the extract covers {found}")
    records, merged = derive.merge_same_day(records)
    records = records.sort_values("referral_date", kind="stable").reset_index(drop=True)
    records["referral_date"] = pd.to_datetime(records["referral_date"])
    records["source"] = records["source"].astype(str)
    records["outcome"] = records["outcome"].astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", derive.MissingChildIdWarning)
        records["rereferral"] = derive.flag_rereferrals(records)
    records["financial_year"] = derive.financial_year(records["referral_date"])
    records["year"] = records["financial_year"].str[:4].astype(np.int64)
    records["month"] = records["referral_date"].dt.to_period("M").dt.to_timestamp()
    records.attrs["missing_child_id"] = int(derive.missing_child_ids(records).sum())
    records.attrs["same_day_merged"] = merged
    return records


def records_note(records: pd.DataFrame) -> str:
    """Plain English on two counting rules of :func:`area_records`: referrals without a child ID,
    and several referrals of one child on one day merged into one (with how many were merged;
    a count of 1 to 4 is not given)."""
    merged = int(records.attrs.get("same_day_merged", 0))
    lo, hi = disclosure.SMALL_COUNTS
    hidden = lo <= merged <= hi
    count = f"fewer than {hi + 1}" if hidden else f"{merged:,}"
    return ("Referrals without a child ID cannot be linked to earlier referrals, so they count as "
            "referrals but never as re-referrals; the table shows how many there were each year. "
            "Following the Department for Education's children in need census guide, several "
            "referrals of one child on the same day count as one referral: "
            + (f"{count} such extra referral{'s were' if hidden or merged != 1 else ' was'} merged into the "
               "first one that day before anything was counted." if merged else
               "there were none in these records."))


def first_full_year(records: pd.DataFrame) -> str:
    """The first financial year whose every referral has 12 months of earlier records to be
    compared with.

    Extracts are taken in whole months, so the records are taken to begin on the first day of
    the month of the earliest referral (an extract from 1 April 2006 whose first referral is on
    Monday 3 April still covers 1 April). The first full year is the first that starts 12 months
    or more after that day.

    Example:
        >>> first_full_year(pd.DataFrame({"referral_date": pd.to_datetime(["2006-04-03"])}))
        '2007-08'
    """
    return _label(first_full_financial_year(pd.Timestamp(records["referral_date"].min())))


def _select_years(records: pd.DataFrame, years: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    wanted = year_range(years)
    full = first_full_year(records)
    if _start_year(wanted[0]) < _start_year(full):
        raise ValueError(f"re-referrals need 12 months of earlier referrals: the first full year "
                         f"in these records is {full}, so years must start there or later "
                         f"(got {wanted[0]})")
    present = set(records["financial_year"].unique())
    absent = [y for y in wanted if y not in present]
    if absent:
        raise ValueError(f"there are no referrals in {', '.join(absent)}")
    return records[records["financial_year"].isin(wanted)], wanted


# ----------------------------------------------------------------------------------------------
# the annual series and benchmarks


def annual_series(records: pd.DataFrame, years: Sequence[str],
                  confidence: float = 0.95) -> pd.DataFrame:
    """Referrals, re-referrals and the re-referral percentage for each financial year.

    Args:
        records: from :func:`area_records`.
        years: [first, last] financial year, e.g. ``["2009-10", "2023-24"]``.
        confidence: for the Wilson score interval (0.95 or 95).

    Returns:
        DataFrame: ``financial_year, referrals, rereferrals, missing_child_id, percent, lower,
        upper`` (percent 0-100), unsuppressed (use :func:`annual_table` for display).
    """
    chosen, _ = _select_years(records, years)
    summary = derive.rereferral_summary(chosen, by="financial_year", flags=chosen["rereferral"])
    return _proportions(summary, "rereferrals", "referrals", confidence)


def annual_table(annual: pd.DataFrame) -> pd.DataFrame:
    """The annual series ready to display: small counts suppressed, readable column names."""
    safe = _suppress(annual)
    safe["missing_child_id"] = disclosure.suppress_small(safe["missing_child_id"])
    return _drop_empty_note(safe).rename(columns={
        "financial_year": "Financial year", "referrals": "Referrals",
        "rereferrals": "Re-referrals", "missing_child_id": "No child ID",
        "percent": "Re-referrals (%)", "lower": "Lower CI (%)", "upper": "Upper CI (%)",
        disclosure.NOTE_COLUMN: "Note"})


def benchmark_series(cin: pd.DataFrame, geography: Geography, area_code: str,
                     years: Sequence[str], confidence: float = 0.95) -> pd.DataFrame:
    """England, the region and the statistical neighbours (pooled) for each financial year.

    The neighbours' figure is their combined percentage, all their re-referrals over all their
    referrals, so larger authorities count for more (as a national average does); authorities
    with a suppressed or missing count that year are left out, and ``areas`` says how many
    contributed. Years of ``years`` that the census does not cover are simply absent.

    Args:
        cin: the children in need census counts (``jsnalib.inputs.readers.read_cin_census``).
        geography: the area lookup.
        area_code: the authority whose region and neighbours are wanted.
        years: [first, last] financial year.
        confidence: for the Wilson interval.

    Returns:
        DataFrame: ``series`` (area code or :data:`NEIGHBOURS`), ``name``, ``financial_year``,
        ``referrals``, ``rereferrals``, ``areas``, ``percent``, ``lower``, ``upper``.
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
    """The area and its benchmarks in one long frame for :func:`jsnalib.report.plots.trend_chart`
    (columns ``name, financial_year, referrals, rereferrals, percent, lower, upper``); the
    area's counts pass through small-number suppression."""
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

    Returns:
        DataFrame: ``Area, Referrals, Re-referrals, Re-referrals (%), Lower CI (%),
        Upper CI (%), <area> compared with this`` (the area's own row has no comparison); the
        area's counts are suppressed if small.
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
        safe.drop(columns=disclosure.NOTE_COLUMN).assign(name=area_name, comparison=""),
        others.assign(comparison=verdict),
    ], ignore_index=True)
    column = f"{area_name} compared with this"
    table = table.rename(columns={
        "name": "Area", "referrals": "Referrals", "rereferrals": "Re-referrals",
        "percent": "Re-referrals (%)", "lower": "Lower CI (%)", "upper": "Upper CI (%)",
        "comparison": column})
    return table[["Area", "Referrals", "Re-referrals", "Re-referrals (%)", "Lower CI (%)",
                  "Upper CI (%)", column]]


def comparison_reading(table: pd.DataFrame, area_name: str, year: str,
                       confidence: float = 0.95) -> str:
    """Plain English for :func:`comparison_table` (computed at ``confidence``)."""
    column = f"{area_name} compared with this"
    area = table.iloc[0]
    parts = [f"{row['Area']} ({_fmt(row['Re-referrals (%)'])}%): {row[column]}"
             for _, row in table.iloc[1:].iterrows()]
    return (f"In {year}, {_fmt(area['Re-referrals (%)'])}% of referrals in {area_name} were "
            f"re-referrals ({100 * _level(confidence):g}% CI {_fmt(area['Lower CI (%)'])}% to "
            f"{_fmt(area['Upper CI (%)'])}%). Compared with each benchmark (\"similar\" means the "
            "difference could be chance): " + "; ".join(parts)
            + ".")


def _difference_sentence(difference_ci: tuple, what: str, level: float) -> str:
    """"The <what> is X percentage points (CI a to b)" and whether chance could explain
    it, from :mod:`jsnalib.methods.difference` (proportions, -1 to 1)."""
    d, lower, upper = (100 * float(v) for v in difference_ci)
    if np.isnan(lower):
        return f"The {what} cannot be shown."
    text = (f"The {what} is {d:+.1f} percentage points ({100 * level:g}% CI "
            f"{lower:+.1f} to {upper:+.1f}): ")
    if lower > 0 or upper < 0:
        return text + ("the whole interval is on one side of no difference, so it is unlikely "
                       "to be chance.")
    return text + "the interval includes no difference, so it may be chance."


def series_reading(annual: pd.DataFrame, area_name: str, confidence: float = 0.95) -> str:
    """Plain English for the annual series: first and last years, and how often it fell."""
    level = _level(confidence)
    first, last = annual.iloc[0], annual.iloc[-1]
    change = np.sign(np.diff(annual["percent"].to_numpy()))
    falls, rises = int((change < 0).sum()), int((change > 0).sum())
    peak = annual.loc[annual["percent"].idxmax()]
    low = annual.loc[annual["percent"].idxmin()]
    verdict = _difference_sentence(
        difference.proportion_difference_ci(last["rereferrals"], last["referrals"],
                                            first["rereferrals"], first["referrals"], level),
        f"change from {first['financial_year']} to {last['financial_year']}", level)
    return (f"In {area_name}, {_ci_text(first, level=level)} of referrals in "
            f"{first['financial_year']} were re-referrals, and {_ci_text(last, level=level)} in "
            f"{last['financial_year']}. {verdict} Year on year, the percentage fell {falls} "
            f"times and rose {rises} times; it was highest in {peak['financial_year']} "
            f"({_fmt(peak['percent'])}%) and lowest in {low['financial_year']} "
            f"({_fmt(low['percent'])}%).")


# ----------------------------------------------------------------------------------------------
# funnel plot


def funnel_points(annual: pd.DataFrame, cin: pd.DataFrame, geography: Geography,
                  area_code: str, year: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area and its statistical neighbours in one year, with funnel-plot limits.

    The limits are those of :func:`jsnalib.methods.stats.proportion_funnel` (PHE method, Wilson score
    limits around the pooled percentage of the plotted authorities). When the authorities vary
    more than chance allows (:func:`jsnalib.methods.stats.proportion_funnel_overdispersed`,
    Spiegelhalter 2005: Winsorised dispersion test at 5%), the over-dispersion-adjusted limits
    are added beside them (columns ``lower_95_adjusted`` ... ``upper_998_adjusted``) and each
    position is judged against the adjusted limits.

    Returns:
        ``(points, limits)``: points with columns ``label, area_code, numerator, denominator,
        value`` (percent) and ``position`` ("within the 95% limits", "between the 95% and
        99.8% limits (high|low)", "outside the 99.8% limits (high|low)"), and ``attrs`` with
        the dispersion test (``phi``, ``tau2``, ``dispersion_p``, ``overdispersed``); limits
        as from ``proportion_funnel``, plus the adjusted ones when over-dispersed. The area's
        counts are suppressed if small (then it is left out).
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


def funnel_reading(points: pd.DataFrame, area_code: str, year: str) -> str:
    """Plain English for the funnel plot."""
    area = points[points["area_code"] == area_code]
    if area.empty:
        return f"The area's {year} figure is suppressed, so it is not plotted."
    row = area.iloc[0]
    outliers = points[(points["area_code"] != area_code)
                      & ~points["position"].str.startswith("within")]
    text = (f"In {year}, {row['label']} ({_fmt(row['value'])}% of {row['denominator']:,.0f} "
            f"referrals) is {row['position']} around the average of the {len(points)} "
            "authorities plotted. ")
    if points.attrs.get("overdispersed"):
        text += (f"The authorities differ from each other more than chance alone would make "
                 f"them (dispersion {points.attrs['phi']:.1f}, where about 1 is chance), so "
                 "positions are judged against limits widened to allow for that (the coloured "
                 "lines; Spiegelhalter 2005); the grey lines are the national method's plain "
                 "limits. ")
    if row["position"].startswith("within"):
        text += "Its difference from that average is what chance alone would often give. "
    else:
        text += "A difference this large is unlikely to be chance alone. "
    if outliers.empty:
        text += "None of its statistical neighbours is outside the 95% limits."
    else:
        text += "Neighbours outside the 95% limits: " + "; ".join(
            f"{r['label']} ({_fmt(r['value'])}%, {r['position']})"
            for _, r in outliers.iterrows()) + "."
    return text


# ----------------------------------------------------------------------------------------------
# what drives it: the logistic trend adjusted for referral source


def _reference_source(records: pd.DataFrame) -> str:
    counts = records["source"].value_counts()
    return str(counts.index[0])


def trend_model(records: pd.DataFrame, years: Sequence[str],
                confidence: float = 0.95) -> models.TrendFit:
    """Logistic regression of re-referral on financial year, adjusted for referral source.

    ``rereferral ~ year + C(source)`` on the individual referrals of ``years``
    (:func:`jsnalib.methods.models.binomial_trend`), with the most common source as the reference
    category so that each source's odds ratio compares it with the usual referrer. The year
    odds ratio is the change in the odds of a referral being a re-referral per year, among
    referrals from the same source.
    """
    chosen, _ = _select_years(records, years)
    frame = chosen[["rereferral", "year", "source"]]
    reference = _reference_source(frame)
    covariates = f"C(source, Treatment(reference='{reference}'))"
    return models.binomial_trend(frame, time="year", outcome="rereferral",
                                 covariates=covariates, confidence=confidence)


def odds_ratio_table(fit: models.TrendFit, confidence: float = 0.95) -> pd.DataFrame:
    """Odds ratios with confidence intervals from :func:`trend_model`, one row per term.

    Returns:
        DataFrame: ``Term``, ``Odds ratio``, ``Lower CI``, ``Upper CI`` and ``p-value`` (text:
        "<0.001" or three decimals); the year first, then each referral source against the
        reference source, in order of odds ratio.
    """
    result = fit.result
    level = _level(confidence)
    ci = result.conf_int(alpha=1 - level)
    rows = []
    for term in result.params.index:
        if term == "Intercept":
            continue
        if term == fit.time:
            label = "Each later year"
        else:
            reference = term.split("reference='")[1].split("'")[0]
            level_name = term.rsplit("[T.", 1)[1].rstrip("]")
            label = (f"Source: {SOURCE_LABELS.get(level_name, level_name)} "
                     f"(vs {SOURCE_LABELS.get(reference, reference)})")
        p = float(result.pvalues[term])
        rows.append({"Term": label, "Odds ratio": float(np.exp(result.params[term])),
                     "Lower CI": float(np.exp(ci.loc[term].iloc[0])),
                     "Upper CI": float(np.exp(ci.loc[term].iloc[1])),
                     "p-value": "<0.001" if p < 0.001 else f"{p:.3f}",
                     "_year": term == fit.time})
    table = pd.DataFrame(rows).sort_values(["_year", "Odds ratio"], ascending=[False, False],
                                           kind="stable")
    return table.drop(columns="_year").reset_index(drop=True)


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _trend_sentence(fit: models.TrendFit, years: Sequence[str]) -> str:
    first, last = year_range(years)[0], year_range(years)[-1]
    change = fit.percent_change
    level = 100 * fit.confidence
    lower, upper = 100 * (fit.ratio_lower - 1), 100 * (fit.ratio_upper - 1)
    direction = "fell" if change < 0 else "rose"
    text = (f"After allowing for who made the referral, the odds that a referral was a "
            f"re-referral {direction} by {abs(change):.1f}% a year between {first} and {last} "
            f"(odds ratio {fit.ratio:.3f} per year, {level:g}% CI {fit.ratio_lower:.3f} to "
            f"{fit.ratio_upper:.3f}; {_p_text(fit.p_value)}). ")
    if fit.ratio_lower <= 1 <= fit.ratio_upper:
        return text + ("The interval includes no change, so there is no clear evidence of a "
                       "steady trend over these years.")
    return text + (f"The whole interval ({lower:+.1f}% to {upper:+.1f}% a year) is on one side "
                   f"of no change, so the {'fall' if change < 0 else 'rise'} is unlikely to be "
                   "chance.")


def trend_reading(fit: models.TrendFit, years: Sequence[str], table: pd.DataFrame) -> str:
    """Plain English for the adjusted trend and for the referral sources.

    Args:
        fit: from :func:`trend_model`.
        years: the [first, last] financial years it was fitted to.
        table: its :func:`odds_ratio_table`.
    """
    text = _trend_sentence(fit, years) + " "
    sources = table[table["Term"].str.startswith("Source: ")]
    if sources.empty:
        return text.rstrip()
    names = sources["Term"].str.removeprefix("Source: ").str.split(" (vs ", regex=False)
    reference = names.iloc[0][1].rstrip(")")
    clear_high = sources[sources["Lower CI"] > 1]
    clear_low = sources[sources["Upper CI"] < 1]

    def listed(rows: pd.DataFrame) -> str:
        return ", ".join(f"{names[i][0].lower()} ({rows.at[i, 'Odds ratio']:.2f} times)"
                         for i in rows.index)

    text += (f"Compared with referrals from {reference.lower()}, the most common source, the "
             "odds of a re-referral were ")
    parts = []
    if not clear_high.empty:
        parts.append(f"higher for referrals from {listed(clear_high)}")
    if not clear_low.empty:
        parts.append(f"lower for referrals from {listed(clear_low)}")
    unclear = sources.drop(index=[*clear_high.index, *clear_low.index])
    if not unclear.empty:
        parts.append("not clearly different for " + ", ".join(
            names[i][0].lower() for i in unclear.index))
    return text + "; ".join(parts) + "."


def published_trend_reading(records: pd.DataFrame, rows: pd.DataFrame, span: int = 5,
                            confidence: float = 0.95) -> str:
    """Did the percentage fall steadily over the ``span`` years to the latest published figure?

    Fits :func:`trend_model` to the ``span`` financial years ending with the latest period in
    ``rows`` (:func:`published_rereferrals`) and reads it; empty when nothing is published or
    the records do not reach back that far.
    """
    if rows.empty:
        return ""
    last = max(rows["period"], key=_start_year)
    first = _label(_start_year(last) - span + 1)
    if _start_year(first) < _start_year(first_full_year(records)):
        return ""
    fit = trend_model(records, [first, last], confidence)
    sentence = _trend_sentence(fit, [first, last])
    return (f"Over the {span} years to the latest published figure ({last}), "
            + sentence[0].lower() + sentence[1:])


def source_table(records: pd.DataFrame, years: Sequence[str],
                 confidence: float = 0.95) -> pd.DataFrame:
    """Referrals, re-referrals and the percentage by referral source over ``years``, for
    display (small counts suppressed, including any that the column totals would reveal)."""
    chosen, wanted = _select_years(records, years)
    summary = derive.rereferral_summary(chosen, by="source", flags=chosen["rereferral"])
    summary = _proportions(summary, "rereferrals", "referrals", confidence)
    summary = summary.sort_values("referrals", ascending=False, kind="stable")
    summary.insert(0, "period", f"{wanted[0]} to {wanted[-1]}")
    safe = _suppress(summary.drop(columns="missing_child_id"), group_cols=["period"])
    safe["source"] = safe["source"].map(lambda s: SOURCE_LABELS.get(s, s))
    return _drop_empty_note(safe.drop(columns="period")).rename(columns={
        "source": "Referral source", "referrals": "Referrals", "rereferrals": "Re-referrals",
        "percent": "Re-referrals (%)", "lower": "Lower CI (%)", "upper": "Upper CI (%)",
        disclosure.NOTE_COLUMN: "Note"}).reset_index(drop=True)


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
    every month is judged against it with the rules of :mod:`jsnalib.methods.spc`. Counts pass through
    small-number suppression first, so a month with a suppressed count is shown as a gap and
    is not judged.

    Args:
        records: from :func:`area_records` (re-referrals flagged over the whole history).
        start, baseline_end, end: months like ``"2020-04"``; ``end`` defaults to the last month
            in the records.
        run_length, trend_length: as in :func:`jsnalib.methods.spc.p_chart`.

    Returns:
        ``(chart, labels)``: the :func:`jsnalib.methods.spc.p_chart` frame with a ``month`` column
        (first day of the month) and the month labels ("Apr 2020").
    """
    first = _month(start, "start")
    last = _month(end, "end") if end else records["month"].max()
    baseline_last = _month(baseline_end, "baseline_end")
    if not first <= baseline_last <= last:
        raise ValueError(f"months must satisfy start <= baseline_end <= end, got {start}, "
                         f"{baseline_end}, {end or last.strftime('%Y-%m')}")
    if first < pd.Timestamp(_start_year(first_full_year(records)), 4, 1):
        raise ValueError(f"start must be in or after {first_full_year(records)}, the first year "
                         "with 12 months of earlier referrals")
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


def monthly_table(chart: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """The data behind the p-chart, for display and download (counts already suppressed)."""
    names = {1: "high", -1: "low", 0: ""}
    table = pd.DataFrame({
        "Month": list(labels),
        "Referrals": chart["denominator"].round().astype("Int64"),
        "Re-referrals": chart["numerator"].round().astype("Int64"),
        "Re-referrals (%)": chart["value"],
        "Centre line (%)": chart["centre"],
        "Lower limit (%)": chart["lower"],
        "Upper limit (%)": chart["upper"],
        "Baseline": np.where(chart["baseline"], "yes", ""),
        "Signal": chart["signal"].map(names),
    })
    disclosure.assert_disclosure_safe(table, ["Referrals", "Re-referrals"])
    return table


def _meaning(direction: int, polarity: str) -> str:
    rise = "a rise" if direction > 0 else "a fall"
    concern = {"low_is_good": 1, "high_is_good": -1}.get(polarity)
    if concern is None:
        return rise
    return f"{rise} ({'a concern' if direction == concern else 'an improvement'})"


def signal_table(chart: pd.DataFrame, labels: Sequence[str],
                 polarity: str = "no_judgement") -> pd.DataFrame:
    """The special-cause signals of :func:`monthly_chart`, one row per rule and stretch of
    months, for display: ``Signal, Meaning, From, To, Months`` (no counts)."""
    episodes = spc.signal_episodes(chart, labels)
    return pd.DataFrame({
        "Signal": episodes["description"].str.capitalize(),
        "Meaning": [_meaning(1 if d == "high" else -1, polarity) for d in episodes["direction"]],
        "From": episodes["start"], "To": episodes["end"], "Months": episodes["periods"],
    })


def spc_reading(chart: pd.DataFrame, labels: Sequence[str], polarity: str = "no_judgement") -> str:
    """Plain English for :func:`monthly_chart`: the centre line, the latest month, how many
    months are signals, and when the chart, drawn month by month, first signalled a change
    after the baseline (:func:`jsnalib.methods.spc.first_detection`) against when the annual figure for
    that year would be known."""
    labels = list(labels)
    latest = chart.iloc[-1]
    baseline = np.flatnonzero(chart["baseline"].to_numpy())
    text = (f"The centre line is the average of {labels[baseline[0]]} to {labels[baseline[-1]]}, "
            f"{_fmt(latest['centre'])}%. In {labels[-1]}, {_fmt(latest['value'])}% of referrals "
            f"were re-referrals, ")
    text += ("outside the control limits. " if latest["beyond_limits"] != 0
             else f"within the control limits ({_fmt(latest['lower'])}% to "
                  f"{_fmt(latest['upper'])}%). ")
    signal = chart["signal"].to_numpy()
    if not signal.any():
        return text + ("No month shows a special-cause signal: the ups and downs are what "
                       "chance alone would produce.")
    counts = [f"{int((signal == d).sum())} as {_meaning(d, polarity)}" for d in (1, -1)
              if (signal == d).any()]
    text += f"Months marked as special-cause signals: {' and '.join(counts)}. "
    found = spc.first_detection(chart, after=int(baseline[-1]))
    if found is None:
        return text + "No month after the baseline is marked."
    position, direction = found
    month = pd.Timestamp(chart["month"].iloc[position])
    year = derive.financial_year(month)
    left = (3 - month.month) % 12
    wait = (f"{left} month{'s' if left != 1 else ''} before the end of {year}, the year whose "
            "annual figure would show it" if left else f"in the last month of {year}")
    return text + (f"After the baseline, the chart first signalled {_meaning(direction, polarity)}"
                   f" when the figures for {labels[position]} arrived: {wait}.")


# ----------------------------------------------------------------------------------------------
# time to re-referral


def time_to_rereferral(records: pd.DataFrame, cohort_year: str) -> pd.DataFrame:
    """Each child referred in ``cohort_year``: months from their first referral that year to
    their next referral, censored at the end of the data (the end of the month of the latest
    referral: extracts are taken in whole months) (:func:`derive.months_to_rereferral`).

    Returns:
        One row per child with ``outcome`` (of that first referral, labelled as in
        :data:`OUTCOME_LABELS`, ordered), ``source``, ``months`` and ``event``.
    """
    first = _start_year(cohort_year)
    if cohort_year not in set(records["financial_year"]):
        raise ValueError(f"there are no referrals in {cohort_year}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", derive.MissingChildIdWarning)
        cohort = derive.months_to_rereferral(
            records[["child_id", "referral_date", "source", "outcome"]],
            start=f"{first}-04-01", end=f"{first + 1}-03-31",
            data_end=records["referral_date"].max() + pd.offsets.MonthEnd(0))
    labels = [OUTCOME_LABELS.get(o, o) for o in OUTCOME_LABELS]
    cohort["outcome"] = pd.Categorical(cohort["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o)),
                                       categories=labels, ordered=True)
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
    cumulative_percent, cumulative_lower, cumulative_upper``."""
    grid = [t for t in published_times(cohort, follow_up, times) if t <= follow_up]
    return survival.kaplan_meier_curves(cohort, "outcome", grid=grid, confidence=confidence)


def survival_table(cohort: pd.DataFrame, times: Sequence[float] = (3, 6, 12),
                   confidence: float = 0.95, follow_up: int = 24) -> pd.DataFrame:
    """Percentage re-referred within each of ``times`` months, by outcome of the first
    referral, with confidence intervals; counts suppressed if small, and a time left out
    (blank, with a note) where its difference from another published point of the chart or
    table would be 1 to 4 children (:func:`published_times`; ``follow_up`` as for the chart).

    Returns:
        DataFrame: ``Outcome of referral, Months, Children, Re-referred by then, Re-referred
        (%), Lower CI (%), Upper CI (%)`` (and ``Note`` where anything was suppressed).
    """
    table = survival.kaplan_meier_table(cohort, "outcome", times=times, confidence=confidence)
    table["outcome"] = table["outcome"].astype(str)
    derived = ["cumulative_percent", "cumulative_lower", "cumulative_upper"]
    safe = disclosure.suppress_table(table, ["events", "censored", "remaining"],
                                     total_col="people", derived_cols=derived)
    step = ~table["time"].isin(published_times(cohort, follow_up, times))
    safe.loc[step, ["events", *derived]] = np.nan
    safe.loc[step, disclosure.NOTE_COLUMN] = ("left out: its difference from a neighbouring point "
                                              "of the chart or table would be 1-4 children")
    disclosure.assert_disclosure_safe(safe, ["people", "events", "censored", "remaining"])
    shown = safe.rename(columns={
        "outcome": "Outcome of referral", "time": "Months", "people": "Children",
        "events": "Re-referred by then", "cumulative_percent": "Re-referred (%)",
        "cumulative_lower": "Lower CI (%)", "cumulative_upper": "Upper CI (%)",
        disclosure.NOTE_COLUMN: "Note"})
    columns = ["Outcome of referral", "Months", "Children", "Re-referred by then",
               "Re-referred (%)", "Lower CI (%)", "Upper CI (%)"]
    if shown["Note"].notna().any():
        columns.append("Note")
    return shown[columns]


def survival_reading(table: pd.DataFrame, months: float = 12, confidence: float = 0.95) -> str:
    """Plain English for :func:`survival_table` (computed at ``confidence``) at one horizon:
    the groups most and least often referred again."""
    rows = table[(table["Months"] == months)].dropna(subset=["Re-referred (%)"])
    if rows.empty:
        return f"The percentage re-referred within {months:g} months cannot be shown."
    high = rows.loc[rows["Re-referred (%)"].idxmax()]
    low = rows.loc[rows["Re-referred (%)"].idxmin()]

    def say(row) -> str:
        return (f"{_fmt(row['Re-referred (%)'])}% ({100 * _level(confidence):g}% CI "
                f"{_fmt(row['Lower CI (%)'])}% to "
                f"{_fmt(row['Upper CI (%)'])}%)")

    gap = difference.difference_from_intervals(
        high["Re-referred (%)"] / 100, high["Lower CI (%)"] / 100, high["Upper CI (%)"] / 100,
        low["Re-referred (%)"] / 100, low["Lower CI (%)"] / 100, low["Upper CI (%)"] / 100)
    return (f"Within {months:g} months, {say(high)} of children whose referral ended in "
            f"\"{high['Outcome of referral'].lower()}\" were referred again, against {say(low)} "
            f"where it ended in \"{low['Outcome of referral'].lower()}\". "
            + _difference_sentence(gap, "difference between these two groups",
                                   _level(confidence)))


# ----------------------------------------------------------------------------------------------
# the published figures


def published_rereferrals(published: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The area's published re-referral figures (``published_figures.csv`` rows whose
    indicator starts with "Re-referral"), one row per figure and comparator."""
    rows = published[(published["area_code"] == area_code)
                     & published["indicator"].str.lower().str.startswith(_PUBLISHED_INDICATOR)]
    return rows.reset_index(drop=True)


def published_points(rows: pd.DataFrame) -> pd.DataFrame:
    """The published values as points for :func:`jsnalib.report.plots.trend_chart` (columns ``x,
    value, label``), one per period. The first point from each document is labelled with the
    document's title; later points from the same document are left unlabelled, so labels do not
    pile up."""
    points = rows.drop_duplicates("period").sort_values("period", key=lambda p: p.map(_start_year))
    titles = points["source"].str.rsplit(" line ", n=1).str[0]
    labels = np.where(titles.duplicated(), "", "Published: " + titles)
    return pd.DataFrame({"x": points["period"].to_numpy(), "value": points["value"].to_numpy(),
                         "label": labels})


def trend_figure(series: pd.DataFrame, published: pd.DataFrame,
                 area_name: str) -> tuple[Figure, str]:
    """The annual trend chart (:func:`jsnalib.report.plots.trend_chart`) of :func:`trend_data`, with the
    published points (:func:`published_points`, may be empty) and their labels set below the
    points, where the lines leave room. Returns ``(figure, alt_text)``."""
    fig, alt = plots.trend_chart(
        series, x="financial_year", value="percent", lower="lower", upper="upper",
        series="name", title=f"Re-referrals within 12 months: {area_name}",
        ylabel="Re-referrals (% of referrals)", xlabel="Financial year",
        published=published if len(published) else None)
    labelled = [text for text in fig.axes[0].texts if text.get_text()]
    for i, text in enumerate(labelled):
        text.xyann = (-6, -22 - 11 * i)
    return fig, alt


def published_check(rows: pd.DataFrame, annual: pd.DataFrame, benchmarks: pd.DataFrame,
                    area_name: str) -> pd.DataFrame:
    """Each published figure beside the modelled value and interval for the same year.

    The area's own figures are compared with :func:`annual_series`; published comparators
    ("England", the region's name, "Statistical neighbours") with :func:`benchmark_series`.
    ``Within CI`` is "yes" when the published value lies inside the modelled interval;
    ``Referrals`` and ``Re-referrals`` are the modelled counts (small ones suppressed).
    """
    wanted = [(area_name, period, value, source) for period, value, source in
              rows.drop_duplicates("period")[["period", "value", "source"]].itertuples(
                  index=False)]
    wanted += [(name, period, value, source) for name, period, value, source in
               rows.dropna(subset=["comparator_name"])[
                   ["comparator_name", "period", "comparator_value", "source"]].itertuples(
                   index=False)]
    names = {area_name: area_name, "Statistical neighbours": NEIGHBOURS_LABEL}
    modelled = pd.concat([_suppress(annual).assign(name=area_name), benchmarks],
                         ignore_index=True)
    out = []
    for name, period, value, source in wanted:
        match = modelled[(modelled["name"] == names.get(name, name))
                         & (modelled["financial_year"] == period)]
        model = match.iloc[0] if len(match) else pd.Series(dtype=float)
        lower, upper = model.get("lower", np.nan), model.get("upper", np.nan)
        within = ("" if pd.isna(lower) else "yes" if lower <= value <= upper else "no")
        out.append({"Area": name, "Financial year": period, "Published (%)": value,
                    "Referrals": model.get("referrals", np.nan),
                    "Re-referrals": model.get("rereferrals", np.nan),
                    "Modelled (%)": model.get("percent", np.nan), "Lower CI (%)": lower,
                    "Upper CI (%)": upper, "Within CI": within, "Source": source})
    check = pd.DataFrame(out, columns=["Area", "Financial year", "Published (%)", "Referrals",
                                       "Re-referrals", "Modelled (%)", "Lower CI (%)",
                                       "Upper CI (%)", "Within CI", "Source"])
    check[["Referrals", "Re-referrals"]] = check[["Referrals", "Re-referrals"]].astype("Int64")
    return check


def published_check_reading(check: pd.DataFrame, area_name: str) -> str:
    """Plain English for :func:`published_check` (the area's own figures)."""
    own = check[(check["Area"] == area_name) & (check["Within CI"] != "")]
    if own.empty:
        return f"No re-referral figures have been published for {area_name} in these years."
    inside = own[own["Within CI"] == "yes"]
    listed = "; ".join(f"{r['Financial year']}: published {r['Published (%)']:g}%, modelled "
                       f"{_fmt(r['Modelled (%)'])}% ({_fmt(r['Lower CI (%)'])}% to "
                       f"{_fmt(r['Upper CI (%)'])}%)" for _, r in own.iterrows())
    verdict = ("Every published figure lies within the modelled interval"
               if len(inside) == len(own) else
               f"{len(own) - len(inside)} of {len(own)} published figures lie outside the "
               "modelled interval")
    return f"{verdict}: {listed}."
