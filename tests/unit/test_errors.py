"""dynamorm.errors: the exception hierarchy of SPEC §10, also as raised from Rust."""

from __future__ import annotations

import pickle

import pytest
from dynamorm import _core, errors
from dynamorm.cursor import decode_cursor
from dynamorm.errors import (
    BatchGetError,
    BatchWriteError,
    ConditionFailedError,
    DynamORMError,
    ExpressionError,
    InvalidModelError,
    ItemNotFoundError,
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    TableNotFoundError,
    TransactionConditionFailedError,
    TransactionError,
    UniqueConstraintError,
    ValidationError,
)

ALL = [
    BatchGetError,
    BatchWriteError,
    ConditionFailedError,
    ExpressionError,
    InvalidModelError,
    ItemNotFoundError,
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    TableNotFoundError,
    TransactionConditionFailedError,
    TransactionError,
    UniqueConstraintError,
    ValidationError,
]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_everything_is_a_dynamorm_error(cls: type[Exception]) -> None:
    assert issubclass(cls, DynamORMError)


def test_every_exception_class_errors_defines_is_a_dynamorm_error() -> None:
    import inspect

    from dynamorm import errors

    defined = [
        obj
        for obj in vars(errors).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    ]
    assert errors.RequestError in defined and len(defined) >= len(ALL)
    assert [c.__name__ for c in defined if not issubclass(c, DynamORMError)] == []
    assert {c.__name__ for c in defined} <= set(errors.__all__)


def test_spec_names_are_exported() -> None:
    for name in [
        "DynamORMError",
        "ValidationError",
        "InvalidModelError",
        "ExpressionError",
        "ConditionFailedError",
        "ItemNotFoundError",
        "TransactionError",
        "BatchGetError",
        "BatchWriteError",
        "RetryExhaustedError",
        "TableNotFoundError",
        "OperationCancelledError",
    ]:
        assert name in errors.__all__
        assert isinstance(getattr(errors, name), type)


def test_validation_family() -> None:
    assert issubclass(ValidationError, ValueError)
    assert issubclass(ExpressionError, ValidationError)
    assert issubclass(InvalidModelError, ValidationError)
    assert issubclass(ExpressionError, ValueError)


def test_item_not_found_is_a_lookup_error() -> None:
    assert issubclass(ItemNotFoundError, LookupError)
    assert not issubclass(ItemNotFoundError, ValidationError)


def test_deadline_variant_is_a_timeout_and_a_cancellation() -> None:
    exc = OperationTimeoutError("deadline passed", partial=[1, 2])
    assert isinstance(exc, TimeoutError)
    assert isinstance(exc, OperationCancelledError)
    assert exc.partial == [1, 2]
    assert not issubclass(OperationCancelledError, TimeoutError)


def test_transaction_condition_variant_is_both() -> None:
    exc = TransactionConditionFailedError(
        "condition failed", operation_index=1, operation="Update", reason="ConditionalCheckFailed"
    )
    assert isinstance(exc, TransactionError)
    assert isinstance(exc, ConditionFailedError)
    assert (exc.operation_index, exc.operation, exc.reason) == (
        1,
        "Update",
        "ConditionalCheckFailed",
    )
    assert not issubclass(TransactionError, ConditionFailedError)


def test_batch_get_error_carries_what_is_left() -> None:
    exc = BatchGetError("left", unprocessed_keys=({"pk": {"S": "a"}},), items=[{"x": 1}])
    assert exc.unprocessed_keys == [{"pk": {"S": "a"}}]
    assert exc.items == [{"x": 1}]


def test_expression_error_has_a_position_and_pickles() -> None:
    exc = ExpressionError("unexpected token", 7)
    assert (exc.message, exc.position, str(exc)) == ("unexpected token", 7, "unexpected token")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is ExpressionError
    assert (back.message, back.position) == ("unexpected token", 7)
    assert ExpressionError("whole").position is None


def test_unique_constraint_error_is_a_condition_failure_naming_the_value_and_pickles() -> None:
    exc = UniqueConstraintError("taken", model="User", field="email", value="a@x")
    assert isinstance(exc, ConditionFailedError) and exc.item is None
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is UniqueConstraintError and str(back) == "taken"
    assert (back.model, back.field, back.value, back.item) == ("User", "email", "a@x", None)


def test_rust_raises_the_python_classes() -> None:
    with pytest.raises(ValidationError) as info:
        decode_cursor("not a cursor!")
    assert type(info.value) is errors.ValidationError
    assert "invalid cursor" in str(info.value)
    # Caught by the standard base the SPEC promises, too.
    with pytest.raises(ValueError, match="chunk_size"):
        _core.KeyPlan(["pk"], 0)
    with pytest.raises(DynamORMError, match="S, N or B"):
        _core.KeyPlan(["pk"]).add_keys([{"pk": {"BOOL": True}}])
