"""The infant mortality page's numbers and verdicts: rates, trend, gap, projection, what it would
take to match the comparator, inequality by deprivation, and the published figures.

Nothing here writes a sentence: :class:`Results` holds numbers, tables of numbers, model results
and short verdicts; :mod:`.text` turns them into words and :mod:`.figures` into charts and tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jsnalib.indicators import IMR_NOTE_SUPPRESSED, IMR_SUPPRESS_BELOW
from jsnalib.inputs.geography import Geography
from jsnalib.methods import derive, models, stats
from jsnalib.methods.confidence import level as check_confidence

from .load import Inputs

#: Rates are per this many live births.
MULTIPLIER = 1000
#: Pearson dispersion (chi-square / residual df) above which a trend's projection is flagged as
#: resting on a poorly fitting model (1 is what chance alone gives).
POOR_FIT_DISPERSION = 1.5
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
QUINTILE_COLUMNS = ["area_code", "area_name", "imd_quintile", "quintile", "period", "live_births",
                    "infant_deaths", "rate", "lower", "upper", "note"]
QUINTILE_LABELS = {1: "1 (most deprived)", 2: "2", 3: "3", 4: "4", 5: "5 (least deprived)"}
DECILE_COLUMNS = ["area_code", "area_name", "imd_decile", "decile", "period", "live_births",
                  "infant_deaths", "rate", "lower", "upper", "note"]
DECILE_LABELS = {d: str(d) for d in range(1, 11)} | {1: "1 (most deprived)",
                                                    10: "10 (least deprived)"}
SII_FIELDS = ["sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"]
PUBLISHED_COLUMNS = ["indicator", "period", "value", "unit", "comparator_name",
                     "comparator_value", "source"]
#: A projected rate this close to the comparator's (per 1,000) reads as "about the same": it
#: would print as the same figure to one decimal place.
SAME_RATE = 0.05


# ----------------------------------------------------------------------------------------------
# rates


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


def add_rates(counts: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Add ``rate, lower, upper`` (per 1,000 live births) and ``note`` to counts.

    Limits: exact Poisson below 10 deaths, Byar's from 10 (:func:`jsnalib.methods.stats.rate`).
    Rates from fewer than 3 deaths are blanked (value and limits) as PHE does; those from 3-9
    deaths are kept and marked. Rows without births or deaths stay blank.
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


def rates(births_deaths: pd.DataFrame, geography: Geography, area_codes: Sequence[str],
          pool: int = 1, confidence: float = 0.95) -> pd.DataFrame:
    """Infant mortality rates per 1,000 live births for each area, by year or pooled period.

    ``pool`` consecutive calendar years are added up (:func:`jsnalib.methods.derive.pool_years`;
    3 gives the national "2017-19" periods, 1 single years). Returns :data:`RATE_COLUMNS`,
    areas in the order given, periods in time order.
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
    (:func:`jsnalib.methods.stats.compare`, lower is better). The benchmark's own rows say
    "benchmark".
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


def rate_status(row: pd.Series) -> str:
    """A rate row's standing: "suppressed" (fewer than 3 deaths), "not available" (no counts),
    "few deaths" (3-9 deaths: exact interval) or "published"."""
    deaths = row["infant_deaths"]
    if pd.isna(row["rate"]):
        return "suppressed" if pd.notna(deaths) and deaths < SUPPRESS_BELOW else "not available"
    return "few deaths" if deaths < EXACT_BELOW else "published"


# ----------------------------------------------------------------------------------------------
# trend and gap


def trend(births_deaths: pd.DataFrame, area_code: str, confidence: float = 0.95) -> models.TrendFit:
    """The annual trend of an area's rate: :func:`jsnalib.methods.models.poisson_trend` on its
    yearly deaths with log live births as offset (negative binomial when overdispersed)."""
    rows = births_deaths[births_deaths["area_code"] == area_code]
    if rows.empty:
        raise ValueError(f"births_deaths has no rows for {area_code!r}")
    frame = rows[["year", "live_births", "infant_deaths"]].astype(float)
    return models.poisson_trend(frame, count="infant_deaths", exposure="live_births",
                                time="year", confidence=confidence)


def trend_verdict(fit: models.TrendFit) -> str:
    """"falling" or "rising" when the annual rate ratio's interval excludes 1, else
    "no clear change"."""
    if fit.ratio_upper < 1:
        return "falling"
    if fit.ratio_lower > 1:
        return "rising"
    return "no clear change"


