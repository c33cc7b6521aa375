"""The profiles' charts, tables and maps, one function per figure, each ``f(results)``.

Ratings are shown in colour (:data:`jsnalib.report.plots.RATING_COLOURS`) and always in words
as well; the words come from :mod:`.text`, the numbers through :mod:`jsnalib.report.format`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from jsnalib.indicators import INDICATORS
from jsnalib.methods import disclosure
from jsnalib.report import display, maps, plots
from jsnalib.report import format as fmt

from . import text
from .analyse import RATINGS, TREND_POINTS, Results, framework_comparison
from .load import Inputs

#: The outcomes summary's two tables: health indicators for every area, and children's social
#: care indicators for the authorities that run it.
HEALTH_INDICATORS = tuple(i.key for i in INDICATORS if not i.upper_tier_only)
SOCIAL_CARE_INDICATORS = tuple(i.key for i in INDICATORS if i.upper_tier_only)
#: The summary table's trend marks: an arrow only for a significant change.
TREND_MARKS = {"increasing": "\u2191", "decreasing": "\u2193",
               "no significant change": "\u2192", "cannot be calculated": "?"}
#: Columns of the CSV downloads, in order (the trend's unit, years and method in words).
DOWNLOAD_COLUMNS = [
    "area_code", "area_name", "indicator", "name", "unit", "polarity", "period", "count",
    "denominator", "value", "lower", "upper", "value_from", "england", "england_lower",
    "england_upper", "region_code", "region_name", "region", "region_lower", "region_upper",
    "vs_england", "vs_region", "worst", "best", "range_count", "trend_direction",
    "trend_statistic", "trend_p_value", "trend_change", "trend_change_unit", "trend_periods",
    "trend_method", "note", disclosure.NOTE_COLUMN]
#: The spine chart's columns in its CSV download.
SPINE_COLUMNS = {"name": "indicator", "unit": "unit", "period": "period", "value": "value",
                 "lower": "lower", "upper": "upper", "england": "england",
                 "region": "region_value", "worst": "worst", "best": "best",
                 "range_count": "range_count", "vs_england": "vs_england",
                 "vs_region": "vs_region"}


# ----------------------------------------------------------------------------------------------
# coloured tables


def rating_style(rating: str) -> str:
    """Inline CSS for a rating cell: the rating's colour (plots.RATING_COLOURS) as background,
    with black or white text, whichever has the higher contrast (WCAG relative luminance)."""
    colour = plots.RATING_COLOURS.get(rating)
    if colour is None:
        raise ValueError(f"no colour for rating {rating!r}; expected one of {', '.join(RATINGS)}")
    channels = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    ink = "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"
    return f"background-color:{colour};color:{ink};font-weight:600"


def rated_table(shown: pd.DataFrame, ratings: pd.DataFrame, caption: str, name: str,
                download: pd.DataFrame) -> HTML:
    """A :func:`jsnalib.report.display.table` whose rating cells are coloured as well as worded.

    `ratings` has the shape of `shown`: the rating word of each cell to colour ("better",
    "worse", ...; see :data:`.analyse.RATINGS`) and "" elsewhere. The colour repeats what the
    cell's text says, so nothing depends on colour alone. A line break in a cell's text is kept
    (as ``<br>``). `download` is the CSV offered.
    """
    if ratings.shape != shown.shape:
        raise ValueError(f"ratings must have the shape of the table {shown.shape}, "
                         f"got {ratings.shape}")
    table = display.table(shown, caption, name, download=download).data
    cells = table.split("<td>")
    flat = ratings.to_numpy(object).ravel()
    if len(cells) - 1 != flat.size:
        raise ValueError("the table's cells could not be matched to the ratings")
    out = [cells[0]]
    for rating, cell in zip(flat, cells[1:], strict=True):
        words, end, rest = cell.partition("</td>")
        cell = words.replace("\\n", "<br>") + end + rest  # pandas writes a newline as \n
        if rating:
            slug = str(rating).replace(" ", "-")
            out.append(f'<td class="jsna-rating jsna-rating-{slug}" '
                       f'style="{rating_style(str(rating))}">{cell}')
        else:
            out.append(f"<td>{cell}")
    return HTML("".join(out))


def _download(compared: pd.DataFrame) -> pd.DataFrame:
    """The CSV behind a table: every figure, with the trend's unit, years and method in words."""
    out = compared.assign(
        trend_change_unit=[text.change_unit(k, kind, unit) for k, kind, unit in zip(
            compared["indicator"], compared["kind"], compared["unit"], strict=True)],
        trend_periods=[text.trend_periods(row) for _, row in compared.iterrows()],
        trend_method=compared["trend_test"].map(text.trend_method))
    return out[DOWNLOAD_COLUMNS]


