"""Tests of jsnalib.chapters.infant_mortality: rates, small numbers, readings, deprivation, the page.

Oracles: the national package's rate table (../shared/reference/phe/phe_rate.csv, skipped when
absent), the published local figures (Stoke-on-Trent 7.5 against England's 3.9 per 1,000 in
2017-19 with about 3,300 births a year), hand-worked sums, and exact log-linear series whose
trend is known.
"""

from __future__ import annotations

import dataclasses
import importlib
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

#: the chapter's modules (the package's names ``load`` and ``analyse`` are its functions)
an = importlib.import_module("jsnalib.chapters.infant_mortality.analyse")
loader = importlib.import_module("jsnalib.chapters.infant_mortality.load")
text, figures = im.text, im.figures

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


def synthetic_inputs(geography: Geography, area: str = STOKE, seed: int = 11) -> im.Inputs:
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
    return im.Inputs(geography, area, pd.concat(frames, ignore_index=True), deprivation,
                     published)


@pytest.fixture(scope="module")
def base(geography) -> im.Results:
    """Stoke-on-Trent's results from the synthetic inputs: the text tests replace fields."""
    return im.analyse(synthetic_inputs(geography))


def latest_row(results: im.Results, row: pd.Series) -> im.Results:
    """``results`` with ``row`` as the latest pooled rate (and its status)."""
    return dataclasses.replace(results, latest=row, latest_status=an.rate_status(row),
                               comparator_name="England")


# ----------------------------------------------------------------------------------------------
# rates and small numbers


def test_rates_match_the_national_package_table():
    path = PHE / "phe_rate.csv"
    if not path.exists():
        pytest.skip("national test table phe_rate.csv not available beside the repository")
    table = pd.read_csv(path, encoding="utf-8-sig")
    frame = pd.DataFrame({"infant_deaths": table["Numerator"], "live_births": table["Denominator"]})
    result = an.add_rates(frame)
    scale = 1000 / table["multiplier"]
    published = frame["infant_deaths"] >= an.SUPPRESS_BELOW
    assert published.any() and (~published).any()
    for ours, theirs in (("rate", "value"), ("lower", "lower95_0cl"), ("upper", "upper95_0cl")):
        np.testing.assert_allclose(result.loc[published, ours],
                                   (table[theirs] * scale)[published], rtol=1e-9)
    assert result.loc[~published, ["rate", "lower", "upper"]].isna().all().all()


@pytest.mark.parametrize(
    ("deaths", "births", "note", "shown"),
    [
        (0, 1000, an.NOTE_SUPPRESSED, False),
        (2, 1000, an.NOTE_SUPPRESSED, False),
        (3, 1000, an.NOTE_EXACT, True),
        (9, 1000, an.NOTE_EXACT, True),
        (10, 1000, "", True),
        (np.nan, 1000, an.NOTE_MISSING, False),
        (5, np.nan, an.NOTE_MISSING, False),
    ],
)
def test_small_numbers_follow_the_phe_convention(deaths, births, note, shown):
    row = an.add_rates(pd.DataFrame({"infant_deaths": [deaths], "live_births": [births]})).iloc[0]
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
    pooled = an.rates(data, geography, [STOKE, ENGLAND], pool=3)
    assert pooled["period"].tolist() == ["2017-19", "2018-20", "2017-19", "2018-20"]
    assert pooled["area_name"].tolist()[:2] == ["Stoke-on-Trent"] * 2
    first = pooled.iloc[0]
    assert (first["live_births"], first["infant_deaths"]) == (9900, 74)
    assert first["rate"] == pytest.approx(74 / 9900 * 1000)
    assert list(pooled.columns) == an.RATE_COLUMNS
    single = an.rates(data, geography, [STOKE], pool=1)
    assert single["period"].tolist() == ["2017", "2018", "2019", "2020"]


def test_rates_need_data_for_every_area(geography):
    data = counts([(STOKE, 2019, 3300, 25)])
    with pytest.raises(ValueError, match="no rows for E92000001"):
        an.rates(data, geography, [STOKE, ENGLAND])
    with pytest.raises(ValueError, match="list of area codes"):
        an.rates(data, geography, STOKE)


