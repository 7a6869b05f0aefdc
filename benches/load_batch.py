"""Batch operations under load, through the fault-injecting proxy (not part
of the default test run).

Eight threads each write 1,000 items with ``batch_create``, read them back
with ``batch_get`` (parallel on every other round) and delete them, for at
least ``--seconds``, while the proxy throttles, fails with 500s and leaves
random subsets unprocessed. Every round checks that no item was lost or
duplicated: each is either returned / written or listed in the error. Any
exception that is not a dynamorm error counts as a failure.

    .venv/bin/python benches/load_batch.py                  # moto, 30 s
    .venv/bin/python benches/load_batch.py --server dynalite --seconds 60
    .venv/bin/python benches/load_batch.py --endpoint http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dynamorm import DB, BatchGetOptions, BatchWriteOptions, RetryPolicy
from dynamorm.errors import BatchGetError, BatchWriteError, DynamORMError

from tests._support.proxy import FaultProxy
from tests._support.servers import STARTERS, running
from tests.conftest import client_for
from tests.integration.batch_support import BatchEnv, RandomFaults

POLICY = RetryPolicy(max_retries=4, initial_delay=0.005, max_delay=0.05)


@contextlib.contextmanager
def server(name: str, endpoint: str | None) -> Iterator[str]:
    if endpoint:
        yield endpoint
        return
    with tempfile.TemporaryDirectory() as logs, running(STARTERS[name](Path(logs))) as s:
        yield s.endpoint


class Figures:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []

    def add(self, **counts: int) -> None:
        with self.lock:
            self.counts.update(counts)

    def fail(self, text: str) -> None:
        with self.lock:
            self.failures.append(text)


def one_round(env: BatchEnv, n: int, parallel: bool, figures: Figures) -> None:
    run = uuid.uuid4().hex
    docs = [env.Doc(pk=run, sk=f"s{i:05d}", size=i) for i in range(n)]
    wopts = BatchWriteOptions(parallel=parallel, max_concurrency=4, retry_policy=POLICY)
    try:
        env.db.model(env.Doc).batch_create(docs, wopts)
        left: set[str] = set()
    except BatchWriteError as exc:
        left = {r["PutRequest"]["Item"]["sk"]["S"] for r in exc.unprocessed}
        figures.add(write_errors=1, writes_unprocessed=len(left))
    written = [d for d in docs if d.sk not in left]
    figures.add(items_written=len(written))
    keys = [(run, d.sk) for d in docs] + [(run, d.sk) for d in docs[:50]]  # 50 duplicates
    gopts = BatchGetOptions(parallel=parallel, max_concurrency=4, retry_policy=POLICY)
    try:
        got = env.db.model(env.Doc).batch_get_with_options(keys, gopts)
        unprocessed: list[Any] = []
    except BatchGetError as exc:
        got, unprocessed = exc.items, exc.unprocessed_keys
        figures.add(get_errors=1, keys_unprocessed=len(unprocessed))
    returned = [d.sk for d in got]
    if len(returned) != len(set(returned)):
        figures.fail(f"{run}: an item came back twice")
    expected = {d.sk for d in written}
    listed = {sk for _, sk in unprocessed}
    if set(returned) | (listed & expected) != expected or set(returned) - expected:
        figures.fail(f"{run}: batch get lost or invented an item")
    if returned != sorted(returned):
        figures.fail(f"{run}: batch get out of input order")
    figures.add(items_read=len(returned), rounds=1)
    with contextlib.suppress(BatchWriteError):
        env.db.model(env.Doc).batch_delete([(run, d.sk) for d in written], wopts)


def worker(env: BatchEnv, n: int, until: float, figures: Figures, index: int) -> None:
    parallel = False
    while time.monotonic() < until:
        parallel = not parallel if index % 2 else parallel
        try:
            one_round(env, n, parallel, figures)
        except DynamORMError as exc:
            figures.add(other_dynamorm_errors=1)
            figures.add(**{f"error_{type(exc).__name__}": 1})
        except Exception as exc:  # a botocore (or any other) type escaping is a failure
            figures.fail(f"{type(exc).__module__}.{type(exc).__name__}: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=sorted(STARTERS), default="moto")
    parser.add_argument("--endpoint", help="use a running server instead of starting one")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--fault-rate", type=float, default=0.3, help="share of faulty requests")
    args = parser.parse_args()
    with server(args.server, args.endpoint) as upstream, FaultProxy(upstream) as proxy:
        client = client_for(
            proxy.endpoint, retries={"total_max_attempts": 1}, max_pool_connections=64
        )
        env = BatchEnv(proxy.endpoint, DB(client=client, retry_policy=POLICY))
        hook = RandomFaults(client_for(upstream), rate=args.fault_rate / 0.6)
        proxy.reset()
        proxy.custom(hook, "BatchGetItem")
        proxy.custom(hook, "BatchWriteItem")
        figures = Figures()
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=worker, args=(env, args.items, started + args.seconds, figures, i)
            )
            for i in range(args.threads)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        faults = Counter(r.fault or "none" for r in proxy.requests)
        ops = Counter(r.operation for r in proxy.requests)
        env.drop()
    print(
        f"server {args.server if not args.endpoint else args.endpoint}, "
        f"{args.threads} threads, {elapsed:.1f} s"
    )
    for name, value in sorted(figures.counts.items()):
        print(f"  {name:<24} {value}")
    print(f"  requests                 {dict(ops)}")
    print(f"  faults                   {dict(faults)}")
    print(f"  lost/duplicated/escaped  {len(figures.failures)}")
    for text in figures.failures[:20]:
        print(f"    {text}")
    sys.exit(1 if figures.failures else 0)


if __name__ == "__main__":
    main()
