"""The one reading of a ``confidence`` argument, shared by every function that takes one.

A confidence level may be given as a fraction (0.95, 0.998) or a percentage (95, 99.8). Levels
from 0.9 to 1 or from 90 to 100 (inclusive; 1 and 100 give the whole range) are accepted;
anything else, a non-number, a bool or an array is a ``ValueError`` with a plain message.
"""

from __future__ import annotations

import numpy as np

__all__ = ["level", "percent"]


def level(confidence: float) -> float:
    """Return ``confidence`` as a fraction in [0.9, 1].

    Parameters
    ----------
    confidence : float
        0.9-1 (a fraction) or 90-100 (a percentage).

    Returns
    -------
    float
        The level as a fraction, e.g. 0.95 for 95.

    Raises
    ------
    ValueError
        For a bool, an array, text that is not a number, or a level outside both ranges.
    """
    if isinstance(confidence, bool | str | bytes) or not np.isscalar(confidence):
        raise ValueError(f"confidence must be a single number such as 0.95 or 95, got {confidence!r}")
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"confidence must be a number such as 0.95 or 95, got {confidence!r}") from None
    if 90 <= value <= 100:
        return value / 100
    if 0.9 <= value <= 1:
        return value
    raise ValueError(
        f"confidence must be between 0.9 and 1 or between 90 and 100, got {confidence!r}")


def percent(confidence: float) -> float:
    """Return ``confidence`` as a percentage in [90, 100] (e.g. 95.0 for 0.95), checked as :func:`level`."""
    return round(level(confidence) * 100, 10)
