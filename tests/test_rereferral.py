"""Tests of jsnalib.chapters.rereferral: loading, the statistics and verdicts of ``analyse``,
suppression, the tables and charts of ``figures`` and the plain-English paragraphs of ``text``."""

from __future__ import annotations

import dataclasses
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from jsnalib.chapters import rereferral as rr
from jsnalib.chapters.rereferral import figures
from jsnalib.chapters.rereferral import text as words
from jsnalib.inputs.geography import Geography
from jsnalib.methods import stats
from jsnalib.report import charts
from jsnalib.report.format import MISSING, p_value

# the modules (the package's ``load`` and ``analyse`` are the functions)
an = import_module("jsnalib.chapters.rereferral.analyse")
ld = import_module("jsnalib.chapters.rereferral.load")

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
STAFFS, STOKE = "E10000028", "E06000021"


def referrals(rows, area=STAFFS, source="police", outcome="child_in_need") -> pd.DataFrame:
    """Referrals from (child_id, date) or (child_id, date, source, outcome) tuples."""
    frame = pd.DataFrame([r if len(r) == 4 else (*r, source, outcome) for r in rows],
                         columns=["child_id", "referral_date", "source", "outcome"])
    frame.insert(0, "referral_id", [f"R{i}" for i in range(len(frame))])
    frame["area_code"] = area
    frame["referral_date"] = pd.to_datetime(frame["referral_date"])
    return frame


def cohort_records(per_year: dict[str, list[tuple[int, int]]], first: int = 2010,
                   last: int = 2014) -> pd.DataFrame:
    """Records where, each financial year, each source has ``n`` referrals of which ``k`` are
    re-referrals: ``per_year = {source: [(n, k), ...]}`` (one pair per year) or one pair for
    every year. ``n - k`` children are first referred on 1 May; the ``k`` re-referrals are
    shared out among them, 30, 60, ... days later in the same year."""
    rows = []
    for year in range(first, last + 1):
        for source, pairs in per_year.items():
            n, k = pairs[year - first] if len(pairs) > 1 else pairs[0]
            children = n - k
            for i in range(children):
                child = f"{source}-{year}-{i}"
                rows.append((child, f"{year}-05-01", source, "no_further_action"))
                again = k // children + (i < k % children)
                for j in range(1, again + 1):
                    day = pd.Timestamp(f"{year}-05-01") + pd.Timedelta(days=30 * j)
                    rows.append((child, day.strftime("%Y-%m-%d"), source, "child_in_need"))
    # a history year before the first reported one, so the look-back is full
    rows.append(("history", f"{first - 1}-04-01", "police", "child_in_need"))
    return ld.area_records(referrals(rows), STAFFS)


def results(**fields) -> SimpleNamespace:
    """The fields of :class:`Results` that a paragraph or table reads (the rest are absent, so
    a paragraph reading anything else fails)."""
    return SimpleNamespace(**{"area_code": STAFFS, "area_name": "Staffordshire",
                              "confidence": 0.95, "polarity": "no_judgement",
                              "synthetic_records": False, "dfe": _NO_DFE, **fields})


#: No DfE figures for the area (the default of :func:`results`).
_NO_DFE = pd.DataFrame(columns=["financial_year", "referrals", "rereferrals", "percent", "lower",
                                "upper"])


def html(shown) -> str:
    return shown.data


def geography() -> Geography:
    areas = pd.DataFrame({
        "area_code": ["E92000001", "E12000005", STAFFS, "N1", "N2", "N3"],
        "area_name": ["England", "West Midlands", "Staffordshire", "One", "Two", "Three"],
        "area_type": ["country", "region", "county", "county", "county", "county"],
        "parent_code": ["", "E92000001", "E12000005", "E12000005", "E12000005", "E12000005"],
    })
    neighbours = pd.DataFrame({"area_code": [STAFFS] * 3, "neighbour_code": ["N1", "N2", "N3"],
                               "rank": [1, 2, 3]})
    return Geography(areas.set_index("area_code", drop=False), neighbours)


def cin() -> pd.DataFrame:
    rows = [("E92000001", "2014-15", 100000, 22000), ("E12000005", "2014-15", 10000, 2000),
            ("N1", "2014-15", 1000, 200), ("N2", "2014-15", 3000, 900),
            ("N3", "2014-15", np.nan, np.nan),  # suppressed in the census: left out
            ("E92000001", "2013-14", 100000, 24000), ("N1", "2013-14", 1000, 250)]
    return pd.DataFrame(rows, columns=["area_code", "financial_year", "referrals", "rereferrals"])


# ----------------------------------------------------------------------------------------------
# records and years


def test_area_records_flags_rereferrals_within_the_authority_only():
    frame = pd.concat([
        referrals([("a", "2015-01-10"), ("a", "2015-06-01"), ("a", "2017-01-01"),
                   ("", "2015-07-01")]),
        referrals([("a", "2015-03-01")], area=STOKE),
    ], ignore_index=True)
    records = ld.area_records(frame, STAFFS)
    assert records["rereferral"].tolist() == [False, True, False, False]
    assert records["financial_year"].tolist() == ["2014-15", "2015-16", "2015-16", "2016-17"]
    assert records["year"].tolist() == [2014, 2015, 2015, 2016]
    assert records["month"].dt.strftime("%Y-%m").tolist() == ["2015-01", "2015-06", "2015-07",
                                                              "2017-01"]
    assert records.attrs["missing_child_id"] == 1
    with pytest.raises(ValueError, match="no referrals for E06000099"):
        ld.area_records(frame, "E06000099")
    with pytest.raises(ValueError, match="no column"):
        ld.area_records(frame.drop(columns="outcome"), STAFFS)


