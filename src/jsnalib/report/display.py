"""Page elements for the book: figures with alt text, tables, CSV downloads, the data line and
the sources, and the collapsed "About the method" section.

Everything a notebook shows goes through here, so every chart has alt text and a caption, every
chart and table offers its data as a CSV download, and every page that shows data says whether
that data is the synthetic default.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from IPython.display import HTML
from markdown_it import MarkdownIt
from matplotlib.figure import Figure

from jsnalib.inputs.contracts import (
    PUBLISHERS,
    SYNTHETIC_GZIP_LEVEL,
    SYNTHETIC_MANIFEST,
    Publisher,
)
from jsnalib.inputs.readers import contract_for
from jsnalib.methods.disclosure import NOTE_COLUMN
from jsnalib.report import plots
from jsnalib.report.format import md_escape  # noqa: F401  (page code calls display.md_escape)

#: Decimal places kept in a CSV download (numbers below 1 keep 3 significant figures instead).
CSV_DECIMALS = 3
#: The column of every CSV download that says where its data come from (the page's data note:
#: synthetic demonstration data or the files in data/). A column rather than a first comment
#: line: Excel, Power Query, pandas and R then read the header row as the header without options,
#: and the note stays with each row when an analyst sorts, filters or copies rows elsewhere. It
#: is the last column, so the data columns keep their positions.
SOURCE_COLUMN = "data_source"
#: Why a count is blank in a download (small-number suppression; :func:`note_suppressed`).
SUPPRESSED = "suppressed: a count of 1 to 4 or one that would let such a count be worked out"
#: What chart captions say about the data, set by :func:`data_notice`: every file synthetic, or
#: real statistics combined with synthetic records.
SYNTHETIC_CAPTION = "Synthetic demonstration data, not real records."
MIXED_CAPTION = ("This page combines real published statistics with synthetic demonstration "
                 "records (see the sources at the end of the page).")
#: The footer drawn on a chart that uses synthetic records, by the page's caption note.
CHART_FOOTERS = {SYNTHETIC_CAPTION: "Synthetic demonstration data, not real records",
                 MIXED_CAPTION: "Includes synthetic demonstration data, not real records"}
#: What this page's downloads and captions say about the data, set by :func:`data_notice` (each
#: page runs in its own kernel and calls it first): the CSV's ``data_source`` column and the
#: caption's end.
_PAGE_NOTE = {"csv": "", "caption": ""}


def rounded_for_download(data: pd.DataFrame, decimals: int = CSV_DECIMALS) -> pd.DataFrame:
    """The frame as a CSV should carry it: float columns holding only whole numbers (counts) as
    integers; other floats rounded to `decimals` places, or to `decimals` significant figures
    when below 1 in size, so that no value carries machine-dependent noise."""
    out = data.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_float_dtype(values):
            continue
        finite = values[np.isfinite(values)]
        if len(finite) and (finite == np.round(finite)).all():
            out[column] = values.round().astype("Int64")
            continue
        small = values.abs() < 1
        out[column] = values.where(small, values.round(decimals)).where(
            ~small, [float(f"{v:.{decimals}g}") if pd.notna(v) else v for v in values])
    return out


def note_suppressed(data: pd.DataFrame, counts: Iterable[str], derived: Iterable[str] = (),
                    column: str = NOTE_COLUMN) -> pd.DataFrame:
    """The frame with a ``suppression_note`` column saying, on each row, which counts are blank
    because of small-number suppression and which values are blank because they come from one.

    Parameters
    ----------
    data : DataFrame
        A table of record-derived counts after suppression, where a blank count means
        suppressed (never "not applicable").
    counts : iterable of str
        Its count columns (kept as integers; the reason goes in the note, not in the cell).
    derived : iterable of str
        Columns computed from those counts (percentages, limits), blank with them.
    column : str
        The note's column (``suppression_note`` unless the table names it otherwise).

    Returns
    -------
    DataFrame
        A copy; an existing note (from :func:`jsnalib.methods.disclosure.suppress_table`) is
        kept where it says more.
    """
    counts = [c for c in counts if c in data.columns]
    derived = [c for c in derived if c in data.columns]
    out = data.copy()
    blank = out[counts].isna()
    notes = []
    for i, row in blank.iterrows():
        hidden = [c for c in counts if row[c]]
        if not hidden:
            notes.append(pd.NA)
            continue
        from_them = [c for c in derived if pd.isna(out.at[i, c])]
        notes.append(f"{' and '.join(hidden)}: {SUPPRESSED}"
                     + (f"; {' and '.join(from_them)}: derived from a suppressed count"
                        if from_them else ""))
    fresh = pd.Series(notes, index=out.index, dtype="string")
    if column in out.columns:
        out[column] = out[column].astype("string").fillna(fresh)
    else:
        out[column] = fresh
    return out


def download_csv(data: pd.DataFrame) -> str:
    """The text of a CSV download: the rounded data (:func:`rounded_for_download`) and, when
    :func:`data_notice` has run, the page's data note in a last :data:`SOURCE_COLUMN`."""
    out = rounded_for_download(data)
    if _PAGE_NOTE["csv"]:
        out[SOURCE_COLUMN] = _PAGE_NOTE["csv"]
    return out.to_csv(index=False)


