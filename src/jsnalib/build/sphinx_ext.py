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
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

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


def setup(app: Any) -> dict[str, bool]:
    # first in line: Sphinx stops calling html-page-context handlers at the first one that
    # returns a template name, which the theme does
    app.connect("html-page-context", _dedupe, priority=1)
    app.connect("html-page-context", _made_from_notebook, priority=2)
    # after the theme's own handlers (sphinx-book-theme's run at 500 and 501)
    app.connect("html-page-context", _escape_page_title, priority=900)
    # before Sphinx's own collectors record the page's title and table of contents
    app.connect("doctree-read", _neutralise, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
