"""The profiles' words: verdicts of :class:`.analyse.Results` turned into Markdown.

The phrases and sentence templates come first, so the wording can change without touching the
statistics; then one function per paragraph, each ``f(results) -> str``, and the few phrases the
charts and tables share (:func:`trend_label`, :func:`versus_england`, :func:`with_unit`). Every
number goes through :mod:`jsnalib.report.format`.
"""

from __future__ import annotations

import pandas as pd

from jsnalib import indicators
from jsnalib.inputs.contracts import CONTRACTS
from jsnalib.inputs.geography import Geography
from jsnalib.methods import disclosure, stats
from jsnalib.methods.confidence import percent as confidence_percent
from jsnalib.report import format as fmt

from .analyse import TREND_POINTS, Results

# ----------------------------------------------------------------------------------------------
# phrases

#: A rating against England (:data:`.analyse.RATINGS`) in a sentence; any other verdict reads
#: as itself ("not compared").
VERSUS_ENGLAND = {"better": "better than England", "worse": "worse than England",
                  "higher": "higher than England", "lower": "lower than England",
                  "similar": "similar to England"}
#: A significant trend: its arrow, its word in a label and its verb in a sentence.
TREND_WORDS = {"increasing": ("\u2191", "rising", "rose"),
               "decreasing": ("\u2193", "falling", "fell")}