@pytest.mark.parametrize(
    ("local_deaths", "expected"),
    [(74, "worse"), (40, "similar"), (20, "better")],
)
def test_compare_with_england_lower_is_better(geography, local_deaths, expected):
    data = counts([(STOKE, 2019, 9900, local_deaths), (ENGLAND, 2019, 1_880_000, 7330)])
    compared = an.compare_with(an.rates(data, geography, [STOKE, ENGLAND]), ENGLAND)
    assert compared["compared"].tolist() == [expected, "benchmark"]
    assert compared["benchmark_rate"].iloc[0] == pytest.approx(7330 / 1_880_000 * 1000)
    with pytest.raises(ValueError, match="benchmark"):
        an.compare_with(compared[compared["area_code"] == STOKE], ENGLAND)


def test_describe_rate_states_counts_interval_and_comparison(geography, base):
    data = counts([(STOKE, 2019, 9900, 74), (ENGLAND, 2019, 1_880_000, 7330),
                   (CANNOCK, 2019, 1000, 2), (CANNOCK, 2020, 1000, 6)])
    compared = an.compare_with(an.rates(data, geography, [STOKE, CANNOCK, ENGLAND]), ENGLAND)
    text = im.text.rate(latest_row(base, compared.iloc[0]))
    lower, upper = stats.rate_ci(74, 9900, multiplier=1000)
    assert "74 babies died" in text and "9,900 live births" in text
    assert f"7.5 per 1,000 live births (95% CI {lower:.1f} to {upper:.1f})" in text
    assert "significantly higher (worse) than England's 3.9" in text
    suppressed = im.text.rate(latest_row(base, compared.iloc[1]))
    assert "not published" in suppressed and "fewer than 3 deaths" in suppressed
    assert "treat it with caution" in im.text.rate(latest_row(base, compared.iloc[2]))


def test_select_years_and_confidence_labels():
    data = series(STOKE, 3300, 7)
    assert an.select_years(data, 2010, 2012)["year"].tolist() == [2010, 2011, 2012]
    assert len(an.select_years(data)) == YEARS.size
    with pytest.raises(ValueError, match="must not be after"):
        an.select_years(data, 2015, 2010)
    with pytest.raises(ValueError, match="no data between"):
        an.select_years(data, 2030, None)
    with pytest.raises(ValueError, match="whole-number year"):
        an.select_years(data, 2010.5)
    assert text.ci_label(0.95) == "95% CI"
    assert text.ci_label(99.8) == "99.8% CI"
    with pytest.raises(ValueError, match="confidence"):
        text.ci_label(0.5)


# ----------------------------------------------------------------------------------------------
# trend, gap, projection and what it would take


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(0.95, "fell by 5.0% a year on average"), (1.03, "rose by 3.0% a year on average"),
     (1.0, "there is no clear trend")],
)
def test_describe_trend(base, ratio, expected):
    data = series(STOKE, 3300, 7, ratio)
    if ratio == 1.0:  # a flat series with noise: no clear trend
        data["infant_deaths"] = np.random.default_rng(1).poisson(23.1, YEARS.size).astype(float)
    fit = an.trend(data, STOKE)
    words = text.trend(dataclasses.replace(base, fit=fit, trend=an.trend_verdict(fit),
                                           first_year=2006, last_year=2023))
    assert words.startswith("Between 2006 and 2023")
    assert expected in words
    assert "95% CI" in words


def test_describe_model_names_the_model_and_why(base):
    rng = np.random.default_rng(4)
    noisy = series(STOKE, 3300, 7, 0.98)
    poisson = noisy.assign(infant_deaths=rng.poisson(noisy["infant_deaths"]).astype(float))
    assert "Poisson model" in text.model(dataclasses.replace(base, fit=an.trend(poisson, STOKE)))
    mixed = noisy["infant_deaths"] * rng.gamma(1 / 0.08, 0.08, YEARS.size)
    overdispersed = noisy.assign(infant_deaths=rng.poisson(mixed).astype(float))
    fit = an.trend(overdispersed, STOKE)
    assert fit.family == "negative binomial"
    words = text.model(dataclasses.replace(base, fit=fit))
    assert "negative binomial" in words and "more than chance" in words


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
def test_describe_gap(base, local_ratio, local_rate, expected):
    data = pd.concat([series(STOKE, 20000, local_rate, local_ratio),
                      series(ENGLAND, 600000, 4.0, 0.99)])
    result = an.gap(data, STOKE, ENGLAND)
    movement = an.gap_movement(result, an.is_higher(data, STOKE, ENGLAND))
    words = text.gap(dataclasses.replace(base, gap=result, gap_trend=an.gap_verdict(result),
                                         gap_movement=movement))
    assert expected in words


