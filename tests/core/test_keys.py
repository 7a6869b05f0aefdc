"""dynamorm._core's batch-key planner (rust/dynamorm-py/src/keys.rs), called directly."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

import pytest
from dynamorm import _core
from dynamorm.errors import ValidationError


def test_key_plan_is_a_final_class_of_the_core_module_with_docstrings() -> None:
    assert _core.KeyPlan.__module__ == "dynamorm._core"
    for documented in (_core.KeyPlan, _core.KeyPlan.add_keys, _core.KeyPlan.add_user_keys):
        assert (documented.__doc__ or "").strip()
    with pytest.raises(TypeError):
        type("Sub", (_core.KeyPlan,), {})


def test_add_keys_accepts_any_iterable_of_mappings() -> None:
    plan = _core.KeyPlan(["pk"], 100)

    def gen() -> Iterator[Mapping[str, Any]]:
        yield MappingProxyType({"pk": MappingProxyType({"S": "a"})})
        yield {"pk": {"S": "b"}}

    chunks = plan.add_keys(gen())
    assert chunks == [[{"pk": {"S": "a"}}, {"pk": {"S": "b"}}]]
    assert all(type(key) is dict for key in chunks[0])


def test_errors_inside_the_iterable_propagate_unchanged() -> None:
    plan = _core.KeyPlan(["pk"])

    def broken() -> Iterator[dict[str, Any]]:
        yield {"pk": {"S": "a"}}
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        plan.add_keys(broken())
    assert plan.input_count == 0


def test_ordered_items_returns_the_same_objects() -> None:
    plan = _core.KeyPlan(["pk", "sk"], 10)
    plan.add_keys([{"pk": {"S": "a"}, "sk": {"N": "2"}}, {"pk": {"S": "b"}, "sk": {"N": "1"}}])
    first = {"sk": {"N": "2.0"}, "pk": {"S": "a"}, "payload": {"L": [{"NULL": True}]}}
    second = {"pk": {"S": "b"}, "sk": {"N": "1"}, "payload": {"M": {}}}
    assert plan.add_items([second, first]) == 2
    ordered = plan.ordered_items()
    assert ordered[0] is first and ordered[1] is second


def test_items_may_be_any_mapping_and_only_key_attributes_are_read() -> None:
    plan = _core.KeyPlan(["pk"])
    plan.add_keys([{"pk": {"S": "a"}}])
    item = MappingProxyType({"pk": {"S": "a"}, "junk": object()})
    assert plan.add_items([item]) == 1
    assert plan.ordered_items() == [item]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ({"L": [{"S": "x"}]}, "got L"),
        ({"M": {"x": {"S": "y"}}}, "got M"),
        ({"M": {"x": {"BOOL": 1}}}, r"keys\[0\]\.pk\.x: BOOL value must be True or False"),
        ({"L": [{"S": "x"}, {"NULL": False}]}, r"keys\[0\]\.pk\[1\]: NULL value must be True"),
        ({"SS": ["a", 1]}, "SS value must be a str"),
        ({"BS": ["a"]}, "BS value must be bytes"),
        ({"NS": "1"}, "NS value must be a list"),
        ({"BOOL": True}, "got BOOL"),
        ({"NULL": True}, "got NULL"),
        ({"XX": "a"}, "unknown attribute value type"),
        ({1: "a"}, "type key must be a str"),
        ({}, "exactly one type key"),
    ],
)
def test_attribute_values_are_read_and_checked(value: Any, needle: str) -> None:
    plan = _core.KeyPlan(["pk"])
    with pytest.raises(ValidationError, match=needle):
        plan.add_keys([{"pk": value}])


def test_attribute_names_must_be_strings() -> None:
    with pytest.raises(ValidationError, match="attribute names must be str"):
        _core.KeyPlan(["pk"]).add_keys([{1: {"S": "a"}}])  # type: ignore[dict-item]


def test_key_attributes_must_be_a_list_of_names() -> None:
    with pytest.raises(TypeError):
        _core.KeyPlan("pk")  # type: ignore[arg-type]


def test_repr_summarises_the_plan() -> None:
    plan = _core.KeyPlan(["pk"], 7)
    plan.add_keys([{"pk": {"S": "a"}}, {"pk": {"S": "a"}}])
    assert repr(plan) == 'KeyPlan(key_attributes=["pk"], chunk_size=7, keys=2, unique=1, found=0)'


def test_add_items_positions_gives_an_input_position_or_none_per_item() -> None:
    plan = _core.KeyPlan(["pk"], 10)
    plan.add_keys([{"pk": {"S": "a"}}, {"pk": {"S": "b"}}, {"pk": {"S": "a"}}])
    items = [{"pk": {"S": "b"}}, {"pk": {"S": "a"}}, {"pk": {"S": "b"}}]
    positions = plan.add_items_positions(items)
    # b is input position 1, a position 0 (its first occurrence); b's second
    # answer is a duplicate: None.
    assert positions == [1, 0, None]
    assert all(p is None or type(p) is int for p in positions)
    with pytest.raises(ValidationError, match=r"items\[0\]: expected an item dict"):
        plan.add_items_positions([42])  # type: ignore[list-item]


def test_add_items_positions_reads_any_mapping() -> None:
    plan = _core.KeyPlan(["pk", "sk"], 10)
    plan.add_keys([{"pk": {"S": "a"}, "sk": {"B": b"1"}}, {"pk": {"S": "b"}, "sk": {"B": b"2"}}])
    items = [
        MappingProxyType({"sk": MappingProxyType({"B": bytearray(b"2")}), "pk": {"S": "b"}}),
        {"pk": {"S": "a"}, "sk": {"B": b"1"}, "junk": object()},
        {"pk": {"S": "b"}, "sk": {"B": b"2"}},
    ]
    assert plan.add_items_positions(items) == [1, 0, None]
    assert (plan.found_count, plan.ordered_items(), plan.missing_keys()) == (2, [], [])


def test_plain_key_dicts_are_returned_not_copied() -> None:
    plan = _core.KeyPlan(["pk"])
    key = {"pk": {"N": "7"}}
    (chunk,) = plan.add_keys(iter([key, {"pk": {"N": "7.0"}}]))
    assert chunk == [key] and chunk[0] is key
    assert plan.unique_keys()[0] is key and plan.missing_keys()[0] is key


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        ({"pk": {"S": "a", "N": "1"}}, r"keys\[0\]\.pk: .*exactly one type key"),
        ({"pk": {"N": "1e99999999999999999999"}}, r"keys\[0\]\.pk: .*exponent out of range"),
        ({"pk": {"S": b"a"}}, r"keys\[0\]\.pk: S value must be a str"),
        ({"pk": {"B": "a"}}, r"keys\[0\]\.pk: B value must be bytes"),
    ],
)
def test_values_off_the_plain_path_still_name_the_key(key: Any, needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        _core.KeyPlan(["pk"]).add_keys([key])


def test_first_positions_name_each_keys_first_occurrence_or_none() -> None:
    plan = _core.KeyPlan(["pk"], 2)
    chunks = plan.add_keys([{"pk": {"S": "a"}}, {"pk": {"N": "1"}}, {"pk": {"N": "1.0"}}])
    assert plan.first_positions(chunks[0]) == [0, 1]
    # Numbers by value; a key the plan never had is None.
    assert plan.first_positions([{"pk": {"N": "1E0"}}, {"pk": {"S": "z"}}]) == [1, None]
    with pytest.raises(ValidationError, match=r"keys\[0\]"):
        plan.first_positions([{"other": {"S": "a"}}])


def test_missing_positions_list_unread_keys_once_in_input_order() -> None:
    plan = _core.KeyPlan(["pk"], 100)
    keys = [{"pk": {"S": s}} for s in "abcab"]
    plan.add_keys(keys)
    plan.add_items([{"pk": {"S": "b"}, "v": {"S": "x"}}])
    assert plan.missing_positions([keys[2], keys[0], keys[1], keys[3]]) == [0, 2]
    with pytest.raises(ValidationError, match="not requested"):
        plan.missing_positions([{"pk": {"S": "z"}}])


def test_first_duplicate_compares_numbers_by_value() -> None:
    plan = _core.KeyPlan(["pk", "sk"], 100)
    plan.add_keys([{"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "a"}, "sk": {"N": "2"}}])
    assert plan.first_duplicate() is None
    plan.add_keys([{"pk": {"S": "a"}, "sk": {"N": "2.00"}}])
    assert plan.first_duplicate() == (1, 2)
