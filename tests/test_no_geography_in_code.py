"""No literal area code or area name in the library outside synth/: England, the region and the
home authorities come from the geography (data/areas.csv, jsna.yml), so the same code builds any
council's book. Docstrings and comments may give examples; code and messages may not."""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "jsnalib"
GSS = re.compile(r"\b[EWSNK]\d{8}\b")
#: Area names that are also ordinary words in the book's sentences.
ORDINARY_WORDS = {"Reading"}


def _area_names() -> set[str]:
    with open(REPO / "data" / "areas.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return {r["area_name"] for r in rows if r["area_type"] != "country"} - ORDINARY_WORDS


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _strings_in_code() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        # synth/ makes demonstration data for named areas; inputs/national/ reads the national
        # downloads, whose layouts carry national codes (e.g. DfE's Inner/Outer London rows)
        if "synth" in parts or parts[:2] == ("inputs", "national"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                found.append((str(path.relative_to(REPO)), node.lineno, node.value))
    return found


def test_no_area_code_in_code():
    offenders = [(f, line, s) for f, line, s in _strings_in_code() if GSS.search(s)]
    assert not offenders, offenders


def test_no_area_name_in_code():
    names = _area_names()
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")\b")
    # "London borough" names a tier of authority, not the region
    strings = [(f, line, s.replace("London borough", "")) for f, line, s in _strings_in_code()]
    offenders = [(f, line, pattern.search(s).group(0)) for f, line, s in strings if pattern.search(s)]
    assert not offenders, offenders
