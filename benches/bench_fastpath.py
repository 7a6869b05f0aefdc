"""Read-path speed: a 1,000-small-item Query and a single GetItem into models.

Client CPU only (``time.process_time``), seconds per operation. Two setups:

* canned: the boto3 clients answer from a fixed DynamoDB response body (a
  botocore ``before-send`` handler returns it, with its CRC32 header), so no
  server or socket time counts. dynamorm's fast read path is compared with
  its standard path, with boto3 ``client.query`` + ``TypeDeserializer`` +
  dataclass construction, and with the floor: ``orjson.loads`` of the body.
* request side: a ``DB``-created client (the only kind whose request bodies
  the Rust core writes) answering from canned bodies; a 25-item batch write
  and a 100-key batch get with the bodies written by the Rust core against
  the same ``DB`` with botocore's serializer (the read side on in both).
* live: a dynalite server (started here, keep-alive HTTP) holding the same
  items, for pydynox, whose Rust HTTP client cannot be given canned bodies:
  ``Model.sync_query`` and ``Model.sync_get`` against dynamorm's fast path on
  a client ``DB`` created, and the same client's bare ``get_item`` (no
  model, botocore's parser on a one-item body): botocore's per-call floor.

``ratio`` = competitor / dynamorm (above 1: dynamorm is faster).

    .venv/bin/python benches/bench_fastpath.py            # after a --release build
    .venv/bin/python benches/bench_fastpath.py --repeat 7 --no-live
"""

from __future__ import annotations

import argparse
import binascii
import contextlib
import dataclasses
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
from _timing import best, create_pk_sk_table, print_rows, row
from boto3.dynamodb.types import TypeDeserializer
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from dynamorm import DB, Model, field
from dynamorm.transport import signing
from dynamorm.transport.probe import CannedRaw

N_ITEMS = 1_000
TABLE = "bench-fastpath"


@dataclasses.dataclass
class Plain:
    pk: str
    sk: str
    n: Any
    name: str


class Small(Model, table=TABLE):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    n: int = 0
    name: str = ""


def wire_items(n: int) -> list[dict[str, Any]]:
    """``n`` small items in DynamoDB's wire JSON."""
    return [
        {
            "pk": {"S": "u1"},
            "sk": {"S": f"s{i:05d}"},
            "n": {"N": str(i)},
            "name": {"S": f"name {i}"},
        }
        for i in range(n)
    ]


def query_body(n: int) -> bytes:
    """A Query response body of ``n`` items, as DynamoDB sends it."""
    return json.dumps({"Count": n, "Items": wire_items(n), "ScannedCount": n}).encode()


def _client(endpoint: str = "http://127.0.0.1:9") -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


def canned_client(body: bytes, client: Any = None) -> Any:
    """A boto3 client (``client``, or a new one) whose every request is
    answered with ``body``."""
    client = _client() if client is None else client
    headers = {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-crc32": str(binascii.crc32(body) & 0xFFFFFFFF),
    }

    def send(request: Any, **_: Any) -> Any:
        return AWSResponse(request.url, 200, headers, CannedRaw(body))

    client.meta.events.register("before-send.dynamodb", send)
    return client


def _boto3_query(client: Any) -> Callable[[], int]:
    de = TypeDeserializer()

    def run() -> int:
        response = client.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "u1"}},
        )
        out = [
            Plain(**{k: de.deserialize(v) for k, v in item.items()}) for item in response["Items"]
        ]
        return len(out)

    return run


def _dynamorm_query(db: DB) -> Callable[[], int]:
    return lambda: len(db.model(Small).where("pk", "=", "u1").all())


def _checked(fn: Callable[[], int], expected: int) -> Callable[[], int]:
    if fn() != expected:
        raise RuntimeError(f"read {fn()} items, expected {expected}")
    return fn


