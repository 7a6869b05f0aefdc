"""dynamorm.keys: dedupe, chunking and reordering of batch-get keys (SPEC §7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from dynamorm.errors import ValidationError
from dynamorm.keys import MAX_CHUNK_SIZE, KeyDict, KeyPlan
from hypothesis import given
from hypothesis import strategies as st


def k(pk: dict[str, Any], sk: dict[str, Any]) -> KeyDict:
    return {"PK": pk, "SK": sk}


def item_for(key: KeyDict, tag: object) -> dict[str, Any]:
    return {**key, "tag": {"S": str(tag)}}


def test_numeric_equal_keys_are_one_key() -> None:
    plan = KeyPlan(["PK", "SK"])
    spellings = ["1", "1.0", "1E0", "+1", "10e-1", "0.1E1", "1.000"]
    chunks = plan.add_keys([k({"S": "u"}, {"N": n}) for n in spellings])
    assert chunks == [[k({"S": "u"}, {"N": "1"})]]
    assert plan.positions() == [0] * len(spellings)
    # The item DynamoDB returns spells the number its own way; it still matches.
    plan.add_items([item_for(k({"S": "u"}, {"N": "1"}), "x")])
    assert plan.missing_keys() == []


def test_types_never_collide() -> None:
    plan = KeyPlan(["PK"])
    keys: list[KeyDict] = [{"PK": {"S": "1"}}, {"PK": {"N": "1"}}, {"PK": {"B": b"1"}}]
    assert plan.add_keys(keys) == [keys]


def test_binary_keys_dedupe_by_bytes() -> None:
    plan = KeyPlan(["PK", "SK"], chunk_size=2)
    keys = [
        k({"B": b"\x00\x01"}, {"S": "a"}),
        k({"B": bytearray(b"\x00\x01")}, {"S": "a"}),
        k({"B": b"\x00"}, {"S": "\x01a"}),
        k({"B": b""}, {"S": "a"}),
    ]
    chunks = plan.add_keys(keys)
    assert chunks == [[keys[0], keys[2]], [keys[3]]]
    assert all(isinstance(c["PK"]["B"], bytes) for chunk in chunks for c in chunk)
    item = item_for(k({"B": b"\x00\x01"}, {"S": "a"}), "found")
    assert plan.add_items([item]) == 1
    assert plan.ordered_items()[0] is item


def test_items_come_back_in_input_order_once() -> None:
    plan = KeyPlan(["PK"], chunk_size=2)
    keys = [{"PK": {"S": s}} for s in ["c", "a", "c", "b", "d"]]
    assert plan.add_keys(keys) == [[keys[0], keys[1]], [keys[3], keys[4]]]
    returned = [item_for(keys[4], 4), item_for(keys[1], 1), item_for(keys[0], 0)]
    assert plan.add_items(returned) == 3
    assert plan.add_items([item_for(keys[2], "dup")]) == 0  # same key as keys[0]
    assert [i["tag"]["S"] for i in plan.ordered_items()] == ["0", "1", "4"]
    assert plan.missing_keys() == [keys[3]]
    assert (plan.input_count, plan.unique_count, plan.found_count) == (5, 4, 3)


def test_later_add_keys_only_returns_new_keys() -> None:
    plan = KeyPlan(["PK"])
    plan.add_keys([{"PK": {"S": "a"}}])
    assert plan.add_keys([{"PK": {"S": "a"}}, {"PK": {"S": "b"}}]) == [[{"PK": {"S": "b"}}]]
    assert plan.positions() == [0, 0, 1]
    assert plan.unique_keys() == [{"PK": {"S": "a"}}, {"PK": {"S": "b"}}]


def test_rechunk_unprocessed_keys() -> None:
    plan = KeyPlan(["PK"], chunk_size=2)
    keys = [{"PK": {"N": str(i)}} for i in range(5)]
    plan.add_keys(keys)
    unprocessed = [keys[4], {"PK": {"N": "1.0"}}, keys[3], keys[4]]
    assert plan.rechunk(unprocessed) == [[keys[1], keys[3]], [keys[4]]]
    with pytest.raises(ValidationError, match=r"unprocessed\[0\]: this key was not requested"):
        plan.rechunk([{"PK": {"N": "99"}}])


@pytest.mark.parametrize(
    ("key_attributes", "chunk_size", "needle"),
    [
        (["PK"], 0, "chunk_size"),
        (["PK"], 101, "chunk_size"),
        (["PK"], -1, "chunk_size"),
        ([], 10, "key_attributes"),
        (["a", "b", "c"], 10, "key_attributes"),
        (["a", "a"], 10, "twice"),
        ([""], 10, "empty"),
    ],
)
def test_bad_plan_arguments(key_attributes: list[str], chunk_size: int, needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        KeyPlan(key_attributes, chunk_size)


def test_chunk_size_bounds_are_inclusive() -> None:
    assert KeyPlan(["PK"], 1).chunk_size == 1
    assert KeyPlan(["PK"], MAX_CHUNK_SIZE).chunk_size == 100
    assert KeyPlan(["PK", "SK"]).key_attributes == ("PK", "SK")


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        ({"PK": {"S": "a"}}, r'keys\[1\]: key attribute "SK" is missing'),
        ({"PK": {"S": "a"}, "SK": {"S": "b"}, "x": {"S": "c"}}, r'"x" is not a key attribute'),
        ({"PK": {"S": "a"}, "SK": {"BOOL": True}}, r"keys\[1\]\.SK: .*S, N or B"),
        ({"PK": {"S": "a"}, "SK": {"N": "1.2.3"}}, r"keys\[1\]\.SK"),
        ({"PK": {"S": "a"}, "SK": {"N": 1}}, r"keys\[1\]\.SK: N value must be a str"),
        ({"PK": {"S": "a"}, "SK": "b"}, r"keys\[1\]\.SK: expected a dict"),
        ("PK", r"keys\[1\]: expected a dict"),
    ],
)
def test_bad_keys_name_the_key_and_leave_the_plan_unchanged(key: Any, needle: str) -> None:
    plan = KeyPlan(["PK", "SK"])
    with pytest.raises(ValidationError, match=needle):
        plan.add_keys([k({"S": "ok"}, {"S": "ok"}), key])
    assert plan.input_count == 0


def test_items_must_carry_requested_keys() -> None:
    plan = KeyPlan(["PK"])
    plan.add_keys([{"PK": {"S": "a"}}])
    with pytest.raises(ValidationError, match=r'items\[1\]: key attribute "PK" is missing'):
        plan.add_items([{"PK": {"S": "a"}}, {"other": {"S": "x"}}])
    with pytest.raises(ValidationError, match=r"items\[0\]: its key was not requested"):
        plan.add_items([{"PK": {"S": "zzz"}}])
    # Neither failed call placed anything.
    assert plan.found_count == 0


# Small domains so duplicates (including numeric respellings) are common.
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.sampled_from(["", "a", "b", "ab"])),
    st.builds(
        lambda n, spell: {"N": spell.format(n)},
        st.integers(-2, 2),
        st.sampled_from(["{}", "{}.0", "{}E0", "{}.00e+0"]),
    ),
    st.builds(lambda b: {"B": b}, st.sampled_from([b"", b"a", b"\x00", b"ab"])),
)


def canonical(av: dict[str, Any]) -> tuple[str, object]:
    ((tag, value),) = av.items()
    return (tag, Decimal(value).normalize() if tag == "N" else value)


@given(
    pairs=st.lists(st.tuples(scalars, scalars), max_size=300),
    chunk_size=st.integers(1, 100),
    found=st.lists(st.booleans(), min_size=300, max_size=300),
)
def test_dedupe_chunk_and_order_properties(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]], chunk_size: int, found: list[bool]
) -> None:
    keys = [k(pk, sk) for pk, sk in pairs]
    plan = KeyPlan(["PK", "SK"], chunk_size)
    chunks = plan.add_keys(keys)

    assert all(1 <= len(c) <= chunk_size for c in chunks)
    assert all(len(c) == chunk_size for c in chunks[:-1])
    flat = [key for chunk in chunks for key in chunk]
    # The reference dedupe: by value, first occurrence wins, input order kept.
    ident = [(canonical(key["PK"]), canonical(key["SK"])) for key in keys]
    first: dict[object, int] = {}
    for i, ref in enumerate(ident):
        first.setdefault(ref, i)
    assert flat == [keys[i] for i in sorted(first.values())]
    slot = {ref: n for n, ref in enumerate(dict.fromkeys(ident))}
    assert plan.positions() == [slot[ref] for ref in ident]
    assert (plan.input_count, plan.unique_count) == (len(keys), len(flat))

    # Return items for some keys, in reverse order.
    returned = [item_for(key, n) for n, key in reversed(list(enumerate(flat))) if found[n]]
    assert plan.add_items(returned) == len(returned)
    assert [int(i["tag"]["S"]) for i in plan.ordered_items()] == [
        n for n in range(len(flat)) if found[n]
    ]
    missing = [key for n, key in enumerate(flat) if not found[n]]
    assert plan.missing_keys() == missing
    again = plan.rechunk(missing)
    assert [key for chunk in again for key in chunk] == missing
    assert all(1 <= len(c) <= chunk_size for c in again)


def test_chunks_hold_the_first_seen_key_dicts() -> None:
    plan = KeyPlan(["PK", "SK"], chunk_size=2)
    keys = [k({"S": "a"}, {"N": "1"}), k({"S": "a"}, {"N": "1.0"}), k({"S": "b"}, {"B": b"x"})]
    keys.append(k({"S": "c"}, {"N": "3"}))
    chunks = plan.add_keys(keys)
    assert [[id(key) for key in chunk] for chunk in chunks] == [
        [id(keys[0]), id(keys[2])],
        [id(keys[3])],
    ]
    assert all(a is b for a, b in zip(plan.unique_keys(), [keys[0], keys[2], keys[3]], strict=True))
    plan.add_items([item_for(keys[2], "found")])
    assert [id(key) for key in plan.missing_keys()] == [id(keys[0]), id(keys[3])]
    (again,) = plan.rechunk([k({"S": "c"}, {"N": "3E0"}), k({"S": "a"}, {"N": "1"})])
    assert again[0] is keys[0] and again[1] is keys[3]


def test_keys_not_in_plain_form_are_normalised() -> None:
    class Tagged(str):
        pass

    plan = KeyPlan(["PK"])
    odd: list[dict[str, Any]] = [{"PK": {"S": Tagged("t")}}, {"PK": {"B": bytearray(b"b")}}]
    chunk = plan.add_keys(odd)[0]
    assert chunk == [{"PK": {"S": "t"}}, {"PK": {"B": b"b"}}]
    assert type(chunk[0]["PK"]["S"]) is str and type(chunk[1]["PK"]["B"]) is bytes
    assert chunk[0] is not odd[0] and chunk[1] is not odd[1]


def test_error_labels_count_keys_across_calls() -> None:
    plan = KeyPlan(["PK"])
    plan.add_keys([{"PK": {"S": "a"}}, {"PK": {"S": "b"}}])
    with pytest.raises(ValidationError, match=r"keys\[3\]\.PK: .*S, N or B"):
        plan.add_keys([{"PK": {"S": "c"}}, {"PK": {"NULL": True}}])
    with pytest.raises(ValidationError, match=r'items\[0\]\.PK: "x" is not a number'):
        plan.add_items([{"PK": {"N": "x"}}])
    with pytest.raises(ValidationError, match=r'unprocessed\[1\]: key attribute "PK" is missing'):
        plan.rechunk([{"PK": {"S": "a"}}, {}])
    assert (plan.input_count, plan.found_count) == (2, 0)


def test_add_items_positions_gives_first_input_positions() -> None:
    plan = KeyPlan(["PK", "SK"], chunk_size=2)
    keys = [
        k({"S": "a"}, {"N": "1"}),
        k({"S": "b"}, {"N": "2"}),
        k({"S": "a"}, {"N": "1.0"}),
        k({"S": "c"}, {"N": "3"}),
    ]
    plan.add_keys(keys[:2])
    plan.add_keys(keys[2:])
    returned = [
        item_for(keys[3], "c"),
        item_for(keys[2], "a"),  # the key first given at position 0
        item_for(keys[0], "a again"),  # a duplicate answer
    ]
    assert plan.add_items_positions(returned) == [3, 0, None]
    assert plan.found_count == 2
    assert plan.missing_keys() == [keys[1]]
    # The items are not kept: decoded by the caller instead.
    assert plan.ordered_items() == []
    # A key placed by add_items is a duplicate for add_items_positions too.
    plan.add_items([item_for(keys[1], "b")])
    assert plan.add_items_positions([item_for(keys[1], "b again")]) == [None]
    assert [i["tag"]["S"] for i in plan.ordered_items()] == ["b"]


def test_add_items_positions_checks_every_item_first() -> None:
    plan = KeyPlan(["PK"])
    plan.add_keys([{"PK": {"S": "a"}}, {"PK": {"S": "b"}}])
    with pytest.raises(ValidationError, match=r"items\[1\]: its key was not requested"):
        plan.add_items_positions([{"PK": {"S": "a"}}, {"PK": {"S": "zzz"}}])
    with pytest.raises(ValidationError, match=r'items\[0\]: key attribute "PK" is missing'):
        plan.add_items_positions([{"pk": {"S": "a"}}])
    assert plan.found_count == 0
    assert plan.add_items_positions([{"PK": {"S": "b"}}, {"PK": {"S": "a"}}]) == [1, 0]


@given(
    pairs=st.lists(st.tuples(scalars, scalars), max_size=200),
    order=st.randoms(use_true_random=False),
)
def test_add_items_positions_matches_a_reference(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]], order: Any
) -> None:
    keys = [k(pk, sk) for pk, sk in pairs]
    plan = KeyPlan(["PK", "SK"])
    plan.add_keys(keys)
    ident = [(canonical(key["PK"]), canonical(key["SK"])) for key in keys]
    first: dict[object, int] = {}
    for i, ref in enumerate(ident):
        first.setdefault(ref, i)
    # Every key answered once (any spelling), some twice, in random order.
    answers = [item_for(key, i) for i, key in enumerate(keys)]
    order.shuffle(answers)
    got = plan.add_items_positions(answers)
    seen: set[object] = set()
    want: list[int | None] = []
    for item in answers:
        ref = (canonical(item["PK"]), canonical(item["SK"]))
        want.append(None if ref in seen else first[ref])
        seen.add(ref)
    assert got == want
    assert plan.found_count == plan.unique_count and plan.missing_keys() == []
