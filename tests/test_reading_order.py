"""The reading order of every page (issue 15): the findings in plain words first (counts,
interval and comparison in the sentence), then the one-line data note, then "What this means",
then the evidence (charts and tables), then the statistics in a collapsed "About the method",
then the sources with their publishers and data releases.

Each notebook template's committed outputs are read here (nbval, in the same suite, re-executes
every template against the repository's data/ and fails if any Markdown or HTML output differs
from them), and the page's parts are checked in the order a reader meets them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Words of statistical method that belong in "About the method", not in the reading path.
METHOD_WORDS = ("dispersion", "Pearson", "ratio of annual", "rate ratio", "Laney", "sigma_z",
                "quasi", "slope index", "SII", "RII", "p = ", "p < ", " ~ ", "Spiegelhalter",
                "Kaplan", "logistic", "chi-square", "regression", "negative binomial", "GLM")

#: Template -> the text function of its findings.
PAGES = {
    "infant_mortality.ipynb": "key_messages",
    "rereferral.ipynb": "summary",
    "obesity.ipynb": "latest",
    "area_profile.ipynb": "headline",
    "outcomes_summary.ipynb": "summary_reading",
}


def _run(template: str) -> list[tuple[str, str, str]]:
    """The page as a reader meets it: (kind, cell source, text) for each markdown cell
    ("markdown") and each code cell's output ("text" for Markdown, "html" for HTML)."""
    cells = json.loads((REPO / "notebooks" / template).read_text(encoding="utf-8"))["cells"]
    page = []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            page.append(("markdown", source, source))
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                page.append(("text", source, "".join(data["text/markdown"])))
            elif "text/html" in data:
                page.append(("html", source, "".join(data["text/html"])))
    return page


def _first(page, test) -> int:
    return next(i for i, part in enumerate(page) if test(*part))


@pytest.fixture(scope="module", params=sorted(PAGES))
def page(request):
    return request.param, _run(request.param)


def test_findings_come_first_then_the_data_line_then_what_this_means(page):
    template, parts = page
    findings = _first(parts, lambda kind, source, _: f"chapter.text.{PAGES[template]}(" in source)
    line = _first(parts, lambda kind, _, text: kind == "html" and "jsna-data-line" in text)
    meaning = _first(parts, lambda kind, _, text: kind == "markdown"
                     and text.strip() == "## What this means")
    evidence = _first(parts, lambda kind, _, text: kind == "html"
                      and ("<figure" in text or "<table" in text))
    assert findings < line < meaning < evidence, template
    # the findings are numbers in a sentence; on a topic's page, with their interval (the
    # outcomes summary's findings are a tally of intervals compared with England)
    assert re.search(r"\d", parts[findings][2]), template
    assert template == "outcomes_summary.ipynb" or "CI" in parts[findings][2], template
    assert parts[meaning + 1][0] == "text" and parts[meaning + 1][2].strip(), template
    assert all(parts[i][0] == "markdown" or "jsna-data-line" in parts[i][2]
               or "chapter.text." in parts[i][1] for i in range(findings, meaning)), template


def test_the_method_is_collapsed_after_the_evidence_and_the_sources_close_the_page(page):
    template, parts = page
    (*_, method), sources = parts[-2], parts[-1][2]
    assert method.startswith('<details class="jsna-method"><summary>About the method</summary>')
    assert 'id="jsna-sources"' in sources and "https://" in sources, template
    assert not any("jsna-method" in text for *_, text in parts[:-2]), template


def test_method_words_appear_only_inside_the_collapsed_section(page):
    template, parts = page
    for kind, _, text in parts[:-2]:
        if kind == "html":
            continue  # charts and tables: evidence, checked by their own tests
        for word in METHOD_WORDS:
            assert word not in text, f"{template}: {word!r} in the reading path: {text[:200]}"
    method = parts[-2][2]
    assert any(word in method for word in METHOD_WORDS), template
