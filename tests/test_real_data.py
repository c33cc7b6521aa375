"""The real national downloads shipped in data/national/ and the real default aggregates."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
NATIONAL = DATA / "national"

_ROW = re.compile(r"^\| `national/(?P<file>[^`]+)` \|(?P<cells>.*)\| `(?P<sha>[0-9a-f]{64})` \|$")


def provenance_table() -> dict[str, tuple[list[str], str]]:
    """file -> (cells publisher..copy-from, sha256), from data/README.md's provenance table."""
    rows = {}
    for line in (DATA / "README.md").read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            rows[m["file"]] = ([c.strip() for c in m["cells"].split("|")], m["sha"])
    return rows


def test_every_national_copy_is_listed_with_its_provenance() -> None:
    table = provenance_table()
    shipped = sorted(p.name for p in NATIONAL.iterdir() if p.is_file())
    assert shipped and sorted(table) == shipped
    for file, (cells, _) in table.items():
        publisher, release, licence, source = cells
        assert publisher and release, file
        assert licence == "Open Government Licence v3.0", file
        assert re.search(r"[\w-]+/[\w-]+ @ [0-9a-f]{40}", source), file


@pytest.mark.parametrize("file", sorted(provenance_table()))
def test_national_copy_is_byte_identical_to_the_table(file: str) -> None:
    digest = hashlib.sha256((NATIONAL / file).read_bytes()).hexdigest()
    assert digest == provenance_table()[file][1]


def test_national_copy_matches_the_shared_original_when_present() -> None:
    # ../shared beside the checkout (or beside the folder holding it)
    shared = next((folder / "shared" / "public-data" for folder in (ROOT.parent, ROOT.parents[1])
                   if (folder / "shared" / "public-data").is_dir()), None)
    if shared is None:
        pytest.skip("the shared public-data folder is not beside this checkout")
    originals = {p.name: p for p in shared.rglob("*") if p.is_file()}
    for file in provenance_table():
        assert (NATIONAL / file).read_bytes() == originals[file].read_bytes(), file


def test_attribution_is_stated() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert ("Contains public sector information licensed under the Open Government Licence "
            "v3.0") in text


def _census():
    from jsnalib.inputs.readers import read_cin_census

    return read_cin_census(DATA / "cin_census.csv").set_index(["area_code", "financial_year"])


def _births():
    from jsnalib.inputs.readers import read_births_deaths

    return read_births_deaths(DATA / "births_deaths.csv").set_index(["area_code", "year"])


@pytest.mark.parametrize(("area", "year", "referrals", "rereferrals", "percent"), [
    ("E10000028", "2015-16", 8468, 1594, 18.8),
    ("E10000028", "2023-24", 5045, 710, 14.1),
    ("E10000028", "2024-25", None, None, 14.2),
    ("E06000021", "2019-20", None, None, 33.2),
])
def test_default_rereferrals_are_the_published_dfe_figures(area, year, referrals, rereferrals,
                                                           percent):
    row = _census().loc[(area, year)]
    if referrals is not None:
        assert (row["referrals"], row["rereferrals"]) == (referrals, rereferrals)
    assert round(100 * row["rereferrals"] / row["referrals"], 1) == percent


@pytest.mark.parametrize(("area", "first", "deaths", "births", "rate"), [
    ("E06000021", 2017, 74, 9863, 7.50),
    ("E06000021", 2020, 67, 9135, 7.33),
    ("E10000028", 2013, None, None, 4.89),
    ("E10000028", 2020, 124, 24246, 5.11),
    ("E92000001", 2020, 6918, 1758189, 3.93),  # 3.935: quoted as 3.94 in issue 13
])
def test_default_infant_mortality_is_the_published_ons_count(area, first, deaths, births, rate):
    rows = _births().loc[[(area, y) for y in range(first, first + 3)]]
    d, b = int(rows["infant_deaths"].sum()), int(rows["live_births"].sum())
    if deaths is not None:
        assert (d, b) == (deaths, births)
    assert round(1000 * d / b, 2) == rate


def test_synthetic_manifest_lists_no_real_file() -> None:
    import json

    manifest = json.loads((DATA / "synthetic.json").read_text(encoding="utf-8"))
    real = {"births_deaths.csv", "cin_census.csv", "population.csv", "areas.csv",
            "neighbours.csv", "published_figures.csv"}
    assert not real & set(manifest)
    provenance = (DATA / ".provenance.csv").read_text(encoding="utf-8")
    for name in ("births_deaths.csv", "cin_census.csv", "population.csv"):
        assert name + "," in provenance


# ----------------------------------------------------------------------------------------------
# jsna import


def test_jsna_import_writes_the_tidy_files_and_their_provenance(tmp_path: Path) -> None:
    from jsnalib.build import cli

    out = tmp_path / "data"
    files = [str(NATIONAL / n) for n in ("nomis_live_births_utla_2013-2022.xlsx",
                                         "nomis_deaths_all_and_under1_utla_2013-2022.xlsx")]
    assert cli.main(["import", *files, "--data", str(out)]) == 0
    written = (out / "births_deaths.csv").read_text(encoding="utf-8")
    assert written == (DATA / "births_deaths.csv").read_text(encoding="utf-8")
    assert "nomis_deaths_all_and_under1_utla_2013-2022.xlsx" in (
        out / ".provenance.csv").read_text(encoding="utf-8")


