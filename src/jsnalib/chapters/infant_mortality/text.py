"""The infant mortality page in words: each function turns :class:`.analyse.Results` into one
paragraph (or one section's paragraphs) of Markdown.

The verdicts' wording is in :data:`PHRASES` and the sentence templates below it, so an analyst
can change what the page says without touching the statistics. Numbers are formatted only with
:mod:`jsnalib.report.format`; :func:`ci_label` and the private ``_signed`` (a percentage change
with its sign) are the two formatting helpers that module lacks.
"""

from __future__ import annotations

import pandas as pd

from jsnalib.methods.confidence import percent as confidence_percent
from jsnalib.report.format import ci, count, number, p_text, percent

from .analyse import Results

UNIT = "per 1,000 live births"

#: Verdicts (see :mod:`.analyse`) in words.
PHRASES = {
    # a rate against the comparator (latest pooled period)
    "compared": {"worse": "significantly higher (worse) than",
                 "better": "significantly lower (better) than",
                 "similar": "not significantly different from"},
    "compared_short": {"worse": "significantly higher than", "better": "significantly lower than",
                       "similar": "not significantly different from"},
    "not_compared": "not compared with",
    "not_published_why": {"suppressed": "fewer than 3 deaths",
                          "not available": "the counts are not available"},
    # the annual trend, in the key messages
    "trend_short": {"falling": "falling by {change} a year", "rising": "rising by {change} a year",
                    "no clear change": "no clear rise or fall"},
    # where a changing gap takes the area
    "movement": {"down towards": "coming down towards {theirs}",
                 "further above": "moving further above {theirs}",
                 "up towards": "rising towards {theirs}",
                 "further below": "moving further below {theirs}"},
    # the projection's last year against the comparator's latest rate
    "projection": {
        "below": " That would be below {theirs} current rate.",
        "above": " The current trend would not bring it down to {theirs} current rate.",
        "about the same": (" The central projection is about the same as {theirs} current rate; "
                           "chance alone could put a single year either side of it."),
        "central above": (" The central projection stays above {theirs} current rate; "
                          "chance alone could put a single year either side of it."),
        "central at or below": (" The central projection is at or below {theirs} current rate, "
                                "but chance alone could put a single year either side of it."),
    },
    # deaths against the comparator's quintile rates
    "adjusted": {
        "higher": (" Even allowing for deprivation, deaths are significantly higher than "
                   "{theirs} rates would give ({ratio})."),
        "lower": (" Allowing for deprivation, deaths are significantly lower than {theirs} rates "
                  "would give ({ratio})."),
        "similar": " Allowing for deprivation, deaths are in line with {theirs} rates ({ratio}).",
    },
    "gradient": {"higher": " Infant deaths are significantly more common in more deprived areas.",
                 "lower": " Infant deaths are significantly less common in more deprived areas.",
                 "no clear gradient": " The gradient is not statistically significant."},
    "model": {"negative binomial": "negative binomial", "poisson": "Poisson"},
}

RATE = ("In {period}, {deaths} babies died before their first birthday out of {births} live "
        "births in {area}: {rate} {unit} ({label} {ci}).")
NOT_PUBLISHED = "In {period} the rate for {area} is not published: it would rest on {why}."
CAUTION = " It rests on fewer than 10 deaths, so treat it with caution."
TREND = {
    "falling": ("{span} the infant mortality rate in {area} fell by {change} a year on average "
                "({label} {low} to {high})."),
    "rising": ("{span} the infant mortality rate in {area} rose by {change} a year on average "
               "({label} {low} to {high})."),
    "no clear change": ("{span} there is no clear trend in {areas} infant mortality rate: the "
                        "estimated change is {change} a year ({label} {low} to {high}), which "
                        "chance alone could explain."),
}
#: The trend model, for "About the method".
MODEL = {
    "negative binomial": ("The yearly counts vary more than chance alone would make them "
                          "({measure}), so the trend is fitted with a negative binomial model "
                          "(alpha = {alpha}), which widens the confidence interval to allow for "
                          "the extra variation."),
    "poisson": ("The yearly counts vary about as much as chance alone would make them "
                "({measure}), so a Poisson model with the number of live births as exposure is "
                "used."),
}
#: The trend model in plain words, for the reading path.
MODEL_PLAIN = {
    "negative binomial": ("The deaths go up and down from year to year more than chance alone "
                          "would make them, so the interval around the trend is widened to "
                          "allow for that."),
    "poisson": "The deaths go up and down from year to year about as much as chance alone would "
               "make them.",
}
GAP_NONE = ("There is no clear evidence that the gap between {area} and {comparator} is changing: "
            "relative to {theirs}, {areas} rate changes by {change} a year ({numbers}), which "
            "is within what chance could produce.")
