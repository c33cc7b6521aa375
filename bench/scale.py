"""Benchmark: the national book (`jsna init --all`) at 10, 40 and 150 areas.

For each number of areas N (the first N authorities of `jsna init --all`, region by region):

- notebook phase: `jsna run --dask --jobs W` of the runs that have real data for every
  authority (area profile and infant mortality, two pages per authority, and the outcomes
  summary), with ``--force``; wall time, each run's own time (from the progress lines), peak
  resident memory of the whole process tree (scheduler, workers) sampled every 0.1 s;
- book phase: the Sphinx build (`python -m jsnalib.build.bookbuild`, as `jsna build` runs it)
  of exactly those pages plus the hand-written ones, twice, interleaved: the full sidebar
  (``--navigation off``, the theme's default) and the collapsed one (``--navigation on``, what
  `jsna build` uses for a book of more than 60 generated pages); time per page and peak memory.

Then it extrapolates the notebook phase to a cluster of W' workers from the measured per-run
times: max(sum of run times / W', longest run) + the overhead measured here (wall time minus
sum / W).

Runs whose N is above ``--force-upto`` are not forced: pages already executed in ``--workdir``
(e.g. by an earlier `jsna run` there) are reused, and the table says how many were executed.

    .venv/bin/python bench/scale.py [--areas 10 40 150] [--workers 2] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jsnalib.build import init, pipeline

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
_spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "build.py")
assert _spec is not None and _spec.loader is not None
bench_build = sys.modules["bench_build"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_build)
RUN_LINE = re.compile(r"^\[\d+/\d+\] (\S+): (executed|failed) \(([\d.]+) s\)")
SKELETON = ("notebooks", "data", "_static", "_config.yml", "_toc.yml")


def run(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run a command; return wall seconds, peak tree RSS (bytes) and its stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "CI": "1"})
    memory = bench_build.PeakMemory(proc.pid)
    _, err = proc.communicate()
    seconds, peak = time.perf_counter() - start, memory.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-3000:]}")
    return seconds, peak, err


def page_names(project: pipeline.Project, areas: int) -> list[str]:
    geography = pipeline.load_geography(project.root / "data")
    slugs = [pipeline.slugify(geography.name(c)) for c in geography.home_authorities()[:areas]]
    runs = {r.name for r in pipeline.load_runs(project)}  # an authority may have no IMR page
    return ["outcomes_summary", *(f"{kind}_{slug}" for slug in slugs
                                  for kind in ("profile", "infant_mortality")
                                  if f"{kind}_{slug}" in runs)]


def sphinx(project: pipeline.Project, pages: list[str], dest: Path, navigation: str,
           workers: int) -> tuple[float, int, int]:
    """Build a book of exactly `pages` (plus the hand-written ones) in `dest`; return seconds,
    peak RSS and the number of pages."""
    shutil.rmtree(dest, ignore_errors=True)
    for name in SKELETON:
        source = project.root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, dest / name)
    (dest / "book" / "generated").mkdir(parents=True)
    for page in (project.root / "book").glob("*.md"):
        shutil.copy(page, dest / "book" / page.name)
    for name in pages:
        shutil.copy(project.generated / f"{name}.ipynb", dest / "book" / "generated")
    seconds, peak, _ = run([sys.executable, "-m", "jsnalib.build.bookbuild", str(dest),
                            str(dest / "_out"), "--jobs", str(workers), "--quiet",
                            "--navigation", navigation], dest)
    count = len(pages) + len(list((dest / "book").glob("*.md")))
    shutil.rmtree(dest, ignore_errors=True)
    return seconds, peak, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, nargs="+", default=[10, 40, 150])
    parser.add_argument("--workers", type=int, default=2, help="Dask workers here (default 2)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="a project folder to (re)use (default: a new temporary copy)")
    parser.add_argument("--force-upto", type=int, default=10**6,
                        help="re-execute the pages of at most this many areas (default: all)")
    parser.add_argument("--cluster", type=int, nargs="+", default=[2, 8, 32, 128],
                        help="worker counts to extrapolate the notebook phase to")
    args = parser.parse_args()
    load = lambda: "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="jsna-scale-") as tmp:
        root = args.workdir or Path(tmp) / "national"
        if not (root / "jsna.yml").is_file() or args.workdir is None:
            root.mkdir(parents=True, exist_ok=True)
            bench_build.copy_project(root)
        project = pipeline.Project(root)
        authorities = len(init.all_authorities(root))
        subprocess.run([str(BIN / "jsna"), "init", "--all"], cwd=root, check=True,
                       capture_output=True)
        print(f"{authorities} authorities; {os.cpu_count()} cores; {args.workers} Dask workers; "
              f"{load()} at start")
        rows, per_run = [], []
        for areas in sorted(args.areas):
            areas = min(areas, authorities)
            pages = page_names(project, areas)
            command = [str(BIN / "jsna"), "run", "--dask", "--jobs", str(args.workers),
                       "--only", *pages]
            if areas <= args.force_upto:
                command.append("--force")
            seconds, peak, log = run(command, root)
            times = {m.group(1): float(m.group(3)) for m in map(RUN_LINE.match, log.splitlines())
                     if m}
            if areas <= args.force_upto:
                per_run = list(times.values())
                overhead = seconds - sum(per_run) / args.workers
            builds = {}
            for navigation in ("off", "on"):  # interleaved: the full sidebar, then collapsed
                builds[navigation] = sphinx(project, pages, Path(tmp) / f"book-{areas}",
                                            navigation, args.workers)
            rows.append((areas, builds["on"][2], len(times), seconds, peak, builds))
            print(f"{areas:4} areas, {builds['on'][2]:4} pages: notebooks {seconds:7.1f} s "
                  f"({len(times)} executed, peak {peak / 2**30:.2f} GB); Sphinx full sidebar "
                  f"{builds['off'][0]:6.1f} s ({builds['off'][0] / builds['off'][2]:.2f} s/page, "
                  f"peak {builds['off'][1] / 2**30:.2f} GB), collapsed {builds['on'][0]:6.1f} s "
                  f"({builds['on'][0] / builds['on'][2]:.2f} s/page, peak "
                  f"{builds['on'][1] / 2**30:.2f} GB); {load()}", flush=True)
        print("\n| areas | pages | notebooks (s) | executed | peak notebooks (GB) | Sphinx full "
              "sidebar (s) | s/page | collapsed (s) | s/page | peak Sphinx (GB) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for areas, count, executed, seconds, peak, builds in rows:
            off, on = builds["off"], builds["on"]
            print(f"| {areas} | {count} | {seconds:.0f} | {executed} | {peak / 2**30:.2f} | "
                  f"{off[0]:.0f} | {off[0] / off[2]:.2f} | {on[0]:.0f} | {on[0] / on[2]:.2f} | "
                  f"{off[1] / 2**30:.2f} / {on[1] / 2**30:.2f} |")
        if per_run:
            total = sum(per_run) / len(per_run) * (2 * authorities + 1)
            print(f"\nper run: mean {total / (2 * authorities + 1):.1f} s, longest "
                  f"{max(per_run):.1f} s (from {len(per_run)} runs); overhead {overhead:.0f} s")
            for workers in args.cluster:
                estimate = max(total / workers, max(per_run)) + overhead
                print(f"  national notebook phase ({2 * authorities + 1} runs) on {workers:4} "
                      f"workers: ~{estimate / 60:.1f} min")
        print(load() + " at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
