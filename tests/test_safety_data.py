"""Safe to publish, the data side (issue 16): names from input files are never markup, and a typo
that keeps a file valid is caught by plausibility checks (a warning, or an error with --strict)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from jsnalib.build import cli
from jsnalib.inputs import plausibility
from jsnalib.inputs.readers import READERS, DataError, contract_for, load_geography, validate_dir
from jsnalib.report import display

REPO = Path(__file__).resolve().parents[1]
STOKE_2013 = "E06000021,2013,3555,26"  # ONS/NOMIS, as published


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(REPO / "data", folder)
    return folder


def _row(path: Path, line: str) -> int:
    """The spreadsheet row (header = 1) of `line` in `path`."""
    return path.read_text(encoding="utf-8").splitlines().index(line) + 1


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ------------------------------------------------------------------------------------------
# nothing from data is ever markup
@pytest.mark.parametrize("file, old, new, where", [
    ("areas.csv", "E06000021,Stoke-on-Trent,", "E06000021,Stoke<script>alert(1)</script>,",
     "areas.csv, row 5, column area_name:"),
    ("areas.csv", "E06000021,Stoke-on-Trent,", "E06000021,Stoke\x1b[31m,",
     "areas.csv, row 5, column area_name:"),
    ("published_figures.csv", ",2017-19,England,3.9,", ",<b onmouseover=alert(8)>,England,3.9,",
     "published_figures.csv, row 3, column period:"),
    ("published_figures.csv", "Infant mortality rate,7.5,", "javascript:alert(7),7.5,",
     "published_figures.csv, row 3, column indicator:"),
    ("fingertips_ncmp.csv", "E12000005,West Midlands,Region", "E12000005,<svg onload=x>,Region",
     "fingertips_ncmp.csv, row 2, column Area Name:"),
])
def test_validation_refuses_markup_and_control_characters_in_names(data, file, old, new, where):
    _replace(data / file, old, new)
    reader = READERS[contract_for(file).name]
    with pytest.raises(DataError) as caught:
        reader(data / file) if file != "published_figures.csv" else reader(
            data / file, areas=load_geography(REPO / "data"))
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(where) and "contains markup or a control character" in p
               for p in problems), problems


def test_md_escape_makes_any_string_literal_markdown_text():
    assert display.md_escape("Stoke-on-Trent") == "Stoke-on-Trent"
    assert display.md_escape("Newcastle-under-Lyme, 2017/18 (%)") == "Newcastle-under-Lyme, 2017/18 (%)"
    escaped = display.md_escape("Stoke<script>alert(1)</script>\n# [x](javascript:y) *b* $m$ {r}`c`")
    assert "<script>" not in escaped and "\n" not in escaped
    for raw in ("<", ">", "[", "]", "*", "$", "{", "}", "`", "#"):
        assert f"\\{raw}" in escaped


def test_md_escape_renders_back_to_the_original_text():
    markdown_it = pytest.importorskip("markdown_it")
    original = "Stoke<script>alert(1)</script> & *co* [x](javascript:y) _u_ `c`"
    rendered = markdown_it.MarkdownIt("commonmark").renderInline(display.md_escape(original))
    assert "<script>" not in rendered and "<a " not in rendered and "<em>" not in rendered
    import html

    assert html.unescape(rendered) == original


# ------------------------------------------------------------------------------------------
# plausibility
def test_the_shipped_data_is_plausible():
    assert plausibility.check_dir(REPO / "data") == []


def test_the_births_typo_is_a_warning_naming_file_row_and_column(data, capsys):
    row = _row(data / "births_deaths.csv", STOKE_2013)
    _replace(data / "births_deaths.csv", STOKE_2013, "E06000021,2013,35,26")
    assert validate_dir(data) == []  # valid: 26 deaths <= 35 births
    assert cli.main(["validate", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"warning: births_deaths.csv, row {row}, column live_births: '35' is")
               and "residents aged 0-17" in line for line in out), out
    assert any(line.startswith(f"warning: births_deaths.csv, row {row}, column infant_deaths:")
               for line in out), out
    assert cli.main(["validate", "--strict", str(data)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"error: births_deaths.csv, row {row}, column live_births:")
               for line in out), out


def test_births_of_millions_are_caught(data):
    row = _row(data / "births_deaths.csv", STOKE_2013)
    _replace(data / "births_deaths.csv", STOKE_2013, "E06000021,2013,3555000,26")
    found = [str(p) for p in plausibility.check_dir(data)]
    assert any(p.startswith(f"births_deaths.csv, row {row}, column live_births: '3555000'")
               for p in found)
    assert any(p.startswith(f"births_deaths.csv, row {row}, column infant_deaths:")
               and "per 1,000" in p for p in found), found


def test_infant_mortality_out_of_range_with_many_births(data):
    row = _row(data / "births_deaths.csv", STOKE_2013)
    _replace(data / "births_deaths.csv", STOKE_2013, "E06000021,2013,3555,300")
    found = [str(p) for p in plausibility.check_dir(data)]
    assert found == [f"births_deaths.csv, row {row}, column infant_deaths: '300' is 84 per 1,000 of "
                     "the 3,555 live births; expected infant deaths that chance could give at a rate "
                     "from 0.5 to 20 per 1,000 live births (Poisson probability at least 0.001) (a "
                     "plausibility check: correct the value, or run without --strict if it is right)"]


def test_small_areas_vary_by_chance_and_pass(data):
    """No infant deaths among 1,021 births, or 10 then 21 births, is chance, not an error."""
    assert plausibility.check_dir(data) == []
    _replace(data / "births_deaths.csv", STOKE_2013, "E06000021,2013,3555,0")
    assert plausibility.check_dir(data) == []  # 3,555 births: chance gives none 1 time in 6
    _replace(data / "births_deaths.csv", "E12000005,2013,71188,384", "E12000005,2013,71188,0")
    found = [str(p) for p in plausibility.check_dir(data)]
    assert len(found) == 1 and "column infant_deaths: '0'" in found[0]  # 71,188 births: not chance


def test_a_year_on_year_jump_in_referrals_is_caught(data):
    lines = (data / "cin_census.csv").read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("E10000031,2015-16,"))
    code, year, referrals, rereferrals = lines[row].split(",")
    lines[row] = ",".join([code, year, str(int(referrals) * 10), rereferrals])  # an extra digit
    (data / "cin_census.csv").write_text("\n".join(lines) + "\n")
    found = [str(p) for p in plausibility.check_dir(data)]
    assert any(p.startswith(f"cin_census.csv, row {row + 1}, column referrals:")
               and "the year before" in p for p in found), found


def test_build_strict_stops_on_an_implausible_value_before_anything_runs(data, monkeypatch,
                                                                          capsys):
    from jsnalib.build import pipeline

    row = _row(data / "births_deaths.csv", STOKE_2013)
    _replace(data / "births_deaths.csv", STOKE_2013, "E06000021,2013,35,26")
    root = data.parent
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    monkeypatch.chdir(root)

    def no_execution(*args, **kwargs):
        raise AssertionError("nothing may execute when --strict finds an implausible value")

    monkeypatch.setattr(pipeline, "execute", no_execution)
    assert cli.main(["build", "--quiet", "--strict"]) == 1
    err = capsys.readouterr().err
    assert f"error: births_deaths.csv, row {row}, column live_births" in err


# ------------------------------------------------------------------------------------------
# .csv and .csv.gz are interchangeable
def test_a_gzipped_input_passes_validation_and_keeps_the_synthetic_notice(data):
    plain = data / "births_deaths_imd.csv"  # synthetic demonstration data
    (data / "births_deaths_imd.csv.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    assert validate_dir(data) == []
    notice = display.data_notice(data, ["births_deaths_imd.csv", "published_figures.csv"]).data
    assert "jsna-synthetic" in notice
    assert "births_deaths_imd.csv.gz" in display.sources(
        data, ["births_deaths_imd.csv", "published_figures.csv"]).data