def _csv_link(data: pd.DataFrame, name: str) -> str:
    payload = base64.b64encode(download_csv(data).encode("utf-8")).decode("ascii")
    filename = html.escape(f"{name}.csv")
    return (f'<a class="jsna-download" download="{filename}" '
            f'href="data:text/csv;base64,{payload}">Download the data ({filename})</a>')


#: Longest alt text, in characters: one sentence saying what the chart shows and its main
#: reading; the values are in the table or download beside it (:func:`plots.alt_text`).
MAX_ALT = plots.MAX_ALT
#: Resolution of the PNG copy kept in the notebook for the committee paper (dots per inch).
PAPER_DPI = 150


class Chart(HTML):
    """A chart on the page: HTML with the chart as SVG (crisp at any width), plus, for the chart
    a committee paper draws, a PNG copy (``image/png`` in the notebook) the page never loads."""

    def __init__(self, data: str, png: bytes | None = None) -> None:
        super().__init__(data)
        self.png = png

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # as a notebook stores it (base64 text), whichever engine runs the page
        bundle = {"text/html": self.data}
        if self.png is not None:
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        return bundle


def _footer(fig: Figure, text: str) -> None:
    """Write `text` in small grey type under everything else on the figure, at its left edge."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    box = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer())  # inches
    width, height = fig.get_size_inches()
    # in figure coordinates, which a tight crop shifts with everything else
    fig.text(box.x0 / width, (box.y0 - 0.05) / height, text, ha="left", va="top",
             fontsize=plots.SMALL, color="#444444")


def _svg_size(svg: bytes) -> tuple[int, int]:
    """The SVG's width and height in CSS pixels (matplotlib writes them in points)."""
    found = re.search(rb'<svg[^>]*?width="([0-9.]+)pt"[^>]*?height="([0-9.]+)pt"', svg)
    if found is None:
        raise ValueError("matplotlib wrote an SVG without a width and height in points")
    return round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)


