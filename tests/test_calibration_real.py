"""Calibration to the real published series: the synthetic records against DfE and Fingertips.

data/referrals.csv.gz and data/ncmp.csv.gz are synthetic (no real records are public);
data/cin_census.csv is DfE's real *Characteristics of children in need* table C1 and
data/ncmp_published.csv OHID Fingertips' real NCMP obesity prevalence. For both home
authorities and every year DfE publishes, the records counted as the re-referral page counts
them (same-day referrals of one child merged, then re-referrals flagged with a 12-month
look-back) must give DfE's referrals to within 5% and a re-referral percentage inside the Wilson
95% interval of DfE's published count over its denominator; the same holds, exactly, for any
council (Leeds, Kent, Cumberland, made here for a few years). The NCMP records of every
district and unitary authority give Fingertips' published obesity, year by year, inside the
records' Wilson 95% interval (to the nearest child).
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pandas as pd
import pytest

from jsnalib.build.init import build_lookups
from jsnalib.chapters.rereferral.load import area_records
from jsnalib.indicators.ncmp import classify_records
from jsnalib.inputs import readers
from jsnalib.inputs.periods import first_full_financial_year
from jsnalib.methods.stats import wilson_ci
from jsnalib.synth import generate

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


# ----------------------------------------------------------------------------------------------
# any council: records made for Leeds, Kent and Cumberland (2022-23 / 2022/23 onwards, to keep
# the run short) against their real DfE and Fingertips series

OTHERS = {"E08000035": 0, "E10000016": 12, "E06000063": 0}  # Leeds, Kent, Cumberland: districts
FIRST_YEAR = 2022


@pytest.fixture(scope="module")
def others(tmp_path_factory) -> Path:
    """A data folder whose home authorities are Leeds, Kent and Cumberland, with their
    synthetic records from 2022 on (`jsna init`'s lookups, jsnalib.synth.generate)."""
    folder = tmp_path_factory.mktemp("others")
    areas, neighbours = build_lookups(DATA.parent, list(OTHERS))
    areas.to_csv(folder / "areas.csv", index=False)
    neighbours.to_csv(folder / "neighbours.csv", index=False)
    for name in ("cin_census.csv", "population.csv", "ncmp_published.csv"):
        shutil.copy(DATA / name, folder / name)
    generate(folder, lookups=folder, first_year=FIRST_YEAR)
    return folder


def _counts(folder: Path, area: str) -> pd.DataFrame:
    geography = readers.load_geography(folder)
    records = area_records(readers.read_referrals(folder / "referrals.csv.gz", geography), area)
    counts = records.groupby("financial_year")["rereferral"].agg(["sum", "size"])
    return counts.rename(columns={"sum": "rereferrals", "size": "referrals"})


@pytest.mark.parametrize("area", list(OTHERS))
def test_any_council_records_reproduce_dfe_year_by_year(others, area):
    ours = _counts(others, area)
    dfe = census().loc[area]
    dfe = dfe[dfe["referrals"].notna()]
    published = sorted(y for y in dfe.index if int(y[:4]) >= FIRST_YEAR)
    # records only for the years DfE has (Cumberland: from 2023-24, when it was created)
    assert list(ours.index) == published
    for year in published:
        n, r = int(dfe.loc[year, "referrals"]), int(dfe.loc[year, "rereferrals"])
        assert ours.loc[year, "referrals"] == n, (area, year)
        if year == published[0]:
            continue  # no 12-month look-back in the records: re-referrals are not tuned
        assert ours.loc[year, "rereferrals"] == r, (area, year)
        lower, upper = wilson_ci(r, n)
        assert lower <= ours.loc[year, "rereferrals"] / n <= upper


def test_any_council_records_are_deterministic_per_authority(others, tmp_path):
    """An authority's records are seeded by its code: made alone, Leeds gets the same
    referrals and measurements as when made with Kent and Cumberland (ids aside)."""
    leeds = "E08000035"
    areas, neighbours = build_lookups(DATA.parent, [leeds])
    areas.to_csv(tmp_path / "areas.csv", index=False)
    neighbours.to_csv(tmp_path / "neighbours.csv", index=False)
    for name in ("cin_census.csv", "population.csv", "ncmp_published.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    generate(tmp_path, lookups=tmp_path, first_year=FIRST_YEAR)
    for name, columns in (("referrals.csv.gz", ["referral_date", "source", "outcome"]),
                          ("ncmp.csv.gz", ["academic_year", "school_year", "sex", "birth_date",
                                           "measurement_date", "height_cm", "weight_kg"])):
        alone = pd.read_csv(tmp_path / name, dtype=str)
        together = pd.read_csv(others / name, dtype=str)
        together = together[together["area_code"] == leeds]
        assert len(alone) > 1000
        assert (alone[columns].sort_values(columns).to_numpy().tolist()
                == together[columns].sort_values(columns).to_numpy().tolist()), name


def _ncmp_against_fingertips(folder: Path, areas: list[str]) -> pd.DataFrame:
    """Obesity (incl. severe) of the records per area, school year and year, as the obesity
    page counts it (NCMP exclusions, UK90), beside Fingertips' published value."""
    geography = readers.load_geography(folder)
    classified = classify_records(readers.read_ncmp(folder / "ncmp.csv.gz", geography))
    kept = classified[~classified["implausible"]]
    obese = kept["category"].isin(["obese", "severely obese"])
    counts = obese.groupby([kept["area_code"], kept["school_year"].astype(str),
                            kept["academic_year"]], observed=True).agg(["sum", "size"])
    published = readers.read_ncmp_published(DATA / "ncmp_published.csv")
    published = published[(published["measure"] == "obese_incl_severe")
                          & published["area_code"].isin(areas)]
    published = published.set_index(["area_code", "school_year", "academic_year"])["value"]
    published.index = published.index.set_levels(
        published.index.levels[1].astype(str), level=1)
    table = counts.join(published.rename("published"), how="inner")
    assert len(table), "no published cohort in the records"
    lower, upper = wilson_ci(table["sum"].to_numpy(), table["size"].to_numpy())
    return table.assign(percent=100 * table["sum"] / table["size"], lower=100 * lower,
                        upper=100 * upper)


def _assert_within(table: pd.DataFrame) -> None:
    outside = table[(table["published"] < table["lower"]) | (table["published"] > table["upper"])]
    assert outside.empty, outside.to_string()
    # calibrated to the nearest child, not merely inside the interval
    assert (abs(table["percent"] - table["published"]) * table["size"] / 100 <= 1.5).all()


def test_any_council_ncmp_reproduces_fingertips_per_district_and_year(others):
    geography = readers.load_geography(others)
    lowest = geography.lowest_tier()
    assert len(lowest) == sum(n or 1 for n in OTHERS.values())  # Kent's 12 districts
    table = _ncmp_against_fingertips(others, lowest)
    years = {int(y[:4]) for y in table.index.get_level_values("academic_year")}
    assert years == {2022, 2023, 2024}
    assert set(table.index.get_level_values("area_code")) == set(lowest)
    _assert_within(table)


def test_default_ncmp_reproduces_fingertips_per_district_and_year():
    geography = readers.load_geography(DATA)
    lowest = geography.lowest_tier()
    table = _ncmp_against_fingertips(DATA, lowest)
    # every district and Stoke-on-Trent, 2014/15 to 2024/25 except 2020/21 (not published)
    assert len(table) == len(lowest) * 2 * 10
    _assert_within(table)


def test_the_obesity_page_shows_fingertips_beside_the_records():
    from jsnalib.chapters import obesity

    results = obesity.analyse(obesity.load(DATA, STOKE))
    checks = results.fingertips.set_index("school_year")
    assert list(checks.index) == ["R", "6"] and (checks["year"] == 2024).all()
    assert checks.loc["R", "published"] == 15.1 and bool(checks["within"].all())
    words = obesity.text.latest(results)
    assert ("Fingertips (OHID) publishes 15.1% obesity (including severe obesity) for Reception "
            "children in Stoke-on-Trent in 2024/25; these synthetic demonstration records give "
            "15.1%") in words
    # a county has no published figure of its own (its districts have): no such sentence
    county = obesity.analyse(obesity.load(DATA, STAFFS))
    assert county.fingertips.empty and "Fingertips (OHID)" not in obesity.text.latest(county)
