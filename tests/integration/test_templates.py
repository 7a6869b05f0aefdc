"""Key templates against the server (SPEC §17): keys written from the
template fields by every write, parsed back on read (also from items another
client wrote with only the keys), ``where`` on the fields resolving the key
(GetItem, ``begins_with`` on the sort key, a GSI whose keys are templates),
and refusals before any request."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import KeyPair, Model, field, if_exists
from dynamorm.errors import ValidationError

from tests.conftest import make_db
from tests.integration.db_models import Recorder, SharedTable, create_table_for


class Kind(enum.Enum):
    BOOT = "boot"
    ALARM = "alarm"


@dataclass
class Env(SharedTable):
    """A ``DB`` (``make_db``, a recorder on its client) and the models of a
    small single-table schema on one fresh table."""

    User: Any
    Order: Any
    Reading: Any


def define(table: str) -> tuple[Any, Any, Any]:
    class User(Model, table=table):
        user_id: str
        email: str = ""
        name: str = ""
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="PROFILE")

    class Order(Model, table=table):
        user_id: str
        day: date
        n: int
        status: str | None = None
        total: Decimal = Decimal(0)
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ORDER#{day}#{n:04d}")
        status_key: str | None = field(gsi_pk="status-index", template="STATUS#{status}")
        status_sort: str | None = field(gsi_sk="status-index", template="{user_id}#{day}")

    class Reading(Model, table=table):
        device: uuid.UUID
        at: datetime
        kind: Kind
        value: int = 0
        pk: str = field(pk=True, template="DEVICE#{device}")
        sk: str = field(sk=True, template="AT#{at}#{kind}")

    return User, Order, Reading


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    db = make_db(ddb_endpoint)
    table = f"app-{uuid.uuid4().hex[:10]}"
    user, order, reading = define(table)
    create_table_for(db.client, order)
    e = Env(db, db.client, Recorder(db.client), table, user, order, reading)
    yield e
    db.client.delete_table(TableName=table)


def key_condition(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A Query's key condition with its names resolved, and its values."""
    text = params["KeyConditionExpression"]
    for placeholder, name in params.get("ExpressionAttributeNames", {}).items():
        text = text.replace(placeholder, name)
    return text, params.get("ExpressionAttributeValues", {})


def orders(env: Env) -> list[Any]:
    made = [
        env.Order(user_id="u1", day=date(2026, 3, 4), n=7, status="shipped", total=Decimal("9.5")),
        env.Order(user_id="u1", day=date(2026, 3, 5), n=8, status="open"),
        env.Order(user_id="u1", day=date(2026, 4, 1), n=9, status="shipped"),
        env.Order(user_id="u1", day=date(2025, 12, 31), n=6),
        env.Order(user_id="u2", day=date(2026, 3, 4), n=1, status="shipped"),
    ]
    for order in made:
        env.db.model(order).create()
    env.recorder.clear()
    return made


def test_create_writes_the_keys_from_the_template_fields(env: Env) -> None:
    user = env.db.model(env.User(user_id="u1", email="a@x")).create()
    order = env.db.model(env.Order(user_id="u1", day=date(2026, 3, 4), n=7)).create()
    assert (user.pk, user.sk) == ("USER#u1", "PROFILE")
    assert (order.pk, order.sk) == ("USER#u1", "ORDER#2026-03-04#0007")
    stored = env.raw("USER#u1", "ORDER#2026-03-04#0007")
    assert stored["user_id"] == {"S": "u1"}
    assert stored["n"] == {"N": "7"}
    assert "status_key" not in stored  # no status: not in the index
    assert stored["status_sort"] == {"S": "u1#2026-03-04"}
    assert env.raw("USER#u1", "PROFILE")["email"] == {"S": "a@x"}


