"""Child protection re-referrals: the share of referrals to children's social care that come
within 12 months of an earlier referral of the same child, for one authority.

The page answers: how the share has changed year by year and how sure we can be; how it
compares with England, the region and the statistical neighbours (and with the figures the
council has published); whether the referral source explains the trend; whether a monthly
control chart gives an earlier warning; and how soon children are referred again, by the
outcome of their first referral.

``load`` reads the inputs (:mod:`.load`), ``analyse`` computes numbers and verdicts
(:mod:`.analyse`), :mod:`.text` turns them into words and :mod:`.figures` into charts and
tables.

References
----------
Department for Education, Children in need census guide (re-referrals) and *Characteristics of
children in need* (methodology). APHO (2008) Technical Briefing 3 (Wilson intervals).
Newcombe RG (1998) Interval estimation for the difference between independent proportions.
Stat Med 17:873-890. Spiegelhalter DJ (2005) Funnel plots for comparing institutional
performance. Stat Med 24:1185-1202. NHS England (2019) *Making Data Count*. Hosmer DW,
Lemeshow S, Sturdivant RX (2013) *Applied Logistic Regression*, 3rd edn. Wiley (odds ratios).
"""

from . import figures, text
from .analyse import Results, analyse
from .load import FILES, Inputs, load

__all__ = ["FILES", "Inputs", "Results", "analyse", "figures", "load", "text"]
