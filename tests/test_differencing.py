"""Disclosure by differencing: attack every download of every record-derived page.

Every re-referral and obesity page of the session's built book (:func:`conftest.built_project`:
every area of notebooks/runs.yml, executed as the book executes them) is read; every CSV
download (the base64 ``data:`` links of class ``jsna-download``; each table's download is its
data or a superset) is decoded, and each way a reader could work out a count of 1 to 4 is
tried:

- a count shown directly, or recovered from a percentage and its denominator;
- a denominator minus its count (e.g. referrals that were not re-referrals);
- adjacent points of a cumulative series (the Kaplan-Meier chart and table) times the group's
  size: with no censoring before 24 months each step is a number of children;
- a published total minus its published parts (months of a year against the annual figure;
  referral sources against the years' total; boys + girls = all children; overweight + obese =
  excess weight; obese minus severely obese; deciles against the pooled total; Reception +
  Year 6 = all records).

The unit tests of :func:`jsnalib.methods.disclosure.publishable_points` are here too.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jsnalib.build import pipeline
from jsnalib.methods import disclosure

REPO = Path(__file__).resolve().parents[1]
#: The pages attacked: every run of the re-referral and obesity templates.
PAGES = {template: [run.name for run in pipeline.load_runs(pipeline.Project(REPO))
                    if run.template.stem == template] for template in ("rereferral", "obesity")}
_LINK = re.compile(r'class="jsna-download" download="([^"]+)" href="data:text/csv;base64,'
                   r'([^"]+)"')
_COUNT = re.compile(r"^(referrals|rereferrals|Referrals|Re-referrals|No child ID|numerator|"
                    r"denominator|count|Number|Measured|Children|Re-referred by then|Reception|"
                    r"Year 6|All records|.*: number|.*: measured)$")


def small(value: float) -> bool:
    return bool(np.isfinite(value) and 1 <= round(value) <= 4)


# ----------------------------------------------------------------------------------------------
# publishable_points


def test_publishable_points_coarsens_until_every_step_is_safe():
    cumulative = [[0, 10, 12, 20, 20, 21],
                  [0, 5, 10, 15, 30, 30]]
    keep = disclosure.publishable_points(cumulative)
    # 12 (step 2) and 21 (step 1) go; 20 -> 20 is a step of 0 and stays
    assert keep.tolist() == [True, True, False, True, True, False]
    shown = np.asarray(cumulative, dtype=float)[:, keep]
    steps = np.diff(np.column_stack([np.zeros(2), shown]), axis=1)
    assert not ((steps >= 1) & (steps <= 4)).any()


def test_publishable_points_keeps_required_points_first():
    cumulative = [0, 3, 6, 10, 12]
    # without priority the greedy pass keeps 6 and then cannot keep 10 (step 4)
    assert disclosure.publishable_points(cumulative).tolist() == [True, False, True, False, True]
    wanted = disclosure.publishable_points(cumulative, required=[False, False, False, True, False])
    assert wanted.tolist() == [True, False, False, True, False]  # 10 kept; 6 and 12 would leak
    # beyond follow-up (NaN) nothing is published, so nothing leaks
    assert disclosure.publishable_points([0, 5, np.nan]).tolist() == [True, True, True]
    with pytest.raises(ValueError, match="one flag per point"):
        disclosure.publishable_points(cumulative, required=[True])


# ----------------------------------------------------------------------------------------------
# the pages


def _downloads(page: Path) -> dict[str, pd.DataFrame]:
    """{file name: frame} for every CSV download of an executed page."""
    found = {}
    for cell in json.loads(page.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            html = "".join(output.get("data", {}).get("text/html", ""))
            for name, payload in _LINK.findall(html):
                text = base64.b64decode(payload).decode("utf-8")
                # a download may begin with the page's data note ("# Synthetic ...")
                if text.startswith("# "):
                    text = text.split("\n", 1)[1]
                found[name] = pd.read_csv(io.StringIO(text))
    return found


@pytest.fixture(scope="module")
def downloads(built_project: Path) -> dict[str, dict[str, pd.DataFrame]]:
    """{page: {file name: frame}} for every CSV download of the pages of :data:`PAGES`."""
    generated = built_project / "book" / "generated"
    return {page: _downloads(generated / f"{page}.ipynb") for pages in PAGES.values()
            for page in pages}


def every_frame(downloads):
    return [(f"{page}/{name}", frame) for page, files in downloads.items()
            for name, frame in files.items()]


def test_every_page_has_its_downloads(downloads):
    assert PAGES["rereferral"] and PAGES["obesity"]
    for page in PAGES["rereferral"]:
        assert {"rereferral-time.csv", "rereferral-time-table.csv", "rereferral-spc.csv",
                "rereferral-annual.csv", "rereferral-sources.csv"} <= set(downloads[page]), page
    for page in PAGES["obesity"]:
        assert {"obesity-latest.csv", "obesity-exclusions.csv",
                "obesity-deciles.csv"} <= set(downloads[page]), page


def test_no_count_of_1_to_4_is_shown(downloads):
    leaks = [(name, column, value) for name, frame in every_frame(downloads)
             for column in frame.columns if _COUNT.match(str(column))
             for value in pd.to_numeric(frame[column], errors="coerce") if small(value)]
    assert leaks == []


_RATIOS = [("count", "denominator", "value"), ("Number", "Measured", "%"),
           ("rereferrals", "referrals", "percent"),
           ("Re-referrals", "Referrals", "Re-referrals (%)"),
           ("Re-referred by then", "Children", "Re-referred (%)"),
           ("numerator", "denominator", "value")]


def test_no_count_from_a_percentage_or_a_complement(downloads):
    leaks = []
    for name, frame in every_frame(downloads):
        for count, total, percent in _RATIOS:
            if not {count, total, percent} <= set(frame.columns):
                continue
            n = pd.to_numeric(frame[total], errors="coerce").to_numpy(float)
            x = pd.to_numeric(frame[count], errors="coerce").to_numpy(float)
            p = pd.to_numeric(frame[percent], errors="coerce").to_numpy(float)
            recovered = np.where(np.isnan(x), p * n / 100, x)
            leaks += [(name, "from %", v) for v in recovered if small(v)]
            leaks += [(name, "complement", v) for v in n - recovered if small(v)]
    assert leaks == []


@pytest.mark.parametrize("page", PAGES["rereferral"])
def test_no_count_from_adjacent_points_of_the_time_to_rereferral_curves(downloads, page):
    files = downloads[page]
    curve = files["rereferral-time.csv"].rename(columns={"outcome": "group",
                                                        "cumulative_percent": "percent"})
    table = files["rereferral-time-table.csv"].rename(columns={
        "Outcome of referral": "group", "Months": "time", "Re-referred (%)": "percent"})
    sizes = table.groupby("group")["Children"].first()
    points = pd.concat([curve[["group", "time", "percent"]], table[["group", "time", "percent"]]])
    points = points.dropna().drop_duplicates(["group", "time"]).sort_values(["group", "time"])
    leaks = []
    for group, rows in points.groupby("group"):
        size = float(sizes.get(group, np.nan))
        steps = np.diff(np.concatenate([[0.0], rows["percent"].to_numpy(float)])) * size / 100
        leaks += [(group, t, s) for t, s in zip(rows["time"], steps, strict=True) if small(s)]
    assert len(points) > 40  # the chart is still drawn
    assert leaks == []


def _parts_leak(total: float, parts: np.ndarray) -> float:
    """What a reader learns by subtraction: the one hidden part (NaN if none or several)."""
    hidden = np.isnan(parts)
    if np.isnan(total) or hidden.sum() != 1:
        return np.nan
    return total - np.nansum(parts)


@pytest.mark.parametrize("page", PAGES["rereferral"])
def test_no_count_from_a_total_minus_its_parts_rereferrals(downloads, page):
    files = downloads[page]
    annual = files["rereferral-annual.csv"].set_index("Financial year")
    spc = files["rereferral-spc.csv"]
    month = pd.to_datetime(spc["Month"], format="%b %Y")
    spc["year"] = [f"{y}-{(y + 1) % 100:02d}" for y in np.where(month.dt.month >= 4,
                                                                 month.dt.year,
                                                                 month.dt.year - 1)]
    leaks = []
    for column in ("Referrals", "Re-referrals"):
        for year, rows in spc.groupby("year"):
            if year in annual.index and len(rows) == 12:
                leaks.append(_parts_leak(float(annual.at[year, column]),
                                         rows[column].to_numpy(float)))
        sources = files["rereferral-sources.csv"][column].to_numpy(float)
        leaks.append(_parts_leak(float(annual[column].sum()), sources))
    assert [v for v in leaks if small(v)] == []


@pytest.mark.parametrize("page", PAGES["obesity"])
def test_no_count_from_a_total_minus_its_parts_obesity(downloads, page):
    files = downloads[page]
    latest = files["obesity-latest.csv"]
    leaks = []
    keys = ["Year", "School year"]
    for (_, _, measure), rows in latest.groupby([*keys, "Measure"]):
        by_sex = rows.set_index("Children")
        for column in ("Number", "Measured"):
            leaks.append((measure, _parts_leak(float(by_sex.at["All children", column]),
                                               by_sex.loc[["Boys", "Girls"], column]
                                               .to_numpy(float))))
    for _, rows in latest.groupby([*keys, "Children"]):
        number = rows.set_index("Measure")["Number"].astype(float)
        excess, over = number.filter(like="Excess"), number.filter(like="Overweight (not")
        obese, severe = number.filter(like="Obese ("), number.filter(like="Severely")
        leaks.append(("excess", _parts_leak(excess.iloc[0], np.r_[over.iloc[0], obese.iloc[0]])))
        leaks.append(("obese - severe", obese.iloc[0] - severe.iloc[0]))
        healthy = rows["Measured"].astype(float).iloc[0] - excess.iloc[0] - number.filter(
            like="Underweight").iloc[0]
        leaks.append(("healthy", healthy))
    deciles = files["obesity-deciles.csv"]
    for (years, school), rows in deciles.groupby(["Years", "School year"]):
        first, last = (int(y[:4]) for y in years.replace("/", "-").split(" to ")) \
            if " to " in years else (int(years[:4]),) * 2
        pooled = latest[(latest["Children"] == "All children")
                        & latest["Measure"].str.startswith("Excess")
                        & (latest["School year"] == school)
                        & latest["Year"].str[:4].astype(int).between(first, last)]
        for column in ("Number", "Measured"):
            leaks.append(("deciles", _parts_leak(float(pooled[column].sum(min_count=1)),
                                                 rows[column].to_numpy(float))))
    exclusions = files["obesity-exclusions.csv"]
    for _, row in exclusions.iterrows():
        leaks.append(("exclusions", _parts_leak(float(row["All records"]),
                                                row[["Reception", "Year 6"]].to_numpy(float))))
    assert [(what, v) for what, v in leaks if small(v)] == []
