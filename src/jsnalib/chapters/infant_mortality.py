"""Infant mortality: deaths under 1 year per 1,000 live births, for the book's chapter.

Everything the infant mortality page shows is computed here; the notebook only calls these
functions and displays what they return.

- Rates, annual and pooled over consecutive years (the national convention is 3 years, as in
  "2017-19"), with exact Poisson confidence limits below 10 deaths and Byar's from 10
  (:func:`jsnalib.methods.stats.rate`), compared with a benchmark (lower is better).
- Small numbers: ONS births and deaths are aggregate counts, so record-level suppression does
  not apply, but following the Public Health England / OHID convention a rate is not published
  when it rests on fewer than 3 deaths, and rates from fewer than 10 deaths (exact limits) are
  marked.
- The trend (Poisson GLM with log live births as offset, negative binomial when the counts are
  overdispersed: :func:`jsnalib.methods.models.poisson_trend`), whether the gap with England is closing
  (:func:`jsnalib.methods.models.gap_test`), the projection to a target year
  (:func:`jsnalib.methods.models.project_rate`) and how many fewer deaths a year would match England.
- Inequality across deprivation quintiles: rates and the slope index of inequality
  (:func:`jsnalib.methods.stats.sii`).
- Plain-English readings of each result for councillors (``describe_*``).

References: Office for National Statistics, *Child and infant mortality in England and Wales*
(definitions; 3-year pooled local rates); APHO (2008) Technical Briefing 3 (confidence
intervals); Fingertips indicator 92196 (infant mortality rate; rates from fewer than 3 events
are not published); Low and Low (2004) (SII); McCullagh and Nelder (1989) (Poisson GLM).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from jsnalib.indicators import IMR_NOTE_SUPPRESSED, IMR_SUPPRESS_BELOW
from jsnalib.inputs.geography import Geography
from jsnalib.inputs.readers import find_file, load_geography, read_births_deaths, read_published_figures
from jsnalib.methods import derive, models, stats
from jsnalib.methods.confidence import level as _check_confidence
from jsnalib.report import plots

#: The data files this chapter reads from data/ (for the data notice) ...
DATA_FILES = ("births_deaths.csv", "births_deaths_imd.csv", "published_figures.csv")
#: ... and the area lookups it also reads (not part of the synthetic data manifest).
FILES = (*DATA_FILES, "areas.csv", "neighbours.csv")
MULTIPLIER = 1000
UNIT = "per 1,000 live births"
#: Pearson dispersion (chi-square / residual df) above which a trend's projection is flagged as
#: resting on a poorly fitting model (1 is what chance alone gives).
POOR_FIT_DISPERSION = 1.5
YLABEL = "Infant deaths per 1,000 live births"
POLARITY = "low_is_good"
#: Rates from fewer than this many deaths are not published (the one rule, in indicators).
SUPPRESS_BELOW = IMR_SUPPRESS_BELOW
#: Rates from fewer than this many deaths have exact Poisson limits and are marked.
EXACT_BELOW = 10
NOTE_SUPPRESSED = IMR_NOTE_SUPPRESSED
NOTE_EXACT = "fewer than 10 deaths: exact interval, treat with caution"
NOTE_MISSING = "births or deaths not available"
RATE_COLUMNS = ["area_code", "area_name", "period", "start_year", "end_year", "live_births",
                "infant_deaths", "rate", "lower", "upper", "note"]
MODEL_NAMES = {"poisson": "Poisson", "negative binomial": "negative binomial"}
QUINTILE_LABELS = {1: "1 (most deprived)", 2: "2", 3: "3", 4: "4", 5: "5 (least deprived)"}


# ----------------------------------------------------------------------------------------------
# inputs


@dataclass(frozen=True)
class Inputs:
    """The chapter's inputs, read and validated.

    - ``births_deaths``: area_code, year, live_births, infant_deaths (births_deaths.csv)
    - ``by_deprivation``: the same plus imd_quintile (births_deaths_imd.csv)
    - ``published``: published_figures.csv rows about infant mortality
    """

    geography: Geography
    births_deaths: pd.DataFrame
    by_deprivation: pd.DataFrame
    published: pd.DataFrame


def load_inputs(data_dir: str | Path) -> Inputs:
    """Read births_deaths.csv, births_deaths_imd.csv, published_figures.csv and the area lookups.

    Raises ``jsnalib.inputs.readers.DataError`` naming file, row and column when a file is malformed.
    """
    folder = Path(data_dir)
    geography = load_geography(folder)
    counts = ["area_code", "year", "live_births", "infant_deaths"]
    births = read_births_deaths(find_file(folder, "births_deaths.csv"), geography)
    deprivation = read_births_deaths(find_file(folder, "births_deaths_imd.csv"), geography)
    published = read_published_figures(find_file(folder, "published_figures.csv"), geography)
    published = published[published["topic"] == "infant_mortality"].reset_index(drop=True)
    return Inputs(geography, births[counts].reset_index(drop=True),
                  deprivation[[*counts[:2], "imd_quintile", *counts[2:]]].reset_index(drop=True),
                  published)


def select_years(data: pd.DataFrame, first_year: int | None = None,
                 last_year: int | None = None) -> pd.DataFrame:
    """Rows of ``data`` whose ``year`` lies in first_year..last_year (None = no limit)."""
    for name, value in (("first_year", first_year), ("last_year", last_year)):
        whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
        if value is not None and not whole:
            raise ValueError(f"{name} must be a whole-number year or None, got {value!r}")
    if first_year is not None and last_year is not None and first_year > last_year:
        raise ValueError(f"first_year ({first_year}) must not be after last_year ({last_year})")
    keep = pd.Series(True, index=data.index)
    if first_year is not None:
        keep &= data["year"] >= first_year
    if last_year is not None:
        keep &= data["year"] <= last_year
    selected = data[keep].reset_index(drop=True)
    if selected.empty:
        raise ValueError(f"no data between {first_year} and {last_year}; the data cover "
                         f"{data['year'].min()} to {data['year'].max()}")
    return selected


# ----------------------------------------------------------------------------------------------
# rates


def ci_label(confidence: float) -> str:
    """'95% CI' for 0.95 (or 95), '99.8% CI' for 0.998."""
    return f"{100 * _check_confidence(confidence):g}% CI"


def add_rates(counts: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Add ``rate, lower, upper`` (per 1,000 live births) and ``note`` to counts.

    Limits: exact Poisson below 10 deaths, Byar's from 10 (:func:`jsnalib.methods.stats.rate`). Rates
    from fewer than 3 deaths are blanked (value and limits) as PHE does; those from 3-9 deaths
    are kept and marked. Rows without births or deaths stay blank.
    """
    deaths = pd.to_numeric(counts["infant_deaths"]).astype(float)
    births = pd.to_numeric(counts["live_births"]).astype(float)
    out = counts.copy()
    usable = deaths.notna() & births.notna() & (births > 0)
    result = pd.DataFrame(np.nan, index=counts.index, columns=["value", "lower", "upper"])
    if usable.any():
        result.loc[usable] = stats.rate(deaths[usable], births[usable], multiplier=MULTIPLIER,
                                        confidence=confidence).to_numpy()
    suppressed = usable & (deaths < SUPPRESS_BELOW)
    result.loc[suppressed] = np.nan
    out["rate"], out["lower"], out["upper"] = result["value"], result["lower"], result["upper"]
    out["note"] = np.select([~usable, suppressed, usable & (deaths < EXACT_BELOW)],
                            [NOTE_MISSING, NOTE_SUPPRESSED, NOTE_EXACT], default="")
    return out


