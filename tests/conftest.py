"""Shared fixtures: the built book (for the browser test and others) and a small, hand-made set
of indicator inputs (for the indicator and profile tests)."""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jsnalib.indicators import IndicatorData
from jsnalib.inputs.readers import load_geography

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


#: What a copy of the project holds (never .venv, _build or book/generated).
PROJECT_FILES = ["src", "notebooks", "data", "_static", "_config.yml", "_toc.yml"]


def copy_project(target: Path) -> Path:
    """Copy the project's sources into ``target`` (a fresh folder) and return it."""
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info", ".ipynb_checkpoints"))
        elif source.is_file():
            shutil.copy2(source, target / name)
    (target / "book").mkdir()
    for page in (REPO / "book").glob("*.md"):
        shutil.copy2(page, target / "book" / page.name)
    return target


def pdf_text(data: bytes) -> str:
    """The text drawn in the PDF: each TJ array's strings joined, content streams decompressed
    (image streams are skipped: their pixels are no text, and searching them is slow)."""
    shown = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        head = data[max(0, stream.start() - 400):stream.start()]
        if b"/Subtype /Image" in head[head.rfind(b" obj"):]:
            continue
        try:
            body = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        for array in re.finditer(rb"\[(.*?)\]\s*TJ", body, re.S):
            shown.append(b"".join(re.findall(rb"\(((?:\\.|[^\\)])*)\)", array.group(1))))
    return b" ".join(shown).decode("latin-1").replace("\\(", "(").replace("\\)", ")")


