"""Readers of national public downloads, exactly as published, into the tidy input contracts.

Use::

    from jsnalib.inputs import national
    national.recognise(path)        # e.g. "dfe_cin_referrals"
    table = national.read(path)     # NationalTable: contract, frame, missing, source
    national.import_files([births, deaths, c1], "data")   # tidy CSVs + .provenance.csv

Layouts (see :data:`LAYOUTS`): DfE explore-education-statistics CSVs (children in need
referrals, ONS population as DfE republishes it), NOMIS births and deaths, ONS child
mortality death-cohort workbooks, DfE statistical neighbours, the ONS LTLA-UTLA lookup and
Fingertips exports. Every problem is a :class:`jsnalib.inputs.readers.DataError` naming file, row,
column, the value and what was expected.
"""

from jsnalib.inputs.contracts import BIRTHS_DEATHS_IMD_DECILE

from ._common import LICENCE, MARKERS, NationalTable, Source
from .api import (
    CONTRACTS,
    LAYOUTS,
    PROVENANCE_COLUMNS,
    PROVENANCE_FILE,
    combine,
    import_files,
    read,
    read_tables,
    recognise,
)
from .dfe import la_regions, old_la_code_map
from .fingertips import FINGERTIPS_TIDY, parse_period
from .lookups import shared_neighbours

__all__ = [
    "BIRTHS_DEATHS_IMD_DECILE", "CONTRACTS", "FINGERTIPS_TIDY", "LAYOUTS", "LICENCE",
    "MARKERS", "NationalTable", "PROVENANCE_COLUMNS", "PROVENANCE_FILE", "Source", "combine",
    "import_files", "la_regions",
    "old_la_code_map", "parse_period", "read", "read_tables", "recognise",
    "shared_neighbours",
]
