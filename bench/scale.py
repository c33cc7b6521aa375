"""Benchmark: the national book (`jsna init --all`) at 10, 40 and 150 areas.

For each number of areas N (the first N authorities of `jsna init --all`, region by region):

- notebook phase: `jsna run --dask --jobs W` of the runs that have real data for every
  authority (area profile and infant mortality, two pages per authority, and the outcomes
  summary), with ``--force``; wall time, each run's own time (from the progress lines), peak
  resident memory of the whole process tree (scheduler, workers) sampled every 0.1 s;
- book phase: the Sphinx build (`python -m jsnalib.build.bookbuild`, as `jsna build` runs it)
  of exactly those pages plus the hand-written ones, once per sidebar (``--modes``, interleaved:
  ``full``, the theme's default; ``collapsed``; ``regions``, collapsed with the area pages
  grouped by region, what `jsna build` uses for a book of more than 60 generated pages); time
  per page and peak memory.

Then it extrapolates the notebook phase to a cluster of W' workers from the measured per-run
times: max(sum of run times / W', longest run) + the overhead measured here (wall time minus
sum / W).

Runs whose N is above ``--force-upto`` are not forced: pages already executed in ``--workdir``
(e.g. by an earlier `jsna run` there) are reused, and the table says how many were executed.

    .venv/bin/python bench/scale.py [--areas 10 40 150] [--workers 2] [--workdir DIR]

``--sphinx-only 30 90 300 600`` runs no notebook: it builds books of about that many pages from
copies of the pages already executed in ``--workdir`` (e.g. by ``jsna init --all`` then ``jsna
run --only 'profile_*' ...`` there), named as the national book names them (``<kind>_<area>``
for the profile, infant mortality, obesity and re-referral chapters, area by area in region
order, so the copies fall into the regions of the areas they are named after):

    .venv/bin/python bench/scale.py --workdir DIR --sphinx-only 30 90 300 600 \
        [--modes collapsed regions]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
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


def run(command: list[str], cwd: Path) -> tuple[float, int, str, float]:
    """Run a command; return wall seconds, peak tree RSS (bytes), its stderr and the CPU seconds
    (user + system) of the process and all its descendants, which other work on the machine
    changes less than the wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "CI": "1"})
    memory = bench_build.PeakMemory(proc.pid)
    _, err = proc.communicate()
    seconds, peak = time.perf_counter() - start, memory.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-3000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, peak, err, cpu


def page_names(project: pipeline.Project, areas: int) -> list[str]:
    geography = pipeline.load_geography(project.root / "data")
    slugs = [pipeline.slugify(geography.name(c)) for c in geography.home_authorities()[:areas]]
    runs = {r.name for r in pipeline.load_runs(project)}  # an authority may have no IMR page
    return ["outcomes_summary", *(f"{kind}_{slug}" for slug in slugs
                                  for kind in ("profile", "infant_mortality")
                                  if f"{kind}_{slug}" in runs)]


def sphinx(project: pipeline.Project, pages: Mapping[str, str], dest: Path, navigation: str,
           workers: int) -> tuple[float, int, int, float]:
    """Build a book of exactly `pages` (plus the hand-written ones) in `dest`; return seconds,
    peak RSS, the number of pages and CPU seconds. `pages` maps each page's name to the executed page in
    ``book/generated`` it is a copy of (itself, or another page of the same kind)."""
    shutil.rmtree(dest, ignore_errors=True)
    for name in SKELETON:
        source = project.root / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, dest / name)
    (dest / "book" / "generated").mkdir(parents=True)
    for page in (project.root / "book").glob("*.md"):
        shutil.copy(page, dest / "book" / page.name)
    for name, source in pages.items():
        shutil.copy(project.generated / f"{source}.ipynb", dest / "book" / "generated" / f"{name}.ipynb")
    seconds, peak, _, cpu = run([sys.executable, "-m", "jsnalib.build.bookbuild", str(dest),
                            str(dest / "_out"), "--jobs", str(workers), "--quiet",
                            "--navigation", navigation], dest)
    count = len(pages) + len(list((dest / "book").rglob("*.md")))
    shutil.rmtree(dest, ignore_errors=True)
    return seconds, peak, count, cpu


#: The chapters whose pages the national book has one of per area, and their page names.
KINDS = ("profile", "infant_mortality", "obesity", "rereferral")
#: The kind of executed page a kind is copied from when none of its own was executed (a profile
#: has a committee paper, an infant mortality page none): the same mix of pages at every size.
COPY_OF = {"obesity": "profile", "rereferral": "infant_mortality"}


