"""The re-referral page in words: each paragraph from :class:`~.analyse.Results`.

The tables at the top hold the wording: :data:`PHRASES` turns verdicts into words,
:data:`TEMPLATES` holds the sentences with their blanks, and :data:`SOURCE_LABELS` and
:data:`OUTCOME_LABELS` name the referral sources and outcomes (charts and tables use them too).
An analyst can change the wording there without touching the statistics. Below them is one
function per paragraph, ``f(results) -> str`` (Markdown). Numbers are formatted with
:mod:`jsnalib.report.format`; two forms it lacks (a signed number of percentage points and a
number in its shortest form, "95" or "99.8") are the private helpers :func:`_signed` and
:func:`_short`.
"""

from __future__ import annotations

import pandas as pd

from jsnalib.inputs.contracts import REFERRALS
from jsnalib.methods import disclosure
from jsnalib.methods.models import TrendFit
from jsnalib.report import charts
from jsnalib.report.format import MISSING, count, number, p_text, percent

from .analyse import Difference, Results, has_records

__all__ = [
    "METHOD_NOTES",
    "OUTCOME_LABELS",
    "PHRASES",
    "SOURCE_LABELS",
    "TEMPLATES",
    "about_method",
    "comparison",
    "funnel",
    "meaning",
    "no_records",
    "published",
    "records_note",
    "series",
    "spc",
    "summary",
    "timing",
    "trend",
    "what_this_means",
]

#: Referral sources (codes of referrals.csv.gz) as readers see them.
SOURCE_LABELS = {
    "individual": "Individuals", "school": "Schools", "health": "Health services",
    "police": "Police", "local_authority": "Local authority services", "housing": "Housing",
    "other": "Other sources", "unknown": "Not known",
}
#: Outcomes of a referral (codes of referrals.csv.gz) as readers see them.
OUTCOME_LABELS = {
    "no_further_action": "No further action",
    "assessment_not_in_need": "Assessed: not in need",
    "child_in_need": "Child in need",
    "child_protection_plan": "Child protection plan",
}

#: Verdicts in words.
PHRASES = {
    # where the record-derived figures come from (Results.synthetic_records)
    "synthetic records": "these synthetic demonstration records",
    "records": "these records",
    "synthetic source": "from the synthetic demonstration records",
    "source": "from the referral records",
    # a difference of two percentages (Difference.verdict)
    "difference higher": "the whole interval is on one side of no difference, so it is unlikely "
                         "to be chance.",
    "difference lower": "the whole interval is on one side of no difference, so it is unlikely "
                        "to be chance.",
    "difference similar": "the interval includes no difference, so it may be chance.",
    # the area against a benchmark (stats.compare)
    "higher": "higher", "similar": "similar", "lower": "lower", "better": "better",
    "worse": "worse", "not compared": "not compared",
    # the yearly trend (trend_verdict)
    "no clear change": "The interval includes no change, so there is no clear evidence of a "
                       "steady trend over these years.",
    "falling": "The whole interval ({lower} to {upper} a year) is on one side of no change, so "
               "the fall is unlikely to be chance.",
    "rising": "The whole interval ({lower} to {upper} a year) is on one side of no change, so "
              "the rise is unlikely to be chance.",
    "fell": "fell", "rose": "rose",
    # referral sources against the most common one (odds_ratios verdict)
    "source higher": "higher for referrals from {sources}",
    "source lower": "lower for referrals from {sources}",
    "source similar": "not clearly different for {sources}",
    # published figures against the modelled interval
    "all within": "Every published figure lies within the modelled interval",
    "some outside": "{outside} of {total} published figures lie outside the modelled interval",
    # the monthly chart
    "rise": "a rise", "fall": "a fall",
    "concern": "{change} (a concern)", "improvement": "{change} (an improvement)",
    # the time-to-re-referral table: a time left out
    "left out": "left out: its difference from a neighbouring point of the chart or table "
                "would be 1-4 children",
}

