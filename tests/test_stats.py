"""Table-driven tests of jsnalib.methods.stats against published expected values.

Two oracles: the values quoted in the project's issue (from APHO Technical Briefing 3 /
PHEindicatormethods examples) and the national package's own test tables, read at test time
from ../shared/reference/phe/ (skipped when that folder is absent; never copied in).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table

from jsnalib.methods import stats

REPO = Path(__file__).resolve().parents[1]
PHE = REPO.parent / "shared" / "reference" / "phe"

TOL = 1e-6


def phe_table(name: str) -> pd.DataFrame:
    path = PHE / name
    if not path.exists():
        pytest.skip(f"national test table {name} not available beside the repository")
    return pd.read_csv(path, encoding="utf-8-sig")


def percent(label: str) -> float:
    return float(label.rstrip("%"))


# ----------------------------------------------------------------------------------------------
# published values quoted in the issue


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: stats.wilson_ci(65, 100), (0.552544, 0.736358)),
        (lambda: stats.wilson_ci(65, 100, 99.8), (0.495495, 0.778354)),
        (lambda: stats.wilson_ci(1045, 5000), (0.197955, 0.220491)),
        (lambda: stats.byars_ci(65), (50.163188, 82.849139)),
        (lambda: stats.byars_ci(1045, 0.998), (947.940704, 1148.806161)),
        (lambda: stats.rate_ci(5, 100, multiplier=100), (1.623486, 11.668332)),
        (lambda: stats.rate_ci(20, 100, multiplier=100), (12.211429, 30.889880)),
    ],
    ids=["wilson_65_100", "wilson_65_100_998", "wilson_1045_5000", "byars_65",
         "byars_1045_998", "rate_5_exact", "rate_20_byars"],
)
def test_published_values(call, expected):
    lower, upper = call()
    assert isinstance(lower, float) and isinstance(upper, float)
    assert lower == pytest.approx(expected[0], abs=TOL)
    assert upper == pytest.approx(expected[1], abs=TOL)


# ----------------------------------------------------------------------------------------------
# the national package's tables


def test_byars_table():
    table = phe_table("phe_byars_wilson.csv")
    rows = table[table["method"] == "Byars"]
    assert len(rows) >= 6
    for row in rows.itertuples():
        lower, upper = stats.byars_ci(row.x, percent(row.confidence))
        np.testing.assert_allclose([lower, upper], [row.lowercl, row.uppercl],
                                   rtol=1e-9, atol=TOL, equal_nan=True)


def test_byars_table_vectorised():
    table = phe_table("phe_byars_wilson.csv")
    for confidence, rows in table[table["method"] == "Byars"].groupby("confidence"):
        lower, upper = stats.byars_ci(rows["x"], percent(confidence))
        np.testing.assert_allclose(lower, rows["lowercl"], rtol=1e-9, equal_nan=True)
        np.testing.assert_allclose(upper, rows["uppercl"], rtol=1e-9)
        assert lower.index.equals(rows.index)


def test_wilson_table():
    table = phe_table("phe_byars_wilson.csv")
    for confidence, rows in table[table["method"] == "Wilson"].groupby("confidence"):
        lower, upper = stats.wilson_ci(rows["x"], rows["n"], percent(confidence))
        np.testing.assert_allclose(lower, rows["lowercl"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(upper, rows["uppercl"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("name", "function"), [("phe_proportion.csv", stats.proportion),
                                                ("phe_rate.csv", stats.rate)])
def test_proportion_and_rate_tables(name, function):
    table = phe_table(name)
    assert len(table) >= 10
    for multiplier, rows in table.groupby("multiplier"):
        for label, column in (("95", "95_0"), ("998", "99_8")):
            confidence = 95 if label == "95" else 99.8
            result = function(rows["Numerator"], rows["Denominator"], multiplier=multiplier,
                              confidence=confidence)
            assert result.index.equals(rows.index)
            expected = rows[["value", f"lower{column}cl", f"upper{column}cl"]].to_numpy()
            np.testing.assert_allclose(result[["value", "lower", "upper"]].to_numpy(), expected,
                                       rtol=1e-9, atol=1e-12, equal_nan=True)


def test_rate_table_switches_method_at_ten():
    table = phe_table("phe_rate.csv").dropna(subset=["Numerator", "Denominator"])
    exact = table["method"] == "Exact"
    assert (table.loc[exact, "Numerator"] < 10).all()
    assert (table.loc[~exact, "Numerator"] >= 10).all()
    lower, upper = stats.rate_ci(table["Numerator"], table["Denominator"],
                                 multiplier=table["multiplier"].iloc[0])
    first = table["multiplier"] == table["multiplier"].iloc[0]
    np.testing.assert_allclose(lower[first], table.loc[first, "lower95_0cl"], rtol=1e-9)
    np.testing.assert_allclose(upper[first], table.loc[first, "upper95_0cl"], rtol=1e-9)


def test_proportion_funnel_table():
    inputs = phe_table("testdata_funnel_prop_inputs.csv")
    expected = phe_table("testdata_funnel_prop_outputs.csv")
    funnel = stats.proportion_funnel(inputs["numerator"], inputs["denominator"])
    assert list(funnel.columns) == stats.FUNNEL_COLUMNS
    assert len(funnel) == len(expected) == 100
    np.testing.assert_array_equal(funnel["population"], expected["Population"])
    pairs = {"lower_95": "Lower2s0025limit", "upper_95": "Upper2s0025limit",
             "lower_998": "Lower3s0001limit", "upper_998": "Upper3s0001limit",
             "baseline": "Baseline"}
    for ours, theirs in pairs.items():
        np.testing.assert_allclose(funnel[ours], expected[theirs], rtol=0, atol=TOL,
                                   err_msg=ours)


def test_proportion_funnel_flags_as_the_national_table():
    """Each area's significance label in the input table follows from our limits."""
    inputs = phe_table("testdata_funnel_prop_inputs.csv")
    limits = stats.proportion_funnel(inputs["numerator"], inputs["denominator"],
                                     population=inputs["denominator"])
    value = 100 * inputs["numerator"] / inputs["denominator"]
    label = np.select(
        [value < limits["lower_998"], value < limits["lower_95"],
         value > limits["upper_998"], value > limits["upper_95"]],
        ["Low (0.001)", "Low (0.025)", "High (0.001)", "High (0.025)"],
        default="Not significant",
    )
    assert (label == inputs["significance"]).all()


