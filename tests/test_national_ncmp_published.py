"""Fingertips NCMP prevalence values by district and unitary authority -> ncmp_published.csv.

The excerpt (tests/data/national/fingertips_ncmp_values_reception_excerpt.csv) is a
byte-identical line subset of the published file; provenance in tests/data/national/PROVENANCE.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jsnalib.inputs import national, readers
from jsnalib.inputs.contracts import NCMP_PUBLISHED
from jsnalib.inputs.readers import DataError

EXCERPT = Path(__file__).parent / "data" / "national" / "fingertips_ncmp_values_reception_excerpt.csv"
HEADER = EXCERPT.read_text(encoding="utf-8").splitlines()[0]


def _value(frame: pd.DataFrame, code: str, year: str) -> float:
    row = frame[(frame["area_code"] == code) & (frame["academic_year"] == year)]
    assert len(row) == 1, (code, year)
    return float(row["value"].iloc[0])


def test_recognised_and_read_with_the_published_values():
    assert national.recognise(EXCERPT) == "fingertips_ncmp_values"
    table = national.read(EXCERPT)
    assert table.contract == "ncmp_published"
    frame = table.frame
    assert list(frame.columns) == NCMP_PUBLISHED.names
    assert set(frame["school_year"]) == {"R"} and set(frame["measure"]) == {"obese_incl_severe"}
    # Stoke-on-Trent 2014/15: 10.9%, the figure local document 004 quotes (line 260)
    assert _value(frame, "E06000021", "2014/15") == 10.9
    assert _value(frame, "E06000021", "2024/25") == 15.1
    assert _value(frame, "E07000192", "2018/19") == 8.4
    assert _value(frame, "E92000001", "2023/24") == 9.6
    # NA (City of London every year; everyone's 2020/21), combined periods and wards: left out
    assert "E09000001" not in set(frame["area_code"])
    assert "2020/21" not in set(frame.loc[frame["area_code"] == "E06000021", "academic_year"])
    assert not frame["academic_year"].str.contains(" - ").any()
    assert not frame["area_code"].str.startswith("E05").any()
    assert len(frame) == 2 + 10 + 10
    notes = " ".join(table.source.notes)
    assert "1 electoral wards left out" in notes and "5 combined periods left out" in notes
    assert "13 values not published (NA) left out" in notes
    assert table.source.licence == "Open Government Licence v3.0"
    assert "Fingertips" in table.source.publisher


def test_import_writes_a_tidy_file_that_validates(tmp_path):
    written = national.import_files([EXCERPT], tmp_path)
    assert [p.name for p in written] == ["ncmp_published.csv"]
    tidy = readers.read_ncmp_published(tmp_path / "ncmp_published.csv")
    assert _value(tidy, "E06000021", "2019/20") == 14.2
    provenance = pd.read_csv(tmp_path / ".provenance.csv", dtype=str)
    assert provenance["source_file"].tolist() == [EXCERPT.name]
    assert readers.contract_for("ncmp_published.csv") is NCMP_PUBLISHED


def _bad(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "ncmp_values.csv"
    path.write_text(HEADER + "\n" + line + "\n", encoding="utf-8")
    return path


_ROW = ("E06000021,Stoke-on-Trent,UA,{period},{indicator},Percentage,Persons,{value},Worse,NA")
_OBESE = "Reception prevalence of obesity (including severe obesity)"


@pytest.mark.parametrize(("line", "column", "expected"), [
    (_ROW.format(period="2014/15", indicator=_OBESE, value="ten"), "value",
     "a percentage from 0 to 100"),
    (_ROW.format(period="2014/15", indicator=_OBESE, value="110"), "value",
     "a percentage from 0 to 100"),
    (_ROW.format(period="2014/16", indicator=_OBESE, value="10.9"), "period",
     "consecutive years"),
    (_ROW.format(period="2014", indicator=_OBESE, value="10.9"), "period",
     "an academic year such as 2018/19"),
    (_ROW.format(period="2014/15", indicator="Reception prevalence of underweight",
                 value="1.0"), "indicator", "prevalence of obesity"),
    (_ROW.format(period="2014/15", indicator=_OBESE, value="10.9").replace("E06000021",
                                                                              "Stoke"),
     "area_code", "ONS GSS area code"),
])
def test_bad_rows_name_file_row_and_column(tmp_path, line, column, expected):
    path = _bad(tmp_path, line)
    with pytest.raises(DataError) as caught:
        national.read(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("ncmp_values.csv", 2, column)
    assert expected in problem.expected
    assert not (tmp_path / "ncmp_published.csv").exists()


def test_repeated_rows_and_short_rows_are_errors(tmp_path):
    line = _ROW.format(period="2014/15", indicator=_OBESE, value="10.9")
    path = tmp_path / "twice.csv"
    path.write_text("\n".join([HEADER, line, line]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="repeats row 2"):
        national.read(path)
    path.write_text("\n".join([HEADER, "E06000021,Stoke-on-Trent,UA"]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="has 3 fields"):
        national.read(path)


def test_the_shipped_copies_give_the_shipped_tidy_file(tmp_path):
    data = Path(__file__).resolve().parents[1] / "data"
    copies = sorted((data / "national").glob("trafford_fingertips_derived_obese_*.csv"))
    assert len(copies) == 2
    national.import_files(copies, tmp_path)
    assert (tmp_path / "ncmp_published.csv").read_bytes() == (
        data / "ncmp_published.csv").read_bytes()
