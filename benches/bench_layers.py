"""Where a single GetItem's client CPU goes: the same request, sent layer by
layer, against pydynox's ``Model.sync_get``; and the same for a BatchGetItem
of 100 keys, against pydynox's ``sync_batch_get`` of those keys.

A dynalite server (keep-alive) holds one small item. The request botocore
sends for it (signed, on a client ``DB`` created) is captured once and
replayed through each layer botocore stacks on the socket; every row is
client CPU (``time.process_time``) per call, best of ``repeat``:

* socket: the captured bytes written and the response read until its
  ``Content-Length`` (the system-call floor of any Python client);
* http.client: ``HTTPConnection.request`` + ``getresponse().read()``;
* urllib3: ``HTTPConnectionPool.urlopen`` as botocore calls it;
* botocore's HTTP session: ``client._endpoint.http_session.send`` of the
  prepared request and its ``content`` (what the library's own request path
  sends through, with the user's ``Config``);
* botocore: ``client.get_item`` on a ``DB``-made client (botocore's whole
  pipeline, its parser);
* dynamorm: ``.where(pk).where(sk).first()`` into a model (the library's own
  request path), and ``batch_get`` of 100 keys into models.

``ratio`` = pydynox / layer (the issue's GetItem target is ≥ 0.5 for the
dynamorm row).

    .venv/bin/python benches/run.py --only layers --repeat 7
"""

from __future__ import annotations

import http.client
import os
import socket
import uuid
from typing import Any
from urllib.parse import urlsplit

import urllib3
from _timing import best, create_pk_sk_table, print_rows, row
from bench_fastpath import _client, _dynalite, wire_items
from boto3.dynamodb.types import TypeDeserializer
from dynamorm import DB, Model, field

CALLS = 200
BATCH = 100


def _captured(client: Any, method: str, **params: Any) -> Any:
    """The prepared request botocore sends for ``method`` (it is sent)."""
    seen: list[Any] = []

    def capture(request: Any, **_: Any) -> None:
        seen.append(request)

    client.meta.events.register("before-send.dynamodb", capture)
    getattr(client, method)(**params)
    client.meta.events.unregister("before-send.dynamodb", capture)
    return seen[0]


def _session_call(client: Any, request: Any) -> Any:
    session = client._endpoint.http_session

    def call() -> bytes:
        content: bytes = session.send(request).content
        return content

    return call


def _headers(request: Any) -> dict[str, str]:
    return {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in request.headers.items()
    }