def figure(fig: Figure, alt: str, caption: str, data: pd.DataFrame, name: str,
           synthetic: bool | None = None, paper: bool = False) -> Chart:
    """A chart as an accessible HTML figure: SVG with alt text, a caption, and its data as CSV.

    Parameters
    ----------
    fig : Figure
        The chart (closed afterwards, so a notebook does not show it a second time).
    alt : str
        One sentence (at most :data:`MAX_ALT` characters): what the chart shows and its main
        reading; the values are in its download and the table beside it.
    caption, data, name :
        The caption, the data offered as ``<name>.csv``, and the figure's id.
    synthetic : bool or None
        Whether the chart uses synthetic records, which is then written under it and in the
        image's metadata; None (the default) follows the page's data notice.
    paper : bool
        Whether a committee paper draws this chart (it draws the first chart of the page that
        has a PNG copy, :func:`jsnalib.build.sphinx_ext.page_paper`): only then is the PNG copy,
        at :data:`PAPER_DPI`, drawn. A chart the paper does not draw is SVG alone (drawing a
        PNG takes longer than the SVG, and doubled each page's notebook).
    """
    if not alt.strip():
        raise ValueError("every chart needs alt text describing what it shows")
    if len(alt) > MAX_ALT:
        raise ValueError(f"alt text of chart {name!r} is {len(alt)} characters; keep it to one "
                         f"sentence of at most {MAX_ALT} (the values belong in its table)")
    footer = CHART_FOOTERS.get(_PAGE_NOTE["caption"], "")
    if footer and synthetic is not False:
        _footer(fig, footer)
    note = _PAGE_NOTE["csv"] or None
    with matplotlib.rc_context({"svg.hashsalt": name, "svg.fonttype": "path"}):
        vector, raster = io.BytesIO(), io.BytesIO() if paper else None
        fig.savefig(vector, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": None, "Description": note})
        if raster is not None:
            fig.savefig(raster, format="png", dpi=PAPER_DPI, bbox_inches="tight",
                        metadata={"Software": None, "Description": note})
    if fig.canvas.manager is not None:  # a pyplot figure: close it so it is not shown twice
        import matplotlib.pyplot as plt

        plt.close(fig)
    svg = vector.getvalue()
    width, height = _svg_size(svg)
    image = base64.b64encode(svg).decode("ascii")
    return Chart(
        f'<figure class="jsna-figure" id="fig-{html.escape(name)}">'
        f'<img src="data:image/svg+xml;base64,{image}" alt="{html.escape(alt)}" '
        f'width="{width}" height="{height}"/>'
        f"<figcaption>{html.escape(' '.join(filter(None, [caption, _PAGE_NOTE['caption']])))} "
        f"{_csv_link(data, name)}</figcaption></figure>",
        None if raster is None else raster.getvalue())


def table(data: pd.DataFrame, caption: str, name: str, formats: dict[str, str] | None = None,
          download: pd.DataFrame | None = None) -> HTML:
    """A table with a caption and a CSV download of its data (or of `download`, when given).

    `formats` maps column names to format strings such as "{:.1f}" or "{:,.0f}"; missing values
    (including suppressed ones) show as an en dash.
    """
    shown = data.astype(object).where(data.notna(), "\u2013")
    for column, fmt in (formats or {}).items():
        shown[column] = [fmt.format(v) if pd.notna(v) and not isinstance(v, str) else v
                         for v in shown[column]]
    body = shown.to_html(index=False, na_rep="\u2013", border=0, classes="jsna-table",
                         escape=True)
    return HTML(
        f'<div class="jsna-table-wrap" id="tbl-{html.escape(name)}">'
        f"<p class=\"jsna-caption\"><strong>{html.escape(caption)}</strong> "
        f"{_csv_link(download if download is not None else data, name)}</p>{body}</div>"
    )


def _present_names(folder: Path, files: Iterable[str]) -> list[str]:
    """Each name as it is in the folder: ``x.csv`` and ``x.csv.gz`` are interchangeable."""
    names = []
    for name in files:
        plain = name[:-3] if name.endswith(".gz") else name
        names.append(next((n for n in (name, plain, plain + ".gz") if (folder / n).is_file()),
                          name))
    return names


def is_synthetic(data_dir: str | Path, files: Iterable[str]) -> bool:
    """True when every named file (or its .csv/.csv.gz twin) is byte-identical to the
    synthetic default data."""
    folder = Path(data_dir)
    manifest_path = folder / SYNTHETIC_MANIFEST
    if not manifest_path.is_file():
        return False
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    names = _present_names(folder, files)
    return bool(names) and all(_synthetic_file(folder, name, manifest) for name in names)


def _synthetic_file(folder: Path, name: str, manifest: dict[str, str]) -> bool:
    """Whether data/`name` is the synthetic default, listed in the manifest as itself or as its
    .csv/.csv.gz twin (the synthetic .gz files are written with a fixed header, mtime 0)."""
    path = folder / name
    if not path.is_file():
        return False
    data = path.read_bytes()
    if manifest.get(name) == hashlib.sha256(data).hexdigest():
        return True
    plain = name[:-3] if name.endswith(".gz") else name
    twin = plain if name.endswith(".gz") else plain + ".gz"
    if twin not in manifest:
        return False
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return False
    else:
        buffer = io.BytesIO()
        with gzip.GzipFile(filename=plain, mode="wb", fileobj=buffer, mtime=0,
                           compresslevel=SYNTHETIC_GZIP_LEVEL) as archive:
            archive.write(data)
        data = buffer.getvalue()
    return hashlib.sha256(data).hexdigest() == manifest[twin]


def _provenance(folder: Path) -> dict[str, dict[str, str]]:
    """File -> its row of ``data/.provenance.csv`` (publisher, title, release, licence) for the
    files ``jsna import`` wrote from national downloads."""
    path = folder / ".provenance.csv"
    if not path.is_file():
        return {}
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {file: g.iloc[0].to_dict() for file, g in rows.groupby("file", sort=False)}


def publisher(name: str) -> Publisher | None:
    """The publisher of a data/ file (:data:`jsnalib.inputs.contracts.PUBLISHERS`), by its file
    name or else its contract; None for a file that is not an input."""
    plain = name[:-3] if name.endswith(".gz") else name
    found = PUBLISHERS.get(plain) or PUBLISHERS.get(name)
    if found is None and (contract := contract_for(name)) is not None:
        found = PUBLISHERS.get(contract.name)
    return found


def _what(names: Iterable[str]) -> str:
    """'infant deaths by deprivation and referrals to children's social care' (file names for
    files with no publisher)."""
    said = list(dict.fromkeys(
        html.escape(found.what if (found := publisher(n)) else n) for n in names))
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


#: Where a page's data line points: the sources list near its end (:func:`sources`).
SOURCES_ID = "jsna-sources"


def data_notice(data_dir: str | Path, files: Iterable[str]) -> HTML:
    """One line near the top of every page that shows data, after its headline: whether the
    figures are the synthetic default, which ones, and where the sources are listed
    (:func:`sources`, at the end of the page).

    Also sets what the page's later CSV downloads (first line) and chart captions say about the
    data, so the synthetic notice travels with every file a reader takes away; call it before
    the page's first chart or table.
    """
    folder = Path(data_dir)
    # an optional file (a record-level extract) that is absent is not named
    names = [n for n in _present_names(folder, files) if (folder / n).is_file()]
    synthetic = [n for n in names if is_synthetic(folder, [n])]
    real = [n for n in names if n not in synthetic]
    see = f' <a href="#{SOURCES_ID}">Sources and data releases</a> are listed at the end of the page.'
    if synthetic and not real:
        _PAGE_NOTE.update(
            csv="Synthetic demonstration data generated by jsnalib.synth, not real records "
                f"about any child (computed from {', '.join(names)})",
            caption=SYNTHETIC_CAPTION)
        return HTML('<div class="admonition warning jsna-synthetic jsna-data-line" role="note">'
                    "<p><strong>Synthetic demonstration data.</strong> Every figure on this page "
                    "is computed from records generated to resemble the published local figures; "
                    f"they do not describe real children.{see}</p></div>")
    if synthetic:
        _PAGE_NOTE.update(
            csv=f"Computed from {', '.join(names)} in data/; {', '.join(synthetic)} are synthetic "
                "demonstration data generated by jsnalib.synth, not real records about any child",
            caption=MIXED_CAPTION)
        return HTML('<div class="admonition warning jsna-synthetic jsna-data-line" role="note">'
                    "<p><strong>Partly synthetic.</strong> The figures for "
                    f"{_what(synthetic)} come from synthetic demonstration records, not real "
                    f"children; the other figures are published statistics.{see}</p></div>")
    _PAGE_NOTE.update(csv=f"Computed from {', '.join(names)} in data/", caption="")
    return HTML(f'<p class="jsna-data-source jsna-data-line">{see.strip()}</p>')


def _source_item(name: str, release: dict[str, str] | None, synthetic: bool) -> str:
    found = publisher(name)
    file = f"<code>{html.escape(name)}</code>"
    if found is None:
        return f"<li>{file}: a file in <code>data/</code>.</li>"
    def linked(title: str) -> str:
        title = html.escape(title)
        return f'<a href="{html.escape(found.url)}">{title}</a>' if found.url else title

    head = f"<li><strong>{html.escape(found.what[0].upper() + found.what[1:])}</strong>: "
    if synthetic:
        return (f"{head}synthetic demonstration records generated by <code>jsnalib.synth</code> "
                f"in the shape of {html.escape(found.publisher)}, {linked(found.title)}; not "
                f"real children ({file}).</li>")
    if release:
        said = (f"{html.escape(release['publisher'])}, {linked(release['title'])}; data release "
                f"{html.escape(release['release'])}")
    else:
        said = f"{html.escape(found.publisher)}, {linked(found.title)}; data release not recorded"
    return f"{head}{said} ({file}).</li>"


def sources(data_dir: str | Path, files: Iterable[str]) -> HTML:
    """The page's sources, near its end: for each data file, what it holds, its publisher with
    a link to the publisher's page (:data:`jsnalib.inputs.contracts.PUBLISHERS`), and the data
    release it is (from ``data/.provenance.csv``), or that it is the synthetic default."""
    folder = Path(data_dir)
    names = _present_names(folder, files)
    provenance = _provenance(folder)
    synthetic = [n for n in names if is_synthetic(folder, [n])]
    items = "".join(_source_item(n, provenance.get(n), n in synthetic) for n in names)
    licence = ("<p>Published statistics: contains public sector information licensed under the "
               "Open Government Licence v3.0.</p>" if len(synthetic) < len(names) else "")
    replace = ('<p>To use a real extract, replace the synthetic files in <code>data/</code> and '
               're-run the book (see <a href="../data.html">the data page</a>).</p>'
               if synthetic else "")
    kind = "warning jsna-synthetic" if synthetic else "note jsna-data-source"
    return HTML(f'<div class="admonition {kind} jsna-sources" id="{SOURCES_ID}">'
                f'<p class="admonition-title">Sources</p><ul>{items}</ul>{licence}{replace}</div>')


def about_method(markdown: str, title: str = "About the method") -> HTML:
    """A collapsed section holding a page's statistical detail (Markdown, rendered with raw
    HTML escaped), so that the reading path stays in plain words: a native ``<details>``
    element, which opens with the keyboard (Tab, then Enter or Space) and tells screen readers
    whether it is open."""
    body = MarkdownIt("commonmark", {"html": False}).render(markdown)
    return HTML(f'<details class="jsna-method"><summary>{html.escape(title)}</summary>'
                f'<div class="jsna-method-body">{body}</div></details>')
