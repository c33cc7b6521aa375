"""Tests of jsnalib.synth: the committed data/ regenerate byte for byte, and they make a
plausible, internally consistent world (volumes, trends, gradients, data-quality quirks).

The published figures themselves are checked in test_calibration.py.
"""

from __future__ import annotations

import functools
import gzip
import json
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jsnalib.inputs import readers as data
from jsnalib.methods import growth
from jsnalib.methods.derive import (
    MissingChildIdWarning,
    financial_year,
    flag_rereferrals,
    months_to_rereferral,
    pool_years,
)
from jsnalib.report.display import SYNTHETIC_MANIFEST
from jsnalib.synth import DEFAULT_SEED, FILES, generate, published_figures
from jsnalib.synth._io import allocate, stream, write_csv
from jsnalib.synth.births import births_deaths

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

ENGLAND, REGION, STAFFS, STOKE = "E92000001", "E12000005", "E10000028", "E06000021"
DISTRICTS = [f"E0700019{i}" for i in range(2, 10)]


# ----------------------------------------------------------------------------------------------
# determinism: a fresh run with the default seed gives the committed bytes


#: The real files of data/ (data/README.md): `jsna synth` reads some of them, writes none.
REAL = ("areas.csv", "neighbours.csv", "births_deaths.csv", "population.csv", "cin_census.csv",
        "published_figures.csv")


@functools.cache
def fresh_synthetic() -> Path:
    """A fresh `jsna synth` run with the default seed in a folder holding the real files of
    data/ (as data/ does; they are checked to be left untouched)."""
    folder = Path(tempfile.mkdtemp(prefix="jsna-synth-"))
    for name in REAL:
        shutil.copy(DATA / name, folder / name)
    paths = generate(folder, seed=DEFAULT_SEED)
    assert [p.name for p in paths] == [*FILES, SYNTHETIC_MANIFEST]
    return folder


def test_synth_writes_only_the_synthetic_files_of_the_manifest(regenerated):
    manifest = json.loads((regenerated / SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest) == sorted(FILES) == STILL_SYNTHETIC
    assert sorted(p.name for p in regenerated.iterdir()) == sorted(
        {*FILES, SYNTHETIC_MANIFEST, *REAL})
    assert not set(FILES) & set(REAL)
    assert {name: (regenerated / name).read_bytes() for name in REAL} == {
        name: (DATA / name).read_bytes() for name in REAL}


def test_synth_needs_the_real_census(tmp_path):
    for name in ("areas.csv", "neighbours.csv", "population.csv", "ncmp_published.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    census = pd.read_csv(DATA / "cin_census.csv", dtype=str)
    census[census["area_code"] != STOKE].to_csv(tmp_path / "cin_census.csv", index=False)
    with pytest.raises(ValueError, match="cin_census.csv has no referrals of E06000021"):
        generate(tmp_path, lookups=tmp_path, first_year=2024)


@pytest.fixture(scope="module")
def regenerated() -> Path:
    return fresh_synthetic()


#: The files data/ still ships as synthetic (the others are real: data/.provenance.csv).
STILL_SYNTHETIC = sorted(json.loads((DATA / SYNTHETIC_MANIFEST).read_text(encoding="utf-8")))


@pytest.mark.slow
@pytest.mark.parametrize("name", STILL_SYNTHETIC)
def test_regenerating_gives_the_committed_bytes(regenerated, name):
    fresh = (regenerated / name).read_bytes()
    committed = (DATA / name).read_bytes()
    assert fresh == committed, (f"data/{name} differs from a fresh `python -m jsnalib.synth "
                                "data`: regenerate data/ and commit it")


@pytest.mark.parametrize("name", [f for f in FILES if f.endswith(".gz")])
def test_gzip_header_is_fixed(name):
    raw = (DATA / name).read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\x00\x00\x00\x00"  # modification time 0
    inner = name[:-3].encode()
    assert raw[10:10 + len(inner) + 1] == inner + b"\x00"  # the CSV's name inside


def test_committed_files_pass_their_contracts():
    assert data.validate_dir(DATA) == []


# ----------------------------------------------------------------------------------------------
# building blocks


def test_allocate_keeps_the_total_and_proportions():
    parts = allocate(10, np.array([1, 1, 1]))
    assert parts.sum() == 10 and sorted(parts.tolist()) == [3, 3, 4]
    assert allocate(0, np.array([2.0, 5.0])).tolist() == [0, 0]
    assert allocate(1000, np.array([0.5, 0.25, 0.25])).tolist() == [500, 250, 250]


def test_write_csv_is_byte_stable_and_refuses_raw_floats(tmp_path):
    frame = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    first = write_csv(frame, tmp_path / "t.csv.gz").read_bytes()
    second = write_csv(frame, tmp_path / "t.csv.gz").read_bytes()
    assert first == second
    assert gzip.decompress(first) == b"a,b\nx,1\ny,2\n"
    with pytest.raises(ValueError, match="float"):
        write_csv(pd.DataFrame({"c": [0.1]}), tmp_path / "f.csv")


def test_streams_are_seeded_and_independent():
    assert stream(1, "births").random() == stream(1, "births").random()
    assert stream(1, "births").random() != stream(2, "births").random()
    assert stream(1, "births").random() != stream(1, "ncmp").random()
    one, _ = births_deaths(stream(1, "births"))
    two, _ = births_deaths(stream(2, "births"))
    assert not one.equals(two)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": True}, "seed"),
])
def test_generate_rejects_bad_seeds(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, **kwargs)


