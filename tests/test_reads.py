"""Input file lists: each chapter's FILES come from the contracts, and runs.yml declares every
file each template's chapter reads (so a change to any of them re-executes the page)."""

from __future__ import annotations

import fnmatch
import importlib
from pathlib import Path

import pytest
import yaml
from test_pipeline import project  # noqa: F401  (a small throwaway project)

from jsnalib.inputs import contracts

REPO = Path(__file__).resolve().parents[1]
CHAPTER_OF = {"infant_mortality.ipynb": "infant_mortality", "rereferral.ipynb": "rereferral",
              "obesity.ipynb": "obesity", "area_profile.ipynb": "profiles",
              "outcomes_summary.ipynb": "profiles"}


def _plain(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


def _runs() -> list[dict]:
    return yaml.safe_load((REPO / "notebooks" / "runs.yml").read_text())["runs"]


def test_every_template_has_a_chapter():
    assert {run["template"] for run in _runs()} == set(CHAPTER_OF)


@pytest.mark.parametrize("run", _runs(), ids=lambda run: run["output"])
def test_runs_yml_declares_every_file_the_chapter_reads(run):
    chapter = importlib.import_module(f"jsnalib.chapters.{CHAPTER_OF[run['template']]}")
    # a pattern such as "ncmp.csv*" declares an optional file as .csv or .csv.gz
    missing = {_plain(name) for name in chapter.FILES
               if not any(fnmatch.fnmatchcase(name, read) or _plain(name) == _plain(read)
                          for read in run["reads"])}
    assert not missing, f"runs.yml: {run['template']} does not declare {sorted(missing)}"


@pytest.mark.parametrize("chapter", sorted(set(CHAPTER_OF.values())))
def test_chapter_files_are_contract_files(chapter):
    known = {_plain(c.filename) for c in vars(contracts).values() if isinstance(c, contracts.Contract)}
    files = importlib.import_module(f"jsnalib.chapters.{chapter}").FILES
    assert {_plain(name) for name in files} <= known


def test_a_file_matching_a_pattern_in_reads_changes_the_cache_key(project):  # noqa: F811
    from jsnalib.build import pipeline

    spec = project.runs_file.read_text().replace("reads: [other.csv]",
                                                 'reads: [other.csv, "extra_*.csv"]')
    project.runs_file.write_text(spec)
    before = {r.name: r.cache_key("lib") for r in pipeline.load_runs(project)}
    (project.root / "data" / "extra_one.csv").write_text("a\n1\n")
    after = {r.name: r.cache_key("lib") for r in pipeline.load_runs(project)}
    assert after["other"] != before["other"]
    assert after["toy_stoke-on-trent"] == before["toy_stoke-on-trent"]
