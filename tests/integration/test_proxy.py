"""The fault-injecting proxy itself: each rule does what it says, every
request is recorded, concurrency is measured. Plain boto3 clients with
botocore's retries off, so each call is exactly one request."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from tests._support.proxy import RESET, FaultProxy
from tests.conftest import client_for


@pytest.fixture
def client(fault_proxy: FaultProxy) -> Any:
    return client_for(fault_proxy.endpoint, retries={"total_max_attempts": 1})


@pytest.fixture
def table(make_table: Callable[..., str]) -> str:
    return make_table()


def key(i: int) -> dict[str, Any]:
    return {"pk": {"S": f"p{i:03d}"}, "sk": {"S": "s"}}


def put(client: Any, table: str, i: int) -> None:
    client.put_item(TableName=table, Item={**key(i), "n": {"N": str(i)}})


def code_of(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def test_forwards_and_records_every_request(
    fault_proxy: FaultProxy, client: Any, table: str
) -> None:
    put(client, table, 1)
    got = client.get_item(TableName=table, Key=key(1))
    assert got["Item"]["n"] == {"N": "1"}
    assert fault_proxy.operations() == ["PutItem", "GetItem"]
    first, second = fault_proxy.requests
    assert first.body["Item"]["n"] == {"N": "1"} and first.status == 200
    assert second.body == {"TableName": table, "Key": key(1)}
    assert first.started <= first.ended <= second.started <= second.ended
    assert first.fault is None and second.fault is None
    # botocore keeps the connection open between requests.
    assert fault_proxy.connections == 1


def test_records_the_access_key_each_request_was_signed_with(
    fault_proxy: FaultProxy, client: Any, table: str
) -> None:
    import boto3
    from botocore import UNSIGNED

    put(client, table, 1)
    other = boto3.client(
        "dynamodb",
        endpoint_url=fault_proxy.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDOTHER",
        aws_secret_access_key="secret",
    )
    other.get_item(TableName=table, Key=key(1))
    unsigned = client_for(fault_proxy.endpoint, signature_version=UNSIGNED)
    # moto answers it; dynalite refuses it (MissingAuthenticationToken).
    with contextlib.suppress(ClientError):
        unsigned.get_item(TableName=table, Key=key(1))
    assert [r.access_key for r in fault_proxy.requests] == ["testing", "AKIDOTHER", None]


def test_records_the_headers_each_request_was_sent_with(
    fault_proxy: FaultProxy, client: Any, table: str
) -> None:
    put(client, table, 1)
    (record,) = fault_proxy.requests
    names = [name.lower() for name, _ in record.headers]
    assert names[0] == "host"
    assert dict(record.headers)["X-Amz-Target"] == "DynamoDB_20120810.PutItem"
    assert {"authorization", "content-length", "x-amz-date"} <= set(names)


def test_damage_checksum_sends_the_answer_with_a_crc32_that_is_not_its_bodys(
    fault_proxy: FaultProxy, client: Any, table: str
) -> None:
    fault_proxy.damage_checksum("GetItem")
    put(client, table, 1)
    first = client.get_item(TableName=table, Key=key(1))
    second = client.get_item(TableName=table, Key=key(1))  # only once
    assert first["Item"] == second["Item"]  # forwarded
    crcs = [r["ResponseMetadata"]["HTTPHeaders"]["x-amz-crc32"] for r in (first, second)]
    assert int(crcs[0]) == int(crcs[1]) ^ 1
    assert [r.fault for r in fault_proxy.requests] == [None, "damage_checksum", None]


def test_throttle_answers_without_forwarding_for_the_given_times(
    fault_proxy: FaultProxy, client: Any, table: str
) -> None:
    fault_proxy.throttle("PutItem", times=2)
    for _ in range(2):
        with pytest.raises(ClientError) as info:
            put(client, table, 1)
        assert code_of(info) == "ProvisionedThroughputExceededException"
    assert "Item" not in client.get_item(TableName=table, Key=key(1))
    put(client, table, 1)
    assert "Item" in client.get_item(TableName=table, Key=key(1))
    assert [r.fault for r in fault_proxy.of("PutItem")] == ["throttle", "throttle", None]
    assert [r.status for r in fault_proxy.of("PutItem")] == [400, 400, 200]


def test_throttle_code_and_any_operation(fault_proxy: FaultProxy, client: Any, table: str) -> None:
    fault_proxy.throttle(code="ThrottlingException", times=None)
    for _ in range(3):
        with pytest.raises(ClientError) as info:
            client.get_item(TableName=table, Key=key(1))
        assert code_of(info) == "ThrottlingException"
    fault_proxy.reset()
    assert fault_proxy.requests == []
    assert "Item" not in client.get_item(TableName=table, Key=key(1))


@pytest.mark.parametrize(
    ("status", "code"), [(500, "InternalServerError"), (503, "ServiceUnavailable")]
)
def test_server_error(
    fault_proxy: FaultProxy, client: Any, table: str, status: int, code: str
) -> None:
    fault_proxy.server_error("GetItem", status=status)
    with pytest.raises(ClientError) as info:
        client.get_item(TableName=table, Key=key(1))
    assert code_of(info) == code
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    client.get_item(TableName=table, Key=key(1))
    assert [r.status for r in fault_proxy.requests] == [status, 200]


def test_reset_before_forwarding_loses_the_request(
    fault_proxy: FaultProxy, client: Any, table: str, ddb_client: Any
) -> None:
    fault_proxy.reset_connection("PutItem")
    with pytest.raises(ConnectionClosedError):
        put(client, table, 1)
    assert "Item" not in ddb_client.get_item(TableName=table, Key=key(1))
    put(client, table, 1)  # a new connection works
    assert "Item" in ddb_client.get_item(TableName=table, Key=key(1))
    assert fault_proxy.connections == 2
    assert [r.fault for r in fault_proxy.requests] == ["reset_connection", None]


def test_reset_after_forwarding_loses_the_answer(
    fault_proxy: FaultProxy, client: Any, table: str, ddb_client: Any
) -> None:
    fault_proxy.reset_connection("PutItem", after=True)
    with pytest.raises(ConnectionClosedError):
        put(client, table, 1)
    assert "Item" in ddb_client.get_item(TableName=table, Key=key(1))


def test_delay(fault_proxy: FaultProxy, client: Any, table: str) -> None:
    fault_proxy.delay("GetItem", 0.3, times=1)
    start = time.monotonic()
    client.get_item(TableName=table, Key=key(1))
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    client.get_item(TableName=table, Key=key(1))
    assert time.monotonic() - start < 0.3
    slow, fast = fault_proxy.requests
    assert slow.ended - slow.started >= 0.3 > fast.ended - fast.started


def test_gather_holds_requests_until_all_have_come_then_forwards_them_together(
    fault_proxy: FaultProxy, table: str
) -> None:
    fault_proxy.gather("GetItem", 3)
    clients = [client_for(fault_proxy.endpoint) for _ in range(3)]

    def read(c: Any, pause: float) -> None:
        time.sleep(pause)
        c.get_item(TableName=table, Key=key(1))

    threads = [threading.Thread(target=read, args=(c, 0.1 * i)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = fault_proxy.of("GetItem")
    # The first was sent 0.2 s before the last (at least 0.1 s before it
    # reached the proxy, on a loaded machine) and was held until it came.
    assert max(r.started for r in records) - min(r.started for r in records) >= 0.1
    assert min(r.ended for r in records) > max(r.started for r in records)
    assert fault_proxy.max_in_flight_of("GetItem") == 3


def test_a_gathered_request_kept_waiting_past_the_timeout_goes_on_alone(
    fault_proxy: FaultProxy, client: Any, table: str
) -> None:
    fault_proxy.gather("GetItem", 2, timeout=0.2)
    start = time.monotonic()
    assert client.get_item(TableName=table, Key=key(1))["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert 0.2 <= time.monotonic() - start < 5


def test_unprocess_keys_holds_back_the_last_keys(
    fault_proxy: FaultProxy, client: Any, table: str, ddb_client: Any
) -> None:
    for i in range(5):
        put(ddb_client, table, i)
    request = {
        table: {
            "Keys": [key(i) for i in range(5)],
            "ProjectionExpression": "#p, n",
            "ExpressionAttributeNames": {"#p": "pk"},
            "ConsistentRead": True,
        }
    }
    fault_proxy.unprocess_keys(2)
    out = client.batch_get_item(RequestItems=request)
    returned = sorted(item["pk"]["S"] for item in out["Responses"][table])
    assert returned == ["p000", "p001", "p002"]
    held = out["UnprocessedKeys"][table]
    assert held["Keys"] == [key(3), key(4)]
    assert held["ProjectionExpression"] == "#p, n" and held["ConsistentRead"] is True
    # The recorded body is what the client sent, all five keys.
    assert len(fault_proxy.requests[0].body["RequestItems"][table]["Keys"]) == 5
    assert fault_proxy.requests[0].fault == "unprocess_keys"
    # The rule fired once: the retry of the held-back keys goes through.
    again = client.batch_get_item(RequestItems={table: held})
    assert len(again["Responses"][table]) == 2 and not again.get("UnprocessedKeys")


def test_unprocess_keys_of_every_key_sends_nothing(
    fault_proxy: FaultProxy, client: Any, table: str
) -> None:
    fault_proxy.unprocess_keys(10)
    out = client.batch_get_item(RequestItems={table: {"Keys": [key(1), key(2)]}})
    assert out["Responses"] == {table: []}
    assert out["UnprocessedKeys"][table]["Keys"] == [key(1), key(2)]


def test_unprocess_items_holds_back_the_last_writes(
    fault_proxy: FaultProxy, client: Any, table: str, ddb_client: Any
) -> None:
    writes = [{"PutRequest": {"Item": {**key(i), "n": {"N": str(i)}}}} for i in range(5)]
    fault_proxy.unprocess_items(2)
    out = client.batch_write_item(RequestItems={table: writes})
    assert out["UnprocessedItems"] == {table: writes[3:]}
    stored = ddb_client.scan(TableName=table)["Items"]
    assert sorted(item["pk"]["S"] for item in stored) == ["p000", "p001", "p002"]
    out = client.batch_write_item(RequestItems=out["UnprocessedItems"])
    assert not out.get("UnprocessedItems")
    assert ddb_client.scan(TableName=table)["Count"] == 5


def test_reorder_items_reverses_responses(fault_proxy: FaultProxy, table: str) -> None:
    # Servers return batch items in any order; a second proxy in front of this
    # one answers in a fixed order so the reversal can be seen.
    fixed = [key(i) for i in range(6)]
    fault_proxy.custom(lambda op, body: (200, {"Responses": {table: fixed}}))
    with FaultProxy(fault_proxy.endpoint) as front:
        client = client_for(front.endpoint)
        request = {table: {"Keys": fixed}}
        assert client.batch_get_item(RequestItems=request)["Responses"][table] == fixed
        front.reorder_items(times=2)
        for _ in range(2):
            out = client.batch_get_item(RequestItems=request)
            assert out["Responses"][table] == fixed[::-1]
        assert client.batch_get_item(RequestItems=request)["Responses"][table] == fixed
        assert [r.fault for r in front.requests] == [None, "reorder_items", "reorder_items", None]


def test_transaction_cancel(fault_proxy: FaultProxy, client: Any, table: str) -> None:
    fault_proxy.transaction_cancel(["None", "ConditionalCheckFailed"])
    items = [{"Put": {"TableName": table, "Item": key(i)}} for i in range(2)]
    with pytest.raises(ClientError) as info:
        client.transact_write_items(TransactItems=items)
    assert code_of(info) == "TransactionCanceledException"
    reasons = info.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert "[None, ConditionalCheckFailed]" in info.value.response["Error"]["Message"]
    assert fault_proxy.requests[0].fault == "transaction_cancel"


def test_custom_hook(fault_proxy: FaultProxy, client: Any, table: str) -> None:
    seen: list[str] = []

    def hook(operation: str, body: dict[str, Any]) -> Any:
        seen.append(operation)
        if body.get("Key") == key(7):
            return 200, {"Item": {**key(7), "made": {"S": "up"}}}
        if body.get("Key") == key(8):
            return RESET
        return None

    fault_proxy.custom(hook, operation="GetItem")
    assert client.get_item(TableName=table, Key=key(7))["Item"]["made"] == {"S": "up"}
    with pytest.raises(ConnectionClosedError):
        client.get_item(TableName=table, Key=key(8))
    assert "Item" not in client.get_item(TableName=table, Key=key(9))
    put(client, table, 1)
    assert seen == ["GetItem", "GetItem", "GetItem"]
    assert [r.fault for r in fault_proxy.requests] == ["custom", "custom", None, None]


def test_max_in_flight(fault_proxy: FaultProxy, table: str) -> None:
    fault_proxy.delay("GetItem", 0.4)
    clients = [client_for(fault_proxy.endpoint) for _ in range(4)]
    start = threading.Barrier(4)

    def read(c: Any) -> None:
        start.wait()
        c.get_item(TableName=table, Key=key(1))

    threads = [threading.Thread(target=read, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fault_proxy.max_in_flight == 4
    assert fault_proxy.max_in_flight_of("GetItem") == 4
    assert fault_proxy.max_in_flight_of("PutItem") == 0
    put(clients[0], table, 1)
    assert fault_proxy.max_in_flight_of("PutItem") == 1
