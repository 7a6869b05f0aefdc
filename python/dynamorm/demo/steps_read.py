"""Demo steps: a parallel batch get with progress, pagination, a stream record."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from dynamorm.batch.options import BatchWriteOptions
from dynamorm.db import DB
from dynamorm.demo.checks import Checks, ProgressBar
from dynamorm.demo.models import Models
from dynamorm.errors import ValidationError
from dynamorm.streams import unmarshal_stream_record

__all__ = ["batch_get", "pagination", "stream_record"]

ORDERS = 1000
CUSTOMERS = 4


def _order(m: Models, i: int) -> Any:
    return m.Order(
        customer=f"c{i % CUSTOMERS}",
        order_id=f"o{i:04d}",
        total=Decimal(i) / 4,
        tags={"demo", f"n{i % 3}"},
        receipt=i.to_bytes(2, "big"),
    )


def batch_get(checks: Checks, db: DB, m: Models) -> None:
    """1,000 items written in batches, read back in parallel with a progress bar."""
    checks.step(f"Batch get: {ORDERS:,} keys, in parallel, with a progress bar")
    orders = [_order(m, i) for i in range(ORDERS)]
    db.model(m.Order).batch_create(orders, BatchWriteOptions(parallel=True, max_concurrency=8))
    checks.say(f"wrote {ORDERS:,} orders with batch_create (chunks of 25, 8 in flight)")
    keys = [(o.customer, o.order_id) for o in reversed(orders)]
    bar = ProgressBar()
    checks.say("db.model(Order).batch_get_builder().keys(keys).parallel(8).on_progress(bar)")
    got = db.model(m.Order).batch_get_builder().keys(keys).parallel(8).on_progress(bar).execute()
    bar.finish()
    checks.check(f"all {ORDERS:,} items came back", len(got) == ORDERS, f"{len(got)}")
    in_order = [(o.customer, o.order_id) for o in got] == keys
    checks.check("in the order of the keys asked for", in_order)
    checks.check("they equal what was written", got == list(reversed(orders)))
    last = bar.updates[-1] if bar.updates else (0, 0)
    checks.check("the progress bar reached the end", last == (ORDERS, ORDERS), f"{last}")


def pagination(checks: Checks, db: DB, m: Models) -> None:
    """A query read page by page with cursors; a broken cursor is refused."""
    checks.step("Paginated query: pages of 100, continued with cursors")
    expected = [f"o{i:04d}" for i in range(0, ORDERS, CUSTOMERS)]
    query = db.model(m.Order).where("customer", "=", "c0").limit(100)
    page = query.all_paginated()
    seen = [o.order_id for o in page.items]
    pages = 1
    while page.has_more:
        assert page.next_cursor is not None
        checks.say(f"page {pages}: {page.count} items, next cursor {page.next_cursor[:40]}...")
        page = (
            db.model(m.Order)
            .where("customer", "=", "c0")
            .limit(100)
            .cursor(page.next_cursor)
            .all_paginated()
        )
        seen.extend(o.order_id for o in page.items)
        pages += 1
    checks.say(f"page {pages}: {page.count} items, no cursor: the last page")
    checks.check(f"all {len(expected)} orders of c0, in sort-key order", seen == expected)
    checks.check("in 3 pages", pages == 3, f"{pages} pages")
    token = query.all_paginated().next_cursor or ""
    truncated = token[: len(token) // 2]
    checks.raises(
        "a truncated cursor is refused before sending",
        ValidationError,
        lambda: db.model(m.Order).where("customer", "=", "c0").cursor(truncated).all(),
    )


def _as_lambda_json(value: Any) -> Any:
    """An image as Lambda delivers it: JSON, binary values as base64 text."""

    def default(obj: Any) -> Any:
        if isinstance(obj, bytes):
            return base64.b64encode(obj).decode()
        raise TypeError(f"not JSON: {obj!r}")

    return json.loads(json.dumps(value, default=default))


def stream_record(checks: Checks, db: DB, m: Models) -> None:
    """A Lambda-style stream record read into the model."""
    checks.step("Streams: a Lambda stream record read into a model")
    order = db.model(m.Order).where("customer", "=", "c1").where("order_id", "=", "o0001").first()
    old = order.to_item()
    order.total += 1
    order.tags.add("changed")
    new = order.to_item()
    record = _as_lambda_json(
        {
            "eventName": "MODIFY",
            "dynamodb": {
                "Keys": {"customer": new["customer"], "order_id": new["order_id"]},
                "OldImage": old,
                "NewImage": new,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
    )
    checks.say(f"NewImage as Lambda sends it: {json.dumps(record['dynamodb']['NewImage'])}")
    got = unmarshal_stream_record(record, m.Order)
    before = unmarshal_stream_record(record, m.Order, image="OldImage")
    checks.say(f"unmarshal_stream_record(record, Order) -> {got!r}")
    checks.check("the new image equals the changed order", got == order)
    checks.check("binary came back as bytes", got is not None and got.receipt == b"\x00\x01")
    checks.check("the old image has the old total", before is not None and before.total == 0.25)
    removed = {"eventName": "REMOVE", "dynamodb": {"Keys": record["dynamodb"]["Keys"]}}
    keys_only = unmarshal_stream_record(removed, m.Order, image="Keys")
    checks.check(
        "a REMOVE record has no new image", unmarshal_stream_record(removed, m.Order) is None
    )
    checks.check(
        "its Keys image names the order", keys_only is not None and keys_only.order_id == "o0001"
    )
