"""The entity helpers (entities.py) and the requests an entity model's reads
and writes are built into (requests.py, update.py), without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from dynamorm import Model, field
from dynamorm.entities import entity_action, entity_filter, is_foreign, owned_items
from dynamorm.expr.conditions import make_term
from dynamorm.requests import (
    QueryState,
    instance_update,
    plan_read,
    put_params,
    scan_params,
    staged_item,
    update_params,
)
from dynamorm.update import UpdateBuilder


class User(Model, table="app", entity="user"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    name: str = ""
    status: str = field(default="active", gsi_pk="by-status")


class Kind(Model, table="app", entity="user", entity_attr="kind"):
    pk: str = field(pk=True)


class Plain(Model, table="app"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    name: str = ""


USER = User.__dynamorm__


def test_entity_filter_and_action_name_the_type_attribute() -> None:
    assert entity_filter(USER) == (["_type"], "=", "user")
    assert entity_action(USER) == ("set", ["_type"], "user")
    assert entity_filter(Kind.__dynamorm__) == (["kind"], "=", "user")
    assert entity_filter(Plain.__dynamorm__) is None
    assert entity_action(Plain.__dynamorm__) is None


@pytest.mark.parametrize(
    ("item", "foreign"),
    [
        ({"pk": {"S": "a"}, "_type": {"S": "user"}}, False),
        ({"pk": {"S": "a"}}, True),
        ({"pk": {"S": "a"}, "_type": {"S": "order"}}, True),
        ({"pk": {"S": "a"}, "_type": {"N": "1"}}, True),
        ({"pk": {"S": "a"}, "_type": {"SS": ["user"]}}, True),
        ({"pk": {"S": "a"}, "_type": "user"}, True),
        ({"pk": {"S": "a"}, "kind": {"S": "user"}}, True),
    ],
)
def test_is_foreign_unless_the_type_attribute_holds_the_entity(
    item: dict[str, Any], foreign: bool
) -> None:
    assert is_foreign(USER, item) is foreign


def test_nothing_is_foreign_to_a_model_without_entity() -> None:
    plain = Plain.__dynamorm__
    items = [{"pk": {"S": "a"}, "_type": {"S": "order"}}, {"pk": {"S": "b"}}]
    assert not any(is_foreign(plain, item) for item in items)
    assert owned_items(plain, items) is items


def test_owned_items_keeps_the_models_own_in_order() -> None:
    items = [
        {"pk": {"S": "1"}, "_type": {"S": "user"}},
        {"pk": {"S": "2"}},
        {"pk": {"S": "3"}, "_type": {"S": "user"}},
    ]
    assert owned_items(USER, items) == [items[0], items[2]]


# -- requests -------------------------------------------------------------------


def _state(*where: tuple[Any, ...]) -> QueryState:
    state = QueryState(meta=USER)
    state.where.extend(make_term(USER, *w) for w in where)
    return state


def _filter_value(params: dict[str, Any]) -> list[Any]:
    return list(params["ExpressionAttributeValues"].values())


def test_a_query_filters_on_the_type_attribute() -> None:
    params = plan_read(_state(("pk", "=", "a")), "all").params
    assert params["FilterExpression"] == "#n1 = :v1"
    assert params["ExpressionAttributeNames"]["#n1"] == "_type"
    assert params["ExpressionAttributeValues"][":v1"] == {"S": "user"}


def test_the_type_filter_is_anded_with_the_other_filters() -> None:
    params = plan_read(_state(("pk", "=", "a"), ("name", "=", "Ada")), "all").params
    assert " AND " in params["FilterExpression"]
    assert {"S": "Ada"} in _filter_value(params)
    assert {"S": "user"} in _filter_value(params)


def test_an_index_query_and_a_scan_filter_on_the_type_attribute() -> None:
    index = plan_read(_state(("status", "=", "active")), "all")
    assert index.index == "by-status"
    assert {"S": "user"} in _filter_value(index.params)
    assert {"S": "user"} in _filter_value(scan_params(_state()))


def test_a_get_item_has_no_filter_and_a_plain_models_reads_none() -> None:
    get = plan_read(_state(("pk", "=", "a"), ("sk", "=", "b")), "first", single=True)
    assert get.operation == "GetItem"
    assert "FilterExpression" not in get.params
    plain = QueryState(meta=Plain.__dynamorm__)
    plain.where.append(make_term(Plain.__dynamorm__, "pk", "=", "a"))
    assert "FilterExpression" not in plan_read(plain, "all").params
    assert "FilterExpression" not in scan_params(QueryState(meta=Plain.__dynamorm__))


def test_a_put_writes_the_type_attribute() -> None:
    item = staged_item(User(pk="a", sk="b"), {})
    assert put_params(USER, item)["Item"]["_type"] == {"S": "user"}


def test_every_update_sets_the_type_attribute() -> None:
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    params = update_params(USER, key, [("set", ["name"], "x")])
    assert params["UpdateExpression"] == "SET #n0 = :v0, #n1 = :v1"
    assert params["ExpressionAttributeNames"]["#n1"] == "_type"
    assert params["ExpressionAttributeValues"][":v1"] == {"S": "user"}
    plain = update_params(Plain.__dynamorm__, key, [("set", ["name"], "x")])
    assert plain["UpdateExpression"] == "SET #n0 = :v0"


def test_an_instance_update_and_the_update_builder_set_the_type_attribute() -> None:
    obj = User(pk="a", sk="b", name="x")
    actions, conditions, _ = instance_update(USER, obj, ["name"], datetime.now(UTC))
    params = update_params(USER, {"pk": {"S": "a"}, "sk": {"S": "b"}}, actions, conditions)
    assert "_type" in params["ExpressionAttributeNames"].values()
    builder = UpdateBuilder(USER, {"pk": {"S": "a"}, "sk": {"S": "b"}}).set("name", "y")
    assert {"S": "user"} in builder.to_params()["ExpressionAttributeValues"].values()
