"""Stable name for :mod:`jsnalib.methods.derive` (the same module object)."""

import sys

from jsnalib.methods import derive as _module

sys.modules[__name__] = _module