def test_generate_needs_the_lookups(tmp_path):
    with pytest.raises(ValueError, match="cin_census.csv, population.csv, ncmp_published.csv not"):
        generate(tmp_path, lookups=tmp_path)


def test_published_figures_cite_documents_and_lines():
    table = published_figures()
    assert table["figure_id"].is_unique
    assert table["source"].str.fullmatch(r".+ line \d+").all()
    assert set(table["topic"]) == {"infant_mortality", "obesity", "child_protection",
                                   "population"}


# ----------------------------------------------------------------------------------------------
# the committed data: a plausible world


@functools.cache
def births() -> pd.DataFrame:
    """The synthetic births and deaths behind births_deaths_imd.csv (not written: data/ has
    the real births_deaths.csv)."""
    return births_deaths(stream(DEFAULT_SEED, "births"))[0]


@functools.cache
def births_imd() -> pd.DataFrame:
    return data.read_births_deaths(DATA / "births_deaths_imd.csv")


@functools.cache
def referrals() -> pd.DataFrame:
    table = data.read_referrals(DATA / "referrals.csv.gz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingChildIdWarning)
        flags = flag_rereferrals(table)
    return table.assign(financial_year=financial_year(table["referral_date"]),
                        rereferral=flags)


@functools.cache
def ncmp() -> pd.DataFrame:
    table = data.read_ncmp(DATA / "ncmp.csv.gz")
    sex = table["sex"].astype(str).to_numpy()
    age = growth.age_in_years(table["birth_date"], table["measurement_date"])
    flags = growth.flag_implausible(table["height_cm"], table["weight_kg"], age, sex)
    sds = growth.bmi_sds(growth.bmi(table["height_cm"], table["weight_kg"]), age, sex)
    sds[flags["implausible"].to_numpy()] = np.nan
    return table.assign(implausible=flags["implausible"].to_numpy()).join(
        growth.ncmp_flags(growth.classify_bmi(sds)))


def by_year(area: str, column: str = "live_births") -> pd.Series:
    table = births()
    return table[table["area_code"] == area].set_index("year")[column]


def test_births_volumes_and_span():
    table = births()
    assert set(table["area_code"]) == {ENGLAND, REGION, STAFFS, STOKE, *DISTRICTS}
    spans = table.groupby("area_code")["year"].agg(["min", "max", "size"])
    assert (spans["min"] == 2006).all() and (spans["max"] == 2023).all()
    assert (spans["size"] == 18).all()
    assert by_year(STOKE).between(3_000, 3_800).all()
    assert abs(by_year(STOKE).loc[2019] - 3_300) < 150
    assert by_year(STAFFS).between(7_800, 9_000).all()
    assert by_year(ENGLAND).between(570_000, 700_000).all()
    assert by_year(REGION).between(60_000, 74_000).all()


def test_births_add_up_across_areas_and_quintiles():
    districts = births()[births()["area_code"].isin(DISTRICTS)].groupby("year")[
        ["live_births", "infant_deaths"]].sum()
    for column in ("live_births", "infant_deaths"):
        assert (districts[column] == by_year(STAFFS, column)).all()
        assert (by_year(ENGLAND, column) > by_year(REGION, column)).all()
        assert (by_year(REGION, column) >= by_year(STAFFS, column)
                + by_year(STOKE, column)).all()
    quintiles = births_imd().groupby(["area_code", "year"])[["live_births",
                                                             "infant_deaths"]].sum()
    totals = births().set_index(["area_code", "year"]).loc[quintiles.index]
    assert (quintiles.to_numpy() == totals[["live_births", "infant_deaths"]].to_numpy()).all()


def test_infant_mortality_trends_and_gradient():
    rate = by_year(ENGLAND, "infant_deaths") / by_year(ENGLAND) * 1000
    assert 4.8 <= rate.loc[2006] <= 5.2 and 3.6 <= rate.loc[2023] <= 3.9
    region = by_year(REGION, "infant_deaths") / by_year(REGION) * 1000
    assert (region > rate).all()
    pooled = pool_years(births()).set_index(["area_code", "period"])
    imr = pooled["infant_deaths"] / pooled["live_births"] * 1000
    assert (imr.loc[STOKE] > imr.loc[ENGLAND] * 1.4).all()
    quintiles = births_imd().groupby(["area_code", "imd_quintile"])[["infant_deaths",
                                                                     "live_births"]].sum()
    by_quintile = (quintiles["infant_deaths"] / quintiles["live_births"]).unstack()
    assert (by_quintile[1] > by_quintile[5]).all()
    assert by_quintile.loc[ENGLAND].is_monotonic_decreasing
    share_most_deprived = (births_imd().query("imd_quintile == 1").groupby("area_code")[
        "live_births"].sum() / births_imd().groupby("area_code")["live_births"].sum())
    assert share_most_deprived[STOKE] > 0.4 > share_most_deprived[ENGLAND] > \
        share_most_deprived[STAFFS]


@functools.cache
def census() -> pd.DataFrame:
    """The real DfE counts the records are calibrated to."""
    return data.read_cin_census(DATA / "cin_census.csv").set_index(["area_code",
                                                                    "financial_year"])


def test_referral_volumes_follow_dfe_and_span():
    table = referrals()
    assert table["referral_date"].min() >= pd.Timestamp("2011-04-01")
    assert table["referral_date"].max() <= pd.Timestamp("2025-03-31")
    assert table["referral_id"].is_unique
    counts = table.groupby(["area_code", "financial_year"]).size().unstack(0)
    assert counts.index[0] == "2011-12" and counts.index[-1] == "2024-25"
    assert len(counts) == 14
    for area in (STAFFS, STOKE):
        dfe = census().loc[area, "referrals"].loc["2012-13":"2024-25"].astype(float)
        ratio = counts[area].loc[dfe.index] / dfe
        assert ratio.between(1.0, 1.01).all(), ratio  # DfE's, plus a few same-day copies
    # the look-back year is sized like the first published one
    assert abs(counts[STAFFS].loc["2011-12"] / counts[STAFFS].loc["2012-13"] - 1) < 0.05


def test_rereferrals_follow_dfe_and_depend_on_source_and_outcome():
    table = referrals()
    staffs = table[table["area_code"] == STAFFS]
    percent = staffs.groupby("financial_year")["rereferral"].mean() * 100
    dfe = census().loc[STAFFS]
    published = dfe["rereferrals"] / dfe["referrals"] * 100
    years = list(published.index)
    assert (abs(percent.loc[years] - published) < 0.5).all()  # same-day copies count here
    assert percent.loc["2013-14"] < 11 < 18 < percent.loc["2014-15"]  # DfE: 10.2%, 18.5%
    by_source = table.groupby("source", observed=True)["rereferral"].mean()
    assert by_source["police"] > by_source["school"] + 0.08
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingChildIdWarning)
        survival = months_to_rereferral(staffs, "2012-04-01", "2013-03-31")
    back = survival["event"] & (survival["months"] <= 12)
    by_outcome = back.groupby(survival["outcome"], observed=True).mean()
    assert by_outcome["no_further_action"] > by_outcome["child_protection_plan"] + 0.08
    shares = table["outcome"].value_counts(normalize=True)
    assert 0.07 < shares["no_further_action"] < 0.13
    assert 0.2 < table["source"].value_counts(normalize=True)["police"] < 0.33


