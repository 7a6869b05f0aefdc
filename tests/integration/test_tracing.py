"""OpenTelemetry spans (``dynamorm.tracing``) against the test server: one
CLIENT span per request with the DynamoDB semantic-convention attributes,
retries as events, failures as ``ERROR``, spans of batch chunks and scan
segments sent on worker threads under the caller's span, botocore's
instrumentation nested under ours. Every test that makes requests runs on
the three ways a ``DB`` sends them: the library's own request path (a client
the ``DB`` made), botocore's pipeline on such a client (``fast_path=False``)
and botocore's pipeline on a client passed in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from dynamorm import DB, Model, RetryPolicy, field
from dynamorm.errors import ConditionFailedError
from dynamorm.observe import RequestInfo
from dynamorm.tracing import ATTEMPT_FAILED
from dynamorm.transport.direct import DirectTransport
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tests._support.proxy import FaultProxy
from tests.conftest import REGION, client_for
from tests.integration.db_models import create_table_for

PATHS = ("direct", "botocore", "given")
"""The library's own path; botocore's on a ``DB``-made client; botocore's
on a client passed in."""

RETRIES = RetryPolicy(max_retries=3, initial_delay=0.001, jitter=0)


class Spans:
    """A tracer provider whose finished spans are kept in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def finished(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def clear(self) -> None:
        self.exporter.clear()


@pytest.fixture
def spans() -> Iterator[Spans]:
    kept = Spans()
    yield kept
    kept.provider.shutdown()


@pytest.fixture(params=PATHS)
def path(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def db_on(path: str, endpoint: str, spans: Spans, **options: Any) -> DB:
    """A ``DB`` on ``endpoint`` sending the way ``path`` names, its spans
    going to ``spans``."""
    options.setdefault("retry_policy", RETRIES)
    if path == "given":
        client = client_for(endpoint, retries={"total_max_attempts": 1})
        db = DB(client=client, tracer_provider=spans.provider, **options)
    else:
        db = DB(
            region_name=REGION,
            endpoint_url=endpoint,
            fast_path=path == "direct",
            tracer_provider=spans.provider,
            **options,
        )
    assert isinstance(db._executor.transport, DirectTransport) == (path == "direct")
    return db


def note_model(table: str) -> Any:
    class Note(Model, table=table):
        pk: str = field(pk=True)
        n: int = 0
        body: str = ""

    return Note


def attributes(span: ReadableSpan) -> dict[str, Any]:
    """The span's attributes, sequences as lists."""
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in (span.attributes or {}).items()
    }


def peer(endpoint: str) -> dict[str, Any]:
    parts = urlsplit(endpoint)
    return {"cloud.region": REGION, "server.address": parts.hostname, "server.port": parts.port}


def test_a_get_item_is_one_client_span_with_dynamodbs_attributes(
    path: str, spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    table = make_table(sk=None)
    Note = note_model(table)
    db = db_on(path, ddb_endpoint, spans)
    db.model(Note(pk="a", n=1, body="private text")).create()
    spans.clear()
    got = db.model(Note).where("pk", "=", "a").select("n").consistent_read().first()
    assert got.n == 1
    (span,) = spans.finished()
    assert (span.name, span.kind, span.status.status_code) == (
        "DynamoDB.GetItem",
        SpanKind.CLIENT,
        StatusCode.UNSET,
    )
    seen = attributes(span)
    assert seen.pop("aws.request_id")
    assert seen == {
        "db.system.name": "aws.dynamodb",
        "db.operation.name": "GetItem",
        "db.collection.name": table,
        "rpc.system": "aws-api",
        "rpc.service": "DynamoDB",
        "rpc.method": "GetItem",
        "aws.dynamodb.table_names": [table],
        "aws.dynamodb.consistent_read": True,
        "aws.dynamodb.projection": "n, pk",
        "dynamorm.model": "Note",
        "dynamorm.attempts": 1,
        "http.response.status_code": 200,
        **peer(ddb_endpoint),
    }
    assert span.events == ()


def test_a_query_on_an_index_carries_index_limit_order_and_counts(
    path: str, spans: Spans, ddb_endpoint: str, ddb_client: Any
) -> None:
    class Score(Model, table=f"scores-{os.urandom(4).hex()}"):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        group: str = field(default="g", gsi_pk="by-group")
        points: int = field(default=0, gsi_sk="by-group")
        kept: bool = True

    create_table_for(ddb_client, Score)
    try:
        db = db_on(path, ddb_endpoint, spans)
        for points in (1, 2, 3):
            db.model(Score(pk="p", sk=f"s{points}", points=points, kept=points != 2)).create()
        spans.clear()
        page = (
            db.model(Score)
            .index("by-group")
            .where("group", "=", "g")
            .where("kept", "=", True)
            .order_by("points", "DESC")
            .limit(2)
            .all_paginated()
        )
        assert [s.points for s in page.items] == [3]
        (span,) = spans.finished()
        seen = attributes(span)
        assert span.name == "DynamoDB.Query"
        assert {key: seen.get(key) for key in QUERY_KEYS} == {
            "aws.dynamodb.index_name": "by-group",
            "aws.dynamodb.limit": 2,
            "aws.dynamodb.scan_forward": False,
            "aws.dynamodb.count": 1,
            "aws.dynamodb.scanned_count": 2,
            "aws.dynamodb.table_names": [Score.__dynamorm__.table],
        }
    finally:
        ddb_client.delete_table(TableName=Score.__dynamorm__.table)


QUERY_KEYS = (
    "aws.dynamodb.index_name",
    "aws.dynamodb.limit",
    "aws.dynamodb.scan_forward",
    "aws.dynamodb.count",
    "aws.dynamodb.scanned_count",
    "aws.dynamodb.table_names",
)


def test_consumed_capacity_is_a_list_of_json_entries_when_asked_for(
    path: str, spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    table = make_table(sk=None)
    Note = note_model(table)
    db = db_on(path, ddb_endpoint, spans, return_consumed_capacity="TOTAL")
    db.model(Note).batch_create([Note(pk=f"k{i}") for i in range(20)])
    db.model(Note).where("pk", "=", "k1").first()
    batch, get = spans.finished()
    assert (batch.name, get.name) == ("DynamoDB.BatchWriteItem", "DynamoDB.GetItem")
    assert attributes(batch)["db.operation.batch.size"] == 20
    for span in (batch, get):
        (entry,) = attributes(span)["aws.dynamodb.consumed_capacity"]
        capacity = json.loads(entry)
        assert capacity["TableName"] == table and capacity["CapacityUnits"] > 0


def test_the_table_prefix_is_in_the_table_names_and_the_capacity(
    path: str, spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    table = make_table(sk=None)
    prefix, bare = table[:2], table[2:]
    Note = note_model(bare)
    db = db_on(path, ddb_endpoint, spans, table_prefix=prefix, return_consumed_capacity="TOTAL")
    db.model(Note(pk="a")).create()
    (span,) = spans.finished()
    seen = attributes(span)
    assert seen["aws.dynamodb.table_names"] == [table]
    assert seen["db.collection.name"] == table
    (capacity,) = seen["aws.dynamodb.consumed_capacity"]
    assert json.loads(capacity)["TableName"] == table


def test_a_throttled_then_answered_request_is_one_span_with_an_event_per_failed_attempt(
    path: str, spans: Spans, fault_proxy: FaultProxy, make_table: Callable[..., str]
) -> None:
    Note = note_model(make_table(sk=None))
    db = db_on(path, fault_proxy.endpoint, spans)
    db.model(Note(pk="a", n=1)).create()
    spans.clear()
    fault_proxy.throttle("GetItem", times=2)
    assert db.model(Note).where("pk", "=", "a").first().n == 1
    (span,) = spans.finished()
    assert span.name == "DynamoDB.GetItem"
    assert span.status.status_code is StatusCode.UNSET
    seen = attributes(span)
    assert (seen["dynamorm.attempts"], seen["http.response.status_code"]) == (3, 200)
    assert "error.type" not in seen
    assert [(event.name, dict(event.attributes or {})) for event in span.events] == [
        (
            ATTEMPT_FAILED,
            {
                "dynamorm.attempt": attempt,
                "error.type": "ProvisionedThroughputExceededException",
                "dynamorm.retryable": True,
                "http.response.status_code": 400,
            },
        )
        for attempt in (1, 2)
    ]


def test_a_failed_conditional_write_ends_its_span_in_error_with_the_error_code(
    path: str, spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    Note = note_model(make_table(sk=None))
    db = db_on(path, ddb_endpoint, spans)
    db.model(Note(pk="a")).if_not_exists().create()
    spans.clear()
    with pytest.raises(ConditionFailedError) as caught:
        db.model(Note(pk="a")).if_not_exists().create()
    (span,) = spans.finished()
    assert span.name == "DynamoDB.PutItem"
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == str(caught.value)
    seen = attributes(span)
    assert seen["error.type"] == "ConditionalCheckFailedException"
    assert seen["db.response.status_code"] == "ConditionalCheckFailedException"
    assert seen["http.response.status_code"] == 400
    assert seen["dynamorm.attempts"] == 1
    failed, recorded = span.events
    assert failed.name == ATTEMPT_FAILED
    assert dict(failed.attributes or {})["dynamorm.retryable"] is False
    assert recorded.name == "exception"
    assert dict(recorded.attributes or {})["exception.type"] == (
        "dynamorm.errors.ConditionFailedError"
    )


def test_batch_chunks_sent_on_worker_threads_are_children_of_the_callers_span(
    path: str, spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    Note = note_model(make_table(sk=None))
    threads: set[str] = set()

    def sent_from(info: RequestInfo) -> None:
        if info.operation == "BatchGetItem":
            threads.add(threading.current_thread().name)

    db = db_on(path, ddb_endpoint, spans, on_request=sent_from)
    db.model(Note).batch_create([Note(pk=f"k{i:03d}") for i in range(250)])
    spans.clear()
    tracer = spans.provider.get_tracer("the application")
    with tracer.start_as_current_span("caller") as caller:
        got = (
            db.model(Note)
            .batch_get_builder()
            .keys([f"k{i:03d}" for i in range(250)])
            .parallel(3)
            .execute()
        )
    assert len(got) == 250
    assert threads and threading.current_thread().name not in threads
    requests = [s for s in spans.finished() if s.name == "DynamoDB.BatchGetItem"]
    assert sorted(attributes(s)["db.operation.batch.size"] for s in requests) == [50, 100, 100]
    mine = caller.get_span_context()
    for span in requests:
        assert span.parent is not None and span.parent.span_id == mine.span_id
        assert span.context is not None and span.context.trace_id == mine.trace_id


def test_scan_segments_on_worker_threads_are_children_of_the_callers_span(
    path: str, spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    Note = note_model(make_table(sk=None))
    db = db_on(path, ddb_endpoint, spans)
    for i in range(6):
        db.model(Note(pk=f"k{i}")).create()
    spans.clear()
    with spans.provider.get_tracer("the application").start_as_current_span("caller") as caller:
        assert len(db.model(Note).scan_all_segments(2)) == 6
    scans = [s for s in spans.finished() if s.name == "DynamoDB.Scan"]
    assert sorted(
        (attributes(s)["aws.dynamodb.segment"], attributes(s)["aws.dynamodb.total_segments"])
        for s in scans
    ) == [(0, 2), (1, 2)]
    assert all(
        s.parent is not None and s.parent.span_id == caller.get_span_context().span_id
        for s in scans
    )


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_a_transaction_span_names_every_table_it_writes(
    path: str, spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    first, second = make_table(sk=None), make_table(sk=None)
    One, Two = note_model(first), note_model(second)
    db = db_on(path, ddb_endpoint, spans)
    db.transact().create(One(pk="a")).create(Two(pk="b")).create(One(pk="c")).execute()
    (span,) = spans.finished()
    seen = attributes(span)
    assert span.name == "DynamoDB.TransactWriteItems"
    assert seen["aws.dynamodb.table_names"] == [first, second]
    assert seen["db.operation.batch.size"] == 3
    assert "db.collection.name" not in seen and "dynamorm.model" not in seen


def test_botocores_instrumentation_nests_its_span_under_the_request_span(
    spans: Spans, ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    from opentelemetry.instrumentation.botocore import BotocoreInstrumentor

    Note = note_model(make_table(sk=None))
    db = db_on("direct", ddb_endpoint, spans)
    db.model(Note(pk="a")).create()
    spans.clear()
    transport = db._executor.transport
    instrumentor = BotocoreInstrumentor()
    instrumentor.instrument(tracer_provider=spans.provider)
    try:
        assert not transport.direct("GetItem")  # botocore's pipeline, for the instrumentation
        assert db.model(Note).where("pk", "=", "a").first().pk == "a"
    finally:
        instrumentor.uninstrument()
    assert transport.direct("GetItem")
    inner, outer = spans.finished()
    assert attributes(outer)["dynamorm.model"] == "Note"
    assert inner.name == outer.name == "DynamoDB.GetItem"
    assert outer.context is not None and inner.parent is not None
    assert inner.parent.span_id == outer.context.span_id


NO_PROVIDER = """
import json, os
from dynamorm import DB, Model, field
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

class Note(Model, table=os.environ["TABLE"]):
    pk: str = field(pk=True)

db = DB(region_name="us-east-1", endpoint_url=os.environ["ENDPOINT"])
db.model(Note(pk="a")).create()
untraced = db._executor.tracing.tracer() is None
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
db.model(Note).where("pk", "=", "a").first()
print(json.dumps({"untraced": untraced, "spans": [s.name for s in exporter.get_finished_spans()]}))
"""


def test_without_a_provider_nothing_is_traced_until_the_global_one_is_set(
    ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    # The global provider can be set once per process: this runs in its own.
    env = {**os.environ, "TABLE": make_table(sk=None), "ENDPOINT": ddb_endpoint}
    out = subprocess.run(
        [sys.executable, "-c", NO_PROVIDER],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert json.loads(out) == {"untraced": True, "spans": ["DynamoDB.GetItem"]}
