"""From notebooks/runs.yml to an executed, validated, cached set of book pages.

A *run* is one notebook template executed with one set of parameters. `runs.yml` declares the
runs (a template may be expanded over a list of areas, one page per area). Each run has a cache
key: the SHA-256 of the template, its parameters, the input files it reads and the jsnalib
source. A run whose output notebook already carries its key is not executed again.

Runs execute in parallel on any :class:`concurrent.futures.Executor` (by default a pool sized
to the cores: warm workers running pages in-process, :mod:`jsnalib.build.engine`, or with
``engine="papermill"`` a process pool starting a kernel per page). A failing run keeps its
partially executed notebook, the others complete, and the failure is reported with its cell.
The book is built aside and swapped into ``_build/html`` only when the build succeeds.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

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
        for path in sorted(self.reads):
            digest.update(path.name.encode())
            digest.update(_file_digest(path).encode())
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


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    spec = yaml.safe_load(project.runs_file.read_text(encoding="utf-8")) or {}
    data_dir = (project.notebooks / spec.get("data_dir", "../data")).resolve()
    geography = load_geography(data_dir)
    runs: list[Run] = []
    for entry in spec.get("runs", []):
        template = project.notebooks / entry["template"]
        if not template.is_file():
            raise PipelineError(f"runs.yml: template {entry['template']} not found in notebooks/")
        reads = tuple(data_dir / f for f in entry.get("reads", []))
        for path in reads:
            if not path.is_file():
                raise PipelineError(f"runs.yml: {template.name} reads {path.name}, not in data/")
        for parameters in _expand(entry, geography):
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
                title=entry.get("title", "").format(**parameters, **names),
            ))
    names = [r.name for r in runs]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise PipelineError(f"runs.yml: more than one run writes {', '.join(duplicated)}")
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise PipelineError(f"no such run: {', '.join(unknown)}; runs are {', '.join(names)}")
        runs = [r for r in runs if r.name in only]
    return runs


def _expand(entry: dict[str, Any], geography: Geography) -> Iterable[dict[str, Any]]:
    """One parameter set, or one per area when the entry has `foreach_area`."""
    base = dict(entry.get("parameters", {}))
    over = entry.get("foreach_area")
    if over is None:
        yield base
        return
    codes = geography.jsna_areas() if over == "jsna_areas" else list(over)
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


def strip_volatile_metadata(path: Path) -> None:
    """Rewrite a notebook file without its execution timestamps."""
    nb = nbformat.read(path, as_version=4)
    _strip_volatile(nb)
    nbformat.write(nb, path)


def execute_run(run: Run, key: str, engine: str = "papermill") -> RunResult:
    """Execute one run with papermill (in a worker process) and stamp its cache key.

    ``engine`` is "papermill" (a fresh kernel per page) or "inprocess" (this warm worker's
    shell, :mod:`jsnalib.build.engine`); papermill injects the parameters either way.
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


#: Engines of ``jsna build --engine``: warm in-process workers (default) or a kernel per page.
ENGINES = ("inprocess", "papermill")


def default_executor(engine: str = "inprocess", jobs: int | None = None) -> cf.Executor:
    """A pool sized to the cores: warm in-process workers, or a plain process pool for papermill."""
    if engine == "papermill":
        return cf.ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1)
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
) -> Report:
    """Execute every run whose cache key changed, in parallel; collect failures, never stop early.

    ``engine`` (one of :data:`ENGINES`) chooses how pages run unless ``run_one`` is given.
    """
    if engine not in ENGINES:
        raise PipelineError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    run_one = run_one or functools.partial(execute_run, engine=engine)
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
            pool.shutdown()
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


def build_book(project: Project, quiet: bool = False, jobs: int | None = None) -> Path | None:
    """Build the Jupyter Book aside (warnings are errors) and swap it into _build/html.

    Returns the new index.html, or None when nothing the book reads has changed since the last
    build (the stamp in _build/html matches). Sphinx keeps its environment in _build/.sphinx,
    so unchanged pages are not read again; a failed build clears it, so the next build is full
    and reports every warning. The previous _build/html is replaced only when the build succeeds.
    """
    target = project.build_dir / "html"
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
    proc = subprocess.run(command, cwd=project.root, capture_output=True, text=True)
    built = work / "html"
    if proc.returncode != 0 or not (built / "index.html").is_file():
        log = (proc.stdout + proc.stderr).strip().splitlines()
        shutil.rmtree(work, ignore_errors=True)
        raise PipelineError("book build failed (the previous _build/html is untouched):\n"
                            + "\n".join(log[-40:]))
    setup_stamp.write_text(setup_key)
    project.build_dir.mkdir(exist_ok=True)
    staging, old = project.build_dir / "html.new", project.build_dir / "html.old"
    for folder in (staging, old):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(built, staging)
    (staging / BUILD_STAMP).write_text(stamp)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target / "index.html"
