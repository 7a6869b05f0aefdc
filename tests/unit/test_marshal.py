"""dynamorm.marshal: agreement with boto3, round trips and every encoding rule."""

from __future__ import annotations

import enum
import json
import math
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from dynamorm import marshal
from dynamorm.errors import ValidationError
from dynamorm.marshal import (
    Deserializer,
    Serializer,
    deserialize,
    deserialize_item,
    serialize,
    serialize_item,
)
from hypothesis import given, settings
from hypothesis import strategies as st

BOTO_SER = TypeSerializer()
BOTO_DE = TypeDeserializer()

# Values boto3 accepts: ints and Decimals within its 38-digit context.
ints = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)


@st.composite
def decimals(draw: st.DrawFn) -> Decimal:
    digits = draw(st.integers(min_value=0, max_value=10**38 - 1))
    exponent = draw(st.integers(min_value=-160, max_value=125))
    sign = draw(st.sampled_from(["", "-"]))
    value = Decimal(f"{sign}{digits}E{exponent}")
    adjusted = value.adjusted()
    if digits and not -128 <= adjusted <= 125:
        value = Decimal(f"{sign}{digits}")
    return value


scalars = st.one_of(
    st.text(),
    ints,
    decimals(),
    st.booleans(),
    st.none(),
    st.binary(),
)
set_values = st.one_of(
    st.frozensets(st.text(), min_size=1, max_size=5).map(set),
    st.frozensets(ints, min_size=1, max_size=5).map(set),
    st.frozensets(st.binary(), min_size=1, max_size=5).map(set),
)
values = st.recursive(
    st.one_of(scalars, set_values),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)


def normalized(av: Mapping[str, Any]) -> Any:
    """An attribute value with numbers as Decimals, binary as bytes and sets
    unordered, so equal wire values compare equal."""
    ((tag, payload),) = av.items()
    if tag == "N":
        return ("N", Decimal(payload))
    if tag == "B":
        return ("B", _raw(payload))
    if tag == "NS":
        return ("NS", frozenset(Decimal(x) for x in payload))
    if tag == "BS":
        return ("BS", frozenset(_raw(x) for x in payload))
    if tag == "SS":
        return ("SS", frozenset(payload))
    if tag == "L":
        return ("L", [normalized(x) for x in payload])
    if tag == "M":
        return ("M", {k: normalized(v) for k, v in payload.items()})
    return (tag, payload)


def _raw(value: Any) -> bytes:
    return bytes(value.value if isinstance(value, Binary) else value)


@settings(max_examples=300, deadline=None)
@given(values)
def test_serialize_agrees_with_boto3(value: Any) -> None:
    assert normalized(serialize(value)) == normalized(BOTO_SER.serialize(value))


@settings(max_examples=300, deadline=None)
@given(values)
def test_deserialize_agrees_with_boto3_by_value(value: Any) -> None:
    wire = BOTO_SER.serialize(value)
    assert deserialize(wire) == BOTO_DE.deserialize(wire)


@settings(max_examples=300, deadline=None)
@given(values)
def test_round_trip_keeps_values(value: Any) -> None:
    assert deserialize(serialize(value)) == value


@given(ints)
def test_integers_come_back_as_int(value: int) -> None:
    back = deserialize(serialize(value))
    assert type(back) is int
    assert back == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip(value: float) -> None:
    if value != 0 and not 1e-130 <= abs(value) < 1e126:
        with pytest.raises(ValidationError):
            serialize(value)
        return
    av = serialize(value)
    assert av == {"N": repr(value)}
    assert float(deserialize(av)) == value


@given(decimals())
def test_decimals_round_trip_exactly(value: Decimal) -> None:
    av = serialize(value)
    assert av == {"N": str(value)}
    back = deserialize(av)
    assert back == value
    assert type(back) is (int if value == value.to_integral_value() else Decimal)


