"""Timing helpers shared by the benchmark modules."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any


def best(fn: Callable[[], object], repeat: int, number: int) -> float:
    """Best client-CPU seconds per call over ``repeat`` runs of ``number``
    calls (``time.process_time``: what this process spent, not the server)."""
    result = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            fn()
        result = min(result, (time.process_time() - start) / number)
    return result


def row(name: str, ours: float, theirs: float) -> dict[str, Any]:
    """A comparison row; ``ratio`` = competitor / ours (above 1: we are faster)."""
    return {"name": name, "ours": ours, "competitor": theirs, "ratio": theirs / ours}


def print_rows(rows: Sequence[dict[str, Any]]) -> None:
    """The rows as a plain-text table (µs per operation)."""
    width = max(len(r["name"]) for r in rows)
    print(f"{'comparison':<{width}}  {'dynamorm µs':>11}  {'other µs':>9}  {'ratio':>6}")
    for r in rows:
        print(
            f"{r['name']:<{width}}  {r['ours'] * 1e6:>11.2f}  "
            f"{r['competitor'] * 1e6:>9.2f}  {r['ratio']:>5.1f}x"
        )


def create_pk_sk_table(client: Any, table: str) -> None:
    """Creates ``table`` (string ``pk`` hash key, string ``sk`` range key,
    on-demand) with ``client`` and waits until it exists."""
    client.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.1})