# ----------------------------------------------------------------------------------------------
# independent implementations


def test_exact_poisson_matches_chi_square_quantiles():
    counts = np.array([0, 1, 2, 5, 9, 10, 37, 250, 5000], dtype=float)
    for confidence in (0.95, 0.998):
        alpha = 1 - confidence
        lower, upper = stats.exact_poisson_ci(counts, confidence)
        expected_lower = np.where(counts > 0, sps.chi2.ppf(alpha / 2, 2 * counts) / 2, 0)
        expected_upper = sps.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
        np.testing.assert_allclose(lower, expected_lower, rtol=1e-10)
        np.testing.assert_allclose(upper, expected_upper, rtol=1e-10)
    assert stats.exact_poisson_ci(0) == (0.0, pytest.approx(-np.log(0.025)))


def test_exact_poisson_lookup_equals_direct_computation():
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 300, 5000).astype(float)
    counts[::97] = np.nan
    lower, upper = stats.exact_poisson_ci(counts)  # many repeated whole numbers: table path
    singles = [stats.exact_poisson_ci(c) for c in counts[:300]]  # one at a time: direct path
    np.testing.assert_allclose(lower[:300], [s[0] for s in singles], rtol=1e-14, equal_nan=True)
    np.testing.assert_allclose(upper[:300], [s[1] for s in singles], rtol=1e-14, equal_nan=True)