def test_projection_uses_recent_births_and_the_fitted_trend():
    data = series(STOKE, 3300, 7, 0.97)
    data.loc[data["year"] >= 2021, "live_births"] = [3000.0, 3100.0, 3200.0]
    data["infant_deaths"] = data["live_births"] * 0.007 * 0.97 ** (data["year"] - 2006)
    fit = an.trend(data, STOKE)
    projected = an.projection(fit, data, STOKE, to_year=2030, pool=3)
    assert projected["year"].tolist() == list(range(2024, 2031))
    assert (projected["births"] == 3100).all()
    np.testing.assert_allclose(projected["rate"], 7 * 0.97 ** (projected["year"] - 2006),
                               rtol=1e-8)
    with pytest.raises(ValueError, match="after the last year"):
        an.projection(fit, data, STOKE, to_year=2023)


@pytest.mark.parametrize(
    ("lower_pi", "upper_pi", "rate", "expected"),
    [(2.0, 3.5, 2.8, "would be below England's current rate"),
     (4.5, 9.0, 6.0, "would not bring it down to England's"),
     (3.0, 8.0, 5.0, "stays above England's current rate"),
     (1.0, 6.0, 3.5, "at or below England's current rate"),
     (2.0, 6.0, 3.92, "about the same as England's current rate")],
)
def test_describe_projection(base, lower_pi, upper_pi, rate, expected):
    projected = pd.DataFrame({"year": [2030], "rate": [rate], "lower_pi": [lower_pi],
                              "upper_pi": [upper_pi]})
    bench = pd.Series({"rate": 3.9, "period": "2021-23"})
    results = dataclasses.replace(base, projected=projected, benchmark_latest=bench,
                                  projection=an.projection_verdict(projected, 3.9),
                                  first_year=2006, last_year=2023, fit_quality="adequate")
    words = text.projection(results)
    assert words.startswith("If the 2006-2023 trend continues, Stoke-on-Trent's rate in 2030")
    assert "against England's 3.9 in 2021-23" in words
    assert expected in words


def matching(base: im.Results, need: pd.Series, area: str, period: str, bench: float
             ) -> im.Results:
    """``base`` with ``need`` for ``area`` against England's ``bench`` in ``period``."""
    return dataclasses.replace(base, need=need, need_verdict=an.need_verdict(need),
                               area_name=area, latest=pd.Series({"period": period}),
                               benchmark_latest=pd.Series({"rate": bench, "period": period}),
                               comparator_name="England")


def test_deaths_to_match_the_published_stoke_gap(base):
    # published: 7.5 per 1,000 in 2017-19 against England's 3.9; about 3,300 births a year
    births = 3 * 3300
    row = pd.Series({"live_births": births, "infant_deaths": 7.5 * births / 1000,
                     "lower": 5.9, "upper": 9.5})
    need = an.deaths_to_match(row, 3.9, pool=3)
    assert need["births_per_year"] == pytest.approx(3300)
    assert need["deaths_per_year"] == pytest.approx(24.75)
    assert need["target_deaths_per_year"] == pytest.approx(12.87)
    assert need["fewer_deaths_per_year"] == pytest.approx((7.5 - 3.9) * 3.3)
    assert need["fewer_lower"] == pytest.approx((5.9 - 3.9) * 3.3)
    assert need["fewer_upper"] == pytest.approx((9.5 - 3.9) * 3.3)
    words = text.deaths_to_match(matching(base, need, "Stoke-on-Trent", "2017-19", 3.9))
    assert "about 11.9 fewer infant deaths a year: from 24.8 to 12.9 a year" in words
    assert "about 3,300 live births a year" in words
    assert "between 6.6 and 18.5 deaths a year." in words


def test_deaths_to_match_when_already_below(base):
    row = pd.Series({"live_births": 3000, "infant_deaths": 9, "lower": 1.4, "upper": 5.7})
    need = an.deaths_to_match(row, 3.9, pool=3)
    assert need["fewer_deaths_per_year"] == 0 and need["fewer_lower"] == 0
    assert need["fewer_upper"] == pytest.approx(5.7 - 3.9)
    assert "already at or below" in text.deaths_to_match(
        matching(base, need, "Stafford", "2021-23", 3.9))
    with pytest.raises(ValueError, match="pool"):
        an.deaths_to_match(row, 3.9, pool=0)
    with pytest.raises(ValueError, match="benchmark_rate"):
        an.deaths_to_match(row, np.nan, pool=3)


