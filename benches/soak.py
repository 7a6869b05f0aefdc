"""One-off soak: RSS must not grow while the core runs for a long time.

Runs 1,000,000 serialize/deserialize round trips and 1,000,000 condition
compiles, measuring resident memory after a warm-up and at the end. Not part
of the default test run:

    .venv/bin/python benches/soak.py            # 1,000,000 of each
    .venv/bin/python benches/soak.py --n 100000 # shorter

Exits non-zero if RSS grew by 5 % or more after warm-up.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from decimal import Decimal
from typing import Any

from dynamorm import expr, marshal

PAGE = os.sysconf("SC_PAGE_SIZE")

ITEM: dict[str, Any] = {
    "pk": "USER#1",
    "sk": "PROFILE",
    "n": 12345678901234567890,
    "d": Decimal("3.14159"),
    "f": 2.5,
    "b": b"\x00\x01binary",
    "flag": True,
    "none": None,
    "tags": {"a", "b", "c"},
    "nums": {1, 2, 3},
    "list": [1, "two", {"three": 3}, [4.5]],
    "map": {"nested": {"deeper": ["x", "y"], "count": 7}},
}

CLAUSES: list[tuple[str, str, Any]] = [
    ("status", "=", "active"),
    ("age", ">=", 21),
    ("address.city", "begins_with", "San"),
    ("score", "between", (10, 20)),
    ("tags", "contains", "vip"),
]


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def round_trips(n: int) -> None:
    for _ in range(n):
        marshal.deserialize_item(marshal.serialize_item(ITEM))


def compiles(n: int) -> None:
    for _ in range(n):
        expr.compile_condition(CLAUSES)


def soak(name: str, fn: Any, n: int) -> float:
    warm = max(n // 10, 1)
    fn(warm)
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    fn(n)
    elapsed = time.perf_counter() - start
    gc.collect()
    after = rss_bytes()
    growth = (after - before) / before * 100
    print(
        f"{name:<32} n={n:>9,}  {elapsed:7.1f} s  RSS {before / 2**20:7.1f} MiB -> "
        f"{after / 2**20:7.1f} MiB  growth {growth:+.2f} %"
    )
    return growth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    worst = max(
        soak("serialize/deserialize round trip", round_trips, args.n),
        soak("compile 5-clause condition", compiles, args.n),
    )
    ok = worst < 5.0
    print("OK: RSS growth under 5 %" if ok else "FAIL: RSS grew by 5 % or more")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
