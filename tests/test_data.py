"""Readers, contracts, validate_dir and the geography lookup."""

from __future__ import annotations

import gzip
import re
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jsnalib.inputs import contracts
from jsnalib.inputs import readers as data
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.readers import DataError, Problem, load_geography, validate_dir

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
TODAY = date(2024, 6, 30)

STAFFS, STOKE, ENGLAND, WMIDS = "E10000028", "E06000021", "E92000001", "E12000005"
DISTRICTS = [f"E0700019{i}" for i in range(2, 10)]

FT_HEADER = ",".join(c.name for c in contracts.FINGERTIPS.columns)
FT_ROW = ("20601,Reception: Prevalence of overweight (including obesity),,,E92000001,England,"
          "England,Persons,4-5 yrs,,,2018/19,22.6,22.5,22.7,22.4,22.8,135800,600900,,,"
          "Not compared,Not compared,20180000,,")

VALID = {
    "births_deaths.csv": ["area_code,year,live_births,infant_deaths",
                          f"{STOKE},2017,3310,25", f"{STOKE},2018,3250,c", f"{STAFFS},2017,9120,40"],
    "births_deaths_imd.csv": ["area_code,year,imd_quintile,live_births,infant_deaths",
                              f"{STOKE},2017,1,1500,14", f"{STOKE},2017,2,700,*"],
    "population.csv": ["area_code,year,age_group,population",
                       f"{STOKE},2018,0-17,56000", f"{STAFFS},2018,0-17,171500"],
    "referrals.csv.gz": ["referral_id,child_id,referral_date,area_code,source,outcome",
                         f"R1,C1,2019-04-03,{STAFFS},school,child_in_need",
                         f"R2,,2019-05-10,{STOKE},police,no_further_action",
                         f"R3,C1,2019-11-21,{STAFFS},health,child_protection_plan"],
    "cin_census.csv": ["area_code,financial_year,referrals,rereferrals",
                       f"{ENGLAND},2015-16,621470,138590", f"{WMIDS},2015-16,70510,x"],
    "ncmp.csv.gz": ["pupil_id,academic_year,school_year,sex,birth_date,measurement_date,"
                    "height_cm,weight_kg,area_code,imd_decile",
                    f"P1,2018/19,R,female,2014-01-15,2019-02-11,108.2,18.4,{STOKE},1",
                    f"P2,2018/19,6,male,2008-05-02,2019-03-04,146.0,40.1,{DISTRICTS[5]},7"],
    "fingertips_ncmp.csv": [FT_HEADER, FT_ROW],
    "published_figures.csv": [
        "figure_id,topic,area_code,indicator,value,unit,period,comparator_name,"
        "comparator_value,source",
        f"imr_stoke_2017_19,infant_mortality,{STOKE},Infant mortality rate,7.5,"
        "per 1000 live births,2017-19,England,3.9,"
        "Stoke-on-Trent Room to Grow progress report 2020-21 line 128",
        f"pop_u18_staffs,population,{STAFFS},Children and young people under 18,171500,people,"
        "c. 2016,,,Staffordshire Health and Wellbeing Board papers 9 March 2017 line 1033"],
}


