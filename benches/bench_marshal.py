"""Marshaling speed: dynamorm.marshal against boto3, pydynox and orjson.

Every codec works on the same data in the same process. Each row gives the
seconds per operation of dynamorm and of the competitor, and ``ratio`` =
competitor / dynamorm (above 1: dynamorm is faster). orjson dumping and
loading the plain item as JSON text is the floor: no type tags at all.

    .venv/bin/python benches/bench_marshal.py            # after a --release build
    .venv/bin/python benches/bench_marshal.py --repeat 7
"""

from __future__ import annotations

import argparse
import base64
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import orjson
from _timing import best, print_rows, row
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from dynamorm import marshal
from pydynox import pydynox_core

SMALL: dict[str, Any] = {
    "pk": "USER#1",
    "sk": "PROFILE",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "age": 36,
    "score": Decimal("98.25"),
    "active": True,
    "nickname": None,
    "version": 7,
    "created": "2024-05-01T12:00:00.000000000Z",
}

NESTED: dict[str, Any] = {
    "pk": "ORDER#12345",
    "sk": "2024-05-01",
    "status": "shipped",
    "total": Decimal("1234.56"),
    "count": 3,
    "paid": True,
    "coupon": None,
    "blob": b"\x00\x01\x02binary-payload",
    "tags": {"gift", "express", "fragile"},
    "scores": {1, 2, 3, 5, 8},
    "customer": {
        "id": "C-77",
        "name": "Grace Hopper",
        "emails": ["grace@example.com", "g.hopper@example.org"],
        "address": {
            "street": "1 Navy Way",
            "city": "Arlington",
            "zip": "22201",
            "geo": {"lat": Decimal("38.8816"), "lng": Decimal("-77.0910")},
        },
        "vip": False,
        "visits": 42,
    },
    "lines": [
        {"sku": "A-1", "qty": 1, "price": Decimal("9.99"), "opts": ["red", "xl"]},
        {"sku": "B-2", "qty": 2, "price": Decimal("19.5"), "opts": []},
        {"sku": "C-3", "qty": 5, "price": Decimal("0.25"), "opts": ["bulk"]},
    ],
    "history": [
        "created",
        "paid",
        "packed",
        "shipped",
        12345678901234,
        {"at": "2024-05-02", "by": "robot-7"},
    ],
    "thumbs": {b"\x89PNG-1", b"\x89PNG-2"},
    "ratios": [Decimal("0.5"), Decimal("0.25"), Decimal("0.125")],
}


def _plain(value: Any) -> Any:
    """The item as JSON-able data, for the orjson floor."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | frozenset | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _boto_item(convert: Callable[[Any], Any], item: dict[str, Any]) -> dict[str, Any]:
    """A whole item through boto3's one-value converter, as boto3's resource layer does."""
    return {k: convert(v) for k, v in item.items()}


def run(repeat: int = 5) -> list[dict[str, Any]]:
    """Times every comparison; returns rows of name, ours and competitor
    seconds per operation, and ratio = competitor / ours."""
    boto_ser = TypeSerializer()
    boto_de = TypeDeserializer()
    rows: list[dict[str, Any]] = []
    for label, item, number in (("10-attr", SMALL, 20_000), ("nested", NESTED, 4_000)):
        wire = marshal.serialize_item(item)
        pydynox_wire = pydynox_core.item_to_dynamo(item)
        plain = _plain(item)
        text = orjson.dumps(plain)
        assert marshal.deserialize_item(wire) == marshal.deserialize_item(
            {k: boto_ser.serialize(v) for k, v in item.items()}
        )

        ser = best(partial(marshal.serialize_item, item), repeat, number)
        de = best(partial(marshal.deserialize_item, wire), repeat, number)
        boto_s = best(partial(_boto_item, boto_ser.serialize, item), repeat, number)
        boto_d = best(partial(_boto_item, boto_de.deserialize, wire), repeat, number)
        pdx_s = best(partial(pydynox_core.item_to_dynamo, item), repeat, number)
        pdx_d = best(partial(pydynox_core.item_from_dynamo, pydynox_wire), repeat, number)
        orj_s = best(partial(orjson.dumps, plain), repeat, number)
        orj_d = best(partial(orjson.loads, text), repeat, number)

        rows += [
            row(f"{label} serialize vs boto3 TypeSerializer", ser, boto_s),
            row(f"{label} serialize vs pydynox item_to_dynamo", ser, pdx_s),
            row(f"{label} serialize vs orjson.dumps (floor)", ser, orj_s),
            row(f"{label} deserialize vs boto3 TypeDeserializer", de, boto_d),
            row(f"{label} deserialize vs pydynox item_from_dynamo", de, pdx_d),
            row(f"{label} deserialize vs orjson.loads (floor)", de, orj_d),
        ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing; best is kept")
    args = parser.parse_args()
    print_rows(run(args.repeat))


if __name__ == "__main__":
    main()