@pytest.mark.parametrize(("first_date", "expected"), [
    ("2006-04-01", "2007-08"),  # records start with a financial year: the next is complete
    ("2006-04-03", "2007-08"),  # an extract of whole months: it covers 1 April too
    ("2006-05-02", "2008-09"),  # from May: 2007-08 lacks a full look-back for April 2007
    ("2007-01-15", "2008-09"),
    ("2007-03-31", "2008-09"),
])
def test_first_full_year(first_date, expected):
    records = ld.area_records(referrals([("a", first_date), ("b", "2012-01-01")]), STAFFS)
    assert an.first_full_year(records) == expected


@pytest.mark.parametrize(("years", "message"), [
    ("2014-15", "first, last"),
    (["2014-15"], "first, last"),
    (["2014-15", "2013-14"], "before the first"),
    (["2014-16", "2015-16"], "looks like"),
    (["2014/15", "2015-16"], "looks like"),
])
def test_year_range_rejects_bad_years(years, message):
    with pytest.raises(ValueError, match=message):
        an.year_range(years)


# ----------------------------------------------------------------------------------------------
# the annual series


def test_annual_series_counts_and_wilson_intervals():
    records = cohort_records({"police": [(40, 10)], "school": [(60, 5)]})
    annual = an.annual_series(records, ["2010-11", "2014-15"])
    assert annual["financial_year"].tolist() == ["2010-11", "2011-12", "2012-13", "2013-14",
                                                 "2014-15"]
    assert annual["referrals"].tolist() == [100] * 5  # 85 first referrals + 15 re-referrals
    assert annual["rereferrals"].tolist() == [15] * 5
    lower, upper = stats.wilson_ci(15, 100)
    assert annual["percent"].iloc[0] == pytest.approx(15.0)
    assert annual[["lower", "upper"]].iloc[0].tolist() == pytest.approx([100 * lower, 100 * upper])


def test_annual_series_needs_a_full_look_back():
    records = cohort_records({"police": [(10, 2)]})
    with pytest.raises(ValueError, match="first full year in these records is 2010-11"):
        an.annual_series(records, ["2009-10", "2014-15"])
    with pytest.raises(ValueError, match="no referrals in 2015-16"):
        an.annual_series(records, ["2014-15", "2015-16"])


def test_annual_table_suppresses_small_counts_and_what_reveals_them():
    # 2010-11: 3 re-referrals (primary); 2011-12: 2 not re-referred out of 12 (the complement)
    records = cohort_records({"police": [(20, 3), (12, 10), (20, 6), (20, 6), (20, 6)]})
    table = an.annual_shown(an.annual_series(records, ["2010-11", "2014-15"]))
    first, second, third = table.iloc[0], table.iloc[1], table.iloc[2]
    assert first["referrals"] == 20 and pd.isna(first["rereferrals"])
    assert pd.isna(first["percent"]) and pd.isna(first["upper"])
    assert second["referrals"] == 12 and pd.isna(second["rereferrals"])
    assert third["rereferrals"] == 6 and third["percent"] == pytest.approx(30.0)
    assert "count of 1-4" in first["suppression_note"]
    shown = table[["referrals", "rereferrals"]].to_numpy(dtype=float).ravel()
    assert not ((shown >= 1) & (shown <= 4)).any()
    page = html(figures.annual_table(results(annual_shown=table)))
    assert "<th>Note</th>" in page and "<th>No child ID</th>" in page


def test_series_reading_states_the_ends_and_the_direction():
    records = cohort_records({"police": [(100, 30), (100, 28), (100, 26), (100, 24), (100, 10)]})
    annual = an.annual_series(records, ["2010-11", "2014-15"])
    summary = an.annual_summary(annual)
    assert (summary["falls"], summary["rises"], summary["lowest"]) == (4, 0, "2014-15")
    assert summary["change"].verdict == "lower"
    text = words.series(results(**summary))
    assert text.startswith("In Staffordshire, 30.0% (95% CI 21.9% to 39.6%) of referrals")
    assert "in 2010-11 were re-referrals" in text
    # the difference and its Newcombe interval, not whether two intervals overlap
    assert ("The change from 2010-11 to 2014-15 is -20.0 percentage points (95% CI -30.6 to "
            "-9.0): the whole interval is on one side of no difference") in text
    assert "fell 4 times and rose 0 times" in text
    assert "lowest in 2014-15 (10.0%)" in text
    assert "in 2014-15 (from the referral records)" in text
    assert text.endswith("The Department for Education publishes no figure for Staffordshire "
                         "in 2014-15.")


