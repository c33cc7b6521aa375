"""The childhood obesity page in words: one function per paragraph, ``f(results) -> Markdown``.

Wording lives in :data:`PHRASES` (verdict words) and :data:`TEMPLATES` (sentences with
``{named}`` slots), so an analyst can change it without touching the statistics. Numbers are
formatted by :mod:`jsnalib.report.format`; two formats it lacks are kept here privately:
:func:`_count_text` (a count in a sentence, "fewer than 5" for 1 to 4) and :func:`_general`
(Python's ``g`` format, for published values and the CI label).
"""

from __future__ import annotations

import pandas as pd

from jsnalib.indicators.ncmp import INDICATORS
from jsnalib.inputs.contracts import NCMP
from jsnalib.inputs.periods import academic_year_label
from jsnalib.methods import disclosure, growth
from jsnalib.report.format import count, md_escape, number, p_text, percent

from .analyse import Results, has_records
from .load import SCHOOL_YEARS

#: Verdicts (from :mod:`.analyse`) to words.
PHRASES = {
    # against England (prevalence_table "comparison")
    "worse": "worse than", "better": "better than", "similar": "similar to",
    "higher": "higher than", "lower": "lower than",
    "not compared": "not compared with England",
    # the trend's direction and evidence (TrendModel.odds_ratios)
    "rising": "rose by {change} a year", "falling": "fell by {change} a year",
    "no clear change": "changed by less than 0.1% a year",
    "could be chance": ", which could be chance: the interval includes no change",
    "clear": "",
    # the deprivation gradient (inequality "gradient")
    "gradient higher": "higher in more deprived areas",
    "gradient lower": "lower in more deprived areas",
    "gradient similar": "not clearly different between more and less deprived areas",
    # why an inequality index was not calculated (inequality "note")
    "too few deciles": "not calculated: fewer than 5 deciles have children measured",
    "decile empty or full": ("not calculated: a decile has no children, or all children, with "
                             "this measure"),
    # why a published figure was not reproduced (published_checks "not_reproduced")
    "no year": "the period names no academic year",
    "other measure": "it is not a measure this page computes",
    "year not in data": "{year} is not in the data shown",
}

#: "What this means": the area against England in words a councillor uses.
MEANING_VERSUS = {"worse": "a higher share than England", "better": "a lower share than England",
                  "higher": "a higher share than England", "lower": "a lower share than England",
                  "similar": "in line with England", "not compared": "not compared with England"}

#: The fixed notes of "About the method", after the computed ones.
METHOD_NOTES = (
    "**Classification.** BMI SDS against UK90 (the `rcpchgrowth` reference tables) at the "
    "child's age in days; NCMP population-monitoring thresholds: underweight at or below the "
    "2nd centile, overweight at or above the 85th, obese at or above the 95th, severely obese at "
    "or above the 99.6th.",
    "**Exclusions.** Records with a value missing, or whose height, weight or BMI SDS lies "
    "beyond ±7 (`jsnalib.methods.growth.flag_ncmp_exclusions`; our reading of the NCMP "
    "validation ranges, to be confirmed with the NCMP team), are in no numerator or "
    "denominator. Records beyond the CDC's extreme-value limits on the modified SDS but inside "
    "those ranges are kept and flagged. Both are counted on the page.",
    "**Intervals.** Wilson score intervals for proportions; Newcombe's hybrid score interval for "
    "the change from Reception to Year 6. England's values come from the Fingertips export.",
    "**Trend.** Binomial GLM of yearly counts, `excess weight ~ year * school year`; standard "
    "errors are scaled when the years vary more than a binomial model allows (quasi-binomial). "
    "The projection extends the fitted line on the log-odds scale, with a seeded simulation for "
    "the prediction interval.",
    "**Inequality.** Slope and relative index of inequality across IMD deciles (PHE method; "
    "seeded simulation for the intervals).",
    "**Small numbers.** Counts of 1 to 4, and any count from which one could be worked out "
    "(between boys, girls and all children; between the districts and their county; across "
    "deciles), are not shown.",
)

