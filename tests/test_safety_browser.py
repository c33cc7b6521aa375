"""Nothing from data is ever markup, proved in a real browser (issue 16).

A small book (two pages for Stoke-on-Trent: infant mortality and childhood obesity) is built from
a copy of data/ whose text fields carry script: the area's name (areas.csv), every text column of
published_figures.csv, and the name fields of the Fingertips export. Validation refuses such
files, so the test lets them past on purpose (``readers.MARKUP_PATTERN`` set to match nothing,
in this process and in each page's kernel through a hidden first cell of the templates copied
into the throwaway project); what is tested is the escaping behind validation: the pipeline's
page titles, ``display`` and the book's Sphinx extension.

Headless Chromium opens every page with ``alert``/``confirm``/``prompt`` replaced before any
page script runs, and fails if a payload ran (an alert, or the sentinel global the payloads
set), if any element carries a payload's event handler, or if the payload text is not shown as
text (so escaping, not deletion, is what happened).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import nbformat
import pytest
from test_browser import driver, open_page, serve  # noqa: F401 - the Chromium fixture

from jsnalib.build import pipeline
from jsnalib.inputs import readers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
STOKE = "E06000021"
#: Script in three forms: a script element, an event handler that fires on load, one on hover.
PAYLOAD = ("<script>window.__jsna_pwned=1;alert(1)</script>"
           "<img src=x onerror=window.__jsna_pwned=2>"
           "<b onmouseover=window.__jsna_pwned=3>hover</b>")
SHOWN = "<script>window.__jsna_pwned=1;alert(1)</script>"
ALLOW_MARKUP = 'import jsnalib.inputs.readers as _r\n_r.MARKUP_PATTERN = r"(?!)"'
TEMPLATES = ("infant_mortality.ipynb", "obesity.ipynb")


def _tamper_csv(path: Path, columns: list[str], rows: callable = lambda row: True) -> None:
    """Append the payload to `columns` of every row (keeping the values' meaning in front)."""
    with path.open(newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    for row in table:
        if rows(row):
            for column in columns:
                if row[column]:
                    row[column] = row[column] + PAYLOAD
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    path.write_text(out.getvalue(), encoding="utf-8")


def _tampered_project(root: Path) -> pipeline.Project:
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "_static", root / "_static")
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "- glob: book/generated/*\n")
    (root / "intro.md").write_text("# Safety test book\n\nPages built from tampered data.\n")
    data = root / "data"
    _tamper_csv(data / "areas.csv", ["area_name"], lambda row: row["area_code"] == STOKE)
    _tamper_csv(data / "published_figures.csv",
                ["indicator", "unit", "period", "comparator_name"])
    source = data / "published_figures.csv"  # the source must still end in ' line N'
    source.write_text(source.read_text(encoding="utf-8").replace(
        " line ", f" {PAYLOAD.replace(',', ' ')} line "), encoding="utf-8")
    _tamper_csv(data / "fingertips_ncmp.csv", ["Indicator Name", "Area Name", "Parent Name"])
    notebooks = root / "notebooks"
    notebooks.mkdir()
    for name in TEMPLATES:
        nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
        cell = nbformat.v4.new_code_cell(ALLOW_MARKUP)
        cell.metadata["tags"] = ["remove-cell"]
        nb.cells.insert(0, cell)
        nbformat.write(nb, notebooks / name)
    (notebooks / "runs.yml").write_text(
        "data_dir: ../data\nruns:\n" + "".join(
            f"  - template: {name}\n    output: \"{name[:-6]}_{{area_slug}}\"\n"
            f"    title: \"{name[:-6].replace('_', ' ').capitalize()}: {{area_name}}\"\n"
            f"    foreach_area: [{STOKE}]\n    reads: [areas.csv, published_figures.csv]\n"
            for name in TEMPLATES))
    return pipeline.Project(root)


@pytest.fixture(scope="module")
def tampered_book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tampered") / "book"
    root.mkdir()
    project = _tampered_project(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "MARKUP_PATTERN", r"(?!)")
        runs = pipeline.load_runs(project)
        assert len(runs) == 2 and SHOWN in runs[0].title.replace("\\", "")
        report = pipeline.execute(runs, quiet=True)
    assert not report.failed, report.summary()
    index = pipeline.build_book(project, quiet=True)
    assert index is not None and index.is_file()
    return index.parent


@pytest.fixture(scope="module")
def tampered_site(tampered_book: Path):
    with serve(tampered_book) as address:
        yield address


_TRAP = """
window.__jsna_alerts = [];
for (const name of ['alert', 'confirm', 'prompt']) {
  window[name] = (message) => { window.__jsna_alerts.push(name + ': ' + message); };
}
"""

_INSPECT = r"""
const handlers = [];
for (const el of document.querySelectorAll('*')) {
  for (const attr of el.attributes) {
    // a payload's words inside an escaped attribute value (title, alt) are harmless text
    const active = attr.name.startsWith('on') || /^\s*javascript:/i.test(attr.value);
    if (active && attr.value.includes('__jsna_pwned')) handlers.push(el.tagName + ' ' + attr.name);
  }
}
for (const el of document.querySelectorAll('b, img, span, a')) {
  el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
}
return {
  pwned: window.__jsna_pwned === undefined ? null : window.__jsna_pwned,
  alerts: window.__jsna_alerts || ['the alert trap was not installed'],
  handlers: handlers,
  scripts: Array.from(document.scripts).filter(s => s.text.includes('__jsna_pwned')).length,
  title: document.title,
  shown: document.body.innerText.includes(arguments[0]),
};
"""


def test_script_in_every_text_field_never_runs(tampered_book: Path, tampered_site: str,
                                              driver):  # noqa: F811
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _TRAP})
    pages = sorted(p.relative_to(tampered_book).as_posix()
                   for p in tampered_book.rglob("*.html")
                   if not p.relative_to(tampered_book).parts[0].startswith("_")
                   and p.name not in ("search.html", "genindex.html"))
    generated = [p for p in pages if p.startswith("book/generated/")]
    assert len(generated) == 2, pages
    failures = {}
    for page in pages:
        open_page(driver, f"{tampered_site}/{page}")
        found = driver.execute_script(_INSPECT, SHOWN)
        problems = []
        if found["pwned"] is not None:
            problems.append(f"a payload ran (window.__jsna_pwned = {found['pwned']})")
        problems += [f"a dialog opened: {a}" for a in found["alerts"]]
        problems += [f"an element carries a payload handler: {h}" for h in found["handlers"]]
        if found["scripts"]:
            problems.append(f"{found['scripts']} script element(s) from data")
        if page in generated:
            if SHOWN not in found["title"]:
                problems.append(f"the title does not show the name as text: {found['title']!r}")
            if not found["shown"]:
                problems.append("the payload is not shown as text on the page")
        if problems:
            failures[page] = problems
    report = "\n".join(f"{page}:\n  " + "\n  ".join(p) for page, p in failures.items())
    assert not failures, f"script from data ran or was published as markup:\n{report}"
