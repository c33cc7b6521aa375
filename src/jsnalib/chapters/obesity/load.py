"""Reading the childhood obesity page's inputs: the NCMP records of the area's family, the
Fingertips export (England), the published local figures and, when present, the area's obesity
prevalence as Fingertips publishes it (``ncmp_published.csv``, real).

Reading only: every file goes through :mod:`jsnalib.inputs.readers`; the records are classified
against UK90 by the one definition in :mod:`jsnalib.indicators.ncmp` so that every later step
works on the same measurements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.indicators.ncmp import _NCMP_COLUMNS, classify_records
from jsnalib.inputs.contracts import FINGERTIPS, NCMP, NCMP_PUBLISHED, PUBLISHED_FIGURES
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.periods import academic_year_label, start_year
from jsnalib.inputs.readers import (
    find_file,
    load_geography,
    read_fingertips,
    read_ncmp_published,
    read_published_figures,
    read_records,
)
from jsnalib.report import display

#: The data files the page reads (the lookups areas.csv and neighbours.csv come with the
#: geography); the data notice names these.
DATA_FILES = tuple(contract.filename for contract in (NCMP, FINGERTIPS, PUBLISHED_FIGURES,
                                                      NCMP_PUBLISHED))
#: School years measured by the NCMP, in page order, with their names.
SCHOOL_YEARS = {"R": "Reception", "6": "Year 6"}
#: Sexes in page order, with their names ("persons" = boys and girls together).
SEXES = {"persons": "All children", "male": "Boys", "female": "Girls"}


@dataclass(frozen=True)
class Inputs:
    """The classified records behind one page and what it is compared with.

    ``records`` covers every lowest-tier area of ``family`` (so sums across areas can be
    protected), classified by :func:`jsnalib.indicators.ncmp.classify_records`; ``area_code``
    is the page's area; ``members`` maps each family area to its lowest-tier areas;
    ``fingertips`` is the Fingertips export as read; ``published`` the published figures for
    this area and topic; ``data_dir`` the folder read; ``fingertips_obese`` the area's obesity
    (including severe obesity) as Fingertips publishes it (school_year, year, value in percent,
    source; empty when ``ncmp_published.csv`` is absent or has no row for the area, e.g. a
    county); ``records_synthetic`` whether the NCMP records are the synthetic default
    (:func:`jsnalib.report.display.is_synthetic`).
    """

    records: pd.DataFrame
    area_code: str
    area_name: str
    family: list[str]
    members: dict[str, list[str]]
    fingertips: pd.DataFrame
    published: pd.DataFrame
    geography: Geography
    data_dir: Path = Path(".")
    fingertips_obese: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["school_year", "year", "value", "source"]))
    records_synthetic: bool = False

    @property
    def records_missing(self) -> bool:
        """True when ``ncmp.csv.gz`` is absent or has no records of the area's authority."""
        return self.records.empty

    @property
    def years(self) -> list[int]:
        """Start years of the academic years in the records (2018 = 2018/19), ascending."""
        return sorted(self.records["year"].unique().tolist())

    @property
    def school_years(self) -> list[str]:
        """School years present in the records, in page order ("R", "6")."""
        present = set(self.records["school_year"].unique())
        return [s for s in SCHOOL_YEARS if s in present]

    @property
    def area_records(self) -> pd.DataFrame:
        """The records of the page's own area."""
        return self.records[self.records["area_code"].isin(self.members[self.area_code])]


def area_family(geography: Geography, area_code: str) -> list[str]:
    """The areas whose figures add up with ``area_code``'s: its upper-tier authority first, then
    that authority's lowest-tier areas (for a district or a county: the county and its
    districts; for a unitary authority: itself). NCMP records are held for the lowest tier.
    """
    upper = geography.upper_tier(area_code)
    below = geography.lowest_tier(_descendants(geography, upper))
    return [upper, *below] if below else [upper]


def _descendants(geography: Geography, code: str) -> list[str]:
    out, queue = [], geography.children(code)
    while queue:
        child = queue.pop(0)
        out.append(child)
        queue.extend(geography.children(child))
    return out


