"""The update builder's compiled request, without sending (update.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from dynamorm import Model, UpdateBuilder, field
from dynamorm.errors import ValidationError


class Account(Model, table="accounts"):
    id: str = field(pk=True)
    balance: int = 0
    points: int = 0
    logins: int = 0
    temp: str = ""
    tags: set[str] = field(default_factory=set)
    history: list[Any] = field(default_factory=list)
    seen: datetime | None = None
    updated: datetime = field(updated_at=True)
    version: int = field(version=True)


class Plain(Model, table="plain"):
    id: str = field(pk=True)
    n: int = 0


def builder(model: type[Model] = Account) -> UpdateBuilder:
    return UpdateBuilder(model.__dynamorm__, {"id": {"S": "a1"}})


def test_spec_example_compiles_to_one_request() -> None:
    params = (
        builder()
        .set("balance", 1000)
        .add("points", 5)
        .increment("logins")
        .remove("temp")
        .condition("balance", ">=", 0)
        .condition_version(5)
        .to_params()
    )
    assert params["TableName"] == "accounts" and params["Key"] == {"id": {"S": "a1"}}
    update = params["UpdateExpression"]
    assert update.startswith("SET #n0 = :v0, ") and "REMOVE" in update and "ADD" in update
    names = params["ExpressionAttributeNames"]
    assert set(names.values()) >= {"balance", "points", "logins", "temp", "version", "updated"}
    assert params["ConditionExpression"].count("AND") == 1
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    assert {"N": "5"} in params["ExpressionAttributeValues"].values()


def test_updated_at_is_set_unless_user_sets_it() -> None:
    params = builder().set("balance", 1).to_params()
    assert "updated" in params["ExpressionAttributeNames"].values()
    when = datetime(2024, 1, 1, tzinfo=UTC)
    params = builder().set("updated", when).to_params()
    assert list(params["ExpressionAttributeValues"].values()) == [
        {"S": "2024-01-01T00:00:00.000000000Z"}
    ]
    assert "updated" not in builder(Plain).set("n", 1).to_params()["ExpressionAttributeNames"]


def test_values_are_encoded_like_the_field() -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    values = builder(Plain).set("n", 3).to_params()["ExpressionAttributeValues"]
    assert values == {":v0": {"N": "3"}}
    params = builder().set("seen", when).to_params()
    assert {"S": "2024-01-01T00:00:00.000000000Z"} in params["ExpressionAttributeValues"].values()
    params = builder().delete("tags", {"x"}).to_params()
    assert params["UpdateExpression"].endswith("DELETE #n0 :v0")
    assert params["ExpressionAttributeValues"][":v0"] == {"SS": ["x"]}
    with pytest.raises(ValidationError, match=r"Account\.balance"):
        builder().set("balance", "lots")
    # Set elements and numbers to ADD are checked by the type they go to.
    with pytest.raises(ValidationError, match=r"Plain\.n: expected int, got set"):
        builder(Plain).delete("n", {1})
    with pytest.raises(ValidationError, match=r"Account\.tags: expected set\[str\]"):
        builder().add("tags", {1})


def test_list_actions_and_return_values() -> None:
    params = builder(Plain).append_to_list("n", [1]).return_values("updated_new").to_params()
    assert params["UpdateExpression"] == "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)"
    assert params["ReturnValues"] == "UPDATED_NEW"
    params = builder(Plain).set_list_element("n", 2, "x").to_params()
    assert params["UpdateExpression"] == "SET #n0[2] = :v0"
    params = builder(Plain).remove_from_list_at("n", 0).to_params()
    assert params["UpdateExpression"] == "REMOVE #n0[0]"


def test_overlaps_key_updates_and_missing_version_rejected() -> None:
    with pytest.raises(ValidationError, match="overlap"):
        builder().set("history", []).set("history[0]", 1).to_params()
    with pytest.raises(ValidationError, match="key attribute"):
        builder().set("id", "other").to_params()
    with pytest.raises(ValidationError, match="no version field"):
        builder(Plain).condition_version(1)
    with pytest.raises(ValidationError, match="at least one action"):
        builder(Plain).to_params()
    with pytest.raises(ValidationError, match="cannot send"):
        builder(Plain).set("n", 1).execute()


def test_or_conditions_and_groups() -> None:
    params = (
        builder(Plain)
        .set("n", 1)
        .condition("n", "=", 1)
        .or_condition("n", "=", 2)
        .condition_group(lambda g: g.condition("n", "<", 5).or_condition("n", ">", 9))
        .to_params()
    )
    assert params["ConditionExpression"] == ("#n0 = :v1 OR #n0 = :v2 AND (#n0 < :v3 OR #n0 > :v4)")
    params = builder(Plain).set("n", 1).condition_not_exists().to_params()
    assert params["ConditionExpression"] == "attribute_not_exists(#n1)"
