"""How far a filled page's reads reach (``all_paginated(fill=True)``; not part
of the default test run): requests sent and items evaluated over a whole pass
of 200 items paged ``--limit`` matches at a time, for several layouts of the
matching items, with the library's read sizing (``query.fill.read_size``) and
the alternatives it was chosen over:

- ``needed``: each read asks only for the matches still needed;
- ``scaled`` (the library's): the matches still needed scaled by the share
  of matches seen so far, twice the last read while nothing has matched;
- ``scaled x1.5`` / ``scaled x2``: the same with a margin;
- ``whole``: every read after the first takes whole 1 MB pages.

Every pass must return exactly the matching items in order (checked), so the
rows differ only in what they cost. Requests and the read capacity the
server reported are ``db.stats()``'s (moto reports a fixed amount per
request; dynalite computes it from the items' sizes, as DynamoDB does).

    .venv/bin/python benches/fill_reads.py                   # moto
    .venv/bin/python benches/fill_reads.py --server dynalite --limit 10
    .venv/bin/python benches/fill_reads.py --endpoint http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dynamorm import DB, Model, field
from dynamorm.query import reads
from dynamorm.query.fill import read_size

from tests._support.servers import STARTERS, running
from tests.integration.db_models import create_table_for

Sizer = Callable[[int, int, int, int, bool], int]


def needed_only(needed: int, matched: int, evaluated: int, last: int, exact: bool) -> int:
    return needed


def with_margin(margin: float) -> Sizer:
    def size(needed: int, matched: int, evaluated: int, last: int, exact: bool) -> int:
        if matched == 0:
            return last * 2
        return max(needed, -(-int(needed * evaluated * margin) // matched))

    return size


def whole_pages(needed: int, matched: int, evaluated: int, last: int, exact: bool) -> int:
    return 1_000_000  # the 1 MB response cap ends each read first


SIZERS: dict[str, Sizer] = {
    "needed": needed_only,
    "scaled": read_size,
    "scaled x1.5": with_margin(1.5),
    "scaled x2": with_margin(2.0),
    "whole": whole_pages,
}

LAYOUTS: dict[str, Callable[[int], bool]] = {
    "10 % spread": lambda i: i % 10 == 3,
    "1 % spread": lambda i: i % 100 == 42,
    "50 % spread": lambda i: i % 2 == 0,
    "10 % at the end": lambda i: i >= 180,
    "100 %": lambda i: True,
}

ITEMS = 200


def queries(db: DB, model: Any) -> tuple[float, float]:
    """The Query requests sent so far on ``model``'s table and the capacity
    units they consumed."""
    totals = db.stats().get(model.__dynamorm__.table, {}).get("Query", {})
    return totals.get("requests", 0), totals.get("capacity_units", 0.0)


def one_pass(db: DB, model: Any, limit: int) -> tuple[list[str], int, int, float]:
    """Every filled page of the matching items: their keys, the requests
    sent, the items evaluated and the capacity units consumed."""
    requests, units = queries(db, model)
    got: list[str] = []
    evaluated = 0
    cursor = None
    while True:
        page = (
            db.model(model)
            .where("pk", "=", "p")
            .filter("hit", "=", 1)
            .limit(limit)
            .cursor(cursor)
            .all_paginated(fill=True)
        )
        got.extend(item.sk for item in page.items)
        evaluated += page.scanned_count
        if not page.has_more:
            break
        cursor = page.next_cursor
    requests_after, units_after = queries(db, model)
    return got, int(requests_after - requests), evaluated, units_after - units


def run(endpoint: str, server: str, limit: int) -> None:
    db = DB(region_name="us-east-1", endpoint_url=endpoint, return_consumed_capacity="TOTAL")
    print(
        f"{'server':9} {'matches':16} {'read size':12} {'requests':>8} {'evaluated':>9} "
        f"{'units':>6} {'ms':>7}"
    )
    for layout, matches in LAYOUTS.items():

        class Row(Model, table=f"fill-reads-{uuid.uuid4().hex[:8]}"):
            pk: str = field(pk=True)
            sk: str = field(sk=True)
            hit: int = 0
            pad: str = ""

        create_table_for(db.client, Row)
        rows = [
            Row(pk="p", sk=f"s{i:04d}", hit=int(matches(i)), pad="x" * 100) for i in range(ITEMS)
        ]
        db.model(Row).batch_create(rows)
        expected = [row.sk for row in rows if row.hit]
        try:
            for name, sizer in SIZERS.items():
                reads.read_size = sizer  # the name the plan calls
                start = time.perf_counter()
                got, requests, evaluated, units = one_pass(db, Row, limit)
                ms = (time.perf_counter() - start) * 1000
                if got != expected:
                    raise SystemExit(f"{layout} / {name}: the pages did not hold the matches")
                print(
                    f"{server:9} {layout:16} {name:12} {requests:8} {evaluated:9} "
                    f"{units:6.1f} {ms:7.1f}"
                )
        finally:
            reads.read_size = read_size
            db.client.delete_table(TableName=Row.__dynamorm__.table)


@contextlib.contextmanager
def server_for(args: argparse.Namespace) -> Iterator[str]:
    if args.endpoint:
        yield args.endpoint
        return
    with tempfile.TemporaryDirectory() as logs, running(STARTERS[args.server](Path(logs))) as s:
        yield s.endpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=sorted(STARTERS), default="moto")
    parser.add_argument("--endpoint", help="a running server (default: start --server)")
    parser.add_argument("--limit", type=int, default=5, help="matches per page")
    args = parser.parse_args()
    with server_for(args) as endpoint:
        run(endpoint, "endpoint" if args.endpoint else args.server, args.limit)


if __name__ == "__main__":
    main()