GAP = ("The gap is {direction}: relative to {theirs}, {areas} rate changes by {change} a year "
       "({numbers}), so it is {movement}.")
#: The statistics behind the trend and gap sentences, for "About the method".
METHOD_TREND = ("Trend: annual rate ratio {ratio} ({label} {low} to {high}; {p}). {model} Gap: "
                "ratio of annual rate ratios {gap} ({gap_label} {gap_low} to {gap_high}; "
                "{gap_p}).")
METHOD_DEPRIVATION = ("Deprivation ({where}): the slope index of inequality (SII) is the "
                      "modelled gap in the rate between the most and least deprived ends of the "
                      "quintiles; the relative index (RII) is their ratio.{adjusted}")
METHOD_ADJUSTED = (" Deaths against those expected at {theirs} rate in each quintile: "
                   "observed/expected {ratio} (95% CI {lower} to {upper}).")
#: The fixed notes of "About the method", after the computed ones.
METHOD_NOTES = (
    "**Definition.** Deaths under one year of age registered in the calendar year, per 1,000 "
    "live births to mothers resident in the area (ONS; Fingertips indicator 92196). The "
    "deprivation figures for England are on another basis, the ONS death cohort: deaths "
    "counted in the year they happened, per 1,000 live births in that year (ONS, *Child "
    "mortality in England and Wales*, death cohort tables, Table 21).",
    "**Confidence intervals.** Exact Poisson limits for fewer than 10 deaths, Byar's "
    "approximation from 10 (APHO Technical Briefing 3). A rate is *significantly* higher or "
    "lower than England's when England's rate lies outside its interval.",
    "**Small numbers.** Births and deaths are published ONS aggregate counts, so the "
    "record-level rule that hides counts of 1 to 4 does not apply and counts are shown. "
    "Following the Public Health England convention, a rate based on fewer than 3 deaths is not "
    "shown, and rates based on fewer than 10 deaths are marked: they can swing widely by chance. "
    "District single years are small, so read the pooled rates first.",
    "**Trend.** A Poisson regression of yearly deaths on calendar year with the number of live "
    "births as exposure; the annual rate ratio is the factor by which the rate changes each "
    "year. If the yearly counts vary more than chance allows (Pearson dispersion above 1.5 and a "
    "significant test), a negative binomial model is used instead, which widens the interval. "
    "The gap test models the local yearly deaths against those expected at England's observed "
    "rate for that year (a Poisson regression with log(births x England's rate) as offset), so "
    "the shape of England's own path cannot blur the local test; its standard errors use the "
    "local series' own dispersion and a t distribution on the number of years minus 2.",
    "**Projection.** The fitted trend carried forward with the recent average number of "
    "births; the prediction interval adds the chance variation of a single year's deaths. It "
    "shows where the current trend leads, not a forecast of what services will achieve.",
    "**What would it take.** The difference between the deaths in the latest pooled period and "
    "the deaths England's rate would give for the same births, per year.",
    "**Deprivation.** England's rates by IMD decile of the mother's area over the latest five "
    "years of the ONS table (deciles from the English Indices of Deprivation 2019 for 2016 "
    "onwards, 2015 for 2011-2015); the slope index of inequality (SII: the modelled gap in the "
    "rate between the most and least deprived ends) and the relative index (RII: their ratio) "
    "follow Low and Low (2004) and the PHE method (births as weights, limits by simulation). "
    "Local rates by IMD quintile need the council's own extract: none is published, and the "
    "synthetic demonstration file shipped in `data/` is never shown as an area's figures. With "
    "a real extract, districts show their county's quintiles, and the share of the gap "
    "explained by deprivation compares the deaths expected at England's overall rate with "
    "those expected at England's rate in each quintile (indirect standardisation).",
)
#: "What this means", for a councillor: the latest comparison, then the gap.
MEANING = {
    "worse": ("Babies in {area} are more likely to die before their first birthday than babies "
              "across {comparator}, and the difference is larger than chance alone would "
              "explain."),
    "better": ("Babies in {area} are less likely to die before their first birthday than babies "
               "across {comparator}, and the difference is larger than chance alone would "
               "explain."),
    "similar": ("Infant deaths in {area} are in line with {comparator}: the difference in the "
                "latest rate could be chance."),
    "not compared": ("Too few infant deaths were registered in {area} in the latest years to "
                     "compare its rate with {comparator}."),
}
MEANING_GAP = {
    "no clear change": " The figures do not show the gap closing or widening yet.",
    "narrowing": " The gap is narrowing.",
    "widening": " The gap is widening.",
}
MEANING_TAKE = (" Matching {comparator} would mean about {fewer} fewer infant deaths a year, out "
                "of about {deaths}.")
