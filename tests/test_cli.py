"""The `jsna` command line: help, validation of a data folder, and a build stopped by bad data
before anything is executed or the last good book is touched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jsnalib.build import cli, pipeline

REPO = Path(__file__).resolve().parents[1]


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "jsnalib.build.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("run", "build", "validate", "fetch", "synth", "refresh-templates"):
        assert command in out


@pytest.fixture
def bad_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(REPO / "data", folder)
    births = folder / "births_deaths.csv"
    lines = births.read_text().splitlines()
    fields = lines[3].split(",")
    fields[3] = str(int(fields[2]) + 1)  # more infant deaths than live births
    lines[3] = ",".join(fields)
    births.write_text("\n".join(lines) + "\n")
    return folder


def test_validate_names_file_row_column_and_exits_1(bad_data, capsys):
    assert cli.main(["validate", str(bad_data)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert out[0].startswith("births_deaths.csv, row 4, column infant_deaths:")
    assert "expected infant_deaths <= live_births" in out[0]


def test_validate_passes_the_shipped_data(capsys):
    assert cli.main(["validate", str(REPO / "data")]) == 0
    assert "every file passed validation" in capsys.readouterr().err


def test_build_with_bad_data_executes_nothing_and_keeps_the_last_book(bad_data, monkeypatch,
                                                                      capsys):
    root = bad_data.parent
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    previous = root / "_build" / "html"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("the last good book")
    monkeypatch.chdir(root)

    def no_execution(*args, **kwargs):
        raise AssertionError("nothing may execute when the data is bad")

    monkeypatch.setattr(pipeline, "execute", no_execution)
    assert cli.main(["build", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "births_deaths.csv, row 4, column infant_deaths" in err
    assert "nothing was executed or built" in err
    assert (previous / "index.html").read_text() == "the last good book"
    assert not (root / "book" / "generated").exists()


def test_validation_is_skipped_only_while_nothing_in_data_changed(tmp_path, monkeypatch, capsys):
    """A no-change rebuild does not re-parse data/ (its floor); any changed byte re-validates."""
    root = tmp_path / "book"
    shutil.copytree(REPO / "data", root / "data")
    project = pipeline.Project(root)
    calls = []
    real = cli._validate

    def counting(folder, strict, out):
        calls.append(folder)
        return real(folder, strict, out)

    monkeypatch.setattr(cli, "_validate", counting)
    assert cli._check_data(project, quiet=True)
    assert cli._check_data(project, quiet=True)
    assert len(calls) == 1  # the second check found the stamp
    births = root / "data" / "births_deaths.csv"
    lines = births.read_text().splitlines()
    fields = lines[3].split(",")
    fields[3] = str(int(fields[2]) + 1)  # more infant deaths than live births
    lines[3] = ",".join(fields)
    births.write_text("\n".join(lines) + "\n")
    assert not cli._check_data(project, quiet=True)
    assert len(calls) == 2
    assert "births_deaths.csv, row 4, column infant_deaths" in capsys.readouterr().err
