"""dynamorm._core request body writer (rust/dynamorm-py/src/request.rs), called directly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dynamorm import _core


class _Loud(int):
    def __str__(self) -> str:
        raise ValueError("no text")


def test_plain_request_data_is_written_as_json() -> None:
    params = {"TableName": "t", "Key": {"pk": {"S": "é"}, "b": {"B": b"\x00"}}, "Limit": 2**70}
    assert json.loads(_core.encode_request(params)) == {
        "TableName": "t",
        "Key": {"pk": {"S": "é"}, "b": {"B": "AA=="}},
        "Limit": 2**70,
    }


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"Item": {"x": {"N": object()}}}, "cannot write a object"),
        ({"x": float("nan")}, "non-finite"),
        ({1: "x"}, "keys must be str"),
        ({"x": "\ud800"}, "not UTF-8"),
        ({"\ud800": "x"}, "not UTF-8"),
        ({"x": _Loud(2**70)}, "decimal text"),
    ],
)
def test_what_the_writer_does_not_take_is_left_to_botocore(params: Any, why: str) -> None:
    with pytest.raises(_core.Fallback, match=why):
        _core.encode_request(params)