def fit_quality(fit: models.TrendFit) -> str:
    """"poor fit" when the Pearson dispersion is above :data:`POOR_FIT_DISPERSION` (the years
    scatter round the line far more than chance allows), else "adequate"."""
    return "poor fit" if fit.dispersion > POOR_FIT_DISPERSION else "adequate"


def fitted_rates(fit: models.TrendFit, births_deaths: pd.DataFrame, area_code: str
                 ) -> pd.DataFrame:
    """The fitted trend for the years observed: year, rate, lower, upper (per 1,000)."""
    rows = births_deaths[births_deaths["area_code"] == area_code]
    years = rows[["year", "live_births"]].dropna().astype(float).sort_values("year")
    projected = models.project_rate(fit, years, exposure="live_births", multiplier=MULTIPLIER,
                                    confidence=fit.confidence, n_sim=1000)
    return pd.DataFrame({"year": projected["year"].astype(int), "rate": projected["rate"],
                         "lower": projected["lower_ci"], "upper": projected["upper_ci"]})


def gap(births_deaths: pd.DataFrame, area_code: str, benchmark: str,
        confidence: float = 0.95) -> models.GapTest:
    """Is the gap with the benchmark changing? :func:`jsnalib.methods.models.gap_test` on annual
    counts (the local deaths modelled relative to the benchmark's observed yearly rates;
    quasi-Poisson with the local dispersion, t reference)."""
    rows = births_deaths[births_deaths["area_code"].isin([area_code, benchmark])]
    frame = rows[["area_code", "year", "live_births", "infant_deaths"]].astype(
        {"year": float, "live_births": float, "infant_deaths": float})
    return models.gap_test(frame, count="infant_deaths", exposure="live_births",
                           area="area_code", local=area_code, benchmark=benchmark,
                           time="year", confidence=confidence)


def is_higher(births_deaths: pd.DataFrame, area_code: str, benchmark: str) -> bool:
    """True when the area's rate over all the years given is above the benchmark's."""
    def overall(code: str) -> float:
        rows = births_deaths[births_deaths["area_code"] == code]
        return float(rows["infant_deaths"].sum()) / float(rows["live_births"].sum())
    return overall(area_code) > overall(benchmark)


def gap_verdict(result: models.GapTest) -> str:
    """"narrowing", "widening" or "no clear change" (not significant)."""
    if result.narrowing is None:
        return "no clear change"
    return "narrowing" if result.narrowing else "widening"


def gap_movement(result: models.GapTest, local_higher: bool) -> str | None:
    """Where a changing gap takes the area relative to the benchmark: "down towards", "further
    above", "up towards" or "further below" (None when the gap shows no clear change)."""
    if result.narrowing is None:
        return None
    falling = result.ratio_of_ratios < 1
    return {(True, True): "down towards", (True, False): "further above",
            (False, False): "up towards", (False, True): "further below"}[(local_higher, falling)]


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


def projection_verdict(projected: pd.DataFrame, benchmark_rate: float) -> str:
    """The last projected year against the benchmark's rate: "below" or "above" (the whole
    prediction interval on one side), else where the central projection lies: "about the same"
    (within :data:`SAME_RATE`), "central above" or "central at or below"."""
    end = projected.iloc[-1]
    if end["upper_pi"] < benchmark_rate:
        return "below"
    if end["lower_pi"] > benchmark_rate:
        return "above"
    if abs(end["rate"] - benchmark_rate) < SAME_RATE:
        return "about the same"
    return "central above" if end["rate"] > benchmark_rate else "central at or below"


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


def need_verdict(need: pd.Series) -> str:
    """"at or below" (no fewer deaths needed), "may be chance" (the gap's lower end is zero),
    "beyond chance", or "limits not available" (the rate has no interval)."""
    if need["fewer_deaths_per_year"] <= 0:
        return "at or below"
    if pd.isna(need["fewer_lower"]) or pd.isna(need["fewer_upper"]):
        return "limits not available"
    return "may be chance" if need["fewer_lower"] <= 0 else "beyond chance"


# ----------------------------------------------------------------------------------------------
# deprivation