POOR_FIT = (" The model fits poorly (the years vary {dispersion} times as much as chance alone "
            "would explain); treat the projection with caution.")
PROJECTION = ("If the {years} trend continues, {areas} rate in {year} would be about {rate} {unit} "
              "({level} prediction interval for that single year {interval}), against {theirs} "
              "{bench} in {period}.")
MATCHED = ("In {period} {areas} rate was already at or below {theirs} {bench} {unit}: no fewer "
           "deaths would be needed to match it.")
MATCH = ("To match {theirs} {period} rate of {bench} {unit}, {area} would need about {fewer} "
         "fewer infant deaths a year: from {deaths} to {target} a year, with about {births} live "
         "births a year.")
MATCH_RANGE = " Allowing for chance in the local rate, the gap is between {low} and {high} deaths a year"
MATCH_CHANCE = "; as the lower end is zero, the difference from {comparator} may be chance alone."
SOURCE = {"county": ("There are no deprivation-quintile figures for {area}, a district: the "
                     "figures below are for {county} as a whole."),
          "none": "There are no deprivation-quintile figures for {area}.",
          "synthetic": ("No local figures are shown for {area}: the births_deaths_imd.csv in "
                        "data/ is synthetic demonstration data that describes no real area "
                        "(see data/README.md for the extract that replaces it).")}
ENGLAND_SOURCE = ("ONS, Child mortality in England and Wales, death cohort tables (Table 21), "
                  "England")
ENGLAND_INEQUALITY = (
    "In England in {period}, {most} babies in every 1,000 born to mothers living in the most "
    "deprived tenth of areas died before their first birthday ({most_deaths} deaths out of "
    "{most_births} live births), against {least} in the least deprived tenth ({least_deaths} out "
    "of {least_births}). Across all ten deciles, the modelled gap between the most and least "
    "deprived ends is {sii} per 1,000 ({label} {sii_ci}): the rate at "
    "the most deprived end is {rii} times that at the least deprived end ({label} {rii_ci}). "
    "Source: {source}, {period}; deaths are counted in the year they happened, not the year they "
    "were registered.")
ENGLAND_NO_SII = ("In England in {period} the gap across the deciles cannot be worked out: at "
                  "least one decile's rate rests on fewer than 3 deaths (or none).")
ENGLAND_NONE = ("England's births and infant deaths by deprivation decile are not in data/: "
                "`jsna import` the ONS child mortality workbooks to add "
                "births_deaths_imd_decile.csv (see data/README.md).")
