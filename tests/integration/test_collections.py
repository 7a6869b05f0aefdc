"""Collections against the server (SPEC §17, ``db.collection``): one Query
over the partition several entity models share, each item read as its own
model in sort-key order — with filters for every member or for one, pages
(also filled) and cursors, a shared GSI, items other clients wrote, and the
items of other types left out."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import Model, field
from dynamorm.errors import ValidationError

from tests.conftest import make_db
from tests.integration.db_models import Recorder, create_table_for


@dataclass
class Env:
    """A table holding, in partition ``USER#u1``: a user profile, five
    orders, two order lines of order ``o2``, an address (an entity not in
    the collections) and an item without a type; and user ``u2``'s
    profile and one order."""

    db: Any
    recorder: Recorder
    table: str
    User: Any
    Order: Any
    Line: Any
    Address: Any


def _models(table: str) -> tuple[Any, Any, Any, Any]:
    class User(Model, table=table, entity="user"):
        user_id: str
        name: str = ""
        account: str = field(default="acme", gsi_pk="by-account")
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="PROFILE")

    class Order(Model, table=table, entity="order"):
        user_id: str
        order_id: str
        status: str = "open"
        total: Decimal = Decimal(0)
        account: str = field(default="acme", gsi_pk="by-account")
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ORDER#{order_id}")

    class Line(Model, table=table, entity="line"):
        user_id: str
        order_id: str
        n: int
        sku: str = ""
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ORDER#{order_id}#LINE#{n:03d}")

    class Address(Model, table=table, entity="address"):
        user_id: str
        city: str = ""
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ADDRESS")

    return User, Order, Line, Address


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    db = make_db(ddb_endpoint)
    table = f"st-{uuid.uuid4().hex[:10]}"
    user, order, line, address = _models(table)
    create_table_for(db.client, user)
    db.model(user(user_id="u1", name="Ada")).create()
    for n in range(1, 6):
        status = "open" if n % 2 else "shipped"
        total = Decimal(n * 10)
        db.model(order(user_id="u1", order_id=f"o{n}", status=status, total=total)).create()
    for n in (1, 2):
        db.model(line(user_id="u1", order_id="o2", n=n, sku=f"sku-{n}")).create()
    db.model(address(user_id="u1", city="Paris")).create()
    db.client.put_item(
        TableName=table, Item={"pk": {"S": "USER#u1"}, "sk": {"S": "NOTE"}, "text": {"S": "x"}}
    )
    db.model(user(user_id="u2", name="Bob")).create()
    db.model(order(user_id="u2", order_id="o9")).create()
    recorder = Recorder(db.client)
    yield Env(db, recorder, table, user, order, line, address)
    db.client.delete_table(TableName=table)


def _keys(items: Any) -> list[str]:
    return [item.sk for item in items]


U1_SORTED = [
    "ORDER#o1",
    "ORDER#o2",
    "ORDER#o2#LINE#001",
    "ORDER#o2#LINE#002",
    "ORDER#o3",
    "ORDER#o4",
    "ORDER#o5",
    "PROFILE",
]
"""The sort keys of user u1's users, orders and lines, in sort-key order."""


def test_all_reads_each_item_as_its_own_model_in_sort_key_order_in_one_query(
    env: Env,
) -> None:
    items = env.db.collection(env.User, env.Order, env.Line).where(user_id="u1").all()
    assert _keys(items) == U1_SORTED
    assert [type(item).__name__ for item in items] == ["Order"] * 2 + ["Line"] * 2 + [
        "Order"
    ] * 3 + ["User"]
    assert env.recorder.ops == ["Query"]
    (user,) = items.of(env.User)
    assert (user.user_id, user.name) == ("u1", "Ada")
    assert [o.order_id for o in items.of(env.Order)] == ["o1", "o2", "o3", "o4", "o5"]
    assert [o.total for o in items.of(env.Order)] == [Decimal(10 * n) for n in range(1, 6)]
    assert [(line.order_id, line.n) for line in items.of(env.Line)] == [("o2", 1), ("o2", 2)]


def test_items_of_other_types_and_untyped_items_in_the_partition_are_left_out(
    env: Env,
) -> None:
    items = env.db.collection(env.User, env.Order).where(user_id="u1").all()
    assert {type(item).__name__ for item in items} == {"User", "Order"}
    assert "ADDRESS" not in _keys(items) and "NOTE" not in _keys(items)
    assert env.db.collection(env.User, env.Order).where(user_id="u1").count() == 6
    # The filter on the members' types is the server's: nothing else comes back.
    sent = env.recorder.params[0]
    assert " IN " in sent["FilterExpression"]
    values = {av["S"] for av in sent["ExpressionAttributeValues"].values()}
    assert {"user", "order"} <= values and "address" not in values


def test_where_with_an_operator_reads_the_same_partition_as_keywords(env: Env) -> None:
    by_keyword = env.db.collection(env.User, env.Order).where(user_id="u2").all()
    by_term = env.db.collection(env.User, env.Order).where("user_id", "=", "u2").all()
    assert _keys(by_keyword) == _keys(by_term) == ["ORDER#o9", "PROFILE"]
    assert env.recorder.params[0]["KeyConditionExpression"].count("=") == 1


def test_a_filter_for_one_model_filters_its_items_and_lets_the_others_pass(env: Env) -> None:
    items = (
        env.db.collection(env.User, env.Order)
        .where(user_id="u1")
        .filter("status", "=", "shipped", model=env.Order)
        .all()
    )
    assert _keys(items) == ["ORDER#o2", "ORDER#o4", "PROFILE"]


