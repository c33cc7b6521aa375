"""Definitions (issue 12, item 7): same-day referrals of one child are one referral (DfE
children in need census guide), and NCMP records are excluded only as the NCMP excludes them."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from jsnalib.chapters import rereferral as rr
from jsnalib.indicators import ncmp
from jsnalib.methods import derive, growth

REPO = Path(__file__).resolve().parents[1]


def _referrals(rows):
    frame = pd.DataFrame(rows, columns=["child_id", "referral_date", "source", "outcome"])
    return frame.assign(area_code="E10000028")


def test_same_day_referrals_are_merged_into_one():
    frame = _referrals([("a", "2016-05-15", "police", "child_in_need"),
                        ("a", "2016-05-15", "school", "no_further_action"),
                        ("a", "2016-05-15", "health", "child_in_need"),
                        ("b", "2016-05-15", "police", "child_in_need"),
                        ("a", "2016-09-01", "police", "child_in_need"),
                        (None, "2016-05-15", "police", "child_in_need"),
                        (None, "2016-05-15", "police", "child_in_need")])
    merged, count = derive.merge_same_day(frame)
    assert count == 2
    assert merged.index.tolist() == [0, 3, 4, 5, 6]  # the first of the day is kept
    assert merged.loc[0, "source"] == "police"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", derive.MissingChildIdWarning)
        flags = derive.flag_rereferrals(merged)  # the stable signature, on merged records
    assert flags.tolist() == [False, False, True, False, False]


def test_area_records_count_a_same_day_pair_once_and_say_how_many_were_merged():
    rows = [("a", "2014-07-10"), ("a", "2015-06-01"), ("a", "2015-06-01"), ("b", "2015-06-01")]
    frame = _referrals([(c, d, "police", "child_in_need") for c, d in rows])
    frame.loc[len(frame)] = ["x", "2013-04-01", "police", "child_in_need", "E10000028"]
    from jsnalib.chapters.rereferral.analyse import same_day_merged
    from jsnalib.chapters.rereferral.load import area_records

    records = area_records(frame, "E10000028")
    assert records.attrs["same_day_merged"] == 1
    year = records[records["financial_year"] == "2015-16"]
    assert len(year) == 2 and int(year["rereferral"].sum()) == 1  # not 3 referrals, 2 re-
    note = rr.text.records_note(SimpleNamespace(same_day_merged=same_day_merged(records)))
    assert "several referrals of one child on the same day count as one referral" in note
    assert "fewer than 5 such extra referrals were merged" in note


def test_default_data_same_day_duplicates_are_all_merged():
    path = REPO / "data" / "referrals.csv.gz"
    if not path.exists():
        pytest.skip("the default data is not in this checkout")
    frame = pd.read_csv(path, usecols=["child_id", "referral_date", "area_code"],
                        dtype={"child_id": str})
    counts = {code: derive.merge_same_day(rows)[1] for code, rows in frame.groupby("area_code")}
    known = frame.dropna(subset=["child_id"])
    expected = known.duplicated(["area_code", "child_id", "referral_date"]).groupby(
        known["area_code"]).sum()
    assert counts == expected.to_dict()
    assert all(n > 0 for n in counts.values())  # the demonstration data has some to merge


# ----------------------------------------------------------------------------------------------
# NCMP


def _records(height, weight, school_year="6", sex="male"):
    days = 4000 if school_year == "6" else 1800
    measured = pd.Timestamp("2018-11-15")
    n = len(height)
    return pd.DataFrame({
        "academic_year": "2018/19", "school_year": school_year, "sex": sex,
        "birth_date": measured - pd.Timedelta(days=days), "measurement_date": measured,
        "height_cm": np.asarray(height, float), "weight_kg": np.asarray(weight, float),
        "area_code": "E06000021", "imd_decile": np.arange(n) % 10 + 1})


def test_genuine_severe_obesity_is_kept_and_flagged():
    # a Year 6 boy 145 cm tall weighing 90 kg (BMI 42.8): extreme, but real children weigh this
    out = ncmp.classify_records(_records([145.0, 145.0], [90.0, 36.0]))
    assert growth.flag_implausible(145.0, 90.0, 4000 / 365.25, "male")["implausible"].all()
    assert not out["implausible"].any()
    assert out["category"].astype(str).tolist() == ["severely obese", "healthy"]
    assert out["extreme_kept"].tolist() == [True, False]
    assert ncmp.bmi_counts(out, ["school_year"])["severely_obese"].item() == 1


def test_recording_errors_and_missing_values_are_excluded():
    # Year 6 height keyed in inches; Reception weight keyed ten times too high; a missing weight
    year6 = _records([57.1, 145.0], [36.0, np.nan])
    reception = _records([110.0], [190.0], school_year="R", sex="female")
    out = ncmp.classify_records(pd.concat([year6, reception], ignore_index=True))
    assert out["implausible"].tolist() == [True, True, True]
    assert out["height_out_of_range"].tolist() == [True, False, False]
    assert out["missing"].tolist() == [False, True, False]
    assert out["weight_out_of_range"].tolist() == [False, False, True]
    assert out["category"].isna().all() and not out["extreme_kept"].any()


def test_ncmp_exclusion_limit_and_summary():
    flags = growth.flag_ncmp_exclusions([145.0, 57.1], [36.0, 36.0], 4000 / 365.25, "male",
                                        limit=7)
    summary = growth.exclusion_summary(flags).set_index("reason")
    assert summary.at["height_out_of_range", "count"] == 1
    assert summary.at["implausible", "count"] == 1
    assert "NCMP validation range" in summary.at["bmi_out_of_range", "description"]
    with pytest.raises(ValueError, match="positive"):
        growth.flag_ncmp_exclusions(145.0, 36.0, 11.0, "male", limit=0)
