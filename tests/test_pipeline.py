"""The pipeline: runs.yml expansion, parameter validation, parallel execution, cache, failures,
and the build-aside-then-swap of _build/html. Uses a small throwaway project with real papermill."""

from __future__ import annotations

import concurrent.futures as cf
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from jsnalib.build import cli, engine, pipeline

REPO = Path(__file__).resolve().parents[1]

TOY_SOURCE = """\
from pathlib import Path
values = Path(data_dir, "values.csv").read_text().split()
print(area_code, sum(int(v) for v in values) * multiplier)
if fail:
    raise RuntimeError("this run was told to fail")
"""


def _toy_template(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'area_code = "E06000021"\nmultiplier = 1\nfail = False\ndata_dir = "../data"'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Toy page"), params,
                nbformat.v4.new_code_cell(TOY_SOURCE)]
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
    (root / "data" / "values.csv").write_text("1 2 3\n")
    (root / "data" / "other.csv").write_text("x\n")
    _toy_template(root / "notebooks" / "toy.ipynb")
    (root / "notebooks" / "runs.yml").write_text(textwrap.dedent("""\
        data_dir: ../data
        runs:
          - template: toy.ipynb
            output: "toy_{area_slug}"
            title: "Toy page: {area_name}"
            foreach_area: [E06000021, E10000028]
            reads: [values.csv, areas.csv]
          - template: toy.ipynb
            output: "other"
            parameters: {multiplier: 10}
            reads: [other.csv]
        """))
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "- glob: book/generated/*\n")
    (root / "_config.yml").write_text("title: Toy\nexecute:\n  execute_notebooks: 'off'\n"
                                      "only_build_toc_files: true\n")
    (root / "intro.md").write_text("# Toy book\n\nA test book.\n")
    return pipeline.Project(root)


def _statuses(report: pipeline.Report) -> dict[str, str]:
    return {r.name: r.status for r in report.results}


def test_runs_expand_over_areas_with_readable_page_names(project):
    runs = pipeline.load_runs(project)
    assert [r.name for r in runs] == ["toy_stoke-on-trent", "toy_staffordshire", "other"]
    assert runs[1].parameters == {"area_code": "E10000028"}
    assert runs[2].parameters == {"multiplier": 10}


@pytest.mark.parametrize(
    "parameters, message",
    [
        ("{area_code: E99999999}", "area_code='E99999999' is not a known area code"),
        ("{multiplier: ten}", "multiplier='ten' is a str; expected a number"),
        ("{colour: red}", "unknown parameter 'colour'"),
    ],
)
def test_bad_parameters_are_one_line_errors_before_anything_runs(project, parameters, message):
    project.runs_file.write_text(
        f"runs:\n  - template: toy.ipynb\n    output: bad\n    parameters: {parameters}\n")
    with pytest.raises(pipeline.PipelineError, match=message) as caught:
        pipeline.load_runs(project)
    assert "\n" not in str(caught.value)
    assert not project.generated.exists()


def test_parameters_cell_must_hold_plain_values(project, tmp_path):
    template = project.notebooks / "toy.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells[1].source = "import os\narea_code = os.environ['X']"
    nbformat.write(nb, template)
    with pytest.raises(pipeline.PipelineError, match="plain"):
        pipeline.template_parameters(template)


