"""Childhood obesity: how many children in an area are underweight, overweight, obese or
severely obese (National Child Measurement Programme records classified against the UK90
growth reference), against England, over time, by deprivation, as the same year group moves
from Reception to Year 6, and where the trend leads.

``load`` reads the inputs, ``analyse`` computes every figure (numbers and verdicts),
``text`` writes the paragraphs and ``figures`` draws the charts and tables. References: NHS
England NCMP methods; APHO Technical Briefing 3 (Wilson intervals); McCullagh and Nelder (1989)
(binomial GLM); Low and Low (2004) (SII); Newcombe (1998) (difference of proportions).
"""

from jsnalib.inputs.contracts import (
    AREAS,
    FINGERTIPS,
    NCMP,
    NCMP_PUBLISHED,
    NEIGHBOURS,
    PUBLISHED_FIGURES,
)

from . import figures, text
from .analyse import Results, analyse
from .load import Inputs, load

#: Every input file the page reads (from the contracts).
FILES = tuple(contract.filename for contract in (NCMP, FINGERTIPS, PUBLISHED_FIGURES, AREAS,
                                                 NEIGHBOURS, NCMP_PUBLISHED))

__all__ = ["FILES", "Inputs", "Results", "analyse", "figures", "load", "text"]
