"""``scripts/pythons.sh``: how the test command finds each interpreter it runs
the suite on. A missing or wrong interpreter is an error, never a skip, and
CI cannot narrow the set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THIS = f"{sys.version_info.major}.{sys.version_info.minor}"


def _source(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs ``script`` in bash after sourcing scripts/pythons.sh, from the
    repository root, with ``env`` (plus PATH and HOME unless given)."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail; . scripts/pythons.sh; {script}"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _without_pyenv(tmp_path: Path, bin_dir: Path) -> dict[str, str]:
    """An environment where pyenv is neither on PATH nor under PYENV_ROOT:
    only ``bin_dir`` and the system's directories are searched."""
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "PYENV_ROOT": str(tmp_path / "no-pyenv")}


def test_the_running_version_is_found_as_a_cpython_of_that_version() -> None:
    found = _source(f"find_python {THIS}", {})
    assert found.returncode == 0, found.stderr
    path = found.stdout.strip()
    version = subprocess.run(
        [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == THIS


def test_a_missing_version_is_an_error_naming_it_and_how_to_install_it() -> None:
    found = _source("find_python 3.99", {})
    assert found.returncode != 0
    assert found.stdout == ""
    assert "no CPython 3.99 found" in found.stderr
    assert "pyenv install 3.99" in found.stderr


def test_an_interpreter_of_another_version_does_not_pass_for_the_one_asked(
    tmp_path: Path,
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3.99").symlink_to(sys.executable)
    found = _source("find_python 3.99", _without_pyenv(tmp_path, bin_dir))
    assert found.returncode != 0
    assert "no CPython 3.99 found" in found.stderr


def test_without_pyenv_a_version_on_path_is_found(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / f"python{THIS}").symlink_to(sys.executable)
    found = _source(f"find_python {THIS}", _without_pyenv(tmp_path, bin_dir))
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(bin_dir / f"python{THIS}")


def test_every_version_is_tested_by_default() -> None:
    listed = _source('echo "${TEST_PYTHONS[*]}"', {})
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["3.11", "3.12", "3.13"]


def test_ci_refuses_a_narrowed_set_of_versions() -> None:
    listed = _source('echo "${TEST_PYTHONS[*]}"', {"CI": "true", "DYNAMORM_TEST_PYTHONS": "3.11"})
    assert listed.returncode != 0
    assert listed.stdout == ""
    assert "DYNAMORM_TEST_PYTHONS=3.11 in CI" in listed.stderr


def test_outside_ci_the_set_can_be_narrowed_but_must_start_with_the_tools_version() -> None:
    narrowed = _source('echo "${TEST_PYTHONS[*]}"', {"DYNAMORM_TEST_PYTHONS": "3.11 3.13"})
    assert narrowed.returncode == 0, narrowed.stderr
    assert narrowed.stdout.split() == ["3.11", "3.13"]
    wrong = _source('echo "${TEST_PYTHONS[*]}"', {"DYNAMORM_TEST_PYTHONS": "3.12"})
    assert wrong.returncode != 0
    assert "must start with 3.11" in wrong.stderr


def test_each_version_has_its_own_virtualenv_and_3_11_keeps_dot_venv() -> None:
    venvs = _source("for v in 3.11 3.12 3.13; do venv_for $v; done", {})
    assert venvs.stdout.split() == [".venv", ".venv-3.12", ".venv-3.13"]
