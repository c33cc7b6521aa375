"""Maps for the book: areas coloured by their rating against England, the rating written on them.

Boundaries are ONS GeoJSON files (longitude/latitude, WGS84; ``data/boundaries/``), read with the
``json`` module: each feature's ``code`` and ``name`` properties, and its ``Polygon`` or
``MultiPolygon`` geometry drawn as one matplotlib ``PathPatch``. Longitude is scaled by the
cosine of the map's middle latitude (a local equirectangular projection: distances are true to
within about 1% across a county).

A choropleth colours each area by its CI-based rating (:data:`jsnalib.report.plots.RATING_COLOURS`,
Okabe-Ito) and never relies on colour alone: each area carries a number and, where it is wide
enough, the rating word; the key beside the map lists every area with its rating and value; the
alt text lists them too.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from jsnalib.inputs.geography import Geography
from jsnalib.report import display, plots

#: Fill of an area the book has no figure for (e.g. an authority outside the JSNA's comparators).
NO_DATA = "no data in this book"
NO_DATA_COLOUR = "#ffffff"
#: Share of the map's width an area must span to have its rating word written on it (otherwise
#: its number only; the key has the word).
WORD_MIN_WIDTH = 0.14
#: Characters of a line of the key under a map (at :data:`jsnalib.report.plots.SMALL` points).
KEY_CHARACTERS = 62
#: Tallest a map is drawn, inches.
MAP_HEIGHT = 5.0
#: The boundary files in ``data/boundaries/`` (ONS, ultra generalised, England).
DISTRICT_FILE = "lad_dec2023_buc_england.geojson"
AUTHORITY_FILE = "ctyua_may2023_buc_england.geojson"
REGION_FILE = "rgn_dec2023_buc_england.geojson"
#: Attribution the ONS boundaries require (Open Government Licence v3.0).
ATTRIBUTION = ("Source: Office for National Statistics licensed under the Open Government Licence "
               "v.3.0. Contains OS data (c) Crown copyright and database right 2023")


@dataclass(frozen=True)
class Area:
    """One area's boundary: ``polygons`` is a list of polygons, each a list of rings (the first
    the outline, the others holes), each ring an (n, 2) array of longitude, latitude (degrees)."""

    code: str
    name: str
    polygons: tuple[tuple[np.ndarray, ...], ...]

    def bounds(self) -> tuple[float, float, float, float]:
        """(min longitude, min latitude, max longitude, max latitude), degrees."""
        points = np.vstack([ring for polygon in self.polygons for ring in polygon])
        return (*points.min(axis=0), *points.max(axis=0))

    def label_point(self) -> tuple[float, float]:
        """The area-weighted centroid of the largest polygon's outline (longitude, latitude)."""
        outline = max((polygon[0] for polygon in self.polygons), key=lambda r: abs(_area(r)))
        x, y = outline[:, 0], outline[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        signed = cross.sum() / 2
        if signed == 0:
            return float(x.mean()), float(y.mean())
        return (float(((x[:-1] + x[1:]) * cross).sum() / (6 * signed)),
                float(((y[:-1] + y[1:]) * cross).sum() / (6 * signed)))

    def contains(self, lon: float, lat: float) -> bool:
        """True when the point (degrees) lies inside the area (in an outline, not in a hole)."""
        return any(MplPath(polygon[0]).contains_point((lon, lat))
                   and not any(MplPath(hole).contains_point((lon, lat)) for hole in polygon[1:])
                   for polygon in self.polygons)


def _area(ring: np.ndarray) -> float:
    """Signed area of a closed ring (shoelace; positive when anticlockwise), square degrees."""
    x, y = ring[:, 0], ring[:, 1]
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum() / 2)


def _ring(coordinates: Sequence[Sequence[float]]) -> np.ndarray:
    ring = np.asarray(coordinates, dtype=float)[:, :2]
    if ring.ndim != 2 or len(ring) < 3:
        raise ValueError("a polygon ring needs at least 3 points")
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    return ring


def _polygons(geometry: Mapping) -> tuple[tuple[np.ndarray, ...], ...]:
    kind = geometry.get("type")
    if kind == "Polygon":
        parts = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise ValueError(f"expected a Polygon or MultiPolygon geometry, got {kind!r}")
    return tuple(tuple(_ring(ring) for ring in polygon) for polygon in parts if polygon)


def load_boundaries(path: str | Path, codes: Iterable[str] | None = None) -> dict[str, Area]:
    """Read a GeoJSON FeatureCollection of areas (ONS layout: ``code`` and ``name`` properties).

    Args:
        path: the ``.geojson`` file.
        codes: keep only these area codes (all when None).

    Returns:
        Areas by code, in the file's order.

    Raises:
        ValueError: when the file is not a FeatureCollection, a feature has no ``code``, or a
            geometry is neither Polygon nor MultiPolygon.
    """
    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: expected a GeoJSON FeatureCollection")
    wanted = None if codes is None else set(codes)
    areas = {}
    for number, feature in enumerate(collection.get("features", []), start=1):
        properties = feature.get("properties") or {}
        code = properties.get("code")
        if not code:
            raise ValueError(f"{path}: feature {number} has no 'code' property")
        if wanted is not None and code not in wanted:
            continue
        areas[code] = Area(code, str(properties.get("name", code)),
                           _polygons(feature.get("geometry") or {}))
    return areas


