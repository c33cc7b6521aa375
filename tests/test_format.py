"""One formatter for tables and sentences: missing, suppressed, thousands, p-values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsnalib.report import format as fmt


@pytest.mark.parametrize("missing", [np.nan, None, pd.NA, pd.NaT, float("nan")])
def test_missing_reads_the_same_everywhere(missing):
    assert fmt.number(missing) == fmt.percent(missing) == fmt.count(missing) == "not available"
    assert fmt.ci(missing, 1.0) == fmt.ci(1.0, missing) == "not available"
    assert fmt.p_value(missing) == "not available"
    assert fmt.p_text(missing) == "p not available"


def test_numbers():
    assert fmt.number(1234.56) == "1,234.6"
    assert fmt.number(1234.56, 0) == "1,235"
    assert fmt.percent(23.456) == "23.5%"
    assert fmt.count(3394.0) == "3,394"
    assert fmt.count(118.0) == "118"
    assert fmt.count(3, suppressed=True) == "suppressed"
    assert fmt.ci(4.583, 5.227) == "4.6 to 5.2"


@pytest.mark.parametrize(("p", "table", "text"), [
    (0.0004, "<0.001", "p < 0.001"), (0.001, "0.001", "p = 0.001"),
    (0.0392, "0.039", "p = 0.039"), (0.5, "0.500", "p = 0.500")])
def test_p_values(p, table, text):
    assert fmt.p_value(p) == table
    assert fmt.p_text(p) == text
