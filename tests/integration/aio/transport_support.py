"""Shared helpers for the asyncio transport's tests (no tests here): a
``DB`` whose transport is the library's own request path, the requests the
tests send through ``AioTransport``, and ``Ways``, how they went out (the
fixtures are in ``conftest.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config
from dynamorm import DB, RetryPolicy
from dynamorm.aio.transport import AioTransport
from dynamorm.transport.base import Request, Target
from dynamorm.transport.direct import DirectTransport

from tests.conftest import REGION

NO_RETRIES = RetryPolicy(max_retries=0)


def direct_db(endpoint: str, **config: Any) -> DB:
    """A ``DB`` making its own client for ``endpoint`` with ``Config(**config)``:
    its transport is the library's own request path."""
    db = DB(
        region_name=REGION,
        endpoint_url=endpoint,
        config=Config(**config) if config else None,
        retry_policy=NO_RETRIES,
    )
    assert isinstance(db._executor.transport, DirectTransport)
    return db


def aio(db: DB) -> AioTransport:
    """The asyncio transport on ``db``'s transport."""
    return AioTransport(db._executor.transport)


def get_request(db: DB, model: Any, pk: str = "a") -> Request:
    """``db``'s GetItem of ``model``'s item ``pk`` (decoding into ``model``)."""
    table = model.__dynamorm__.table
    return db._executor.request(
        "GetItem", {"TableName": table, "Key": {"pk": {"S": pk}}}, Target(model, table)
    )


def put_request(db: DB, item: Any, **params: Any) -> Request:
    """``db``'s PutItem of the model instance ``item``."""
    table = item.__dynamorm__.table
    return db._executor.request(
        "PutItem", {"TableName": table, "Item": item.to_item(), **params}, Target(type(item), table)
    )


@dataclass
class Ways:
    """How the requests sent since the ``ways`` fixture was made went out."""

    prepared: dict[str, int]
    """``{"direct": n}``: requests written and signed for the library's own path."""
    threads: list[str] = field(default_factory=list)
    """The thread each call of a sync transport's ``send`` ran on, in order."""

    @property
    def direct(self) -> int:
        """Requests written and signed for the library's own path."""
        return self.prepared["direct"]