def test_where_on_every_template_field_is_a_get_item(env: Env) -> None:
    env.db.model(env.User(user_id="u1", name="Ada")).create()
    env.db.model(env.Order(user_id="u1", day=date(2026, 3, 4), n=7)).create()
    env.recorder.clear()
    assert env.db.model(env.User).where("user_id", "=", "u1").first().name == "Ada"
    order = (
        env.db.model(env.Order)
        .where("user_id", "=", "u1")
        .where("day", "=", date(2026, 3, 4))
        .where("n", "=", 7)
        .first()
    )
    assert order.sk == "ORDER#2026-03-04#0007"
    assert env.recorder.ops == ["GetItem", "GetItem"]
    assert env.recorder.params[0]["Key"] == {"pk": {"S": "USER#u1"}, "sk": {"S": "PROFILE"}}
    assert env.recorder.params[1]["Key"]["sk"] == {"S": "ORDER#2026-03-04#0007"}


def test_where_on_the_template_field_itself_takes_the_full_text(env: Env) -> None:
    env.db.model(env.User(user_id="u1", name="Ada")).create()
    env.recorder.clear()
    found = env.db.model(env.User).where("pk", "=", "USER#u1").where("sk", "=", "PROFILE").first()
    assert found.user_id == "u1"
    assert env.recorder.ops == ["GetItem"]


def test_items_another_client_wrote_with_only_the_keys_read_with_their_fields(env: Env) -> None:
    env.put_raw({"pk": {"S": "USER#u7"}, "sk": {"S": "PROFILE"}, "name": {"S": "Grace"}})
    env.put_raw(
        {"pk": {"S": "USER#u7"}, "sk": {"S": "ORDER#2026-05-06#0042"}, "total": {"N": "12.5"}}
    )
    user = env.db.model(env.User).where("user_id", "=", "u7").first()
    assert (user.user_id, user.name) == ("u7", "Grace")
    (order,) = env.db.model(env.Order).where("user_id", "=", "u7").all()
    assert order.user_id == "u7"
    assert order.day == date(2026, 5, 6)
    assert order.n == 42
    assert order.total == Decimal("12.5")


def test_typed_fields_render_as_stored_and_parse_back(env: Env) -> None:
    device = uuid.UUID("12345678-1234-5678-1234-567812345678")
    at = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
    env.db.model(env.Reading(device=device, at=at, kind=Kind.ALARM, value=3)).create()
    stored = env.raw(f"DEVICE#{device}", "AT#2026-03-04T05:06:07.890000000Z#alarm")
    assert stored["value"] == {"N": "3"}
    env.put_raw(
        {
            "pk": {"S": f"DEVICE#{device}"},
            "sk": {"S": "AT#2026-03-05T00:00:00.000000000Z#boot"},
        }
    )
    readings = env.db.model(env.Reading).where("device", "=", device).all()
    assert [(r.at, r.kind) for r in readings] == [
        (at, Kind.ALARM),
        (datetime(2026, 3, 5, tzinfo=UTC), Kind.BOOT),
    ]
    assert all(r.device == device for r in readings)


def test_begins_with_on_the_next_field_becomes_begins_with_on_the_sort_key(env: Env) -> None:
    orders(env)
    found = (
        env.db.model(env.Order)
        .where("user_id", "=", "u1")
        .where("day", "BEGINS_WITH", "2026-03")
        .all()
    )
    assert [o.n for o in found] == [7, 8]
    (params,) = env.recorder.params
    text, values = key_condition(params)
    assert "begins_with(sk, " in text
    assert {"S": "ORDER#2026-03"} in values.values()
    assert "FilterExpression" not in params


def test_equal_leading_fields_become_begins_with_up_to_the_next_field(env: Env) -> None:
    orders(env)
    found = (
        env.db.model(env.Order)
        .where("user_id", "=", "u1")
        .where("day", "=", date(2026, 3, 4))
        .all()
    )
    assert [o.n for o in found] == [7]
    _, values = key_condition(env.recorder.params[0])
    assert {"S": "ORDER#2026-03-04#"} in values.values()


