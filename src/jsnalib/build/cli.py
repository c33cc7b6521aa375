"""The `jsna` command line: thin over jsnalib.build.pipeline, jsnalib.inputs.readers,
jsnalib.inputs.fetch and jsnalib.synth.

Exit codes: 0 success, 1 a problem with the data, a run or the build, 2 bad usage.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import sys
from pathlib import Path
from typing import TextIO

from jsnalib.build import pipeline


def _executor(jobs: int | None, engine: str) -> cf.Executor | None:
    return pipeline.default_executor(engine, jobs) if jobs else None


def _validate(folder: Path, strict: bool, out: TextIO) -> tuple[int, int]:
    """Print every problem and plausibility finding in `folder`; return (errors, warnings).

    Plausibility findings (:mod:`jsnalib.inputs.plausibility`) are checked only in a folder that
    passed validation; they are warnings, or errors when `strict`. What the optional record-level
    extracts cover (:func:`jsnalib.inputs.readers.record_notes`) is printed as notes, which are
    neither.
    """
    from jsnalib.inputs.plausibility import check_dir
    from jsnalib.inputs.readers import record_notes, validate_dir

    problems = validate_dir(folder)
    for problem in problems:
        print(problem, file=out)
    if problems:
        return len(problems), 0
    for note in record_notes(folder):
        print(f"note: {note}", file=out)
    findings = check_dir(folder)
    for finding in findings:
        print(f"{'error' if strict else 'warning'}: {finding}", file=out)
    return (len(findings), 0) if strict else (0, len(findings))


def _data_stamp(folder: Path) -> str:
    """What a passed validation depends on: every file in `folder` (name and bytes), the library
    that validated it and today's date (dates may not lie in the future)."""
    import datetime
    import hashlib

    digest = hashlib.sha256(f"{pipeline.library_hash()} {datetime.date.today()}".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _check_data(project: pipeline.Project, quiet: bool, strict: bool = False) -> bool:
    """Validate data/ (and check plausibility); skipped when nothing in it, in the library or in
    the date has changed since it last passed with no finding at all."""
    folder = project.root / "data"
    stamp_file = project.root / ".jsna-cache" / "data-validated"
    stamp = _data_stamp(folder)
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        if not quiet:
            print("data/: unchanged since it passed validation", file=sys.stderr)
        return True
    errors, warnings = _validate(folder, strict, sys.stderr)
    if not errors and not warnings:
        stamp_file.parent.mkdir(parents=True, exist_ok=True)
        stamp_file.write_text(stamp)
    if errors:
        print(f"{errors} problem(s) in data/: nothing was executed or built", file=sys.stderr)
    elif warnings:
        print(f"data/: {warnings} implausible value(s) (warnings above; --strict makes them "
              "errors)", file=sys.stderr)
    elif not quiet:
        print("data/: every file passed validation", file=sys.stderr)
    return not errors


def _run(args: argparse.Namespace, project: pipeline.Project) -> pipeline.Report:
    every_run = pipeline.load_runs(project)
    runs = pipeline.load_runs(project, only=args.only) if args.only else every_run
    with contextlib.ExitStack() as stack:
        if args.dask or args.scheduler:
            from jsnalib.build.cluster import dask_executor

            executor = stack.enter_context(dask_executor(args.scheduler, args.jobs))
        else:
            executor = _executor(args.jobs, args.engine)
        report = pipeline.execute(runs, executor=executor, force=args.force, quiet=args.quiet,
                                  verbose=args.verbose, engine=args.engine)
    pipeline.prune_generated(project, every_run)  # pages no run produces any more
    print(report.summary(), file=sys.stderr)
    return report


def _locked(args: argparse.Namespace, project: pipeline.Project) -> pipeline.BuildLock:
    """The project's build lock; BuildBusy if another build holds it (unless --wait)."""
    try:
        lock = pipeline.BuildLock(project).acquire()
    except pipeline.BuildBusy as exc:
        if not args.wait:
            raise
        print(f"{exc}: waiting for it (--wait)", file=sys.stderr)
        lock = pipeline.BuildLock(project, wait=True).acquire()
    if lock.cleared:
        print(lock.cleared, file=sys.stderr)
    return lock


def cmd_run(args: argparse.Namespace) -> int:
    project = pipeline.Project.find()
    if not _check_data(project, args.quiet, args.strict):
        return 1
    lock = _locked(args, project)
    try:
        return 1 if _run(args, project).failed else 0
    finally:
        lock.release()


def cmd_build(args: argparse.Namespace) -> int:
    project = pipeline.Project.find()
    if not _check_data(project, args.quiet, args.strict):
        return 1
    lock = _locked(args, project)
    try:
        recovered = pipeline.recover_published(project)
        if recovered:
            print(recovered, file=sys.stderr)
        report = _run(args, project)
        if report.failed:
            print("runs failed: the book was not rebuilt; the previous _build/html is untouched",
                  file=sys.stderr)
            return 1
        # every page the book includes, not only the runs selected with --only
        index = pipeline.build_book(project, quiet=args.quiet, jobs=args.jobs,
                                    verbose=args.verbose)
    finally:
        lock.release()
    if index is None:
        print("book unchanged: _build/html is already up to date", file=sys.stderr)
    else:
        print(f"book built: {index.relative_to(project.root)}", file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    errors, warnings = _validate(folder, args.strict, sys.stdout)
    if errors:
        print(f"{errors} problem(s) found in {folder}", file=sys.stderr)
        return 1
    if warnings:
        print(f"{folder}: every file passed validation, with {warnings} implausible value(s) "
              "(warnings; --strict makes them errors)", file=sys.stderr)
        return 0
    print(f"{folder}: every file passed validation", file=sys.stderr)
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from jsnalib.inputs.fetch import FetchError, fetch_fingertips

    try:
        path = fetch_fingertips(args.indicator, Path(args.dest),
                                area_type_id=args.area_type, parent_area_type_id=args.parent_type)
    except FetchError as exc:
        print(f"fetch failed: {exc}", file=sys.stderr)
        return 1
    print(f"saved {path}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Read national downloads as published into the tidy files of a data folder."""
    from jsnalib.inputs.national import import_files
    from jsnalib.inputs.readers import DataError

    options = {k: v for k, v in (("la_codes", args.la_codes), ("regions", args.regions)) if v}
    try:
        written = import_files(args.files, Path(args.data), **options)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s): nothing was written to {args.data}",
              file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Set the book's home authorities: jsna.yml, data/areas.csv and data/neighbours.csv, and
    the synthetic records for them (``--no-synthetic``: remove them)."""
    from jsnalib.build import init

    root = Path(args.root)
    if bool(args.codes) == args.all:
        print("error: give upper-tier GSS codes, or --all (not both)", file=sys.stderr)
        return 2
    try:
        if args.all:  # the national book: districts only where records name them (--districts)
            codes = init.all_authorities(root)
            districts = True if args.districts else sorted(init.districts_in_records(root))
        else:
            codes, districts = args.codes, True
        # the national book keeps the record files as they are (pages say what is missing)
        synthetic = None if args.all else not args.no_synthetic
        written = init.init_project(root, codes, model=args.model, districts=districts,
                                    synthetic=synthetic)
    except init.InitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Write the synthetic files (those in synthetic.json) only; the real files in the folder
    (areas, neighbours, births and deaths, population, the census) are read, never written."""
    from jsnalib.synth import generate

    try:
        written = generate(Path(args.out_dir), seed=args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Re-execute the templates in notebooks/ in place with their default parameters.

    Their committed outputs are the oracle nbval compares against.
    """
    import papermill as pm

    project = pipeline.Project.find()
    templates = sorted(project.notebooks.glob("*.ipynb"))
    for template in templates:
        if args.only and template.stem not in args.only:
            continue
        print(f"executing {template.name}", file=sys.stderr)
        pm.execute_notebook(str(template), str(template), kernel_name="python3",
                            progress_bar=False, cwd=str(project.notebooks))
        pipeline.strip_volatile_metadata(template)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jsna",
        description="Build the JSNA book: validate data/, execute the notebook runs declared in "
        "notebooks/runs.yml (in parallel, cached), and build the Jupyter Book into _build/html.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def run_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--only", nargs="+", default=[], metavar="RUN",
                       help="execute only these runs (names as in book/generated, or patterns such as "
                       "'profile_*')")
        p.add_argument("--force", action="store_true", help="ignore the cache and re-execute")
        p.add_argument("--jobs", type=int, default=None,
                       help="parallel runs (default: one per core)")
        p.add_argument("--quiet", action="store_true", help="no progress output")
        p.add_argument("--dask", action="store_true",
                       help="execute on a local Dask distributed cluster (one worker per core, "
                            "or --jobs)")
        p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="execute on an existing Dask cluster, e.g. tcp://host:8786")
        p.add_argument("--verbose", action="store_true",
                       help="show everything: each kernel's and Sphinx's own messages")
        p.add_argument("--strict", action="store_true",
                       help="treat implausible values in data/ as errors, not warnings")
        p.add_argument("--wait", action="store_true",
                       help="if another build is running, wait for it instead of stopping")
        p.add_argument("--engine", choices=pipeline.ENGINES, default="inprocess",
                       help="inprocess: pages run in warm worker processes (default); "
                       "papermill: a fresh Jupyter kernel per page")

    p = sub.add_parser("run", help="execute the notebook runs (no book build)")
    run_options(p)
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("build", help="execute the runs, then build the book into _build/html")
    run_options(p)
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("validate", help="check every input file in a data folder")
    p.add_argument("dir", nargs="?", default="data")
    p.add_argument("--strict", action="store_true",
                   help="treat implausible values (plausibility checks) as errors")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("fetch", help="download national data into data/")
    fetch_sub = p.add_subparsers(dest="source", required=True)
    f = fetch_sub.add_parser("fingertips", help="a Fingertips indicator export (CSV)")
    f.add_argument("--indicator", nargs="+", type=int, required=True, metavar="ID")
    f.add_argument("--area-type", type=int, default=502,
                   help="Fingertips child area type id (default 502: upper-tier local authorities)")
    f.add_argument("--parent-type", type=int, default=6,
                   help="Fingertips parent area type id (default 6: regions)")
    f.add_argument("--dest", default="data")
    f.set_defaults(func=cmd_fetch)
    p = sub.add_parser("import", help="read national downloads, as published, into data/")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="DfE EES CSVs, NOMIS extracts, ONS workbooks, DfE neighbour tables, "
                   "the ONS LTLA-UTLA lookup, Fingertips exports")
    p.add_argument("--data", default="data", help="the folder to write into (default data)")
    p.add_argument("--la-codes", default=None, metavar="CSV",
                   help="a DfE EES CSV mapping old LA numbers to GSS codes (for neighbour "
                   "tables; default: a DfE CSV among FILE)")
    p.add_argument("--regions", default=None, metavar="CSV",
                   help="a DfE EES CSV giving each authority's region (for the LTLA-UTLA "
                   "lookup; default: a DfE CSV among FILE)")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("init", help="set the home authorities (GSS codes): writes jsna.yml, "
                       "data/areas.csv and data/neighbours.csv from data/national/ and makes "
                       "the synthetic records for them")
    p.add_argument("codes", nargs="*", metavar="CODE",
                   help="upper-tier authorities by ONS GSS code (a capital letter then 8 digits)")
    p.add_argument("--all", action="store_true",
                   help="the national book: every current upper-tier authority in England "
                   "(districts only where data/ holds their records, or all with --districts)")
    p.add_argument("--districts", action="store_true",
                   help="with --all: add every county's districts (each gets its own pages)")
    p.add_argument("--model", choices=("2025", "2021"), default="2025",
                   help="DfE statistical-neighbour model (default 2025)")
    p.add_argument("--root", default=".", help="the project folder (default: here)")
    p.add_argument("--no-synthetic", action="store_true",
                   help="remove the synthetic record files (referrals, NCMP) instead of making "
                   "them for the new home authorities")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("synth", help="regenerate the synthetic files of the default data (the "
                       "record-level demonstration data); never writes the real files")
    p.add_argument("out_dir", nargs="?", default="data")
    p.add_argument("--seed", type=int, default=20261122)
    p.set_defaults(func=cmd_synth)
    p = sub.add_parser("refresh-templates",
                       help="re-execute notebooks/*.ipynb in place (updates the nbval oracle)")
    p.add_argument("--only", nargs="+", default=[], metavar="TEMPLATE")
    p.set_defaults(func=cmd_refresh)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except pipeline.PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
