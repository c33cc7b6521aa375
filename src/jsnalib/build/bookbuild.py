"""Run the Jupyter Book 1.x (Sphinx) HTML build with parallel reading and a persistent environment.

`jupyter-book build` always runs Sphinx on one process; this calls the same builder with the
same configuration (`_config.yml`, `_toc.yml`), warnings as errors and nitpicky references, but
with `jobs` processes and a doctree cache that survives between builds, so an unchanged page is
not read again. Used by :func:`jsnalib.build.pipeline.build_book` in a subprocess:

    python -m jsnalib.build.bookbuild ROOT OUTPUT_DIR --jobs 2 [--quiet] [--navigation auto]

The national book (``jsna init --all``: some 300 pages) gets a collapsed sidebar: the theme
otherwise renders the whole table of contents into every page (then parses it again with
BeautifulSoup), so each page costs time in proportion to the number of pages and the build grows
with the square of the book (bench/scale.py measures both). Collapsed, a page's sidebar holds
the parts, the chapters and the pages of its own chapter only. Books of up to
:data:`FULL_NAVIGATION_PAGES` generated pages (the default two-authority book) keep the full
sidebar, in which every chapter's pages can be unfolded from any page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: The most generated pages a book may have and keep the full (uncollapsed) sidebar.
FULL_NAVIGATION_PAGES = 60


def collapse_navigation(root: Path, navigation: str = "auto") -> bool:
    """Whether the sidebar is collapsed: "on", "off", or "auto" (on when ``book/generated``
    holds more than :data:`FULL_NAVIGATION_PAGES` pages)."""
    if navigation != "auto":
        return navigation == "on"
    return len(list((root / "book" / "generated").glob("*.ipynb"))) > FULL_NAVIGATION_PAGES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jsnalib.build.bookbuild")
    parser.add_argument("root", type=Path)
    parser.add_argument("output", type=Path, help="folder receiving html/ and .doctrees/")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--navigation", choices=("auto", "on", "off"), default="auto",
                        help="collapse the sidebar: on, off, or auto (on for large books)")
    args = parser.parse_args(argv)

    from jupyter_book.sphinx import build_sphinx

    _declare_multitoc_parallel_safe()
    root = args.root.resolve()
    overrides = {"external_toc_path": (root / "_toc.yml").as_posix(),
                 "latex_individualpages": False, "nitpicky": True}
    if collapse_navigation(root, args.navigation):  # merged into _config.yml's theme options
        overrides["html_theme_options"] = {"collapse_navbar": True}
    result = build_sphinx(
        str(root),
        str(args.output / "html"),
        use_external_toc=True,
        noconfig=True,
        path_config=str(root / "_config.yml"),
        confoverrides=overrides,
        doctreedir=str(args.output / ".doctrees"),
        builder="html",
        warningiserror=True,
        keep_going=True,
        jobs=args.jobs,
        quiet=args.quiet,
    )
    return 0 if result == 0 else 1


def _declare_multitoc_parallel_safe() -> None:
    """sphinx-external-toc always loads sphinx_multitoc_numbering, whose setup() does not say
    whether it is parallel safe, so Sphinx falls back to a serial read (and warns, which -W
    turns into an error). Its only work is replacing TocTreeCollector.assign_section_numbers,
    which runs in the main process after reading; declaring it safe is correct."""
    import sphinx_multitoc_numbering

    original = sphinx_multitoc_numbering.setup

    def setup(app):  # type: ignore[no-untyped-def]
        original(app)
        return {"parallel_read_safe": True, "parallel_write_safe": True}

    sphinx_multitoc_numbering.setup = setup


if __name__ == "__main__":
    sys.exit(main())
