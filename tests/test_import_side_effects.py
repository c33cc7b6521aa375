"""No side effects on import: importing any jsnalib module leaves matplotlib's settings and
backend, pandas' options and the working folder as they were (the house style applies only
while a chart is drawn)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

_PROBE = r"""
import importlib, json, os, pkgutil, sys
import matplotlib
import pandas as pd
before = (dict(matplotlib.rcParams), matplotlib.rcParams._get_backend_or_none(),
          pd.get_option("display.max_rows"), os.getcwd())
import jsnalib
names = sorted(m.name for m in pkgutil.walk_packages(jsnalib.__path__, "jsnalib.")
               if not m.name.endswith("__main__"))
for name in names:
    importlib.import_module(name)
after = (dict(matplotlib.rcParams), matplotlib.rcParams._get_backend_or_none(),
         pd.get_option("display.max_rows"), os.getcwd())
changed = sorted(k for k in before[0] if str(before[0][k]) != str(after[0].get(k)))
print(json.dumps({"modules": len(names), "changed": changed, "backend": [before[1], after[1]],
                  "pyplot": "matplotlib.pyplot" in sys.modules, "same": before[1:] == after[1:]}))
"""


def test_importing_every_module_changes_no_global_setting():
    import json

    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                         env={"PYTHONPATH": str(SRC), "MPLBACKEND": "agg", "PATH": "/usr/bin:/bin"},
                         check=True, timeout=300)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["modules"] > 40
    assert report["changed"] == [], report["changed"]
    assert report["same"], report


def test_a_chart_uses_the_house_style_and_leaves_the_session_alone():
    import matplotlib
    import pandas as pd

    from jsnalib.report import plots

    before = dict(matplotlib.rcParams)

    data = pd.DataFrame({"year": [2020, 2021, 2022], "value": [1.0, 2.0, 3.0],
                         "lower": [0.5, 1.5, 2.5], "upper": [1.5, 2.5, 3.5], "series": "Area"})
    fig, alt = plots.trend_chart(data, "year", "value", "lower", "upper", "series", "A title", "y")
    assert fig.axes[0].title.get_fontweight() == "bold"
    assert not fig.axes[0].spines["top"].get_visible()
    assert {k: str(v) for k, v in matplotlib.rcParams.items()} == {k: str(v) for k, v in before.items()}
    assert alt
