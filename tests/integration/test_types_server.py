"""Types all the way down through a real server: random type trees (four
deep) written by the suite's ``DB`` and read back, on the fast read path and
on botocore's standard path, as exactly the value written — and stored as
the model's own ``to_item`` says, which is what another client reads."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import pytest
from dynamorm import DB, Model, field
from dynamorm.errors import ValidationError
from dynamorm.marshal import deserialize_item
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._support.type_trees import Tree, model_with, trees
from tests.conftest import client_for, make_db
from tests.unit.model.test_types_roundtrip import exactly


def same(value: Any) -> Any:
    """``value`` spelled out type for type, numbers by value (DynamoDB, and
    dynalite, store ``Decimal("1.50")`` as ``1.5``)."""
    return exactly(value, numbers_by_value=True)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Tree, Any]:
    tree = draw(trees(4))
    return tree, draw(tree.values)


def test_random_type_trees_round_trip_through_the_server_on_both_read_paths(
    ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    table = make_table(sk=None)
    writer = make_db(ddb_endpoint)
    raw = client_for(ddb_endpoint)
    readers = {
        "fast path": DB(client=raw),
        "standard path": DB(client=raw, fast_path=False),
    }

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(case=cases())
    def round_trip(case: tuple[Tree, Any]) -> None:
        tree, value = case
        model = model_with(tree.annotation, table)
        obj = model(pk="p", v=value)
        writer.model(obj).create_or_update()
        stored = raw.get_item(TableName=table, Key={"pk": {"S": "p"}})["Item"]
        # Sets are unordered on the wire, and numbers may be trimmed: compared
        # as values.
        assert deserialize_item(stored) == deserialize_item(obj.to_item())
        for path, db in readers.items():
            got = db.model(model).where("pk", "=", "p").first()
            assert same(got.v) == same(value), (path, tree.annotation, stored)
            (listed,) = db.model(model).where("pk", "=", "p").all()
            assert same(listed.v) == same(value), (path, "Query", tree.annotation)

    round_trip()


class Color(enum.Enum):
    RED = "red"


def test_a_stored_value_that_names_no_enum_member_is_refused_with_the_item_on_both_read_paths(
    ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    table = make_table(sk=None)

    class Paint(Model, table=table):
        pk: str = field(pk=True)
        color: Color = Color.RED

    raw = client_for(ddb_endpoint)
    stored = {"pk": {"S": "p"}, "color": {"S": "mauve"}}
    raw.put_item(TableName=table, Item=stored)
    for db in (make_db(ddb_endpoint), DB(client=raw), DB(client=raw, fast_path=False)):
        query = db.model(Paint).where("pk", "=", "p")
        for read in (query.first, query.all):
            with pytest.raises(
                ValidationError,
                match=r"Paint\.color: cannot read .*'mauve' is not a value of Color",
            ) as info:
                read()
            assert info.value.item == stored
