"""Areas: ONS GSS codes, names, the hierarchy and statistical neighbours, loaded from data.

Nothing here is hard-coded except the file names: `areas.csv` (area_code, area_name, area_type,
parent_code) and `neighbours.csv` (area_code, neighbour_code, rank), both editable by analysts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

AREAS_FILE = "areas.csv"
NEIGHBOURS_FILE = "neighbours.csv"
COUNTRY, REGION = "country", "region"
#: Area types that run children's services (upper-tier authorities).
UPPER_TIER = ("county", "unitary", "metropolitan")


@dataclass(frozen=True)
class Geography:
    """The area lookup and neighbour sets.

    >>> geo = Geography.from_dir("data")            # doctest: +SKIP
    >>> geo.name("E06000021")                        # doctest: +SKIP
    'Stoke-on-Trent'
    """

    areas: pd.DataFrame
    neighbour_table: pd.DataFrame

    @classmethod
    def from_dir(cls, data_dir: str | Path) -> Geography:
        """Read areas.csv and neighbours.csv from a data folder."""
        folder = Path(data_dir)
        areas = pd.read_csv(folder / AREAS_FILE, dtype=str, keep_default_na=False)
        neighbours = pd.read_csv(folder / NEIGHBOURS_FILE, dtype={"area_code": str,
                                                                  "neighbour_code": str})
        return cls(areas.set_index("area_code", drop=False), neighbours)

    def is_known(self, code: object) -> bool:
        return isinstance(code, str) and code in self.areas.index

    def _check(self, code: str) -> None:
        if not self.is_known(code):
            raise ValueError(f"unknown area code {code!r}; expected a code listed in {AREAS_FILE}")

    def name(self, code: str) -> str:
        self._check(code)
        return str(self.areas.at[code, "area_name"])

    def area_type(self, code: str) -> str:
        self._check(code)
        return str(self.areas.at[code, "area_type"])

    def parent(self, code: str) -> str | None:
        self._check(code)
        parent = self.areas.at[code, "parent_code"]
        return parent or None

    def children(self, code: str) -> list[str]:
        self._check(code)
        return self.areas.index[self.areas["parent_code"] == code].tolist()

    def country(self) -> str:
        return str(self.areas.index[self.areas["area_type"] == COUNTRY][0])

    def region(self, code: str) -> str | None:
        """The region an area lies in (walking up the hierarchy), or None for the country."""
        current: str | None = code
        while current is not None:
            if self.area_type(current) == REGION:
                return current
            current = self.parent(current)
        return None

    def upper_tier(self, code: str) -> str:
        """The children's-services authority for an area (a district's county, else itself)."""
        if self.area_type(code) == "district":
            parent = self.parent(code)
            assert parent is not None
            return parent
        return code

    def neighbours(self, code: str) -> list[str]:
        """Statistical neighbours in rank order (empty when none are listed)."""
        self._check(code)
        rows = self.neighbour_table[self.neighbour_table["area_code"] == code]
        return rows.sort_values("rank")["neighbour_code"].tolist()

    def comparators(self, code: str) -> list[str]:
        """The benchmarks for an area: its region (if any) then the country."""
        region = self.region(code)
        country = self.country()
        return [c for c in (region, country) if c is not None and c != code]

    def jsna_areas(self) -> list[str]:
        """The areas this book profiles: the upper-tier authorities that have neighbours listed,
        then the districts within them, in the order of areas.csv."""
        leads = [c for c in self.areas.index if c in set(self.neighbour_table["area_code"])]
        districts = [c for lead in leads for c in self.children(lead)
                     if self.area_type(c) == "district"]
        return leads + districts
