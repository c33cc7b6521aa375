"""Small-number suppression: primary (1-4), secondary (no recovery by subtraction), derived."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from jsnalib.methods.disclosure import (
    NOTE_COLUMN,
    DisclosureError,
    assert_disclosure_safe,
    small_mask,
    suppress_small,
    suppress_table,
)

NA = np.nan


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0, 1, 2, 3, 4, 5], [0, NA, NA, NA, NA, 5]),
        ([0, 0, 0], [0, 0, 0]),  # zero is publishable
        ([5, 10, 1000], [5, 10, 1000]),
        ([NA, 4, 6], [NA, NA, 6]),
    ],
)
def test_suppress_small_blanks_one_to_four_only(values, expected):
    np.testing.assert_array_equal(suppress_small(values), np.array(expected, dtype=float))


def test_suppress_small_series_keeps_index_as_nullable_int():
    s = pd.Series([3, 0, 12], index=["a", "b", "c"], name="n")
    out = suppress_small(s)
    assert out.dtype == "Int64" and list(out.index) == ["a", "b", "c"] and out.name == "n"
    assert out.isna().tolist() == [True, False, False]
    assert out["b"] == 0


def test_custom_threshold():
    np.testing.assert_array_equal(small_mask([1, 5, 9, 10], threshold=(1, 9)),
                                  [True, True, True, False])


@pytest.mark.parametrize("threshold", [(0, 4), (5, 4), ("a", 4), (1,)])
def test_bad_threshold_is_a_value_error(threshold):
    with pytest.raises(ValueError, match="threshold"):
        suppress_small([1, 2], threshold=threshold)


@pytest.mark.parametrize("values", [[1.5, 2], [-1, 6], ["three", 5]])
def test_non_counts_are_rejected(values):
    with pytest.raises(ValueError, match="count"):
        suppress_small(values)


def test_row_with_published_total_gets_secondary_suppression():
    df = pd.DataFrame({"boys": [3, 20], "girls": [8, 25], "total": [11, 45]})
    out = suppress_table(df, ["boys", "girls"], total_col="total")
    assert out["boys"].isna().tolist() == [True, False]
    assert out["girls"].isna().tolist() == [True, False]  # else girls = 11 - 8 reveals 3
    assert out["total"].tolist() == [11, 45]
    assert out[NOTE_COLUMN][0] == ("boys: count of 1-4; girls: suppressed so that another count "
                                   "cannot be worked out")
    assert pd.isna(out[NOTE_COLUMN][1])


def test_secondary_picks_the_smallest_non_zero_cell():
    df = pd.DataFrame({"a": [2], "b": [0], "c": [9], "d": [30], "total": [41]})
    out = suppress_table(df, ["a", "b", "c", "d"], total_col="total")
    assert out.loc[0, ["a", "b", "c", "d"]].isna().tolist() == [True, False, True, False]


def test_total_is_suppressed_when_no_other_part_can_be():
    df = pd.DataFrame({"a": [3], "b": [0], "total": [3]})
    out = suppress_table(df, ["a", "b"], total_col="total")
    assert out["a"].isna().all() and out["total"].isna().all() and out["b"].tolist() == [0]


def test_group_of_rows_protects_column_sums():
    df = pd.DataFrame({"year": [2019] * 3 + [2020] * 3, "district": list("xyz") * 2,
                       "deaths": [2, 7, 30, 6, 8, 9]})
    out = suppress_table(df, ["deaths"], group_cols=["year"])
    # 2019: 2 is hidden, so 7 must go too (else county total minus the rest gives it)
    assert out["deaths"].isna().tolist() == [True, True, False, False, False, False]


def test_derived_values_from_a_suppressed_count_are_blanked():
    df = pd.DataFrame({"deaths": [3, 40], "births": [900, 1000]})
    df["rate"] = df["deaths"] / df["births"] * 1000
    df["lower"], df["upper"] = df["rate"] * 0.5, df["rate"] * 1.5
    out = suppress_table(df, ["deaths"], derived_cols=["rate", "lower", "upper"])
    assert out.loc[0, ["rate", "lower", "upper"]].isna().all()
    assert out.loc[1, "rate"] == pytest.approx(40.0)
    assert "rate: derived from a suppressed count" in out.loc[0, NOTE_COLUMN]


def test_derived_mapping_only_blanks_its_own_sources():
    df = pd.DataFrame({"a": [2], "b": [50], "total": [200]})
    df["pct_a"], df["pct_b"] = df.a / df.total, df.b / df.total
    out = suppress_table(df, ["a", "b"], derived_cols={"pct_a": "a", "pct_b": ["b"]})
    assert np.isnan(out.loc[0, "pct_a"]) and out.loc[0, "pct_b"] == pytest.approx(0.25)


def test_missing_counts_protect_others_but_need_no_protection():
    df = pd.DataFrame({"a": [3, NA], "b": [NA, 50], "c": [40, 60], "total": [50, 120]})
    out = suppress_table(df, ["a", "b", "c"], total_col="total")
    assert out["c"].tolist() == [40, 60]  # a's row already has an unknown b to hide behind


def test_input_is_not_modified_and_bad_columns_are_reported():
    df = pd.DataFrame({"n": [1, 9]})
    suppress_table(df, ["n"])
    assert df["n"].tolist() == [1, 9]
    with pytest.raises(ValueError, match="no column"):
        suppress_table(df, ["count"])
    with pytest.raises(ValueError, match="count"):
        suppress_table(pd.DataFrame({"n": [1.5]}), ["n"])


def test_assert_disclosure_safe():
    ok = pd.DataFrame({"n": pd.array([0, None, 5, 120], dtype="Int64")})
    assert assert_disclosure_safe(ok, ["n"]) is ok
    bad = pd.DataFrame({"n": [0, 3, 7]}, index=["x", "y", "z"])
    with pytest.raises(DisclosureError, match=r"column 'n' row 'y' = 3"):
        assert_disclosure_safe(bad, ["n"])
    with pytest.raises(ValueError, match="no column"):
        assert_disclosure_safe(bad, ["m"])


# --- property: nothing of 1-4 is shown, and none can be worked out from published totals ----
def _determined(shown: np.ndarray, has_total: bool, groups: list[np.ndarray],
                original: np.ndarray) -> np.ndarray:
    """Cells a reader can compute exactly from the shown cells and the published totals.

    Group column sums count as published where they survive suppression as a table of their
    own (one row per group with its total): the same rules apply wherever they appear.
    """
    hidden = np.isnan(shown)
    n_rows, n_cells = shown.shape
    var = {cell: i for i, cell in enumerate(zip(*np.nonzero(hidden), strict=True))}
    eqs = []
    if has_total:
        eqs += [[(r, c, 1.0) for c in range(n_cells - 1)] + [(r, n_cells - 1, -1.0)]
                for r in range(n_rows)]
    if groups:
        sums = pd.DataFrame([original[rows].sum(axis=0) for rows in groups]).astype(int)
        sums.columns = [f"c{i}" for i in range(n_cells)]
        parts = list(sums.columns[:-1]) if has_total else list(sums.columns)
        total = sums.columns[-1] if has_total else None
        published = suppress_table(sums, parts, total_col=total)
        published = published[sums.columns].notna().to_numpy()
        eqs += [[(int(r), c, 1.0) for r in rows] for g, rows in enumerate(groups)
                if len(rows) > 1 for c in range(n_cells) if published[g, c]]
    a = np.zeros((len(eqs), len(var)))
    for i, eq in enumerate(eqs):
        for r, c, k in eq:
            if (r, c) in var:
                a[i, var[(r, c)]] = k
    out = np.zeros_like(hidden)
    if not var:
        return out
    null = null_space(a) if len(eqs) else np.eye(len(var))
    free = (np.abs(null) > 1e-9).any(axis=1)
    for cell, i in var.items():
        out[cell] = not free[i]
    return out


small_or_not = st.one_of(st.integers(0, 6), st.integers(0, 60))


@settings(max_examples=150, deadline=None)
@given(n_rows=st.integers(1, 6), n_parts=st.integers(2, 4), n_groups=st.integers(0, 3),
       with_total=st.booleans(), data=st.data())
def test_no_small_count_can_be_recovered(n_rows, n_parts, n_groups, with_total, data):
    parts = np.array(data.draw(st.lists(st.lists(small_or_not, min_size=n_parts,
                                                 max_size=n_parts),
                                        min_size=n_rows, max_size=n_rows)))
    cols = [f"p{i}" for i in range(n_parts)]
    df = pd.DataFrame(parts, columns=cols)
    df["total"] = parts.sum(axis=1)
    group_cols = None
    if n_groups:
        df["g"] = [data.draw(st.integers(0, n_groups - 1)) for _ in range(n_rows)]
        group_cols = ["g"]
    cells = [*cols, "total"] if with_total else cols
    if with_total:
        out = suppress_table(df, cols, total_col="total", group_cols=group_cols)
    else:
        out = suppress_table(df, cols, group_cols=group_cols)
    assert_disclosure_safe(out, cells)
    shown = out[cells].to_numpy(dtype=float, na_value=np.nan)
    original = df[cells].to_numpy(dtype=float)
    groups = (list(df.groupby("g").indices.values()) if group_cols else [])
    recovered = _determined(shown, with_total, groups, original)
    small = (original >= 1) & (original <= 4)
    assert not (recovered & small).any(), (df, out)
    visible = ~np.isnan(shown)  # shown values are the originals, untouched
    np.testing.assert_array_equal(shown[visible], original[visible])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(small_or_not, min_size=2, max_size=5), min_size=1, max_size=8))
def test_row_total_minus_the_rest_never_reveals_a_small_count(rows):
    width = min(len(r) for r in rows)
    parts = np.array([r[:width] for r in rows])
    cols = [f"p{i}" for i in range(width)]
    df = pd.DataFrame(parts, columns=cols)
    df["total"] = parts.sum(axis=1)
    out = suppress_table(df, cols, total_col="total")
    for r in range(len(df)):
        if pd.isna(out.loc[r, "total"]):
            continue
        hidden = out.loc[r, cols].isna()
        # subtraction recovers a part only when it is the single hidden one
        if hidden.sum() == 1:
            assert not 1 <= df.loc[r, hidden.idxmax()] <= 4
