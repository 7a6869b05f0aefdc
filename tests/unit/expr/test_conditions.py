"""The shared condition vocabulary (``dynamorm/expr/conditions.py``): a
query's filters and write conditions, an update's conditions and a group's
clauses are built by the same methods, and come out the same."""

from __future__ import annotations

from typing import Any

from dynamorm import Model, field
from dynamorm.expr import compile_request
from dynamorm.expr.conditions import (
    ConditionGroup,
    ConditionSet,
    ConditionVocabulary,
    FilterVocabulary,
)
from dynamorm.query import Query
from dynamorm.update import UpdateBuilder


class Item(Model, table="vocabulary-items"):
    pk: str = field(pk=True)
    n: int = 0
    tags: set[str] = field(default_factory=set)


META = Item.__dynamorm__


def _filled(add: Any, add_or: Any, group: Any, or_group: Any) -> None:
    add("n", ">", 1)
    add_or("n", "<", -1)
    group(lambda g: g.condition("tags", "contains", "a").or_condition("n", "=", 0))
    or_group(lambda g: g.filter("pk", "begins_with", "x").group(lambda h: h.filter("n", "=", 5)))


def _expression(conditions: ConditionSet) -> dict[str, Any]:
    clause = conditions.build()
    assert clause is not None
    return compile_request(condition=[clause]).to_params()


def test_every_builder_builds_the_same_clauses_with_the_same_methods() -> None:
    query = Query(None, Item)  # type: ignore[arg-type]
    _filled(query.filter, query.or_filter, query.filter_group, query.or_filter_group)
    writes = Query(None, Item)  # type: ignore[arg-type]
    _filled(
        writes.with_condition,
        writes.or_condition,
        writes.condition_group,
        writes.or_condition_group,
    )
    update = UpdateBuilder(META, {"pk": {"S": "a"}})
    _filled(
        update.condition, update.or_condition, update.condition_group, update.or_condition_group
    )
    group = ConditionGroup(META)
    _filled(group.filter, group.or_condition, group.group, group.or_group)
    expected = _expression(query._state.filters)
    assert "OR" in expected["ConditionExpression"]
    assert _expression(writes._state.conditions) == expected
    assert _expression(update._conditions) == expected
    assert _expression(group._set) == expected


def test_the_methods_are_written_once() -> None:
    for name in ("filter", "or_filter", "filter_group", "or_filter_group"):
        assert getattr(Query, name) is getattr(FilterVocabulary, name)
        assert getattr(ConditionGroup, name) is getattr(FilterVocabulary, name)
    for name in ("condition", "or_condition", "condition_group", "or_condition_group"):
        for builder in (Query, UpdateBuilder, ConditionGroup):
            assert getattr(builder, name) is getattr(ConditionVocabulary, name)