def areas_within(areas: Mapping[str, Area], outline: Area) -> list[str]:
    """Codes of the areas whose label point lies inside `outline` (e.g. the authorities of a
    region), in the order of `areas`."""
    return [code for code, area in areas.items() if outline.contains(*area.label_point())]


def _path(area: Area, scale: float) -> MplPath:
    """One compound path of all the area's rings: outlines anticlockwise, holes clockwise, so
    that matplotlib's non-zero fill leaves the holes empty."""
    vertices, path_codes = [], []
    for polygon in area.polygons:
        for i, ring in enumerate(polygon):
            anticlockwise = _area(ring) > 0
            if anticlockwise != (i == 0):
                ring = ring[::-1]
            vertices.append(ring * [scale, 1.0])
            path_codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(np.vstack(vertices), path_codes)


@plots.house_style
def choropleth(
    areas: Mapping[str, Area],
    ratings: Mapping[str, str],
    title: str,
    values: Mapping[str, str] | None = None,
    outline: Area | None = None,
) -> tuple[Figure, str]:
    """A map of the areas coloured by rating, each numbered, with the rating word written on it
    where it fits and a key listing every area.

    Args:
        areas: the areas to draw (:func:`load_boundaries`), in the order the key numbers them.
        ratings: rating of each area code ("better", "similar", "worse", "not compared",
            "higher", "lower"); an area without one is drawn white as :data:`NO_DATA`.
        title: the chart title.
        values: optional text of each area's value for the key and alt text (e.g. "7.5 per 1,000").
        outline: optional boundary drawn as a heavy line around the map (e.g. the region).

    Returns:
        ``(figure, alt_text)``; the alt text names every area and its rating.
    """
    if not areas:
        raise ValueError("a map needs at least one area")
    unknown = sorted(set(ratings.values()) - set(plots.RATING_COLOURS))
    if unknown:
        raise ValueError(f"no colour for rating(s) {', '.join(unknown)}; expected one of "
                         f"{', '.join(plots.RATING_COLOURS)}")
    values = values or {}
    bounds = np.array([area.bounds() for area in areas.values()])
    west, south = bounds[:, :2].min(axis=0)
    east, north = bounds[:, 2:].max(axis=0)
    scale = float(np.cos(np.radians((south + north) / 2)))
    width = max((east - west) * scale, 1e-9)
    key_lines = []
    for number, (code, area) in enumerate(areas.items(), start=1):
        value = f" ({values[code]})" if values.get(code) else ""
        key_lines.append(textwrap.fill(f"{number}. {area.name}: {ratings.get(code, NO_DATA)}{value}",
                                       KEY_CHARACTERS, subsequent_indent="    "))
    key = "\n".join(key_lines)
    heading = plots.wrap_title(title)
    attribution = textwrap.fill(ATTRIBUTION, KEY_CHARACTERS + 8)
    # phone first: title, key of colours, the map across the width, then the numbered key
    line = plots.SMALL * 1.35 / 72  # inches per line of text
    map_width = plots.FIGURE_WIDTH - 0.2
    map_height = min(MAP_HEIGHT, map_width * (north - south) / width)
    parts = [(heading.count("\n") + 1) * plots.TITLE * 1.3 / 72 + 0.1, 2.4 * line + 0.1,
             map_height + 0.1, (key.count("\n") + 1) * line + 0.1,
             (attribution.count("\n") + 1) * line]
    height = sum(parts)
    fig = Figure(figsize=(plots.FIGURE_WIDTH, height))
    top = 1 - (parts[0] + parts[1]) / height
    ax = fig.add_axes((0.1 / plots.FIGURE_WIDTH, top - map_height / height,
                       map_width / plots.FIGURE_WIDTH, map_height / height))
    for number, (code, area) in enumerate(areas.items(), start=1):
        rating = ratings.get(code, NO_DATA)
        fill = plots.RATING_COLOURS.get(rating, NO_DATA_COLOUR)
        ax.add_patch(PathPatch(_path(area, scale), facecolor=fill, edgecolor="#333333", lw=0.8))
        lon, lat = area.label_point()
        a_west, _, a_east, _ = area.bounds()
        wide = (a_east - a_west) * scale / width >= WORD_MIN_WIDTH
        label = f"{number}\n{rating}" if wide and rating != NO_DATA else str(number)
        ax.text(lon * scale, lat, label, ha="center", va="center", fontsize=plots.SMALL,
                fontweight="bold", color=plots.text_colour(fill), linespacing=1.0)
    if outline is not None:
        ax.add_patch(PathPatch(_path(outline, scale), facecolor="none", edgecolor="black", lw=1.8))
    margin = 0.02 * width
    ax.set_xlim(west * scale - margin, east * scale + margin)
    ax.set_ylim(south - margin, north + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.text(0.0, 1.0, heading, fontsize=plots.TITLE, fontweight="bold", ha="left", va="top")
    shown = [r for r in plots.RATING_COLOURS if r in set(ratings.values())]
    if len(ratings) < len(areas):
        shown.append(NO_DATA)
    handles = [Patch(facecolor=plots.RATING_COLOURS.get(r, NO_DATA_COLOUR), edgecolor="#333333",
                     label=r) for r in shown]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 1 - parts[0] / height),
               fontsize=plots.SMALL, ncols=min(len(handles), 3), title="Compared with England:",
               title_fontsize=plots.SMALL, frameon=False, alignment="left", borderaxespad=0,
               handletextpad=0.4, columnspacing=1.0)
    fig.text(0.0, (parts[3] + parts[4]) / height, key, va="top", ha="left",
             fontsize=plots.SMALL, linespacing=1.3)
    fig.text(0.0, 0.0, attribution, ha="left", va="bottom", fontsize=plots.SMALL,
             color="#444444", linespacing=1.3)
    counts = pd.Series([ratings.get(code, NO_DATA) for code in areas]).value_counts()
    reading = f"of {len(areas)} areas compared with England, " + ", ".join(
        f"{n} with {rating}" if rating == NO_DATA else f"{n} {rating}"
        for rating, n in counts.items())
    alt = plots.alt_text("Map", title, reading, "the key under the map and the data download")
    return fig, alt