WIDENED = ("Over {start}-{end} at least one deprivation quintile had fewer than 3 infant deaths, "
           "too few for a rate, so the quintiles are compared over every year from {first} to "
           "{last}.")
NO_SII = ("In {period} the slope index of inequality for {area} cannot be calculated: at least "
          "one quintile's rate rests on fewer than 3 deaths (or none).")
INEQUALITY = ("In {period}, {areas} infant mortality rate was {most} {unit} in its most deprived "
              "quintile and {least} in its least deprived. Across all five quintiles, the "
              "modelled gap between the most and least deprived ends is {sii} per 1,000 "
              "({label} {sii_ci}): the rate at the most deprived end is {rii} times that at the "
              "least deprived end ({label} {rii_ci}).")
ADJUSTED = ("In {period}, {area} had {observed} infant deaths. At {theirs} overall rate it would "
            "have had about {crude}; at {theirs} rate for each deprivation quintile, given how "
            "many of {areas} babies are born in each, about {adjusted}.")
MIX = {"explains": " Its deprivation mix accounts for about {share} of the gap with {comparator}.",
       "does not explain": (" Its deprivation mix does not explain the gap with {comparator}: its "
                            "babies are, if anything, born in less deprived areas than {theirs}."),
       "no gap": ""}
PUBLISHED_NONE = "No published infant mortality figures for {area} are in published_figures.csv."
PUBLISHED = "{n} published figure{s} for {area}; {drawn} {shown}."
PUBLISHED_SHOWN = {1: "is drawn on the chart as a black diamond",
                   "many": "are drawn on the chart as black diamonds"}
PUBLISHED_UNDRAWN = " Not drawn, because the document gives no period that matches the chart: {items}."
KEY = {
    "rate": "**{period}:** {rate} infant deaths {unit} in {area} ({deaths} deaths out of "
            "{births} live births; {label} {ci}), {comparison} {theirs} {bench}.",
    "not published": "**{period}:** the rate for {area} is not published (fewer than 3 deaths).",
    "trend": "**Trend {years}:** {direction}; {closing}.",
    "gap none": "no clear evidence that the gap with {comparator} is changing",
    "gap": "the gap with {comparator} is {direction}",
    "projection": ("**{year} if the trend continues:** about {rate} {unit} ({label} prediction "
                   "interval {interval})."),
    "match": ("**To match {comparator}:** about {fewer} fewer infant deaths a year (of about "
              "{deaths} a year in {period})"),
    "match chance": "; the difference could be chance.",
    "matched": "**Compared with {comparator}:** already at or below its rate.",
    "deprivation": ("**Deprivation ({where}):** the rate at the most deprived end is {rii} times "
                    "that at the least deprived end."),
    "england deprivation": ("**Deprivation (England, {period}, ONS):** infant mortality among "
                            "babies of the most deprived areas is {rii} times that of the least "
                            "deprived."),
}


# ----------------------------------------------------------------------------------------------
# helpers


def ci_label(confidence: float) -> str:
    """'95% CI' for 0.95 (or 95), '99.8% CI' for 0.998."""
    return f"{confidence_percent(confidence):g}% CI"