def _count(value: float, note: object) -> str:
    """A count; a missing one reads 'suppressed' when a suppression note says so."""
    return fmt.count(value, suppressed=pd.isna(value) and pd.notna(note))


def legend(results: Results) -> HTML:
    """The legend of ratings and trends, as coloured labels that carry their own words."""
    rows = "".join(
        f'<li><span class="jsna-rating" style="{rating_style(word)};padding:0 0.4em">'
        f"{html.escape(word)}</span> "
        f"{html.escape(words.format(level=text.level(results.confidence)))}</li>"
        for word, words in text.LEGEND.items())
    trend = text.TEMPLATES["legend trend"].format(
        rising=f"<strong>{text.trend_label('increasing', 'no_judgement')}</strong>",
        falling=f"<strong>{text.trend_label('decreasing', 'no_judgement')}</strong>",
        points=TREND_POINTS)
    flat = text.TEMPLATES["legend flat"].format(
        flat=f"<strong>{TREND_MARKS['no significant change']} no significant change</strong>",
        unknown=f"<strong>{TREND_MARKS['cannot be calculated']}</strong>", points=TREND_POINTS)
    return HTML(f'<div class="jsna-legend"><ul>{rows}<li>{trend}</li><li>{flat}</li></ul></div>')


# ----------------------------------------------------------------------------------------------
# an area's profile


def spine_position(value, england, worst, best, polarity) -> np.ndarray:
    """Where a value sits on the spine chart's scale (England 0, worst end -1, best end +1).

    The same scale as :func:`jsnalib.report.plots.spine_chart`: the distance from England
    divided by the larger of England's distances to the worst and best values, clipped to -1..1,
    with the sign turned so that better is to the right.
    """
    value, england, worst, best = (np.asarray(a, dtype=float) for a in
                                   (value, england, worst, best))
    half = np.maximum(np.abs(england - worst), np.abs(best - england))
    half = np.where(half > 0, half, 1.0)
    position = np.clip((value - england) / half, -1, 1)
    flip = np.asarray(polarity, dtype=object) == "low_is_good"
    return np.where(flip, -position, position)


def spine_rows(compared: pd.DataFrame) -> pd.DataFrame:
    """The rows a spine chart draws: a better or worse direction, a value, England's value and
    a range."""
    return compared[(compared["polarity"] != "no_judgement") & compared["value"].notna()
                    & compared["england"].notna() & compared["worst"].notna()]


