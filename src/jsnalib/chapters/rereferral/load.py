"""Reading the re-referral page's inputs: one authority's referral records, the children in need
census and the area's published re-referral figures, validated by :mod:`jsnalib.inputs.readers`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jsnalib.inputs import readers
from jsnalib.inputs.contracts import CIN_CENSUS, PUBLISHED_FIGURES, REFERRALS
from jsnalib.inputs.geography import Geography
from jsnalib.methods import derive
from jsnalib.report import display

__all__ = ["FILES", "Inputs", "area_records", "load", "published_rereferrals"]

#: The data files the page reads, named in its data notice (which says whether they are the
#: synthetic default); it also reads the lookups areas.csv and neighbours.csv.
FILES = tuple(contract.filename for contract in (REFERRALS, CIN_CENSUS, PUBLISHED_FIGURES))

_PUBLISHED_INDICATOR = "re-referral"  # published_figures rows whose indicator starts with this


@dataclass(frozen=True)
class Inputs:
    """Everything one authority's page reads.

    Attributes
    ----------
    geography : Geography
        The area lookups (areas.csv, neighbours.csv).
    area_code, area_name : str
        The children's-services authority.
    records : pandas.DataFrame
        Its referrals with re-referral flags and periods (:func:`area_records`); no rows when
        the optional extract is absent or has none of this authority's referrals.
    cin : pandas.DataFrame
        The children in need census counts of every area (cin_census.csv).
    published : pandas.DataFrame
        The area's published re-referral figures (:func:`published_rereferrals`).
    synthetic_records : bool
        Whether the referral records are the synthetic demonstration data (byte-identical to
        those listed in ``synthetic.json``, :func:`jsnalib.report.display.is_synthetic`).
    """

    geography: Geography
    area_code: str
    area_name: str
    records: pd.DataFrame
    cin: pd.DataFrame
    published: pd.DataFrame
    synthetic_records: bool = False

    @property
    def records_missing(self) -> bool:
        """True when ``referrals.csv.gz`` is absent or has no referrals of this authority: the
        page then shows the published figures only and says what is missing."""
        return self.records.empty


def load(data_dir: str | Path, area_code: str) -> Inputs:
    """Read and validate the files in :data:`FILES` (and the lookups) for ``area_code``.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    area_code : str
        The children's-services authority (GSS code).

    Returns
    -------
    Inputs
        The area's prepared records (:func:`area_records`; none when the optional extract
        is absent or lacks this authority: ``Inputs.records_missing``), the census, the area's
        published re-referral figures (:func:`published_rereferrals`) and whether the records
        are the synthetic default.
    """
    folder = Path(data_dir)
    geography = readers.load_geography(folder)
    referrals = readers.read_records(folder, REFERRALS, geography)
    cin = readers.read_cin_census(readers.find_file(folder, CIN_CENSUS.filename), geography)
    published = readers.read_published_figures(
        readers.find_file(folder, PUBLISHED_FIGURES.filename), geography)
    own = referrals[referrals["area_code"] == area_code]
    records = area_records(own, area_code) if len(own) else own.reset_index(drop=True)
    return Inputs(geography, area_code, geography.name(area_code), records, cin,
                  published_rereferrals(published, area_code),
                  len(own) > 0 and display.is_synthetic(folder, [REFERRALS.filename]))


def area_records(referrals: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """One authority's referrals with re-referral flags and reporting periods.

    Several referrals of one child on one day are first merged into one, as the DfE children in
    need census guide counts them (:func:`jsnalib.methods.derive.merge_same_day`); how many
    were merged is in ``attrs["same_day_merged"]``. Re-referrals are flagged over the
    authority's whole history (a referral is compared with the child's earlier referrals to the
    same authority). Referrals without a child ID stay in as referrals that can never be
    re-referrals; their number is in ``attrs["missing_child_id"]``.

    Parameters
    ----------
    referrals : pandas.DataFrame
        The record-level extract (``jsnalib.inputs.readers.read_referrals``).
    area_code : str
        The children's-services authority (a GSS code).

    Returns
    -------
    pandas.DataFrame
        The authority's rows with added columns ``rereferral`` (bool), ``financial_year``
        ("2015-16"), ``year`` (its first calendar year, int) and ``month`` (first day of the
        month, datetime), sorted by referral date.
    """
    needed = ["child_id", "referral_date", "area_code", "source", "outcome"]
    missing = [c for c in needed if c not in referrals.columns]
    if missing:
        raise ValueError(f"referrals has no column(s) {', '.join(missing)}")
    records = referrals[referrals["area_code"] == area_code]
    if records.empty:
        found = ", ".join(sorted(referrals["area_code"].astype(str).unique()))
        raise ValueError(f"there are no referrals for {area_code}; the extract covers {found}")
    records, merged = derive.merge_same_day(records)
    records = records.sort_values("referral_date", kind="stable").reset_index(drop=True)
    records["referral_date"] = pd.to_datetime(records["referral_date"])
    records["source"] = records["source"].astype(str)
    records["outcome"] = records["outcome"].astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", derive.MissingChildIdWarning)
        records["rereferral"] = derive.flag_rereferrals(records)
    records["financial_year"] = derive.financial_year(records["referral_date"])
    records["year"] = records["financial_year"].str[:4].astype(np.int64)
    records["month"] = records["referral_date"].dt.to_period("M").dt.to_timestamp()
    records.attrs["missing_child_id"] = int(derive.missing_child_ids(records).sum())
    records.attrs["same_day_merged"] = merged
    return records


def published_rereferrals(published: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The area's published re-referral figures (``published_figures.csv`` rows whose
    indicator starts with "Re-referral"), one row per figure and comparator."""
    rows = published[(published["area_code"] == area_code)
                     & published["indicator"].str.lower().str.startswith(_PUBLISHED_INDICATOR)]
    return rows.reset_index(drop=True)