#: Sentences, by paragraph.
TEMPLATES = {
    "ci": "{level}% CI",
    "excluded": ("Of {measured} measurements, {excluded} ({percent}) were left out of every "
                 "figure on this page, as the NCMP's own validation ranges would leave them out; "
                 "the commonest reason was: {reason} ({top} records). They are counted here, not "
                 "dropped silently. "),
    "none excluded": "No record was left out. Every other measurement is used. ",
    "few excluded": ("A small number of records (not shown, to protect privacy) were left out as "
                     "implausible or incomplete. Every other measurement is used. "),
    "none kept": "No kept measurement is extreme enough to be flagged.",
    "kept": ("{kept} extreme but possible measurements (such as very severe obesity) are kept in "
             "every figure and flagged here for checking."),
    "extreme kept": ("kept, but flagged: beyond the CDC's extreme-value limits on the modified "
                     "SDS (BMI {bmi}, height {height}, weight {weight}) yet inside the NCMP "
                     "ranges"),
    "any excluded": "Excluded for any of the reasons above",
    "latest": ("In {year}, {value} of {school} children in {area} were overweight or obese "
               "({count} of {denominator}; {ci} {lower} to {upper}), {versus}. {obese} were "
               "obese, {obese_versus}."),
    "versus": "{word} England ({england})",
    "fingertips": ("Fingertips (OHID) publishes {published} obesity (including severe obesity) "
                   "for {school} children in {area} in {year}; {records} give {value} "
                   "({count} of {denominator}; {ci} {lower} to {upper})."),
    "records synthetic": "these synthetic demonstration records",
    "records real": "the NCMP records here",
    "no published": "No figures for {area} were found in the published documents.",
    "published item": "- {indicator}, {period}: {reading}.",
    "check not reproduced": "published {value} {unit}; not reproduced: {why}",
    "check percent": "published {published}, this data {value} ({ci} {lower}-{upper})",
    "check count": ("published {published} {unit}, this data {value} ({ci} {lower}-{upper})"),
    "check within": ": within the interval",
    "check outside": ": outside the interval",
    "check share": " ({published} would be {share} of the {denominator} children measured here)",
    "per year": "In {school}, the odds of {what} {moved} ({ci} {lower} to {upper} a "
                "year){evidence}.",
    "interaction differs": "The yearly change differs between Reception and Year 6.",
    "interaction unclear": ("There is no clear evidence that the yearly change differs between "
                            "Reception and Year 6."),
    "plain quasi-binomial": ("The years go up and down more than chance alone would make them, "
                             "so the intervals are widened to allow for that."),
    "plain binomial": "",
    "model": "Model: {reason}.",
    "method trend": ("Trend model `{formula}` (binomial GLM of the yearly counts): {terms}."
                     "{interaction} Model: {reason}."),
    "method term": "{school} odds ratio per year {ratio} ({ci} {lower} to {upper}; {p})",
    "method interaction": " Interaction (the two yearly changes differ): {p}.",
    "method inequality": ("Deprivation: the slope index of inequality (SII) is the modelled gap "
                          "in percentage points between the most and least deprived ends of the "
                          "deciles; the relative index (RII) is their ratio."),
    "meaning level": "{value} of {school} children in {area} are overweight or obese: {versus}.",
    "meaning trend": {"rising": " The share has been rising year on year.",
                      "falling": " The share has been falling year on year.",
                      "no clear change": " The share has not clearly changed over the years."},
    "meaning gradient": (" Children in more deprived neighbourhoods are more likely to be "
                         "overweight or obese, so where children live matters as well as the "
                         "overall rate."),
    "binomial": "binomial model; Pearson dispersion {dispersion} ({p})",
    "quasi-binomial": ("the yearly percentages vary more than a binomial model allows (Pearson "
                       "dispersion {dispersion}, {p}), so standard errors were scaled by the "
                       "dispersion (quasi-binomial)"),
    "formula both": "count + failures ~ year * year6",
    "formula one": "count + failures ~ year",
    "term per_year": "{school}: change in the odds per year",
    "term interaction": "Year 6 against Reception: ratio of the yearly changes (interaction)",
    "term latest": "Year 6 against Reception: odds in {year}",
    "projection start": "If the trend since {first} continues unchanged:",
    "projection": ("{value} of {school} children would have {what} in {year} ({ci} for the trend "
                   "{lower_ci} to {upper_ci}; allowing for chance variation in a year group of "
                   "{cohort} children, {lower_pi} to {upper_pi})."),
    "poor fit": ("The model fits poorly (the years vary {dispersion} times as much as chance "
                 "alone would explain); treat the projection with caution."),
    "inequality missing": "{school}: the inequality index was {note}.",
    "inequality": ("{school}: {what} is {gist}. The modelled gap between the most and least "
                   "deprived ends is {sii} percentage points ({ci} {sii_lower} to {sii_upper}); "
                   "the most deprived end has {rii} times the prevalence of the least deprived "
                   "({ci} {rii_lower} to {rii_upper})."),
    "no cohorts": ("No year group was measured both in Reception and, six years later, in Year 6 "
                   "within the years shown."),
    "cohort": ("Of the year group in Reception in {reception_year}, {reception} had {what}; six "
               "years later, in Year 6 in {year6_year}, {year6} did: a change of {change} "
               "percentage points ({ci} {lower} to {upper})."),
    "cohorts range": (" Across the {n} year groups followed, the change ranged from {low} to "
                      "{high} percentage points; in {rising} of them the rise was larger than "
                      "chance alone would explain."),
    "not shown": ("A dash (–) marks a figure not shown: a count of 1 to 4, or one from which such "
                  "a count could be worked out."),
    # an area without NCMP records (Results.records_available False)
    "no records": "**Not shown for {area}: {section}.** Every figure on this page is counted "
                  "from National Child Measurement Programme records, and `data/ncmp.csv.gz` "
                  "has no records for {area}. To add them, put the extract in "
                  "`data/ncmp.csv.gz` (one row per child measured, with the columns "
                  "{columns}; `area_code` is the district or unitary authority of the child's "
                  "home), run `jsna validate data` and rebuild: `data/README.md` describes "
                  "each column.",
    "no records again": "**Not shown for {area}: {section}.** It needs the NCMP records, which "
                        "`data/ncmp.csv.gz` does not have for {area} (how to add them is said "
                        "at the top of the page).",
}


