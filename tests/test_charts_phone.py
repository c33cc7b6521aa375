"""Charts read on a phone and downloads carry what an analyst needs.

A chart is an SVG that shrinks with the content column: on a 390 px wide phone it is
:data:`jsnalib.report.plots.PHONE_WIDTH_PX` wide, so every piece of text is drawn at a size that
is at least :data:`jsnalib.report.plots.MIN_TEXT_PX` CSS pixels there. Alt texts are one sentence
of at most 250 characters; suppressed counts carry their reason; the theme's Font Awesome
script is left out.
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from jsnalib.build import sphinx_ext
from jsnalib.methods.spc import p_chart
from jsnalib.report import charts, display, maps, plots


def phone_text_px(fig) -> dict[str, float]:
    """The smallest text of each kind on the figure, in CSS px when the saved (tight) image is
    shown :data:`plots.PHONE_WIDTH_PX` wide."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    width_in = fig.get_tightbbox(renderer).padded(0.1).width
    scale = plots.PHONE_WIDTH_PX / (width_in * 72)  # CSS px per point
    ticks = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()
             if t.get_visible() and t.get_text() and ax.axison]
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return {"ticks": min((t.get_fontsize() for t in ticks), default=np.inf) * scale,
            "all": min(t.get_fontsize() for t in texts) * scale, "width_in": width_in}


def _trend():
    data = pd.DataFrame({"year": [f"20{y}/{y + 1}" for y in range(10, 24)] * 2,
                         "area": ["Stoke-on-Trent: excess weight"] * 14 + ["England: obese"] * 14,
                         "v": np.linspace(20, 25, 28), "lo": np.linspace(18, 23, 28),
                         "hi": np.linspace(22, 27, 28)})
    published = pd.DataFrame({"x": ["2015/16"], "value": [22.0], "label": ["published 22.0%"]})
    return plots.trend_chart(data, "year", "v", "lo", "hi", "area",
                             "Reception: excess weight and obesity\nStoke-on-Trent and England",
                             "Children (%)", published=published)


def _funnel():
    limits = pd.DataFrame({"population": [100, 1000, 10000], "lower_95": [10, 16, 19],
                           "upper_95": [30, 24, 21], "lower_998": [5, 14, 18],
                           "upper_998": [35, 26, 22], "baseline": [20, 20, 20]})
    points = pd.DataFrame({"label": ["Staffordshire", "B"], "denominator": [5000, 900],
                           "value": [18.8, 22.0]})
    return plots.funnel_chart(points, limits, "Re-referrals in 2024-25: Staffordshire and its "
                              "statistical neighbours", "Referrals", "Re-referrals (%)",
                              highlight=["Staffordshire"])


def _spine():
    data = pd.DataFrame({
        "indicator": ["Infant mortality, 2020-22\n7.3 per 1,000 live births: worse than England",
                      "Year 6: obese, 2023/24\n26.5%: worse than England"],
        "value": [7.3, 26.5], "england": [3.9, 22.1], "worst": [7.3, 26.5], "best": [3.0, 18.2],
        "rating": ["worse", "worse"]})
    return plots.spine_chart(data, "Stoke-on-Trent compared with England")


def _spc():
    rng = np.random.default_rng(1)
    denominator = np.full(48, 400)
    numerator = rng.binomial(400, 0.2, 48)
    chart = p_chart(numerator, denominator, baseline=np.arange(48) < 24)
    labels = [f"{2016 + i // 12}-{i % 12 + 1:02d}" for i in range(48)]
    return charts.p_chart_plot(chart, labels, "Re-referrals each month: Staffordshire",
                               "Re-referrals (% of referrals)")


def _map():
    square = maps.Area("E1", "North", ((np.array([[0, 52], [1, 52], [1, 53], [0, 53], [0, 52]],
                                                 float),),))
    other = maps.Area("E2", "South", ((np.array([[0, 51], [1, 51], [1, 52], [0, 52], [0, 51]],
                                                float),),))
    return maps.choropleth({"E1": square, "E2": other}, {"E1": "worse", "E2": "similar"},
                           "Infant mortality rate, 2020-22: two areas",
                           values={"E1": "7.3 per 1,000", "E2": "4.1 per 1,000"})


CHARTS = {"trend": _trend, "funnel": _funnel, "spine": _spine, "spc": _spc, "map": _map}


@pytest.mark.parametrize("name", CHARTS)
def test_every_text_on_a_chart_is_at_least_9_px_on_a_phone(name):
    fig, alt = CHARTS[name]()
    sizes = phone_text_px(fig)
    assert sizes["ticks"] >= plots.MIN_TEXT_PX and sizes["all"] >= plots.MIN_TEXT_PX, sizes
    # nothing sticks out sideways (a legend beside the chart would shrink everything else)
    assert sizes["width_in"] <= plots.FIGURE_WIDTH + 0.3, sizes
    assert len(alt) <= display.MAX_ALT and alt.count(". ") == 0, alt
    plt.close(fig)