def build_project(root: Path, *options: str) -> None:
    """``jsna build --quiet`` in ``root``; fails the test with the log's tail on an error."""
    proc = subprocess.run([sys.executable, "-m", "jsnalib.build.cli", "build", "--quiet", *options],
                          cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
        pytest.fail(f"jsna build failed in {root} (exit {proc.returncode}):\n{tail}")


# ----------------------------------------------------------------------------------------------
# xdist: `make test` runs ``pytest -n 2`` (pytest-xdist is in the dev extras).
# pytest_xdist_make_scheduler hands out work in groups, each run whole by one worker: a
# notebook's cells (nbval runs them in order in one kernel; without tests/ on the command line
# this file is not loaded: use ``pytest -n 2 --dist loadscope notebooks/``), a test module (its
# module fixtures and cached data are made once), or, in SPLIT_MODULES, a single test (long
# tests that share only cheap module fixtures). The groups must be known from the test ids
# alone, because the controlling process never imports a test. The longest groups go first
# (LONGEST), so that no long group starts last. The built book is made once per run whichever
# worker asks first (built_project); the others wait for it.

#: Modules whose tests are each a group of their own.
SPLIT_MODULES = ("tests/test_browser.py",)
#: The groups that take longest, longest first (measured with ``--durations=0``); the rest
#: follow in collection order.
LONGEST = ("tests/test_determinism.py",
           "tests/test_browser.py::test_every_page_has_no_serious_accessibility_violation[0]",
           "tests/test_browser.py::test_every_page_has_no_serious_accessibility_violation[1]",
           "tests/test_browser.py::test_every_page_renders_cleanly",
           "tests/test_synth.py", "tests/test_any_council.py", "tests/test_cluster.py",
           "tests/test_safety_build.py", "tests/test_calibration_real.py",
           "tests/test_safety_data.py", "tests/test_cli.py")


def group_of(nodeid: str) -> str:
    """The xdist group of a test id: the test itself in SPLIT_MODULES, else its file."""
    path = nodeid.split("::", 1)[0]
    return nodeid if path in SPLIT_MODULES else path


def pytest_runtest_setup(item: pytest.Item) -> None:
    """In an xdist worker, ``__main__`` (execnet's, or the user module an in-process IPython
    shell puts there) may have no ``__spec__``, which the ``spawn`` and ``forkserver`` start
    methods of multiprocessing read (the pipeline's workers, Dask's nanny): give it the value a
    script run as ``python file.py`` has, before every test."""
    main = sys.modules.get("__main__")
    if main is not None and not hasattr(main, "__spec__"):
        main.__spec__ = None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """xdist's scope scheduler with the groups of :func:`group_of`, LONGEST first."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:
                for group in reversed(LONGEST):
                    if group in self.workqueue:
                        self.workqueue.move_to_end(group, last=False)
                self.ordered = True
            super()._assign_work_unit(node)

    return GroupScheduling(config, log)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory, worker_id: str) -> Path:
    """One cold build of the whole book (default engine) in a copy of the project, shared by
    the browser, determinism, pipeline and other tests; the repository itself is never written.
    Under xdist the first worker to ask builds it in the run's shared temporary folder while
    holding a lock; the others wait for it and reuse it."""
    if worker_id == "master":
        return _build_once(tmp_path_factory.mktemp("built") / "book")
    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's
    with open(shared / "built-book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        root, done = shared / "built-book" / "book", shared / "built-book.done"
        if not done.exists():
            shutil.rmtree(root.parent, ignore_errors=True)  # a failed attempt by another worker
            _build_once(root)
            done.touch()
    return root


def _build_once(root: Path) -> Path:
    copy_project(root)
    build_project(root)
    assert (root / "_build" / "html" / "index.html").is_file(), "jsna build wrote no index.html"
    return root


@pytest.fixture(scope="session")
def built_book(built_project: Path) -> Path:
    """The _build/html of :func:`built_project`."""
    return built_project / "_build" / "html"


# ----------------------------------------------------------------------------------------------
# small indicator inputs: every number below is chosen by hand, so tests can state expectations

ENGLAND, WEST_MIDLANDS = "E92000001", "E12000005"
STAFFORDSHIRE, STOKE = "E10000028", "E06000021"
DISTRICTS = [f"E0700019{i}" for i in range(2, 10)]
NEIGHBOUR = "E10000007"  # Derbyshire, a statistical neighbour of Staffordshire (DfE 2025)
YEARS = list(range(2017, 2024))


def _births() -> pd.DataFrame:
    """Live births and infant deaths, 2017-2023. Stoke-on-Trent's deaths fall by 2 a year."""
    per_year = {ENGLAND: (600_000, 2_400), WEST_MIDLANDS: (65_000, 325),
                STAFFORDSHIRE: (9_000, 40), STOKE: (3_300, None)}
    rows = []
    for code, (births, deaths) in per_year.items():
        for i, year in enumerate(YEARS):
            rows.append((code, year, births, 38 - 2 * i if deaths is None else deaths))
    for d, code in enumerate(DISTRICTS):
        for year in YEARS:
            rows.append((code, year, 1_100 + 10 * d, 4 + d % 3))
    return pd.DataFrame(rows, columns=["area_code", "year", "live_births", "infant_deaths"])


def _referrals() -> pd.DataFrame:
    """Referrals and re-referrals, 2019-20 to 2023-24; the two authorities from records."""
    rows = []
    for i, year in enumerate(range(2019, 2024)):
        label = f"{year}-{(year + 1) % 100:02d}"
        rows += [
            (ENGLAND, label, year, 650_000, 143_000, np.nan, False),
            (WEST_MIDLANDS, label, year, 70_000, 14_700, np.nan, False),
            (NEIGHBOUR, label, year, 6_000, 1_500 + 10 * i, np.nan, False),
            (STAFFORDSHIRE, label, year, 9_000, 1_900 - 100 * i, 3.0, True),
            (STOKE, label, year, 4_000, 880, 0.0, True),
        ]
    return pd.DataFrame(rows, columns=["area_code", "financial_year", "time", "referrals",
                                       "rereferrals", "missing_child_id", "from_records"])


def _population() -> pd.DataFrame:
    sizes = {ENGLAND: 12_000_000, WEST_MIDLANDS: 1_300_000, STAFFORDSHIRE: 175_000,
             STOKE: 60_000, NEIGHBOUR: 120_000}
    return pd.DataFrame([(code, year, size) for code, size in sizes.items() for year in YEARS],
                        columns=["area_code", "year", "population"])


def _ncmp() -> pd.DataFrame:
    """NCMP counts, 2019/20 to 2023/24. Districts from records (Staffordshire = their sum);
    England and the region as a Fingertips export gives them (published value and limits)."""
    rows = []
    for year in range(2019, 2024):
        label = f"{year}/{(year + 1) % 100:02d}"
        for school_year, base in (("R", 0.22), ("6", 0.36)):
            for measure, share in (("excess_weight", 1.0), ("obese", 0.45)):
                district_counts = []
                for d, code in enumerate(DISTRICTS):
                    measured = 1_000 + 50 * d
                    count = round(measured * base * share) + d
                    district_counts.append((count, measured))
                    rows.append((code, label, year, school_year, measure, count, measured,
                                 np.nan, np.nan, np.nan, True))
                rows.append((STAFFORDSHIRE, label, year, school_year, measure,
                             sum(c for c, _ in district_counts),
                             sum(m for _, m in district_counts), np.nan, np.nan, np.nan, True))
                rows.append((STOKE, label, year, school_year, measure,
                             round(3_000 * (base + 0.04) * share), 3_000, np.nan, np.nan,
                             np.nan, True))
                for code, measured in ((ENGLAND, 600_000), (WEST_MIDLANDS, 65_000)):
                    count = round(measured * base * share)
                    value = 100 * count / measured
                    rows.append((code, label, year, school_year, measure, count, measured,
                                 value, value - 0.1, value + 0.1, False))
    return pd.DataFrame(rows, columns=["area_code", "academic_year", "time", "school_year",
                                       "measure", "count", "denominator", "value", "lower",
                                       "upper", "from_records"]).astype(
        {"count": float, "denominator": float})


def make_indicator_data(**replace: pd.DataFrame) -> IndicatorData:
    """The hand-made inputs, with any frame replaced by keyword (births_deaths=..., ...)."""
    frames = {"births_deaths": _births(), "referrals": _referrals(),
              "population": _population(), "ncmp": _ncmp()}
    frames.update(replace)
    return IndicatorData(geography=load_geography(REPO / "data"), **frames)


@pytest.fixture
def indicator_data() -> IndicatorData:
    return make_indicator_data()


@pytest.fixture
def indicator_data_factory():
    return make_indicator_data


@pytest.fixture(autouse=True)
def _no_page_note_leaks():
    """A page's data note (set by display.data_notice, as each page does first) never leaks
    from one test into the next: every test starts and ends without one."""
    from jsnalib.report import display

    display._PAGE_NOTE.update(csv="", caption="")
    yield
    display._PAGE_NOTE.update(csv="", caption="")


@pytest.fixture(autouse=True)
def _working_folder_is_left_alone():
    """No test may leave the process in another working folder (nbval and relative paths later
    in the session depend on it): restore it, and fail the test that moved it."""
    import os

    before = os.getcwd()
    yield
    try:
        after = os.getcwd()
    except FileNotFoundError:
        after = "(deleted)"
    if after != before:
        os.chdir(before)
        pytest.fail(f"the test left the working folder changed: {before} -> {after}")