# --------------------------------------------------------------------------------------------
# formats report.format lacks, and labels shared with the figures
# --------------------------------------------------------------------------------------------

def _count_text(value: float) -> str:
    """A count for a sentence: "1,234"; "fewer than 5" for 1 to 4; "a small number (not
    shown)" for a suppressed (missing) count."""
    lo, hi = disclosure.SMALL_COUNTS
    if pd.isna(value):
        return "a small number (not shown)"
    if lo <= value <= hi:
        return f"fewer than {hi + 1}"
    return count(value)


def _general(value: float, sign: bool = False) -> str:
    """Python's shortest ``g`` format: 95.0 -> "95", 7.5 -> "7.5"; ``sign`` adds "+"."""
    return f"{value:+g}" if sign else f"{value:g}"


def ci_label(level: float) -> str:
    """"95% CI" for a level of 0.95."""
    return TEMPLATES["ci"].format(level=_general(level * 100))


def what(indicator: str) -> str:
    """The measure in a sentence: "excess weight", "obesity"."""
    return INDICATORS[indicator].label.split(" (")[0].lower()


def reason_descriptions(results: Results) -> dict[str, str]:
    """Each exclusion reason's description (the rule applied), by reason."""
    reasons = results.exclusion_reasons
    described = dict(zip(reasons["reason"], reasons["description"], strict=True))
    limits = growth.IMPLAUSIBLE_LIMITS
    described["extreme_kept"] = TEMPLATES["extreme kept"].format(**{
        k: f"{_general(limits[k][0], True)} to {_general(limits[k][1], True)}"
        for k in ("bmi", "height", "weight")})
    return described


def term_label(term: str, school_year: str, results: Results) -> str:
    """The reader's name of an odds ratio of the trend model."""
    return TEMPLATES[f"term {term}"].format(
        school=SCHOOL_YEARS[school_year],
        year=academic_year_label(results.model.data["year"].max()))


def formula(results: Results) -> str:
    """The trend model's formula as the page writes it."""
    return TEMPLATES["formula both" if len(results.model.school_years) == 2 else "formula one"]


def inequality_note(note: str) -> str:
    """Why an inequality index was not calculated ("" when it was)."""
    return PHRASES[note] if note else ""