def test_the_before_layout_would_have_failed():
    """The measure bites: a chart drawn 8 inches wide with 10 pt labels (the old house style)
    has its labels at about 6 px on a phone."""
    fig, ax = plots.subplots(figsize=(8, 4.5))
    ax.plot([1, 2], [1, 2])
    ax.tick_params(labelsize=10)
    assert phone_text_px(fig)["ticks"] < plots.MIN_TEXT_PX
    plt.close(fig)


def test_alt_text_is_one_short_sentence_even_for_long_titles():
    alt = plots.alt_text("Line chart", "A very long title " * 20, "it rose from 1 to 2")
    assert alt == ("Line chart: it rose from 1 to 2; every value is in the data download below "
                   "the chart.")
    with pytest.raises(ValueError, match="at most 250"):
        fig, _ = plots.subplots()
        display.figure(fig, "x" * 251, "caption", pd.DataFrame({"a": [1]}), "long")


def test_a_chart_is_svg_on_the_page_with_a_png_copy_only_for_the_paper():
    fig, alt = _funnel()
    chart = display.figure(fig, alt, "Funnel", pd.DataFrame({"a": [1]}), "funnel", paper=True)
    svg = base64.b64decode(re.search(r'data:image/svg\+xml;base64,([^"]+)"', chart.data)[1])
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    width = int(re.search(r'width="(\d+)"', chart.data)[1])
    assert width <= 96 * (plots.FIGURE_WIDTH + 0.3)  # CSS px on a desktop, before shrinking
    bundle = chart._repr_mimebundle_()
    assert bundle["text/html"] == chart.data
    assert base64.b64decode(bundle["image/png"]).startswith(bytes.fromhex("89504e470d0a1a0a"))
    # the same chart twice gives the same file (content-hashed, cached once)
    fig, alt = _funnel()
    again = display.figure(fig, alt, "Funnel", pd.DataFrame({"a": [1]}), "funnel")
    assert again.data == chart.data
    # a chart the committee paper does not draw is SVG alone
    assert again.png is None and set(again._repr_mimebundle_()) == {"text/html"}


def test_suppressed_counts_carry_their_reason_and_stay_integers():
    data = pd.DataFrame({"Year": ["2022/23", "2023/24"],
                         "Number": pd.array([118, None], dtype="Int64"),
                         "Measured": pd.array([1362, 712], dtype="Int64"),
                         "%": [8.664, np.nan], "England %": [np.nan, np.nan]})
    noted = display.note_suppressed(data, ["Number", "Measured"], ["%"])
    csv = display.download_csv(noted)
    rows = csv.splitlines()
    assert rows[0] == "Year,Number,Measured,%,England %,suppression_note"
    assert rows[1] == "2022/23,118,1362,8.664,,"
    assert rows[2] == (f"2023/24,,712,,,Number: {display.SUPPRESSED}; %: derived from a "
                       "suppressed count")
    frame = pd.read_csv(io.StringIO(csv))
    assert frame["Measured"].dtype == np.int64  # no "118.0"


def test_an_existing_suppression_note_is_kept():
    data = pd.DataFrame({"n": [np.nan], "suppression_note": ["n: count of 1-4"]})
    assert display.note_suppressed(data, ["n"])["suppression_note"].iloc[0] == "n: count of 1-4"


def test_the_font_awesome_script_is_left_out():
    head = ('<head>\n  <script defer src="../_static/scripts/fontawesome.js?digest=55c2"></script>\n'
            '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js" />\n</head>')
    out = sphinx_ext.drop_fontawesome(head)
    assert "fontawesome" not in out and "bootstrap.js" in out


def test_the_synthetic_footer_is_drawn_inside_the_image(monkeypatch):
    monkeypatch.setitem(display._PAGE_NOTE, "caption", display.MIXED_CAPTION)
    fig, alt = _spine()  # its legend hangs below the axes, so the image is cropped lower down
    plots.legend_below(fig, fig.axes[0], handles=fig.axes[0].lines[:1])
    chart = display.figure(fig, alt, "Spine", pd.DataFrame({"a": [1]}), "spine", paper=True)
    pixels = plt.imread(io.BytesIO(chart.png), format="png")[..., :3]
    bottom = pixels[-int(0.06 * len(pixels)):]  # the lowest strip holds the footer's grey text
    assert (bottom.mean(axis=2) < 0.5).sum() > 50
