"""Areas, their hierarchy and statistical-neighbour sets, loaded from the lookups in data/.

Nothing about the geography is written in code except the file names: names, parents, area
types and neighbour sets all come from ``areas.csv`` (area_code, area_name, area_type,
parent_code) and ``neighbours.csv`` (area_code, neighbour_code, rank), so an analyst can edit
the lookups without touching the library (see data/README.md).

The JSNA's own ("home") authorities are the ones that have a statistical-neighbour set in
``neighbours.csv``; the JSNA areas are those authorities and every area below them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from jsnalib.inputs.contracts import AREAS_FILE

COUNTRY, REGION = "country", "region"


class Geography:
    """The area lookup: names, types, parent/child hierarchy and statistical neighbours.

    Build it with :meth:`Geography.load` (reads and validates ``areas.csv`` and
    ``neighbours.csv`` from a folder) or from frames already read with
    ``Geography(areas, neighbours)``. Area codes are ONS GSS codes (e.g. ``E10000028``).

    >>> geo = Geography.load("data")                 # doctest: +SKIP
    >>> geo.name("E06000021")                        # doctest: +SKIP
    'Stoke-on-Trent'
    """

    def __init__(self, areas: pd.DataFrame, neighbours: pd.DataFrame | None = None) -> None:
        missing = {"area_code", "area_name", "area_type", "parent_code"} - set(areas.columns)
        if missing:
            raise ValueError(f"areas is missing columns {sorted(missing)}")
        codes = areas["area_code"].astype(str)
        if codes.duplicated().any():
            raise ValueError(f"areas has duplicate area codes: {sorted(set(codes[codes.duplicated()]))}")
        self._codes: list[str] = codes.tolist()
        self._name = dict(zip(codes, areas["area_name"].astype(str), strict=True))
        self._type = dict(zip(codes, areas["area_type"].astype(str), strict=True))
        parents = [None if pd.isna(p) or p == "" else str(p) for p in areas["parent_code"]]
        self._parent: dict[str, str | None] = dict(zip(self._codes, parents, strict=True))
        self._children: dict[str, list[str]] = {c: [] for c in self._codes}
        for code, parent in self._parent.items():
            if parent is not None:
                if parent not in self._children:
                    raise ValueError(f"area {code} has parent_code {parent}, which is not an area")
                self._children[parent].append(code)
        self._neighbours: dict[str, list[str]] = {}
        if neighbours is not None:
            unknown = sorted({str(c) for c in (*neighbours["area_code"],
                                               *neighbours["neighbour_code"])} - set(self._name))
            if unknown:
                raise ValueError(f"neighbours refers to unknown area codes: {unknown}")
            ranked = neighbours.sort_values(["area_code", "rank"], kind="stable")
            for code, group in ranked.groupby("area_code", sort=False):
                self._neighbours[str(code)] = group["neighbour_code"].astype(str).tolist()


    # --- lookups -----------------------------------------------------------------------
    @property
    def codes(self) -> list[str]:
        """Every area code in the lookup, in file order."""
        return list(self._codes)

    @property
    def names(self) -> dict[str, str]:
        """Mapping of area code to area name."""
        return dict(self._name)

    def is_known(self, code: object) -> bool:
        """True if ``code`` is an area code in the lookup."""
        return isinstance(code, str) and code in self._name

    def _check(self, code: str) -> str:
        if not self.is_known(code):
            raise ValueError(f"unknown area code {code!r}; expected a code listed in {AREAS_FILE}")
        return code

    def name(self, code: str) -> str:
        """The area's name, e.g. ``name("E06000021") == "Stoke-on-Trent"``."""
        return self._name[self._check(code)]

    def area_type(self, code: str) -> str:
        """country, region, county, unitary, metropolitan or district."""
        return self._type[self._check(code)]

    def parent(self, code: str) -> str | None:
        """The code of the area one tier up (None for the country)."""
        return self._parent[self._check(code)]

    def children(self, code: str) -> list[str]:
        """Codes of the areas whose parent is ``code``, in file order."""
        return list(self._children[self._check(code)])

    def ancestors(self, code: str) -> list[str]:
        """Parent, grandparent, ... up to the country."""
        out: list[str] = []
        parent = self.parent(code)
        while parent is not None:
            if parent in out or parent == code:
                raise ValueError(f"the parent_code chain of {code} loops back on itself")
            out.append(parent)
            parent = self._parent[parent]
        return out

    def country(self) -> str:
        """The code of the (first) area of type country."""
        return next(c for c in self._codes if self._type[c] == COUNTRY)

    def region(self, code: str) -> str | None:
        """The region ``code`` lies in (itself if it is a region; None for the country)."""
        return next((a for a in (code, *self.ancestors(code)) if self._type[a] == REGION), None)

    def upper_tier(self, code: str) -> str:
        """The children's-services authority for an area (a district's county, else itself)."""
        if self.area_type(code) == "district":
            parent = self.parent(code)
            if parent is None:
                raise ValueError(f"district {code} has no parent_code in {AREAS_FILE}")
            return parent
        return code

    def neighbours(self, code: str) -> list[str]:
        """The statistical neighbours of ``code`` in rank order (empty if it has no set)."""
        return list(self._neighbours.get(self._check(code), []))

    def comparators(self, code: str) -> list[str]:
        """The benchmark areas for ``code``: its region then the country (nearest first)."""
        return [a for a in self.ancestors(code) if self._type[a] in (REGION, COUNTRY)]

    # --- the JSNA's own areas ------------------------------------------------------------
    def home_authorities(self) -> list[str]:
        """The authorities this JSNA covers: those with a statistical-neighbour set (file order)."""
        return [c for c in self._codes if self._neighbours.get(c)]

    def jsna_areas(self) -> list[str]:
        """The home authorities, then every area below them (e.g. their districts)."""
        homes = self.home_authorities()
        below: list[str] = []
        queue = [child for home in homes for child in self._children[home]]
        while queue:
            code = queue.pop(0)
            below.append(code)
            queue.extend(self._children[code])
        return homes + [c for c in below if c not in homes]

    def lowest_tier(self, codes: Iterable[str] | None = None) -> list[str]:
        """The areas among ``codes`` (default: the JSNA areas) that have no areas below them."""
        pool = self.jsna_areas() if codes is None else [self._check(c) for c in codes]
        return [c for c in pool if not self._children[c]]
