"""import_files: several downloads -> tidy CSVs in a data folder, atomically."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import test_national_nomis_ons as wb

from jsnalib.inputs import national
from jsnalib.inputs import readers as data
from jsnalib.inputs.national import api
from jsnalib.inputs.readers import DataError

DATA = Path(__file__).parent / "data" / "national"
CIN = DATA / "dfe_cin_c1_excerpt.csv"
POP = DATA / "ons_population_excerpt.csv"
SN25 = DATA / "sn_2025_excerpt.csv"
LTLA = DATA / "ltla_utla_excerpt.csv"


@pytest.fixture
def nomis_births(tmp_path) -> Path:
    return wb.write_xlsx(tmp_path / "nomis_live_births.xlsx", wb.BIRTHS_HEADER, wb.births_rows())


@pytest.fixture
def nomis_deaths(tmp_path) -> Path:
    return wb.write_xlsx(tmp_path / "nomis_deaths.xlsx", wb.DEATHS_HEADER, wb.deaths_rows())


@pytest.fixture
def cim2020(tmp_path) -> Path:
    return wb.cim_workbook(tmp_path / "cim2020deathcohortworkbook.xlsx", 2020)


@pytest.fixture
def cim2021(tmp_path) -> Path:
    return wb.cim_workbook(tmp_path / "cim2021deathcohortworkbook.xlsx", 2021)


def test_import_writes_tidy_csvs_and_provenance(tmp_path, nomis_births, nomis_deaths):
    out = tmp_path / "data"
    written = national.import_files([nomis_births, nomis_deaths, CIN, POP, SN25, LTLA], out)
    names = sorted(p.name for p in written)
    assert names == ["areas.csv", "births_deaths.csv", "cin_census.csv", "neighbours.csv",
                     "population.csv"]
    bd = pd.read_csv(out / "births_deaths.csv")
    assert list(bd.columns) == ["area_code", "year", "live_births", "infant_deaths"]
    assert len(bd) == 20 and bd["infant_deaths"].notna().all()
    prov = pd.read_csv(out / ".provenance.csv", dtype=str)
    assert set(prov["file"]) == set(names)
    row = prov[prov["source_file"] == CIN.name].iloc[0]
    assert row["sha256"] == hashlib.sha256(CIN.read_bytes()).hexdigest()
    assert row["licence"] == "Open Government Licence v3.0"
    assert row["publisher"] == "Department for Education"
    assert set(prov.loc[prov["file"] == "births_deaths.csv", "source_file"]) == {
        nomis_births.name, nomis_deaths.name}
    assert not list(out.glob("*.tmp"))


def test_written_files_pass_the_data_contracts(tmp_path, nomis_births, nomis_deaths):
    out = tmp_path / "data"
    national.import_files([nomis_births, nomis_deaths, CIN, POP, LTLA], out)
    areas = data.read_areas(out / "areas.csv")
    assert "E10000028" in set(areas["area_code"])
    # the excerpt has areas outside areas.csv: read without the area check
    cin = data._read(data.CIN_CENSUS, out / "cin_census.csv", check_areas=False)
    # markers are written as markers data/ accepts, read back as missing with a reason
    scilly = cin[(cin["area_code"] == "E06000053") & (cin["financial_year"] == "2016-17")]
    assert scilly["referrals"].isna().all()
    assert "confidential" in scilly["referrals_note"].iloc[0]
    hereford = cin[(cin["area_code"] == "E06000019") & (cin["financial_year"] == "2023-24")]
    assert hereford["referrals"].isna().all()
    pop = data._read(data.POPULATION, out / "population.csv", check_areas=False)
    assert pop["population"].isna().sum() == 3
    bd = data._read(data.BIRTHS_DEATHS, out / "births_deaths.csv", check_areas=False)
    assert len(bd) == 20
    missing = pd.read_csv(out / ".missing.csv", dtype=str)
    assert {"u", "c", "x"} <= set(missing["marker"])


def test_neighbours_use_the_ees_file_among_the_paths(tmp_path):
    out = tmp_path / "d"
    national.import_files([SN25, CIN], out)
    nb = pd.read_csv(out / "neighbours.csv")
    assert len(nb) == 20
    prov = pd.read_csv(out / ".provenance.csv", dtype=str)
    assert prov.loc[prov["file"] == "neighbours.csv", "model"].iloc[0] == \
        "DfE statistical neighbours 2025"


def test_cim_workbooks_combined(tmp_path, cim2020, cim2021):
    out = tmp_path / "d"
    written = national.import_files([cim2020, cim2021], out)
    assert sorted(p.name for p in written) == ["births_deaths_cohort.csv",
                                               "births_deaths_imd_decile.csv"]
    imd = pd.read_csv(out / "births_deaths_imd_decile.csv")
    assert len(imd) == 20
    bd = pd.read_csv(out / "births_deaths_cohort.csv", dtype=str)
    # the constructed marker cells are written as data/ markers
    assert bd.loc[(bd["area_code"] == "E07000193") & (bd["year"] == "2020"),
                  "infant_deaths"].iloc[0] == "x"


def test_on_error_nothing_is_written(tmp_path, nomis_births):
    out = tmp_path / "d"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    # births alone cannot make births_deaths.csv
    with pytest.raises(DataError, match="no infant_deaths"):
        national.import_files([nomis_births, CIN], out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_bad_file_among_good_ones_writes_nothing(tmp_path):
    bad = tmp_path / "c1.csv"
    bad.write_text(CIN.read_text().replace("8468,1594", "8468,oops"))
    out = tmp_path / "d"
    with pytest.raises(DataError):
        national.import_files([POP, bad], out)
    assert not out.exists() or not any(out.iterdir())


def test_rename_failure_leaves_no_temp_files(tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    calls = []

    def rename(tmp, dest):
        calls.append(dest)
        raise OSError("disk full")

    with pytest.raises(OSError):
        api._write_all(out, {"a.csv": "x\n", "b.csv": "y\n"}, _rename=rename)
    assert len(calls) == 1


def test_provenance_merges_with_earlier_imports(tmp_path):
    out = tmp_path / "d"
    national.import_files([POP], out)
    national.import_files([SN25, CIN], out)
    prov = pd.read_csv(out / ".provenance.csv", dtype=str)
    assert set(prov["file"]) == {"population.csv", "neighbours.csv", "cin_census.csv"}


def test_unknown_layout_lists_known_layouts(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(DataError) as exc:
        national.recognise(path)
    (p,) = exc.value.problems
    assert p.file == "other.csv"
    for name in national.LAYOUTS:
        assert name in p.expected
    assert "referral_count" in p.expected


def test_missing_file():
    with pytest.raises(DataError, match="does not exist"):
        national.recognise("no-such-file.csv")


def test_option_that_does_not_apply():
    with pytest.raises(TypeError, match="period_kind"):
        national.read(CIN, period_kind="financial")
