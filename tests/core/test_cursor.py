"""dynamorm._core's cursor functions (rust/dynamorm-py/src/cursor.rs), called directly."""

from __future__ import annotations

import pytest
from dynamorm import _core
from dynamorm.errors import ValidationError


def test_cursor_functions_return_plain_values() -> None:
    token = _core.encode_cursor({"pk": {"B": b"\x00"}, "sk": {"N": "1"}}, "idx", "desc")
    last_key, index, sort = _core.decode_cursor(token)
    assert last_key == {"pk": {"B": b"\x00"}, "sk": {"N": "1"}}
    assert (index, sort) == ("idx", "DESC")
    assert _core.decode_cursor(_core.encode_cursor({"pk": {"S": "a"}}))[1:] == (None, None)


def test_cursor_errors_are_the_python_classes() -> None:
    with pytest.raises(ValidationError) as info:
        _core.decode_cursor("###")
    assert type(info.value) is ValidationError
    assert isinstance(info.value, ValueError)
