"""Any Fingertips indicator as one of the book's indicators: ``data/fingertips_<anything>.csv``.

Every Fingertips CSV export in the data folder (as downloaded, old or new layout, any indicator
and area type; read by :func:`jsnalib.inputs.national.fingertips.read_fingertips`) adds its
indicators to the area profiles and the outcomes summary, with no code change. Per indicator:

- rows: persons (or the only sex published), the whole population (no category breakdown),
  the age band with most rows; every period is kept (the recent trend needs them), pages show
  each area's latest. Areas the exports do not cover get no row. Several exports of one
  indicator (e.g. one per area type) are combined; a row repeated in two files is kept once
  (the first file in name order).
- value and 95% limits as published (99.8% limits at ``confidence=0.998``; no interval at other
  levels), count and denominator where given.
- unit and multiplier: from the published values (value / (count / denominator) within 2% of
  100, 1,000, 10,000 or 100,000), else from the name ("per 100,000", "%", "percentage",
  "proportion"), else none (values as published, multiplier 1). ``kind`` "proportion" for a
  percentage whose counts never exceed their denominators, else "rate" (the trend test used).
- polarity: from ``data/indicator_polarity.csv`` (:data:`POLARITY_FILE`, keyed by Indicator
  ID) when listed there; else from the export's "Compared to England value or percentiles"
  column (Better/Worse words, RAG and percentile conventions: a "better" area above England
  means high is good), "no_judgement" when it only says Higher/Lower (BOB) or nothing.
- recent trend: the book's test (:func:`jsnalib.methods.stats.recent_trend_test`) on the counts
  where the latest five years have them; else the export's own "Recent Trend" column
  (:func:`published_trend`).
- source: "OHID Fingertips, indicator <ID>" and the file, shown next to each figure with its
  period.

The catalogue's own Fingertips file (``fingertips_ncmp.csv``, England and region NCMP
benchmarks) adds nothing, and in other exports the NCMP prevalence measures the catalogue
already defines (recognised by :func:`jsnalib.indicators.ncmp.fingertips_measure`) are skipped.

References: OHID Fingertips technical guidance (benchmarking, polarity, recent trends).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.indicators import ncmp
from jsnalib.indicators.catalogue import (
    DATA_FILES,
    NCMP_MEASURES,
    ROW_COLUMNS,
    Indicator,
    IndicatorData,
)
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.national.fingertips import read_fingertips
from jsnalib.inputs.readers import POLARITY_FILE, read_indicator_polarity
from jsnalib.methods.confidence import level as confidence_level

__all__ = ["PUBLISHER", "POLARITY_FILE", "EXPORT_COLUMNS", "export_files", "export_indicators",
           "export_rows", "load_with_exports", "polarity_from_comparison", "published_trend",
           "read_exports"]

#: The publisher named next to every figure taken from an export.
PUBLISHER = "OHID Fingertips"
#: Columns of :attr:`IndicatorData.fingertips` (one row per indicator key, area and period).
EXPORT_COLUMNS = ["indicator", "indicator_id", "area_code", "period", "time", "count",
                  "denominator", "value", "lower_95", "upper_95", "lower_998", "upper_998",
                  "recent_trend", "file"]
#: The units an export's values can be recognised in: multiplier -> unit.
UNITS = {100: "%", 1_000: "per 1,000", 10_000: "per 10,000", 100_000: "per 100,000"}
#: How close value / (count / denominator) must be to a multiplier to take its unit (fraction).
UNIT_TOLERANCE = 0.02
#: What the counts are called in a sentence ("117 (count) out of 25,091 (denominator)").
COUNT_LABEL, DENOMINATOR_LABEL = "(count)", "(denominator)"
_CATALOGUE_FILES = {name for name in DATA_FILES if name.startswith("fingertips_")}
_GOOD, _BAD = re.compile(r"\b(?:better|best)\b", re.I), re.compile(r"\b(?:worse|worst)\b", re.I)
_NEUTRAL = re.compile(r"\b(?:higher|lower|highest|lowest)\b", re.I)


# ----------------------------------------------------------------------------------------------
# reading the exports


def export_files(data_dir: str | Path) -> list[Path]:
    """The Fingertips exports in ``data_dir`` that add indicators, in name order.

    Every ``fingertips_*.csv`` but the catalogue's own (``fingertips_ncmp.csv``) and the tidy
    files ``jsna import`` writes (``fingertips_tidy*.csv``).
    """
    folder = Path(data_dir)
    return sorted(p for p in folder.glob("fingertips_*.csv")
                  if p.is_file() and p.name not in _CATALOGUE_FILES
                  and not p.name.startswith("fingertips_tidy"))


def _catalogue_defines(name: str) -> bool:
    measure = ncmp.fingertips_measure(name)
    return measure is not None and measure[1] in NCMP_MEASURES


def _whole_population(tidy: pd.DataFrame) -> pd.DataFrame:
    """Persons (or the only sex), no category breakdown, the commonest age band: per indicator."""
    whole = tidy[tidy["category_type"].isna() & tidy["category"].isna()]
    kept = []
    for _, rows in whole.groupby("indicator_id", sort=True):
        persons = rows[rows["sex"].str.lower() == "persons"]
        if persons.empty and rows["sex"].nunique() == 1:
            persons = rows
        if persons.empty:
            continue
        age = persons["age"].value_counts().index[0]
        kept.append(persons[persons["age"] == age])
    return pd.concat(kept, ignore_index=True) if kept else whole.iloc[:0]


def _start_year(tidy: pd.DataFrame) -> pd.Series:
    first = tidy["period"].str.extract(r"(\d{4})", expand=False).astype("Float64")
    return tidy["period_start"].dt.year.astype("Float64").fillna(first)


def read_exports(data_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every export of :func:`export_files` and keep the rows the book shows.

    Returns
    -------
    (rows, names)
        ``rows``: :data:`EXPORT_COLUMNS` plus ``compared_to_england`` (values in the
        indicator's units, counts as published, NaN where not published); ``names``: one row
        per indicator (indicator_id, indicator_name, file).

    Raises
    ------
    jsnalib.inputs.readers.DataError
        Naming file, row and column when an export cannot be read.
    """
    frames = []
    for path in export_files(data_dir):
        tidy = read_fingertips(path).frame
        tidy = tidy[~tidy["indicator_name"].map(_catalogue_defines)]
        tidy = _whole_population(tidy).assign(file=path.name)
        frames.append(tidy)
    columns = [*EXPORT_COLUMNS, "compared_to_england"]
    if not frames:
        return (pd.DataFrame(columns=columns),
                pd.DataFrame(columns=["indicator_id", "indicator_name", "file"]))
    tidy = pd.concat(frames, ignore_index=True)
    tidy = tidy.drop_duplicates(["indicator_id", "area_code", "period"], keep="first")
    tidy["time"] = _start_year(tidy)
    tidy = tidy[tidy["time"].notna()].copy()
    tidy["time"] = tidy["time"].astype(np.int64)
    tidy["indicator"] = "fingertips_" + tidy["indicator_id"].astype(str)
    names = tidy.groupby("indicator_id", sort=True).agg(
        indicator_name=("indicator_name", "first"),
        file=("file", lambda f: ", ".join(dict.fromkeys(f)))).reset_index()
    names["indicator_name"] = names["indicator_name"].str.replace(r"\s+", " ", regex=True
                                                                  ).str.strip()
    return tidy[columns].reset_index(drop=True), names


