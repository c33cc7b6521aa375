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
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML
from markdown_it import MarkdownIt
from matplotlib.figure import Figure

from jsnalib.inputs.contracts import PUBLISHERS, SYNTHETIC_MANIFEST, Publisher
from jsnalib.inputs.readers import contract_for
from jsnalib.report.format import md_escape  # noqa: F401  (page code calls display.md_escape)

#: Decimal places kept in a CSV download (numbers below 1 keep 3 significant figures instead).
CSV_DECIMALS = 3
#: What this page's downloads and captions say about the data, set by :func:`data_notice` (each
#: page runs in its own kernel and calls it first): the CSV's first line and the caption's end.
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


def download_csv(data: pd.DataFrame) -> str:
    """The text of a CSV download: the page's data note as a first ``#`` line (when
    :func:`data_notice` has run), then the rounded data (:func:`rounded_for_download`)."""
    note = _PAGE_NOTE["csv"]
    return (f"# {note}\n" if note else "") + rounded_for_download(data).to_csv(index=False)




def _csv_link(data: pd.DataFrame, name: str) -> str:
    payload = base64.b64encode(download_csv(data).encode("utf-8")).decode("ascii")
    filename = html.escape(f"{name}.csv")
    return (f'<a class="jsna-download" download="{filename}" '
            f'href="data:text/csv;base64,{payload}">Download the data ({filename})</a>')


def figure(fig: Figure, alt: str, caption: str, data: pd.DataFrame, name: str) -> HTML:
    """A chart as an accessible HTML figure: PNG with alt text, a caption, and its data as CSV.

    Closes the matplotlib figure so it is not displayed a second time.
    """
    if not alt.strip():
        raise ValueError("every chart needs alt text describing what it shows")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None, "Description": _PAGE_NOTE["csv"] or None})
    if fig.canvas.manager is not None:  # a pyplot figure: close it so it is not shown twice
        import matplotlib.pyplot as plt

        plt.close(fig)
    image = base64.b64encode(buffer.getvalue()).decode("ascii")
    return HTML(
        f'<figure class="jsna-figure" id="fig-{html.escape(name)}">'
        f'<img src="data:image/png;base64,{image}" alt="{html.escape(alt)}" '
        f'style="max-width:100%"/>'
        f"<figcaption>{html.escape(' '.join(filter(None, [caption, _PAGE_NOTE['caption']])))} "
        f"{_csv_link(data, name)}</figcaption></figure>"
    )


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
                           compresslevel=9) as archive:
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
            caption="Synthetic demonstration data, not real records.")
        return HTML('<div class="admonition warning jsna-synthetic jsna-data-line" role="note">'
                    "<p><strong>Synthetic demonstration data.</strong> Every figure on this page "
                    "is computed from records generated to resemble the published local figures; "
                    f"they do not describe real children.{see}</p></div>")
    if synthetic:
        _PAGE_NOTE.update(
            csv=f"Computed from {', '.join(names)} in data/; {', '.join(synthetic)} are synthetic "
                "demonstration data generated by jsnalib.synth, not real records about any child",
            caption="This page combines real published statistics with synthetic demonstration "
                    "records (see the sources at the end of the page).")
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
