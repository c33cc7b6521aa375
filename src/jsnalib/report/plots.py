"""The book's house style for charts. Each function returns ``(figure, alt_text)``.

Charts have a title, labelled axes with units, a legend where there is more than one series, and
alt text that states what the chart shows in numbers, for readers using a screen reader. Pass
the pair to :func:`jsnalib.report.display.figure` to put it on the page with its data as CSV.
"""

from __future__ import annotations

import functools
import math
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

#: Width of a chart on a phone, CSS pixels: the book's figures are 358 px wide in the content
#: column at a 390 x 844 viewport (headless Chromium).
PHONE_WIDTH_PX = 358
#: Smallest text on a chart at that width, CSS pixels.
MIN_TEXT_PX = 9
#: Widest a chart is drawn, inches. Its SVG is 576 CSS px wide (96 px an inch) on a desktop and
#: shrinks with the column on a phone, so all its type shrinks by the same factor.
FIGURE_WIDTH = 6.0
#: Smallest type size, points, so that text is at least :data:`MIN_TEXT_PX` high on a phone
#: (11 pt: 9 px x 72 pt/in x 6 in / 358 px = 10.9 pt, rounded up).
SMALL = math.ceil(MIN_TEXT_PX * 72 * FIGURE_WIDTH / PHONE_WIDTH_PX)
#: Type size of chart titles, points.
TITLE = SMALL + 2
#: Characters of a title line (bold, :data:`TITLE` points) that fit across :data:`FIGURE_WIDTH`.
TITLE_CHARACTERS = 50

