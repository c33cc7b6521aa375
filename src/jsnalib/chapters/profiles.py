"""Area profiles and the outcomes summary: every indicator, rated against England and the region.

For each area and indicator (:mod:`jsnalib.indicators`) the latest value is set beside England's
and the region's for the same period, and rated with :func:`jsnalib.methods.stats.compare` using the
indicator's polarity: "better" or "worse" when the benchmark lies outside the area's confidence
interval, "similar" when it lies inside. Nothing is judged by eye.

The recent trend follows Fingertips (:func:`jsnalib.methods.stats.recent_trend_test`): the
latest :data:`TREND_POINTS` yearly values, unbroken, with the chi-square test for trend above
9.5495 (99.8%) and a direction that survives dropping any one year. An arrow is shown only for
such a trend, turned into "getting better" or "getting worse" by the indicator's polarity;
otherwise the trend reads "no significant change" or "cannot be calculated".

The spine chart's range ("worst" to "best" area) runs across :func:`range_areas`: the JSNA
areas, England, the region and the statistical neighbours, taking those that have a value of
their own for the same period (a district showing its county's figure is not counted twice).

Counts from record-level data pass :func:`jsnalib.methods.disclosure.suppress_table` before they reach a
page or a CSV download.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from jsnalib import indicators
from jsnalib.indicators import INDICATORS, Indicator, IndicatorData
from jsnalib.inputs.geography import Geography
from jsnalib.methods import disclosure, stats
from jsnalib.methods.confidence import percent as confidence_percent
from jsnalib.report import display, plots

#: Yearly values the recent-trend test uses (Fingertips: the latest five points).
TREND_POINTS = stats.RECENT_TREND_POINTS
#: Decimal places shown for every value.
DECIMALS = 1
#: Labels of the benchmark comparison (stats.compare), in the order the legend lists them.
RATINGS = ("better", "similar", "worse", "higher", "lower", "not compared")

#: The outcomes summary's two tables: health indicators for every area, and children's social
#: care indicators for the authorities that run it.
HEALTH_INDICATORS = tuple(i.key for i in INDICATORS if not i.upper_tier_only)
SOCIAL_CARE_INDICATORS = tuple(i.key for i in INDICATORS if i.upper_tier_only)

_TREND_WORDS = {"increasing": ("\u2191", "rising"), "decreasing": ("\u2193", "falling")}
_GOOD = {"low_is_good": "decreasing", "high_is_good": "increasing"}


# ----------------------------------------------------------------------------------------------
# trends


def recent_trend(rows: pd.DataFrame, item: Indicator) -> pd.Series:
    """Fingertips' recent trend of an area's yearly values of one indicator.

    The latest :data:`TREND_POINTS` years up to the area's latest year with a count and
    denominator must all be present (a gap gives "cannot be calculated"); the direction is
    :func:`jsnalib.methods.stats.recent_trend_test` on them: the chi-square test for trend
    (Cochran-Armitage for proportions, the Poisson equivalent for rates) above 9.5495 (99.8%),
    with a slope whose sign survives dropping each year in turn (OHID Fingertips technical
    guidance, recent trends).

    Args:
        rows: one area's tidy rows (:data:`jsnalib.indicators.ROW_COLUMNS`), one per year.
        item: the indicator (its ``kind`` picks the test).

    Returns:
        Series with ``direction`` ("increasing", "decreasing", "no significant change" or
        "cannot be calculated"), ``statistic`` (chi-square), ``p_value``, ``change`` (the
        weighted least-squares slope: percentage points a year for proportions, the rate's
        units a year for rates), ``change_unit``, ``periods`` (e.g. "2019 to 2023") and
        ``method`` (or why the trend cannot be calculated).
    """
    names = ["direction", "statistic", "p_value", "change", "change_unit", "periods", "method"]
    kind = "proportion" if item.kind == "proportion" else "rate"
    unit = "percentage points a year" if kind == "proportion" else f"{item.unit} a year"
    method = f"chi-square test for trend, latest {TREND_POINTS} years, 99.8% level"
    present = rows.dropna(subset=["count", "denominator"])
    if present.empty:
        return pd.Series(["cannot be calculated", np.nan, np.nan, np.nan, unit, "",
                          "no data"], index=names, dtype=object)
    last = int(present["time"].max())
    years = np.arange(last - TREND_POINTS + 1, last + 1)
    window = present.drop_duplicates("time", keep="last").set_index("time").reindex(years)
    known = window["period"].dropna()
    periods = f"{known.iloc[0]} to {known.iloc[-1]}"
    test = stats.recent_trend_test(window["count"], window["denominator"], kind)
    if test["direction"] == "cannot be calculated":
        why = (f"needs {TREND_POINTS} years in a row with data" if window["count"].isna().any()
               else "no variation to test")
        return pd.Series(["cannot be calculated", np.nan, np.nan, np.nan, unit, periods, why],
                         index=names, dtype=object)
    return pd.Series([test["direction"], test["statistic"], test["p_value"],
                      test["slope"] * item.multiplier, unit, periods, method],
                     index=names, dtype=object)


def trend_label(direction: str, polarity: str) -> str:
    """The words and arrow a page shows for a trend, saying whether the change is good.

    >>> trend_label("increasing", "low_is_good")
    '↑ rising (getting worse)'
    >>> trend_label("decreasing", "no_judgement")
    '↓ falling'
    """
    if polarity not in stats.POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(stats.POLARITIES)}, got "
                         f"{polarity!r}")
    if direction in ("no significant change", "cannot be calculated"):
        return direction
    if direction not in _TREND_WORDS:
        raise ValueError(f"direction must be increasing, decreasing, no significant change or "
                         f"cannot be calculated, got {direction!r}")
    arrow, word = _TREND_WORDS[direction]
    if polarity == "no_judgement":
        return f"{arrow} {word}"
    better = direction == _GOOD[polarity]
    return f"{arrow} {word} ({'getting better' if better else 'getting worse'})"


# ----------------------------------------------------------------------------------------------
# the comparison table


def range_areas(geography) -> list[str]:
    """The areas the spine chart's worst-to-best range runs across.

    The JSNA areas, their region(s) and England, then the statistical neighbours of the home
    authorities, in that order without repeats. An indicator uses those that have data.
    """
    codes = list(geography.jsna_areas())
    for home in geography.home_authorities():
        codes += geography.comparators(home)
    for home in geography.home_authorities():
        codes += geography.neighbours(home)
    return list(dict.fromkeys(codes))


def summary_areas(geography) -> list[str]:
    """The outcomes summary's rows: England, the home authorities' region(s), then the JSNA
    areas (the home authorities and their districts)."""
    benchmarks = [code for home in geography.home_authorities()
                  for code in reversed(geography.comparators(home))]
    return list(dict.fromkeys([*benchmarks, *geography.jsna_areas()]))


def _latest(rows: pd.DataFrame) -> pd.DataFrame:
    """Each area's latest row with a value (its latest row if none has one)."""
    ordered = rows.assign(_has=rows["value"].notna()).sort_values(["area_code", "_has", "time"])
    return ordered.groupby("area_code", sort=False).tail(1).drop(columns="_has")


