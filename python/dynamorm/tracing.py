"""OpenTelemetry spans for every request: ``pip install 'dynamorm[otel]'``.

With a tracer provider configured — the global one
(``opentelemetry.trace.set_tracer_provider``) or one passed as
``DB(tracer_provider=...)`` — every request the ``Executor`` sends is one span
of kind ``CLIENT`` named ``DynamoDB.<Operation>``, from before its first
attempt to after its last: a retried request is still one span, each failed
attempt an event on it (``dynamorm.attempt_failed``: the attempt number,
``error.type``, whether the retry scheduler goes on from it). The span is the
current one while the request is in flight, so botocore's own instrumentation,
when installed, nests its spans under it; requests that batches and parallel
scans send from worker threads are children of the span that was current
where the operation started.

Attributes follow OpenTelemetry's semantic conventions for DynamoDB
(``REQUEST_MEMBERS`` and ``response_attributes`` say which), with the table
names as sent (the ``DB``'s prefix included) and the model's class name as
``dynamorm.model``. Key values, items and expression values never go into a
span. A request that fails sets the span's status to ``ERROR``, records the
exception the caller gets and sets ``error.type`` (``error_type``).

Without a provider nothing is done, and opentelemetry is never imported
here: the check is a dictionary lookup while nothing imported it, and a call
of ``get_tracer_provider`` (which answers with the API's proxy until a
provider is set) once something has.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dynamorm.errors import ValidationError
from dynamorm.retry import error_code, http_status, is_retryable
from dynamorm.transport.prefix import table_names

if TYPE_CHECKING:
    from dynamorm.transport.base import Request

__all__ = [
    "ATTEMPT_FAILED",
    "REQUEST_MEMBERS",
    "RequestSpan",
    "Tracing",
    "endpoint_attributes",
    "error_type",
    "request_attributes",
    "response_attributes",
    "unobserved",
]

ATTEMPT_FAILED = "dynamorm.attempt_failed"
"""The name of the event a failed attempt adds to its request's span."""

REQUEST_MEMBERS = (
    ("IndexName", "aws.dynamodb.index_name"),
    ("Limit", "aws.dynamodb.limit"),
    ("ConsistentRead", "aws.dynamodb.consistent_read"),
    ("ScanIndexForward", "aws.dynamodb.scan_forward"),
    ("Select", "aws.dynamodb.select"),
    ("Segment", "aws.dynamodb.segment"),
    ("TotalSegments", "aws.dynamodb.total_segments"),
)
"""The request members copied into a span as they are sent, and the
attribute each becomes (``ProjectionExpression`` is one too, with its
``#name`` placeholders read back: ``aws.dynamodb.projection``)."""

_PLACEHOLDER = re.compile(r"#[A-Za-z0-9_]+")


class Tracing:
    """Which tracer a ``DB``'s spans start from: the one of ``provider``
    when given, else the global provider's once one is set (``tracer()`` is
    ``None`` until then). Cheap to ask on every request; thread-safe."""

    __slots__ = ("_endpoint", "_given", "_tracer")

    def __init__(self, provider: Any = None) -> None:
        if provider is not None and not callable(getattr(provider, "get_tracer", None)):
            raise ValidationError(
                f"DB: tracer_provider must be an OpenTelemetry TracerProvider, got {provider!r}"
            )
        self._given = provider
        self._tracer: Any = None
        self._endpoint: dict[str, str | int] | None = None

    def tracer(self) -> Any:
        """The OpenTelemetry tracer to start spans with; ``None`` when no
        provider is configured (or opentelemetry was never imported)."""
        tracer = self._tracer
        if tracer is not None:
            return tracer
        provider = self._given
        if provider is None:
            api = sys.modules.get("opentelemetry.trace")
            if api is None:
                return None
            provider = api.get_tracer_provider()
            if isinstance(provider, api.ProxyTracerProvider | api.NoOpTracerProvider):
                return None
        from dynamorm._core import __version__

        # The global provider can be set only once: its tracer is kept.
        tracer = provider.get_tracer("dynamorm", __version__)
        self._tracer = tracer
        return tracer

    def start(self, request: Request, model: Any, transport: Any) -> RequestSpan | None:
        """The span of ``request`` (about ``model``, a model class or
        ``None``, sent through ``transport``), started; ``None`` when there
        is no tracer."""
        tracer = self.tracer()
        if tracer is None:
            return None
        name = model.__name__ if model is not None else None
        where = self.endpoint(transport)
        return RequestSpan(tracer, request.operation, request.params, name, where)

    def endpoint(self, transport: Any) -> dict[str, str | int]:
        """``endpoint_attributes`` of the region and endpoint of
        ``transport``'s botocore client (none without one), worked out once
        (a ``DB`` keeps its client)."""
        known = self._endpoint
        if known is None:
            meta = getattr(getattr(transport, "client", None), "meta", None)
            known = endpoint_attributes(
                getattr(meta, "region_name", None), getattr(meta, "endpoint_url", None)
            )
            self._endpoint = known
        return known


