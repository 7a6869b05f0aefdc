"""Unique fields against the server (SPEC §17): a value held by one item is
refused to every other (``UniqueConstraintError``), also when eight writers
race for it; changing, clearing and deleting give it up; a refused write
leaves every item and sentinel as it was; batch writes and the update
builder refuse unique fields before sending; reads never return sentinel
items; transactions carry the sentinel writes; and a lost answer is resent
safely. Runs on every API pass (``make_db``); dynalite has no transactions."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import DB, AsyncDB, Model, field
from dynamorm.errors import (
    ConditionFailedError,
    UniqueConstraintError,
    ValidationError,
)

from tests._support.proxy import FaultProxy
from tests.conftest import REGION, make_db
from tests.integration.db_models import create_table_for

pytestmark = pytest.mark.moto_only(reason="dynalite has no transactions")

PREFIX = "_unique#"


@dataclass
class Env:
    """A ``DB`` (``make_db``) and models with unique fields on fresh tables."""

    db: DB
    client: Any
    User: Any
    Entry: Any

    def items(self, model: Any) -> list[dict[str, Any]]:
        """Every item of ``model``'s table, read with the raw client."""
        table = model.__dynamorm__.table
        out: list[dict[str, Any]] = self.client.scan(TableName=table, ConsistentRead=True)["Items"]
        return out

    def sentinels(self, model: Any) -> dict[str, dict[str, Any]]:
        """The sentinel items of ``model``'s table: partition key → owner key."""
        pk = model.__dynamorm__.pk.attr
        return {
            item[pk]["S"]: item["_unique_of"]["M"]
            for item in self.items(model)
            if item[pk]["S"].startswith(PREFIX)
        }

    def ids(self) -> list[str]:
        """The ids of the stored ``User`` items (sentinels left out)."""
        return sorted(
            i["id"]["S"] for i in self.items(self.User) if not i["id"]["S"].startswith(PREFIX)
        )


def define_models(suffix: str) -> tuple[Any, Any]:
    class User(Model, table=f"uq-users-{suffix}"):
        id: str = field(pk=True)
        email: str | None = field(unique=True, default=None)
        handle: str | None = field(unique=True, default=None, gsi_pk="by-handle")
        name: str = ""
        version: int = field(version=True)

    class Entry(Model, table=f"uq-entries-{suffix}"):
        pk: str = field(pk=True)
        sk: str = field(sk=True, gsi_pk="inverted")
        code: Decimal | None = field(unique=True, default=None)
        note: str = ""

    return User, Entry


def email(value: str) -> str:
    return f"{PREFIX}User#email#{value}"


@pytest.fixture
def env(ddb_endpoint: str, ddb_client: Any) -> Iterator[Env]:
    User, Entry = define_models(uuid.uuid4().hex[:10])
    for model in (User, Entry):
        create_table_for(ddb_client, model)
    yield Env(make_db(ddb_endpoint), ddb_client, User, Entry)
    for model in (User, Entry):
        ddb_client.delete_table(TableName=model.__dynamorm__.table)


# -- create -----------------------------------------------------------------


def test_a_taken_value_raises_unique_constraint_error_and_the_item_is_not_written(
    env: Env,
) -> None:
    env.db.model(env.User(id="u1", email="a@x")).create()
    with pytest.raises(UniqueConstraintError) as info:
        env.db.model(env.User(id="u2", email="a@x", handle="h2")).create()
    err = info.value
    assert isinstance(err, ConditionFailedError)
    assert (err.model, err.field, err.value) == ("User", "email", "a@x")
    assert "User.email: the value 'a@x' is already held by another User" in str(err)
    assert env.ids() == ["u1"]
    assert env.sentinels(env.User) == {email("a@x"): {"id": {"S": "u1"}}}


def test_each_unique_field_is_kept_on_its_own(env: Env) -> None:
    env.db.model(env.User(id="u1", email="a@x", handle="same")).create()
    env.db.model(env.User(id="u2", email="same")).create()  # one value, two fields
    with pytest.raises(UniqueConstraintError) as info:
        env.db.model(env.User(id="u3", email="c@x", handle="same")).create()
    assert (info.value.field, info.value.value) == ("handle", "same")
    assert env.ids() == ["u1", "u2"]


def test_items_without_a_value_hold_no_sentinel(env: Env) -> None:
    env.db.model(env.User(id="u1")).create()
    env.db.model(env.User(id="u2", email=None)).create()
    assert env.ids() == ["u1", "u2"] and env.sentinels(env.User) == {}


