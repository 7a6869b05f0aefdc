"""DynamoDB's expression grammar (``tests/data/expr_corpus.json``) through
``dynamorm.expr``: ``validate`` accepts every text DynamoDB accepts and
refuses every text it refuses; ``parse`` refuses those the corpus says the
parser refuses and gives a tree for the rest."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm import expr
from dynamorm.errors import ExpressionError

from tests._support.expr_corpus import ENTRIES, KEY_ATTRIBUTES, entry_id, placeholders


def entries(accepted: bool) -> list[Any]:
    return [pytest.param(e, id=entry_id(e)) for e in ENTRIES if e["accepted"] is accepted]


def check(entry: dict[str, Any]) -> None:
    names, values = placeholders(entry)
    expr.validate(
        entry["text"],
        names=names or None,
        values=values or None,
        kind=entry["kind"],
        key_attributes=KEY_ATTRIBUTES,
    )


@pytest.mark.parametrize("entry", entries(True))
def test_validate_and_parse_accept_what_dynamodb_accepts(entry: dict[str, Any]) -> None:
    check(entry)
    tree = expr.parse(entry["text"], entry["kind"])
    assert tree["type"]


@pytest.mark.parametrize("entry", entries(False))
def test_validate_refuses_what_dynamodb_refuses_with_a_position(entry: dict[str, Any]) -> None:
    with pytest.raises(ExpressionError) as refused:
        check(entry)
    position = refused.value.position
    assert position is not None and 0 <= position <= len(entry["text"].encode())


@pytest.mark.parametrize("entry", entries(False))
def test_parse_refuses_only_what_the_parser_must(entry: dict[str, Any]) -> None:
    if entry["stage"] == "parse":
        with pytest.raises(ExpressionError):
            expr.parse(entry["text"], entry["kind"])
    else:
        # Parsing is lenient where only DynamoDB's validation objects: the
        # library prints what it parsed anew before sending it.
        assert expr.parse(entry["text"], entry["kind"])["type"]