def test_the_authority_s_dfe_figures_beside_the_records():
    """Where a DfE figure and a record-derived one both exist, the page shows both, and says
    where each comes from."""
    records = cohort_records({"police": [(100, 30), (100, 28), (100, 26), (100, 24), (100, 10)]})
    annual = an.annual_series(records, ["2010-11", "2014-15"])
    census = pd.DataFrame([(STAFFS, "2014-15", 5045, 710), (STAFFS, "2013-14", 5400, 711),
                           (STAFFS, "2012-13", np.nan, np.nan), ("E92000001", "2014-15", 9, 1)],
                          columns=["area_code", "financial_year", "referrals", "rereferrals"])
    dfe = an.dfe_series(census, STAFFS, ["2010-11", "2014-15"])
    assert dfe["financial_year"].tolist() == ["2013-14", "2014-15"]  # suppressed: absent
    assert dfe["percent"].iloc[-1] == pytest.approx(14.07, abs=0.01)
    assert dfe["lower"].iloc[-1] < 14.07 < dfe["upper"].iloc[-1]
    shown = results(**an.annual_summary(annual), dfe=dfe, synthetic_records=True)
    text = words.series(shown)
    assert "in 2014-15 (from the synthetic demonstration records)" in text
    assert text.endswith("The Department for Education publishes 14.1% (710 of 5,045) for "
                         "2014-15; these synthetic demonstration records give 10.0%.")
    page = html(figures.annual_table(shown))
    assert "<th>DfE published (%)</th>" in page and "<th>DfE lower CI (%)</th>" in page
    assert "from the synthetic demonstration records, and as the Department for Education" in page
    assert ">5,045<" in page and ">14.1<" in page
    page = html(figures.annual_table(results(**an.annual_summary(annual), dfe=dfe)))
    assert "from the referral records" in page


# ----------------------------------------------------------------------------------------------
# benchmarks, comparison and funnel


def test_benchmark_series_pools_the_neighbours():
    table = an.benchmark_series(cin(), geography(), STAFFS, ["2013-14", "2014-15"])
    pooled = table[(table["series"] == an.NEIGHBOURS) & (table["financial_year"] == "2014-15")]
    row = pooled.iloc[0]
    assert (row["referrals"], row["rereferrals"], row["areas"]) == (4000, 1100, 2)
    assert row["percent"] == pytest.approx(27.5)
    assert row["name"] == an.NEIGHBOURS_LABEL
    assert set(table["name"]) == {"England", "West Midlands", an.NEIGHBOURS_LABEL}
    region = table[table["series"] == "E12000005"]
    assert region["financial_year"].tolist() == ["2014-15"]  # no 2013-14 row: simply absent
    with pytest.raises(ValueError, match="no comparator figures"):
        an.benchmark_series(cin(), geography(), STAFFS, ["2019-20", "2020-21"])


def test_comparison_table_and_reading():
    annual = pd.DataFrame({"financial_year": ["2014-15"], "referrals": [1000],
                           "rereferrals": [180], "missing_child_id": [0]})
    annual = an._proportions(annual, "rereferrals", "referrals", 0.95)
    bench = an.benchmark_series(cin(), geography(), STAFFS, ["2014-15", "2014-15"])
    table = an.comparison_table(annual, bench, "Staffordshire", "2014-15")
    assert table["name"].tolist()[0] == "Staffordshire"
    verdicts = dict(zip(table["name"], table["verdict"], strict=True))
    # 18.0% (95% CI 15.7 to 20.5) against England 22.0 (lower: re-referrals carry no
    # better/worse judgement), West Midlands 20.0 (similar), neighbours 27.5 (lower)
    assert verdicts == {"Staffordshire": None, "England": "lower", "West Midlands": "similar",
                        an.NEIGHBOURS_LABEL: "lower"}
    judged = an.comparison_table(annual, bench, "Staffordshire", "2014-15",
                                 polarity="low_is_good")
    assert judged.loc[judged["name"] == "England", "verdict"].item() == "better"
    assert an.comparison_table(annual, bench, "Staffordshire", "2014-15",
                               polarity="no_judgement")["verdict"].iloc[1] in ("lower", "similar")
    shown = results(comparison=table, latest="2014-15")
    page = html(figures.comparison_table(shown))
    assert "<th>Staffordshire compared with this</th>" in page and "None" not in page
    text = words.comparison(shown)
    assert text.startswith("In 2014-15, 18.0% of referrals in Staffordshire were re-referrals")
    assert "England (22.0%): lower" in text
    with pytest.raises(ValueError, match="no 2015-16"):
        an.comparison_table(annual, bench, "Staffordshire", "2015-16")


def test_funnel_points_positions_against_the_limits():
    annual = an._proportions(pd.DataFrame({
        "financial_year": ["2014-15"], "referrals": [2000], "rereferrals": [500],
        "missing_child_id": [0]}), "rereferrals", "referrals", 0.95)
    points, limits = an.funnel_points(annual, cin(), geography(), STAFFS, "2014-15")
    assert points["label"].tolist() == ["Staffordshire", "One", "Two"]  # N3 suppressed: left out
    assert points["value"].tolist() == pytest.approx([25.0, 20.0, 30.0])
    baseline = 100 * (500 + 200 + 900) / (2000 + 1000 + 3000)
    assert limits["baseline"].iloc[0] == pytest.approx(baseline)
    assert limits["population"].min() == pytest.approx(800) and len(limits) == 200
    at = stats.proportion_funnel([500, 200, 900], [2000, 1000, 3000],
                                 population=[2000, 1000, 3000])
    assert points["value"].iloc[1] < at["lower_998"].iloc[1]  # One: 20% of 1,000
    # issue 12.4: 20%, 25% and 30% on 1,000-3,000 referrals vary far more than chance allows,
    # so positions are judged against the over-dispersion-adjusted limits (before: One and Two
    # were "outside the 99.8% limits")
    assert points.attrs["overdispersed"]
    adjusted = stats.proportion_funnel_overdispersed([500, 200, 900], [2000, 1000, 3000],
                                                     population=[2000, 1000, 3000])
    assert adjusted["lower_95"].iloc[1] < points["value"].iloc[1]
    assert {"lower_95_adjusted", "upper_998_adjusted"} <= set(limits.columns)
    assert points["position"].tolist() == ["within the 95% limits"] * 3
    summary = an.funnel_summary(points, limits)
    assert summary["funnel_overdispersed"] and summary["funnel_dispersion"] > 1
    text = words.funnel(results(latest="2014-15", **summary))
    assert "Staffordshire (25.0% of 2,000 referrals) is within the 95% limits" in text
    assert "differ from each other more than chance alone would make them" in text


