"""Fixtures of the asyncio transport's tests: how each request went out
(``ways``), a model on a fresh table and its stored item."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from dynamorm.transport.botocore import BotocoreTransport
from dynamorm.transport.direct import DirectTransport

from tests._support.direct_sends import count_direct_sends
from tests.integration.aio.transport_support import Ways
from tests.integration.db_models import define_note


@pytest.fixture
def ways(monkeypatch: pytest.MonkeyPatch) -> Ways:
    """Counts the requests prepared for the library's own path and records
    the thread of every call of a sync transport's ``send`` (the thread path)."""
    found = Ways(count_direct_sends(monkeypatch))
    inside = threading.local()

    def noting(cls: type[Any]) -> None:
        send = cls.send

        def sending(self: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(inside, "sending", False):
                # DirectTransport.send handing over to its BotocoreTransport.
                return send(self, *args, **kwargs)
            found.threads.append(threading.current_thread().name)
            inside.sending = True
            try:
                return send(self, *args, **kwargs)
            finally:
                inside.sending = False

        monkeypatch.setattr(cls, "send", sending)

    noting(DirectTransport)
    noting(BotocoreTransport)
    return found


@pytest.fixture
def Note(make_table: Callable[..., str]) -> Any:
    """A one-key model (``pk``, ``n``) on a fresh table."""
    return define_note(make_table(sk=None))


@pytest.fixture
def stored(ddb_client: Any, Note: Any) -> Any:
    """``Note``, with its item ``a`` (``n=7``) stored (by a plain boto3
    client: not counted by ``ways``)."""
    ddb_client.put_item(TableName=Note.__dynamorm__.table, Item=Note(pk="a", n=7).to_item())
    return Note
