"""DfE statistical neighbours and the ONS LTLA-UTLA lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from jsnalib.inputs import national
from jsnalib.inputs.contracts import AREAS, NEIGHBOURS
from jsnalib.inputs.readers import DataError

DATA = Path(__file__).parent / "data" / "national"
CIN = DATA / "dfe_cin_c1_excerpt.csv"
SN21 = DATA / "sn_2021_excerpt.csv"
SN25 = DATA / "sn_2025_excerpt.csv"
LTLA = DATA / "ltla_utla_excerpt.csv"
STAFFS = "E10000028"


def test_recognise_lookups():
    assert national.recognise(SN21) == "dfe_statistical_neighbours"
    assert national.recognise(SN25) == "dfe_statistical_neighbours"
    assert national.recognise(LTLA) == "ons_ltla_utla_lookup"


def test_neighbours_2021():
    t = national.read(SN21, la_codes=CIN)
    assert t.contract == "neighbours"
    assert list(t.frame.columns) == NEIGHBOURS.names
    assert t.frame["rank"].dtype == "int64"
    staffs = t.frame[t.frame["area_code"] == STAFFS].sort_values("rank")
    assert len(staffs) == 10
    # 891 Nottinghamshire first ("Extremely Close"), 830 Derbyshire second
    assert staffs["neighbour_code"].tolist()[:2] == ["E10000024", "E10000007"]
    assert t.source.model == "DfE statistical neighbours 2021"
    assert set(t.frame["area_code"]) == {STAFFS, "E06000021"}  # old block left out
    assert any("Old SNs" in n for n in t.source.notes)


def test_neighbours_2025_uses_codes_as_of_the_model():
    t = national.read(SN25, la_codes=CIN)
    assert t.source.model == "DfE statistical neighbours 2025"
    staffs = t.frame[t.frame["area_code"] == STAFFS]
    # 815 North Yorkshire and 933 Somerset are the 2023 unitary authorities here
    assert {"E06000065", "E06000066"} <= set(staffs["neighbour_code"])


def test_staffordshire_neighbours_shared_by_the_two_models():
    a = national.read(SN21, la_codes=CIN)
    b = national.read(SN25, la_codes=CIN)
    shared = national.shared_neighbours(a, b, STAFFS)
    # Derbyshire, Nottinghamshire, Lancashire, East Riding of Yorkshire
    assert shared == ["E06000011", "E10000007", "E10000017", "E10000024"]


def test_neighbours_need_la_codes():
    with pytest.raises(DataError, match="la_codes="):
        national.read(SN21)


def test_neighbours_mapping_argument():
    t = national.read(SN25, la_codes=national.old_la_code_map(CIN, as_of=2025))
    assert len(t.frame) == 20


def test_unknown_la_number(tmp_path):
    text = SN25.read_text(encoding="utf-8-sig").replace("860,Staffordshire,8,West Midlands,811",
                                                        "860,Staffordshire,8,West Midlands,999")
    path = tmp_path / "sn.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        national.read(path, la_codes=CIN)
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == (2, "SN_1", "999")


def test_include_old_block_needs_their_codes():
    t = national.read(SN21, la_codes=national.old_la_code_map(CIN, as_of=2016) | {
        c: f"E0600{c}99" for c in ("878", "916", "885", "933", "938", "865", "802", "935",
                                   "845", "803", "866", "886", "881", "882", "879", "851",
                                   "373", "921", "880", "891", "830", "937", "888", "887")},
        include_old=True)
    assert "E10000021" in set(t.frame["area_code"])  # Northamptonshire, before 2021


def test_areas_from_lookup():
    t = national.read(LTLA, regions=CIN)
    assert t.contract == "areas"
    f = t.frame.set_index("area_code")
    assert list(t.frame.columns) == AREAS.required_names
    assert f.loc["E92000001", "area_type"] == "country" and \
        str(f.loc["E92000001", "parent_code"]) == "nan"
    assert f.loc["E12000005", "area_type"] == "region"
    assert f.loc["E12000005", "area_name"] == "West Midlands"
    assert f.loc[STAFFS, "area_type"] == "county" and f.loc[STAFFS, "parent_code"] == "E12000005"
    assert f.loc["E06000021", "area_type"] == "unitary"
    assert f.loc["E08000025", "area_type"] == "metropolitan"
    assert f.loc["E09000007", "area_type"] == "metropolitan"
    assert f.loc["E09000007", "parent_code"] == "E12000007"  # Inner London -> London
    assert f.loc["E06000019", "area_name"] == "Herefordshire, County of"
    districts = f[f["area_type"] == "district"]
    assert sorted(districts.index) == [f"E0700019{i}" for i in range(2, 10)]
    assert set(districts["parent_code"]) == {STAFFS}
    assert not any(c.startswith("W") for c in f.index)
    assert t.source.licence == "Open Government Licence v3.0"
    # every parent is in the table (the areas contract's rule)
    assert set(t.frame["parent_code"].dropna()) <= set(t.frame["area_code"])


def test_areas_need_regions():
    with pytest.raises(DataError, match="regions="):
        national.read(LTLA)


def test_areas_region_missing(tmp_path):
    with pytest.raises(DataError, match="has no region"):
        national.read(LTLA, regions={STAFFS: "E12000005"})