#: Sentences with their blanks ({name}), in page order.
TEMPLATES = {
    "estimate": "{percent} ({level} CI {lower} to {upper})",
    "difference": "The {what} is {value} percentage points ({level} CI {lower} to {upper}): "
                  "{verdict}",
    "difference missing": "The {what} cannot be shown.",
    "series": "In {area}, {first} of referrals in {first_year} were re-referrals, and {last} in "
              "{last_year} ({source}). {change} Year on year, the percentage fell {falls} times and rose "
              "{rises} times; it was highest in {highest} ({highest_percent}) and lowest in "
              "{lowest} ({lowest_percent}).",
    "change": "change from {first_year} to {last_year}",
    "dfe": "The Department for Education publishes {dfe_percent} ({rereferrals} of {referrals}) "
           "for {year}; {records} give {percent}.",
    "dfe none": "The Department for Education publishes no figure for {area} in {year}.",
    "records note": "Referrals without a child ID cannot be linked to earlier referrals, so they "
                    "count as referrals but never as re-referrals; the table shows how many "
                    "there were each year. Following the Department for Education's children "
                    "in need census guide, several referrals of one child on the same day count "
                    "as one referral: {merged}",
    "merged none": "there were none in these records.",
    "merged one": "{count} such extra referral was merged into the first one that day before "
                  "anything was counted.",
    "merged many": "{count} such extra referrals were merged into the first one that day before "
                   "anything was counted.",
    "merged hidden": "fewer than {limit}",
    "comparison": "In {year}, {percent} of referrals in {area} were re-referrals ({level} CI "
                  "{lower} to {upper}). Compared with each benchmark (\"similar\" means the "
                  "difference could be chance): {benchmarks}.",
    "comparison part": "{name} ({percent}): {verdict}",
    "published none": "No re-referral figures have been published for {area} in these years.",
    "published": "{verdict}: {figures}.",
    "published figure": "{year}: published {published}, modelled {percent} ({lower} to {upper})",
    "published trend": "Over the {span} years to the latest published figure ({last}), {trend}",
    "trend": "After allowing for who made the referral, the odds that a referral was a "
             "re-referral {direction} by {change} a year between {first_year} and {last_year}. "
             "{verdict}",
    "trend method": "Trend over {first_year} to {last_year}, allowing for the referral source: "
                    "odds ratio {ratio} per year ({level} CI {lower} to {upper}; {p}).",
    "sources": "Compared with referrals from {reference}, the most common source, the odds of a "
               "re-referral were {parts}.",
    "source": "{source} ({ratio} times)",
    "funnel suppressed": "The area's {year} figure is suppressed, so it is not plotted.",
    "funnel": "In {year}, {area} ({percent} of {referrals} referrals) is {position} around the "
              "average of the {n} authorities plotted. ",
    "funnel overdispersed": "The authorities differ from each other more than chance alone "
                            "would make them, so positions are judged against limits widened "
                            "to allow for that (the coloured lines); the grey lines are the "
                            "national method's plain limits. ",
    "funnel method overdispersed": "Funnel plot: the authorities are over-dispersed (dispersion "
                                   "{phi}, where about 1 is chance), so the limits are widened "
                                   "by a random-effects allowance (Spiegelhalter 2005).",
    "funnel method": "Funnel plot: the authorities vary about as much as chance alone would "
                     "make them (dispersion {phi}), so the plain limits are used.",
    "spc widened": "The months vary more than chance alone would make them, so the limits are "
                   "widened to allow for that; a single signal is a prompt to look, not proof "
                   "of a change.",
    "spc plain": "A single signal is a prompt to look, not proof of a change.",
    "funnel within": "Its difference from that average is what chance alone would often give. ",
    "funnel outside": "A difference this large is unlikely to be chance alone. ",
    "funnel no outliers": "None of its statistical neighbours is outside the 95% limits.",
    "funnel outliers": "Neighbours outside the 95% limits: {outliers}.",
    "funnel outlier": "{area} ({percent}, {position})",
    "spc": "The centre line is the average of {first} to {last}, {centre}. In {month}, "
           "{percent} of referrals were re-referrals, ",
    "spc outside": "outside the control limits. ",
    "spc within": "within the control limits ({lower} to {upper}). ",
    "spc no signal": "No month shows a special-cause signal: the ups and downs are what chance "
                     "alone would produce.",
    "spc signals": "Months marked as special-cause signals: {counts}. ",
    "spc signal count": "{n} as {meaning}",
    "spc not after baseline": "No month after the baseline is marked.",
    "spc detection": "After the baseline, the chart first signalled {meaning} when the figures "
                     "for {month} arrived: {wait}.",
    "spc wait": "{left} before the end of {year}, the year whose annual figure would show it",
    "spc wait last": "in the last month of {year}",
    "timing none": "The percentage re-referred within {months} months cannot be shown.",
    "timing": "Within {months} months, {high} of children whose referral ended in "
              "\"{high_outcome}\" were referred again, against {low} where it ended in "
              "\"{low_outcome}\". {difference}",
    "timing difference": "difference between these two groups",
    "key latest": "**{year}:** {percent} of referrals in {area} were re-referrals ({counts}"
                  "{level} CI {lower} to {upper}): {benchmarks}.",
    "key counts": "{rereferrals} of {referrals}; ",
    "key benchmark": "{verdict} {name} ({percent})",
    "key change": "**Since {first_year}:** {difference}",
    "key spc": "**Monthly early warning:** {said}",
    "key spc none": "no month stands out from ordinary ups and downs.",
    "key spc signal": "the chart first signalled {meaning} in {month}.",
    "key spc before": "no month after the baseline stands out.",
    "meaning level": "{area}'s share of referrals that are re-referrals is {versus} England's{change}.",
    "meaning change": {"higher": ", and it has risen since {first_year}",
                       "lower": ", and it has fallen since {first_year}",
                       "similar": ", and it has not clearly changed since {first_year}",
                       "not compared": ""},
    "meaning judgement": " Neither a high nor a low share is good in itself: a high share can "
                         "mean the first contact did not resolve what was wrong, a low one that "
                         "cases are held open long or that the threshold for accepting a "
                         "referral is high. The figure is a prompt to ask which, not a score.",
    # an authority without referral records (Results.records_available False)
    "dfe source": "as the Department for Education publishes them",
    "no records": "**Not shown for {area}: {section}.** This part is worked out from "
                  "individual referral records, and `data/referrals.csv.gz` has no records for "
                  "{area}; the figures above are the Department for Education's published "
                  "statistics. To add it, put the council's extract in `data/referrals.csv.gz` "
                  "(one row per referral, with the columns {columns}), run `jsna validate data` "
                  "and rebuild: `data/README.md` describes each column.",
    "no records again": "**Not shown for {area}: {section}.** It needs individual referral "
                        "records, which `data/referrals.csv.gz` does not have for {area} (how "
                        "to add them is said under the first chart).",
    "no records sections": {
        "records": "re-referrals counted from the council's own referral records",
        "trend": "the trend adjusted for who made the referral",
        "spc": "the monthly control chart",
        "timing": "how soon children are referred again",
    },
}