def test_a_partition_query_keeps_to_the_models_template_prefix(env: Env) -> None:
    env.db.model(env.User(user_id="u1")).create()
    orders(env)
    found = env.db.model(env.Order).where("user_id", "=", "u1").all()
    assert [o.day for o in found] == [
        date(2025, 12, 31),
        date(2026, 3, 4),
        date(2026, 3, 5),
        date(2026, 4, 1),
    ]
    assert env.db.model(env.Order).where("user_id", "=", "u1").count() == 4
    _, values = key_condition(env.recorder.params[0])
    assert {"S": "ORDER#"} in values.values()


def test_order_by_the_field_a_sort_key_template_starts_with_orders_by_that_key(
    env: Env,
) -> None:
    orders(env)
    newest = env.db.model(env.Order).where("user_id", "=", "u1").order_by("day", "DESC").all()
    assert [o.n for o in newest] == [9, 8, 7, 6]
    assert env.recorder.params[0]["ScanIndexForward"] is False
    # On the GSI whose sort key template starts with user_id.
    by_user = (
        env.db.model(env.Order).where("status", "=", "shipped").order_by("user_id", "DESC").all()
    )
    assert [o.user_id for o in by_user] == ["u2", "u1", "u1"]
    with pytest.raises(ValidationError, match=r"order_by\('total'\) needs a sort key"):
        env.db.model(env.Order).where("user_id", "=", "u1").order_by("total").all()


def test_a_gsi_whose_keys_are_templates_is_chosen_from_its_fields(env: Env) -> None:
    orders(env)
    shipped = env.db.model(env.Order).where("status", "=", "shipped").all()
    assert sorted((o.user_id, o.n) for o in shipped) == [("u1", 7), ("u1", 9), ("u2", 1)]
    (params,) = env.recorder.params
    assert params["IndexName"] == "status-index"
    assert {"S": "STATUS#shipped"} in key_condition(params)[1].values()
    env.recorder.clear()
    of_u1 = env.db.model(env.Order).where("status", "=", "shipped").where("user_id", "=", "u1")
    assert sorted(o.n for o in of_u1.all()) == [7, 9]
    text, values = key_condition(env.recorder.params[0])
    assert env.recorder.params[0]["IndexName"] == "status-index"
    assert "begins_with(status_sort, " in text
    assert {"S": "u1#"} in values.values()


def test_update_of_a_source_field_moves_the_item_in_the_index(env: Env) -> None:
    made = orders(env)
    order = made[1]
    order.status = "shipped"
    env.db.model(order).update("status")
    assert order.status_key == "STATUS#shipped"
    stored = env.raw("USER#u1", "ORDER#2026-03-05#0008")
    assert stored["status_key"] == {"S": "STATUS#shipped"}
    assert env.db.model(env.Order).where("status", "=", "open").all() == []
    order.status = None
    env.db.model(order).update()
    assert "status_key" not in env.raw("USER#u1", "ORDER#2026-03-05#0008")


def test_update_builder_sets_the_index_key_with_its_fields(env: Env) -> None:
    orders(env)
    query = (
        env.db.model(env.Order)
        .where("user_id", "=", "u1")
        .where("day", "=", date(2026, 3, 5))
        .where("n", "=", 8)
    )
    query.update_builder().set("status", "lost").execute()
    assert env.raw("USER#u1", "ORDER#2026-03-05#0008")["status_key"] == {"S": "STATUS#lost"}
    env.recorder.clear()
    with pytest.raises(ValidationError, match=r"Order.update_builder\(\): 'user_id' is part"):
        query.update_builder().set("user_id", "u9")
    with pytest.raises(ValidationError, match="'status_key' is computed by its template"):
        query.update_builder().set("status_key", "STATUS#x")
    assert env.recorder.ops == []