def test_deaths_to_match_says_when_the_gap_may_be_chance(base):
    row = pd.Series({"live_births": 3000, "infant_deaths": 14, "lower": 2.6, "upper": 7.8})
    need = an.deaths_to_match(row, 3.9, 3)
    assert an.need_verdict(need) == "may be chance"
    assert "may be chance alone" in text.deaths_to_match(
        matching(base, need, "Tamworth", "2021-23", 3.9))


# ----------------------------------------------------------------------------------------------
# deprivation


def quintile_counts(code: str, births, deaths, years=(2019, 2020, 2021, 2022, 2023)):
    rows = [(code, y, q + 1, b, d) for y in years
            for q, (b, d) in enumerate(zip(births, deaths, strict=True))]
    return pd.DataFrame(rows, columns=["area_code", "year", "imd_quintile", "live_births",
                                       "infant_deaths"])


def deprivation_results(base: im.Results, rates: pd.DataFrame, code: str, **fields) -> im.Results:
    """``base`` showing the quintile ``rates`` of ``code`` (no comparator quintiles)."""
    index = an.inequality(rates[rates["area_code"] == code])
    return dataclasses.replace(base, quintiles=rates, deprivation_code=code, sii=index,
                               gradient=an.gradient_verdict(index), confidence=0.95,
                               **{"deprivation_source": "own", "inequality_widened_from": None,
                                  "adjusted": None, **fields})


def test_deprivation_area_for_districts(geography, base):
    data = quintile_counts(STAFFS, [100] * 5, [1] * 5)
    assert an.deprivation_area(data, geography, STAFFS) == (STAFFS, "own")
    code, source = an.deprivation_area(data, geography, CANNOCK)
    assert (code, source) == (STAFFS, "county")
    assert an.deprivation_area(data, geography, STOKE) == (None, "none")
    rates = an.deprivation_rates(data, geography, [STAFFS], 2019, 2023)
    note = text.deprivation_source(dataclasses.replace(
        deprivation_results(base, rates, STAFFS), area_name="Cannock Chase",
        deprivation_source="county"))
    assert "no deprivation-quintile figures for Cannock Chase" in note
    assert "for Staffordshire as a whole" in note
    assert text.deprivation_source(deprivation_results(base, rates, STAFFS)) == ""


def test_deprivation_rates_and_the_sii(geography, base):
    births = [2000, 1800, 1600, 1400, 1200]
    deaths = [16, 11, 8, 6, 4]
    data = quintile_counts(STAFFS, births, deaths)
    rates = an.deprivation_rates(data, geography, [STAFFS], 2019, 2023)
    assert rates["period"].iloc[0] == "2019-23"
    assert rates["live_births"].tolist() == [5 * b for b in births]
    assert rates["infant_deaths"].tolist() == [5 * d for d in deaths]
    index = an.inequality(rates)
    direct = stats.sii([1, 2, 3, 4, 5], rates["live_births"], rates["rate"],
                       lower=rates["lower"], upper=rates["upper"], value_type="rate")
    assert index["sii"] == pytest.approx(-direct["sii"])
    # the same simulated draws, negated: the limits are neighbouring order statistics
    assert index["sii_lower"] == pytest.approx(-direct["sii_upper"], rel=1e-4)
    assert index["rii"] == pytest.approx(1 / direct["rii"])
    assert index["sii"] > 0 and index["rii"] > 1  # higher in the most deprived
    # the fitted line of the chart is the same regression: its end-to-end drop is the SII
    fitted = an.fitted_gradient(rates)
    slope = fitted["value"].iloc[0] - fitted["value"].iloc[-1]
    share = rates["live_births"] / rates["live_births"].sum()
    rank = share.cumsum() - share / 2
    assert slope / (rank.iloc[-1] - rank.iloc[0]) == pytest.approx(index["sii"])
    words = text.inequality(deprivation_results(base, rates, STAFFS))
    assert "most deprived quintile" in words and "significantly more common" in words
    with pytest.raises(ValueError, match="do not cover"):
        an.deprivation_rates(data, geography, [STAFFS], 2015, 2023)


def test_sii_is_not_calculated_from_a_suppressed_quintile(geography, base):
    data = quintile_counts(STOKE, [4000, 2000, 1000, 400, 60], [30, 12, 6, 2, 0])
    rates = an.deprivation_rates(data, geography, [STOKE], 2019, 2023)
    assert rates["rate"].isna().iloc[-1]
    index = an.inequality(rates)
    assert index.isna().all()
    assert an.gradient_verdict(index) == "suppressed"
    assert "cannot be calculated" in text.inequality(deprivation_results(base, rates, STOKE))


