"""The asyncio API's speed, against dynalite: ``AsyncDB`` against pydynox's
async get, the blocking ``DB``, and aiobotocore.

Reads (µs per call, the best of ``--repeat`` rounds after a warm-up round;
CPU is ``time.process_time()`` of this whole process, every thread
included, so pydynox's tokio threads count; dynalite's does not):

- ``AsyncDB first()``: ``await db.model(Small).where(pk).where(sk).first()``
  — a GetItem into a model — ``--n`` at once on one event loop, for each
  pool size in ``--limits`` (``Config(max_pool_connections=)``), and
  ``--sequential`` one after another;
- pydynox's ``await Model.get`` the same ways;
- the blocking ``DB``'s ``first()``, one after another;
- aiobotocore's ``get_item`` with ``TypeDeserializer``, measured by
  ``aiobotocore_get.py`` in the virtualenv ``--aiobotocore-python`` names
  (its botocore pin conflicts with the project's).

Batch: a ``--batch``-key batch get into models with 8 chunks in flight
(``BatchGetOptions(parallel=True, max_concurrency=8)``), by ``AsyncDB`` and
by ``DB``: wall and CPU seconds for the whole batch.

    .venv/bin/python benches/bench_async.py
    .venv/bin/python benches/bench_async.py --aiobotocore-python /tmp/abc-venv/bin/python
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from _async_timing import measure
from async_http_clients import Live, live_table, pydynox_get
from bench_async_http import Measured, _sync, aiobotocore_rows, machine, print_rows
from bench_batch import _seed
from botocore.config import Config
from dynamorm import DB, AsyncDB, BatchGetOptions, Model, RetryPolicy, field

POLICY = RetryPolicy(max_retries=10, initial_delay=0.01)


def async_db(live: Live, pool: int) -> AsyncDB:
    return AsyncDB(
        region_name="us-east-1",
        endpoint_url=live.endpoint,
        config=Config(max_pool_connections=pool),
        retry_policy=POLICY,
    )


async def read_rows(live: Live, args: argparse.Namespace) -> list[Measured]:
    """``AsyncDB first()`` at each pool size, then pydynox's async get."""
    rows = []
    for pool in args.limits:
        async with async_db(live, pool) as db:

            def get(db: AsyncDB = db) -> Any:
                return (
                    db.model(live.model).where("pk", "=", "u1").where("sk", "=", "s00007").first()
                )

            cpu, wall = await measure(get, args.n, True, args.repeat, args.gc_freeze)
            rows.append(Measured("AsyncDB first()", f"{args.n} concurrent", pool, cpu, wall))
            if pool == args.limits[0]:
                cpu, wall = await measure(get, args.sequential, False, args.repeat, args.gc_freeze)
                rows.append(
                    Measured("AsyncDB first()", f"{args.sequential} sequential", pool, cpu, wall)
                )
    pydynox = pydynox_get(live.endpoint, live.table)
    cpu, wall = await measure(pydynox, args.n, True, args.repeat, args.gc_freeze)
    rows.append(Measured("pydynox await Model.get", f"{args.n} concurrent", None, cpu, wall))
    cpu, wall = await measure(pydynox, args.sequential, False, args.repeat, args.gc_freeze)
    rows.append(
        Measured("pydynox await Model.get", f"{args.sequential} sequential", None, cpu, wall)
    )
    return rows


def sync_row(live: Live, args: argparse.Namespace) -> Measured:
    """The blocking ``DB``'s ``first()``, one call after another."""
    query = live.db.model(live.model).where("pk", "=", "u1").where("sk", "=", "s00007")
    n = args.sequential
    return Measured("DB first()", f"{n} sequential", 10, *_sync(query.first, n, args.repeat))


