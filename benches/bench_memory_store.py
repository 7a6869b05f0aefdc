"""The in-memory store's cost of answering a 1,000-item Query, beside the client's
cost of decoding that same answer.

Client CPU (``time.process_time``), seconds per operation. The store holds the
1,000 small items of ``bench_fastpath`` in one partition; ``MemoryStore.handle``
answers the Query (key condition, sort order, serialising every item), and the
answer body is then decoded by dynamorm's fast read path (a canned client) and,
as the floor, by ``orjson.loads``.

``ratio`` = decode / handle (above 1: answering costs less than decoding).

    .venv/bin/python benches/bench_memory_store.py      # after a --release build
"""

from __future__ import annotations

import argparse
import json

import orjson
from _timing import best, print_rows, row
from bench_fastpath import N_ITEMS, TABLE, _dynamorm_query, canned_client, wire_items
from dynamorm import DB, _core


def _store() -> _core.MemoryStore:
    store = _core.MemoryStore()
    create = {
        "TableName": TABLE,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    assert store.handle("CreateTable", json.dumps(create).encode())[0] == 200
    for item in wire_items(N_ITEMS):
        body = json.dumps({"TableName": TABLE, "Item": item}).encode()
        assert store.handle("PutItem", body)[0] == 200
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = _store()
    query = json.dumps(
        {
            "TableName": TABLE,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "u1"}},
        }
    ).encode()
    status, body = store.handle("Query", query)
    if status != 200 or json.loads(body)["Count"] != N_ITEMS:
        raise RuntimeError(f"the store answered {status}: {body[:200]!r}")
    decode = _dynamorm_query(DB(client=canned_client(body)))
    if decode() != N_ITEMS:
        raise RuntimeError("the fast path read the wrong number of items")
    t_handle = best(lambda: store.handle("Query", query), args.repeat, 50)
    t_decode = best(decode, args.repeat, 20)
    t_floor = best(lambda: orjson.loads(body), args.repeat, 50)
    print(f"answer body: {len(body):,} bytes for {N_ITEMS:,} items")
    print_rows(
        [
            row("Query 1,000 items: MemoryStore.handle vs fast-path decode", t_handle, t_decode),
            row("Query 1,000 items: MemoryStore.handle vs orjson.loads", t_handle, t_floor),
        ]
    )


if __name__ == "__main__":
    main()
