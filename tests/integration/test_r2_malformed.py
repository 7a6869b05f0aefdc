"""A 200 answer that is cut short, not JSON, nested without end or of the
wrong shape (a broken proxy answering in the server's place) raises
``MalformedResponseError`` naming the operation and the model, on the fast
read path and on botocore's standard path alike — never ``AttributeError``,
``RecursionError`` or a bare ``ValueError``, and never an answer read as
empty (a cut-short GetItem is not "no item", a cut-short Query page is not
the last). Such an answer is not retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dynamorm import DB, Model, field
from dynamorm.errors import (
    BatchGetError,
    MalformedResponseError,
    RequestError,
    WriteOutcomeUnknownError,
)

from tests._support.proxy import FaultProxy
from tests.conftest import CLIENT, REGION, client_for

DEEP = b'{"X": ' + b"[" * 5000 + b"]" * 5000 + b"}"
"""Nesting botocore's ``json.loads`` meets with ``RecursionError``."""

ANY_ANSWER = {
    "truncated": b'{"ConsumedCapacity": {"TableName": "t"',
    "empty": b"",
    "not-json": b"<html>502 Bad Gateway</html>",
    "a-list": b"[]",
    "deep": DEEP,
}
"""Bodies no operation's answer may be."""


@pytest.fixture
def Note(make_table: Callable[..., str], ddb_client: Any) -> Any:
    class Note(Model, table=make_table()):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        n: int = 0
        data: bytes = b""

    ddb_client.put_item(
        TableName=Note.__dynamorm__.table,
        Item={"pk": {"S": "a"}, "sk": {"S": "s"}, "n": {"N": "1"}},
    )
    return Note


def db_on(proxy: FaultProxy, fast_path: bool) -> DB:
    if CLIENT == "own":
        return DB(region_name=REGION, endpoint_url=proxy.endpoint, fast_path=fast_path)
    client = client_for(proxy.endpoint, retries={"total_max_attempts": 1})
    return DB(client=client, fast_path=fast_path)


def get_item(db: DB, Note: Any) -> Any:
    return db.model(Note).where("pk", "=", "a").where("sk", "=", "s").first()


def query(db: DB, Note: Any) -> Any:
    return db.model(Note).where("pk", "=", "a").all()


def scan(db: DB, Note: Any) -> Any:
    return db.model(Note).scan()


def batch_get(db: DB, Note: Any) -> Any:
    return db.model(Note).batch_get([("a", "s")])


def transact_get(db: DB, Note: Any) -> Any:
    return db.transact_get().get(Note, ("a", "s")).execute()


def put_item(db: DB, Note: Any) -> Any:
    return db.model(Note(pk="b", sk="s", n=2)).create()


def update_item(db: DB, Note: Any) -> Any:
    note = get_item(db, Note)
    note.n = 5
    return db.model(note).update("n")


def delete_item(db: DB, Note: Any) -> Any:
    return db.model(Note(pk="a", sk="s")).delete()


CASES: list[tuple[str, Callable[[DB, Any], Any], dict[str, bytes]]] = [
    (
        "GetItem",
        get_item,
        {
            "truncated-item": b'{"Item": {"pk": {"S": "a"}, "n": {"N": "1',
            "item-is-a-number": b'{"Item": 5}',
            "item-is-a-list": b'{"Item": []}',
            "attribute-not-a-value": b'{"Item": {"pk": "a", "sk": {"S": "s"}}}',
            "attribute-with-two-types": b'{"Item": {"pk": {"S": "a", "N": "1"}}}',
            "attribute-null": b'{"Item": {"pk": null}}',
            "bad-base64": b'{"Item": {"pk": {"S": "a"}, "data": {"B": "!!"}}}',
        },
    ),
    (
        "Query",
        query,
        {
            "truncated-items": b'{"Items": [{"pk": {"S": "a"}, "sk": {"S": "s"}}, {"pk": {"S',
            "items-is-a-map": b'{"Items": {"a": 1}, "Count": 1}',
            "items-hold-null": b'{"Items": [null], "Count": 1}',
            "count-is-text": b'{"Items": [], "Count": "many"}',
            "count-is-a-fraction": b'{"Items": [], "Count": 0.5}',
            "last-key-is-a-number": b'{"Items": [], "Count": 0, "LastEvaluatedKey": 5}',
            "last-key-holds-text": b'{"Items": [], "LastEvaluatedKey": {"pk": "a"}}',
        },
    ),
    (
        "Scan",
        scan,
        {
            "items-is-text": b'{"Items": "none"}',
            "scanned-count-is-a-list": b'{"Items": [], "ScannedCount": []}',
        },
    ),
    (
        "BatchGetItem",
        batch_get,
        {
            "responses-is-a-list": b'{"Responses": []}',
            "table-items-is-a-number": b'{"Responses": {"t": 5}}',
            "unprocessed-is-a-list": b'{"Responses": {}, "UnprocessedKeys": []}',
            "unprocessed-keys-hold-text": b'{"UnprocessedKeys": {"t": {"Keys": ["a"]}}}',
        },
    ),
    (
        "TransactGetItems",
        transact_get,
        {
            "responses-is-a-map": b'{"Responses": {"a": 1}}',
            "response-is-a-number": b'{"Responses": [5]}',
            "response-item-is-text": b'{"Responses": [{"Item": "x"}]}',
        },
    ),
    ("PutItem", put_item, {"attributes-is-a-number": b'{"Attributes": 5}'}),
    (
        "UpdateItem",
        update_item,
        {
            "attributes-truncated": b'{"Attributes": {"n": {"N": "5"',
            "attribute-number-is-a-number": b'{"Attributes": {"n": {"N": 5}}}',
        },
    ),
    ("DeleteItem", delete_item, {"attributes-is-a-list": b'{"Attributes": [1]}'}),
]