#: How "higher", "similar", "lower" read against England in "What this means".
VERSUS = {"higher": "higher than", "lower": "lower than", "similar": "similar to",
          "better": "better than", "worse": "worse than", "not compared": "not compared with"}

#: The fixed notes of "About the method", after the computed ones.
METHOD_NOTES = (
    "**Re-referral** follows the Department for Education's definition: a referral within 12 "
    "months of a previous referral of the same child (on or after the same date a year "
    "earlier). The first year shown is the first with a full 12 months of earlier records.",
    "**Confidence intervals** for percentages are Wilson score intervals, as in national public "
    "health statistics; a change between two years has Newcombe's hybrid score interval.",
    "**Funnel plot** limits are the Public Health England method around the pooled average of "
    "the councils shown.",
    "**What is linked to re-referral**: a logistic regression of whether each referral was a "
    "re-referral on the year and the referral source; an odds ratio above 1 means higher odds "
    "of a re-referral, below 1 lower.",
    "**The control chart** is a p-chart: centre line from the baseline months, limits three "
    "standard errors either side for each month's number of referrals (widened by Laney's "
    "sigma_z when the months vary more than sampling allows). The rules follow NHS England's "
    "*Making Data Count*, which uses a run of 7 (older Western Electric rules use 8).",
    "**How soon children are referred again**: a Kaplan-Meier estimate; children not referred "
    "again by the end of the data are counted for as long as they were followed.",
    "**Small numbers**: counts of 1 to 4, and counts that would reveal them, are not shown.",
)


