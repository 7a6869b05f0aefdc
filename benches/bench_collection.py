"""A collection's Query against a single model's (SPEC §17: a collection of
1,000 mixed items into models within 1.2 times a single-model Query of the same
size, same run).

One table on a dynalite server in another process holds two partitions of
1,000 items each, of the same sizes: ``USER#single``, 1,000 orders; and
``USER#mixed``, a user, 600 orders and 399 order lines. Rows give the
client CPU (``time.process_time``) per whole read, best of ``--repeat``
runs taken in turns:

- ``db.model(Order).where(user_id="single").all()`` — one model;
- ``db.collection(User, Order, Line).where(user_id="mixed").all()`` — each
  item read as its own model;

and the same two response bodies decoded alone (``_core.decode_response``,
one schema against the three members'), the part of the read the
collection changes.

    .venv/bin/python benches/bench_collection.py
    .venv/bin/python benches/bench_collection.py --endpoint http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import best
from dynamorm import DB, Model, _core, field

from tests._support.servers import STARTERS, running
from tests.integration.db_models import create_table_for

ITEMS = 1_000


def define(table: str) -> tuple[Any, Any, Any]:
    class User(Model, table=table, entity="user"):
        user_id: str
        name: str = ""
        email: str = ""
        city: str = ""
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="PROFILE")

    class Order(Model, table=table, entity="order"):
        user_id: str
        order_id: str
        status: str = "open"
        total: Decimal = Decimal(0)
        note: str = ""
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ORDER#{order_id}")

    class Line(Model, table=table, entity="line"):
        user_id: str
        order_id: str
        n: int = 0
        sku: str = ""
        price: Decimal = Decimal(0)
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ORDER#{order_id}#LINE#{n:03d}")

    return User, Order, Line


@contextlib.contextmanager
def endpoint(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory() as logs, running(STARTERS["dynalite"](Path(logs))) as s:
        yield s.endpoint


def fill(db: DB, user: Any, order: Any, line: Any) -> None:
    def order_of(owner: str, n: int) -> Any:
        return order(user_id=owner, order_id=f"{n:05d}", total=Decimal(n), note="x" * 20)

    db.model(order).batch_create([order_of("single", n) for n in range(ITEMS)])
    mixed: list[Any] = [order_of("mixed", n) for n in range(600)]
    db.model(order).batch_create(mixed)
    lines = [
        line(user_id="mixed", order_id=f"{n // 3:05d}", n=n % 3, sku=f"sku-{n}", price=Decimal(n))
        for n in range(ITEMS - 601)
    ]
    db.model(line).batch_create(lines)
    db.model(user(user_id="mixed", name="Ada", email="ada@example.com", city="Paris")).create()


def bodies(db: DB, user: Any, order: Any, line: Any) -> tuple[bytes, bytes]:
    """The raw bodies of the two Queries (one request each), as botocore
    receives them (``before-parse``) on botocore's own path."""
    got: list[bytes] = []

    def keep(response_dict: Any, **_: Any) -> None:
        got.append(response_dict["body"])

    raw = DB(client=db.client, fast_path=False)
    hook = "before-parse.dynamodb.Query"
    db.client.meta.events.register(hook, keep)
    try:
        assert len(raw.model(order).where("user_id", "=", "single").all()) == ITEMS
        assert len(raw.collection(user, order, line).where(user_id="mixed").all()) == ITEMS
    finally:
        db.client.meta.events.unregister(hook, keep)
    assert len(got) == 2, "each read must be one request"
    return got[0], got[1]


def paired(
    a: Callable[[], object], b: Callable[[], object], repeat: int, number: int
) -> tuple[float, float]:
    """The best client CPU per call of ``a`` and of ``b``, timed in turns
    (``a``'s run, then ``b``'s, ``repeat`` times), so that the machine's
    drift during the run weighs on both alike."""
    first, second = float("inf"), float("inf")
    for _ in range(repeat):
        first = min(first, best(a, 1, number))
        second = min(second, best(b, 1, number))
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", help="a running server (default: start dynalite)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--number", type=int, default=5)
    args = parser.parse_args()
    with endpoint(args.endpoint) as url:
        db = DB(region_name="us-east-1", endpoint_url=url)
        table = f"bench-coll-{uuid.uuid4().hex[:8]}"
        user, order, line = define(table)
        create_table_for(db.client, user)
        try:
            fill(db, user, order, line)
            single = db.model(order).where("user_id", "=", "single")
            mixed = db.collection(user, order, line).where(user_id="mixed")
            assert len(single.all()) == len(mixed.all()) == ITEMS
            one, many = bodies(db, user, order, line)
            order_schema = order.__dynamorm_codec__.schema
            schemas = [m.__dynamorm_codec__.schema for m in (user, order, line)]
            rows = [
                ("Query, 1,000 items", *paired(single.all, mixed.all, args.repeat, args.number)),
                (
                    "decode alone",
                    *paired(
                        lambda: _core.decode_response(one, "Query", order_schema),
                        lambda: _core.decode_response(many, "Query", schemas),
                        args.repeat,
                        args.number * 4,
                    ),
                ),
            ]
        finally:
            db.client.delete_table(TableName=table)
    print(f"{'client CPU per read':<22} {'one model':>10} {'collection':>11} {'ratio':>6}")
    for name, a, b in rows:
        print(f"{name:<22} {a * 1e3:>8.2f}ms {b * 1e3:>9.2f}ms {b / a:>5.2f}x")
    print(f"body sizes: one model {len(one):,} bytes, collection {len(many):,} bytes")


if __name__ == "__main__":
    main()
