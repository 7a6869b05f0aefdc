"""The request side of the fast path: on a client ``DB`` creates, request
bodies are written by the Rust core (``_core.encode_request``) in place of
botocore's serializer.

The body written must be what botocore's JSON serializer produces for the
same parameters (compared as parsed JSON), requests through such a client
must work end to end, and a client the user passes in keeps botocore's own
path.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import uuid
from typing import Any

import botocore.session
import pytest
from botocore.serialize import create_serializer
from dynamorm import DB, Model, _core, field
from dynamorm.transport import executor, hooks
from dynamorm.transport._botocore_private import http_session
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FAST_PATH
from tests.integration.db_models import create_table_for, new_client

_SERVICE = botocore.session.get_session().get_service_model("dynamodb")
_SERIALIZER = create_serializer("json", include_validation=False)
ENCODE = _core.encode_request
"""The Rust core's writer (tests below wrap the module attribute)."""


def botocore_body(operation: str, params: dict[str, Any]) -> Any:
    """What botocore's JSON serializer sends for ``params``, parsed."""
    request = _SERIALIZER.serialize_to_request(params, _SERVICE.operation_model(operation))
    return json.loads(request["body"])


def written(params: dict[str, Any]) -> Any:
    return json.loads(_core.encode_request(params))


# -- the body matches botocore's serializer ---------------------------------

BLOB = b"\x00\xff\x10binary\x80"
NESTED = {
    "M": {
        "s": {"S": 'é "quoted" \\ \n\u2028'},
        "n": {"N": "-1.50E+3"},
        "b": {"B": BLOB},
        "bs": {"BS": [BLOB, b"", b"x"]},
        "l": {"L": [{"B": b"\x01"}, {"NULL": True}, {"BOOL": False}, {"M": {"x": {"B": b"y"}}}]},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
    }
}
KEY = {"pk": {"S": "p"}, "sk": {"B": BLOB}}
ITEM = {**KEY, "doc": NESTED, "blob": {"B": BLOB}}

CASES: list[tuple[str, dict[str, Any]]] = [
    ("GetItem", {"TableName": "t", "Key": KEY, "ConsistentRead": True}),
    (
        "Query",
        {
            "TableName": "t",
            "KeyConditionExpression": "#n0 = :v0 AND #n1 > :v1",
            "ExpressionAttributeNames": {"#n0": "pk", "#n1": "sk"},
            "ExpressionAttributeValues": {":v0": {"S": "p"}, ":v1": {"B": BLOB}},
            "ExclusiveStartKey": KEY,
            "Limit": 25,
            "ScanIndexForward": False,
            "ReturnConsumedCapacity": "TOTAL",
        },
    ),
    (
        "PutItem",
        {
            "TableName": "t",
            "Item": ITEM,
            "ConditionExpression": "attribute_not_exists(#n0)",
            "ExpressionAttributeNames": {"#n0": "pk"},
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": KEY,
            "UpdateExpression": "SET #n0 = :v0, #n1 = :v1",
            "ExpressionAttributeNames": {"#n0": "doc", "#n1": "blob"},
            "ExpressionAttributeValues": {":v0": NESTED, ":v1": {"B": BLOB}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "BatchGetItem",
        {
            "RequestItems": {
                "t": {"Keys": [KEY, {"pk": {"S": "q"}, "sk": {"B": b""}}], "ConsistentRead": True},
                "u": {
                    "Keys": [KEY],
                    "ProjectionExpression": "#n0",
                    "ExpressionAttributeNames": {"#n0": "doc"},
                },
            }
        },
    ),
    (
        "BatchWriteItem",
        {
            "RequestItems": {
                "t": [{"PutRequest": {"Item": ITEM}}, {"DeleteRequest": {"Key": KEY}}],
            },
            "ReturnConsumedCapacity": "INDEXES",
        },
    ),
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "t", "Item": ITEM}},
                {
                    "Update": {
                        "TableName": "u",
                        "Key": KEY,
                        "UpdateExpression": "SET #n0 = :v0",
                        "ExpressionAttributeNames": {"#n0": "doc"},
                        "ExpressionAttributeValues": {":v0": NESTED},
                    }
                },
                {"Delete": {"TableName": "t", "Key": KEY}},
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": KEY,
                        "ConditionExpression": "#n0 = :v0",
                        "ExpressionAttributeNames": {"#n0": "blob"},
                        "ExpressionAttributeValues": {":v0": {"B": BLOB}},
                    }
                },
            ],
            "ClientRequestToken": "token",
        },
    ),
]


@pytest.mark.parametrize(("operation", "params"), CASES, ids=[c[0] for c in CASES])
def test_the_written_body_is_botocores(operation: str, params: dict[str, Any]) -> None:
    assert written(params) == botocore_body(operation, params)
    assert json.loads(_core.encode_request(params))  # valid JSON, UTF-8


