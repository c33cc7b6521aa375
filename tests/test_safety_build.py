"""Safe to publish, the build side (issue 16): a build never publishes a failed page and exits
non-zero whatever --only says; one build at a time; _build/html is always a whole book; workers
die with their parent; .csv and .csv.gz are interchangeable; quiet kernels; byte-identical pages
on re-runs. Uses the small throwaway project of test_pipeline with real papermill."""

# ruff: noqa: F811 - `project` is the toy project fixture imported from test_pipeline
from __future__ import annotations

import concurrent.futures as cf
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from test_pipeline import project  # noqa: F401

from jsnalib.build import cli, pipeline, sphinx_ext
from jsnalib.inputs import readers

REPO = Path(__file__).resolve().parents[1]
SRC = Path(pipeline.__file__).resolve().parents[2]  # the jsnalib these tests import


def _two_runs(project: pipeline.Project, broken: bool) -> None:
    project.runs_file.write_text(textwrap.dedent(f"""\
        runs:
          - template: toy.ipynb
            output: good
            reads: [values.csv]
          - template: toy.ipynb
            output: other
            parameters: {{fail: {str(broken).lower()}}}
            reads: [values.csv]
        """))


@pytest.fixture
def no_data_check(monkeypatch):
    monkeypatch.setattr(cli, "_check_data", lambda project, quiet, strict=False: True)


# ------------------------------------------------------------------------------------------
# failed pages are never published
def test_build_only_exits_1_and_publishes_nothing_when_another_page_failed(project, monkeypatch,
                                                                           no_data_check, capsys):
    monkeypatch.setattr(pipeline, "library_hash", lambda: "the library")
    _two_runs(project, broken=True)
    pipeline.execute(pipeline.load_runs(project), quiet=True)  # "other" fails and is kept
    previous = project.build_dir / "html"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("the last good book")
    monkeypatch.chdir(project.root)
    assert cli.main(["build", "--quiet", "--only", "good"]) == 1
    err = capsys.readouterr().err
    assert "other: its run failed" in err and "RuntimeError" in err
    assert (previous / "index.html").read_text() == "the last good book"
    assert not (project.build_dir / ".sphinx").exists()


def test_a_page_holding_an_error_output_is_not_published(project, monkeypatch):
    monkeypatch.setattr(pipeline, "library_hash", lambda: "the library")
    _two_runs(project, broken=False)
    pipeline.execute(pipeline.load_runs(project), quiet=True)
    page = project.generated / "good.ipynb"
    nb = nbformat.read(page, as_version=4)
    assert nb.metadata["jsna"]["status"] == "ok"
    nb.cells[-1].outputs.append(nbformat.v4.new_output(
        "error", ename="ValueError", evalue="shown by a cell", traceback=["ValueError"]))
    nbformat.write(nb, page)
    with pytest.raises(pipeline.PipelineError, match="good: cell 3: ValueError: shown by a cell"):
        pipeline.build_book(project, quiet=True)
    assert not (project.build_dir / "html").exists()


