"""Write speed: a 10-operation ``db.transact()...execute()`` against a
hand-written boto3 ``transact_write_items`` call with pre-built parameters,
and a 25-item ``batch_write`` against boto3's ``batch_write_item`` with the
items serialised by ``TypeSerializer`` (what a boto3 user writes).

Each pair sends the same request to the same moto server in the same run
(dynalite has no transactions); the times are the client process's CPU
seconds per call (the server runs in its own process, so its work is not
counted). ``ratio`` = boto3 / dynamorm. Rows: the transaction on a client
passed in (botocore's pipeline; the first round's target, ratio ≥ 0.87), and
both writes on a ``DB``-made client (the library's own request path; this
round's target, ratio ≥ 2).

    .venv/bin/python benches/bench_transact.py            # after a --release build
    .venv/bin/python benches/bench_transact.py --repeat 7 --endpoint http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from dynamorm import DB, Model, field

OPERATIONS = 10
BATCH = 25
ROUNDS = 100
"""Transactions per timing; the best of ``repeat`` timings is kept."""


def define_account(table: str) -> Any:
    """The benchmark's model on ``table``."""

    class Account(Model, table=table):
        id: str = field(pk=True)
        owner: str = ""
        balance: int = 0
        tags: set[str] = field(default_factory=set, omit_empty=True)
        created: datetime | None = field(created_at=True, default=None)
        updated: datetime | None = field(updated_at=True, default=None)

    return Account


_KEEP_ALIVE = """
import sys, time
sys.path.insert(0, sys.argv[2])
from tests._support.proxy import FaultProxy
proxy = FaultProxy(sys.argv[1]).start()
print(proxy.endpoint, flush=True)
while True:
    time.sleep(3600)
"""


@contextlib.contextmanager
def moto_server(endpoint: str | None) -> Iterator[str]:
    """``endpoint``, or a moto server started in its own process for the
    run, behind a keep-alive proxy in a third process: werkzeug's server
    (moto's) closes every connection, and a TCP connect and close per call,
    costly to both clients alike, is not what DynamoDB (or dynalite) makes a
    client pay."""
    if endpoint:
        yield endpoint
        return
    root = Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))  # the test support package starts the server
    from tests._support.servers import running, start_moto

    with tempfile.TemporaryDirectory() as logs, running(start_moto(Path(logs))) as moto:
        proxy = subprocess.Popen(
            [sys.executable, "-c", _KEEP_ALIVE, moto.endpoint, str(root)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proxy.stdout is not None
            yield proxy.stdout.readline().strip()
        finally:
            proxy.kill()
            proxy.wait()


def _client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def _cpu_per_call(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    # Interleaved, so both sides see the same machine load; best of ``repeat``.
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.process_time()
            for _ in range(ROUNDS):
                fn()
            best[i] = min(best[i], (time.process_time() - start) / ROUNDS)
    return best


def _accounts(Account: Any) -> list[Any]:
    return [
        Account(id=f"acct-{i}", owner=f"owner {i}", balance=100 + i, tags={"bench", f"t{i}"})
        for i in range(OPERATIONS)
    ]


def _build(db: DB, accounts: list[Any]) -> Any:
    # Half puts, half updates of named fields: the common shapes of a transaction.
    builder = db.transact()
    half = OPERATIONS // 2
    for obj in accounts[:half]:
        builder.put(obj)
    for obj in accounts[half:]:
        builder.update(obj, ["balance", "owner"])
    return builder


def _batch_rows(Account: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """``BATCH`` instances, and the same items as plain dicts for boto3."""
    objs = [
        Account(id=f"batch-{i}", owner=f"owner {i}", balance=i, tags={"bench", f"t{i}"})
        for i in range(BATCH)
    ]
    plain = [{"id": o.id, "owner": o.owner, "balance": o.balance, "tags": o.tags} for o in objs]
    return objs, plain


def _row(name: str, ours: float, theirs: float) -> dict[str, Any]:
    return {"name": name, "ours": ours, "competitor": theirs, "ratio": theirs / ours}


def run(repeat: int = 5, endpoint: str | None = None) -> list[dict[str, Any]]:
    """Times both clients; returns rows of name, ours, competitor (CPU
    seconds per call) and ratio (competitor / ours)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "bench")
    with moto_server(endpoint) as url:
        client = _client(url)
        table = f"bench-transact-{uuid.uuid4().hex[:8]}"
        Account = define_account(table)
        db = DB(client=client)
        own = DB(region_name="us-east-1", endpoint_url=url)
        db.create_table(Account)
        try:
            accounts = _accounts(Account)
            for obj in accounts:
                db.model(obj).create()
            prebuilt = _build(db, accounts).to_params()
            objs, plain = _batch_rows(Account)
            serializer = TypeSerializer()

            def ours() -> None:
                _build(db, accounts).execute()

            def ours_own() -> None:
                _build(own, accounts).execute()

            def boto() -> None:
                client.transact_write_items(**prebuilt)

            def batch_ours() -> None:
                own.model(Account).batch_write(puts=objs)

            def batch_boto() -> None:
                pending = {
                    table: [
                        {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in d.items()}}}
                        for d in plain
                    ]
                }
                while pending:
                    pending = client.batch_write_item(RequestItems=pending)["UnprocessedItems"]

            fns = [
                ours,
                boto,
                lambda: _build(db, accounts).to_params(),
                ours_own,
                batch_ours,
                batch_boto,
            ]
            for fn in fns:
                fn()  # warm every path (connections, botocore's model loading)
            ours_s, boto_s, build_s, own_s, batch_s, batch_boto_s = _cpu_per_call(fns, repeat)
        finally:
            client.delete_table(TableName=table)
    return [
        _row(f"{OPERATIONS}-operation transaction vs boto3 (client CPU)", ours_s, boto_s),
        _row(f"{OPERATIONS}-operation builder alone vs the boto3 call", build_s, boto_s),
        _row(
            f"{OPERATIONS}-operation transaction, DB-made client vs boto3 (client CPU)",
            own_s,
            boto_s,
        ),
        _row(
            f"{BATCH}-item batch write, DB-made client vs boto3 + TypeSerializer (client CPU)",
            batch_s,
            batch_boto_s,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--endpoint", default=None, help="an already running server")
    args = parser.parse_args()
    rows = run(args.repeat, args.endpoint)
    print(f"{'comparison':<58} {'ours µs':>9} {'boto3 µs':>9} {'ratio':>7}")
    for row in rows:
        print(
            f"{row['name']:<58} {row['ours'] * 1e6:>9.1f} "
            f"{row['competitor'] * 1e6:>9.1f} {row['ratio']:>6.2f}x"
        )
    verdict = "met" if rows[0]["ratio"] >= 1 / 1.15 else "MISSED"
    print(f"target dynamorm ≤ 1.15x boto3 (ratio ≥ 0.87): {verdict}")


if __name__ == "__main__":
    main()