def _benchmark(rows: pd.DataFrame, code: str | None, periods: pd.Series, prefix: str
               ) -> pd.DataFrame:
    """A benchmark's value and limits for each period asked for (NaN where it has none)."""
    own = rows[rows["area_code"] == code] if code else rows.iloc[:0]
    found = own.set_index("period")[["value", "lower", "upper"]]
    found = found.reindex(periods.to_numpy())
    return pd.DataFrame({prefix: found["value"].to_numpy(),
                         f"{prefix}_lower": found["lower"].to_numpy(),
                         f"{prefix}_upper": found["upper"].to_numpy()}, index=periods.index)


def _range(rows: pd.DataFrame, periods: pd.Series, polarity: str
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Worst, best and number of areas with their own value, for each period asked for.

    Values from a record-level count of 1-4 are left out (they are never published).
    """
    small = rows["from_records"] & (rows["count"].between(*disclosure.SMALL_COUNTS)
                                    | rows["denominator"].between(*disclosure.SMALL_COUNTS))
    own = rows[(rows["area_code"] == rows["value_from"]) & rows["value"].notna() & ~small]
    by_period = own.groupby("period")["value"].agg(["min", "max", "count"])
    found = by_period.reindex(periods.to_numpy())
    low, high = found["min"].to_numpy(), found["max"].to_numpy()
    worst, best = (high, low) if polarity == "low_is_good" else (low, high)
    return worst, best, found["count"].fillna(0).to_numpy(int)


def compare_areas(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95
                  ) -> pd.DataFrame:
    """For each area and indicator: the latest value, England's and the region's, the ratings,
    the range across :func:`range_areas` and the recent trend.

    Record-level counts of 1-4, and anything that would reveal one, are suppressed first
    (:func:`suppress_latest`), over all the JSNA areas whichever are asked for, so that no two
    pages can be combined to recover a hidden count; a suppressed value is "not compared".

    Args:
        data: the loaded inputs (:meth:`jsnalib.indicators.IndicatorData.load`).
        area_codes: the areas to report, in the order wanted.
        confidence: level of the intervals the ratings use (0.95 or 95 by default).

    Returns:
        One row per area and indicator (areas in the order given, indicators in
        :data:`jsnalib.indicators.INDICATORS` order): the tidy indicator columns
        (:data:`jsnalib.indicators.ROW_COLUMNS`) plus name, unit, polarity, area_name,
        england, england_lower, england_upper, region_code, region_name, region,
        region_lower, region_upper, vs_england, vs_region, worst, best, range_count,
        trend_direction, trend_statistic, trend_p_value, trend_change, trend_change_unit,
        trend_periods,
        trend_method, trend (the label shown) and suppression_note. A benchmark's comparison
        with itself is blank.
    """
    geo = data.geography
    codes = list(area_codes)
    for code in codes:
        if not geo.is_known(code):
            raise ValueError(f"unknown area code {code!r}; expected a code in areas.csv")
    country = geo.country()
    pool = list(dict.fromkeys([*range_areas(geo), *codes]))
    shown = list(dict.fromkeys([*codes, *geo.jsna_areas()]))
    frames = []
    for item in INDICATORS:
        rows = item.compute(data, pool, confidence)
        latest = _latest(rows[rows["area_code"].isin(shown)])
        latest = latest.set_index("area_code").reindex(shown).reset_index()
        latest["indicator"] = item.key
        latest = suppress_latest(latest, geo).iloc[:len(codes)]
        regions = [geo.region(code) for code in codes]
        england = _benchmark(rows, country, latest["period"], "england")
        region = pd.concat([_benchmark(rows, r, latest.loc[[i], "period"], "region")
                            for i, r in zip(latest.index, regions, strict=True)])
        worst, best, count = _range(rows, latest["period"], item.polarity)
        table = pd.concat([latest, england, region], axis=1)
        table["region_code"] = [r or "" for r in regions]
        table["worst"], table["best"], table["range_count"] = worst, best, count
        table["vs_england"] = _rating(table, "england", item.polarity)
        table["vs_region"] = _rating(table, "region", item.polarity)
        table.loc[table["area_code"] == country, "vs_england"] = ""
        table.loc[(table["area_code"] == table["region_code"]) | (table["region_code"] == ""),
                  "vs_region"] = ""
        frames.append(_with_trends(table, data, item, confidence))
    out = pd.concat(frames, ignore_index=True)
    out["area_name"] = out["area_code"].map(geo.name)
    out["value_from_name"] = out["value_from"].map(
        lambda c: geo.name(c) if isinstance(c, str) else "")
    out["region_name"] = out["region_code"].map(lambda c: geo.name(c) if c else "")
    details = {i.key: i for i in INDICATORS}
    for column in ("name", "short", "unit", "polarity"):
        out[column] = out["indicator"].map(lambda k, c=column: getattr(details[k], c))
    order = {code: i for i, code in enumerate(codes)}
    out = out.sort_values(["area_code"], key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)


def _rating(table: pd.DataFrame, prefix: str, polarity: str) -> np.ndarray:
    lower = table["lower"].to_numpy(float)
    upper = table["upper"].to_numpy(float)
    return np.asarray(stats.compare(lower, upper, table[prefix].to_numpy(float), polarity),
                      dtype=object)


def _with_trends(table: pd.DataFrame, data: IndicatorData, item: Indicator, confidence: float
                 ) -> pd.DataFrame:
    """Add the recent trend of each row's figure (a district's county's for county figures)."""
    owners = [c for c in dict.fromkeys(table["value_from"].dropna()) if isinstance(c, str)]
    yearly = item.trend_rows(data, owners, confidence)
    results = {code: recent_trend(yearly[yearly["area_code"] == code], item) for code in owners}
    blank = recent_trend(yearly.iloc[:0], item)
    trends = pd.DataFrame([results.get(code, blank) if isinstance(code, str) else blank
                           for code in table["value_from"]], index=table.index)
    trends.columns = [f"trend_{c}" if c != "direction" else "trend_direction"
                      for c in trends.columns]
    out = pd.concat([table, trends], axis=1)
    out["trend"] = [trend_label(d, item.polarity) for d in out["trend_direction"]]
    return out


def suppress_latest(latest: pd.DataFrame, geography) -> pd.DataFrame:
    """Small-number suppression of the record-level counts in one indicator's latest rows.

    Rows from records (``from_records``) go through
    :func:`jsnalib.methods.disclosure.suppress_table` with count and denominator as counts and value
    and limits derived from them. The districts of one county add up to the county's figure,
    so for each period they form a group in which a single hidden count would be recoverable
    (secondary suppression). A district showing its county's figure is not one of the parts.
    Other rows pass unchanged; ``suppression_note`` says why a cell was blanked.
    """
    out = latest.copy()
    out[disclosure.NOTE_COLUMN] = pd.Series(pd.NA, index=out.index, dtype="str")
    records = out["from_records"].astype("boolean").fillna(False).to_numpy(bool)
    if not records.any():
        return out
    part = out[records].copy()
    is_part = [geography.area_type(code) == "district" and code == source
               for code, source in zip(part["area_code"], part["value_from"], strict=True)]
    parent = [geography.parent(code) if flag else f"own:{code}"
              for code, flag in zip(part["area_code"], is_part, strict=True)]
    part["_group"] = part["indicator"].astype(str) + "|" + part["period"].astype(str) + "|" + \
        pd.Series(parent, index=part.index)
    derived = {c: ["count", "denominator"] for c in ("value", "lower", "upper")}
    safe = disclosure.suppress_table(part, count_cols=["count", "denominator"],
                                     group_cols=["_group"], derived_cols=derived)
    for column in ("count", "denominator", "value", "lower", "upper"):
        out.loc[records, column] = safe[column].astype("Float64").astype(float).to_numpy()
    out.loc[records, disclosure.NOTE_COLUMN] = safe[disclosure.NOTE_COLUMN].to_numpy()
    return out


# ----------------------------------------------------------------------------------------------
# what the pages show


def _number(value: float, decimals: int = DECIMALS) -> str:
    return "not available" if pd.isna(value) else f"{value:,.{decimals}f}"


def _count(value: float, suppressed: object = None) -> str:
    """A whole number with thousands separators; for a missing one, why it is missing."""
    if pd.notna(value):
        return f"{value:,.0f}"
    return "suppressed" if pd.notna(suppressed) else "not available"


def _level(confidence: float) -> str:
    return f"{confidence_percent(confidence):g}%"


def _short_trend(row: pd.Series) -> str:
    return row["trend"].split(" (")[0]


def rating_style(rating: str) -> str:
    """Inline CSS for a rating cell: the rating's colour (plots.RATING_COLOURS) as background,
    with black or white text, whichever has the higher contrast (WCAG relative luminance)."""
    colour = plots.RATING_COLOURS.get(rating)
    if colour is None:
        raise ValueError(f"no colour for rating {rating!r}; expected one of {', '.join(RATINGS)}")
    channels = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    text = "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"
    return f"background-color:{colour};color:{text};font-weight:600"


def rated_table(shown: pd.DataFrame, ratings: pd.DataFrame, caption: str, name: str,
                download: pd.DataFrame) -> HTML:
    """A :func:`jsnalib.report.display.table` whose rating cells are coloured as well as worded.

    `ratings` has the shape of `shown`: the rating word of each cell to colour ("better",
    "worse", ...; see :data:`RATINGS`) and "" elsewhere. The colour repeats what the cell's
    text says, so nothing depends on colour alone. A line break in a cell's text is kept (as
    ``<br>``). `download` is the CSV offered.
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
        text, end, rest = cell.partition("</td>")
        cell = text.replace("\\n", "<br>") + end + rest  # pandas writes a newline as \n
        if rating:
            slug = str(rating).replace(" ", "-")
            out.append(f'<td class="jsna-rating jsna-rating-{slug}" '
                       f'style="{rating_style(str(rating))}">{cell}')
        else:
            out.append(f"<td>{cell}")
    return HTML("".join(out))


def legend() -> HTML:
    """The legend of ratings and trends, as coloured labels that carry their own words."""
    items = [
        ("better", "significantly better than England: England's value lies outside the "
                   "area's 95% confidence interval, on the good side"),
        ("similar", "not significantly different: England's value lies inside the interval"),
        ("worse", "significantly worse than England: England's value lies outside the "
                  "interval, on the bad side"),
        ("higher", "significantly higher than England, for an indicator where higher is "
                   "neither better nor worse (the referral rate)"),
        ("lower", "significantly lower than England, for such an indicator"),
        ("not compared", "no value, or no England value for the same period"),
    ]
    rows = "".join(
        f'<li><span class="jsna-rating" style="{rating_style(word)};padding:0 0.4em">'
        f"{html.escape(word)}</span> {html.escape(text)}</li>" for word, text in items)
    trend = (f"<li><strong>\u2191 rising</strong> / <strong>\u2193 falling</strong>: a "
             f"significant trend over the latest {TREND_POINTS} yearly values (chi-square test "
             "for trend at 99.8%, robust to leaving out any one year, as Fingertips); whether "
             "that is getting better or worse depends on the indicator (for all but the "
             "referral rate, lower is better)</li>"
             "<li><strong>\u2192 no significant change</strong> over those years; "
             f"<strong>?</strong> cannot be calculated (fewer than {TREND_POINTS} years in a "
             "row with data)</li>")
    return HTML(f'<div class="jsna-legend"><ul>{rows}{trend}</ul></div>')


def spine_chart(compared: pd.DataFrame, title: str) -> tuple[Figure, str, pd.DataFrame]:
    """The area's spine chart: each indicator against England, the region and the range.

    Uses :func:`jsnalib.report.plots.spine_chart` (the area's value as a dot coloured by its rating,
    England as the centre line, the worst and best areas as the ends) and adds the region as a
    hollow diamond, the worst and best values at the ends of each bar, a legend, and the value
    and rating in words in each row's label. Indicators with no better or worse direction (the
    referral rate) and rows without a value are left out: the table has them.

    Returns:
        ``(figure, alt_text, data)``: data is the chart's numbers for the CSV download.
    """
    rows = compared[(compared["polarity"] != "no_judgement") & compared["value"].notna()
                    & compared["england"].notna() & compared["worst"].notna()]
    if rows.empty:
        raise ValueError("no indicator has a value and an England benchmark to chart")
    labels = [f"{r['short']}, {r['period']}\n{_with_unit(r['value'], r['unit'])}: "
              f"{_versus_england(r['vs_england'])}"
              + (f" ({r['value_from_name']}'s figure)" if r["value_from"] != r["area_code"]
                 else "") for _, r in rows.iterrows()]
    chart = pd.DataFrame({"indicator": labels, "value": rows["value"].to_numpy(),
                          "england": rows["england"].to_numpy(),
                          "worst": rows["worst"].to_numpy(), "best": rows["best"].to_numpy(),
                          "rating": rows["vs_england"].to_numpy(),
                          "polarity": rows["polarity"].to_numpy()})
    fig, _ = plots.spine_chart(chart, title)
    ax = fig.axes[0]
    n = len(rows)
    fig.set_size_inches(8, 0.8 * n + 1.8)
    ax.tick_params(axis="y", labelsize=10)
    ax.tick_params(axis="x", labelsize=10)
    y = n - 1 - np.arange(n)
    region_name = rows["region_name"].iloc[0]
    region_pos = spine_position(rows["region"], rows["england"], rows["worst"], rows["best"],
                                rows["polarity"])
    ax.scatter(region_pos, y, marker="D", s=50, facecolors="none", edgecolors="black",
               linewidths=1.2, zorder=4)
    for row_y, worst, best in zip(y, rows["worst"], rows["best"], strict=True):
        ax.text(-1.0, row_y + 0.32, _number(worst), fontsize=8.5, color="#444444", ha="left",
                va="bottom")
        ax.text(1.0, row_y + 0.32, _number(best), fontsize=8.5, color="#444444", ha="right",
                va="bottom")
    handles = [Line2D([], [], marker="o", ls="none", markersize=8, markeredgecolor="black",
                      markerfacecolor=plots.RATING_COLOURS[r], label=_versus_england(r))
               for r in RATINGS if r in set(chart["rating"])]
    if region_name:
        handles.append(Line2D([], [], marker="D", ls="none", markersize=7,
                              markerfacecolor="none", markeredgecolor="black",
                              label=region_name))
    handles.append(Line2D([], [], color="black", lw=1.5, label="England"))
    legend_height = 0.5 / fig.get_size_inches()[1]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, legend_height, 1, 1))
    area = rows["area_name"].iloc[0]
    described = "; ".join(
        f"{r['name']} ({r['period']}): {area} {_with_unit(r['value'], r['unit'])}"
        + (f" ({r['value_from_name']}'s figure)" if r["value_from"] != r["area_code"] else "")
        + ", "
        f"{_versus_england(r['vs_england'])} (England {_number(r['england'])}"
        + (f", {region_name} {_number(r['region'])}" if region_name else "")
        + f"; range {_number(r['worst'])} worst to {_number(r['best'])} best)"
        for _, r in rows.iterrows())
    alt = (f"Spine chart: {title}. Each row places {area}'s value between the worst and best "
           f"values among up to {int(rows['range_count'].max())} areas, with England in the "
           f"centre. {described}.")
    data = rows[["name", "unit", "period", "value", "lower", "upper", "england", "region",
                 "worst", "best", "range_count", "vs_england", "vs_region"]].rename(
        columns={"name": "indicator", "region": "region_value"})
    return fig, alt, data.reset_index(drop=True)


def _with_unit(value: float, unit: str) -> str:
    """'26.0%' for percentages, '8.5 per 1,000 live births' for rates."""
    if pd.isna(value):
        return "not available"
    return f"{_number(value)}{unit}" if unit.startswith("%") else f"{_number(value)} {unit}"


def _versus_england(rating: str) -> str:
    """'worse than England', 'similar to England', 'not compared'."""
    if rating in ("better", "worse", "higher", "lower"):
        return f"{rating} than England"
    return "similar to England" if rating == "similar" else rating


def spine_position(value, england, worst, best, polarity) -> np.ndarray:
    """Where a value sits on the spine chart's scale (England 0, worst end -1, best end +1).

    The same scale as :func:`jsnalib.report.plots.spine_chart`: the distance from England divided
    by the larger of England's distances to the worst and best values, clipped to -1..1, with
    the sign turned so that better is to the right.
    """
    value, england, worst, best = (np.asarray(a, dtype=float) for a in
                                   (value, england, worst, best))
    half = np.maximum(np.abs(england - worst), np.abs(best - england))
    half = np.where(half > 0, half, 1.0)
    position = np.clip((value - england) / half, -1, 1)
    flip = np.asarray(polarity, dtype=object) == "low_is_good"
    return np.where(flip, -position, position)


def _described(row: pd.Series, confidence: float) -> str:
    """'7.6 per 1,000 live births (95% CI 6.3 to 9.1; 75 infant deaths out of 9,842 live
    births)', or 'not available'."""
    item = indicators.indicator(row["indicator"])
    if pd.isna(row["value"]):
        return "not available" + (" (suppressed: small numbers)"
                                  if pd.notna(row.get(disclosure.NOTE_COLUMN)) else "")
    return (f"{_with_unit(row['value'], row['unit'])} ({_level(confidence)} CI "
            f"{_number(row['lower'])} to {_number(row['upper'])}; "
            f"{_count(row['count'])} {item.count_label} out of {_count(row['denominator'])} "
            f"{item.denominator_label})")


