"""Batch get speed: 10,000 small items read into models, against dynalite.

dynamorm sequential and parallel (4 and 8 chunks in flight) on botocore's
own response parser (``fast_path=False``: the path the issue's target is set
on), the same on the fast read path where the ``DB`` has one, a plain boto3
loop of ``batch_get_item`` chunks decoded with ``TypeDeserializer``, and
pydynox's ``Model.sync_batch_get``. Each row gives wall seconds and client
CPU seconds (``time.process_time``: every thread of this process) for the
whole batch; ``ratio`` is the boto3 loop's wall time over the row's.

    .venv/bin/python benches/bench_batch.py                 # starts dynalite
    .venv/bin/python benches/bench_batch.py --endpoint http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import create_pk_sk_table
from dynamorm import DB, BatchGetOptions, Model, RetryPolicy, field

N_ITEMS = 10_000


def _client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=16),
    )


@contextlib.contextmanager
def _server(endpoint: str | None) -> Iterator[str]:
    if endpoint:
        yield endpoint
        return
    from tests._support.servers import running, start_dynalite

    with tempfile.TemporaryDirectory() as logs, running(start_dynalite(Path(logs))) as s:
        yield s.endpoint


def _seed(client: Any, table: str, n: int) -> list[dict[str, Any]]:
    create_pk_sk_table(client, table)
    keys = [{"pk": {"S": f"u{i % 100}"}, "sk": {"S": f"s{i:05d}"}} for i in range(n)]
    requests = [{"PutRequest": {"Item": {**k, "n": {"N": str(i)}}}} for i, k in enumerate(keys)]
    for start in range(0, n, 25):
        pending = {table: requests[start : start + 25]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending)["UnprocessedItems"]
    return keys


def _time(fn: Callable[[], int], repeat: int) -> tuple[float, float]:
    """The best wall and CPU seconds of ``repeat`` runs (each must read N_ITEMS)."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        count = fn()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if count != N_ITEMS:
            raise RuntimeError(f"read {count} items, expected {N_ITEMS}")
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def run(repeat: int = 3, endpoint: str | None = None) -> list[dict[str, Any]]:
    """Times every reader; rows of name, wall, cpu (seconds for the batch),
    cpu_per_item (µs) and ratio = boto3 wall / this wall."""
    with _server(endpoint) as url:
        client = _client(url)
        table = f"bench-batch-{uuid.uuid4().hex[:8]}"
        raw_keys = _seed(client, table, N_ITEMS)
        try:
            return _measure(url, client, table, raw_keys, repeat)
        finally:
            client.delete_table(TableName=table)


def _measure(
    url: str, client: Any, table: str, raw_keys: list[dict[str, Any]], repeat: int
) -> list[dict[str, Any]]:
    class Row(Model, table=table):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        n: int = 0

    policy = RetryPolicy(max_retries=10, initial_delay=0.01)
    has_fast_path = "fast_path" in inspect.signature(DB).parameters
    plain_db = DB(
        client=client, retry_policy=policy, **({"fast_path": False} if has_fast_path else {})
    )
    pairs = [(k["pk"]["S"], k["sk"]["S"]) for k in raw_keys]
    de = TypeDeserializer()

    def dynamorm(parallel: int, db: DB = plain_db) -> Callable[[], int]:
        opts = BatchGetOptions(
            parallel=parallel > 1, max_concurrency=max(parallel, 1), retry_policy=policy
        )
        return lambda: len(db.model(Row).batch_get_with_options(pairs, opts))

    def boto3_loop() -> int:
        out: list[dict[str, Any]] = []
        for start in range(0, len(raw_keys), 100):
            request = {table: {"Keys": raw_keys[start : start + 100]}}
            while request:
                resp = client.batch_get_item(RequestItems=request)
                for item in resp["Responses"].get(table, ()):
                    out.append({k: de.deserialize(v) for k, v in item.items()})
                request = resp.get("UnprocessedKeys") or {}
        return len(out)

    cases: list[tuple[str, Callable[[], int]]] = [
        ("dynamorm sequential", dynamorm(1)),
        ("dynamorm parallel 4", dynamorm(4)),
        ("dynamorm parallel 8", dynamorm(8)),
        ("boto3 batch_get_item loop + TypeDeserializer", boto3_loop),
    ]
    if has_fast_path:
        # DB(endpoint_url=...) makes its own client: botocore retries and
        # parameter validation off, the fast read path wired on it.
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
            os.environ.setdefault(name, value)
        fast_db = DB(endpoint_url=url, region_name="us-east-1", retry_policy=policy)
        cases[3:3] = [
            ("dynamorm sequential, fast path, own client", dynamorm(1, fast_db)),
            ("dynamorm parallel 8, fast path, own client", dynamorm(8, fast_db)),
        ]
    try:
        from pydynox import DynamoDBClient, ModelConfig
        from pydynox import Model as PModel
        from pydynox.attributes import NumberAttribute, StringAttribute

        pclient = DynamoDBClient(
            region="us-east-1", access_key="testing", secret_key="testing", endpoint_url=url
        )

        class PRow(PModel):
            model_config = ModelConfig(table=table, client=pclient, skip_hooks=True)
            pk = StringAttribute(partition_key=True)
            sk = StringAttribute(sort_key=True)
            n = NumberAttribute()

        pkeys = [{"pk": pk, "sk": sk} for pk, sk in pairs]
        cases.append(("pydynox sync_batch_get to models", lambda: len(PRow.sync_batch_get(pkeys))))
    except ImportError:
        pass

    timings = {name: _time(fn, repeat) for name, fn in cases}
    boto_wall = timings["boto3 batch_get_item loop + TypeDeserializer"][0]
    return [
        {
            "name": name,
            "wall": wall,
            "cpu": cpu,
            "cpu_per_item": cpu / N_ITEMS * 1e6,
            "ratio": boto_wall / wall,
        }
        for name, (wall, cpu) in timings.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader; best is kept")
    parser.add_argument("--endpoint", help="a running server (default: start dynalite)")
    args = parser.parse_args()
    rows = run(args.repeat, args.endpoint)
    print(
        f"{'reader (10,000 items)':<46} {'wall s':>7} {'cpu s':>7} {'cpu µs/item':>12} {'ratio':>6}"
    )
    for row in rows:
        print(
            f"{row['name']:<46} {row['wall']:>7.3f} {row['cpu']:>7.3f} "
            f"{row['cpu_per_item']:>12.1f} {row['ratio']:>5.2f}x"
        )


if __name__ == "__main__":
    main()