def test_inequality_period_widens_when_a_quintile_is_too_small(base):
    recent = quintile_counts(STOKE, [4000, 2000, 1000, 400, 60], [30, 12, 6, 2, 0])
    early = quintile_counts(STOKE, [4000, 2000, 1000, 400, 60], [30, 12, 6, 2, 1],
                            years=(2016, 2017, 2018))
    data = pd.concat([early, recent])
    assert an.inequality_period(data, STOKE, 2016, 2023, pool=5)[:2] == (2016, 2023)
    widened_from = an.inequality_period(data, STOKE, 2016, 2023, pool=5)[2]
    assert widened_from == 2019
    note = text.deprivation_source(dataclasses.replace(
        base, deprivation_source="own", inequality_widened_from=widened_from, first_year=2016,
        last_year=2023))
    assert note.startswith("Over 2019-23 at least one deprivation quintile had fewer than 3")
    assert "compared over every year from 2016 to 2023" in note
    plenty = quintile_counts(STAFFS, [100] * 5, [1] * 5, years=range(2016, 2024))
    assert an.inequality_period(plenty, STAFFS, 2016, 2023, pool=5) == (2019, 2023, None)


def test_deprivation_adjusted_by_hand(geography, base):
    local = quintile_counts(STOKE, [600, 200, 100, 60, 40], [7, 1, 1, 0, 0], years=[2023])
    england = quintile_counts(ENGLAND, [1000] * 5, [6, 5, 4, 3, 2], years=[2023])
    rates = an.deprivation_rates(pd.concat([local, england]), geography, [STOKE, ENGLAND],
                                 2023, 2023)
    adjusted = an.deprivation_adjusted(rates, STOKE, ENGLAND)
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
    mix, verdict = an.adjusted_verdicts(adjusted)
    assert (mix, verdict) == ("explains", "similar")
    words = text.adjusted(deprivation_results(base, rates, STOKE, comparator_name="England",
                                              adjusted=adjusted, deprivation_mix=mix,
                                              adjusted_verdict=verdict))
    assert words.startswith("In 2023, Stoke-on-Trent had 9 infant deaths.")
    assert "deprivation mix accounts for about 25% of the gap" in words
    assert "in line with England's rates" in words


# ----------------------------------------------------------------------------------------------
# published figures


def test_published_points_only_for_periods_on_the_chart(geography, base):
    published = synthetic_inputs(geography).published
    table = an.published_table(published, STOKE)
    assert table["period"].tolist() == ["2017-19", "not stated"]
    points = an.published_points(published, STOKE, ["2016-18", "2017-19"])
    assert points.to_dict("list") == {
        "x": ["2017-19"], "value": [7.5],
        "label": ["Stoke-on-Trent Room to Grow progress report 2020-21"]}
    words = text.published(dataclasses.replace(base, published=table, published_points=points))
    assert "1 is drawn on the chart as a black diamond" in words
    assert "6.7 (not stated)" in words
    seed_unit = published.assign(unit="per 1000 live births")
    assert len(an.published_table(seed_unit, STOKE)) == 2
    assert "No published" in text.published(dataclasses.replace(
        base, area_name="Cannock Chase", published=an.published_table(published, CANNOCK),
        published_points=points.iloc[:0]))


# ----------------------------------------------------------------------------------------------
# the whole page


@pytest.mark.parametrize("area", [STOKE, STAFFS, CANNOCK])
def test_analyse_and_page_elements(geography, area, monkeypatch):
    inputs = synthetic_inputs(geography, area)
    results = im.analyse(inputs)
    assert results.first_year == 2006 and results.last_year == 2023
    assert set(results.pooled["area_code"]) == {area, REGION, ENGLAND}
    assert results.latest["period"] == "2021-23"
    assert results.projected["year"].iloc[-1] == 2030
    if area == CANNOCK:
        assert results.deprivation_code == STAFFS
        assert results.deprivation_source == "county"
        assert "Cannock Chase, a district" in text.deprivation_section(results)
    else:
        assert results.deprivation_code == area
    messages = text.key_messages(results)
    assert messages.startswith("- **2021-23:**") and messages.count("\n- ") >= 3
    # what each figure and table hands to jsnalib.report.display
    passed = []
    monkeypatch.setattr(figures.display, "figure", lambda fig, **kw: passed.append(
        {"fig": fig, **kw}) or "figure")
    monkeypatch.setattr(figures.display, "table", lambda data, **kw: passed.append(
        {"data": data, **kw}) or "table")
    for make in (figures.pooled_chart, figures.projection_chart, figures.deprivation_chart):
        assert make(results) == "figure"
        parts = passed.pop()
        ax = parts["fig"].axes[0]
        assert ax.get_title() and "per 1,000 live births" in ax.get_ylabel()
        assert ax.get_xlabel()
        assert parts["alt"].strip() and parts["caption"].strip() and not parts["data"].empty
    for make in (figures.pooled_table, figures.annual_table, figures.deprivation_table):
        assert make(results) == "table"
        parts = passed.pop()
        assert {"data", "caption", "name", "formats"} <= set(parts)
        assert set(parts["formats"]) <= set(parts["data"].columns)
    trend_words = text.trend_section(results)
    assert trend_words.count("\n\n") == 1
    for jargon in ("dispersion", "rate ratio", "p = ", "p < ", "Poisson", "binomial"):
        assert jargon not in trend_words, jargon
    assert "Pearson dispersion" in text.about_method(results)
    assert "ratio of annual rate ratios" in text.about_method(results)
    target = text.target_section(results)
    assert "fewer infant deaths" in target or "already" in target


