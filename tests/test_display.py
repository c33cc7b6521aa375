"""Page elements: figures carry alt text and their data; tables offer CSV; the data notice is honest."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from jsnalib.inputs.contracts import PUBLISHERS
from jsnalib.report import display, plots


def _csv_from(html: str) -> str:
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', html).group(1)
    return base64.b64decode(payload).decode("utf-8")


def test_figure_has_alt_text_caption_and_its_data_as_csv():
    data = pd.DataFrame({"year": [2019, 2020], "value": [7.5, 6.9]})
    fig, ax = plt.subplots()
    ax.plot(data.year, data.value)
    out = display.figure(fig, "Rate fell from 7.5 to 6.9", "Infant mortality", data, "imr").data
    assert 'alt="Rate fell from 7.5 to 6.9"' in out
    assert "<figcaption>Infant mortality" in out
    assert 'download="imr.csv"' in out
    assert _csv_from(out) == "year,value\n2019,7.5\n2020,6.9\n"
    assert re.search(r'src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]{100,}"', out)


def test_figure_without_alt_text_is_refused():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt text"):
        display.figure(fig, "  ", "caption", pd.DataFrame(), "x")
    plt.close(fig)


def test_table_formats_values_shows_missing_as_dash_and_downloads_unformatted_data():
    data = pd.DataFrame({"area": ["A", "B"], "rate": [7.456, None]})
    out = display.table(data, "Rates", "rates", formats={"rate": "{:.1f}"}).data
    assert "7.5" in out and "\u2013" in out
    assert _csv_from(out) == "area,rate\nA,7.456\nB,\n"


def test_data_notice_says_synthetic_only_when_files_match_the_manifest(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    digest = hashlib.sha256(b"x\n1\n").hexdigest()
    (tmp_path / display.SYNTHETIC_MANIFEST).write_text(json.dumps({"a.csv": digest}))
    assert "Synthetic demonstration data" in display.data_notice(tmp_path, ["a.csv"]).data
    (tmp_path / "a.csv").write_text("x\n2\n")  # an analyst's real extract
    notice = display.data_notice(tmp_path, ["a.csv"]).data
    assert "Synthetic" not in notice and 'href="#jsna-sources"' in notice
    assert "<code>a.csv</code>" in display.sources(tmp_path, ["a.csv"]).data


def test_data_line_names_what_is_synthetic_and_points_to_the_sources(tmp_path):
    for name, body in (("ncmp.csv.gz", b"a"), ("births_deaths.csv", b"b")):
        (tmp_path / name).write_bytes(body)
    (tmp_path / display.SYNTHETIC_MANIFEST).write_text(
        json.dumps({"ncmp.csv.gz": hashlib.sha256(b"a").hexdigest()}))
    line = display.data_notice(tmp_path, ["ncmp.csv.gz", "births_deaths.csv"]).data
    assert "jsna-synthetic" in line and "Partly synthetic" in line
    assert "children's heights and weights" in html.unescape(line)
    assert "live births" not in line  # only the synthetic figures are named on the line
    assert f'href="#{display.SOURCES_ID}"' in line and line.count("<p>") == 1


def test_sources_link_each_publisher_and_state_the_release_not_the_build_date(tmp_path):
    for name in ("births_deaths.csv", "cin_census.csv", "ncmp.csv.gz"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / display.SYNTHETIC_MANIFEST).write_text(
        json.dumps({"ncmp.csv.gz": hashlib.sha256(b"x\n").hexdigest()}))
    (tmp_path / ".provenance.csv").write_text(
        "file,contract,source_file,publisher,title,release,licence,basis,model,sha256\n"
        "cin_census.csv,cin_census,c1.csv,Department for Education,Characteristics of children "
        "in need: referrals and re-referrals,2012-13 to 2024-25,OGL,,,x\n")
    out = display.sources(tmp_path, ["births_deaths.csv", "cin_census.csv", "ncmp.csv.gz"]).data
    assert f'id="{display.SOURCES_ID}"' in out
    items = re.findall(r"<li>(.*?)</li>", out)
    assert len(items) == 3
    assert ('<a href="https://explore-education-statistics.service.gov.uk/find-statistics/'
            'characteristics-of-children-in-need">Characteristics of children in need: '
            "referrals and re-referrals</a>; data release 2012-13 to 2024-25") in items[1]
    assert 'href="https://www.nomisweb.co.uk/"' in items[0] and "release not recorded" in items[0]
    assert "synthetic demonstration records" in items[2] and "not real children" in items[2]
    assert "Open Government Licence v3.0" in out
    # one table of publishers' pages, every one a plain https address
    for found in PUBLISHERS.values():
        assert found.url == "" or re.fullmatch(r"https://[A-Za-z0-9./_-]+", found.url), found


def test_about_the_method_is_a_collapsed_keyboard_section_that_escapes_markup():
    out = display.about_method("- **Trend.** odds ratio 1.014; <script>x</script>").data
    assert out.startswith('<details class="jsna-method"><summary>About the method</summary>')
    assert " open" not in out.split(">")[0]  # collapsed until the reader opens it
    assert "<li><strong>Trend.</strong> odds ratio 1.014; &lt;script&gt;" in out
    assert "<script>" not in out


def test_trend_chart_describes_each_series_and_published_points():
    data = pd.DataFrame({
        "period": ["2016-18", "2017-19"] * 2, "area": ["Stoke", "Stoke", "England", "England"],
        "rate": [7.0, 7.5, 3.9, 3.9], "lo": [5.8, 6.2, 3.8, 3.8], "hi": [8.4, 9.0, 4.0, 4.0]})
    published = pd.DataFrame({"x": ["2017-19"], "value": [7.5], "label": ["Room to Grow"]})
    fig, alt = plots.trend_chart(data, "period", "rate", "lo", "hi", "area", "Infant mortality",
                                 "Deaths per 1,000 live births", published=published)
    ax = fig.axes[0]
    assert ax.get_title() == "Infant mortality" and "per 1,000" in ax.get_ylabel()
    assert "Stoke went from 7.0 in 2016-18 to 7.5 in 2017-19, with 95% confidence bands" in alt
    assert len(alt) <= display.MAX_ALT
    plt.close(fig)


def test_funnel_and_gradient_and_spine_charts_have_titles_axes_and_alt_text():
    limits = pd.DataFrame({"population": [100, 1000], "lower_95": [10, 16], "upper_95": [30, 24],
                           "lower_998": [5, 14], "upper_998": [35, 26], "baseline": [20, 20]})
    points = pd.DataFrame({"label": ["A", "B"], "denominator": [500, 900], "value": [18.8, 22]})
    fig, alt = plots.funnel_chart(points, limits, "Re-referrals", "Referrals", "%",
                                  highlight=["A"])
    assert fig.axes[0].get_xlabel() == "Referrals" and "A 18.8 from 500" in alt
    plt.close(fig)
    data = pd.DataFrame({"q": [1, 2], "v": [6.0, 3.0], "lo": [5.0, 2.0], "hi": [7.0, 4.0]})
    fig, alt = plots.gradient_chart(data, "q", "v", "lo", "hi", "By deprivation", "Quintile", "Rate")
    assert "6.0 in group 1 and 3.0 in group 2" in alt
    plt.close(fig)
    spine = pd.DataFrame({"indicator": ["IMR"], "value": [7.5], "england": [3.9], "worst": [8.0],
                          "best": [2.0], "rating": ["worse"]})
    fig, alt = plots.spine_chart(spine, "Profile")
    assert alt.startswith("Spine chart of Profile: against England, of 1 indicators 1 is worse")
    plt.close(fig)


def test_table_shows_missing_nullable_integers_as_a_dash():
    data = pd.DataFrame({"count": pd.array([12, None], dtype="Int64")})
    out = display.table(data, "Counts", "counts").data
    assert "&lt;NA&gt;" not in out and "<NA>" not in out and "\u2013" in out


def test_book_pages_list_each_script_once():
    from sphinx.builders.html._assets import _JavaScript

    from jsnalib.build.sphinx_ext import unique_scripts

    inline = _JavaScript(None, body='const THEBE_JS_URL = "x"')
    scripts = [_JavaScript("a.js"), inline, _JavaScript("a.js"),
               _JavaScript("", body='const THEBE_JS_URL = "x"'), _JavaScript("a.js", defer="defer")]
    kept = unique_scripts(scripts)
    assert [id(s) for s in kept] == [id(scripts[0]), id(inline), id(scripts[4])]


@pytest.fixture(autouse=True)
def page_note():
    """Each test starts with no page note (data_notice in another test module may have set one)
    and leaves none behind."""
    display._PAGE_NOTE.update(csv="", caption="")
    yield display._PAGE_NOTE
    display._PAGE_NOTE.update(csv="", caption="")


def test_downloads_round_values_and_write_counts_as_integers():
    data = pd.DataFrame({"area": ["A", "B", "C"], "count": [118.0, 7.0, None],
                         "rate": [7.123456789012345, 1234.56789, None],
                         "p_value": [0.000123456, 0.5, 1.0]})
    out = display.download_csv(data)
    assert out.splitlines() == ["area,count,rate,p_value", "A,118,7.123,0.000123",
                                "B,7,1234.568,0.5", "C,,,1.0"]


def test_synthetic_notice_travels_with_csv_downloads_and_chart_captions(tmp_path, page_note):
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / display.SYNTHETIC_MANIFEST).write_text(
        json.dumps({"a.csv": hashlib.sha256(b"x\n1\n").hexdigest()}))
    display.data_notice(tmp_path, ["a.csv"])
    data = pd.DataFrame({"year": [2019], "value": [7.5]})
    fig, _ = plt.subplots()
    chart = display.figure(fig, "alt", "Infant mortality", data, "imr", paper=True)
    out = chart.data
    csv = pd.read_csv(io.StringIO(_csv_from(out)))  # no options: the header is the first line
    assert list(csv.columns) == ["year", "value", display.SOURCE_COLUMN]
    assert csv[display.SOURCE_COLUMN].iloc[0].startswith(
        "Synthetic demonstration data generated by jsnalib.synth")
    assert "<figcaption>Infant mortality Synthetic demonstration data, not real records." in out
    svg = base64.b64decode(re.search(r'base64,([^"]+)"', out).group(1))
    assert b"Synthetic demonstration data" in svg  # in the image's own metadata
    assert b"Synthetic demonstration data" in chart.png  # and in the paper's PNG copy
    assert any(t.get_text() == display.CHART_FOOTERS[display.SYNTHETIC_CAPTION]
               for t in fig.texts)  # drawn on the chart
    table_csv = pd.read_csv(io.StringIO(_csv_from(display.table(data, "Rates", "rates").data)))
    assert table_csv[display.SOURCE_COLUMN].str.startswith("Synthetic").all()
    (tmp_path / "a.csv").write_text("x\n2\n")  # a real extract: the note says where from
    display.data_notice(tmp_path, ["a.csv"])
    assert _csv_from(display.table(data, "Rates", "rates").data) == (
        "year,value,data_source\n2019,7.5,Computed from a.csv in data/\n")
    fig, _ = plt.subplots()
    display.figure(fig, "alt", "Infant mortality", data, "imr")
    assert not fig.texts  # real data: no synthetic footer
