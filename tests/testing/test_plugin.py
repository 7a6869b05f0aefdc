"""The pytest plugin: a user's project run with ``pytest -p dynamorm.testing``
passes on a ``MemoryBackend`` per test, and the same tests pass on a server
when ``DYNAMODB_ENDPOINT`` names one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.testing.user_project import write_project


def run_pytest(python: str, project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``pytest -p dynamorm.testing`` on ``project`` with ``python``, in a
    clean environment (plus ``env``)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DYNAMO", "PYTEST"))}
    return subprocess.run(
        [
            python,
            "-m",
            "pytest",
            "-p",
            "dynamorm.testing",
            "-p",
            "no:cacheprovider",
            "-o",
            "pythonpath=.",
            "tests",
        ],
        cwd=project,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_fixtures_run_a_users_suite_on_a_memory_backend_per_test(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    result = run_pytest(sys.executable, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    assert "dynamorm.testing: fixtures on a MemoryBackend per test" in result.stdout


@pytest.mark.integration
def test_dynamodb_endpoint_runs_the_same_suite_on_that_server(
    tmp_path: Path, ddb_endpoint: str
) -> None:
    project = write_project(tmp_path / "project")
    result = run_pytest(sys.executable, project, DYNAMODB_ENDPOINT=ddb_endpoint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    assert f"dynamorm.testing: fixtures on the server at {ddb_endpoint}" in result.stdout


def test_without_the_plugin_the_fixtures_are_not_there(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "pythonpath=.",
            "tests",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert "fixture 'dynamo_db' not found" in result.stdout
