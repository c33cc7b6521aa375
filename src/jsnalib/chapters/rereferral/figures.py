"""The re-referral page's charts and tables: one function per figure or table, each
``f(results)`` returning what the notebook shows (:mod:`jsnalib.report.display`).

Column headings and number formats of every table are set here once (:data:`FORMATS`); the
names of referral sources and outcomes come from :mod:`.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from jsnalib.inputs.periods import financial_start_year
from jsnalib.methods import disclosure
from jsnalib.report import charts, display, plots
from jsnalib.report.format import p_value

from .analyse import Results, has_records
from .load import FILES
from .text import OUTCOME_LABELS, PHRASES, SOURCE_LABELS, meaning

__all__ = [
    "FORMATS",
    "annual_table",
    "comparison_table",
    "data_notice",
    "funnel_chart",
    "monthly_table",
    "odds_table",
    "published_points",
    "published_table",
    "signals_table",
    "sources_table",
    "spc_chart",
    "time_chart",
    "time_table",
    "trend_chart",
    "trend_figure",
]

#: Number formats of table columns, by heading (a heading a table lacks is skipped).
FORMATS = {
    "Referrals": "{:,}", "Re-referrals": "{:,}", "No child ID": "{:,}",
    "Re-referrals (%)": "{:.1f}", "Lower CI (%)": "{:.1f}", "Upper CI (%)": "{:.1f}",
    "Modelled (%)": "{:.1f}", "Odds ratio": "{:.3f}", "Lower CI": "{:.3f}", "Upper CI": "{:.3f}",
    "Months": "{:g}", "Children": "{:,}", "Re-referred by then": "{:,}",
    "Re-referred (%)": "{:.1f}", "DfE referrals": "{:,.0f}", "DfE re-referrals": "{:,.0f}",
    "DfE published (%)": "{:.1f}", "DfE lower CI (%)": "{:.1f}", "DfE upper CI (%)": "{:.1f}",
}
#: Column headings of the count tables.
_HEADINGS = {
    "financial_year": "Financial year", "referrals": "Referrals", "rereferrals": "Re-referrals",
    "missing_child_id": "No child ID", "percent": "Re-referrals (%)", "lower": "Lower CI (%)",
    "upper": "Upper CI (%)", disclosure.NOTE_COLUMN: "Note",
}
#: Headings of the authority's own DfE figures beside the record-derived ones.
_DFE_HEADINGS = {
    "referrals": "DfE referrals", "rereferrals": "DfE re-referrals",
    "percent": "DfE published (%)", "lower": "DfE lower CI (%)", "upper": "DfE upper CI (%)",
}
#: Where the record-derived columns come from, by whether the records are synthetic.
_RECORDS_SOURCE = {True: "from the synthetic demonstration records",
                   False: "from the referral records"}
_WITHIN = {"within": "yes", "outside": "no", "not compared": ""}
_Y_LABEL = "Re-referrals (% of referrals)"


def _table(data: pd.DataFrame, caption: str, name: str) -> HTML:
    """A table; in its download each count blanked by small-number suppression (the record
    counts: referrals, re-referrals, referrals without a child ID) gets its reason in the
    ``Note`` column."""
    formats = {column: fmt for column, fmt in FORMATS.items() if column in data.columns}
    counts = [c for c in ("Referrals", "Re-referrals", "No child ID", "Children",
                          "Re-referred by then") if c in data.columns]
    derived = [c for c in ("Re-referrals (%)", "Lower CI (%)", "Upper CI (%)", "Re-referred (%)")
               if c in data.columns]
    download = display.note_suppressed(data, counts, derived, column="Note") if counts else None
    return display.table(data, caption, name=name, formats=formats, download=download)


def data_notice(data_dir: str | Path) -> HTML:
    """The data notice: whether the page's files (:data:`~.load.FILES`) are the synthetic
    default."""
    return display.data_notice(data_dir, FILES)


# ----------------------------------------------------------------------------------------------
# the annual series


def published_points(rows: pd.DataFrame) -> pd.DataFrame:
    """The published values as points for :func:`jsnalib.report.plots.trend_chart` (columns
    ``x, value, label``), one per period. The first point from each document is labelled with
    the document's title; later points from the same document are left unlabelled, so labels
    do not pile up."""
    points = rows.drop_duplicates("period").sort_values(
        "period", key=lambda p: p.map(financial_start_year))
    titles = points["source"].str.rsplit(" line ", n=1).str[0]
    labels = np.where(titles.duplicated(), "", "Published: " + titles)
    return pd.DataFrame({"x": points["period"].to_numpy(), "value": points["value"].to_numpy(),
                         "label": labels})


@plots.house_style
def trend_figure(series: pd.DataFrame, published: pd.DataFrame,
                 area_name: str) -> tuple[Figure, str]:
    """The annual trend chart (:func:`jsnalib.report.plots.trend_chart`) of the area and its
    benchmarks, with the published points (:func:`published_points`, may be empty) and their
    labels set below the points, where the lines leave room. Returns ``(figure, alt_text)``."""
    fig, alt = plots.trend_chart(
        series, x="financial_year", value="percent", lower="lower", upper="upper",
        series="name", title=f"Re-referrals within 12 months: {area_name}",
        ylabel=_Y_LABEL, xlabel="Financial year",
        published=published if len(published) else None)
    labelled = [text for text in fig.axes[0].texts if text.get_text()]
    for i, text in enumerate(labelled):
        text.xyann = (-6, -22 - 11 * i)
    return fig, alt


@plots.house_style
def trend_chart(results: Results) -> HTML:
    """The re-referral percentage each year beside the benchmarks and published figures."""
    fig, alt = trend_figure(results.series, published_points(results.published),
                            results.area_name)
    return display.figure(fig, alt, f"Re-referrals as a percentage of referrals, "
                          f"{results.area_name} and benchmarks, with confidence intervals; "
                          "diamonds are published figures.", results.series,
                          name="rereferral-trend")


def annual_table(results: Results) -> HTML:
    """Referrals and re-referrals each year from the records (small counts suppressed), beside
    the authority's own figures as DfE publishes them (blank in years DfE does not cover); the
    DfE figures alone when there are no records."""
    if not has_records(results):
        return _table(results.dfe.rename(columns=_DFE_HEADINGS | {
            "financial_year": "Financial year"}),
            f"Referrals and re-referrals each year, {results.area_name}, as the Department for "
            "Education publishes them (Characteristics of children in need)",
            name="rereferral-annual")
    dfe = results.dfe.set_index("financial_year")[list(_DFE_HEADINGS)].rename(
        columns=_DFE_HEADINGS)
    table = results.annual_shown.rename(columns=_HEADINGS).join(dfe, on="Financial year")
    caption = (f"Referrals and re-referrals each year, {results.area_name}: "
               f"{_RECORDS_SOURCE[results.synthetic_records]}, and as the Department for "
               "Education publishes them (Characteristics of children in need)")
    return _table(table, caption, name="rereferral-annual")


def comparison_table(results: Results) -> HTML:
    """The latest year beside England, the region and the neighbours, with the verdicts."""
    column = f"{results.area_name} compared with this"
    table = results.comparison.assign(verdict=results.comparison["verdict"].fillna(""))
    table = table.rename(columns={**_HEADINGS, "name": "Area", "verdict": column})
    return _table(table, f"Re-referrals in {results.latest}: {results.area_name} and benchmarks",
                  name="rereferral-comparison")


def published_table(results: Results) -> HTML | None:
    """Each published figure beside the modelled one (nothing when none is published)."""
    check = results.published_check
    if check.empty:
        return None
    shown = check.assign(verdict=check["verdict"].map(_WITHIN)).rename(columns={
        "area": "Area", "financial_year": "Financial year", "published": "Published (%)",
        "referrals": "Referrals", "rereferrals": "Re-referrals", "percent": "Modelled (%)",
        "lower": "Lower CI (%)", "upper": "Upper CI (%)", "verdict": "Within CI",
        "source": "Source"})
    return _table(shown, f"Published re-referral figures and the data, {results.area_name}",
                  name="rereferral-published")


# ----------------------------------------------------------------------------------------------
# the funnel plot and the drivers


@plots.house_style
def funnel_chart(results: Results) -> HTML:
    """The area and its statistical neighbours in the latest year on a funnel plot."""
    fig, alt = plots.funnel_chart(
        results.funnel_points, results.funnel_limits,
        f"Re-referrals in {results.latest}: {results.area_name} and its statistical neighbours",
        xlabel="Referrals in the year", ylabel=_Y_LABEL, highlight=[results.area_name])
    return display.figure(fig, alt, f"Funnel plot of re-referral percentages, {results.latest}, "
                          "with 95% and 99.8% control limits around the pooled average.",
                          results.funnel_points, name="rereferral-funnel")


def odds_table(results: Results) -> HTML | None:
    """Odds ratios of the trend model: each later year, and each source against the most
    common one.
    Nothing when there are no records (the text says what is missing)."""
    if not has_records(results):
        return None
    odds = results.odds
    reference = SOURCE_LABELS.get(results.reference_source, results.reference_source)
    terms = ["Each later year" if term == "year" else
             f"Source: {SOURCE_LABELS.get(term, term)} (vs {reference})" for term in odds["term"]]
    table = pd.DataFrame({"Term": terms, "Odds ratio": odds["odds_ratio"],
                          "Lower CI": odds["lower"], "Upper CI": odds["upper"],
                          "p-value": [p_value(p) for p in odds["p_value"]]})
    return _table(table, f"Odds of a referral being a re-referral, {results.area_name}, "
                  f"{results.years[0]} to {results.years[-1]} (logistic regression)",
                  name="rereferral-odds-ratios")


def sources_table(results: Results) -> HTML | None:
    """Referrals and re-referrals by referral source over the years shown.
    Nothing when there are no records (the text says what is missing)."""
    if not has_records(results):
        return None
    table = results.sources.assign(
        source=results.sources["source"].map(lambda s: SOURCE_LABELS.get(s, s)))
    return _table(table.rename(columns={**_HEADINGS, "source": "Referral source"}),
                  f"Re-referrals by referral source, {results.area_name}, {results.years[0]} "
                  f"to {results.years[-1]}", name="rereferral-sources")


# ----------------------------------------------------------------------------------------------
# the monthly chart


def monthly_table(chart: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """The data behind the p-chart, for download (counts already suppressed)."""
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


@plots.house_style
def spc_chart(results: Results) -> HTML | None:
    """The monthly p-chart with its special-cause signals.
    Nothing when there are no records (the text says what is missing)."""
    if not has_records(results):
        return None
    fig, alt = charts.p_chart_plot(results.monthly, list(results.month_labels),
                                   f"Re-referrals each month: {results.area_name}",
                                   ylabel=_Y_LABEL, polarity=results.polarity)
    return display.figure(fig, alt, f"Monthly p-chart of re-referrals, {results.area_name}: "
                          "centre line from the baseline period, 3-sigma control limits and "
                          "special-cause signals.",
                          monthly_table(results.monthly, results.month_labels),
                          name="rereferral-spc")


def signals_table(results: Results) -> HTML | None:
    """The chart's special-cause signals, one row per rule and stretch of months (nothing when
    there are none)."""
    episodes = results.signals
    if not has_records(results) or episodes.empty:
        return None
    table = pd.DataFrame({
        "Signal": episodes["description"].str.capitalize(),
        "Meaning": [meaning("rise" if d == "high" else "fall", results.polarity)
                    for d in episodes["direction"]],
        "From": episodes["start"], "To": episodes["end"], "Months": episodes["periods"],
    })
    return _table(table, f"Special-cause signals on the monthly chart, {results.area_name}",
                  name="rereferral-spc-signals")


# ----------------------------------------------------------------------------------------------
# time to re-referral


@plots.house_style
def time_chart(results: Results) -> HTML | None:
    """Kaplan-Meier curves of the time to the next referral, by outcome of the first.
    Nothing when there are no records (the text says what is missing)."""
    if not has_records(results):
        return None
    curves = results.time_curves.assign(outcome=results.time_curves["outcome"].map(OUTCOME_LABELS))
    fig, alt = charts.cumulative_chart(
        curves, "outcome", f"Children referred again: {results.area_name}, referred in "
        f"{results.cohort_year}", xlabel="Months since referral",
        ylabel="Referred again (% of children)", confidence=results.confidence)
    return display.figure(fig, alt, f"Percentage of children referred in {results.cohort_year} "
                          "who were referred again, by months since the referral and its "
                          "outcome (Kaplan-Meier), with confidence intervals.", curves,
                          name="rereferral-time")


def time_table(results: Results) -> HTML | None:
    """The percentage re-referred within each horizon, by outcome (times that would reveal a
    small number left out, with a note).
    Nothing when there are no records (the text says what is missing)."""
    if not has_records(results):
        return None
    table = results.time_table
    note = table[disclosure.NOTE_COLUMN].where(~table["left_out"], PHRASES["left out"])
    shown = pd.DataFrame({
        "Outcome of referral": table["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o)),
        "Months": table["time"], "Children": table["people"],
        "Re-referred by then": table["events"], "Re-referred (%)": table["cumulative_percent"],
        "Lower CI (%)": table["cumulative_lower"], "Upper CI (%)": table["cumulative_upper"]})
    if note.notna().any():
        shown["Note"] = note
    months = ", ".join(f"{m:g}" for m in table["time"].drop_duplicates())
    return _table(shown, f"Children referred again within {months} months, "
                  f"{results.area_name}, referred in {results.cohort_year}",
                  name="rereferral-time-table")
