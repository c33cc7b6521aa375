"""Benchmark: cold `jsna build` against a naive baseline, and a no-change rebuild.

Measured in one run, on a throwaway copy of the project (the repository is not touched):

- naive: every run executed one after another through the papermill command line, then a plain
  `jupyter-book build` (what a team without the pipeline would script);
- cold: `jsna build` from nothing (parallel runs, then the parallel Sphinx build);
- no change: `jsna build` again with nothing changed.

Targets (issue 2): cold at least 1.8x faster than naive; no-change rebuild under 10% of cold.

    .venv/bin/python bench/build.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from jsnalib.build import pipeline

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def copy_project(dest: Path) -> pipeline.Project:
    for name in ("notebooks", "data", "_static"):
        shutil.copytree(REPO / name, dest / name)
    (dest / "book").mkdir()
    for page in (REPO / "book").glob("*.md"):
        shutil.copy(page, dest / "book" / page.name)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, dest / name)
    return pipeline.Project(dest)


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True,
                   env={**os.environ, "CI": "1"})
    return time.perf_counter() - start


def naive(project: pipeline.Project) -> float:
    start = time.perf_counter()
    project.generated.mkdir(parents=True, exist_ok=True)
    for run in pipeline.load_runs(project):
        subprocess.run([str(BIN / "papermill"), str(run.template), str(run.output),
                        "-y", yaml.safe_dump(run.parameters), "--cwd", str(run.cwd),
                        "-k", "python3", "--no-progress-bar"],
                       check=True, capture_output=True, text=True)
    subprocess.run([str(BIN / "jupyter-book"), "build", str(project.root), "-W", "-n",
                    "--keep-going", "-q"], check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="jsna-bench-") as tmp:
        project = copy_project(Path(tmp) / "book")
        runs = pipeline.load_runs(project)
        print(f"{len(runs)} runs, {os.cpu_count()} cores")
        naive_s = naive(project)
        print(f"naive (papermill CLI one after another + jupyter-book build): {naive_s:7.1f} s")
        shutil.rmtree(project.generated)
        shutil.rmtree(project.build_dir)
        jsna = [str(BIN / "jsna"), "build", "--quiet"]
        cold_s = timed(jsna, project.root)
        print(f"cold jsna build:                                            {cold_s:7.1f} s")
        warm_s = timed(jsna, project.root)
        print(f"no-change jsna build:                                       {warm_s:7.1f} s")
        speedup, share = naive_s / cold_s, warm_s / cold_s
        print(f"cold speed-up over naive: {speedup:.2f}x (target >= 1.8x)")
        print(f"no-change rebuild / cold: {share:.1%} (target < 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
