"""Infant mortality: deaths under 1 year per 1,000 live births, for the book's chapter.

The page answers three questions for one area: is the gap with England (or another comparator)
closing, where is it worst (by deprivation), and what would it take to reach the comparator's
rate. :func:`load` reads the inputs, :func:`analyse` computes the numbers and verdicts
(:class:`Results`), :mod:`.text` puts them into words and :mod:`.figures` into charts and tables.

- Rates, annual and pooled over consecutive years (the national convention is 3 years, as in
  "2017-19"), with exact Poisson limits below 10 deaths and Byar's from 10, compared with the
  comparator (lower is better). Following the PHE/OHID convention a rate resting on fewer than
  3 deaths is not published, and rates from fewer than 10 deaths are marked.
- The trend (Poisson GLM with log live births as offset, negative binomial when overdispersed),
  whether the gap with the comparator is changing, the projection to a target year and how many
  fewer deaths a year would match the comparator.
- Inequality by deprivation: England's rates by IMD decile (ONS death-cohort tables, real),
  with the slope and relative index of inequality; and, from a local extract of births and
  deaths by IMD quintile (not published for local authorities), the area's own gradient and
  how much of the gap its deprivation mix explains (indirect standardisation). The synthetic
  demonstration quintiles shipped in data/ are never shown as an area's figures.

References: Office for National Statistics, *Child and infant mortality in England and Wales*
(definitions; 3-year pooled local rates); APHO (2008) Technical Briefing 3 (confidence
intervals, indirect standardisation); Fingertips indicator 92196 (infant mortality rate; rates
from fewer than 3 events are not published); Low and Low (2004) (SII); McCullagh and Nelder
(1989) (Poisson GLM).
"""

from jsnalib.inputs.contracts import AREAS, NEIGHBOURS

from . import figures, text
from .analyse import Results, analyse
from .load import DATA_CONTRACTS, Inputs, load

__all__ = ["FILES", "Inputs", "Results", "analyse", "figures", "load", "text"]

#: The input files the page reads from data/ (the data files, then the area lookups).
FILES = tuple(c.filename for c in (*DATA_CONTRACTS, AREAS, NEIGHBOURS))
