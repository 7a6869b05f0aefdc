"""dynamorm._core.MemoryStore (rust/dynamorm-py/src/memory.rs), driven with request
bodies built by botocore's own serializer and answers read by botocore's own parser,
exactly as a client sends and reads them."""

from __future__ import annotations

import json
import threading
from typing import Any

import botocore.session
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from dynamorm import _core

_MODEL = botocore.session.get_session().get_service_model("dynamodb")
_SERIALIZER = create_serializer("json")
_PARSER = create_parser("json")


def _call(store: _core.MemoryStore, operation: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """Sends one request as botocore would, returns (status, parsed answer)."""
    op = _MODEL.operation_model(operation)
    request = _SERIALIZER.serialize_to_request(params, op)
    body = request["body"]
    status, answer = store.handle(operation, body if isinstance(body, bytes) else body.encode())
    response = {"status_code": status, "headers": {}, "body": answer}
    parsed = _PARSER.parse(response, op.output_shape)
    if status >= 300:
        # As botocore's client does: an error's modeled members (Item,
        # CancellationReasons) are read with the error's own shape.
        error_shape = _MODEL.shape_for_error_code(parsed["Error"]["Code"])
        if error_shape is not None:
            parsed.update(_PARSER.parse(response, error_shape))
    parsed.pop("ResponseMetadata", None)
    return status, parsed


def _ok(store: _core.MemoryStore, operation: str, **params: Any) -> dict[str, Any]:
    status, parsed = _call(store, operation, **params)
    assert status == 200, parsed
    return parsed


def _store() -> _core.MemoryStore:
    store = _core.MemoryStore()
    store.set_clock(1_000.0)
    _ok(
        store,
        "CreateTable",
        TableName="orders",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return store


def test_a_created_table_is_described_active_with_its_key_schema() -> None:
    store = _store()
    table = _ok(store, "DescribeTable", TableName="orders")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert _ok(store, "ListTables")["TableNames"] == ["orders"]


def test_a_put_item_reads_back_with_numbers_normalised_and_binary_intact() -> None:
    store = _store()
    item = {
        "pk": {"S": "a"},
        "sk": {"N": "1"},
        "total": {"N": "012.50"},
        "blob": {"B": b"\x00\xff"},
        "tags": {"SS": ["x", "y"]},
    }
    _ok(store, "PutItem", TableName="orders", Item=item)
    got = _ok(store, "GetItem", TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert got["Item"]["total"] == {"N": "12.5"}
    assert got["Item"]["blob"] == {"B": b"\x00\xff"}
    assert sorted(got["Item"]["tags"]["SS"]) == ["x", "y"]


def test_a_query_pages_through_the_partition_in_sort_key_order() -> None:
    store = _store()
    for sk in [5, 3, 10, 1, 7]:
        _ok(store, "PutItem", TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": str(sk)}})
    seen: list[str] = []
    start: dict[str, Any] | None = None
    while True:
        params: dict[str, Any] = {
            "TableName": "orders",
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "a"}},
            "Limit": 2,
        }
        if start is not None:
            params["ExclusiveStartKey"] = start
        page = _ok(store, "Query", **params)
        seen += [i["sk"]["N"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert seen == ["1", "3", "5", "7", "10"]


def test_a_failed_condition_is_a_conditional_check_failed_error_carrying_the_item() -> None:
    store = _store()
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    _ok(store, "PutItem", TableName="orders", Item={**key, "state": {"S": "open"}})
    status, parsed = _call(
        store,
        "UpdateItem",
        TableName="orders",
        Key=key,
        UpdateExpression="SET #s = :closed",
        ConditionExpression="#s = :shipped",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":closed": {"S": "closed"}, ":shipped": {"S": "shipped"}},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert status == 400
    assert parsed["Error"]["Code"] == "ConditionalCheckFailedException"
    assert parsed["Error"]["Message"] == "The conditional request failed"
    assert parsed["Item"]["state"] == {"S": "open"}


def test_a_cancelled_transaction_names_a_reason_per_action_in_order() -> None:
    store = _store()
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    _ok(store, "PutItem", TableName="orders", Item=key)
    status, parsed = _call(
        store,
        "TransactWriteItems",
        TransactItems=[
            {"Put": {"TableName": "orders", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}}}},
            {
                "ConditionCheck": {
                    "TableName": "orders",
                    "Key": key,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ],
    )
    assert status == 400
    assert parsed["Error"]["Code"] == "TransactionCanceledException"
    reasons = parsed["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    missing = _ok(store, "GetItem", TableName="orders", Key={"pk": {"S": "b"}, "sk": {"N": "1"}})
    assert "Item" not in missing


def test_validation_errors_carry_dynamodb_codes_and_messages() -> None:
    store = _store()
    status, parsed = _call(store, "GetItem", TableName="missing", Key={"pk": {"S": "a"}})
    assert (status, parsed["Error"]["Code"]) == (400, "ResourceNotFoundException")
    status, parsed = _call(
        store,
        "Query",
        TableName="orders",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}, ":extra": {"S": "b"}},
    )
    assert parsed["Error"]["Code"] == "ValidationException"
    assert "unused in expressions: keys: {:extra}" in parsed["Error"]["Message"]
    status, answer = store.handle("DescribeLimits", b"{}")
    assert status == 400
    assert json.loads(answer)["__type"].endswith("#UnknownOperationException")


def test_expire_removes_items_past_their_ttl_and_streams_record_it() -> None:
    store = _store()
    _ok(
        store,
        "UpdateTimeToLive",
        TableName="orders",
        TimeToLiveSpecification={"AttributeName": "expires", "Enabled": True},
    )
    for sk, expires in [(1, "900"), (2, "1100")]:
        item = {"pk": {"S": "a"}, "sk": {"N": str(sk)}, "expires": {"N": expires}}
        _ok(store, "PutItem", TableName="orders", Item=item)
    assert store.expire(1_000.0) == 1
    records = json.loads(store.stream_records("orders"))
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT", "REMOVE"]
    assert records[2]["dynamodb"]["Keys"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert records[2]["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert json.loads(store.stream_records("nothing")) == []


def test_a_client_request_token_is_remembered_for_ten_minutes_of_the_store_clock() -> None:
    store = _store()
    params: dict[str, Any] = {
        "ClientRequestToken": "token-1",
        "TransactItems": [
            {
                "Update": {
                    "TableName": "orders",
                    "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}},
                    "UpdateExpression": "ADD hits :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ],
    }
    _ok(store, "TransactWriteItems", **params)
    _ok(store, "TransactWriteItems", **params)
    store.set_clock(1_000.0 + 601)
    _ok(store, "TransactWriteItems", **params)
    got = _ok(store, "GetItem", TableName="orders", Key={"pk": {"S": "c"}, "sk": {"N": "1"}})
    assert got["Item"]["hits"] == {"N": "2"}


def test_concurrent_updates_from_threads_all_land() -> None:
    store = _store()
    body = json.dumps(
        {
            "TableName": "orders",
            "Key": {"pk": {"S": "n"}, "sk": {"N": "1"}},
            "UpdateExpression": "ADD hits :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    ).encode()

    def work() -> None:
        for _ in range(200):
            assert store.handle("UpdateItem", body)[0] == 200

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = _ok(store, "GetItem", TableName="orders", Key={"pk": {"S": "n"}, "sk": {"N": "1"}})
    assert got["Item"]["hits"] == {"N": "800"}
