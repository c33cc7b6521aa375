"""The in-process engine: pages in warm workers keep papermill's semantics, never see each other's
state, and a page that kills its worker is reported failed with its cell while others complete.
Also the per-process caches of parsed inputs and indicator data."""

from __future__ import annotations

import concurrent.futures as cf
import shutil
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from jsnalib.build import engine, pipeline
from jsnalib.indicators import IndicatorData
from jsnalib.inputs import readers

REPO = Path(__file__).resolve().parents[1]

FIRST = """\
import sys
import matplotlib
import matplotlib.pyplot as plt
leaked = "first page"
matplotlib.rcParams["lines.linewidth"] = 9.0
plt.figure()
sys.modules["__main__"].marker = "first page"
print("first", area_code)
"""

SECOND = """\
import sys
import matplotlib
import matplotlib.pyplot as plt
seen = [name for name in ("leaked", "marker") if name in globals()]
seen += ["marker on __main__"] if hasattr(sys.modules["__main__"], "marker") else []
seen += ["rcParams"] if matplotlib.rcParams["lines.linewidth"] == 9.0 else []
seen += ["open figure"] if plt.get_fignums() else []
print("second", area_code, seen)
"""

CRASH = """\
import os
os._exit(3)
"""


def _template(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('area_code = "E06000021"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Page"), params, nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path: Path) -> pipeline.Project:
    root = tmp_path / "book"
    (root / "notebooks").mkdir(parents=True)
    (root / "data").mkdir()
    for name in ("areas.csv", "neighbours.csv"):
        shutil.copy(REPO / "data" / name, root / "data" / name)
    for name, source in (("first", FIRST), ("second", SECOND), ("crash", CRASH)):
        _template(root / "notebooks" / f"{name}.ipynb", source)
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    return pipeline.Project(root)


def _runs(project: pipeline.Project, *names: str) -> list[pipeline.Run]:
    entries = "".join(f"  - template: {n}.ipynb\n    output: {n}\n    reads: [areas.csv]\n"
                      "    parameters: {area_code: E10000028}\n"
                      for n in names)
    project.runs_file.write_text("runs:\n" + entries)
    return pipeline.load_runs(project)


def _text(project: pipeline.Project, name: str) -> str:
    page = nbformat.read(project.generated / f"{name}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in page.cells for o in c.get("outputs", []))


def test_two_pages_in_one_worker_do_not_see_each_others_state(project):
    pool = engine.WarmPool(max_workers=1)
    try:
        report = pipeline.execute(_runs(project, "first", "second"), executor=pool, quiet=True)
    finally:
        pool.shutdown()
    assert [r.status for r in report.results] == ["executed", "executed"], report.summary()
    assert _text(project, "first") == "first E10000028\n"
    assert _text(project, "second") == "second E10000028 []\n"


def test_pages_keep_papermills_injection_and_metadata(project):
    report = pipeline.execute(_runs(project, "first"), quiet=True, engine="inprocess")
    assert report.results[0].status == "executed", report.summary()
    page = nbformat.read(project.generated / "first.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in page.cells]
    assert "parameters" in tags[1] and "injected-parameters" in tags[2]
    assert page.metadata["papermill"]["parameters"] == {"area_code": "E10000028"}
    assert page.metadata["language_info"]["name"] == "python"
    assert [c.execution_count for c in page.cells if c.cell_type == "code"] == [1, 2, 3]


def test_a_failing_cell_is_reported_like_papermill(project):
    template = project.notebooks / "first.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells[2].source = 'print("before")\nraise ValueError("no such area")'
    nbformat.write(nb, template)
    report = pipeline.execute(_runs(project, "first"), quiet=True, engine="inprocess")
    failure = report.failed[0]
    assert failure.error.startswith("cell 4 of the page") and "ValueError: no such area" in failure.error
    kept = nbformat.read(project.generated / "first.ipynb", as_version=4)
    outputs = kept.cells[-1].outputs
    assert [o.output_type for o in outputs] == ["stream", "error"]
    assert outputs[0].text == "before\n" and outputs[1].ename == "ValueError"


def test_a_page_that_kills_its_worker_fails_with_its_cell_and_others_complete(project):
    report = pipeline.execute(_runs(project, "crash", "first", "second"), quiet=True,
                              engine="inprocess")
    statuses = {r.name: r.status for r in report.results}
    assert statuses == {"crash": "failed", "first": "executed", "second": "executed"}
    assert report.failed[0].error.startswith("cell 4 of the page (starting 'import os')")
    assert not list(project.generated.glob("*.running"))
    again = pipeline.execute(_runs(project, "crash"), quiet=True, engine="inprocess")
    assert again.results[0].status == "failed"  # never taken from the cache


def test_unknown_engine_is_refused(project):
    with pytest.raises(pipeline.PipelineError, match="unknown engine 'kernel'"):
        pipeline.execute(_runs(project, "first"), quiet=True, engine="kernel")


# ----------------------------------------------------------------------------------------------
# inputs parsed once


def test_a_file_is_parsed_once_per_content_and_callers_get_copies(tmp_path, monkeypatch):
    for name in ("areas.csv", "neighbours.csv", "population.csv"):
        shutil.copy(REPO / "data" / name, tmp_path / name)
    readers.clear_cache()
    parsed = []
    real = readers._read
    monkeypatch.setattr(readers, "_read", lambda *a, **k: parsed.append(a[1]) or real(*a, **k))
    first = readers.read_population(tmp_path / "population.csv")
    first.loc[first.index[0], "population"] = -1
    second = readers.read_population(tmp_path / "population.csv")
    assert len(parsed) == 1 + 2  # population.csv once, and the two lookups beside it
    assert second["population"].iloc[0] != -1
    text = (tmp_path / "population.csv").read_text()
    (tmp_path / "population.csv").write_text(text.replace(text.splitlines()[1],
                                                          text.splitlines()[1][:-1] + "7"))
    third = readers.read_population(tmp_path / "population.csv")
    assert len([p for p in parsed if Path(p).name == "population.csv"]) == 2
    assert not third.equals(second)


def test_indicator_data_is_built_once_and_copied(monkeypatch):
    readers.clear_cache()
    built = []
    real = IndicatorData._build.__func__
    monkeypatch.setattr(IndicatorData, "_build",
                        classmethod(lambda cls, folder: built.append(folder) or real(cls, folder)))
    first = IndicatorData.load(REPO / "data")
    first.ncmp.loc[first.ncmp.index[0], "count"] = -5.0
    second = IndicatorData.load(REPO / "data")
    assert len(built) == 1
    assert second.ncmp["count"].iloc[0] != -5.0
    assert isinstance(second.births_deaths, pd.DataFrame)
    readers.clear_cache()


def test_cache_is_bounded():
    readers.clear_cache()
    for i in range(readers.CACHE_SIZE + 5):
        assert readers.cached(("k", i), lambda i=i: [i], list) == [i]
    assert len(readers._parsed) == readers.CACHE_SIZE
    readers.clear_cache()



def _double(x: int) -> int:
    return 2 * x


def _raise_on_crash(exc: BaseException, *args: object) -> object:
    raise RuntimeError("the crash handler itself failed")


def test_a_page_that_cannot_be_submitted_fails_and_shutdown_does_not_hang():
    """A submission that raises (here: after the inner pool is shut down) fails that page's
    future; the pool is not left counting it as running, so shutdown returns."""
    pool = engine.WarmPool(max_workers=1)
    pool._pool.shutdown()
    future = pool.submit(_double, 2)
    with pytest.raises(RuntimeError, match="shutdown"):
        future.result(timeout=30)
    finished = threading.Thread(target=pool.shutdown)
    finished.start()
    finished.join(timeout=30)
    assert not finished.is_alive(), "WarmPool.shutdown hung on a page counted as running"


def test_a_failing_crash_handler_fails_the_page_not_the_pool():
    """A page whose retry in a pool of its own also crashed goes to ``on_crash``; when that
    raises, the page fails and the pool stops counting it as running."""
    pool = engine.WarmPool(max_workers=1, on_crash=_raise_on_crash)
    alone = engine.WarmPool(max_workers=1)._pool  # the retry's own pool (shut down after)
    try:
        crashed: cf.Future = cf.Future()
        crashed.set_exception(BrokenProcessPool("worker died"))
        outer: cf.Future = cf.Future()
        outer.set_running_or_notify_cancel()
        with pool._idle:
            pool._running += 1
        pool._settle(outer, _double, (2,), {}, alone, crashed)
        with pytest.raises(RuntimeError, match="crash handler itself failed"):
            outer.result(timeout=5)
        assert pool._running == 0
    finally:
        pool.shutdown()
