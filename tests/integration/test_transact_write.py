"""Write and read transactions against the server (SPEC §8): the acceptance
scenarios of the builder, ``transact_write``, the context manager and
``transact_get``; failures that name the operation; version fields and
timestamps as in single-item writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamorm import (
    DB,
    KeyPair,
    Model,
    at_version,
    condition,
    condition_expression,
    field,
    if_exists,
    if_not_exists,
)
from dynamorm.errors import (
    ConditionFailedError,
    DynamORMError,
    TableNotFoundError,
    TransactionConditionFailedError,
    TransactionError,
)

from tests.conftest import make_db
from tests.integration.db_models import Recorder, create_table_for

pytestmark = pytest.mark.moto_only(reason="dynalite has no transactions")


@dataclass
class Models:
    """The models of the scenarios, each on a fresh table."""

    User: Any
    Bookmark: Any
    Account: Any
    Order: Any
    Inventory: Any

    def all(self) -> list[Any]:
        return [self.User, self.Bookmark, self.Account, self.Order, self.Inventory]


def define_models() -> Models:
    """Fresh model classes on uniquely named tables (not created yet)."""
    suffix = uuid.uuid4().hex[:8]

    class User(Model, table=f"tx-users-{suffix}"):
        id: str = field(pk=True)
        name: str = ""
        bookmark_count: int = 0

    class Bookmark(Model, table=f"tx-bookmarks-{suffix}"):
        user_id: str = field(pk=True)
        url: str = field(sk=True)
        title: str = ""
        created: datetime | None = field(created_at=True, default=None)

    class Account(Model, table=f"tx-accounts-{suffix}"):
        id: str = field(pk=True)
        balance: int = 0
        version: int = field(version=True)
        updated: datetime | None = field(updated_at=True, default=None)

    class Order(Model, table=f"tx-orders-{suffix}"):
        id: str = field(pk=True)
        status: str = "pending"

    class Inventory(Model, table=f"tx-inventory-{suffix}"):
        sku: str = field(pk=True)
        available_count: int = 0

    return Models(User, Bookmark, Account, Order, Inventory)


@dataclass
class TxEnv:
    db: DB
    client: Any
    recorder: Recorder
    m: Models

    def raw(self, model: Any, **key: Any) -> dict[str, Any] | None:
        """The stored item (DynamoDB JSON) read with plain boto3."""
        meta = model.__dynamorm__
        wire = {meta.by_name[k].attr: {"S": v} for k, v in key.items()}
        item: dict[str, Any] | None = self.client.get_item(TableName=meta.table, Key=wire).get(
            "Item"
        )
        return item


def tables_for(client: Any, models: Models) -> Iterator[None]:
    """Creates the tables of ``models``; deletes them afterwards."""
    for model in models.all():
        create_table_for(client, model)
    yield
    for model in models.all():
        client.delete_table(TableName=model.__dynamorm__.table)


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[TxEnv]:
    db = make_db(ddb_endpoint)
    models = define_models()
    for _ in tables_for(db.client, models):
        recorder = Recorder(db.client)
        yield TxEnv(db, db.client, recorder, models)


def seed(env: TxEnv, *objs: Model) -> None:
    for obj in objs:
        env.db.model(obj).create()
    env.recorder.clear()


# -- acceptance scenarios ---------------------------------------------------------


def test_bookmark_dual_write_commits_both(env: TxEnv) -> None:
    m = env.m
    seed(env, m.User(id="u1", bookmark_count=10))
    bookmark = m.Bookmark(user_id="u1", url="https://a.example", title="A")
    user = m.User(id="u1")
    env.db.transact().create(bookmark, if_not_exists()).update_with_builder(
        user, lambda ub: ub.increment("bookmark_count")
    ).execute()
    assert env.recorder.ops == ["TransactWriteItems"]
    stored = env.db.model(m.Bookmark).where("user_id", "=", "u1").all()
    assert [(b.url, b.title) for b in stored] == [("https://a.example", "A")]
    assert stored[0].created is not None and bookmark.created == stored[0].created
    assert env.db.model(m.User).where("id", "=", "u1").first().bookmark_count == 11


def test_bookmark_already_present_fails_on_operation_0(env: TxEnv) -> None:
    m = env.m
    seed(
        env,
        m.User(id="u1", bookmark_count=10),
        m.Bookmark(user_id="u1", url="https://a.example", title="old"),
    )
    before = env.raw(m.Bookmark, user_id="u1", url="https://a.example")
    with pytest.raises(ConditionFailedError) as info:
        env.db.transact().create(
            m.Bookmark(user_id="u1", url="https://a.example", title="new"), if_not_exists()
        ).update_with_builder(m.User(id="u1"), lambda ub: ub.increment("bookmark_count")).execute()
    err = info.value
    assert isinstance(err, TransactionError) and isinstance(err, TransactionConditionFailedError)
    assert (err.operation_index, err.operation, err.model) == (0, "Put", "Bookmark")
    assert err.reason == "ConditionalCheckFailed"
    assert [r.get("Code") for r in err.cancellation_reasons] == ["ConditionalCheckFailed", "None"]
    assert isinstance(err.item, m.Bookmark) and err.item.title == "old"
    assert "operation 0 (Put on Bookmark" in str(err)
    assert env.raw(m.Bookmark, user_id="u1", url="https://a.example") == before
    assert env.db.model(m.User).where("id", "=", "u1").first().bookmark_count == 10


def test_transfer_with_insufficient_funds_changes_nothing(env: TxEnv) -> None:
    m = env.m
    src, dst = m.Account(id="src", balance=50), m.Account(id="dst", balance=100)
    seed(env, src, dst)
    with pytest.raises(TransactionError) as info:
        env.db.transact().update_with_builder(
            src, lambda ub: ub.decrement("balance", 100), condition("balance", ">=", 100)
        ).update_with_builder(dst, lambda ub: ub.increment("balance", 100)).execute()
    assert info.value.operation_index == 0 and info.value.operation == "Update"
    assert isinstance(info.value.item, m.Account) and info.value.item.balance == 50
    balances = {a.id: a.balance for a in env.db.model(m.Account).scan()}
    assert balances == {"src": 50, "dst": 100}


def test_condition_check_and_update_both_apply(env: TxEnv) -> None:
    m = env.m
    order, stock = m.Order(id="o1", status="pending"), m.Inventory(sku="s1", available_count=5)
    seed(env, order, stock)
    stock.available_count = 2
    env.db.transact().condition_check(order, condition("status", "=", "pending")).update(
        stock, ["available_count"], condition("available_count", ">=", 3)
    ).execute()
    assert env.db.model(m.Inventory).where("sku", "=", "s1").first().available_count == 2
    items = env.recorder.params[0]["TransactItems"]
    assert [next(iter(i)) for i in items] == ["ConditionCheck", "Update"]


def test_failure_at_operation_2_of_3_names_it(env: TxEnv) -> None:
    m = env.m
    seed(env, m.Order(id="o1", status="shipped"), m.Inventory(sku="s1", available_count=5))
    with pytest.raises(TransactionConditionFailedError) as info:
        env.db.transact().put(m.User(id="u9", name="x")).update(
            m.Inventory(sku="s1", available_count=4), ["available_count"]
        ).condition_check(m.Order(id="o1"), condition("status", "=", "pending")).execute()
    err = info.value
    assert (err.operation_index, err.operation, err.model) == (2, "ConditionCheck", "Order")
    assert len(err.cancellation_reasons) == 3
    assert [r.get("Code") for r in err.cancellation_reasons][2] == "ConditionalCheckFailed"
    assert isinstance(err.item, m.Order) and err.item.status == "shipped"
    assert env.raw(m.User, id="u9") is None
    assert env.db.model(m.Inventory).where("sku", "=", "s1").first().available_count == 5


# -- the other entry points ---------------------------------------------------------


def test_transact_write_commits_after_fn_returns(env: TxEnv) -> None:
    m = env.m
    seed(env, m.Bookmark(user_id="u1", url="gone"))
    audit = m.User(id="audit-1", name="deleted a bookmark")
    env.db.transact_write(
        lambda tx: tx.put(audit).delete(m.Bookmark(user_id="u1", url="gone"), if_exists())
    )
    assert env.raw(m.User, id="audit-1") is not None
    assert env.raw(m.Bookmark, user_id="u1", url="gone") is None


def test_transact_write_sends_nothing_when_fn_raises(env: TxEnv) -> None:
    m = env.m

    def fn(tx: Any) -> None:
        tx.put(m.User(id="never"))
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        env.db.transact_write(fn)
    assert env.recorder.ops == []
    assert env.raw(m.User, id="never") is None


def test_context_manager_commits_on_exit(env: TxEnv) -> None:
    m = env.m
    account = m.Account(id="a1", balance=10)
    seed(env, account)
    account.balance = 25
    payment = m.Order(id="p1", status="paid")
    with env.db.transaction() as tx:
        tx.model(account).update("balance")
        tx.model(payment).create()
        assert env.recorder.ops == []  # nothing is sent inside the block
    assert env.recorder.ops == ["TransactWriteItems"]
    stored = env.db.model(m.Account).where("id", "=", "a1").first()
    assert stored.balance == 25 and stored.version == 1 and account.version == 1
    assert env.db.model(m.Order).where("id", "=", "p1").first().status == "paid"


def test_context_manager_sends_nothing_on_exception(env: TxEnv) -> None:
    m = env.m
    with pytest.raises(KeyError), env.db.transaction() as tx:
        tx.model(m.Order(id="p2")).create()
        raise KeyError("boom")
    assert env.recorder.ops == []
    assert env.raw(m.Order, id="p2") is None


def test_context_manager_conditions_fail_the_transaction(env: TxEnv) -> None:
    m = env.m
    seed(env, m.Order(id="o1", status="pending"))
    with pytest.raises(TransactionConditionFailedError) as info, env.db.transaction() as tx:
        tx.model(m.User(id="u5")).create()
        tx.model(m.Order(id="o1", status="x")).if_not_exists().create()
    assert (info.value.operation_index, info.value.model) == (1, "Order")
    assert env.raw(m.User, id="u5") is None


def test_transact_get_returns_instances_in_call_order(env: TxEnv) -> None:
    m = env.m
    seed(
        env,
        m.User(id="u1", name="one"),
        m.Bookmark(user_id="u1", url="b", title="B"),
        m.Order(id="o1", status="paid"),
    )
    items = (
        env.db.transact_get()
        .get(m.Order, "o1")
        .get(m.User, "missing")
        .get(m.Bookmark, KeyPair("u1", "b"))
        .get(m.User, m.User(id="u1"))
        .execute()
    )
    assert [type(i).__name__ if i is not None else None for i in items] == [
        "Order",
        None,
        "Bookmark",
        "User",
    ]
    assert items[0].status == "paid" and items[2].title == "B" and items[3].name == "one"


def test_transact_get_25_items_with_projection(env: TxEnv) -> None:
    m = env.m
    seed(env, *(m.User(id=f"u{i:02}", name=f"n{i}", bookmark_count=i) for i in range(25)))
    builder = env.db.transact_get()
    for i in reversed(range(25)):
        builder.get(m.User, f"u{i:02}", "name")
    users = builder.execute()
    assert [u.id for u in users] == [f"u{i:02}" for i in reversed(range(25))]
    assert users[0].name == "n24"
    # moto ignores ProjectionExpression in TransactGetItems, so check the request.
    get = env.recorder.params[-1]["TransactItems"][0]["Get"]
    names = set(get["ExpressionAttributeNames"].values())
    assert names == {"name", "id"} and get["ProjectionExpression"].count("#") == 2


# -- versions, timestamps, conditions ---------------------------------------------------


def test_versions_are_checked_and_incremented(env: TxEnv) -> None:
    m = env.m
    account = m.Account(id="a1", balance=10)
    seed(env, account)
    assert account.version == 0
    stale = m.Account(id="a1", balance=99, version=0)
    account.balance = 20
    env.db.transact().update(account, ["balance"]).put(m.Order(id="o9")).execute()
    assert account.version == 1 and account.updated is not None
    stored = env.db.model(m.Account).where("id", "=", "a1").first()
    assert (stored.balance, stored.version, stored.updated) == (20, 1, account.updated)
    with pytest.raises(TransactionConditionFailedError) as info:
        env.db.transact().update(stale, ["balance"]).execute()
    assert info.value.item.version == 1 and stale.version == 0
    with pytest.raises(TransactionConditionFailedError):
        env.db.transact().delete(m.Account(id="a1", version=5)).execute()
    env.db.transact().update(stale, ["balance"], at_version(1)).execute()
    assert stale.version == 2
    assert env.db.model(m.Account).where("id", "=", "a1").first().balance == 99
    env.db.transact().delete(m.Account(id="a1", version=2)).execute()
    assert env.raw(m.Account, id="a1") is None


def test_update_with_builder_at_version_increments(env: TxEnv) -> None:
    m = env.m
    seed(env, m.Account(id="a1", balance=10))
    env.db.transact().update_with_builder(
        m.Account(id="a1"), lambda ub: ub.set("balance", 11), at_version(0)
    ).execute()
    stored = env.db.model(m.Account).where("id", "=", "a1").first()
    assert (stored.balance, stored.version) == (11, 1)
    with pytest.raises(TransactionConditionFailedError):
        env.db.transact().update_with_builder(
            m.Account(id="a1"), lambda ub: ub.set("balance", 12), at_version(0)
        ).execute()


def test_condition_expression_helper(env: TxEnv) -> None:
    m = env.m
    seed(env, m.Order(id="o1", status="pending"))
    check = condition_expression("#s = :s", {":s": "pending"}, names={"#s": "status"})
    env.db.transact().delete(m.Order(id="o1"), check).execute()
    assert env.raw(m.Order, id="o1") is None


def test_missing_table_is_a_dynamorm_error(env: TxEnv) -> None:
    class Ghost(Model, table=f"tx-missing-{uuid.uuid4().hex[:8]}"):
        id: str = field(pk=True)

    with pytest.raises(DynamORMError) as info:
        env.db.transact().put(env.m.User(id="u1")).put(Ghost(id="g")).execute()
    assert isinstance(info.value.__cause__, ClientError)
    assert isinstance(info.value, TableNotFoundError)
    assert "TransactWriteItems on 2 operations of Ghost, User" in str(info.value)
    assert env.raw(env.m.User, id="u1") is None