def trend_sentence(row: pd.Series) -> str:
    """One plain sentence on an indicator's recent trend, from a :func:`compare_areas` row."""
    direction, periods = row["trend_direction"], row["trend_periods"]
    if direction == "cannot be calculated":
        return f"The recent trend cannot be calculated ({row['trend_method']})."
    if direction == "no significant change":
        return f"From {periods} there was no significant change."
    verb = "rose" if direction == "increasing" else "fell"
    label = row["trend"]
    judgement = label[label.index("(") + 1:-1] if "(" in label else ""
    unit = row["trend_change_unit"]
    size = (f"by {abs(row['trend_change']):.1f}% a year" if unit.startswith("%")
            else f"by {abs(row['trend_change']):.1f} {unit}")
    return (f"From {periods} it {verb} significantly ({size})"
            + (f": {judgement}." if judgement else "."))


def profile_summary(compared: pd.DataFrame, confidence: float = 0.95) -> str:
    """The profile's opening in plain English (Markdown): the tally of ratings against England,
    then one line per indicator with its value, interval, counts, rating and trend."""
    if compared["area_code"].nunique() != 1:
        raise ValueError("profile_summary takes the comparison table of one area")
    area = compared["area_name"].iloc[0]
    own = compared["value_from"] == compared["area_code"]
    judged = compared[(compared["polarity"] != "no_judgement") & own]
    counts = {r: int((judged["vs_england"] == r).sum()) for r in ("worse", "similar", "better")}
    rated = sum(counts.values())
    if not rated:
        lines = [f"None of {area}'s indicators could be compared with England."]
    else:
        lines = [f"Of the {rated} indicators rated against England, {area} is "
                 f"**worse on {counts['worse']}**, **similar on {counts['similar']}** and "
                 f"**better on {counts['better']}**."]
        for rating in ("worse", "better"):
            names = judged.loc[judged["vs_england"] == rating, "short"].tolist()
            if names:
                lines[0] += f" {rating.capitalize()}: {'; '.join(names)}."
        unrated = compared.loc[compared["polarity"] == "no_judgement", "short"].tolist()
        if unrated:
            lines[0] += (f" ({'; '.join(unrated)}: shown without a rating, as neither higher "
                         "nor lower is better in itself.)")
    borrowed = compared.loc[~own & (compared["polarity"] != "no_judgement")]
    if len(borrowed):
        lines[0] += (f" ({'; '.join(borrowed['short'])}: {borrowed['value_from_name'].iloc[0]}'s "
                     f"figure, not {area}'s own, so not counted here.)")
    lines.append("")
    for _, row in compared.iterrows():
        england = _number(row["england"])
        if row["vs_england"] in ("better", "worse", "higher", "lower", "similar"):
            words = _versus_england(row["vs_england"])
            versus = f"{words[0].upper()}{words[1:]} ({england})."
        else:
            versus = "Not compared with England."
        source = ("" if row["value_from"] == row["area_code"]
                  else f" This is {row['value_from_name']}'s figure.")
        lines.append(f"- **{row['name']}**, {row['period']}: {_described(row, confidence)}. "
                     f"{versus} {trend_sentence(row)}{source}")
    return "\n".join(lines)