def possessive(name: str) -> str:
    """"Stoke-on-Trent's", "Staffordshire Moorlands'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _change(ratio: float) -> str:
    """A rate ratio as the size of the change, e.g. 0.977 -> "2.3%"."""
    return percent(abs(100 * (ratio - 1)))


def _signed(ratio: float) -> str:
    """A rate ratio as a signed change, e.g. 0.977 -> "-2.3%", 1.0 -> "0.0%"."""
    change = 100 * (ratio - 1)
    return f"{'+' if change > 0 else '-' if change < 0 else ''}{percent(abs(change))}"


def _deprivation_rows(results: Results) -> pd.DataFrame:
    """The quintile rates of the area whose deprivation figures the page shows, in order."""
    quintiles = results.quintiles
    return quintiles[quintiles["area_code"] == results.deprivation_code].sort_values("imd_quintile")


# ----------------------------------------------------------------------------------------------
# paragraphs


def rate(results: Results) -> str:
    """The latest pooled rate, its interval and how it compares with the comparator."""
    r, row = results, results.latest
    if r.latest_status in PHRASES["not_published_why"]:
        return NOT_PUBLISHED.format(period=row["period"], area=row["area_name"],
                                    why=PHRASES["not_published_why"][r.latest_status])
    text = RATE.format(period=row["period"], deaths=count(row["infant_deaths"]),
                       births=count(row["live_births"]), area=row["area_name"],
                       rate=number(row["rate"]), unit=UNIT, label=ci_label(r.confidence),
                       ci=ci(row["lower"], row["upper"]))
    if row.get("compared", "not compared") in PHRASES["compared"]:
        text += (f" This is {PHRASES['compared'][row['compared']]} "
                 f"{possessive(r.comparator_name)} {number(row['benchmark_rate'])}.")
    return text + (CAUTION if r.latest_status == "few deaths" else "")


def trend(results: Results) -> str:
    """The annual change in the rate, e.g. 'fell by 2.3% a year (95% CI 1.1% to 3.5%)'."""
    r, fit = results, results.fit
    if r.trend == "no clear change":
        change, low, high = _signed(fit.ratio), _signed(fit.ratio_lower), _signed(fit.ratio_upper)
    else:
        change = _change(fit.ratio)
        low, high = ((_change(fit.ratio_upper), _change(fit.ratio_lower)) if r.trend == "falling"
                     else (_change(fit.ratio_lower), _change(fit.ratio_upper)))
    return TREND[r.trend].format(span=f"Between {r.first_year} and {r.last_year}",
                                 area=r.area_name, areas=possessive(r.area_name), change=change,
                                 label=ci_label(fit.confidence), low=low, high=high)


def model_plain(results: Results) -> str:
    """Whether the yearly deaths vary more than chance would make them, in plain words."""
    return MODEL_PLAIN[results.fit.family if results.fit.family in MODEL_PLAIN else "poisson"]


def model(results: Results) -> str:
    """Which model was used and why: Poisson, or negative binomial for overdispersed counts
    (with the dispersion statistic: for "About the method")."""
    fit = results.fit
    measure = (f"the Pearson dispersion is {number(fit.dispersion, 2)} against 1 expected, "
               f"{p_text(fit.dispersion_p)}")
    if fit.family == "negative binomial":
        return MODEL[fit.family].format(measure=measure,
                                        alpha=number(float(fit.result.model.family.alpha), 4))
    return MODEL["poisson"].format(measure=measure)


def gap(results: Results) -> str:
    """Is the gap with the comparator closing?"""
    r, result = results, results.gap
    numbers = (f"{ci_label(result.confidence)} {_signed(result.lower)} to "
               f"{_signed(result.upper)}")
    theirs = possessive(r.comparator_name)
    if r.gap_trend == "no clear change":
        return GAP_NONE.format(area=r.area_name, comparator=r.comparator_name, theirs=theirs,
                               areas=possessive(r.area_name),
                               change=_signed(result.ratio_of_ratios), numbers=numbers)
    return GAP.format(direction=r.gap_trend, theirs=theirs, areas=possessive(r.area_name),
                      change=_signed(result.ratio_of_ratios), numbers=numbers,
                      movement=PHRASES["movement"][r.gap_movement].format(theirs=theirs))


def fit_caution(results: Results) -> str:
    """A warning (starting with a space) when the trend model fits poorly, else ""."""
    if results.fit_quality != "poor fit":
        return ""
    return POOR_FIT.format(dispersion=number(results.fit.dispersion))


def projection(results: Results) -> str:
    """The projected rate in the last projected year, set against the comparator's latest rate,
    with a warning when the model fits poorly."""
    r, end, bench = results, results.projected.iloc[-1], results.benchmark_latest
    theirs = possessive(r.comparator_name)
    text = PROJECTION.format(years=r.years, areas=possessive(r.area_name), year=int(end["year"]),
                             rate=number(end["rate"]), unit=UNIT,
                             level=f"{confidence_percent(r.confidence):g}%",
                             interval=ci(end["lower_pi"], end["upper_pi"]), theirs=theirs,
                             bench=number(bench["rate"]), period=bench["period"])
    return text + PHRASES["projection"][r.projection].format(theirs=theirs) + fit_caution(r)


def deaths_to_match(results: Results) -> str:
    """'What would it take': fewer deaths a year to match the comparator's latest rate."""
    r, need = results, results.need
    period, bench = r.latest["period"], float(r.benchmark_latest["rate"])
    theirs = possessive(r.comparator_name)
    if r.need_verdict == "at or below":
        return MATCHED.format(period=period, areas=possessive(r.area_name), theirs=theirs,
                              bench=number(bench), unit=UNIT)
    text = MATCH.format(theirs=theirs, period=period, bench=number(bench), unit=UNIT,
                        area=r.area_name, fewer=number(need["fewer_deaths_per_year"]),
                        deaths=number(need["deaths_per_year"]),
                        target=number(need["target_deaths_per_year"]),
                        births=number(need["births_per_year"], 0))
    if r.need_verdict == "limits not available":
        return text
    text += MATCH_RANGE.format(low=number(need["fewer_lower"]), high=number(need["fewer_upper"]))
    return text + (MATCH_CHANCE.format(comparator=r.comparator_name)
                   if r.need_verdict == "may be chance" else ".")


