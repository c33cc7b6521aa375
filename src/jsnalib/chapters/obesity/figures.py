"""The childhood obesity page's charts and tables: one function per figure or table,
``f(results) -> display object`` (house style: :mod:`jsnalib.report.plots`; page elements:
:mod:`jsnalib.report.display`).

A function for a school year the page does not show returns None (nothing is displayed).
Column formats live once, in :data:`FORMATS`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from IPython.display import HTML
from scipy.stats import norm

from jsnalib.indicators.ncmp import INDICATORS
from jsnalib.inputs.contracts import NCMP
from jsnalib.inputs.periods import academic_year_label
from jsnalib.methods import disclosure
from jsnalib.methods.growth import NCMP_CENTILE_THRESHOLDS
from jsnalib.report import display
from jsnalib.report import plots as house
from jsnalib.report.format import p_value, percent

from . import text
from .analyse import Results, has_records
from .load import DATA_FILES, SCHOOL_YEARS, SEXES, Inputs

#: Number formats of the page's tables, by column name (interval limits: see :func:`_formats`).
FORMATS = {"Number": "{:,.0f}", "Measured": "{:,.0f}", "%": "{:.1f}", "England %": "{:.1f}",
           "Reception": "{:,.0f}", "Year 6": "{:,.0f}", "All records": "{:,.0f}",
           "% of records measured": "{:.2f}", "Odds ratio": "{:.3f}", "Projected %": "{:.1f}",
           "Prediction interval lower": "{:.1f}", "Prediction interval upper": "{:.1f}",
           "Year group size assumed": "{:,.0f}", "SII (percentage points)": "{:.1f}",
           "RII": "{:.2f}", "Reception: number": "{:,.0f}", "Reception: measured": "{:,.0f}",
           "Year 6: number": "{:,.0f}", "Year 6: measured": "{:,.0f}", "Reception %": "{:.1f}",
           "Year 6 %": "{:.1f}", "Change (percentage points)": "{:.1f}"}


def _formats(table: pd.DataFrame) -> dict[str, str]:
    """Format strings for a table's columns: :data:`FORMATS`, and interval limits with the
    decimals of their estimate (3 for odds ratios, 2 for the RII, else 1)."""
    out = {}
    for column in table.columns:
        if column in FORMATS:
            out[column] = FORMATS[column]
        elif " CI " in column or column.endswith("CI lower") or column.endswith("CI upper"):
            decimals = 3 if "Odds ratio" in table.columns else 2 if column.startswith("RII") \
                else 1
            out[column] = f"{{:.{decimals}f}}"
    return out


def _safe(frame: pd.DataFrame, counts: Sequence[str]) -> pd.DataFrame:
    """The last check before a table of record-derived counts reaches the page."""
    return disclosure.assert_disclosure_safe(frame, [c for c in counts if c in frame.columns])


def _noted(frame: pd.DataFrame) -> pd.DataFrame:
    """A download of record-derived counts with the reason for each blank count in a
    ``suppression_note`` column (counts: the whole-number columns of :data:`FORMATS`; values
    derived from them: the percentages and limits, not England's)."""
    counts = [c for c in frame.columns if FORMATS.get(c) == "{:,.0f}"]
    derived = [c for c in frame.columns if c not in counts and not c.startswith("England")
               and pd.api.types.is_float_dtype(frame[c])]
    return display.note_suppressed(frame, counts, derived)


def _table(data: pd.DataFrame, caption: str, name: str,
           download: pd.DataFrame | None = None) -> HTML:
    return display.table(data, caption, name, _formats(data),
                         download=_noted(data if download is None else download))


@house.house_style
def _figure(fig, alt: str, caption: str, data: pd.DataFrame, name: str) -> HTML:
    return display.figure(fig, alt.replace("\n", ", "), caption, data, name)


# --------------------------------------------------------------------------------------------
# the data notice
# --------------------------------------------------------------------------------------------

def data_notice(inputs: Inputs) -> HTML:
    """The box naming the data files read and whether they are the synthetic default (not
    naming the NCMP extract when it has no records of the area)."""
    files = [f for f in DATA_FILES if f != NCMP.filename or not inputs.records_missing]
    return display.data_notice(inputs.data_dir, files)


def _needs_records(figure: Callable[..., HTML | None]) -> Callable[..., HTML | None]:
    """Nothing in place of a chart or table when the area has no NCMP records (the text beside
    it says what is missing)."""

    @functools.wraps(figure)
    def shown(results: Results, *args: object) -> HTML | None:
        return figure(results, *args) if has_records(results) else None

    return shown


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------

@_needs_records
def exclusions_table(results: Results) -> HTML:
    """Measurements left out, by reason and school year."""
    table = results.exclusions
    described = text.reason_descriptions(results)
    out = table.drop(columns="reason").rename(columns={"All": "All records",
                                                       "percent": "% of records measured"})
    out.insert(0, "Reason (rule applied)", table["reason"].map(described).where(
        table["reason"] != "implausible", text.TEMPLATES["any excluded"]))
    shown = _safe(out, ["Reception", "Year 6", "All records"])
    return _table(shown, f"Measurements left out, {results.area_name}, by reason and school "
                         f"year. {text.TEMPLATES['not shown']}", "obesity-exclusions")


def _prevalence(table: pd.DataFrame, level: float) -> pd.DataFrame:
    """Reader-facing columns of prevalence rows (labels, not codes)."""
    label = text.ci_label(level)
    out = pd.DataFrame({
        "Year": table["academic_year"],
        "School year": table["school_year"].map(SCHOOL_YEARS),
        "Children": table["sex"].map(SEXES),
        "Measure": table["indicator"].map(lambda k: INDICATORS[k].label),
        "Number": table["count"],
        "Measured": table["denominator"],
        "%": table["value"],
        f"{label} lower": table["lower"],
        f"{label} upper": table["upper"],
        "England %": table["england"],
        "Compared with England": table["comparison"],
    })
    return _safe(out, ["Number", "Measured"])


@_needs_records
def latest_table(results: Results) -> HTML:
    """Every weight category in the latest year; the download holds every year."""
    table = results.table
    latest = _prevalence(table[table["year"] == table["year"].max()], results.confidence)
    return _table(latest, f"Weight categories in {latest['Year'].iloc[0]}, {results.area_name}. "
                          f"The download holds every year. {text.TEMPLATES['not shown']}",
                  "obesity-latest", download=_prevalence(table, results.confidence))


@_needs_records
def published_table(results: Results) -> HTML | None:
    """The published figures beside this data (None when there are none)."""
    checks = results.checks
    if checks.empty:
        return None
    shown = pd.DataFrame({
        "Published figure": checks["indicator"], "Period": checks["period"],
        "Comparison": [text.check_reading(row, results.confidence)
                       for _, row in checks.iterrows()],
        "Source": checks["source"]})
    return display.table(shown, "Published figures and this data", "obesity-published")


@_needs_records
def odds_ratio_table(results: Results) -> HTML:
    """The odds ratios of the trend model."""
    model = results.model
    label = text.ci_label(model.confidence)
    table = model.odds_ratios
    shown = pd.DataFrame({
        "Comparison": [text.term_label(t, s, results)
                       for t, s in zip(table["term"], table["school_year"], strict=True)],
        "Odds ratio": table["odds_ratio"], f"{label} lower": table["lower"],
        f"{label} upper": table["upper"],
        "p-value": [p_value(p) for p in table["p_value"]]})
    what = text.what(model.indicator)
    return _table(shown, f"{what[0].upper()}{what[1:]} trend, {results.area_name}: odds ratios "
                         "from the trend model (About the method gives the model)",
                  "obesity-odds-ratios")


@_needs_records
def projection_table(results: Results) -> HTML:
    """The projected years: value, interval for the trend and prediction interval."""
    label = text.ci_label(results.confidence)
    future = results.projection[results.projection["projected"]]
    shown = pd.DataFrame({
        "School year": future["school_year"].map(SCHOOL_YEARS),
        "Year": future["academic_year"], "Projected %": future["value"],
        f"{label} lower (trend)": future["lower_ci"], f"{label} upper (trend)": future["upper_ci"],
        "Prediction interval lower": future["lower_pi"],
        "Prediction interval upper": future["upper_pi"],
        "Year group size assumed": future["cohort"]}).reset_index(drop=True)
    what = text.what(results.model.indicator)
    return _table(shown, f"Projected {what}, {results.area_name}", "obesity-projection-table")


@_needs_records
def inequality_table(results: Results) -> HTML:
    """The slope and relative indices of inequality, per school year."""
    label = text.ci_label(results.confidence)
    table = results.inequality
    shown = pd.DataFrame({
        "Years": table["period"], "School year": table["school_year"].map(SCHOOL_YEARS),
        "Deciles": table["deciles"],
        "SII (percentage points)": table["sii"], f"SII {label} lower": table["sii_lower"],
        f"SII {label} upper": table["sii_upper"], "RII": table["rii"],
        f"RII {label} lower": table["rii_lower"], f"RII {label} upper": table["rii_upper"],
        "Note": table["note"].map(text.inequality_note)})
    return _table(shown, f"Inequality in {text.what(results.indicator)}, {results.area_name}",
                  "obesity-sii")


@_needs_records
def deciles_table(results: Results) -> HTML:
    """Prevalence of the measure by deprivation decile and school year."""
    label = text.ci_label(results.confidence)
    part = results.gradient[results.gradient["indicator"] == results.indicator]
    shown = _safe(pd.DataFrame({
        "Years": part["period"], "School year": part["school_year"].map(SCHOOL_YEARS),
        "IMD decile (1 = most deprived)": part["imd_decile"], "Number": part["count"],
        "Measured": part["denominator"], "%": part["value"], f"{label} lower": part["lower"],
        f"{label} upper": part["upper"]}).reset_index(drop=True), ["Number", "Measured"])
    what = text.what(results.indicator)
    return _table(shown, f"{what[0].upper()}{what[1:]} by deprivation decile, "
                         f"{results.area_name}. {text.TEMPLATES['not shown']}", "obesity-deciles")


@_needs_records
def cohort_table(results: Results) -> HTML | None:
    """Each year group in Reception and six years later in Year 6 (None when there is none)."""
    cohorts = results.cohorts
    if cohorts.empty:
        return None
    label = text.ci_label(results.confidence)
    shown = _safe(pd.DataFrame({
        "In Reception": cohorts["reception_academic_year"],
        "Reception: number": cohorts["reception_count"],
        "Reception: measured": cohorts["reception_denominator"],
        "Reception %": cohorts["reception_value"],
        "In Year 6": cohorts["year6_academic_year"],
        "Year 6: number": cohorts["year6_count"],
        "Year 6: measured": cohorts["year6_denominator"],
        "Year 6 %": cohorts["year6_value"],
        "Change (percentage points)": cohorts["change"],
        f"Change {label} lower": cohorts["change_lower"],
        f"Change {label} upper": cohorts["change_upper"]}),
        ["Reception: number", "Reception: measured", "Year 6: number", "Year 6: measured"])
    return _table(shown, f"Year groups from Reception to Year 6, {results.area_name}. "
                         f"{text.TEMPLATES['not shown']}", "obesity-cohort-table")


# --------------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------------

@_needs_records
@house.house_style
def trend_chart(results: Results, school_year: str) -> HTML | None:
    """Excess weight and obesity by year for one school year: the area and England, with the
    published figures as diamonds (None when the page does not show that school year)."""
    if school_year not in results.school_years:
        return None
    area, table, england = results.area_name, results.table, results.england
    rows = table[(table["sex"] == "persons") & (table["school_year"] == school_year)
                 & table["indicator"].isin(["excess_weight", "obese"])]
    local = rows.assign(series=rows["indicator"].map(
        {"excess_weight": f"{area}: excess weight", "obese": f"{area}: obese"}))
    england = england[(england["school_year"] == school_year)
                      & england["indicator"].isin(["excess_weight", "obese"])
                      & england["year"].isin(rows["year"])]
    england = england.assign(
        series=england["indicator"].map({"excess_weight": "England: excess weight",
                                         "obese": "England: obese"}),
        academic_year=[academic_year_label(y) for y in england["year"]])
    columns = ["academic_year", "series", "count", "denominator", "value", "lower", "upper"]
    # the area's series first, so that it takes the house palette's first colours
    data = pd.concat([local.sort_values(["indicator", "year"])[columns],
                      england.sort_values(["indicator", "year"]).reindex(columns=columns)],
                     ignore_index=True)
    checks = results.checks
    shown = checks[(checks["school_year"] == school_year) & (checks["kind"] == "percent")
                   & checks["year"].isin(rows["year"])]
    published = pd.DataFrame({"x": [academic_year_label(y) for y in shown["year"]],
                              "value": shown["published"].to_numpy(float),
                              "label": [f"published {percent(v)}" for v in shown["published"]]})
    name = SCHOOL_YEARS[school_year]
    fig, alt = house.trend_chart(
        data, x="academic_year", value="value", lower="lower", upper="upper", series="series",
        title=f"{name}: excess weight and obesity\n{area} and England",
        ylabel="Children (%)", xlabel="Academic year", published=published)
    return _figure(fig, alt, f"{name}: excess weight and obesity by year, {area} and England "
                             "(England: Fingertips).", data, f"obesity-trend-{school_year}")


@_needs_records
@house.house_style
def projection_chart(results: Results) -> HTML:
    """Observed prevalence (points with intervals), the fitted trend and its projection with
    confidence (darker) and prediction (lighter) bands, one colour per school year."""
    model, projection, area = results.model, results.projection, results.area_name
    fig, ax = house.subplots()
    table = results.table
    observed = table[(table["sex"] == "persons") & (table["indicator"] == model.indicator)]
    what = text.what(model.indicator)
    label = text.ci_label(model.confidence)
    for i, school_year in enumerate(model.school_years):
        colour = house.PALETTE[i]
        fitted = projection[projection["school_year"] == school_year]
        future = fitted[fitted["projected"]]
        obs = observed[observed["school_year"] == school_year]
        name = SCHOOL_YEARS[school_year]
        ax.errorbar(obs["year"], obs["value"],
                    yerr=np.vstack([obs["value"] - obs["lower"], obs["upper"] - obs["value"]]),
                    fmt="o", ms=3, color=colour, capsize=2, label=f"{name}: observed")
        ax.plot(fitted["year"], fitted["value"], color=colour, lw=1.5,
                label=f"{name}: modelled trend")
        ax.fill_between(future["year"], future["lower_pi"], future["upper_pi"], color=colour,
                        alpha=0.12, linewidth=0, label=f"{name}: prediction interval")
        ax.fill_between(future["year"], future["lower_ci"], future["upper_ci"], color=colour,
                        alpha=0.3, linewidth=0, label=f"{name}: {label} for the trend")
    last = int(model.data["year"].max())
    ax.axvline(last + 0.5, color="grey", lw=1, ls="--")
    years = projection["year"].unique()
    step = int(np.ceil(len(years) / 8))  # at most 8 labels, ending on the last year
    ticks = years[::-step][::-1]
    ax.set_xticks(ticks, [academic_year_label(y) for y in ticks], rotation=45)
    end = academic_year_label(projection["year"].max())
    ax.set_title(house.wrap_title(f"{INDICATORS[model.indicator].label.split(' (')[0]}: trend "
                                  f"and projection to {end}\n{area}"))
    ax.set_xlabel("Academic year (dashed line: end of data)")
    ax.set_ylabel("Children (%)")
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    house.legend_below(fig, ax)
    ends = projection[projection["year"] == projection["year"].max()]
    alt = house.alt_text(f"Chart of {what} with its trend", f"projected to {end}", " and ".join(
        f"{SCHOOL_YEARS[r['school_year']]} {r['value']:.1f}% in {end}"
        for _, r in ends.iterrows()), "the projection table and the data download")
    data = projection.merge(
        observed[["year", "school_year", "count", "denominator", "value", "lower", "upper"]]
        .rename(columns={"value": "observed", "lower": "observed_lower",
                         "upper": "observed_upper"}),
        on=["year", "school_year"], how="left")
    title = INDICATORS[model.indicator].label.split(" (")[0]
    return display.figure(fig, alt, f"{title}: observed, modelled trend and projection to {end}, "
                                    f"{area}.", data, "obesity-projection")


@_needs_records
@house.house_style
def gradient_chart(results: Results, school_year: str) -> HTML | None:
    """Prevalence by IMD decile with intervals and the SII line, for one school year (None
    when the page does not show that school year)."""
    if school_year not in results.school_years:
        return None
    gradient, indicator = results.gradient, results.indicator
    part = gradient[(gradient["school_year"] == school_year)
                    & (gradient["indicator"] == indicator)].sort_values("imd_decile")
    shown = part.dropna(subset=["value"])
    what = text.what(indicator)
    lines = results.gradient_lines
    fitted = lines[(lines["school_year"] == school_year)
                   & lines["imd_decile"].isin(shown["imd_decile"])].drop(columns="school_year")
    name = SCHOOL_YEARS[school_year]
    fig, alt = house.gradient_chart(
        shown, group="imd_decile", value="value", lower="lower", upper="upper",
        title=f"{name}: {what} by deprivation decile\n{results.area_name}, "
              f"{part['period'].iloc[0]}",
        xlabel="IMD decile of home area (1 = most deprived)", ylabel="Children (%)",
        fitted=fitted)
    return _figure(fig, alt, f"{name}: {what} by deprivation decile with the fitted SII line, "
                             f"{results.area_name}.", part.drop(columns=["school_year"]),
                   f"obesity-deprivation-{school_year}")


@_needs_records
@house.house_style
def cohort_chart(results: Results) -> HTML | None:
    """Each year group's prevalence in Reception and six years later in Year 6 (None when no
    year group was measured in both)."""
    cohorts = results.cohorts
    if cohorts.empty:
        return None
    what = text.what(results.indicator)
    frames = []
    for stage, label in (("reception", "In Reception"), ("year6", "In Year 6, six years later")):
        frames.append(pd.DataFrame({
            "cohort": cohorts["reception_academic_year"],
            "series": label,
            "measured_in": cohorts[f"{stage}_academic_year"] if stage == "year6"
            else cohorts["reception_academic_year"],
            **{k: cohorts[f"{stage}_{k}"] for k in ("count", "denominator", "value", "lower",
                                                     "upper")},
        }))
    data = pd.concat(frames, ignore_index=True)
    fig, alt = house.trend_chart(
        data, x="cohort", value="value", lower="lower", upper="upper", series="series",
        title=f"The same year groups in Reception and in Year 6: {what}\n{results.area_name}",
        ylabel="Children (%)", xlabel="Year group, by the academic year it was in Reception")
    return _figure(fig, alt, f"{what[0].upper()}{what[1:]} of each year group in Reception and "
                             f"six years later in Year 6, {results.area_name}.", data,
                   "obesity-cohorts")


#: Fewest records a group needs for its distribution to be drawn: a shape from fewer would say
#: little, and its tails would come near single children's measurements.
MIN_DISTRIBUTION_RECORDS = 50
#: Share of each group's measurements left out at each end of its distribution (the tails, where
#: a shape could point at one child).
DISTRIBUTION_TRIM = 0.01
#: Lines across the distribution chart: the NCMP thresholds as BMI SDS (UK90 centiles).
SDS_LINES = {name: float(norm.ppf(NCMP_CENTILE_THRESHOLDS[name] / 100))
             for name in ("overweight", "obese", "severely obese")}


def sds_distribution(inputs: Inputs, years: int = 3) -> pd.DataFrame:
    """The BMI SDS of the area's classified records in its latest `years` academic years, by
    school year and sex, for :func:`sds_distribution_chart`: only groups of at least
    :data:`MIN_DISTRIBUTION_RECORDS` records, each without its top and bottom
    :data:`DISTRIBUTION_TRIM`. Columns ``school_year`` (name), ``sex`` (name), ``bmi_sds``."""
    records = inputs.area_records
    records = records[records["bmi_sds"].notna()
                      & records["year"].isin(sorted(records["year"].unique())[-years:])]
    kept = []
    for _, group in records.groupby(["school_year", "sex"], sort=False):
        if len(group) < MIN_DISTRIBUTION_RECORDS:
            continue
        low, high = group["bmi_sds"].quantile([DISTRIBUTION_TRIM, 1 - DISTRIBUTION_TRIM])
        kept.append(group[group["bmi_sds"].between(low, high)])
    if not kept:
        return pd.DataFrame(columns=["school_year", "sex", "bmi_sds"])
    out = pd.concat(kept)
    return pd.DataFrame({"school_year": out["school_year"].map(SCHOOL_YEARS),
                         "sex": out["sex"].map(SEXES), "bmi_sds": out["bmi_sds"]})


@house.house_style
def sds_distribution_chart(inputs: Inputs, years: int = 3) -> HTML | None:
    """Violins (seaborn) of BMI SDS by school year, girls and boys side by side, with the NCMP
    thresholds across: how far into overweight and obesity each group's measurements reach, not
    only the share above a line. Groups under :data:`MIN_DISTRIBUTION_RECORDS` records are not
    drawn, nor each group's extreme 1% at either end. The download holds each group's size and
    quantiles, never a child's measurement. None when no group is large enough."""
    import seaborn as sns

    shown = sds_distribution(inputs, years)
    if shown.empty:
        return None
    area = inputs.area_name
    chosen = sorted(inputs.area_records["year"].unique())[-years:]
    first, last = chosen[0], chosen[-1]
    period = (academic_year_label(first) if first == last
              else f"{academic_year_label(first)} to {academic_year_label(last)}")
    fig, ax = house.subplots()
    sns.violinplot(shown, x="school_year", y="bmi_sds", hue="sex", split=True, inner="quart",
                   cut=0, density_norm="width", order=[v for v in SCHOOL_YEARS.values()
                                                       if v in set(shown["school_year"])],
                   hue_order=[v for v in ("Girls", "Boys") if v in set(shown["sex"])],
                   palette=[house.PALETTE[3], house.PALETTE[0]][: shown["sex"].nunique()],
                   linewidth=1, ax=ax)
    for name, sds in SDS_LINES.items():
        ax.axhline(sds, color="black", lw=0.8, ls="--", zorder=0)
        ax.annotate(name, (0.5, sds), xycoords=("axes fraction", "data"), xytext=(0, 1),
                    textcoords="offset points", va="bottom", ha="center", fontsize=house.SMALL,
                    bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none",
                          "alpha": 0.8})
    ax.set_title(house.wrap_title(f"BMI SDS of children measured, {period}\n{area}"))
    ax.set_xlabel("")
    ax.set_ylabel("BMI SDS (UK90)")
    ax.get_legend().remove()
    fig.tight_layout()
    house.legend_below(fig, ax)
    # quantiles only: a count of the records drawn, set against the published numbers measured,
    # would give the number trimmed from the tails, a small number
    quantiles = (shown.groupby(["school_year", "sex"], sort=False)["bmi_sds"]
                 .describe(percentiles=[0.1, 0.25, 0.5, 0.75, 0.9]).reset_index())
    data = quantiles[["school_year", "sex", "mean", "10%", "25%", "50%", "75%", "90%"]].assign(
        records=f"at least {MIN_DISTRIBUTION_RECORDS}, less the top and bottom "
                f"{DISTRIBUTION_TRIM:.0%}")
    order = {name: i for i, name in enumerate([*SCHOOL_YEARS.values(), *SEXES.values()])}
    data = data.sort_values(["school_year", "sex"], key=lambda c: c.map(order), ignore_index=True)
    medians = data.set_index(["school_year", "sex"])["50%"]
    reading = ", ".join(f"{s} {x.lower()} {v:.2f}" for (s, x), v in medians.items())
    alt = house.alt_text("Violin chart", f"BMI SDS by school year and sex, {area}",
                         f"median SDS {reading}")
    return _figure(fig, alt, f"Distribution of BMI SDS (UK90) of the children measured in "
                             f"{period}, {area}, by school year, girls (left) and boys (right); "
                             "dashed lines: the NCMP thresholds for overweight, obese and "
                             "severely obese; inner lines: quartiles. Groups of fewer than "
                             f"{MIN_DISTRIBUTION_RECORDS} children and the top and bottom "
                             f"{DISTRIBUTION_TRIM:.0%} of each group are not drawn.", data,
                   "obesity-sds-distribution")
