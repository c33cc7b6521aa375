"""Charts of the methods' results in the house style: statistical process control and survival.

Each function takes the tidy result of a :mod:`jsnalib.methods` function and returns
``(figure, alt_text)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as sps

from jsnalib.methods.spc import LANEY, signal_episodes
from jsnalib.methods.survival import _level
from jsnalib.report import plots

__all__ = ["control_limits_sentence", "cumulative_chart", "limits_label", "p_chart_plot"]

#: Chance that a point of a stable process falls beyond 3-sigma limits (two-sided normal tail).
BEYOND_3_SIGMA = float(2 * sps.norm.sf(3))


def _fmt(value: float, decimals: int = 1) -> str:
    return "not available" if pd.isna(value) else f"{value:,.{decimals}f}"


def limits_label(chart: pd.DataFrame) -> str:
    """Which control limits a :func:`p_chart` frame has, for a legend: "Laney p' limits (3
    sigma, widened by sigma_z 1.52)" or "p-chart limits (3 sigma)"."""
    if chart.attrs.get("method") == LANEY:
        return f"Laney p' limits (3 sigma, widened by sigma_z {chart.attrs['sigma_z']:.2f})"
    return "p-chart limits (3 sigma)"


def control_limits_sentence(chart: pd.DataFrame) -> str:
    """Plain English: which limits are drawn, why, and the expected false-signal rate.

    A stable process puts a point beyond 3-sigma limits by chance with probability
    :data:`BEYOND_3_SIGMA` (0.27%, about 1 in 370) when the limits match its spread; Laney's
    p' limits restore that when months vary more than sampling alone allows (sigma_z above 1).
    """
    sigma_z = chart.attrs.get("sigma_z", float("nan"))
    rate = (f"about {1000 * BEYOND_3_SIGMA:.0f} in 1,000 months ({100 * BEYOND_3_SIGMA:.2f}%, "
            f"one in {1 / BEYOND_3_SIGMA:.0f})")
    if chart.attrs.get("method") == LANEY:
        why = (f"The months vary more than sampling alone would make them (sigma_z "
               f"{sigma_z:.2f}, where 1 is what sampling gives), so the control limits are "
               f"Laney p' limits, widened by that factor; plain p-chart limits would flag "
               f"ordinary months as special causes.")
    else:
        spread = "" if pd.isna(sigma_z) else f" (sigma_z {sigma_z:.2f})"
        why = (f"The months vary no more than sampling alone would make them{spread}, so the "
               "control limits are plain p-chart limits.")
    return (f"{why} If nothing has changed, a month falls outside them by chance {rate}; the "
            "run, trend and two-of-three rules add a few more chance signals, so a single "
            "signal is a prompt to look, not proof of a change.")


