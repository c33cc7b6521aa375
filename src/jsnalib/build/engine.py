"""In-process execution of book pages in warm worker processes.

Papermill starts a fresh Jupyter kernel for every page: about 0.6 s to start it, 1.6 s to import
pandas, statsmodels, matplotlib and jsnalib again and 0.6 s to shut it down, every time. Here a
worker process imports those once and executes page after page in an IPython shell of its own.

What stays exactly as papermill does it: :func:`papermill.execute_notebook` still reads the
template, validates and injects the parameters (the ``injected-parameters`` cell after the
``parameters`` cell), records its metadata, marks a failing cell and raises
:class:`papermill.exceptions.PapermillExecutionError`; only the engine that runs the cells is
:class:`InProcessEngine` instead of a kernel. Outputs are recorded as ipykernel and nbclient
record them: streams (consecutive writes to one stream in one output), ``execute_result`` with
its execution count, ``display_data`` with its metadata, and ``error`` with name, value and
traceback.

Each page runs in a clean namespace (a reset shell, execution count 1) and whatever a page
changes in the worker's global state is put back afterwards: ``sys.modules['__main__']`` (IPython
replaces it), ``sys.path``, the environment, the working directory, standard streams, warning
filters (and the once-per-location registries), matplotlib's rcParams and open figures, pandas
options and numpy's error and print settings.

:class:`WarmPool` is the executor: a process pool (forkserver, or spawn where there is none) whose
workers import the heavy libraries once, run at most ``pages_per_worker`` pages and are then
replaced, so memory stays bounded. A page that kills its worker (a segfault, ``os._exit``) breaks
the pool for every page then running; each of those is run again alone in a fresh process, and
only the page that kills that one too is reported failed, with the cell it was running.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

#: The name :class:`InProcessEngine` is registered under with papermill.
PAPERMILL_ENGINE_NAME = "jsna-inprocess"
#: Pages a worker executes before it is replaced (bounds the memory a worker accumulates).
PAGES_PER_WORKER = 24
#: Modules imported once per worker (in the forkserver, so every worker starts warm).
WARM_MODULES = (
    "jsnalib.build.engine", "IPython.core.interactiveshell", "ipykernel.ipkernel",
    "matplotlib.pyplot", "papermill", "pandas",
    "statsmodels.api", "jsnalib.chapters.infant_mortality", "jsnalib.chapters.obesity",
    "jsnalib.chapters.profiles", "jsnalib.chapters.rereferral", "jsnalib.report.display",
)
#: Suffix of the file in which a worker notes the cell it is executing (read after a crash).
PROGRESS_SUFFIX = ".running"

_shell: Any = None


# ----------------------------------------------------------------------------------------------
# the shell: an IPython InteractiveShell that records outputs as a kernel would send them


def _new_output(kind: str, **fields: Any) -> Any:
    import nbformat

    return nbformat.v4.new_output(kind, **fields)


def _make_shell() -> Any:
    """One IPython shell per worker, capturing display data, results and errors as outputs."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class _Results(DisplayHook):
        """``execute_result`` outputs (a cell's last value), as ipykernel's display hook."""

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
            self.shell.page_outputs.append(_new_output(
                "execute_result", data=format_dict, metadata=md_dict or {},
                execution_count=self.prompt_count))

        def finish_displayhook(self) -> None:
            pass

    class _Displays(DisplayPublisher):
        """``display_data`` outputs (``display()``, inline figures), with their metadata."""

        def publish(self, data: dict, metadata: dict | None = None, *args: Any,
                    **kwargs: Any) -> None:
            self.shell.page_outputs.append(
                _new_output("display_data", data=data, metadata=metadata or {}))

        def clear_output(self, wait: bool = False) -> None:
            self.shell.page_outputs.clear()

    class PageShell(InteractiveShell):
        """The shell pages run in; ``page_outputs`` collects the running cell's outputs."""

        page_outputs: list

        def enable_gui(self, gui: str | None = None) -> None:
            pass

        def _showtraceback(self, etype: type, evalue: BaseException, stb: list[str]) -> None:
            self.page_outputs.append(_new_output(
                "error", ename=str(etype.__name__), evalue=str(evalue), traceback=stb))

    config = Config()
    config.HistoryManager.enabled = False
    shell = PageShell.instance(config=config, display_pub_class=_Displays,
                               displayhook_class=_Results)
    shell.page_outputs = []
    return shell


