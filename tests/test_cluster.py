"""The pipeline on Dask distributed: a 2-worker LocalCluster runs real pages exactly as the
process pool does (results, failures, cache)."""

from __future__ import annotations

import nbformat
import pytest
from test_pipeline import project  # noqa: F401  (the small throwaway project fixture)

from jsnalib.build import pipeline
from jsnalib.build.cluster import dask_executor

pytestmark = pytest.mark.slow


def _statuses(report: pipeline.Report) -> dict[str, str]:
    return {r.name: r.status for r in report.results}


def test_a_local_dask_cluster_runs_pages_caches_them_and_reports_failures(project):  # noqa: F811
    runs = pipeline.load_runs(project)
    with dask_executor(workers=2) as executor:
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