# ------------------------------------------------------------------------------------------
# one build at a time
_HOLD = """
import sys, time
from pathlib import Path
from jsnalib.build import pipeline
lock = pipeline.BuildLock(pipeline.Project(Path(sys.argv[1]))).acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


def _hold_lock(root: Path, seconds: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(root), str(seconds)], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_build_stops_with_a_clear_message(project, monkeypatch, no_data_check, capsys):
    holder = _hold_lock(project.root, 30)
    try:
        monkeypatch.chdir(project.root)
        monkeypatch.setattr(pipeline, "execute", lambda *a, **k: pytest.fail("must not run"))
        assert cli.main(["build", "--quiet"]) == 1
        err = capsys.readouterr().err
        assert f"another jsna build is running (pid {holder.pid} on " in err
        assert "--wait" in err
        owner = json.loads((project.root / pipeline.LOCK_FILE).read_text())
        assert owner["pid"] == holder.pid and owner["host"] and owner["started"]
    finally:
        holder.kill()
        holder.wait()


def test_wait_takes_the_lock_when_the_other_build_ends(project):
    holder = _hold_lock(project.root, 1.5)
    try:
        start = time.monotonic()
        with pipeline.BuildLock(project, wait=True, poll=0.1) as lock:
            assert time.monotonic() - start > 0.5
            assert json.loads(lock.path.read_text())["pid"] == os.getpid()
        assert not lock.path.exists()
    finally:
        holder.wait(timeout=30)


def test_a_stale_lock_from_a_killed_build_is_cleared(project):
    holder = _hold_lock(project.root, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (project.root / pipeline.LOCK_FILE).exists()  # left behind by the killed build
    with pipeline.BuildLock(project) as lock:
        assert f"pid {holder.pid}" in lock.cleared and "no longer running" in lock.cleared


# ------------------------------------------------------------------------------------------
# atomic publish
def test_html_is_a_symlink_switched_to_a_complete_book(project):
    pipeline.execute(pipeline.load_runs(project), quiet=True)
    legacy = project.build_dir / "html"
    legacy.mkdir(parents=True)
    (legacy / "index.html").write_text("published by an older jsna")
    index = pipeline.build_book(project, quiet=True)
    html = project.build_dir / "html"
    assert html.is_symlink() and index == html / "index.html" and index.is_file()
    first = os.readlink(html)
    (project.root / "intro.md").write_text("# Toy book\n\nChanged.\n")
    pipeline.build_book(project, quiet=True)
    assert os.readlink(html) != first and "Changed" in (html / "intro.html").read_text()
    versions = sorted(p.name for p in project.build_dir.iterdir() if p.name.startswith("html"))
    assert versions == sorted(["html", os.readlink(html)])  # older copies removed


def test_a_kill_between_the_renames_of_an_older_jsna_is_recovered(project):
    old = project.build_dir / "html.old"  # what a kill between the two renames used to leave
    old.mkdir(parents=True)
    (old / "index.html").write_text("the last good book")
    (old / pipeline.BUILD_STAMP).write_text("0123456789abcdef")
    assert "recovered" in pipeline.recover_published(project)
    assert (project.build_dir / "html" / "index.html").read_text() == "the last good book"


def test_a_build_interrupted_while_copying_leaves_the_previous_book(project, monkeypatch):
    pipeline.execute(pipeline.load_runs(project), quiet=True)
    pipeline.build_book(project, quiet=True)
    html = project.build_dir / "html"
    before = os.readlink(html)
    (project.root / "intro.md").write_text("# Toy book\n\nNew text.\n")
    real_copytree = shutil.copytree

    def killed(src, dst, *args, **kwargs):
        real_copytree(src, dst, *args, **kwargs)
        if str(dst).endswith(".tmp"):
            raise KeyboardInterrupt  # killed once the copy is written, before the switch

    monkeypatch.setattr(pipeline.shutil, "copytree", killed)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build_book(project, quiet=True)
    assert os.readlink(html) == before and (html / "index.html").is_file()
    monkeypatch.setattr(pipeline.shutil, "copytree", real_copytree)
    pipeline.recover_published(project)
    assert not list(project.build_dir.glob("html-*.tmp"))


_ORPHAN = """
import sys, time
from jsnalib.build import pipeline
from orphan_work import work

pool = pipeline.default_executor(sys.argv[2])
pool.submit(work, sys.argv[1])
time.sleep(120)
"""

_WORK = """
import os, time

