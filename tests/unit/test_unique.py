"""``dynamorm.unique`` without a server (SPEC §17): the key of a unique
value's sentinel item, the values a write assumes and takes, the conditions
on the item's own write, and the scan filter that leaves sentinels out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dynamorm import Model, field
from dynamorm.errors import ValidationError
from dynamorm.expr import compile_request
from dynamorm.requests import QueryState, scan_params
from dynamorm.unique import (
    OWNER_ATTR,
    SENTINEL_PREFIX,
    check_item_key,
    instance_values,
    same_values,
    sentinel_filter,
    sentinel_key,
    stored_conditions,
    stored_values,
    updated_unique,
    value_text,
    values_of,
)


class User(Model, table="users"):
    id: str = field(pk=True)
    email: str | None = field(unique=True, default=None)
    handle: str = field(unique=True, attr="h", default="x")
    name: str = ""


class Entry(Model, table="entries"):
    pk: str = field(pk=True)
    n: int = field(sk=True)
    code: Decimal = field(unique=True, default=Decimal(0))


class Tagged(Model, table="tagged"):
    pk: bytes = field(pk=True)
    sk: str = field(sk=True)
    token: bytes = field(unique=True, default=b"")


USER = User.__dynamorm__


def test_the_sentinel_key_names_the_model_the_stored_attribute_and_the_value() -> None:
    key = sentinel_key(USER, USER.by_name["handle"], {"S": "bob#1"})
    assert key == {"id": {"S": "_unique#User#h#bob#1"}}
    assert SENTINEL_PREFIX == "_unique#" and OWNER_ATTR == "_unique_of"


def test_a_numeric_sort_key_of_a_sentinel_is_zero_and_numbers_are_canonical() -> None:
    meta = Entry.__dynamorm__
    key = sentinel_key(meta, meta.by_name["code"], {"N": "1.50"})
    assert key == {"pk": {"S": "_unique#Entry#code#1.5"}, "n": {"N": "0"}}


def test_a_binary_key_of_a_sentinel_holds_the_text_as_bytes() -> None:
    meta = Tagged.__dynamorm__
    key = sentinel_key(meta, meta.by_name["token"], {"B": b"\x00\xff"})
    text = "_unique#Tagged#token#AP8="
    assert key == {"pk": {"B": text.encode()}, "sk": {"S": text}}


@pytest.mark.parametrize(
    ("one", "other"),
    [("1", "1.0"), ("100", "1E+2"), ("0", "-0.00"), ("-0.5", "-.50")],
)
def test_numbers_equal_as_dynamodb_compares_them_have_one_text(one: str, other: str) -> None:
    assert value_text({"N": one}) == value_text({"N": other})


def test_distinct_values_have_distinct_texts() -> None:
    texts = {value_text(v) for v in ({"N": "1"}, {"N": "10"}, {"N": "0.1"}, {"S": "1 "})}
    assert len(texts) == 4


def test_a_value_too_long_for_a_sentinel_key_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        sentinel_key(USER, USER.by_name["email"], {"S": "x" * 2040})
    assert str(info.value).startswith("User.email: the value is too long to be kept unique")
    assert "partition key" in str(info.value)


def test_a_sort_key_limits_the_sentinel_text_to_its_1024_bytes() -> None:
    meta = Tagged.__dynamorm__
    with pytest.raises(ValidationError, match=r"Tagged\.token: the value is too long"):
        sentinel_key(meta, meta.by_name["token"], {"B": b"x" * 900})


def test_values_hold_none_for_a_missing_or_null_attribute() -> None:
    item = {"id": {"S": "u1"}, "email": {"NULL": True}}
    assert stored_values(USER, item, ["email", "handle"]) == {"email": None, "handle": None}
    assert stored_values(USER, None, ["email"]) == {"email": None}
    assert stored_values(USER, {"h": {"S": "bo"}}, ["handle"]) == {"handle": {"S": "bo"}}


def test_values_of_an_instance_are_what_it_would_store() -> None:
    user = User(id="u1", email=None, handle="bo")
    assert instance_values(USER, user, ["email", "handle"]) == {
        "email": None,
        "handle": {"S": "bo"},
    }
    # a failed condition returns a model instance, or the raw item
    assert values_of(USER, user, ["handle"]) == {"handle": {"S": "bo"}}
    assert values_of(USER, {"h": {"S": "al"}}, ["handle"]) == {"handle": {"S": "al"}}
    assert values_of(USER, None, ["handle"]) == {"handle": None}


def test_same_values_compares_numbers_by_value_and_none_with_none() -> None:
    assert same_values({"a": {"N": "2.0"}, "b": None}, {"a": {"N": "2"}, "b": None})
    assert not same_values({"a": {"N": "2"}}, {"a": {"N": "3"}})
    assert not same_values({"a": None}, {"a": {"S": "x"}})
    assert not same_values({"a": {"S": "x"}}, {"a": None})


def test_an_item_key_that_starts_like_a_sentinel_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        check_item_key(USER, {"id": {"S": "_unique#User#h#bo"}}, "create")
    assert str(info.value).startswith("User.create(): the partition key '_unique#User#h#bo'")
    check_item_key(USER, {"id": {"S": "unique#1"}}, "create")  # any other key is fine
    with pytest.raises(ValidationError):
        check_item_key(Tagged.__dynamorm__, {"pk": {"B": b"_unique#x"}}, "put")


def _condition(clauses: list[object]) -> tuple[str, dict[str, str], dict[str, object]]:
    params = compile_request(condition=clauses).to_params()  # type: ignore[arg-type]
    return (
        params["ConditionExpression"],
        params["ExpressionAttributeNames"],
        params.get("ExpressionAttributeValues", {}),
    )


def test_a_write_assuming_stored_values_requires_each_one_or_no_value() -> None:
    text, names, values = _condition(
        stored_conditions(USER, {"email": {"S": "a@x"}, "handle": None}, {})
    )
    assert text == ("#n0 = :v0 AND (attribute_not_exists(#n1) OR attribute_type(#n1, :v1))")
    assert names == {"#n0": "email", "#n1": "h"}
    assert values == {":v0": {"S": "a@x"}, ":v1": {"S": "NULL"}}


def test_a_put_requires_the_item_absent_or_holding_its_values_already() -> None:
    text, names, values = _condition(stored_conditions(USER, None, {"email": {"S": "a@x"}}))
    assert text == "attribute_not_exists(#n0) OR #n1 = :v0"
    assert names == {"#n0": "id", "#n1": "email"}
    assert values == {":v0": {"S": "a@x"}}


def test_a_write_of_no_unique_field_adds_no_condition() -> None:
    assert stored_conditions(USER, None, {}) == []
    assert stored_conditions(USER, {}, {}) == []


def test_updated_unique_names_the_unique_fields_an_update_writes() -> None:
    actions = [("set", ["h"], "bo"), ("set", ["name"], "x"), ("remove", ["email", "part"])]
    assert updated_unique(USER, actions) == ["handle"]
    assert updated_unique(USER, [("remove", ["email"])]) == ["email"]


def test_scans_of_a_model_with_unique_fields_leave_sentinel_items_out() -> None:
    params = scan_params(QueryState(meta=USER))
    assert params["FilterExpression"] == "NOT begins_with(#n0, :v0)"
    assert params["ExpressionAttributeNames"] == {"#n0": "id"}
    assert params["ExpressionAttributeValues"] == {":v0": {"S": SENTINEL_PREFIX}}


def test_the_sentinel_filter_of_a_binary_key_compares_bytes() -> None:
    clause = sentinel_filter(Tagged.__dynamorm__)
    params = compile_request(filter=[clause]).to_params()
    assert params["ExpressionAttributeValues"] == {":v0": {"B": SENTINEL_PREFIX.encode()}}


def test_scans_of_other_models_take_no_sentinel_filter() -> None:
    class Plain(Model, table="plains"):
        id: str = field(pk=True)

    assert "FilterExpression" not in scan_params(QueryState(meta=Plain.__dynamorm__))
