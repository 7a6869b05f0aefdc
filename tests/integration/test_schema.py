"""Tables created from models, checked against the server's own description."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import tables
from dynamorm.errors import DynamORMError, RequestError, TableNotFoundError, ValidationError
from dynamorm.model import Model
from dynamorm.model.fields import field


def _name() -> str:
    return f"schema-{uuid.uuid4().hex[:10]}"


def _order_model(table: str) -> type[Model]:
    class Order(Model, table=table, _projections={"by-total": ("INCLUDE", ("note",))}):
        customer: str = field(pk=True)
        order_id: str = field(sk=True, attr="orderId")
        status: str = field(default="new", gsi_pk="by-status")
        placed: str | None = field(default=None, gsi_sk="by-status")
        total: Decimal = field(default=Decimal(0), lsi="by-total")
        blob: bytes | None = field(default=None, gsi_pk="by-blob")
        note: str = ""
        expires: int | None = field(ttl=True, default=None, attr="expiresAt")

    return Order


@pytest.fixture
def cleanup(ddb_client: Any) -> Iterator[list[type[Model]]]:
    models: list[type[Model]] = []
    yield models
    for model in models:
        with contextlib.suppress(TableNotFoundError):
            tables.delete_table(ddb_client, model, wait=False)


def _by_name(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["IndexName"]: e for e in entries}


def test_create_table_with_gsi_lsi_and_ttl(ddb_client: Any, cleanup: list[type[Model]]) -> None:
    order = _order_model(_name())
    cleanup.append(order)
    tables.create_table(ddb_client, order)
    table = tables.describe_table(ddb_client, order)
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [
        {"AttributeName": "customer", "KeyType": "HASH"},
        {"AttributeName": "orderId", "KeyType": "RANGE"},
    ]
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    assert types == {
        "customer": "S",
        "orderId": "S",
        "status": "S",
        "placed": "S",
        "total": "N",
        "blob": "B",
    }
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    gsis = _by_name(table["GlobalSecondaryIndexes"])
    assert gsis["by-status"]["KeySchema"] == [
        {"AttributeName": "status", "KeyType": "HASH"},
        {"AttributeName": "placed", "KeyType": "RANGE"},
    ]
    assert gsis["by-status"]["Projection"] == {"ProjectionType": "ALL"}
    assert gsis["by-blob"]["KeySchema"] == [{"AttributeName": "blob", "KeyType": "HASH"}]
    lsi = _by_name(table["LocalSecondaryIndexes"])["by-total"]
    assert lsi["KeySchema"] == [
        {"AttributeName": "customer", "KeyType": "HASH"},
        {"AttributeName": "total", "KeyType": "RANGE"},
    ]
    assert lsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}
    ttl = ddb_client.describe_time_to_live(TableName=order.__dynamorm__.table)
    assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expiresAt"


def test_created_table_accepts_the_models_items(
    ddb_client: Any, cleanup: list[type[Model]]
) -> None:
    order = _order_model(_name())
    cleanup.append(order)
    tables.create_table(ddb_client, order)
    item = order(customer="c1", order_id="o1", total=Decimal("9.5"), blob=b"\x00\x01").to_item()
    ddb_client.put_item(TableName=order.__dynamorm__.table, Item=item)
    got = ddb_client.query(
        TableName=order.__dynamorm__.table,
        IndexName="by-blob",
        KeyConditionExpression="#b = :b",
        ExpressionAttributeNames={"#b": "blob"},
        ExpressionAttributeValues={":b": {"B": b"\x00\x01"}},
    )["Items"]
    assert [order.from_item(i) for i in got] == [order.from_item(item)]


def test_provisioned_billing_uses_default_throughput(
    ddb_client: Any, cleanup: list[type[Model]]
) -> None:
    class Counter(Model, table=_name()):
        id: int = field(pk=True)
        kind: str = field(default="x", gsi_pk="by-kind")

    cleanup.append(Counter)
    tables.create_table(ddb_client, Counter, billing_mode="PROVISIONED", write_capacity=7)
    table = tables.describe_table(ddb_client, Counter)
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"][0] == {"AttributeName": "id", "AttributeType": "N"}
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == tables.DEFAULT_CAPACITY
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    gsi = table["GlobalSecondaryIndexes"][0]
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == tables.DEFAULT_CAPACITY


def test_bad_billing_mode_is_refused_before_any_request(ddb_client: Any) -> None:
    class Thing(Model, table=_name()):
        id: str = field(pk=True)

    with pytest.raises(ValidationError, match="billing_mode"):
        tables.create_table(ddb_client, Thing, billing_mode="ON_DEMAND")
    with pytest.raises(TableNotFoundError):
        tables.describe_table(ddb_client, Thing)


def test_ensure_creates_once_and_delete_removes(ddb_client: Any) -> None:
    class Note(Model, table=_name()):
        id: str = field(pk=True)

    first = tables.ensure_table(ddb_client, Note)
    again = tables.ensure_table(ddb_client, Note)
    assert first["TableName"] == again["TableName"] == Note.__dynamorm__.table
    assert first["CreationDateTime"] == again["CreationDateTime"]
    tables.delete_table(ddb_client, Note)
    with pytest.raises(TableNotFoundError) as info:
        tables.describe_table(ddb_client, Note)
    assert info.value.table == Note.__dynamorm__.table
    assert "Note" in str(info.value)
    assert type(info.value.__cause__).__name__ == "ResourceNotFoundException"
    with pytest.raises(TableNotFoundError):
        tables.delete_table(ddb_client, Note)


def test_create_existing_table_is_a_dynamorm_error_with_cause(
    ddb_client: Any, cleanup: list[type[Model]]
) -> None:
    class Dup(Model, table=_name()):
        id: str = field(pk=True)

    cleanup.append(Dup)
    tables.create_table(ddb_client, Dup)
    with pytest.raises(RequestError, match=r"CreateTable on Dup \(table '.*'\)") as info:
        tables.create_table(ddb_client, Dup)
    assert info.value.code == "ResourceInUseException"
    assert not isinstance(info.value, TableNotFoundError)
    assert info.value.__cause__ is not None


def test_auto_migrate_creates_then_adds_a_gsi_and_ttl(
    ddb_client: Any, cleanup: list[type[Model]]
) -> None:
    table = _name()

    class V1(Model, table=table):
        id: str = field(pk=True)
        email: str = ""

    class V2(Model, table=table, _projections={"by-email": ("KEYS_ONLY", ())}):
        id: str = field(pk=True)
        email: str = field(default="", gsi_pk="by-email")
        expires: datetime | None = field(ttl=True, default=None)

    cleanup.append(V2)
    assert tables.auto_migrate(ddb_client, V1) == [f"created table {table} (V1)"]
    assert tables.auto_migrate(ddb_client, V1) == []
    assert tables.auto_migrate(ddb_client, V2) == [
        f"added GSI by-email to {table}",
        f"enabled TTL on {table}.expires",
    ]
    assert tables.auto_migrate(ddb_client, V2) == []
    described = tables.describe_table(ddb_client, V2)
    gsi = _by_name(described["GlobalSecondaryIndexes"])["by-email"]
    assert gsi["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
    assert gsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    ttl = ddb_client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires")


def test_auto_migrate_refuses_what_it_cannot_change(
    ddb_client: Any, cleanup: list[type[Model]]
) -> None:
    table = _name()

    class Plain(Model, table=table):
        id: str = field(pk=True)
        rank: int = 0

    class WithSort(Model, table=table):
        id: str = field(pk=True)
        rank: int = field(sk=True)

    class WithLsi(Model, table=table):
        id: str = field(pk=True)
        rank: int = field(default=0, lsi="by-rank")

    cleanup.append(Plain)
    tables.auto_migrate(ddb_client, Plain)
    with pytest.raises(DynamORMError, match="key schema"):
        tables.auto_migrate(ddb_client, WithSort)
    with pytest.raises(DynamORMError, match="local secondary index 'by-rank' is missing"):
        tables.auto_migrate(ddb_client, WithLsi)


def test_lsi_without_a_table_sort_key_is_refused(ddb_client: Any) -> None:
    class Flat(Model, table=_name()):
        id: str = field(pk=True)
        rank: int = field(default=0, lsi="by-rank")

    with pytest.raises(ValidationError, match=r"Flat: local secondary index 'by-rank'"):
        tables.create_table(ddb_client, Flat)