def test_delete_by_where_on_the_template_fields(env: Env) -> None:
    env.db.model(env.User(user_id="u1")).create()
    env.db.model(env.User).where("user_id", "=", "u1").delete()
    assert env.raw("USER#u1", "PROFILE") == {}


def test_create_or_update_writes_the_keys_from_the_fields(env: Env) -> None:
    order = env.Order(user_id="u3", day=date(2026, 1, 2), n=12, status="open")
    env.db.model(order).create_or_update()
    assert (order.pk, order.sk, order.status_key) == (
        "USER#u3",
        "ORDER#2026-01-02#0012",
        "STATUS#open",
    )
    assert env.raw("USER#u3", "ORDER#2026-01-02#0012")["status_key"] == {"S": "STATUS#open"}


def test_mismatches_are_refused_before_any_request(env: Env) -> None:
    with pytest.raises(ValidationError, match=r"User.pk .*'USER#u1'.*'USER#u2'"):
        env.User(user_id="u1", pk="USER#u2")
    order = env.db.model(env.Order(user_id="u1", day=date(2026, 3, 4), n=7)).create()
    env.recorder.clear()
    with pytest.raises(ValidationError, match=r"Order.status_key .*None.*'STATUS#x'"):
        order.status_key = "STATUS#x"
    order.user_id = "u2"
    with pytest.raises(ValidationError, match=r"Order.update\(\): the key 'pk' .*cannot change"):
        env.db.model(order).update()
    with pytest.raises(ValidationError, match=r"Order.delete\(\): the key 'pk'"):
        env.db.model(order).delete()
    with pytest.raises(ValidationError, match="'status_key' is computed by its template"):
        env.db.model(order).update("status_key")
    odd = env.Order(user_id="u#1", day=date(2026, 3, 4), n=7)
    with pytest.raises(ValidationError, match=r"Order.status_sort: the value 'u#1' of 'user_id'"):
        env.db.model(odd).create()
    by_status = env.db.model(env.Order).where("status", "=", "x")
    with pytest.raises(ValidationError, match=r"Order.status_sort: the value 'u#1' of 'user_id'"):
        by_status.where("user_id", "=", "u#1").all()
    by_status = env.db.model(env.Order).where("status", "=", "x")
    with pytest.raises(ValidationError, match=r"the prefix 'u#' of 'user_id' holds '#'"):
        by_status.where("user_id", "BEGINS_WITH", "u#").all()
    assert env.recorder.ops == []


def test_a_put_of_a_changed_instance_writes_it_under_its_new_key(env: Env) -> None:
    order = env.db.model(env.Order(user_id="u1", day=date(2026, 3, 4), n=7)).create()
    order.n = 8
    env.db.model(order).create()
    assert order.sk == "ORDER#2026-03-04#0008"
    assert env.raw("USER#u1", "ORDER#2026-03-04#0008")["n"] == {"N": "8"}
    assert env.raw("USER#u1", "ORDER#2026-03-04#0007")["n"] == {"N": "7"}