def canned_rows(repeat: int) -> list[dict[str, Any]]:
    """The rows measured on canned responses."""
    body = query_body(N_ITEMS)
    fast = _checked(_dynamorm_query(DB(client=canned_client(body))), N_ITEMS)
    std = _checked(_dynamorm_query(DB(client=canned_client(body), fast_path=False)), N_ITEMS)
    boto = _checked(_boto3_query(canned_client(body)), N_ITEMS)
    t_fast = best(fast, repeat, 20)
    t_std = best(std, repeat, 5)
    t_boto = best(boto, repeat, 5)
    t_floor = best(lambda: orjson.loads(body), repeat, 50)
    one = json.dumps({"Item": wire_items(1)[0]}).encode()
    get_fast = DB(client=canned_client(one))
    get_boto = canned_client(one)
    de = TypeDeserializer()

    def boto_get() -> object:
        item = get_boto.get_item(TableName=TABLE, Key={"pk": {"S": "u1"}, "sk": {"S": "s00000"}})
        return Plain(**{k: de.deserialize(v) for k, v in item["Item"].items()})

    q = get_fast.model(Small).where("pk", "=", "u1").where("sk", "=", "s00000")
    t_get = best(q.first, repeat, 200)
    t_get_boto = best(boto_get, repeat, 200)
    return [
        row("canned Query 1,000 items: fast path vs boto3 + TypeDeserializer", t_fast, t_boto),
        row("canned Query 1,000 items: fast path vs dynamorm standard path", t_fast, t_std),
        row("canned Query 1,000 items: standard path vs boto3 + TypeDeserializer", t_std, t_boto),
        row("canned Query 1,000 items: fast path vs orjson.loads(body) (floor)", t_fast, t_floor),
        row("canned GetItem: fast path vs boto3 get_item + TypeDeserializer", t_get, t_get_boto),
    ]


def _own_db(body: bytes, fast_requests: bool, rust_signing: bool = True) -> DB:
    """A ``DB`` on a client it created, answering with ``body``; with
    ``fast_requests=False`` its bodies are botocore's, with
    ``rust_signing=False`` botocore's ``SigV4Auth`` signs."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    db = DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    canned_client(body, db.client)
    # Canned answers come from a botocore handler, so these requests take
    # botocore's pipeline (the library's own path steps aside for handlers).
    pipeline = getattr(db._executor.transport, "fallback", db._executor.transport)
    pipeline.fast_requests = fast_requests and pipeline.fast_requests
    if not rust_signing:
        db.client.meta.events.unregister(signing.EVENT, unique_id=signing._UNIQUE_ID)
    return db


def request_rows(repeat: int) -> list[dict[str, Any]]:
    """The request side: bodies written by the Rust core vs botocore's."""
    puts = [Small(pk="u1", sk=f"s{i:05d}", n=i, name=f"name {i}") for i in range(25)]
    wrote = b'{"UnprocessedItems": {}}'
    fast_write, std_write = _own_db(wrote, True), _own_db(wrote, False)
    keys = [("u1", f"s{i:05d}") for i in range(100)]
    got = json.dumps({"Responses": {TABLE: wire_items(100)}, "UnprocessedKeys": {}}).encode()
    fast_get, std_get = _own_db(got, True), _own_db(got, False)
    if not fast_write._executor.transport.takes_body:
        raise RuntimeError("the request side is not on for a DB-created client")
    for db in (fast_get, std_get):
        _checked(lambda db=db: len(db.model(Small).batch_get(keys)), 100)  # type: ignore[misc]
    t_write = best(lambda: fast_write.model(Small).batch_write(puts=puts), repeat, 50)
    t_write_std = best(lambda: std_write.model(Small).batch_write(puts=puts), repeat, 50)
    t_get = best(lambda: fast_get.model(Small).batch_get(keys), repeat, 20)
    t_get_std = best(lambda: std_get.model(Small).batch_get(keys), repeat, 20)
    one = json.dumps({"Item": wire_items(1)[0]}).encode()
    fast_one, std_one = _own_db(one, True), _own_db(one, False)
    t_one = best(
        fast_one.model(Small).where("pk", "=", "u1").where("sk", "=", "s00000").first, repeat, 200
    )
    t_one_std = best(
        std_one.model(Small).where("pk", "=", "u1").where("sk", "=", "s00000").first, repeat, 200
    )
    botocore_signed = _own_db(one, True, rust_signing=False)
    t_one_signed = best(
        botocore_signed.model(Small).where("pk", "=", "u1").where("sk", "=", "s00000").first,
        repeat,
        200,
    )
    return [
        row("canned GetItem: Rust signer vs botocore's SigV4Auth", t_one, t_one_signed),
        row("canned GetItem: Rust-written body vs botocore's", t_one, t_one_std),
        row("canned BatchWrite 25 items: Rust-written body vs botocore's", t_write, t_write_std),
        row("canned BatchGet 100 keys: Rust-written body vs botocore's", t_get, t_get_std),
    ]