# ----------------------------------------------------------------------------------------------
# what each indicator is


def _multiplier(rows: pd.DataFrame, name: str) -> float | None:
    ok = (rows["count"] > 0) & (rows["denominator"] > 0) & (rows["value"] > 0)
    if ok.any():
        ratio = float(np.median(rows.loc[ok, "value"] / (rows.loc[ok, "count"]
                                                         / rows.loc[ok, "denominator"])))
        for multiplier in UNITS:
            if abs(ratio / multiplier - 1) < UNIT_TOLERANCE:
                return float(multiplier)
    per = re.search(r"per\s+(\d[\d,]*)", name, re.I)
    if per:
        return float(per[1].replace(",", ""))
    if re.search(r"%|percent|proportion", name, re.I):
        return 100.0
    return None


def polarity_from_comparison(rows: pd.DataFrame, country: str) -> str | None:
    """An indicator's polarity read from the export's "Compared to England" words.

    Each area called better (or best) or worse (or worst) than England whose value differs
    from England's in the same period is a vote: better and higher, or worse and lower, for
    "high_is_good"; the opposite for "low_is_good". The majority wins (a tie gives None). With
    no vote, "no_judgement" when the column says Higher or Lower (Fingertips' BOB colours),
    else None.

    Parameters
    ----------
    rows : DataFrame
        One indicator's rows: area_code, period, value, compared_to_england.
    country : str
        England's code.
    """
    england = rows[rows["area_code"] == country].set_index("period")["value"]
    words = rows["compared_to_england"].fillna("").astype(str)
    benchmark = rows["period"].map(england)
    higher = rows["value"] > benchmark
    lower = rows["value"] < benchmark
    good, bad = words.str.contains(_GOOD), words.str.contains(_BAD)
    high_good = int(((good & higher) | (bad & lower)).sum())
    low_good = int(((good & lower) | (bad & higher)).sum())
    if high_good != low_good:
        return "high_is_good" if high_good > low_good else "low_is_good"
    if high_good == 0 and words.str.contains(_NEUTRAL).any():
        return "no_judgement"
    return None