#: The direction that is an improvement, by polarity.
GOOD_DIRECTION = {"low_is_good": "decreasing", "high_is_good": "increasing"}
#: Whether a trend is getting better (True) or worse (False).
JUDGEMENT = {True: "getting better", False: "getting worse"}
#: How each recent-trend test (:data:`.analyse.TREND_TESTS`) is described.
TREND_METHOD = {
    "tested": "chi-square test for trend, latest {points} years, 99.8% level",
    "no data": "no data",
    "years missing": "needs {points} years in a row with data",
    "no variation": "no variation to test",
    "published": "the publisher's own recent trend, as published (no counts to test)",
}
#: The legend's line for each rating ({level}: the confidence level).
LEGEND = {
    "better": "significantly better than England: England's value lies outside the area's "
              "{level} confidence interval, on the good side",
    "similar": "not significantly different: England's value lies inside the interval",
    "worse": "significantly worse than England: England's value lies outside the interval, on "
             "the bad side",
    "higher": "significantly higher than England, for an indicator where higher is neither "
              "better nor worse (the referral rate)",
    "lower": "significantly lower than England, for such an indicator",
    "not compared": "no value, or no England value for the same period",
}
#: Sentence templates, filled with str.format.
TEMPLATES = {
    "legend trend": "{rising} / {falling}: a clear trend over the latest {points} yearly "
                    "values, one that chance alone would very rarely give (tested as Fingertips "
                    "does: see About the method); whether that is getting better or worse "
                    "depends on the indicator (for all but the referral rate, lower is better)",
    "legend flat": "{flat} over those years; {unknown} cannot be calculated (fewer than {points} "
                   "years in a row with data)",
    "periods": "{first} to {last}",
    "proportion change": "percentage points a year",
    "rate change": "{unit} a year",
    "trend cannot": "The recent trend cannot be calculated ({method}).",
    "trend published flat": "The publisher reports no significant recent change.",
    "trend published": "The publisher reports a significant recent {word} trend{judgement}.",
    "trend flat": "From {periods} there was no significant change.",
    "trend": "From {periods} it {verb} significantly (by {size} {unit})",
    "described": "{value} ({level} CI {lower} to {upper}; {count} {count_label} out of "
                 "{denominator} {denominator_label})",
    "described without counts": "{value} ({level} CI {lower} to {upper})",
    "described alone": "{value}",
    "published source": " Source: {source}.",
    "no fingertips": "No other Fingertips indicator: drop a Fingertips CSV export named "
                     "fingertips_<anything>.csv into data/ to add one (see data/README.md).",
    "fingertips caption": "Other indicators from Fingertips: latest value by area, rated against "
                          "England, with the recent trend and the source",
    "not available": "not available",
    "suppressed": " (suppressed: small numbers)",
    "none rated": "None of {area}'s indicators could be compared with England.",
    "tally": "Of the {rated} indicators rated against England, {area} is **worse on {worse}**, "
             "**similar on {similar}** and **better on {better}**.",
    "tally names": " {rating}: {names}.",
    "unrated": " ({names}: shown without a rating, as neither higher nor lower is better in "
               "itself.)",
    "borrowed": " ({names}: {owner}'s figure, not {area}'s own, so not counted here.)",
    "indicator line": "- **{name}**, {period}: {described}. {versus} {trend}{source}",
    "versus": "{words} ({england}).",
    "not versus": "Not compared with England.",
    "source": " This is {owner}'s figure.",
    "figure note": "- {marker}**{name}, {area}:** {notes}.",
    "suppression note": "a small number was suppressed ({why})",
    "reading": "- **{area}**: worse than England on {worse} of {rated}{worse_names}. Better on "
               "{better}{better_names}.",
    "units": "Units: {units}.",
    "meaning worse": "{area} does worse than England on {names}: for each, the gap is larger "
                     "than chance alone would explain, so these are where the area most needs "
                     "to catch up.",
    "meaning none worse": "{area} is not clearly worse than England on any indicator rated.",
    "meaning none rated": "None of {area}'s indicators could be compared with England.",
    "meaning better": " It does better than England on {names}.",
    "meaning similar": " On {names} it is in line with England: any difference could be chance.",
    "meaning trend worse": " Getting worse in recent years: {names}.",
    "meaning trend better": " Getting better in recent years: {names}.",
    "meaning no trend": " None of its figures has changed clearly in recent years.",
    "summary meaning": "The indicators most often worse than England are {names} ({worse} of "
                       "the {areas} areas rated on each). Each area's profile page says what "
                       "its own figures mean.",
    "summary meaning none": "No area is clearly worse than England on any indicator.",
    "spine title": "{area} compared with England",
    "spine caption": "Spine chart: {area}'s latest value of each indicator against England, the "
                     "{region} and the worst and best areas.",
    "spine label": "{short}, {period}\n{value}: {versus}{source}",
    "spine source": " ({owner}'s figure)",
    "profile caption": "{area}: latest value of each indicator, compared with England and "
                       "{region}",
    "health caption": "Infant mortality and child weight: latest value by area, rated against "
                      "England, with the recent trend",
    "social care caption": "Children's social care: latest value by council, rated against "
                           "England, with the recent trend",
    "district map part": "{name}'s districts",
    "region map": "{region} councils",
    # figures that need record-level data the data folder lacks
    "no records": "not available: `data/{file}` has no records for {area} (see the note below)",
    "indicator line no period": "- **{name}**: {described}. {versus} {trend}{source}",
    "records notice": "**Not shown: {what} for {areas}.** {indicators} for {areas} are counted "
                      "from record-level data, and `data/{file}` has no records for {them}. To add "
                      "them, put the extract in `data/{file}` ({row}, with the columns {columns}), run "
                      "`jsna validate data` and rebuild: `data/README.md` describes each column.",
    "records notice rows": {"ncmp.csv.gz": "one row per child measured",
                            "referrals.csv.gz": "one row per referral"},
    "spine none": "No indicator for {area} has both a value and England's value for the "
                  "same period, so there is nothing to chart: the table below lists every "
                  "indicator.",
    "neighbours caption": "{area} and its statistical neighbours (Department for Education "
                          "model, closest first): latest value of each indicator, rated against "
                          "England",
}


# ----------------------------------------------------------------------------------------------
# phrases the charts and tables share


def level(confidence: float) -> str:
    """A confidence level as a page prints it: ``0.95 -> "95%"``, ``0.998 -> "99.8%"``."""
    pct = confidence_percent(confidence)
    return fmt.percent(pct, 0 if float(pct).is_integer() else 1)


def versus_england(rating: str) -> str:
    """'worse than England', 'similar to England'; 'not compared' (or "") as it is."""
    return VERSUS_ENGLAND.get(rating, rating)


def with_unit(value: float, unit: str) -> str:
    """'26.0%' for percentages, '8.5 per 1,000 live births' for rates; missing: not available."""
    if pd.isna(value):
        return fmt.MISSING
    if unit.startswith("%") or not unit:
        return f"{fmt.number(value)}{unit}"
    return f"{fmt.number(value)} {unit}"