def profile_table(compared: pd.DataFrame, confidence: float = 0.95, name: str = "profile"
                  ) -> HTML:
    """The profile's table: every indicator with its value and interval, what it counts, its
    rating against England and against the region (coloured and worded, with the benchmark's
    value) and the recent trend. The CSV download has every column of `compared`."""
    region = compared["region_name"].iloc[0] or "Region"
    level = _level(confidence)
    notes = compared[disclosure.NOTE_COLUMN]
    shown = pd.DataFrame({
        "Indicator": [f"{short}\n({unit})" + ("" if src == code else " \u2020")
                      for short, unit, src, code in zip(
                          compared["short"], compared["unit"], compared["value_from"],
                          compared["area_code"], strict=True)],
        "Period": compared["period"],
        f"Value ({level} CI)": [
            f"{_number(v)}\n({_number(lo)} to {_number(hi)})" if pd.notna(lo) else _number(v)
            for v, lo, hi in zip(compared["value"], compared["lower"], compared["upper"],
                                 strict=True)],
        "Count of total": [f"{_count(c, n)}\nof {_count(d, n)}" for c, d, n in zip(
            compared["count"], compared["denominator"], notes, strict=True)],
        "Compared with England": [
            f"{rating}\nEngland {_number(value)}" if rating else f"England {_number(value)}"
            for rating, value in zip(compared["vs_england"], compared["england"], strict=True)],
        f"Compared with {region}": [
            f"{rating}\n{region} {_number(value)}" if rating else f"{region} {_number(value)}"
            for rating, value in zip(compared["vs_region"], compared["region"], strict=True)],
        "Recent trend": compared["trend"],
    })
    ratings = pd.DataFrame("", index=shown.index, columns=shown.columns)
    ratings["Compared with England"] = compared["vs_england"].fillna("")
    ratings[f"Compared with {region}"] = compared["vs_region"].fillna("")
    area = compared["area_name"].iloc[0]
    return rated_table(shown, ratings, f"{area}: latest value of each indicator, compared "
                       f"with England and {region}", name, download=_download(compared))