def endpoint_attributes(region: str | None, endpoint_url: str | None) -> dict[str, str | int]:
    """``cloud.region``, ``server.address`` and, for a port other than the
    scheme's own, ``server.port``."""
    attributes: dict[str, str | int] = {}
    if region:
        attributes["cloud.region"] = region
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if parts.hostname:
            attributes["server.address"] = parts.hostname
        default = 443 if parts.scheme == "https" else 80
        if parts.port is not None and parts.port != default:
            attributes["server.port"] = parts.port
    return attributes


def request_attributes(
    operation: str, params: Mapping[str, Any], model: str | None = None
) -> dict[str, Any]:
    """A request's span attributes, from its parameters as sent: the
    system, service and operation, ``aws.dynamodb.table_names`` (and
    ``db.collection.name`` when there is one table), the members of
    ``REQUEST_MEMBERS``, the projection, ``db.operation.batch.size`` for a
    batch or transaction of two or more, and ``dynamorm.model``."""
    attributes: dict[str, Any] = {
        "db.system.name": "aws.dynamodb",
        "db.operation.name": operation,
        "rpc.system": "aws-api",
        "rpc.service": "DynamoDB",
        "rpc.method": operation,
    }
    tables = table_names(params)
    if tables:
        attributes["aws.dynamodb.table_names"] = tables
        if len(tables) == 1:
            attributes["db.collection.name"] = tables[0]
    for member, key in REQUEST_MEMBERS:
        value = params.get(member)
        if value is not None:
            attributes[key] = value
    projection = params.get("ProjectionExpression")
    if isinstance(projection, str):
        names = params.get("ExpressionAttributeNames") or {}
        attributes["aws.dynamodb.projection"] = _PLACEHOLDER.sub(
            lambda found: str(names.get(found.group(), found.group())), projection
        )
    size = _batch_size(params)
    if size > 1:
        attributes["db.operation.batch.size"] = size
    if model is not None:
        attributes["dynamorm.model"] = model
    return attributes


def _batch_size(params: Mapping[str, Any]) -> int:
    """How many operations a batch or transaction carries (0 for others)."""
    items = params.get("TransactItems")
    if items is not None:
        return len(items)
    per_table = params.get("RequestItems")
    if not isinstance(per_table, Mapping):
        return 0
    # BatchGetItem: {"Keys": [...]} per table; BatchWriteItem: a list of requests.
    return sum(
        len(wanted.get("Keys", ())) if isinstance(wanted, Mapping) else len(wanted)
        for wanted in per_table.values()
    )