def test_scalar_encodings() -> None:
    assert serialize("x") == {"S": "x"}
    assert serialize("") == {"S": ""}
    assert serialize(True) == {"BOOL": True}
    assert serialize(False) == {"BOOL": False}
    assert serialize(0) == {"N": "0"}
    assert serialize(-(2**63)) == {"N": str(-(2**63))}
    assert serialize(10**50) == {"N": str(10**50)}
    assert serialize(Decimal("1.50")) == {"N": "1.50"}
    assert serialize(0.1) == {"N": "0.1"}
    assert serialize(1e20) == {"N": "1e+20"}
    assert serialize(None) == {"NULL": True}
    assert serialize(b"\x00\xff") == {"B": b"\x00\xff"}
    assert serialize(bytearray(b"ab")) == {"B": b"ab"}
    assert serialize(memoryview(b"cd")) == {"B": b"cd"}
    assert serialize(Binary(b"ef")) == {"B": b"ef"}
    assert serialize((1, "a")) == {"L": [{"N": "1"}, {"S": "a"}]}
    assert serialize([]) == {"L": []}
    assert serialize({}) == {"M": {}}


def test_bool_is_not_a_number() -> None:
    assert serialize([True, 1]) == {"L": [{"BOOL": True}, {"N": "1"}]}
    with pytest.raises(ValidationError, match="value: a set element of type bool"):
        serialize({True})


def test_sets_by_element_type() -> None:
    assert normalized(serialize({"a", "b"})) == ("SS", frozenset({"a", "b"}))
    assert normalized(serialize(frozenset({1, Decimal("2.5"), 3.5}))) == (
        "NS",
        frozenset({Decimal(1), Decimal("2.5"), Decimal("3.5")}),
    )
    assert normalized(serialize({b"a", Binary(b"b")})) == ("BS", frozenset({b"a", b"b"}))


@pytest.mark.parametrize(
    ("numbers", "value"),
    [
        # Unequal in Python, both written "0.1".
        ({Decimal("0.1"), 0.1}, Decimal("0.1")),
        ({0.3, Decimal("0.30")}, Decimal("0.3")),
        # A float and an int of one decimal value: 1.2345678901234567e+30.
        (
            {1.2345678901234567e30, 1234567890123456700000000000000},
            Decimal("1.2345678901234567E+30"),
        ),
        ({1e-5, Decimal("0.00001")}, Decimal("0.00001")),
    ],
)
def test_number_set_elements_of_one_value_are_sent_once(numbers: set[Any], value: Decimal) -> None:
    assert len(numbers) == 2
    for encoded in (serialize(numbers), serialize(frozenset(numbers)), serialize([numbers])):
        ((tag, elements),) = encoded.items()
        if tag == "L":
            ((tag, elements),) = elements[0].items()
        assert tag == "NS"
        assert len(elements) == 1, encoded
        assert Decimal(elements[0]) == value
    assert len(serialize_item({"n": numbers})["n"]["NS"]) == 1


def test_number_sets_of_distinct_values_keep_every_element() -> None:
    class Level(enum.IntEnum):
        LOW = 1
        HIGH = 2

    assert sorted(serialize({1, 2.5, Decimal("3.25")})["NS"]) == ["1", "2.5", "3.25"]
    assert sorted(serialize({Level.LOW, 0.1, Decimal("0.2")})["NS"]) == ["0.1", "0.2", "1"]
    assert sorted(serialize({0.1, 0.30000000000000004})["NS"]) == ["0.1", "0.30000000000000004"]
    assert len(serialize(set(range(1000)))["NS"]) == 1000


def test_a_float_halfway_between_two_shortest_texts_is_written_as_its_repr() -> None:
    # 70368744177664.625 exactly: "…62" and "…63" both read back as it;
    # repr (and so the wire text) takes the even digit.
    for value in (70368744177664.62, -70368744177664.62, 2.0**46 + 0.125):
        assert serialize(value) == {"N": repr(value)}
        assert float(deserialize(serialize(value))) == value


