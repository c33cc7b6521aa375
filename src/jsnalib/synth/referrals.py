"""Referrals to children's social care (record level), calibrated to the real DfE series.

How a referral history is made, per authority:

1. *Children arrive*: each financial year brings first referrals of new children, on days
   weighted towards weekdays and term time.
2. *Each referral has a source and an outcome*: re-referrals come more often from the police
   and less often from schools than first referrals; re-referrals and children with an earlier
   child protection plan more often end in a plan.
3. *Some children come back*: after a referral a child returns within 12 months with a
   probability that depends on the year and on the referral's outcome (a referral closed with
   no further action or as "not in need" is followed by another more often than one that led to
   services), after a gap of days with a gamma distribution; a few return after more than a
   year. So re-referral depends on source and on the previous outcome, which the re-referral
   chapter's models can find.
4. *Calibration*: arrivals and return probabilities are tuned by a few rounds of simulation
   towards each year's target number of referrals and re-referrals; then the exact targets are
   reached by small changes that move nothing else: adding or removing children with a single
   referral, giving a single-referral child's referral to a child referred within the previous
   365 days (who has no other referral for two years after), or giving a child's last
   re-referral to a new child. Outcomes are then adjusted year by year (in date order) to the
   target shares of no further action, children becoming the subject of a plan, and repeat
   plans. The targets of referrals and re-referrals are the authority's **real** published
   counts, DfE *Characteristics of children in need* (``cin_census.csv``), for every year DfE
   publishes (2012-13 to 2024-25 in the file shipped). An authority whose series starts with
   the file gets records from a year earlier (2011-12, sized like 2012-13, not tuned) so that
   every published year has its 12-month look-back; one whose series starts later (an
   authority created since, e.g. Cumberland in 2023-24) gets records only from its first
   published year, whose re-referrals are then not tuned (no look-back). A year DfE leaves
   blank (a marker) is sized like the nearest published one, its re-referrals not tuned. Any
   home authority works: each draws from its own random stream (the seed and its code).
   Outcomes follow the designed shares of world.py (England's general shape for authorities not
   designed there), with Staffordshire's published 2014-15 and 2015-16 figures exact; plan
   rates are per 10,000 of the real 0-17 population (``population.csv``).
5. A few referrals are recorded twice on the same day (a second agency), added after the
   tuning, and a few single-referral children have no child ID (allowed by the contract,
   reported by the analysis).

Re-referrals are counted with :func:`jsnalib.methods.derive.flag_rereferrals`, and the same-day
copies are added after the tuning, so once they are merged again
(:func:`jsnalib.methods.derive.merge_same_day`, as the re-referral page does) the records give
DfE's published referrals and re-referrals exactly, year by year.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np
import pandas as pd
from scipy import stats

from jsnalib.methods.derive import flag_rereferrals
from jsnalib.synth import world

SOURCES = ("individual", "school", "health", "police", "local_authority", "housing", "other",
           "unknown")
OUTCOMES = ("no_further_action", "assessment_not_in_need", "child_in_need",
            "child_protection_plan")
NFA, NOT_IN_NEED, IN_NEED, PLAN = range(4)
UNKNOWN = SOURCES.index("unknown")

SOURCE_SHARE_FIRST = np.array([0.09, 0.19, 0.15, 0.24, 0.15, 0.02, 0.09, 0.07])
SOURCE_SHARE_RETURN = np.array([0.10, 0.12, 0.12, 0.34, 0.15, 0.02, 0.09, 0.06])
"""Who refers: first referrals and re-referrals within 12 months (police-led re-referrals,
e.g. repeated domestic abuse notifications)."""

UNKNOWN_SOURCE_TREND = {2006: 1.6, 2015: 1.0, 2023: 0.5}
"""Recording improves: the 'unknown' source becomes rarer over time (multiplier)."""

OUTCOME_SHARE_FIRST = np.array([0.10, 0.30, 0.52, 0.08])
OUTCOME_SHARE_RETURN = np.array([0.11, 0.25, 0.52, 0.12])
EARLIER_PLAN_RR = 2.5
"""A child with an earlier plan is this many times as likely to have a plan again."""

RETURN_RR = np.array([1.5, 1.2, 0.9, 0.7])
"""Relative chance of a re-referral within 12 months after each outcome."""

LATER_RETURN = np.array([0.12, 0.12, 0.14, 0.30])
"""Chance of a next referral more than 12 months later (instead of none), by outcome: families
whose child had a plan often come back after the plan ends."""

GAP_SHAPE, GAP_SCALE_DAYS, GAP_MAX_DAYS = 1.1, 100.0, 360
LATER_GAP_MIN_DAYS, LATER_GAP_MEAN_DAYS = 367, 500.0

DUPLICATE_SHARE = 0.0025
MISSING_ID_SHARE = 0.0012
TUNING_ROUNDS = 5
ARRIVAL_GAIN, RETURN_GAIN = 0.55, 0.7
"""Damped corrections between tuning rounds (a new child also brings returns in the same and
later years, so a full correction would overshoot and oscillate)."""

REPEAT_AFTER_YEARS = 3
"""Repeat plans are tuned once the records hold this many years of an authority's history
(from 2014-15 when they start in 2011-12)."""


class _Calendar:
    """The days of the records: financial years ``first``-``first+1`` to ``last``-``last+1``
    (first calendar years), with each day's weight (weekdays and term time) and year index."""

    def __init__(self, first: int, last: int):
        self.years = np.arange(first, last + 1)
        self.n = len(self.years)
        self.first_day = np.datetime64(f"{first}-04-01").astype(np.int64)
        self.last_day = np.datetime64(f"{last + 1}-03-31").astype(np.int64)
        self.days = np.arange(self.first_day, self.last_day + 1)
        dates = self.days.astype("datetime64[D]")
        year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        self.fy_of_day = year - (month < 4) - first
        weekday = (self.days + 3) % 7  # 0 = Monday
        weights = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.12, 0.08])[weekday]
        month_factor = np.ones(13)
        month_factor[[8, 12]] = [0.8, 0.85]
        month_factor[[9, 10, 11]] = 1.08
        self.weights = weights * month_factor[month]

    def fy(self, days: np.ndarray) -> np.ndarray:
        """Index of the financial year of each day (int days since 1970)."""
        return self.fy_of_day[days - self.first_day]

    def sample_days(self, rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
        """Days (int, since 1970) for ``counts[i]`` referrals in financial year i."""
        out = []
        for i, count in enumerate(counts):
            if count == 0:
                continue
            mask = self.fy_of_day == i
            weights = self.weights[mask]
            out.append(rng.choice(self.days[mask], size=int(count), p=weights / weights.sum()))
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


@functools.cache
def _calendar(first: int, last: int) -> _Calendar:
    return _Calendar(first, last)


def _categorical(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row of an (n, k) probability matrix."""
    cumulative = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(probabilities))[:, None]
    return np.minimum((u > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def _sources(rng: np.random.Generator, cal: _Calendar, days: np.ndarray, returning: np.ndarray
             ) -> np.ndarray:
    shares = np.where(returning[:, None], SOURCE_SHARE_RETURN, SOURCE_SHARE_FIRST)
    trend = world.interpolate(UNKNOWN_SOURCE_TREND, cal.years)[cal.fy(days)]
    shares[:, UNKNOWN] *= trend
    return _categorical(rng, shares)


def _outcomes(rng: np.random.Generator, returning: np.ndarray, earlier_plan: np.ndarray
              ) -> np.ndarray:
    shares = np.where(returning[:, None], OUTCOME_SHARE_RETURN, OUTCOME_SHARE_FIRST)
    shares[:, PLAN] *= np.where(earlier_plan, EARLIER_PLAN_RR, 1.0)
    return _categorical(rng, shares)


def _snap_to_weekday(rng: np.random.Generator, days: np.ndarray, latest: np.ndarray
                     ) -> np.ndarray:
    """Move most weekend days to a random weekday of the week after (unless past ``latest``)."""
    weekday = (days + 3) % 7
    moved = days + (7 - weekday) + rng.integers(0, 5, len(days))
    move = (weekday >= 5) & (rng.random(len(days)) < 0.85) & (moved <= latest)
    return np.where(move, moved, days)


def _simulate(rng: np.random.Generator, cal: _Calendar, arrivals: np.ndarray,
              within: np.ndarray) -> dict[str, np.ndarray]:
    """Referral histories: ``arrivals[i]`` new children and return chance ``within[i]`` in
    financial year i. Returns arrays child, day, source, outcome (unsorted)."""
    day = cal.sample_days(rng, arrivals)
    child = np.arange(len(day))
    returning = np.zeros(len(day), dtype=bool)
    earlier_plan = np.zeros(len(day), dtype=bool)
    parts: list[tuple[np.ndarray, ...]] = []
    gap_cdf_max = stats.gamma.cdf(GAP_MAX_DAYS, GAP_SHAPE, scale=GAP_SCALE_DAYS)
    while len(day):
        outcome = _outcomes(rng, returning, earlier_plan)
        source = _sources(rng, cal, day, returning)
        parts.append((child, day, source, outcome))
        p_within = np.minimum(within[cal.fy(day)] * RETURN_RR[outcome], 0.95)
        u = rng.random(len(day))
        back_soon = u < p_within
        back_later = ~back_soon & (u < p_within + LATER_RETURN[outcome])
        gap = np.zeros(len(day), dtype=np.int64)
        n_soon = int(back_soon.sum())
        gap[back_soon] = 1 + np.floor(stats.gamma.ppf(rng.random(n_soon) * gap_cdf_max,
                                                      GAP_SHAPE, scale=GAP_SCALE_DAYS))
        gap[back_later] = LATER_GAP_MIN_DAYS + np.floor(
            rng.exponential(LATER_GAP_MEAN_DAYS - LATER_GAP_MIN_DAYS, int(back_later.sum())))
        latest = np.where(back_soon, day + 364, np.iinfo(np.int64).max)
        following = _snap_to_weekday(rng, day + gap, latest)
        keep = (back_soon | back_later) & (following <= cal.last_day)
        child, day = child[keep], following[keep]
        returning = back_soon[keep]
        earlier_plan = (earlier_plan | (outcome == PLAN))[keep]
    return {name: np.concatenate([p[i] for p in parts])
            for i, name in enumerate(("child", "day", "source", "outcome"))}


class _History:
    """Referrals of one authority, with what the tuning steps need to know about each:
    ``flag`` (a re-referral, by :func:`~jsnalib.methods.derive.flag_rereferrals`), ``count`` (the
    child's referrals), ``next_day`` (the child's next referral on a later day; a huge number
    when none) and ``fy`` (financial year index)."""

    def __init__(self, cal: _Calendar, child: np.ndarray, day: np.ndarray):
        self.child, self.day = child, day
        frame = pd.DataFrame({"child_id": child, "referral_date": day.astype("datetime64[D]")})
        self.flag = flag_rereferrals(frame).to_numpy()
        self.count = np.bincount(child)[child]  # referrals of the same child
        order = np.lexsort((day, child))
        c, d = child[order], day[order]
        # the child's next referral on a later day (a big number when there is none)
        run_last = np.r_[(c[1:] != c[:-1]) | (d[1:] != d[:-1]), True]
        nxt = np.full(len(c), np.iinfo(np.int64).max // 2)
        idx = np.flatnonzero(run_last)[:-1]
        same = c[idx + 1] == c[idx]
        nxt[idx[same]] = d[idx[same] + 1]
        # spread each run's next day to all members of the run
        run_id = np.cumsum(np.r_[True, run_last[:-1]]) - 1
        following = nxt[np.flatnonzero(run_last)][run_id]
        self.next_day = np.empty(len(c), dtype=np.int64)
        self.next_day[order] = following
        self.fy = cal.fy(day)


def _tune_totals(rng, cal, data, targets, years):
    """Add or remove single-referral children until each year has its target referrals."""
    history = _History(cal, data["child"], data["day"])
    keep = np.ones(len(data["day"]), dtype=bool)
    added = []
    next_child = int(data["child"].max()) + 1
    for i in years:
        need = int(targets[i] - (history.fy == i).sum())
        if need < 0:
            pool = np.flatnonzero((history.fy == i) & (history.count == 1))
            if len(pool) < -need:
                raise RuntimeError(f"cannot reach the referral target of year {i}")
            keep[rng.choice(pool, -need, replace=False)] = False
        elif need > 0:
            counts = np.zeros(cal.n, dtype=np.int64)
            counts[i] = need
            day = cal.sample_days(rng, counts)
            added.append({"child": np.arange(next_child, next_child + need), "day": day,
                          "source": _sources(rng, cal, day, np.zeros(need, dtype=bool)),
                          "outcome": _outcomes(rng, np.zeros(need, dtype=bool),
                                               np.zeros(need, dtype=bool))})
            next_child += need
    out = {k: v[keep] for k, v in data.items()}
    for extra in added:
        out = {k: np.concatenate([out[k], extra[k]]) for k in out}
    return out


def _tune_rereferrals(rng, cal, data, targets, years):
    """Reach each year's target re-referrals without changing any other referral's status.

    One more: a child with a single referral (never a re-referral) is merged into a "host"
    child whose referral lies 1-365 days before it and who has no further referral for over
    two years (731 days) after it, so the moved referral becomes a re-referral and the host's
    next referral, over a year later still, stays as it was. One fewer: a re-referral that is
    its child's last referral goes to a new child. Years are done in date order, each checked
    with :func:`~jsnalib.methods.derive.flag_rereferrals`.
    """
    child = data["child"].copy()
    next_child = int(child.max()) + 1
    for i in years:
        for _attempt in range(20):
            history = _History(cal, child, data["day"])
            in_year = history.fy == i
            need = int(targets[i] - history.flag[in_year].sum())
            if need == 0:
                break
            if need < 0:
                pool = np.flatnonzero(in_year & history.flag
                                      & (history.next_day > cal.last_day))
                chosen = rng.choice(pool, min(-need, len(pool)), replace=False)
                child[chosen] = np.arange(next_child, next_child + len(chosen))
                next_child += len(chosen)
                continue
            movers = np.flatnonzero(in_year & (history.count == 1))
            movers = rng.permutation(movers)[:need]
            moving = np.zeros(len(child), dtype=bool)
            moving[movers] = True
            hosts = np.flatnonzero((history.next_day - history.day > 731) & ~moving)
            hosts = hosts[np.argsort(history.day[hosts], kind="stable")]
            host_day = history.day[hosts]
            day = history.day[movers]
            low = np.searchsorted(host_day, day - 365, "left")
            high = np.searchsorted(host_day, day - 1, "right")
            ok = high > low
            pick = low + np.floor(rng.random(len(movers)) * (high - low)).astype(np.int64)
            movers, pick = movers[ok], hosts[pick[ok]]
            _, first = np.unique(child[pick], return_index=True)
            first = np.sort(first)
            child[movers[first]] = child[pick[first]]
        else:
            raise RuntimeError(f"cannot reach the re-referral target of year {i}")
    return {**data, "child": child}


def _earlier_plan(child, day, outcome):
    """Whether the child had a plan on an earlier day than each referral."""
    order = np.lexsort((day, child))
    c, d, plan = child[order], day[order], (outcome[order] == PLAN).astype(np.int64)
    new_child = np.r_[True, c[1:] != c[:-1]]
    new_day = new_child | np.r_[True, d[1:] != d[:-1]]
    cumulative = np.cumsum(plan)
    before_run = np.r_[0, cumulative[:-1]]
    child_start = np.maximum.accumulate(np.where(new_child, np.arange(len(c)), 0))
    run_start = np.maximum.accumulate(np.where(new_day, np.arange(len(c)), 0))
    earlier = (before_run[run_start] - before_run[child_start]) > 0
    out = np.empty(len(c), dtype=bool)
    out[order] = earlier
    return out


def _flip(rng, outcome, preferred, count, to, fallback=None):
    """Set ``count`` referrals to outcome ``to``: from ``preferred`` positions first, then from
    ``fallback``. Returns how many were set."""
    chosen = rng.permutation(preferred)[:count]
    if fallback is not None and len(chosen) < count:
        rest = np.setdiff1d(fallback, chosen)
        chosen = np.concatenate([chosen, rng.permutation(rest)[:count - len(chosen)]])
    outcome[chosen] = to
    return len(chosen)


def _unique_children(child, mask):
    """Positions in ``mask``, at most one per child."""
    positions = np.flatnonzero(mask)
    _, first = np.unique(child[positions], return_index=True)
    return positions[first]


def _plan_state(child, day, outcome, in_year):
    """Children with a plan in the year, how many had an earlier one, and the flip pools."""
    earlier = _earlier_plan(child, day, outcome)
    plan_year = in_year & (outcome == PLAN)
    positions = np.flatnonzero(plan_year)
    positions = positions[np.argsort(day[positions], kind="stable")]
    plan_children, first = np.unique(child[positions], return_index=True)
    n_repeat = int(earlier[positions[first]].sum())
    plans_of_child = np.bincount(child[plan_year], minlength=child.max() + 1)[child]
    single = plan_year & (plans_of_child == 1)  # the child's only plan referral in the year
    free = in_year & np.isin(outcome, (NOT_IN_NEED, IN_NEED)) & ~np.isin(child, plan_children)
    return len(plan_children), n_repeat, earlier, single, free


def _tune_outcomes(rng, cal, data, nfa, plans, repeats):
    """Per year, in date order: no-further-action count, children with a plan, repeat plans.

    Children with a plan are changed one referral at a time: a referral assessed as in need
    (or not) becomes a plan, or a child's only plan referral of the year becomes "in need";
    the pools are chosen so the share of repeat plans moves towards its target.
    """
    child, day = data["child"], data["day"]
    outcome = data["outcome"].copy()
    fy = cal.fy(day)
    for i in range(cal.n):
        in_year = fy == i
        need = int(nfa[i] - (in_year & (outcome == NFA)).sum())
        if need > 0:
            pool = np.flatnonzero(in_year & np.isin(outcome, (NOT_IN_NEED, IN_NEED)))
            _flip(rng, outcome, pool, need, NFA)
        elif need < 0:
            _flip(rng, outcome, np.flatnonzero(in_year & (outcome == NFA)), -need, NOT_IN_NEED)
        want_plans = int(plans[i])
        want_repeat = int(repeats[i]) if repeats[i] >= 0 else None
        for _attempt in range(12):
            n_plans, n_repeat, earlier, single, free = _plan_state(child, day, outcome, in_year)
            if want_repeat is None:
                gain_repeat = None
            else:
                gain_repeat = n_repeat * want_plans < want_repeat * max(n_plans, 1)
            if n_plans < want_plans:
                pool = _unique_children(child, free)
                preferred = pool if gain_repeat is None else pool[earlier[pool] == gain_repeat]
                _flip(rng, outcome, preferred, want_plans - n_plans, PLAN, fallback=pool)
            elif n_plans > want_plans:
                pool = np.flatnonzero(single)
                preferred = pool if gain_repeat is None else pool[earlier[pool] != gain_repeat]
                _flip(rng, outcome, preferred, n_plans - want_plans, IN_NEED, fallback=pool)
            elif want_repeat is not None and n_repeat != want_repeat:
                gain = n_repeat < want_repeat
                pool = _unique_children(child, free)
                incoming = pool[earlier[pool] == gain]
                outgoing = np.flatnonzero(single & (earlier != gain))
                swap = min(abs(want_repeat - n_repeat), len(incoming), len(outgoing))
                if swap == 0:
                    break
                _flip(rng, outcome, incoming, swap, PLAN)
                _flip(rng, outcome, outgoing, swap, IN_NEED)
            else:
                break
    return {**data, "outcome": outcome}


def _nearest(known: np.ndarray, years: np.ndarray) -> np.ndarray:
    """For each of ``years``, the nearest of ``known`` (the later one on a tie)."""
    distance = np.abs(known[None, :] - years[:, None]) - known[None, :] * 1e-6
    return known[distance.argmin(axis=1)]


def _record_years(census: pd.DataFrame, cal: _Calendar, census_first: int) -> np.ndarray:
    """Whether each year of the calendar has records of the authority.

    Records run from the authority's first year in the census to the calendar's end; an
    authority whose series starts with the census file (it existed before) also gets the
    calendar's earlier years (the look-back year before the first published one), one whose
    series starts later (a new authority) does not.
    """
    known = census.index[census["referrals"].notna()].to_numpy(dtype=np.int64)
    start = int(known.min())
    if start <= census_first:
        start = int(cal.years[0])
    return cal.years >= start


def _targets(rng, area: str, cal: _Calendar, active: np.ndarray, census: pd.DataFrame,
             population: pd.Series):
    """Yearly targets: referrals, re-referrals (-1 = not tuned), NFA, plans, repeat plans.

    ``census`` is the area's rows of the real cin_census.csv indexed by first calendar year,
    ``population`` its real 0-17 mid-year estimates by year. A year DfE does not publish is
    sized like the nearest published one; re-referrals are tuned where DfE publishes them and
    the records hold the year before (the 12-month look-back). Years without records
    (``active`` False) have every target 0.
    """
    years = cal.years
    known = census.index[census["referrals"].notna()].to_numpy(dtype=np.int64)
    referrals = census.loc[_nearest(known, years), "referrals"].to_numpy(dtype=np.int64)
    rereferrals = census["rereferrals"].reindex(years).to_numpy(dtype=float)
    look_back = np.r_[False, active[:-1]]
    tuned = active & look_back & np.isin(years, known) & ~np.isnan(rereferrals)
    rereferrals = np.where(tuned, np.nan_to_num(rereferrals), -1).astype(np.int64)
    people = population.dropna()
    if people.empty:
        raise ValueError(f"population.csv has no 0-17 population of {area}: the plan rates of "
                         "its synthetic referrals are per 10,000 children")
    pop = people.loc[_nearest(people.index.to_numpy(dtype=np.int64), years)].to_numpy(
        dtype=float)
    calibrated = np.isin(years, world.CALIBRATED_REFERRAL_YEARS.get(area, ()))
    nfa_share = world.interpolate(world.design(world.NFA_PERCENT, area), years) / 100
    nfa = rng.binomial(referrals, nfa_share)
    plan_rate = world.interpolate(world.design(world.CPP_RATE, area), years) * pop / 10_000
    plans = rng.poisson(plan_rate)
    repeat_share = world.interpolate(world.design(world.CPP_REPEAT_PERCENT, area), years) / 100
    repeats = rng.binomial(plans, repeat_share)
    nfa[calibrated] = np.rint(nfa_share[calibrated] * referrals[calibrated])
    plans[calibrated] = np.rint(plan_rate[calibrated])
    repeats[calibrated] = np.rint(repeat_share[calibrated] * plans[calibrated])
    first = int(np.flatnonzero(active)[0])
    repeats[: first + REPEAT_AFTER_YEARS] = -1
    for target in (referrals, nfa, plans):
        target[~active] = 0
    return referrals, rereferrals, nfa, plans, repeats


def authority_referrals(rng: np.random.Generator, area: str, cal: _Calendar,
                        active: np.ndarray, census: pd.DataFrame, population: pd.Series
                        ) -> pd.DataFrame:
    """Record-level referrals of one authority in the years ``active`` of ``cal`` (child ids
    are integers, unique to the area); ``census`` and ``population`` as for :func:`_targets`."""
    referrals, rereferrals, nfa, plans, repeats = _targets(rng, area, cal, active, census,
                                                           population)
    tuned = np.flatnonzero(rereferrals >= 0)
    untuned = np.flatnonzero(rereferrals < 0)
    within = np.full(cal.n, 0.2)
    arrivals = np.rint(referrals * 0.7).astype(np.int64)
    seed = rng.integers(2**63)
    for _round in range(TUNING_ROUNDS):
        data = _simulate(np.random.default_rng(seed), cal, arrivals, within)
        history = _History(cal, data["child"], data["day"])
        counts = np.bincount(history.fy, minlength=cal.n)
        flagged = np.bincount(history.fy, weights=history.flag, minlength=cal.n)
        arrivals = np.maximum(arrivals + np.rint(ARRIVAL_GAIN * (referrals - counts)), 1
                              ).astype(np.int64)
        arrivals[~active] = 0
        ratio = np.where(rereferrals > 0, rereferrals / np.maximum(flagged, 1), 1.0)
        within = np.clip(within * ratio ** RETURN_GAIN, 0.02, 0.6)
        if len(tuned):
            within[untuned] = within[_nearest(tuned, untuned)]
    data = _tune_totals(rng, cal, data, referrals, range(cal.n))
    data = _tune_rereferrals(rng, cal, data, rereferrals, tuned)
    data = _duplicates(rng, data)
    data = _tune_outcomes(rng, cal, data, nfa, plans, repeats)
    history = _History(cal, data["child"], data["day"])
    single = np.flatnonzero((history.count == 1) & (data["outcome"] != PLAN))
    missing = np.zeros(len(data["day"]), dtype=bool)
    missing[rng.choice(single, int(MISSING_ID_SHARE * len(missing)), replace=False)] = True
    frame = pd.DataFrame({"child": data["child"], "day": data["day"],
                          "source": data["source"], "outcome": data["outcome"],
                          "missing": missing, "tiebreak": rng.random(len(missing))})
    frame["area_code"] = area
    return frame


def _duplicates(rng, data):
    """A few referrals recorded twice on the same day by a second agency."""
    n = len(data["day"])
    chosen = rng.choice(n, int(DUPLICATE_SHARE * n), replace=False)
    other = (data["source"][chosen] + rng.integers(1, len(SOURCES), len(chosen))) % len(SOURCES)
    extra = {k: v[chosen] for k, v in data.items()}
    extra["source"] = other
    return {k: np.concatenate([data[k], extra[k]]) for k in data}


def referrals(seed: int, areas: list[str], census: pd.DataFrame, population: pd.DataFrame,
              first_year: int | None = None) -> pd.DataFrame:
    """referrals.csv.gz as a frame, sorted by date, authority and referral id.

    Parameters
    ----------
    seed : int
        The random seed; each authority draws from its own stream of ``(seed, its code)``, so
        its records do not depend on which other authorities are generated with it.
    areas : list of str
        The home authorities (GSS codes) whose referrals are made.
    census : pandas.DataFrame
        The real cin_census.csv (area_code, financial_year, referrals, rereferrals; counts).
    population : pandas.DataFrame
        The real population.csv (area_code, year, age_group, population; 0-17, people).
    first_year : int, optional
        First calendar year of the first financial year of the records (default: the year
        before the census's first, the look-back year). The records end with the census's
        last year.

    Raises
    ------
    ValueError
        An authority has no referrals in cin_census.csv, or no 0-17 population.
    """
    start = census["financial_year"].str[:4].astype(np.int64)
    counts = census.assign(year=start).set_index(["area_code", "year"])
    census_first, census_last = int(start.min()), int(start.max())
    cal = _calendar(census_first - 1 if first_year is None else int(first_year), census_last)
    children = population[population["age_group"] == "0-17"].set_index(
        ["area_code", "year"])["population"].astype(float)
    frames = []
    offset = 0
    for area in areas:
        if area not in counts.index.get_level_values(0) or counts.loc[area][
                "referrals"].isna().all():
            raise ValueError(f"cin_census.csv has no referrals of {area}: its synthetic "
                             "records are calibrated to DfE's published counts")
        own = counts.loc[area]
        people = (children.loc[area] if area in children.index.get_level_values(0)
                  else pd.Series(dtype=float))
        active = _record_years(own, cal, census_first)
        rng = np.random.default_rng([int(seed), zlib.crc32(f"referrals {area}".encode())])
        frame = authority_referrals(rng, area, cal, active, own, people)
        frame["child"] += offset
        offset = int(frame["child"].max()) + 1
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["day", "area_code", "tiebreak"], ignore_index=True)
    # child ids numbered in order of first appearance; blank where missing
    codes, _ = pd.factorize(table["child"])
    child_id = np.char.add("C", np.char.zfill((codes + 1).astype(str), 7)).astype(object)
    child_id[table["missing"].to_numpy()] = ""
    return pd.DataFrame({
        "referral_id": np.char.add("R", np.char.zfill(np.arange(1, len(table) + 1).astype(str),
                                                      7)),
        "child_id": child_id,
        "referral_date": table["day"].to_numpy().astype("datetime64[D]").astype(str),
        "area_code": table["area_code"].to_numpy(),
        "source": np.asarray(SOURCES, dtype=object)[table["source"].to_numpy()],
        "outcome": np.asarray(OUTCOMES, dtype=object)[table["outcome"].to_numpy()],
    })
