"""``dynamorm.tracing``: the attributes a request's span carries, what
``error.type`` says, which tracer spans start from, and a span's life
(current while in flight, ended once)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from dynamorm import DB
from dynamorm.errors import OperationTimeoutError, RetryExhaustedError, ValidationError
from dynamorm.tracing import (
    RequestSpan,
    Tracing,
    endpoint_attributes,
    error_type,
    request_attributes,
    response_attributes,
)
from dynamorm.transport.prefix import table_names
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

SECRET = "alice@example.com"
"""A key value and item value no attribute may carry."""

COMMON = {
    "db.system.name": "aws.dynamodb",
    "rpc.system": "aws-api",
    "rpc.service": "DynamoDB",
}


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": "m"},
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "r-1"},
        },
        "PutItem",
    )


def test_a_get_item_names_its_table_and_model_and_reads_back_the_projection() -> None:
    params = {
        "TableName": "prod-users",
        "Key": {"id": {"S": SECRET}},
        "ConsistentRead": True,
        "ProjectionExpression": "#n0, #n1.#n2[0]",
        "ExpressionAttributeNames": {"#n0": "id", "#n1": "profile", "#n2": "tags"},
    }
    assert request_attributes("GetItem", params, "User") == {
        **COMMON,
        "db.operation.name": "GetItem",
        "rpc.method": "GetItem",
        "aws.dynamodb.table_names": ["prod-users"],
        "db.collection.name": "prod-users",
        "aws.dynamodb.consistent_read": True,
        "aws.dynamodb.projection": "id, profile.tags[0]",
        "dynamorm.model": "User",
    }


def test_query_and_scan_members_become_their_attributes() -> None:
    query = request_attributes(
        "Query",
        {
            "TableName": "t",
            "IndexName": "by-status",
            "Limit": 10,
            "ScanIndexForward": False,
            "Select": "COUNT",
            "KeyConditionExpression": "#n0 = :v0",
            "ExpressionAttributeValues": {":v0": {"S": SECRET}},
        },
    )
    assert {k: query[k] for k in query if k.startswith("aws.dynamodb.")} == {
        "aws.dynamodb.table_names": ["t"],
        "aws.dynamodb.index_name": "by-status",
        "aws.dynamodb.limit": 10,
        "aws.dynamodb.scan_forward": False,
        "aws.dynamodb.select": "COUNT",
    }
    scan = request_attributes("Scan", {"TableName": "t", "Segment": 0, "TotalSegments": 4})
    assert (scan["aws.dynamodb.segment"], scan["aws.dynamodb.total_segments"]) == (0, 4)
    assert "dynamorm.model" not in scan


def test_batches_and_transactions_name_every_table_once_and_count_their_operations() -> None:
    batch_get = {
        "RequestItems": {
            "users": {"Keys": [{"id": {"S": SECRET}}, {"id": {"S": "b"}}]},
            "orders": {"Keys": [{"id": {"S": "c"}}]},
        }
    }
    seen = request_attributes("BatchGetItem", batch_get)
    assert seen["aws.dynamodb.table_names"] == ["users", "orders"]
    assert seen["db.operation.batch.size"] == 3
    assert "db.collection.name" not in seen
    batch_write = {"RequestItems": {"users": [{"PutRequest": {}}, {"DeleteRequest": {}}]}}
    assert request_attributes("BatchWriteItem", batch_write)["db.operation.batch.size"] == 2
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "users", "Item": {}}},
            {"ConditionCheck": {"TableName": "quotas", "Key": {}}},
            {"Update": {"TableName": "users", "Key": {}}},
        ]
    }
    assert table_names(transaction) == ["users", "quotas"]
    assert request_attributes("TransactWriteItems", transaction)["db.operation.batch.size"] == 3
    one = {"TransactItems": [{"Get": {"TableName": "users", "Key": {}}}]}
    assert "db.operation.batch.size" not in request_attributes("TransactGetItems", one)


def test_no_key_item_or_expression_value_reaches_an_attribute() -> None:
    item = {"id": {"S": SECRET}, "email": {"S": SECRET}}
    params = {
        "TableName": "users",
        "Item": item,
        "ConditionExpression": "#n0 <> :v0",
        "ExpressionAttributeNames": {"#n0": "email"},
        "ExpressionAttributeValues": {":v0": {"S": SECRET}},
    }
    answer = {
        "Attributes": item,
        "Items": [item],
        "ItemCollectionMetrics": {"ItemCollectionKey": {"id": {"S": SECRET}}},
        "LastEvaluatedKey": {"id": {"S": SECRET}},
        "Count": 1,
    }
    everything = {**request_attributes("PutItem", params), **response_attributes(answer)}
    assert SECRET not in json.dumps(everything)
    assert "aws.dynamodb.item_collection_metrics" not in everything


def test_an_answer_gives_its_capacity_as_json_its_counts_and_its_request_id() -> None:
    one = {"TableName": "users", "CapacityUnits": 0.5}
    answer = {
        "ConsumedCapacity": one,
        "Count": 2,
        "ScannedCount": 7,
        "ResponseMetadata": {"RequestId": "r-9", "HTTPStatusCode": 200},
    }
    assert response_attributes(answer) == {
        "aws.dynamodb.consumed_capacity": [json.dumps(one, sort_keys=True)],
        "aws.dynamodb.count": 2,
        "aws.dynamodb.scanned_count": 7,
        "aws.request_id": "r-9",
        "http.response.status_code": 200,
    }
    several = [one, {"TableName": "orders", "CapacityUnits": 1.0}]
    entries = response_attributes({"ConsumedCapacity": several})["aws.dynamodb.consumed_capacity"]
    assert [json.loads(entry) for entry in entries] == several
    assert response_attributes({}) == {}


def test_the_endpoint_gives_region_host_and_a_port_other_than_the_schemes() -> None:
    assert endpoint_attributes("eu-west-1", "https://dynamodb.eu-west-1.amazonaws.com") == {
        "cloud.region": "eu-west-1",
        "server.address": "dynamodb.eu-west-1.amazonaws.com",
    }
    assert endpoint_attributes("us-east-1", "http://127.0.0.1:8000") == {
        "cloud.region": "us-east-1",
        "server.address": "127.0.0.1",
        "server.port": 8000,
    }
    assert endpoint_attributes(None, None) == {}


def test_error_type_is_dynamodbs_code_behind_a_failure_else_the_class_name() -> None:
    throttled = client_error("ProvisionedThroughputExceededException")
    assert error_type(throttled) == "ProvisionedThroughputExceededException"
    exhausted = RetryExhaustedError("still throttled", attempts=4)
    exhausted.__cause__ = throttled
    assert error_type(exhausted) == "ProvisionedThroughputExceededException"
    assert error_type(ValidationError("x"), throttled) == "ProvisionedThroughputExceededException"
    timeout = OperationTimeoutError("late", partial=None)
    assert error_type(timeout) == "dynamorm.errors.OperationTimeoutError"
    lost = ReadTimeoutError(endpoint_url="http://h")
    assert error_type(lost) == "botocore.exceptions.ReadTimeoutError"


def test_a_tracer_provider_must_be_one() -> None:
    for wrong in (3, "provider", object()):
        with pytest.raises(ValidationError, match="DB: tracer_provider must be"):
            Tracing(wrong)
    with pytest.raises(ValidationError, match="tracer_provider"):
        DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9", tracer_provider=3)


def test_spans_start_from_the_given_provider_and_from_none_while_none_is_set() -> None:
    # opentelemetry is imported here, but no global provider is set in tests.
    assert Tracing().tracer() is None
    given = Tracing(TracerProvider())
    tracer = given.tracer()
    assert tracer is not None and given.tracer() is tracer


def provider_with(exporter: InMemorySpanExporter, **options: Any) -> TracerProvider:
    provider = TracerProvider(**options)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def test_a_request_span_is_current_while_in_flight_and_ends_once() -> None:
    exporter = InMemorySpanExporter()
    tracer = provider_with(exporter).get_tracer("test")
    before = trace.get_current_span()
    span = RequestSpan(tracer, "PutItem", {"TableName": "t"}, "User", {"cloud.region": "r"})
    current = trace.get_current_span()
    assert current is not before and current.is_recording()
    span.attempt_failed(1, client_error("ThrottlingException"))
    span.failed(2, RetryExhaustedError("gave up", attempts=2), client_error("ThrottlingException"))
    assert trace.get_current_span() is before
    (done,) = exporter.get_finished_spans()
    assert done.attributes is not None
    assert done.attributes["error.type"] == "ThrottlingException"
    assert done.attributes["aws.request_id"] == "r-1"
    assert [event.name for event in done.events] == ["dynamorm.attempt_failed", "exception"]


def test_a_span_the_sampler_drops_records_nothing_and_still_ends() -> None:
    exporter = InMemorySpanExporter()
    tracer = provider_with(exporter, sampler=ALWAYS_OFF).get_tracer("test")
    before = trace.get_current_span()
    span = RequestSpan(tracer, "GetItem", {"TableName": "t"}, None, {})
    span.attempt_failed(1, client_error("ThrottlingException"))
    span.succeeded(2, {"Count": 1})
    assert trace.get_current_span() is before
    assert exporter.get_finished_spans() == ()
