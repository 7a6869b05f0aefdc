"""``MemoryBackend``: an in-process DynamoDB for tests, plugged in
as a transport.

The store is the Rust core's (``dynamorm._core.MemoryStore``): it takes a
request as DynamoDB's JSON API does (the operation and its JSON body) and
answers as DynamoDB would, errors included. The backend sits where the
bytes would travel: a ``DB(backend=...)`` builds each request as for a
server (the body the Rust core writes, or botocore's serializer for what
it leaves), and reads each answer as the library's own request path reads
a server's (``dynamorm.transport.answers``: items decoded by the Rust core
into models, an error answer the ``ClientError`` botocore raises). So
everything above the transport — builders, retries, error mapping, paging —
runs as it does against DynamoDB.

``backend.client()`` is a boto3 DynamoDB client on the same store: botocore
builds and signs each request, and its ``before-send`` event hands it to the
backend instead of the network, so code that uses boto3 directly sees the
tables a ``DB`` wrote. Faults (``backend.faults``,
``dynamorm.testing.faults``) apply to every request the backend answers,
from a ``DB`` or a client alike.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from typing import TYPE_CHECKING, Any

from dynamorm import _core
from dynamorm.errors import ValidationError
from dynamorm.model.base import Model
from dynamorm.model.meta import ModelMeta
from dynamorm.testing.faults import Draw, Faults, hold_back, merge_held
from dynamorm.transport.base import Request, Response

if TYPE_CHECKING:
    from dynamorm.testing.aio import AsyncMemoryTransport
    from dynamorm.transport.answers import AnswerReader

__all__ = ["ENDPOINT", "MemoryBackend", "MemoryTransport"]

ENDPOINT = "http://dynamodb.memory.invalid"
"""The endpoint a ``MemoryBackend``'s clients name (``.invalid`` resolves
nowhere: nothing of theirs reaches a network)."""

_TARGET = "DynamoDB_20120810."
_CONTENT_TYPE = "application/x-amz-json-1.0"
_BATCHES = frozenset({"BatchGetItem", "BatchWriteItem"})


class MemoryBackend:
    """An in-process DynamoDB (see the module docstring): ``DB(backend=
    MemoryBackend())``. Its tables live as long as it does; several ``DB``s
    and clients on one backend share them. ``faults`` is what it injects
    into the requests it answers (a new ``Faults()`` by default). Safe to use
    from several threads and event loops at once."""

    __slots__ = ("_client", "_ids", "_lock", "_reader", "faults", "store", "transport")

    def __init__(self, *, faults: Faults | None = None) -> None:
        if faults is not None and not isinstance(faults, Faults):
            raise ValidationError(
                f"MemoryBackend: faults must be a dynamorm.testing.Faults, got {faults!r}"
            )
        self.store = _core.MemoryStore()
        """The Rust core's store: tables, items and stream records."""
        self.faults = faults if faults is not None else Faults()
        """The faults injected into the requests this backend answers."""
        self.transport = MemoryTransport(self)
        """The transport a ``DB`` on this backend sends through."""
        self._client: Any = None
        self._reader: AnswerReader | None = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        return f"<MemoryBackend {self.faults!r}>"

    # -- the transport ----------------------------------------------------

    @property
    def takes_body(self) -> bool:
        """The Rust core's request bodies are answered as they are."""
        return True

    @property
    def fast(self) -> bool:
        """Item-bearing reads decode into models."""
        return True

    def send(self, request: Request, *, timeout: float | None = None) -> Response:
        """Answers one attempt of ``request`` (the transport's ``send``):
        its faults drawn, its latency waited (a ``ReadTimeoutError`` when
        ``timeout``, the time left before the deadline, is shorter), its
        answer read as a server's."""
        draw = self.faults.draw(request.operation)
        if draw is not None and draw.seconds:
            _wait(draw.seconds, timeout)
        return self.answer(request, draw)

    def answer(self, request: Request, draw: Draw | None) -> Response:
        """The ``Response`` of ``request`` with the faults of ``draw``
        applied (its latency already waited): the I/O-free part of
        ``send``, which the asyncio form shares."""
        body = request.body if request.body is not None else self._encoded(request)
        status, answer = self.exchange(request.operation, body, draw)
        return self.reader.answer(request, status, self.headers(), answer)

    def exchange(self, operation: str, body: bytes, draw: Draw | None) -> tuple[int, bytes]:
        """The status and body of the answer to ``operation`` with ``body``,
        as a DynamoDB failing as ``draw`` says would give them: an error in
        place of the answer (after applying the request, for a lost answer),
        part of a batch held back as unprocessed."""
        if draw is None:
            return self.store.handle(operation, body)
        if draw.status is not None and not draw.applied:
            return draw.status, draw.body
        held: dict[str, Any] | None = None
        if draw.share and operation in _BATCHES:
            rest, held = hold_back(operation, body, draw.share)
            status, answer = (200, b"{}") if rest is None else self.store.handle(operation, rest)
        else:
            status, answer = self.store.handle(operation, body)
        if draw.status is not None:
            return draw.status, draw.body
        if held and status == 200:
            answer = merge_held(operation, answer, held)
        return status, answer

    def headers(self) -> dict[str, str]:
        """The headers of one answer: its content type and a request ID."""
        return {
            "content-type": _CONTENT_TYPE,
            "x-amzn-requestid": f"MEMORY{next(self._ids):026d}",
        }

    def standard_transport(self) -> MemoryTransport:
        """The transport of a ``DB(backend=..., fast_path=False)``: every
        request body written by botocore's serializer and every answer read
        by botocore's parser alone, as on botocore's standard path."""
        return MemoryTransport(self, fast=False)

    def asyncio_transport(self) -> AsyncMemoryTransport:
        """The form of this backend an ``AsyncDB`` sends through."""
        return self.transport.asyncio_transport()

    @property
    def reader(self) -> AnswerReader:
        """How answers are read: as the library's own request path reads a
        server's (on this backend's first client's service model)."""
        reader = self._reader
        if reader is None:
            from dynamorm.transport.answers import AnswerReader

            reader = self._reader = AnswerReader(self.default_client)
        return reader

    def _encoded(self, request: Request) -> bytes:
        """The JSON body of a request sent without one: the Rust core's, or
        botocore's serializer's for parameters the core leaves to it."""
        try:
            return _core.encode_request(dict(request.params))
        except _core.Fallback:
            return self.serialized(request)

    def serialized(self, request: Request) -> bytes:
        """The JSON body botocore's serializer writes for ``request``'s
        parameters."""
        from botocore.serialize import create_serializer

        model = self.default_client.meta.service_model.operation_model(request.operation)
        serialized = create_serializer("json", include_validation=False).serialize_to_request(
            dict(request.params), model
        )
        body: bytes = serialized["body"]
        return body

    # -- boto3 ------------------------------------------------------------

    @property
    def default_client(self) -> Any:
        """The client a ``DB`` on this backend has as ``db.client`` (made by
        the first use)."""
        client = self._client
        if client is None:
            with self._lock:
                client = self._client
                if client is None:
                    client = self._client = self.client()
        return client

    def client(self, *, region_name: str = "us-east-1", config: Any = None) -> Any:
        """A new boto3 DynamoDB client whose requests this backend answers
        in-process (botocore's ``before-send`` event hands them over; no
        request reaches a network), with dummy credentials, in
        ``region_name``, configured by ``config`` (a ``botocore.config.Config``:
        its retries apply as on any client)."""
        from dynamorm.testing.clients import memory_client

        return memory_client(self, region_name=region_name, config=config)

    # -- TTL, streams, clock ------------------------------------------------

    def expire_ttl(self, now: float | None = None) -> int:
        """Deletes every item whose TTL attribute is at or before ``now``
        (seconds since the epoch; by default the time now), as DynamoDB's
        background sweep does in its own time; returns how many. Each
        deletion is a ``REMOVE`` stream record."""
        if now is not None and (isinstance(now, bool) or not isinstance(now, int | float)):
            raise ValidationError(f"MemoryBackend.expire_ttl: now must be a number, got {now!r}")
        return self.store.expire(time.time() if now is None else float(now))

    def set_clock(self, now: float | None) -> None:
        """Sets the backend's clock to ``now`` (seconds since the epoch),
        which idempotency windows and stream record timestamps read;
        ``None`` goes back to the system clock."""
        if now is not None and (isinstance(now, bool) or not isinstance(now, int | float)):
            raise ValidationError(f"MemoryBackend.set_clock: now must be a number, got {now!r}")
        self.store.set_clock(None if now is None else float(now))

    def stream_records(self, table: type[Model] | str) -> list[dict[str, Any]]:
        """The stream records of ``table`` (a model class, or a table name)
        so far, oldest first, as boto3's ``dynamodbstreams`` client returns
        them from ``get_records`` (images in DynamoDB JSON with ``bytes``
        binaries, ``ApproximateCreationDateTime`` a ``datetime``):
        ``dynamorm.streams.unmarshal_stream_record`` reads them. Empty for a
        table without a stream."""
        name = _table_name(table)
        from dynamorm.testing.clients import stream_records

        return stream_records(self.store.stream_records(name))


