"""`jsna init`: home authorities -> jsna.yml, data/areas.csv, data/neighbours.csv from the
national lookups in data/national/ (the 2025 DfE statistical-neighbour model by default)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml

from jsnalib.build import cli, init
from jsnalib.build.pipeline import _expand
from jsnalib.inputs.readers import load_geography, validate_dir

REPO = Path(__file__).resolve().parents[1]
NATIONAL = REPO / "data" / "national"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "national").symlink_to(NATIONAL, target_is_directory=True)
    return tmp_path


def published_neighbours(old_la_code: str) -> list[str]:
    """The 2025 model's row for a DfE LA number, as published: SN_1..SN_10 (DfE numbers)."""
    with (NATIONAL / "sn_model_2025_wide.csv").open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["old_la_code"] == old_la_code:
                return [row[f"SN_{i}"] for i in range(1, 11)]
    raise KeyError(old_la_code)


def gss_of(numbers: list[str]) -> list[str]:
    c1 = pd.read_csv(NATIONAL / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
                     dtype=str, keep_default_na=False)
    latest = c1[(c1["time_period"] == "2025") & (c1["geographic_level"] == "Local authority")]
    code = dict(zip(latest["old_la_code"], latest["new_la_code"], strict=True))
    return [code[n] for n in numbers]


