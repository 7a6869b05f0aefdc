"""Entity models sharing one table (SPEC §17, ``dynamorm.entities``): every
item written carries its type attribute, and every read of a model — by key,
Query, Scan, pages, counts, batch and transaction gets — sees its own items
only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dynamorm import Model, field
from dynamorm.errors import ItemNotFoundError, ValidationError

from tests.conftest import make_db
from tests.integration.db_models import Recorder, SharedTable, create_table_for


@dataclass
class Env(SharedTable):
    """A table shared by ``User`` (entity ``user``), ``Order`` (entity
    ``order``), ``Note`` (no entity) and ``Kind`` (entity ``user`` in the
    attribute ``kind``), holding one partition ``U#1``: a profile, three
    orders and a note."""

    User: Any
    Order: Any
    Note: Any
    Kind: Any


def _models(table: str) -> tuple[Any, Any, Any, Any]:
    class User(Model, table=table, entity="user"):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        name: str = ""
        status: str = field(default="active", gsi_pk="by-status")

    class Order(Model, table=table, entity="order"):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        # Stored as a number: a User cannot read an order's item.
        name: int = 0
        status: str = field(default="active", gsi_pk="by-status")

    class Note(Model, table=table):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        name: str = ""
        status: str = field(default="active", gsi_pk="by-status")

    class Kind(Model, table=table, entity="user", entity_attr="kind"):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        name: str = ""

    return User, Order, Note, Kind


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    db = make_db(ddb_endpoint)
    table = f"app-{uuid.uuid4().hex[:10]}"
    user, order, note, kind = _models(table)
    create_table_for(db.client, user)
    e = Env(db, db.client, Recorder(db.client), table, user, order, note, kind)
    db.model(user(pk="U#1", sk="PROFILE", name="Ada")).create()
    for n in (1, 2, 3):
        status = "active" if n == 1 else "shipped"
        db.model(order(pk="U#1", sk=f"ORDER#{n}", name=n, status=status)).create()
    db.model(note(pk="U#1", sk="NOTE", name="plain")).create()
    e.recorder.clear()
    yield e
    db.client.delete_table(TableName=table)


ORDER_KEYS = ["ORDER#1", "ORDER#2", "ORDER#3"]


# -- writes ---------------------------------------------------------------------


def test_created_items_carry_their_type_attribute_and_plain_items_none(env: Env) -> None:
    assert env.raw("U#1", "PROFILE")["_type"] == {"S": "user"}
    assert env.raw("U#1", "ORDER#1")["_type"] == {"S": "order"}
    assert "_type" not in env.raw("U#1", "NOTE")
    assert env.User(pk="a", sk="b").to_item()["_type"] == {"S": "user"}


def test_a_renamed_type_attribute_is_stored_under_its_name(env: Env) -> None:
    env.db.model(env.Kind(pk="K#1", sk="PROFILE", name="Kay")).create()
    raw = env.raw("K#1", "PROFILE")
    assert raw["kind"] == {"S": "user"}
    assert "_type" not in raw


def test_update_create_or_update_and_the_update_builder_set_the_type_attribute(
    env: Env,
) -> None:
    # Items stored without the attribute (before the model was an entity).
    for sk in ("A", "B", "C"):
        env.put_raw({"pk": {"S": "U#2"}, "sk": {"S": sk}, "name": {"S": "old"}})
    env.db.model(env.User(pk="U#2", sk="A", name="new")).update()
    env.db.model(env.User(pk="U#2", sk="B", name="new")).create_or_update()
    builder = env.db.model(env.User).where("pk", "=", "U#2").where("sk", "=", "C")
    builder.update_builder().set("name", "new").execute()
    env.db.model(env.User(pk="U#2", sk="D", name="fresh")).create_or_update()
    for sk in ("A", "B", "C", "D"):
        assert env.raw("U#2", sk)["_type"] == {"S": "user"}, sk
    assert [u.sk for u in env.db.model(env.User).where("pk", "=", "U#2").all()] == [
        "A",
        "B",
        "C",
        "D",
    ]


def test_batch_writes_carry_the_type_attribute(env: Env) -> None:
    env.db.model(env.Order).batch_create(
        [env.Order(pk="U#3", sk=f"ORDER#{n}", name=n) for n in range(30)]
    )
    env.db.model(env.Order).batch_write(puts=[env.Order(pk="U#3", sk="ORDER#x", name=1)])
    assert env.raw("U#3", "ORDER#29")["_type"] == {"S": "order"}
    assert env.raw("U#3", "ORDER#x")["_type"] == {"S": "order"}
    assert env.db.model(env.Order).where("pk", "=", "U#3").count() == 31


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_transaction_writes_carry_the_type_attribute(env: Env) -> None:
    env.put_raw({"pk": {"S": "U#4"}, "sk": {"S": "OLD"}, "name": {"S": "old"}})
    with env.db.transaction() as tx:
        tx.model(env.User(pk="U#4", sk="PROFILE", name="Tx")).create()
        tx.model(env.User(pk="U#4", sk="OLD", name="tagged")).update("name")
    assert env.raw("U#4", "PROFILE")["_type"] == {"S": "user"}
    assert env.raw("U#4", "OLD")["_type"] == {"S": "user"}


# -- reads ----------------------------------------------------------------------


def test_all_and_iter_return_only_the_models_own_items(env: Env) -> None:
    users = env.db.model(env.User).where("pk", "=", "U#1").all()
    orders = env.db.model(env.Order).where("pk", "=", "U#1").all()
    assert [(type(u), u.sk) for u in users] == [(env.User, "PROFILE")]
    assert [o.sk for o in orders] == ORDER_KEYS
    assert [o.name for o in env.db.model(env.Order).where("pk", "=", "U#1").iter()] == [1, 2, 3]
    assert [u.sk for u in env.db.model(env.User).where("pk", "=", "U#1").iter()] == ["PROFILE"]


def test_the_type_filter_is_anded_with_the_querys_own_filters(env: Env) -> None:
    query = env.db.model(env.Order).where("pk", "=", "U#1").filter("status", "=", "shipped")
    assert [o.sk for o in query.all()] == ["ORDER#2", "ORDER#3"]
    sent = env.recorder.params[-1]
    assert " AND " in sent["FilterExpression"]
    assert {"S": "order"} in sent["ExpressionAttributeValues"].values()
    assert "_type" in sent["ExpressionAttributeNames"].values()


def test_first_skips_another_entitys_items_in_the_partition(env: Env) -> None:
    # The orders sort before the profile: a User's first item is the profile.
    assert env.db.model(env.User).where("pk", "=", "U#1").first().sk == "PROFILE"
    assert env.db.model(env.Order).where("pk", "=", "U#1").first().sk == "ORDER#1"
    found = env.db.model(env.Order).where("pk", "=", "U#1").order_by("sk", "DESC").first()
    assert found.sk == "ORDER#3"


def test_get_item_of_another_entitys_key_is_not_found(env: Env) -> None:
    by_key = env.db.model(env.User).where("pk", "=", "U#1").where("sk", "=", "ORDER#1")
    with pytest.raises(ItemNotFoundError, match="User"):
        by_key.first()
    assert env.recorder.ops == ["GetItem"]
    own = env.db.model(env.Order).where("pk", "=", "U#1").where("sk", "=", "ORDER#1").first()
    assert own.name == 1


def test_items_of_a_model_without_entity_are_foreign_to_an_entity_model(env: Env) -> None:
    by_key = env.db.model(env.User).where("pk", "=", "U#1").where("sk", "=", "NOTE")
    with pytest.raises(ItemNotFoundError):
        by_key.first()
    assert "NOTE" not in [u.sk for u in env.db.model(env.User).scan()]
    # The model without entity reads every item of the table, as before.
    notes = env.db.model(env.Note).where("pk", "=", "U#1").where("sk", "=", "NOTE").first()
    assert notes.name == "plain"


def test_an_item_whose_type_attribute_holds_another_type_is_foreign(env: Env) -> None:
    env.put_raw({"pk": {"S": "U#1"}, "sk": {"S": "ODD"}, "_type": {"N": "1"}, "name": {"S": "odd"}})
    by_key = env.db.model(env.User).where("pk", "=", "U#1").where("sk", "=", "ODD")
    with pytest.raises(ItemNotFoundError):
        by_key.first()
    assert [u.sk for u in env.db.model(env.User).where("pk", "=", "U#1").all()] == ["PROFILE"]


def test_a_renamed_type_attribute_is_what_reads_filter_on(env: Env) -> None:
    env.db.model(env.Kind(pk="U#1", sk="KIND", name="Kay")).create()
    kinds = env.db.model(env.Kind).where("pk", "=", "U#1").all()
    # The profile holds _type = user, not kind = user: it is not a Kind's.
    assert [k.sk for k in kinds] == ["KIND"]
    assert [u.sk for u in env.db.model(env.User).where("pk", "=", "U#1").all()] == ["PROFILE"]
    by_key = env.db.model(env.Kind).where("pk", "=", "U#1").where("sk", "=", "PROFILE")
    with pytest.raises(ItemNotFoundError):
        by_key.first()


def test_count_excludes_another_entitys_items(env: Env) -> None:
    assert env.db.model(env.User).where("pk", "=", "U#1").count() == 1
    assert env.db.model(env.Order).where("pk", "=", "U#1").count() == 3
    assert env.db.model(env.Note).where("pk", "=", "U#1").count() == 5


def test_pages_hold_only_the_models_own_items(env: Env) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = env.db.model(env.User).where("pk", "=", "U#1").limit(2).cursor(cursor)
        page = query.all_paginated()
        assert all(type(u) is env.User for u in page.items)
        assert page.count == len(page.items)
        seen.extend(u.sk for u in page.items)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    # limit is DynamoDB's Limit, counted before the filter: three pages read
    # the five items of the partition, and only one holds a User.
    assert seen == ["PROFILE"]
    assert pages == 3


def test_index_queries_return_only_the_models_own_items(env: Env) -> None:
    users = env.db.model(env.User).where("status", "=", "active").all()
    orders = env.db.model(env.Order).where("status", "=", "shipped").all()
    assert [u.sk for u in users] == ["PROFILE"]
    assert sorted(o.sk for o in orders) == ["ORDER#2", "ORDER#3"]
    assert env.recorder.params[-1]["IndexName"] == "by-status"


def test_scans_return_only_the_models_own_items(env: Env) -> None:
    assert sorted(o.sk for o in env.db.model(env.Order).scan()) == ORDER_KEYS
    assert [u.sk for u in env.db.model(env.User).scan_iter()] == ["PROFILE"]
    page = env.db.model(env.Order).scan_paginated()
    assert sorted(o.sk for o in page.items) == ORDER_KEYS
    segments = [env.db.model(env.Order).parallel_scan(s, 3).scan() for s in range(3)]
    assert sorted(o.sk for part in segments for o in part) == ORDER_KEYS
    every = env.db.model(env.Order).scan_all_segments(4)
    assert sorted(o.sk for o in every) == ORDER_KEYS


def test_select_still_tells_the_models_items_apart(env: Env) -> None:
    users = env.db.model(env.User).where("pk", "=", "U#1").select("name").all()
    assert [(u.sk, u.name) for u in users] == [("PROFILE", "Ada")]
    by_key = env.db.model(env.User).where("pk", "=", "U#1").where("sk", "=", "ORDER#2")
    with pytest.raises(ItemNotFoundError):
        by_key.select("name").first()
    got = env.db.model(env.User).batch_get_builder().keys([("U#1", "PROFILE"), ("U#1", "NOTE")])
    assert [u.name for u in got.select("name").execute()] == ["Ada"]


def test_batch_get_drops_another_entitys_items_without_reporting_them(env: Env) -> None:
    keys = [("U#1", "ORDER#1"), ("U#1", "PROFILE"), ("U#1", "NOTE"), ("U#1", "ORDER#3")]
    progress: list[tuple[int, int]] = []
    builder = env.db.model(env.User).batch_get_builder().keys(keys)
    users = builder.on_progress(lambda done, total: progress.append((done, total))).execute()
    assert [u.sk for u in users] == ["PROFILE"]
    # The foreign keys were read (not left unprocessed) and hold no User.
    assert progress[-1] == (1, 4)
    orders = env.db.model(env.Order).batch_get(keys)
    assert [o.sk for o in orders] == ["ORDER#1", "ORDER#3"]


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_transact_get_answers_none_for_another_entitys_item(env: Env) -> None:
    reads = (
        env.db.transact_get()
        .get(env.User, ("U#1", "PROFILE"))
        .get(env.User, ("U#1", "ORDER#1"))
        .get(env.Order, ("U#1", "ORDER#2"))
        .get(env.User, ("U#1", "NOTE"))
        .execute()
    )
    assert [None if r is None else (type(r), r.sk) for r in reads] == [
        (env.User, "PROFILE"),
        None,
        (env.Order, "ORDER#2"),
        None,
    ]


def test_the_type_attribute_is_no_field_to_query_or_select(env: Env) -> None:
    with pytest.raises(ValidationError, match="User has no field '_type'"):
        env.db.model(env.User).where("pk", "=", "U#1").where("_type", "=", "order")
    with pytest.raises(ValidationError, match="User has no field '_type'"):
        env.db.model(env.User).select("_type")
    assert env.recorder.ops == []
