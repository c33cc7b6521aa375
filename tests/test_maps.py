"""Maps: GeoJSON read with json, holes left empty, areas coloured by rating and the word written."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from jsnalib.report import maps, plots

REPO = Path(__file__).resolve().parents[1]

# Two unit squares side by side ("A" with a square hole) and an L-shaped MultiPolygon far away.
_SQUARE = [[0, 50], [1, 50], [1, 51], [0, 51], [0, 50]]
_HOLE = [[0.4, 50.4], [0.4, 50.6], [0.6, 50.6], [0.6, 50.4], [0.4, 50.4]]  # clockwise on purpose


def _geojson(tmp_path: Path) -> Path:
    features = [
        {"type": "Feature", "properties": {"code": "A1", "name": "Alpha"},
         "geometry": {"type": "Polygon", "coordinates": [_SQUARE[::-1], _HOLE]}},
        {"type": "Feature", "properties": {"code": "B2", "name": "Beta"},
         "geometry": {"type": "Polygon",
                      "coordinates": [[[x + 1, y] for x, y in _SQUARE][:-1]]}},  # not closed
        {"type": "Feature", "properties": {"code": "C3", "name": "Gamma"},
         "geometry": {"type": "MultiPolygon", "coordinates": [
             [[[5, 50], [5.2, 50], [5.2, 50.2], [5, 50.2], [5, 50]]],
             [[[6, 50], [7, 50], [7, 51], [6, 51], [6, 50]]]]}},
    ]
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_load_boundaries_reads_polygons_multipolygons_and_filters_codes(tmp_path):
    areas = maps.load_boundaries(_geojson(tmp_path))
    assert list(areas) == ["A1", "B2", "C3"]
    assert areas["A1"].name == "Alpha" and len(areas["A1"].polygons[0]) == 2  # outline + hole
    assert len(areas["C3"].polygons) == 2
    assert (areas["B2"].polygons[0][0][0] == areas["B2"].polygons[0][0][-1]).all()  # closed
    assert areas["A1"].bounds() == (0, 50, 1, 51)
    # the label point of a MultiPolygon is in its largest part
    assert areas["C3"].label_point() == pytest.approx((6.5, 50.5))
    assert list(maps.load_boundaries(_geojson(tmp_path), codes=["C3"])) == ["C3"]


def test_contains_leaves_holes_out_and_areas_within_uses_label_points(tmp_path):
    areas = maps.load_boundaries(_geojson(tmp_path))
    assert areas["A1"].contains(0.2, 50.2)
    assert not areas["A1"].contains(0.5, 50.5)  # in the hole
    region = maps.Area("R", "Region", ((maps._ring([[-1, 49], [2.5, 49], [2.5, 52], [-1, 52]]),),))
    # A1's centroid is its outline's (the hole does not move it); C3 lies outside
    assert maps.areas_within(areas, region) == ["A1", "B2"]


def test_bad_geojson_is_refused_with_a_plain_message(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "X"},
         "geometry": {"type": "Point", "coordinates": [0, 0]}}]}))
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        maps.load_boundaries(path)
    path.write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(ValueError, match="FeatureCollection"):
        maps.load_boundaries(path)


def test_choropleth_colours_by_rating_writes_words_and_lists_areas_in_alt_text(tmp_path):
    areas = maps.load_boundaries(_geojson(tmp_path))
    fig, alt = maps.choropleth(areas, {"A1": "worse", "B2": "similar"}, "Infant mortality",
                               values={"A1": "7.5 per 1,000"})
    ax = fig.axes[0]
    fills = [mcolors.to_hex(p.get_facecolor()) for p in ax.patches if isinstance(p, PathPatch)]
    assert fills == [plots.RATING_COLOURS["worse"].lower(), plots.RATING_COLOURS["similar"].lower(),
                     maps.NO_DATA_COLOUR]
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == "1\nworse" and labels[1] == "2\nsimilar"
    # drawn on its own, Alpha's patch leaves its hole white and fills the rest
    alone = Figure(figsize=(2, 2), dpi=50)
    ax_alone = alone.add_axes((0, 0, 1, 1))
    ax_alone.add_patch(PathPatch(ax.patches[0].get_path(), facecolor="black", lw=0))
    ax_alone.set_xlim(0, 1)
    ax_alone.set_ylim(50, 51)
    canvas = FigureCanvasAgg(alone)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    scale = np.cos(np.radians(50.5))

    def pixel(lon, lat):
        x, y = ax_alone.transData.transform((lon * scale, lat))
        return tuple(pixels[int(pixels.shape[0] - y), int(x), :3])

    assert min(pixel(0.5, 50.5)) > 240 and max(pixel(0.2, 50.2)) < 64
    key = "\n".join(t.get_text() for t in fig.texts)
    assert "1. Alpha: worse (7.5 per 1,000)" in key and f"3. Gamma: {maps.NO_DATA}" in key
    assert "Open Government Licence" in " ".join(key.split())
    assert alt == ("Map of Infant mortality: of 3 areas compared with England, 1 worse, "
                   f"1 similar, 1 with {maps.NO_DATA}; every value is in the key under the map "
                   "and the data download.")


def test_choropleth_refuses_unknown_ratings_and_no_areas(tmp_path):
    areas = maps.load_boundaries(_geojson(tmp_path))
    with pytest.raises(ValueError, match="no colour for rating"):
        maps.choropleth(areas, {"A1": "awful"}, "t")
    with pytest.raises(ValueError, match="at least one area"):
        maps.choropleth({}, {}, "t")


def test_rating_text_on_every_fill_has_at_least_4_5_to_1_contrast():
    for rating, fill in plots.RATING_COLOURS.items():
        assert plots.contrast_ratio(fill, plots.text_colour(fill)) >= 4.5, rating
    better, similar, worse = (plots.RATING_COLOURS[r] for r in ("better", "similar", "worse"))
    hues = [mcolors.rgb_to_hsv(mcolors.to_rgb(c))[0] * 360 for c in (better, similar, worse)]
    assert min(abs(a - b) for i, a in enumerate(hues) for b in hues[i + 1:]) >= 25


def test_shipped_boundaries_are_the_ons_files_and_cover_the_jsna_areas():
    folder = REPO / "data" / "boundaries"
    districts = maps.load_boundaries(folder / "lad_dec2023_buc_england.geojson")
    codes = {"E06000021", *(f"E0700019{i}" for i in range(2, 10))}
    assert codes <= set(districts)
    shared = REPO.parent / "shared" / "public-data" / "boundaries"
    if not shared.is_dir():
        pytest.skip("the shared public-data folder is not beside this checkout")
    for path in folder.glob("*.geojson"):
        assert path.read_bytes() == (shared / path.name).read_bytes(), path.name


def test_indicator_map_rates_own_values_marks_borrowed_ones_and_leaves_missing_white(tmp_path):
    import pandas as pd

    areas = maps.load_boundaries(_geojson(tmp_path))
    compared = pd.DataFrame({
        "area_code": ["A1", "B2", "C3"], "area_name": ["Alpha", "Beta", "Gamma"],
        "indicator": "x", "name": "Re-referrals", "period": [None, "2023-24", "2023-24"],
        "value": [float("nan"), 21.0, 23.5], "unit": "%", "vs_england": ["", "better", "worse"],
        "value_from": ["A1", "B2", "Z9"], "value_from_name": ["", "", "Zed"]})
    out = maps.indicator_map(compared, "x", areas, "map-x", "Somewhere").data
    alt = out.split('alt="', 1)[1].split('"', 1)[0]
    assert alt.startswith("Map of Re-referrals, 2023-24: Somewhere: of 3 areas compared with "
                          f"England, 1 with {maps.NO_DATA}, 1 better, 1 not compared;")
    csv = base64.b64decode(re.search(r'data:text/csv;base64,([^"]+)"', out)[1]).decode()
    assert csv.splitlines()[1:] == ["B2,Beta,2023-24,21.0,%,better",
                                    "C3,Gamma,2023-24,23.5,%,not compared"]
    with pytest.raises(ValueError, match="no rows"):
        maps.indicator_map(compared, "y", areas, "map-y", "Somewhere")