# ----------------------------------------------------------------------------------------------
# the model of what drives it


def test_trend_model_recovers_a_known_source_odds_ratio_and_no_trend():
    # every year: police 15 of 60 re-referrals (odds 1/3), schools 5 of 55 (odds 1/10), so the
    # source odds ratio is exactly 0.3 and the year odds ratio exactly 1
    records = cohort_records({"police": [(60, 15)], "school": [(55, 5)]})
    summary = an.trend_summary(records, ["2010-11", "2014-15"])
    table = summary["odds"]
    assert table["term"].tolist() == ["year", "school"] and summary["reference_source"] == "police"
    assert table["odds_ratio"].tolist() == pytest.approx([1.0, 0.3], abs=1e-6)
    assert (table["lower"] < table["odds_ratio"]).all()
    assert (table["upper"] > table["odds_ratio"]).all()
    assert p_value(table["p_value"].tolist()[0]) == "1.000"
    assert summary["trend_verdict"] == "no clear change"
    shown = results(years=("2010-11", "2014-15"), **summary)
    page = html(figures.odds_table(shown))
    assert "<td>Each later year</td>" in page and "<td>Source: Schools (vs Police)</td>" in page
    assert "<td>1.000</td>" in page
    text = words.trend(shown)
    assert "no clear evidence of a steady trend" in text
    assert ("Compared with referrals from police, the most common source, the odds of a "
            "re-referral were lower for referrals from schools (0.30 times).") in text


def test_trend_reading_for_a_clear_fall():
    records = cohort_records({"police": [(100, 40), (100, 34), (100, 28), (100, 22), (100, 16)],
                              "school": [(50, 5)]})
    years = ["2010-11", "2014-15"]
    summary = an.trend_summary(records, years, confidence=95)
    assert summary["trend_verdict"] == "falling"
    text = words.trend(results(years=tuple(years), **summary))
    assert text.startswith("After allowing for who made the referral, the odds that a referral "
                           "was a re-referral fell by ")
    assert "between 2010-11 and 2014-15" in text
    assert "the fall is unlikely to be chance" in text


def test_source_table_suppresses_small_groups_and_the_one_that_would_reveal_them():
    records = cohort_records({"police": [(40, 10)], "school": [(50, 8)], "housing": [(1, 0)]})
    table = an.source_table(records, ["2010-11", "2010-11"])
    rows = table.set_index("source")
    assert pd.isna(rows.loc["housing", "referrals"])  # 1 referral
    # the sources' referrals add up to the year's total, so one more is hidden
    assert rows["referrals"].isna().sum() == 2
    assert rows.loc["police", "rereferrals"] == 10
    shown = table[["referrals", "rereferrals"]].to_numpy(dtype=float).ravel()
    assert not ((shown >= 1) & (shown <= 4)).any()
    page = html(figures.sources_table(results(sources=table, years=("2010-11", "2010-11"))))
    assert "<td>Housing</td>" in page and "<th>Referral source</th>" in page


# ----------------------------------------------------------------------------------------------
# the monthly control chart


def monthly_records(per_month: list[tuple[int, int]], start: str = "2011-04") -> pd.DataFrame:
    """Each month: (referrals, re-referrals); re-referrals follow a first referral the day
    before in the same month; a history year first."""
    rows = [("history", "2010-04-01")]
    for m, (n, k) in enumerate(per_month):
        month = pd.Period(start, freq="M") + m
        for i in range(n - k):
            rows.append((f"c{m}-{i}", f"{month}-10"))
            if i < k:
                rows.append((f"c{m}-{i}", f"{month}-11"))
    return ld.area_records(referrals(rows), STAFFS)


