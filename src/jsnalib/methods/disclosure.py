"""Small-number suppression, applied to anything derived from record-level data before it is
displayed or saved.

The rule the book follows (the usual statistical disclosure control for health and social-care
counts, e.g. ONS and NHS Digital guidance on small numbers):

* **primary suppression**: a count of 1 to 4 is not published (zero is publishable: it
  discloses nothing about an individual);
* **secondary suppression**: a suppressed count must not be recoverable by subtraction. In any
  line of cells whose total is published - a row of parts with a total column, or the cells of
  one column within a group whose sum is published elsewhere (e.g. districts summing to their
  county) - a single suppressed cell would equal total minus the rest, so the next smallest
  non-zero cell of that line is suppressed too. Choosing a non-zero cell (always 5 or more,
  since 1-4 are already hidden) keeps the combined hidden amount from being a small number
  itself; if a row has no such cell its total is suppressed instead. A suppressed total whose
  parts are all shown would be their sum, so one part is then suppressed too. Group sums are
  taken to be published under these same rules (so a group sum of 1-4 gives a reader nothing).
  Rows and columns can still pin a cell down jointly, so after those rules an exact check
  treats every published total as a linear equation and, while any suppressed count is still
  determined, hides the smallest shown cell that breaks it. The rules repeat until nothing
  changes. (A leak that lies wholly in figures published elsewhere, such as a group whose only
  non-zero cell is the small one, cannot be repaired in this table);
* **derived values** (rates, confidence limits, percentages) computed from a suppressed count
  are blanked as well, since the count could be recovered from them.
* **cumulative series** (e.g. the percentage of a cohort re-referred by each month, read with
  the cohort's size): the difference between two adjacent published points is a count of
  its own, so a series is published only at points where every step, in every group, is 0 or
  above the small-number range (:func:`publishable_points`); the points in between are left
  out (a coarser grid) rather than shown.

:func:`suppress_table` records why each cell was blanked in a ``suppression_note`` column;
:func:`assert_disclosure_safe` is the last check before a table is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.linalg import null_space

#: Counts from record-level data in this inclusive range are never published.
SMALL_COUNTS = (1, 4)
NOTE_COLUMN = "suppression_note"


class DisclosureError(ValueError):
    """A table about to be displayed or saved still holds a count that must be suppressed."""


def _check_threshold(threshold: tuple[int, int]) -> tuple[int, int]:
    try:
        lo, hi = (int(t) for t in threshold)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"threshold must be two whole numbers (low, high), got {threshold!r}"
                         ) from exc
    if not 1 <= lo <= hi:
        raise ValueError(f"threshold must satisfy 1 <= low <= high (zero is publishable), "
                         f"got {threshold!r}")
    return lo, hi


def _as_counts(values: object, what: str = "values") -> np.ndarray:
    arr = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce")
    raw = np.asarray(values, dtype=object).ravel()
    not_number = arr.isna().to_numpy() & ~pd.isna(raw)
    if not_number.any():
        raise ValueError(f"{what} must be counts (numbers), got {raw[not_number][0]!r}")
    v = arr.to_numpy(float)
    finite = np.isfinite(v)
    if (v[finite] < 0).any() or (v[finite] != np.round(v[finite])).any():
        bad = v[finite][(v[finite] < 0) | (v[finite] != np.round(v[finite]))][0]
        raise ValueError(f"{what} must be whole, non-negative counts, got {bad:g}")
    return v.reshape(np.shape(values))


def small_mask(values: object, threshold: tuple[int, int] = SMALL_COUNTS) -> np.ndarray:
    """Boolean array, True where a count lies in ``threshold`` (default 1-4 inclusive)."""
    lo, hi = _check_threshold(threshold)
    v = _as_counts(values)
    with np.errstate(invalid="ignore"):
        return (v >= lo) & (v <= hi)


def suppress_small(values: object, threshold: tuple[int, int] = SMALL_COUNTS
                   ) -> np.ndarray | pd.Series:
    """Counts with every value in ``threshold`` (default 1 to 4) replaced by missing.

    A pandas Series comes back as a nullable ``Int64`` Series with the same index (<NA> where
    suppressed); anything else as a float ndarray with NaN. Zero and missing values pass
    through. Primary suppression only: use :func:`suppress_table` when totals are published.
    """
    mask = small_mask(values, threshold)
    v = _as_counts(values)
    out = np.where(mask, np.nan, v)
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name).astype("Int64")
    return out


def _smallest_nonzero(values: np.ndarray, hidden: np.ndarray) -> int | None:
    candidates = np.where(~hidden & (values > 0), values, np.inf)
    pos = int(np.argmin(candidates))
    return pos if np.isfinite(candidates[pos]) else None


def _group_lines(values: np.ndarray, group_index: Sequence[np.ndarray], counts: list[str],
                 total_col: str | None, threshold: tuple[int, int]
                 ) -> list[tuple[np.ndarray, int]]:
    """(rows, column) of each group column whose sum is published elsewhere.

    The group sums are assumed published under the same rules, so they are put through
    :func:`suppress_table` themselves (one row per group, with its total); only the sums that
    survive give a reader something to subtract from. Groups of one row are skipped.
    """
    if not group_index:
        return []
    cells = counts + ([total_col] if total_col is not None else [])
    sums = pd.DataFrame([np.nansum(values[rows], axis=0) for rows in group_index],
                        columns=cells).astype("int64")
    shown = suppress_table(sums, counts, total_col=total_col, threshold=threshold)
    published = shown[cells].notna().to_numpy()
    return [(rows, c) for g, rows in enumerate(group_index) if len(rows) >= 2
            for c in range(len(cells)) if published[g, c]]


def _lines(n_rows: int, n_parts: int, has_total: bool,
           group_lines: Sequence[tuple[np.ndarray, int]]) -> list[list[tuple[int, int, float]]]:
    """Every published-total equation as (row, col, coefficient) terms.

    A row of parts equals its total (sum(parts) - total = 0); within a group, each column sums
    to a figure published elsewhere.
    """
    lines = []
    if has_total:
        for r in range(n_rows):
            lines.append([(r, c, 1.0) for c in range(n_parts)] + [(r, n_parts, -1.0)])
    for rows, c in group_lines:
        lines.append([(int(r), c, 1.0) for r in rows])
    return lines


def recoverable_cells(unknown: np.ndarray, secret: np.ndarray, n_parts: int, has_total: bool,
                      group_lines: Sequence[tuple[np.ndarray, int]]) -> list[tuple[int, int]]:
    """Secret cells whose value follows exactly from the shown cells and published totals.

    Treats every published total as a linear equation over the hidden cells; a hidden cell is
    determined when every solution of the homogeneous system is zero there (it lies outside
    the null space's support). Hidden cells linked by no equation are solved separately
    (connected components), which keeps large tables fast.
    """
    cells = list(zip(*np.nonzero(unknown), strict=True))
    if not cells:
        return []
    index = {cell: i for i, cell in enumerate(cells)}
    equations = []
    for line in _lines(unknown.shape[0], n_parts, has_total, group_lines):
        terms = [(index[(r, c)], k) for r, c, k in line if (r, c) in index]
        if terms:
            equations.append(terms)
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for terms in equations:
        first = root(terms[0][0])
        for j, _ in terms[1:]:
            parent[root(j)] = first
    by_component: dict[int, list[list[tuple[int, float]]]] = {}
    for terms in equations:
        by_component.setdefault(root(terms[0][0]), []).append(terms)
    found = []
    for comp, eqs in by_component.items():
        members = [i for i in range(len(cells)) if root(i) == comp]
        local = {v: j for j, v in enumerate(members)}
        a = np.zeros((len(eqs), len(members)))
        for row, terms in enumerate(eqs):
            for v, k in terms:
                a[row, local[v]] = k
        null = null_space(a)
        free = (np.abs(null) > 1e-9).any(axis=1) if null.size else np.zeros(len(members), bool)
        found += [cells[v] for v, j in local.items() if not free[j] and secret[cells[v]]]
    return sorted(found)


def _protector(values: np.ndarray, unknown: np.ndarray, secret: np.ndarray,
               cell: tuple[int, int], n_parts: int, has_total: bool,
               group_lines: Sequence[tuple[np.ndarray, int]]) -> tuple[int, int] | None:
    """A shown cell to hide so that ``cell`` can no longer be worked out.

    Searches outward along the published-total lines from ``cell``: first the lines through
    it, then the lines through the hidden cells reached so far. Within each ring it prefers
    the smallest non-zero cell (zeros last) whose hiding makes ``cell`` undetermined; if no
    single cell does, it returns the first candidate so the caller can hide it and look again.
    """
    lines = _lines(unknown.shape[0], n_parts, has_total, group_lines)
    reached, used = {cell}, set()
    fallback = None
    while True:
        ring = [i for i, line in enumerate(lines)
                if i not in used and any((r, c) in reached for r, c, _ in line)]
        if not ring:
            return fallback
        used.update(ring)
        shown = {(r, c) for i in ring for r, c, _ in lines[i] if not unknown[r, c]}
        order = sorted(shown, key=lambda rc: (values[rc] == 0, values[rc], rc))
        for rc in order:
            trial = unknown.copy()
            trial[rc] = True
            if cell not in recoverable_cells(trial, secret, n_parts, has_total, group_lines):
                return rc
        if fallback is None and order:
            fallback = order[0]
        reached |= {(r, c) for i in ring for r, c, _ in lines[i] if unknown[r, c]}


def suppress_table(df: pd.DataFrame, count_cols: Sequence[str], total_col: str | None = None,
                   group_cols: Sequence[str] | None = None,
                   derived_cols: Sequence[str] | Mapping[str, str | Sequence[str]] = (),
                   threshold: tuple[int, int] = SMALL_COUNTS) -> pd.DataFrame:
    """Suppress small counts and every cell that would reveal one, returning a new table.

    Parameters
    ----------
    df : table with one column per count (counts of people/events from record-level data).
    count_cols : the count columns; in a row they are the parts of ``total_col`` if given.
    total_col : a published row total of ``count_cols`` (itself a count, also checked).
    group_cols : columns defining groups of rows whose column sums are published (e.g.
        ``["year"]`` when district rows sum to a county figure shown elsewhere).
    derived_cols : values computed from the counts (rates, CIs, percentages). A sequence is
        blanked wherever any count in its row is suppressed; a mapping ``{derived: count or
        [counts]}`` names the counts each one comes from.
    threshold : inclusive range of counts never shown (default 1 to 4; zero is publishable).

    Returns
    -------
    A copy of ``df``: count columns as nullable Int64 with <NA> where suppressed, derived
    columns NaN where blanked, and a ``suppression_note`` column saying why (<NA> if nothing
    in the row was touched).

    Reference: ONS, "Statistical disclosure control" guidance; NHS Digital small-number
    suppression rules for published statistics (counts 1-4, with secondary suppression).
    """
    lo, hi = _check_threshold(threshold)
    counts = list(count_cols)
    if not counts:
        raise ValueError("count_cols must name at least one count column")
    cells = counts + ([total_col] if total_col is not None else [])
    groups = list(group_cols or [])
    sources = (dict(derived_cols) if isinstance(derived_cols, Mapping)
               else {d: counts + ([total_col] if total_col else []) for d in derived_cols})
    sources = {d: [s] if isinstance(s, str) else list(s) for d, s in sources.items()}
    needed = set(cells) | set(groups) | set(sources) | {s for v in sources.values() for s in v}
    missing = sorted(needed - set(df.columns))
    if missing:
        raise ValueError(f"df has no column(s) {missing}; it has {list(df.columns)}")
    if total_col is not None and total_col in counts:
        raise ValueError(f"total_col {total_col!r} must not also be one of count_cols")

    values = np.column_stack([_as_counts(df[c].to_numpy(), f"column {c!r}") for c in cells])
    with np.errstate(invalid="ignore"):
        primary = (values >= lo) & (values <= hi)
    secondary = np.zeros_like(primary)
    # a missing count is unknown to the reader: it protects others but needs no protection
    unknown = primary | np.isnan(values)
    n_parts = len(counts)
    group_index = (list(df.groupby(groups, sort=False, dropna=False).indices.values())
                   if groups else [])
    group_lines = _group_lines(values, group_index, counts, total_col, (lo, hi))

    def lone_secret(line_unknown: np.ndarray, line_secret: np.ndarray) -> bool:
        return int(line_unknown.sum()) == 1 and bool(line_secret[line_unknown].all())

    changed = True
    while changed:
        changed = False
        secret = primary | secondary
        if total_col is not None:
            for r in range(len(df)):
                parts = unknown[r, :n_parts]
                if np.isnan(values[r, n_parts]):
                    continue  # no published total: nothing to subtract from
                total_secret = secret[r, n_parts]
                leak = (lone_secret(parts, secret[r, :n_parts]) if not total_secret
                        else not parts.any())
                if not leak:
                    continue
                pos = _smallest_nonzero(values[r, :n_parts], parts)
                col = pos if pos is not None else (n_parts if not total_secret else None)
                if col is not None:
                    unknown[r, col] = secondary[r, col] = changed = True
                    secret = primary | secondary
        for rows, c in group_lines:
            if lone_secret(unknown[rows, c], secret[rows, c]):
                pos = _smallest_nonzero(values[rows, c], unknown[rows, c])
                if pos is not None:
                    r = int(rows[pos])
                    unknown[r, c] = secondary[r, c] = changed = True
                    secret = primary | secondary
        if not changed:
            # lines with two or more hidden cells can still pin one down jointly (rows and
            # columns together): find any secret cell the published totals determine
            secret = primary | secondary
            for cell in recoverable_cells(unknown, secret, n_parts, total_col is not None,
                                          group_lines):
                target = _protector(values, unknown, secret, cell, n_parts,
                                    total_col is not None, group_lines)
                if target is not None:
                    unknown[target] = secondary[target] = changed = True
                    break

    out = df.copy()
    notes: list[list[str]] = [[] for _ in range(len(df))]
    blanked = primary | secondary
    for c, name in enumerate(cells):
        shown = np.where(blanked[:, c], np.nan, values[:, c])
        out[name] = pd.array(shown, dtype="Float64").astype("Int64")
        for r in np.flatnonzero(primary[:, c]):
            notes[r].append(f"{name}: count of {lo}-{hi}")
        for r in np.flatnonzero(secondary[:, c]):
            notes[r].append(f"{name}: suppressed so that another count cannot be worked out")
    for derived, from_cols in sources.items():
        idx = [cells.index(s) for s in from_cols if s in cells]
        if not idx:
            raise ValueError(f"derived column {derived!r} must come from count_cols/total_col, "
                             f"got {from_cols}")
        hit = blanked[:, idx].any(axis=1)
        out[derived] = pd.to_numeric(out[derived], errors="coerce").astype(float).where(~hit)
        for r in np.flatnonzero(hit):
            notes[r].append(f"{derived}: derived from a suppressed count")
    out[NOTE_COLUMN] = pd.Series(["; ".join(n) if n else pd.NA for n in notes],
                                 index=df.index, dtype="str")
    return out


def _steps_ok(step: np.ndarray, lo: int, hi: int) -> bool:
    """True when no step (NaN: nothing published there) lies in [lo, hi]."""
    with np.errstate(invalid="ignore"):
        return not ((step >= lo) & (step <= hi)).any()


def publishable_points(cumulative: object, required: object = None,
                       threshold: tuple[int, int] = SMALL_COUNTS) -> np.ndarray:
    """Which points of cumulative count series can be published without a small step.

    Parameters
    ----------
    cumulative : array-like, shape (groups, points) or (points,)
        Cumulative counts (people with the event by each point, non-decreasing along the
        points), one row per group sharing the same points (e.g. one Kaplan-Meier curve per
        outcome read on a grid of months). NaN where a group has nothing published (e.g.
        beyond its follow-up). The series start from zero before the first point.
    required : array-like of bool, shape (points,), optional
        Points wanted most (e.g. the times a table reports): chosen first, in order, each kept
        when its step from the last kept point is safe in every group; the other points are
        then added, in order, wherever both steps they create (from the previous kept point
        and to the next) are safe.
    threshold : inclusive range of counts never published (default 1 to 4).

    Returns
    -------
    numpy.ndarray of bool, shape (points,)
        True for the points to publish: the step between any two adjacent published points
        (and from zero to the first) is 0 or outside ``threshold`` in every group.
    """
    lo, hi = _check_threshold(threshold)
    values = _as_counts(cumulative, "cumulative")
    values = values.reshape(1, -1) if values.ndim == 1 else values
    if values.ndim != 2:
        raise ValueError(f"cumulative must be 1- or 2-dimensional, got shape {values.shape}")
    n = values.shape[1]
    first = (np.zeros(n, dtype=bool) if required is None
             else np.asarray(required, dtype=bool).ravel())
    if first.shape != (n,):
        raise ValueError(f"required must have one flag per point ({n}), got {first.shape}")
    padded = np.column_stack([np.zeros(len(values)), values])  # column 0: the zero start
    kept = [0]

    def step(a: int, b: int) -> np.ndarray:
        return padded[:, b] - padded[:, a]

    for j in np.flatnonzero(first) + 1:
        if _steps_ok(step(kept[-1], j), lo, hi):
            kept.append(int(j))
    for j in np.flatnonzero(~first) + 1:
        position = int(np.searchsorted(kept, j))
        before = kept[position - 1]
        after = kept[position] if position < len(kept) else None
        if _steps_ok(step(before, j), lo, hi) and (after is None
                                                   or _steps_ok(step(j, after), lo, hi)):
            kept.insert(position, int(j))
    out = np.zeros(n, dtype=bool)
    out[np.asarray(kept[1:], dtype=int) - 1] = True
    return out


def assert_disclosure_safe(df: pd.DataFrame, count_cols: Sequence[str],
                           threshold: tuple[int, int] = SMALL_COUNTS) -> pd.DataFrame:
    """Raise DisclosureError if any of ``count_cols`` still holds a count in ``threshold``.

    Call it on every table of counts from record-level data just before it is displayed or
    saved. Returns ``df`` unchanged so it can wrap the display call.
    """
    missing = [c for c in count_cols if c not in df.columns]
    if missing:
        raise ValueError(f"df has no column(s) {missing}; it has {list(df.columns)}")
    found = []
    for col in count_cols:
        mask = small_mask(df[col].to_numpy(), threshold)
        found += [(col, label, df[col].iloc[i]) for i, label in
                  zip(np.flatnonzero(mask), df.index[mask], strict=True)]
    if found:
        lo, hi = _check_threshold(threshold)
        listed = "; ".join(f"column {c!r} row {r!r} = {v}" for c, r, v in found[:10])
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        raise DisclosureError(
            f"{len(found)} count(s) of {lo}-{hi} would be shown: {listed}{more}. "
            "Suppress them with jsnalib.methods.disclosure.suppress_table before display.")
    return df
