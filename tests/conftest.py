"""Shared fixtures: the built book (for the browser test and others) and a small, hand-made set
of indicator inputs (for the indicator and profile tests)."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


def build_project(root: Path, *options: str) -> None:
    """``jsna build --quiet`` in ``root``; fails the test with the log's tail on an error."""
    proc = subprocess.run([sys.executable, "-m", "jsnalib.build.cli", "build", "--quiet", *options],
                          cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
        pytest.fail(f"jsna build failed in {root} (exit {proc.returncode}):\n{tail}")


# ----------------------------------------------------------------------------------------------
# xdist (pytest-xdist is in the dev extras; ``pytest -n logical`` runs on every core).
# pytest_xdist_make_scheduler hands out work in groups, each run whole by one worker: a
# notebook's cells (nbval runs them in order in one kernel; without tests/ on the command line
# this file is not loaded: use ``pytest -n 2 --dist loadscope notebooks/``), a
# test module (its module fixtures and cached data are made once), and every module whose tests
# use the built book (BOOK_MODULES), so the book is built once a session. xdist's
# ``--dist loadgroup`` cannot do this: with pytest 9.2 it silently stops grouping (pytest-xdist
# issue 1386). The groups must be known from the test ids alone, because the controlling
# process never imports a test: pytest_runtest_setup fails a test that uses the built book
# outside BOOK_MODULES.

#: The session fixtures that build a whole book (below).
BOOK_FIXTURES = {"built_project", "built_book"}
#: The modules whose tests use them: one xdist group, so the book is built once.
BOOK_MODULES = ("tests/test_browser.py", "tests/test_determinism.py", "tests/test_differencing.py",
                "tests/test_pipeline.py", "tests/test_weight.py")
BOOK_GROUP = "the built book"


def group_of(nodeid: str) -> str:
    """The xdist group of a test id: the built book's, else its file (module or notebook)."""
    path = nodeid.split("::", 1)[0]
    return BOOK_GROUP if path in BOOK_MODULES else path


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test using the built book must be in one of :data:`BOOK_MODULES` (else a second xdist
    worker would build the book again)."""
    if (BOOK_FIXTURES & set(getattr(item, "fixturenames", ()))
            and group_of(item.nodeid) != BOOK_GROUP):
        pytest.fail(f"{item.nodeid.split('::', 1)[0]} uses the built book: add it to "
                    "BOOK_MODULES in tests/conftest.py, so that the book is built once", pytrace=False)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """xdist's scope scheduler with the groups of :func:`group_of`, the built book first (the
    longest group; it starts while the other workers take the rest)."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered and BOOK_GROUP in self.workqueue:
                self.workqueue.move_to_end(BOOK_GROUP, last=False)
            self.ordered = True
            super()._assign_work_unit(node)

    return GroupScheduling(config, log)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """One cold build of the whole book (default engine) in a copy of the project, shared by
    the browser, determinism and pipeline tests; the repository itself is never written."""
    root = copy_project(tmp_path_factory.mktemp("built") / "book")
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
