"""Numbers in, numbers out: statistics, models, control charts, survival, growth, record
derivation and disclosure control.

No English sentences and no plotting here; every function is vectorised and cites its method.
"""
