"""Two cold builds of the book give the same pages.

The project (src, notebooks, data, book/*.md, _config.yml, _toc.yml; never .venv or _build) is
copied into two fresh folders and built cold in each with ``jsna build --quiet`` (the session's
shared build, :func:`conftest.built_project`, and one more with ``--force``; both with the
default in-process engine; the library is the installed one, so both run the same code). Then:

- every ``book/generated/*.ipynb`` must have the same cells, with identical sources and
  outputs (text, HTML, CSV downloads and PNG images byte for byte) - nothing is normalised;
- every ``.html`` file of ``_build/html`` must be identical after :func:`normalise_html`, which
  removes exactly two things that encode *when* or *where* a build ran, never what it shows:
  the cache-busting query on asset URLs (``?v=<hex>`` / ``?digest=<hex>``) and the absolute
  path of the build folder should it appear. Both are replaced by fixed tokens; a changed
  number, word or image still fails the test.

The set of pages must also be the same. This runs every notebook twice, hence the ``slow`` mark.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import build_project, copy_project

pytestmark = pytest.mark.slow

_ASSET_QUERY = re.compile(r"\?(v|digest)=[0-9a-f]{6,64}")


def normalise_html(text: str, root: Path) -> str:
    """Remove what encodes when/where a build ran (see module docstring); nothing else."""
    text = _ASSET_QUERY.sub("?<asset-hash>", text)
    return text.replace(str(root), "<build-root>")


def _outputs(path: Path) -> list:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [(cell["cell_type"], cell["source"], cell.get("outputs", []))
            for cell in notebook["cells"]]


def test_normalise_html_removes_only_asset_hashes_and_the_build_root(tmp_path):
    page = (f'<link href="_static/a.css?digest=3ee479438cf8b5e0d341"/><script src="b.js?v=12ab'
            f'34cd"></script><p>{tmp_path}/x 7.5 per 1,000 ?v=notahash</p>')
    assert normalise_html(page, tmp_path) == (
        '<link href="_static/a.css?<asset-hash>"/><script src="b.js?<asset-hash>"></script>'
        "<p><build-root>/x 7.5 per 1,000 ?v=notahash</p>")


def test_two_cold_builds_are_identical(request, tmp_path):
    # the second build first: under xdist another worker may be making the shared one meanwhile
    second = copy_project(tmp_path / "second")
    build_project(second, "--force")
    first = request.getfixturevalue("built_project")
    roots = [first, second]
    notebooks = sorted(p.name for p in (first / "book" / "generated").glob("*.ipynb"))
    assert notebooks, "the build produced no pages"
    assert notebooks == sorted(p.name for p in (second / "book" / "generated").glob("*.ipynb"))
    differing = [name for name in notebooks
                 if _outputs(first / "book" / "generated" / name)
                 != _outputs(second / "book" / "generated" / name)]
    assert not differing, f"notebook outputs differ between builds: {differing}"
    html = [sorted(p.relative_to(root / "_build" / "html").as_posix()
                   for p in (root / "_build" / "html").rglob("*.html")) for root in roots]
    assert html[0] == html[1], "the two builds made different sets of HTML pages"
    changed = [page for page in html[0]
               if normalise_html((first / "_build" / "html" / page).read_text("utf-8"), first)
               != normalise_html((second / "_build" / "html" / page).read_text("utf-8"), second)]
    assert not changed, f"HTML differs between builds (after normalising): {changed}"