def copied_pages(project: pipeline.Project, size: int) -> dict[str, str]:
    """About `size` pages named as the national book names them (the outcomes summary, then
    ``<kind>_<area slug>`` for each kind of :data:`KINDS`, area by area in region order), each a
    copy of an executed page in ``book/generated``: the area's own page of that kind if it was
    executed, else an executed page of that kind (or of the kind in :data:`COPY_OF`, or of any
    kind), taken in turn."""
    geography = pipeline.load_geography(project.root / "data")
    slugs = [pipeline.slugify(geography.name(c)) for c in geography.home_authorities()]
    executed = sorted(p.stem for p in project.generated.glob("*.ipynb")
                      if p.stem != "outcomes_summary")
    if not executed or not (project.generated / "outcomes_summary.ipynb").is_file():
        raise SystemExit(f"{project.generated} holds no executed pages (and outcomes_summary)")
    pages: dict[str, str] = {"outcomes_summary": "outcomes_summary"}
    turns = dict.fromkeys((*KINDS, *COPY_OF.values()), 0)
    for slug in slugs:
        for kind in KINDS:
            if len(pages) >= size:
                return pages
            name = f"{kind}_{slug}"
            if name in executed:
                pages[name] = name
                continue
            like = COPY_OF.get(kind, kind)
            pool = [e for e in executed if e.startswith(f"{like}_")] or executed
            pages[name], turns[like] = pool[turns[like] % len(pool)], turns[like] + 1
    return pages


def sphinx_only(args: argparse.Namespace, load) -> int:  # type: ignore[no-untyped-def]
    """Build books of the sizes asked from copies of executed pages, each sidebar in turn."""
    if args.workdir is None:
        raise SystemExit("--sphinx-only needs --workdir: a project with executed pages")
    project = pipeline.Project(args.workdir.resolve())
    print(f"{os.cpu_count()} cores; {args.workers} Sphinx processes; {load()} at start")
    rows = []
    with tempfile.TemporaryDirectory(prefix="jsna-scale-") as tmp:
        for size in sorted(args.sphinx_only):
            pages = copied_pages(project, size)
            builds = {}
            for mode in args.modes:  # interleaved, at each size
                builds[mode] = sphinx(project, pages, Path(tmp) / f"book-{size}", mode,
                                      args.workers)
                seconds, peak, count, cpu = builds[mode]
                print(f"{len(pages):4} generated pages, {mode:9}: {count:4} pages, {seconds:7.1f} s "
                      f"({seconds / count:.2f} s/page), CPU {cpu:7.1f} s ({cpu / count:.2f} "
                      f"s/page), peak {peak / 2**30:.2f} GB; {load()}", flush=True)
            rows.append((len(pages), builds, load()))
    print("\n| generated pages | " + " | ".join(
        f"{m}: pages | {m}: Sphinx (s) | {m}: s/page | {m}: CPU (s) | {m}: CPU s/page | "
        f"{m}: peak (GB)" for m in args.modes) + " | load average after |")
    print("|---|" + "---|---|---|---|---|---|" * len(args.modes) + "---|")
    for size, builds, after in rows:
        print(f"| {size} | " + " | ".join(
            f"{b[2]} | {b[0]:.0f} | {b[0] / b[2]:.2f} | {b[3]:.0f} | {b[3] / b[2]:.2f} | "
            f"{b[1] / 2**30:.2f}"
            for b in (builds[m] for m in args.modes)) + f" | {after.split(' ', 2)[2]} |")
    print(load() + " at end")
    return 0


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
    parser.add_argument("--modes", nargs="+", choices=("full", "collapsed", "regions"),
                        default=["collapsed", "regions"],
                        help="the sidebars to build each book with, in turn")
    parser.add_argument("--sphinx-only", type=int, nargs="+", metavar="PAGES",
                        help="run no notebook: build books of about these many pages from "
                        "copies of the pages executed in --workdir")
    args = parser.parse_args()
    load = lambda: "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())  # noqa: E731
    if args.sphinx_only:
        return sphinx_only(args, load)
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
            seconds, peak, log, _ = run(command, root)
            times = {m.group(1): float(m.group(3)) for m in map(RUN_LINE.match, log.splitlines())
                     if m}
            if areas <= args.force_upto:
                per_run = list(times.values())
                overhead = seconds - sum(per_run) / args.workers
            builds = {}
            for mode in args.modes:  # interleaved
                builds[mode] = sphinx(project, {p: p for p in pages},
                                      Path(tmp) / f"book-{areas}", mode, args.workers)
            rows.append((areas, len(times), seconds, peak, builds))
            print(f"{areas:4} areas: notebooks {seconds:7.1f} s ({len(times)} executed, peak "
                  f"{peak / 2**30:.2f} GB); Sphinx " + ", ".join(
                      f"{m} {b[0]:6.1f} s for {b[2]} pages ({b[0] / b[2]:.2f} s/page, peak "
                      f"{b[1] / 2**30:.2f} GB)" for m, b in builds.items()) + f"; {load()}",
                  flush=True)
        print("\n| areas | notebooks (s) | executed | peak notebooks (GB) | " + " | ".join(
            f"{m}: pages | {m}: Sphinx (s) | {m}: s/page | {m}: peak (GB)" for m in args.modes)
            + " |")
        print("|---|---|---|---|" + "---|---|---|---|" * len(args.modes))
        for areas, executed, seconds, peak, builds in rows:
            print(f"| {areas} | {seconds:.0f} | {executed} | {peak / 2**30:.2f} | " + " | ".join(
                f"{b[2]} | {b[0]:.0f} | {b[0] / b[2]:.2f} | {b[1] / 2**30:.2f}"
                for b in (builds[m] for m in args.modes)) + " |")
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