def test_analyse_checks_its_arguments(geography):
    with pytest.raises(ValueError, match="not an area code"):
        im.analyse(synthetic_inputs(geography, "E99999999"))
    with pytest.raises(ValueError, match="must be different"):
        im.analyse(synthetic_inputs(geography, ENGLAND))
    with pytest.raises(ValueError, match="not an area code"):
        im.analyse(synthetic_inputs(geography), comparator="E99999999")
    with pytest.raises(ValueError, match="confidence"):
        im.analyse(synthetic_inputs(geography), confidence=0.5)
    with pytest.raises(ValueError, match="not an area code"):
        im.load(REPO / "data", "E99999999")


def test_analyse_with_a_shorter_span_and_pool(geography):
    results = im.analyse(synthetic_inputs(geography), first_year=2010, last_year=2019,
                         pool=5, to_year=2025, confidence=99.8)
    assert results.pooled["period"].iloc[0] == "2010-14"
    assert results.latest["period"] == "2015-19"
    assert results.projected["year"].tolist() == list(range(2020, 2026))
    assert results.fit.confidence == pytest.approx(0.998)
    assert "99.8% CI" in text.key_messages(results)


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
    ours = an.trend(data, STOKE)
    direct = models.poisson_trend(data[["year", "live_births", "infant_deaths"]].astype(float),
                                  "infant_deaths", "live_births")
    assert ours.ratio == pytest.approx(direct.ratio) == pytest.approx(0.97)


# ----------------------------------------------------------------------------------------------
# the chapter's shape: numbers and verdicts in, words from the phrase table, one notebook idiom

#: Every word analyse may put in a verdict field (None: the verdict does not apply).
VERDICTS = {
    "latest_status": {"published", "few deaths", "suppressed", "not available"},
    "trend": {"falling", "rising", "no clear change"},
    "fit_quality": {"poor fit", "adequate"},
    "gap_trend": {"narrowing", "widening", "no clear change"},
    "gap_movement": {"down towards", "further above", "up towards", "further below", None},
    "projection": {"below", "above", "about the same", "central above", "central at or below"},
    "need_verdict": {"at or below", "may be chance", "beyond chance", "limits not available"},
    "deprivation_source": {"own", "county", "none", "synthetic"},
    "gradient": {"higher", "lower", "no clear gradient", "suppressed"},
    "england_gradient": {"higher", "lower", "no clear gradient", "suppressed"},
    "deprivation_mix": {"explains", "does not explain", "no gap", None},
    "adjusted_verdict": {"higher", "lower", "similar", None},
}


@pytest.mark.parametrize("area", [STOKE, STAFFS, CANNOCK])
def test_analyse_returns_numbers_and_verdicts_not_sentences(geography, area):
    results = im.analyse(synthetic_inputs(geography, area))
    names = {"area_code", "area_name", "comparator", "comparator_name", "deprivation_code"}
    for field in dataclasses.fields(results):
        value = getattr(results, field.name)
        if field.name in VERDICTS:
            assert value in VERDICTS[field.name], (field.name, value)
        elif isinstance(value, str):
            assert field.name in names, f"{field.name} holds text: {value!r}"
        assert not (isinstance(value, str) and value.endswith(".")), field.name
    assert {f.name for f in dataclasses.fields(results) if f.type in ("str", "str | None")} \
        <= names | set(VERDICTS)


