"""Items built by dynamorm.marshal are stored and read back by a real server."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from dynamorm.marshal import deserialize_item, serialize_item

ITEM: dict[str, Any] = {
    "pk": "ORDER#1",
    "sk": "2024-05-01",
    "count": 3,
    "big": 12345678901234567890123456789012345678,
    "tiny": Decimal("1E-130"),
    "price": Decimal("19.99"),
    "ratio": 0.25,
    "paid": True,
    "coupon": None,
    "blob": b"\x00\x01\xff",
    "tags": {"gift", "express"},
    "scores": {1, 2, Decimal("3.5")},
    "thumbs": {b"a", b"b"},
    "lines": [{"sku": "A-1", "qty": 1}, ["nested", 2], []],
    "meta": {"empty": {}, "deep": {"deeper": {"deepest": "yes"}}},
}


def test_put_and_get_round_trip(ddb_client: Any, make_table: Callable[..., str]) -> None:
    table = make_table()
    ddb_client.put_item(TableName=table, Item=serialize_item(ITEM))
    got = ddb_client.get_item(
        TableName=table, Key=serialize_item({"pk": ITEM["pk"], "sk": ITEM["sk"]})
    )["Item"]
    back = deserialize_item(got)
    assert back == ITEM
    assert type(back["count"]) is int
    assert type(back["big"]) is int
    assert type(back["price"]) is Decimal
    assert type(back["blob"]) is bytes