def test_wilson_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(7)
    n = rng.integers(1, 100_000, 2000).astype(float)
    x = np.floor(rng.random(2000) * (n + 1))
    for confidence in (0.95, 0.998):
        lower, upper = stats.wilson_ci(x, n, confidence)
        ref_lower, ref_upper = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
        np.testing.assert_allclose(lower, ref_lower, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(upper, ref_upper, rtol=1e-9, atol=1e-14)


def test_rate_ci_uses_exact_below_ten_and_byars_from_ten():
    counts = np.arange(0, 15, dtype=float)
    lower, upper = stats.rate_ci(counts, 1000, multiplier=1000)
    exact = stats.exact_poisson_ci(counts)
    byars = stats.byars_ci(counts)
    np.testing.assert_allclose(lower[:10], exact[0][:10])
    np.testing.assert_allclose(upper[:10], exact[1][:10])
    np.testing.assert_allclose(lower[10:], byars[0][10:])
    np.testing.assert_allclose(upper[10:], byars[1][10:])


# ----------------------------------------------------------------------------------------------
# shapes, missing values and confidence handling


def test_shapes_follow_the_input():
    lower, upper = stats.wilson_ci([1, 2, 3], 10)
    assert isinstance(lower, np.ndarray) and lower.shape == (3,)
    grid_lower, _ = stats.byars_ci(np.full((2, 3), 20.0))
    assert grid_lower.shape == (2, 3)
    index = pd.Index(["E10000028", "E06000021"], name="area_code")
    series_lower, series_upper = stats.rate_ci(pd.Series([4, 40], index=index), 1000)
    assert series_lower.index.equals(index) and series_upper.index.equals(index)
    assert (series_lower.name, series_upper.name) == ("lower", "upper")
    frame = stats.proportion(pd.Series([5, 6], index=index), pd.Series([10, 12], index=index))
    assert frame.index.equals(index) and list(frame.columns) == ["value", "lower", "upper"]
    assert list(stats.rate(3, 100).index) == [0]


def test_missing_values_give_missing_results():
    numerator = pd.Series([5, None, 7], dtype="Int64")
    lower, upper = stats.wilson_ci(numerator, 10)
    assert lower.isna().tolist() == [False, True, False]
    assert upper.isna().tolist() == [False, True, False]
    assert np.isnan(stats.rate_ci(np.nan, 100)[0])
    assert np.isnan(stats.exact_poisson_ci(np.nan)[1])
    frame = stats.rate([np.nan, 12], [100, np.nan])
    assert frame.isna().all(axis=None)


def test_series_must_share_an_index():
    with pytest.raises(ValueError, match="same index"):
        stats.wilson_ci(pd.Series([1, 2], index=[0, 1]), pd.Series([5, 5], index=[1, 2]))


def test_inputs_must_have_matching_lengths():
    with pytest.raises(ValueError, match="same length"):
        stats.wilson_ci([1, 2, 3], [5, 5])


@pytest.mark.parametrize(("fraction", "percentage"), [(0.95, 95), (0.998, 99.8), (0.9, 90),
                                                      (1, 100)])
def test_confidence_as_fraction_or_percentage(fraction, percentage):
    assert stats.wilson_ci(12, 40, fraction) == stats.wilson_ci(12, 40, percentage)
    assert stats.rate_ci(7, 40, confidence=fraction) == stats.rate_ci(7, 40, confidence=percentage)


def test_full_confidence_gives_the_whole_range():
    assert stats.wilson_ci(3, 10, 1) == (0.0, 1.0)
    lower, upper = stats.exact_poisson_ci(3, 100)
    assert lower == 0 and np.isinf(upper)


def test_byars_lower_is_missing_where_the_approximation_fails():
    lower, upper = stats.byars_ci([0, 1], 99.8)
    assert np.isnan(lower).all()
    assert (upper > 0).all()


# ----------------------------------------------------------------------------------------------
# invalid input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.wilson_ci(-1, 10), "numerator must be zero or more"),
        (lambda: stats.wilson_ci(11, 10), "numerator must not be greater than denominator"),
        (lambda: stats.wilson_ci(1, 0), "denominator must be greater than zero"),
        (lambda: stats.proportion(1, -5), "denominator must be greater than zero"),
        (lambda: stats.byars_ci(-3), "count must be zero or more"),
        (lambda: stats.exact_poisson_ci([2, -1]), "count must be zero or more"),
        (lambda: stats.rate_ci(2, 0), "denominator must be greater than zero"),
        (lambda: stats.rate(-2, 10), "count must be zero or more"),
        (lambda: stats.rate_ci(2, 10, multiplier=0), "multiplier must be greater than zero"),
        (lambda: stats.wilson_ci(1, 10, 0.5), "confidence must be between 0.9 and 1"),
        (lambda: stats.wilson_ci(1, 10, 50), "confidence must be between 0.9 and 1"),
        (lambda: stats.byars_ci(1, 100.5), "confidence must be between 0.9 and 1"),
        (lambda: stats.byars_ci(1, 1.5), "confidence must be between 0.9 and 1"),
        (lambda: stats.byars_ci(1, [0.95]), "confidence must be a single number"),
        (lambda: stats.rate_ci(["a"], 10), "count must be numeric"),
        (lambda: stats.byars_ci(np.inf), "count must be finite"),
        (lambda: stats.proportion_funnel([5, 12], [10, 10]),
         "numerator must not be greater than denominator"),
        (lambda: stats.proportion_funnel([np.nan], [np.nan]), "no rows"),
        (lambda: stats.rate_funnel([5, -1], [10, 10]), "count must be zero or more"),
        (lambda: stats.proportion_funnel([5], [10], population=[0, 10]),
         "population must be greater than zero"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------------------------
# compare


@pytest.mark.parametrize(
    ("lower", "upper", "benchmark", "polarity", "expected"),
    [
        (5.0, 6.0, 4.0, "high_is_good", "better"),
        (5.0, 6.0, 7.0, "high_is_good", "worse"),
        (5.0, 6.0, 5.5, "high_is_good", "similar"),
        (5.0, 6.0, 5.0, "high_is_good", "similar"),  # boundary counts as overlap
        (5.0, 6.0, 6.0, "low_is_good", "similar"),
        (5.0, 6.0, 4.0, "low_is_good", "worse"),
        (5.0, 6.0, 7.0, "low_is_good", "better"),
        (5.0, 6.0, 4.0, "no_judgement", "higher"),
        (5.0, 6.0, 7.0, "no_judgement", "lower"),
        (5.0, 6.0, 5.5, "no_judgement", "similar"),
        (np.nan, 6.0, 4.0, "high_is_good", "not compared"),
        (5.0, 6.0, np.nan, "no_judgement", "not compared"),
    ],
)
def test_compare_table(lower, upper, benchmark, polarity, expected):
    assert stats.compare(lower, upper, benchmark, polarity) == expected


def test_compare_shapes():
    index = pd.Index(["a", "b", "c"])
    result = stats.compare(pd.Series([1.0, 3.0, np.nan], index=index), pd.Series([2, 4, 5],
                           index=index), 2.5)
    assert result.index.equals(index)
    assert result.tolist() == ["worse", "better", "not compared"]
    array = stats.compare(np.array([1.0, 3.0]), np.array([2.0, 4.0]), np.array([0.0, 5.0]))
    assert isinstance(array, np.ndarray) and array.tolist() == ["better", "worse"]


def test_compare_invalid():
    with pytest.raises(ValueError, match="polarity must be one of"):
        stats.compare(1, 2, 3, polarity="higher_is_better")
    with pytest.raises(ValueError, match="lower must not be greater than upper"):
        stats.compare(3, 2, 1)


# ----------------------------------------------------------------------------------------------
# funnels


def test_funnel_limits_touch_the_baseline():
    """At each limit, the Wilson (or exact Poisson) interval just reaches the baseline."""
    numerator, denominator = [120, 300, 80], [1000, 2000, 900]
    funnel = stats.proportion_funnel(numerator, denominator, multiplier=1,
                                     population=[100, 400, 5000])
    baseline = sum(numerator) / sum(denominator)
    n = funnel["population"]
    for label, confidence in (("95", 0.95), ("998", 0.998)):
        _, upper_at_lower = stats.wilson_ci(funnel[f"lower_{label}"] * n, n, confidence)
        lower_at_upper, _ = stats.wilson_ci(funnel[f"upper_{label}"] * n, n, confidence)
        np.testing.assert_allclose(upper_at_lower, baseline, rtol=1e-9)
        np.testing.assert_allclose(lower_at_upper, baseline, rtol=1e-9)
    # where even no events at all would not be significantly low, the limit stays at 0
    small = stats.proportion_funnel(numerator, denominator, population=[50])
    assert small.loc[0, "lower_998"] == 0
    assert stats.wilson_ci(0, 50, 0.998)[1] > baseline

    rates = stats.rate_funnel([30, 45], [10_000, 20_000], multiplier=1, population=[8000, 90_000])
    expected = 75 / 30_000 * rates["population"]
    for label, confidence in (("95", 0.95), ("998", 0.998)):
        _, upper_at_lower = stats.exact_poisson_ci(rates[f"lower_{label}"] * rates["population"],
                                                   confidence)
        lower_at_upper, _ = stats.exact_poisson_ci(rates[f"upper_{label}"] * rates["population"],
                                                   confidence)
        np.testing.assert_allclose(upper_at_lower, expected, rtol=1e-8)
        np.testing.assert_allclose(lower_at_upper, expected, rtol=1e-8)


def test_funnel_grid_when_areas_are_of_similar_size():
    funnel = stats.proportion_funnel([300, 700], [1000, 1500])
    population = funnel["population"].to_numpy()
    assert population[0] == 900 and population[-1] == 1600  # 0.95*1000 down, 1.05*1500 up
    assert len(population) == 100 and (np.diff(population) > 0).all()


def test_funnel_pools_complete_rows_and_keeps_the_population_index():
    population = pd.Series([100.0, 1000.0], index=["small", "large"])
    funnel = stats.proportion_funnel([10, 30, np.nan], [100, 200, 50], population=population)
    assert funnel.index.equals(population.index)
    assert funnel["baseline"].eq(100 * 40 / 300).all()
    rates = stats.rate_funnel(pd.Series([3, 9]), pd.Series([1000, 2000]), multiplier=1000)
    assert list(rates.columns) == stats.FUNNEL_COLUMNS and len(rates) == 100
    assert rates["baseline"].eq(4.0).all()


def test_rate_funnel_lower_limit_is_zero_for_small_populations():
    funnel = stats.rate_funnel([5], [100_000], population=[10, 1_000_000])
    assert funnel.loc[0, "lower_95"] == 0
    assert funnel.loc[1, "lower_95"] > 0


# ----------------------------------------------------------------------------------------------
# slope index of inequality


DECILES = pd.DataFrame({
    "decile": np.arange(1, 11),
    "population": [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534],
    "value": [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3],
    "lower": [72.7, 75.3, 80.9, 80.2, 77.1, 78.0, 79.0, 81.4, 75.8, 83.2],
    "upper": [79.1, 81.4, 86.8, 87.1, 83.8, 84.2, 84.4, 86.9, 85.4, 89.4],
})


def weighted_least_squares(frame: pd.DataFrame) -> tuple[float, float]:
    share = frame["population"] / frame["population"].sum()
    rank = share.cumsum() - share / 2
    fit = sm.WLS(frame["value"], sm.add_constant(rank), weights=share).fit()
    return float(fit.params.iloc[0]), float(fit.params.iloc[1])


def test_sii_point_estimate_is_the_population_weighted_regression():
    intercept, slope = weighted_least_squares(DECILES)
    result = stats.sii(DECILES["decile"], DECILES["population"], DECILES["value"],
                       lower=DECILES["lower"], upper=DECILES["upper"], reps=2000)
    assert list(result.index) == ["sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"]
    assert result["sii"] == pytest.approx(slope, rel=1e-10)
    assert result["rii"] == pytest.approx((intercept + slope) / intercept, rel=1e-10)
    assert result["sii_lower"] < result["sii"] < result["sii_upper"]
    assert result["rii_lower"] < result["rii"] < result["rii_upper"]


def test_sii_simulation_matches_a_plain_reference_implementation():
    """Same draws, refitted one by one with lstsq, ordered, read at PHE's positions."""
    reps, seed = 2000, 11
    data = DECILES.sample(frac=1, random_state=1)  # order of rows must not matter
    result = stats.sii(data["decile"], data["population"], data["value"],
                       lower=data["lower"], upper=data["upper"], reps=reps, seed=seed)
    ordered = data.sort_values("decile")
    share = (ordered["population"] / ordered["population"].sum()).to_numpy()
    rank = np.cumsum(share) - share / 2
    se = ((ordered["upper"] - ordered["lower"]) / (2 * sps.norm.ppf(0.975))).to_numpy()
    draws = np.random.default_rng(seed).standard_normal((10, reps)) * se[:, None]
    draws += ordered["value"].to_numpy()[:, None]
    design = np.column_stack([np.sqrt(share), rank * np.sqrt(share)])
    slopes, ratios = [], []
    for j in range(reps):
        (b0, b1), *_ = np.linalg.lstsq(design, draws[:, j] * np.sqrt(share), rcond=None)
        slopes.append(b1)
        ratios.append((b0 + b1) / b0)
    # PHE: positions round(reps * 0.025) and round(reps * 0.975), counted from 1
    assert result["sii_lower"] == pytest.approx(sorted(slopes)[49], rel=1e-9)
    assert result["sii_upper"] == pytest.approx(sorted(slopes)[1949], rel=1e-9)
    assert result["rii_lower"] == pytest.approx(sorted(ratios)[49], rel=1e-9)
    assert result["rii_upper"] == pytest.approx(sorted(ratios)[1949], rel=1e-9)


def test_sii_interval_agrees_with_the_analytic_interval_for_normal_values():
    se = (DECILES["upper"] - DECILES["lower"]) / (2 * sps.norm.ppf(0.975))
    result = stats.sii(DECILES["decile"], DECILES["population"], DECILES["value"], se=se)
    share = DECILES["population"] / DECILES["population"].sum()
    rank = share.cumsum() - share / 2
    design = np.column_stack([np.ones(10), rank])
    weights = np.diag(share)
    coefficients = np.linalg.solve(design.T @ weights @ design, design.T @ weights)[1]
    half_width = sps.norm.ppf(0.975) * np.sqrt((coefficients**2 * se**2).sum())
    assert result["sii_upper"] - result["sii"] == pytest.approx(half_width, rel=0.02)
    assert result["sii"] - result["sii_lower"] == pytest.approx(half_width, rel=0.02)


def test_sii_is_seeded_and_reproducible():
    args = (DECILES["decile"], DECILES["population"], DECILES["value"])
    kwargs = {"lower": DECILES["lower"], "upper": DECILES["upper"], "reps": 5000}
    first = stats.sii(*args, **kwargs, seed=5)
    assert first.equals(stats.sii(*args, **kwargs, seed=5))
    assert first["sii_lower"] != stats.sii(*args, **kwargs, seed=6)["sii_lower"]


def test_sii_exact_for_a_straight_line():
    result = stats.sii([1, 2, 3, 4, 5], [100] * 5, [10, 12, 14, 16, 18], se=[1e-9] * 5,
                       reps=1000)
    assert result["sii"] == pytest.approx(10.0)
    assert result["rii"] == pytest.approx(19 / 9)
    assert result["sii_lower"] == pytest.approx(10.0, abs=1e-6)
    flipped = stats.sii([1, 2, 3, 4, 5], [100] * 5, [10, 12, 14, 16, 18], se=[1e-9] * 5,
                        multiplier=-100, reps=1000)
    assert flipped["sii"] == pytest.approx(-1000.0)
    assert flipped["rii"] == pytest.approx(9 / 19)


@pytest.mark.parametrize("value_type", ["rate", "proportion"])
def test_sii_transformed_value_types(value_type):
    scale = 1 if value_type == "rate" else 1 / 100
    value = np.array([9.0, 8.0, 7.5, 6.0, 5.0]) * scale
    lower, upper = stats.rate_ci(value * 1000, 1000, multiplier=1) if value_type == "rate" \
        else stats.wilson_ci(value * 2000, 2000)
    result = stats.sii([1, 2, 3, 4, 5], [2000] * 5, value, lower=lower, upper=upper,
                       value_type=value_type, reps=4000)
    assert result["sii"] < 0 and result["rii"] < 1
    assert result["sii_lower"] < result["sii"] < result["sii_upper"]
    assert result["rii_lower"] < result["rii"] < result["rii_upper"]


def test_sii_missing_values_give_missing_results():
    value = DECILES["value"].copy()
    value.iloc[3] = np.nan
    result = stats.sii(DECILES["decile"], DECILES["population"], value, se=[1.0] * 10)
    assert result.isna().all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantile": [1, 2, 3, 4], "population": [10] * 4, "value": [1, 2, 3, 4],
          "se": [1] * 4}, "between 5 and 100 quantiles"),
        ({"quantile": [1, 2, 3, 4, 4]}, "repeated quantile"),
        ({"population": [10, 0, 10, 10, 10]}, "population must be greater than zero"),
        ({"se": None}, "either se or both lower and upper"),
        ({"reps": 500}, "reps must be a whole number of at least 1000"),
        ({"value_type": "ratio"}, "value_type must be one of"),
        ({"value_type": "proportion"}, "strictly between 0 and 1"),
        ({"value_type": "rate", "value": [0, 1, 2, 3, 4]}, "must be greater than zero"),
        ({"confidence": 80}, "confidence must be between"),
        ({"multiplier": 0}, "multiplier must not be zero"),
        ({"se": [1, 1, -1, 1, 1]}, "se must be zero or more"),
    ],
)
def test_sii_invalid_input(kwargs, message):
    arguments = {"quantile": [1, 2, 3, 4, 5], "population": [10] * 5,
                 "value": [10, 12, 14, 16, 18], "se": [1] * 5} | kwargs
    with pytest.raises(ValueError, match=message):
        stats.sii(**arguments)