def check_reading(row: pd.Series, level: float) -> str:
    """A published figure against this data (a row of ``Results.checks``)."""
    ci = ci_label(level)
    if row["not_reproduced"]:
        why = PHRASES[row["not_reproduced"]].format(
            year=academic_year_label(row["year"]) if pd.notna(row["year"]) else "")
        return TEMPLATES["check not reproduced"].format(
            value=_general(row["published"]), unit=row["unit"], why=why)
    if row["kind"] == "percent":
        text = TEMPLATES["check percent"].format(
            published=percent(row["published"]), value=percent(row["value"]), ci=ci,
            lower=number(row["lower"]), upper=number(row["upper"]))
    else:
        text = TEMPLATES["check count"].format(
            published=number(row["published"], 0), unit=row["unit"],
            value=_count_text(row["value"]), ci=ci, lower=number(row["lower"], 0),
            upper=number(row["upper"], 0))
    if row["within"] is not pd.NA:
        text += TEMPLATES["check within" if row["within"] else "check outside"]
    if row["kind"] == "count" and pd.notna(row["denominator"]):
        text += TEMPLATES["check share"].format(
            published=number(row["published"], 0),
            share=percent(row["published"] / row["denominator"] * 100),
            denominator=number(row["denominator"], 0))
    return text


# --------------------------------------------------------------------------------------------
# paragraphs
# --------------------------------------------------------------------------------------------

#: What each section of the page shows, named in its notice when there are no records.
NO_RECORDS_SECTIONS = {
    "exclusions": "measurements left out, and every other figure on this page",
    "latest": "the latest year", "published": "the published figures, checked",
    "trend": "the trend in Reception and Year 6", "projection": "where the trend leads",
    "inequality": "the deprivation gradient", "cohorts": "the same year group, six years on",
    "meaning": "what the figures mean",
}


def no_records(results: Results, section: str) -> str:
    """The notice in place of a section (a key of :data:`NO_RECORDS_SECTIONS`) when the area
    has no NCMP records: in full (file, columns, data/README.md) for the first on the page,
    "latest", briefly after it."""
    return TEMPLATES["no records" if section == "latest" else "no records again"].format(
        area=md_escape(results.area_name), section=NO_RECORDS_SECTIONS[section],
        columns=", ".join(NCMP.names))


def exclusions(results: Results) -> str:
    """How many records were left out and the commonest reason; extreme ones kept."""
    if not has_records(results):
        return no_records(results, "exclusions")
    table = results.exclusions
    column = "All" if "All" in table.columns else SCHOOL_YEARS[results.school_years[0]]
    rows = table.set_index("reason")
    excluded = rows.at["implausible", column]
    if pd.isna(excluded) or excluded == 0:
        head = TEMPLATES["none excluded" if excluded == 0 else "few excluded"]
    else:
        reasons = rows.drop(index=["implausible", "extreme_kept"])[column].astype("Float64")
        top = reasons.astype(float).idxmax()
        head = TEMPLATES["excluded"].format(
            measured=count(results.measured), excluded=_count_text(excluded),
            percent=percent(rows.at["implausible", "percent"], 2),
            reason=reason_descriptions(results)[top], top=_count_text(reasons[top]))
    kept = rows.at["extreme_kept", column]
    if not pd.isna(kept) and kept == 0:
        return head + TEMPLATES["none kept"]
    words = _count_text(kept)
    return head + TEMPLATES["kept"].format(kept=words[0].upper() + words[1:])


def _versus(row: pd.Series) -> str:
    """'worse than England (22.1%)', 'similar to England (22.1%)' or 'not compared ...'."""
    if row["comparison"] == "not compared":
        return PHRASES["not compared"]
    return TEMPLATES["versus"].format(word=PHRASES[row["comparison"]],
                                      england=percent(row["england"]))


def latest(results: Results) -> str:
    """Excess weight and obesity in the latest year, against England."""
    if not has_records(results):
        return no_records(results, "latest")
    table = results.table
    year = table["year"].max()
    rows = table[(table["year"] == year) & (table["sex"] == "persons")]
    parts = []
    for school_year in [s for s in SCHOOL_YEARS if s in set(rows["school_year"])]:
        r = rows[rows["school_year"] == school_year].set_index("indicator")
        ew, ob = r.loc["excess_weight"], r.loc["obese"]
        parts.append(TEMPLATES["latest"].format(
            year=academic_year_label(year), value=percent(ew["value"]),
            school=SCHOOL_YEARS[school_year], area=results.area_name,
            count=_count_text(ew["count"]), denominator=_count_text(ew["denominator"]),
            ci=ci_label(results.confidence), lower=percent(ew["lower"]),
            upper=percent(ew["upper"]), versus=_versus(ew), obese=percent(ob["value"]),
            obese_versus=_versus(ob)))
    parts += [fingertips_reading(row, results) for _, row in results.fingertips.iterrows()]
    return " ".join(parts)