@plots.house_style
def spine_figure(results: Results) -> tuple[Figure, str, pd.DataFrame]:
    """The area's spine chart as a figure: each indicator against England, the region and the
    range.

    Uses :func:`jsnalib.report.plots.spine_chart` (the area's value as a dot coloured by its
    rating, England as the centre line, the worst and best areas as the ends) and adds the
    region as a hollow diamond, the worst and best values at the ends of each bar, a legend,
    and the value and rating in words in each row's label. Indicators with no better or worse
    direction (the referral rate) and rows without a value are left out: the table has them.

    Returns
    -------
    tuple
        ``(figure, alt_text, data)``: data is the chart's numbers for the CSV download.
    """
    title = text.spine_title(results)
    rows = spine_rows(results.compared)
    if rows.empty:
        raise ValueError("no indicator has a value and an England benchmark to chart")
    chart = pd.DataFrame({"indicator": [text.spine_label(r) for _, r in rows.iterrows()],
                          "value": rows["value"].to_numpy(),
                          "england": rows["england"].to_numpy(),
                          "worst": rows["worst"].to_numpy(), "best": rows["best"].to_numpy(),
                          "rating": rows["vs_england"].to_numpy(),
                          "polarity": rows["polarity"].to_numpy()})
    fig, alt = plots.spine_chart(chart, title, values_in="the profile table on this page")
    ax = fig.axes[0]
    _, y, _ = plots.spine_rows(chart["indicator"])
    region_name = rows["region_name"].iloc[0]
    region_pos = spine_position(rows["region"], rows["england"], rows["worst"], rows["best"],
                                rows["polarity"])
    ax.scatter(region_pos, y, marker="D", s=50, facecolors="none", edgecolors="black",
               linewidths=1.2, zorder=4)
    below = plots.SPINE_BAR / 2 + 0.04
    for row_y, worst, best in zip(y, rows["worst"], rows["best"], strict=True):
        ax.text(-1.0, row_y - below, fmt.number(worst), fontsize=plots.SMALL, color="#444444",
                ha="left", va="top")
        ax.text(1.0, row_y - below, fmt.number(best), fontsize=plots.SMALL, color="#444444",
                ha="right", va="top")
    handles = [Line2D([], [], marker="o", ls="none", markersize=8, markeredgecolor="black",
                      markerfacecolor=plots.RATING_COLOURS[r], label=text.versus_england(r))
               for r in RATINGS if r in set(chart["rating"])]
    if region_name:
        handles.append(Line2D([], [], marker="D", ls="none", markersize=7,
                              markerfacecolor="none", markeredgecolor="black",
                              label=region_name))
    handles.append(Line2D([], [], color="black", lw=1.5, label="England"))
    plots.legend_below(fig, ax, handles=handles)
    data = rows[list(SPINE_COLUMNS)].rename(columns=SPINE_COLUMNS)
    return fig, alt, data.reset_index(drop=True)


@plots.house_style
def spine_chart(results: Results) -> HTML:
    """The area's spine chart as a page figure (:func:`spine_figure`, caption, CSV); a line
    saying so when no indicator can be drawn (e.g. a new authority with no series yet)."""
    if spine_rows(results.compared).empty:
        return HTML("<p>" + html.escape(text.TEMPLATES["spine none"].format(
            area=results.compared["area_name"].iloc[0])) + "</p>")
    fig, alt, data = spine_figure(results)
    return display.figure(fig, alt, text.spine_caption(results), data,
                          name=f"spine-chart-{results.area_codes[0]}", paper=True)


def profile_table(results: Results) -> HTML:
    """The profile's table: every indicator with its value and interval, what it counts, its
    rating against England and against the region (coloured and worded, with the benchmark's
    value) and the recent trend. The CSV download has every figure."""
    compared = results.compared
    region = compared["region_name"].iloc[0] or "Region"
    notes = compared[disclosure.NOTE_COLUMN]
    shown = pd.DataFrame({
        "Indicator": [(f"{short}\n({unit})" if unit else short) + ("" if own else " \u2020")
                      + (f"\nSource: {source}" if source else "")
                      for short, unit, own, source in zip(compared["short"], compared["unit"],
                                                          compared["own"], compared["source"],
                                                          strict=True)],
        "Period": compared["period"],
        f"Value ({text.level(results.confidence)} CI)": [
            f"{fmt.number(v)}\n({fmt.number(lo)} to {fmt.number(hi)})" if pd.notna(lo)
            else fmt.number(v)
            for v, lo, hi in zip(compared["value"], compared["lower"], compared["upper"],
                                 strict=True)],
        "Count of total": [f"{_count(c, n)}\nof {_count(d, n)}" for c, d, n in zip(
            compared["count"], compared["denominator"], notes, strict=True)],
        "Compared with England": [
            f"{rating}\nEngland {fmt.number(value)}" if rating else f"England {fmt.number(value)}"
            for rating, value in zip(compared["vs_england"], compared["england"], strict=True)],
        f"Compared with {region}": [
            f"{rating}\n{region} {fmt.number(value)}" if rating else f"{region} {fmt.number(value)}"
            for rating, value in zip(compared["vs_region"], compared["region"], strict=True)],
        "Recent trend": [text.trend_label(d, p) for d, p in zip(
            compared["trend_direction"], compared["polarity"], strict=True)],
    })
    ratings = pd.DataFrame("", index=shown.index, columns=shown.columns)
    ratings["Compared with England"] = compared["vs_england"].fillna("")
    ratings[f"Compared with {region}"] = compared["vs_region"].fillna("")
    return rated_table(shown, ratings, text.profile_caption(results),
                       f"profile-{results.area_codes[0]}", download=_download(compared))


