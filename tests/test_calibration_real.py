"""Calibration to the real published series: the synthetic referral records against DfE.

data/referrals.csv.gz is synthetic (no real records are public); data/cin_census.csv is DfE's
real *Characteristics of children in need* table C1. For both home authorities and every year
DfE publishes, the records counted as the re-referral page counts them (same-day referrals of
one child merged, then re-referrals flagged with a 12-month look-back) must give DfE's
referrals to within 5% and a re-referral percentage inside the Wilson 95% interval of DfE's
published count over its denominator.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pytest

from jsnalib.chapters.rereferral.load import area_records
from jsnalib.inputs import readers
from jsnalib.inputs.periods import first_full_financial_year
from jsnalib.methods.stats import wilson_ci

DATA = Path(__file__).resolve().parents[1] / "data"
STAFFS, STOKE = "E10000028", "E06000021"
DFE_YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2025)]  # 2012-13 to 2024-25
REFERRAL_TOLERANCE = 0.05


@functools.cache
def census() -> pd.DataFrame:
    geography = readers.load_geography(DATA)
    table = readers.read_cin_census(DATA / "cin_census.csv", geography)
    return table.set_index(["area_code", "financial_year"])


@functools.cache
def record_counts(area: str) -> pd.DataFrame:
    """Referrals and re-referrals by financial year as the re-referral page counts them."""
    geography = readers.load_geography(DATA)
    records = area_records(readers.read_referrals(DATA / "referrals.csv.gz", geography), area)
    counts = records.groupby("financial_year")["rereferral"].agg(["sum", "size"])
    counts.attrs["first_full"] = first_full_financial_year(records["referral_date"].min())
    return counts.rename(columns={"sum": "rereferrals", "size": "referrals"})


CASES = [(area, year) for area in (STAFFS, STOKE) for year in DFE_YEARS]


def test_dfe_publishes_every_year_for_both_authorities():
    for area, year in CASES:
        row = census().loc[(area, year)]
        assert row["referrals"] > 0 and 0 <= row["rereferrals"] <= row["referrals"], (area, year)


@pytest.mark.parametrize("area", [STAFFS, STOKE])
def test_every_dfe_year_has_a_full_look_back_in_the_records(area):
    assert record_counts(area).attrs["first_full"] <= 2012


@pytest.mark.parametrize(("area", "year"), CASES, ids=[f"{a}-{y}" for a, y in CASES])
def test_records_follow_the_dfe_series(area, year):
    published = census().loc[(area, year)]
    n, r = int(published["referrals"]), int(published["rereferrals"])
    ours = record_counts(area).loc[year]
    assert abs(ours["referrals"] - n) <= REFERRAL_TOLERANCE * n, (
        f"{area} {year}: {ours['referrals']} referrals in the records, DfE {n}")
    lower, upper = (100 * v for v in wilson_ci(r, n))
    percent = 100 * ours["rereferrals"] / ours["referrals"]
    assert lower <= percent <= upper, (
        f"{area} {year}: records {percent:.1f}% ({ours['rereferrals']}/{ours['referrals']}), "
        f"DfE {100 * r / n:.1f}% ({r}/{n}), Wilson 95% CI {lower:.1f} to {upper:.1f}")
