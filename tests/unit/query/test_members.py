"""A collection's members (``query/members.py``) and builders
(``query/collection.py``) without I/O: which models may share a partition,
the filter a collection sends, and what is refused before any request (the
DB's endpoint is a closed port: a request sent would fail otherwise)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from dynamorm import DB, Model, field
from dynamorm.errors import ValidationError
from dynamorm.expr import compile_request
from dynamorm.query.members import MemberFilters, Members


class User(Model, table="app", entity="user"):
    user_id: str
    name: str = ""
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="PROFILE")


class Order(Model, table="app", entity="order"):
    user_id: str
    order_id: str
    total: Decimal = Decimal(0)
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="ORDER#{order_id}")


class Plain(Model, table="app"):
    user_id: str
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="PLAIN")


class Elsewhere(Model, table="other", entity="x"):
    user_id: str
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="X")


class Renamed(Model, table="app", entity="r", entity_attr="kind"):
    user_id: str
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="R")


class AlsoUser(Model, table="app", entity="user"):
    user_id: str
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="OTHER")


class Account(Model, table="app", entity="account"):
    account_id: str
    pk: str = field(pk=True, template="ACCOUNT#{account_id}")
    sk: str = field(sk=True, template="A")


class Numbered(Model, table="app", entity="numbered"):
    user_id: int
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="N")


class NoSort(Model, table="app", entity="nosort"):
    user_id: str
    pk: str = field(pk=True, template="USER#{user_id}")


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ((), "needs at least one model"),
        ((User, "Order"), "takes Model classes, got 'Order'"),
        ((User(user_id="u"),), "takes Model classes"),
        ((User, Plain), "Plain is not an entity model"),
        ((User, User), "User is given twice"),
        ((User, AlsoUser), "User and AlsoUser are both entity 'user'"),
        ((User, Elsewhere), "Elsewhere is stored in table 'other' and User in 'app'"),
        ((User, Renamed), "Renamed keeps its type in 'kind' and User in '_type'"),
        ((User, Account), "built as template 'USER#{user_id}' in User and as template"),
        ((User, Numbered), "field 'user_id' has another type in Numbered than in User"),
        ((User, NoSort), "the sort key of the table's key is 'sk' in User and absent in NoSort"),
    ],
)
def test_models_that_cannot_share_a_partition_are_refused_naming_the_model(
    models: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Members.of(models)


def _filter(filters: MemberFilters) -> dict[str, Any]:
    return compile_request(filter=[filters.clause()]).to_params()


def test_the_filter_of_a_collection_without_filters_is_its_members_types() -> None:
    sent = _filter(MemberFilters(Members.of((User, Order))))
    assert sent["FilterExpression"] == "#n0 IN (:v0, :v1)"
    assert sent["ExpressionAttributeValues"] == {":v0": {"S": "user"}, ":v1": {"S": "order"}}
    one = _filter(MemberFilters(Members.of((Order,))))
    assert one["FilterExpression"] == "#n0 = :v0"


def test_a_filter_for_one_member_joins_its_type_only() -> None:
    filters = MemberFilters(Members.of((User, Order)))
    filters.add("total", ">", Decimal(5), Order)
    sent = _filter(filters)
    # AND binds tighter than OR.
    assert sent["FilterExpression"] == "#n0 = :v0 OR #n0 = :v1 AND #n1 > :v2"
    assert sent["ExpressionAttributeNames"] == {"#n0": "_type", "#n1": "total"}


def test_a_filter_for_every_member_leaves_out_the_members_without_the_field() -> None:
    filters = MemberFilters(Members.of((User, Order)))
    filters.add("total", ">", Decimal(5), None)
    assert _filter(filters)["FilterExpression"] == "#n0 = :v0 AND #n1 > :v1"
    with pytest.raises(ValidationError, match="no model has a field 'nope'"):
        filters.add("nope", "=", 1, None)
    with pytest.raises(ValidationError, match=r"collection\(User, Order\): Plain is not one"):
        filters.add("user_id", "=", "u", Plain)


@pytest.fixture
def db() -> DB:
    return DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")


def test_where_takes_only_the_shared_partition_keys_fields_with_equals(db: DB) -> None:
    with pytest.raises(ValidationError, match="'name' does not give the partition key"):
        db.collection(User, Order).where(name="Ada")
    with pytest.raises(ValidationError, match="compare its key fields with '='"):
        db.collection(User, Order).where("user_id", "BEGINS_WITH", "u")
    missing = r"collection\(User, Order\).all\(\): no partition given: where\(user_id=...\)"
    with pytest.raises(ValidationError, match=missing):
        db.collection(User, Order).all()


def test_of_refuses_a_model_outside_the_collection(db: DB) -> None:
    from dynamorm.query.collection import CollectionItems

    items = CollectionItems([User(user_id="u"), Order(user_id="u", order_id="o")], (User, Order))
    assert [type(i) for i in items.of(Order)] == [Order]
    with pytest.raises(ValidationError, match="Plain is not one of its models"):
        items.of(Plain)