def trend_label(direction: str, polarity: str) -> str:
    """The words and arrow a page shows for a trend, saying whether the change is good.

    >>> trend_label("increasing", "low_is_good")
    '↑ rising (getting worse)'
    >>> trend_label("decreasing", "no_judgement")
    '↓ falling'
    """
    if polarity not in stats.POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(stats.POLARITIES)}, got "
                         f"{polarity!r}")
    if direction in ("no significant change", "cannot be calculated"):
        return direction
    if direction not in TREND_WORDS:
        raise ValueError(f"direction must be increasing, decreasing, no significant change or "
                         f"cannot be calculated, got {direction!r}")
    arrow, word, _ = TREND_WORDS[direction]
    if polarity == "no_judgement":
        return f"{arrow} {word}"
    return f"{arrow} {word} ({JUDGEMENT[direction == GOOD_DIRECTION[polarity]]})"


def trend_method(test: str) -> str:
    """How a recent trend was tested, or why it was not (one of :data:`.analyse.TREND_TESTS`)."""
    return TREND_METHOD[test].format(points=TREND_POINTS)


def change_unit(indicator: str, kind: str | None = None, unit: str | None = None) -> str:
    """The unit of an indicator's trend: 'percentage points a year', 'per 1,000 ... a year'.

    An indicator not in the catalogue (one from a Fingertips export) needs its ``kind`` and
    ``unit`` (columns of ``results.compared``).
    """
    if kind is None or unit is None:
        item = indicators.indicator(indicator)
        kind, unit = item.kind, item.unit
    if kind == "proportion":
        return TEMPLATES["proportion change"]
    return TEMPLATES["rate change"].format(unit=unit).strip()


def trend_periods(row: pd.Series) -> str:
    """The years a trend was tested on, '2019 to 2023' ("" without data)."""
    if not row["trend_from"]:
        return ""
    return TEMPLATES["periods"].format(first=row["trend_from"], last=row["trend_to"])


def trend_sentence(row: pd.Series) -> str:
    """One plain sentence on an indicator's recent trend, from a row of ``results.compared``."""
    direction = row["trend_direction"]
    if row["trend_test"] == "published" and direction in TREND_WORDS:
        judgement = ("" if row["polarity"] == "no_judgement" else
                     f" ({JUDGEMENT[direction == GOOD_DIRECTION[row['polarity']]]})")
        return TEMPLATES["trend published"].format(word=TREND_WORDS[direction][1],
                                                   judgement=judgement)
    if row["trend_test"] == "published" and direction == "no significant change":
        return TEMPLATES["trend published flat"]
    if direction == "cannot be calculated":
        return TEMPLATES["trend cannot"].format(method=trend_method(row["trend_test"]))
    if direction == "no significant change":
        return TEMPLATES["trend flat"].format(periods=trend_periods(row))
    sentence = TEMPLATES["trend"].format(
        periods=trend_periods(row), verb=TREND_WORDS[direction][2],
        size=fmt.number(abs(row["trend_change"])),
        unit=change_unit(row["indicator"], row.get("kind"), row.get("unit")))
    if row["polarity"] == "no_judgement":
        return sentence + "."
    return f"{sentence}: {JUDGEMENT[direction == GOOD_DIRECTION[row['polarity']]]}."


def described(row: pd.Series, confidence: float) -> str:
    """'7.6 per 1,000 live births (95% CI 6.3 to 9.1; 75 infant deaths out of 9,842 live
    births)', or 'not available'."""
    if pd.isna(row["value"]) and row.get("records_missing"):
        return TEMPLATES["no records"].format(file=row["records_missing"], area=row["area_name"])
    if pd.isna(row["value"]):
        return TEMPLATES["not available"] + (
            TEMPLATES["suppressed"] if pd.notna(row.get(disclosure.NOTE_COLUMN)) else "")
    value = with_unit(row["value"], row["unit"])
    if pd.isna(row["lower"]) or pd.isna(row["upper"]):
        return TEMPLATES["described alone"].format(value=value)
    if pd.isna(row["count"]) or pd.isna(row["denominator"]):
        return TEMPLATES["described without counts"].format(
            value=value, level=level(confidence), lower=fmt.number(row["lower"]),
            upper=fmt.number(row["upper"]))
    return TEMPLATES["described"].format(
        value=value, level=level(confidence),
        lower=fmt.number(row["lower"]), upper=fmt.number(row["upper"]),
        count=fmt.count(row["count"]), count_label=row["count_label"],
        denominator=fmt.count(row["denominator"]), denominator_label=row["denominator_label"])


def _name_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _one_area(results: Results) -> pd.DataFrame:
    compared = results.compared
    if compared["area_code"].nunique() != 1:
        raise ValueError("a profile shows the comparison table of one area")
    return compared