@plots.house_style
def p_chart_plot(
    chart: pd.DataFrame,
    labels: Sequence[str],
    title: str,
    ylabel: str,
    xlabel: str = "Month",
    polarity: str = "low_is_good",
    decimals: int = 1,
) -> tuple[Figure, str]:
    """Draw a :func:`p_chart` in the house style; returns ``(figure, alt_text)``.

    The centre line is solid, the 3-sigma limits dashed and the 2-sigma lines dotted (all stepping
    with each period's denominator); the baseline periods are shaded. The legend and the alt
    text say which limits are drawn (:func:`limits_label`: plain p or Laney p'). Points with a special-cause
    signal are coloured as in Making Data Count: orange where the change is a concern, blue where it
    is an improvement, given ``polarity`` ("low_is_good", "high_is_good" or "no_judgement", which
    colours high purple and low blue); other points are grey.
    """
    colours = {"low_is_good": {1: plots.PALETTE[1], -1: plots.PALETTE[0]},
               "high_is_good": {1: plots.PALETTE[0], -1: plots.PALETTE[1]},
               "no_judgement": {1: plots.PALETTE[3], -1: plots.PALETTE[0]}}
    if polarity not in colours:
        raise ValueError(f"polarity must be one of {', '.join(colours)}, got {polarity!r}")
    labels = [str(label) for label in labels]
    episodes = signal_episodes(chart, labels)
    positions = np.arange(len(chart))
    fig, ax = plots.subplots(figsize=(plots.FIGURE_WIDTH, 4.2))
    if chart["baseline"].any():
        first = int(np.flatnonzero(chart["baseline"])[0])
        last = int(np.flatnonzero(chart["baseline"])[-1])
        ax.axvspan(first - 0.5, last + 0.5, color="#f0f0f0", zorder=0, label="Baseline period")
    ax.step(positions, chart["upper"], where="mid", color="grey", ls="--", lw=1,
            label=f"Control limits: {limits_label(chart)}")
    ax.step(positions, chart["lower"], where="mid", color="grey", ls="--", lw=1)
    ax.step(positions, chart["upper_2sigma"], where="mid", color="grey", ls=":", lw=0.8,
            label="2 sigma")
    ax.step(positions, chart["lower_2sigma"], where="mid", color="grey", ls=":", lw=0.8)
    ax.plot(positions, chart["centre"], color="black", lw=1, label="Centre line (baseline)")
    ax.plot(positions, chart["value"], color="#7f7f7f", lw=1, zorder=2)
    signal = chart["signal"].to_numpy()
    ax.scatter(positions[signal == 0], chart["value"][signal == 0], color="#7f7f7f", s=12,
               zorder=3, label="Common-cause variation")
    meaning = {"low_is_good": {1: " (concern)", -1: " (improvement)"},
               "high_is_good": {1: " (improvement)", -1: " (concern)"},
               "no_judgement": {1: "", -1: ""}}[polarity]
    names = {d: f"Special cause: {'high' if d > 0 else 'low'}{meaning[d]}" for d in (1, -1)}
    for direction in (1, -1):
        chosen = signal == direction
        if chosen.any():
            ax.scatter(positions[chosen], chart["value"][chosen], s=28, zorder=4,
                       color=colours[polarity][direction], label=names[direction])
    # a tick every 1, 2, 3, 4, 6, 12 or 24 periods (whole divisions of a year), at most ~9
    step = next((k for k in (1, 2, 3, 4, 6, 12, 24) if len(labels) / k <= 9),
                int(np.ceil(len(labels) / 9)))
    ax.set_xticks(positions[::step])
    ax.set_xticklabels(labels[::step], rotation=45, ha="right")
    ax.set_xlim(-0.5, len(chart) - 0.5)
    ax.set_title(plots.wrap_title(title))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    plots.legend_below(fig, ax, ncols=1)
    centre = float(chart["centre"].iloc[0])
    signals = ("no special-cause signals" if episodes.empty else
               f"{len(episodes)} special-cause signal{'s' if len(episodes) > 1 else ''}, "
               f"the first in {episodes['start'].iloc[0]}")
    alt = plots.alt_text("Control chart", title,
                         f"{len(chart)} periods from {labels[0]} to {labels[-1]} around a centre "
                         f"line of {_fmt(centre, decimals)}, {signals}",
                         "the data download and the signals table below the chart")
    return fig, alt


@plots.house_style
def cumulative_chart(
    curves: pd.DataFrame,
    by: str,
    title: str,
    xlabel: str,
    ylabel: str,
    labels: dict[str, str] | None = None,
    confidence: float = 0.95,
    decimals: int = 1,
) -> tuple[Figure, str]:
    """Cumulative percentage with the event over time, one line per group through its grid
    points (e.g. each whole month) with a shaded confidence band, in the house style; returns
    ``(figure, alt_text)``. The grid points are the estimates; lines join them for reading.

    Args:
        curves: the frame from :func:`kaplan_meier_curves`.
        by: its group column.
        title, xlabel, ylabel: chart text (say the units, e.g. "Months since referral").
        labels: optional display names for the groups.
        confidence: the level the curves' limits were computed at (for the alt text).
    """
    level = _level(confidence)
    labels = labels or {}
    fig, ax = plots.subplots()
    parts = []
    for i, (name, group) in enumerate(curves.groupby(by, sort=False)):
        group = group.dropna(subset=["cumulative_percent"]).sort_values("time")
        colour = plots.PALETTE[i % len(plots.PALETTE)]
        label = labels.get(name, str(name))
        ax.plot(group["time"], group["cumulative_percent"], color=colour, marker="o", ms=2.5,
                label=label)
        ax.fill_between(group["time"], group["cumulative_lower"], group["cumulative_upper"],
                        color=colour, alpha=0.18, linewidth=0)
        last = group.iloc[-1]
        parts.append(f"{label}: {last['cumulative_percent']:.{decimals}f}% by {last['time']:g}")
    ax.set_title(plots.wrap_title(title))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    fig.tight_layout()
    plots.legend_below(fig, ax)
    alt = plots.alt_text("Line chart", title,
                         f"{parts[0]} {xlabel.lower()}, with {100 * level:g}% confidence bands"
                         if parts else "no curve to draw")
    return fig, alt