def test_numbers_equal_by_value_are_one_value(env: Env) -> None:
    env.db.model(env.Entry(pk="p", sk="1", code=Decimal("1.50"))).create()
    with pytest.raises(UniqueConstraintError) as info:
        env.db.model(env.Entry(pk="p", sk="2", code=Decimal("1.5"))).create()
    assert info.value.value == Decimal("1.5")


def test_eight_threads_racing_for_one_email_one_wins_and_no_sentinel_is_orphaned(
    env: Env,
) -> None:
    barrier = threading.Barrier(8)
    won: list[str] = []
    refused: list[BaseException] = []

    def create(n: int) -> None:
        barrier.wait()
        try:
            env.db.model(env.User(id=f"r{n}", email="race@x")).create()
            won.append(f"r{n}")
        except BaseException as exc:  # collected and checked below
            refused.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(refused) == 7
    assert all(isinstance(exc, UniqueConstraintError) for exc in refused), refused
    assert env.ids() == won
    assert env.sentinels(env.User) == {email("race@x"): {"id": {"S": won[0]}}}


def test_eight_asyncio_creates_racing_for_one_email_one_wins(env: Env, ddb_endpoint: str) -> None:
    async def race() -> list[Any]:
        async with AsyncDB(region_name=REGION, endpoint_url=ddb_endpoint) as db:
            creates = [db.model(env.User(id=f"a{n}", email="race@x")).create() for n in range(8)]
            return await asyncio.gather(*creates, return_exceptions=True)

    results = asyncio.run(race())
    won = [r.id for r in results if isinstance(r, env.User)]
    assert len(won) == 1
    assert sum(isinstance(r, UniqueConstraintError) for r in results) == 7, results
    assert env.ids() == won
    assert env.sentinels(env.User) == {email("race@x"): {"id": {"S": won[0]}}}


def test_create_over_an_existing_item_moves_its_sentinels(env: Env) -> None:
    env.db.model(env.User(id="u1", email="a@x", handle="h")).create()
    env.db.model(env.User(id="u1", email="b@x", handle="h")).create()  # a put overwrites
    assert env.sentinels(env.User) == {
        email("b@x"): {"id": {"S": "u1"}},
        f"{PREFIX}User#handle#h": {"id": {"S": "u1"}},
    }
    env.db.model(env.User(id="u2", email="a@x")).create()  # given up: free again


def test_create_again_with_the_same_values_keeps_the_sentinels(env: Env) -> None:
    env.db.model(env.User(id="u1", email="a@x")).create()
    env.db.model(env.User(id="u1", email="a@x", name="again")).create()
    assert env.sentinels(env.User) == {email("a@x"): {"id": {"S": "u1"}}}


def test_if_not_exists_on_an_existing_item_is_its_own_condition_failure(env: Env) -> None:
    env.db.model(env.User(id="u1", email="a@x")).create()
    with pytest.raises(ConditionFailedError) as info:
        env.db.model(env.User(id="u1", email="b@x")).if_not_exists().create()
    assert not isinstance(info.value, UniqueConstraintError)
    assert info.value.item.email == "a@x"  # type: ignore[union-attr]
    assert env.sentinels(env.User) == {email("a@x"): {"id": {"S": "u1"}}}


def test_a_write_to_a_key_that_starts_like_a_sentinel_is_refused_before_sending(
    env: Env, proxied_db: DB, fault_proxy: FaultProxy
) -> None:
    env.db.model(env.User(id="u1", email="x")).create()

    def users() -> Any:  # a new query each time: where() adds to the one it is on
        return proxied_db.model(env.User)

    writes = {
        "create": lambda: proxied_db.model(env.User(id=email("x"), email="y")).create(),
        "update": lambda: proxied_db.model(env.User(id=email("x"))).update("name"),
        "delete": lambda: users().where("id", "=", email("x")).delete(),
        "update_builder": lambda: users().where("id", "=", email("x")).update_builder(),
    }
    for operation, write in writes.items():
        with pytest.raises(ValidationError) as info:
            write()
        assert f"User.{operation}(): the partition key {email('x')!r} starts with" in str(
            info.value
        )
    assert fault_proxy.operations() == []
    assert env.sentinels(env.User) == {email("x"): {"id": {"S": "u1"}}}


# -- update -----------------------------------------------------------------


def test_changing_the_value_frees_the_old_one_and_takes_the_new(env: Env) -> None:
    user = env.db.model(env.User(id="u1", email="a@x")).create()
    user.email = "b@x"
    env.db.model(user).update("email")
    assert user.version == 1
    assert env.sentinels(env.User) == {email("b@x"): {"id": {"S": "u1"}}}
    env.db.model(env.User(id="u2", email="a@x")).create()  # the old value is free
    with pytest.raises(UniqueConstraintError):
        env.db.model(env.User(id="u3", email="b@x")).create()