# ----------------------------------------------------------------------------------------------
# number forms that jsnalib.report.format lacks


def _signed(value: float, decimals: int = 1) -> str:
    """``-3.94 -> "-3.9"``, ``0.2 -> "+0.2"``; missing -> :data:`MISSING`."""
    return MISSING if pd.isna(value) else f"{float(value):+.{decimals}f}"


def _short(value: float) -> str:
    """A number in its shortest form: ``95.0 -> "95"``, ``99.8 -> "99.8"``."""
    return MISSING if pd.isna(value) else f"{float(value):g}"


def _level(confidence: float) -> str:
    """A confidence level (0-1) as readers see it: ``"95%"``."""
    return f"{_short(100 * confidence)}%"


def _estimate(value: float, lower: float, upper: float, confidence: float) -> str:
    """``"20.9% (95% CI 20.0% to 21.8%)"``."""
    return TEMPLATES["estimate"].format(percent=percent(value), level=_level(confidence),
                                        lower=percent(lower), upper=percent(upper))


def _difference(change: Difference, what: str, confidence: float) -> str:
    """The difference, its interval and whether chance could explain it."""
    if change.verdict == "not compared":
        return TEMPLATES["difference missing"].format(what=what)
    return TEMPLATES["difference"].format(
        what=what, value=_signed(change.value), level=_level(confidence),
        lower=_signed(change.lower), upper=_signed(change.upper),
        verdict=PHRASES[f"difference {change.verdict}"])


def meaning(direction: str, polarity: str) -> str:
    """A rise or fall ("rise"/"fall") in words, with whether it is a concern or an
    improvement when the polarity judges it: "a rise (a concern)"."""
    change = PHRASES[direction]
    concern = {"low_is_good": "rise", "high_is_good": "fall"}.get(polarity)
    if concern is None:
        return change
    return PHRASES["concern" if direction == concern else "improvement"].format(change=change)


# ----------------------------------------------------------------------------------------------
# the paragraphs


def no_records(results: Results, section: str) -> str:
    """The notice in place of a record-based part of the page (``section``: a key of
    ``TEMPLATES["no records sections"]``) when the authority has no referral records: in
    full (file, columns, data/README.md) for the first ("records"), briefly after it."""
    return TEMPLATES["no records" if section == "records" else "no records again"].format(
        area=results.area_name, section=TEMPLATES["no records sections"][section],
        columns=", ".join(REFERRALS.names))


def series(results: Results) -> str:
    """The annual series from the records (saying whether they are the synthetic
    demonstration records): the first and last years, the change between them (with its
    Newcombe interval), how often it fell and rose, its highest and lowest years, and the
    authority's own DfE published figure for the last year beside the records' figure."""
    annual = results.annual.set_index("financial_year")
    first_year, last_year = results.years[0], results.years[-1]
    first, last = annual.loc[first_year], annual.loc[last_year]
    return TEMPLATES["series"].format(
        area=results.area_name, first_year=first_year, last_year=last_year,
        source=(PHRASES["synthetic source" if results.synthetic_records else "source"]
                if has_records(results) else TEMPLATES["dfe source"]),
        first=_estimate(first["percent"], first["lower"], first["upper"], results.confidence),
        last=_estimate(last["percent"], last["lower"], last["upper"], results.confidence),
        change=_difference(results.change, TEMPLATES["change"].format(
            first_year=first_year, last_year=last_year), results.confidence),
        falls=count(results.falls), rises=count(results.rises),
        highest=results.highest, highest_percent=percent(annual.loc[results.highest, "percent"]),
        lowest=results.lowest, lowest_percent=percent(annual.loc[results.lowest, "percent"])
    ) + (" " + _dfe_sentence(results) if has_records(results) else "")


def _dfe_sentence(results: Results) -> str:
    """The authority's DfE published figure for the last year beside the records' figure."""
    year = results.years[-1]
    dfe = results.dfe.set_index("financial_year")
    if year not in dfe.index:
        return TEMPLATES["dfe none"].format(area=results.area_name, year=year)
    row = dfe.loc[year]
    records = PHRASES["synthetic records" if results.synthetic_records else "records"]
    return TEMPLATES["dfe"].format(
        dfe_percent=percent(row["percent"]), rereferrals=count(row["rereferrals"]),
        referrals=count(row["referrals"]), year=year, records=records,
        percent=percent(results.annual.set_index("financial_year").loc[year, "percent"]))