class _Stream:
    """sys.stdout / sys.stderr during a cell: writes become ``stream`` outputs, consecutive
    writes to the same stream one output (as ipykernel buffers and nbclient records them)."""

    def __init__(self, outputs: list, name: str) -> None:
        self.outputs, self.name = outputs, name
        self.encoding, self.errors = "utf-8", "strict"

    def write(self, text: str) -> int:
        if text:
            last = self.outputs[-1] if self.outputs else None
            if last is not None and last.output_type == "stream" and last.name == self.name:
                last.text += text
            else:
                self.outputs.append(_new_output("stream", name=self.name, text=text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def _clean_page(shell: Any) -> Iterator[None]:
    """A fresh namespace for one page; the worker's global state put back afterwards."""
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    main, path, environ, cwd = sys.modules["__main__"], list(sys.path), dict(os.environ), os.getcwd()
    streams = sys.stdout, sys.stderr
    shell.reset(new_session=True)
    plt.close("all")
    sys.modules["__main__"] = shell.user_module
    try:
        with warnings.catch_warnings(), matplotlib.rc_context(), np.errstate(), np.printoptions():
            yield
    finally:
        plt.close("all")
        shell.reset(new_session=True)
        sys.stdout, sys.stderr = streams
        sys.modules["__main__"] = main
        sys.path[:] = path
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(cwd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.reset_option("all")


def _run_cell(shell: Any, cell: Any) -> bool:
    """Execute one code cell; its outputs and execution count go into the cell. False on error."""
    outputs: list = []
    shell.page_outputs = outputs
    cell.outputs = outputs
    count = shell.execution_count
    sys.stdout, sys.stderr = _Stream(outputs, "stdout"), _Stream(outputs, "stderr")
    try:
        result = shell.run_cell(cell.source, store_history=True)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    cell.outputs = list(outputs)
    cell.execution_count = count
    return result.success


def _note_progress(output_path: str | None, index: int) -> None:
    if output_path:
        Path(output_path + PROGRESS_SUFFIX).write_text(str(index))


def _engine_class() -> type:
    from papermill.engines import Engine

    class InProcessEngine(Engine):
        """A papermill engine executing the cells in this process's shell (see module docs).

        Like papermill's own client it goes through every cell (markdown too) with the
        execution manager's start/complete callbacks, skips empty code cells and those tagged
        ``skip-execution``, and stops at the first error unless the cell is tagged
        ``raises-exception``.
        """

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            from ipykernel.ipkernel import IPythonKernel

            warm_worker()
            progress = kwargs.get("progress_path")
            with _clean_page(_shell):
                for index, cell in enumerate(nb_man.nb.cells):
                    nb_man.cell_start(cell, index)
                    try:
                        tags = cell.metadata.get("tags", [])
                        if (cell.cell_type != "code" or not cell.source.strip()
                                or "skip-execution" in tags):
                            continue
                        _note_progress(progress, index)
                        if not _run_cell(_shell, cell) and "raises-exception" not in tags:
                            nb_man.cell_exception(cell, cell_index=index)
                            break
                    finally:
                        nb_man.cell_complete(cell, cell_index=index)
            nb_man.nb.metadata["language_info"] = dict(IPythonKernel.language_info)
            return nb_man.nb

    return InProcessEngine


def register() -> None:
    """Register :class:`InProcessEngine` with papermill as ``jsna-inprocess`` (idempotent)."""
    from papermill.engines import papermill_engines

    if PAPERMILL_ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(PAPERMILL_ENGINE_NAME, _engine_class())


def _die_with_build(build: int | None) -> None:
    """End this worker when the build process `build` ends, so a killed ``jsna build`` leaves no
    worker writing pages. Workers are children of the forkserver, which outlives a build killed
    with SIGKILL, so a daemon thread watches the build's pid (once a second)."""
    if build is None:
        return

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(build, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="jsna-watch-build", daemon=True).start()


def warm_worker(build: int | None = None) -> None:
    """Pool initializer: no telemetry, the heavy imports, the engine and the shell, once.

    The imports come first: what they set up (e.g. the house style and the Agg backend that
    :mod:`jsnalib.report.plots` sets on import) is the state every page starts from, as it
    is in a kernel once the page has imported them.
    """
    import importlib

    global _shell
    _die_with_build(build)
    if _shell is not None:
        return
    os.environ["PLOOMBER_STATS_ENABLED"] = "false"
    for name in WARM_MODULES:
        importlib.import_module(name)
    register()
    _shell = _make_shell()


# ----------------------------------------------------------------------------------------------
# the pool


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(WARM_MODULES))
        return context
    return multiprocessing.get_context("spawn")


class WarmPool(cf.Executor):
    """A process pool of warm workers that survives a page killing its worker.

    At most ``max_workers`` tasks are handed to the inner pool at a time, so when a worker dies
    only the tasks then running are affected: each is run again alone in a fresh process, and
    a task that kills that process too gets ``on_crash``'s result.

    Parameters
    ----------
    max_workers : int, optional
        Worker processes (default: one per core).
    pages_per_worker : int
        Tasks a worker runs before it is replaced by a fresh one.
    on_crash : callable, optional
        ``on_crash(exc, *args)`` gives the result of a task whose process died even when run
        alone (e.g. a failed :class:`jsnalib.build.pipeline.RunResult`); without it the
        task's future raises the :class:`BrokenProcessPool`.
    """

    def __init__(self, max_workers: int | None = None, pages_per_worker: int = PAGES_PER_WORKER,
                 on_crash: Callable[..., Any] | None = None) -> None:
        self._max_workers = max_workers or os.cpu_count() or 1
        self._pages = pages_per_worker
        self._on_crash = on_crash
        self._context = _context()
        self._pool = self._new_pool(self._max_workers)
        self._queue: deque[tuple[cf.Future, Callable[..., Any], tuple, dict]] = deque()
        self._running = 0
        self._idle = threading.Condition()

    def _new_pool(self, workers: int) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(workers, mp_context=self._context, initializer=warm_worker,
                                      initargs=(os.getpid(),), max_tasks_per_child=self._pages)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        outer: cf.Future = cf.Future()
        with self._idle:
            self._queue.append((outer, fn, args, kwargs))
        self._pump()
        return outer

    def _pump(self) -> None:
        with self._idle:
            while self._queue and self._running < self._max_workers:
                outer, fn, args, kwargs = self._queue.popleft()
                if not outer.set_running_or_notify_cancel():
                    continue
                self._running += 1
                try:
                    try:
                        inner = self._pool.submit(fn, *args, **kwargs)
                    except BrokenProcessPool:
                        self._pool = self._new_pool(self._max_workers)
                        inner = self._pool.submit(fn, *args, **kwargs)
                except BaseException as exc:  # never leave a page counted as running
                    self._running -= 1
                    self._idle.notify_all()
                    outer.set_exception(exc)
                    continue
                inner.add_done_callback(functools.partial(self._settle, outer, fn, args, kwargs,
                                                          None))

    def _settle(self, outer: cf.Future, fn: Callable[..., Any], args: tuple, kwargs: dict,
                alone: cf.ProcessPoolExecutor | None, done: cf.Future) -> None:
        try:
            exc = done.exception() if not done.cancelled() else cf.CancelledError()
            if isinstance(exc, BrokenProcessPool) and alone is None:
                try:
                    solo = self._new_pool(1)
                    retry = solo.submit(fn, *args, **kwargs)
                except BaseException as failed:  # the retry cannot start: the page has failed
                    exc = failed
                else:
                    retry.add_done_callback(functools.partial(self._settle, outer, fn, args,
                                                              kwargs, solo))
                    return
            if alone is not None:
                alone.shutdown(wait=False)
            if exc is None:
                outer.set_result(done.result())
            elif isinstance(exc, BrokenProcessPool) and self._on_crash is not None:
                outer.set_result(self._on_crash(exc, *args))
            else:
                outer.set_exception(exc)
        except BaseException as failed:  # e.g. on_crash raised: the page fails, the pool goes on
            if not outer.done():
                outer.set_exception(failed)
        with self._idle:
            self._running -= 1
            self._idle.notify_all()
        self._pump()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._idle:
            if cancel_futures:
                while self._queue:
                    self._queue.popleft()[0].cancel()
            if wait:
                self._idle.wait_for(lambda: not self._queue and not self._running)
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
