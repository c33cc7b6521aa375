"""A small Sphinx extension for the book: each page lists each script once.

With Sphinx 7.4, sphinx-thebe's inline configuration script (``const THEBE_JS_URL = ...``) is
added to every page twice (once with the file name None, once with ""), and the browser reports
"Identifier 'THEBE_JS_URL' has already been declared". Jupyter Book 1.x needs Sphinx 7, so the
book removes the duplicate script entries when each page is rendered. Loaded through
``sphinx: extra_extensions`` in _config.yml.
"""

from __future__ import annotations

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


def _dedupe(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if context.get("script_files"):
        context["script_files"] = unique_scripts(context["script_files"])


def setup(app: Any) -> dict[str, bool]:
    # first in line: Sphinx stops calling html-page-context handlers at the first one that
    # returns a template name, which the theme does
    app.connect("html-page-context", _dedupe, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