def attribute_values() -> st.SearchStrategy[dict[str, Any]]:
    numbers = st.integers(-(10**30), 10**30).map(str)
    scalars = st.one_of(
        st.text().map(lambda s: {"S": s}),
        numbers.map(lambda n: {"N": n}),
        st.binary().map(lambda b: {"B": b}),
        st.booleans().map(lambda b: {"BOOL": b}),
        st.just({"NULL": True}),
        st.lists(st.text(), min_size=1, unique=True).map(lambda v: {"SS": v}),
        st.lists(numbers, min_size=1, unique=True).map(lambda v: {"NS": v}),
        st.lists(st.binary(), min_size=1, unique=True).map(lambda v: {"BS": v}),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda v: {"L": v}),
            st.dictionaries(st.text(max_size=8), inner, max_size=4).map(lambda v: {"M": v}),
        ),
        max_leaves=12,
    )


@settings(max_examples=150, deadline=None)
@given(item=st.dictionaries(st.text(min_size=1, max_size=8), attribute_values(), max_size=5))
def test_generated_items_are_written_as_botocore_writes_them(item: dict[str, Any]) -> None:
    params = {"TableName": "t", "Item": item, "ReturnValues": "ALL_OLD"}
    assert written(params) == botocore_body("PutItem", params)


def test_binary_is_base64_text_and_numbers_stay_as_given() -> None:
    body = _core.encode_request({"Key": {"b": {"B": b"\x00"}, "n": {"N": "1.10"}}, "Limit": 3})
    assert body == b'{"Key":{"b":{"B":"AA=="},"n":{"N":"1.10"}},"Limit":3}'
    assert base64.b64decode(json.loads(body)["Key"]["b"]["B"]) == b"\x00"


def test_values_that_are_not_plain_json_data_are_refused() -> None:
    with pytest.raises(_core.Fallback, match="cannot write a object"):
        _core.encode_request({"Item": {"x": {"N": object()}}})
    with pytest.raises(_core.Fallback, match="non-finite"):
        _core.encode_request({"x": float("nan")})


def test_the_skeleton_keeps_only_the_table_names() -> None:
    bodies = {op: hooks.skeleton(params) for op, params in CASES}
    assert bodies["GetItem"] == {"TableName": "t"}
    assert bodies["BatchGetItem"] == {"RequestItems": {"t": {}, "u": {}}}
    assert bodies["TransactWriteItems"] == {
        "TransactItems": [
            {"Put": {"TableName": "t"}},
            {"Update": {"TableName": "u"}},
            {"Delete": {"TableName": "t"}},
            {"ConditionCheck": {"TableName": "t"}},
        ]
    }


# -- end to end ---------------------------------------------------------------


@dataclasses.dataclass
class Address:
    city: str = ""
    zip: int = 0


def define_doc(table: str) -> Any:
    class Doc(Model, table=table):
        pk: str = field(pk=True)
        sk: bytes = field(sk=True)
        n: int = 0
        blob: bytes | None = None
        blobs: set[bytes] = field(default_factory=set)
        address: Address | None = None
        doc: dict[str, Any] = field(default_factory=dict)

    return Doc