def deprivation_source(results: Results) -> str:
    """Whose quintile figures the section shows, and why the period was widened ("" when the
    area's own figures cover the latest years)."""
    r = results
    parts = []
    if r.deprivation_source in SOURCE:
        county = _deprivation_rows(r)["area_name"].iloc[0] if r.deprivation_code else ""
        parts.append(SOURCE[r.deprivation_source].format(area=r.area_name, county=county,
                                                         areas=possessive(r.area_name)))
    if r.inequality_widened_from is not None:
        parts.append(WIDENED.format(start=r.inequality_widened_from,
                                    end=f"{r.last_year % 100:02d}", first=r.first_year,
                                    last=r.last_year))
    return " ".join(parts)


def england_inequality(results: Results) -> str:
    """England's gradient across the IMD deciles: the most and least deprived rates with their
    counts, the SII and RII, the source and its basis."""
    r, rows = results, results.deciles
    if rows.empty:
        return ENGLAND_NONE
    period = rows["period"].iloc[0]
    if r.england_gradient == "suppressed":
        return ENGLAND_NO_SII.format(period=period)
    most, least, index = rows.iloc[0], rows.iloc[-1], r.england_sii
    label = ci_label(r.confidence)
    text = ENGLAND_INEQUALITY.format(
        period=period, most=number(most["rate"]), most_deaths=count(most["infant_deaths"]),
        most_births=count(most["live_births"]), least=number(least["rate"]),
        least_deaths=count(least["infant_deaths"]), least_births=count(least["live_births"]),
        sii=number(index["sii"]), label=label, sii_ci=ci(index["sii_lower"], index["sii_upper"]),
        rii=number(index["rii"]), rii_ci=ci(index["rii_lower"], index["rii_upper"]),
        source=ENGLAND_SOURCE)
    return text + PHRASES["gradient"][r.england_gradient]


