"""The conda environment and the pip package declare the same pinned dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.\-+]+)$")


def _pins(requirements: list[str], where: str) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement.strip())
        assert match, f"{where}: {requirement!r} is not pinned to an exact version (name==version)"
        pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    return _pins(requirements, "pyproject.toml")


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return _pins([r for r in pip_section if not r.startswith("-e")], "environment.yml")


def test_every_dependency_is_pinned_and_the_two_files_agree():
    pyproject, environment = pyproject_pins(), environment_pins()
    only_pyproject = sorted(set(pyproject) - set(environment))
    only_environment = sorted(set(environment) - set(pyproject))
    assert not only_pyproject, f"in pyproject.toml but not environment.yml: {only_pyproject}"
    assert not only_environment, f"in environment.yml but not pyproject.toml: {only_environment}"
    differ = {k: (pyproject[k], environment[k]) for k in pyproject if pyproject[k] != environment[k]}
    assert not differ, f"versions differ (pyproject, environment.yml): {differ}"


def test_python_version_agrees():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python.split("=")[1] in requires


def test_constraints_pin_every_declared_dependency_at_the_same_version():
    lines = (REPO / "constraints.txt").read_text().splitlines()
    constraints = _pins([x for x in lines if x and not x.startswith("#")], "constraints.txt")
    for name, version in pyproject_pins().items():
        assert constraints.get(name) == version, f"constraints.txt pins {name} differently"