def test_every_verdict_has_words():
    assert set(text.TREND) == VERDICTS["trend"]
    assert set(text.PHRASES["trend_short"]) == VERDICTS["trend"]
    assert set(text.PHRASES["movement"]) == VERDICTS["gap_movement"] - {None}
    assert set(text.PHRASES["projection"]) == VERDICTS["projection"]
    assert set(text.PHRASES["gradient"]) == VERDICTS["gradient"] - {"suppressed"}
    assert set(text.MIX) == VERDICTS["deprivation_mix"] - {None}
    assert set(text.PHRASES["adjusted"]) == VERDICTS["adjusted_verdict"] - {None}
    assert set(text.SOURCE) == VERDICTS["deprivation_source"] - {"own"}
    assert set(text.PHRASES["not_published_why"]) == {"suppressed", "not available"}


def test_wording_comes_from_the_phrase_table(base, monkeypatch):
    verdict = base.latest["compared"]
    assert verdict in ("worse", "similar", "better")
    assert text.PHRASES["compared_short"][verdict] in text.key_messages(base)
    assert text.PHRASES["compared"][verdict] in text.rate(base)
    monkeypatch.setitem(text.PHRASES["compared_short"], verdict, "NOT LIKE")
    monkeypatch.setitem(text.PHRASES["compared"], verdict, "QUITE UNLIKE")
    monkeypatch.setitem(text.PHRASES["trend_short"], base.trend, "GOING {change} SOMEWHERE")
    assert "NOT LIKE England's" in text.key_messages(base)
    assert "GOING" in text.key_messages(base)
    assert "This is QUITE UNLIKE England's" in text.rate(base)


@pytest.mark.parametrize(
    ("lower_pi", "upper_pi", "rate", "verdict"),
    [(2.0, 3.5, 2.8, "below"), (4.5, 9.0, 6.0, "above"), (3.0, 8.0, 5.0, "central above"),
     (1.0, 6.0, 3.5, "central at or below"), (2.0, 6.0, 3.92, "about the same")])
def test_projection_verdicts(lower_pi, upper_pi, rate, verdict):
    projected = pd.DataFrame({"year": [2030], "rate": [rate], "lower_pi": [lower_pi],
                              "upper_pi": [upper_pi]})
    assert an.projection_verdict(projected, 3.9) == verdict


def test_deaths_to_match_without_limits_gives_no_range(base):
    need = pd.Series({**base.need, "fewer_deaths_per_year": 2.0, "fewer_lower": 0.5,
                      "fewer_upper": np.nan})
    words = text.deaths_to_match(dataclasses.replace(base, need=need,
                                                     need_verdict=an.need_verdict(need)))
    assert an.need_verdict(need) == "limits not available"
    assert "between" not in words and words.endswith("live births a year.")


def test_files_come_from_the_contracts():
    from jsnalib.inputs.contracts import AREAS, NEIGHBOURS
    assert im.FILES == (*(c.filename for c in loader.DATA_CONTRACTS), AREAS.filename,
                        NEIGHBOURS.filename)
    assert im.__all__ == ["FILES", "Inputs", "Results", "analyse", "figures", "load", "text"]


def test_notebook_uses_one_call_per_cell():
    cells = nbformat.read(REPO / "notebooks" / "infant_mortality.ipynb", as_version=4).cells
    code = [c.source for c in cells if c.cell_type == "code"]
    assert "chapter.load(data_dir, area_code)" in code[1] and "chapter.analyse(inputs" in code[1]
    for source in code[2:]:
        if source == "display.sources(data_dir, chapter.FILES)":
            continue
        assert "\n" not in source.strip() and source.count("(chapter.") + source.startswith(
            "chapter.") == 1, source
        assert source.startswith(("Markdown(chapter.text.", "chapter.figures.",
                                  "display.about_method(chapter.text.")), source


# ----------------------------------------------------------------------------------------------
# England's deprivation gradient (real ONS deciles) and the synthetic local quintiles


def deciles_frame(years=range(2014, 2022), births=50_000, base=2.5) -> pd.DataFrame:
    """England by decile: births each, deaths falling from decile 1 to 10 (rate base..2x)."""
    rows = [(ENGLAND, y, d, births, round(births * base * (2 - (d - 1) / 9) / 1000))
            for y in years for d in range(1, 11)]
    return pd.DataFrame(rows, columns=loader.DECILE_COUNTS)


