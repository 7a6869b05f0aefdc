"""Attribute values the differential suite writes, as DynamoDB JSON.

Values come from small pools so that generated operations meet each other:
a condition compares against a value an earlier put wrote, a query's key
condition selects items that exist. Numbers include DynamoDB's precision
edges (38 significant digits, the largest and smallest magnitudes) and, in
non-key attributes, spellings DynamoDB normalizes (``1.50``, ``01``,
``1e2``). What the servers are known to get wrong is not generated (see
``divergences.NOT_GENERATED``): numbers out of DynamoDB's range, sets with
duplicate members, empty or wrongly typed index keys, arithmetic that would
overflow 38 digits.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

AttributeValue = dict[str, Any]
"""One DynamoDB JSON attribute value (``{"S": "a"}``)."""

STRINGS = ("", "a", "ab", "abc", "b", "ba", "Z", "é", "a b")
KEY_STRINGS = tuple(s for s in STRINGS if s)
BINARIES = (b"", b"\x00", b"\x01", b"a", b"ab", b"\xff")
KEY_BINARIES = tuple(b for b in BINARIES if b)

# Canonical spellings, as DynamoDB returns them: keys and set members use
# these (moto compares key numbers and set members by their text).
KEY_NUMBERS = (
    "0",
    "1",
    "-1",
    "2",
    "10",
    "1.5",
    "-0.25",
    "12345678901234567890123456789012345678",
    "-99999999999999999999999999999999999999",
    "0." + "0" * 129 + "1",
)
SMALL_NUMBERS = ("0", "1", "-1", "2", "3", "10", "1.5", "-0.5")
# Spellings DynamoDB stores normalized, and the range's edges.
NUMBER_SPELLINGS = ("1.50", "01", "1e2", "-0", "0.0", "1E+125", "1E-130", "-1E-130")
LARGEST = "9.9999999999999999999999999999999999999E+125"

MAP_KEYS = ("x", "y")


def s(value: str) -> AttributeValue:
    return {"S": value}


def n(value: str) -> AttributeValue:
    return {"N": value}


def b(value: bytes) -> AttributeValue:
    return {"B": value}


key_strings = st.sampled_from(KEY_STRINGS)
key_numbers = st.sampled_from(KEY_NUMBERS)
key_binaries = st.sampled_from(KEY_BINARIES)
small_numbers = st.sampled_from(SMALL_NUMBERS).map(n)
strings = st.sampled_from(STRINGS).map(s)
numbers = st.one_of(
    st.sampled_from(KEY_NUMBERS),
    st.sampled_from(NUMBER_SPELLINGS),
    st.just(LARGEST),
).map(n)
binaries = st.sampled_from(BINARIES).map(b)

non_null: st.SearchStrategy[AttributeValue] = st.one_of(
    strings,
    numbers,
    binaries,
    st.booleans().map(lambda v: {"BOOL": v}),
)
"""A string, number, binary or boolean."""

scalars = st.one_of(non_null, st.just({"NULL": True}))
"""A string, number, binary, boolean or null."""

string_sets = st.lists(st.sampled_from(KEY_STRINGS), min_size=1, max_size=3, unique=True).map(
    lambda v: {"SS": v}
)
# Small members only: dynalite rounds set members to doubles (divergences).
number_sets = st.lists(st.sampled_from(SMALL_NUMBERS), min_size=1, max_size=3, unique=True).map(
    lambda v: {"NS": v}
)
binary_sets = st.lists(key_binaries, min_size=1, max_size=3, unique=True).map(lambda v: {"BS": v})
sets = st.one_of(string_sets, number_sets, binary_sets)

documents: st.SearchStrategy[AttributeValue] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.sampled_from(MAP_KEYS), inner, max_size=2).map(lambda v: {"M": v}),
    ),
    max_leaves=4,
)
"""Scalars, and lists and maps of them, nested."""

values: st.SearchStrategy[AttributeValue] = st.one_of(scalars, sets, documents)
"""Any attribute value the suite writes to a non-key attribute."""

lists = st.lists(scalars, max_size=3).map(lambda v: {"L": v})
maps = st.dictionaries(st.sampled_from(MAP_KEYS), st.one_of(scalars, lists), max_size=2).map(
    lambda v: {"M": v}
)