def select_records(records: pd.DataFrame, area_codes: Sequence[str],
                   school_years: Sequence[str] = ("R", "6"),
                   years: Sequence[str] = ()) -> pd.DataFrame:
    """The NCMP records of the given lowest-tier areas, school years and academic years.

    ``years`` is the first and last academic year, inclusive, such as ``["2010/11",
    "2023/24"]``; empty means every year in the data. Raises ValueError for an unknown school
    year, a bad range, or when no record is left.
    """
    unknown = sorted(set(school_years) - set(SCHOOL_YEARS))
    if unknown or not school_years:
        raise ValueError(f"school_years must be a non-empty list of 'R' and/or '6', got "
                         f"{list(school_years)}")
    if len(years) not in (0, 2):
        raise ValueError(f"years must be [] (every year) or [first, last] academic years such as "
                         f"['2010/11', '2023/24'], got {list(years)}")
    first, last = start_year(list(years)) if years else (-np.inf, np.inf)
    if first > last:
        raise ValueError(f"years must run forwards: {years[0]} is after {years[1]}")
    missing = [c for c in _NCMP_COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"records have no column(s) {missing}: expected the NCMP contract")
    keep = (records["area_code"].isin(list(area_codes))
            & records["school_year"].astype(str).isin(list(school_years)))
    if years:
        labels = records["academic_year"].astype(str)
        keep &= labels.isin([academic_year_label(y) for y in range(first, last + 1)])
    chosen = records.loc[keep].reset_index(drop=True)
    if chosen.empty:
        raise ValueError(f"no NCMP records for areas {list(area_codes)}, school years "
                         f"{list(school_years)} and years {list(years) or 'all'}")
    return chosen


def load(data_dir: str | Path, area_code: str, school_years: Sequence[str] = ("R", "6"),
         years: Sequence[str] = ()) -> Inputs:
    """Read the NCMP records (once), the Fingertips export and the published figures.

    ``area_code`` is a JSNA area: a district, a county (= its districts' children) or a unitary
    authority. Raises ``jsnalib.inputs.readers.DataError`` for a malformed file and ValueError
    for an unknown area, or for no records in the years and school years asked for. When the
    optional extract is absent or has no records of the area's authority at all, ``records``
    is empty (``Inputs.records_missing``).
    """
    folder = Path(data_dir)
    geography = load_geography(folder)
    if not geography.is_known(area_code):
        raise ValueError(f"unknown area code {area_code!r}; expected a code in areas.csv")
    family = area_family(geography, area_code)
    members = {code: geography.lowest_tier(_descendants(geography, code)) or [code]
               for code in family}
    raw = read_records(folder, NCMP, geography)
    own = raw[raw["area_code"].isin(members[family[0]])]
    # no records for the area (the optional extract absent, or holding other areas): the page
    # says what is missing in place of every figure
    records = (classify_records(select_records(raw, members[family[0]], school_years, years))
               if len(own) else classify_records(raw.iloc[:0]))
    published = read_published_figures(find_file(folder, PUBLISHED_FIGURES.filename), geography)
    return Inputs(
        records=records, area_code=area_code, area_name=geography.name(area_code),
        family=family, members=members,
        fingertips=read_fingertips(find_file(folder, FINGERTIPS.filename)),
        published=published[(published["topic"] == "obesity")
                            & (published["area_code"] == area_code)].reset_index(drop=True),
        geography=geography, data_dir=folder,
        fingertips_obese=fingertips_obese(folder, area_code),
        records_synthetic=display.is_synthetic(folder, [NCMP.filename]),
    )


def fingertips_obese(folder: Path, area_code: str) -> pd.DataFrame:
    """The area's obesity (including severe obesity) as Fingertips publishes it, from
    ``ncmp_published.csv`` if the folder has it: school_year, year (start year), value (%),
    source."""
    paths = [folder / name for name in (NCMP_PUBLISHED.filename, NCMP_PUBLISHED.filename + ".gz")
             if (folder / name).is_file()]
    columns = ["school_year", "year", "value", "source"]
    if not paths:
        return pd.DataFrame(columns=columns)
    table = read_ncmp_published(paths[0])
    rows = table[(table["area_code"] == area_code) & (table["measure"] == "obese_incl_severe")]
    return pd.DataFrame({"school_year": rows["school_year"].astype(str).to_numpy(),
                         "year": start_year(rows["academic_year"].tolist()),
                         "value": rows["value"].to_numpy(dtype=float),
                         "source": rows["source"].to_numpy()}, columns=columns)