def run_init(project: Path, *codes: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    assert cli.main(["init", "--root", str(project), *codes]) == 0
    areas = pd.read_csv(project / "data" / "areas.csv", dtype=str, keep_default_na=False)
    neighbours = pd.read_csv(project / "data" / "neighbours.csv", dtype={"rank": int})
    config = yaml.safe_load((project / "jsna.yml").read_text(encoding="utf-8"))
    return areas, neighbours, config


def neighbours_of(neighbours: pd.DataFrame, code: str) -> list[str]:
    rows = neighbours[neighbours["area_code"] == code].sort_values("rank")
    assert rows["rank"].tolist() == list(range(1, 11))
    return rows["neighbour_code"].tolist()


@pytest.mark.parametrize(("codes", "numbers", "region", "n_districts"), [
    (["E08000035"], ["383"], "E12000003", 0),                   # Leeds, metropolitan district
    (["E10000016"], ["886"], "E12000008", 12),                  # Kent, county with districts
    (["E06000063"], ["942"], "E12000002", 0),                   # Cumberland, 2023 unitary
    (["E10000028", "E06000021"], ["860", "861"], "E12000005", 8),  # today's book
])
def test_init_writes_home_areas_region_districts_and_published_neighbours(
        project: Path, codes: list[str], numbers: list[str], region: str,
        n_districts: int) -> None:
    areas, neighbours, config = run_init(project, *codes)
    assert config["home_authorities"] == codes
    assert str(config["neighbour_model"]) == "2025"
    by_code = areas.set_index("area_code")
    assert areas["area_code"].tolist()[: 2 + len(codes)] == ["E92000001", region, *codes]
    for code, number in zip(codes, numbers, strict=True):
        assert by_code.at[code, "parent_code"] == region
        assert neighbours_of(neighbours, code) == gss_of(published_neighbours(number))
    districts = by_code[(by_code["area_type"] == "district")]
    assert len(districts) == n_districts
    assert set(districts["parent_code"]) <= set(codes)
    # every authority and region the real series use is there, retired codes marked
    assert by_code.at["E10000006", "end_year"] == "2023"
    assert by_code.at["E10000021", "end_year"] == "2021"
    assert by_code.at["E06000063", "end_year"] == ""
    geo = load_geography(project / "data")
    assert geo.home_authorities() == codes
    runs = list(_expand({"foreach_area": "home_authorities"}, geo, project / "data"))
    assert [r["area_code"] for r in runs] == codes


def test_staffordshire_districts_and_kent_names(project: Path) -> None:
    areas, _, _ = run_init(project, "E10000028", "E06000021")
    staffs = areas[areas["parent_code"] == "E10000028"]
    assert staffs["area_code"].tolist() == [f"E0700019{i}" for i in range(2, 10)]
    assert staffs["area_name"].iat[0] == "Cannock Chase"


@pytest.mark.parametrize(("code", "says"), [
    ("E10000006", "E10000006 Cumbria is retired: replaced by E06000063 Cumberland and "
                  "E06000064 Westmorland and Furness in April 2023"),
    ("E10000021", "replaced by E06000061 North Northamptonshire and E06000062 West "
                  "Northamptonshire in April 2021"),
    ("E07000192", "E07000192 is a district (lower tier) of E10000028 Staffordshire"),
    ("E12000005", "E12000005 West Midlands is a region"),
    ("E06000999", "E06000999 is not an upper-tier authority in England"),
    ("Leeds", "'Leeds' is not an ONS GSS code"),
])
def test_refused_codes_are_named_with_what_was_expected(project: Path, code: str, says: str,
                                                         capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["init", "--root", str(project), "E10000028", code]) == 1
    err = capsys.readouterr().err
    assert says in err and "expected the GSS code of a current upper-tier" in err
    assert len(err.strip().splitlines()) == 1
    assert not (project / "jsna.yml").exists()
    assert not (project / "data" / "areas.csv").exists()


def test_2021_model_and_missing_lookups(project: Path, tmp_path_factory) -> None:
    assert cli.main(["init", "--root", str(project), "--model", "2021", "E10000028"]) == 0
    n = pd.read_csv(project / "data" / "neighbours.csv")
    assert len(n) == 10 and str(yaml.safe_load((project / "jsna.yml").read_text())[
        "neighbour_model"]) == "2021"
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(init.InitError, match=r"data/national/\S+ is missing"):
        init.init_project(empty, ["E10000028"])


def test_the_default_data_follows_the_config() -> None:
    config = init.read_config(REPO)
    geo = load_geography(REPO / "data")
    assert geo.home_authorities() == config["home_authorities"]
    areas, neighbours = init.build_lookups(REPO, config["home_authorities"],
                                           str(config["neighbour_model"]))
    assert (REPO / "data" / "areas.csv").read_text() == areas.to_csv(index=False,
                                                                      lineterminator="\n")
    assert (REPO / "data" / "neighbours.csv").read_text() == neighbours.to_csv(
        index=False, lineterminator="\n")
    assert not [p for p in validate_dir(REPO / "data") if "areas.csv" in str(p)]


def test_init_all_makes_every_current_upper_tier_authority_a_home_authority(project):
    areas, neighbours, config = run_init(project, "--all")
    geo = load_geography(project / "data")
    homes = geo.home_authorities()
    lookup = pd.read_csv(NATIONAL / "LTLA-UTLA_Apr23_Lookup_England-Wales.csv", dtype=str,
                         encoding="utf-8-sig")
    english = set(lookup.loc[lookup["UTLA23CD"].str.startswith("E"), "UTLA23CD"])
    assert set(homes) == english and config["home_authorities"] == homes
    assert not set(homes) & set(init.RETIRED)
    assert "district" not in set(areas["area_type"])  # no record files here name a district
    assert neighbours.groupby("area_code").size().eq(10).all()
    regions = [geo.region(c) for c in homes]
    assert regions == sorted(regions)  # region by region
    assert cli.main(["init", "--all", "E08000035", "--root", str(project)]) == 2


@pytest.mark.parametrize("model", ["2025", "2021"])
def test_init_records_the_neighbour_model_and_lookup_release_for_the_sources(project, model):
    from jsnalib.report.display import sources

    (project / "data" / ".provenance.csv").write_text(
        "file,contract,source_file,publisher,title,release,licence,basis,model,sha256\n"
        "cin_census.csv,cin_census,c1.csv,Department for Education,Children in need,2025,"
        "Open Government Licence v3.0,,,abc\n", encoding="utf-8")
    init.init_project(project, ["E08000035"], model=model)
    rows = {r["file"]: r for r in csv.DictReader(
        (project / "data" / ".provenance.csv").open(encoding="utf-8"))}
    assert set(rows) == {"cin_census.csv", "areas.csv", "neighbours.csv"}  # others kept
    assert rows["neighbours.csv"]["model"] == model
    assert rows["neighbours.csv"]["source_file"] == init.MODELS[model]
    assert rows["areas.csv"]["release"] == "April 2023"
    listed = sources(project / "data", ["neighbours.csv"]).data
    assert f"the {model} statistical-neighbour model" in listed
