"""Read the profiles' inputs once: every indicator's data and, for the outcomes summary, the maps.

Reading only: the indicator data go through :meth:`jsnalib.indicators.IndicatorData.load` (the
readers of :mod:`jsnalib.inputs.readers`, which name file, row and column of any problem), with
the indicators of any other Fingertips export in the folder
(:func:`jsnalib.indicators.load_with_exports`); the boundaries through
:func:`jsnalib.report.maps.jsna_boundaries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jsnalib.indicators import IndicatorData, load_with_exports
from jsnalib.inputs.geography import Geography
from jsnalib.report import maps as report_maps

__all__ = ["Inputs", "load"]


@dataclass(frozen=True)
class Inputs:
    """The validated inputs of an area profile or the outcomes summary.

    Attributes
    ----------
    data : IndicatorData
        Every indicator's counts per area and period, with the geography.
    local_boundaries : Mapping[str, jsnalib.report.maps.Area]
        The JSNA's lowest-tier areas (districts and unitary authorities); empty unless the maps
        were asked for.
    council_boundaries : Mapping[str, jsnalib.report.maps.Area]
        The upper-tier authorities of the home authorities' region; empty unless the maps were
        asked for (or when the home authorities have no region).
    region_boundary : jsnalib.report.maps.Area or None
        The region's outline, or None.
    """

    data: IndicatorData
    local_boundaries: Mapping[str, report_maps.Area] = field(default_factory=dict)
    council_boundaries: Mapping[str, report_maps.Area] = field(default_factory=dict)
    region_boundary: report_maps.Area | None = None

    @property
    def geography(self) -> Geography:
        """The areas, their hierarchy and neighbours (from areas.csv and neighbours.csv)."""
        return self.data.geography


def load(data_dir: str | Path, maps: bool = False) -> Inputs:
    """Read every input the profiles need from ``data_dir``.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (``data/``).
    maps : bool
        Also read the boundary files in ``data_dir/boundaries`` (the outcomes summary's maps).

    Returns
    -------
    Inputs

    Raises
    ------
    jsnalib.inputs.readers.DataError
        Naming file, row and column when an input is malformed.
    """
    data = load_with_exports(data_dir)
    if not maps:
        return Inputs(data)
    local, councils, region = report_maps.jsna_boundaries(Path(data_dir) / "boundaries",
                                                          data.geography)
    return Inputs(data, local, councils, region)
