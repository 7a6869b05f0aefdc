"""Transaction speed: a 10-operation ``db.transact()...execute()`` against a
hand-written boto3 ``transact_write_items`` call with pre-built parameters.

Both send the same request to the same moto server in the same run; the
times are the client process's CPU seconds per transaction (the server runs
in its own process, so its work is not counted). ``ratio`` = boto3 /
dynamorm: the issue's target is dynamorm ≤ 1.15x boto3, i.e. ratio ≥ 0.87.

    .venv/bin/python benches/bench_transact.py            # after a --release build
    .venv/bin/python benches/bench_transact.py --repeat 7 --endpoint http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import boto3
from dynamorm import DB, Model, field

OPERATIONS = 10
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


@contextlib.contextmanager
def moto_server(endpoint: str | None) -> Iterator[str]:
    """``endpoint``, or a moto server started in its own process for the run."""
    if endpoint:
        yield endpoint
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


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


def run(repeat: int = 5, endpoint: str | None = None) -> list[dict[str, Any]]:
    """Times both clients; returns rows of name, ours, competitor (CPU
    seconds per transaction) and ratio (competitor / ours)."""
    with moto_server(endpoint) as url:
        client = _client(url)
        table = f"bench-transact-{uuid.uuid4().hex[:8]}"
        Account = define_account(table)
        db = DB(client=client)
        db.create_table(Account)
        try:
            accounts = _accounts(Account)
            for obj in accounts:
                db.model(obj).create()
            prebuilt = _build(db, accounts).to_params()

            def ours() -> None:
                _build(db, accounts).execute()

            def boto() -> None:
                client.transact_write_items(**prebuilt)

            ours()
            boto()  # warm both paths (connections, botocore's model loading)
            ours_s, boto_s, build_s = _cpu_per_call(
                [ours, boto, lambda: _build(db, accounts).to_params()], repeat
            )
        finally:
            client.delete_table(TableName=table)
    return [
        {
            "name": f"{OPERATIONS}-operation transaction vs boto3 (client CPU)",
            "ours": ours_s,
            "competitor": boto_s,
            "ratio": boto_s / ours_s,
        },
        {
            "name": f"{OPERATIONS}-operation builder alone vs the boto3 call",
            "ours": build_s,
            "competitor": boto_s,
            "ratio": boto_s / build_s,
        },
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