class Sent:
    """The bodies a client sends (``before-send``), keyed by operation, and
    the parameters the library had the Rust core write."""

    def __init__(self, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bodies: list[tuple[str, bytes]] = []
        self.params: list[dict[str, Any]] = []
        # At the client's HTTP session, which both the library's own path and
        # botocore's pipeline send through (a handler on the client's events
        # would make the library's path step aside).
        session = http_session(client)
        assert session is not None
        send = session.send

        def recording(request: Any) -> Any:
            self._send(request)
            return send(request)

        monkeypatch.setattr(session, "send", recording)
        real = _core.encode_request

        def encode(params: dict[str, Any]) -> bytes:
            self.params.append(params)
            return real(params)

        monkeypatch.setattr(executor._core, "encode_request", encode)

    def _send(self, request: Any, **_: Any) -> None:
        target = request.headers["X-Amz-Target"]
        target = target.decode() if isinstance(target, bytes) else target
        self.bodies.append((target.split(".")[-1], request.body))


@pytest.fixture
def own_db(ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> DB:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return DB(region_name="us-east-1", endpoint_url=ddb_endpoint, fast_path=FAST_PATH)


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_library_requests_on_its_own_client_work_end_to_end(
    own_db: DB, ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Doc = define_doc(f"req-{uuid.uuid4().hex[:10]}")
    create_table_for(new_client(ddb_endpoint), Doc)
    assert own_db._executor.transport.takes_body is FAST_PATH
    sent = Sent(own_db.client, monkeypatch)
    db = own_db
    docs = [
        Doc(
            pk="p",
            sk=bytes([i, 0xFF]),
            n=i,
            blob=b"\x00" * i,
            blobs={b"a", bytes([i])},
            address=Address("c\u00e9", i),
            doc={"k": [1, None, {"deep": "x"}]},
        )
        for i in range(4)
    ]
    db.model(docs[0]).create()  # PutItem
    db.model(Doc).batch_write(puts=docs[1:])  # BatchWriteItem
    docs[0].n = 10
    docs[0].blob = b"\xfe"
    db.model(docs[0]).update("n", "blob")  # UpdateItem
    first = db.model(Doc).where("pk", "=", "p").where("sk", "=", docs[0].sk).first()  # GetItem
    assert first == docs[0]
    assert db.model(Doc).where("pk", "=", "p").where("sk", ">", b"\x01\xff").all() == docs[2:]
    assert db.model(Doc).batch_get([(d.pk, d.sk) for d in docs]) == docs
    with db.transaction() as tx:  # TransactWriteItems
        tx.model(Doc(pk="q", sk=b"\x00\x01", doc={"m": {"b": 1}})).create()
        tx.model(docs[3]).delete()
    assert db.model(Doc).batch_get([("q", b"\x00\x01"), ("p", docs[3].sk)]) == [
        Doc(pk="q", sk=b"\x00\x01", doc={"m": {"b": 1}})
    ]

    operations = [op for op, _ in sent.bodies]
    for op in ("PutItem", "BatchWriteItem", "UpdateItem", "GetItem", "Query", "BatchGetItem"):
        assert op in operations
    assert "TransactWriteItems" in operations
    if FAST_PATH:
        # Every body sent is the Rust core's, and botocore would have sent the same.
        assert len(sent.params) == len(sent.bodies)
        for (op, body), params in zip(sent.bodies, sent.params, strict=True):
            assert body == ENCODE(params)
            assert json.loads(body) == botocore_body(op, params)
    else:
        assert sent.params == []


def test_a_user_supplied_client_keeps_botocores_serializer(
    ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = new_client(ddb_endpoint)
    Doc = define_doc(f"req-{uuid.uuid4().hex[:10]}")
    create_table_for(client, Doc)
    db = DB(client=client, fast_path=FAST_PATH)
    assert not db._executor.transport.takes_body
    sent = Sent(client, monkeypatch)
    doc = Doc(pk="p", sk=b"\x00", blob=b"\xff", doc={"a": [1]})
    db.model(doc).create()
    assert db.model(Doc).where("pk", "=", "p").all() == [doc]
    assert sent.params == [] and len(sent.bodies) == 2
    # botocore's own bytes (its json.dumps output), not a rewrite.
    assert b'"Item": {' in sent.bodies[0][1]


def test_fast_path_false_keeps_botocores_serializer(
    ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    db = DB(region_name="us-east-1", endpoint_url=ddb_endpoint, fast_path=False)
    assert (
        not db._executor.transport.takes_body
        and not db.with_timeout(5)._executor.transport.takes_body
    )
    Doc = define_doc(f"req-{uuid.uuid4().hex[:10]}")
    create_table_for(new_client(ddb_endpoint), Doc)
    sent = Sent(db.client, monkeypatch)
    db.model(Doc(pk="p", sk=b"\x00")).create()
    assert sent.params == [] and len(sent.bodies) == 1


def test_values_the_core_refuses_go_through_botocore(own_db: DB, ddb_endpoint: str) -> None:
    Doc = define_doc(f"req-{uuid.uuid4().hex[:10]}")
    create_table_for(new_client(ddb_endpoint), Doc)
    own_db.model(Doc(pk="p", sk=b"\x00", n=3)).create()
    # A value the writer refuses: botocore's serializer gets the request
    # (and rejects it itself); a bytearray is binary to both.
    params = {
        "TableName": Doc.__dynamorm__.table,
        "Key": {"pk": {"S": "p"}, "sk": {"B": bytearray(b"\x00")}},
        "ProjectionExpression": "n",
        "ReturnConsumedCapacity": _Total(),
    }
    target = executor.Target(Doc, Doc.__dynamorm__.table)
    with pytest.raises(TypeError, match="JSON serializable"):
        own_db._executor.call("GetItem", params, target)
    params["ReturnConsumedCapacity"] = "NONE"
    response = own_db._executor.call("GetItem", params, target)
    item = response["Item"]  # a model on the fast read path, raw otherwise
    assert (item.n if isinstance(item, Doc) else item["n"]) in (3, {"N": "3"})


class _Total:
    """Not JSON data: the Rust core refuses it and botocore gets the request."""


def test_an_incompatible_botocore_falls_back_with_one_warning(
    ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A botocore that never emits the event the handler needs.
    monkeypatch.setattr(hooks, "REQUEST_EVENT", "before-call-gone.dynamodb")
    monkeypatch.setattr(hooks.request_verdict, "ok", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # botocore's pipeline on every call (the library's own request path does
    # not need the event; it wires the hooks only when it first needs them).
    monkeypatch.setenv("DYNAMORM_BOTOCORE_PIPELINE", "1")
    with caplog.at_level(logging.WARNING, logger="dynamorm"):
        first = DB(region_name="us-east-1", endpoint_url=ddb_endpoint)
        second = DB(region_name="us-east-1", endpoint_url=ddb_endpoint)
    assert not first._executor.transport.takes_body and not second._executor.transport.takes_body
    warnings = [r for r in caplog.records if "fast request path" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    Doc = define_doc(f"req-{uuid.uuid4().hex[:10]}")
    create_table_for(new_client(ddb_endpoint), Doc)
    first.model(Doc(pk="p", sk=b"\x00", blob=b"\x01")).create()
    assert first.model(Doc).where("pk", "=", "p").all() == [Doc(pk="p", sk=b"\x00", blob=b"\x01")]
