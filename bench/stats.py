"""Benchmark jsnalib.methods.stats on 1,000,000 rows against per-row scipy.stats loops.

Each vectorised function is timed on a million rows (best of three). The baseline is the plain
way of writing the same method: a Python loop calling scipy.stats once per row, timed on a
subsample and scaled up to a million rows, in the same run. The largest absolute difference
between the two on the subsample is printed as a check that both compute the same thing (for
sii it is Monte Carlo error, as the loop draws its own random numbers; for compare it counts
differing labels).

Run: .venv/bin/python bench/stats.py   (about a minute on two cores)
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.optimize import brentq

from jsnalib.methods import stats

ROWS = 1_000_000
SUBSAMPLE = 2_000


def best_of(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


# -- per-row reference implementations (scipy.stats, one call per row) ------------------------


def row_wilson(x, n, confidence=0.95):
    z = sps.norm.ppf(0.5 + confidence / 2)
    root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
    return (2 * x + z * z - root) / 2 / (n + z * z), (2 * x + z * z + root) / 2 / (n + z * z)


def row_byars(x, confidence=0.95):
    z = sps.norm.ppf(0.5 + confidence / 2)
    lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3 if x > 0 else np.nan
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return (lower if lower >= 0 else np.nan), upper


def row_exact(x, confidence=0.95):
    alpha = 1 - confidence
    lower = sps.chi2.ppf(alpha / 2, 2 * x) / 2 if x > 0 else 0.0
    return lower, sps.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2


def row_rate(x, n, multiplier=1000):
    lower, upper = row_exact(x) if x < 10 else row_byars(x)
    return lower / n * multiplier, upper / n * multiplier


def row_compare(lower, upper, benchmark):
    if np.isnan(lower) or np.isnan(upper) or np.isnan(benchmark):
        return "not compared"
    if lower > benchmark:
        return "better"
    if upper < benchmark:
        return "worse"
    return "similar"


def row_funnel(baseline, population):
    out = []
    for p in (0.975, 0.999):
        half = sps.norm.ppf(p) * np.sqrt(baseline * (1 - baseline) / population)
        out += [max(0.0, baseline - half) * 100, min(1.0, baseline + half) * 100]
    return out


def row_rate_funnel(baseline, population):
    """Rates whose exact Poisson interval reaches the expected count, solved row by row."""
    expected = baseline * population
    out = []
    for p in (0.975, 0.999):
        def touches_from_below(o, p=p):
            return sps.gamma.ppf(p, o + 1) - expected

        def touches_from_above(o, p=p):
            return sps.gamma.ppf(1 - p, o) - expected

        low = brentq(touches_from_below, -1 + 1e-12, 10 * expected + 100, xtol=1e-12)
        high = brentq(touches_from_above, 1e-12, 10 * expected + 100, xtol=1e-12)
        out += [max(low, 0.0) / population, high / population]
    return out


def loop_sii(share, rank, value, se, reps, seed):
    """phe_sii's simulation written as R's apply(): one least-squares fit per replicate."""
    rng = np.random.default_rng(seed)
    design = np.column_stack([np.sqrt(share), rank * np.sqrt(share)])
    slopes = []
    for _ in range(reps):
        y = rng.normal(value, se) * np.sqrt(share)
        (_, slope), *_ = np.linalg.lstsq(design, y, rcond=None)
        slopes.append(slope)
    return np.sort(slopes)


def loop_trend(r, n, t):
    total = sum(n)
    pooled = sum(r) / total
    mean_t = sum(ni * ti for ni, ti in zip(n, t, strict=True)) / total
    score = sum((ti - mean_t) * (ri - ni * pooled) for ri, ni, ti in zip(r, n, t, strict=True))
    spread = sum(ni * (ti - mean_t) ** 2 for ni, ti in zip(n, t, strict=True))
    statistic = score**2 / (pooled * (1 - pooled) * spread)
    return statistic, sps.chi2.sf(statistic, 1)


# -- the run -----------------------------------------------------------------------------------


def main() -> None:
    rng = np.random.default_rng(20240401)
    denominator = rng.integers(50, 20_000, ROWS).astype(float)
    numerator = rng.binomial(denominator.astype(int), 0.2).astype(float)
    count = rng.poisson(denominator * 0.005).astype(float)  # about 0-150, many below 10
    fractional = count + rng.random(ROWS)  # worst case for the exact interval: no repeats
    numerator[::1000] = np.nan
    lower95, upper95 = stats.wilson_ci(numerator, denominator)
    sub = slice(0, SUBSAMPLE)
    rows = []

    def record(name, ours, loop_seconds, loop_rows, difference):
        baseline = loop_seconds * ROWS / loop_rows
        rows.append((name, ours, baseline, baseline / ours, difference))

    def per_row(name, vectorised, loop, reference_of):
        ours = best_of(vectorised)
        seconds, reference = timed(loop)
        record(name, ours, seconds, SUBSAMPLE, reference_of(reference))

    def gap(ours, reference):
        ours = np.asarray(ours, dtype=float)
        reference = np.asarray(reference, dtype=float)
        return float(np.nanmax(np.abs(ours - reference)))

    per_row(
        "wilson_ci", lambda: stats.wilson_ci(numerator, denominator),
        lambda: [row_wilson(x, n) for x, n in zip(numerator[sub], denominator[sub], strict=True)],
        lambda ref: gap(np.column_stack(stats.wilson_ci(numerator[sub], denominator[sub])), ref),
    )
    per_row(
        "byars_ci", lambda: stats.byars_ci(count),
        lambda: [row_byars(x) for x in count[sub]],
        lambda ref: gap(np.column_stack(stats.byars_ci(count[sub])), ref),
    )
    per_row(
        "exact_poisson_ci", lambda: stats.exact_poisson_ci(count),
        lambda: [row_exact(x) for x in count[sub]],
        lambda ref: gap(np.column_stack(stats.exact_poisson_ci(count[sub])), ref),
    )
    per_row(
        "exact_poisson_ci (non-integer)", lambda: stats.exact_poisson_ci(fractional),
        lambda: [row_exact(x) for x in fractional[sub]],
        lambda ref: gap(np.column_stack(stats.exact_poisson_ci(fractional[sub])), ref),
    )
    per_row(
        "rate_ci", lambda: stats.rate_ci(count, denominator),
        lambda: [row_rate(x, n) for x, n in zip(count[sub], denominator[sub], strict=True)],
        lambda ref: gap(np.column_stack(stats.rate_ci(count[sub], denominator[sub])), ref),
    )
    per_row(
        "proportion (DataFrame)", lambda: stats.proportion(numerator, denominator),
        lambda: pd.DataFrame(
            [(x / n * 100, *(100 * v for v in row_wilson(x, n)))
             for x, n in zip(numerator[sub], denominator[sub], strict=True)],
            columns=["value", "lower", "upper"]),
        lambda ref: gap(stats.proportion(numerator[sub], denominator[sub]), ref),
    )
    per_row(
        "rate (DataFrame)", lambda: stats.rate(count, denominator),
        lambda: pd.DataFrame(
            [(x / n * 1000, *row_rate(x, n)) for x, n in zip(count[sub], denominator[sub],
                                                             strict=True)],
            columns=["value", "lower", "upper"]),
        lambda ref: gap(stats.rate(count[sub], denominator[sub]), ref),
    )
    per_row(
        "compare", lambda: stats.compare(lower95, upper95, 0.2),
        lambda: [row_compare(lo, hi, 0.2) for lo, hi in zip(lower95[sub], upper95[sub],
                                                             strict=True)],
        lambda ref: float((stats.compare(lower95[sub], upper95[sub], 0.2) != np.array(ref)).sum()),
    )
    keep = ~np.isnan(numerator)
    pooled = numerator[keep].sum() / denominator[keep].sum()
    per_row(
        "proportion_funnel (at 1M populations)",
        lambda: stats.proportion_funnel(numerator, denominator, population=denominator),
        lambda: [row_funnel(pooled, n) for n in denominator[sub]],
        lambda ref: gap(stats.proportion_funnel(numerator, denominator, population=denominator[sub])
                        [["lower_95", "upper_95", "lower_998", "upper_998"]], ref),
    )
    grid = stats.proportion_funnel(numerator, denominator)["population"].to_numpy()
    ours = best_of(lambda: stats.proportion_funnel(numerator, denominator))
    seconds, reference = timed(lambda: (np.nansum(numerator) / denominator[keep].sum(),
                                        [row_funnel(pooled, n) for n in grid]))
    ours_grid = stats.proportion_funnel(numerator, denominator)
    record("proportion_funnel (1M areas, 100 points)", ours, seconds, ROWS,
           gap(ours_grid[["lower_95", "upper_95", "lower_998", "upper_998"]], reference[1]))

    events = count.sum() / denominator.sum()
    ours = best_of(lambda: stats.rate_funnel(count, denominator, multiplier=1))
    seconds, reference = timed(lambda: (count.sum() / denominator.sum(),
                                        [row_rate_funnel(events, n) for n in grid]))
    ours_grid = stats.rate_funnel(count, denominator, multiplier=1)
    record("rate_funnel (1M areas, 100 points)", ours, seconds, ROWS,
           gap(ours_grid[["lower_95", "upper_95", "lower_998", "upper_998"]], reference[1]))
    few = denominator[:100_000]
    ours = best_of(lambda: stats.rate_funnel(count, denominator, multiplier=1, population=few),
                   repeat=1)
    seconds, reference = timed(lambda: [row_rate_funnel(events, n) for n in few[:200]])
    check = stats.rate_funnel(count, denominator, multiplier=1, population=few[:200])
    rows.append(("rate_funnel (at 100,000 populations)", ours, seconds * 500,
                 seconds * 500 / ours,
                 gap(check[["lower_95", "upper_95", "lower_998", "upper_998"]], reference)))

    # SII: 10 deciles, 100,000 simulations (the national default), against a loop of fits
    share = np.full(10, 0.1)
    rank = np.cumsum(share) - share / 2
    value = np.linspace(80, 76, 10)
    se = np.full(10, 0.8)
    reps, loop_reps = 100_000, 5_000
    ours = best_of(lambda: stats.sii(np.arange(1, 11), share * 1e5, value, se=se, reps=reps))
    seconds, slopes = timed(lambda: loop_sii(share, rank, value, se, loop_reps, 3))
    result = stats.sii(np.arange(1, 11), share * 1e5, value, se=se, reps=reps)
    difference = abs(result["sii_lower"] - slopes[round(loop_reps * 0.025) - 1])
    rows.append(("sii (100,000 simulations)", ours, seconds * reps / loop_reps,
                 seconds * reps / loop_reps / ours, difference))

    years = np.arange(ROWS) % 30 + 1995.0
    filled = np.nan_to_num(numerator)
    ours = best_of(lambda: stats.trend_test(filled, denominator, years))
    loop_rows = 200_000
    seconds, reference = timed(lambda: loop_trend(filled[:loop_rows].tolist(),
                                                  denominator[:loop_rows].tolist(),
                                                  years[:loop_rows].tolist()))
    check = stats.trend_test(filled[:loop_rows], denominator[:loop_rows], years[:loop_rows])
    record("trend_test", ours, seconds, loop_rows, abs(check["statistic"] - reference[0]))

    print(f"jsnalib.methods.stats on {ROWS:,} rows (best of 3) against per-row scipy.stats loops "
          f"timed on {SUBSAMPLE:,} rows and scaled up, same run")
    print(f"{'function':42s} {'jsnalib s':>10s} {'loop s':>10s} {'ratio':>9s} {'max diff':>10s}")
    for name, seconds, baseline, ratio, difference in rows:
        print(f"{name:42s} {seconds:10.3f} {baseline:10.1f} {ratio:8.0f}x {difference:10.2g}")
    slow = [name for name, seconds, *_ in rows if seconds >= 1]
    print("all under one second" if not slow else f"one second or more: {', '.join(slow)}")


if __name__ == "__main__":
    main()