def test_changing_to_a_taken_value_fails_and_changes_nothing(env: Env) -> None:
    env.db.model(env.User(id="u1", email="a@x")).create()
    other = env.db.model(env.User(id="u2", email="b@x")).create()
    before = sorted(map(str, env.items(env.User)))
    other.email = "a@x"
    other.name = "renamed"
    with pytest.raises(UniqueConstraintError) as info:
        env.db.model(other).update()
    assert (info.value.field, info.value.value) == ("email", "a@x")
    assert sorted(map(str, env.items(env.User))) == before
    assert other.version == 0  # the instance is left as it was too


def test_setting_the_value_to_none_frees_it(env: Env) -> None:
    user = env.db.model(env.User(id="u1", email="a@x")).create()
    user.email = None
    env.db.model(user).update("email")
    assert env.sentinels(env.User) == {}
    env.db.model(env.User(id="u2", email="a@x")).create()


def test_updating_other_fields_sends_one_update_item(
    env: Env, proxied_db: DB, fault_proxy: FaultProxy
) -> None:
    user = proxied_db.model(env.User(id="u1", email="a@x")).create()
    fault_proxy.reset()
    user.name = "new"
    proxied_db.model(user).update()  # every field, the unique one unchanged
    proxied_db.model(user).update("name")
    assert fault_proxy.operations() == ["UpdateItem", "UpdateItem"]
    assert env.sentinels(env.User) == {email("a@x"): {"id": {"S": "u1"}}}


def test_a_stale_instance_learns_the_stored_value_and_keeps_the_sentinels_in_step(
    env: Env,
) -> None:
    env.db.model(env.User(id="u1", email="a@x")).create()
    first = env.db.model(env.User).where("id", "=", "u1").first()
    stale = env.db.model(env.User).where("id", "=", "u1").first()
    first.email = "b@x"
    env.db.model(first).update("email")
    # ``stale`` still holds a@x; its update gives up b@x, the stored value
    stale.email = "c@x"
    with pytest.raises(ConditionFailedError) as info:
        env.db.model(stale).update("email")  # its version is stale: refused
    assert not isinstance(info.value, UniqueConstraintError)
    assert env.sentinels(env.User) == {email("b@x"): {"id": {"S": "u1"}}}
    stale.version = first.version
    env.db.model(stale).update("email")
    assert env.sentinels(env.User) == {email("c@x"): {"id": {"S": "u1"}}}


def test_create_or_update_takes_moves_and_refreshes(env: Env) -> None:
    user = env.User(id="u1", email="a@x")
    env.db.model(user).create_or_update()
    assert user.version == 1
    user.email = "b@x"
    env.db.model(user).create_or_update()
    assert (user.email, user.version) == ("b@x", 2)
    assert env.sentinels(env.User) == {email("b@x"): {"id": {"S": "u1"}}}
    with pytest.raises(UniqueConstraintError):
        env.db.model(env.User(id="u2", email="b@x")).create_or_update()
    assert env.ids() == ["u1"]


def test_the_update_builder_refuses_a_unique_field_before_sending(
    env: Env, proxied_db: DB, fault_proxy: FaultProxy
) -> None:
    builder = proxied_db.model(env.User).where("id", "=", "u1").update_builder()
    with pytest.raises(ValidationError) as info:
        builder.set("email", "b@x")
    assert "the update builder cannot change the unique field 'email'" in str(info.value)
    with pytest.raises(ValidationError):
        builder.remove("handle")
    builder.set("name", "n").execute()  # other fields as before
    assert fault_proxy.operations() == ["UpdateItem"]


# -- delete -----------------------------------------------------------------


def test_deleting_an_instance_frees_its_values(env: Env) -> None:
    user = env.db.model(env.User(id="u1", email="a@x", handle="h")).create()
    env.db.model(user).delete()
    assert env.items(env.User) == []
    env.db.model(env.User(id="u2", email="a@x", handle="h")).create()


def test_deleting_by_key_frees_the_values_the_item_holds(env: Env) -> None:
    env.db.model(env.User(id="u1", email="a@x")).create()
    env.db.model(env.User).where("id", "=", "u1").delete()
    assert env.items(env.User) == []
    env.db.model(env.User).where("id", "=", "nobody").delete()  # no item: nothing to do