# ----------------------------------------------------------------------------------------------
# trend test


def test_trend_test_published_example():
    """Agresti (2002) Categorical Data Analysis, 2nd edn, section 3.4: maternal alcohol
    consumption and infant malformation, scores 0, 0.5, 1.5, 4, 7; trend statistic 6.57,
    P = 0.01."""
    present = np.array([48, 38, 5, 1, 1])
    total = np.array([17066, 14464, 788, 126, 37]) + present
    scores = np.array([0, 0.5, 1.5, 4.0, 7.0])
    result = stats.trend_test(present, total, scores, confidence=0.95)
    assert result["statistic"] == pytest.approx(6.57, abs=0.005)
    assert result["p_value"] == pytest.approx(0.0104, abs=0.00005)
    assert result["direction"] == "increasing"
    assert stats.trend_test(present, total, scores)["direction"] == "no significant change"


def test_trend_test_matches_linear_by_linear_association():
    rng = np.random.default_rng(2)
    total = rng.integers(200, 2000, 8)
    events = rng.binomial(total, np.linspace(0.10, 0.16, 8))
    years = np.arange(2016, 2024)
    result = stats.trend_test(events, total, years)
    table = Table(np.column_stack([total - events, events]))
    reference = table.test_ordinal_association(row_scores=years, col_scores=np.array([0, 1]))
    n = total.sum()
    assert result["statistic"] == pytest.approx(reference.zscore**2 * n / (n - 1), rel=1e-10)
    fit = sm.WLS(events / total, sm.add_constant(years), weights=total).fit()
    assert result["slope"] == pytest.approx(fit.params[1], rel=1e-9)


def test_trend_test_direction_and_missing_values():
    down = stats.trend_test([300, 250, 200, 150, 100], [1000] * 5, range(5))
    assert down["direction"] == "decreasing" and down["slope"] < 0
    flat = stats.trend_test([100, 101, 99, 100, 100], [1000] * 5, range(5))
    assert flat["direction"] == "no significant change"
    missing = stats.trend_test([100, np.nan, 99], [1000] * 3, range(3))
    assert missing["direction"] == "not calculated" and np.isnan(missing["statistic"])
    none = stats.trend_test([0, 0, 0], [1000] * 3, range(3))
    assert none["direction"] == "not calculated"
    with pytest.raises(ValueError, match="at least two distinct values"):
        stats.trend_test([1, 2], [10, 10], [2020, 2020])
    with pytest.raises(ValueError, match="numerator must not be greater"):
        stats.trend_test([11, 2], [10, 10], [2020, 2021])