# ----------------------------------------------------------------------------------------------
# paragraphs


def headline(results: Results) -> str:
    """The profile's opening (Markdown): the tally of ratings against England, then one line
    per indicator with its value, interval, counts, rating and trend."""
    compared = _one_area(results)
    code, area = compared["area_code"].iloc[0], compared["area_name"].iloc[0]
    tally = results.tallies.loc[code]
    if not tally["rated"]:
        first = TEMPLATES["none rated"].format(area=area)
    else:
        first = TEMPLATES["tally"].format(area=area, **tally.to_dict())
        for rating in ("worse", "better"):
            names = compared.loc[compared["counted"] & (compared["vs_england"] == rating),
                                 "short"].tolist()
            if names:
                first += TEMPLATES["tally names"].format(rating=rating.capitalize(),
                                                         names="; ".join(names))
        unrated = compared.loc[compared["polarity"] == "no_judgement", "short"].tolist()
        if unrated:
            first += TEMPLATES["unrated"].format(names="; ".join(unrated))
    borrowed = compared[~compared["own"] & (compared["polarity"] != "no_judgement")]
    if len(borrowed):
        first += TEMPLATES["borrowed"].format(names="; ".join(borrowed["short"]), area=area,
                                              owner=borrowed["value_from_name"].iloc[0])
    lines = [first, ""]
    for _, row in compared.iterrows():
        if row["vs_england"] in VERSUS_ENGLAND:
            words = versus_england(row["vs_england"])
            versus = TEMPLATES["versus"].format(words=words[0].upper() + words[1:],
                                                england=fmt.number(row["england"]))
        else:
            versus = TEMPLATES["not versus"]
        source = "" if row["own"] else TEMPLATES["source"].format(owner=row["value_from_name"])
        if row.get("source"):
            source += TEMPLATES["published source"].format(source=row["source"])
        line = TEMPLATES["indicator line" if row["period"] else "indicator line no period"]
        lines.append(line.format(
            name=row["name"], period=row["period"], described=described(row, results.confidence),
            versus=versus, trend=trend_sentence(row), source=source))
    return "\n".join(lines)


def records_notice(compared: pd.DataFrame) -> str:
    """In place of the figures counted from a record-level extract that has no records for an
    area: one paragraph per extract (Markdown) saying what is not shown, for which areas, and
    how to add the extract (file, columns, data/README.md); "" when nothing is missing."""
    missing = compared[compared["records_missing"].fillna("") != ""] \
        if "records_missing" in compared else compared.iloc[:0]
    paragraphs = []
    for file, rows in missing.groupby("records_missing", sort=False):
        contract = next(c for c in CONTRACTS.values() if c.filename == file)
        areas = _name_list(list(dict.fromkeys(rows["area_name"])))
        paragraphs.append(TEMPLATES["records notice"].format(
            what=contract.title, areas=areas, file=file,
            them="it" if rows["area_name"].nunique() == 1 else "them",
            indicators=_name_list(list(dict.fromkeys(rows["short"]))),
            row=TEMPLATES["records notice rows"].get(file, "one row per record"),
            columns=", ".join(contract.names)))
    return "\n\n".join(paragraphs)


def figure_notes(results: Results) -> str:
    """The notes attached to the figures (Markdown bullets; empty if there are none): a
    county's figure shown for a district, referrals without a child ID, suppression."""
    lines = []
    for _, row in results.compared.iterrows():
        notes = [row["note"]] if isinstance(row["note"], str) and row["note"] else []
        if pd.notna(row.get(disclosure.NOTE_COLUMN)):
            notes.append(TEMPLATES["suppression note"].format(why=row[disclosure.NOTE_COLUMN]))
        if notes:
            lines.append(TEMPLATES["figure note"].format(
                marker="" if row["own"] else "\u2020 ", name=row["name"], area=row["area_name"],
                notes="; ".join(notes)))
    notice = records_notice(results.compared)
    return "\n\n".join(filter(None, [notice, "\n".join(lines)]))