def jsna_boundaries(folder: str | Path, geography: Geography
                    ) -> tuple[dict[str, Area], dict[str, Area], Area | None]:
    """The boundaries the outcomes summary maps.

    Returns:
        The JSNA's lowest-tier areas (districts and unitary authorities, from
        :data:`DISTRICT_FILE`); the upper-tier authorities of the home authorities' region
        (:data:`AUTHORITY_FILE`, those whose label point lies in the region); the region's
        outline (:data:`REGION_FILE`; None when the home authorities have no region).
    """
    folder = Path(folder)
    local = load_boundaries(folder / DISTRICT_FILE, geography.jsna_areas())
    regions = [r for r in dict.fromkeys(geography.region(c) for c in geography.home_authorities())
               if r]
    if not regions:
        return local, {}, None
    outline = load_boundaries(folder / REGION_FILE, regions[:1]).get(regions[0])
    if outline is None:
        return local, {}, None
    authorities = load_boundaries(folder / AUTHORITY_FILE)
    return local, {c: authorities[c] for c in areas_within(authorities, outline)}, outline


@plots.house_style
def indicator_map(compared: pd.DataFrame, indicator: str, areas: Mapping[str, Area], name: str,
                  title: str, outline: Area | None = None, paper: bool = False) -> HTML:
    """One indicator's map as a page figure (alt text, caption, CSV of the areas and ratings).

    Args:
        compared: rows of :func:`jsnalib.chapters.profiles.compare_areas` (columns area_code,
            area_name, indicator, name, period, value, unit, vs_england, value_from).
        indicator: the indicator key.
        areas: the boundaries to draw; an area with no row in `compared` is :data:`NO_DATA`.
        name: the figure's id and CSV file name.
        title: where the map is of (e.g. "Staffordshire's districts and Stoke-on-Trent").
        outline: a boundary drawn around the areas (the region's).
        paper: whether the page's committee paper draws this map (:func:`display.figure`).

    An area with no value is drawn as :data:`NO_DATA`. A value that is another area's (a
    district showing its county's figure) is not coloured as the district's own: it is "not
    compared" and the key names whose figure it is.
    """
    rows = compared[(compared["indicator"] == indicator) & compared["area_code"].isin(areas)]
    if rows.empty:
        raise ValueError(f"no rows for indicator {indicator!r} in the areas of map {name!r}")
    ratings, values, table = {}, {}, []
    several = rows.loc[rows["value"].notna(), "period"].nunique() > 1
    for _, row in rows.iterrows():
        own = row.get("value_from", row["area_code"]) in (row["area_code"], None, "") or pd.isna(
            row.get("value_from"))
        if pd.isna(row["value"]):
            continue  # drawn as NO_DATA
        rating = (row["vs_england"] or "not compared") if own else "not compared"
        value = f"{row['value']:,.1f} {row['unit']}".replace(" %", "%")
        if not own:
            value += f", {row['value_from_name']}'s figure"
        if several:  # areas on different periods or bases (districts' death cohort)
            value += f" ({row['period']})"
        ratings[row["area_code"]], values[row["area_code"]] = rating, value
        table.append({"area_code": row["area_code"], "area_name": row["area_name"],
                      "period": row["period"], "value": row["value"], "unit": row["unit"],
                      "rating_vs_england": rating})
    if not ratings:
        raise ValueError(f"no area of map {name!r} has a value for indicator {indicator!r}")
    first = rows[rows["value"].notna()].iloc[0]
    heading = f"{first['name']}, {'latest periods' if several else first['period']}: {title}"
    fig, alt = choropleth(areas, ratings, heading, values=values, outline=outline)
    caption = (f"{heading}, rated against England by confidence interval. Areas are numbered; "
               "the key gives each area's rating and value. " + ATTRIBUTION + ".")
    return display.figure(fig, alt, caption, pd.DataFrame(table), name, paper=paper)
