"""Stable name for :mod:`jsnalib.methods.stats` (the same module object)."""

import sys

from jsnalib.methods import stats as _module

sys.modules[__name__] = _module
