"""boto3 clients answered by a ``MemoryBackend``, and its stream records in
the form boto3's ``dynamodbstreams`` client gives them.

A client is made as ``boto3.client("dynamodb")`` makes one (from a botocore
session kept for the process: a client costs milliseconds, not the tens a
new session's loading would), with dummy credentials and an endpoint that
resolves nowhere (``backend.ENDPOINT``). Its ``before-send`` event, the last
step before botocore's HTTP session, hands each signed request to the
backend and returns the backend's answer as botocore's ``AWSResponse``:
botocore parses it, retries it and raises for it as for a server's.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from dynamorm.testing.backend import ENDPOINT

if TYPE_CHECKING:
    from dynamorm.testing.backend import MemoryBackend

__all__ = ["memory_client", "raw_body", "stream_records"]

_TARGET = "DynamoDB_20120810."

_lock = threading.Lock()
_sessions: list[Any] = []


def _session() -> Any:
    """The botocore session the clients are made from (one per process)."""
    with _lock:
        if not _sessions:
            import botocore.session

            _sessions.append(botocore.session.get_session())
        return _sessions[0]


def memory_client(backend: MemoryBackend, *, region_name: str, config: Any) -> Any:
    """A boto3 DynamoDB client whose requests ``backend`` answers (see the
    module docstring)."""
    from botocore.config import Config

    from dynamorm.errors import ValidationError

    if not isinstance(region_name, str) or not region_name:
        raise ValidationError(
            f"MemoryBackend.client: region_name must be a region name, got {region_name!r}"
        )
    if config is not None and not isinstance(config, Config):
        raise ValidationError(
            f"MemoryBackend.client: config must be a botocore.config.Config, got {config!r}"
        )
    client = _session().create_client(
        "dynamodb",
        region_name=region_name,
        endpoint_url=ENDPOINT,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )
    client.meta.events.register("before-send.dynamodb", _Answerer(backend))
    return client


class _Answerer:
    """The ``before-send`` handler of a memory client: the backend's answer
    to each request, with the backend's faults (its latency waited here)."""

    __slots__ = ("backend",)

    def __init__(self, backend: MemoryBackend) -> None:
        self.backend = backend

    def __call__(self, request: Any, **_: Any) -> Any:
        import time

        from botocore.awsrequest import AWSResponse, HeadersDict

        operation = _operation(request.headers)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        backend = self.backend
        draw = backend.faults.draw(operation)
        if draw is not None and draw.seconds:
            time.sleep(draw.seconds)
        status, answer = backend.exchange(operation, bytes(body), draw)
        return AWSResponse(request.url, status, HeadersDict(backend.headers()), raw_body(answer))


def _operation(headers: Any) -> str:
    target = headers.get("X-Amz-Target", "")
    if isinstance(target, bytes):
        target = target.decode()
    return str(target).removeprefix(_TARGET)


class _Raw:
    """An answer's body as botocore's ``AWSResponse`` reads it."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def raw_body(body: bytes) -> Any:
    """``body`` as the ``raw`` of a botocore ``AWSResponse``."""
    return _Raw(body)


def stream_records(raw: bytes) -> list[dict[str, Any]]:
    """The records of the store's JSON list ``raw``, as boto3's
    ``dynamodbstreams`` client's ``get_records`` returns them: read by
    botocore's parser against that operation's output shape."""
    from botocore.parsers import create_parser

    model = _session().get_service_model("dynamodbstreams").operation_model("GetRecords")
    body = b'{"Records":' + raw + b"}"
    parsed = create_parser("json").parse(
        {"status_code": 200, "headers": {}, "body": body}, model.output_shape
    )
    records: list[dict[str, Any]] = parsed.get("Records", [])
    return records