def test_referral_data_quality_quirks_are_present_but_rare():
    table = referrals()
    missing = table["child_id"].isna()
    assert 0 < missing.mean() < 0.005
    known = table[~missing]
    same_day = known.duplicated(["child_id", "referral_date"])
    assert 0 < same_day.mean() < 0.01
    weekday = table["referral_date"].dt.day_of_week
    assert (weekday >= 5).mean() < 0.08


def test_ncmp_cohorts_dates_and_deprivation_profiles():
    table = ncmp()
    assert table["pupil_id"].is_unique
    years = sorted(table["academic_year"].unique())
    assert len(years) == 19 and (years[0], years[-1]) == ("2006/07", "2024/25")
    sizes = table.groupby(["academic_year", "school_year", table["area_code"] == STOKE],
                          observed=True).size().unstack()
    usual = sizes.drop(index="2019/20", level=0)
    assert usual[True].between(2_700, 3_600).all()  # 0-17 population / 18 x 95% measured
    assert usual[False].between(8_300, 10_000).all()
    covid = sizes.loc["2019/20"]
    assert (covid < usual.groupby(level=1).mean() * 0.8).all().all()
    assert table.loc[table["area_code"] == STOKE, "imd_decile"].mean() < 3.5 < \
        table.loc[table["area_code"] != STOKE, "imd_decile"].mean()
    assert (table["measurement_date"].dt.day_of_week < 5).all()


