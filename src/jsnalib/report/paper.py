"""Committee papers: a page's findings as an A4 PDF, drawn offline with matplotlib.

A councillor takes a PDF to a Health and Wellbeing Board, not a web page. :func:`profile_pdf`
lays out what an area profile (or the outcomes summary) says first: a title, the synthetic-data
note, the headline sentences, then a chart and the ratings table, on 2-4 A4 portrait pages. It
takes plain data (strings, a DataFrame, a matplotlib figure), so the profile notebook or the
book build can call it with what the page already shows. Text is set with ``fig.text`` and
tables with ``ax.table``: no LaTeX, no browser, no network.

The PDF is reproducible: the same inputs give the same bytes (no creation date is written).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from jsnalib.report.plots import RATING_COLOURS, house_style, text_colour

#: A4 portrait, inches.
A4 = (8.27, 11.69)
#: Page margins, as fractions of the page width and height.
MARGIN_X, MARGIN_Y = 0.08, 0.06
#: Most table rows on one page (more rows continue on the next page).
ROWS_PER_PAGE = 28
#: Most pages in one PDF: a committee paper, not the whole book.
MAX_PAGES = 4
#: Characters per line of body text at :data:`BODY_SIZE` points across the text width.
WRAP = 92
BODY_SIZE = 10.5
#: Characters per line inside a table cell, before wrapping.
CELL_WRAP = 18

_RATING_WORD = re.compile(r"^\s*(" + "|".join(sorted(RATING_COLOURS, key=len, reverse=True)) + r")\b")


def _page() -> Figure:
    return Figure(figsize=A4)


def _save(pdf: PdfPages, fig: Figure, number: int, footer: str) -> None:
    fig.text(MARGIN_X, MARGIN_Y / 2, footer, fontsize=7.5, color="#333333", va="center")
    fig.text(1 - MARGIN_X, MARGIN_Y / 2, f"Page {number}", fontsize=7.5, ha="right", va="center")
    pdf.savefig(fig)


def _wrapped(text: str, width: int = WRAP) -> list[str]:
    plain = re.sub(r"\*\*|__|`", "", text)
    return textwrap.wrap(plain, width=width) or [""]


def rating_fill(cell: str) -> str | None:
    """The fill for a table cell whose text starts with a rating word ("better", "worse
    (falling)", ...), from :data:`jsnalib.report.plots.RATING_COLOURS`; None for other cells."""
    found = _RATING_WORD.match(str(cell).lower())
    return RATING_COLOURS[found.group(1)] if found else None


def _chart_image(chart: Figure | np.ndarray, dpi: int = 200) -> np.ndarray:
    """The chart as an image array: a figure drawn at `dpi`, or an image as it is."""
    if isinstance(chart, np.ndarray):
        return chart
    buffer = io.BytesIO()
    chart.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    buffer.seek(0)
    return matplotlib.image.imread(buffer, format="png")


def _table_chunks(table: pd.DataFrame, pages_left: int) -> list[pd.DataFrame]:
    chunks = [table.iloc[i:i + ROWS_PER_PAGE] for i in range(0, len(table), ROWS_PER_PAGE)]
    if len(chunks) > pages_left:
        raise ValueError(f"a table of {len(table)} rows does not fit on {pages_left} A4 page(s) "
                         f"of {ROWS_PER_PAGE} rows; pass fewer rows")
    return chunks or [table]


def _cell(value: object) -> str:
    """A cell's text wrapped to :data:`CELL_WRAP` characters, keeping its own line breaks."""
    return "\n".join(wrapped for line in str(value).split("\n")
                     for wrapped in (textwrap.wrap(line, CELL_WRAP) or [""]))


def _draw_table(fig: Figure, chunk: pd.DataFrame, title: str, top: float) -> None:
    fig.text(MARGIN_X, top, title, fontsize=12, fontweight="bold", va="top")
    cells = [[_cell(v) for v in row]
             for row in chunk.astype(object).where(chunk.notna(), "\u2013").to_numpy()]
    header = [_cell(c) for c in chunk.columns]
    lines = [max(1, *(c.count("\n") + 1 for c in row)) for row in [header, *cells]]
    line_height = 0.0125
    height = min(top - 0.03 - MARGIN_Y, sum(lines) * line_height + 0.01)
    ax = fig.add_axes((MARGIN_X, top - 0.03 - height, 1 - 2 * MARGIN_X, height))
    ax.axis("off")
    # each column as wide as its longest line needs, so no text runs into the next cell
    # (bold rating cells need about a fifth more)
    longest = [(max(len(line) for text in column for line in text.split("\n")) + 2)
               * (1.2 if any(rating_fill(text) for text in column[1:]) else 1)
               for column in zip(header, *cells, strict=True)]
    drawn = ax.table(cellText=cells, colLabels=header, loc="upper center", cellLoc="left",
                     colLoc="left", bbox=(0, 0, 1, 1),
                     colWidths=[n / sum(longest) for n in longest])
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(7.5 if len(chunk.columns) > 5 else 8.5)
    total = sum(lines)
    for (row, _col), cell in drawn.get_celld().items():
        cell.set_height(lines[row] / total)
        cell.set_edgecolor("#999999")
        cell.set_linewidth(0.4)
        if row == 0:
            cell.set_text_props(fontweight="bold")
            cell.set_facecolor("#E8E8E8")
            continue
        fill = rating_fill(cell.get_text().get_text())
        if fill is not None:
            cell.set_facecolor(fill)
            cell.get_text().set_color(text_colour(fill))
            cell.get_text().set_fontweight("bold")


@house_style
def profile_pdf(path: str | Path, title: str, headlines: Sequence[str], table: pd.DataFrame,
                chart: Figure | np.ndarray | None = None, note: str = "",
                table_title: str = "All the figures", chart_title: str = "The chart",
                source: str = "") -> Path:
    """Write a page's committee paper: 2-4 A4 pages of headline, chart and ratings table.

    Page 1 has the title, the `note` (say here when the data are synthetic) and the headline
    sentences; the chart follows (on page 1 when there is room, else page 2), then the table,
    continued over the remaining pages at :data:`ROWS_PER_PAGE` rows a page. Cells whose text
    starts with a rating word are filled with that rating's colour (the word stays written), so
    the colours print without the browser's "background graphics" option.

    Parameters
    ----------
    path : str or Path
        Where to write the PDF (its folder is created).
    title : str
        The area or page name, printed as the heading of page 1.
    headlines : sequence of str
        The findings in plain English, one paragraph each (Markdown ``**bold**`` marks are
        dropped).
    table : DataFrame
        The ratings table as the reader sees it (formatted strings); at most
        ``(MAX_PAGES - 1) * ROWS_PER_PAGE`` rows.
    chart : Figure or ndarray, optional
        The page's main chart (e.g. the spine chart); drawn as an image scaled to the text width.
        A figure is drawn at 200 dpi (and not closed); an image array (rows x columns x RGB(A),
        e.g. the page's PNG copy read with :func:`matplotlib.image.imread`) is used as it is.
    note : str
        A line under the title, e.g. "Synthetic demonstration data, not real records."
    table_title, chart_title : str
        Headings over the table and the chart.
    source : str
        Footer text on every page (e.g. the book's address); the page number is added.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValueError
        When there are no headlines, or the table needs more than the pages left.
    """
    if not [h for h in headlines if h.strip()]:
        raise ValueError("a committee paper needs at least one headline sentence")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    footer = source or title
    with PdfPages(out, metadata={"Title": title, "Creator": "jsnalib.report.paper",
                                 "Producer": None, "CreationDate": None}) as pdf:
        number = 1
        fig = _page()
        y = 1 - MARGIN_Y
        for line in textwrap.wrap(title, 48):
            fig.text(MARGIN_X, y, line, fontsize=18, fontweight="bold", va="top")
            y -= 0.03
        if note:
            y -= 0.005
            for line in _wrapped(note, 100):
                fig.text(MARGIN_X, y, line, fontsize=9, style="italic", color="#7A2E00", va="top")
                y -= 0.016
        y -= 0.015
        fig.text(MARGIN_X, y, "At a glance", fontsize=13, fontweight="bold", va="top")
        y -= 0.028
        for headline in (h for h in headlines if h.strip()):
            for line in _wrapped(headline):
                if y < MARGIN_Y + 0.02:
                    raise ValueError("the headline sentences run over one A4 page; shorten them")
                fig.text(MARGIN_X, y, line, fontsize=BODY_SIZE, va="top")
                y -= 0.0175
            y -= 0.008
        if chart is not None:
            image = _chart_image(chart)
            width = 1 - 2 * MARGIN_X
            height = width * (image.shape[0] / image.shape[1]) * A4[0] / A4[1]
            if y - 0.04 - height < MARGIN_Y + 0.02:  # no room: the chart gets page 2
                _save(pdf, fig, number, footer)
                number += 1
                fig = _page()
                y = 1 - MARGIN_Y
            height = min(height, y - 0.04 - MARGIN_Y - 0.02)
            fig.text(MARGIN_X, y - 0.01, chart_title, fontsize=12, fontweight="bold", va="top")
            ax = fig.add_axes((MARGIN_X, y - 0.04 - height, width, height))
            # "none": the pixels go into the PDF as they are (no resampling to the figure dpi)
            ax.imshow(image, interpolation="none")
            ax.set_axis_off()
        _save(pdf, fig, number, footer)
        chunks = _table_chunks(table, MAX_PAGES - number)
        for i, chunk in enumerate(chunks):
            number += 1
            fig = _page()
            _draw_table(fig, chunk, table_title + (" (continued)" if i else ""), 1 - MARGIN_Y)
            _save(pdf, fig, number, footer)
    return out
