"""The one confidence parser: fractions and percentages, and plain errors for anything else."""

from __future__ import annotations

import numpy as np
import pytest

from jsnalib.methods import confidence


@pytest.mark.parametrize(("given", "expected"), [(0.95, 0.95), (95, 0.95), (0.998, 0.998), (99.8, 0.998),
                                                 (0.9, 0.9), (90, 0.9), (1, 1.0), (100, 1.0),
                                                 (np.float64(95.0), 0.95), (np.int64(95), 0.95)])
def test_fraction_or_percentage(given, expected):
    assert confidence.level(given) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("given", [5, 0.5, 0.89, 89.9, 100.1, 1.5, 50, -95, 0, np.nan, np.inf])
def test_outside_both_ranges_is_an_error(given):
    with pytest.raises(ValueError, match="between 0.9 and 1 or between 90 and 100"):
        confidence.level(given)


@pytest.mark.parametrize("given", [True, "95", [0.95], np.array([0.95]), None])
def test_not_a_single_number_is_an_error(given):
    with pytest.raises(ValueError, match="confidence must be"):
        confidence.level(given)


def test_percent():
    assert confidence.percent(0.95) == 95.0
    assert confidence.percent(99.8) == 99.8
    with pytest.raises(ValueError):
        confidence.percent(5)
