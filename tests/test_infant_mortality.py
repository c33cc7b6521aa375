"""Tests of jsnalib.chapters.infant_mortality: rates, small numbers, readings, deprivation, the page.

Oracles: the national package's rate table (../shared/reference/phe/phe_rate.csv, skipped when
absent), the published local figures (Stoke-on-Trent 7.5 against England's 3.9 per 1,000 in
2017-19 with about 3,300 births a year), hand-worked sums, and exact log-linear series whose
trend is known.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from jsnalib.build.pipeline import template_parameters
from jsnalib.chapters import infant_mortality as im
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.readers import load_geography
from jsnalib.methods import models, stats

REPO = Path(__file__).resolve().parents[1]
PHE = REPO.parent / "shared" / "reference" / "phe"
STOKE, STAFFS, ENGLAND, REGION = "E06000021", "E10000028", "E92000001", "E12000005"
CANNOCK = "E07000192"
YEARS = np.arange(2006, 2024)

# exact (non-integer) counts give perfect fits, which statsmodels warns about
pytestmark = pytest.mark.filterwarnings("ignore:Perfect separation or prediction detected")


@pytest.fixture(scope="module")
def geography() -> Geography:
    return load_geography(REPO / "data")


def series(code: str, births: float, rate: float, ratio: float = 1.0) -> pd.DataFrame:
    """Exact counts on a log-linear trend (rate per 1,000 in 2006)."""
    return pd.DataFrame({"area_code": code, "year": YEARS, "live_births": float(births),
                         "infant_deaths": births * rate / 1000 * ratio ** (YEARS - 2006)})


def counts(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "year", "live_births", "infant_deaths"])


def synthetic_inputs(geography: Geography, seed: int = 11) -> im.Inputs:
    """Random counts for every JSNA area, England and the region, quintiles for three areas."""
    rng = np.random.default_rng(seed)
    sizes = {ENGLAND: (620_000, 4.2), REGION: (65_000, 5.2), STAFFS: (8_200, 4.6),
             STOKE: (3_300, 7.4)}
    sizes |= {d: (1_000, 4.6) for d in geography.children(STAFFS)}
    frames, quintiles = [], []
    profile = {ENGLAND: [0.2] * 5, STAFFS: [0.1, 0.2, 0.25, 0.25, 0.2],
               STOKE: [0.5, 0.25, 0.14, 0.08, 0.03]}
    relative = np.array([1.45, 1.15, 0.95, 0.8, 0.7])
    for code, (births, rate) in sizes.items():
        n = rng.poisson(births, YEARS.size)
        frames.append(counts(zip([code] * YEARS.size, YEARS, n,
                                 rng.poisson(n * rate / 1000 * 0.985 ** (YEARS - 2006)),
                                 strict=True)))
        if code in profile:
            for year, total in zip(YEARS, n, strict=True):
                b = rng.multinomial(total, profile[code])
                d = rng.poisson(b * rate / 1000 * relative)
                quintiles += [(code, year, q + 1, b[q], d[q]) for q in range(5)]
    deprivation = pd.DataFrame(quintiles, columns=["area_code", "year", "imd_quintile",
                                                   "live_births", "infant_deaths"])
    published = pd.DataFrame({
        "figure_id": ["a", "b", "c"], "topic": "infant_mortality",
        "area_code": [STOKE, STOKE, STAFFS], "indicator": "Infant mortality rate",
        "value": [7.5, 6.7, 4.9], "unit": "per 1,000 live births",
        "period": ["2017-19", "not stated", "2013-15"], "comparator_name": "England",
        "comparator_value": [3.9, 4.0, 3.9],
        "source": ["Stoke-on-Trent Room to Grow progress report 2020-21 line 128",
                   "Stoke-on-Trent Children, Young People and Families Plan 2016-2020 line 71",
                   "Staffordshire Health and Wellbeing Board papers, 9 March 2017 line 3106"],
    })
    return im.Inputs(geography, pd.concat(frames, ignore_index=True), deprivation, published)


# ----------------------------------------------------------------------------------------------
# rates and small numbers


def test_rates_match_the_national_package_table():
    path = PHE / "phe_rate.csv"
    if not path.exists():
        pytest.skip("national test table phe_rate.csv not available beside the repository")
    table = pd.read_csv(path, encoding="utf-8-sig")
    frame = pd.DataFrame({"infant_deaths": table["Numerator"], "live_births": table["Denominator"]})
    result = im.add_rates(frame)
    scale = 1000 / table["multiplier"]
    published = frame["infant_deaths"] >= im.SUPPRESS_BELOW
    assert published.any() and (~published).any()
    for ours, theirs in (("rate", "value"), ("lower", "lower95_0cl"), ("upper", "upper95_0cl")):
        np.testing.assert_allclose(result.loc[published, ours],
                                   (table[theirs] * scale)[published], rtol=1e-9)
    assert result.loc[~published, ["rate", "lower", "upper"]].isna().all().all()


@pytest.mark.parametrize(
    ("deaths", "births", "note", "shown"),
    [
        (0, 1000, im.NOTE_SUPPRESSED, False),
        (2, 1000, im.NOTE_SUPPRESSED, False),
        (3, 1000, im.NOTE_EXACT, True),
        (9, 1000, im.NOTE_EXACT, True),
        (10, 1000, "", True),
        (np.nan, 1000, im.NOTE_MISSING, False),
        (5, np.nan, im.NOTE_MISSING, False),
    ],
)
def test_small_numbers_follow_the_phe_convention(deaths, births, note, shown):
    row = im.add_rates(pd.DataFrame({"infant_deaths": [deaths], "live_births": [births]})).iloc[0]
    assert row["note"] == note
    assert pd.notna(row["rate"]) is shown
    if shown:
        lower, upper = stats.rate_ci(deaths, births, multiplier=1000)
        assert (row["lower"], row["upper"]) == pytest.approx((lower, upper))


def test_rates_pool_consecutive_years(geography):
    data = counts([(STOKE, 2017, 3300, 20), (STOKE, 2018, 3250, 27), (STOKE, 2019, 3350, 27),
                   (STOKE, 2020, 3200, 21), (ENGLAND, 2017, 646000, 2520),
                   (ENGLAND, 2018, 626000, 2440), (ENGLAND, 2019, 610000, 2380),
                   (ENGLAND, 2020, 592000, 2190)])
    pooled = im.rates(data, geography, [STOKE, ENGLAND], pool=3)
    assert pooled["period"].tolist() == ["2017-19", "2018-20", "2017-19", "2018-20"]
    assert pooled["area_name"].tolist()[:2] == ["Stoke-on-Trent"] * 2
    first = pooled.iloc[0]
    assert (first["live_births"], first["infant_deaths"]) == (9900, 74)
    assert first["rate"] == pytest.approx(74 / 9900 * 1000)
    assert list(pooled.columns) == im.RATE_COLUMNS
    single = im.rates(data, geography, [STOKE], pool=1)
    assert single["period"].tolist() == ["2017", "2018", "2019", "2020"]


def test_rates_need_data_for_every_area(geography):
    data = counts([(STOKE, 2019, 3300, 25)])
    with pytest.raises(ValueError, match="no rows for E92000001"):
        im.rates(data, geography, [STOKE, ENGLAND])
    with pytest.raises(ValueError, match="list of area codes"):
        im.rates(data, geography, STOKE)


@pytest.mark.parametrize(
    ("local_deaths", "expected"),
    [(74, "worse"), (40, "similar"), (20, "better")],
)
def test_compare_with_england_lower_is_better(geography, local_deaths, expected):
    data = counts([(STOKE, 2019, 9900, local_deaths), (ENGLAND, 2019, 1_880_000, 7330)])
    compared = im.compare_with(im.rates(data, geography, [STOKE, ENGLAND]), ENGLAND)
    assert compared["compared"].tolist() == [expected, "benchmark"]
    assert compared["benchmark_rate"].iloc[0] == pytest.approx(7330 / 1_880_000 * 1000)
    with pytest.raises(ValueError, match="benchmark"):
        im.compare_with(compared[compared["area_code"] == STOKE], ENGLAND)


def test_describe_rate_states_counts_interval_and_comparison(geography):
    data = counts([(STOKE, 2019, 9900, 74), (ENGLAND, 2019, 1_880_000, 7330),
                   (CANNOCK, 2019, 1000, 2), (CANNOCK, 2020, 1000, 6)])
    compared = im.compare_with(im.rates(data, geography, [STOKE, CANNOCK, ENGLAND]), ENGLAND)
    text = im.describe_rate(compared.iloc[0], "England")
    lower, upper = stats.rate_ci(74, 9900, multiplier=1000)
    assert "74 babies died" in text and "9,900 live births" in text
    assert f"7.5 per 1,000 live births (95% CI {lower:.1f} to {upper:.1f})" in text
    assert "significantly higher (worse) than England's 3.9" in text
    suppressed = im.describe_rate(compared.iloc[1], "England")
    assert "not published" in suppressed and "fewer than 3 deaths" in suppressed
    assert "treat it with caution" in im.describe_rate(compared.iloc[2], "England")


def test_select_years_and_confidence_labels():
    data = series(STOKE, 3300, 7)
    assert im.select_years(data, 2010, 2012)["year"].tolist() == [2010, 2011, 2012]
    assert len(im.select_years(data)) == YEARS.size
    with pytest.raises(ValueError, match="must not be after"):
        im.select_years(data, 2015, 2010)
    with pytest.raises(ValueError, match="no data between"):
        im.select_years(data, 2030, None)
    with pytest.raises(ValueError, match="whole-number year"):
        im.select_years(data, 2010.5)
    assert im.ci_label(0.95) == "95% CI"
    assert im.ci_label(99.8) == "99.8% CI"
    with pytest.raises(ValueError, match="confidence"):
        im.ci_label(0.5)


# ----------------------------------------------------------------------------------------------
# trend, gap, projection and what it would take


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(0.95, "fell by 5.0% a year on average"), (1.03, "rose by 3.0% a year on average"),
     (1.0, "there is no clear trend")],
)
def test_describe_trend(ratio, expected):
    data = series(STOKE, 3300, 7, ratio)
    if ratio == 1.0:  # a flat series with noise: no clear trend
        data["infant_deaths"] = np.random.default_rng(1).poisson(23.1, YEARS.size).astype(float)
    fit = im.trend(data, STOKE)
    text = im.describe_trend(fit, "Stoke-on-Trent", 2006, 2023)
    assert text.startswith("Between 2006 and 2023")
    assert expected in text
    assert "95% CI" in text


def test_describe_model_names_the_model_and_why():
    rng = np.random.default_rng(4)
    noisy = series(STOKE, 3300, 7, 0.98)
    poisson = noisy.assign(infant_deaths=rng.poisson(noisy["infant_deaths"]).astype(float))
    assert "Poisson model" in im.describe_model(im.trend(poisson, STOKE))
    mixed = noisy["infant_deaths"] * rng.gamma(1 / 0.08, 0.08, YEARS.size)
    overdispersed = noisy.assign(infant_deaths=rng.poisson(mixed).astype(float))
    fit = im.trend(overdispersed, STOKE)
    assert fit.family == "negative binomial"
    text = im.describe_model(fit)
    assert "negative binomial" in text and "more than chance" in text


@pytest.mark.parametrize(
    ("local_ratio", "local_rate", "expected"),
    [
        (0.95, 7.0, "The gap is narrowing"),
        (0.95, 7.0, "coming down towards England's"),
        (1.01, 7.0, "moving further above England's"),
        (0.95, 2.0, "moving further below England's"),
        (1.03, 2.0, "rising towards England's"),
        (0.99, 7.0, "no clear evidence that the gap"),
    ],
)
def test_describe_gap(local_ratio, local_rate, expected):
    data = pd.concat([series(STOKE, 20000, local_rate, local_ratio),
                      series(ENGLAND, 600000, 4.0, 0.99)])
    result = im.gap(data, STOKE, ENGLAND)
    text = im.describe_gap(result, "Stoke-on-Trent", "England",
                           im.is_higher(data, STOKE, ENGLAND))
    assert expected in text


def test_projection_uses_recent_births_and_the_fitted_trend():
    data = series(STOKE, 3300, 7, 0.97)
    data.loc[data["year"] >= 2021, "live_births"] = [3000.0, 3100.0, 3200.0]
    data["infant_deaths"] = data["live_births"] * 0.007 * 0.97 ** (data["year"] - 2006)
    fit = im.trend(data, STOKE)
    projected = im.projection(fit, data, STOKE, to_year=2030, pool=3)
    assert projected["year"].tolist() == list(range(2024, 2031))
    assert (projected["births"] == 3100).all()
    np.testing.assert_allclose(projected["rate"], 7 * 0.97 ** (projected["year"] - 2006),
                               rtol=1e-8)
    with pytest.raises(ValueError, match="after the last year"):
        im.projection(fit, data, STOKE, to_year=2023)


@pytest.mark.parametrize(
    ("lower_pi", "upper_pi", "rate", "expected"),
    [(2.0, 3.5, 2.8, "would be below England's current rate"),
     (4.5, 9.0, 6.0, "would not bring it down to England's"),
     (3.0, 8.0, 5.0, "stays above England's current rate"),
     (1.0, 6.0, 3.5, "at or below England's current rate"),
     (2.0, 6.0, 3.92, "about the same as England's current rate")],
)
def test_describe_projection(lower_pi, upper_pi, rate, expected):
    projected = pd.DataFrame({"year": [2030], "rate": [rate], "lower_pi": [lower_pi],
                              "upper_pi": [upper_pi]})
    bench = pd.Series({"rate": 3.9, "period": "2021-23"})
    text = im.describe_projection(projected, "Stoke-on-Trent", bench, "England", "2006-2023")
    assert text.startswith("If the 2006-2023 trend continues, Stoke-on-Trent's rate in 2030")
    assert "against England's 3.9 in 2021-23" in text
    assert expected in text


def test_deaths_to_match_the_published_stoke_gap():
    # published: 7.5 per 1,000 in 2017-19 against England's 3.9; about 3,300 births a year
    births = 3 * 3300
    row = pd.Series({"live_births": births, "infant_deaths": 7.5 * births / 1000,
                     "lower": 5.9, "upper": 9.5})
    need = im.deaths_to_match(row, 3.9, pool=3)
    assert need["births_per_year"] == pytest.approx(3300)
    assert need["deaths_per_year"] == pytest.approx(24.75)
    assert need["target_deaths_per_year"] == pytest.approx(12.87)
    assert need["fewer_deaths_per_year"] == pytest.approx((7.5 - 3.9) * 3.3)
    assert need["fewer_lower"] == pytest.approx((5.9 - 3.9) * 3.3)
    assert need["fewer_upper"] == pytest.approx((9.5 - 3.9) * 3.3)
    text = im.describe_deaths_to_match(need, "Stoke-on-Trent", "2017-19", "England", 3.9)
    assert "about 11.9 fewer infant deaths a year: from 24.8 to 12.9 a year" in text
    assert "about 3,300 live births a year" in text
    assert "between 6.6 and 18.5 deaths a year." in text


def test_deaths_to_match_when_already_below():
    row = pd.Series({"live_births": 3000, "infant_deaths": 9, "lower": 1.4, "upper": 5.7})
    need = im.deaths_to_match(row, 3.9, pool=3)
    assert need["fewer_deaths_per_year"] == 0 and need["fewer_lower"] == 0
    assert need["fewer_upper"] == pytest.approx(5.7 - 3.9)
    assert "already at or below" in im.describe_deaths_to_match(need, "Stafford", "2021-23",
                                                                "England", 3.9)
    with pytest.raises(ValueError, match="pool"):
        im.deaths_to_match(row, 3.9, pool=0)
    with pytest.raises(ValueError, match="benchmark_rate"):
        im.deaths_to_match(row, np.nan, pool=3)


def test_deaths_to_match_says_when_the_gap_may_be_chance():
    row = pd.Series({"live_births": 3000, "infant_deaths": 14, "lower": 2.6, "upper": 7.8})
    text = im.describe_deaths_to_match(im.deaths_to_match(row, 3.9, 3), "Tamworth", "2021-23",
                                       "England", 3.9)
    assert "may be chance alone" in text


# ----------------------------------------------------------------------------------------------
# deprivation


def quintile_counts(code: str, births, deaths, years=(2019, 2020, 2021, 2022, 2023)):
    rows = [(code, y, q + 1, b, d) for y in years
            for q, (b, d) in enumerate(zip(births, deaths, strict=True))]
    return pd.DataFrame(rows, columns=["area_code", "year", "imd_quintile", "live_births",
                                       "infant_deaths"])


def test_deprivation_area_for_districts(geography):
    data = quintile_counts(STAFFS, [100] * 5, [1] * 5)
    assert im.deprivation_area(data, geography, STAFFS) == (STAFFS, "")
    code, note = im.deprivation_area(data, geography, CANNOCK)
    assert code == STAFFS
    assert "no deprivation-quintile figures for Cannock Chase" in note
    assert "for Staffordshire as a whole" in note
    assert im.deprivation_area(data, geography, STOKE)[0] is None


def test_deprivation_rates_and_the_sii(geography):
    births = [2000, 1800, 1600, 1400, 1200]
    deaths = [16, 11, 8, 6, 4]
    data = quintile_counts(STAFFS, births, deaths)
    rates = im.deprivation_rates(data, geography, [STAFFS], 2019, 2023)
    assert rates["period"].iloc[0] == "2019-23"
    assert rates["live_births"].tolist() == [5 * b for b in births]
    assert rates["infant_deaths"].tolist() == [5 * d for d in deaths]
    index = im.inequality(rates)
    direct = stats.sii([1, 2, 3, 4, 5], rates["live_births"], rates["rate"],
                       lower=rates["lower"], upper=rates["upper"], value_type="rate")
    assert index["sii"] == pytest.approx(-direct["sii"])
    # the same simulated draws, negated: the limits are neighbouring order statistics
    assert index["sii_lower"] == pytest.approx(-direct["sii_upper"], rel=1e-4)
    assert index["rii"] == pytest.approx(1 / direct["rii"])
    assert index["sii"] > 0 and index["rii"] > 1  # higher in the most deprived
    # the fitted line of the chart is the same regression: its end-to-end drop is the SII
    fitted = im.fitted_gradient(rates)
    slope = fitted["value"].iloc[0] - fitted["value"].iloc[-1]
    share = rates["live_births"] / rates["live_births"].sum()
    rank = share.cumsum() - share / 2
    assert slope / (rank.iloc[-1] - rank.iloc[0]) == pytest.approx(index["sii"])
    text = im.describe_inequality(rates, index)
    assert "most deprived quintile" in text and "significantly more common" in text
    with pytest.raises(ValueError, match="do not cover"):
        im.deprivation_rates(data, geography, [STAFFS], 2015, 2023)


def test_sii_is_not_calculated_from_a_suppressed_quintile(geography):
    data = quintile_counts(STOKE, [4000, 2000, 1000, 400, 60], [30, 12, 6, 2, 0])
    rates = im.deprivation_rates(data, geography, [STOKE], 2019, 2023)
    assert rates["rate"].isna().iloc[-1]
    index = im.inequality(rates)
    assert index.isna().all()
    assert "cannot be calculated" in im.describe_inequality(rates, index)


def test_inequality_period_widens_when_a_quintile_is_too_small():
    recent = quintile_counts(STOKE, [4000, 2000, 1000, 400, 60], [30, 12, 6, 2, 0])
    early = quintile_counts(STOKE, [4000, 2000, 1000, 400, 60], [30, 12, 6, 2, 1],
                            years=(2016, 2017, 2018))
    data = pd.concat([early, recent])
    assert im.inequality_period(data, STOKE, 2016, 2023, pool=5)[:2] == (2016, 2023)
    assert "compared over every year from 2016 to 2023" in im.inequality_period(
        data, STOKE, 2016, 2023, pool=5)[2]
    plenty = quintile_counts(STAFFS, [100] * 5, [1] * 5, years=range(2016, 2024))
    assert im.inequality_period(plenty, STAFFS, 2016, 2023, pool=5) == (2019, 2023, "")


def test_deprivation_adjusted_by_hand(geography):
    local = quintile_counts(STOKE, [600, 200, 100, 60, 40], [7, 1, 1, 0, 0], years=[2023])
    england = quintile_counts(ENGLAND, [1000] * 5, [6, 5, 4, 3, 2], years=[2023])
    rates = im.deprivation_rates(pd.concat([local, england]), geography, [STOKE, ENGLAND],
                                 2023, 2023)
    adjusted = im.deprivation_adjusted(rates, STOKE, ENGLAND)
    expected = 600 * 0.006 + 200 * 0.005 + 100 * 0.004 + 60 * 0.003 + 40 * 0.002  # 5.26
    crude = 1000 * 20 / 5000  # 4.0
    assert adjusted["observed"] == 9
    assert adjusted["expected_adjusted"] == pytest.approx(expected)
    assert adjusted["expected_crude"] == pytest.approx(crude)
    assert adjusted["ratio"] == pytest.approx(9 / expected)
    assert adjusted["share_explained"] == pytest.approx((expected - crude) / (9 - crude))  # 0.252
    lower, upper = stats.exact_poisson_ci(9)
    assert adjusted["ratio_lower"] == pytest.approx(lower / expected)
    assert adjusted["ratio_upper"] == pytest.approx(upper / expected)
    text = im.describe_deprivation_adjusted(adjusted, "Stoke-on-Trent", "England", "2023")
    assert "deprivation mix accounts for about 25% of the gap" in text
    assert "in line with England's rates" in text


# ----------------------------------------------------------------------------------------------
# published figures


def test_published_points_only_for_periods_on_the_chart(geography):
    published = synthetic_inputs(geography).published
    table = im.published_table(published, STOKE)
    assert table["Period"].tolist() == ["2017-19", "not stated"]
    points = im.published_points(published, STOKE, ["2016-18", "2017-19"])
    assert points.to_dict("list") == {
        "x": ["2017-19"], "value": [7.5],
        "label": ["Stoke-on-Trent Room to Grow progress report 2020-21"]}
    text = im.describe_published(table, points, "Stoke-on-Trent")
    assert "1 is drawn on the chart as a black diamond" in text
    assert "6.7 (not stated)" in text
    seed_unit = published.assign(unit="per 1000 live births")
    assert len(im.published_table(seed_unit, STOKE)) == 2
    assert "No published" in im.describe_published(im.published_table(published, CANNOCK),
                                                   points.iloc[:0], "Cannock Chase")


# ----------------------------------------------------------------------------------------------
# the whole page


@pytest.mark.parametrize("area", [STOKE, STAFFS, CANNOCK])
def test_analyse_and_page_elements(geography, area):
    inputs = synthetic_inputs(geography)
    results = im.analyse(inputs, area)
    assert results.first_year == 2006 and results.last_year == 2023
    assert set(results.pooled["area_code"]) == {area, REGION, ENGLAND}
    assert results.latest["period"] == "2021-23"
    assert results.projected["year"].iloc[-1] == 2030
    if area == CANNOCK:
        assert results.deprivation_code == STAFFS
        assert "Cannock Chase, a district" in im.deprivation_text(results)
    else:
        assert results.deprivation_code == area
    messages = im.key_messages(results)
    assert messages.startswith("- **2021-23:**") and messages.count("\n- ") >= 3
    for make in (im.pooled_figure, im.projection_figure, im.deprivation_figure):
        parts = make(results)
        ax = parts["fig"].axes[0]
        assert ax.get_title() and "per 1,000 live births" in ax.get_ylabel()
        assert ax.get_xlabel()
        assert parts["alt"].strip() and parts["caption"].strip() and not parts["data"].empty
    for make in (im.pooled_table, im.annual_table, im.deprivation_table):
        parts = make(results)
        assert {"data", "caption", "name", "formats"} <= set(parts)
    assert im.gap_text(results).count("\n\n") == 2
    assert "fewer infant deaths" in im.target_text(results) or "already" in im.target_text(
        results)


def test_analyse_checks_its_arguments(geography):
    inputs = synthetic_inputs(geography)
    with pytest.raises(ValueError, match="not an area code"):
        im.analyse(inputs, "E99999999")
    with pytest.raises(ValueError, match="must be different"):
        im.analyse(inputs, ENGLAND)
    with pytest.raises(ValueError, match="confidence"):
        im.analyse(inputs, STOKE, confidence=0.5)


def test_analyse_with_a_shorter_span_and_pool(geography):
    results = im.analyse(synthetic_inputs(geography), STOKE, first_year=2010, last_year=2019,
                         pool=5, to_year=2025, confidence=99.8)
    assert results.pooled["period"].iloc[0] == "2010-14"
    assert results.latest["period"] == "2015-19"
    assert results.projected["year"].tolist() == list(range(2020, 2026))
    assert results.fit.confidence == pytest.approx(0.998)
    assert "99.8% CI" in im.key_messages(results)


def test_template_and_runs(geography):
    template = REPO / "notebooks" / "infant_mortality.ipynb"
    parameters = template_parameters(template)
    assert {"area_code", "comparator", "first_year", "last_year", "pool_years", "confidence",
            "data_dir"} <= set(parameters)
    assert parameters["data_dir"] == "../data" and parameters["confidence"] == 0.95
    first = nbformat.read(template, as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    runs = yaml.safe_load((REPO / "notebooks" / "runs.yml").read_text(encoding="utf-8"))
    entries = [r for r in runs["runs"] if r["template"] == "infant_mortality.ipynb"]
    assert len(entries) == 1 and entries[0]["foreach_area"] == "home_authorities"  # no district series
    assert set(im.FILES) <= set(entries[0]["reads"])


def test_models_trend_is_what_the_chapter_uses():
    data = series(STOKE, 3300, 7, 0.97)
    ours = im.trend(data, STOKE)
    direct = models.poisson_trend(data[["year", "live_births", "infant_deaths"]].astype(float),
                                  "infant_deaths", "live_births")
    assert ours.ratio == pytest.approx(direct.ratio) == pytest.approx(0.97)
