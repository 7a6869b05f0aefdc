"""The exceptions of dynamorm.

``DynamORMError`` is the base of everything the library raises. Errors caught
before any request are ``ValidationError`` (also a ``ValueError``). When an
error comes from a botocore call, the botocore exception is ``__cause__``.
The Rust core raises these same classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "BatchGetError",
    "BatchWriteError",
    "ConditionFailedError",
    "DynamORMError",
    "ExpressionError",
    "InvalidModelError",
    "ItemNotFoundError",
    "MalformedResponseError",
    "OperationCancelledError",
    "OperationTimeoutError",
    "RequestError",
    "RetryExhaustedError",
    "TableNotFoundError",
    "TransactionConditionFailedError",
    "TransactionError",
    "UniqueConstraintError",
    "ValidationError",
    "WriteOutcomeUnknownError",
]


class DynamORMError(Exception):
    """Base class of every dynamorm error."""


class ValidationError(DynamORMError, ValueError):
    """Bad input, caught before any request was sent; or a stored item that
    does not fit its model (a value of the wrong type, an enum value that
    names no member).

    ``item`` is then the item as DynamoDB returned it (attribute name → its
    DynamoDB-JSON value), so nothing read is lost; ``None`` otherwise.
    """

    item: dict[str, Any] | None = None


class InvalidModelError(ValidationError):
    """A model declaration (or DMS document) that cannot be used."""


class ExpressionError(ValidationError):
    """A malformed or invalid expression.

    ``position`` is the byte offset into the expression text where the problem
    was found, or ``None`` when it concerns the expression as a whole.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.position))


class ConditionFailedError(DynamORMError):
    """A condition on a write was not met.

    ``item`` is the item's current state as DynamoDB returned it: a model
    instance when the failing operation was on a model (the raw item when it no
    longer fits the model), or ``None`` when DynamoDB did not return one.
    """

    def __init__(
        self,
        message: str,
        *,
        item: Any = None,
        model: str | None = None,
    ) -> None:
        super().__init__(message)
        self.item = item
        self.model = model


class UniqueConstraintError(ConditionFailedError):
    """A write would give a ``unique`` field a value another item of the
    model already holds: ``model`` (class name), ``field`` (field name) and
    ``value`` (the value as the model holds it) say which. Nothing of the
    write was applied (it and its sentinel items form one transaction).
    ``item`` is ``None``."""

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message, model=model)
        self.field = field
        self.value = value

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),), self.__dict__)


class RequestError(DynamORMError):
    """DynamoDB (or the connection to it) failed a request for a reason no
    more specific class covers. The botocore exception is ``__cause__``;
    ``code`` is DynamoDB's error code when there is one."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class WriteOutcomeUnknownError(DynamORMError):
    """A write whose outcome cannot be known: it was sent, its answer was
    lost (a 5xx answer, a connection reset or closed, a read timeout), and it
    could not be safely sent again or a resend could not tell. DynamoDB may or
    may not have applied it; read the item to find out.

    ``__cause__`` is the error that lost the answer. ``item`` is the item's
    state when a resend brought it back (a failed condition: a model instance
    when the write was on a model), else ``None``; ``attempts`` is the number
    of requests sent.
    """

    def __init__(
        self,
        message: str,
        *,
        item: Any = None,
        model: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.item = item
        self.model = model
        self.attempts = attempts


class MalformedResponseError(RequestError):
    """A successful answer that could not be read: cut short, not JSON, or
    not the shape the operation returns (a broken proxy or server). The
    message names the operation, the model and what was wrong where; the
    parser's error is ``__cause__``. Never retried; after a write, the write
    may have been applied."""


class ItemNotFoundError(DynamORMError, LookupError):
    """``first()`` or a get found no item."""


class TransactionError(DynamORMError):
    """A transaction was cancelled.

    ``operation_index`` (0-based, in call order), ``operation`` (``"Put"``,
    ``"Update"``, ``"Delete"`` or ``"ConditionCheck"``), ``model`` (class
    name) and ``reason`` (the cancellation code) describe the operation that
    failed; ``cancellation_reasons`` holds every reason, in call order.
    """

    def __init__(
        self,
        message: str,
        *,
        operation_index: int | None = None,
        operation: str | None = None,
        model: str | None = None,
        reason: str | None = None,
        cancellation_reasons: Sequence[Mapping[str, Any]] = (),
        item: Any = None,
    ) -> None:
        super().__init__(message)
        self.operation_index = operation_index
        self.operation = operation
        self.model = model
        self.reason = reason
        self.cancellation_reasons = list(cancellation_reasons)
        self.item = item


class TransactionConditionFailedError(TransactionError, ConditionFailedError):
    """A transaction cancelled by a failed condition: both a
    ``TransactionError`` and a ``ConditionFailedError``."""


class BatchGetError(DynamORMError):
    """Keys were still unprocessed after the last retry.

    ``unprocessed_keys`` are the keys not read; ``items`` the items already
    retrieved (in input-key order).
    """

    def __init__(
        self,
        message: str,
        *,
        unprocessed_keys: Sequence[Any] = (),
        items: Sequence[Any] = (),
    ) -> None:
        super().__init__(message)
        self.unprocessed_keys = list(unprocessed_keys)
        self.items = list(items)


class BatchWriteError(DynamORMError):
    """Write requests were still unprocessed after the last retry.

    ``unprocessed`` holds them as DynamoDB write requests
    (``{"PutRequest": ...}`` / ``{"DeleteRequest": ...}``).
    """

    def __init__(self, message: str, *, unprocessed: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.unprocessed = list(unprocessed)


class RetryExhaustedError(DynamORMError):
    """A retryable error persisted past the retry policy's last attempt."""

    def __init__(self, message: str, *, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


class TableNotFoundError(DynamORMError):
    """The table does not exist."""

    def __init__(self, message: str, *, table: str | None = None) -> None:
        super().__init__(message)
        self.table = table


class OperationCancelledError(DynamORMError):
    """A long operation was stopped by ``cancel=`` or a deadline.

    ``partial`` carries what had been done so far. When the stop came from a
    deadline the exception raised is ``OperationTimeoutError``, which is also
    a ``TimeoutError``.
    """

    def __init__(self, message: str, *, partial: Any = None) -> None:
        super().__init__(message)
        self.partial = partial


class OperationTimeoutError(OperationCancelledError, TimeoutError):
    """An operation stopped at its deadline (``db.with_timeout`` or ``timeout=``)."""
