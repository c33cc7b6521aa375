"""Run the Jupyter Book 1.x (Sphinx) HTML build with parallel reading and a persistent environment.

`jupyter-book build` always runs Sphinx on one process; this calls the same builder with the
same configuration (`_config.yml`, `_toc.yml`), warnings as errors and nitpicky references, but
with `jobs` processes and a doctree cache that survives between builds, so an unchanged page is
not read again. Used by :func:`jsnalib.build.pipeline.build_book` in a subprocess:

    python -m jsnalib.build.bookbuild ROOT OUTPUT_DIR --jobs 2 [--quiet] [--navigation auto]

A large book (``jsna init --all``: some 600 pages; more than :data:`FULL_NAVIGATION_PAGES`
generated pages) is built from a table of contents grouped by region, with a collapsed sidebar.
The theme renders the table of contents into every page, and for that Sphinx copies the entry
of every page, with all its headings (cProfile, 40 and 160 pages: 4x the pages, 12x the time in
the sidebar), so with the full sidebar the build grows with the square of the book. Collapsed, a
page's sidebar holds the parts, the chapters and the titles of its own chapter's pages: some 150
a chapter in the national book, still a cost per page that grows with the book.
:func:`regional_toc` replaces each chapter's glob of area pages with one section per region (a
short page, written by :func:`write_region_pages` into ``book/generated/regions/``, that lists
the region's pages), so a page's sidebar holds the parts, the chapters, the regions of its own
chapter and the pages of its own region, a size that does not grow with the book. Measured
(``bench/scale.py --sphinx-only``), CPU seconds per page fall from 30 to 600 pages, and at 600
the grouped book takes 8% less CPU than the collapsed one. Books of up to
:data:`FULL_NAVIGATION_PAGES` generated pages (the default two-authority book) keep ``_toc.yml``
as written and the full sidebar, in which every chapter's pages can be unfolded from any page.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

#: The most generated pages a book may have and keep the full (uncollapsed) sidebar.
FULL_NAVIGATION_PAGES = 60
#: Where executed pages are, and where a large book's region pages go (docnames, i.e. paths
#: under the project root without the suffix).
GENERATED = "book/generated"
REGIONS = f"{GENERATED}/regions"
#: A chapter's glob of area pages, e.g. ``book/generated/profile_*``: the ``*`` is an area slug.
_AREA_GLOB = re.compile(rf"{GENERATED}/([A-Za-z0-9_-]+)\*")
#: The sidebar: the theme's default, collapsed, or collapsed and grouped by region.
NAVIGATION = ("full", "collapsed", "regions")


def navigation_mode(root: Path, navigation: str = "auto") -> str:
    """The sidebar the book gets (one of :data:`NAVIGATION`): `navigation` itself, or for
    "auto" "regions" when ``book/generated`` holds more than :data:`FULL_NAVIGATION_PAGES`
    pages and "full" otherwise."""
    if navigation != "auto":
        return navigation
    return ("regions" if len(list((root / GENERATED).glob("*.ipynb"))) > FULL_NAVIGATION_PAGES
            else "full")


def _slug(text: str) -> str:
    from jsnalib.build.pipeline import slugify

    return slugify(text)


def _region_page(heading: str, region: str, count: int) -> str:
    from jsnalib.report.format import md_escape

    name = md_escape(region)  # a region's name comes from data/areas.csv: never markup
    title = f"{heading}: {name}" if heading else name
    pages = "page" if count == 1 else f"{count} pages"
    return (f"# {title}\n\nThe {pages} of this chapter about areas in {name}:\n\n"
            "```{tableofcontents}\n```\n")


def regional_toc(toc: dict[str, Any], pages: Iterable[str], area_region: Mapping[str, str],
                 region_order: Sequence[str], headings: Mapping[str, str]
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """The table of contents with each chapter's area pages grouped by region.

    Parameters
    ----------
    toc : dict
        ``_toc.yml`` as read (Jupyter Book's ``jb-book`` format).
    pages : iterable of str
        The names of the pages in ``book/generated`` (without ``.ipynb``).
    area_region : mapping of str to str
        An area's page slug (``profile_<slug>``) to the name of its region.
    region_order : sequence of str
        Region names in the order the groups are listed; a region not in it comes last.
    headings : mapping of str to str
        A chapter's docname to its title, which starts each region page's title.

    Returns
    -------
    tuple of (dict, dict of str to str)
        The new table of contents, in which each glob ``book/generated/<kind>_*`` that matches
        pages of two or more regions is replaced by one section per region (file
        ``book/generated/regions/<kind>_<region slug>``, titled with the region's name, holding
        that region's pages in name order) and then the pages whose slug names no area; and
        the Markdown of each region page by docname. Other entries are kept as they are.
    """
    names = sorted(pages)
    rank = {region: i for i, region in enumerate(region_order)}
    region_pages: dict[str, str] = {}

    def group(entry: dict[str, Any], parent: str | None) -> list[dict[str, Any]]:
        match = _AREA_GLOB.fullmatch(str(entry.get("glob", "")))
        if match is None:
            return [walk(entry, parent)]
        prefix = match[1]
        by_region: dict[str, list[str]] = {}
        others: list[str] = []
        for name in (n for n in names if n.startswith(prefix)):
            region = area_region.get(name[len(prefix):])
            (by_region.setdefault(region, []) if region else others).append(name)
        if len(by_region) < 2:
            return [entry]
        kind = prefix.strip("_-")
        grouped = []
        for region in sorted(by_region, key=lambda r: (rank.get(r, len(rank)), r)):
            docname = f"{REGIONS}/{kind}_{_slug(region)}"
            region_pages[docname] = _region_page(headings.get(parent or "", ""), region,
                                                 len(by_region[region]))
            grouped.append({"file": docname, "title": region,
                            "sections": [{"file": f"{GENERATED}/{n}"} for n in by_region[region]]})
        return grouped + [{"file": f"{GENERATED}/{n}"} for n in others]

    def walk(node: dict[str, Any], parent: str | None) -> dict[str, Any]:
        out = dict(node)
        here = node.get("file", parent)
        for key in ("parts", "chapters", "sections", "subtrees", "entries"):
            if isinstance(node.get(key), list):
                out[key] = [new for item in node[key] for new in (
                    group(item, here) if isinstance(item, dict) else [item])]
        return out

    return walk(toc, None), region_pages


def _heading(path: Path) -> str:
    """The first ``# `` heading of a hand-written chapter page (empty if it has none)."""
    try:
        found = re.search(r"^#\s+(.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
    except OSError:
        return ""
    return found[1] if found else ""


def book_navigation(root: Path, navigation: str = "auto"
                    ) -> tuple[str, dict[str, Any] | None, dict[str, str]]:
    """The sidebar mode (:func:`navigation_mode`), the table of contents to build from (None:
    ``_toc.yml`` as it is) and the region pages it needs (Markdown by docname)."""
    mode = navigation_mode(root, navigation)
    if mode != "regions":
        return mode, None, {}
    from jsnalib.inputs.readers import load_geography

    geography = load_geography(root / "data")
    area_region = {}
    for code in geography.codes:
        region = geography.region(code)
        if region is not None and region != code:
            area_region.setdefault(_slug(geography.name(code)), geography.name(region))
    order = [geography.name(c) for c in geography.codes if geography.area_type(c) == "region"]
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    headings = {p.relative_to(root).with_suffix("").as_posix(): _heading(p)
                for p in (root / "book").glob("*.md")}
    pages = [p.stem for p in (root / GENERATED).glob("*.ipynb")]
    grouped, region_pages = regional_toc(toc, pages, area_region, order, headings)
    return mode, grouped, region_pages


def _write_if_changed(path: Path, text: str) -> None:
    # an unchanged file keeps its time stamp, so Sphinx does not read it again
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_region_pages(root: Path, pages: Mapping[str, str]) -> None:
    """Write the region pages into ``book/generated/regions/`` (each only when its text
    changed) and delete those no longer in `pages`."""
    for docname, text in pages.items():
        _write_if_changed(root / f"{docname}.md", text)
    folder = root / REGIONS
    for stale in folder.glob("*.md"):
        if f"{REGIONS}/{stale.stem}" not in pages:
            stale.unlink()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def prepare_navigation(root: Path, output: Path, navigation: str = "auto") -> tuple[str, Path]:
    """Write what the book's navigation needs (region pages, and the grouped table of contents
    as ``output/_toc.yml``); return the sidebar mode and the table of contents to build from."""
    mode, toc, region_pages = book_navigation(root, navigation)
    write_region_pages(root, region_pages)
    if toc is None:
        return mode, root / "_toc.yml"
    grouped = output / "_toc.yml"
    _write_if_changed(grouped, "# made by jsnalib.build.bookbuild from _toc.yml: area pages "
                      "grouped by region\n" + yaml.safe_dump(toc, sort_keys=False,
                                                              allow_unicode=True))
    return mode, grouped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jsnalib.build.bookbuild")
    parser.add_argument("root", type=Path)
    parser.add_argument("output", type=Path, help="folder receiving html/ and .doctrees/")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--navigation", choices=("auto", *NAVIGATION), default="auto",
                        help="the sidebar: full, collapsed, or collapsed with area pages "
                        "grouped by region (auto: regions for large books, else full)")
    args = parser.parse_args(argv)

    from jupyter_book.sphinx import build_sphinx

    _declare_multitoc_parallel_safe()
    root = args.root.resolve()
    mode, toc = prepare_navigation(root, args.output.resolve(), args.navigation)
    overrides = {"external_toc_path": toc.as_posix(),
                 "latex_individualpages": False, "nitpicky": True}
    if mode != "full":  # merged into _config.yml's theme options
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