def deprivation_area(by_deprivation: pd.DataFrame, geography: Geography, area_code: str
                     ) -> tuple[str | None, str]:
    """The area whose quintile data stand for ``area_code``, and whose they are: "own", "county"
    (a district's county) or "none" (with code None)."""
    available = set(by_deprivation["area_code"])
    if area_code in available:
        return area_code, "own"
    parent = geography.upper_tier(area_code)
    if parent != area_code and parent in available:
        return parent, "county"
    return None, "none"


def inequality_period(by_deprivation: pd.DataFrame, area_code: str, first_year: int,
                      last_year: int, pool: int = 5) -> tuple[int, int, int | None]:
    """The years over which to compare an area's deprivation quintiles: the latest ``pool``
    years, or every year from ``first_year`` when that leaves a quintile with fewer than 3
    deaths (its rate could not be published, nor the SII calculated). Returns (first, last,
    widened_from): the first year of the latest ``pool`` when the period was widened, else None."""
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
        return start, last_year, None
    return first_year, last_year, start


def deprivation_rates(by_deprivation: pd.DataFrame, geography: Geography,
                      area_codes: Sequence[str], first_year: int, last_year: int,
                      confidence: float = 0.95) -> pd.DataFrame:
    """Rates by IMD quintile over first_year..last_year (pooled), for each area.

    Columns: :data:`QUINTILE_COLUMNS` (small numbers treated as in :func:`add_rates`).
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
    return out[QUINTILE_COLUMNS]


def inequality(quintile_rates: pd.DataFrame, confidence: float = 0.95,
               group: str = "imd_quintile") -> pd.Series:
    """Slope and relative index of inequality across the quintiles (or, with
    ``group="imd_decile"``, deciles) of one area.

    :func:`jsnalib.methods.stats.sii` on the quintile rates (births as population), on the log
    scale (``value_type="rate"``), with the sign reversed so that a positive SII is the excess
    in the most deprived: SII = modelled rate at the most deprived end minus the least deprived
    end (per 1,000), RII = their ratio. All NaN when a quintile's rate is not published (fewer
    than 3 deaths) or is zero.
    """
    if quintile_rates["area_code"].nunique() != 1:
        raise ValueError("inequality needs the quintile rates of exactly one area")
    ordered = quintile_rates.sort_values(group)
    values = ordered["rate"].astype(float)
    if values.isna().any() or not (values > 0).all():
        return pd.Series(np.nan, index=SII_FIELDS, name="sii")
    # stats.sii derives standard errors from 95% limits, so recompute them at 95%
    births = ordered["live_births"].astype(float)
    limits = stats.rate(ordered["infant_deaths"].astype(float), births, multiplier=MULTIPLIER,
                        confidence=0.95)
    return stats.sii(ordered[group].astype(float), births, values,
                     lower=limits["lower"], upper=limits["upper"], value_type="rate",
                     multiplier=-1, confidence=confidence)


def england_deciles(deciles: pd.DataFrame, geography: Geography, pool: int = 5,
                    confidence: float = 0.95) -> pd.DataFrame:
    """England's infant mortality by IMD decile over the latest ``pool`` years of the ONS
    death-cohort table (births_deaths_imd_decile.csv), pooled: :data:`DECILE_COLUMNS`, small
    numbers treated as in :func:`add_rates`. Empty when there are no decile data; fewer years
    when the file has fewer consecutive ones."""
    if deciles.empty:
        return pd.DataFrame(columns=DECILE_COLUMNS)
    if pool < 1:
        raise ValueError(f"pool must be 1 or more years, got {pool}")
    last = int(deciles["year"].max())
    years = set(deciles["year"].astype(int))
    first = last
    while first - 1 in years and last - first + 1 < pool:
        first -= 1
    rows = deciles[deciles["year"].between(first, last)]
    summed = rows.groupby(["area_code", "imd_decile"], as_index=False)[
        ["live_births", "infant_deaths"]].sum(min_count=1)
    summed["area_name"] = summed["area_code"].map(geography.name).astype("str")
    summed["decile"] = summed["imd_decile"].map(DECILE_LABELS).astype("str")
    summed["period"] = f"{first}-{last % 100:02d}" if last > first else str(last)
    return add_rates(summed.sort_values("imd_decile").reset_index(drop=True),
                     confidence)[DECILE_COLUMNS]


def gradient_verdict(index: pd.Series) -> str:
    """Are infant deaths more common in more deprived areas? "higher" or "lower" when the SII's
    interval excludes 0, "no clear gradient" otherwise, "suppressed" when it cannot be
    calculated."""
    if index.isna().all():
        return "suppressed"
    if index["sii_lower"] > 0:
        return "higher"
    if index["sii_upper"] < 0:
        return "lower"
    return "no clear gradient"


def fitted_gradient(quintile_rates: pd.DataFrame, group: str = "imd_quintile",
                    label: str = "quintile") -> pd.DataFrame:
    """The SII regression line at each quintile's (or decile's) rank (births-weighted least
    squares of rate on relative rank, as :func:`jsnalib.methods.stats.sii` fits it): columns
    ``label`` (quintile), value."""
    ordered = quintile_rates.sort_values(group)
    share = ordered["live_births"].astype(float).to_numpy()
    share = share / share.sum()
    rank = np.cumsum(share) - share / 2
    slope, intercept = np.polyfit(rank, ordered["rate"].astype(float).to_numpy(), 1,
                                  w=np.sqrt(share))
    return pd.DataFrame({label: ordered[label].to_numpy(), "value": intercept + slope * rank})


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


def adjusted_verdicts(adjusted: pd.Series) -> tuple[str, str]:
    """:func:`deprivation_adjusted` as two verdicts: whether the deprivation mix "explains" part
    of the gap, "does not explain" it, or there is "no gap"; and whether deaths are "higher",
    "lower" or "similar" to what the benchmark's quintile rates would give (95% interval of the
    observed/expected ratio against 1)."""
    share = adjusted["share_explained"]
    mix = "no gap" if pd.isna(share) else "explains" if share > 0 else "does not explain"
    if adjusted["ratio_lower"] > 1:
        return mix, "higher"
    return mix, "lower" if adjusted["ratio_upper"] < 1 else "similar"


# ----------------------------------------------------------------------------------------------
# published figures


def published_table(published: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The published infant mortality rates for an area, with their source document:
    :data:`PUBLISHED_COLUMNS`."""
    is_rate = published["unit"].str.contains(r"per 1,?000 live births", regex=True)
    rows = published[(published["area_code"] == area_code) & is_rate]
    return rows[PUBLISHED_COLUMNS].reset_index(drop=True)


