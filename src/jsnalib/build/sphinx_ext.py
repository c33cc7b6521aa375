"""A small Sphinx extension for the book: each page lists each script once, each page made
from a notebook says how it was made, and nothing a generated page's Markdown holds is ever
published as HTML or as a script link.

With Sphinx 7.4, sphinx-thebe's inline configuration script (``const THEBE_JS_URL = ...``) is
added to every page twice (once with the file name None, once with ""), and the browser reports
"Identifier 'THEBE_JS_URL' has already been declared". Jupyter Book 1.x needs Sphinx 7, so the
book removes the duplicate script entries when each page is rendered.

The book hides code (``nb_remove_code_source`` in _config.yml), so each page executed from a
notebook ends with a "How this page was made" note: the parameters it ran with, a link to the
executed notebook (Sphinx copies it to ``_sources/``) and where the template and library live.

Pages in ``book/generated/`` are executed notebooks whose Markdown (the title, text cells and
``text/markdown`` outputs) can carry strings from input files. Their HTML outputs come from
:mod:`jsnalib.report.display`, which escapes everything; raw HTML written in their Markdown,
and links to ``javascript:``-like URLs, are turned into plain text before Sphinx records titles
or the table of contents (a second line of defence behind validation and
``display.md_escape``), and the page title the theme prints unescaped is escaped. Loaded
through ``sphinx: extra_extensions`` in _config.yml.

Pages stay light: the notebooks show charts and CSV downloads as ``data:`` URIs (so the executed
notebook is self-contained and nbval compares it whole), and :func:`externalise` moves each one,
when the page is written, into a file named by its content hash (``_images/jsna-<hash>.png``,
``_downloads/<hash>/<name>.csv``) that the browser caches and fetches only when needed.

Pages with headline findings ("At a glance" or "In words") and a ratings table get a committee
paper: :func:`page_paper` reads the executed notebook's outputs (headline sentences, first chart,
first table) and :func:`jsnalib.report.paper.profile_pdf` draws them on 2-4 A4 pages, linked at
the top of the page. The home page's ``<div class="jsna-key-findings"></div>`` is replaced by the
outcomes summary's sentences for the home authorities (:func:`key_findings`), so the home page
opens with findings without hard-coding a number.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
from docutils import nodes

#: Documents whose Markdown is never trusted as HTML: the executed notebooks.
GENERATED_PREFIX = "book/generated/"
#: URL schemes that run code when a reader follows a link.
UNSAFE_URL = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def unique_scripts(scripts: list[Any]) -> list[Any]:
    """Drop repeated script entries (same file name and same attributes, including inline body),
    keeping the first occurrence and the order."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        # an inline script is stored once with filename None and once with "" (the Sphinx 7 bug)
        name = getattr(script, "filename", script) or ""
        key = (str(name), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    return unique


def made_note(notebook_url: str, parameters: dict[str, Any]) -> str:
    """The HTML of a page's "How this page was made" note.

    Args:
        notebook_url: relative URL of the executed notebook (.ipynb) the page was built from.
        parameters: the values the page's template ran with (papermill's parameters).
    """
    ran_with = ", ".join(f"<code>{html.escape(str(k))} = {html.escape(repr(v))}</code>"
                         for k, v in parameters.items())
    ran = f" with {ran_with}" if ran_with else ""
    return (
        '<aside class="admonition note jsna-made" aria-label="How this page was made">'
        '<p class="admonition-title">How this page was made</p>'
        "<p>This page is a Jupyter notebook: a template in the repository's "
        f"<code>notebooks/</code> folder, run{ran} by <code>jsna build</code>. The calculations "
        "are in the <code>jsnalib</code> library (<code>src/jsnalib/</code>); the code is hidden "
        f'here to keep the page readable. <a class="jsna-notebook" href="{html.escape(notebook_url)}" '
        f'download="{html.escape(notebook_url.rsplit("/", 1)[-1])}">Download the executed '
        "notebook, with its code</a>.</p></aside>"
    )


def _parameters(path: Path) -> dict[str, Any]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(notebook.get("metadata", {}).get("papermill", {}).get("parameters", {}))


def _made_from_notebook(app: Any, pagename: str, templatename: str, context: dict,
                        doctree: Any) -> None:
    source = context.get("sourcename") or ""
    if doctree is None or not source.endswith(".ipynb") or "body" not in context:
        return
    url = context["pathto"]("_sources/" + source, 1)
    context["body"] += made_note(url, _parameters(Path(app.env.doc2path(pagename))))


def _dedupe(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if context.get("script_files"):
        context["script_files"] = unique_scripts(context["script_files"])


def _escape_page_title(app: Any, pagename: str, templatename: str, context: dict,
                       doctree: Any) -> None:
    # sphinx-book-theme sets "pagetitle" to the title's plain text and writes it unescaped into
    # the print header (<h1>{{ pagetitle }}</h1>): a title holding "<script>" would run
    if isinstance(context.get("pagetitle"), str):
        context["pagetitle"] = html.escape(context["pagetitle"])


def neutralise_markup(doctree: nodes.Node) -> int:
    """Turn raw HTML that came from Markdown into text, and unsafe links into their text.

    Raw HTML outputs of code cells (class ``text_html``, written by ``jsnalib.report.display``)
    are kept. Returns the number of nodes changed.
    """
    changed = 0
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "") and "text_html" not in raw.get("classes", []):
            raw.replace_self(nodes.Text(raw.astext()))
            changed += 1
    for ref in list(doctree.findall(nodes.reference)):
        if UNSAFE_URL.match(ref.get("refuri", "")):
            ref.replace_self(nodes.inline("", "", *ref.children))
            changed += 1
    return changed


def _neutralise(app: Any, doctree: nodes.document) -> None:
    if app.env.docname.startswith(GENERATED_PREFIX):
        neutralise_markup(doctree)


_DATA_URI = re.compile(r'(?P<attr>src|href)="data:(?P<mime>image/png|image/svg\+xml|text/csv);base64,'
                       r'(?P<payload>[A-Za-z0-9+/=\s]+)"')
_EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg", "text/csv": "csv"}
_DOWNLOAD = re.compile(r'download="([^"]+)"')


def _file_name(tag: str, fallback: str) -> str:
    """The reader's file name from the tag's ``download`` attribute, reduced to a safe name."""
    found = _DOWNLOAD.search(tag)
    name = html.unescape(found.group(1)).rsplit("/", 1)[-1] if found else ""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return name or fallback


def externalise(body: str, outdir: str | Path, url: Callable[[str], str]) -> str:
    """Move every base64 ``data:`` image and CSV in `body` into a file under `outdir`, named by
    the SHA-256 of its content, and point the attribute at it.

    Parameters
    ----------
    body : str
        A page's HTML.
    outdir : str or Path
        The site's root folder (``_build/html``); files go to ``_images/jsna-<hash>.<ext>`` and,
        for CSVs, ``_downloads/<hash>/<name>.csv`` with the name of the link's ``download``
        attribute, so a saved file keeps its name.
    url : callable
        Maps a path relative to the site root to the URL to write in this page (Sphinx's
        ``pathto(path, 1)``).

    Returns
    -------
    str
        The HTML without ``data:`` URIs of those types. The same content always gives the same
        file, so a chart shown on several pages is fetched once.
    """
    root = Path(outdir)

    def replace(match: re.Match) -> str:
        data = base64.b64decode(re.sub(r"\s+", "", match["payload"]))
        digest = hashlib.sha256(data).hexdigest()[:20]
        extension = _EXTENSIONS[match["mime"]]
        if extension == "csv":
            tag = body[body.rfind("<", 0, match.start()):match.start()]
            relative = f"_downloads/{digest}/{_file_name(tag, f'{digest}.csv')}"
        else:
            relative = f"_images/jsna-{digest}.{extension}"
        target = root / relative
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return f'{match["attr"]}="{html.escape(url(relative))}"'

    return _DATA_URI.sub(replace, body)


def _externalise(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if "body" in context:
        context["body"] = accessible_tables(externalise(context["body"], app.outdir,
                                                        lambda path: context["pathto"](path, 1)))


_TABLE = re.compile(r'(?P<caption><p class="jsna-caption"><strong)>(?P<title>.*?)</strong>'
                    r'(?P<between>.*?)<table class="(?P<classes>[^"]*\bjsna-table\b[^"]*)"'
                    r'(?P<rest>.*?)</table>', re.S)
_ARROWS = re.compile("([\u2191\u2193\u2192])")


def accessible_tables(body: str) -> str:
    """Give each book table (``display.table``) what a screen reader needs: a name (its visible
    caption, by ``aria-labelledby``), ``scope="col"`` on column headers and the first cell of
    each row as its row header (``<th scope="row">``). Trend arrows are hidden from screen
    readers, which read them as "downwards arrow"; the word after them says the same."""
    counter = iter(range(1, 10_000))

    def table(match: re.Match) -> str:
        ident = f"jsna-table-caption-{next(counter)}"
        rest = match["rest"].replace("<th>", '<th scope="col">')
        head, tbody, body_rows = rest.partition("<tbody>")
        if tbody:
            body_rows = re.sub(r"(<tr[^>]*>\s*)<td([^>]*)>(.*?)</td>",
                               r'\1<th scope="row"\2>\3</th>', body_rows, flags=re.S)
        return (f'{match["caption"]} id="{ident}">{match["title"]}</strong>{match["between"]}'
                f'<table class="{match["classes"]}" aria-labelledby="{ident}"'
                f"{head}{tbody}{body_rows}</table>")

    out = _TABLE.sub(table, body)
    # in text only, never inside a tag's attribute (an alt text may name an arrow)
    return re.sub(r">([^<]*)<", lambda text: ">" + _ARROWS.sub(
        r'<span aria-hidden="true">\1</span>', text[1]) + "<", out)


class _Tables(HTMLParser):
    """The cells of every ``<table>`` in an HTML fragment (``<br>`` kept as a line break)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            text = re.sub(r"[ \t\r\f\v]+", " ", "".join(self._cell))
            self.tables[-1][-1].append("\n".join(p.strip() for p in text.split("\n")).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data.replace("\n", " "))


def first_table(fragment: str) -> pd.DataFrame | None:
    """The first HTML table in `fragment` as strings, its first row as the header."""
    parser = _Tables()
    parser.feed(fragment)
    for rows in parser.tables:
        rows = [r for r in rows if r]
        if len(rows) > 1:
            width = len(rows[0])
            return pd.DataFrame([(r + [""] * width)[:width] for r in rows[1:]], columns=rows[0])
    return None


#: The headings under which a page states its findings, in the order looked for.
HEADLINE_HEADINGS = ("At a glance", "In words")


def _outputs(cell: dict, mime: str) -> Iterable[str]:
    for output in cell.get("outputs", []):
        value = output.get("data", {}).get(mime)
        if value is not None:
            yield "".join(value) if isinstance(value, list) else str(value)


def headlines(notebook: dict, headings: Iterable[str] = HEADLINE_HEADINGS) -> list[str]:
    """The page's headline sentences: the Markdown output that follows the first of `headings`
    (a ``## `` heading in a Markdown cell), one string per paragraph or list item."""
    cells = notebook.get("cells", [])
    for heading in headings:
        for i, cell in enumerate(cells):
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") != "markdown" or not re.search(
                    rf"^#+\s+{re.escape(heading)}\s*$", source, re.M):
                continue
            for later in cells[i + 1:]:
                if later.get("cell_type") == "markdown":
                    break
                for text in _outputs(later, "text/markdown"):
                    items = re.split(r"\n\s*\n|\n(?=- )", text.strip())
                    return [re.sub(r"^- ", "", item).replace("\n", " ").strip()
                            for item in items if item.strip()]
    return []


def page_paper(notebook: dict) -> tuple[list[str], pd.DataFrame | None, bytes | None, bool]:
    """What a page's committee paper shows, read from its executed notebook: the headline
    sentences (:func:`headlines`), the first table and the first chart's PNG as shown on the
    page, and whether the page says its data are synthetic."""
    table, chart, synthetic = None, None, False
    for cell in notebook.get("cells", []):
        for fragment in _outputs(cell, "text/html"):
            synthetic = synthetic or "jsna-synthetic" in fragment
            if table is None and "<table" in fragment:
                table = first_table(fragment)
            image = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"', fragment)
            if chart is None and image:
                chart = base64.b64decode(re.sub(r"\s+", "", image.group(1)))
        # a chart (display.Chart) is SVG on the page; the one the paper draws has a PNG copy
        for png in _outputs(cell, "image/png"):
            if chart is None:
                chart = base64.b64decode(re.sub(r"\s+", "", png))
    return headlines(notebook), table, chart, synthetic


def paper_link(url: str, pages: int, size: int) -> str:
    """The link to a page's committee paper, with its length and size."""
    return (f'<p class="jsna-paper"><a href="{html.escape(url)}" download>Download this page as a '
            f"committee paper (PDF, {pages} A4 pages, {max(1, round(size / 1024))} KB)</a></p>")


def book_title(app: Any) -> str:
    """The book's title (``title`` in _config.yml, which Jupyter Book makes ``html_title``;
    Sphinx's ``project`` stays "Project name not set")."""
    return app.config.html_title or app.config.project


def _paper(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    source = context.get("sourcename") or ""
    if doctree is None or not source.endswith(".ipynb") or "</h1>" not in context.get("body", ""):
        return
    try:
        notebook = json.loads(Path(app.env.doc2path(pagename)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    sentences, table, chart, synthetic = page_paper(notebook)
    if not sentences or table is None:
        return
    import matplotlib.image

    from jsnalib.report import paper

    image = matplotlib.image.imread(io.BytesIO(chart), format="png") if chart else None
    title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title", pagename)))
    relative = f"_downloads/paper/{pagename.rsplit('/', 1)[-1]}.pdf"
    try:
        out = paper.profile_pdf(
            Path(app.outdir) / relative, title, sentences, table, image,
            note="Synthetic demonstration data, not real records about any child." if synthetic else "",
            source=f"{book_title(app)}: {title}")
    except ValueError as exc:
        # the national book's outcomes summary has a sentence per authority (some 150): more
        # than a one-page summary holds, so that page has no committee paper
        if "headline sentences run over" in str(exc):
            return
        raise
    data = out.read_bytes()
    pages = len(re.findall(rb"/Type /Page\b(?!s)", data))
    context["body"] = context["body"].replace(
        "</h1>", "</h1>" + paper_link(context["pathto"](relative, 1), pages, len(data)), 1)


#: Where the home page's key findings go (a raw HTML block in book/intro.md).
KEY_FINDINGS = '<div class="jsna-key-findings"></div>'


def key_findings(sentences: Iterable[str], names: Iterable[str], summary_url: str,
                 meaning: Iterable[str] = ()) -> str:
    """The home page's findings: the summary's sentences about the named areas (those that
    start with an area's name in bold), as an HTML list, and where they come from; then the
    summary's "What this means" sentences, when given."""
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark", {"html": False}).renderInline
    wanted = [s for s in sentences if any(s.startswith(f"**{n}**") for n in names)]
    if not wanted:
        return ""
    items = "".join(f"<li>{render(s)}</li>" for s in wanted)
    said = " ".join(render(s) for s in meaning)
    return (f'<div class="jsna-key-findings"><ul>{items}</ul><p>From the '
            f'<a href="{html.escape(summary_url)}">outcomes summary</a>, which rates every area '
            "against England by its confidence interval.</p>"
            + (f'<p class="jsna-meaning"><strong>What this means:</strong> {said}</p>'
               if said else "") + "</div>")


def _home_findings(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if KEY_FINDINGS not in context.get("body", ""):
        return
    from jsnalib.inputs.readers import load_geography

    summary = next((d for d in app.env.found_docs if d.endswith("generated/outcomes_summary")), None)
    replacement = ""
    if summary is not None:
        try:
            notebook = json.loads(Path(app.env.doc2path(summary)).read_text(encoding="utf-8"))
            geography = load_geography(Path(app.srcdir) / "data")
        except (OSError, ValueError):
            notebook, geography = None, None
        if notebook is not None:
            names = [geography.name(code) for code in geography.home_authorities()]
            replacement = key_findings(headlines(notebook, ("In words",)), names,
                                       context["pathto"](summary),
                                       headlines(notebook, ("What this means",)))
    context["body"] = context["body"].replace(KEY_FINDINGS, replacement)


#: The theme's Font Awesome script (pydata-sphinx-theme 0.17.1 writes it into every page's
#: head: 1.49 MB that turns a dozen ``<i class="fa-solid ...">`` into inline SVG). The theme's
#: stylesheet already draws the same icons from its Font Awesome web font (which it loads anyway
#: for the admonition icons), so the script is left out and the icons look the same.
FONTAWESOME = re.compile(r'[ \t]*<script\b[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>'
                         r"\s*</script>[ \t]*\n?")


def drop_fontawesome(page: str) -> str:
    """The page's HTML without the theme's Font Awesome script tag."""
    return FONTAWESOME.sub("", page)


def _drop_fontawesome(app: Any, exception: Exception | None) -> None:
    if exception is not None or getattr(app.builder, "format", "") != "html":
        return
    root = Path(app.outdir)
    for page in root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "fontawesome.js" in text:
            page.write_text(drop_fontawesome(text), encoding="utf-8")
    for leftover in (root / "_static" / "scripts").glob("fontawesome.js*"):
        leftover.unlink()


def setup(app: Any) -> dict[str, bool]:
    # first in line: Sphinx stops calling html-page-context handlers at the first one that
    # returns a template name, which the theme does
    app.connect("html-page-context", _dedupe, priority=1)
    app.connect("html-page-context", _made_from_notebook, priority=2)
    # after the theme's own handlers (sphinx-book-theme's run at 500 and 501)
    app.connect("html-page-context", _escape_page_title, priority=900)
    # before Sphinx's own collectors record the page's title and table of contents
    app.connect("doctree-read", _neutralise, priority=1)
    app.connect("html-page-context", _home_findings, priority=3)
    app.connect("html-page-context", _paper, priority=4)
    # last: the paper is drawn from the notebook's data: URIs, the page then links to files
    app.connect("html-page-context", _externalise, priority=5)
    app.connect("build-finished", _drop_fontawesome)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
