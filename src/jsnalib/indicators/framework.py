"""A partnership's outcomes framework (``data/outcomes_framework.csv``) tied to the book's figures.

The framework file (contract :data:`jsnalib.inputs.contracts.OUTCOMES_FRAMEWORK`, optional) lists
the indicators a health and wellbeing strategy monitors, by life-course stage, with the figures
its report published. Each row is measured now by, in this order:

1. the book's own indicator named in ``book_indicator`` (:data:`jsnalib.indicators.INDICATORS`);
2. the Fingertips indicator ``fingertips_id``, when an export of it is in data/
   (``fingertips_<anything>.csv``, :mod:`jsnalib.indicators.fingertips`): with ``sex`` and
   ``age`` blank it is the same indicator as in the summary's Fingertips table (persons, the age
   band with most rows); with ``sex`` or ``age`` given, the export's rows of that sex and age
   band (e.g. male life expectancy), rated and trended by the same rules;
3. nothing: the page shows the published figures and how to load the indicator.

This module reads and checks the file and adds the sex- or age-specific indicators; the
comparison itself is :func:`jsnalib.chapters.profiles.analyse.compare_areas`, as for every other
indicator.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.indicators import fingertips
from jsnalib.indicators.catalogue import INDICATOR_KEYS, Indicator, IndicatorData
from jsnalib.inputs.contracts import OUTCOMES_FRAMEWORK
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.national.fingertips import read_fingertips
from jsnalib.inputs.readers import (
    POLARITY_FILE,
    DataError,
    Problem,
    read_indicator_polarity,
    read_with_rows,
)

__all__ = ["FRAMEWORK_FILE", "framework_data", "framework_indicator", "framework_key",
           "read_framework", "variant_key"]

#: The framework file in data/ (optional).
FRAMEWORK_FILE = OUTCOMES_FRAMEWORK.filename


def read_framework(data_dir: str | Path, geography: Geography | None = None
                   ) -> pd.DataFrame | None:
    """Read and check ``data_dir/outcomes_framework.csv``; None when there is no such file.

    Besides its contract, every ``book_indicator`` must be a key of the book's indicators.

    Raises
    ------
    jsnalib.inputs.readers.DataError
        Naming file, row, column and value of every problem.
    """
    path = Path(data_dir) / FRAMEWORK_FILE
    if not path.is_file():
        return None
    frame, rows = read_with_rows(OUTCOMES_FRAMEWORK, path, geography)
    keys = frame["book_indicator"]
    unknown = (keys.notna() & ~keys.isin(INDICATOR_KEYS)).to_numpy(bool)
    if unknown.any():
        raise DataError([Problem(FRAMEWORK_FILE, int(row), "book_indicator", str(value),
                                 "one of " + ", ".join(INDICATOR_KEYS) + " or blank",
                                 "is not one of the book's indicators")
                         for row, value in zip(rows[unknown], keys[unknown], strict=True)])
    return frame.reset_index(drop=True)


def variant_key(indicator_id: int, sex: str, age: str) -> str:
    """The key of a Fingertips indicator restricted to one sex and/or age band."""
    parts = [f"fingertips_{indicator_id}", *(p for p in (sex, age) if p)]
    return "_".join(parts).lower().replace(" ", "").replace("+", "plus")


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value)


def framework_key(row: pd.Series, data: IndicatorData) -> str:
    """The key of the indicator that measures a framework row in ``data``, or "" (not loaded).

    ``data`` must hold the variants of :func:`framework_data` for rows with a sex or age band.
    """
    if _text(row["book_indicator"]):
        return str(row["book_indicator"])
    if pd.isna(row["fingertips_id"]):
        return ""
    number = int(row["fingertips_id"])
    sex, age = _text(row["sex"]), _text(row["age"])
    key = (variant_key(number, sex, age) if (sex and sex != "Persons") or age
           else f"fingertips_{number}")
    return key if key in {item.key for item in data.extra} else ""


def _variant_rows(tidy: pd.DataFrame, sex: str, age: str) -> pd.DataFrame:
    """One indicator's whole-population rows of one sex (persons, or the only sex, when blank)
    and one age band (the band with most rows when blank)."""
    rows = tidy[tidy["category_type"].isna() & tidy["category"].isna()]
    wanted = sex or "Persons"
    chosen = rows[rows["sex"].str.lower() == wanted.lower()]
    if chosen.empty and not sex and rows["sex"].nunique() == 1:
        chosen = rows
    if chosen.empty:
        return chosen
    band = age or chosen["age"].value_counts().index[0]
    return chosen[chosen["age"] == band]


def _polarities(folder: Path) -> pd.DataFrame:
    table = folder / POLARITY_FILE
    if table.is_file():
        return read_indicator_polarity(table)
    return pd.DataFrame({"indicator_id": pd.Series(dtype=np.int64),
                         "polarity": pd.Series(dtype=str)})


def framework_data(framework: pd.DataFrame, data: IndicatorData, data_dir: str | Path
                   ) -> IndicatorData:
    """``data`` plus an indicator for each framework row that asks for one sex or age band of
    a Fingertips export in ``data_dir`` (key :func:`variant_key`).

    The rows are read from the exports as published (:func:`fingertips.export_files`), with the
    same unit, polarity, trend and source rules as every other export indicator
    (:func:`fingertips.export_indicators`); the name says the sex and age band.

    Raises
    ------
    jsnalib.inputs.readers.DataError
        Naming file, row and column when an export cannot be read.
    """
    folder = Path(data_dir)
    wanted = {(int(r["fingertips_id"]), _text(r["sex"]), _text(r["age"]))
              for _, r in framework.iterrows()
              if pd.notna(r["fingertips_id"]) and not _text(r["book_indicator"])
              and ((_text(r["sex"]) and _text(r["sex"]) != "Persons") or _text(r["age"]))}
    files = fingertips.export_files(folder)
    if not wanted or not files:
        return data
    exports = [read_fingertips(path).frame.assign(file=path.name) for path in files]
    tidy = pd.concat(exports, ignore_index=True)
    polarities = _polarities(folder)
    frames, extra = [], []
    for number, sex, age in sorted(wanted):
        rows = _variant_rows(tidy[tidy["indicator_id"] == number], sex, age)
        if rows.empty:
            continue
        key = variant_key(number, sex, age)
        rows = rows.drop_duplicates(["area_code", "period"], keep="first").copy()
        first = rows["period"].str.extract(r"(\d{4})", expand=False).astype("Float64")
        rows["time"] = rows["period_start"].dt.year.astype("Float64").fillna(first)
        rows = rows[rows["time"].notna()].astype({"time": np.int64})
        rows["indicator"] = key
        name = " ".join(str(rows["indicator_name"].iloc[0]).split())
        label = ", ".join(p for p in (sex.lower(), age) if p)
        names = pd.DataFrame({"indicator_id": [number], "indicator_name": [f"{name} ({label})"],
                              "file": [", ".join(dict.fromkeys(rows["file"]))]})
        (item,) = fingertips.export_indicators(rows, names, polarities, data.geography)
        compute = functools.partial(fingertips.export_rows, key=key)
        extra.append(dataclasses.replace(
            item, key=key, compute=compute, trend_rows=compute,
            published_trend=functools.partial(fingertips.published_trend, key=key)))
        frames.append(rows[fingertips.EXPORT_COLUMNS])
    if not extra:
        return data
    combined = pd.concat([data.fingertips, *frames], ignore_index=True) if len(
        data.fingertips) else pd.concat(frames, ignore_index=True)
    return dataclasses.replace(data, fingertips=combined[fingertips.EXPORT_COLUMNS],
                               extra=(*data.extra, *extra))


def framework_indicator(data: IndicatorData, key: str) -> Indicator | None:
    """The indicator with this key in ``data`` (the book's or an export's), or None."""
    return next((item for item in data.indicators if item.key == key), None)