def published_points(published: pd.DataFrame, area_code: str, periods: Sequence[str]
                     ) -> pd.DataFrame:
    """Published rates for the area whose period is one of ``periods`` (those that can be drawn
    on the chart), as trend_chart's ``published`` frame: x, value, label (source document)."""
    table = published_table(published, area_code)
    table = table[table["period"].isin(list(periods))]
    return pd.DataFrame({"x": table["period"], "value": table["value"].astype(float),
                         "label": table["source"].str.replace(r"\s+line \d+$", "", regex=True)}
                        ).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# the whole page


@dataclass(frozen=True)
class Results:
    """Everything the infant mortality page shows for one area (see :func:`analyse`).

    Rates are per 1,000 live births; tables have the columns of :func:`rates` (``pooled``,
    ``annual``, with ``benchmark_rate`` and ``compared``) and :func:`deprivation_rates`
    (``quintiles``). Verdicts are short machine words (see each ``*_verdict`` function).
    """

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
    #: :func:`rate_status` of the latest pooled rate.
    latest_status: str
    fit: models.TrendFit
    fitted: pd.DataFrame
    #: :func:`trend_verdict` and :func:`fit_quality`.
    trend: str
    fit_quality: str
    gap: models.GapTest
    #: :func:`gap_verdict` and :func:`gap_movement`.
    gap_trend: str
    gap_movement: str | None
    projected: pd.DataFrame
    #: :func:`projection_verdict` of the last projected year against the comparator's latest.
    projection: str
    need: pd.Series
    #: :func:`need_verdict`.
    need_verdict: str
    deprivation_code: str | None
    #: "own", "county", "none" (:func:`deprivation_area`) or "synthetic" (the quintiles are the
    #: synthetic demonstration file: not shown).
    deprivation_source: str
    #: The first year of the latest quintile period when it was widened (else None).
    inequality_widened_from: int | None
    quintiles: pd.DataFrame
    sii: pd.Series
    #: :func:`gradient_verdict`.
    gradient: str
    #: The SII line for the chart (None when a quintile has no rate).
    gradient_line: pd.DataFrame | None
    adjusted: pd.Series | None
    #: :func:`adjusted_verdicts` (None without the comparator's quintiles).
    deprivation_mix: str | None
    adjusted_verdict: str | None
    published: pd.DataFrame
    published_points: pd.DataFrame
    #: England's rates by IMD decile (:func:`england_deciles`; empty without decile data).
    deciles: pd.DataFrame
    #: The SII and RII across England's deciles and :func:`gradient_verdict` of it.
    england_sii: pd.Series
    england_gradient: str
    #: The SII line for the England chart (None when a decile has no rate).
    england_line: pd.DataFrame | None

    @property
    def years(self) -> str:
        """The span of years analysed, e.g. "2006-2023"."""
        return f"{self.first_year}-{self.last_year}"


