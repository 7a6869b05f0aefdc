"""The main job, ``python -m dynamorm demo``, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DYNAMODB_ENDPOINT"}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "dynamorm", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.mark.moto_only(
    reason="the demo's transaction and single-table steps need TransactWriteItems"
)
def test_demo_passes_against_the_configured_endpoint(ddb_endpoint: str) -> None:
    result = _run("demo", env_extra={"DYNAMODB_ENDPOINT": ddb_endpoint})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout
    assert "embedded local server" not in result.stdout
    # Every step of the walk ran and said what it showed.
    for shown in [
        "ConditionFailedError",
        "operation_index = 1",
        "reason          = ConditionalCheckFailed",
        "[##############################] 1000/1000",
        "page 3: 50 items",
        "  Line  ORDER#A001#LINE#002",
        "UniqueConstraintError: User.email: the value 'ada@example.com' is already held",
        "unmarshal_stream_record(record, Order) -> Order(",
    ]:
        assert shown in result.stdout, shown
    # Its tables were deleted.
    created = {line.split()[-1] for line in result.stdout.splitlines() if "Created table" in line}
    deleted = {line.split()[-1] for line in result.stdout.splitlines() if "Deleted table" in line}
    assert len(created) == 4
    assert created == deleted


def test_demo_fails_when_a_check_fails(monkeypatch: pytest.MonkeyPatch, ddb_endpoint: str) -> None:
    from dynamorm import demo

    def broken(checks: demo.Checks, db: object, models: object) -> None:
        checks.check("a check that does not hold", False)

    monkeypatch.setattr(demo, "STEPS", [broken])
    assert demo.run_demo(endpoint=ddb_endpoint) == 1


def test_demo_starts_its_own_server_when_no_endpoint_is_set() -> None:
    result = _run("demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Started an embedded local server at http://127.0.0.1:" in result.stdout
    assert "0 failed" in result.stdout


def test_help_lists_the_subcommands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout
    assert "bench" in result.stdout
