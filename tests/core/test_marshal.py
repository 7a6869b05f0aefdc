"""dynamorm._core marshaling functions, called directly."""

from __future__ import annotations

import sys
from decimal import Decimal

import pytest
from dynamorm import _core
from dynamorm.errors import ValidationError


def test_tags_are_interned_and_strings_are_shared() -> None:
    text = "".join(["some ", "text"])
    av = _core.serialize(text)
    ((tag, payload),) = av.items()
    assert tag is sys.intern("S")
    assert payload is text
    assert _core.deserialize(av) is text


def test_items_map_names_to_attribute_values() -> None:
    wire = _core.serialize_item({"a": 1, "b": [Decimal("0.5")]})
    assert wire == {"a": {"N": "1"}, "b": {"L": [{"N": "0.5"}]}}
    assert _core.deserialize_item(wire) == {"a": 1, "b": [Decimal("0.5")]}


@pytest.mark.parametrize(
    "value",
    [0, 1, -1, 2**63 - 1, -(2**63), 2**63, -(2**64), 10**37, -(10**38) + 1, 10**125],
)
def test_integers_at_the_64_bit_edges(value: int) -> None:
    av = _core.serialize(value)
    assert av == {"N": str(value)}
    back = _core.deserialize(av)
    assert type(back) is int
    assert back == value


def test_number_text_with_leading_zeros_and_signs() -> None:
    assert _core.deserialize({"N": "007"}) == 7
    assert _core.deserialize({"N": "+5"}) == 5
    assert _core.deserialize({"N": "-000000000000000000012"}) == -12
    assert _core.deserialize({"N": "1" * 38}) == int("1" * 38)
    with pytest.raises(ValidationError, match="39 significant digits"):
        _core.deserialize({"N": "1" * 39})


def test_list_payload_may_be_a_tuple() -> None:
    assert _core.deserialize({"L": ({"S": "a"},)}) == ["a"]
    assert _core.deserialize({"SS": ("a",)}) == {"a"}


def test_failures_inside_lists_leave_no_partial_result() -> None:
    with pytest.raises(ValidationError, match=r"^value\[1\]\[0\]: values of type object"):
        _core.serialize(["ok", [object()], "never reached"])
    with pytest.raises(ValidationError, match=r"^value\[2\]: unknown DynamoDB type tag"):
        _core.deserialize({"L": [{"S": "a"}, {"N": "1"}, {"?": 1}]})


def test_python_errors_pass_through() -> None:
    class Broken(Decimal):
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        _core.serialize(Broken("1"))