def test_subclasses_and_mappings() -> None:
    class Color(enum.StrEnum):
        RED = "red"

    class Size(enum.IntEnum):
        BIG = 3

    assert serialize(Color.RED) == {"S": "red"}
    assert type(serialize(Color.RED)["S"]) is str
    assert serialize(Size.BIG) == {"N": "3"}
    assert serialize(OrderedDict(a=1)) == {"M": {"a": {"N": "1"}}}

    class Frozen(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            return {"k": "v"}[key]

        def __iter__(self) -> Iterator[str]:
            return iter(["k"])

        def __len__(self) -> int:
            return 1

    assert serialize(Frozen()) == {"M": {"k": {"S": "v"}}}
    assert serialize_item(Frozen()) == {"k": {"S": "v"}}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), r"^value: NaN and Infinity"),
        (float("inf"), r"^value: NaN and Infinity"),
        (Decimal("NaN"), r"^value: NaN and Infinity"),
        (Decimal("-Infinity"), r"^value: NaN and Infinity"),
        (1e200, r"^value: number is larger"),
        (5e-324, r"^value: number is smaller"),
        (Decimal("1E+126"), r"^value: number is larger"),
        (Decimal("1E-131"), r"^value: number is smaller"),
        (2**200, r"^value: number has 61 significant digits"),
        (Decimal("1." + "1" * 38), r"^value: number has 39 significant digits"),
        (set(), r"^value: empty sets cannot be stored"),
        ({1, "a"}, r"^value: a set must hold only .* mixes"),
        ({b"a", "a"}, r"^value: a set must hold only .* mixes"),
        ({(1, 2)}, r"^value: a set element of type tuple"),
        (object(), r"^value: values of type object cannot be stored"),
        (1 + 2j, r"^value: values of type complex cannot be stored"),
        ({1: "a"}, r"^value: map keys must be str, got int key 1"),
    ],
)
def test_validation_errors(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        serialize(value)


def test_error_paths_name_the_nested_value() -> None:
    item = {"profile": {"tags": ["a", "b", object()]}}
    with pytest.raises(ValidationError) as raised:
        serialize_item(item)
    assert str(raised.value).startswith("item['profile']['tags'][2]: values of type object")
    with pytest.raises(ValidationError, match=r"^value\[\"it's\"\]\[0\]: NaN"):
        serialize({"it's": [float("nan")]})
    with pytest.raises(ValidationError, match=r"^item\['n'\]: NaN"):
        deserialize_item({"n": {"N": "NaN"}})
    with pytest.raises(ValidationError, match=r"^item\['m'\]\['x'\]\[1\]: unknown DynamoDB type"):
        deserialize_item({"m": {"M": {"x": {"L": [{"S": "a"}, {"Q": 1}]}}}})


def test_nesting_limit() -> None:
    deep: Any = "leaf"
    for _ in range(31):
        deep = [deep]
    assert deserialize(serialize(deep)) == deep
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValidationError, match="nest deeper than DynamoDB's limit of 32"):
        serialize(looped)


def test_validation_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        serialize(object())


def test_deserialize_rules() -> None:
    assert deserialize({"S": "x"}) == "x"
    assert deserialize({"N": "10"}) == 10
    for text, expected in [("10", 10), ("1E+2", 100), ("1.0", 1), ("-0", 0), ("1e40", 10**40)]:
        back = deserialize({"N": text})
        assert type(back) is int
        assert back == expected
    for text in ["1.5", "1E-2", "-0.001", "123456789012345678901234567890.5"]:
        back = deserialize({"N": text})
        assert type(back) is Decimal
        assert back == Decimal(text)
    assert deserialize({"B": b"x"}) == b"x"
    assert type(deserialize({"B": bytearray(b"x")})) is bytes
    assert deserialize({"B": Binary(b"y")}) == b"y"
    assert deserialize({"B": "eHk="}) == b"xy"
    assert deserialize({"BOOL": False}) is False
    assert deserialize({"NULL": True}) is None
    assert deserialize({"L": [{"S": "a"}, {"N": "1"}]}) == ["a", 1]
    assert deserialize({"M": {"a": {"NULL": True}}}) == {"a": None}
    assert deserialize({"SS": ["a", "b"]}) == {"a", "b"}
    ns = deserialize({"NS": ["1", "2.5"]})
    assert ns == {1, Decimal("2.5")}
    assert {type(x) for x in ns} == {int, Decimal}
    assert deserialize({"BS": [b"a", Binary(b"b")]}) == {b"a", b"b"}


