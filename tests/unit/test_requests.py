"""Request building without I/O: where resolution, filters, encoding of
compared values, cursors, write parameters (requests.py, conditions.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import Model, field
from dynamorm._core import Encoded
from dynamorm.cursor import encode_cursor
from dynamorm.errors import ExpressionError, ValidationError
from dynamorm.expr import And, Or, compile_request
from dynamorm.expr.conditions import ConditionSet, make_term, normalize_op
from dynamorm.model.paths import resolve_path
from dynamorm.requests import (
    QueryState,
    delete_params,
    key_of_where,
    plan_read,
    put_params,
    scan_params,
)


class Order(Model, table="orders"):
    customer: str = field(pk=True)
    placed: str = field(sk=True, attr="placedAt")
    sku: str = field(default="", gsi_pk="sku-index")
    qty: int = field(default=0, gsi_sk="sku-index", lsi="qty-index")
    expires: datetime | None = field(ttl=True, default=None)
    note: str = ""
    shipped: datetime | None = None
    address: dict[str, Any] = field(default_factory=dict)


def state(*where: tuple[Any, ...], **kw: Any) -> QueryState:
    meta = Order.__dynamorm__
    s = QueryState(meta=meta, **kw)
    s.where.extend(make_term(meta, *w) for w in where)
    return s


WHEN = datetime(2024, 5, 1, 12, tzinfo=UTC)
WHEN_TEXT = "2024-05-01T12:00:00.000000000Z"


def test_full_key_with_eq_is_get_item_with_encoded_key() -> None:
    plan = plan_read(state(("customer", "=", "c1"), ("placed", "=", "p1")), "first", single=True)
    assert plan.operation == "GetItem"
    assert plan.params == {
        "TableName": "orders",
        "Key": {"customer": {"S": "c1"}, "placedAt": {"S": "p1"}},
    }


def test_full_key_for_all_is_a_query() -> None:
    plan = plan_read(state(("customer", "=", "c1"), ("placed", "=", "p1")), "all")
    assert plan.operation == "Query" and plan.index is None
    assert plan.params["KeyConditionExpression"] == "#n0 = :v0 AND #n1 = :v1"
    assert plan.params["ExpressionAttributeNames"]["#n1"] == "placedAt"


def test_other_conditions_become_filters() -> None:
    plan = plan_read(
        state(("customer", "=", "c1"), ("note", "begins_with", "x"), ("shipped", ">", WHEN)), "all"
    )
    assert plan.index is None
    assert plan.params["KeyConditionExpression"] == "#n0 = :v0"
    assert plan.params["FilterExpression"] == "begins_with(#n1, :v1) AND #n2 > :v2"
    assert plan.params["ExpressionAttributeValues"][":v2"] == {"S": WHEN_TEXT}


def test_index_chosen_by_keys_lsi_preferred_with_its_sort_key() -> None:
    assert plan_read(state(("sku", "=", "s")), "all").index == "sku-index"
    plan = plan_read(state(("customer", "=", "c"), ("qty", "between", (1, 5))), "all")
    assert plan.index == "qty-index"
    assert plan.params["KeyConditionExpression"] == "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"
    # The table wins a tie: no sort-key condition anywhere.
    assert plan_read(state(("customer", "=", "c")), "all").index is None


def test_order_by_picks_and_checks_the_sort_key() -> None:
    meta = Order.__dynamorm__
    s = state(("customer", "=", "c"))
    s.order_field, s.descending = meta.by_name["qty"], True
    plan = plan_read(s, "all")
    assert plan.index == "qty-index" and plan.params["ScanIndexForward"] is False
    s = state(("sku", "=", "s"))
    s.order_field = meta.by_name["note"]
    with pytest.raises(ValidationError, match="order_by\\('note'\\)"):
        plan_read(s, "all")


def test_no_key_condition_names_the_missing_key() -> None:
    with pytest.raises(ValidationError, match=r"where\('customer', '=', \.\.\.\) is missing"):
        plan_read(state(("note", "=", "x")), "all")
    with pytest.raises(ValidationError, match="index 'sku-index'"):
        plan_read(state(("customer", "=", "c"), index="sku-index"), "all")


def test_consistent_read_on_gsi_rejected_lsi_allowed() -> None:
    with pytest.raises(ValidationError, match="global secondary index 'sku-index'"):
        plan_read(state(("sku", "=", "s"), consistent=True), "all")
    plan = plan_read(state(("customer", "=", "c"), ("qty", ">", 1), consistent=True), "all")
    assert plan.params["ConsistentRead"] is True and plan.index == "qty-index"


def test_compared_values_are_encoded_like_the_field() -> None:
    meta = Order.__dynamorm__
    text = Encoded({"S": WHEN_TEXT})
    assert make_term(meta, "shipped", ">", WHEN).value == text
    assert make_term(meta, "expires", "<", WHEN).value == Encoded({"N": str(int(WHEN.timestamp()))})
    assert make_term(meta, "shipped", "between", (WHEN, WHEN)).value == (text, text)
    assert make_term(meta, "shipped", "begins_with", "2024-05").value == "2024-05"
    assert make_term(meta, "shipped", "in", [WHEN]).value == [text]
    # The stored text of a datetime is taken as it is.
    assert make_term(meta, "shipped", "<", WHEN_TEXT).value == WHEN_TEXT
    # Nested values are compared as given.
    assert make_term(meta, "address.city", "=", "Oslo").segments == ["address", "city"]
    with pytest.raises(ValidationError, match=r"Order\.qty"):
        make_term(meta, "qty", "=", "not a number")


def test_encoded_values_reach_the_request_as_the_very_attribute_values() -> None:
    term = make_term(Order.__dynamorm__, "shipped", ">", WHEN)
    assert isinstance(term.value, Encoded)
    values = compile_request(filter=[term.clause()]).to_params()["ExpressionAttributeValues"]
    # The compiler takes the encoded dict as it is: not decoded, not marshaled again.
    assert next(iter(values.values())) is term.value.av


def test_encoded_refuses_what_is_not_an_attribute_value() -> None:
    with pytest.raises(ValidationError, match="Encoded"):
        Encoded({"S": "a", "N": "1"})
    with pytest.raises(ValidationError, match="Encoded"):
        Encoded({"X": "a"})
    assert Encoded({"N": "1.50"}).value() == Decimal("1.50")


def test_paths_and_operators() -> None:
    meta = Order.__dynamorm__
    assert resolve_path(meta, "placed")[1] == ["placedAt"]
    assert resolve_path(meta, "address.lines[2].zip")[1] == ["address", "lines", 2, "zip"]
    with pytest.raises(ValidationError, match="no field 'nope'"):
        resolve_path(meta, "nope.x")
    with pytest.raises(ValidationError, match="malformed"):
        resolve_path(meta, "address..x")
    assert normalize_op("!=") == "<>"
    assert normalize_op(" size  >= ") == "SIZE >="
    assert normalize_op("not_contains") == "NOT_CONTAINS"
    with pytest.raises(ValidationError):
        normalize_op("LIKE")
    with pytest.raises(ValidationError, match="1 to 100"):
        make_term(meta, "note", "in", list(range(101)))


def test_condition_set_and_binds_tighter_than_or() -> None:
    cs = ConditionSet()
    assert cs.build() is None
    cs.add(("a", "=", 1))
    cs.add(("b", "=", 2), either=True)
    cs.add(("c", "=", 3))
    assert cs.build() == Or(("a", "=", 1), And(("b", "=", 2), ("c", "=", 3)))


def test_scan_params_use_where_as_filter_and_segments() -> None:
    s = state(("note", "=", "x"), segment=(1, 4))
    params = scan_params(s)
    assert params["FilterExpression"] == "#n0 = :v0"
    assert (params["Segment"], params["TotalSegments"]) == (1, 4)


def test_cursor_checked_against_index_and_model() -> None:
    good = encode_cursor({"customer": {"S": "c"}, "placedAt": {"S": "p"}})
    plan = plan_read(state(("customer", "=", "c"), cursor=good), "all")
    assert plan.params["ExclusiveStartKey"]["customer"] == {"S": "c"}
    with pytest.raises(ValidationError, match="cursor was taken on the table"):
        plan_read(state(("sku", "=", "s"), cursor=good), "all")
    with pytest.raises(ValidationError, match="cursor"):
        plan_read(state(("customer", "=", "c"), cursor="bad!"), "all")
    # A well-formed cursor of another model: its key lacks this model's key attributes.
    foreign = encode_cursor({"id": {"S": "u1"}})
    with pytest.raises(ValidationError, match=r"does not belong to this model.*'customer'"):
        plan_read(state(("customer", "=", "c"), cursor=foreign), "all")


def test_write_params_request_old_item_on_condition_failure() -> None:
    meta = Order.__dynamorm__
    assert "ReturnValuesOnConditionCheckFailure" not in put_params(meta, {"customer": {"S": "c"}})
    params = put_params(meta, {"customer": {"S": "c"}}, [(["customer"], "NOT_EXISTS")])
    assert params["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    key = key_of_where(meta, state(("customer", "=", "c"), ("placed", "=", "p")).where, "delete")
    assert key == {"customer": {"S": "c"}, "placedAt": {"S": "p"}}
    from dynamorm.expr import Raw

    with pytest.raises(ExpressionError):
        delete_params(meta, key, [Raw("#x = :v", {":v": 1})])