def _socket_call(url: str, request: Any) -> Any:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head = "".join(f"{k}: {v}\r\n" for k, v in _headers(request).items())
    wire = f"POST / HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}\r\n".encode() + request.body

    def call() -> bytes:
        sock.sendall(wire)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        header, _, body = data.partition(b"\r\n\r\n")
        length = int(header.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += sock.recv(65536)
        return body

    return call


def _http_client_call(url: str, request: Any) -> Any:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    headers = _headers(request)

    def call() -> bytes:
        conn.request("POST", "/", body=request.body, headers=headers)
        return conn.getresponse().read()

    return call


def _urllib3_call(url: str, request: Any) -> Any:
    parts = urlsplit(url)
    pool = urllib3.HTTPConnectionPool(parts.hostname, parts.port, maxsize=10)
    headers = _headers(request)

    def call() -> bytes:
        response = pool.urlopen(
            "POST",
            "/",
            body=request.body,
            headers=headers,
            retries=urllib3.Retry(False),
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            enforce_content_length=False,
        )
        return response.read()

    return call


def pydynox_model(table: str, url: str) -> Any:
    """pydynox's model of the benchmark's item (``wire_items``) on ``table``."""
    from pydynox import DynamoDBClient, ModelConfig
    from pydynox import Model as PModel
    from pydynox.attributes import NumberAttribute, StringAttribute

    class POne(PModel):
        model_config = ModelConfig(
            table=table,
            client=DynamoDBClient(
                region="us-east-1", access_key="testing", secret_key="testing", endpoint_url=url
            ),
            skip_hooks=True,
        )
        pk = StringAttribute(partition_key=True)
        sk = StringAttribute(sort_key=True)
        n = NumberAttribute()
        name = StringAttribute()

    return POne


def run(repeat: int = 5) -> list[dict[str, Any]]:
    """One row per layer, each against pydynox's ``sync_get``."""

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with _dynalite() as url:
        admin = _client(url)
        table = f"bench-layers-{uuid.uuid4().hex[:8]}"
        create_pk_sk_table(admin, table)
        item = wire_items(1)[0]
        admin.put_item(TableName=table, Item=item)
        key = {"pk": item["pk"], "sk": item["sk"]}

        class One(Model, table=table):
            pk: str = field(pk=True)
            sk: str = field(sk=True)
            n: int = 0
            name: str = ""

        POne = pydynox_model(table, url)
        db = DB(region_name="us-east-1", endpoint_url=url)
        # Captured on a client of its own: a handler on db's client would make
        # the library's request path step aside for botocore's pipeline.
        capturing = DB(region_name="us-east-1", endpoint_url=url).client
        request = _captured(capturing, "get_item", TableName=table, Key=key)
        params = {"TableName": table, "Key": key}
        first = db.model(One).where("pk", "=", "u1").where("sk", "=", "s00000").first
        layers = [
            ("socket: write the request, read the response", _socket_call(url, request)),
            ("http.client: request + getresponse().read()", _http_client_call(url, request)),
            ("urllib3: urlopen as botocore calls it", _urllib3_call(url, request)),
            ("botocore HTTP session: send + content", _session_call(capturing, request)),
            ("botocore: client.get_item (no model)", lambda: capturing.get_item(**params)),
            ("dynamorm: first() into a model", first),
        ]
        for _, call in layers:
            assert call() is not None
        assert POne.sync_get(pk="u1", sk="s00000").n == 0

        def theirs() -> object:
            return POne.sync_get(pk="u1", sk="s00000")

        rows = []
        for name, call in layers:
            # Interleaved with pydynox's own timing so drift hits both.
            rows.append(
                row(
                    f"GetItem layer: {name} vs pydynox sync_get",
                    best(call, repeat, CALLS),
                    best(theirs, repeat, CALLS),
                )
            )
        rows += _batch_rows(
            url, admin, table, capturing=capturing, db=db, One=One, POne=POne, repeat=repeat
        )
        admin.delete_table(TableName=table)
        return rows


def _batch_rows(
    url: str,
    admin: Any,
    table: str,
    *,
    capturing: Any,
    db: DB,
    One: Any,
    POne: Any,
    repeat: int,
) -> list[dict[str, Any]]:
    """The layers of one BatchGetItem of ``BATCH`` keys, each against
    pydynox's ``sync_batch_get`` of the same keys."""
    items = wire_items(BATCH)
    for start in range(0, BATCH, 25):
        pending = {table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
        while pending:
            pending = admin.batch_write_item(RequestItems=pending)["UnprocessedItems"]
    keys = [{"pk": i["pk"], "sk": i["sk"]} for i in items]
    pairs = [(k["pk"]["S"], k["sk"]["S"]) for k in keys]
    pkeys = [{"pk": pk, "sk": sk} for pk, sk in pairs]
    request_items = {table: {"Keys": keys}}
    request = _captured(capturing, "batch_get_item", RequestItems=request_items)
    de = TypeDeserializer()

    def boto3_call() -> object:
        answer = capturing.batch_get_item(RequestItems=request_items)
        return [{k: de.deserialize(v) for k, v in i.items()} for i in answer["Responses"][table]]

    layers = [
        ("socket: write the request, read the response", _socket_call(url, request)),
        ("http.client: request + getresponse().read()", _http_client_call(url, request)),
        ("urllib3: urlopen as botocore calls it", _urllib3_call(url, request)),
        ("botocore HTTP session: send + content", _session_call(capturing, request)),
        ("boto3: batch_get_item + TypeDeserializer", boto3_call),
        ("dynamorm: batch_get into models", lambda: db.model(One).batch_get(pairs)),
    ]
    assert len(db.model(One).batch_get(pairs)) == BATCH
    assert len(POne.sync_batch_get(pkeys)) == BATCH

    def theirs() -> object:
        return POne.sync_batch_get(pkeys)

    return [
        row(
            f"BatchGetItem {BATCH} keys layer: {name} vs pydynox sync_batch_get",
            best(call, repeat, CALLS // 10),
            best(theirs, repeat, CALLS // 10),
        )
        for name, call in layers
    ]


if __name__ == "__main__":
    print_rows(run())