class MemoryTransport:
    """A ``MemoryBackend`` as a ``DB``'s transport: the backend's ``send``,
    with the backend's default client as the ``DB``'s ``client``. With
    ``fast=False`` botocore's serializer writes every body and its parser
    alone reads every answer (``MemoryBackend.standard_transport``)."""

    __slots__ = ("backend", "fast", "send")

    def __init__(self, backend: MemoryBackend, *, fast: bool = True) -> None:
        self.backend = backend
        self.fast = fast
        """Whether item-bearing reads decode into models."""
        self.send: Any = backend.send if fast else self._standard

    def prepared(self, request: Request) -> Request:
        """``request`` as this transport has the backend answer it: as it
        is on the fast path; otherwise with botocore's body, and no schemas
        to decode items with."""
        if self.fast:
            return request
        return dataclasses.replace(request, body=self.backend.serialized(request), schemas=None)

    def _standard(self, request: Request, *, timeout: float | None = None) -> Response:
        return self.backend.send(self.prepared(request), timeout=timeout)

    @property
    def takes_body(self) -> bool:
        """Whether the Rust core's request bodies are sent (on the fast path)."""
        return self.fast

    @property
    def client(self) -> Any:
        """The backend's default boto3 client."""
        return self.backend.default_client

    def asyncio_transport(self) -> AsyncMemoryTransport:
        """This transport's form for an ``AsyncDB``."""
        from dynamorm.testing.aio import AsyncMemoryTransport

        return AsyncMemoryTransport(self)


def _wait(seconds: float, timeout: float | None) -> None:
    """Waits an injected latency: ``ReadTimeoutError`` after ``timeout``
    seconds when that is shorter."""
    if timeout is not None and seconds > timeout:
        time.sleep(timeout)
        from botocore.exceptions import ReadTimeoutError

        raise ReadTimeoutError(endpoint_url=ENDPOINT)
    time.sleep(seconds)


def _table_name(table: Any) -> str:
    if isinstance(table, str) and table:
        return table
    meta = getattr(table, "__dynamorm__", None)
    if isinstance(table, type) and isinstance(meta, ModelMeta):
        return meta.table
    raise ValidationError(
        f"MemoryBackend.stream_records: expected a model class or a table name, got {table!r}"
    )