def neighbours_table(results: Results) -> HTML:
    """The profile's authority (the area, or a district's county) beside its statistical
    neighbours, closest first: for each indicator any neighbour has, the latest value with its
    confidence interval, count of total and rating against England (coloured and worded). The
    CSV download has every figure."""
    table = results.neighbours
    if table.empty:
        return HTML("")
    others = table[table["rank"] > 0]
    keys = [k for k in dict.fromkeys(table["indicator"])
            if others.loc[others["indicator"] == k, "value"].notna().any()]
    chosen = table[table["indicator"].isin(keys)]
    areas = list(dict.fromkeys(chosen.sort_values("rank", kind="stable")["area_code"]))
    by_cell = chosen.set_index(["area_code", "indicator"])
    names = by_cell["area_name"].groupby(level=0).first()
    ranks = by_cell["rank"].groupby(level=0).first()
    shown = pd.DataFrame({"Area": [names[a] if ranks[a] == 0 else f"{ranks[a]}. {names[a]}"
                                   for a in areas]})
    ratings = pd.DataFrame({"Area": [""] * len(areas)})
    for key in keys:
        first = chosen[chosen["indicator"] == key].iloc[0]
        cells, marks = [], []
        for area in areas:
            row = by_cell.loc[(area, key)]
            note = row[disclosure.NOTE_COLUMN]
            interval = (f" ({fmt.number(row['lower'])} to {fmt.number(row['upper'])})"
                        if pd.notna(row["lower"]) else "")
            period = f", {row['period']}" if row["period"] else ""
            counts = (f"\n{_count(row['count'], note)} of {_count(row['denominator'], note)}"
                      if pd.notna(row["count"]) else "")
            cells.append(f"{fmt.number(row['value'])}{interval}{period}{counts}\n"
                         f"{row['vs_england']}".rstrip())
            marks.append(row["vs_england"] or "")
        header = f"{first['short']} ({first['unit']})" if first["unit"] else first["short"]
        shown[header] = cells
        ratings[header] = marks
    home = table.loc[table["rank"] == 0, "area_name"].iloc[0]
    return rated_table(shown, ratings, text.TEMPLATES["neighbours caption"].format(area=home),
                       f"neighbours-{results.area_codes[0]}",
                       download=_download(chosen).assign(rank=chosen["rank"].to_numpy()))


# ----------------------------------------------------------------------------------------------
# the outcomes summary


