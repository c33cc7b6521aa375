"""Benchmark: jsnalib.methods.derive.flag_rereferrals against a straightforward per-child Python loop.

Makes 1,000,000 referrals of 250,000 children over 2006-2024 (ISO date strings, as read from
referrals.csv.gz, with a few missing child IDs) and times the vectorised flagging. Then it times
the straightforward analyst's loop (pandas groupby by child, then row by row, comparing each
referral with the child's latest earlier-day referral using ``DateOffset(months=12)``) on every
referral of a 1% sample of the children, checks the flags agree there, and scales the loop's
time to the full size. A tuned pure-Python loop (dicts, ``datetime.date``) is timed too, for
scale. Prints the ratios; fails (exit 1) if the flags differ, or the vectorised version takes
3 s or more or is less than 50 times faster than the per-child loop.

Run: .venv/bin/python bench/derive.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import warnings

import numpy as np
import pandas as pd

from jsnalib.methods.derive import MissingChildIdWarning, flag_rereferrals

N_REFERRALS = 1_000_000
N_CHILDREN = 250_000
SAMPLE_SHARE = 0.01
REPEATS = 3


def make_referrals(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    child = rng.integers(0, N_CHILDREN, N_REFERRALS)
    days = rng.integers(0, 6_575, N_REFERRALS)  # 2006-04-01 .. 2024-03-31
    dates = (np.datetime64("2006-04-01") + days).astype("datetime64[D]").astype(str)
    ids = np.char.add("C", np.char.zfill(child.astype(str), 7)).astype(object)
    ids[rng.choice(N_REFERRALS, 50, replace=False)] = ""
    return pd.DataFrame({"child_id": ids, "referral_date": dates})


def loop_flags(referrals: pd.DataFrame) -> list[bool]:
    """The straightforward way: group by child, then walk each child's referrals row by row."""
    dates = pd.to_datetime(referrals["referral_date"])
    flags = pd.Series(False, index=referrals.index)
    for child, rows in referrals.groupby("child_id").groups.items():
        if str(child).strip() == "":
            continue
        history = dates[rows].sort_values(kind="stable")
        for i, (row, date) in enumerate(history.items()):
            earlier = history.iloc[:i]
            earlier = earlier[earlier < date]
            flags[row] = bool(len(earlier)) and earlier.max() >= date - pd.DateOffset(months=12)
    return flags.tolist()


def _twelve_months_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def plain_python_flags(referrals: pd.DataFrame) -> list[bool]:
    """A tuned pure-Python loop (dicts and datetime.date), for comparison only."""
    by_child: dict[str, list[tuple[dt.date, int]]] = {}
    for position, (child, text) in enumerate(zip(referrals["child_id"],
                                                 referrals["referral_date"], strict=True)):
        if child is None or str(child).strip() == "":
            continue
        by_child.setdefault(child, []).append((dt.date.fromisoformat(text), position))
    flags = [False] * len(referrals)
    for history in by_child.values():
        history.sort()
        latest_earlier_day = None
        previous_day = None
        for day, position in history:
            if day != previous_day:
                latest_earlier_day = previous_day
                previous_day = day
            flags[position] = (latest_earlier_day is not None
                               and latest_earlier_day >= _twelve_months_before(day))
    return flags


def best_time(function, *args, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    referrals = make_referrals()
    warnings.simplefilter("ignore", MissingChildIdWarning)
    vectorised, flags = best_time(flag_rereferrals, referrals)

    children = referrals["child_id"].drop_duplicates()
    chosen = children.sample(frac=SAMPLE_SHARE, random_state=2)
    in_sample = referrals["child_id"].isin(chosen)
    sample = referrals[in_sample].reset_index(drop=True)
    loop, expected = best_time(loop_flags, sample, repeats=1)
    plain, plain_expected = best_time(plain_python_flags, sample)
    # whole histories were sampled, so the full run's flags must agree on the sample
    same = (flags[in_sample].tolist() == expected == plain_expected
            == flag_rereferrals(sample).tolist())
    scale = len(referrals) / len(sample)
    ratio = loop * scale / vectorised

    print(f"flag_rereferrals, {len(referrals):,} referrals: {vectorised:.2f} s "
          f"(best of {REPEATS}; {flags.mean():.1%} flagged)")
    print(f"per-child pandas loop on {len(sample):,} referrals ({SAMPLE_SHARE:.0%} of children): "
          f"{loop:.2f} s -> {loop * scale:.0f} s scaled to {len(referrals):,}")
    print(f"(a tuned pure-Python dict loop: {plain * scale:.1f} s scaled, "
          f"{plain * scale / vectorised:.1f}x the vectorised time)")
    print(f"same flags: {same}; vectorised is {ratio:.0f}x faster than the per-child loop")
    ok = same and vectorised < 3 and ratio >= 50
    if not ok:
        print("FAILED: need the same flags, under 3 s, and at least 50x", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
