"""Property tests (hypothesis) of jsnalib.methods.stats: orderings any correct interval must keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from jsnalib.methods import stats

SETTINGS = settings(max_examples=200, deadline=None)

denominators = st.integers(min_value=1, max_value=10**9)
counts = st.integers(min_value=0, max_value=10**7)
confidences = st.sampled_from([0.9, 0.95, 0.99, 0.998, 95, 99.8])


@st.composite
def proportions(draw):
    denominator = draw(denominators)
    numerator = draw(st.integers(min_value=0, max_value=denominator))
    return numerator, denominator


@SETTINGS
@given(proportions(), confidences)
def test_wilson_contains_the_proportion_within_zero_and_one(pair, confidence):
    numerator, denominator = pair
    lower, upper = stats.wilson_ci(numerator, denominator, confidence)
    assert 0 <= lower <= numerator / denominator <= upper <= 1


@SETTINGS
@given(proportions())
def test_wilson_wider_confidence_gives_a_wider_interval(pair):
    narrow = stats.wilson_ci(*pair, 0.95)
    wide = stats.wilson_ci(*pair, 0.998)
    assert wide[0] <= narrow[0] and narrow[1] <= wide[1]


@SETTINGS
@given(counts, confidences)
def test_exact_poisson_contains_the_count(count, confidence):
    lower, upper = stats.exact_poisson_ci(count, confidence)
    assert 0 <= lower <= count < upper


@SETTINGS
@given(counts)
def test_exact_poisson_wider_confidence_gives_a_wider_interval(count):
    narrow = stats.exact_poisson_ci(count, 95)
    wide = stats.exact_poisson_ci(count, 99.8)
    assert wide[0] <= narrow[0] and narrow[1] < wide[1]


@SETTINGS
@given(st.integers(min_value=1, max_value=10**7), confidences)
def test_byars_contains_the_count_where_defined(count, confidence):
    lower, upper = stats.byars_ci(count, confidence)
    assert count < upper
    assert np.isnan(lower) or 0 <= lower <= count


@SETTINGS
@given(st.integers(min_value=10, max_value=10**7))
def test_byars_wider_confidence_gives_a_wider_interval(count):
    narrow = stats.byars_ci(count, 0.95)
    wide = stats.byars_ci(count, 0.998)
    assert wide[0] <= narrow[0] and narrow[1] < wide[1]


@SETTINGS
@given(counts, denominators, st.sampled_from([1, 100, 1000, 100_000]), confidences)
def test_rate_interval_contains_the_rate(count, denominator, multiplier, confidence):
    frame = stats.rate(count, denominator, multiplier=multiplier, confidence=confidence)
    row = frame.iloc[0]
    assert 0 <= row["lower"] <= row["value"] < row["upper"]
    narrow = stats.rate_ci(count, denominator, multiplier, 0.95)
    wide = stats.rate_ci(count, denominator, multiplier, 0.998)
    assert wide[0] <= narrow[0] and narrow[1] < wide[1]


@SETTINGS
@given(st.lists(proportions(), min_size=1, max_size=8), confidences)
def test_proportion_frame_keeps_the_series_index(pairs, confidence):
    numerator = pd.Series([p[0] for p in pairs], index=[f"area{i}" for i in range(len(pairs))])
    denominator = pd.Series([p[1] for p in pairs], index=numerator.index)
    frame = stats.proportion(numerator, denominator, multiplier=100, confidence=confidence)
    assert frame.index.equals(numerator.index)
    assert ((frame["lower"] <= frame["value"]) & (frame["value"] <= frame["upper"])).all()
    assert frame[["lower", "upper"]].stack().between(0, 100).all()


@SETTINGS
@given(
    st.lists(proportions(), min_size=1, max_size=6),
    st.lists(st.integers(min_value=1, max_value=10**8), min_size=2, max_size=20, unique=True),
)
def test_proportion_funnel_narrows_as_population_grows(pairs, populations):
    numerator = [p[0] for p in pairs]
    denominator = [p[1] for p in pairs]
    funnel = stats.proportion_funnel(numerator, denominator, population=sorted(populations))
    baseline = funnel["baseline"].iloc[0]
    slack = 1e-9 * 100
    assert (np.diff(funnel["lower_95"]) >= -slack).all()
    assert (np.diff(funnel["upper_95"]) <= slack).all()
    assert (np.diff(funnel["lower_998"]) >= -slack).all()
    assert (np.diff(funnel["upper_998"]) <= slack).all()
    assert (funnel["lower_998"] <= funnel["lower_95"] + slack).all()
    assert (funnel["lower_95"] <= baseline + slack).all()
    assert (funnel["upper_95"] >= baseline - slack).all()
    assert (funnel["upper_95"] <= funnel["upper_998"] + slack).all()
    assert funnel[["lower_998", "upper_998"]].stack().between(0, 100).all()


@SETTINGS
@given(
    st.lists(st.tuples(counts, denominators), min_size=1, max_size=6),
    st.lists(st.integers(min_value=1, max_value=10**8), min_size=2, max_size=20, unique=True),
)
def test_rate_funnel_narrows_as_population_grows(pairs, populations):
    count = [p[0] for p in pairs]
    denominator = [p[1] for p in pairs]
    funnel = stats.rate_funnel(count, denominator, multiplier=1000, population=sorted(populations))
    baseline = funnel["baseline"].iloc[0]
    slack = 1e-9 * max(baseline, 1)
    for label in ("95", "998"):
        assert (np.diff(funnel[f"lower_{label}"]) >= -slack).all()
        assert (np.diff(funnel[f"upper_{label}"]) <= slack).all()
    assert (funnel["lower_998"] <= funnel["lower_95"] + slack).all()
    assert (funnel["lower_95"] <= baseline + slack).all()
    assert (funnel["upper_95"] >= baseline - slack).all()
    assert (funnel["upper_95"] <= funnel["upper_998"] + slack).all()


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@SETTINGS
@given(finite, finite, finite, st.sampled_from(stats.POLARITIES))
def test_compare_is_similar_exactly_when_the_interval_holds_the_benchmark(a, b, benchmark,
                                                                          polarity):
    lower, upper = min(a, b), max(a, b)
    result = stats.compare(lower, upper, benchmark, polarity)
    assert (result == "similar") == (lower <= benchmark <= upper)
    flipped = {"better": "worse", "worse": "better"}
    if polarity == "low_is_good":
        mirrored = stats.compare(lower, upper, benchmark, "high_is_good")
        assert flipped.get(result, result) == mirrored