def response_attributes(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """A successful answer's span attributes: ``aws.dynamodb.consumed_capacity``
    (each entry as JSON, table names as sent), ``aws.dynamodb.count``,
    ``aws.dynamodb.scanned_count``, ``aws.request_id`` and
    ``http.response.status_code``. ``ItemCollectionMetrics`` is left out:
    it carries key values."""
    attributes: dict[str, Any] = {}
    capacity = parsed.get("ConsumedCapacity")
    if capacity:
        entries = capacity if isinstance(capacity, list) else [capacity]
        attributes["aws.dynamodb.consumed_capacity"] = [
            json.dumps(entry, sort_keys=True, default=str) for entry in entries
        ]
    for member, key in (
        ("Count", "aws.dynamodb.count"),
        ("ScannedCount", "aws.dynamodb.scanned_count"),
    ):
        value = parsed.get(member)
        if isinstance(value, int):
            attributes[key] = value
    _add_metadata(attributes, parsed.get("ResponseMetadata"))
    return attributes


def _add_metadata(attributes: dict[str, Any], metadata: Any) -> None:
    if not isinstance(metadata, Mapping):
        return
    request_id = metadata.get("RequestId")
    if request_id:
        attributes["aws.request_id"] = str(request_id)
    status = metadata.get("HTTPStatusCode")
    if isinstance(status, int):
        attributes["http.response.status_code"] = status


def error_type(error: BaseException, cause: BaseException | None = None) -> str:
    """``error.type`` of a failure: DynamoDB's error code when an error
    answer is behind it (``cause``, else the chain of ``__cause__``:
    ``"ConditionalCheckFailedException"``, the throttling code of a
    ``RetryExhaustedError``), else the qualified name of ``error``'s class
    (``"dynamorm.errors.OperationTimeoutError"``,
    ``"botocore.exceptions.ReadTimeoutError"``)."""
    answer = _answer_of(cause if cause is not None else error)
    if answer is not None:
        return error_code(answer)
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


def _answer_of(error: BaseException | None) -> BaseException | None:
    """The error answer (a botocore ``ClientError`` with DynamoDB's error
    code) that ``error`` is or was caused by, if any."""
    link = error
    for _ in range(8):  # a chain of causes is short; never loop on a cycle
        if link is None or error_code(link):
            return link
        link = link.__cause__
    return None


class RequestSpan:
    """The span of one request: started (and made current) before its first
    attempt, ended by ``succeeded`` or ``failed`` after its last. Not shared
    between threads: one per ``Executor.call``."""

    __slots__ = ("_span", "_token")

    def __init__(
        self,
        tracer: Any,
        operation: str,
        params: Mapping[str, Any],
        model: str | None,
        endpoint: Mapping[str, str | int],
    ) -> None:
        from opentelemetry import context, trace

        attributes = request_attributes(operation, params, model)
        attributes.update(endpoint)
        self._span = tracer.start_span(
            f"DynamoDB.{operation}", kind=trace.SpanKind.CLIENT, attributes=attributes
        )
        self._token = context.attach(trace.set_span_in_context(self._span))

    def attempt_failed(self, attempt: int, error: BaseException) -> None:
        """Adds the ``ATTEMPT_FAILED`` event of attempt number ``attempt``."""
        event: dict[str, Any] = {
            "dynamorm.attempt": attempt,
            "error.type": error_type(error),
            "dynamorm.retryable": is_retryable(error),
        }
        status = http_status(error)
        if status is not None:
            event["http.response.status_code"] = status
        self._span.add_event(ATTEMPT_FAILED, event)

    def succeeded(self, attempts: int, parsed: Mapping[str, Any]) -> None:
        """Ends the span of a request answered after ``attempts`` attempts
        with ``parsed`` (the answer as DynamoDB sent it)."""
        span = self._span
        try:
            if span.is_recording():
                attributes = response_attributes(parsed)
                attributes["dynamorm.attempts"] = attempts
                span.set_attributes(attributes)
        finally:
            self._end()

    def failed(self, attempts: int, error: BaseException, cause: BaseException | None) -> None:
        """Ends the span of a request that raises ``error`` (chained to
        ``cause``) after ``attempts`` attempts: status ``ERROR``, the
        exception recorded, ``error.type`` and, for an error answer, its code
        (``db.response.status_code``), HTTP status and request id."""
        from opentelemetry.trace import Status, StatusCode

        span = self._span
        try:
            if span.is_recording():
                kind = error_type(error, cause)
                attributes: dict[str, Any] = {"error.type": kind, "dynamorm.attempts": attempts}
                answer = _answer_of(cause if cause is not None else error)
                if answer is not None:
                    attributes["db.response.status_code"] = kind
                    _add_metadata(
                        attributes, getattr(answer, "response", {}).get("ResponseMetadata")
                    )
                span.set_attributes(attributes)
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, str(error)))
        finally:
            self._end()

    def _end(self) -> None:
        from opentelemetry import context

        context.detach(self._token)
        self._span.end()


def unobserved() -> contextlib.AbstractContextManager[None]:
    """``with unobserved():`` — what the library sends for its own checks
    (the probes of ``transport.probe``, canned answers, never the network)
    makes no span in an instrumentation of botocore: OpenTelemetry's
    ``suppress_instrumentation`` when an instrumentation has loaded it,
    nothing otherwise (nothing is imported)."""
    utils = sys.modules.get("opentelemetry.instrumentation.utils")
    suppress = getattr(utils, "suppress_instrumentation", None)
    if suppress is None:
        return contextlib.nullcontext()
    made: contextlib.AbstractContextManager[None] = suppress()
    return made
