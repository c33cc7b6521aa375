"""Laney p' limits on over-dispersed series (issue 12.3).

With large monthly denominators the months vary more than binomial sampling allows; plain p-chart
limits then flag common-cause months (on an in-control series with sigma_z about 1.5, 4.6% of
months fall beyond 3-sigma limits, against a nominal 0.27%). Laney's p' chart widens the limits
by sigma_z. Simulated with a fixed seed; the series are in control by construction.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from jsnalib.methods import spc

MONTHS, SERIES, P, SIGMA_Z = 60, 400, 0.2, 1.5


def simulate(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An in-control month series whose z-scores have standard deviation SIGMA_Z: each month's
    true proportion varies around P (normal, between-month variance (SIGMA_Z^2 - 1) times the
    binomial variance at 1,000), and counts are binomial on about 1,000 a month."""
    n = rng.integers(900, 1100, MONTHS)
    extra = np.sqrt((SIGMA_Z**2 - 1) * P * (1 - P) / n)
    p = np.clip(P + extra * rng.standard_normal(MONTHS), 0.01, 0.99)
    return rng.binomial(n, p).astype(float), n.astype(float)


@pytest.fixture(scope="module")
def charts():
    rng = np.random.default_rng(120312)
    pairs = [simulate(rng) for _ in range(SERIES)]
    return ([spc.p_chart(x, n) for x, n in pairs],
            [spc.p_chart(x, n, laney=False) for x, n in pairs])


def test_sigma_z_estimates_the_extra_spread(charts):
    laney, _ = charts
    sigma_z = np.array([c.attrs["sigma_z"] for c in laney])
    assert 1.4 < np.median(sigma_z) < 1.6
    assert all(c.attrs["method"] == "Laney p'" for c in laney if c.attrs["sigma_z"] > 1)


def test_laney_limits_give_about_the_nominal_false_signal_rate(charts):
    laney, plain = charts
    beyond_laney = np.mean([(c["beyond_limits"] != 0).mean() for c in laney])
    beyond_plain = np.mean([(c["beyond_limits"] != 0).mean() for c in plain])
    nominal = 2 * sps.norm.sf(3)  # 0.27%
    assert beyond_laney < 2.5 * nominal, f"beyond Laney limits {beyond_laney:.4f}"
    assert 0.035 < beyond_plain < 0.06, f"beyond plain limits {beyond_plain:.4f}"


def test_plain_p_limits_are_kept_when_there_is_no_extra_variation():
    rng = np.random.default_rng(7)
    n = np.full(48, 1000.0)
    x = rng.binomial(1000, 0.2, 48).astype(float)
    chart = spc.p_chart(x, n)
    if chart.attrs["sigma_z"] <= 1:
        assert chart.attrs["method"] == "p"
        expected = 3 * np.sqrt(chart["centre"].iloc[0] / 100 * (1 - chart["centre"].iloc[0] / 100)
                               / 1000) * 100
        assert chart["upper"].iloc[0] - chart["centre"].iloc[0] == pytest.approx(expected)
    else:
        assert chart.attrs["method"] == "Laney p'"


def test_laney_limits_are_sigma_z_times_wider():
    x = np.array([200, 260, 180, 250, 170, 240, 210, 190, 230, 200], dtype=float)
    n = np.full(10, 1000.0)
    plain = spc.p_chart(x, n, laney=False)
    laney = spc.p_chart(x, n)
    centre = x.sum() / n.sum()
    z = (x / n - centre) / np.sqrt(centre * (1 - centre) / n)
    sigma_z = np.abs(np.diff(z)).mean() / 1.128
    assert laney.attrs["sigma_z"] == pytest.approx(sigma_z)
    assert laney.attrs["method"] == "Laney p'" and plain.attrs["method"] == "p"
    width = (laney["upper"] - laney["centre"]) / (plain["upper"] - plain["centre"])
    assert np.allclose(width, sigma_z)
    assert np.allclose(laney["sigma"], plain["sigma"] * sigma_z)


def test_sigma_z_uses_the_baseline_only():
    x = np.r_[np.tile([200.0, 210.0], 6), [400.0, 100.0, 420.0]]
    n = np.full(15, 1000.0)
    chart = spc.p_chart(x, n, baseline=np.arange(15) < 12)
    assert chart.attrs["sigma_z"] == pytest.approx(
        spc.laney_sigma_z(x[:12], n[:12], x[:12].sum() / n[:12].sum()))


def test_laney_argument_is_checked():
    with pytest.raises(ValueError, match="laney"):
        spc.p_chart([10, 12, 11], [100, 100, 100], laney="yes")


def test_chart_and_sentence_say_which_limits_are_drawn():
    from jsnalib.report import charts

    x = np.array([200, 260, 180, 250, 170, 240, 210, 190, 230, 200], dtype=float)
    n = np.full(10, 1000.0)
    labels = [f"M{i}" for i in range(10)]
    for chart, words in ((spc.p_chart(x, n), "Laney p' limits"),
                         (spc.p_chart(x, n, laney=False), "p-chart limits")):
        fig, alt = charts.p_chart_plot(chart, labels, "Test", ylabel="%")
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert any(words in text for text in legend)
        sentence = charts.control_limits_sentence(chart)
        assert "0.27%" in sentence
        assert ("Laney p'" in sentence) == (words == "Laney p' limits")
