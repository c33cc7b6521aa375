"""The infant mortality page's charts and tables: each function takes :class:`.analyse.Results`
and returns one display object (:mod:`jsnalib.report.display`), with alt text, a caption and
its data as a CSV download."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from jsnalib.report import display, plots
from jsnalib.report.format import number

from .analyse import Results
from .load import DATA_CONTRACTS
from .text import ENGLAND_SOURCE, PHRASES, UNIT, ci_label, possessive

YLABEL = "Infant deaths per 1,000 live births"
#: Number formats of the rate tables' columns (by column key; headings come from
#: :func:`_rate_headings`).
RATE_FORMATS = {"live_births": "{:,.0f}", "infant_deaths": "{:,.0f}", "rate": "{:.1f}",
                "lower": "{:.1f}", "upper": "{:.1f}", "benchmark_rate": "{:.1f}"}
#: Headings and formats of the published figures table.
PUBLISHED_HEADINGS = {"indicator": "Indicator", "period": "Period", "value": "Value",
                      "unit": "Unit", "comparator_name": "Comparator",
                      "comparator_value": "Comparator value", "source": "Source"}
PUBLISHED_FORMATS = {"Value": "{:.1f}", "Comparator value": "{:.1f}"}


def _download(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV-ready copy with floats rounded to 4 decimals (stable across platforms)."""
    return frame.round(4)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _rate_headings(confidence: float, benchmark_name: str | None) -> dict[str, str]:
    label, bench = ci_label(confidence), benchmark_name or "benchmark"
    return {"area_name": "Area", "quintile": "Deprivation quintile",
            "decile": "Deprivation decile", "period": "Period",
            "live_births": "Live births", "infant_deaths": "Infant deaths",
            "rate": f"Rate {UNIT}", "lower": f"{label} lower", "upper": f"{label} upper",
            "benchmark_rate": f"{bench} rate", "compared": f"Compared with {bench}",
            "note": "Note"}


def _rate_table(rows: pd.DataFrame, confidence: float, benchmark_name: str | None,
                caption: str, name: str, download: pd.DataFrame) -> HTML:
    """A rates table with readable headings and :data:`RATE_FORMATS`."""
    headings = _rate_headings(confidence, benchmark_name)
    columns = [c for c in headings if c in rows]
    formats = {headings[c]: fmt for c, fmt in RATE_FORMATS.items()
               if c in columns and (c != "benchmark_rate" or benchmark_name)}
    return display.table(rows[columns].rename(columns=headings), caption=caption, name=name,
                         formats=formats, download=_download(download))


def _shown_files(data_dir: str | Path) -> list[str]:
    """The page's data files, less the local deprivation quintiles while they are the synthetic
    demonstration file, which the page never shows (:attr:`.load.Inputs.deprivation_synthetic`)."""
    files = [c.filename for c in DATA_CONTRACTS]
    return [f for f in files if not (f.startswith("births_deaths_imd.")
                                     and display.is_synthetic(data_dir, [f]))]


def data_notice(data_dir: str | Path) -> HTML:
    """The line after the headline saying which figures are synthetic (none, unless the page
    shows a synthetic file), with :func:`_shown_files`."""
    return display.data_notice(data_dir, _shown_files(data_dir))


def sources(data_dir: str | Path) -> HTML:
    """The page's sources, publishers and data releases (:func:`_shown_files`, plus the area
    lookups)."""
    return display.sources(data_dir, [*_shown_files(data_dir), "areas.csv", "neighbours.csv"])


# ----------------------------------------------------------------------------------------------
# charts


@plots.house_style
def pooled_chart(results: Results) -> HTML:
    """The headline chart: pooled rates of the area, its region and the comparator, with the
    published figures for the same periods as black diamonds."""
    r = results
    title = f"Infant mortality, {r.area_name}: {r.pool}-year pooled rates"
    fig, alt = plots.trend_chart(r.pooled, x="period", value="rate", lower="lower", upper="upper",
                                 series="area_name", title=title, ylabel=YLABEL,
                                 xlabel=f"{r.pool}-year period (calendar years)",
                                 published=r.published_points)
    names = ", ".join(r.pooled["area_name"].unique())
    caption = (f"Infant deaths {UNIT}, {r.pool}-year pooled, {names}; shaded bands are "
               f"{ci_label(r.confidence)}s.")
    if not r.published_points.empty:
        caption += " Black diamonds are published figures, labelled with their source document."
    return display.figure(fig, alt=alt, caption=caption, data=_download(r.pooled),
                          name=f"infant-mortality-pooled-{_slug(r.area_name)}")


