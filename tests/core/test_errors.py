"""The exceptions dynamorm._core raises (rust/dynamorm-py/src/errors.rs): the
``dynamorm.errors`` classes for bad input, the private ``Fallback`` signal,
``ValueError`` for a malformed answer."""

from __future__ import annotations

import pytest
from dynamorm import Model, _core, field
from dynamorm.errors import ExpressionError, InvalidModelError, ValidationError
from dynamorm.model.codec import _descriptor


class Doc(Model, table="docs"):
    pk: str = field(pk=True)


def test_the_fallback_signal_is_a_private_plain_exception() -> None:
    assert _core.Fallback.__module__ == "dynamorm._core"
    assert _core.Fallback.__mro__[1:] == (Exception, BaseException, object)
    assert not issubclass(_core.Fallback, (ValueError, TypeError))


def test_bad_input_raises_the_dynamorm_errors_classes_themselves() -> None:
    with pytest.raises(ValidationError) as validation:
        _core.serialize(object())
    assert type(validation.value) is ValidationError
    with pytest.raises(ExpressionError) as expression:
        _core.validate_expression("a = = b")
    assert type(expression.value) is ExpressionError
    assert expression.value.position == 4
    field = _descriptor(Doc.__dynamorm__.fields[0], frozenset())
    with pytest.raises(InvalidModelError, match='two fields named "pk"') as model:
        _core.ItemSchema("Doc", Doc, [field, field])
    assert type(model.value) is InvalidModelError


def test_a_malformed_answer_is_a_plain_value_error() -> None:
    shape = _core.ResponseShape([("structure", [], False)], 0)
    with pytest.raises(ValueError) as info:
        shape.check(b"[1]")
    assert type(info.value) is ValueError