def test_monthly_chart_counts_months_and_flags_a_rise():
    per_month = [(100, 20)] * 24 + [(100, 45)]
    records = monthly_records(per_month)
    chart, labels = an.monthly_chart(records, "2011-04", "2013-03")
    assert labels[0] == "Apr 2011" and labels[-1] == "Apr 2013" and len(labels) == 25
    assert chart["denominator"].tolist() == [100] * 25
    assert chart["centre"].iloc[0] == pytest.approx(20.0)
    assert chart["baseline"].sum() == 24
    assert chart["beyond_limits"].iloc[-1] == 1
    summary = an.monthly_summary(chart, labels)
    assert (summary["signal_rises"], summary["signal_falls"]) == (1, 0)
    assert summary["first_signal"] == an.Detection("Apr 2013", "rise", "2013-14", 11)
    text = words.spc(results(polarity="low_is_good", **summary))
    assert "The centre line is the average of Apr 2011 to Mar 2013, 20.0%" in text
    assert "In Apr 2013, 45.0% of referrals were re-referrals, outside the control limits" in text
    # the reading, then in plain words whether the limits are widened (which limits and how
    # often they signal by chance is in "About the method")
    assert text.endswith("Months marked as special-cause signals: 1 as a rise (a concern). "
                         "After the baseline, the chart first signalled a rise (a concern) when "
                         "the figures for Apr 2013 arrived: 11 months before the end of 2013-14, "
                         "the year whose annual figure would show it. "
                         + words.TEMPLATES["spc widened" if chart.attrs["method"] == charts.LANEY
                                           else "spc plain"])
    assert "sigma_z" not in text and "Laney" not in text
    table = figures.monthly_table(chart, labels)
    assert table["Signal"].tolist()[-2:] == ["", "high"]
    assert summary["signals"][["description", "direction", "start", "end", "periods"]].to_dict(
        "records") == [{"description": "a point outside the control limits",
                        "direction": "high", "start": "Apr 2013", "end": "Apr 2013",
                        "periods": 1}]
    page = html(figures.signals_table(results(polarity="low_is_good", **summary)))
    assert "<td>A point outside the control limits</td>" in page
    assert "<td>a rise (a concern)</td>" in page
    assert "<td>a rise</td>" in html(figures.signals_table(results(**summary)))
    assert "<td>a rise (an improvement)</td>" in html(
        figures.signals_table(results(polarity="high_is_good", **summary)))


def test_spc_reading_dates_the_first_signal_by_when_it_could_be_seen():
    # a step up of 1.5 sigma from month 13 (Apr 2012): each month alone is unremarkable; the
    # run of 7 above the centre line is complete when October 2012 arrives
    per_month = [(400, 84), (400, 76)] * 6 + [(400, 92)] * 12
    records = monthly_records(per_month)
    chart, labels = an.monthly_chart(records, "2011-04", "2012-03")
    text = words.spc(results(polarity="low_is_good", **an.monthly_summary(chart, labels)))
    assert ("the chart first signalled a rise (a concern) when the figures for Oct 2012 "
            "arrived: 5 months before the end of 2012-13") in text


def test_monthly_chart_suppresses_small_months_and_rejects_bad_months():
    records = monthly_records([(100, 20)] * 12 + [(50, 3)] + [(100, 20)] * 11)
    chart, labels = an.monthly_chart(records, "2011-04", "2012-03")
    assert np.isnan(chart["value"].iloc[12]) and chart["signal"].iloc[12] == 0
    # the year's total is published in the annual table: another month is hidden with it
    assert chart["numerator"].iloc[12:].isna().sum() == 2
    with pytest.raises(ValueError, match="start <= baseline_end <= end"):
        an.monthly_chart(records, "2012-04", "2011-04")
    with pytest.raises(ValueError, match="like '2021-04'"):
        an.monthly_chart(records, "April", "2012-03")
    with pytest.raises(ValueError, match="in or after 2011-12"):
        an.monthly_chart(monthly_records([(10, 2)] * 3, start="2010-06"), "2010-06", "2010-07")


def test_spc_reading_without_signals():
    records = monthly_records([(100, 20)] * 12)
    chart, labels = an.monthly_chart(records, "2011-04", "2012-03")
    summary = an.monthly_summary(chart, labels)
    assert summary["signals"].empty and summary["first_signal"] is None
    assert words.spc(results(**summary)).endswith(
        "what chance alone would produce. " + words.TEMPLATES["spc plain"])
    assert figures.signals_table(results(**summary)) is None


# ----------------------------------------------------------------------------------------------
# time to re-referral


def test_time_to_rereferral_and_its_table():
    rows = []
    for i in range(40):  # no further action: 10 back within 3 months
        rows.append((f"n{i}", "2015-05-01", "police", "no_further_action"))
        if i < 10:
            rows.append((f"n{i}", "2015-06-01", "police", "child_in_need"))
    for i in range(30):  # child in need: 2 back within 3 months (suppressed), 6 by 12 months
        rows.append((f"c{i}", "2015-05-01", "school", "child_in_need"))
        if i < 2:
            rows.append((f"c{i}", "2015-06-01", "school", "child_in_need"))
        elif i < 6:
            rows.append((f"c{i}", "2016-01-01", "school", "child_in_need"))
    rows.append(("end", "2018-03-31", "police", "child_in_need"))
    records = ld.area_records(referrals(rows), STAFFS)
    cohort = an.time_to_rereferral(records, "2015-16")
    assert len(cohort) == 70 + 0  # the last referral is in 2017-18
    # the outcomes in the order of their labels
    assert list(cohort["outcome"].cat.categories) == list(words.OUTCOME_LABELS)
    table = an.survival_table(cohort, [3, 12])
    nfa = table[table["outcome"] == "no_further_action"]
    # 3 months is left out for every group: "child in need" gains 2 children from 0 to 3
    # months, which the chart's curve and the group size would reveal by differencing
    assert pd.isna(nfa["cumulative_percent"].iloc[0])
    assert nfa["cumulative_percent"].iloc[1] == pytest.approx(25.0)
    cin_rows = table[table["outcome"] == "child_in_need"]
    assert pd.isna(cin_rows["events"].iloc[0])
    assert pd.isna(cin_rows["cumulative_percent"].iloc[0])
    assert cin_rows["cumulative_percent"].iloc[1] == pytest.approx(20.0)
    assert table["left_out"].tolist() == [True, False] * 2
    shown = table[["people", "events"]].to_numpy(dtype=float).ravel()
    assert not ((shown >= 1) & (shown <= 4)).any()
    summary = an.timing_summary(table, 12)
    assert (summary["time_highest"], summary["time_lowest"]) == ("no_further_action",
                                                                 "child_in_need")
    shown = results(cohort_year="2015-16", **summary)
    page = html(figures.time_table(shown))
    assert "<th>Note</th>" in page and "<td>No further action</td>" in page
    assert "within 3, 12 months" in page
    text = words.timing(shown)
    assert text.startswith("Within 12 months, 25.0% (95% CI")
    assert "\"no further action\" were referred again, against 20.0%" in text
    with pytest.raises(ValueError, match="no referrals in 2019-20"):
        an.time_to_rereferral(records, "2019-20")


