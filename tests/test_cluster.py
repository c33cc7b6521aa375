"""The pipeline on Dask distributed: a 2-worker LocalCluster runs pages exactly as the process
pool does (results, failures, cache), for the toy project and for a subset of the national book
(`jsna init --all`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from test_pipeline import project  # noqa: F401  (the small throwaway project fixture)

from jsnalib.build import cli, init, pipeline
from jsnalib.build.cluster import dask_executor
from jsnalib.inputs.readers import load_geography

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executor():
    """One 2-worker LocalCluster for the module's tests (starting one takes a few seconds of
    both cores: the workers import the heavy libraries)."""
    with dask_executor(workers=2) as running:
        yield running


def _statuses(report: pipeline.Report) -> dict[str, str]:
    return {r.name: r.status for r in report.results}


def test_a_local_dask_cluster_runs_pages_caches_them_and_reports_failures(
        project, executor):  # noqa: F811
    runs = pipeline.load_runs(project)
    report = pipeline.execute(runs, executor=executor, quiet=True)
    assert _statuses(report) == {"toy_stoke-on-trent": "executed", "toy_staffordshire": "executed",
                                 "other": "executed"}
    page = nbformat.read(project.generated / "other.ipynb", as_version=4)
    assert "E06000021 60" in page.cells[-1].outputs[0]["text"]
    again = pipeline.execute(runs, executor=executor, quiet=True)
    assert set(_statuses(again).values()) == {"cached"}

    failing = pipeline.load_runs(project)
    failing[2].parameters["fail"] = True
    broken = pipeline.execute(failing, executor=executor, quiet=True)
    assert _statuses(broken)["other"] == "failed"
    failed = next(r for r in broken.results if r.name == "other")
    assert "this run was told to fail" in failed.error


REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def national(tmp_path: Path) -> pipeline.Project:
    """A copy of the project made national by `jsna init --all` (every upper-tier authority)."""
    root = tmp_path / "national"
    for name in ("notebooks", "data"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "_toc.yml", root / "_toc.yml")
    assert cli.main(["init", "--all", "--root", str(root)]) == 0
    return pipeline.Project(root)


def test_the_national_book_runs_a_subset_on_a_local_dask_cluster(national, executor):
    geography = load_geography(national.root / "data")
    homes = geography.home_authorities()
    assert len(homes) > 150 and homes == init.all_authorities(national.root)
    assert {geography.area_type(c) for c in homes} <= {"county", "unitary", "metropolitan"}
    # three authorities from three regions: their infant mortality pages (real ONS series)
    chosen = [homes[0], homes[len(homes) // 2], homes[-1]]
    names = [f"infant_mortality_{pipeline.slugify(geography.name(c))}" for c in chosen]
    runs = pipeline.load_runs(national, only=names)
    assert [r.parameters["area_code"] for r in runs] == chosen
    report = pipeline.execute(runs, executor=executor, quiet=True)
    assert _statuses(report) == dict.fromkeys(names, "executed"), report.summary()
    for run in runs:
        assert pipeline.page_errors(run.output) == []
    # the cache is the pipeline's: the process pool sees the pages Dask made as unchanged
    assert set(_statuses(pipeline.execute(runs, quiet=True)).values()) == {"cached"}
    # one page fails (an area the data do not cover); the others are untouched, the failed
    # page is kept and marked, and is executed again next time
    broken = pipeline.load_runs(national, only=names)
    broken[1].parameters["area_code"] = "E99999999"
    failed = pipeline.execute(broken, executor=executor, quiet=True)
    assert _statuses(failed) == {names[0]: "cached", names[1]: "failed", names[2]: "cached"}
    assert "E99999999" in failed.failed[0].error
    assert pipeline.page_errors(broken[1].output)
    again = pipeline.execute(runs, executor=executor, quiet=True)
    assert _statuses(again)[names[1]] == "executed"