def method_notes(results: Results) -> str:
    """How the figures were made (Markdown bullets): ratings, trends, the spine chart's range
    (with the number of areas it spans for each indicator) and the NCMP exclusions.

    Every area named comes from ``results.geography`` (the home authorities, their districts,
    their regions); nothing about a particular council is written here."""
    geography: Geography = results.geography
    pct = level(results.confidence)
    shorts = results.compared.drop_duplicates("indicator").set_index("indicator")["short"]
    counted = "; ".join(f"{shorts[key].lower()}: {int(areas)}"
                        for key, areas in results.range_counts.items())
    unjudged = [i.short.lower() for i in indicators.INDICATORS if i.polarity == "no_judgement"]
    homes = geography.home_authorities()
    home_names = _name_list([geography.name(c) for c in homes])
    districts = [c for c in geography.jsna_areas() if c not in homes]
    counties = [c for c in homes if geography.children(c)]
    regions = _name_list(list(dict.fromkeys(geography.name(r) for c in homes
                                            if (r := geography.region(c)))))
    areas_text = home_names + (f", and the {len(districts)} districts within them" if districts
                               else "")
    lines = [
        f"- **Ratings.** An indicator is *better* or *worse* than England when England's value "
        f"lies outside the area's {pct} confidence interval; otherwise it is *similar*. "
        + (f"{_name_list(unjudged).capitalize()} have no better or worse direction, so they are "
           f"*higher*, *similar* or *lower*. " if unjudged else "")
        + "The same test against the region gives the region column.",
        f"- **Recent trend.** As in Fingertips: the latest {TREND_POINTS} yearly values, with "
        f"no year missing, tested with the chi-square test for trend (its Poisson form for "
        f"rates); an arrow needs the statistic above 9.5495 (the 99.8% level) and a direction "
        f"that stays the same when any one year is left out. Fewer years: the trend cannot be "
        f"calculated. Infant mortality is tested on single calendar years, since its 3-year "
        f"periods overlap. An arrow means the change is unlikely to be chance; it says nothing "
        f"about why.",
        f"- **The spine chart's range.** The grey bar runs from the worst to the best value in "
        f"the same period among the JSNA areas ({areas_text}), England, {regions} and the "
        f"authorities' statistical neighbours, where the data have a value of their own. "
        f"Areas in the range: {counted}.",
        "- **Child measurement (NCMP).** Children whose measurements are missing or outside the "
        "NCMP validation ranges are left out, as nationally"
        + ("; a county's figure adds up its districts' children" if counties else "")
        + f". England and {regions} figures come from the national Fingertips export.",
    ]
    if counties:
        lines.append(
            f"- **Children's social care** is run by the upper-tier councils "
            f"({home_names}), so districts (marked \u2020) show their county's re-referral and "
            f"referral figures, which are not counted in the district's own ratings.")
    lines.append("- **Small numbers.** Counts of 1 to 4 from individual records, and figures that "
                 "would reveal them, are not shown.")
    return "\n".join(lines)


def units_note(results: Results) -> str:
    """One line (Markdown) giving the unit of each indicator."""
    units = results.compared.drop_duplicates("indicator")
    return TEMPLATES["units"].format(units="; ".join(
        f"{row['short'].lower()} {row['unit']}" for _, row in units.iterrows()))


def summary_reading(results: Results) -> str:
    """One plain line per area but England (Markdown): which indicators are worse or better
    than England."""
    compared = results.compared
    lines = []
    for code, rows in compared.groupby("area_code", sort=False):
        if code == results.country:
            continue
        tally = results.tallies.loc[code]
        names = {rating: rows.loc[rows["counted"] & (rows["vs_england"] == rating),
                                  "short"].tolist() for rating in ("worse", "better")}
        lines.append(TEMPLATES["reading"].format(
            area=rows["area_name"].iloc[0], worse=tally["worse"], rated=tally["rated"],
            better=tally["better"],
            **{f"{rating}_names": (": " + "; ".join(found) if found else "")
               for rating, found in names.items()}))
    notice = records_notice(compared)
    return "\n\n".join(filter(None, ["\n".join(lines), notice]))


# ----------------------------------------------------------------------------------------------
# titles and captions of the figures


def spine_title(results: Results) -> str:
    """'Tamworth compared with England'."""
    return TEMPLATES["spine title"].format(area=_one_area(results)["area_name"].iloc[0])


def spine_caption(results: Results) -> str:
    """The spine chart's caption, naming the area and its region."""
    compared = _one_area(results)
    return TEMPLATES["spine caption"].format(area=compared["area_name"].iloc[0],
                                             region=compared["region_name"].iloc[0])


def spine_label(row: pd.Series) -> str:
    """A spine chart row's label: indicator, period, value and rating in words."""
    source = "" if row["own"] else TEMPLATES["spine source"].format(owner=row["value_from_name"])
    return TEMPLATES["spine label"].format(short=row["short"], period=row["period"],
                                           value=with_unit(row["value"], row["unit"]),
                                           versus=versus_england(row["vs_england"]),
                                           source=source)