def records_note(results: Results) -> str:
    """Two counting rules: referrals without a child ID, and several referrals of one child on
    one day merged into one (with how many were merged; a count of 1 to 4 is not given); the
    notice saying what is missing when there are no records."""
    if not has_records(results):
        return no_records(results, "records")
    merged = results.same_day_merged
    if merged is None:
        hidden = TEMPLATES["merged hidden"].format(limit=disclosure.SMALL_COUNTS[1] + 1)
        said = TEMPLATES["merged many"].format(count=hidden)
    elif merged == 0:
        said = TEMPLATES["merged none"]
    else:
        said = TEMPLATES["merged one" if merged == 1 else "merged many"].format(
            count=count(merged))
    return TEMPLATES["records note"].format(merged=said)


def comparison(results: Results) -> str:
    """The latest year against England, the region and the neighbours."""
    area, others = results.comparison.iloc[0], results.comparison.iloc[1:]
    parts = [TEMPLATES["comparison part"].format(name=row["name"], percent=percent(row["percent"]),
                                                 verdict=PHRASES[row["verdict"]])
             for _, row in others.iterrows()]
    return TEMPLATES["comparison"].format(
        year=results.latest, percent=percent(area["percent"]), area=results.area_name,
        level=_level(results.confidence), lower=percent(area["lower"]),
        upper=percent(area["upper"]), benchmarks="; ".join(parts))


def _trend_sentence(fit: TrendFit, verdict: str, first_year: str, last_year: str) -> str:
    """The adjusted yearly trend of a :func:`~.analyse.trend_model` fit, with its verdict."""
    change = fit.percent_change
    return TEMPLATES["trend"].format(
        direction=PHRASES["fell" if change < 0 else "rose"], change=percent(abs(change)),
        first_year=first_year, last_year=last_year,
        verdict=PHRASES[verdict].format(lower=f"{_signed(100 * (fit.ratio_lower - 1))}%",
                                        upper=f"{_signed(100 * (fit.ratio_upper - 1))}%"))


def published(results: Results) -> str:
    """The area's published figures against the modelled intervals and, when any are
    published, the trend over the years to the latest one."""
    check = results.published_check
    own = check[(check["area"] == results.area_name) & (check["verdict"] != "not compared")]
    if own.empty:
        text = TEMPLATES["published none"].format(area=results.area_name)
    else:
        outside = int((own["verdict"] == "outside").sum())
        figures = "; ".join(TEMPLATES["published figure"].format(
            year=row["financial_year"], published=f"{_short(row['published'])}%",
            percent=percent(row["percent"]), lower=percent(row["lower"]),
            upper=percent(row["upper"])) for _, row in own.iterrows())
        verdict = (PHRASES["all within"] if outside == 0 else
                   PHRASES["some outside"].format(outside=count(outside), total=count(len(own))))
        text = TEMPLATES["published"].format(verdict=verdict, figures=figures)
    if check.empty:
        return text
    trend = ""
    if results.published_trend is not None:
        first_year, last_year = results.published_trend_years
        sentence = _trend_sentence(results.published_trend, results.published_trend_verdict,
                                   first_year, last_year)
        trend = TEMPLATES["published trend"].format(span=results.published_span,
                                                    last=last_year,
                                                    trend=sentence[0].lower() + sentence[1:])
    return text + " " + trend


