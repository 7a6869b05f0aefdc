"""The plugin as a user meets it: a fresh virtualenv with the package's wheel
(built from this checkout) and pytest installed, and a tiny project's suite
(``tests/test_app.py``, no pyproject) run with ``pytest -p dynamorm.testing``
from outside the checkout.

The wheel is built by maturin for ``.venv``'s interpreter (whichever
interpreter runs this test) from the release build ``scripts/bootstrap.sh``
left in ``target/``, so it takes seconds, not a compile; the virtualenv is
made from that interpreter and installs with the versions of
``requirements/dev.txt`` as constraints (from the pip cache, as for the
wheel check of ``scripts/build-wheels.sh``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.testing.test_plugin import run_pytest
from tests.testing.user_project import write_project

pytestmark = pytest.mark.one_interpreter

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
"""The interpreter whose release build of the extension ``target/`` holds."""


def _wheel(out: Path) -> Path:
    subprocess.run(
        [
            str(PYTHON.parent / "maturin"),
            "build",
            "--release",
            "--locked",
            "--compatibility",
            "linux",
            "-i",
            str(PYTHON),
            "-o",
            str(out),
            "-q",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = out.glob("dynamorm-*.whl")
    return wheel


def test_a_fresh_virtualenv_with_the_wheel_runs_a_users_suite_on_the_fixtures(
    tmp_path: Path,
) -> None:
    wheel = _wheel(tmp_path / "wheel")
    env_dir = tmp_path / "venv"
    base = subprocess.run(
        [str(PYTHON), "-c", "import sys; print(sys._base_executable)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([base, "-m", "venv", str(env_dir)], check=True, timeout=300)
    python = str(env_dir / "bin" / "python")
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-c",
            str(ROOT / "requirements" / "dev.txt"),
            str(wheel),
            "pytest",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    project = write_project(tmp_path / "project")
    result = run_pytest(python, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    # The package the suite ran on is the virtualenv's, not the checkout's.
    where = subprocess.run(
        [python, "-c", "import dynamorm.testing; print(dynamorm.testing.__file__)"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(env_dir))
