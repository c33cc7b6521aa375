"""Stable name for :mod:`jsnalib.methods.spc` (the same module object)."""

import sys

from jsnalib.methods import spc as _module

sys.modules[__name__] = _module
