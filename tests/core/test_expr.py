"""The expression functions of dynamorm._core, called directly."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm import _core
from dynamorm.errors import ExpressionError, ValidationError

SLOTS = ("key_condition", "filter", "condition", "update", "projection")


def compile_request(**given: Any) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """``_core.compile_request_object`` (positional) as slot texts, names, values."""
    request = _core.compile_request_object(
        *(given.get(slot) for slot in SLOTS),
        given.get("names"),
        given.get("values"),
        given.get("key_attributes"),
    )
    texts = {slot: getattr(request, slot) for slot in SLOTS if getattr(request, slot) is not None}
    return texts, request.names, request.values


def test_compile_request_returns_expressions_names_values() -> None:
    expressions, names, values = compile_request(
        update=[("set", "a", 1)], condition=[("a", "exists")], key_attributes=["pk"]
    )
    assert expressions == {"update": "SET #n0 = :v0", "condition": "attribute_exists(#n0)"}
    assert names == {"#n0": "a"}
    assert values == {":v0": {"N": "1"}}


def test_compile_request_with_nothing_is_empty() -> None:
    assert compile_request() == ({}, {}, {})


def test_caller_placeholders_must_look_like_placeholders() -> None:
    with pytest.raises(ValidationError, match="names key"):
        compile_request(condition=[("a", "=", 1)], names={"pk": "PK"})
    with pytest.raises(ValidationError, match="values key"):
        compile_request(condition=[("a", "=", 1)], values={"v": 1})


def test_a_bare_string_is_not_a_clause_list() -> None:
    with pytest.raises(ValidationError, match="Raw"):
        compile_request(filter="a = :v")
    with pytest.raises(ValidationError, match="list of paths"):
        compile_request(projection="a")


def test_unmarshalable_values_name_the_clause() -> None:
    with pytest.raises(ValidationError, match=r"condition\[0\] value"):
        compile_request(condition=[("a", "=", object())])


def test_validate_expression_and_parse_expression() -> None:
    _core.validate_expression("a = :v", values={":v": 1})
    with pytest.raises(ExpressionError) as info:
        _core.validate_expression("a = :v", kind="update", values={":v": 1})
    assert info.value.position == 0
    assert _core.parse_expression("REMOVE a")["clauses"][0]["actions"][0]["type"] == "path"


def test_reserved_word_table() -> None:
    words = _core.RESERVED_WORDS
    assert len(words) == 573 == len(set(words))
    assert list(words) == sorted(words)
    assert _core.is_reserved("zone") and not _core.is_reserved("zones")
