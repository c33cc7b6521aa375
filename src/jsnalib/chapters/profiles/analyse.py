"""Every indicator for each area, rated against England and the region, with its recent trend.

Numbers and verdicts only; :mod:`.text` turns them into words and :mod:`.figures` into charts and
tables. The figures come from :mod:`jsnalib.indicators` (the one definition of each indicator);
this module compares them:

- ratings are :func:`jsnalib.methods.stats.compare` with the indicator's polarity: "better" or
  "worse" when the benchmark lies outside the area's confidence interval, "similar" when it lies
  inside ("higher"/"lower" for an indicator with no better direction);
- the recent trend is Fingertips' (:func:`jsnalib.methods.stats.recent_trend_test`): the latest
  :data:`TREND_POINTS` yearly values, unbroken, with the chi-square test for trend above 9.5495
  (99.8%) and a direction that survives dropping any one year; an indicator taken from a
  Fingertips export without counts shows the export's own recent trend ("published");
- the spine chart's range ("worst" to "best") runs across :func:`range_areas`, taking the areas
  with a value of their own for the same period (a district showing its county's figure is not
  counted twice);
- record-level counts of 1-4, and figures that would reveal them, pass
  :func:`jsnalib.methods.disclosure.suppress_table` before anything is shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.indicators import Indicator, IndicatorData, framework
from jsnalib.inputs.contracts import NCMP, REFERRALS
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.readers import RECORD_CONTRACTS
from jsnalib.methods import disclosure, stats
from jsnalib.methods.confidence import level as confidence_level
from jsnalib.report.maps import Area

from .load import Inputs

__all__ = ["FRAMEWORK_FIGURES", "FRAMEWORK_STATUSES", "TREND_POINTS", "TREND_TESTS", "Results",
           "analyse", "compare_areas", "framework_comparison", "range_areas", "recent_trend",
           "summary_areas", "suppress_latest"]

#: Yearly values the recent-trend test uses (Fingertips: the latest five points).
TREND_POINTS = stats.RECENT_TREND_POINTS
#: Whether a recent trend was tested ("tested") or why not: no count at all, a year missing from
#: the latest :data:`TREND_POINTS`, or nothing that could vary (no events, or all events);
#: "published": no counts, so the publisher's own recent trend is shown.
TREND_TESTS = ("tested", "no data", "years missing", "no variation", "published")
#: Ratings against a benchmark (:func:`jsnalib.methods.stats.compare`); "" for a benchmark
#: compared with itself.
RATINGS = ("better", "similar", "worse", "higher", "lower", "not compared")
#: The verdicts that count in an area's tally against England.
TALLIED = ("worse", "similar", "better")


@dataclass(frozen=True)
class Results:
    """What an area profile or the outcomes summary shows, as numbers and verdicts.

    Attributes
    ----------
    area_codes : tuple of str
        The areas reported, in page order.
    confidence : float
        Level of every interval and rating (a fraction, e.g. 0.95).
    country : str
        England's code (its rows are not rated against England).
    compared : DataFrame
        One row per area and indicator (:func:`compare_areas`).
    tallies : DataFrame
        Per area (index ``area_code``): how many of its own rated figures are ``worse``,
        ``similar`` and ``better`` than England, and ``rated`` (their sum).
    range_counts : Series
        Per indicator key: the largest number of areas in the spine chart's range.
    regional : DataFrame or None
        :func:`compare_areas` for the councils of the region map; None without maps.
    geography : Geography
        The areas, hierarchy and neighbours.
    local_boundaries, council_boundaries, region_boundary
        The map boundaries, as loaded (:class:`.load.Inputs`).
    neighbours : DataFrame
        For a profile of one area: :func:`compare_areas` for its authority (the area itself, or
        a district's county) and that authority's statistical neighbours in rank order, with
        ``home_code`` (that authority) and ``rank`` (0 for the authority itself); empty for
        the outcomes summary or an authority without a neighbour set.
    """

    area_codes: tuple[str, ...]
    confidence: float
    country: str
    compared: pd.DataFrame
    tallies: pd.DataFrame
    range_counts: pd.Series
    regional: pd.DataFrame | None
    geography: Geography
    local_boundaries: Mapping[str, Area]
    council_boundaries: Mapping[str, Area]
    region_boundary: Area | None
    neighbours: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def analyse(inputs: Inputs, area_codes: Sequence[str] = (), confidence: float = 0.95) -> Results:
    """Compare every indicator for the areas asked for (all of :func:`summary_areas` if none).

    Parameters
    ----------
    inputs : Inputs
        From :func:`.load.load`; with boundaries, the region's councils are compared too.
    area_codes : sequence of str
        The areas to report, in page order; empty for the outcomes summary's areas.
    confidence : float
        Level of the intervals the ratings use: 0.95 or 95 by default.

    Returns
    -------
    Results

    Raises
    ------
    ValueError
        For an unknown area code or a confidence level outside 0.9-1 / 90-100.
    """
    level = confidence_level(confidence)
    geo = inputs.geography
    codes = tuple(area_codes) or tuple(summary_areas(geo))
    compared = compare_areas(inputs.data, codes, level)
    counted = compared[compared["counted"]]
    tallies = pd.DataFrame({verdict: (counted["vs_england"] == verdict).groupby(
        counted["area_code"]).sum() for verdict in TALLIED}).reindex(list(codes), fill_value=0)
    tallies = tallies.astype(int).rename_axis("area_code")
    tallies["rated"] = tallies[list(TALLIED)].sum(axis=1)
    range_counts = compared.groupby("indicator", sort=False)["range_count"].max()
    councils = [code for code in inputs.council_boundaries if geo.is_known(code)]
    regional = compare_areas(inputs.data, councils, level) if inputs.council_boundaries else None
    return Results(area_codes=codes, confidence=level, country=geo.country(), compared=compared,
                   tallies=tallies, range_counts=range_counts, regional=regional, geography=geo,
                   local_boundaries=inputs.local_boundaries,
                   council_boundaries=inputs.council_boundaries,
                   region_boundary=inputs.region_boundary,
                   neighbours=(neighbour_comparison(inputs.data, codes[0], level)
                               if len(area_codes) == 1 else pd.DataFrame()))


def neighbour_comparison(data: IndicatorData, area_code: str, confidence: float = 0.95
                         ) -> pd.DataFrame:
    """The area's authority (itself, or a district's county) beside its statistical
    neighbours: :func:`compare_areas` of the authority and the neighbours in rank order, with
    ``home_code`` and ``rank`` (0 for the authority). Empty when it has no neighbour set."""
    geo = data.geography
    home = geo.upper_tier(area_code)
    neighbours = geo.neighbours(home)
    if not neighbours:
        return pd.DataFrame()
    table = compare_areas(data, [home, *neighbours], confidence)
    rank = {code: i for i, code in enumerate([home, *neighbours])}
    return table.assign(home_code=home, rank=table["area_code"].map(rank))


# ----------------------------------------------------------------------------------------------
# trends


def recent_trend(rows: pd.DataFrame, item: Indicator) -> pd.Series:
    """Fingertips' recent trend of an area's yearly values of one indicator.

    The latest :data:`TREND_POINTS` years up to the area's latest year with a count and
    denominator must all be present; the direction is
    :func:`jsnalib.methods.stats.recent_trend_test` on them: the chi-square test for trend
    (Cochran-Armitage for proportions, the Poisson equivalent for rates) above 9.5495 (99.8%),
    with a slope whose sign survives dropping each year in turn (OHID Fingertips technical
    guidance, recent trends).

    Parameters
    ----------
    rows : DataFrame
        One area's tidy rows (:data:`jsnalib.indicators.ROW_COLUMNS`), one per year.
    item : Indicator
        The indicator (its ``kind`` picks the test, its ``multiplier`` scales the slope).

    Returns
    -------
    Series
        ``direction`` ("increasing", "decreasing", "no significant change" or "cannot be
        calculated"), ``test`` (one of :data:`TREND_TESTS`), ``statistic`` (chi-square),
        ``p_value``, ``change`` (the weighted least-squares slope: percentage points a year for
        proportions, the rate's units a year for rates), ``from`` and ``to`` (the period labels
        of the first and last years tested; "" without data).
    """
    names = ["direction", "test", "statistic", "p_value", "change", "from", "to"]
    kind = "proportion" if item.kind == "proportion" else "rate"
    present = rows.dropna(subset=["count", "denominator"])
    if present.empty:
        return pd.Series(["cannot be calculated", "no data", np.nan, np.nan, np.nan, "", ""],
                         index=names, dtype=object)
    last = int(present["time"].max())
    years = np.arange(last - TREND_POINTS + 1, last + 1)
    window = present.drop_duplicates("time", keep="last").set_index("time").reindex(years)
    known = window["period"].dropna()
    span = [known.iloc[0], known.iloc[-1]]
    test = stats.recent_trend_test(window["count"], window["denominator"], kind)
    if test["direction"] == "cannot be calculated":
        why = "years missing" if window["count"].isna().any() else "no variation"
        return pd.Series(["cannot be calculated", why, np.nan, np.nan, np.nan, *span],
                         index=names, dtype=object)
    return pd.Series([test["direction"], "tested", test["statistic"], test["p_value"],
                      test["slope"] * item.multiplier, *span], index=names, dtype=object)


# ----------------------------------------------------------------------------------------------
# the comparison table


def range_areas(geography: Geography) -> list[str]:
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


def summary_areas(geography: Geography) -> list[str]:
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

    Parameters
    ----------
    data : IndicatorData
        The loaded inputs (:meth:`jsnalib.indicators.IndicatorData.load`).
    area_codes : sequence of str
        The areas to report, in the order wanted.
    confidence : float
        Level of the intervals the ratings use (0.95 or 95 by default).

    Returns
    -------
    DataFrame
        One row per area and indicator (areas in the order given, indicators in
        :data:`jsnalib.indicators.INDICATORS` order): the tidy indicator columns
        (:data:`jsnalib.indicators.ROW_COLUMNS`; value, lower and upper in the indicator's
        unit) plus suppression_note, england, england_lower, england_upper, region, region_lower,
        region_upper, region_code, worst, best, range_count, vs_england, vs_region (ratings,
        :data:`RATINGS`; "" for a benchmark compared with itself), trend_direction, trend_test
        (:data:`TREND_TESTS`), trend_statistic, trend_p_value, trend_change (a year), trend_from,
        trend_to (the period labels tested), records_missing (the record-level extract
        with no records for an area without a figure, else ""), own (the figure is the area's own, not its
        county's), counted (own and rated for better or worse: it counts in the tally),
        area_name, value_from_name, region_name, name, short, unit, polarity, kind,
        count_label, denominator_label, publisher ("" for the book's own indicators) and
        source (for a published indicator its publisher, indicator ID, file and period; "").
        An indicator from a Fingertips export has rows only for the areas it covers.

    Raises
    ------
    ValueError
        For an area code not in areas.csv.
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
    for item in data.indicators:
        rows = item.compute(data, pool, confidence)
        latest = _latest(rows[rows["area_code"].isin(shown)])
        covered = shown if not item.publisher else [c for c in shown if c in set(latest["area_code"])]
        if not covered:
            continue
        latest = latest.set_index("area_code").reindex(covered).reset_index()
        latest = _without_data(latest, data, item)
        latest["indicator"] = item.key
        latest = suppress_latest(latest, geo)
        latest = latest[latest["area_code"].isin(codes)].reset_index(drop=True)
        if latest.empty:
            continue
        regions = [geo.region(code) for code in latest["area_code"]]
        lookup = _with_benchmarks(rows, data, item, pool, confidence)
        england = _benchmark(lookup, country, latest["period"], "england")
        region = pd.concat([_benchmark(lookup, r, latest.loc[[i], "period"], "region")
                            for i, r in zip(latest.index, regions, strict=True)])
        worst, best, count = _range(lookup, latest["period"], item.polarity)
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
    out["own"] = out["value_from"] == out["area_code"]
    out["area_name"] = out["area_code"].map(geo.name)
    out["value_from_name"] = out["value_from"].map(
        lambda c: geo.name(c) if isinstance(c, str) else "")
    out["region_name"] = out["region_code"].map(lambda c: geo.name(c) if c else "")
    details = {i.key: i for i in data.indicators}
    for column in ("name", "short", "unit", "polarity", "kind", "count_label",
                   "denominator_label", "publisher"):
        out[column] = out["indicator"].map(lambda k, c=column: getattr(details[k], c))
    out["source"] = [f"{details[k].source}, {period}" if details[k].publisher else ""
                     for k, period in zip(out["indicator"], out["period"], strict=True)]
    out["counted"] = out["own"] & (out["polarity"] != "no_judgement")
    order = {code: i for i, code in enumerate(codes)}
    out = out.sort_values(["area_code"], key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)


def record_file(item: Indicator) -> str:
    """The record-level extract an indicator's local figures come from ("" if none): the file
    its ``source`` names first, when that is an optional record-level extract
    (:data:`jsnalib.inputs.readers.RECORD_CONTRACTS`)."""
    first = item.source.split(";")[0].split()[0] if item.source else ""
    return first if first in {c.filename for c in RECORD_CONTRACTS} else ""


def _record_areas(data: IndicatorData, filename: str) -> set[str]:
    """The areas with figures from a record-level extract (a county: from its districts)."""
    frame = {REFERRALS.filename: data.referrals, NCMP.filename: data.ncmp}[filename]
    return set(frame.loc[frame["from_records"].astype(bool), "area_code"])


def _without_data(latest: pd.DataFrame, data: IndicatorData, item: Indicator) -> pd.DataFrame:
    """Rows of areas with no figure at all (reindexed in): the figure would be the area's own
    (its authority's, for an upper-tier-only indicator), and ``records_missing`` names the
    record-level extract lacking it ("" elsewhere)."""
    out = latest.copy()
    empty = out["value_from"].isna()
    geo = data.geography
    owners = [geo.upper_tier(c) if item.upper_tier_only else c for c in out["area_code"]]
    out.loc[empty, "value_from"] = [o for o, e in zip(owners, empty, strict=True) if e]
    out.loc[empty, "period"] = ""
    out.loc[empty, "from_records"] = False
    out.loc[empty, "note"] = ""
    out["records_missing"] = ""
    source = record_file(item)
    if source:
        have = _record_areas(data, source)
        lacking = (empty & ~out["value_from"].isin(have)
                   & out["area_code"].isin(geo.jsna_areas()))
        out.loc[lacking, "records_missing"] = source
    return out


def _with_benchmarks(rows: pd.DataFrame, data: IndicatorData, item: Indicator,
                     pool: list[str], confidence: float) -> pd.DataFrame:
    """The rows England, the region and the range are looked up in: the indicator's own, plus
    its rows on another basis (``item.benchmarks``; a district's death-cohort infant mortality
    is set beside England's death-cohort rate for the same years, never a registration rate)."""
    if item.benchmarks is None:
        return rows
    extra = item.benchmarks(data, pool, confidence)
    return pd.concat([rows, extra], ignore_index=True).drop_duplicates(["area_code", "period"])


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
    untested = [code for code, r in results.items() if r["test"] == "no data"]
    if item.published_trend is not None and untested:
        published = item.published_trend(data, untested)
        for code in untested:
            results[code] = pd.Series(
                [published[code], "published", np.nan, np.nan, np.nan, "", ""],
                index=results[code].index, dtype=object)
    blank = recent_trend(yearly.iloc[:0], item)
    trends = pd.DataFrame([results.get(code, blank) if isinstance(code, str) else blank
                           for code in table["value_from"]], index=table.index)
    trends.columns = [f"trend_{c}" for c in trends.columns]
    return pd.concat([table, trends], axis=1)


def suppress_latest(latest: pd.DataFrame, geography: Geography) -> pd.DataFrame:
    """Small-number suppression of the record-level counts in one indicator's latest rows.

    Rows from records (``from_records``) go through
    :func:`jsnalib.methods.disclosure.suppress_table` with count and denominator as counts and
    value and limits derived from them. The districts of one county add up to the county's
    figure, so for each period they form a group in which a single hidden count would be
    recoverable (secondary suppression). A district showing its county's figure is not one of
    the parts. Other rows pass unchanged; ``suppression_note`` says why a cell was blanked.
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
# the partnership's outcomes framework

#: Whether a framework row has a figure now: "current" (measured, with a value), "no value" (the
#: indicator is loaded but has no figure for the framework's area), "not loaded" (a Fingertips
#: indicator measures it but no export of it is in data/) or "no fingertips" (no verified
#: Fingertips indicator and none of the book's own).
FRAMEWORK_STATUSES = ("current", "no value", "not loaded", "no fingertips")
#: Columns of :func:`framework_comparison` taken from :func:`compare_areas`.
FRAMEWORK_FIGURES = ["period", "count", "denominator", "value", "lower", "upper", "england",
                     "region", "region_name", "vs_england", "vs_region", "trend_direction",
                     "trend_test", "polarity", "name", disclosure.NOTE_COLUMN]


def framework_comparison(inputs: Inputs, data_dir: str | Path, confidence: float = 0.95
                         ) -> pd.DataFrame | None:
    """The partnership's outcomes framework (``data_dir/outcomes_framework.csv``) beside the
    book's current figures; None when the folder has no framework file.

    Each row is measured by the book's own indicator, or by the Fingertips indicator of an
    export in ``data_dir`` (:mod:`jsnalib.indicators.framework`), for the framework's area, and
    compared exactly as on the profiles (:func:`compare_areas`: CI rating against England and
    the region with the indicator's polarity, recent trend, small-count suppression).

    Returns
    -------
    DataFrame or None
        The framework's columns in file order, plus ``key`` (the indicator used, "" for none),
        ``status`` (:data:`FRAMEWORK_STATUSES`), ``current_unit`` and ``current_source`` (the
        measuring indicator's unit, and its source with the period; "" when none),
        :data:`FRAMEWORK_FIGURES` (NaN or "" when there is no figure) and ``area_name``.

    Raises
    ------
    jsnalib.inputs.readers.DataError
        Naming file, row and column when the framework file or an export is malformed.
    """
    found = framework.read_framework(data_dir, inputs.geography)
    if found is None:
        return None
    level = confidence_level(confidence)
    data = framework.framework_data(found, inputs.data, data_dir)
    keys = [framework.framework_key(row, data) for _, row in found.iterrows()]
    codes = list(dict.fromkeys(found["area_code"]))
    compared = compare_areas(data, codes, level).set_index(["area_code", "indicator"])
    out = found.assign(key=keys)
    figures = []
    for code, key in zip(out["area_code"], out["key"], strict=True):
        hit = compared.loc[(code, key)] if key and (code, key) in compared.index else None
        figures.append({c: (hit[c] if hit is not None else np.nan) for c in FRAMEWORK_FIGURES})
    table = pd.DataFrame(figures, index=out.index)
    for column in ("region_name", "vs_england", "vs_region", "trend_direction", "trend_test",
                   "polarity", "name"):
        table[column] = table[column].where(table[column].notna(), "").astype(object)
    out = pd.concat([out, table], axis=1)
    has_value = out["value"].notna()
    out["status"] = np.select(
        [(out["key"] != "") & has_value, out["key"] != "", out["fingertips_id"].notna()],
        ["current", "no value", "not loaded"], "no fingertips")
    units, sources = [], []
    for key, period, status in zip(out["key"], out["period"], out["status"], strict=True):
        item = framework.framework_indicator(data, key) if key else None
        units.append(item.unit if item else "")
        sources.append(f"{item.source}, {period}" if item and status == "current" else "")
    out["current_unit"], out["current_source"] = units, sources
    out["area_name"] = out["area_code"].map(inputs.geography.name)
    return out.reset_index(drop=True)