def write(path: Path, lines: list[str], newline: str = "\n", bom: bool = False) -> Path:
    body = (newline.join(lines) + newline).encode("utf-8")
    if bom:
        body = b"\xef\xbb\xbf" + body
    path.write_bytes(gzip.compress(body, mtime=0) if path.name.endswith(".gz") else body)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A data folder holding a small valid file for every contract."""
    for name in ("areas.csv", "neighbours.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    for name, lines in VALID.items():
        write(tmp_path / name, lines)
    return tmp_path


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography(DATA)


def problems_of(call) -> list[str]:
    with pytest.raises(DataError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


# --- Problem and DataError -------------------------------------------------------------------
def test_problem_is_one_spreadsheet_line():
    p = Problem("referrals.csv.gz", 18, "referral_date", "2031-02-30", "YYYY-MM-DD",
                "is not a valid date")
    assert str(p) == ("referrals.csv.gz, row 18, column referral_date: '2031-02-30' is not a "
                      "valid date; expected YYYY-MM-DD")


def test_row_numbers_match_the_spreadsheet(folder):
    lines = VALID["referrals.csv.gz"][:1] + [
        f"R{i},C{i},2019-04-03,{STAFFS},school,child_in_need" for i in range(1, 17)]
    lines.append(f"R99,C99,2031-02-30,{STAFFS},school,child_in_need")  # 18th line
    write(folder / "referrals.csv.gz", lines)
    assert problems_of(lambda: data.read_referrals(folder / "referrals.csv.gz", today=TODAY)) == [
        "referrals.csv.gz, row 18, column referral_date: '2031-02-30' is not a valid date; "
        "expected YYYY-MM-DD"]


def test_every_problem_is_collected_and_the_message_is_capped(folder):
    lines = VALID["births_deaths.csv"][:1] + [f"{STOKE},{1900 + i},-{i + 1},0" for i in range(60)]
    write(folder / "births_deaths.csv", lines)
    with pytest.raises(DataError) as caught:
        data.read_births_deaths(folder / "births_deaths.csv", today=TODAY)
    assert len(caught.value.problems) == 60
    message = str(caught.value).splitlines()
    assert message[0] == "60 problems in the input data:"
    assert len(message) == 1 + 50 + 1 and message[-1] == "  ... and 10 more"


def test_huge_numbers_of_bad_rows_are_summarised(folder):
    lines = VALID["population.csv"][:1] + [f"{STOKE},2018,{i}-{i + 1},lots" for i in range(500)]
    write(folder / "population.csv", lines)
    found = problems_of(lambda: data.read_population(folder / "population.csv", today=TODAY))
    assert len(found) == data.PER_CHECK_LIMIT + 1
    assert found[0] == ("population.csv, row 2, column population: 'lots' is not a number; "
                        "expected a whole number >= 1")
    assert found[-1] == ("population.csv, column population: 300 more rows have the same problem "
                         "as row 201 (is not a number); expected a whole number >= 1")


# --- readers ---------------------------------------------------------------------------------
def test_readers_return_typed_frames(folder):
    births = data.read_births_deaths(folder / "births_deaths.csv", today=TODAY)
    assert births.dtypes.to_dict() == {
        "area_code": "str", "year": "int64", "live_births": "Int64", "infant_deaths": "Int64",
        "live_births_note": "str", "infant_deaths_note": "str"}
    refs = data.read_referrals(folder / "referrals.csv.gz", today=TODAY)
    assert refs["referral_date"].dtype.kind == "M"
    assert isinstance(refs["source"].dtype, pd.CategoricalDtype)
    assert list(refs["outcome"].cat.categories) == list(contracts.REFERRAL_OUTCOMES)
    ncmp = data.read_ncmp(folder / "ncmp.csv.gz", today=TODAY)
    assert ncmp["birth_date"].dtype.kind == "M" and ncmp["height_cm"].dtype == "float64"
    assert ncmp["imd_decile"].dtype == "int64" and list(ncmp["school_year"].cat.categories) == [
        "R", "6"]
    cin = data.read_cin_census(folder / "cin_census.csv", today=TODAY)
    assert cin["financial_year"].tolist() == ["2015-16", "2015-16"]
    figures = data.read_published_figures(folder / "published_figures.csv")
    assert figures["comparator_value"].isna().tolist() == [False, True]
    assert data.read_areas(folder / "areas.csv")["area_type"].dtype == "category"
    assert data.read_neighbours(folder / "neighbours.csv")["rank"].dtype == "int64"


@pytest.mark.parametrize("marker", sorted(contracts.SUPPRESSION_MARKERS))
def test_suppression_markers_read_as_missing_with_a_reason(folder, marker):
    write(folder / "births_deaths.csv",
          ["area_code,year,live_births,infant_deaths", f"{STOKE},2017,3310,{marker}",
           f"{STOKE},2018,3250,0"])
    births = data.read_births_deaths(folder / "births_deaths.csv", today=TODAY)
    assert births["infant_deaths"].isna().tolist() == [True, False]
    assert births["infant_deaths"].iloc[1] == 0  # a real zero stays zero
    assert births["infant_deaths_note"].iloc[0] == contracts.SUPPRESSION_MARKERS[marker]
    assert pd.isna(births["infant_deaths_note"].iloc[1])
    assert births["infant_deaths"].sum() == 0  # never silently counted


def test_imd_file_is_read_with_its_own_key(folder):
    births = data.read_births_deaths(folder / "births_deaths_imd.csv", today=TODAY)
    assert births["imd_quintile"].tolist() == [1, 2]
    assert births["infant_deaths_note"].tolist()[1] == "suppressed by the publisher (*)"


def test_fingertips_export_is_read_as_is(folder):
    header = FT_HEADER.replace(",Compared to percentiles,",
                               ",Compared to Region value or percentiles,")
    row = FT_ROW.replace(",135800,", ",*,")
    write(folder / "fingertips_ncmp.csv", [header + ",Time period range", row + ",1y"])
    ft = data.read_fingertips(folder / "fingertips_ncmp.csv")
    assert list(ft.columns) == header.split(",") + ["Time period range"]
    assert ft["Value"].dtype == "float64" and ft["Value"].iloc[0] == pytest.approx(22.6)
    assert np.isnan(ft["Count"].iloc[0])
    assert ft["Value note"].iloc[0] == "Count: suppressed by the publisher (*)"
    assert ft["Indicator ID"].dtype == "int64"


def test_blank_child_id_is_allowed_but_reported(folder):
    refs = data.read_referrals(folder / "referrals.csv.gz", today=TODAY)
    assert refs["child_id"].isna().sum() == 1
    assert refs.attrs["notes"] == ["referrals.csv.gz: 1 row has a blank child_id"]


def test_bom_windows_line_endings_blank_lines_and_gzip_are_accepted(folder):
    lines = VALID["births_deaths.csv"]
    expected = data.read_births_deaths(folder / "births_deaths.csv", today=TODAY)
    for name, kwargs in [("a.csv", {"bom": True}), ("b.csv", {"newline": "\r\n"}),
                         ("c.csv.gz", {"bom": True, "newline": "\r\n"})]:
        write(folder / name, lines, **kwargs)
        pd.testing.assert_frame_equal(data.read_births_deaths(folder / name, today=TODAY),
                                      expected)
    write(folder / "d.csv", [lines[0], "", lines[1], ",,,", lines[2], lines[3], ""])
    pd.testing.assert_frame_equal(data.read_births_deaths(folder / "d.csv", today=TODAY),
                                  expected)


def test_future_is_judged_against_the_injected_today(folder):
    path = write(folder / "referrals.csv.gz", [VALID["referrals.csv.gz"][0],
                                                f"R1,C1,2024-07-01,{STAFFS},school,child_in_need"])
    assert data.read_referrals(path, today=date(2024, 7, 1))["referral_date"].iloc[0] == (
        pd.Timestamp("2024-07-01"))
    assert problems_of(lambda: data.read_referrals(path, today=date(2024, 6, 30))) == [
        "referrals.csv.gz, row 2, column referral_date: '2024-07-01' is in the future (after "
        "2024-06-30); expected a date on or before 2024-06-30"]


def test_area_codes_need_the_lookups(tmp_path, geo):
    path = write(tmp_path / "population.csv", VALID["population.csv"])
    assert problems_of(lambda: data.read_population(path)) == [
        "population.csv: cannot have its area codes checked: there is no areas.csv and "
        "neighbours.csv beside it; expected areas.csv and neighbours.csv in the same folder, "
        "or pass areas=load_geography(folder)"]
    assert len(data.read_population(path, areas=geo)) == 2
    with pytest.raises(TypeError, match="Geography"):
        data.read_population(path, areas=pd.DataFrame())


def test_missing_file_is_a_data_error(tmp_path):
    assert problems_of(lambda: data.read_areas(tmp_path / "areas.csv"))[0].startswith(
        "areas.csv: does not exist")


def test_every_contract_has_a_reader_and_valid_example():
    assert set(data.READERS) == set(contracts.CONTRACTS)
    named = {data.contract_for(n).name for n in VALID} | {"areas", "neighbours"}
    assert named == set(contracts.CONTRACTS)


def test_column_definitions_are_checked():
    with pytest.raises(ValueError, match="kind"):
        contracts.Column("x", "number", "bad kind")
    with pytest.raises(ValueError, match="allowed"):
        contracts.Column("x", "category", "no vocabulary")


# --- validate_dir ----------------------------------------------------------------------------
def tree(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_valid_folder_has_no_problems_and_nothing_is_written(folder):
    before = tree(folder)
    assert validate_dir(folder, today=TODAY) == []
    assert tree(folder) == before


def test_validate_dir_reports_every_file_problem(folder):
    (folder / "population.csv").unlink()
    write(folder / "birth_deaths.csv", VALID["births_deaths.csv"])
    write(folder / "cin_census.csv.gz", VALID["cin_census.csv"])
    write(folder / "fingertips_92196.csv", [FT_HEADER, FT_ROW.replace(",22.6,", ",high,")])
    write(folder / "ncmp.csv.gz", VALID["ncmp.csv.gz"][:2] + [
        f"P2,2018/19,6,male,2008-05-02,2019-03-04,146.0,400,{STOKE},7"])
    (folder / "notes.md").write_text("analyst notes are ignored")
    before = tree(folder)
    found = [str(p) for p in validate_dir(folder, today=TODAY)]
    assert found == [
        "birth_deaths.csv: is not one of the input files the book reads (is it births_deaths.csv "
        "misspelt?); expected one of areas.csv, neighbours.csv, births_deaths.csv, "
        "births_deaths_imd.csv, population.csv, referrals.csv.gz, cin_census.csv, ncmp.csv.gz, "
        "fingertips_ncmp.csv, published_figures.csv",
        "population.csv: is missing (Mid-year population estimates); expected population.csv "
        "(or population.csv.gz); see data/README.md",
        "cin_census.csv: is present twice, as cin_census.csv and cin_census.csv.gz; expected "
        "only one of the two: delete the out-of-date one",
        "ncmp.csv.gz, row 3, column weight_kg: '400' is outside the possible range; expected a "
        "weight in kg from 5 to 250",
        "fingertips_92196.csv, row 2, column Value: 'high' is not valid; expected a number, "
        "blank, or a marker (c, x, u, z, low, :, .., *, [c], [x], [u], [z], [low])",
    ]
    assert tree(folder) == before


def test_validate_dir_with_broken_lookups_still_checks_the_rest(folder):
    write(folder / "areas.csv", ["area_code,area_name,area_type,parent_code",
                                 f"{ENGLAND},England,country,", f"{STOKE},Stoke,city,{ENGLAND}"])
    write(folder / "ncmp.csv.gz", VALID["ncmp.csv.gz"][:2] + [
        f"P2,2018/19,6,male,2008-05-02,2019-03-04,1460,40,{STOKE},7"])
    found = [str(p) for p in validate_dir(folder, today=TODAY)]
    assert found[0].startswith("areas.csv, row 3, column area_type: 'city' is not an allowed")
    assert found[1].startswith("ncmp.csv.gz, row 3, column height_cm: '1460'")
    assert len(found) == 2


def test_validate_dir_on_a_missing_folder(tmp_path):
    assert [str(p) for p in validate_dir(tmp_path / "nope")] == [
        f"{tmp_path / 'nope'}: is not a folder; expected a folder of input files"]


def test_the_repository_data_folder_is_valid():
    produced = [n for n in VALID if data.contract_for(n) and any(
        (DATA / t).exists() for t in (n, n.removesuffix(".gz"), n.removesuffix(".gz") + ".gz"))]
    if len(produced) < len(VALID):
        pytest.skip("data/ does not yet hold the generated files (run jsnalib.synth)")
    assert [str(p) for p in validate_dir(DATA)] == []


# --- data/README.md --------------------------------------------------------------------------
def test_readme_documents_every_column_of_every_contract():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert "**real**" in text and "**synthetic**" in text and "jsnalib.synth" in text
    assert "jsna validate data" in text and "jsna init E10000028 E06000021" in text
    sections = re.split(r"^### ", text, flags=re.M)
    for contract in contracts.CONTRACTS.values():
        section = next(s for s in sections if s.startswith(f"`{contract.filename}`"))
        for col in contract.columns:
            assert f"| `{col.name}` |" in section, (contract.name, col.name)
        for value in (v for col in contract.columns for v in col.allowed):
            assert f"`{value}`" in section


# --- geography -------------------------------------------------------------------------------
def test_geography_from_the_lookups(geo):
    assert geo.jsna_areas() == [STAFFS, STOKE, *DISTRICTS]
    assert geo.home_authorities() == [STAFFS, STOKE]
    assert geo.lowest_tier() == [STOKE, *DISTRICTS]
    assert geo.name(STOKE) == "Stoke-on-Trent" and geo.names[DISTRICTS[-1]] == "Tamworth"
    assert geo.parent(DISTRICTS[0]) == STAFFS and geo.parent(ENGLAND) is None
    assert geo.children(STAFFS) == DISTRICTS
    assert geo.comparators(DISTRICTS[0]) == [WMIDS, ENGLAND]
    assert geo.comparators(STOKE) == [WMIDS, ENGLAND]
    assert geo.comparators(ENGLAND) == []
    assert geo.region(DISTRICTS[0]) == WMIDS and geo.country() == ENGLAND
    assert geo.upper_tier(DISTRICTS[0]) == STAFFS and geo.upper_tier(STOKE) == STOKE
    assert len(geo.neighbours(STAFFS)) == 10 and geo.neighbours(STOKE)[0] == "E08000030"
    assert geo.neighbours(DISTRICTS[0]) == []
    assert geo.is_known(STOKE) and not geo.is_known("E06999999") and not geo.is_known(None)
    with pytest.raises(ValueError, match="unknown area code 'E06999999'"):
        geo.name("E06999999")


def test_geography_follows_edited_lookups(tmp_path):
    areas = pd.read_csv(DATA / "areas.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame([{"area_code": "E07000200", "area_name": "Newtown",
                           "area_type": "district", "parent_code": STOKE}])
    pd.concat([areas, extra]).to_csv(tmp_path / "areas.csv", index=False)
    neighbours = pd.read_csv(DATA / "neighbours.csv", dtype=str)
    neighbours[neighbours["area_code"] == STOKE].to_csv(tmp_path / "neighbours.csv", index=False)
    geo = load_geography(tmp_path)
    assert geo.jsna_areas() == [STOKE, "E07000200"]
    assert geo.lowest_tier() == ["E07000200"]


def test_geography_load_reports_bad_lookups(tmp_path):
    shutil.copy(DATA / "areas.csv", tmp_path / "areas.csv")
    write(tmp_path / "neighbours.csv", ["area_code,neighbour_code,rank", f"{STOKE},{STOKE},1"])
    assert problems_of(lambda: load_geography(tmp_path)) == [
        "neighbours.csv, row 2, column neighbour_code: 'E06000021' is the area itself; expected "
        "a different area's code"]
    (tmp_path / "neighbours.csv").unlink()
    assert problems_of(lambda: load_geography(tmp_path))[0].startswith(
        "neighbours.csv: is missing")
