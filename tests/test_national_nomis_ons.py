"""NOMIS births and deaths, ONS child mortality death-cohort workbooks (tiny workbooks built
here in the published layouts; numbers for Stoke-on-Trent and Staffordshire as published)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from jsnalib.inputs import national
from jsnalib.inputs.contracts import BIRTHS_DEATHS, BIRTHS_DEATHS_COHORT
from jsnalib.inputs.readers import DataError

YEARS = list(range(2013, 2023))
#: NOMIS live births and deaths aged under 1 (ONS), 2013-2022, as published.
BIRTHS = {
    ("E06000021", "Stoke-on-Trent"): [3555, 3641, 3391, 3499, 3293, 3314, 3256, 3109, 2967,
                                      3059],
    ("E10000028", "Staffordshire"): [8580, 8672, 8508, 8691, 8491, 8299, 8301, 7945, 8280,
                                     8021],
}
DEATHS = {
    ("E06000021", "Stoke-on-Trent"): [26, 26, 32, 25, 25, 26, 23, 14, 33, 20],
    ("E10000028", "Staffordshire"): [39, 34, 53, 47, 41, 40, 40, 42, 45, 37],
}
BIRTHS_HEADER = ["DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "MEASURE_NAME", "MEASURES_NAME",
                 "OBS_VALUE"]
DEATHS_HEADER = [
    "DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "CAUSE_OF_DEATH", "CAUSE_OF_DEATH_NAME",
    "CAUSE_OF_DEATH_CODE", "CAUSE_OF_DEATH_TYPE", "CAUSE_OF_DEATH_TYPECODE",
    "CAUSE_OF_DEATH_SORTORDER", "GENDER", "GENDER_NAME", "GENDER_CODE", "GENDER_TYPE",
    "GENDER_TYPECODE", "GENDER_SORTORDER", "AGE", "AGE_NAME", "AGE_CODE", "AGE_TYPE",
    "AGE_TYPECODE", "AGE_SORTORDER", "MEASURE_NAME", "MEASURES_NAME", "OBS_VALUE"]


def births_rows() -> list[list]:
    return [[y, name, code, "Live births", "Value", BIRTHS[(code, name)][i]]
            for i, y in enumerate(YEARS) for code, name in BIRTHS]


def deaths_rows() -> list[list]:
    out = []
    for i, y in enumerate(YEARS):
        for code, name in DEATHS:
            for age, age_name, value in ((0, "total (all ages)", 2000 + i),
                                         (1, "Aged under 1", DEATHS[(code, name)][i])):
                out.append([y, name, code, 0, "A00-R99,U00-Y89 All causes, all ages", "Total",
                            "cause of death", 1001, 0, 0, "Total", 0, "Sex", 1000, 0, age,
                            age_name, age, "ageband", 1000, age, "Deaths", "Value", value])
    return out


def write_xlsx(path: Path, header: list, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def nomis_births(tmp_path) -> Path:
    return write_xlsx(tmp_path / "nomis_live_births.xlsx", BIRTHS_HEADER, births_rows())


@pytest.fixture
def nomis_deaths(tmp_path) -> Path:
    return write_xlsx(tmp_path / "nomis_deaths.xlsx", DEATHS_HEADER, deaths_rows())


# --------------------------------------------------------------------------------------------
# ONS child mortality workbook in the published layouts (2020: Table_3, 2021: 3)
# --------------------------------------------------------------------------------------------
HEADER3 = ["Area of usual residence (code)", "Area of usual residence (name)",
           "Area of usual residence (geography)", "Live births", "Stillbirths",
           "Perinatal deaths", "Neonatal deaths", "Postneonatal deaths", "Infant deaths",
           "Stillbirth rate", "Stillbirth unreliable indicator ", "Perinatal mortality rate",
           "Perinatal unreliable indicator ", "Neonatal mortality rate",
           "Neonatal unreliable indicator", "Postneonatal mortality rate",
           "Postneonatal unreliable indicator", "Infant mortality rate",
           "Infant unreliable indicator "]
ROWS3 = {
    2020: [
        ["K04000001, J99000001", "ENGLAND, WALES AND ELSEWHERE", "Country", 613936, 2371, 3667,
         1651, 575, 2226, 3.8, None, 5.9, None, 2.7, None, 0.9, None, 3.6, None],
        ["K04000001", "ENGLAND AND WALES", "Country", 613833, 2358, 3653, 1648, 569, 2217, 3.8,
         None, 5.9, None, 2.7, None, 0.9, None, 3.6, None],
        ["E92000001", "ENGLAND", "Country", 585195, 2231, 3466, 1564, 536, 2100, 3.8, None, 5.9,
         None, 2.7, None, 0.9, None, 3.6, None],
        ["E12000005", "WEST MIDLANDS", "Region", 63748, 280, 499, 274, 66, 340, 4.4, None, 7.8,
         None, 4.3, None, 1, None, 5.3, None],
        ["E06000021", "Stoke-on-Trent", "Unitary Authority", 3109, 16, 27, 14, 2, 16, 5.1, "u",
         8.6, None, 4.5, "u", ":", "u", 5.1, "u"],
        ["E10000028", "Staffordshire", "County", 7945, 23, 54, 40, 5, 45, 2.9, None, 6.8, None,
         5, None, 0.6, "u", 5.7, None],
        ["E07000192", "Cannock Chase", "Non-metropolitan District", 1023, 3, 11, 9, 0, 9, 2.9,
         "u", 10.7, "u", 8.8, "u", ":", "u", 8.8, "u"],
        ["E13000001", "Inner London", "Metropolitan County", 42830, 179, 261, 99, 37, 136, 4.2,
         None, 6.1, None, 2.3, None, 0.9, None, 3.2, None],
        ["E06000052, E06000053", "Cornwall and Isles of Scilly", "Unitary Authority", 4729, 16,
         27, 13, 1, 14, 3.4, "u", 5.7, None, 2.7, "u", ":", "u", 3, "u"],
        # constructed: a marker in a count cell
        ["E07000193", "East Staffordshire", "Non-metropolitan District", 1312, 3, 6, 4, 0, "z",
         2.3, "u", 4.6, "u", 3, "u", ":", "u", 3, "u"],
        ["W92000004", "WALES", "Country", 28638, 127, 187, 84, 33, 117, 4.4, None, 6.5, None,
         2.9, None, 1.2, None, 4.1, None],
        ["J99000001", "Usual residence outside England and Wales", "Country", 103, 13, 14, 3, 6,
         9, "z", "u", "z", "u", "z", "u", "z", "u", "z", "u"],
    ],
    2021: [
        ["E92000001", "ENGLAND", "Country", 595948, 2451, 3747, 1633, 576, 2209, 4.1, None, 6.3,
         None, 2.7, None, 1, None, 3.7, None],
        ["E06000021", "Stoke-on-Trent", "Unitary Authority", 2967, 6, 23, 23, 7, 30, 2, "[u]",
         7.7, None, 7.8, None, 2.4, "[u]", 10.1, None],
        ["E10000028", "Staffordshire", "County", 8280, 29, 61, 38, 5, 43, 3.5, None, 7.3, None,
         4.6, None, 0.6, "[u]", 5.2, None],
        ["E07000192", "Cannock Chase", "Non-metropolitan District", 1047, 3, 7, 8, 0, 8, 2.9,
         "[u]", 6.7, "[u]", 7.6, "[u]", "[x]", "[u]", 7.6, "[u]"],
        # constructed: a marker in a count cell
        ["E07000193", "East Staffordshire", "Non-metropolitan District", "[x]", 2, 8, 6, 2, 8,
         1.5, "[u]", 5.9, "[u]", 4.4, "[u]", "[x]", "[u]", 5.9, "[u]"],
        ["J99000001", "Usual r+A20:B386esidence outside England and Wales", "Country", 99, 20,
         23, 6, 5, 11, "[z]", None, "[z]", None, "[z]", None, "[z]", None, "[z]", None],
    ],
}
ROWS21 = {  # England by IMD decile, as published (Table 21), two years
    2020: [(2020, "Total", 585195, 2231, 1564, 2100), (2020, 1, 78017, 408, 299, 427),
           (2020, 2, 71644, 328, 245, 334), (2020, 3, 68310, 325, 183, 257),
           (2020, 4, 62664, 232, 169, 230), (2020, 5, 58057, 201, 137, 180),
           (2020, 6, 55959, 192, 132, 164), (2020, 7, 51424, 135, 130, 161),
           (2020, 8, 49652, 147, 102, 134), (2020, 9, 47416, 145, 91, 113),
           (2020, 10, 42052, 118, 76, 100)],
    2021: [(2021, "Total", 595948, 2451, 1633, 2209), (2021, 1, 76361, 429, 296, 422),
           (2021, 2, 69765, 335, 218, 303), (2021, 3, 67361, 309, 206, 296),
           (2021, 4, 63025, 275, 195, 245), (2021, 5, 59022, 239, 165, 210),
           (2021, 6, 57863, 203, 139, 184), (2021, 7, 54256, 177, 114, 150),
           (2021, 8, 52646, 195, 113, 151), (2021, 9, 49992, 165, 98, 135),
           (2021, 10, 45657, 124, 89, 113)],
}


def cim_workbook(path: Path, year: int) -> Path:
    """A workbook in the layout of cim<year>deathcohortworkbook.xlsx (sheets 3 and 21)."""
    wb = openpyxl.Workbook()
    wb.active.title = "Cover_sheet"
    wb.active.append(["Information on the child mortality (death cohort) tables"])
    wb.create_sheet("Contents" if year > 2020 else "Contents ")
    wb.create_sheet("Notes")
    s3 = wb.create_sheet("3" if year > 2020 else "Table_3")
    title = ("Table 3: Live births, stillbirths and infant deaths: area of residence, numbers "
             f"and rates, {year}" + (" " if year > 2020 else "") + "[note 3][note 4][note 5]")
    s3.append([title])
    if year > 2020:
        for line in ("England and Wales, regions (within England), unitary authorities, "
                     "counties, districts, London Boroughs, and Wales",
                     "This worksheet contains one table.",
                     "Some cells refer to notes which can be found on the notes worksheet.",
                     "Notes", "Some shorthand is used in this table, [u] low reliability, "
                     "[x] not available.",
                     "Some cells in this table are empty because the symbols used are not "
                     "applicable.", "[note 3] refers to cells J10 to S10",
                     "Source: Office for National Statistics"):
            s3.append([line])
        s3.append(HEADER3 + [None] * 15)  # trailing empty columns as published
    else:
        for line in ("England and Wales", "This worksheet contains one table.",
                     "Notes for this table can be found on the notes worksheet.",
                     "Source: Office for National Statistics.",
                     "Some cells in this table are empty because the symbols used are not "
                     "applicable."):
            s3.append([line])
        s3.append(HEADER3)
    for r in ROWS3[year]:
        s3.append(r)
    s3.append([None])
    s21 = wb.create_sheet("21" if year > 2020 else "Table_21")
    s21.append([f"Table 21: Live births, stillbirths and infant deaths: Index of Multiple "
                f"Deprivation (IMD){' in England' if year == 2020 else ''}, numbers and rates, "
                f"2010 to {year}[note 4]"])
    if year > 2020:
        s21.append(["England"])
    s21.append(["This worksheet contains one table."])
    s21.append(["Source: Office for National Statistics"])
    s21.append(["Year", "IMD", "Live births", "Stillbirths", "Neonatal deaths", "Infant deaths",
                "Stillbirth rate", "Neonatal mortality rate", "Infant mortality rate"])
    for y in sorted(ROWS21, reverse=True):
        if y <= year:
            for r in ROWS21[y]:
                s21.append([*r, 3.8, 2.7, 3.6])
    wb.save(path)
    return path


@pytest.fixture
def cim2020(tmp_path) -> Path:
    return cim_workbook(tmp_path / "cim2020deathcohortworkbook.xlsx", 2020)


@pytest.fixture
def cim2021(tmp_path) -> Path:
    return cim_workbook(tmp_path / "cim2021deathcohortworkbook.xlsx", 2021)


def _rate(frame: pd.DataFrame, code: str, years: range) -> tuple[int, int, float]:
    sub = frame[(frame["area_code"] == code) & frame["year"].isin(list(years))]
    d, b = int(sub["infant_deaths"].sum()), int(sub["live_births"].sum())
    return d, b, 1000 * d / b


# --------------------------------------------------------------------------------------------
def test_recognise_nomis(nomis_births, nomis_deaths, cim2020, cim2021):
    assert national.recognise(nomis_births) == "nomis_births"
    assert national.recognise(nomis_deaths) == "nomis_deaths"
    assert national.recognise(cim2020) == "ons_child_mortality"
    assert national.recognise(cim2021) == "ons_child_mortality"


def test_nomis_halves(nomis_births, nomis_deaths):
    b = national.read(nomis_births)
    d = national.read(nomis_deaths)
    assert b.contract == d.contract == "births_deaths"
    assert b.columns_present == ("area_code", "year", "live_births")
    assert d.columns_present == ("area_code", "year", "infant_deaths")
    assert d.frame["infant_deaths"].notna().all() and d.frame["live_births"].isna().all()
    assert len(d.frame) == 20  # the all-ages rows are left out
    assert "death" in d.source.basis and "registered" in d.source.basis


def test_nomis_joined_check_figures(nomis_births, nomis_deaths):
    t = national.combine([national.read(nomis_births), national.read(nomis_deaths)])
    f = t.frame
    assert list(f.columns) == BIRTHS_DEATHS.names
    assert str(f["live_births"].dtype) == "Int64" and f["year"].dtype == "int64"
    assert _rate(f, "E06000021", range(2017, 2020))[:2] == (74, 9863)
    assert round(_rate(f, "E06000021", range(2017, 2020))[2], 2) == 7.50
    assert round(_rate(f, "E10000028", range(2013, 2016))[2], 2) == 4.89
    assert _rate(f, "E06000021", range(2020, 2023))[:2] == (67, 9135)
    assert _rate(f, "E10000028", range(2020, 2023))[:2] == (124, 24246)


def test_nomis_csv_same_as_xlsx(tmp_path, nomis_births):
    path = tmp_path / "nomis_births.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(BIRTHS_HEADER)
        w.writerows(births_rows())
    assert national.recognise(path) == "nomis_births"
    pd.testing.assert_frame_equal(national.read(path).frame, national.read(nomis_births).frame)


def test_nomis_split_by_sex_is_refused(tmp_path):
    rows = deaths_rows()
    extra = [r[:10] + ["Female"] + r[11:] for r in rows if r[16] == "Aged under 1"][:1]
    path = write_xlsx(tmp_path / "deaths.xlsx", DEATHS_HEADER, rows + extra)
    with pytest.raises(DataError, match="repeats row") as exc:
        national.read(path)
    assert any("single sex" in p.expected for p in exc.value.problems)


def test_nomis_bad_value(tmp_path):
    rows = births_rows()
    rows[3][5] = "3,293"
    path = write_xlsx(tmp_path / "b.xlsx", BIRTHS_HEADER, rows)
    with pytest.raises(DataError) as exc:
        national.read(path)
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == (5, "OBS_VALUE", "3,293")


def test_child_mortality_table3(cim2020, cim2021):
    t20 = national.read(cim2020)
    assert t20.contract == "births_deaths_cohort" and t20.layout == "ons_child_mortality"
    assert list(t20.frame.columns) == BIRTHS_DEATHS_COHORT.names
    assert set(t20.frame["basis"]) == {"death_cohort"}
    f = t20.frame.set_index("area_code")
    assert f.loc["E06000021", "infant_deaths"] == 16  # death cohort (NOMIS registered: 14)
    assert f.loc["E10000028", "live_births"] == 7945
    assert f.loc["E07000192", "infant_deaths"] == 9  # districts are there
    assert set(t20.frame["year"]) == {2020}
    for code in ("E13000001", "J99000001", "W92000004", "K04000001"):
        assert code not in f.index
    assert t20.source.basis.startswith("death cohort")
    assert any("Cornwall and Isles of Scilly" in n for n in t20.source.notes)
    # the marker in a count cell: missing with its reason
    m = t20.missing
    assert m[["area_code", "period", "column", "marker"]].values.tolist() == [
        ["E07000193", "2020", "infant_deaths", "z"]]
    assert pd.isna(f.loc["E07000193", "infant_deaths"])
    t21 = national.read(cim2021)
    assert set(t21.frame["year"]) == {2021}
    assert t21.missing["marker"].tolist() == ["[x]"]
    assert t21.missing["reason"].iloc[0] == "not available ([x])"


def test_child_mortality_imd_deciles(cim2020, cim2021):
    t = national.read(cim2021, table="imd")
    assert t.contract == "births_deaths_imd_decile"
    assert list(t.frame.columns) == ["area_code", "year", "imd_decile", "live_births",
                                     "infant_deaths"]
    assert len(t.frame) == 20 and set(t.frame["imd_decile"]) == set(range(1, 11))
    row = t.frame[(t.frame["year"] == 2021) & (t.frame["imd_decile"] == 1)].iloc[0]
    assert (row["live_births"], row["infant_deaths"]) == (76361, 422)
    both = national.combine([national.read(cim2020, table="imd"), t])
    assert len(both.frame) == 20  # 2020 repeated in both releases, values agree


def test_read_tables_gives_both(cim2021):
    assert [t.contract for t in national.read_tables(cim2021)] == [
        "births_deaths_cohort", "births_deaths_imd_decile"]


def test_registrations_and_cohort_not_mixed(tmp_path, nomis_births, nomis_deaths, cim2020):
    tables = [national.read(p) for p in (nomis_births, nomis_deaths, cim2020)]
    with pytest.raises(ValueError, match="different contracts"):
        national.combine(tables)
    with pytest.raises(DataError, match="different bases"):  # one contract, two bases
        national.combine([tables[0], replace(tables[1], source=tables[2].source)])
    # imported together, each basis goes to its own file
    written = national.import_files([nomis_births, nomis_deaths, cim2020], tmp_path)
    assert sorted(p.name for p in written) == [
        "births_deaths.csv", "births_deaths_cohort.csv", "births_deaths_imd_decile.csv"]
    registered = pd.read_csv(tmp_path / "births_deaths.csv")
    assert set(registered["year"]) == set(YEARS) and "basis" not in registered
    cohort = pd.read_csv(tmp_path / "births_deaths_cohort.csv")
    assert set(cohort["year"]) == {2020} and set(cohort["basis"]) == {"death_cohort"}


def test_births_without_deaths_for_some_years(tmp_path, nomis_births):
    rows = [r for r in deaths_rows() if r[0] != 2022]
    deaths = write_xlsx(tmp_path / "d.xlsx", DEATHS_HEADER, rows)
    with pytest.raises(DataError, match="no infant_deaths"):
        national.combine([national.read(nomis_births), national.read(deaths)])


def test_missing_sheet_3(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Table_4"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(DataError, match="layout not known"):
        national.recognise(tmp_path / "x.xlsx")


# --------------------------------------------------------------------------------------------
# real excerpts of the ONS workbooks (tests/data/national/PROVENANCE.md): cell values copied
# unchanged from data/national/cim2020deathcohortworkbook.xlsx and cim2021...xlsx

EXCERPTS = Path(__file__).resolve().parent / "data" / "national"
#: (live births, infant deaths) as printed in Table 3 of each workbook.
PUBLISHED3 = {
    2020: {"E92000001": (585195, 2100), "E12000005": (63748, 340), "E10000028": (7945, 45),
           "E06000021": (3109, 16), "E07000192": (1023, 9), "E07000198": (736, 3),
           "E07000199": (805, 11)},
    2021: {"E92000001": (595948, 2209), "E12000005": (63846, 360), "E10000028": (8280, 43),
           "E06000021": (2967, 30), "E07000192": (1047, 8), "E07000198": (731, 2),
           "E07000199": (868, 4)},
}


@pytest.mark.parametrize("year", [2020, 2021])
def test_real_excerpt_table3(year):
    path = EXCERPTS / f"cim{year}_excerpt.xlsx"
    assert national.recognise(path) == "ons_child_mortality"
    t = national.read(path)
    assert t.contract == "births_deaths_cohort" and t.missing.empty
    f = t.frame.set_index("area_code")
    for code, (births, deaths) in PUBLISHED3[year].items():
        assert (f.loc[code, "live_births"], f.loc[code, "infant_deaths"]) == (births, deaths)
    assert set(f["year"]) == {year} and set(f["basis"]) == {"death_cohort"}
    districts = f.loc[[f"E0700019{i}" for i in range(2, 10)]]
    assert districts[["live_births", "infant_deaths"]].sum().tolist() == list(
        PUBLISHED3[year]["E10000028"])
    # combined, Welsh, "elsewhere" and Inner London rows are left out and listed
    assert not {"W92000004", "W06000015", "E13000001", "K04000001"} & set(f.index)
    assert any("Cornwall and Isles of Scilly" in n for n in t.source.notes)
    if year == 2021:  # the published Wales row (103 live births) does not add up
        assert any("Wales should be 28781" in n for n in t.source.notes)


def test_real_excerpt_table21_both_releases_agree():
    t20, t21 = (national.read(EXCERPTS / f"cim{y}_excerpt.xlsx", table="imd")
                for y in (2020, 2021))
    f = t21.frame.set_index(["year", "imd_decile"])
    assert (f.loc[(2021, 1), "live_births"], f.loc[(2021, 1), "infant_deaths"]) == (76361, 422)
    assert (f.loc[(2021, 10), "live_births"], f.loc[(2021, 10), "infant_deaths"]) == (45657, 113)
    assert f.loc[2021, "live_births"].sum() == PUBLISHED3[2021]["E92000001"][0]
    assert f.loc[2021, "infant_deaths"].sum() == PUBLISHED3[2021]["E92000001"][1]
    both = national.combine([t20, t21])  # 2016-2020 in both releases: the same counts
    assert len(both.frame) == 70 and not any("Total row" in n and "says" in n
                                             for n in t21.source.notes)


def test_real_excerpt_imports_to_the_cohort_files(tmp_path):
    written = national.import_files([EXCERPTS / "cim2020_excerpt.xlsx",
                                     EXCERPTS / "cim2021_excerpt.xlsx"], tmp_path)
    assert sorted(p.name for p in written) == ["births_deaths_cohort.csv",
                                               "births_deaths_imd_decile.csv"]
    cohort = pd.read_csv(tmp_path / "births_deaths_cohort.csv")
    assert list(cohort.columns) == BIRTHS_DEATHS_COHORT.names
    cannock = cohort[cohort["area_code"] == "E07000192"].set_index("year")
    assert cannock["infant_deaths"].to_dict() == {2020: 9, 2021: 8}
    assert "births_deaths.csv" not in {p.name for p in tmp_path.iterdir()}
