"""Instructions per call, for the comparisons a busy machine's CPU timings
blur: one process per (case, count) under callgrind, ``count`` calls after
the same set-up; (instructions with N calls - with 0 calls) / N is the cost
of one call, all threads of the process included (pydynox's Rust runtime
too), the server being another process.

    .venv/bin/python benches/instr_calls.py serve        # prints an endpoint; leave it running
    .venv/bin/python benches/instr_calls.py measure URL  # every case, both counts, under valgrind
    .venv/bin/python benches/instr_calls.py serve-moto   # moto behind a keep-alive proxy
    .venv/bin/python benches/instr_calls.py measure-writes URL

Cases: the request a ``DB``-made client sends, replayed through http.client
alone and through botocore's HTTP session (the floors the library's own
request path stands on); a GetItem into a model (dynamorm on a DB-made client, pydynox's
``sync_get``, boto3's ``get_item`` + ``TypeDeserializer``) and a BatchGetItem
of 100 keys (dynamorm's ``batch_get``, pydynox's ``sync_batch_get``, boto3's
``batch_get_item`` + ``TypeDeserializer``), against dynalite; and, against
moto (dynalite has no transactions), a 10-operation transaction and a
25-item batch write on a ``DB``-made client against the hand-written boto3
calls (``bench_transact``'s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

TABLE = "instr-calls"
N = 100
CASES = [
    "http.client-get",
    "session-get",
    "dynamorm-get",
    "pydynox-get",
    "boto3-get",
    "session-batch",
    "dynamorm-batch",
    "pydynox-batch",
    "boto3-batch",
]


def serve_moto() -> None:
    """A moto server behind a keep-alive proxy (dynalite has no
    transactions), the writes' table created."""
    import boto3
    from bench_transact import define_account, moto_server
    from dynamorm import DB

    with moto_server(None) as url:
        client = boto3.client(
            "dynamodb",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        db = DB(client=client)
        Account = define_account(WRITES)
        db.create_table(Account)
        for obj in _accounts(Account):
            db.model(obj).create()
        print(url, flush=True)
        while True:
            time.sleep(3600)


WRITES = "instr-writes"


def _accounts(Account: Any) -> list[Any]:
    from bench_transact import _accounts as accounts

    return accounts(Account)


def _write_call(case: str, url: str) -> Any:
    """A 10-operation transaction or a 25-item batch write: the library's
    on a ``DB``-made client, or the hand-written boto3 call."""
    import boto3
    from bench_transact import _batch_rows, _build, define_account
    from boto3.dynamodb.types import TypeSerializer
    from dynamorm import DB

    Account = define_account(WRITES)
    accounts = _accounts(Account)
    objs, plain = _batch_rows(Account)
    own = DB(region_name="us-east-1", endpoint_url=url)
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=url)
    if case == "dynamorm-transaction":
        return lambda: _build(own, accounts).execute()
    if case == "dynamorm-batch-write":
        return lambda: own.model(Account).batch_write(puts=objs)
    if case == "boto3-transaction":
        prebuilt = _build(DB(client=client), accounts).to_params()
        return lambda: client.transact_write_items(**prebuilt)
    serializer = TypeSerializer()

    def batch() -> None:
        pending = {
            WRITES: [
                {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in d.items()}}}
                for d in plain
            ]
        }
        while pending:
            pending = client.batch_write_item(RequestItems=pending)["UnprocessedItems"]

    return batch


WRITE_CASES = [
    "dynamorm-transaction",
    "boto3-transaction",
    "dynamorm-batch-write",
    "boto3-batch-write",
]