def analyse(inputs: Inputs, comparator: str | None = None, first_year: int | None = None,
            last_year: int | None = None, pool: int = 3, inequality_pool: int = 5,
            to_year: int = 2030, confidence: float = 0.95) -> Results:
    """Compute every table, model and verdict of the page for ``inputs.area_code``.

    Rates are for the area, its region and ``comparator`` (default: the country in areas.csv),
    pooled over ``pool`` years (the headline) and by single year; the trend, gap test and
    projection to ``to_year`` use single years from first_year to last_year (None = as far as
    the data go); deprivation quintiles use the latest ``inequality_pool`` years (widened when
    too few deaths, see :func:`inequality_period`); districts take their county's quintiles;
    synthetic demonstration quintiles are not used. England's gradient by IMD decile is over the
    latest ``inequality_pool`` years of the decile file (ONS death cohort).
    ``confidence`` is 0.9-1 or 90-100.
    """
    level = check_confidence(confidence)
    geography, area_code = inputs.geography, inputs.area_code
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
    dep_code, dep_source = deprivation_area(deprivation, geography, area_code)
    if inputs.deprivation_synthetic:
        dep_code, dep_source = None, "synthetic"
    deciles = england_deciles(inputs.england_deciles, geography, inequality_pool, level)
    england_index = (inequality(deciles, level, group="imd_decile") if len(deciles)
                     else pd.Series(np.nan, index=SII_FIELDS, name="sii"))
    england_line = (fitted_gradient(deciles, "imd_decile", "decile")
                    if len(deciles) and deciles["rate"].notna().all() else None)
    quintiles = pd.DataFrame(columns=QUINTILE_COLUMNS)
    index = pd.Series(np.nan, index=SII_FIELDS, name="sii")
    adjusted, widened_from, line = None, None, None
    if dep_code is not None:
        start, end, widened_from = inequality_period(deprivation, dep_code, first, last,
                                                     inequality_pool)
        with_bench = comparator in set(deprivation["area_code"])
        quintiles = deprivation_rates(deprivation, geography,
                                      [dep_code, comparator] if with_bench else [dep_code],
                                      start, end, level)
        own = quintiles[quintiles["area_code"] == dep_code]
        index = inequality(own, level)
        line = fitted_gradient(own) if own["rate"].notna().all() else None
        if with_bench:
            adjusted = deprivation_adjusted(quintiles, dep_code, comparator)
    mix, adjusted_verdict = adjusted_verdicts(adjusted) if adjusted is not None else (None, None)
    return Results(
        area_code=area_code, area_name=geography.name(area_code), comparator=comparator,
        comparator_name=geography.name(comparator), first_year=first, last_year=last, pool=pool,
        confidence=level, pooled=pooled, annual=annual, latest=area_latest,
        benchmark_latest=bench_latest, latest_status=rate_status(area_latest), fit=fit,
        fitted=fitted_rates(fit, counts, area_code), trend=trend_verdict(fit),
        fit_quality=fit_quality(fit), gap=gap_result, gap_trend=gap_verdict(gap_result),
        gap_movement=gap_movement(gap_result, is_higher(counts, area_code, comparator)),
        projected=projected,
        projection=projection_verdict(projected, float(bench_latest["rate"])),
        need=need, need_verdict=need_verdict(need), deprivation_code=dep_code,
        deprivation_source=dep_source, inequality_widened_from=widened_from,
        quintiles=quintiles, sii=index, gradient=gradient_verdict(index), gradient_line=line,
        adjusted=adjusted, deprivation_mix=mix, adjusted_verdict=adjusted_verdict,
        published=published_table(inputs.published, area_code),
        published_points=published_points(inputs.published, area_code,
                                           pooled["period"].unique()),
        deciles=deciles, england_sii=england_index,
        england_gradient=gradient_verdict(england_index), england_line=england_line)
