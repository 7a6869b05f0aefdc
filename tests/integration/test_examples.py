"""Every script in ``examples/`` runs, as a user runs it, against the test
server (``DYNAMODB_ENDPOINT``); each checks its own results and exits
non-zero when one is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))

MOTO_ONLY = {"transactions.py": "dynalite has no transactions"}


def _run(script: Path, endpoint: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DYNAMODB_ENDPOINT"}
    if endpoint is not None:
        env["DYNAMODB_ENDPOINT"] = endpoint
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=EXAMPLES.parent,
        check=False,
    )


def _param(script: Path) -> Any:
    marks = []
    if script.name in MOTO_ONLY:
        marks.append(pytest.mark.moto_only(reason=MOTO_ONLY[script.name]))
    return pytest.param(script, id=script.name, marks=marks)


def test_the_promised_examples_exist() -> None:
    names = {p.stem for p in SCRIPTS}
    assert {"quickstart", "conditional_writes", "batch_get", "transactions", "streams"} <= names


@pytest.mark.parametrize("script", [_param(s) for s in SCRIPTS])
def test_example_runs(script: Path, ddb_endpoint: str, ddb_client: Any) -> None:
    before = set(ddb_client.list_tables()["TableNames"])
    result = _run(script, ddb_endpoint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip(), "an example says what it did"
    assert set(ddb_client.list_tables()["TableNames"]) <= before, "tables left behind"


def test_an_example_starts_its_own_server_without_an_endpoint() -> None:
    result = _run(EXAMPLES / "quickstart.py", None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "active: ['Ada']" in result.stdout