def test_ncmp_prevalence_rises_with_deprivation_and_jumps_in_2020_21():
    table = ncmp()
    obese = table.groupby(["school_year", "imd_decile"], observed=True)[
        "obese_incl_severe"].mean().unstack(0)
    assert (obese.loc[1] > 1.8 * obese.loc[10]).all()
    by_year = table.groupby(["school_year", "academic_year"], observed=True)[
        "overweight_incl_obese"].mean().unstack(0)
    assert (by_year.loc["2020/21"] > by_year.loc["2018/19"] + 0.03).all()
    assert by_year.loc["2023/24", "6"] > by_year.loc["2006/07", "6"]
    assert (by_year["6"] > by_year["R"]).all()


def test_ncmp_has_a_few_implausible_records():
    share = ncmp()["implausible"].mean()
    assert 0.0003 < share < 0.0008


def test_fingertips_export_is_consistent_with_the_records():
    table = data.read_fingertips(DATA / "fingertips_ncmp.csv")
    assert len(table) == 10 * 2 * 19
    assert set(table["Area Code"]) == {ENGLAND, REGION}
    records = ncmp()
    local = records[~records["implausible"]].groupby(["academic_year", "school_year"],
                                                      observed=True).size()
    excess = table[table["Indicator ID"].isin([20601, 20602])]
    for row in excess.itertuples():
        school_year = "R" if row._1 == 20601 else "6"
        assert row.Denominator >= local.loc[(row._12, school_year)]
    assert (table["Lower CI 95.0 limit"] <= table["Value"]).all()
    assert (table["Value"] <= table["Upper CI 95.0 limit"]).all()
    assert (table["Lower CI 99.8 limit"] <= table["Lower CI 95.0 limit"]).all()
    england = table[table["Area Code"] == ENGLAND]
    assert (england["Compared to England value or percentiles"] == "Not compared").all()
    by_period = excess.pivot_table(index="Time period", columns=["Indicator ID", "Area Code"],
                                   values="Value")
    assert (by_period.loc["2020/21"] > by_period.loc["2018/19"]).all()