def fingertips_reading(row: pd.Series, results: Results) -> str:
    """The obesity Fingertips publishes beside the records' figure (a row of
    ``Results.fingertips``)."""
    return TEMPLATES["fingertips"].format(
        published=percent(row["published"]), school=SCHOOL_YEARS[row["school_year"]],
        area=results.area_name, year=academic_year_label(int(row["year"])),
        records=TEMPLATES["records synthetic" if row["synthetic"] else "records real"],
        value=percent(row["value"]), count=_count_text(row["count"]),
        denominator=_count_text(row["denominator"]), ci=ci_label(results.confidence),
        lower=percent(row["lower"]), upper=percent(row["upper"]))


def published(results: Results) -> str:
    """The published figures against this data, one bullet each."""
    if not has_records(results):
        return no_records(results, "published")
    checks = results.checks
    if checks.empty:
        return TEMPLATES["no published"].format(area=md_escape(results.area_name))
    return "\n".join(TEMPLATES["published item"].format(
        indicator=md_escape(row["indicator"]), period=md_escape(row["period"]),
        reading=check_reading(row, results.confidence)) for _, row in checks.iterrows())


def trend(results: Results) -> str:
    """The odds ratios of the trend model: the yearly change in each school year, whether the
    two differ, and the model used."""
    if not has_records(results):
        return no_records(results, "trend")
    model = results.model
    ci = ci_label(model.confidence)
    parts = []
    for _, row in model.odds_ratios[model.odds_ratios["term"] == "per_year"].iterrows():
        moved = PHRASES[row["direction"]].format(change=percent(abs(row["percent_change"])))
        parts.append(TEMPLATES["per year"].format(
            school=SCHOOL_YEARS[row["school_year"]], what=what(model.indicator), moved=moved,
            ci=ci, lower=_signed_change(row["lower"]), upper=_signed_change(row["upper"]),
            evidence=PHRASES[row["evidence"]]))
    interaction = model.odds_ratios[model.odds_ratios["term"] == "interaction"]
    if len(interaction):
        parts.append(TEMPLATES["interaction differs" if interaction["evidence"].iloc[0] == "clear"
                               else "interaction unclear"])
    parts.append(TEMPLATES[f"plain {model.kind}"])
    return " ".join(p for p in parts if p)


def _signed_change(ratio: float) -> str:
    """An odds ratio as a signed percentage change: 1.014 -> "+1.4%"."""
    change = 100 * (ratio - 1)
    return f"{'+' if change > 0 else '-' if change < 0 else ''}{percent(abs(change))}"


def what_this_means(results: Results) -> str:
    """'What this means', for a councillor: excess weight in the oldest school year shown
    against England, its direction over the years, and the deprivation gradient."""
    if not has_records(results):
        return no_records(results, "meaning")
    table = results.table
    year = table["year"].max()
    rows = table[(table["year"] == year) & (table["sex"] == "persons")
                 & (table["indicator"] == "excess_weight")]
    school = [s for s in SCHOOL_YEARS if s in set(rows["school_year"])][-1]
    row = rows[rows["school_year"] == school].iloc[0]
    text = TEMPLATES["meaning level"].format(
        value=percent(row["value"]), school=SCHOOL_YEARS[school], area=results.area_name,
        versus=MEANING_VERSUS.get(row["comparison"], MEANING_VERSUS["not compared"]))
    odds = results.model.odds_ratios
    trend = odds[(odds["term"] == "per_year") & (odds["school_year"] == school)]
    if len(trend):
        direction = (trend["direction"].iloc[0] if trend["evidence"].iloc[0] == "clear"
                     else "no clear change")
        text += TEMPLATES["meaning trend"][direction]
    gradient = results.inequality[results.inequality["school_year"] == school]
    if len(gradient) and gradient["gradient"].iloc[0] == "higher":
        text += TEMPLATES["meaning gradient"]
    return text


