"""Run the Jupyter Book 1.x (Sphinx) HTML build with parallel reading and a persistent environment.

`jupyter-book build` always runs Sphinx on one process; this calls the same builder with the
same configuration (`_config.yml`, `_toc.yml`), warnings as errors and nitpicky references, but
with `jobs` processes and a doctree cache that survives between builds, so an unchanged page is
not read again. Used by :func:`jsnalib.pipeline.build_book` in a subprocess:

    python -m jsnalib.bookbuild ROOT OUTPUT_DIR --jobs 2 [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jsnalib.bookbuild")
    parser.add_argument("root", type=Path)
    parser.add_argument("output", type=Path, help="folder receiving html/ and .doctrees/")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    from jupyter_book.sphinx import build_sphinx

    root = args.root.resolve()
    result = build_sphinx(
        str(root),
        str(args.output / "html"),
        use_external_toc=True,
        noconfig=True,
        path_config=str(root / "_config.yml"),
        confoverrides={"external_toc_path": (root / "_toc.yml").as_posix(),
                       "latex_individualpages": False, "nitpicky": True},
        doctreedir=str(args.output / ".doctrees"),
        builder="html",
        warningiserror=True,
        keep_going=True,
        jobs=args.jobs,
        quiet=args.quiet,
    )
    return 0 if result == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
