"""Stable name for :mod:`jsnalib.methods.growth` (the same module object)."""

import sys

from jsnalib.methods import growth as _module

sys.modules[__name__] = _module
