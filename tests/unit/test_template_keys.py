"""Key conditions from ``where`` on the fields of key templates, without I/O
(``template_keys.py`` through ``requests.plan_read`` and ``key_of_where``):
GetItem when every field is given, ``begins_with`` on a sort key, the index
whose template fields are given, and the terms a key condition stands for
kept out of the filter."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from dynamorm import Model, field
from dynamorm.errors import ValidationError
from dynamorm.expr.conditions import make_term
from dynamorm.requests import QueryState, key_of_where, plan_read


class Order(Model, table="app"):
    user_id: str
    day: date
    n: int
    status: str | None = None
    note: str = ""
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="ORDER#{day}#{n:04d}")
    by_status: str | None = field(gsi_pk="status-index", template="STATUS#{status}")
    by_note: str | None = field(gsi_sk="status-index", template="{note}")


def state(*where: tuple[Any, ...], **kw: Any) -> QueryState:
    meta = Order.__dynamorm__
    s = QueryState(meta=meta, **kw)
    s.where.extend(make_term(meta, *w) for w in where)
    return s


def resolved(params: dict[str, Any]) -> str:
    """A request's key condition with its placeholders replaced."""
    text = params["KeyConditionExpression"]
    for placeholder, name in params.get("ExpressionAttributeNames", {}).items():
        text = text.replace(placeholder, name)
    for placeholder, value in params.get("ExpressionAttributeValues", {}).items():
        text = text.replace(placeholder, repr(next(iter(value.values()))))
    return text


DAY = date(2026, 3, 4)


def test_every_field_of_both_templates_with_eq_is_a_get_item() -> None:
    where = [("user_id", "=", "u1"), ("day", "=", DAY), ("n", "=", 7)]
    plan = plan_read(state(*where), "first", single=True)
    assert plan.operation == "GetItem"
    assert plan.params["Key"] == {"pk": {"S": "USER#u1"}, "sk": {"S": "ORDER#2026-03-04#0007"}}


def test_every_field_with_eq_is_sk_equal_for_a_query() -> None:
    where = [("user_id", "=", "u1"), ("day", "=", DAY), ("n", "=", 7)]
    plan = plan_read(state(*where), "all")
    assert resolved(plan.params) == "pk = 'USER#u1' AND sk = 'ORDER#2026-03-04#0007'"
    assert "FilterExpression" not in plan.params


def test_leading_fields_and_begins_with_on_the_next_is_begins_with() -> None:
    plan = plan_read(state(("user_id", "=", "u1"), ("day", "BEGINS_WITH", "2026-0")), "all")
    assert resolved(plan.params) == "pk = 'USER#u1' AND begins_with(sk, 'ORDER#2026-0')"
    plan = plan_read(
        state(("user_id", "=", "u1"), ("day", "=", DAY), ("n", "BEGINS_WITH", "00")), "all"
    )
    assert "begins_with(sk, 'ORDER#2026-03-04#00')" in resolved(plan.params)


def test_the_partition_alone_begins_with_the_leading_literal() -> None:
    plan = plan_read(state(("user_id", "=", "u1")), "all")
    assert resolved(plan.params) == "pk = 'USER#u1' AND begins_with(sk, 'ORDER#')"


def test_a_field_after_a_gap_stays_a_filter() -> None:
    plan = plan_read(state(("user_id", "=", "u1"), ("n", "=", 7)), "all")
    assert resolved(plan.params) == "pk = 'USER#u1' AND begins_with(sk, 'ORDER#')"
    assert "FilterExpression" in plan.params


def test_partial_partition_fields_give_no_key() -> None:
    with pytest.raises(ValidationError, match=r"template 'USER#\{user_id\}': 'user_id' with '='"):
        plan_read(state(("day", "=", DAY)), "all")


def test_the_index_whose_template_fields_are_given_is_chosen() -> None:
    plan = plan_read(state(("status", "=", "open"), ("note", "BEGINS_WITH", "gift")), "all")
    assert plan.params["IndexName"] == "status-index"
    text = resolved(plan.params)
    assert text == "by_status = 'STATUS#open' AND begins_with(by_note, 'gift')"


def test_a_given_sort_key_beats_the_leading_literal_of_the_table() -> None:
    plan = plan_read(
        state(("user_id", "=", "u1"), ("status", "=", "open"), ("note", "=", "gift")), "all"
    )
    assert plan.params["IndexName"] == "status-index"
    assert "FilterExpression" in plan.params  # user_id is a filter there


def test_where_on_the_template_field_itself_is_used_as_given() -> None:
    plan = plan_read(state(("pk", "=", "USER#u1"), ("sk", "BEGINS_WITH", "ORDER#2025")), "all")
    assert resolved(plan.params) == "pk = 'USER#u1' AND begins_with(sk, 'ORDER#2025')"


def test_key_of_where_renders_the_key_and_refuses_other_terms() -> None:
    meta = Order.__dynamorm__
    where = [
        make_term(meta, *w) for w in (("user_id", "=", "u1"), ("day", "=", DAY), ("n", "=", 3))
    ]
    assert key_of_where(meta, where, "delete") == {
        "pk": {"S": "USER#u1"},
        "sk": {"S": "ORDER#2026-03-04#0003"},
    }
    with pytest.raises(ValidationError, match=r"where\('day', '=', ...\), where\('n', '=', ...\)"):
        key_of_where(meta, where[:1], "delete")
    with pytest.raises(ValidationError, match="use with_condition\\(\\) for 'note'"):
        key_of_where(meta, [*where, make_term(meta, "note", "=", "x")], "delete")


def test_a_begins_with_value_holding_the_separator_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"the prefix '2026#' of 'day' holds '#'"):
        plan_read(state(("user_id", "=", "u1"), ("day", "BEGINS_WITH", "2026#")), "all")
