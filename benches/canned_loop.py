"""A fixed loop of canned requests on a ``DB``-made client, for timing whole
processes (two builds against each other: run it under each, in turn)::

    /usr/bin/time -f "%U %S" .venv/bin/python benches/canned_loop.py get
    /usr/bin/time -f "%U %S" .venv/bin/python benches/canned_loop.py write

``get``: 6,000 GetItems into models; ``write``: 2,500 batch writes of 25
items. No server: the answers are canned (``bench_fastpath.canned_client``),
so only client CPU is measured.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_fastpath as fastpath


def workload(name: str) -> tuple[Callable[[], object], int]:
    """The call to repeat, and how many times."""
    if name == "get":
        db = fastpath._own_db(json.dumps({"Item": fastpath.wire_items(1)[0]}).encode(), True)
        query = db.model(fastpath.Small).where("pk", "=", "u1").where("sk", "=", "s00000")
        return query.first, 6000
    if name == "write":
        db = fastpath._own_db(b'{"UnprocessedItems": {}}', True)
        puts = [fastpath.Small(pk="u1", sk=f"s{i:05d}", n=i, name=f"name {i}") for i in range(25)]
        return (lambda: db.model(fastpath.Small).batch_write(puts=puts)), 2500
    raise SystemExit(f"usage: {sys.argv[0]} get|write")


def main() -> None:
    fn, times = workload(sys.argv[1] if len(sys.argv) > 1 else "")
    for _ in range(times):
        fn()


if __name__ == "__main__":
    main()