def test_cache_skips_unchanged_runs_and_reexecutes_only_what_changed(project, monkeypatch):
    monkeypatch.setattr(pipeline, "library_hash", lambda: "the library")
    runs = pipeline.load_runs(project)
    first = pipeline.execute(runs, executor=cf.ProcessPoolExecutor(2), quiet=True)
    assert set(_statuses(first).values()) == {"executed"}, first.summary()
    page = nbformat.read(project.generated / "other.ipynb", as_version=4)
    injected = [c for c in page.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "multiplier = 10" in injected[0].source
    assert page.cells[-1].outputs[0]["text"] == "E06000021 60\n"
    titled = nbformat.read(project.generated / "toy_staffordshire.ipynb", as_version=4)
    assert titled.cells[0].source == "# Toy page: Staffordshire"
    assert page.cells[0].source == "# Toy page"

    second = pipeline.execute(pipeline.load_runs(project), quiet=True)
    assert set(_statuses(second).values()) == {"cached"}
    assert "nothing changed: no notebook was executed" in second.summary()

    (project.root / "data" / "other.csv").write_text("y\n")
    third = pipeline.execute(pipeline.load_runs(project), quiet=True)
    assert _statuses(third) == {"toy_stoke-on-trent": "cached", "toy_staffordshire": "cached",
                                "other": "executed"}

    monkeypatch.setattr(pipeline, "library_hash", lambda: "a changed library")
    fourth = pipeline.execute(pipeline.load_runs(project), quiet=True)
    assert set(_statuses(fourth).values()) == {"executed"}, fourth.summary()


def test_default_executor_is_a_pool_sized_to_the_cores(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    for engine_name, kind in (("papermill", cf.ProcessPoolExecutor), ("inprocess", engine.WarmPool)):
        pool = pipeline.default_executor(engine_name)
        try:
            assert isinstance(pool, kind)
            assert pool._max_workers == 3
        finally:
            pool.shutdown()


def test_papermill_engine_still_runs_pages(project, monkeypatch):
    monkeypatch.setattr(pipeline, "library_hash", lambda: "the library")
    report = pipeline.execute(pipeline.load_runs(project, only=["other"]), quiet=True,
                              engine="papermill")
    assert _statuses(report) == {"other": "executed"}, report.summary()
    page = nbformat.read(project.generated / "other.ipynb", as_version=4)
    assert page.cells[-1].outputs[0]["text"] == "E06000021 60\n"


@pytest.mark.slow
def test_a_no_change_rebuild_of_the_book_executes_and_rewrites_nothing(built_project):
    pages = sorted((built_project / "book" / "generated").glob("*.ipynb"))
    before = {p.name: p.read_bytes() for p in pages}
    index = built_project / "_build" / "html" / "index.html"
    stamp = index.stat().st_mtime_ns
    proc = subprocess.run([sys.executable, "-m", "jsnalib.build.cli", "build"], cwd=built_project,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "0 executed" in proc.stderr and "book unchanged" in proc.stderr
    assert {p.name: p.read_bytes() for p in pages} == before
    assert index.stat().st_mtime_ns == stamp


def test_a_failing_run_is_reported_with_its_cell_and_kept_while_others_complete(project, monkeypatch):
    monkeypatch.setattr(pipeline, "library_hash", lambda: "the library")
    project.runs_file.write_text(textwrap.dedent("""\
        runs:
          - template: toy.ipynb
            output: good
            reads: [values.csv]
          - template: toy.ipynb
            output: broken
            parameters: {fail: true}
            reads: [values.csv]
        """))
    report = pipeline.execute(pipeline.load_runs(project), quiet=True)
    assert _statuses(report) == {"good": "executed", "broken": "failed"}
    failure = report.failed[0]
    assert "cell 4" in failure.error and "this run was told to fail" in failure.error
    kept = nbformat.read(project.generated / "broken.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells
               for o in c.get("outputs", []))
    assert "FAILED broken" in report.summary()
    # a failed page is never taken from the cache
    again = pipeline.execute(pipeline.load_runs(project), quiet=True)
    assert _statuses(again) == {"good": "cached", "broken": "failed"}


def test_cli_build_fails_without_touching_the_previous_book(project, monkeypatch, capsys):
    project.runs_file.write_text(
        "runs:\n  - template: toy.ipynb\n    output: broken\n    parameters: {fail: true}\n")
    previous = project.build_dir / "html"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("the last good book")
    monkeypatch.chdir(project.root)
    monkeypatch.setattr(cli, "_check_data", lambda project, quiet, strict=False: True)
    assert cli.main(["build", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "FAILED broken: cell 4" in err
    assert (previous / "index.html").read_text() == "the last good book"


def test_a_failed_book_build_leaves_the_previous_html_untouched(project):
    previous = project.build_dir / "html"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("the last good book")
    (project.root / "_toc.yml").write_text("format: jb-book\nroot: missing_page\n")
    with pytest.raises(pipeline.PipelineError, match="book build failed"):
        pipeline.build_book(project, quiet=True)
    assert (previous / "index.html").read_text() == "the last good book"
    assert not (project.build_dir / ".sphinx").exists()


def test_a_good_build_is_swapped_in(project):
    pipeline.execute(pipeline.load_runs(project), quiet=True)
    previous = project.build_dir / "html"
    previous.mkdir(parents=True)
    (previous / "stale.html").write_text("old")
    index = pipeline.build_book(project, quiet=True)
    assert index.is_file() and not (previous / "stale.html").exists()
    assert (previous / "book" / "generated" / "toy_staffordshire.html").is_file()
    assert pipeline.build_book(project, quiet=True) is None  # nothing changed: no build
    (project.root / "intro.md").write_text("# Toy book\n\nChanged text.\n")
    assert pipeline.build_book(project, quiet=True) == index
    assert "Changed text" in (index.parent / "intro.html").read_text()
    # a new configuration re-renders every page, not only the changed ones
    page = previous / "book" / "generated" / "toy_staffordshire.html"
    (project.root / "_config.yml").write_text(
        (project.root / "_config.yml").read_text().replace("title: Toy", "title: Renamed"))
    assert pipeline.build_book(project, quiet=True) == index
    assert "Renamed" in page.read_text()


def test_progress_is_plain_lines_when_not_a_terminal(project, capsys):
    pipeline.execute(pipeline.load_runs(project, only=["other"]), quiet=False)
    err = capsys.readouterr().err
    assert "[1/1] other: executed" in err


def test_only_rejects_unknown_run_names(project):
    with pytest.raises(pipeline.PipelineError, match="no such run: nope"):
        pipeline.load_runs(project, only=["nope"])


def test_only_takes_shell_patterns(project):
    runs = pipeline.load_runs(project, only=["toy_*"])
    assert [r.name for r in runs] == ["toy_stoke-on-trent", "toy_staffordshire"]
    with pytest.raises(pipeline.PipelineError, match=r"no such run: nope\*"):
        pipeline.load_runs(project, only=["toy_*", "nope*"])


def test_only_areas_in_gives_no_page_to_an_area_without_rows_and_says_so(project, capsys):
    (project.root / "data" / "series.csv").write_text("area_code,value\nE06000021,1\n")
    runs_file = project.notebooks / "runs.yml"
    runs_file.write_text(runs_file.read_text().replace(
        "    reads: [values.csv, areas.csv]\n",
        "    only_areas_in: series.csv\n    reads: [values.csv, areas.csv]\n"))
    runs = pipeline.load_runs(project)
    assert [r.name for r in runs] == ["toy_stoke-on-trent", "other"]
    assert "no toy page for Staffordshire (E10000028): data/series.csv has no rows for it" in (
        capsys.readouterr().err)


def test_only_areas_with_gives_no_page_to_an_area_whose_column_sums_to_zero(project, capsys):
    """A rate page needs events: with `only_areas_with: deaths`, an area whose deaths are all 0
    (City of London, Isles of Scilly in the national book) gets no page, and a note says so."""
    (project.root / "data" / "series.csv").write_text(
        "area_code,year,deaths\nE06000021,2022,0\nE06000021,2023,2\n"
        "E10000028,2022,0\nE10000028,2023,0\n")
    runs_file = project.notebooks / "runs.yml"
    runs_file.write_text(runs_file.read_text().replace(
        "    reads: [values.csv, areas.csv]\n",
        "    only_areas_in: series.csv\n    only_areas_with: deaths\n"
        "    reads: [values.csv, areas.csv]\n"))
    runs = pipeline.load_runs(project)
    assert [r.name for r in runs] == ["toy_stoke-on-trent", "other"]
    assert ("no toy page for Staffordshire (E10000028): data/series.csv has no deaths above "
            "zero for it") in capsys.readouterr().err


def test_build_only_modules_rebuild_the_book_but_reexecute_no_page(project, monkeypatch, tmp_path):
    package = tmp_path / "jsnalib"
    (package / "build").mkdir(parents=True)
    (package / "stats.py").write_text("x = 1\n")
    (package / "build" / "sphinx_ext.py").write_text("y = 1\n")
    monkeypatch.setattr(pipeline, "PACKAGE_DIR", package)
    library, book = pipeline.library_hash(), pipeline.book_sources_hash(project)
    (package / "build" / "sphinx_ext.py").write_text("y = 2\n")
    assert pipeline.library_hash() == library
    assert pipeline.book_sources_hash(project) != book
    (package / "stats.py").write_text("x = 2\n")
    assert pipeline.library_hash() != library


def test_any_executor_can_run_the_jobs(project):
    """The executor is pluggable: anything with the concurrent.futures.Executor interface (a
    thread pool here; a Dask distributed client's executor on a cluster) receives the runs."""
    seen: list[str] = []

    def run_one(run: pipeline.Run, key: str) -> pipeline.RunResult:
        seen.append(run.name)
        return pipeline.RunResult(run.name, "executed", output=str(run.output))

    with cf.ThreadPoolExecutor(3) as pool:
        report = pipeline.execute(pipeline.load_runs(project), executor=pool, quiet=True,
                                  run_one=run_one)
    assert sorted(seen) == ["other", "toy_staffordshire", "toy_stoke-on-trent"]
    assert [r.name for r in report.results] == ["toy_stoke-on-trent", "toy_staffordshire", "other"]
