"""The DynamoDB implementations the differential suite compares.

Each is a name, how to get a boto3 DynamoDB client for it, and whether it
has transactions. Adding one is one entry in ``IMPLEMENTATIONS``; the
in-memory backend's will be
``Implementation("memory", lambda endpoint: MemoryBackend().client(), transactions=True)``,
with ``MemoryBackend`` from ``dynamorm.testing``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import client_for

Endpoints = Callable[[str], str]
"""The endpoint URL of a server the tests run, by its name (``moto``)."""


@dataclass(frozen=True)
class Implementation:
    """A DynamoDB implementation: ``client(endpoints)`` makes its boto3
    client; ``transactions`` says whether it has TransactWriteItems and
    TransactGetItems."""

    name: str
    client: Callable[[Endpoints], Any]
    transactions: bool


def server(name: str) -> Callable[[Endpoints], Any]:
    """A client of the test server ``name`` (started once per session)."""
    return lambda endpoints: client_for(endpoints(name))


IMPLEMENTATIONS = (
    Implementation("moto", server("moto"), transactions=True),
    Implementation("dynalite", server("dynalite"), transactions=False),
)
"""The implementations compared, the reference (moto) first."""


def groups() -> dict[str, tuple[Implementation, ...]]:
    """The comparisons to run: every implementation on the operations all
    have; those with transactions on every operation, when there are two."""
    found = {"without transactions": IMPLEMENTATIONS}
    transactional = tuple(i for i in IMPLEMENTATIONS if i.transactions)
    if len(transactional) >= 2:
        found["with transactions"] = transactional
    return found