def rates(
    births_deaths: pd.DataFrame,
    geography: Geography,
    area_codes: Sequence[str],
    pool: int = 1,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Infant mortality rates per 1,000 live births for each area, by year or pooled period.

    ``pool`` consecutive calendar years are added up (:func:`jsnalib.methods.derive.pool_years`; 3 gives
    the national "2017-19" periods, 1 single years). Returns :data:`RATE_COLUMNS`, areas in the
    order given, periods in time order.
    """
    if isinstance(area_codes, str):
        raise ValueError("area_codes must be a list of area codes, not a single string")
    codes = list(dict.fromkeys(area_codes))
    missing = [c for c in codes if not (births_deaths["area_code"] == c).any()]
    if missing:
        raise ValueError(f"births_deaths has no rows for {', '.join(missing)}")
    subset = births_deaths[births_deaths["area_code"].isin(codes)]
    pooled = derive.pool_years(subset, ("live_births", "infant_deaths"), years=pool)
    pooled["area_name"] = pooled["area_code"].map(geography.name).astype("str")
    pooled["order"] = pooled["area_code"].map({c: i for i, c in enumerate(codes)})
    pooled = pooled.sort_values(["order", "start_year"], kind="stable")
    return add_rates(pooled, confidence)[RATE_COLUMNS].reset_index(drop=True)


def compare_with(rate_table: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    """Add ``benchmark_rate`` and ``compared`` ("better"/"similar"/"worse"/"not compared").

    Each area's interval is compared with the benchmark area's rate in the same period
    (:func:`jsnalib.methods.stats.compare`, lower is better). The benchmark's own rows say "benchmark".
    """
    if not (rate_table["area_code"] == benchmark).any():
        raise ValueError(f"the rates table has no rows for the benchmark {benchmark!r}")
    bench = rate_table.loc[rate_table["area_code"] == benchmark].set_index("period")["rate"]
    out = rate_table.copy()
    out["benchmark_rate"] = out["period"].map(bench).astype(float)
    out["compared"] = stats.compare(out["lower"], out["upper"], out["benchmark_rate"],
                                    polarity=POLARITY).astype("str")
    out.loc[out["area_code"] == benchmark, "compared"] = "benchmark"
    return out


def latest(rate_table: pd.DataFrame, area_code: str) -> pd.Series:
    """The latest period's row for an area."""
    rows = rate_table[rate_table["area_code"] == area_code]
    if rows.empty:
        raise ValueError(f"no rates for {area_code!r}")
    return rows.sort_values("start_year").iloc[-1]


def display_rates(rate_table: pd.DataFrame, confidence: float = 0.95,
                  benchmark_name: str | None = None) -> pd.DataFrame:
    """The rates table with readable column headings, for :func:`jsnalib.report.display.table`."""
    label = ci_label(confidence)
    bench = benchmark_name or "benchmark"
    names = {"area_name": "Area", "quintile": "Deprivation quintile", "period": "Period",
             "live_births": "Live births", "infant_deaths": "Infant deaths",
             "rate": f"Rate {UNIT}", "lower": f"{label} lower", "upper": f"{label} upper",
             "benchmark_rate": f"{bench} rate", "compared": f"Compared with {bench}",
             "note": "Note"}
    columns = [c for c in names if c in rate_table]
    return rate_table[columns].rename(columns=names)


def rate_formats(confidence: float = 0.95, benchmark_name: str | None = None) -> dict[str, str]:
    """Number formats for :func:`display_rates` columns."""
    label = ci_label(confidence)
    formats = {"Live births": "{:,.0f}", "Infant deaths": "{:,.0f}", f"Rate {UNIT}": "{:.1f}",
               f"{label} lower": "{:.1f}", f"{label} upper": "{:.1f}"}
    if benchmark_name:
        formats[f"{benchmark_name} rate"] = "{:.1f}"
    return formats


# ----------------------------------------------------------------------------------------------
# plain-English helpers


def possessive(name: str) -> str:
    """"Stoke-on-Trent's", "Staffordshire Moorlands'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _num(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}"


def _p(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _pct(ratio: float) -> str:
    return f"{abs(100 * (ratio - 1)):.1f}%"


def _signed_pct(ratio: float) -> str:
    change = 100 * (ratio - 1)
    return f"{'+' if change > 0 else '-' if change < 0 else ''}{abs(change):.1f}%"


def describe_rate(row: pd.Series, benchmark_name: str, confidence: float = 0.95) -> str:
    """One sentence on an area's rate in a period and how it compares with the benchmark.

    ``row`` is a row of :func:`compare_with` (area_name, period, infant_deaths, live_births,
    rate, lower, upper, note, benchmark_rate, compared).
    """
    deaths, births = row["infant_deaths"], row["live_births"]
    if pd.isna(row["rate"]):
        why = ("fewer than 3 deaths" if pd.notna(deaths) and deaths < SUPPRESS_BELOW
               else "the counts are not available")
        return (f"In {row['period']} the rate for {row['area_name']} is not published: "
                f"it would rest on {why}.")
    text = (f"In {row['period']}, {int(deaths):,} babies died before their first birthday "
            f"out of {int(births):,} live births in {row['area_name']}: "
            f"{_num(row['rate'])} {UNIT} ({ci_label(confidence)} {_num(row['lower'])} to "
            f"{_num(row['upper'])}).")
    compared = row.get("compared", "not compared")
    if compared in ("better", "worse", "similar"):
        words = {"worse": "significantly higher (worse) than",
                 "better": "significantly lower (better) than",
                 "similar": "not significantly different from"}[compared]
        text += f" This is {words} {possessive(benchmark_name)} {_num(row['benchmark_rate'])}."
    if deaths < EXACT_BELOW:
        text += " It rests on fewer than 10 deaths, so treat it with caution."
    return text


# ----------------------------------------------------------------------------------------------
# trend and gap


def trend(births_deaths: pd.DataFrame, area_code: str, confidence: float = 0.95) -> models.TrendFit:
    """The annual trend of an area's rate: :func:`jsnalib.methods.models.poisson_trend` on its yearly
    deaths with log live births as offset (negative binomial when overdispersed)."""
    rows = births_deaths[births_deaths["area_code"] == area_code]
    if rows.empty:
        raise ValueError(f"births_deaths has no rows for {area_code!r}")
    frame = rows[["year", "live_births", "infant_deaths"]].astype(float)
    return models.poisson_trend(frame, count="infant_deaths", exposure="live_births",
                                time="year", confidence=confidence)


def fitted_rates(fit: models.TrendFit, births_deaths: pd.DataFrame, area_code: str
                 ) -> pd.DataFrame:
    """The fitted trend for the years observed: year, rate, lower, upper (per 1,000)."""
    rows = births_deaths[births_deaths["area_code"] == area_code]
    years = rows[["year", "live_births"]].dropna().astype(float).sort_values("year")
    projected = models.project_rate(fit, years, exposure="live_births", multiplier=MULTIPLIER,
                                    confidence=fit.confidence, n_sim=1000)
    return pd.DataFrame({"year": projected["year"].astype(int), "rate": projected["rate"],
                         "lower": projected["lower_ci"], "upper": projected["upper_ci"]})


def describe_trend(fit: models.TrendFit, area_name: str, first_year: int, last_year: int) -> str:
    """The annual change in plain words, e.g. 'fell by 2.3% a year (95% CI 1.1% to 3.5%)'."""
    label = ci_label(fit.confidence)
    span = f"Between {first_year} and {last_year}"
    if fit.ratio_upper < 1:
        return (f"{span} the infant mortality rate in {area_name} fell by {_pct(fit.ratio)} a "
                f"year on average ({label} {_pct(fit.ratio_upper)} to {_pct(fit.ratio_lower)}; "
                f"{_p(fit.p_value)}).")
    if fit.ratio_lower > 1:
        return (f"{span} the infant mortality rate in {area_name} rose by {_pct(fit.ratio)} a "
                f"year on average ({label} {_pct(fit.ratio_lower)} to {_pct(fit.ratio_upper)}; "
                f"{_p(fit.p_value)}).")
    return (f"{span} there is no clear trend in {possessive(area_name)} infant mortality rate: the "
            f"estimated change is {_signed_pct(fit.ratio)} a year ({label} "
            f"{_signed_pct(fit.ratio_lower)} to {_signed_pct(fit.ratio_upper)}; "
            f"{_p(fit.p_value)}), which chance alone could explain.")


def describe_model(fit: models.TrendFit) -> str:
    """Which model was used and why: Poisson, or negative binomial for overdispersed counts."""
    measure = (f"the Pearson dispersion is {fit.dispersion:.2f} against 1 expected, "
               f"{_p(fit.dispersion_p)}")
    if fit.family == "negative binomial":
        alpha = float(fit.result.model.family.alpha)
        return (f"The yearly counts vary more than chance alone would make them ({measure}), "
                f"so the trend is fitted with a negative binomial model (alpha = {alpha:.4f}), "
                "which widens the confidence interval to allow for the extra variation.")
    return (f"The yearly counts vary about as much as chance alone would make them ({measure}), "
            "so a Poisson model with the number of live births as exposure is used.")


def gap(births_deaths: pd.DataFrame, area_code: str, benchmark: str,
        confidence: float = 0.95) -> models.GapTest:
    """Is the gap with the benchmark changing? :func:`jsnalib.methods.models.gap_test` on annual counts
    (the local deaths modelled relative to the benchmark's observed yearly rates; quasi-Poisson
    with the local dispersion, t reference)."""
    rows = births_deaths[births_deaths["area_code"].isin([area_code, benchmark])]
    frame = rows[["area_code", "year", "live_births", "infant_deaths"]].astype(
        {"year": float, "live_births": float, "infant_deaths": float})
    return models.gap_test(frame, count="infant_deaths", exposure="live_births",
                           area="area_code", local=area_code, benchmark=benchmark,
                           time="year", confidence=confidence)


def describe_gap(result: models.GapTest, area_name: str, benchmark_name: str,
                 local_higher: bool) -> str:
    """Is the gap closing? In plain words, from :func:`gap` and whether the area's rate is the
    higher one over the period."""
    label = ci_label(result.confidence)
    numbers = (f"ratio of annual rate ratios {result.ratio_of_ratios:.3f}, {label} "
               f"{result.lower:.3f} to {result.upper:.3f}; {_p(result.p_value)}")
    if result.narrowing is None:
        return (f"There is no clear evidence that the gap between {area_name} and "
                f"{benchmark_name} is changing ({numbers}): year to year, the difference in "
                "their trends is within what chance could produce.")
    direction = "narrowing" if result.narrowing else "widening"
    falling = result.ratio_of_ratios < 1
    theirs = possessive(benchmark_name)
    movement = {(True, True): f"coming down towards {theirs}",
                (True, False): f"moving further above {theirs}",
                (False, False): f"rising towards {theirs}",
                (False, True): f"moving further below {theirs}"}[(local_higher, falling)]
    return (f"The gap is {direction}: relative to {theirs}, {possessive(area_name)} rate "
            f"changes by {_signed_pct(result.ratio_of_ratios)} a year ({numbers}), so it is "
            f"{movement}.")


def is_higher(births_deaths: pd.DataFrame, area_code: str, benchmark: str) -> bool:
    """True when the area's rate over all the years given is above the benchmark's."""
    def overall(code: str) -> float:
        rows = births_deaths[births_deaths["area_code"] == code]
        return float(rows["infant_deaths"].sum()) / float(rows["live_births"].sum())
    return overall(area_code) > overall(benchmark)


# ----------------------------------------------------------------------------------------------
# projection and what it would take


def projection(fit: models.TrendFit, births_deaths: pd.DataFrame, area_code: str,
               to_year: int = 2030, pool: int = 3) -> pd.DataFrame:
    """The fitted trend carried on to ``to_year``, each future year with the average births of
    the last ``pool`` years: year, births, rate, lower_ci, upper_ci, lower_pi, upper_pi
    (per 1,000; :func:`jsnalib.methods.models.project_rate`, seeded, at the fit's confidence)."""
    rows = births_deaths[births_deaths["area_code"] == area_code].dropna(
        subset=["live_births"]).sort_values("year")
    last = int(rows["year"].max())
    if to_year <= last:
        raise ValueError(f"to_year must be after the last year of data ({last}), got {to_year}")
    births = float(rows["live_births"].tail(pool).astype(float).mean())
    future = pd.DataFrame({"year": np.arange(last + 1, to_year + 1), "live_births": births})
    out = models.project_rate(fit, future, exposure="live_births", multiplier=MULTIPLIER,
                              confidence=fit.confidence)
    out.insert(1, "births", births)
    return out


def fit_caution(fit: models.TrendFit) -> str:
    """A warning when the trend model fits poorly (Pearson dispersion above
    :data:`POOR_FIT_DISPERSION`: the years scatter round the line far more than chance
    allows), else an empty string."""
    if fit.dispersion > POOR_FIT_DISPERSION:
        return (f" The model fits poorly (the years vary {fit.dispersion:.1f} times as much as "
                "chance alone would explain); treat the projection with caution.")
    return ""


def describe_projection(projected: pd.DataFrame, area_name: str, benchmark_row: pd.Series,
                        benchmark_name: str, years: str, confidence: float = 0.95,
                        fit: models.TrendFit | None = None) -> str:
    """The projected rate in the last projected year, set against the benchmark's latest rate.

    ``years`` names the span the trend was fitted to, e.g. "2006-2023"; with ``fit``, a poor
    fit is flagged (:func:`fit_caution`).
    """
    end = projected.iloc[-1]
    bench = float(benchmark_row["rate"])
    label = f"{100 * _check_confidence(confidence):g}%"
    text = (f"If the {years} trend continues, {possessive(area_name)} rate in {int(end['year'])} "
            f"would be about {_num(end['rate'])} {UNIT} ({label} prediction interval for that "
            f"single year {_num(end['lower_pi'])} to {_num(end['upper_pi'])}), against "
            f"{possessive(benchmark_name)} {_num(bench)} in {benchmark_row['period']}.")
    theirs = possessive(benchmark_name)
    text = _verdict_against(text, end, bench, theirs)
    return text + (fit_caution(fit) if fit is not None else "")


def _verdict_against(text: str, end: pd.Series, bench: float, theirs: str) -> str:
    """:func:`describe_projection`'s verdict against the benchmark."""
    if end["upper_pi"] < bench:
        return text + f" That would be below {theirs} current rate."
    if end["lower_pi"] > bench:
        return text + f" The current trend would not bring it down to {theirs} current rate."
    if abs(end["rate"] - bench) < 0.05:
        return text + (f" The central projection is about the same as {theirs} current rate; "
                       "chance alone could put a single year either side of it.")
    if end["rate"] > bench:
        return text + (f" The central projection stays above {theirs} current rate; "
                       "chance alone could put a single year either side of it.")
    return text + (f" The central projection is at or below {theirs} current rate, "
                   "but chance alone could put a single year either side of it.")


def deaths_to_match(area_row: pd.Series, benchmark_rate: float, pool: int) -> pd.Series:
    """Fewer infant deaths a year needed for the area's pooled rate to equal the benchmark's.

    ``(deaths - benchmark_rate / 1000 * births) / pool`` from the area's pooled counts; 0 when
    the area is already at or below the benchmark. Also gives ``deaths_per_year``,
    ``births_per_year`` and ``target_deaths_per_year`` (all per year of the pooled period), and
    ``fewer_lower``/``fewer_upper`` from the rate's confidence limits (the range of the gap
    consistent with chance).
    """
    if not benchmark_rate >= 0:
        raise ValueError(f"benchmark_rate must be a rate of zero or more, got {benchmark_rate!r}")
    if isinstance(pool, bool) or not isinstance(pool, int | np.integer) or pool < 1:
        raise ValueError(f"pool must be a whole number of years, at least 1, got {pool!r}")
    births = float(area_row["live_births"]) / pool
    deaths = float(area_row["infant_deaths"]) / pool
    target = benchmark_rate / MULTIPLIER * births

    def fewer(rate: float) -> float:
        return max(0.0, rate / MULTIPLIER * births - target) if pd.notna(rate) else np.nan

    return pd.Series({
        "births_per_year": births, "deaths_per_year": deaths, "target_deaths_per_year": target,
        "fewer_deaths_per_year": max(0.0, deaths - target),
        "fewer_lower": fewer(area_row["lower"]), "fewer_upper": fewer(area_row["upper"]),
    })


def describe_deaths_to_match(need: pd.Series, area_name: str, period: str,
                             benchmark_name: str, benchmark_rate: float) -> str:
    """'What would it take', in plain words, from :func:`deaths_to_match`."""
    if need["fewer_deaths_per_year"] <= 0:
        return (f"In {period} {possessive(area_name)} rate was already at or below "
                f"{possessive(benchmark_name)} {_num(benchmark_rate)} {UNIT}: no fewer deaths "
                "would be needed to match it.")
    text = (f"To match {possessive(benchmark_name)} {period} rate of {_num(benchmark_rate)} "
            f"{UNIT}, "
            f"{area_name} would need about {_num(need['fewer_deaths_per_year'])} fewer infant "
            f"deaths a year: from {_num(need['deaths_per_year'])} to "
            f"{_num(need['target_deaths_per_year'])} a year, with about "
            f"{need['births_per_year']:,.0f} live births a year.")
    if pd.notna(need["fewer_lower"]) and pd.notna(need["fewer_upper"]):
        text += (f" Allowing for chance in the local rate, the gap is between "
                 f"{_num(need['fewer_lower'])} and {_num(need['fewer_upper'])} deaths a year")
        text += (f"; as the lower end is zero, the difference from {benchmark_name} may be "
                 "chance alone." if need["fewer_lower"] <= 0 else ".")
    return text


# ----------------------------------------------------------------------------------------------
# deprivation


def deprivation_area(by_deprivation: pd.DataFrame, geography: Geography, area_code: str
                     ) -> tuple[str | None, str]:
    """The area whose quintile data stand for ``area_code``, and a note saying so.

    Districts have no quintile data: their county's are shown. Returns (None, note) when
    neither has any.
    """
    name = geography.name(area_code)
    available = set(by_deprivation["area_code"])
    if area_code in available:
        return area_code, ""
    parent = geography.upper_tier(area_code)
    if parent != area_code and parent in available:
        return parent, (f"There are no deprivation-quintile figures for {name}, a district: the "
                        f"figures below are for {geography.name(parent)} as a whole.")
    return None, f"There are no deprivation-quintile figures for {name}."


def inequality_period(by_deprivation: pd.DataFrame, area_code: str, first_year: int,
                      last_year: int, pool: int = 5) -> tuple[int, int, str]:
    """The years over which to compare an area's deprivation quintiles: the latest ``pool``
    years, or every year from ``first_year`` when that leaves a quintile with fewer than 3
    deaths (its rate could not be published, nor the SII calculated). Returns (first, last,
    note); the note explains a widened period and is empty otherwise."""
    rows = by_deprivation[(by_deprivation["area_code"] == area_code)
                          & by_deprivation["year"].between(first_year, last_year)]
    if rows.empty:
        raise ValueError(
            f"no deprivation-quintile data for {area_code!r} in {first_year}-{last_year}")
    start = max(first_year, last_year - pool + 1)

    def fewest(since: int) -> float:
        recent = rows[rows["year"] >= since]
        return float(recent.groupby("imd_quintile")["infant_deaths"].sum().min())

    if start == first_year or fewest(start) >= SUPPRESS_BELOW:
        return start, last_year, ""
    return first_year, last_year, (
        f"Over {start}-{last_year % 100:02d} at least one deprivation quintile had fewer than 3 "
        f"infant deaths, too few for a rate, so the quintiles are compared over every year from "
        f"{first_year} to {last_year}.")


def deprivation_rates(by_deprivation: pd.DataFrame, geography: Geography,
                      area_codes: Sequence[str], first_year: int, last_year: int,
                      confidence: float = 0.95) -> pd.DataFrame:
    """Rates by IMD quintile over first_year..last_year (pooled), for each area.

    Columns: area_code, area_name, imd_quintile, quintile (label), period, live_births,
    infant_deaths, rate, lower, upper, note (small numbers treated as in :func:`add_rates`).
    """
    first, pool = first_year, last_year - first_year + 1
    if pool < 1:
        raise ValueError(f"first_year ({first_year}) must not be after last_year ({last_year})")
    rows = by_deprivation[by_deprivation["area_code"].isin(list(area_codes))
                          & by_deprivation["year"].between(first, last_year)]
    years = rows.groupby("area_code")["year"].nunique()
    short = [c for c in area_codes if years.get(c, 0) != pool]
    if short:
        raise ValueError(
            f"deprivation data do not cover {first}-{last_year} for {', '.join(short)}")
    summed = rows.groupby(["area_code", "imd_quintile"], as_index=False, sort=False)[
        ["live_births", "infant_deaths"]].sum(min_count=1)
    order = {c: i for i, c in enumerate(area_codes)}
    summed = summed.sort_values(["area_code", "imd_quintile"],
                                key=lambda s: s.map(order) if s.name == "area_code" else s)
    summed["area_name"] = summed["area_code"].map(geography.name).astype("str")
    summed["quintile"] = summed["imd_quintile"].map(QUINTILE_LABELS).astype("str")
    summed["period"] = f"{first}-{last_year % 100:02d}" if pool > 1 else str(last_year)
    out = add_rates(summed.reset_index(drop=True), confidence)
    return out[["area_code", "area_name", "imd_quintile", "quintile", "period", "live_births",
                "infant_deaths", "rate", "lower", "upper", "note"]]


def inequality(quintile_rates: pd.DataFrame, confidence: float = 0.95) -> pd.Series:
    """Slope and relative index of inequality across the quintiles of one area.

    :func:`jsnalib.methods.stats.sii` on the quintile rates (births as population), on the log scale
    (``value_type="rate"``), with the sign reversed so that a positive SII is the excess in the
    most deprived: SII = modelled rate at the most deprived end minus the least deprived end
    (per 1,000), RII = their ratio. All NaN when a quintile's rate is not published (fewer than
    3 deaths) or is zero.
    """
    if quintile_rates["area_code"].nunique() != 1:
        raise ValueError("inequality needs the quintile rates of exactly one area")
    ordered = quintile_rates.sort_values("imd_quintile")
    values = ordered["rate"].astype(float)
    if values.isna().any() or not (values > 0).all():
        names = ["sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"]
        return pd.Series(np.nan, index=names, name="sii")
    # stats.sii derives standard errors from 95% limits, so recompute them at 95%
    births = ordered["live_births"].astype(float)
    limits = stats.rate(ordered["infant_deaths"].astype(float), births, multiplier=MULTIPLIER,
                        confidence=0.95)
    return stats.sii(ordered["imd_quintile"].astype(float), births, values,
                     lower=limits["lower"], upper=limits["upper"], value_type="rate",
                     multiplier=-1, confidence=confidence)


def deprivation_adjusted(quintile_rates: pd.DataFrame, area_code: str, benchmark: str
                         ) -> pd.Series:
    """How much of an area's gap with the benchmark its deprivation mix explains.

    Indirect standardisation (APHO Technical Briefing 3): the deaths the area would have had at
    the benchmark's rate in each quintile (``expected_adjusted``) and at the benchmark's
    overall rate (``expected_crude``), against those observed. ``ratio`` = observed /
    expected_adjusted (Byar's limits on the observed count, at 95%): above 1, more deaths than
    the area's deprivation mix alone would give. ``share_explained`` = the part of the excess
    over the crude expectation that the deprivation mix accounts for (NaN when there is no
    excess). Both areas must cover the same period.
    """
    local = quintile_rates[quintile_rates["area_code"] == area_code].set_index("imd_quintile")
    bench = quintile_rates[quintile_rates["area_code"] == benchmark].set_index("imd_quintile")
    if local.empty or bench.empty:
        raise ValueError(f"quintile rates are needed for both {area_code} and {benchmark}")
    if set(local["period"]) != set(bench["period"]) or not local.index.equals(bench.index):
        raise ValueError("the area and the benchmark must cover the same period and quintiles")
    bench_rates = bench["infant_deaths"].astype(float) / bench["live_births"].astype(float)
    local_births = local["live_births"].astype(float)
    observed = float(local["infant_deaths"].sum())
    adjusted = float((local_births * bench_rates).sum())
    crude = float(local_births.sum() * bench["infant_deaths"].sum() / bench["live_births"].sum())
    lower, upper = stats.byars_ci(observed) if observed >= EXACT_BELOW else \
        stats.exact_poisson_ci(observed)
    excess = observed - crude
    return pd.Series({
        "observed": observed, "expected_crude": crude, "expected_adjusted": adjusted,
        "ratio": observed / adjusted, "ratio_lower": lower / adjusted,
        "ratio_upper": upper / adjusted,
        "share_explained": (adjusted - crude) / excess if excess > 0 else np.nan,
    })


def describe_deprivation_adjusted(adjusted: pd.Series, area_name: str, benchmark_name: str,
                                  period: str) -> str:
    """:func:`deprivation_adjusted` in plain words."""
    text = (f"In {period}, {area_name} had {adjusted['observed']:,.0f} infant deaths. At "
            f"{possessive(benchmark_name)} overall rate it would have had about "
            f"{adjusted['expected_crude']:,.0f}; at {possessive(benchmark_name)} rate for each "
            f"deprivation quintile, given how many of {possessive(area_name)} babies are born "
            f"in each, about "
            f"{adjusted['expected_adjusted']:,.0f}.")
    if pd.notna(adjusted["share_explained"]) and adjusted["share_explained"] > 0:
        share = min(adjusted["share_explained"], 1.0)
        text += (f" Its deprivation mix accounts for about {100 * share:.0f}% of the gap with "
                 f"{benchmark_name}.")
    elif pd.notna(adjusted["share_explained"]):
        text += (f" Its deprivation mix does not explain the gap with {benchmark_name}: its "
                 f"babies are, if anything, born in less deprived areas than "
                 f"{possessive(benchmark_name)}.")
    ratio = (f"observed/expected {adjusted['ratio']:.2f}, 95% CI {adjusted['ratio_lower']:.2f} "
             f"to {adjusted['ratio_upper']:.2f}")
    if adjusted["ratio_lower"] > 1:
        return text + (f" Even allowing for deprivation, deaths are significantly higher than "
                       f"{possessive(benchmark_name)} rates would give ({ratio}).")
    if adjusted["ratio_upper"] < 1:
        return text + (f" Allowing for deprivation, deaths are significantly lower than "
                       f"{possessive(benchmark_name)} rates would give ({ratio}).")
    return text + (f" Allowing for deprivation, deaths are in line with "
                   f"{possessive(benchmark_name)} rates ({ratio}).")


def fitted_gradient(quintile_rates: pd.DataFrame) -> pd.DataFrame:
    """The SII regression line at each quintile's rank (births-weighted least squares of rate on
    relative rank, as :func:`jsnalib.methods.stats.sii` fits it): columns quintile, value."""
    ordered = quintile_rates.sort_values("imd_quintile")
    share = ordered["live_births"].astype(float).to_numpy()
    share = share / share.sum()
    rank = np.cumsum(share) - share / 2
    slope, intercept = np.polyfit(rank, ordered["rate"].astype(float).to_numpy(), 1,
                                  w=np.sqrt(share))
    return pd.DataFrame({"quintile": ordered["quintile"].to_numpy(),
                         "value": intercept + slope * rank})


def describe_inequality(quintile_rates: pd.DataFrame, index: pd.Series,
                        confidence: float = 0.95) -> str:
    """The gradient across quintiles in plain words, from :func:`deprivation_rates` and
    :func:`inequality`."""
    ordered = quintile_rates.sort_values("imd_quintile")
    name, period = ordered["area_name"].iloc[0], ordered["period"].iloc[0]
    most, least = ordered.iloc[0], ordered.iloc[-1]
    if index.isna().all():
        return (f"In {period} the slope index of inequality for {name} cannot be calculated: "
                "at least one quintile's rate rests on fewer than 3 deaths (or none).")
    label = ci_label(confidence)
    text = (f"In {period}, {possessive(name)} infant mortality rate was {_num(most['rate'])} "
            f"{UNIT} in its most deprived quintile and {_num(least['rate'])} in its least "
            "deprived. "
            f"Across all five quintiles, the modelled gap between the most and least deprived "
            f"ends (slope index of inequality) is {_num(index['sii'])} per 1,000 ({label} "
            f"{_num(index['sii_lower'])} to {_num(index['sii_upper'])}): the rate at the most "
            f"deprived end is {index['rii']:.1f} times that at the least deprived end "
            f"({label} {index['rii_lower']:.1f} to {index['rii_upper']:.1f}).")
    if index["sii_lower"] > 0:
        return text + " Infant deaths are significantly more common in more deprived areas."
    if index["sii_upper"] < 0:
        return text + " Infant deaths are significantly less common in more deprived areas."
    return text + " The gradient is not statistically significant."


# ----------------------------------------------------------------------------------------------
# published figures


def _document(source: str) -> str:
    return re.sub(r"\s+line \d+$", "", source)


def published_table(published: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The published infant mortality rates for an area, with their source document."""
    is_rate = published["unit"].str.contains(r"per 1,?000 live births", regex=True)
    rows = published[(published["area_code"] == area_code) & is_rate]
    return pd.DataFrame({
        "Indicator": rows["indicator"], "Period": rows["period"], "Value": rows["value"],
        "Unit": rows["unit"], "Comparator": rows["comparator_name"],
        "Comparator value": rows["comparator_value"], "Source": rows["source"],
    }).reset_index(drop=True)


def published_points(published: pd.DataFrame, area_code: str, periods: Sequence[str]
                     ) -> pd.DataFrame:
    """Published rates for the area whose period is one of ``periods`` (those that can be drawn
    on the chart), as trend_chart's ``published`` frame: x, value, label (source document)."""
    table = published_table(published, area_code)
    table = table[table["Period"].isin(list(periods))]
    return pd.DataFrame({"x": table["Period"], "value": table["Value"].astype(float),
                         "label": table["Source"].map(_document)}).reset_index(drop=True)


def describe_published(table: pd.DataFrame, points: pd.DataFrame, area_name: str) -> str:
    """Which published figures there are for the area and which are drawn on the chart."""
    if table.empty:
        return (f"No published infant mortality figures for {area_name} are in "
                "published_figures.csv.")
    drawn = len(points)
    undrawn = table[~table["Period"].isin(points["x"])]
    shown = ("is drawn on the chart as a black diamond" if drawn == 1 else
             "are drawn on the chart as black diamonds")
    text = (f"{len(table)} published figure{'s' if len(table) != 1 else ''} for {area_name}; "
            f"{drawn} {shown}.")
    if not undrawn.empty:
        text += (" Not drawn, because the document gives no period that matches the chart: "
                 + "; ".join(f"{_num(r['Value'])} ({r['Period']})" for _, r in undrawn.iterrows())
                 + ".")
    return text


# ----------------------------------------------------------------------------------------------
# charts


def rates_chart(rate_table: pd.DataFrame, title: str, xlabel: str,
                published: pd.DataFrame | None = None) -> tuple[Figure, str]:
    """Rates with confidence bands, one line per area (:func:`jsnalib.report.plots.trend_chart`)."""
    return plots.trend_chart(rate_table, x="period", value="rate", lower="lower", upper="upper",
                             series="area_name", title=title, ylabel=YLABEL, xlabel=xlabel,
                             published=published)


def projection_chart(annual: pd.DataFrame, fitted: pd.DataFrame, projected: pd.DataFrame,
                     benchmark_row: pd.Series, benchmark_name: str, title: str,
                     confidence: float = 0.95) -> tuple[Figure, str]:
    """Observed annual rates, the fitted trend, its projection with a prediction interval, and
    the benchmark's latest rate as a reference line (house style of :mod:`jsnalib.report.plots`)."""
    import matplotlib.pyplot as plt

    label = f"{100 * _check_confidence(confidence):g}%"
    fig, ax = plt.subplots()
    shown = annual.dropna(subset=["rate"])
    ax.errorbar(shown["start_year"], shown["rate"],
                yerr=np.vstack([shown["rate"] - shown["lower"], shown["upper"] - shown["rate"]]),
                fmt="o", ms=4, color=plots.PALETTE[0], capsize=2, lw=1,
                label=f"Observed rate ({label} CI)")
    ax.plot(fitted["year"], fitted["rate"], color=plots.PALETTE[1], lw=1.8, label="Fitted trend")
    ax.fill_between(fitted["year"], fitted["lower"], fitted["upper"], color=plots.PALETTE[1],
                    alpha=0.25, linewidth=0, label=f"{label} CI of the trend")
    years = np.concatenate([[fitted["year"].iloc[-1]], projected["year"]])
    central = np.concatenate([[fitted["rate"].iloc[-1]], projected["rate"]])
    ax.plot(years, central, color=plots.PALETTE[1], lw=1.8, ls="--", label="Projected trend")
    ax.fill_between(projected["year"], projected["lower_pi"], projected["upper_pi"],
                    color=plots.PALETTE[1], alpha=0.12, linewidth=0,
                    label=f"{label} prediction interval (single year)")
    bench = float(benchmark_row["rate"])
    ax.axhline(bench, color=plots.PALETTE[6], lw=1, ls=":",
               label=f"{benchmark_name} {benchmark_row['period']}: {_num(bench)}")
    ax.set_title(title)
    ax.set_xlabel("Year")
    ax.set_ylabel(YLABEL)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8)
    fig.tight_layout()
    end = projected.iloc[-1]
    area = annual["area_name"].iloc[0]
    first_obs, last_obs = shown.iloc[0], shown.iloc[-1]
    alt = (f"Chart: {title}. Observed annual rates for {area} went from "
           f"{_num(first_obs['rate'])} in {int(first_obs['start_year'])} to "
           f"{_num(last_obs['rate'])} in {int(last_obs['start_year'])}. The fitted trend, "
           f"projected to {int(end['year'])}, reaches {_num(end['rate'])} per 1,000 "
           f"({label} prediction interval {_num(end['lower_pi'])} to {_num(end['upper_pi'])}). "
           f"A dotted line marks {possessive(benchmark_name)} rate of {_num(bench)} in "
           f"{benchmark_row['period']}.")
    return fig, alt


def deprivation_chart(quintile_rates: pd.DataFrame, title: str) -> tuple[Figure, str]:
    """Rates by deprivation quintile with the SII line (:func:`jsnalib.report.plots.gradient_chart`)."""
    shown = quintile_rates.sort_values("imd_quintile")
    fitted = fitted_gradient(shown) if shown["rate"].notna().all() else None
    return plots.gradient_chart(shown, group="quintile", value="rate", lower="lower",
                                upper="upper", title=title,
                                xlabel="Deprivation quintile (IMD)", ylabel=YLABEL,
                                fitted=fitted)


# ----------------------------------------------------------------------------------------------
# the whole page


@dataclass
class Results:
    """Everything the infant mortality page shows for one area (see :func:`analyse`)."""

    area_code: str
    area_name: str
    comparator: str
    comparator_name: str
    first_year: int
    last_year: int
    pool: int
    confidence: float
    pooled: pd.DataFrame
    annual: pd.DataFrame
    latest: pd.Series
    benchmark_latest: pd.Series
    fit: models.TrendFit
    fitted: pd.DataFrame
    gap: models.GapTest
    local_higher: bool
    projected: pd.DataFrame
    need: pd.Series
    deprivation_code: str | None
    deprivation_note: str
    quintiles: pd.DataFrame
    sii: pd.Series
    adjusted: pd.Series | None
    published: pd.DataFrame
    published_points: pd.DataFrame

    @property
    def years(self) -> str:
        return f"{self.first_year}-{self.last_year}"

    @property
    def is_district(self) -> bool:
        return self.deprivation_code not in (None, self.area_code)


def analyse(inputs: Inputs, area_code: str, comparator: str | None = None,
            first_year: int | None = None, last_year: int | None = None, pool: int = 3,
            inequality_pool: int = 5, to_year: int = 2030,
            confidence: float = 0.95) -> Results:
    """Compute every table, model and reading of the page for one area.

    Rates are for the area, its region and ``comparator`` (default: the country in areas.csv), pooled over
    ``pool`` years (the headline) and by single year; the trend, gap test and projection to
    ``to_year`` use single years from first_year to last_year (None = as far as the data go);
    deprivation quintiles use the latest ``inequality_pool`` years (widened when too few deaths,
    see :func:`inequality_period`); districts take their county's quintiles.
    """
    level = _check_confidence(confidence)
    geography = inputs.geography
    if comparator is None:
        comparator = geography.country()
    for code, what in ((area_code, "area_code"), (comparator, "comparator")):
        if not geography.is_known(code):
            raise ValueError(f"{what} {code!r} is not an area code in areas.csv")
    if area_code == comparator:
        raise ValueError("area_code and comparator must be different areas")
    counts = select_years(inputs.births_deaths, first_year, last_year)
    first, last = int(counts["year"].min()), int(counts["year"].max())
    region = geography.region(area_code)
    codes = list(dict.fromkeys(c for c in (area_code, region, comparator) if c is not None))
    pooled = compare_with(rates(counts, geography, codes, pool=pool, confidence=level), comparator)
    annual = compare_with(rates(counts, geography, [area_code, comparator], pool=1,
                                confidence=level), comparator)
    area_latest, bench_latest = latest(pooled, area_code), latest(pooled, comparator)
    fit = trend(counts, area_code, level)
    gap_result = gap(counts, area_code, comparator, level)
    projected = projection(fit, counts, area_code, to_year=to_year, pool=pool)
    need = deaths_to_match(area_latest, float(bench_latest["rate"]), pool)

    deprivation = select_years(inputs.by_deprivation, first, last)
    dep_code, dep_note = deprivation_area(deprivation, geography, area_code)
    quintiles = pd.DataFrame(columns=["area_code", "area_name", "imd_quintile", "quintile",
                                      "period", "live_births", "infant_deaths", "rate", "lower",
                                      "upper", "note"])
    index = pd.Series(np.nan, index=["sii", "sii_lower", "sii_upper", "rii", "rii_lower",
                                     "rii_upper"], name="sii")
    adjusted = None
    if dep_code is not None:
        start, end, widened = inequality_period(deprivation, dep_code, first, last,
                                                inequality_pool)
        dep_note = " ".join(t for t in (dep_note, widened) if t)
        with_bench = comparator in set(deprivation["area_code"])
        quintiles = deprivation_rates(deprivation, geography,
                                      [dep_code, comparator] if with_bench else [dep_code],
                                      start, end, level)
        index = inequality(quintiles[quintiles["area_code"] == dep_code], level)
        if with_bench:
            adjusted = deprivation_adjusted(quintiles, dep_code, comparator)
    table = published_table(inputs.published, area_code)
    points = published_points(inputs.published, area_code, pooled["period"].unique())
    return Results(
        area_code=area_code, area_name=geography.name(area_code), comparator=comparator,
        comparator_name=geography.name(comparator), first_year=first, last_year=last, pool=pool,
        confidence=level, pooled=pooled, annual=annual, latest=area_latest,
        benchmark_latest=bench_latest, fit=fit, fitted=fitted_rates(fit, counts, area_code),
        gap=gap_result, local_higher=is_higher(counts, area_code, comparator),
        projected=projected, need=need, deprivation_code=dep_code, deprivation_note=dep_note,
        quintiles=quintiles, sii=index, adjusted=adjusted, published=table,
        published_points=points)


def key_messages(results: Results) -> str:
    """The page's summary for councillors, as Markdown bullet points."""
    r = results
    row = r.latest
    comparison = {"worse": "significantly higher than", "better": "significantly lower than",
                  "similar": "not significantly different from"}.get(row["compared"],
                                                                      "not compared with")
    first = (f"**{r.latest['period']}:** {_num(row['rate'])} infant deaths {UNIT} in "
             f"{r.area_name} ({ci_label(r.confidence)} {_num(row['lower'])} to "
             f"{_num(row['upper'])}), {comparison} {possessive(r.comparator_name)} "
             f"{_num(r.benchmark_latest['rate'])}." if pd.notna(row["rate"]) else
             f"**{row['period']}:** the rate for {r.area_name} is not published (fewer than 3 "
             "deaths).")
    if r.fit.ratio_upper < 1:
        direction = f"falling by {_pct(r.fit.ratio)} a year"
    elif r.fit.ratio_lower > 1:
        direction = f"rising by {_pct(r.fit.ratio)} a year"
    else:
        direction = "no clear rise or fall"
    if r.gap.narrowing is None:
        closing = f"no clear evidence that the gap with {r.comparator_name} is changing"
    else:
        change = "narrowing" if r.gap.narrowing else "widening"
        closing = f"the gap with {r.comparator_name} is {change}"
    trend_line = f"**Trend {r.years}:** {direction}; {closing}."
    if r.need["fewer_deaths_per_year"] > 0:
        take = (f"**To match {r.comparator_name}:** about {_num(r.need['fewer_deaths_per_year'])} "
                f"fewer infant deaths a year (of about {_num(r.need['deaths_per_year'])} a year "
                f"in {row['period']})")
        take += ("; the difference could be chance." if r.need["fewer_lower"] <= 0 else ".")
    else:
        take = f"**Compared with {r.comparator_name}:** already at or below its rate."
    end = r.projected.iloc[-1]
    projection_line = (f"**{int(end['year'])} if the trend continues:** about "
                       f"{_num(end['rate'])} {UNIT} "
                       f"({ci_label(r.confidence).replace('CI', 'prediction interval')} "
                       f"{_num(end['lower_pi'])} to {_num(end['upper_pi'])})."
                       + fit_caution(r.fit))
    lines = [first, trend_line, projection_line, take]
    if r.sii.notna().all():
        where = f"{r.quintiles['area_name'].iloc[0]}, {r.quintiles['period'].iloc[0]}"
        lines.append(f"**Deprivation ({where}):** the rate at the most deprived end is "
                     f"{r.sii['rii']:.1f} times that at the least deprived end.")
    return "\n".join(f"- {line}" for line in lines)


# ----------------------------------------------------------------------------------------------
# page elements: keyword arguments for jsnalib.report.display.figure / jsnalib.report.display.table


def _download(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV-ready copy with floats rounded to 4 decimals (stable across platforms)."""
    return frame.round(4)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def pooled_figure(results: Results) -> dict:
    """The headline chart: pooled rates of the area, its region and the comparator."""
    r = results
    title = f"Infant mortality, {r.area_name}: {r.pool}-year pooled rates"
    fig, alt = rates_chart(r.pooled, title, f"{r.pool}-year period (calendar years)",
                           r.published_points)
    names = ", ".join(r.pooled["area_name"].unique())
    caption = (f"Infant deaths {UNIT}, {r.pool}-year pooled, {names}; shaded bands are "
               f"{ci_label(r.confidence)}s.")
    if not r.published_points.empty:
        caption += " Black diamonds are published figures, labelled with their source document."
    return {"fig": fig, "alt": alt, "caption": caption, "data": _download(r.pooled),
            "name": f"infant-mortality-pooled-{_slug(r.area_name)}"}


def pooled_table(results: Results) -> dict:
    """The area's pooled rates, each period compared with the comparator's."""
    r = results
    rows = r.pooled[r.pooled["area_code"] == r.area_code]
    return {"data": display_rates(rows, r.confidence, r.comparator_name),
            "caption": f"{r.area_name}: infant mortality, {r.pool}-year pooled rates",
            "name": f"infant-mortality-pooled-table-{_slug(r.area_name)}",
            "formats": rate_formats(r.confidence, r.comparator_name),
            "download": _download(r.pooled)}


def annual_table(results: Results) -> dict:
    """The area's single-year rates, each compared with the comparator's."""
    r = results
    rows = r.annual[r.annual["area_code"] == r.area_code]
    return {"data": display_rates(rows, r.confidence, r.comparator_name),
            "caption": f"{r.area_name}: infant mortality by calendar year",
            "name": f"infant-mortality-annual-{_slug(r.area_name)}",
            "formats": rate_formats(r.confidence, r.comparator_name),
            "download": _download(r.annual)}


def projection_figure(results: Results) -> dict:
    """Annual rates, the fitted trend and its projection against the comparator's latest rate."""
    r = results
    end = int(r.projected["year"].iloc[-1])
    annual = r.annual[r.annual["area_code"] == r.area_code]
    title = f"Infant mortality, {r.area_name}: trend {r.years} and projection to {end}"
    fig, alt = projection_chart(annual, r.fitted, r.projected, r.benchmark_latest,
                                r.comparator_name, title, r.confidence)
    data = pd.concat([
        annual.assign(series="observed")[["series", "start_year", "live_births",
                                          "infant_deaths", "rate", "lower", "upper"]]
        .rename(columns={"start_year": "year"}),
        r.fitted.assign(series="fitted trend"),
        r.projected.rename(columns={"lower_ci": "lower", "upper_ci": "upper"})
        .assign(series="projection"),
    ], ignore_index=True)
    caption = (f"Infant deaths {UNIT} in {r.area_name} each year with {ci_label(r.confidence)}s, "
               f"the fitted {MODEL_NAMES[r.fit.family]} trend and its projection to {end} "
               f"(shaded: the range a single year's rate could take by chance); dotted line: "
               f"{possessive(r.comparator_name)} {r.benchmark_latest['period']} rate.")
    if annual["rate"].isna().any():
        caption += (" Years with fewer than 3 deaths have no rate drawn, but their deaths and "
                    "births are part of the trend.")
    return {"fig": fig, "alt": alt, "caption": caption, "data": _download(data),
            "name": f"infant-mortality-projection-{_slug(r.area_name)}"}


def deprivation_figure(results: Results) -> dict | None:
    """Rates by deprivation quintile with the SII line (None when there are no quintile data)."""
    r = results
    if r.deprivation_code is None:
        return None
    rows = r.quintiles[r.quintiles["area_code"] == r.deprivation_code]
    name, period = rows["area_name"].iloc[0], rows["period"].iloc[0]
    title = f"Infant mortality by deprivation quintile, {name}, {period}"
    fig, alt = deprivation_chart(rows, title)
    caption = (f"Infant deaths {UNIT} in {name} by IMD quintile of the mother's area, {period}, "
               f"with {ci_label(r.confidence)}s")
    caption += ("; the line is the slope index of inequality fitted across the quintiles."
                if rows["rate"].notna().all() else
                "; quintiles with fewer than 3 deaths have no rate.")
    return {"fig": fig, "alt": alt, "caption": caption, "data": _download(rows),
            "name": f"infant-mortality-deprivation-{_slug(name)}"}


def deprivation_table(results: Results) -> dict | None:
    """Quintile rates of the area (or its county) and of the comparator, when it has them."""
    r = results
    if r.deprivation_code is None:
        return None
    period = r.quintiles["period"].iloc[0]
    return {"data": display_rates(r.quintiles, r.confidence),
            "caption": f"Infant mortality by deprivation quintile, {period}",
            "name": f"infant-mortality-deprivation-table-{_slug(r.area_name)}",
            "formats": rate_formats(r.confidence), "download": _download(r.quintiles)}


def deprivation_text(results: Results) -> str:
    """The deprivation section's reading: which area's figures, the gradient, and how much of
    the gap with the comparator the deprivation mix explains."""
    r = results
    parts = [r.deprivation_note] if r.deprivation_note else []
    if r.deprivation_code is not None:
        rows = r.quintiles[r.quintiles["area_code"] == r.deprivation_code]
        parts.append(describe_inequality(rows, r.sii, r.confidence))
        if r.adjusted is not None:
            parts.append(describe_deprivation_adjusted(
                r.adjusted, rows["area_name"].iloc[0], r.comparator_name, rows["period"].iloc[0]))
    return "\n\n".join(parts)


def gap_text(results: Results) -> str:
    """The trend section's reading: trend, model choice and whether the gap is changing."""
    r = results
    return "\n\n".join([
        describe_trend(r.fit, r.area_name, r.first_year, r.last_year),
        describe_model(r.fit),
        describe_gap(r.gap, r.area_name, r.comparator_name, r.local_higher),
    ])


def target_text(results: Results) -> str:
    """The 'what would it take' section's reading."""
    r = results
    bench = r.benchmark_latest
    return "\n\n".join([
        describe_deaths_to_match(r.need, r.area_name, r.latest["period"], r.comparator_name,
                                 float(bench["rate"])),
        describe_projection(r.projected, r.area_name, bench, r.comparator_name, r.years,
                            r.confidence, r.fit),
    ])


def published_text(results: Results) -> str:
    """Which published figures there are and which are on the chart."""
    return describe_published(results.published, results.published_points, results.area_name)


def published_figures_table(results: Results) -> dict | None:
    """The published figures for the area, with their source document and line (None when
    there are none)."""
    r = results
    if r.published.empty:
        return None
    return {"data": r.published, "caption": f"Published infant mortality figures, {r.area_name}",
            "name": f"infant-mortality-published-{_slug(r.area_name)}",
            "formats": {"Value": "{:.1f}", "Comparator value": "{:.1f}"}}
