"""``dynamorm.item_limits``: DynamoDB's item size rules, the 400 KB limit and
the key value limits, without a server (the integration tests in
tests/integration/test_batch_limits.py check them against one)."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm import Model, field
from dynamorm.item_limits import MAX_ITEM_BYTES, item_fault, item_size, key_fault, value_size
from hypothesis import given
from hypothesis import strategies as st


class Doc(Model, table="item-limits-docs"):
    pk: str = field(pk=True)
    sk: str = field(sk=True, attr="SK")
    data: str = ""


class Blob(Model, table="item-limits-blobs"):
    id: bytes = field(pk=True)
    n: int = 0


DOC = Doc.__dynamorm__
BLOB = Blob.__dynamorm__


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "hello"}, 5),
        ({"S": "héllo€"}, 9),  # UTF-8 bytes, not characters
        ({"S": ""}, 0),
        ({"N": "0"}, 1),
        ({"N": "12345"}, 4),  # 5 significant digits: 3 + 1
        ({"N": "-1.50"}, 2),  # sign, point and trailing zero not counted
        ({"N": "0.000100"}, 2),
        ({"N": "1E+5"}, 2),
        ({"N": "1" * 38}, 20),
        ({"B": b"\x00\x01\x02"}, 3),
        ({"B": "AAEC"}, 3),  # base64 text decodes to 3 bytes
        ({"B": "AA=="}, 1),
        ({"BOOL": False}, 1),
        ({"NULL": True}, 1),
        ({"SS": ["a", "bc"]}, 3),
        ({"NS": ["1", "22"]}, 4),
        ({"BS": [b"ab", b"c"]}, 3),
        ({"L": []}, 3),
        ({"L": [{"S": "ab"}, {"N": "1"}]}, 3 + 2 + 2 + 2),
        ({"M": {"k": {"S": "v"}, "kk": {"BOOL": True}}}, 3 + 2 + (1 + 1) + (2 + 1)),
    ],
)
def test_value_sizes_follow_dynamodbs_rules(value: dict[str, Any], size: int) -> None:
    assert value_size(value) == size


def test_item_size_adds_attribute_names_in_utf8_bytes() -> None:
    assert item_size({"ab": {"S": "xyz"}, "é": {"N": "7"}}) == (2 + 3) + (2 + 2)
    assert item_size({}) == 0 and item_size(None) == 0


def test_an_unknown_value_type_is_a_validation_error() -> None:
    with pytest.raises(ValueError, match="not a DynamoDB attribute value"):
        value_size({"X": 1})


def item_of(data_bytes: int) -> dict[str, Any]:
    """A Doc item of exactly ``data_bytes`` + the fixed part's size."""
    return {"pk": {"S": "p"}, "SK": {"S": "s"}, "data": {"S": "x" * data_bytes}}


FIXED = item_size(item_of(0))


def test_an_item_of_exactly_400_kb_passes_and_one_byte_more_is_named() -> None:
    assert item_fault(DOC, item_of(MAX_ITEM_BYTES - FIXED)) is None
    fault = item_fault(DOC, item_of(MAX_ITEM_BYTES - FIXED + 1))
    assert fault == (
        "the item (key {'pk': {'S': 'p'}, 'SK': {'S': 's'}}) is 409,601 bytes, over "
        "DynamoDB's limit of 409,600 bytes (400 KB) for one item"
    )


def test_the_limit_counts_utf8_bytes() -> None:
    n = (MAX_ITEM_BYTES - FIXED) // 3 + 1
    assert item_fault(DOC, {**item_of(0), "data": {"S": "€" * n}}) is not None
    assert item_fault(DOC, {**item_of(0), "data": {"S": "€" * (n - 1)}}) is None


def test_a_bytearray_value_is_sized_like_bytes() -> None:
    assert item_fault(BLOB, {"id": {"B": bytearray(MAX_ITEM_BYTES)}}) is not None
    assert item_fault(BLOB, {"id": {"B": bytearray(b"k")}, "n": {"N": "1"}}) is None


@pytest.mark.parametrize(
    ("key", "fault"),
    [
        ({"SK": {"S": "s"}}, "the partition key 'pk' is missing"),
        ({"pk": {"S": ""}, "SK": {"S": "s"}}, "the partition key 'pk' is empty"),
        ({"pk": {"S": "p"}, "SK": {"S": ""}}, "the sort key 'sk' (attribute 'SK') is empty"),
        (
            {"pk": {"S": "é" * 1025}, "SK": {"S": "s"}},
            "the partition key 'pk' is 2,050 bytes, over DynamoDB's limit of 2,048 bytes",
        ),
        (
            {"pk": {"S": "p"}, "SK": {"S": "k" * 1025}},
            "the sort key 'sk' (attribute 'SK') is 1,025 bytes, over DynamoDB's limit of 1,024",
        ),
    ],
)
def test_key_faults_name_the_key_attribute(key: dict[str, Any], fault: str) -> None:
    found = key_fault(DOC, key)
    assert found is not None and found.startswith(fault)


def test_keys_at_the_limits_and_binary_keys() -> None:
    assert key_fault(DOC, {"pk": {"S": "p" * 2048}, "SK": {"S": "€" * 341 + "k"}}) is None
    assert key_fault(BLOB, {"id": {"B": b"k" * 2048}}) is None
    assert key_fault(BLOB, {"id": {"B": b""}}) == (
        "the partition key 'id' is empty; DynamoDB refuses an empty string or binary key value"
    )
    assert key_fault(BLOB, {"id": {"B": b"k" * 2049}}) is not None


# -- the inlined cases agree with the general rule ------------------------------

texts = st.text(max_size=8)
numbers = st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str) | st.integers(
    -(10**40), 10**40
).map(str)
scalars = st.one_of(
    texts.map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": n}),
    st.binary(max_size=8).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(texts, min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
    st.lists(numbers, min_size=1, max_size=3).map(lambda v: {"NS": v}),
    st.lists(st.binary(max_size=4), min_size=1, max_size=3).map(lambda v: {"BS": v}),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda v: {"L": v})
        | st.dictionaries(texts, inner, max_size=3).map(lambda v: {"M": v})
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(min_size=1, max_size=6), values, max_size=6))
def test_item_size_agrees_with_value_size_attribute_by_attribute(item: dict[str, Any]) -> None:
    """``item_size`` sizes strings and numbers itself, for speed."""
    expected = sum(len(name.encode()) + value_size(value) for name, value in item.items())
    assert item_size(item) == expected
