"""binomial_trend on aggregated counts: overdispersion scales the standard errors by the Pearson
dispersion (quasi-binomial), and never shrinks them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsnalib.methods import models


def _counts(spread: float) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    years = np.arange(2006, 2024)
    p = 0.2 * np.exp(rng.normal(0, spread, len(years)))
    return pd.DataFrame({"year": years, "k": rng.binomial(8000, p), "n": 8000})


def test_overdispersed_counts_get_standard_errors_scaled_by_the_dispersion():
    data = _counts(0.1)
    fit = models.binomial_trend(data, successes="k", trials="n")
    assert fit.dispersion > models.DISPERSION_THRESHOLD
    assert "quasi-binomial" in fit.reason
    assert fit.result.scale == pytest.approx(fit.dispersion)
    unscaled = np.sqrt(fit.result.cov_params().loc["year", "year"] / fit.result.scale)
    assert fit.result.bse["year"] == pytest.approx(unscaled * np.sqrt(fit.dispersion))


def test_binomial_counts_without_overdispersion_keep_the_binomial_errors():
    fit = models.binomial_trend(_counts(0.0), successes="k", trials="n")
    assert fit.result.scale == 1.0
    assert "quasi" not in fit.reason
