"""The committee paper (jsnalib.report.paper): A4 pages, 2-4 of them, the headline and the ratings
in the file, the same bytes every time."""

from __future__ import annotations

import io
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import pdf_text

from jsnalib.report import paper
from jsnalib.report.plots import RATING_COLOURS

HEADLINE = ("Of the 6 indicators rated against England, Stoke-on-Trent is **worse on 5**, "
            "**similar on 1** and **better on 0**.")


def _table(rows: int) -> pd.DataFrame:
    ratings = ["worse (rising)", "similar", "better", "higher"]
    return pd.DataFrame({"Indicator": [f"Indicator number {i}" for i in range(rows)],
                         "Value": [f"{i + 0.5:.1f}" for i in range(rows)],
                         "Compared with England": [ratings[i % 4] for i in range(rows)]})


def _chart():
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot([1, 2, 3], [3, 1, 2])
    return fig


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def test_a_profile_paper_is_two_to_four_a4_pages_with_the_headline_and_ratings(tmp_path):
    out = paper.profile_pdf(tmp_path / "stoke.pdf", "Stoke-on-Trent", [HEADLINE], _table(7),
                            _chart(), note="Synthetic demonstration data, not real records.")
    data = out.read_bytes()
    assert 2 <= _pages(data) <= 4
    assert set(re.findall(rb"/MediaBox \[ ([^\]]*)\]", data)) == {b"0 0 595.44 841.68 "}
    text = pdf_text(data)
    assert "worse on 5" in text and "**" not in text
    assert "Synthetic demonstration data" in text
    assert "worse (rising)" in text and "Indicator number 6" in text
    assert b"/Title (Stoke-on-Trent)" in data


def test_a_long_table_continues_over_pages_but_never_past_four(tmp_path):
    data = paper.profile_pdf(tmp_path / "p.pdf", "Area", [HEADLINE], _table(60), _chart()
                             ).read_bytes()
    assert _pages(data) == 4
    assert "(continued)" in pdf_text(data)  # "fi" is one ligature glyph
    with pytest.raises(ValueError, match="does not fit"):
        paper.profile_pdf(tmp_path / "q.pdf", "Area", [HEADLINE], _table(200), _chart())


def test_the_paper_is_reproducible(tmp_path):
    first = paper.profile_pdf(tmp_path / "a.pdf", "Area", [HEADLINE], _table(5), _chart())
    second = paper.profile_pdf(tmp_path / "b.pdf", "Area", [HEADLINE], _table(5), _chart())
    assert first.read_bytes() == second.read_bytes()
    assert b"CreationDate" not in first.read_bytes()


def test_a_paper_needs_a_headline(tmp_path):
    with pytest.raises(ValueError, match="headline"):
        paper.profile_pdf(tmp_path / "a.pdf", "Area", ["  "], _table(3))


@pytest.mark.parametrize(("cell", "fill"), [
    ("worse (rising)", RATING_COLOURS["worse"]), ("Similar", RATING_COLOURS["similar"]),
    ("better", RATING_COLOURS["better"]), ("not compared", RATING_COLOURS["not compared"]),
    ("worsening", None), ("12.5", None), ("", None),
])
def test_rating_cells_are_filled_with_the_rating_colour(cell, fill):
    assert paper.rating_fill(cell) == fill


def test_a_chart_already_drawn_is_placed_as_it_is(tmp_path):
    """The book's papers take the page's PNG copy of its chart (an image array), not a figure
    drawn again: the image goes into the PDF at its own size in pixels."""
    image = plt.imread(io.BytesIO(_png(_chart())), format="png")
    data = paper.profile_pdf(tmp_path / "a.pdf", "Area", [HEADLINE], _table(5), image).read_bytes()
    sizes = re.findall(rb"/Subtype /Image.*?/Width (\d+).*?/Height (\d+)", data, re.S)
    assert [(int(w), int(h)) for w, h in sizes] == [(image.shape[1], image.shape[0])]


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()

