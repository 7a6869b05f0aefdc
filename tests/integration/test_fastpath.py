"""The fast read path (``dynamorm.transport.hooks``) against a real server.

The library's item reads decoded by the Rust core must give exactly what
botocore's standard path gives (models, counts, cursors, errors); the user's
own calls on a client given to ``DB`` must be untouched; and a botocore that
does not behave as the hook expects must leave one warning and the standard
path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import DB, Model, field
from dynamorm.errors import ValidationError
from dynamorm.transport import hooks
from dynamorm.transport.executor import Target
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.db_models import create_table_for, new_client


@dataclasses.dataclass
class Address:
    city: str = ""
    zip: int = 0


def define_thing(table: str) -> Any:
    class Thing(Model, table=table):
        pk: str = field(pk=True)
        sk: bytes = field(sk=True)
        n: int = 0
        big: int = 0
        f: float = 0.0
        d: Decimal = Decimal("0")
        s: str = ""
        flag: bool = False
        blob: bytes | None = None
        tags: set[str] = field(default_factory=set)
        nums: set[int] = field(default_factory=set)
        ratios: set[float] = field(default_factory=set)
        blobs: set[bytes] = field(default_factory=set)
        when: dt.datetime | None = None
        address: Address | None = None
        doc: dict[str, Any] = field(default_factory=dict)
        items: list[Any] = field(default_factory=list)
        anything: Any = None
        opt: str | None = None

    return Thing


class Pair:
    """One table read through two ``DB``s on one client: fast and standard."""

    def __init__(self, endpoint: str) -> None:
        self.client = new_client(endpoint)
        self.fast = DB(client=self.client)
        self.std = DB(client=self.client, fast_path=False)
        self.Thing = define_thing(f"things-{uuid.uuid4().hex[:10]}")
        create_table_for(self.client, self.Thing)


@pytest.fixture(scope="module")
def pair(ddb_endpoint: str) -> Pair:
    return Pair(ddb_endpoint)


# -- values -----------------------------------------------------------------

texts = st.text(max_size=12)
names = st.text(min_size=1, max_size=8)
numbers = st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False, places=3
)
plain = st.recursive(
    st.none()
    | st.booleans()
    | texts
    | st.integers(-(10**20), 10**20)
    | numbers
    | st.binary(min_size=1, max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)
floats = st.floats(-1e30, 1e30, allow_nan=False).map(lambda x: float(f"{x:.12g}"))
floats = floats.filter(lambda x: x == 0 or abs(x) > 1e-100)
stamps = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)


@st.composite
def things(draw: st.DrawFn, Thing: Any, pk: str, count: int) -> list[Any]:
    sks = draw(
        st.lists(st.binary(min_size=1, max_size=6), min_size=count, max_size=count, unique=True)
    )
    out = []
    for sk in sks:
        out.append(
            Thing(
                pk=pk,
                sk=sk,
                n=draw(st.integers(-(2**62), 2**62)),
                big=draw(st.integers(-(10**37), 10**37)),
                f=draw(floats),
                d=draw(numbers),
                s=draw(texts),
                flag=draw(st.booleans()),
                blob=draw(st.none() | st.binary(min_size=1, max_size=10)),
                tags=draw(st.sets(texts.filter(bool), max_size=3)),
                nums=draw(st.sets(st.integers(-1000, 1000), max_size=3)),
                ratios=draw(st.sets(st.sampled_from([0.5, 1.25, -3.0, 1e10]), max_size=2)),
                blobs=draw(st.sets(st.binary(min_size=1, max_size=4), max_size=3)),
                when=draw(st.none() | stamps),
                address=draw(st.none() | st.builds(Address, texts, st.integers(0, 99999))),
                doc=draw(st.dictionaries(names, plain, max_size=3)),
                items=draw(st.lists(plain, max_size=3)),
                anything=draw(plain),
                opt=draw(st.none() | texts),
            )
        )
    return out


def query_pages(db: DB, Thing: Any, pk: str, size: int) -> list[tuple[list[Any], Any, int]]:
    pages = []
    cursor = None
    while True:
        page = db.model(Thing).where("pk", "=", pk).limit(size).cursor(cursor).all_paginated()
        pages.append((page.items, page.next_cursor, page.count))
        cursor = page.next_cursor
        if cursor is None:
            return pages


# -- differential -----------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), count=st.integers(1, 7), size=st.integers(1, 4))
def test_fast_and_standard_paths_read_the_same(
    pair: Pair, data: st.DataObject, count: int, size: int
) -> None:
    Thing = pair.Thing
    pk = uuid.uuid4().hex
    written = data.draw(things(Thing, pk, count))
    for obj in written:
        pair.std.model(obj).create_or_update()
    keys = [(obj.pk, obj.sk) for obj in written]

    fast_all = pair.fast.model(Thing).where("pk", "=", pk).all()
    assert fast_all == pair.std.model(Thing).where("pk", "=", pk).all()
    assert sorted(fast_all, key=lambda t: t.sk) == sorted(written, key=lambda t: t.sk)
    assert [vars(t) for t in fast_all] == [
        vars(t) for t in pair.std.model(Thing).where("pk", "=", pk).all()
    ]
    # Identical pagination: the same pages, counts and cursors.
    assert query_pages(pair.fast, Thing, pk, size) == query_pages(pair.std, Thing, pk, size)

    one = keys[0]
    first = pair.fast.model(Thing).where("pk", "=", one[0]).where("sk", "=", one[1]).first()
    assert first == pair.std.model(Thing).where("pk", "=", one[0]).where("sk", "=", one[1]).first()
    assert pair.fast.model(Thing).batch_get(keys) == pair.std.model(Thing).batch_get(keys)
    assert pair.fast.model(Thing).batch_get(keys) == written


def test_the_fast_path_is_taken_and_marks_its_responses(pair: Pair) -> None:
    Thing = pair.Thing
    pk = uuid.uuid4().hex
    for i in range(3):
        pair.std.model(Thing(pk=pk, sk=bytes([i]), n=i)).create()
    params = {
        "TableName": Thing.__dynamorm__.table,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": pk}},
        "Limit": 2,
    }
    target = Target(Thing, Thing.__dynamorm__.table)
    fast = pair.fast._executor.call("Query", params, target)
    std = pair.std._executor.call("Query", params, target)
    assert pair.fast.fast_path and not pair.std.fast_path
    assert fast[hooks.DECODED] is True and hooks.DECODED not in std
    assert fast["Items"] == [Thing.from_item(item) for item in std["Items"]]
    # Members other than the items are botocore's own parse: binary as bytes.
    assert (
        fast["LastEvaluatedKey"]
        == std["LastEvaluatedKey"]
        == {
            "pk": {"S": pk},
            "sk": {"B": b"\x01"},
        }
    )
    assert (fast["Count"], fast["ScannedCount"]) == (std["Count"], std["ScannedCount"]) == (2, 2)


def test_an_item_that_does_not_fit_fails_alike_on_both_paths(pair: Pair) -> None:
    Thing = pair.Thing
    pk = uuid.uuid4().hex
    pair.client.put_item(
        TableName=Thing.__dynamorm__.table,
        Item={"pk": {"S": pk}, "sk": {"B": b"x"}, "n": {"S": "not a number"}},
    )
    errors = []
    for db in (pair.fast, pair.std):
        with pytest.raises(ValidationError) as info:
            db.model(Thing).where("pk", "=", pk).all()
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "Thing.n" in errors[0]


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_transact_get_reads_the_same(pair: Pair) -> None:
    Thing = pair.Thing
    pk = uuid.uuid4().hex
    pair.std.model(Thing(pk=pk, sk=b"a", s="x", doc={"k": [1, None]})).create()
    reads = []
    for db in (pair.fast, pair.std):
        tx = db.transact_get().get(Thing, (pk, b"a")).get(Thing, (pk, b"missing"))
        reads.append(tx.execute())
    assert reads[0] == reads[1]
    assert reads[0][0].doc == {"k": [1, None]} and reads[0][1] is None


# -- the user's own calls ---------------------------------------------------


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_user_calls_on_a_client_given_to_db_are_untouched(ddb_endpoint: str) -> None:
    client = new_client(ddb_endpoint)
    plain = new_client(ddb_endpoint)
    table = f"things-{uuid.uuid4().hex[:10]}"
    Thing = define_thing(table)
    create_table_for(client, Thing)
    db = DB(client=client)
    assert db.fast_path
    pk = uuid.uuid4().hex
    for i in range(3):
        db.model(Thing(pk=pk, sk=bytes([i]), blob=b"\x00\xff", tags={"a"})).create()
    key = {"pk": {"S": pk}, "sk": {"B": b"\x01"}}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_item", {"TableName": table, "Key": key}),
        (
            "query",
            {
                "TableName": table,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": pk}},
                "Limit": 2,
            },
        ),
        ("scan", {"TableName": table}),
        ("batch_get_item", {"RequestItems": {table: {"Keys": [key]}}}),
    ]
    for name, params in calls:
        db.model(Thing).where("pk", "=", pk).all()  # the library's reads in between
        mine = getattr(client, name)(**params)
        theirs = getattr(plain, name)(**params)
        assert hooks.DECODED not in mine
        assert _strip(mine) == _strip(theirs), name
    item = client.get_item(TableName=table, Key=key)["Item"]
    assert item["blob"] == {"B": b"\x00\xff"} and item["sk"] == {"B": b"\x01"}


# -- fallback ---------------------------------------------------------------


def test_an_incompatible_botocore_falls_back_with_one_warning(
    ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A botocore without the event the hook needs: the probe sees the
    # canned response parsed by botocore alone.
    monkeypatch.setattr(hooks, "EVENT", "before-parse-gone.dynamodb")
    monkeypatch.setattr(hooks.verdict, "ok", None)
    client = new_client(ddb_endpoint)
    table = f"things-{uuid.uuid4().hex[:10]}"
    Thing = define_thing(table)
    create_table_for(client, Thing)
    with caplog.at_level(logging.WARNING, logger="dynamorm"):
        first = DB(client=client)
        second = DB(client=new_client(ddb_endpoint))
    assert not first.fast_path and not second.fast_path
    warnings = [r for r in caplog.records if "fast read path" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    first.model(Thing(pk="p", sk=b"s", n=5)).create()
    assert first.model(Thing).where("pk", "=", "p").all() == [Thing(pk="p", sk=b"s", n=5)]
    response = first._executor.call(
        "Query",
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "p"}},
        },
        Target(Thing, table),
    )
    assert hooks.DECODED not in response


def test_fast_path_false_never_wires_the_client(ddb_endpoint: str) -> None:
    client = new_client(ddb_endpoint)
    table = f"things-{uuid.uuid4().hex[:10]}"
    Thing = define_thing(table)
    create_table_for(client, Thing)
    db = DB(client=client, fast_path=False)
    assert not db.fast_path
    assert not db.with_timeout(5).fast_path
    db.model(Thing(pk="p", sk=b"s")).create()
    # Even a request marked for decoding is left to botocore: no handler.
    with hooks.decoding("Scan", Thing.__dynamorm_codec__.schema):
        response = client.scan(TableName=table)
    assert hooks.DECODED not in response
    assert [item["pk"] for item in response["Items"]] == [{"S": "p"}]
    with pytest.raises(ValidationError, match="fast_path"):
        DB(client=client, fast_path="yes")  # type: ignore[arg-type]
