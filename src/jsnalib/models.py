"""Stable name for :mod:`jsnalib.methods.models` (the same module object)."""

import sys

from jsnalib.methods import models as _module

sys.modules[__name__] = _module