#: The house style: matplotlib's defaults with these changes, applied only while a chart is drawn
#: (:func:`house_style`), so importing this module changes nothing for anyone else. Charts are
#: drawn for the phone first (:data:`FIGURE_WIDTH`, type of at least :data:`SMALL` points).
HOUSE_STYLE = {
    "figure.figsize": (FIGURE_WIDTH, 4.2),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": TITLE,
    "axes.titleweight": "bold",
    "font.size": SMALL,
    "axes.labelsize": SMALL,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "legend.fontsize": SMALL,
    "legend.title_fontsize": SMALL,
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


def wrap_title(title: str, width: int = TITLE_CHARACTERS) -> str:
    """The title with each of its lines wrapped to `width` characters."""
    return "\n".join(textwrap.fill(line, width) for line in title.split("\n"))


def legend_below(fig: Figure, ax: Any, handles: Sequence[Any] | None = None,
                 ncols: int | None = None, **kwargs: Any) -> Any:
    """The axes' legend (or one of `handles`) as a figure legend under everything drawn below
    the axes (tick labels, axis label), in one column, or two when every label is short. Call
    after the layout is settled (``tight_layout``); ``bbox_inches="tight"`` then keeps it in
    the saved image."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [handle.get_label() for handle in handles]
    if ncols is None:
        ncols = 2 if max((len(label) for label in labels), default=0) <= 24 else 1
    renderer = FigureCanvasAgg(fig).get_renderer()
    bottom = fig.transFigure.inverted().transform(
        (0, ax.get_tightbbox(renderer).y0))[1]
    return fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, bottom),
                      ncols=ncols, **kwargs)


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


#: Longest alt text, characters: one sentence, what the chart shows and its main reading.
MAX_ALT = 250
#: Where an alt text sends a screen-reader user for the values.
VALUES_IN = "the data download below the chart"


def alt_text(kind: str, title: str, reading: str, values_in: str = VALUES_IN) -> str:
    """A chart's alt text in one sentence of at most :data:`MAX_ALT` characters: the kind of
    chart and its title, the main reading, and where every value is (`values_in`, e.g. "the
    table below"). The title, then the pointer, are left out when the sentence would be longer.
    """
    title = " ".join(title.replace("\n", ", ").split())
    for alt in (f"{kind} of {title}: {reading}; every value is in {values_in}.",
                f"{kind}: {reading}; every value is in {values_in}.", f"{kind}: {reading}."):
        if len(alt) <= MAX_ALT:
            return alt
    return alt[:MAX_ALT - 1].rsplit(" ", 1)[0] + "."


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
                         f"{_fmt(last[value], decimals)} in {last[x]}")
    if published is not None and not published.empty:
        ax.scatter(published["x"].astype(str), published["value"], marker="D", color="black",
                   zorder=5, label="Published figure")
        for _, row in published.iterrows():
            ax.annotate(textwrap.fill(str(row["label"]), 24), (str(row["x"]), row["value"]),
                        textcoords="offset points", xytext=(-6, 8), ha="right", va="bottom",
                        fontsize=SMALL, bbox={"boxstyle": "round,pad=0.2", "fc": "white",
                                              "ec": "none", "alpha": 0.8})
    ax.set_title(wrap_title(title))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ticks = ax.get_xticks()
    if len(ticks) > 8:
        ax.set_xticks(ticks[:: int(np.ceil(len(ticks) / 8))])
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    legend_below(fig, ax)
    alt = alt_text("Line chart", title, alt_parts[0] + f", with {level} confidence bands")
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
                    textcoords="offset points", fontsize=SMALL)
    ax.set_title(wrap_title(title))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    legend_below(fig, ax)
    described = ", ".join(f"{row['label']} {_fmt(row['value'], decimals)} from "
                          f"{row['denominator']:,.0f}" for _, row in points.iterrows()
                          if row["label"] in highlight)
    alt = alt_text("Funnel plot", title,
                   f"{described or 'no area highlighted'} against an average of "
                   f"{_fmt(limits['baseline'].iloc[0], decimals)} across {len(points)} areas")
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
    ax.set_title(wrap_title(title))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(loc="best")
    fig.tight_layout()
    ends = [(data[group].iloc[i], data[value].iloc[i]) for i in (0, -1)]
    alt = alt_text("Chart", title, " and ".join(f"{_fmt(v, decimals)} in group {g}"
                                                for g, v in ends))
    return fig, alt


#: Characters of a spine chart row's label line that fit across :data:`FIGURE_WIDTH` at
#: :data:`SMALL` points.
SPINE_LABEL_CHARACTERS = 58
#: Height of one line of a spine chart's row labels and of its bar, in the chart's row units.
SPINE_LINE, SPINE_BAR = 0.42, 0.5


def spine_rows(labels: Sequence[str]) -> tuple[list[str], np.ndarray, float]:
    """Each label wrapped to :data:`SPINE_LABEL_CHARACTERS`, the y of each row's bar (first
    row at the top) and the chart's total height, in row units: each row is its label's lines
    above its bar."""
    wrapped = ["\n".join(textwrap.fill(line, SPINE_LABEL_CHARACTERS)
                         for line in str(label).split("\n")) for label in labels]
    # under each bar, room for a line of text (the ends' values), then the next row's label
    heights = [SPINE_LINE * (label.count("\n") + 1) + SPINE_BAR + 0.6 for label in wrapped]
    tops = np.cumsum([0.0, *heights[:-1]])
    total = float(sum(heights))
    return wrapped, total - tops - np.array(heights) + 0.6, total


@house_style
def spine_chart(
    data: pd.DataFrame,
    title: str,
    values_in: str = VALUES_IN,
) -> tuple[Figure, str]:
    """A spine chart: one row per indicator, the local value placed within England's range.

    `data` columns: indicator, value, england, worst, best (the range across comparator areas),
    rating (better/similar/worse/not compared). Values are drawn on a scale where England is the
    centre line and the worst/best areas are the ends, as in the national profiles. Each row's
    label is written above its bar, across the chart's width, so the chart reads on a phone.
    `values_in` says where the alt text sends a reader for the values (e.g. "the table below").
    """
    labels, ys, total = spine_rows(data["indicator"])
    fig, ax = subplots(figsize=(FIGURE_WIDTH, 0.45 * total + 1.2))
    for (_, row), label, y in zip(data.iterrows(), labels, ys, strict=True):
        lo, hi, eng = row["worst"], row["best"], row["england"]
        half = max(abs(eng - lo), abs(hi - eng)) or 1.0
        ax.barh(y, 2, left=-1, color="#e8e8e8", height=SPINE_BAR)
        ax.plot([0, 0], [y - SPINE_BAR / 2 - 0.05, y + SPINE_BAR / 2 + 0.05], color="black",
                lw=1.5)
        pos = float(np.clip((row["value"] - eng) / half, -1, 1))
        if row.get("polarity", "low_is_good") == "low_is_good":
            pos = -pos
        ax.scatter(pos, y, s=90, color=RATING_COLOURS.get(row["rating"], "#999999"),
                   edgecolor="black", zorder=3)
        ax.text(-1.0, y + SPINE_BAR / 2 + 0.08, label, ha="left", va="bottom", fontsize=SMALL,
                linespacing=1.15)
    ax.set_yticks([])
    ax.set_ylim(0, total + 0.1)
    ax.set_xticks([-1, 0, 1])
    ax.set_xticklabels(["Worst area", "England", "Best area"])
    ax.set_xlim(-1.05, 1.05)
    ax.set_title(wrap_title(title))
    ax.grid(False)
    ax.spines["left"].set_visible(False)
    fig.tight_layout()
    counts = data["rating"].value_counts()
    reading = f"against England, of {len(data)} indicators " + ", ".join(
        f"{counts[r]} {'are' if i == 0 and counts[r] > 1 else 'is' if i == 0 else ''} {r}"
        .replace("  ", " ") for i, r in enumerate(
            r for r in ("worse", "similar", "better", "not compared", "higher", "lower")
            if r in counts))
    return fig, alt_text("Spine chart", title, reading, values_in)