def test_england_deciles_pool_the_latest_years_and_give_the_sii(geography):
    data = deciles_frame()
    rates = an.england_deciles(data, geography, pool=5)
    assert len(rates) == 10 and set(rates["period"]) == {"2017-21"}
    assert rates["live_births"].tolist() == [250_000] * 10
    assert rates["infant_deaths"].iloc[0] == 5 * round(50_000 * 5.0 / 1000)
    assert rates["decile"].iloc[0] == "1 (most deprived)" and rates["decile"].iloc[-1] == \
        "10 (least deprived)"
    index = an.inequality(rates, group="imd_decile")
    limits = stats.rate(rates["infant_deaths"].astype(float), rates["live_births"].astype(float),
                        multiplier=1000)
    direct = stats.sii(rates["imd_decile"].astype(float), rates["live_births"].astype(float),
                       rates["rate"].astype(float), lower=limits["lower"],
                       upper=limits["upper"], value_type="rate", multiplier=-1)
    pd.testing.assert_series_equal(index, direct)
    assert index["sii"] > 0 and an.gradient_verdict(index) == "higher"
    # fewer years in the file than asked for: as many consecutive years as there are
    assert set(an.england_deciles(deciles_frame(years=[2019, 2021]), geography)["period"]) == {
        "2021"}
    assert an.england_deciles(deciles_frame().iloc[:0], geography).empty


def _inputs_with(geography, deciles, synthetic):
    return dataclasses.replace(synthetic_inputs(geography), england_deciles=deciles,
                               deprivation_synthetic=synthetic)


def test_synthetic_local_quintiles_are_never_shown(geography, monkeypatch):
    results = im.analyse(_inputs_with(geography, deciles_frame(), synthetic=True))
    assert results.deprivation_source == "synthetic" and results.deprivation_code is None
    assert results.quintiles.empty and results.adjusted is None
    assert figures.deprivation_chart(results) is None
    assert figures.deprivation_table(results) is None
    section = text.deprivation_section(results)
    assert "synthetic demonstration data" in section and "per 1,000" not in section
    messages = text.key_messages(results)
    assert "**Deprivation (England, 2017-21, ONS):**" in messages
    assert "Deprivation (Stoke-on-Trent" not in messages
    # England's gradient: text with counts and source, chart and table
    words = text.england_inequality(results)
    assert "most deprived tenth" in words and "Table 21" in words and "95% CI" in words
    passed = []
    monkeypatch.setattr(figures.display, "figure", lambda fig, **kw: passed.append(
        {"fig": fig, **kw}) or "figure")
    monkeypatch.setattr(figures.display, "table", lambda data, **kw: passed.append(
        {"data": data, **kw}) or "table")
    assert figures.england_deprivation_chart(results) == "figure"
    chart = passed.pop()
    assert "ONS, death cohort" in chart["fig"].axes[0].get_title()
    assert "Table 21" in chart["caption"] and len(chart["data"]) == 10
    assert figures.england_deprivation_table(results) == "table"
    assert "Deprivation decile" in passed.pop()["data"].columns


def test_a_real_local_extract_is_shown_beside_england(geography):
    results = im.analyse(_inputs_with(geography, deciles_frame(), synthetic=False))
    assert results.deprivation_source == "own" and not results.quintiles.empty
    messages = text.key_messages(results)
    assert "Deprivation (Stoke-on-Trent" in messages and "Deprivation (England" in messages


def test_without_the_decile_file_the_page_says_what_is_missing(geography):
    results = im.analyse(_inputs_with(geography, deciles_frame().iloc[:0], synthetic=True))
    assert results.england_gradient == "suppressed"
    assert "births_deaths_imd_decile.csv" in text.england_inequality(results)
    assert figures.england_deprivation_chart(results) is None
    assert "Deprivation (England" not in text.key_messages(results)


def test_default_data_show_no_synthetic_local_figures(tmp_path):
    import shutil

    inputs = im.load(REPO / "data", STOKE)
    assert inputs.deprivation_synthetic and len(inputs.england_deciles) > 0
    notice = figures.data_notice(REPO / "data").data
    listed = figures.sources(REPO / "data").data
    assert "births_deaths_imd_decile.csv" in listed and "births_deaths_imd.csv" not in listed
    assert "Synthetic demonstration data" not in notice and "synthetic" not in listed
    # the same file changed by one byte is a local extract, no longer the synthetic default
    for name in im.FILES + ("synthetic.json", ".provenance.csv"):
        shutil.copy(REPO / "data" / name, tmp_path / name)
    extract = tmp_path / "births_deaths_imd.csv"
    extract.write_text(extract.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not im.load(tmp_path, STOKE).deprivation_synthetic
    assert "births_deaths_imd.csv" in figures.sources(tmp_path).data