def serve() -> None:
    from _timing import create_pk_sk_table
    from bench_fastpath import _client, _dynalite, wire_items

    with _dynalite() as url:
        client = _client(url)
        create_pk_sk_table(client, TABLE)
        items = wire_items(N)
        for start in range(0, N, 25):
            pending = {TABLE: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
            while pending:
                pending = client.batch_write_item(RequestItems=pending)["UnprocessedItems"]
        print(url, flush=True)
        while True:
            time.sleep(3600)


def _call(case: str, url: str) -> Any:
    keys = [("u1", f"s{i:05d}") for i in range(N)]
    if case.startswith(("session", "http.client")):
        from bench_layers import _captured, _http_client_call, _session_call
        from dynamorm import DB

        client = DB(region_name="us-east-1", endpoint_url=url).client
        if case.endswith("get"):
            key = {"pk": {"S": "u1"}, "sk": {"S": "s00000"}}
            request = _captured(client, "get_item", TableName=TABLE, Key=key)
        else:
            wire = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys]
            request = _captured(client, "batch_get_item", RequestItems={TABLE: {"Keys": wire}})
        if case.startswith("session"):
            return _session_call(client, request)
        return _http_client_call(url, request)
    if case.startswith("dynamorm"):
        from dynamorm import DB, Model, field

        class One(Model, table=TABLE):
            pk: str = field(pk=True)
            sk: str = field(sk=True)
            n: int = 0
            name: str = ""

        db = DB(region_name="us-east-1", endpoint_url=url)
        if case.endswith("get"):
            return db.model(One).where("pk", "=", "u1").where("sk", "=", "s00000").first
        return lambda: db.model(One).batch_get(keys)
    if case.startswith("pydynox"):
        from bench_layers import pydynox_model

        POne = pydynox_model(TABLE, url)
        if case.endswith("get"):
            return lambda: POne.sync_get(pk="u1", sk="s00000")
        pkeys = [{"pk": pk, "sk": sk} for pk, sk in keys]
        return lambda: POne.sync_batch_get(pkeys)
    import boto3
    from boto3.dynamodb.types import TypeDeserializer

    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=url)
    de = TypeDeserializer()
    if case.endswith("get"):
        key = {"pk": {"S": "u1"}, "sk": {"S": "s00000"}}

        def get() -> object:
            item = client.get_item(TableName=TABLE, Key=key)["Item"]
            return {k: de.deserialize(v) for k, v in item.items()}

        return get
    request = {TABLE: {"Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys]}}

    def batch() -> object:
        answer = client.batch_get_item(RequestItems=request)["Responses"][TABLE]
        return [{k: de.deserialize(v) for k, v in i.items()} for i in answer]

    return batch


def one(case: str, url: str, count: int) -> None:
    call = _write_call(case, url) if case in WRITE_CASES else _call(case, url)
    for _ in range(3):
        call()  # connections, botocore's model loading, first-call caches
    for _ in range(count):
        call()


def _instructions(case: str, url: str, count: int) -> int:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    env["PYTHONHASHSEED"] = "0"
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "one",
            case,
            url,
            str(count),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stderr
    line = next(x for x in out.splitlines() if "Collected" in x)
    return int(line.split()[-1])


def measure_writes(url: str, count: int) -> None:
    per = {}
    for case in WRITE_CASES:
        zero = _instructions(case, url, 0)
        many = _instructions(case, url, count)
        per[case] = (many - zero) / count
        print(f"{case:<22} {per[case] / 1e6:8.3f} M instructions per call", flush=True)
    for what in ("transaction", "batch-write"):
        print(f"{what}: boto3 / dynamorm {per[f'boto3-{what}'] / per[f'dynamorm-{what}']:.2f}")


def measure(url: str, count: int) -> None:
    per = {}
    for case in CASES:
        zero = _instructions(case, url, 0)
        many = _instructions(case, url, count)
        per[case] = (many - zero) / count
        print(f"{case:<16} {per[case] / 1e6:8.3f} M instructions per call", flush=True)
    for what in ("get", "batch"):
        ours = per[f"dynamorm-{what}"]
        print(
            f"{what}: dynamorm / pydynox {ours / per[f'pydynox-{what}']:.2f}, "
            f"boto3 / dynamorm {per[f'boto3-{what}'] / ours:.2f}"
        )


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve()
    elif sys.argv[1] == "serve-moto":
        serve_moto()
    elif sys.argv[1] == "measure-writes":
        measure_writes(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 20)
    elif sys.argv[1] == "one":
        one(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        measure(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 50)