def batch_rows(live: Live, args: argparse.Namespace) -> list[tuple[str, float, float]]:
    """``(name, wall s, CPU s)`` of the batch get by ``DB`` and ``AsyncDB``."""
    table = f"bench-async-batch-{uuid.uuid4().hex[:8]}"
    raw = _seed(live.db.client, table, args.batch)
    pairs = [(k["pk"]["S"], k["sk"]["S"]) for k in raw]

    class Row(Model, table=table):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        n: int = 0

    options = BatchGetOptions(parallel=True, max_concurrency=8, retry_policy=POLICY)
    config = Config(max_pool_connections=16)
    db = DB(region_name="us-east-1", endpoint_url=live.endpoint, config=config)

    def best(run: Callable[[], int]) -> tuple[float, float]:
        wall = cpu = float("inf")
        for done in range(args.repeat + 1):
            w0, c0 = time.perf_counter(), time.process_time()
            count = run()
            w1, c1 = time.perf_counter(), time.process_time()
            if count != args.batch:
                raise RuntimeError(f"read {count} items, expected {args.batch}")
            if done:
                wall, cpu = min(wall, w1 - w0), min(cpu, c1 - c0)
        return wall, cpu

    rows = [("DB batch_get, parallel 8", *best(lambda: len(_sync_batch(db, Row, pairs, options))))]
    adb = AsyncDB(region_name="us-east-1", endpoint_url=live.endpoint, config=config)
    loop = asyncio.new_event_loop()
    try:
        read = adb.model(Row).batch_get_with_options
        rows.append(
            (
                "AsyncDB batch_get, parallel 8",
                *best(lambda: len(loop.run_until_complete(read(pairs, options)))),
            )
        )
        loop.run_until_complete(adb.close())
    finally:
        loop.close()
    live.db.client.delete_table(TableName=table)
    return rows


def _sync_batch(db: DB, model: Any, pairs: list[Any], options: BatchGetOptions) -> list[Any]:
    return db.model(model).batch_get_with_options(pairs, options)


def ratio(rows: list[Measured], name: str, mode: str, pool: int | None = None) -> float | None:
    """The best CPU µs per call of the rows named ``name`` in ``mode``."""
    found = [
        r.cpu
        for r in rows
        if r.client == name and r.mode.endswith(mode) and (pool is None or r.pool == pool)
    ]
    return min(found) * 1e6 if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="concurrent calls per round")
    parser.add_argument("--sequential", type=int, default=300, help="sequential calls per round")
    parser.add_argument("--limits", default="10,50,100", help="pool sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="measured rounds (best kept)")
    parser.add_argument("--batch", type=int, default=10_000, help="keys of the batch get")
    parser.add_argument("--aiobotocore-python", help="a python with aiobotocore installed")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.collect() and gc.freeze() after each warm-up round (every client alike)",
    )
    args = parser.parse_args()
    args.limits = [int(x) for x in args.limits.split(",")]
    for line in machine():
        print(line)
    with live_table() as live:
        rows = asyncio.run(read_rows(live, args))
        rows.append(sync_row(live, args))
        if args.aiobotocore_python:
            rows.extend(aiobotocore_rows(live, args))
        batch = batch_rows(live, args)
    print_rows(rows)
    ours = ratio(rows, "AsyncDB first()", "concurrent")
    print(f"\nCPU per call, {args.n:,} concurrent GetItems (best pool each):")
    for name, mode in [
        ("pydynox await Model.get", "concurrent"),
        ("DB first()", "sequential"),
        ("aiobotocore get_item + TypeDeserializer", "concurrent"),
    ]:
        theirs = ratio(rows, name, mode)
        if ours is not None and theirs is not None:
            print(
                f"  AsyncDB {ours:.0f} µs vs {name} ({mode}) {theirs:.0f} µs: {ours / theirs:.2f}x"
            )
    print(f"\n{args.batch:,}-key batch get into models, 8 chunks in flight:")
    for name, wall, cpu in batch:
        print(f"  {name:32} wall {wall:.3f} s  CPU {cpu:.3f} s")
    (_, sync_wall, sync_cpu), (_, async_wall, async_cpu) = batch
    print(f"  AsyncDB / DB: wall {async_wall / sync_wall:.2f}x, CPU {async_cpu / sync_cpu:.2f}x")


if __name__ == "__main__":
    main()