def funnel(results: Results) -> str:
    """The area's place on the funnel plot, whether the authorities are over-dispersed, and
    which neighbours lie outside the 95% limits."""
    points, year = results.funnel_points, results.latest
    area = points[points["area_code"] == results.area_code]
    if area.empty:
        return TEMPLATES["funnel suppressed"].format(year=year)
    row = area.iloc[0]
    outliers = points[(points["area_code"] != results.area_code)
                      & ~points["position"].str.startswith("within")]
    text = TEMPLATES["funnel"].format(year=year, area=row["label"], percent=percent(row["value"]),
                                      referrals=count(row["denominator"]),
                                      position=row["position"], n=len(points))
    if results.funnel_overdispersed:
        text += TEMPLATES["funnel overdispersed"]
    text += TEMPLATES["funnel within" if row["position"].startswith("within")
                      else "funnel outside"]
    if outliers.empty:
        return text + TEMPLATES["funnel no outliers"]
    return text + TEMPLATES["funnel outliers"].format(outliers="; ".join(
        TEMPLATES["funnel outlier"].format(area=r["label"], percent=percent(r["value"]),
                                           position=r["position"])
        for _, r in outliers.iterrows()))


def trend(results: Results) -> str:
    """The yearly trend adjusted for referral source, and each source against the most common
    one (the notice saying what is missing when there are no records)."""
    if not has_records(results):
        return no_records(results, "trend")
    text = _trend_sentence(results.trend, results.trend_verdict, results.years[0],
                           results.years[-1]) + " "
    sources = results.odds[results.odds["term"] != "year"]
    if sources.empty:
        return text.rstrip()

    def listed(rows: pd.DataFrame) -> str:
        return ", ".join(TEMPLATES["source"].format(
            source=SOURCE_LABELS.get(row["term"], row["term"]).lower(),
            ratio=number(row["odds_ratio"], 2)) for _, row in rows.iterrows())

    parts = [PHRASES[f"source {verdict}"].format(sources=listed(rows))
             for verdict in ("higher", "lower")
             if len(rows := sources[sources["verdict"] == verdict])]
    unclear = sources[sources["verdict"] == "similar"]
    if len(unclear):
        parts.append(PHRASES["source similar"].format(sources=", ".join(
            SOURCE_LABELS.get(t, t).lower() for t in unclear["term"])))
    reference = SOURCE_LABELS.get(results.reference_source, results.reference_source)
    return text + TEMPLATES["sources"].format(reference=reference.lower(),
                                              parts="; ".join(parts))


def spc(results: Results) -> str:
    """The monthly chart: the centre line, the latest month, how many months are signals and
    when the chart, drawn month by month, first signalled a change after the baseline against
    when the annual figure for that year would be known; then, in plain words, whether the
    limits are widened (the statistics are in :func:`about_method`)."""
    if not has_records(results):
        return no_records(results, "spc")
    chart, polarity = results.monthly, results.polarity
    latest = chart.iloc[-1]
    text = TEMPLATES["spc"].format(first=results.baseline[0], last=results.baseline[1],
                                   centre=percent(latest["centre"]),
                                   month=results.month_labels[-1],
                                   percent=percent(latest["value"]))
    text += (TEMPLATES["spc outside"] if latest["beyond_limits"] != 0 else
             TEMPLATES["spc within"].format(lower=percent(latest["lower"]),
                                            upper=percent(latest["upper"])))
    limits = " " + TEMPLATES["spc widened" if chart.attrs.get("method") == charts.LANEY
                             else "spc plain"]
    if results.signal_rises + results.signal_falls == 0:
        return text + TEMPLATES["spc no signal"] + limits
    counts = [TEMPLATES["spc signal count"].format(n=count(n), meaning=meaning(d, polarity))
              for d, n in (("rise", results.signal_rises), ("fall", results.signal_falls)) if n]
    text += TEMPLATES["spc signals"].format(counts=" and ".join(counts))
    found = results.first_signal
    if found is None:
        return text + TEMPLATES["spc not after baseline"] + limits
    months = f"{count(found.months_left)} month{'s' if found.months_left != 1 else ''}"
    wait = (TEMPLATES["spc wait"].format(left=months, year=found.financial_year)
            if found.months_left else
            TEMPLATES["spc wait last"].format(year=found.financial_year))
    return text + TEMPLATES["spc detection"].format(meaning=meaning(found.direction, polarity),
                                                    month=found.month, wait=wait) + limits