def inequality(results: Results) -> str:
    """The gradient across the quintiles: the most and least deprived rates, SII and RII."""
    r = results
    rows = _deprivation_rows(r)
    name, period = rows["area_name"].iloc[0], rows["period"].iloc[0]
    if r.gradient == "suppressed":
        return NO_SII.format(period=period, area=name)
    most, least, index = rows.iloc[0], rows.iloc[-1], r.sii
    label = ci_label(r.confidence)
    text = INEQUALITY.format(
        period=period, areas=possessive(name), most=number(most["rate"]), unit=UNIT,
        least=number(least["rate"]), sii=number(index["sii"]), label=label,
        sii_ci=ci(index["sii_lower"], index["sii_upper"]), rii=number(index["rii"]),
        rii_ci=ci(index["rii_lower"], index["rii_upper"]))
    return text + PHRASES["gradient"][r.gradient]


def adjusted(results: Results) -> str:
    """How much of the gap with the comparator the deprivation mix explains."""
    r, a = results, results.adjusted
    rows = _deprivation_rows(r)
    name, theirs = rows["area_name"].iloc[0], possessive(r.comparator_name)
    text = ADJUSTED.format(period=rows["period"].iloc[0], area=name,
                           observed=number(a["observed"], 0), theirs=theirs,
                           crude=number(a["expected_crude"], 0), areas=possessive(name),
                           adjusted=number(a["expected_adjusted"], 0))
    share = percent(100 * min(a["share_explained"], 1.0), 0) if r.deprivation_mix == "explains" else ""
    text += MIX[r.deprivation_mix].format(share=share, comparator=r.comparator_name, theirs=theirs)
    ratio = (f"{number(a['ratio'], 2)} times the deaths expected, 95% CI "
             f"{number(a['ratio_lower'], 2)} to {number(a['ratio_upper'], 2)}")
    return text + PHRASES["adjusted"][r.adjusted_verdict].format(theirs=theirs, ratio=ratio)


def published(results: Results) -> str:
    """Which published figures there are for the area and which are drawn on the chart."""
    r, table, points = results, results.published, results.published_points
    if table.empty:
        return PUBLISHED_NONE.format(area=r.area_name)
    drawn = len(points)
    text = PUBLISHED.format(n=len(table), s="s" if len(table) != 1 else "", area=r.area_name,
                            drawn=drawn, shown=PUBLISHED_SHOWN[1 if drawn == 1 else "many"])
    undrawn = table[~table["period"].isin(points["x"])]
    if undrawn.empty:
        return text
    return text + PUBLISHED_UNDRAWN.format(items="; ".join(
        f"{number(v)} ({p})" for v, p in zip(undrawn["value"], undrawn["period"], strict=True)))


# ----------------------------------------------------------------------------------------------
# sections (one cell each on the page)


def key_messages(results: Results) -> str:
    """The page's summary for councillors, as Markdown bullet points."""
    r, row = results, results.latest
    if r.latest_status in ("published", "few deaths"):
        first = KEY["rate"].format(
            period=row["period"], rate=number(row["rate"]), unit=UNIT, area=r.area_name,
            deaths=count(row["infant_deaths"]), births=count(row["live_births"]),
            label=ci_label(r.confidence), ci=ci(row["lower"], row["upper"]),
            comparison=PHRASES["compared_short"].get(row["compared"], PHRASES["not_compared"]),
            theirs=possessive(r.comparator_name), bench=number(r.benchmark_latest["rate"]))
    else:
        first = KEY["not published"].format(period=row["period"], area=r.area_name)
    direction = PHRASES["trend_short"][r.trend].format(change=_change(r.fit.ratio))
    closing = (KEY["gap none"].format(comparator=r.comparator_name)
               if r.gap_trend == "no clear change" else
               KEY["gap"].format(comparator=r.comparator_name, direction=r.gap_trend))
    trend_line = KEY["trend"].format(years=r.years, direction=direction, closing=closing)
    if r.need_verdict == "at or below":
        take = KEY["matched"].format(comparator=r.comparator_name)
    else:
        take = KEY["match"].format(comparator=r.comparator_name,
                                   fewer=number(r.need["fewer_deaths_per_year"]),
                                   deaths=number(r.need["deaths_per_year"]), period=row["period"])
        take += KEY["match chance"] if r.need_verdict == "may be chance" else "."
    end = r.projected.iloc[-1]
    projection_line = KEY["projection"].format(
        year=int(end["year"]), rate=number(end["rate"]), unit=UNIT,
        label=f"{confidence_percent(r.confidence):g}%",
        interval=ci(end["lower_pi"], end["upper_pi"])) + fit_caution(r)
    lines = [first, trend_line, projection_line, take]
    if r.gradient != "suppressed":
        where = f"{r.quintiles['area_name'].iloc[0]}, {r.quintiles['period'].iloc[0]}"
        lines.append(KEY["deprivation"].format(where=where, rii=number(r.sii["rii"])))
    if r.england_gradient != "suppressed":
        lines.append(KEY["england deprivation"].format(period=r.deciles["period"].iloc[0],
                                                      rii=number(r.england_sii["rii"])))
    return "\n".join(f"- {line}" for line in lines)