def work(path):
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(120)
"""


@pytest.mark.parametrize("engine", ["papermill", "inprocess"])
def test_workers_die_with_their_parent(tmp_path, engine):
    pid_file = tmp_path / "worker.pid"
    (tmp_path / "orphan_work.py").write_text(_WORK)
    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN, str(pid_file), engine],
                              env={**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{tmp_path}"})
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = int(pid_file.read_text())
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived its killed parent"
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


# ------------------------------------------------------------------------------------------
# .csv and .csv.gz, titles, noise, stable ids
def test_a_gzipped_input_is_read_and_keeps_the_cache(project, monkeypatch):
    monkeypatch.setattr(pipeline, "library_hash", lambda: "the library")
    runs = pipeline.load_runs(project)
    keys = [r.cache_key("lib") for r in runs]
    values = project.root / "data" / "values.csv"
    (project.root / "data" / "values.csv.gz").write_bytes(gzip.compress(values.read_bytes()))
    values.unlink()
    again = pipeline.load_runs(project)
    assert again[0].reads[0].name == "values.csv.gz"
    assert [r.cache_key("lib") for r in again] == keys


def test_the_real_runs_accept_a_gzipped_births_file(tmp_path):
    root = tmp_path / "book"
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, root / name) if root.exists() else (
            root.mkdir(), shutil.copy(REPO / name, root / name))
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "data", root / "data")
    plain = root / "data" / "births_deaths.csv"
    (root / "data" / "births_deaths.csv.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    runs = pipeline.load_runs(pipeline.Project(root))
    assert any(p.name == "births_deaths.csv.gz" for r in runs for p in r.reads)


def test_a_page_title_from_data_is_escaped(project, monkeypatch):
    monkeypatch.setattr(readers, "MARKUP_PATTERN", r"(?!)")  # let the markup past validation
    areas = project.root / "data" / "areas.csv"
    areas.write_text(areas.read_text().replace("Stoke-on-Trent", "Stoke<script>x()</script>"))
    run = pipeline.load_runs(project)[0]
    assert run.title == r"Toy page: Stoke\<script\>x()\</script\>"


def test_pages_are_byte_identical_across_reruns_and_kernels_are_quiet(project, capfd):
    runs = pipeline.load_runs(project, only=["other"])
    with cf.ThreadPoolExecutor(1) as pool:  # kernels write to this process's stderr
        pipeline.execute(runs, executor=pool, quiet=True)
        first = (project.generated / "other.ipynb").read_bytes()
        pipeline.execute(runs, executor=pool, quiet=True, force=True)
    assert (project.generated / "other.ipynb").read_bytes() == first
    noise = capfd.readouterr()
    for text in ("without encryption", "KeyboardInterrupt"):
        assert text not in noise.err + noise.out


def test_markdown_html_in_a_generated_page_becomes_text():
    from docutils import nodes

    section = nodes.section("", nodes.title("", "Area: ", nodes.raw("", "<script>x()</script>",
                                                                 format="html")))
    section += nodes.paragraph("", "", nodes.reference("", "click", refuri="javascript:x()"))
    section += nodes.raw("", "<div>table</div>", format="html", classes=["output", "text_html"])
    assert sphinx_ext.neutralise_markup(section) == 2
    assert section[0].astext() == "Area: <script>x()</script>"
    assert not list(section[0].findall(nodes.raw)) and not list(section.findall(nodes.reference))
    assert [r.astext() for r in section.findall(nodes.raw)] == ["<div>table</div>"]


_FAKE_SPHINX = ("print('Running Sphinx v7.4.7'); print('reading sources... [ 50%] intro'); "
                "print('reading sources... [100%] page'); print('writing output... [100%] page')")


def test_the_book_build_shows_one_bar_on_a_terminal_and_everything_when_verbose(monkeypatch,
                                                                                 capsys, tmp_path):
    command = [sys.executable, "-c", _FAKE_SPHINX]
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, log = pipeline._run_sphinx(command, tmp_path, quiet=False, verbose=False)
    err = capsys.readouterr().err
    assert code == 0 and len(log) == 4
    assert "book: 100%" in err and "Running Sphinx" not in err
    pipeline._run_sphinx(command, tmp_path, quiet=False, verbose=True)
    err = capsys.readouterr().err
    assert "Running Sphinx v7.4.7" in err and "book:" not in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)  # CI logs: nothing at all
    pipeline._run_sphinx(command, tmp_path, quiet=False, verbose=False)
    assert capsys.readouterr().err == ""