def published_trend(data: IndicatorData, area_codes: Sequence[str], key: str = "") -> pd.Series:
    """The export's own "Recent Trend" of each area's latest period, as the book's directions.

    "Increasing and getting worse" -> "increasing", "Decreasing" -> "decreasing", "No
    significant change" -> "no significant change"; anything else (blank, "Could not be
    calculated") -> "cannot be calculated". Indexed by area code.
    """
    rows = data.fingertips[(data.fingertips["indicator"] == key)
                           & data.fingertips["area_code"].isin(list(area_codes))]
    latest = rows.sort_values("time").groupby("area_code").tail(1).set_index("area_code")
    words = latest["recent_trend"].fillna("").astype(str).str.lower().str.strip()
    direction = np.select([words.str.startswith("increasing"), words.str.startswith("decreasing"),
                           words.str.startswith("no significant")],
                          ["increasing", "decreasing", "no significant change"],
                          "cannot be calculated")
    return pd.Series(direction, index=latest.index, dtype=object).reindex(
        list(area_codes), fill_value="cannot be calculated")


def export_rows(data: IndicatorData, area_codes: Sequence[str], confidence: float = 0.95,
                key: str = "") -> pd.DataFrame:
    """One export indicator's tidy rows (:data:`ROW_COLUMNS`) for the areas it covers.

    Values as published; limits the published 95% ones (99.8% at ``confidence=0.998``; NaN at
    any other level, so the figure is "not compared"). Every period is returned (the latest
    is the last row of an area); areas without a row in the export get none.

    Raises
    ------
    ValueError
        For an area code not in areas.csv.
    """
    if isinstance(area_codes, str):
        raise ValueError("area_codes must be a list of area codes, not a single string")
    for code in area_codes:
        if not data.geography.is_known(code):
            raise ValueError(f"unknown area code {code!r}; expected a code in areas.csv")
    rows = data.fingertips[(data.fingertips["indicator"] == key)
                           & data.fingertips["area_code"].isin(list(area_codes))]
    level = confidence_level(confidence)
    limits = {0.95: ("lower_95", "upper_95"), 0.998: ("lower_998", "upper_998")}
    found = [v for k, v in limits.items() if np.isclose(level, k)]
    out = pd.DataFrame({
        "indicator": key, "area_code": rows["area_code"].astype(str),
        "value_from": rows["area_code"].astype(str), "period": rows["period"].astype(str),
        "time": rows["time"].astype(np.int64), "count": rows["count"].astype(float),
        "denominator": rows["denominator"].astype(float), "value": rows["value"].astype(float),
        "lower": rows[found[0][0]].astype(float) if found else np.nan,
        "upper": rows[found[0][1]].astype(float) if found else np.nan,
        "from_records": False, "note": ""})
    return out[ROW_COLUMNS].sort_values(["area_code", "time"], kind="stable"
                                        ).reset_index(drop=True)


def export_indicators(rows: pd.DataFrame, names: pd.DataFrame, polarities: pd.DataFrame,
                      geography: Geography) -> tuple[Indicator, ...]:
    """An :class:`Indicator` for each indicator of the exports (see the module's rules).

    Parameters
    ----------
    rows, names : DataFrame
        From :func:`read_exports`.
    polarities : DataFrame
        indicator_id, polarity (``data/indicator_polarity.csv``; may be empty).
    geography : Geography
        For England's code.
    """
    listed = dict(zip(polarities["indicator_id"].astype(int), polarities["polarity"].astype(str),
                      strict=True))
    out = []
    for _, about in names.iterrows():
        number, name = int(about["indicator_id"]), str(about["indicator_name"])
        own = rows[rows["indicator_id"] == number]
        multiplier = _multiplier(own, name)
        unit = UNITS.get(int(multiplier), f"per {multiplier:,.0f}") if multiplier else ""
        whole = (own["count"] <= own["denominator"]).where(own["count"].notna(), True).all()
        kind = "proportion" if multiplier == 100 and whole else "rate"
        polarity = (listed.get(number) or polarity_from_comparison(own, geography.country())
                    or "no_judgement")
        key = f"fingertips_{number}"
        compute = functools.partial(export_rows, key=key)
        out.append(Indicator(
            key=key, name=name, short=name, unit=unit, kind=kind, polarity=polarity,
            multiplier=multiplier or 1.0, count_label=COUNT_LABEL,
            denominator_label=DENOMINATOR_LABEL, upper_tier_only=False,
            source=f"{PUBLISHER}, indicator {number} ({about['file']})", compute=compute,
            trend_rows=compute, publisher=PUBLISHER,
            published_trend=functools.partial(published_trend, key=key)))
    return tuple(out)


def load_with_exports(data_dir: str | Path) -> IndicatorData:
    """:meth:`IndicatorData.load` plus every Fingertips export's indicators (``extra``).

    Raises
    ------
    jsnalib.inputs.readers.DataError
        Naming file, row and column when an input or an export is malformed.
    """
    folder = Path(data_dir)
    data = IndicatorData.load(folder)
    rows, names = read_exports(folder)
    table = folder / POLARITY_FILE
    polarities = (read_indicator_polarity(table) if table.is_file()
                  else pd.DataFrame({"indicator_id": pd.Series(dtype=np.int64),
                                     "polarity": pd.Series(dtype=str)}))
    extra = export_indicators(rows, names, polarities, data.geography)
    return dataclasses.replace(data, fingertips=rows[EXPORT_COLUMNS], extra=extra)

