"""From notebooks/runs.yml to an executed, validated, cached set of book pages.

A *run* is one notebook template executed with one set of parameters. `runs.yml` declares the
runs (a template may be expanded over a list of areas, one page per area). Each run has a cache
key: the SHA-256 of the template, its parameters, the input files it reads and the jsnalib
source. A run whose output notebook already carries its key is not executed again.

Runs execute in parallel on any :class:`concurrent.futures.Executor` (by default a pool sized
to the cores: warm workers running pages in-process, :mod:`jsnalib.build.engine`, or with
``engine="papermill"`` a process pool starting a kernel per page). A failing run keeps its
partially executed notebook, the others complete, and the failure is reported with its cell.
The book is built aside and published by switching the ``_build/html`` symlink in one atomic
rename, only when the build succeeds and no page the book includes holds an error. One build
runs at a time (:class:`BuildLock`).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import fcntl
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from jsnalib.build import bookbuild
from jsnalib.build.engine import PROGRESS_SUFFIX
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.readers import load_geography

PACKAGE_DIR = Path(__file__).resolve().parents[1]
CACHE_KEY_FIELD = "jsna"


class PipelineError(ValueError):
    """A problem with runs.yml or a run's parameters, found before anything executes."""


@dataclass(frozen=True)
class Project:
    """Where things live. Every path is derived from the project root."""

    root: Path

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def runs_file(self) -> Path:
        return self.notebooks / "runs.yml"

    @property
    def generated(self) -> Path:
        return self.root / "book" / "generated"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder at or above `start` (default: the working folder) holding runs.yml."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "notebooks" / "runs.yml").is_file() and (folder / "_toc.yml").is_file():
                return cls(folder)
        raise PipelineError(f"no JSNA book project (notebooks/runs.yml and _toc.yml) at or above {here}")


@dataclass(frozen=True)
class Run:
    """One template executed with one set of parameters, producing one book page."""

    name: str
    template: Path
    output: Path
    parameters: dict[str, Any]
    reads: tuple[Path, ...]
    cwd: Path
    title: str = ""

    def cache_key(self, library_hash: str) -> str:
        digest = hashlib.sha256()
        digest.update(self.template.read_bytes())
        digest.update(json.dumps(self.parameters, sort_keys=True, default=str).encode())
        for path in sorted(self.reads, key=lambda p: _plain_name(p.name)):
            # a file and its gzip twin with the same content give the same key
            digest.update(_plain_name(path.name).encode())
            digest.update(_content_digest(path).encode())
        digest.update(library_hash.encode())
        return digest.hexdigest()


@dataclass
class RunResult:
    """What happened to one run."""

    name: str
    status: str  # "executed", "cached" or "failed"
    seconds: float = 0.0
    error: str = ""
    output: str = ""


@dataclass
class Report:
    """The outcome of executing every run."""

    results: list[RunResult] = field(default_factory=list)

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def executed(self) -> list[RunResult]:
        return [r for r in self.results if r.status == "executed"]

    @property
    def cached(self) -> list[RunResult]:
        return [r for r in self.results if r.status == "cached"]

    def summary(self) -> str:
        lines = [
            f"{len(self.results)} runs: {len(self.executed)} executed, "
            f"{len(self.cached)} unchanged (cached), {len(self.failed)} failed"
        ]
        if self.results and not self.executed and not self.failed:
            lines.append("nothing changed: no notebook was executed")
        lines += [f"FAILED {r.name}: {r.error} (notebook kept at {r.output})" for r in self.failed]
        return "\n".join(lines)


def _plain_name(name: str) -> str:
    """'ncmp.csv.gz' -> 'ncmp.csv': the name a file has whether or not it is compressed."""
    return name[:-3] if name.endswith(".gz") else name


def _content_digest(path: Path) -> str:
    """SHA-256 of a file's content, decompressed if it is gzip (cached per size and mtime)."""
    stat = path.stat()
    return _cached_content_digest(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _cached_content_digest(path: str, size: int, mtime_ns: int) -> str:
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):  # a damaged file: its bytes still make a key
            pass
    return hashlib.sha256(data).hexdigest()


