"""The `jsna` command line: thin over jsnalib.build.pipeline, jsnalib.inputs.readers,
jsnalib.inputs.fetch and jsnalib.synth.

Exit codes: 0 success, 1 a problem with the data, a run or the build, 2 bad usage.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import sys
from pathlib import Path

from jsnalib.build import pipeline


def _executor(jobs: int | None, engine: str) -> cf.Executor | None:
    return pipeline.default_executor(engine, jobs) if jobs else None


def _check_data(project: pipeline.Project, quiet: bool) -> bool:
    from jsnalib.inputs.readers import validate_dir

    problems = validate_dir(project.root / "data")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in data/: nothing was executed or built",
              file=sys.stderr)
    elif not quiet:
        print("data/: every file passed validation", file=sys.stderr)
    return not problems


def _run(args: argparse.Namespace, project: pipeline.Project) -> pipeline.Report:
    runs = pipeline.load_runs(project, only=args.only)
    report = pipeline.execute(runs, executor=_executor(args.jobs, args.engine), force=args.force,
                              quiet=args.quiet, engine=args.engine)
    if not args.only:
        pipeline.prune_generated(project, runs)
    print(report.summary(), file=sys.stderr)
    return report


def cmd_run(args: argparse.Namespace) -> int:
    project = pipeline.Project.find()
    if not _check_data(project, args.quiet):
        return 1
    return 1 if _run(args, project).failed else 0


def cmd_build(args: argparse.Namespace) -> int:
    project = pipeline.Project.find()
    if not _check_data(project, args.quiet):
        return 1
    report = _run(args, project)
    if report.failed:
        print("runs failed: the book was not rebuilt; the previous _build/html is untouched",
              file=sys.stderr)
        return 1
    index = pipeline.build_book(project, quiet=args.quiet, jobs=args.jobs)
    if index is None:
        print("book unchanged: _build/html is already up to date", file=sys.stderr)
    else:
        print(f"book built: {index.relative_to(project.root)}", file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from jsnalib.inputs.readers import validate_dir

    folder = Path(args.dir)
    problems = validate_dir(folder)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found in {folder}", file=sys.stderr)
        return 1
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


def cmd_synth(args: argparse.Namespace) -> int:
    from jsnalib.synth import generate

    for path in generate(Path(args.out_dir), seed=args.seed):
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
                       help="execute only these runs (names as in book/generated)")
        p.add_argument("--force", action="store_true", help="ignore the cache and re-execute")
        p.add_argument("--jobs", type=int, default=None,
                       help="parallel runs (default: one per core)")
        p.add_argument("--quiet", action="store_true", help="no progress output")
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
    p = sub.add_parser("synth", help="regenerate the synthetic default data")
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
