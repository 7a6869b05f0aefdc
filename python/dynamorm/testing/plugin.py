"""The pytest fixtures of ``pytest -p dynamorm.testing``.

- ``dynamo_backend``: a fresh ``MemoryBackend`` for each test — or ``None``
  when ``DYNAMODB_ENDPOINT`` names a server, which the fixtures below then
  use instead. Override it (for instance with a session-scoped fixture of
  the same name) to share one backend's tables between tests.
- ``dynamo_db``: a ``DB`` on that backend, or on the server.
- ``async_dynamo_db``: an ``AsyncDB`` on the same backend or client as
  ``dynamo_db`` (so both see the same tables and the same faults).
- ``dynamo_tables``: ``dynamo_tables(User, Order)`` creates the models'
  tables for this test and deletes them after it.
- ``dynamo_faults``: the ``Faults`` injected into this test's requests: the
  backend's, or on a server those answered from the ``before-send`` event
  of ``dynamo_db``'s client (``dynamorm.testing.server_faults``). Cleared
  when the test ends.

On a server, the ``DB`` is made from ``DYNAMODB_ENDPOINT`` and the region of
``AWS_REGION`` / ``AWS_DEFAULT_REGION`` (``us-east-1`` when neither is set),
with dummy credentials when the environment has none (as a local server
wants).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dynamorm.aio.db import AsyncDB
from dynamorm.db import DB
from dynamorm.model.base import Model
from dynamorm.testing.backend import MemoryBackend
from dynamorm.testing.faults import Faults

__all__ = [
    "ENDPOINT_VARIABLE",
    "async_dynamo_db",
    "dynamo_backend",
    "dynamo_db",
    "dynamo_faults",
    "dynamo_tables",
]

ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT"
"""The environment variable naming a server the fixtures use instead of a
``MemoryBackend`` (``http://127.0.0.1:8000``)."""


def server_db() -> DB:
    """A ``DB`` on the server ``DYNAMODB_ENDPOINT`` names (see the module
    docstring)."""
    endpoint = os.environ[ENDPOINT_VARIABLE]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    if os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"):
        return DB(region_name=region, endpoint_url=endpoint)
    import boto3

    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    return DB(session=session, endpoint_url=endpoint)


@pytest.fixture
def dynamo_backend() -> MemoryBackend | None:
    """A fresh ``MemoryBackend`` for this test (``None`` when
    ``DYNAMODB_ENDPOINT`` names a server)."""
    if os.environ.get(ENDPOINT_VARIABLE):
        return None
    return MemoryBackend()


@pytest.fixture
def dynamo_db(dynamo_backend: MemoryBackend | None) -> DB:
    """A ``DB`` on ``dynamo_backend``, or on the server
    ``DYNAMODB_ENDPOINT`` names."""
    if dynamo_backend is None:
        return server_db()
    return DB(backend=dynamo_backend)


@pytest.fixture
def async_dynamo_db(dynamo_db: DB) -> AsyncDB:
    """An ``AsyncDB`` on ``dynamo_db``'s backend or client."""
    return AsyncDB.from_db(dynamo_db)


@pytest.fixture
def dynamo_tables(dynamo_db: DB) -> Iterator[Callable[..., None]]:
    """``dynamo_tables(*models)`` creates the models' tables now and
    deletes them when the test ends (last created, first deleted)."""
    created: list[type[Model]] = []

    def create(*models: type[Model]) -> None:
        for model in models:
            dynamo_db.create_table(model)
            created.append(model)

    yield create
    for model in reversed(created):
        dynamo_db.delete_table(model)


@pytest.fixture
def dynamo_faults(dynamo_backend: MemoryBackend | None, dynamo_db: DB) -> Iterator[Faults]:
    """The ``Faults`` of this test's requests (see the module docstring)."""
    if dynamo_backend is not None:
        faults = dynamo_backend.faults
        yield faults
        faults.clear()
        return
    from dynamorm.testing.server_faults import attach

    faults = Faults()
    detach = attach(faults, dynamo_db.client)
    yield faults
    detach()


def pytest_report_header(config: Any) -> str:
    """Says where the fixtures' tables live."""
    endpoint = os.environ.get(ENDPOINT_VARIABLE)
    where = f"the server at {endpoint}" if endpoint else "a MemoryBackend per test"
    return f"dynamorm.testing: fixtures on {where}"