def summary_table(results: Results, keys: Sequence[str], caption: str, name: str) -> HTML:
    """Areas by indicators: each cell the latest value, its rating against England (coloured
    and worded) and a trend mark (:data:`TREND_MARKS`; explained by :func:`legend`).

    Only the indicators in `keys` are shown, and only areas with a figure of their own for
    at least one of them (a district showing its county's social care figures is left out of
    a table of social care indicators). The CSV download has the full comparison table of the
    rows shown, with the trends in words.
    """
    compared = results.compared
    unknown = sorted(set(keys) - set(compared["indicator"]))
    if unknown:
        raise ValueError(f"no such indicator in the comparison: {', '.join(unknown)}")
    chosen = compared[compared["indicator"].isin(list(keys))]
    own = chosen["own"].groupby(chosen["area_code"]).any()
    areas = [code for code in dict.fromkeys(chosen["area_code"]) if own[code]]
    chosen = chosen[chosen["area_code"].isin(areas)]
    table = chosen.set_index(["area_code", "indicator"])
    shown = pd.DataFrame({"Area": [table.loc[(a, keys[0]), "area_name"] for a in areas]})
    ratings = pd.DataFrame({"Area": [""] * len(areas)})
    for key in keys:
        rows = chosen[chosen["indicator"] == key]
        period = rows["period"].mode().iloc[0] if rows["period"].notna().any() else ""
        cells, marks = [], []
        for area in areas:
            row = table.loc[(area, key)]
            cell = fmt.number(row["value"])
            if row["period"] != period and pd.notna(row["period"]):
                cell += f" ({row['period']})"
            if not row["own"]:
                cell += " \u2020"
            words = " ".join(w for w in (row["vs_england"],
                                         TREND_MARKS[row["trend_direction"]]) if w)
            cells.append(f"{cell}\n{words}")
            marks.append(row["vs_england"] or "")
        header = f"{rows['short'].iloc[0]}, {period}"
        shown[header] = cells
        ratings[header] = marks
    return rated_table(shown, ratings, caption, name, download=_download(chosen))


def health_table(results: Results) -> HTML:
    """Infant mortality and child weight for every area (:func:`summary_table`)."""
    return summary_table(results, HEALTH_INDICATORS, text.TEMPLATES["health caption"],
                         "outcomes-health")


def social_care_table(results: Results) -> HTML:
    """Children's social care for the councils that run it (:func:`summary_table`)."""
    return summary_table(results, SOCIAL_CARE_INDICATORS, text.TEMPLATES["social care caption"],
                         "outcomes-social-care")


def fingertips_indicators(results: Results) -> tuple[str, ...]:
    """The keys of the indicators taken from Fingertips exports, in page order."""
    compared = results.compared
    return tuple(dict.fromkeys(compared.loc[compared["publisher"] != "", "indicator"]))


def fingertips_table(results: Results) -> HTML:
    """Every indicator from a Fingertips export dropped into data/: one row per indicator and
    area it covers, with the value and interval, count of denominator where published, the
    rating against England (coloured and worded) and the region, the recent trend and the
    source (publisher, indicator ID, file and period). Areas an export does not cover have no
    row. The CSV download has every figure and the source."""
    compared = results.compared
    rows = compared[compared["publisher"] != ""]
    if rows.empty:
        return HTML("<p>" + html.escape(text.TEMPLATES["no fingertips"]) + "</p>")
    notes = rows[disclosure.NOTE_COLUMN]
    shown = pd.DataFrame({
        "Indicator": [f"{short}\n({unit})" if unit else short
                      for short, unit in zip(rows["short"], rows["unit"], strict=True)],
        "Area": rows["area_name"].to_numpy(),
        "Period": rows["period"].to_numpy(),
        f"Value ({text.level(results.confidence)} CI)": [
            f"{fmt.number(v)}\n({fmt.number(lo)} to {fmt.number(hi)})" if pd.notna(lo)
            else fmt.number(v)
            for v, lo, hi in zip(rows["value"], rows["lower"], rows["upper"], strict=True)],
        "Count of total": [f"{_count(c, n)}\nof {_count(d, n)}" if pd.notna(c) else fmt.MISSING
                           for c, d, n in zip(rows["count"], rows["denominator"], notes,
                                              strict=True)],
        "Compared with England": [
            f"{rating}\nEngland {fmt.number(value)}" if rating else f"England {fmt.number(value)}"
            for rating, value in zip(rows["vs_england"], rows["england"], strict=True)],
        "Compared with region": [
            f"{rating}\n{name} {fmt.number(value)}" if rating and name
            else (f"{name} {fmt.number(value)}" if name else "")
            for rating, name, value in zip(rows["vs_region"], rows["region_name"],
                                           rows["region"], strict=True)],
        "Recent trend": [text.trend_label(d, p) for d, p in zip(
            rows["trend_direction"], rows["polarity"], strict=True)],
        "Source": rows["source"].to_numpy(),
    })
    shown = shown.reset_index(drop=True)
    ratings = pd.DataFrame("", index=shown.index, columns=shown.columns)
    ratings["Compared with England"] = rows["vs_england"].fillna("").to_numpy()
    ratings["Compared with region"] = rows["vs_region"].fillna("").to_numpy()
    download = _download(rows).assign(source=rows["source"].to_numpy())
    return rated_table(shown, ratings, text.TEMPLATES["fingertips caption"],
                       "outcomes-fingertips", download=download)