def timing(results: Results) -> str:
    """Within the last of the table's horizons: the outcome groups most and least often
    referred again, and the difference between them (the notice saying what is missing when
    there are no records)."""
    if not has_records(results):
        return no_records(results, "timing")
    months = _short(results.time_horizon)
    if results.time_highest is None:
        return TEMPLATES["timing none"].format(months=months)
    table = results.time_table
    rows = table[table["time"] == results.time_horizon].set_index("outcome")

    def say(outcome: str) -> str:
        row = rows.loc[outcome]
        return _estimate(row["cumulative_percent"], row["cumulative_lower"],
                         row["cumulative_upper"], results.confidence)

    return TEMPLATES["timing"].format(
        months=months, high=say(results.time_highest), low=say(results.time_lowest),
        high_outcome=OUTCOME_LABELS.get(results.time_highest, results.time_highest).lower(),
        low_outcome=OUTCOME_LABELS.get(results.time_lowest, results.time_lowest).lower(),
        difference=_difference(results.time_gap, TEMPLATES["timing difference"],
                               results.confidence))



# ----------------------------------------------------------------------------------------------
# the findings, what they mean, and the method


def summary(results: Results) -> str:
    """The page's findings (Markdown bullets): the latest year with its counts, interval and
    each benchmark; the change since the first year; the monthly early warning."""
    area, others = results.comparison.iloc[0], results.comparison.iloc[1:]
    counts = ("" if pd.isna(area["rereferrals"]) or pd.isna(area["referrals"]) else
              TEMPLATES["key counts"].format(rereferrals=count(area["rereferrals"]),
                                             referrals=count(area["referrals"])))
    benchmarks = "; ".join(TEMPLATES["key benchmark"].format(
        name=row["name"], percent=percent(row["percent"]),
        verdict=VERSUS.get(row["verdict"], row["verdict"]))
        for _, row in others.iterrows())
    lines = [TEMPLATES["key latest"].format(
        year=results.latest, percent=percent(area["percent"]), area=results.area_name,
        counts=counts, level=_level(results.confidence), lower=percent(area["lower"]),
        upper=percent(area["upper"]), benchmarks=benchmarks)]
    difference = _difference(results.change, TEMPLATES["change"].format(
        first_year=results.years[0], last_year=results.years[-1]), results.confidence)
    lines.append(TEMPLATES["key change"].format(first_year=results.years[0],
                                                difference=difference[0].lower() + difference[1:]))
    found = results.first_signal
    if results.signal_rises + results.signal_falls == 0:
        said = TEMPLATES["key spc none"]
    elif found is None:
        said = TEMPLATES["key spc before"]
    else:
        said = TEMPLATES["key spc signal"].format(
            meaning=meaning(found.direction, results.polarity), month=found.month)
    lines.append(TEMPLATES["key spc"].format(said=said))
    return "\n".join(f"- {line}" for line in lines)


def what_this_means(results: Results) -> str:
    """'What this means', for a councillor: the share against England, its direction since the
    first year, and why neither a high nor a low share is good in itself."""
    england = results.comparison.iloc[1]
    change = TEMPLATES["meaning change"][results.change.verdict].format(
        first_year=results.years[0])
    return TEMPLATES["meaning level"].format(
        area=results.area_name, versus=VERSUS.get(england["verdict"], england["verdict"]),
        change=change) + TEMPLATES["meaning judgement"]


def about_method(results: Results) -> str:
    """"About the method" (Markdown bullets, shown collapsed): the adjusted trend's odds ratio,
    the funnel plot's dispersion, the control limits, then :data:`METHOD_NOTES` (the parts
    worked out from referral records only when the area has them)."""
    fit, records = results.trend, has_records(results)
    lines = [TEMPLATES["trend method"].format(
        first_year=results.years[0], last_year=results.years[-1], ratio=number(fit.ratio, 3),
        level=_level(fit.confidence), lower=number(fit.ratio_lower, 3),
        upper=number(fit.ratio_upper, 3), p=p_text(fit.p_value))] if records and fit else []
    if pd.notna(results.funnel_dispersion):
        lines.append(TEMPLATES["funnel method overdispersed" if results.funnel_overdispersed
                               else "funnel method"].format(
            phi=number(results.funnel_dispersion)))
    if records:
        lines.append("Control chart: " + charts.control_limits_sentence(results.monthly))
    return "\n".join(f"- {line}" for line in [*lines, *METHOD_NOTES])