# ----------------------------------------------------------------------------------------------
# the published figures


def published() -> pd.DataFrame:
    source = "Staffordshire Health and Wellbeing Board papers, 9 March 2017 line 1063"
    rows = [("a", STAFFS, "Re-referrals within 12 months", 18.5, "2014-15", None, np.nan),
            ("b", STAFFS, "Re-referrals within 12 months", 18.8, "2015-16", "England", 22.3),
            ("c", STAFFS, "Re-referrals within 12 months", 18.8, "2015-16",
             "Statistical neighbours", 22.1),
            ("d", STAFFS, "Referrals", 501.5, "2015-16", "England", 532.2),
            ("e", STOKE, "Re-referrals within 12 months", 20.0, "2015-16", None, np.nan)]
    frame = pd.DataFrame(rows, columns=["figure_id", "area_code", "indicator", "value", "period",
                                        "comparator_name", "comparator_value"])
    return frame.assign(topic="child_protection", unit="percent", source=source)


def test_published_rereferrals_and_points():
    rows = ld.published_rereferrals(published(), STAFFS)
    assert rows["figure_id"].tolist() == ["a", "b", "c"]
    points = figures.published_points(rows)
    assert points["x"].tolist() == ["2014-15", "2015-16"]
    assert points["value"].tolist() == [18.5, 18.8]
    assert points["label"].tolist() == [
        "Published: Staffordshire Health and Wellbeing Board papers, 9 March 2017", ""]


def test_published_check_and_reading():
    annual = an._proportions(pd.DataFrame({
        "financial_year": ["2014-15", "2015-16"], "referrals": [8578, 8571],
        "rereferrals": [1587, 1700], "missing_child_id": [0, 0]}),
        "rereferrals", "referrals", 0.95)
    bench = an._proportions(pd.DataFrame({
        "series": ["E92000001", an.NEIGHBOURS], "name": ["England", an.NEIGHBOURS_LABEL],
        "financial_year": ["2015-16", "2015-16"], "referrals": [600000, 70000],
        "rereferrals": [133800, 15470], "areas": [1, 10]}), "rereferrals", "referrals", 0.95)
    check = an.published_check(ld.published_rereferrals(published(), STAFFS), annual, bench,
                               "Staffordshire")
    assert check["area"].tolist() == ["Staffordshire", "Staffordshire", "England",
                                      "Statistical neighbours"]
    assert check["verdict"].tolist() == ["within", "outside", "within", "within"]
    assert check["percent"].tolist() == pytest.approx(
        [100 * 1587 / 8578, 100 * 1700 / 8571, 22.3, 22.1])
    shown = results(published_check=check, published_trend=None)
    assert "<td>no</td>" in html(figures.published_table(shown))
    text = words.published(shown)
    assert text.startswith("1 of 2 published figures lie outside the modelled interval: "
                           "2014-15: published 18.5%, modelled 18.5%")
    assert words.published(results(published_check=check.iloc[2:], published_trend=None)
                           ).startswith("No re-referral figures have been published")
    none = an.published_check(ld.published_rereferrals(published(), "E06000099"), annual, bench,
                              "Nowhere")
    assert none.empty and "verdict" in none.columns
    assert figures.published_table(results(published_check=none)) is None
    assert figures.published_points(ld.published_rereferrals(published(), "E06000099")).empty


# ----------------------------------------------------------------------------------------------
# the default data: the published Staffordshire figures lie within the modelled intervals


@pytest.fixture(scope="module")
def default_chapter():
    if not (DATA / "referrals.csv.gz").is_file() or not (DATA / "cin_census.csv").is_file():
        pytest.skip("the default data has not been generated")
    return rr.load(DATA, STAFFS)


def test_default_data_matches_the_published_staffordshire_figures(default_chapter):
    annual = an.annual_series(default_chapter.records, ["2014-15", "2015-16"])
    published_rows = default_chapter.published
    for year, value in (("2014-15", 18.5), ("2015-16", 18.8)):
        assert ((published_rows["period"] == year) & (published_rows["value"] == value)).any()
        row = annual[annual["financial_year"] == year].iloc[0]
        assert row["lower"] <= value <= row["upper"], (year, row.to_dict())
    check = an.published_check(published_rows, annual, an.benchmark_series(
        default_chapter.cin, default_chapter.geography, STAFFS, ["2014-15", "2015-16"]),
        "Staffordshire")
    own = check[check["area"] == "Staffordshire"]
    assert own["verdict"].tolist() == ["within", "within"]


