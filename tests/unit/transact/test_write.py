"""Transaction requests built without a server (SPEC §8): each operation's
body, the checks before sending (each naming the operation index), and the
``TransactionError`` made from DynamoDB's cancellation reasons."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import (
    DB,
    KeyPair,
    Model,
    at_version,
    condition,
    condition_expression,
    field,
    if_exists,
)
from dynamorm.errors import (
    ConditionFailedError,
    ExpressionError,
    TransactionConditionFailedError,
    TransactionError,
    ValidationError,
)
from dynamorm.transact.checks import MAX_TOTAL_BYTES, request_size, transaction_error


class Account(Model, table="accounts"):
    id: str = field(pk=True)
    balance: int = 0
    note: str = ""
    version: int = field(version=True)
    created: datetime | None = field(created_at=True, default=None)
    updated: datetime | None = field(updated_at=True, default=None)


class Entry(Model, table="entries"):
    pk: str = field(pk=True)
    n: int = field(sk=True)
    body: str = ""


@pytest.fixture(scope="module")
def db() -> DB:
    # Nothing here sends a request; the endpoint is never contacted.
    return DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")


def items(builder: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = builder.to_params()["TransactItems"]
    return out


# -- operation bodies -----------------------------------------------------------


def test_put_is_a_create_without_touching_the_instance(db: DB) -> None:
    account = Account(id="a1", balance=5)
    (item,) = items(db.transact().put(account))
    put = item["Put"]
    assert put["TableName"] == "accounts"
    assert put["Item"]["id"] == {"S": "a1"} and put["Item"]["version"] == {"N": "0"}
    assert put["Item"]["created"] == put["Item"]["updated"]
    assert "ConditionExpression" not in put and "ReturnValuesOnConditionCheckFailure" not in put
    assert account.created is None and account.version == 0  # set only once committed


def test_create_requires_absence_and_asks_for_all_old(db: DB) -> None:
    (item,) = items(db.transact().create(Account(id="a1")))
    put = item["Put"]
    assert put["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert put["ExpressionAttributeNames"] == {"#n0": "id"}
    assert put["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_update_checks_existence_and_version(db: DB) -> None:
    account = Account(id="a1", balance=7, version=3)
    (item,) = items(db.transact().update(account, ["balance"], condition("balance", ">=", 0)))
    update = item["Update"]
    assert update["Key"] == {"id": {"S": "a1"}}
    names = update["ExpressionAttributeNames"]
    values = update["ExpressionAttributeValues"]
    assert set(names.values()) == {"id", "balance", "version", "updated"}
    assert {"N": "3"} in values.values() and {"N": "7"} in values.values()
    cond = update["ConditionExpression"]
    assert cond.count("AND") == 2 and "attribute_exists" in cond
    assert "ReturnValues" not in update
    assert update["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_update_at_version_replaces_the_instance_version(db: DB) -> None:
    (item,) = items(db.transact().update(Account(id="a1", version=3), "note", at_version(9)))
    values = item["Update"]["ExpressionAttributeValues"].values()
    assert {"N": "9"} in values and {"N": "3"} not in values


def test_update_with_builder_joins_actions_and_conditions(db: DB) -> None:
    def build(ub: Any) -> None:
        ub.increment("balance", 2).condition("note", "=", "x").return_values("ALL_NEW")

    (item,) = items(db.transact().update_with_builder(Account(id="a1"), build, if_exists()))
    update = item["Update"]
    assert "ReturnValues" not in update
    assert update["UpdateExpression"].startswith("SET")
    assert update["ConditionExpression"].count("AND") == 1
    assert "attribute_exists" in update["ConditionExpression"]


def test_update_with_builder_at_version_adds_the_increment(db: DB) -> None:
    (item,) = items(
        db.transact().update_with_builder(
            Account(id="a1"), lambda ub: ub.set("note", "n"), at_version(4)
        )
    )
    assert " ADD " in " " + item["Update"]["UpdateExpression"]


def test_delete_honours_a_non_zero_version(db: DB) -> None:
    fresh, versioned = Account(id="a1"), Account(id="a2", version=2)
    a, b = items(db.transact().delete(fresh).delete(versioned))
    assert "ConditionExpression" not in a["Delete"]
    assert b["Delete"]["ExpressionAttributeValues"] == {":v0": {"N": "2"}}


def test_condition_check_and_raw_expression(db: DB) -> None:
    check = condition_expression("#b > :z", {":z": 0}, names={"#b": "balance"})
    (item,) = items(db.transact().condition_check(Entry(pk="p", n=1), check))
    body = item["ConditionCheck"]
    assert body["Key"] == {"pk": {"S": "p"}, "n": {"N": "1"}}
    assert body["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    assert body["ExpressionAttributeNames"] == {"#b": "balance"}


def test_operations_keep_call_order(db: DB) -> None:
    builder = (
        db.transact()
        .delete(Entry(pk="p", n=3))
        .put(Entry(pk="p", n=1))
        .condition_check(Entry(pk="p", n=2), if_exists())
        .update(Account(id="a"), ["note"])
    )
    assert [next(iter(i)) for i in items(builder)] == ["Delete", "Put", "ConditionCheck", "Update"]
    assert len(builder) == 4


# -- checks before sending ----------------------------------------------------------


def test_empty_transaction(db: DB) -> None:
    with pytest.raises(ValidationError, match="at least one operation"):
        db.transact().execute()


def test_more_than_100_operations_names_the_101st(db: DB) -> None:
    builder = db.transact()
    for i in range(100):
        builder.put(Entry(pk="p", n=i))
    builder.to_params()  # 100 is fine
    builder.put(Entry(pk="p", n=100))
    with pytest.raises(ValidationError, match=r"operation 100 \(Put on Entry.*has 101"):
        builder.to_params()


def test_same_item_twice_names_both_operations(db: DB) -> None:
    builder = db.transact().put(Entry(pk="p", n=1)).delete(Entry(pk="q", n=1))
    builder.condition_check(Entry(pk="p", n=1), if_exists())
    with pytest.raises(ValidationError, match=r"operation 2 \(ConditionCheck.*operation 0 \(Put"):
        builder.to_params()


def test_same_item_is_found_by_numeric_value_of_its_key(db: DB) -> None:
    class Reading(Model, table="readings"):
        pk: str = field(pk=True)
        at: Decimal = field(sk=True)

    builder = (
        db.transact().put(Reading(pk="p", at=Decimal("1.50"))).put(Reading(pk="q", at=Decimal(2)))
    )
    builder.delete(Reading(pk="p", at=Decimal("1.5E0")))  # the same number: the same item
    with pytest.raises(ValidationError, match=r"operation 2 \(Delete.*operation 0 \(Put"):
        builder.to_params()


def test_same_item_on_another_table_is_fine(db: DB) -> None:
    class Other(Model, table="others"):
        pk: str = field(pk=True)
        n: int = field(sk=True)

    assert len(items(db.transact().put(Entry(pk="p", n=1)).put(Other(pk="p", n=1)))) == 2


def test_aggregate_size_over_4mb_names_the_operation(db: DB) -> None:
    big = "x" * 390_000
    builder = db.transact()
    for i in range(11):
        builder.put(Entry(pk="p", n=i, body=big))
    with pytest.raises(ValidationError, match=r"operation 10 \(Put on Entry.*4 MB"):
        builder.to_params()


def test_request_size_follows_item_size_rules() -> None:
    assert request_size({"Item": {"ab": {"S": "héllo"}}}) == 2 + 6
    assert request_size({"Key": {"k": {"N": "12345"}}}) == 1 + 4
    assert request_size({"Item": {"m": {"M": {"x": {"BOOL": True}}}}}) == 1 + 3 + 1 + 1 + 1
    assert request_size({"Item": {"l": {"L": [{"NULL": True}, {"S": "ab"}]}}}) == 1 + 3 + 2 + 3
    assert request_size({"Item": {"s": {"SS": ["a", "bc"]}}, "ConditionExpression": "x"}) == 5
    assert MAX_TOTAL_BYTES == 4 * 1024 * 1024


def test_bad_input_names_the_operation_index(db: DB) -> None:
    builder = db.transact().put(Entry(pk="p", n=1))
    with pytest.raises(ValidationError, match=r"operation 1 \(put on Entry\).*no version field"):
        builder.put(Entry(pk="p", n=2), at_version(1))
    with pytest.raises(ValidationError, match=r"operation 1 \(update on Account\).*key attr"):
        builder.update(Account(id="a"), ["id"])
    with pytest.raises(ValidationError, match=r"operation 1 \(condition_check on Entry\)"):
        builder.condition_check(Entry(pk="p", n=2))
    with pytest.raises(ValidationError, match=r"operation 1 \(delete\): expected a model"):
        builder.delete(Entry)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="conditions are made with"):
        builder.delete(Entry(pk="p", n=2), ("n", "=", 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"operation 1.*has no field 'nope'"):
        builder.delete(Entry(pk="p", n=2), condition("nope", "=", 1))
    assert len(builder) == 1  # failed additions leave nothing behind


def test_expression_errors_keep_the_position(db: DB) -> None:
    with pytest.raises(ExpressionError) as info:
        db.transact().delete(Entry(pk="p", n=1), condition_expression("#a = :a AND", {":a": 1}))
    assert "operation 0 (delete on Entry)" in str(info.value)
    assert info.value.position is not None


def test_at_version_takes_a_non_negative_int() -> None:
    with pytest.raises(ValidationError, match="at_version"):
        at_version(-1)
    with pytest.raises(ValidationError, match="at_version"):
        at_version(True)


def test_execute_checks_timeout_and_cancel(db: DB) -> None:
    builder = db.transact().put(Entry(pk="p", n=1))
    with pytest.raises(ValidationError, match="timeout"):
        builder.execute(timeout=-1)
    with pytest.raises(ValidationError, match="cancel"):
        builder.execute(cancel=object())  # type: ignore[arg-type]


def test_context_manager_sends_nothing_on_exception(db: DB) -> None:
    # The endpoint is unreachable: a send would raise something else.
    with pytest.raises(ZeroDivisionError), db.transaction() as tx:
        tx.model(Entry(pk="p", n=1)).create()
        _ = 1 / 0
    assert len(tx.builder) == 1


# -- transact_get ---------------------------------------------------------------------


def test_transact_get_keys_and_projection(db: DB) -> None:
    builder = db.transact_get().get(Entry, KeyPair("p", 1)).get(Entry, ("p", 2), "body")
    builder.get(Account, "a1").get(Account, Account(id="a2"))
    first, second, third, fourth = items(builder)
    assert first["Get"] == {"TableName": "entries", "Key": {"pk": {"S": "p"}, "n": {"N": "1"}}}
    assert set(second["Get"]["ExpressionAttributeNames"].values()) == {"body", "pk", "n"}
    assert third["Get"]["Key"] == {"id": {"S": "a1"}} and fourth["Get"]["Key"] == {
        "id": {"S": "a2"}
    }


def test_transact_get_checks(db: DB) -> None:
    with pytest.raises(ValidationError, match=r"operation 0 \(Entry\)"):
        db.transact_get().get(Entry, "p")
    with pytest.raises(ValidationError, match="expected a Model class"):
        db.transact_get().get(Entry(pk="p", n=1), "p")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"operation 1 \(Get on Entry.*operation 0"):
        db.transact_get().get(Entry, ("p", 1)).get(Entry, KeyPair("p", 1)).to_params()
    with pytest.raises(ValidationError, match="at least one"):
        db.transact_get().execute()


# -- errors from cancellation reasons ---------------------------------------------------


def _ops(db: DB) -> Any:
    builder = db.transact().put(Entry(pk="p", n=1)).update(Account(id="a"), ["note"])
    builder.delete(Entry(pk="p", n=2))
    return builder._ops


def test_condition_failure_becomes_both_errors(db: DB) -> None:
    stored = Account(id="a", note="old", version=4).to_item()
    response = {
        "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
        "CancellationReasons": [
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "failed", "Item": stored},
            {"Code": "None"},
        ],
    }
    err = transaction_error(response, _ops(db), "tx")
    assert isinstance(err, TransactionConditionFailedError)
    assert isinstance(err, ConditionFailedError) and isinstance(err, TransactionError)
    assert (err.operation_index, err.operation, err.model) == (1, "Update", "Account")
    assert err.reason == "ConditionalCheckFailed" and len(err.cancellation_reasons) == 3
    assert err.item == Account.from_item(stored)
    assert "operation 1 (Update on Account (table 'accounts'))" in str(err)


def test_condition_failure_is_reported_before_a_conflict(db: DB) -> None:
    response = {
        "CancellationReasons": [
            {"Code": "TransactionConflict"},
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Item": {"pk": {"N": "not a str"}}},
        ]
    }
    err = transaction_error(response, _ops(db), "tx")
    assert isinstance(err, TransactionConditionFailedError) and err.operation_index == 2
    assert err.item == {"pk": {"N": "not a str"}}  # no longer fits the model: raw


def test_other_reasons_and_missing_reasons(db: DB) -> None:
    err = transaction_error(
        {"CancellationReasons": [{"Code": "None"}, {"Code": "None"}, {"Code": "ValidationError"}]},
        _ops(db),
        "tx",
    )
    assert not isinstance(err, ConditionFailedError)
    assert (err.operation_index, err.operation, err.reason, err.item) == (
        2,
        "Delete",
        "ValidationError",
        None,
    )
    bare = transaction_error({"Error": {"Message": "no reasons"}}, _ops(db), "tx")
    assert bare.operation_index is None and bare.cancellation_reasons == []
    assert "no reasons" in str(bare)
