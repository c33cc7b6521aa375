"""Number formatting: one formatter for tables, sentences, captions and alt text.

Every figure the book prints goes through these functions, so a missing value reads the same
("not available") everywhere, a suppressed count reads "suppressed", thousands carry commas and
p-values follow one convention.
"""

from __future__ import annotations

import math
import re

import pandas as pd

__all__ = ["MISSING", "SUPPRESSED", "ci", "count", "md_escape", "number", "p_text", "p_value",
           "percent"]

#: How a missing value reads.
MISSING = "not available"
#: How a count withheld by disclosure control reads.
SUPPRESSED = "suppressed"


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: float, decimals: int = 1) -> str:
    """``1234.56 -> "1,234.6"``; missing -> :data:`MISSING`."""
    if _missing(value):
        return MISSING
    return f"{float(value):,.{decimals}f}"


def percent(value: float, decimals: int = 1) -> str:
    """A value already in percent: ``23.456 -> "23.5%"``; missing -> :data:`MISSING`."""
    if _missing(value):
        return MISSING
    return f"{float(value):,.{decimals}f}%"


def count(value: float, suppressed: bool = False) -> str:
    """A whole number with thousands separators: ``3394.0 -> "3,394"``.

    ``suppressed=True`` (or a missing value marked suppressed by the caller) reads
    :data:`SUPPRESSED`; any other missing value reads :data:`MISSING`.
    """
    if suppressed:
        return SUPPRESSED
    if _missing(value):
        return MISSING
    return f"{round(float(value)):,d}"


def ci(lower: float, upper: float, decimals: int = 1) -> str:
    """A confidence interval: ``"4.6 to 5.2"``; either limit missing -> :data:`MISSING`."""
    if _missing(lower) or _missing(upper):
        return MISSING
    return f"{number(lower, decimals)} to {number(upper, decimals)}"


def p_value(p: float) -> str:
    """A p-value for a table column: ``"<0.001"`` or three decimals; missing -> :data:`MISSING`."""
    if _missing(p) or (isinstance(p, float) and math.isinf(p)):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_text(p: float) -> str:
    """A p-value in a sentence: ``"p < 0.001"`` or ``"p = 0.034"``; missing -> ``"p not available"``."""
    text = p_value(p)
    if text == MISSING:
        return f"p {MISSING}"
    return "p < 0.001" if text == "<0.001" else f"p = {text}"


#: Characters that Markdown (CommonMark and MyST) may read as syntax inside running text: raw
#: HTML and entities, emphasis, links and images, code, roles, math, tables and escapes.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&$|{}!~#])")


def md_escape(text: object) -> str:
    """A string from data (an area or indicator name, a period, a note) as literal Markdown text.

    Every character Markdown could read as markup is backslash-escaped, so the text renders
    exactly as written and never as HTML, a link, emphasis, a role or math; line breaks become
    spaces, so a value cannot start a heading or a list. Letters, digits, spaces, hyphens,
    apostrophes, commas and full stops are left alone ("Stoke-on-Trent" is unchanged). Use it
    wherever a data string is put into text passed to ``IPython.display.Markdown`` or into a
    page title; HTML built here uses :func:`html.escape` instead.
    """
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