def test_trend_figure_labels_the_published_points_below_them():
    annual = an._proportions(pd.DataFrame({
        "financial_year": ["2014-15", "2015-16"], "referrals": [8578, 8571],
        "rereferrals": [1587, 1611], "missing_child_id": [0, 0]}),
        "rereferrals", "referrals", 0.95)
    bench = an.benchmark_series(cin(), geography(), STAFFS, ["2014-15", "2015-16"])
    series = an.trend_data(annual, bench, "Staffordshire")
    assert list(series["name"].cat.categories)[0] == "Staffordshire"
    points = figures.published_points(ld.published_rereferrals(published(), STAFFS))
    fig, alt = figures.trend_figure(series, points, "Staffordshire")
    labels = [t for t in fig.axes[0].texts if t.get_text()]
    assert [t.get_text().replace("\n", " ") for t in labels] == [points["label"].iloc[0]]
    assert labels[0].xyann[1] < 0
    assert alt.startswith("Line chart of Re-referrals within 12 months: Staffordshire:") \
        and len(alt) <= 250
    fig_without, _ = figures.trend_figure(series, points.iloc[:0], "Staffordshire")
    assert not fig_without.axes[0].texts


def test_published_trend_reading_looks_at_the_years_before_the_latest_figure():
    records = cohort_records({"police": [(100, 40), (100, 34), (100, 28), (100, 22), (100, 16)],
                              "school": [(50, 5)]})
    rows = published().assign(period=["2013-14", "2014-15", "2014-15", "2014-15", "2014-15"])
    rows = ld.published_rereferrals(rows, STAFFS)
    annual = an.annual_series(records, ["2010-11", "2014-15"])
    bench = an.benchmark_series(cin(), geography(), STAFFS, ["2010-11", "2014-15"])

    def reading(rows, span=5):
        return words.published(results(**an.published_summary(records, rows, annual, bench,
                                                               "Staffordshire", span)))

    summary = an.published_summary(records, rows, annual, bench, "Staffordshire")
    assert summary["published_trend_years"] == ("2010-11", "2014-15")
    assert summary["published_trend_verdict"] == "falling"
    trend = reading(rows).split(". ", 1)[1]
    assert trend.startswith("Over the 5 years to the latest published figure (2014-15), after "
                            "allowing for who made the referral, the odds that a referral was a "
                            "re-referral fell by ")
    assert "between 2010-11 and 2014-15" in trend
    assert "Over the" not in reading(rows, span=6)  # before the records
    assert an.published_summary(records, rows, annual, bench, "Staffordshire", 6)[
        "published_trend"] is None
    assert reading(rows.iloc[:0]) == ("No re-referral figures have been published for "
                                      "Staffordshire in these years.")


def test_first_full_year_is_one_rule_for_the_chapter_and_the_profiles():
    """An extract starting on Monday 3 April 2006: 2007-08 on both pages (was 2008-09 in the profiles)."""
    from jsnalib.indicators import referral_counts
    from jsnalib.inputs.periods import first_full_financial_year

    dates = pd.to_datetime(["2006-04-03", "2006-09-01", "2007-04-02", "2007-05-01", "2008-04-01",
                            "2009-04-01"])
    records = pd.DataFrame({"referral_id": [f"r{i}" for i in range(6)],
                            "child_id": ["a", "b", "a", "c", "d", "e"], "referral_date": dates,
                            "area_code": "E06000021"})
    assert an.first_full_year(records) == "2007-08"
    assert first_full_financial_year(pd.Timestamp("2006-04-03")) == 2007
    census = pd.DataFrame({"area_code": pd.Series(dtype=str), "financial_year": pd.Series(dtype=str),
                           "referrals": pd.Series(dtype="Int64"), "rereferrals": pd.Series(dtype="Int64")})
    counts = referral_counts(records, census)
    assert counts["financial_year"].min() == "2007-08"


# ----------------------------------------------------------------------------------------------
# the chapter's shape: analyse gives numbers and verdicts, text gives the words


#: The notebook's default parameters (notebooks/rereferral.ipynb).
PAGE = {"years": ["2012-13", "2024-25"], "spc_start": "2016-04", "spc_baseline_end": "2018-03",
        "cohort_year": "2021-22"}


@pytest.fixture(scope="module")
def default_results(default_chapter):
    return rr.analyse(default_chapter, **PAGE)