def _download(compared: pd.DataFrame) -> pd.DataFrame:
    columns = ["area_code", "area_name", "indicator", "name", "unit", "polarity", "period",
               "count", "denominator", "value", "lower", "upper", "value_from", "england",
               "england_lower", "england_upper", "region_code", "region_name", "region",
               "region_lower", "region_upper", "vs_england", "vs_region", "worst", "best",
               "range_count", "trend_direction", "trend_statistic", "trend_p_value",
               "trend_change", "trend_change_unit", "trend_periods", "trend_method", "note",
               disclosure.NOTE_COLUMN]
    return compared[columns]


def _name_list(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def method_notes(compared: pd.DataFrame, geography: Geography, confidence: float = 0.95) -> str:
    """How the figures were made (Markdown bullets): ratings, trends, the spine chart's range
    (with the number of areas it spans for each indicator) and the NCMP exclusions.

    Every area named comes from ``geography`` (the home authorities, their districts, their
    regions); nothing about a particular council is written here."""
    level = _level(confidence)
    spans = compared.groupby("indicator", sort=False).agg(
        short=("short", "first"), areas=("range_count", "max"))
    counted = "; ".join(f"{row['short'].lower()}: {int(row['areas'])}"
                        for _, row in spans.iterrows())
    unjudged = [i.short.lower() for i in INDICATORS if i.polarity == "no_judgement"]
    homes = geography.home_authorities()
    home_names = _name_list([geography.name(c) for c in homes])
    districts = [c for c in geography.jsna_areas() if c not in homes]
    counties = [c for c in homes if geography.children(c)]
    regions = _name_list(list(dict.fromkeys(geography.name(r) for c in homes
                                            if (r := geography.region(c)))))
    areas_text = home_names + (f", and the {len(districts)} districts within them" if districts else "")
    lines = [
        f"- **Ratings.** An indicator is *better* or *worse* than England when England's value "
        f"lies outside the area's {level} confidence interval; otherwise it is *similar*. "
        + (f"{_name_list(unjudged).capitalize()} have no better or worse direction, so they are "
           f"*higher*, *similar* or *lower*. " if unjudged else "")
        + "The same test against the region gives the region column.",
        f"- **Recent trend.** As in Fingertips: the latest {TREND_POINTS} yearly values, with "
        f"no year missing, tested with the chi-square test for trend (its Poisson form for "
        f"rates); an arrow needs the statistic above 9.5495 (the 99.8% level) and a direction "
        f"that stays the same when any one year is left out. Fewer years: the trend cannot be "
        f"calculated. Infant mortality is tested on single calendar years, since its 3-year "
        f"periods overlap. An arrow means the change is unlikely to be chance; it says nothing "
        f"about why.",
        f"- **The spine chart's range.** The grey bar runs from the worst to the best value in "
        f"the same period among the JSNA areas ({areas_text}), England, {regions} and the "
        f"authorities' statistical neighbours, where the data have a value of their own. "
        f"Areas in the range: {counted}.",
        "- **Child measurement (NCMP).** Children whose measurements are missing or outside the "
        "NCMP validation ranges are left out, as nationally"
        + ("; a county's figure adds up its districts' children" if counties else "")
        + f". England and {regions} figures come from the national Fingertips export.",
    ]
    if counties:
        lines.append(
            f"- **Children's social care** is run by the upper-tier councils "
            f"({_name_list([geography.name(c) for c in homes])}), so districts (marked \u2020) "
            f"show their county's re-referral and referral figures, which are not counted in "
            f"the district's own ratings.")
    lines.append("- **Small numbers.** Counts of 1 to 4 from individual records, and figures that "
                 "would reveal them, are not shown.")
    return "\n".join(lines)


def figure_notes(compared: pd.DataFrame) -> str:
    """The notes attached to one area's figures (Markdown bullets; empty if there are none):
    a county's figure shown for a district, referrals without a child ID, suppression."""
    lines = []
    for _, row in compared.iterrows():
        notes = [row["note"]] if isinstance(row["note"], str) and row["note"] else []
        if pd.notna(row.get(disclosure.NOTE_COLUMN)):
            notes.append("a small number was suppressed (" + row[disclosure.NOTE_COLUMN] + ")")
        if notes:
            marker = "\u2020 " if row["value_from"] != row["area_code"] else ""
            lines.append(f"- {marker}**{row['name']}, {row['area_name']}:** "
                         + "; ".join(notes) + ".")
    return "\n".join(lines)


#: The summary table's trend marks: an arrow only for a significant change.
TREND_MARKS = {"increasing": "\u2191", "decreasing": "\u2193",
               "no significant change": "\u2192", "cannot be calculated": "?"}


def summary_table(compared: pd.DataFrame, keys: Sequence[str], caption: str,
                  name: str = "outcomes-summary") -> HTML:
    """Areas by indicators: each cell the latest value, its rating against England (coloured
    and worded) and a trend mark (:data:`TREND_MARKS`; explained by :func:`legend`).

    Only the indicators in `keys` are shown, and only areas with a figure of their own for
    at least one of them (a district showing its county's social care figures is left out of
    a table of social care indicators). The CSV download has the full comparison table of the
    rows shown, with the trends in words.
    """
    unknown = sorted(set(keys) - set(compared["indicator"]))
    if unknown:
        raise ValueError(f"no such indicator in the comparison: {', '.join(unknown)}")
    chosen = compared[compared["indicator"].isin(list(keys))]
    own = (chosen["value_from"] == chosen["area_code"]).groupby(chosen["area_code"]).any()
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
            text = _number(row["value"])
            if row["period"] != period and pd.notna(row["period"]):
                text += f" ({row['period']})"
            if row["value_from"] != area:
                text += " \u2020"
            words = " ".join(w for w in (row["vs_england"],
                                         TREND_MARKS[row["trend_direction"]]) if w)
            cells.append(f"{text}\n{words}")
            marks.append(row["vs_england"] or "")
        header = f"{rows['short'].iloc[0]}, {period}"
        shown[header] = cells
        ratings[header] = marks
    return rated_table(shown, ratings, caption, name, download=_download(chosen))


def units_note(compared: pd.DataFrame) -> str:
    """One line (Markdown) giving the unit of each indicator in a table."""
    units = compared.drop_duplicates("indicator")
    return "Units: " + "; ".join(f"{row['short'].lower()} {row['unit']}"
                                 for _, row in units.iterrows()) + "."


def summary_reading(compared: pd.DataFrame) -> str:
    """One plain line per area (Markdown): which indicators are worse or better than England."""
    lines = []
    country = compared.loc[compared["vs_england"] == "", "area_code"]
    for code, rows in compared.groupby("area_code", sort=False):
        if code in set(country):
            continue
        judged = rows[(rows["polarity"] != "no_judgement") & (rows["value_from"] == code)]
        worse = judged.loc[judged["vs_england"] == "worse", "short"].tolist()
        better = judged.loc[judged["vs_england"] == "better", "short"].tolist()
        rated = int(judged["vs_england"].isin(["worse", "similar", "better"]).sum())
        text = f"- **{rows['area_name'].iloc[0]}**: worse than England on {len(worse)} of {rated}"
        text += (": " + "; ".join(worse) if worse else "")
        text += f". Better on {len(better)}" + (": " + "; ".join(better) if better else "")
        lines.append(text + ".")
    return "\n".join(lines)