def profile_caption(results: Results) -> str:
    """The profile table's caption."""
    compared = _one_area(results)
    return TEMPLATES["profile caption"].format(area=compared["area_name"].iloc[0],
                                               region=compared["region_name"].iloc[0] or "Region")


def local_map_title(results: Results) -> str:
    """Where the local maps are of: "<county>'s districts and <unitary authority>"."""
    geography = results.geography
    parts = [TEMPLATES["district map part"].format(name=geography.name(code))
             if geography.children(code) else geography.name(code)
             for code in geography.home_authorities()]
    return _name_list(parts)


def regional_map_title(results: Results) -> str:
    """Where the regional map is of: "<region> councils"."""
    geography = results.geography
    regions = [r for c in geography.home_authorities() if (r := geography.region(c))]
    return TEMPLATES["region map"].format(region=geography.name(regions[0]))


# ----------------------------------------------------------------------------------------------
# what the figures mean


def what_this_means(results: Results) -> str:
    """'What this means' on a profile, for a councillor (2-3 sentences): the indicators the
    area is worse on, those it is better or similar on, and which are clearly changing."""
    compared = _one_area(results)
    area = compared["area_name"].iloc[0]
    counted = compared[compared["counted"]]
    if counted.empty:
        return TEMPLATES["meaning none rated"].format(area=area)

    def names(rows: pd.DataFrame) -> str:
        return _name_list([n.replace(": ", " ") for n in rows["short"]])

    worse = counted[counted["vs_england"] == "worse"]
    text = (TEMPLATES["meaning worse"].format(area=area, names=names(worse)) if len(worse)
            else TEMPLATES["meaning none worse"].format(area=area))
    for rating in ("better", "similar"):
        rows = counted[counted["vs_england"] == rating]
        if len(rows):
            text += TEMPLATES[f"meaning {rating}"].format(names=names(rows))
    moving = counted[counted["trend_direction"].isin(list(TREND_WORDS))]
    good = moving["trend_direction"] == moving["polarity"].map(GOOD_DIRECTION)
    if moving.empty:
        return text + TEMPLATES["meaning no trend"]
    for judged, key in ((moving[~good], "meaning trend worse"), (moving[good],
                                                                  "meaning trend better")):
        if len(judged):
            text += TEMPLATES[key].format(names=names(judged))
    return text


def summary_meaning(results: Results) -> str:
    """'What this means' on the outcomes summary: the indicators most often worse than England
    across the areas (England itself left out)."""
    counted = results.compared[results.compared["counted"]
                               & (results.compared["area_code"] != results.country)]
    worse = counted[counted["vs_england"] == "worse"].groupby("short", sort=False).size()
    if worse.empty:
        return TEMPLATES["summary meaning none"]
    most = worse[worse == worse.max()]
    rated = counted[counted["short"].isin(most.index)].groupby("short").size().max()
    return TEMPLATES["summary meaning"].format(
        names=_name_list([n.replace(": ", " ") for n in most.index]), worse=int(worse.max()),
        areas=int(rated))


# ----------------------------------------------------------------------------------------------
# the partnership's outcomes framework

#: Headings of the framework's life-course stages (keys: the framework file's ``stage``).
FRAMEWORK_STAGE_TITLES = {"overarching": "Overarching health and wellbeing",
                          "start_well": "Start well", "grow_well": "Grow well",
                          "live_well": "Live well", "age_well": "Age well",
                          "end_well": "End well"}
#: The words of the framework tables (change the wording here, not the figures).
FRAMEWORK_PHRASES = {
    "caption": "{stage}: the outcomes framework's {n} {indicators} for {area}, now and as "
               "published in the 2017 report",
    "not loaded": "not loaded",
    "no figure": "no figure",
    "load": "Not loaded: download indicator {id} from Fingertips as CSV and drop it into data/ "
            "as fingertips_{id}.csv",
    "no value": "{source}: no figure for {area} in the loaded export",
    "none": "No Fingertips indicator; source: {source}",
    "published": "{value} (England {england}), {period}, {trend}",
    "no trend": "no direction stated",
    "no framework": "No outcomes framework in the data folder: add outcomes_framework.csv "
                    "(see data/README.md) to show one here.",
}
