"""The difference between two independent proportions and its confidence interval.

Two intervals that overlap do not show that two values are alike: 230/1000 and 270/1000 have
overlapping 95% Wilson intervals, yet the difference (4.0 percentage points, 95% CI 0.2 to 7.8)
excludes zero (two-sided p = 0.039). A reading that compares two values must use the
difference and its interval; this module gives it.

References
----------
Newcombe RG (1998) Interval estimation for the difference between independent proportions:
comparison of eleven methods. Stat Med 17:873-890 (method 10, the hybrid score interval).
Newcombe RG, Altman DG (2000) Proportions and their differences. In: Altman DG et al. (eds)
*Statistics with Confidence*, 2nd edn. BMJ Books.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from jsnalib.methods.stats import wilson_ci

__all__ = ["difference_from_intervals", "proportion_difference_ci"]


def difference_from_intervals(p1: ArrayLike, lower1: ArrayLike, upper1: ArrayLike,
                              p2: ArrayLike, lower2: ArrayLike, upper2: ArrayLike
                              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interval for ``p1 - p2`` from each estimate's own interval (square-and-add).

    ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` to ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``: with
    Wilson intervals this is Newcombe's method 10; with other good single-estimate intervals
    (e.g. Kaplan-Meier limits) it is the same construction (Newcombe 1998; Zou & Donner's
    MOVER). All inputs on one scale (proportions or percentages); missing values give NaN.

    Returns
    -------
    ``(difference, lower, upper)``, each the broadcast shape of the inputs.
    """
    p1, l1, u1, p2, l2, u2 = (np.asarray(v, dtype=float) for v in
                              (p1, lower1, upper1, p2, lower2, upper2))
    d = p1 - p2
    return (d, d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def proportion_difference_ci(n1: ArrayLike, d1: ArrayLike, n2: ArrayLike, d2: ArrayLike,
                             confidence: float = 0.95
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference ``n1/d1 - n2/d2`` of two independent proportions with Newcombe's hybrid
    score interval (method 10).

    Parameters
    ----------
    n1, d1 : numerator (events, count) and denominator (people, count > 0) of the first group.
    n2, d2 : the same for the second group.
    confidence : 0.95 or 95 (between 0.9 and 1, or 90 and 100).

    Returns
    -------
    ``(difference, lower, upper)`` as proportions (-1 to 1).

    Examples
    --------
    Newcombe (1998) Table II, example (a), 56/70 - 48/80: method 10 gives 0.0524 to 0.3339.

    >>> d, lo, hi = proportion_difference_ci(56, 70, 48, 80)
    >>> round(float(d), 4), round(float(lo), 4), round(float(hi), 4)
    (0.2, 0.0524, 0.3339)
    """
    l1, u1 = wilson_ci(n1, d1, confidence)
    l2, u2 = wilson_ci(n2, d2, confidence)
    p1 = np.asarray(n1, dtype=float) / np.asarray(d1, dtype=float)
    p2 = np.asarray(n2, dtype=float) / np.asarray(d2, dtype=float)
    return difference_from_intervals(p1, l1, u1, p2, l2, u2)
