"""The book's house style for charts. Each function returns ``(figure, alt_text)``.

Charts have a title, labelled axes with units, a legend where there is more than one series, and
alt text that states what the chart shows in numbers, for readers using a screen reader. Pass
the pair to :func:`jsnalib.report.display.figure` to put it on the page with its data as CSV.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: Colour-blind-safe palette (Okabe-Ito), first colour for the local area.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
#: Fill of each rating (Okabe-Ito): better bluish green, similar yellow, worse vermilion are
#: distinct hues for every kind of colour vision; the word is always written as well. Text on
#: each fill is black or white (:func:`text_colour`), at least 4.5:1 either way.
RATING_COLOURS = {"better": "#009E73", "similar": "#F0E442", "worse": "#D55E00",
                  "not compared": "#999999", "higher": "#56B4E9", "lower": "#0072B2"}

#: The house style: matplotlib's defaults with these changes, applied only while a chart is drawn
#: (:func:`house_style`), so importing this module changes nothing for anyone else.
HOUSE_STYLE = {
    "figure.figsize": (8, 4.5),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "font.size": 10,
    "legend.frameon": False,
    "svg.hashsalt": "jsna",
}


def house_style(function: Callable[..., Any]) -> Callable[..., Any]:
    """Draw inside the house style: matplotlib's defaults plus :data:`HOUSE_STYLE`, whatever
    the session's own settings, restored afterwards."""

    @functools.wraps(function)
    def styled(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.style.context(["default", HOUSE_STYLE]):
            return function(*args, **kwargs)

    return styled


def subplots(*args: Any, figsize: tuple[float, float] | None = None,
             **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure and its axes, outside pyplot (nothing is registered or shown by a notebook
    backend; the figure is drawn to PNG by :func:`jsnalib.report.display.figure`)."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*args, **kwargs)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance (0 black to 1 white) of a ``#rrggbb`` colour."""
    channels = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio (1 to 21) between two ``#rrggbb`` colours."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with the ``#rrggbb`` fill behind the text."""
    return "#000000" if contrast_ratio(fill, "#000000") >= contrast_ratio(fill, "#ffffff") else "#ffffff"


def _fmt(value: float, decimals: int = 1) -> str:
    return "not available" if pd.isna(value) else f"{value:,.{decimals}f}"


@house_style
def trend_chart(
    data: pd.DataFrame,
    x: str,
    value: str,
    lower: str,
    upper: str,
    series: str,
    title: str,
    ylabel: str,
    xlabel: str = "Year",
    published: pd.DataFrame | None = None,
    decimals: int = 1,
    confidence: float = 0.95,
) -> tuple[Figure, str]:
    """Lines with shaded confidence bands (95% by default), one per series (area), plus published points.

    `published` (optional) has columns x, value, label: figures from documents, drawn as black
    diamonds and labelled with their source so they are never mistaken for modelled values.
    """
    level = f"{confidence * 100 if confidence <= 1 else confidence:g}%"
    fig, ax = subplots()
    alt_parts = []
    for i, (name, group) in enumerate(data.groupby(series, sort=False)):
        group = group.sort_values(x)
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(group[x].astype(str), group[value], marker="o", ms=3, color=colour, label=name)
        ax.fill_between(group[x].astype(str), group[lower], group[upper], color=colour,
                        alpha=0.18, linewidth=0)
        first, last = group.iloc[0], group.iloc[-1]
        alt_parts.append(f"{name} went from {_fmt(first[value], decimals)} in {first[x]} to "
                         f"{_fmt(last[value], decimals)} ({level} CI {_fmt(last[lower], decimals)} to "
                         f"{_fmt(last[upper], decimals)}) in {last[x]}")
    if published is not None and not published.empty:
        ax.scatter(published["x"].astype(str), published["value"], marker="D", color="black",
                   zorder=5, label="Published figure")
        for _, row in published.iterrows():
            ax.annotate(textwrap.fill(str(row["label"]), 24), (str(row["x"]), row["value"]),
                        textcoords="offset points", xytext=(-6, 8), ha="right", va="bottom",
                        fontsize=7, bbox={"boxstyle": "round,pad=0.2", "fc": "white",
                                          "ec": "none", "alpha": 0.8})
        alt_parts.append("published figures shown as diamonds: " + "; ".join(
            f"{row['label']} {_fmt(row['value'], decimals)} ({row['x']})"
            for _, row in published.iterrows()))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ticks = ax.get_xticks()
    if len(ticks) > 10:
        ax.set_xticks(ticks[:: int(np.ceil(len(ticks) / 10))])
    ax.tick_params(axis="x", rotation=45)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    alt = (f"Line chart: {title}. " + ". ".join(alt_parts)
           + f". Shaded bands are {level} confidence intervals.")
    return fig, alt


@house_style
def funnel_chart(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    title: str,
    xlabel: str,
    ylabel: str,
    highlight: Sequence[str] = (),
    decimals: int = 1,
) -> tuple[Figure, str]:
    """A funnel plot: points (columns label, denominator, value) against 95% and 99.8% limits.

    `limits` is the frame from :func:`jsnalib.methods.stats.proportion_funnel` (population, lower_95,
    upper_95, lower_998, upper_998, baseline), on the same scale as the points' values. When it
    also has over-dispersion-adjusted limits (``lower_95_adjusted`` ... ``upper_998_adjusted``)
    they are drawn in colour beside the plain (grey) ones.
    """
    fig, ax = subplots()
    ax.plot(limits["population"], limits["baseline"], color="black", lw=1, label="Average")
    adjusted = "lower_95_adjusted" in limits.columns
    sets = [("", "grey", " (plain)" if adjusted else "")]
    if adjusted:
        sets.append(("_adjusted", PALETTE[2], " allowing for over-dispersion"))
    for suffix, colour, words in sets:
        for lo, hi, style, label in (("lower_95", "upper_95", "--", "95% limits"),
                                     ("lower_998", "upper_998", ":", "99.8% limits")):
            ax.plot(limits["population"], limits[lo + suffix], color=colour, ls=style, lw=1,
                    label=label + words)
            ax.plot(limits["population"], limits[hi + suffix], color=colour, ls=style, lw=1)
    inside = points[~points["label"].isin(highlight)]
    ax.scatter(inside["denominator"], inside["value"], color=PALETTE[5], zorder=3,
               label="Comparator areas")
    for _, row in points[points["label"].isin(highlight)].iterrows():
        ax.scatter(row["denominator"], row["value"], color=PALETTE[1], s=60, zorder=4)
        ax.annotate(row["label"], (row["denominator"], row["value"]), xytext=(5, 5),
                    textcoords="offset points", fontsize=8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    described = "; ".join(f"{row['label']} {_fmt(row['value'], decimals)} from "
                          f"{row['denominator']:,.0f}" for _, row in points.iterrows()
                          if row["label"] in highlight)
    alt = (f"Funnel plot: {title}. {len(points)} areas plotted by size against the average of "
           f"{_fmt(limits['baseline'].iloc[0], decimals)} with 95% and 99.8% control limits"
           + (", both plain and widened to allow for over-dispersion between areas. " if adjusted
              else ". ") + f"{described}.")
    return fig, alt


@house_style
def gradient_chart(
    data: pd.DataFrame,
    group: str,
    value: str,
    lower: str,
    upper: str,
    title: str,
    xlabel: str,
    ylabel: str,
    fitted: pd.DataFrame | None = None,
    decimals: int = 1,
) -> tuple[Figure, str]:
    """Values with 95% CI error bars across ordered groups (e.g. deprivation deciles), with an
    optional fitted line (columns group, value) such as the SII regression."""
    fig, ax = subplots()
    x = data[group].astype(str)
    yerr = np.vstack([data[value] - data[lower], data[upper] - data[value]])
    ax.errorbar(x, data[value], yerr=yerr, fmt="o", color=PALETTE[0], capsize=3,
                label="Value with 95% CI")
    if fitted is not None:
        ax.plot(fitted[group].astype(str), fitted["value"], color=PALETTE[1], lw=1.5,
                label="Fitted gradient")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    ends = [(data[group].iloc[i], data[value].iloc[i], data[lower].iloc[i], data[upper].iloc[i])
            for i in (0, -1)]
    alt = f"Chart: {title}. " + "; ".join(
        f"{g}: {_fmt(v, decimals)} (95% CI {_fmt(lo, decimals)} to {_fmt(hi, decimals)})"
        for g, v, lo, hi in ends) + "."
    return fig, alt


@house_style
def spine_chart(
    data: pd.DataFrame,
    title: str,
) -> tuple[Figure, str]:
    """A spine chart: one row per indicator, the local value placed within England's range.

    `data` columns: indicator, value, england, worst, best (the range across comparator areas),
    rating (better/similar/worse/not compared). Values are drawn on a scale where England is the
    centre line and the worst/best areas are the ends, as in the national profiles.
    """
    n = len(data)
    fig, ax = subplots(figsize=(8, 0.55 * n + 1.2))
    for i, (_, row) in enumerate(data.iloc[::-1].iterrows()):
        lo, hi, eng = row["worst"], row["best"], row["england"]
        half = max(abs(eng - lo), abs(hi - eng)) or 1.0
        ax.barh(i, 2, left=-1, color="#e8e8e8", height=0.6)
        pos = float(np.clip((row["value"] - eng) / half, -1, 1))
        if row.get("polarity", "low_is_good") == "low_is_good":
            pos = -pos
        ax.scatter(pos, i, s=90, color=RATING_COLOURS.get(row["rating"], "#999999"),
                   edgecolor="black", zorder=3)
    ax.axvline(0, color="black", lw=1.5)
    ax.set_yticks(range(n))
    ax.set_yticklabels(data["indicator"].iloc[::-1], fontsize=8)
    ax.set_xticks([-1, 0, 1])
    ax.set_xticklabels(["Worst area", "England", "Best area"])
    ax.set_xlim(-1.1, 1.1)
    ax.set_title(title)
    ax.grid(False)
    fig.tight_layout()
    alt = f"Spine chart: {title}. " + "; ".join(
        f"{row['indicator']}: {_fmt(row['value'])} against England {_fmt(row['england'])}, "
        f"{row['rating']}" for _, row in data.iterrows())
    return fig, alt