def test_deleting_with_a_stale_instance_frees_the_stored_values(env: Env) -> None:
    user = env.db.model(env.User(id="u1", email="a@x")).create()
    moved = env.db.model(env.User).where("id", "=", "u1").first()
    moved.email = "b@x"
    env.db.model(moved).update("email")
    user.version = moved.version
    env.db.model(user).delete()  # holds a@x; the item holds b@x
    assert env.items(env.User) == []


# -- batches, reads ---------------------------------------------------------


@pytest.mark.parametrize("method", ["batch_create", "batch_delete", "batch_write"])
def test_batch_writes_are_refused_before_any_request(
    env: Env, proxied_db: DB, fault_proxy: FaultProxy, method: str
) -> None:
    query = proxied_db.model(env.User)
    users = [env.User(id="u1", email="a@x")]
    calls = {
        "batch_create": lambda: query.batch_create(users),
        "batch_delete": lambda: query.batch_delete(["u1"]),
        "batch_write": lambda: query.batch_write(puts=users),
    }
    with pytest.raises(ValidationError) as info:
        calls[method]()
    assert f"User.{method}(): User has unique fields (email, handle)" in str(info.value)
    assert "not atomic" in str(info.value)
    assert fault_proxy.operations() == []


def test_scans_and_queries_never_return_sentinel_items(env: Env) -> None:
    for n in range(4):
        env.db.model(env.User(id=f"u{n}", email=f"{n}@x", handle=f"h{n}")).create()
    env.db.model(env.Entry(pk="p", sk="s1", code=Decimal(1))).create()
    assert len(env.items(env.User)) == 12  # 4 items, 8 sentinels
    users = env.db.model(env.User)
    assert sorted(u.id for u in users.scan()) == ["u0", "u1", "u2", "u3"]
    assert sorted(u.id for u in env.db.model(env.User).scan_iter()) == ["u0", "u1", "u2", "u3"]
    assert len(env.db.model(env.User).scan_all_segments(3)) == 4
    seen: list[str] = []
    cursor = None
    while True:
        page = env.db.model(env.User).limit(5).cursor(cursor).scan_paginated()
        seen.extend(u.id for u in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == ["u0", "u1", "u2", "u3"]
    assert [u.id for u in env.db.model(env.User).where("handle", "=", "h2").all()] == ["u2"]
    assert [e.sk for e in env.db.model(env.Entry).scan()] == ["s1"]
    inverted = env.db.model(env.Entry).index("inverted").where("sk", "=", "s1").all()
    assert [e.pk for e in inverted] == ["p"]


def test_a_sentinel_keys_its_table_key_with_the_same_text_and_names_its_owner(env: Env) -> None:
    env.db.model(env.Entry(pk="p", sk="s1", code=Decimal("2.50"))).create()
    text = f"{PREFIX}Entry#code#2.5"
    (sentinel,) = [i for i in env.items(env.Entry) if i["pk"]["S"] == text]
    assert sentinel == {
        "pk": {"S": text},
        "sk": {"S": text},
        "_unique_of": {"M": {"pk": {"S": "p"}, "sk": {"S": "s1"}}},
    }


# -- transactions, lost answers ---------------------------------------------


def test_a_transaction_create_takes_the_value_with_its_other_operations(env: Env) -> None:
    env.db.model(env.User(id="u1", email="a@x")).create()
    builder = env.db.transact()
    builder.create(env.User(id="u2", email="b@x"))
    builder.create(env.User(id="u3", email="a@x"))
    with pytest.raises(UniqueConstraintError) as info:
        builder.execute()
    assert (info.value.field, info.value.value) == ("email", "a@x")
    assert env.ids() == ["u1"]  # none of the transaction was applied
    with env.db.transaction() as tx:
        tx.model(env.User(id="u2", email="b@x")).create()
        tx.model(env.User(id="u3", email="c@x")).create()
    assert env.ids() == ["u1", "u2", "u3"] and len(env.sentinels(env.User)) == 3


def test_a_transaction_delete_frees_the_value(env: Env) -> None:
    user = env.db.model(env.User(id="u1", email="a@x")).create()
    env.db.transact().delete(user).execute()
    assert env.items(env.User) == []


def test_a_lost_transaction_answer_is_resent_and_applied_once(
    env: Env, proxied_db: DB, fault_proxy: FaultProxy
) -> None:
    fault_proxy.server_error("TransactWriteItems", times=1, after=True)
    proxied_db.model(env.User(id="u1", email="a@x")).create()
    assert fault_proxy.operations() == ["TransactWriteItems", "TransactWriteItems"]
    assert env.ids() == ["u1"]
    assert env.sentinels(env.User) == {email("a@x"): {"id": {"S": "u1"}}}