def test_batch_writes_and_gets_compute_the_keys(env: Env) -> None:
    made = [env.Order(user_id="u5", day=date(2026, 6, d), n=d, status="open") for d in (1, 2, 3)]
    env.db.model(env.Order).batch_create(made)
    assert [o.sk for o in made] == [f"ORDER#2026-06-0{d}#000{d}" for d in (1, 2, 3)]
    assert env.raw("USER#u5", "ORDER#2026-06-02#0002")["status_key"] == {"S": "STATUS#open"}
    fresh = [env.Order(user_id="u5", day=date(2026, 6, d), n=d) for d in (3, 1)]
    got = env.db.model(env.Order).batch_get([*fresh, KeyPair("USER#u5", "ORDER#2026-06-02#0002")])
    assert [o.n for o in got] == [3, 1, 2]
    env.db.model(env.Order).batch_delete(fresh)
    assert env.raw("USER#u5", "ORDER#2026-06-01#0001") == {}
    assert env.raw("USER#u5", "ORDER#2026-06-02#0002") != {}


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_transactions_compute_the_keys_of_every_operation(env: Env) -> None:
    user = env.User(user_id="u8", name="Lin")
    first = env.Order(user_id="u8", day=date(2026, 7, 1), n=1, status="open")
    env.db.transact().create(user).put(first).execute()
    assert env.raw("USER#u8", "PROFILE")["name"] == {"S": "Lin"}
    assert env.raw("USER#u8", "ORDER#2026-07-01#0001")["status_key"] == {"S": "STATUS#open"}
    assert (user.pk, first.sk) == ("USER#u8", "ORDER#2026-07-01#0001")
    first.status = "shipped"
    second = env.Order(user_id="u8", day=date(2026, 7, 2), n=2)
    env.db.model(second).create()
    profile = env.User(user_id="u8")
    env.recorder.clear()
    (
        env.db.transact()
        .update(first, "status")
        .delete(second)
        .condition_check(profile, if_exists())
        .execute()
    )
    (params,) = env.recorder.params
    keys = [next(iter(op.values()))["Key"] for op in params["TransactItems"]]
    assert keys == [
        {"pk": {"S": "USER#u8"}, "sk": {"S": "ORDER#2026-07-01#0001"}},
        {"pk": {"S": "USER#u8"}, "sk": {"S": "ORDER#2026-07-02#0002"}},
        {"pk": {"S": "USER#u8"}, "sk": {"S": "PROFILE"}},
    ]
    assert env.raw("USER#u8", "ORDER#2026-07-01#0001")["status_key"] == {"S": "STATUS#shipped"}
    assert env.raw("USER#u8", "ORDER#2026-07-02#0002") == {}


def test_an_instance_read_in_part_updates_under_its_key(env: Env) -> None:
    orders(env)
    query = env.db.model(env.Order).where("user_id", "=", "u1").where("day", "=", date(2026, 3, 4))
    (order,) = query.select("total").all()
    assert (order.user_id, order.day, order.n) == ("u1", date(2026, 3, 4), 7)  # from the key
    order.total = Decimal("20")
    env.db.model(order).update()
    stored = env.raw("USER#u1", "ORDER#2026-03-04#0007")
    assert stored["total"] == {"N": "20"}
    assert stored["status_key"] == {"S": "STATUS#shipped"}  # not read, left alone


def test_an_item_another_client_wrote_updates_under_its_key(env: Env) -> None:
    env.put_raw({"pk": {"S": "USER#u7"}, "sk": {"S": "ORDER#2026-05-06#0042"}})
    (order,) = env.db.model(env.Order).where("user_id", "=", "u7").all()
    order.status = "open"
    env.db.model(order).update("status")
    stored = env.raw("USER#u7", "ORDER#2026-05-06#0042")
    assert stored["status"] == {"S": "open"}
    assert stored["status_key"] == {"S": "STATUS#open"}


def test_entity_models_with_templates_share_a_partition(env: Env) -> None:
    class Profile(Model, table=env.table, entity="profile"):
        user_id: str
        name: str = ""
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="PROFILE")

    class Purchase(Model, table=env.table, entity="purchase"):
        user_id: str
        n: int
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="P#{n:03d}")

    env.db.model(Profile(user_id="u4", name="Kim")).create()
    env.db.model(Purchase).batch_create([Purchase(user_id="u4", n=n) for n in (2, 1)])
    assert env.raw("USER#u4", "P#001")["_type"] == {"S": "purchase"}
    assert env.db.model(Profile).where("user_id", "=", "u4").first().name == "Kim"
    assert [p.n for p in env.db.model(Purchase).where("user_id", "=", "u4").all()] == [1, 2]
    assert env.db.model(Purchase).where("user_id", "=", "u4").count() == 2
