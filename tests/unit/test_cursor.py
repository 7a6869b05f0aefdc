"""dynamorm.cursor: the DynamORM-compatible cursor codec (SPEC §4)."""

from __future__ import annotations

import base64
import contextlib
import json
from decimal import Decimal
from typing import Any

import pytest
from dynamorm.cursor import Cursor, decode_cursor, encode_cursor
from dynamorm.errors import ValidationError
from hypothesis import given
from hypothesis import strategies as st

VECTOR_JSON = (
    '{"lastKey":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"}},"index":"gsi-email","sort":"ASC"}'
)
VECTOR = (
    "eyJsYXN0S2V5Ijp7IlBLIjp7IlMiOiJVU0VSIzEifSwiU0siOnsiUyI6IlBST0ZJTEUifX0sImluZGV4Ijoi"
    "Z3NpLWVtYWlsIiwic29ydCI6IkFTQyJ9"
)
VECTOR_KEY = {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def payload(token: str) -> str:
    return base64.urlsafe_b64decode(token).decode()


def test_vector_encodes_byte_for_byte() -> None:
    # Keys given out of order: the encoding sorts them.
    key = {"SK": {"S": "PROFILE"}, "PK": {"S": "USER#1"}}
    assert encode_cursor(key, index="gsi-email", sort="ASC") == VECTOR
    assert b64(VECTOR_JSON) == VECTOR


def test_vector_decodes() -> None:
    assert decode_cursor(VECTOR) == Cursor(VECTOR_KEY, "gsi-email", "ASC")
    assert Cursor(VECTOR_KEY, "gsi-email", "ASC").encode() == VECTOR


def test_unset_index_and_sort_are_left_out() -> None:
    token = encode_cursor({"pk": {"N": "5"}})
    assert payload(token) == '{"lastKey":{"pk":{"N":"5"}}}'
    assert decode_cursor(token) == Cursor({"pk": {"N": "5"}})
    assert payload(encode_cursor({"pk": {"S": "a"}}, index="")) == '{"lastKey":{"pk":{"S":"a"}}}'
    token = encode_cursor({"pk": {"S": "a"}}, sort="desc")
    assert payload(token) == '{"lastKey":{"pk":{"S":"a"}},"sort":"DESC"}'


def test_binary_is_bytes_in_python_and_standard_base64_inside() -> None:
    raw = bytes([0xFB, 0xFF, 0x00])
    token = encode_cursor({"pk": {"B": raw}})
    assert json.loads(payload(token))["lastKey"]["pk"]["B"] == base64.b64encode(raw).decode()
    assert decode_cursor(token).last_key == {"pk": {"B": raw}}


def test_padding_may_be_missing_and_whitespace_is_ignored() -> None:
    unpadded = b64('{"lastKey":{"pk":{"S":"ab"}}}').rstrip("=")
    assert decode_cursor(unpadded).last_key == {"pk": {"S": "ab"}}
    assert decode_cursor(f"  {VECTOR}\n").index == "gsi-email"


@pytest.mark.parametrize("sort", ["asc", "Desc", "ASC"])
def test_sort_is_case_insensitive_on_input(sort: str) -> None:
    assert decode_cursor(encode_cursor(VECTOR_KEY, sort=sort)).sort == sort.upper()


@pytest.mark.parametrize(
    ("last_key", "kwargs", "needle"),
    [
        (VECTOR_KEY, {"sort": "up"}, "sort"),
        (VECTOR_KEY, {"sort": ""}, "sort"),
        ({}, {}, "must not be empty"),
        ({"pk": {"BOOL": True}}, {}, "last_key.pk"),
        ({"pk": {"N": "one"}}, {}, "last_key.pk"),
        ({"pk": {"S": 1}}, {}, "last_key.pk"),
        ({"pk": {"B": "not bytes"}}, {}, "last_key.pk"),
        ({"pk": {"S": "a", "N": "1"}}, {}, "last_key.pk"),
        ({"pk": "a"}, {}, "last_key.pk"),
        ("not a mapping", {}, "last_key"),
    ],
)
def test_bad_encode_input_is_a_validation_error(
    last_key: Any, kwargs: dict[str, Any], needle: str
) -> None:
    with pytest.raises(ValidationError, match=needle):
        encode_cursor(last_key, **kwargs)


MALFORMED = {
    "empty": "",
    "blank": "   ",
    "not base64": "!!!!",
    "standard alphabet": base64.b64encode(b'{"lastKey":{"pk":{"S":"??>"}}}').decode(),
    "extra padding": VECTOR + "=",
    "truncated": VECTOR[:-7],
    "one character flipped": VECTOR[:10] + ("A" if VECTOR[10] != "A" else "B") + VECTOR[11:],
    "not utf-8": base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    "not json": b64("hello"),
    "json array": b64('[{"pk":{"S":"a"}}]'),
    "json string": b64('"x"'),
    "no lastKey": b64('{"index":"i"}'),
    "empty lastKey": b64('{"lastKey":{}}'),
    "lastKey not an object": b64('{"lastKey":[1]}'),
    "unknown key": b64('{"lastKey":{"pk":{"S":"a"}},"page":2}'),
    "duplicate key": b64('{"lastKey":{"pk":{"S":"a"}},"lastKey":{"pk":{"S":"b"}}}'),
    "lower-case sort": b64('{"lastKey":{"pk":{"S":"a"}},"sort":"asc"}'),
    "bad sort": b64('{"lastKey":{"pk":{"S":"a"}},"sort":"SIDEWAYS"}'),
    "numeric index": b64('{"lastKey":{"pk":{"S":"a"}},"index":3}'),
    "unknown type": b64('{"lastKey":{"pk":{"Q":"a"}}}'),
    "two type keys": b64('{"lastKey":{"pk":{"S":"a","N":"1"}}}'),
    "S not a string": b64('{"lastKey":{"pk":{"S":1}}}'),
    "B not base64": b64('{"lastKey":{"pk":{"B":"%%%"}}}'),
    "N not a number": b64('{"lastKey":{"pk":{"N":"1e"}}}'),
    "non-key type": b64('{"lastKey":{"pk":{"L":[]}}}'),
    "deep nesting": b64('{"lastKey":' + '{"M":' * 200 + "{}" + "}" * 201),
}


@pytest.mark.parametrize("token", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_cursor_is_a_validation_error(token: str) -> None:
    with pytest.raises(ValidationError, match=r"^invalid cursor: "):
        decode_cursor(token)


def test_non_string_cursor_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        decode_cursor(b"abc")  # type: ignore[arg-type]


key_values = st.one_of(
    st.builds(lambda s: {"S": s}, st.text()),
    st.builds(lambda d: {"N": str(d)}, st.decimals(allow_nan=False, allow_infinity=False)),
    st.builds(lambda b: {"B": b}, st.binary()),
)


@given(
    last_key=st.dictionaries(st.text(min_size=1), key_values, min_size=1, max_size=3),
    index=st.none() | st.text(min_size=1, max_size=40),
    sort=st.sampled_from([None, "ASC", "DESC"]),
)
def test_round_trip(
    last_key: dict[str, dict[str, Any]], index: str | None, sort: str | None
) -> None:
    token = encode_cursor(last_key, index=index, sort=sort)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
    assert len(token) % 4 == 0
    decoded = decode_cursor(token)
    assert decoded == Cursor(last_key, index, sort)  # type: ignore[arg-type]
    # The JSON inside has the fixed field order and sorted lastKey names.
    inner = json.loads(payload(token))
    assert list(inner) == ["lastKey", *(["index"] if index else []), *(["sort"] if sort else [])]
    assert list(inner["lastKey"]) == sorted(last_key)


@given(st.text())
def test_arbitrary_text_never_escapes_as_another_error(text: str) -> None:
    with contextlib.suppress(ValidationError):
        decode_cursor(text)


def test_numbers_keep_their_spelling() -> None:
    # A cursor hands the key back unchanged: DynamoDB compares by value anyway.
    token = encode_cursor({"pk": {"N": str(Decimal("1.50"))}})
    assert decode_cursor(token).last_key == {"pk": {"N": "1.50"}}
