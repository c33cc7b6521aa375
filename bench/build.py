"""Benchmark: `jsna build` with each engine against a naive baseline, rebuilds, peak memory.

Measured in one run, on throwaway copies of the project (the repository is not touched):

- naive: every run executed one after another through the papermill command line, then a plain
  `jupyter-book build` (what a team without the pipeline would script);
- cold, papermill engine: `jsna build --engine papermill` from nothing (a kernel per page);
- cold, in-process engine: `jsna build` from nothing (warm workers, inputs read once);
  the two engines run in separate copies, interleaved A, B, A, B when ``--repeat 2``;
- no change: `jsna build` again with nothing changed;
- one data file changed: one more live birth in the last row of births_deaths_imd.csv, so only
  the pages that read it (infant mortality, one per area) may execute.

For each cold build the phases are timed from the command's own progress lines: validating
data/, executing the notebooks, then the Sphinx build and swap. Peak memory is the largest
sum of resident memory over the build's process tree (psutil, sampled every 0.1 s).

Targets (issue 17): cold in-process at least 4x faster than naive on 2 cores; no-change rebuild
under 3% of cold; the one-file change executes only the pages that read the file.

    .venv/bin/python bench/build.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import yaml

from jsnalib.build import pipeline

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHANGED_FILE = "births_deaths_imd.csv"


@dataclass
class Timing:
    """One measured command: wall time (s), phases (s), peak tree memory (bytes), stderr."""

    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    peak_rss: int = 0
    log: str = ""


def copy_project(dest: Path) -> pipeline.Project:
    for name in ("notebooks", "data", "_static"):
        shutil.copytree(REPO / name, dest / name)
    (dest / "book").mkdir()
    for page in (REPO / "book").glob("*.md"):
        shutil.copy(page, dest / "book" / page.name)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, dest / name)
    return pipeline.Project(dest)


class PeakMemory:
    """The largest resident memory of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.root, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in tree:
                try:
                    total += proc.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(command: list[str], cwd: Path) -> Timing:
    """Run a command, stamping its stderr lines as they arrive (for the phases)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "CI": "1"})
    memory = PeakMemory(proc.pid)
    lines = [(time.perf_counter() - start, line) for line in proc.stderr]
    proc.wait()
    total = time.perf_counter() - start
    peak = memory.stop()
    log = "".join(line for _, line in lines)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{log[-3000:]}")
    marks = {"validated": next((t for t, x in lines if x.startswith("data/:")), 0.0),
             "executed": next((t for t, x in lines if " runs: " in x), 0.0)}
    phases = {"validate data/": marks["validated"],
              "execute notebooks": marks["executed"] - marks["validated"],
              "Sphinx build and swap": total - marks["executed"]}
    return Timing(total, phases, peak, log)


def naive(project: pipeline.Project) -> Timing:
    start = time.perf_counter()
    project.generated.mkdir(parents=True, exist_ok=True)
    peak = 0
    for run in pipeline.load_runs(project):
        proc = subprocess.Popen([str(BIN / "papermill"), str(run.template), str(run.output),
                                 "-y", yaml.safe_dump(run.parameters), "--cwd", str(run.cwd),
                                 "-k", "python3", "--no-progress-bar"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        memory = PeakMemory(proc.pid)
        proc.wait()
        peak = max(peak, memory.stop())
        if proc.returncode:
            raise RuntimeError(f"papermill failed on {run.name}")
    book = timed([str(BIN / "jupyter-book"), "build", str(project.root), "-W", "-n",
                  "--keep-going", "-q"], project.root)
    return Timing(time.perf_counter() - start, peak_rss=max(peak, book.peak_rss))


def jsna(engine: str, *options: str) -> list[str]:
    return [str(BIN / "jsna"), "build", "--engine", engine, *options]


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="cold builds per engine (A/B)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jsna-bench-") as tmp:
        base = copy_project(Path(tmp) / "naive")
        runs = pipeline.load_runs(base)
        print(f"{len(runs)} runs, {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f} at start")
        naive_t = naive(base)
        print(f"naive (papermill CLI one by one + jupyter-book build): {naive_t.seconds:7.1f} s  "
              f"peak {_mb(naive_t.peak_rss)}")
        cold: dict[str, list[Timing]] = {"papermill": [], "inprocess": []}
        projects = {}
        for i in range(args.repeat):
            for engine in ("papermill", "inprocess"):  # interleaved A, B, A, B
                project = copy_project(Path(tmp) / f"{engine}-{i}")
                projects[engine] = project
                cold[engine].append(timed(jsna(engine), project.root))
        for engine, timings in cold.items():
            median = statistics.median(t.seconds for t in timings)
            print(f"cold jsna build --engine {engine:9}: {median:7.1f} s  "
                  f"peak {_mb(max(t.peak_rss for t in timings))}  "
                  f"({naive_t.seconds / median:.2f}x naive)")
            for phase in timings[0].phases:
                value = statistics.median(t.phases[phase] for t in timings)
                print(f"    {phase:24} {value:7.1f} s  ({value / median:5.1%})")
        project = projects["inprocess"]
        cold_s = statistics.median(t.seconds for t in cold["inprocess"])
        same = timed(jsna("inprocess"), project.root)
        print(f"no-change jsna build: {same.seconds:7.1f} s  ({same.seconds / cold_s:.1%} of cold)")
        path = project.root / "data" / CHANGED_FILE
        lines = path.read_text().splitlines()
        fields, column = lines[-1].split(","), lines[0].split(",").index("live_births")
        fields[column] = str(int(fields[column]) + 1)
        path.write_text("\n".join([*lines[:-1], ",".join(fields)]) + "\n")
        one = timed(jsna("inprocess"), project.root)
        readers = [r.name for r in pipeline.load_runs(project)
                   if any(p.name == CHANGED_FILE for p in r.reads)]
        executed = [line.split(":")[0].split("] ")[1] for line in one.log.splitlines()
                    if line.startswith("[") and ": executed" in line]
        print(f"one data file changed ({CHANGED_FILE}): {one.seconds:7.1f} s, executed "
              f"{len(executed)} pages; {len(readers)} pages read it; only those: "
              f"{sorted(executed) == sorted(readers)}")
        speedup = naive_t.seconds / cold_s
        print(f"cold in-process speed-up over naive: {speedup:.2f}x (target >= 4x); over the "
              f"papermill engine: "
              f"{statistics.median(t.seconds for t in cold['papermill']) / cold_s:.2f}x")
        print(f"no-change rebuild / cold: {same.seconds / cold_s:.1%} (target < 3%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