@pytest.mark.parametrize(
    ("av", "message"),
    [
        ("S", r"^value: expected a DynamoDB attribute value, .* got str"),
        ({}, r"^value: expected a DynamoDB attribute value, .* got a dict with keys \[\]"),
        ({"S": "a", "N": "1"}, r"got a dict with keys \[S, N\]"),
        ({"X": 1}, r"^value: unknown DynamoDB type tag 'X'"),
        ({1: 1}, r"^value: unknown DynamoDB type tag 1"),
        ({"S": 1}, r"^value: S must hold a str, got int"),
        ({"N": 1}, r"^value: N must hold number text, got int"),
        ({"N": "abc"}, r"^value: not a valid decimal number \(got 'abc'\)"),
        ({"N": "Infinity"}, r"^value: NaN and Infinity"),
        ({"BOOL": "yes"}, r"^value: BOOL must hold a bool, got str"),
        ({"B": 3}, r"^value: B must hold bytes, got int"),
        ({"B": "not base64!"}, r"^value: B text is not valid base64"),
        ({"L": "x"}, r"^value: L must hold a list, got str"),
        ({"M": []}, r"^value: M must hold a dict, got list"),
        ({"SS": [1]}, r"^value\[0\]: SS must hold a str, got int"),
        ({"NS": "1"}, r"^value: NS must hold a list, got str"),
    ],
)
def test_malformed_attribute_values(av: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        deserialize(av)


def test_items() -> None:
    item = {"pk": "a", "n": 1, "tags": {"x"}, "m": {"deep": [None]}}
    wire = serialize_item(item)
    assert wire == {
        "pk": {"S": "a"},
        "n": {"N": "1"},
        "tags": {"SS": ["x"]},
        "m": {"M": {"deep": {"L": [{"NULL": True}]}}},
    }
    assert deserialize_item(wire) == item
    with pytest.raises(ValidationError, match=r"^item: expected a mapping, got list"):
        serialize_item([])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"^item: expected a dict of attribute values"):
        deserialize_item([])  # type: ignore[arg-type]


def test_keys_parsed_from_json_are_recognised() -> None:
    # botocore parses responses from JSON: the tag keys are equal to, but not
    # the same objects as, the interned tag strings.
    av = json.loads('{"M": {"a": {"NS": ["1"]}, "b": {"BOOL": true}, "c": {"NULL": true}}}')
    ns_key = next(iter(av["M"]["a"]))
    assert sys.intern(ns_key) is not ns_key
    assert deserialize(av) == {"a": {1}, "b": True, "c": None}


def test_drop_in_classes() -> None:
    assert Serializer().serialize(Decimal("2")) == BOTO_SER.serialize(Decimal("2"))
    assert Deserializer().deserialize({"N": "2"}) == 2
    assert set(marshal.__all__) >= {
        "serialize",
        "deserialize",
        "serialize_item",
        "deserialize_item",
        "Serializer",
        "Deserializer",
    }


def test_float_reprs_are_shortest() -> None:
    for value in [0.1, 1 / 3, 2.5e-100, 1.7976931348623157e125, -123456.789, math.pi]:
        text = serialize(value)["N"]
        assert text == repr(value)
        assert float(text) == value
