"""Area profiles and the outcomes summary: every indicator, rated against England and the region.

Each area's latest value of each indicator (:mod:`jsnalib.indicators`, the one definition of
every figure) set beside England's and the region's for the same period, rated by confidence
interval (:func:`jsnalib.methods.stats.compare`), with Fingertips' recent trend
(:func:`jsnalib.methods.stats.recent_trend_test`) and the worst-to-best range of the areas
compared. One package serves two pages: ``notebooks/area_profile.ipynb`` (one area) and
``notebooks/outcomes_summary.ipynb`` (every area, with maps).

References: OHID Fingertips technical guidance (benchmarking, recent trends, spine charts);
APHO (2008) Technical Briefing 3 (confidence intervals).
"""

from jsnalib.inputs.contracts import (
    BIRTHS_DEATHS,
    BIRTHS_DEATHS_COHORT,
    CIN_CENSUS,
    FINGERTIPS,
    NCMP,
    POPULATION,
    REFERRALS,
)

from . import figures, text
from .analyse import Results, analyse
from .load import Inputs, load

#: The data files the pages read (the area lookups areas.csv and neighbours.csv besides).
FILES = tuple(c.filename for c in (BIRTHS_DEATHS, BIRTHS_DEATHS_COHORT, NCMP, FINGERTIPS,
                                   REFERRALS, CIN_CENSUS, POPULATION))

__all__ = ["FILES", "Inputs", "Results", "analyse", "figures", "load", "text"]
