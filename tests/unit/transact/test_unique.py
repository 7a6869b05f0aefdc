"""The sentinel writes of unique fields as transaction operations, without
a server (SPEC §17): which puts and deletes an item's change of values
takes, their conditions, the ``UniqueConstraintError`` a failed sentinel
put becomes, and what a transaction's put, update and delete of a model
with unique fields add."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm import DB, Model, field, if_not_exists
from dynamorm.errors import (
    ConditionFailedError,
    TransactionConditionFailedError,
    UniqueConstraintError,
    ValidationError,
)
from dynamorm.transact.checks import transaction_error
from dynamorm.transact.unique import sentinel_operations, transaction_body, unique_error


class User(Model, table="users"):
    id: str = field(pk=True)
    email: str | None = field(unique=True, default=None)
    name: str = ""


META = User.__dynamorm__
OWNER = {"id": {"S": "u1"}}
OWNED = {
    "ConditionExpression": "attribute_not_exists(#n0) OR #n1 = :v0",
    "ExpressionAttributeNames": {"#n0": "id", "#n1": "_unique_of"},
    "ExpressionAttributeValues": {":v0": {"M": OWNER}},
    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
}


@pytest.fixture(scope="module")
def db() -> DB:
    # Nothing here sends a request; the endpoint is never contacted.
    return DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")


def test_taking_a_value_puts_its_sentinel_owned_by_the_item() -> None:
    (op,) = sentinel_operations(META, {"email": None}, {"email": {"S": "a@x"}}, OWNER)
    key = {"id": {"S": "_unique#User#email#a@x"}}
    assert (op.kind, op.model, op.key) == ("Put", User, key)
    assert op.body == {
        "TableName": "users",
        "Item": {**key, "_unique_of": {"M": OWNER}},
        **OWNED,
    }


def test_changing_a_value_deletes_the_old_sentinel_and_puts_the_new() -> None:
    ops = sentinel_operations(META, {"email": {"S": "a@x"}}, {"email": {"S": "b@x"}}, OWNER)
    assert [(op.kind, op.key["id"]["S"]) for op in ops] == [
        ("Delete", "_unique#User#email#a@x"),
        ("Put", "_unique#User#email#b@x"),
    ]
    assert ops[0].body == {"TableName": "users", "Key": ops[0].key, **OWNED}
    assert ops[0].condition_error is None  # another item's sentinel is not a clash


def test_giving_up_a_value_only_deletes_its_sentinel() -> None:
    ops = sentinel_operations(META, {"email": {"S": "a@x"}}, {"email": None}, OWNER)
    assert [op.kind for op in ops] == ["Delete"]


def test_an_unchanged_value_writes_no_sentinel() -> None:
    assert sentinel_operations(META, {"email": {"S": "a@x"}}, {"email": {"S": "a@x"}}, OWNER) == []
    assert sentinel_operations(META, {"email": None}, {"email": None}, OWNER) == []


def test_an_item_that_may_be_new_puts_every_value_it_holds() -> None:
    ops = sentinel_operations(META, None, {"email": {"S": "a@x"}}, OWNER)
    assert [op.kind for op in ops] == ["Put"]
    assert sentinel_operations(META, None, {"email": None}, OWNER) == []


def test_a_failed_sentinel_put_is_a_unique_constraint_error_naming_model_field_value() -> None:
    ops = [*sentinel_operations(META, None, {"email": {"S": "a@x"}}, OWNER)]
    response = {
        "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
        "CancellationReasons": [{"Code": "ConditionalCheckFailed"}],
    }
    err = transaction_error(response, ops, "tx")
    assert isinstance(err, UniqueConstraintError) and isinstance(err, ConditionFailedError)
    assert (err.model, err.field, err.value, err.item) == ("User", "email", "a@x", None)
    assert str(err) == (
        "User.email: the value 'a@x' is already held by another User (unique field); "
        "nothing was written"
    )


def test_a_failed_sentinel_delete_stays_a_transaction_condition_failure() -> None:
    ops = sentinel_operations(META, {"email": {"S": "a@x"}}, {"email": None}, OWNER)
    failed = {"CancellationReasons": [{"Code": "ConditionalCheckFailed"}]}
    err = transaction_error(failed, ops, "tx")
    assert type(err) is TransactionConditionFailedError


def test_unique_error_and_transaction_body() -> None:
    err = unique_error(META, META.by_name["email"], "q@x")
    assert (err.model, err.field, err.value) == ("User", "email", "q@x")
    assert transaction_body({"TableName": "t", "ReturnValues": "ALL_NEW"}) == {"TableName": "t"}


def _items(builder: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = builder.to_params()["TransactItems"]
    return out


def test_a_transaction_put_is_followed_by_the_puts_of_its_sentinels(db: DB) -> None:
    items = _items(db.transact().create(User(id="u1", email="a@x")))
    assert [next(iter(i)) for i in items] == ["Put", "Put"]
    put = items[0]["Put"]
    assert put["ConditionExpression"] == (
        "attribute_not_exists(#n0) AND (attribute_not_exists(#n0) OR #n1 = :v0)"
    )
    assert items[1]["Put"]["Item"]["id"] == {"S": "_unique#User#email#a@x"}


def test_a_transaction_put_without_a_value_puts_no_sentinel(db: DB) -> None:
    items = _items(db.transact().put(User(id="u1")))
    assert len(items) == 1
    assert "attribute_type" in items[0]["Put"]["ConditionExpression"]


def test_sentinel_operations_count_toward_the_100_operation_limit(db: DB) -> None:
    builder = db.transact()
    for n in range(50):
        builder.create(User(id=f"u{n}", email=f"{n}@x"))
    assert len(builder) == 100
    builder.create(User(id="u50"))  # no value: no sentinel
    with pytest.raises(ValidationError, match=r"operation 100 .* is one too many"):
        builder.to_params()


def test_two_items_taking_one_value_in_a_transaction_are_refused_before_sending(db: DB) -> None:
    builder = db.transact().create(User(id="u1", email="a@x")).create(User(id="u2", email="a@x"))
    with pytest.raises(ValidationError, match=r"operation 3 .* the same item as operation 1"):
        builder.to_params()


def test_a_transaction_update_cannot_name_a_unique_field(db: DB) -> None:
    with pytest.raises(ValidationError) as info:
        db.transact().update(User(id="u1", email="b@x"), ["email"])
    assert "transaction operation 0 (update on User)" in str(info.value)
    assert "the unique field 'email' cannot be changed in a transaction" in str(info.value)


def test_a_transaction_update_of_all_fields_requires_the_stored_unique_values(db: DB) -> None:
    (item,) = _items(db.transact().update(User(id="u1", email="a@x", name="n")))
    assert _condition(item["Update"]) == "attribute_exists(id) AND email = {'S': 'a@x'}"
    # naming other fields leaves the unique ones alone
    (named,) = _items(db.transact().update(User(id="u1", email="a@x", name="n"), ["name"]))
    assert _condition(named["Update"]) == "attribute_exists(id)"


def _condition(body: dict[str, Any]) -> str:
    """The condition of ``body`` with its placeholders replaced by what they stand for."""
    text: str = body["ConditionExpression"]
    for name, attr in body["ExpressionAttributeNames"].items():
        text = text.replace(name, attr)
    for name, value in body.get("ExpressionAttributeValues", {}).items():
        text = text.replace(name, repr(value))
    return text


def test_a_transaction_delete_requires_the_instances_values_and_frees_them(db: DB) -> None:
    items = _items(db.transact().delete(User(id="u1", email="a@x"), if_not_exists()))
    assert [next(iter(i)) for i in items] == ["Delete", "Delete"]
    assert items[0]["Delete"]["ConditionExpression"] == "attribute_not_exists(#n0) AND #n1 = :v0"
    assert items[1]["Delete"]["Key"] == {"id": {"S": "_unique#User#email#a@x"}}


def test_a_transaction_write_refuses_a_key_that_starts_like_a_sentinel(db: DB) -> None:
    sentinel = User(id="_unique#User#email#a@x")
    for add in (
        lambda: db.transact().put(sentinel),
        lambda: db.transact().update(sentinel, ["name"]),
        lambda: db.transact().delete(sentinel),
        lambda: db.transact().update_with_builder(sentinel, lambda b: b.set("name", "n")),
    ):
        with pytest.raises(ValidationError, match="starts with '_unique#'"):
            add()


def test_update_with_builder_refuses_a_unique_field(db: DB) -> None:
    with pytest.raises(ValidationError) as info:
        db.transact().update_with_builder(User(id="u1"), lambda b: b.set("email", "b@x"))
    assert "the update builder cannot change the unique field 'email'" in str(info.value)
