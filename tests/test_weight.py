"""Light pages: charts and downloads leave the HTML as cacheable files named by their content
(jsnalib.build.sphinx_ext.externalise), no page is over 300 KB, and what the build reads back from
an executed notebook for the committee paper and the home page."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from conftest import pdf_text

from jsnalib.build import sphinx_ext

#: Most bytes of HTML in one page (issue 15: the obesity page was 744 KB).
MAX_PAGE_BYTES = 300 * 1024

PNG = bytes.fromhex("89504e470d0a1a0a") + b"a small chart"
CSV = b"# Synthetic demonstration data\narea,value\nE06000021,4.1\n"


def _page(png: bytes = PNG, csv: bytes = CSV) -> str:
    image = base64.b64encode(png).decode()
    data = base64.b64encode(csv).decode()
    return (f'<figure class="jsna-figure"><img src="data:image/png;base64,{image}" alt="A chart"/>'
            f'<figcaption>Caption <a class="jsna-download" download="spine-chart-E06000021.csv" '
            f'href="data:text/csv;base64,{data}">Download the data</a></figcaption></figure>')


def test_charts_and_csvs_become_files_named_by_their_content(tmp_path):
    body = sphinx_ext.externalise(_page(), tmp_path, lambda path: "../../" + path)
    assert "data:" not in body
    digest = hashlib.sha256(PNG).hexdigest()[:20]
    assert f'src="../../_images/jsna-{digest}.png"' in body
    assert (tmp_path / "_images" / f"jsna-{digest}.png").read_bytes() == PNG
    csv = re.search(r'href="\.\./\.\./(_downloads/[^"]+)"', body).group(1)
    assert csv.endswith("/spine-chart-E06000021.csv")  # the reader's file name is kept
    assert (tmp_path / csv).read_bytes() == CSV
    assert 'download="spine-chart-E06000021.csv"' in body and 'alt="A chart"' in body


def test_the_same_chart_on_two_pages_is_one_file_and_a_changed_chart_a_new_one(tmp_path):
    first = sphinx_ext.externalise(_page(), tmp_path, str)
    again = sphinx_ext.externalise(_page(), tmp_path, str)
    changed = sphinx_ext.externalise(_page(png=PNG + b"!"), tmp_path, str)
    assert first == again
    assert re.search(r'src="([^"]+)"', changed).group(1) != re.search(r'src="([^"]+)"', first).group(1)
    assert len(list((tmp_path / "_images").iterdir())) == 2


def test_a_hostile_download_name_stays_inside_the_downloads_folder(tmp_path):
    page = _page().replace('download="spine-chart-E06000021.csv"', 'download="../../x y.csv"')
    body = sphinx_ext.externalise(page, tmp_path, str)
    written = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv")]
    assert len(written) == 1 and re.fullmatch(r"_downloads/[0-9a-f]{20}/x-y\.csv", written[0])
    assert written[0] in body


NOTEBOOK = {"cells": [
    {"cell_type": "markdown", "source": ["# Area profile\n"]},
    {"cell_type": "code", "source": "", "outputs": [{"data": {"text/html": [
        '<div class="admonition warning jsna-synthetic">Synthetic</div>']}}]},
    {"cell_type": "markdown", "source": ["## At a glance"]},
    {"cell_type": "code", "source": "", "outputs": [{"data": {"text/markdown": [
        "Of the 6 indicators, Tamworth is **worse on 1**.\n\n- **Infant mortality**: 4.1.\n",
        "- **Year 6: obese**: 21.5%."]}}]},
    {"cell_type": "markdown", "source": ["## The spine chart"]},
    {"cell_type": "code", "source": "", "outputs": [{"data": {"text/html": [
        f'<figure><img src="data:image/png;base64,{base64.b64encode(PNG).decode()}"/></figure>']}}]},
    {"cell_type": "code", "source": "", "outputs": [{"data": {"text/html": [
        "<table><thead><tr><th>Indicator</th><th>Compared with England</th></tr></thead><tbody>"
        "<tr><td>Infant mortality<br>(per 1,000)</td><td>similar<br>England 3.8</td></tr>"
        "</tbody></table>"]}}]},
]}


def test_the_paper_reads_the_headline_chart_and_table_the_page_shows():
    sentences, table, chart, synthetic = sphinx_ext.page_paper(NOTEBOOK)
    assert sentences == ["Of the 6 indicators, Tamworth is **worse on 1**.",
                         "**Infant mortality**: 4.1.", "**Year 6: obese**: 21.5%."]
    assert list(table.columns) == ["Indicator", "Compared with England"]
    assert table.iloc[0].tolist() == ["Infant mortality\n(per 1,000)", "similar\nEngland 3.8"]
    assert chart == PNG and synthetic


def test_a_page_without_findings_gets_no_paper():
    cells = [c for c in NOTEBOOK["cells"] if "At a glance" not in "".join(c.get("source", ""))]
    assert sphinx_ext.page_paper({"cells": cells})[0] == []


def test_the_home_page_gets_the_summary_sentences_for_the_home_authorities_only():
    sentences = ["**West Midlands**: worse than England on 5 of 6.",
                 "**Staffordshire**: worse than England on 2 of 6: Infant mortality.",
                 "**Stoke-on-Trent**: worse than England on 5 of 5.",
                 "**Tamworth**: worse than England on 0 of 4."]
    found = sphinx_ext.key_findings(sentences, ["Staffordshire", "Stoke-on-Trent"], "summary.html")
    assert found.count("<li>") == 2
    assert "<strong>Staffordshire</strong>: worse than England on 2 of 6" in found
    assert "West Midlands" not in found and "Tamworth" not in found
    assert 'href="summary.html"' in found
    assert sphinx_ext.key_findings(sentences, ["Nowhere"], "summary.html") == ""
    assert "What this means" not in found
    meaning = ["The indicators most often worse than England are **Year 6 obese**."]
    found = sphinx_ext.key_findings(sentences, ["Staffordshire"], "summary.html", meaning)
    assert found.index("<ul>") < found.index(
        "<strong>What this means:</strong> The indicators most often worse than England are "
        "<strong>Year 6 obese</strong>.")


def test_a_paper_link_says_how_long_and_how_big():
    assert "PDF, 3 A4 pages, 126 KB" in sphinx_ext.paper_link("p.pdf", 3, 129_004)


@pytest.mark.slow
def test_no_page_of_the_built_book_is_heavy_or_inlines_a_file(built_book: Path):
    heavy, inlined = {}, {}
    for page in built_book.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(built_book).as_posix()
        if len(text.encode()) > MAX_PAGE_BYTES:
            heavy[name] = len(text.encode())
        if re.search(r'(src|href)="data:(image/png|text/csv)', text):
            inlined[name] = True
    assert not heavy, f"pages over {MAX_PAGE_BYTES} bytes: {heavy}"
    assert not inlined, f"pages with inlined charts or CSVs: {sorted(inlined)}"
    papers = sorted(p.name for p in (built_book / "_downloads" / "paper").glob("*.pdf"))
    assert "outcomes_summary.pdf" in papers and any(p.startswith("profile_") for p in papers)


TABLE = ('<div class="jsna-table-wrap"><p class="jsna-caption"><strong>Stoke-on-Trent: latest '
         'values</strong> <a class="jsna-download" href="x.csv">Download</a></p>'
         '<table class="dataframe jsna-table">\n<thead><tr><th>Indicator</th><th>Recent trend</th>'
         '</tr></thead><tbody>\n<tr>\n<td>Infant mortality</td><td>\u2193 falling</td></tr>'
         '<tr><td class="x">Year 6</td><td>no change</td></tr></tbody></table></div>'
         '<img alt="falls \u2193 from 9 to 8"/>')


def test_book_tables_get_a_name_column_scopes_and_row_headers():
    """(accessible markup is added at build time, as chapters.profiles.rated_table counts the
    <td> cells that display.table writes)"""
    out = sphinx_ext.accessible_tables(TABLE)
    ident = re.search(r'<strong id="([^"]+)">Stoke-on-Trent', out).group(1)
    assert f'<table class="dataframe jsna-table" aria-labelledby="{ident}">' in out
    assert out.count('<th scope="col">') == 2
    assert '<th scope="row">Infant mortality</th>' in out and '<th scope="row" class="x">Year 6</th>' in out
    assert out.count("<td") == 2
    assert '<span aria-hidden="true">\u2193</span> falling' in out
    assert 'alt="falls \u2193 from 9 to 8"' in out  # never inside an attribute


def test_the_built_papers_name_the_book_in_their_footer(built_book):
    """Each page of a committee paper says which book it comes from (the title in _config.yml),
    not Sphinx's placeholder project name."""
    papers = sorted((built_book / "_downloads" / "paper").glob("*.pdf"))
    assert papers, "the built book has no committee papers"
    text = pdf_text(papers[0].read_bytes())
    assert "Project name not set" not in text
    assert "Children's health and social care" in text