def test_jsna_import_refuses_with_one_line_and_writes_nothing(tmp_path: Path, capsys) -> None:
    from jsnalib.build import cli

    out = tmp_path / "data"
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    births = str(NATIONAL / "nomis_live_births_utla_2013-2022.xlsx")
    assert cli.main(["import", births, str(bad), "--data", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("notes.csv, row 1: is of a layout not known (header: a, b)")
    assert err[-1] == f"1 problem(s): nothing was written to {out}"
    assert not out.exists() or not any(out.iterdir())
    # births without deaths cannot make births_deaths.csv: refused, nothing written
    assert cli.main(["import", births, "--data", str(out)]) == 1
    assert "give(s) no infant_deaths" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_validate_dir_checks_the_optional_imported_files(tmp_path: Path) -> None:
    import shutil

    from jsnalib.inputs.readers import contract_for, validate_dir

    for name in ("areas.csv", "neighbours.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    assert contract_for("births_deaths_imd_decile.csv").name == "births_deaths_imd_decile"
    assert contract_for("fingertips_tidy_92196.csv").filename == "fingertips_tidy.csv"
    (tmp_path / "births_deaths_imd_decile.csv").write_text(
        "area_code,year,imd_decile,live_births,infant_deaths\n"
        "E92000001,2020,1,70000,400\nE92000001,2020,11,70000,400\n", encoding="utf-8")
    problems = [str(p) for p in validate_dir(tmp_path)]
    assert any(p.startswith("births_deaths_imd_decile.csv, row 3, column imd_decile")
               for p in problems)
    assert not any("births_deaths_imd_decile.csv is missing" in p for p in problems)


def test_sources_name_real_files_with_publisher_and_release_and_synthetic_ones() -> None:
    from jsnalib.report.display import data_notice, sources

    text = sources(DATA, ["referrals.csv.gz", "cin_census.csv", "published_figures.csv"]).data
    items = dict(zip(["referrals", "cin_census", "published"],
                     re.findall(r"<li>(.*?)</li>", text), strict=True))
    assert "Department for Education" in items["cin_census"]
    assert "2012-13 to 2024-25" in items["cin_census"] and "Open Government Licence v3.0" in text
    assert "synthetic demonstration records" in items["referrals"]
    assert "synthetic" not in items["cin_census"] and "<code>published_figures.csv</code>" in text
    only_synthetic = data_notice(DATA, ["ncmp.csv.gz"]).data
    assert "jsna-synthetic" in only_synthetic and "published statistics" not in only_synthetic


# ----------------------------------------------------------------------------------------------
# the ONS death-cohort workbooks: what the book shows equals what ONS printed


@functools.cache
def _workbook_table(year: int, table: int) -> list[dict]:
    """Rows of Table 3 or 21 of data/national/cim<year>deathcohortworkbook.xlsx, read straight
    with openpyxl (not with the book's reader): dicts keyed by the published header."""
    import openpyxl

    book = openpyxl.load_workbook(NATIONAL / f"cim{year}deathcohortworkbook.xlsx",
                                  read_only=True)
    sheet = next(n for n in book.sheetnames if n.strip() in (str(table), f"Table_{table}"))
    rows, header = [], None
    for values in book[sheet].iter_rows(values_only=True):
        if header is None:
            if values and values[0] in ("Area of usual residence (code)", "Year"):
                header = [str(h).strip() if h is not None else "" for h in values]
            continue
        if values and values[0] is not None:
            rows.append(dict(zip(header, values, strict=False)))
    return rows


def _cohort_counts(code: str) -> tuple[int, int]:
    """Infant deaths and live births of an area, 2020 and 2021 added, as ONS printed them."""
    deaths = births = 0
    for year in (2020, 2021):
        (row,) = [r for r in _workbook_table(year, 3)
                  if r["Area of usual residence (code)"] == code]
        deaths += int(row["Infant deaths"])
        births += int(row["Live births"])
    return deaths, births


@pytest.mark.parametrize(("district", "deaths", "births"), [
    ("E07000192", 17, 2070),  # Cannock Chase: 9 of 1,023 (2020) + 8 of 1,047 (2021)
    ("E07000199", 15, 1673),  # Tamworth: 11 of 805 + 4 of 868
])
def test_district_infant_mortality_is_the_published_death_cohort(district, deaths, births):
    from jsnalib.chapters import profiles
    from jsnalib.methods import stats

    assert _cohort_counts(district) == (deaths, births)
    results = profiles.analyse(profiles.load(DATA), [district])
    row = results.compared[results.compared["indicator"] == "infant_mortality"].iloc[0]
    assert row["period"] == "2020-21, death cohort"
    assert (row["count"], row["denominator"]) == (deaths, births)
    expected = stats.rate(deaths, births, multiplier=1000)
    assert (row["value"], row["lower"], row["upper"]) == pytest.approx(
        tuple(expected[["value", "lower", "upper"]].iloc[0]))
    england_deaths, england_births = _cohort_counts("E92000001")
    assert row["england"] == pytest.approx(1000 * england_deaths / england_births)
    assert "Child mortality in England and Wales 2020 and 2021, death cohort" in row["note"]


def test_england_deprivation_gradient_is_the_published_table_21():
    from jsnalib.chapters import infant_mortality

    results = infant_mortality.analyse(infant_mortality.load(DATA, "E06000021"))
    deciles = results.deciles.set_index("imd_decile")
    assert results.deciles["period"].iloc[0] == "2017-21"
    table = [r for r in _workbook_table(2021, 21)
             if r["IMD"] != "Total" and 2017 <= int(r["Year"]) <= 2021]
    for decile in range(1, 11):
        rows = [r for r in table if int(r["IMD"]) == decile]
        assert len(rows) == 5
        assert deciles.loc[decile, "infant_deaths"] == sum(int(r["Infant deaths"]) for r in rows)
        assert deciles.loc[decile, "live_births"] == sum(int(r["Live births"]) for r in rows)
    assert results.england_gradient == "higher" and results.england_sii["rii"] > 1