def about_method(results: Results) -> str:
    """"About the method" (Markdown bullets, shown collapsed): the trend model with its odds
    ratios, p-values and dispersion, the inequality indices, then :data:`METHOD_NOTES` (the
    notes alone when the area has no records)."""
    if not has_records(results) or results.model is None:
        return "\n".join(f"- {line}" for line in METHOD_NOTES)
    model = results.model
    ci = ci_label(model.confidence)
    odds = model.odds_ratios
    terms = "; ".join(TEMPLATES["method term"].format(
        school=SCHOOL_YEARS[row["school_year"]], ratio=number(row["odds_ratio"], 3), ci=ci,
        lower=number(row["lower"], 3), upper=number(row["upper"], 3), p=p_text(row["p_value"]))
        for _, row in odds[odds["term"] == "per_year"].iterrows())
    interaction = odds[odds["term"] == "interaction"]
    reason = TEMPLATES[model.kind].format(dispersion=number(model.fit.dispersion, 2),
                                          p=p_text(model.fit.dispersion_p))
    lines = [TEMPLATES["method trend"].format(
        formula=formula(results), terms=terms, reason=reason,
        interaction=(TEMPLATES["method interaction"].format(
            p=p_text(interaction["p_value"].iloc[0])) if len(interaction) else "")),
        TEMPLATES["method inequality"]]
    return "\n".join(f"- {line}" for line in [*lines, *METHOD_NOTES])


def projection(results: Results) -> str:
    """The projected prevalence in the final year, per school year, flagging a poor fit."""
    if not has_records(results):
        return no_records(results, "projection")
    model, future = results.model, results.projection
    end = future[future["year"] == future["year"].max()]
    ci = ci_label(model.confidence)
    parts = [TEMPLATES["projection start"].format(
        first=academic_year_label(model.data["year"].min()))]
    for _, row in end.iterrows():
        parts.append(TEMPLATES["projection"].format(
            value=percent(row["value"]), school=SCHOOL_YEARS[row["school_year"]],
            what=what(model.indicator), year=row["academic_year"], ci=ci,
            lower_ci=percent(row["lower_ci"]), upper_ci=percent(row["upper_ci"]),
            cohort=count(row["cohort"]), lower_pi=percent(row["lower_pi"]),
            upper_pi=percent(row["upper_pi"])))
    if model.fit_verdict == "poor fit":
        parts.append(TEMPLATES["poor fit"].format(dispersion=number(model.fit.dispersion)))
    return " ".join(parts)


def inequality(results: Results) -> str:
    """The slope and relative indices of inequality, per school year."""
    if not has_records(results):
        return no_records(results, "inequality")
    ci = ci_label(results.confidence)
    parts = []
    for _, row in results.inequality.iterrows():
        school = SCHOOL_YEARS[row["school_year"]]
        if pd.isna(row["sii"]):
            parts.append(TEMPLATES["inequality missing"].format(
                school=school, note=inequality_note(row["note"])))
            continue
        parts.append(TEMPLATES["inequality"].format(
            school=school, what=what(results.indicator),
            gist=PHRASES[f"gradient {row['gradient']}"], sii=number(row["sii"]), ci=ci,
            sii_lower=number(row["sii_lower"]), sii_upper=number(row["sii_upper"]),
            rii=number(row["rii"], 2), rii_lower=number(row["rii_lower"], 2),
            rii_upper=number(row["rii_upper"], 2)))
    return " ".join(parts)


def cohorts(results: Results) -> str:
    """The latest year group followed from Reception to Year 6, and the range of changes."""
    if not has_records(results):
        return no_records(results, "cohorts")
    table = results.cohorts
    if table.empty:
        return TEMPLATES["no cohorts"]
    last = table.iloc[-1]
    text = TEMPLATES["cohort"].format(
        reception_year=last["reception_academic_year"], reception=percent(last["reception_value"]),
        what=what(results.indicator), year6_year=last["year6_academic_year"],
        year6=percent(last["year6_value"]), change=number(last["change"]),
        ci=ci_label(results.confidence), lower=number(last["change_lower"]),
        upper=number(last["change_upper"]))
    changes = table["change"].dropna()
    if len(changes) > 1:
        text += TEMPLATES["cohorts range"].format(
            n=len(changes), low=number(changes.min()), high=number(changes.max()),
            rising=int((table["change_lower"] > 0).sum()))
    return text
