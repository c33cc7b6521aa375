"""jsnalib.chapters.profiles: ratings, trends, the spine chart, suppression and the page text.

The inputs are the hand-made frames of tests/conftest.py, so every expected rating, range and
sentence can be worked out by hand; ratings and trends are checked against jsnalib.methods.stats
called directly. analyse() gives numbers and verdicts only; text and figures are tested on its
results.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import DISTRICTS, ENGLAND, STAFFORDSHIRE, STOKE, WEST_MIDLANDS

from jsnalib import indicators
from jsnalib.chapters import profiles
from jsnalib.chapters.profiles import figures, text
from jsnalib.chapters.profiles.analyse import RATINGS, TREND_TESTS, recent_trend, summary_areas
from jsnalib.inputs import contracts
from jsnalib.methods import disclosure, stats
from jsnalib.report import plots


def results_for(data: indicators.IndicatorData, area_codes, confidence=0.95
                ) -> profiles.Results:
    return profiles.analyse(profiles.Inputs(data), area_codes, confidence)


def compare(data: indicators.IndicatorData, area_codes) -> pd.DataFrame:
    return results_for(data, area_codes).compared


@pytest.fixture
def stoke(indicator_data) -> profiles.Results:
    return results_for(indicator_data, [STOKE])


def row_of(compared: pd.DataFrame, area: str, indicator: str) -> pd.Series:
    match = compared[(compared["area_code"] == area) & (compared["indicator"] == indicator)]
    assert len(match) == 1
    return match.iloc[0]


# ----------------------------------------------------------------------------------------------
# trends


@pytest.mark.parametrize(
    ("direction", "polarity", "label"),
    [
        ("increasing", "low_is_good", "\u2191 rising (getting worse)"),
        ("decreasing", "low_is_good", "\u2193 falling (getting better)"),
        ("increasing", "high_is_good", "\u2191 rising (getting better)"),
        ("decreasing", "high_is_good", "\u2193 falling (getting worse)"),
        ("increasing", "no_judgement", "\u2191 rising"),
        ("no significant change", "low_is_good", "no significant change"),
        ("cannot be calculated", "no_judgement", "cannot be calculated"),
    ],
)
def test_trend_label_says_direction_and_whether_it_is_good(direction, polarity, label):
    assert text.trend_label(direction, polarity) == label


@pytest.mark.parametrize(("direction", "polarity"), [("up", "low_is_good"),
                                                     ("increasing", "lower_better")])
def test_trend_label_rejects_unknown_words(direction, polarity):
    with pytest.raises(ValueError):
        text.trend_label(direction, polarity)


def _yearly(counts, denominators, start=2015):
    n = len(counts)
    return pd.DataFrame({"area_code": STOKE, "period": [str(start + i) for i in range(n)],
                         "time": np.arange(start, start + n), "count": counts,
                         "denominator": denominators})


def test_proportion_trend_is_the_fingertips_test_on_the_latest_five_years():
    rows = _yearly([900, 100, 120, 150, 170, 200], [1000] * 6)
    item = indicators.indicator("reception_excess_weight")
    result = recent_trend(rows, item)
    expected = stats.recent_trend_test([100, 120, 150, 170, 200], [1000] * 5)
    assert result["direction"] == "increasing" == expected["direction"]
    assert result["test"] == "tested"
    assert result["statistic"] == pytest.approx(expected["statistic"])
    assert result["change"] == pytest.approx(100 * expected["slope"])
    assert (result["from"], result["to"]) == ("2016", "2020")
    assert text.trend_periods(pd.Series({"trend_from": "2016", "trend_to": "2020"})) == \
        "2016 to 2020"
    assert text.change_unit(item.key) == "percentage points a year"


def test_rate_trend_is_the_poisson_form_of_the_test():
    rows = _yearly([5, 160, 130, 105, 85, 60], [10_000] * 6)
    item = indicators.indicator("infant_mortality")
    result = recent_trend(rows, item)
    expected = stats.recent_trend_test([160, 130, 105, 85, 60], [10_000] * 5, kind="rate")
    assert result["direction"] == "decreasing" == expected["direction"]
    assert result["statistic"] == pytest.approx(expected["statistic"])
    assert result["change"] == pytest.approx(1000 * expected["slope"])
    assert text.change_unit(item.key) == "per 1,000 live births a year"


def test_issue_example_is_no_significant_change_not_getting_better():
    # issue 12.2: 250, 241, 232, 224, 214 of 1,500 each; chi-square 4.04 < 9.5495. The old
    # test (p < 0.05) called it falling, "getting better".
    rows = _yearly([250, 241, 232, 224, 214], [1500] * 5)
    result = recent_trend(rows, indicators.indicator("reception_excess_weight"))
    assert result["direction"] == "no significant change"
    assert result["statistic"] == pytest.approx(4.036, abs=1e-3)


@pytest.mark.parametrize(
    ("counts", "kind", "direction"),
    [
        ([30, 31, 29, 30, 31], "infant_mortality", "no significant change"),
        ([100, 102, 98, 101, 99], "rereferrals", "no significant change"),
        ([0, 0, 0, 0, 0], "infant_mortality", "cannot be calculated"),
        ([10, np.nan, np.nan, np.nan, 12], "rereferrals", "cannot be calculated"),
        ([100, 120, np.nan, 170, 200], "rereferrals", "cannot be calculated"),
    ],
    ids=["flat_rate", "flat_proportion", "no_events", "two_usable_years", "broken_series"],
)
def test_trend_not_significant_or_cannot_be_calculated(counts, kind, direction):
    rows = _yearly(counts, [1000] * 5)
    assert recent_trend(rows, indicators.indicator(kind))["direction"] == direction


def test_a_missing_year_breaks_the_series_even_when_the_row_is_absent():
    rows = _yearly([100, 120, 150, 170, 200, 230], [1000] * 6).drop(index=3)
    result = recent_trend(rows, indicators.indicator("rereferrals"))
    assert result["direction"] == "cannot be calculated"
    assert result["test"] == "years missing"
    assert "5 years in a row" in text.trend_method(result["test"])


# ----------------------------------------------------------------------------------------------
# the comparison table


def test_ratings_are_stats_compare_against_england_and_region(indicator_data):
    compared = compare(indicator_data, summary_areas(indicator_data.geography))
    for _, row in compared.iterrows():
        if row["area_code"] == ENGLAND:
            assert row["vs_england"] == "" and row["vs_region"] == ""
            continue
        expected = stats.compare(row["lower"], row["upper"], row["england"], row["polarity"])
        assert row["vs_england"] == expected
        if row["area_code"] != WEST_MIDLANDS:
            assert row["region_code"] == WEST_MIDLANDS
            assert row["vs_region"] == stats.compare(row["lower"], row["upper"], row["region"],
                                                     row["polarity"])


def test_stoke_profile_by_hand(stoke):
    stoke = stoke.compared
    imr = row_of(stoke, STOKE, "infant_mortality")
    assert imr["period"] == "2021-23"
    assert (imr["count"], imr["denominator"]) == (84, 9900)
    assert imr["england"] == pytest.approx(4.0) and imr["region"] == pytest.approx(5.0)
    assert imr["vs_england"] == "worse" and imr["vs_region"] == "worse"
    # range over the 10 JSNA areas, England and the region: worst is Stoke-on-Trent itself,
    # best the district with 4 deaths a year from 1,160 births
    assert imr["range_count"] == 12
    assert imr["worst"] == pytest.approx(84 / 9900 * 1000)
    assert imr["best"] == pytest.approx(12 / 3480 * 1000)
    rate = row_of(stoke, STOKE, "referral_rate")
    assert rate["vs_england"] == "higher"
    # re-referrals: the neighbour (Derbyshire) has a value of its own and joins the range
    rereferral = row_of(stoke, STOKE, "rereferrals")
    assert rereferral["range_count"] == 5
    # no better/worse for re-referrals: the range's "worst" end is simply its lowest value
    assert rereferral["worst"] == pytest.approx(100 * 1500 / 9000)
    assert rereferral["best"] == pytest.approx(100 * 1540 / 6000)
    assert list(stoke["indicator"]) == list(indicators.INDICATOR_KEYS)


def test_district_shows_county_social_care_figures_and_trend(indicator_data):
    compared = compare(indicator_data, [DISTRICTS[0], STAFFORDSHIRE])
    district = row_of(compared, DISTRICTS[0], "rereferrals")
    county = row_of(compared, STAFFORDSHIRE, "rereferrals")
    assert district["value_from"] == STAFFORDSHIRE
    assert district["value_from_name"] == "Staffordshire"
    assert district["value"] == county["value"]
    # Staffordshire's re-referrals fall by 100 a year from 1,900 of 9,000: a significant fall
    assert county["trend_direction"] == "decreasing"
    # re-referrals: no better/worse judgement
    assert text.trend_label(county["trend_direction"], county["polarity"]) == "\u2193 falling"
    assert district["trend_direction"] == county["trend_direction"]
    assert not district["own"] and county["own"] and not district["counted"]
    assert district["region_code"] == WEST_MIDLANDS


def test_small_record_counts_are_suppressed_on_every_page(indicator_data_factory,
                                                          indicator_data):
    ncmp = indicator_data.ncmp.copy()
    latest = ((ncmp["academic_year"] == "2023/24") & (ncmp["school_year"] == "R")
              & (ncmp["measure"] == "obese"))
    ncmp.loc[latest & (ncmp["area_code"] == DISTRICTS[2]), "count"] = 3.0
    districts = latest & ncmp["area_code"].isin(DISTRICTS)
    ncmp.loc[latest & (ncmp["area_code"] == STAFFORDSHIRE), "count"] = \
        ncmp.loc[districts, "count"].sum()
    data = indicator_data_factory(ncmp=ncmp)
    small = row_of(compare(data, [DISTRICTS[2]]), DISTRICTS[2], "reception_obesity")
    assert np.isnan(small["count"]) and np.isnan(small["value"]) and np.isnan(small["lower"])
    assert small["vs_england"] == "not compared"
    assert "count of 1-4" in small["suppression_note"]
    # the next smallest district is hidden too, on its own page, so the county total minus
    # the other districts cannot reveal the small count
    counts = dict(zip(ncmp.loc[districts, "area_code"], ncmp.loc[districts, "count"],
                      strict=True))
    runner_up = min((c for c in DISTRICTS if c != DISTRICTS[2]), key=counts.get)
    hidden = row_of(compare(data, [runner_up]), runner_up, "reception_obesity")
    assert np.isnan(hidden["count"])
    assert "cannot be worked out" in hidden["suppression_note"]
    assert not np.isnan(row_of(compare(data, [STAFFORDSHIRE]), STAFFORDSHIRE,
                               "reception_obesity")["count"])


def test_unknown_area_is_refused(indicator_data):
    with pytest.raises(ValueError, match="unknown area code"):
        compare(indicator_data, ["E99999999"])


def test_summary_areas_are_benchmarks_then_jsna_areas(indicator_data):
    geo = indicator_data.geography
    assert summary_areas(geo) == [ENGLAND, WEST_MIDLANDS, *geo.jsna_areas()]
    assert len(geo.jsna_areas()) == 10
    # no areas asked for: the outcomes summary's
    assert results_for(indicator_data, []).area_codes == tuple(summary_areas(geo))


# ----------------------------------------------------------------------------------------------
# the spine chart


def test_spine_position_matches_the_house_spine_chart():
    frame = pd.DataFrame({"indicator": ["a", "b", "c", "d"], "value": [8.0, 3.0, 40.0, 25.0],
                          "england": [4.0, 4.0, 36.0, 20.0], "worst": [9.0, 9.0, 42.0, 10.0],
                          "best": [2.0, 2.0, 30.0, 30.0],
                          "rating": ["worse", "better", "similar", "better"],
                          "polarity": ["low_is_good"] * 3 + ["high_is_good"]})
    fig, _ = plots.spine_chart(frame, "test")
    drawn = np.array([c.get_offsets()[0] for c in fig.axes[0].collections])
    plt.close(fig)
    ours = figures.spine_position(frame["value"], frame["england"], frame["worst"],
                                   frame["best"], frame["polarity"])
    # the house chart draws the rows from the top, in the frame's order
    assert drawn[:, 0] == pytest.approx(ours)
    assert ours == pytest.approx([-0.8, 0.2, -4 / 6, 0.5])


def test_spine_chart_leaves_out_unrated_rows_and_describes_each_row(stoke):
    assert text.spine_title(stoke) == "Stoke-on-Trent compared with England"
    fig, alt, data = figures.spine_figure(stoke)
    # each row's label is written above its bar (the ends' values are single-line numbers)
    labels = [t.get_text() for t in fig.axes[0].texts if "\n" in t.get_text()]
    plt.close(fig)
    assert len(labels) == 5 and not any("Referrals to" in label or "Re-referrals" in label
                                        for label in labels)
    assert "8.5 per 1,000 live births: worse than England" in labels[0]
    # one sentence; the values are in the profile table
    assert alt.startswith("Spine chart of Stoke-on-Trent compared with England: against "
                          "England, of 5 indicators")
    assert alt.endswith("every value is in the profile table on this page.") and len(alt) <= 250
    assert list(data["indicator"]) == [i.name for i in indicators.INDICATORS[:5]]
    with pytest.raises(ValueError, match="no indicator"):
        figures.spine_figure(dataclasses.replace(stoke,
                                                 compared=stoke.compared.assign(value=np.nan)))


# ----------------------------------------------------------------------------------------------
# tables, legend and text


def _relative_luminance(hex_colour: str) -> float:
    channels = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


@pytest.mark.parametrize("rating", RATINGS)
def test_rating_text_is_readable_on_its_colour(rating):
    style = figures.rating_style(rating)
    background, text = re.findall(r"#[0-9a-fA-F]{6}", style)
    light, dark = sorted([_relative_luminance(background), _relative_luminance(text)],
                         reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5  # WCAG AA for normal text


def test_profile_table_colours_rating_cells_and_keeps_their_words(stoke):
    page = figures.profile_table(stoke).data
    stoke = stoke.compared
    coloured = re.findall(r'<td class="jsna-rating jsna-rating-([a-z-]+)" style="[^"]+">'
                          r"([a-z ]+)<br>([^<]*)</td>", page)
    assert len(coloured) == 2 * len(stoke)
    assert all(slug.replace("-", " ") == word for slug, word, _ in coloured)
    assert ("worse", "worse", "England 4.0") in coloured
    assert ("worse", "worse", "West Midlands 5.0") in coloured
    assert "<th>Compared with West Midlands</th>" in page and "<th>Value (95% CI)</th>" in page
    assert "<td>8.5<br>(6.8 to 10.5)</td>" in page and "<td>84<br>of 9,900</td>" in page
    assert "<td>Re-referrals within 12 months<br>(% of referrals)</td>" in page
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', page).group(1)
    download = pd.read_csv(io.StringIO(base64.b64decode(payload).decode()))
    assert len(download) == len(stoke) and "trend_p_value" in download.columns


def test_rated_table_checks_shapes():
    shown = pd.DataFrame({"a": ["x"], "b": ["worse"]})
    with pytest.raises(ValueError, match="shape"):
        figures.rated_table(shown, pd.DataFrame({"a": [""]}), "c", "n", shown)


def test_summary_table_cells_give_value_rating_and_trend(indicator_data):
    results = results_for(indicator_data, [ENGLAND, STOKE, DISTRICTS[0]])
    page = figures.summary_table(results, indicators.INDICATOR_KEYS, "caption",
                                 name="summary-test").data
    assert ">8.5<br>worse \u2192</td>" in page
    assert "<td>4.0<br>\u2192</td>" in page  # England is not rated
    assert ">16.7 \u2020<br>lower \u2193</td>" in page  # the county's figure, falling
    assert "<th>Infant mortality, 2021-23</th>" in page
    assert text.units_note(results).startswith(
        "Units: infant mortality per 1,000 live births; reception: excess weight %;")


def test_summary_tables_split_health_and_social_care(indicator_data):
    results = results_for(indicator_data, [])
    health = figures.health_table(results).data
    care = figures.social_care_table(results).data
    assert health.count("<tr>") == 12 and care.count("<tr>") == 4  # body rows
    assert "Cannock Chase" in health and "Cannock Chase" not in care
    assert "<th>Re-referrals within 12 months, 2023-24</th>" in care
    assert "Re-referrals" not in health.split("</thead>")[0]
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', care).group(1)
    download = pd.read_csv(io.StringIO(base64.b64decode(payload).decode()))
    assert set(download["indicator"]) == set(figures.SOCIAL_CARE_INDICATORS)
    assert len(download) == 8
    with pytest.raises(ValueError, match="no such indicator"):
        figures.summary_table(results, ["smoking"], "x", "x")


def test_legend_names_every_rating_and_the_trend_arrows(stoke):
    page = figures.legend(stoke).data
    for rating in RATINGS:
        assert f">{rating}</span>" in page
    assert "\u2191 rising" in page and "no significant change" in page
    assert "the area&#x27;s 95% confidence interval" in page


def test_profile_summary_in_plain_words(stoke):
    headline = text.headline(stoke)
    assert headline.startswith(
        "Of the 5 indicators rated against England, Stoke-on-Trent is **worse on 5**, "
        "**similar on 0** and **better on 0**. Worse: Infant mortality; Reception: excess "
        "weight; Reception: obese; Year 6: excess weight; Year 6: obese. (Re-referrals within "
        "12 months; Referral rate: shown without a rating, as neither higher nor lower is "
        "better in itself.)\n")
    assert ("- **Infant mortality rate**, 2021-23: 8.5 per 1,000 live births (95% CI 6.8 to "
            "10.5; 84 infant deaths out of 9,900 live births). Worse than England (4.0). From "
            "2019 to 2023 there was no significant change.") in headline
    with pytest.raises(ValueError, match="one area"):
        text.headline(dataclasses.replace(stoke, compared=pd.concat(
            [stoke.compared, stoke.compared.assign(area_code=ENGLAND)])))


def test_trend_sentence_gives_size_and_judgement(indicator_data):
    county = row_of(compare(indicator_data, [STAFFORDSHIRE]), STAFFORDSHIRE, "rereferrals")
    sentence = text.trend_sentence(county)
    # re-referrals carry no better/worse judgement: the size only
    assert re.fullmatch(r"From 2019-20 to 2023-24 it fell significantly \(by \d+\.\d percentage "
                        r"points a year\)\.", sentence)


def test_notes_and_summary_reading(indicator_data):
    results = results_for(indicator_data, [STAFFORDSHIRE, DISTRICTS[0]])
    notes = text.figure_notes(results)
    assert "\u2020 **Re-referrals to children's social care within 12 months, Cannock Chase:**" \
        in notes
    assert "fewer than 5 referrals had no child ID" in notes
    method = text.method_notes(results)
    assert "infant mortality: 12" in method and "99.8% level" in method
    geography = indicator_data.geography
    homes = [geography.name(c) for c in geography.home_authorities()]
    assert all(name in method for name in homes)
    assert geography.name(geography.region(geography.home_authorities()[0])) in method
    assert "Re-referrals within 12 months and referral rate have no better or worse direction" in method
    reading = text.summary_reading(results)
    assert reading.splitlines()[0] == ("- **Staffordshire**: worse than England on 0 of 5. "
                                       "Better on 0.")


# ----------------------------------------------------------------------------------------------
# the chapter's shape: analyse gives numbers and verdicts, text holds the words


#: Columns of results.compared that carry labels from the indicator catalogue, the geography or
#: the disclosure rules (not made by analyse).
LABEL_COLUMNS = {"name", "short", "unit", "area_name", "value_from_name", "region_name", "note",
                 "count_label", "denominator_label", "publisher", "source", disclosure.NOTE_COLUMN}
VERDICTS = {*RATINGS, "", *TREND_TESTS, "increasing", "decreasing", "no significant change",
            "cannot be calculated", *stats.POLARITIES, *indicators.INDICATOR_KEYS, "rate",
            "proportion"}


def test_analyse_returns_numbers_and_verdicts_not_sentences(indicator_data):
    results = results_for(indicator_data, [])
    compared = results.compared
    for column in compared.columns.difference(sorted(LABEL_COLUMNS)):
        values = compared[column].dropna()
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        for value in values.astype(str):
            # codes, period labels ("2021-23", "2023/24", "2023") and machine words only
            assert (value in VERDICTS or re.fullmatch(contracts.GSS_PATTERN, value)
                    or re.fullmatch(r"\d{4}([-/]\d{2})?", value)), (column, value)
    for table in (results.tallies, results.range_counts.to_frame()):
        assert all(pd.api.types.is_integer_dtype(t) for t in table.dtypes)
    fields = {f.name: getattr(results, f.name) for f in dataclasses.fields(results)}
    assert not [name for name, value in fields.items() if isinstance(value, str)
                and value != results.country]


def test_tallies_count_the_areas_own_rated_figures(indicator_data):
    results = results_for(indicator_data, [STAFFORDSHIRE, DISTRICTS[0]])
    for code, tally in results.tallies.iterrows():
        rows = results.compared[results.compared["area_code"] == code]
        own = rows[(rows["value_from"] == code) & (rows["polarity"] != "no_judgement")]
        for verdict in ("worse", "similar", "better"):
            assert tally[verdict] == (own["vs_england"] == verdict).sum()
        assert tally["rated"] == tally[["worse", "similar", "better"]].sum()
    assert results.range_counts["infant_mortality"] == 12


def test_wording_comes_from_the_phrase_table(stoke, monkeypatch):
    monkeypatch.setitem(text.VERSUS_ENGLAND, "worse", "poorer than England")
    monkeypatch.setitem(text.TEMPLATES, "trend flat", "{periods}: no clear change.")
    monkeypatch.setitem(text.TREND_METHOD, "years missing", "{points} unbroken years needed")
    headline = text.headline(stoke)
    assert "Poorer than England (4.0). 2019 to 2023: no clear change." in headline
    assert "Worse than England" not in headline
    assert text.trend_method("years missing") == "5 unbroken years needed"


@pytest.mark.parametrize(("confidence", "label"), [(0.95, "95%"), (99.8, "99.8%"),
                                                    (0.9, "90%")])
def test_confidence_level_reads_as_a_percentage(confidence, label):
    assert text.level(confidence) == label


def test_pages_follow_the_confidence_level(indicator_data):
    results = results_for(indicator_data, [STOKE], confidence=99.8)
    assert results.confidence == pytest.approx(0.998)
    assert "(99.8% CI " in text.headline(results)
    assert "the area&#x27;s 99.8% confidence interval" in figures.legend(results).data
    assert "<th>Value (99.8% CI)</th>" in figures.profile_table(results).data


def test_map_titles_and_captions_come_from_the_geography(stoke):
    assert text.local_map_title(stoke) == "Staffordshire's districts and Stoke-on-Trent"
    assert text.regional_map_title(stoke) == "West Midlands councils"
    assert text.spine_caption(stoke) == (
        "Spine chart: Stoke-on-Trent's latest value of each indicator against England, the "
        "West Midlands and the worst and best areas.")
    with pytest.raises(ValueError, match="maps=True"):
        figures.local_map(stoke, "infant_mortality")
    with pytest.raises(ValueError, match="maps=True"):
        figures.regional_map(stoke, "rereferrals")


def test_download_gives_the_trend_in_words(stoke):
    page = figures.profile_table(stoke).data
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', page).group(1)
    download = pd.read_csv(io.StringIO(base64.b64decode(payload).decode()))
    imr = download[download["indicator"] == "infant_mortality"].iloc[0]
    assert imr["trend_method"] == "chi-square test for trend, latest 5 years, 99.8% level"
    assert imr["trend_periods"] == "2019 to 2023"
    assert imr["trend_change_unit"] == "per 1,000 live births a year"


def test_files_are_the_contracts_data_files():
    assert profiles.FILES == (contracts.BIRTHS_DEATHS.filename,
                              contracts.BIRTHS_DEATHS_COHORT.filename, contracts.NCMP.filename,
                              contracts.FINGERTIPS.filename, contracts.REFERRALS.filename,
                              contracts.CIN_CENSUS.filename, contracts.POPULATION.filename)
    assert profiles.FILES == indicators.DATA_FILES
