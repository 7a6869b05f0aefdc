"""The fast read path's ``ResponseKeys``: canonical key bytes written by the
Rust decoder straight from a ``BatchGetItem`` body, placed by
``KeyPlan.add_canonical_positions`` exactly as ``add_items_positions``
places the same items' key dicts."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import Model, _core, field
from dynamorm.errors import ValidationError
from dynamorm.keys import KeyPlan
from dynamorm.model.codec import codec_of
from hypothesis import given, settings
from hypothesis import strategies as st


class Num(Model, table="ck-num"):
    pk: bytes = field(pk=True)
    sk: Decimal = field(sk=True)
    note: str = ""


class Text(Model, table="ck-text"):
    id: str = field(pk=True)


def _body(table: str, items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"Responses": {table: items}, "UnprocessedKeys": {}}).encode()


def _wire(pk: bytes, sk: str) -> dict[str, Any]:
    # sk after pk on the wire, and a non-key attribute between them.
    return {"sk": {"N": sk}, "note": {"S": "n"}, "pk": {"B": base64.b64encode(pk).decode()}}


def _decode(model: type[Model], body: bytes) -> dict[str, Any]:
    decoded, _ = _core.decode_response(body, "BatchGetItem", codec_of(model.__dynamorm__).schema)
    return decoded


def test_numbers_match_by_value_and_binary_by_bytes() -> None:
    plan = KeyPlan(["pk", "sk"])
    plan.add_keys(
        [{"pk": {"B": b"\x00a"}, "sk": {"N": "1.5"}}, {"pk": {"B": b"b"}, "sk": {"N": "7"}}]
    )
    decoded = _decode(Num, _body("ck-num", [_wire(b"b", "7.00"), _wire(b"\x00a", "15E-1")]))
    keys = decoded["ResponseKeys"]["ck-num"]
    assert all(type(k) is bytes for k in keys)
    assert plan.add_canonical_positions(keys) == [1, 0]
    assert [m.sk for m in decoded["Responses"]["ck-num"]] == [Decimal(7), Decimal("1.5")]


def test_a_key_never_requested_is_refused_before_any_is_placed() -> None:
    plan = KeyPlan(["id"])
    plan.add_keys([{"id": {"S": "a"}}])
    keys = _decode(Text, _body("ck-text", [{"id": {"S": "a"}}, {"id": {"S": "z"}}]))[
        "ResponseKeys"
    ]["ck-text"]
    with pytest.raises(ValidationError, match=r"items\[1\]"):
        plan.add_canonical_positions(keys)
    assert plan.found_count == 0
    assert plan.add_canonical_positions(keys[:1]) == [0]
    assert plan.add_canonical_positions(keys[:1]) == [None]  # a duplicate answer


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=4), st.integers(-(10**20), 10**20)), min_size=1, max_size=8
    ),
    st.randoms(use_true_random=False),
)
def test_canonical_positions_agree_with_the_key_dicts(
    keys: list[tuple[str, int]], rnd: Any
) -> None:
    class Pair(Model, table="ck-pair"):
        pk: str = field(pk=True)
        sk: int = field(sk=True)

    dicts = [{"pk": {"S": pk}, "sk": {"N": str(sk)}} for pk, sk in keys]
    answered = list(dicts)
    rnd.shuffle(answered)
    by_dicts, by_bytes = KeyPlan(["pk", "sk"]), KeyPlan(["pk", "sk"])
    by_dicts.add_keys(dicts)
    by_bytes.add_keys(dicts)
    decoded = _decode(Pair, _body("ck-pair", answered))
    assert by_bytes.add_canonical_positions(decoded["ResponseKeys"]["ck-pair"]) == (
        by_dicts.add_items_positions(answered)
    )
