"""The integration test files that run in one pass per server
(``SAME_IN_EVERY_PASS`` in tests/conftest.py, and tests/integration/aio/)
name nothing a pass chooses: no ``make_db`` or fixture built on it, and none
of ``CLIENT``, ``FAST_PATH``, ``API``. What the other passes change could not
reach them, so deselecting them there loses nothing; a file that starts to
use one of these names must leave the set, or this test fails (and
``make_db`` refuses to serve such a test)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import SAME_IN_EVERY_PASS

INTEGRATION = Path(__file__).resolve().parent / "integration"

CHOSEN_BY_THE_PASS = re.compile(
    r"\b(make_db|proxied_db|executor_call|Env|env_for|batch_env|CLIENT|FAST_PATH|API)\b"
)
"""``make_db`` and what is built on it (``proxied_db``, ``executor_call``,
``db_models.Env`` / ``env_for``, ``batch_support.batch_env``), and the
pass's settings."""


def _files() -> list[Path]:
    return sorted(
        [INTEGRATION / name for name in SAME_IN_EVERY_PASS]
        + list((INTEGRATION / "aio").glob("*.py"))
    )


def test_every_file_named_exists() -> None:
    missing = [name for name in SAME_IN_EVERY_PASS if not (INTEGRATION / name).is_file()]
    assert missing == []


def test_no_file_run_once_per_server_names_what_a_pass_chooses() -> None:
    found = {
        path.relative_to(INTEGRATION).as_posix(): sorted(
            set(CHOSEN_BY_THE_PASS.findall(path.read_text()))
        )
        for path in _files()
    }
    assert {name: names for name, names in found.items() if names} == {}


def test_the_check_sees_a_file_that_builds_on_make_db() -> None:
    # A file of the other passes, which the check must tell apart.
    assert CHOSEN_BY_THE_PASS.search((INTEGRATION / "test_db_reads.py").read_text())


def test_make_db_refuses_a_test_run_once_per_server() -> None:
    conftest._in_same_in_every_pass.append("tests/integration/test_x.py::test_y")
    try:
        with pytest.raises(RuntimeError, match=r"test_x\.py::test_y calls make_db"):
            conftest.make_db("http://127.0.0.1:9")
    finally:
        conftest._in_same_in_every_pass.clear()