def data_file(data_dir: Path, name: str) -> Path | None:
    """``data_dir/name`` or its ``.csv``/``.csv.gz`` twin, whichever exists (None if neither)."""
    plain = _plain_name(name)
    for candidate in (name, plain, plain + ".gz"):
        if (data_dir / candidate).is_file():
            return data_dir / candidate
    return None


#: Modules that build the book or drive the command line; notebooks never import them, so a
#: change to one re-builds the book (see book_sources_hash) but re-executes no page.
BUILD_ONLY_MODULES = ("build/bookbuild.py", "build/sphinx_ext.py", "build/cli.py")


def library_hash() -> str:
    """SHA-256 over the jsnalib source files that pages use: a change re-executes every run."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path.relative_to(PACKAGE_DIR).as_posix() in BUILD_ONLY_MODULES:
            continue
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def slugify(text: str) -> str:
    """'Stoke-on-Trent' -> 'stoke-on-trent'; used for per-area page names."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def template_parameters(template: Path) -> dict[str, Any]:
    """The names and default values in a template's cell tagged `parameters`.

    The cell must hold plain assignments of literals (numbers, strings, booleans, lists, None).
    """
    import ast

    nb = nbformat.read(template, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise PipelineError(f"{template.name}: expected one cell tagged 'parameters', found {len(cells)}")
    values: dict[str, Any] = {}
    for node in ast.parse(cells[0].source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise PipelineError(f"{template.name}: the parameters cell may hold plain assignments only")
        try:
            values[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError as exc:
            raise PipelineError(
                f"{template.name}: parameter {node.targets[0].id} must be a plain value"
            ) from exc
    return values


def _type_name(value: Any) -> str:
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(
        value
    ).__name__


def validate_parameters(
    run_name: str, template: Path, parameters: dict[str, Any], geography: Geography
) -> None:
    """Check names, types and area codes before papermill injects anything.

    Raises PipelineError with a one-line message naming the run, the parameter and what was expected.
    """
    defaults = template_parameters(template)
    for name, value in parameters.items():
        if name not in defaults:
            raise PipelineError(
                f"run {run_name}: unknown parameter {name!r}; {template.name} takes "
                + ", ".join(sorted(defaults))
            )
        default = defaults[name]
        if default is not None and _type_name(value) != _type_name(default):
            raise PipelineError(
                f"run {run_name}: parameter {name}={value!r} is a {_type_name(value)}; "
                f"expected a {_type_name(default)} like {default!r}"
            )
        if isinstance(default, list) and default and value:
            inner = {_type_name(v) for v in value}
            if inner != {_type_name(default[0])}:
                raise PipelineError(
                    f"run {run_name}: parameter {name}={value!r}; expected a list of "
                    f"{_type_name(default[0])}"
                )
        codes = value if isinstance(value, list) else [value]
        if name.endswith("area_code") or name.endswith("area_codes") or name == "comparator":
            for code in codes:
                if not geography.is_known(code):
                    raise PipelineError(
                        f"run {run_name}: parameter {name}={code!r} is not a known area code "
                        "(see data/areas.csv)"
                    )
        if name == "confidence" and not (0.9 <= value <= 1 or 90 <= value <= 100):
            raise PipelineError(
                f"run {run_name}: parameter confidence={value!r}; expected 0.9-1 or 90-100"
            )


def load_runs(project: Project, only: Sequence[str] = ()) -> list[Run]:
    """Expand runs.yml into validated runs (one per page)."""
    from jsnalib.report.format import md_escape

    spec = yaml.safe_load(project.runs_file.read_text(encoding="utf-8")) or {}
    data_dir = (project.notebooks / spec.get("data_dir", "../data")).resolve()
    geography = load_geography(data_dir)
    runs: list[Run] = []
    for entry in spec.get("runs", []):
        template = project.notebooks / entry["template"]
        if not template.is_file():
            raise PipelineError(f"runs.yml: template {entry['template']} not found in notebooks/")
        patterns = [n for n in entry.get("reads", []) if any(c in n for c in "*?[")]
        found = {name: data_file(data_dir, name) for name in entry.get("reads", [])
                 if name not in patterns}
        for name, path in found.items():
            if path is None:
                raise PipelineError(f"runs.yml: {template.name} reads {name}, not in data/ "
                                    f"(as {_plain_name(name)} or {_plain_name(name)}.gz)")
        # a pattern (e.g. fingertips_*.csv: any export an analyst drops in) may match nothing
        matched = sorted({p for pattern in patterns for p in data_dir.glob(pattern) if p.is_file()}
                         - set(found.values()))
        reads = tuple(p for p in found.values() if p is not None) + tuple(matched)
        for parameters in _expand(entry, geography, data_dir):
            validate_parameters(entry["output"], template, parameters, geography)
            code = parameters.get("area_code")
            names = {"area_slug": slugify(geography.name(code)), "area_name": geography.name(code)
                     } if code else {}
            name = entry["output"].format(**parameters, **names)
            runs.append(Run(
                name=name,
                template=template,
                output=project.generated / f"{name}.ipynb",
                parameters=parameters,
                reads=reads,
                cwd=project.notebooks,
                # the area's name comes from data: never let it become markup in the title
                title=entry.get("title", "").format(**parameters, **{
                    k: md_escape(v) if k == "area_name" else v for k, v in names.items()}),
            ))
    names = [r.name for r in runs]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise PipelineError(f"runs.yml: more than one run writes {', '.join(duplicated)}")
    if only:  # names, or shell patterns such as "profile_*"
        import fnmatch

        unknown = sorted(o for o in only if not fnmatch.filter(names, o))
        if unknown:
            raise PipelineError(f"no such run: {', '.join(unknown)}; runs are {', '.join(names)}")
        runs = [r for r in runs if any(fnmatch.fnmatchcase(r.name, o) for o in only)]
    return runs


def _expand(entry: dict[str, Any], geography: Geography, data_dir: Path
            ) -> Iterable[dict[str, Any]]:
    """One parameter set, or one per area when the entry has `foreach_area` (only the areas
    with rows in the data file `only_areas_in` names, when it names one, and, when the entry
    also has `only_areas_with` (a column of that file), whose values there sum to more than
    zero)."""
    base = dict(entry.get("parameters", {}))
    over = entry.get("foreach_area")
    if over is None:
        yield base
        return
    if over == "jsna_areas":
        codes = geography.jsna_areas()
    elif over == "home_authorities":
        codes = geography.home_authorities()
    else:
        codes = list(over)
    needs = entry.get("only_areas_in")
    if needs:  # e.g. a trend page needs the area's series: no page for an area without rows
        import pandas as pd

        column = entry.get("only_areas_with")
        path = data_file(data_dir, needs)
        listed: set[str] = set()
        present: set[str] = set()
        if path is not None:
            rows = pd.read_csv(path, usecols=["area_code", *([column] if column else [])],
                               dtype={"area_code": str})
            listed = present = set(rows["area_code"])
            if column:  # ... and a rate needs events: no page where the column sums to 0
                totals = pd.to_numeric(rows[column], errors="coerce").groupby(
                    rows["area_code"]).sum()
                present = set(totals.index[totals > 0])
        for code in [c for c in codes if c not in present]:
            why = f"has no {column} above zero for it" if code in listed else "has no rows for it"
            print(f"note: no {entry['output'].split('_{')[0]} page for {geography.name(code)} "
                  f"({code}): data/{needs} {why}", file=sys.stderr)
        codes = [c for c in codes if c in present]
    for code in codes:
        yield {**base, "area_code": code}


def _stored_key(output: Path) -> str | None:
    if not output.is_file():
        return None
    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:  # an unreadable page is simply re-executed
        return None
    meta = nb.metadata.get(CACHE_KEY_FIELD, {})
    return meta.get("cache_key") if meta.get("status") == "ok" else None


HIDDEN_TAGS = {"hide-input", "remove-input", "remove-cell"}


def _strip_volatile(nb: nbformat.NotebookNode) -> None:
    """Drop execution timestamps and durations, so that identical runs give identical files."""
    papermill_meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        papermill_meta.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell_meta = cell.metadata.get("papermill", {})
        for key in ("start_time", "end_time", "duration", "exception", "status"):
            cell_meta.pop(key, None)
        if not cell_meta:
            cell.metadata.pop("papermill", None)


def _set_title(nb: nbformat.NotebookNode, title: str) -> None:
    """Give the page its own title (e.g. with the area's name) in place of the template's."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            lines = cell.source.lstrip().splitlines()
            cell.source = "\n".join([f"# {title}", *lines[1:]])
            return
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}"))


def _stable_cell_ids(nb: nbformat.NotebookNode, template: Path) -> None:
    """Give every cell the template does not have (the injected parameters, an added title) an
    id derived from the template's name and its position, so that re-running an unchanged page
    writes the same bytes (papermill and nbformat would give it a new random id each time)."""
    known = {c.get("id") for c in nbformat.read(template, as_version=4).cells}
    for position, cell in enumerate(nb.cells):
        if cell.get("id") not in known:
            seed = f"{template.name}:{position}:{cell.cell_type}"
            cell["id"] = "jsna-" + hashlib.sha256(seed.encode()).hexdigest()[:12]


def _error_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Every error (traceback) output a page holds, as 'cell N: Name: message'."""
    return [f"cell {position}: {output.get('ename')}: {output.get('evalue')}"
            for position, cell in enumerate(nb.cells, start=1)
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def page_errors(path: Path) -> list[str]:
    """Why a page in book/generated must not be published (empty if it may be): unreadable, not
    marked "ok" by :func:`execute_run` (failed, or not written by jsna), or holding an error."""
    try:  # plain JSON: no schema validation, so checking every page stays fast
        nb = nbformat.from_dict(json.loads(path.read_text(encoding="utf-8")))
        status = nb.metadata.get(CACHE_KEY_FIELD, {}).get("status")
        errors = _error_outputs(nb)
    except Exception as exc:  # a half-written or corrupt file
        return [f"unreadable notebook ({type(exc).__name__})"]
    found = [] if status == "ok" else [
        "its run failed" if status == "failed" else "not executed by jsna run"]
    return found + errors


def unpublishable_pages(project: Project) -> dict[str, list[str]]:
    """Every page in book/generated the book would include that holds a failure or an error."""
    found = {}
    for path in sorted(project.generated.glob("*.ipynb")):
        problems = page_errors(path)
        if problems:
            found[path.stem] = problems
    return found


def strip_volatile_metadata(path: Path) -> None:
    """Rewrite a notebook file without its execution timestamps."""
    nb = nbformat.read(path, as_version=4)
    _strip_volatile(nb)
    nbformat.write(nb, path)


@functools.lru_cache(maxsize=1)
def quiet_kernel_manager() -> type:
    """A Jupyter kernel manager that talks to its kernel over IPC sockets (so the kernel does not
    warn that TCP is unencrypted) and does not interrupt a kernel it is shutting down (so the
    kernel does not log "KeyboardInterrupt caught in kernel" after every successful page)."""
    import tempfile
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class QuietKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # each kernel its own socket files (the default, "kernel-ipc" in the working
            # folder, would be shared by the kernels of parallel runs)
            return str(Path(tempfile.gettempdir()) / f"jsna-{uuid.uuid4().hex[:16]}-ipc")

        async def _async_interrupt_kernel(self) -> None:
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return QuietKernelManager


def execute_run(run: Run, key: str, engine: str = "papermill", verbose: bool = False) -> RunResult:
    """Execute one run with papermill (in a worker process) and stamp its cache key.

    ``engine`` is "papermill" (a fresh kernel per page) or "inprocess" (this warm worker's
    shell, :mod:`jsnalib.build.engine`); papermill injects the parameters either way.
    Kernels are quiet (:func:`quiet_kernel_manager`) unless `verbose`.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    options: dict[str, Any] = {}
    if engine == "inprocess":
        from jsnalib.build import engine as inprocess

        inprocess.register()
        options = {"engine_name": inprocess.PAPERMILL_ENGINE_NAME,
                   "request_save_on_cell_execute": False, "progress_path": str(run.output)}
    run.output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    status, error = "ok", ""
    if engine == "papermill" and not verbose:
        options["kernel_manager_class"] = quiet_kernel_manager()
    try:
        pm.execute_notebook(
            str(run.template), str(run.output), parameters=run.parameters,
            kernel_name="python3", progress_bar=False, cwd=str(run.cwd), **options,
        )
    except PapermillExecutionError as exc:
        status = "failed"
        first_line = (exc.source or "").strip().splitlines()[:1]
        error = (f"cell {exc.cell_index + 1} of the page (execution count {exc.exec_count}, "
                 f"starting {first_line[0][:60]!r}): {exc.ename}: {exc.evalue}")
    except Exception as exc:  # kernel died, template unreadable, ...
        status = "failed"
        error = f"{type(exc).__name__}: {exc}"
    finally:
        Path(f"{run.output}{PROGRESS_SUFFIX}").unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    if run.output.is_file():
        nb = nbformat.read(run.output, as_version=4)
        _strip_volatile(nb)
        if run.title:
            _set_title(nb, run.title)
        _stable_cell_ids(nb, run.template)
        if status == "ok" and _error_outputs(nb):  # e.g. an error shown by a cell that went on
            status, error = "failed", "; ".join(_error_outputs(nb))
        nb.metadata[CACHE_KEY_FIELD] = {"cache_key": key, "status": status}
        for cell in nb.cells:
            tags = cell.metadata.setdefault("tags", [])
            if cell.cell_type == "code" and not HIDDEN_TAGS & set(tags):
                # readers see results; the code stays one click away where it made output
                tags.append("hide-input" if cell.get("outputs") else "remove-cell")
        nbformat.write(nb, run.output)
    return RunResult(run.name, "executed" if status == "ok" else "failed", seconds, error,
                     str(run.output))


class _Progress:
    """A tqdm bar on a terminal; plain lines otherwise (CI, logs)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.done, self.bar = total, 0, None
        self.quiet = quiet
        if not quiet and sys.stderr.isatty() and not os.environ.get("CI"):
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="run", desc="notebooks")

    def update(self, result: RunResult) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(result.name)
            self.bar.update(1)
        elif not self.quiet:
            print(f"[{self.done}/{self.total}] {result.name}: {result.status} "
                  f"({result.seconds:.1f} s)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG).

    Run in each worker, so a killed ``jsna build`` leaves no worker writing notebooks (their
    kernels follow: ipykernel exits when its parent does). Does nothing on other systems.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


#: Engines of ``jsna build --engine``: warm in-process workers (default) or a kernel per page.
ENGINES = ("inprocess", "papermill")


def default_executor(engine: str = "inprocess", jobs: int | None = None) -> cf.Executor:
    """A pool sized to the cores whose workers die with their parent: warm in-process workers,
    or a plain process pool for papermill."""
    if engine == "papermill":
        return cf.ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1,
                                      initializer=die_with_parent, initargs=(os.getpid(),))
    from jsnalib.build.engine import WarmPool

    return WarmPool(max_workers=jobs, on_crash=crashed_run)


def crashed_run(exc: BaseException, run: Run, key: str) -> RunResult:
    """The failed result of a run whose worker process died, naming the cell it was running.

    The page is kept as papermill prepared it (parameters injected), with the crash as the
    output of that cell, and marked failed so that it is never taken from the cache.
    """
    import papermill as pm

    progress = Path(f"{run.output}{PROGRESS_SUFFIX}")
    index = int(progress.read_text()) if progress.is_file() else None
    progress.unlink(missing_ok=True)
    nb = pm.execute_notebook(str(run.template), None, parameters=run.parameters,
                             kernel_name="python3", prepare_only=True, cwd=str(run.cwd))
    what = f"the worker process died ({type(exc).__name__})"
    if index is None:
        error = what
    else:
        cell = nb.cells[index]
        first_line = cell.source.strip().splitlines()[:1] or [""]
        error = f"cell {index + 1} of the page (starting {first_line[0][:60]!r}): {what}"
        cell.outputs = [nbformat.v4.new_output("error", ename="WorkerDied", evalue=what,
                                               traceback=[])]
    nb.metadata[CACHE_KEY_FIELD] = {"cache_key": key, "status": "failed"}
    run.output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, run.output)
    return RunResult(run.name, "failed", error=error, output=str(run.output))


def execute(
    runs: Sequence[Run],
    executor: cf.Executor | None = None,
    force: bool = False,
    quiet: bool = False,
    run_one: Callable[[Run, str], RunResult] | None = None,
    engine: str = "inprocess",
    verbose: bool = False,
) -> Report:
    """Execute every run whose cache key changed, in parallel; collect failures, never stop early.

    ``engine`` (one of :data:`ENGINES`) chooses how pages run unless ``run_one`` is given;
    `verbose` lets the kernels print their own messages.
    """
    if engine not in ENGINES:
        raise PipelineError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    run_one = run_one or functools.partial(execute_run, engine=engine, verbose=verbose)
    lib = library_hash()
    report = Report()
    pending: list[tuple[Run, str]] = []
    for run in runs:
        key = run.cache_key(lib)
        if not force and _stored_key(run.output) == key:
            report.results.append(RunResult(run.name, "cached", output=str(run.output)))
        else:
            pending.append((run, key))
    progress = _Progress(len(pending), quiet)
    own = executor is None
    pool = executor or (default_executor(engine) if pending else None)
    try:
        futures = {pool.submit(run_one, run, key): run for run, key in pending} if pool else {}
        for future in cf.as_completed(futures):
            run = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker itself failed
                result = RunResult(run.name, "failed", error=f"{type(exc).__name__}: {exc}",
                                   output=str(run.output))
            report.results.append(result)
            progress.update(result)
    finally:
        progress.close()
        if own and pool is not None:
            pool.shutdown(cancel_futures=True)
    order = {run.name: i for i, run in enumerate(runs)}
    report.results.sort(key=lambda r: order[r.name])
    return report


def prune_generated(project: Project, runs: Sequence[Run]) -> list[Path]:
    """Delete pages in book/generated that no run produces any more (e.g. a removed area)."""
    keep = {run.output for run in runs}
    stale = [p for p in project.generated.glob("*.ipynb") if p not in keep]
    for path in stale:
        path.unlink()
    return stale


BUILD_STAMP = ".jsna-build"
LOCK_FILE = ".jsna-build.lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


class BuildBusy(PipelineError):
    """Another `jsna build` or `jsna run` holds the project's lock."""


class BuildLock:
    """One build at a time: ``<project>/.jsna-build.lock`` holds the owner's pid, host and start
    time, and an exclusive ``flock`` on it for as long as the owner lives.

    The kernel releases the flock when its owner dies, however it dies, so a lock file left by a
    killed build is recognised as stale (its pid is no longer running) and taken over, with a
    note in :attr:`cleared`. While the lock is held, a second build raises :class:`BuildBusy`
    naming the owner, or with ``wait=True`` polls until the lock is free.
    """

    def __init__(self, project: Project, wait: bool = False, poll: float = 1.0) -> None:
        self.path = project.root / LOCK_FILE
        self.wait, self.poll = wait, poll
        self.fd: int | None = None
        self.cleared = ""

    def owner(self) -> dict[str, Any]:
        """What the lock file says about its owner (empty if unreadable)."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def _describe(self, owner: dict[str, Any]) -> str:
        return (f"pid {owner.get('pid', '?')} on {owner.get('host', '?')}, started "
                f"{owner.get('started', '?')}")

    def acquire(self) -> BuildLock:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if not self.wait:
                    raise BuildBusy(
                        f"another jsna build is running ({self._describe(self.owner())}; lock "
                        f"{self.path.name}): wait for it to finish, or use --wait") from None
                time.sleep(self.poll)
                continue
            # the file may have been removed and re-created by the owner that just released it
            if not self.path.exists() or os.stat(self.path).st_ino != os.fstat(fd).st_ino:
                os.close(fd)
                continue
            break
        previous = self.owner()
        if previous.get("pid") and previous.get("pid") != os.getpid():
            state = ("no longer running" if previous.get("host") == socket.gethostname()
                     and not _pid_alive(int(previous["pid"])) else "no longer holding it")
            self.cleared = f"cleared a stale build lock ({self._describe(previous)}: {state})"
        record = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        self.path.unlink(missing_ok=True)
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> BuildLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _digest_files(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _build_setup_files(project: Project) -> list[Path]:
    """What shapes every page of the book: configuration, contents, styles and extensions."""
    files = [project.root / "_config.yml", project.root / "_toc.yml"]
    files += [PACKAGE_DIR / name for name in BUILD_ONLY_MODULES]
    files += sorted(p for p in (project.root / "_static").rglob("*") if p.is_file())
    return files


def book_sources_hash(project: Project) -> str:
    """SHA-256 over everything the book build reads: set-up, hand-written and generated pages."""
    pages = sorted(project.root.glob("*.md"))
    pages += sorted(p for p in (project.root / "book").rglob("*") if p.is_file())
    return _digest_files([*_build_setup_files(project), *pages])


PUBLISHED = "html"
_VERSION = re.compile(r"html-\d{8}-\d{6}-[0-9a-f]+(-\d+)?")
_SPHINX_PROGRESS = re.compile(r"^(reading sources|writing output)\.\.\. \[\s*(\d+)%\]")


def _complete(folder: Path) -> bool:
    return folder.is_dir() and (folder / "index.html").is_file() and (folder / BUILD_STAMP).is_file()


def recover_published(project: Project) -> str:
    """Make sure ``_build/html`` exists when a complete book does, after an interrupted build.

    ``_build/html`` is a symlink to a complete book ``_build/html-<time>-<stamp>``. If it is
    missing or dangling (a build killed by an older jsna between its two renames, which left
    ``_build/html.old``; or a folder removed by hand), it is pointed again at the newest
    complete book. Unfinished copies (``*.tmp``) are removed. Returns what was done ("" if
    nothing).
    """
    build_dir = project.build_dir
    if not build_dir.is_dir():
        return ""
    for leftover in build_dir.glob("html-*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)
    link = build_dir / PUBLISHED
    if link.exists():
        return ""
    candidates = [p for p in build_dir.iterdir() if (_VERSION.fullmatch(p.name) or p.name in (
        "html.old", "html.new")) and _complete(p)]
    if not candidates:
        return ""
    newest = max(candidates, key=lambda p: (p / BUILD_STAMP).stat().st_mtime_ns)
    if not _VERSION.fullmatch(newest.name):
        renamed = build_dir / _version_name(build_dir, (newest / BUILD_STAMP).read_text())
        newest.rename(renamed)
        newest = renamed
    _point(link, newest)
    return f"recovered _build/html: it now shows the last complete book ({newest.name})"


def _version_name(build_dir: Path, stamp: str) -> str:
    """A new folder name for a published book: html-<time>-<start of its stamp>."""
    name = f"html-{time.strftime('%Y%m%d-%H%M%S')}-{stamp[:10]}"
    return name if not os.path.lexists(build_dir / name) else f"{name}-{os.getpid()}"


def _point(link: Path, target: Path) -> None:
    """Switch `link` to `target` in one atomic rename of a new symlink over the old one."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    os.symlink(target.name, temporary)
    os.replace(temporary, link)


def publish(project: Project, built: Path, stamp: str) -> Path:
    """Copy a built book to ``_build/html-<time>-<stamp>`` and switch ``_build/html`` to it.

    The copy is complete before the switch, and the switch is one atomic rename, so
    ``_build/html`` is always a whole book, the old one or the new one. Older copies are then
    removed. A ``_build/html`` folder left by an older jsna is first moved aside as a version.
    """
    build_dir = project.build_dir
    build_dir.mkdir(exist_ok=True)
    name = _version_name(build_dir, stamp)
    staging = build_dir / f"{name}.tmp"
    shutil.copytree(built, staging)
    (staging / BUILD_STAMP).write_text(stamp)
    staging.rename(build_dir / name)
    link = build_dir / PUBLISHED
    if link.is_dir() and not link.is_symlink():
        legacy = build_dir / _version_name(build_dir, "0" * 10)
        link.rename(legacy)  # once: recover_published repairs a kill in this short window
    _point(link, build_dir / name)
    for old in build_dir.iterdir():
        if old.name != name and (_VERSION.fullmatch(old.name) or old.name in ("html.old",
                                                                               "html.new")):
            shutil.rmtree(old, ignore_errors=True)
    return link


def _run_sphinx(command: list[str], cwd: Path, quiet: bool, verbose: bool
                ) -> tuple[int, list[str]]:
    """Run the book build, returning its exit code and output lines.

    `verbose` passes Sphinx's output through; otherwise a terminal shows one progress bar
    (reading, then writing the pages) and everything else is kept for the error message.
    """
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    bar = None
    if not quiet and not verbose and sys.stderr.isatty() and not os.environ.get("CI"):
        from tqdm import tqdm

        bar = tqdm(total=200, unit="%", desc="book", bar_format="{desc}: {percentage:3.0f}%|{bar}|")
    log: list[str] = []
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            log.append(line.rstrip("\n"))
            if verbose:
                print(line, end="", file=sys.stderr, flush=True)
            match = _SPHINX_PROGRESS.match(line)
            if bar is not None and match:
                done = int(match.group(2)) + (100 if match.group(1) == "writing output" else 0)
                bar.update(max(0, done - bar.n))
    finally:
        code = proc.wait()
        if bar is not None:
            bar.close()
    return code, log


def build_book(project: Project, quiet: bool = False, jobs: int | None = None,
               verbose: bool = False) -> Path | None:
    """Build the Jupyter Book aside (warnings are errors) and publish it as _build/html.

    Returns the new index.html, or None when nothing the book reads has changed since the last
    build (the stamp in _build/html matches). Sphinx keeps its environment in _build/.sphinx,
    so unchanged pages are not read again; a failed build clears it, so the next build is full
    and reports every warning. The previous _build/html is replaced only when the build succeeds
    (see :func:`publish`). Raises PipelineError, publishing nothing, if a page the book would
    include failed or holds an error (see :func:`unpublishable_pages`).
    """
    recover_published(project)
    target = project.build_dir / PUBLISHED
    unpublishable = unpublishable_pages(project)
    if unpublishable:
        raise PipelineError(
            f"{len(unpublishable)} page(s) in book/generated failed or hold an error, so the book "
            "was not built (the previous _build/html is untouched):\n" + "\n".join(
                f"  {name}: {'; '.join(problems)}" for name, problems in unpublishable.items())
            + "\nre-run them with `jsna build` (or `jsna run --only NAME`)")
    # a large book's region pages (bookbuild writes the same again), before the stamp sums book/
    bookbuild.write_region_pages(project.root, bookbuild.book_navigation(project.root)[2])
    stamp = book_sources_hash(project)
    stamp_file = target / BUILD_STAMP
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return None
    work = project.build_dir / ".sphinx"
    setup_key, setup_stamp = _digest_files(_build_setup_files(project)), work / ".setup"
    if not setup_stamp.is_file() or setup_stamp.read_text() != setup_key:
        # Sphinx re-reads changed pages only; a new configuration must re-render every page
        shutil.rmtree(work, ignore_errors=True)
    command = [sys.executable, "-m", "jsnalib.build.bookbuild", str(project.root), str(work),
               "--jobs", str(jobs or os.cpu_count() or 1)]
    if quiet:
        command.append("--quiet")
    code, log = _run_sphinx(command, project.root, quiet, verbose)
    built = work / "html"
    if code != 0 or not (built / "index.html").is_file():
        shutil.rmtree(work, ignore_errors=True)
        raise PipelineError("book build failed (the previous _build/html is untouched):\n"
                            + "\n".join(log[-40:]))
    setup_stamp.write_text(setup_key)
    return publish(project, built, stamp) / "index.html"