def test_a_filter_for_every_model_drops_the_models_without_its_field(env: Env) -> None:
    items = (
        env.db.collection(env.User, env.Order)
        .where(user_id="u1")
        .filter("total", ">=", Decimal(30))
        .all()
    )
    assert _keys(items) == ["ORDER#o3", "ORDER#o4", "ORDER#o5"]
    # A field every member has filters them all.
    shared = (
        env.db.collection(env.User, env.Order)
        .where(user_id="u1")
        .filter("account", "=", "acme")
        .all()
    )
    assert len(shared) == 6


def test_a_filter_group_for_one_model_is_parenthesised_within_its_branch(env: Env) -> None:
    items = (
        env.db.collection(env.User, env.Order)
        .where(user_id="u1")
        .filter_group(
            lambda g: g.filter("total", "<", Decimal(20)).or_filter("total", ">", Decimal(40)),
            model=env.Order,
        )
        .all()
    )
    assert _keys(items) == ["ORDER#o1", "ORDER#o5", "PROFILE"]


def test_order_by_the_sort_key_descending_reverses_the_items(env: Env) -> None:
    items = (
        env.db.collection(env.User, env.Order, env.Line)
        .where(user_id="u1")
        .order_by("sk", "DESC")
        .all()
    )
    assert _keys(items) == list(reversed(U1_SORTED))


def test_pages_walk_the_collection_and_a_cursor_resumes_in_a_new_collection(env: Env) -> None:
    pages = []
    cursor: str | None = None
    while True:
        page = (
            env.db.collection(env.User, env.Order, env.Line)
            .where(user_id="u1")
            .limit(3)
            .cursor(cursor)
            .all_paginated()
        )
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [key for page in pages for key in _keys(page.items)] == U1_SORTED
    # The page size counts the items read: the address and the untyped note
    # sort first and are read, then left out by the filter.
    assert [(page.count, page.scanned_count) for page in pages] == [(1, 3), (3, 3), (3, 3), (1, 1)]
    assert [o.order_id for o in pages[1].of(env.Order)] == ["o2"]
    assert [line.n for line in pages[1].of(env.Line)] == [1, 2]
    assert pages[1].of(env.User) == []


def test_filled_pages_hold_the_page_size_while_a_filter_drops_most_items(env: Env) -> None:
    db = env.db
    for n in range(10, 50):
        db.model(env.Order(user_id="u3", order_id=f"o{n}", status="open")).create()
    for n in range(50, 54):
        db.model(env.Order(user_id="u3", order_id=f"o{n}", status="shipped")).create()
    db.model(env.User(user_id="u3", name="Cy")).create()
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page = (
            db.collection(env.User, env.Order)
            .where(user_id="u3")
            .filter("status", "=", "shipped", model=env.Order)
            .limit(2)
            .cursor(cursor)
            .all_paginated(fill=True)
        )
        pages.append(_keys(page.items))
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages[:3] == [["ORDER#o50", "ORDER#o51"], ["ORDER#o52", "ORDER#o53"], ["PROFILE"]]
    assert [key for page in pages for key in page] == [
        "ORDER#o50",
        "ORDER#o51",
        "ORDER#o52",
        "ORDER#o53",
        "PROFILE",
    ]


def test_iter_hands_out_the_items_page_by_page(env: Env) -> None:
    items = list(
        env.db.collection(env.User, env.Order, env.Line).where(user_id="u1").limit(8).iter()
    )
    assert _keys(items) == U1_SORTED


def test_items_another_client_wrote_with_only_keys_and_type_read_their_fields_from_the_keys(
    env: Env,
) -> None:
    client = env.db.client
    client.put_item(
        TableName=env.table,
        Item={"pk": {"S": "USER#u7"}, "sk": {"S": "ORDER#x1"}, "_type": {"S": "order"}},
    )
    client.put_item(
        TableName=env.table,
        Item={"pk": {"S": "USER#u7"}, "sk": {"S": "ORDER#x1#LINE#004"}, "_type": {"S": "line"}},
    )
    items = env.db.collection(env.Order, env.Line).where(user_id="u7").all()
    (order,) = items.of(env.Order)
    (line,) = items.of(env.Line)
    assert (order.user_id, order.order_id, order.status) == ("u7", "x1", "open")
    assert (line.user_id, line.order_id, line.n) == ("u7", "x1", 4)


def test_a_collection_reads_a_gsi_the_models_share(env: Env) -> None:
    items = env.db.collection(env.User, env.Order).index("by-account").where(account="acme").all()
    assert len(items.of(env.User)) == 2
    assert len(items.of(env.Order)) == 6
    assert env.recorder.params[-1]["IndexName"] == "by-account"


def test_a_key_no_member_shares_or_a_field_outside_the_partition_key_is_refused_unsent(
    env: Env,
) -> None:
    with pytest.raises(ValidationError, match=r"collection\(User, Line\): cannot read index"):
        env.db.collection(env.User, env.Line).index("by-account")
    with pytest.raises(ValidationError, match="'status' does not give the partition key"):
        env.db.collection(env.User, env.Order).where(status="open")
    with pytest.raises(ValidationError, match="no partition given"):
        env.db.collection(env.User, env.Order).all()
    with pytest.raises(ValidationError, match="Address is not one of its models"):
        env.db.collection(env.User, env.Order).where(user_id="u1").all().of(env.Address)
    assert env.recorder.ops == ["Query"]