PARAMS = [
    pytest.param((operation, run, body), id=f"{operation}-{name}")
    for operation, run, bodies in CASES
    for name, body in {**ANY_ANSWER, **bodies}.items()
]


def answer_with(proxy: FaultProxy, operation: str, body: bytes) -> None:
    proxy.custom(lambda op, request: (200, body), operation=operation)


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "standard-path"])
@pytest.mark.parametrize("case", PARAMS)
def test_a_malformed_answer_raises_a_dynamorm_error_naming_the_operation(
    fault_proxy: FaultProxy,
    Note: Any,
    fast_path: bool,
    case: tuple[str, Callable[[DB, Any], Any], bytes],
) -> None:
    operation, run, body = case
    db = db_on(fault_proxy, fast_path)
    answer_with(fault_proxy, operation, body)
    with pytest.raises((MalformedResponseError, BatchGetError, WriteOutcomeUnknownError)) as info:
        run(db, Note)
    error = info.value
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        # A 2xx answer to a write: it may have been applied, never reported failed.
        assert isinstance(error, WriteOutcomeUnknownError) and error.model == "Note"
        assert "may or may not have applied the write" in str(error)
        error = error.__cause__  # type: ignore[assignment]
        assert isinstance(error, MalformedResponseError)
    else:
        assert not isinstance(error, WriteOutcomeUnknownError)
    if isinstance(error, BatchGetError):
        # No key is lost: the chunk's key is reported unread.
        assert error.unprocessed_keys == [("a", "s")] and error.items == []
        error = error.__cause__  # type: ignore[assignment]
        assert isinstance(error, MalformedResponseError)
    assert isinstance(error, RequestError)
    assert str(error).startswith(f"{operation} on ") and "Note (table" in str(error)
    assert "answer could not be read" in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert len(fault_proxy.of(operation)) == 1  # not retried


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "standard-path"])
def test_the_message_says_where_the_answer_went_wrong(
    fault_proxy: FaultProxy, Note: Any, fast_path: bool
) -> None:
    db = db_on(fault_proxy, fast_path)
    answer_with(fault_proxy, "Query", b'{"Items": [{"pk": {"S": "a"}, "sk": {"S": 5}}]}')
    with pytest.raises(MalformedResponseError, match=r"Items\[0\]\.sk\.S: invalid type: integer"):
        query(db, Note)


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "standard-path"])
def test_well_formed_answers_with_members_the_model_does_not_know_still_read(
    fault_proxy: FaultProxy, Note: Any, fast_path: bool
) -> None:
    db = db_on(fault_proxy, fast_path)
    answer_with(
        fault_proxy,
        "GetItem",
        b'{"Item": {"pk": {"S": "a"}, "sk": {"S": "s"}, "n": {"N": "7"}, '
        b'"extra": {"M": {"x": {"L": [{"NULL": true}]}}}}, "SomethingNew": [1, {"a": null}]}',
    )
    assert get_item(db, Note).n == 7


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "standard-path"])
@pytest.mark.parametrize(
    "body",
    [b'{"Responses": []}', b'{"Responses": [{}, {}, {}]}', b"{}"],
    ids=["none", "one-too-many", "no-responses"],
)
def test_a_transact_get_answering_another_number_of_reads_is_malformed_not_absent_items(
    fault_proxy: FaultProxy, Note: Any, fast_path: bool, body: bytes
) -> None:
    db = db_on(fault_proxy, fast_path)
    answer_with(fault_proxy, "TransactGetItems", body)
    builder = db.transact_get().get(Note, ("a", "s")).get(Note, ("b", "s"))
    with pytest.raises(MalformedResponseError, match=r"answered \d of 2 reads"):
        builder.execute()
