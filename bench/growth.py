"""Benchmark: jsnalib.methods.growth (vectorised) against rcpchgrowth (one child at a time).

Classifies 1,000,000 synthetic NCMP children (BMI SDS against UK90, then the NCMP BMI
category), times rcpchgrowth on 2,000 of them in the same run, extrapolates its per-child time
and prints the speed-up. Two baselines: rcpchgrowth's ``Measurement`` class (what its API and
calculator run for each child: dates to age, SDS, centile) and its lower-level
``sds_for_measurement`` (SDS only). Run: ``.venv/bin/python bench/growth.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from rcpchgrowth import Measurement
from rcpchgrowth.global_functions import centile as rcpch_centile
from rcpchgrowth.global_functions import sds_for_measurement

from jsnalib.methods import growth

N_CHILDREN = 1_000_000
N_BASELINE = 2_000
REPEATS = 3


def synthetic_children(n: int, seed: int = 1) -> pd.DataFrame:
    """Reception (4-6 y) and Year 6 (10-12 y) children with dates, sex and a plausible BMI."""
    rng = np.random.default_rng(seed)
    year6 = rng.random(n) < 0.5
    age_days = np.where(year6, rng.integers(3653, 4383, n), rng.integers(1461, 2192, n))
    birth = np.datetime64("2008-09-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    measured = birth + age_days.astype("timedelta64[D]")
    sex = pd.Series(rng.choice(np.array(growth.SEXES), n))
    age = growth.age_in_years(birth, measured)
    sds = np.clip(rng.normal(0.3, 1.2, n), -4.5, 4.5)
    return pd.DataFrame({"birth_date": birth, "measurement_date": measured, "sex": sex,
                         "age": age, "bmi": growth.bmi_from_sds(sds, age, sex)})


def best_of(repeats: int, function) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    children = synthetic_children(N_CHILDREN)
    bmi, age, sex = children["bmi"].to_numpy(), children["age"].to_numpy(), children["sex"]

    ours, category = best_of(REPEATS, lambda: growth.classify_bmi(growth.bmi_sds(bmi, age, sex)))

    sample = children.iloc[:N_BASELINE]
    dates = [(pd.Timestamp(b).date(), pd.Timestamp(m).date())
             for b, m in zip(sample["birth_date"], sample["measurement_date"], strict=True)]

    start = time.perf_counter()
    measured = [Measurement(birth_date=b, observation_date=m, measurement_method="bmi",
                            observation_value=float(v), reference="uk-who", sex=s).measurement
                for (b, m), v, s in zip(dates, sample["bmi"], sample["sex"], strict=True)]
    per_child_measurement = (time.perf_counter() - start) / N_BASELINE

    start = time.perf_counter()
    low_level = []
    for a, v, s in zip(sample["age"], sample["bmi"], sample["sex"], strict=True):
        z = sds_for_measurement(reference="uk-who", age=float(a), measurement_method="bmi",
                                observation_value=float(v), sex=s)
        rcpch_centile(z)
        low_level.append(z)
    per_child_low_level = (time.perf_counter() - start) / N_BASELINE

    ours_sample = growth.bmi_sds(sample["bmi"], sample["age"], sample["sex"])
    diff_measurement = np.max(np.abs(
        ours_sample - [m["measurement_calculated_values"]["chronological_sds"] for m in measured]))
    diff_low_level = np.max(np.abs(ours_sample - np.array(low_level)))

    counts = pd.Series(category).value_counts().reindex(list(growth.BMI_CATEGORIES))
    print(f"jsnalib.methods.growth vs rcpchgrowth {growth.reference_source().split()[-1]}")
    print(f"children classified (bmi_sds + classify_bmi): {N_CHILDREN:,}")
    print(f"  jsnalib.methods.growth: {ours:.3f} s (best of {REPEATS})")
    print("  categories: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    for label, per_child, diff in (
            ("rcpchgrowth Measurement (dates -> SDS, centile)", per_child_measurement,
             diff_measurement),
            ("rcpchgrowth sds_for_measurement + centile", per_child_low_level, diff_low_level)):
        extrapolated = per_child * N_CHILDREN
        print(f"  {label}: {per_child * 1e3:.3f} ms/child on {N_BASELINE:,}, "
              f"{extrapolated:,.0f} s extrapolated to {N_CHILDREN:,}; "
              f"speed-up {extrapolated / ours:,.0f}x; max |SDS difference| {diff:.1e}")


if __name__ == "__main__":
    main()