def trend_section(results: Results) -> str:
    """'Is the gap closing?': the trend, how much the years vary, and the gap, in plain words
    (the statistics are in :func:`about_method`)."""
    return "\n\n".join([trend(results) + " " + model_plain(results), gap(results)])


def what_this_means(results: Results) -> str:
    """'What this means', for a councillor: the latest rate against the comparator, whether the
    gap is changing and, when the area is above it, the deaths a year that matching it means."""
    r = results
    compared = r.latest.get("compared", "not compared") if r.latest_status in (
        "published", "few deaths") else "not compared"
    text = MEANING.get(compared, MEANING["not compared"]).format(
        area=r.area_name, comparator=r.comparator_name)
    text += MEANING_GAP[r.gap_trend]
    if compared == "worse" and r.need_verdict not in ("at or below", "may be chance"):
        text += MEANING_TAKE.format(comparator=r.comparator_name,
                                    fewer=number(r.need["fewer_deaths_per_year"]),
                                    deaths=number(r.need["deaths_per_year"]))
    return text


def about_method(results: Results) -> str:
    """"About the method" (Markdown bullets, shown collapsed): the trend model's statistics,
    the gap test's ratio, the deprivation indices, then the fixed notes (:data:`METHOD_NOTES`)."""
    r, fit, result = results, results.fit, results.gap
    lines = [METHOD_TREND.format(
        ratio=number(fit.ratio, 3), label=ci_label(fit.confidence),
        low=number(fit.ratio_lower, 3), high=number(fit.ratio_upper, 3), p=p_text(fit.p_value),
        model=model(r), gap=number(result.ratio_of_ratios, 3),
        gap_label=ci_label(result.confidence), gap_low=number(result.lower, 3),
        gap_high=number(result.upper, 3), gap_p=p_text(result.p_value))]
    if r.deprivation_code is not None and r.gradient != "suppressed":
        rows = _deprivation_rows(r)
        adjusted_text = "" if r.adjusted is None else METHOD_ADJUSTED.format(
            theirs=possessive(r.comparator_name), ratio=number(r.adjusted["ratio"], 2),
            lower=number(r.adjusted["ratio_lower"], 2), upper=number(r.adjusted["ratio_upper"], 2))
        lines.append(METHOD_DEPRIVATION.format(
            where=f"{rows['area_name'].iloc[0]}, {rows['period'].iloc[0]}",
            adjusted=adjusted_text))
    return "\n".join(f"- {line}" for line in [*lines, *METHOD_NOTES])


def deprivation_section(results: Results) -> str:
    """'Where is it worst?', locally: whose figures (or why there are none), the gradient, and
    how much of the gap with the comparator the deprivation mix explains."""
    r = results
    parts = [deprivation_source(r)] if deprivation_source(r) else []
    if r.deprivation_code is not None:
        parts.append(inequality(r))
        if r.adjusted is not None:
            parts.append(adjusted(r))
    return "\n\n".join(parts)


def target_section(results: Results) -> str:
    """'What would it take': deaths to match the comparator, then the projection."""
    return "\n\n".join([deaths_to_match(results), projection(results)])