@plots.house_style
def _projection_plot(results: Results, annual: pd.DataFrame, title: str) -> tuple[Figure, str]:
    """Observed annual rates, the fitted trend, its projection with a prediction interval, and
    the comparator's latest rate as a reference line (house style of :mod:`jsnalib.report.plots`)."""
    r, fitted, projected, bench_row = results, results.fitted, results.projected, \
        results.benchmark_latest
    label = ci_label(r.confidence).removesuffix(" CI")
    fig, ax = plots.subplots()
    shown = annual.dropna(subset=["rate"])
    ax.errorbar(shown["start_year"], shown["rate"],
                yerr=np.vstack([shown["rate"] - shown["lower"], shown["upper"] - shown["rate"]]),
                fmt="o", ms=4, color=plots.PALETTE[0], capsize=2, lw=1,
                label=f"Observed rate ({label} CI)")
    ax.plot(fitted["year"], fitted["rate"], color=plots.PALETTE[1], lw=1.8, label="Fitted trend")
    ax.fill_between(fitted["year"], fitted["lower"], fitted["upper"], color=plots.PALETTE[1],
                    alpha=0.25, linewidth=0, label=f"{label} CI of the trend")
    years = np.concatenate([[fitted["year"].iloc[-1]], projected["year"]])
    central = np.concatenate([[fitted["rate"].iloc[-1]], projected["rate"]])
    ax.plot(years, central, color=plots.PALETTE[1], lw=1.8, ls="--", label="Projected trend")
    ax.fill_between(projected["year"], projected["lower_pi"], projected["upper_pi"],
                    color=plots.PALETTE[1], alpha=0.12, linewidth=0,
                    label=f"{label} prediction interval (single year)")
    bench = float(bench_row["rate"])
    ax.axhline(bench, color=plots.PALETTE[6], lw=1, ls=":",
               label=f"{r.comparator_name} {bench_row['period']}: {number(bench)}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(plots.wrap_title(title))
    ax.set_xlabel("Year")
    ax.set_ylabel(YLABEL)
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    plots.legend_below(fig, ax)
    end = projected.iloc[-1]
    first_obs, last_obs = shown.iloc[0], shown.iloc[-1]
    alt = plots.alt_text(
        "Chart", title, f"the rate went from {number(first_obs['rate'])} in "
        f"{int(first_obs['start_year'])} to {number(last_obs['rate'])} in "
        f"{int(last_obs['start_year'])} and the trend reaches {number(end['rate'])} per 1,000 "
        f"by {int(end['year'])} ({possessive(r.comparator_name)} rate {number(bench)})")
    return fig, alt


@plots.house_style
def projection_chart(results: Results) -> HTML:
    """Annual rates, the fitted trend and its projection against the comparator's latest rate."""
    r = results
    end = int(r.projected["year"].iloc[-1])
    annual = r.annual[r.annual["area_code"] == r.area_code]
    title = f"Infant mortality, {r.area_name}: trend {r.years} and projection to {end}"
    fig, alt = _projection_plot(r, annual, title)
    data = pd.concat([
        annual.assign(series="observed")[["series", "start_year", "live_births",
                                          "infant_deaths", "rate", "lower", "upper"]]
        .rename(columns={"start_year": "year"}),
        r.fitted.assign(series="fitted trend"),
        r.projected.rename(columns={"lower_ci": "lower", "upper_ci": "upper"})
        .assign(series="projection"),
    ], ignore_index=True)
    caption = (f"Infant deaths {UNIT} in {r.area_name} each year with {ci_label(r.confidence)}s, "
               f"the fitted {PHRASES['model'][r.fit.family]} trend and its projection to {end} "
               f"(shaded: the range a single year's rate could take by chance); dotted line: "
               f"{possessive(r.comparator_name)} {r.benchmark_latest['period']} rate.")
    if annual["rate"].isna().any():
        caption += (" Years with fewer than 3 deaths have no rate drawn, but their deaths and "
                    "births are part of the trend.")
    return display.figure(fig, alt=alt, caption=caption, data=_download(data),
                          name=f"infant-mortality-projection-{_slug(r.area_name)}")


@plots.house_style
def england_deprivation_chart(results: Results) -> HTML | None:
    """England's rates by IMD decile (ONS death cohort) with the SII line; None without the
    decile data (the text says so)."""
    r = results
    if r.deciles.empty:
        return None
    period = r.deciles["period"].iloc[0]
    title = f"Infant mortality by deprivation decile, England, {period} (ONS, death cohort)"
    fig, alt = plots.gradient_chart(r.deciles, group="decile", value="rate", lower="lower",
                                    upper="upper", title=title,
                                    xlabel="Deprivation decile of the mother's area (IMD)",
                                    ylabel=YLABEL, fitted=r.england_line)
    fig.axes[0].tick_params(axis="x", labelsize=7)
    caption = (f"Infant deaths {UNIT} in England by IMD decile of the mother's area, {period}, "
               f"with {ci_label(r.confidence)}s. Source: {ENGLAND_SOURCE}; deaths counted in "
               "the year they happened.")
    caption += (" The line is the slope index of inequality fitted across the deciles."
                if r.england_line is not None else " Deciles with fewer than 3 deaths have no rate.")
    return display.figure(fig, alt=alt, caption=caption, data=_download(r.deciles),
                          name="infant-mortality-deprivation-england")


def england_deprivation_table(results: Results) -> HTML | None:
    """England's rates by IMD decile with counts and intervals; None without the decile data."""
    r = results
    if r.deciles.empty:
        return None
    return _rate_table(r.deciles, r.confidence, None,
                       caption=(f"England: infant mortality by deprivation decile, "
                                f"{r.deciles['period'].iloc[0]} ({ENGLAND_SOURCE})"),
                       name="infant-mortality-deprivation-england-table", download=r.deciles)


@plots.house_style
def deprivation_chart(results: Results) -> HTML | None:
    """The area's (or its county's) rates by deprivation quintile with the SII line; None when
    there are no local quintile figures to show (the text says why)."""
    r = results
    if r.deprivation_code is None:
        return None
    rows = r.quintiles[r.quintiles["area_code"] == r.deprivation_code].sort_values("imd_quintile")
    name, period = rows["area_name"].iloc[0], rows["period"].iloc[0]
    title = f"Infant mortality by deprivation quintile, {name}, {period}"
    fig, alt = plots.gradient_chart(rows, group="quintile", value="rate", lower="lower",
                                    upper="upper", title=title,
                                    xlabel="Deprivation quintile (IMD)", ylabel=YLABEL,
                                    fitted=r.gradient_line)
    caption = (f"Infant deaths {UNIT} in {name} by IMD quintile of the mother's area, {period}, "
               f"with {ci_label(r.confidence)}s")
    caption += ("; the line is the slope index of inequality fitted across the quintiles."
                if r.gradient_line is not None else
                "; quintiles with fewer than 3 deaths have no rate.")
    return display.figure(fig, alt=alt, caption=caption,
                          data=_download(r.quintiles[r.quintiles["area_code"] == r.deprivation_code]),
                          name=f"infant-mortality-deprivation-{_slug(name)}")


# ----------------------------------------------------------------------------------------------
# tables


def pooled_table(results: Results) -> HTML:
    """The area's pooled rates, each period compared with the comparator's."""
    r = results
    return _rate_table(r.pooled[r.pooled["area_code"] == r.area_code], r.confidence,
                       r.comparator_name,
                       caption=f"{r.area_name}: infant mortality, {r.pool}-year pooled rates",
                       name=f"infant-mortality-pooled-table-{_slug(r.area_name)}",
                       download=r.pooled)


def annual_table(results: Results) -> HTML:
    """The area's single-year rates, each compared with the comparator's."""
    r = results
    return _rate_table(r.annual[r.annual["area_code"] == r.area_code], r.confidence,
                       r.comparator_name, caption=f"{r.area_name}: infant mortality by calendar year",
                       name=f"infant-mortality-annual-{_slug(r.area_name)}", download=r.annual)


def deprivation_table(results: Results) -> HTML | None:
    """Quintile rates of the area (or its county) and of the comparator, when it has them;
    None when there are no local quintile figures to show."""
    r = results
    if r.deprivation_code is None:
        return None
    return _rate_table(r.quintiles, r.confidence, None,
                       caption=f"Infant mortality by deprivation quintile, {r.quintiles['period'].iloc[0]}",
                       name=f"infant-mortality-deprivation-table-{_slug(r.area_name)}",
                       download=r.quintiles)


def published_table(results: Results) -> HTML | None:
    """The published figures for the area, with their source document and line (None when
    there are none)."""
    r = results
    if r.published.empty:
        return None
    return display.table(r.published.rename(columns=PUBLISHED_HEADINGS),
                         caption=f"Published infant mortality figures, {r.area_name}",
                         name=f"infant-mortality-published-{_slug(r.area_name)}",
                         formats=PUBLISHED_FORMATS)