def _strings(value) -> list[str]:
    """Every string in a Results field: itself, a small dataclass's, or a table's cells."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, pd.DataFrame):
        return [v for column in value.columns for v in value[column] if isinstance(v, str)]
    if isinstance(value, tuple):
        return [v for item in value for v in _strings(item)]
    if dataclasses.is_dataclass(value):
        return [v for field in dataclasses.fields(value)
                for v in _strings(getattr(value, field.name))]
    return []


def test_analyse_returns_numbers_and_verdicts_not_sentences(default_results):
    assert isinstance(default_results, rr.Results)
    found = {field.name: _strings(getattr(default_results, field.name))
             for field in dataclasses.fields(default_results)}
    sentences = {name: [s for s in strings if s.rstrip().endswith(".") or ". " in s]
                 for name, strings in found.items()}
    assert not any(sentences.values()), {k: v[:2] for k, v in sentences.items() if v}
    # the verdicts are machine words
    assert default_results.trend_verdict in {"rising", "falling", "no clear change"}
    assert default_results.change.verdict in {"higher", "lower", "similar", "not compared"}
    assert set(default_results.comparison["verdict"].iloc[1:]) <= {"higher", "similar", "lower"}
    assert set(default_results.odds["verdict"]) <= {"higher", "similar", "lower"}
    assert set(default_results.published_check["verdict"]) <= {"within", "outside",
                                                               "not compared"}
    # and no paragraph of the page is among them
    paragraph = words.series(default_results)
    assert paragraph not in [s for strings in found.values() for s in strings]


def test_default_page_shows_the_dfe_figure_beside_the_synthetic_records(default_results):
    """Staffordshire 2024-25: DfE publishes 14.2% (730 of 5,137); the synthetic records are
    calibrated to it and say that they are synthetic."""
    assert default_results.synthetic_records
    assert default_results.years == tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2025))
    dfe = default_results.dfe.set_index("financial_year")
    assert (dfe.loc["2023-24", "rereferrals"], dfe.loc["2023-24", "referrals"]) == (710, 5045)
    records = default_results.annual.set_index("financial_year")
    inside = (dfe["lower"] <= records["percent"]) & (records["percent"] <= dfe["upper"])
    assert inside.all()
    text = words.series(default_results)
    assert text.endswith("The Department for Education publishes 14.2% (730 of 5,137) for "
                         "2024-25; these synthetic demonstration records give 14.2%.")
    assert "(from the synthetic demonstration records)" in text


def test_every_paragraph_reads_the_results(default_results):
    for paragraph in (words.series, words.records_note, words.comparison, words.published,
                      words.funnel, words.trend, words.spc, words.timing):
        said = paragraph(default_results)
        assert said.strip() and "{" not in said and "None" not in said, paragraph.__name__


def test_the_wording_lives_in_the_phrase_tables(monkeypatch):
    annual = an._proportions(pd.DataFrame({"financial_year": ["2014-15"], "referrals": [1000],
                                           "rereferrals": [180], "missing_child_id": [0]}),
                             "rereferrals", "referrals", 0.95)
    bench = an.benchmark_series(cin(), geography(), STAFFS, ["2014-15", "2014-15"])
    shown = results(comparison=an.comparison_table(annual, bench, "Staffordshire", "2014-15"),
                    latest="2014-15")
    assert "England (22.0%): lower" in words.comparison(shown)
    monkeypatch.setitem(words.PHRASES, "lower", "below it")
    monkeypatch.setitem(words.TEMPLATES, "comparison part", "{name} at {percent} ({verdict})")
    assert "England at 22.0% (below it)" in words.comparison(shown)


@pytest.mark.parametrize(("merged", "said"), [
    (0, "there were none in these records."),
    (1, "1 such extra referral was merged into the first one that day"),
    (1234, "1,234 such extra referrals were merged into the first one that day"),
    (None, "fewer than 5 such extra referrals were merged"),
])
def test_records_note_says_how_many_same_day_referrals_were_merged(merged, said):
    assert said in words.records_note(results(same_day_merged=merged))


def test_same_day_merged_hides_a_count_of_1_to_4():
    records = pd.DataFrame({"referral_date": []})
    for merged, expected in ((0, 0), (3, None), (5, 5)):
        records.attrs["same_day_merged"] = merged
        assert an.same_day_merged(records) == expected


@pytest.mark.parametrize(("direction", "polarity", "expected"), [
    ("rise", "no_judgement", "a rise"), ("fall", "no_judgement", "a fall"),
    ("rise", "low_is_good", "a rise (a concern)"), ("fall", "low_is_good", "a fall (an improvement)"),
    ("rise", "high_is_good", "a rise (an improvement)"), ("fall", "high_is_good", "a fall (a concern)"),
])
def test_meaning_of_a_rise_or_fall(direction, polarity, expected):
    assert words.meaning(direction, polarity) == expected


def test_a_missing_difference_and_missing_values_read_the_same_everywhere():
    missing = an.Difference(np.nan, np.nan, np.nan, an.change_verdict(np.nan, np.nan))
    assert missing.verdict == "not compared"
    assert an.change_verdict(0.5, 2.0) == "higher" and an.change_verdict(-2.0, -0.1) == "lower"
    assert an.change_verdict(-1.0, 1.0) == "similar"
    table = pd.DataFrame({"outcome": ["no_further_action", "child_in_need"], "time": [12.0] * 2,
                          "cumulative_percent": [np.nan] * 2})
    summary = an.timing_summary(table, 12)
    assert summary["time_gap"] is None
    assert words.timing(results(**summary)) == ("The percentage re-referred within 12 months "
                                                "cannot be shown.")
    assert words._estimate(np.nan, 1.0, 2.0, 0.95) == f"{MISSING} (95% CI 1.0% to 2.0%)"
    assert words._signed(-3.94) == "-3.9" and words._signed(0.2) == "+0.2"
    assert words._signed(np.nan) == MISSING and words._short(99.8) == "99.8"
