"""Values the Rust core reads and writes, against a real server: set fields
stored as lists by other clients, number sets whose elements write alike, and
raw expressions with parenthesised operands."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import DB, Model, expr, field
from dynamorm.errors import ConditionFailedError, ValidationError
from dynamorm.marshal import serialize_item

from tests.conftest import make_db
from tests.integration.db_models import Recorder, create_table_for, new_client


def define_basket(table: str) -> Any:
    class Basket(Model, table=table):
        id: str = field(pk=True)
        tags: set[str] = field(default_factory=set)
        counts: set[int] = field(default_factory=set)
        ratios: set[float] = field(default_factory=set)
        amounts: set[Decimal] = field(default_factory=set)
        blobs: set[bytes] = field(default_factory=set)
        n: int = 0

    return Basket


class Env:
    """A ``Basket`` table; ``db`` writes as the suite's ``DB``s do (with a
    recorder of the bodies sent), ``readers`` read on both read paths."""

    def __init__(self, endpoint: str) -> None:
        self.Basket = define_basket(f"baskets-{uuid.uuid4().hex[:10]}")
        self.client = new_client(endpoint)
        create_table_for(self.client, self.Basket)
        self.db = make_db(endpoint)
        self.recorder = Recorder(self.db.client)
        self.readers = {
            "fast path": DB(client=self.client),
            "standard path": DB(client=self.client, fast_path=False),
        }

    def put_raw(self, item: dict[str, Any]) -> None:
        """Writes ``item`` (DynamoDB JSON) with a plain boto3 ``put_item``."""
        self.client.put_item(TableName=self.Basket.__dynamorm__.table, Item=item)

    def raw(self, id: str) -> dict[str, Any]:
        """The stored item, read with a plain boto3 ``get_item``."""
        out = self.client.get_item(TableName=self.Basket.__dynamorm__.table, Key={"id": {"S": id}})
        item: dict[str, Any] = out["Item"]
        return item

    def sent(self, operation: str) -> dict[str, Any]:
        """The body of the last ``operation`` request the ``db`` sent."""
        for op, params in zip(
            reversed(self.recorder.ops), reversed(self.recorder.params), strict=True
        ):
            if op == operation:
                return params
        raise AssertionError(f"no {operation} was sent: {self.recorder.ops}")


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    e = Env(ddb_endpoint)
    yield e
    e.client.delete_table(TableName=e.Basket.__dynamorm__.table)


# -- set fields stored as lists ----------------------------------------------------


def test_set_fields_stored_as_lists_read_back_as_sets_on_both_read_paths(env: Env) -> None:
    env.put_raw(
        {
            "id": {"S": "b1"},
            "tags": {"L": [{"S": "red"}, {"S": "blue"}]},
            "counts": {"L": [{"N": "1"}, {"N": "20"}]},
            "ratios": {"L": [{"N": "0.5"}, {"N": "2"}]},
            "amounts": {"L": [{"N": "1.50"}, {"N": "7"}]},
            "blobs": {"L": [{"B": b"\x00"}, {"B": b"\xff"}]},
        }
    )
    for path, db in env.readers.items():
        for got in (
            db.model(env.Basket).where("id", "=", "b1").first(),  # GetItem
            db.model(env.Basket).where("id", "=", "b1").all()[0],  # Query
            db.model(env.Basket).scan()[0],
        ):
            assert got.tags == {"red", "blue"} and type(got.tags) is set, path
            assert got.counts == {1, 20} and all(type(c) is int for c in got.counts), path
            assert got.ratios == {0.5, 2.0} and all(type(r) is float for r in got.ratios), path
            assert got.amounts == {Decimal("1.50"), Decimal(7)}, path
            assert all(type(a) is Decimal for a in got.amounts), path
            assert got.blobs == {b"\x00", b"\xff"}, path


@pytest.mark.parametrize(
    ("attr", "elements", "reason"),
    [
        ("tags", [{"S": "red"}, {"S": "red"}], r"list element \[1\] repeats 'red'"),
        ("counts", [{"N": "1"}, {"N": "1.0"}], r"list element \[1\] repeats 1"),
        ("tags", [{"S": "red"}, {"N": "2"}], r"list element \[1\]: expected str, got int 2"),
        ("counts", [{"N": "1.5"}], r"list element \[0\]: expected an integer"),
    ],
)
def test_a_list_that_repeats_a_value_or_holds_another_type_is_refused_on_both_read_paths(
    env: Env, attr: str, elements: list[dict[str, Any]], reason: str
) -> None:
    env.put_raw({"id": {"S": "b2"}, attr: {"L": elements}})
    for path, db in env.readers.items():
        with pytest.raises(ValidationError, match=rf"^Basket\.{attr}: cannot read .*{reason}"):
            db.model(env.Basket).where("id", "=", "b2").first()
        with pytest.raises(ValidationError, match=rf"^Basket\.{attr}: "):
            db.model(env.Basket).scan()
        assert path


# -- number sets whose elements write alike -----------------------------------------

# Unequal in Python (the float is not exactly 0.1), both written "0.1".
ALIKE = {0.1, Decimal("0.1")}


def test_a_number_set_field_refuses_numbers_of_another_type_before_sending(env: Env) -> None:
    # 0.1 and Decimal("0.1") would both be written "0.1": a typed set holds
    # only its own element type, so neither set[float] nor set[Decimal]
    # takes both (an untyped set is deduplicated instead, below).
    assert len(ALIKE) == 2
    for name in ("ratios", "amounts"):
        with pytest.raises(ValidationError, match=rf"Basket\.{name}: expected set\["):
            env.db.model(env.Basket(id="b3", **{name: set(ALIKE)})).create()
    key = {"id": {"S": "b3"}}
    assert "Item" not in env.client.get_item(TableName=env.Basket.__dynamorm__.table, Key=key)
    env.db.model(env.Basket(id="b3", ratios={0.1}, amounts={Decimal("0.1")})).create()
    stored = env.raw("b3")
    assert stored["ratios"] == {"NS": ["0.1"]} and stored["amounts"] == {"NS": ["0.1"]}
    for db in env.readers.values():
        got = db.model(env.Basket).where("id", "=", "b3").first()
        assert got.ratios == {0.1} and got.amounts == {Decimal("0.1")}


def test_untyped_number_sets_from_marshal_are_stored_once(env: Env) -> None:
    item = serialize_item(
        {"id": "b4", "loose": {1.2345678901234567e30, 1234567890123456700000000000000}}
    )
    env.put_raw(item)
    assert env.raw("b4")["loose"] == {"NS": ["1234567890123456700000000000000"]}


def test_number_sets_in_update_and_condition_values_are_encoded_by_their_field(env: Env) -> None:
    # A set written empty is stored as NULL, which ADD cannot add to.
    env.db.model(env.Basket(id="b5", ratios={0.5}, amounts={Decimal("0.1")})).create()
    builder = env.db.model(env.Basket).where("id", "=", "b5").update_builder()
    with pytest.raises(ValidationError, match=r"Basket\.ratios: expected set\[float\]"):
        builder.add("ratios", {0.2, Decimal("0.2")})
    (
        env.db.model(env.Basket)
        .where("id", "=", "b5")
        .update_builder()
        .add("ratios", {0.2})
        .set("counts", {1, 2})
        .condition("amounts", "=", {Decimal("0.1")})
        .execute()
    )
    values = env.sent("UpdateItem")["ExpressionAttributeValues"]
    sets = sorted(sorted(v["NS"]) for v in values.values() if "NS" in v)
    assert sets == [["0.1"], ["0.2"], ["1", "2"]], values
    stored = env.raw("b5")
    assert sorted(stored["ratios"]["NS"]) == ["0.2", "0.5"]
    # The condition compares with the stored set: other values fail it.
    with pytest.raises(ConditionFailedError):
        env.db.model(env.Basket).where("id", "=", "b5").update_builder().set("n", 1).condition(
            "amounts", "=", {Decimal("0.1"), Decimal("0.3")}
        ).execute()


# -- parenthesised operands in raw expressions ----------------------------------------


def test_a_raw_condition_with_parenthesised_operands_is_accepted_and_holds(env: Env) -> None:
    env.db.model(env.Basket(id="b6", tags={"a", "b"}, n=3)).create()
    obj = env.Basket(id="b6", tags={"a", "b"}, n=4)
    names = {"#n": "n", "#t": "tags"}
    text = "((#n)) = (:three) AND (size(#t)) > :one AND begins_with((#t), :x) OR (#n) IN ((:x), :y)"
    with pytest.raises(ConditionFailedError):
        env.db.model(obj).with_condition_expression(
            text, {":three": 9, ":one": 1, ":x": "z", ":y": 8}, names=names
        ).create()
    assert env.raw("b6")["n"] == {"N": "3"}
    env.db.model(obj).with_condition_expression(
        "((#n)) = (:three) AND (size(#t)) > :one", {":three": 3, ":one": 1}, names=names
    ).create()
    assert env.raw("b6")["n"] == {"N": "4"}
    # The parentheses mean nothing and are not sent.
    sent = env.sent("PutItem")["ConditionExpression"]
    assert "(" not in sent.replace("size(", ""), sent


def test_a_raw_update_with_parenthesised_values_is_accepted(env: Env) -> None:
    env.db.model(env.Basket(id="b7", n=1)).create()
    compiled = expr.compile_request(
        update=expr.Raw(
            "SET #n = (#n + :two), #t = (:tags)",
            {":two": 2, ":tags": {"x"}},
            {"#n": "n", "#t": "tags"},
        ),
        condition=expr.Raw("(#n) < (:max)", {":max": 10}, {"#n": "n"}),
    )
    assert compiled.update == "SET #n = #n + :two, #t = :tags"
    env.client.update_item(
        TableName=env.Basket.__dynamorm__.table,
        Key={"id": {"S": "b7"}},
        UpdateExpression=compiled.update,
        ConditionExpression=compiled.condition,
        ExpressionAttributeNames=compiled.names,
        ExpressionAttributeValues=compiled.values,
    )
    stored = env.raw("b7")
    assert stored["n"] == {"N": "3"} and stored["tags"] == {"SS": ["x"]}
