"""``scripts/build-wheels.sh`` and the package metadata it ships: the wheels
are built for exactly the CPython versions the metadata claims and the test
command runs on, and what the script refuses it refuses before building.
(The build and its checks run in the test command's wheel step.)"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _supported_pythons() -> list[str]:
    """``ALL_TEST_PYTHONS`` of scripts/pythons.sh, the versions the release
    script builds a wheel for."""
    result = subprocess.run(
        ["bash", "-c", '. scripts/pythons.sh; echo "${ALL_TEST_PYTHONS[*]}"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_the_classifiers_and_requires_python_name_the_versions_wheels_are_built_for() -> None:
    versions = _supported_pythons()
    claimed = [
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert claimed == versions
    assert PROJECT["requires-python"] == f">={versions[0]}"


def test_the_license_file_is_shipped_and_is_the_license_named() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


def test_every_extra_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("| extra | adds | for |") :].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `([a-z-]+)` \|", table, re.MULTILINE)
    assert documented == sorted(PROJECT["optional-dependencies"])


def test_an_unsupported_python_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = subprocess.run(
        ["bash", "scripts/build-wheels.sh", "-o", str(out), "3.10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "3.10 is not a supported CPython" in result.stderr
    assert not out.exists() or not any(out.iterdir())
