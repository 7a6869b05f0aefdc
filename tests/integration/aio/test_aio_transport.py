"""The asyncio transport's direct path (``dynamorm.aio.transport``): a
request of a ``DB``-made client goes out over aiohttp from the event loop,
with the bytes and headers the sync direct path sends, and its answer is
read as that path reads it — items decoded into models, an error answer's
``ClientError`` with its modelled members, the crc32 and shape checks.
Requests are built by the ``DB``'s executor and sent through
``AioTransport(db._executor.transport)``, against the test server (through
the fault proxy where the test needs to see or change the exchange)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ChecksumError, ClientError
from dynamorm.errors import MalformedResponseError
from dynamorm.transport.base import DECODED, Target

from tests._support.proxy import FaultProxy
from tests.integration.aio.transport_support import (
    Ways,
    aio,
    direct_db,
    get_request,
    put_request,
)


def test_a_getitem_goes_out_directly_and_decodes_into_the_model(
    stored: Any, ways: Ways, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint)
    response = asyncio.run(aio(db).send(get_request(db, stored)))
    assert response.status == 200
    assert response.parsed["Item"] == stored(pk="a", n=7)
    assert response.parsed[DECODED] is True
    assert response.parsed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ways.direct == 1 and ways.threads == []
    assert fault_proxy.operations() == ["GetItem"]


def test_a_getitem_of_no_item_answers_without_one(Note: Any, ways: Ways, ddb_endpoint: str) -> None:
    db = direct_db(ddb_endpoint)
    response = asyncio.run(aio(db).send(get_request(db, Note, "missing")))
    assert "Item" not in response.parsed
    assert ways.direct == 1 and ways.threads == []


def test_a_putitem_is_stored_and_a_query_reads_it_back_into_models(
    Note: Any, ways: Ways, ddb_endpoint: str
) -> None:
    db = direct_db(ddb_endpoint)
    transport = aio(db)
    table = Note.__dynamorm__.table
    query = db._executor.request(
        "Query",
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :a",
            "ExpressionAttributeValues": {":a": {"S": "b"}},
        },
        Target(Note, table),
    )

    async def main() -> Any:
        await transport.send(put_request(db, Note(pk="b", n=3)))
        return await transport.send(query)

    response = asyncio.run(main())
    assert response.parsed["Items"] == [Note(pk="b", n=3)]
    assert response.parsed["Count"] == 1
    assert ways.direct == 2 and ways.threads == []
    assert db.model(Note).where("pk", "=", "b").first() == Note(pk="b", n=3)


def test_the_request_carries_the_headers_the_sync_direct_path_sends(
    stored: Any, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint)
    request = get_request(db, stored)
    db._executor.transport.send(request)
    asyncio.run(aio(db).send(request))
    sync, awaited = fault_proxy.requests
    # The signature and its timestamp differ from one second to the next.
    varying = {"authorization", "x-amz-date"}

    def fixed(headers: list[tuple[str, str]]) -> dict[str, str]:
        return {name.lower(): value for name, value in headers if name.lower() not in varying}

    assert fixed(awaited.headers) == fixed(sync.headers)
    assert fixed(awaited.headers)["host"] == fault_proxy.endpoint.removeprefix("http://")
    assert fixed(awaited.headers)["accept-encoding"] == "identity"
    assert "accept" not in fixed(awaited.headers)
    (authorization,) = (v for k, v in awaited.headers if k.lower() == "authorization")
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-target," in authorization
    assert awaited.body == sync.body


@pytest.mark.moto_only(
    reason="dynalite ignores ReturnValuesOnConditionCheckFailure=ALL_OLD (no item on failure)"
)
def test_a_failed_condition_is_the_client_error_with_the_item_it_returned(
    stored: Any, ways: Ways, ddb_endpoint: str
) -> None:
    db = direct_db(ddb_endpoint)
    request = put_request(
        db,
        stored(pk="a", n=8),
        ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    with pytest.raises(ClientError) as info:
        asyncio.run(aio(db).send(request))
    assert info.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert info.value.response["Item"] == {"pk": {"S": "a"}, "n": {"N": "7"}}
    assert info.value.operation_name == "PutItem"
    assert ways.direct == 1 and ways.threads == []


def test_a_cancelled_transaction_is_the_client_error_with_its_cancellation_reasons(
    stored: Any, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint)
    table = stored.__dynamorm__.table
    fault_proxy.transaction_cancel(["ConditionalCheckFailed", "None"])
    request = db._executor.request(
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": table, "Item": stored(pk="x").to_item()}},
                {"Put": {"TableName": table, "Item": stored(pk="y").to_item()}},
            ]
        },
        Target(stored, table),
    )
    with pytest.raises(ClientError) as info:
        asyncio.run(aio(db).send(request))
    error = info.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in error["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_an_answer_whose_crc32_is_not_its_bodys_raises_checksum_error(
    stored: Any, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint)
    fault_proxy.damage_checksum("GetItem")
    transport = aio(db)

    async def main() -> Any:
        with pytest.raises(ChecksumError):
            await transport.send(get_request(db, stored))
        return await transport.send(get_request(db, stored))  # the next is whole

    assert asyncio.run(main()).parsed["Item"] == stored(pk="a", n=7)


@pytest.mark.parametrize(
    "body",
    [b'{"Item": {"pk": {"S": "a"}, "n"', b"<html>502 Bad Gateway</html>", b""],
    ids=["truncated", "not-json", "empty"],
)
def test_a_2xx_answer_that_is_not_the_operations_shape_raises_malformed_response_error(
    stored: Any, fault_proxy: FaultProxy, body: bytes
) -> None:
    db = direct_db(fault_proxy.endpoint)
    fault_proxy.custom(lambda operation, _: (200, body), operation="GetItem")
    with pytest.raises(MalformedResponseError) as info:
        asyncio.run(aio(db).send(get_request(db, stored)))
    assert "GetItem on Note" in str(info.value)


def test_aiohttp_is_imported_by_the_first_direct_send_and_not_before(
    stored: Any, ddb_endpoint: str
) -> None:
    code = (
        "import asyncio, sys\n"
        "from dynamorm import DB, Model, field\n"
        "from dynamorm.aio.transport import AioTransport\n"
        "from dynamorm.transport.base import Target\n"
        f"class Note(Model, table={stored.__dynamorm__.table!r}):\n"
        "    pk: str = field(pk=True)\n"
        "    n: int = 0\n"
        f"db = DB(region_name='us-east-1', endpoint_url={ddb_endpoint!r})\n"
        "transport = AioTransport(db._executor.transport)\n"
        "before = 'aiohttp' in sys.modules\n"
        "request = db._executor.request('GetItem', {'TableName': Note.__dynamorm__.table,\n"
        "    'Key': {'pk': {'S': 'a'}}}, Target(Note, Note.__dynamorm__.table))\n"
        "item = asyncio.run(transport.send(request)).parsed['Item']\n"
        "print(before, 'aiohttp' in sys.modules, item.n)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert out == ["False", "True", "7"]