#: The indicator whose map of the JSNA's areas the outcomes summary's committee paper draws.
PAPER_MAP = "infant_mortality"


def local_map(results: Results, indicator: str) -> HTML:
    """One indicator's map of the JSNA's districts and unitary authorities, rated against
    England (:func:`jsnalib.report.maps.indicator_map`); the committee paper draws the map of
    :data:`PAPER_MAP`."""
    if not results.local_boundaries:
        raise ValueError("no boundaries: load the inputs with maps=True")
    return maps.indicator_map(results.compared, indicator, results.local_boundaries,
                              f"map-{indicator}", text.local_map_title(results),
                              paper=indicator == PAPER_MAP)


def regional_map(results: Results, indicator: str) -> HTML:
    """One indicator's map of the region's upper-tier councils, with the region's outline."""
    if results.regional is None:
        raise ValueError("no regional boundaries: load the inputs with maps=True")
    return maps.indicator_map(results.regional, indicator, results.council_boundaries,
                              f"map-region-{indicator}", text.regional_map_title(results),
                              outline=results.region_boundary)


# ----------------------------------------------------------------------------------------------
# the partnership's outcomes framework

#: Columns of the framework tables' CSV download, in order.
FRAMEWORK_DOWNLOAD = [
    "number", "stage", "indicator", "unit", "area_code", "status", "key", "fingertips_id",
    "sex", "age", "book_indicator", "name", "current_unit", "period", "count", "denominator",
    "value", "lower", "upper", "england", "region_name", "region", "vs_england", "vs_region",
    "polarity", "trend_direction", "current_source", "source", "published_period",
    "published_value", "published_england", "published_trend", "note", "provenance",
    disclosure.NOTE_COLUMN]


def _decimals(value: float) -> int:
    """Decimal places a published figure needs (at most 2): 83.0 -> 0, 0.74 -> 2."""
    return len(f"{float(value):.2f}".rstrip("0").partition(".")[2])


def _published(value: float, england: float) -> tuple[str, str]:
    """A published figure and England's with the same decimals, as a report prints them:
    (83.0, 83.1) -> ("83.0", "83.1"); (1646, 1887) -> ("1,646", "1,887")."""
    places = max(_decimals(value), _decimals(england))
    return fmt.number(value, places), fmt.number(england, places)


