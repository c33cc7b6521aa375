"""A small Sphinx extension for the book: each page lists each script once, and each page made
from a notebook says how it was made.

With Sphinx 7.4, sphinx-thebe's inline configuration script (``const THEBE_JS_URL = ...``) is
added to every page twice (once with the file name None, once with ""), and the browser reports
"Identifier 'THEBE_JS_URL' has already been declared". Jupyter Book 1.x needs Sphinx 7, so the
book removes the duplicate script entries when each page is rendered. Loaded through
``sphinx: extra_extensions`` in _config.yml.

The book hides code (``nb_remove_code_source`` in _config.yml), so each page executed from a
notebook ends with a "How this page was made" note: the parameters it ran with, a link to the
executed notebook (Sphinx copies it to ``_sources/``) and where the template and library live.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any


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


def setup(app: Any) -> dict[str, bool]:
    # first in line: Sphinx stops calling html-page-context handlers at the first one that
    # returns a template name, which the theme does
    app.connect("html-page-context", _dedupe, priority=1)
    app.connect("html-page-context", _made_from_notebook, priority=2)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