# ----------------------------------------------------------------------------------------------
# jsna init: the synthetic records follow the home authorities


@pytest.mark.slow
def test_init_leeds_makes_records_for_leeds_that_validate(tmp_path):
    """`jsna init E08000035` in a copy of the project makes Leeds's synthetic records, and
    `jsna validate` passes (no Staffordshire record is left behind)."""
    import subprocess
    import sys

    from conftest import copy_project

    root = copy_project(tmp_path / "book")
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO / "src")}
    run = [sys.executable, "-m", "jsnalib.build.cli"]
    done = subprocess.run([*run, "init", "E08000035"], cwd=root, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert "wrote data/referrals.csv.gz" in done.stderr
    done = subprocess.run([*run, "validate", "data"], cwd=root, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    referrals = pd.read_csv(root / "data" / "referrals.csv.gz", usecols=["area_code"])
    ncmp = pd.read_csv(root / "data" / "ncmp.csv.gz", usecols=["area_code"])
    assert set(referrals["area_code"]) == set(ncmp["area_code"]) == {"E08000035"}
    manifest = json.loads((root / "data" / SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest) == sorted(FILES)
    assert manifest["referrals.csv.gz"] != json.loads(
        (DATA / SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))["referrals.csv.gz"]


def test_init_without_synthetic_removes_the_record_files(tmp_path):
    from jsnalib.build import init

    data = tmp_path / "data"
    data.mkdir()
    (data / "national").symlink_to(DATA / "national", target_is_directory=True)
    for name in (*FILES, SYNTHETIC_MANIFEST):
        shutil.copy(DATA / name, data / name)
    written = init.init_project(tmp_path, ["E06000063"], synthetic=False)
    assert data / SYNTHETIC_MANIFEST in written
    assert not (data / "referrals.csv.gz").exists() and not (data / "ncmp.csv.gz").exists()
    manifest = json.loads((data / SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest) == ["births_deaths_imd.csv", "fingertips_ncmp.csv"]
    assert (data / "areas.csv").read_text().count("E06000063") >= 1


def test_init_refuses_an_authority_dfe_does_not_publish_and_writes_nothing(tmp_path):
    """The synthetic records cannot be calibrated without DfE's counts: nothing is written."""
    from jsnalib.build import init

    data = tmp_path / "data"
    data.mkdir()
    (data / "national").symlink_to(DATA / "national", target_is_directory=True)
    for name in (*FILES, SYNTHETIC_MANIFEST, "population.csv", "ncmp_published.csv"):
        shutil.copy(DATA / name, data / name)
    census = pd.read_csv(DATA / "cin_census.csv", dtype=str)
    census[census["area_code"] != "E06000063"].to_csv(data / "cin_census.csv", index=False)
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    with pytest.raises(init.InitError, match="no referrals of E06000063.*--no-synthetic"):
        init.init_project(tmp_path, ["E06000063"])
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()} == before
    assert not (tmp_path / "jsna.yml").exists()
