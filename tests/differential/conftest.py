"""The differential suite's servers: the session's own (``ddb_endpoint``,
from ``tests/conftest.py``) and, started once per session here by the same
starters, the other ones the implementations name. Its tests carry the
``differential`` marker (they compare servers, so one pass of the test
command runs them)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._support.servers import STARTERS, running
from tests.conftest import SERVER
from tests.differential.implementations import Endpoints


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "differential: runs generated operations against several DynamoDB "
        "implementations and compares them (one pass runs it)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.differential)
            item.add_marker(pytest.mark.one_interpreter)


@pytest.fixture(scope="session")
def endpoints(ddb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    """The endpoint of each test server by name, starting each other than
    the session's own the first time it is asked for."""
    started = {SERVER: ddb_endpoint}
    with contextlib.ExitStack() as stack:

        def endpoint(name: str) -> str:
            if name not in started:
                log_dir = Path(tmp_path_factory.mktemp(f"{name}-differential"))
                started[name] = stack.enter_context(running(STARTERS[name](log_dir))).endpoint
            return started[name]

        yield endpoint