def _framework_cells(row: pd.Series, level: str) -> dict[str, str]:
    """One framework row's cells: the current figure where the book has one, else what to do."""
    unit = row["current_unit"] or row["unit"]
    name = f"{row['number']} {row['indicator']}" + (f"\n({unit})" if unit else "")
    trend = row["published_trend"] if pd.notna(row["published_trend"]) else \
        text.FRAMEWORK_PHRASES["no trend"]
    value, england = _published(row["published_value"], row["published_england"])
    published = text.FRAMEWORK_PHRASES["published"].format(
        value=value, england=england, period=row["published_period"], trend=trend)
    cells = {"Indicator": name, "Published in the 2017 report": published}
    if row["status"] == "current":
        note = row[disclosure.NOTE_COLUMN]
        lower, upper = row["lower"], row["upper"]
        region = row["region_name"]
        cells.update({
            "Period": row["period"],
            f"Value ({level} CI)": (f"{fmt.number(row['value'])}\n({fmt.number(lower)} to "
                                   f"{fmt.number(upper)})" if pd.notna(lower)
                                   else fmt.number(row["value"])),
            "Count of total": (f"{_count(row['count'], note)}\nof "
                               f"{_count(row['denominator'], note)}"
                               if pd.notna(row["count"]) else fmt.MISSING),
            "Compared with England": "\n".join(w for w in (
                row["vs_england"], f"England {fmt.number(row['england'])}") if w),
            "Compared with region": "\n".join(w for w in (
                row["vs_region"], f"{region} {fmt.number(row['region'])}" if region else "")
                if w),
            "Recent trend": text.trend_label(row["trend_direction"], row["polarity"]),
            "Source": row["current_source"]})
        return cells
    missing = text.FRAMEWORK_PHRASES["not loaded" if row["status"] == "not loaded" else "no figure"]
    if row["status"] == "not loaded":
        source = text.FRAMEWORK_PHRASES["load"].format(id=int(row["fingertips_id"]))
    elif row["status"] == "no value":
        source = text.FRAMEWORK_PHRASES["no value"].format(source=row["name"] or row["key"],
                                                      area=row["area_name"])
    else:
        source = text.FRAMEWORK_PHRASES["none"].format(source=row["source"])
    cells.update({"Period": "", f"Value ({level} CI)": missing, "Count of total": "",
                  "Compared with England": "", "Compared with region": "", "Recent trend": "",
                  "Source": source})
    return cells


def framework_tables(framework: pd.DataFrame | None, confidence: float = 0.95) -> HTML:
    """The partnership's outcomes framework, one table per life-course stage.

    `framework` is :func:`.analyse.framework_comparison`. Each row: the framework's number and
    indicator, then, where the book has the indicator (its own computation, or a Fingertips
    export in data/), the latest value with its confidence interval, count of denominator,
    the rating against England and the region (coloured and worded, with the indicator's
    polarity), the recent trend and the source; otherwise what to download, or the source
    when no Fingertips indicator measures it. The figures the partnership's 2017 report
    published (period, value, England, direction of travel) are shown beside every row, as
    published. Each table offers its rows as CSV, with the provenance of the published figures.
    """
    if framework is None:
        return HTML("<p>" + html.escape(text.FRAMEWORK_PHRASES["no framework"]) + "</p>")
    level = text.level(confidence)
    parts = []
    for stage, title in text.FRAMEWORK_STAGE_TITLES.items():
        rows = framework[framework["stage"] == stage]
        if rows.empty:
            continue
        shown = pd.DataFrame([_framework_cells(row, level) for _, row in rows.iterrows()])
        shown = shown[["Indicator", "Published in the 2017 report", "Period",
                       f"Value ({level} CI)", "Count of total", "Compared with England",
                       "Compared with region", "Recent trend", "Source"]]
        ratings = pd.DataFrame("", index=shown.index, columns=shown.columns)
        current = (rows["status"] == "current").to_numpy()
        ratings.loc[current, "Compared with England"] = rows.loc[
            current, "vs_england"].to_numpy()
        ratings.loc[current, "Compared with region"] = rows.loc[current, "vs_region"].to_numpy()
        areas = ", ".join(dict.fromkeys(rows["area_name"]))
        caption = text.FRAMEWORK_PHRASES["caption"].format(
            stage=title, n=len(rows), area=areas,
            indicators="indicator" if len(rows) == 1 else "indicators")
        columns = [c for c in FRAMEWORK_DOWNLOAD if c in rows.columns]
        parts.append(rated_table(shown, ratings, caption, f"framework-{stage.replace('_', '-')}",
                                 download=rows[columns].reset_index(drop=True)).data)
    return HTML("".join(parts))



def outcomes_framework(inputs: Inputs, data_dir: str | Path, confidence: float = 0.95) -> HTML:
    """The outcomes framework's tables for a page: :func:`framework_tables` of
    :func:`.analyse.framework_comparison` (``data_dir/outcomes_framework.csv`` and the
    Fingertips exports beside it)."""
    return framework_tables(framework_comparison(inputs, data_dir, confidence), confidence)
