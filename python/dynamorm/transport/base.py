"""The transport seam: how a request built by the library reaches DynamoDB.

The ``Executor`` builds one ``Request`` per logical request (the operation,
its parameters in boto3 form, the JSON body when the Rust core wrote it, the
schemas its items decode with) and hands it, once per attempt, to a
``Transport``; the retry scheduler, the error mapping and everything above
them never see how the bytes travel. ``BotocoreTransport``
(``dynamorm.transport.botocore``) and ``DirectTransport``
(``dynamorm.transport.direct``) send to a server; the asyncio transport and
the in-memory backend (``dynamorm.testing.MemoryBackend``) implement the
same two members.

A transport's contract:

- ``send(request, timeout=...)`` sends one attempt and returns a
  ``Response`` for a 2xx answer: its status, headers and the parsed members
  (items already model instances when the fast read path decoded them:
  ``parsed[DECODED]`` is set). ``timeout`` caps this attempt's connect and
  read waits (the time left before the operation's deadline), ``None`` for
  the transport's own.
- Failures are raised as the classes the scheduler classifies
  (``dynamorm.retry.is_retryable`` / ``is_ambiguous``): an error answer as a
  botocore ``ClientError`` carrying DynamoDB's error response (code, message,
  ``CancellationReasons``, the ``Item`` of a failed condition), a broken
  connection as botocore's ``ConnectionError`` / ``HTTPClientError``
  families, a timeout as ``ConnectTimeoutError`` / ``ReadTimeoutError``, an
  unreadable 2xx answer as ``MalformedResponseError``. The ``Executor`` maps
  them to dynamorm errors: that is the one mapping.
- ``takes_body`` says whether the transport sends a body the Rust core wrote
  (``Request.body``); when it is false the ``Executor`` does not write one.
- A transport is safe to use from several threads at once.
- A transport may offer ``asyncio_transport()``: its own form for an
  ``AsyncDB`` (``async send``, ``async close``), which ``AsyncDB`` awaits in
  place of wrapping the transport in ``dynamorm.aio.transport``'s
  ``AioTransport`` (the in-memory backend, ``dynamorm.testing``, answers
  on the event loop itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dynamorm import _core
from dynamorm.errors import DynamORMError

__all__ = [
    "DATA_OPERATIONS",
    "DECODED",
    "FAST_OPERATIONS",
    "Request",
    "Response",
    "Target",
    "Transport",
]

DECODED = "__dynamorm_decoded__"
"""Set (to ``True``) in a response whose items are already model instances."""

DATA_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
"""The data-plane operations: those that read or write items (and take
``ReturnConsumedCapacity``), as opposed to table operations."""

FAST_OPERATIONS = frozenset(_core.ITEM_READS)
"""The item-bearing reads whose items a transport may decode into models: the
Rust core's own list, so the decoder and the Python side cannot disagree."""


@dataclass(frozen=True, slots=True)
class Request:
    """One request, as the library built it."""

    operation: str
    """DynamoDB's name of the operation: ``"GetItem"``, ``"Query"``, ..."""
    params: Mapping[str, Any]
    """The parameters in boto3 client form (DynamoDB JSON values)."""
    body: bytes | None = None
    """The JSON body written by the Rust core from ``params``, when it did."""
    schemas: Any = None
    """What the items of an item-bearing read decode into (an ``ItemSchema``,
    or one per read of a ``TransactGetItems``); ``None``: plain dicts."""
    what: str = ""
    """Names the request in errors: ``"GetItem on User (table 'users')"``."""


@dataclass(frozen=True, slots=True)
class Response:
    """A 2xx answer."""

    status: int
    headers: Mapping[str, str]
    parsed: dict[str, Any]
    """The answer's members, as boto3's client returns them."""


class Transport(Protocol):
    """What the ``Executor`` sends through (see the module docstring)."""

    @property
    def takes_body(self) -> bool:
        """Whether ``send`` uses ``Request.body`` when it is given."""
        ...

    def send(self, request: Request, *, timeout: float | None = None) -> Response:
        """Sends one attempt of ``request``; raises on failure."""
        ...


class Target:
    """What a request is about, for error messages and for building the item a
    failed condition returns: the model class (or ``None``) and its table."""

    __slots__ = ("model", "table")

    def __init__(self, model: Any, table: str) -> None:
        self.model = model
        self.table = table

    @property
    def name(self) -> str:
        """The model's class name (or the table name without a model)."""
        return self.model.__name__ if self.model is not None else self.table

    def error_for(self, code: str, response: Mapping[str, Any]) -> DynamORMError | None:
        """The dynamorm error of an error answer with ``code`` when this kind
        of request has one of its own (a transaction's cancellation names
        the operation that failed); ``None``: the common mapping."""
        return None