@contextlib.contextmanager
def _dynalite() -> Iterator[str]:
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)  # the test support package starts the server
    from tests._support.servers import running, start_dynalite

    with tempfile.TemporaryDirectory() as logs, running(start_dynalite(Path(logs))) as s:
        yield s.endpoint


def live_rows(repeat: int) -> list[dict[str, Any]]:
    """The rows measured against dynalite (pydynox cannot take canned bodies)."""
    from pydynox import DynamoDBClient, ModelConfig
    from pydynox import Model as PModel
    from pydynox.attributes import NumberAttribute, StringAttribute

    with _dynalite() as url:
        client = _client(url)
        table = f"{TABLE}-{uuid.uuid4().hex[:8]}"
        create_pk_sk_table(client, table)
        items = wire_items(N_ITEMS)
        for start in range(0, N_ITEMS, 25):
            pending = {table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
            while pending:
                pending = client.batch_write_item(RequestItems=pending)["UnprocessedItems"]

        class LiveSmall(Model, table=table):
            pk: str = field(pk=True)
            sk: str = field(sk=True)
            n: int = 0
            name: str = ""

        pclient = DynamoDBClient(
            region="us-east-1", access_key="testing", secret_key="testing", endpoint_url=url
        )

        class PSmall(PModel):
            model_config = ModelConfig(table=table, client=pclient, skip_hooks=True)
            pk = StringAttribute(partition_key=True)
            sk = StringAttribute(sort_key=True)
            n = NumberAttribute()
            name = StringAttribute()

        # The library's own configuration: a client DB creates (Rust-written
        # bodies and signatures, parameter validation off).
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        db = DB(region_name="us-east-1", endpoint_url=url)
        fast = _checked(lambda: len(db.model(LiveSmall).where("pk", "=", "u1").all()), N_ITEMS)
        theirs = _checked(lambda: len(list(PSmall.sync_query(partition_key="u1"))), N_ITEMS)
        get = db.model(LiveSmall).where("pk", "=", "u1").where("sk", "=", "s00007")
        assert get.first().n == 7
        assert PSmall.sync_get(pk="u1", sk="s00007").n == 7
        key = {"pk": {"S": "u1"}, "sk": {"S": "s00007"}}
        raw = db.client  # the same client, called directly: botocore's own per-call cost
        rows = [
            row(
                "dynalite Query 1,000 items: fast path vs pydynox sync_query",
                best(fast, repeat, 3),
                best(theirs, repeat, 3),
            ),
            row(
                "dynalite GetItem: fast path vs pydynox sync_get",
                best(get.first, repeat, 100),
                best(lambda: PSmall.sync_get(pk="u1", sk="s00007"), repeat, 100),
            ),
            row(
                "dynalite GetItem: client.get_item, no model (botocore floor) vs pydynox",
                best(lambda: raw.get_item(TableName=table, Key=key), repeat, 100),
                best(lambda: PSmall.sync_get(pk="u1", sk="s00007"), repeat, 100),
            ),
        ]
        client.delete_table(TableName=table)
        return rows


def run(repeat: int = 5, live: bool = True) -> list[dict[str, Any]]:
    """Every row: canned responses, then (``live``) dynalite."""
    rows = canned_rows(repeat) + request_rows(repeat)
    if live:
        rows += live_rows(repeat)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; best is kept")
    parser.add_argument("--no-live", action="store_true", help="canned responses only")
    args = parser.parse_args()
    print_rows(run(args.repeat, live=not args.no_live))


if __name__ == "__main__":
    main()
